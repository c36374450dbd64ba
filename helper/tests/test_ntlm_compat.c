// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What other NTLM peers send that ksspi's own client does not: the MIC of
 * an AUTHENTICATE without NEGOTIATE_VERSION, OEM strings (a NEGOTIATE
 * without UNICODE, as curl and Samba with "unicode = no" send), and what
 * the client does with a server that speaks OEM only; 40- and 56-bit keys
 * refused by default on both sides; an AUTHENTICATE whose flags disagree
 * with the CHALLENGE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>

#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/msg.h"
#include "ntlm/userdb.h"
#include "ntlm_harness.h"
#include "ntlm_tests.h"
#include "util.h"

#define ISC_ALL (ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY | \
		 ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT | \
		 ISC_REQ_CONNECTION)
#define ASC_ALL (ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY | \
		 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT | \
		 ASC_REQ_CONNECTION)

/* A client's first two legs and a server's first: the AUTHENTICATE due. */
struct legs3 {
	void *client, *server;
	struct reply neg, chal, auth;
};

static void legs3_run(struct legs3 *t, uint32_t isc_req, uint32_t asc_req)
{
	struct leg l;

	t->client = pkg_ntlm.state_new();
	t->server = pkg_ntlm.state_new();
	if (!t->client || !t->server)
		abort();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = isc_req, .user = T_USER, .domain = T_DOMAIN,
			  .password = T_PASSWORD };
	ntlm_run_leg(t->client, &l, &t->neg);
	CHECK_EQ(t->neg.status, SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = asc_req, .token = t->neg.token.data,
			  .token_len = t->neg.token.len };
	ntlm_run_leg(t->server, &l, &t->chal);
	CHECK_EQ(t->chal.status, SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = isc_req,
			  .token = t->chal.token.data,
			  .token_len = t->chal.token.len };
	ntlm_run_leg(t->client, &l, &t->auth);
	CHECK_EQ(t->auth.status, SEC_E_OK);
}

static void legs3_free(struct legs3 *t)
{
	reply_clear(&t->neg);
	reply_clear(&t->chal);
	reply_clear(&t->auth);
	pkg_ntlm.state_free(t->client);
	pkg_ntlm.state_free(t->server);
}

/* The server's second leg on @token; its status. */
static uint32_t server_leg2(struct legs3 *t, const struct bytes *token,
			    uint32_t asc_req, struct reply *done)
{
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .req = asc_req,
			 .token = token->data, .token_len = token->len };

	ntlm_run_leg(t->server, &l, done);
	return done->status;
}

/* The MIC of @auth (at 72) recomputed with the client's session key */
static void remic(const struct legs3 *t, struct bytes *auth)
{
	const uint8_t *key = blob_record(&t->auth.blob,
					 KSSPI_CTX_REC_SESSION_KEY, NULL,
					 NULL);
	uint8_t mic[NTLM_MIC_LEN];

	if (!key)
		abort();
	memset(auth->data + NTLM_AUTH_MIC_OFF, 0, NTLM_MIC_LEN);
	ntlm_mic(key, t->neg.token.data, t->neg.token.len,
		 t->chal.token.data, t->chal.token.len, auth->data, auth->len,
		 NTLM_AUTH_MIC_OFF, mic);
	memcpy(auth->data + NTLM_AUTH_MIC_OFF, mic, NTLM_MIC_LEN);
}

/*
 * An AUTHENTICATE without NEGOTIATE_VERSION whose MIC is at offset 72
 * (its VERSION field zero), as Windows and Samba lay it out: accepted.
 * The MIC is checked there: one byte of it changed is refused.
 */
