// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_handshake: the KsspiTest package end to end through /dev/ksspi:
 * the four legs and their tokens, refused logons, status propagation from
 * the helper, bad tokens, signing both ways, tampering, replay, context
 * attributes, export/import, and unprivileged use of the device.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "ksspi_harness.h"

#define TOK_CAP 4096u

FIXTURE(hs) {
	int cfd, sfd;
	struct kt_stats base;
	struct kt_hs hs;
};

FIXTURE_SETUP(hs)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->cfd = kt_open();
	ASSERT_LE(0, self->cfd);
	self->sfd = kt_open();
	ASSERT_LE(0, self->sfd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->cfd, self->sfd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
}

FIXTURE_TEARDOWN(hs)
{
	kt_hs_free(&self->hs);
	if (self->cfd >= 0)
		close(self->cfd);
	if (self->sfd >= 0)
		close(self->sfd);
	EXPECT_LIVE_AT(self->base);
}

/* ---- the handshake itself ---- */

TEST_F(hs, four_legs_and_their_tokens)
{
	uint8_t t1[TOK_CAP], t2[TOK_CAP], t3[TOK_CAP], t4[TOK_CAP];
	uint32_t want;
	struct kt_isc isc;
	struct kt_asc asc;

	kt_isc_init(&isc, &self->hs.ccred, NULL, KT_ISC_REQ, NULL, NULL, 0, t1,
		    sizeof(t1));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->cfd, &isc));
	self->hs.cctx = isc.a.new_context;
	self->hs.have_cctx = true;
	ASSERT_EQ(KT_TOKEN_HDR, isc.out[0].cb_buffer);
	EXPECT_EQ(SECBUFFER_TOKEN, isc.out[0].buffer_type);
	EXPECT_EQ(0, memcmp(t1, "KTST\1", 5));

	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, t1, KT_TOKEN_HDR,
		    t2, sizeof(t2));
	asc.a.expiry = 12345;
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->sfd, &asc));
	self->hs.sctx = asc.a.new_context;
	self->hs.have_sctx = true;
	/* ASC's ptsExpiry is known on the last call only. */
	EXPECT_EQ(0, asc.a.expiry);
	ASSERT_EQ(KT_TOKEN_HDR, asc.out[0].cb_buffer);
	EXPECT_EQ(0, memcmp(t2, "KTST\2", 5));
	EXPECT_NE(0, memcmp(t1 + 5, t2 + 5, 16))
		TH_LOG("  the server echoed the client's nonce as its own");

	kt_isc_init(&isc, &self->hs.ccred, &self->hs.cctx, KT_ISC_REQ, NULL,
		    t2, asc.out[0].cb_buffer, t3, sizeof(t3));
	isc.a.expiry = 0;
	ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->cfd, &isc));
	ASSERT_LE(5u, isc.out[0].cb_buffer);
	EXPECT_EQ(0, memcmp(t3, "KTST\3", 5));
	want = ISC_RET_INTEGRITY | ISC_RET_REPLAY_DETECT |
	       ISC_RET_SEQUENCE_DETECT | ISC_RET_MUTUAL_AUTH |
	       ISC_RET_CONNECTION;
	EXPECT_EQ(want, isc.a.context_attr & want)
		TH_LOG("  client context_attr 0x%x", isc.a.context_attr);
	EXPECT_EQ(0u, isc.a.context_attr &
		  (ISC_RET_CONFIDENTIALITY | ISC_RET_DELEGATE));
	EXPECT_TRUE(kt_timestamp_plausible(isc.a.expiry));
	self->hs.cattr = isc.a.context_attr;

	kt_asc_init(&asc, &self->hs.scred, &self->hs.sctx, KT_ASC_REQ, t3,
		    isc.out[0].cb_buffer, t4, sizeof(t4));
	asc.a.expiry = 0;
	ASSERT_STATUS(SEC_E_OK, kt_asc_call(self->sfd, &asc));
	EXPECT_EQ(0u, asc.out[0].cb_buffer) TH_LOG("  the last leg produced "
						  "a token");
	want = ASC_RET_INTEGRITY | ASC_RET_REPLAY_DETECT |
	       ASC_RET_SEQUENCE_DETECT | ASC_RET_MUTUAL_AUTH |
	       ASC_RET_CONNECTION;
	EXPECT_EQ(want, asc.a.context_attr & want)
		TH_LOG("  server context_attr 0x%x", asc.a.context_attr);
	EXPECT_TRUE(kt_timestamp_plausible(asc.a.expiry));

	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &self->hs.cctx,
					       self->sfd, &self->hs.sctx,
					       "hello server"));
}

TEST_F(hs, fewer_flags_fewer_attributes)
{
	self->hs.creq = ISC_REQ_INTEGRITY;
	self->hs.sreq = ASC_REQ_INTEGRITY;
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	EXPECT_NE(0u, self->hs.cattr & ISC_RET_INTEGRITY);
	EXPECT_EQ(0u, self->hs.cattr & (ISC_RET_SEQUENCE_DETECT |
					ISC_RET_REPLAY_DETECT));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &self->hs.cctx,
					       self->sfd, &self->hs.sctx,
					       "integrity only"));
}

TEST_F(hs, nonces_are_fresh)
{
	uint8_t a[TOK_CAP], b[TOK_CAP], c[TOK_CAP], d[TOK_CAP];
	uint32_t la = sizeof(a), lb = sizeof(b);
	struct ksspi_handle x, y;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->cfd, &self->hs.ccred, &x, a, &la));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->cfd, &self->hs.ccred, &y, b, &lb));
	EXPECT_NE(0, memcmp(a + 5, b + 5, 16));

	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, a, la, c,
		    sizeof(c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->sfd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->sfd, &asc.a.new_context));
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, a, la, d,
		    sizeof(d));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->sfd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->sfd, &asc.a.new_context));
	/* same type 1 twice: the server's nonces still differ */
	EXPECT_NE(0, memcmp(c + 5, d + 5, 16));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &y));
}

TEST_F(hs, target_name_accepted)
{
	self->hs.target = "host/ksspi-selftest.example";
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
}

/* An empty target name: the handshake, export and import all work. */
TEST_F(hs, empty_target_name)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB), name[64];
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB, nl = sizeof(name);
	struct ksspi_handle imp;

	ASSERT_NE(NULL, blob);
	self->hs.target = "";
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx, 0, blob,
					  &len));
	EXPECT_NE(NULL, kt_blob_record(blob, len, KSSPI_CTX_REC_SERVER_NAME,
				       &nl));
	EXPECT_EQ(0u, nl);
	EXPECT_STATUS(SEC_E_OK, kt_import(self->cfd, KT_PKG, blob, len, &imp));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &imp, self->sfd,
					       &self->hs.sctx, "empty"));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &imp));
	free(blob);
}

/* Check the server context failed by the last leg: expired, deletable */
static void kt_expect_failed_server(struct __test_metadata *_metadata,
				    struct kt_hs *hs)
{
	uint8_t data[8] = "x", sig[KT_SIG_LEN], out[TOK_CAP];
	struct kt_asc asc;

	kt_asc_init(&asc, &hs->scred, &hs->sctx, KT_ASC_REQ, "KTST\3", 5, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED, kt_asc_call(hs->sfd, &asc));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_sign(hs->sfd, &hs->sctx, data, sizeof(data), sig,
			      NULL));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(hs->sfd, &hs->sctx));
	hs->have_sctx = false;
}

/* ---- identities held in the kernel keyring ---- */

