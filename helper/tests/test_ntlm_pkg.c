// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLM package's client and server talking to each other in-process:
 * successful handshakes (the tokens, the context blobs, keys that really
 * protect messages), and each refusal with its documented status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>

#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/seal.h"
#include "ntlm/msg.h"
#include "ntlm/userdb.h"
#include "request.h"
#include "session.h"
#include "ntlm_harness.h"
#include "ntlm_tests.h"
#include "util.h"

#define ISC_ALL (ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY | \
		 ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT | \
		 ISC_REQ_CONNECTION)
#define ASC_ALL (ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY | \
		 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT | \
		 ASC_REQ_CONNECTION)

static void setup(void)
{
	ntlm_test_server_setup(false, NULL, 0);
}

static struct hs alice(void)
{
	return (struct hs){ .user = T_USER, .domain = T_DOMAIN,
			    .password = T_PASSWORD, .target = "HTTP/srv.test.local",
			    .isc_req = ISC_ALL, .asc_req = ASC_ALL };
}

static const uint8_t *record(const struct bytes *blob, uint16_t type,
			     uint32_t *len)
{
	uint16_t flags = 0;
	const uint8_t *v = blob_record(blob, type, &flags, len);

	CHECK(v == NULL || flags == KSSPI_CTX_REC_CRITICAL);
	return v;
}

static bool record_str(const struct bytes *blob, uint16_t type,
		       const char *want)
{
	uint32_t len = 0;
	const uint8_t *v = record(blob, type, &len);

	return v && len == strlen(want) && memcmp(v, want, len) == 0;
}

static void check_header(const struct bytes *blob, bool initiator,
			 uint32_t attr)
{
	int64_t now = time(NULL), expiry;

	CHECK(blob_well_formed(blob));
	if (blob->len < 64)
		return;
	CHECK_EQ(get_le32(blob->data), KSSPI_CTX_MAGIC);
	CHECK_EQ(get_le32(blob->data + 12),
		 initiator ? KSSPI_CTX_F_INITIATOR : 0);
	CHECK_EQ(get_le32(blob->data + 16), attr);
	expiry = (int64_t)get_le64(blob->data + 24);
	CHECK(expiry >= now + NTLM_CONTEXT_LIFETIME - 5 &&
	      expiry <= now + NTLM_CONTEXT_LIFETIME);
	CHECK(strncmp((const char *)blob->data + 32, "NTLM", 32) == 0);
	/* No RC4 state: the kernel starts it from the seal keys */
	CHECK(!record(blob, KSSPI_CTX_REC_NTLM_RC4_OUT, NULL));
	CHECK(!record(blob, KSSPI_CTX_REC_NTLM_RC4_IN, NULL));
}

/* The keys of a blob, and a check that they derive from its session key */
struct blob_keys {
	uint8_t session[16], sign_out[16], sign_in[16], seal_out[16],
		seal_in[16];
	uint32_t flags;
};

static void get_keys(const struct bytes *blob, bool initiator,
		     struct blob_keys *k)
{
	static const uint16_t types[5] = {
		KSSPI_CTX_REC_SESSION_KEY, KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT,
		KSSPI_CTX_REC_NTLM_SIGN_KEY_IN, KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT,
		KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
	};
	uint8_t *dst[5] = { k->session, k->sign_out, k->sign_in, k->seal_out,
			    k->seal_in };
	uint8_t want[16];
	const uint8_t *v;
	uint32_t len;
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < 5; i++) {
		v = record(blob, types[i], &len);
		CHECK(v && len == 16);
		if (v && len == 16)
			memcpy(dst[i], v, 16);
	}
	v = record(blob, KSSPI_CTX_REC_NTLM_FLAGS, &len);
	CHECK(v && len == 4);
	if (v && len == 4)
		k->flags = get_le32(v);
	v = record(blob, KSSPI_CTX_REC_SEND_SEQ, &len);
	CHECK(v && len == 8 && get_le64(v) == 0);
	v = record(blob, KSSPI_CTX_REC_RECV_SEQ, &len);
	CHECK(v && len == 8 && get_le64(v) == 0);

	ntlm_signkey(k->session, initiator, want);
	CHECK(memcmp(want, k->sign_out, 16) == 0);
	ntlm_signkey(k->session, !initiator, want);
	CHECK(memcmp(want, k->sign_in, 16) == 0);
	ntlm_sealkey(k->flags, k->session, initiator, want);
	CHECK(memcmp(want, k->seal_out, 16) == 0);
	ntlm_sealkey(k->flags, k->session, !initiator, want);
	CHECK(memcmp(want, k->seal_in, 16) == 0);
}

/* Both sides' blobs agree, and protect messages both ways. */
static void check_pair(const struct hs *h)
{
	struct blob_keys c, s;
	struct ntlm_sec_dir c_out, c_in, s_out, s_in;
	uint8_t msg[32], sig[16];

	get_keys(&h->authenticate.blob, true, &c);
	get_keys(&h->done.blob, false, &s);
	CHECK(memcmp(c.session, s.session, 16) == 0);
	CHECK(memcmp(c.sign_out, s.sign_in, 16) == 0);
	CHECK(memcmp(c.sign_in, s.sign_out, 16) == 0);
	CHECK(memcmp(c.seal_out, s.seal_in, 16) == 0);
	CHECK(memcmp(c.seal_in, s.seal_out, 16) == 0);
	CHECK(memcmp(c.sign_out, c.sign_in, 16) != 0);
	CHECK_EQ(c.flags, s.flags);

	ntlm_sec_dir_init(&c_out, c.flags, c.sign_out, c.seal_out);
	ntlm_sec_dir_init(&c_in, c.flags, c.sign_in, c.seal_in);
	ntlm_sec_dir_init(&s_out, s.flags, s.sign_out, s.seal_out);
	ntlm_sec_dir_init(&s_in, s.flags, s.sign_in, s.seal_in);
	memcpy(msg, "client to server, sealed.......", 32);
	ntlm_sec_seal(&c_out, msg, sizeof(msg), sig);
	CHECK(ntlm_sec_unseal(&s_in, msg, sizeof(msg), sig));
	CHECK(memcmp(msg, "client to server", 16) == 0);
	ntlm_sec_sign(&s_out, msg, sizeof(msg), sig);
	CHECK(ntlm_sec_verify(&c_in, msg, sizeof(msg), sig));
	msg[0] ^= 1;
	ntlm_sec_sign(&s_out, msg, sizeof(msg), sig);
	msg[0] ^= 1;
	CHECK(!ntlm_sec_verify(&c_in, msg, sizeof(msg), sig));
}

