// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_handles: CredHandle / CtxtHandle lifecycle and isolation.  A handle
 * is {slot index, generation tag}, valid only on the open file that created
 * it; everything else (freed, forged, another fd's, another process', the
 * other kind's) is SEC_E_INVALID_HANDLE and must reach no object.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "ksspi_harness.h"

FIXTURE(handles) {
	int fd;
	struct kt_stats base;
};

FIXTURE_SETUP(handles)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	ASSERT_LE(0, self->base.credentials_live);
	ASSERT_LE(0, self->base.contexts_live);
	ASSERT_LE(0, self->base.pkg_credentials)
		TH_LOG("no 'package %s' line in %s (test_package=1?)",
		       KT_PKG, KT_STATS);
	self->fd = kt_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", KT_DEV,
				       strerror(-self->fd));
}

FIXTURE_TEARDOWN(handles)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* Every handle-taking entry point must refuse h on fd */
static void kt_expect_refused_everywhere(struct __test_metadata *_metadata,
					 int fd, const struct ksspi_handle *h,
					 const struct ksspi_handle *cred)
{
	uint8_t tok[64] = "KTST", out[4096], sig[KT_SIG_LEN], data[8] = "d";
	uint32_t len = sizeof(out);
	struct kt_isc isc;
	struct kt_asc asc;

	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_free_cred(fd, h));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_delete_ctx(fd, h));
	/* as phCredential of a first call */
	kt_isc_init(&isc, h, NULL, KT_ISC_REQ, NULL, NULL, 0, out, sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(fd, &isc));
	kt_asc_init(&asc, h, NULL, KT_ASC_REQ, tok, KT_TOKEN_HDR, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_asc_call(fd, &asc));
	/* as phContext of a later call */
	kt_isc_init(&isc, cred, h, KT_ISC_REQ, NULL, tok, KT_TOKEN_HDR, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(fd, &isc));
	kt_asc_init(&asc, NULL, h, KT_ASC_REQ, tok, KT_TOKEN_HDR, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_asc_call(fd, &asc));
	/* message functions, attributes, export */
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_sign(fd, h, data, sizeof(data), sig, NULL));
	memset(sig, 0, sizeof(sig));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_verify(fd, h, data, sizeof(data), sig, sizeof(sig)));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_query_attr(fd, h, SECPKG_ATTR_SIZES, out, &len));
	len = sizeof(out);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_query_attr(fd, h, SECPKG_ATTR_PACKAGE_INFO, out,
				    &len));
	len = sizeof(out);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_export(fd, h, 0, out, &len));
}

TEST_F(handles, acquire_free_lifecycle)
{
	struct ksspi_acquire_credentials a;
	struct kt_stats s;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.expiry = 0;
	ASSERT_STATUS(SEC_E_OK, kt_acquire_call(self->fd, &a));
	EXPECT_TRUE(kt_timestamp_plausible(a.expiry))
		TH_LOG("  credential expiry %lld", (long long)a.expiry);
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 1, s.credentials_live);
	EXPECT_EQ(self->base.pkg_credentials + 1, s.pkg_credentials);
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);

	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a.credential));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live, s.credentials_live);
	EXPECT_EQ(self->base.pkg_credentials, s.pkg_credentials);
}

TEST_F(handles, free_credentials_twice)
{
	struct ksspi_handle c;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_INBOUND,
					   KT_USER, KT_PASSWORD, &c));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_free_cred(self->fd, &c));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_free_cred(self->fd, &c));
}

