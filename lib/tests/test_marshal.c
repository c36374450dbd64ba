// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Argument marshalling: the exact ioctl structures the library builds for
 * each SSPI call, and how it carries the kernel's answer back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <ksspi/ktls.h>

#include "mock.h"
#include "tap.h"

/* ---- capture ---------------------------------------------------------- */

static union {
	unsigned char raw[512];
	struct ksspi_acquire_credentials acq;
	struct ksspi_handle_op op;
	struct ksspi_init_context isc;
	struct ksspi_accept_context asc;
	struct ksspi_complete_token cat;
	struct ksspi_message msg;
	struct ksspi_export_context exp;
	struct ksspi_import_context imp;
	struct ksspi_query_package qp;
	struct ksspi_query_attributes qa;
	struct ksspi_install_ktls ktls;
} cap;
static unsigned long cap_req;
static struct ksspi_sec_buffer cap_in[KSSPI_MAX_BUFFERS];
static struct ksspi_sec_buffer cap_out[KSSPI_MAX_BUFFERS];
static char cap_s1[4096], cap_s2[4096], cap_s3[4096];
static unsigned int cap_count;

/* How the fake kernel answers */
static void (*answer)(unsigned long req, void *arg);
static int answer_errno;	/* refuse with this errno */
static int eintr_once;		/* fail the first call with EINTR */

static void copy_str(char *dst, uint64_t p, uint32_t len)
{
	memset(dst, 0, 4096);
	if (p && len < 4096)
		memcpy(dst, (void *)(uintptr_t)p, len);
}

static void copy_bufs(struct ksspi_sec_buffer *dst,
		      const struct ksspi_sec_buffer_desc *d)
{
	memset(dst, 0, sizeof(cap_in));
	if (d->p_buffers && d->c_buffers <= KSSPI_MAX_BUFFERS)
		memcpy(dst, (void *)(uintptr_t)d->p_buffers,
		       d->c_buffers * sizeof(*dst));
}

static int capture(unsigned long req, void *arg)
{
	if (eintr_once) {
		eintr_once = 0;
		errno = EINTR;
		return -1;
	}
	cap_count++;
	cap_req = req;
	memset(&cap, 0, sizeof(cap));
	memcpy(&cap, arg, _IOC_SIZE(req));
	switch (req) {
	case KSSPI_IOC_ACQUIRE_CREDENTIALS:
		copy_str(cap_s1, cap.acq.user, cap.acq.user_len);
		copy_str(cap_s2, cap.acq.domain, cap.acq.domain_len);
		copy_str(cap_s3, cap.acq.password, cap.acq.password_len);
		break;
	case KSSPI_IOC_INIT_CONTEXT:
		copy_str(cap_s1, cap.isc.target_name, cap.isc.target_name_len);
		copy_bufs(cap_in, &cap.isc.input);
		copy_bufs(cap_out, &cap.isc.output);
		break;
	case KSSPI_IOC_ACCEPT_CONTEXT:
		copy_bufs(cap_in, &cap.asc.input);
		copy_bufs(cap_out, &cap.asc.output);
		break;
	case KSSPI_IOC_COMPLETE_TOKEN:
		copy_bufs(cap_in, &cap.cat.token);
		break;
	case KSSPI_IOC_MAKE_SIGNATURE:
	case KSSPI_IOC_VERIFY_SIGNATURE:
	case KSSPI_IOC_ENCRYPT_MESSAGE:
	case KSSPI_IOC_DECRYPT_MESSAGE:
		copy_bufs(cap_in, &cap.msg.message);
		break;
	case KSSPI_IOC_IMPORT_CONTEXT:
		copy_str(cap_s1, cap.imp.package, cap.imp.package_len);
		break;
	case KSSPI_IOC_QUERY_PACKAGE:
		copy_str(cap_s1, cap.qp.name, cap.qp.name_len);
		break;
	}
	if (answer_errno) {
		errno = answer_errno;
		return -1;
	}
	if (answer)
		answer(req, arg);
	return 0;
}

static void reset(void (*fn)(unsigned long, void *))
{
	mock_reset(capture);
	answer = fn;
	answer_errno = 0;
	eintr_once = 0;
	cap_count = 0;
	cap_req = 0;
}

static void *up(uint64_t a)
{
	return (void *)(uintptr_t)a;
}

static int zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* ---- answers ---------------------------------------------------------- */

static const int64_t EXPIRY = 0x0123456789ABCDEFll;
static SECURITY_STATUS next_status;

static void ans_acquire(unsigned long req, void *arg)
{
	struct ksspi_acquire_credentials *a = arg;

	(void)req;
	a->status = (uint32_t)next_status;
	if (next_status == SEC_E_OK) {
		a->credential.lower = 5;
		a->credential.upper = 0x7700000000000001ull;
		a->expiry = EXPIRY;
	}
}

static void ans_status(unsigned long req, void *arg)
{
	struct ksspi_handle_op *op = arg;	/* status is the 2nd word */

	(void)req;
	op->status = (uint32_t)next_status;
}

/* ISC / ASC: token of tok_len bytes written into the first output buffer */
static uint32_t tok_len;
static int touch_input;
static int zero_new;		/* leave new_context zero */
static int leave_output;	/* deliver no token (cb_buffer unchanged) */

static void write_token(struct ksspi_sec_buffer_desc *out)
{
	struct ksspi_sec_buffer *b = up(out->p_buffers);

	if (!out->c_buffers || leave_output)
		return;
	if (tok_len && b[0].cb_buffer >= tok_len)
		memset(up(b[0].pv_buffer), 0xA5, tok_len);
	b[0].cb_buffer = tok_len;
}

static void ans_isc(unsigned long req, void *arg)
{
	struct ksspi_init_context *c = arg;

	(void)req;
	c->status = (uint32_t)next_status;
	if (!zero_new) {
		c->new_context.lower = 9;
		c->new_context.upper = 10;
	}
	c->context_attr = 0x1234;
	c->expiry = EXPIRY;
	write_token(&c->output);
	if (touch_input && c->input.c_buffers >= 2) {
		struct ksspi_sec_buffer *b = up(c->input.p_buffers);

		b[1].buffer_type = SECBUFFER_EXTRA;
		b[1].cb_buffer = 5;
	}
}

static void ans_asc(unsigned long req, void *arg)
{
	struct ksspi_accept_context *c = arg;

	(void)req;
	c->status = (uint32_t)next_status;
	if (!zero_new) {
		c->new_context.lower = 11;
		c->new_context.upper = 12;
	}
	c->context_attr = 0x4321;
	c->expiry = EXPIRY;
	write_token(&c->output);
}

/* For ALLOCATE_MEMORY: package queries answer these max_token values */
static uint32_t pkg_max_token = 777, ctx_max_token = 555;

static void ans_alloc(unsigned long req, void *arg)
{
	if (req == KSSPI_IOC_QUERY_PACKAGE) {
		struct ksspi_query_package *q = arg;

		q->status = SEC_E_OK;
		memcpy(q->info.name, up(q->name), q->name_len);
		q->info.max_token = pkg_max_token;
		return;
	}
	if (req == KSSPI_IOC_QUERY_ATTRIBUTES) {
		struct ksspi_query_attributes *q = arg;
		struct ksspi_package_info info = {
			.max_token = ctx_max_token, .name = "CtxPkg",
		};

		q->status = SEC_E_OK;
		memcpy(up(q->buffer), &info, sizeof(info));
		q->buffer_len = sizeof(info);
		return;
	}
	if (req == KSSPI_IOC_ACQUIRE_CREDENTIALS) {
		ans_acquire(req, arg);
		return;
	}
	if (req == KSSPI_IOC_ACCEPT_CONTEXT) {
		ans_asc(req, arg);
		return;
	}
	ans_isc(req, arg);
}

/* ---- AcquireCredentialsHandle ------------------------------------------ */

