// SPDX-License-Identifier: GPL-2.0
/*
 * credssp_bench: CredSSP through ksspi, its figures beside their peers'
 * in the same run, as two tables on stdout.
 *
 *   handshakes   full CredSSP handshakes (TLS, then NTLM inside) per
 *                second with ksspi at both ends, against handshakes that
 *                resume the TLS session from the session cache: client
 *                (InitializeSecurityContext) and server
 *                (AcceptSecurityContext) in one thread, the tokens handed
 *                over in process memory, no socket.  Full handshakes use
 *                a new target name each, resumed ones the same target,
 *                process, logon session and credential handle; every
 *                handshake's KSSPI_ATTR_CREDSSP_INFO must say resumed (or
 *                not) on both sides, or the bench fails.
 *   seal+unseal  EncryptMessage (client) + DecryptMessage (server) of TLS
 *                records, Schannel's stream layout, against
 *                gnutls_record_send + gnutls_record_recv between two
 *                GnuTLS sessions over memory buffers, with the TLS version
 *                and cipher the ksspi contexts negotiated
 *                (KSSPI_ATTR_CREDSSP_INFO), at 1 KiB, 16 KiB and 64 KiB,
 *                in MB/s of payload.  A message longer than
 *                cbMaximumMessage (16 KiB) goes as several records on
 *                both sides: one EncryptMessage, or one
 *                gnutls_record_send, per 16 KiB.  Every message is checked
 *                after decryption.
 *   bulk         a loopback TCP transfer from the client to the server,
 *                plain send()/recv() on sockets KsspiInstallKtls gave the
 *                established contexts' TLS sessions (kTLS, both
 *                directions), against gnutls_record_send/recv over a
 *                loopback socket pair after a GnuTLS handshake with the
 *                same version and cipher; sender and receiver in two
 *                threads, MB/s from the first send to the receiver's last
 *                byte.  The data are checked, and the byte count at the
 *                end of the stream.
 *
 * Each figure is measured in two halves alternating with its peer's
 * (ABAB), so that a change in the machine's load weighs on both.
 *
 * Needs ksspi.ko and a ksspid started with an NTLM user database holding
 * TESTDOM\alice with password Passw0rd! and with --credssp-cert and
 * --credssp-key (tools/vm/guest-bench sets that up); CREDSSP_CERT and
 * CREDSSP_KEY name the same PEM files, which the GnuTLS server uses.
 *
 * Usage: credssp_bench [--quick]   (--quick: a tenth of every count)
 * KSSPI_BENCH_CREDSSP_HANDSHAKES (50 of each kind),
 * KSSPI_BENCH_CREDSSP_MESSAGES (4000 at 1 KiB, a quarter at 16 KiB, a
 * sixteenth at 64 KiB) and KSSPI_BENCH_CREDSSP_BULK_MIB (64) set the
 * counts.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/tls.h>

#include <gnutls/gnutls.h>
#include <gnutls/socket.h>
#include <ksspi/credssp.h>
#include <ksspi/ktls.h>
#include <ksspi/sspi.h>

#define USER		"alice"
#define DOMAIN		"TESTDOM"
#define PASSWORD	"Passw0rd!"
#define RESUME_TARGET	"TERMSRV/resume.bench.test"
#define TOKEN_MAX	(64 * 1024)
#define MAX_SIZE	(64 * 1024)
#define PATTERN_LEN	(1024 * 1024)
#define BULK_CHUNK	(64 * 1024)

#define ISC_REQ	(ISC_REQ_MANUAL_CRED_VALIDATION | ISC_REQ_CONFIDENTIALITY | \
		 ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | \
		 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_STREAM | \
		 ISC_REQ_EXTENDED_ERROR)
#define ASC_REQ	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY | \
		 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT | \
		 ASC_REQ_STREAM | ASC_REQ_EXTENDED_ERROR)

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

static void row(const char *metric, double a, double b, const char *unit)
{
	printf("| %s | %.1f | %.1f | %.2f | %s |\n", metric, a, b,
	       b > 0 ? a / b : 0.0, unit);
	fflush(stdout);
}

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "credssp_bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void die_sspi(const char *what, SECURITY_STATUS st)
{
	const char *name = ksspi_status_name(st);

	fprintf(stderr, "credssp_bench: %s: %s (0x%08x)\n", what,
		name ? name : "?", (unsigned int)st);
	exit(1);
}

static void die_gnutls(const char *what, int rc)
{
	fprintf(stderr, "credssp_bench: %s: %s\n", what, gnutls_strerror(rc));
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("out of memory");
	return p;
}

/* The bytes every transfer carries: PATTERN_LEN random bytes, repeated. */
static unsigned char *pattern;

