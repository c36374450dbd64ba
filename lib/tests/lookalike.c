// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A look-alike of another SSPI library (WinPR, say): a shared library that
 * exports the SSPI names libksspi exports, each returning a poison status
 * and counting its calls.  Loaded ahead of libksspi (LD_PRELOAD, or dlopen
 * with RTLD_GLOBAL), it shows whether libksspi's table and internal calls
 * still reach libksspi's own functions.  Test use only.
 *
 * The functions take no parameters here: only their names matter to the
 * dynamic linker, and they are called only when the binding under test is
 * broken (then with the SSPI arguments, which the x86-64 and AArch64
 * calling conventions let a function ignore).
 */
#define LOOKALIKE_STATUS	((int)0x8009DEAD)	/* no SEC_E_* has it */

#define LOOKALIKE_NAMES(X) \
	X(AcceptSecurityContext) X(AcquireCredentialsHandleA) \
	X(AcquireCredentialsHandleW) X(AddCredentialsA) X(AddCredentialsW) \
	X(ApplyControlToken) X(ChangeAccountPasswordA) \
	X(ChangeAccountPasswordW) X(CompleteAuthToken) X(DecryptMessage) \
	X(DeleteSecurityContext) X(EncryptMessage) \
	X(EnumerateSecurityPackagesA) X(EnumerateSecurityPackagesW) \
	X(ExportSecurityContext) X(FreeContextBuffer) \
	X(FreeCredentialsHandle) X(ImpersonateSecurityContext) \
	X(ImportSecurityContextA) X(ImportSecurityContextW) \
	X(InitializeSecurityContextA) X(InitializeSecurityContextW) \
	X(MakeSignature) X(QueryContextAttributesA) \
	X(QueryContextAttributesExA) X(QueryContextAttributesExW) \
	X(QueryContextAttributesW) X(QueryCredentialsAttributesA) \
	X(QueryCredentialsAttributesExA) X(QueryCredentialsAttributesExW) \
	X(QueryCredentialsAttributesW) X(QuerySecurityContextToken) \
	X(QuerySecurityPackageInfoA) X(QuerySecurityPackageInfoW) \
	X(RevertSecurityContext) X(SetContextAttributesA) \
	X(SetContextAttributesW) X(SetCredentialsAttributesA) \
	X(SetCredentialsAttributesW) X(VerifySignature)

/* Calls of the poisoned functions, read by the tests with dlsym() */
__attribute__((visibility("default"))) unsigned int lookalike_calls;

#define DEFINE(name) \
	__attribute__((visibility("default"))) int name(void); \
	int name(void) \
	{ \
		__atomic_add_fetch(&lookalike_calls, 1, __ATOMIC_RELAXED); \
		return LOOKALIKE_STATUS; \
	}
LOOKALIKE_NAMES(DEFINE)
#undef DEFINE

/* Its own dispatch table: every slot a poisoned function */
#define SLOT(name)	name,
static int (*const lookalike_table[])(void) = { LOOKALIKE_NAMES(SLOT) };
#undef SLOT

__attribute__((visibility("default"))) const void *InitSecurityInterfaceA(void);
__attribute__((visibility("default"))) const void *InitSecurityInterfaceW(void);

const void *InitSecurityInterfaceA(void)
{
	return lookalike_table;
}

const void *InitSecurityInterfaceW(void)
{
	return lookalike_table;
}