static void test_acquire(void)
{
	static unsigned char user[] = "alice", dom[] = "TEST", pw[] = "Passw0rd!";
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = user, .UserLength = 5, .Domain = dom,
		.DomainLength = 4, .Password = pw, .PasswordLength = 9,
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	static const char pkg[] = "FakeTest";
	CredHandle h = { 1, 2 };
	TimeStamp ts = { 0, 0 };
	SECURITY_STATUS st;

	diag("AcquireCredentialsHandleA, password identity");
	reset(ans_acquire);
	next_status = SEC_E_OK;
	st = AcquireCredentialsHandleA("ignored", pkg, SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &h, &ts);
	is(st, SEC_E_OK, "returns SEC_E_OK");
	is(cap_req, KSSPI_IOC_ACQUIRE_CREDENTIALS, "one ACQUIRE_CREDENTIALS");
	is(cap_count, 1, "one ioctl");
	is(cap.acq.size, sizeof(struct ksspi_acquire_credentials), "size");
	is(cap.acq.package, (uintptr_t)pkg, "package is the caller's string");
	is(cap.acq.package_len, 8, "package_len");
	is(cap.acq.credential_use, SECPKG_CRED_OUTBOUND, "credential_use");
	is(cap.acq.identity_type, KSSPI_IDENTITY_PASSWORD, "identity_type");
	is(cap.acq.key_serial, 0, "key_serial 0");
	is(cap.acq.user, (uintptr_t)user, "user pointer passed as is");
	is(cap.acq.user_len, 5, "user_len");
	is(cap.acq.domain, (uintptr_t)dom, "domain pointer");
	is(cap.acq.domain_len, 4, "domain_len");
	is(cap.acq.password, (uintptr_t)pw, "password pointer");
	is(cap.acq.password_len, 9, "password_len");
	is(cap.acq.flags, 0, "flags 0");
	ok(zero(&cap.acq.credential, sizeof(cap.acq.credential)) &&
	   cap.acq.expiry == 0, "out members zero on input");
	ok(h.dwLower == 5 && h.dwUpper == (ULONG_PTR)0x7700000000000001ull,
	   "handle copied from the answer");
	is(ksspi_timestamp_to_int64(&ts), EXPIRY, "ptsExpiry from the answer");

	diag("AcquireCredentialsHandleA, default credentials");
	reset(ans_acquire);
	st = AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_INBOUND,
				       NULL, NULL, NULL, NULL, &h, NULL);
	is(st, SEC_E_OK, "returns SEC_E_OK without ptsExpiry");
	is(cap.acq.identity_type, KSSPI_IDENTITY_NONE, "identity NONE");
	ok(!cap.acq.user && !cap.acq.domain && !cap.acq.password &&
	   !cap.acq.user_len && !cap.acq.domain_len && !cap.acq.password_len,
	   "no strings");
	is(cap.acq.credential_use, SECPKG_CRED_INBOUND, "credential_use");

	diag("AcquireCredentialsHandleW");
	{
		/* "Jürgen", "DÖM", password with U+1F511 (surrogate pair) */
		static SEC_WCHAR wuser[] = u"J\u00fcrgen";
		static SEC_WCHAR wdom[] = u"D\u00d6M";
		static SEC_WCHAR wpw[] = u"k\U0001F511y";
		SEC_WINNT_AUTH_IDENTITY_W wid = {
			.User = wuser, .UserLength = 6, .Domain = wdom,
			.DomainLength = 3, .Password = wpw,
			.PasswordLength = 4,
			.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
		};

		reset(ans_acquire);
		st = AcquireCredentialsHandleW(u"x", u"Fake\u00e9", SECPKG_CRED_BOTH,
					       NULL, &wid, NULL, NULL, &h, &ts);
		is(st, SEC_E_OK, "returns SEC_E_OK");
		is(cap.acq.package_len, 6, "package converted to UTF-8");
		is(cap.acq.identity_type, KSSPI_IDENTITY_PASSWORD, "identity");
		is(cap.acq.user_len, 7, "user_len in UTF-8 bytes");
		is_str(cap_s1, "J\xc3\xbcrgen", "user in UTF-8");
		is_str(cap_s2, "D\xc3\x96M", "domain in UTF-8");
		is(cap.acq.password_len, 6, "password_len in UTF-8 bytes");
		is_str(cap_s3, "k\xf0\x9f\x94\x91y", "password in UTF-8");

		reset(ans_acquire);
		st = AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND,
					       NULL, &wid, NULL, NULL, &h,
					       NULL);
		is(st, SEC_E_OK, "A function takes a _UNICODE identity");
		is_str(cap_s1, "J\xc3\xbcrgen", "  and converts it");

		wpw[1] = 0xD83D;	/* now an unpaired high surrogate */
		wpw[2] = u'x';
		reset(ans_acquire);
		st = AcquireCredentialsHandleW(NULL, u"FakeTest",
					       SECPKG_CRED_OUTBOUND, NULL,
					       &wid, NULL, NULL, &h, NULL);
		is(st, SEC_E_INVALID_PARAMETER, "bad UTF-16 password refused");
		is(cap_count, 0, "  without an ioctl");

		wid.Password = NULL;
		wid.PasswordLength = 0;
		reset(ans_acquire);
		st = AcquireCredentialsHandleW(NULL, u"FakeTest",
					       SECPKG_CRED_OUTBOUND, NULL,
					       &wid, NULL, NULL, &h, NULL);
		is(st, SEC_E_OK, "NULL password with length 0 accepted");
		ok(cap.acq.password == 0 && cap.acq.password_len == 0,
		   "  passed as no password");

		reset(ans_acquire);
		st = AcquireCredentialsHandleW(NULL, u"\U0001F511\U0001F511"
			u"\U0001F511\U0001F511\U0001F511\U0001F511\U0001F511"
			u"\U0001F511\U0001F511\U0001F511\U0001F511\U0001F511"
			u"\U0001F511\U0001F511\U0001F511\U0001F511",
			SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &h, NULL);
		is(st, SEC_E_SECPKG_NOT_FOUND,
		   "W package name over 63 UTF-8 bytes: not found");
		st = AcquireCredentialsHandleW(NULL, NULL, SECPKG_CRED_OUTBOUND,
					       NULL, NULL, NULL, NULL, &h,
					       NULL);
		is(st, SEC_E_SECPKG_NOT_FOUND, "W NULL package: not found");
		is(cap_count, 0, "  without an ioctl");
	}

	diag("AcquireCredentialsHandle, empty user with domain and password");
	{
		static unsigned char empty[] = "";

		reset(ans_acquire);
		next_status = SEC_E_OK;
		id.User = NULL;
		id.UserLength = 0;
		st = AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND,
					       NULL, &id, NULL, NULL, &h, NULL);
		is(st, SEC_E_OK, "the kernel's SEC_E_OK returned");
		is(cap_count, 1, "  passed on (one ioctl)");
		ok(cap.acq.identity_type == KSSPI_IDENTITY_PASSWORD &&
		   !cap.acq.user && !cap.acq.user_len &&
		   cap.acq.domain == (uintptr_t)dom && cap.acq.domain_len == 4 &&
		   cap.acq.password == (uintptr_t)pw &&
		   cap.acq.password_len == 9,
		   "  as a password identity with no user");
		reset(ans_acquire);
		id.User = empty;
		st = AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND,
					       NULL, &id, NULL, NULL, &h, NULL);
		ok(st == SEC_E_OK && cap.acq.user == (uintptr_t)empty &&
		   !cap.acq.user_len, "user \"\": passed on as it is");
		id.User = user;
		id.UserLength = 5;
	}

	diag("AcquireCredentialsHandle argument checks");
	reset(ans_acquire);
	h.dwLower = h.dwUpper = 3;
	id.Flags = 0;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     &id, NULL, NULL, &h, NULL),
	   SEC_E_INVALID_PARAMETER, "identity Flags 0 refused");
	id.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI | SEC_WINNT_AUTH_IDENTITY_UNICODE;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     &id, NULL, NULL, &h, NULL),
	   SEC_E_INVALID_PARAMETER, "identity Flags ANSI|UNICODE refused");
	id.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI;
	id.User = NULL;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     &id, NULL, NULL, &h, NULL),
	   SEC_E_INVALID_PARAMETER, "NULL User with UserLength 5 refused");
	id.User = user;
	id.PasswordLength = KSSPI_MAX_PASSWORD + 1;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     &id, NULL, NULL, &h, NULL),
	   SEC_E_INVALID_PARAMETER, "password over KSSPI_MAX_PASSWORD refused");
	id.PasswordLength = 9;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, &h,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "pvLogonId refused");
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, (SEC_GET_KEY_FN)abort, NULL, &h,
				     NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "pGetKeyFn refused");
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, &h, &h, NULL),
	   SEC_E_UNSUPPORTED_FUNCTION, "pvGetKeyArgument refused");
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, NULL, NULL),
	   SEC_E_INVALID_PARAMETER, "NULL phCredential refused");
	is(AcquireCredentialsHandleA(NULL, NULL, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_SECPKG_NOT_FOUND, "NULL package: not found");
	is(AcquireCredentialsHandleA(NULL, "", SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_SECPKG_NOT_FOUND, "empty package: not found");
	is(AcquireCredentialsHandleA(NULL,
		"0123456789012345678901234567890123456789012345678901234567890123",
		SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &h, NULL),
	   SEC_E_SECPKG_NOT_FOUND, "64-byte package name: not found");
	is(cap_count, 0, "none of these reached the kernel");
	ok(h.dwLower == 3 && h.dwUpper == 3, "handle untouched");

	diag("AcquireCredentialsHandle answers");
	reset(ans_acquire);
	next_status = SEC_E_SECPKG_NOT_FOUND;
	is(AcquireCredentialsHandleA(NULL, "Nope", SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, &ts),
	   SEC_E_SECPKG_NOT_FOUND, "kernel status returned");
	ok(h.dwLower == 3 && h.dwUpper == 3, "handle untouched on failure");
	next_status = SEC_E_OK;

	reset(ans_acquire);
	answer_errno = ENOMEM;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_INSUFFICIENT_MEMORY, "ENOMEM -> SEC_E_INSUFFICIENT_MEMORY");
	answer_errno = E2BIG;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_INVALID_PARAMETER, "E2BIG -> SEC_E_INVALID_PARAMETER");
	answer_errno = EPERM;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_NOT_OWNER, "EPERM -> SEC_E_NOT_OWNER");
	answer_errno = ENOTTY;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_INTERNAL_ERROR, "ENOTTY -> SEC_E_INTERNAL_ERROR");
	ok(h.dwLower == 3 && h.dwUpper == 3, "handle untouched on errno");

	reset(ans_acquire);
	eintr_once = 1;
	is(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL,
				     NULL, NULL, NULL, &h, NULL),
	   SEC_E_OK, "EINTR is retried");
	is(mock_calls, 2, "  with a second ioctl");

	diag("AcquireCredentialsHandleKeyA");
	reset(ans_acquire);
	st = AcquireCredentialsHandleKeyA("Kerberos", SECPKG_CRED_OUTBOUND,
					  123456789, &h, &ts);
	is(st, SEC_E_OK, "returns SEC_E_OK");
	is(cap.acq.identity_type, KSSPI_IDENTITY_KEY, "identity KEY");
	is(cap.acq.key_serial, 123456789, "key_serial");
	is(cap.acq.package_len, 8, "package_len");
	ok(!cap.acq.user && !cap.acq.user_len && !cap.acq.password,
	   "no strings");
	reset(ans_acquire);
	next_status = SEC_E_UNKNOWN_CREDENTIALS;
	is(AcquireCredentialsHandleKeyA("Kerberos", SECPKG_CRED_OUTBOUND, 0,
					&h, NULL),
	   SEC_E_UNKNOWN_CREDENTIALS, "serial 0: the kernel's status");
	is(cap.acq.key_serial, 0, "  passed on");
	AcquireCredentialsHandleKeyA("Kerberos", SECPKG_CRED_OUTBOUND, -3, &h,
				     NULL);
	is(cap.acq.key_serial, 0xFFFFFFFDu, "KEY_SPEC_* ids passed on too");
	next_status = SEC_E_OK;
	is(AcquireCredentialsHandleKeyA("Kerberos", SECPKG_CRED_OUTBOUND, 5,
					NULL, NULL),
	   SEC_E_INVALID_PARAMETER, "NULL phCredential refused");

	diag("FreeCredentialsHandle");
	reset(ans_status);
	next_status = SEC_E_OK;
	h.dwLower = 5;
	h.dwUpper = 6;
	is(FreeCredentialsHandle(&h), SEC_E_OK, "returns the status");
	is(cap_req, KSSPI_IOC_FREE_CREDENTIALS, "FREE_CREDENTIALS");
	is(cap.op.size, sizeof(struct ksspi_handle_op), "size");
	ok(cap.op.handle.lower == 5 && cap.op.handle.upper == 6, "handle");
	next_status = SEC_E_INVALID_HANDLE;
	is(FreeCredentialsHandle(&h), SEC_E_INVALID_HANDLE, "kernel status");
	is(FreeCredentialsHandle(NULL), SEC_E_INVALID_HANDLE,
	   "NULL: SEC_E_INVALID_HANDLE");
}

