// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CredSSP's TLS over memory (credssp/tls.h): handshakes against plain
 * GnuTLS peers that insist on one version and cipher each, the record
 * state export checked against the peer's own state, framing (partial and
 * surplus input), garbage, the server's public key, and resumption.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "credssp/tls.h"
#include "credssp/tsrequest.h"
#include "tap.h"

static char cert_path[64], key_path[64];
static struct tls_server_identity *identity;

/* A self-signed ECDSA P-256 server certificate in PEM files. */
static int make_identity(void)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	unsigned char serial = 1;
	FILE *f;
	int ret = -1;
	int fd;

	snprintf(cert_path, sizeof(cert_path), "/tmp/ksspi-tls-crt.XXXXXX");
	snprintf(key_path, sizeof(key_path), "/tmp/ksspi-tls-key.XXXXXX");
	fd = mkstemp(cert_path);
	if (fd >= 0)
		close(fd);
	fd = mkstemp(key_path);
	if (fd >= 0)
		close(fd);
	if (gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
					 0) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, &serial, 1) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 86400) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  "localhost", 9) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		goto out;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem) < 0)
		goto out;
	f = fopen(cert_path, "w");
	if (!f || fwrite(pem.data, 1, pem.size, f) != pem.size) {
		if (f)
			fclose(f);
		goto out;
	}
	fclose(f);
	gnutls_free(pem.data);
	pem.data = NULL;
	if (gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem) < 0)
		goto out;
	f = fopen(key_path, "w");
	if (!f || fwrite(pem.data, 1, pem.size, f) != pem.size) {
		if (f)
			fclose(f);
		goto out;
	}
	fclose(f);
	identity = tls_server_identity_load(cert_path, key_path);
	ret = identity ? 0 : -1;
out:
	gnutls_free(pem.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return ret;
}

/* ---- a plain GnuTLS peer over a memory pipe ---- */

struct peer {
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	struct bytes in;	/* what we sent it, not yet read */
	size_t in_pos;
	struct bytes out;	/* what it sent */
};

static ssize_t peer_push(gnutls_transport_ptr_t p, const void *d, size_t n)
{
	struct peer *peer = p;

	return bytes_append(&peer->out, d, n) ? -1 : (ssize_t)n;
}

static ssize_t peer_pull(gnutls_transport_ptr_t p, void *d, size_t n)
{
	struct peer *peer = p;
	size_t left = peer->in.len - peer->in_pos;

	if (!left) {
		gnutls_transport_set_errno(peer->s, EAGAIN);
		return -1;
	}
	if (n > left)
		n = left;
	memcpy(d, peer->in.data + peer->in_pos, n);
	peer->in_pos += n;
	return (ssize_t)n;
}

static int peer_pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct peer *peer = p;

	(void)ms;
	return peer->in_pos < peer->in.len;
}

static int peer_init(struct peer *peer, bool server, const char *prio)
{
	memset(peer, 0, sizeof(*peer));
	if (gnutls_init(&peer->s, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) |
			GNUTLS_NONBLOCK) < 0 ||
	    gnutls_priority_set_direct(peer->s, prio, NULL) < 0 ||
	    gnutls_certificate_allocate_credentials(&peer->cred) < 0)
		return -1;
	if (server && gnutls_certificate_set_x509_key_file2(
			peer->cred, cert_path, key_path, GNUTLS_X509_FMT_PEM,
			NULL, 0) < 0)
		return -1;
	if (gnutls_credentials_set(peer->s, GNUTLS_CRD_CERTIFICATE,
				   peer->cred) < 0)
		return -1;
	gnutls_transport_set_ptr(peer->s, peer);
	gnutls_transport_set_push_function(peer->s, peer_push);
	gnutls_transport_set_pull_function(peer->s, peer_pull);
	gnutls_transport_set_pull_timeout_function(peer->s, peer_pull_timeout);
	return 0;
}

static void peer_free(struct peer *peer)
{
	gnutls_deinit(peer->s);
	gnutls_certificate_free_credentials(peer->cred);
	bytes_free(&peer->in);
	bytes_free(&peer->out);
}

static void peer_give(struct peer *peer, const struct bytes *b)
{
	bytes_append(&peer->in, b->data, b->len);
}

/* gnutls_record_recv() returns EAGAIN after a session ticket: go on. */
static ssize_t peer_recv(struct peer *peer, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = gnutls_record_recv(peer->s, buf, len);
	} while (n == GNUTLS_E_AGAIN && peer->in_pos < peer->in.len);
	return n;
}

