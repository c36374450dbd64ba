// SPDX-License-Identifier: GPL-2.0
/*
 * The CredSSP package's TLS record layer in the kernel, against an
 * independent implementation: contexts imported from hand-built blobs (each
 * TLS version with each cipher) must seal EncryptMessage's records to the
 * very bytes nettle's AEADs give with the nonce and additional data of
 * RFC 5246 / 5288 / 7905 / 8446 computed here, and open records built the
 * same way, in Schannel's stream buffer layout.  Then partial records,
 * extra bytes, bad tags, alerts, post-handshake messages, sequence numbers
 * across export and import and at their end, the package's description,
 * its attributes and hostile blobs (Documentation/credssp-records.rst).
 *
 * And the kTLS handoff: on a loopback TCP connection, one end's context
 * (after a few records in each direction, so that the sequence numbers
 * are not where they started) is handed to kTLS with
 * KSSPI_IOC_INSTALL_KTLS; the other end is configured with userspace kTLS
 * and the mirrored keys; data must then flow both ways through plain
 * send() and recv().
 */
#include <endian.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/tls.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>

#include "ksspi_harness.h"
#include <linux/ksspi_context.h>

#define CS_PKG		"CredSSP"
#define CS_TLS12	0x0303
#define CS_TLS13	0x0304
#define CS_AES128	KSSPI_TLS_CIPHER_AES_GCM_128
#define CS_AES256	KSSPI_TLS_CIPHER_AES_GCM_256
#define CS_CHACHA	KSSPI_TLS_CIPHER_CHACHA20_POLY1305
#define CS_MAX_PLAIN	16384
#define CS_MAX_RECORD	(5 + 8 + CS_MAX_PLAIN + 256 + 16)
#define CS_DELEGATED	"\x30\x0a\xa0\x03\x02\x01\x01\xa1\x03\x04\x01\x00"

/* One direction as the independent implementation sees it */
struct cs_ref {
	uint16_t version;
	uint16_t cipher;
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq;
};

static bool cs_explicit(const struct cs_ref *r)
{
	return r->version == CS_TLS12 && r->cipher != CS_CHACHA;
}

static uint32_t cs_hdr_len(const struct cs_ref *r)
{
	return 5 + (cs_explicit(r) ? 8 : 0);
}

static uint32_t cs_trl_len(const struct cs_ref *r)
{
	return 16 + (r->version == CS_TLS13 ? 1 : 0);
}

static void cs_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static void cs_aead(const struct cs_ref *r, const uint8_t *nonce,
		    const uint8_t *aad, size_t aad_len, uint8_t *buf,
		    size_t len, uint8_t *tag, bool encrypt)
{
	struct gcm_aes128_ctx g128;
	struct gcm_aes256_ctx g256;
	struct chacha_poly1305_ctx cp;

	switch (r->cipher) {
	case CS_AES128:
		gcm_aes128_set_key(&g128, r->key);
		gcm_aes128_set_iv(&g128, 12, nonce);
		gcm_aes128_update(&g128, aad_len, aad);
		if (encrypt)
			gcm_aes128_encrypt(&g128, len, buf, buf);
		else
			gcm_aes128_decrypt(&g128, len, buf, buf);
		gcm_aes128_digest(&g128, 16, tag);
		break;
	case CS_AES256:
		gcm_aes256_set_key(&g256, r->key);
		gcm_aes256_set_iv(&g256, 12, nonce);
		gcm_aes256_update(&g256, aad_len, aad);
		if (encrypt)
			gcm_aes256_encrypt(&g256, len, buf, buf);
		else
			gcm_aes256_decrypt(&g256, len, buf, buf);
		gcm_aes256_digest(&g256, 16, tag);
		break;
	default:
		chacha_poly1305_set_key(&cp, r->key);
		chacha_poly1305_set_nonce(&cp, nonce);
		chacha_poly1305_update(&cp, aad_len, aad);
		if (encrypt)
			chacha_poly1305_encrypt(&cp, len, buf, buf);
		else
			chacha_poly1305_decrypt(&cp, len, buf, buf);
		chacha_poly1305_digest(&cp, 16, tag);
		break;
	}
}

/*
 * One record of @type with @len bytes of @plain (and, in TLS 1.3, @pad zero
 * bytes of padding) at the direction's sequence number, which advances.
 * Returns the record's length.
 */
static size_t cs_seal(struct cs_ref *r, uint8_t type, const void *plain,
		      size_t len, size_t pad, uint8_t *rec)
{
	bool tls13 = r->version == CS_TLS13;
	uint32_t hdr = cs_hdr_len(r);
	size_t inner = len + (tls13 ? 1 + pad : 0);
	size_t body = hdr - 5 + inner + 16;
	uint8_t nonce[12], aad[13], seq[8], *p = rec + hdr;
	size_t aad_len;
	int i;

	rec[0] = tls13 ? 23 : type;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = body >> 8;
	rec[4] = body & 0xff;
	cs_be64(seq, r->seq);
	memcpy(nonce, r->iv, 12);
	if (cs_explicit(r)) {
		memcpy(rec + 5, seq, 8);
		memcpy(nonce + 4, seq, 8);
	} else {
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= seq[i];
	}
	memmove(p, plain, len);
	if (tls13) {
		p[len] = type;
		memset(p + len + 1, 0, pad);
		memcpy(aad, rec, 5);
		aad_len = 5;
	} else {
		memcpy(aad, seq, 8);
		aad[8] = type;
		aad[9] = 3;
		aad[10] = 3;
		aad[11] = len >> 8;
		aad[12] = len & 0xff;
		aad_len = 13;
	}
	cs_aead(r, nonce, aad, aad_len, p, inner, p + inner, true);
	r->seq++;
	return 5 + body;
}

/* ---- blobs ---- */

struct cs_params {
	bool client;
	uint16_t version;
	uint16_t cipher;
	struct ksspi_tls_state tx;
	struct ksspi_tls_state rx;
	uint32_t ts_version;
	const char *inner;
	uint32_t info;
	const void *delegated;
	uint32_t delegated_len;
};

static void cs_state(struct ksspi_tls_state *st, const struct cs_ref *r)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->key, r->key, r->cipher == CS_AES128 ? 16 : 32);
	memcpy(st->iv, r->iv, 12);
	st->seq = htole64(r->seq);
}

/* The records of @p, leaving out @skip, or only @only (0: none) */
static void cs_records(struct kt_blob *bl, const struct cs_params *p,
		       uint16_t skip, uint16_t only)
{
	uint16_t v16;
	uint32_t v32;

#define CS_REC(type, v, len) do {				\
		if ((type) != skip && (!only || (type) == only))	\
			kt_blob_rec(bl, (type), (v), (len));	\
	} while (0)
	v16 = htole16(p->version);
	CS_REC(KSSPI_CTX_REC_TLS_VERSION, &v16, 2);
	v16 = htole16(p->cipher);
	CS_REC(KSSPI_CTX_REC_TLS_CIPHER, &v16, 2);
	CS_REC(KSSPI_CTX_REC_TLS_TX, &p->tx, sizeof(p->tx));
	CS_REC(KSSPI_CTX_REC_TLS_RX, &p->rx, sizeof(p->rx));
	v32 = htole32(p->ts_version);
	CS_REC(KSSPI_CTX_REC_CREDSSP_VERSION, &v32, 4);
	CS_REC(KSSPI_CTX_REC_CREDSSP_INNER, p->inner, strlen(p->inner));
	v32 = htole32(p->info);
	CS_REC(KSSPI_CTX_REC_CREDSSP_INFO, &v32, 4);
	if (p->delegated)
		CS_REC(KSSPI_CTX_REC_CREDSSP_DELEGATED, p->delegated,
		       p->delegated_len);
