// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * UTF-8 <-> UTF-16LE conversions, the NTOWFv2 uppercasing, and the OEM
 * code page (437) <-> UTF-16LE.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "ntlm/oem.h"
#include "ntlm/unicode.h"
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

/*
 * glibc's CP437 converter, an independent reference: the UTF-16LE of one
 * byte, or of one code unit the byte (0: none).
 */
static uint16_t iconv_oem_to_unit(iconv_t cd, uint8_t byte)
{
	char in = (char)byte, out[4];
	char *ip = &in, *op = out;
	size_t il = 1, ol = sizeof(out);

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || ol != 2)
		return 0;
	return (uint16_t)((uint8_t)out[0] | (uint8_t)out[1] << 8);
}

static int iconv_unit_to_oem(iconv_t cd, uint16_t unit)
{
	char in[2] = { (char)unit, (char)(unit >> 8) }, out[4];
	char *ip = in, *op = out;
	size_t il = 2, ol = sizeof(out);

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || ol != 3)
		return -1;
	return (uint8_t)out[0];
}

static void test_oem(void)
{
	iconv_t to16 = iconv_open("UTF-16LE", "CP437");
	iconv_t from16 = iconv_open("CP437", "UTF-16LE");
	struct bytes b = { 0 }, back = { 0 };
	uint8_t all[255], le[2];
	size_t mismatches = 0;
	unsigned int c;

	CHECK(to16 != (iconv_t)-1 && from16 != (iconv_t)-1);
	if (to16 == (iconv_t)-1 || from16 == (iconv_t)-1)
		return;

	/* Every byte but NUL, as glibc's CP437 maps it, and back */
	for (c = 1; c < 256; c++)
		all[c - 1] = (uint8_t)c;
	CHECK_EQ(ntlm_oem_to_utf16le(all, sizeof(all), &b), 0);
	CHECK_EQ(b.len, 2 * sizeof(all));
	for (c = 1; c < 256 && b.len == 2 * sizeof(all); c++)
		if ((uint16_t)(b.data[2 * c - 2] | b.data[2 * c - 1] << 8) !=
		    iconv_oem_to_unit(to16, (uint8_t)c))
			mismatches++;
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(ntlm_utf16le_to_oem(b.data, b.len, &back), 0);
	CHECK(back.len == sizeof(all) &&
	      memcmp(back.data, all, sizeof(all)) == 0);
	CHECK_HEX(b.data + 2 * (0x82 - 1), 2, "e900");	/* é */
	CHECK_HEX(b.data + 2 * (0x9e - 1), 2, "a720");	/* ₧ */
	bytes_free(&b);
	bytes_free(&back);

	/* Every BMP code unit: the byte glibc gives, or refused */
	for (c = 1; c < 0x10000; c++) {
		int want = iconv_unit_to_oem(from16, (uint16_t)c);
		int err;

		le[0] = (uint8_t)c;
		le[1] = (uint8_t)(c >> 8);
		err = ntlm_utf16le_to_oem(le, 2, &b);
		if (want < 0 ? err != -EILSEQ || b.len != 0 :
		    err != 0 || b.len != 1 || b.data[0] != want)
			mismatches++;
		bytes_free(&b);
	}
	CHECK_EQ(mismatches, 0);

	/* Refused, the output left as it was: NUL, odd length, "€" */
	bytes_append(&b, "xy", 2);
	CHECK_EQ(ntlm_oem_to_utf16le((const uint8_t *)"ab\0c", 4, &b),
		 -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_oem((const uint8_t *)"a\0\0\0", 4, &b),
		 -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_oem((const uint8_t *)"a\0b", 3, &b),
		 -EILSEQ);
	CHECK_EQ(ntlm_utf16le_to_oem((const uint8_t *)"a\0\xac\x20", 4, &b),
		 -EILSEQ);
	CHECK(b.len == 2 && memcmp(b.data, "xy", 2) == 0);
	CHECK_EQ(ntlm_oem_to_utf16le(NULL, 0, &b), 0);
	CHECK_EQ(b.len, 2);
	bytes_free(&b);
	iconv_close(to16);
	iconv_close(from16);
}

const struct test_case ntlm_unicode_tests[] = {
	{ "ntlm unicode: UTF-8 to UTF-16LE, malformed refused",
	  test_utf8_to_utf16 },
	{ "ntlm unicode: UTF-16LE to UTF-8, bad surrogates refused",
	  test_utf16_to_utf8 },
	{ "ntlm unicode: uppercasing and case-insensitive compare",
	  test_upper },
	{ "ntlm unicode: OEM code page 437 as glibc's CP437, exact, strict",
	  test_oem },
	{ NULL, NULL },
};