static void test_mic_without_version(void)
{
	struct legs3 t;
	struct bytes auth = { 0 };
	struct reply done;

	ntlm_test_server_setup(false, NULL, 0);
	legs3_run(&t, ISC_ALL, ASC_ALL);
	bytes_append(&auth, t.auth.token.data, t.auth.token.len);
	ntlm_put_le32(auth.data + 60, ntlm_le32(auth.data + 60) &
		      ~NTLMSSP_NEGOTIATE_VERSION);
	memset(auth.data + NTLM_AUTH_VERSION_OFF, 0, NTLM_VERSION_LEN);
	remic(&t, &auth);
	CHECK_EQ(server_leg2(&t, &auth, ASC_ALL, &done), SEC_E_OK);
	CHECK(memcmp(blob_record(&done.blob, KSSPI_CTX_REC_SESSION_KEY, NULL,
				 NULL),
		     blob_record(&t.auth.blob, KSSPI_CTX_REC_SESSION_KEY,
				 NULL, NULL), 16) == 0);
	reply_clear(&done);
	legs3_free(&t);

	legs3_run(&t, ISC_ALL, ASC_ALL);
	bytes_free(&auth);
	bytes_append(&auth, t.auth.token.data, t.auth.token.len);
	ntlm_put_le32(auth.data + 60, ntlm_le32(auth.data + 60) &
		      ~NTLMSSP_NEGOTIATE_VERSION);
	memset(auth.data + NTLM_AUTH_VERSION_OFF, 0, NTLM_VERSION_LEN);
	remic(&t, &auth);
	auth.data[NTLM_AUTH_MIC_OFF + 15] ^= 0x80;
	CHECK_EQ(server_leg2(&t, &auth, ASC_ALL, &done),
		 SEC_E_MESSAGE_ALTERED);
	reply_clear(&done);
	legs3_free(&t);
	bytes_free(&auth);
}

/* The database: TESTDOM\\alice and TESTDOM\\émilie (UTF-8 names). */
static void two_users(void)
{
	static const char *const users[2][2] = {
		{ T_USER, T_PASSWORD }, { "\xc3\xa9milie", "P\xc3\xa4ss" },
	};
	char text[256] = "", line[128], err[128];
	struct ntlm_userdb *db;
	uint8_t hash[16];
	size_t i;

	ntlm_test_server_setup(false, NULL, 0);
	for (i = 0; i < 2; i++) {
		if (ntlm_nt_hash(users[i][1], strlen(users[i][1]), hash) ||
		    ntlm_userdb_format_line(line, sizeof(line), T_DOMAIN,
					    users[i][0], hash))
			abort();
		strcat(text, line);
	}
	if (ntlm_userdb_parse(text, strlen(text), &db, err, sizeof(err)))
		abort();
	ntlm_config_set_userdb(db);
}

/* curl's NEGOTIATE: OEM, REQUEST_TARGET, NTLM, ESS, ALWAYS_SIGN */
#define CURL_FLAGS	0x00088206u
/* Samba's with "ntlmssp_client:unicode = no", asked to sign and seal */
#define SAMBA_OEM_FLAGS	0x62088236u

static void negotiate_of(uint32_t flags, struct bytes *out)
{
	if (ntlm_negotiate_encode(out, flags, NULL))
		abort();
}

/* A server's first leg on @neg: its status, the CHALLENGE in @chal. */
static uint32_t server_leg1(void *server, const struct bytes *neg,
			    uint32_t asc_req, struct reply *chal)
{
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			 .req = asc_req, .token = neg->data,
			 .token_len = neg->len };

	ntlm_run_leg(server, &l, chal);
	return chal->status;
}

static uint32_t server_leg2_raw(void *server, const struct bytes *auth,
				uint32_t asc_req, struct reply *done)
{
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .req = asc_req,
			 .token = auth->data, .token_len = auth->len };

	ntlm_run_leg(server, &l, done);
	return done->status;
}

/*
 * An OEM NEGOTIATE is answered in OEM: the CHALLENGE has OEM and not
 * UNICODE, its TargetName "TESTDOM" in 7 OEM bytes, its AV pairs in
 * UTF-16 (MS-NLMP: always).  A NEGOTIATE offering both gets Unicode; one
 * offering neither is invalid.
 */
