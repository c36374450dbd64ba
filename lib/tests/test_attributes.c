// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * QueryContextAttributesA/W: the request, the SEC_E_BUFFER_TOO_SMALL retry,
 * and the conversion of each answer layout to its Sspi.h structure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"
#include "tap.h"

#define MAX_CALLS 8

static unsigned char payload[8192];
static uint32_t payload_len;
static SECURITY_STATUS payload_status;
static int grow;		/* always ask for one byte more */
static uint32_t lie_len;	/* answer SEC_E_OK with this buffer_len */
static struct ksspi_query_attributes calls[MAX_CALLS];
static unsigned int ncalls;

static int answer(unsigned long req, void *arg)
{
	struct ksspi_query_attributes *q = arg;

	if (req != KSSPI_IOC_QUERY_ATTRIBUTES) {
		errno = ENOTTY;
		return -1;
	}
	if (ncalls < MAX_CALLS)
		calls[ncalls] = *q;
	ncalls++;
	if (payload_status != SEC_E_OK) {
		q->status = (uint32_t)payload_status;
		return 0;
	}
	if (grow) {
		q->buffer_len += 1;
		q->status = (uint32_t)SEC_E_BUFFER_TOO_SMALL;
		return 0;
	}
	if (lie_len) {
		q->buffer_len = lie_len;
		q->status = SEC_E_OK;
		return 0;
	}
	if (q->buffer_len < payload_len) {
		q->buffer_len = payload_len;
		q->status = (uint32_t)SEC_E_BUFFER_TOO_SMALL;
		return 0;
	}
	memcpy((void *)(uintptr_t)q->buffer, payload, payload_len);
	q->buffer_len = payload_len;
	q->status = SEC_E_OK;
	return 0;
}

static void set_payload(const void *p, uint32_t len)
{
	memcpy(payload, p, len);
	payload_len = len;
	payload_status = SEC_E_OK;
	grow = 0;
	lie_len = 0;
	ncalls = 0;
	memset(calls, 0, sizeof(calls));
}

static void set_string(const char *s)
{
	set_payload(s, (uint32_t)strlen(s) + 1);
}

