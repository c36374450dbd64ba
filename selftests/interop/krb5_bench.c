// SPDX-License-Identifier: GPL-2.0
/*
 * krb5_bench: Kerberos and Negotiate through ksspi against MIT GSSAPI, in
 * one process each, as "| metric | ksspi | MIT | ratio | unit |" rows
 * (ratio = ksspi / MIT: above 1, ksspi is faster), for each of
 * aes256-cts-hmac-sha1-96 (host/srv.test.local) and
 * aes256-cts-hmac-sha384-192 (host/sha2.test.local):
 *
 *   handshakes   mutual-auth handshakes per second, client and server in
 *                one thread (AP-REQ, AP-REP; the service ticket comes from
 *                the credential cache after the warm-up): ksspi through
 *                libksspi and /dev/ksspi on packages "Kerberos" and
 *                "Negotiate" (each leg a round trip to ksspid), MIT through
 *                gss_init_sec_context/gss_accept_sec_context with the krb5
 *                mechanism and with SPNEGO (1.3.6.1.5.5.2)
 *   wrap+unwrap  EncryptMessage + DecryptMessage (TOKEN + DATA) against
 *                gss_wrap (confidentiality) + gss_unwrap, client to server,
 *                at 64 B, 1 KiB, 16 KiB and 64 KiB, in MB/s of payload
 *   mic+verify   MakeSignature + VerifySignature against gss_get_mic +
 *                gss_verify_mic, the same sizes
 *
 * A ksspi row prints "n/a (package not available)" when the module does not
 * register the package, and "failed: STATUS" when a call fails; the MIT
 * column is always measured and a failure there ends the program.
 *
 * Needs the realm of krb5_env.py in the environment (KRB5_CONFIG,
 * KRB5_KTNAME, KRB5RCACHETYPE=none), alice's TGT in KRB5CCNAME, which must
 * be the caller's FILE:/tmp/krb5cc_<uid> (where ksspid finds a caller's
 * cache), and, for the ksspi column, ksspi.ko and ksspid --krb5-keytab
 * with the realm's keytab (tools/vm/guest-bench sets all that up).
 *
 * Usage: krb5_bench [--quick]   (--quick: a tenth of every count)
 * KSSPI_BENCH_KRB5_HANDSHAKES and KSSPI_BENCH_KRB5_MESSAGES set the counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <ksspi/sspi.h>

#define TOKEN_MAX	(64 * 1024)
#define TRAILER_MAX	1024
#define MAX_SIZE	(64 * 1024)
#define MAX_LEGS	6

static gss_OID_desc krb5_oid = {
	9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};
static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

struct target {
	const char *enctype;
	const char *spn;	/* ksspi */
	const char *hbs;	/* MIT, GSS_C_NT_HOSTBASED_SERVICE */
};

static const struct target targets[] = {
	{ "aes256-sha1", "host/srv.test.local", "host@srv.test.local" },
	{ "aes256-sha384", "host/sha2.test.local", "host@sha2.test.local" },
};

struct mech {
	const char *name;	/* the SSPI package */
	gss_OID oid;
};