/* A key in the process keyring, so this process possesses it. */
static int32_t kt_identity_key(const char *type, const char *desc,
			       const void *payload, size_t len)
{
	return (int32_t)syscall(SYS_add_key, type, desc, payload, len,
				KEY_SPEC_PROCESS_KEYRING);
}

/* Replaces the client credential of @hs by one naming key @serial. */
static uint32_t kt_use_key_credential(struct kt_hs *hs, int32_t serial)
{
	struct ksspi_acquire_credentials a;
	uint32_t st;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL);
	a.identity_type = KSSPI_IDENTITY_KEY;
	a.key_serial = (uint32_t)serial;
	st = kt_acquire_call(hs->cfd, &a);
	if (st != SEC_E_OK)
		return st;
	kt_free_cred(hs->cfd, &hs->ccred);
	hs->ccred = a.credential;
	return SEC_E_OK;
}

static const char kt_key_payload[] = KT_USER "\0TESTDOM\0" KT_PASSWORD;

TEST_F(hs, logon_key_identity_authenticates)
{
	char name[64] = "";
	uint32_t len = sizeof(name);
	int32_t serial;

	/* "logon" keys cannot be read back by anybody in userspace */
	serial = kt_identity_key("logon", "ksspi:selftest", kt_key_payload,
				 sizeof(kt_key_payload) - 1);
	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	ASSERT_STATUS(SEC_E_OK, kt_use_key_credential(&self->hs, serial));
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->sfd, &self->hs.sctx,
					      SECPKG_ATTR_NAMES, name, &len));
	EXPECT_STREQ(KT_USER, name);
	syscall(SYS_keyctl, KEYCTL_REVOKE, serial);
}

TEST_F(hs, key_revoked_after_acquire_no_credentials)
{
	int32_t serial;

	serial = kt_identity_key("user", "ksspi-selftest-revoke",
				 kt_key_payload, sizeof(kt_key_payload) - 1);
	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	ASSERT_STATUS(SEC_E_OK, kt_use_key_credential(&self->hs, serial));
	/* the key is read at the first leg: revoking it withdraws it */
	ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_REVOKE, serial));
	EXPECT_STATUS(SEC_E_NO_CREDENTIALS, kt_hs_run(&self->hs));
	EXPECT_EQ(1, self->hs.failed_leg);
}

TEST_F(hs, key_payload_malformed_unknown_credentials)
{
	static const char no_separators[] = "selftest-user";
	int32_t serial;

	serial = kt_identity_key("user", "ksspi-selftest-malformed",
				 no_separators, sizeof(no_separators) - 1);
	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS,
		      kt_use_key_credential(&self->hs, serial));
	syscall(SYS_keyctl, KEYCTL_REVOKE, serial);
}

TEST_F(hs, wrong_password_logon_denied)
{
	struct kt_hs bad;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&bad, self->cfd, self->sfd, KT_USER,
					   KT_PASSWORD "x", KT_USER,
					   KT_PASSWORD));
	EXPECT_STATUS(SEC_E_LOGON_DENIED, kt_hs_run(&bad));
	EXPECT_EQ(4, bad.failed_leg) TH_LOG("  refused at the wrong leg");
	if (bad.have_sctx)
		kt_expect_failed_server(_metadata, &bad);
	kt_hs_free(&bad);
}

TEST_F(hs, server_password_differs_logon_denied)
{
	struct kt_hs bad;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&bad, self->cfd, self->sfd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   "another password"));
	EXPECT_STATUS(SEC_E_LOGON_DENIED, kt_hs_run(&bad));
	EXPECT_EQ(4, bad.failed_leg);
	kt_hs_free(&bad);
}

TEST_F(hs, wrong_user_logon_denied)
{
	struct kt_hs bad;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&bad, self->cfd, self->sfd,
					   "someone-else", KT_PASSWORD,
					   KT_USER, KT_PASSWORD));
	EXPECT_STATUS(SEC_E_LOGON_DENIED, kt_hs_run(&bad));
	EXPECT_EQ(4, bad.failed_leg);
	if (bad.have_sctx)
		kt_expect_failed_server(_metadata, &bad);
	kt_hs_free(&bad);
}

/* ---- status propagation from the helper ---- */

FIXTURE(fail) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
};

FIXTURE_VARIANT(fail) {
	const char *payload;
	uint32_t status;
};

FIXTURE_VARIANT_ADD(fail, logon_denied) {
	.payload = "fail:8009030C", .status = SEC_E_LOGON_DENIED,
};

FIXTURE_VARIANT_ADD(fail, time_skew) {
	.payload = "fail:80090324", .status = SEC_E_TIME_SKEW,
};

FIXTURE_VARIANT_ADD(fail, wrong_principal) {
	.payload = "fail:80090322", .status = SEC_E_WRONG_PRINCIPAL,
};

FIXTURE_SETUP(fail)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
}

FIXTURE_TEARDOWN(fail)
{
	kt_hs_free(&self->hs);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(fail, server_status_propagates)
{
	uint8_t t1[TOK_CAP], out[TOK_CAP];
	uint32_t l1 = sizeof(t1), plen = strlen(variant->payload);
	struct ksspi_handle x;
	struct kt_stats s1, s2;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &self->hs.ccred, &x, t1, &l1));
	ASSERT_EQ(KT_TOKEN_HDR, l1);
	memcpy(t1 + l1, variant->payload, plen);
	ASSERT_EQ(0, kt_stats_read(&s1));
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, t1, l1 + plen,
		    out, sizeof(out));
	EXPECT_STATUS(variant->status, kt_asc_call(self->fd, &asc));
	ASSERT_EQ(0, kt_stats_read(&s2));
	if (s2.contexts_live == s1.contexts_live + 1) {
		/* a failed context was handed back: it can only be deleted */
		EXPECT_STATUS(SEC_E_OK,
			      kt_delete_ctx(self->fd, &asc.a.new_context));
	} else {
		EXPECT_EQ(s1.contexts_live, s2.contexts_live);
	}
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
}

/* With ASC_REQ_EXTENDED_ERROR the failed leg hands back what the peer is told. */
TEST_F(fail, extended_error_hands_back_the_token)
{
	uint8_t t1[TOK_CAP], out[TOK_CAP];
	uint32_t l1 = sizeof(t1), plen = strlen(variant->payload), le;
	struct ksspi_handle x;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &self->hs.ccred, &x, t1, &l1));
	memcpy(t1 + l1, variant->payload, plen);

	/* Not asked for: no token. */
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, t1, l1 + plen,
		    out, sizeof(out));
	EXPECT_STATUS(variant->status, kt_asc_call(self->fd, &asc));
	EXPECT_EQ(0u, asc.out[0].cb_buffer);

	kt_asc_init(&asc, &self->hs.scred, NULL,
		    KT_ASC_REQ | ASC_REQ_EXTENDED_ERROR, t1, l1 + plen, out,
		    sizeof(out));
	EXPECT_STATUS(variant->status, kt_asc_call(self->fd, &asc));
	ASSERT_EQ(9u, asc.out[0].cb_buffer);
	EXPECT_EQ(0, memcmp(out, "KTST\x04", 5));
	memcpy(&le, out + 5, sizeof(le));
	EXPECT_EQ(variant->status, le32toh(le));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
}

/* ---- SECBUFFER_MISSING and SECBUFFER_EXTRA ---- */

#define KT_FRAMED_LEN	64u

/* A type-1 token of KT_FRAMED_LEN bytes framed by its "need:" payload. */
static void kt_framed_hello(uint8_t *tok)
{
	int n = snprintf((char *)tok + KT_TOKEN_HDR, 16, "need:%u;",
			 KT_FRAMED_LEN);

	memset(tok + KT_TOKEN_HDR + n, 'f', KT_FRAMED_LEN - KT_TOKEN_HDR - n);
}

