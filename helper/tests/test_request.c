// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Request dispatch, from raw request attributes to the reply: pings,
 * package lookup, the session rules across legs, per-user session limits,
 * and test sleeps that end when the request is cancelled.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "cancel.h"
#include "message.h"
#include "request.h"
#include "session.h"
#include "tap.h"
#include "util.h"

#define REQUEST_ID 0x5151

struct req {
	uint32_t op;
	const char *package;
	bool no_session;
	uint64_t session;
	bool first;
	const char *user;
	const char *password;
	const char *target;
	uint32_t uid;
	bool kernel;
	struct cancel *cancel;
	const uint8_t *token;
	size_t token_len;
	uint32_t context_req;
};

static uint32_t handle(struct session_table *t, const struct req *q,
		       struct reply *r)
{
	struct bytes b = { 0 };
	struct upcall up = { 0 };

	attr_put_u64(&b, KSSPI_A_REQUEST_ID, REQUEST_ID);
	attr_put_u32(&b, KSSPI_A_OP, q->op);
	if (q->package)
		attr_put_str(&b, KSSPI_A_PACKAGE, q->package);
	if (!q->no_session)
		attr_put_u64(&b, KSSPI_A_SESSION_ID, q->session);
	attr_put_u32(&b, KSSPI_A_FLAGS,
		     (q->first ? KSSPI_UPCALL_F_FIRST_LEG : 0) |
		     (q->kernel ? KSSPI_UPCALL_F_KERNEL_CALLER : 0));
	attr_put_u32(&b, KSSPI_A_UID, q->uid);
	if (q->context_req)
		attr_put_u32(&b, KSSPI_A_CONTEXT_REQ, q->context_req);
	if (q->target)
		attr_put_str(&b, KSSPI_A_TARGET_NAME, q->target);
	if (q->user)
		attr_put_u32(&b, KSSPI_A_IDENTITY_KEY, 1);
	attr_put_split(&b, KSSPI_A_TOKEN, q->token, q->token_len,
		       KSSPI_NL_FRAGMENT_MAX);

	upcall_parse(&up, KSSPI_CMD_REQUEST, b.data, b.len);
	/* What identity_load() reads from the key */
	if (q->user) {
		struct bytes id = { 0 };

		bytes_append(&id, q->user, strlen(q->user) + 1);
		bytes_append(&id, "", 1);
		if (q->password)
			bytes_append(&id, q->password, strlen(q->password));
		CHECK_EQ(upcall_set_identity(&up, id.data, id.len), 0);
		bytes_free(&id);
	}
	up.cancel = q->cancel;
	*r = (struct reply){ 0 };
	request_handle(t, &up, r);
	CHECK_EQ(r->request_id, REQUEST_ID);
	/* An error carries its status; a token only if the caller asked. */
	if (r->status & 0x80000000u)
		CHECK((!r->token.len ||
		       q->context_req & (q->op == KSSPI_OP_INIT_CONTEXT ?
					 ISC_REQ_EXTENDED_ERROR :
					 ASC_REQ_EXTENDED_ERROR)) &&
		      !r->blob.len && !r->has_context_attr && !r->has_expiry);
	if (r->status != SEC_E_INCOMPLETE_MESSAGE)
		CHECK_EQ(r->input_missing, 0);
	upcall_free(&up);
	bytes_free(&b);
	return r->status;
}

static void test_ping(void)
{
	const size_t sizes[] = { 0, 1, 65536, 65536 + 1, KSSPI_MAX_TOKEN };
	struct session_table t;
	struct reply r;
	size_t i;

	session_table_init(&t);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *data = pattern(sizes[i], 11);
		struct req q = { .op = KSSPI_OP_PING, .no_session = true,
				 .token = data, .token_len = sizes[i] };

		CHECK_EQ(handle(&t, &q, &r), SEC_E_OK);
		CHECK_EQ(r.token.len, sizes[i]);
		CHECK(!sizes[i] || memcmp(r.token.data, data, sizes[i]) == 0);
		CHECK(!r.has_context_attr && !r.has_expiry && !r.blob.len);
		reply_clear(&r);
		free(data);
	}
	session_table_destroy(&t);
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	return (end.tv_sec - start->tv_sec) * 1000 +
	       (end.tv_nsec - start->tv_nsec) / 1000000;
}

