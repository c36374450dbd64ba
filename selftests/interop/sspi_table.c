// SPDX-License-Identifier: GPL-2.0
/*
 * libksspi driven the way many programs drive an SSPI library: dlopen() it,
 * dlsym() InitSecurityInterfaceA or InitSecurityInterfaceW, and call the
 * slots of the table, and nothing else, against the kernel and ksspid's
 * NTLM package.  Run by ntlm_sspi_table, which writes the user database
 * (TESTDOM\alice, Passw0rd!) and starts the helper.
 *
 *   sspi_table LIBKSSPI LOOKALIKE LOAD SCENARIO
 *
 * LOAD: "none"; "global": LOOKALIKE (lib/tests/lookalike.c, a library
 * exporting the same SSPI names whose functions return a poison status)
 * dlopen'ed with RTLD_GLOBAL before LIBKSSPI; "preload": LOOKALIKE is in
 * LD_PRELOAD.  SCENARIO: handshake-a, handshake-w, statuses, key-info,
 * timestamps.  Each check prints one "# ok: ..." or "# FAILED: ..." line;
 * the exit status is 0 when all passed, 1 when one failed, 2 when the
 * program could not start.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <ksspi/sspi.h>

#define USER		"alice"
#define DOMAIN		"TESTDOM"
#define PASSWORD	"Passw0rd!"
#define TARGET		"HOST/srv.test.local"
#define LOOKALIKE_POISON	((SECURITY_STATUS)0x8009DEAD)

/* "never expires", as <ksspi/sspi.h> users see it */
#define TIMESTAMP_NEVER		INT64_MAX
#define TICKS_PER_SECOND	10000000LL
#define EPOCH_DELTA_SECONDS	11644473600LL

static PSecurityFunctionTableA ta;
static PSecurityFunctionTableW tw;
static void *lookalike;
static int failures;
/* for the diagnostics only: every call under test goes through a table */
static const char *(*status_name)(SECURITY_STATUS);

static bool check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: ", cond ? "ok" : "FAILED");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures += !cond;
	return cond;
}

/* A status check, printing what came back */
static bool check_st(SECURITY_STATUS got, SECURITY_STATUS want,
		     const char *what)
{
	const char *g = status_name ? status_name(got) : NULL;
	const char *w = status_name ? status_name(want) : NULL;

	return check(got == want, "%s: %s (0x%08X), want %s", what,
		     g ? g : "?", (unsigned int)got, w ? w : "?");
}

/* ---- loading ---------------------------------------------------------- */

static bool load(const char *libpath, const char *lookpath, const char *how)
{
	INIT_SECURITY_INTERFACE_A init_a;
	INIT_SECURITY_INTERFACE_W init_w;
	void *lib;

	if (!strcmp(how, "global"))
		lookalike = dlopen(lookpath, RTLD_NOW | RTLD_GLOBAL);
	else if (!strcmp(how, "preload"))
		lookalike = dlopen(lookpath, RTLD_NOW | RTLD_NOLOAD);
	else if (strcmp(how, "none"))
		return check(false, "unknown LOAD %s", how);
	if (strcmp(how, "none")) {
		if (!check(lookalike != NULL, "look-alike loaded (%s)", how))
			return false;
		check(dlsym(RTLD_DEFAULT, "AcquireCredentialsHandleA") ==
		      dlsym(lookalike, "AcquireCredentialsHandleA") &&
		      dlsym(RTLD_DEFAULT, "EncryptMessage") ==
		      dlsym(lookalike, "EncryptMessage"),
		      "the look-alike's SSPI names come first in the global "
		      "scope");
	}
	lib = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
	if (!check(lib != NULL, "dlopen %s", libpath)) {
		printf("# %s\n", dlerror());
		return false;
	}
	init_a = (INIT_SECURITY_INTERFACE_A)dlsym(lib,
						  SECURITY_ENTRYPOINT_ANSIA);
	init_w = (INIT_SECURITY_INTERFACE_W)dlsym(lib,
						  SECURITY_ENTRYPOINT_ANSIW);
	if (!check(init_a && init_w, "dlsym InitSecurityInterfaceA/W"))
		return false;
	status_name = (const char *(*)(SECURITY_STATUS))(uintptr_t)
		      dlsym(lib, "ksspi_status_name");
	ta = init_a();
	tw = init_w();
	return check(ta && tw &&
		     ta->dwVersion == SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION &&
		     tw->dwVersion == SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
		     "tables A and W, dwVersion 1");
}

