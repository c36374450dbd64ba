// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding the server's CertificateRequest before GnuTLS takes it in
 * (cert_request.h).  Everything read is the server's and hostile: every
 * length is checked, and anything the finder cannot follow ends the search
 * with CERT_REQUEST_NONE, leaving GnuTLS to judge the records.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "credssp/cert_request.h"

#define TLS_HEADER_LEN		5
#define TLS_CT_CHANGE_CIPHER	20
#define TLS_CT_HANDSHAKE	22
#define TLS_CT_APPLICATION	23

#define HS_SERVER_HELLO		2
#define HS_CERTIFICATE_REQUEST	13
#define HS_SERVER_HELLO_DONE	14
#define HS_FINISHED		20

#define EXT_SUPPORTED_VERSIONS	43
#define EXT_CERT_AUTHORITIES	47

/* Handshake bytes kept while a message is incomplete */
#define MAX_PENDING		(64 * 1024)
#define NONCE_LEN		12

/* RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest */
static const uint8_t hello_retry_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct cert_request_finder {
	enum cert_request_result result;
	bool tls13;		/* the ServerHello chose TLS 1.3 */
	bool keyed;		/* ... and the records are opened */
	gnutls_aead_cipher_hd_t aead;
	size_t tag_len;
	uint8_t iv[NONCE_LEN];
	uint64_t seq;
	struct bytes pending;	/* handshake bytes not parsed yet */
};

struct cert_request_finder *cert_request_finder_new(void)
{
	return calloc(1, sizeof(struct cert_request_finder));
}

void cert_request_finder_free(struct cert_request_finder *f)
{
	if (!f)
		return;
	if (f->aead)
		gnutls_aead_cipher_deinit(f->aead);
	bytes_free(&f->pending);
	explicit_bzero(f, sizeof(*f));
	free(f);
}

/* A reader over hostile bytes */
struct reader {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static uint32_t read_uint(struct reader *r, size_t n)
{
	uint32_t v = 0;
	size_t i;

	if (r->bad || r->left < n) {
		r->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v = v << 8 | r->p[i];
	r->p += n;
	r->left -= n;
	return v;
}

/* A vector with an @n-byte length: its body as a reader of its own */
static struct reader read_vector(struct reader *r, size_t n)
{
	struct reader v = { .bad = true };
	uint32_t len = read_uint(r, n);

	if (r->bad || r->left < len) {
		r->bad = true;
		return v;
	}
	v.p = r->p;
	v.left = len;
	v.bad = false;
	r->p += len;
	r->left -= len;
	return v;
}

/* Whether a ServerHello chose TLS 1.3 (supported_versions), -1: malformed */
static int server_hello_tls13(const uint8_t *body, size_t len, bool *retry)
{
	struct reader r = { body, len, false }, exts, ext;
	uint32_t type;

	read_uint(&r, 2);				/* legacy_version */
	*retry = r.left >= 32 &&
		 !memcmp(r.p, hello_retry_random, sizeof(hello_retry_random));
	if (r.left < 32)
		return -1;
	r.p += 32;
	r.left -= 32;
	read_vector(&r, 1);				/* session id */
	read_uint(&r, 2);				/* cipher suite */
	read_uint(&r, 1);				/* compression */
	if (r.bad)
		return -1;
	if (!r.left)
		return 0;				/* no extensions */
	exts = read_vector(&r, 2);
	while (!exts.bad && exts.left) {
		type = read_uint(&exts, 2);
		ext = read_vector(&exts, 2);
		if (type == EXT_SUPPORTED_VERSIONS && !ext.bad)
			return read_uint(&ext, 2) == 0x0304 && !ext.bad;
	}
	return exts.bad ? -1 : 0;
}

/* Checks a list of DistinguishedName<1..2^16-1> and copies it. */
static int copy_authorities(struct reader list, struct bytes *issuers)
{
	struct reader all = list, dn;

	while (!list.bad && list.left) {
		dn = read_vector(&list, 2);
		if (dn.bad || !dn.left)
			return -EINVAL;
	}
	if (list.bad)
		return -EINVAL;
	return bytes_append(issuers, all.p, all.left);
}

/* RFC 5246 7.4.4 */
static int tls12_authorities(const uint8_t *body, size_t len,
			     struct bytes *issuers)
{
	struct reader r = { body, len, false }, cas;

