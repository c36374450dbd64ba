// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>

#include "util.h"

void attr_put(struct bytes *b, uint16_t type, const void *data, size_t len)
{
	static const uint8_t zeros[4];
	uint16_t header[2] = { (uint16_t)(4 + len), type };

	if (bytes_append(b, header, sizeof(header)) ||
	    bytes_append(b, data, len) ||
	    bytes_append(b, zeros, (4 - len % 4) % 4))
		abort();
}

void attr_put_u32(struct bytes *b, uint16_t type, uint32_t value)
{
	attr_put(b, type, &value, sizeof(value));
}

void attr_put_u64(struct bytes *b, uint16_t type, uint64_t value)
{
	attr_put(b, type, &value, sizeof(value));
}

void attr_put_str(struct bytes *b, uint16_t type, const char *s)
{
	attr_put(b, type, s, strlen(s) + 1);
}

void attr_put_split(struct bytes *b, uint16_t type, const uint8_t *data,
		    size_t len, size_t chunk)
{
	while (len > 0) {
		size_t n = len < chunk ? len : chunk;

		attr_put(b, type, data, n);
		data += n;
		len -= n;
	}
}

uint8_t *pattern(size_t len, unsigned int seed)
{
	uint8_t *p = malloc(len ? len : 1);
	size_t i;

	if (!p)
		abort();
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 8));
	return p;
}

uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Walks the records; returns 0 when malformed, else 1. */
static int walk(const struct bytes *blob, uint16_t want,
		const uint8_t **value, uint16_t *flags, uint32_t *len)
{
	const size_t header_len = sizeof(struct ksspi_ctx_header);
	uint8_t seen[0x10000 / 8] = { 0 };
	size_t at = header_len;

	if (blob->len < header_len || get_le32(blob->data + 8) != blob->len)
		return 0;
	while (at < blob->len) {
		uint16_t type;
		uint32_t value_len;
		size_t padded, i;

		if (blob->len - at < 8)
			return 0;
		type = get_le16(blob->data + at);
		value_len = get_le32(blob->data + at + 4);
		padded = (value_len + 7u) & ~(size_t)7;
		if (blob->len - at - 8 < padded)
			return 0;
		for (i = value_len; i < padded; i++)
			if (blob->data[at + 8 + i] != 0)
				return 0;
		if (seen[type / 8] & (1u << type % 8))
			return 0;
		seen[type / 8] |= (uint8_t)(1u << type % 8);
		if (type == want && value) {
			*value = blob->data + at + 8;
			if (flags)
				*flags = get_le16(blob->data + at + 2);
			if (len)
				*len = value_len;
		}
		at += 8 + padded;
	}
	return 1;
}

const uint8_t *blob_record(const struct bytes *blob, uint16_t type,
			   uint16_t *flags, uint32_t *len)
{
	const uint8_t *value = NULL;

	if (!walk(blob, type, &value, flags, len))
		return NULL;
	return value;
}

int blob_well_formed(const struct bytes *blob)
{
	return walk(blob, 0, NULL, NULL, NULL);
}
