// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known answers of MS-NLMP section 4.2: 4.2.2 (NTLMv1), 4.2.3 (NTLMv1 with
 * extended session security), 4.2.4 (NTLMv2), each value as printed in the
 * specification, and the channel binding hash of Microsoft's "NTLM and
 * Channel Binding Hash" post.  Values the specification does not print
 * (the server's keys, 40-bit keys) were computed independently with
 * Python's hashlib and are marked so.
 */
#include <string.h>

#include <nettle/hmac.h>

#include "ntlm/crypto.h"
#include "ntlm/seal.h"
#include "ntlm/userdb.h"
#include "ntlm_tests.h"
#include "ntlm_vectors.h"

/* 4.2.1 common values */
static const uint8_t server_challenge[8] = { 0x01, 0x23, 0x45, 0x67,
					     0x89, 0xab, 0xcd, 0xef };
static const uint8_t client_challenge[8] = { 0xaa, 0xaa, 0xaa, 0xaa,
					     0xaa, 0xaa, 0xaa, 0xaa };
static const uint8_t random_session_key[16] = {
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};
/* UTF-16LE "User", "Domain", "Password" */
static const uint8_t user16[] = { 'U', 0, 's', 0, 'e', 0, 'r', 0 };
static const uint8_t domain16[] = { 'D', 0, 'o', 0, 'm', 0, 'a', 0,
				    'i', 0, 'n', 0 };
static const uint8_t password16[] = { 'P', 0, 'a', 0, 's', 0, 's', 0,
				      'w', 0, 'o', 0, 'r', 0, 'd', 0 };
/* "Plaintext" in UTF-16LE (4.2.x.4) */
static const uint8_t plaintext[18] = { 'P', 0, 'l', 0, 'a', 0, 'i', 0,
				       'n', 0, 't', 0, 'e', 0, 'x', 0,
				       't', 0 };

static void test_v1_keys(void)
{
	uint8_t nt[16], lm[16], base[16], resp[24], kx[16], enc[16];

	/* 4.2.2.1.1 LMOWFv1, 4.2.2.1.2 NTOWFv1, 4.2.2.1.3 session base key */
	ntlm_lmowfv1("Password", 8, lm);
	CHECK_HEX(lm, 16, "e52cac67419a9a224a3b108f3fa6cb6d");
	ntlm_nt_hash_utf16(password16, sizeof(password16), nt);
	CHECK_HEX(nt, 16, "a4f49c406510bdcab6824ee7c30fd852");
	CHECK_EQ(ntlm_nt_hash("Password", 8, kx), 0);
	CHECK_HEX(kx, 16, "a4f49c406510bdcab6824ee7c30fd852");
	ntlm_v1_session_base_key(nt, base);
	CHECK_HEX(base, 16, "d87262b0cde4b1cb7499becccdf10784");

	/* 4.2.2.2 responses */
	ntlm_v1_response(nt, false, server_challenge, client_challenge, resp);
	CHECK_HEX(resp, 24,
		  "67c43011f30298a2ad35ece64f16331c44bdbed927841f94");
	ntlm_desl(lm, server_challenge, resp);
	CHECK_HEX(resp, 24,
		  "98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13");

	/* 4.2.2.1.3 KXKEY with LM_KEY; 4.2.2.2.3 encrypted session keys */
	ntlm_v1_kxkey(NTLMSSP_NEGOTIATE_LM_KEY, base, lm, resp,
		      server_challenge, kx);
	CHECK_HEX(kx, 16, "b09e379f7fbecb1eaf0afdcb0383c8a0");
	ntlm_rc4k(kx, random_session_key, enc);
	CHECK_HEX(enc, 16, "4cd7bb57d697ef9b549f02b8f9b37864");
	ntlm_v1_kxkey(0, base, lm, resp, server_challenge, kx);
	ntlm_rc4k(kx, random_session_key, enc);
	CHECK_HEX(enc, 16, "518822b1b3f350c8958682ecbb3e3cb7");
	ntlm_v1_kxkey(NTLMSSP_REQUEST_NON_NT_SESSION_KEY, base, lm, resp,
		      server_challenge, kx);
	ntlm_rc4k(kx, random_session_key, enc);
	CHECK_HEX(enc, 16, "7452ca55c225a1ca04b48fae32cf56fc");

	/* An empty LM password half is a DES weak key: still computed */
	ntlm_lmowfv1("", 0, lm);
	CHECK_HEX(lm, 16, "aad3b435b51404eeaad3b435b51404ee");
}

static void test_v1_ess(void)
{
	const uint32_t flags = NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_SIGN |
			       NTLMSSP_NEGOTIATE_SEAL |
			       NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	uint8_t nt[16], base[16], lm_resp[24] = { 0 }, resp[24], kx[16];
	uint8_t sign[16], seal[16], msg[18], sig[16];
	struct ntlm_sec_dir out, in;
	static const uint8_t no_lmowf[16];

	/* 4.2.3.2.1 LM response: ClientChallenge || Z(16) */
	memcpy(lm_resp, client_challenge, 8);
	ntlm_nt_hash_utf16(password16, sizeof(password16), nt);
	/* 4.2.3.2.2 NTLMv1 response */
	ntlm_v1_response(nt, true, server_challenge, client_challenge, resp);
	CHECK_HEX(resp, 24,
		  "7537f803ae367128ca458204bde7caf81e97ed2683267232");
	/* 4.2.3.1.2 key exchange key */
	ntlm_v1_session_base_key(nt, base);
	ntlm_v1_kxkey(flags, base, no_lmowf, lm_resp, server_challenge, kx);
	CHECK_HEX(kx, 16, "eb93429a8bd952f8b89c55b87f475edc");

	/* 4.2.3.4 GSS_WrapEx: 56-bit keys, no key exchange */
	ntlm_sealkey(flags, kx, true, seal);
	CHECK_HEX(seal, 16, "04dd7f014d8504d265a25cc86a3a7c06");
	ntlm_signkey(kx, true, sign);
	CHECK_HEX(sign, 16, "60e799be5c72fc92922ae8ebe961fb8d");
	ntlm_sec_dir_init(&out, flags, sign, seal);
	memcpy(msg, plaintext, sizeof(msg));
	ntlm_sec_seal(&out, msg, sizeof(msg), sig);
	CHECK_HEX(msg, sizeof(msg), "a02372f6530273f3aa1eb90190ce5200c99d");
	CHECK_HEX(sig, 16, "01000000ff2aeb52f681793a00000000");
	ntlm_sec_dir_init(&in, flags, sign, seal);
	CHECK(ntlm_sec_unseal(&in, msg, sizeof(msg), sig));
	CHECK(memcmp(msg, plaintext, sizeof(msg)) == 0);
}

static void test_v2(void)
{
	const uint8_t *target_info = ntlm_v2_challenge + 0x44;
	const uint8_t *nt_response = ntlm_v2_authenticate + 0x84;
	uint8_t nt[16], key[16], lm[24], proof[16], base[16], enc[16];
	struct bytes temp = { 0 };

	ntlm_nt_hash_utf16(password16, sizeof(password16), nt);
	/* 4.2.4.1.1 NTOWFv2 (= LMOWFv2) */
	CHECK_EQ(ntlm_ntowfv2(nt, user16, sizeof(user16), domain16,
			      sizeof(domain16), key), 0);
	CHECK_HEX(key, 16, "0c868a403bfd7a93a3001ef22ef02e3f");
	/* 4.2.4.2.1 LMv2 response */
	ntlm_lmv2_response(key, server_challenge, client_challenge, lm);
	CHECK_HEX(lm, 24, "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
	/* 4.2.4.1.3 temp, with the challenge's 36 bytes of AV pairs */
	CHECK_EQ(ntlm_v2_temp(&temp, 0, client_challenge, target_info, 36), 0);
	CHECK_EQ(temp.len, 0x54 - 16);
	CHECK(temp.len == 0x54 - 16 &&
	      memcmp(temp.data, nt_response + 16, temp.len) == 0);
	/* 4.2.4.2.2 NTProofStr, 4.2.4.1.2 session base key = KXKEY */
	ntlm_v2_proof(key, server_challenge, temp.data, temp.len, proof);
	CHECK_HEX(proof, 16, "68cd0ab851e51c96aabc927bebef6a1c");
	ntlm_v2_session_base_key(key, proof, base);
	CHECK_HEX(base, 16, "8de40ccadbc14a82f15cb0ad0de95ca3");
	/* 4.2.4.2.3 encrypted session key, and back */
	ntlm_rc4k(base, random_session_key, enc);
	CHECK_HEX(enc, 16, "c5dad2544fc9799094ce1ce90bc9d03e");
	ntlm_rc4k(base, enc, key);
	CHECK(memcmp(key, random_session_key, 16) == 0);
	bytes_free(&temp);

	/* The user name is uppercased, the domain is not */
	CHECK_EQ(ntlm_ntowfv2(nt, (const uint8_t *)"u\0S\0e\0R\0", 8,
			      domain16, sizeof(domain16), key), 0);
	CHECK_HEX(key, 16, "0c868a403bfd7a93a3001ef22ef02e3f");
	CHECK_EQ(ntlm_ntowfv2(nt, user16, sizeof(user16),
			      (const uint8_t *)"D\0O\0M\0A\0I\0N\0", 12, key),
		 0);
	CHECK(memcmp(key, "\x0c\x86\x8a\x40", 4) != 0);
}

static void test_v2_session_security(void)
{
	/* The AUTHENTICATE flags of 4.2.4 */
	const uint32_t flags = 0xe2888235;
	uint8_t sign_c[16], sign_s[16], seal_c[16], seal_s[16];
	uint8_t msg[18], sig[16], copy[18];
	struct ntlm_sec_dir client_out, server_in;

	ntlm_signkey(random_session_key, true, sign_c);
	ntlm_sealkey(flags, random_session_key, true, seal_c);
	ntlm_signkey(random_session_key, false, sign_s);
	ntlm_sealkey(flags, random_session_key, false, seal_s);
	/* 4.2.4.4 */
	CHECK_HEX(seal_c, 16, "59f600973cc4960a25480a7c196e4c58");
	CHECK_HEX(sign_c, 16, "4788dc861b4782f35d43fd98fe1a2d39");
	/* computed independently (hashlib) */
	CHECK_HEX(sign_s, 16, "d04d6f10741041d1d246d64188d7a8ad");
	CHECK_HEX(seal_s, 16, "9355f3a957c1583d25c4c2f11e40390e");

	/* 4.2.4.4 GSS_WrapEx with key exchange: the checksum is RC4'd */
	ntlm_sec_dir_init(&client_out, flags, sign_c, seal_c);
	memcpy(msg, plaintext, sizeof(msg));
	ntlm_sec_seal(&client_out, msg, sizeof(msg), sig);
	CHECK_HEX(msg, sizeof(msg), "54e50165bf1936dc996020c1811b0f06fb5f");
	CHECK_HEX(sig, 16, "010000007fb38ec5c55d497600000000");

	ntlm_sec_dir_init(&server_in, flags, sign_c, seal_c);
	memcpy(copy, msg, sizeof(copy));
	CHECK(ntlm_sec_unseal(&server_in, copy, sizeof(copy), sig));
	CHECK(memcmp(copy, plaintext, sizeof(copy)) == 0);
	/* The next message has sequence number 1; a replay fails */
	ntlm_sec_sign(&client_out, plaintext, sizeof(plaintext), sig);
	CHECK_EQ(ntlm_le32(sig + 12), 1);
	CHECK(ntlm_sec_verify(&server_in, plaintext, sizeof(plaintext), sig));
	CHECK(!ntlm_sec_verify(&server_in, plaintext, sizeof(plaintext), sig));

	/* 56- and 40-bit sealing keys (computed independently) */
	ntlm_sealkey(NTLMSSP_NEGOTIATE_56, random_session_key, true, seal_c);
	ntlm_sealkey(0, random_session_key, true, seal_s);
	CHECK_HEX(seal_s, 16, "42f964a471091a02ff4a77455366e4e5");
	ntlm_sealkey(0, random_session_key, false, seal_s);
	CHECK_HEX(seal_s, 16, "c5d3853b406b7c1241c595f0ce0750e2");
	CHECK(memcmp(seal_c, seal_s, 16) != 0);
	CHECK(ntlm_uses_key_exch(flags));
	CHECK(!ntlm_uses_key_exch(NTLMSSP_NEGOTIATE_KEY_EXCH));
	CHECK(!ntlm_uses_key_exch(NTLMSSP_NEGOTIATE_SIGN));
}

static void test_mic(void)
{
	uint8_t auth[100], zeroed[100], mic[16], want[16];
	struct hmac_md5_ctx ctx;

	memset(auth, 0x41, sizeof(auth));
	memcpy(zeroed, auth, sizeof(zeroed));
	memset(zeroed + 72, 0, 16);
	hmac_md5_set_key(&ctx, 16, random_session_key);
	hmac_md5_update(&ctx, 3, (const uint8_t *)"NEG");
	hmac_md5_update(&ctx, 4, (const uint8_t *)"CHAL");
	hmac_md5_update(&ctx, sizeof(zeroed), zeroed);
	hmac_md5_digest(&ctx, 16, want);
	CHECK_EQ(ntlm_mic(random_session_key, (const uint8_t *)"NEG", 3,
			  (const uint8_t *)"CHAL", 4, auth, sizeof(auth), 72,
			  mic), 0);
	CHECK(memcmp(mic, want, 16) == 0);
	CHECK_EQ(ntlm_mic(random_session_key, NULL, 0, NULL, 0, auth, 87, 72,
			  mic), -22);
	CHECK_EQ(ntlm_mic(random_session_key, NULL, 0, NULL, 0, auth, 10, 72,
			  mic), -22);
}

/* A SEC_CHANNEL_BINDINGS with only application data at @off. */
static size_t bindings(uint8_t *out, const uint8_t *app, size_t app_len,
		       size_t off)
{
	memset(out, 0, off);
	ntlm_put_le32(out + 24, (uint32_t)app_len);
	ntlm_put_le32(out + 28, (uint32_t)off);
	memcpy(out + off, app, app_len);
	return off + app_len;
}

static void test_channel_bindings(void)
{
	static const char prefix[] = "tls-server-end-point:";
	uint8_t app[53], cb[200], hash[16];
	size_t len;

	memcpy(app, prefix, 21);
	unhex("ea05fefecc6b0bd571dbbc5baa3ed45386d0446835f7b74c85621b9983475f95",
	      app + 21);
	len = bindings(cb, app, sizeof(app), 32);
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), 0);
	CHECK_HEX(hash, 16, "6586e99d81c2fc984e47172fd4dd0310");
	/* The same data elsewhere in the structure: the same hash */
	len = bindings(cb, app, sizeof(app), 40);
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), 0);
	CHECK_HEX(hash, 16, "6586e99d81c2fc984e47172fd4dd0310");

	/* Addresses take part: an initiator address changes the hash */
	len = bindings(cb, app, sizeof(app), 40);
	ntlm_put_le32(cb + 0, 2);
	ntlm_put_le32(cb + 4, 4);
	ntlm_put_le32(cb + 8, 36);
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), 0);
	CHECK(memcmp(hash, "\x65\x86\xe9\x9d", 4) != 0);

	/* Malformed */
	len = bindings(cb, app, sizeof(app), 32);
	CHECK_EQ(ntlm_channel_bindings_hash(cb, 31, hash), -22);
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len - 1, hash), -22);
	ntlm_put_le32(cb + 28, 8);		/* inside the header */
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), -22);
	ntlm_put_le32(cb + 28, 0xffffffff);	/* far outside */
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), -22);
	ntlm_put_le32(cb + 28, 32);
	ntlm_put_le32(cb + 24, 0xffffffe0);	/* offset + length wraps */
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), -22);
	ntlm_put_le32(cb + 24, 53);
	ntlm_put_le32(cb + 16, 1);		/* acceptor length, offset 0 */
	CHECK_EQ(ntlm_channel_bindings_hash(cb, len, hash), -22);
	/* An empty structure (32 zero bytes) is well-formed */
	memset(cb, 0, 32);
	CHECK_EQ(ntlm_channel_bindings_hash(cb, 32, hash), 0);
}

