// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NTLM session security (see seal.h): MS-NLMP 3.4.4 with extended session
 * security, and message protection for NTLM inside CredSSP.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>
#include <nettle/arcfour.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "ctxblob.h"
#include "ntlm/msg.h"
#include "ntlm/seal.h"

void ntlm_sec_dir_init(struct ntlm_sec_dir *d, uint32_t flags,
		       const uint8_t sign_key[NTLM_KEY_LEN],
		       const uint8_t seal_key[NTLM_KEY_LEN])
{
	memcpy(d->sign_key, sign_key, NTLM_KEY_LEN);
	arcfour_set_key(&d->rc4, NTLM_KEY_LEN, seal_key);
	d->seq = 0;
	d->flags = flags;
}

/* HMAC_MD5(SigningKey, SeqNum || Message)[0..7] with the next SeqNum */
static void sec_hmac(const struct ntlm_sec_dir *d, const uint8_t *msg,
		     size_t len, uint8_t mac[8])
{
	struct hmac_md5_ctx ctx;
	uint8_t seq[4];

	ntlm_put_le32(seq, d->seq);
	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, d->sign_key);
	hmac_md5_update(&ctx, sizeof(seq), seq);
	hmac_md5_update(&ctx, len, msg);
	hmac_md5_digest(&ctx, 8, mac);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* The signature from the checksum: version, RC4'd checksum, SeqNum. */
static void sec_finish(struct ntlm_sec_dir *d, const uint8_t mac[8],
		       uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	ntlm_put_le32(sig, 1);
	if (d->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
		arcfour_crypt(&d->rc4, 8, sig + 4, mac);
	else
		memcpy(sig + 4, mac, 8);
	ntlm_put_le32(sig + 12, d->seq);
	d->seq++;
}

void ntlm_sec_sign(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		   uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	uint8_t mac[8];

	sec_hmac(d, msg, len, mac);
	sec_finish(d, mac, sig);
	explicit_bzero(mac, sizeof(mac));
}

/*
 * The checksum is over the plaintext; on the RC4 stream the message comes
 * first, then the checksum.
 */
void ntlm_sec_seal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		   uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	uint8_t mac[8];

	sec_hmac(d, msg, len, mac);
	arcfour_crypt(&d->rc4, len, msg, msg);
	sec_finish(d, mac, sig);
	explicit_bzero(mac, sizeof(mac));
}

bool ntlm_sec_verify(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		     const uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	uint8_t expected[NTLM_SIGNATURE_SIZE];
	bool ok;

	ntlm_sec_sign(d, msg, len, expected);
	ok = memeql_sec(expected, sig, sizeof(expected));
	explicit_bzero(expected, sizeof(expected));
	return ok;
}

bool ntlm_sec_unseal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		     const uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	arcfour_crypt(&d->rc4, len, msg, msg);
	return ntlm_sec_verify(d, msg, len, sig);
}

/* Both directions of an established context, ours and the peer's. */
struct ntlm_inner {
	struct ntlm_sec_dir out, in;
	bool can_seal;		/* NTLMSSP_NEGOTIATE_SEAL; else sign only */
};

/* A record of exactly @len bytes, or NULL. */
static const uint8_t *blob_value(const struct bytes *blob, uint16_t type,
				 uint32_t len)
{
	const uint8_t *value;
	uint32_t found;

	if (ctxblob_find(blob->data, blob->len, type, &value, &found) ||
	    found != len)
		return NULL;
	return value;
}

/* A direction continues a stream when the blob has its RC4 state. */
static bool dir_load(struct ntlm_sec_dir *d, const struct bytes *blob,
		     uint32_t flags, uint16_t sign_type, uint16_t seal_type,
		     uint16_t rc4_type)
{
	const uint8_t *sign = blob_value(blob, sign_type, NTLM_KEY_LEN);
	const uint8_t *seal = blob_value(blob, seal_type, NTLM_KEY_LEN);
	const uint8_t *rc4;
	uint32_t rc4_len;
	int err;

	if (!sign || !seal)
		return false;
	ntlm_sec_dir_init(d, flags, sign, seal);
	err = ctxblob_find(blob->data, blob->len, rc4_type, &rc4, &rc4_len);
	if (err == -ENOENT)
		return true;
	if (err || rc4_len != sizeof(struct ksspi_ntlm_rc4))
		return false;
	_Static_assert(sizeof(d->rc4.S) == sizeof(((struct ksspi_ntlm_rc4 *)0)->s),
		       "RC4 permutation size");
	memcpy(d->rc4.S, rc4 + offsetof(struct ksspi_ntlm_rc4, s),
	       sizeof(d->rc4.S));
	d->rc4.i = rc4[offsetof(struct ksspi_ntlm_rc4, i)];
	d->rc4.j = rc4[offsetof(struct ksspi_ntlm_rc4, j)];
	return true;
}

/* A sequence number record (absent: 0); 32 bits on the wire. */
static bool blob_seq(const struct bytes *blob, uint16_t type, uint32_t *seq)
{
	const uint8_t *value;
	uint32_t len;
	int err = ctxblob_find(blob->data, blob->len, type, &value, &len);

	*seq = 0;
	if (err == -ENOENT)
		return true;
	if (err || len != 8 || ntlm_le64(value) > UINT32_MAX)
		return false;
	*seq = (uint32_t)ntlm_le64(value);
	return true;
}