	read_vector(&r, 1);				/* certificate_types */
	read_vector(&r, 2);		/* supported_signature_algorithms */
	cas = read_vector(&r, 2);
	if (r.bad || cas.bad)
		return -EINVAL;
	return copy_authorities(cas, issuers);
}

/* RFC 8446 4.3.2 and 4.2.4 */
static int tls13_authorities(const uint8_t *body, size_t len,
			     struct bytes *issuers)
{
	struct reader r = { body, len, false }, exts, ext;
	uint32_t type;

	read_vector(&r, 1);		/* certificate_request_context */
	exts = read_vector(&r, 2);
	if (r.bad)
		return -EINVAL;
	while (!exts.bad && exts.left) {
		type = read_uint(&exts, 2);
		ext = read_vector(&exts, 2);
		if (type == EXT_CERT_AUTHORITIES && !ext.bad)
			return copy_authorities(read_vector(&ext, 2), issuers);
	}
	return exts.bad ? -EINVAL : 0;		/* no list: any CA */
}

/*
 * Parses the whole handshake messages pending.  *@need_key: a TLS 1.3
 * ServerHello was the last of them.
 */
static void parse_messages(struct cert_request_finder *f,
			   struct bytes *issuers, bool *need_key)
{
	size_t at = 0;

	*need_key = false;
	while (f->result == CERT_REQUEST_NOT_YET && f->pending.len - at >= 4) {
		const uint8_t *m = f->pending.data + at;
		size_t len = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
		bool retry = false;
		int tls13;

		if (f->pending.len - at - 4 < len)
			break;
		switch (m[0]) {
		case HS_SERVER_HELLO:
			tls13 = server_hello_tls13(m + 4, len, &retry);
			/* one ServerHello: keys come once */
			if (tls13 < 0 || f->tls13)
				f->result = CERT_REQUEST_NONE;
			else if (tls13 && !retry)
				f->tls13 = *need_key = true;
			break;
		case HS_CERTIFICATE_REQUEST:
			if ((f->tls13 ? tls13_authorities(m + 4, len, issuers) :
					tls12_authorities(m + 4, len,
							  issuers))) {
				bytes_free(issuers);
				f->result = CERT_REQUEST_NONE;
			} else {
				f->result = CERT_REQUEST_FOUND;
			}
			break;
		case HS_SERVER_HELLO_DONE:
		case HS_FINISHED:
			f->result = CERT_REQUEST_NONE;
			break;
		}
		at += 4 + len;
	}
	if (at) {
		memmove(f->pending.data, f->pending.data + at,
			f->pending.len - at);
		f->pending.len -= at;
	}
}

/* Opens a TLS 1.3 record in place; the length of its content, -1: bad. */
static long open_record(struct cert_request_finder *f, const uint8_t *hdr,
			uint8_t *body, size_t len, uint8_t *type)
{
	uint8_t nonce[NONCE_LEN];
	size_t plain_len = len;
	int i;

	memcpy(nonce, f->iv, sizeof(nonce));
	for (i = 0; i < 8; i++)
		nonce[NONCE_LEN - 1 - i] ^= (uint8_t)(f->seq >> (8 * i));
	f->seq++;
	if (len < f->tag_len ||
	    gnutls_aead_cipher_decrypt(f->aead, nonce, sizeof(nonce), hdr,
				       TLS_HEADER_LEN, f->tag_len, body, len,
				       body, &plain_len) < 0)
		return -1;
	/* TLSInnerPlaintext: content, type, zero padding */
	while (plain_len && !body[plain_len - 1])
		plain_len--;
	if (!plain_len)
		return -1;
	*type = body[--plain_len];
	return (long)plain_len;
}

enum cert_request_result cert_request_scan(struct cert_request_finder *f,
					   const uint8_t *in, size_t len,
					   size_t *used,
					   struct bytes *issuers)
{
	uint8_t *plain = NULL;
	size_t at = 0, plain_size = 0;