static void test_real_windows_response(void)
{
	/* The Windows 7 AUTHENTICATE with channel bindings verifies. */
	const uint8_t *nt_response = ntlm_cbt_authenticate + 0xac;
	static const uint8_t user[] = {
		'A', 0, 'd', 0, 'm', 0, 'i', 0, 'n', 0, 'i', 0, 's', 0,
		't', 0, 'r', 0, 'a', 0, 't', 0, 'o', 0, 'r', 0 };
	static const uint8_t domain[] = {
		'W', 0, 'S', 0, '2', 0, '0', 0, '0', 0, '8', 0, 'R', 0,
		'2', 0 };
	uint8_t nt[16], key[16], proof[16], chal[8];

	unhex("e19ccf75ee54e06b06a5907af13cef42", nt);
	unhex("a2c5e8ca3084aa72", chal);
	CHECK_EQ(ntlm_ntowfv2(nt, user, sizeof(user), domain, sizeof(domain),
			      key), 0);
	ntlm_v2_proof(key, chal, nt_response + 16, 0x17c - 16, proof);
	CHECK(memcmp(proof, nt_response, 16) == 0);
}

const struct test_case ntlm_crypto_tests[] = {
	{ "ntlm crypto: 4.2.2 NTLMv1 keys, responses, KXKEY variants",
	  test_v1_keys },
	{ "ntlm crypto: 4.2.3 NTLMv1 with ESS, 56-bit GSS_WrapEx",
	  test_v1_ess },
	{ "ntlm crypto: 4.2.4 NTOWFv2, LMv2, NTProofStr, keys",
	  test_v2 },
	{ "ntlm crypto: 4.2.4.4 SIGNKEY, SEALKEY, GSS_WrapEx with KEY_EXCH",
	  test_v2_session_security },
	{ "ntlm crypto: MIC over the three messages, MIC field zeroed",
	  test_mic },
	{ "ntlm crypto: channel binding hash and malformed structures",
	  test_channel_bindings },
	{ "ntlm crypto: a Windows 7 NTLMv2 response verifies",
	  test_real_windows_response },
	{ NULL, NULL },
};
