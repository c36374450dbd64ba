// SPDX-License-Identifier: GPL-2.0
/*
 * The NTLM package's per-message protection in the kernel, against known
 * answers: contexts imported with the keys of MS-NLMP section 4.2.4
 * (NTLMv2, extended session security, key exchange, random session key
 * 0x55 x 16, flags 0xE28A8233) must seal "Plaintext" to the specification's
 * bytes and sign it to the bytes an independent implementation gives, and
 * take both back on the other side.  Then tampering, replay, a stream that
 * survives failed checks, and export in mid-stream.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "ksspi_harness.h"
#include <linux/ksspi_context.h>

/* MS-NLMP 4.2.4: keys derived from RandomSessionKey 0x55 x 16 */
/* "Plaintext" in UTF-16LE, and MS-NLMP 4.2.4.4's sealed form */
static const uint8_t kt_plaintext[18] = {
	'P', 0, 'l', 0, 'a', 0, 'i', 0, 'n', 0, 't', 0, 'e', 0, 'x', 0,
	't', 0 };
static const uint8_t kt_sealed[18] = {
	0x54, 0xe5, 0x01, 0x65, 0xbf, 0x19, 0x36, 0xdc, 0x99, 0x60,
	0x20, 0xc1, 0x81, 0x1b, 0x0f, 0x06, 0xfb, 0x5f };
static const uint8_t kt_seal_sig[16] = {
	0x01, 0x00, 0x00, 0x00, 0x7f, 0xb3, 0x8e, 0xc5,
	0xc5, 0x5d, 0x49, 0x76, 0x00, 0x00, 0x00, 0x00 };
/* MakeSignature("Plaintext") on a fresh client stream, sequence 0 */
static const uint8_t kt_sign_sig[16] = {
	0x01, 0x00, 0x00, 0x00, 0x74, 0xd0, 0x45, 0x34,
	0x2c, 0x4f, 0x1c, 0xd5, 0x00, 0x00, 0x00, 0x00 };


FIXTURE(ntlm) {
	int fd;
	struct kt_stats base;
	struct ksspi_handle client, server;
};

FIXTURE_SETUP(ntlm)
{
	struct kt_blob bl;

	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	kt_ntlm_blob(&bl, true, false);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, "NTLM", bl.b, bl.len,
					  &self->client));
	kt_ntlm_blob(&bl, false, false);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, "NTLM", bl.b, bl.len,
					  &self->server));
}

FIXTURE_TEARDOWN(ntlm)
{
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* EncryptMessage or DecryptMessage of one data buffer with its signature */
static uint32_t kt_seal(int fd, unsigned long ioc,
			const struct ksspi_handle *ctx, uint8_t *data,
			uint32_t len, uint8_t *sig)
{
	struct kt_msg m;

	kt_msg_init(&m, ctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, len);
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, 16);
	return kt_msg_call(fd, ioc, &m);
}

/*
 * A large DATA buffer is used in place (pinned) rather than copied: sealing
 * and unsealing 64 KiB at an odd offset across pages round-trips, pinning
 * each time (a 1 KiB one is copied); the same bytes in read-only memory
 * can be signed and verified, but not sealed.
 */
TEST_F(ntlm, large_data_buffers_in_place)
{
	size_t len = 64 * 1024 + 1, room = len + 2 * 4096;
	uint8_t *map, *data, *copy, sig[16], sig2[16];
	long long pinned = kt_stat("buffers_pinned");

	map = mmap(NULL, room, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	data = map + 4095;
	copy = malloc(len);
	ASSERT_NE(NULL, copy);
	kt_random(data, len);
	memcpy(copy, data, len);

	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
					&self->client, data, len, sig));
	EXPECT_NE(0, memcmp(data, copy, len));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
					&self->server, data, len, sig));
	EXPECT_EQ(0, memcmp(data, copy, len));
	EXPECT_EQ(pinned + 2, kt_stat("buffers_pinned"));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
					&self->client, data, 1024, sig));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
					&self->server, data, 1024, sig));
	EXPECT_EQ(0, memcmp(data, copy, 1024));
	EXPECT_EQ(pinned + 2, kt_stat("buffers_pinned"));

	ASSERT_EQ(0, mprotect(map, room, PROT_READ));
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->client, data, len,
					sig2, NULL));
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->server, data, len,
					  sig2, 16));
	EXPECT_STATUS(KT_ERRNO_STATUS(EFAULT),
		      kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
			      &self->client, data, len, sig));
	EXPECT_EQ(0, memcmp(data, copy, len));
	munmap(map, room);
	free(copy);
}

TEST_F(ntlm, encrypt_plaintext_gives_spec_bytes)
{
	uint8_t data[18], sig[16];

	memcpy(data, kt_plaintext, sizeof(data));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
					&self->client, data, sizeof(data),
					sig));
	EXPECT_EQ(0, memcmp(data, kt_sealed, sizeof(data)));
	EXPECT_EQ(0, memcmp(sig, kt_seal_sig, sizeof(sig)));
}

