// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_params: every check of Documentation/status-codes.rst that the
 * core makes, one (or more) test per row.  Each call is valid except for
 * the one thing under test, so the status can only come from that row.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "ksspi_harness.h"

#define T1_CAP	4096u
#define OUT_CAP	4096u

/* A handshake halfway: client leg 1 and server leg 1 done */
struct kt_mid {
	struct ksspi_handle cctx, sctx;
	bool have_c, have_s;
	uint8_t t1[T1_CAP], t2[T1_CAP], t3[T1_CAP];
	uint32_t l1, l2, l3;
};

static uint32_t kt_mid_client(int fd, const struct ksspi_handle *cred,
			      struct kt_mid *m)
{
	uint32_t st;

	memset(m, 0, sizeof(*m));
	m->l1 = sizeof(m->t1);
	st = kt_partial_ctx(fd, cred, &m->cctx, m->t1, &m->l1);
	m->have_c = st == SEC_I_CONTINUE_NEEDED;
	return st;
}

static uint32_t kt_mid_server(int fd, const struct ksspi_handle *cred,
			      struct kt_mid *m)
{
	struct kt_asc asc;
	uint32_t st;

	kt_asc_init(&asc, cred, NULL, KT_ASC_REQ, m->t1, m->l1, m->t2,
		    sizeof(m->t2));
	st = kt_asc_call(fd, &asc);
	if (st == SEC_I_CONTINUE_NEEDED) {
		m->sctx = asc.a.new_context;
		m->have_s = true;
		m->l2 = asc.out[0].cb_buffer;
	}
	return st;
}

/* Client leg 2 (into m->t3) */
static uint32_t kt_mid_client2(int fd, const struct ksspi_handle *cred,
			       struct kt_mid *m)
{
	struct kt_isc isc;
	uint32_t st;

	kt_isc_init(&isc, cred, &m->cctx, KT_ISC_REQ, NULL, m->t2, m->l2,
		    m->t3, sizeof(m->t3));
	st = kt_isc_call(fd, &isc);
	m->l3 = isc.out[0].cb_buffer;
	return st;
}

static uint32_t kt_mid_server2(int fd, const struct ksspi_handle *cred,
			       struct kt_mid *m)
{
	uint8_t out[OUT_CAP];
	struct kt_asc asc;

	kt_asc_init(&asc, cred, &m->sctx, KT_ASC_REQ, m->t3, m->l3, out,
		    sizeof(out));
	return kt_asc_call(fd, &asc);
}

static void kt_mid_delete(int fd, struct kt_mid *m)
{
	if (m->have_c)
		kt_delete_ctx(fd, &m->cctx);
	if (m->have_s)
		kt_delete_ctx(fd, &m->sctx);
	m->have_c = m->have_s = false;
}

FIXTURE(params) {
	int fd;
	struct kt_stats base;
	struct ksspi_handle ccred, scred;
	bool have_ccred, have_scred;
	struct kt_mid m;
	uint8_t out[OUT_CAP];
};

FIXTURE_SETUP(params)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD,
					   &self->ccred));
	self->have_ccred = true;
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_INBOUND,
					   KT_USER, KT_PASSWORD,
					   &self->scred));
	self->have_scred = true;
}

FIXTURE_TEARDOWN(params)
{
	struct kt_stats s;

	kt_mid_delete(self->fd, &self->m);
	if (self->have_ccred)
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &self->ccred));
	if (self->have_scred)
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &self->scred));
	/* refused first calls must not have left a context behind */
	EXPECT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live)
		TH_LOG("  a context outlived the test (refused first call?)");
	EXPECT_EQ(self->base.credentials_live, s.credentials_live);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* ================================================================== */
/* InitializeSecurityContext / AcceptSecurityContext                   */

TEST_F(params, isc_reserved1_nonzero)
{
	struct kt_isc isc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	isc.a.reserved1 = 1;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));
	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	isc.a.reserved1 = 0x80000000u;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));
}

TEST_F(params, isc_reserved2_nonzero)
{
	struct kt_isc isc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	isc.a.reserved2 = 1;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));
}

/* Reserved1 comes before everything else, even a bad handle */
TEST_F(params, isc_reserved_checked_first)
{
	struct ksspi_handle bogus = { ~0ull, ~0ull };
	struct kt_isc isc;

	kt_isc_init(&isc, &bogus, NULL, KT_ISC_REQ, NULL, NULL, 0, self->out,
		    OUT_CAP);
	isc.a.reserved2 = 7;
	isc.a.target_data_rep = 0x20;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));
}

TEST_F(params, isc_target_data_rep_invalid)
{
	static const uint32_t reps[] = { 1, 0x11, 0x20, 0xffffffffu };
	struct kt_isc isc;
	size_t i;

	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL,
			    0, self->out, OUT_CAP);
		isc.a.target_data_rep = reps[i];
		EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
			      kt_isc_call(self->fd, &isc))
			TH_LOG("  TargetDataRep 0x%x", reps[i]);
	}
}

TEST_F(params, asc_target_data_rep_invalid)
{
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, self->m.t1,
		    self->m.l1, self->out, OUT_CAP);
	asc.a.target_data_rep = 0x20;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_asc_call(self->fd, &asc));
}

TEST_F(params, target_data_rep_native_and_network_accepted)
{
	struct ksspi_handle x;
	struct kt_isc isc;
	struct kt_asc asc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	isc.a.target_data_rep = SECURITY_NETWORK_DREP;
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	x = isc.a.new_context;
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, self->out,
		    isc.out[0].cb_buffer, self->m.t2, sizeof(self->m.t2));
	asc.a.target_data_rep = SECURITY_NETWORK_DREP;
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &asc.a.new_context));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	isc.a.target_data_rep = SECURITY_NATIVE_DREP;
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &isc.a.new_context));
}

TEST_F(params, isc_on_accepted_context)
{
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	/* ISC handed the server's context (same fd, live, wrong role) */
	kt_isc_init(&isc, &self->ccred, &self->m.sctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(self->fd, &isc));
	/* neither context was disturbed */
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->scred, &self->m));
}

TEST_F(params, asc_on_initiated_context)
{
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	ASSERT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	kt_asc_init(&asc, &self->scred, &self->m.cctx, KT_ASC_REQ, self->m.t3,
		    self->m.l3, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->scred, &self->m));
}

TEST_F(params, isc_on_failed_context)
{
	uint8_t garbage[64];
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_random(garbage, sizeof(garbage));
	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    garbage, sizeof(garbage), self->out, OUT_CAP);
	ASSERT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
	/* now failed: even a perfectly good leg is refused */
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
}

TEST_F(params, asc_on_failed_context)
{
	struct kt_hs hs;
	uint8_t out[OUT_CAP];
	struct kt_asc asc;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   "not the password", KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_LOGON_DENIED, kt_hs_run(&hs));
	ASSERT_EQ(4, hs.failed_leg);
	kt_asc_init(&asc, &hs.scred, &hs.sctx, KT_ASC_REQ, "KTST\3", 5, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED, kt_asc_call(self->fd, &asc));
	/* failed contexts are deleted normally */
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &hs.sctx));
	hs.have_sctx = false;
	kt_hs_free(&hs);
}