/* The input becomes TOKEN + EMPTY, as Schannel's callers pass it. */
static void kt_add_empty(struct ksspi_sec_buffer_desc *d,
			 struct ksspi_sec_buffer *b)
{
	memset(&b[1], 0, sizeof(b[1]));
	b[1].buffer_type = SECBUFFER_EMPTY;
	d->c_buffers = 2;
}

TEST_F(hs, incomplete_and_extra_input)
{
	uint8_t t1[TOK_CAP], t2[TOK_CAP], t3[TOK_CAP], t4[TOK_CAP];
	struct ksspi_handle cctx, sctx;
	struct kt_stats s1, s2;
	struct kt_isc isc;
	struct kt_asc asc;
	uint32_t l1 = sizeof(t1);

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->cfd, &self->hs.ccred, &cctx, t1,
				     &l1));
	kt_framed_hello(t1);

	/* Part of the first message: no context, the missing count. */
	ASSERT_EQ(0, kt_stats_read(&s1));
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, t1, 40, t2,
		    sizeof(t2));
	kt_add_empty(&asc.a.input, asc.in);
	EXPECT_STATUS(SEC_E_INCOMPLETE_MESSAGE, kt_asc_call(self->sfd, &asc));
	EXPECT_EQ(SECBUFFER_MISSING, asc.in[1].buffer_type);
	EXPECT_EQ(KT_FRAMED_LEN - 40, asc.in[1].cb_buffer);
	EXPECT_EQ(0u, asc.out[0].cb_buffer);
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.contexts_live, s2.contexts_live);

	/* The whole message. */
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, t1,
		    KT_FRAMED_LEN, t2, sizeof(t2));
	kt_add_empty(&asc.a.input, asc.in);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->sfd, &asc));
	EXPECT_EQ(SECBUFFER_EMPTY, asc.in[1].buffer_type);
	ASSERT_EQ(KT_FRAMED_LEN, asc.out[0].cb_buffer);
	sctx = asc.a.new_context;

	/* Part of the second: the client's context waits, unharmed. */
	kt_isc_init(&isc, NULL, &cctx, KT_ISC_REQ, NULL, t2, 50, t3,
		    sizeof(t3));
	kt_add_empty(&isc.a.input, isc.in);
	EXPECT_STATUS(SEC_E_INCOMPLETE_MESSAGE, kt_isc_call(self->cfd, &isc));
	EXPECT_EQ(SECBUFFER_MISSING, isc.in[1].buffer_type);
	EXPECT_EQ(KT_FRAMED_LEN - 50, isc.in[1].cb_buffer);

	/* The whole of it and 7 bytes of what comes next. */
	memset(t2 + KT_FRAMED_LEN, 'x', 7);
	kt_isc_init(&isc, NULL, &cctx, KT_ISC_REQ, NULL, t2,
		    KT_FRAMED_LEN + 7, t3, sizeof(t3));
	kt_add_empty(&isc.a.input, isc.in);
	ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->cfd, &isc));
	EXPECT_EQ(SECBUFFER_EXTRA, isc.in[1].buffer_type);
	EXPECT_EQ(7u, isc.in[1].cb_buffer);

	kt_asc_init(&asc, NULL, &sctx, KT_ASC_REQ, t3, isc.out[0].cb_buffer,
		    t4, sizeof(t4));
	ASSERT_STATUS(SEC_E_OK, kt_asc_call(self->sfd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &cctx, self->sfd,
					       &sctx, "after the frames"));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &cctx));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->sfd, &sctx));
}

/* ---- bad tokens at every leg ---- */

enum kt_bad {
	B_RANDOM, B_TRUNCATED, B_MAGIC_ONLY, B_BAD_MAGIC, B_TYPE_OTHER_A,
	B_TYPE_OTHER_B, B_TYPE_ZERO, B_TYPE_FF, B_ONE_BYTE,
};

FIXTURE(badtok) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
	uint8_t t1[TOK_CAP], t2[TOK_CAP], t3[TOK_CAP], bad[TOK_CAP];
	uint32_t l1, l2, l3, lbad;
};

FIXTURE_VARIANT(badtok) {
	enum kt_bad kind;
};

FIXTURE_VARIANT_ADD(badtok, random_bytes) { .kind = B_RANDOM };
FIXTURE_VARIANT_ADD(badtok, truncated) { .kind = B_TRUNCATED };
FIXTURE_VARIANT_ADD(badtok, magic_only) { .kind = B_MAGIC_ONLY };
FIXTURE_VARIANT_ADD(badtok, bad_magic) { .kind = B_BAD_MAGIC };
FIXTURE_VARIANT_ADD(badtok, wrong_type_a) { .kind = B_TYPE_OTHER_A };
FIXTURE_VARIANT_ADD(badtok, wrong_type_b) { .kind = B_TYPE_OTHER_B };
FIXTURE_VARIANT_ADD(badtok, type_zero) { .kind = B_TYPE_ZERO };
FIXTURE_VARIANT_ADD(badtok, type_ff) { .kind = B_TYPE_FF };
FIXTURE_VARIANT_ADD(badtok, one_byte) { .kind = B_ONE_BYTE };

/* A bad version of the good token of type want (1, 2 or 3) */
static void kt_make_bad(enum kt_bad kind, uint8_t want, const uint8_t *good,
			uint32_t glen, uint8_t *out, uint32_t *len)
{
	uint8_t others[2];

	others[0] = want == 1 ? 2 : 1;
	others[1] = want == 3 ? 2 : 3;
	memcpy(out, good, glen);
	*len = glen;
	switch (kind) {
	case B_RANDOM:
		kt_random(out, 64);
		out[0] = 'X';
		*len = 64;
		break;
	case B_TRUNCATED:
		*len = glen > 10 ? 10 : glen - 1;
		break;
	case B_MAGIC_ONLY:
		*len = 4;
		break;
	case B_BAD_MAGIC:
		out[0] ^= 0x20;
		break;
	case B_TYPE_OTHER_A:
		out[4] = others[0];
		break;
	case B_TYPE_OTHER_B:
		out[4] = others[1];
		break;
	case B_TYPE_ZERO:
		out[4] = 0;
		break;
	case B_TYPE_FF:
		out[4] = 0xff;
		break;
	case B_ONE_BYTE:
		*len = 1;
		break;
	}
}

FIXTURE_SETUP(badtok)
{
	struct kt_asc asc;

	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	self->l1 = sizeof(self->t1);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &self->hs.ccred, &self->hs.cctx,
				     self->t1, &self->l1));
	self->hs.have_cctx = true;
	(void)asc;
}

FIXTURE_TEARDOWN(badtok)
{
	kt_hs_free(&self->hs);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(badtok, asc_first_leg)
{
	uint8_t out[TOK_CAP];
	struct kt_stats s1, s2;
	struct kt_asc asc;

	kt_make_bad(variant->kind, 1, self->t1, self->l1, self->bad,
		    &self->lbad);
	ASSERT_EQ(0, kt_stats_read(&s1));
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->bad,
		    self->lbad, out, sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_asc_call(self->fd, &asc));
	ASSERT_EQ(0, kt_stats_read(&s2));
	if (s2.contexts_live == s1.contexts_live + 1) {
		EXPECT_STATUS(SEC_E_OK,
			      kt_delete_ctx(self->fd, &asc.a.new_context));
	} else {
		EXPECT_EQ(s1.contexts_live, s2.contexts_live);
	}
	/* the good token is still accepted afterwards */
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->t1,
		    self->l1, out, sizeof(out));
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	if (asc.a.status == SEC_I_CONTINUE_NEEDED)
		kt_delete_ctx(self->fd, &asc.a.new_context);
}

