// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_channel: the helper channel as an attacker and as a flood see it.
 *
 *  - port_id_race: an unprivileged process binds every port id the
 *    helper's sockets had, each time the helper is SIGKILLed, across
 *    hundreds of restarts while other processes run handshakes with a
 *    marker password; it must never receive a byte, nor join the wake-up
 *    group.
 *  - releases_survive_65536_handshakes: closing a file with 65,536
 *    unfinished handshakes releases every one of their helper sessions.
 *  - cancelled_sleeps_free_workers: requests whose callers gave up stop
 *    holding the helper's workers.
 *  - wake_ups_coalesce_per_queue: the test plays the helper; a queue of
 *    requests costs one wake-up, fetches count down what remains, and
 *    notices have their own wake-up and count.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netlink.h>

#include "ksspi_harness.h"

#define MARKER		"Marker-5f3a9c-secret"
#define MAX_PORTS	64
#define HELPER_LOG	"/tmp/ksspid-channel.log"

/* ---- the helper's sockets, as /proc shows them to root ---- */

/* Inodes of the sockets process @pid holds; their count. */
static int socket_inodes(long long pid, unsigned long *inodes, int max)
{
	char path[64], link[64];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%lld/fd", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < max) {
		char fdpath[400];
		ssize_t len;

		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		len = readlink(fdpath, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inodes[n]) == 1)
			n++;
	}
	closedir(dir);
	return n;
}

/* The generic netlink port ids of process @pid's sockets. */
static int helper_portids(long long pid, uint32_t *ports, int max)
{
	unsigned long inodes[256], inode;
	int ninodes = socket_inodes(pid, inodes, 256), n = 0, i;
	char line[512];
	FILE *f = fopen("/proc/net/netlink", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned int proto, portid;
		unsigned long long sk;

		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%llx %u %u %*x %*u %*u %*u %*u %*u %lu", &sk,
			   &proto, &portid, &inode) != 4 ||
		    proto != NETLINK_GENERIC)
			continue;
		for (i = 0; i < ninodes; i++)
			if (inodes[i] == inode)
				ports[n++] = portid;
	}
	fclose(f);
	return n;
}

/* ---- the attacker ---- */

struct race {
	atomic_int stop;
	atomic_int round;		/* bumped when new ports are to grab */
	int wake_group;			/* the multicast group's id */
	uint32_t ports[MAX_PORTS];
	atomic_int nports;
	/* what the attacker achieved */
	atomic_long binds;		/* port ids it managed to bind */
	atomic_long bytes;		/* anything it received */
	atomic_long marker;		/* requests with the marker it saw */
	atomic_int join_errno;		/* joining the wake group */
	atomic_int ready;
	/* the load */
	atomic_long legs_ok, legs_failed;
};

static bool has_marker(const uint8_t *buf, ssize_t len)
{
	size_t m = strlen(MARKER);
	ssize_t i;

	for (i = 0; i + (ssize_t)m <= len; i++)
		if (!memcmp(buf + i, MARKER, m))
			return true;
	return false;
}

/* Read whatever arrived on the held sockets. */
static void drain(struct race *r, const int *socks, int n)
{
	uint8_t buf[65536];
	int i;

	for (i = 0; i < n; i++) {
		ssize_t len;

		while ((len = recv(socks[i], buf, sizeof(buf),
				   MSG_DONTWAIT)) > 0 ||
		       (len < 0 && errno == ENOBUFS)) {
			if (len < 0)
				continue;
			atomic_fetch_add(&r->bytes, len);
			if (has_marker(buf, len))
				atomic_fetch_add(&r->marker, 1);
		}
	}
}

