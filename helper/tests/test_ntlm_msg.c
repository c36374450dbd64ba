// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NTLM message coding: the 4.2.4 CHALLENGE and AUTHENTICATE encoded byte
 * for byte, real messages decoded, and the AV pair rules.
 */
#include <string.h>

#include <linux/ksspi_sspi.h>

#include "ntlm/crypto.h"
#include "ntlm/msg.h"
#include "ntlm_tests.h"
#include "ntlm_vectors.h"

static const struct ntlm_version xp_version = {
	.major = 5, .minor = 1, .build = 2600, .revision = 15,
};

static void test_negotiate(void)
{
	struct bytes b = { 0 };
	struct ntlm_negotiate n;

	CHECK_EQ(ntlm_negotiate_encode(&b, 0xe2088297, &xp_version), 0);
	CHECK_HEX(b.data, b.len,
		  "4e544c4d5353500001000000978208e2"
		  "00000000280000000000000028000000"
		  "0501280a0000000f");
	CHECK_EQ(ntlm_negotiate_decode(b.data, b.len, &n), NTLM_OK);
	CHECK_EQ(n.flags, 0xe2088297);
	CHECK(n.has_version && n.version.major == 5 &&
	      n.version.build == 2600 && n.version.revision == 15);
	CHECK_EQ(n.domain.len + n.workstation.len, 0);
	/* Cut to 32 bytes, the empty fields point past the end... */
	CHECK_EQ(ntlm_negotiate_decode(b.data, 32, &n), NTLM_E_FIELD);
	/* ...but a 32-byte NEGOTIATE (no VERSION) is fine */
	b.data[20] = 32;
	b.data[28] = 0;
	CHECK_EQ(ntlm_negotiate_decode(b.data, 32, &n), NTLM_OK);
	CHECK(!n.has_version);
	bytes_free(&b);
}

static void test_challenge(void)
{
	static const uint8_t server[] = { 'S', 0, 'e', 0, 'r', 0, 'v', 0,
					  'e', 0, 'r', 0 };
	const struct ntlm_view name = { server, sizeof(server) };
	const struct ntlm_view info = { ntlm_v2_challenge + 0x44, 36 };
	struct ntlm_challenge c;
	struct ntlm_av_list av;
	struct bytes b = { 0 };

	/* 4.2.4.3: the CHALLENGE_MESSAGE, encoded byte for byte */
	CHECK_EQ(ntlm_challenge_encode(&b, 0xe28a8233, ntlm_v2_challenge + 24,
				       &name, &info, &(struct ntlm_version){
					       6, 0, 6000, 15 }), 0);
	CHECK(b.len == sizeof(ntlm_v2_challenge) &&
	      memcmp(b.data, ntlm_v2_challenge, b.len) == 0);
	bytes_free(&b);

	CHECK_EQ(ntlm_challenge_decode(ntlm_v2_challenge,
				       sizeof(ntlm_v2_challenge), &c), 0);
	CHECK_EQ(c.flags, 0xe28a8233);
	CHECK_HEX(c.server_challenge, 8, "0123456789abcdef");
	CHECK(c.target_name.len == 12 &&
	      memcmp(c.target_name.data, server, 12) == 0);
	CHECK(c.has_version && c.version.build == 6000);
	CHECK_EQ(ntlm_av_decode(c.target_info.data, c.target_info.len, false,
				&av), 0);
	CHECK_EQ(av.count, 2);
	CHECK(av.present[MSV_AV_NB_DOMAIN_NAME] &&
	      av.present[MSV_AV_NB_COMPUTER_NAME] &&
	      !av.present[MSV_AV_TIMESTAMP]);
	CHECK(av.value[MSV_AV_NB_COMPUTER_NAME].len == 12 &&
	      memcmp(av.value[MSV_AV_NB_COMPUTER_NAME].data, server, 12) == 0);

	/* The Windows Server 2008 R2 CHALLENGE with five names and a time */
	CHECK_EQ(ntlm_challenge_decode(ntlm_cbt_challenge,
				       sizeof(ntlm_cbt_challenge), &c), 0);
	CHECK_EQ(ntlm_av_decode(c.target_info.data, c.target_info.len, false,
				&av), 0);
	CHECK_EQ(av.count, 6);
	CHECK(av.present[MSV_AV_DNS_TREE_NAME]);
	CHECK_EQ(av.timestamp, 0x01cdde0bc33fe77bull);
}