TEST_F(params, credential_not_live)
{
	struct ksspi_handle c;
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_BOTH,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));

	kt_isc_init(&isc, &c, NULL, KT_ISC_REQ, NULL, NULL, 0, self->out,
		    OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(self->fd, &isc));
	kt_asc_init(&asc, &c, NULL, KT_ASC_REQ, self->m.t1, self->m.l1,
		    self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_asc_call(self->fd, &asc));
	/* on a later call too */
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	kt_isc_init(&isc, &c, &self->m.cctx, KT_ISC_REQ, NULL, self->m.t2,
		    self->m.l2, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(self->fd, &isc));
}

TEST_F(params, first_call_without_credential)
{
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_isc_init(&isc, NULL, NULL, KT_ISC_REQ, NULL, NULL, 0, self->out,
		    OUT_CAP);
	EXPECT_STATUS(SEC_E_NO_CREDENTIALS, kt_isc_call(self->fd, &isc));
	kt_asc_init(&asc, NULL, NULL, KT_ASC_REQ, self->m.t1, self->m.l1,
		    self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_NO_CREDENTIALS, kt_asc_call(self->fd, &asc));
}

TEST_F(params, credential_of_wrong_direction)
{
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_isc_init(&isc, &self->scred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_NO_CREDENTIALS, kt_isc_call(self->fd, &isc));
	kt_asc_init(&asc, &self->ccred, NULL, KT_ASC_REQ, self->m.t1,
		    self->m.l1, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_NO_CREDENTIALS, kt_asc_call(self->fd, &asc));
}

TEST_F(params, credential_both_serves_both_directions)
{
	struct ksspi_handle both;
	struct kt_hs hs;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_BOTH,
					   KT_USER, KT_PASSWORD, &both));
	memset(&hs, 0, sizeof(hs));
	hs.cfd = hs.sfd = self->fd;
	hs.ccred = hs.scred = both;
	hs.creq = KT_ISC_REQ;
	hs.sreq = KT_ASC_REQ;
	EXPECT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "both"));
	kt_hs_delete(&hs);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &both));
}

TEST_F(params, later_call_with_other_credential)
{
	struct ksspi_handle c2, s2;
	uint8_t out[OUT_CAP];
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c2));
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_INBOUND,
					   KT_USER, KT_PASSWORD, &s2));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));

	kt_isc_init(&isc, &c2, &self->m.cctx, KT_ISC_REQ, NULL, self->m.t2,
		    self->m.l2, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_WRONG_CREDENTIAL_HANDLE,
		      kt_isc_call(self->fd, &isc));
	/* refused before the helper: the context is as it was */
	ASSERT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));

	kt_asc_init(&asc, &s2, &self->m.sctx, KT_ASC_REQ, self->m.t3,
		    self->m.l3, out, sizeof(out));
	EXPECT_STATUS(SEC_E_WRONG_CREDENTIAL_HANDLE,
		      kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->scred, &self->m));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c2));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &s2));
}

TEST_F(params, later_call_without_credential)
{
	uint8_t out[OUT_CAP];
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	kt_isc_init(&isc, NULL, &self->m.cctx, KT_ISC_REQ, NULL, self->m.t2,
		    self->m.l2, self->m.t3, sizeof(self->m.t3));
	ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->fd, &isc));
	kt_asc_init(&asc, NULL, &self->m.sctx, KT_ASC_REQ, self->m.t3,
		    isc.out[0].cb_buffer, out, sizeof(out));
	EXPECT_STATUS(SEC_E_OK, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &self->m.cctx,
					       self->fd, &self->m.sctx,
					       "no credential on later legs"));
}

TEST_F(params, first_call_without_new_context)
{
	struct kt_isc isc;
	struct kt_asc asc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	isc.a.present &= ~KSSPI_ARG_NEW_CONTEXT;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, self->m.t1,
		    self->m.l1, self->out, OUT_CAP);
	asc.a.present &= ~KSSPI_ARG_NEW_CONTEXT;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_asc_call(self->fd, &asc));
}

TEST_F(params, output_missing)
{
	struct kt_isc isc;
	struct kt_asc asc;

	/* Windows' ISC says the token has nowhere to go: too small. */
	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    NULL, 0);
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL, kt_isc_call(self->fd, &isc));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, self->m.t1,
		    self->m.l1, NULL, 0);
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_asc_call(self->fd, &asc));
}

TEST_F(params, output_without_token_buffer)
{
	static const uint32_t types[] = { SECBUFFER_EMPTY, SECBUFFER_DATA,
					  SECBUFFER_PADDING, SECBUFFER_EXTRA };
	struct kt_isc isc;
	struct kt_asc asc;
	size_t i;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL,
			    0, self->out, OUT_CAP);
		isc.out[0].buffer_type = types[i];
		EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
			      kt_isc_call(self->fd, &isc))
			TH_LOG("  output buffer type 0x%x", types[i]);
		kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, self->m.t1,
			    self->m.l1, self->out, OUT_CAP);
		asc.out[0].buffer_type = types[i];
		EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
			      kt_asc_call(self->fd, &asc))
			TH_LOG("  output buffer type 0x%x", types[i]);
	}
}

TEST_F(params, supported_flags_accepted)
{
	static const uint32_t isc_flags[] = {
		ISC_REQ_INTEGRITY, ISC_REQ_REPLAY_DETECT,
		ISC_REQ_SEQUENCE_DETECT, ISC_REQ_MUTUAL_AUTH,
		ISC_REQ_CONNECTION, ISC_REQ_ALLOCATE_MEMORY,
		ISC_REQ_EXTENDED_ERROR, 0,
	};
	struct kt_isc isc;
	size_t i;

	for (i = 0; i < sizeof(isc_flags) / sizeof(isc_flags[0]); i++) {
		kt_isc_init(&isc, &self->ccred, NULL, isc_flags[i], NULL, NULL,
			    0, self->out, OUT_CAP);
		EXPECT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_isc_call(self->fd, &isc))
			TH_LOG("  fContextReq 0x%x", isc_flags[i]);
		if (isc.a.status == SEC_I_CONTINUE_NEEDED)
			kt_delete_ctx(self->fd, &isc.a.new_context);
	}
}

TEST_F(params, isc_first_call_with_token)
{
	uint8_t tok[KT_TOKEN_HDR] = "KTST\1";
	struct kt_isc isc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, tok,
		    sizeof(tok), self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
}

TEST_F(params, isc_first_call_with_empty_token_accepted)
{
	uint8_t tok[8];
	struct kt_isc isc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, tok, 0,
		    self->out, OUT_CAP);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &isc.a.new_context));
}

