// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CredSSP messages (credssp/tsrequest.c): round trips of every
 * version, byte-exact known encodings (built by hand from MS-CSSP 2.2.1,
 * captured from impacket's rdp_check.py classes by
 * tests/credssp/impacket-vectors.py, an EC key's SubjectPublicKeyInfo from
 * OpenSSL) and hostile input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>

#include "credssp/tsrequest.h"
#include "tap.h"

/* @hex as bytes (the caller frees .data); spaces are skipped. */
static struct bytes unhex(const char *hex)
{
	struct bytes b = { 0 };
	uint8_t octet;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		octet = (uint8_t)(hex_digit_value(hex[0]) << 4 |
				  hex_digit_value(hex[1]));
		if (bytes_append(&b, &octet, 1))
			abort();
		hex += 2;
	}
	return b;
}

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

static bool same_bytes(const struct bytes *a, const struct bytes *b)
{
	return same(a, b->data, b->len);
}

static bool request_empty(const struct ts_request *r)
{
	static const struct ts_request zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

static bool credentials_empty(const struct ts_credentials *c)
{
	static const struct ts_credentials zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

static int decode_request_hex(const char *hex, struct ts_request *r)
{
	struct bytes der = unhex(hex);
	int err;

	memset(r, 0, sizeof(*r));
	err = ts_request_decode(der.data, der.len, r);
	bytes_free(&der);
	return err;
}

static int decode_credentials_hex(const char *hex, struct ts_credentials *c)
{
	struct bytes der = unhex(hex);
	int err;

	memset(c, 0, sizeof(*c));
	err = ts_credentials_decode(der.data, der.len, c);
	bytes_free(&der);
	return err;
}

/* Appends tag, minimal DER length and @len bytes of @data. */
static void tlv(struct bytes *b, uint8_t tag, const void *data, size_t len)
{
	uint8_t hdr[6] = { tag };
	size_t n = 1;

	if (len < 0x80) {
		hdr[n++] = (uint8_t)len;
	} else if (len < 0x100) {
		hdr[n++] = 0x81;
		hdr[n++] = (uint8_t)len;
	} else if (len < 0x10000) {
		hdr[n++] = 0x82;
		hdr[n++] = (uint8_t)(len >> 8);
		hdr[n++] = (uint8_t)len;
	} else {
		hdr[n++] = 0x83;
		hdr[n++] = (uint8_t)(len >> 16);
		hdr[n++] = (uint8_t)(len >> 8);
		hdr[n++] = (uint8_t)len;
	}
	if (bytes_append(b, hdr, n) || bytes_append(b, data, len))
		abort();
}

/*
 * TSCredentials (credType 1) of a TSPasswordCreds whose three strings are
 * @sizes[i] octets of @fill, written independently of the encoder.
 */
static void password_creds_der(struct bytes *out, const uint8_t *fill,
			       const size_t sizes[3])
{
	struct bytes fields = { 0 }, field = { 0 }, seq = { 0 };
	struct bytes creds = { 0 };
	int i;

	for (i = 0; i < 3; i++) {
		tlv(&field, 0x04, fill, sizes[i]);
		tlv(&fields, (uint8_t)(0xa0 + i), field.data, field.len);
		bytes_free(&field);
	}
	tlv(&seq, 0x30, fields.data, fields.len);
	tlv(&field, 0x04, seq.data, seq.len);
	creds = of("\xa0\x03\x02\x01\x01", 5);
	tlv(&creds, 0xa1, field.data, field.len);
	tlv(out, 0x30, creds.data, creds.len);
	bytes_free(&fields);
	bytes_free(&field);
	bytes_free(&seq);
	bytes_free(&creds);
}

/* Every proper prefix of @der, and @der plus one byte, is refused. */
static void check_request_prefixes(const struct bytes *der)
{
	struct ts_request r;
	struct bytes longer = of(der->data, der->len);
	size_t n;

	for (n = 0; n < der->len; n++) {
		memset(&r, 0, sizeof(r));
		CHECK_EQ(ts_request_decode(der->data, n, &r), -EINVAL);
		CHECK(request_empty(&r));
	}
	CHECK_EQ(bytes_append(&longer, "", 1), 0);
	memset(&r, 0, sizeof(r));
	CHECK_EQ(ts_request_decode(longer.data, longer.len, &r), -EINVAL);
	CHECK(request_empty(&r));
	bytes_free(&longer);
}

static void check_credentials_prefixes(const struct bytes *der)
{
	struct ts_credentials c;
	struct bytes longer = of(der->data, der->len);
	size_t n;

	for (n = 0; n < der->len; n++) {
		memset(&c, 0, sizeof(c));
		CHECK_EQ(ts_credentials_decode(der->data, n, &c), -EINVAL);
		CHECK(credentials_empty(&c));
	}
	CHECK_EQ(bytes_append(&longer, "\0", 1), 0);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(ts_credentials_decode(longer.data, longer.len, &c), -EINVAL);
	CHECK(credentials_empty(&c));
	bytes_free(&longer);
}

/* "NTLMSSP\0" and message type 1: the start of a NEGOTIATE */
static const uint8_t ntlm_start[12] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0
};

/*
 * MS-CSSP 2.2.1 by hand, version 2 with one negoToken:
 *   30 1b  TSRequest
 *     a0 03 02 01 02        version [0] INTEGER 2
 *     a1 14 30 12           negoTokens [1] NegoData (SEQUENCE OF)
 *       30 10 a0 0e 04 0c   NegoDataEntry, negoToken [0] OCTET STRING
 */
#define V2_NEGO_HEX "301ba003020102a114301230" \
	"10a00e040c4e544c4d5353500001000000"

/*
 * Version 6 with the same token and a clientNonce 00..1f:
 *   30 3f, version a0 03 02 01 06, negoTokens as above (22 octets),
 *   a5 22 04 20 <32 octets>
 */
#define V6_NONCE_HEX "303fa003020106a114301230" \
	"10a00e040c4e544c4d5353500001000000" \
	"a522042000010203040506070809" \
	"0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* Version 6 with errorCode 0xC000006D (STATUS_LOGON_FAILURE), as an int32 */
#define V6_ERROR_NEGATIVE_HEX "300da003020106a406020" "4c000006d"
/* ... and the same value as a positive INTEGER */
#define V6_ERROR_POSITIVE_HEX "300ea003020106a40702050" "0c000006d"

/*
 * TSCredentials by hand: credType 1, TSPasswordCreds of "D", "u", "p"
 *   30 1d a0 03 02 01 01 a1 16 04 14
 *     30 12 a0 04 04 02 44 00 a1 04 04 02 75 00 a2 04 04 02 70 00
 */
#define CREDS_DUP_HEX "301da003020101a1160414" \
	"3012a00404024400a10404027500a20404027000"

/* ... and of three empty strings */
#define CREDS_EMPTY_HEX "3017a003020101a110040e" \
	"300ca0020400a1020400a2020400"

/* impacket 0.10.0, rdp_check.py's classes (tests/credssp/impacket-vectors.py) */
static const char impacket_negotiate[] =
	"302fa003020102a12830263024a02204204e544c4d5353500001000000358288e0"
	"00000000000000000000000000000000";
static const char impacket_auth[] =
	"30820108a003020102a181cc3081c93081c6a081c30481c0"
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"a3320430101112131415161718191a1b1c1d1e1f202122232425262728292a2b"
	"2c2d2e2f303132333435363738393a3b3c3d3e3f";
static const char impacket_authinfo[] =
	"30820139a003020102a28201300482012c"
	"00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9"
	"e0e7eef5fc030a11181f262d343b424950575e656c737a81888f969da4abb2b9"
	"c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d848b9299"
	"a0a7aeb5bcc3cad1d8dfe6edf4fb020910171e252c333a41484f565d646b7279"
	"80878e959ca3aab1b8bfc6cdd4dbe2e9f0f7fe050c131a21282f363d444b5259"
	"60676e757c838a91989fa6adb4bbc2c9d0d7dee5ecf3fa01080f161d242b3239"
	"40474e555c636a71787f868d949ba2a9b0b7bec5ccd3dae1e8eff6fd040b1219"
	"20272e353c434a51585f666d747b828990979ea5acb3bac1c8cfd6dde4ebf2f9"
	"00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9"
	"e0e7eef5fc030a11181f262d";
static const char impacket_credentials[] =
	"3041a003020101a13a04383036a010040e540045005300540044004f004d00a1"
	"0c040a61006c00690063006500a2140412500061007300730077003000720064"
	"002100";

/* An OpenSSL P-256 key's SubjectPublicKeyInfo */
static const char ec_spki[] =
	"3059301306072a8648ce3d020106082a8648ce3d03010703420004f20e78faface"
	"1fe78f567543c6f973dbe3944163b27c760bb714cc786011f6264222292854160f"
	"8d2f2f21e8c9af04d4eacd5f7a6c8fa9d9133828b2b945915e";

/* Encodes @r and checks the result is @hex, then decodes it back. */
static void check_encodes_to(const struct ts_request *r, const char *hex)
{
	struct bytes want = unhex(hex);
	struct bytes der = { 0 };
	struct ts_request back = { 0 };

	CHECK_EQ(ts_request_encode(r, &der), 0);
	CHECK(same_bytes(&der, &want));
	CHECK_EQ(ts_request_decode(der.data, der.len, &back), 0);
	CHECK_EQ(back.version, r->version);
	CHECK(same_bytes(&back.nego_token, &r->nego_token));
	CHECK(same_bytes(&back.auth_info, &r->auth_info));
	CHECK(same_bytes(&back.pub_key_auth, &r->pub_key_auth));
	CHECK_EQ(back.has_error_code, r->has_error_code);
	CHECK_EQ(back.error_code, r->error_code);
	CHECK(same_bytes(&back.client_nonce, &r->client_nonce));
	ts_request_clear(&back);
	bytes_free(&der);
	bytes_free(&want);
}

static void test_hand_built_requests(void)
{
	struct ts_request r = { 0 };
	uint8_t nonce[TS_CLIENT_NONCE_LEN];
	size_t i;

	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)i;

	CHECK_EQ(decode_request_hex(V2_NEGO_HEX, &r), 0);
	CHECK_EQ(r.version, 2);
	CHECK(same(&r.nego_token, ntlm_start, sizeof(ntlm_start)));
	CHECK(!r.auth_info.len && !r.pub_key_auth.len && !r.client_nonce.len);
	CHECK(!r.has_error_code);
	check_encodes_to(&r, V2_NEGO_HEX);
	ts_request_clear(&r);
	CHECK(request_empty(&r));

	CHECK_EQ(decode_request_hex(V6_NONCE_HEX, &r), 0);
	CHECK_EQ(r.version, 6);
	CHECK(same(&r.nego_token, ntlm_start, sizeof(ntlm_start)));
	CHECK(same(&r.client_nonce, nonce, sizeof(nonce)));
	check_encodes_to(&r, V6_NONCE_HEX);
	ts_request_clear(&r);
}