static void check_lookalike_unused(void)
{
	unsigned int *calls;

	if (!lookalike)
		return;
	calls = dlsym(lookalike, "lookalike_calls");
	check(calls && *calls == 0, "the look-alike was never called (%u)",
	      calls ? *calls : ~0u);
}

/* ---- a handshake through one table ---------------------------------- */

struct pair {
	bool wide, alloc;
	ULONG max_token;
	CredHandle ccred, scred;
	CtxtHandle cctx, sctx;
	bool have_ccred, have_scred, have_c, have_s;
	TimeStamp c_expiry, s_expiry;	/* of the last legs */
};

static SECURITY_STATUS acquire_client(const struct pair *p, CredHandle *h)
{
	static unsigned char u[] = USER, d[] = DOMAIN, pw[] = PASSWORD;
	static SEC_WCHAR wu[] = u"" USER, wd[] = u"" DOMAIN, wpw[] = u"" PASSWORD;
	SEC_WINNT_AUTH_IDENTITY_A id = {
		u, sizeof(u) - 1, d, sizeof(d) - 1, pw, sizeof(pw) - 1,
		SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	SEC_WINNT_AUTH_IDENTITY_W wid = {
		wu, sizeof(u) - 1, wd, sizeof(d) - 1, wpw, sizeof(pw) - 1,
		SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};

	if (p->wide)
		return tw->AcquireCredentialsHandleW(NULL, u"NTLM",
			SECPKG_CRED_OUTBOUND, NULL, &wid, NULL, NULL, h, NULL);
	return ta->AcquireCredentialsHandleA(NULL, "NTLM",
		SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL, h, NULL);
}

static SECURITY_STATUS isc(struct pair *p, bool first, SecBufferDesc *in,
			   SecBufferDesc *out, ULONG *attr)
{
	ULONG req = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY |
		    ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |
		    ISC_REQ_CONNECTION |
		    (p->alloc ? ISC_REQ_ALLOCATE_MEMORY : 0);

	if (p->wide)
		return tw->InitializeSecurityContextW(first ? &p->ccred : NULL,
			first ? NULL : &p->cctx, u"" TARGET, req, 0,
			SECURITY_NATIVE_DREP, in, 0, &p->cctx, out, attr,
			&p->c_expiry);
	return ta->InitializeSecurityContextA(first ? &p->ccred : NULL,
		first ? NULL : &p->cctx, TARGET, req, 0, SECURITY_NATIVE_DREP,
		in, 0, &p->cctx, out, attr, &p->c_expiry);
}

static SECURITY_STATUS asc(struct pair *p, bool first, SecBufferDesc *in,
			   SecBufferDesc *out, ULONG *attr)
{
	ULONG req = ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY |
		    ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT |
		    ASC_REQ_CONNECTION |
		    (p->alloc ? ASC_REQ_ALLOCATE_MEMORY : 0);
	ACCEPT_SECURITY_CONTEXT_FN fn = p->wide ? tw->AcceptSecurityContext :
						  ta->AcceptSecurityContext;

	return fn(first ? &p->scred : NULL, first ? NULL : &p->sctx, in, req,
		  SECURITY_NATIVE_DREP, &p->sctx, out, attr, &p->s_expiry);
}

static FREE_CONTEXT_BUFFER_FN free_buffer(const struct pair *p)
{
	return p->wide ? tw->FreeContextBuffer : ta->FreeContextBuffer;
}

/* One leg's output token, in the caller's buffer or allocated */
struct token {
	unsigned char *mem;
	SecBuffer buf;
	SecBufferDesc desc;
};

static void token_init(struct token *t, const struct pair *p)
{
	t->buf.BufferType = SECBUFFER_TOKEN;
	t->buf.cbBuffer = p->alloc ? 0 : p->max_token;
	t->buf.pvBuffer = p->alloc ? NULL : t->mem;
	t->desc.ulVersion = SECBUFFER_VERSION;
	t->desc.cBuffers = 1;
	t->desc.pBuffers = &t->buf;
}

static void token_done(struct token *t, const struct pair *p)
{
	if (p->alloc && t->buf.pvBuffer)
		free_buffer(p)(t->buf.pvBuffer);
	t->buf.pvBuffer = NULL;
}

/* NTLM's four legs; true when both sides are established */
static bool handshake(struct pair *p)
{
	static const SECURITY_STATUS want[4] = {
		SEC_I_CONTINUE_NEEDED, SEC_I_CONTINUE_NEEDED, SEC_E_OK,
		SEC_E_OK,
	};
	static const char *const leg[4] = {
		"InitializeSecurityContext 1 (NEGOTIATE)",
		"AcceptSecurityContext 1 (CHALLENGE)",
		"InitializeSecurityContext 2 (AUTHENTICATE)",
		"AcceptSecurityContext 2",
	};
	struct token a = { 0 }, b = { 0 };
	SECURITY_STATUS st = SEC_E_OK;
	ULONG attr;
	int i;

	a.mem = malloc(p->max_token);
	b.mem = malloc(p->max_token);
	if (!a.mem || !b.mem)
		goto out;
	token_init(&a, p);
	st = isc(p, true, NULL, &a.desc, &attr);
	p->have_c = st == SEC_I_CONTINUE_NEEDED;
	if (!check_st(st, want[0], leg[0]))
		goto out;
	for (i = 1; i < 4; i++) {
		struct token *in = i % 2 ? &a : &b, *out = i % 2 ? &b : &a;

		token_init(out, p);
		st = i % 2 ? asc(p, i == 1, &in->desc, &out->desc, &attr) :
			     isc(p, false, &in->desc, &out->desc, &attr);
		if (i == 1)
			p->have_s = st == SEC_I_CONTINUE_NEEDED;
		token_done(in, p);
		if (!check_st(st, want[i], leg[i]))
			goto out;
		if (p->alloc && i < 3)
			check(out->buf.pvBuffer && out->buf.cbBuffer &&
			      (attr & ISC_RET_ALLOCATED_MEMORY),
			      "  token allocated by the library (%u bytes)",
			      (unsigned int)out->buf.cbBuffer);
	}
	token_done(&a, p);
	token_done(&b, p);
out:
	free(a.mem);
	free(b.mem);
	return st == SEC_E_OK && p->have_c && p->have_s;
}

static bool pair_start(struct pair *p, bool wide, bool alloc)
{
	SecPkgInfoA *pa = NULL;
	SecPkgInfoW *pw = NULL;
	SECURITY_STATUS st;

	memset(p, 0, sizeof(*p));
	p->wide = wide;
	p->alloc = alloc;
	st = wide ? tw->QuerySecurityPackageInfoW(u"NTLM", &pw) :
		    ta->QuerySecurityPackageInfoA("NTLM", &pa);
	if (!check_st(st, SEC_E_OK, "QuerySecurityPackageInfo(NTLM)"))
		return false;
	p->max_token = wide ? pw->cbMaxToken : pa->cbMaxToken;
	free_buffer(p)(wide ? (void *)pw : (void *)pa);
	check(p->max_token == 12288, "  cbMaxToken %u",
	      (unsigned int)p->max_token);
	p->have_ccred = check_st(acquire_client(p, &p->ccred), SEC_E_OK,
		"AcquireCredentialsHandle, client (TESTDOM\\alice)");
	st = wide ? tw->AcquireCredentialsHandleW(NULL, u"NTLM",
			SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
			&p->scred, NULL) :
		    ta->AcquireCredentialsHandleA(NULL, "NTLM",
			SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
			&p->scred, NULL);
	p->have_scred = check_st(st, SEC_E_OK,
				 "AcquireCredentialsHandle, server");
	return p->have_ccred && p->have_scred && handshake(p);
}

static void pair_end(struct pair *p)
{
	DELETE_SECURITY_CONTEXT_FN del = p->wide ? tw->DeleteSecurityContext :
						   ta->DeleteSecurityContext;
	FREE_CREDENTIALS_HANDLE_FN fc = p->wide ? tw->FreeCredentialsHandle :
						  ta->FreeCredentialHandle;

	if (p->have_c)
		check_st(del(&p->cctx), SEC_E_OK, "DeleteSecurityContext, client");
	if (p->have_s)
		check_st(del(&p->sctx), SEC_E_OK, "DeleteSecurityContext, server");
	if (p->have_ccred)
		check_st(fc(&p->ccred), SEC_E_OK,
			 "FreeCredentialsHandle, client");
	if (p->have_scred)
		check_st(fc(&p->scred), SEC_E_OK,
			 "FreeCredentialsHandle, server");
}

/* ---- messages ------------------------------------------------------- */

struct message {
	unsigned char sig[64], data[256];
	SecBuffer b[2];
	SecBufferDesc d;
};

static void message_init(struct message *m, const char *text)
{
	size_t n = strlen(text);

	memset(m, 0, sizeof(*m));
	memcpy(m->data, text, n);
	m->b[0] = (SecBuffer){ sizeof(m->sig), SECBUFFER_TOKEN, m->sig };
	m->b[1] = (SecBuffer){ (ULONG)n, SECBUFFER_DATA, m->data };
	m->d = (SecBufferDesc){ SECBUFFER_VERSION, 2, m->b };
}

/* Seal on @from, unseal on @to, with the slots given */
static void seal_unseal(ENCRYPT_MESSAGE_FN enc, DECRYPT_MESSAGE_FN dec,
			CtxtHandle *from, CtxtHandle *to, const char *text,
			const char *what)
{
	struct message m;
	ULONG qop = 99;

	message_init(&m, text);
	if (!check_st(enc(from, 0, &m.d, 0), SEC_E_OK, what))
		return;
	check(m.b[0].cbBuffer == 16 && memcmp(m.data, text, strlen(text)),
	      "  sealed in place, 16-byte trailer");
	check_st(dec(to, &m.d, 0, &qop), SEC_E_OK, "  unsealed by the peer");
	check(m.b[1].cbBuffer == strlen(text) &&
	      !memcmp(m.data, text, strlen(text)) && qop == 0,
	      "  plaintext back");
}

static void messages(struct pair *p)
{
	ENCRYPT_MESSAGE_FN enc = p->wide ? tw->EncryptMessage :
					   ta->EncryptMessage;
	DECRYPT_MESSAGE_FN dec = p->wide ? tw->DecryptMessage :
					   ta->DecryptMessage;
	MAKE_SIGNATURE_FN sign = p->wide ? tw->MakeSignature :
					   ta->MakeSignature;
	VERIFY_SIGNATURE_FN verify = p->wide ? tw->VerifySignature :
					       ta->VerifySignature;
	void *r3 = p->wide ? tw->Reserved3 : ta->Reserved3;
	void *r4 = p->wide ? tw->Reserved4 : ta->Reserved4;
	struct message m;
	ULONG qop;

	seal_unseal(enc, dec, &p->cctx, &p->sctx,
		    "sealed through the table, client to server",
		    "EncryptMessage client -> DecryptMessage server");
	seal_unseal(enc, dec, &p->sctx, &p->cctx,
		    "and back from the server",
		    "EncryptMessage server -> DecryptMessage client");
	seal_unseal((ENCRYPT_MESSAGE_FN)(uintptr_t)r3,
		    (DECRYPT_MESSAGE_FN)(uintptr_t)r4, &p->cctx, &p->sctx,
		    "through Reserved3 and Reserved4",
		    "Reserved3 (EncryptMessage) -> Reserved4 (DecryptMessage)");

	message_init(&m, "signed through the table");
	check_st(sign(&p->cctx, 0, &m.d, 0), SEC_E_OK, "MakeSignature client");
	check_st(verify(&p->sctx, &m.d, 0, &qop), SEC_E_OK,
		 "  VerifySignature server");
	message_init(&m, "signed, then altered");
	sign(&p->cctx, 0, &m.d, 0);
	m.data[0] ^= 1;
	check_st(verify(&p->sctx, &m.d, 0, &qop), SEC_E_MESSAGE_ALTERED,
		 "  altered: VerifySignature SEC_E_MESSAGE_ALTERED");
	m.data[0] ^= 1;
	check_st(verify(&p->sctx, &m.d, 0, &qop), SEC_E_OK,
		 "  the genuine one still verifies after it");
}

static void attributes(struct pair *p)
{
	SecPkgContext_Sizes sz;
	SECURITY_STATUS st;

	st = p->wide ? tw->QueryContextAttributesW(&p->cctx, SECPKG_ATTR_SIZES,
						   &sz) :
		       ta->QueryContextAttributesA(&p->cctx, SECPKG_ATTR_SIZES,
						   &sz);
	check(st == SEC_E_OK && sz.cbMaxSignature == 16 &&
	      sz.cbSecurityTrailer == 16, "QueryContextAttributes SIZES");
	if (p->wide) {
		SecPkgContext_NamesW n;

		st = tw->QueryContextAttributesW(&p->sctx, SECPKG_ATTR_NAMES,
						 &n);
		check(st == SEC_E_OK && !memcmp(n.sUserName,
			u"" DOMAIN "\\" USER, sizeof(u"" DOMAIN "\\" USER)),
		      "QueryContextAttributesW NAMES: TESTDOM\\alice (UTF-16)");
		if (st == SEC_E_OK)
			tw->FreeContextBuffer(n.sUserName);
	} else {
		SecPkgContext_NamesA n;

		st = ta->QueryContextAttributesA(&p->sctx, SECPKG_ATTR_NAMES,
						 &n);
		check(st == SEC_E_OK &&
		      !strcmp(n.sUserName, DOMAIN "\\" USER),
		      "QueryContextAttributesA NAMES: TESTDOM\\alice");
		if (st == SEC_E_OK)
			ta->FreeContextBuffer(n.sUserName);
	}
}

/* The server context exported and imported; the copy carries on */
static void export_import(struct pair *p)
{
	SecBuffer blob = { 0, SECBUFFER_EMPTY, NULL };
	CtxtHandle copy;
	SECURITY_STATUS st;
	struct message m;
	ULONG qop;

	st = (p->wide ? tw->ExportSecurityContext :
			ta->ExportSecurityContext)(&p->sctx, 0, &blob, NULL);
	if (!check_st(st, SEC_E_OK, "ExportSecurityContext server"))
		return;
	st = p->wide ? tw->ImportSecurityContextW(u"NTLM", &blob, NULL, &copy) :
		       ta->ImportSecurityContextA("NTLM", &blob, NULL, &copy);
	free_buffer(p)(blob.pvBuffer);
	if (!check_st(st, SEC_E_OK, "  ImportSecurityContext"))
		return;
	message_init(&m, "to the imported copy");
	(p->wide ? tw->EncryptMessage : ta->EncryptMessage)(&p->cctx, 0, &m.d,
							    0);
	st = (p->wide ? tw->DecryptMessage : ta->DecryptMessage)(&copy, &m.d,
								 0, &qop);
	check_st(st, SEC_E_OK, "  the copy unseals the client's next message");
	check(!memcmp(m.data, "to the imported copy", 20), "  plaintext back");
	st = (p->wide ? tw->DeleteSecurityContext :
			ta->DeleteSecurityContext)(&copy);
	check_st(st, SEC_E_OK, "  DeleteSecurityContext copy");
}

static void scenario_handshake(bool wide)
{
	struct pair p;

	printf("# InitSecurityInterface%c, %s\n", wide ? 'W' : 'A',
	       wide ? "ISC/ASC_REQ_ALLOCATE_MEMORY" : "caller's buffers");
	if (pair_start(&p, wide, wide)) {
		attributes(&p);
		messages(&p);
		export_import(&p);
	}
	pair_end(&p);
}

/* ---- Windows' statuses for malformed calls ------------------------- */

static void scenario_statuses(void)
{
	static unsigned char d[] = DOMAIN, pw[] = PASSWORD, empty[] = "";
	static SEC_WCHAR wd[] = u"" DOMAIN, wpw[] = u"" PASSWORD;
	SEC_WINNT_AUTH_IDENTITY_A id = {
		NULL, 0, d, sizeof(d) - 1, pw, sizeof(pw) - 1,
		SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	SEC_WINNT_AUTH_IDENTITY_W wid = {
		NULL, 0, wd, sizeof(d) - 1, wpw, sizeof(pw) - 1,
		SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};
	static unsigned char tok[12288];
	SecBuffer b = { sizeof(tok), SECBUFFER_EMPTY, tok };
	SecBufferDesc od = { SECBUFFER_VERSION, 1, &b };
	CtxtHandle ctx = { 7, 7 };
	SecPkgInfoA *pa = (SecPkgInfoA *)&pa;
	SecPkgInfoW *pwi = (SecPkgInfoW *)&pwi;
	struct pair p;
	CredHandle cred;
	SECURITY_STATUS st;
	ULONG attr;

	printf("# AcquireCredentialsHandle: empty user, a domain and a "
	       "password\n");
	st = ta->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND,
					   NULL, &id, NULL, NULL, &cred, NULL);
	if (check_st(st, SEC_E_OK, "A, User NULL"))
		ta->FreeCredentialsHandle(&cred);
	id.User = empty;
	st = ta->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND,
					   NULL, &id, NULL, NULL, &cred, NULL);
	if (check_st(st, SEC_E_OK, "A, User \"\""))
		ta->FreeCredentialsHandle(&cred);
	st = tw->AcquireCredentialsHandleW(NULL, u"NTLM", SECPKG_CRED_OUTBOUND,
					   NULL, &wid, NULL, NULL, &cred, NULL);
	if (check_st(st, SEC_E_OK, "W, User NULL"))
		tw->FreeCredentialsHandle(&cred);

	printf("# QuerySecurityPackageInfo of an unknown package\n");
	check_st(ta->QuerySecurityPackageInfoA("NoSuchPackage", &pa),
		 SEC_E_SECPKG_NOT_FOUND, "A");
	check(pa == (SecPkgInfoA *)&pa, "  *ppPackageInfo untouched");
	check_st(tw->QuerySecurityPackageInfoW(u"NoSuchPackage", &pwi),
		 SEC_E_SECPKG_NOT_FOUND, "W");
	check(pwi == (SecPkgInfoW *)&pwi, "  *ppPackageInfo untouched");

	printf("# InitializeSecurityContext output buffers\n");
	memset(&p, 0, sizeof(p));
	p.max_token = sizeof(tok);
	p.have_ccred = check_st(acquire_client(&p, &p.ccred), SEC_E_OK,
				"AcquireCredentialsHandle, client");
	if (!p.have_ccred)
		return;
	st = ta->InitializeSecurityContextA(&p.ccred, NULL, TARGET, 0, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &ctx, NULL, &attr, NULL);
	check_st(st, SEC_E_BUFFER_TOO_SMALL, "A, pOutput NULL");
	st = tw->InitializeSecurityContextW(&p.ccred, NULL, u"" TARGET,
					    ISC_REQ_ALLOCATE_MEMORY, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &ctx, NULL, &attr, NULL);
	check_st(st, SEC_E_BUFFER_TOO_SMALL,
		 "W, pOutput NULL, ISC_REQ_ALLOCATE_MEMORY");
	st = ta->InitializeSecurityContextA(&p.ccred, NULL, TARGET, 0, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &ctx, &od, &attr, NULL);
	check_st(st, SEC_E_BUFFER_TOO_SMALL,
		 "A, pOutput with a SECBUFFER_EMPTY only");
	od.cBuffers = 0;
	st = ta->InitializeSecurityContextA(&p.ccred, NULL, TARGET, 0, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &ctx, &od, &attr, NULL);
	check_st(st, SEC_E_BUFFER_TOO_SMALL, "A, pOutput without buffers");
	od.cBuffers = 1;
	b.BufferType = SECBUFFER_TOKEN;
	b.pvBuffer = NULL;
	st = ta->InitializeSecurityContextA(&p.ccred, NULL, TARGET, 0, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &ctx, &od, &attr, NULL);
	check_st(st, SEC_E_INTERNAL_ERROR,
		 "A, token pvBuffer NULL, cbBuffer 12288");
	b.cbBuffer = sizeof(tok);
	st = tw->InitializeSecurityContextW(&p.ccred, NULL, u"" TARGET, 0, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &ctx, &od, &attr, NULL);
	check_st(st, SEC_E_INTERNAL_ERROR,
		 "W, token pvBuffer NULL, cbBuffer 12288");
	check(ctx.dwLower == 7 && ctx.dwUpper == 7,
	      "*phNewContext untouched by every one of them");

	b.pvBuffer = tok;
	b.cbBuffer = sizeof(tok);
	st = ta->InitializeSecurityContextA(&p.ccred, NULL, TARGET, 0, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    &p.cctx, &od, &attr, NULL);
	if (check_st(st, SEC_I_CONTINUE_NEEDED, "a right first leg")) {
		SecBuffer sb = { sizeof(tok), SECBUFFER_TOKEN, NULL };
		SecBufferDesc sd = { SECBUFFER_VERSION, 1, &sb };

		p.have_c = true;
		st = ta->AcquireCredentialsHandleA(NULL, "NTLM",
				SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
				&p.scred, NULL);
		p.have_scred = st == SEC_E_OK;
		sb.pvBuffer = malloc(sizeof(tok));
		if (p.have_scred && sb.pvBuffer) {
			st = ta->AcceptSecurityContext(&p.scred, NULL, &od, 0,
					SECURITY_NATIVE_DREP, &p.sctx, &sd,
					&attr, NULL);
			p.have_s = st == SEC_I_CONTINUE_NEEDED;
			check_st(st, SEC_I_CONTINUE_NEEDED, "the server's leg");
			st = ta->InitializeSecurityContextA(NULL, &p.cctx,
					TARGET, 0, 0, SECURITY_NATIVE_DREP,
					&sd, 0, &p.cctx, NULL, &attr, NULL);
			check_st(st, SEC_E_BUFFER_TOO_SMALL,
				 "A, second leg, pOutput NULL");
		}
		free(sb.pvBuffer);
	}
	pair_end(&p);
}

