// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Negotiate acceptor's first-token classifier (spnego/first_token.c):
 * SPNEGO (gss-ntlmssp's real first token through MIT's SPNEGO), raw NTLM,
 * raw Kerberos under both OIDs, and framings that are refused.
 */
#include <string.h>

#include "spnego/first_token.h"
#include "spnego_vectors.h"
#include "tap.h"

/* 0x60 framing, krb5 OID, TOK_ID 01 00 (AP-REQ) and one byte */
static const uint8_t raw_krb5[] = {
	0x60, 0x0e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01,
	0x02, 0x02, 0x01, 0x00, 0x6e,
};

static void test_kinds(void)
{
	static const uint8_t ntlm[] = "NTLMSSP\0\1\0\0\0";
	uint8_t ms_krb5[sizeof(raw_krb5)];

	CHECK_EQ(spnego_first_token_kind(gss_ntlmssp_leg1,
					 sizeof(gss_ntlmssp_leg1)),
		 SPNEGO_FIRST_SPNEGO);
	CHECK_EQ(spnego_first_token_kind(ntlm, sizeof(ntlm) - 1),
		 SPNEGO_FIRST_RAW_NTLM);
	CHECK_EQ(spnego_first_token_kind(raw_krb5, sizeof(raw_krb5)),
		 SPNEGO_FIRST_RAW_KRB5);
	/* MS-KRB5 1.2.840.48018.1.2.2 */
	memcpy(ms_krb5, raw_krb5, sizeof(ms_krb5));
	ms_krb5[7] = 0x82;
	CHECK_EQ(spnego_first_token_kind(ms_krb5, sizeof(ms_krb5)),
		 SPNEGO_FIRST_RAW_KRB5);
}

static void test_refused(void)
{
	static const uint8_t short_ntlm[] = "NTLMSS";
	uint8_t t[sizeof(raw_krb5) + 1];

	CHECK_EQ(spnego_first_token_kind(NULL, 0), SPNEGO_FIRST_INVALID);
	CHECK_EQ(spnego_first_token_kind(raw_krb5, 0), SPNEGO_FIRST_INVALID);
	CHECK_EQ(spnego_first_token_kind(short_ntlm, sizeof(short_ntlm) - 1),
		 SPNEGO_FIRST_INVALID);
	/* truncated: the length says more than there is */
	CHECK_EQ(spnego_first_token_kind(raw_krb5, sizeof(raw_krb5) - 1),
		 SPNEGO_FIRST_INVALID);
	/* trailing byte after the framing */
	memcpy(t, raw_krb5, sizeof(raw_krb5));
	t[sizeof(raw_krb5)] = 0;
	CHECK_EQ(spnego_first_token_kind(t, sizeof(t)), SPNEGO_FIRST_INVALID);
	/* another OID (NTLM's, which is never framed) */
	memcpy(t, raw_krb5, sizeof(raw_krb5));
	t[12] = 0x03;
	CHECK_EQ(spnego_first_token_kind(t, sizeof(raw_krb5)),
		 SPNEGO_FIRST_INVALID);
	/* no OID first */
	memcpy(t, raw_krb5, sizeof(raw_krb5));
	t[2] = 0x04;
	CHECK_EQ(spnego_first_token_kind(t, sizeof(raw_krb5)),
		 SPNEGO_FIRST_INVALID);
	/* OID longer than the framing */
	memcpy(t, raw_krb5, sizeof(raw_krb5));
	t[3] = 0x7f;
	CHECK_EQ(spnego_first_token_kind(t, sizeof(raw_krb5)),
		 SPNEGO_FIRST_INVALID);
	/* a bare negTokenResp is not a first token */
	CHECK_EQ(spnego_first_token_kind(gss_ntlmssp_leg2,
					 sizeof(gss_ntlmssp_leg2)),
		 SPNEGO_FIRST_INVALID);
}

const struct test_case spnego_first_token_tests[] = {
	{ "spnego: first token SPNEGO, raw NTLM, raw Kerberos", test_kinds },
	{ "spnego: first tokens refused", test_refused },
	{ NULL, NULL },
};
