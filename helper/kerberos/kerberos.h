/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "Kerberos" package: handshake legs through MIT krb5's GSSAPI
 * (Documentation/kerberos.rst).  The client's credentials come from the
 * request's identity (user, realm, password), else from the caller's own
 * credential cache (an in-kernel caller: the keytab's machine
 * credentials); the server's from the keytab of --krb5-keytab, for the
 * principal an inbound identity names or any.  A SEC_E_OK leg hands the
 * established context over as a blob (<linux/ksspi_context.h>).
 */
#ifndef KSSPID_KERBEROS_H
#define KSSPID_KERBEROS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gssapi/gssapi.h>

#include "package.h"

#define KERBEROS_PACKAGE_NAME	"Kerberos"

extern const struct package pkg_kerberos;

/*
 * The acceptor's keytab (a path, or a krb5 keytab name such as
 * "FILE:/etc/krb5.keytab"); NULL: the krb5 default (KRB5_KTNAME, then
 * /etc/krb5.keytab).  0 or -ENOMEM.  Called before the workers start.
 */
int kerberos_config_setup(const char *keytab);
void kerberos_config_cleanup(void);

/*
 * The GSSAPI host-based service name ("service@host") of an SPN
 * ("service/host", "service/host:port" or "service/host/name"): written
 * into @out (@size bytes with the NUL).  0, or -EINVAL when @spn is not an
 * SPN of that shape or does not fit.
 */
int kerberos_spn_to_hostbased(const char *spn, char *out, size_t size);

/* What kerberos_target() made of a target name. */
enum kerberos_name_type {
	KERBEROS_NAME_HOSTBASED,	/* GSS_C_NT_HOSTBASED_SERVICE */
	KERBEROS_NAME_PRINCIPAL,	/* GSS_KRB5_NT_PRINCIPAL_NAME */
};

/*
 * The GSSAPI name of a target name (target.c): an SPN without a realm as
 * the host-based "service@host" (kerberos_spn_to_hostbased()), an SPN with
 * one ("service/host@REALM"), a "user@REALM" or a name without '/' as a
 * krb5 principal, written into @out (@size bytes with the NUL).  0, or
 * -EINVAL for anything else (SEC_E_TARGET_UNKNOWN).
 */
int kerberos_target(const char *target, char *out, size_t size,
		    enum kerberos_name_type *type);

/*
 * A descriptor of @uid's own credential cache: open read-only on
 * FILE:/tmp/krb5cc_<uid>, else on the primary cache of
 * DIR:/run/user/<uid>/krb5cc (a regular file owned by @uid, reached
 * without a symbolic link at its last step), else a memfd copy of
 * KEYRING:persistent:<uid>; krb5.conf's default_ccache_name, when it is
 * one of these three for %{uid}, is tried first.  -1 when there is none.
 * The caller hands MIT "FILE:/proc/self/fd/<fd>" and closes it.
 */
int kerberos_user_ccache(uint32_t uid);

/*
 * A descriptor of a memfd holding, in FILE form, a copy of the primary
 * cache of @uid's KEYRING:persistent:<uid> collection (keyring.c), every
 * keyring and key of it owned by @uid; -1 when there is none.
 */
int kerberos_user_keyring_ccache(uint32_t uid);

/* A key's keyctl_describe() text, "type;uid;gid;perm;description". */
struct kerberos_key_desc {
	char type[32];
	uint32_t uid;
	const char *description;	/* points into the text */
};

/* Parses @text into @out; 0 or -EINVAL. */
int kerberos_key_description(const char *text, struct kerberos_key_desc *out);

/*
 * The cache name in the payload of a keyring collection's
 * "krb_ccache:primary" key (be32 version 1, be32 length, name), written
 * into @name (@size bytes with the NUL).  0 or -EINVAL.
 */
int kerberos_keyring_primary(const uint8_t *payload, size_t len, char *name,
			     size_t size);

/* A MEMORY credential cache of one context, with its krb5 context. */
struct kerberos_ccache {
	struct _krb5_context *kctx;
	struct _krb5_ccache *cc;
};

/*
 * ISC_REQ_USE_SUPPLIED_CREDS: a new MEMORY cache in @out holding the
 * tickets of the unencrypted KRB-CRED message @krb_cred (@len bytes, the
 * caller's SECBUFFER_PKG_PARAMS).  SEC_E_OK, SEC_E_INVALID_PARAMETER for
 * a message MIT cannot read, without tickets or with tickets of two
 * clients, or SEC_E_INSUFFICIENT_MEMORY / SEC_E_INTERNAL_ERROR.
 */
