// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: AcquireCredentialsHandle and FreeCredentialsHandle.
 *
 * pszPrincipal is ignored (the identity is pAuthData's, or the package's
 * default).  pvLogonId, pGetKeyFn and pvGetKeyArgument must be NULL
 * (SEC_E_UNSUPPORTED_FUNCTION otherwise).  pAuthData is NULL (default
 * credentials) or a SEC_WINNT_AUTH_IDENTITY_A/W; its Flags member, not the
 * function's suffix, says whether its strings are UTF-8 (_ANSI) or UTF-16
 * (_UNICODE), as on Windows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct acquire {
	const char *package;
	size_t package_len;
	ULONG use;
	uint32_t identity;
	uint32_t key_serial;
	uint32_t tls_certificate_key, tls_private_key;
	const SecHandle *delegation_context;
	const char *user, *domain, *password;
	size_t user_len, domain_len, password_len;
};

static SECURITY_STATUS acquire(const struct acquire *a, PCredHandle ph,
			       PTimeStamp ts)
{
	struct ksspi_acquire_credentials req;
	SECURITY_STATUS st;
	CredHandle h;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.package = ptr_to_u64(a->package);
	req.package_len = (uint32_t)a->package_len;
	req.credential_use = a->use;
	req.identity_type = a->identity;
	req.key_serial = a->key_serial;
	req.user = ptr_to_u64(a->user);
	req.domain = ptr_to_u64(a->domain);
	req.password = ptr_to_u64(a->password);
	req.user_len = (uint32_t)a->user_len;
	req.domain_len = (uint32_t)a->domain_len;
	req.password_len = (uint32_t)a->password_len;
	req.tls_certificate_key = a->tls_certificate_key;
	req.tls_private_key = a->tls_private_key;
	if (a->delegation_context)
		ksspi_priv_handle_to_abi(&req.delegation_context,
					 a->delegation_context);

	st = ksspi_priv_call(KSSPI_IOC_ACQUIRE_CREDENTIALS, &req,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK)
		return st;
	st = ST(req.status);
	if (st != SEC_E_OK)
		return st;
	st = ksspi_priv_handle_from_abi(&h, &req.credential);
	if (st != SEC_E_OK) {
		struct ksspi_handle_op op = {
			.size = sizeof(op), .handle = req.credential,
		};

		ksspi_priv_call(KSSPI_IOC_FREE_CREDENTIALS, &op,
				SEC_E_INTERNAL_ERROR);
		return st;
	}
	*ph = h;
	if (ts)
		ksspi_priv_timestamp_out(ts, req.expiry);
	ksspi_priv_cred_remember(&req.credential, a->package, a->package_len);
	return SEC_E_OK;
}

static SECURITY_STATUS check_common(void *pvLogonId, SEC_GET_KEY_FN fn,
				    void *arg, PCredHandle ph)
{
	if (pvLogonId || fn || arg)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!ph)
		return SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

/* One string of a SEC_WINNT_AUTH_IDENTITY_A, checked */
static SECURITY_STATUS ident_a(const unsigned char *s, ULONG len, size_t max,
			       const char **out, size_t *out_len)
{
	if (!s && len)
		return SEC_E_INVALID_PARAMETER;
	if (len > max)
		return SEC_E_INVALID_PARAMETER;
	*out = (const char *)s;
	*out_len = len;
	return SEC_E_OK;
}

