// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * End to end through the fake kernel of fakekernel.c: what an application
 * does, from AcquireCredentialsHandle to DeleteSecurityContext, in both
 * string flavours, with and without ALLOCATE_MEMORY, and from many threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>

#include "mock.h"
#include "tap.h"

struct pair {
	CredHandle ccred, scred;
	CtxtHandle cctx, sctx;
	SECURITY_STATUS cst, sst;
	int legs;
};

/*
 * Run a handshake.  With @alloc, ISC/ASC allocate the tokens; otherwise
 * fixed buffers of max_token bytes are used.
 */
static SECURITY_STATUS handshake(struct pair *p, bool alloc)
{
	unsigned char cbuf[300], sbuf[300];
	SecBuffer cout = { 0 }, sout = { 0 }, sin[2], cin[2];
	SecBufferDesc cod = { SECBUFFER_VERSION, 1, &cout };
	SecBufferDesc sod = { SECBUFFER_VERSION, 1, &sout };
	SecBufferDesc sid = { SECBUFFER_VERSION, 2, sin };
	SecBufferDesc cid = { SECBUFFER_VERSION, 2, cin };
	ULONG creq = ISC_REQ_MUTUAL_AUTH | ISC_REQ_INTEGRITY |
		     ISC_REQ_CONFIDENTIALITY | ISC_REQ_SEQUENCE_DETECT;
	ULONG sreq = ASC_REQ_MUTUAL_AUTH | ASC_REQ_INTEGRITY |
		     ASC_REQ_CONFIDENTIALITY | ASC_REQ_SEQUENCE_DETECT;
	ULONG attr;
	bool first = true;

	if (alloc) {
		creq |= ISC_REQ_ALLOCATE_MEMORY;
		sreq |= ASC_REQ_ALLOCATE_MEMORY;
	}
	p->cst = p->sst = SEC_I_CONTINUE_NEEDED;
	p->legs = 0;
	while (p->cst == SEC_I_CONTINUE_NEEDED && p->legs < 10) {
		cout.BufferType = SECBUFFER_TOKEN;
		cout.cbBuffer = alloc ? 0 : sizeof(cbuf);
		cout.pvBuffer = alloc ? NULL : cbuf;
		if (first) {
			p->cst = InitializeSecurityContextA(&p->ccred, NULL,
				"host/srv.test", creq, 0, SECURITY_NATIVE_DREP,
				NULL, 0, &p->cctx, &cod, &attr, NULL);
		} else {
			cin[0].BufferType = SECBUFFER_TOKEN;
			cin[0].cbBuffer = sout.cbBuffer;
			cin[0].pvBuffer = sout.pvBuffer;
			cin[1].BufferType = SECBUFFER_EMPTY;
			cin[1].cbBuffer = 0;
			cin[1].pvBuffer = NULL;
			p->cst = InitializeSecurityContextA(&p->ccred,
				&p->cctx, NULL, creq, 0, SECURITY_NATIVE_DREP,
				&cid, 0, &p->cctx, &cod, &attr, NULL);
			if (alloc) {
				FreeContextBuffer(sout.pvBuffer);
				sout.pvBuffer = NULL;
			}
		}
		p->legs++;
		if (SEC_FAILED(p->cst))
			return p->cst;
		if (!cout.cbBuffer)
			break;
		sin[0].BufferType = SECBUFFER_TOKEN;
		sin[0].cbBuffer = cout.cbBuffer;
		sin[0].pvBuffer = cout.pvBuffer;
		sin[1].BufferType = SECBUFFER_EMPTY;
		sin[1].cbBuffer = 0;
		sin[1].pvBuffer = NULL;
		sout.BufferType = SECBUFFER_TOKEN;
		sout.cbBuffer = alloc ? 0 : sizeof(sbuf);
		sout.pvBuffer = alloc ? NULL : sbuf;
		p->sst = AcceptSecurityContext(&p->scred, first ? NULL : &p->sctx,
					       &sid, sreq, SECURITY_NATIVE_DREP,
					       &p->sctx, &sod, &attr, NULL);
		if (alloc) {
			FreeContextBuffer(cout.pvBuffer);
			cout.pvBuffer = NULL;
		}
		p->legs++;
		first = false;
		if (SEC_FAILED(p->sst))
			return p->sst;
	}
	if (alloc) {
		FreeContextBuffer(cout.pvBuffer);
		FreeContextBuffer(sout.pvBuffer);
	}
	return p->cst;
}

