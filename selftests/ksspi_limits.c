// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_limits: one user's flood is that user's problem alone.
 *
 * Each per-user limit of the module (live credentials, live contexts,
 * unfinished handshakes, requests to the helper) and of ksspid (requests
 * waiting, workers busy) refuses the user over it with
 * SEC_E_INSUFFICIENT_MEMORY while another user's handshakes succeed; the
 * memory of a flood is charged to the flooding user's memory cgroup, whose
 * limit is hit, not the machine's.  The flooding user is "nobody" (a child
 * that dropped its privileges and opened its own /dev/ksspi); the other
 * user is root.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ksspi_harness.h"

/* The module's defaults (Documentation/architecture.rst) */
#define DEF_CREDENTIALS	1024
#define DEF_CONTEXTS	16384
#define DEF_HANDSHAKES	1024
#define DEF_UPCALLS	64

static void limits_default(void)
{
	kt_param_write("max_user_credentials", DEF_CREDENTIALS);
	kt_param_write("max_user_contexts", DEF_CONTEXTS);
	kt_param_write("max_user_handshakes", DEF_HANDSHAKES);
	kt_param_write("max_user_upcalls", DEF_UPCALLS);
}

/* What the flooding child reports */
struct flood {
	atomic_int stage;		/* 1: holding its objects; 2: done */
	atomic_int release;		/* parent: let go now */
	int drop;
	uint32_t within[32];		/* statuses within the limit */
	uint32_t over;			/* status of the one over it */
	double over_ms;
	long count;			/* memcg flood: objects made */
	uint32_t stop_status;		/* memcg flood: why it stopped */
};

static struct flood *flood_new(void)
{
	struct flood *f = kt_shared_alloc(sizeof(*f));

	if (f)
		memset(f, 0, sizeof(*f));
	return f;
}

/* Runs @fn as nobody with its own /dev/ksspi; returns the child. */
static pid_t as_nobody(struct flood *f, void (*fn)(struct flood *f, int fd))
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	f->drop = kt_drop_privileges();
	if (f->drop)
		_exit(1);
	fd = kt_open();
	if (fd < 0)
		_exit(2);
	fn(f, fd);
	atomic_store(&f->stage, 1);
	while (!atomic_load(&f->release))
		kt_msleep(10);
	close(fd);
	atomic_store(&f->stage, 2);
	_exit(0);
}

static int wait_stage(struct flood *f, int stage, int timeout_ms)
{
	uint64_t start = kt_now_ns();

	while (atomic_load(&f->stage) < stage) {
		if (kt_ms_since(start) > timeout_ms)
			return -ETIMEDOUT;
		kt_msleep(10);
	}
	return 0;
}

/* Root's handshake, while nobody is over a limit */
static uint32_t other_user_handshake(double *ms)
{
	uint64_t start = kt_now_ns();
	struct kt_hs hs;
	uint32_t st;
	int fd = kt_open();

	if (fd < 0)
		return KT_ERRNO_STATUS(-fd);
	st = kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
			KT_PASSWORD);
	if (st == SEC_E_OK)
		st = kt_hs_run(&hs);
	kt_hs_free(&hs);
	close(fd);
	if (ms)
		*ms = kt_ms_since(start);
	return st;
}

FIXTURE(limits) {
	struct kt_stats base;
};

FIXTURE_SETUP(limits)
{
	KT_REQUIRE_STACK();
	limits_default();
	ASSERT_EQ(0, kt_timeout_restore());
	ASSERT_EQ(0, kt_ensure_helper());
	ASSERT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 10000));
	ASSERT_EQ(0, kt_stats_read(&self->base));
}

FIXTURE_TEARDOWN(limits)
{
	limits_default();
	EXPECT_EQ(0, kt_timeout_restore());
	EXPECT_EQ(0, kt_ensure_helper()) TH_LOG("could not restart ksspid");
	EXPECT_LIVE_AT(self->base);
	EXPECT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 10000));
}

/* The child fills the limit (4), then goes one over. */
static void fill_credentials(struct flood *f, int fd)
{
	struct ksspi_handle h;
	int i;

	for (i = 0; i < 4; i++)
		f->within[i] = kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
					  KT_PASSWORD, &h);
	f->over = kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD,
			     &h);
}

