/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writer of the serialized security context (<linux/ksspi_context.h>) that
 * the helper hands to the kernel when a handshake completes.  Every package
 * uses it.
 */
#ifndef KSSPID_CTXBLOB_H
#define KSSPID_CTXBLOB_H

#include <stdint.h>

#include "bytes.h"

/*
 * Starts a blob in the empty @blob: the header, with total_len filled in by
 * ctxblob_finish().  @package must fit the header's 32 bytes with a NUL.
 * 0, -EINVAL or -ENOMEM.
 */
int ctxblob_begin(struct bytes *blob, const char *package, uint32_t flags,
		  uint32_t context_attr, int64_t expiry);

/* Appends one record (KSSPI_CTX_REC_*) padded to 8 bytes.  0 or -errno. */
int ctxblob_add(struct bytes *blob, uint16_t type, uint16_t flags,
		const void *value, uint32_t len);

/* Appends a record holding one little-endian 64-bit number. */
int ctxblob_add_le64(struct bytes *blob, uint16_t type, uint16_t flags,
		     uint64_t value);

/* Sets total_len; -E2BIG over KSSPI_MAX_CONTEXT_BLOB. */
int ctxblob_finish(struct bytes *blob);

struct reply;

/*
 * Ends a package's last leg: after writing the blob returned @err, the
 * reply is SEC_E_OK with @context_attr and @expiry, or, for @err not 0,
 * SEC_E_INSUFFICIENT_MEMORY (-ENOMEM) or SEC_E_INTERNAL_ERROR.
 */
void ctxblob_reply(struct reply *reply, int err, uint32_t context_attr,
		   int64_t expiry);

/*
 * Reads back a blob one of the packages wrote, for a package that uses
 * another's context (CredSSP's inner package): points @value at the value
 * of the record @type and sets *@len.  The header (magic, version,
 * header_len, total_len equal to @blob_len) and every record before the
 * one found must be well-formed.  0, -ENOENT (no such record) or -EINVAL.
 */
int ctxblob_find(const uint8_t *blob, size_t blob_len, uint16_t type,
		 const uint8_t **value, uint32_t *len);

/*
 * Rewrites the value of the 8-byte record @type of @blob (a blob
 * ctxblob_find() reads) as the little-endian @value; -ENOENT when there
 * is no such record, -EINVAL for a malformed blob or another length.
 */
int ctxblob_set_le64(struct bytes *blob, uint16_t type, uint64_t value);

#endif /* KSSPID_CTXBLOB_H */