void *ntlm_inner_new(const struct bytes *blob)
{
	const uint8_t *le_flags = blob_value(blob, KSSPI_CTX_REC_NTLM_FLAGS, 4);
	struct ntlm_inner *inner;
	uint32_t flags, send_seq, recv_seq;

	if (!le_flags)
		return NULL;
	flags = ntlm_le32(le_flags);
	/* The keys of seal.c are those of extended session security */
	if (!(flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) ||
	    !(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		return NULL;
	if (!blob_seq(blob, KSSPI_CTX_REC_SEND_SEQ, &send_seq) ||
	    !blob_seq(blob, KSSPI_CTX_REC_RECV_SEQ, &recv_seq))
		return NULL;
	inner = calloc(1, sizeof(*inner));
	if (!inner)
		return NULL;
	if (!dir_load(&inner->out, blob, flags, KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT,
		      KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT,
		      KSSPI_CTX_REC_NTLM_RC4_OUT) ||
	    !dir_load(&inner->in, blob, flags, KSSPI_CTX_REC_NTLM_SIGN_KEY_IN,
		      KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
		      KSSPI_CTX_REC_NTLM_RC4_IN)) {
		ntlm_inner_free(inner);
		return NULL;
	}
	inner->out.seq = send_seq;
	inner->in.seq = recv_seq;
	inner->can_seal = flags & NTLMSSP_NEGOTIATE_SEAL;
	return inner;
}

/* Wipes what was appended to @out after @len bytes: @out as it was. */
static void truncate_to(struct bytes *out, size_t len)
{
	if (!len) {
		bytes_free(out);
		return;
	}
	explicit_bzero(out->data + len, out->len - len);
	out->len = len;
}

int ntlm_inner_wrap(void *opaque, const uint8_t *msg, size_t len,
		    struct bytes *out)
{
	struct ntlm_inner *inner = opaque;
	size_t at = out->len;
	uint8_t sig[NTLM_SIGNATURE_SIZE] = { 0 };

	if (!inner->can_seal)
		return -EINVAL;
	/* Room first, so that a failure leaves the stream where it was */
	if (bytes_append(out, sig, sizeof(sig)) ||
	    bytes_append(out, msg, len)) {
		truncate_to(out, at);
		return -ENOMEM;
	}
	ntlm_sec_seal(&inner->out, out->data + at + sizeof(sig), len,
		      out->data + at);
	return 0;
}

int ntlm_inner_unwrap(void *opaque, const uint8_t *token, size_t len,
		      struct bytes *out)
{
	struct ntlm_inner *inner = opaque;
	size_t at = out->len;

	if (!inner->can_seal)
		return -EINVAL;
	if (len < NTLM_SIGNATURE_SIZE)
		return -EBADMSG;
	if (bytes_append(out, token + NTLM_SIGNATURE_SIZE,
			 len - NTLM_SIGNATURE_SIZE))
		return -ENOMEM;
	if (!ntlm_sec_unseal(&inner->in, out->data + at,
			     len - NTLM_SIGNATURE_SIZE, token)) {
		truncate_to(out, at);
		return -EBADMSG;
	}
	return 0;
}

int ntlm_inner_sign(void *opaque, const uint8_t *msg, size_t len,
		    struct bytes *out)
{
	struct ntlm_inner *inner = opaque;
	size_t at = out->len;
	uint8_t sig[NTLM_SIGNATURE_SIZE] = { 0 };

	if (bytes_append(out, sig, sizeof(sig)))
		return -ENOMEM;
	ntlm_sec_sign(&inner->out, msg, len, out->data + at);
	return 0;
}

int ntlm_inner_verify(void *opaque, const uint8_t *msg, size_t len,
		      const uint8_t *token, size_t token_len)
{
	struct ntlm_inner *inner = opaque;

	if (token_len != NTLM_SIGNATURE_SIZE ||
	    !ntlm_sec_verify(&inner->in, msg, len, token))
		return -EBADMSG;
	return 0;
}

int ntlm_inner_export(void *opaque, struct bytes *blob)
{
	struct ntlm_inner *inner = opaque;

	/*
	 * SPNEGO's crypto reset (MS-SPNG 3.3.5.1, as Windows and
	 * gss-ntlmssp do it): the RC4 state starts again from the sealing
	 * key (the handshake's blob carries none), the sequence numbers go
	 * on after the mechListMICs.
	 */
	if (ctxblob_set_le64(blob, KSSPI_CTX_REC_SEND_SEQ, inner->out.seq) ||
	    ctxblob_set_le64(blob, KSSPI_CTX_REC_RECV_SEQ, inner->in.seq))
		return -EINVAL;
	return 0;
}

void ntlm_inner_free(void *opaque)
{
	struct ntlm_inner *inner = opaque;

	if (!inner)
		return;
	explicit_bzero(inner, sizeof(*inner));
	free(inner);
}
