// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: MakeSignature, VerifySignature, EncryptMessage, DecryptMessage.
 *
 * The kernel transforms the message buffers in place; cbBuffer and
 * BufferType of each are copied back after every call it carried out, and
 * pvBuffer of those it pointed into another buffer (CredSSP's
 * DecryptMessage).
 */
#include <string.h>

#include "internal.h"

static SECURITY_STATUS message(unsigned long request, PCtxtHandle phContext,
			       ULONG qop, PSecBufferDesc pMessage, ULONG seq,
			       PULONG pfQOP)
{
	struct ksspi_priv_desc msg;
	struct ksspi_message req;
	SECURITY_STATUS st;

	if (!phContext)
		return SEC_E_INVALID_HANDLE;
	if (!pMessage)
		return SEC_E_INVALID_PARAMETER;
	memset(&req, 0, sizeof(req));
	st = ksspi_priv_desc_in(pMessage, &msg, &req.message);
	if (st != SEC_E_OK)
		return st;
	req.size = sizeof(req);
	ksspi_priv_handle_to_abi(&req.context, phContext);
	req.qop = qop;
	req.sequence = seq;
	st = ksspi_priv_call(request, &req, SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK)
		return st;
	ksspi_priv_desc_out(pMessage, &msg);
	ksspi_priv_desc_out_moved(pMessage, &msg);
	if (pfQOP)
		*pfQOP = req.qop;
	return ST(req.status);
}

SECURITY_STATUS MakeSignature(PCtxtHandle phContext, ULONG fQOP,
			      PSecBufferDesc pMessage, ULONG MessageSeqNo)
{
	return message(KSSPI_IOC_MAKE_SIGNATURE, phContext, fQOP, pMessage,
		       MessageSeqNo, NULL);
}

SECURITY_STATUS VerifySignature(PCtxtHandle phContext,
				PSecBufferDesc pMessage, ULONG MessageSeqNo,
				PULONG pfQOP)
{
	return message(KSSPI_IOC_VERIFY_SIGNATURE, phContext, 0, pMessage,
		       MessageSeqNo, pfQOP);
}

SECURITY_STATUS EncryptMessage(PCtxtHandle phContext, ULONG fQOP,
			       PSecBufferDesc pMessage, ULONG MessageSeqNo)
{
	return message(KSSPI_IOC_ENCRYPT_MESSAGE, phContext, fQOP, pMessage,
		       MessageSeqNo, NULL);
}

SECURITY_STATUS DecryptMessage(PCtxtHandle phContext,
			       PSecBufferDesc pMessage, ULONG MessageSeqNo,
			       PULONG pfQOP)
{
	return message(KSSPI_IOC_DECRYPT_MESSAGE, phContext, 0, pMessage,
		       MessageSeqNo, pfQOP);
}