static void pattern_init(void)
{
	size_t i;

	pattern = xmalloc(PATTERN_LEN);
	srand(7);
	for (i = 0; i < PATTERN_LEN; i++)
		pattern[i] = (unsigned char)rand();
}

/* Whether @buf holds the stream's bytes from offset @off on */
static bool pattern_matches(unsigned long long off, const unsigned char *buf,
			    size_t len)
{
	while (len) {
		size_t at = (size_t)(off % PATTERN_LEN);
		size_t n = PATTERN_LEN - at < len ? PATTERN_LEN - at : len;

		if (memcmp(buf, pattern + at, n))
			return false;
		buf += n;
		off += n;
		len -= n;
	}
	return true;
}

static void tcp_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &alen))
		die("loopback listener: %s", strerror(errno));
	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client < 0 ||
	    connect(*client, (struct sockaddr *)&a, sizeof(a)))
		die("connect: %s", strerror(errno));
	*server = accept(l, NULL, NULL);
	if (*server < 0)
		die("accept: %s", strerror(errno));
	close(l);
}

/* ---- ksspi: handshakes over memory --------------------------------- */

struct flight {
	unsigned char buf[TOKEN_MAX];
	size_t len;
};

struct cssp_side {
	bool server, started;
	CredHandle *cred;
	CtxtHandle ctx;
	const char *target;
};

/*
 * One side's legs on the peer's whole flight @in (none for the client's
 * first), as a stream reader calls them: again at once while
 * SEC_I_CONTINUE_NEEDED comes with SECBUFFER_EXTRA.  The output tokens go
 * to @out; returns the last status.  Whole flights never end inside a
 * record, so SEC_E_INCOMPLETE_MESSAGE is a failure here.
 */
static SECURITY_STATUS cssp_legs(struct cssp_side *side, struct flight *in,
				 struct flight *out)
{
	SecBuffer ib[2], ob;
	SecBufferDesc ind = { SECBUFFER_VERSION, 2, ib };
	SecBufferDesc outd = { SECBUFFER_VERSION, 1, &ob };
	size_t off = 0;
	SECURITY_STATUS st;
	ULONG attr;

	out->len = 0;
	for (;;) {
		ib[0] = (SecBuffer){ (ULONG)(in ? in->len - off : 0),
				     SECBUFFER_TOKEN,
				     in ? in->buf + off : NULL };
		ib[1] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
		ob = (SecBuffer){ (ULONG)(TOKEN_MAX - out->len),
				  SECBUFFER_TOKEN, out->buf + out->len };
		if (side->server)
			st = AcceptSecurityContext(
				side->started ? NULL : side->cred,
				side->started ? &side->ctx : NULL, &ind,
				ASC_REQ, SECURITY_NATIVE_DREP, &side->ctx,
				&outd, &attr, NULL);
		else
			st = InitializeSecurityContextA(
				side->started ? NULL : side->cred,
				side->started ? &side->ctx : NULL,
				side->target, ISC_REQ, 0,
				SECURITY_NATIVE_DREP, in ? &ind : NULL, 0,
				&side->ctx, &outd, &attr, NULL);
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
			die_sspi(side->server ? "AcceptSecurityContext" :
				 "InitializeSecurityContext", st);
		side->started = true;
		out->len += ob.cbBuffer;
		if (!in || ib[1].BufferType != SECBUFFER_EXTRA ||
		    !ib[1].cbBuffer)
			return st;
		if (st == SEC_E_OK)
			die("%s: SEC_E_OK with bytes left over",
			    side->server ? "server" : "client");
		off = in->len - ib[1].cbBuffer;
	}
}

struct cssp_flights {
	struct flight to_server, to_client;
};

/*
 * One CredSSP handshake, the sides taking turns on each other's whole
 * flights; both contexts established in @c and @s.
 */
static void cssp_handshake(struct cssp_flights *f, struct cssp_side *c,
			   struct cssp_side *s)
{
	SECURITY_STATUS st_c, st_s;
	int turns = 0;