/* ---- SECPKG_ATTR_KEY_INFO ------------------------------------------- */

static void key_info_of(CtxtHandle *ctx, const char *side)
{
	SecPkgContext_KeyInfoA a;
	SecPkgContext_KeyInfoW w;
	SECURITY_STATUS st;

	st = ta->QueryContextAttributesA(ctx, SECPKG_ATTR_KEY_INFO, &a);
	if (check_st(st, SEC_E_OK, side)) {
		check(a.KeySize == 128, "  KeySize %u", (unsigned int)a.KeySize);
		check(a.SignatureAlgorithm == (ULONG)KERB_CHECKSUM_HMAC_MD5 &&
		      !strcmp(a.sSignatureAlgorithmName, "HMAC-MD5"),
		      "  SignatureAlgorithm %d \"%s\"",
		      (int)a.SignatureAlgorithm, a.sSignatureAlgorithmName);
		check(a.EncryptAlgorithm == (ULONG)KERB_ETYPE_RC4_PLAIN &&
		      !strcmp(a.sEncryptAlgorithmName, "RSADSI RC4"),
		      "  EncryptAlgorithm %d \"%s\"",
		      (int)a.EncryptAlgorithm, a.sEncryptAlgorithmName);
		ta->FreeContextBuffer(a.sSignatureAlgorithmName);
		ta->FreeContextBuffer(a.sEncryptAlgorithmName);
	}
	st = tw->QueryContextAttributesW(ctx, SECPKG_ATTR_KEY_INFO, &w);
	if (check_st(st, SEC_E_OK, "  W")) {
		check(w.KeySize == 128 &&
		      w.SignatureAlgorithm == (ULONG)KERB_CHECKSUM_HMAC_MD5 &&
		      w.EncryptAlgorithm == (ULONG)KERB_ETYPE_RC4_PLAIN &&
		      !memcmp(w.sSignatureAlgorithmName, u"HMAC-MD5",
			      sizeof(u"HMAC-MD5")) &&
		      !memcmp(w.sEncryptAlgorithmName, u"RSADSI RC4",
			      sizeof(u"RSADSI RC4")),
		      "  the same in UTF-16");
		tw->FreeContextBuffer(w.sSignatureAlgorithmName);
		tw->FreeContextBuffer(w.sEncryptAlgorithmName);
	}
}

