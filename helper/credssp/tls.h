/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS for CredSSP: a GnuTLS session whose transport is memory.  The tokens
 * of InitializeSecurityContext and AcceptSecurityContext are TLS records;
 * this file turns the peer's records into our records, runs the handshake,
 * protects the TSRequest exchange that follows it, and at the end exports
 * the record layer's keys and sequence numbers for the kernel.
 *
 * Only TLS 1.2 and 1.3 with AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305
 * are offered or accepted: the suites 6.1's kTLS can carry on.
 */
#ifndef KSSPID_CREDSSP_TLS_H
#define KSSPID_CREDSSP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ksspi_context.h>

#include "bytes.h"

struct tls_conn;
struct tls_server_identity;

enum tls_role {
	TLS_CLIENT,
	TLS_SERVER,
};

/* What a step of the connection came to. */
enum tls_result {
	TLS_OK,			/* the step is done */
	TLS_NEED_MORE,		/* the peer must send more records first */
	TLS_INCOMPLETE,		/* @in ends inside a record; see *missing */
	TLS_FAILED,		/* the handshake or a record failed; an
				 * alert for the peer may be in @out */
};

/*
 * The server's certificate chain and private key, loaded from PEM files
 * (the helper's configuration), or NULL with errno set.  Shared by every
 * server connection that names it; freed with tls_server_identity_free().
 */
struct tls_server_identity *tls_server_identity_load(const char *cert_file,
						     const char *key_file);
void tls_server_identity_free(struct tls_server_identity *id);

/*
 * A TLS identity the caller's credential carries (keyring keys handed
 * over by the kernel, KSSPI_A_TLS_IDENTITY_KEY): @payload is a
 * little-endian u32 length, the certificate chain (PEM, or one DER
 * certificate), then the private key (PEM or DER).  Splits it: 0 or
 * -EINVAL.
 */
struct tls_identity_blob {
	const uint8_t *cert;
	size_t cert_len;
	const uint8_t *key;
	size_t key_len;
};
int tls_identity_split(const uint8_t *payload, size_t len,
		       struct tls_identity_blob *out);

/*
 * A server identity from such a blob, with its certificate's
 * subjectPublicKey in @public_key (what pubKeyAuth binds); NULL with errno
 * set (EINVAL: not a certificate and matching key; ENOMEM).  Connections
 * with it issue no session tickets: tickets are shared by the whole
 * process, and a session must only be resumed with its own identity.
 */
struct tls_server_identity *
tls_server_identity_from_blob(const struct tls_identity_blob *blob,
			      struct bytes *public_key);

/*
 * A client certificate for a server that asks for one: before the
 * handshake leg that answers its CertificateRequest.  0, -EINVAL or
 * -ENOMEM.
 */
int tls_conn_set_client_identity(struct tls_conn *c,
				 const struct tls_identity_blob *blob);

/*
 * A new connection, or NULL when out of memory.  A server needs @id; a
 * client sends @server_name (UTF-8, may be NULL) as SNI when it is a DNS
 * name.  The client never validates the server's certificate itself
 * (ISC_REQ_MANUAL_CRED_VALIDATION: CredSSP binds the server's public key
 * through pubKeyAuth instead).
 */
struct tls_conn *tls_conn_new(enum tls_role role,
			      const struct tls_server_identity *id,
			      const char *server_name);


/* Frees @c, wiping its keys.  NULL is allowed. */
void tls_conn_free(struct tls_conn *c);

/*
 * Gives the connection the peer's bytes @in and runs the handshake as far
 * as they allow.  Records to send go to the end of @out.  *@consumed is
 * set to the bytes of @in used: whole records only; bytes after the
 * handshake's last record are left for the caller: records that belong
 * after the handshake (a TLS 1.3 server sends its session tickets right
 * after its Finished, and the client's first data may follow its Finished)
 * go to tls_conn_recv(), and only what is left then is SECBUFFER_EXTRA.
 * TLS_INCOMPLETE consumes nothing and sets *@missing to the bytes the
 * partial record lacks.  A client's first call has @len 0.
 */
enum tls_result tls_conn_handshake(struct tls_conn *c, const uint8_t *in,
				   size_t len, size_t *consumed,
				   size_t *missing, struct bytes *out);

/* After the handshake: protects @len bytes into records at the end of @out. */
enum tls_result tls_conn_send(struct tls_conn *c, const uint8_t *data,
			      size_t len, struct bytes *out);

/*
 * After the handshake: opens the application data records of @in and
 * appends their content to @plain.  Consumed, missing and the results as
 * for tls_conn_handshake().  Records to send may come out of it too and go
 * to the end of @out, which the caller must send: a TLS 1.3 server's
 * session tickets, which GnuTLS sends with the first record it handles
 * after the handshake, and alerts.  The client takes the tickets in here.
 */