static void test_oem_challenge(void)
{
	struct bytes neg = { 0 };
	struct ntlm_challenge c;
	struct ntlm_av_list av;
	struct reply chal;
	void *server;

	ntlm_test_server_setup(false, NULL, 0);
	negotiate_of(CURL_FLAGS, &neg);
	server = pkg_ntlm.state_new();
	CHECK_EQ(server_leg1(server, &neg, 0, &chal), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(ntlm_challenge_decode(chal.token.data, chal.token.len, &c),
		 0);
	CHECK(c.flags & NTLM_NEGOTIATE_OEM);
	CHECK(!(c.flags & NTLMSSP_NEGOTIATE_UNICODE));
	CHECK(c.flags & NTLMSSP_NEGOTIATE_TARGET_INFO);
	CHECK(c.target_name.len == 7 &&
	      memcmp(c.target_name.data, "TESTDOM", 7) == 0);
	CHECK_EQ(ntlm_av_decode(c.target_info.data, c.target_info.len, false,
				&av), 0);
	CHECK(av.value[MSV_AV_NB_DOMAIN_NAME].len == 14 &&
	      memcmp(av.value[MSV_AV_NB_DOMAIN_NAME].data,
		     "T\0E\0S\0T\0D\0O\0M\0", 14) == 0);
	reply_clear(&chal);
	pkg_ntlm.state_free(server);

	bytes_free(&neg);
	negotiate_of(CURL_FLAGS | NTLMSSP_NEGOTIATE_UNICODE, &neg);
	server = pkg_ntlm.state_new();
	CHECK_EQ(server_leg1(server, &neg, 0, &chal), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(ntlm_challenge_decode(chal.token.data, chal.token.len, &c),
		 0);
	CHECK(c.flags & NTLMSSP_NEGOTIATE_UNICODE);
	CHECK(!(c.flags & NTLM_NEGOTIATE_OEM));
	CHECK_EQ(c.target_name.len, 14);
	reply_clear(&chal);
	pkg_ntlm.state_free(server);

	bytes_free(&neg);
	negotiate_of(CURL_FLAGS & ~NTLM_NEGOTIATE_OEM, &neg);
	server = pkg_ntlm.state_new();
	CHECK_EQ(server_leg1(server, &neg, 0, &chal), SEC_E_INVALID_TOKEN);
	CHECK_EQ(chal.token.len, 0);
	reply_clear(&chal);
	pkg_ntlm.state_free(server);
	bytes_free(&neg);
}

struct oem_case {
	const char *name;
	uint32_t neg_flags;
	const char *user;		/* UTF-8 */
	const char *user_wire;		/* as sent, OEM */
	size_t user_wire_len;
	bool mic;
	uint32_t want;
	const char *want_name;
};

/*
 * OEM AUTHENTICATEs after an OEM CHALLENGE: a curl-like one (no MIC, no
 * VERSION), a Samba-like one with SIGN, SEAL, KEY_EXCH and a MIC; a user
 * "émilie" as code page 437 spells it (0x82); the same user in UTF-8 bytes
 * (not what the client hashed: refused); a NUL in the name: invalid.
 */
static void test_oem_authenticate(void)
{
	static const struct oem_case cases[] = {
		{ "curl-like", CURL_FLAGS, T_USER, T_USER, 5, false,
		  SEC_E_OK, "TESTDOM\\alice" },
		{ "samba-like", SAMBA_OEM_FLAGS, T_USER, T_USER, 5, true,
		  SEC_E_OK, "TESTDOM\\alice" },
		{ "cp437 name", SAMBA_OEM_FLAGS, "\xc3\xa9milie",
		  "\x82milie", 6, true, SEC_E_OK,
		  "TESTDOM\\\xc3\xa9milie" },
		{ "utf-8 bytes", SAMBA_OEM_FLAGS, "\xc3\xa9milie",
		  "\xc3\xa9milie", 7, true, SEC_E_LOGON_DENIED, NULL },
		{ "nul byte", CURL_FLAGS, T_USER, "ali\0e", 5, false,
		  SEC_E_INVALID_TOKEN, NULL },
	};
	size_t i;

	two_users();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct oem_case *oc = &cases[i];
		const char *password = oc->user[0] == 'a' ? T_PASSWORD :
							    "P\xc3\xa4ss";
		struct bytes neg = { 0 }, auth = { 0 };
		struct reply chal, done;
		struct ntlm_challenge c;
		struct test_auth t;
		const uint8_t *got;
		uint8_t key[16];
		uint32_t len = 0;
		void *server = pkg_ntlm.state_new();

		negotiate_of(oc->neg_flags, &neg);
		CHECK_EQ(server_leg1(server, &neg, 0, &chal),
			 SEC_I_CONTINUE_NEEDED);
		ntlm_challenge_decode(chal.token.data, chal.token.len, &c);
		t = (struct test_auth){
			.user = oc->user, .domain = T_DOMAIN,
			.password = password,
			.user_wire = (const uint8_t *)oc->user_wire,
			.user_wire_len = oc->user_wire_len,
			.domain_wire = (const uint8_t *)T_DOMAIN,
			.domain_wire_len = 7,
			.flags = c.flags & ~NTLMSSP_NEGOTIATE_VERSION,
			.mic = oc->mic,
		};
		ntlm_test_authenticate(&neg, &chal.token, &t, &auth, key);
		CHECK_EQ(server_leg2_raw(server, &auth, 0, &done), oc->want);
		if (oc->want == SEC_E_OK) {
			got = blob_record(&done.blob,
					  KSSPI_CTX_REC_CLIENT_NAME, NULL,
					  &len);
			CHECK(got && len == strlen(oc->want_name) &&
			      memcmp(got, oc->want_name, len) == 0);
			got = blob_record(&done.blob,
					  KSSPI_CTX_REC_SESSION_KEY, NULL,
					  NULL);
			CHECK(got && memcmp(got, key, 16) == 0);
		}
		if (done.status != oc->want)
			printf("# case %s\n", oc->name);
		reply_clear(&chal);
		reply_clear(&done);
		bytes_free(&neg);
		bytes_free(&auth);
		pkg_ntlm.state_free(server);
	}
	ntlm_test_server_setup(false, NULL, 0);
}

/*
 * After a Unicode CHALLENGE the names are UTF-16 whatever the
 * AUTHENTICATE's flags say: OEM names of odd length are invalid.
 */
static void test_charset_is_the_challenges(void)
{
	struct bytes neg = { 0 }, auth = { 0 };
	struct reply chal, done;
	struct ntlm_challenge c;
	struct test_auth t;
	uint8_t key[16];
	void *server = pkg_ntlm.state_new();

	ntlm_test_server_setup(false, NULL, 0);
	negotiate_of(CURL_FLAGS | NTLMSSP_NEGOTIATE_UNICODE, &neg);
	CHECK_EQ(server_leg1(server, &neg, 0, &chal), SEC_I_CONTINUE_NEEDED);
	ntlm_challenge_decode(chal.token.data, chal.token.len, &c);
	t = (struct test_auth){
		.user = T_USER, .domain = T_DOMAIN, .password = T_PASSWORD,
		.user_wire = (const uint8_t *)T_USER, .user_wire_len = 5,
		.domain_wire = (const uint8_t *)T_DOMAIN,
		.domain_wire_len = 7,
		.flags = (c.flags & ~NTLMSSP_NEGOTIATE_UNICODE) |
			 NTLM_NEGOTIATE_OEM,
	};
	ntlm_test_authenticate(&neg, &chal.token, &t, &auth, key);
	CHECK_EQ(server_leg2_raw(server, &auth, 0, &done),
		 SEC_E_INVALID_TOKEN);
	reply_clear(&chal);
	reply_clear(&done);
	bytes_free(&neg);
	bytes_free(&auth);
	pkg_ntlm.state_free(server);
}

/*
 * The client facing a server that speaks OEM only (our NEGOTIATE with
 * UNICODE taken out on the way): its AUTHENTICATE has OEM and not
 * UNICODE, the names in OEM, a proof and a MIC that verify over the
 * NEGOTIATE it sent.  The server, which saw another NEGOTIATE, catches the
 * change with the MIC.  A name the code page lacks cannot be sent.
 */
static void test_client_oem(void)
{
	struct reply neg, chal, auth, done;
	struct bytes seen = { 0 };
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	const uint8_t *key;
	uint8_t hash[16], rkey[16], proof[16], mic[16];
	void *client = pkg_ntlm.state_new(), *server = pkg_ntlm.state_new();
	struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			 .req = ISC_ALL, .user = T_USER, .domain = T_DOMAIN,
			 .password = T_PASSWORD };

	ntlm_test_server_setup(false, NULL, 0);
	ntlm_run_leg(client, &l, &neg);
	bytes_append(&seen, neg.token.data, neg.token.len);
	ntlm_put_le32(seen.data + 12, ntlm_le32(seen.data + 12) &
		      ~NTLMSSP_NEGOTIATE_UNICODE);
	CHECK_EQ(server_leg1(server, &seen, ASC_ALL, &chal),
		 SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = ISC_ALL,
			  .token = chal.token.data,
			  .token_len = chal.token.len };
	ntlm_run_leg(client, &l, &auth);
	CHECK_EQ(auth.status, SEC_E_OK);
	CHECK_EQ(ntlm_authenticate_decode(auth.token.data, auth.token.len,
					  &a), 0);
	CHECK(a.flags & NTLM_NEGOTIATE_OEM);
	CHECK(!(a.flags & NTLMSSP_NEGOTIATE_UNICODE));
	CHECK(a.user.len == 5 && memcmp(a.user.data, T_USER, 5) == 0);
	CHECK(a.domain.len == 7 && memcmp(a.domain.data, T_DOMAIN, 7) == 0);
	CHECK(a.workstation.len == 3 &&
	      memcmp(a.workstation.data, "SRV", 3) == 0);

	/* The proof hashes the names in UTF-16, as every client does */
	CHECK_EQ(ntlm_v2_response_decode(a.nt_response.data,
					 a.nt_response.len, &v2), 0);
	ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), hash);
	ntlm_ntowfv2(hash, (const uint8_t *)"a\0l\0i\0c\0e\0", 10,
		     (const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0", 14, rkey);
	ntlm_v2_proof(rkey, chal.token.data + 24, v2.blob.data, v2.blob.len,
		      proof);
	CHECK(memcmp(proof, v2.proof.data, 16) == 0);
	key = blob_record(&auth.blob, KSSPI_CTX_REC_SESSION_KEY, NULL, NULL);
	CHECK(key != NULL);
	if (key) {
		ntlm_mic(key, neg.token.data, neg.token.len, chal.token.data,
			 chal.token.len, auth.token.data, auth.token.len,
			 NTLM_AUTH_MIC_OFF, mic);
		CHECK(memcmp(mic, auth.token.data + NTLM_AUTH_MIC_OFF, 16)
		      == 0);
	}
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .req = ASC_ALL,
			  .token = auth.token.data,
			  .token_len = auth.token.len };
	ntlm_run_leg(server, &l, &done);
	CHECK_EQ(done.status, SEC_E_MESSAGE_ALTERED);
	reply_clear(&done);
	reply_clear(&auth);
	pkg_ntlm.state_free(client);

	/* "Žofia": U+017D is not in code page 437 */
	client = pkg_ntlm.state_new();
	reply_clear(&neg);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = ISC_ALL, .user = "\xc5\xbd" "ofia",
			  .domain = T_DOMAIN, .password = T_PASSWORD };
	ntlm_run_leg(client, &l, &neg);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = ISC_ALL,
			  .token = chal.token.data,
			  .token_len = chal.token.len };
	ntlm_run_leg(client, &l, &auth);
	CHECK_EQ(auth.status, SEC_E_UNKNOWN_CREDENTIALS);
	CHECK_EQ(auth.token.len, 0);

	reply_clear(&neg);
	reply_clear(&chal);
	reply_clear(&auth);
	bytes_free(&seen);
	pkg_ntlm.state_free(client);
	pkg_ntlm.state_free(server);
}