static SECURITY_STATUS acquire_pair(struct pair *p, const char *pkg,
				    const char *pw)
{
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = (unsigned char *)"alice", .UserLength = 5,
		.Domain = (unsigned char *)"TEST", .DomainLength = 4,
		.Password = (unsigned char *)pw,
		.PasswordLength = (ULONG)strlen(pw),
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	SECURITY_STATUS st;

	st = AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				       &id, NULL, NULL, &p->ccred, NULL);
	if (st != SEC_E_OK)
		return st;
	return AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_INBOUND, NULL,
					 NULL, NULL, NULL, &p->scred, NULL);
}

static void release_pair(struct pair *p, bool contexts)
{
	if (contexts) {
		DeleteSecurityContext(&p->cctx);
		DeleteSecurityContext(&p->sctx);
	}
	FreeCredentialsHandle(&p->ccred);
	FreeCredentialsHandle(&p->scred);
}

static SECURITY_STATUS sign(CtxtHandle *ctx, unsigned char *msg, ULONG len,
			    unsigned char *sig, ULONG *siglen, bool seal)
{
	SecBuffer b[2] = {
		{ len, SECBUFFER_DATA, msg },
		{ *siglen, SECBUFFER_TOKEN, sig },
	};
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	SECURITY_STATUS st = seal ? EncryptMessage(ctx, 0, &d, 0) :
				    MakeSignature(ctx, 0, &d, 0);

	*siglen = b[1].cbBuffer;
	return st;
}

static SECURITY_STATUS verify(CtxtHandle *ctx, unsigned char *msg, ULONG len,
			      unsigned char *sig, ULONG siglen, bool seal)
{
	SecBuffer b[2] = {
		{ len, SECBUFFER_DATA, msg },
		{ siglen, SECBUFFER_TOKEN, sig },
	};
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	ULONG qop = 99;

	return seal ? DecryptMessage(ctx, &d, 0, &qop) :
		      VerifySignature(ctx, &d, 0, &qop);
}

/*
 * Malformed calls whose Windows status is known: the library passes them on
 * as they are and the (fake) kernel answers Windows' status.
 */
