// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KsspiTest package driven in-process: a client and a server state
 * talk to each other, and every token and key is recomputed here from the
 * specification (Documentation/test-package.rst).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <nettle/hmac.h>

#include "message.h"
#include "ksspitest/ksspitest.h"
#include "tap.h"
#include "util.h"

#define ALL_ISC (ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | \
		 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONNECTION | \
		 ISC_REQ_MUTUAL_AUTH)
#define ALL_ASC (ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT | \
		 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONNECTION | \
		 ASC_REQ_MUTUAL_AUTH)

struct leg {
	uint32_t op;
	bool first;
	uint32_t req;
	const char *user;
	const char *password;
	const char *target;
	const uint8_t *token;
	size_t token_len;
};

static void run_leg(void *state, const struct leg *l, struct reply *r)
{
	struct upcall up = { .op = l->op, .context_req = l->req };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ);
	if (l->first) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
		up.present |= UPCALL_BIT(KSSPI_A_FLAGS);
	}
	if (l->user) {
		up.user = strdup(l->user);
		up.present |= UPCALL_BIT(UPCALL_USER);
	}
	if (l->password) {
		bytes_append(&up.password, l->password, strlen(l->password));
		up.present |= UPCALL_BIT(UPCALL_PASSWORD);
	}
	if (l->target) {
		up.target_name = strdup(l->target);
		up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
	}
	if (l->token_len) {
		bytes_append(&up.token, l->token, l->token_len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	pkg_test.step(state, &up, r);
	upcall_free(&up);
}

static void hmac3(const char *key, const char *label, const uint8_t *a,
		  const uint8_t *b, uint8_t out[32])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, strlen(key), (const uint8_t *)key);
	hmac_sha256_update(&ctx, strlen(label), (const uint8_t *)label);
	if (a)
		hmac_sha256_update(&ctx, 16, a);
	if (b)
		hmac_sha256_update(&ctx, 16, b);
	hmac_sha256_digest(&ctx, 32, out);
}

static void hmac_key(const uint8_t key[32], const char *label,
		     uint8_t out[32])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, 32, key);
	hmac_sha256_update(&ctx, strlen(label), (const uint8_t *)label);
	hmac_sha256_digest(&ctx, 32, out);
}

/* A type 1 token: "KTST" 1, a fixed nonce, then @payload. */
static uint8_t *hello_token(const char *payload, size_t payload_len,
			    size_t *len)
{
	uint8_t *t = malloc(21 + payload_len);

	memcpy(t, "KTST\1", 5);
	memset(t + 5, 0xc1, 16);
	memcpy(t + 21, payload, payload_len);
	*len = 21 + payload_len;
	return t;
}

static bool record_is(const struct bytes *blob, uint16_t type,
		      const void *value, uint32_t len)
{
	uint16_t flags = 0;
	uint32_t got_len = 0;
	const uint8_t *got = blob_record(blob, type, &flags, &got_len);

	return got && flags == KSSPI_CTX_REC_CRITICAL && got_len == len &&
	       memcmp(got, value, len) == 0;
}

struct handshake {
	void *client, *server;
	struct reply hello, challenge, proof, done;
};

static void handshake(struct handshake *h, const char *client_user,
		      const char *client_password, const char *server_user,
		      const char *server_password, const char *target)
{
	struct leg leg;

	h->client = pkg_test.state_new();
	h->server = pkg_test.state_new();
	leg = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			    .req = ALL_ISC | ISC_REQ_CONFIDENTIALITY |
				   ISC_REQ_DELEGATE,
			    .user = client_user, .password = client_password,
			    .target = target };
	run_leg(h->client, &leg, &h->hello);
	leg = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			    .req = ALL_ASC | ASC_REQ_CONFIDENTIALITY,
			    .user = server_user, .password = server_password,
			    .token = h->hello.token.data,
			    .token_len = h->hello.token.len };
	run_leg(h->server, &leg, &h->challenge);
	leg = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT,
			    .token = h->challenge.token.data,
			    .token_len = h->challenge.token.len };
	run_leg(h->client, &leg, &h->proof);
	leg = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT,
			    .token = h->proof.token.data,
			    .token_len = h->proof.token.len };
	run_leg(h->server, &leg, &h->done);
}