/* Runs our connection against the peer until both have finished. */
static int handshake_with_peer(struct tls_conn *c, struct peer *peer,
			       bool we_start)
{
	struct bytes out = { 0 };
	bool ours_done = false, peer_done = false;
	int rounds, ret;

	if (we_start) {
		size_t consumed, missing;

		if (tls_conn_handshake(c, NULL, 0, &consumed, &missing,
				       &out) != TLS_NEED_MORE)
			return -1;
		peer_give(peer, &out);
		bytes_free(&out);
	}
	for (rounds = 0; rounds < 10 && !(ours_done && peer_done); rounds++) {
		size_t consumed, missing;
		enum tls_result r;

		if (!peer_done) {
			ret = gnutls_handshake(peer->s);
			if (ret == 0)
				peer_done = true;
			else if (ret != GNUTLS_E_AGAIN)
				return -1;
		}
		if (!ours_done && peer->out.len) {
			r = tls_conn_handshake(c, peer->out.data,
					       peer->out.len, &consumed,
					       &missing, &out);
			if (r == TLS_FAILED || consumed != peer->out.len)
				return -1;
			ours_done = r == TLS_OK;
			bytes_free(&peer->out);
			peer_give(peer, &out);
			bytes_free(&out);
		}
	}
	return ours_done && peer_done ? 0 : -1;
}

/* Our export equals the peer's own state, the directions crossed. */
static void check_export(struct tls_conn *c, struct peer *peer,
			 uint16_t version, uint16_t cipher)
{
	gnutls_datum_t mac, iv, key;
	struct tls_record_state st;
	unsigned char seq[8];
	uint64_t seq_be;

	CHECK_EQ(tls_conn_export(c, &st), 0);
	CHECK_EQ(st.version, version);
	CHECK_EQ(st.cipher, cipher);
	/* What we send, the peer reads. */
	CHECK_EQ(gnutls_record_get_state(peer->s, 1, &mac, &iv, &key, seq), 0);
	CHECK(memcmp(st.tx.key, key.data, key.size) == 0);
	CHECK(memcmp(st.tx.iv, iv.data, iv.size) == 0);
	CHECK_EQ(iv.size, version == 0x0303 &&
			  cipher != KSSPI_TLS_CIPHER_CHACHA20_POLY1305 ? 4 : 12);
	memcpy(&seq_be, seq, 8);
	CHECK_EQ(le64toh(st.tx.seq), be64toh(seq_be));
	CHECK_EQ(gnutls_record_get_state(peer->s, 0, &mac, &iv, &key, seq), 0);
	CHECK(memcmp(st.rx.key, key.data, key.size) == 0);
	CHECK(memcmp(st.rx.iv, iv.data, iv.size) == 0);
	memcpy(&seq_be, seq, 8);
	CHECK_EQ(le64toh(st.rx.seq), be64toh(seq_be));
	/* After the export the connection protects nothing more. */
	struct bytes out = { 0 };

	CHECK_EQ(tls_conn_send(c, (const uint8_t *)"x", 1, &out), TLS_FAILED);
	bytes_free(&out);
}

static const struct {
	const char *prio;
	uint16_t version;
	uint16_t cipher;
} variants[] = {
	{ "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM",
	  0x0304, KSSPI_TLS_CIPHER_AES_GCM_128 },
	{ "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM",
	  0x0304, KSSPI_TLS_CIPHER_AES_GCM_256 },
	{ "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305",
	  0x0304, KSSPI_TLS_CIPHER_CHACHA20_POLY1305 },
	{ "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM",
	  0x0303, KSSPI_TLS_CIPHER_AES_GCM_128 },
	{ "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM",
	  0x0303, KSSPI_TLS_CIPHER_AES_GCM_256 },
	{ "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305",
	  0x0303, KSSPI_TLS_CIPHER_CHACHA20_POLY1305 },
};

