/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growable byte string.  Tokens, passwords and keys live in these, so the
 * memory is wiped whenever it is moved or released.
 */
#ifndef KSSPID_BYTES_H
#define KSSPID_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct bytes {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Appends @len bytes; 0 or -ENOMEM (the string is then unchanged). */
int bytes_append(struct bytes *b, const void *data, size_t len);

/* Wipes and frees the contents; @b is left empty and reusable. */
void bytes_free(struct bytes *b);

/* The value of a hexadecimal digit (either case), or -1. */
int hex_digit_value(int c);

#endif /* KSSPID_BYTES_H */