TEST_F(handles, delete_context_twice)
{
	struct ksspi_handle c, x;
	struct kt_stats s;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_delete_ctx(self->fd, &x));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, zero_handle_refused)
{
	struct ksspi_handle zero = { 0, 0 }, c;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	if (!kt_handle_eq(&zero, &c))
		kt_expect_refused_everywhere(_metadata, self->fd, &zero, &c);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, forged_random_handles)
{
	struct ksspi_handle c, x, h;
	struct kt_stats s;
	int i, tried = 0, refused = 0;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	for (i = 0; i < 2000; i++) {
		kt_random(&h, sizeof(h));
		if (i % 4 == 1)
			h.lower &= 0xff;	/* a plausible slot */
		if (i % 4 == 2)
			h.lower &= 0xffff;
		if (kt_handle_eq(&h, &c) || kt_handle_eq(&h, &x))
			continue;
		tried++;
		if (kt_free_cred(self->fd, &h) == SEC_E_INVALID_HANDLE &&
		    kt_delete_ctx(self->fd, &h) == SEC_E_INVALID_HANDLE)
			refused++;
		else
			TH_LOG("forged handle {%llx,%llx} accepted",
			       (unsigned long long)h.lower,
			       (unsigned long long)h.upper);
	}
	EXPECT_EQ(tried, refused);
	kt_random(&h, sizeof(h));
	kt_expect_refused_everywhere(_metadata, self->fd, &h, &c);

	/* the real objects were not touched */
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 1, s.credentials_live);
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, forged_generation_tag)
{
	struct ksspi_handle c, x, h;
	uint64_t tweaks[5];
	int i;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	tweaks[0] = 1;
	tweaks[1] = 0x100;
	tweaks[2] = 1ull << 63;
	tweaks[3] = ~0ull;
	kt_random(&tweaks[4], sizeof(tweaks[4]));
	for (i = 0; i < 5; i++) {
		h = c;
		h.upper ^= tweaks[i];
		if (!kt_handle_eq(&h, &x))
			kt_expect_refused_everywhere(_metadata, self->fd, &h,
						     &c);
		h = x;
		h.upper ^= tweaks[i];
		if (!kt_handle_eq(&h, &c))
			kt_expect_refused_everywhere(_metadata, self->fd, &h,
						     &c);
	}
	h = c;
	h.upper = 0;
	if (!kt_handle_eq(&h, &c) && !kt_handle_eq(&h, &x))
		kt_expect_refused_everywhere(_metadata, self->fd, &h, &c);
	/* both still work */
	{
		uint32_t len = 256;
		uint8_t buf[256];

		EXPECT_STATUS(SEC_E_OK,
			      kt_query_attr(self->fd, &x,
					    SECPKG_ATTR_PACKAGE_INFO, buf,
					    &len));
	}
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, forged_slot_index)
{
	struct ksspi_handle c, x, h;
	static const uint64_t tweaks[] = { 1, 2, 0x10, 0x1000, 1ull << 32,
					   1ull << 63, ~0ull };
	size_t i;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	for (i = 0; i < sizeof(tweaks) / sizeof(tweaks[0]); i++) {
		h = c;
		h.lower ^= tweaks[i];
		if (!kt_handle_eq(&h, &x))
			kt_expect_refused_everywhere(_metadata, self->fd, &h,
						     &c);
		h = x;
		h.lower ^= tweaks[i];
		if (!kt_handle_eq(&h, &c))
			kt_expect_refused_everywhere(_metadata, self->fd, &h,
						     &c);
	}
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, handles_are_distinct)
{
	enum { N = 256 };
	struct ksspi_handle *h = calloc(N + 16, sizeof(*h));
	int i, j, n = 0;

	ASSERT_NE(NULL, h);
	for (i = 0; i < N; i++) {
		ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd,
						   SECPKG_CRED_OUTBOUND,
						   KT_USER, KT_PASSWORD,
						   &h[n]));
		n++;
	}
	for (i = 0; i < 16; i++) {
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_partial_ctx(self->fd, &h[0], &h[n], NULL,
					     NULL));
		n++;
	}
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			ASSERT_FALSE(kt_handle_eq(&h[i], &h[j]))
				TH_LOG("  objects %d and %d share a handle",
				       i, j);
		}
	}
	for (i = N; i < n; i++) {
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &h[i]));
	}
	for (i = 0; i < N; i++) {
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &h[i]));
	}
	free(h);
}

