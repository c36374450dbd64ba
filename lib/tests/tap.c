// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Minimal TAP producer for the libksspi unit tests.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static int planned = -1, run, failed;

void tap_plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
}

void tap_diag(const char *fmt, ...)
{
	/* the format is checked at the callers (tap.h) */
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static int vok(int cond, const char *file, int line, const char *fmt,
	       va_list ap) __attribute__((format(printf, 4, 0)));
static int vok(int cond, const char *file, int line, const char *fmt,
	       va_list ap)
{
	run++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", run);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vok(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

static int okf(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int okf(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vok(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

int tap_is_u64(uint64_t got, uint64_t want, const char *file, int line,
	       const char *what)
{
	if (okf(got == want, file, line, "%s", what))
		return 1;
	printf("#   got 0x%" PRIx64 " (%" PRIu64 "), want 0x%" PRIx64
	       " (%" PRIu64 ")\n", got, got, want, want);
	return 0;
}

int tap_is_str(const char *got, const char *want, const char *file,
	       int line, const char *what)
{
	int eq = (got && want) ? !strcmp(got, want) : got == want;

	if (okf(eq, file, line, "%s", what))
		return 1;
	printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)",
	       want ? want : "(null)");
	return 0;
}

int tap_is_mem(const void *got, const void *want, size_t n, const char *file,
	       int line, const char *what)
{
	int eq = got && want && !memcmp(got, want, n);

	return okf(eq, file, line, "%s", what);
}

int tap_done(void)
{
	if (planned < 0)
		printf("1..%d\n", run);
	else if (planned != run)
		printf("# planned %d tests, ran %d\n", planned, run);
	if (failed)
		printf("# %d of %d tests failed\n", failed, run);
	return (failed || (planned >= 0 && planned != run)) ? 1 : 0;
}