TEST_F(params, isc_later_call_without_token)
{
	uint8_t data[16] = "data";
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	/* no pInput */
	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL, NULL,
		    0, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
	/* an empty token */
	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, 0, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
	/* data but no token */
	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL, data,
		    sizeof(data), self->out, OUT_CAP);
	isc.in[0].buffer_type = SECBUFFER_DATA;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
	/* all refused before the helper: the handshake goes on */
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->scred, &self->m));
}

TEST_F(params, asc_call_without_token)
{
	uint8_t out[OUT_CAP];
	struct kt_asc asc;

	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, NULL, 0, self->out,
		    OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_asc_call(self->fd, &asc));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, out, 0, self->out,
		    OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_asc_call(self->fd, &asc));

	/* later ASC call likewise */
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	ASSERT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	kt_asc_init(&asc, &self->scred, &self->m.sctx, KT_ASC_REQ, NULL, 0,
		    out, sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->scred, &self->m));
}

TEST_F(params, input_token_over_max)
{
	uint8_t *big = calloc(1, KSSPI_MAX_TOKEN + 1);
	struct kt_asc asc;
	struct kt_isc isc;

	ASSERT_NE(NULL, big);
	memcpy(big, "KTST\1", 5);
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, big,
		    KSSPI_MAX_TOKEN + 1, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_asc_call(self->fd, &asc));

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL, big,
		    KSSPI_MAX_TOKEN + 1, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN, kt_isc_call(self->fd, &isc));
	/* refused by the core: the handshake can go on */
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	free(big);
}

TEST_F(params, output_token_too_small_fails_context)
{
	uint8_t small[4], data[8] = "d", sig[KT_SIG_LEN], buf[256];
	uint32_t len = sizeof(buf);
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	/* the type-3 token ("KTST", 3, ...) cannot fit in 4 bytes */
	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, small, sizeof(small));
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL, kt_isc_call(self->fd, &isc));
	/* the context is failed now */
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_sign(self->fd, &self->m.cctx, data, sizeof(data), sig,
			      NULL));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_query_attr(self->fd, &self->m.cctx, SECPKG_ATTR_SIZES,
				    buf, &len));
	len = sizeof(buf);
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_export(self->fd, &self->m.cctx, 0, buf, &len));
	/* ... but still answers PACKAGE_INFO and can be deleted */
	len = sizeof(buf);
	EXPECT_STATUS(SEC_E_OK,
		      kt_query_attr(self->fd, &self->m.cctx,
				    SECPKG_ATTR_PACKAGE_INFO, buf, &len));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &self->m.cctx));
	self->m.have_c = false;
}

TEST_F(params, asc_output_too_small_first_leg)
{
	uint8_t *t1 = malloc(KT_TOKEN_HDR + 4096), small[64];
	struct kt_stats s;
	struct kt_asc asc;

	ASSERT_NE(NULL, t1);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	/* a type-1 with a payload: the type 2 echoes it and cannot fit */
	memcpy(t1, self->m.t1, KT_TOKEN_HDR);
	memset(t1 + KT_TOKEN_HDR, 'p', 4096);
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, t1,
		    KT_TOKEN_HDR + 4096, small, sizeof(small));
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL, kt_asc_call(self->fd, &asc));
	/*
	 * Whatever the failed first leg created is either gone or was handed
	 * back (failed, deletable): nothing may be left unreachable.
	 */
	ASSERT_EQ(0, kt_stats_read(&s));
	if (s.contexts_live == self->base.contexts_live + 2) {
		EXPECT_STATUS(SEC_E_OK,
			      kt_delete_ctx(self->fd, &asc.a.new_context))
			TH_LOG("  a context was created but not handed back");
	} else {
		EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	}
	free(t1);
}

TEST_F(params, refused_leg_leaves_context_intact)
{
	struct kt_isc isc;
	uint32_t st;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));

	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	isc.a.reserved1 = 1;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));

	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	isc.a.target_data_rep = 3;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));

	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	isc.a.output.ul_version = 2;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));

	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	isc.a.reserved2 = 1;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER, kt_isc_call(self->fd, &isc));

	kt_isc_init(&isc, &self->ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, NULL, 0);
	EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL, kt_isc_call(self->fd, &isc));

	st = kt_mid_client2(self->fd, &self->ccred, &self->m);
	EXPECT_STATUS(SEC_E_OK, st);
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->scred, &self->m));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &self->m.cctx,
					       self->fd, &self->m.sctx,
					       "intact"));
}

TEST_F(params, allocate_memory_reported)
{
	struct kt_hs hs;
	struct kt_isc isc;

	kt_isc_init(&isc, &self->ccred, NULL,
		    KT_ISC_REQ | ISC_REQ_ALLOCATE_MEMORY, NULL, NULL, 0,
		    self->out, OUT_CAP);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	EXPECT_NE(0u, isc.a.context_attr & ISC_RET_ALLOCATED_MEMORY);
	/* the token was written into our buffer all the same */
	EXPECT_EQ(KT_TOKEN_HDR, isc.out[0].cb_buffer);
	EXPECT_EQ(0, memcmp(self->out, "KTST\1", 5));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &isc.a.new_context));

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	hs.creq |= ISC_REQ_ALLOCATE_MEMORY;
	hs.sreq |= ASC_REQ_ALLOCATE_MEMORY;
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	EXPECT_NE(0u, hs.cattr & ISC_RET_ALLOCATED_MEMORY);
	EXPECT_NE(0u, hs.sattr & ASC_RET_ALLOCATED_MEMORY);
	kt_hs_free(&hs);

	/* and not reported when not asked for */
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	EXPECT_EQ(0u, hs.cattr & ISC_RET_ALLOCATED_MEMORY);
	EXPECT_EQ(0u, hs.sattr & ASC_RET_ALLOCATED_MEMORY);
	kt_hs_free(&hs);
}

TEST_F(params, expiry_plausible)
{
	struct kt_hs hs;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	hs.cexpiry = hs.sexpiry = 0;
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	EXPECT_TRUE(kt_timestamp_plausible(hs.cexpiry))
		TH_LOG("  client expiry %lld, now %lld",
		       (long long)hs.cexpiry, (long long)kt_now_timestamp());
	EXPECT_TRUE(kt_timestamp_plausible(hs.sexpiry))
		TH_LOG("  server expiry %lld, now %lld",
		       (long long)hs.sexpiry, (long long)kt_now_timestamp());
	/* an established context does not expire in the past */
	if (hs.cexpiry != KSSPI_TIMESTAMP_NEVER) {
		EXPECT_LE(kt_now_timestamp() - 86400LL * 10000000LL,
			  hs.cexpiry);
	}
	kt_hs_free(&hs);
}