/* Application data both ways, then the export. */
static void exchange_and_export(struct tls_conn *c, struct peer *peer,
				uint16_t version, uint16_t cipher)
{
	struct bytes out = { 0 }, plain = { 0 };
	size_t consumed, missing;
	uint8_t buf[64];
	ssize_t n;

	CHECK_EQ(tls_conn_send(c, (const uint8_t *)"ping", 4, &out), TLS_OK);
	peer_give(peer, &out);
	bytes_free(&out);
	n = peer_recv(peer, buf, sizeof(buf));
	CHECK(n == 4 && memcmp(buf, "ping", 4) == 0);
	CHECK_EQ(gnutls_record_send(peer->s, "pong", 4), 4);
	CHECK_EQ(tls_conn_recv(c, peer->out.data, peer->out.len, &consumed,
			       &missing, &plain, &out), TLS_OK);
	CHECK_EQ(out.len, 0);
	CHECK_EQ(consumed, peer->out.len);
	CHECK(plain.len == 4 && memcmp(plain.data, "pong", 4) == 0);
	bytes_free(&peer->out);
	bytes_free(&plain);
	check_export(c, peer, version, cipher);
}

static void test_versions_and_ciphers(void)
{
	size_t i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct tls_conn *c;
		struct peer peer;

		/* We serve a client that allows only this pair. */
		CHECK_EQ(peer_init(&peer, false, variants[i].prio), 0);
		c = tls_conn_new(TLS_SERVER, identity, NULL);
		CHECK(c != NULL);
		if (c && handshake_with_peer(c, &peer, false) == 0)
			exchange_and_export(c, &peer, variants[i].version,
					    variants[i].cipher);
		else
			CHECK(!"server handshake");
		tls_conn_free(c);
		peer_free(&peer);

		/* We are the client of a server that allows only this pair. */
		CHECK_EQ(peer_init(&peer, true, variants[i].prio), 0);
		c = tls_conn_new(TLS_CLIENT, NULL, "localhost");
		CHECK(c != NULL);
		if (c && handshake_with_peer(c, &peer, true) == 0)
			exchange_and_export(c, &peer, variants[i].version,
					    variants[i].cipher);
		else
			CHECK(!"client handshake");
		tls_conn_free(c);
		peer_free(&peer);
	}
}

/* A server that offers only CBC suites: no suite kTLS carries. */
static void test_unsupported_suite_refused(void)
{
	struct peer peer;
	struct tls_conn *c = tls_conn_new(TLS_CLIENT, NULL, NULL);

	CHECK_EQ(peer_init(&peer, true, "NORMAL:-VERS-ALL:+VERS-TLS1.2:"
			   "-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA256"), 0);
	CHECK(c && handshake_with_peer(c, &peer, true) != 0);
	tls_conn_free(c);
	peer_free(&peer);
}

/* Our client against our server, the tokens passed as the caller would. */
static int pair_handshake(struct tls_conn *cl, struct tls_conn *sv,
			  struct bytes *first_server_flight)
{
	struct bytes a = { 0 }, b = { 0 };
	size_t consumed, missing;
	enum tls_result rc = TLS_NEED_MORE, rs = TLS_NEED_MORE;
	int rounds;

	rc = tls_conn_handshake(cl, NULL, 0, &consumed, &missing, &a);
	for (rounds = 0; rounds < 6 && (rc != TLS_OK || rs != TLS_OK);
	     rounds++) {
		if (rs != TLS_OK) {
			rs = tls_conn_handshake(sv, a.data, a.len, &consumed,
						&missing, &b);
			if (rs == TLS_FAILED || rs == TLS_INCOMPLETE)
				return -1;
			if (first_server_flight && !first_server_flight->len)
				bytes_append(first_server_flight, b.data,
					     b.len);
		}
		bytes_free(&a);
		if (rc != TLS_OK) {
			struct bytes plain = { 0 };
			size_t used;

			rc = tls_conn_handshake(cl, b.data, b.len, &consumed,
						&missing, &a);
			if (rc == TLS_FAILED || rc == TLS_INCOMPLETE)
				return -1;
			/* What follows the handshake: the server's tickets */
			if (rc == TLS_OK && consumed < b.len &&
			    (tls_conn_recv(cl, b.data + consumed,
					   b.len - consumed, &used, &missing,
					   &plain, &a) != TLS_OK ||
			     plain.len || consumed + used != b.len))
				return -1;
			bytes_free(&plain);
		}
		bytes_free(&b);
	}
	bytes_free(&a);
	bytes_free(&b);
	return rc == TLS_OK && rs == TLS_OK ? 0 : -1;
}

