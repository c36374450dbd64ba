// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_helper: the kernel's side of the helper daemon.  The helper is
 * killed, restarted, slowed down and timed out; large payloads travel
 * through it; an unprivileged process tries to take its place.  Every
 * test leaves a registered helper behind (the fixture teardown restarts
 * one, and every fixture setup does too in case a test was killed by the
 * harness timeout).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "ksspi_harness.h"

#define TOK_CAP		4096u
#define FAST_MS		1000.0	/* generous bound for "at once" */

FIXTURE(helper) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
};

FIXTURE_SETUP(helper)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 10000))
		TH_LOG("upcalls still in flight from an earlier test");
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
}

FIXTURE_TEARDOWN(helper)
{
	EXPECT_EQ(0, kt_timeout_restore());
	EXPECT_EQ(0, kt_ensure_helper()) TH_LOG("could not restart ksspid");
	kt_hs_free(&self->hs);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
	EXPECT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 10000));
}

/* ---- waiting callers in threads ---- */

struct kt_waiter {
	pthread_t thread;
	int kind;		/* 0: ping, 1: ISC leg 1 with a target */
	int fd;
	const struct ksspi_handle *cred;
	const char *what;	/* ping payload or target name */
	/* results */
	atomic_int done;
	ssize_t ping_ret;
	uint32_t status;
	struct ksspi_handle ctx;
	uint64_t start_ns, end_ns;
};

static void *kt_waiter_fn(void *arg)
{
	struct kt_waiter *w = arg;

	w->start_ns = kt_now_ns();
	if (w->kind == 0) {
		char echo[64];

		w->ping_ret = kt_ping(w->what, strlen(w->what), echo,
				      sizeof(echo));
	} else {
		uint8_t out[TOK_CAP];
		struct kt_isc isc;

		kt_isc_init(&isc, w->cred, NULL, KT_ISC_REQ, w->what, NULL, 0,
			    out, sizeof(out));
		w->status = kt_isc_call(w->fd, &isc);
		w->ctx = isc.a.new_context;
	}
	w->end_ns = kt_now_ns();
	atomic_store(&w->done, 1);
	return NULL;
}

static int kt_waiter_start(struct kt_waiter *w)
{
	atomic_store(&w->done, 0);
	return pthread_create(&w->thread, NULL, kt_waiter_fn, w);
}

/* Kill the helper now; returns the moment of the kill */
static uint64_t kt_kill_now(struct __test_metadata *_metadata)
{
	long long pid = kt_helper_pid();
	uint64_t t;

	if (pid <= 0) {
		TH_LOG("no helper to kill (helper_pid %lld)", pid);
		return kt_now_ns();
	}
	t = kt_now_ns();
	if (kill((pid_t)pid, SIGKILL))
		TH_LOG("kill(%lld): %s", pid, strerror(errno));
	return t;
}

/* A context the failed first leg may or may not have handed back */
static void kt_no_orphan(struct __test_metadata *_metadata, int fd,
			 long long before, struct ksspi_handle *maybe)
{
	long long now = kt_stat("contexts_live");

	if (now == before + 1) {
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(fd, maybe))
			TH_LOG("  a context was created but not handed back");
	} else {
		EXPECT_EQ(before, now);
	}
}

TEST_F_TIMEOUT(helper, no_helper_fails_fast, 90)
{
	uint8_t t1[TOK_CAP], out[TOK_CAP];
	uint32_t l1 = sizeof(t1);
	struct ksspi_handle x;
	struct kt_isc isc;
	struct kt_asc asc;
	long long before;
	uint64_t t0;
	double ms;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &self->hs.ccred, &x, t1, &l1));
	ASSERT_EQ(0, kt_kill_helper(5000));
	ASSERT_EQ(0, kt_helper_pid());

	before = kt_stat("contexts_live");
	kt_isc_init(&isc, &self->hs.ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    out, sizeof(out));
	t0 = kt_now_ns();
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		      kt_isc_call(self->fd, &isc));
	ms = kt_ms_since(t0);
	kt_diag("ISC without a helper returned after %.3f ms", ms);
	EXPECT_GT(FAST_MS, ms);
	kt_no_orphan(_metadata, self->fd, before, &isc.a.new_context);

	before = kt_stat("contexts_live");
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, t1, l1, out,
		    sizeof(out));
	t0 = kt_now_ns();
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		      kt_asc_call(self->fd, &asc));
	EXPECT_GT(FAST_MS, kt_ms_since(t0));
	kt_no_orphan(_metadata, self->fd, before, &asc.a.new_context);

	EXPECT_EQ(-ENOTCONN, kt_ping("x", 1, NULL, 0));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));

	ASSERT_EQ(0, kt_start_helper(15000));
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
}