/* ---- InitializeSecurityContext ----------------------------------------- */

static void test_isc(void)
{
	unsigned char out1[100], in0[20], extra[8];
	SecBuffer ob[1] = { { sizeof(out1), SECBUFFER_TOKEN, out1 } };
	SecBufferDesc od = { SECBUFFER_VERSION, 1, ob };
	SecBuffer ib[2] = {
		{ sizeof(in0), SECBUFFER_TOKEN, in0 },
		{ sizeof(extra), SECBUFFER_EMPTY, extra },
	};
	SecBufferDesc id = { SECBUFFER_VERSION, 2, ib };
	CredHandle cred = { 5, 6 };
	CtxtHandle ctx = { 0, 0 }, ctx2;
	static const char target[] = "host/x";
	TimeStamp ts = { 0, 0 };
	SECURITY_STATUS st;
	ULONG attr = 0;

	diag("InitializeSecurityContextA, first leg");
	reset(ans_isc);
	next_status = SEC_I_CONTINUE_NEEDED;
	tok_len = 42;
	st = InitializeSecurityContextA(&cred, NULL, target,
		ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY, 0,
		SECURITY_NATIVE_DREP, NULL, 0, &ctx, &od, &attr, &ts);
	is(st, SEC_I_CONTINUE_NEEDED, "returns the kernel's status");
	is(cap_req, KSSPI_IOC_INIT_CONTEXT, "INIT_CONTEXT");
	is(cap.isc.size, sizeof(struct ksspi_init_context), "size");
	is(cap.isc.present, KSSPI_ARG_CREDENTIAL | KSSPI_ARG_NEW_CONTEXT |
	   KSSPI_ARG_OUTPUT | KSSPI_ARG_EXPIRY | KSSPI_ARG_TARGET,
	   "present: CREDENTIAL NEW_CONTEXT OUTPUT EXPIRY TARGET");
	is(cap.isc.context_req, ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY,
	   "context_req");
	is(cap.isc.target_data_rep, SECURITY_NATIVE_DREP, "target_data_rep");
	ok(!cap.isc.reserved1 && !cap.isc.reserved2 && !cap.isc.flags,
	   "reserved and flags 0");
	is(cap.isc.target_name, (uintptr_t)target, "target_name is the string");
	is(cap.isc.target_name_len, 6, "target_name_len (no NUL)");
	ok(cap.isc.credential.lower == 5 && cap.isc.credential.upper == 6,
	   "credential handle");
	ok(zero(&cap.isc.context, sizeof(cap.isc.context)) &&
	   zero(&cap.isc.new_context, sizeof(cap.isc.new_context)),
	   "context and new_context zero");
	ok(zero(&cap.isc.input, sizeof(cap.isc.input)), "input zero");
	is(cap.isc.output.ul_version, SECBUFFER_VERSION, "output ul_version");
	is(cap.isc.output.c_buffers, 1, "output c_buffers");
	ok(cap.isc.output.p_buffers &&
	   cap.isc.output.p_buffers != (uintptr_t)ob,
	   "output p_buffers: the library's own array");
	is(cap_out[0].cb_buffer, 100, "output[0].cb_buffer");
	is(cap_out[0].buffer_type, SECBUFFER_TOKEN, "output[0].buffer_type");
	is(cap_out[0].pv_buffer, (uintptr_t)out1, "output[0].pv_buffer");
	ok(cap.isc.context_attr == 0 && cap.isc.expiry == 0,
	   "out members zero on input");
	ok(ctx.dwLower == 9 && ctx.dwUpper == 10, "*phNewContext set");
	is(ob[0].cbBuffer, 42, "output cbBuffer copied back");
	ok(ob[0].pvBuffer == out1, "output pvBuffer unchanged");
	is(attr, 0x1234, "*pfContextAttr");
	is(ksspi_timestamp_to_int64(&ts), EXPIRY, "*ptsExpiry");

	diag("InitializeSecurityContextA, second leg");
	reset(ans_isc);
	next_status = SEC_E_OK;
	touch_input = 1;
	tok_len = 0;
	ob[0].cbBuffer = sizeof(out1);
	ctx2 = ctx;
	st = InitializeSecurityContextA(&cred, &ctx, NULL, 0, 0,
		SECURITY_NETWORK_DREP, &id, 0, &ctx2, &od, &attr, NULL);
	is(st, SEC_E_OK, "SEC_E_OK");
	is(cap.isc.present, KSSPI_ARG_CREDENTIAL | KSSPI_ARG_CONTEXT |
	   KSSPI_ARG_NEW_CONTEXT | KSSPI_ARG_INPUT | KSSPI_ARG_OUTPUT,
	   "present: CREDENTIAL CONTEXT NEW_CONTEXT INPUT OUTPUT");
	ok(cap.isc.context.lower == 9 && cap.isc.context.upper == 10,
	   "context handle");
	ok(!cap.isc.target_name && !cap.isc.target_name_len, "no target");
	is(cap.isc.input.c_buffers, 2, "input c_buffers");
	ok(cap_in[0].cb_buffer == 20 && cap_in[0].buffer_type == SECBUFFER_TOKEN &&
	   cap_in[0].pv_buffer == (uintptr_t)in0, "input[0]");
	ok(cap_in[1].cb_buffer == 8 && cap_in[1].buffer_type == SECBUFFER_EMPTY &&
	   cap_in[1].pv_buffer == (uintptr_t)extra, "input[1]");
	ok(ib[1].BufferType == SECBUFFER_EXTRA && ib[1].cbBuffer == 5 &&
	   ib[1].pvBuffer == extra, "input buffers updated in place");
	is(ob[0].cbBuffer, 0, "empty output token");
	touch_input = 0;

	reset(ans_isc);
	zero_new = 1;
	ctx.dwLower = 31;
	ctx.dwUpper = 32;
	ctx2.dwLower = ctx2.dwUpper = 0;
	st = InitializeSecurityContextA(&cred, &ctx, NULL, 0, 0, 0, &id, 0,
					&ctx2, &od, &attr, NULL);
	ok(st == SEC_E_OK && ctx2.dwLower == 31 && ctx2.dwUpper == 32,
	   "later leg, new_context left zero: phContext's handle copied");
	reset(ans_isc);
	ctx2.dwLower = ctx2.dwUpper = 5;
	st = InitializeSecurityContextA(&cred, NULL, NULL, 0, 0, 0, NULL, 0,
					&ctx2, &od, &attr, NULL);
	ok(ctx2.dwLower == 0 && ctx2.dwUpper == 0,
	   "first leg: the kernel's handle as it is");
	zero_new = 0;
	ctx.dwLower = 9;
	ctx.dwUpper = 10;

	diag("InitializeSecurityContextA, edge cases");
	reset(ans_isc);
	next_status = SEC_E_OK;
	st = InitializeSecurityContextA(NULL, NULL, NULL, 0, 0, 0, NULL, 0,
					NULL, NULL, NULL, NULL);
	is(st, SEC_E_OK, "all optional arguments NULL");
	is(cap.isc.present, 0, "present 0");
	ok(zero(&cap.isc.credential, 3 * sizeof(struct ksspi_handle) +
		2 * sizeof(struct ksspi_sec_buffer_desc)),
	   "handles and descriptors zero");

	reset(ans_isc);
	st = InitializeSecurityContextA(&cred, NULL, "t", 0, 7, 0, NULL, 9,
					&ctx, &od, &attr, NULL);
	ok(cap.isc.reserved1 == 7 && cap.isc.reserved2 == 9,
	   "Reserved1/Reserved2 passed on for the kernel to judge");

	reset(ans_isc);
	next_status = SEC_E_LOGON_DENIED;
	ctx.dwLower = ctx.dwUpper = 77;
	attr = 0;
	ts.LowPart = 1;
	ts.HighPart = 1;
	ob[0].cbBuffer = sizeof(out1);
	tok_len = 3;
	st = InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, &ts);
	is(st, SEC_E_LOGON_DENIED, "error status returned");
	ok(ctx.dwLower == 77 && ctx.dwUpper == 77,
	   "*phNewContext untouched on an error status");
	ok(ts.LowPart == 1 && ts.HighPart == 1, "*ptsExpiry untouched");
	is(attr, 0x1234, "*pfContextAttr still set");
	is(ob[0].cbBuffer, 3, "output (an error token) still copied back");

	reset(ans_isc);
	answer_errno = EFAULT;
	ob[0].cbBuffer = sizeof(out1);
	attr = 5;
	st = InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, &ts);
	is(st, SEC_E_INVALID_PARAMETER, "EFAULT -> SEC_E_INVALID_PARAMETER");
	ok(ob[0].cbBuffer == sizeof(out1) && attr == 5 && ctx.dwLower == 77,
	   "nothing touched when the kernel refused the call");

	reset(ans_isc);
	od.cBuffers = KSSPI_MAX_BUFFERS + 1;
	is(InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0, &ctx,
				      &od, &attr, NULL),
	   SEC_E_INVALID_PARAMETER, "more than KSSPI_MAX_BUFFERS refused");
	od.cBuffers = 1;
	od.pBuffers = NULL;
	is(InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0, &ctx,
				      &od, &attr, NULL),
	   SEC_E_INVALID_PARAMETER, "cBuffers 1 with NULL pBuffers refused");
	od.pBuffers = ob;
	{
		char *longname = malloc(KSSPI_MAX_NAME + 2);

		memset(longname, 'a', KSSPI_MAX_NAME + 1);
		longname[KSSPI_MAX_NAME + 1] = 0;
		is(InitializeSecurityContextA(&cred, NULL, longname, 0, 0, 0,
					      NULL, 0, &ctx, &od, &attr, NULL),
		   SEC_E_INVALID_PARAMETER, "target over KSSPI_MAX_NAME refused");
		free(longname);
	}
	is(cap_count, 0, "none of these reached the kernel");

	od.cBuffers = 0;
	od.pBuffers = NULL;
	reset(ans_isc);
	InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0, &ctx,
				   &od, &attr, NULL);
	ok(cap.isc.output.c_buffers == 0 && cap.isc.output.p_buffers == 0 &&
	   (cap.isc.present & KSSPI_ARG_OUTPUT),
	   "empty descriptor: present, no array");
	od.cBuffers = 1;
	od.pBuffers = ob;

	diag("InitializeSecurityContext: malformed output passed on");
	reset(ans_isc);
	next_status = SEC_E_BUFFER_TOO_SMALL;
	ctx.dwLower = ctx.dwUpper = 77;
	st = InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, NULL, &attr, NULL);
	is(st, SEC_E_BUFFER_TOO_SMALL, "pOutput NULL: the kernel's status");
	is(cap_count, 1, "  one ioctl");
	ok(!(cap.isc.present & KSSPI_ARG_OUTPUT) &&
	   zero(&cap.isc.output, sizeof(cap.isc.output)),
	   "  marshalled as no output descriptor");
	ok(ctx.dwLower == 77, "  *phNewContext untouched");
	reset(ans_isc);
	st = InitializeSecurityContextA(&cred, NULL, "t",
					ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0,
					&ctx, NULL, &attr, NULL);
	ok(st == SEC_E_BUFFER_TOO_SMALL && cap_count == 1 &&
	   !(cap.isc.present & KSSPI_ARG_OUTPUT),
	   "  with ALLOCATE_MEMORY too (nothing to allocate)");

	reset(ans_isc);
	next_status = SEC_E_INTERNAL_ERROR;
	leave_output = 1;
	ob[0].pvBuffer = NULL;
	ob[0].cbBuffer = 300;
	st = InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0,
					&ctx, &od, &attr, NULL);
	is(st, SEC_E_INTERNAL_ERROR,
	   "token pvBuffer NULL, cbBuffer 300: the kernel's status");
	ok(cap_count == 1 && cap_out[0].pv_buffer == 0 &&
	   cap_out[0].cb_buffer == 300 &&
	   cap_out[0].buffer_type == SECBUFFER_TOKEN,
	   "  passed on as it is");
	leave_output = 0;
	ob[0].pvBuffer = out1;
	ob[0].cbBuffer = sizeof(out1);
	next_status = SEC_E_OK;
	ctx.dwLower = 9;
	ctx.dwUpper = 10;

	diag("InitializeSecurityContextW");
	reset(ans_isc);
	next_status = SEC_I_CONTINUE_NEEDED;
	ob[0].cbBuffer = sizeof(out1);
	st = InitializeSecurityContextW(&cred, NULL, u"HTTP/w\u00e9b.test", 0, 0,
		0, NULL, 0, &ctx, &od, &attr, NULL);
	is(st, SEC_I_CONTINUE_NEEDED, "returns the status");
	is(cap.isc.target_name_len, 14, "target_name_len in UTF-8 bytes");
	is_str(cap_s1, "HTTP/w\xc3\xa9" "b.test", "target in UTF-8");
	reset(ans_isc);
	{
		static const SEC_WCHAR bad[] = { u'h', 0xDC00, 0 };

		is(InitializeSecurityContextW(&cred, NULL, bad, 0, 0, 0, NULL,
					      0, &ctx, &od, &attr, NULL),
		   SEC_E_INVALID_PARAMETER, "bad UTF-16 target refused");
		is(cap_count, 0, "  without an ioctl");
	}
	reset(ans_isc);
	InitializeSecurityContextW(&cred, NULL, NULL, 0, 0, 0, NULL, 0, &ctx,
				   &od, &attr, NULL);
	ok(!(cap.isc.present & KSSPI_ARG_TARGET), "W without target");
}

