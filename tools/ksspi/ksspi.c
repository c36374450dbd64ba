// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksspi: try the SSPI of /dev/ksspi by hand, through libksspi.
 *
 *   ksspi packages
 *   ksspi package NAME
 *   ksspi handshake --package P (--user U --password W [--domain D] |
 *                   --key SERIAL) [--server-user U2 --server-password W2
 *                   [--server-domain D2] | --server-default] [--target T]
 *                   [--req 0xFLAGS] [--alloc]
 *   ksspi sign  (handshake options) [--message TEXT]
 *   ksspi seal  (handshake options) [--message TEXT]
 *   ksspi bench-ioctl N [--package P]
 *
 * A client and a server context run against each other in this one
 * process.  The server's identity is --server-user/--server-password when
 * given, the package's default credentials with --server-default, else the
 * client's (the same user and password, or the same key), which is what a
 * test package such as KsspiTest expects.  Passwords given on the command line are visible to other users
 * of the machine: this is a test tool.
 *
 * Exit status: 0 success, 1 an SSPI call failed or gave an unexpected
 * result, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ksspi/security.h>

#define MAX_LEGS	20
#define DEFAULT_TOKEN	(64 * 1024)	/* when a package reports no size */
#define NEVER		INT64_MAX	/* "never expires" as a TimeStamp */
#define NAME_MAX_LEN	64
#define DEFAULT_SIGNATURE 256		/* when SECPKG_ATTR_SIZES is missing */

struct opts {
	const char *package;
	const char *user, *domain, *password;
	const char *server_user, *server_domain, *server_password;
	const char *target;
	const char *message;
	long key;
	ULONG req;
	bool req_given;
	bool alloc;
	bool server_default;
};

/* What every package honours or can refuse cleanly (0x1080E) */
#define DEFAULT_REQ	(ISC_REQ_MUTUAL_AUTH | ISC_REQ_REPLAY_DETECT | \
			 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONNECTION | \
			 ISC_REQ_INTEGRITY)

static const char *status_str(SECURITY_STATUS st)
{
	static _Thread_local char buf[32];
	const char *name = ksspi_status_name(st);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, (uint32_t)st);
	return buf;
}

static int fail(const char *what, SECURITY_STATUS st)
{
	fprintf(stderr, "ksspi: %s: %s (0x%08" PRIx32 ")\n", what,
		status_str(st), (uint32_t)st);
	return 1;
}

static void usage(FILE *f)
{
	fputs("usage: ksspi packages\n"
	      "       ksspi package NAME\n"
	      "       ksspi handshake --package P (--user U --password W "
	      "[--domain D] | --key SERIAL)\n"
	      "                       [--server-user U2 --server-password W2 "
	      "[--server-domain D2] |\n"
	      "                        --server-default]\n"
	      "                       [--target T] [--req 0xFLAGS] [--alloc]\n"
	      "       ksspi sign (handshake options) [--message TEXT]\n"
	      "       ksspi seal (handshake options) [--message TEXT]\n"
	      "       ksspi bench-ioctl N [--package P]\n"
	      "--key names a user or logon key whose payload is "
	      "user\\0domain\\0password.\n"
	      "The device is $KSSPI_DEVICE, else /dev/ksspi.\n", f);
}

/* ---- flag names ------------------------------------------------------- */

struct flag_name {
	ULONG flag;
	const char *name;
};