static void test_error_code_encodings(void)
{
	struct ts_request r = { 0 };

	CHECK_EQ(decode_request_hex(V6_ERROR_NEGATIVE_HEX, &r), 0);
	CHECK_EQ(r.version, 6);
	CHECK(r.has_error_code);
	CHECK_EQ(r.error_code, 0xC000006D);
	check_encodes_to(&r, V6_ERROR_NEGATIVE_HEX);
	ts_request_clear(&r);

	/* The positive form decodes to the same; it goes out negative. */
	CHECK_EQ(decode_request_hex(V6_ERROR_POSITIVE_HEX, &r), 0);
	CHECK(r.has_error_code);
	CHECK_EQ(r.error_code, 0xC000006D);
	check_encodes_to(&r, V6_ERROR_NEGATIVE_HEX);
	ts_request_clear(&r);

	/* A positive status in one octet; 0 (STATUS_SUCCESS) is present too */
	CHECK_EQ(decode_request_hex("300aa003020103a4030201" "00", &r), 0);
	CHECK(r.has_error_code);
	CHECK_EQ(r.error_code, 0);
	CHECK_EQ(r.version, 3);
	check_encodes_to(&r, "300aa003020103a4030201" "00");
	ts_request_clear(&r);

	/* 0x80000005 (STATUS_BUFFER_OVERFLOW) and -1 */
	r.version = 3;
	r.has_error_code = true;
	r.error_code = 0x80000005;
	check_encodes_to(&r, "300da003020103a4060204" "80000005");
	r.error_code = 0xffffffff;
	check_encodes_to(&r, "300aa003020103a4030201" "ff");
	r.error_code = 0x7fffffff;
	check_encodes_to(&r, "300da003020103a4060204" "7fffffff");
	ts_request_clear(&r);

	/* Outside 32 bits either way */
	CHECK_EQ(decode_request_hex("300ea003020106a4070205" "0100000000", &r),
		 -EINVAL);
	CHECK(request_empty(&r));
	CHECK_EQ(decode_request_hex("300ea003020106a4070205" "ff7fffffff", &r),
		 -EINVAL);
	CHECK(request_empty(&r));
	/* The most negative int32 fits */
	CHECK_EQ(decode_request_hex("300da003020106a4060204" "80000000", &r), 0);
	CHECK_EQ(r.error_code, 0x80000000);
	ts_request_clear(&r);
}