static void attacker(struct race *r)
{
	int socks[MAX_PORTS * 4], nsocks = 0, seen_round = 0, i, s, g;

	if (kt_drop_privileges())
		_exit(1);
	/* The wake-ups are none of its business either. */
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	g = r->wake_group;
	if (s >= 0 && setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
				 sizeof(g)) < 0)
		atomic_store(&r->join_errno, errno);
	if (s >= 0)
		socks[nsocks++] = s;
	atomic_store(&r->ready, 1);

	while (!atomic_load(&r->stop)) {
		int round = atomic_load(&r->round);
		int n = atomic_load(&r->nports);

		if (round != seen_round) {
			/* Grab the dead helper's port ids as they free up. */
			uint64_t start = kt_now_ns();
			bool pending[MAX_PORTS];

			seen_round = round;
			for (i = 0; i < n; i++)
				pending[i] = true;
			while (kt_ms_since(start) < 500) {
				int left = 0;

				for (i = 0; i < n && nsocks < MAX_PORTS * 4;
				     i++) {
					struct sockaddr_nl a = {
						.nl_family = AF_NETLINK,
						.nl_pid = r->ports[i],
					};

					if (!pending[i])
						continue;
					s = socket(AF_NETLINK,
						   SOCK_RAW | SOCK_CLOEXEC,
						   NETLINK_GENERIC);
					if (s < 0)
						continue;
					if (bind(s, (struct sockaddr *)&a,
						 sizeof(a)) == 0) {
						socks[nsocks++] = s;
						pending[i] = false;
						atomic_fetch_add(&r->binds, 1);
					} else {
						close(s);
						left++;
					}
				}
				drain(r, socks, nsocks);
				if (!left)
					break;
			}
		}
		drain(r, socks, nsocks);
		/* Keep at most the last rounds' sockets. */
		if (nsocks > MAX_PORTS * 3) {
			for (i = 1; i < nsocks - MAX_PORTS; i++)
				close(socks[i]);
			memmove(socks + 1, socks + nsocks - MAX_PORTS,
				MAX_PORTS * sizeof(int));
			nsocks = MAX_PORTS + 1;
		}
		usleep(200);
	}
	drain(r, socks, nsocks);
	_exit(0);
}

/* A process running handshakes whose password carries the marker. */
static void load(struct race *r)
{
	struct kt_hs hs;
	int fd = kt_open();

	if (fd < 0 || kt_hs_init(&hs, fd, fd, KT_USER, MARKER, KT_USER,
				 MARKER) != SEC_E_OK)
		_exit(1);
	while (!atomic_load(&r->stop)) {
		if (kt_hs_run(&hs) == SEC_E_OK) {
			atomic_fetch_add(&r->legs_ok, 1);
		} else {
			/* no helper for a moment: do not starve its restart */
			atomic_fetch_add(&r->legs_failed, 1);
			kt_msleep(5);
		}
		kt_hs_delete(&hs);
	}
	kt_hs_free(&hs);
	_exit(0);
}

/* The "wake" group id of the "ksspi" family, from nlctrl. */
static int wake_group_id(void)
{
	int s = kt_genl_open(), id;

	if (s < 0)
		return s;
	id = kt_genl_group(s, KSSPI_GENL_NAME, KSSPI_MCGRP_WAKE);
	close(s);
	return id;
}

FIXTURE(channel) {
	struct kt_stats base;
};

FIXTURE_SETUP(channel)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_timeout_restore());
	ASSERT_EQ(0, kt_ensure_helper());
	ASSERT_EQ(0, kt_wait_stat("upcalls_in_flight", 0, 10000));
	ASSERT_EQ(0, kt_stats_read(&self->base));
}

FIXTURE_TEARDOWN(channel)
{
	EXPECT_EQ(0, kt_timeout_restore());
	EXPECT_EQ(0, kt_param_write("max_user_handshakes", 1024));
	EXPECT_EQ(0, kt_param_write("max_user_contexts", 16384));
	/* back to a helper with the default options */
	kt_kill_helper(10000);
	EXPECT_EQ(0, kt_start_helper(15000)) TH_LOG("could not restart ksspid");
	EXPECT_LIVE_AT(self->base);
}

