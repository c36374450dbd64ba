/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi selftests: the kselftest harness plus status-aware assertions.
 *
 * Notes on the 6.1 harness these tests are written against:
 *  - every TEST/TEST_F runs in its own forked child, in its own process
 *    group; FIXTURE_TEARDOWN runs in that child, also after a failed
 *    ASSERT (but not after the harness timeout SIGKILLed it, which is why
 *    every setup re-establishes what a killed test may have left broken);
 *  - only EXPECT_* may be used in a teardown (an ASSERT there would jump
 *    back into the wrapper and run the teardown again);
 *  - ASSERT/EXPECT must only be used from the test's main thread; worker
 *    threads record what they saw and the main thread checks it.
 */
#ifndef KSSPI_HARNESS_H
#define KSSPI_HARNESS_H

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ksspi_test_util.h"

/*
 * Like the harness' own EXPECT_EQ/ASSERT_EQ (and usable with a trailing
 * handler statement the same way), but printing status names / errno
 * strings instead of bare numbers.
 */
#define __KT_STATUS(exp, seen, _assert) do { \
	uint32_t _kt_e = (exp), _kt_s = (seen); \
	if (_assert) __INC_STEP(_metadata); \
	if (_kt_e != _kt_s) { \
		__TH_LOG("Expected status %s, got %s from %s", \
			 kt_status_name(_kt_e), kt_status_name(_kt_s), \
			 #seen); \
		_metadata->passed = 0; \
		_metadata->trigger = 1; \
	} \
} while (0); OPTIONAL_HANDLER(_assert)

/* The call returned this SECURITY_STATUS (and no errno) */
#define EXPECT_STATUS(exp, seen) __KT_STATUS(exp, seen, 0)
#define ASSERT_STATUS(exp, seen) __KT_STATUS(exp, seen, 1)

#define __KT_ERRNO(err, ret, _assert) do { \
	int _kt_e = (err), _kt_r = (ret); \
	if (_assert) __INC_STEP(_metadata); \
	if (-_kt_e != _kt_r) { \
		__TH_LOG("Expected %s, got %s from %s", \
			 _kt_e ? strerror(_kt_e) : "success", \
			 _kt_r < 0 ? strerror(-_kt_r) : "success", #ret); \
		_metadata->passed = 0; \
		_metadata->trigger = 1; \
	} \
} while (0); OPTIONAL_HANDLER(_assert)

/* kt_ioctl() returned -err (err 0: success) */
#define EXPECT_ERRNO(err, ret) __KT_ERRNO(err, ret, 0)
#define ASSERT_ERRNO(err, ret) __KT_ERRNO(err, ret, 1)

/* A status-returning helper failed with this errno */
#define EXPECT_ERRNO_STATUS(err, st) \
	EXPECT_STATUS(KT_ERRNO_STATUS(err), st)

/*
 * The live object counters are back at the snapshot (wait up to 3 s: fput
 * of a closed fd may be deferred to task work).
 */
#define EXPECT_LIVE_AT(base) do { \
	struct kt_stats _kt_now; \
	kt_wait_live((base).credentials_live, (base).contexts_live, 3000); \
	EXPECT_EQ(0, kt_stats_read(&_kt_now)); \
	EXPECT_EQ((base).credentials_live, _kt_now.credentials_live) \
		TH_LOG("  credentials_live leaked"); \
	EXPECT_EQ((base).contexts_live, _kt_now.contexts_live) \
		TH_LOG("  contexts_live leaked"); \
	EXPECT_EQ((base).pkg_credentials, _kt_now.pkg_credentials); \
	EXPECT_EQ((base).pkg_contexts, _kt_now.pkg_contexts); \
} while (0)

/* Module, stats and helper present: every fixture setup starts with this */
#define KT_REQUIRE_STACK() do { \
	struct stat _kt_st; \
	ASSERT_EQ(0, stat(KT_DEV, &_kt_st)) \
		TH_LOG("%s missing: is ksspi.ko loaded?", KT_DEV); \
	ASSERT_EQ(0, stat(KT_STATS, &_kt_st)) \
		TH_LOG("%s missing: debugfs mounted, ksspi loaded?", \
		       KT_STATS); \
	ASSERT_EQ(0, kt_timeout_restore()); \
	ASSERT_EQ(0, kt_ensure_helper()) \
		TH_LOG("no helper registered and none could be started " \
		       "(KSSPID=%s)", getenv("KSSPID") ? getenv("KSSPID") : \
		       "unset"); \
} while (0)

static inline bool kt_handle_eq(const struct ksspi_handle *a,
				const struct ksspi_handle *b)
{
	return a->lower == b->lower && a->upper == b->upper;
}

#endif /* KSSPI_HARNESS_H */