#undef CS_REC
}

static void cs_begin(struct kt_blob *bl)
{
	memset(bl, 0, sizeof(*bl));
	bl->len = sizeof(struct ksspi_ctx_header);
	kt_blob_rec(bl, KSSPI_CTX_REC_CLIENT_NAME, "TESTDOM\\alice", 13);
}

static void cs_end(struct kt_blob *bl, bool client)
{
	struct ksspi_ctx_header *h = (void *)bl->b;

	h->magic = htole32(KSSPI_CTX_MAGIC);
	h->version = htole16(KSSPI_CTX_VERSION);
	h->header_len = htole16(sizeof(*h));
	h->total_len = htole32(bl->len);
	h->flags = htole32(client ? KSSPI_CTX_F_INITIATOR : 0);
	h->context_attr = htole32(ISC_RET_CONFIDENTIALITY | ISC_RET_INTEGRITY |
				  ISC_RET_STREAM | ISC_RET_MUTUAL_AUTH);
	strcpy(h->package, CS_PKG);
}

static void cs_blob(struct kt_blob *bl, const struct cs_params *p)
{
	cs_begin(bl);
	cs_records(bl, p, 0, 0);
	cs_end(bl, p->client);
}

static void cs_params_init(struct cs_params *p, bool client,
			   const struct cs_ref *tx, const struct cs_ref *rx)
{
	memset(p, 0, sizeof(*p));
	p->client = client;
	p->version = tx->version;
	p->cipher = tx->cipher;
	cs_state(&p->tx, tx);
	cs_state(&p->rx, rx);
	p->ts_version = 6;
	p->inner = "Negotiate";
	p->info = 0;
	if (!client) {
		p->delegated = CS_DELEGATED;
		p->delegated_len = sizeof(CS_DELEGATED) - 1;
	}
}

static void cs_ref_init(struct cs_ref *r, uint16_t version, uint16_t cipher,
			uint64_t seq)
{
	memset(r, 0, sizeof(*r));
	r->version = version;
	r->cipher = cipher;
	kt_random(r->key, r->cipher == CS_AES128 ? 16 : 32);
	kt_random(r->iv, cs_explicit(r) ? 4 : 12);
	r->seq = seq;
}

/* ---- message calls ---- */

/*
 * EncryptMessage with the header, data and trailer buffers laid out one
 * after the other in @rec, so that the record comes out contiguous.
 */
static uint32_t cs_encrypt(int fd, const struct ksspi_handle *h,
			   const struct cs_ref *r, uint8_t *rec,
			   const void *plain, uint32_t len, struct kt_msg *m)
{
	uint32_t hdr = cs_hdr_len(r);

	memcpy(rec + hdr, plain, len);
	kt_msg_init(m, h);
	kt_msg_add(m, SECBUFFER_STREAM_HEADER, rec, hdr);
	kt_msg_add(m, SECBUFFER_DATA, rec + hdr, len);
	kt_msg_add(m, SECBUFFER_STREAM_TRAILER, rec + hdr + len,
		   cs_trl_len(r));
	kt_msg_add(m, SECBUFFER_EMPTY, NULL, 0);
	return kt_msg_call(fd, KSSPI_IOC_ENCRYPT_MESSAGE, m);
}

static uint32_t cs_decrypt(int fd, const struct ksspi_handle *h, uint8_t *buf,
			   uint32_t len, struct kt_msg *m)
{
	kt_msg_init(m, h);
	kt_msg_add(m, SECBUFFER_DATA, buf, len);
	kt_msg_add(m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(m, SECBUFFER_EMPTY, NULL, 0);
	return kt_msg_call(fd, KSSPI_IOC_DECRYPT_MESSAGE, m);
}

static const void *cs_ptr(const struct ksspi_sec_buffer *b)
{
	return (const void *)(uintptr_t)b->pv_buffer;
}

static uint64_t cs_blob_seq(const void *blob, uint32_t len, uint16_t type)
{
	const struct ksspi_tls_state *st;
	uint32_t rlen;

	st = kt_blob_record(blob, len, type, &rlen);
	if (!st || rlen != sizeof(*st))
		return 0xdeadbeef;
	return le64toh(st->seq);
}

/* ---- the record layer, for each version and cipher ---- */

FIXTURE(rec) {
	int fd;
	struct kt_stats base;
	struct cs_ref c2s, s2c;		/* as the reference implementation */
	struct ksspi_handle client, server;
	uint8_t rec[2 * CS_MAX_RECORD];
	uint8_t plain[CS_MAX_PLAIN];
};

FIXTURE_VARIANT(rec) {
	uint16_t version;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(rec, tls12_aes128_gcm) {
	.version = CS_TLS12, .cipher = CS_AES128,
};

FIXTURE_VARIANT_ADD(rec, tls12_aes256_gcm) {
	.version = CS_TLS12, .cipher = CS_AES256,
};

FIXTURE_VARIANT_ADD(rec, tls12_chacha20_poly1305) {
	.version = CS_TLS12, .cipher = CS_CHACHA,
};

FIXTURE_VARIANT_ADD(rec, tls13_aes128_gcm) {
	.version = CS_TLS13, .cipher = CS_AES128,
};

FIXTURE_VARIANT_ADD(rec, tls13_aes256_gcm) {
	.version = CS_TLS13, .cipher = CS_AES256,
};

FIXTURE_VARIANT_ADD(rec, tls13_chacha20_poly1305) {
	.version = CS_TLS13, .cipher = CS_CHACHA,
};

FIXTURE_SETUP(rec)
{
	struct cs_params p;
	struct kt_blob bl;

	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	/* sequence numbers that use every byte of the nonce and AAD */
	cs_ref_init(&self->c2s, variant->version, variant->cipher,
		    0x0102030405060708ull);
	cs_ref_init(&self->s2c, variant->version, variant->cipher, 5);
	cs_params_init(&p, true, &self->c2s, &self->s2c);
	cs_blob(&bl, &p);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, CS_PKG, bl.b, bl.len,
					  &self->client));
	cs_params_init(&p, false, &self->s2c, &self->c2s);
	cs_blob(&bl, &p);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, CS_PKG, bl.b, bl.len,
					  &self->server));
}

