// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of ksspid that need no kernel module: message coding,
 * context blobs, the session table, the KsspiTest package and request
 * dispatch, the CredSSP messages.  Output is TAP.
 */
#include <stddef.h>

#include "log.h"
#include "tap.h"

int main(void)
{
	static const struct test_case *const suites[] = {
		message_tests,
		ctxblob_tests,
		session_tests,
		pkg_test_tests,
		request_tests,
		session_cache_tests,
		tls_tests,
		tsrequest_tests,
		spnego_tests,
		spnego_kdc_memory_tests,
		spnego_first_token_tests,
		NULL,
	};

	log_setup(LOG_TO_STDERR, false);
	return tap_run(suites);
}