#define WEAK_BASE (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | \
		   NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN | \
		   NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | \
		   NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION | \
		   NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | \
		   NTLMSSP_NEGOTIATE_KEY_EXCH)

static uint32_t blob_flags(const struct bytes *blob)
{
	const uint8_t *v = blob_record(blob, KSSPI_CTX_REC_NTLM_FLAGS, NULL,
				       NULL);

	return v ? get_le32(v) : 0;
}

/*
 * The server's side of a handshake with a NEGOTIATE of @neg_flags and an
 * AUTHENTICATE of the CHALLENGE's flags less @auth_drop: the status of
 * the leg that failed, or of the last.  On success the client's sealing
 * key in the blob is checked against the negotiated key strength.
 */
static uint32_t weak_server(uint32_t neg_flags, uint32_t auth_drop)
{
	struct bytes neg = { 0 }, auth = { 0 };
	struct reply chal, done = { 0 };
	struct ntlm_challenge c;
	struct test_auth t;
	uint8_t key[16], want[16];
	const uint8_t *seal;
	uint32_t status, flags;
	void *server = pkg_ntlm.state_new();

	negotiate_of(neg_flags, &neg);
	status = server_leg1(server, &neg, ASC_ALL, &chal);
	if (status != SEC_I_CONTINUE_NEEDED) {
		CHECK_EQ(chal.token.len, 0);
		goto out;
	}
	ntlm_challenge_decode(chal.token.data, chal.token.len, &c);
	t = (struct test_auth){
		.user = T_USER, .domain = T_DOMAIN, .password = T_PASSWORD,
		.user_wire = (const uint8_t *)"a\0l\0i\0c\0e\0",
		.user_wire_len = 10,
		.domain_wire = (const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0",
		.domain_wire_len = 14,
		.flags = c.flags & ~auth_drop, .version = true, .mic = true,
	};
	ntlm_test_authenticate(&neg, &chal.token, &t, &auth, key);
	status = server_leg2_raw(server, &auth, ASC_ALL, &done);
	if (status == SEC_E_OK) {
		flags = blob_flags(&done.blob);
		CHECK_EQ(flags & (NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56),
			 t.flags & (NTLMSSP_NEGOTIATE_128 |
				    NTLMSSP_NEGOTIATE_56));
		ntlm_sealkey(t.flags, key, true, want);
		seal = blob_record(&done.blob, KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
				   NULL, NULL);
		CHECK(seal && memcmp(seal, want, 16) == 0);
	}
out:
	reply_clear(&chal);
	reply_clear(&done);
	bytes_free(&neg);
	bytes_free(&auth);
	pkg_ntlm.state_free(server);
	return status;
}

/*
 * Server: signing or sealing with 56- or 40-bit keys is refused by
 * default, at the NEGOTIATE or when the AUTHENTICATE drops 128
 * (SEC_E_UNSUPPORTED_FUNCTION), and accepted with --ntlm-allow-weak-keys,
 * the sealing keys cut to 7 or 5 bytes (MS-NLMP 3.4.5.3).  Without SIGN or
 * SEAL no key is used and 128 is not required.
 */
static void test_weak_keys_server(void)
{
	const struct ntlm_options weak = { .allow_weak_keys = true };
	const uint32_t none = WEAK_BASE & ~(NTLMSSP_NEGOTIATE_SIGN |
					    NTLMSSP_NEGOTIATE_SEAL |
					    NTLMSSP_NEGOTIATE_KEY_EXCH);
	const uint32_t refused = SEC_E_UNSUPPORTED_FUNCTION;

	ntlm_test_server_setup(false, NULL, 0);
	CHECK_EQ(weak_server(WEAK_BASE | NTLMSSP_NEGOTIATE_128 |
			     NTLMSSP_NEGOTIATE_56, 0), SEC_E_OK);
	CHECK_EQ(weak_server(WEAK_BASE | NTLMSSP_NEGOTIATE_56, 0), refused);
	CHECK_EQ(weak_server(WEAK_BASE, 0), refused);
	CHECK_EQ(weak_server(WEAK_BASE & ~NTLMSSP_NEGOTIATE_SIGN, 0),
		 refused);
	CHECK_EQ(weak_server(WEAK_BASE | NTLMSSP_NEGOTIATE_128 |
			     NTLMSSP_NEGOTIATE_56, NTLMSSP_NEGOTIATE_128),
		 refused);
	CHECK_EQ(weak_server(none, 0), SEC_E_OK);

	ntlm_test_server_setup_opts(&weak);
	CHECK_EQ(weak_server(WEAK_BASE | NTLMSSP_NEGOTIATE_56, 0), SEC_E_OK);
	CHECK_EQ(weak_server(WEAK_BASE, 0), SEC_E_OK);
	CHECK_EQ(weak_server(WEAK_BASE | NTLMSSP_NEGOTIATE_128 |
			     NTLMSSP_NEGOTIATE_56, NTLMSSP_NEGOTIATE_128),
		 SEC_E_OK);
	ntlm_test_server_setup(false, NULL, 0);
}

/*
 * Client: a CHALLENGE without NEGOTIATE_128 (56 kept) is refused with
 * SEC_E_UNSUPPORTED_FUNCTION when signing or sealing was asked for,
 * accepted when nothing was, and accepted with --ntlm-allow-weak-keys
 * (the context's flags then without 128).
 */
static uint32_t weak_client(uint32_t isc_req, struct reply *auth)
{
	struct reply neg, chal;
	struct bytes c = { 0 };
	void *client = pkg_ntlm.state_new(), *server = pkg_ntlm.state_new();
	struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			 .req = isc_req, .user = T_USER, .domain = T_DOMAIN,
			 .password = T_PASSWORD };

	ntlm_run_leg(client, &l, &neg);
	server_leg1(server, &neg.token, 0, &chal);
	bytes_append(&c, chal.token.data, chal.token.len);
	ntlm_put_le32(c.data + 20, ntlm_le32(c.data + 20) &
		      ~NTLMSSP_NEGOTIATE_128);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = isc_req,
			  .token = c.data, .token_len = c.len };
	ntlm_run_leg(client, &l, auth);
	reply_clear(&neg);
	reply_clear(&chal);
	bytes_free(&c);
	pkg_ntlm.state_free(client);
	pkg_ntlm.state_free(server);
	return auth->status;
}