TEST_F(badtok, isc_second_leg)
{
	struct kt_asc asc;
	struct kt_isc isc;

	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->t1,
		    self->l1, self->t2, sizeof(self->t2));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	self->hs.sctx = asc.a.new_context;
	self->hs.have_sctx = true;
	self->l2 = asc.out[0].cb_buffer;

	kt_make_bad(variant->kind, 2, self->t2, self->l2, self->bad,
		    &self->lbad);
	kt_isc_init(&isc, &self->hs.ccred, &self->hs.cctx, KT_ISC_REQ, NULL,
		    self->bad, self->lbad, self->t3, sizeof(self->t3));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
	/* the client context is failed, and deletable */
	kt_isc_init(&isc, &self->hs.ccred, &self->hs.cctx, KT_ISC_REQ, NULL,
		    self->t2, self->l2, self->t3, sizeof(self->t3));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED, kt_isc_call(self->fd, &isc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->hs.cctx));
	self->hs.have_cctx = false;
}

TEST_F(badtok, asc_second_leg)
{
	uint8_t out[TOK_CAP];
	struct kt_asc asc;
	struct kt_isc isc;

	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->t1,
		    self->l1, self->t2, sizeof(self->t2));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	self->hs.sctx = asc.a.new_context;
	self->hs.have_sctx = true;
	self->l2 = asc.out[0].cb_buffer;
	kt_isc_init(&isc, &self->hs.ccred, &self->hs.cctx, KT_ISC_REQ, NULL,
		    self->t2, self->l2, self->t3, sizeof(self->t3));
	ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->fd, &isc));
	self->l3 = isc.out[0].cb_buffer;

	kt_make_bad(variant->kind, 3, self->t3, self->l3, self->bad,
		    &self->lbad);
	kt_asc_init(&asc, &self->hs.scred, &self->hs.sctx, KT_ASC_REQ,
		    self->bad, self->lbad, out, sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_asc_call(self->fd, &asc));
	kt_asc_init(&asc, &self->hs.scred, &self->hs.sctx, KT_ASC_REQ,
		    self->t3, self->l3, out, sizeof(out));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->hs.sctx));
	self->hs.have_sctx = false;
}

/* ---- signing ---- */

TEST_F(hs, sign_verify_both_directions)
{
	int i;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	for (i = 0; i < 20; i++) {
		char text[64];

		snprintf(text, sizeof(text), "message %d", i);
		ASSERT_STATUS(SEC_E_OK,
			      kt_sign_verify(self->cfd, &self->hs.cctx,
					     self->sfd, &self->hs.sctx, text))
			TH_LOG("  client to server, message %d", i);
		if (i % 3 == 0) {
			ASSERT_STATUS(SEC_E_OK,
				      kt_sign_verify(self->sfd,
						     &self->hs.sctx,
						     self->cfd,
						     &self->hs.cctx, text))
				TH_LOG("  server to client, message %d", i);
		}
	}
}

TEST_F(hs, signature_format_and_sequence)
{
	uint8_t data[100], copy[100], sig[KT_SIG_LEN + 16];
	uint32_t sl, first = 0;
	struct kt_msg m;
	int i;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	kt_random(data, sizeof(data));
	memcpy(copy, data, sizeof(data));
	for (i = 0; i < 5; i++) {
		memset(sig, 0xee, sizeof(sig));
		kt_msg_init(&m, &self->hs.cctx);
		kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
		kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
		ASSERT_STATUS(SEC_E_OK, kt_msg_call(self->cfd,
						    KSSPI_IOC_MAKE_SIGNATURE,
						    &m));
		sl = m.b[1].cb_buffer;
		EXPECT_EQ(KT_SIG_LEN, sl);
		EXPECT_EQ(SECBUFFER_TOKEN, m.b[1].buffer_type);
		EXPECT_EQ(sizeof(data), m.b[0].cb_buffer);
		EXPECT_EQ(1u, kt_sig_version(sig));
		if (i == 0)
			first = kt_sig_seq(sig);
		EXPECT_EQ(first + i, kt_sig_seq(sig))
			TH_LOG("  message %d", i);
		/* signing does not change the data */
		EXPECT_EQ(0, memcmp(data, copy, sizeof(data)));
		/* the fQOP out of VerifySignature is 0 */
		kt_msg_init(&m, &self->hs.sctx);
		kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
		kt_msg_add(&m, SECBUFFER_TOKEN, sig, KT_SIG_LEN);
		m.a.qop = 0xdead;
		EXPECT_STATUS(SEC_E_OK,
			      kt_msg_call(self->sfd,
					  KSSPI_IOC_VERIFY_SIGNATURE, &m));
		EXPECT_EQ(0u, m.a.qop);
	}
}

TEST_F(hs, several_data_buffers)
{
	uint8_t a[10] = "abcdefghi", b[300], c[1] = { 7 }, sig[KT_SIG_LEN];
	struct kt_msg m;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	kt_random(b, sizeof(b));
	kt_msg_init(&m, &self->hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, a, sizeof(a));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	kt_msg_add(&m, SECBUFFER_DATA, b, sizeof(b));
	kt_msg_add(&m, SECBUFFER_DATA | SECBUFFER_READONLY_WITH_CHECKSUM, c,
		   sizeof(c));
	ASSERT_STATUS(SEC_E_OK, kt_msg_call(self->cfd,
					    KSSPI_IOC_MAKE_SIGNATURE, &m));
	kt_msg_init(&m, &self->hs.sctx);
	kt_msg_add(&m, SECBUFFER_DATA, a, sizeof(a));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	kt_msg_add(&m, SECBUFFER_DATA, b, sizeof(b));
	kt_msg_add(&m, SECBUFFER_DATA | SECBUFFER_READONLY_WITH_CHECKSUM, c,
		   sizeof(c));
	EXPECT_STATUS(SEC_E_OK, kt_msg_call(self->sfd,
					    KSSPI_IOC_VERIFY_SIGNATURE, &m));
}

TEST_F(hs, large_message)
{
	size_t len = 4 << 20;
	uint8_t *data = malloc(len), sig[KT_SIG_LEN];
	uint32_t sl;

	ASSERT_NE(NULL, data);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	kt_random(data, len);
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->cfd, &self->hs.cctx, data,
					(uint32_t)len, sig, &sl));
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->sfd, &self->hs.sctx, data,
					  (uint32_t)len, sig, sl));
	free(data);
}

/* ---- tampering ---- */

FIXTURE(tamper) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
	uint8_t data[64], sig[KT_SIG_LEN];
	uint32_t sl;
};

FIXTURE_SETUP(tamper)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	memcpy(self->data, "pay 10 EUR to Alice; reference 4711", 36);
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->hs.cctx, self->data,
					sizeof(self->data), self->sig,
					&self->sl));
}

FIXTURE_TEARDOWN(tamper)
{
	kt_hs_free(&self->hs);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(tamper, data_bit_flipped)
{
	size_t i;

	for (i = 0; i < sizeof(self->data); i += 13) {
		uint8_t d[64];

		memcpy(d, self->data, sizeof(d));
		d[i] ^= 0x01;
		EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
			      kt_verify(self->fd, &self->hs.sctx, d, sizeof(d),
					self->sig, self->sl))
			TH_LOG("  bit flipped in byte %zu", i);
	}
}

