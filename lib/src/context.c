// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: InitializeSecurityContext, AcceptSecurityContext,
 * CompleteAuthToken, DeleteSecurityContext, ExportSecurityContext and
 * ImportSecurityContext.
 *
 * Every optional pointer of the C call becomes a KSSPI_ARG_* presence bit.
 * After a call the kernel carried out (whatever its status), cbBuffer and
 * BufferType of every input and output SecBuffer are copied back and
 * *pfContextAttr is set; *phNewContext and *ptsExpiry are written only when
 * the status is a success (SEC_E_OK or SEC_I_*).  A call the kernel refused
 * with an errno leaves everything untouched.
 *
 * ISC_REQ_ALLOCATE_MEMORY / ASC_REQ_ALLOCATE_MEMORY is carried out here (see
 * buffers.c): the flag is taken out of the request the kernel sees, and
 * ISC_RET_ALLOCATED_MEMORY / ASC_RET_ALLOCATED_MEMORY is added to the
 * attributes of a successful leg (a failed one reports none).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The package's max_token: the credential's package when the library knows
 * it (cached, so usually no ioctl; for Negotiate it covers the package
 * negotiated), else SECPKG_ATTR_PACKAGE_INFO of the context, else
 * KSSPI_MAX_TOKEN.
 */
uint32_t ksspi_priv_context_max_token(const SecHandle *cred,
				      const SecHandle *ctx)
{
	char name[KSSPI_MAX_PACKAGE_NAME];
	struct ksspi_handle k;

	if (cred) {
		ksspi_priv_handle_to_abi(&k, cred);
		if (ksspi_priv_cred_package(&k, name))
			return ksspi_priv_package_max_token(name,
							    strlen(name));
	}
	if (ctx) {
		struct ksspi_query_attributes q;
		struct ksspi_package_info info;

		memset(&q, 0, sizeof(q));
		memset(&info, 0, sizeof(info));
		q.size = sizeof(q);
		ksspi_priv_handle_to_abi(&q.context, ctx);
		q.attribute = SECPKG_ATTR_PACKAGE_INFO;
		q.buffer_len = sizeof(info);
		q.buffer = ptr_to_u64(&info);
		if (ksspi_priv_call(KSSPI_IOC_QUERY_ATTRIBUTES, &q,
				    SEC_E_INTERNAL_ERROR) == SEC_E_OK &&
		    ST(q.status) == SEC_E_OK && info.max_token &&
		    info.max_token <= KSSPI_MAX_TOKEN) {
			ksspi_priv_package_cache(&info);
			return info.max_token;
		}
	}
	return KSSPI_MAX_TOKEN;
}

/* A new context handle the caller cannot hold: give it back */
static void drop_context(const struct ksspi_handle *h)
{
	struct ksspi_handle_op op = { .size = sizeof(op), .handle = *h };

	ksspi_priv_call(KSSPI_IOC_DELETE_CONTEXT, &op, SEC_E_INTERNAL_ERROR);
}

/*
 * Common part of the answers of ISC and ASC.  On a leg after the first the
 * new context is the one passed in: a kernel that leaves new_context zero
 * there gets the caller's handle copied rather than a zero one.
 */
static SECURITY_STATUS context_answer(SECURITY_STATUS st,
				      const struct ksspi_handle *new_ctx,
				      const struct ksspi_handle *old_ctx,
				      PCtxtHandle phNewContext,
				      uint32_t attr, PULONG pfContextAttr,
				      int64_t expiry, PTimeStamp ptsExpiry)
{
	if (!SEC_FAILED(st) && phNewContext) {
		CtxtHandle h;

		if (old_ctx && !new_ctx->lower && !new_ctx->upper)
			new_ctx = old_ctx;

		if (ksspi_priv_handle_from_abi(&h, new_ctx) != SEC_E_OK) {
			drop_context(new_ctx);
			return SEC_E_INTERNAL_ERROR;
		}
		*phNewContext = h;
	}
	if (pfContextAttr)
		*pfContextAttr = attr;
	if (!SEC_FAILED(st) && ptsExpiry)
		ksspi_priv_timestamp_out(ptsExpiry, expiry);
	return st;
}

struct isc_args {
	PCredHandle phCredential;
	PCtxtHandle phContext;
	const char *target;
	size_t target_len;
	ULONG fContextReq, Reserved1, TargetDataRep, Reserved2;
	PSecBufferDesc pInput;
	PCtxtHandle phNewContext;
	PSecBufferDesc pOutput;
	PULONG pfContextAttr;
	PTimeStamp ptsExpiry;
};