static void handshake_free(struct handshake *h)
{
	pkg_test.state_free(h->client);
	pkg_test.state_free(h->server);
	reply_clear(&h->hello);
	reply_clear(&h->challenge);
	reply_clear(&h->proof);
	reply_clear(&h->done);
}

static void check_blob_header(const struct bytes *blob, uint32_t flags,
			      uint32_t attr, int64_t expiry)
{
	int64_t now = (int64_t)time(NULL);

	CHECK(blob->len >= 64);
	if (blob->len < 64)
		return;
	CHECK_EQ(get_le32(blob->data), KSSPI_CTX_MAGIC);
	CHECK_EQ(get_le16(blob->data + 4), KSSPI_CTX_VERSION);
	CHECK_EQ(get_le16(blob->data + 6), sizeof(struct ksspi_ctx_header));
	CHECK_EQ(get_le32(blob->data + 8), blob->len);
	CHECK_EQ(get_le32(blob->data + 12), flags);
	CHECK_EQ(get_le32(blob->data + 16), attr);
	CHECK_EQ(get_le64(blob->data + 24), (uint64_t)expiry);
	CHECK(expiry >= now + KTST_CONTEXT_LIFETIME - 5 &&
	      expiry <= now + KTST_CONTEXT_LIFETIME);
	CHECK(strncmp((const char *)blob->data + 32, "KsspiTest", 32) == 0);
	CHECK(blob_well_formed(blob));
}

static void test_full_handshake(void)
{
	const uint32_t isc_attr = ALL_ISC, asc_attr = ALL_ASC;
	uint8_t proof[32], session[32], c2s[32], s2c[32], zero[8] = { 0 };
	const uint8_t *nonce_c, *nonce_s, *t;
	struct handshake h;

	handshake(&h, "alice", "Passw0rd!", "alice", "Passw0rd!", "host/srv");

	CHECK_EQ(h.hello.status, SEC_I_CONTINUE_NEEDED);
	CHECK(h.hello.has_context_attr);
	CHECK_EQ(h.hello.context_attr, isc_attr);
	CHECK(!h.hello.has_expiry && h.hello.blob.len == 0);
	CHECK_EQ(h.hello.token.len, 21);
	CHECK(memcmp(h.hello.token.data, "KTST\1", 5) == 0);

	CHECK_EQ(h.challenge.status, SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(h.challenge.context_attr, asc_attr);
	CHECK(!h.challenge.has_expiry && h.challenge.blob.len == 0);
	CHECK_EQ(h.challenge.token.len, 21);
	CHECK(memcmp(h.challenge.token.data, "KTST\2", 5) == 0);
	nonce_c = h.hello.token.data + 5;
	nonce_s = h.challenge.token.data + 5;
	CHECK(memcmp(nonce_c, nonce_s, 16) != 0);

	hmac3("Passw0rd!", "KT3", nonce_c, nonce_s, proof);
	hmac3("Passw0rd!", "session", nonce_c, nonce_s, session);
	hmac_key(session, "c2s", c2s);
	hmac_key(session, "s2c", s2c);

	CHECK_EQ(h.proof.status, SEC_E_OK);
	t = h.proof.token.data;
	CHECK_EQ(h.proof.token.len, 5 + 2 + 5 + 32);
	CHECK(memcmp(t, "KTST\3", 5) == 0);
	CHECK_EQ(get_le16(t + 5), 5);
	CHECK(memcmp(t + 7, "alice", 5) == 0);
	CHECK(memcmp(t + 12, proof, 32) == 0);
	CHECK(h.proof.has_context_attr && h.proof.context_attr == isc_attr);
	CHECK(h.proof.has_expiry);
	check_blob_header(&h.proof.blob, KSSPI_CTX_F_INITIATOR, isc_attr,
			  h.proof.expiry);
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_CLIENT_NAME, "alice", 5));
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_SERVER_NAME, "host/srv", 8));
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_SESSION_KEY, session, 32));
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_SEND_SEQ, zero, 8));
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_RECV_SEQ, zero, 8));
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, c2s, 32));
	CHECK(record_is(&h.proof.blob, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, s2c, 32));

	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK_EQ(h.done.token.len, 0);
	CHECK(h.done.has_context_attr && h.done.context_attr == asc_attr);
	CHECK(h.done.has_expiry);
	check_blob_header(&h.done.blob, 0, asc_attr, h.done.expiry);
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_CLIENT_NAME, "alice", 5));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_SERVER_NAME, "alice", 5));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_SESSION_KEY, session, 32));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_SEND_SEQ, zero, 8));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_RECV_SEQ, zero, 8));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, s2c, 32));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, c2s, 32));
	handshake_free(&h);
}