TEST_F(tamper, data_truncated_or_extended)
{
	uint8_t d[65];

	memcpy(d, self->data, sizeof(self->data));
	d[64] = 0;
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_verify(self->fd, &self->hs.sctx, d, 63, self->sig,
				self->sl));
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_verify(self->fd, &self->hs.sctx, d, 65, self->sig,
				self->sl));
}

TEST_F(tamper, hmac_bit_flipped)
{
	int i;

	for (i = 8; i < (int)KT_SIG_LEN; i += 5) {
		uint8_t s[KT_SIG_LEN];

		memcpy(s, self->sig, sizeof(s));
		s[i] ^= 0x80;
		EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
			      kt_verify(self->fd, &self->hs.sctx, self->data,
					sizeof(self->data), s, sizeof(s)))
			TH_LOG("  bit flipped in signature byte %d", i);
	}
}

TEST_F(tamper, sequence_field_changed)
{
	uint8_t s[KT_SIG_LEN];
	uint32_t st;

	memcpy(s, self->sig, sizeof(s));
	s[4] ^= 0x01;
	st = kt_verify(self->fd, &self->hs.sctx, self->data,
		       sizeof(self->data), s, sizeof(s));
	/* refused either way; the HMAC is expected to cover the number */
	EXPECT_TRUE(st == SEC_E_MESSAGE_ALTERED ||
		    st == SEC_E_OUT_OF_SEQUENCE)
		TH_LOG("  got %s", kt_status_name(st));
	if (st == SEC_E_OUT_OF_SEQUENCE)
		kt_diag("sequence number not covered by the HMAC?");
}

TEST_F(tamper, genuine_message_after_tampered_one)
{
	uint8_t d[64];

	memcpy(d, self->data, sizeof(d));
	d[0] ^= 0xff;
	ASSERT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_verify(self->fd, &self->hs.sctx, d, sizeof(d),
				self->sig, self->sl));
	/* a forgery does not consume the sequence number */
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx,
					  self->data, sizeof(self->data),
					  self->sig, self->sl));
}

TEST_F(tamper, reflected_signature)
{
	/* the client's own signature must not verify on the client */
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_verify(self->fd, &self->hs.cctx, self->data,
				sizeof(self->data), self->sig, self->sl));
}

TEST_F(tamper, signature_from_other_session)
{
	struct kt_hs other;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&other, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&other));
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_verify(self->fd, &other.sctx, self->data,
				sizeof(self->data), self->sig, self->sl));
	kt_hs_free(&other);
}

TEST_F(tamper, replay)
{
	ASSERT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx,
					  self->data, sizeof(self->data),
					  self->sig, self->sl));
	EXPECT_STATUS(SEC_E_OUT_OF_SEQUENCE,
		      kt_verify(self->fd, &self->hs.sctx, self->data,
				sizeof(self->data), self->sig, self->sl));
	/* and again, much later */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &self->hs.cctx,
					       self->fd, &self->hs.sctx,
					       "in between"));
	EXPECT_STATUS(SEC_E_OUT_OF_SEQUENCE,
		      kt_verify(self->fd, &self->hs.sctx, self->data,
				sizeof(self->data), self->sig, self->sl));
}

TEST_F(tamper, reordered)
{
	uint8_t d2[16] = "second", s2[KT_SIG_LEN];
	uint32_t sl2;

	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->hs.cctx, d2,
					sizeof(d2), s2, &sl2));
	/* message 2 before message 1 */
	EXPECT_STATUS(SEC_E_OUT_OF_SEQUENCE,
		      kt_verify(self->fd, &self->hs.sctx, d2, sizeof(d2), s2,
				sl2));
}

/* ---- attributes ---- */

TEST_F(hs, attributes)
{
	struct ksspi_attr_sizes sz;
	struct ksspi_attr_flags fl;
	struct ksspi_attr_lifespan ls;
	struct ksspi_attr_negotiation_info ni;
	struct ksspi_package_info pi, qpi;
	char names[KSSPI_MAX_NAME + 1];
	uint32_t len;
	int side;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_query_package(self->cfd, KT_PKG, &qpi));
	for (side = 0; side < 2; side++) {
		int fd = side ? self->sfd : self->cfd;
		struct ksspi_handle *h = side ? &self->hs.sctx :
						&self->hs.cctx;

		len = sizeof(sz);
		ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, h, SECPKG_ATTR_SIZES,
						      &sz, &len));
		EXPECT_EQ(sizeof(sz), len);
		EXPECT_EQ(KT_SIG_LEN, sz.max_signature);
		EXPECT_EQ(KT_SIG_LEN, sz.security_trailer);
		EXPECT_NE(0u, sz.max_token);

		len = sizeof(pi);
		memset(&pi, 0, sizeof(pi));
		ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, h,
						      SECPKG_ATTR_PACKAGE_INFO,
						      &pi, &len));
		EXPECT_STREQ(KT_PKG, pi.name);
		EXPECT_EQ(qpi.capabilities, pi.capabilities);
		EXPECT_EQ(qpi.max_token, pi.max_token);

		len = sizeof(ni);
		ASSERT_STATUS(SEC_E_OK,
			      kt_query_attr(fd, h,
					    SECPKG_ATTR_NEGOTIATION_INFO, &ni,
					    &len));
		EXPECT_EQ(SECPKG_NEGOTIATION_COMPLETE, ni.negotiation_state);
		EXPECT_STREQ(KT_PKG, ni.package.name);

		len = sizeof(fl);
		ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, h, SECPKG_ATTR_FLAGS,
						      &fl, &len));
		EXPECT_EQ(side ? self->hs.sattr : self->hs.cattr, fl.flags);

		len = sizeof(ls);
		ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, h,
						      SECPKG_ATTR_LIFESPAN,
						      &ls, &len));
		EXPECT_TRUE(kt_timestamp_plausible(ls.expiry))
			TH_LOG("  expiry %lld", (long long)ls.expiry);
		EXPECT_LE(ls.start, ls.expiry);
		EXPECT_LE(ls.start, kt_now_timestamp() +
				    86400LL * 10000000LL);
		EXPECT_LE(kt_now_timestamp() - 2 * 86400LL * 10000000LL,
			  ls.start);

		len = sizeof(names);
		memset(names, 0x7f, sizeof(names));
		ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, h, SECPKG_ATTR_NAMES,
						      names, &len));
		EXPECT_EQ(sizeof(KT_USER), len);
		names[sizeof(names) - 1] = 0;
		EXPECT_STREQ(KT_USER, names) TH_LOG("  side %d", side);
	}
}

TEST_F(hs, session_key_shared_and_fresh)
{
	uint8_t ck[64], sk[64], zero[KT_SESSION_KEY_LEN] = { 0 }, k2[64];
	uint32_t cl = sizeof(ck), sl = sizeof(sk), l2 = sizeof(k2);
	struct kt_hs other;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->cfd, &self->hs.cctx,
					      SECPKG_ATTR_SESSION_KEY, ck,
					      &cl));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->sfd, &self->hs.sctx,
					      SECPKG_ATTR_SESSION_KEY, sk,
					      &sl));
	EXPECT_EQ(KT_SESSION_KEY_LEN, cl);
	EXPECT_EQ(KT_SESSION_KEY_LEN, sl);
	EXPECT_EQ(0, memcmp(ck, sk, KT_SESSION_KEY_LEN));
	EXPECT_NE(0, memcmp(ck, zero, KT_SESSION_KEY_LEN));

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&other, self->cfd, self->sfd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&other));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->cfd, &other.cctx,
					      SECPKG_ATTR_SESSION_KEY, k2,
					      &l2));
	EXPECT_NE(0, memcmp(ck, k2, KT_SESSION_KEY_LEN))
		TH_LOG("  two sessions share a key");
	kt_hs_free(&other);
}

