// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * UTF-8 <-> UTF-16LE and uppercasing for NTLM.  The conversions are strict
 * in both directions: a name that cannot be represented exactly is refused
 * rather than mangled, so that what is hashed is what was meant.
 */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "ntlm/unicode.h"

static int put_unit(struct bytes *out, uint16_t unit)
{
	uint8_t le[2] = { (uint8_t)unit, (uint8_t)(unit >> 8) };

	return bytes_append(out, le, sizeof(le));
}

/* One code point from @s (at most @len bytes); its length, or 0 if bad. */
static size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int ntlm_utf8_to_utf16le(const char *s, size_t len, struct bytes *out)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t start = out->len, n;
	uint32_t cp;
	int err = 0;

	while (len > 0 && !err) {
		n = utf8_decode(p, len, &cp);
		if (n == 0) {
			err = -EILSEQ;
			break;
		}
		p += n;
		len -= n;
		if (cp < 0x10000) {
			err = put_unit(out, (uint16_t)cp);
		} else {
			cp -= 0x10000;
			err = put_unit(out, (uint16_t)(0xd800 | cp >> 10));
			if (!err)
				err = put_unit(out,
					       (uint16_t)(0xdc00 | (cp & 0x3ff)));
		}
	}
	if (err) {
		/* Leave @out as it was (its old contents are not secret-free
		 * to drop, so only shorten it). */
		if (out->len > start)
			explicit_bzero(out->data + start, out->len - start);
		out->len = start;
	}
	return err;
}

int ntlm_utf16le_to_utf8(const uint8_t *s, size_t len, char **out)
{
	size_t units = len / 2, i, o = 0;
	char *buf;

	*out = NULL;
	if (len % 2)
		return -EILSEQ;
	/* Each code unit gives at most 3 bytes (a pair gives 4 for 2 units) */
	buf = malloc(units * 3 + 1);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < units; i++) {
		uint32_t c = (uint32_t)s[2 * i] | (uint32_t)s[2 * i + 1] << 8;

		if (c == 0)
			goto bad;
		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t lo;

			if (i + 1 >= units)
				goto bad;
			lo = (uint32_t)s[2 * i + 2] | (uint32_t)s[2 * i + 3] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				goto bad;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		} else if (c >= 0xdc00 && c <= 0xdfff) {
			goto bad;
		}
		if (c < 0x80) {
			buf[o++] = (char)c;
		} else if (c < 0x800) {
			buf[o++] = (char)(0xc0 | c >> 6);
			buf[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			buf[o++] = (char)(0xe0 | c >> 12);
			buf[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			buf[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			buf[o++] = (char)(0xf0 | c >> 18);
			buf[o++] = (char)(0x80 | (c >> 12 & 0x3f));
			buf[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			buf[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EILSEQ;
}

static pthread_once_t upper_once = PTHREAD_ONCE_INIT;
static locale_t upper_locale;

static void upper_init(void)
{
	upper_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* The built-in fallback: ASCII and Latin-1 (Unicode simple mappings). */
static uint16_t latin1_upper(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 0x20;
	if (c == 0xb5)
		return 0x39c;
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7)
		return c - 0x20;
	if (c == 0xff)
		return 0x178;
	return c;
}

static uint16_t unit_upper(uint16_t c)
{
	wint_t up;

	if (c >= 0xd800 && c <= 0xdfff)
		return c;
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 0x20 : c;
	if (upper_locale == (locale_t)0)
		return latin1_upper(c);
	up = towupper_l((wint_t)c, upper_locale);
	if (up > 0xffff || (up >= 0xd800 && up <= 0xdfff))
		return c;
	return (uint16_t)up;
}

void ntlm_utf16le_upper(uint8_t *s, size_t len)
{
	size_t i;

	pthread_once(&upper_once, upper_init);
	for (i = 0; i + 1 < len; i += 2) {
		uint16_t c = unit_upper((uint16_t)(s[i] | s[i + 1] << 8));

		s[i] = (uint8_t)c;
		s[i + 1] = (uint8_t)(c >> 8);
	}
}

bool ntlm_utf16le_equal_nocase(const uint8_t *a, size_t a_len,
			       const uint8_t *b, size_t b_len)
{
	size_t i;

	if (a_len != b_len || a_len % 2)
		return false;
	pthread_once(&upper_once, upper_init);
	for (i = 0; i < a_len; i += 2) {
		uint16_t ca = (uint16_t)(a[i] | a[i + 1] << 8);
		uint16_t cb = (uint16_t)(b[i] | b[i + 1] << 8);

		if (ca != cb && unit_upper(ca) != unit_upper(cb))
			return false;
	}
	return true;
}