TEST_F(handles, handle_from_other_fd)
{
	struct ksspi_handle mine[4], theirs_c, theirs_x;
	int fd2 = kt_open(), i, n = 0;

	ASSERT_LE(0, fd2);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(fd2, SECPKG_CRED_OUTBOUND, KT_USER,
					   KT_PASSWORD, &theirs_c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(fd2, &theirs_c, &theirs_x, NULL, NULL));

	/* this fd has objects of its own, none with the same handle */
	for (i = 0; i < 8 && n < 2; i++) {
		struct ksspi_handle c;

		ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd,
						   SECPKG_CRED_OUTBOUND,
						   KT_USER, KT_PASSWORD, &c));
		if (kt_handle_eq(&c, &theirs_c) ||
		    kt_handle_eq(&c, &theirs_x)) {
			EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
		} else {
			mine[n++] = c;
		}
	}
	ASSERT_EQ(2, n) TH_LOG("  could not get handles distinct from fd2's");
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &mine[0], &mine[2], NULL, NULL));
	ASSERT_FALSE(kt_handle_eq(&mine[2], &theirs_c));
	ASSERT_FALSE(kt_handle_eq(&mine[2], &theirs_x));

	kt_expect_refused_everywhere(_metadata, self->fd, &theirs_c, &mine[0]);
	kt_expect_refused_everywhere(_metadata, self->fd, &theirs_x, &mine[0]);
	/* and the other way round */
	kt_expect_refused_everywhere(_metadata, fd2, &mine[0], &theirs_c);
	kt_expect_refused_everywhere(_metadata, fd2, &mine[2], &theirs_c);

	/* nothing was freed by the attempts */
	{
		uint32_t len = 256;
		uint8_t buf[256];

		EXPECT_STATUS(SEC_E_OK, kt_query_attr(fd2, &theirs_x,
						      SECPKG_ATTR_PACKAGE_INFO,
						      buf, &len));
	}
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(fd2, &theirs_x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(fd2, &theirs_c));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &mine[2]));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &mine[0]));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &mine[1]));
	close(fd2);
}

/* A dup()ed descriptor is the same open file: same handle table */
TEST_F(handles, dup_fd_shares_handles)
{
	struct ksspi_handle c, x;
	struct kt_stats s;
	int fd = kt_open(), dfd;

	ASSERT_LE(0, fd);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
					   KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(fd, &c, &x, NULL, NULL));
	dfd = dup(fd);
	ASSERT_LE(0, dfd);
	close(fd);
	/* the open file lives on through dfd */
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 1, s.credentials_live);
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(dfd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(dfd, &c));
	close(dfd);
}

struct kt_child_result {
	int ready;
	int collision;
	uint32_t st[2][16];
	int n[2];
};

static void kt_child_try(struct kt_child_result *r, int round, int fd,
			 const struct ksspi_handle *pc,
			 const struct ksspi_handle *px,
			 const struct ksspi_handle *own)
{
	uint8_t tok[64] = "KTST", out[4096], data[8] = "d", sig[KT_SIG_LEN];
	uint32_t len = sizeof(out);
	struct kt_isc isc;
	int n = 0;

	r->st[round][n++] = kt_free_cred(fd, pc);
	r->st[round][n++] = kt_delete_ctx(fd, px);
	r->st[round][n++] = kt_free_cred(fd, px);
	r->st[round][n++] = kt_delete_ctx(fd, pc);
	kt_isc_init(&isc, pc, NULL, KT_ISC_REQ, NULL, NULL, 0, out,
		    sizeof(out));
	r->st[round][n++] = kt_isc_call(fd, &isc);
	kt_isc_init(&isc, own, px, KT_ISC_REQ, NULL, tok, KT_TOKEN_HDR, out,
		    sizeof(out));
	r->st[round][n++] = kt_isc_call(fd, &isc);
	r->st[round][n++] = kt_query_attr(fd, px, SECPKG_ATTR_PACKAGE_INFO,
					  out, &len);
	r->st[round][n++] = kt_sign(fd, px, data, sizeof(data), sig, NULL);
	r->n[round] = n;
}