	c->started = s->started = false;
	st_c = cssp_legs(c, NULL, &f->to_server);
	for (;;) {
		if (!f->to_server.len)
			die("the client has nothing to send and the server waits");
		st_s = cssp_legs(s, &f->to_server, &f->to_client);
		if (st_s == SEC_E_OK) {
			if (st_c != SEC_E_OK || f->to_client.len)
				die("the server finished before the client");
			return;
		}
		if (st_c == SEC_E_OK)
			die("the server wants more after the client finished");
		if (++turns > 8)
			die("more than 8 turns");
		st_c = cssp_legs(c, &f->to_client, &f->to_server);
	}
}

static bool cssp_resumed(CtxtHandle *ctx, KsspiCredSspInfo *info)
{
	KsspiCredSspInfo tmp;
	SECURITY_STATUS st;

	if (!info)
		info = &tmp;
	st = QueryContextAttributesA(ctx, KSSPI_ATTR_CREDSSP_INFO, info);
	if (st != SEC_E_OK)
		die_sspi("QueryContextAttributes(KSSPI_ATTR_CREDSSP_INFO)", st);
	return info->Flags & KSSPI_CREDSSP_F_RESUMED;
}

static void cssp_creds(CredHandle *ccred, CredHandle *scred)
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

	st = AcquireCredentialsHandleA(NULL, "CredSSP", SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, ccred, NULL);
	if (st != SEC_E_OK)
		die_sspi("AcquireCredentialsHandle (client)", st);
	st = AcquireCredentialsHandleA(NULL, "CredSSP", SECPKG_CRED_INBOUND,
				       NULL, NULL, NULL, NULL, scred, NULL);
	if (st != SEC_E_OK)
		die_sspi("AcquireCredentialsHandle (server)", st);
}

/*
 * Seconds for @n handshakes; each must be resumed on both sides when
 * @resume, and neither when not.  Full handshakes get a target name of
 * their own, so that the session cache has nothing for them; resumed ones
 * follow one handshake that fills the cache.
 */
static double cssp_handshakes(struct cssp_flights *f, CredHandle *ccred,
			      CredHandle *scred, unsigned long n, bool resume)
{
	struct cssp_side c = { .cred = ccred }, s = { .server = true,
						      .cred = scred };
	static unsigned long full_targets;
	unsigned long i, resumed = 0;
	char target[64];
	double t;

	if (!n)
		return 0;
	c.target = RESUME_TARGET;
	if (resume) {
		cssp_handshake(f, &c, &s);
		DeleteSecurityContext(&c.ctx);
		DeleteSecurityContext(&s.ctx);
	} else {
		c.target = target;
	}
	t = now();
	for (i = 0; i < n; i++) {
		snprintf(target, sizeof(target), "TERMSRV/full%lu.bench.test",
			 full_targets++);
		cssp_handshake(f, &c, &s);
		resumed += cssp_resumed(&c.ctx, NULL) +
			   cssp_resumed(&s.ctx, NULL);
		DeleteSecurityContext(&c.ctx);
		DeleteSecurityContext(&s.ctx);
	}
	t = now() - t;
	if (resumed != (resume ? 2 * n : 0)) {
		fprintf(stderr, "credssp_bench: %s handshakes: %lu of %lu sides say resumed\n",
			resume ? "resumable" : "full", resumed, 2 * n);
		exit(1);
	}
	return t;
}

/* ---- ksspi: records ------------------------------------------------- */

/*
 * Seconds for EncryptMessage (client) + DecryptMessage (server) of @n
 * messages of @size bytes, one record per cbMaximumMessage bytes, each
 * checked after decryption.
 */