TEST_F(params, reauthentication)
{
	uint8_t t1[T1_CAP], t2[T1_CAP], t3[T1_CAP], out[OUT_CAP];
	uint8_t key_before[64], key_after[64];
	uint32_t l1, l2, l3, kb = sizeof(key_before), ka = sizeof(key_after);
	struct kt_hs hs;
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	ASSERT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "before"));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &hs.cctx,
					      SECPKG_ATTR_SESSION_KEY,
					      key_before, &kb));

	/* client starts over on its established context */
	kt_isc_init(&isc, &hs.ccred, &hs.cctx, KT_ISC_REQ, NULL, NULL, 0, t1,
		    sizeof(t1));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	l1 = isc.out[0].cb_buffer;
	EXPECT_EQ(0, memcmp(t1, "KTST\1", 5));
	/* the old keys keep serving meanwhile, both ways */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "during 1"));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.sctx, self->fd,
					       &hs.cctx, "during 2"));

	kt_asc_init(&asc, &hs.scred, &hs.sctx, KT_ASC_REQ, t1, l1, t2,
		    sizeof(t2));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	l2 = asc.out[0].cb_buffer;
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "during 3"));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.sctx, self->fd,
					       &hs.cctx, "during 4"));

	kt_isc_init(&isc, &hs.ccred, &hs.cctx, KT_ISC_REQ, NULL, t2, l2, t3,
		    sizeof(t3));
	ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->fd, &isc));
	l3 = isc.out[0].cb_buffer;
	kt_asc_init(&asc, &hs.scred, &hs.sctx, KT_ASC_REQ, t3, l3, out,
		    sizeof(out));
	ASSERT_STATUS(SEC_E_OK, kt_asc_call(self->fd, &asc));

	/* the new state serves now */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "after 1"));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.sctx, self->fd,
					       &hs.cctx, "after 2"));
	ASSERT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &hs.cctx,
					      SECPKG_ATTR_SESSION_KEY,
					      key_after, &ka));
	EXPECT_EQ(kb, ka);
	EXPECT_NE(0, memcmp(key_before, key_after, kb))
		TH_LOG("  the session key did not change on reauthentication");
	kt_hs_free(&hs);
}

/* ================================================================== */
/* fContextReq the package cannot honour                               */

FIXTURE(req) {
	int fd;
	struct kt_stats base;
	struct ksspi_handle ccred, scred;
	struct kt_mid m;
	uint8_t out[OUT_CAP];
};

FIXTURE_VARIANT(req) {
	uint32_t isc;
	uint32_t asc;
};

FIXTURE_VARIANT_ADD(req, delegate) {
	.isc = ISC_REQ_DELEGATE, .asc = ASC_REQ_DELEGATE,
};

FIXTURE_VARIANT_ADD(req, prompt_for_creds) {
	.isc = ISC_REQ_PROMPT_FOR_CREDS, .asc = 0x08000000u,
};

FIXTURE_VARIANT_ADD(req, confidentiality) {
	.isc = ISC_REQ_CONFIDENTIALITY, .asc = ASC_REQ_CONFIDENTIALITY,
};

FIXTURE_VARIANT_ADD(req, unknown_top_bit) {
	.isc = 0x80000000u, .asc = 0x80000000u,
};

FIXTURE_VARIANT_ADD(req, unknown_middle_bit) {
	.isc = 0x04000000u, .asc = 0x02000000u,
};

FIXTURE_SETUP(req)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD,
					   &self->ccred));
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_INBOUND,
					   KT_USER, KT_PASSWORD,
					   &self->scred));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->ccred, &self->m));
}

FIXTURE_TEARDOWN(req)
{
	struct kt_stats s;

	kt_mid_delete(self->fd, &self->m);
	EXPECT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/*
 * A request the package cannot honour is accepted and not granted, as
 * Windows' packages do: the legs succeed, the attribute is absent.
 */
TEST_F(req, isc_first_leg)
{
	struct kt_isc isc;

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ | variant->isc, NULL,
		    NULL, 0, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	EXPECT_EQ(0u, isc.a.context_attr & variant->isc & ~KT_ISC_REQ);
	kt_delete_ctx(self->fd, &isc.a.new_context);
	kt_isc_init(&isc, &self->ccred, NULL, variant->isc, NULL, NULL, 0,
		    self->out, OUT_CAP);
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, kt_isc_call(self->fd, &isc));
	EXPECT_EQ(0u, isc.a.context_attr & variant->isc & ~KT_ISC_REQ);
	kt_delete_ctx(self->fd, &isc.a.new_context);
}

TEST_F(req, isc_later_leg)
{
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	kt_isc_init(&isc, &self->ccred, &self->m.cctx,
		    KT_ISC_REQ | variant->isc, NULL, self->m.t2, self->m.l2,
		    self->out, OUT_CAP);
	EXPECT_STATUS(SEC_E_OK, kt_isc_call(self->fd, &isc));
	EXPECT_EQ(0u, isc.a.context_attr & variant->isc & ~KT_ISC_REQ);
}

TEST_F(req, asc_first_leg)
{
	struct kt_asc asc;

	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ | variant->asc,
		    self->m.t1, self->m.l1, self->out, OUT_CAP);
	EXPECT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	EXPECT_EQ(0u, asc.a.context_attr & variant->asc & ~KT_ASC_REQ);
	kt_delete_ctx(self->fd, &asc.a.new_context);
}

TEST_F(req, asc_later_leg)
{
	uint8_t out[OUT_CAP];
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->scred, &self->m));
	ASSERT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->ccred, &self->m));
	kt_asc_init(&asc, &self->scred, &self->m.sctx,
		    KT_ASC_REQ | variant->asc, self->m.t3, self->m.l3, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_OK, kt_asc_call(self->fd, &asc));
	EXPECT_EQ(0u, asc.a.context_attr & variant->asc & ~KT_ASC_REQ);
}

/* ================================================================== */
/* Malformed buffer descriptors, on every descriptor the core parses   */

enum kt_fault {
	F_VERSION, F_NO_BUFFERS, F_UNKNOWN_TYPE, F_HUGE_TYPE,
	F_RESERVED_BIT_29, F_RESERVED_BIT_30, F_NULL_WITH_SIZE,
	F_NULL_BUFFER_ARRAY,
};

FIXTURE(desc) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
	struct kt_mid m;
	uint8_t out[OUT_CAP];
	uint8_t scratch[64];
};

FIXTURE_VARIANT(desc) {
	enum kt_fault fault;
};

FIXTURE_VARIANT_ADD(desc, bad_version) { .fault = F_VERSION };
FIXTURE_VARIANT_ADD(desc, no_buffers) { .fault = F_NO_BUFFERS };
FIXTURE_VARIANT_ADD(desc, unknown_type) { .fault = F_UNKNOWN_TYPE };
FIXTURE_VARIANT_ADD(desc, huge_type) { .fault = F_HUGE_TYPE };
FIXTURE_VARIANT_ADD(desc, reserved_bit_29) { .fault = F_RESERVED_BIT_29 };
FIXTURE_VARIANT_ADD(desc, reserved_bit_30) { .fault = F_RESERVED_BIT_30 };
FIXTURE_VARIANT_ADD(desc, null_pointer_with_size) {
	.fault = F_NULL_WITH_SIZE
};
FIXTURE_VARIANT_ADD(desc, null_buffer_array) {
	.fault = F_NULL_BUFFER_ARRAY
};