/*
 * A ping waits behind a sleeping leg for the helper's only worker; the
 * helper dies: both waiters return at once.
 */
TEST_F_TIMEOUT(helper, killed_during_ping, 90)
{
	static const char *const one_worker[] = { "--workers", "1", NULL };
	struct kt_waiter slow = { .kind = 1, .what = "sleep:5000" };
	struct kt_waiter w = { .kind = 0, .what = "ping" };
	uint64_t tk;
	double ms;

	ASSERT_EQ(0, kt_kill_helper(5000));
	ASSERT_EQ(0, kt_start_helper_args(15000, one_worker));
	slow.fd = self->fd;
	slow.cred = &self->hs.ccred;
	ASSERT_EQ(0, kt_waiter_start(&slow));
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", 1, 3000));
	ASSERT_EQ(0, kt_waiter_start(&w));
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", 2, 3000))
		TH_LOG("the ping never went out");
	kt_msleep(50);
	ASSERT_EQ(0, atomic_load(&w.done));
	tk = kt_kill_now(_metadata);
	pthread_join(w.thread, NULL);
	pthread_join(slow.thread, NULL);
	ms = (double)(w.end_ns - tk) / 1e6;
	kt_diag("ping waiter returned %.3f ms after the helper was killed",
		ms);
	EXPECT_EQ(-ECONNRESET, w.ping_ret)
		TH_LOG("  ping returned %zd", w.ping_ret);
	EXPECT_GT(FAST_MS, ms);
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY, slow.status);
	EXPECT_EQ(0, kt_wait_stat("helper_pid", 0, 5000));
	EXPECT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 1000));
	ASSERT_EQ(0, kt_start_helper(15000));
}

TEST_F_TIMEOUT(helper, killed_during_handshake_leg, 90)
{
	struct kt_waiter w = { .kind = 1, .what = "sleep:5000" };
	long long before = kt_stat("contexts_live");
	uint64_t tk;
	double ms;

	w.fd = self->fd;
	w.cred = &self->hs.ccred;
	ASSERT_EQ(0, kt_waiter_start(&w));
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", 1, 3000));
	kt_msleep(50);
	ASSERT_EQ(0, atomic_load(&w.done));
	tk = kt_kill_now(_metadata);
	pthread_join(w.thread, NULL);
	ms = (double)(w.end_ns - tk) / 1e6;
	kt_diag("ISC waiter returned %.3f ms after the helper was killed",
		ms);
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY, w.status);
	EXPECT_GT(FAST_MS, ms);
	kt_no_orphan(_metadata, self->fd, before, &w.ctx);
	ASSERT_EQ(0, kt_wait_stat("helper_pid", 0, 5000));
	ASSERT_EQ(0, kt_start_helper(15000));
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
}