static void test_weak_keys_client(void)
{
	const struct ntlm_options weak = { .allow_weak_keys = true };
	struct reply auth;

	ntlm_test_server_setup(false, NULL, 0);
	CHECK_EQ(weak_client(ISC_ALL, &auth), SEC_E_UNSUPPORTED_FUNCTION);
	CHECK(auth.token.len == 0 && auth.blob.len == 0);
	reply_clear(&auth);
	CHECK_EQ(weak_client(ISC_REQ_INTEGRITY, &auth),
		 SEC_E_UNSUPPORTED_FUNCTION);
	reply_clear(&auth);
	CHECK_EQ(weak_client(0, &auth), SEC_E_OK);
	reply_clear(&auth);

	ntlm_test_server_setup_opts(&weak);
	CHECK_EQ(weak_client(ISC_ALL, &auth), SEC_E_OK);
	CHECK_EQ(blob_flags(&auth.blob) &
		 (NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56 |
		  NTLMSSP_NEGOTIATE_SEAL),
		 NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_SEAL);
	CHECK(auth.has_context_attr &&
	      (auth.context_attr & ISC_RET_CONFIDENTIALITY));
	reply_clear(&auth);
	ntlm_test_server_setup(false, NULL, 0);
}

struct disagree {
	uint32_t neg_flags;
	uint32_t auth_add, auth_drop;	/* the AUTHENTICATE vs the CHALLENGE */
	uint32_t asc_req;
	uint32_t want;
	uint32_t want_flags, not_flags;	/* in the context's flags */
	uint32_t want_attr, not_attr;
	bool kxkey;			/* the session key is the KXKEY */
};