/* Break descriptor d (whose token buffer is b[tok]) the variant's way */
static void kt_fault(struct ksspi_sec_buffer_desc *d,
		     struct ksspi_sec_buffer *b, unsigned int tok,
		     enum kt_fault f, void *scratch)
{
	struct ksspi_sec_buffer *x;

	switch (f) {
	case F_VERSION:
		d->ul_version = 1;
		break;
	case F_NO_BUFFERS:
		d->c_buffers = 0;
		break;
	case F_UNKNOWN_TYPE:
	case F_HUGE_TYPE:
		x = &b[d->c_buffers++];
		x->cb_buffer = 8;
		x->buffer_type = f == F_UNKNOWN_TYPE ?
				 KSSPI_SECBUFFER_TYPE_MAX + 1 : 0x0fffffffu;
		x->pv_buffer = kt_ptr(scratch);
		break;
	case F_RESERVED_BIT_29:
		b[tok].buffer_type |= 0x20000000u;
		break;
	case F_RESERVED_BIT_30:
		b[tok].buffer_type |= 0x40000000u;
		break;
	case F_NULL_WITH_SIZE:
		b[tok].pv_buffer = 0;
		break;
	case F_NULL_BUFFER_ARRAY:	/* c_buffers > 0, p_buffers NULL */
		d->p_buffers = 0;
		break;
	}
}

/*
 * The status of a faulted descriptor: a token buffer that claims room but
 * has no memory gives Windows' SEC_E_INTERNAL_ERROR; an ISC output
 * descriptor without buffers is no output at all (SEC_E_BUFFER_TOO_SMALL,
 * as on Windows); anything else is SEC_E_INVALID_PARAMETER.
 */
static uint32_t kt_fault_status(enum kt_fault f, bool isc_output)
{
	if (f == F_NULL_WITH_SIZE)
		return SEC_E_INTERNAL_ERROR;
	if (f == F_NO_BUFFERS && isc_output)
		return SEC_E_BUFFER_TOO_SMALL;
	return SEC_E_INVALID_PARAMETER;
}

FIXTURE_SETUP(desc)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
}

FIXTURE_TEARDOWN(desc)
{
	struct kt_stats s;

	kt_mid_delete(self->fd, &self->m);
	kt_hs_free(&self->hs);
	EXPECT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(desc, isc_output_first_leg)
{
	struct kt_isc isc;

	kt_isc_init(&isc, &self->hs.ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->out, OUT_CAP);
	kt_fault(&isc.a.output, isc.out, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, true),
		      kt_isc_call(self->fd, &isc));
}

TEST_F(desc, isc_input_first_leg)
{
	struct kt_isc isc;

	/* an empty input token is allowed on the first leg... */
	kt_isc_init(&isc, &self->hs.ccred, NULL, KT_ISC_REQ, NULL,
		    self->scratch, 0, self->out, OUT_CAP);
	/* ... a malformed descriptor is not (NULL with size: give a size) */
	if (variant->fault == F_NULL_WITH_SIZE)
		isc.in[0].cb_buffer = 16;
	kt_fault(&isc.a.input, isc.in, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_isc_call(self->fd, &isc));
}

TEST_F(desc, isc_input_later_leg)
{
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->hs.scred, &self->m));
	kt_isc_init(&isc, &self->hs.ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	kt_fault(&isc.a.input, isc.in, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_isc_call(self->fd, &isc));
	/* refused by the core: the context is as it was */
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->hs.ccred, &self->m));
}

TEST_F(desc, isc_output_later_leg)
{
	struct kt_isc isc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->hs.scred, &self->m));
	kt_isc_init(&isc, &self->hs.ccred, &self->m.cctx, KT_ISC_REQ, NULL,
		    self->m.t2, self->m.l2, self->out, OUT_CAP);
	kt_fault(&isc.a.output, isc.out, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, true),
		      kt_isc_call(self->fd, &isc));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->hs.ccred, &self->m));
}

TEST_F(desc, asc_input_first_leg)
{
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &self->m));
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->m.t1,
		    self->m.l1, self->out, OUT_CAP);
	kt_fault(&asc.a.input, asc.in, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_asc_call(self->fd, &asc));
}

TEST_F(desc, asc_output_first_leg)
{
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &self->m));
	kt_asc_init(&asc, &self->hs.scred, NULL, KT_ASC_REQ, self->m.t1,
		    self->m.l1, self->out, OUT_CAP);
	kt_fault(&asc.a.output, asc.out, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_asc_call(self->fd, &asc));
}

TEST_F(desc, asc_input_later_leg)
{
	uint8_t out[OUT_CAP];
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &self->m));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->hs.scred, &self->m));
	ASSERT_STATUS(SEC_E_OK,
		      kt_mid_client2(self->fd, &self->hs.ccred, &self->m));
	kt_asc_init(&asc, &self->hs.scred, &self->m.sctx, KT_ASC_REQ,
		    self->m.t3, self->m.l3, out, sizeof(out));
	kt_fault(&asc.a.input, asc.in, 0, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_asc_call(self->fd, &asc));
	EXPECT_STATUS(SEC_E_OK,
		      kt_mid_server2(self->fd, &self->hs.scred, &self->m));
}

TEST_F(desc, make_signature)
{
	uint8_t data[32] = "message", sig[KT_SIG_LEN];
	struct kt_msg m;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	kt_msg_init(&m, &self->hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	kt_fault(&m.a.message, m.b, 1, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE, &m));
	/* no sequence number consumed */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &self->hs.cctx,
					       self->fd, &self->hs.sctx,
					       "next"));
}

TEST_F(desc, verify_signature)
{
	uint8_t data[32] = "message", sig[KT_SIG_LEN];
	uint32_t sl = 0;
	struct kt_msg m;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->hs.cctx, data,
					sizeof(data), sig, &sl));
	kt_msg_init(&m, &self->hs.sctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sl);
	kt_fault(&m.a.message, m.b, 1, variant->fault, self->scratch);
	EXPECT_STATUS(kt_fault_status(variant->fault, false),
		      kt_msg_call(self->fd, KSSPI_IOC_VERIFY_SIGNATURE, &m));
	/* the genuine message still verifies */
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx, data,
					  sizeof(data), sig, sl));
}

/* ================================================================== */
/* Message functions                                                   */

FIXTURE(msg) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
	uint8_t data[64];
	uint8_t sig[KT_SIG_LEN + 8];
	uint32_t sig_len;
};

FIXTURE_SETUP(msg)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	memset(self->data, 'm', sizeof(self->data));
	ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->hs.cctx, self->data,
					sizeof(self->data), self->sig,
					&self->sig_len));
	ASSERT_EQ(KT_SIG_LEN, self->sig_len);
}

FIXTURE_TEARDOWN(msg)
{
	kt_hs_free(&self->hs);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(msg, invalid_handle)
{
	struct ksspi_handle bogus = self->hs.cctx;
	struct kt_msg m;

	bogus.upper ^= 0x5a5a;
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_sign(self->fd, &bogus, self->data,
			      sizeof(self->data), self->sig, NULL));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_verify(self->fd, &bogus, self->data,
				sizeof(self->data), self->sig, KT_SIG_LEN));
	kt_msg_init(&m, &bogus);
	kt_msg_add(&m, SECBUFFER_TOKEN, self->sig, KT_SIG_LEN);
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_msg_call(self->fd, KSSPI_IOC_DECRYPT_MESSAGE, &m));
}

