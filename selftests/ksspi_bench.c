// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_bench: a few numbers about the foundation, as a table of
 * "| metric | value | unit |" rows on stdout.  Needs root, ksspi.ko with
 * test_package=1 and a registered ksspid (like the selftests).
 *
 *   ioctl round trip      KSSPI_IOC_QUERY_PACKAGE, ns/op
 *   upcall round trip     debugfs ping with 64 B and 64 KiB, us/op
 *   handshakes            full KsspiTest handshakes (client and server
 *                         through the ioctls, one thread), per second
 *   idle context cost     2000 partially established contexts and 2000
 *                         imported established ones: MemAvailable, Slab
 *                         and ksspid RSS deltas (and any "*bytes*" stats
 *                         key) per context
 *
 * Usage: ksspi_bench [--quick]   (--quick: a tenth of every count)
 *
 * Counts can be changed with KSSPI_BENCH_IOCTLS, KSSPI_BENCH_PINGS,
 * KSSPI_BENCH_BIG_PINGS, KSSPI_BENCH_HANDSHAKES, KSSPI_BENCH_CONTEXTS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksspi_test_util.h"

static void row(const char *metric, double value, const char *unit,
		int decimals)
{
	printf("| %s | %.*f | %s |\n", metric, decimals, value, unit);
	fflush(stdout);
}

static void die(const char *what, uint32_t st)
{
	fprintf(stderr, "ksspi_bench: %s: %s\n", what, kt_status_name(st));
	exit(1);
}

/* kB from /proc/meminfo */
static long long meminfo(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Sum of every stats value whose key mentions "bytes" */
struct bytes_stats {
	int n;
	char key[16][64];
	long long val[16];
};

static void read_bytes_stats(struct bytes_stats *b)
{
	char buf[16384], *line, *save = NULL;
	FILE *f = fopen(KT_STATS, "r");
	size_t got;

	b->n = 0;
	if (!f)
		return;
	got = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[got] = 0;
	for (line = strtok_r(buf, "\n", &save); line && b->n < 16;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (!colon || !strstr(line, "bytes") || colon - line >= 63)
			continue;
		memcpy(b->key[b->n], line, colon - line);
		b->key[b->n][colon - line] = 0;
		b->val[b->n] = strtoll(colon + 1, NULL, 0);
		b->n++;
	}
}

struct mem_snap {
	long long avail_kb, slab_kb, helper_rss_kb;
	struct bytes_stats bytes;
};

/* VmRSS of the registered helper, kB (-1 when unknown) */
static long long helper_rss(void)
{
	long long pid = kt_helper_pid(), v = -1;
	char path[64], line[256];
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%lld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = strtoll(line + 6, NULL, 10);
	fclose(f);
	return v;
}

static void snap(struct mem_snap *m)
{
	FILE *f;

	sync();
	/* less page-cache noise in MemAvailable (this runs in a test guest) */
	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	usleep(200000);
	m->avail_kb = meminfo("MemAvailable");
	m->slab_kb = meminfo("Slab");
	m->helper_rss_kb = helper_rss();
	read_bytes_stats(&m->bytes);
}

static void mem_rows(const char *what, const struct mem_snap *a,
		     const struct mem_snap *b, long n)
{
	char metric[160];
	int i, j;

	snprintf(metric, sizeof(metric), "idle %s context, MemAvailable drop",
		 what);
	row(metric, (double)(a->avail_kb - b->avail_kb) * 1024.0 / n,
	    "bytes/context", 0);
	snprintf(metric, sizeof(metric), "idle %s context, Slab growth", what);
	row(metric, (double)(b->slab_kb - a->slab_kb) * 1024.0 / n,
	    "bytes/context", 0);
	if (a->helper_rss_kb >= 0 && b->helper_rss_kb >= 0) {
		snprintf(metric, sizeof(metric),
			 "idle %s context, ksspid RSS growth", what);
		row(metric, (double)(b->helper_rss_kb - a->helper_rss_kb) *
			    1024.0 / n, "bytes/context", 0);
	}
	for (i = 0; i < b->bytes.n; i++) {
		for (j = 0; j < a->bytes.n; j++) {
			if (strcmp(a->bytes.key[j], b->bytes.key[i]))
				continue;
			snprintf(metric, sizeof(metric),
				 "idle %s context, stats %s", what,
				 b->bytes.key[i]);
			row(metric, (double)(b->bytes.val[i] -
					     a->bytes.val[j]) / n,
			    "bytes/context", 0);
		}
	}
}

static void bench_ioctl(int fd, long n)
{
	struct ksspi_query_package q;
	uint64_t t0;
	long i;

	for (i = 0; i < n / 10 + 1; i++)	/* warm up */
		kt_query_package(fd, KT_PKG, NULL);
	memset(&q, 0, sizeof(q));
	t0 = kt_now_ns();
	for (i = 0; i < n; i++) {
		q.size = sizeof(q);
		q.name = kt_ptr(KT_PKG);
		q.name_len = sizeof(KT_PKG) - 1;
		if (kt_ioctl(fd, KSSPI_IOC_QUERY_PACKAGE, &q) ||
		    q.status != SEC_E_OK)
			die("QUERY_PACKAGE", q.status);
	}
	row("ioctl round trip (KSSPI_IOC_QUERY_PACKAGE)",
	    (double)(kt_now_ns() - t0) / n, "ns/op", 0);
}

static void bench_ping(size_t len, long n, const char *metric)
{
	uint8_t *buf = malloc(len), *echo = malloc(len);
	uint64_t t0;
	long i;

	if (!buf || !echo)
		die("malloc", SEC_E_INSUFFICIENT_MEMORY);
	kt_random(buf, len);
	buf[0] = 'B';
	for (i = 0; i < 5; i++)
		kt_ping(buf, len, echo, len);
	t0 = kt_now_ns();
	for (i = 0; i < n; i++) {
		ssize_t r = kt_ping(buf, len, echo, len);

		if (r != (ssize_t)len) {
			fprintf(stderr, "ksspi_bench: ping of %zu bytes: %s\n",
				len, r < 0 ? strerror((int)-r) : "short echo");
			exit(1);
		}
	}
	row(metric, (double)(kt_now_ns() - t0) / n / 1000.0, "us/op", 1);
	free(buf);
	free(echo);
}

static void bench_handshakes(int fd, long n)
{
	struct kt_hs hs;
	uint32_t st;
	uint64_t t0;
	long i;

	st = kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
			KT_PASSWORD);
	if (st != SEC_E_OK)
		die("AcquireCredentialsHandle", st);
	t0 = kt_now_ns();
	for (i = 0; i < n; i++) {
		st = kt_hs_run(&hs);
		if (st != SEC_E_OK)
			die("handshake", st);
		kt_hs_delete(&hs);
	}
	row("KsspiTest full handshakes (client+server via ioctl)",
	    n * 1e9 / (double)(kt_now_ns() - t0), "handshakes/s", 1);
	kt_hs_free(&hs);
}