static const struct flag_name isc_ret[] = {
	{ ISC_RET_DELEGATE, "DELEGATE" },
	{ ISC_RET_MUTUAL_AUTH, "MUTUAL_AUTH" },
	{ ISC_RET_REPLAY_DETECT, "REPLAY_DETECT" },
	{ ISC_RET_SEQUENCE_DETECT, "SEQUENCE_DETECT" },
	{ ISC_RET_CONFIDENTIALITY, "CONFIDENTIALITY" },
	{ ISC_RET_USE_SESSION_KEY, "USE_SESSION_KEY" },
	{ ISC_RET_USED_COLLECTED_CREDS, "USED_COLLECTED_CREDS" },
	{ ISC_RET_USED_SUPPLIED_CREDS, "USED_SUPPLIED_CREDS" },
	{ ISC_RET_ALLOCATED_MEMORY, "ALLOCATED_MEMORY" },
	{ ISC_RET_USED_DCE_STYLE, "USED_DCE_STYLE" },
	{ ISC_RET_DATAGRAM, "DATAGRAM" },
	{ ISC_RET_CONNECTION, "CONNECTION" },
	{ ISC_RET_INTERMEDIATE_RETURN, "INTERMEDIATE_RETURN" },
	{ ISC_RET_CALL_LEVEL, "CALL_LEVEL" },
	{ ISC_RET_EXTENDED_ERROR, "EXTENDED_ERROR" },
	{ ISC_RET_STREAM, "STREAM" },
	{ ISC_RET_INTEGRITY, "INTEGRITY" },
	{ ISC_RET_IDENTIFY, "IDENTIFY" },
	{ ISC_RET_NULL_SESSION, "NULL_SESSION" },
	{ ISC_RET_MANUAL_CRED_VALIDATION, "MANUAL_CRED_VALIDATION" },
	{ ISC_RET_FRAGMENT_ONLY, "FRAGMENT_ONLY" },
	{ ISC_RET_FORWARD_CREDENTIALS, "FORWARD_CREDENTIALS" },
	{ ISC_RET_USED_HTTP_STYLE, "USED_HTTP_STYLE" },
	{ ISC_RET_NO_ADDITIONAL_TOKEN, "NO_ADDITIONAL_TOKEN" },
	{ ISC_RET_REAUTHENTICATION, "REAUTHENTICATION" },
	{ ISC_RET_CONFIDENTIALITY_ONLY, "CONFIDENTIALITY_ONLY" },
};

static const struct flag_name asc_ret[] = {
	{ ASC_RET_DELEGATE, "DELEGATE" },
	{ ASC_RET_MUTUAL_AUTH, "MUTUAL_AUTH" },
	{ ASC_RET_REPLAY_DETECT, "REPLAY_DETECT" },
	{ ASC_RET_SEQUENCE_DETECT, "SEQUENCE_DETECT" },
	{ ASC_RET_CONFIDENTIALITY, "CONFIDENTIALITY" },
	{ ASC_RET_USE_SESSION_KEY, "USE_SESSION_KEY" },
	{ ASC_RET_SESSION_TICKET, "SESSION_TICKET" },
	{ ASC_RET_ALLOCATED_MEMORY, "ALLOCATED_MEMORY" },
	{ ASC_RET_USED_DCE_STYLE, "USED_DCE_STYLE" },
	{ ASC_RET_DATAGRAM, "DATAGRAM" },
	{ ASC_RET_CONNECTION, "CONNECTION" },
	{ ASC_RET_CALL_LEVEL, "CALL_LEVEL" },
	{ ASC_RET_THIRD_LEG_FAILED, "THIRD_LEG_FAILED" },
	{ ASC_RET_EXTENDED_ERROR, "EXTENDED_ERROR" },
	{ ASC_RET_STREAM, "STREAM" },
	{ ASC_RET_INTEGRITY, "INTEGRITY" },
	{ ASC_RET_LICENSING, "LICENSING" },
	{ ASC_RET_IDENTIFY, "IDENTIFY" },
	{ ASC_RET_NULL_SESSION, "NULL_SESSION" },
	{ ASC_RET_ALLOW_NON_USER_LOGONS, "ALLOW_NON_USER_LOGONS" },
	{ ASC_RET_ALLOW_CONTEXT_REPLAY, "ALLOW_CONTEXT_REPLAY" },
	{ ASC_RET_FRAGMENT_ONLY, "FRAGMENT_ONLY" },
	{ ASC_RET_NO_TOKEN, "NO_TOKEN" },
	{ ASC_RET_NO_ADDITIONAL_TOKEN, "NO_ADDITIONAL_TOKEN" },
};

static void print_flags(ULONG flags, const struct flag_name *names, size_t n)
{
	const char *sep = "";
	ULONG left = flags;
	size_t i;

	printf("0x%08" PRIx32 " (", flags);
	for (i = 0; i < n; i++) {
		if (flags & names[i].flag) {
			printf("%s%s", sep, names[i].name);
			sep = "|";
			left &= ~names[i].flag;
		}
	}
	if (left)
		printf("%s0x%" PRIx32, sep, left);
	printf(")\n");
}

/* ---- packages --------------------------------------------------------- */

static void print_package(const SecPkgInfoA *p)
{
	printf("%-16s max_token %-7" PRIu32 " caps 0x%08" PRIx32
	       " version %u rpcid 0x%04x  %s\n", p->Name, p->cbMaxToken,
	       p->fCapabilities, p->wVersion, p->wRPCID, p->Comment);
}