uint32_t kerberos_supplied_ccache(const uint8_t *krb_cred, size_t len,
				  struct kerberos_ccache *out);

/* A new, empty MEMORY cache in @out: 0 or -1. */
int kerberos_ccache_new(struct kerberos_ccache *out);

/*
 * A new MEMORY cache in @out holding a copy of the tickets of the cache
 * @name (another MEMORY cache of ksspid: delegated credentials).
 * SEC_E_OK, SEC_E_NO_CREDENTIALS when it cannot be read or holds none,
 * or SEC_E_INSUFFICIENT_MEMORY.
 */
uint32_t kerberos_ccache_copy(const char *name, struct kerberos_ccache *out);

/* "MEMORY:<name>" of @cc into @out (@size bytes); 0 or -1. */
int kerberos_ccache_name(const struct kerberos_ccache *cc, char *out,
			 size_t size);

/* Destroys the cache (its tickets) and frees the krb5 context. */
void kerberos_ccache_destroy(struct kerberos_ccache *cc);

/* Bytes of a SEC_CHANNEL_BINDINGS before its parts */
#define KERBEROS_CB_HEADER_LEN	32

/*
 * The SEC_CHANNEL_BINDINGS of a SECBUFFER_CHANNEL_BINDINGS buffer (@cb,
 * @len bytes) as MIT's gss_channel_bindings_struct, whose buffers point
 * into @cb.  0, or -EINVAL when the header is short or a part lies outside
 * the buffer (the caller answers SEC_E_BAD_BINDINGS).
 */
int kerberos_channel_bindings(const uint8_t *cb, size_t len,
			      struct gss_channel_bindings_struct *out);

/*
 * RFC 4121 MIC and sealed Wrap tokens of an established context, from the
 * blob of its last leg (cfx.c): the package's inner_* functions
 * (package.h).  inner_verify() and inner_unwrap() take only the peer's
 * next token in sequence.
 */
void *kerberos_inner_new(const struct bytes *blob);
int kerberos_inner_wrap(void *inner, const uint8_t *msg, size_t len,
			struct bytes *out);
int kerberos_inner_unwrap(void *inner, const uint8_t *token, size_t len,
			  struct bytes *out);
int kerberos_inner_sign(void *inner, const uint8_t *msg, size_t len,
			struct bytes *out);
int kerberos_inner_verify(void *inner, const uint8_t *msg, size_t len,
			  const uint8_t *token, size_t token_len);
int kerberos_inner_export(void *inner, struct bytes *blob);
void kerberos_inner_free(void *inner);

/*
 * Whether @up's caller may accept with the acceptor keytab (root and
 * in-kernel callers) and it holds any key: Negotiate offers Kerberos to
 * an initiator only then.
 */
bool kerberos_can_accept(const struct upcall *up);

/*
 * The realm a client's first leg for @up would ask a KDC of: the
 * identity's domain uppercased, or the principal's realm of a
 * "user@REALM" identity, else krb5.conf's default realm; into @out
 * (@size bytes with the NUL).  0 or -1 when there is none.
 */
int kerberos_client_realm(const struct upcall *up, char *out, size_t size);

/* The SSPI status of a failed GSSAPI call (@major, and its krb5 @minor). */
uint32_t kerberos_status(uint32_t major, uint32_t minor);

/* The ISC_RET_* (@initiator) or ASC_RET_* bits of GSS_C_* @gss flags. */
uint32_t kerberos_context_attrs(bool initiator, uint32_t gss);

/* What the blob of an established context holds besides its names. */
struct kerberos_context_keys {
	int32_t enctype;
	const uint8_t *key;	/* the token key, also the session key */
	size_t key_len;
	bool acceptor_subkey;	/* the key is the AP-REP's subkey */
	uint64_t send_seq, recv_seq;
};

/*
 * Ends a last leg: @reply gets the context's blob (<linux/ksspi_context.h>)
 * and SEC_E_OK, or SEC_E_ALGORITHM_MISMATCH for a key the module has no
 * RFC 4121 code for, or a failure status (ctxblob_reply()).
 */
void kerberos_establish(struct reply *reply, bool initiator,
			uint32_t context_attr, int64_t expiry,
			const char *client_name, const char *server_name,
			const struct kerberos_context_keys *keys);

