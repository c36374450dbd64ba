// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Failed NTLM logons (ntlm_lockout.c): the account lockout policy and the
 * per-caller limit on a clock the test sets, the options' syntax, the log
 * (rate-limited, no secrets), and whole handshakes against a locked-out
 * account and from a limited caller.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>

#include "ntlm/ntlm.h"
#include "ntlm/lockout.h"
#include "ntlm_harness.h"
#include "ntlm_tests.h"

#define S(x)	((int64_t)(x) * 1000)	/* seconds on the test's clock */

static const uint8_t acct_a[] = "A\0\0\0a";
static const uint8_t acct_b[] = "B\0\0\0b";

static struct ntlm_lockout_policy small_policy(void)
{
	struct ntlm_lockout_policy p;

	ntlm_lockout_defaults(&p);
	p.threshold = 3;
	p.window = 10;
	p.duration = 20;
	p.caller_limit = 5;
	p.caller_window = 30;
	return p;
}

/*
 * One logon of @uid against @account (NULL: unknown) at @t ms, ending in
 * @outcome if it is let through; returns the refusal.
 */
static enum ntlm_logon_refusal logon_at(uint32_t uid, const uint8_t *account,
					enum ntlm_logon_outcome outcome,
					int64_t t)
{
	struct ntlm_logon l = { .uid = uid, .pid = 42, .client = "T\\x" };
	enum ntlm_logon_refusal r = ntlm_logon_begin(&l, t);

	if (r == NTLM_LOGON_ALLOWED && account)
		r = ntlm_logon_account(&l, account, sizeof(acct_a), t);
	ntlm_logon_end(&l, r == NTLM_LOGON_ALLOWED ? outcome :
			   NTLM_LOGON_FAILED, r, t);
	return r;
}

