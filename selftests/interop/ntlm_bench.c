// SPDX-License-Identifier: GPL-2.0
/*
 * ntlm_bench: NTLM through ksspi against gss-ntlmssp, in one process each,
 * as "| metric | ksspi | gss-ntlmssp | ratio | unit |" rows (ratio =
 * ksspi / gss-ntlmssp: above 1, ksspi is faster).
 *
 *   handshakes   full NTLM handshakes per second, client and server in one
 *                thread: ksspi through libksspi and /dev/ksspi (four legs,
 *                each a round trip to ksspid), gss-ntlmssp through MIT
 *                GSSAPI (libgssapi_krb5 loads it from
 *                /etc/gss/mech.d/mech.ntlmssp.conf)
 *   seal+unseal  EncryptMessage + DecryptMessage against gss_wrap +
 *                gss_unwrap (confidentiality), client to server, at 64 B,
 *                1 KiB, 16 KiB and 64 KiB, in MB/s of payload
 *
 * Needs ksspi.ko and a ksspid started with an NTLM user database holding
 * TESTDOM\alice with password Passw0rd! (tools/vm/guest-bench sets that
 * up), and NTLM_USER_FILE naming a gss-ntlmssp credentials file with the
 * line "TESTDOM:alice:Passw0rd!".
 *
 * Usage: ntlm_bench [--quick]   (--quick: a tenth of every count)
 * KSSPI_BENCH_NTLM_HANDSHAKES and KSSPI_BENCH_NTLM_MESSAGES set the counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <ksspi/sspi.h>

#define USER		"alice"
#define DOMAIN		"TESTDOM"
#define PASSWORD	"Passw0rd!"
#define TOKEN_MAX	(64 * 1024)
#define SIG_LEN		16
#define MAX_SIZE	(64 * 1024)

static gss_OID_desc ntlm_oid = {
	10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"
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

static void row(const char *metric, double ours, double theirs,
		const char *unit)
{
	printf("| %s | %.1f | %.1f | %.2f | %s |\n", metric, ours, theirs,
	       theirs > 0 ? ours / theirs : 0.0, unit);
	fflush(stdout);
}

static void die_sspi(const char *what, SECURITY_STATUS st)
{
	const char *name = ksspi_status_name(st);

	fprintf(stderr, "ntlm_bench: %s: %s (0x%08x)\n", what,
		name ? name : "?", (unsigned int)st);
	exit(1);
}

static void die_gss(const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc msg;

	fprintf(stderr, "ntlm_bench: %s: major 0x%08x minor 0x%08x", what,
		major, minor);
	do {
		if (gss_display_status(&min, minor, GSS_C_MECH_CODE, &ntlm_oid,
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
	unsigned char tok[TOKEN_MAX], tok2[TOKEN_MAX];
};

static void sspi_creds(struct sspi_pair *p)
{
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = (unsigned char *)USER, .UserLength = strlen(USER),
		.Domain = (unsigned char *)DOMAIN,
		.DomainLength = strlen(DOMAIN),
		.Password = (unsigned char *)PASSWORD,
		.PasswordLength = strlen(PASSWORD),
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	SECURITY_STATUS st;

	st = AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &p->ccred, NULL);
	if (st != SEC_E_OK)
		die_sspi("AcquireCredentialsHandle (client)", st);
	st = AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_INBOUND,
				       NULL, NULL, NULL, NULL, &p->scred, NULL);
	if (st != SEC_E_OK)
		die_sspi("AcquireCredentialsHandle (server)", st);
}

/* One full handshake; the contexts stay in p->c and p->s. */
static void sspi_handshake(struct sspi_pair *p)
{
	const ULONG ireq = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY |
			   ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |
			   ISC_REQ_CONNECTION;
	const ULONG areq = ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY |
			   ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT |
			   ASC_REQ_CONNECTION;
	SecBuffer ib, ob;
	SecBufferDesc in = { SECBUFFER_VERSION, 1, &ib };
	SecBufferDesc out = { SECBUFFER_VERSION, 1, &ob };
	ULONG attr;
	SECURITY_STATUS st;

	ob = (SecBuffer){ TOKEN_MAX, SECBUFFER_TOKEN, p->tok };
	st = InitializeSecurityContextA(&p->ccred, NULL, "HOST/srv.test.local",
					ireq, 0, SECURITY_NATIVE_DREP, NULL,
					0, &p->c, &out, &attr, NULL);
	if (st != SEC_I_CONTINUE_NEEDED)
		die_sspi("InitializeSecurityContext leg 1", st);
	ib = (SecBuffer){ ob.cbBuffer, SECBUFFER_TOKEN, p->tok };
	ob = (SecBuffer){ TOKEN_MAX, SECBUFFER_TOKEN, p->tok2 };
	st = AcceptSecurityContext(&p->scred, NULL, &in, areq,
				   SECURITY_NATIVE_DREP, &p->s, &out, &attr,
				   NULL);
	if (st != SEC_I_CONTINUE_NEEDED)
		die_sspi("AcceptSecurityContext leg 1", st);
	ib = (SecBuffer){ ob.cbBuffer, SECBUFFER_TOKEN, p->tok2 };
	ob = (SecBuffer){ TOKEN_MAX, SECBUFFER_TOKEN, p->tok };
	st = InitializeSecurityContextA(NULL, &p->c, NULL, ireq, 0,
					SECURITY_NATIVE_DREP, &in, 0, &p->c,
					&out, &attr, NULL);
	if (st != SEC_E_OK)
		die_sspi("InitializeSecurityContext leg 2", st);
	ib = (SecBuffer){ ob.cbBuffer, SECBUFFER_TOKEN, p->tok };
	ob = (SecBuffer){ TOKEN_MAX, SECBUFFER_TOKEN, p->tok2 };
	st = AcceptSecurityContext(NULL, &p->s, &in, areq,
				   SECURITY_NATIVE_DREP, &p->s, &out, &attr,
				   NULL);
	if (st != SEC_E_OK)
		die_sspi("AcceptSecurityContext leg 2", st);
}

