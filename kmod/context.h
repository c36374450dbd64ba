/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_CONTEXT_H
#define _KSSPI_CONTEXT_H

#include <linux/mutex.h>
#include <linux/time64.h>
#include "owner.h"

struct ksspi_package;
struct ksspi_credential;
struct ksspi_bufset;
struct ksspi_notice;

/**
 * struct ksspi_sec_state - an established context's security state
 * @pkg: its package
 * @mech: the package whose records and message functions the context
 *	uses: @pkg itself, or for Negotiate the package SPNEGO chose
 * @flags: KSSPI_CTX_F_*
 * @context_attr: ISC_RET_* / ASC_RET_* as established
 * @expiry: seconds since 1970, 0 for never
 * @client_name: authenticated client name (UTF-8) or NULL
 * @server_name: server or target name or NULL
 * @session_key: session key or NULL; zeroized on free
 * @session_key_len: its length
 * @send_seq: next sequence number to send
 * @recv_seq: next sequence number expected
 * @seen: common record types already read (parser bookkeeping)
 * @pkg_state: the package's own per-message state
 *
 * Built once from a serialized context and then used by the message
 * functions under the owning context's msg_lock.
 */
struct ksspi_sec_state {
	const struct ksspi_package *pkg;
	const struct ksspi_package *mech;
	u32 flags;
	u32 context_attr;
	time64_t expiry;
	char *client_name;
	char *server_name;
	u8 *session_key;
	u32 session_key_len;
	u64 send_seq;
	u64 recv_seq;
	u32 seen;
	void *pkg_state;
};

enum ksspi_context_state {
	KSSPI_CTX_HANDSHAKE,	/* legs in progress, never established */
	KSSPI_CTX_ESTABLISHED,	/* usable; a reauthentication may be running */
	KSSPI_CTX_FAILED,	/* a leg failed: only deletion is left */
};

/**
 * struct ksspi_context - what a CtxtHandle names
 * @obj: handle object (refcount)
 * @pkg: its package
 * @cred: the credential it was made with (a reference), NULL if imported
 * @initiator: made by InitializeSecurityContext
 * @handshake_lock: serializes handshake legs on this context; held across
 *	the upcall, so concurrent legs on one handle wait their turn
 * @state: enum ksspi_context_state (written under both locks, read under
 *	either)
 * @session_id: names the helper's state of a handshake in progress, 0 when
 *	none (under @handshake_lock)
 * @helper_generation: the helper instance that holds that state
 * @release_notice: the notice that releases that state, allocated before
 *	the session begins so that its release cannot fail (under
 *	@handshake_lock)
 * @handshake_charged: the session counts against the user's unfinished
 *	handshakes (under @handshake_lock)
 * @kept_session: the helper session an accepted context kept after its
 *	last leg, holding the credentials its client delegated; 0 when
 *	none (under @handshake_lock)
 * @kept_generation: the helper instance that holds it
 * @kept_notice: the notice that releases it
 * @context_attr: attributes reported so far (under @handshake_lock)
 * @start: when the context was created
 * @target: target name (UTF-8) or NULL (under @handshake_lock)
 * @awaiting_credentials: the last leg answered SEC_I_INCOMPLETE_CREDENTIALS:
 *	the next may bring another credential (under @handshake_lock)
 * @issuers: the CAs the server named then, struct ksspi_attr_issuer_list's
 *	entries, or NULL (under @msg_lock)
 * @issuers_len: their length (under @msg_lock)
 * @issuer_count: how many (under @msg_lock)
 * @msg_lock: protects @sec and the package's per-message state
 * @sec: established security state or NULL
 */
struct ksspi_context {
	struct ksspi_object obj;
	const struct ksspi_package *pkg;
	struct ksspi_credential *cred;
	bool initiator;
	struct mutex handshake_lock;	/* see above */
	enum ksspi_context_state state;
	u64 session_id;
	u64 helper_generation;
	struct ksspi_notice *release_notice;
	bool handshake_charged;
	u64 kept_session;
	u64 kept_generation;
	struct ksspi_notice *kept_notice;
	u32 context_attr;
	time64_t start;
	char *target;
	bool awaiting_credentials;
	struct mutex msg_lock;		/* see above */
	u8 *issuers;
	u32 issuers_len;
	u32 issuer_count;
	struct ksspi_sec_state *sec;
};