FIXTURE_TEARDOWN(rec)
{
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(rec, encrypt_matches_reference)
{
	static const uint32_t lens[] = { 1000, 0, 1, CS_MAX_PLAIN, 37 };
	uint8_t *expect = self->rec + CS_MAX_RECORD;
	uint32_t hdr = cs_hdr_len(&self->c2s), trl = cs_trl_len(&self->c2s);
	struct kt_msg m;
	size_t i, n;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		kt_random(self->plain, lens[i]);
		ASSERT_STATUS(SEC_E_OK, cs_encrypt(self->fd, &self->client,
						   &self->c2s, self->rec,
						   self->plain, lens[i], &m));
		EXPECT_EQ(hdr, m.b[0].cb_buffer);
		EXPECT_EQ(lens[i], m.b[1].cb_buffer);
		EXPECT_EQ(trl, m.b[2].cb_buffer);
		EXPECT_EQ(SECBUFFER_STREAM_HEADER, m.b[0].buffer_type);
		EXPECT_EQ(SECBUFFER_DATA, m.b[1].buffer_type);
		EXPECT_EQ(SECBUFFER_STREAM_TRAILER, m.b[2].buffer_type);
		n = cs_seal(&self->c2s, 23, self->plain, lens[i], 0, expect);
		ASSERT_EQ(n, hdr + lens[i] + trl);
		EXPECT_EQ(0, memcmp(self->rec, expect, n))
			TH_LOG("record %zu (%u bytes) differs", i, lens[i]);
	}
}

TEST_F(rec, encrypt_larger_buffers_report_what_the_record_uses)
{
	uint32_t hdr = cs_hdr_len(&self->c2s), trl = cs_trl_len(&self->c2s);
	uint8_t head[64], data[100], tail[64], expect[256];
	struct kt_msg m;
	size_t n;

	kt_random(data, sizeof(data));
	memcpy(self->plain, data, sizeof(data));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_STREAM_TRAILER, tail, sizeof(tail));
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_STREAM_HEADER, head, sizeof(head));
	ASSERT_STATUS(SEC_E_OK, kt_msg_call(self->fd,
					    KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	EXPECT_EQ(trl, m.b[1].cb_buffer);
	EXPECT_EQ(sizeof(data), m.b[2].cb_buffer);
	EXPECT_EQ(hdr, m.b[3].cb_buffer);
	n = cs_seal(&self->c2s, 23, self->plain, sizeof(data), 0, expect);
	EXPECT_EQ(0, memcmp(head, expect, hdr));
	EXPECT_EQ(0, memcmp(data, expect + hdr, sizeof(data)));
	EXPECT_EQ(0, memcmp(tail, expect + hdr + sizeof(data), trl));
	EXPECT_EQ(n, hdr + sizeof(data) + trl);
}

TEST_F(rec, decrypt_reference_records)
{
	uint32_t hdr = cs_hdr_len(&self->s2c);
	struct kt_msg m;
	size_t n, pad;

	for (pad = 0; pad < 3; pad++) {
		uint32_t len = 500 + pad;

		kt_random(self->plain, len);
		n = cs_seal(&self->s2c, 23, self->plain, len,
			    self->s2c.version == CS_TLS13 ? pad * 100 : 0,
			    self->rec);
		ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client,
						   self->rec, n, &m));
		EXPECT_EQ(SECBUFFER_STREAM_HEADER, m.b[0].buffer_type);
		EXPECT_EQ(hdr, m.b[0].cb_buffer);
		EXPECT_EQ(SECBUFFER_DATA, m.b[1].buffer_type);
		EXPECT_EQ(len, m.b[1].cb_buffer);
		EXPECT_EQ(self->rec + hdr, cs_ptr(&m.b[1]));
		EXPECT_EQ(0, memcmp(self->rec + hdr, self->plain, len));
		EXPECT_EQ(SECBUFFER_STREAM_TRAILER, m.b[2].buffer_type);
		EXPECT_EQ(self->rec + hdr + len, cs_ptr(&m.b[2]));
		EXPECT_EQ(n - hdr - len, m.b[2].cb_buffer);
		EXPECT_EQ(SECBUFFER_EMPTY, m.b[3].buffer_type);
		EXPECT_EQ(0u, m.b[3].cb_buffer);
	}
}

TEST_F(rec, both_directions_between_contexts)
{
	uint8_t *copy = self->rec + CS_MAX_RECORD;
	uint32_t i, len;
	struct kt_msg m;

	for (i = 0; i < 20; i++) {
		const struct ksspi_handle *from = i & 1 ? &self->server :
							  &self->client;
		const struct ksspi_handle *to = i & 1 ? &self->client :
							&self->server;
		struct cs_ref *r = i & 1 ? &self->s2c : &self->c2s;
		uint32_t hdr = cs_hdr_len(r);

		len = 1 + i * 397;
		kt_random(copy, len);
		ASSERT_STATUS(SEC_E_OK, cs_encrypt(self->fd, from, r,
						   self->rec, copy, len, &m));
		ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, to, self->rec,
						   hdr + len + cs_trl_len(r),
						   &m));
		EXPECT_EQ(len, m.b[1].cb_buffer);
		EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), copy, len));
	}
}

TEST_F(rec, extra_bytes_after_the_record)
{
	uint32_t hdr = cs_hdr_len(&self->s2c);
	uint8_t one[10] = "first", two[10] = "second";
	struct kt_msg m;
	size_t n1, n2;

	n1 = cs_seal(&self->s2c, 23, one, 5, 0, self->rec);
	n2 = cs_seal(&self->s2c, 23, two, 6, 0, self->rec + n1);
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n1 + n2, &m));
	EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), "first", 5));
	ASSERT_EQ(SECBUFFER_EXTRA, m.b[3].buffer_type);
	EXPECT_EQ(n2, m.b[3].cb_buffer);
	EXPECT_EQ(self->rec + n1, cs_ptr(&m.b[3]));
	/* the extra bytes are the next call's input */
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client,
					   self->rec + n1, n2, &m));
	EXPECT_EQ(6u, m.b[1].cb_buffer);
	EXPECT_EQ(0, memcmp(self->rec + n1 + hdr, "second", 6));
	EXPECT_EQ(SECBUFFER_EMPTY, m.b[3].buffer_type);
}

TEST_F(rec, incomplete_message_counts_missing_bytes)
{
	uint8_t keep[64];
	struct kt_msg m;
	size_t n;

	n = cs_seal(&self->s2c, 23, "partial", 7, 0, self->rec);
	memcpy(keep, self->rec, n);
	EXPECT_STATUS(SEC_E_INCOMPLETE_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, 3, &m));
	EXPECT_EQ(SECBUFFER_DATA, m.b[0].buffer_type);
	EXPECT_EQ(3u, m.b[0].cb_buffer);
	EXPECT_EQ(SECBUFFER_MISSING, m.b[1].buffer_type);
	EXPECT_EQ(2u, m.b[1].cb_buffer);
	EXPECT_STATUS(SEC_E_INCOMPLETE_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, n - 10,
				 &m));
	EXPECT_EQ(SECBUFFER_MISSING, m.b[1].buffer_type);
	EXPECT_EQ(10u, m.b[1].cb_buffer);
	EXPECT_STATUS(SEC_E_INCOMPLETE_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, 0, &m));
	EXPECT_EQ(5u, m.b[1].cb_buffer);
	EXPECT_EQ(0, memcmp(self->rec, keep, n));
	/* nothing was consumed: the whole record still opens */
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n, &m));
	EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), "partial", 7));
}