static void test_impacket_requests(void)
{
	struct ts_request r = { 0 };
	uint8_t expect[300];
	size_t i;

	CHECK_EQ(decode_request_hex(impacket_negotiate, &r), 0);
	CHECK_EQ(r.version, 2);
	CHECK_EQ(r.nego_token.len, 32);
	CHECK(r.nego_token.len >= 12 &&
	      memcmp(r.nego_token.data, ntlm_start, 12) == 0);
	check_encodes_to(&r, impacket_negotiate);
	ts_request_clear(&r);

	CHECK_EQ(decode_request_hex(impacket_auth, &r), 0);
	for (i = 0; i < 192; i++)
		expect[i] = (uint8_t)(i % 64);
	CHECK(same(&r.nego_token, expect, 192));
	for (i = 0; i < 48; i++)
		expect[i] = (uint8_t)(0x10 + i);
	CHECK(same(&r.pub_key_auth, expect, 48));
	check_encodes_to(&r, impacket_auth);
	ts_request_clear(&r);

	CHECK_EQ(decode_request_hex(impacket_authinfo, &r), 0);
	for (i = 0; i < 300; i++)
		expect[i] = (uint8_t)(i * 7);
	CHECK(same(&r.auth_info, expect, 300));
	CHECK(!r.nego_token.len);
	check_encodes_to(&r, impacket_authinfo);
	ts_request_clear(&r);
}

