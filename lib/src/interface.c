// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: InitSecurityInterfaceA/W and the functions ksspi cannot serve.
 *
 * Many programs reach the SSPI only through the dispatch table (they
 * dlopen the library, call InitSecurityInterface and then call slots
 * without checking them), so every slot holds a function: one of the
 * library's, or one that returns SEC_E_UNSUPPORTED_FUNCTION.  The layout
 * and dwVersion are Windows': version 1 (SECURITY_SUPPORT_PROVIDER_-
 * INTERFACE_VERSION), as Windows 7 to 11 report it; Reserved3 and
 * Reserved4 are EncryptMessage and DecryptMessage, as on Windows, which
 * kept them there for programs of the SealMessage days.  Windows leaves
 * Reserved2 and Reserved8 NULL; here they too hold a function returning
 * SEC_E_UNSUPPORTED_FUNCTION, so that no slot is NULL.
 *
 * The addresses are the library's own even when another library loaded
 * earlier (an SSPI emulation such as WinPR) exports the same names: the
 * shared library is linked with -Bsymbolic-functions.
 */
#include "internal.h"

/* Reserved2 and Reserved8: no caller knows their signature */
static SECURITY_STATUS reserved_slot(void)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

#define RESERVED_SLOT	((void *)(uintptr_t)reserved_slot)

/* The functions ksspi cannot serve: they look at nothing */
#define UNUSED	__attribute__((unused))

