// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Negotiate acceptor's first token: SPNEGO, raw NTLM or raw Kerberos
 * (first_token.h), on libtasn1's tag and length readers.
 */
#include <libtasn1.h>
#include <string.h>

#include "der.h"
#include "spnego/first_token.h"
#include "spnego/token.h"

/* The DER contents of the OIDs (no tag, no length) */
static const uint8_t spnego_oid[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const uint8_t krb5_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
};
static const uint8_t ms_krb5_oid[] = {
	0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
};

static int oid_is(const uint8_t *oid, long len, const uint8_t *want,
		  size_t want_len)
{
	return (size_t)len == want_len && !memcmp(oid, want, want_len);
}

enum spnego_first_token spnego_first_token_kind(const uint8_t *token,
						size_t len)
{
	static const char ntlm_signature[8] = "NTLMSSP";
	const uint8_t *p, *rest;
	size_t oid_len, rest_len;

	if (!token || !len || len > SPNEGO_MAX_TOKEN)
		return SPNEGO_FIRST_INVALID;
	if (len >= sizeof(ntlm_signature) &&
	    !memcmp(token, ntlm_signature, sizeof(ntlm_signature)))
		return SPNEGO_FIRST_RAW_NTLM;
	if (der_gss_header(token, len, false, &p, &oid_len, &rest, &rest_len))
		return SPNEGO_FIRST_INVALID;
	if (oid_is(p, oid_len, spnego_oid, sizeof(spnego_oid)))
		return SPNEGO_FIRST_SPNEGO;
	if (oid_is(p, oid_len, krb5_oid, sizeof(krb5_oid)) ||
	    oid_is(p, oid_len, ms_krb5_oid, sizeof(ms_krb5_oid)))
		return SPNEGO_FIRST_RAW_KRB5;
	return SPNEGO_FIRST_INVALID;
}