TEST_F_TIMEOUT(helper, death_fails_every_waiter, 90)
{
	enum { N = 4 };
	struct kt_waiter w[N];
	long long before = kt_stat("contexts_live");
	uint64_t tk;
	double worst = 0;
	int i;

	memset(w, 0, sizeof(w));
	/* Sleeping legs, and a ping that waits behind them for a worker */
	for (i = 0; i < N; i++) {
		w[i].kind = i < N - 1;
		w[i].what = w[i].kind ? "sleep:5000" : "ping";
		w[i].fd = self->fd;
		w[i].cred = &self->hs.ccred;
		ASSERT_EQ(0, kt_waiter_start(&w[i]));
		if (!w[i].kind)
			continue;
		ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", i + 1,
					     3000));
	}
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", N, 5000))
		TH_LOG("  the helper does not take %d requests at once", N);
	tk = kt_kill_now(_metadata);
	for (i = 0; i < N; i++) {
		double ms;

		pthread_join(w[i].thread, NULL);
		ms = (double)(w[i].end_ns - tk) / 1e6;
		if (ms > worst)
			worst = ms;
		if (w[i].kind == 0) {
			EXPECT_EQ(-ECONNRESET, w[i].ping_ret);
		} else {
			EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY,
				      w[i].status);
		}
	}
	kt_diag("slowest of %d waiters returned %.3f ms after the kill", N,
		worst);
	EXPECT_GT(FAST_MS, worst);
	EXPECT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 1000));
	/* contexts the failed first legs left: none may be unreachable */
	if (kt_stat("contexts_live") > before) {
		for (i = 0; i < N - 1; i++) {
			EXPECT_STATUS(SEC_E_OK,
				      kt_delete_ctx(self->fd, &w[i].ctx));
		}
	}
	EXPECT_EQ(before, kt_stat("contexts_live"));
	ASSERT_EQ(0, kt_start_helper(15000));
}

TEST_F_TIMEOUT(helper, established_contexts_outlive_the_helper, 90)
{
	uint8_t buf[1024], *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len;
	int i;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_EQ(0, kt_kill_helper(5000));
	for (i = 0; i < 10; i++) {
		EXPECT_STATUS(SEC_E_OK,
			      kt_sign_verify(self->fd, &self->hs.cctx,
					     self->fd, &self->hs.sctx,
					     "no helper needed"));
		EXPECT_STATUS(SEC_E_OK,
			      kt_sign_verify(self->fd, &self->hs.sctx,
					     self->fd, &self->hs.cctx,
					     "nor this way"));
	}
	len = sizeof(buf);
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->hs.cctx,
					      SECPKG_ATTR_SESSION_KEY, buf,
					      &len));
	len = sizeof(buf);
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->hs.sctx,
					      SECPKG_ATTR_NAMES, buf, &len));
	len = KSSPI_MAX_CONTEXT_BLOB;
	EXPECT_STATUS(SEC_E_OK, kt_export(self->fd, &self->hs.cctx, 0, blob,
					  &len));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->hs.cctx));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->hs.sctx));
	self->hs.have_cctx = self->hs.have_sctx = false;
	ASSERT_EQ(0, kt_start_helper(15000));
	free(blob);
}

TEST_F_TIMEOUT(helper, restarted_helper_serves, 90)
{
	long long gen = kt_stat("helper_generation");
	long long pid = kt_helper_pid();
	char echo[16];

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kt_kill_helper(5000));
	ASSERT_EQ(0, kt_start_helper(15000));
	EXPECT_LT(gen, kt_stat("helper_generation"));
	EXPECT_NE(pid, kt_helper_pid());
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &self->hs.cctx,
					       self->fd, &self->hs.sctx,
					       "new helper"));
	EXPECT_EQ(5, kt_ping("hello", 5, echo, sizeof(echo)));
	EXPECT_EQ(0, memcmp(echo, "hello", 5));
}

/* Bring a handshake to the middle: client and server leg 1 done */
static void kt_half_way(struct __test_metadata *_metadata, struct kt_hs *hs,
			uint8_t *t2, uint32_t *l2)
{
	uint8_t t1[TOK_CAP];
	uint32_t l1 = sizeof(t1);
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(hs->cfd, &hs->ccred, &hs->cctx, t1, &l1));
	hs->have_cctx = true;
	kt_asc_init(&asc, &hs->scred, NULL, KT_ASC_REQ, t1, l1, t2, TOK_CAP);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(hs->sfd, &asc));
	hs->sctx = asc.a.new_context;
	hs->have_sctx = true;
	*l2 = asc.out[0].cb_buffer;
}