static void test_partial_and_surplus(void)
{
	struct tls_conn *cl = tls_conn_new(TLS_CLIENT, NULL, NULL);
	struct tls_conn *sv = tls_conn_new(TLS_SERVER, identity, NULL);
	struct bytes hello = { 0 }, flight = { 0 }, data = { 0 };
	struct bytes plain = { 0 };
	size_t consumed, missing, i;

	CHECK_EQ(tls_conn_handshake(cl, NULL, 0, &consumed, &missing, &hello),
		 TLS_NEED_MORE);
	/* Every cut of the ClientHello: incomplete, nothing used. */
	for (i = 1; i < hello.len; i += 7) {
		CHECK_EQ(tls_conn_handshake(sv, hello.data, i, &consumed,
					    &missing, &flight),
			 TLS_INCOMPLETE);
		CHECK_EQ(consumed, 0);
		CHECK_EQ(missing, i < 5 ? 5 - i : hello.len - i);
		CHECK_EQ(flight.len, 0);
	}
	/* The whole of it still works after all that. */
	CHECK_EQ(tls_conn_handshake(sv, hello.data, hello.len, &consumed,
				    &missing, &flight), TLS_NEED_MORE);
	CHECK_EQ(consumed, hello.len);
	bytes_free(&hello);
	CHECK_EQ(tls_conn_handshake(cl, flight.data, flight.len, &consumed,
				    &missing, &hello), TLS_OK);
	/* A TLS 1.3 server's tickets follow its Finished: left over. */
	CHECK(consumed < flight.len);
	CHECK_EQ(tls_conn_recv(cl, flight.data + consumed, flight.len - consumed,
			       &i, &missing, &plain, &hello), TLS_OK);
	CHECK_EQ(consumed + i, flight.len);
	CHECK_EQ(plain.len, 0);
	bytes_free(&flight);
	/* The client's Finished and its first data in one input. */
	CHECK_EQ(tls_conn_send(cl, (const uint8_t *)"after", 5, &hello),
		 TLS_OK);
	CHECK_EQ(tls_conn_handshake(sv, hello.data, hello.len, &consumed,
				    &missing, &flight), TLS_OK);
	CHECK(consumed < hello.len);
	CHECK_EQ(tls_conn_recv(sv, hello.data + consumed, hello.len - consumed,
			       &i, &missing, &plain, &data), TLS_OK);
	CHECK(plain.len == 5 && memcmp(plain.data, "after", 5) == 0);
	CHECK_EQ(consumed + i, hello.len);
	bytes_free(&plain);
	bytes_free(&hello);

	/* Two records and half a third: all but the half are used. */
	CHECK_EQ(tls_conn_send(sv, (const uint8_t *)"one", 3, &data), TLS_OK);
	CHECK_EQ(tls_conn_send(sv, (const uint8_t *)"two", 3, &data), TLS_OK);
	i = data.len;
	CHECK_EQ(tls_conn_send(sv, (const uint8_t *)"three", 5, &data), TLS_OK);
	CHECK_EQ(tls_conn_recv(cl, data.data, i + 4, &consumed, &missing,
			       &plain, &hello), TLS_OK);
	CHECK_EQ(consumed, i);
	CHECK(plain.len == 6 && memcmp(plain.data, "onetwo", 6) == 0);
	/* Only the partial third: incomplete. */
	CHECK_EQ(tls_conn_recv(cl, data.data + i, 4, &consumed, &missing,
			       &plain, &hello), TLS_INCOMPLETE);
	CHECK_EQ(missing, 1);	/* the rest of the header, first */
	CHECK_EQ(tls_conn_recv(cl, data.data + i, 7, &consumed, &missing,
			       &plain, &hello), TLS_INCOMPLETE);
	CHECK_EQ(missing, data.len - i - 7);
	CHECK_EQ(tls_conn_recv(cl, data.data + i, data.len - i, &consumed,
			       &missing, &plain, &hello), TLS_OK);
	CHECK_EQ(hello.len, 0);
	bytes_free(&hello);
	CHECK(plain.len == 11 && memcmp(plain.data + 6, "three", 5) == 0);
	bytes_free(&plain);
	bytes_free(&data);

	/* One record at a time: the next stays sealed, then opens. */
	CHECK_EQ(tls_conn_send(sv, (const uint8_t *)"four", 4, &data), TLS_OK);
	i = data.len;
	CHECK_EQ(tls_conn_send(sv, (const uint8_t *)"five", 4, &data), TLS_OK);
	CHECK_EQ(tls_conn_recv_record(cl, data.data, data.len, &consumed,
				      &missing, &plain, &hello), TLS_OK);
	CHECK_EQ(consumed, i);
	CHECK(plain.len == 4 && memcmp(plain.data, "four", 4) == 0);
	CHECK_EQ(tls_conn_recv_record(cl, data.data + i, 3, &consumed,
				      &missing, &plain, &hello),
		 TLS_INCOMPLETE);
	CHECK_EQ(missing, 2);
	CHECK_EQ(tls_conn_recv_record(cl, data.data + i, data.len - i,
				      &consumed, &missing, &plain, &hello),
		 TLS_OK);
	CHECK_EQ(consumed, data.len - i);
	CHECK(plain.len == 8 && memcmp(plain.data + 4, "five", 4) == 0);
	CHECK_EQ(hello.len, 0);

	bytes_free(&plain);
	bytes_free(&data);
	bytes_free(&flight);
	tls_conn_free(cl);
	tls_conn_free(sv);
}