static double cssp_seal(CtxtHandle *c, CtxtHandle *s,
			const SecPkgContext_StreamSizes *sz,
			unsigned char *rec, size_t size, unsigned long n)
{
	SecBuffer b[4];
	SecBufferDesc d = { SECBUFFER_VERSION, 4, b };
	SECURITY_STATUS st;
	unsigned long i;
	size_t off, len;
	ULONG qop;
	int k;
	double t = now();

	for (i = 0; i < n; i++) {
		for (off = 0; off < size; off += len) {
			len = size - off < sz->cbMaximumMessage ?
			      size - off : sz->cbMaximumMessage;
			memcpy(rec + sz->cbHeader, pattern + off, len);
			b[0] = (SecBuffer){ sz->cbHeader,
					    SECBUFFER_STREAM_HEADER, rec };
			b[1] = (SecBuffer){ (ULONG)len, SECBUFFER_DATA,
					    rec + sz->cbHeader };
			b[2] = (SecBuffer){ sz->cbTrailer,
					    SECBUFFER_STREAM_TRAILER,
					    rec + sz->cbHeader + len };
			b[3] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
			st = EncryptMessage(c, 0, &d, 0);
			if (st != SEC_E_OK)
				die_sspi("EncryptMessage", st);
			b[0] = (SecBuffer){ b[0].cbBuffer + b[1].cbBuffer +
					    b[2].cbBuffer, SECBUFFER_DATA,
					    rec };
			for (k = 1; k < 4; k++)
				b[k] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
			st = DecryptMessage(s, &d, 0, &qop);
			if (st != SEC_E_OK)
				die_sspi("DecryptMessage", st);
			if (b[1].BufferType != SECBUFFER_DATA ||
			    b[1].cbBuffer != len ||
			    memcmp(b[1].pvBuffer, pattern + off, len) ||
			    b[3].BufferType == SECBUFFER_EXTRA)
				die("DecryptMessage: not the plaintext sent");
		}
	}
	return now() - t;
}

/* ---- GnuTLS --------------------------------------------------------- */

static gnutls_certificate_credentials_t gt_client_cred, gt_server_cred;
static char gt_priority[256];

/* The GnuTLS priority string for what the ksspi contexts negotiated */
static void gt_setup(const KsspiCredSspInfo *info, const char *cert,
		     const char *key)
{
	const char *vers, *cipher;
	int rc;

	switch (info->TlsVersion) {
	case 0x0304: vers = "+VERS-TLS1.3"; break;
	case 0x0303: vers = "+VERS-TLS1.2"; break;
	default: die("KSSPI_ATTR_CREDSSP_INFO: unknown TLS version");
	}
	switch (info->TlsCipher) {
	case TLS_CIPHER_AES_GCM_128: cipher = "+AES-128-GCM"; break;
	case TLS_CIPHER_AES_GCM_256: cipher = "+AES-256-GCM"; break;
	case TLS_CIPHER_CHACHA20_POLY1305: cipher = "+CHACHA20-POLY1305"; break;
	default: die("KSSPI_ATTR_CREDSSP_INFO: unknown cipher");
	}
	snprintf(gt_priority, sizeof(gt_priority),
		 "NORMAL:-VERS-ALL:%s:-CIPHER-ALL:%s:-MAC-ALL:+AEAD:"
		 "-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:+DHE-RSA", vers, cipher);
	rc = gnutls_certificate_allocate_credentials(&gt_client_cred);
	if (rc == 0)
		rc = gnutls_certificate_allocate_credentials(&gt_server_cred);
	if (rc)
		die_gnutls("gnutls_certificate_allocate_credentials", rc);
	rc = gnutls_certificate_set_x509_key_file(gt_server_cred, cert, key,
						  GNUTLS_X509_FMT_PEM);
	if (rc < 0)
		die_gnutls("gnutls_certificate_set_x509_key_file", rc);
}

static gnutls_session_t gt_session(bool server)
{
	gnutls_session_t s;
	const char *err;
	int rc;

	rc = gnutls_init(&s, server ? GNUTLS_SERVER : GNUTLS_CLIENT);
	if (rc)
		die_gnutls("gnutls_init", rc);
	rc = gnutls_priority_set_direct(s, gt_priority, &err);
	if (rc)
		die_gnutls(gt_priority, rc);
	rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
				    server ? gt_server_cred : gt_client_cred);
	if (rc)
		die_gnutls("gnutls_credentials_set", rc);
	return s;
}