static void test_authenticate(void)
{
	static const uint8_t lm[24] = {
		0x86, 0xc3, 0x50, 0x97, 0xac, 0x9c, 0xec, 0x10, 0x25, 0x54,
		0x76, 0x4a, 0x57, 0xcc, 0xcc, 0x19, 0xaa, 0xaa, 0xaa, 0xaa,
		0xaa, 0xaa, 0xaa, 0xaa };
	static const uint8_t domain[] = { 'D', 0, 'o', 0, 'm', 0, 'a', 0,
					  'i', 0, 'n', 0 };
	static const uint8_t user[] = { 'U', 0, 's', 0, 'e', 0, 'r', 0 };
	static const uint8_t ws[] = { 'C', 0, 'O', 0, 'M', 0, 'P', 0,
				      'U', 0, 'T', 0, 'E', 0, 'R', 0 };
	struct ntlm_authenticate_fields f = {
		.flags = 0xe2888235,
		.lm_response = { lm, sizeof(lm) },
		.nt_response = { ntlm_v2_authenticate + 0x84, 0x54 },
		.domain = { domain, sizeof(domain) },
		.user = { user, sizeof(user) },
		.workstation = { ws, sizeof(ws) },
		.session_key = { ntlm_v2_authenticate + 0xd8, 16 },
		.version = &xp_version,
	};
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	struct bytes b = { 0 };

	/* 4.2.4.3: the AUTHENTICATE_MESSAGE, encoded byte for byte */
	CHECK_EQ(ntlm_authenticate_encode(&b, &f), 0);
	CHECK(b.len == sizeof(ntlm_v2_authenticate) &&
	      memcmp(b.data, ntlm_v2_authenticate, b.len) == 0);
	bytes_free(&b);

	CHECK_EQ(ntlm_authenticate_decode(ntlm_v2_authenticate,
					  sizeof(ntlm_v2_authenticate), &a),
		 0);
	CHECK_EQ(a.flags, 0xe2888235);
	CHECK(a.user.len == 8 && memcmp(a.user.data, user, 8) == 0);
	CHECK(a.domain.len == 12 && a.workstation.len == 16);
	CHECK(a.lm_response.len == 24 && a.nt_response.len == 0x54);
	CHECK_HEX(a.session_key.data, a.session_key.len,
		  "c5dad2544fc9799094ce1ce90bc9d03e");
	CHECK_EQ(a.payload_start, 0x48);
	CHECK(a.has_version && a.version.build == 2600);
	CHECK_EQ(ntlm_v2_response_decode(a.nt_response.data,
					 a.nt_response.len, &v2), 0);
	CHECK_HEX(v2.proof.data, 16, "68cd0ab851e51c96aabc927bebef6a1c");
	CHECK_EQ(v2.timestamp, 0);
	CHECK_HEX(v2.client_challenge, 8, "aaaaaaaaaaaaaaaa");
	CHECK_EQ(v2.av.count, 2);

	/* With a MIC field: 88-byte header, MIC zero, payload after it */
	f.with_mic = true;
	CHECK_EQ(ntlm_authenticate_encode(&b, &f), 0);
	CHECK_EQ(b.len, sizeof(ntlm_v2_authenticate) + 16);
	CHECK_EQ(ntlm_authenticate_decode(b.data, b.len, &a), 0);
	CHECK_EQ(a.payload_start, NTLM_AUTH_HDR);
	bytes_free(&b);

	/* The encoder wants an empty buffer */
	bytes_append(&b, "x", 1);
	CHECK(ntlm_authenticate_encode(&b, &f) != 0);
	bytes_free(&b);
}

