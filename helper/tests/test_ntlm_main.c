// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the NTLM package (TAP), no kernel module needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ntlm/ntlm.h"
#include "ntlm_tests.h"

void unhex(const char *hex, uint8_t *out)
{
	size_t len = strlen(hex), i;

	if (len % 2)
		abort();
	for (i = 0; i < len / 2; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
}

bool bytes_are(const uint8_t *got, size_t len, const char *hex,
	       const char *file, int line, const char *expr)
{
	size_t want_len = strlen(hex) / 2, i;
	uint8_t *want = malloc(want_len + 1);
	bool ok;

	if (!want)
		abort();
	unhex(hex, want);
	ok = got && len == want_len && memcmp(got, want, len) == 0;
	if (!ok) {
		printf("# %s:%d: %s is ", file, line, expr);
		for (i = 0; got && i < len; i++)
			printf("%02x", got[i]);
		printf(" (%zu bytes)\n# %*s expected %s\n", len,
		       (int)strlen(expr), "", hex);
	}
	free(want);
	return ok;
}

int main(void)
{
	static const struct test_case *const suites[] = {
		ntlm_unicode_tests,
		ntlm_crypto_tests,
		ntlm_msg_tests,
		ntlm_userdb_tests,
		ntlm_pkg_tests,
		ntlm_hostile_tests,
		ntlm_limits_tests,
		ntlm_compat_tests,
		ntlm_lockout_tests,
		NULL,
	};
	int status;

	log_setup(LOG_TO_STDERR, false);
	status = tap_run(suites);
	ntlm_config_cleanup();
	return status;
}