static void test_success(void)
{
	const uint32_t isc_attr = ISC_ALL;
	const uint32_t asc_attr = ASC_ALL;
	struct ntlm_negotiate n;
	struct ntlm_challenge c;
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	struct ntlm_av_list av;
	struct hs h = alice();
	uint32_t flags;

	setup();
	ntlm_handshake(&h);
	CHECK_EQ(h.negotiate.status, SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(h.challenge.status, SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_OK);

	/* NEGOTIATE: the flags of the package, VERSION always */
	CHECK_EQ(ntlm_negotiate_decode(h.negotiate.token.data,
				       h.negotiate.token.len, &n), 0);
	CHECK_EQ(n.flags, 0xe2888237);
	CHECK(n.has_version && n.version.revision == 15);

	/* CHALLENGE: names and a timestamp */
	CHECK_EQ(ntlm_challenge_decode(h.challenge.token.data,
				       h.challenge.token.len, &c), 0);
	CHECK(c.flags & NTLMSSP_TARGET_TYPE_DOMAIN);
	CHECK_EQ(ntlm_av_decode(c.target_info.data, c.target_info.len, false,
				&av), 0);
	CHECK(av.present[MSV_AV_NB_DOMAIN_NAME] &&
	      av.present[MSV_AV_NB_COMPUTER_NAME] &&
	      av.present[MSV_AV_DNS_DOMAIN_NAME] &&
	      av.present[MSV_AV_DNS_COMPUTER_NAME] &&
	      av.present[MSV_AV_TIMESTAMP]);
	CHECK(av.value[MSV_AV_NB_COMPUTER_NAME].len == 6 &&
	      memcmp(av.value[MSV_AV_NB_COMPUTER_NAME].data, "S\0R\0V\0", 6)
	      == 0);

	/* AUTHENTICATE: MIC, Z(24) LM response, the AV pairs of 3.1.5.1.2 */
	CHECK_EQ(ntlm_authenticate_decode(h.authenticate.token.data,
					  h.authenticate.token.len, &a), 0);
	CHECK_EQ(a.payload_start, NTLM_AUTH_HDR);
	CHECK_EQ(a.lm_response.len, 24);
	CHECK(a.lm_response.len == 24 &&
	      memcmp(a.lm_response.data, (uint8_t[24]){ 0 }, 24) == 0);
	CHECK_EQ(a.session_key.len, 16);
	CHECK(a.workstation.len == 6);
	CHECK_EQ(ntlm_v2_response_decode(a.nt_response.data,
					 a.nt_response.len, &v2), 0);
	CHECK_EQ(v2.av.flags, MSV_AV_FLAG_MIC_PRESENT);
	CHECK_EQ(v2.timestamp, av.timestamp);
	CHECK(v2.av.present[MSV_AV_CHANNEL_BINDINGS] &&
	      memcmp(v2.av.value[MSV_AV_CHANNEL_BINDINGS].data,
		     (uint8_t[16]){ 0 }, 16) == 0);
	CHECK(v2.av.present[MSV_AV_TARGET_NAME] &&
	      v2.av.value[MSV_AV_TARGET_NAME].len == 38);
	flags = a.flags;
	CHECK(flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	CHECK(flags & NTLMSSP_NEGOTIATE_SEAL);
	CHECK(flags & NTLMSSP_NEGOTIATE_128);

	/* The context blobs */
	CHECK_EQ(h.authenticate.context_attr, isc_attr);
	CHECK_EQ(h.done.context_attr, asc_attr);
	CHECK(h.authenticate.has_expiry && h.done.has_expiry);
	CHECK_EQ(h.done.token.len, 0);
	check_header(&h.authenticate.blob, true, isc_attr);
	check_header(&h.done.blob, false, asc_attr);
	CHECK(record_str(&h.authenticate.blob, KSSPI_CTX_REC_CLIENT_NAME,
			 "TESTDOM\\alice"));
	CHECK(record_str(&h.authenticate.blob, KSSPI_CTX_REC_SERVER_NAME,
			 "HTTP/srv.test.local"));
	CHECK(record_str(&h.done.blob, KSSPI_CTX_REC_CLIENT_NAME,
			 "TESTDOM\\alice"));
	CHECK(record_str(&h.done.blob, KSSPI_CTX_REC_SERVER_NAME,
			 "srv.test.local"));
	check_pair(&h);
	CHECK_EQ(get_le32(record(&h.done.blob, KSSPI_CTX_REC_NTLM_FLAGS,
				 NULL)), flags);
	ntlm_handshake_free(&h);
}

static void test_names(void)
{
	struct hs h = alice();

	setup();
	/* Case-insensitive user and domain; the account's names in blobs */
	h.user = "ALICE";
	h.domain = "testdom";
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(record_str(&h.done.blob, KSSPI_CTX_REC_CLIENT_NAME,
			 "TESTDOM\\alice"));
	CHECK(record_str(&h.authenticate.blob, KSSPI_CTX_REC_CLIENT_NAME,
			 "testdom\\ALICE"));
	ntlm_handshake_free(&h);

	/* No domain: the server's own */
	h = alice();
	h.domain = NULL;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	/* "DOMAIN\user" in the user name */
	h = alice();
	h.domain = NULL;
	h.user = "TESTDOM\\alice";
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(record_str(&h.authenticate.blob, KSSPI_CTX_REC_CLIENT_NAME,
			 "TESTDOM\\alice"));
	ntlm_handshake_free(&h);

	/* Without a target name: no MsvAvTargetName, no SERVER_NAME */
	h = alice();
	h.target = NULL;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(!record(&h.authenticate.blob, KSSPI_CTX_REC_SERVER_NAME, NULL));
	ntlm_handshake_free(&h);
}

static void test_logon_denied(void)
{
	struct hs h = alice();

	setup();
	h.password = "passw0rd!";
	ntlm_handshake(&h);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	CHECK_EQ(h.done.blob.len, 0);
	ntlm_handshake_free(&h);

	h = alice();
	h.user = "mallory";
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	ntlm_handshake_free(&h);

	h = alice();
	h.domain = "OTHERDOM";
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	ntlm_handshake_free(&h);

	/* No password at all is the empty password: wrong here */
	h = alice();
	h.password = NULL;
	ntlm_handshake(&h);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	ntlm_handshake_free(&h);

	/* An empty database */
	ntlm_config_set_userdb(NULL);
	h = alice();
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	ntlm_handshake_free(&h);
	setup();
}

/*
 * An anonymous context's blob: the name, the keys as always (derived from
 * the zero KeyExchangeKey), and no SIGN, SEAL or KEY_EXCH in its flags, so
 * that the kernel refuses to protect messages with it.
 */
static void check_anonymous_blob(const struct bytes *blob, bool initiator,
				 uint32_t attr)
{
	static const uint8_t zero[16];
	struct blob_keys k;

	check_header(blob, initiator, attr);
	CHECK(record_str(blob, KSSPI_CTX_REC_CLIENT_NAME, NTLM_ANONYMOUS_NAME));
	get_keys(blob, initiator, &k);
	CHECK(k.flags & NTLMSSP_NEGOTIATE_ANONYMOUS);
	CHECK_EQ(k.flags & NTLM_SESSION_SECURITY_FLAGS, 0);
	CHECK(k.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	CHECK(memcmp(k.session, zero, 16) == 0);
}

/*
 * An anonymous AUTHENTICATE as Samba's client sends it: SIGN, SEAL and
 * KEY_EXCH kept from the CHALLENGE, an EncryptedRandomSessionKey.
 */
static void test_anonymous_foreign(void)
{
	static const uint8_t one_zero[1], key[16] = { 0x42, 0x42, 0x42 };
	const uint32_t attr = ASC_RET_CONNECTION | ASC_RET_NULL_SESSION;
	struct ntlm_authenticate_fields f = { 0 };
	struct ntlm_challenge c;
	struct bytes auth = { 0 };
	struct hs h = alice();
	struct reply done;
	struct leg l;

	setup();
	h.asc_req |= ASC_REQ_ALLOW_NULL_SESSION;
	h.client = pkg_ntlm.state_new();
	h.server = pkg_ntlm.state_new();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = ISC_ALL, .user = T_USER,
			  .password = T_PASSWORD };
	ntlm_run_leg(h.client, &l, &h.negotiate);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = h.asc_req, .token = h.negotiate.token.data,
			  .token_len = h.negotiate.token.len };
	ntlm_run_leg(h.server, &l, &h.challenge);
	CHECK_EQ(ntlm_challenge_decode(h.challenge.token.data,
				       h.challenge.token.len, &c), 0);
	CHECK_EQ(c.flags & NTLM_SESSION_SECURITY_FLAGS,
		 NTLM_SESSION_SECURITY_FLAGS);

	f.flags = c.flags | NTLMSSP_NEGOTIATE_ANONYMOUS;
	f.lm_response = (struct ntlm_view){ one_zero, 1 };
	f.session_key = (struct ntlm_view){ key, 16 };
	f.version = &ntlm_our_version;
	CHECK_EQ(ntlm_authenticate_encode(&auth, &f), 0);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .req = h.asc_req,
			  .token = auth.data, .token_len = auth.len };
	ntlm_run_leg(h.server, &l, &done);
	CHECK_EQ(done.status, SEC_E_OK);
	CHECK_EQ(done.context_attr, attr);
	check_anonymous_blob(&done.blob, false, attr);
	reply_clear(&done);
	bytes_free(&auth);
	ntlm_handshake_free(&h);
}

