/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTLM package's unit tests (build/test_ntlm): known answers from
 * MS-NLMP section 4.2, message coding and hostile input, the user
 * database, and in-process handshakes between the package's client and
 * server.
 */
#ifndef KSSPID_TESTS_NTLM_TESTS_H
#define KSSPID_TESTS_NTLM_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tap.h"

extern const struct test_case ntlm_unicode_tests[];
extern const struct test_case ntlm_crypto_tests[];
extern const struct test_case ntlm_msg_tests[];
extern const struct test_case ntlm_userdb_tests[];
extern const struct test_case ntlm_pkg_tests[];
extern const struct test_case ntlm_hostile_tests[];
extern const struct test_case ntlm_limits_tests[];
extern const struct test_case ntlm_compat_tests[];
extern const struct test_case ntlm_lockout_tests[];

/* @hex (no separators, even length) into @out; aborts on bad input. */
void unhex(const char *hex, uint8_t *out);

/* Compares @len bytes with @hex; prints both on a mismatch. */
bool bytes_are(const uint8_t *got, size_t len, const char *hex,
	       const char *file, int line, const char *expr);
#define CHECK_HEX(got, len, hex) \
	tap_check(bytes_are((got), (len), (hex), __FILE__, __LINE__, #got), \
		  __FILE__, __LINE__, #got " == " hex)

#endif /* KSSPID_TESTS_NTLM_TESTS_H */
