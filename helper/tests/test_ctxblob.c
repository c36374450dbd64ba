// SPDX-License-Identifier: GPL-2.0-or-later
/* The serialized context writer, checked byte by byte. */
#include <errno.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>

#include "ctxblob.h"
#include "tap.h"
#include "util.h"

static void test_header_and_records(void)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct bytes blob = { 0 };
	const uint8_t *p;
	size_t i;

	CHECK_EQ(sizeof(struct ksspi_ctx_header), 64);
	CHECK_EQ(ctxblob_begin(&blob, "KsspiTest", KSSPI_CTX_F_INITIATOR,
			       0x00010012, 0x0102030405060708ll), 0);
	CHECK_EQ(ctxblob_add(&blob, KSSPI_CTX_REC_CLIENT_NAME,
			     KSSPI_CTX_REC_CRITICAL, "alice", 5), 0);
	CHECK_EQ(ctxblob_add_le64(&blob, KSSPI_CTX_REC_SEND_SEQ,
				  KSSPI_CTX_REC_CRITICAL, 0x1122334455667788ull),
		 0);
	CHECK_EQ(ctxblob_add(&blob, KSSPI_CTX_REC_SESSION_KEY, 0, key,
			     sizeof(key)), 0);
	CHECK_EQ(ctxblob_add(&blob, 0x0150, 0, "", 0), 0);
	CHECK_EQ(ctxblob_finish(&blob), 0);

	/* 64 header + (8+5+3) + (8+8) + (8+32) + 8 */
	CHECK_EQ(blob.len, 64 + 16 + 16 + 40 + 8);
	p = blob.data;
	CHECK(memcmp(p, "KSSC", 4) == 0);
	CHECK_EQ(get_le32(p + 0), KSSPI_CTX_MAGIC);
	CHECK_EQ(get_le16(p + 4), KSSPI_CTX_VERSION);
	CHECK_EQ(get_le16(p + 6), 64);
	CHECK_EQ(get_le32(p + 8), blob.len);
	CHECK_EQ(get_le32(p + 12), KSSPI_CTX_F_INITIATOR);
	CHECK_EQ(get_le32(p + 16), 0x00010012);
	CHECK_EQ(get_le32(p + 20), 0);
	CHECK_EQ(get_le64(p + 24), 0x0102030405060708ull);
	CHECK(memcmp(p + 32, "KsspiTest", 9) == 0);
	for (i = 32 + 9; i < 64; i++)
		CHECK_EQ(p[i], 0);

	p = blob.data + 64;
	CHECK_EQ(get_le16(p), KSSPI_CTX_REC_CLIENT_NAME);
	CHECK_EQ(get_le16(p + 2), KSSPI_CTX_REC_CRITICAL);
	CHECK_EQ(get_le32(p + 4), 5);
	CHECK(memcmp(p + 8, "alice\0\0\0", 8) == 0);

	p += 16;
	CHECK_EQ(get_le16(p), KSSPI_CTX_REC_SEND_SEQ);
	CHECK_EQ(get_le16(p + 2), KSSPI_CTX_REC_CRITICAL);
	CHECK_EQ(get_le32(p + 4), 8);
	CHECK(memcmp(p + 8, "\x88\x77\x66\x55\x44\x33\x22\x11", 8) == 0);

	p += 16;
	CHECK_EQ(get_le16(p), KSSPI_CTX_REC_SESSION_KEY);
	CHECK_EQ(get_le16(p + 2), 0);
	CHECK_EQ(get_le32(p + 4), 32);
	CHECK(memcmp(p + 8, key, 32) == 0);

	p += 40;
	CHECK_EQ(get_le16(p), 0x0150);
	CHECK_EQ(get_le32(p + 4), 0);
	CHECK(p + 8 == blob.data + blob.len);

	CHECK(blob_well_formed(&blob));
	bytes_free(&blob);
}

static void test_package_name_limit(void)
{
	struct bytes blob = { 0 };

	/* 31 characters and the NUL fill the 32-byte field */
	CHECK_EQ(ctxblob_begin(&blob, "0123456789012345678901234567890", 0, 0,
			       0), 0);
	CHECK_EQ(blob.data[32 + 30], '0');
	CHECK_EQ(blob.data[63], 0);
	bytes_free(&blob);
	CHECK_EQ(ctxblob_begin(&blob, "01234567890123456789012345678901", 0, 0,
			       0), -EINVAL);
	CHECK_EQ(blob.len, 0);
}