static void test_anonymous(void)
{
	const uint32_t isc_attr = ISC_RET_CONNECTION | ISC_RET_NULL_SESSION;
	const uint32_t asc_attr = ASC_RET_CONNECTION | ASC_RET_NULL_SESSION;
	struct ntlm_negotiate n;
	struct ntlm_authenticate a;
	struct hs h = alice();

	setup();
	/* No identity without ISC_REQ_NULL_SESSION */
	h.user = NULL;
	ntlm_handshake(&h);
	CHECK_EQ(h.negotiate.status, SEC_E_NO_CREDENTIALS);
	ntlm_handshake_free(&h);

	h = alice();
	h.user = NULL;
	h.isc_req |= ISC_REQ_NULL_SESSION;
	h.asc_req |= ASC_REQ_ALLOW_NULL_SESSION;
	ntlm_handshake(&h);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(h.authenticate.context_attr & ISC_RET_NULL_SESSION);
	CHECK(h.done.context_attr & ASC_RET_NULL_SESSION);
	CHECK(record_str(&h.done.blob, KSSPI_CTX_REC_CLIENT_NAME,
			 NTLM_ANONYMOUS_NAME));
	CHECK_EQ(ntlm_authenticate_decode(h.authenticate.token.data,
					  h.authenticate.token.len, &a), 0);
	CHECK(a.flags & NTLMSSP_NEGOTIATE_ANONYMOUS);
	CHECK(a.nt_response.len == 0 && a.user.len == 0 &&
	      a.lm_response.len == 1);
	/*
	 * No session security (MS-NLMP 3.4), although ISC_ALL and ASC_ALL
	 * ask for it: neither message offers SIGN, SEAL or KEY_EXCH, no key
	 * is exchanged, and neither side reports INTEGRITY,
	 * CONFIDENTIALITY, REPLAY_DETECT or SEQUENCE_DETECT, on any leg.
	 */
	CHECK_EQ(ntlm_negotiate_decode(h.negotiate.token.data,
				       h.negotiate.token.len, &n), 0);
	CHECK_EQ(n.flags & NTLM_SESSION_SECURITY_FLAGS, 0);
	CHECK_EQ(a.flags & NTLM_SESSION_SECURITY_FLAGS, 0);
	CHECK_EQ(a.session_key.len, 0);
	CHECK_EQ(h.negotiate.context_attr, isc_attr);
	CHECK_EQ(h.authenticate.context_attr, isc_attr);
	CHECK_EQ(h.done.context_attr, asc_attr);
	check_anonymous_blob(&h.authenticate.blob, true, isc_attr);
	check_anonymous_blob(&h.done.blob, false, asc_attr);
	ntlm_handshake_free(&h);

	/* Refused without ASC_REQ_ALLOW_NULL_SESSION */
	h = alice();
	h.user = NULL;
	h.isc_req |= ISC_REQ_NULL_SESSION;
	ntlm_handshake(&h);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	ntlm_handshake_free(&h);
}

