/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "CredSSP" package (MS-CSSP): a TLS handshake, then the TSRequest
 * exchange inside it, with an inner package (NTLM today) authenticating
 * the client and binding the server's TLS public key (pubKeyAuth); the
 * client finally hands the server its credentials (authInfo).
 * Documentation/credssp.rst describes it in full.
 *
 *	package.c	state, legs, TLS plumbing, the established context
 *	client.c	InitializeSecurityContext
 *	server.c	AcceptSecurityContext
 *	config.c	the server's TLS identity, the delegation policy
 *	tls.c		GnuTLS over memory (tls.h)
 *	tsrequest.c	the ASN.1 messages (tsrequest.h)
 *	session_cache.c	the client's TLS session cache
 */
#ifndef KSSPID_CREDSSP_H
#define KSSPID_CREDSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "credssp/tsrequest.h"
#include "package.h"

struct upcall;
struct reply;
struct tls_conn;
struct tls_server_identity;

#define CREDSSP_PACKAGE_NAME	"CredSSP"

/*
 * The package's cbMaxToken, what the kernel reports (kmod/pkg_credssp.c's
 * KSSPI_CREDSSP_MAX_TOKEN, Windows' value): no output token may be larger.
 */
#define CREDSSP_MAX_TOKEN	90567

/*
 * The largest TSRequest accepted from a peer, in bytes of DER: what a
 * Kerberos ticket with a large PAC, or smart-card credentials, need.  A
 * message that announces more is refused, so that a peer cannot make the
 * helper buffer without bound across legs.
 */
#define CREDSSP_MAX_TSREQUEST	(128 * 1024)

/* The magic strings of MS-CSSP 3.1.5, their NUL included. */
#define CREDSSP_CLIENT_SERVER_MAGIC	"CredSSP Client-To-Server Binding Hash"
#define CREDSSP_SERVER_CLIENT_MAGIC	"CredSSP Server-To-Client Binding Hash"

extern const struct package pkg_credssp;

enum credssp_stage {
	CREDSSP_NEW,		/* no leg yet */
	CREDSSP_HANDSHAKE,	/* the TLS handshake */
	CREDSSP_NEGO,		/* inner tokens (negoTokens) */
	CREDSSP_PUB_KEY,	/* client: sent pubKeyAuth, awaiting the
				 * server's */
	CREDSSP_CREDENTIALS,	/* server: sent pubKeyAuth, awaiting
				 * authInfo */
	CREDSSP_DONE,		/* the last message was handled */
};

/* The state of one handshake, either side. */
struct credssp_state {
	enum credssp_stage stage;
	bool initiator;
	uint32_t context_req;		/* of the first leg */
	uint32_t caller_flags;		/* KSSPI_UPCALL_F_KERNEL_CALLER */
	struct tls_conn *tls;
	/* Server: the identity of the caller's credential, if it has one */
	struct tls_server_identity *own_identity;
	/* Client: the credential brought a certificate */
	bool has_client_certificate;
	/* Server: the client showed a certificate that verified */
	bool client_certificate_verified;
	/*
	 * Client: it answered SEC_I_INCOMPLETE_CREDENTIALS; the next leg
	 * brings the same input again, of which @fed_prefix (a TLS 1.3
	 * ServerHello) is in the handshake already and @held_output (what
	 * that wrote) not sent yet.
	 */
	bool asked_for_certificate;
	struct bytes fed_prefix;
	struct bytes held_output;
	/* Client: the caller's SECBUFFER_PKG_PARAMS (the latest given) */
	struct bytes supplied_credentials;

	/* Client: the identity and target of the first leg */
	char *user, *domain;		/* UTF-8; the domain may be "" */
	struct bytes password;
	char *target;			/* NULL: none */
	/* Client: what its TLS session cache entry is for (first leg) */
	uint32_t pid, logon_session;
	uint64_t credential_id, owner;

	/*
	 * TSRequest versions.  The client offers @offered (TS_VERSION_MAX;
	 * the tests set it lower before the first leg) in every message; the
	 * server answers with @version in every message.  @peer_version is
	 * what the peer's first TSRequest said; a later one saying anything
	 * else is refused.  @version is the one both speak: the lower.
	 */
	uint32_t offered;
	uint32_t peer_version;
	uint32_t version;

	uint8_t nonce[TS_CLIENT_NONCE_LEN];	/* version 5 and up */
	struct bytes public_key;	/* the server's subjectPublicKey */
	struct bytes pending;		/* plaintext of a TSRequest that
					 * has not all arrived */

