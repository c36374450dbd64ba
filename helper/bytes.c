// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Growable byte strings that never leave a stale copy of their contents
 * behind: growing copies into a new buffer and wipes the old one, since
 * realloc() could free a buffer still holding a key or password.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

int bytes_append(struct bytes *b, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (len > SIZE_MAX - b->len)
		return -ENOMEM;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		uint8_t *grown;

		while (cap < b->len + len)
			cap = cap > SIZE_MAX / 2 ? b->len + len : cap * 2;
		grown = malloc(cap);
		if (!grown)
			return -ENOMEM;
		if (b->len)
			memcpy(grown, b->data, b->len);
		if (b->data) {
			explicit_bzero(b->data, b->cap);
			free(b->data);
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

void bytes_free(struct bytes *b)
{
	if (b->data) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