/* One string of a SEC_WINNT_AUTH_IDENTITY_W, converted */
static SECURITY_STATUS ident_w(const SEC_WCHAR *s, ULONG len, size_t max,
			       char **out, size_t *out_len)
{
	int err;

	*out = NULL;
	*out_len = 0;
	if (!s) {
		if (len)
			return SEC_E_INVALID_PARAMETER;
		return SEC_E_OK;
	}
	err = ksspi_priv_utf16_to_utf8(s, len, max, out, out_len);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (err)
		return SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

/*
 * Common tail of AcquireCredentialsHandleA/W: @a has the package; fill the
 * identity from pAuthData and call.
 */
static SECURITY_STATUS acquire_identity(struct acquire *a, void *pAuthData,
					PCredHandle ph, PTimeStamp ts)
{
	char *user = NULL, *domain = NULL, *password = NULL;
	size_t plen = 0;
	SECURITY_STATUS st;

	if (!pAuthData) {
		a->identity = KSSPI_IDENTITY_NONE;
		return acquire(a, ph, ts);
	}
	a->identity = KSSPI_IDENTITY_PASSWORD;

	/* Both structures have the same layout; Flags tells which one it is */
	if (((SEC_WINNT_AUTH_IDENTITY_A *)pAuthData)->Flags ==
	    SEC_WINNT_AUTH_IDENTITY_ANSI) {
		SEC_WINNT_AUTH_IDENTITY_A *id = pAuthData;

		st = ident_a(id->User, id->UserLength, KSSPI_MAX_NAME,
			     &a->user, &a->user_len);
		if (st == SEC_E_OK)
			st = ident_a(id->Domain, id->DomainLength,
				     KSSPI_MAX_NAME, &a->domain,
				     &a->domain_len);
		if (st == SEC_E_OK)
			st = ident_a(id->Password, id->PasswordLength,
				     KSSPI_MAX_PASSWORD, &a->password,
				     &a->password_len);
		if (st != SEC_E_OK)
			return st;
		return acquire(a, ph, ts);
	}
	if (((SEC_WINNT_AUTH_IDENTITY_W *)pAuthData)->Flags ==
	    SEC_WINNT_AUTH_IDENTITY_UNICODE) {
		SEC_WINNT_AUTH_IDENTITY_W *id = pAuthData;

		st = ident_w(id->User, id->UserLength, KSSPI_MAX_NAME,
			     &user, &a->user_len);
		if (st == SEC_E_OK)
			st = ident_w(id->Domain, id->DomainLength,
				     KSSPI_MAX_NAME, &domain, &a->domain_len);
		if (st == SEC_E_OK)
			st = ident_w(id->Password, id->PasswordLength,
				     KSSPI_MAX_PASSWORD, &password, &plen);
		if (st == SEC_E_OK) {
			a->user = user;
			a->domain = domain;
			a->password = password;
			a->password_len = plen;
			st = acquire(a, ph, ts);
		}
		free(user);
		free(domain);
		ksspi_priv_free_secret(password, plen);
		return st;
	}
	return SEC_E_INVALID_PARAMETER;
}

SECURITY_STATUS AcquireCredentialsHandleA(const SEC_CHAR *pszPrincipal,
	const SEC_CHAR *pszPackage, ULONG fCredentialUse, void *pvLogonId,
	void *pAuthData, SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
	PCredHandle phCredential, PTimeStamp ptsExpiry)
{
	struct acquire a = { .use = fCredentialUse };
	SECURITY_STATUS st;

	(void)pszPrincipal;
	st = check_common(pvLogonId, pGetKeyFn, pvGetKeyArgument,
			  phCredential);
	if (st != SEC_E_OK)
		return st;
	st = ksspi_priv_package_len(pszPackage, &a.package_len);
	if (st != SEC_E_OK)
		return st;
	a.package = pszPackage;
	return acquire_identity(&a, pAuthData, phCredential, ptsExpiry);
}

SECURITY_STATUS AcquireCredentialsHandleW(const SEC_WCHAR *pszPrincipal,
	const SEC_WCHAR *pszPackage, ULONG fCredentialUse, void *pvLogonId,
	void *pAuthData, SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
	PCredHandle phCredential, PTimeStamp ptsExpiry)
{
	struct acquire a = { .use = fCredentialUse };
	SECURITY_STATUS st;
	char *package;

	(void)pszPrincipal;
	st = check_common(pvLogonId, pGetKeyFn, pvGetKeyArgument,
			  phCredential);
	if (st != SEC_E_OK)
		return st;
	st = ksspi_priv_package_name_w(pszPackage, &package, &a.package_len);
	if (st != SEC_E_OK)
		return st;
	a.package = package;
	st = acquire_identity(&a, pAuthData, phCredential, ptsExpiry);
	free(package);
	return st;
}

/*
 * The Linux extensions' common start: the handle pointer and the package
 * name; the kernel judges key serials (0, KEY_SPEC_*, type, payload).
 */
static SECURITY_STATUS extension_args(struct acquire *a,
				      const SEC_CHAR *pszPackage,
				      PCredHandle phCredential)
{
	if (!phCredential)
		return SEC_E_INVALID_PARAMETER;
	a->package = pszPackage;
	return ksspi_priv_package_len(pszPackage, &a->package_len);
}

SECURITY_STATUS AcquireCredentialsHandleKeyA(const SEC_CHAR *pszPackage,
	ULONG fCredentialUse, key_serial_t serial, PCredHandle phCredential,
	PTimeStamp ptsExpiry)
{
	struct acquire a = {
		.use = fCredentialUse,
		.identity = KSSPI_IDENTITY_KEY,
		.key_serial = (uint32_t)serial,
	};
	SECURITY_STATUS st = extension_args(&a, pszPackage, phCredential);

	return st != SEC_E_OK ? st : acquire(&a, phCredential, ptsExpiry);
}

SECURITY_STATUS AcquireCredentialsHandleTlsA(const SEC_CHAR *pszPackage,
	ULONG fCredentialUse, void *pAuthData, key_serial_t certificate,
	key_serial_t private_key, PCredHandle phCredential,
	PTimeStamp ptsExpiry)
{
	struct acquire a = {
		.use = fCredentialUse,
		.tls_certificate_key = (uint32_t)certificate,
		.tls_private_key = (uint32_t)private_key,
	};
	SECURITY_STATUS st = extension_args(&a, pszPackage, phCredential);

	return st != SEC_E_OK ? st :
	       acquire_identity(&a, pAuthData, phCredential, ptsExpiry);
}

SECURITY_STATUS AcquireCredentialsHandleFromContextA(
	PCtxtHandle phAcceptedContext, const SEC_CHAR *pszPackage,
	PCredHandle phCredential, PTimeStamp ptsExpiry)
{
	struct acquire a = {
		.use = SECPKG_CRED_OUTBOUND,
		.identity = KSSPI_IDENTITY_DELEGATION,
		.delegation_context = phAcceptedContext,
	};
	SECURITY_STATUS st;

	if (!phAcceptedContext)
		return SEC_E_INVALID_HANDLE;
	st = extension_args(&a, pszPackage, phCredential);
	return st != SEC_E_OK ? st : acquire(&a, phCredential, ptsExpiry);
}

SECURITY_STATUS FreeCredentialsHandle(PCredHandle phCredential)
{
	struct ksspi_handle_op op;
	SECURITY_STATUS st;

	if (!phCredential)
		return SEC_E_INVALID_HANDLE;
	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	ksspi_priv_handle_to_abi(&op.handle, phCredential);
	ksspi_priv_cred_forget(&op.handle);
	st = ksspi_priv_call(KSSPI_IOC_FREE_CREDENTIALS, &op,
			     SEC_E_INTERNAL_ERROR);
	if (st != SEC_E_OK)
		return st;
	return ST(op.status);
}