static const struct mech mechs[] = {
	{ "Kerberos", &krb5_oid },
	{ "Negotiate", &spnego_oid },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long count_env(const char *name, unsigned long def, int div)
{
	const char *v = getenv(name);
	unsigned long n = v && *v ? strtoul(v, NULL, 0) : def / (unsigned)div;

	return n ? n : 1;
}

/* Why the ksspi column of a row has no number: empty when it has one. */
static char sspi_why[128];

static double sspi_fail(const char *what, SECURITY_STATUS st)
{
	const char *name = ksspi_status_name(st);

	if (st == SEC_E_SECPKG_NOT_FOUND)
		snprintf(sspi_why, sizeof(sspi_why),
			 "n/a (package not available)");
	else
		snprintf(sspi_why, sizeof(sspi_why), "failed: %s %s (0x%08x)",
			 what, name ? name : "?", (unsigned int)st);
	return -1.0;
}

static void row(const char *metric, double ours, double theirs,
		const char *unit)
{
	if (ours < 0)
		printf("| %s | %s | %.1f | - | %s |\n", metric, sspi_why,
		       theirs, unit);
	else
		printf("| %s | %.1f | %.1f | %.2f | %s |\n", metric, ours,
		       theirs, theirs > 0 ? ours / theirs : 0.0, unit);
	fflush(stdout);
	sspi_why[0] = 0;
}

static void die_gss(const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc msg;

	fprintf(stderr, "krb5_bench: %s: major 0x%08x minor 0x%08x", what,
		major, minor);
	do {
		if (gss_display_status(&min, minor, GSS_C_MECH_CODE, &krb5_oid,
				       &ctx, &msg) != GSS_S_COMPLETE)
			break;
		fprintf(stderr, " (%.*s)", (int)msg.length,
			(const char *)msg.value);
		gss_release_buffer(&min, &msg);
	} while (ctx);
	fputc('\n', stderr);
	exit(1);
}

/* ---- ksspi ---------------------------------------------------------- */

struct sspi_pair {
	CredHandle ccred, scred;
	CtxtHandle c, s;
	int have_c, have_s;
	unsigned char tok[TOKEN_MAX], tok2[TOKEN_MAX];
};

/* Client from the caller's credential cache, server from ksspid's keytab */
static SECURITY_STATUS sspi_creds(struct sspi_pair *p, const char *package)
{
	SECURITY_STATUS st;

	st = AcquireCredentialsHandleA(NULL, (char *)package,
				       SECPKG_CRED_OUTBOUND, NULL, NULL, NULL,
				       NULL, &p->ccred, NULL);
	if (st != SEC_E_OK) {
		sspi_fail("AcquireCredentialsHandle (client)", st);
		return st;
	}
	st = AcquireCredentialsHandleA(NULL, (char *)package,
				       SECPKG_CRED_INBOUND, NULL, NULL, NULL,
				       NULL, &p->scred, NULL);
	if (st != SEC_E_OK) {
		FreeCredentialsHandle(&p->ccred);
		sspi_fail("AcquireCredentialsHandle (server)", st);
	}
	return st;
}

static void sspi_free_creds(struct sspi_pair *p)
{
	FreeCredentialsHandle(&p->ccred);
	FreeCredentialsHandle(&p->scred);
}

static void sspi_delete(struct sspi_pair *p)
{
	if (p->have_c)
		DeleteSecurityContext(&p->c);
	if (p->have_s)
		DeleteSecurityContext(&p->s);
	p->have_c = p->have_s = 0;
}

/* One mutual-auth handshake; the contexts stay in p->c and p->s. */
static SECURITY_STATUS sspi_handshake(struct sspi_pair *p, const char *spn)
{
	const ULONG ireq = ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY |
			   ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT |
			   ISC_REQ_SEQUENCE_DETECT;
	const ULONG areq = ASC_REQ_MUTUAL_AUTH | ASC_REQ_CONFIDENTIALITY |
			   ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT |
			   ASC_REQ_SEQUENCE_DETECT;
	SecBuffer ib, ob;
	SecBufferDesc in = { SECBUFFER_VERSION, 1, &ib };
	SecBufferDesc out = { SECBUFFER_VERSION, 1, &ob };
	SECURITY_STATUS cst = SEC_I_CONTINUE_NEEDED;
	SECURITY_STATUS sst = SEC_I_CONTINUE_NEEDED;
	ULONG attr, len = 0;
	int legs;

	for (legs = 0; legs < MAX_LEGS; legs++) {
		ib = (SecBuffer){ len, SECBUFFER_TOKEN, p->tok2 };
		ob = (SecBuffer){ TOKEN_MAX, SECBUFFER_TOKEN, p->tok };
		cst = InitializeSecurityContextA(p->have_c ? NULL : &p->ccred,
						 p->have_c ? &p->c : NULL,
						 (char *)spn, ireq, 0,
						 SECURITY_NATIVE_DREP,
						 p->have_c ? &in : NULL, 0,
						 &p->c, &out, &attr, NULL);
		if (cst != SEC_E_OK && cst != SEC_I_CONTINUE_NEEDED) {
			sspi_fail("InitializeSecurityContext", cst);
			return cst;
		}
		p->have_c = 1;
		if (!ob.cbBuffer)
			break;
		ib = (SecBuffer){ ob.cbBuffer, SECBUFFER_TOKEN, p->tok };
		ob = (SecBuffer){ TOKEN_MAX, SECBUFFER_TOKEN, p->tok2 };
		sst = AcceptSecurityContext(p->have_s ? NULL : &p->scred,
					    p->have_s ? &p->s : NULL, &in,
					    areq, SECURITY_NATIVE_DREP, &p->s,
					    &out, &attr, NULL);
		if (sst != SEC_E_OK && sst != SEC_I_CONTINUE_NEEDED) {
			sspi_fail("AcceptSecurityContext", sst);
			return sst;
		}
		p->have_s = 1;
		len = ob.cbBuffer;
		if (cst == SEC_E_OK && !len)
			break;
		if (!len && sst == SEC_E_OK)
			break;
	}
	if (cst != SEC_E_OK || sst != SEC_E_OK) {
		snprintf(sspi_why, sizeof(sspi_why),
			 "failed: handshake did not complete");
		return SEC_E_INTERNAL_ERROR;
	}
	return SEC_E_OK;
}

static double sspi_handshakes(const char *package, const char *spn,
			      unsigned long n)
{
	struct sspi_pair *p = calloc(1, sizeof(*p));
	unsigned long i;
	double t = -1.0;

	if (!p)
		exit(1);
	if (sspi_creds(p, package) != SEC_E_OK)
		goto out;
	if (sspi_handshake(p, spn) != SEC_E_OK)	/* warm up, ticket cached */
		goto out_creds;
	sspi_delete(p);
	t = now();
	for (i = 0; i < n; i++) {
		if (sspi_handshake(p, spn) != SEC_E_OK) {
			t = -1.0;
			goto out_creds;
		}
		sspi_delete(p);
	}
	t = (double)n / (now() - t);
out_creds:
	sspi_delete(p);
	sspi_free_creds(p);
out:
	free(p);
	return t;
}

/* MB/s of EncryptMessage (client) + DecryptMessage (server), or of
 * MakeSignature + VerifySignature
 */
static double sspi_messages(struct sspi_pair *p, int seal, unsigned char *tok,
			    ULONG tok_len, unsigned char *data, size_t size,
			    unsigned long n)
{
	SecBuffer b[2];
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	SECURITY_STATUS st;
	unsigned long i;
	ULONG qop;
	double t = now();

	for (i = 0; i < n; i++) {
		b[0] = (SecBuffer){ tok_len, SECBUFFER_TOKEN, tok };
		b[1] = (SecBuffer){ (ULONG)size, SECBUFFER_DATA, data };
		st = seal ? EncryptMessage(&p->c, 0, &d, 0) :
			    MakeSignature(&p->c, 0, &d, 0);
		if (st != SEC_E_OK)
			return sspi_fail(seal ? "EncryptMessage" :
					 "MakeSignature", st);
		st = seal ? DecryptMessage(&p->s, &d, 0, &qop) :
			    VerifySignature(&p->s, &d, 0, &qop);
		if (st != SEC_E_OK)
			return sspi_fail(seal ? "DecryptMessage" :
					 "VerifySignature", st);
	}
	t = now() - t;
	return (double)size * (double)n / t / 1e6;
}

/* ---- MIT GSSAPI ----------------------------------------------------- */

struct mech_pair {
	gss_cred_id_t icred, acred;
	gss_ctx_id_t i, a;
};

/* Initiator from KRB5CCNAME, acceptor from KRB5_KTNAME */
static void mech_creds(struct mech_pair *p, gss_OID oid)
{
	gss_OID_set_desc set = { 1, oid };
	OM_uint32 major, minor;

	major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				 &set, GSS_C_INITIATE, &p->icred, NULL, NULL);
	if (GSS_ERROR(major))
		die_gss("gss_acquire_cred (initiator)", major, minor);
	major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				 &set, GSS_C_ACCEPT, &p->acred, NULL, NULL);
	if (GSS_ERROR(major))
		die_gss("gss_acquire_cred (acceptor)", major, minor);
}