static SECURITY_STATUS isc(const struct isc_args *a)
{
	bool alloc = a->fContextReq & ISC_REQ_ALLOCATE_MEMORY;
	struct ksspi_priv_desc in, out;
	struct ksspi_init_context req;
	SECURITY_STATUS st;
	uint32_t attr;

	memset(&req, 0, sizeof(req));
	st = ksspi_priv_desc_in(a->pInput, &in, &req.input);
	if (st == SEC_E_OK)
		st = ksspi_priv_desc_in(a->pOutput, &out, &req.output);
	if (st != SEC_E_OK)
		return st;
	if (a->target && a->target_len > KSSPI_MAX_NAME)
		return SEC_E_INVALID_PARAMETER;

	req.size = sizeof(req);
	req.context_req = a->fContextReq & ~ISC_REQ_ALLOCATE_MEMORY;
	req.reserved1 = a->Reserved1;
	req.target_data_rep = a->TargetDataRep;
	req.reserved2 = a->Reserved2;
	if (a->phCredential) {
		req.present |= KSSPI_ARG_CREDENTIAL;
		ksspi_priv_handle_to_abi(&req.credential, a->phCredential);
	}
	if (a->phContext) {
		req.present |= KSSPI_ARG_CONTEXT;
		ksspi_priv_handle_to_abi(&req.context, a->phContext);
	}
	if (a->phNewContext)
		req.present |= KSSPI_ARG_NEW_CONTEXT;
	if (a->pInput)
		req.present |= KSSPI_ARG_INPUT;
	if (a->pOutput)
		req.present |= KSSPI_ARG_OUTPUT;
	if (a->ptsExpiry)
		req.present |= KSSPI_ARG_EXPIRY;
	if (a->target) {
		req.present |= KSSPI_ARG_TARGET;
		req.target_name = ptr_to_u64(a->target);
		req.target_name_len = (uint32_t)a->target_len;
	}

	if (alloc && ksspi_priv_desc_needs_alloc(&out)) {
		st = ksspi_priv_desc_alloc(&out,
			ksspi_priv_context_max_token(a->phCredential,
						     a->phContext));
		if (st != SEC_E_OK)
			return st;
	}

	st = ksspi_priv_call(KSSPI_IOC_INIT_CONTEXT, &req,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK) {
		ksspi_priv_desc_alloc_done(a->pOutput, &out, false, false);
		return st;
	}
	ksspi_priv_desc_out(a->pInput, &in);
	ksspi_priv_desc_out(a->pOutput, &out);
	ksspi_priv_desc_alloc_done(a->pOutput, &out, true,
				   SEC_FAILED(ST(req.status)));

	attr = req.context_attr;
	if (alloc && !SEC_FAILED(ST(req.status)))
		attr |= ISC_RET_ALLOCATED_MEMORY;
	return context_answer(ST(req.status), &req.new_context,
			      a->phContext ? &req.context : NULL,
			      a->phNewContext, attr, a->pfContextAttr,
			      req.expiry, a->ptsExpiry);
}

SECURITY_STATUS InitializeSecurityContextA(PCredHandle phCredential,
	PCtxtHandle phContext, const SEC_CHAR *pszTargetName,
	ULONG fContextReq, ULONG Reserved1, ULONG TargetDataRep,
	PSecBufferDesc pInput, ULONG Reserved2, PCtxtHandle phNewContext,
	PSecBufferDesc pOutput, PULONG pfContextAttr, PTimeStamp ptsExpiry)
{
	struct isc_args a = {
		.phCredential = phCredential, .phContext = phContext,
		.target = pszTargetName,
		.target_len = pszTargetName ? strlen(pszTargetName) : 0,
		.fContextReq = fContextReq, .Reserved1 = Reserved1,
		.TargetDataRep = TargetDataRep, .Reserved2 = Reserved2,
		.pInput = pInput, .phNewContext = phNewContext,
		.pOutput = pOutput, .pfContextAttr = pfContextAttr,
		.ptsExpiry = ptsExpiry,
	};

	return isc(&a);
}