/* ---- export / import ---- */

static uint64_t kt_le64_at(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void kt_check_blob(struct __test_metadata *_metadata,
			  const uint8_t *blob, uint32_t len, bool initiator,
			  uint32_t attr)
{
	struct ksspi_ctx_header h;
	const uint8_t *v;
	uint32_t vl;

	ASSERT_LE(sizeof(h), len);
	memcpy(&h, blob, sizeof(h));
	EXPECT_EQ(KSSPI_CTX_MAGIC, le32toh(h.magic));
	EXPECT_EQ(KSSPI_CTX_VERSION, le16toh(h.version));
	EXPECT_EQ(sizeof(h), le16toh(h.header_len));
	EXPECT_EQ(len, le32toh(h.total_len));
	EXPECT_EQ(initiator ? KSSPI_CTX_F_INITIATOR : 0u,
		  le32toh(h.flags) & KSSPI_CTX_F_INITIATOR);
	EXPECT_EQ(attr, le32toh(h.context_attr));
	EXPECT_EQ(0, strncmp(h.package, KT_PKG, sizeof(h.package)));

	v = kt_blob_record(blob, len, KSSPI_CTX_REC_CLIENT_NAME, &vl);
	ASSERT_NE(NULL, v) TH_LOG("  no CLIENT_NAME record");
	EXPECT_EQ(strlen(KT_USER), vl);
	EXPECT_EQ(0, memcmp(v, KT_USER, strlen(KT_USER)));
	v = kt_blob_record(blob, len, KSSPI_CTX_REC_SESSION_KEY, &vl);
	ASSERT_NE(NULL, v) TH_LOG("  no SESSION_KEY record");
	EXPECT_EQ(KT_SESSION_KEY_LEN, vl);
	v = kt_blob_record(blob, len, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, &vl);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(32u, vl);
	v = kt_blob_record(blob, len, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, &vl);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(32u, vl);
	v = kt_blob_record(blob, len, KSSPI_CTX_REC_SEND_SEQ, &vl);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(8u, vl);
	v = kt_blob_record(blob, len, KSSPI_CTX_REC_RECV_SEQ, &vl);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(8u, vl);
}

TEST_F(hs, export_blob_format)
{
	uint8_t *cb = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint8_t *sb = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t cl = KSSPI_MAX_CONTEXT_BLOB, sl = KSSPI_MAX_CONTEXT_BLOB;
	uint8_t key[64], sig[KT_SIG_LEN], data[8] = "seq";
	uint32_t kl = sizeof(key), vl, last = 0, sgl;
	const uint8_t *a, *b;
	int i;

	ASSERT_NE(NULL, cb);
	ASSERT_NE(NULL, sb);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	for (i = 0; i < 3; i++) {
		ASSERT_STATUS(SEC_E_OK, kt_sign(self->cfd, &self->hs.cctx,
						data, sizeof(data), sig,
						&sgl));
		last = kt_sig_seq(sig);
		ASSERT_STATUS(SEC_E_OK, kt_verify(self->sfd, &self->hs.sctx,
						  data, sizeof(data), sig,
						  sgl));
	}
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx, 0, cb,
					  &cl));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->sfd, &self->hs.sctx, 0, sb,
					  &sl));
	ASSERT_GE((uint32_t)KSSPI_MAX_CONTEXT_BLOB, cl);
	kt_check_blob(_metadata, cb, cl, true, self->hs.cattr);
	kt_check_blob(_metadata, sb, sl, false, self->hs.sattr);

	/* the session key record is the SESSION_KEY attribute */
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->cfd, &self->hs.cctx,
					      SECPKG_ATTR_SESSION_KEY, key,
					      &kl));
	a = kt_blob_record(cb, cl, KSSPI_CTX_REC_SESSION_KEY, &vl);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, memcmp(a, key, KT_SESSION_KEY_LEN));
	/* one side's outgoing key is the other's incoming key */
	a = kt_blob_record(cb, cl, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, &vl);
	b = kt_blob_record(sb, sl, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, &vl);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(a, b, 32));
	b = kt_blob_record(cb, cl, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, &vl);
	ASSERT_NE(NULL, b);
	EXPECT_NE(0, memcmp(a, b, 32)) TH_LOG("  same key both directions");
	a = kt_blob_record(sb, sl, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, &vl);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, memcmp(a, b, 32));
	/* sequence numbers: the next ones */
	a = kt_blob_record(cb, cl, KSSPI_CTX_REC_SEND_SEQ, &vl);
	ASSERT_NE(NULL, a);
	EXPECT_EQ((uint64_t)last + 1, kt_le64_at(a));
	a = kt_blob_record(sb, sl, KSSPI_CTX_REC_RECV_SEQ, &vl);
	ASSERT_NE(NULL, a);
	EXPECT_EQ((uint64_t)last + 1, kt_le64_at(a));
	free(cb);
	free(sb);
}

static void kt_round_trip(struct __test_metadata *_metadata,
			  struct kt_hs *hs, bool client)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	uint8_t k1[64], k2[64];
	uint32_t l1 = sizeof(k1), l2 = sizeof(k2);
	char name[64];
	uint32_t nl = sizeof(name);
	struct ksspi_handle imp;
	struct kt_stats s1, s2;
	int fd, ofd = client ? hs->cfd : hs->sfd;
	struct ksspi_handle *orig = client ? &hs->cctx : &hs->sctx;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_sign_verify(hs->cfd, &hs->cctx, hs->sfd,
					       &hs->sctx, "before export"));
	ASSERT_STATUS(SEC_E_OK, kt_export(ofd, orig, 0, blob, &len));
	fd = kt_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_stats_read(&s1));
	ASSERT_STATUS(SEC_E_OK, kt_import(fd, KT_PKG, blob, len, &imp));
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.contexts_live + 1, s2.contexts_live);

	/* same session */
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(ofd, orig,
					      SECPKG_ATTR_SESSION_KEY, k1,
					      &l1));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, &imp,
					      SECPKG_ATTR_SESSION_KEY, k2,
					      &l2));
	EXPECT_EQ(l1, l2);
	EXPECT_EQ(0, memcmp(k1, k2, l1));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(fd, &imp, SECPKG_ATTR_NAMES,
					      name, &nl));
	EXPECT_STREQ(KT_USER, name);

	/* the imported copy works with the peer, both ways */
	if (client) {
		EXPECT_STATUS(SEC_E_OK, kt_sign_verify(fd, &imp, hs->sfd,
						       &hs->sctx,
						       "from the import"));
		EXPECT_STATUS(SEC_E_OK, kt_sign_verify(hs->sfd, &hs->sctx, fd,
						       &imp, "to the import"));
	} else {
		EXPECT_STATUS(SEC_E_OK, kt_sign_verify(hs->cfd, &hs->cctx, fd,
						       &imp, "to the import"));
		EXPECT_STATUS(SEC_E_OK, kt_sign_verify(fd, &imp, hs->cfd,
						       &hs->cctx,
						       "from the import"));
	}
	/* closing the descriptor releases it */
	close(fd);
	EXPECT_EQ(0, kt_wait_live(s1.credentials_live, s1.contexts_live,
				  3000));
	free(blob);
}

TEST_F(hs, export_import_client)
{
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	kt_round_trip(_metadata, &self->hs, true);
}

TEST_F(hs, export_import_server)
{
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	kt_round_trip(_metadata, &self->hs, false);
}

