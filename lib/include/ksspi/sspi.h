/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libksspi: the Windows SSPI (Sspi.h) programming interface on Linux, over
 * the /dev/ksspi character device.
 *
 * Names, members and argument orders follow Windows' Sspi.h.  Differences
 * (see Documentation/libksspi.rst):
 *
 *  - ULONG is uint32_t (Windows' 32-bit unsigned long), not the 64-bit
 *    Linux unsigned long; LONG and SECURITY_STATUS are int32_t.
 *  - SEC_CHAR strings ("A" functions) are UTF-8; SEC_WCHAR is char16_t and
 *    the "W" functions take and return UTF-16.  The unsuffixed names are
 *    always the "A" ones (UNICODE is not looked at).
 *  - Input strings are declared const.
 *  - SEC_ENTRY expands to nothing.
 *  - AcquireCredentialsHandleKeyA() is a Linux extension that takes a
 *    keyring key serial instead of a SEC_WINNT_AUTH_IDENTITY;
 *    AcquireCredentialsHandleFromContextA() (delegated credentials) and
 *    ksspi_status_name() are others.
 *  - Functions ksspi cannot serve return SEC_E_UNSUPPORTED_FUNCTION.
 */
#ifndef _KSSPI_SSPI_H
#define _KSSPI_SSPI_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <uchar.h>
#endif

/*
 * The SSPI constants (ISC_REQ_*, SECBUFFER_*, SECPKG_ATTR_*, ...) come from
 * the kernel ABI header.  It is installed next to this file.
 */
#include "linux/ksspi_sspi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Basic types, with the widths they have on Windows */
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;

typedef char SEC_CHAR;
typedef char16_t SEC_WCHAR;

typedef int32_t SECURITY_STATUS;

#define SEC_ENTRY
#define SEC_FAR
#define __SEC_FAR

/* Success codes are >= 0, errors < 0 (as for any HRESULT) */
#define SEC_SUCCESS(Status)	((SECURITY_STATUS)(Status) >= 0)

/*
 * The kernel header spells the status values as unsigned constants (its
 * status fields are __u32).  SECURITY_STATUS is signed, as on Windows, and
 * comparing it with an unsigned constant above INT32_MAX draws
 * -Wsign-compare: redefine the statuses as SECURITY_STATUS values.  The
 * numbers are the same (checked by the library's tests).
 */
#define _KSSPI_STATUS(v)	((SECURITY_STATUS)(v))

#undef SEC_E_OK
#undef SEC_I_CONTINUE_NEEDED
#undef SEC_I_COMPLETE_NEEDED
#undef SEC_I_COMPLETE_AND_CONTINUE
#undef SEC_I_LOCAL_LOGON
#undef SEC_I_CONTEXT_EXPIRED
#undef SEC_I_INCOMPLETE_CREDENTIALS
#undef SEC_I_RENEGOTIATE
#undef SEC_I_NO_LSA_CONTEXT
#undef SEC_I_SIGNATURE_NEEDED
#undef SEC_I_NO_RENEGOTIATION
#undef SEC_E_INSUFFICIENT_MEMORY
#undef SEC_E_INVALID_HANDLE
#undef SEC_E_UNSUPPORTED_FUNCTION
#undef SEC_E_TARGET_UNKNOWN
#undef SEC_E_INTERNAL_ERROR
#undef SEC_E_SECPKG_NOT_FOUND
#undef SEC_E_NOT_OWNER
#undef SEC_E_INVALID_TOKEN
#undef SEC_E_CANNOT_PACK
#undef SEC_E_QOP_NOT_SUPPORTED
#undef SEC_E_NO_IMPERSONATION
#undef SEC_E_LOGON_DENIED
#undef SEC_E_UNKNOWN_CREDENTIALS
#undef SEC_E_NO_CREDENTIALS
#undef SEC_E_MESSAGE_ALTERED
#undef SEC_E_OUT_OF_SEQUENCE
#undef SEC_E_NO_AUTHENTICATING_AUTHORITY
#undef SEC_E_BAD_PKGID
#undef SEC_E_CONTEXT_EXPIRED
#undef SEC_E_INCOMPLETE_MESSAGE
#undef SEC_E_INCOMPLETE_CREDENTIALS
#undef SEC_E_BUFFER_TOO_SMALL
#undef SEC_E_WRONG_PRINCIPAL
#undef SEC_E_TIME_SKEW
#undef SEC_E_UNTRUSTED_ROOT
#undef SEC_E_ILLEGAL_MESSAGE
#undef SEC_E_ENCRYPT_FAILURE
#undef SEC_E_DECRYPT_FAILURE
#undef SEC_E_ALGORITHM_MISMATCH
#undef SEC_E_UNFINISHED_CONTEXT_DELETED
#undef SEC_E_WRONG_CREDENTIAL_HANDLE
#undef SEC_E_CRYPTO_SYSTEM_INVALID
#undef SEC_E_SHUTDOWN_IN_PROGRESS
#undef SEC_E_BAD_BINDINGS
#undef SEC_E_INVALID_PARAMETER
#undef SEC_E_DELEGATION_POLICY
#undef SEC_E_POLICY_NLTM_ONLY
#undef SEC_E_NO_CONTEXT
#undef SEC_E_MUTUAL_AUTH_FAILED
#undef SEC_E_INSUFFICIENT_BUFFERS

#define SEC_E_OK				_KSSPI_STATUS(0x00000000)
#define SEC_I_CONTINUE_NEEDED			_KSSPI_STATUS(0x00090312)
#define SEC_I_COMPLETE_NEEDED			_KSSPI_STATUS(0x00090313)
#define SEC_I_COMPLETE_AND_CONTINUE		_KSSPI_STATUS(0x00090314)
#define SEC_I_LOCAL_LOGON			_KSSPI_STATUS(0x00090315)
#define SEC_I_CONTEXT_EXPIRED			_KSSPI_STATUS(0x00090317)
#define SEC_I_INCOMPLETE_CREDENTIALS		_KSSPI_STATUS(0x00090320)
#define SEC_I_RENEGOTIATE			_KSSPI_STATUS(0x00090321)
#define SEC_I_NO_LSA_CONTEXT			_KSSPI_STATUS(0x00090323)
#define SEC_I_SIGNATURE_NEEDED			_KSSPI_STATUS(0x0009035C)
#define SEC_I_NO_RENEGOTIATION			_KSSPI_STATUS(0x00090360)
#define SEC_E_INSUFFICIENT_MEMORY		_KSSPI_STATUS(0x80090300)
/* 0x80100003 as the ksspi reference pages print it (Windows: 0x80090301) */
#define SEC_E_INVALID_HANDLE			_KSSPI_STATUS(0x80100003)
#define SEC_E_UNSUPPORTED_FUNCTION		_KSSPI_STATUS(0x80090302)
#define SEC_E_TARGET_UNKNOWN			_KSSPI_STATUS(0x80090303)
#define SEC_E_INTERNAL_ERROR			_KSSPI_STATUS(0x80090304)
#define SEC_E_SECPKG_NOT_FOUND			_KSSPI_STATUS(0x80090305)
#define SEC_E_NOT_OWNER				_KSSPI_STATUS(0x80090306)
#define SEC_E_INVALID_TOKEN			_KSSPI_STATUS(0x80090308)
#define SEC_E_CANNOT_PACK			_KSSPI_STATUS(0x80090309)
#define SEC_E_QOP_NOT_SUPPORTED			_KSSPI_STATUS(0x8009030A)
#define SEC_E_NO_IMPERSONATION			_KSSPI_STATUS(0x8009030B)
#define SEC_E_LOGON_DENIED			_KSSPI_STATUS(0x8009030C)
#define SEC_E_UNKNOWN_CREDENTIALS		_KSSPI_STATUS(0x8009030D)
#define SEC_E_NO_CREDENTIALS			_KSSPI_STATUS(0x8009030E)
#define SEC_E_MESSAGE_ALTERED			_KSSPI_STATUS(0x8009030F)
#define SEC_E_OUT_OF_SEQUENCE			_KSSPI_STATUS(0x80090310)
#define SEC_E_NO_AUTHENTICATING_AUTHORITY	_KSSPI_STATUS(0x80090311)
#define SEC_E_BAD_PKGID				_KSSPI_STATUS(0x80090316)
#define SEC_E_CONTEXT_EXPIRED			_KSSPI_STATUS(0x80090317)
#define SEC_E_INCOMPLETE_MESSAGE		_KSSPI_STATUS(0x80090318)
#define SEC_E_INCOMPLETE_CREDENTIALS		_KSSPI_STATUS(0x80090320)
#define SEC_E_BUFFER_TOO_SMALL			_KSSPI_STATUS(0x80090321)
#define SEC_E_WRONG_PRINCIPAL			_KSSPI_STATUS(0x80090322)
#define SEC_E_TIME_SKEW				_KSSPI_STATUS(0x80090324)
#define SEC_E_UNTRUSTED_ROOT			_KSSPI_STATUS(0x80090325)
#define SEC_E_ILLEGAL_MESSAGE			_KSSPI_STATUS(0x80090326)
#define SEC_E_ENCRYPT_FAILURE			_KSSPI_STATUS(0x80090329)
#define SEC_E_DECRYPT_FAILURE			_KSSPI_STATUS(0x80090330)
#define SEC_E_ALGORITHM_MISMATCH		_KSSPI_STATUS(0x80090331)
#define SEC_E_UNFINISHED_CONTEXT_DELETED	_KSSPI_STATUS(0x80090333)
#define SEC_E_WRONG_CREDENTIAL_HANDLE		_KSSPI_STATUS(0x80090336)
#define SEC_E_CRYPTO_SYSTEM_INVALID		_KSSPI_STATUS(0x80090337)
#define SEC_E_SHUTDOWN_IN_PROGRESS		_KSSPI_STATUS(0x8009033F)
#define SEC_E_BAD_BINDINGS			_KSSPI_STATUS(0x80090346)
#define SEC_E_INVALID_PARAMETER			_KSSPI_STATUS(0x8009035D)
#define SEC_E_DELEGATION_POLICY			_KSSPI_STATUS(0x8009035E)
#define SEC_E_POLICY_NLTM_ONLY			_KSSPI_STATUS(0x8009035F)
#define SEC_E_NO_CONTEXT			_KSSPI_STATUS(0x80090361)
#define SEC_E_MUTUAL_AUTH_FAILED		_KSSPI_STATUS(0x80090363)
#define SEC_E_INSUFFICIENT_BUFFERS		_KSSPI_STATUS(0x8009036B)

/* Well-known package names */
#define NTLMSP_NAME_A			"NTLM"
#define NTLMSP_NAME_W			u"NTLM"
#define NEGOSSP_NAME_A			"Negotiate"
#define NEGOSSP_NAME_W			u"Negotiate"
#define MICROSOFT_KERBEROS_NAME_A	"Kerberos"
#define MICROSOFT_KERBEROS_NAME_W	u"Kerberos"
#define CREDSSP_NAME_A			"CREDSSP"
#define CREDSSP_NAME_W			u"CREDSSP"

/* Handles */
typedef struct _SecHandle {
	ULONG_PTR dwLower;
	ULONG_PTR dwUpper;
} SecHandle, *PSecHandle;

typedef SecHandle CredHandle;
typedef PSecHandle PCredHandle;
typedef SecHandle CtxtHandle;
typedef PSecHandle PCtxtHandle;

#define SecInvalidateHandle(x) \
	((x)->dwLower = (x)->dwUpper = (ULONG_PTR)(intptr_t)-1)
#define SecIsValidHandle(x) \
	((x)->dwLower != (ULONG_PTR)(intptr_t)-1 && \
	 (x)->dwUpper != (ULONG_PTR)(intptr_t)-1)

/*
 * Times: 100 ns units since 1601-01-01, as a 64-bit value split in two
 * 32-bit halves.  ksspi_timestamp_to_int64() and ksspi_timestamp_from_int64()
 * convert.
 */
typedef struct _SECURITY_INTEGER {
	uint32_t LowPart;
	int32_t HighPart;
} SECURITY_INTEGER, *PSECURITY_INTEGER;

typedef SECURITY_INTEGER TimeStamp, *PTimeStamp;

static inline int64_t ksspi_timestamp_to_int64(const TimeStamp *ts)
{
	return (int64_t)(((uint64_t)(uint32_t)ts->HighPart << 32) | ts->LowPart);
}

static inline void ksspi_timestamp_from_int64(TimeStamp *ts, int64_t v)
{
	ts->LowPart = (uint32_t)(uint64_t)v;
	ts->HighPart = (int32_t)(uint32_t)((uint64_t)v >> 32);
}

/* Buffers */
typedef struct _SecBuffer {
	ULONG cbBuffer;
	ULONG BufferType;
	void *pvBuffer;
} SecBuffer, *PSecBuffer;

typedef struct _SecBufferDesc {
	ULONG ulVersion;
	ULONG cBuffers;
	PSecBuffer pBuffers;
} SecBufferDesc, *PSecBufferDesc;

/* Packages */
typedef struct _SecPkgInfoA {
	ULONG fCapabilities;
	unsigned short wVersion;
	unsigned short wRPCID;
	ULONG cbMaxToken;
	SEC_CHAR *Name;
	SEC_CHAR *Comment;
} SecPkgInfoA, *PSecPkgInfoA;

typedef struct _SecPkgInfoW {
	ULONG fCapabilities;
	unsigned short wVersion;
	unsigned short wRPCID;
	ULONG cbMaxToken;
	SEC_WCHAR *Name;
	SEC_WCHAR *Comment;
} SecPkgInfoW, *PSecPkgInfoW;

/* Identities for AcquireCredentialsHandle's pAuthData */
typedef struct _SEC_WINNT_AUTH_IDENTITY_A {
	unsigned char *User;
	ULONG UserLength;		/* bytes, without a terminating NUL */
	unsigned char *Domain;
	ULONG DomainLength;
	unsigned char *Password;
	ULONG PasswordLength;
	ULONG Flags;			/* SEC_WINNT_AUTH_IDENTITY_ANSI */
} SEC_WINNT_AUTH_IDENTITY_A, *PSEC_WINNT_AUTH_IDENTITY_A;

typedef struct _SEC_WINNT_AUTH_IDENTITY_W {
	SEC_WCHAR *User;
	ULONG UserLength;		/* UTF-16 code units, without a NUL */
	SEC_WCHAR *Domain;
	ULONG DomainLength;
	SEC_WCHAR *Password;
	ULONG PasswordLength;
	ULONG Flags;			/* SEC_WINNT_AUTH_IDENTITY_UNICODE */
} SEC_WINNT_AUTH_IDENTITY_W, *PSEC_WINNT_AUTH_IDENTITY_W;

/* QueryContextAttributes answers */
typedef struct _SecPkgContext_Sizes {
	ULONG cbMaxToken;
	ULONG cbMaxSignature;
	ULONG cbBlockSize;
	ULONG cbSecurityTrailer;
} SecPkgContext_Sizes, *PSecPkgContext_Sizes;

typedef struct _SecPkgContext_Lifespan {
	TimeStamp tsStart;
	TimeStamp tsExpiry;
} SecPkgContext_Lifespan, *PSecPkgContext_Lifespan;

typedef struct _SecPkgContext_NamesA {
	SEC_CHAR *sUserName;
} SecPkgContext_NamesA, *PSecPkgContext_NamesA;

typedef struct _SecPkgContext_NamesW {
	SEC_WCHAR *sUserName;
} SecPkgContext_NamesW, *PSecPkgContext_NamesW;

typedef struct _SecPkgContext_SessionKey {
	ULONG SessionKeyLength;
	unsigned char *SessionKey;
} SecPkgContext_SessionKey, *PSecPkgContext_SessionKey;

typedef struct _SecPkgContext_PackageInfoA {
	PSecPkgInfoA PackageInfo;
} SecPkgContext_PackageInfoA, *PSecPkgContext_PackageInfoA;

typedef struct _SecPkgContext_PackageInfoW {
	PSecPkgInfoW PackageInfo;
} SecPkgContext_PackageInfoW, *PSecPkgContext_PackageInfoW;

typedef struct _SecPkgContext_NegotiationInfoA {
	PSecPkgInfoA PackageInfo;
	ULONG NegotiationState;
} SecPkgContext_NegotiationInfoA, *PSecPkgContext_NegotiationInfoA;

typedef struct _SecPkgContext_NegotiationInfoW {
	PSecPkgInfoW PackageInfo;
	ULONG NegotiationState;
} SecPkgContext_NegotiationInfoW, *PSecPkgContext_NegotiationInfoW;

typedef struct _SecPkgContext_Flags {
	ULONG Flags;
} SecPkgContext_Flags, *PSecPkgContext_Flags;

/* SECPKG_ATTR_STREAM_SIZES: packages whose messages are records (CredSSP) */
typedef struct _SecPkgContext_StreamSizes {
	ULONG cbHeader;
	ULONG cbTrailer;
	ULONG cbMaximumMessage;
	ULONG cBuffers;
	ULONG cbBlockSize;
} SecPkgContext_StreamSizes, *PSecPkgContext_StreamSizes;

/*
 * SECPKG_ATTR_KEY_INFO.  Each name is a separate allocation, freed with
 * FreeContextBuffer(); the algorithm ids are KERB_ETYPE_* / KERB_CHECKSUM_*
 * values (negative ones as two's complement), as on Windows.
 */
typedef struct _SecPkgContext_KeyInfoA {
	SEC_CHAR *sSignatureAlgorithmName;
	SEC_CHAR *sEncryptAlgorithmName;
	ULONG KeySize;			/* bits */
	ULONG SignatureAlgorithm;
	ULONG EncryptAlgorithm;
} SecPkgContext_KeyInfoA, *PSecPkgContext_KeyInfoA;

typedef struct _SecPkgContext_KeyInfoW {
	SEC_WCHAR *sSignatureAlgorithmName;
	SEC_WCHAR *sEncryptAlgorithmName;
	ULONG KeySize;
	ULONG SignatureAlgorithm;
	ULONG EncryptAlgorithm;
} SecPkgContext_KeyInfoW, *PSecPkgContext_KeyInfoW;

/* Algorithm ids of SecPkgContext_KeyInfo (Windows has them in ntsecapi.h) */
#define KERB_ETYPE_RC4_PLAIN			(-140)
#define KERB_ETYPE_RC4_HMAC_NT			23
#define KERB_ETYPE_AES128_CTS_HMAC_SHA1_96	17
#define KERB_ETYPE_AES256_CTS_HMAC_SHA1_96	18
#define KERB_CHECKSUM_HMAC_MD5			(-138)
#define KERB_CHECKSUM_HMAC_SHA1_96_AES128	15
#define KERB_CHECKSUM_HMAC_SHA1_96_AES256	16

/* SECPKG_ATTR_TARGET: UTF-8 in both the A and the W call, as on Windows */
typedef struct _SecPkgContext_Target {
	ULONG TargetLength;		/* bytes, without the NUL */
	char *Target;
} SecPkgContext_Target, *PSecPkgContext_Target;

/*
 * SECPKG_ATTR_ISSUER_LIST_EX, a CredSSP client after
 * SEC_I_INCOMPLETE_CREDENTIALS: the CAs the server trusts, DER names.
 * aIssuers is one block (the names inside it), freed with
 * FreeContextBuffer(); NULL when cIssuers is 0.
 */
#ifndef _KSSPI_CERT_NAME_BLOB
#define _KSSPI_CERT_NAME_BLOB
typedef struct _CERT_NAME_BLOB {
	ULONG cbData;
	unsigned char *pbData;
} CERT_NAME_BLOB, *PCERT_NAME_BLOB;
#endif

typedef struct _SecPkgContext_IssuerListInfoEx {
	PCERT_NAME_BLOB aIssuers;
	ULONG cIssuers;
} SecPkgContext_IssuerListInfoEx, *PSecPkgContext_IssuerListInfoEx;

/* Unused by ksspi; the parameter must be NULL */
typedef void (SEC_ENTRY *SEC_GET_KEY_FN)(void *Arg, void *Principal,
					 ULONG KeyVer, void **Key,
					 SECURITY_STATUS *Status);

/* A keyring key serial, as in <keyutils.h> */
typedef int32_t key_serial_t;

#if defined(__GNUC__)
#define _KSSPI_API	__attribute__((visibility("default")))
#else
#define _KSSPI_API
#endif

/* Credentials */
_KSSPI_API SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleA(
	const SEC_CHAR *pszPrincipal, const SEC_CHAR *pszPackage,
	ULONG fCredentialUse, void *pvLogonId, void *pAuthData,
	SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
	PCredHandle phCredential, PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleW(
	const SEC_WCHAR *pszPrincipal, const SEC_WCHAR *pszPackage,
	ULONG fCredentialUse, void *pvLogonId, void *pAuthData,
	SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
	PCredHandle phCredential, PTimeStamp ptsExpiry);

/* Linux extension: the identity is a "user" or "logon" key of the keyring */
_KSSPI_API SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleKeyA(
	const SEC_CHAR *pszPackage, ULONG fCredentialUse, key_serial_t serial,
	PCredHandle phCredential, PTimeStamp ptsExpiry);

/*
 * Linux extension: credentials of a package that runs TLS (CredSSP) with a
 * certificate chain and its private key in "user" or "logon" keys of the
 * keyring (the library never reads them): a server's identity, or a client
 * certificate.  pAuthData is what AcquireCredentialsHandleA takes, or NULL.
 */
_KSSPI_API SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleTlsA(
	const SEC_CHAR *pszPackage, ULONG fCredentialUse, void *pAuthData,
	key_serial_t certificate, key_serial_t private_key,
	PCredHandle phCredential, PTimeStamp ptsExpiry);

/*
 * Linux extension: outbound credentials of what a client delegated to a
 * context this process accepted with ASC_REQ_DELEGATE (the call returned
 * ASC_RET_DELEGATE), for "Kerberos" or "Negotiate".  Windows servers
 * reach a second service with ImpersonateSecurityContext instead.  Once
 * the accepted context is deleted, InitializeSecurityContext with the
 * credential gives SEC_E_NO_CREDENTIALS.
 */
_KSSPI_API SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleFromContextA(
	PCtxtHandle phAcceptedContext, const SEC_CHAR *pszPackage,
	PCredHandle phCredential, PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY FreeCredentialsHandle(
	PCredHandle phCredential);

/* Contexts */
_KSSPI_API SECURITY_STATUS SEC_ENTRY InitializeSecurityContextA(
	PCredHandle phCredential, PCtxtHandle phContext,
	const SEC_CHAR *pszTargetName, ULONG fContextReq, ULONG Reserved1,
	ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
	PCtxtHandle phNewContext, PSecBufferDesc pOutput,
	PULONG pfContextAttr, PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY InitializeSecurityContextW(
	PCredHandle phCredential, PCtxtHandle phContext,
	const SEC_WCHAR *pszTargetName, ULONG fContextReq, ULONG Reserved1,
	ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
	PCtxtHandle phNewContext, PSecBufferDesc pOutput,
	PULONG pfContextAttr, PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY AcceptSecurityContext(
	PCredHandle phCredential, PCtxtHandle phContext,
	PSecBufferDesc pInput, ULONG fContextReq, ULONG TargetDataRep,
	PCtxtHandle phNewContext, PSecBufferDesc pOutput,
	PULONG pfContextAttr, PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY CompleteAuthToken(
	PCtxtHandle phContext, PSecBufferDesc pToken);

_KSSPI_API SECURITY_STATUS SEC_ENTRY DeleteSecurityContext(
	PCtxtHandle phContext);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryContextAttributesA(
	PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryContextAttributesW(
	PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY ExportSecurityContext(
	PCtxtHandle phContext, ULONG fFlags, PSecBuffer pPackedContext,
	void **pToken);

_KSSPI_API SECURITY_STATUS SEC_ENTRY ImportSecurityContextA(
	const SEC_CHAR *pszPackage, PSecBuffer pPackedContext, void *Token,
	PCtxtHandle phContext);

_KSSPI_API SECURITY_STATUS SEC_ENTRY ImportSecurityContextW(
	const SEC_WCHAR *pszPackage, PSecBuffer pPackedContext, void *Token,
	PCtxtHandle phContext);

/* Messages */
_KSSPI_API SECURITY_STATUS SEC_ENTRY MakeSignature(
	PCtxtHandle phContext, ULONG fQOP, PSecBufferDesc pMessage,
	ULONG MessageSeqNo);

_KSSPI_API SECURITY_STATUS SEC_ENTRY VerifySignature(
	PCtxtHandle phContext, PSecBufferDesc pMessage, ULONG MessageSeqNo,
	PULONG pfQOP);

_KSSPI_API SECURITY_STATUS SEC_ENTRY EncryptMessage(
	PCtxtHandle phContext, ULONG fQOP, PSecBufferDesc pMessage,
	ULONG MessageSeqNo);

_KSSPI_API SECURITY_STATUS SEC_ENTRY DecryptMessage(
	PCtxtHandle phContext, PSecBufferDesc pMessage, ULONG MessageSeqNo,
	PULONG pfQOP);

/* Packages */
_KSSPI_API SECURITY_STATUS SEC_ENTRY QuerySecurityPackageInfoA(
	const SEC_CHAR *pszPackageName, PSecPkgInfoA *ppPackageInfo);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QuerySecurityPackageInfoW(
	const SEC_WCHAR *pszPackageName, PSecPkgInfoW *ppPackageInfo);

_KSSPI_API SECURITY_STATUS SEC_ENTRY EnumerateSecurityPackagesA(
	PULONG pcPackages, PSecPkgInfoA *ppPackageInfo);

_KSSPI_API SECURITY_STATUS SEC_ENTRY EnumerateSecurityPackagesW(
	PULONG pcPackages, PSecPkgInfoW *ppPackageInfo);

/* Memory the library returned */
_KSSPI_API SECURITY_STATUS SEC_ENTRY FreeContextBuffer(void *pvContextBuffer);

/*
 * Functions of the SSPI that ksspi cannot serve (no access tokens, no
 * credential attributes, no password changes, no setting of attributes):
 * they exist, as on Windows, and return SEC_E_UNSUPPORTED_FUNCTION without
 * touching their arguments.
 */
_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryCredentialsAttributesA(
	PCredHandle phCredential, ULONG ulAttribute, void *pBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryCredentialsAttributesW(
	PCredHandle phCredential, ULONG ulAttribute, void *pBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryCredentialsAttributesExA(
	PCredHandle phCredential, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryCredentialsAttributesExW(
	PCredHandle phCredential, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY SetCredentialsAttributesA(
	PCredHandle phCredential, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY SetCredentialsAttributesW(
	PCredHandle phCredential, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY AddCredentialsA(
	PCredHandle hCredentials, const SEC_CHAR *pszPrincipal,
	const SEC_CHAR *pszPackage, ULONG fCredentialUse, void *pAuthData,
	SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
	PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY AddCredentialsW(
	PCredHandle hCredentials, const SEC_WCHAR *pszPrincipal,
	const SEC_WCHAR *pszPackage, ULONG fCredentialUse, void *pAuthData,
	SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
	PTimeStamp ptsExpiry);

_KSSPI_API SECURITY_STATUS SEC_ENTRY ApplyControlToken(
	PCtxtHandle phContext, PSecBufferDesc pInput);

_KSSPI_API SECURITY_STATUS SEC_ENTRY ImpersonateSecurityContext(
	PCtxtHandle phContext);

_KSSPI_API SECURITY_STATUS SEC_ENTRY RevertSecurityContext(
	PCtxtHandle phContext);

/* Token: a HANDLE on Windows */
_KSSPI_API SECURITY_STATUS SEC_ENTRY QuerySecurityContextToken(
	PCtxtHandle phContext, void **Token);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryContextAttributesExA(
	PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY QueryContextAttributesExW(
	PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY SetContextAttributesA(
	PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

_KSSPI_API SECURITY_STATUS SEC_ENTRY SetContextAttributesW(
	PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer,
	ULONG cbBuffer);

/* bImpersonating: a BOOLEAN (one byte) on Windows */
_KSSPI_API SECURITY_STATUS SEC_ENTRY ChangeAccountPasswordA(
	const SEC_CHAR *pszPackageName, const SEC_CHAR *pszDomainName,
	const SEC_CHAR *pszAccountName, const SEC_CHAR *pszOldPassword,
	const SEC_CHAR *pszNewPassword, unsigned char bImpersonating,
	ULONG dwReserved, PSecBufferDesc pOutput);

_KSSPI_API SECURITY_STATUS SEC_ENTRY ChangeAccountPasswordW(
	const SEC_WCHAR *pszPackageName, const SEC_WCHAR *pszDomainName,
	const SEC_WCHAR *pszAccountName, const SEC_WCHAR *pszOldPassword,
	const SEC_WCHAR *pszNewPassword, unsigned char bImpersonating,
	ULONG dwReserved, PSecBufferDesc pOutput);

/*
 * The dispatch table, in Windows' layout (SECURITY_FUNCTION_TABLE_A/W of
 * Sspi.h, every member through QueryCredentialsAttributesEx).  The
 * function types take const input strings, as the functions do.
 */
typedef SECURITY_STATUS (SEC_ENTRY *ENUMERATE_SECURITY_PACKAGES_FN_A)(
	PULONG, PSecPkgInfoA *);
typedef SECURITY_STATUS (SEC_ENTRY *ENUMERATE_SECURITY_PACKAGES_FN_W)(
	PULONG, PSecPkgInfoW *);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CREDENTIALS_ATTRIBUTES_FN_A)(
	PCredHandle, ULONG, void *);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CREDENTIALS_ATTRIBUTES_FN_W)(
	PCredHandle, ULONG, void *);
typedef SECURITY_STATUS (SEC_ENTRY *ACQUIRE_CREDENTIALS_HANDLE_FN_A)(
	const SEC_CHAR *, const SEC_CHAR *, ULONG, void *, void *,
	SEC_GET_KEY_FN, void *, PCredHandle, PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *ACQUIRE_CREDENTIALS_HANDLE_FN_W)(
	const SEC_WCHAR *, const SEC_WCHAR *, ULONG, void *, void *,
	SEC_GET_KEY_FN, void *, PCredHandle, PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *FREE_CREDENTIALS_HANDLE_FN)(
	PCredHandle);
typedef SECURITY_STATUS (SEC_ENTRY *INITIALIZE_SECURITY_CONTEXT_FN_A)(
	PCredHandle, PCtxtHandle, const SEC_CHAR *, ULONG, ULONG, ULONG,
	PSecBufferDesc, ULONG, PCtxtHandle, PSecBufferDesc, PULONG,
	PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *INITIALIZE_SECURITY_CONTEXT_FN_W)(
	PCredHandle, PCtxtHandle, const SEC_WCHAR *, ULONG, ULONG, ULONG,
	PSecBufferDesc, ULONG, PCtxtHandle, PSecBufferDesc, PULONG,
	PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *ACCEPT_SECURITY_CONTEXT_FN)(
	PCredHandle, PCtxtHandle, PSecBufferDesc, ULONG, ULONG, PCtxtHandle,
	PSecBufferDesc, PULONG, PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *COMPLETE_AUTH_TOKEN_FN)(
	PCtxtHandle, PSecBufferDesc);
typedef SECURITY_STATUS (SEC_ENTRY *DELETE_SECURITY_CONTEXT_FN)(
	PCtxtHandle);
typedef SECURITY_STATUS (SEC_ENTRY *APPLY_CONTROL_TOKEN_FN)(
	PCtxtHandle, PSecBufferDesc);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_FN_A)(
	PCtxtHandle, ULONG, void *);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_FN_W)(
	PCtxtHandle, ULONG, void *);
typedef SECURITY_STATUS (SEC_ENTRY *IMPERSONATE_SECURITY_CONTEXT_FN)(
	PCtxtHandle);
typedef SECURITY_STATUS (SEC_ENTRY *REVERT_SECURITY_CONTEXT_FN)(
	PCtxtHandle);
typedef SECURITY_STATUS (SEC_ENTRY *MAKE_SIGNATURE_FN)(
	PCtxtHandle, ULONG, PSecBufferDesc, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *VERIFY_SIGNATURE_FN)(
	PCtxtHandle, PSecBufferDesc, ULONG, PULONG);
typedef SECURITY_STATUS (SEC_ENTRY *FREE_CONTEXT_BUFFER_FN)(void *);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_SECURITY_PACKAGE_INFO_FN_A)(
	const SEC_CHAR *, PSecPkgInfoA *);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_SECURITY_PACKAGE_INFO_FN_W)(
	const SEC_WCHAR *, PSecPkgInfoW *);
typedef SECURITY_STATUS (SEC_ENTRY *EXPORT_SECURITY_CONTEXT_FN)(
	PCtxtHandle, ULONG, PSecBuffer, void **);
typedef SECURITY_STATUS (SEC_ENTRY *IMPORT_SECURITY_CONTEXT_FN_A)(
	const SEC_CHAR *, PSecBuffer, void *, PCtxtHandle);
typedef SECURITY_STATUS (SEC_ENTRY *IMPORT_SECURITY_CONTEXT_FN_W)(
	const SEC_WCHAR *, PSecBuffer, void *, PCtxtHandle);
typedef SECURITY_STATUS (SEC_ENTRY *ADD_CREDENTIALS_FN_A)(
	PCredHandle, const SEC_CHAR *, const SEC_CHAR *, ULONG, void *,
	SEC_GET_KEY_FN, void *, PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *ADD_CREDENTIALS_FN_W)(
	PCredHandle, const SEC_WCHAR *, const SEC_WCHAR *, ULONG, void *,
	SEC_GET_KEY_FN, void *, PTimeStamp);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_SECURITY_CONTEXT_TOKEN_FN)(
	PCtxtHandle, void **);
typedef SECURITY_STATUS (SEC_ENTRY *ENCRYPT_MESSAGE_FN)(
	PCtxtHandle, ULONG, PSecBufferDesc, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *DECRYPT_MESSAGE_FN)(
	PCtxtHandle, PSecBufferDesc, ULONG, PULONG);
typedef SECURITY_STATUS (SEC_ENTRY *SET_CONTEXT_ATTRIBUTES_FN_A)(
	PCtxtHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *SET_CONTEXT_ATTRIBUTES_FN_W)(
	PCtxtHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *SET_CREDENTIALS_ATTRIBUTES_FN_A)(
	PCredHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *SET_CREDENTIALS_ATTRIBUTES_FN_W)(
	PCredHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *CHANGE_PASSWORD_FN_A)(
	const SEC_CHAR *, const SEC_CHAR *, const SEC_CHAR *,
	const SEC_CHAR *, const SEC_CHAR *, unsigned char, ULONG,
	PSecBufferDesc);
typedef SECURITY_STATUS (SEC_ENTRY *CHANGE_PASSWORD_FN_W)(
	const SEC_WCHAR *, const SEC_WCHAR *, const SEC_WCHAR *,
	const SEC_WCHAR *, const SEC_WCHAR *, unsigned char, ULONG,
	PSecBufferDesc);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_EX_FN_A)(
	PCtxtHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_EX_FN_W)(
	PCtxtHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CREDENTIALS_ATTRIBUTES_EX_FN_A)(
	PCredHandle, ULONG, void *, ULONG);
typedef SECURITY_STATUS (SEC_ENTRY *QUERY_CREDENTIALS_ATTRIBUTES_EX_FN_W)(
	PCredHandle, ULONG, void *, ULONG);

typedef struct _SECURITY_FUNCTION_TABLE_A {
	ULONG dwVersion;
	ENUMERATE_SECURITY_PACKAGES_FN_A EnumerateSecurityPackagesA;
	QUERY_CREDENTIALS_ATTRIBUTES_FN_A QueryCredentialsAttributesA;
	ACQUIRE_CREDENTIALS_HANDLE_FN_A AcquireCredentialsHandleA;
	FREE_CREDENTIALS_HANDLE_FN FreeCredentialsHandle;
	void *Reserved2;
	INITIALIZE_SECURITY_CONTEXT_FN_A InitializeSecurityContextA;
	ACCEPT_SECURITY_CONTEXT_FN AcceptSecurityContext;
	COMPLETE_AUTH_TOKEN_FN CompleteAuthToken;
	DELETE_SECURITY_CONTEXT_FN DeleteSecurityContext;
	APPLY_CONTROL_TOKEN_FN ApplyControlToken;
	QUERY_CONTEXT_ATTRIBUTES_FN_A QueryContextAttributesA;
	IMPERSONATE_SECURITY_CONTEXT_FN ImpersonateSecurityContext;
	REVERT_SECURITY_CONTEXT_FN RevertSecurityContext;
	MAKE_SIGNATURE_FN MakeSignature;
	VERIFY_SIGNATURE_FN VerifySignature;
	FREE_CONTEXT_BUFFER_FN FreeContextBuffer;
	QUERY_SECURITY_PACKAGE_INFO_FN_A QuerySecurityPackageInfoA;
	void *Reserved3;
	void *Reserved4;
	EXPORT_SECURITY_CONTEXT_FN ExportSecurityContext;
	IMPORT_SECURITY_CONTEXT_FN_A ImportSecurityContextA;
	ADD_CREDENTIALS_FN_A AddCredentialsA;
	void *Reserved8;
	QUERY_SECURITY_CONTEXT_TOKEN_FN QuerySecurityContextToken;
	ENCRYPT_MESSAGE_FN EncryptMessage;
	DECRYPT_MESSAGE_FN DecryptMessage;
	SET_CONTEXT_ATTRIBUTES_FN_A SetContextAttributesA;
	SET_CREDENTIALS_ATTRIBUTES_FN_A SetCredentialsAttributesA;
	CHANGE_PASSWORD_FN_A ChangeAccountPasswordA;
	QUERY_CONTEXT_ATTRIBUTES_EX_FN_A QueryContextAttributesExA;
	QUERY_CREDENTIALS_ATTRIBUTES_EX_FN_A QueryCredentialsAttributesExA;
} SecurityFunctionTableA, *PSecurityFunctionTableA;

typedef struct _SECURITY_FUNCTION_TABLE_W {
	ULONG dwVersion;
	ENUMERATE_SECURITY_PACKAGES_FN_W EnumerateSecurityPackagesW;
	QUERY_CREDENTIALS_ATTRIBUTES_FN_W QueryCredentialsAttributesW;
	ACQUIRE_CREDENTIALS_HANDLE_FN_W AcquireCredentialsHandleW;
	FREE_CREDENTIALS_HANDLE_FN FreeCredentialsHandle;
	void *Reserved2;
	INITIALIZE_SECURITY_CONTEXT_FN_W InitializeSecurityContextW;
	ACCEPT_SECURITY_CONTEXT_FN AcceptSecurityContext;
	COMPLETE_AUTH_TOKEN_FN CompleteAuthToken;
	DELETE_SECURITY_CONTEXT_FN DeleteSecurityContext;
	APPLY_CONTROL_TOKEN_FN ApplyControlToken;
	QUERY_CONTEXT_ATTRIBUTES_FN_W QueryContextAttributesW;
	IMPERSONATE_SECURITY_CONTEXT_FN ImpersonateSecurityContext;
	REVERT_SECURITY_CONTEXT_FN RevertSecurityContext;
	MAKE_SIGNATURE_FN MakeSignature;
	VERIFY_SIGNATURE_FN VerifySignature;
	FREE_CONTEXT_BUFFER_FN FreeContextBuffer;
	QUERY_SECURITY_PACKAGE_INFO_FN_W QuerySecurityPackageInfoW;
	void *Reserved3;
	void *Reserved4;
	EXPORT_SECURITY_CONTEXT_FN ExportSecurityContext;
	IMPORT_SECURITY_CONTEXT_FN_W ImportSecurityContextW;
	ADD_CREDENTIALS_FN_W AddCredentialsW;
	void *Reserved8;
	QUERY_SECURITY_CONTEXT_TOKEN_FN QuerySecurityContextToken;
	ENCRYPT_MESSAGE_FN EncryptMessage;
	DECRYPT_MESSAGE_FN DecryptMessage;
	SET_CONTEXT_ATTRIBUTES_FN_W SetContextAttributesW;
	SET_CREDENTIALS_ATTRIBUTES_FN_W SetCredentialsAttributesW;
	CHANGE_PASSWORD_FN_W ChangeAccountPasswordW;
	QUERY_CONTEXT_ATTRIBUTES_EX_FN_W QueryContextAttributesExW;
	QUERY_CREDENTIALS_ATTRIBUTES_EX_FN_W QueryCredentialsAttributesExW;
} SecurityFunctionTableW, *PSecurityFunctionTableW;

/* dwVersion values; libksspi's tables say 1, as Windows 7 to 11 do */
#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION	1
#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION_2	2
#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION_3	3
#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION_4	4
#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION_5	5

/* The entry points by name, for dlsym() */
#define SECURITY_ENTRYPOINT_ANSIA	"InitSecurityInterfaceA"
#define SECURITY_ENTRYPOINT_ANSIW	"InitSecurityInterfaceW"
#define SECURITY_ENTRYPOINTA		SECURITY_ENTRYPOINT_ANSIA
#define SECURITY_ENTRYPOINTW		SECURITY_ENTRYPOINT_ANSIW

/*
 * The tables of libksspi's own functions (not of another library's that
 * exports the same names); they live as long as the library is loaded.
 */
_KSSPI_API PSecurityFunctionTableA SEC_ENTRY InitSecurityInterfaceA(void);
_KSSPI_API PSecurityFunctionTableW SEC_ENTRY InitSecurityInterfaceW(void);

typedef PSecurityFunctionTableA (SEC_ENTRY *INIT_SECURITY_INTERFACE_A)(void);
typedef PSecurityFunctionTableW (SEC_ENTRY *INIT_SECURITY_INTERFACE_W)(void);

/*
 * Linux extension: the name of a status ("SEC_E_LOGON_DENIED"), or NULL
 * when the value is not one of the statuses above.
 */
_KSSPI_API const char *ksspi_status_name(SECURITY_STATUS status);

/* Unsuffixed names: always the "A" variants */
#define AcquireCredentialsHandle	AcquireCredentialsHandleA
#define InitializeSecurityContext	InitializeSecurityContextA
#define QueryContextAttributes		QueryContextAttributesA
#define ImportSecurityContext		ImportSecurityContextA
#define QuerySecurityPackageInfo	QuerySecurityPackageInfoA
#define EnumerateSecurityPackages	EnumerateSecurityPackagesA
#define QueryCredentialsAttributes	QueryCredentialsAttributesA
#define QueryCredentialsAttributesEx	QueryCredentialsAttributesExA
#define SetCredentialsAttributes	SetCredentialsAttributesA
#define AddCredentials			AddCredentialsA
#define QueryContextAttributesEx	QueryContextAttributesExA
#define SetContextAttributes		SetContextAttributesA
#define ChangeAccountPassword		ChangeAccountPasswordA
#define InitSecurityInterface		InitSecurityInterfaceA
#define SECURITY_ENTRYPOINT		SECURITY_ENTRYPOINTA
#define SECURITY_ENTRYPOINT_ANSI	SECURITY_ENTRYPOINT_ANSIA
/* Windows' alternative spelling (the A table's member on Windows) */
#define FreeCredentialHandle		FreeCredentialsHandle

#define ENUMERATE_SECURITY_PACKAGES_FN	ENUMERATE_SECURITY_PACKAGES_FN_A
#define QUERY_CREDENTIALS_ATTRIBUTES_FN	QUERY_CREDENTIALS_ATTRIBUTES_FN_A
#define ACQUIRE_CREDENTIALS_HANDLE_FN	ACQUIRE_CREDENTIALS_HANDLE_FN_A
#define INITIALIZE_SECURITY_CONTEXT_FN	INITIALIZE_SECURITY_CONTEXT_FN_A
#define QUERY_CONTEXT_ATTRIBUTES_FN	QUERY_CONTEXT_ATTRIBUTES_FN_A
#define QUERY_SECURITY_PACKAGE_INFO_FN	QUERY_SECURITY_PACKAGE_INFO_FN_A
#define IMPORT_SECURITY_CONTEXT_FN	IMPORT_SECURITY_CONTEXT_FN_A
#define ADD_CREDENTIALS_FN		ADD_CREDENTIALS_FN_A
#define SET_CONTEXT_ATTRIBUTES_FN	SET_CONTEXT_ATTRIBUTES_FN_A
#define SET_CREDENTIALS_ATTRIBUTES_FN	SET_CREDENTIALS_ATTRIBUTES_FN_A
#define CHANGE_PASSWORD_FN		CHANGE_PASSWORD_FN_A
#define QUERY_CONTEXT_ATTRIBUTES_EX_FN	QUERY_CONTEXT_ATTRIBUTES_EX_FN_A
#define QUERY_CREDENTIALS_ATTRIBUTES_EX_FN \
	QUERY_CREDENTIALS_ATTRIBUTES_EX_FN_A
#define INIT_SECURITY_INTERFACE		INIT_SECURITY_INTERFACE_A

typedef SecPkgInfoA SecPkgInfo, *PSecPkgInfo;
typedef SEC_WINNT_AUTH_IDENTITY_A SEC_WINNT_AUTH_IDENTITY,
	*PSEC_WINNT_AUTH_IDENTITY;
typedef SecPkgContext_NamesA SecPkgContext_Names, *PSecPkgContext_Names;
typedef SecPkgContext_PackageInfoA SecPkgContext_PackageInfo,
	*PSecPkgContext_PackageInfo;
typedef SecPkgContext_NegotiationInfoA SecPkgContext_NegotiationInfo,
	*PSecPkgContext_NegotiationInfo;
typedef SecPkgContext_KeyInfoA SecPkgContext_KeyInfo, *PSecPkgContext_KeyInfo;
typedef SecurityFunctionTableA SecurityFunctionTable, *PSecurityFunctionTable;

#define NTLMSP_NAME			NTLMSP_NAME_A
#define NEGOSSP_NAME			NEGOSSP_NAME_A
#define MICROSOFT_KERBEROS_NAME		MICROSOFT_KERBEROS_NAME_A
#define CREDSSP_NAME			CREDSSP_NAME_A

#undef _KSSPI_API

#ifdef __cplusplus
}
#endif

#endif /* _KSSPI_SSPI_H */
