/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_UPCALL_H
#define _KSSPI_UPCALL_H

#include <linux/key.h>
#include <linux/list.h>
#include <linux/types.h>

struct genl_info;
struct ksspi_request;
struct ksspi_user;
struct mem_cgroup;
struct sk_buff;

/**
 * struct ksspi_upcall_request - what the helper is asked
 * @op: enum ksspi_op
 * @package: package name or NULL
 * @session_id: the helper-side handshake state, or 0
 * @flags: KSSPI_UPCALL_F_*
 * @context_req: fContextReq
 * @credential_use: SECPKG_CRED_*
 * @target: target name or NULL
 * @user: identity user name or NULL (no identity)
 * @domain: identity domain or NULL
 * @password: identity password or NULL
 * @password_len: its length
 * @token: input token or NULL
 * @token_len: its length
 * @bindings: channel bindings or NULL
 * @bindings_len: their length
 * @pkg_params: the caller's SECBUFFER_PKG_PARAMS input or NULL
 * @pkg_params_len: its length
 * @credential_id: the credential's id, 0 for none
 * @delegation_session: a client leg's credentials are those delegated to
 *	this kept acceptor session, 0 for none
 * @logon_session: the caller's audit session id
 * @owner: the user the request counts against
 * @pid: the caller's tgid, 0 for the kernel
 *
 * The identity reaches the helper as a key (see upcall.c), never in a
 * message.
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
	const u8 *tls_identity;
	u32 tls_identity_len;
	const void *token;
	u32 token_len;
	const void *bindings;
	u32 bindings_len;
	const void *pkg_params;
	u32 pkg_params_len;
	u64 credential_id;
	u64 delegation_session;
	u32 logon_session;
	struct ksspi_user *owner;
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
 * @input_missing: SEC_E_INCOMPLETE_MESSAGE: bytes the input lacks, 0 when
 *	not known
 * @input_extra: bytes at the end of the input token the leg did not use
 * @issuers: with SEC_I_INCOMPLETE_CREDENTIALS, the CAs the server named
 *	(kvmalloc'd; struct ksspi_attr_issuer_list's entries) or NULL
 * @issuers_len: their length
 * @keep_session: the helper keeps the session of this acceptor's SEC_E_OK
 *	(delegated credentials) until it is released
 */
struct ksspi_upcall_reply {
	u32 status;
	u32 context_attr;
	s64 expiry;
	u8 *token;
	u32 token_len;
	u8 *blob;
	u32 blob_len;
	u32 input_missing;
	u32 input_extra;
	u8 *issuers;
	u32 issuers_len;
	bool keep_session;
};

enum ksspi_notice_type {
	KSSPI_NOTICE_RELEASE_SESSION,
	KSSPI_NOTICE_CANCEL_REQUEST,
};

/**
 * struct ksspi_notice - something the helper is to learn at its next fetch
 * @node: entry in the notice queue, or in a fetcher's batch
 * @type: enum ksspi_notice_type
 * @value: the session id or the request id
 * @generation: the helper instance it is meant for
 *
 * Allocated ahead, by whoever may need to send it (a context with a helper
 * session, a request), so that sending it can never fail for want of
 * memory.
 */
struct ksspi_notice {
	struct list_head node;
	enum ksspi_notice_type type;
	u64 value;
	u64 generation;
};

/* For the core */
int ksspi_upcall(const struct ksspi_upcall_request *req,
		 struct ksspi_upcall_reply *reply, u64 *generation);
void ksspi_upcall_reply_free(struct ksspi_upcall_reply *reply);
u64 ksspi_helper_generation(void);
bool ksspi_helper_present(void);
struct ksspi_notice *ksspi_notice_alloc(void);
void ksspi_notice_free(struct ksspi_notice *notice);
void ksspi_session_release(struct ksspi_notice *notice, u64 session_id,
			   u64 generation);
void ksspi_upcall_exit(void);

/**
 * struct ksspi_helper_info - the registered helper, for debugfs
 * @pid: its process id as its own pid namespace sees it, 0 when none
 * @portid: its registration socket, 0 when none
 * @generation: the generation counter
 * @queued: requests waiting to be fetched
 * @notices: notices waiting to be fetched
 */
struct ksspi_helper_info {
	pid_t pid;
	u32 portid;
	u64 generation;
	unsigned int queued;
	unsigned int notices;
};

void ksspi_helper_info(struct ksspi_helper_info *info);

/* netlink.c: the transport */
int ksspi_netlink_init(void);
void ksspi_netlink_exit(void);
struct sk_buff *ksspi_netlink_request_new(u32 request_id,
					  const struct ksspi_upcall_request *req,
					  key_serial_t identity,
					  key_serial_t tls_identity);
void ksspi_netlink_wake(u32 what);

/* upcall.c: called by the transport, in the sender's context */
int ksspi_helper_register(u32 portid);
void ksspi_helper_gone(u32 portid);
bool ksspi_helper_is_sender(void);
void ksspi_wake_failed(u32 what);
struct sk_buff *ksspi_request_fetch(u32 *request_id, u32 *remaining);
void ksspi_request_fetch_failed(u32 request_id);
struct ksspi_request *ksspi_request_claim(u32 request_id);
struct mem_cgroup *ksspi_request_memcg(struct ksspi_request *p);
void ksspi_request_answer(struct ksspi_request *p, int err,
			  struct ksspi_upcall_reply *reply);
unsigned int ksspi_notices_fetch(struct list_head *batch, unsigned int max,
				 u32 *remaining);
void ksspi_notices_return(struct list_head *batch);
void ksspi_notices_free(struct list_head *batch);

#endif /* _KSSPI_UPCALL_H */
