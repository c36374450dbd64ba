// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel API (<linux/ksspi_api.h>): the SSPI functions for kernel
 * callers, on the same core as /dev/ksspi.  Each consumer opens a handle
 * table of its own with ksspi_open(): handles of one consumer mean nothing
 * to another, as an open file's mean nothing to another file.
 */
#include <linux/export.h>
#include <linux/nls.h>
#include <linux/slab.h>
#include <linux/ksspi_api.h>
#include "context.h"
#include "credential.h"
#include "ktls.h"
#include "owner.h"
#include "secbuf.h"
#include "timestamp.h"
#include "user.h"

/**
 * ksspi_open - open a handle table for one in-kernel consumer
 *
 * Every handle the consumer makes lives in this table and is only
 * meaningful with it.  The table counts what it holds but is not limited
 * per user: the consumer answers for its own clients.
 *
 * Context: process context; may sleep.
 * Return: the table, or NULL when out of memory.
 */
struct ksspi_owner *ksspi_open(void)
{
	struct ksspi_owner *owner = kzalloc(sizeof(*owner), GFP_KERNEL);
	struct ksspi_user *user = ksspi_kernel_user_new();

	if (!owner || !user) {
		kfree(owner);
		ksspi_user_put(user);
		return NULL;
	}
	ksspi_owner_init(owner, user);
	return owner;
}
EXPORT_SYMBOL_GPL(ksspi_open);

/**
 * ksspi_close - close a handle table
 * @owner: the table from ksspi_open() (NULL is fine)
 *
 * Deletes every credential and context still in it, as closing /dev/ksspi
 * does.  No call may be using the table any more.
 *
 * Context: process context; may sleep.
 */
void ksspi_close(struct ksspi_owner *owner)
{
	if (!owner)
		return;
	ksspi_owner_destroy(owner);
	kfree(owner);
}
EXPORT_SYMBOL_GPL(ksspi_close);