SECURITY_STATUS InitializeSecurityContextW(PCredHandle phCredential,
	PCtxtHandle phContext, const SEC_WCHAR *pszTargetName,
	ULONG fContextReq, ULONG Reserved1, ULONG TargetDataRep,
	PSecBufferDesc pInput, ULONG Reserved2, PCtxtHandle phNewContext,
	PSecBufferDesc pOutput, PULONG pfContextAttr, PTimeStamp ptsExpiry)
{
	struct isc_args a = {
		.phCredential = phCredential, .phContext = phContext,
		.fContextReq = fContextReq, .Reserved1 = Reserved1,
		.TargetDataRep = TargetDataRep, .Reserved2 = Reserved2,
		.pInput = pInput, .phNewContext = phNewContext,
		.pOutput = pOutput, .pfContextAttr = pfContextAttr,
		.ptsExpiry = ptsExpiry,
	};
	SECURITY_STATUS st;
	char *target = NULL;
	int err;

	if (pszTargetName) {
		err = ksspi_priv_utf16_to_utf8(pszTargetName,
					       ksspi_priv_u16len(pszTargetName),
					       KSSPI_MAX_NAME, &target,
					       &a.target_len);
		if (err == -ENOMEM)
			return SEC_E_INSUFFICIENT_MEMORY;
		if (err)
			return SEC_E_INVALID_PARAMETER;
		a.target = target;
	}
	st = isc(&a);
	free(target);
	return st;
}

SECURITY_STATUS AcceptSecurityContext(PCredHandle phCredential,
	PCtxtHandle phContext, PSecBufferDesc pInput, ULONG fContextReq,
	ULONG TargetDataRep, PCtxtHandle phNewContext, PSecBufferDesc pOutput,
	PULONG pfContextAttr, PTimeStamp ptsExpiry)
{
	bool alloc = fContextReq & ASC_REQ_ALLOCATE_MEMORY;
	struct ksspi_priv_desc in, out;
	struct ksspi_accept_context req;
	SECURITY_STATUS st;
	uint32_t attr;

	memset(&req, 0, sizeof(req));
	st = ksspi_priv_desc_in(pInput, &in, &req.input);
	if (st == SEC_E_OK)
		st = ksspi_priv_desc_in(pOutput, &out, &req.output);
	if (st != SEC_E_OK)
		return st;

	req.size = sizeof(req);
	req.context_req = fContextReq & ~ASC_REQ_ALLOCATE_MEMORY;
	req.target_data_rep = TargetDataRep;
	if (phCredential) {
		req.present |= KSSPI_ARG_CREDENTIAL;
		ksspi_priv_handle_to_abi(&req.credential, phCredential);
	}
	if (phContext) {
		req.present |= KSSPI_ARG_CONTEXT;
		ksspi_priv_handle_to_abi(&req.context, phContext);
	}
	if (phNewContext)
		req.present |= KSSPI_ARG_NEW_CONTEXT;
	if (pInput)
		req.present |= KSSPI_ARG_INPUT;
	if (pOutput)
		req.present |= KSSPI_ARG_OUTPUT;
	if (ptsExpiry)
		req.present |= KSSPI_ARG_EXPIRY;

	if (alloc && ksspi_priv_desc_needs_alloc(&out)) {
		st = ksspi_priv_desc_alloc(&out,
			ksspi_priv_context_max_token(phCredential, phContext));
		if (st != SEC_E_OK)
			return st;
	}

	st = ksspi_priv_call(KSSPI_IOC_ACCEPT_CONTEXT, &req,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK) {
		ksspi_priv_desc_alloc_done(pOutput, &out, false, false);
		return st;
	}
	ksspi_priv_desc_out(pInput, &in);
	ksspi_priv_desc_out(pOutput, &out);
	ksspi_priv_desc_alloc_done(pOutput, &out, true,
				   SEC_FAILED(ST(req.status)));

	attr = req.context_attr;
	if (alloc && !SEC_FAILED(ST(req.status)))
		attr |= ASC_RET_ALLOCATED_MEMORY;
	return context_answer(ST(req.status), &req.new_context,
			      phContext ? &req.context : NULL, phNewContext,
			      attr, pfContextAttr, req.expiry, ptsExpiry);
}

SECURITY_STATUS CompleteAuthToken(PCtxtHandle phContext,
				  PSecBufferDesc pToken)
{
	struct ksspi_complete_token req;
	struct ksspi_priv_desc tok;
	SECURITY_STATUS st;

	if (!phContext)
		return SEC_E_INVALID_HANDLE;
	if (!pToken)
		return SEC_E_INVALID_PARAMETER;
	memset(&req, 0, sizeof(req));
	st = ksspi_priv_desc_in(pToken, &tok, &req.token);
	if (st != SEC_E_OK)
		return st;
	req.size = sizeof(req);
	ksspi_priv_handle_to_abi(&req.context, phContext);
	st = ksspi_priv_call(KSSPI_IOC_COMPLETE_TOKEN, &req,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK)
		return st;
	ksspi_priv_desc_out(pToken, &tok);
	return ST(req.status);
}

