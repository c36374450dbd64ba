// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Message coding: fragment splitting in answers, fragment joining and
 * validation in requests, notices, identity payloads.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/ksspi.h>
#include <linux/ksspi_sspi.h>
#include <linux/netlink.h>
#include <netlink/msg.h>

#include "message.h"
#include "tap.h"
#include "util.h"

#define FAMILY_ID 0x1234

/* Attributes of type @type in a raw attribute stream, read independently. */
struct collected {
	size_t count;		/* attributes seen */
	size_t short_before_last; /* non-final fragments below the maximum */
	size_t over_max;	/* fragments above the maximum */
	struct bytes joined;
};

static void collect(const uint8_t *attrs, size_t len, uint16_t type,
		    struct collected *out)
{
	size_t at = 0, last_len = 0;

	*out = (struct collected){ 0 };
	while (len - at >= 4) {
		uint16_t nla_len = get_le16(attrs + at);
		uint16_t nla_type = get_le16(attrs + at + 2);

		if (nla_len < 4 || nla_len > len - at)
			break;
		if (nla_type == type) {
			if (out->count && last_len < KSSPI_NL_FRAGMENT_MAX)
				out->short_before_last++;
			if (nla_len - 4u > KSSPI_NL_FRAGMENT_MAX)
				out->over_max++;
			bytes_append(&out->joined, attrs + at + 4, nla_len - 4u);
			last_len = nla_len - 4u;
			out->count++;
		}
		at += (nla_len + 3u) & ~3u;
	}
}

/* Builds the answer of @r; returns the message (caller frees). */
static struct nl_msg *build(const struct reply *r, int *err)
{
	struct nl_msg *msg = nlmsg_alloc_size(done_size(r));

	*err = done_build(msg, FAMILY_ID, r);
	return msg;
}

static const uint8_t *attrs_of(struct nl_msg *msg, size_t *len)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	*len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (const uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
}

static void split_one(size_t len, size_t want_count)
{
	struct reply r = { .request_id = 7, .status = SEC_E_OK };
	uint8_t *data = pattern(len, 3);
	struct collected tokens;
	const uint8_t *attrs;
	struct nl_msg *msg;
	size_t attrs_len;
	int err;

	bytes_append(&r.token, data, len);
	msg = build(&r, &err);
	CHECK_EQ(err, 0);
	CHECK(nlmsg_hdr(msg)->nlmsg_len <= (uint32_t)done_size(&r));
	attrs = attrs_of(msg, &attrs_len);
	collect(attrs, attrs_len, KSSPI_A_TOKEN, &tokens);
	CHECK_EQ(tokens.count, want_count);
	CHECK_EQ(tokens.over_max, 0);
	CHECK_EQ(tokens.short_before_last, 0);
	CHECK_EQ(tokens.joined.len, len);
	CHECK(len == 0 || memcmp(tokens.joined.data, data, len) == 0);

	bytes_free(&tokens.joined);
	nlmsg_free(msg);
	reply_clear(&r);
	free(data);
}

static void test_split_sizes(void)
{
	split_one(0, 0);
	split_one(1, 1);
	split_one(32767, 1);
	split_one(32768, 1);
	split_one(32769, 2);
	split_one(65536, 2);
	split_one(65537, 3);
	split_one(KSSPI_MAX_TOKEN, 8);
}