/* A new credential (if @status is SEC_E_OK) into the caller's table */
static u32 ksspi_kapi_hand_out(struct ksspi_owner *owner, u32 status,
			       struct ksspi_credential *cred,
			       struct ksspi_handle *credential, s64 *expiry)
{
	if (status != SEC_E_OK)
		return status;
	if (ksspi_owner_insert(owner, &cred->obj, credential)) {
		ksspi_object_put(&cred->obj);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	if (expiry)
		*expiry = KSSPI_TIMESTAMP_NEVER;
	return SEC_E_OK;
}

/**
 * ksspi_acquire_credentials_handle - AcquireCredentialsHandle
 * @owner: the caller's handle table, from ksspi_open()
 * @package: package name
 * @credential_use: SECPKG_CRED_INBOUND, _OUTBOUND or _BOTH
 * @identity: user, domain and password (UTF-8), or a key serial; NULL for
 *	default credentials
 * @credential: receives the CredHandle
 * @expiry: receives the expiry (local time), may be NULL
 *
 * Context: process context; may sleep.
 * Return: SEC_E_OK, SEC_E_SECPKG_NOT_FOUND, SEC_E_INVALID_PARAMETER,
 * SEC_E_UNKNOWN_CREDENTIALS, SEC_E_INSUFFICIENT_MEMORY.
 */
ksspi_status_t ksspi_acquire_credentials_handle(struct ksspi_owner *owner,
						const char *package,
						u32 credential_use,
						const struct ksspi_identity *identity,
						struct ksspi_handle *credential,
						s64 *expiry)
{
	struct ksspi_credential *cred = NULL;
	u32 status;

	if (!owner)
		return SEC_E_INVALID_HANDLE;
	if (!credential)
		return SEC_E_INVALID_PARAMETER;
	if (identity && !identity->user && !identity->key_serial &&
	    !identity->tls_certificate_key && !identity->tls_private_key)
		identity = NULL;
	status = ksspi_credential_create(owner->user, package, credential_use,
					 identity, false, &cred);
	return ksspi_kapi_hand_out(owner, status, cred, credential, expiry);
}
EXPORT_SYMBOL_GPL(ksspi_acquire_credentials_handle);

/**
 * ksspi_acquire_credentials_from_context - outbound credentials of what a
 *	client delegated to an accepted context (a Linux extension: Windows
 *	servers impersonate the client instead)
 * @owner: the caller's handle table, which holds @context
 * @package: "Kerberos" or "Negotiate"
 * @context: a context accepted with ASC_REQ_DELEGATE whose last call
 *	returned ASC_RET_DELEGATE
 * @credential: receives the CredHandle (SECPKG_CRED_OUTBOUND)
 * @expiry: receives the expiry (local time), may be NULL
 *
 * InitializeSecurityContext with the credential acts as the client of
 * @context.  Once @context is deleted, or the helper restarts, its first
 * legs get SEC_E_NO_CREDENTIALS.
 *
 * Context: process context; may sleep.
 * Return: SEC_E_OK, SEC_E_SECPKG_NOT_FOUND, SEC_E_INVALID_HANDLE,
 * SEC_E_NO_CREDENTIALS, SEC_E_INSUFFICIENT_MEMORY.
 */
ksspi_status_t ksspi_acquire_credentials_from_context(struct ksspi_owner *owner,
						      const char *package,
						      const struct ksspi_handle *context,
						      struct ksspi_handle *credential,
						      s64 *expiry)
{
	struct ksspi_credential *cred = NULL;
	u32 status;

	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	if (!credential)
		return SEC_E_INVALID_PARAMETER;
	status = ksspi_credential_from_context(owner, package,
					       SECPKG_CRED_OUTBOUND, context,
					       &cred);
	return ksspi_kapi_hand_out(owner, status, cred, credential, expiry);
}
EXPORT_SYMBOL_GPL(ksspi_acquire_credentials_from_context);

/**
 * ksspi_free_credentials_handle - FreeCredentialsHandle
 * @owner: the caller's handle table, from ksspi_open()
 * @credential: the handle; contexts made with it keep working
 *
 * Context: process context.
 * Return: SEC_E_OK or SEC_E_INVALID_HANDLE.
 */
ksspi_status_t ksspi_free_credentials_handle(struct ksspi_owner *owner,
					     struct ksspi_handle *credential)
{
	if (!owner || !credential)
		return SEC_E_INVALID_HANDLE;
	return ksspi_owner_remove(owner, credential, KSSPI_OBJ_CREDENTIAL) ?
	       SEC_E_OK : SEC_E_INVALID_HANDLE;
}
EXPORT_SYMBOL_GPL(ksspi_free_credentials_handle);

/* The kernel-mode target name: NUL-terminated UTF-16, host byte order. */
static u32 ksspi_target_from_utf16(const u16 *name, char **out)
{
	size_t n = 0;
	char *s;
	int len;

	*out = NULL;
	if (!name)
		return SEC_E_OK;
	while (name[n]) {
		if (++n > KSSPI_MAX_NAME)
			return SEC_E_TARGET_UNKNOWN;
	}
	s = kmalloc(3 * n + 1, KSSPI_GFP_CALLER);
	if (!s)
		return SEC_E_INSUFFICIENT_MEMORY;
	len = utf16s_to_utf8s((const wchar_t *)name, n, UTF16_HOST_ENDIAN, s,
			      3 * n);
	if (len < 0 || len > KSSPI_MAX_NAME) {
		kfree(s);
		return SEC_E_TARGET_UNKNOWN;
	}
	s[len] = '\0';
	*out = s;
	return SEC_E_OK;
}

static u32 ksspi_kernel_bufsets(struct ksspi_handshake_call *call,
				struct ksspi_buffer_desc *input,
				struct ksspi_buffer_desc *output,
				struct ksspi_bufset *inset,
				struct ksspi_bufset *outset)
{
	u32 status = SEC_E_OK;

