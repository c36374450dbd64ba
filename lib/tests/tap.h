/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Minimal TAP producer for the libksspi unit tests.
 */
#ifndef KSSPI_TEST_TAP_H
#define KSSPI_TEST_TAP_H

#include <stddef.h>
#include <stdint.h>

void tap_plan(int n);
int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_is_u64(uint64_t got, uint64_t want, const char *file, int line,
	       const char *what);
int tap_is_str(const char *got, const char *want, const char *file,
	       int line, const char *what);
int tap_is_mem(const void *got, const void *want, size_t n, const char *file,
	       int line, const char *what);
/* Print the plan if none was given, return the exit status */
int tap_done(void);

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is(got, want, what) \
	tap_is_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, what)
#define is_str(got, want, what) \
	tap_is_str(got, want, __FILE__, __LINE__, what)
#define is_mem(got, want, n, what) \
	tap_is_mem(got, want, n, __FILE__, __LINE__, what)
#define diag(...)	tap_diag(__VA_ARGS__)

#endif
