/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wire format of the netlink messages between the ksspi module and
 * ksspid (<linux/ksspi_netlink.h>): parsing and validating requests and
 * notices, building answers, and splitting and joining fragmented byte
 * strings.  Nothing here
 * touches a socket, so the unit tests and the fuzz targets call it directly.
 */
#ifndef KSSPID_MESSAGE_H
#define KSSPID_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ksspi_netlink.h>

#include "bytes.h"

struct nl_msg;
struct nlattr;

struct cancel;

/*
 * The identity of a request, read from its KSSPI_A_IDENTITY_KEY: presence
 * bits of struct upcall beyond the netlink attributes, so that packages
 * test them with upcall_has() like any attribute.
 */
enum {
	UPCALL_USER = KSSPI_A_MAX + 1,
	UPCALL_DOMAIN,
	UPCALL_PASSWORD,
	UPCALL_TLS_IDENTITY,
};
_Static_assert(UPCALL_TLS_IDENTITY < 64, "presence bits must fit in 64 bits");

/* The presence bit of a KSSPI_A_* or UPCALL_* in struct upcall. */
#define UPCALL_BIT(attr)	((uint64_t)1 << (attr))

/* One KSSPI_CMD_REQUEST, as parsed (and its identity, once loaded). */
struct upcall {
	uint8_t cmd;			/* KSSPI_CMD_* */
	uint32_t status;		/* SEC_E_OK, or why parsing refused it */
	uint64_t present;		/* UPCALL_BIT()s of what was seen */

	uint64_t request_id;
	uint32_t op;			/* KSSPI_OP_* */
	char *package;
	uint64_t session_id;
	uint32_t flags;			/* KSSPI_UPCALL_F_* */
	uint32_t context_req;
	char *target_name;
	uint32_t credential_use;
	uint32_t identity_key;		/* key serial, 0: none */
	char *user;			/* from the identity key */
	char *domain;
	struct bytes password;
	uint32_t tls_identity_key;	/* key serial, 0: none */
	/* from it: le32 length, certificate chain, private key */
	struct bytes tls_identity;
	struct bytes token;		/* joined fragments */
	struct bytes channel_bindings;	/* joined fragments */
	struct bytes pkg_params;	/* SECBUFFER_PKG_PARAMS, joined */
	uint64_t credential_id;		/* names the credential handle */
	uint32_t logon_session;		/* audit session id */
	uint32_t uid;
	uint32_t pid;
	uint64_t delegation_session;	/* a client's first leg: the kept
					 * acceptor session whose delegated
					 * credentials it uses */

	/*
	 * Not from the wire: set by request.c for a client's first leg with
	 * KSSPI_A_DELEGATION_SESSION, the credential cache ("MEMORY:...")
	 * holding what was delegated, valid during the leg.
	 */
	const char *delegated_ccache;

	/* Set by the worker that serves it: the kernel gave up on it. */
	struct cancel *cancel;
};

static inline bool upcall_has(const struct upcall *up, int attr)
{
	return up->present & UPCALL_BIT(attr);
}

/*
 * Whose request it is, for per-user limits and fair scheduling: the uid it
 * counts against, or UINT64_MAX (no uid) for in-kernel callers.
 */
static inline uint64_t upcall_owner(const struct upcall *up)
{
	return up->flags & KSSPI_UPCALL_F_KERNEL_CALLER ? UINT64_MAX : up->uid;
}

/*
 * Parses the attributes of a message whose genetlink command is @cmd
 * (@attrs, @len: everything after the genetlink header) into @up, which
 * must be zeroed.  Returns SEC_E_OK or the status to answer with; also sets
 * up->status.  KSSPI_A_REQUEST_ID is looked for first, so that even a
 * refused request can be answered when it carries one.  Wipes nothing: call
 * upcall_free() in every case.
 */
uint32_t upcall_parse(struct upcall *up, uint8_t cmd, const void *attrs,
		      size_t len);

