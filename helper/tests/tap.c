// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"

static unsigned int case_failures;

void tap_check(bool ok, const char *file, int line, const char *expr)
{
	if (ok)
		return;
	case_failures++;
	printf("# %s:%d: check failed: %s\n", file, line, expr);
}

void tap_check_eq(unsigned long long got, unsigned long long want,
		  const char *file, int line, const char *got_expr,
		  const char *want_expr)
{
	if (got == want)
		return;
	case_failures++;
	printf("# %s:%d: %s is %llu (%#llx), expected %s = %llu (%#llx)\n",
	       file, line, got_expr, got, got, want_expr, want, want);
}

int tap_run(const struct test_case *const suites[])
{
	unsigned int number = 0, failed = 0;
	const struct test_case *tc;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; suites[i]; i++) {
		for (tc = suites[i]; tc->name; tc++) {
			case_failures = 0;
			tc->run();
			number++;
			if (case_failures)
				failed++;
			printf("%sok %u - %s\n", case_failures ? "not " : "",
			       number, tc->name);
		}
	}
	printf("1..%u\n", number);
	printf("helper: %u passed, %u failed\n", number - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