static void test_garbage_refused(void)
{
	static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	/* Application data before any handshake */
	static const uint8_t bad_record[] = { 23, 3, 3, 0, 4, 1, 2, 3, 4 };
	struct tls_conn *sv = tls_conn_new(TLS_SERVER, identity, NULL);
	struct bytes out = { 0 };
	size_t consumed, missing;

	CHECK_EQ(tls_conn_handshake(sv, junk, sizeof(junk) - 1, &consumed,
				    &missing, &out), TLS_FAILED);
	tls_conn_free(sv);
	bytes_free(&out);

	sv = tls_conn_new(TLS_SERVER, identity, NULL);
	CHECK_EQ(tls_conn_handshake(sv, bad_record, sizeof(bad_record),
				    &consumed, &missing, &out), TLS_FAILED);
	/* An alert for the peer: content type 21. */
	CHECK(out.len >= 7 && out.data[0] == 21);
	bytes_free(&out);
	tls_conn_free(sv);
}

static void test_spki_and_resumption(void)
{
	struct tls_conn *cl = tls_conn_new(TLS_CLIENT, NULL, "localhost");
	struct tls_conn *sv = tls_conn_new(TLS_SERVER, identity, NULL);
	struct bytes a = { 0 }, b = { 0 }, session = { 0 }, plain = { 0 };
	struct bytes full = { 0 }, resumed = { 0 };
	size_t consumed, missing;

	CHECK_EQ(pair_handshake(cl, sv, &full), 0);
	CHECK_EQ(tls_conn_server_spki(cl, &a), 0);
	CHECK_EQ(tls_conn_server_spki(sv, &b), 0);
	CHECK(a.len > 60 && a.len == b.len && memcmp(a.data, b.data,
						       a.len) == 0);
	CHECK(!tls_conn_resumed(cl));
	bytes_free(&a);
	bytes_free(&b);
	/* Data from the server brings the TLS 1.3 ticket along. */
	CHECK_EQ(tls_conn_send(sv, (const uint8_t *)"hi", 2, &a), TLS_OK);
	CHECK_EQ(tls_conn_recv(cl, a.data, a.len, &consumed, &missing, &plain,
			       &b), TLS_OK);
	CHECK(plain.len == 2 && memcmp(plain.data, "hi", 2) == 0);
	bytes_free(&a);
	CHECK_EQ(tls_conn_get_session(cl, &session), 0);
	tls_conn_free(cl);
	tls_conn_free(sv);

	cl = tls_conn_new(TLS_CLIENT, NULL, "localhost");
	sv = tls_conn_new(TLS_SERVER, identity, NULL);
	CHECK_EQ(tls_conn_set_session(cl, session.data, session.len), 0);
	CHECK_EQ(pair_handshake(cl, sv, &resumed), 0);
	CHECK(tls_conn_resumed(cl));
	CHECK(tls_conn_resumed(sv));
	/* No certificate this time: the server's flight is much smaller. */
	CHECK(resumed.len + 200 < full.len);
	tls_conn_free(cl);
	tls_conn_free(sv);
	bytes_free(&session);
	bytes_free(&plain);
	bytes_free(&full);
	bytes_free(&resumed);
}