static void kt_next_legs_fail(struct __test_metadata *_metadata,
			      struct kt_hs *hs, uint8_t *t2, uint32_t l2)
{
	uint8_t out[TOK_CAP], t3[KT_TOKEN_HDR + 32];
	struct kt_isc isc;
	struct kt_asc asc;

	kt_isc_init(&isc, &hs->ccred, &hs->cctx, KT_ISC_REQ, NULL, t2, l2,
		    out, sizeof(out));
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		      kt_isc_call(hs->cfd, &isc));
	/* a (made-up) type 3 for the server: the check comes first */
	memset(t3, 0, sizeof(t3));
	memcpy(t3, "KTST\3", 5);
	kt_asc_init(&asc, &hs->scred, &hs->sctx, KT_ASC_REQ, t3, sizeof(t3),
		    out, sizeof(out));
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		      kt_asc_call(hs->sfd, &asc));
}

TEST_F_TIMEOUT(helper, mid_handshake_context_after_restart, 90)
{
	uint8_t t2[TOK_CAP];
	uint32_t l2 = 0;
	struct kt_hs fresh;

	kt_half_way(_metadata, &self->hs, t2, &l2);
	ASSERT_EQ(0, kt_kill_helper(5000));
	ASSERT_EQ(0, kt_start_helper(15000));
	kt_next_legs_fail(_metadata, &self->hs, t2, l2);
	/* the contexts can be deleted, and new handshakes work */
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->hs.cctx));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->hs.sctx));
	self->hs.have_cctx = self->hs.have_sctx = false;
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&fresh, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&fresh));
	kt_hs_free(&fresh);
}

TEST_F_TIMEOUT(helper, mid_handshake_context_without_helper, 90)
{
	uint8_t t2[TOK_CAP];
	uint32_t l2 = 0;

	kt_half_way(_metadata, &self->hs, t2, &l2);
	ASSERT_EQ(0, kt_kill_helper(5000));
	kt_next_legs_fail(_metadata, &self->hs, t2, l2);
	ASSERT_EQ(0, kt_start_helper(15000));
}

TEST_F_TIMEOUT(helper, slow_request_does_not_block_fast_handshake, 90)
{
	struct kt_waiter w = { .kind = 1, .what = "sleep:3000" };
	struct kt_hs fast;
	uint64_t t0;
	double fast_ms, slow_ms;
	int slow_done;

	w.fd = self->fd;
	w.cred = &self->hs.ccred;
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&fast, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_EQ(0, kt_waiter_start(&w));
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", 1, 3000));
	t0 = kt_now_ns();
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&fast));
	fast_ms = kt_ms_since(t0);
	slow_done = atomic_load(&w.done);
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &fast.cctx, self->fd,
					       &fast.sctx, "fast"));
	pthread_join(w.thread, NULL);
	slow_ms = (double)(w.end_ns - w.start_ns) / 1e6;
	kt_diag("fast handshake %.3f ms while a 3000 ms leg was pending "
		"(that one took %.3f ms)", fast_ms, slow_ms);
	EXPECT_EQ(0, slow_done) TH_LOG("  the fast handshake waited for the "
				       "slow leg");
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, w.status);
	/* the slow one really was slow, or this test proves nothing */
	EXPECT_LE(2900.0, slow_ms);
	if (w.status == SEC_I_CONTINUE_NEEDED)
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &w.ctx));
	kt_hs_free(&fast);
}

TEST_F_TIMEOUT(helper, slow_leg_does_not_block_fast_ping, 90)
{
	struct kt_waiter w = { .kind = 1, .what = "sleep:3000" };
	char echo[16];
	uint64_t t0;
	double ms;
	int i;

	w.fd = self->fd;
	w.cred = &self->hs.ccred;
	ASSERT_EQ(0, kt_waiter_start(&w));
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", 1, 3000));
	t0 = kt_now_ns();
	for (i = 0; i < 10; i++) {
		EXPECT_EQ(4, kt_ping("fast", 4, echo, sizeof(echo)));
	}
	ms = kt_ms_since(t0);
	EXPECT_EQ(0, atomic_load(&w.done));
	pthread_join(w.thread, NULL);
	kt_diag("10 pings took %.3f ms beside a 3000 ms leg", ms);
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, w.status);
	EXPECT_LE(2900.0, (double)(w.end_ns - w.start_ns) / 1e6);
	if (w.status == SEC_I_CONTINUE_NEEDED)
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &w.ctx));
}