/*
 * The negotiated flags are those both the CHALLENGE and the AUTHENTICATE
 * carry: a flag the AUTHENTICATE adds is not granted, one it drops is
 * dropped (Samba's ntlmssp_handle_neg_flags); dropping extended session
 * security is refused.
 */
static void test_flags_disagree(void)
{
	const uint32_t ss = WEAK_BASE | NTLMSSP_NEGOTIATE_128;
	const uint32_t sign_only = ss & ~NTLMSSP_NEGOTIATE_SEAL;
	static const uint32_t ess = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	const struct disagree cases[] = {
		/* SEAL added: not granted */
		{ sign_only, NTLMSSP_NEGOTIATE_SEAL, 0, ASC_ALL, SEC_E_OK,
		  NTLMSSP_NEGOTIATE_SIGN, NTLMSSP_NEGOTIATE_SEAL,
		  ASC_RET_INTEGRITY, ASC_RET_CONFIDENTIALITY, false },
		/* SEAL dropped: dropped */
		{ ss, 0, NTLMSSP_NEGOTIATE_SEAL, ASC_ALL, SEC_E_OK,
		  NTLMSSP_NEGOTIATE_SIGN, NTLMSSP_NEGOTIATE_SEAL,
		  ASC_RET_INTEGRITY, ASC_RET_CONFIDENTIALITY, false },
		/* KEY_EXCH dropped: the KeyExchangeKey is the session key */
		{ ss, 0, NTLMSSP_NEGOTIATE_KEY_EXCH, ASC_ALL, SEC_E_OK,
		  NTLMSSP_NEGOTIATE_SEAL, NTLMSSP_NEGOTIATE_KEY_EXCH,
		  ASC_RET_CONFIDENTIALITY, 0, true },
		/* IDENTIFY added: not an identify-level context */
		{ ss, NTLMSSP_NEGOTIATE_IDENTIFY, 0, ASC_ALL, SEC_E_OK,
		  NTLMSSP_NEGOTIATE_SEAL, NTLMSSP_NEGOTIATE_IDENTIFY,
		  ASC_RET_CONFIDENTIALITY, ASC_RET_IDENTIFY, false },
		/* extended session security dropped: refused */
		{ ss, 0, ess, ASC_ALL, SEC_E_ALGORITHM_MISMATCH, 0, 0, 0, 0,
		  false },
	};
	size_t i;

	ntlm_test_server_setup(false, NULL, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct disagree *d = &cases[i];
		struct bytes neg = { 0 }, auth = { 0 };
		struct reply chal, done;
		struct ntlm_challenge c;
		struct test_auth t;
		const uint8_t *got;
		uint8_t key[16];
		uint32_t flags;
		void *server = pkg_ntlm.state_new();

		negotiate_of(d->neg_flags, &neg);
		CHECK_EQ(server_leg1(server, &neg, d->asc_req, &chal),
			 SEC_I_CONTINUE_NEEDED);
		ntlm_challenge_decode(chal.token.data, chal.token.len, &c);
		t = (struct test_auth){
			.user = T_USER, .domain = T_DOMAIN,
			.password = T_PASSWORD,
			.user_wire = (const uint8_t *)"a\0l\0i\0c\0e\0",
			.user_wire_len = 10,
			.domain_wire =
				(const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0",
			.domain_wire_len = 14,
			.flags = (c.flags | d->auth_add) & ~d->auth_drop,
			.version = true, .mic = true,
		};
		ntlm_test_authenticate(&neg, &chal.token, &t, &auth, key);
		CHECK_EQ(server_leg2_raw(server, &auth, d->asc_req, &done),
			 d->want);
		if (done.status == SEC_E_OK) {
			flags = blob_flags(&done.blob);
			CHECK_EQ(flags & d->want_flags, d->want_flags);
			CHECK_EQ(flags & d->not_flags, 0);
			CHECK_EQ(done.context_attr & d->want_attr, d->want_attr);
			CHECK_EQ(done.context_attr & d->not_attr, 0);
			got = blob_record(&done.blob,
					  KSSPI_CTX_REC_SESSION_KEY, NULL,
					  NULL);
			/* the builder exchanges a key only with KEY_EXCH */
			CHECK(got && memcmp(got, key, 16) == 0);
			CHECK_EQ(d->kxkey,
				 !(t.flags & NTLMSSP_NEGOTIATE_KEY_EXCH));
		}
		reply_clear(&chal);
		reply_clear(&done);
		bytes_free(&neg);
		bytes_free(&auth);
		pkg_ntlm.state_free(server);
	}
}

/*
 * The client takes what its NEGOTIATE asked and the CHALLENGE granted: a
 * CHALLENGE that adds SEAL to an integrity-only NEGOTIATE does not make
 * the client seal.
 */
static void test_client_flags_disagree(void)
{
	struct reply neg, chal, auth;
	struct bytes c = { 0 };
	struct ntlm_authenticate a;
	void *client = pkg_ntlm.state_new(), *server = pkg_ntlm.state_new();
	struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			 .req = ISC_REQ_INTEGRITY, .user = T_USER,
			 .domain = T_DOMAIN, .password = T_PASSWORD };

	ntlm_test_server_setup(false, NULL, 0);
	ntlm_run_leg(client, &l, &neg);
	server_leg1(server, &neg.token, 0, &chal);
	bytes_append(&c, chal.token.data, chal.token.len);
	ntlm_put_le32(c.data + 20, ntlm_le32(c.data + 20) |
		      NTLMSSP_NEGOTIATE_SEAL);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT,
			  .req = ISC_REQ_INTEGRITY, .token = c.data,
			  .token_len = c.len };
	ntlm_run_leg(client, &l, &auth);
	CHECK_EQ(auth.status, SEC_E_OK);
	CHECK_EQ(ntlm_authenticate_decode(auth.token.data, auth.token.len,
					  &a), 0);
	CHECK(!(a.flags & NTLMSSP_NEGOTIATE_SEAL));
	CHECK(a.flags & NTLMSSP_NEGOTIATE_SIGN);
	CHECK(!(blob_flags(&auth.blob) & NTLMSSP_NEGOTIATE_SEAL));
	CHECK(!(auth.context_attr & ISC_RET_CONFIDENTIALITY));
	reply_clear(&neg);
	reply_clear(&chal);
	reply_clear(&auth);
	bytes_free(&c);
	pkg_ntlm.state_free(client);
	pkg_ntlm.state_free(server);
}