static void sspi_delete(struct sspi_pair *p)
{
	DeleteSecurityContext(&p->c);
	DeleteSecurityContext(&p->s);
}

static double sspi_handshakes(unsigned long n)
{
	struct sspi_pair *p = calloc(1, sizeof(*p));
	unsigned long i;
	double t;

	if (!p)
		exit(1);
	sspi_creds(p);
	sspi_handshake(p);		/* warm up */
	sspi_delete(p);
	t = now();
	for (i = 0; i < n; i++) {
		sspi_handshake(p);
		sspi_delete(p);
	}
	t = now() - t;
	FreeCredentialsHandle(&p->ccred);
	FreeCredentialsHandle(&p->scred);
	free(p);
	return (double)n / t;
}

/* MB/s of EncryptMessage (client) + DecryptMessage (server) */
static double sspi_seal(struct sspi_pair *p, unsigned char *buf, size_t size,
			unsigned long n)
{
	SecBuffer b[2];
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	SECURITY_STATUS st;
	unsigned long i;
	ULONG qop;
	double t = now();

	for (i = 0; i < n; i++) {
		b[0] = (SecBuffer){ SIG_LEN, SECBUFFER_TOKEN, buf };
		b[1] = (SecBuffer){ (ULONG)size, SECBUFFER_DATA, buf + SIG_LEN };
		st = EncryptMessage(&p->c, 0, &d, 0);
		if (st != SEC_E_OK)
			die_sspi("EncryptMessage", st);
		st = DecryptMessage(&p->s, &d, 0, &qop);
		if (st != SEC_E_OK)
			die_sspi("DecryptMessage", st);
	}
	t = now() - t;
	return (double)size * (double)n / t / 1e6;
}

/* ---- gss-ntlmssp ---------------------------------------------------- */

struct mech_pair {
	gss_cred_id_t icred, acred;
	gss_ctx_id_t i, a;
};

static void mech_creds(struct mech_pair *p)
{
	gss_OID_set_desc mechs = { 1, &ntlm_oid };
	gss_buffer_desc name_buf = { strlen(DOMAIN "\\" USER),
				     (void *)DOMAIN "\\" USER };
	gss_buffer_desc pw = { strlen(PASSWORD), (void *)PASSWORD };
	OM_uint32 major, minor;
	gss_name_t name;

	major = gss_import_name(&minor, &name_buf, GSS_C_NT_USER_NAME, &name);
	if (GSS_ERROR(major))
		die_gss("gss_import_name", major, minor);
	major = gss_acquire_cred_with_password(&minor, name, &pw,
					       GSS_C_INDEFINITE, &mechs,
					       GSS_C_INITIATE, &p->icred, NULL,
					       NULL);
	if (GSS_ERROR(major))
		die_gss("gss_acquire_cred_with_password", major, minor);
	gss_release_name(&minor, &name);
	major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				 &mechs, GSS_C_ACCEPT, &p->acred, NULL, NULL);
	if (GSS_ERROR(major))
		die_gss("gss_acquire_cred (acceptor)", major, minor);
}

static void mech_handshake(struct mech_pair *p, gss_name_t target)
{
	const OM_uint32 flags = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG |
				GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor, amajor = GSS_S_CONTINUE_NEEDED, min2;
	int legs = 0;

	p->i = p->a = GSS_C_NO_CONTEXT;
	for (;;) {
		major = gss_init_sec_context(&minor, p->icred, &p->i, target,
					     &ntlm_oid, flags, 0, NULL, &in,
					     NULL, &out, NULL, NULL);
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
		if (major == GSS_S_COMPLETE || !in.length || ++legs > 4)
			break;
	}
	if (in.value)
		gss_release_buffer(&min2, &in);
	if (major != GSS_S_COMPLETE || amajor != GSS_S_COMPLETE) {
		fprintf(stderr, "ntlm_bench: gss handshake did not complete\n");
		exit(1);
	}
}