TEST_F(msg, context_not_established)
{
	struct kt_mid mid;
	uint8_t sig[KT_SIG_LEN] = { 1 };

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &mid));
	EXPECT_STATUS(SEC_E_NO_CONTEXT,
		      kt_sign(self->fd, &mid.cctx, self->data,
			      sizeof(self->data), sig, NULL));
	EXPECT_STATUS(SEC_E_NO_CONTEXT,
		      kt_verify(self->fd, &mid.cctx, self->data,
				sizeof(self->data), self->sig, KT_SIG_LEN));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->hs.scred, &mid));
	EXPECT_STATUS(SEC_E_NO_CONTEXT,
		      kt_verify(self->fd, &mid.sctx, self->data,
				sizeof(self->data), self->sig, KT_SIG_LEN));
	kt_mid_delete(self->fd, &mid);
}

TEST_F(msg, context_failed)
{
	struct kt_hs bad;
	uint8_t sig[KT_SIG_LEN];

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&bad, self->fd, self->fd, KT_USER,
					   "bad password", KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_LOGON_DENIED, kt_hs_run(&bad));
	ASSERT_EQ(4, bad.failed_leg);
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_sign(self->fd, &bad.sctx, self->data,
			      sizeof(self->data), sig, NULL));
	EXPECT_STATUS(SEC_E_CONTEXT_EXPIRED,
		      kt_verify(self->fd, &bad.sctx, self->data,
				sizeof(self->data), self->sig, KT_SIG_LEN));
	kt_hs_free(&bad);
}

TEST_F(msg, no_token_buffer)
{
	struct kt_msg m;

	kt_msg_init(&m, &self->hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE, &m));
	kt_msg_init(&m, &self->hs.sctx);
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	kt_msg_add(&m, SECBUFFER_PADDING, self->sig, KT_SIG_LEN);
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_msg_call(self->fd, KSSPI_IOC_VERIFY_SIGNATURE, &m));
	/* the one signature made in setup still verifies */
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx, self->data,
					  sizeof(self->data), self->sig,
					  KT_SIG_LEN));
}

TEST_F(msg, qop_not_supported)
{
	uint8_t sig[KT_SIG_LEN];
	struct kt_msg m;

	kt_msg_init(&m, &self->hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	m.a.qop = 1;
	EXPECT_STATUS(SEC_E_QOP_NOT_SUPPORTED,
		      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE, &m));
	m.a.qop = 0x80000000u;
	EXPECT_STATUS(SEC_E_QOP_NOT_SUPPORTED,
		      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE, &m));
}

TEST_F(msg, signature_buffer_too_small)
{
	static const uint32_t sizes[] = { 1, 16, KT_SIG_LEN - 1 };
	uint8_t sig[KT_SIG_LEN];
	struct kt_msg m;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		kt_msg_init(&m, &self->hs.cctx);
		kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
		kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizes[i]);
		EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
			      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE,
					  &m))
			TH_LOG("  token buffer of %u bytes", sizes[i]);
	}
	/* a larger buffer is fine: the signature is 24 bytes */
	kt_msg_init(&m, &self->hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	kt_msg_add(&m, SECBUFFER_TOKEN, self->sig, sizeof(self->sig));
	EXPECT_STATUS(SEC_E_OK,
		      kt_msg_call(self->fd, KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_EQ(KT_SIG_LEN, m.b[1].cb_buffer);
}

TEST_F(msg, verify_token_of_wrong_size)
{
	static const uint32_t sizes[] = { 1, 8, KT_SIG_LEN - 1,
					  KT_SIG_LEN + 1 };
	struct kt_msg m;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		kt_msg_init(&m, &self->hs.sctx);
		kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
		kt_msg_add(&m, SECBUFFER_TOKEN, self->sig, sizes[i]);
		EXPECT_STATUS(SEC_E_INVALID_TOKEN,
			      kt_msg_call(self->fd, KSSPI_IOC_VERIFY_SIGNATURE,
					  &m))
			TH_LOG("  signature of %u bytes", sizes[i]);
	}
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx, self->data,
					  sizeof(self->data), self->sig,
					  KT_SIG_LEN));
}

TEST_F(msg, verify_token_of_wrong_version)
{
	uint8_t sig[KT_SIG_LEN];

	ASSERT_EQ(1u, kt_sig_version(self->sig));
	memcpy(sig, self->sig, sizeof(sig));
	sig[0] = 2;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_verify(self->fd, &self->hs.sctx, self->data,
				sizeof(self->data), sig, sizeof(sig)));
	memcpy(sig, self->sig, sizeof(sig));
	sig[3] = 0x80;
	EXPECT_STATUS(SEC_E_INVALID_TOKEN,
		      kt_verify(self->fd, &self->hs.sctx, self->data,
				sizeof(self->data), sig, sizeof(sig)));
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx, self->data,
					  sizeof(self->data), self->sig,
					  KT_SIG_LEN));
}

TEST_F(msg, signature_mismatch)
{
	uint8_t sig[KT_SIG_LEN];

	memcpy(sig, self->sig, sizeof(sig));
	sig[KT_SIG_LEN - 1] ^= 1;
	EXPECT_STATUS(SEC_E_MESSAGE_ALTERED,
		      kt_verify(self->fd, &self->hs.sctx, self->data,
				sizeof(self->data), sig, sizeof(sig)));
}

TEST_F(msg, out_of_sequence)
{
	ASSERT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx, self->data,
					  sizeof(self->data), self->sig,
					  KT_SIG_LEN));
	EXPECT_STATUS(SEC_E_OUT_OF_SEQUENCE,
		      kt_verify(self->fd, &self->hs.sctx, self->data,
				sizeof(self->data), self->sig, KT_SIG_LEN));
}

TEST_F(msg, encrypt_decrypt_unsupported)
{
	uint8_t tok[KT_SIG_LEN + 64];
	struct kt_msg m;

	kt_msg_init(&m, &self->hs.cctx);
	kt_msg_add(&m, SECBUFFER_TOKEN, tok, sizeof(tok));
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      kt_msg_call(self->fd, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	kt_msg_init(&m, &self->hs.sctx);
	kt_msg_add(&m, SECBUFFER_TOKEN, tok, sizeof(tok));
	kt_msg_add(&m, SECBUFFER_DATA, self->data, sizeof(self->data));
	EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
		      kt_msg_call(self->fd, KSSPI_IOC_DECRYPT_MESSAGE, &m));
}