static int cmd_packages(void)
{
	SecPkgInfoA *pkgs;
	SECURITY_STATUS st;
	ULONG n, i;

	st = EnumerateSecurityPackagesA(&n, &pkgs);
	if (st != SEC_E_OK)
		return fail("EnumerateSecurityPackages", st);
	for (i = 0; i < n; i++)
		print_package(&pkgs[i]);
	if (!n)
		printf("(no packages)\n");
	FreeContextBuffer(pkgs);
	return 0;
}

static int cmd_package(const char *name)
{
	SecPkgInfoA *p;
	SECURITY_STATUS st;

	st = QuerySecurityPackageInfoA(name, &p);
	if (st != SEC_E_OK)
		return fail("QuerySecurityPackageInfo", st);
	printf("Name:         %s\n", p->Name);
	printf("Comment:      %s\n", p->Comment);
	printf("Capabilities: 0x%08" PRIx32 "\n", p->fCapabilities);
	printf("Version:      %u\n", p->wVersion);
	printf("RPC id:       0x%04x\n", p->wRPCID);
	printf("Max token:    %" PRIu32 " bytes\n", p->cbMaxToken);
	FreeContextBuffer(p);
	return 0;
}

/* ---- handshake -------------------------------------------------------- */

struct session {
	CredHandle ccred, scred;
	CtxtHandle cctx, sctx;
	bool have_ccred, have_scred, have_cctx, have_sctx;
	ULONG cattr, sattr;
};

static void session_end(struct session *s)
{
	if (s->have_cctx)
		DeleteSecurityContext(&s->cctx);
	if (s->have_sctx)
		DeleteSecurityContext(&s->sctx);
	if (s->have_ccred)
		FreeCredentialsHandle(&s->ccred);
	if (s->have_scred)
		FreeCredentialsHandle(&s->scred);
}

static SECURITY_STATUS acquire(const char *package, ULONG use,
			       const char *user, const char *domain,
			       const char *password, CredHandle *h)
{
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = (unsigned char *)user,
		.UserLength = user ? (ULONG)strlen(user) : 0,
		.Domain = (unsigned char *)domain,
		.DomainLength = domain ? (ULONG)strlen(domain) : 0,
		.Password = (unsigned char *)password,
		.PasswordLength = password ? (ULONG)strlen(password) : 0,
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};

	return AcquireCredentialsHandleA(NULL, package, use, NULL,
					 user ? &id : NULL, NULL, NULL, h,
					 NULL);
}

/* A token travelling between the two sides */
struct token {
	unsigned char *buf;	/* fixed buffer (without --alloc) */
	ULONG room;
	SecBuffer sb;
};

static void token_prepare(struct token *t, bool alloc)
{
	t->sb.BufferType = SECBUFFER_TOKEN;
	t->sb.cbBuffer = alloc ? 0 : t->room;
	t->sb.pvBuffer = alloc ? NULL : t->buf;
}

static void token_release(struct token *t, bool alloc)
{
	if (alloc && t->sb.pvBuffer)
		FreeContextBuffer(t->sb.pvBuffer);
	t->sb.pvBuffer = NULL;
	t->sb.cbBuffer = 0;
}

/*
 * The token a leg produced.  A failed leg delivers none and leaves the
 * buffer's capacity in cbBuffer; a shorter length there is an error token.
 */
static ULONG token_len(SECURITY_STATUS st, const struct token *t, bool alloc)
{
	if (SEC_SUCCESS(st))
		return t->sb.cbBuffer;
	if (alloc)
		return t->sb.pvBuffer ? t->sb.cbBuffer : 0;
	return t->sb.cbBuffer < t->room ? t->sb.cbBuffer : 0;
}

static bool is_done(SECURITY_STATUS st)
{
	return st == SEC_E_OK || st == SEC_I_COMPLETE_NEEDED;
}

static bool needs_complete(SECURITY_STATUS st)
{
	return st == SEC_I_COMPLETE_NEEDED || st == SEC_I_COMPLETE_AND_CONTINUE;
}