enum tls_result tls_conn_recv(struct tls_conn *c, const uint8_t *in,
			      size_t len, size_t *consumed, size_t *missing,
			      struct bytes *plain, struct bytes *out);

/*
 * The same for the first record of @in only: the caller reads a message's
 * records one by one and stops after its last, so that the records that
 * follow it (the peer's first data after the handshake) stay sealed,
 * handed back as SECBUFFER_EXTRA, and the record layer's state exported
 * for the kernel is that of the record that follows.
 */
enum tls_result tls_conn_recv_record(struct tls_conn *c, const uint8_t *in,
				     size_t len, size_t *consumed,
				     size_t *missing, struct bytes *plain,
				     struct bytes *out);

/*
 * The DER SubjectPublicKeyInfo of the server's certificate: the peer's for
 * a client, our own for a server.  0, -ENOENT or -ENOMEM.
 */
int tls_conn_server_spki(const struct tls_conn *c, struct bytes *spki);

/* The record layer's state, for the kernel (struct ksspi_tls_state). */
struct tls_record_state {
	uint16_t version;	/* 0x0303 or 0x0304 */
	uint16_t cipher;	/* KSSPI_TLS_CIPHER_* */
	struct ksspi_tls_state tx;
	struct ksspi_tls_state rx;
};

/*
 * Exports the state after the last record sent and received.  Everything
 * the connection wrote to an @out must have been sent, since the sequence
 * numbers count it.  The connection protects and opens nothing afterwards.
 * 0, or -EINVAL when the handshake is not done or the suite is not one
 * kTLS carries.
 */
int tls_conn_export(struct tls_conn *c, struct tls_record_state *st);

/* Whether the handshake resumed an earlier session. */
bool tls_conn_resumed(const struct tls_conn *c);

/*
 * Client resumption: tls_conn_set_session() before the first
 * tls_conn_handshake() offers a session that tls_conn_get_session() gave
 * after an earlier handshake (the caller keeps it in the session cache).
 * In TLS 1.3 the session is the server's ticket, which arrives after the
 * handshake: get it after the first tls_conn_recv().  0, -EINVAL, -ENOENT
 * (no session to get) or -ENOMEM.  Servers issue tickets (RFC 5077, RFC
 * 8446 4.6.1) under a key every server connection of the process shares,
 * made at the first server connection.
 */
int tls_conn_set_session(struct tls_conn *c, const uint8_t *data,
			 size_t len);
int tls_conn_get_session(const struct tls_conn *c, struct bytes *out);

/*
 * Client, before tls_conn_handshake() is given the server's records @in:
 * whether they ask for a client certificate (cert_request.h).  Reads, and
 * consumes nothing, except that a TLS 1.3 ServerHello at the start of @in
 * goes into the handshake (*@fed bytes; what that writes is at the end of
 * @out): its secret opens the records after it.  1: asked, the CA names
 * in @issuers (each a big-endian u16 length and a DER name); 0: not in
 * these records; -EPROTO: the handshake failed on the ServerHello.
 */
int tls_conn_find_certificate_request(struct tls_conn *c, const uint8_t *in,
				      size_t len, size_t *fed,
				      struct bytes *issuers, struct bytes *out);

/*
 * Servers that ask clients for a certificate (ASC_REQ_MUTUAL_AUTH): the
 * CAs of @ca_file (PEM) are the ones named in the request and the ones a
 * client certificate must chain to.  0 or -EINVAL.
 */
int tls_server_identity_trust(struct tls_server_identity *id,
			      const char *ca_file);

/*
 * A server connection asks the client for a certificate (before its first
 * handshake step).  A certificate that does not verify against the
 * identity's CAs fails the handshake (tls_conn_peer_certificate_rejected()
 * then says so); a client may also send none.
 */
void tls_conn_request_client_certificate(struct tls_conn *c);
bool tls_conn_peer_certificate(const struct tls_conn *c);
bool tls_conn_peer_certificate_rejected(const struct tls_conn *c);

/*
 * The framing check every input goes through first (exposed for the
 * fuzzer and the tests): *@whole is the length of the whole records at the
 * start of @in; false when @in ends inside a record, *@missing then being
 * what that record lacks.  A header that cannot start a record ends the
 * scan and the rest counts as whole (GnuTLS refuses it).
 */
bool tls_frame_records(const uint8_t *in, size_t len, size_t *whole,
		       size_t *missing);

#endif /* KSSPID_CREDSSP_TLS_H */
