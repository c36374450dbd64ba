// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * InitSecurityInterfaceA/W: Windows' layout and version, no NULL slot,
 * each slot the library's function, and a whole exchange (handshake,
 * sealing, signing, attributes, export and import) through the tables
 * only, against the fake kernel.
 */
#include <stddef.h>
#include <string.h>

#include "mock.h"
#include "tap.h"

/* Slot n (1-based, after dwVersion) of Windows' table */
#define SLOT(n)		((n) * sizeof(void *))

typedef SECURITY_STATUS (*reserved_fn)(void);

static void test_layout(void)
{
	diag("layout: Windows' SECURITY_FUNCTION_TABLE_A/W");
#define A(member, n) \
	is(offsetof(SecurityFunctionTableA, member), SLOT(n), "A " #member)
#define W(member, n) \
	is(offsetof(SecurityFunctionTableW, member), SLOT(n), "W " #member)
	is(offsetof(SecurityFunctionTableA, dwVersion), 0, "A dwVersion");
	A(EnumerateSecurityPackagesA, 1);
	A(QueryCredentialsAttributesA, 2);
	A(AcquireCredentialsHandleA, 3);
	A(FreeCredentialsHandle, 4);
	A(Reserved2, 5);
	A(InitializeSecurityContextA, 6);
	A(AcceptSecurityContext, 7);
	A(CompleteAuthToken, 8);
	A(DeleteSecurityContext, 9);
	A(ApplyControlToken, 10);
	A(QueryContextAttributesA, 11);
	A(ImpersonateSecurityContext, 12);
	A(RevertSecurityContext, 13);
	A(MakeSignature, 14);
	A(VerifySignature, 15);
	A(FreeContextBuffer, 16);
	A(QuerySecurityPackageInfoA, 17);
	A(Reserved3, 18);
	A(Reserved4, 19);
	A(ExportSecurityContext, 20);
	A(ImportSecurityContextA, 21);
	A(AddCredentialsA, 22);
	A(Reserved8, 23);
	A(QuerySecurityContextToken, 24);
	A(EncryptMessage, 25);
	A(DecryptMessage, 26);
	A(SetContextAttributesA, 27);
	A(SetCredentialsAttributesA, 28);
	A(ChangeAccountPasswordA, 29);
	A(QueryContextAttributesExA, 30);
	A(QueryCredentialsAttributesExA, 31);
	is(sizeof(SecurityFunctionTableA), SLOT(32), "A: 31 slots");
	is(offsetof(SecurityFunctionTableW, dwVersion), 0, "W dwVersion");
	W(EnumerateSecurityPackagesW, 1);
	W(AcquireCredentialsHandleW, 3);
	W(InitializeSecurityContextW, 6);
	W(QueryContextAttributesW, 11);
	W(QuerySecurityPackageInfoW, 17);
	W(ImportSecurityContextW, 21);
	W(AddCredentialsW, 22);
	W(EncryptMessage, 25);
	W(SetContextAttributesW, 27);
	W(ChangeAccountPasswordW, 29);
	W(QueryCredentialsAttributesExW, 31);
	is(sizeof(SecurityFunctionTableW), SLOT(32), "W: 31 slots");
#undef A
#undef W
	ok(InitSecurityInterfaceA == (INIT_SECURITY_INTERFACE_A)InitSecurityInterface &&
	   !strcmp(SECURITY_ENTRYPOINT, "InitSecurityInterfaceA") &&
	   !strcmp(SECURITY_ENTRYPOINTW, "InitSecurityInterfaceW"),
	   "unsuffixed names and entry point strings");
}

static void test_slots(void)
{
	PSecurityFunctionTableA a = InitSecurityInterfaceA();
	PSecurityFunctionTableW w = InitSecurityInterfaceW();
	void *const *slot;
	size_t i, nulls = 0;
	CtxtHandle h = { 1, 2 };
	SECURITY_STATUS st;

	diag("slots");
	ok(a && w, "both tables");
	ok(a == InitSecurityInterfaceA() && w == InitSecurityInterfaceW(),
	   "the same table on every call");
	is(a->dwVersion, SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
	   "A dwVersion 1, as Windows 7 to 11");
	is(w->dwVersion, SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
	   "W dwVersion 1");
	slot = (void *const *)((const char *)a + SLOT(1));
	for (i = 0; i < 31; i++)
		nulls += !slot[i];
	slot = (void *const *)((const char *)w + SLOT(1));
	for (i = 0; i < 31; i++)
		nulls += !slot[i];
	is(nulls, 0, "no NULL slot in either table");

	ok(a->EnumerateSecurityPackagesA == EnumerateSecurityPackagesA &&
	   a->AcquireCredentialsHandleA == AcquireCredentialsHandleA &&
	   a->FreeCredentialHandle == FreeCredentialsHandle &&
	   a->InitializeSecurityContextA == InitializeSecurityContextA &&
	   a->AcceptSecurityContext == AcceptSecurityContext &&
	   a->CompleteAuthToken == CompleteAuthToken &&
	   a->DeleteSecurityContext == DeleteSecurityContext &&
	   a->QueryContextAttributesA == QueryContextAttributesA &&
	   a->MakeSignature == MakeSignature &&
	   a->VerifySignature == VerifySignature &&
	   a->FreeContextBuffer == FreeContextBuffer &&
	   a->QuerySecurityPackageInfoA == QuerySecurityPackageInfoA &&
	   a->ExportSecurityContext == ExportSecurityContext &&
	   a->ImportSecurityContextA == ImportSecurityContextA &&
	   a->EncryptMessage == EncryptMessage &&
	   a->DecryptMessage == DecryptMessage,
	   "A: the implemented functions");
	ok(w->EnumerateSecurityPackagesW == EnumerateSecurityPackagesW &&
	   w->AcquireCredentialsHandleW == AcquireCredentialsHandleW &&
	   w->InitializeSecurityContextW == InitializeSecurityContextW &&
	   w->QueryContextAttributesW == QueryContextAttributesW &&
	   w->QuerySecurityPackageInfoW == QuerySecurityPackageInfoW &&
	   w->ImportSecurityContextW == ImportSecurityContextW &&
	   w->FreeCredentialsHandle == FreeCredentialsHandle &&
	   w->EncryptMessage == EncryptMessage,
	   "W: the implemented functions");
	ok(a->Reserved3 == (void *)(uintptr_t)a->EncryptMessage &&
	   a->Reserved4 == (void *)(uintptr_t)a->DecryptMessage &&
	   w->Reserved3 == (void *)(uintptr_t)w->EncryptMessage &&
	   w->Reserved4 == (void *)(uintptr_t)w->DecryptMessage,
	   "Reserved3/4 are EncryptMessage/DecryptMessage, as on Windows");

	diag("slots of what ksspi cannot serve: SEC_E_UNSUPPORTED_FUNCTION");
	mock_calls = 0;
	is(((reserved_fn)(uintptr_t)a->Reserved2)(), SEC_E_UNSUPPORTED_FUNCTION,
	   "A Reserved2");
	is(((reserved_fn)(uintptr_t)a->Reserved8)(), SEC_E_UNSUPPORTED_FUNCTION,
	   "A Reserved8");
	is(((reserved_fn)(uintptr_t)w->Reserved2)(), SEC_E_UNSUPPORTED_FUNCTION,
	   "W Reserved2");
	is(((reserved_fn)(uintptr_t)w->Reserved8)(), SEC_E_UNSUPPORTED_FUNCTION,
	   "W Reserved8");
	is(a->QueryCredentialsAttributesA(&h, 1, &h),
	   SEC_E_UNSUPPORTED_FUNCTION, "QueryCredentialsAttributesA");
	is(w->QueryCredentialsAttributesW(&h, 1, &h),
	   SEC_E_UNSUPPORTED_FUNCTION, "QueryCredentialsAttributesW");
	is(a->ApplyControlToken(&h, NULL), SEC_E_UNSUPPORTED_FUNCTION,
	   "ApplyControlToken");
	is(a->ImpersonateSecurityContext(&h), SEC_E_UNSUPPORTED_FUNCTION,
	   "ImpersonateSecurityContext");
	is(a->RevertSecurityContext(&h), SEC_E_UNSUPPORTED_FUNCTION,
	   "RevertSecurityContext");
	is(a->AddCredentialsA(&h, NULL, "FakeTest", SECPKG_CRED_OUTBOUND, NULL,
			      NULL, NULL, NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "AddCredentialsA");
	is(w->AddCredentialsW(&h, NULL, u"FakeTest", SECPKG_CRED_OUTBOUND, NULL,
			      NULL, NULL, NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "AddCredentialsW");
	{
		void *token = &h;

		st = a->QuerySecurityContextToken(&h, &token);
		ok(st == SEC_E_UNSUPPORTED_FUNCTION && token == &h,
		   "QuerySecurityContextToken, *Token untouched");
	}
	is(a->SetContextAttributesA(&h, 1, &h, 4), SEC_E_UNSUPPORTED_FUNCTION,
	   "SetContextAttributesA");
	is(w->SetContextAttributesW(&h, 1, &h, 4), SEC_E_UNSUPPORTED_FUNCTION,
	   "SetContextAttributesW");
	is(a->SetCredentialsAttributesA(&h, 1, &h, 4),
	   SEC_E_UNSUPPORTED_FUNCTION, "SetCredentialsAttributesA");
	is(w->SetCredentialsAttributesW(&h, 1, &h, 4),
	   SEC_E_UNSUPPORTED_FUNCTION, "SetCredentialsAttributesW");
	is(a->ChangeAccountPasswordA("NTLM", "D", "u", "old", "new", 0, 0,
				     NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "ChangeAccountPasswordA");
	is(w->ChangeAccountPasswordW(u"NTLM", u"D", u"u", u"old", u"new", 0, 0,
				     NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "ChangeAccountPasswordW");
	is(a->QueryContextAttributesExA(&h, SECPKG_ATTR_SIZES, &h, sizeof(h)),
	   SEC_E_UNSUPPORTED_FUNCTION, "QueryContextAttributesExA");
	is(w->QueryContextAttributesExW(&h, SECPKG_ATTR_SIZES, &h, sizeof(h)),
	   SEC_E_UNSUPPORTED_FUNCTION, "QueryContextAttributesExW");
	is(a->QueryCredentialsAttributesExA(&h, 1, &h, sizeof(h)),
	   SEC_E_UNSUPPORTED_FUNCTION, "QueryCredentialsAttributesExA");
	is(w->QueryCredentialsAttributesExW(&h, 1, &h, sizeof(h)),
	   SEC_E_UNSUPPORTED_FUNCTION, "QueryCredentialsAttributesExW");
	is(mock_calls, 0, "none of them reached the kernel");
}

/* One side of an exchange, through a table only */
struct side {
	CredHandle cred;
	CtxtHandle ctx;
	bool have_ctx;
};

static void test_exchange_a(void)
{
	PSecurityFunctionTableA t = InitSecurityInterfaceA();
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = (unsigned char *)"alice", .UserLength = 5,
		.Password = (unsigned char *)"pw", .PasswordLength = 2,
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	unsigned char ctok[300], stok[300], data[32], sig[32], copy[32];
	SecBuffer cb = { sizeof(ctok), SECBUFFER_TOKEN, ctok };
	SecBuffer sb = { sizeof(stok), SECBUFFER_TOKEN, stok };
	SecBufferDesc cd = { SECBUFFER_VERSION, 1, &cb };
	SecBufferDesc sd = { SECBUFFER_VERSION, 1, &sb };
	SecBuffer mb[2];
	SecBufferDesc md = { SECBUFFER_VERSION, 2, mb };
	struct side c = { 0 }, s = { 0 };
	SecPkgContext_KeyInfoA ki;
	SecPkgContext_NamesA names;
	SecPkgInfoA *pkg, *pkgs;
	SecBuffer blob = { 0, 0, NULL };
	CtxtHandle imported;
	SECURITY_STATUS st;
	ULONG attr, qop, n;

	diag("an exchange through InitSecurityInterfaceA only");
	ok(t->QuerySecurityPackageInfoA("FakeTest", &pkg) == SEC_E_OK &&
	   pkg->cbMaxToken == 300, "QuerySecurityPackageInfoA");
	t->FreeContextBuffer(pkg);
	ok(t->EnumerateSecurityPackagesA(&n, &pkgs) == SEC_E_OK && n == 3,
	   "EnumerateSecurityPackagesA");
	t->FreeContextBuffer(pkgs);
	is(t->AcquireCredentialsHandleA(NULL, "FakeTest", SECPKG_CRED_OUTBOUND,
					NULL, &id, NULL, NULL, &c.cred, NULL),
	   SEC_E_OK, "AcquireCredentialsHandleA (client)");
	is(t->AcquireCredentialsHandleA(NULL, "FakeTest", SECPKG_CRED_INBOUND,
					NULL, NULL, NULL, NULL, &s.cred, NULL),
	   SEC_E_OK, "AcquireCredentialsHandleA (server)");
	st = t->InitializeSecurityContextA(&c.cred, NULL, "host/srv",
					   ISC_REQ_CONFIDENTIALITY, 0, 0, NULL,
					   0, &c.ctx, &cd, &attr, NULL);
	is(st, SEC_I_CONTINUE_NEEDED, "InitializeSecurityContextA, leg 1");
	st = t->AcceptSecurityContext(&s.cred, NULL, &cd,
				      ASC_REQ_CONFIDENTIALITY, 0, &s.ctx, &sd,
				      &attr, NULL);
	is(st, SEC_E_OK, "AcceptSecurityContext");
	cb.cbBuffer = sizeof(ctok);
	st = t->InitializeSecurityContextA(&c.cred, &c.ctx, NULL,
					   ISC_REQ_CONFIDENTIALITY, 0, 0, &sd,
					   0, &c.ctx, &cd, &attr, NULL);
	is(st, SEC_E_OK, "InitializeSecurityContextA, leg 2");
	is(t->CompleteAuthToken(&c.ctx, &cd), SEC_E_OK, "CompleteAuthToken");

	memcpy(data, "sealed through the table", 24);
	memcpy(copy, data, 24);
	mb[0] = (SecBuffer){ 24, SECBUFFER_DATA, data };
	mb[1] = (SecBuffer){ sizeof(sig), SECBUFFER_TOKEN, sig };
	is(t->EncryptMessage(&c.ctx, 0, &md, 0), SEC_E_OK, "EncryptMessage");
	ok(memcmp(data, copy, 24), "  data sealed in place");
	is(t->DecryptMessage(&s.ctx, &md, 0, &qop), SEC_E_OK, "DecryptMessage");
	is_mem(data, copy, 24, "  plaintext back");
	mb[1].cbBuffer = sizeof(sig);
	is(((ENCRYPT_MESSAGE_FN)(uintptr_t)t->Reserved3)(&s.ctx, 0, &md, 0),
	   SEC_E_OK, "Reserved3 seals too (server to client)");
	is(((DECRYPT_MESSAGE_FN)(uintptr_t)t->Reserved4)(&c.ctx, &md, 0, &qop),
	   SEC_E_OK, "Reserved4 unseals");
	is_mem(data, copy, 24, "  plaintext back");
	mb[1].cbBuffer = sizeof(sig);
	is(t->MakeSignature(&c.ctx, 0, &md, 1), SEC_E_OK, "MakeSignature");
	data[0] ^= 1;
	is(t->VerifySignature(&s.ctx, &md, 1, &qop), SEC_E_MESSAGE_ALTERED,
	   "VerifySignature of altered data: SEC_E_MESSAGE_ALTERED");
	data[0] ^= 1;
	is(t->VerifySignature(&s.ctx, &md, 1, &qop), SEC_E_OK,
	   "VerifySignature");

	ok(t->QueryContextAttributesA(&s.ctx, SECPKG_ATTR_NAMES, &names) ==
	   SEC_E_OK && !strcmp(names.sUserName, "\\alice"),
	   "QueryContextAttributesA NAMES");
	t->FreeContextBuffer(names.sUserName);
	ok(t->QueryContextAttributesA(&c.ctx, SECPKG_ATTR_KEY_INFO, &ki) ==
	   SEC_E_OK && ki.KeySize == 128 &&
	   !strcmp(ki.sEncryptAlgorithmName, "LCG-XOR"),
	   "QueryContextAttributesA KEY_INFO");
	t->FreeContextBuffer(ki.sSignatureAlgorithmName);
	t->FreeContextBuffer(ki.sEncryptAlgorithmName);

	is(t->ExportSecurityContext(&s.ctx, 0, &blob, NULL), SEC_E_OK,
	   "ExportSecurityContext");
	is(t->ImportSecurityContextA("FakeTest", &blob, NULL, &imported),
	   SEC_E_OK, "ImportSecurityContextA");
	t->FreeContextBuffer(blob.pvBuffer);
	mb[1].cbBuffer = sizeof(sig);
	t->EncryptMessage(&c.ctx, 0, &md, 0);
	is(t->DecryptMessage(&imported, &md, 0, &qop), SEC_E_OK,
	   "  the imported context unseals");
	is_mem(data, copy, 24, "  plaintext back");

	ok(t->DeleteSecurityContext(&imported) == SEC_E_OK &&
	   t->DeleteSecurityContext(&c.ctx) == SEC_E_OK &&
	   t->DeleteSecurityContext(&s.ctx) == SEC_E_OK,
	   "DeleteSecurityContext");
	ok(t->FreeCredentialHandle(&c.cred) == SEC_E_OK &&
	   t->FreeCredentialsHandle(&s.cred) == SEC_E_OK,
	   "FreeCredentialsHandle");
	is(fake_kernel_objects(), 0, "nothing left in the kernel");
}

static void test_exchange_w(void)
{
	PSecurityFunctionTableW t = InitSecurityInterfaceW();
	static SEC_WCHAR user[] = u"J\u00fcrgen", pw[] = u"pw";
	SEC_WINNT_AUTH_IDENTITY_W id = {
		.User = user, .UserLength = 6, .Password = pw,
		.PasswordLength = 2, .Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};
	unsigned char data[16] = "wide and sealed", copy[16], sig[32];
	SecBuffer cb = { 0, SECBUFFER_TOKEN, NULL };
	SecBuffer sb = { 0, SECBUFFER_TOKEN, NULL };
	SecBufferDesc cd = { SECBUFFER_VERSION, 1, &cb };
	SecBufferDesc sd = { SECBUFFER_VERSION, 1, &sb };
	SecBuffer mb[2] = {
		{ 15, SECBUFFER_DATA, data },
		{ sizeof(sig), SECBUFFER_TOKEN, sig },
	};
	SecBufferDesc md = { SECBUFFER_VERSION, 2, mb };
	struct side c = { 0 }, s = { 0 };
	SecPkgContext_NamesW names;
	SecPkgInfoW *pkg;
	SECURITY_STATUS st;
	ULONG attr, qop;

	diag("an exchange through InitSecurityInterfaceW only, ALLOCATE_MEMORY");
	ok(t->QuerySecurityPackageInfoW(u"FakeBig", &pkg) == SEC_E_OK &&
	   pkg->cbMaxToken == 5000, "QuerySecurityPackageInfoW");
	t->FreeContextBuffer(pkg);
	is(t->AcquireCredentialsHandleW(NULL, u"FakeBig", SECPKG_CRED_OUTBOUND,
					NULL, &id, NULL, NULL, &c.cred, NULL),
	   SEC_E_OK, "AcquireCredentialsHandleW (client)");
	is(t->AcquireCredentialsHandleW(NULL, u"FakeBig", SECPKG_CRED_INBOUND,
					NULL, NULL, NULL, NULL, &s.cred, NULL),
	   SEC_E_OK, "AcquireCredentialsHandleW (server)");
	st = t->InitializeSecurityContextW(&c.cred, NULL, u"HTTP/w\u00e9b",
					   ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL,
					   0, &c.ctx, &cd, &attr, NULL);
	ok(st == SEC_I_CONTINUE_NEEDED && cb.pvBuffer &&
	   (attr & ISC_RET_ALLOCATED_MEMORY),
	   "InitializeSecurityContextW, leg 1, token allocated");
	st = t->AcceptSecurityContext(&s.cred, NULL, &cd,
				      ASC_REQ_ALLOCATE_MEMORY, 0, &s.ctx, &sd,
				      &attr, NULL);
	ok(st == SEC_E_OK && sb.pvBuffer, "AcceptSecurityContext");
	t->FreeContextBuffer(cb.pvBuffer);
	cb.pvBuffer = NULL;
	cb.cbBuffer = 0;
	st = t->InitializeSecurityContextW(&c.cred, &c.ctx, NULL,
					   ISC_REQ_ALLOCATE_MEMORY, 0, 0, &sd,
					   0, &c.ctx, &cd, &attr, NULL);
	is(st, SEC_E_OK, "InitializeSecurityContextW, leg 2");
	t->FreeContextBuffer(sb.pvBuffer);
	t->FreeContextBuffer(cb.pvBuffer);

	memcpy(copy, data, sizeof(data));
	is(t->EncryptMessage(&s.ctx, 0, &md, 0), SEC_E_OK, "EncryptMessage");
	is(t->DecryptMessage(&c.ctx, &md, 0, &qop), SEC_E_OK, "DecryptMessage");
	is_mem(data, copy, 15, "  plaintext back");
	st = t->QueryContextAttributesW(&s.ctx, SECPKG_ATTR_NAMES, &names);
	ok(st == SEC_E_OK &&
	   !memcmp(names.sUserName, u"\\J\u00fcrgen", 8 * sizeof(SEC_WCHAR)),
	   "QueryContextAttributesW NAMES in UTF-16");
	t->FreeContextBuffer(names.sUserName);
	t->DeleteSecurityContext(&c.ctx);
	t->DeleteSecurityContext(&s.ctx);
	t->FreeCredentialsHandle(&c.cred);
	t->FreeCredentialsHandle(&s.cred);
	is(fake_kernel_objects(), 0, "nothing left in the kernel");
}

int main(void)
{
	mock_reset(fake_kernel_ioctl);
	test_layout();
	test_slots();
	test_exchange_a();
	test_exchange_w();
	return tap_done();
}