TEST_F(rec, bad_tag_decrypt_failure_and_sequence_stays)
{
	uint8_t bad[64], keep[64];
	struct kt_msg m;
	size_t n, i;

	n = cs_seal(&self->s2c, 23, "tampered", 8, 0, self->rec);
	for (i = 0; i < n; i += n - 1) {
		memcpy(bad, self->rec, n);
		bad[i ? n - 1 : cs_hdr_len(&self->s2c)] ^= 0x40;
		memcpy(keep, bad, n);
		EXPECT_STATUS(SEC_E_DECRYPT_FAILURE,
			      cs_decrypt(self->fd, &self->client, bad, n, &m));
		/* nothing comes back through the ioctl on failure */
		EXPECT_EQ(SECBUFFER_DATA, m.b[0].buffer_type);
		EXPECT_EQ(SECBUFFER_EMPTY, m.b[1].buffer_type);
		EXPECT_EQ(0, memcmp(bad, keep, n));
	}
	/* a record with the wrong sequence number does not open either */
	memcpy(bad, self->rec, n);
	self->s2c.seq++;
	n = cs_seal(&self->s2c, 23, "tampered", 8, 0, bad);
	EXPECT_STATUS(SEC_E_DECRYPT_FAILURE,
		      cs_decrypt(self->fd, &self->client, bad, n, &m));
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n, &m));
	EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), "tampered", 8));
}

TEST_F(rec, close_notify_context_expired)
{
	static const uint8_t close_notify[2] = { 1, 0 };
	uint8_t out[64];
	struct kt_msg m;
	size_t n;

	n = cs_seal(&self->s2c, 21, close_notify, 2, 0, self->rec);
	EXPECT_STATUS(SEC_I_CONTEXT_EXPIRED,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
	EXPECT_EQ(SECBUFFER_STREAM_HEADER, m.b[0].buffer_type);
	EXPECT_EQ(SECBUFFER_DATA, m.b[1].buffer_type);
	EXPECT_EQ(0u, m.b[1].cb_buffer);
	/* nothing may follow close_notify */
	n = cs_seal(&self->s2c, 23, "late", 4, 0, self->rec);
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
	/* this side may still send */
	EXPECT_STATUS(SEC_E_OK, cs_encrypt(self->fd, &self->client, &self->c2s,
					   out, "bye", 3, &m));
}

TEST_F(rec, fatal_alert_illegal_message)
{
	static const uint8_t alert[2] = { 2, 20 };	/* bad_record_mac */
	struct kt_msg m;
	size_t n;

	n = cs_seal(&self->s2c, 21, alert, 2, 0, self->rec);
	EXPECT_STATUS(SEC_E_ILLEGAL_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
	n = cs_seal(&self->s2c, 23, "late", 4, 0, self->rec);
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
}

TEST_F(rec, ignored_alert_and_post_handshake_messages)
{
	static const uint8_t user_canceled[2] = { 1, 90 };
	static const uint8_t ticket[12] = { 4, 0, 0, 8, 0, 0, 0x0e, 0x10,
					    1, 2, 3, 4 };
	static const uint8_t hello_request[4] = { 0, 0, 0, 0 };
	bool tls13 = self->s2c.version == CS_TLS13;
	struct kt_msg m;
	size_t n;

	n = cs_seal(&self->s2c, 21, user_canceled, 2, 0, self->rec);
	EXPECT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n, &m));
	EXPECT_EQ(SECBUFFER_DATA, m.b[1].buffer_type);
	EXPECT_EQ(0u, m.b[1].cb_buffer);
	if (tls13)
		n = cs_seal(&self->s2c, 22, ticket, sizeof(ticket), 0,
			    self->rec);
	else
		n = cs_seal(&self->s2c, 22, hello_request,
			    sizeof(hello_request), 0, self->rec);
	EXPECT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n, &m));
	EXPECT_EQ(SECBUFFER_DATA, m.b[1].buffer_type);
	EXPECT_EQ(0u, m.b[1].cb_buffer);
	n = cs_seal(&self->s2c, 23, "after", 5, 0, self->rec);
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n, &m));
	EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), "after", 5));
}

TEST_F(rec, key_update_ends_the_receive_direction)
{
	static const uint8_t key_update[5] = { 24, 0, 0, 1, 0 };
	static const uint8_t finished[8] = { 20, 0, 0, 4, 1, 2, 3, 4 };
	bool tls13 = self->s2c.version == CS_TLS13;
	struct kt_msg m;
	size_t n;

	if (tls13)
		n = cs_seal(&self->s2c, 22, key_update, sizeof(key_update), 0,
			    self->rec);
	else
		n = cs_seal(&self->s2c, 22, finished, sizeof(finished), 0,
			    self->rec);
	EXPECT_STATUS(tls13 ? SEC_E_CONTEXT_EXPIRED : SEC_E_ILLEGAL_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
	n = cs_seal(&self->s2c, 23, "late", 4, 0, self->rec);
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
}

TEST_F(rec, malformed_record_headers)
{
	struct kt_msg m;
	size_t n;

	n = cs_seal(&self->s2c, 23, "header", 6, 0, self->rec);
	self->rec[2] = 1;			/* version 0x0301 */
	EXPECT_STATUS(SEC_E_ILLEGAL_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
	self->rec[2] = 3;
	self->rec[0] = 20;			/* change_cipher_spec */
	EXPECT_STATUS(SEC_E_ILLEGAL_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
	self->rec[0] = 23;
	self->rec[3] = 0x48;			/* 18432 + 1: record_overflow */
	self->rec[4] = 0x01;
	EXPECT_STATUS(SEC_E_ILLEGAL_MESSAGE,
		      cs_decrypt(self->fd, &self->client, self->rec,
				 sizeof(self->rec), &m));
	/* too short to hold a tag */
	self->rec[3] = 0;
	self->rec[4] = 3;
	EXPECT_STATUS(SEC_E_DECRYPT_FAILURE,
		      cs_decrypt(self->fd, &self->client, self->rec, 8, &m));
}

TEST_F(rec, descriptor_checks)
{
	uint8_t buf[64];
	struct kt_msg m;

	/* DecryptMessage: one DATA and three EMPTY buffers */
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_DATA, buf, 10);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_msg_call(self->fd, KSSPI_IOC_DECRYPT_MESSAGE, &m));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_TOKEN, buf, 10);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_msg_call(self->fd, KSSPI_IOC_DECRYPT_MESSAGE, &m));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_DATA | SECBUFFER_READONLY, buf, 10);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	kt_msg_add(&m, SECBUFFER_EMPTY, NULL, 0);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_msg_call(self->fd, KSSPI_IOC_DECRYPT_MESSAGE, &m));

	/* EncryptMessage: header, data and trailer, large enough */
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_STREAM_HEADER, buf, 13);
	kt_msg_add(&m, SECBUFFER_DATA, buf + 13, 10);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_STREAM_HEADER, buf,
		   cs_hdr_len(&self->c2s) - 1);
	kt_msg_add(&m, SECBUFFER_DATA, buf + 13, 10);
	kt_msg_add(&m, SECBUFFER_STREAM_TRAILER, buf + 23, 17);
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_STREAM_HEADER, buf, 13);
	kt_msg_add(&m, SECBUFFER_DATA, buf + 13, 10);
	kt_msg_add(&m, SECBUFFER_STREAM_TRAILER, buf + 23,
		   cs_trl_len(&self->c2s) - 1);
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_STREAM_HEADER, buf, 13);
	kt_msg_add(&m, SECBUFFER_DATA, self->plain, CS_MAX_PLAIN);
	kt_msg_add(&m, SECBUFFER_STREAM_TRAILER, buf + 23, 17);
	EXPECT_STATUS(SEC_E_OK,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	m.b[1].cb_buffer = CS_MAX_PLAIN + 1;
	m.b[1].pv_buffer = kt_ptr(self->rec);
	m.b[0].cb_buffer = 13;
	m.b[2].cb_buffer = 17;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	m.b[1].cb_buffer = 10;
	m.a.qop = 1;
	EXPECT_STATUS(SEC_E_QOP_NOT_SUPPORTED,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	/* no signatures: CredSSP's messages are records */
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      kt_sign(self->fd, &self->client, buf, 10, buf + 20,
			      NULL));
}

