/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers, written independently of the code under test: a raw
 * netlink attribute writer (so tests can also write malformed attributes)
 * and a serialized-context reader.
 */
#ifndef KSSPID_TESTS_UTIL_H
#define KSSPID_TESTS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Appends one attribute (header, data, zero padding to 4 bytes). */
void attr_put(struct bytes *b, uint16_t type, const void *data, size_t len);
void attr_put_u32(struct bytes *b, uint16_t type, uint32_t value);
void attr_put_u64(struct bytes *b, uint16_t type, uint64_t value);
void attr_put_str(struct bytes *b, uint16_t type, const char *s);
/* @len bytes as attributes of at most @chunk bytes each */
void attr_put_split(struct bytes *b, uint16_t type, const uint8_t *data,
		    size_t len, size_t chunk);

/* A buffer of @len bytes of a position-dependent pattern (free() it). */
uint8_t *pattern(size_t len, unsigned int seed);

uint16_t get_le16(const uint8_t *p);
uint32_t get_le32(const uint8_t *p);
uint64_t get_le64(const uint8_t *p);

/*
 * Checks the records of a context blob (alignment, zero padding, bounds,
 * no repeated type) and returns the value of record @type, or NULL.
 */
const uint8_t *blob_record(const struct bytes *blob, uint16_t type,
			   uint16_t *flags, uint32_t *len);
/* Whether every record of @blob is well-formed (see blob_record()). */
int blob_well_formed(const struct bytes *blob);

#endif /* KSSPID_TESTS_UTIL_H */