TEST_F(handles, handle_from_other_process)
{
	struct kt_child_result *r = kt_shared_alloc(sizeof(*r));
	struct ksspi_handle pc, px;
	struct kt_stats s;
	pid_t pid;
	int i, round;

	ASSERT_NE(NULL, r);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &pc));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &pc, &px, NULL, NULL));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ksspi_handle own[4];
		int fd, k;

		close(self->fd);	/* only its own descriptor */
		fd = kt_open();
		if (fd < 0)
			_exit(2);
		/* round 0: an empty table */
		kt_child_try(r, 0, fd, &pc, &px, &pc);
		/* round 1: with objects of its own */
		for (k = 0; k < 4; k++) {
			if (kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
				       KT_PASSWORD, &own[k]) != SEC_E_OK)
				_exit(3);
			if (kt_handle_eq(&own[k], &pc) ||
			    kt_handle_eq(&own[k], &px))
				r->collision = 1;
		}
		if (!r->collision)
			kt_child_try(r, 1, fd, &pc, &px, &own[0]);
		r->ready = 1;
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid, 20000));
	ASSERT_EQ(1, r->ready);
	for (round = 0; round < 2; round++) {
		if (round == 1 && r->collision) {
			kt_diag("child's own handles collided with the "
				"parent's values; round 1 skipped");
			continue;
		}
		ASSERT_EQ(8, r->n[round]);
		for (i = 0; i < r->n[round]; i++) {
			EXPECT_STATUS(SEC_E_INVALID_HANDLE, r->st[round][i])
				TH_LOG("  round %d, call %d", round, i);
		}
	}
	/* the parent's objects are intact */
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 1, s.credentials_live);
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &px));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &pc));
	munmap(r, sizeof(*r));
}

TEST_F(handles, context_handle_is_not_a_credential)
{
	struct ksspi_handle c, x;
	uint8_t out[4096];
	uint32_t len = sizeof(out);
	struct kt_isc isc;
	struct kt_asc asc;
	struct kt_stats s;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_BOTH,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_free_cred(self->fd, &x));
	kt_isc_init(&isc, &x, NULL, KT_ISC_REQ, NULL, NULL, 0, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(self->fd, &isc));
	kt_asc_init(&asc, &x, NULL, KT_ASC_REQ, "KTST", 4, out, sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_asc_call(self->fd, &asc));
	/* the context is still there and still usable */
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_query_attr(self->fd, &x,
					      SECPKG_ATTR_PACKAGE_INFO, out,
					      &len));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, credential_handle_is_not_a_context)
{
	struct ksspi_handle c, x;
	uint8_t out[4096], data[8] = "d", sig[KT_SIG_LEN];
	uint32_t len = sizeof(out);
	struct kt_isc isc;
	struct kt_stats s;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_delete_ctx(self->fd, &c));
	kt_isc_init(&isc, &c, &c, KT_ISC_REQ, NULL, "KTST", 4, out,
		    sizeof(out));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_isc_call(self->fd, &isc));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_sign(self->fd, &c, data, sizeof(data), sig, NULL));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_query_attr(self->fd, &c, SECPKG_ATTR_PACKAGE_INFO,
				    out, &len));
	len = sizeof(out);
	EXPECT_STATUS(SEC_E_INVALID_HANDLE,
		      kt_export(self->fd, &c, 0, out, &len));
	/* the credential still works */
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 1, s.credentials_live);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, stale_credential_handle)
{
	struct ksspi_handle c, keep;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &keep));
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
	kt_expect_refused_everywhere(_metadata, self->fd, &c, &keep);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &keep));
}