TEST_F(rec, stream_sizes)
{
	struct ksspi_attr_stream_sizes ss;
	uint32_t len = sizeof(ss);

	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->client,
					      SECPKG_ATTR_STREAM_SIZES, &ss,
					      &len));
	EXPECT_EQ(sizeof(ss), len);
	EXPECT_EQ(self->c2s.version == CS_TLS12 &&
		  self->c2s.cipher != CS_CHACHA ? 13u : 5u, ss.header);
	EXPECT_EQ(self->c2s.version == CS_TLS13 ? 17u : 16u, ss.trailer);
	EXPECT_EQ(16384u, ss.maximum_message);
	EXPECT_EQ(4u, ss.buffers);
	EXPECT_EQ(1u, ss.block_size);
	len = sizeof(ss) - 1;
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_query_attr(self->fd, &self->server,
				    SECPKG_ATTR_STREAM_SIZES, &ss, &len));
	EXPECT_EQ(sizeof(ss), len);
}

TEST_F(rec, export_import_carries_sequence_numbers)
{
	uint8_t blob[2048], *expect = self->rec + CS_MAX_RECORD;
	struct ksspi_handle again;
	uint32_t len = sizeof(blob), i;
	struct kt_msg m;
	size_t n;

	for (i = 0; i < 3; i++) {
		ASSERT_STATUS(SEC_E_OK, cs_encrypt(self->fd, &self->client,
						   &self->c2s, self->rec,
						   "count", 5, &m));
		self->c2s.seq++;
		n = cs_seal(&self->s2c, 23, "in", 2, 0, self->rec);
		ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client,
						   self->rec, n, &m));
	}
	ASSERT_STATUS(SEC_E_OK, kt_export(self->fd, &self->client, 0, blob,
					  &len));
	EXPECT_EQ(self->c2s.seq,
		  cs_blob_seq(blob, len, KSSPI_CTX_REC_TLS_TX));
	EXPECT_EQ(self->s2c.seq,
		  cs_blob_seq(blob, len, KSSPI_CTX_REC_TLS_RX));
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, "credssp", blob, len,
					  &again));
	ASSERT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->client));
	ASSERT_STATUS(SEC_E_OK, cs_encrypt(self->fd, &again, &self->c2s,
					   self->rec, "next", 4, &m));
	n = cs_seal(&self->c2s, 23, "next", 4, 0, expect);
	EXPECT_EQ(0, memcmp(self->rec, expect, n));
	n = cs_seal(&self->s2c, 23, "more", 4, 0, self->rec);
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &again, self->rec, n,
					   &m));
	EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), "more", 4));
}

TEST_F(rec, sequence_numbers_end_the_context)
{
	uint8_t *expect = self->rec + CS_MAX_RECORD;
	struct ksspi_handle last;
	struct cs_params p;
	struct kt_blob bl;
	struct kt_msg m;
	size_t n;

	self->c2s.seq = UINT64_MAX - 1;
	self->s2c.seq = UINT64_MAX - 1;
	cs_params_init(&p, true, &self->c2s, &self->s2c);
	cs_blob(&bl, &p);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, CS_PKG, bl.b, bl.len,
					  &last));
	ASSERT_STATUS(SEC_E_OK, cs_encrypt(self->fd, &last, &self->c2s,
					   self->rec, "last", 4, &m));
	n = cs_seal(&self->c2s, 23, "last", 4, 0, expect);
	EXPECT_EQ(0, memcmp(self->rec, expect, n));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      cs_encrypt(self->fd, &last, &self->c2s, self->rec,
				 "over", 4, &m));
	n = cs_seal(&self->s2c, 23, "last", 4, 0, self->rec);
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &last, self->rec, n,
					   &m));
	n = cs_seal(&self->s2c, 23, "over", 4, 0, self->rec);
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      cs_decrypt(self->fd, &last, self->rec, n, &m));
}

TEST_F(rec, credssp_attributes)
{
	struct ksspi_attr_credssp_info ci;
	uint8_t creds[64];
	uint32_t len;

	len = sizeof(ci);
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->server,
					      KSSPI_ATTR_CREDSSP_INFO, &ci,
					      &len));
	EXPECT_EQ(6u, ci.tsrequest_version);
	EXPECT_EQ(0u, ci.flags);
	EXPECT_EQ(self->c2s.version, ci.tls_version);
	EXPECT_EQ(self->c2s.cipher, ci.tls_cipher);
	EXPECT_STREQ("Negotiate", ci.inner_package);
	len = sizeof(creds);
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->server,
					      KSSPI_ATTR_CREDSSP_DELEGATED,
					      creds, &len));
	EXPECT_EQ(sizeof(CS_DELEGATED) - 1, len);
	EXPECT_EQ(0, memcmp(creds, CS_DELEGATED, len));
	len = sizeof(creds);
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      kt_query_attr(self->fd, &self->client,
				    KSSPI_ATTR_CREDSSP_DELEGATED, creds,
				    &len));
}

/* ---- the kTLS handoff ---- */