static void test_channel_bindings(void)
{
	size_t a_len, b_len;
	uint8_t *a = ntlm_test_bindings("tls-server-end-point:AAAA", &a_len);
	uint8_t *b = ntlm_test_bindings("tls-server-end-point:BBBB", &b_len);
	uint8_t bad[8] = { 0 };
	struct hs h;

	setup();
	/* Match */
	h = alice();
	h.client_cb = a;
	h.client_cb_len = a_len;
	h.server_cb = a;
	h.server_cb_len = a_len;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	/* Mismatch */
	h = alice();
	h.client_cb = a;
	h.client_cb_len = a_len;
	h.server_cb = b;
	h.server_cb_len = b_len;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_BAD_BINDINGS);
	ntlm_handshake_free(&h);

	/* Missing from the client (Z(16)): refused... */
	h = alice();
	h.server_cb = a;
	h.server_cb_len = a_len;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_BAD_BINDINGS);
	ntlm_handshake_free(&h);

	/* ...unless ASC_REQ_ALLOW_MISSING_BINDINGS */
	h = alice();
	h.server_cb = a;
	h.server_cb_len = a_len;
	h.asc_req |= ASC_REQ_ALLOW_MISSING_BINDINGS;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	/* ...which does not excuse a mismatch */
	h = alice();
	h.client_cb = a;
	h.client_cb_len = a_len;
	h.server_cb = b;
	h.server_cb_len = b_len;
	h.asc_req |= ASC_REQ_ALLOW_MISSING_BINDINGS;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_BAD_BINDINGS);
	ntlm_handshake_free(&h);

	/* The server without bindings ignores the client's */
	h = alice();
	h.client_cb = a;
	h.client_cb_len = a_len;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	/* Malformed structures, either side */
	h = alice();
	h.client_cb = bad;
	h.client_cb_len = sizeof(bad);
	ntlm_handshake(&h);
	CHECK_EQ(h.authenticate.status, SEC_E_BAD_BINDINGS);
	ntlm_handshake_free(&h);
	h = alice();
	h.server_cb = bad;
	h.server_cb_len = sizeof(bad);
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_BAD_BINDINGS);
	ntlm_handshake_free(&h);
	free(a);
	free(b);
}

static void test_target_name(void)
{
	static const char *const spns[] = { "HTTP/srv.test.local",
					    "host/srv" };
	struct hs h;

	ntlm_test_server_setup(false, spns, 2);
	h = alice();
	h.target = "http/SRV.test.local";	/* case-insensitive */
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	h = alice();
	h.target = "host/srv";
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	h = alice();
	h.target = "HTTP/evil.test.local";
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_WRONG_PRINCIPAL);
	ntlm_handshake_free(&h);

	/* A client naming no target is accepted */
	h = alice();
	h.target = NULL;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);

	/* The untrusted-SPN flag travels in MsvAvFlags */
	h = alice();
	h.isc_req |= ISC_REQ_UNVERIFIED_TARGET_NAME;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	{
		struct ntlm_authenticate a;
		struct ntlm_v2_response v2;

		ntlm_authenticate_decode(h.authenticate.token.data,
					 h.authenticate.token.len, &a);
		ntlm_v2_response_decode(a.nt_response.data,
					a.nt_response.len, &v2);
		CHECK_EQ(v2.av.flags, MSV_AV_FLAG_MIC_PRESENT |
				      MSV_AV_FLAG_UNTRUSTED_SPN);
	}
	ntlm_handshake_free(&h);
	setup();
}

static void flip_mic(struct bytes *auth)
{
	auth->data[NTLM_AUTH_MIC_OFF + 3] ^= 0x10;
}

/* Clears SEAL in the AUTHENTICATE flags: only the MIC covers them */
static void drop_seal(struct bytes *auth)
{
	auth->data[60] &= (uint8_t)~NTLMSSP_NEGOTIATE_SEAL;
}

/* Changes a byte of the workstation name */
static void touch_workstation(struct bytes *auth)
{
	auth->data[ntlm_le32(auth->data + 48)] ^= 0x20;
}

/* Changes the encrypted session key: the MIC no longer verifies */
static void touch_session_key(struct bytes *auth)
{
	auth->data[ntlm_le32(auth->data + 56)] ^= 1;
}

/* Changes a byte of the NTLMv2 blob: the proof no longer verifies */
static void touch_nt_blob(struct bytes *auth)
{
	auth->data[ntlm_le32(auth->data + 24) + 16 + 20] ^= 1;
}