TEST_F(hs, import_twice_gives_two_contexts)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	struct ksspi_handle a, b;
	struct kt_stats s1, s2;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx, 0, blob,
					  &len));
	ASSERT_EQ(0, kt_stats_read(&s1));
	ASSERT_STATUS(SEC_E_OK, kt_import(self->cfd, KT_PKG, blob, len, &a));
	ASSERT_STATUS(SEC_E_OK, kt_import(self->cfd, KT_PKG, blob, len, &b));
	EXPECT_FALSE(kt_handle_eq(&a, &b));
	EXPECT_FALSE(kt_handle_eq(&a, &self->hs.cctx));
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.contexts_live + 2, s2.contexts_live);
	EXPECT_EQ(s1.pkg_contexts + 2, s2.pkg_contexts);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &a));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &b));
	/* the original is untouched */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &self->hs.cctx,
					       self->sfd, &self->hs.sctx,
					       "original"));
	free(blob);
}

TEST_F(hs, export_buffer_too_small_reports_size)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = 16, need;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_export(self->cfd, &self->hs.cctx, 0, blob, &len));
	need = len;
	EXPECT_LT(16u, need);
	/* with exactly that much it works, and the size was the blob's */
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx, 0, blob,
					  &len));
	EXPECT_EQ(need, len);
	/* a too small buffer with DELETE_OLD keeps the context */
	len = 16;
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
		      kt_export(self->cfd, &self->hs.cctx,
				SECPKG_CONTEXT_EXPORT_DELETE_OLD, blob, &len));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &self->hs.cctx,
					       self->sfd, &self->hs.sctx,
					       "still here"));
	free(blob);
}

TEST_F(hs, export_delete_old)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	uint8_t data[8] = "gone", sig[KT_SIG_LEN];
	struct ksspi_handle imp;
	struct kt_stats s1, s2;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_EQ(0, kt_stats_read(&s1));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx,
					  SECPKG_CONTEXT_EXPORT_DELETE_OLD,
					  blob, &len));
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.contexts_live - 1, s2.contexts_live);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_sign(self->cfd, &self->hs.cctx, data, sizeof(data),
			      sig, NULL));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_delete_ctx(self->cfd, &self->hs.cctx));
	self->hs.have_cctx = false;
	/* the context lives on in the blob */
	ASSERT_STATUS(SEC_E_OK, kt_import(self->cfd, KT_PKG, blob, len, &imp));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->cfd, &imp, self->sfd,
					       &self->hs.sctx, "moved"));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &imp));
	free(blob);
}

/* ---- unprivileged callers ---- */

struct kt_unpriv {
	int done;
	int drop;		/* kt_drop_privileges() */
	int open_after;		/* kt_open() after dropping */
	int import_before;	/* import on an fd opened as root */
	int import_after;	/* import on an fd opened as nobody */
	uint32_t query;		/* QUERY_PACKAGE as nobody */
	uint32_t hs;		/* full handshake as nobody */
	uint32_t sv;		/* sign/verify as nobody */
};

TEST_F(hs, import_needs_cap_sys_admin)
{
	struct kt_unpriv *r = kt_shared_alloc(sizeof(*r));
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	struct ksspi_handle imp;
	struct kt_stats s1, s2;
	pid_t pid;

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx, 0, blob,
					  &len));
	ASSERT_EQ(0, kt_stats_read(&s1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ksspi_import_context im;
		int before = kt_open(), after;

		r->drop = kt_drop_privileges();
		if (r->drop)
			_exit(1);
		after = kt_open();
		r->open_after = after < 0 ? after : 0;
		memset(&im, 0, sizeof(im));
		im.size = sizeof(im);
		im.package = kt_ptr(KT_PKG);
		im.package_len = strlen(KT_PKG);
		im.blob = kt_ptr(blob);
		im.blob_len = len;
		r->import_before = before < 0 ? before :
				   kt_ioctl(before, KSSPI_IOC_IMPORT_CONTEXT,
					    &im);
		r->import_after = after < 0 ? after :
				  kt_ioctl(after, KSSPI_IOC_IMPORT_CONTEXT,
					   &im);
		r->done = 1;
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid, 20000));
	ASSERT_EQ(0, r->drop)
		TH_LOG("  could not drop privileges: %s", strerror(-r->drop));
	ASSERT_EQ(1, r->done);
	EXPECT_EQ(0, r->open_after)
		TH_LOG("  %s not usable by uid %d: %s", KT_DEV, KT_NOBODY,
		       strerror(-r->open_after));
	/* The privilege is the opener's: root's descriptor may import. */
	EXPECT_ERRNO(0, r->import_before);
	EXPECT_ERRNO(EPERM, r->import_after);
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.contexts_live, s2.contexts_live);
	/* and root may */
	EXPECT_STATUS(SEC_E_OK, kt_import(self->cfd, KT_PKG, blob, len, &imp));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->cfd, &imp));
	free(blob);
	munmap(r, sizeof(*r));
}

/* A descriptor nobody opened, handed to root, cannot import for nobody. */
TEST_F(hs, import_privilege_is_the_openers)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct ksspi_handle imp;
	int sv[2], fd = -1;
	char byte;
	pid_t pid;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->cfd, &self->hs.cctx, 0, blob,
					  &len));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int mine;

		close(sv[0]);
		if (kt_drop_privileges())
			_exit(1);
		mine = kt_open();
		if (mine < 0)
			_exit(2);
		byte = 'f';
		iov = (struct iovec){ .iov_base = &byte, .iov_len = 1 };
		msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
				       .msg_control = cbuf,
				       .msg_controllen = sizeof(cbuf) };
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &mine, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 3);
	}
	close(sv[1]);
	iov = (struct iovec){ .iov_base = &byte, .iov_len = 1 };
	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
			       .msg_control = cbuf,
			       .msg_controllen = sizeof(cbuf) };
	ASSERT_EQ(1, recvmsg(sv[0], &msg, 0));
	cm = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cm);
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	ASSERT_EQ(0, kt_wait_child(pid, 20000));
	close(sv[0]);
	/* root calls, but the descriptor is nobody's */
	EXPECT_STATUS(KT_ERRNO_STATUS(EPERM),
		      kt_import(fd, KT_PKG, blob, len, &imp));
	close(fd);
	free(blob);
}

TEST_F(hs, unprivileged_handshake)
{
	struct kt_unpriv *r = kt_shared_alloc(sizeof(*r));
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kt_hs h;
		int fd;

		r->drop = kt_drop_privileges();
		if (r->drop)
			_exit(1);
		fd = kt_open();
		r->open_after = fd < 0 ? fd : 0;
		if (fd < 0)
			_exit(2);
		r->query = kt_query_package(fd, KT_PKG, NULL);
		r->hs = kt_hs_init(&h, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
				   KT_PASSWORD);
		if (r->hs == SEC_E_OK)
			r->hs = kt_hs_run(&h);
		if (r->hs == SEC_E_OK)
			r->sv = kt_sign_verify(fd, &h.cctx, fd, &h.sctx,
					       "as nobody");
		r->done = 1;
		_exit(0);	/* no cleanup: closing the fd is enough */
	}
	ASSERT_EQ(0, kt_wait_child(pid, 30000));
	ASSERT_EQ(0, r->drop);
	ASSERT_EQ(1, r->done);
	EXPECT_EQ(0, r->open_after);
	EXPECT_STATUS(SEC_E_OK, r->query);
	EXPECT_STATUS(SEC_E_OK, r->hs);
	EXPECT_STATUS(SEC_E_OK, r->sv);
	munmap(r, sizeof(*r));
}

/* ---- ImportSecurityContext of malformed blobs ---- */