static void test_windows_authenticate(void)
{
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	const struct ntlm_view *v;

	CHECK_EQ(ntlm_authenticate_decode(ntlm_cbt_authenticate,
					  sizeof(ntlm_cbt_authenticate), &a),
		 0);
	CHECK_EQ(a.payload_start, 88);
	CHECK_EQ(a.session_key.len, 0);
	CHECK_HEX(ntlm_cbt_authenticate + NTLM_AUTH_MIC_OFF, 16,
		  "f054a542b090b66c1fea1a2cc82e930b");
	CHECK_EQ(ntlm_v2_response_decode(a.nt_response.data,
					 a.nt_response.len, &v2), 0);
	/* 6 of the server's pairs, flags, single host, CB, target name */
	CHECK_EQ(v2.av.count, 10);
	CHECK_EQ(v2.av.flags, MSV_AV_FLAG_MIC_PRESENT);
	CHECK_EQ(v2.av.value[MSV_AV_SINGLE_HOST].len, 48);
	v = &v2.av.value[MSV_AV_CHANNEL_BINDINGS];
	CHECK_HEX(v->data, v->len, "6586e99d81c2fc984e47172fd4dd0310");
	CHECK_EQ(v2.av.value[MSV_AV_TARGET_NAME].len, 62);
	/* Windows pads the NTLMv2 response after MsvAvEOL */
	CHECK(v2.av.raw.len < v2.blob.len - NTLM_V2_BLOB_FIXED);
}

/* Checks ntlm_av_decode() on @len bytes at @p. */
static int av(const uint8_t *p, size_t len, bool trailing_ok)
{
	struct ntlm_av_list list;

	return ntlm_av_decode(p, len, trailing_ok, &list);
}

static void test_av_rules(void)
{
	struct bytes b = { 0 };
	struct ntlm_av_list list;
	struct ntlm_av one;
	uint8_t big[200] = { 0 }, ts[8] = { 1 };
	size_t pos = 0;

	/* Unknown pairs and a long MsvAvSingleHost (Windows 11) pass */
	ntlm_av_put(&b, 0x77, "xyz", 3);
	ntlm_av_put(&b, 0x77, "", 0);
	ntlm_av_put(&b, MSV_AV_SINGLE_HOST, big, sizeof(big));
	ntlm_av_put(&b, MSV_AV_TIMESTAMP, ts, 8);
	ntlm_av_put(&b, MSV_AV_EOL, NULL, 0);
	CHECK_EQ(ntlm_av_decode(b.data, b.len, false, &list), 0);
	CHECK_EQ(list.count, 4);
	CHECK_EQ(list.timestamp, 1);
	CHECK(ntlm_av_next(&list, &pos, &one) && one.id == 0x77 &&
	      one.value.len == 3);
	CHECK(ntlm_av_next(&list, &pos, &one) && one.id == 0x77);
	CHECK(ntlm_av_next(&list, &pos, &one) &&
	      one.id == MSV_AV_SINGLE_HOST && one.value.len == 200);
	CHECK(ntlm_av_next(&list, &pos, &one) && one.id == MSV_AV_TIMESTAMP);
	CHECK(!ntlm_av_next(&list, &pos, &one));
	/* Trailing bytes after MsvAvEOL: only where allowed */
	bytes_append(&b, "\0\0\0\0", 4);
	CHECK_EQ(av(b.data, b.len, false), NTLM_E_AV_TRAILING);
	CHECK_EQ(av(b.data, b.len, true), 0);
	/* Every truncation of the list fails */
	for (pos = 0; pos < b.len - 4; pos++)
		CHECK(av(b.data, pos, true) < 0);
	bytes_free(&b);

	CHECK_EQ(av(NULL, 0, true), NTLM_E_AV_NO_EOL);
	CHECK_EQ(av((const uint8_t *)"\0\0\1\0x", 5, true), NTLM_E_AV_EOL_LEN);
	CHECK_EQ(av((const uint8_t *)"\1\0\4\0ab", 6, true),
		 NTLM_E_AV_TRUNCATED);
	CHECK_EQ(av((const uint8_t *)"\1\0\2\0ab", 6, true), NTLM_E_AV_NO_EOL);
	CHECK_EQ(av((const uint8_t *)"\1\0\2\0ab\0\0", 8, true),
		 NTLM_E_AV_TRUNCATED);
	CHECK_EQ(av((const uint8_t *)"\1\0\3\0abc\0\0\0\0", 11, true),
		 NTLM_E_AV_ODD);
	CHECK_EQ(av((const uint8_t *)"\11\0\1\0a\0\0\0\0", 9, true),
		 NTLM_E_AV_ODD);
	CHECK_EQ(av((const uint8_t *)"\6\0\3\0abc\0\0\0\0", 11, true),
		 NTLM_E_AV_SIZE);
	CHECK_EQ(av((const uint8_t *)"\7\0\4\0abcd\0\0\0\0", 12, true),
		 NTLM_E_AV_SIZE);
	CHECK_EQ(av((const uint8_t *)"\12\0\4\0abcd\0\0\0\0", 12, true),
		 NTLM_E_AV_SIZE);
	CHECK_EQ(av((const uint8_t *)"\2\0\2\0ab\2\0\2\0cd\0\0\0\0", 16, true),
		 NTLM_E_AV_DUPLICATE);
	CHECK_EQ(av((const uint8_t *)"\2\0\2\0ab\1\0\2\0cd\0\0\0\0", 16,
		    false), 0);
	/* An AvLen of 65535 cannot overrun */
	CHECK_EQ(av((const uint8_t *)"\x99\0\xff\xff", 4, true),
		 NTLM_E_AV_TRUNCATED);
	CHECK(ntlm_av_put(&b, 1, big, 70000) != 0);
	bytes_free(&b);
}