static void bench_memory(long n)
{
	struct mem_snap a, b;
	struct ksspi_handle cred, x;
	struct kt_hs hs;
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB, st;
	int fd = kt_open(), fd2;
	long i;

	if (fd < 0 || !blob)
		die("open", KT_ERRNO_STATUS(-fd));
	st = kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, &cred);
	if (st != SEC_E_OK)
		die("AcquireCredentialsHandle", st);

	snap(&a);
	for (i = 0; i < n; i++) {
		st = kt_partial_ctx(fd, &cred, &x, NULL, NULL);
		if (st != SEC_I_CONTINUE_NEEDED)
			die("InitializeSecurityContext", st);
	}
	snap(&b);
	mem_rows("partially established", &a, &b, n);
	close(fd);

	fd = kt_open();
	fd2 = kt_open();
	if (fd < 0 || fd2 < 0)
		die("open", KT_ERRNO_STATUS(EBADF));
	st = kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
			KT_PASSWORD);
	if (st == SEC_E_OK)
		st = kt_hs_run(&hs);
	if (st != SEC_E_OK)
		die("handshake", st);
	st = kt_export(fd, &hs.cctx, 0, blob, &len);
	if (st != SEC_E_OK)
		die("ExportSecurityContext", st);
	snap(&a);
	for (i = 0; i < n; i++) {
		st = kt_import(fd2, KT_PKG, blob, len, &x);
		if (st != SEC_E_OK)
			die("ImportSecurityContext", st);
	}
	snap(&b);
	mem_rows("imported established", &a, &b, n);
	close(fd2);
	close(fd);
	free(blob);
}

static long count(const char *env, long def, int div)
{
	long n = kt_env_long(env, def) / div;

	return n > 0 ? n : 1;
}

int main(int argc, char **argv)
{
	int fd, div = 1, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick") || !strcmp(argv[i], "-q")) {
			div = 10;
		} else {
			fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
			return strcmp(argv[i], "--help") && strcmp(argv[i], "-h") ?
			       2 : 0;
		}
	}
	fd = kt_open();
	if (fd < 0) {
		fprintf(stderr, "ksspi_bench: open %s: %s\n", KT_DEV,
			strerror(-fd));
		return 1;
	}
	if (kt_ensure_helper())
		fprintf(stderr, "ksspi_bench: no helper registered\n");

	printf("| metric | value | unit |\n");
	printf("| --- | --- | --- |\n");
	bench_ioctl(fd, count("KSSPI_BENCH_IOCTLS", 100000, div));
	bench_ping(64, count("KSSPI_BENCH_PINGS", 2000, div),
		   "upcall round trip, 64 B debugfs ping");
	bench_ping(64 * 1024, count("KSSPI_BENCH_BIG_PINGS", 200, div),
		   "upcall round trip, 64 KiB debugfs ping");
	bench_handshakes(fd, count("KSSPI_BENCH_HANDSHAKES", 300, div));
	bench_memory(count("KSSPI_BENCH_CONTEXTS", 2000, div));
	close(fd);
	return 0;
}