TEST_F_TIMEOUT(helper, upcall_timeout, 90)
{
	long long timed_out = kt_stat("upcalls_timed_out");
	long long before = kt_stat("contexts_live");
	uint8_t out[TOK_CAP];
	struct kt_isc isc;
	uint64_t t0;
	double ms;

	ASSERT_LE(0, timed_out);
	ASSERT_EQ(0, kt_timeout_set(500));
	kt_isc_init(&isc, &self->hs.ccred, NULL, KT_ISC_REQ, "sleep:3000",
		    NULL, 0, out, sizeof(out));
	t0 = kt_now_ns();
	EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		      kt_isc_call(self->fd, &isc));
	ms = kt_ms_since(t0);
	kt_diag("leg timed out after %.3f ms (upcall_timeout_ms 500)", ms);
	EXPECT_LE(400.0, ms);
	EXPECT_GT(2500.0, ms);
	EXPECT_EQ(timed_out + 1, kt_stat("upcalls_timed_out"));
	kt_no_orphan(_metadata, self->fd, before, &isc.a.new_context);
	EXPECT_EQ(0, kt_timeout_restore());

	/* the late answer arrives and is dropped; the helper goes on */
	kt_msleep(3000);
	EXPECT_LT(0, kt_helper_pid());
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
}

/* A ping waiting for the only worker times out like any request. */
TEST_F_TIMEOUT(helper, upcall_timeout_ping, 90)
{
	static const char *const one_worker[] = { "--workers", "1", NULL };
	struct kt_waiter slow = { .kind = 1, .what = "sleep:3000" };
	long long saved, now = -1;
	uint64_t t0;
	ssize_t r;

	ASSERT_EQ(0, kt_kill_helper(5000));
	ASSERT_EQ(0, kt_start_helper_args(15000, one_worker));
	slow.fd = self->fd;
	slow.cred = &self->hs.ccred;
	ASSERT_EQ(0, kt_waiter_start(&slow));
	ASSERT_EQ(0, kt_wait_stat_ge("upcalls_in_flight", 1, 3000));
	ASSERT_EQ(0, kt_param_read("upcall_timeout_ms", &saved));
	ASSERT_EQ(0, kt_timeout_set(500));
	t0 = kt_now_ns();
	r = kt_ping("ping", 4, NULL, 0);
	EXPECT_EQ(-ETIMEDOUT, r);
	EXPECT_GT(2500.0, kt_ms_since(t0));
	EXPECT_EQ(0, kt_timeout_restore());
	EXPECT_EQ(0, kt_param_read("upcall_timeout_ms", &now));
	EXPECT_EQ(saved, now);
	pthread_join(slow.thread, NULL);
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, slow.status);
	if (slow.status == SEC_I_CONTINUE_NEEDED)
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &slow.ctx));
	EXPECT_EQ(2, kt_ping("ok", 2, NULL, 0));
	kt_kill_helper(5000);
	ASSERT_EQ(0, kt_start_helper(15000));
}