static void mech_free_creds(struct mech_pair *p)
{
	OM_uint32 minor;

	gss_release_cred(&minor, &p->icred);
	gss_release_cred(&minor, &p->acred);
}

static void mech_handshake(struct mech_pair *p, gss_OID oid,
			   gss_name_t target)
{
	const OM_uint32 flags = GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG |
				GSS_C_INTEG_FLAG | GSS_C_REPLAY_FLAG |
				GSS_C_SEQUENCE_FLAG;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor, amajor = GSS_S_CONTINUE_NEEDED, min2;
	int legs = 0;

	p->i = p->a = GSS_C_NO_CONTEXT;
	for (;;) {
		major = gss_init_sec_context(&minor, p->icred, &p->i, target,
					     oid, flags, 0, NULL, &in, NULL,
					     &out, NULL, NULL);
		if (in.value)
			gss_release_buffer(&min2, &in);
		if (GSS_ERROR(major))
			die_gss("gss_init_sec_context", major, minor);
		if (!out.length)
			break;
		amajor = gss_accept_sec_context(&minor, &p->a, p->acred, &out,
						NULL, NULL, NULL, &in, NULL,
						NULL, NULL);
		gss_release_buffer(&min2, &out);
		if (GSS_ERROR(amajor))
			die_gss("gss_accept_sec_context", amajor, minor);
		if ((major == GSS_S_COMPLETE && !in.length) ||
		    ++legs > MAX_LEGS)
			break;
	}
	if (in.value)
		gss_release_buffer(&min2, &in);
	if (major != GSS_S_COMPLETE || amajor != GSS_S_COMPLETE) {
		fprintf(stderr, "krb5_bench: gss handshake did not complete\n");
		exit(1);
	}
}

