// SPDX-License-Identifier: GPL-2.0
/*
 * Contexts: InitializeSecurityContext and AcceptSecurityContext, the
 * checks common to every package, the life of a context, and the
 * context-level functions (delete, query, export, import).
 *
 * A handshake leg runs under the context's handshake_lock, across the
 * upcall: legs on one handle are serialized, other handles never wait.
 * The established state (sec) is replaced under msg_lock, so the message
 * functions keep working with the old keys while a reauthentication runs.
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include "context.h"
#include "credential.h"
#include "debugfs.h"
#include "package.h"
#include "secbuf.h"
#include "serialize.h"
#include "timestamp.h"
#include "upcall.h"
#include "user.h"

static atomic64_t ksspi_next_session = ATOMIC64_INIT(0);

void ksspi_sec_state_free(struct ksspi_sec_state *sec)
{
	if (!sec)
		return;
	if (sec->mech->ops->free)
		sec->mech->ops->free(sec);
	kfree(sec->client_name);
	kfree(sec->server_name);
	kfree_sensitive(sec->session_key);
	kfree(sec);
}

/*
 * Ends the helper session of @ctx.  Unless the helper said it dropped the
 * state itself, it is told to (the notice waits until it fetches it).
 */
static void ksspi_context_end_session(struct ksspi_context *ctx,
				      bool helper_dropped)
{
	if (ctx->session_id && !helper_dropped) {
		ksspi_session_release(ctx->release_notice, ctx->session_id,
				      ctx->helper_generation);
		ctx->release_notice = NULL;
	}
	ctx->session_id = 0;
	if (ctx->handshake_charged) {
		ksspi_user_uncharge(ctx->obj.user, KSSPI_RES_HANDSHAKES);
		ctx->handshake_charged = false;
	}
}

/*
 * Drops the session an accepted context kept for its delegated
 * credentials: when the context goes, or a reauthentication replaces what
 * the client delegated.
 */
static void ksspi_context_drop_kept(struct ksspi_context *ctx)
{
	if (!ctx->kept_session)
		return;
	ksspi_session_release(ctx->kept_notice, ctx->kept_session,
			      ctx->kept_generation);
	ctx->kept_notice = NULL;
	ctx->kept_session = 0;
}

/*
 * The last leg of an acceptor whose helper kept its session: the session
 * moves to @ctx->kept_session with its release notice, and no longer
 * counts as an unfinished handshake.
 */
static void ksspi_context_keep_session(struct ksspi_context *ctx)
{
	ksspi_context_drop_kept(ctx);
	ctx->kept_session = ctx->session_id;
	ctx->kept_generation = ctx->helper_generation;
	ctx->kept_notice = ctx->release_notice;
	ctx->release_notice = NULL;
	ksspi_context_end_session(ctx, true);
}

/*
 * Starts a helper session for a first leg: the release notice is allocated
 * and the user's unfinished handshakes are counted before the helper is
 * asked to hold anything.
 */
static u32 ksspi_context_begin_session(struct ksspi_context *ctx)
{
	ksspi_context_end_session(ctx, false);
	if (!ctx->release_notice) {
		ctx->release_notice = ksspi_notice_alloc();
		if (!ctx->release_notice)
			return SEC_E_INSUFFICIENT_MEMORY;
	}
	if (!ksspi_user_charge(ctx->obj.user, KSSPI_RES_HANDSHAKES))
		return SEC_E_INSUFFICIENT_MEMORY;
	ctx->handshake_charged = true;
	ctx->session_id = atomic64_inc_return(&ksspi_next_session);
	return SEC_E_OK;
}

static void ksspi_context_release(struct ksspi_object *obj)
{
	struct ksspi_context *ctx = ksspi_to_context(obj);

	ksspi_context_end_session(ctx, false);
	ksspi_context_drop_kept(ctx);
	ksspi_notice_free(ctx->release_notice);
	ksspi_sec_state_free(ctx->sec);
	if (ctx->cred)
		ksspi_object_put(&ctx->cred->obj);
	kvfree(ctx->issuers);
	kfree(ctx->target);
	atomic_dec(&ksspi_package_mut(ctx->pkg)->live_contexts);
	atomic_dec(&ksspi_stats.contexts_live);
	kfree(ctx);
}

static struct ksspi_context *ksspi_context_alloc(struct ksspi_user *user,
						 const struct ksspi_package *pkg,
						 struct ksspi_credential *cred,
						 bool initiator)
{
	struct ksspi_context *ctx;

	ctx = kzalloc(sizeof(*ctx), KSSPI_GFP_CALLER);
	if (!ctx)
		return NULL;
	if (ksspi_object_init(&ctx->obj, KSSPI_OBJ_CONTEXT,
			      ksspi_context_release, user)) {
		kfree(ctx);
		return NULL;
	}
	ctx->pkg = pkg;
	ctx->initiator = initiator;
	ctx->state = KSSPI_CTX_HANDSHAKE;
	ctx->start = ktime_get_real_seconds();
	mutex_init(&ctx->handshake_lock);
	mutex_init(&ctx->msg_lock);
	if (cred) {
		ksspi_object_get(&cred->obj);
		ctx->cred = cred;
	}
	atomic_inc(&ksspi_package_mut(pkg)->live_contexts);
	atomic_inc(&ksspi_stats.contexts_live);
	return ctx;
}