static void test_tampering(void)
{
	void (*tamper[])(struct bytes *) = {
		flip_mic, drop_seal, touch_workstation, touch_session_key,
	};
	struct hs h;
	size_t i;

	setup();
	for (i = 0; i < sizeof(tamper) / sizeof(tamper[0]); i++) {
		h = alice();
		h.tamper = tamper[i];
		ntlm_handshake(&h);
		CHECK_EQ(h.done.status, SEC_E_MESSAGE_ALTERED);
		ntlm_handshake_free(&h);
	}
	h = alice();
	h.tamper = touch_nt_blob;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	ntlm_handshake_free(&h);
}

/*
 * The server sees a NEGOTIATE without 128-bit: the MIC catches it.  (Weak
 * keys allowed: by default the server refuses that NEGOTIATE at once.)
 */
static void test_negotiate_downgrade(void)
{
	const struct ntlm_options weak = { .allow_weak_keys = true };
	struct reply neg, chal, auth, done;
	void *client = pkg_ntlm.state_new(), *server = pkg_ntlm.state_new();
	struct leg l;

	ntlm_test_server_setup_opts(&weak);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = ISC_ALL, .user = T_USER,
			  .password = T_PASSWORD };
	ntlm_run_leg(client, &l, &neg);
	neg.token.data[15] &= (uint8_t)~(NTLMSSP_NEGOTIATE_128 >> 24);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = ASC_ALL, .token = neg.token.data,
			  .token_len = neg.token.len };
	ntlm_run_leg(server, &l, &chal);
	CHECK_EQ(chal.status, SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = ISC_ALL,
			  .token = chal.token.data,
			  .token_len = chal.token.len };
	ntlm_run_leg(client, &l, &auth);
	CHECK_EQ(auth.status, SEC_E_OK);
	/* 56-bit sealing keys on the client... */
	CHECK(!(get_le32(blob_record(&auth.blob, KSSPI_CTX_REC_NTLM_FLAGS,
				     NULL, NULL)) & NTLMSSP_NEGOTIATE_128));
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .req = ASC_ALL,
			  .token = auth.token.data,
			  .token_len = auth.token.len };
	ntlm_run_leg(server, &l, &done);
	/* ...and the altered NEGOTIATE detected by the server */
	CHECK_EQ(done.status, SEC_E_MESSAGE_ALTERED);
	reply_clear(&neg);
	reply_clear(&chal);
	reply_clear(&auth);
	reply_clear(&done);
	pkg_ntlm.state_free(client);
	pkg_ntlm.state_free(server);
	setup();
}

static void test_flags(void)
{
	struct hs h;

	setup();
	/* Nothing asked: no SIGN/SEAL, so no key exchange either */
	h = alice();
	h.isc_req = 0;
	h.asc_req = 0;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK_EQ(h.authenticate.context_attr, ISC_RET_CONNECTION);
	CHECK_EQ(h.done.context_attr, ASC_RET_CONNECTION);
	CHECK(!(get_le32(blob_record(&h.done.blob, KSSPI_CTX_REC_NTLM_FLAGS,
				     NULL, NULL)) &
		(NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN)));
	check_pair(&h);
	ntlm_handshake_free(&h);

	/* Integrity only */
	h = alice();
	h.isc_req = ISC_REQ_INTEGRITY;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK_EQ(h.authenticate.context_attr,
		 ISC_RET_INTEGRITY | ISC_RET_CONNECTION);
	CHECK_EQ(h.done.context_attr,
		 ASC_RET_INTEGRITY | ASC_RET_REPLAY_DETECT |
		 ASC_RET_SEQUENCE_DETECT | ASC_RET_CONNECTION);
	check_pair(&h);
	ntlm_handshake_free(&h);

	/* MUTUAL_AUTH is accepted but never granted */
	h = alice();
	h.isc_req |= ISC_REQ_MUTUAL_AUTH;
	h.asc_req |= ASC_REQ_MUTUAL_AUTH;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(!(h.authenticate.context_attr & ISC_RET_MUTUAL_AUTH));
	CHECK(!(h.done.context_attr & ASC_RET_MUTUAL_AUTH));
	ntlm_handshake_free(&h);

	/* Identify level, asked by the client or by the server */
	h = alice();
	h.isc_req |= ISC_REQ_IDENTIFY;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(h.authenticate.context_attr & ISC_RET_IDENTIFY);
	CHECK(h.done.context_attr & ASC_RET_IDENTIFY);
	CHECK(get_le32(blob_record(&h.done.blob, KSSPI_CTX_REC_NTLM_FLAGS,
				   NULL, NULL)) & NTLMSSP_NEGOTIATE_IDENTIFY);
	ntlm_handshake_free(&h);
	h = alice();
	h.asc_req |= ASC_REQ_IDENTIFY;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(!(h.authenticate.context_attr & ISC_RET_IDENTIFY));
	CHECK(h.done.context_attr & ASC_RET_IDENTIFY);
	ntlm_handshake_free(&h);
	h = alice();
	ntlm_handshake(&h);
	CHECK(!(h.done.context_attr & ASC_RET_IDENTIFY));
	ntlm_handshake_free(&h);

	/*
	 * Bits NTLM cannot honour are accepted and not granted, as Windows'
	 * NTLM does: the handshake completes without them.
	 */
	h = alice();
	h.isc_req |= ISC_REQ_DELEGATE | ISC_REQ_USE_DCE_STYLE |
		     ISC_REQ_DATAGRAM;
	h.asc_req |= ASC_REQ_DELEGATE | ASC_REQ_USE_SESSION_KEY |
		     ASC_REQ_ALLOW_CONTEXT_REPLAY | ASC_REQ_PROXY_BINDINGS;
	ntlm_handshake(&h);
	CHECK_EQ(h.negotiate.status, SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(!(h.authenticate.context_attr &
		(ISC_RET_DELEGATE | ISC_RET_USED_DCE_STYLE |
		 ISC_RET_DATAGRAM)));
	CHECK(!(h.done.context_attr &
		(ASC_RET_DELEGATE | ASC_RET_USE_SESSION_KEY |
		 ASC_RET_ALLOW_CONTEXT_REPLAY)));
	ntlm_handshake_free(&h);
}

/* An NTLMv1 (with extended session security) AUTHENTICATE for alice. */
static void v1_authenticate(const struct bytes *challenge, struct bytes *out)
{
	struct ntlm_challenge c;
	struct ntlm_authenticate_fields f = { 0 };
	uint8_t nt[16], lm[24] = { 0 }, resp[24];

	ntlm_challenge_decode(challenge->data, challenge->len, &c);
	ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), nt);
	memset(lm, 0x33, 8);
	ntlm_v1_response(nt, true, c.server_challenge, lm, resp);
	f.flags = c.flags & ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	f.lm_response = (struct ntlm_view){ lm, 24 };
	f.nt_response = (struct ntlm_view){ resp, 24 };
	f.domain = (struct ntlm_view){ (const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0",
				       14 };
	f.user = (struct ntlm_view){ (const uint8_t *)"a\0l\0i\0c\0e\0", 10 };
	f.version = &ntlm_our_version;
	ntlm_authenticate_encode(out, &f);
}