	*used = 0;
	while (f->result == CERT_REQUEST_NOT_YET &&
	       len - at >= TLS_HEADER_LEN) {
		const uint8_t *hdr = in + at;
		size_t body_len = (size_t)hdr[3] << 8 | hdr[4];
		const uint8_t *body = hdr + TLS_HEADER_LEN;
		uint8_t type = hdr[0];
		long content_len = (long)body_len;
		bool need_key;

		if (len - at - TLS_HEADER_LEN < body_len)
			break;				/* not whole: not ours */
		at += TLS_HEADER_LEN + body_len;
		if (type == TLS_CT_CHANGE_CIPHER)
			continue;
		if (type == TLS_CT_APPLICATION && f->keyed) {
			if (plain)
				explicit_bzero(plain, plain_size);
			free(plain);
			plain_size = body_len ? body_len : 1;
			plain = malloc(plain_size);
			if (!plain) {
				f->result = CERT_REQUEST_NONE;
				break;
			}
			memcpy(plain, body, body_len);
			content_len = open_record(f, hdr, plain, body_len,
						  &type);
			body = plain;
			if (content_len < 0) {
				f->result = CERT_REQUEST_NONE;
				break;
			}
		}
		/* TLS 1.3 has no plaintext handshake records after the keys */
		if (type != TLS_CT_HANDSHAKE ||
		    (f->keyed && body != plain) ||
		    f->pending.len + (size_t)content_len > MAX_PENDING ||
		    bytes_append(&f->pending, body, (size_t)content_len)) {
			f->result = CERT_REQUEST_NONE;
			break;
		}
		parse_messages(f, issuers, &need_key);
		if (need_key && f->result == CERT_REQUEST_NOT_YET) {
			/* What follows the ServerHello is encrypted. */
			if (f->pending.len)
				f->result = CERT_REQUEST_NONE;
			else
				f->result = CERT_REQUEST_NEED_KEY;
			break;
		}
	}
	if (plain)
		explicit_bzero(plain, plain_size);
	free(plain);
	*used = f->result == CERT_REQUEST_NEED_KEY ? at : len;
	return f->result;
}

/* RFC 8446 7.1: HKDF-Expand-Label(Secret, Label, "", Length) */
static int expand_label(gnutls_mac_algorithm_t mac, const uint8_t *secret,
			size_t secret_len, const char *label, uint8_t *out,
			size_t out_len)
{
	uint8_t info[2 + 1 + 6 + 16 + 1];
	size_t label_len = strlen(label), n = 0;
	gnutls_datum_t key = { (unsigned char *)secret,
			       (unsigned int)secret_len };
	gnutls_datum_t info_d;

	if (label_len > 16 || out_len > 255)
		return -EINVAL;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + label_len);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = 0;					/* no context */
	info_d.data = info;
	info_d.size = (unsigned int)n;
	return gnutls_hkdf_expand(mac, &key, &info_d, out, out_len) < 0 ?
	       -EINVAL : 0;
}

int cert_request_set_key(struct cert_request_finder *f,
			 gnutls_cipher_algorithm_t cipher,
			 gnutls_digest_algorithm_t hash,
			 const uint8_t *secret, size_t secret_len)
{
	gnutls_mac_algorithm_t mac;
	uint8_t key[32];
	size_t key_len = gnutls_cipher_get_key_size(cipher);
	gnutls_datum_t key_d = { key, (unsigned int)key_len };
	int err = -EINVAL;

	if (f->result != CERT_REQUEST_NEED_KEY || f->aead)
		return -EINVAL;
	f->result = CERT_REQUEST_NONE;
	switch (hash) {
	case GNUTLS_DIG_SHA256:
		mac = GNUTLS_MAC_SHA256;
		break;
	case GNUTLS_DIG_SHA384:
		mac = GNUTLS_MAC_SHA384;
		break;
	default:
		return -EINVAL;
	}
	f->tag_len = gnutls_cipher_get_tag_size(cipher);
	if (!key_len || key_len > sizeof(key) || !f->tag_len ||
	    expand_label(mac, secret, secret_len, "key", key, key_len) ||
	    expand_label(mac, secret, secret_len, "iv", f->iv, NONCE_LEN) ||
	    gnutls_aead_cipher_init(&f->aead, cipher, &key_d) < 0)
		goto out;
	f->keyed = true;
	f->seq = 0;
	f->result = CERT_REQUEST_NOT_YET;
	err = 0;
out:
	explicit_bzero(key, sizeof(key));
	return err;
}
