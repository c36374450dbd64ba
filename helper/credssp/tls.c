// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS for CredSSP over memory buffers (tls.h).  GnuTLS reads the peer's
 * records from the input of the current leg and writes ours to its output;
 * when the input runs out it gets EAGAIN, which ends the leg.  Whole
 * records only are ever given to GnuTLS: tls_frame() finds them first, so
 * a partial record changes no state and the caller can come back with the
 * whole of it (SEC_E_INCOMPLETE_MESSAGE).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "credssp/cert_request.h"
#include "credssp/tls.h"
#include "credssp/tsrequest.h"
#include "log.h"

/*
 * TLS 1.2 and 1.3, forward-secret key exchanges, and only the AEAD ciphers
 * 6.1's kTLS carries.  No compression, no renegotiation.
 */
#define TLS_PRIORITIES							\
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"			\
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"	\
	"-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:+DHE-RSA:"	\
	"%SAFE_RENEGOTIATION"

/* RFC 8446 5.2: a record's fragment is at most 2^14 + 256 bytes. */
#define TLS_HEADER_LEN		5
#define TLS_MAX_FRAGMENT	(16384 + 256)

struct tls_server_identity {
	gnutls_certificate_credentials_t cred;
	bool no_tickets;	/* the caller's own: see tls.h */
};

struct tls_conn {
	gnutls_session_t session;
	gnutls_certificate_credentials_t client_cred;	/* clients only */
	/* Clients: looking for a CertificateRequest (cert_request.h) */
	struct cert_request_finder *finder;
	uint8_t server_hs_secret[64];	/* from GnuTLS's key log */
	size_t server_hs_secret_len;
	/* Servers: the client's certificate did not verify */
	bool peer_certificate_rejected;
	enum tls_role role;
	bool handshake_done;
	bool exported;
	/* This leg's input (whole records only) and output */
	const uint8_t *in;
	size_t in_len;
	size_t in_pos;
	struct bytes *out;
	bool out_failed;
};

/* The ticket key every server connection of this process shares. */
static gnutls_datum_t ticket_key;
static pthread_once_t ticket_once = PTHREAD_ONCE_INIT;
static int ticket_err;

static void ticket_key_init(void)
{
	ticket_err = gnutls_session_ticket_key_generate(&ticket_key);
}

static ssize_t conn_push(gnutls_transport_ptr_t ptr, const void *data,
			 size_t len)
{
	struct tls_conn *c = ptr;

	if (!c->out || bytes_append(c->out, data, len)) {
		c->out_failed = true;
		gnutls_transport_set_errno(c->session, ENOMEM);
		return -1;
	}
	return (ssize_t)len;
}

static ssize_t conn_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct tls_conn *c = ptr;
	size_t left = c->in_len - c->in_pos;

	if (!left) {
		gnutls_transport_set_errno(c->session, EAGAIN);
		return -1;
	}
	if (len > left)
		len = left;
	memcpy(data, c->in + c->in_pos, len);
	c->in_pos += len;
	return (ssize_t)len;
}

static int conn_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct tls_conn *c = ptr;

	(void)ms;
	return c->in_pos < c->in_len ? 1 : 0;
}

/*
 * The length of the whole records at the start of @in.  Returns false when
 * @in ends inside a record, with *@missing the bytes it lacks; a header
 * that cannot start a TLS record ends the scan (GnuTLS refuses it).
 */