/* Same version and cipher as ksspi's, and no kTLS under GnuTLS */
static void gt_check(gnutls_session_t s, const KsspiCredSspInfo *info)
{
	static const struct {
		uint16_t ktls;
		gnutls_cipher_algorithm_t gnutls;
	} ciphers[] = {
		{ TLS_CIPHER_AES_GCM_128, GNUTLS_CIPHER_AES_128_GCM },
		{ TLS_CIPHER_AES_GCM_256, GNUTLS_CIPHER_AES_256_GCM },
		{ TLS_CIPHER_CHACHA20_POLY1305, GNUTLS_CIPHER_CHACHA20_POLY1305 },
	};
	gnutls_protocol_t want = info->TlsVersion == 0x0304 ?
				 GNUTLS_TLS1_3 : GNUTLS_TLS1_2;
	bool cipher_ok = false;
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (ciphers[i].ktls == info->TlsCipher &&
		    ciphers[i].gnutls == gnutls_cipher_get(s))
			cipher_ok = true;
	if (gnutls_protocol_get_version(s) != want || !cipher_ok)
		die("GnuTLS negotiated %s, not ksspi's suite",
		    gnutls_cipher_suite_get_name(gnutls_kx_get(s),
						 gnutls_cipher_get(s),
						 gnutls_mac_get(s)));
	if (gnutls_transport_is_ktls_enabled(s))
		die("GnuTLS put the session in kTLS: not userspace TLS");
}

/* A one-way byte queue in memory: one session pushes, the other pulls. */
struct mem_pipe {
	unsigned char *buf;
	size_t cap, head, tail;
	gnutls_session_t reader;
};

static ssize_t pipe_push(gnutls_transport_ptr_t ptr, const void *data,
			 size_t len)
{
	struct mem_pipe *p = ptr;

	if (p->head == p->tail)
		p->head = p->tail = 0;
	if (p->cap - p->tail < len && p->head) {
		memmove(p->buf, p->buf + p->head, p->tail - p->head);
		p->tail -= p->head;
		p->head = 0;
	}
	if (p->cap - p->tail < len) {
		p->cap = 2 * (p->tail + len);
		p->buf = realloc(p->buf, p->cap);
		if (!p->buf)
			die("out of memory");
	}
	memcpy(p->buf + p->tail, data, len);
	p->tail += len;
	return (ssize_t)len;
}

static ssize_t pipe_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct mem_pipe *p = ptr;

	if (p->head == p->tail) {
		gnutls_transport_set_errno(p->reader, EAGAIN);
		return -1;
	}
	if (len > p->tail - p->head)
		len = p->tail - p->head;
	memcpy(data, p->buf + p->head, len);
	p->head += len;
	return (ssize_t)len;
}

struct gt_mem_pair {
	gnutls_session_t c, s;
	struct mem_pipe to_server, to_client;
};

static void gt_mem_handshake(struct gt_mem_pair *p,
			     const KsspiCredSspInfo *info)
{
	bool c_done = false, s_done = false;
	int rc, turns = 0;

	memset(p, 0, sizeof(*p));
	p->c = gt_session(false);
	p->s = gt_session(true);
	p->to_server.reader = p->s;
	p->to_client.reader = p->c;
	gnutls_transport_set_ptr2(p->c, &p->to_client, &p->to_server);
	gnutls_transport_set_ptr2(p->s, &p->to_server, &p->to_client);
	gnutls_transport_set_push_function(p->c, pipe_push);
	gnutls_transport_set_pull_function(p->c, pipe_pull);
	gnutls_transport_set_push_function(p->s, pipe_push);
	gnutls_transport_set_pull_function(p->s, pipe_pull);
	while (!c_done || !s_done) {
		if (++turns > 100)
			die("the GnuTLS handshake in memory does not end");
		if (!c_done) {
			rc = gnutls_handshake(p->c);
			if (rc < 0 && gnutls_error_is_fatal(rc))
				die_gnutls("gnutls_handshake (client)", rc);
			c_done = rc == 0;
		}
		if (!s_done) {
			rc = gnutls_handshake(p->s);
			if (rc < 0 && gnutls_error_is_fatal(rc))
				die_gnutls("gnutls_handshake (server)", rc);
			s_done = rc == 0;
		}
	}
	gt_check(p->c, info);
}

static void gt_mem_free(struct gt_mem_pair *p)
{
	gnutls_deinit(p->c);
	gnutls_deinit(p->s);
	free(p->to_server.buf);
	free(p->to_client.buf);
}