const struct test_case ntlm_compat_tests[] = {
	{ "ntlm compat: MIC at 72 in an AUTHENTICATE without VERSION",
	  test_mic_without_version },
	{ "ntlm compat: an OEM NEGOTIATE answered in OEM; both: Unicode; "
	  "neither: invalid", test_oem_challenge },
	{ "ntlm compat: OEM AUTHENTICATEs (curl-like, Samba-like, code page "
	  "437 names) accepted; NUL refused", test_oem_authenticate },
	{ "ntlm compat: names read in the CHALLENGE's character set",
	  test_charset_is_the_challenges },
	{ "ntlm compat: client against an OEM-only server: OEM names, proof "
	  "and MIC verify; unrepresentable name refused", test_client_oem },
	{ "ntlm compat: server: 56- and 40-bit keys refused by default, "
	  "allowed with the option", test_weak_keys_server },
	{ "ntlm compat: client: 56- and 40-bit keys refused by default, "
	  "allowed with the option", test_weak_keys_client },
	{ "ntlm compat: server: AUTHENTICATE flags that disagree with the "
	  "CHALLENGE: the flags both carry", test_flags_disagree },
	{ "ntlm compat: client: a CHALLENGE granting more than was asked",
	  test_client_flags_disagree },
	{ NULL, NULL },
};