int main(void)
{
	CtxtHandle ctx = { 0x1111, 0x2222 };
	SECURITY_STATUS st;

	mock_reset(answer);

	diag("SECPKG_ATTR_SIZES");
	{
		struct ksspi_attr_sizes in = { 1000, 16, 8, 48 };
		SecPkgContext_Sizes out;

		set_payload(&in, sizeof(in));
		memset(&out, 0xEE, sizeof(out));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &out);
		is(st, SEC_E_OK, "SEC_E_OK");
		is(ncalls, 1, "one ioctl");
		is(calls[0].size, sizeof(struct ksspi_query_attributes), "size");
		ok(calls[0].context.lower == 0x1111 &&
		   calls[0].context.upper == 0x2222, "context handle");
		is(calls[0].attribute, SECPKG_ATTR_SIZES, "attribute");
		ok(calls[0].buffer && calls[0].buffer_len >= sizeof(in),
		   "a buffer with room for the answer");
		ok(out.cbMaxToken == 1000 && out.cbMaxSignature == 16 &&
		   out.cbBlockSize == 8 && out.cbSecurityTrailer == 48,
		   "ksspi_attr_sizes -> SecPkgContext_Sizes");

		set_payload(&in, 8);	/* an older, shorter layout */
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_SIZES, &out);
		ok(st == SEC_E_OK && out.cbMaxToken == 1000 &&
		   out.cbMaxSignature == 16 && out.cbBlockSize == 0 &&
		   out.cbSecurityTrailer == 0, "short answer reads zero-filled");
	}

	diag("SECPKG_ATTR_STREAM_SIZES");
	{
		struct ksspi_attr_stream_sizes in = { 13, 16, 16384, 4, 1 };
		SecPkgContext_StreamSizes out;

		set_payload(&in, sizeof(in));
		memset(&out, 0xEE, sizeof(out));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_STREAM_SIZES,
					     &out);
		is(st, SEC_E_OK, "SEC_E_OK");
		is(calls[ncalls - 1].attribute, SECPKG_ATTR_STREAM_SIZES,
		   "attribute");
		ok(out.cbHeader == 13 && out.cbTrailer == 16 &&
		   out.cbMaximumMessage == 16384 && out.cBuffers == 4 &&
		   out.cbBlockSize == 1,
		   "ksspi_attr_stream_sizes -> SecPkgContext_StreamSizes");
		ok(sizeof(out) == 5 * sizeof(uint32_t), "five ULONGs");
	}

	diag("SECPKG_ATTR_LIFESPAN / SECPKG_ATTR_FLAGS");
	{
		struct ksspi_attr_lifespan in = {
			0x0102030405060708ll, KSSPI_TIMESTAMP_NEVER,
		};
		struct ksspi_attr_flags fin = { 0xABCD, 0 };
		SecPkgContext_Lifespan out;
		SecPkgContext_Flags fout;

		set_payload(&in, sizeof(in));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_LIFESPAN, &out);
		is(st, SEC_E_OK, "LIFESPAN");
		ok(out.tsStart.LowPart == 0x05060708 &&
		   out.tsStart.HighPart == 0x01020304, "tsStart split");
		is(ksspi_timestamp_to_int64(&out.tsExpiry),
		   KSSPI_TIMESTAMP_NEVER, "tsExpiry");
		set_payload(&fin, sizeof(fin));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_FLAGS, &fout);
		ok(st == SEC_E_OK && fout.Flags == 0xABCD, "FLAGS");
	}

	diag("SECPKG_ATTR_NAMES");
	{
		SecPkgContext_NamesA a;
		SecPkgContext_NamesW w;
		char *big;

		set_string("TEST\\alice");
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &a);
		is(st, SEC_E_OK, "A: SEC_E_OK");
		is_str(a.sUserName, "TEST\\alice", "A: UTF-8 copy");
		is(FreeContextBuffer(a.sUserName), SEC_E_OK,
		   "freed with FreeContextBuffer");

		set_string("D\xc3\x96M\\j\xc3\xbcrgen\xf0\x9f\x94\x91");
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_NAMES, &w);
		is(st, SEC_E_OK, "W: SEC_E_OK");
		ok(w.sUserName &&
		   !memcmp(w.sUserName, u"D\u00d6M\\j\u00fcrgen\U0001F511",
			   13 * sizeof(SEC_WCHAR)), "W: UTF-16 copy");
		FreeContextBuffer(w.sUserName);

		set_payload("\xc3\x28", 3);
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_NAMES, &w);
		is(st, SEC_E_INTERNAL_ERROR, "W: invalid UTF-8 from the kernel");

		set_payload("abcdef", 3);	/* no NUL in the answer */
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &a);
		ok(st == SEC_E_OK && !strcmp(a.sUserName, "abc"),
		   "A: unterminated answer bounded by its length");
		FreeContextBuffer(a.sUserName);

		big = malloc(3001);
		memset(big, 'n', 3000);
		big[3000] = 0;
		set_string(big);
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &a);
		is(st, SEC_E_OK, "long name: SEC_E_OK");
		is(ncalls, 2, "  after one SEC_E_BUFFER_TOO_SMALL");
		is(calls[1].buffer_len, 3001, "  retried with the size asked for");
		ok(calls[1].attribute == SECPKG_ATTR_NAMES &&
		   calls[1].context.lower == 0x1111, "  same request");
		ok(a.sUserName && !strcmp(a.sUserName, big), "  whole name");
		FreeContextBuffer(a.sUserName);
		free(big);
	}

	diag("SECPKG_ATTR_TARGET / SECPKG_ATTR_SESSION_KEY");
	{
		static const unsigned char key[16] = {
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
		SecPkgContext_Target t;
		SecPkgContext_SessionKey k;

		set_string("host/srv.test.local");
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_TARGET, &t);
		ok(st == SEC_E_OK && t.TargetLength == 19 &&
		   !strcmp(t.Target, "host/srv.test.local"),
		   "TARGET: UTF-8 string and length (W too)");
		FreeContextBuffer(t.Target);

		set_payload(key, sizeof(key));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_SESSION_KEY, &k);
		ok(st == SEC_E_OK && k.SessionKeyLength == 16 &&
		   !memcmp(k.SessionKey, key, 16), "SESSION_KEY bytes");
		FreeContextBuffer(k.SessionKey);

		set_payload(key, 0);
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_SESSION_KEY, &k);
		ok(st == SEC_E_OK && k.SessionKeyLength == 0 && k.SessionKey,
		   "empty SESSION_KEY: length 0, freeable pointer");
		FreeContextBuffer(k.SessionKey);
	}

	diag("SECPKG_ATTR_PACKAGE_INFO / SECPKG_ATTR_NEGOTIATION_INFO");
	{
		struct ksspi_package_info pi = {
			.capabilities = 0x30, .version = 3, .rpc_id = 9,
			.max_token = 4800, .name = "Negotiate",
			.comment = "SPNEGO \xe2\x9c\x93",
		};
		struct ksspi_attr_negotiation_info ni = {
			.negotiation_state = SECPKG_NEGOTIATION_COMPLETE,
			.package = pi,
		};
		SecPkgContext_PackageInfoA pa;
		SecPkgContext_PackageInfoW pw;
		SecPkgContext_NegotiationInfoA na;
		SecPkgContext_NegotiationInfoW nw;

		set_payload(&pi, sizeof(pi));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_PACKAGE_INFO, &pa);
		is(st, SEC_E_OK, "PACKAGE_INFO A");
		ok(pa.PackageInfo->fCapabilities == 0x30 &&
		   pa.PackageInfo->wVersion == 3 &&
		   pa.PackageInfo->wRPCID == 9 &&
		   pa.PackageInfo->cbMaxToken == 4800, "  numbers");
		is_str(pa.PackageInfo->Name, "Negotiate", "  Name");
		is_str(pa.PackageInfo->Comment, "SPNEGO \xe2\x9c\x93", "  Comment");
		ok((char *)pa.PackageInfo->Name > (char *)pa.PackageInfo &&
		   (char *)pa.PackageInfo->Comment > pa.PackageInfo->Name,
		   "  strings in the same allocation");
		FreeContextBuffer(pa.PackageInfo);

		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_PACKAGE_INFO, &pw);
		ok(st == SEC_E_OK &&
		   !memcmp(pw.PackageInfo->Name, u"Negotiate", 20) &&
		   !memcmp(pw.PackageInfo->Comment, u"SPNEGO \u2713", 18),
		   "PACKAGE_INFO W strings");
		FreeContextBuffer(pw.PackageInfo);

		set_payload(&ni, sizeof(ni));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_NEGOTIATION_INFO,
					     &na);
		ok(st == SEC_E_OK && na.NegotiationState ==
		   SECPKG_NEGOTIATION_COMPLETE &&
		   !strcmp(na.PackageInfo->Name, "Negotiate") &&
		   na.PackageInfo->cbMaxToken == 4800, "NEGOTIATION_INFO A");
		FreeContextBuffer(na.PackageInfo);
		ni.negotiation_state = SECPKG_NEGOTIATION_IN_PROGRESS;
		set_payload(&ni, sizeof(ni));
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_NEGOTIATION_INFO,
					     &nw);
		ok(st == SEC_E_OK && nw.NegotiationState ==
		   SECPKG_NEGOTIATION_IN_PROGRESS &&
		   !memcmp(nw.PackageInfo->Name, u"Negotiate", 20),
		   "NEGOTIATION_INFO W");
		FreeContextBuffer(nw.PackageInfo);
	}

	diag("SECPKG_ATTR_KEY_INFO");
	{
		struct ksspi_attr_key_info ki = {
			.key_size = 128,
			.signature_algorithm = (uint32_t)KERB_CHECKSUM_HMAC_MD5,
			.encrypt_algorithm = (uint32_t)KERB_ETYPE_RC4_PLAIN,
			.signature_algorithm_name = "HMAC-MD5",
			.encrypt_algorithm_name = "RSADSI RC4",
		};
		SecPkgContext_KeyInfoA a;
		SecPkgContext_KeyInfoW w;

		set_payload(&ki, sizeof(ki));
		memset(&a, 0xEE, sizeof(a));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_KEY_INFO, &a);
		is(st, SEC_E_OK, "A: SEC_E_OK");
		is(calls[0].attribute, SECPKG_ATTR_KEY_INFO, "  attribute 5");
		is(a.KeySize, 128, "  KeySize");
		is(a.SignatureAlgorithm, 0xFFFFFF76u,
		   "  SignatureAlgorithm KERB_CHECKSUM_HMAC_MD5 (-138)");
		is(a.EncryptAlgorithm, 0xFFFFFF74u,
		   "  EncryptAlgorithm KERB_ETYPE_RC4_PLAIN (-140)");
		ok((LONG)a.SignatureAlgorithm == KERB_CHECKSUM_HMAC_MD5 &&
		   (LONG)a.EncryptAlgorithm == KERB_ETYPE_RC4_PLAIN,
		   "  equal to the header's constants as LONG");
		is_str(a.sSignatureAlgorithmName, "HMAC-MD5",
		       "  sSignatureAlgorithmName");
		is_str(a.sEncryptAlgorithmName, "RSADSI RC4",
		       "  sEncryptAlgorithmName");
		ok(a.sSignatureAlgorithmName != a.sEncryptAlgorithmName,
		   "  two allocations");
		is(FreeContextBuffer(a.sSignatureAlgorithmName), SEC_E_OK,
		   "  each freed with FreeContextBuffer");
		FreeContextBuffer(a.sEncryptAlgorithmName);

		strcpy(ki.encrypt_algorithm_name, "R\xc3\xa4" "C4 \xf0\x9f\x94\x91");
		set_payload(&ki, sizeof(ki));
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_KEY_INFO, &w);
		is(st, SEC_E_OK, "W: SEC_E_OK");
		ok(w.KeySize == 128 && w.SignatureAlgorithm == 0xFFFFFF76u &&
		   w.EncryptAlgorithm == 0xFFFFFF74u, "  numbers");
		ok(!memcmp(w.sSignatureAlgorithmName, u"HMAC-MD5",
			   9 * sizeof(SEC_WCHAR)), "  signature name in UTF-16");
		ok(!memcmp(w.sEncryptAlgorithmName, u"R\u00e4C4 \U0001F511",
			   8 * sizeof(SEC_WCHAR)),
		   "  encryption name in UTF-16 (surrogate pair)");
		FreeContextBuffer(w.sSignatureAlgorithmName);
		FreeContextBuffer(w.sEncryptAlgorithmName);

		set_payload(&ki, 12);	/* an older kernel: numbers only */
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_KEY_INFO, &a);
		ok(st == SEC_E_OK && a.KeySize == 128 &&
		   !strcmp(a.sSignatureAlgorithmName, "") &&
		   !strcmp(a.sEncryptAlgorithmName, ""),
		   "short answer: empty names");
		FreeContextBuffer(a.sSignatureAlgorithmName);
		FreeContextBuffer(a.sEncryptAlgorithmName);

		memset(&a, 0xEE, sizeof(a));
		memset(ki.encrypt_algorithm_name, 'x',
		       sizeof(ki.encrypt_algorithm_name));
		set_payload(&ki, sizeof(ki));
		st = QueryContextAttributesA(&ctx, SECPKG_ATTR_KEY_INFO, &a);
		is(st, SEC_E_INTERNAL_ERROR, "name without its NUL: refused");
		is(a.KeySize, 0xEEEEEEEEu, "  answer untouched");

		strcpy(ki.encrypt_algorithm_name, "\xc3\x28");
		set_payload(&ki, sizeof(ki));
		memset(&w, 0xEE, sizeof(w));
		st = QueryContextAttributesW(&ctx, SECPKG_ATTR_KEY_INFO, &w);
		is(st, SEC_E_INTERNAL_ERROR, "W: invalid UTF-8 name refused");
		is(w.KeySize, 0xEEEEEEEEu, "  answer untouched");
	}

	diag("errors");
	{
		SecPkgContext_Sizes out = { 7, 7, 7, 7 };
		struct ksspi_attr_sizes in = { 1, 2, 3, 4 };

		set_payload(&in, sizeof(in));
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_DCE_INFO, &out),
		   SEC_E_UNSUPPORTED_FUNCTION,
		   "attribute without an ABI layout: unsupported");
		is(QueryContextAttributesA(&ctx, 1000, &out),
		   SEC_E_UNSUPPORTED_FUNCTION, "unknown attribute: unsupported");
		is(ncalls, 0, "  without an ioctl");
		is(QueryContextAttributesA(NULL, SECPKG_ATTR_SIZES, &out),
		   SEC_E_INVALID_HANDLE, "NULL handle");
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, NULL),
		   SEC_E_INVALID_PARAMETER, "NULL pBuffer");

		payload_status = SEC_E_INVALID_HANDLE;
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &out),
		   SEC_E_INVALID_HANDLE, "kernel status returned");
		ok(out.cbMaxToken == 7, "  answer untouched");

		set_payload(&in, sizeof(in));
		grow = 1;
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &out),
		   SEC_E_INTERNAL_ERROR, "an ever-growing answer gives up");
		ok(ncalls >= 2 && ncalls <= 5, "  after a few tries");

		set_payload(&in, sizeof(in));
		lie_len = 100000;
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &out),
		   SEC_E_INTERNAL_ERROR, "SEC_E_OK with a length over the room");

		set_payload(&in, sizeof(in));
		payload_len = KSSPI_MAX_ATTRIBUTE + 1;
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &out),
		   SEC_E_BUFFER_TOO_SMALL,
		   "answer over KSSPI_MAX_ATTRIBUTE: SEC_E_BUFFER_TOO_SMALL");

		mock_reset(NULL);
		is(QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &out),
		   SEC_E_INTERNAL_ERROR, "ENOTTY: SEC_E_INTERNAL_ERROR");
	}
	return tap_done();
}