static void test_v1(void)
{
	int allow;

	for (allow = 0; allow <= 1; allow++) {
		void *client = pkg_ntlm.state_new();
		void *server = pkg_ntlm.state_new();
		struct reply neg, chal, done;
		struct bytes auth = { 0 };
		struct leg l;

		ntlm_test_server_setup(allow, NULL, 0);
		l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
				  .req = ISC_REQ_INTEGRITY, .user = T_USER,
				  .password = T_PASSWORD };
		ntlm_run_leg(client, &l, &neg);
		l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
				  .req = ASC_REQ_INTEGRITY,
				  .token = neg.token.data,
				  .token_len = neg.token.len };
		ntlm_run_leg(server, &l, &chal);
		v1_authenticate(&chal.token, &auth);
		l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT,
				  .req = ASC_REQ_INTEGRITY, .token = auth.data,
				  .token_len = auth.len };
		ntlm_run_leg(server, &l, &done);
		CHECK_EQ(done.status, allow ? SEC_E_OK : SEC_E_LOGON_DENIED);
		if (allow)
			CHECK(record_str(&done.blob, KSSPI_CTX_REC_CLIENT_NAME,
					 "TESTDOM\\alice"));
		reply_clear(&neg);
		reply_clear(&chal);
		reply_clear(&done);
		bytes_free(&auth);
		pkg_ntlm.state_free(client);
		pkg_ntlm.state_free(server);
	}
	setup();
}

/*
 * KEY_EXCH without SIGN or SEAL (a Windows HTTP client's NEGOTIATE): the
 * server takes whichever key verifies the MIC, else the exchanged one.
 */
enum kx_mode { KX_MIC_RANDOM, KX_MIC_KXKEY, KX_NO_MIC, KX_MIC_BAD };

static void kx_authenticate(const struct bytes *neg, const struct bytes *chal,
			    enum kx_mode mode, struct bytes *out,
			    uint8_t random_key[16], uint8_t kxkey[16])
{
	static const uint8_t client_challenge[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	struct ntlm_challenge c;
	struct ntlm_av_list av;
	struct ntlm_authenticate_fields f = { 0 };
	struct bytes pairs = { 0 }, nt = { 0 };
	uint8_t hash[16], key[16], proof[16], enc[16], mic[16], flags[4];
	struct ntlm_av one;
	size_t pos = 0;

	ntlm_challenge_decode(chal->data, chal->len, &c);
	ntlm_av_decode(c.target_info.data, c.target_info.len, false, &av);
	while (ntlm_av_next(&av, &pos, &one))
		ntlm_av_put(&pairs, one.id, one.value.data, one.value.len);
	ntlm_put_le32(flags, mode == KX_NO_MIC ? 0 : MSV_AV_FLAG_MIC_PRESENT);
	ntlm_av_put(&pairs, MSV_AV_FLAGS, flags, 4);
	ntlm_av_put(&pairs, MSV_AV_EOL, NULL, 0);

	ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), hash);
	ntlm_ntowfv2(hash, (const uint8_t *)"a\0l\0i\0c\0e\0", 10,
		     (const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0", 14, key);
	bytes_append(&nt, proof, 16);
	ntlm_v2_temp(&nt, av.timestamp, client_challenge, pairs.data,
		     pairs.len);
	ntlm_v2_proof(key, c.server_challenge, nt.data + 16, nt.len - 16,
		      proof);
	memcpy(nt.data, proof, 16);
	ntlm_v2_session_base_key(key, proof, kxkey);
	memset(random_key, 0x77, 16);
	ntlm_rc4k(kxkey, random_key, enc);

	f.flags = c.flags & ntlm_le32(neg->data + 12);
	f.lm_response = (struct ntlm_view){ (const uint8_t *)"\0\0\0\0\0\0\0\0"
					    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
					    24 };
	f.nt_response = (struct ntlm_view){ nt.data, nt.len };
	f.domain = (struct ntlm_view){ (const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0",
				       14 };
	f.user = (struct ntlm_view){ (const uint8_t *)"a\0l\0i\0c\0e\0", 10 };
	f.session_key = (struct ntlm_view){ enc, 16 };
	f.version = &ntlm_our_version;
	f.with_mic = true;
	ntlm_authenticate_encode(out, &f);
	if (mode != KX_NO_MIC) {
		ntlm_mic(mode == KX_MIC_RANDOM ? random_key :
			 mode == KX_MIC_KXKEY ? kxkey : hash,
			 neg->data, neg->len, chal->data, chal->len,
			 out->data, out->len, NTLM_AUTH_MIC_OFF, mic);
		memcpy(out->data + NTLM_AUTH_MIC_OFF, mic, 16);
	}
	bytes_free(&pairs);
	bytes_free(&nt);
}

static void test_key_exch_without_sign(void)
{
	/* 0xe2088207 with extended session security: Windows' HTTP NTLM */
	static const uint8_t neg_msg[40] = {
		'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0,
		0x07, 0x82, 0x08, 0xe2, 0, 0, 0, 0, 40, 0, 0, 0,
		0, 0, 0, 0, 40, 0, 0, 0, 10, 0, 0x63, 0x45, 0, 0, 0, 15 };
	const uint32_t want[4] = { SEC_E_OK, SEC_E_OK, SEC_E_OK,
				   SEC_E_MESSAGE_ALTERED };
	int mode;

	setup();
	for (mode = KX_MIC_RANDOM; mode <= KX_MIC_BAD; mode++) {
		struct bytes neg = { 0 }, auth = { 0 };
		void *server = pkg_ntlm.state_new();
		uint8_t random_key[16], kxkey[16];
		struct reply chal, done;
		const uint8_t *key;
		struct leg l;

		bytes_append(&neg, neg_msg, sizeof(neg_msg));
		l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
				  .token = neg.data, .token_len = neg.len };
		ntlm_run_leg(server, &l, &chal);
		CHECK_EQ(chal.status, SEC_I_CONTINUE_NEEDED);
		kx_authenticate(&neg, &chal.token, (enum kx_mode)mode, &auth,
				random_key, kxkey);
		l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT,
				  .token = auth.data, .token_len = auth.len };
		ntlm_run_leg(server, &l, &done);
		CHECK_EQ(done.status, want[mode]);
		if (done.status == SEC_E_OK) {
			uint32_t flags = get_le32(blob_record(&done.blob,
					KSSPI_CTX_REC_NTLM_FLAGS, NULL, NULL));

			key = blob_record(&done.blob, KSSPI_CTX_REC_SESSION_KEY,
					  NULL, NULL);
			CHECK(key && memcmp(key, mode == KX_MIC_KXKEY ? kxkey :
						 random_key, 16) == 0);
			CHECK_EQ(!!(flags & NTLMSSP_NEGOTIATE_KEY_EXCH),
				 mode != KX_MIC_KXKEY);
		}
		reply_clear(&chal);
		reply_clear(&done);
		bytes_free(&neg);
		bytes_free(&auth);
		pkg_ntlm.state_free(server);
	}
}