/* A connected loopback TCP pair: *a and *b, or -errno */
static int cs_tcp_pair(int *a, int *b)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 10 };
	socklen_t len = sizeof(sin);
	int l, err = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*a = *b = -1;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0)
		return -errno;
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sin, &len))
		goto fail;
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sin, sizeof(sin)))
		goto fail;
	*b = accept(l, NULL, NULL);
	if (*b < 0)
		goto fail;
	setsockopt(*a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(*b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	close(l);
	return 0;
fail:
	err = -errno;
	close(l);
	if (*a >= 0)
		close(*a);
	*a = -1;
	return err;
}

/*
 * Userspace kTLS with a direction's state, as the kernel's TLS
 * documentation lays it out: TLS 1.2 AES-GCM's salt is the implicit nonce
 * and iv the first explicit nonce (the sequence number, as GnuTLS sends
 * it); TLS 1.3 AES-GCM's salt || iv is the 12-byte IV; ChaCha20-Poly1305's
 * iv is the 12-byte IV.
 */
static int cs_user_ktls(int fd, int optname, const struct cs_ref *r)
{
	union {
		struct tls12_crypto_info_aes_gcm_128 g128;
		struct tls12_crypto_info_aes_gcm_256 g256;
		struct tls12_crypto_info_chacha20_poly1305 cp;
	} ci;
	uint8_t seq[8];
	socklen_t len;

	memset(&ci, 0, sizeof(ci));
	cs_be64(seq, r->seq);
	ci.g128.info.version = r->version;
	ci.g128.info.cipher_type = r->cipher;
	switch (r->cipher) {
	case CS_AES128:
		memcpy(ci.g128.key, r->key, 16);
		memcpy(ci.g128.salt, r->iv, 4);
		memcpy(ci.g128.iv, cs_explicit(r) ? seq : r->iv + 4, 8);
		memcpy(ci.g128.rec_seq, seq, 8);
		len = sizeof(ci.g128);
		break;
	case CS_AES256:
		memcpy(ci.g256.key, r->key, 32);
		memcpy(ci.g256.salt, r->iv, 4);
		memcpy(ci.g256.iv, cs_explicit(r) ? seq : r->iv + 4, 8);
		memcpy(ci.g256.rec_seq, seq, 8);
		len = sizeof(ci.g256);
		break;
	default:
		memcpy(ci.cp.key, r->key, 32);
		memcpy(ci.cp.iv, r->iv, 12);
		memcpy(ci.cp.rec_seq, seq, 8);
		len = sizeof(ci.cp);
		break;
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", 3) && errno != EEXIST)
		return -errno;
	return setsockopt(fd, SOL_TLS, optname, &ci, len) ? -errno : 0;
}

static uint32_t cs_install(int fd, const struct ksspi_handle *h, int sock,
			   uint32_t flags)
{
	struct ksspi_install_ktls k;
	int ret;

	memset(&k, 0, sizeof(k));
	k.size = sizeof(k);
	k.context = *h;
	k.fd = sock;
	k.flags = flags;
	ret = kt_ioctl(fd, KSSPI_IOC_INSTALL_KTLS, &k);
	return ret < 0 ? KT_ERRNO_STATUS(-ret) : k.status;
}

/* Reads exactly @len bytes; 0 or -errno (-EPIPE: the peer closed) */
static int cs_read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int cs_write_all(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, 0);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

FIXTURE(ktls) {
	int fd;
	int a, b;			/* a: the ksspi end, b: the peer */
	struct kt_stats base;
	struct cs_ref c2s, s2c;
	struct ksspi_handle client;
	uint8_t rec[4 * CS_MAX_RECORD];
};

FIXTURE_VARIANT(ktls) {
	uint16_t version;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(ktls, tls12_aes128_gcm) {
	.version = CS_TLS12, .cipher = CS_AES128,
};

FIXTURE_VARIANT_ADD(ktls, tls12_aes256_gcm) {
	.version = CS_TLS12, .cipher = CS_AES256,
};

FIXTURE_VARIANT_ADD(ktls, tls12_chacha20_poly1305) {
	.version = CS_TLS12, .cipher = CS_CHACHA,
};

FIXTURE_VARIANT_ADD(ktls, tls13_aes128_gcm) {
	.version = CS_TLS13, .cipher = CS_AES128,
};

FIXTURE_VARIANT_ADD(ktls, tls13_aes256_gcm) {
	.version = CS_TLS13, .cipher = CS_AES256,
};

FIXTURE_VARIANT_ADD(ktls, tls13_chacha20_poly1305) {
	.version = CS_TLS13, .cipher = CS_CHACHA,
};

FIXTURE_SETUP(ktls)
{
	struct cs_params p;
	struct kt_blob bl;

	self->a = self->b = -1;
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	cs_ref_init(&self->c2s, variant->version, variant->cipher,
		    0x00000001fffffffeull);
	cs_ref_init(&self->s2c, variant->version, variant->cipher, 40);
	cs_params_init(&p, true, &self->c2s, &self->s2c);
	cs_blob(&bl, &p);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, CS_PKG, bl.b, bl.len,
					  &self->client));
	ASSERT_EQ(0, cs_tcp_pair(&self->a, &self->b));
}

FIXTURE_TEARDOWN(ktls)
{
	if (self->a >= 0)
		close(self->a);
	if (self->b >= 0)
		close(self->b);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* The ksspi end seals @n records with EncryptMessage and sends them */
static int cs_send_records(int fd, const struct ksspi_handle *h,
			   struct cs_ref *r, int sock, uint8_t *rec,
			   const char *const *texts, int n)
{
	struct kt_msg m;
	int i, err;

	for (i = 0; i < n; i++) {
		uint32_t len = strlen(texts[i]);

		if (cs_encrypt(fd, h, r, rec, texts[i], len, &m) != SEC_E_OK)
			return -EPROTO;
		err = cs_write_all(sock, rec, cs_hdr_len(r) + len +
						cs_trl_len(r));
		if (err)
			return err;
		r->seq++;
	}
	return 0;
}

/* The peer's kTLS state of a direction: its crypto_info as kTLS has it */
static int cs_ktls_seq(int fd, int optname, uint64_t *seq)
{
	struct tls12_crypto_info_chacha20_poly1305 ci;	/* the largest */
	const uint8_t *rec_seq;
	socklen_t len;
	uint64_t v = 0;
	int i;

	/* kTLS wants the cipher's exact size: learn the cipher first */
	memset(&ci, 0, sizeof(ci));
	len = sizeof(ci.info);
	if (getsockopt(fd, SOL_TLS, optname, &ci, &len))
		return -errno;
	switch (ci.info.cipher_type) {
	case CS_AES128:
		len = sizeof(struct tls12_crypto_info_aes_gcm_128);
		rec_seq = ((struct tls12_crypto_info_aes_gcm_128 *)&ci)->rec_seq;
		break;
	case CS_AES256:
		len = sizeof(struct tls12_crypto_info_aes_gcm_256);
		rec_seq = ((struct tls12_crypto_info_aes_gcm_256 *)&ci)->rec_seq;
		break;
	default:
		len = sizeof(ci);
		rec_seq = ci.rec_seq;
		break;
	}
	if (getsockopt(fd, SOL_TLS, optname, &ci, &len))
		return -errno;
	for (i = 0; i < 8; i++)
		v = v << 8 | rec_seq[i];
	*seq = v;
	return 0;
}

TEST_F(ktls, handoff_both_directions)
{
	static const char *const before_a[] = { "one", "two", "three" };
	static const char *const before_b[] = { "four", "five" };
	struct cs_ref peer_rx = self->c2s, peer_tx = self->s2c;
	uint32_t hdr = cs_hdr_len(&self->s2c), trl = cs_trl_len(&self->s2c);
	struct ksspi_attr_stream_sizes ss;
	uint8_t got[64], blob[2048];
	char ulp[16] = "";
	socklen_t ulp_len = sizeof(ulp);
	uint32_t len, i, off, n;
	uint64_t seq;
	struct kt_msg m;

	/* the ksspi end's records, opened by the peer's kTLS */
	ASSERT_EQ(0, cs_send_records(self->fd, &self->client, &self->c2s,
				     self->a, self->rec, before_a, 3));
	ASSERT_EQ(0, cs_user_ktls(self->b, TLS_RX, &peer_rx))
		TH_LOG("the peer's kTLS RX: %s", strerror(errno));
	ASSERT_EQ(0, cs_read_all(self->b, got, 11));
	EXPECT_EQ(0, memcmp(got, "onetwothree", 11));

	/* the peer's kTLS records, opened by DecryptMessage */
	ASSERT_EQ(0, cs_user_ktls(self->b, TLS_TX, &peer_tx));
	for (i = 0, len = 0; i < 2; i++) {
		ASSERT_EQ(0, cs_write_all(self->b, before_b[i],
					  strlen(before_b[i])));
		len += hdr + strlen(before_b[i]) + trl;
	}
	ASSERT_EQ(0, cs_read_all(self->a, self->rec, len));
	for (i = 0, off = 0; i < 2; i++) {
		n = strlen(before_b[i]);
		ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client,
						   self->rec + off, len - off,
						   &m));
		EXPECT_EQ(n, m.b[1].cb_buffer);
		EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), before_b[i], n));
		off += hdr + n + trl;
	}
	self->s2c.seq += 2;

	/* from here on, kTLS on both ends */
	ASSERT_STATUS(SEC_E_OK, cs_install(self->fd, &self->client, self->a,
					   KSSPI_KTLS_TX | KSSPI_KTLS_RX));
	ASSERT_EQ(0, getsockopt(self->a, SOL_TCP, TCP_ULP, ulp, &ulp_len));
	EXPECT_STREQ("tls", ulp);
	ASSERT_EQ(0, cs_ktls_seq(self->a, TLS_TX, &seq));
	EXPECT_EQ(self->c2s.seq, seq);
	ASSERT_EQ(0, cs_ktls_seq(self->a, TLS_RX, &seq));
	EXPECT_EQ(self->s2c.seq, seq);
	ASSERT_EQ(0, cs_write_all(self->a, "six from a", 10));
	ASSERT_EQ(0, cs_read_all(self->b, got, 10));
	EXPECT_EQ(0, memcmp(got, "six from a", 10));
	ASSERT_EQ(0, cs_write_all(self->b, "seven from b", 12));
	ASSERT_EQ(0, cs_read_all(self->a, got, 12));
	EXPECT_EQ(0, memcmp(got, "seven from b", 12));

	/* the context has let go of both directions */
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      cs_encrypt(self->fd, &self->client, &self->c2s,
				 self->rec, "late", 4, &m));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      cs_decrypt(self->fd, &self->client, self->rec, 30, &m));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      cs_install(self->fd, &self->client, self->a,
				 KSSPI_KTLS_RX));
	len = sizeof(blob);
	EXPECT_STATUS(SEC_E_CANNOT_PACK,
		      kt_export(self->fd, &self->client, 0, blob, &len));
	len = sizeof(ss);
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->client,
					      SECPKG_ATTR_STREAM_SIZES, &ss,
					      &len));
}