static void mech_delete(struct mech_pair *p)
{
	OM_uint32 minor;

	gss_delete_sec_context(&minor, &p->i, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, &p->a, GSS_C_NO_BUFFER);
}

static gss_name_t mech_target(const char *hbs)
{
	gss_buffer_desc b = { strlen(hbs), (void *)hbs };
	OM_uint32 major, minor;
	gss_name_t name;

	major = gss_import_name(&minor, &b, GSS_C_NT_HOSTBASED_SERVICE, &name);
	if (GSS_ERROR(major))
		die_gss("gss_import_name (target)", major, minor);
	return name;
}

static double mech_handshakes(gss_OID oid, const char *hbs, unsigned long n)
{
	struct mech_pair p;
	gss_name_t target = mech_target(hbs);
	OM_uint32 minor;
	unsigned long i;
	double t;

	mech_creds(&p, oid);
	mech_handshake(&p, oid, target);	/* warm up, ticket cached */
	mech_delete(&p);
	t = now();
	for (i = 0; i < n; i++) {
		mech_handshake(&p, oid, target);
		mech_delete(&p);
	}
	t = now() - t;
	mech_free_creds(&p);
	gss_release_name(&minor, &target);
	return (double)n / t;
}

/* MB/s of gss_wrap (conf) + gss_unwrap, or gss_get_mic + gss_verify_mic */
static double mech_messages(struct mech_pair *p, int seal, unsigned char *buf,
			    size_t size, unsigned long n)
{
	gss_buffer_desc in = { size, buf }, token, out;
	OM_uint32 major, minor;
	unsigned long i;
	int conf;
	double t = now();

	for (i = 0; i < n; i++) {
		if (seal) {
			major = gss_wrap(&minor, p->i, 1, GSS_C_QOP_DEFAULT,
					 &in, &conf, &token);
			if (GSS_ERROR(major) || !conf)
				die_gss("gss_wrap", major, minor);
			major = gss_unwrap(&minor, p->a, &token, &out, &conf,
					   NULL);
			if (GSS_ERROR(major) || out.length != size)
				die_gss("gss_unwrap", major, minor);
			gss_release_buffer(&minor, &out);
		} else {
			major = gss_get_mic(&minor, p->i, GSS_C_QOP_DEFAULT,
					    &in, &token);
			if (GSS_ERROR(major))
				die_gss("gss_get_mic", major, minor);
			major = gss_verify_mic(&minor, p->a, &in, &token,
					       NULL);
			if (GSS_ERROR(major))
				die_gss("gss_verify_mic", major, minor);
		}
		gss_release_buffer(&minor, &token);
	}
	t = now() - t;
	return (double)size * (double)n / t / 1e6;
}

/* ---- the table ------------------------------------------------------- */