TEST_F(handles, stale_context_handle)
{
	struct ksspi_handle c, x;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &c, &x, NULL, NULL));
	ASSERT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	kt_expect_refused_everywhere(_metadata, self->fd, &x, &c);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

/*
 * Free an object, then create new ones until one lands in the freed slot
 * (same lower word).  The old handle must not reach the new object.
 */
static void kt_slot_reuse(struct __test_metadata *_metadata, int fd,
			  bool old_is_ctx, bool new_is_ctx)
{
	enum { TRIES = 64 };
	struct ksspi_handle keep, old, fresh[TRIES];
	struct kt_stats s1, s2;
	int i, n = 0, hit = -1;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
					   KT_PASSWORD, &keep));
	if (old_is_ctx) {
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_partial_ctx(fd, &keep, &old, NULL, NULL));
		ASSERT_STATUS(SEC_E_OK, kt_delete_ctx(fd, &old));
	} else {
		ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND,
						   KT_USER, KT_PASSWORD,
						   &old));
		ASSERT_STATUS(SEC_E_OK, kt_free_cred(fd, &old));
	}
	for (i = 0; i < TRIES && hit < 0; i++) {
		if (new_is_ctx) {
			ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
				      kt_partial_ctx(fd, &keep, &fresh[n],
						     NULL, NULL));
		} else {
			ASSERT_STATUS(SEC_E_OK,
				      kt_acquire(fd, SECPKG_CRED_OUTBOUND,
						 KT_USER, KT_PASSWORD,
						 &fresh[n]));
		}
		ASSERT_FALSE(kt_handle_eq(&old, &fresh[n]))
			TH_LOG("  a new object got the freed handle back");
		if (fresh[n].lower == old.lower)
			hit = n;
		n++;
	}
	if (hit < 0)
		kt_diag("no slot reuse within %d allocations: checked the "
			"stale handle only", TRIES);

	ASSERT_EQ(0, kt_stats_read(&s1));
	kt_expect_refused_everywhere(_metadata, fd, &old, &keep);
	ASSERT_EQ(0, kt_stats_read(&s2));
	EXPECT_EQ(s1.credentials_live, s2.credentials_live)
		TH_LOG("  the stale handle freed a live credential");
	EXPECT_EQ(s1.contexts_live, s2.contexts_live)
		TH_LOG("  the stale handle deleted a live context");

	for (i = 0; i < n; i++) {
		if (new_is_ctx) {
			EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(fd, &fresh[i]))
				TH_LOG("  object %d (slot reused: %d)", i,
				       i == hit);
		} else {
			EXPECT_STATUS(SEC_E_OK, kt_free_cred(fd, &fresh[i]))
				TH_LOG("  object %d (slot reused: %d)", i,
				       i == hit);
		}
	}
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(fd, &keep));
}

TEST_F(handles, slot_reuse_credential_by_credential)
{
	kt_slot_reuse(_metadata, self->fd, false, false);
}

TEST_F(handles, slot_reuse_context_by_context)
{
	kt_slot_reuse(_metadata, self->fd, true, true);
}

TEST_F(handles, slot_reuse_credential_by_context)
{
	kt_slot_reuse(_metadata, self->fd, false, true);
}

TEST_F(handles, slot_reuse_context_by_credential)
{
	kt_slot_reuse(_metadata, self->fd, true, false);
}