TEST_F(ktls, one_direction_at_a_time)
{
	struct kt_msg m;
	uint8_t got[64];
	size_t n;

	ASSERT_STATUS(SEC_E_OK, cs_install(self->fd, &self->client, self->a,
					   KSSPI_KTLS_TX));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      cs_encrypt(self->fd, &self->client, &self->c2s,
				 self->rec, "late", 4, &m));
	ASSERT_EQ(0, cs_user_ktls(self->b, TLS_RX, &self->c2s));
	ASSERT_EQ(0, cs_write_all(self->a, "tx by ktls", 10));
	ASSERT_EQ(0, cs_read_all(self->b, got, 10));
	EXPECT_EQ(0, memcmp(got, "tx by ktls", 10));

	/* receiving is still the context's */
	n = cs_seal(&self->s2c, 23, "rx by ksspi", 11, 0, self->rec);
	ASSERT_EQ(0, cs_write_all(self->b, self->rec, n));
	memset(self->rec, 0, n);
	ASSERT_EQ(0, cs_read_all(self->a, self->rec, n));
	ASSERT_STATUS(SEC_E_OK, cs_decrypt(self->fd, &self->client, self->rec,
					   n, &m));
	EXPECT_EQ(0, memcmp(cs_ptr(&m.b[1]), "rx by ksspi", 11));

	/* and then kTLS's too, on the socket that has the ULP already */
	ASSERT_STATUS(SEC_E_OK, cs_install(self->fd, &self->client, self->a,
					   KSSPI_KTLS_RX));
	ASSERT_EQ(0, cs_user_ktls(self->b, TLS_TX, &self->s2c));
	ASSERT_EQ(0, cs_write_all(self->b, "rx by ktls", 10));
	ASSERT_EQ(0, cs_read_all(self->a, got, 10));
	EXPECT_EQ(0, memcmp(got, "rx by ktls", 10));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      cs_decrypt(self->fd, &self->client, self->rec, n, &m));
}

TEST(ktls_refusals)
{
	struct cs_ref tx, rx;
	struct ksspi_handle ctx, spent, ntlm, bogus = { 1, 0x5800000000000001ull };
	struct cs_params p;
	struct kt_blob bl;
	int fd = kt_open(), a, b, s, pair[2];
	uint8_t rec[128];
	struct kt_msg m;

	ASSERT_LE(0, fd);
	cs_ref_init(&tx, CS_TLS13, CS_AES128, 0);
	cs_ref_init(&rx, CS_TLS13, CS_AES128, 0);
	cs_params_init(&p, true, &tx, &rx);
	cs_blob(&bl, &p);
	ASSERT_STATUS(SEC_E_OK, kt_import(fd, CS_PKG, bl.b, bl.len, &ctx));
	ASSERT_EQ(0, cs_tcp_pair(&a, &b));

	/* not a socket, not a connected TCP socket */
	EXPECT_STATUS(KT_ERRNO_STATUS(EBADF),
		      cs_install(fd, &ctx, -1, KSSPI_KTLS_TX));
	s = open("/dev/null", O_RDWR);
	ASSERT_LE(0, s);
	EXPECT_STATUS(KT_ERRNO_STATUS(ENOTSOCK),
		      cs_install(fd, &ctx, s, KSSPI_KTLS_TX));
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      cs_install(fd, &ctx, s, KSSPI_KTLS_TX));
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      cs_install(fd, &ctx, s, KSSPI_KTLS_TX));
	close(s);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      cs_install(fd, &ctx, pair[0], KSSPI_KTLS_TX));
	close(pair[0]);
	close(pair[1]);

	/* flags, handles, packages */
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, cs_install(fd, &ctx, a, 0));
	EXPECT_STATUS(KT_ERRNO_STATUS(EINVAL), cs_install(fd, &ctx, a, 4));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      cs_install(fd, &bogus, a, KSSPI_KTLS_TX));
	kt_ntlm_blob(&bl, true, false);
	ASSERT_STATUS(SEC_E_OK, kt_import(fd, "NTLM", bl.b, bl.len, &ntlm));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      cs_install(fd, &ntlm, a, KSSPI_KTLS_TX));

	/* spent sequence numbers stay with the context */
	tx.seq = UINT64_MAX;
	cs_params_init(&p, true, &tx, &rx);
	cs_blob(&bl, &p);
	ASSERT_STATUS(SEC_E_OK, kt_import(fd, CS_PKG, bl.b, bl.len, &spent));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      cs_install(fd, &spent, a, KSSPI_KTLS_TX | KSSPI_KTLS_RX));

	/* kTLS refuses a direction it has: the context keeps it */
	tx.seq = 0;
	ASSERT_EQ(0, cs_user_ktls(a, TLS_TX, &tx));
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      cs_install(fd, &ctx, a, KSSPI_KTLS_TX));
	EXPECT_STATUS(SEC_E_OK, cs_encrypt(fd, &ctx, &tx, rec, "kept", 4, &m));
	close(a);
	close(b);
	close(fd);
}