static void mech_delete(struct mech_pair *p)
{
	OM_uint32 minor;

	gss_delete_sec_context(&minor, &p->i, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, &p->a, GSS_C_NO_BUFFER);
}

static gss_name_t mech_target(void)
{
	gss_buffer_desc b = { strlen("host@srv.test.local"),
			      (void *)"host@srv.test.local" };
	OM_uint32 major, minor;
	gss_name_t name;

	major = gss_import_name(&minor, &b, GSS_C_NT_HOSTBASED_SERVICE, &name);
	if (GSS_ERROR(major))
		die_gss("gss_import_name (target)", major, minor);
	return name;
}

static double mech_handshakes(unsigned long n)
{
	struct mech_pair p;
	gss_name_t target = mech_target();
	OM_uint32 minor;
	unsigned long i;
	double t;

	mech_creds(&p);
	mech_handshake(&p, target);		/* warm up */
	mech_delete(&p);
	t = now();
	for (i = 0; i < n; i++) {
		mech_handshake(&p, target);
		mech_delete(&p);
	}
	t = now() - t;
	gss_release_cred(&minor, &p.icred);
	gss_release_cred(&minor, &p.acred);
	gss_release_name(&minor, &target);
	return (double)n / t;
}

/* MB/s of gss_wrap (initiator, confidentiality) + gss_unwrap (acceptor) */
static double mech_seal(struct mech_pair *p, unsigned char *buf, size_t size,
		       unsigned long n)
{
	gss_buffer_desc in = { size, buf }, wrapped, out;
	OM_uint32 major, minor;
	unsigned long i;
	int conf;
	double t = now();

	for (i = 0; i < n; i++) {
		major = gss_wrap(&minor, p->i, 1, GSS_C_QOP_DEFAULT, &in, &conf,
				 &wrapped);
		if (GSS_ERROR(major) || !conf)
			die_gss("gss_wrap", major, minor);
		major = gss_unwrap(&minor, p->a, &wrapped, &out, &conf, NULL);
		if (GSS_ERROR(major) || out.length != size)
			die_gss("gss_unwrap", major, minor);
		gss_release_buffer(&minor, &wrapped);
		gss_release_buffer(&minor, &out);
	}
	t = now() - t;
	return (double)size * (double)n / t / 1e6;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1024, 16 * 1024, 64 * 1024 };
	static const char *const names[] = { "64 B", "1 KiB", "16 KiB",
					     "64 KiB" };
	int div = argc > 1 && !strcmp(argv[1], "--quick") ? 10 : 1;
	unsigned long hs = count_env("KSSPI_BENCH_NTLM_HANDSHAKES", 500, div);
	unsigned long msgs = count_env("KSSPI_BENCH_NTLM_MESSAGES", 5000, div);
	struct sspi_pair *sp = calloc(1, sizeof(*sp));
	unsigned char *buf = malloc(SIG_LEN + MAX_SIZE);
	gss_name_t target;
	struct mech_pair gp;
	char metric[64];
	double ours, theirs;
	size_t i;

	if (argc > 1 && div == 1) {
		fprintf(stderr, "usage: ntlm_bench [--quick]\n");
		return 2;
	}
	if (!sp || !buf)
		return 1;
	if (!getenv("NTLM_USER_FILE")) {
		fprintf(stderr, "ntlm_bench: NTLM_USER_FILE is not set\n");
		return 1;
	}
	memset(buf, 0x5a, SIG_LEN + MAX_SIZE);

	printf("| metric | ksspi | gss-ntlmssp | ratio | unit |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	ours = sspi_handshakes(hs);
	theirs = mech_handshakes(hs);
	snprintf(metric, sizeof(metric), "NTLM handshakes (%lu, one thread)",
		 hs);
	row(metric, ours, theirs, "handshakes/s");

	sspi_creds(sp);
	sspi_handshake(sp);
	mech_creds(&gp);
	target = mech_target();
	mech_handshake(&gp, target);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long n = msgs;

		/* a quarter of the count at 16 KiB, a sixteenth at 64 */
		if (sizes[i] >= 16 * 1024)
			n = msgs / (sizes[i] / 1024 / 4);
		if (!n)
			n = 1;
		ours = sspi_seal(sp, buf, sizes[i], n);
		theirs = mech_seal(&gp, buf + SIG_LEN, sizes[i], n);
		snprintf(metric, sizeof(metric),
			 "seal+unseal %s (x%lu)", names[i], n);
		row(metric, ours, theirs, "MB/s");
	}
	sspi_delete(sp);
	FreeCredentialsHandle(&sp->ccred);
	FreeCredentialsHandle(&sp->scred);
	mech_delete(&gp);
	{
		OM_uint32 minor;

		gss_release_cred(&minor, &gp.icred);
		gss_release_cred(&minor, &gp.acred);
		gss_release_name(&minor, &target);
	}
	free(sp);
	free(buf);
	return 0;
}