/**
 * ksspi_context_get - look up a context handle
 * @owner: the caller's table
 * @handle: the handle
 * @out: receives the context with a reference
 *
 * Return: SEC_E_OK or SEC_E_INVALID_HANDLE.
 */
u32 ksspi_context_get(struct ksspi_owner *owner,
		      const struct ksspi_handle *handle,
		      struct ksspi_context **out)
{
	*out = ksspi_to_context(ksspi_owner_get(owner, handle,
						KSSPI_OBJ_CONTEXT));
	return *out ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

/**
 * ksspi_context_parses_data - whether a context's message functions read
 *	structure from SECBUFFER_DATA buffers
 * @owner: the caller's table
 * @handle: the context
 *
 * Packages with Schannel's stream layout find records in the DATA buffer
 * they decrypt; the others treat DATA buffers as the message only.
 *
 * Return: true for a stream package, or when the handle names no context.
 */
bool ksspi_context_parses_data(struct ksspi_owner *owner,
			       const struct ksspi_handle *handle)
{
	struct ksspi_context *ctx;
	bool parses;

	if (ksspi_context_get(owner, handle, &ctx) != SEC_E_OK)
		return true;
	parses = ctx->pkg->stream_buffers;
	ksspi_object_put(&ctx->obj);
	return parses;
}

/**
 * ksspi_context_delegation - the helper session that holds the credentials
 *	a client delegated to an accepted context
 * @owner: the caller's table
 * @handle: the accepted context
 * @session: receives the session id
 * @generation: receives the helper instance that holds it
 *
 * Return: SEC_E_OK; SEC_E_INVALID_HANDLE when @handle names no context of
 * @owner; SEC_E_NO_CREDENTIALS when it is not an established acceptor's
 * to which credentials were delegated, or the helper that held them is
 * gone.
 */
u32 ksspi_context_delegation(struct ksspi_owner *owner,
			     const struct ksspi_handle *handle, u64 *session,
			     u64 *generation)
{
	struct ksspi_context *ctx;
	u32 status;

	status = ksspi_context_get(owner, handle, &ctx);
	if (status != SEC_E_OK)
		return status;
	if (mutex_lock_killable(&ctx->handshake_lock)) {
		status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	status = SEC_E_NO_CREDENTIALS;
	if (!ctx->initiator && ctx->kept_session &&
	    READ_ONCE(ctx->state) == KSSPI_CTX_ESTABLISHED &&
	    ctx->kept_generation == ksspi_helper_generation()) {
		*session = ctx->kept_session;
		*generation = ctx->kept_generation;
		status = SEC_E_OK;
	}
	mutex_unlock(&ctx->handshake_lock);
out:
	ksspi_object_put(&ctx->obj);
	return status;
}

u32 ksspi_context_delete(struct ksspi_owner *owner,
			 const struct ksspi_handle *handle)
{
	return ksspi_owner_remove(owner, handle, KSSPI_OBJ_CONTEXT) ?
	       SEC_E_OK : SEC_E_INVALID_HANDLE;
}

static void ksspi_context_set_state(struct ksspi_context *ctx,
				    enum ksspi_context_state state,
				    struct ksspi_sec_state *sec)
{
	struct ksspi_sec_state *old = NULL;

	mutex_lock(&ctx->msg_lock);
	if (sec) {
		old = ctx->sec;
		ctx->sec = sec;
	}
	WRITE_ONCE(ctx->state, state);
	mutex_unlock(&ctx->msg_lock);
	ksspi_sec_state_free(old);
}

static u32 ksspi_upcall_status(int err)
{
	switch (err) {
	case -ENOMEM:
	case -EBUSY:
	case -EDQUOT:
		return SEC_E_INSUFFICIENT_MEMORY;
	case -EPROTO:
	case -EINTR:
		return SEC_E_INTERNAL_ERROR;
	default:
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	}
}

static bool ksspi_leg_status_valid(u32 status)
{
	switch (status) {
	case SEC_E_OK:
	case SEC_I_CONTINUE_NEEDED:
	case SEC_I_COMPLETE_NEEDED:
	case SEC_I_COMPLETE_AND_CONTINUE:
	case SEC_I_INCOMPLETE_CREDENTIALS:
		return true;
	default:
		/* errors only: a helper cannot invent success codes */
		return status & 0x80000000u;
	}
}

static bool ksspi_leg_final(u32 status)
{
	return status == SEC_E_OK || status == SEC_I_COMPLETE_NEEDED;
}

/* The common checks of the reference pages, in the documented order. */
static u32 ksspi_handshake_check(struct ksspi_handshake_call *c,
				 struct ksspi_context **ctxp,
				 struct ksspi_credential **credp)
{
	struct ksspi_context *ctx = NULL;
	struct ksspi_credential *cred = NULL;
	u32 status;

	if (c->initiator && (c->reserved1 || c->reserved2))
		return SEC_E_INVALID_PARAMETER;
	if (c->target_data_rep != SECURITY_NATIVE_DREP &&
	    c->target_data_rep != SECURITY_NETWORK_DREP)
		return SEC_E_INVALID_PARAMETER;

	if (c->context) {
		status = ksspi_context_get(c->owner, c->context, &ctx);
		if (status != SEC_E_OK)
			return status;
		*ctxp = ctx;
		if (ctx->initiator != c->initiator)
			return SEC_E_INVALID_HANDLE;
		if (READ_ONCE(ctx->state) == KSSPI_CTX_FAILED)
			return SEC_E_CONTEXT_EXPIRED;
	}
	if (c->credential) {
		cred = ksspi_to_credential(ksspi_owner_get(c->owner, c->credential,
							   KSSPI_OBJ_CREDENTIAL));
		if (!cred)
			return SEC_E_INVALID_HANDLE;
		*credp = cred;
	}
	if (!ctx) {
		if (!cred)
			return SEC_E_NO_CREDENTIALS;
		if (!(cred->use & (c->initiator ? SECPKG_CRED_OUTBOUND :
						  SECPKG_CRED_INBOUND)))
			return SEC_E_NO_CREDENTIALS;
		if (!c->new_context)
			return SEC_E_INVALID_PARAMETER;
	} else if (cred && cred != ctx->cred) {
		/*
		 * Only after SEC_I_INCOMPLETE_CREDENTIALS: the caller brings
		 * a credential with a certificate (checked again under the
		 * handshake lock).
		 */
		if (!READ_ONCE(ctx->awaiting_credentials) ||
		    cred->pkg != ctx->pkg)
			return SEC_E_WRONG_CREDENTIAL_HANDLE;
		if (!(cred->use & SECPKG_CRED_OUTBOUND))
			return SEC_E_NO_CREDENTIALS;
	}

	if (c->desc_status != SEC_E_OK)
		return c->desc_status;
	/* Where the token would go is missing: Windows' ISC says too small. */
	if (!c->output || !ksspi_bufset_find(c->output, SECBUFFER_TOKEN))
		return c->initiator ? SEC_E_BUFFER_TOO_SMALL :
				      SEC_E_INVALID_PARAMETER;
	/*
	 * Requests a package cannot honour are not refused: they are simply
	 * not granted (absent from the returned attributes), as on Windows.
	 */
	return SEC_E_OK;
}

/* Checks of the input token, which depend on the context's state. */
static u32 ksspi_handshake_check_token(struct ksspi_handshake_call *c,
				       const struct ksspi_package *pkg,
				       bool first, const struct ksspi_buffer *tok)
{
	const struct ksspi_buffer *bindings, *params;
	bool has_token = tok && tok->cb_buffer;

	if (first && c->initiator) {
		if (has_token && !pkg->server_initiated)
			return SEC_E_INVALID_TOKEN;
	} else if (!has_token) {
		return SEC_E_INVALID_TOKEN;
	}
	if (has_token && tok->cb_buffer > KSSPI_MAX_TOKEN)
		return SEC_E_INVALID_TOKEN;
	bindings = ksspi_bufset_find(c->input, SECBUFFER_CHANNEL_BINDINGS);
	if (bindings && bindings->cb_buffer > KSSPI_MAX_TOKEN)
		return SEC_E_BAD_BINDINGS;
	params = ksspi_bufset_find(c->input, SECBUFFER_PKG_PARAMS);
	if (params && params->cb_buffer > KSSPI_MAX_TOKEN)
		return SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

/*
 * Tells the caller about its input through the first SECBUFFER_EMPTY input
 * buffer, which becomes SECBUFFER_MISSING or SECBUFFER_EXTRA with the byte
 * count, as Schannel does.  Without such a buffer only the status says it.
 */
static void ksspi_handshake_mark_input(struct ksspi_handshake_call *c,
				       u32 type, u32 count)
{
	struct ksspi_buffer *b = ksspi_bufset_find(c->input, SECBUFFER_EMPTY);

	if (!b || !count)
		return;
	b->buffer_type = type;
	b->cb_buffer = count;
}

static bool ksspi_handshake_extended_error(const struct ksspi_handshake_call *c)
{
	return c->context_req & (c->initiator ? ISC_REQ_EXTENDED_ERROR :
						ASC_REQ_EXTENDED_ERROR);
}

static bool ksspi_handshake_allocates(const struct ksspi_handshake_call *c)
{
	return c->kernel_caller &&
	       (c->context_req & (c->initiator ? ISC_REQ_ALLOCATE_MEMORY :
						 ASC_REQ_ALLOCATE_MEMORY));
}

/*
 * A failed leg hands back the count of missing bytes of
 * SEC_E_INCOMPLETE_MESSAGE, or, when the caller asked for extended errors,
 * the token that tells the peer why (a TSRequest errorCode, a TLS alert).
 */
static void ksspi_handshake_failed_leg(struct ksspi_handshake_call *c,
				       u32 status,
				       const struct ksspi_upcall_reply *reply)
{
	if (status == SEC_E_INCOMPLETE_MESSAGE) {
		ksspi_handshake_mark_input(c, SECBUFFER_MISSING,
					   reply->input_missing);
		return;
	}
	if (reply->token_len && ksspi_handshake_extended_error(c) &&
	    ksspi_bufset_put_token(c->output, reply->token, reply->token_len,
				   ksspi_handshake_allocates(c)) == SEC_E_OK)
		c->error_token = true;
}

/*
 * Keeps the CAs a server named with SEC_I_INCOMPLETE_CREDENTIALS for
 * SECPKG_ATTR_ISSUER_LIST_EX: entries of a big-endian u16 length and a DER
 * name, which must fill @reply's list exactly.  0 or -EPROTO.
 */
static int ksspi_handshake_keep_issuers(struct ksspi_context *ctx,
					struct ksspi_upcall_reply *reply)
{
	u32 at = 0, count = 0, len;

	while (at < reply->issuers_len) {
		if (reply->issuers_len - at < 2)
			return -EPROTO;
		len = get_unaligned_be16(reply->issuers + at);
		if (!len || len > reply->issuers_len - at - 2)
			return -EPROTO;
		at += 2 + len;
		count++;
	}
	mutex_lock(&ctx->msg_lock);
	kvfree(ctx->issuers);
	ctx->issuers = reply->issuers;
	ctx->issuers_len = reply->issuers_len;
	ctx->issuer_count = count;
	mutex_unlock(&ctx->msg_lock);
	reply->issuers = NULL;
	reply->issuers_len = 0;
	return 0;
}

/* Runs one leg through the helper and applies its answer to @ctx. */
static u32 ksspi_handshake_leg(struct ksspi_handshake_call *c,
			       struct ksspi_context *ctx, bool first,
			       bool reauth, struct ksspi_credential *new_cred,
			       const struct ksspi_buffer *tok, s64 *expiry)
{
	struct ksspi_upcall_request req = {};
	struct ksspi_upcall_reply reply;
	struct ksspi_identity_copy id = {};
	struct ksspi_buffer *bindings, *params;
	struct ksspi_sec_state *sec = NULL;
	u64 generation;
	u32 status;
	int err;

	if (first) {
		if (c->target && !ctx->target) {
			ctx->target = kstrdup(c->target, KSSPI_GFP_CALLER);
			if (!ctx->target)
				return SEC_E_INSUFFICIENT_MEMORY;
		}
		status = ksspi_context_begin_session(ctx);
		if (status != SEC_E_OK)
			return status;
		if (ctx->cred) {
			status = ksspi_credential_identity(ctx->cred, &id);
			if (status != SEC_E_OK)
				return status;
		}
		/* Delegated credentials live only in the helper that got them */
		if (ctx->cred && ctx->cred->delegation_session &&
		    ctx->cred->delegation_generation !=
		    ksspi_helper_generation()) {
			ksspi_identity_copy_free(&id);
			return SEC_E_NO_CREDENTIALS;
		}
	} else if (ctx->helper_generation != ksspi_helper_generation()) {
		/* The helper that held this handshake's state is gone. */
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	} else if (new_cred) {
		/* The credential that answers SEC_I_INCOMPLETE_CREDENTIALS */
		status = ksspi_credential_identity(new_cred, &id);
		if (status != SEC_E_OK)
			return status;
		ksspi_object_get(&new_cred->obj);
		ksspi_object_put(&ctx->cred->obj);
		ctx->cred = new_cred;
	}
	ctx->awaiting_credentials = false;

	req.op = c->initiator ? KSSPI_OP_INIT_CONTEXT : KSSPI_OP_ACCEPT_CONTEXT;
	req.package = ctx->pkg->info.name;
	req.session_id = ctx->session_id;
	req.flags = (first ? KSSPI_UPCALL_F_FIRST_LEG : 0) |
		    (reauth ? KSSPI_UPCALL_F_REAUTH : 0) |
		    (c->kernel_caller ? KSSPI_UPCALL_F_KERNEL_CALLER : 0) |
		    (new_cred ? KSSPI_UPCALL_F_NEW_CREDENTIAL : 0);
	req.context_req = c->context_req;
	req.credential_use = ctx->cred ? ctx->cred->use : 0;
	req.target = first ? ctx->target : NULL;
	req.user = id.user;
	req.domain = id.domain;
	req.password = id.password;
	req.password_len = id.password_len;
	req.tls_identity = id.tls;
	req.tls_identity_len = id.tls_len;
	if (tok && tok->cb_buffer) {
		req.token = tok->pv_buffer;
		req.token_len = tok->cb_buffer;
	}
	bindings = ksspi_bufset_find(c->input, SECBUFFER_CHANNEL_BINDINGS);
	if (bindings && bindings->cb_buffer) {
		req.bindings = bindings->pv_buffer;
		req.bindings_len = bindings->cb_buffer;
	}
	params = ksspi_bufset_find(c->input, SECBUFFER_PKG_PARAMS);
	if (params && params->cb_buffer) {
		req.pkg_params = params->pv_buffer;
		req.pkg_params_len = params->cb_buffer;
	}
	req.credential_id = ctx->cred ? ctx->cred->id : 0;
	if (first && ctx->cred)
		req.delegation_session = ctx->cred->delegation_session;
	req.logon_session = c->kernel_caller ? AUDIT_SID_UNSET :
			    audit_get_sessionid(current);
	req.owner = c->owner->user;
	req.pid = c->kernel_caller ? 0 : task_tgid_nr(current);

	err = ksspi_upcall(&req, &reply, &generation);
	ksspi_identity_copy_free(&id);
	if (first)
		ctx->helper_generation = generation;
	if (err)
		return ksspi_upcall_status(err);

	status = reply.status;
	if (!ksspi_leg_status_valid(status))
		status = SEC_E_INTERNAL_ERROR;
	if (status & 0x80000000u) {
		ksspi_handshake_failed_leg(c, status, &reply);
		goto out;
	}
	if (reply.input_extra > (tok ? tok->cb_buffer : 0)) {
		status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	if (status == SEC_I_INCOMPLETE_CREDENTIALS) {
		/* A client's, and nothing of the input was used. */
		if (!ctx->initiator || reply.token_len || reply.input_extra ||
		    ksspi_handshake_keep_issuers(ctx, &reply)) {
			status = SEC_E_INTERNAL_ERROR;
			goto out;
		}
		ctx->awaiting_credentials = true;
	}

	if (ksspi_leg_final(status)) {
		/*
		 * The helper drops its state with the final answer, unless an
		 * acceptor's holds delegated credentials; what an earlier
		 * authentication of the context delegated goes either way.
		 */
		ksspi_context_drop_kept(ctx);
		if (reply.keep_session && !ctx->initiator &&
		    status == SEC_E_OK)
			ksspi_context_keep_session(ctx);
		else
			ksspi_context_end_session(ctx, !reply.keep_session);
		if (ksspi_blob_parse(ctx->pkg, reply.blob, reply.blob_len,
				     &sec) != SEC_E_OK ||
		    !!(sec->flags & KSSPI_CTX_F_INITIATOR) != ctx->initiator) {
			status = SEC_E_INTERNAL_ERROR;
			goto out;
		}
	}

	{
		u32 put = ksspi_bufset_put_token(c->output, reply.token,
						 reply.token_len,
						 ksspi_handshake_allocates(c));

		if (put != SEC_E_OK) {
			status = put;
			goto out;
		}
	}
	ksspi_handshake_mark_input(c, SECBUFFER_EXTRA, reply.input_extra);

	if (sec) {
		WRITE_ONCE(ctx->context_attr, sec->context_attr);
		*expiry = ksspi_timestamp(sec->expiry);
		ksspi_context_set_state(ctx, KSSPI_CTX_ESTABLISHED, sec);
		sec = NULL;
	} else {
		WRITE_ONCE(ctx->context_attr, reply.context_attr);
		*expiry = ksspi_timestamp(reply.expiry);
	}
out:
	ksspi_sec_state_free(sec);
	ksspi_upcall_reply_free(&reply);
	return status;
}

/* A failed call hands back no token: its length reads 0. */
static void ksspi_handshake_clear_token(struct ksspi_handshake_call *c)
{
	struct ksspi_buffer *tok = ksspi_bufset_find(c->output,
						     SECBUFFER_TOKEN);

	if (tok)
		tok->cb_buffer = 0;
}

/* A call that fails after the token was allocated for the caller frees it. */
static void ksspi_handshake_drop_token(struct ksspi_handshake_call *c)
{
	u32 alloc = c->initiator ? ISC_REQ_ALLOCATE_MEMORY :
				   ASC_REQ_ALLOCATE_MEMORY;
	struct ksspi_buffer *tok;

	if (!c->kernel_caller || !(c->context_req & alloc))
		return;
	tok = ksspi_bufset_find(c->output, SECBUFFER_TOKEN);
	if (tok) {
		ksspi_context_buffer_free(tok->pv_buffer);
		tok->pv_buffer = NULL;
		tok->cb_buffer = 0;
	}
}

/**
 * ksspi_handshake - InitializeSecurityContext or AcceptSecurityContext
 * @c: the call; its outputs are filled in
 *
 * Return: the SECURITY_STATUS of the call.
 */
u32 ksspi_handshake(struct ksspi_handshake_call *c)
{
	struct ksspi_context *ctx = NULL, *fresh = NULL;
	struct ksspi_credential *cred = NULL, *new_cred;
	struct ksspi_buffer *tok;
	bool first, reauth;
	u32 status, alloc_attr;
	s64 expiry = KSSPI_TIMESTAMP_NEVER;

	c->context_attr = 0;
	c->expiry = 0;
	c->created = false;
	c->error_token = false;

	status = ksspi_handshake_check(c, &ctx, &cred);
	if (status != SEC_E_OK)
		goto out_put;

	if (!ctx) {
		fresh = ksspi_context_alloc(c->owner->user, cred->pkg, cred,
					    c->initiator);
		if (!fresh) {
			status = SEC_E_INSUFFICIENT_MEMORY;
			goto out_put;
		}
		ctx = fresh;
	}

	if (mutex_lock_killable(&ctx->handshake_lock)) {
		status = SEC_E_INTERNAL_ERROR;
		goto out_put;
	}
	if (READ_ONCE(ctx->state) == KSSPI_CTX_FAILED) {
		status = SEC_E_CONTEXT_EXPIRED;	/* failed while we waited */
		goto out_unlock;
	}
	reauth = READ_ONCE(ctx->state) == KSSPI_CTX_ESTABLISHED;
	/* A reauthentication's later legs continue its own session. */
	first = fresh || (reauth && !ctx->session_id);

	tok = ksspi_bufset_find(c->input, SECBUFFER_TOKEN);
	status = ksspi_handshake_check_token(c, ctx->pkg, first, tok);
	if (status != SEC_E_OK)
		goto out_unlock;
	if (!ksspi_helper_present()) {
		status = SEC_E_NO_AUTHENTICATING_AUTHORITY;
		goto out_unlock;
	}

	new_cred = cred && cred != ctx->cred ? cred : NULL;
	if (new_cred && (first || !ctx->awaiting_credentials)) {
		status = SEC_E_WRONG_CREDENTIAL_HANDLE;
		goto out_unlock;
	}
	status = ksspi_handshake_leg(c, ctx, first, reauth, new_cred, tok,
				     &expiry);
	if (status == SEC_E_INCOMPLETE_MESSAGE) {
		/*
		 * Nothing was used: the helper keeps its state for the call
		 * that brings the whole input.  A first call leaves no
		 * context, as on Windows.
		 */
		if (fresh)
			ksspi_context_end_session(ctx, false);
		goto out_unlock;
	}
	if (status & 0x80000000u) {
		atomic64_inc(&ksspi_stats.handshakes_failed);
		/* The helper may still hold the state if the kernel failed. */
		ksspi_context_end_session(ctx, false);
		if (!fresh)
			ksspi_context_set_state(ctx, KSSPI_CTX_FAILED, NULL);
		goto out_unlock;
	}

	alloc_attr = c->initiator ? ISC_REQ_ALLOCATE_MEMORY : ASC_REQ_ALLOCATE_MEMORY;
	c->context_attr = ctx->context_attr;
	if (c->context_req & alloc_attr)
		c->context_attr |= c->initiator ? ISC_RET_ALLOCATED_MEMORY :
						  ASC_RET_ALLOCATED_MEMORY;
	if (reauth && c->initiator)
		c->context_attr |= ISC_RET_REAUTHENTICATION;
	/* The AcceptSecurityContext pages: the expiry only on the last call. */
	c->expiry = c->initiator || ksspi_leg_final(status) ? expiry : 0;

	if (fresh) {
		ksspi_object_get(&fresh->obj);	/* for the table */
		if (ksspi_owner_insert(c->owner, &fresh->obj, c->new_context)) {
			ksspi_object_put(&fresh->obj);
			ksspi_handshake_drop_token(c);
			status = SEC_E_INSUFFICIENT_MEMORY;
			goto out_unlock;
		}
		c->created = true;
	} else if (c->new_context) {
		*c->new_context = *c->context;
	}
out_unlock:
	mutex_unlock(&ctx->handshake_lock);
out_put:
	if ((status & 0x80000000u) && c->desc_status == SEC_E_OK &&
	    !c->error_token)
		ksspi_handshake_clear_token(c);
	if (ctx)
		ksspi_object_put(&ctx->obj);
	if (cred)
		ksspi_object_put(&cred->obj);
	return status;
}

/**
 * ksspi_query_answer - hand a QueryContextAttributes answer to the caller
 * @buf: the caller's buffer
 * @len: in, its room; out, the answer's size
 * @answer: the answer
 * @size: its size
 *
 * Return: SEC_E_OK, or SEC_E_BUFFER_TOO_SMALL (with *@len the size needed).
 */
u32 ksspi_query_answer(void *buf, u32 *len, const void *answer, u32 size)
{
	u32 room = *len;

	*len = size;
	if (room < size)
		return SEC_E_BUFFER_TOO_SMALL;
	memcpy(buf, answer, size);
	return SEC_E_OK;
}

static u32 ksspi_answer_string(void *buf, u32 *len, const char *s)
{
	return ksspi_query_answer(buf, len, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* SECPKG_ATTR_ISSUER_LIST_EX: empty until SEC_I_INCOMPLETE_CREDENTIALS */
static u32 ksspi_answer_issuers(struct ksspi_context *ctx, void *buf,
				u32 *len)
{
	struct ksspi_attr_issuer_list head = {
		.count = ctx->issuer_count,
		.length = ctx->issuers_len,
	};
	u32 room = *len;

	*len = sizeof(head) + ctx->issuers_len;
	if (room < *len)
		return SEC_E_BUFFER_TOO_SMALL;
	memcpy(buf, &head, sizeof(head));
	if (ctx->issuers_len)
		memcpy((u8 *)buf + sizeof(head), ctx->issuers,
		       ctx->issuers_len);
	return SEC_E_OK;
}

static u32 ksspi_query_locked(struct ksspi_context *ctx, u32 attribute,
			      void *buf, u32 *len)
{
	struct ksspi_sec_state *sec = ctx->sec;
	enum ksspi_context_state state = READ_ONCE(ctx->state);

	/* Negotiate names the package it chose once it has one */
	const struct ksspi_package *mech = sec ? sec->mech : ctx->pkg;

	if (attribute == SECPKG_ATTR_PACKAGE_INFO)
		return ksspi_query_answer(buf, len, &mech->info,
					  sizeof(mech->info));
	if (state == KSSPI_CTX_FAILED)
		return SEC_E_CONTEXT_EXPIRED;

	switch (attribute) {
	case SECPKG_ATTR_NEGOTIATION_INFO: {
		struct ksspi_attr_negotiation_info ni = {
			.negotiation_state = sec ? SECPKG_NEGOTIATION_COMPLETE :
					     SECPKG_NEGOTIATION_IN_PROGRESS,
			.package = mech->info,
		};

		return ksspi_query_answer(buf, len, &ni, sizeof(ni));
	}
	case SECPKG_ATTR_SIZES: {
		struct ksspi_attr_sizes sizes = mech->sizes;

		if (sec && mech->ops->sizes)
			mech->ops->sizes(sec, &sizes);
		return ksspi_query_answer(buf, len, &sizes, sizeof(sizes));
	}
	case SECPKG_ATTR_ISSUER_LIST_EX:
		if (!ctx->pkg->tls_identity || !ctx->initiator)
			return SEC_E_UNSUPPORTED_FUNCTION;
		return ksspi_answer_issuers(ctx, buf, len);
	case SECPKG_ATTR_FLAGS: {
		struct ksspi_attr_flags fl = {
			.flags = sec ? sec->context_attr :
				 READ_ONCE(ctx->context_attr),
		};

		return ksspi_query_answer(buf, len, &fl, sizeof(fl));
	}
	}

	if (!sec && (attribute == SECPKG_ATTR_LIFESPAN ||
		     attribute == SECPKG_ATTR_NAMES ||
		     attribute == SECPKG_ATTR_SESSION_KEY))
		return SEC_E_NO_CONTEXT;

	switch (attribute) {
	case SECPKG_ATTR_LIFESPAN: {
		struct ksspi_attr_lifespan ls = {
			.start = ksspi_timestamp(ctx->start),
			.expiry = ksspi_timestamp(sec->expiry),
		};

		return ksspi_query_answer(buf, len, &ls, sizeof(ls));
	}
	case SECPKG_ATTR_NAMES:
		return ksspi_answer_string(buf, len, sec->client_name);
	case SECPKG_ATTR_SESSION_KEY:
		if (!sec->session_key)
			return SEC_E_UNSUPPORTED_FUNCTION;
		return ksspi_query_answer(buf, len, sec->session_key,
				    sec->session_key_len);
	}

	if (!mech->ops->query)
		return SEC_E_UNSUPPORTED_FUNCTION;
	return mech->ops->query(sec, attribute, buf, len);
}

/**
 * ksspi_context_query - QueryContextAttributes
 * @owner: the caller's table
 * @handle: the context
 * @attribute: SECPKG_ATTR_*
 * @buf: receives the answer, in the ABI layout of @attribute
 * @len: in, room at @buf; out, the answer's size
 *
 * Return: SEC_E_OK or the documented failure status.
 */
u32 ksspi_context_query(struct ksspi_owner *owner,
			const struct ksspi_handle *handle, u32 attribute,
			void *buf, u32 *len)
{
	struct ksspi_context *ctx;
	u32 status;

	status = ksspi_context_get(owner, handle, &ctx);
	if (status != SEC_E_OK)
		return status;
	mutex_lock(&ctx->msg_lock);
	status = ksspi_query_locked(ctx, attribute, buf, len);
	mutex_unlock(&ctx->msg_lock);
	ksspi_object_put(&ctx->obj);
	return status;
}

/**
 * ksspi_context_export - ExportSecurityContext
 * @owner: the caller's table
 * @handle: the context
 * @flags: SECPKG_CONTEXT_EXPORT_*; DELETE_OLD deletes the context after a
 *	successful export, the others change nothing here
 * @blob: receives the serialized context (free with kvfree_sensitive())
 * @blob_len: receives its length
 *
 * Return: SEC_E_OK or the documented failure status.
 */
u32 ksspi_context_export(struct ksspi_owner *owner,
			 const struct ksspi_handle *handle, u32 flags,
			 void **blob, u32 *blob_len)
{
	struct ksspi_context *ctx;
	u32 status;

	if (flags & ~(SECPKG_CONTEXT_EXPORT_RESET_NEW |
		      SECPKG_CONTEXT_EXPORT_DELETE_OLD |
		      SECPKG_CONTEXT_EXPORT_TO_KERNEL))
		return SEC_E_INVALID_PARAMETER;
	status = ksspi_context_get(owner, handle, &ctx);
	if (status != SEC_E_OK)
		return status;

	mutex_lock(&ctx->msg_lock);
	if (READ_ONCE(ctx->state) == KSSPI_CTX_FAILED)
		status = SEC_E_CONTEXT_EXPIRED;
	else if (!ctx->sec)
		status = SEC_E_NO_CONTEXT;
	else
		status = ksspi_blob_build(ctx->sec, blob, blob_len);
	mutex_unlock(&ctx->msg_lock);
	ksspi_object_put(&ctx->obj);

	if (status == SEC_E_OK && (flags & SECPKG_CONTEXT_EXPORT_DELETE_OLD))
		ksspi_context_delete(owner, handle);
	return status;
}

/**
 * ksspi_context_import - ImportSecurityContext
 * @owner: the caller's table
 * @package: the package the blob must belong to
 * @blob: the serialized context
 * @blob_len: its length
 * @handle: receives the new context's handle
 *
 * The caller has checked the privilege to import.
 *
 * Return: SEC_E_OK or the documented failure status.
 */
u32 ksspi_context_import(struct ksspi_owner *owner, const char *package,
			 const void *blob, u32 blob_len,
			 struct ksspi_handle *handle)
{
	const struct ksspi_package *pkg;
	struct ksspi_sec_state *sec;
	struct ksspi_context *ctx;
	u32 status;

	pkg = package && *package ? ksspi_package_find(package) : NULL;
	if (!pkg)
		return SEC_E_SECPKG_NOT_FOUND;
	status = ksspi_blob_parse(pkg, blob, blob_len, &sec);
	if (status != SEC_E_OK)
		return status;

	ctx = ksspi_context_alloc(owner->user, pkg, NULL,
				  sec->flags & KSSPI_CTX_F_INITIATOR);
	if (!ctx) {
		ksspi_sec_state_free(sec);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	ctx->sec = sec;
	ctx->context_attr = sec->context_attr;
	ctx->state = KSSPI_CTX_ESTABLISHED;
	if (ksspi_owner_insert(owner, &ctx->obj, handle)) {
		ksspi_object_put(&ctx->obj);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	return SEC_E_OK;
}

/**
 * ksspi_context_complete - CompleteAuthToken
 * @owner: the caller's table
 * @handle: the context
 * @desc_status: outcome of validating the token descriptor
 *
 * No package here asks for completion (none returns SEC_I_COMPLETE_NEEDED
 * with work left to do), so after the checks this is the no-op that
 * Windows' NTLM and Kerberos also perform.
 *
 * Return: SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_CONTEXT_EXPIRED or
 * SEC_E_INVALID_PARAMETER.
 */
u32 ksspi_context_complete(struct ksspi_owner *owner,
			   const struct ksspi_handle *handle, u32 desc_status)
{
	struct ksspi_context *ctx;
	u32 status;

	status = ksspi_context_get(owner, handle, &ctx);
	if (status != SEC_E_OK)
		return status;
	if (READ_ONCE(ctx->state) == KSSPI_CTX_FAILED)
		status = SEC_E_CONTEXT_EXPIRED;
	else
		status = desc_status;
	ksspi_object_put(&ctx->obj);
	return status;
}