/* ---- ALLOCATE_MEMORY --------------------------------------------------- */

static void test_allocate(void)
{
	SecBuffer ob[3];
	SecBufferDesc od = { SECBUFFER_VERSION, 1, ob };
	CredHandle cred, other = { 99, 99 };
	CtxtHandle ctx;
	unsigned char mine[64];
	SECURITY_STATUS st;
	unsigned char want[10];
	ULONG attr;

	diag("ISC_REQ_ALLOCATE_MEMORY");
	ksspi_priv_cache_reset();
	reset(ans_alloc);
	next_status = SEC_E_OK;
	st = AcquireCredentialsHandleA(NULL, "FakeBig", SECPKG_CRED_OUTBOUND,
				       NULL, NULL, NULL, NULL, &cred, NULL);
	is(st, SEC_E_OK, "credential acquired");

	reset(ans_alloc);
	next_status = SEC_I_CONTINUE_NEEDED;
	tok_len = 10;
	memset(ob, 0, sizeof(ob));
	ob[0].BufferType = SECBUFFER_TOKEN;
	attr = 0;
	st = InitializeSecurityContextA(&cred, NULL, "t",
		ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_INTEGRITY, 0, 0, NULL, 0,
		&ctx, &od, &attr, NULL);
	is(st, SEC_I_CONTINUE_NEEDED, "status");
	is(cap_count, 2, "package query, then INIT_CONTEXT");
	is(cap.isc.context_req, ISC_REQ_INTEGRITY,
	   "ALLOCATE_MEMORY kept out of the kernel's request");
	is(cap_out[0].cb_buffer, 777, "buffer of the package's max_token");
	ok(cap_out[0].pv_buffer != 0, "  allocated by the library");
	ok(ob[0].pvBuffer != NULL && ob[0].cbBuffer == 10,
	   "caller gets the token");
	memset(want, 0xA5, sizeof(want));
	is_mem(ob[0].pvBuffer, want, 10, "  with the kernel's bytes");
	ok(attr & ISC_RET_ALLOCATED_MEMORY, "ISC_RET_ALLOCATED_MEMORY added");
	is(attr & ~ISC_RET_ALLOCATED_MEMORY, 0x1234, "  to the kernel's");
	is(FreeContextBuffer(ob[0].pvBuffer), SEC_E_OK, "FreeContextBuffer");

	reset(ans_alloc);
	ob[0].pvBuffer = NULL;
	InitializeSecurityContextA(&cred, NULL, "t", ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(mock_calls, 1, "max_token cached per package: one ioctl");
	FreeContextBuffer(ob[0].pvBuffer);
	ob[0].pvBuffer = NULL;

	reset(ans_alloc);
	InitializeSecurityContextA(&other, NULL, "t", ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(cap_out[0].cb_buffer, KSSPI_MAX_TOKEN,
	   "unknown credential: KSSPI_MAX_TOKEN");
	is(cap_count, 1, "  without a query");
	FreeContextBuffer(ob[0].pvBuffer);
	ob[0].pvBuffer = NULL;

	reset(ans_alloc);
	ctx.dwLower = 9;
	ctx.dwUpper = 10;
	InitializeSecurityContextA(&cred, &ctx, NULL, ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(cap_count, 1, "later leg, known credential: no query");
	is(cap_out[0].cb_buffer, 777, "  credential's package max_token");
	FreeContextBuffer(ob[0].pvBuffer);
	ob[0].pvBuffer = NULL;

	reset(ans_alloc);
	InitializeSecurityContextA(NULL, &ctx, NULL, ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(cap_count, 2, "later leg, no credential: QUERY_ATTRIBUTES first");
	is(cap.isc.present & KSSPI_ARG_CREDENTIAL, 0, "  (no credential)");
	is(cap_out[0].cb_buffer, 555, "  context's package max_token");
	FreeContextBuffer(ob[0].pvBuffer);
	ob[0].pvBuffer = NULL;

	reset(ans_alloc);
	InitializeSecurityContextA(&other, &ctx, NULL, ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(cap_out[0].cb_buffer, 555,
	   "later leg, unknown credential: context's package");
	FreeContextBuffer(ob[0].pvBuffer);
	ob[0].pvBuffer = NULL;

	reset(ans_alloc);
	tok_len = 0;
	ob[0].cbBuffer = 0;
	InitializeSecurityContextA(&other, NULL, "t", ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	ok(ob[0].pvBuffer == NULL && ob[0].cbBuffer == 0,
	   "empty token: buffer freed, pvBuffer NULL");

	reset(ans_alloc);
	answer_errno = EINVAL;
	ob[0].cbBuffer = 0;
	st = InitializeSecurityContextA(&other, NULL, "t",
		ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(st, SEC_E_INVALID_PARAMETER, "refused call");
	ok(ob[0].pvBuffer == NULL && ob[0].cbBuffer == 0,
	   "  buffer freed, caller's SecBuffer untouched");

	reset(ans_alloc);
	next_status = SEC_E_LOGON_DENIED;
	leave_output = 1;
	attr = 77;
	st = InitializeSecurityContextA(&other, NULL, "t",
		ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(st, SEC_E_LOGON_DENIED, "failed leg, no token delivered");
	ok(ob[0].pvBuffer == NULL && ob[0].cbBuffer == 0,
	   "  (capacity left in cb_buffer): nothing handed over");
	is(attr, 0x1234, "  no ISC_RET_ALLOCATED_MEMORY on failure");
	leave_output = 0;

	reset(ans_alloc);
	next_status = SEC_E_INVALID_TOKEN;
	tok_len = 12;
	st = InitializeSecurityContextA(&other, NULL, "t",
		ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	is(st, SEC_E_INVALID_TOKEN, "error status");
	ok(ob[0].pvBuffer && ob[0].cbBuffer == 12,
	   "  error token still handed over");
	FreeContextBuffer(ob[0].pvBuffer);
	ob[0].pvBuffer = NULL;

	reset(ans_alloc);
	next_status = SEC_E_OK;
	tok_len = 0;
	memset(ob, 0, sizeof(ob));
	ob[0].BufferType = SECBUFFER_TOKEN;
	ob[0].pvBuffer = mine;
	ob[0].cbBuffer = sizeof(mine);
	ob[1].BufferType = SECBUFFER_EMPTY;
	ob[2].BufferType = SECBUFFER_DATA | SECBUFFER_READONLY;
	od.cBuffers = 3;
	InitializeSecurityContextA(&other, NULL, "t", ISC_REQ_ALLOCATE_MEMORY,
				   0, 0, NULL, 0, &ctx, &od, &attr, NULL);
	ok(cap_out[0].pv_buffer == (uintptr_t)mine &&
	   cap_out[0].cb_buffer == sizeof(mine),
	   "caller's own buffer used as is");
	ok(cap_out[1].pv_buffer == 0 && cap_out[2].pv_buffer == 0,
	   "EMPTY and READONLY buffers not allocated");
	is(cap_count, 1, "nothing to allocate: no query");
	ok(ob[0].pvBuffer == mine, "caller's pointer kept");

	reset(ans_alloc);
	memset(ob, 0, sizeof(ob));
	ob[0].BufferType = SECBUFFER_TOKEN;
	od.cBuffers = 1;
	InitializeSecurityContextA(&other, NULL, "t", 0, 0, 0, NULL, 0, &ctx,
				   &od, &attr, NULL);
	ok(cap_out[0].pv_buffer == 0 && !(attr & ISC_RET_ALLOCATED_MEMORY),
	   "without the flag nothing is allocated");

	diag("ASC_REQ_ALLOCATE_MEMORY");
	reset(ans_alloc);
	AcquireCredentialsHandleA(NULL, "FakeBig", SECPKG_CRED_INBOUND, NULL,
				  NULL, NULL, NULL, &cred, NULL);
	next_status = SEC_E_OK;
	tok_len = 7;
	memset(ob, 0, sizeof(ob));
	ob[0].BufferType = SECBUFFER_TOKEN;
	st = AcceptSecurityContext(&cred, NULL, NULL,
		ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_CONNECTION, 0, &ctx, &od,
		&attr, NULL);
	is(st, SEC_E_OK, "status");
	is(cap.asc.context_req, ASC_REQ_CONNECTION,
	   "ALLOCATE_MEMORY kept out of the kernel's request");
	is(cap_out[0].cb_buffer, 777, "buffer of the package's max_token");
	ok(ob[0].pvBuffer && ob[0].cbBuffer == 7, "caller gets the token");
	ok(attr & ASC_RET_ALLOCATED_MEMORY, "ASC_RET_ALLOCATED_MEMORY added");
	FreeContextBuffer(ob[0].pvBuffer);

	reset(ans_alloc);
	tok_len = KSSPI_MAX_TOKEN + 5;	/* a kernel bug */
	memset(ob, 0, sizeof(ob));
	ob[0].BufferType = SECBUFFER_TOKEN;
	AcceptSecurityContext(&other, NULL, NULL, ASC_REQ_ALLOCATE_MEMORY, 0,
			      &ctx, &od, &attr, NULL);
	is(ob[0].cbBuffer, KSSPI_MAX_TOKEN,
	   "a length over the allocation is clamped");
	FreeContextBuffer(ob[0].pvBuffer);
	tok_len = 0;
}

/* ---- AcceptSecurityContext --------------------------------------------- */

static void test_asc(void)
{
	unsigned char in0[30], out0[50];
	SecBuffer ib[2] = {
		{ sizeof(in0), SECBUFFER_TOKEN, in0 },
		{ 0, SECBUFFER_EMPTY, NULL },
	};
	SecBuffer ob[1] = { { sizeof(out0), SECBUFFER_TOKEN, out0 } };
	SecBufferDesc id = { SECBUFFER_VERSION, 2, ib };
	SecBufferDesc od = { SECBUFFER_VERSION, 1, ob };
	CredHandle cred = { 1, 2 };
	CtxtHandle ctx = { 0, 0 };
	TimeStamp ts = { 0, 0 };
	SECURITY_STATUS st;
	ULONG attr = 0;

	diag("AcceptSecurityContext");
	reset(ans_asc);
	next_status = SEC_I_CONTINUE_NEEDED;
	tok_len = 17;
	st = AcceptSecurityContext(&cred, NULL, &id, ASC_REQ_CONNECTION,
				   SECURITY_NATIVE_DREP, &ctx, &od, &attr,
				   &ts);
	is(st, SEC_I_CONTINUE_NEEDED, "returns the status");
	is(cap_req, KSSPI_IOC_ACCEPT_CONTEXT, "ACCEPT_CONTEXT");
	is(cap.asc.size, sizeof(struct ksspi_accept_context), "size");
	is(cap.asc.present, KSSPI_ARG_CREDENTIAL | KSSPI_ARG_INPUT |
	   KSSPI_ARG_NEW_CONTEXT | KSSPI_ARG_OUTPUT | KSSPI_ARG_EXPIRY,
	   "present: CREDENTIAL INPUT NEW_CONTEXT OUTPUT EXPIRY");
	is(cap.asc.context_req, ASC_REQ_CONNECTION, "context_req");
	is(cap.asc.target_data_rep, SECURITY_NATIVE_DREP, "target_data_rep");
	ok(!cap.asc.flags && !cap.asc.reserved, "flags and reserved 0");
	ok(cap.asc.credential.lower == 1 && cap.asc.credential.upper == 2,
	   "credential");
	ok(zero(&cap.asc.context, sizeof(cap.asc.context)), "no context");
	ok(cap.asc.input.c_buffers == 2 && cap_in[0].pv_buffer ==
	   (uintptr_t)in0 && cap_in[0].cb_buffer == 30 &&
	   cap_in[1].buffer_type == SECBUFFER_EMPTY && !cap_in[1].pv_buffer,
	   "input buffers");
	ok(cap.asc.output.c_buffers == 1 && cap_out[0].pv_buffer ==
	   (uintptr_t)out0 && cap_out[0].cb_buffer == 50, "output buffers");
	ok(ctx.dwLower == 11 && ctx.dwUpper == 12, "*phNewContext");
	is(ob[0].cbBuffer, 17, "output length copied back");
	{
		CtxtHandle later = { 0, 0 };

		reset(ans_asc);
		zero_new = 1;
		AcceptSecurityContext(&cred, &ctx, &id, 0, 0, &later, &od,
				      &attr, NULL);
		ok(later.dwLower == 11 && later.dwUpper == 12,
		   "later leg, new_context left zero: phContext's handle");
		zero_new = 0;
	}
	is(attr, 0x4321, "*pfContextAttr");
	is(ksspi_timestamp_to_int64(&ts), EXPIRY, "*ptsExpiry");

	reset(ans_asc);
	next_status = SEC_E_OK;
	st = AcceptSecurityContext(&cred, &ctx, &id, 0, 0, &ctx, &od, &attr,
				   NULL);
	is(cap.asc.present, KSSPI_ARG_CREDENTIAL | KSSPI_ARG_CONTEXT |
	   KSSPI_ARG_INPUT | KSSPI_ARG_NEW_CONTEXT | KSSPI_ARG_OUTPUT,
	   "second leg: CONTEXT set, no EXPIRY");
	ok(cap.asc.context.lower == 11 && cap.asc.context.upper == 12,
	   "context handle");

	reset(ans_asc);
	AcceptSecurityContext(NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL);
	is(cap.asc.present, 0, "all NULL: present 0");

	reset(ans_asc);
	next_status = SEC_E_LOGON_DENIED;
	ctx.dwLower = ctx.dwUpper = 55;
	st = AcceptSecurityContext(&cred, NULL, &id, 0, 0, &ctx, &od, &attr,
				   NULL);
	is(st, SEC_E_LOGON_DENIED, "error status");
	ok(ctx.dwLower == 55, "*phNewContext untouched");
	tok_len = 0;
}

/* ---- the rest ----------------------------------------------------------- */

static void ans_message(unsigned long req, void *arg)
{
	struct ksspi_message *m = arg;
	struct ksspi_sec_buffer *b = up(m->message.p_buffers);

	(void)req;
	m->status = (uint32_t)next_status;
	if (m->message.c_buffers > 1)
		b[1].cb_buffer = 16;
	m->qop = 0x80000001u;
}

static void ans_export(unsigned long req, void *arg)
{
	struct ksspi_export_context *e = arg;

	(void)req;
	e->status = (uint32_t)next_status;
	memset(up(e->buffer), 0x5A, 100);
	e->buffer_len = tok_len;
}

static void ans_import(unsigned long req, void *arg)
{
	struct ksspi_import_context *im = arg;

	(void)req;
	im->status = (uint32_t)next_status;
	im->context.lower = 21;
	im->context.upper = 22;
}

static void ans_ktls(unsigned long req, void *arg)
{
	struct ksspi_install_ktls *k = arg;

	(void)req;
	k->status = (uint32_t)next_status;
}

/* DecryptMessage of a stream package: the empty buffers point into DATA */
static void ans_stream(unsigned long req, void *arg)
{
	struct ksspi_message *m = arg;
	struct ksspi_sec_buffer *b = up(m->message.p_buffers);

	(void)req;
	m->status = SEC_E_OK;
	b[1] = b[0];
	b[1].buffer_type = SECBUFFER_DATA;
	b[1].pv_buffer += 5;
	b[1].cb_buffer = 3;
	b[0].buffer_type = SECBUFFER_STREAM_HEADER;
	b[0].cb_buffer = 5;
}

static void test_ktls(void)
{
	unsigned char rec[32] = { 23, 3, 3 };
	SecBuffer sb[4] = {
		{ sizeof(rec), SECBUFFER_DATA, rec },
		{ 0, SECBUFFER_EMPTY, NULL },
		{ 0, SECBUFFER_EMPTY, NULL },
		{ 0, SECBUFFER_EMPTY, NULL },
	};
	SecBufferDesc d = { SECBUFFER_VERSION, 4, sb };
	CtxtHandle ctx = { 0x31, 0x5800000000000032ull };

	diag("KsspiInstallKtls");
	reset(ans_ktls);
	next_status = SEC_E_OK;
	is(KsspiInstallKtls(&ctx, 7, KSSPI_KTLS_TX | KSSPI_KTLS_RX), SEC_E_OK,
	   "SEC_E_OK");
	is(cap_req, KSSPI_IOC_INSTALL_KTLS, "INSTALL_KTLS");
	is(cap.ktls.size, sizeof(struct ksspi_install_ktls), "size");
	ok(cap.ktls.context.lower == 0x31 &&
	   cap.ktls.context.upper == 0x5800000000000032ull, "context");
	ok(cap.ktls.fd == 7 && cap.ktls.flags == 3, "fd and flags");
	ok(KSSPI_KTLS_TX == 1 && KSSPI_KTLS_RX == 2, "the kernel's values");

	reset(ans_ktls);
	next_status = SEC_E_UNSUPPORTED_FUNCTION;
	is(KsspiInstallKtls(&ctx, 7, KSSPI_KTLS_RX), SEC_E_UNSUPPORTED_FUNCTION,
	   "status returned");
	reset(ans_ktls);
	answer_errno = ENOTSOCK;
	is(KsspiInstallKtls(&ctx, 7, KSSPI_KTLS_RX), SEC_E_INVALID_PARAMETER,
	   "ENOTSOCK -> SEC_E_INVALID_PARAMETER");
	reset(ans_ktls);
	is(KsspiInstallKtls(NULL, 7, KSSPI_KTLS_TX), SEC_E_INVALID_HANDLE,
	   "NULL context");
	is(KsspiInstallKtls(&ctx, 7, 0), SEC_E_INVALID_PARAMETER, "no flags");
	is(KsspiInstallKtls(&ctx, 7, 4), SEC_E_INVALID_PARAMETER,
	   "unknown flags");
	is(KsspiInstallKtls(&ctx, -1, KSSPI_KTLS_TX), SEC_E_INVALID_PARAMETER,
	   "negative fd");
	is(cap_count, 0, "  without an ioctl");
	next_status = SEC_E_OK;

	diag("DecryptMessage: buffers the kernel pointed elsewhere");
	reset(ans_stream);
	is(DecryptMessage(&ctx, &d, 0, NULL), SEC_E_OK, "SEC_E_OK");
	ok(sb[0].BufferType == SECBUFFER_STREAM_HEADER &&
	   sb[0].cbBuffer == 5 && sb[0].pvBuffer == rec, "header");
	ok(sb[1].BufferType == SECBUFFER_DATA && sb[1].cbBuffer == 3 &&
	   sb[1].pvBuffer == rec + 5, "data points into the record");
	ok(sb[2].BufferType == SECBUFFER_EMPTY && !sb[2].pvBuffer,
	   "untouched buffer stays");
}

static void test_others(void)
{
	unsigned char data[10] = "123456789", sig[32];
	SecBuffer mb[2] = {
		{ sizeof(data), SECBUFFER_DATA, data },
		{ sizeof(sig), SECBUFFER_TOKEN, sig },
	};
	SecBufferDesc md = { SECBUFFER_VERSION, 2, mb };
	CtxtHandle ctx = { 3, 4 };
	SecBuffer packed = { 0, SECBUFFER_EMPTY, NULL };
	SECURITY_STATUS st;
	void *token = &ctx;
	ULONG qop = 0;

	diag("CompleteAuthToken / DeleteSecurityContext");
	reset(ans_status);
	next_status = SEC_E_OK;
	is(CompleteAuthToken(&ctx, &md), SEC_E_OK, "CompleteAuthToken");
	is(cap_req, KSSPI_IOC_COMPLETE_TOKEN, "COMPLETE_TOKEN");
	is(cap.cat.size, sizeof(struct ksspi_complete_token), "size");
	ok(cap.cat.context.lower == 3 && cap.cat.context.upper == 4, "context");
	ok(cap.cat.token.c_buffers == 2 && cap_in[0].pv_buffer ==
	   (uintptr_t)data && cap_in[1].cb_buffer == 32, "token buffers");
	is(CompleteAuthToken(NULL, &md), SEC_E_INVALID_HANDLE,
	   "NULL context: SEC_E_INVALID_HANDLE");
	is(CompleteAuthToken(&ctx, NULL), SEC_E_INVALID_PARAMETER,
	   "NULL token: SEC_E_INVALID_PARAMETER");
	reset(ans_status);
	next_status = SEC_E_INVALID_HANDLE;
	is(DeleteSecurityContext(&ctx), SEC_E_INVALID_HANDLE,
	   "DeleteSecurityContext returns the status");
	is(cap_req, KSSPI_IOC_DELETE_CONTEXT, "DELETE_CONTEXT");
	ok(cap.op.size == sizeof(struct ksspi_handle_op) &&
	   cap.op.handle.lower == 3 && cap.op.handle.upper == 4, "handle");
	is(DeleteSecurityContext(NULL), SEC_E_INVALID_HANDLE,
	   "NULL: SEC_E_INVALID_HANDLE");

	diag("MakeSignature / VerifySignature / EncryptMessage / DecryptMessage");
	reset(ans_message);
	next_status = SEC_E_OK;
	st = MakeSignature(&ctx, 0, &md, 7);
	is(st, SEC_E_OK, "MakeSignature");
	is(cap_req, KSSPI_IOC_MAKE_SIGNATURE, "MAKE_SIGNATURE");
	is(cap.msg.size, sizeof(struct ksspi_message), "size");
	ok(cap.msg.context.lower == 3 && cap.msg.context.upper == 4, "context");
	ok(cap.msg.qop == 0 && cap.msg.sequence == 7, "qop and sequence");
	ok(cap.msg.message.ul_version == 0 && cap.msg.message.c_buffers == 2 &&
	   cap_in[0].pv_buffer == (uintptr_t)data && cap_in[0].cb_buffer == 10 &&
	   cap_in[0].buffer_type == SECBUFFER_DATA &&
	   cap_in[1].pv_buffer == (uintptr_t)sig &&
	   cap_in[1].buffer_type == SECBUFFER_TOKEN, "message buffers");
	is(mb[1].cbBuffer, 16, "signature length copied back");

	mb[1].cbBuffer = sizeof(sig);
	reset(ans_message);
	MakeSignature(&ctx, 0x42, &md, 0);
	is(cap.msg.qop, 0x42, "fQOP passed");
	reset(ans_message);
	st = VerifySignature(&ctx, &md, 9, &qop);
	is(cap_req, KSSPI_IOC_VERIFY_SIGNATURE, "VERIFY_SIGNATURE");
	ok(cap.msg.qop == 0 && cap.msg.sequence == 9, "qop 0 in, sequence");
	is(qop, 0x80000001u, "*pfQOP from the answer");
	reset(ans_message);
	next_status = SEC_E_MESSAGE_ALTERED;
	is(VerifySignature(&ctx, &md, 0, NULL), SEC_E_MESSAGE_ALTERED,
	   "status returned; NULL pfQOP fine");
	next_status = SEC_E_OK;
	reset(ans_message);
	EncryptMessage(&ctx, 0, &md, 3);
	is(cap_req, KSSPI_IOC_ENCRYPT_MESSAGE, "ENCRYPT_MESSAGE");
	reset(ans_message);
	DecryptMessage(&ctx, &md, 3, &qop);
	is(cap_req, KSSPI_IOC_DECRYPT_MESSAGE, "DECRYPT_MESSAGE");
	reset(ans_message);
	is(MakeSignature(NULL, 0, &md, 0), SEC_E_INVALID_HANDLE,
	   "NULL context: SEC_E_INVALID_HANDLE");
	is(EncryptMessage(&ctx, 0, NULL, 0), SEC_E_INVALID_PARAMETER,
	   "NULL message: SEC_E_INVALID_PARAMETER");
	is(cap_count, 0, "  without an ioctl");

	diag("ExportSecurityContext / ImportSecurityContext");
	reset(ans_export);
	tok_len = 100;
	st = ExportSecurityContext(&ctx, SECPKG_CONTEXT_EXPORT_DELETE_OLD,
				   &packed, &token);
	is(st, SEC_E_OK, "ExportSecurityContext");
	is(cap_req, KSSPI_IOC_EXPORT_CONTEXT, "EXPORT_CONTEXT");
	ok(cap.exp.size == sizeof(struct ksspi_export_context) &&
	   cap.exp.context.lower == 3 && cap.exp.context.upper == 4,
	   "size and context");
	is(cap.exp.flags, SECPKG_CONTEXT_EXPORT_DELETE_OLD, "flags");
	is(cap.exp.buffer_len, KSSPI_MAX_CONTEXT_BLOB,
	   "room: KSSPI_MAX_CONTEXT_BLOB");
	ok(cap.exp.buffer != 0, "buffer");
	ok(packed.cbBuffer == 100 && packed.pvBuffer, "blob handed over");
	{
		unsigned char want[100];

		memset(want, 0x5A, sizeof(want));
		is_mem(packed.pvBuffer, want, 100, "  with its bytes");
	}
	ok(token == NULL, "*pToken NULL");
	FreeContextBuffer(packed.pvBuffer);

	reset(ans_export);
	next_status = SEC_E_INVALID_HANDLE;
	packed.pvBuffer = NULL;
	packed.cbBuffer = 0;
	is(ExportSecurityContext(&ctx, 0, &packed, NULL), SEC_E_INVALID_HANDLE,
	   "status returned");
	ok(!packed.pvBuffer && !packed.cbBuffer, "nothing handed over");
	next_status = SEC_E_OK;
	tok_len = KSSPI_MAX_CONTEXT_BLOB + 1;
	is(ExportSecurityContext(&ctx, 0, &packed, NULL), SEC_E_INTERNAL_ERROR,
	   "a length over the room is refused");
	is(ExportSecurityContext(NULL, 0, &packed, NULL), SEC_E_INVALID_HANDLE,
	   "NULL context");
	is(ExportSecurityContext(&ctx, 0, NULL, NULL), SEC_E_INVALID_PARAMETER,
	   "NULL pPackedContext");

	reset(ans_import);
	{
		unsigned char blob[40] = { 1, 2, 3 };
		SecBuffer in = { sizeof(blob), SECBUFFER_EMPTY, blob };
		CtxtHandle out = { 0, 0 };
		static const char pkg[] = "Kerberos";

		st = ImportSecurityContextA(pkg, &in, NULL, &out);
		is(st, SEC_E_OK, "ImportSecurityContextA");
		is(cap_req, KSSPI_IOC_IMPORT_CONTEXT, "IMPORT_CONTEXT");
		is(cap.imp.size, sizeof(struct ksspi_import_context), "size");
		ok(cap.imp.package == (uintptr_t)pkg &&
		   cap.imp.package_len == 8, "package");
		ok(cap.imp.blob == (uintptr_t)blob && cap.imp.blob_len == 40,
		   "blob");
		ok(!cap.imp.flags && !cap.imp.reserved &&
		   zero(&cap.imp.context, sizeof(cap.imp.context)),
		   "flags, reserved, context zero");
		ok(out.dwLower == 21 && out.dwUpper == 22, "new handle");

		reset(ans_import);
		st = ImportSecurityContextW(u"Kerb\u00e9ros", &in, NULL, &out);
		is(st, SEC_E_OK, "ImportSecurityContextW");
		ok(cap.imp.package_len == 9 &&
		   !strcmp(cap_s1, "Kerb\xc3\xa9ros"), "package in UTF-8");

		reset(ans_import);
		is(ImportSecurityContextA(pkg, &in, &out, &out),
		   SEC_E_UNSUPPORTED_FUNCTION, "Token refused");
		is(ImportSecurityContextA(pkg, NULL, NULL, &out),
		   SEC_E_INVALID_PARAMETER, "NULL blob refused");
		is(ImportSecurityContextA(pkg, &in, NULL, NULL),
		   SEC_E_INVALID_PARAMETER, "NULL phContext refused");
		is(ImportSecurityContextA(NULL, &in, NULL, &out),
		   SEC_E_SECPKG_NOT_FOUND, "NULL package: not found");
		is(cap_count, 0, "  without an ioctl");

		next_status = SEC_E_INVALID_TOKEN;
		out.dwLower = 1;
		reset(ans_import);
		is(ImportSecurityContextA(pkg, &in, NULL, &out),
		   SEC_E_INVALID_TOKEN, "status returned");
		is(out.dwLower, 1, "handle untouched");
		reset(ans_import);
		answer_errno = EPERM;
		is(ImportSecurityContextA(pkg, &in, NULL, &out), SEC_E_NOT_OWNER,
		   "EPERM (no CAP_SYS_ADMIN) -> SEC_E_NOT_OWNER");
	}
	tok_len = 0;
	next_status = SEC_E_OK;
}

int main(void)
{
	test_acquire();
	test_isc();
	test_allocate();
	test_asc();
	test_others();
	test_ktls();
	return tap_done();
}