TEST_F_TIMEOUT(channel, port_id_race, 600)
{
	static const char *const two_workers[] = { "--workers", "2", NULL };
	struct race *r = kt_shared_alloc(sizeof(*r));
	long restarts = kt_env_long("KSSPI_RACE_RESTARTS", 200), i;
	pid_t att, loaders[3];
	unsigned int l;

	ASSERT_NE(NULL, r);
	r->wake_group = wake_group_id();
	ASSERT_LT(0, r->wake_group)
		TH_LOG("no \"%s\" group: %s", KSSPI_MCGRP_WAKE,
		       strerror(-r->wake_group));
	att = fork();
	ASSERT_LE(0, att);
	if (att == 0)
		attacker(r);
	for (l = 0; l < 3; l++) {
		loaders[l] = fork();
		ASSERT_LE(0, loaders[l]);
		if (loaders[l] == 0)
			load(r);
	}
	while (!atomic_load(&r->ready))
		kt_msleep(5);

	for (i = 0; i < restarts; i++) {
		long long pid = kt_helper_pid();
		uint32_t ports[MAX_PORTS];
		int n;

		ASSERT_LT(0, pid);
		/* Let some requests get queued, fetched and in flight. */
		kt_msleep(20 + (unsigned int)(i % 5) * 10);
		n = helper_portids(pid, ports, MAX_PORTS);
		ASSERT_LT(0, n);
		memcpy(r->ports, ports, n * sizeof(ports[0]));
		atomic_store(&r->nports, n);
		atomic_fetch_add(&r->round, 1);
		ASSERT_EQ(0, kill((pid_t)pid, SIGKILL));
		ASSERT_EQ(0, kt_wait_stat("helper_pid", 0, 10000));
		ASSERT_EQ(0, kt_start_helper_args(15000, two_workers));
	}
	kt_msleep(500);
	atomic_store(&r->stop, 1);
	for (l = 0; l < 3; l++)
		EXPECT_EQ(0, kt_wait_child(loaders[l], 60000));
	EXPECT_EQ(0, kt_wait_child(att, 30000));

	TH_LOG("%ld restarts: the attacker bound %ld old port ids, received %ld bytes; %ld handshakes done, %ld failed",
	       restarts, atomic_load(&r->binds), atomic_load(&r->bytes),
	       atomic_load(&r->legs_ok), atomic_load(&r->legs_failed));
	/* It did hold the numbers: a leak would have reached it. */
	EXPECT_LT(restarts / 2, atomic_load(&r->binds));
	EXPECT_EQ(0, atomic_load(&r->bytes));
	EXPECT_EQ(0, atomic_load(&r->marker));
	EXPECT_EQ(EPERM, atomic_load(&r->join_errno))
		TH_LOG("an unprivileged process joined the wake-up group");
	/* The load ran, and survived the restarts. */
	EXPECT_LT(restarts, atomic_load(&r->legs_ok));
	munmap(r, sizeof(*r));
}

/* ---- 65,536 unfinished handshakes, then close ---- */

#define MANY		65536
#define MANY_THREADS	4

struct many {
	int fd;
	struct ksspi_handle cred;
	atomic_long next;
	atomic_long ok, failed;
	uint32_t first_failure;
};

static void *many_legs(void *arg)
{
	struct many *m = arg;

	while (atomic_fetch_add(&m->next, 1) < MANY) {
		uint32_t st = kt_partial_ctx(m->fd, &m->cred, NULL, NULL, NULL);

		if (st == SEC_I_CONTINUE_NEEDED) {
			atomic_fetch_add(&m->ok, 1);
		} else {
			if (!atomic_fetch_add(&m->failed, 1))
				m->first_failure = st;
		}
	}
	return NULL;
}

/* The helper's session count, from its SIGUSR1 report; -1 when unknown. */
static long helper_sessions(void)
{
	char line[512];
	long sessions = -1, n;
	long long pid = kt_helper_pid();
	FILE *f;

	if (pid <= 0 || kill((pid_t)pid, SIGUSR1) < 0)
		return -1;
	kt_msleep(300);
	f = fopen(HELPER_LOG, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "sessions: ");

		if (p && sscanf(p, "sessions: %ld", &n) == 1)
			sessions = n;
	}
	fclose(f);
	return sessions;
}