	/* The inner package: its handshake, then its message protection */
	const struct package *inner_pkg;
	void *inner_state;
	void *inner;
	bool inner_started;
	char *client_name;		/* from the inner context */
	char *inner_server_name;
	/* the package that authenticated: Negotiate's choice, or inner_pkg */
	const char *inner_mech;
	int64_t expiry;

	bool resumed;			/* TLS resumed a cached session */
	bool server_verified;		/* client: the server's pubKeyAuth */
	bool delegated;			/* real credentials sent / received */
	struct bytes credentials;	/* server: TSCredentials DER received
					 * (non-empty ones only) */
};

/*
 * Client, before a handshake leg gives the server's records to TLS:
 * SEC_I_INCOMPLETE_CREDENTIALS when they ask for a certificate the
 * credential lacks, and on the next leg, the new credential's certificate
 * and the input from where the handshake stands.  True when the leg is
 * answered; false to go on with *@in, *@len.
 */
bool credssp_client_certificate_leg(struct credssp_state *st,
				    const struct upcall *up,
				    const uint8_t **in, size_t *len,
				    struct reply *reply);

/* Client legs (client.c) */
void credssp_client_first(struct credssp_state *st, const struct upcall *up,
			  struct reply *reply);
void credssp_client_handshake_done(struct credssp_state *st,
				   const struct upcall *up,
				   struct bytes *answer, struct reply *reply);
void credssp_client_message(struct credssp_state *st, const struct upcall *up,
			    const uint8_t *der, size_t len,
			    struct bytes *answer, struct reply *reply);

/*
 * Client: stores the TLS session (and the server's subjectPublicKey, which
 * a resumed handshake may not show) in the session cache, for the same
 * target, process, logon session and credential.  Before the export.
 */
void credssp_client_cache_session(const struct credssp_state *st);

/*
 * Server legs (server.c).  credssp_server_first() checks the request and
 * sets the connection up: false with reply->status set when it refuses,
 * true when the leg goes on with the client's records.
 */
bool credssp_server_first(struct credssp_state *st, const struct upcall *up,
			  struct reply *reply);

/*
 * Handles one decrypted TSRequest from the client (@der, @len): the inner
 * package's tokens, pubKeyAuth, authInfo.  The TSRequest to send back,
 * if any, is appended to @answer in the clear (the caller protects it
 * with TLS); on an inner failure at version 3 and up it holds the
 * errorCode.  reply->status: SEC_I_CONTINUE_NEEDED (answer and wait),
 * SEC_E_OK (the credentials arrived: stage CREDSSP_DONE), or the failure.
 * Touches neither TLS nor the reply's token, so that it can be fuzzed on
 * a state that never did a handshake (fuzz_credssp_server).
 */
void credssp_server_message(struct credssp_state *st, const struct upcall *up,
			    const uint8_t *der, size_t len,
			    struct bytes *answer, struct reply *reply);

/* Common to both sides (package.c) */

/*
 * Checks the version of the peer's TSRequest @req: the first one sets
 * peer_version and version (the lower of @ours and the peer's); later
 * ones must repeat peer_version.  SEC_E_OK or SEC_E_INVALID_TOKEN.
 */
uint32_t credssp_check_version(struct credssp_state *st,
			       const struct ts_request *req, uint32_t ours);

/*
 * The inner package a first negoToken is for (spnego/first_token.c): raw
 * NTLM ("NTLMSSP\0") is NTLM's, a framed SPNEGO negTokenInit Negotiate's,
 * a framed Kerberos token Kerberos'; anything else SEC_E_INVALID_TOKEN.
 * SEC_E_OK sets *@pkg.
 */
uint32_t credssp_inner_for_token(const uint8_t *token, size_t len,
				 const struct package **pkg);

/*
 * Runs a leg of the inner package with @token (may be empty), on a
 * request built from @outer and the state (the client's identity and
 * target on its first leg).  The inner's answer lands in @inner_reply
 * (cleared by the caller).  On SEC_E_OK it also sets up the inner
 * message protection, the client name and the expiry from the inner
 * blob; a context that cannot seal gives SEC_E_UNSUPPORTED_FUNCTION
 * instead.
 */
void credssp_inner_step(struct credssp_state *st, const struct upcall *outer,
			const uint8_t *token, size_t len,
			struct reply *inner_reply);

/*
 * The plaintext pubKeyAuth binds (MS-CSSP 3.1.5) at @version, appended to
 * the empty @out: the client's (@client) or the server's.  Versions 2-4:
 * the subjectPublicKey (the server's with its first byte plus one);
 * 5 and up: SHA-256(magic || nonce || subjectPublicKey).  0 or -ENOMEM.
 */