static void test_size_limit(void)
{
	static uint8_t big[KSSPI_MAX_CONTEXT_BLOB];
	struct bytes blob = { 0 };

	CHECK_EQ(ctxblob_begin(&blob, "KsspiTest", 0, 0, 0), 0);
	CHECK_EQ(ctxblob_add(&blob, 0x0100, 0, big, sizeof(big) - 64 - 8), 0);
	CHECK_EQ(ctxblob_finish(&blob), 0);
	CHECK_EQ(blob.len, KSSPI_MAX_CONTEXT_BLOB);
	CHECK_EQ(ctxblob_add(&blob, 0x0101, 0, "", 0), 0);
	CHECK_EQ(ctxblob_finish(&blob), -E2BIG);
	bytes_free(&blob);

	/* No record before the header */
	CHECK_EQ(ctxblob_add(&blob, 0x0101, 0, "", 0), -EINVAL);
}

/* ctxblob_find() reads what the writer wrote and refuses malformed blobs. */
static void test_find(void)
{
	struct bytes blob = { 0 };
	const uint8_t *value;
	uint32_t len;
	size_t cut;

	CHECK_EQ(ctxblob_begin(&blob, "NTLM", 0, 0, 0), 0);
	CHECK_EQ(ctxblob_add(&blob, KSSPI_CTX_REC_CLIENT_NAME, 0, "alice", 5),
		 0);
	CHECK_EQ(ctxblob_add(&blob, 0x0201, 0, "", 0), 0);
	CHECK_EQ(ctxblob_add_le64(&blob, 0x0202, 0, 0x0102030405060708ull), 0);
	CHECK_EQ(ctxblob_finish(&blob), 0);

	CHECK_EQ(ctxblob_find(blob.data, blob.len, KSSPI_CTX_REC_CLIENT_NAME,
			      &value, &len), 0);
	CHECK(len == 5 && memcmp(value, "alice", 5) == 0);
	CHECK_EQ(ctxblob_find(blob.data, blob.len, 0x0201, &value, &len), 0);
	CHECK_EQ(len, 0);
	CHECK_EQ(ctxblob_find(blob.data, blob.len, 0x0202, &value, &len), 0);
	CHECK(len == 8 && get_le64(value) == 0x0102030405060708ull);
	CHECK_EQ(ctxblob_find(blob.data, blob.len, 0x0203, &value, &len),
		 -ENOENT);

	/* total_len must be the length given; every cut is refused */
	for (cut = 0; cut < blob.len; cut++)
		CHECK_EQ(ctxblob_find(blob.data, cut, 0x0202, &value, &len),
			 -EINVAL);
	/* A record running past the end */
	blob.data[64 + 4] = 0xff;
	CHECK_EQ(ctxblob_find(blob.data, blob.len, 0x0202, &value, &len),
		 -EINVAL);
	blob.data[64 + 4] = 5;
	/* Bad magic */
	blob.data[0] ^= 1;
	CHECK_EQ(ctxblob_find(blob.data, blob.len, KSSPI_CTX_REC_CLIENT_NAME,
			      &value, &len), -EINVAL);
	bytes_free(&blob);
}

/* ctxblob_set_le64() rewrites an 8-byte record in place, nothing else. */
static void test_set_le64(void)
{
	struct bytes blob = { 0 };
	const uint8_t *v;
	uint32_t len;

	CHECK_EQ(ctxblob_begin(&blob, "NTLM", 0, 0, 0), 0);
	CHECK_EQ(ctxblob_add_le64(&blob, KSSPI_CTX_REC_SEND_SEQ, 1, 7), 0);
	CHECK_EQ(ctxblob_add(&blob, KSSPI_CTX_REC_CLIENT_NAME, 1, "a", 1), 0);
	CHECK_EQ(ctxblob_finish(&blob), 0);
	CHECK_EQ(ctxblob_set_le64(&blob, KSSPI_CTX_REC_SEND_SEQ,
				  0x0102030405060708ull), 0);
	CHECK(!ctxblob_find(blob.data, blob.len, KSSPI_CTX_REC_SEND_SEQ, &v,
			    &len) && len == 8 && get_le64(v) == 0x0102030405060708ull);
	CHECK(!ctxblob_find(blob.data, blob.len, KSSPI_CTX_REC_CLIENT_NAME, &v,
			    &len) && len == 1 && v[0] == 'a');
	CHECK_EQ(ctxblob_set_le64(&blob, KSSPI_CTX_REC_RECV_SEQ, 1), -ENOENT);
	CHECK_EQ(ctxblob_set_le64(&blob, KSSPI_CTX_REC_CLIENT_NAME, 1),
		 -EINVAL);
	bytes_free(&blob);
}

const struct test_case ctxblob_tests[] = {
	{ "context blob: an 8-byte record rewritten in place",
	  test_set_le64 },
	{ "context blob: the reader finds records, refuses malformed blobs",
	  test_find },
	{ "context blob: header fields, records, padding",
	  test_header_and_records },
	{ "context blob: package name must fit 32 bytes with its NUL",
	  test_package_name_limit },
	{ "context blob: KSSPI_MAX_CONTEXT_BLOB is enforced", test_size_limit },
	{ NULL, NULL },
};