static bool tls_frame(const uint8_t *in, size_t len, size_t *whole,
		      size_t *missing)
{
	size_t at = 0;

	*whole = 0;
	*missing = 0;
	while (at < len) {
		size_t body;

		if (len - at < TLS_HEADER_LEN) {
			/* Check what there is of the header first. */
			if (in[at] < 20 || in[at] > 24 ||
			    (len - at > 1 && in[at + 1] != 3))
				break;
			*missing = TLS_HEADER_LEN - (len - at);
			*whole = at;
			return false;
		}
		body = (size_t)in[at + 3] << 8 | in[at + 4];
		if (in[at] < 20 || in[at] > 24 || in[at + 1] != 3 ||
		    body > TLS_MAX_FRAGMENT + 1792)
			break;
		if (len - at - TLS_HEADER_LEN < body) {
			*missing = body - (len - at - TLS_HEADER_LEN);
			*whole = at;
			return false;
		}
		at += TLS_HEADER_LEN + body;
	}
	/* Whole records, then possibly garbage: GnuTLS gets it all. */
	*whole = at < len ? len : at;
	return true;
}

bool tls_frame_records(const uint8_t *in, size_t len, size_t *whole,
		       size_t *missing)
{
	return tls_frame(in, len, whole, missing);
}

struct tls_server_identity *tls_server_identity_load(const char *cert_file,
						     const char *key_file)
{
	struct tls_server_identity *id = calloc(1, sizeof(*id));
	int ret;

	if (!id) {
		errno = ENOMEM;
		return NULL;
	}
	ret = gnutls_certificate_allocate_credentials(&id->cred);
	if (ret < 0) {
		free(id);
		errno = ENOMEM;
		return NULL;
	}
	ret = gnutls_certificate_set_x509_key_file2(id->cred, cert_file,
						    key_file,
						    GNUTLS_X509_FMT_PEM, NULL,
						    0);
	if (ret < 0) {
		log_error("credssp: cannot load %s / %s: %s", cert_file,
			  key_file, gnutls_strerror(ret));
		gnutls_certificate_free_credentials(id->cred);
		free(id);
		errno = EINVAL;
		return NULL;
	}
	return id;
}

int tls_identity_split(const uint8_t *payload, size_t len,
		       struct tls_identity_blob *out)
{
	uint32_t cert_len;

	if (len < 4)
		return -EINVAL;
	cert_len = (uint32_t)payload[0] | (uint32_t)payload[1] << 8 |
		   (uint32_t)payload[2] << 16 | (uint32_t)payload[3] << 24;
	if (!cert_len || cert_len >= len - 4)
		return -EINVAL;
	out->cert = payload + 4;
	out->cert_len = cert_len;
	out->key = payload + 4 + cert_len;
	out->key_len = len - 4 - cert_len;
	return 0;
}

/*
 * Whether @priv is the private key of @crt: their key ids (SHA-1 of the
 * public key) match.
 */
static bool key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t priv)
{
	unsigned char crt_id[64], key_id[64];
	size_t crt_len = sizeof(crt_id), key_len = sizeof(key_id);

	return gnutls_x509_crt_get_key_id(crt, 0, crt_id, &crt_len) >= 0 &&
	       gnutls_x509_privkey_get_key_id(priv, 0, key_id, &key_len) >= 0 &&
	       crt_len == key_len && !memcmp(crt_id, key_id, crt_len);
}

/*
 * Loads @blob into @cred: each part PEM first, then DER.  Parsed and
 * matched here: GnuTLS 3.7's gnutls_certificate_set_x509_key_mem2() and
 * gnutls_certificate_set_x509_key() leak memory on some malformed input
 * and on a key that is not the certificate's.
 */