/* A ping is production: it echoes, it never sleeps. */
static void test_ping_never_sleeps(void)
{
	static const uint8_t payload[] = "sleep:2000";
	struct req q = { .op = KSSPI_OP_PING, .no_session = true,
			 .token = payload, .token_len = sizeof(payload) };
	struct session_table t;
	struct timespec start;
	struct reply r;

	session_table_init(&t);
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_EQ(handle(&t, &q, &r), SEC_E_OK);
	CHECK(elapsed_ms(&start) < 1000);
	reply_clear(&r);
	session_table_destroy(&t);
}

static void *fire_later(void *arg)
{
	struct timespec pause = { .tv_nsec = 50 * 1000000L };

	nanosleep(&pause, NULL);
	cancel_fire(arg);
	return NULL;
}

/* KsspiTest's "sleep:<ms>" waits, and ends as soon as it is cancelled. */
static void test_test_sleep_cancelled(void)
{
	struct req q = { .op = KSSPI_OP_INIT_CONTEXT, .package = "KsspiTest",
			 .session = 3, .first = true, .user = "u",
			 .password = "p", .target = "sleep:100" };
	struct session_table t;
	struct timespec start;
	struct cancel cancel;
	struct reply r;
	pthread_t thread;
	long ms;

	session_table_init(&t);
	cancel_init(&cancel);
	q.cancel = &cancel;
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_EQ(handle(&t, &q, &r), SEC_I_CONTINUE_NEEDED);
	CHECK(elapsed_ms(&start) >= 100);
	reply_clear(&r);

	q.target = "sleep:20000";
	q.session = 4;
	pthread_create(&thread, NULL, fire_later, &cancel);
	clock_gettime(CLOCK_MONOTONIC, &start);
	handle(&t, &q, &r);
	ms = elapsed_ms(&start);
	pthread_join(thread, NULL);
	CHECK(ms >= 40 && ms < 5000);
	reply_clear(&r);
	cancel_destroy(&cancel);
	session_table_destroy(&t);
}

/* A user holds at most max_per_user sessions; others and the kernel not. */
static void test_sessions_per_user(void)
{
	struct req q = { .op = KSSPI_OP_INIT_CONTEXT, .package = "KsspiTest",
			 .first = true, .user = "u", .password = "p",
			 .uid = 1000 };
	struct session_table t;
	struct reply r;
	uint64_t i;

	session_table_init(&t);
	t.max_per_user = 3;
	for (i = 1; i <= 3; i++) {
		q.session = i;
		CHECK_EQ(handle(&t, &q, &r), SEC_I_CONTINUE_NEEDED);
		reply_clear(&r);
	}
	q.session = 4;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_INSUFFICIENT_MEMORY);
	CHECK_EQ(session_count_owner(&t, 1000), 3);
	/* Another user, and in-kernel callers, are not affected */
	q.uid = 1001;
	CHECK_EQ(handle(&t, &q, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	q.kernel = true;
	for (i = 10; i < 16; i++) {
		q.session = i;
		CHECK_EQ(handle(&t, &q, &r), SEC_I_CONTINUE_NEEDED);
		reply_clear(&r);
	}
	/* A released session makes room again */
	CHECK(session_release(&t, 2));
	q = (struct req){ .op = KSSPI_OP_INIT_CONTEXT, .package = "KsspiTest",
			  .session = 5, .first = true, .user = "u",
			  .password = "p", .uid = 1000 };
	CHECK_EQ(handle(&t, &q, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	CHECK_EQ(session_count_owner(&t, 1000), 3);
	session_table_destroy(&t);
}

static void test_dispatch_errors(void)
{
	struct session_table t;
	struct reply r;
	struct req q = { .op = KSSPI_OP_INIT_CONTEXT, .package = "NoSuchPackage",
			 .first = true, .user = "u", .password = "p" };
	struct bytes b = { 0 };
	struct upcall up = { 0 };

	session_table_init(&t);
	CHECK_EQ(handle(&t, &q, &r), SEC_E_SECPKG_NOT_FOUND);
	/*
	 * Names compare case-insensitively, as the kernel's do: "ksspitest"
	 * is KsspiTest, whose later leg finds no session
	 */
	q.package = "ksspitest";
	q.first = false;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_NO_AUTHENTICATING_AUTHORITY);
	q.first = true;
	q.package = NULL;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_INVALID_PARAMETER);
	q.package = "KsspiTest";
	q.no_session = true;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_INVALID_PARAMETER);
	q.no_session = false;
	q.op = KSSPI_OP_MAX + 1;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_UNSUPPORTED_FUNCTION);
	q.op = KSSPI_OP_UNSPEC;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ(session_count(&t), 0);

	/* A refused request is answered with its parse status */
	attr_put_u64(&b, KSSPI_A_REQUEST_ID, REQUEST_ID);
	attr_put_u32(&b, KSSPI_A_OP, KSSPI_OP_PING);
	attr_put(&b, KSSPI_A_TARGET_NAME, "x", 1);
	upcall_parse(&up, KSSPI_CMD_REQUEST, b.data, b.len);
	r = (struct reply){ 0 };
	request_handle(&t, &up, &r);
	CHECK_EQ(r.request_id, REQUEST_ID);
	CHECK_EQ(r.status, SEC_E_INVALID_PARAMETER);
	CHECK_EQ(r.token.len, 0);
	upcall_free(&up);
	bytes_free(&b);
	session_table_destroy(&t);
}

