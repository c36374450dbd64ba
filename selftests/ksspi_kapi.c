// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_kapi: the in-kernel API, tested from inside the kernel.  Loads
 * $KSSPI_TOP/selftests/kapi/ksspi_kapi_test.ko with finit_module(2), reads
 * /sys/kernel/debug/ksspi_kapi_test/results (one "ok N name" or
 * "not ok N name" line per subtest, "# ..." diagnostics allowed, an
 * optional "1..N" plan) and reports every line as a harness test of its
 * own, then unloads the module and checks that it left no credential or
 * context behind.
 *
 * The subtests are only known at run time, so they are registered with
 * the harness from main() before it runs (the 6.1 harness keeps a plain
 * list of struct __test_metadata).  A missing module is a failure, not a
 * skip: KSSPI_KAPI_MODULE overrides its path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "ksspi_harness.h"

#define KAPI_MODNAME	"ksspi_kapi_test"
#define KAPI_SYSMOD	"/sys/module/" KAPI_MODNAME
#define KAPI_RESULTS	"/sys/kernel/debug/" KAPI_MODNAME "/results"

struct kapi_case {
	struct __test_metadata meta;
	char name[160];
	int ok;			/* 1 ok, 0 not ok */
	int skip;
	char reason[256];	/* why it failed to load, or the SKIP text */
	char diag[2048];	/* "# " lines that came before the result */
};

static struct {
	char path[PATH_MAX];
	bool have_stats;
	struct kt_stats before;
} kapi;

static struct kapi_case *kapi_of(struct __test_metadata *m)
{
	return (struct kapi_case *)((char *)m - offsetof(struct kapi_case,
							 meta));
}

/* The test bodies: called in the harness' child, no setjmp around them,
 * so only EXPECT_* here. */
static void kapi_result_fn(struct __test_metadata *_metadata,
			   struct __fixture_variant_metadata *variant)
{
	struct kapi_case *c = kapi_of(_metadata);

	(void)variant;
	if (c->diag[0])
		fprintf(stderr, "%s", c->diag);
	if (c->skip) {
		SKIP(return, "%s", c->reason[0] ? c->reason : "in-kernel skip");
	}
	EXPECT_EQ(1, c->ok)
		TH_LOG("in-kernel subtest '%s' failed (see its diagnostics "
		       "above and dmesg)", c->name);
}

static void kapi_fail_fn(struct __test_metadata *_metadata,
			 struct __fixture_variant_metadata *variant)
{
	struct kapi_case *c = kapi_of(_metadata);

	(void)variant;
	TH_LOG("%s", c->reason);
	_metadata->passed = 0;
}

static void kapi_unload_fn(struct __test_metadata *_metadata,
			   struct __fixture_variant_metadata *variant)
{
	struct stat st;
	long r;

	(void)variant;
	r = syscall(SYS_delete_module, KAPI_MODNAME, O_NONBLOCK);
	EXPECT_EQ(0, r) TH_LOG("delete_module(%s): %s", KAPI_MODNAME,
			       strerror(errno));
	EXPECT_NE(0, stat(KAPI_SYSMOD, &st))
		TH_LOG("%s still loaded", KAPI_MODNAME);
	if (kapi.have_stats) {
		/* what the in-kernel callers created is gone again */
		EXPECT_EQ(0, kt_wait_live(kapi.before.credentials_live,
					  kapi.before.contexts_live, 5000));
		EXPECT_EQ(kapi.before.credentials_live,
			  kt_stat("credentials_live"));
		EXPECT_EQ(kapi.before.contexts_live, kt_stat("contexts_live"));
	}
}

static struct kapi_case *kapi_add(const char *name,
				  void (*fn)(struct __test_metadata *,
					     struct __fixture_variant_metadata *))
{
	struct kapi_case *c = calloc(1, sizeof(*c));
	size_t i;