static void test_downcall_fields(void)
{
	struct reply r = {
		.request_id = 0x1122334455667788ull,
		.status = SEC_I_CONTINUE_NEEDED,
		.has_context_attr = true,
		.context_attr = 0x10002,
		.has_expiry = true,
		.expiry = -5,
		.keep_session = true,
	};
	uint8_t *token = pattern(70000, 1), *blob = pattern(40000, 2);
	struct collected c;
	struct nlmsghdr *nlh;
	struct genlmsghdr *gnlh;
	const uint8_t *attrs;
	struct nl_msg *msg;
	size_t len;
	int err;

	bytes_append(&r.token, token, 70000);
	bytes_append(&r.blob, blob, 40000);
	msg = build(&r, &err);
	CHECK_EQ(err, 0);
	nlh = nlmsg_hdr(msg);
	gnlh = nlmsg_data(nlh);
	CHECK_EQ(nlh->nlmsg_type, FAMILY_ID);
	CHECK_EQ(gnlh->cmd, KSSPI_CMD_REQUEST_DONE);
	CHECK_EQ(gnlh->version, KSSPI_GENL_VERSION);
	attrs = attrs_of(msg, &len);

	collect(attrs, len, KSSPI_A_REQUEST_ID, &c);
	CHECK(c.count == 1 && c.joined.len == 8 &&
	      get_le64(c.joined.data) == 0x1122334455667788ull);
	bytes_free(&c.joined);
	collect(attrs, len, KSSPI_A_STATUS, &c);
	CHECK(c.count == 1 && c.joined.len == 4 &&
	      get_le32(c.joined.data) == SEC_I_CONTINUE_NEEDED);
	bytes_free(&c.joined);
	collect(attrs, len, KSSPI_A_CONTEXT_ATTR, &c);
	CHECK(c.count == 1 && c.joined.len == 4 &&
	      get_le32(c.joined.data) == 0x10002);
	bytes_free(&c.joined);
	collect(attrs, len, KSSPI_A_EXPIRY, &c);
	CHECK(c.count == 1 && c.joined.len == 8 &&
	      (int64_t)get_le64(c.joined.data) == -5);
	bytes_free(&c.joined);
	collect(attrs, len, KSSPI_A_TOKEN, &c);
	CHECK(c.count == 3 && c.joined.len == 70000 &&
	      memcmp(c.joined.data, token, 70000) == 0);
	bytes_free(&c.joined);
	collect(attrs, len, KSSPI_A_CONTEXT_BLOB, &c);
	CHECK(c.count == 2 && c.joined.len == 40000 &&
	      memcmp(c.joined.data, blob, 40000) == 0);
	bytes_free(&c.joined);
	collect(attrs, len, KSSPI_A_KEEP_SESSION, &c);
	CHECK(c.count == 1 && c.joined.len == 0);
	bytes_free(&c.joined);

	nlmsg_free(msg);
	reply_clear(&r);
	free(token);
	free(blob);
}

static void test_downcall_minimal(void)
{
	struct reply r = { .request_id = 9, .status = SEC_E_LOGON_DENIED };
	struct collected c;
	const uint8_t *attrs;
	struct nl_msg *msg;
	size_t len;
	int err;

	msg = build(&r, &err);
	CHECK_EQ(err, 0);
	attrs = attrs_of(msg, &len);
	/* request id and status only */
	CHECK_EQ(len, 12 + 8);
	collect(attrs, len, KSSPI_A_CONTEXT_ATTR, &c);
	CHECK_EQ(c.count, 0);
	collect(attrs, len, KSSPI_A_EXPIRY, &c);
	CHECK_EQ(c.count, 0);
	nlmsg_free(msg);
}

static void test_downcall_over_limit(void)
{
	struct reply r = { .status = SEC_E_OK };
	uint8_t *big = pattern(KSSPI_MAX_TOKEN + 1, 0);
	struct nl_msg *msg;
	int err;

	bytes_append(&r.token, big, KSSPI_MAX_TOKEN + 1);
	msg = build(&r, &err);
	CHECK(err < 0);
	nlmsg_free(msg);
	reply_clear(&r);

	bytes_append(&r.blob, big, KSSPI_MAX_CONTEXT_BLOB + 1);
	msg = build(&r, &err);
	CHECK(err < 0);
	nlmsg_free(msg);
	reply_clear(&r);
	free(big);
}