	if (input) {
		status = ksspi_bufset_from_kernel(inset, input);
		call->input = inset;
	}
	/* An output descriptor without buffers is no output, as on Windows. */
	if (output && (output->ul_version != SECBUFFER_VERSION ||
		       output->c_buffers)) {
		u32 out_status = ksspi_bufset_from_kernel(outset, output);

		if (status == SEC_E_OK)
			status = out_status;
		call->output = outset;
	}
	return status;
}

/**
 * ksspi_initialize_security_context - InitializeSecurityContext
 * @owner: the caller's handle table, from ksspi_open()
 * @credential: phCredential, or NULL on later calls
 * @context: phContext, NULL on the first call
 * @target_name: pszTargetName: NUL-terminated UTF-16 (host order) or NULL
 * @context_req: fContextReq (ISC_REQ_*)
 * @reserved1: must be 0
 * @target_data_rep: SECURITY_NATIVE_DREP or SECURITY_NETWORK_DREP
 * @input: pInput or NULL; buffers may be vmalloc'd
 * @reserved2: must be 0
 * @new_context: phNewContext: receives the handle on the first call
 * @output: pOutput: a SECBUFFER_TOKEN buffer receives the token; with
 *	ISC_REQ_ALLOCATE_MEMORY ksspi allocates it (free it with
 *	ksspi_free_context_buffer())
 * @context_attr: pfContextAttr (ISC_RET_*)
 * @expiry: ptsExpiry or NULL
 *
 * Context: process context; sleeps while the helper works.
 * Return: the SECURITY_STATUS; Documentation/status-codes.rst lists them.
 */
ksspi_status_t ksspi_initialize_security_context(struct ksspi_owner *owner,
						 struct ksspi_handle *credential,
						 struct ksspi_handle *context,
						 const u16 *target_name,
						 u32 context_req, u32 reserved1,
						 u32 target_data_rep,
						 struct ksspi_buffer_desc *input,
						 u32 reserved2,
						 struct ksspi_handle *new_context,
						 struct ksspi_buffer_desc *output,
						 u32 *context_attr, s64 *expiry)
{
	struct ksspi_handshake_call call = {
		.owner = owner,
		.initiator = true,
		.credential = credential,
		.context = context,
		.new_context = new_context,
		.context_req = context_req,
		.reserved1 = reserved1,
		.reserved2 = reserved2,
		.target_data_rep = target_data_rep,
		.kernel_caller = true,
	};
	struct ksspi_bufset inset = {}, outset = {};
	char *target;
	u32 status;

	if (!owner)
		return SEC_E_INVALID_HANDLE;
	status = ksspi_target_from_utf16(target_name, &target);
	if (status != SEC_E_OK)
		return status;
	call.target = target;
	call.desc_status = ksspi_kernel_bufsets(&call, input, output, &inset,
						&outset);
	status = ksspi_handshake(&call);
	kfree(target);
	if (context_attr)
		*context_attr = call.context_attr;
	if (expiry)
		*expiry = call.expiry ? ksspi_timestamp_local(call.expiry) : 0;
	return status;
}
EXPORT_SYMBOL_GPL(ksspi_initialize_security_context);

/**
 * ksspi_accept_security_context - AcceptSecurityContext
 * @owner: the caller's handle table, from ksspi_open()
 * @credential: phCredential, or NULL on later calls
 * @context: phContext, NULL on the first call
 * @input: pInput: a SECBUFFER_TOKEN buffer with the client's token
 * @context_req: fContextReq (ASC_REQ_*)
 * @target_data_rep: SECURITY_NATIVE_DREP or SECURITY_NETWORK_DREP
 * @new_context: phNewContext: receives the handle on the first call
 * @output: pOutput, as for ksspi_initialize_security_context()
 * @context_attr: pfContextAttr (ASC_RET_*)
 * @expiry: ptsExpiry or NULL
 *
 * Context: process context; sleeps while the helper works.
 * Return: the SECURITY_STATUS.
 */
ksspi_status_t ksspi_accept_security_context(struct ksspi_owner *owner,
					     struct ksspi_handle *credential,
					     struct ksspi_handle *context,
					     struct ksspi_buffer_desc *input,
					     u32 context_req,
					     u32 target_data_rep,
					     struct ksspi_handle *new_context,
					     struct ksspi_buffer_desc *output,
					     u32 *context_attr, s64 *expiry)
{
	struct ksspi_handshake_call call = {
		.owner = owner,
		.initiator = false,
		.credential = credential,
		.context = context,
		.new_context = new_context,
		.context_req = context_req,
		.target_data_rep = target_data_rep,
		.kernel_caller = true,
	};
	struct ksspi_bufset inset = {}, outset = {};
	u32 status;

	if (!owner)
		return SEC_E_INVALID_HANDLE;
	call.desc_status = ksspi_kernel_bufsets(&call, input, output, &inset,
						&outset);
	status = ksspi_handshake(&call);
	if (context_attr)
		*context_attr = call.context_attr;
	if (expiry)
		*expiry = call.expiry ? ksspi_timestamp_local(call.expiry) : 0;
	return status;
}
EXPORT_SYMBOL_GPL(ksspi_accept_security_context);

/**
 * ksspi_delete_security_context - DeleteSecurityContext
 * @owner: the caller's handle table, from ksspi_open()
 * @context: the handle; it is invalid at once, and a call still using the
 *	context keeps its own reference until it returns
 *
 * Context: process context.
 * Return: SEC_E_OK or SEC_E_INVALID_HANDLE.
 */
ksspi_status_t ksspi_delete_security_context(struct ksspi_owner *owner,
					     struct ksspi_handle *context)
{
	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	return ksspi_context_delete(owner, context);
}
EXPORT_SYMBOL_GPL(ksspi_delete_security_context);

/**
 * ksspi_complete_auth_token - CompleteAuthToken
 * @owner: the caller's handle table, from ksspi_open()
 * @context: the context
 * @token: the token descriptor
 *
 * Context: process context.
 * Return: SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_CONTEXT_EXPIRED,
 * SEC_E_INVALID_PARAMETER.
 */
ksspi_status_t ksspi_complete_auth_token(struct ksspi_owner *owner,
					 struct ksspi_handle *context,
					 struct ksspi_buffer_desc *token)
{
	struct ksspi_bufset set;
	u32 desc_status;

	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	desc_status = token ? ksspi_bufset_from_kernel(&set, token) :
			      SEC_E_INVALID_PARAMETER;
	return ksspi_context_complete(owner, context,
				      desc_status);
}
EXPORT_SYMBOL_GPL(ksspi_complete_auth_token);

/**
 * ksspi_query_context_attributes - QueryContextAttributes
 * @owner: the caller's handle table, from ksspi_open()
 * @context: the context
 * @attribute: SECPKG_ATTR_*
 * @buffer: receives the answer in the layout of <linux/ksspi.h>
 * @buffer_len: in, room at @buffer; out, the answer's size
 *
 * Context: process context.
 * Return: SEC_E_OK, SEC_E_BUFFER_TOO_SMALL (with the size needed) or the
 * documented failure status.
 */
ksspi_status_t ksspi_query_context_attributes(struct ksspi_owner *owner,
					      struct ksspi_handle *context,
					      u32 attribute, void *buffer,
					      u32 *buffer_len)
{
	struct ksspi_attr_lifespan *lifespan = buffer;
	u32 status;

	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	if (!buffer_len || (*buffer_len && !buffer))
		return SEC_E_INVALID_PARAMETER;
	status = ksspi_context_query(owner, context, attribute, buffer,
				     buffer_len);
	if (status == SEC_E_OK && attribute == SECPKG_ATTR_LIFESPAN) {
		lifespan->start = ksspi_timestamp_local(lifespan->start);
		lifespan->expiry = ksspi_timestamp_local(lifespan->expiry);
	}
	return status;
}
EXPORT_SYMBOL_GPL(ksspi_query_context_attributes);

/**
 * ksspi_free_context_buffer - FreeContextBuffer
 * @buffer: memory ksspi allocated for the caller (NULL is fine); it is
 *	zeroized before it is freed
 *
 * Context: process context.
 * Return: SEC_E_OK.
 */
ksspi_status_t ksspi_free_context_buffer(void *buffer)
{
	ksspi_context_buffer_free(buffer);
	return SEC_E_OK;
}
EXPORT_SYMBOL_GPL(ksspi_free_context_buffer);

static u32 ksspi_kernel_message(struct ksspi_owner *owner,
				struct ksspi_handle *context,
				enum ksspi_message_op op,
				struct ksspi_buffer_desc *message, u32 sequence,
				u32 *qop)
{
	struct ksspi_bufset set = {};
	u32 desc_status;

	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	desc_status = message ? ksspi_bufset_from_kernel(&set, message) :
				SEC_E_INVALID_PARAMETER;
	return ksspi_message(owner, context, op, &set,
			     desc_status, sequence, qop);
}

/**
 * ksspi_make_signature - MakeSignature
 * @owner: the caller's handle table, from ksspi_open()
 * @context: an established context
 * @qop: fQOP (must be 0)
 * @message: SECBUFFER_DATA buffers and a SECBUFFER_TOKEN that receives the
 *	signature; buffers may be vmalloc'd
 * @sequence: MessageSeqNo
 *
 * Context: process context.
 * Return: the SECURITY_STATUS.
 */
ksspi_status_t ksspi_make_signature(struct ksspi_owner *owner,
				    struct ksspi_handle *context, u32 qop,
				    struct ksspi_buffer_desc *message,
				    u32 sequence)
{
	return ksspi_kernel_message(owner, context, KSSPI_MSG_SIGN, message,
				    sequence, &qop);
}
EXPORT_SYMBOL_GPL(ksspi_make_signature);

/**
 * ksspi_verify_signature - VerifySignature
 * @owner: the caller's handle table, from ksspi_open()
 * @context: an established context
 * @message: the data buffers and the SECBUFFER_TOKEN with the signature
 * @sequence: MessageSeqNo
 * @qop: receives pfQOP, may be NULL
 *
 * Context: process context.
 * Return: SEC_E_OK, SEC_E_MESSAGE_ALTERED, SEC_E_OUT_OF_SEQUENCE, ...
 */
ksspi_status_t ksspi_verify_signature(struct ksspi_owner *owner,
				      struct ksspi_handle *context,
				      struct ksspi_buffer_desc *message,
				      u32 sequence, u32 *qop)
{
	return ksspi_kernel_message(owner, context, KSSPI_MSG_VERIFY, message,
				    sequence, qop);
}
EXPORT_SYMBOL_GPL(ksspi_verify_signature);

/**
 * ksspi_encrypt_message - EncryptMessage
 * @owner: the caller's handle table, from ksspi_open()
 * @context: an established context
 * @qop: fQOP
 * @message: the buffers, encrypted in place
 * @sequence: MessageSeqNo
 *
 * Context: process context.
 * Return: the SECURITY_STATUS.
 */
ksspi_status_t ksspi_encrypt_message(struct ksspi_owner *owner,
				     struct ksspi_handle *context, u32 qop,
				     struct ksspi_buffer_desc *message,
				     u32 sequence)
{
	return ksspi_kernel_message(owner, context, KSSPI_MSG_ENCRYPT, message,
				    sequence, &qop);
}
EXPORT_SYMBOL_GPL(ksspi_encrypt_message);

/**
 * ksspi_decrypt_message - DecryptMessage
 * @owner: the caller's handle table, from ksspi_open()
 * @context: an established context
 * @message: the buffers, decrypted in place
 * @sequence: MessageSeqNo
 * @qop: receives pfQOP, may be NULL
 *
 * Context: process context.
 * Return: the SECURITY_STATUS.
 */
ksspi_status_t ksspi_decrypt_message(struct ksspi_owner *owner,
				     struct ksspi_handle *context,
				     struct ksspi_buffer_desc *message,
				     u32 sequence, u32 *qop)
{
	return ksspi_kernel_message(owner, context, KSSPI_MSG_DECRYPT, message,
				    sequence, qop);
}
EXPORT_SYMBOL_GPL(ksspi_decrypt_message);

/**
 * ksspi_export_security_context - ExportSecurityContext
 * @owner: the caller's handle table, from ksspi_open()
 * @context: an established context
 * @flags: SECPKG_CONTEXT_EXPORT_*
 * @packed: receives the serialized context, allocated by ksspi (free it
 *	with ksspi_free_context_buffer())
 *
 * Context: process context.
 * Return: SEC_E_OK or the documented failure status.
 */
ksspi_status_t ksspi_export_security_context(struct ksspi_owner *owner,
					     struct ksspi_handle *context,
					     u32 flags,
					     struct ksspi_buffer *packed)
{
	void *blob, *copy;
	u32 len, status;

	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	if (!packed)
		return SEC_E_INVALID_PARAMETER;
	status = ksspi_context_export(owner, context,
				      flags & ~SECPKG_CONTEXT_EXPORT_DELETE_OLD,
				      &blob, &len);
	if (status != SEC_E_OK)
		return status;
	copy = ksspi_context_buffer_alloc(len);
	if (copy)
		memcpy(copy, blob, len);
	kvfree_sensitive(blob, len);
	if (!copy)
		return SEC_E_INSUFFICIENT_MEMORY;
	packed->buffer_type = SECBUFFER_EMPTY;
	packed->pv_buffer = copy;
	packed->cb_buffer = len;
	if (flags & SECPKG_CONTEXT_EXPORT_DELETE_OLD)
		ksspi_context_delete(owner, context);
	return SEC_E_OK;
}
EXPORT_SYMBOL_GPL(ksspi_export_security_context);

/**
 * ksspi_import_security_context - ImportSecurityContext
 * @owner: the caller's handle table, from ksspi_open()
 * @package: the package of the context
 * @packed: a serialized context (from an export or from a trusted source:
 *	the kernel takes the identity and keys in it at face value)
 * @context: receives the new context's handle
 *
 * Context: process context.
 * Return: SEC_E_OK, SEC_E_SECPKG_NOT_FOUND, SEC_E_INVALID_TOKEN, ...
 */
ksspi_status_t ksspi_import_security_context(struct ksspi_owner *owner,
					     const char *package,
					     const struct ksspi_buffer *packed,
					     struct ksspi_handle *context)
{
	if (!owner)
		return SEC_E_INVALID_HANDLE;
	if (!packed || !context)
		return SEC_E_INVALID_PARAMETER;
	return ksspi_context_import(owner, package,
				    packed->pv_buffer, packed->cb_buffer,
				    context);
}
EXPORT_SYMBOL_GPL(ksspi_import_security_context);

/**
 * ksspi_install_ktls - hand a context's TLS record layer to kTLS
 * @owner: the caller's handle table, from ksspi_open()
 * @context: an established context whose messages are TLS records
 *	(CredSSP)
 * @sock: a connected TCP socket (IPv4 or IPv6); the caller holds a
 *	reference to it for the duration of the call
 * @flags: KSSPI_KTLS_TX, KSSPI_KTLS_RX or both
 *
 * Gives @sock the "tls" ULP (loading the tls module if need be) and hands
 * kTLS each direction asked for with the context's key, IV and next
 * sequence number (setsockopt(SOL_TLS, TLS_TX / TLS_RX)), so that the
 * socket's sendmsg() and recvmsg() carry the TLS session on where
 * EncryptMessage and DecryptMessage left it.  Afterwards the context no
 * longer protects messages in that direction (SEC_E_UNSUPPORTED_FUNCTION)
 * and cannot be exported; its copy of the direction's keys is zeroized.
 * TX is handed over first: when RX then fails, TX stays with the socket.
 * kTLS opens whatever is still queued on the socket as the records that
 * follow: hand RX over when every byte read from the socket so far was a
 * whole record given to ksspi_decrypt_message() (nothing can be put back).
 *
 * Context: process context; may sleep.  Takes the context's message lock,
 * then the socket's lock: call it without the socket locked.
 * Return: SEC_E_OK; SEC_E_INVALID_PARAMETER (no or unknown flags, not a
 * connected TCP socket, another ULP, a direction kTLS already has);
 * SEC_E_INVALID_HANDLE; SEC_E_NO_CONTEXT; SEC_E_CONTEXT_EXPIRED (a failed
 * context, a direction that ended or whose sequence numbers are spent);
 * SEC_E_UNSUPPORTED_FUNCTION (a package without TLS records, a direction
 * handed over already, no kTLS in the kernel); SEC_E_INSUFFICIENT_MEMORY.
 */
ksspi_status_t ksspi_install_ktls(struct ksspi_owner *owner,
				  struct ksspi_handle *context,
				  struct socket *sock, u32 flags)
{
	if (!owner || !context)
		return SEC_E_INVALID_HANDLE;
	return ksspi_ktls_install(owner, context, sock, flags);
}
EXPORT_SYMBOL_GPL(ksspi_install_ktls);