/* Seconds for gnutls_record_send (client) + gnutls_record_recv (server) */
static double gt_seal(struct gt_mem_pair *p, unsigned char *out, size_t size,
		      size_t max_record, unsigned long n)
{
	unsigned long i;
	size_t off, len;
	ssize_t rc;
	double t = now();

	for (i = 0; i < n; i++) {
		for (off = 0; off < size; off += len) {
			len = size - off < max_record ? size - off : max_record;
			rc = gnutls_record_send(p->c, pattern + off, len);
			if (rc != (ssize_t)len)
				die_gnutls("gnutls_record_send",
					   rc < 0 ? (int)rc : 0);
			rc = gnutls_record_recv(p->s, out, MAX_SIZE);
			if (rc != (ssize_t)len || memcmp(out, pattern + off, len))
				die("gnutls_record_recv: not the plaintext sent");
		}
	}
	return now() - t;
}

/* ---- bulk over loopback TCP ----------------------------------------- */

struct bulk {
	int fd;				/* kTLS, or -1 */
	gnutls_session_t tls;		/* or GnuTLS */
	unsigned long long bytes;
	const char *failed;
};

static void *bulk_sender(void *arg)
{
	struct bulk *b = arg;
	unsigned long long off = 0;

	while (off < b->bytes) {
		size_t at = (size_t)(off % PATTERN_LEN);
		size_t len = PATTERN_LEN - at < BULK_CHUNK ?
			     PATTERN_LEN - at : BULK_CHUNK;
		ssize_t n;

		if (len > b->bytes - off)
			len = (size_t)(b->bytes - off);
		if (b->tls)
			n = gnutls_record_send(b->tls, pattern + at, len);
		else
			n = send(b->fd, pattern + at, len, MSG_NOSIGNAL);
		if (n < 0 && (b->tls ? n == GNUTLS_E_INTERRUPTED ||
				       n == GNUTLS_E_AGAIN : errno == EINTR))
			continue;
		if (n <= 0) {
			b->failed = b->tls ? "gnutls_record_send" : "send";
			return NULL;
		}
		off += (size_t)n;
	}
	if (b->tls)
		gnutls_bye(b->tls, GNUTLS_SHUT_WR);
	else
		shutdown(b->fd, SHUT_WR);
	return NULL;
}

/*
 * Seconds for @bytes from @tx to @rx (a kTLS socket when the session is
 * NULL), the receiver in this thread; every byte is checked, and the
 * stream must end right after the last.
 */
static double bulk_transfer(int tx_fd, gnutls_session_t tx, int rx_fd,
			    gnutls_session_t rx, unsigned long long bytes)
{
	struct bulk b = { .fd = tx_fd, .tls = tx, .bytes = bytes };
	unsigned char *buf = xmalloc(BULK_CHUNK);
	unsigned long long got = 0;
	const char *what = rx ? "gnutls_record_recv" : "recv";
	pthread_t th;
	ssize_t n;
	double t = now();

	if (pthread_create(&th, NULL, bulk_sender, &b))
		die("pthread_create");
	for (;;) {
		if (rx)
			n = gnutls_record_recv(rx, buf, BULK_CHUNK);
		else
			n = recv(rx_fd, buf, BULK_CHUNK, 0);
		if (n < 0 && (rx ? n == GNUTLS_E_INTERRUPTED ||
				   n == GNUTLS_E_AGAIN : errno == EINTR))
			continue;
		if (n < 0) {
			if (rx)
				die_gnutls(what, (int)n);
			die("recv: %s", strerror(errno));
		}
		if (n == 0)
			break;
		if (got + (size_t)n > bytes ||
		    !pattern_matches(got, buf, (size_t)n))
			die("%s: not the bytes sent", what);
		got += (size_t)n;
	}
	t = now() - t;
	pthread_join(th, NULL);
	if (b.failed)
		die("%s failed", b.failed);
	if (got != bytes)
		die("%s: the stream ended early", what);
	free(buf);
	return t;
}

struct gt_tcp_side {
	gnutls_session_t s;
	int rc;
};

static void *gt_tcp_server_handshake(void *arg)
{
	struct gt_tcp_side *side = arg;

	do {
		side->rc = gnutls_handshake(side->s);
	} while (side->rc < 0 && !gnutls_error_is_fatal(side->rc));
	return NULL;
}