/* Running, not exited (a zombie nobody reaped yet counts as exited) */
static bool kt_running(long long pid)
{
	char path[64], stat[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* A second helper takes over; the first leaves at its next fetch. */
TEST_F_TIMEOUT(helper, takeover_retires_the_earlier_helper, 90)
{
	long long old = kt_helper_pid(), now;
	uint64_t t0;

	ASSERT_LT(0, old);
	ASSERT_EQ(0, kt_start_helper(15000));
	now = kt_helper_pid();
	EXPECT_NE(old, now);
	/* work wakes both; the earlier one learns it is not the helper */
	EXPECT_EQ(2, kt_ping("ok", 2, NULL, 0));
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	t0 = kt_now_ns();
	while (kt_running(old) && kt_ms_since(t0) < 10000)
		kt_msleep(50);
	EXPECT_FALSE(kt_running(old))
		TH_LOG("the replaced ksspid (pid %lld) is still running", old);
	EXPECT_EQ(now, kt_helper_pid());
}

/* ---- unprivileged registration ---- */

struct kt_genl_res {
	int done;
	int drop;
	int family;
	int reg, unreg, down, get, notices;
};

static void kt_genl_child(struct kt_genl_res *r, bool open_first)
{
	int s = -1;

	if (open_first)
		s = kt_genl_open();
	r->drop = kt_drop_privileges();
	if (r->drop)
		_exit(1);
	if (!open_first)
		s = kt_genl_open();
	if (s < 0) {
		r->family = s;
		r->done = 1;
		_exit(2);
	}
	r->family = kt_genl_family(s, KSSPI_GENL_NAME);
	if (r->family > 0) {
		r->reg = kt_genl_ksspi_cmd(s, r->family,
					   KSSPI_CMD_HELPER_REGISTER);
		r->unreg = kt_genl_ksspi_cmd(s, r->family,
					     KSSPI_CMD_HELPER_UNREGISTER);
		r->down = kt_genl_ksspi_cmd(s, r->family,
					    KSSPI_CMD_REQUEST_DONE);
		r->get = kt_genl_ksspi_cmd(s, r->family,
					   KSSPI_CMD_REQUEST_GET);
		r->notices = kt_genl_ksspi_cmd(s, r->family,
					       KSSPI_CMD_NOTICES_GET);
	}
	r->done = 1;
	_exit(0);
}

static void kt_genl_unpriv(struct __test_metadata *_metadata,
			   bool open_first)
{
	struct kt_genl_res *r = kt_shared_alloc(sizeof(*r));
	long long pid = kt_helper_pid(), gen = kt_stat("helper_generation");
	pid_t child;

	ASSERT_NE(NULL, r);
	ASSERT_LT(0, pid);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		kt_genl_child(r, open_first);
	ASSERT_EQ(0, kt_wait_child(child, 20000));
	ASSERT_EQ(0, r->drop);
	ASSERT_EQ(1, r->done);
	ASSERT_LT(0, r->family)
		TH_LOG("  generic netlink family '%s' not found: %s",
		       KSSPI_GENL_NAME, strerror(-r->family));
	EXPECT_EQ(-EPERM, r->reg)
		TH_LOG("  HELPER_REGISTER as uid %d: %s", KT_NOBODY,
		       r->reg ? strerror(-r->reg) : "accepted");
	EXPECT_EQ(-EPERM, r->unreg)
		TH_LOG("  HELPER_UNREGISTER: %s",
		       r->unreg ? strerror(-r->unreg) : "accepted");
	EXPECT_EQ(-EPERM, r->down)
		TH_LOG("  REQUEST_DONE: %s",
		       r->down ? strerror(-r->down) : "accepted");
	EXPECT_EQ(-EPERM, r->get)
		TH_LOG("  REQUEST_GET: %s",
		       r->get ? strerror(-r->get) : "accepted");
	EXPECT_EQ(-EPERM, r->notices)
		TH_LOG("  NOTICES_GET: %s",
		       r->notices ? strerror(-r->notices) : "accepted");
	/* the real helper is still the registered one */
	EXPECT_EQ(pid, kt_helper_pid());
	EXPECT_EQ(gen, kt_stat("helper_generation"));
	munmap(r, sizeof(*r));
}

TEST_F_TIMEOUT(helper, unprivileged_cannot_register, 60)
{
	kt_genl_unpriv(_metadata, false);
	EXPECT_EQ(2, kt_ping("ok", 2, NULL, 0));
}

TEST_F_TIMEOUT(helper, unprivileged_cannot_register_with_root_socket, 60)
{
	kt_genl_unpriv(_metadata, true);
	EXPECT_EQ(2, kt_ping("ok", 2, NULL, 0));
}

TEST_F(helper, upcall_counters)
{
	struct kt_stats s1, s2;

	ASSERT_EQ(0, kt_stats_read(&s1));
	ASSERT_EQ(3, kt_ping("abc", 3, NULL, 0));
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.upcalls_total + 1, s2.upcalls_total);
	EXPECT_EQ(0, s2.upcalls_in_flight);
	EXPECT_EQ(s1.upcalls_failed, s2.upcalls_failed);
	EXPECT_EQ(s1.helper_pid, s2.helper_pid);
}

/* ---- payload sizes through the debugfs ping ---- */

FIXTURE(ping) {
	uint8_t *buf, *echo;
};

FIXTURE_VARIANT(ping) {
	size_t len;
};

FIXTURE_VARIANT_ADD(ping, b1) { .len = 1 };
FIXTURE_VARIANT_ADD(ping, b64) { .len = 64 };
FIXTURE_VARIANT_ADD(ping, one_fragment) { .len = KSSPI_NL_FRAGMENT_MAX };
FIXTURE_VARIANT_ADD(ping, fragment_plus_one) {
	.len = KSSPI_NL_FRAGMENT_MAX + 1
};
FIXTURE_VARIANT_ADD(ping, k64) { .len = 64 * 1024 };
FIXTURE_VARIANT_ADD(ping, k200) { .len = 200 * 1024 };
FIXTURE_VARIANT_ADD(ping, max_token) { .len = KSSPI_MAX_TOKEN };

FIXTURE_SETUP(ping)
{
	KT_REQUIRE_STACK();
	self->buf = malloc(KSSPI_MAX_TOKEN + 1);
	self->echo = malloc(KSSPI_MAX_TOKEN + 16);
	ASSERT_NE(NULL, self->buf);
	ASSERT_NE(NULL, self->echo);
}

FIXTURE_TEARDOWN(ping)
{
	free(self->buf);
	free(self->echo);
	EXPECT_EQ(0, kt_ensure_helper());
}

TEST_F(ping, byte_exact)
{
	long long total = kt_stat("upcalls_total");
	uint64_t t0;
	ssize_t r;
	size_t i;

	kt_random(self->buf, variant->len);
	self->buf[0] = 'P';	/* not "sleep:" */
	memset(self->echo, 0, KSSPI_MAX_TOKEN + 16);
	t0 = kt_now_ns();
	r = kt_ping(self->buf, variant->len, self->echo,
		    KSSPI_MAX_TOKEN + 16);
	kt_diag("%zu bytes echoed in %.3f ms", variant->len, kt_ms_since(t0));
	ASSERT_EQ((ssize_t)variant->len, r);
	for (i = 0; i < variant->len; i++) {
		ASSERT_EQ(self->buf[i], self->echo[i])
			TH_LOG("  first difference at byte %zu", i);
	}
	EXPECT_LT(total, kt_stat("upcalls_total"));
}

TEST_F(ping, repeated_on_one_file)
{
	ssize_t n;
	int fd = open(KT_PING, O_RDWR | O_CLOEXEC), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		kt_random(self->buf, variant->len);
		self->buf[0] = 'R';
		n = write(fd, self->buf, variant->len);
		ASSERT_EQ((ssize_t)variant->len, n);
		n = pread(fd, self->echo, variant->len, 0);
		ASSERT_EQ((ssize_t)variant->len, n);
		EXPECT_EQ(0, memcmp(self->buf, self->echo, n))
			TH_LOG("  round %d: the echo is not the last write", i);
	}
	close(fd);
}

