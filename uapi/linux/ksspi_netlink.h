/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksspi: the generic netlink protocol between the kernel module and its
 * userspace helper (ksspid).  Documentation/netlink.rst and
 * Documentation/netlink/ksspi.yaml describe it in full.
 *
 * The helper pulls its work, as in net/handshake: the kernel never sends a
 * request to a remembered port id.
 *
 *  - ksspid registers with KSSPI_CMD_HELPER_REGISTER (CAP_SYS_ADMIN and
 *    CAP_NET_ADMIN in the initial user namespace, initial network
 *    namespace) and joins the multicast group KSSPI_MCGRP_WAKE.  Closing the
 *    registering socket ends the registration.
 *  - When work is queued the kernel multicasts KSSPI_CMD_WAKE to that
 *    group.  It carries nothing but which queue to fetch from.
 *  - The registered process fetches each request with KSSPI_CMD_REQUEST_GET;
 *    the kernel's reply to that command (a KSSPI_CMD_REQUEST message) goes to
 *    the socket that asked, and only the registered process may ask.  Its
 *    KSSPI_A_QUEUED says how many more wait; ENOENT means none.
 *  - It answers with KSSPI_CMD_REQUEST_DONE carrying the request id, from
 *    any socket of the registered process.
 *  - It fetches notices (sessions to release, requests cancelled) with
 *    KSSPI_CMD_NOTICES_GET, answered the same way (KSSPI_CMD_NOTICES).
 *
 * A password never travels in a message: a request carries the serial of a
 * short-lived "user" key, owned by the registered helper's uid, whose
 * payload is "user\0domain\0password"; the kernel revokes it (its payload
 * is zeroized) when the request ends.
 *
 * Byte strings longer than one netlink attribute can hold (a token, a
 * serialized context) travel as several attributes of the same type, each
 * at most KSSPI_NL_FRAGMENT_MAX bytes, concatenated in order.
 */
#ifndef _UAPI_LINUX_KSSPI_NETLINK_H
#define _UAPI_LINUX_KSSPI_NETLINK_H

#define KSSPI_GENL_NAME		"ksspi"
#define KSSPI_GENL_VERSION	2

/* The multicast group of KSSPI_CMD_WAKE */
#define KSSPI_MCGRP_WAKE	"wake"

/* Largest payload of one fragment attribute */
#define KSSPI_NL_FRAGMENT_MAX	32768

/* Most notices in one KSSPI_CMD_NOTICES message */
#define KSSPI_NL_NOTICES_MAX	1024

enum ksspi_cmd {
	KSSPI_CMD_UNSPEC,
	KSSPI_CMD_HELPER_REGISTER,	/* helper -> kernel, admin */
	KSSPI_CMD_HELPER_UNREGISTER,	/* helper -> kernel, admin */
	KSSPI_CMD_WAKE,			/* kernel -> group, KSSPI_A_WAKE */
	KSSPI_CMD_REQUEST_GET,		/* helper -> kernel, admin */
	KSSPI_CMD_REQUEST,		/* kernel -> helper, reply to GET */
	KSSPI_CMD_REQUEST_DONE,		/* helper -> kernel, admin */
	KSSPI_CMD_NOTICES_GET,		/* helper -> kernel, admin */
	KSSPI_CMD_NOTICES,		/* kernel -> helper, reply to GET */

	__KSSPI_CMD_MAX
};
#define KSSPI_CMD_MAX (__KSSPI_CMD_MAX - 1)

/* What a request asks for (KSSPI_A_OP) */
enum ksspi_op {
	KSSPI_OP_UNSPEC,
	KSSPI_OP_PING,		/* echo KSSPI_A_TOKEN back */
	KSSPI_OP_INIT_CONTEXT,	/* one InitializeSecurityContext leg */
	KSSPI_OP_ACCEPT_CONTEXT,	/* one AcceptSecurityContext leg */

	__KSSPI_OP_MAX
};
#define KSSPI_OP_MAX (__KSSPI_OP_MAX - 1)