static void test_no_target_no_server_name(void)
{
	struct handshake h;

	handshake(&h, "alice", "pw", "alice", "pw", NULL);
	CHECK_EQ(h.proof.status, SEC_E_OK);
	CHECK(blob_record(&h.proof.blob, KSSPI_CTX_REC_SERVER_NAME, NULL,
			  NULL) == NULL);
	CHECK(blob_record(&h.proof.blob, KSSPI_CTX_REC_CLIENT_NAME, NULL,
			  NULL) != NULL);
	CHECK_EQ(h.done.status, SEC_E_OK);
	handshake_free(&h);
}

static void test_wrong_password_or_user(void)
{
	struct handshake h;

	handshake(&h, "alice", "wrong", "alice", "Passw0rd!", NULL);
	CHECK_EQ(h.proof.status, SEC_E_OK);	/* the client cannot tell */
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	CHECK_EQ(h.done.blob.len, 0);
	handshake_free(&h);

	handshake(&h, "bob", "Passw0rd!", "alice", "Passw0rd!", NULL);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	handshake_free(&h);

	handshake(&h, "alic", "Passw0rd!", "alice", "Passw0rd!", NULL);
	CHECK_EQ(h.done.status, SEC_E_LOGON_DENIED);
	handshake_free(&h);
}

/* Status of a server first leg given @token. */
static uint32_t server_first(const uint8_t *token, size_t len,
			     struct reply *r)
{
	void *server = pkg_test.state_new();
	struct leg leg = { .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			   .user = "alice", .password = "pw",
			   .token = token, .token_len = len };

	run_leg(server, &leg, r);
	pkg_test.state_free(server);
	return r->status;
}

/* Status of a client second leg given @token. */
static uint32_t client_second(const uint8_t *token, size_t len)
{
	void *client = pkg_test.state_new();
	struct leg leg = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			   .user = "alice", .password = "pw" };
	struct reply r;

	run_leg(client, &leg, &r);
	reply_clear(&r);
	leg = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .token = token,
			    .token_len = len };
	run_leg(client, &leg, &r);
	reply_clear(&r);
	pkg_test.state_free(client);
	return r.status;
}

/* Status of a server second leg given @token (after a normal first leg). */
static uint32_t server_second(const uint8_t *token, size_t len)
{
	void *server = pkg_test.state_new();
	size_t hello_len;
	uint8_t *hello = hello_token("", 0, &hello_len);
	struct leg leg = { .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			   .user = "alice", .password = "pw",
			   .token = hello, .token_len = hello_len };
	struct reply r;

	run_leg(server, &leg, &r);
	reply_clear(&r);
	leg = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .token = token,
			    .token_len = len };
	run_leg(server, &leg, &r);
	reply_clear(&r);
	pkg_test.state_free(server);
	free(hello);
	return r.status;
}