static void fill_contexts(struct flood *f, int fd)
{
	struct ksspi_handle cred, ctx;
	int i;

	kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, &cred);
	for (i = 0; i < 3; i++)
		f->within[i] = kt_partial_ctx(fd, &cred, &ctx, NULL, NULL);
	f->over = kt_partial_ctx(fd, &cred, &ctx, NULL, NULL);
}

/* Limits checked against a flood of one kind, and root's handshake. */
static void check_flood(struct __test_metadata *_metadata,
			void (*fill)(struct flood *f, int fd), int within,
			uint32_t within_status)
{
	struct flood *f = flood_new();
	pid_t child;
	double ms;
	int i;

	ASSERT_NE(NULL, f);
	child = as_nobody(f, fill);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, wait_stage(f, 1, 60000));
	ASSERT_EQ(0, f->drop);
	for (i = 0; i < within; i++)
		EXPECT_STATUS(within_status, f->within[i]);
	EXPECT_STATUS(SEC_E_INSUFFICIENT_MEMORY, f->over);
	/* Another user notices nothing. */
	EXPECT_STATUS(SEC_E_OK, other_user_handshake(&ms));
	atomic_store(&f->release, 1);
	EXPECT_EQ(0, kt_wait_child(child, 30000));
	munmap(f, sizeof(*f));
}

TEST_F_TIMEOUT(limits, credentials_per_user, 120)
{
	ASSERT_EQ(0, kt_param_write("max_user_credentials", 4));
	check_flood(_metadata, fill_credentials, 4, SEC_E_OK);
}

TEST_F_TIMEOUT(limits, contexts_per_user, 120)
{
	ASSERT_EQ(0, kt_param_write("max_user_contexts", 3));
	check_flood(_metadata, fill_contexts, 3, SEC_I_CONTINUE_NEEDED);
}

TEST_F_TIMEOUT(limits, handshakes_per_user, 120)
{
	ASSERT_EQ(0, kt_param_write("max_user_handshakes", 3));
	check_flood(_metadata, fill_contexts, 3, SEC_I_CONTINUE_NEEDED);
}

/* A finished handshake no longer counts as unfinished. */
TEST_F_TIMEOUT(limits, established_handshakes_do_not_count, 120)
{
	struct kt_hs hs[3];
	struct ksspi_handle cred, ctx;
	int fd = kt_open(), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_param_write("max_user_handshakes", 2));
	for (i = 0; i < 3; i++) {
		ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs[i], fd, fd, KT_USER,
						   KT_PASSWORD, KT_USER,
						   KT_PASSWORD));
		/* client and server each count while unfinished */
		EXPECT_STATUS(SEC_E_OK, kt_hs_run(&hs[i]));
	}
	ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
					   KT_PASSWORD, &cred));
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(fd, &cred, &ctx, NULL, NULL));
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(fd, &cred, &ctx, NULL, NULL));
	EXPECT_STATUS(SEC_E_INSUFFICIENT_MEMORY,
		      kt_partial_ctx(fd, &cred, &ctx, NULL, NULL));
	for (i = 0; i < 3; i++)
		kt_hs_free(&hs[i]);
	close(fd);
}

/* ---- requests in flight ---- */

struct slow {
	pthread_t thread;
	int fd;
	struct ksspi_handle cred;
	uint32_t status;
	double ms;
};

static void *slow_leg(void *arg)
{
	struct slow *s = arg;
	uint64_t start = kt_now_ns();
	struct kt_isc l;
	uint8_t tok[256];

	kt_isc_init(&l, &s->cred, NULL, KT_ISC_REQ, "sleep:3000", NULL, 0,
		    tok, sizeof(tok));
	s->status = kt_isc_call(s->fd, &l);
	s->ms = kt_ms_since(start);
	return NULL;
}