static void test_framing(void)
{
	static const uint8_t two[] = { 23, 3, 3, 0, 1, 0xaa, 23, 3, 3, 0, 2,
				       0xbb, 0xcc };
	size_t whole, missing;

	CHECK(tls_frame_records(two, sizeof(two), &whole, &missing));
	CHECK_EQ(whole, sizeof(two));
	CHECK(!tls_frame_records(two, 8, &whole, &missing));
	CHECK(whole == 6 && missing == 3);
	CHECK(!tls_frame_records(two, 12, &whole, &missing));
	CHECK(whole == 6 && missing == 1);
	CHECK(!tls_frame_records(two, 2, &whole, &missing));
	CHECK(whole == 0 && missing == 3);
	/* Not a record: the rest is GnuTLS's to refuse. */
	CHECK(tls_frame_records((const uint8_t *)"GET /", 5, &whole,
				&missing));
	CHECK_EQ(whole, 5);
}

/* Reads a whole file into @b. */
static int slurp(const char *path, struct bytes *b)
{
	gnutls_datum_t d = { NULL, 0 };
	int err;

	if (gnutls_load_file(path, &d) < 0)
		return -1;
	err = bytes_append(b, d.data, d.size);
	gnutls_free(d.data);
	return err;
}

/* A keyring identity's payload: le32 length, certificate, key. */
static int identity_payload(const struct bytes *cert, const struct bytes *key,
			    struct bytes *out)
{
	uint8_t len[4] = { (uint8_t)cert->len, (uint8_t)(cert->len >> 8),
			   (uint8_t)(cert->len >> 16),
			   (uint8_t)(cert->len >> 24) };

	return bytes_append(out, len, 4) ||
	       bytes_append(out, cert->data, cert->len) ||
	       bytes_append(out, key->data, key->len);
}

/* The subjectPublicKey of the PEM certificate @cert. */
static int cert_public_key(const struct bytes *cert, struct bytes *out)
{
	gnutls_datum_t pem = { cert->data, (unsigned int)cert->len };
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t key = NULL;
	int err = -1;

	if (gnutls_x509_crt_init(&crt) >= 0 &&
	    gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) >= 0 &&
	    gnutls_pubkey_init(&key) >= 0 &&
	    gnutls_pubkey_import_x509(key, crt, 0) >= 0 &&
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &der) >= 0)
		err = spki_subject_public_key(der.data, der.size, out);
	gnutls_free(der.data);
	if (key)
		gnutls_pubkey_deinit(key);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return err;
}

/* Another key's PEM, to pair with a certificate it does not match. */
static int other_key_pem(struct bytes *out)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	int err = -1;

	if (gnutls_x509_privkey_init(&key) >= 0 &&
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
					 0) >= 0 &&
	    gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem) >= 0)
		err = bytes_append(out, pem.data, pem.size);
	gnutls_free(pem.data);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return err;
}

static void test_identity_blob(void)
{
	struct bytes cert = { 0 }, key = { 0 }, other = { 0 };
	struct bytes payload = { 0 }, pk = { 0 }, want = { 0 };
	struct tls_identity_blob blob;
	struct tls_server_identity *id;

	CHECK_EQ(slurp(cert_path, &cert), 0);
	CHECK_EQ(slurp(key_path, &key), 0);
	CHECK_EQ(other_key_pem(&other), 0);
	CHECK_EQ(identity_payload(&cert, &key, &payload), 0);

	/* lengths that lie or leave nothing for a part are refused */
	CHECK_EQ(tls_identity_split(payload.data, 3, &blob), -EINVAL);
	payload.data[3] ^= 0x80;
	CHECK_EQ(tls_identity_split(payload.data, payload.len, &blob),
		 -EINVAL);
	payload.data[3] ^= 0x80;
	CHECK_EQ(tls_identity_split(payload.data, 4 + cert.len, &blob),
		 -EINVAL);
	CHECK_EQ(tls_identity_split(payload.data, payload.len, &blob), 0);
	CHECK(blob.cert_len == cert.len && blob.key_len == key.len);

	/* what pubKeyAuth binds is the certificate's key */
	id = tls_server_identity_from_blob(&blob, &pk);
	CHECK(id != NULL);
	CHECK_EQ(cert_public_key(&cert, &want), 0);
	CHECK(pk.len && pk.len == want.len &&
	      !memcmp(pk.data, want.data, pk.len));
	tls_server_identity_free(id);

	/* a key that is not the certificate's; a key that is no key */
	blob.key = other.data;
	blob.key_len = other.len;
	errno = 0;
	CHECK(tls_server_identity_from_blob(&blob, &pk) == NULL);
	CHECK_EQ(errno, EINVAL);
	blob.key = cert.data;
	blob.key_len = cert.len;
	errno = 0;
	CHECK(tls_server_identity_from_blob(&blob, &pk) == NULL);
	CHECK_EQ(errno, EINVAL);

	bytes_free(&cert);
	bytes_free(&key);
	bytes_free(&other);
	bytes_free(&payload);
	bytes_free(&pk);
	bytes_free(&want);
}