static int cred_add_blob(gnutls_certificate_credentials_t cred,
			 const struct tls_identity_blob *blob)
{
	gnutls_datum_t cert = { (unsigned char *)blob->cert,
				(unsigned int)blob->cert_len };
	gnutls_datum_t key = { (unsigned char *)blob->key,
			       (unsigned int)blob->key_len };
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_privkey_t priv = NULL;
	unsigned int count = 0, i;
	int ret;

	if (blob->cert_len > UINT32_MAX || blob->key_len > UINT32_MAX)
		return -EINVAL;
	ret = gnutls_x509_crt_list_import2(&crts, &count, &cert,
					   GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0)
		ret = gnutls_x509_crt_list_import2(&crts, &count, &cert,
						   GNUTLS_X509_FMT_DER, 0);
	if (ret < 0)
		goto out;
	ret = gnutls_x509_privkey_init(&priv);
	if (ret < 0)
		goto out;
	ret = gnutls_x509_privkey_import2(priv, &key, GNUTLS_X509_FMT_PEM,
					  NULL, 0);
	if (ret < 0)
		ret = gnutls_x509_privkey_import2(priv, &key,
						  GNUTLS_X509_FMT_DER, NULL, 0);
	if (ret >= 0 && (!count || !key_matches(crts[0], priv)))
		ret = GNUTLS_E_CERTIFICATE_KEY_MISMATCH;
	if (ret >= 0)
		ret = gnutls_certificate_set_x509_key(cred, crts, count, priv);
out:
	if (priv)
		gnutls_x509_privkey_deinit(priv);
	for (i = 0; i < count; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	if (ret == GNUTLS_E_MEMORY_ERROR)
		return -ENOMEM;
	return ret < 0 ? -EINVAL : 0;
}

/* The subjectPublicKey of @cred's first certificate. */
static int cred_public_key(gnutls_certificate_credentials_t cred,
			   struct bytes *out)
{
	gnutls_x509_crt_t *crts = NULL;
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t der = { NULL, 0 };
	unsigned int count = 0, i;
	int err = -EINVAL;

	if (gnutls_certificate_get_x509_crt(cred, 0, &crts, &count) < 0 ||
	    !count)
		return -EINVAL;
	if (gnutls_pubkey_init(&key) < 0) {
		err = -ENOMEM;
		goto out;
	}
	if (gnutls_pubkey_import_x509(key, crts[0], 0) >= 0 &&
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &der) >= 0)
		err = spki_subject_public_key(der.data, der.size, out);
out:
	gnutls_free(der.data);
	if (key)
		gnutls_pubkey_deinit(key);
	for (i = 0; i < count; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	return err;
}

struct tls_server_identity *
tls_server_identity_from_blob(const struct tls_identity_blob *blob,
			      struct bytes *public_key)
{
	struct tls_server_identity *id = calloc(1, sizeof(*id));
	int err = -ENOMEM;

	if (!id)
		goto fail;
	if (gnutls_certificate_allocate_credentials(&id->cred) < 0) {
		free(id);
		id = NULL;
		goto fail;
	}
	id->no_tickets = true;
	err = cred_add_blob(id->cred, blob);
	if (!err)
		err = cred_public_key(id->cred, public_key);
	if (!err)
		return id;
	tls_server_identity_free(id);
fail:
	errno = -err;
	return NULL;
}

int tls_conn_set_client_identity(struct tls_conn *c,
				 const struct tls_identity_blob *blob)
{
	if (c->role != TLS_CLIENT || !c->client_cred)
		return -EINVAL;
	return cred_add_blob(c->client_cred, blob);
}

void tls_server_identity_free(struct tls_server_identity *id)
{
	if (!id)
		return;
	gnutls_certificate_free_credentials(id->cred);
	free(id);
}

/* TLS 1.3: the secret that opens the server's handshake records */
static int conn_keylog(gnutls_session_t session, const char *label,
		       const gnutls_datum_t *secret)
{
	struct tls_conn *c = gnutls_transport_get_ptr(session);

	if (c && !strcmp(label, "SERVER_HANDSHAKE_TRAFFIC_SECRET") &&
	    secret->size <= sizeof(c->server_hs_secret)) {
		memcpy(c->server_hs_secret, secret->data, secret->size);
		c->server_hs_secret_len = secret->size;
	}
	return 0;
}

/* A DNS name for SNI: not empty, not an address literal. */
static bool sni_name(const char *name)
{
	unsigned char addr[16];

	return name && name[0] && strlen(name) < 256 &&
	       inet_pton(AF_INET, name, addr) != 1 &&
	       inet_pton(AF_INET6, name, addr) != 1 &&
	       !strpbrk(name, "/\\ :");
}

struct tls_conn *tls_conn_new(enum tls_role role,
			      const struct tls_server_identity *id,
			      const char *server_name)
{
	struct tls_conn *c = calloc(1, sizeof(*c));
	const char *err_pos;
	int ret;

	if (!c)
		return NULL;
	c->role = role;
	if (role == TLS_SERVER) {
		pthread_once(&ticket_once, ticket_key_init);
		if (!id || ticket_err < 0)
			goto fail_free;
	}
	ret = gnutls_init(&c->session, (role == TLS_SERVER ? GNUTLS_SERVER :
					GNUTLS_CLIENT) | GNUTLS_NONBLOCK |
			  GNUTLS_NO_SIGNAL);
	if (ret < 0)
		goto fail_free;
	ret = gnutls_priority_set_direct(c->session, TLS_PRIORITIES, &err_pos);
	if (ret < 0) {
		log_error("credssp: TLS priorities refused at \"%s\": %s",
			  err_pos ? err_pos : "?", gnutls_strerror(ret));
		goto fail;
	}
	if (role == TLS_SERVER) {
		ret = gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE,
					     id->cred);
		if (ret >= 0 && !id->no_tickets)
			ret = gnutls_session_ticket_enable_server(c->session,
								  &ticket_key);
	} else {
		/*
		 * No trust anchors and no verification: CredSSP binds the
		 * server's public key through pubKeyAuth instead
		 * (ISC_REQ_MANUAL_CRED_VALIDATION).
		 */
		c->finder = cert_request_finder_new();
		if (!c->finder)
			goto fail;
		gnutls_session_set_keylog_function(c->session, conn_keylog);
		ret = gnutls_certificate_allocate_credentials(&c->client_cred);
		if (ret >= 0)
			ret = gnutls_credentials_set(c->session,
						     GNUTLS_CRD_CERTIFICATE,
						     c->client_cred);
		if (ret >= 0 && sni_name(server_name))
			ret = gnutls_server_name_set(c->session,
						     GNUTLS_NAME_DNS,
						     server_name,
						     strlen(server_name));
	}
	if (ret < 0)
		goto fail;
	gnutls_transport_set_ptr(c->session, c);
	gnutls_transport_set_push_function(c->session, conn_push);
	gnutls_transport_set_pull_function(c->session, conn_pull);
	gnutls_transport_set_pull_timeout_function(c->session,
						   conn_pull_timeout);
	return c;

fail:
	gnutls_deinit(c->session);
	if (c->client_cred)
		gnutls_certificate_free_credentials(c->client_cred);
fail_free:
	free(c);
	return NULL;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	cert_request_finder_free(c->finder);
	/* gnutls_deinit() wipes the session's keys. */
	gnutls_deinit(c->session);
	if (c->client_cred)
		gnutls_certificate_free_credentials(c->client_cred);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/*
 * Sets up the leg's input: the whole records of @in, or only the first of
 * them when @one_record.  TLS_INCOMPLETE when @in ends inside the first
 * record, TLS_OK otherwise.
 */
static enum tls_result conn_feed(struct tls_conn *c, const uint8_t *in,
				 size_t len, bool one_record, size_t *missing,
				 struct bytes *out)
{
	size_t whole, first;

	c->in = in;
	c->in_pos = 0;
	c->out = out;
	c->out_failed = false;
	if (!tls_frame(in, len, &whole, missing) && whole == 0)
		return TLS_INCOMPLETE;
	/* Whole records before a partial one are used now. */
	*missing = 0;
	if (one_record && whole >= TLS_HEADER_LEN) {
		/* A real header (or garbage GnuTLS refuses however cut) */
		first = TLS_HEADER_LEN + ((size_t)in[3] << 8 | in[4]);
		if (first < whole)
			whole = first;
	}
	c->in_len = whole;
	return TLS_OK;
}

static void conn_done_feeding(struct tls_conn *c, size_t *consumed)
{
	*consumed = c->in_pos;
	c->in = NULL;
	c->in_len = 0;
	c->in_pos = 0;
	c->out = NULL;
}

/* A fatal error: tell the peer, if GnuTLS knows how, and fail. */
static enum tls_result conn_fail(struct tls_conn *c, int ret)
{
	log_info("credssp: TLS %s failed: %s",
		 c->handshake_done ? "record" : "handshake",
		 gnutls_strerror(ret));
	if (!c->out_failed)
		gnutls_alert_send_appropriate(c->session, ret);
	return TLS_FAILED;
}

enum tls_result tls_conn_handshake(struct tls_conn *c, const uint8_t *in,
				   size_t len, size_t *consumed,
				   size_t *missing, struct bytes *out)
{
	enum tls_result result;
	int ret;

	*consumed = 0;
	*missing = 0;
	if (c->handshake_done || c->exported)
		return TLS_FAILED;
	result = conn_feed(c, in, len, false, missing, out);
	if (result != TLS_OK)
		return result;
	do {
		ret = gnutls_handshake(c->session);
	} while (ret < 0 && ret != GNUTLS_E_AGAIN &&
		 !gnutls_error_is_fatal(ret));

	if (ret == GNUTLS_E_SUCCESS) {
		c->handshake_done = true;
		result = TLS_OK;
	} else if (ret == GNUTLS_E_AGAIN && !c->out_failed) {
		result = TLS_NEED_MORE;
	} else {
		result = conn_fail(c, ret);
	}
	conn_done_feeding(c, consumed);
	return result;
}

enum tls_result tls_conn_send(struct tls_conn *c, const uint8_t *data,
			      size_t len, struct bytes *out)
{
	size_t done = 0;

	if (!c->handshake_done || c->exported)
		return TLS_FAILED;
	c->out = out;
	c->out_failed = false;
	while (done < len) {
		ssize_t n = gnutls_record_send(c->session, data + done,
					       len - done);

		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n < 0 || c->out_failed) {
			c->out = NULL;
			return TLS_FAILED;
		}
		done += (size_t)n;
	}
	c->out = NULL;
	return TLS_OK;
}

