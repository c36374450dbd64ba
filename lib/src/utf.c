// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: UTF-16 <-> UTF-8 for the "W" functions.
 *
 * Both directions are strict: an unpaired surrogate in UTF-16, and in UTF-8
 * a truncated or overlong sequence, an encoded surrogate (U+D800-U+DFFF) or
 * a value above U+10FFFF, fail with -EILSEQ.  NUL code units pass through
 * (the kernel refuses embedded NULs itself).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t ksspi_priv_u16len(const char16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void ksspi_priv_free_secret(void *p, size_t n)
{
	if (p) {
		explicit_bzero(p, n);
		free(p);
	}
}

static bool is_high(uint32_t u)
{
	return u >= 0xD800 && u <= 0xDBFF;
}

static bool is_low(uint32_t u)
{
	return u >= 0xDC00 && u <= 0xDFFF;
}

/* Next code point of a UTF-16 string, or -1 on an unpaired surrogate */
static int32_t u16_next(const char16_t *in, size_t n, size_t *i)
{
	uint32_t u = in[(*i)++];

	if (is_low(u))
		return -1;
	if (!is_high(u))
		return (int32_t)u;
	if (*i >= n || !is_low(in[*i]))
		return -1;
	return (int32_t)(0x10000 + ((u - 0xD800) << 10) + (in[(*i)++] - 0xDC00));
}

static size_t u8_width(uint32_t c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

int ksspi_priv_utf16_to_utf8(const char16_t *in, size_t n, size_t max,
			     char **out, size_t *outlen)
{
	size_t i, len = 0;
	unsigned char *p, *o;
	int32_t c;

	*out = NULL;
	for (i = 0; i < n;) {
		c = u16_next(in, n, &i);
		if (c < 0)
			return -EILSEQ;
		len += u8_width((uint32_t)c);
	}
	if (max && len > max)
		return -E2BIG;
	o = p = malloc(len + 1);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n;) {
		uint32_t u = (uint32_t)u16_next(in, n, &i);

		switch (u8_width(u)) {
		case 1:
			*o++ = (unsigned char)u;
			break;
		case 2:
			*o++ = (unsigned char)(0xC0 | (u >> 6));
			*o++ = (unsigned char)(0x80 | (u & 0x3F));
			break;
		case 3:
			*o++ = (unsigned char)(0xE0 | (u >> 12));
			*o++ = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
			*o++ = (unsigned char)(0x80 | (u & 0x3F));
			break;
		default:
			*o++ = (unsigned char)(0xF0 | (u >> 18));
			*o++ = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
			*o++ = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
			*o++ = (unsigned char)(0x80 | (u & 0x3F));
			break;
		}
	}
	*o = 0;
	*out = (char *)p;
	if (outlen)
		*outlen = len;
	return 0;
}

/* Next code point of a UTF-8 string, or -1 when the sequence is invalid */
static int32_t u8_next(const unsigned char *in, size_t n, size_t *i)
{
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	uint32_t c = in[(*i)++];
	size_t k, more;

	if (c < 0x80)
		return (int32_t)c;
	if (c >= 0xC2 && c <= 0xDF) {
		more = 1;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		more = 2;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		more = 3;
		c &= 0x07;
	} else {
		return -1;	/* continuation byte, C0/C1, F5-FF */
	}
	if (n - *i < more)
		return -1;
	for (k = 0; k < more; k++) {
		uint32_t b = in[*i + k];

		if ((b & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (b & 0x3F);
	}
	*i += more;
	if (c < min[more] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	return (int32_t)c;
}

int ksspi_priv_utf8_to_utf16(const char *in, size_t n, size_t max,
			     char16_t **out, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, len = 0;
	char16_t *p, *o;
	int32_t c;

	*out = NULL;
	for (i = 0; i < n;) {
		c = u8_next(s, n, &i);
		if (c < 0)
			return -EILSEQ;
		len += c >= 0x10000 ? 2 : 1;
	}
	if (max && len > max)
		return -E2BIG;
	o = p = malloc((len + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n;) {
		uint32_t u = (uint32_t)u8_next(s, n, &i);

		if (u >= 0x10000) {
			u -= 0x10000;
			*o++ = (char16_t)(0xD800 + (u >> 10));
			*o++ = (char16_t)(0xDC00 + (u & 0x3FF));
		} else {
			*o++ = (char16_t)u;
		}
	}
	*o = 0;
	*out = p;
	if (outlen)
		*outlen = len;
	return 0;
}