static void test_v2_response_rules(void)
{
	uint8_t r[64] = { 0 };
	struct ntlm_v2_response v2;

	r[16] = 1;
	r[17] = 1;
	CHECK_EQ(ntlm_v2_response_decode(r, 48, &v2), 0);
	CHECK_EQ(ntlm_v2_response_decode(r, 47, &v2), NTLM_E_RESPONSE);
	CHECK_EQ(ntlm_v2_response_decode(r, 64, &v2), 0);	/* padding */
	r[16] = 2;
	CHECK_EQ(ntlm_v2_response_decode(r, 48, &v2), NTLM_E_RESPONSE);
	r[16] = 1;
	r[17] = 0;
	CHECK_EQ(ntlm_v2_response_decode(r, 48, &v2), NTLM_E_RESPONSE);
	r[17] = 1;
	r[44] = 9;		/* first pair: MsvAvTargetName, length 0 */
	CHECK_EQ(ntlm_v2_response_decode(r, 48, &v2), NTLM_E_AV_NO_EOL);
	CHECK_EQ(ntlm_v2_response_decode(r, 52, &v2), 0);
}

static void test_status_mapping(void)
{
	int e;

	for (e = NTLM_E_SHORT; e >= NTLM_E_AV_TRAILING; e--) {
		if (e == NTLM_E_NOMEM)
			CHECK_EQ(ntlm_msg_status(e), SEC_E_INSUFFICIENT_MEMORY);
		else
			CHECK_EQ(ntlm_msg_status(e), SEC_E_INVALID_TOKEN);
		CHECK(strcmp(ntlm_msg_strerror(e), "unknown error") != 0);
	}
	CHECK_EQ(ntlm_msg_status(NTLM_OK), SEC_E_OK);
}

const struct test_case ntlm_msg_tests[] = {
	{ "ntlm msg: NEGOTIATE encoded and decoded", test_negotiate },
	{ "ntlm msg: 4.2.4.3 CHALLENGE byte for byte, 2008 R2 CHALLENGE",
	  test_challenge },
	{ "ntlm msg: 4.2.4.3 AUTHENTICATE byte for byte, MIC field",
	  test_authenticate },
	{ "ntlm msg: a Windows 7 AUTHENTICATE with CB, MIC, single host",
	  test_windows_authenticate },
	{ "ntlm msg: AV pair rules (unknown, long, duplicate, sizes, EOL)",
	  test_av_rules },
	{ "ntlm msg: NTLMv2 response structure", test_v2_response_rules },
	{ "ntlm msg: every decoder error is SEC_E_INVALID_TOKEN",
	  test_status_mapping },
	{ NULL, NULL },
};
