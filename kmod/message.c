// SPDX-License-Identifier: GPL-2.0
/*
 * Per-message protection: MakeSignature, VerifySignature, EncryptMessage,
 * DecryptMessage.  The core checks the handle and the context's state and
 * hands the message to the package under the context's msg_lock, which
 * orders the sequence numbers and guards the package's transforms.
 */
#include "context.h"
#include "package.h"
#include "secbuf.h"

/**
 * ksspi_message - run one message function
 * @owner: the caller's table
 * @handle: the context
 * @op: which function
 * @msg: the message buffers, transformed in place
 * @desc_status: outcome of validating @msg's descriptor
 * @sequence: MessageSeqNo
 * @qop: fQOP in (sign, encrypt) or pfQOP out (verify, decrypt; may be NULL)
 *
 * Return: the SECURITY_STATUS of the call.
 */
u32 ksspi_message(struct ksspi_owner *owner, const struct ksspi_handle *handle,
		  enum ksspi_message_op op, struct ksspi_bufset *msg,
		  u32 desc_status, u32 sequence, u32 *qop)
{
	const struct ksspi_package_ops *ops;
	struct ksspi_context *ctx;
	struct ksspi_sec_state *sec;
	u32 status, qop_out = 0;

	status = ksspi_context_get(owner, handle, &ctx);
	if (status != SEC_E_OK)
		return status;

	mutex_lock(&ctx->msg_lock);
	sec = ctx->sec;
	if (READ_ONCE(ctx->state) == KSSPI_CTX_FAILED) {
		status = SEC_E_CONTEXT_EXPIRED;
		goto out;
	}
	if (!sec) {
		status = SEC_E_NO_CONTEXT;
		goto out;
	}
	if (desc_status != SEC_E_OK) {
		status = desc_status;
		goto out;
	}
	ops = sec->mech->ops;
	if (!sec->mech->stream_buffers &&
	    !ksspi_bufset_find(msg, SECBUFFER_TOKEN) &&
	    !ksspi_bufset_find(msg, SECBUFFER_STREAM)) {
		status = SEC_E_INVALID_TOKEN;
		goto out;
	}

	status = SEC_E_UNSUPPORTED_FUNCTION;
	switch (op) {
	case KSSPI_MSG_SIGN:
		if (ops->make_signature)
			status = ops->make_signature(sec, *qop, msg, sequence);
		break;
	case KSSPI_MSG_VERIFY:
		if (ops->verify_signature)
			status = ops->verify_signature(sec, msg, sequence,
						       &qop_out);
		break;
	case KSSPI_MSG_ENCRYPT:
		if (ops->encrypt)
			status = ops->encrypt(sec, *qop, msg, sequence);
		break;
	case KSSPI_MSG_DECRYPT:
		if (ops->decrypt)
			status = ops->decrypt(sec, msg, sequence, &qop_out);
		break;
	}
	if ((op == KSSPI_MSG_VERIFY || op == KSSPI_MSG_DECRYPT) && qop)
		*qop = qop_out;
out:
	mutex_unlock(&ctx->msg_lock);
	ksspi_object_put(&ctx->obj);
	return status;
}