static void test_options(void)
{
	struct ntlm_lockout_policy p;
	unsigned int v = 7;

	CHECK_EQ(ntlm_parse_duration("5", &v), 0);
	CHECK_EQ(v, 5);
	CHECK_EQ(ntlm_parse_duration("5s", &v), 0);
	CHECK_EQ(v, 5);
	CHECK_EQ(ntlm_parse_duration("2m", &v), 0);
	CHECK_EQ(v, 120);
	CHECK_EQ(ntlm_parse_duration("1h", &v), 0);
	CHECK_EQ(v, 3600);
	CHECK_EQ(ntlm_parse_duration("99999m", &v), 0);
	CHECK_EQ(v, NTLM_LOCKOUT_MAX_SECONDS);
	v = 7;
	CHECK(ntlm_parse_duration("0", &v) < 0);
	CHECK(ntlm_parse_duration("100000m", &v) < 0);
	CHECK(ntlm_parse_duration("5ms", &v) < 0);
	CHECK(ntlm_parse_duration("-5", &v) < 0);
	CHECK(ntlm_parse_duration(" 5", &v) < 0);
	CHECK(ntlm_parse_duration("", &v) < 0);
	CHECK(ntlm_parse_duration("5d", &v) < 0);
	CHECK(ntlm_parse_duration("99999999999999999999", &v) < 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(ntlm_parse_count("0", 999, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(ntlm_parse_count("999", 999, &v), 0);
	CHECK(ntlm_parse_count("1000", 999, &v) < 0);
	CHECK(ntlm_parse_count("1e3", 999, &v) < 0);
	CHECK(ntlm_parse_count("+1", 999, &v) < 0);

	ntlm_lockout_defaults(&p);
	CHECK(p.threshold == 10 && p.window == 600 && p.duration == 600);
	CHECK(ntlm_lockout_policy_error(&p) == NULL);
	p.window = 601;		/* Windows: reset-after <= duration */
	CHECK(ntlm_lockout_policy_error(&p) != NULL);
	ntlm_lockout_defaults(&p);
	p.threshold = 1000;
	CHECK(ntlm_lockout_policy_error(&p) != NULL);
	ntlm_lockout_defaults(&p);
	p.caller_window = 0;
	CHECK(ntlm_lockout_policy_error(&p) != NULL);
}

/*
 * THRESHOLD failures lock the account for DURATION, the right password
 * included; then it is released.  Failures farther apart than WINDOW do
 * not add up; a proven logon clears the count; attempts against a locked
 * account do not extend the lockout; other accounts are not affected.
 */
static void test_account_lockout(void)
{
	struct ntlm_lockout_policy p = small_policy();
	const enum ntlm_logon_outcome fail = NTLM_LOGON_FAILED;
	const enum ntlm_logon_outcome ok = NTLM_LOGON_PROVEN;

	p.caller_limit = 0;
	ntlm_lockout_setup(&p);
	CHECK_EQ(logon_at(1000, acct_a, fail, S(100)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(1000, acct_a, fail, S(101)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(1000, acct_a, fail, S(102)), NTLM_LOGON_ALLOWED);
	/* locked from 102 to 122 s, the right password too */
	CHECK_EQ(logon_at(1000, acct_a, ok, S(103)), NTLM_LOGON_LOCKED_OUT);
	CHECK_EQ(logon_at(1000, acct_b, ok, S(103)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(1000, acct_a, fail, S(110)), NTLM_LOGON_LOCKED_OUT);
	CHECK_EQ(logon_at(1000, acct_a, ok, S(122) - 1),
		 NTLM_LOGON_LOCKED_OUT);
	CHECK_EQ(logon_at(1000, acct_a, ok, S(122)), NTLM_LOGON_ALLOWED);
	/* released with a clean count: two failures do not lock it again */
	CHECK_EQ(logon_at(1000, acct_a, fail, S(123)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(1000, acct_a, fail, S(124)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(1000, acct_a, ok, S(125)), NTLM_LOGON_ALLOWED);

	/* the observation window: failures 10 s apart start again */
	ntlm_lockout_setup(&p);
	logon_at(1000, acct_a, fail, S(200));
	logon_at(1000, acct_a, fail, S(201));
	logon_at(1000, acct_a, fail, S(211));	/* 10 s after: count 1 */
	logon_at(1000, acct_a, fail, S(215));	/* 2 */
	CHECK_EQ(logon_at(1000, acct_a, ok, S(216)), NTLM_LOGON_ALLOWED);

	/* a proven logon clears the count */
	ntlm_lockout_setup(&p);
	logon_at(1000, acct_a, fail, S(300));
	logon_at(1000, acct_a, fail, S(301));
	logon_at(1000, acct_a, ok, S(302));
	logon_at(1000, acct_a, fail, S(303));
	logon_at(1000, acct_a, fail, S(304));
	CHECK_EQ(logon_at(1000, acct_a, ok, S(305)), NTLM_LOGON_ALLOWED);

	/* no lockout with threshold 0 */
	p.threshold = 0;
	ntlm_lockout_setup(&p);
	for (int i = 0; i < 50; i++)
		logon_at(1000, acct_a, fail, S(400 + i));
	CHECK_EQ(logon_at(1000, acct_a, ok, S(450)), NTLM_LOGON_ALLOWED);
}

/*
 * Attempts in progress count: with two failures and a third attempt under
 * way, a fourth concurrent attempt is refused, so that parallel guesses
 * cannot overshoot the threshold.
 */
static void test_concurrent_attempts(void)
{
	struct ntlm_lockout_policy p = small_policy();
	struct ntlm_logon l1 = { .uid = 1000 }, l2 = { .uid = 1000 };

	ntlm_lockout_setup(&p);
	logon_at(1000, acct_a, NTLM_LOGON_FAILED, S(10));
	logon_at(1000, acct_a, NTLM_LOGON_FAILED, S(11));
	CHECK_EQ(ntlm_logon_begin(&l1, S(12)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(ntlm_logon_account(&l1, acct_a, sizeof(acct_a), S(12)),
		 NTLM_LOGON_ALLOWED);
	CHECK_EQ(ntlm_logon_begin(&l2, S(12)), NTLM_LOGON_ALLOWED);
	CHECK_EQ(ntlm_logon_account(&l2, acct_a, sizeof(acct_a), S(12)),
		 NTLM_LOGON_ACCOUNT_BUSY);
	ntlm_logon_end(&l2, NTLM_LOGON_FAILED, NTLM_LOGON_ACCOUNT_BUSY,
		       S(12));
	ntlm_logon_end(&l1, NTLM_LOGON_FAILED, NTLM_LOGON_ALLOWED, S(12));
	CHECK_EQ(logon_at(1000, acct_a, NTLM_LOGON_PROVEN, S(13)),
		 NTLM_LOGON_LOCKED_OUT);

	/* an undecided attempt (MIC altered) neither counts nor clears */
	ntlm_lockout_setup(&p);
	logon_at(1000, acct_a, NTLM_LOGON_FAILED, S(20));
	logon_at(1000, acct_a, NTLM_LOGON_FAILED, S(21));
	logon_at(1000, acct_a, NTLM_LOGON_UNDECIDED, S(22));
	logon_at(1000, acct_a, NTLM_LOGON_FAILED, S(23));
	CHECK_EQ(logon_at(1000, acct_a, NTLM_LOGON_PROVEN, S(24)),
		 NTLM_LOGON_LOCKED_OUT);
}

/*
 * A uid with LIMIT failures in CALLER_WINDOW is refused until the window,
 * which starts at its first failure, ends; unknown accounts and locked-out
 * accounts count.  Root, in-kernel callers and exempt uids are never
 * limited; other uids are not affected.
 */
static void test_caller_limit(void)
{
	struct ntlm_lockout_policy p = small_policy();
	struct ntlm_logon k = { .uid = 1000, .kernel = true };
	int i;

	p.exempt[p.exempt_count++] = 2000;
	ntlm_lockout_setup(&p);
	for (i = 0; i < 5; i++)
		CHECK_EQ(logon_at(1000, NULL, NTLM_LOGON_FAILED, S(50 + i)),
			 NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(1000, acct_a, NTLM_LOGON_PROVEN, S(60)),
		 NTLM_LOGON_CALLER_LIMITED);
	CHECK_EQ(logon_at(1001, acct_a, NTLM_LOGON_PROVEN, S(60)),
		 NTLM_LOGON_ALLOWED);
	CHECK_EQ(ntlm_logon_begin(&k, S(60)), NTLM_LOGON_ALLOWED);
	ntlm_logon_end(&k, NTLM_LOGON_FAILED, NTLM_LOGON_ALLOWED, S(60));
	CHECK_EQ(logon_at(1000, acct_a, NTLM_LOGON_PROVEN, S(80) - 1),
		 NTLM_LOGON_CALLER_LIMITED);
	CHECK_EQ(logon_at(1000, acct_a, NTLM_LOGON_PROVEN, S(80)),
		 NTLM_LOGON_ALLOWED);
	for (i = 0; i < 40; i++) {
		logon_at(0, NULL, NTLM_LOGON_FAILED, S(100));
		logon_at(2000, NULL, NTLM_LOGON_FAILED, S(100));
	}
	CHECK_EQ(logon_at(0, NULL, NTLM_LOGON_FAILED, S(100)),
		 NTLM_LOGON_ALLOWED);
	CHECK_EQ(logon_at(2000, NULL, NTLM_LOGON_FAILED, S(100)),
		 NTLM_LOGON_ALLOWED);

	/*
	 * Logons refused for a lockout count for the caller whatever the
	 * password: else the caller's limit would tell a right guess.
	 */
	ntlm_lockout_setup(&p);
	for (i = 0; i < 3; i++)
		logon_at(1002, acct_b, NTLM_LOGON_FAILED, S(200));
	CHECK_EQ(logon_at(1000, acct_b, NTLM_LOGON_PROVEN, S(201)),
		 NTLM_LOGON_LOCKED_OUT);
	CHECK_EQ(logon_at(1000, acct_b, NTLM_LOGON_PROVEN, S(201)),
		 NTLM_LOGON_LOCKED_OUT);
	for (i = 0; i < 3; i++)
		logon_at(1000, NULL, NTLM_LOGON_FAILED, S(202));
	CHECK_EQ(logon_at(1000, acct_a, NTLM_LOGON_PROVEN, S(203)),
		 NTLM_LOGON_CALLER_LIMITED);
}

/* Many accounts and callers, each with a failure that expires: swept */
static void test_sweep(void)
{
	struct ntlm_lockout_policy p = small_policy();
	uint8_t key[8];
	uint32_t i;

	ntlm_lockout_setup(&p);
	for (i = 0; i < 5000; i++) {
		struct ntlm_logon l = { .uid = 10000 + i };

		memcpy(key, &i, sizeof(i));
		memcpy(key + 4, "acct", 4);
		/* each at its own time: the older ones are dead by then */
		CHECK_EQ(ntlm_logon_begin(&l, S(1000 + i)),
			 NTLM_LOGON_ALLOWED);
		ntlm_logon_account(&l, key, sizeof(key), S(1000 + i));
		ntlm_logon_end(&l, NTLM_LOGON_FAILED, NTLM_LOGON_ALLOWED,
			       S(1000 + i));
	}
	/* still counted where it should be */
	CHECK_EQ(logon_at(14999, NULL, NTLM_LOGON_FAILED, S(5999)),
		 NTLM_LOGON_ALLOWED);
	ntlm_lockout_cleanup();
}

static void test_log_name(void)
{
	char out[128];
	char long_name[200];

	ntlm_log_name("TESTDOM\\alice", out, sizeof(out));
	CHECK(strcmp(out, "TESTDOM\\alice") == 0);
	ntlm_log_name("a\nb\x1b[31m\x7f", out, sizeof(out));
	CHECK(strcmp(out, "a\\x0ab\\x1b[31m\\x7f") == 0);
	ntlm_log_name(NULL, out, sizeof(out));
	CHECK(strcmp(out, "(none)") == 0);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	long_name[63] = '\xc3';		/* a character across the cut */
	long_name[64] = '\xa9';
	ntlm_log_name(long_name, out, sizeof(out));
	CHECK_EQ(strlen(out), 65 + 3);
	CHECK(strcmp(out + 65, "...") == 0);
	ntlm_log_name(long_name, out, 8);
	CHECK_EQ(strlen(out), 3);
}

/* Runs @fn with stderr (the log) into a file; returns what it wrote. */
static char *capture_log(void (*fn)(void))
{
	char path[] = "/tmp/ksspi-ntlm-log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *text;
	off_t len;

	if (fd < 0 || saved < 0)
		abort();
	unlink(path);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = lseek(fd, 0, SEEK_END);
	text = calloc(1, (size_t)len + 1);
	if (!text || pread(fd, text, (size_t)len, 0) != len)
		abort();
	close(fd);
	return text;
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

/* Whole handshakes: wrong passwords of alice, then the right one */
static uint32_t handshake(const char *password, uint32_t uid)
{
	struct hs h = { .user = T_USER, .domain = T_DOMAIN,
			.password = password, .server_uid = uid };
	uint32_t status;

	ntlm_handshake(&h);
	status = h.done.status;
	ntlm_handshake_free(&h);
	return status;
}

static void failures_burst(void)
{
	int i;

	for (i = 0; i < 30; i++)
		handshake("Wr0ng!", 1000 + i);
}

/*
 * Through the package: three wrong passwords lock alice out, the right
 * one is then refused (SEC_E_LOGON_DENIED, as Windows answers a locked
 * account) until the lockout ends (1 s here); the log names the failures
 * and the lockout, at most 10 lines in 10 s, and never the password, its
 * hash or the response.
 */
static void test_handshake_lockout(void)
{
	struct ntlm_lockout_policy p;
	struct ntlm_options o = { .lockout = &p };
	char *log;

	ntlm_lockout_defaults(&p);
	p.threshold = 3;
	p.window = 1;
	p.duration = 1;
	ntlm_test_server_setup_opts(&o);
	CHECK_EQ(handshake(T_PASSWORD, 1000), SEC_E_OK);
	CHECK_EQ(handshake("Wr0ng!", 1000), SEC_E_LOGON_DENIED);
	CHECK_EQ(handshake("Wr0ng!", 1001), SEC_E_LOGON_DENIED);
	CHECK_EQ(handshake("Wr0ng!", 1002), SEC_E_LOGON_DENIED);
	CHECK_EQ(handshake(T_PASSWORD, 1000), SEC_E_LOGON_DENIED);
	CHECK_EQ(handshake(T_PASSWORD, 0), SEC_E_LOGON_DENIED);
	usleep(1100 * 1000);
	CHECK_EQ(handshake(T_PASSWORD, 1000), SEC_E_OK);

	/* The log of 30 failures from 30 uids, no lockout */
	p.duration = 600;
	p.window = 600;
	p.threshold = 100;
	ntlm_test_server_setup_opts(&o);
	log = capture_log(failures_burst);
	CHECK_EQ(count(log, "NTLM: logon failure for TESTDOM\\alice: "
			    "wrong password (uid 1000, pid 0)"), 1);
	CHECK(count(log, "NTLM: logon") <= 10);
	CHECK(!strstr(log, "Wr0ng"));
	CHECK(!strstr(log, "Passw0rd"));
	free(log);
	ntlm_test_server_setup(false, NULL, 0);
}

/* A caller over its limit is refused even with the right password */
static void test_handshake_caller_limit(void)
{
	struct ntlm_lockout_policy p;
	struct ntlm_options o = { .lockout = &p };
	int i;

	ntlm_lockout_defaults(&p);
	p.threshold = 0;
	p.caller_limit = 4;
	p.caller_window = 1;
	ntlm_test_server_setup_opts(&o);
	for (i = 0; i < 4; i++)
		CHECK_EQ(handshake("Wr0ng!", 1000), SEC_E_LOGON_DENIED);
	CHECK_EQ(handshake(T_PASSWORD, 1000), SEC_E_LOGON_DENIED);
	CHECK_EQ(handshake(T_PASSWORD, 1001), SEC_E_OK);
	CHECK_EQ(handshake(T_PASSWORD, 0), SEC_E_OK);
	usleep(1100 * 1000);
	CHECK_EQ(handshake(T_PASSWORD, 1000), SEC_E_OK);
	ntlm_test_server_setup(false, NULL, 0);
}

const struct test_case ntlm_lockout_tests[] = {
	{ "ntlm lockout: option syntax and policy checks", test_options },
	{ "ntlm lockout: threshold, window, duration, success resets",
	  test_account_lockout },
	{ "ntlm lockout: attempts in progress count; undecided ones do not",
	  test_concurrent_attempts },
	{ "ntlm lockout: per-caller limit; root, kernel, exempt uids",
	  test_caller_limit },
	{ "ntlm lockout: dead counters swept, live ones kept", test_sweep },
	{ "ntlm lockout: names in the log escaped and cut", test_log_name },
	{ "ntlm lockout: handshakes: locked out, released; log rate-limited, "
	  "no secrets", test_handshake_lockout },
	{ "ntlm lockout: handshakes: a caller over its limit",
	  test_handshake_caller_limit },
	{ NULL, NULL },
};