static int handshake(const struct opts *o, struct session *s, bool verbose)
{
	ULONG creq = o->req, sreq = 0, max_token;
	struct token ctok = { 0 }, stok = { 0 };
	SecBuffer cin[2], sin[2];
	SecBufferDesc cod = { SECBUFFER_VERSION, 1, &ctok.sb };
	SecBufferDesc sod = { SECBUFFER_VERSION, 1, &stok.sb };
	SecBufferDesc cid = { SECBUFFER_VERSION, 2, cin };
	SecBufferDesc sid = { SECBUFFER_VERSION, 2, sin };
	SECURITY_STATUS cst = SEC_I_CONTINUE_NEEDED;
	SECURITY_STATUS sst = SEC_I_CONTINUE_NEEDED;
	SecPkgInfoA *pi;
	TimeStamp exp;
	int leg, ret = 1;

	memset(s, 0, sizeof(*s));
	/* ISC_REQ_* and ASC_REQ_* differ above 0x4000: map the common ones */
	sreq = creq & (ISC_REQ_DELEGATE | ISC_REQ_MUTUAL_AUTH |
		       ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |
		       ISC_REQ_CONFIDENTIALITY | ISC_REQ_USE_SESSION_KEY |
		       ISC_REQ_USE_DCE_STYLE | ISC_REQ_DATAGRAM |
		       ISC_REQ_CONNECTION | ISC_REQ_CALL_LEVEL);
	if (creq & ISC_REQ_INTEGRITY)
		sreq |= ASC_REQ_INTEGRITY;
	if (creq & ISC_REQ_EXTENDED_ERROR)
		sreq |= ASC_REQ_EXTENDED_ERROR;
	if (creq & ISC_REQ_STREAM)
		sreq |= ASC_REQ_STREAM;
	if (o->alloc) {
		creq |= ISC_REQ_ALLOCATE_MEMORY;
		sreq |= ASC_REQ_ALLOCATE_MEMORY;
	}

	cst = QuerySecurityPackageInfoA(o->package, &pi);
	if (cst != SEC_E_OK)
		return fail("QuerySecurityPackageInfo", cst);
	max_token = pi->cbMaxToken ? pi->cbMaxToken : DEFAULT_TOKEN;
	if (verbose)
		printf("package %s, max_token %" PRIu32 "%s\n", pi->Name,
		       max_token, o->alloc ? ", ALLOCATE_MEMORY" : "");
	FreeContextBuffer(pi);
	ctok.room = stok.room = max_token;
	ctok.buf = malloc(max_token);
	stok.buf = malloc(max_token);
	if (!ctok.buf || !stok.buf) {
		fprintf(stderr, "ksspi: out of memory\n");
		goto out;
	}

	if (o->key)
		cst = AcquireCredentialsHandleKeyA(o->package,
						   SECPKG_CRED_OUTBOUND,
						   (key_serial_t)o->key,
						   &s->ccred, &exp);
	else
		cst = acquire(o->package, SECPKG_CRED_OUTBOUND, o->user,
			      o->domain, o->password, &s->ccred);
	if (cst != SEC_E_OK) {
		ret = fail("AcquireCredentialsHandle (client)", cst);
		goto out;
	}
	s->have_ccred = true;
	if (o->server_user)
		sst = acquire(o->package, SECPKG_CRED_INBOUND, o->server_user,
			      o->server_domain, o->server_password, &s->scred);
	else if (o->server_default)
		sst = acquire(o->package, SECPKG_CRED_INBOUND, NULL, NULL,
			      NULL, &s->scred);
	else if (o->key)
		sst = AcquireCredentialsHandleKeyA(o->package,
						   SECPKG_CRED_INBOUND,
						   (key_serial_t)o->key,
						   &s->scred, NULL);
	else
		sst = acquire(o->package, SECPKG_CRED_INBOUND, o->user,
			      o->domain, o->password, &s->scred);
	if (sst != SEC_E_OK) {
		ret = fail("AcquireCredentialsHandle (server)", sst);
		goto out;
	}
	s->have_scred = true;
	cst = sst = SEC_I_CONTINUE_NEEDED;

	for (leg = 1; leg <= MAX_LEGS; leg++) {
		/* client leg */
		if (!is_done(cst)) {
			token_prepare(&ctok, o->alloc);
			if (!s->have_cctx) {
				cst = InitializeSecurityContextA(&s->ccred,
					NULL, o->target, creq, 0,
					SECURITY_NATIVE_DREP, NULL, 0,
					&s->cctx, &cod, &s->cattr, NULL);
			} else {
				cin[0] = stok.sb;
				cin[1].BufferType = SECBUFFER_EMPTY;
				cin[1].cbBuffer = 0;
				cin[1].pvBuffer = NULL;
				cst = InitializeSecurityContextA(&s->ccred,
					&s->cctx, o->target, creq, 0,
					SECURITY_NATIVE_DREP, &cid, 0,
					&s->cctx, &cod, &s->cattr, NULL);
			}
			token_release(&stok, o->alloc);
			if (verbose)
				printf("leg %d client InitializeSecurityContext:"
				       " %-28s token %" PRIu32 " bytes\n", leg,
				       status_str(cst),
				       token_len(cst, &ctok, o->alloc));
			if (SEC_SUCCESS(cst))
				s->have_cctx = true;
			if (!SEC_SUCCESS(cst)) {
				ret = fail("InitializeSecurityContext", cst);
				goto out;
			}
			if (needs_complete(cst)) {
				SECURITY_STATUS was = cst;

				cst = CompleteAuthToken(&s->cctx, &cod);
				if (cst != SEC_E_OK) {
					ret = fail("CompleteAuthToken", cst);
					goto out;
				}
				cst = was == SEC_I_COMPLETE_NEEDED ? SEC_E_OK :
					SEC_I_CONTINUE_NEEDED;
			}
		}
		if (is_done(cst) && is_done(sst) && !ctok.sb.cbBuffer)
			break;
		if (is_done(sst)) {
			fprintf(stderr, "ksspi: the server finished but the "
				"client did not\n");
			goto out;
		}

		/* server leg */
		sin[0] = ctok.sb;
		sin[1].BufferType = SECBUFFER_EMPTY;
		sin[1].cbBuffer = 0;
		sin[1].pvBuffer = NULL;
		token_prepare(&stok, o->alloc);
		sst = AcceptSecurityContext(&s->scred,
					    s->have_sctx ? &s->sctx : NULL,
					    &sid, sreq, SECURITY_NATIVE_DREP,
					    &s->sctx, &sod, &s->sattr, NULL);
		token_release(&ctok, o->alloc);
		leg++;
		if (verbose)
			printf("leg %d server AcceptSecurityContext:    "
			       " %-28s token %" PRIu32 " bytes\n", leg,
			       status_str(sst),
			       token_len(sst, &stok, o->alloc));
		if (!SEC_SUCCESS(sst)) {
			ret = fail("AcceptSecurityContext", sst);
			goto out;
		}
		s->have_sctx = true;
		if (needs_complete(sst)) {
			SECURITY_STATUS was = sst;

			sst = CompleteAuthToken(&s->sctx, &sod);
			if (sst != SEC_E_OK) {
				ret = fail("CompleteAuthToken", sst);
				goto out;
			}
			sst = was == SEC_I_COMPLETE_NEEDED ? SEC_E_OK :
				SEC_I_CONTINUE_NEEDED;
		}
		if (is_done(cst) && is_done(sst)) {
			if (stok.sb.cbBuffer) {
				fprintf(stderr, "ksspi: the server sent a "
					"token after the client finished\n");
				goto out;
			}
			break;
		}
		if (is_done(cst)) {
			fprintf(stderr, "ksspi: the client finished before "
				"the server\n");
			goto out;
		}
	}
	if (!is_done(cst) || !is_done(sst)) {
		fprintf(stderr, "ksspi: no result after %d legs\n", MAX_LEGS);
		goto out;
	}
	ret = 0;
out:
	token_release(&ctok, o->alloc);
	token_release(&stok, o->alloc);
	free(ctok.buf);
	free(stok.buf);
	return ret;
}