/* Client on session 1, server on session 2, through request_handle(). */
static void test_handshake_sessions(void)
{
	struct reply hello, challenge, proof, done;
	struct session_table t;
	struct req q;

	session_table_init(&t);
	q = (struct req){ .op = KSSPI_OP_INIT_CONTEXT, .package = "KsspiTest",
			  .session = 1, .first = true, .user = "alice",
			  .password = "pw" };
	CHECK_EQ(handle(&t, &q, &hello), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(session_count(&t), 1);
	q = (struct req){ .op = KSSPI_OP_ACCEPT_CONTEXT, .package = "KsspiTest",
			  .session = 2, .first = true, .user = "alice",
			  .password = "pw", .token = hello.token.data,
			  .token_len = hello.token.len };
	CHECK_EQ(handle(&t, &q, &challenge), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(session_count(&t), 2);
	q = (struct req){ .op = KSSPI_OP_INIT_CONTEXT, .package = "KsspiTest",
			  .session = 1, .token = challenge.token.data,
			  .token_len = challenge.token.len };
	CHECK_EQ(handle(&t, &q, &proof), SEC_E_OK);
	CHECK(proof.has_expiry && proof.blob.len > 64 && proof.token.len > 0);
	CHECK_EQ(session_count(&t), 1);
	q = (struct req){ .op = KSSPI_OP_ACCEPT_CONTEXT, .package = "KsspiTest",
			  .session = 2, .token = proof.token.data,
			  .token_len = proof.token.len };
	CHECK_EQ(handle(&t, &q, &done), SEC_E_OK);
	CHECK(done.has_expiry && done.blob.len > 64 && done.token.len == 0);
	CHECK_EQ(session_count(&t), 0);

	reply_clear(&done);
	/* Finished: another leg finds nothing */
	CHECK_EQ(handle(&t, &q, &done), SEC_E_NO_AUTHENTICATING_AUTHORITY);
	reply_clear(&hello);
	reply_clear(&challenge);
	reply_clear(&proof);
	session_table_destroy(&t);
}

static void test_session_rules(void)
{
	static const uint8_t challenge[21] = "KTST\2";
	struct session_table t;
	struct reply r;
	struct req first = { .op = KSSPI_OP_INIT_CONTEXT,
			     .package = "KsspiTest", .session = 7,
			     .first = true, .user = "u", .password = "p" };
	struct req next = { .op = KSSPI_OP_INIT_CONTEXT,
			    .package = "KsspiTest", .session = 7,
			    .token = challenge, .token_len = sizeof(challenge) };

	session_table_init(&t);
	/* Unknown session (helper restarted mid-handshake) */
	CHECK_EQ(handle(&t, &next, &r), SEC_E_NO_AUTHENTICATING_AUTHORITY);

	/* An error ends the session */
	CHECK_EQ(handle(&t, &first, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	next.token_len = 20;
	CHECK_EQ(handle(&t, &next, &r), SEC_E_INVALID_TOKEN);
	CHECK_EQ(session_count(&t), 0);
	next.token_len = sizeof(challenge);
	CHECK_EQ(handle(&t, &next, &r), SEC_E_NO_AUTHENTICATING_AUTHORITY);

	/* The other side's op on the same session */
	CHECK_EQ(handle(&t, &first, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	next.op = KSSPI_OP_ACCEPT_CONTEXT;
	CHECK_EQ(handle(&t, &next, &r), SEC_E_INVALID_HANDLE);
	CHECK_EQ(session_count(&t), 0);
	next.op = KSSPI_OP_INIT_CONTEXT;

	/* Released by the kernel */
	CHECK_EQ(handle(&t, &first, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	CHECK(session_release(&t, 7));
	CHECK_EQ(handle(&t, &next, &r), SEC_E_NO_AUTHENTICATING_AUTHORITY);

	/* A failed first leg leaves no session behind, and drops the old */
	CHECK_EQ(handle(&t, &first, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	first.user = NULL;
	CHECK_EQ(handle(&t, &first, &r), SEC_E_NO_CREDENTIALS);
	CHECK_EQ(session_count(&t), 0);

	/* A first leg restarts a session: the new nonce is the one used */
	first.user = "u";
	CHECK_EQ(handle(&t, &first, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	CHECK_EQ(handle(&t, &first, &r), SEC_I_CONTINUE_NEEDED);
	reply_clear(&r);
	CHECK_EQ(session_count(&t), 1);
	CHECK_EQ(handle(&t, &next, &r), SEC_E_OK);
	reply_clear(&r);
	CHECK_EQ(session_count(&t), 0);
	session_table_destroy(&t);
}

/* A KsspiTest hello of @len bytes framed as "need:<framed>;". */
static uint8_t *framed_hello(size_t len, size_t framed)
{
	uint8_t *t = calloc(1, len + 32);
	int n;

	memcpy(t, "KTST\1", 5);
	n = snprintf((char *)t + 21, 16, "need:%zu;", framed);
	memset(t + 21 + n, 'f', len > 21 + (size_t)n ? len - 21 - n : 0);
	return t;
}

static void test_incomplete_extra_and_error_tokens(void)
{
	struct session_table t;
	uint8_t *hello = framed_hello(64, 64);
	uint8_t fail[21 + 13];
	struct reply r;
	struct req q;

	session_table_init(&t);
	/* Part of a framed token: the count, and the session stays. */
	q = (struct req){ .op = KSSPI_OP_ACCEPT_CONTEXT, .package = "KsspiTest",
			  .session = 3, .first = true, .user = "alice",
			  .password = "pw", .token = hello, .token_len = 40 };
	CHECK_EQ(handle(&t, &q, &r), SEC_E_INCOMPLETE_MESSAGE);
	CHECK_EQ(r.input_missing, 24);
	CHECK_EQ(session_count(&t), 1);
	reply_clear(&r);
	/* The whole of it on the kept session, with 5 bytes more. */
	q.first = false;
	q.token_len = 69;
	CHECK_EQ(handle(&t, &q, &r), SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(r.input_extra, 5);
	CHECK_EQ(r.token.len, 64);
	reply_clear(&r);

	/* A failure's token reaches the caller only with EXTENDED_ERROR. */
	memcpy(fail, "KTST\1", 5);
	memcpy(fail + 21, "fail:8009030C", 13);
	q = (struct req){ .op = KSSPI_OP_ACCEPT_CONTEXT, .package = "KsspiTest",
			  .session = 4, .first = true, .user = "alice",
			  .password = "pw", .token = fail,
			  .token_len = sizeof(fail) };
	CHECK_EQ(handle(&t, &q, &r), SEC_E_LOGON_DENIED);
	CHECK_EQ(r.token.len, 0);
	reply_clear(&r);
	q.context_req = ASC_REQ_EXTENDED_ERROR;
	CHECK_EQ(handle(&t, &q, &r), SEC_E_LOGON_DENIED);
	CHECK(r.token.len == 9 && memcmp(r.token.data, "KTST\4", 5) == 0);
	reply_clear(&r);

	free(hello);
	session_table_destroy(&t);
}

const struct test_case request_tests[] = {
	{ "ping echoes 0 B to 256 KiB", test_ping },
	{ "ping never sleeps", test_ping_never_sleeps },
	{ "KsspiTest sleep:<ms> waits, and ends when cancelled",
	  test_test_sleep_cancelled },
	{ "sessions per user: the limit refuses only that user",
	  test_sessions_per_user },
	{ "unknown package, missing attributes, unknown op, refused request",
	  test_dispatch_errors },
	{ "handshake through request_handle with session ids",
	  test_handshake_sessions },
	{ "session rules: unknown, error, wrong side, released, restarted",
	  test_session_rules },
	{ "SEC_E_INCOMPLETE_MESSAGE keeps the session; extra bytes; error tokens",
	  test_incomplete_extra_and_error_tokens },
	{ NULL, NULL },
};