static void test_replay(void)
{
	struct hs first = alice(), second = alice();
	struct reply done;
	struct leg l;

	setup();
	ntlm_handshake(&first);
	CHECK_EQ(first.done.status, SEC_E_OK);
	/* A new server context, its own challenge, the old AUTHENTICATE */
	second.client = pkg_ntlm.state_new();
	second.server = pkg_ntlm.state_new();
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = ASC_ALL, .token = first.negotiate.token.data,
			  .token_len = first.negotiate.token.len };
	ntlm_run_leg(second.server, &l, &second.challenge);
	CHECK_EQ(second.challenge.status, SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .req = ASC_ALL,
			  .token = first.authenticate.token.data,
			  .token_len = first.authenticate.token.len };
	ntlm_run_leg(second.server, &l, &done);
	CHECK_EQ(done.status, SEC_E_LOGON_DENIED);
	reply_clear(&done);
	ntlm_handshake_free(&first);
	ntlm_handshake_free(&second);
}

/* Through request_handle(): the package is found, failures carry nothing */
static void test_dispatch(void)
{
	struct session_table t;
	struct upcall up = { .op = KSSPI_OP_INIT_CONTEXT,
			     .flags = KSSPI_UPCALL_F_FIRST_LEG,
			     .session_id = 7, .context_req = ISC_ALL };
	struct reply r = { 0 };

	setup();
	session_table_init(&t);
	up.package = strdup("NTLM");
	up.user = strdup(T_USER);
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_PACKAGE) |
		     UPCALL_BIT(KSSPI_A_SESSION_ID) | UPCALL_BIT(KSSPI_A_FLAGS) |
		     UPCALL_BIT(KSSPI_A_CONTEXT_REQ) | UPCALL_BIT(UPCALL_USER);
	request_handle(&t, &up, &r);
	CHECK_EQ(r.status, SEC_I_CONTINUE_NEEDED);
	CHECK(r.token.len == 40 && memcmp(r.token.data, "NTLMSSP", 8) == 0);
	CHECK_EQ(session_count(&t), 1);
	reply_clear(&r);

	/* A NEGOTIATE given back to the client: refused, state dropped */
	bytes_append(&up.token, "NTLMSSP\0\1\0\0\0", 12);
	up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	up.flags = 0;
	request_handle(&t, &up, &r);
	CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
	CHECK(r.token.len == 0 && r.blob.len == 0 && !r.has_context_attr);
	CHECK_EQ(session_count(&t), 0);
	reply_clear(&r);
	upcall_free(&up);
	session_table_destroy(&t);
}

/*
 * The inner-use interface (CredSSP): both sides' blobs give message
 * protection; the token is the signature then the sealed message, the
 * same bytes ntlm_sec_seal() gives with the blob's keys; each direction
 * keeps its RC4 stream and sequence number from one message to the next;
 * tampering, truncation and a replay are refused.
 */