static void print_time(const char *label, const TimeStamp *ts)
{
	int64_t v = ksspi_timestamp_to_int64(ts);

	if (v == NEVER) {
		printf("%s never\n", label);
	} else {
		/* 100 ns units since 1601 */
		time_t t = (time_t)(v / 10000000 - 11644473600ll);
		char buf[64];
		struct tm tm;

		if (gmtime_r(&t, &tm) &&
		    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
			printf("%s %s (local)\n", label, buf);
		else
			printf("%s %" PRId64 "\n", label, v);
	}
}

static void print_attributes(const struct session *s)
{
	printf("client attributes: ");
	print_flags(s->cattr, isc_ret, sizeof(isc_ret) / sizeof(isc_ret[0]));
	printf("server attributes: ");
	print_flags(s->sattr, asc_ret, sizeof(asc_ret) / sizeof(asc_ret[0]));
}

static void print_result(struct session *s)
{
	SecPkgContext_NamesA names;
	SecPkgContext_Sizes sizes;
	SecPkgContext_Lifespan life;
	SecPkgContext_PackageInfoA pi;
	SECURITY_STATUS st;

	printf("established\n");
	print_attributes(s);

	st = QueryContextAttributesA(&s->sctx, SECPKG_ATTR_PACKAGE_INFO, &pi);
	if (st == SEC_E_OK) {
		printf("package:           %s\n", pi.PackageInfo->Name);
		FreeContextBuffer(pi.PackageInfo);
	} else {
		printf("package:           (%s)\n", status_str(st));
	}
	st = QueryContextAttributesA(&s->sctx, SECPKG_ATTR_NAMES, &names);
	if (st == SEC_E_OK) {
		printf("client name:       %s\n", names.sUserName);
		FreeContextBuffer(names.sUserName);
	} else {
		printf("client name:       (%s)\n", status_str(st));
	}
	st = QueryContextAttributesA(&s->cctx, SECPKG_ATTR_SIZES, &sizes);
	if (st == SEC_E_OK)
		printf("sizes:             max_token %" PRIu32
		       " max_signature %" PRIu32 " block_size %" PRIu32
		       " security_trailer %" PRIu32 "\n", sizes.cbMaxToken,
		       sizes.cbMaxSignature, sizes.cbBlockSize,
		       sizes.cbSecurityTrailer);
	else
		printf("sizes:             (%s)\n", status_str(st));
	st = QueryContextAttributesA(&s->cctx, SECPKG_ATTR_LIFESPAN, &life);
	if (st == SEC_E_OK)
		print_time("expires:          ", &life.tsExpiry);
	else
		printf("expires:           (%s)\n", status_str(st));
}

static int cmd_handshake(const struct opts *o)
{
	struct session s;
	int ret = handshake(o, &s, true);

	if (!ret)
		print_result(&s);
	session_end(&s);
	return ret;
}

/* ---- sign / seal ------------------------------------------------------ */

static SECURITY_STATUS do_sign(CtxtHandle *ctx, unsigned char *msg,
			       ULONG len, unsigned char *sig, ULONG *siglen)
{
	SecBuffer b[2] = {
		{ len, SECBUFFER_DATA, msg },
		{ *siglen, SECBUFFER_TOKEN, sig },
	};
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	SECURITY_STATUS st = MakeSignature(ctx, 0, &d, 0);

	*siglen = b[1].cbBuffer;
	return st;
}

static SECURITY_STATUS do_verify(CtxtHandle *ctx, unsigned char *msg,
				 ULONG len, unsigned char *sig, ULONG siglen)
{
	SecBuffer b[2] = {
		{ len, SECBUFFER_DATA, msg },
		{ siglen, SECBUFFER_TOKEN, sig },
	};
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	ULONG qop = 0;

	return VerifySignature(ctx, &d, 0, &qop);
}

static int cmd_sign(const struct opts *o)
{
	const char *text = o->message ? o->message : "hello from ksspi";
	ULONG len = (ULONG)strlen(text), siglen, max;
	SecPkgContext_Sizes sizes;
	unsigned char *msg = NULL, *sig = NULL;
	SECURITY_STATUS st;
	struct session s;
	int ret;

	ret = handshake(o, &s, true);
	if (ret)
		goto out;
	print_attributes(&s);
	ret = 1;
	st = QueryContextAttributesA(&s.cctx, SECPKG_ATTR_SIZES, &sizes);
	if (st != SEC_E_OK) {
		printf("QueryContextAttributes(SIZES): %s; signature buffer "
		       "of %d bytes\n", status_str(st), DEFAULT_SIGNATURE);
		sizes.cbMaxSignature = 0;
	}
	max = sizes.cbMaxSignature ? sizes.cbMaxSignature : DEFAULT_SIGNATURE;
	msg = malloc(len + 1);
	sig = malloc(max);
	if (!msg || !sig)
		goto out;

	memcpy(msg, text, len);
	siglen = max;
	st = do_sign(&s.cctx, msg, len, sig, &siglen);
	printf("client MakeSignature(\"%s\"): %s, signature %" PRIu32
	       " bytes\n", text, status_str(st), siglen);
	if (st != SEC_E_OK)
		goto out;
	st = do_verify(&s.sctx, msg, len, sig, siglen);
	printf("server VerifySignature:      %s\n", status_str(st));
	if (st != SEC_E_OK)
		goto out;

	/* a second message, altered on the way */
	siglen = max;
	st = do_sign(&s.cctx, msg, len, sig, &siglen);
	printf("client MakeSignature(\"%s\"): %s, signature %" PRIu32
	       " bytes\n", text, status_str(st), siglen);
	if (st != SEC_E_OK)
		goto out;
	msg[0] ^= 0x01;
	st = do_verify(&s.sctx, msg, len, sig, siglen);
	printf("server VerifySignature(tampered copy): %s\n",
	       status_str(st));
	if (st != SEC_E_MESSAGE_ALTERED) {
		fprintf(stderr, "ksspi: expected SEC_E_MESSAGE_ALTERED\n");
		goto out;
	}
	ret = 0;
out:
	free(msg);
	free(sig);
	session_end(&s);
	return ret;
}

/* EncryptMessage on one side, DecryptMessage on the other */
static int seal_one(CtxtHandle *from, CtxtHandle *to, const char *who,
		    const SecPkgContext_Sizes *sizes, const char *text)
{
	ULONG len = (ULONG)strlen(text);
	ULONG trailer = sizes->cbSecurityTrailer ? sizes->cbSecurityTrailer :
						  DEFAULT_SIGNATURE;
	ULONG pad = sizes->cbBlockSize ? sizes->cbBlockSize : 1;
	unsigned char *data = malloc(len + 1), *tok = malloc(trailer),
		      *padding = malloc(pad);
	SecBuffer b[3];
	SecBufferDesc d = { SECBUFFER_VERSION, 3, b };
	SECURITY_STATUS st;
	ULONG qop = 0;
	int ret = 1;

	if (!data || !tok || !padding)
		goto out;
	memcpy(data, text, len);
	b[0] = (SecBuffer){ trailer, SECBUFFER_TOKEN, tok };
	b[1] = (SecBuffer){ len, SECBUFFER_DATA, data };
	b[2] = (SecBuffer){ pad, SECBUFFER_PADDING, padding };
	st = EncryptMessage(from, 0, &d, 0);
	printf("%s EncryptMessage: %s, trailer %" PRIu32 " padding %" PRIu32
	       " data %s\n", who, status_str(st), b[0].cbBuffer,
	       b[2].cbBuffer, memcmp(data, text, len) ? "changed" :
	       "UNCHANGED");
	if (st != SEC_E_OK)
		goto out;
	st = DecryptMessage(to, &d, 0, &qop);
	printf("%s DecryptMessage: %s, plaintext %s\n",
	       strcmp(who, "client") ? "client" : "server", status_str(st),
	       b[1].cbBuffer == len && !memcmp(b[1].pvBuffer, text, len) ?
	       "matches" : "DIFFERS");
	if (st != SEC_E_OK || b[1].cbBuffer != len ||
	    memcmp(b[1].pvBuffer, text, len))
		goto out;
	ret = 0;
out:
	free(data);
	free(tok);
	free(padding);
	return ret;
}

static int cmd_seal(const struct opts *o)
{
	const char *text = o->message ? o->message : "hello from ksspi";
	SecPkgContext_Sizes sizes;
	SECURITY_STATUS st;
	struct session s;
	int ret;

	ret = handshake(o, &s, true);
	if (ret)
		goto out;
	print_attributes(&s);
	st = QueryContextAttributesA(&s.cctx, SECPKG_ATTR_SIZES, &sizes);
	if (st != SEC_E_OK) {
		printf("QueryContextAttributes(SIZES): %s; trailer of %d "
		       "bytes\n", status_str(st), DEFAULT_SIGNATURE);
		memset(&sizes, 0, sizeof(sizes));
	}
	ret = seal_one(&s.cctx, &s.sctx, "client", &sizes, text);
	if (!ret)
		ret = seal_one(&s.sctx, &s.cctx, "server", &sizes, text);
out:
	session_end(&s);
	return ret;
}

/* ---- bench ------------------------------------------------------------ */

static int cmd_bench(const char *count, const char *package)
{
	struct timespec a, b;
	SecPkgInfoA *p, *pkgs;
	SECURITY_STATUS st;
	char name[NAME_MAX_LEN];
	unsigned long long n, i;
	char *end;
	double ns;
	ULONG np;

	errno = 0;
	n = strtoull(count, &end, 0);
	if (errno || *end || !n || count[0] == '-') {
		fprintf(stderr, "ksspi: bad count '%s'\n", count);
		return 2;
	}
	if (!package) {
		st = EnumerateSecurityPackagesA(&np, &pkgs);
		if (st != SEC_E_OK)
			return fail("EnumerateSecurityPackages", st);
		if (!np) {
			FreeContextBuffer(pkgs);
			fprintf(stderr, "ksspi: no packages\n");
			return 1;
		}
		snprintf(name, sizeof(name), "%s", pkgs[0].Name);
		FreeContextBuffer(pkgs);
		package = name;
	}
	/* opens the device and checks that the call works */
	st = QuerySecurityPackageInfoA(package, &p);
	if (st != SEC_E_OK)
		return fail("QuerySecurityPackageInfo", st);
	FreeContextBuffer(p);

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		st = QuerySecurityPackageInfoA(package, &p);
		if (st != SEC_E_OK)
			return fail("QuerySecurityPackageInfo", st);
		FreeContextBuffer(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 +
	     (double)(b.tv_nsec - a.tv_nsec);
	printf("%llu QuerySecurityPackageInfo(\"%s\") round trips: "
	       "%.0f ns/op\n", n, package, ns / (double)n);
	return 0;
}

/* ---- main ------------------------------------------------------------- */

enum {
	OPT_PACKAGE = 256, OPT_USER, OPT_DOMAIN, OPT_PASSWORD, OPT_KEY,
	OPT_SUSER, OPT_SDOMAIN, OPT_SPASSWORD, OPT_TARGET, OPT_REQ,
	OPT_ALLOC, OPT_MESSAGE, OPT_SDEFAULT, OPT_HELP,
};

static const struct option options[] = {
	{ "package", required_argument, NULL, OPT_PACKAGE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "server-user", required_argument, NULL, OPT_SUSER },
	{ "server-domain", required_argument, NULL, OPT_SDOMAIN },
	{ "server-password", required_argument, NULL, OPT_SPASSWORD },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "req", required_argument, NULL, OPT_REQ },
	{ "alloc", no_argument, NULL, OPT_ALLOC },
	{ "message", required_argument, NULL, OPT_MESSAGE },
	{ "server-default", no_argument, NULL, OPT_SDEFAULT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || *end || !*s || s[0] == '-' || *v > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .req = DEFAULT_REQ };
	const char *cmd;
	unsigned long v;
	int c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_PACKAGE:
			o.package = optarg;
			break;
		case OPT_USER:
			o.user = optarg;
			break;
		case OPT_DOMAIN:
			o.domain = optarg;
			break;
		case OPT_PASSWORD:
			o.password = optarg;
			break;
		case OPT_KEY:
			if (parse_ulong(optarg, INT32_MAX, &v) || !v) {
				fprintf(stderr, "ksspi: bad key serial '%s'\n",
					optarg);
				return 2;
			}
			o.key = (long)v;
			break;
		case OPT_SUSER:
			o.server_user = optarg;
			break;
		case OPT_SDOMAIN:
			o.server_domain = optarg;
			break;
		case OPT_SPASSWORD:
			o.server_password = optarg;
			break;
		case OPT_TARGET:
			o.target = optarg;
			break;
		case OPT_REQ:
			if (parse_ulong(optarg, UINT32_MAX, &v)) {
				fprintf(stderr, "ksspi: bad --req '%s'\n",
					optarg);
				return 2;
			}
			o.req = (ULONG)v;
			o.req_given = true;
			break;
		case OPT_ALLOC:
			o.alloc = true;
			break;
		case OPT_MESSAGE:
			o.message = optarg;
			break;
		case OPT_SDEFAULT:
			o.server_default = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	if (!strcmp(cmd, "packages") && optind == argc)
		return cmd_packages();
	if (!strcmp(cmd, "package") && optind == argc - 1)
		return cmd_package(argv[optind]);
	if (!strcmp(cmd, "bench-ioctl") && optind == argc - 1)
		return cmd_bench(argv[optind], o.package);
	if ((!strcmp(cmd, "handshake") || !strcmp(cmd, "sign") ||
	     !strcmp(cmd, "seal")) && optind == argc) {
		if (!o.package || (!o.key && (!o.user || !o.password)) ||
		    (o.key && (o.user || o.password)) ||
		    (!o.server_user != !o.server_password) ||
		    (o.server_user && o.server_default)) {
			fprintf(stderr, "ksspi: %s needs --package, and "
				"--user with --password or --key; "
				"--server-user and --server-password go "
				"together, without --server-default\n", cmd);
			return 2;
		}
		if (!strcmp(cmd, "handshake"))
			return cmd_handshake(&o);
		if (!strcmp(cmd, "sign"))
			return cmd_sign(&o);
		/* sealing needs confidentiality */
		if (!o.req_given)
			o.req |= ISC_REQ_CONFIDENTIALITY;
		return cmd_seal(&o);
	}
	usage(stderr);
	return 2;
}