/* ---- the package ---- */

TEST(package_names_and_info)
{
	static const char *const names[] = { "CredSSP", "CREDSSP", "credssp",
					     "TSSSP", "tsssp" };
	struct ksspi_package_info info, all[64];
	struct ksspi_enum_packages e;
	int fd = kt_open();
	uint32_t i, found = 0;

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ASSERT_STATUS(SEC_E_OK, kt_query_package(fd, names[i], &info))
			TH_LOG("%s", names[i]);
		EXPECT_STREQ("CredSSP", info.name);
		EXPECT_STREQ("Microsoft CredSSP Security Provider",
			     info.comment);
		EXPECT_EQ(0x00010633u, info.capabilities);
		EXPECT_EQ(1, info.version);
		EXPECT_EQ(0xffff, info.rpc_id);
		EXPECT_EQ(90567u, info.max_token);
	}
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
		      kt_query_package(fd, "TSSSPX", &info));
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.count = 64;
	e.packages = kt_ptr(all);
	ASSERT_EQ(0, kt_ioctl(fd, KSSPI_IOC_ENUM_PACKAGES, &e));
	ASSERT_STATUS(SEC_E_OK, e.status);
	for (i = 0; i < e.count && i < 64; i++) {
		EXPECT_NE(0, strcasecmp(all[i].name, "TSSSP"));
		found += !strcmp(all[i].name, "CredSSP");
	}
	EXPECT_EQ(1u, found);
	close(fd);
}

/* ---- hostile blobs ---- */

FIXTURE(blob) {
	int fd;
	struct kt_stats base;
	struct cs_ref tx, rx;
	struct cs_params p;
};

FIXTURE_SETUP(blob)
{
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	cs_ref_init(&self->tx, CS_TLS12, CS_AES128, 0);
	cs_ref_init(&self->rx, CS_TLS12, CS_AES128, 0);
	cs_params_init(&self->p, false, &self->tx, &self->rx);
}

FIXTURE_TEARDOWN(blob)
{
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

static uint32_t cs_try(int fd, const struct cs_params *p)
{
	struct ksspi_handle h;
	struct kt_blob bl;
	uint32_t st;

	cs_blob(&bl, p);
	st = kt_import(fd, CS_PKG, bl.b, bl.len, &h);
	if (st == SEC_E_OK)
		kt_delete_ctx(fd, &h);
	return st;
}

TEST_F(blob, valid_blob_imports)
{
	EXPECT_STATUS(SEC_E_OK, cs_try(self->fd, &self->p));
	self->p.info = KSSPI_CREDSSP_F_RESUMED;
	self->p.ts_version = 2;
	EXPECT_STATUS(SEC_E_OK, cs_try(self->fd, &self->p));
}

TEST_F(blob, bad_values_refused)
{
	char name[65];
	struct cs_params p;

	p = self->p;
	p.version = 0x0302;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.version = 0x0305;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.cipher = 53;				/* AES-CCM */
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.tx.key[16] = 1;			/* AES-128 uses 16 bytes */
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.rx.iv[11] = 1;			/* TLS 1.2 GCM: salt only */
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.rx.reserved[3] = 1;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.ts_version = 1;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p.ts_version = 7;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.inner = "";
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	p.inner = name;				/* 64 bytes */
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	name[63] = 0;				/* 63 */
	EXPECT_STATUS(SEC_E_OK, cs_try(self->fd, &p));
	p = self->p;
	p.info = 2;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p = self->p;
	p.client = true;			/* the client receives none */
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, cs_try(self->fd, &p));
	p.delegated = NULL;
	EXPECT_STATUS(SEC_E_OK, cs_try(self->fd, &p));
	/* the unused half of the key matters for the others */
	p = self->p;
	p.cipher = CS_AES256;
	p.tx.key[31] = 1;
	p.rx.key[20] = 1;
	EXPECT_STATUS(SEC_E_OK, cs_try(self->fd, &p));
	p.version = CS_TLS13;
	p.tx.iv[11] = 1;
	EXPECT_STATUS(SEC_E_OK, cs_try(self->fd, &p));
}

TEST_F(blob, missing_repeated_and_malformed_records)
{
	static const uint16_t required[] = {
		KSSPI_CTX_REC_TLS_VERSION, KSSPI_CTX_REC_TLS_CIPHER,
		KSSPI_CTX_REC_TLS_TX, KSSPI_CTX_REC_TLS_RX,
		KSSPI_CTX_REC_CREDSSP_VERSION, KSSPI_CTX_REC_CREDSSP_INNER,
	};
	static const uint16_t all[] = {
		KSSPI_CTX_REC_TLS_VERSION, KSSPI_CTX_REC_TLS_CIPHER,
		KSSPI_CTX_REC_TLS_TX, KSSPI_CTX_REC_TLS_RX,
		KSSPI_CTX_REC_CREDSSP_VERSION, KSSPI_CTX_REC_CREDSSP_INNER,
		KSSPI_CTX_REC_CREDSSP_INFO, KSSPI_CTX_REC_CREDSSP_DELEGATED,
	};
	struct ksspi_handle h;
	struct kt_blob bl;
	uint8_t big[64] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		cs_begin(&bl);
		cs_records(&bl, &self->p, required[i], 0);
		cs_end(&bl, false);
		EXPECT_STATUS(SEC_E_INVALID_TOKEN,
			      kt_import(self->fd, CS_PKG, bl.b, bl.len, &h))
			TH_LOG("without record 0x%04x", required[i]);
	}
	cs_begin(&bl);
	cs_records(&bl, &self->p, KSSPI_CTX_REC_CREDSSP_INFO, 0);
	cs_end(&bl, false);
	EXPECT_STATUS(SEC_E_OK, kt_import(self->fd, CS_PKG, bl.b, bl.len, &h));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &h));
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		cs_begin(&bl);
		cs_records(&bl, &self->p, 0, 0);
		cs_records(&bl, &self->p, 0, all[i]);
		cs_end(&bl, false);
		EXPECT_STATUS(SEC_E_INVALID_TOKEN,
			      kt_import(self->fd, CS_PKG, bl.b, bl.len, &h))
			TH_LOG("record 0x%04x repeated", all[i]);
		cs_begin(&bl);
		cs_records(&bl, &self->p, all[i], 0);
		kt_blob_rec(&bl, all[i], big, all[i] ==
			    KSSPI_CTX_REC_CREDSSP_DELEGATED ? 0 : 3);
		cs_end(&bl, false);
		EXPECT_STATUS(SEC_E_INVALID_TOKEN,
			      kt_import(self->fd, CS_PKG, bl.b, bl.len, &h))
			TH_LOG("record 0x%04x with a bad length", all[i]);
	}
}

TEST_HARNESS_MAIN