/* Every version with the fields it may carry. */
static void test_round_trip_versions(void)
{
	uint8_t nonce[TS_CLIENT_NONCE_LEN];
	uint8_t *big = malloc(70000);
	uint32_t v;
	size_t i;

	if (!big)
		abort();
	for (i = 0; i < 70000; i++)
		big[i] = (uint8_t)(i * 13 + 1);
	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(0xa0 ^ i);

	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		struct ts_request r = { .version = v }, back;
		struct bytes der = { 0 };
		int mask;

		/* each subset of the optional fields */
		for (mask = 0; mask < 32; mask++) {
			if ((mask & 8) && v < 3)
				continue;
			if ((mask & 16) && v < 5)
				continue;
			memset(&r, 0, sizeof(r));
			r.version = v;
			if (mask & 1)
				r.nego_token = of(big, 1 + mask * 40);
			if (mask & 2)
				r.auth_info = of(big + 7,
						  mask == 31 ? 69993 : 129);
			if (mask & 4)
				r.pub_key_auth = of(big + 3, 256);
			if (mask & 8) {
				r.has_error_code = true;
				r.error_code = 0xC0000000u + (uint32_t)mask;
			}
			if (mask & 16)
				r.client_nonce = of(nonce, sizeof(nonce));
			CHECK_EQ(ts_request_encode(&r, &der), 0);
			memset(&back, 0, sizeof(back));
			CHECK_EQ(ts_request_decode(der.data, der.len, &back), 0);
			CHECK_EQ(back.version, v);
			CHECK(same_bytes(&back.nego_token, &r.nego_token));
			CHECK(same_bytes(&back.auth_info, &r.auth_info));
			CHECK(same_bytes(&back.pub_key_auth, &r.pub_key_auth));
			CHECK_EQ(back.has_error_code, r.has_error_code);
			CHECK_EQ(back.error_code, r.error_code);
			CHECK(same_bytes(&back.client_nonce, &r.client_nonce));
			if (mask == 31 || mask == 7)
				check_request_prefixes(&der);
			ts_request_clear(&back);
			ts_request_clear(&r);
			bytes_free(&der);
		}
	}
	free(big);
}

static void test_encoder_refuses(void)
{
	struct ts_request r = { .version = 6 };
	struct bytes der = { 0 };
	uint8_t nonce[33] = { 0 };

	r.version = 1;
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	r.version = 7;
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	r.version = 2;
	r.has_error_code = true;
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	r.has_error_code = false;
	r.client_nonce = of(nonce, 32);
	r.version = 4;
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	bytes_free(&r.client_nonce);
	r.version = 6;
	r.client_nonce = of(nonce, 31);
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	bytes_free(&r.client_nonce);
	r.client_nonce = of(nonce, 33);
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	bytes_free(&r.client_nonce);
	CHECK(der.data == NULL && der.len == 0);

	/* Nothing longer than TS_MAX_MESSAGE goes out. */
	r.auth_info.data = calloc(1, TS_MAX_MESSAGE);
	if (!r.auth_info.data)
		abort();
	r.auth_info.len = r.auth_info.cap = TS_MAX_MESSAGE;
	CHECK_EQ(ts_request_encode(&r, &der), -EINVAL);
	CHECK(der.data == NULL);
	r.auth_info.len = TS_MAX_MESSAGE - 100;
	CHECK_EQ(ts_request_encode(&r, &der), 0);
	CHECK(der.len <= TS_MAX_MESSAGE);
	bytes_free(&der);
	ts_request_clear(&r);
}