TEST_F(ntlm, decrypt_spec_bytes_gives_plaintext)
{
	uint8_t data[18], sig[16];

	memcpy(data, kt_sealed, sizeof(data));
	memcpy(sig, kt_seal_sig, sizeof(sig));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
					&self->server, data, sizeof(data),
					sig));
	EXPECT_EQ(0, memcmp(data, kt_plaintext, sizeof(data)));
}

TEST_F(ntlm, make_signature_known_answer_and_verify)
{
	uint8_t data[18], sig[16];
	uint32_t sig_len = sizeof(sig);

	memcpy(data, kt_plaintext, sizeof(data));
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->client, data,
					sizeof(data), sig, &sig_len));
	EXPECT_EQ(16u, sig_len);
	EXPECT_EQ(0, memcmp(sig, kt_sign_sig, sizeof(sig)));
	EXPECT_EQ(0, memcmp(data, kt_plaintext, sizeof(data)));
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->server, data,
					  sizeof(data), sig, sizeof(sig)));
}

TEST_F(ntlm, both_directions_many_messages)
{
	uint8_t data[300], copy[300], sig[16];
	uint32_t sig_len, i;

	for (i = 0; i < 20; i++) {
		const struct ksspi_handle *from = i & 1 ? &self->server :
							  &self->client;
		const struct ksspi_handle *to = i & 1 ? &self->client :
							&self->server;

		kt_random(data, sizeof(data));
		memcpy(copy, data, sizeof(data));
		ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd,
						KSSPI_IOC_ENCRYPT_MESSAGE,
						from, data, sizeof(data), sig));
		EXPECT_NE(0, memcmp(data, copy, sizeof(data)));
		ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd,
						KSSPI_IOC_DECRYPT_MESSAGE,
						to, data, sizeof(data), sig));
		EXPECT_EQ(0, memcmp(data, copy, sizeof(data)));
		sig_len = sizeof(sig);
		ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, from, data,
						sizeof(data), sig, &sig_len));
		EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, to, data,
						  sizeof(data), sig,
						  sizeof(sig)));
	}
}

TEST_F(ntlm, tampering_altered_and_stream_survives)
{
	uint8_t data[18], sig[16], keep[18];

	memcpy(data, kt_plaintext, sizeof(data));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
					&self->client, data, sizeof(data),
					sig));
	data[3] ^= 1;
	memcpy(keep, data, sizeof(data));
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
			      &self->server, data, sizeof(data), sig));
	/* the caller keeps its ciphertext; the stream did not move */
	EXPECT_EQ(0, memcmp(data, keep, sizeof(data)));
	data[3] ^= 1;
	EXPECT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
					&self->server, data, sizeof(data),
					sig));
	EXPECT_EQ(0, memcmp(data, kt_plaintext, sizeof(data)));

	memcpy(data, kt_plaintext, sizeof(data));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
					&self->client, data, sizeof(data),
					sig));
	sig[6] ^= 0x80;
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
			      &self->server, data, sizeof(data), sig));
	sig[6] ^= 0x80;
	EXPECT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
					&self->server, data, sizeof(data),
					sig));
}

TEST_F(ntlm, replay_out_of_sequence)
{
	uint8_t data[18], sig[16], again[18];
	uint32_t sig_len = sizeof(sig);

	memcpy(data, kt_plaintext, sizeof(data));
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->client, data,
					sizeof(data), sig, &sig_len));
	ASSERT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->server, data,
					  sizeof(data), sig, sizeof(sig)));
	memcpy(again, data, sizeof(data));
	EXPECT_STATUS(SEC_E_OUT_OF_SEQUENCE,
		      kt_verify(self->fd, &self->server, again,
				sizeof(again), sig, sizeof(sig)));
}

TEST_F(ntlm, bad_signature_tokens)
{
	uint8_t data[18], sig[17] = { 0 };
	struct kt_msg m;

	memcpy(data, kt_plaintext, sizeof(data));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_verify(self->fd, &self->server, data, sizeof(data),
				sig, 15));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_verify(self->fd, &self->server, data, sizeof(data),
				sig, 17));
	sig[0] = 2;	/* version */
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_verify(self->fd, &self->server, data, sizeof(data),
				sig, 16));
	/* a signature buffer too small to sign into */
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, 15);
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE, &m));
	kt_msg_init(&m, &self->client);
	m.a.qop = 1;
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, 16);
	EXPECT_STATUS(SEC_E_QOP_NOT_SUPPORTED,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
}