static void bench_messages(const struct target *tg, unsigned long msgs,
			   unsigned char *buf)
{
	static const size_t sizes[] = { 64, 1024, 16 * 1024, 64 * 1024 };
	static const char *const names[] = { "64 B", "1 KiB", "16 KiB",
					     "64 KiB" };
	struct sspi_pair *sp = calloc(1, sizeof(*sp));
	unsigned char *tok = malloc(TRAILER_MAX);
	SecPkgContext_Sizes sz = { 0 };
	SECURITY_STATUS st;
	gss_name_t target = mech_target(tg->hbs);
	struct mech_pair gp;
	char metric[96];
	double ours;
	OM_uint32 minor;
	int have_creds, have_sspi, seal;
	size_t i;

	if (!sp || !tok)
		exit(1);
	st = sspi_creds(sp, "Kerberos");
	have_creds = st == SEC_E_OK;
	have_sspi = 0;
	if (have_creds) {
		st = sspi_handshake(sp, tg->spn);
		if (st == SEC_E_OK) {
			st = QueryContextAttributesA(&sp->c, SECPKG_ATTR_SIZES,
						     &sz);
			if (st != SEC_E_OK)
				sspi_fail("QueryContextAttributes SIZES", st);
			else if (sz.cbSecurityTrailer > TRAILER_MAX ||
				 sz.cbMaxSignature > TRAILER_MAX)
				sspi_fail("SIZES too large",
					  SEC_E_INTERNAL_ERROR);
		}
		have_sspi = st == SEC_E_OK && !sspi_why[0];
	}
	/* A failure before the first message holds for every row. */
	{
		char why[sizeof(sspi_why)];

		memcpy(why, sspi_why, sizeof(why));
		mech_creds(&gp, &krb5_oid);
		mech_handshake(&gp, &krb5_oid, target);
		for (seal = 1; seal >= 0; seal--) {
			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				unsigned long n = msgs;

				/* a quarter at 16 KiB, a sixteenth at 64 */
				if (sizes[i] >= 16 * 1024)
					n = msgs / (sizes[i] / 1024 / 4);
				if (!n)
					n = 1;
				if (have_sspi) {
					ours = sspi_messages(sp, seal, tok,
							     seal ? sz.cbSecurityTrailer :
							     sz.cbMaxSignature,
							     buf, sizes[i], n);
				} else {
					memcpy(sspi_why, why, sizeof(why));
					ours = -1.0;
				}
				snprintf(metric, sizeof(metric),
					 "Kerberos %s %s %s (x%lu)", tg->enctype,
					 seal ? "wrap+unwrap" : "mic+verify",
					 names[i], n);
				row(metric, ours,
				    mech_messages(&gp, seal, buf, sizes[i], n),
				    "MB/s");
			}
		}
	}
	sspi_delete(sp);
	if (have_creds)
		sspi_free_creds(sp);
	mech_delete(&gp);
	mech_free_creds(&gp);
	gss_release_name(&minor, &target);
	free(tok);
	free(sp);
}

int main(int argc, char **argv)
{
	int div = argc > 1 && !strcmp(argv[1], "--quick") ? 10 : 1;
	unsigned long hs = count_env("KSSPI_BENCH_KRB5_HANDSHAKES", 200, div);
	unsigned long msgs = count_env("KSSPI_BENCH_KRB5_MESSAGES", 2000, div);
	unsigned char *buf = malloc(MAX_SIZE);
	char metric[96];
	double ours, theirs;
	size_t t, m;

	if (argc > 1 && div == 1) {
		fprintf(stderr, "usage: krb5_bench [--quick]\n");
		return 2;
	}
	if (!buf)
		return 1;
	if (!getenv("KRB5CCNAME") || !getenv("KRB5_KTNAME")) {
		fprintf(stderr,
			"krb5_bench: KRB5CCNAME and KRB5_KTNAME must name the realm's cache and keytab\n");
		return 1;
	}
	memset(buf, 0x5a, MAX_SIZE);

	printf("| metric | ksspi | MIT | ratio | unit |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		for (m = 0; m < sizeof(mechs) / sizeof(mechs[0]); m++) {
			ours = sspi_handshakes(mechs[m].name, targets[t].spn,
					       hs);
			theirs = mech_handshakes(mechs[m].oid, targets[t].hbs,
						 hs);
			snprintf(metric, sizeof(metric),
				 "%s handshakes %s (%lu, mutual, one thread)",
				 mechs[m].name, targets[t].enctype, hs);
			row(metric, ours, theirs, "handshakes/s");
		}
	}
	for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		bench_messages(&targets[t], msgs, buf);
	free(buf);
	return 0;
}