static enum tls_result conn_recv(struct tls_conn *c, const uint8_t *in,
				 size_t len, bool one_record, size_t *consumed,
				 size_t *missing, struct bytes *plain,
				 struct bytes *out)
{
	uint8_t buf[TLS_MAX_FRAGMENT];
	enum tls_result result;

	*consumed = 0;
	*missing = 0;
	if (!c->handshake_done || c->exported)
		return TLS_FAILED;
	result = conn_feed(c, in, len, one_record, missing, out);
	if (result != TLS_OK)
		return result;
	for (;;) {
		ssize_t n = gnutls_record_recv(c->session, buf, sizeof(buf));

		if (n > 0) {
			if (bytes_append(plain, buf, (size_t)n)) {
				result = TLS_FAILED;
				break;
			}
			continue;
		}
		if (n == GNUTLS_E_AGAIN && c->in_pos == c->in_len)
			break;
		if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN)
			continue;
		/* 0 is close_notify: the peer ended the session. */
		result = n == 0 ? TLS_FAILED : conn_fail(c, (int)n);
		break;
	}
	if (c->out_failed)
		result = TLS_FAILED;
	explicit_bzero(buf, sizeof(buf));
	conn_done_feeding(c, consumed);
	return result;
}

enum tls_result tls_conn_recv(struct tls_conn *c, const uint8_t *in,
			      size_t len, size_t *consumed, size_t *missing,
			      struct bytes *plain, struct bytes *out)
{
	return conn_recv(c, in, len, false, consumed, missing, plain, out);
}

