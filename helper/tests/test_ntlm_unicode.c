// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * UTF-8 <-> UTF-16LE conversions and the NTOWFv2 uppercasing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ntlm_unicode.h"
#include "ntlm_tests.h"

static void test_utf8_to_utf16(void)
{
	struct bytes b = { 0 };

	/* "Aé€😀": 1-, 2-, 3- and 4-byte sequences */
	CHECK_EQ(ntlm_utf8_to_utf16le("A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
				      10, &b), 0);
	CHECK_HEX(b.data, b.len, "4100e900ac203dd800de");
	bytes_free(&b);

	CHECK_EQ(ntlm_utf8_to_utf16le("", 0, &b), 0);
	CHECK_EQ(b.len, 0);

	/* Refused: overlong, surrogate, > U+10FFFF, truncated, stray byte */
	bytes_append(&b, "xy", 2);
	CHECK_EQ(ntlm_utf8_to_utf16le("\xc0\xaf", 2, &b), -EILSEQ);
	CHECK_EQ(ntlm_utf8_to_utf16le("a\xed\xa0\x80", 4, &b), -EILSEQ);
	CHECK_EQ(ntlm_utf8_to_utf16le("\xf4\x90\x80\x80", 4, &b), -EILSEQ);
	CHECK_EQ(ntlm_utf8_to_utf16le("ab\xe2\x82", 4, &b), -EILSEQ);
	CHECK_EQ(ntlm_utf8_to_utf16le("\x80", 1, &b), -EILSEQ);
	CHECK_EQ(ntlm_utf8_to_utf16le("\xf8\x88\x80\x80\x80", 5, &b), -EILSEQ);
	/* ... and the output is left as it was */
	CHECK(b.len == 2 && memcmp(b.data, "xy", 2) == 0);
	bytes_free(&b);
}

static void test_utf16_to_utf8(void)
{
	static const uint8_t ok[] = { 0x41, 0, 0xe9, 0, 0xac, 0x20,
				      0x3d, 0xd8, 0x00, 0xde };
	static const uint8_t lone_high[] = { 0x3d, 0xd8, 0x41, 0 };
	static const uint8_t lone_low[] = { 0x00, 0xde };
	static const uint8_t end_high[] = { 0x41, 0, 0x3d, 0xd8 };
	static const uint8_t nul[] = { 0x41, 0, 0, 0 };
	char *s;

	CHECK_EQ(ntlm_utf16le_to_utf8(ok, sizeof(ok), &s), 0);
	CHECK(s && strcmp(s, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == 0);
	free(s);
	CHECK_EQ(ntlm_utf16le_to_utf8(ok, 0, &s), 0);
	CHECK(s && s[0] == '\0');
	free(s);
	CHECK_EQ(ntlm_utf16le_to_utf8(ok, 3, &s), -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_utf8(lone_high, sizeof(lone_high), &s),
		 -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_utf8(lone_low, sizeof(lone_low), &s),
		 -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_utf8(end_high, sizeof(end_high), &s),
		 -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_utf8(nul, sizeof(nul), &s), -EILSEQ);
	CHECK(s == NULL);
}

static void test_upper(void)
{
	/* user, é, ÿ, µ, ß, α, ǆ, a surrogate pair (𐐨, whose uppercase is
	 * outside the BMP: left alone, as Windows does per code unit) */
	uint8_t s[] = { 'u', 0, 's', 0, 'e', 0, 'r', 0, 0xe9, 0, 0xff, 0,
			0xb5, 0, 0xdf, 0, 0xb1, 0x03, 0xc6, 0x01,
			0x01, 0xd8, 0x28, 0xdc };

	ntlm_utf16le_upper(s, sizeof(s));
	CHECK_HEX(s, sizeof(s),
		  "5500530045005200c90078019c03df009103c40101d828dc");
	CHECK(ntlm_utf16le_equal_nocase((const uint8_t *)"a\0b\0", 4,
					(const uint8_t *)"A\0B\0", 4));
	CHECK(!ntlm_utf16le_equal_nocase((const uint8_t *)"a\0b\0", 4,
					 (const uint8_t *)"A\0C\0", 4));
	CHECK(!ntlm_utf16le_equal_nocase((const uint8_t *)"a\0b\0", 4,
					 (const uint8_t *)"A\0", 2));
	CHECK(ntlm_utf16le_equal_nocase(NULL, 0, NULL, 0));
}

const struct test_case ntlm_unicode_tests[] = {
	{ "ntlm unicode: UTF-8 to UTF-16LE, malformed refused",
	  test_utf8_to_utf16 },
	{ "ntlm unicode: UTF-16LE to UTF-8, bad surrogates refused",
	  test_utf16_to_utf8 },
	{ "ntlm unicode: uppercasing and case-insensitive compare",
	  test_upper },
	{ NULL, NULL },
};
