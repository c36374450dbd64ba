/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_UPCALL_H
#define _KSSPI_UPCALL_H

#include <linux/types.h>
#include <linux/uidgid.h>

/**
 * struct ksspi_upcall_request - what the helper is asked
 * @op: enum ksspi_op
 * @package: package name or NULL
 * @session_id: the helper-side handshake state, or 0
 * @flags: KSSPI_UPCALL_F_*
 * @context_req: fContextReq
 * @credential_use: SECPKG_CRED_*
 * @target: target name or NULL
 * @user: identity user name or NULL
 * @domain: identity domain or NULL
 * @password: identity password or NULL
 * @password_len: its length
 * @token: input token or NULL
 * @token_len: its length
 * @bindings: channel bindings or NULL
 * @bindings_len: their length
 * @uid: the caller's uid
 * @pid: the caller's tgid, 0 for the kernel
 */
struct ksspi_upcall_request {
	u32 op;
	const char *package;
	u64 session_id;
	u32 flags;
	u32 context_req;
	u32 credential_use;
	const char *target;
	const char *user;
	const char *domain;
	const char *password;
	u32 password_len;
	const void *token;
	u32 token_len;
	const void *bindings;
	u32 bindings_len;
	kuid_t uid;
	pid_t pid;
};

/**
 * struct ksspi_upcall_reply - what the helper answered
 * @status: SECURITY_STATUS of the leg
 * @context_attr: attributes
 * @expiry: seconds since 1970, 0 when not given
 * @token: output token (kvmalloc'd) or NULL
 * @token_len: its length
 * @blob: serialized established context (kvmalloc'd) or NULL
 * @blob_len: its length
 */
struct ksspi_upcall_reply {
	u32 status;
	u32 context_attr;
	s64 expiry;
	u8 *token;
	u32 token_len;
	u8 *blob;
	u32 blob_len;
};

int ksspi_upcall(const struct ksspi_upcall_request *req,
		 struct ksspi_upcall_reply *reply, u64 *generation);
void ksspi_upcall_reply_free(struct ksspi_upcall_reply *reply);
u64 ksspi_helper_generation(void);
bool ksspi_helper_present(void);
void ksspi_session_release(u64 session_id, u64 generation);

/* netlink.c: transport */
int ksspi_netlink_init(void);
void ksspi_netlink_exit(void);
int ksspi_netlink_send_upcall(u32 portid, u32 request_id,
			      const struct ksspi_upcall_request *req);
int ksspi_netlink_send_release(u32 portid, u64 session_id);

/* upcall.c: called by the transport */
int ksspi_helper_register(u32 portid, pid_t pid);
void ksspi_helper_gone(u32 portid);
int ksspi_upcall_complete(u32 request_id, pid_t sender, int err,
			  struct ksspi_upcall_reply *reply);
void ksspi_upcall_exit(void);
void ksspi_helper_info(u32 *portid, pid_t *pid, u64 *generation);

#endif /* _KSSPI_UPCALL_H */