SECURITY_STATUS DeleteSecurityContext(PCtxtHandle phContext)
{
	struct ksspi_handle_op op;
	SECURITY_STATUS st;

	if (!phContext)
		return SEC_E_INVALID_HANDLE;
	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	ksspi_priv_handle_to_abi(&op.handle, phContext);
	st = ksspi_priv_call(KSSPI_IOC_DELETE_CONTEXT, &op,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK)
		return st;
	return ST(op.status);
}

/*
 * The blob holds keys: it is built in a KSSPI_MAX_CONTEXT_BLOB buffer,
 * copied to one of its exact size, and the large one wiped.
 */
SECURITY_STATUS ExportSecurityContext(PCtxtHandle phContext, ULONG fFlags,
				      PSecBuffer pPackedContext, void **pToken)
{
	struct ksspi_export_context req;
	SECURITY_STATUS st;
	void *buf, *blob = NULL;

	if (pToken)
		*pToken = NULL;	/* no access tokens on Linux */
	if (!phContext)
		return SEC_E_INVALID_HANDLE;
	if (!pPackedContext)
		return SEC_E_INVALID_PARAMETER;
	buf = malloc(KSSPI_MAX_CONTEXT_BLOB);
	if (!buf)
		return SEC_E_INSUFFICIENT_MEMORY;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	ksspi_priv_handle_to_abi(&req.context, phContext);
	req.flags = fFlags;
	req.buffer_len = KSSPI_MAX_CONTEXT_BLOB;
	req.buffer = ptr_to_u64(buf);
	st = ksspi_priv_call(KSSPI_IOC_EXPORT_CONTEXT, &req,
			     SEC_E_INTERNAL_ERROR);
	if (st == SEC_E_OK)
		st = ST(req.status);
	if (st == SEC_E_OK && req.buffer_len > KSSPI_MAX_CONTEXT_BLOB)
		st = SEC_E_INTERNAL_ERROR;
	if (st == SEC_E_OK && req.buffer_len) {
		blob = malloc(req.buffer_len);
		if (blob)
			memcpy(blob, buf, req.buffer_len);
		else
			st = SEC_E_INSUFFICIENT_MEMORY;
	}
	ksspi_priv_free_secret(buf, KSSPI_MAX_CONTEXT_BLOB);
	if (st != SEC_E_OK)
		return st;
	pPackedContext->cbBuffer = req.buffer_len;
	pPackedContext->pvBuffer = blob;
	return SEC_E_OK;
}

static SECURITY_STATUS import(const char *package, size_t package_len,
			      PSecBuffer pPackedContext, PCtxtHandle phContext)
{
	struct ksspi_import_context req;
	SECURITY_STATUS st;
	CtxtHandle h;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.package = ptr_to_u64(package);
	req.package_len = (uint32_t)package_len;
	req.blob_len = pPackedContext->cbBuffer;
	req.blob = ptr_to_u64(pPackedContext->pvBuffer);
	st = ksspi_priv_call(KSSPI_IOC_IMPORT_CONTEXT, &req,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK)
		return st;
	st = ST(req.status);
	if (st != SEC_E_OK)
		return st;
	if (ksspi_priv_handle_from_abi(&h, &req.context) != SEC_E_OK) {
		drop_context(&req.context);
		return SEC_E_INTERNAL_ERROR;
	}
	*phContext = h;
	return SEC_E_OK;
}

static SECURITY_STATUS import_check(PSecBuffer pPackedContext, void *Token,
				    PCtxtHandle phContext)
{
	if (Token)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!pPackedContext || !phContext)
		return SEC_E_INVALID_PARAMETER;
	if (!pPackedContext->pvBuffer && pPackedContext->cbBuffer)
		return SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

SECURITY_STATUS ImportSecurityContextA(const SEC_CHAR *pszPackage,
				       PSecBuffer pPackedContext, void *Token,
				       PCtxtHandle phContext)
{
	SECURITY_STATUS st = import_check(pPackedContext, Token, phContext);
	size_t len = 0;

	if (st == SEC_E_OK)
		st = ksspi_priv_package_len(pszPackage, &len);
	if (st != SEC_E_OK)
		return st;
	return import(pszPackage, len, pPackedContext, phContext);
}

SECURITY_STATUS ImportSecurityContextW(const SEC_WCHAR *pszPackage,
				       PSecBuffer pPackedContext, void *Token,
				       PCtxtHandle phContext)
{
	SECURITY_STATUS st = import_check(pPackedContext, Token, phContext);
	char *package = NULL;
	size_t len = 0;

	if (st == SEC_E_OK)
		st = ksspi_priv_package_name_w(pszPackage, &package, &len);
	if (st != SEC_E_OK)
		return st;
	st = import(package, len, pPackedContext, phContext);
	free(package);
	return st;
}