static inline struct ksspi_context *ksspi_to_context(struct ksspi_object *obj)
{
	return obj ? container_of(obj, struct ksspi_context, obj) : NULL;
}

/**
 * struct ksspi_handshake_call - one InitializeSecurityContext or
 *	AcceptSecurityContext call, as the core sees it
 * @owner: the caller's handle table
 * @initiator: ISC (true) or ASC
 * @credential: phCredential or NULL
 * @context: phContext or NULL
 * @new_context: phNewContext or NULL
 * @target: target name (UTF-8, NUL-terminated) or NULL
 * @context_req: fContextReq
 * @reserved1: Reserved1
 * @reserved2: Reserved2
 * @target_data_rep: TargetDataRep
 * @input: pInput or NULL
 * @output: pOutput or NULL
 * @kernel_caller: in-kernel API (ALLOCATE_MEMORY allocates)
 * @desc_status: outcome of validating @input and @output, checked in its
 *	place in the order of the checks
 * @context_attr: out, pfContextAttr
 * @expiry: out, ptsExpiry
 * @created: out, a new context was handed out in @new_context
 * @error_token: out, a failed call hands back a token for the peer
 *	(EXTENDED_ERROR was asked for)
 */
struct ksspi_handshake_call {
	struct ksspi_owner *owner;
	bool initiator;
	const struct ksspi_handle *credential;
	const struct ksspi_handle *context;
	struct ksspi_handle *new_context;
	const char *target;
	u32 context_req;
	u32 reserved1;
	u32 reserved2;
	u32 target_data_rep;
	struct ksspi_bufset *input;
	struct ksspi_bufset *output;
	bool kernel_caller;
	u32 desc_status;
	u32 context_attr;
	s64 expiry;
	bool created;
	bool error_token;
};

u32 ksspi_handshake(struct ksspi_handshake_call *call);
u32 ksspi_context_delete(struct ksspi_owner *owner,
			 const struct ksspi_handle *handle);
u32 ksspi_context_get(struct ksspi_owner *owner,
		      const struct ksspi_handle *handle,
		      struct ksspi_context **out);
bool ksspi_context_parses_data(struct ksspi_owner *owner,
			       const struct ksspi_handle *handle);
u32 ksspi_context_query(struct ksspi_owner *owner,
			const struct ksspi_handle *handle, u32 attribute,
			void *buf, u32 *len);
u32 ksspi_context_export(struct ksspi_owner *owner,
			 const struct ksspi_handle *handle, u32 flags,
			 void **blob, u32 *blob_len);
u32 ksspi_context_import(struct ksspi_owner *owner, const char *package,
			 const void *blob, u32 blob_len,
			 struct ksspi_handle *handle);
u32 ksspi_context_delegation(struct ksspi_owner *owner,
			     const struct ksspi_handle *handle, u64 *session,
			     u64 *generation);
u32 ksspi_context_complete(struct ksspi_owner *owner,
			   const struct ksspi_handle *handle,
			   u32 desc_status);

enum ksspi_message_op {
	KSSPI_MSG_SIGN,
	KSSPI_MSG_VERIFY,
	KSSPI_MSG_ENCRYPT,
	KSSPI_MSG_DECRYPT,
};

u32 ksspi_message(struct ksspi_owner *owner, const struct ksspi_handle *handle,
		  enum ksspi_message_op op, struct ksspi_bufset *msg,
		  u32 desc_status, u32 sequence, u32 *qop);

void ksspi_sec_state_free(struct ksspi_sec_state *sec);
u32 ksspi_query_answer(void *buf, u32 *len, const void *answer, u32 size);

#endif /* _KSSPI_CONTEXT_H */