TEST_F_TIMEOUT(channel, releases_survive_65536_handshakes, 900)
{
	static const char *const args[] = {
		"--max-sessions-per-user", "65536", NULL
	};
	pthread_t threads[MANY_THREADS];
	struct many m = { 0 };
	long sessions = -1;
	uint64_t start;
	unsigned int i;

	ASSERT_EQ(0, kt_param_write("max_user_handshakes", 0));
	ASSERT_EQ(0, kt_param_write("max_user_contexts", 0));
	unlink(HELPER_LOG);
	setenv("KSSPI_SELFTEST_HELPER_LOG", HELPER_LOG, 1);
	ASSERT_EQ(0, kt_kill_helper(10000));
	ASSERT_EQ(0, kt_start_helper_args(15000, args));

	m.fd = kt_open();
	ASSERT_LE(0, m.fd);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(m.fd, SECPKG_CRED_OUTBOUND, KT_USER,
					   KT_PASSWORD, &m.cred));
	start = kt_now_ns();
	for (i = 0; i < MANY_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, many_legs, &m));
	for (i = 0; i < MANY_THREADS; i++)
		pthread_join(threads[i], NULL);
	TH_LOG("%ld first legs in %.1f s", atomic_load(&m.ok),
	       kt_ms_since(start) / 1000.0);
	ASSERT_EQ(MANY, atomic_load(&m.ok))
		TH_LOG("%ld legs failed, the first with %s",
		       atomic_load(&m.failed), kt_status_name(m.first_failure));
	EXPECT_EQ(MANY, helper_sessions());

	/* Every one of them is released, none waits for the idle expiry. */
	close(m.fd);
	start = kt_now_ns();
	while (kt_ms_since(start) < 120000) {
		sessions = helper_sessions();
		if (sessions == 0)
			break;
		kt_msleep(500);
	}
	TH_LOG("released in %.1f s", kt_ms_since(start) / 1000.0);
	EXPECT_EQ(0, sessions);
	EXPECT_EQ(0, kt_stat("notices_queued"));
	unsetenv("KSSPI_SELFTEST_HELPER_LOG");
}

/* ---- cancelled requests stop holding workers ---- */

struct sleeper {
	pthread_t thread;
	int fd;
	struct ksspi_handle cred;
	uint32_t status;
};

static void *sleep_leg(void *arg)
{
	struct sleeper *s = arg;
	struct kt_isc l;
	uint8_t tok[256];

	kt_isc_init(&l, &s->cred, NULL, KT_ISC_REQ, "sleep:20000", NULL, 0,
		    tok, sizeof(tok));
	s->status = kt_isc_call(s->fd, &l);
	return NULL;
}

TEST_F_TIMEOUT(channel, cancelled_sleeps_free_workers, 120)
{
	static const char *const args[] = {
		"--workers", "2", "--max-busy-per-user", "2", NULL
	};
	struct sleeper s[4];
	struct kt_hs hs;
	uint64_t start;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, kt_kill_helper(10000));
	ASSERT_EQ(0, kt_start_helper_args(15000, args));
	fd = kt_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_timeout_set(1000));
	for (i = 0; i < 4; i++) {
		s[i].fd = fd;
		ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND,
						   KT_USER, KT_PASSWORD,
						   &s[i].cred));
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL, sleep_leg,
					    &s[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(s[i].thread, NULL);
		EXPECT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY, s[i].status);
	}
	ASSERT_EQ(0, kt_timeout_restore());

	/* Both workers are free again long before the 20 s sleeps end. */
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD,
					   KT_USER, KT_PASSWORD));
	start = kt_now_ns();
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	EXPECT_GT(5000.0, kt_ms_since(start))
		TH_LOG("a handshake after the cancellations took %.0f ms",
		       kt_ms_since(start));
	kt_hs_free(&hs);
	for (i = 0; i < 4; i++)
		kt_free_cred(fd, &s[i].cred);
	close(fd);
}

/* ---- wake-ups and fetch counts, with the test as the helper ---- */

struct first_leg {
	pthread_t thread;
	int fd;
	struct ksspi_handle cred;
	uint32_t status;
};

static void *first_leg_fn(void *arg)
{
	struct first_leg *f = arg;
	struct kt_isc l;
	uint8_t tok[256];

	kt_isc_init(&l, &f->cred, NULL, KT_ISC_REQ, "host/wake", NULL, 0,
		    tok, sizeof(tok));
	f->status = kt_isc_call(f->fd, &l);
	return NULL;
}

static void *ping_fn(void *arg)
{
	char echo[16];

	*(ssize_t *)arg = kt_ping("ok", 2, echo, sizeof(echo));
	return NULL;
}

