/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_SERIALIZE_H
#define _KSSPI_SERIALIZE_H

#include <linux/types.h>

struct ksspi_sec_state;
struct ksspi_package;

/**
 * struct ksspi_blob_writer - builds a serialized context
 * @buf: the blob so far (kvmalloc'd)
 * @len: bytes used
 * @cap: bytes allocated
 * @err: first error, sticky
 */
struct ksspi_blob_writer {
	u8 *buf;
	u32 len;
	u32 cap;
	int err;
};

void ksspi_blob_put(struct ksspi_blob_writer *w, u16 type, const void *value,
		    u32 len);
void ksspi_blob_put_le64(struct ksspi_blob_writer *w, u16 type, u64 value);

u32 ksspi_blob_parse(const struct ksspi_package *pkg, const void *blob,
		     u32 len, struct ksspi_sec_state **out);
u32 ksspi_blob_build(const struct ksspi_sec_state *sec, void **blob,
		     u32 *len);

#endif /* _KSSPI_SERIALIZE_H */