int credssp_binding(const struct credssp_state *st, bool client,
		    struct bytes *out);

/* Encodes @req with libtasn1 and appends it to @answer: SEC_E_* status. */
uint32_t credssp_encode(const struct ts_request *req, struct bytes *answer);

/*
 * NTSTATUS errorCode <-> SSPI status (Documentation/credssp.rst).  A
 * client maps what it received; a server what its inner package failed
 * with.
 */
uint32_t credssp_status_from_ntstatus(uint32_t ntstatus);
uint32_t credssp_ntstatus_from_status(uint32_t status);

/*
 * The state's context (the blob of <linux/ksspi_context.h>) once the last
 * message went or came: exports TLS, sets reply status SEC_E_OK, the
 * attributes and the expiry, or the failure.  The output token, if any,
 * must already be in the reply.
 */
void credssp_establish(struct credssp_state *st, struct reply *reply);

/* Configuration (config.c) */

/* Up to this many --credssp-delegate and --credssp-delegate-ntlm-only. */
#define CREDSSP_POLICY_MAX	64

/* ksspid's CredSSP options (main.c). */
struct credssp_options {
	const char *cert_file;		/* --credssp-cert; NULL: no server */
	const char *key_file;		/* --credssp-key */
	const char *client_ca_file;	/* --credssp-client-ca; NULL: none */
	/* --credssp-delegate; none: TERMSRV/ and any host, as Windows */
	const char *delegate[CREDSSP_POLICY_MAX];
	size_t delegate_count;
	/* --credssp-delegate-ntlm-only; none: no SPN */
	const char *delegate_ntlm_only[CREDSSP_POLICY_MAX];
	size_t delegate_ntlm_only_count;
	/* --credssp-spnego-ntlm, --credssp-raw-kerberos; none: no SPN */
	const char *spnego_ntlm[CREDSSP_POLICY_MAX];
	size_t spnego_ntlm_count;
	const char *raw_kerberos[CREDSSP_POLICY_MAX];
	size_t raw_kerberos_count;
};

/*
 * Loads the server identity (when a certificate is given) and keeps the
 * delegation policy.  Logs what it does.  0, or -errno when the files
 * cannot be loaded or only one of them was given.  Call before any worker
 * runs; again to replace the configuration (tests).
 */
int credssp_config_setup(const struct credssp_options *opts);

/* Frees the identity and the policy. */
void credssp_config_cleanup(void);

/* --credssp-client-ca, or NULL */
const char *credssp_client_ca_file(void);

/* The server's TLS identity, or NULL (SEC_E_NO_CREDENTIALS). */
const struct tls_server_identity *credssp_server_identity(void);

/*
 * The subjectPublicKey of the identity's certificate (empty without one):
 * what a server binds after a resumed handshake, which shows no
 * certificate.
 */
const struct bytes *credssp_server_public_key(void);

/*
 * The delegation policy for @spn (the target name; NULL: none), checked
 * when ISC_REQ_DELEGATE is asked for: SEC_E_OK, SEC_E_DELEGATION_POLICY
 * (the SPN is in no list) or SEC_E_POLICY_NLTM_ONLY (only an NTLM-only
 * inner package authenticates, which does not authenticate the server,
 * and the SPN is not in the NTLM-only list).
 */
uint32_t credssp_delegation_check(const char *spn, bool ntlm_only);

/* How a client's inner tokens go to the server @spn */
enum credssp_client_inner {
	CREDSSP_INNER_DEFAULT,		/* SPNEGO with Kerberos, else raw
					 * NTLM (every server takes it) */
	CREDSSP_INNER_SPNEGO_NTLM,	/* SPNEGO with NTLM too, as mstsc */
	CREDSSP_INNER_RAW_KERBEROS,	/* Kerberos without SPNEGO (rdesktop) */
};

/*
 * The client's inner token form for @spn (NULL: none): raw Kerberos when
 * it matches --credssp-raw-kerberos, SPNEGO-wrapped NTLM (when Kerberos
 * cannot start) when it matches --credssp-spnego-ntlm, else the default.
 */
enum credssp_client_inner credssp_client_inner_for(const char *spn);

/*
 * Whether @spn matches @pattern: case-insensitive, '*' stands for any
 * run of characters (Windows' policy syntax: TERMSRV/, a star, then
 * .example.com matches TERMSRV/host.example.com).
 */
bool credssp_spn_matches(const char *pattern, const char *spn);

#endif /* KSSPID_CREDSSP_H */