static double gt_bulk(const KsspiCredSspInfo *info, unsigned long long bytes)
{
	struct gt_tcp_side srv;
	gnutls_session_t c;
	pthread_t th;
	int cfd, sfd, rc;
	double t;

	tcp_pair(&cfd, &sfd);
	c = gt_session(false);
	srv.s = gt_session(true);
	gnutls_transport_set_int(c, cfd);
	gnutls_transport_set_int(srv.s, sfd);
	if (pthread_create(&th, NULL, gt_tcp_server_handshake, &srv))
		die("pthread_create");
	do {
		rc = gnutls_handshake(c);
	} while (rc < 0 && !gnutls_error_is_fatal(rc));
	pthread_join(th, NULL);
	if (rc < 0)
		die_gnutls("gnutls_handshake over TCP (client)", rc);
	if (srv.rc < 0)
		die_gnutls("gnutls_handshake over TCP (server)", srv.rc);
	gt_check(c, info);
	gt_check(srv.s, info);
	t = bulk_transfer(-1, c, -1, srv.s, bytes);
	gnutls_deinit(c);
	gnutls_deinit(srv.s);
	close(cfd);
	close(sfd);
	return t;
}

static double ktls_bulk(CtxtHandle *c, CtxtHandle *s,
			unsigned long long bytes)
{
	SECURITY_STATUS st;
	int cfd, sfd;
	double t;

	tcp_pair(&cfd, &sfd);
	st = KsspiInstallKtls(c, cfd, KSSPI_KTLS_TX | KSSPI_KTLS_RX);
	if (st != SEC_E_OK)
		die_sspi("KsspiInstallKtls (client)", st);
	st = KsspiInstallKtls(s, sfd, KSSPI_KTLS_TX | KSSPI_KTLS_RX);
	if (st != SEC_E_OK)
		die_sspi("KsspiInstallKtls (server)", st);
	t = bulk_transfer(cfd, NULL, sfd, NULL, bytes);
	close(cfd);
	close(sfd);
	return t;
}

static const char *cipher_name(uint16_t cipher)
{
	switch (cipher) {
	case TLS_CIPHER_AES_GCM_128: return "AES-128-GCM";
	case TLS_CIPHER_AES_GCM_256: return "AES-256-GCM";
	case TLS_CIPHER_CHACHA20_POLY1305: return "CHACHA20-POLY1305";
	}
	return "?";
}

/* A new established pair of contexts for @target */
static void cssp_pair(struct cssp_flights *f, CredHandle *ccred,
		      CredHandle *scred, const char *target,
		      struct cssp_side *c, struct cssp_side *s)
{
	*c = (struct cssp_side){ .cred = ccred, .target = target };
	*s = (struct cssp_side){ .server = true, .cred = scred };
	cssp_handshake(f, c, s);
}