/* A complete upcall, every attribute set. */
static void full_upcall(struct bytes *b, const uint8_t *token, size_t len)
{
	attr_put_u64(b, KSSPI_A_REQUEST_ID, 42);
	attr_put_u32(b, KSSPI_A_OP, KSSPI_OP_ACCEPT_CONTEXT);
	attr_put_str(b, KSSPI_A_PACKAGE, "KsspiTest");
	attr_put_u64(b, KSSPI_A_SESSION_ID, 0xabcdef);
	attr_put_u32(b, KSSPI_A_FLAGS, KSSPI_UPCALL_F_FIRST_LEG);
	attr_put_u32(b, KSSPI_A_CONTEXT_REQ, 0x20002);
	attr_put_str(b, KSSPI_A_TARGET_NAME, "host/srv");
	attr_put_u32(b, KSSPI_A_CREDENTIAL_USE, 1);
	attr_put_u32(b, KSSPI_A_IDENTITY_KEY, 0x1234567);
	attr_put_split(b, KSSPI_A_TOKEN, token, len, KSSPI_NL_FRAGMENT_MAX);
	attr_put(b, KSSPI_A_CHANNEL_BINDINGS, "cb", 2);
	attr_put_u32(b, KSSPI_A_UID, 1000);
	attr_put_u32(b, KSSPI_A_PID, 4321);
	attr_put(b, KSSPI_A_PKG_PARAMS, "params", 6);
	attr_put_u64(b, KSSPI_A_CREDENTIAL_ID, 77);
	attr_put_u32(b, KSSPI_A_LOGON_SESSION, 3);
	attr_put_u64(b, KSSPI_A_DELEGATION_SESSION, 0x5150);
}

static uint32_t parse(struct upcall *up, const struct bytes *b)
{
	*up = (struct upcall){ 0 };
	return upcall_parse(up, KSSPI_CMD_REQUEST, b->data, b->len);
}

static void test_parse_all_fields(void)
{
	uint8_t *token = pattern(100000, 5);
	struct bytes b = { 0 };
	struct upcall up;

	full_upcall(&b, token, 100000);
	CHECK_EQ(parse(&up, &b), SEC_E_OK);
	CHECK_EQ(up.request_id, 42);
	CHECK_EQ(up.op, KSSPI_OP_ACCEPT_CONTEXT);
	CHECK(up.package && strcmp(up.package, "KsspiTest") == 0);
	CHECK_EQ(up.session_id, 0xabcdef);
	CHECK_EQ(up.flags, KSSPI_UPCALL_F_FIRST_LEG);
	CHECK_EQ(up.context_req, 0x20002);
	CHECK(up.target_name && strcmp(up.target_name, "host/srv") == 0);
	CHECK_EQ(up.credential_use, 1);
	CHECK_EQ(up.identity_key, 0x1234567);
	CHECK(!up.user && !up.domain && up.password.len == 0);
	CHECK(up.token.len == 100000 &&
	      memcmp(up.token.data, token, 100000) == 0);
	CHECK(up.channel_bindings.len == 2);
	CHECK_EQ(up.uid, 1000);
	CHECK_EQ(up.pid, 4321);
	CHECK(up.pkg_params.len == 6 &&
	      memcmp(up.pkg_params.data, "params", 6) == 0);
	CHECK_EQ(up.credential_id, 77);
	CHECK_EQ(up.logon_session, 3);
	CHECK(upcall_has(&up, KSSPI_A_LOGON_SESSION));
	CHECK(upcall_has(&up, KSSPI_A_DELEGATION_SESSION));
	CHECK_EQ(up.delegation_session, 0x5150);
	CHECK(!up.delegated_ccache);
	upcall_free(&up);
	bytes_free(&b);
	free(token);
}

/* A token of @len bytes in fragments of @chunk: parse status. */
static uint32_t token_status(size_t len, size_t chunk, size_t *got_len)
{
	uint8_t *token = pattern(len, 9);
	struct bytes b = { 0 };
	struct upcall up;
	uint32_t status;

	attr_put_u64(&b, KSSPI_A_REQUEST_ID, 1);
	attr_put_u32(&b, KSSPI_A_OP, KSSPI_OP_PING);
	attr_put_split(&b, KSSPI_A_TOKEN, token, len, chunk);
	status = parse(&up, &b);
	*got_len = up.token.len;
	if (status == SEC_E_OK && memcmp(up.token.data, token, len) != 0)
		status = 0xdeadbeef;
	if (status != SEC_E_OK) {
		/* A refused upcall keeps its id and nothing else. */
		CHECK(upcall_has(&up, KSSPI_A_REQUEST_ID));
		CHECK_EQ(up.request_id, 1);
		CHECK_EQ(up.token.len, 0);
	}
	upcall_free(&up);
	bytes_free(&b);
	free(token);
	return status;
}

