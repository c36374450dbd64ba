/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksspi: the generic netlink protocol between the kernel module and its
 * userspace helper (ksspid).  Documentation/netlink.rst and
 * Documentation/netlink/ksspi.yaml describe it in full.
 *
 * Flow: ksspid sends KSSPI_CMD_HELPER_REGISTER (CAP_SYS_ADMIN and
 * CAP_NET_ADMIN in the initial user namespace, initial network namespace)
 * from the socket that will receive upcalls.  The kernel sends each request
 * as a KSSPI_CMD_UPCALL unicast to that socket, carrying a
 * KSSPI_A_REQUEST_ID.  The helper answers with a KSSPI_CMD_DOWNCALL from any
 * of its sockets, but only from the process the request was sent to,
 * carrying the same id.  When a socket that requests were sent to closes,
 * those requests fail at once.  A new registration takes over from the
 * registered helper.
 *
 * Byte strings longer than one netlink attribute can hold (a token, a
 * serialized context) travel as several attributes of the same type, each
 * at most KSSPI_NL_FRAGMENT_MAX bytes, concatenated in order.
 */
#ifndef _UAPI_LINUX_KSSPI_NETLINK_H
#define _UAPI_LINUX_KSSPI_NETLINK_H

#define KSSPI_GENL_NAME		"ksspi"
#define KSSPI_GENL_VERSION	1

/* Largest payload of one fragment attribute */
#define KSSPI_NL_FRAGMENT_MAX	32768

enum ksspi_cmd {
	KSSPI_CMD_UNSPEC,
	KSSPI_CMD_HELPER_REGISTER,	/* helper -> kernel, admin */
	KSSPI_CMD_HELPER_UNREGISTER,	/* helper -> kernel, admin */
	KSSPI_CMD_UPCALL,		/* kernel -> helper */
	KSSPI_CMD_DOWNCALL,		/* helper -> kernel, admin */
	KSSPI_CMD_SESSION_RELEASE,	/* kernel -> helper, no answer */

	__KSSPI_CMD_MAX
};
#define KSSPI_CMD_MAX (__KSSPI_CMD_MAX - 1)

/* What an upcall asks for (KSSPI_A_OP) */
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
	KSSPI_A_USER,			/* string, UTF-8 */
	KSSPI_A_DOMAIN,			/* string, UTF-8 */
	KSSPI_A_PASSWORD,		/* binary, UTF-8 */
	KSSPI_A_TOKEN,			/* binary, fragment */
	KSSPI_A_CHANNEL_BINDINGS,	/* binary, fragment */
	KSSPI_A_STATUS,			/* u32, SECURITY_STATUS */
	KSSPI_A_CONTEXT_ATTR,		/* u32, ISC_RET_* / ASC_RET_* */
	KSSPI_A_EXPIRY,			/* s64, seconds since 1970 (UTC);
					 * 0 or absent: never */
	KSSPI_A_CONTEXT_BLOB,		/* binary, fragment of a serialized
					 * context (<linux/ksspi_context.h>) */
	KSSPI_A_UID,			/* u32, caller's uid */
	KSSPI_A_PID,			/* u32, caller's tgid (0: kernel) */
	KSSPI_A_FLAGS,			/* u32, KSSPI_UPCALL_F_* */
	KSSPI_A_PAD,

	__KSSPI_A_MAX
};
#define KSSPI_A_MAX (__KSSPI_A_MAX - 1)

/* KSSPI_A_FLAGS of an upcall */
#define KSSPI_UPCALL_F_FIRST_LEG	(1u << 0)	/* no earlier leg */
#define KSSPI_UPCALL_F_REAUTH		(1u << 1)	/* reauthentication */
#define KSSPI_UPCALL_F_KERNEL_CALLER	(1u << 2)	/* in-kernel caller */

#endif /* _UAPI_LINUX_KSSPI_NETLINK_H */