TEST_F(helper, ping_over_max_refused)
{
	uint8_t *buf = calloc(1, KSSPI_MAX_TOKEN + 1);
	ssize_t r;

	ASSERT_NE(NULL, buf);
	r = kt_ping(buf, KSSPI_MAX_TOKEN + 1, NULL, 0);
	EXPECT_GT(0, r) TH_LOG("  %d bytes accepted", KSSPI_MAX_TOKEN + 1);
	free(buf);
}

/* ---- large tokens through the handshake ---- */

FIXTURE(bigtok) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
	uint8_t *t1, *t2, *t3, *out;
};

FIXTURE_VARIANT(bigtok) {
	uint32_t payload;
};

FIXTURE_VARIANT_ADD(bigtok, k64) { .payload = 64 * 1024 };
FIXTURE_VARIANT_ADD(bigtok, k200) { .payload = 200 * 1024 };

FIXTURE_SETUP(bigtok)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	self->t1 = malloc(KSSPI_MAX_TOKEN);
	self->t2 = malloc(KSSPI_MAX_TOKEN);
	self->t3 = malloc(KSSPI_MAX_TOKEN);
	self->out = malloc(KSSPI_MAX_TOKEN);
	ASSERT_TRUE(self->t1 && self->t2 && self->t3 && self->out);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
}