TEST_F_TIMEOUT(channel, wake_ups_coalesce_per_queue, 120)
{
	enum { LEGS = 8 };
	struct first_leg legs[LEGS];
	uint64_t ids[LEGS], id;
	uint32_t what = 0, queued = 0;
	int reg, ev, family, group, fd;
	pthread_t pinger;
	ssize_t ping_ret = 0;
	unsigned int i;

	ASSERT_EQ(0, kt_kill_helper(10000));
	reg = kt_genl_open();
	ev = kt_genl_open();
	ASSERT_LE(0, reg);
	ASSERT_LE(0, ev);
	family = kt_genl_family(reg, KSSPI_GENL_NAME);
	group = kt_genl_group(reg, KSSPI_GENL_NAME, KSSPI_MCGRP_WAKE);
	ASSERT_LT(0, family);
	ASSERT_LT(0, group);
	ASSERT_EQ(0, setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&group, sizeof(group)));
	ASSERT_EQ(0, kt_genl_ksspi_cmd(reg, family,
				       KSSPI_CMD_HELPER_REGISTER));
	fd = kt_open();
	ASSERT_LE(0, fd);

	for (i = 0; i < LEGS; i++) {
		legs[i].fd = fd;
		ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND,
						   KT_USER, KT_PASSWORD,
						   &legs[i].cred));
		ASSERT_EQ(0, pthread_create(&legs[i].thread, NULL,
					    first_leg_fn, &legs[i]));
	}
	ASSERT_EQ(0, kt_wait_stat("upcalls_in_flight", LEGS, 10000));

	/* eight queued requests, one wake-up */
	ASSERT_EQ(1, kt_genl_next_wake(ev, family, 5000, &what));
	EXPECT_EQ(KSSPI_WAKE_REQUESTS, what);
	EXPECT_EQ(0, kt_genl_next_wake(ev, family, 300, &what))
		TH_LOG("a second wake-up (%#x) for the same queue", what);

	for (i = 0; i < LEGS; i++) {
		ASSERT_EQ(0, kt_genl_fetch(reg, family, KSSPI_CMD_REQUEST_GET,
					   &ids[i], &queued));
		EXPECT_EQ(LEGS - 1 - i, queued);
	}
	EXPECT_EQ(-ENOENT, kt_genl_fetch(reg, family, KSSPI_CMD_REQUEST_GET,
					 &id, &queued));
	EXPECT_EQ(-ENOENT, kt_genl_fetch(reg, family, KSSPI_CMD_NOTICES_GET,
					 NULL, &queued));
	for (i = 0; i < LEGS; i++)
		EXPECT_EQ(0, kt_genl_answer(reg, family, ids[i],
					    SEC_I_CONTINUE_NEEDED, "leg1", 4));
	for (i = 0; i < LEGS; i++) {
		pthread_join(legs[i].thread, NULL);
		EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, legs[i].status);
	}

	/* eight unfinished handshakes closed: one wake-up for the notices */
	close(fd);
	ASSERT_EQ(1, kt_genl_next_wake(ev, family, 5000, &what));
	EXPECT_EQ(KSSPI_WAKE_NOTICES, what);
	EXPECT_EQ(0, kt_genl_fetch(reg, family, KSSPI_CMD_NOTICES_GET, NULL,
				   &queued));
	EXPECT_EQ(0, queued);
	EXPECT_EQ(-ENOENT, kt_genl_fetch(reg, family, KSSPI_CMD_NOTICES_GET,
					 NULL, &queued));

	/* the request queue was emptied: its next request wakes again */
	ASSERT_EQ(0, pthread_create(&pinger, NULL, ping_fn, &ping_ret));
	ASSERT_EQ(1, kt_genl_next_wake(ev, family, 5000, &what));
	EXPECT_EQ(KSSPI_WAKE_REQUESTS, what);
	ASSERT_EQ(0, kt_genl_fetch(reg, family, KSSPI_CMD_REQUEST_GET, &id,
				   &queued));
	EXPECT_EQ(0, queued);
	EXPECT_EQ(0, kt_genl_answer(reg, family, id, SEC_E_OK, "ok", 2));
	pthread_join(pinger, NULL);
	EXPECT_EQ(2, ping_ret);

	close(ev);
	close(reg);
}

TEST_HARNESS_MAIN
