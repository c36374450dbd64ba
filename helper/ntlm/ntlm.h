/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "NTLM" package (MS-NLMP), connection-oriented, NTLMv2 with extended
 * session security; Documentation/ntlm.rst describes it in full.
 *
 *	package.c	the package: state, legs, the established context
 *	client.c	InitializeSecurityContext: NEGOTIATE, AUTHENTICATE
 *	server.c	AcceptSecurityContext: CHALLENGE, verification
 *	config.c	the server's names, options and user database
 *	msg.c		message coding
 *	crypto.c	cryptography
 *	userdb.c	the user database file
 *	lockout.c	failed logons: account lockout, caller limit, log
 *	unicode.c	UTF-8/UTF-16LE, uppercasing
 *	oem.c		OEM strings (code page 437)
 */
#ifndef KSSPID_NTLM_H
#define KSSPID_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ksspi_sspi.h>

#include "bytes.h"
#include "ntlm/lockout.h"
#include "ntlm/msg.h"
#include "package.h"

struct ntlm_userdb;

#define NTLM_PACKAGE_NAME	"NTLM"
#define NTLM_CONTEXT_LIFETIME	36000	/* seconds: 10 hours, as Windows */

/*
 * The largest NTLM token the package produces, in bytes: the package's
 * cbMaxToken, which callers size their output buffers by.  It MUST equal
 * the kernel's KSSPI_NTLM_MAX_TOKEN in kmod/pkg_ntlm.c, which is what the
 * kernel reports; change both together.  The client's AUTHENTICATE is the
 * largest token: client.c proves at compile time that its worst case
 * (names of KSSPI_MAX_NAME bytes, a target info of NTLM_MAX_TARGET_INFO
 * bytes, channel bindings) fits, and checks every token it builds.
 */
#define NTLM_MAX_TOKEN		12288

/*
 * The largest target info (the server's AV pairs, echoed in the
 * AUTHENTICATE) the client accepts in a CHALLENGE; a larger one is refused
 * with SEC_E_INVALID_TOKEN (a deviation: MS-NLMP sets no bound).  Windows
 * servers send a few hundred bytes.
 */
#define NTLM_MAX_TARGET_INFO	4096

/* NetBIOS names: at most 15 bytes. */
#define NTLM_NETBIOS_NAME_MAX	15

/*
 * The server's configured names (--ntlm-domain, --ntlm-computer, the host
 * name): at most 255 bytes, the longest DNS name, so that its CHALLENGE
 * stays within NTLM_MAX_TOKEN and its target info within
 * NTLM_MAX_TARGET_INFO (server.c checks both at compile time).
 */
#define NTLM_CONFIG_NAME_MAX	255

/*
 * The negotiate flags of session security.  An anonymous context has none
 * (MS-NLMP 3.4: no session security for anonymous logons): both sides
 * clear them, so the kernel's message functions refuse such a context.
 */
#define NTLM_SESSION_SECURITY_FLAGS (NTLMSSP_NEGOTIATE_SIGN | \
				     NTLMSSP_NEGOTIATE_SEAL | \
				     NTLMSSP_NEGOTIATE_KEY_EXCH)

/*
 * fContextReq bits the package cannot honour (DELEGATE, USE_DCE_STYLE,
 * USE_SESSION_KEY, MUTUAL_AUTH, ...) are accepted and not granted, as
 * Windows' NTLM does: NTLM cannot authenticate the server, so
 * ISC_RET_MUTUAL_AUTH is never returned.
 */

/*
 * Whether the negotiated @flags would sign or seal with keys of fewer than
 * 128 bits: SIGN or SEAL without NEGOTIATE_128 (the sealing key, which
 * also encrypts the signatures' checksums, is then cut to 56 or 40 bits).
 * Refused on both sides unless --ntlm-allow-weak-keys, as Windows' default
 * "Require 128-bit encryption" (NTLMMinClientSec, NTLMMinServerSec).
 */
static inline bool ntlm_weak_keys(uint32_t flags)
{
	return (flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) &&
	       !(flags & NTLMSSP_NEGOTIATE_128);
}

/* The name the context blobs give an anonymous client, as Windows does. */
#define NTLM_ANONYMOUS_NAME	"NT AUTHORITY\\ANONYMOUS LOGON"

extern const struct package pkg_ntlm;

/* ksspid's NTLM options (main.c). */
struct ntlm_options {
	const char *users_path;		/* NULL: NTLM_USERDB_DEFAULT */
	const char *domain;		/* NULL: from the host name */
	const char *computer;		/* NULL: from the host name */
	bool allow_v1;
	bool allow_weak_keys;		/* 40- and 56-bit session security */
	const char *const *spns;	/* the server's own SPNs */
	size_t spn_count;
	/* failed logons (lockout.h); NULL: the defaults */
	const struct ntlm_lockout_policy *lockout;
};