FIXTURE_TEARDOWN(bigtok)
{
	kt_hs_free(&self->hs);
	free(self->t1);
	free(self->t2);
	free(self->t3);
	free(self->out);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(bigtok, type1_echoed_in_type2)
{
	uint32_t len = KT_TOKEN_HDR + variant->payload;
	struct kt_asc asc;

	memcpy(self->t1, "KTST\1", 5);
	kt_random(self->t1 + 5, len - 5);
	self->t1[KT_TOKEN_HDR] = 'P';	/* no "fail:" or "sleep:" */
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->t1, len,
		    self->t2, KSSPI_MAX_TOKEN);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &asc.a.new_context));
	ASSERT_EQ(KT_TOKEN_HDR + variant->payload, asc.out[0].cb_buffer);
	EXPECT_EQ(0, memcmp(self->t2, "KTST\2", 5));
	EXPECT_EQ(0, memcmp(self->t2 + KT_TOKEN_HDR, self->t1 + KT_TOKEN_HDR,
			    variant->payload))
		TH_LOG("  the payload did not come back byte for byte");
}

TEST_F(bigtok, output_buffer_too_small)
{
	uint32_t len = KT_TOKEN_HDR + variant->payload;
	long long before = kt_stat("contexts_live");
	struct kt_asc asc;

	memcpy(self->t1, "KTST\1", 5);
	kt_random(self->t1 + 5, len - 5);
	self->t1[KT_TOKEN_HDR] = 'P';
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->t1, len,
		    self->t2, variant->payload);	/* 21 bytes short */
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL, kt_asc_call(self->fd, &asc));
	kt_no_orphan(_metadata, self->fd, before, &asc.a.new_context);
}

TEST_F(bigtok, full_handshake_with_big_tokens)
{
	uint32_t l1 = KSSPI_MAX_TOKEN, l2, l3;
	struct kt_asc asc;
	struct kt_isc isc;

	/* the client's real type 1, with a payload appended */
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &self->hs.ccred,
				     &self->hs.cctx, self->t1, &l1));
	self->hs.have_cctx = true;
	ASSERT_EQ(KT_TOKEN_HDR, l1);
	kt_random(self->t1 + l1, variant->payload);
	self->t1[l1] = 'P';
	l1 += variant->payload;

	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->t1, l1,
		    self->t2, KSSPI_MAX_TOKEN);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	self->hs.sctx = asc.a.new_context;
	self->hs.have_sctx = true;
	l2 = asc.out[0].cb_buffer;
	ASSERT_LE(variant->payload, l2);

	/* a big token into the client */
	kt_isc_init(&isc, &self->hs.ccred, &self->hs.cctx, KT_ISC_REQ, NULL,
		    self->t2, l2, self->t3, KSSPI_MAX_TOKEN);
	ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->fd, &isc));
	l3 = isc.out[0].cb_buffer;
	kt_asc_init(&asc, &self->hs.scred, &self->hs.sctx, KT_ASC_REQ,
		    self->t3, l3, self->out, KSSPI_MAX_TOKEN);
	ASSERT_STATUS(SEC_E_OK, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &self->hs.cctx,
					       self->fd, &self->hs.sctx,
					       "after big tokens"));
}

TEST_HARNESS_MAIN