/*
 * A server that asks for a client certificate: the client finds the
 * request (TLS 1.3: in the records after the ServerHello, which the
 * finder hands to the handshake) before its handshake takes the flight.
 */
static void test_certificate_request(void)
{
	struct tls_server_identity *id;
	struct bytes cert = { 0 }, key = { 0 }, payload = { 0 };
	struct bytes hello = { 0 }, flight = { 0 }, issuers = { 0 };
	struct bytes out = { 0 };
	struct tls_identity_blob blob;
	struct tls_conn *server, *client;
	size_t consumed, missing, fed = 0;

	CHECK_EQ(slurp(cert_path, &cert), 0);
	CHECK_EQ(slurp(key_path, &key), 0);
	CHECK_EQ(identity_payload(&cert, &key, &payload), 0);
	CHECK_EQ(tls_identity_split(payload.data, payload.len, &blob), 0);
	id = tls_server_identity_from_blob(&blob, &out);
	bytes_free(&out);
	CHECK(id != NULL);
	if (!id)
		goto out;
	/* the self-signed certificate is its own CA */
	CHECK_EQ(tls_server_identity_trust(id, cert_path), 0);
	server = tls_conn_new(TLS_SERVER, id, NULL);
	client = tls_conn_new(TLS_CLIENT, NULL, "localhost");
	CHECK(server && client);
	if (!server || !client)
		goto free_conns;
	tls_conn_request_client_certificate(server);
	CHECK_EQ(tls_conn_handshake(client, NULL, 0, &consumed, &missing,
				    &hello), TLS_NEED_MORE);
	CHECK_EQ(tls_conn_handshake(server, hello.data, hello.len, &consumed,
				    &missing, &flight), TLS_NEED_MORE);
	CHECK_EQ(tls_conn_find_certificate_request(client, flight.data,
						   flight.len, &fed, &issuers,
						   &out), 1);
	CHECK(fed < flight.len);
	CHECK(issuers.len > 2 && (size_t)(issuers.data[0] << 8 |
					  issuers.data[1]) == issuers.len - 2);
free_conns:
	tls_conn_free(server);
	tls_conn_free(client);
	tls_server_identity_free(id);
out:
	bytes_free(&cert);
	bytes_free(&key);
	bytes_free(&payload);
	bytes_free(&hello);
	bytes_free(&flight);
	bytes_free(&issuers);
	bytes_free(&out);
}

static void test_setup(void)
{
	CHECK_EQ(make_identity(), 0);
}

static void test_teardown(void)
{
	tls_server_identity_free(identity);
	identity = NULL;
	unlink(cert_path);
	unlink(key_path);
	CHECK(tls_server_identity_load("/nonexistent", "/nonexistent") ==
	      NULL);
}

const struct test_case tls_tests[] = {
	{ "CredSSP TLS: a test certificate", test_setup },
	{ "CredSSP TLS: record framing", test_framing },
	{ "CredSSP TLS: 1.2 and 1.3 x AES-128/256-GCM, ChaCha20 both sides; "
	  "export equals the peer's state", test_versions_and_ciphers },
	{ "CredSSP TLS: a server without a kTLS suite is refused",
	  test_unsupported_suite_refused },
	{ "CredSSP TLS: partial input changes nothing; surplus is left; one record at a time",
	  test_partial_and_surplus },
	{ "CredSSP TLS: garbage and bad records fail, with an alert",
	  test_garbage_refused },
	{ "CredSSP TLS: both sides see one public key; resumption",
	  test_spki_and_resumption },
	{ "CredSSP TLS: a keyring identity's payload: split, lying lengths "
	  "refused, its public key, a key not the certificate's refused",
	  test_identity_blob },
	{ "CredSSP TLS: a client finds the server's certificate request "
	  "and the CAs it names", test_certificate_request },
	{ "CredSSP TLS: identity freed; a missing file is refused",
	  test_teardown },
	{ NULL, NULL },
};