static void test_bad_tokens(void)
{
	uint8_t t[64];
	struct reply r;

	/* Server first leg: type 1 needs 21 bytes */
	memcpy(t, "KTST\1", 5);
	memset(t + 5, 7, 16);
	CHECK_EQ(server_first(t, 20, &r), SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_first(t, 21, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	CHECK_EQ(server_first(t, 4, &r), SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_first(NULL, 0, &r), SEC_E_INVALID_TOKEN);
	t[4] = 2;
	CHECK_EQ(server_first(t, 21, &r), SEC_E_INVALID_TOKEN);
	t[4] = 3;
	CHECK_EQ(server_first(t, 21, &r), SEC_E_INVALID_TOKEN);
	memcpy(t, "KTSX\1", 5);
	CHECK_EQ(server_first(t, 21, &r), SEC_E_INVALID_TOKEN);

	/* Client second leg: type 2 needs 21 bytes */
	memcpy(t, "KTST\2", 5);
	CHECK_EQ(client_second(t, 20), SEC_E_INVALID_TOKEN);
	CHECK_EQ(client_second(t, 21), SEC_E_OK);
	CHECK_EQ(client_second(t, 64), SEC_E_OK);	/* any payload */
	CHECK_EQ(client_second(NULL, 0), SEC_E_INVALID_TOKEN);
	t[4] = 1;
	CHECK_EQ(client_second(t, 21), SEC_E_INVALID_TOKEN);
	t[4] = 3;
	CHECK_EQ(client_second(t, 21), SEC_E_INVALID_TOKEN);
	memcpy(t, "ktst\2", 5);
	CHECK_EQ(client_second(t, 21), SEC_E_INVALID_TOKEN);

	/* Server second leg: type 3 parsed strictly */
	memset(t, 0, sizeof(t));
	memcpy(t, "KTST\3\5\0alice", 12);	/* proof: 32 zero bytes */
	CHECK_EQ(server_second(t, 44), SEC_E_LOGON_DENIED);
	CHECK_EQ(server_second(t, 43), SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_second(t, 45), SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_second(t, 6), SEC_E_INVALID_TOKEN);
	t[5] = 200;				/* user longer than the token */
	CHECK_EQ(server_second(t, 44), SEC_E_INVALID_TOKEN);
	t[5] = 5;
	t[4] = 1;
	CHECK_EQ(server_second(t, 44), SEC_E_INVALID_TOKEN);
	t[4] = 2;
	CHECK_EQ(server_second(t, 44), SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_second(NULL, 0), SEC_E_INVALID_TOKEN);
}

static void test_large_payload_echo(void)
{
	const size_t sizes[] = { 65536, 65536 + 7, KSSPI_MAX_TOKEN - 21 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *payload = pattern(sizes[i], (unsigned int)i);
		size_t len;
		uint8_t *hello = hello_token((char *)payload, sizes[i], &len);
		struct reply r;

		CHECK_EQ(server_first(hello, len, &r), SEC_I_CONTINUE_NEEDED);
		CHECK_EQ(r.token.len, 21 + sizes[i]);
		CHECK(r.token.len == 21 + sizes[i] &&
		      memcmp(r.token.data, "KTST\2", 5) == 0 &&
		      memcmp(r.token.data + 21, payload, sizes[i]) == 0);
		/* The client takes a large challenge too */
		CHECK_EQ(client_second(r.token.data, r.token.len), SEC_E_OK);
		reply_clear(&r);
		free(hello);
		free(payload);
	}
}

static uint32_t fail_status(const char *payload)
{
	size_t len;
	uint8_t *hello = hello_token(payload, strlen(payload), &len);
	struct reply r;
	uint32_t status = server_first(hello, len, &r);

	/* A failure builds the error token (the core decides who sees it). */
	CHECK(status == SEC_I_CONTINUE_NEEDED ||
	      (r.token.len == 9 && memcmp(r.token.data, "KTST\4", 5) == 0 &&
	       r.token.data[5] == (uint8_t)status));
	reply_clear(&r);
	free(hello);
	return status;
}

static void test_fail_payload(void)
{
	CHECK_EQ(fail_status("fail:8009030C"), SEC_E_LOGON_DENIED);
	CHECK_EQ(fail_status("fail:80090311 trailing"),
		 SEC_E_NO_AUTHENTICATING_AUTHORITY);
	CHECK_EQ(fail_status("fail:8009030f"), SEC_E_MESSAGE_ALTERED);
	/* Not a failure: refused */
	CHECK_EQ(fail_status("fail:00090312"), SEC_E_INVALID_TOKEN);
	/* Not 8 hex digits: an ordinary payload */
	CHECK_EQ(fail_status("fail:8009030"), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(fail_status("fail:8009030g"), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(fail_status("FAIL:8009030C"), SEC_I_CONTINUE_NEEDED);
}

static void test_credentials(void)
{
	void *state = pkg_test.state_new();
	struct leg leg = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			   .password = "pw" };
	uint8_t hello[21] = "KTST\1";
	struct reply r;

	run_leg(state, &leg, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	leg.user = "";
	run_leg(state, &leg, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	leg.user = "alice";
	leg.password = NULL;
	run_leg(state, &leg, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	/* An input token on the client's first leg */
	leg.password = "pw";
	leg.token = hello;
	leg.token_len = sizeof(hello);
	run_leg(state, &leg, &r);
	CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
	pkg_test.state_free(state);

	state = pkg_test.state_new();
	leg = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			    .user = "alice", .token = hello,
			    .token_len = sizeof(hello) };
	run_leg(state, &leg, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	/* An empty password is a password */
	leg.password = "";
	run_leg(state, &leg, &r);
	CHECK_EQ(r.status, SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	pkg_test.state_free(state);
}

static void test_context_attr_mask(void)
{
	void *state = pkg_test.state_new();
	struct leg leg = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			   .user = "u", .password = "p",
			   .req = ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY |
				  ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_CONNECTION };
	uint8_t hello[21] = "KTST\1";
	struct reply r;

	run_leg(state, &leg, &r);
	CHECK_EQ(r.context_attr, ISC_RET_INTEGRITY | ISC_RET_CONNECTION);
	reply_clear(&r);
	pkg_test.state_free(state);

	state = pkg_test.state_new();
	leg = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			    .user = "u", .password = "p", .token = hello,
			    .token_len = sizeof(hello),
			    .req = ASC_REQ_INTEGRITY | ASC_REQ_MUTUAL_AUTH |
				   ASC_REQ_STREAM | ASC_REQ_REPLAY_DETECT };
	run_leg(state, &leg, &r);
	CHECK_EQ(r.context_attr, ASC_RET_INTEGRITY | ASC_RET_MUTUAL_AUTH |
				 ASC_RET_REPLAY_DETECT);
	reply_clear(&r);
	pkg_test.state_free(state);
}

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static void test_sleep_hooks(void)
{
	void *state = pkg_test.state_new();
	struct leg leg = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			   .user = "u", .password = "p", .target = "sleep:60" };
	struct timespec start;
	size_t len;
	uint8_t *hello;
	struct reply r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	run_leg(state, &leg, &r);
	CHECK(elapsed_ms(&start) >= 60);
	CHECK_EQ(r.status, SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	pkg_test.state_free(state);

	hello = hello_token("sleep:60", 8, &len);
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_EQ(server_first(hello, len, &r), SEC_I_CONTINUE_NEEDED);
	CHECK(elapsed_ms(&start) >= 60);
	CHECK(r.token.len == 29 && memcmp(r.token.data + 21, "sleep:60", 8) == 0);
	reply_clear(&r);
	free(hello);
}

/* The worked example of Documentation/test-package.rst */
static void test_spec_vectors(void)
{
	static const uint8_t want_proof[32] = {
		0x60, 0xf1, 0x1b, 0x79, 0x01, 0xe1, 0xbe, 0x5c, 0x0b, 0xad, 0x05,
		0x6b, 0xb3, 0xbb, 0xef, 0x22, 0x24, 0x23, 0xa4, 0xd5, 0x05, 0x90,
		0xf1, 0x77, 0x20, 0x23, 0x0a, 0xa5, 0x74, 0xfe, 0x95, 0x6e };
	static const uint8_t want_session[32] = {
		0x39, 0x64, 0x98, 0xaa, 0x89, 0xb6, 0xb7, 0x0c, 0xb0, 0xa9, 0xc0,
		0x5d, 0xd5, 0x65, 0xf3, 0x2c, 0x19, 0x13, 0x6a, 0xdf, 0x84, 0x57,
		0xed, 0x18, 0xa7, 0x27, 0xbb, 0x0d, 0x71, 0x3f, 0x8c, 0x9e };
	static const uint8_t want_c2s[32] = {
		0x02, 0x1e, 0xd7, 0x4e, 0x7d, 0x10, 0xd1, 0xb3, 0xc6, 0x5a, 0xc3,
		0x0d, 0x86, 0x7b, 0x76, 0xfb, 0x1f, 0x52, 0x18, 0x25, 0xa6, 0xf4,
		0xd4, 0x98, 0x00, 0x86, 0x1a, 0xe5, 0xa5, 0x0f, 0x0a, 0xb4 };
	static const uint8_t want_s2c[32] = {
		0xab, 0x27, 0x9f, 0x1a, 0x05, 0xb3, 0xd7, 0xc0, 0xff, 0x4f, 0x79,
		0xa9, 0x92, 0x61, 0xd3, 0x04, 0x9d, 0x1a, 0x49, 0x86, 0x62, 0x60,
		0x1a, 0xea, 0xc0, 0xda, 0x10, 0xb8, 0xf5, 0xfb, 0xce, 0xdb };
	uint8_t nonce_c[16], nonce_s[16], out[32], session[32];
	int i;

	for (i = 0; i < 16; i++) {
		nonce_c[i] = (uint8_t)i;
		nonce_s[i] = (uint8_t)(16 + i);
	}
	hmac3("Passw0rd!", "KT3", nonce_c, nonce_s, out);
	CHECK(memcmp(out, want_proof, 32) == 0);
	hmac3("Passw0rd!", "session", nonce_c, nonce_s, session);
	CHECK(memcmp(session, want_session, 32) == 0);
	hmac_key(session, "c2s", out);
	CHECK(memcmp(out, want_c2s, 32) == 0);
	hmac_key(session, "s2c", out);
	CHECK(memcmp(out, want_s2c, 32) == 0);
}

const struct test_case pkg_test_tests[] = {
	{ "KsspiTest: the specification's worked example", test_spec_vectors },
	{ "KsspiTest: full handshake, tokens, keys and blobs recomputed",
	  test_full_handshake },
	{ "KsspiTest: no target name, no SERVER_NAME record on the client",
	  test_no_target_no_server_name },
	{ "KsspiTest: wrong password or user -> SEC_E_LOGON_DENIED",
	  test_wrong_password_or_user },
	{ "KsspiTest: truncated, wrong-type, wrong-magic tokens -> SEC_E_INVALID_TOKEN",
	  test_bad_tokens },
	{ "KsspiTest: 64 KiB and 256 KiB payloads echoed verbatim",
	  test_large_payload_echo },
	{ "KsspiTest: fail:XXXXXXXX status propagation", test_fail_payload },
	{ "KsspiTest: missing credentials -> SEC_E_NO_CREDENTIALS",
	  test_credentials },
	{ "KsspiTest: context attributes masked to what it supports",
	  test_context_attr_mask },
	{ "KsspiTest: sleep:<ms> in target name and payload", test_sleep_hooks },
	{ NULL, NULL },
};
