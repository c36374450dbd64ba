// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serialized context writer (and a reader for packages inside others).  Fields are stored with explicit little-endian
 * conversions at their offsetof() positions, so the output is the same on
 * every host whatever its byte order.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>

#include "ctxblob.h"
#include "message.h"

#define CTXBLOB_ALIGN 8

_Static_assert(sizeof(struct ksspi_ctx_header) % CTXBLOB_ALIGN == 0,
	       "records must start 8-byte aligned");
_Static_assert(sizeof(struct ksspi_ctx_record) == 8, "record header size");

static uint16_t get_le16(const uint8_t *at)
{
	uint16_t value;

	memcpy(&value, at, sizeof(value));
	return le16toh(value);
}

static uint32_t get_le32(const uint8_t *at)
{
	uint32_t value;

	memcpy(&value, at, sizeof(value));
	return le32toh(value);
}

static void put_le16(uint8_t *at, uint16_t value)
{
	value = htole16(value);
	memcpy(at, &value, sizeof(value));
}

static void put_le32(uint8_t *at, uint32_t value)
{
	value = htole32(value);
	memcpy(at, &value, sizeof(value));
}

static void put_le64(uint8_t *at, uint64_t value)
{
	value = htole64(value);
	memcpy(at, &value, sizeof(value));
}

int ctxblob_begin(struct bytes *blob, const char *package, uint32_t flags,
		  uint32_t context_attr, int64_t expiry)
{
	uint8_t header[sizeof(struct ksspi_ctx_header)] = { 0 };
	size_t name_len = strlen(package);

	if (blob->len != 0 ||
	    name_len >= sizeof(((struct ksspi_ctx_header *)0)->package))
		return -EINVAL;

	put_le32(header + offsetof(struct ksspi_ctx_header, magic),
		 KSSPI_CTX_MAGIC);
	put_le16(header + offsetof(struct ksspi_ctx_header, version),
		 KSSPI_CTX_VERSION);
	put_le16(header + offsetof(struct ksspi_ctx_header, header_len),
		 sizeof(struct ksspi_ctx_header));
	put_le32(header + offsetof(struct ksspi_ctx_header, flags), flags);
	put_le32(header + offsetof(struct ksspi_ctx_header, context_attr),
		 context_attr);
	put_le64(header + offsetof(struct ksspi_ctx_header, expiry),
		 (uint64_t)expiry);
	memcpy(header + offsetof(struct ksspi_ctx_header, package), package,
	       name_len);
	return bytes_append(blob, header, sizeof(header));
}

int ctxblob_add(struct bytes *blob, uint16_t type, uint16_t flags,
		const void *value, uint32_t len)
{
	static const uint8_t padding[CTXBLOB_ALIGN];
	uint8_t record[sizeof(struct ksspi_ctx_record)];
	size_t pad = (CTXBLOB_ALIGN - len % CTXBLOB_ALIGN) % CTXBLOB_ALIGN;
	int err;

	if (blob->len < sizeof(struct ksspi_ctx_header))
		return -EINVAL;
	if (len > KSSPI_MAX_CONTEXT_BLOB)
		return -E2BIG;

	put_le16(record + offsetof(struct ksspi_ctx_record, type), type);
	put_le16(record + offsetof(struct ksspi_ctx_record, flags), flags);
	put_le32(record + offsetof(struct ksspi_ctx_record, len), len);
	err = bytes_append(blob, record, sizeof(record));
	if (!err)
		err = bytes_append(blob, value, len);
	if (!err)
		err = bytes_append(blob, padding, pad);
	return err;
}

int ctxblob_add_le64(struct bytes *blob, uint16_t type, uint16_t flags,
		     uint64_t value)
{
	uint8_t le[sizeof(value)];

	put_le64(le, value);
	return ctxblob_add(blob, type, flags, le, sizeof(le));
}

int ctxblob_finish(struct bytes *blob)
{
	if (blob->len < sizeof(struct ksspi_ctx_header))
		return -EINVAL;
	if (blob->len > KSSPI_MAX_CONTEXT_BLOB)
		return -E2BIG;
	put_le32(blob->data + offsetof(struct ksspi_ctx_header, total_len),
		 (uint32_t)blob->len);
	return 0;
}

int ctxblob_find(const uint8_t *blob, size_t blob_len, uint16_t type,
		 const uint8_t **value, uint32_t *len)
{
	const size_t header_len = sizeof(struct ksspi_ctx_header);
	const size_t record_len = sizeof(struct ksspi_ctx_record);
	size_t at = header_len;

	if (blob_len < header_len ||
	    get_le32(blob + offsetof(struct ksspi_ctx_header, magic)) !=
		    KSSPI_CTX_MAGIC ||
	    get_le16(blob + offsetof(struct ksspi_ctx_header, version)) !=
		    KSSPI_CTX_VERSION ||
	    get_le16(blob + offsetof(struct ksspi_ctx_header, header_len)) !=
		    header_len ||
	    get_le32(blob + offsetof(struct ksspi_ctx_header, total_len)) !=
		    blob_len)
		return -EINVAL;
	while (at < blob_len) {
		uint32_t value_len;
		size_t padded;

		if (blob_len - at < record_len)
			return -EINVAL;
		value_len = get_le32(blob + at +
				     offsetof(struct ksspi_ctx_record, len));
		padded = ((size_t)value_len + CTXBLOB_ALIGN - 1) &
			 ~(size_t)(CTXBLOB_ALIGN - 1);
		if (blob_len - at - record_len < padded)
			return -EINVAL;
		if (get_le16(blob + at + offsetof(struct ksspi_ctx_record,
						  type)) == type) {
			*value = blob + at + record_len;
			*len = value_len;
			return 0;
		}
		at += record_len + padded;
	}
	return -ENOENT;
}

void ctxblob_reply(struct reply *reply, int err, uint32_t context_attr,
		   int64_t expiry)
{
	if (err) {
		reply->status = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
						 SEC_E_INTERNAL_ERROR;
		return;
	}
	reply->status = SEC_E_OK;
	reply->has_context_attr = true;
	reply->context_attr = context_attr;
	reply->has_expiry = true;
	reply->expiry = expiry;
}

int ctxblob_set_le64(struct bytes *blob, uint16_t type, uint64_t value)
{
	const uint8_t *v;
	uint32_t len, i;
	size_t at;
	int err = ctxblob_find(blob->data, blob->len, type, &v, &len);

	if (err)
		return err;
	if (len != 8)
		return -EINVAL;
	at = (size_t)(v - blob->data);
	for (i = 0; i < 8; i++)
		blob->data[at + i] = (uint8_t)(value >> (8 * i));
	return 0;
}