TEST_F(msg, complete_token_invalid_handle)
{
	struct ksspi_complete_token ct;
	struct ksspi_sec_buffer b = { 0, SECBUFFER_TOKEN, 0 };
	struct ksspi_handle bogus = { ~0ull, 0 };
	int ret;

	/* CompleteAuthToken checks its handle like every other function */
	memset(&ct, 0, sizeof(ct));
	ct.size = sizeof(ct);
	ct.context = bogus;
	ct.token.ul_version = SECBUFFER_VERSION;
	ct.token.c_buffers = 1;
	ct.token.p_buffers = kt_ptr(&b);
	ret = kt_ioctl(self->fd, KSSPI_IOC_COMPLETE_TOKEN, &ct);
	ASSERT_ERRNO(0, ret);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, ct.status);
}

/*
 * Only what a function changes goes back to the caller: MakeSignature
 * writes the signature alone, VerifySignature nothing, so read-only data
 * (and, for VerifySignature, a read-only signature) is fine.
 */
TEST_F(msg, signatures_write_back_only_the_token)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t sig[KT_SIG_LEN];
	uint32_t sl = 0;

	ASSERT_NE(MAP_FAILED, ro);
	/* the fixture's message first, for the sequence numbers */
	ASSERT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx,
					  self->data, sizeof(self->data),
					  self->sig, self->sig_len));
	memcpy(ro, "read-only message", 17);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_STATUS(SEC_E_OK, kt_sign(self->fd, &self->hs.cctx, ro, 17, sig,
					&sl));
	EXPECT_EQ(KT_SIG_LEN, sl);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ | PROT_WRITE));
	memcpy(ro + 64, sig, sl);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	EXPECT_STATUS(SEC_E_OK, kt_verify(self->fd, &self->hs.sctx, ro, 17,
					  ro + 64, sl));
	munmap(ro, page);
}

/* CompleteAuthToken has nothing to complete: it reads no buffer. */
TEST_F(msg, complete_token_reads_no_buffer)
{
	long page = sysconf(_SC_PAGESIZE);
	void *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	struct ksspi_sec_buffer b = { 16, SECBUFFER_TOKEN, kt_ptr(none) };
	struct ksspi_complete_token ct;

	ASSERT_NE(MAP_FAILED, none);
	memset(&ct, 0, sizeof(ct));
	ct.size = sizeof(ct);
	ct.context = self->hs.cctx;
	ct.token.ul_version = SECBUFFER_VERSION;
	ct.token.c_buffers = 1;
	ct.token.p_buffers = kt_ptr(&b);
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_COMPLETE_TOKEN, &ct));
	EXPECT_STATUS(SEC_E_OK, ct.status);
	munmap(none, page);
}

/* ================================================================== */
/* AcquireCredentialsHandle                                            */

FIXTURE(acquire) {
	int fd;
	struct kt_stats base;
};

FIXTURE_SETUP(acquire)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(acquire)
{
	struct kt_stats s;

	/* a refused acquire creates nothing */
	EXPECT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live, s.credentials_live);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(acquire, unknown_package)
{
	static const char *const names[] = {
		"NoSuchPackage", "KsspiTest2", "KsspiTes", "Ksspi Test",
	};
	struct ksspi_acquire_credentials a;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER,
				KT_PASSWORD, NULL);
		a.package = kt_ptr(names[i]);
		a.package_len = strlen(names[i]);
		EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
			      kt_acquire_call(self->fd, &a))
			TH_LOG("  package '%s'", names[i]);
	}
}

TEST_F(acquire, empty_package)
{
	struct ksspi_acquire_credentials a;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.package_len = 0;
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND, kt_acquire_call(self->fd, &a));
	a.package = 0;
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND, kt_acquire_call(self->fd, &a));
}

TEST_F(acquire, package_name_with_nul)
{
	struct ksspi_acquire_credentials a;
	static const char name[] = "KsspiTest\0";

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.package = kt_ptr(name);
	a.package_len = sizeof(name) - 1;	/* includes one NUL */
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND, kt_acquire_call(self->fd, &a));
}

TEST_F(acquire, bad_credential_use)
{
	static const uint32_t uses[] = {
		0, SECPKG_CRED_DEFAULT, 8, SECPKG_CRED_BOTH | 4, 0xffffffffu,
	};
	struct ksspi_acquire_credentials a;
	size_t i;

	for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		kt_acquire_init(&a, uses[i], KT_USER, KT_PASSWORD, NULL);
		EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
			      kt_acquire_call(self->fd, &a))
			TH_LOG("  fCredentialUse 0x%x", uses[i]);
	}
}

TEST_F(acquire, every_good_credential_use)
{
	static const uint32_t uses[] = {
		SECPKG_CRED_INBOUND, SECPKG_CRED_OUTBOUND, SECPKG_CRED_BOTH,
	};
	struct ksspi_handle c;
	size_t i;

	for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		EXPECT_STATUS(SEC_E_OK, kt_acquire(self->fd, uses[i], KT_USER,
						   KT_PASSWORD, &c));
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
	}
}

/* An empty user name with a domain and password: Windows accepts it. */
TEST_F(acquire, empty_user)
{
	struct ksspi_acquire_credentials a;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, "", KT_PASSWORD, "DOMAIN");
	EXPECT_STATUS(SEC_E_OK, kt_acquire_call(self->fd, &a));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a.credential));
	kt_acquire_init(&a, SECPKG_CRED_INBOUND, NULL, KT_PASSWORD, NULL);
	EXPECT_STATUS(SEC_E_OK, kt_acquire_call(self->fd, &a));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a.credential));
}

TEST_F(acquire, nul_inside_names)
{
	static const char user[] = "self\0test", dom[] = "DOM\0AIN";
	struct ksspi_acquire_credentials a;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.user = kt_ptr(user);
	a.user_len = sizeof(user) - 1;
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS, kt_acquire_call(self->fd, &a));

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.user = kt_ptr(user);
	a.user_len = 5;		/* "self" plus a trailing NUL */
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS, kt_acquire_call(self->fd, &a));

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.domain = kt_ptr(dom);
	a.domain_len = sizeof(dom) - 1;
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS, kt_acquire_call(self->fd, &a));
}

TEST_F(acquire, domain_accepted)
{
	struct ksspi_acquire_credentials a;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD,
			"EXAMPLE");
	ASSERT_STATUS(SEC_E_OK, kt_acquire_call(self->fd, &a));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a.credential));
}

/* KSSPI_IDENTITY_KEY: the key checks are the core's */
#define KT_KEY_POS_VIEW	0x01000000u
#define KT_KEY_USR_VIEW	0x00010000u

static int32_t kt_add_key(const char *type, const char *desc,
			  const void *payload, size_t plen)
{
	return (int32_t)syscall(SYS_add_key, type, desc, payload, plen,
				KEY_SPEC_PROCESS_KEYRING);
}

static uint32_t kt_acquire_key(int fd, int32_t serial)
{
	struct ksspi_acquire_credentials a;
	uint32_t st;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL);
	a.identity_type = KSSPI_IDENTITY_KEY;
	a.key_serial = (uint32_t)serial;
	st = kt_acquire_call(fd, &a);
	if (st == SEC_E_OK)
		kt_free_cred(fd, &a.credential);
	return st;
}