/*
 * Splits an identity key's payload, "user\0domain\0password", into @up's
 * user, domain and password (presence bits UPCALL_*).  The user and domain
 * are at most KSSPI_MAX_NAME bytes without a NUL, the password at most
 * KSSPI_MAX_PASSWORD bytes without a NUL.  0, -EINVAL or -ENOMEM.
 */
int upcall_set_identity(struct upcall *up, const uint8_t *payload,
			size_t len);

/* What a KSSPI_CMD_NOTICES message asks: calls back once per notice. */
struct notice_handlers {
	void (*release_session)(uint64_t session_id, void *arg);
	void (*cancel_request)(uint64_t request_id, void *arg);
	void *arg;
};

/*
 * Parses the attributes of a KSSPI_CMD_NOTICES message and calls the
 * handlers for each notice, in order.  Returns the number of notices, or
 * -EINVAL for a malformed message (the notices before the fault were
 * delivered: each stands alone).
 */
int notices_parse(const void *attrs, size_t len,
		  const struct notice_handlers *handlers);

/*
 * Copies the identity of @up as a client package keeps it: the user name
 * (UPCALL_USER), the domain (UPCALL_DOMAIN, or when none is given the part
 * before a backslash of a "DOMAIN\\user" name) and the password
 * (UPCALL_PASSWORD; absent, empty).  The outputs are empty on entry.  0
 * or -ENOMEM; on failure the caller frees what was copied.
 */
int upcall_identity_copy(const struct upcall *up, char **user, char **domain,
			 struct bytes *password);

/* Frees what upcall_parse() allocated, wiping the password and tokens. */
void upcall_free(struct upcall *up);

/*
 * Appends the payload of one fragment attribute to @dst, refusing a
 * fragment over KSSPI_NL_FRAGMENT_MAX or a total over @limit (-E2BIG), or
 * -ENOMEM.
 */
int fragment_append(struct bytes *dst, const struct nlattr *nla, size_t limit);

/*
 * Adds @len bytes as attributes of type @type, each at most
 * KSSPI_NL_FRAGMENT_MAX bytes.  Nothing is added for @len 0.  0 or -NLE_*.
 */
int fragments_put(struct nl_msg *msg, int type, const uint8_t *data,
		  size_t len);

/* What a worker answers to a request: one KSSPI_CMD_REQUEST_DONE. */
struct reply {
	uint64_t request_id;
	uint32_t status;		/* SECURITY_STATUS */
	bool has_context_attr;
	uint32_t context_attr;		/* ISC_RET_* / ASC_RET_* */
	bool has_expiry;
	int64_t expiry;			/* seconds since 1970 */
	struct bytes token;		/* output token; none when empty */
	struct bytes blob;		/* serialized context; none when empty */
	uint32_t input_missing;		/* SEC_E_INCOMPLETE_MESSAGE: bytes the
					 * input lacks (0: unknown) */
	uint32_t input_extra;		/* bytes at the end of the input
					 * token not used (SECBUFFER_EXTRA) */
	struct bytes issuers;		/* SEC_I_INCOMPLETE_CREDENTIALS: the
					 * CAs the server named */
	bool keep_session;		/* an acceptor's SEC_E_OK: its state
					 * holds delegated credentials, to
					 * keep until released */
};

/*
 * Wipes and drops the token, blob, context attributes, expiry and input
 * counts; the request id and status stay.
 */
void reply_clear(struct reply *r);

/* Bytes an answer carrying @r needs, netlink headers included. */
size_t done_size(const struct reply *r);

/*
 * Writes the genetlink header and attributes of an answer into @msg
 * (allocated with at least done_size() bytes).  Refuses a token over
 * KSSPI_MAX_TOKEN or a blob over KSSPI_MAX_CONTEXT_BLOB.  0 or -NLE_*.
 */
int done_build(struct nl_msg *msg, int family_id, const struct reply *r);

#endif /* KSSPID_MESSAGE_H */