enum tls_result tls_conn_recv_record(struct tls_conn *c, const uint8_t *in,
				     size_t len, size_t *consumed,
				     size_t *missing, struct bytes *plain,
				     struct bytes *out)
{
	return conn_recv(c, in, len, true, consumed, missing, plain, out);
}

int tls_conn_server_spki(const struct tls_conn *c, struct bytes *spki)
{
	const gnutls_datum_t *cert;
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t der = { NULL, 0 };
	unsigned int count = 0;
	int err = -ENOENT;

	if (c->role == TLS_CLIENT) {
		cert = gnutls_certificate_get_peers(c->session, &count);
		if (!cert || !count)
			return -ENOENT;
	} else {
		cert = gnutls_certificate_get_ours(c->session);
		if (!cert)
			return -ENOENT;
	}
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&key) < 0) {
		err = -ENOMEM;
		goto out;
	}
	if (gnutls_x509_crt_import(crt, cert, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_pubkey_import_x509(key, crt, 0) < 0 ||
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	err = bytes_append(spki, der.data, der.size) ? -ENOMEM : 0;
out:
	gnutls_free(der.data);
	if (key)
		gnutls_pubkey_deinit(key);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return err;
}

static int export_dir(gnutls_session_t s, bool read, size_t iv_len,
		      size_t key_len, struct ksspi_tls_state *st)
{
	gnutls_datum_t mac = { 0 }, iv = { 0 }, key = { 0 };
	unsigned char seq[8];
	uint64_t seq_be;

	if (gnutls_record_get_state(s, read, &mac, &iv, &key, seq) < 0)
		return -EINVAL;
	if (key.size != key_len)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	memcpy(st->key, key.data, key.size);
	/*
	 * GnuTLS keeps the 4-byte implicit salt of TLS 1.2's AES-GCM and the
	 * whole 12-byte IV otherwise: the layout of struct ksspi_tls_state.
	 */
	if (iv.size != iv_len)
		return -EINVAL;
	memcpy(st->iv, iv.data, iv.size);
	memcpy(&seq_be, seq, sizeof(seq_be));
	st->seq = htole64(be64toh(seq_be));
	return 0;
}

int tls_conn_export(struct tls_conn *c, struct tls_record_state *st)
{
	gnutls_cipher_algorithm_t cipher;
	gnutls_protocol_t proto;
	size_t key_len, iv_len;
	int err;

	memset(st, 0, sizeof(*st));
	if (!c->handshake_done)
		return -EINVAL;
	proto = gnutls_protocol_get_version(c->session);
	cipher = gnutls_cipher_get(c->session);
	switch (proto) {
	case GNUTLS_TLS1_2:
		st->version = 0x0303;
		break;
	case GNUTLS_TLS1_3:
		st->version = 0x0304;
		break;
	default:
		return -EINVAL;
	}
	switch (cipher) {
	case GNUTLS_CIPHER_AES_128_GCM:
		st->cipher = KSSPI_TLS_CIPHER_AES_GCM_128;
		key_len = 16;
		break;
	case GNUTLS_CIPHER_AES_256_GCM:
		st->cipher = KSSPI_TLS_CIPHER_AES_GCM_256;
		key_len = 32;
		break;
	case GNUTLS_CIPHER_CHACHA20_POLY1305:
		st->cipher = KSSPI_TLS_CIPHER_CHACHA20_POLY1305;
		key_len = 32;
		break;
	default:
		return -EINVAL;
	}
	/* Only TLS 1.2's AES-GCM has an explicit nonce and a 4-byte salt. */
	iv_len = st->version == 0x0303 &&
		 st->cipher != KSSPI_TLS_CIPHER_CHACHA20_POLY1305 ? 4 : 12;
	err = export_dir(c->session, false, iv_len, key_len, &st->tx);
	if (!err)
		err = export_dir(c->session, true, iv_len, key_len, &st->rx);
	if (err) {
		explicit_bzero(st, sizeof(*st));
		return err;
	}
	c->exported = true;
	return 0;
}

bool tls_conn_resumed(const struct tls_conn *c)
{
	return gnutls_session_is_resumed(c->session) != 0;
}

int tls_conn_set_session(struct tls_conn *c, const uint8_t *data,
			 size_t len)
{
	if (c->role != TLS_CLIENT || c->handshake_done)
		return -EINVAL;
	return gnutls_session_set_data(c->session, data, len) < 0 ? -EINVAL :
									0;
}

int tls_conn_get_session(const struct tls_conn *c, struct bytes *out)
{
	gnutls_datum_t data = { NULL, 0 };
	int err;

	if (c->role != TLS_CLIENT || !c->handshake_done)
		return -EINVAL;
	if (gnutls_session_get_data2(c->session, &data) < 0 || !data.size) {
		gnutls_free(data.data);
		return -ENOENT;
	}
	err = bytes_append(out, data.data, data.size) ? -ENOMEM : 0;
	explicit_bzero(data.data, data.size);
	gnutls_free(data.data);
	return err;
}

int tls_conn_find_certificate_request(struct tls_conn *c, const uint8_t *in,
				      size_t len, size_t *fed,
				      struct bytes *issuers, struct bytes *out)
{
	size_t whole, missing, used, consumed;
	enum cert_request_result r;
	int err;

	*fed = 0;
	if (c->role != TLS_CLIENT || c->handshake_done)
		return 0;
	tls_frame(in, len, &whole, &missing);
	if (whole > len)
		whole = len;
	r = cert_request_scan(c->finder, in, whole, &used, issuers);
	if (r == CERT_REQUEST_NEED_KEY) {
		/* GnuTLS takes the ServerHello: the secret comes out */
		if (tls_conn_handshake(c, in, used, &consumed, &missing,
				       out) != TLS_NEED_MORE ||
		    consumed != used)
			return -EPROTO;
		*fed = used;
		err = cert_request_set_key(c->finder,
					   gnutls_cipher_get(c->session),
					   gnutls_prf_hash_get(c->session),
					   c->server_hs_secret,
					   c->server_hs_secret_len);
		explicit_bzero(c->server_hs_secret,
			       sizeof(c->server_hs_secret));
		if (err)
			return 0;
		r = cert_request_scan(c->finder, in + used, whole - used,
				      &consumed, issuers);
	}
	return r == CERT_REQUEST_FOUND ? 1 : 0;
}

/*
 * During the server's handshake, when the client answered a certificate
 * request: a certificate sent must chain to a trusted CA, or the handshake
 * fails with an alert; none sent is the caller's to judge.
 */
static int verify_client_certificate(gnutls_session_t session)
{
	struct tls_conn *c = gnutls_transport_get_ptr(session);
	unsigned int count = 0, status = 0;

	if (!gnutls_certificate_get_peers(session, &count) || !count)
		return 0;
	if (gnutls_certificate_verify_peers2(session, &status) >= 0 &&
	    !status)
		return 0;
	if (c)
		c->peer_certificate_rejected = true;
	return GNUTLS_E_CERTIFICATE_ERROR;
}

int tls_server_identity_trust(struct tls_server_identity *id,
			      const char *ca_file)
{
	int ret = gnutls_certificate_set_x509_trust_file(id->cred, ca_file,
							 GNUTLS_X509_FMT_PEM);

	if (ret <= 0) {
		log_error("credssp: no CA certificate in %s: %s", ca_file,
			  ret < 0 ? gnutls_strerror(ret) : "empty");
		return -EINVAL;
	}
	gnutls_certificate_set_verify_function(id->cred,
					       verify_client_certificate);
	return 0;
}

void tls_conn_request_client_certificate(struct tls_conn *c)
{
	if (c->role == TLS_SERVER)
		gnutls_certificate_server_set_request(c->session,
						      GNUTLS_CERT_REQUEST);
}

bool tls_conn_peer_certificate(const struct tls_conn *c)
{
	unsigned int count = 0;

	return c->handshake_done &&
	       gnutls_certificate_get_peers(c->session, &count) && count;
}

bool tls_conn_peer_certificate_rejected(const struct tls_conn *c)
{
	return c->peer_certificate_rejected;
}