TEST_F(acquire, key_revoked_or_missing)
{
	int32_t serial = kt_add_key("user", "ksspi-selftest-gone", "x", 1);

	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_REVOKE, serial));
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS,
		      kt_acquire_key(self->fd, serial));
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS,
		      kt_acquire_key(self->fd, 0x7ffffff0));
}

TEST_F(acquire, key_of_wrong_type)
{
	int32_t serial = (int32_t)syscall(SYS_add_key, "keyring",
					  "ksspi-selftest-ring", NULL, 0,
					  KEY_SPEC_PROCESS_KEYRING);

	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS,
		      kt_acquire_key(self->fd, serial));
}

TEST_F(acquire, key_unreadable)
{
	int32_t serial = kt_add_key("user", "ksspi-selftest-noread",
				    "user\0password", 14);

	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	/* view only: possessor and owner may see it, not read it */
	ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_SETPERM, serial,
			     KT_KEY_POS_VIEW | KT_KEY_USR_VIEW));
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS,
		      kt_acquire_key(self->fd, serial));
}

/* ================================================================== */
/* QueryContextAttributes, Export, Import                              */

FIXTURE(attr) {
	int fd;
	struct kt_stats base;
	struct kt_hs hs;
};

FIXTURE_SETUP(attr)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&self->hs, self->fd, self->fd,
					   KT_USER, KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
}

FIXTURE_TEARDOWN(attr)
{
	kt_hs_free(&self->hs);
	close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

TEST_F(attr, unknown_attribute)
{
	static const uint32_t attrs[] = { 0x7777, 0xffff, 0x80000000u };
	uint8_t buf[1024];
	uint32_t len;
	size_t i;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		len = sizeof(buf);
		EXPECT_STATUS(SEC_E_UNSUPPORTED_FUNCTION,
			      kt_query_attr(self->fd, &self->hs.cctx, attrs[i],
					    buf, &len))
			TH_LOG("  attribute 0x%x", attrs[i]);
	}
}

TEST_F(attr, buffer_too_small_reports_size)
{
	struct {
		uint32_t attr, give, need;
	} cases[] = {
		{ SECPKG_ATTR_SIZES, 4, sizeof(struct ksspi_attr_sizes) },
		{ SECPKG_ATTR_SIZES, 0, sizeof(struct ksspi_attr_sizes) },
		{ SECPKG_ATTR_LIFESPAN, 15, sizeof(struct ksspi_attr_lifespan) },
		{ SECPKG_ATTR_FLAGS, 4, sizeof(struct ksspi_attr_flags) },
		{ SECPKG_ATTR_PACKAGE_INFO, 8,
		  sizeof(struct ksspi_package_info) },
		{ SECPKG_ATTR_NEGOTIATION_INFO, 8,
		  sizeof(struct ksspi_attr_negotiation_info) },
		{ SECPKG_ATTR_NAMES, 1, sizeof(KT_USER) },
		{ SECPKG_ATTR_NAMES, sizeof(KT_USER) - 1, sizeof(KT_USER) },
		{ SECPKG_ATTR_SESSION_KEY, 0, KT_SESSION_KEY_LEN },
		{ SECPKG_ATTR_SESSION_KEY, KT_SESSION_KEY_LEN - 1,
		  KT_SESSION_KEY_LEN },
	};
	uint8_t buf[1024];
	uint32_t len;
	size_t i;

	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].give;
		EXPECT_STATUS(SEC_E_BUFFER_TOO_SMALL,
			      kt_query_attr(self->fd, &self->hs.cctx,
					    cases[i].attr,
					    cases[i].give ? buf : NULL, &len))
			TH_LOG("  attribute %u, %u bytes", cases[i].attr,
			       cases[i].give);
		EXPECT_EQ(cases[i].need, len)
			TH_LOG("  attribute %u: needed size", cases[i].attr);
		/* with exactly that much it works */
		len = cases[i].need;
		EXPECT_STATUS(SEC_E_OK,
			      kt_query_attr(self->fd, &self->hs.cctx,
					    cases[i].attr, buf, &len))
			TH_LOG("  attribute %u, %u bytes", cases[i].attr,
			       cases[i].need);
		EXPECT_EQ(cases[i].need, len);
	}
}

TEST_F(attr, names_key_lifespan_need_established_context)
{
	static const uint32_t attrs[] = {
		SECPKG_ATTR_NAMES, SECPKG_ATTR_SESSION_KEY,
		SECPKG_ATTR_LIFESPAN,
	};
	struct ksspi_attr_negotiation_info ni;
	struct ksspi_package_info pi;
	uint8_t buf[1024];
	struct kt_mid mid;
	uint32_t len;
	size_t i;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &mid));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->hs.scred, &mid));
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		len = sizeof(buf);
		EXPECT_STATUS(SEC_E_NO_CONTEXT,
			      kt_query_attr(self->fd, &mid.cctx, attrs[i], buf,
					    &len))
			TH_LOG("  attribute %u on the client", attrs[i]);
		len = sizeof(buf);
		EXPECT_STATUS(SEC_E_NO_CONTEXT,
			      kt_query_attr(self->fd, &mid.sctx, attrs[i], buf,
					    &len))
			TH_LOG("  attribute %u on the server", attrs[i]);
	}
	/* these are answered during the handshake */
	len = sizeof(pi);
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &mid.cctx,
					      SECPKG_ATTR_PACKAGE_INFO, &pi,
					      &len));
	EXPECT_STREQ(KT_PKG, pi.name);
	len = sizeof(ni);
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &mid.cctx,
					      SECPKG_ATTR_NEGOTIATION_INFO,
					      &ni, &len));
	EXPECT_EQ(SECPKG_NEGOTIATION_IN_PROGRESS, ni.negotiation_state);
	EXPECT_STREQ(KT_PKG, ni.package.name);
	kt_mid_delete(self->fd, &mid);
}

TEST_F(attr, export_needs_established_context)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	struct kt_mid mid;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_client(self->fd, &self->hs.ccred, &mid));
	EXPECT_STATUS(SEC_E_NO_CONTEXT,
		      kt_export(self->fd, &mid.cctx, 0, blob, &len));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_mid_server(self->fd, &self->hs.scred, &mid));
	len = KSSPI_MAX_CONTEXT_BLOB;
	EXPECT_STATUS(SEC_E_NO_CONTEXT,
		      kt_export(self->fd, &mid.sctx, 0, blob, &len));
	kt_mid_delete(self->fd, &mid);
	free(blob);
}

TEST_F(attr, import_unknown_package)
{
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;
	struct ksspi_handle x;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&self->hs));
	ASSERT_STATUS(SEC_E_OK, kt_export(self->fd, &self->hs.cctx, 0, blob,
					  &len));
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
		      kt_import(self->fd, "NoSuchPackage", blob, len, &x));
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
		      kt_import(self->fd, "", blob, len, &x));
	free(blob);
}

TEST_HARNESS_MAIN