static void test_hostile_requests(void)
{
	static const char *const refused[] = {
		/* negoTokens with no entry */
		"3009a003020102a1023000",
		/* an entry without its negoToken */
		"300ba003020102a104300230" "00",
		/* negative version, version 2^32, empty INTEGER */
		"3005a0030201ff",
		"3009a0070205010000000" "0",
		"3004a0020200",
		/* no version */
		"3000",
		"3006a1043002300" "0",
		/* wrong outer tag, wrong field tags, wrong inner types */
		"311ba003020102a114301230" "10a00e040c4e544c4d5353500001000000",
		"301ba103020102a114301230" "10a00e040c4e544c4d5353500001000000",
		"301ba003040102a114301230" "10a00e040c4e544c4d5353500001000000",
		"301ba003020102a114311230" "10a00e040c4e544c4d5353500001000000",
		"301ba003020102a114301230" "10a00e030c4e544c4d5353500001000000",
		"301ba003020102a114301230" "10a10e040c4e544c4d5353500001000000",
		/* fields out of order */
		"300ca203040100a003020102",
		/* an unknown field [6] */
		"3009a003020102a6020500",
		/* indefinite length, constructed OCTET STRING */
		"3080a0030201020000",
		"300fa003020102a208240604" "0141040142",
		/* lengths beyond the data, huge, or a non-length */
		"30ff" "a003020102",
		"3084ffffffff" "a003020102",
		"3083100000" "a003020102",
		"3005a0030201",
		"301ba003020102a114301230" "10a00e048c4e544c4d5353500001000000",
		"301ba003020102a114301230" "10a00e04ff4e544c4d5353500001000000",
		"301ba003020102a114301230" "10a0ff040c4e544c4d5353500001000000",
		/* a high-tag-number form */
		"1f8101" "05" "a003020102",
		"",
	};
	struct ts_request r;
	uint8_t *big;
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int err = decode_request_hex(refused[i], &r);

		if (err != -EINVAL)
			printf("# refused[%zu] gave %d\n", i, err);
		CHECK_EQ(err, -EINVAL);
		CHECK(request_empty(&r));
	}

	/* Whatever version was sent, if it fits 32 bits (the package
	 * negotiates); versions 0 and 0xffffffff included. */
	CHECK_EQ(decode_request_hex("3005a003020100", &r), 0);
	CHECK_EQ(r.version, 0);
	ts_request_clear(&r);
	CHECK_EQ(decode_request_hex("3009a007020500ffffffff", &r), 0);
	CHECK_EQ(r.version, 0xffffffff);
	ts_request_clear(&r);
	/* An over-long INTEGER is read for its value. */
	CHECK_EQ(decode_request_hex("3007a00502030000" "07", &r), 0);
	CHECK_EQ(r.version, 7);
	ts_request_clear(&r);
	/* Only the first of several negoTokens is kept. */
	CHECK_EQ(decode_request_hex("3017a003020102a110300e3005a003040141"
				    "3005a003040142", &r), 0);
	CHECK(same(&r.nego_token, "A", 1));
	ts_request_clear(&r);

	/* libtasn1 reads a non-minimal length form for its value. */
	CHECK_EQ(decode_request_hex("3089000000000000000005a003020102", &r),
		 0);
	CHECK_EQ(r.version, 2);
	ts_request_clear(&r);

	/* A clientNonce of any other length, empty included */
	{
		static const size_t lengths[] = { 0, 1, 31, 33, 64 };

		for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
			struct bytes nonce = { 0 }, der = { 0 };
			uint8_t *fill = calloc(1, lengths[i] + 1);

			if (!fill)
				abort();
			tlv(&nonce, 0x04, fill, lengths[i]);
			tlv(&der, 0xa5, nonce.data, nonce.len);
			bytes_free(&nonce);
			nonce = of("\xa0\x03\x02\x01\x06", 5);
			CHECK_EQ(bytes_append(&nonce, der.data, der.len), 0);
			bytes_free(&der);
			tlv(&der, 0x30, nonce.data, nonce.len);
			memset(&r, 0, sizeof(r));
			CHECK_EQ(ts_request_decode(der.data, der.len, &r),
				 -EINVAL);
			CHECK(request_empty(&r));
			bytes_free(&nonce);
			bytes_free(&der);
			free(fill);
		}
	}

	/* At most 8 NegoData entries (libtasn1's tree costs ~100 bytes of
	 * memory per byte of a SEQUENCE OF otherwise) */
	for (i = 1; i <= 9; i++) {
		struct bytes entries = { 0 }, field = { 0 }, der = { 0 };
		size_t k;

		/* entry k carries the token "A" + k */
		for (k = 0; k < i; k++) {
			uint8_t entry[7] = { 0x30, 0x05, 0xa0, 0x03, 0x04, 0x01,
					     (uint8_t)('A' + k) };

			CHECK_EQ(bytes_append(&entries, entry, 7), 0);
		}
		tlv(&field, 0x30, entries.data, entries.len);
		bytes_free(&entries);
		tlv(&entries, 0xa1, field.data, field.len);
		bytes_free(&field);
		field = of("\xa0\x03\x02\x01\x02", 5);
		CHECK_EQ(bytes_append(&field, entries.data, entries.len), 0);
		tlv(&der, 0x30, field.data, field.len);
		memset(&r, 0, sizeof(r));
		CHECK_EQ(ts_request_decode(der.data, der.len, &r),
			 i <= 8 ? 0 : -EINVAL);
		if (i <= 8)
			CHECK(same(&r.nego_token, "A", 1));
		else
			CHECK(request_empty(&r));
		ts_request_clear(&r);
		bytes_free(&entries);
		bytes_free(&field);
		bytes_free(&der);
	}

	/* Sizes zero and over TS_MAX_MESSAGE */
	memset(&r, 0, sizeof(r));
	CHECK_EQ(ts_request_decode((const uint8_t *)"", 0, &r), -EINVAL);
	big = calloc(1, TS_MAX_MESSAGE + 1);
	if (!big)
		abort();
	CHECK_EQ(ts_request_decode(big, TS_MAX_MESSAGE + 1, &r), -EINVAL);
	CHECK(request_empty(&r));
	free(big);

	/* Every prefix of the known vectors */
	{
		const char *const known[] = {
			V2_NEGO_HEX, V6_NONCE_HEX, V6_ERROR_POSITIVE_HEX,
			impacket_negotiate, impacket_auth, impacket_authinfo,
		};

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			struct bytes der = unhex(known[i]);

			check_request_prefixes(&der);
			bytes_free(&der);
		}
	}
}

