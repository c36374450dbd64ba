/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal TAP harness: each test case is one TAP line; a failed CHECK
 * prints a diagnostic and fails the case.
 */
#ifndef KSSPID_TESTS_TAP_H
#define KSSPID_TESTS_TAP_H

#include <stdbool.h>

struct test_case {
	const char *name;
	void (*run)(void);
};

void tap_check(bool ok, const char *file, int line, const char *expr);
void tap_check_eq(unsigned long long got, unsigned long long want,
		  const char *file, int line, const char *got_expr,
		  const char *want_expr);

#define CHECK(expr) tap_check((expr), __FILE__, __LINE__, #expr)
#define CHECK_EQ(got, want) \
	tap_check_eq((unsigned long long)(got), (unsigned long long)(want), \
		     __FILE__, __LINE__, #got, #want)

/* Runs every case of every suite; returns the process exit status. */
int tap_run(const struct test_case *const suites[]);

/* Suites, each ending with an empty entry */
extern const struct test_case message_tests[];
extern const struct test_case ctxblob_tests[];
extern const struct test_case session_tests[];
extern const struct test_case pkg_test_tests[];
extern const struct test_case request_tests[];
extern const struct test_case session_cache_tests[];
extern const struct test_case tls_tests[];
extern const struct test_case tsrequest_tests[];
extern const struct test_case spnego_tests[];
extern const struct test_case spnego_kdc_memory_tests[];
extern const struct test_case spnego_first_token_tests[];

#endif /* KSSPID_TESTS_TAP_H */