/*
 * User-to-user (u2u.c, Documentation/kerberos.rst "User-to-user"): the
 * client asks the server for its TGT, gets a ticket in that TGT's session
 * key from the KDC (ENC-TKT-IN-SKEY) and sends an AP-REQ with
 * USE_SESSION_KEY; the server, with only its own TGT, answers the AP-REP.
 */
struct kerberos_u2u;

struct kerberos_u2u *kerberos_u2u_new(void);
void kerberos_u2u_free(struct kerberos_u2u *u);

/*
 * The client's first leg: the TGT-REQ for @target (kerberos_target()'s
 * name and @type) into @reply->token, with @cred's tickets (a GSSAPI
 * initiator credential) copied for the later legs; the established
 * context gets @extra_attrs besides the flags'.  SEC_I_CONTINUE_NEEDED
 * or SEC_E_NO_CREDENTIALS, SEC_E_TARGET_UNKNOWN, SEC_E_INSUFFICIENT_MEMORY.
 */
uint32_t kerberos_u2u_client_start(struct kerberos_u2u *u,
				   gss_cred_id_t cred, const char *target,
				   enum kerberos_name_type type,
				   OM_uint32 gss_flags, uint32_t extra_attrs,
				   struct reply *reply);

/* The client's later legs (TGT-REP in, AP-REQ out; AP-REP in, context). */
uint32_t kerberos_u2u_client_step(struct kerberos_u2u *u,
				  const struct upcall *up,
				  const struct gss_channel_bindings_struct *cb,
				  struct reply *reply);

/*
 * The server's legs, with the TGT of the caller's own credential cache
 * (kerberos_user_ccache(), never a keytab): TGT-REQ in, TGT-REP out;
 * AP-REQ in, AP-REP out and the context.
 */
uint32_t kerberos_u2u_server_step(struct kerberos_u2u *u,
				  const struct upcall *up,
				  const struct gss_channel_bindings_struct *cb,
				  struct reply *reply);

/* User-to-user tokens (u2u_token.c): the TOK_ID after the framing. */
enum kerberos_u2u_tok {
	KERBEROS_U2U_TOK_AP_REQ = 0x0100,
	KERBEROS_U2U_TOK_AP_REP = 0x0200,
	KERBEROS_U2U_TOK_ERROR = 0x0300,
	KERBEROS_U2U_TOK_TGT_REQ = 0x0400,
	KERBEROS_U2U_TOK_TGT_REP = 0x0401,
};

/* Longest user-to-user token taken or made; a KERB-TGT-REQUEST's. */
#define KERBEROS_U2U_MAX_TOKEN		65536
#define KERBEROS_U2U_MAX_TGT_REQ	1024

/* Whether @token is framed with the user-to-user OID. */
bool kerberos_u2u_framed(const uint8_t *token, size_t len);

/*
 * The TOK_ID and the message of a token framed with the user-to-user OID
 * (DER length exactly the token's); 0 or -EINVAL.
 */
int kerberos_u2u_unframe(const uint8_t *token, size_t len, uint16_t *tok_id,
			 const uint8_t **body, size_t *body_len);

/* Appends the framed token of @tok_id and @body to @out; 0 or -errno. */
int kerberos_u2u_frame(uint16_t tok_id, const uint8_t *body, size_t len,
		       struct bytes *out);

/*
 * A KERB-TGT-REQUEST naming the server (@n name components of
 * @name_type, none: no serverName) and @realm (NULL: none), appended to
 * @out; 0 or -errno.
 */
int kerberos_tgt_request_encode(int32_t name_type,
				const char *const *components, size_t n,
				const char *realm, struct bytes *out);

/*
 * Whether @der is one well-formed KERB-TGT-REQUEST (pvno 5, msg-type 16,
 * a name of one to eight components if any), at most
 * KERBEROS_U2U_MAX_TGT_REQ bytes: 0, -EINVAL or -ENOMEM.
 */
int kerberos_tgt_request_check(const uint8_t *der, size_t len);

/* A KERB-TGT-REPLY carrying the DER Ticket @ticket, appended to @out. */
int kerberos_tgt_reply_encode(const uint8_t *ticket, size_t len,
			      struct bytes *out);

/*
 * The Ticket's DER of the KERB-TGT-REPLY @der (pvno 5, msg-type 17),
 * appended to @ticket; 0, -EINVAL or -ENOMEM.
 */
int kerberos_tgt_reply_ticket(const uint8_t *der, size_t len,
			      struct bytes *ticket);

#endif /* KSSPID_KERBEROS_H */