/* The configuration the package runs with (read-only once set up). */
struct ntlm_config {
	char *nb_domain;		/* UTF-8 */
	char *nb_computer;
	char *dns_domain;
	char *dns_computer;
	struct bytes nb_domain16;	/* UTF-16LE */
	struct bytes nb_computer16;
	struct bytes dns_domain16;
	struct bytes dns_computer16;
	struct bytes nb_domain_oem;	/* OEM; empty when not representable */
	struct bytes nb_computer_oem;
	bool allow_v1;
	bool allow_weak_keys;
	struct bytes *spns16;		/* UTF-16LE */
	size_t spn_count;
	char *users_path;
};

/*
 * Sets the configuration up and loads the user database.  A missing
 * database file is not an error (the server side then knows no user); an
 * unreadable or malformed one is.  Logs what it does.  0 or -errno.
 * Call before any worker runs.
 */
int ntlm_config_setup(const struct ntlm_options *opts);

/*
 * The configuration; set up with defaults (names from the host name, no
 * users) when ntlm_config_setup() was not called.
 */
const struct ntlm_config *ntlm_config(void);

/* Frees the configuration and the user database. */
void ntlm_config_cleanup(void);

/*
 * Rereads the user database file (SIGHUP).  On failure the database in
 * use stays.  Logs the outcome.  0 or -errno.
 */
int ntlm_config_reload_users(void);

/* Replaces the user database with @db (taken; tests). */
void ntlm_config_set_userdb(struct ntlm_userdb *db);

/*
 * Looks an account up in the user database, under its read lock: @domain
 * and @user in UTF-16LE as the client sent them.  An empty domain, or the
 * server's own DNS domain or computer names, stand for the server's
 * NetBIOS domain.  On success copies the NT hash, allocates the account's
 * canonical "DOMAIN\user" name, and appends to @account the identity of
 * the database entry (its uppercased UTF-16LE domain, two zero bytes, its
 * user), which the lockout counters are kept by: an entry with an empty
 * domain is one account whatever domain a client names.  0, -ENOENT or
 * -ENOMEM.
 */
int ntlm_config_lookup_user(const uint8_t *domain, size_t domain_len,
			    const uint8_t *user, size_t user_len,
			    uint8_t nt_hash[16], char **name,
			    struct bytes *account);

/* The handshake state of one context (client or server). */
enum ntlm_stage {
	NTLM_NEW,
	NTLM_CLIENT_SENT_NEGOTIATE,	/* awaiting the CHALLENGE */
	NTLM_SERVER_SENT_CHALLENGE,	/* awaiting the AUTHENTICATE */
};

struct ntlm_state {
	enum ntlm_stage stage;
	uint32_t context_req;
	uint32_t negotiate_flags;	/* of the NEGOTIATE (sent or received) */
	uint32_t challenge_flags;	/* of the CHALLENGE (sent) */
	bool oem;			/* server: names in OEM, not UTF-16 */
	struct bytes negotiate;		/* the messages, for the MIC */
	struct bytes challenge;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN];
	bool anonymous;			/* client side */
	char *user;			/* client identity, UTF-8 */
	char *domain;
	struct bytes password;
	char *target;			/* client: the SPN */
	struct bytes bindings;		/* SEC_CHANNEL_BINDINGS of leg 1 */
	bool has_bindings;
	/*
	 * Server: the NTSTATUS of a refused logon, for a package that tells
	 * the peer (CredSSP's errorCode): STATUS_ACCOUNT_LOCKED_OUT for a
	 * locked-out account, STATUS_LOGON_FAILURE otherwise.
	 */
	uint32_t failure_ntstatus;
};

#define NTLM_STATUS_LOGON_FAILURE	0xC000006Du
#define NTLM_STATUS_ACCOUNT_LOCKED_OUT	0xC0000234u

/* Client legs (client.c) */
void ntlm_client_negotiate(struct ntlm_state *st, const struct upcall *up,
			   struct reply *reply);
void ntlm_client_authenticate(struct ntlm_state *st, const struct upcall *up,
			      struct reply *reply);

/* Server legs (server.c) */
void ntlm_server_challenge(struct ntlm_state *st, const struct upcall *up,
			   struct reply *reply);
void ntlm_server_verify(struct ntlm_state *st, const struct upcall *up,
			struct reply *reply);

/*
 * Keeps the first leg's channel bindings, if it has any, for the later
 * legs; false when there is no memory.
 */
bool ntlm_keep_bindings(struct ntlm_state *st, const struct upcall *up);

/*
 * The channel bindings for this leg: the upcall's, else those of the first
 * leg; NULL when there are none.
 */
const struct bytes *ntlm_bindings(const struct ntlm_state *st,
				  const struct upcall *up);

/*
 * Ends the handshake on this side (package.c): derives the signing and
 * sealing keys from @session_key (the ExportedSessionKey), writes the
 * context blob, and sets reply status SEC_E_OK, @context_attr and expiry.
 * @server_name may be NULL.
 */
void ntlm_establish(bool initiator, uint32_t flags,
		    const uint8_t session_key[NTLM_KEY_LEN],
		    const char *client_name, const char *server_name,
		    uint32_t context_attr, struct reply *reply);

#endif /* KSSPID_NTLM_H */