enum kt_blob_fault {
	BL_BAD_MAGIC, BL_BAD_VERSION, BL_VERSION_ZERO, BL_SHORT_HEADER_LEN,
	BL_LONG_HEADER_LEN, BL_TOTAL_LEN_LARGER, BL_TOTAL_LEN_SMALLER,
	BL_RECORD_OVERRUN, BL_DUPLICATE_RECORD, BL_UNKNOWN_CRITICAL,
	BL_OTHER_PACKAGE, BL_TRUNCATED, BL_HEADER_ONLY,
	BL_UNKNOWN_NONCRITICAL,
};

FIXTURE(blob) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
	uint8_t *blob;
	uint32_t len;
};

FIXTURE_VARIANT(blob) {
	enum kt_blob_fault fault;
	uint32_t status;
};

#define BLOB_BAD(name, f) \
	FIXTURE_VARIANT_ADD(blob, name) { \
		.fault = f, .status = SEC_E_INVALID_TOKEN, \
	}
BLOB_BAD(bad_magic, BL_BAD_MAGIC);
BLOB_BAD(bad_version, BL_BAD_VERSION);
BLOB_BAD(version_zero, BL_VERSION_ZERO);
BLOB_BAD(short_header_len, BL_SHORT_HEADER_LEN);
BLOB_BAD(long_header_len, BL_LONG_HEADER_LEN);
BLOB_BAD(total_len_larger, BL_TOTAL_LEN_LARGER);
BLOB_BAD(total_len_smaller, BL_TOTAL_LEN_SMALLER);
BLOB_BAD(record_overrun, BL_RECORD_OVERRUN);
BLOB_BAD(duplicate_record, BL_DUPLICATE_RECORD);
BLOB_BAD(unknown_critical_record, BL_UNKNOWN_CRITICAL);
BLOB_BAD(other_package, BL_OTHER_PACKAGE);
BLOB_BAD(truncated, BL_TRUNCATED);
BLOB_BAD(header_only, BL_HEADER_ONLY);
FIXTURE_VARIANT_ADD(blob, unknown_noncritical_record_skipped) {
	.fault = BL_UNKNOWN_NONCRITICAL, .status = SEC_E_OK,
};

FIXTURE_SETUP(blob)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	/* room for appended records */
	self->blob = calloc(1, KSSPI_MAX_CONTEXT_BLOB + 256);
	ASSERT_NE(NULL, self->blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	self->len = KSSPI_MAX_CONTEXT_BLOB;
	ASSERT_STATUS(SEC_E_OK, kt_export(self->fd, &self->hs.cctx, 0,
					  self->blob, &self->len));
	ASSERT_LE(sizeof(struct ksspi_ctx_header) +
		  sizeof(struct ksspi_ctx_record), self->len);
}

FIXTURE_TEARDOWN(blob)
{
	kt_hs_free(&self->hs);
	free(self->blob);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* Offset of the last record */
static uint32_t kt_last_record(const uint8_t *b, uint32_t len)
{
	struct ksspi_ctx_header h;
	uint32_t off, last = 0;

	memcpy(&h, b, sizeof(h));
	off = le16toh(h.header_len);
	while (off + sizeof(struct ksspi_ctx_record) <= len) {
		struct ksspi_ctx_record r;

		memcpy(&r, b + off, sizeof(r));
		last = off;
		off += sizeof(r) + ((le32toh(r.len) + 7) & ~7u);
	}
	return last;
}

static void kt_set_total(uint8_t *b, uint32_t total)
{
	struct ksspi_ctx_header h;

	memcpy(&h, b, sizeof(h));
	h.total_len = htole32(total);
	memcpy(b, &h, sizeof(h));
}

static uint32_t kt_append_record(uint8_t *b, uint32_t len, uint16_t type,
				 uint16_t flags, uint32_t vlen)
{
	struct ksspi_ctx_record r;

	r.type = htole16(type);
	r.flags = htole16(flags);
	r.len = htole32(vlen);
	memcpy(b + len, &r, sizeof(r));
	memset(b + len + sizeof(r), 0xab, vlen);
	memset(b + len + sizeof(r) + vlen, 0, ((vlen + 7) & ~7u) - vlen);
	len += sizeof(r) + ((vlen + 7) & ~7u);
	kt_set_total(b, len);
	return len;
}

TEST_F(blob, import)
{
	struct ksspi_ctx_header h;
	struct ksspi_ctx_record r;
	struct ksspi_handle imp;
	uint32_t len = self->len, off, rl;
	uint8_t *b = self->blob;
	struct kt_stats s1, s2;
	uint32_t st;

	memcpy(&h, b, sizeof(h));
	switch (variant->fault) {
	case BL_BAD_MAGIC:
		h.magic ^= htole32(0x00010000);
		break;
	case BL_BAD_VERSION:
		h.version = htole16(KSSPI_CTX_VERSION + 1);
		break;
	case BL_VERSION_ZERO:
		h.version = 0;
		break;
	case BL_SHORT_HEADER_LEN:
		h.header_len = htole16(sizeof(h) - 8);
		break;
	case BL_LONG_HEADER_LEN:
		h.header_len = htole16(sizeof(h) + 8);
		break;
	case BL_TOTAL_LEN_LARGER:
		h.total_len = htole32(len + 8);
		break;
	case BL_TOTAL_LEN_SMALLER:
		h.total_len = htole32(len - 8);
		break;
	case BL_OTHER_PACKAGE:
		memset(h.package, 0, sizeof(h.package));
		memcpy(h.package, "OtherPackage", 12);
		break;
	default:
		break;
	}
	memcpy(b, &h, sizeof(h));

	switch (variant->fault) {
	case BL_RECORD_OVERRUN:
		off = kt_last_record(b, len);
		ASSERT_LT(0u, off);
		memcpy(&r, b + off, sizeof(r));
		r.len = htole32(le32toh(r.len) + 64);
		memcpy(b + off, &r, sizeof(r));
		break;
	case BL_DUPLICATE_RECORD:
		off = le16toh(h.header_len);
		memcpy(&r, b + off, sizeof(r));
		rl = sizeof(r) + ((le32toh(r.len) + 7) & ~7u);
		ASSERT_GE(KSSPI_MAX_CONTEXT_BLOB + 256u, len + rl);
		memcpy(b + len, b + off, rl);
		len += rl;
		kt_set_total(b, len);
		break;
	case BL_UNKNOWN_CRITICAL:
		len = kt_append_record(b, len, 0x00fe, KSSPI_CTX_REC_CRITICAL,
				       5);
		break;
	case BL_UNKNOWN_NONCRITICAL:
		len = kt_append_record(b, len, 0x00fe, 0, 5);
		break;
	case BL_TRUNCATED:
		len = len / 2;
		break;
	case BL_HEADER_ONLY:
		len = sizeof(h);
		kt_set_total(b, len);
		break;
	default:
		break;
	}

	ASSERT_EQ(0, kt_stats_read(&s1));
	st = kt_import(self->fd, KT_PKG, b, len, &imp);
	EXPECT_STATUS(variant->status, st);
	ASSERT_EQ(0, kt_stats_read(&s2));
	if (st == SEC_E_OK) {
		EXPECT_EQ(s1.contexts_live + 1, s2.contexts_live);
		/* the imported context is a working one */
		EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &imp,
						       self->fd,
						       &self->hs.sctx,
						       "imported"));
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &imp));
	} else {
		EXPECT_EQ(s1.contexts_live, s2.contexts_live)
			TH_LOG("  a refused import created a context");
	}
}

TEST_HARNESS_MAIN