/* @n slow legs at once in the child; the results in f->within[]. */
static void slow_legs(struct flood *f, int fd, int n)
{
	struct slow s[16];
	int i;

	for (i = 0; i < n; i++) {
		s[i].fd = fd;
		kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD,
			   &s[i].cred);
		pthread_create(&s[i].thread, NULL, slow_leg, &s[i]);
		kt_msleep(20);
	}
	for (i = 0; i < n; i++) {
		pthread_join(s[i].thread, NULL);
		f->within[i] = s[i].status;
		if (s[i].status == SEC_E_INSUFFICIENT_MEMORY)
			f->over_ms = s[i].ms;
	}
}

static void three_slow_legs(struct flood *f, int fd)
{
	slow_legs(f, fd, 3);
}

static void six_slow_legs(struct flood *f, int fd)
{
	slow_legs(f, fd, 6);
}

static int count_status(const struct flood *f, int n, uint32_t st)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += f->within[i] == st;
	return c;
}

TEST_F_TIMEOUT(limits, upcalls_per_user, 120)
{
	struct flood *f = flood_new();
	pid_t child;
	double ms;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, kt_param_write("max_user_upcalls", 2));
	child = as_nobody(f, three_slow_legs);
	ASSERT_LE(0, child);
	kt_msleep(500);
	/* While nobody's two legs sleep, root is served at once. */
	EXPECT_STATUS(SEC_E_OK, other_user_handshake(&ms));
	EXPECT_GT(2500.0, ms) TH_LOG("root's handshake took %.0f ms", ms);
	ASSERT_EQ(0, wait_stage(f, 1, 60000));
	EXPECT_EQ(2, count_status(f, 3, SEC_I_CONTINUE_NEEDED));
	EXPECT_EQ(1, count_status(f, 3, SEC_E_INSUFFICIENT_MEMORY));
	/* The one over the limit is refused at once, not after a wait. */
	EXPECT_GT(1000.0, f->over_ms);
	atomic_store(&f->release, 1);
	EXPECT_EQ(0, kt_wait_child(child, 30000));
	munmap(f, sizeof(*f));
}

/* ksspid's own limits: requests waiting and workers busy per user. */
TEST_F_TIMEOUT(limits, helper_queue_and_workers_per_user, 120)
{
	static const char *const args[] = {
		"--workers", "2", "--max-busy-per-user", "1",
		"--max-queued-per-user", "2", NULL
	};
	struct flood *f = flood_new();
	pid_t child;
	double ms;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, kt_param_write("max_user_upcalls", 0));
	ASSERT_EQ(0, kt_kill_helper(10000));
	ASSERT_EQ(0, kt_start_helper_args(15000, args));
	child = as_nobody(f, six_slow_legs);
	ASSERT_LE(0, child);
	kt_msleep(800);
	/* nobody keeps one worker busy at most: root has the other. */
	EXPECT_STATUS(SEC_E_OK, other_user_handshake(&ms));
	EXPECT_GT(2500.0, ms) TH_LOG("root's handshake took %.0f ms", ms);
	ASSERT_EQ(0, wait_stage(f, 1, 60000));
	/* one in service and two waiting were accepted, the rest refused */
	EXPECT_EQ(3, count_status(f, 6, SEC_I_CONTINUE_NEEDED));
	EXPECT_EQ(3, count_status(f, 6, SEC_E_INSUFFICIENT_MEMORY));
	atomic_store(&f->release, 1);
	EXPECT_EQ(0, kt_wait_child(child, 30000));
	munmap(f, sizeof(*f));
	kt_kill_helper(10000);
	EXPECT_EQ(0, kt_start_helper(15000));
}

/* ksspid's own limit on one user's unfinished handshakes */
TEST_F_TIMEOUT(limits, helper_sessions_per_user, 120)
{
	static const char *const args[] = {
		"--max-sessions-per-user", "3", NULL
	};

	ASSERT_EQ(0, kt_param_write("max_user_handshakes", 0));
	ASSERT_EQ(0, kt_kill_helper(10000));
	ASSERT_EQ(0, kt_start_helper_args(15000, args));
	check_flood(_metadata, fill_contexts, 3, SEC_I_CONTINUE_NEEDED);
	kt_kill_helper(10000);
	EXPECT_EQ(0, kt_start_helper(15000));
}

