// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * UTF-16 <-> UTF-8 conversion.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static void to8n(const char16_t *in, size_t n, const char *want,
		 size_t want_len, const char *what)
{
	size_t len = 99;
	char *out;
	int r = ksspi_priv_utf16_to_utf8(in, n, 0, &out, &len);

	if (!ok(r == 0, "%s: converts", what))
		return;
	is(len, want_len, "  length");
	is_mem(out, want, want_len + 1, "  bytes and NUL");
	free(out);
}

static void to8(const char16_t *in, size_t n, const char *want,
		const char *what)
{
	to8n(in, n, want, strlen(want), what);
}

static void to8_bad(const char16_t *in, size_t n, const char *what)
{
	char *out = (char *)1;

	is(ksspi_priv_utf16_to_utf8(in, n, 0, &out, NULL), -EILSEQ, what);
	ok(out == NULL, "  no output");
}

static void to16(const char *in, size_t n, const char16_t *want,
		 size_t want_len, const char *what)
{
	size_t len = 99;
	char16_t *out;
	int r = ksspi_priv_utf8_to_utf16(in, n, 0, &out, &len);

	if (!ok(r == 0, "%s: converts", what))
		return;
	is(len, want_len, "  length");
	is_mem(out, want, (want_len + 1) * sizeof(char16_t),
	       "  units and NUL");
	free(out);
}

static void to16_bad(const char *in, const char *what)
{
	char16_t *out = (char16_t *)2;

	is(ksspi_priv_utf8_to_utf16(in, strlen(in), 0, &out, NULL), -EILSEQ,
	   what);
	ok(out == NULL, "  no output");
}

int main(void)
{
	/* U+0041, U+00E4, U+20AC, U+1D11E (surrogates D834 DD1E), U+10FFFF */
	static const char16_t mixed[] = { 0x41, 0xE4, 0x20AC, 0xD834, 0xDD1E,
					  0xDBFF, 0xDFFF, 0 };
	static const char mixed8[] = "A\xc3\xa4\xe2\x82\xac\xf0\x9d\x84\x9e"
				     "\xf4\x8f\xbf\xbf";
	static const char16_t edges[] = { 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF,
					  0xE000, 0xFFFF, 0xD800, 0xDC00, 0 };
	static const char edges8[] = "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80"
				     "\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"
				     "\xf0\x90\x80\x80";
	static const char16_t lone_high[] = { 0x41, 0xD800, 0x42 };
	static const char16_t lone_low[] = { 0xDC00 };
	static const char16_t high_end[] = { 0x41, 0xDBFF };
	static const char16_t two_high[] = { 0xD800, 0xD800, 0xDC00 };
	static const char16_t with_nul[] = { 0x61, 0, 0x62 };
	char16_t *o16;
	char *o8;

	is(ksspi_priv_u16len(u""), 0, "u16len of empty");
	is(ksspi_priv_u16len(mixed), 7, "u16len counts code units");

	to8(u"", 0, "", "empty string");
	to8(u"user", 4, "user", "ASCII");
	to8(mixed, 7, mixed8, "1-4 byte sequences with a surrogate pair");
	to8(edges, 9, edges8, "boundaries of each width");
	to8n(with_nul, 3, "a\0b", 3, "a NUL passes through");
	to8_bad(lone_high, 3, "unpaired high surrogate refused");
	to8_bad(lone_low, 1, "unpaired low surrogate refused");
	to8_bad(high_end, 2, "high surrogate at the end refused");
	to8_bad(two_high, 3, "two high surrogates refused");

	is(ksspi_priv_utf16_to_utf8(u"abcd", 4, 3, &o8, NULL), -E2BIG,
	   "UTF-8 limit enforced");
	ok(ksspi_priv_utf16_to_utf8(u"abc", 3, 3, &o8, NULL) == 0,
	   "UTF-8 limit is inclusive");
	free(o8);
	is(ksspi_priv_utf16_to_utf8(u"\u00e4\u00e4", 2, 3, &o8, NULL), -E2BIG,
	   "UTF-8 limit counts bytes, not characters");

	to16("", 0, u"", 0, "empty string");
	to16("user", 4, u"user", 4, "ASCII");
	to16(mixed8, strlen(mixed8), mixed, 7, "1-4 byte sequences");
	to16(edges8, strlen(edges8), u"\x7f\x80\u07ff\u0800\ud7ff\ue000"
	     u"\uffff\U00010000", 9, "boundaries of each width");
	to16("a\0b", 3, u"a\0b", 3, "a NUL passes through");
	to16_bad("\x80", "lone continuation byte refused");
	to16_bad("\xc3", "truncated 2-byte sequence refused");
	to16_bad("\xe2\x82", "truncated 3-byte sequence refused");
	to16_bad("\xf0\x9d\x84", "truncated 4-byte sequence refused");
	to16_bad("\xc0\xaf", "overlong 2-byte (C0) refused");
	to16_bad("\xc1\xbf", "overlong 2-byte (C1) refused");
	to16_bad("\xe0\x9f\xbf", "overlong 3-byte refused");
	to16_bad("\xf0\x8f\xbf\xbf", "overlong 4-byte refused");
	to16_bad("\xed\xa0\x80", "encoded surrogate D800 refused");
	to16_bad("\xed\xbf\xbf", "encoded surrogate DFFF refused");
	to16_bad("\xf4\x90\x80\x80", "above U+10FFFF refused");
	to16_bad("\xf5\x80\x80\x80", "F5 lead byte refused");
	to16_bad("\xff", "FF byte refused");
	to16_bad("\xc3\x28", "bad continuation byte refused");
	to16_bad("ok\xe2\x82\x28", "bad third byte refused");

	is(ksspi_priv_utf8_to_utf16("\xf0\x9d\x84\x9e", 4, 1, &o16, NULL),
	   -E2BIG, "UTF-16 limit counts surrogate pairs as two");
	ok(ksspi_priv_utf8_to_utf16("\xf0\x9d\x84\x9e", 4, 2, &o16, NULL) == 0,
	   "UTF-16 limit is inclusive");
	free(o16);

	/* round trip over every BMP scalar value and a sample of the rest */
	{
		char16_t *all = malloc(0x10000 * 2 * sizeof(char16_t));
		size_t n = 0, len;
		uint32_t c;
		int good;

		for (c = 1; c < 0x10000; c++)
			if (c < 0xD800 || c > 0xDFFF)
				all[n++] = (char16_t)c;
		for (c = 0x10000; c <= 0x10FFFF; c += 0x3F1) {
			all[n++] = (char16_t)(0xD800 + ((c - 0x10000) >> 10));
			all[n++] = (char16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
		}
		o8 = NULL;
		o16 = NULL;
		good = ksspi_priv_utf16_to_utf8(all, n, 0, &o8, &len) == 0 &&
		       ksspi_priv_utf8_to_utf16(o8, len, 0, &o16, &len) == 0;
		ok(good && len == n && !memcmp(o16, all, n * sizeof(*all)),
		   "round trip of %zu code units", n);
		free(o8);
		free(o16);
		free(all);
	}
	return tap_done();
}