static void test_windows_statuses(void)
{
	static unsigned char user[] = "alice", dom[] = "TEST", pw[] = "pw";
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = NULL, .UserLength = 0, .Domain = dom,
		.DomainLength = 4, .Password = pw, .PasswordLength = 2,
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	static SEC_WCHAR wdom[] = u"TEST", wpw[] = u"pw";
	SEC_WINNT_AUTH_IDENTITY_W wid = {
		.User = NULL, .UserLength = 0, .Domain = wdom,
		.DomainLength = 4, .Password = wpw, .PasswordLength = 2,
		.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};
	unsigned char tok[300];
	SecBuffer b[2];
	SecBufferDesc od = { SECBUFFER_VERSION, 1, b };
	CtxtHandle ctx = { 77, 77 }, keep;
	CredHandle cred;
	unsigned int objects;
	SECURITY_STATUS st;
	struct pair p;
	ULONG attr;

	diag("AcquireCredentialsHandle: empty user with domain and password");
	st = AcquireCredentialsHandleA(NULL, "FakeTest", SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &cred, NULL);
	is(st, SEC_E_OK, "A, NULL user: SEC_E_OK");
	FreeCredentialsHandle(&cred);
	id.User = user;
	st = AcquireCredentialsHandleA(NULL, "FakeTest", SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &cred, NULL);
	is(st, SEC_E_OK, "A, user \"\" (length 0): SEC_E_OK");
	FreeCredentialsHandle(&cred);
	st = AcquireCredentialsHandleW(NULL, u"FakeTest", SECPKG_CRED_OUTBOUND,
				       NULL, &wid, NULL, NULL, &cred, NULL);
	is(st, SEC_E_OK, "W, NULL user: SEC_E_OK");
	FreeCredentialsHandle(&cred);

	diag("InitializeSecurityContext output buffers");
	acquire_pair(&p, "FakeTest", "pw");
	objects = fake_kernel_objects();
	keep = ctx;
	st = InitializeSecurityContextA(&p.ccred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, NULL, &attr, NULL);
	is(st, SEC_E_BUFFER_TOO_SMALL, "pOutput NULL: SEC_E_BUFFER_TOO_SMALL");
	ok(!memcmp(&ctx, &keep, sizeof(ctx)) &&
	   fake_kernel_objects() == objects, "  no context made");
	st = InitializeSecurityContextW(&p.ccred, NULL, u"t",
					ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0,
					&ctx, NULL, &attr, NULL);
	is(st, SEC_E_BUFFER_TOO_SMALL,
	   "W, pOutput NULL with ALLOCATE_MEMORY: SEC_E_BUFFER_TOO_SMALL");

	b[0].BufferType = SECBUFFER_EMPTY;
	b[0].cbBuffer = sizeof(tok);
	b[0].pvBuffer = tok;
	st = InitializeSecurityContextA(&p.ccred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, NULL);
	is(st, SEC_E_BUFFER_TOO_SMALL,
	   "no SECBUFFER_TOKEN in pOutput: SEC_E_BUFFER_TOO_SMALL");
	od.cBuffers = 0;
	st = InitializeSecurityContextA(&p.ccred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, NULL);
	is(st, SEC_E_BUFFER_TOO_SMALL,
	   "pOutput without buffers: SEC_E_BUFFER_TOO_SMALL");
	od.cBuffers = 1;
	b[0].BufferType = SECBUFFER_TOKEN;
	b[0].pvBuffer = NULL;
	st = InitializeSecurityContextA(&p.ccred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, NULL);
	is(st, SEC_E_INTERNAL_ERROR,
	   "token pvBuffer NULL, cbBuffer 300: SEC_E_INTERNAL_ERROR");
	st = InitializeSecurityContextW(&p.ccred, NULL, u"t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, NULL);
	is(st, SEC_E_INTERNAL_ERROR, "  W too");
	ok(!memcmp(&ctx, &keep, sizeof(ctx)) &&
	   fake_kernel_objects() == objects, "  no context made");

	b[0].pvBuffer = tok;
	st = InitializeSecurityContextA(&p.ccred, NULL, "t", 0, 0, 0, NULL, 0,
					&p.cctx, &od, &attr, NULL);
	is(st, SEC_I_CONTINUE_NEEDED, "a first leg that is right");
	{
		SecBuffer sb = { sizeof(tok), SECBUFFER_TOKEN, NULL };
		SecBufferDesc sd = { SECBUFFER_VERSION, 1, &sb };
		unsigned char stok[300];

		sb.pvBuffer = stok;
		st = AcceptSecurityContext(&p.scred, NULL, &od, 0, 0, &p.sctx,
					   &sd, &attr, NULL);
		is(st, SEC_E_OK, "the server's leg");
		st = InitializeSecurityContextA(&p.ccred, &p.cctx, NULL, 0, 0,
						0, &sd, 0, &p.cctx, NULL, &attr,
						NULL);
		is(st, SEC_E_BUFFER_TOO_SMALL,
		   "second leg, pOutput NULL: SEC_E_BUFFER_TOO_SMALL");
	}
	release_pair(&p, true);
	is(fake_kernel_objects(), 0, "nothing left in the kernel");
}

static void *worker(void *arg)
{
	int *bad = arg, i;

	for (i = 0; i < 40; i++) {
		struct pair p;
		unsigned char msg[16] = "threaded", sig[32];
		ULONG siglen = sizeof(sig);

		if (acquire_pair(&p, i % 2 ? "FakeTest" : "FakeBig",
				 "pw") != SEC_E_OK) {
			(*bad)++;
			continue;
		}
		if (handshake(&p, i % 3 == 0) != SEC_E_OK ||
		    sign(&p.cctx, msg, 8, sig, &siglen, false) != SEC_E_OK ||
		    verify(&p.sctx, msg, 8, sig, siglen, false) != SEC_E_OK)
			(*bad)++;
		release_pair(&p, true);
	}
	return NULL;
}

int main(void)
{
	struct pair p;
	SECURITY_STATUS st;

	mock_reset(fake_kernel_ioctl);

	diag("handshake with caller buffers");
	ok(acquire_pair(&p, "FakeTest", "Passw0rd!") == SEC_E_OK,
	   "credentials acquired");
	st = handshake(&p, false);
	is(st, SEC_E_OK, "client SEC_E_OK");
	is(p.sst, SEC_E_OK, "server SEC_E_OK");
	is(p.legs, 3, "three legs: ISC, ASC, ISC");
	{
		SecPkgContext_NamesA names;
		SecPkgContext_Sizes sizes;
		SecPkgContext_Flags flags;
		SecPkgContext_PackageInfoA pi;
		SecPkgContext_SessionKey ck, sk;
		SecPkgContext_Target target;
		SecPkgContext_Lifespan life;
		SecPkgContext_KeyInfoA ki;

		ok(QueryContextAttributesA(&p.sctx, SECPKG_ATTR_NAMES, &names) ==
		   SEC_E_OK && !strcmp(names.sUserName, "TEST\\alice"),
		   "server sees the client's name");
		FreeContextBuffer(names.sUserName);
		ok(QueryContextAttributesA(&p.cctx, SECPKG_ATTR_SIZES, &sizes) ==
		   SEC_E_OK && sizes.cbMaxToken == 300 &&
		   sizes.cbMaxSignature == 16, "sizes");
		ok(QueryContextAttributesA(&p.cctx, SECPKG_ATTR_FLAGS, &flags) ==
		   SEC_E_OK && (flags.Flags & ISC_RET_INTEGRITY), "flags");
		ok(QueryContextAttributesA(&p.sctx, SECPKG_ATTR_PACKAGE_INFO,
					   &pi) == SEC_E_OK &&
		   !strcmp(pi.PackageInfo->Name, "FakeTest"), "package info");
		FreeContextBuffer(pi.PackageInfo);
		ok(QueryContextAttributesA(&p.cctx, SECPKG_ATTR_SESSION_KEY,
					   &ck) == SEC_E_OK &&
		   QueryContextAttributesA(&p.sctx, SECPKG_ATTR_SESSION_KEY,
					   &sk) == SEC_E_OK &&
		   ck.SessionKeyLength == 16 &&
		   !memcmp(ck.SessionKey, sk.SessionKey, 16),
		   "both sides share the session key");
		FreeContextBuffer(ck.SessionKey);
		FreeContextBuffer(sk.SessionKey);
		ok(QueryContextAttributesA(&p.sctx, SECPKG_ATTR_TARGET,
					   &target) == SEC_E_OK &&
		   !strcmp(target.Target, "host/srv.test"), "target");
		FreeContextBuffer(target.Target);
		ok(QueryContextAttributesA(&p.cctx, SECPKG_ATTR_KEY_INFO,
					   &ki) == SEC_E_OK &&
		   ki.KeySize == 128 && ki.SignatureAlgorithm == 0x464B0001u &&
		   ki.EncryptAlgorithm == 0x464B0002u &&
		   !strcmp(ki.sSignatureAlgorithmName, "FNV-MAC") &&
		   !strcmp(ki.sEncryptAlgorithmName, "LCG-XOR"), "key info");
		FreeContextBuffer(ki.sSignatureAlgorithmName);
		FreeContextBuffer(ki.sEncryptAlgorithmName);
		ok(QueryContextAttributesA(&p.sctx, SECPKG_ATTR_LIFESPAN,
					   &life) == SEC_E_OK &&
		   ksspi_timestamp_to_int64(&life.tsExpiry) ==
		   KSSPI_TIMESTAMP_NEVER, "lifespan");
	}

	diag("messages");
	{
		unsigned char msg[32] = "attack at dawn", copy[32], sig[32];
		ULONG siglen = sizeof(sig);

		is(sign(&p.cctx, msg, 14, sig, &siglen, false), SEC_E_OK,
		   "MakeSignature");
		is(siglen, 16, "signature length");
		is(verify(&p.sctx, msg, 14, sig, siglen, false), SEC_E_OK,
		   "VerifySignature");
		siglen = sizeof(sig);
		sign(&p.cctx, msg, 14, sig, &siglen, false);
		msg[0] ^= 1;
		is(verify(&p.sctx, msg, 14, sig, siglen, false),
		   SEC_E_MESSAGE_ALTERED, "tampered: SEC_E_MESSAGE_ALTERED");
		msg[0] ^= 1;
		is(verify(&p.sctx, msg, 14, sig, siglen, false), SEC_E_OK,
		   "original still verifies");

		memcpy(copy, msg, sizeof(msg));
		siglen = sizeof(sig);
		is(sign(&p.sctx, msg, 14, sig, &siglen, true), SEC_E_OK,
		   "EncryptMessage (server to client)");
		ok(memcmp(msg, copy, 14), "  data changed in place");
		is(verify(&p.cctx, msg, 14, sig, siglen, true), SEC_E_OK,
		   "DecryptMessage");
		is_mem(msg, copy, 14, "  plaintext back");

		siglen = 8;
		is(sign(&p.cctx, msg, 14, sig, &siglen, false),
		   SEC_E_BUFFER_TOO_SMALL, "short signature buffer");
	}

	diag("export / import");
	{
		SecBuffer blob = { 0, 0, NULL };
		CtxtHandle imported;
		unsigned char msg[8] = "moved", sig[32];
		ULONG siglen = sizeof(sig);
		void *token = &p;

		st = ExportSecurityContext(&p.sctx, 0, &blob, &token);
		ok(st == SEC_E_OK && blob.pvBuffer && blob.cbBuffer >
		   sizeof(struct ksspi_ctx_header), "exported");
		ok(token == NULL, "  no token");
		st = ImportSecurityContextA("FakeTest", &blob, NULL, &imported);
		is(st, SEC_E_OK, "imported");
		FreeContextBuffer(blob.pvBuffer);
		sign(&p.cctx, msg, 5, sig, &siglen, false);
		is(verify(&imported, msg, 5, sig, siglen, false), SEC_E_OK,
		   "the imported context verifies the client's message");
		is(DeleteSecurityContext(&imported), SEC_E_OK, "deleted");
	}
	release_pair(&p, true);
	is(fake_kernel_objects(), 0, "nothing left in the kernel");

	diag("handshake with ALLOCATE_MEMORY");
	acquire_pair(&p, "FakeBig", "pw");
	is(handshake(&p, true), SEC_E_OK, "SEC_E_OK");
	release_pair(&p, true);

	diag("four legs, the server finishing last");
	acquire_pair(&p, "FakeFour", "pw");
	is(handshake(&p, false), SEC_E_OK, "client SEC_E_OK");
	is(p.sst, SEC_E_OK, "server SEC_E_OK");
	is(p.legs, 4, "four legs");
	release_pair(&p, true);
	acquire_pair(&p, "FakeFour", "pw");
	is(handshake(&p, true), SEC_E_OK, "with ALLOCATE_MEMORY");
	is(p.sst, SEC_E_OK, "  server SEC_E_OK");
	release_pair(&p, true);

	diag("failures");
	acquire_pair(&p, "FakeTest", "wrong");
	is(handshake(&p, false), SEC_E_LOGON_DENIED,
	   "wrong password: SEC_E_LOGON_DENIED");
	DeleteSecurityContext(&p.cctx);
	release_pair(&p, false);
	{
		CtxtHandle gone = p.cctx;

		is(DeleteSecurityContext(&gone), SEC_E_INVALID_HANDLE,
		   "deleting twice: SEC_E_INVALID_HANDLE");
	}
	is(fake_kernel_objects(), 0, "nothing left in the kernel");

	test_windows_statuses();

	diag("W functions");
	{
		static SEC_WCHAR user[] = u"J\u00fcrgen", pw[] = u"p\U0001F511";
		SEC_WINNT_AUTH_IDENTITY_W id = {
			.User = user, .UserLength = 6, .Domain = NULL,
			.DomainLength = 0, .Password = pw, .PasswordLength = 3,
			.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
		};
		SecPkgContext_NamesW names;
		unsigned char tok[300];
		SecBuffer ob = { sizeof(tok), SECBUFFER_TOKEN, tok };
		SecBufferDesc od = { SECBUFFER_VERSION, 1, &ob };
		CtxtHandle ctx;
		ULONG attr;

		st = AcquireCredentialsHandleW(NULL, u"FakeTest",
					       SECPKG_CRED_OUTBOUND, NULL, &id,
					       NULL, NULL, &p.ccred, NULL);
		is(st, SEC_E_OK, "AcquireCredentialsHandleW");
		st = InitializeSecurityContextW(&p.ccred, NULL,
			u"HTTP/w\u00e9b", 0, 0, 0, NULL, 0, &ctx, &od, &attr,
			NULL);
		is(st, SEC_I_CONTINUE_NEEDED, "InitializeSecurityContextW");
		ok(ob.cbBuffer > 20 && !memcmp(tok, "FK1|J\xc3\xbcrgen|", 12),
		   "the kernel saw UTF-8");
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_NAMES, &names);
		ok(st == SEC_E_OK && !memcmp(names.sUserName, u"\\J\u00fcrgen",
					     8 * sizeof(SEC_WCHAR)),
		   "QueryContextAttributesW NAMES back in UTF-16");
		FreeContextBuffer(names.sUserName);
		DeleteSecurityContext(&ctx);
		FreeCredentialsHandle(&p.ccred);
	}

	diag("keyring identity");
	{
		CredHandle kc;

		is(AcquireCredentialsHandleKeyA("FakeTest", SECPKG_CRED_OUTBOUND,
						42, &kc, NULL), SEC_E_OK,
		   "key 42 accepted");
		FreeCredentialsHandle(&kc);
		is(AcquireCredentialsHandleKeyA("FakeTest", SECPKG_CRED_OUTBOUND,
						43, &kc, NULL),
		   SEC_E_NO_CREDENTIALS, "key 43: SEC_E_NO_CREDENTIALS");
	}

	diag("threads");
	{
		pthread_t t[8];
		int bad[8] = { 0 }, i, total = 0;

		for (i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, worker, &bad[i]);
		for (i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			total += bad[i];
		}
		is(total, 0, "8 threads x 40 handshakes, signatures verified");
	}
	is(fake_kernel_objects(), 0, "nothing left in the kernel");
	return tap_done();
}