SECURITY_STATUS QueryCredentialsAttributesA(PCredHandle phCredential UNUSED,
					    ULONG ulAttribute UNUSED,
					    void *pBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS QueryCredentialsAttributesW(PCredHandle phCredential UNUSED,
					    ULONG ulAttribute UNUSED,
					    void *pBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS QueryCredentialsAttributesExA(PCredHandle phCredential UNUSED,
					      ULONG ulAttribute UNUSED,
					      void *pBuffer UNUSED,
					      ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS QueryCredentialsAttributesExW(PCredHandle phCredential UNUSED,
					      ULONG ulAttribute UNUSED,
					      void *pBuffer UNUSED,
					      ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS SetCredentialsAttributesA(PCredHandle phCredential UNUSED,
					  ULONG ulAttribute UNUSED,
					  void *pBuffer UNUSED,
					  ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS SetCredentialsAttributesW(PCredHandle phCredential UNUSED,
					  ULONG ulAttribute UNUSED,
					  void *pBuffer UNUSED,
					  ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS AddCredentialsA(PCredHandle hCredentials UNUSED,
	const SEC_CHAR *pszPrincipal UNUSED, const SEC_CHAR *pszPackage UNUSED,
	ULONG fCredentialUse UNUSED, void *pAuthData UNUSED,
	SEC_GET_KEY_FN pGetKeyFn UNUSED, void *pvGetKeyArgument UNUSED,
	PTimeStamp ptsExpiry UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS AddCredentialsW(PCredHandle hCredentials UNUSED,
	const SEC_WCHAR *pszPrincipal UNUSED,
	const SEC_WCHAR *pszPackage UNUSED, ULONG fCredentialUse UNUSED,
	void *pAuthData UNUSED, SEC_GET_KEY_FN pGetKeyFn UNUSED,
	void *pvGetKeyArgument UNUSED, PTimeStamp ptsExpiry UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS ApplyControlToken(PCtxtHandle phContext UNUSED,
				  PSecBufferDesc pInput UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

/* No access tokens on Linux */
SECURITY_STATUS ImpersonateSecurityContext(PCtxtHandle phContext UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS RevertSecurityContext(PCtxtHandle phContext UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS QuerySecurityContextToken(PCtxtHandle phContext UNUSED,
					  void **Token UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS QueryContextAttributesExA(PCtxtHandle phContext UNUSED,
					  ULONG ulAttribute UNUSED,
					  void *pBuffer UNUSED,
					  ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS QueryContextAttributesExW(PCtxtHandle phContext UNUSED,
					  ULONG ulAttribute UNUSED,
					  void *pBuffer UNUSED,
					  ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS SetContextAttributesA(PCtxtHandle phContext UNUSED,
				      ULONG ulAttribute UNUSED,
				      void *pBuffer UNUSED,
				      ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS SetContextAttributesW(PCtxtHandle phContext UNUSED,
				      ULONG ulAttribute UNUSED,
				      void *pBuffer UNUSED,
				      ULONG cbBuffer UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS ChangeAccountPasswordA(const SEC_CHAR *pszPackageName UNUSED,
	const SEC_CHAR *pszDomainName UNUSED,
	const SEC_CHAR *pszAccountName UNUSED,
	const SEC_CHAR *pszOldPassword UNUSED,
	const SEC_CHAR *pszNewPassword UNUSED,
	unsigned char bImpersonating UNUSED, ULONG dwReserved UNUSED,
	PSecBufferDesc pOutput UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

SECURITY_STATUS ChangeAccountPasswordW(const SEC_WCHAR *pszPackageName UNUSED,
	const SEC_WCHAR *pszDomainName UNUSED,
	const SEC_WCHAR *pszAccountName UNUSED,
	const SEC_WCHAR *pszOldPassword UNUSED,
	const SEC_WCHAR *pszNewPassword UNUSED,
	unsigned char bImpersonating UNUSED, ULONG dwReserved UNUSED,
	PSecBufferDesc pOutput UNUSED)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}

/* Writable, as on Windows: some programs patch slots of the table */
static SecurityFunctionTableA table_a = {
	.dwVersion = SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
	.EnumerateSecurityPackagesA = EnumerateSecurityPackagesA,
	.QueryCredentialsAttributesA = QueryCredentialsAttributesA,
	.AcquireCredentialsHandleA = AcquireCredentialsHandleA,
	.FreeCredentialsHandle = FreeCredentialsHandle,
	.Reserved2 = RESERVED_SLOT,
	.InitializeSecurityContextA = InitializeSecurityContextA,
	.AcceptSecurityContext = AcceptSecurityContext,
	.CompleteAuthToken = CompleteAuthToken,
	.DeleteSecurityContext = DeleteSecurityContext,
	.ApplyControlToken = ApplyControlToken,
	.QueryContextAttributesA = QueryContextAttributesA,
	.ImpersonateSecurityContext = ImpersonateSecurityContext,
	.RevertSecurityContext = RevertSecurityContext,
	.MakeSignature = MakeSignature,
	.VerifySignature = VerifySignature,
	.FreeContextBuffer = FreeContextBuffer,
	.QuerySecurityPackageInfoA = QuerySecurityPackageInfoA,
	.Reserved3 = (void *)(uintptr_t)EncryptMessage,
	.Reserved4 = (void *)(uintptr_t)DecryptMessage,
	.ExportSecurityContext = ExportSecurityContext,
	.ImportSecurityContextA = ImportSecurityContextA,
	.AddCredentialsA = AddCredentialsA,
	.Reserved8 = RESERVED_SLOT,
	.QuerySecurityContextToken = QuerySecurityContextToken,
	.EncryptMessage = EncryptMessage,
	.DecryptMessage = DecryptMessage,
	.SetContextAttributesA = SetContextAttributesA,
	.SetCredentialsAttributesA = SetCredentialsAttributesA,
	.ChangeAccountPasswordA = ChangeAccountPasswordA,
	.QueryContextAttributesExA = QueryContextAttributesExA,
	.QueryCredentialsAttributesExA = QueryCredentialsAttributesExA,
};

static SecurityFunctionTableW table_w = {
	.dwVersion = SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
	.EnumerateSecurityPackagesW = EnumerateSecurityPackagesW,
	.QueryCredentialsAttributesW = QueryCredentialsAttributesW,
	.AcquireCredentialsHandleW = AcquireCredentialsHandleW,
	.FreeCredentialsHandle = FreeCredentialsHandle,
	.Reserved2 = RESERVED_SLOT,
	.InitializeSecurityContextW = InitializeSecurityContextW,
	.AcceptSecurityContext = AcceptSecurityContext,
	.CompleteAuthToken = CompleteAuthToken,
	.DeleteSecurityContext = DeleteSecurityContext,
	.ApplyControlToken = ApplyControlToken,
	.QueryContextAttributesW = QueryContextAttributesW,
	.ImpersonateSecurityContext = ImpersonateSecurityContext,
	.RevertSecurityContext = RevertSecurityContext,
	.MakeSignature = MakeSignature,
	.VerifySignature = VerifySignature,
	.FreeContextBuffer = FreeContextBuffer,
	.QuerySecurityPackageInfoW = QuerySecurityPackageInfoW,
	.Reserved3 = (void *)(uintptr_t)EncryptMessage,
	.Reserved4 = (void *)(uintptr_t)DecryptMessage,
	.ExportSecurityContext = ExportSecurityContext,
	.ImportSecurityContextW = ImportSecurityContextW,
	.AddCredentialsW = AddCredentialsW,
	.Reserved8 = RESERVED_SLOT,
	.QuerySecurityContextToken = QuerySecurityContextToken,
	.EncryptMessage = EncryptMessage,
	.DecryptMessage = DecryptMessage,
	.SetContextAttributesW = SetContextAttributesW,
	.SetCredentialsAttributesW = SetCredentialsAttributesW,
	.ChangeAccountPasswordW = ChangeAccountPasswordW,
	.QueryContextAttributesExW = QueryContextAttributesExW,
	.QueryCredentialsAttributesExW = QueryCredentialsAttributesExW,
};

PSecurityFunctionTableA InitSecurityInterfaceA(void)
{
	return &table_a;
}

PSecurityFunctionTableW InitSecurityInterfaceW(void)
{
	return &table_w;
}