static void test_parse_token_sizes(void)
{
	size_t got;

	CHECK_EQ(token_status(32768, 32768, &got), SEC_E_OK);
	CHECK_EQ(got, 32768);
	CHECK_EQ(token_status(32769, 32768, &got), SEC_E_OK);
	CHECK_EQ(got, 32769);
	CHECK_EQ(token_status(65536, 32768, &got), SEC_E_OK);
	CHECK_EQ(got, 65536);
	CHECK_EQ(token_status(KSSPI_MAX_TOKEN, 32768, &got), SEC_E_OK);
	CHECK_EQ(got, KSSPI_MAX_TOKEN);
	/* Small fragments join just as well */
	CHECK_EQ(token_status(1000, 7, &got), SEC_E_OK);
	CHECK_EQ(got, 1000);
	/* Over the cap, however it is cut */
	CHECK_EQ(token_status(KSSPI_MAX_TOKEN + 1, 32768, &got),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(token_status(KSSPI_MAX_TOKEN + 1000, 1000, &got),
		 SEC_E_INVALID_TOKEN);
	/* One fragment over KSSPI_NL_FRAGMENT_MAX */
	CHECK(token_status(32769, 32769, &got) != SEC_E_OK);
}

/* Base upcall plus @extra raw attributes: parse status. */
static uint32_t status_with(void (*add)(struct bytes *b), bool with_id,
			    bool *kept_id)
{
	struct bytes b = { 0 };
	struct upcall up;
	uint32_t status;

	if (with_id)
		attr_put_u64(&b, KSSPI_A_REQUEST_ID, 77);
	add(&b);
	status = parse(&up, &b);
	*kept_id = upcall_has(&up, KSSPI_A_REQUEST_ID) && up.request_id == 77;
	if (status != SEC_E_OK)
		CHECK_EQ(up.token.len, 0);
	upcall_free(&up);
	bytes_free(&b);
	return status;
}

static void add_op(struct bytes *b)
{
	attr_put_u32(b, KSSPI_A_OP, KSSPI_OP_PING);
}

static void add_nothing(struct bytes *b)
{
	(void)b;
}

static void add_op_u64(struct bytes *b)
{
	attr_put_u64(b, KSSPI_A_OP, KSSPI_OP_PING);
}

static void add_op_short(struct bytes *b)
{
	attr_put(b, KSSPI_A_OP, "\1\0", 2);
}

static void add_unterminated_target(struct bytes *b)
{
	add_op(b);
	attr_put(b, KSSPI_A_TOKEN, "secret", 6);
	attr_put(b, KSSPI_A_TARGET_NAME, "host", 4);
}

static void add_embedded_nul(struct bytes *b)
{
	add_op(b);
	attr_put(b, KSSPI_A_TARGET_NAME, "ho\0st", 6);
}

static void add_duplicate_target(struct bytes *b)
{
	add_op(b);
	attr_put_str(b, KSSPI_A_TARGET_NAME, "host/a");
	attr_put_str(b, KSSPI_A_TARGET_NAME, "host/b");
}

static void add_long_target(struct bytes *b)
{
	char name[KSSPI_MAX_NAME + 2];

	memset(name, 'u', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	add_op(b);
	attr_put_str(b, KSSPI_A_TARGET_NAME, name);
}

static void add_longest_target(struct bytes *b)
{
	char name[KSSPI_MAX_NAME + 1];

	memset(name, 'u', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	add_op(b);
	attr_put_str(b, KSSPI_A_TARGET_NAME, name);
}

static void add_key_u64(struct bytes *b)
{
	add_op(b);
	attr_put_u64(b, KSSPI_A_IDENTITY_KEY, 5);
}

static void add_trailing_bytes(struct bytes *b)
{
	add_op(b);
	bytes_append(b, "\x03\x00", 2);
}

static void add_bad_length(struct bytes *b)
{
	add_op(b);
	/* claims 200 bytes where 8 remain */
	bytes_append(b, "\xc8\x00\x0e\x00" "abcd", 8);
}

static void add_nested_flag(struct bytes *b)
{
	attr_put_u32(b, KSSPI_A_OP | NLA_F_NESTED, KSSPI_OP_PING);
}

static void add_unknown_and_pad(struct bytes *b)
{
	add_op(b);
	attr_put(b, KSSPI_A_PAD, "", 0);
	attr_put(b, 200, "future", 6);
	attr_put_u32(b, KSSPI_A_STATUS, 1);	/* not an upcall attribute */
}

static void add_second_id(struct bytes *b)
{
	add_op(b);
	attr_put_u64(b, KSSPI_A_REQUEST_ID, 78);
}

static void test_parse_malformed(void)
{
	bool kept;

	CHECK_EQ(status_with(add_op, true, &kept), SEC_E_OK);
	CHECK(kept);
	CHECK_EQ(status_with(add_nothing, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK(kept);
	CHECK_EQ(status_with(add_op, false, &kept), SEC_E_INVALID_PARAMETER);
	CHECK(!kept);
	CHECK_EQ(status_with(add_op_u64, true, &kept), SEC_E_INVALID_PARAMETER);
	CHECK(kept);
	CHECK_EQ(status_with(add_op_short, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK_EQ(status_with(add_unterminated_target, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK(kept);
	CHECK_EQ(status_with(add_embedded_nul, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK_EQ(status_with(add_duplicate_target, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK_EQ(status_with(add_long_target, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK_EQ(status_with(add_longest_target, true, &kept), SEC_E_OK);
	CHECK_EQ(status_with(add_key_u64, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK_EQ(status_with(add_trailing_bytes, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK(kept);
	CHECK_EQ(status_with(add_bad_length, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK(kept);
	CHECK_EQ(status_with(add_nested_flag, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK_EQ(status_with(add_unknown_and_pad, true, &kept), SEC_E_OK);
	/* Two ids: which one to answer is unknowable, so none is kept. */
	CHECK_EQ(status_with(add_second_id, true, &kept),
		 SEC_E_INVALID_PARAMETER);
	CHECK(!kept);
}

/* A command other than KSSPI_CMD_REQUEST is not a request. */
static void test_parse_other_command(void)
{
	struct bytes b = { 0 };
	struct upcall up = { 0 };

	attr_put_u64(&b, KSSPI_A_REQUEST_ID, 99);
	attr_put_u32(&b, KSSPI_A_OP, KSSPI_OP_PING);
	CHECK_EQ(upcall_parse(&up, KSSPI_CMD_NOTICES, b.data, b.len),
		 SEC_E_UNSUPPORTED_FUNCTION);
	upcall_free(&up);
	bytes_free(&b);
}

struct seen_notices {
	uint64_t released[4], cancelled[4];
	unsigned int n_released, n_cancelled;
};

static void saw_release(uint64_t id, void *arg)
{
	struct seen_notices *seen = arg;

	if (seen->n_released < 4)
		seen->released[seen->n_released] = id;
	seen->n_released++;
}

static void saw_cancel(uint64_t id, void *arg)
{
	struct seen_notices *seen = arg;

	if (seen->n_cancelled < 4)
		seen->cancelled[seen->n_cancelled] = id;
	seen->n_cancelled++;
}

static int notices(const struct bytes *b, struct seen_notices *seen)
{
	const struct notice_handlers handlers = {
		.release_session = saw_release,
		.cancel_request = saw_cancel,
		.arg = seen,
	};

	*seen = (struct seen_notices){ 0 };
	return notices_parse(b->data, b->len, &handlers);
}

static void test_notices(void)
{
	struct seen_notices seen;
	struct bytes b = { 0 };

	attr_put_u64(&b, KSSPI_A_RELEASE_SESSION, 5);
	attr_put(&b, KSSPI_A_PAD, "", 0);
	attr_put_u64(&b, KSSPI_A_CANCEL_REQUEST, 7);
	attr_put_u64(&b, KSSPI_A_RELEASE_SESSION, 6);
	CHECK_EQ(notices(&b, &seen), 3);
	CHECK(seen.n_released == 2 && seen.released[0] == 5 &&
	      seen.released[1] == 6);
	CHECK(seen.n_cancelled == 1 && seen.cancelled[0] == 7);
	bytes_free(&b);

	/* A short value, an unknown attribute, trailing bytes: refused */
	attr_put_u32(&b, KSSPI_A_RELEASE_SESSION, 5);
	CHECK_EQ(notices(&b, &seen), -EINVAL);
	CHECK_EQ(seen.n_released, 0);
	bytes_free(&b);
	attr_put_u64(&b, KSSPI_A_RELEASE_SESSION, 5);
	attr_put_u32(&b, KSSPI_A_STATUS, 0);
	CHECK_EQ(notices(&b, &seen), -EINVAL);
	CHECK_EQ(seen.n_released, 1);
	bytes_free(&b);
	attr_put_u64(&b, KSSPI_A_CANCEL_REQUEST, 5);
	bytes_append(&b, "\x03\x00", 2);
	CHECK_EQ(notices(&b, &seen), -EINVAL);
	bytes_free(&b);
	CHECK_EQ(notices(&b, &seen), 0);
}

static int identity(const char *payload, size_t len, struct upcall *up)
{
	*up = (struct upcall){ 0 };
	return upcall_set_identity(up, (const uint8_t *)payload, len);
}

static void test_identity(void)
{
	char user[KSSPI_MAX_NAME + 2], big[3 * KSSPI_MAX_NAME + 8];
	struct upcall up;
	size_t n;

	CHECK_EQ(identity("alice\0TEST\0pw", 13, &up), 0);
	CHECK(strcmp(up.user, "alice") == 0 && strcmp(up.domain, "TEST") == 0);
	CHECK(up.password.len == 2 && memcmp(up.password.data, "pw", 2) == 0);
	CHECK(upcall_has(&up, UPCALL_USER) && upcall_has(&up, UPCALL_DOMAIN) &&
	      upcall_has(&up, UPCALL_PASSWORD));
	upcall_free(&up);

	/* Empty user, domain and password are all allowed */
	CHECK_EQ(identity("\0\0", 2, &up), 0);
	CHECK(up.user[0] == '\0' && up.domain[0] == '\0' &&
	      up.password.len == 0);
	upcall_free(&up);

	/* Missing separators, a NUL in the password */
	CHECK_EQ(identity("alice", 5, &up), -EINVAL);
	CHECK(!up.user && !upcall_has(&up, UPCALL_USER));
	upcall_free(&up);
	CHECK_EQ(identity("alice\0TEST", 10, &up), -EINVAL);
	upcall_free(&up);
	CHECK_EQ(identity("alice\0TEST\0p\0w", 14, &up), -EINVAL);
	CHECK(!up.user && up.password.len == 0);
	upcall_free(&up);

	/* Names up to KSSPI_MAX_NAME, passwords up to KSSPI_MAX_PASSWORD */
	memset(user, 'u', KSSPI_MAX_NAME + 1);
	user[KSSPI_MAX_NAME + 1] = '\0';
	memcpy(big, user, KSSPI_MAX_NAME + 2);
	memcpy(big + KSSPI_MAX_NAME + 2, "D\0p", 3);
	CHECK_EQ(identity(big, KSSPI_MAX_NAME + 5, &up), -EINVAL);
	upcall_free(&up);
	CHECK_EQ(identity(big + 1, KSSPI_MAX_NAME + 4, &up), 0);
	upcall_free(&up);
	n = 0;
	big[n++] = 'u';
	big[n++] = '\0';
	big[n++] = '\0';
	memset(big + n, 'p', KSSPI_MAX_PASSWORD + 1);
	CHECK_EQ(identity(big, n + KSSPI_MAX_PASSWORD, &up), 0);
	upcall_free(&up);
	CHECK_EQ(identity(big, n + KSSPI_MAX_PASSWORD + 1, &up), -EINVAL);
	upcall_free(&up);
}

const struct test_case message_tests[] = {
	{ "answer fragments: 0, 1, 32767, 32768, 32769, 65536, 65537, 256 KiB",
	  test_split_sizes },
	{ "answer carries every field, token and blob in order",
	  test_downcall_fields },
	{ "answer with an error status carries nothing else",
	  test_downcall_minimal },
	{ "answer refuses a token or blob over the ABI limit",
	  test_downcall_over_limit },
	{ "request parser reads every attribute", test_parse_all_fields },
	{ "request token reassembly: 32768, 32769, 65536, 256 KiB; over-limit refused",
	  test_parse_token_sizes },
	{ "request parser refuses malformed attributes", test_parse_malformed },
	{ "only KSSPI_CMD_REQUEST is a request", test_parse_other_command },
	{ "notices: releases and cancellations in order; malformed refused",
	  test_notices },
	{ "identity payload: fields, empty parts, limits, malformed refused",
	  test_identity },
	{ NULL, NULL },
};