static void check_password_creds(const struct ts_credentials *c,
				 const char *domain, const char *user,
				 const char *password)
{
	struct bytes d = { 0 }, u = { 0 }, p = { 0 };
	const char *s;
	uint8_t zero = 0;

	/* ASCII to UTF-16LE */
	for (s = domain; *s; s++)
		if (bytes_append(&d, s, 1) || bytes_append(&d, &zero, 1))
			abort();
	for (s = user; *s; s++)
		if (bytes_append(&u, s, 1) || bytes_append(&u, &zero, 1))
			abort();
	for (s = password; *s; s++)
		if (bytes_append(&p, s, 1) || bytes_append(&p, &zero, 1))
			abort();
	CHECK_EQ(c->cred_type, TS_CRED_PASSWORD);
	CHECK(same_bytes(&c->domain, &d));
	CHECK(same_bytes(&c->user, &u));
	CHECK(same_bytes(&c->password, &p));
	bytes_free(&d);
	bytes_free(&u);
	bytes_free(&p);
}

static void check_credentials_encode(const struct ts_credentials *c,
				     const char *hex)
{
	struct bytes want = unhex(hex), der = { 0 };

	CHECK_EQ(ts_credentials_encode_password(&c->domain, &c->user,
						&c->password, &der), 0);
	CHECK(same_bytes(&der, &want));
	bytes_free(&der);
	bytes_free(&want);
}

static void test_password_credentials(void)
{
	struct ts_credentials c;
	struct bytes der;
	struct bytes inner;

	CHECK_EQ(decode_credentials_hex(CREDS_DUP_HEX, &c), 0);
	check_password_creds(&c, "D", "u", "p");
	inner = unhex("3012a00404024400a10404027500a20404027000");
	CHECK(same_bytes(&c.credentials, &inner));
	bytes_free(&inner);
	check_credentials_encode(&c, CREDS_DUP_HEX);
	ts_credentials_clear(&c);
	CHECK(credentials_empty(&c));

	CHECK_EQ(decode_credentials_hex(impacket_credentials, &c), 0);
	check_password_creds(&c, "TESTDOM", "alice", "Passw0rd!");
	check_credentials_encode(&c, impacket_credentials);
	ts_credentials_clear(&c);

	/* The empty set of credentials: three empty strings */
	CHECK_EQ(decode_credentials_hex(CREDS_EMPTY_HEX, &c), 0);
	check_password_creds(&c, "", "", "");
	check_credentials_encode(&c, CREDS_EMPTY_HEX);
	ts_credentials_clear(&c);

	der = unhex(impacket_credentials);
	check_credentials_prefixes(&der);
	bytes_free(&der);
	der = unhex(CREDS_DUP_HEX);
	check_credentials_prefixes(&der);
	bytes_free(&der);
}

/* The name and password limits of tsrequest.h, on both sides */
static void test_credential_limits(void)
{
	struct bytes name = { 0 }, password = { 0 }, empty = { 0 };
	struct bytes der = { 0 };
	struct ts_credentials c = { 0 };
	uint8_t *fill = malloc(2 * KSSPI_MAX_PASSWORD + 2);

	if (!fill)
		abort();
	memset(fill, 'x', 2 * KSSPI_MAX_PASSWORD + 2);
	name = of(fill, 2 * KSSPI_MAX_NAME);
	password = of(fill, 2 * KSSPI_MAX_PASSWORD);
	CHECK_EQ(ts_credentials_encode_password(&name, &name, &password, &der),
		 0);
	CHECK_EQ(ts_credentials_decode(der.data, der.len, &c), 0);
	CHECK(same_bytes(&c.user, &name));
	CHECK(same_bytes(&c.password, &password));
	ts_credentials_clear(&c);
	bytes_free(&der);

	/* One octet more: refused when encoding ... */
	CHECK_EQ(bytes_append(&name, "x", 1), 0);
	CHECK_EQ(ts_credentials_encode_password(&name, &empty, &empty, &der),
		 -EINVAL);
	CHECK_EQ(ts_credentials_encode_password(&empty, &name, &empty, &der),
		 -EINVAL);
	CHECK_EQ(bytes_append(&password, "x", 1), 0);
	CHECK_EQ(ts_credentials_encode_password(&empty, &empty, &password,
						&der), -EINVAL);
	CHECK(der.data == NULL);

	/* ... and decoding, at the limit and one octet over */
	{
		static const size_t limits[3] = {
			2 * KSSPI_MAX_NAME, 2 * KSSPI_MAX_NAME,
			2 * KSSPI_MAX_PASSWORD,
		};
		size_t which, over;

		for (which = 0; which < 3; which++) {
			for (over = 0; over < 2; over++) {
				size_t sizes[3] = { 0, 0, 0 };
				struct bytes msg = { 0 };

				sizes[which] = limits[which] + over;
				password_creds_der(&msg, fill, sizes);
				memset(&c, 0, sizeof(c));
				CHECK_EQ(ts_credentials_decode(msg.data, msg.len,
							       &c),
					 over ? -EINVAL : 0);
				if (!over)
					CHECK_EQ((which == 0 ? c.domain :
						  which == 1 ? c.user :
						  c.password).len,
						 limits[which]);
				else
					CHECK(credentials_empty(&c));
				ts_credentials_clear(&c);
				bytes_free(&msg);
			}
		}
	}
	bytes_free(&name);
	bytes_free(&password);
	free(fill);
}