static void cssp_pair_delete(struct cssp_side *c, struct cssp_side *s)
{
	DeleteSecurityContext(&c->ctx);
	DeleteSecurityContext(&s->ctx);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1024, 16 * 1024, 64 * 1024 };
	static const char *const names[] = { "1 KiB", "16 KiB", "64 KiB" };
	int div = argc > 1 && !strcmp(argv[1], "--quick") ? 10 : 1;
	unsigned long hs = count_env("KSSPI_BENCH_CREDSSP_HANDSHAKES", 50, div);
	unsigned long msgs = count_env("KSSPI_BENCH_CREDSSP_MESSAGES", 4000,
				       div);
	unsigned long long bulk = (unsigned long long)count_env(
		"KSSPI_BENCH_CREDSSP_BULK_MIB", 64, div) << 20;
	const char *cert = getenv("CREDSSP_CERT"), *key = getenv("CREDSSP_KEY");
	struct cssp_flights *f = xmalloc(sizeof(*f));
	struct cssp_side c, s, c2, s2;
	CredHandle ccred, scred;
	SecPkgContext_StreamSizes sz;
	KsspiCredSspInfo info;
	struct gt_mem_pair gp;
	unsigned char *rec, *plain;
	double ours, theirs;
	char metric[128];
	SECURITY_STATUS st;
	size_t i;

	if (argc > 2 || (argc > 1 && div == 1)) {
		fprintf(stderr, "usage: credssp_bench [--quick]\n");
		return 2;
	}
	if (!cert || !key)
		die("CREDSSP_CERT and CREDSSP_KEY must name the PEM files ksspid has");
	pattern_init();
	cssp_creds(&ccred, &scred);

	/* warm up: the ticket key, the inner package, the crypto modules */
	cssp_pair(f, &ccred, &scred, "TERMSRV/warm", &c, &s);
	cssp_pair_delete(&c, &s);

	/* each figure in two halves, alternating with its peer's (ABAB) */
	theirs = cssp_handshakes(f, &ccred, &scred, hs / 2, false);
	ours = cssp_handshakes(f, &ccred, &scred, hs / 2, true);
	theirs += cssp_handshakes(f, &ccred, &scred, hs - hs / 2, false);
	ours += cssp_handshakes(f, &ccred, &scred, hs - hs / 2, true);
	printf("| CredSSP handshakes, ksspi at both ends | resumed | full | resumed/full | unit |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	snprintf(metric, sizeof(metric),
		 "client+server in one thread, memory buffers, NTLM inside (%lu each, resumed flags checked)",
		 hs);
	row(metric, (double)hs / ours, (double)hs / theirs, "handshakes/s");
	printf("\n");

	/* an established pair for the records, then for kTLS */
	cssp_pair(f, &ccred, &scred, "TERMSRV/records", &c, &s);
	cssp_resumed(&c.ctx, &info);
	st = QueryContextAttributesA(&c.ctx, SECPKG_ATTR_STREAM_SIZES, &sz);
	if (st != SEC_E_OK)
		die_sspi("QueryContextAttributes(SECPKG_ATTR_STREAM_SIZES)", st);
	gt_setup(&info, cert, key);
	gt_mem_handshake(&gp, &info);
	rec = xmalloc(sz.cbHeader + sz.cbMaximumMessage + sz.cbTrailer);
	plain = xmalloc(MAX_SIZE);

	printf("| CredSSP records, TLS %s %s | ksspi | GnuTLS | ratio | unit |\n",
	       info.TlsVersion == 0x0304 ? "1.3" : "1.2",
	       cipher_name(info.TlsCipher));
	printf("| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long n = msgs, records;
		double mb;

		/* a quarter of the count at 16 KiB, a sixteenth at 64 */
		if (sizes[i] >= 16 * 1024)
			n = msgs / (sizes[i] / 1024 / 4);
		if (!n)
			n = 1;
		records = (sizes[i] + sz.cbMaximumMessage - 1) /
			  sz.cbMaximumMessage;
		ours = cssp_seal(&c.ctx, &s.ctx, &sz, rec, sizes[i], n / 2);
		theirs = gt_seal(&gp, plain, sizes[i], sz.cbMaximumMessage,
				 n / 2);
		ours += cssp_seal(&c.ctx, &s.ctx, &sz, rec, sizes[i],
				  n - n / 2);
		theirs += gt_seal(&gp, plain, sizes[i], sz.cbMaximumMessage,
				  n - n / 2);
		mb = (double)sizes[i] * (double)n / 1e6;
		snprintf(metric, sizeof(metric),
			 "seal+unseal %s (x%lu, %lu record%s each)", names[i],
			 n, records, records > 1 ? "s" : "");
		row(metric, mb / ours, mb / theirs, "MB/s");
	}
	gt_mem_free(&gp);
	free(rec);
	free(plain);

	/* kTLS on the pair above (its sequence numbers carried on), then on
	 * a second one */
	cssp_pair(f, &ccred, &scred, "TERMSRV/ktls", &c2, &s2);
	ours = ktls_bulk(&c.ctx, &s.ctx, bulk / 2);
	theirs = gt_bulk(&info, bulk / 2);
	ours += ktls_bulk(&c2.ctx, &s2.ctx, bulk - bulk / 2);
	theirs += gt_bulk(&info, bulk - bulk / 2);
	snprintf(metric, sizeof(metric),
		 "bulk over loopback TCP, %llu MiB: kTLS send/recv vs gnutls_record_send/recv",
		 bulk >> 20);
	row(metric, (double)bulk / 1e6 / ours, (double)bulk / 1e6 / theirs,
	    "MB/s");

	cssp_pair_delete(&c, &s);
	cssp_pair_delete(&c2, &s2);
	FreeCredentialsHandle(&ccred);
	FreeCredentialsHandle(&scred);
	gnutls_certificate_free_credentials(gt_client_cred);
	gnutls_certificate_free_credentials(gt_server_cred);
	free(f);
	free(pattern);
	return 0;
}