	if (!c) {
		perror("calloc");
		exit(KSFT_FAIL);
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	for (i = 0; c->name[i]; i++)
		if (c->name[i] == ' ' || c->name[i] == '\t')
			c->name[i] = '_';
	c->meta.name = c->name;
	c->meta.fn = fn;
	c->meta.fixture = &_fixture_global;
	c->meta.termsig = -1;
	c->meta.timeout = TEST_TIMEOUT_DEFAULT;
	__register_test(&c->meta);
	return c;
}

static void kapi_fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kapi_fail(const char *name, const char *fmt, ...)
{
	struct kapi_case *c = kapi_add(name, kapi_fail_fn);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

static void kapi_find_module(void)
{
	const char *env = getenv("KSSPI_KAPI_MODULE");
	const char *top = getenv("KSSPI_TOP");
	char exe[PATH_MAX - 64];
	ssize_t n;
	int up;

	if (env && *env) {
		snprintf(kapi.path, sizeof(kapi.path), "%s", env);
		return;
	}
	if (top && *top) {
		snprintf(kapi.path, sizeof(kapi.path),
			 "%s/selftests/kapi/" KAPI_MODNAME ".ko", top);
		return;
	}
	/* <top>/selftests/build/ksspi_kapi */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(kapi.path, sizeof(kapi.path),
			 "selftests/kapi/" KAPI_MODNAME ".ko");
		return;
	}
	exe[n] = 0;
	for (up = 0; up < 2; up++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = 0;
	}
	snprintf(kapi.path, sizeof(kapi.path), "%s/kapi/" KAPI_MODNAME ".ko",
		 exe);
}

/* Parse the results file into cases; returns the number of results */
static int kapi_parse(char *text, bool add, int *plan)
{
	char diag[2048] = "";
	char *line, *save = NULL;
	int count = 0;

	*plan = -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct kapi_case *c;
		char *name, *hash;
		int ok, num;

		while (*line == ' ' || *line == '\t')
			line++;
		if (sscanf(line, "1..%d", &num) == 1) {
			*plan = num;
			continue;
		}
		if (line[0] == '#') {
			size_t l = strlen(diag);

			snprintf(diag + l, sizeof(diag) - l, "# kapi: %s\n",
				 line);
			continue;
		}
		if (!strncmp(line, "not ok ", 7)) {
			ok = 0;
			name = line + 7;
		} else if (!strncmp(line, "ok ", 3)) {
			ok = 1;
			name = line + 3;
		} else {
			continue;
		}
		count++;
		if (!add)
			continue;
		/* skip the number */
		while (*name >= '0' && *name <= '9')
			name++;
		while (*name == ' ' || *name == '-')
			name++;
		hash = strchr(name, '#');
		if (hash) {
			char *end = hash;

			while (end > name && end[-1] == ' ')
				end--;
			*end = 0;
		}
		{
			char full[200];

			snprintf(full, sizeof(full), "kapi_%s",
				 *name ? name : "unnamed");
			c = kapi_add(full, kapi_result_fn);
		}
		c->ok = ok;
		if (hash) {
			char *d = hash + 1;

			while (*d == ' ')
				d++;
			if (!strncasecmp(d, "SKIP", 4)) {
				c->skip = 1;
				d += 4;
				while (*d == ' ')
					d++;
				snprintf(c->reason, sizeof(c->reason), "%s",
					 d);
			}
		}
		snprintf(c->diag, sizeof(c->diag), "%s", diag);
		diag[0] = 0;
	}
	return count;
}

static int kapi_read(char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(KAPI_RESULTS, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got + 1 < cap && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(fd);
	return (int)got;
}

static void kapi_prepare(void)
{
	static char text[1 << 20], copy[1 << 20];
	struct kapi_case *load;
	bool helper_missing;
	struct stat st;
	uint64_t t0;
	int fd, ret, plan, count, last = -1;

	kapi_find_module();
	if (stat(kapi.path, &st)) {
		kapi_fail("kapi_module_present",
			  "in-kernel API test module %s not found (%s): build "
			  "it (the ksspi build makes selftests/kapi/"
			  KAPI_MODNAME ".ko) or set KSSPI_KAPI_MODULE",
			  kapi.path, strerror(errno));
		return;
	}
	if (stat("/sys/module/ksspi", &st)) {
		kapi_fail("kapi_module_present",
			  "ksspi.ko is not loaded: " KAPI_MODNAME
			  " needs its symbols");
		return;
	}
	kapi_add("kapi_module_present", kapi_result_fn)->ok = 1;
	/* (nothing may be printed before the TAP header) */
	helper_missing = kt_ensure_helper() != 0;
	kapi.have_stats = kt_stats_read(&kapi.before) == 0;

	/* a module left behind by an earlier, interrupted run */
	if (stat(KAPI_SYSMOD, &st) == 0)
		syscall(SYS_delete_module, KAPI_MODNAME, O_NONBLOCK);

	fd = open(kapi.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kapi_fail("kapi_load", "open %s: %s", kapi.path,
			  strerror(errno));
		return;
	}
	ret = (int)syscall(SYS_finit_module, fd, "", 0);
	if (ret) {
		kapi_fail("kapi_load", "finit_module(%s): %s (see dmesg)",
			  kapi.path, strerror(errno));
		close(fd);
		return;
	}
	close(fd);
	load = kapi_add("kapi_load", kapi_result_fn);
	load->ok = 1;
	if (helper_missing)
		snprintf(load->diag, sizeof(load->diag),
			 "# warning: no ksspid registered; kapi subtests "
			 "that need the helper will fail\n");

	/*
	 * The results are expected to be complete when finit_module()
	 * returns; wait a little in case they are still being written: for
	 * the plan if there is one, else for two reads that agree.
	 */
	t0 = kt_now_ns();
	for (;;) {
		ret = kapi_read(text, sizeof(text));
		if (ret >= 0) {
			memcpy(copy, text, ret + 1);
			count = kapi_parse(copy, false, &plan);
			if (plan >= 0 ? count >= plan :
			    (count > 0 && count == last))
				break;
			last = count;
		}
		if (kt_ms_since(t0) > 30000)
			break;
		kt_msleep(200);
	}
	if (ret < 0) {
		kapi_fail("kapi_results", "%s: %s", KAPI_RESULTS,
			  strerror(-ret));
	} else {
		count = kapi_parse(text, true, &plan);
		if (count == 0)
			kapi_fail("kapi_results", "no result lines in %s",
				  KAPI_RESULTS);
		else if (plan >= 0 && count != plan)
			kapi_fail("kapi_results", "plan 1..%d but %d results",
				  plan, count);
	}
	kapi_add("kapi_unload", kapi_unload_fn);
}

int main(int argc, char **argv)
{
	kapi_prepare();
	return test_harness_run(argc, argv);
}