static void test_other_credentials(void)
{
	struct ts_credentials c;

	/*
	 * TSSmartCardCreds: pin "1234" (UTF-16LE), cspData with keySpec 1
	 *   30 1a a0 0a 04 08 <pin> a1 0c 30 0a a0 03 02 01 01 a1 03 04 01 43
	 * in TSCredentials with credType 2.
	 */
	static const char smartcard[] =
		"3025a003020102a11e041c"
		"301aa00a04083100320033003400a10c300aa003020101a103040143";
	/* TSRemoteGuardCreds: logonCred { "K", "c" } */
	static const char remote_guard[] =
		"3019a003020106a1120410"
		"300ea00c300aa00304014ba103040163";

	CHECK_EQ(decode_credentials_hex(smartcard, &c), 0);
	CHECK_EQ(c.cred_type, TS_CRED_SMARTCARD);
	CHECK_EQ(c.credentials.len, 28);
	CHECK(!c.domain.len && !c.user.len && !c.password.len);
	ts_credentials_clear(&c);

	CHECK_EQ(decode_credentials_hex(remote_guard, &c), 0);
	CHECK_EQ(c.cred_type, TS_CRED_REMOTE_GUARD);
	CHECK_EQ(c.credentials.len, 16);
	ts_credentials_clear(&c);

	/* The credentials must be what credType says. */
	CHECK_EQ(decode_credentials_hex(
			 "3025a003020106a11e041c"
			 "301aa00a04083100320033003400a10c300aa003020101a103040143",
			 &c), -EINVAL);
	CHECK(credentials_empty(&c));
	CHECK_EQ(decode_credentials_hex("3019a003020101a1120410"
					"300ea00c300aa00304014ba103040163",
					&c), -EINVAL);
	CHECK(credentials_empty(&c));
	/* Each differs from CREDS_EMPTY_HEX (accepted) in one thing. */
	{
		static const char *const refused[] = {
			/* unknown credType, negative credType */
			"3017a003020103a110040e300ca0020400a1020400a2020400",
			"3017a0030201ffa110040e300ca0020400a1020400a2020400",
			/* a field missing, one too many */
			"3013a003020101a10c040a3008a0020400a1020400",
			"301ba003020101a1140412"
			"3010a0020400a1020400a2020400a3020400",
			/* trailing bytes inside the credentials */
			"3019a003020101a1120410"
			"300ca0020400a1020400a20204000000",
			/* password as a UTF8String */
			"3017a003020101a110040e300ca0020400a1020400a2020c00",
			/* no credentials, no credType, nothing */
			"3005a003020101",
			"3012a110040e300ca0020400a1020400a2020400",
			"3000",
			/* TSSmartCardCreds and TSRemoteGuardCreds cut short */
			"3009a003020102a1020400",
			"300ba003020102a10404023000",
			"300ba003020106a10404023000",
			"3013a003020106a10c040a3008a0063004a0020400",
		};
		size_t i;

		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			int err = decode_credentials_hex(refused[i], &c);

			if (err != -EINVAL)
				printf("# refused[%zu] gave %d\n", i, err);
			CHECK_EQ(err, -EINVAL);
			CHECK(credentials_empty(&c));
		}
	}
}

/* TSCredentials (credType 6) of a logonCred and @n supplemental ones,
 * the last of which lacks its credBuffer if @broken */
static void remote_guard_der(struct bytes *out, size_t n, bool broken)
{
	struct bytes cred = { 0 }, field = { 0 }, list = { 0 }, body = { 0 };
	size_t i;

	tlv(&field, 0x04, "K\0", 2);
	tlv(&body, 0xa0, field.data, field.len);
	bytes_free(&field);
	tlv(&field, 0x04, "secret", 6);
	tlv(&body, 0xa1, field.data, field.len);
	bytes_free(&field);
	tlv(&cred, 0x30, body.data, body.len);	/* one package credential */
	for (i = 0; i < n; i++) {
		if (broken && i == n - 1) {
			/* packageName only */
			struct bytes half = { 0 }, name = { 0 };

			tlv(&name, 0x04, "K\0", 2);
			tlv(&half, 0xa0, name.data, name.len);
			tlv(&list, 0x30, half.data, half.len);
			bytes_free(&half);
			bytes_free(&name);
		} else {
			CHECK_EQ(bytes_append(&list, cred.data, cred.len), 0);
		}
	}
	bytes_free(&body);
	tlv(&body, 0xa0, cred.data, cred.len);	/* logonCred */
	tlv(&field, 0x30, list.data, list.len);
	tlv(&body, 0xa1, field.data, field.len);
	bytes_free(&field);
	bytes_free(&list);
	tlv(&list, 0x30, body.data, body.len);	/* TSRemoteGuardCreds */
	tlv(&field, 0x04, list.data, list.len);
	bytes_free(&body);
	body = of("\xa0\x03\x02\x01\x06", 5);
	tlv(&body, 0xa1, field.data, field.len);
	tlv(out, 0x30, body.data, body.len);
	bytes_free(&cred);
	bytes_free(&field);
	bytes_free(&list);
	bytes_free(&body);
}

