// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SPNEGO tokens (spnego/token.c): round trips of negTokenInit,
 * negTokenInit2 and negTokenResp, the byte-exact negTokenResp Windows
 * answers a NTLM offer with (RFC 4178 4.2.2 by hand), the first token of
 * gss-ntlmssp through MIT's SPNEGO (captured with python3-gssapi), and
 * hostile input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spnego/choice.h"
#include "spnego/token.h"
#include "spnego_vectors.h"
#include "tap.h"

static struct bytes of(const void *data, size_t len)
{
	struct bytes b = { 0 };

	if (bytes_append(&b, data, len))
		abort();
	return b;
}

static bool same(const struct bytes *b, const void *data, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->data, data, len) == 0);
}

static const enum spnego_mech windows_mechs[] = {
	SPNEGO_MECH_MS_KRB5, SPNEGO_MECH_KRB5, SPNEGO_MECH_NTLM,
};

static void test_init_round_trip(void)
{
	struct bytes token = of("NTLMSSP\0\1\0\0\0", 12);
	struct bytes der = { 0 }, list = { 0 };
	struct spnego_token t = { 0 };

	CHECK_EQ(spnego_init_encode(windows_mechs, 3, &token, &der), 0);
	CHECK_EQ(der.data[0], 0x60);
	CHECK_EQ(spnego_token_decode(der.data, der.len, &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_INIT);
	CHECK_EQ(t.mech_count, 3);
	CHECK(!memcmp(t.mechs, windows_mechs, sizeof(windows_mechs)));
	CHECK(same(&t.mech_token, token.data, token.len));
	CHECK(!t.has_neg_hints);
	CHECK_EQ(t.mech_list_mic.len, 0);
	/* what a mechListMIC covers: the MechTypeList as sent */
	CHECK_EQ(spnego_mech_list_encode(windows_mechs, 3, &list), 0);
	CHECK(same(&t.mech_types_der, list.data, list.len));
	spnego_token_clear(&t);
	bytes_free(&der);
	bytes_free(&list);
	bytes_free(&token);
}

static void test_init_without_token(void)
{
	static const enum spnego_mech ntlm = SPNEGO_MECH_NTLM;
	/* 60 LL 06 06 2b0601050502 a0 LL 30 LL a0 LL 30 0c 06 0a <ntlm> */
	static const uint8_t want[] = {
		0x60, 0x1c, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
		0xa0, 0x12, 0x30, 0x10, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a,
		0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
	};
	static const struct bytes none;
	struct bytes der = { 0 };

	CHECK_EQ(spnego_init_encode(&ntlm, 1, &none, &der), 0);
	CHECK(same(&der, want, sizeof(want)));
	bytes_free(&der);
}

/* gss-ntlmssp 1.2 through MIT krb5 1.20's SPNEGO: NTLM only, NEGOTIATE */
static const uint8_t gss_ntlmssp_init[] = {
	0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0,
	0x3e, 0x30, 0x3c, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06,
	0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa2, 0x2a, 0x04,
	0x28, 0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x17, 0x82, 0x08, 0xe2, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f,
};

static void test_gss_ntlmssp_init(void)
{
	static const enum spnego_mech ntlm = SPNEGO_MECH_NTLM;
	struct spnego_token t = { 0 };
	struct bytes der = { 0 };

	CHECK_EQ(spnego_token_decode(gss_ntlmssp_init,
				     sizeof(gss_ntlmssp_init), &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_INIT);
	CHECK_EQ(t.mech_count, 1);
	CHECK_EQ(t.mechs[0], SPNEGO_MECH_NTLM);
	CHECK_EQ(t.mech_token.len, 40);
	CHECK(t.mech_token.len == 40 &&
	      !memcmp(t.mech_token.data, "NTLMSSP\0\1\0\0\0", 12));
	/* and ours is the same token around the same NEGOTIATE */
	CHECK_EQ(spnego_init_encode(&ntlm, 1, &t.mech_token, &der), 0);
	CHECK(same(&der, gss_ntlmssp_init, sizeof(gss_ntlmssp_init)));
	bytes_free(&der);
	spnego_token_clear(&t);
}

static void test_init2_hints(void)
{
	static const char hint[] = "not_defined_in_RFC4178@please_ignore";
	struct spnego_token t = { 0 };
	struct bytes der = { 0 };

	CHECK_EQ(spnego_init2_encode(windows_mechs, 3, &der), 0);
	CHECK_EQ(spnego_token_decode(der.data, der.len, &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_INIT);
	CHECK_EQ(t.mech_count, 3);
	CHECK(t.has_neg_hints);
	CHECK(same(&t.hint_name, hint, sizeof(hint) - 1));
	CHECK_EQ(t.mech_token.len, 0);
	CHECK_EQ(t.mech_list_mic.len, 0);
	spnego_token_clear(&t);
	bytes_free(&der);
}

/* Windows' answer to a NTLM NEGOTIATE, before its CHALLENGE (a2 ...) */
static const uint8_t resp_incomplete_ntlm[] = {
	0xa1, 0x15, 0x30, 0x13, 0xa0, 0x03, 0x0a, 0x01, 0x01, 0xa1, 0x0c,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
	0x0a,
};

static void test_resp_known(void)
{
	static const struct bytes none;
	struct spnego_token t = { 0 };
	struct bytes der = { 0 };

	CHECK_EQ(spnego_resp_encode(SPNEGO_ACCEPT_INCOMPLETE,
				    SPNEGO_MECH_NTLM, &none, &none, &der), 0);
	CHECK(same(&der, resp_incomplete_ntlm, sizeof(resp_incomplete_ntlm)));
	CHECK_EQ(spnego_token_decode(resp_incomplete_ntlm,
				     sizeof(resp_incomplete_ntlm), &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_RESP);
	CHECK(t.has_neg_state);
	CHECK_EQ(t.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	CHECK(t.has_supported_mech);
	CHECK_EQ(t.supported_mech, SPNEGO_MECH_NTLM);
	CHECK_EQ(t.response_token.len, 0);
	spnego_token_clear(&t);
	bytes_free(&der);
}

static void test_resp_round_trip(void)
{
	struct bytes token = of("token", 5), mic = of("0123456789abcdef", 16);
	struct spnego_token t = { 0 };
	struct bytes der = { 0 };

	CHECK_EQ(spnego_resp_encode(SPNEGO_ACCEPT_COMPLETED,
				    SPNEGO_MECH_OTHER, &token, &mic, &der), 0);
	CHECK_EQ(spnego_token_decode(der.data, der.len, &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_RESP);
	CHECK_EQ(t.neg_state, SPNEGO_ACCEPT_COMPLETED);
	CHECK(!t.has_supported_mech);
	CHECK(same(&t.response_token, "token", 5));
	CHECK(same(&t.mech_list_mic, "0123456789abcdef", 16));
	spnego_token_clear(&t);
	bytes_free(&der);
	/* a bare token with nothing at all (the last leg of some peers) */
	CHECK_EQ(spnego_resp_encode(-1, SPNEGO_MECH_OTHER, &der, &der, &der),
		 0);
	CHECK_EQ(spnego_token_decode(der.data, der.len, &t), 0);
	CHECK(!t.has_neg_state);
	spnego_token_clear(&t);
	bytes_free(&der);
	bytes_free(&token);
	bytes_free(&mic);
}

static void test_unknown_mech_kept(void)
{
	/* negTokenResp supportedMech 1.2.3 */
	static const uint8_t der[] = {
		0xa1, 0x09, 0x30, 0x07, 0xa1, 0x05, 0x06, 0x03, 0x2a, 0x03,
		0x00,
	};
	struct spnego_token t = { 0 };

	/* 1.2.3.0: an OID ksspid does not know is a mech like any other */
	CHECK_EQ(spnego_token_decode(der, sizeof(der), &t), 0);
	CHECK(t.has_supported_mech);
	CHECK_EQ(t.supported_mech, SPNEGO_MECH_OTHER);
	spnego_token_clear(&t);
}

static void test_hostile(void)
{
	static const struct bytes none;
	struct spnego_token t = { 0 };
	struct bytes der = { 0 }, padded = { 0 };
	uint8_t bad[64];
	size_t i;

	CHECK_EQ(spnego_token_decode(resp_incomplete_ntlm, 0, &t), -EINVAL);
	/* every truncation of a valid token */
	CHECK_EQ(spnego_init_encode(windows_mechs, 3, &none, &der), 0);
	for (i = 1; i < der.len; i++)
		CHECK_EQ(spnego_token_decode(der.data, i, &t), -EINVAL);
	CHECK_EQ(t.kind, 0);
	CHECK_EQ(t.mech_count, 0);
	/* trailing bytes */
	CHECK_EQ(bytes_append(&padded, der.data, der.len), 0);
	CHECK_EQ(bytes_append(&padded, "", 1), 0);
	CHECK_EQ(spnego_token_decode(padded.data, padded.len, &t), -EINVAL);
	/* framing with another OID (1.3.6.1.5.5.3) */
	der.data[9] = 0x03;
	CHECK_EQ(spnego_token_decode(der.data, der.len, &t), -EINVAL);
	bytes_free(&der);
	bytes_free(&padded);
	/* negState 4 */
	memcpy(bad, resp_incomplete_ntlm, sizeof(resp_incomplete_ntlm));
	bad[8] = 4;
	CHECK_EQ(spnego_token_decode(bad, sizeof(resp_incomplete_ntlm), &t),
		 -EINVAL);
	/* a framed negTokenResp */
	CHECK_EQ(spnego_resp_encode(SPNEGO_REJECT, SPNEGO_MECH_OTHER, &none,
				    &none, &der), 0);
	memcpy(bad, (uint8_t[]){ 0x60, (uint8_t)(8 + der.len), 0x06, 0x06,
				 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 }, 10);
	memcpy(bad + 10, der.data, der.len);
	CHECK_EQ(spnego_token_decode(bad, 10 + der.len, &t), -EINVAL);
	bytes_free(&der);
	CHECK_EQ(t.kind, 0);
}

static void test_too_many_mechs(void)
{
	enum spnego_mech mechs[SPNEGO_MAX_MECHS + 1];
	struct spnego_token t = { 0 };
	struct bytes der = { 0 }, list = { 0 };
	size_t i;

	for (i = 0; i <= SPNEGO_MAX_MECHS; i++)
		mechs[i] = SPNEGO_MECH_NTLM;
	CHECK_EQ(spnego_init_encode(mechs, SPNEGO_MAX_MECHS, &list, &der), 0);
	CHECK_EQ(spnego_token_decode(der.data, der.len, &t), 0);
	CHECK_EQ(t.mech_count, SPNEGO_MAX_MECHS);
	spnego_token_clear(&t);
	bytes_free(&der);
	CHECK_EQ(spnego_init_encode(mechs, SPNEGO_MAX_MECHS + 1, &list, &der),
		 -EINVAL);
	/* 17 by hand: 60 LL oid a0 LL 30 LL a0 LL 30 LL 17 x (06 01 2a) */
	{
		uint8_t b[80] = { 0x60, 0x43, 0x06, 0x06, 0x2b, 0x06, 0x01,
				  0x05, 0x05, 0x02, 0xa0, 0x39, 0x30, 0x37,
				  0xa0, 0x35, 0x30, 0x33 };

		for (i = 0; i < 17; i++)
			memcpy(b + 18 + 3 * i, "\x06\x01\x2a", 3);
		CHECK_EQ(spnego_token_decode(b, 18 + 51, &t), -EINVAL);
		b[1] -= 3;
		b[11] -= 3;
		b[13] -= 3;
		b[15] -= 3;
		b[17] -= 3;
		CHECK_EQ(spnego_token_decode(b, 18 + 48, &t), 0);
		CHECK_EQ(t.mech_count, 16);
		CHECK_EQ(t.mechs[0], SPNEGO_MECH_OTHER);
		spnego_token_clear(&t);
	}
}

static bool ntlm_message(const struct bytes *b, uint8_t type)
{
	return b->len > 12 && !memcmp(b->data, "NTLMSSP", 8) &&
	       b->data[8] == type;
}

/* Every leg of gss-ntlmssp's handshake through SPNEGO decodes as expected */
static void test_gss_ntlmssp_handshake(void)
{
	struct spnego_token t = { 0 };
	struct spnego_choice c;

	CHECK_EQ(spnego_token_decode(gss_ntlmssp_leg1,
				     sizeof(gss_ntlmssp_leg1), &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_INIT);
	CHECK(ntlm_message(&t.mech_token, 1));
	CHECK(spnego_choose(&t, SPNEGO_PKG_KERBEROS | SPNEGO_PKG_NTLM, &c));
	CHECK_EQ(c.mech, SPNEGO_MECH_NTLM);
	CHECK(c.optimistic_usable);
	spnego_token_clear(&t);

	CHECK_EQ(spnego_token_decode(gss_ntlmssp_leg2,
				     sizeof(gss_ntlmssp_leg2), &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_RESP);
	CHECK_EQ(t.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	CHECK_EQ(t.supported_mech, SPNEGO_MECH_NTLM);
	CHECK(ntlm_message(&t.response_token, 2));
	CHECK_EQ(t.mech_list_mic.len, 0);
	spnego_token_clear(&t);

	/* the initiator's MIC: a NTLM signature (version 1) over mechTypes */
	CHECK_EQ(spnego_token_decode(gss_ntlmssp_leg3,
				     sizeof(gss_ntlmssp_leg3), &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_RESP);
	CHECK_EQ(t.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	CHECK(!t.has_supported_mech);
	CHECK(ntlm_message(&t.response_token, 3));
	CHECK_EQ(t.mech_list_mic.len, 16);
	CHECK(t.mech_list_mic.len == 16 &&
	      !memcmp(t.mech_list_mic.data, "\1\0\0\0", 4));
	spnego_token_clear(&t);

	CHECK_EQ(spnego_token_decode(gss_ntlmssp_leg4,
				     sizeof(gss_ntlmssp_leg4), &t), 0);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_RESP);
	CHECK_EQ(t.neg_state, SPNEGO_ACCEPT_COMPLETED);
	CHECK_EQ(t.response_token.len, 0);
	CHECK_EQ(t.mech_list_mic.len, 16);
	spnego_token_clear(&t);
}

static void offer(struct spnego_token *t, const enum spnego_mech *mechs,
		  size_t count, bool with_token)
{
	memset(t, 0, sizeof(*t));
	t->kind = SPNEGO_TOKEN_INIT;
	t->mech_count = count;
	memcpy(t->mechs, mechs, count * sizeof(*mechs));
	if (with_token)
		CHECK_EQ(bytes_append(&t->mech_token, "x", 1), 0);
}

static void test_choice(void)
{
	static const enum spnego_mech other_first[] = {
		SPNEGO_MECH_OTHER, SPNEGO_MECH_NTLM, SPNEGO_MECH_KRB5,
	};
	const unsigned int both = SPNEGO_PKG_KERBEROS | SPNEGO_PKG_NTLM;
	struct spnego_choice c;
	struct spnego_token t;

	/* Windows' list: MS Kerberos chosen, answered under its own OID */
	offer(&t, windows_mechs, 3, true);
	CHECK(spnego_choose(&t, both, &c));
	CHECK_EQ(c.mech, SPNEGO_MECH_MS_KRB5);
	CHECK_EQ(c.index, 0);
	CHECK(c.optimistic_usable);
	/* no Kerberos on the acceptor: NTLM, and a new token is asked for */
	CHECK(spnego_choose(&t, SPNEGO_PKG_NTLM, &c));
	CHECK_EQ(c.mech, SPNEGO_MECH_NTLM);
	CHECK_EQ(c.index, 2);
	CHECK(!c.optimistic_usable);
	CHECK(!spnego_choose(&t, 0, &c));
	spnego_token_clear(&t);
	/* the initiator's order wins, unknown OIDs are skipped */
	offer(&t, other_first, 3, true);
	CHECK(spnego_choose(&t, both, &c));
	CHECK_EQ(c.mech, SPNEGO_MECH_NTLM);
	CHECK_EQ(c.index, 1);
	CHECK(!c.optimistic_usable);
	spnego_token_clear(&t);
	/* first mech but no optimistic token */
	offer(&t, other_first + 1, 2, false);
	CHECK(spnego_choose(&t, both, &c));
	CHECK_EQ(c.index, 0);
	CHECK(!c.optimistic_usable);
	/* a negTokenResp is no offer */
	t.kind = SPNEGO_TOKEN_RESP;
	CHECK(!spnego_choose(&t, both, &c));
	spnego_token_clear(&t);
}

const struct test_case spnego_tests[] = {
	{ "spnego: negTokenInit round trip", test_init_round_trip },
	{ "spnego: negTokenInit without token, byte-exact",
	  test_init_without_token },
	{ "spnego: gss-ntlmssp's negTokenInit", test_gss_ntlmssp_init },
	{ "spnego: negTokenInit2 with negHints", test_init2_hints },
	{ "spnego: Windows' negTokenResp for NTLM", test_resp_known },
	{ "spnego: negTokenResp round trip", test_resp_round_trip },
	{ "spnego: unknown mech OID", test_unknown_mech_kept },
	{ "spnego: hostile tokens refused", test_hostile },
	{ "spnego: mechTypes limit", test_too_many_mechs },
	{ "spnego: acceptor's choice of mechanism", test_choice },
	{ "spnego: gss-ntlmssp's whole handshake", test_gss_ntlmssp_handshake },
	{ NULL, NULL },
};