static void test_inner(void)
{
	static const uint8_t msg[] = "the subjectPublicKey, for instance";
	struct hs h = alice();
	struct blob_keys c;
	struct ntlm_sec_dir c_out;
	struct bytes tok = { 0 }, tok2 = { 0 }, plain = { 0 }, copy = { 0 };
	void *client, *server;
	uint8_t sealed[sizeof(msg)], sig[16];

	setup();
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(pkg_ntlm.inner_new && pkg_ntlm.inner_wrap &&
	      pkg_ntlm.inner_unwrap && pkg_ntlm.inner_free);
	client = pkg_ntlm.inner_new(&h.authenticate.blob);
	server = pkg_ntlm.inner_new(&h.done.blob);
	CHECK(client && server);
	if (!client || !server)
		goto out;

	get_keys(&h.authenticate.blob, true, &c);
	ntlm_sec_dir_init(&c_out, c.flags, c.sign_out, c.seal_out);
	memcpy(sealed, msg, sizeof(msg));
	ntlm_sec_seal(&c_out, sealed, sizeof(sealed), sig);

	CHECK_EQ(pkg_ntlm.inner_wrap(client, msg, sizeof(msg), &tok), 0);
	CHECK_EQ(tok.len, 16 + sizeof(msg));
	CHECK(memcmp(tok.data, sig, 16) == 0);
	CHECK(memcmp(tok.data + 16, sealed, sizeof(msg)) == 0);
	CHECK_EQ(get_le32(tok.data + 12), 0);	/* SeqNum 0 */
	CHECK_EQ(pkg_ntlm.inner_unwrap(server, tok.data, tok.len, &plain), 0);
	CHECK(plain.len == sizeof(msg) &&
	      memcmp(plain.data, msg, sizeof(msg)) == 0);
	bytes_free(&plain);

	/* The second message continues the stream: SeqNum 1 */
	CHECK_EQ(pkg_ntlm.inner_wrap(client, msg, sizeof(msg), &tok2), 0);
	CHECK_EQ(get_le32(tok2.data + 12), 1);
	CHECK(memcmp(tok2.data + 16, tok.data + 16, sizeof(msg)) != 0);
	bytes_append(&copy, tok2.data, tok2.len);
	copy.data[20] ^= 1;
	CHECK_EQ(pkg_ntlm.inner_unwrap(server, copy.data, copy.len, &plain),
		 -EBADMSG);
	CHECK_EQ(plain.len, 0);
	bytes_free(&copy);

	/* The server's direction is its own; a replay does not verify */
	bytes_free(&tok);
	CHECK_EQ(pkg_ntlm.inner_wrap(server, msg, sizeof(msg), &tok), 0);
	CHECK_EQ(pkg_ntlm.inner_unwrap(client, tok.data, tok.len, &plain), 0);
	CHECK(plain.len == sizeof(msg) &&
	      memcmp(plain.data, msg, sizeof(msg)) == 0);
	bytes_free(&plain);
	CHECK_EQ(pkg_ntlm.inner_unwrap(client, tok.data, tok.len, &plain),
		 -EBADMSG);
	CHECK_EQ(pkg_ntlm.inner_unwrap(client, tok.data, 15, &plain),
		 -EBADMSG);
	CHECK_EQ(plain.len, 0);
out:
	pkg_ntlm.inner_free(client);
	pkg_ntlm.inner_free(server);
	bytes_free(&tok);
	bytes_free(&tok2);
	ntlm_handshake_free(&h);
}

/*
 * A context that only signs can sign (SPNEGO's mechListMIC) but not seal;
 * one that does neither has no inner protection.
 */
static void test_inner_needs_seal(void)
{
	static const uint8_t msg[] = "mechTypes";
	struct hs h = alice();
	struct bytes cut = { 0 }, sig = { 0 }, out = { 0 };
	void *client, *server;

	setup();
	h.isc_req = ISC_REQ_INTEGRITY;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	client = pkg_ntlm.inner_new(&h.authenticate.blob);
	server = pkg_ntlm.inner_new(&h.done.blob);
	CHECK(client && server);
	if (client && server) {
		CHECK_EQ(pkg_ntlm.inner_sign(client, msg, sizeof(msg), &sig), 0);
		CHECK_EQ(pkg_ntlm.inner_verify(server, msg, sizeof(msg),
					       sig.data, sig.len), 0);
		CHECK_EQ(pkg_ntlm.inner_wrap(client, msg, sizeof(msg), &out),
			 -EINVAL);
		CHECK_EQ(out.len, 0);
	}
	pkg_ntlm.inner_free(client);
	pkg_ntlm.inner_free(server);
	bytes_free(&sig);
	ntlm_handshake_free(&h);

	h = alice();
	h.isc_req = 0;
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(pkg_ntlm.inner_new(&h.authenticate.blob) == NULL);
	ntlm_handshake_free(&h);

	h = alice();
	ntlm_handshake(&h);
	CHECK_EQ(h.done.status, SEC_E_OK);
	bytes_append(&cut, h.done.blob.data, h.done.blob.len - 8);
	CHECK(pkg_ntlm.inner_new(&cut) == NULL);
	bytes_free(&cut);
	ntlm_handshake_free(&h);
}

const struct test_case ntlm_pkg_tests[] = {
	{ "ntlm inner use: wrap and unwrap from the blobs, both ways",
	  test_inner },
	{ "ntlm inner use: sign-only contexts sign; none without signing or with a bad blob",
	  test_inner_needs_seal },
	{ "ntlm handshake: success, tokens, blobs, keys protect messages",
	  test_success },
	{ "ntlm handshake: names: case, no domain, DOMAIN\\user, no target",
	  test_names },
	{ "ntlm handshake: wrong password, unknown user, other domain",
	  test_logon_denied },
	{ "ntlm handshake: anonymous allowed, refused, no credentials; "
	  "no session security", test_anonymous },
	{ "ntlm handshake: anonymous AUTHENTICATE with SIGN, SEAL, KEY_EXCH: "
	  "no session security", test_anonymous_foreign },
	{ "ntlm handshake: channel bindings match, mismatch, missing",
	  test_channel_bindings },
	{ "ntlm handshake: target name against the server's SPNs",
	  test_target_name },
	{ "ntlm handshake: MIC, flags, key or names tampered",
	  test_tampering },
	{ "ntlm handshake: a downgraded NEGOTIATE is caught by the MIC",
	  test_negotiate_downgrade },
	{ "ntlm handshake: negotiated flags and context attributes",
	  test_flags },
	{ "ntlm handshake: NTLMv1 only with --ntlm-allow-v1", test_v1 },
	{ "ntlm handshake: KEY_EXCH without SIGN: the key the MIC proves",
	  test_key_exch_without_sign },
	{ "ntlm handshake: AUTHENTICATE replayed on a new context",
	  test_replay },
	{ "ntlm handshake: through request dispatch", test_dispatch },
	{ NULL, NULL },
};