/* ---- memory cgroups ---- */

#define CGROOT		"/sys/fs/cgroup"
#define CGDIR		CGROOT "/ksspi-selftest"
#define CG_LIMIT	(16 << 20)
#define FLOOD_CAP	400000	/* credentials: far past the limit */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static long long read_key(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t k = strlen(key);

		if (!key[0]) {
			v = strtoll(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, k) && line[k] == ' ') {
			v = strtoll(line + k + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static int cgroup_setup(void)
{
	struct stat st;
	char limit[32];
	int err;

	if (stat(CGROOT "/cgroup.controllers", &st) < 0) {
		mkdir(CGROOT, 0755);
		if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL) < 0 &&
		    errno != EBUSY)
			return -errno;
	}
	err = write_file(CGROOT "/cgroup.subtree_control", "+memory");
	if (err)
		return err;
	if (mkdir(CGDIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(limit, sizeof(limit), "%d", CG_LIMIT);
	err = write_file(CGDIR "/memory.max", limit);
	return err ? err : write_file(CGDIR "/memory.swap.max", "0") * 0;
}

/* In the cgroup: credentials, until something refuses. */
static void flood_credentials(struct flood *f, int fd)
{
	struct ksspi_handle h;
	long i;

	for (i = 0; i < FLOOD_CAP; i++) {
		f->stop_status = kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
					    KT_PASSWORD, &h);
		if (f->stop_status != SEC_E_OK)
			break;
		f->count = i + 1;
	}
}

static long long mem_available_kb(void)
{
	return read_key("/proc/meminfo", "MemAvailable:");
}

TEST_F_TIMEOUT(limits, memory_charged_to_the_cgroup, 600)
{
	bool debug_kernel = getenv("KSSPI_DEBUG_KERNEL") != NULL;
	struct flood *f = flood_new();
	long long avail_before, avail_during, events_max, peak;
	char pid[32];
	pid_t child;
	int status;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, cgroup_setup()) TH_LOG("cannot set up a memory cgroup");
	ASSERT_EQ(0, kt_param_write("max_user_credentials", 0));
	avail_before = mem_available_kb();

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_file(CGDIR "/cgroup.procs", pid))
			_exit(3);
		as_nobody(f, flood_credentials);	/* forks again */
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(child, 10000));
	/* The grandchild is in the cgroup: wait until it holds its flood. */
	wait_stage(f, 1, 240000);
	avail_during = mem_available_kb();
	events_max = read_key(CGDIR "/memory.events", "max");
	peak = read_key(CGDIR "/memory.peak", "");
	TH_LOG("%ld credentials before %s; cgroup peak %lld KiB, %lld max events; MemAvailable %lld -> %lld KiB",
	       f->count, kt_status_name(f->stop_status), peak / 1024,
	       events_max, avail_before, avail_during);
	/* The cgroup's limit stopped it... */
	EXPECT_GT(FLOOD_CAP, f->count);
	EXPECT_LT(0, events_max);
	EXPECT_LE((long long)CG_LIMIT * 3 / 4, peak);
	/* ...refused with the SSPI status, or killed by the cgroup's OOM */
	if (atomic_load(&f->stage) >= 1)
		EXPECT_STATUS(SEC_E_INSUFFICIENT_MEMORY, f->stop_status);
	/*
	 * and the machine barely noticed.  A debug kernel adds metadata to
	 * every allocation that no cgroup pays for (kmemleak's objects,
	 * KASAN's shadow, stack depot): allow for it there, per credential.
	 */
	EXPECT_GT(40 * 1024LL + (debug_kernel ? f->count * 2 : 0),
		  avail_before - avail_during);
	atomic_store(&f->release, 1);
	kt_msleep(500);
	/* the flooder's objects went with it */
	waitpid(-1, &status, WNOHANG);
	EXPECT_EQ(0, kt_wait_live(self->base.credentials_live,
				  self->base.contexts_live,
				  debug_kernel ? 180000 : 20000));
	munmap(f, sizeof(*f));
	rmdir(CGDIR);
}

TEST_HARNESS_MAIN