static void scenario_key_info(void)
{
	struct pair p;

	printf("# QueryContextAttributes(SECPKG_ATTR_KEY_INFO), NTLM\n");
	if (pair_start(&p, false, false)) {
		key_info_of(&p.cctx, "client");
		key_info_of(&p.sctx, "server");
	}
	pair_end(&p);
}

/* ---- TimeStamps ----------------------------------------------------- */

static int64_t tz_offset_at(time_t t)
{
	struct tm tm;

	tzset();
	return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

/* SECPKG_ATTR_LIFESPAN of @ctx with TZ=@zone */
static bool lifespan(CtxtHandle *ctx, const char *zone, int64_t *start,
		     int64_t *expiry)
{
	SecPkgContext_Lifespan life;
	SECURITY_STATUS st;

	setenv("TZ", zone, 1);
	st = ta->QueryContextAttributesA(ctx, SECPKG_ATTR_LIFESPAN, &life);
	if (!check_st(st, SEC_E_OK, zone))
		return false;
	*start = ksspi_timestamp_to_int64(&life.tsStart);
	*expiry = ksspi_timestamp_to_int64(&life.tsExpiry);
	return true;
}

static time_t unix_time(int64_t ts)
{
	return (time_t)(ts / TICKS_PER_SECOND - EPOCH_DELTA_SECONDS);
}

static void scenario_timestamps(void)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York",
	};
	struct timezone saved, zero = { 0, 0 };
	struct timeval now;
	/* the kernel's notion of the local zone: UTC+5:30 */
	struct timezone kolkata = { -330, 0 };
	int64_t before, after, start_utc, expiry_utc, start, expiry;
	CredHandle cred;
	TimeStamp ts;
	struct pair p;
	bool tz_set;
	size_t i;

	printf("# TimeStamps: UTC from the kernel, local time from the "
	       "library\n");
	gettimeofday(&now, &saved);
	/*
	 * The first settimeofday() with a zone and no time warps the clock
	 * by that zone: spend it on zone 0.
	 */
	tz_set = !settimeofday(NULL, &zero) && !settimeofday(NULL, &kolkata);
	check(tz_set, "the kernel's sys_tz set to UTC+5:30 (it must not "
	      "matter)");

	setenv("TZ", "Europe/Berlin", 1);
	check_st(ta->AcquireCredentialsHandleA(NULL, "NTLM",
		 SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, &cred, &ts),
		 SEC_E_OK, "AcquireCredentialsHandle (Europe/Berlin)");
	check(ksspi_timestamp_to_int64(&ts) == TIMESTAMP_NEVER,
	      "  ptsExpiry: never, left as it is");
	ta->FreeCredentialsHandle(&cred);

	setenv("TZ", "UTC", 1);
	before = ((int64_t)time(NULL) + EPOCH_DELTA_SECONDS) *
		 TICKS_PER_SECOND;
	if (pair_start(&p, false, false) &&
	    lifespan(&p.sctx, "UTC", &start_utc, &expiry_utc)) {
		after = ((int64_t)time(NULL) + 1 + EPOCH_DELTA_SECONDS) *
			TICKS_PER_SECOND;
		check(start_utc >= before && start_utc <= after,
		      "  TZ=UTC: tsStart is the handshake's time in UTC "
		      "(%+lld s from its start; %+lld s is sys_tz's offset)",
		      (long long)((start_utc - before) / TICKS_PER_SECOND),
		      330LL * 60);
		check(expiry_utc - start_utc >= 35990 * TICKS_PER_SECOND &&
		      expiry_utc - start_utc <= 36010 * TICKS_PER_SECOND,
		      "  tsExpiry 10 hours later (%lld s)",
		      (long long)((expiry_utc - start_utc) / TICKS_PER_SECOND));
		/* each side's helper step reads the clock on its own */
		check(llabs(ksspi_timestamp_to_int64(&p.c_expiry) -
			    expiry_utc) <= TICKS_PER_SECOND &&
		      llabs(ksspi_timestamp_to_int64(&p.s_expiry) -
			    expiry_utc) <= TICKS_PER_SECOND,
		      "  ptsExpiry of the last legs: the same, within a second");
		for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
			if (!lifespan(&p.sctx, zones[i], &start, &expiry))
				continue;
			check(start - start_utc ==
			      tz_offset_at(unix_time(start_utc)) *
			      TICKS_PER_SECOND &&
			      expiry - expiry_utc ==
			      tz_offset_at(unix_time(expiry_utc)) *
			      TICKS_PER_SECOND,
			      "  tsStart UTC%+lld s, tsExpiry UTC%+lld s: the "
			      "zone's offsets at those instants",
			      (long long)((start - start_utc) /
					  TICKS_PER_SECOND),
			      (long long)((expiry - expiry_utc) /
					  TICKS_PER_SECOND));
		}
	}
	pair_end(&p);
	if (tz_set)
		check(!settimeofday(NULL, &saved), "sys_tz restored");
	setenv("TZ", "UTC", 1);
}

int main(int argc, char **argv)
{
	const char *scenario;

	if (argc != 5) {
		fprintf(stderr, "usage: %s LIBKSSPI LOOKALIKE LOAD SCENARIO\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!load(argv[1], argv[2], argv[3]))
		return 2;
	scenario = argv[4];
	if (!strcmp(scenario, "handshake-a"))
		scenario_handshake(false);
	else if (!strcmp(scenario, "handshake-w"))
		scenario_handshake(true);
	else if (!strcmp(scenario, "statuses"))
		scenario_statuses();
	else if (!strcmp(scenario, "key-info"))
		scenario_key_info();
	else if (!strcmp(scenario, "timestamps"))
		scenario_timestamps();
	else
		return check(false, "unknown scenario %s", scenario), 2;
	check_lookalike_unused();
	printf("# %d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