static void test_remote_guard_supplemental(void)
{
	struct ts_credentials c;
	struct bytes der;
	size_t n;

	for (n = 0; n <= 17; n++) {
		der = (struct bytes){ 0 };
		remote_guard_der(&der, n, false);
		memset(&c, 0, sizeof(c));
		CHECK_EQ(ts_credentials_decode(der.data, der.len, &c),
			 n <= 16 ? 0 : -EINVAL);
		CHECK_EQ(c.cred_type, n <= 16 ? TS_CRED_REMOTE_GUARD : 0);
		ts_credentials_clear(&c);
		bytes_free(&der);
	}
	for (n = 1; n <= 3; n++) {
		der = (struct bytes){ 0 };
		remote_guard_der(&der, n, true);
		memset(&c, 0, sizeof(c));
		CHECK_EQ(ts_credentials_decode(der.data, der.len, &c), -EINVAL);
		CHECK(credentials_empty(&c));
		bytes_free(&der);
	}
}

static void test_spki(void)
{
	struct bytes spki = unhex(ec_spki), key = { 0 }, want;
	size_t n;

	/* The EC point: 04 || X || Y, 65 octets */
	want = unhex("04f20e78faface1fe78f567543c6f973dbe3944163b27c760bb714cc"
		     "786011f6264222292854160f8d2f2f21e8c9af04d4eacd5f7a6c8fa9"
		     "d9133828b2b945915e");
	CHECK_EQ(spki_subject_public_key(spki.data, spki.len, &key), 0);
	CHECK(same_bytes(&key, &want));
	bytes_free(&key);
	bytes_free(&want);

	/* RSA shape with NULL parameters, by hand */
	want = unhex("deadbeef");
	{
		struct bytes rsa = unhex("3016300d06092a864886f70d0101010500"
					 "030500deadbeef");

		CHECK_EQ(spki_subject_public_key(rsa.data, rsa.len, &key), 0);
		CHECK(same_bytes(&key, &want));
		bytes_free(&key);
		bytes_free(&rsa);
	}
	bytes_free(&want);

	for (n = 0; n < spki.len; n++) {
		CHECK_EQ(spki_subject_public_key(spki.data, n, &key), -EINVAL);
		CHECK(key.len == 0);
	}
	CHECK_EQ(bytes_append(&spki, "", 1), 0);
	CHECK_EQ(spki_subject_public_key(spki.data, spki.len, &key), -EINVAL);
	bytes_free(&spki);

	{
		static const char *const refused[] = {
			/* unused bits, an empty key, only the unused octet */
			"3016300d06092a864886f70d0101010500" "030504deadbeef",
			"3012300d06092a864886f70d0101010500" "030100",
			"3011300d06092a864886f70d0101010500" "0300",
			/* no algorithm; an OCTET STRING key */
			"30050303" "00dead",
			"3016300d06092a864886f70d0101010500" "040500deadbeef",
		};
		size_t i;

		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			spki = unhex(refused[i]);
			CHECK_EQ(spki_subject_public_key(spki.data, spki.len,
							 &key), -EINVAL);
			CHECK(key.len == 0);
			bytes_free(&spki);
		}
	}
}

const struct test_case tsrequest_tests[] = {
	{ "credssp: hand-built TSRequests (MS-CSSP 2.2.1)",
	  test_hand_built_requests },
	{ "credssp: errorCode as negative and positive INTEGER",
	  test_error_code_encodings },
	{ "credssp: impacket's TSRequests byte for byte",
	  test_impacket_requests },
	{ "credssp: round trips of versions 2 to 6", test_round_trip_versions },
	{ "credssp: the encoder refuses bad requests", test_encoder_refuses },
	{ "credssp: hostile TSRequests", test_hostile_requests },
	{ "credssp: TSCredentials with TSPasswordCreds",
	  test_password_credentials },
	{ "credssp: credential length limits", test_credential_limits },
	{ "credssp: smart card and Remote Guard credentials",
	  test_other_credentials },
	{ "credssp: Remote Guard supplemental credentials",
	  test_remote_guard_supplemental },
	{ "credssp: SubjectPublicKeyInfo", test_spki },
	{ NULL, NULL },
};