TEST_F(ntlm, readonly_buffers_signed_not_sealed)
{
	uint8_t hdr[8] = "HEADER!", data[18], sig[16];
	struct kt_msg m;

	memcpy(data, kt_plaintext, sizeof(data));
	kt_msg_init(&m, &self->client);
	kt_msg_add(&m, SECBUFFER_DATA | SECBUFFER_READONLY_WITH_CHECKSUM, hdr,
		   sizeof(hdr));
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, 16);
	ASSERT_STATUS(SEC_E_OK, kt_msg_call(self->fd,
					    KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	EXPECT_EQ(0, memcmp(hdr, "HEADER!", 8));
	EXPECT_NE(0, memcmp(data, kt_plaintext, sizeof(data)));

	/* the header is covered by the signature */
	hdr[0] = 'h';
	kt_msg_init(&m, &self->server);
	kt_msg_add(&m, SECBUFFER_DATA | SECBUFFER_READONLY_WITH_CHECKSUM, hdr,
		   sizeof(hdr));
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, 16);
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_msg_call(self->fd, KSSPI_IOC_DECRYPT_MESSAGE, &m));
	hdr[0] = 'H';
	EXPECT_STATUS(SEC_E_OK, kt_msg_call(self->fd,
					    KSSPI_IOC_DECRYPT_MESSAGE, &m));
	EXPECT_EQ(0, memcmp(data, kt_plaintext, sizeof(data)));
}

TEST_F(ntlm, export_mid_stream_continues)
{
	uint8_t data[64], copy[64], sig[16], blob[2048];
	uint32_t len = sizeof(blob), rec_len = 0;
	struct ksspi_handle moved;
	int i;

	for (i = 0; i < 3; i++) {
		kt_random(data, sizeof(data));
		ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd,
						KSSPI_IOC_ENCRYPT_MESSAGE,
						&self->client, data,
						sizeof(data), sig));
		ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd,
						KSSPI_IOC_DECRYPT_MESSAGE,
						&self->server, data,
						sizeof(data), sig));
	}
	ASSERT_STATUS(SEC_E_OK, kt_export(self->fd, &self->server,
					  SECPKG_CONTEXT_EXPORT_DELETE_OLD,
					  blob, &len));
	EXPECT_NE(NULL, kt_blob_record(blob, len, KSSPI_CTX_REC_NTLM_RC4_IN,
				       &rec_len));
	EXPECT_EQ(sizeof(struct ksspi_ntlm_rc4), rec_len);
	ASSERT_STATUS(SEC_E_OK, kt_import(self->fd, "NTLM", blob, len,
					  &moved));
	kt_random(data, sizeof(data));
	memcpy(copy, data, sizeof(data));
	ASSERT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE,
					&self->client, data, sizeof(data),
					sig));
	EXPECT_STATUS(SEC_E_OK, kt_seal(self->fd, KSSPI_IOC_DECRYPT_MESSAGE,
					&moved, data, sizeof(data), sig));
	EXPECT_EQ(0, memcmp(data, copy, sizeof(data)));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &moved));
}

TEST_F(ntlm, malformed_rc4_state_refused)
{
	struct ksspi_ntlm_rc4 rc4;
	struct ksspi_handle h;
	struct kt_blob bl;
	int i;

	for (i = 0; i < 256; i++)
		rc4.s[i] = (uint8_t)i;
	rc4.s[7] = 8;		/* not a permutation: 8 twice */
	rc4.i = rc4.j = 0;
	kt_ntlm_blob(&bl, true, false);
	kt_blob_rec(&bl, KSSPI_CTX_REC_NTLM_RC4_OUT, &rc4, sizeof(rc4));
	((struct ksspi_ctx_header *)bl.b)->total_len = htole32(bl.len);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_import(self->fd, "NTLM", bl.b,
						     bl.len, &h));
}

TEST_F(ntlm, sizes_attribute)
{
	struct ksspi_attr_sizes sz;
	uint32_t len = sizeof(sz);

	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->client,
					      SECPKG_ATTR_SIZES, &sz, &len));
	EXPECT_EQ(16u, sz.max_signature);
	EXPECT_EQ(16u, sz.security_trailer);
	EXPECT_EQ(0u, sz.block_size);
}

/* As Windows' NTLM reports it (KERB_* values of ntsecapi.h) */
TEST_F(ntlm, key_info_attribute)
{
	struct ksspi_attr_key_info ki;
	uint32_t len = sizeof(ki);

	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &self->client,
					      SECPKG_ATTR_KEY_INFO, &ki,
					      &len));
	EXPECT_EQ(sizeof(ki), len);
	EXPECT_EQ(128u, ki.key_size);
	EXPECT_EQ((uint32_t)-138, ki.signature_algorithm);
	EXPECT_EQ((uint32_t)-140, ki.encrypt_algorithm);
	EXPECT_STREQ("HMAC-MD5", ki.signature_algorithm_name);
	EXPECT_STREQ("RSADSI RC4", ki.encrypt_algorithm_name);
	len = 8;
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_query_attr(self->fd, &self->server,
				    SECPKG_ATTR_KEY_INFO, &ki, &len));
	EXPECT_EQ(sizeof(ki), len);
}

TEST_HARNESS_MAIN