TEST_F_TIMEOUT(handles, close_frees_everything, 300)
{
	enum { CREDS = 300, PARTIAL = 200, PAIRS = 10 };
	struct kt_stats s;
	struct ksspi_handle c, x;
	struct kt_hs hs;
	int fd = kt_open(), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < CREDS; i++) {
		ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_BOTH,
						   KT_USER, KT_PASSWORD, &c));
	}
	for (i = 0; i < PARTIAL; i++) {
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_partial_ctx(fd, &c, &x, NULL, NULL));
	}
	for (i = 0; i < PAIRS; i++) {
		ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, fd, fd, KT_USER,
						   KT_PASSWORD, KT_USER,
						   KT_PASSWORD));
		ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	}
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + CREDS + 2 * PAIRS,
		  s.credentials_live);
	EXPECT_EQ(self->base.contexts_live + PARTIAL + 2 * PAIRS,
		  s.contexts_live);
	EXPECT_EQ(self->base.pkg_credentials + CREDS + 2 * PAIRS,
		  s.pkg_credentials);
	EXPECT_EQ(self->base.pkg_contexts + PARTIAL + 2 * PAIRS,
		  s.pkg_contexts);
	close(fd);
	EXPECT_EQ(0, kt_wait_live(self->base.credentials_live,
				  self->base.contexts_live, 5000));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live, s.credentials_live);
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);
	EXPECT_EQ(self->base.pkg_credentials, s.pkg_credentials);
	EXPECT_EQ(self->base.pkg_contexts, s.pkg_contexts);
}

TEST_F(handles, close_in_child_keeps_parent_objects)
{
	struct ksspi_handle c;
	struct kt_stats s;
	pid_t pid;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &c));
	/* the child inherits the descriptor and exits: one reference less */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, kt_wait_child(pid, 5000));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 1, s.credentials_live);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &c));
}

TEST_F(handles, contexts_live_counts_partial_contexts)
{
	uint8_t tok[4096], out[4096];
	uint32_t tlen = sizeof(tok);
	struct ksspi_handle cc, sc, x, y;
	struct kt_asc asc;
	struct kt_stats s;

	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD, &cc));
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_INBOUND,
					   KT_USER, KT_PASSWORD, &sc));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_partial_ctx(self->fd, &cc, &x, tok, &tlen));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_EQ(self->base.pkg_contexts + 1, s.pkg_contexts);

	kt_asc_init(&asc, &sc, NULL, KT_ASC_REQ, tok, tlen, out, sizeof(out));
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED, kt_asc_call(self->fd, &asc));
	y = asc.a.new_context;
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live + 2, s.contexts_live);
	EXPECT_EQ(self->base.pkg_contexts + 2, s.pkg_contexts);

	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &x));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live + 1, s.contexts_live);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &y));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &cc));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &sc));
}

TEST_F(handles, established_and_failed_contexts_counted)
{
	struct kt_hs ok, bad;
	struct kt_stats s;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&ok, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&ok));
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&bad, self->fd, self->fd, KT_USER,
					   "wrong password", KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_LOGON_DENIED, kt_hs_run(&bad));
	ASSERT_EQ(4, bad.failed_leg);
	ASSERT_EQ(0, kt_stats_read(&s));
	/* two established, two of the failed handshake (client done) */
	EXPECT_EQ(self->base.contexts_live + 4, s.contexts_live);
	EXPECT_EQ(self->base.credentials_live + 4, s.credentials_live);
	EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &bad.sctx));
	bad.have_sctx = false;
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live + 3, s.contexts_live);
	kt_hs_free(&bad);
	kt_hs_free(&ok);
}

/* Windows semantics: contexts keep what they need of their credential */
TEST_F(handles, credential_freed_while_context_lives)
{
	struct kt_hs hs;
	struct kt_stats s;

	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &hs.ccred));
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &hs.scred));
	hs.have_ccred = hs.have_scred = false;
	/* the handles are gone even if the objects are still referenced */
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, kt_free_cred(self->fd, &hs.ccred));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "creds are gone"));
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.sctx, self->fd,
					       &hs.cctx, "still signing"));
	kt_hs_delete(&hs);
	ASSERT_EQ(0, kt_wait_live(self->base.credentials_live,
				  self->base.contexts_live, 3000));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live, s.credentials_live);
}

TEST_HARNESS_MAIN