enum ksspi_attr {
	KSSPI_A_UNSPEC,
	KSSPI_A_REQUEST_ID,		/* u64; the kernel issues ids below
					 * 2^32 */
	KSSPI_A_OP,			/* u32, enum ksspi_op */
	KSSPI_A_PROTOCOL_VERSION,	/* u32, KSSPI_GENL_VERSION */
	KSSPI_A_HELPER_VERSION,		/* string, the helper's version */
	KSSPI_A_PACKAGE,		/* string, package name */
	KSSPI_A_SESSION_ID,		/* u64, names the helper's handshake
					 * state of one context */
	KSSPI_A_CONTEXT_REQ,		/* u32, fContextReq */
	KSSPI_A_TARGET_NAME,		/* string, UTF-8 */
	KSSPI_A_CREDENTIAL_USE,		/* u32, SECPKG_CRED_* */
	KSSPI_A_IDENTITY_KEY,		/* u32, key serial of the identity */
	KSSPI_A_TOKEN,			/* binary, fragment */
	KSSPI_A_CHANNEL_BINDINGS,	/* binary, fragment */
	KSSPI_A_STATUS,			/* u32, SECURITY_STATUS */
	KSSPI_A_CONTEXT_ATTR,		/* u32, ISC_RET_* / ASC_RET_* */
	KSSPI_A_EXPIRY,			/* s64, seconds since 1970 (UTC);
					 * 0 or absent: never */
	KSSPI_A_CONTEXT_BLOB,		/* binary, fragment of a serialized
					 * context (<linux/ksspi_context.h>) */
	KSSPI_A_UID,			/* u32, the uid the request counts
					 * against */
	KSSPI_A_PID,			/* u32, caller's tgid (0: kernel) */
	KSSPI_A_FLAGS,			/* u32, KSSPI_UPCALL_F_* */
	KSSPI_A_RELEASE_SESSION,	/* u64, a session to drop; repeated */
	KSSPI_A_CANCEL_REQUEST,		/* u64, a request nobody waits for
					 * any more; repeated */
	KSSPI_A_PAD,
	KSSPI_A_QUEUED,			/* u32, how many more of the same
					 * kind wait to be fetched */
	KSSPI_A_WAKE,			/* u32, KSSPI_WAKE_*: what waits */
	KSSPI_A_INPUT_MISSING,		/* u32, SEC_E_INCOMPLETE_MESSAGE:
					 * bytes the input token lacks */
	KSSPI_A_INPUT_EXTRA,		/* u32, bytes at the end of the input
					 * token the leg did not use */
	KSSPI_A_PKG_PARAMS,		/* binary, fragment: the caller's
					 * SECBUFFER_PKG_PARAMS input */
	KSSPI_A_CREDENTIAL_ID,		/* u64, names the credential handle
					 * (never reused while the module
					 * is loaded) */
	KSSPI_A_LOGON_SESSION,		/* u32, the caller's audit session
					 * id (AUDIT_SID_UNSET: none) */
	KSSPI_A_TLS_IDENTITY_KEY,	/* u32, serial of a short-lived key:
					 * the credential's TLS certificate
					 * chain and private key */
	KSSPI_A_ISSUER_LIST,		/* binary, fragment: with
					 * SEC_I_INCOMPLETE_CREDENTIALS, the
					 * CAs the server trusts: each a
					 * big-endian u16 length and a DER
					 * DistinguishedName */
	KSSPI_A_KEEP_SESSION,		/* flag: with an acceptor's SEC_E_OK,
					 * the helper keeps the session (the
					 * client's delegated credentials)
					 * until it is released */
	KSSPI_A_DELEGATION_SESSION,	/* u64: a client leg's credentials
					 * are those delegated to this kept
					 * acceptor session */

	__KSSPI_A_MAX
};
#define KSSPI_A_MAX (__KSSPI_A_MAX - 1)

/* KSSPI_A_WAKE of a wake-up: which queues have something */
#define KSSPI_WAKE_REQUESTS	(1u << 0)
#define KSSPI_WAKE_NOTICES	(1u << 1)

/* KSSPI_A_FLAGS of a request */
#define KSSPI_UPCALL_F_FIRST_LEG	(1u << 0)	/* no earlier leg */
#define KSSPI_UPCALL_F_REAUTH		(1u << 1)	/* reauthentication */
#define KSSPI_UPCALL_F_KERNEL_CALLER	(1u << 2)	/* in-kernel caller */
#define KSSPI_UPCALL_F_NEW_CREDENTIAL	(1u << 3)	/* after
							 * SEC_I_INCOMPLETE_
							 * CREDENTIALS: the
							 * leg brings the
							 * caller's new
							 * credential */

#endif /* _UAPI_LINUX_KSSPI_NETLINK_H */
