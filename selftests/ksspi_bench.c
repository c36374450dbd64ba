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
 *   idle context cost     1000 partially established contexts (half the
 *                         count: within the default per-user handshake
 *                         limits of the module and ksspid, 1024), 2000
 *                         imported established KsspiTest ones and 2000
 *                         imported established NTLM ones (as a real
 *                         handshake leaves them: names, session key):
 *                         MemAvailable, Slab and ksspid RSS deltas (and any
 *                         "*bytes*" stats key) per context
 *   fairness              the median handshake latency of one user (root)
 *                         while another (nobody) floods with 1, 16, 128 and
 *                         1000 threads, and its ratio to no flood.  As
 *                         systemd's user slices do, each user runs in a
 *                         cgroup of its own with the cpu controller, so the
 *                         flood's CPU time is shared, not stolen; the
 *                         limits at work are ksspi's per-user limits and
 *                         ksspid's fair scheduling.
 *
 * Usage: ksspi_bench [--quick]   (--quick: a tenth of every count)
 *
 * Counts can be changed with KSSPI_BENCH_IOCTLS, KSSPI_BENCH_PINGS,
 * KSSPI_BENCH_BIG_PINGS, KSSPI_BENCH_HANDSHAKES, KSSPI_BENCH_CONTEXTS,
 * KSSPI_BENCH_VICTIM (handshakes timed per flood level).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
	long partial = n / 2 > 0 ? n / 2 : 1;
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
	for (i = 0; i < partial; i++) {
		st = kt_partial_ctx(fd, &cred, &x, NULL, NULL);
		if (st != SEC_I_CONTINUE_NEEDED)
			die("InitializeSecurityContext", st);
	}
	snap(&b);
	mem_rows("partially established", &a, &b, partial);
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

/* Idle established NTLM contexts, as ksspid hands them over. */
static void bench_ntlm_memory(long n)
{
	struct mem_snap a, b;
	struct ksspi_handle x;
	struct kt_blob bl;
	uint32_t st;
	int fd = kt_open();
	long i;

	if (fd < 0)
		die("open", KT_ERRNO_STATUS(-fd));
	kt_ntlm_blob(&bl, true, true);
	snap(&a);
	for (i = 0; i < n; i++) {
		st = kt_import(fd, "NTLM", bl.b, bl.len, &x);
		if (st != SEC_E_OK)
			die("ImportSecurityContext (NTLM)", st);
	}
	snap(&b);
	mem_rows("established NTLM", &a, &b, n);
	close(fd);
}

/* ---- one user floods, another is timed ---- */

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_VICTIM	CG_ROOT "/ksspi-bench-victim"
#define CG_FLOOD	CG_ROOT "/ksspi-bench-flood"

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int join_cgroup(const char *dir)
{
	char path[256], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_text(path, pid);
}

/* A cgroup per user, with the cpu controller; false when not possible. */
static bool cgroups_setup(void)
{
	struct stat st;

	if (stat(CG_ROOT "/cgroup.controllers", &st) < 0) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL) < 0 &&
		    errno != EBUSY)
			return false;
	}
	if (write_text(CG_ROOT "/cgroup.subtree_control", "+cpu"))
		return false;
	mkdir(CG_VICTIM, 0755);
	mkdir(CG_FLOOD, 0755);
	return !join_cgroup(CG_VICTIM);
}

struct flood {
	atomic_int stop;
	atomic_int started;
	atomic_long handshakes;		/* the flood's, done */
	atomic_long refused;		/* the flood's, refused by a limit */
};

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	struct kt_hs hs;
	int fd = kt_open();

	if (fd < 0 || kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
				 KT_PASSWORD) != SEC_E_OK)
		return NULL;
	atomic_fetch_add(&f->started, 1);
	while (!atomic_load(&f->stop)) {
		uint32_t st = kt_hs_run(&hs);

		if (st == SEC_E_OK)
			atomic_fetch_add(&f->handshakes, 1);
		else if (st == SEC_E_INSUFFICIENT_MEMORY)
			atomic_fetch_add(&f->refused, 1);
		kt_hs_delete(&hs);
	}
	kt_hs_free(&hs);
	close(fd);
	return NULL;
}

/* The flooding user: @threads threads in a process of its own. */
static pid_t flood_start(struct flood *f, int threads)
{
	pid_t pid = fork();
	pthread_t *t;
	pthread_attr_t attr;
	int i;

	if (pid)
		return pid;
	join_cgroup(CG_FLOOD);
	if (kt_drop_privileges())
		_exit(1);
	t = calloc(threads, sizeof(*t));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (i = 0; i < threads; i++)
		if (pthread_create(&t[i], &attr, flood_thread, f))
			break;
	threads = i;
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median latency of @n handshakes of this (the victim's) user, in ms */
static double victim_p50(int fd, long n)
{
	double *ms = calloc(n, sizeof(*ms)), p50;
	struct kt_hs hs;
	uint32_t st;
	long i;

	st = kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
			KT_PASSWORD);
	if (st != SEC_E_OK || !ms)
		die("victim credentials", st);
	for (i = 0; i < n; i++) {
		uint64_t t0 = kt_now_ns();

		st = kt_hs_run(&hs);
		if (st != SEC_E_OK)
			die("victim handshake", st);
		ms[i] = kt_ms_since(t0);
		kt_hs_delete(&hs);
	}
	kt_hs_free(&hs);
	qsort(ms, n, sizeof(*ms), cmp_double);
	p50 = ms[n / 2];
	free(ms);
	return p50;
}

static void bench_fairness(int fd, long n)
{
	static const int levels[] = { 1, 16, 128, 1000 };
	struct flood *f;
	char metric[160];
	double base, p50;
	unsigned int i;

	if (!cgroups_setup()) {
		fprintf(stderr, "ksspi_bench: no cgroup v2 cpu controller: fairness not measured\n");
		return;
	}
	f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f == MAP_FAILED)
		die("mmap", SEC_E_INSUFFICIENT_MEMORY);
	victim_p50(fd, 5);	/* warm up */
	base = victim_p50(fd, n);
	row("handshake p50 of one user, no flood", base, "ms", 2);
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		uint64_t t0 = kt_now_ns();
		pid_t pid;

		memset(f, 0, sizeof(*f));
		pid = flood_start(f, levels[i]);
		while (atomic_load(&f->started) < levels[i] &&
		       kt_ms_since(t0) < 60000)
			kt_msleep(20);
		kt_msleep(500);
		p50 = victim_p50(fd, n);
		atomic_store(&f->stop, 1);
		kt_wait_child(pid, 120000);
		snprintf(metric, sizeof(metric),
			 "handshake p50 of one user, another floods with %d threads",
			 levels[i]);
		row(metric, p50, "ms", 2);
		snprintf(metric, sizeof(metric),
			 "  ratio to no flood (%ld flood handshakes done, %ld refused by limits)",
			 atomic_load(&f->handshakes),
			 atomic_load(&f->refused));
		row(metric, p50 / base, "x", 2);
	}
	munmap(f, sizeof(*f));
	join_cgroup(CG_ROOT);
	rmdir(CG_VICTIM);
	rmdir(CG_FLOOD);
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
	bench_ntlm_memory(count("KSSPI_BENCH_CONTEXTS", 2000, div));
	bench_fairness(fd, count("KSSPI_BENCH_VICTIM", 40, div));
	close(fd);
	return 0;
}
