// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_concurrency: many threads on one descriptor.  One context hammered
 * from 16 threads while one of them deletes it; 16 threads doing full
 * handshakes; two threads driving the same handshake leg; racing frees;
 * closing the descriptor under busy threads.  Every call must return a
 * valid status (or EBADF after the close), nothing may crash, and the live
 * counters must come back to where they were.
 *
 * Threads never use ASSERT/EXPECT: they record what they saw and the test
 * checks it afterwards.  KSSPI_STRESS_THREADS and KSSPI_STRESS_ITERS scale
 * the handshake storm (default 16 x 50).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksspi_harness.h"

#define TOK_CAP 4096u

FIXTURE(conc) {
	int fd;
	struct kt_stats base;
};

FIXTURE_SETUP(conc)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(conc)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* ================================================================== */
/* One context, sixteen threads, one of them deletes it                */

enum { R_SIGN, R_VERIFY, R_QUERY, R_DELETE };

struct hammer {
	int fd;
	struct ksspi_handle cctx, sctx;
	uint8_t data[32];
	uint8_t (*ssig)[KT_SIG_LEN];	/* server signatures, in order */
	int nsig;
	atomic_int next_sig;
	atomic_long ops;
	atomic_int deleted;
	pthread_barrier_t go;
	uint32_t delete_status;
	long delete_after;
};

struct worker {
	pthread_t thread;
	struct hammer *h;
	int role;
	long ok, invalid, oos, bad, ok_after_invalid, iters;
	uint32_t bad_status;
	uint32_t *seqs;
	long nseq, seq_cap;
};

static void kt_note(struct worker *w, uint32_t st, bool oos_ok)
{
	if (st == SEC_E_OK) {
		w->ok++;
		if (w->invalid)
			w->ok_after_invalid++;
	} else if (st == SEC_E_INVALID_HANDLE) {
		w->invalid++;
	} else if (oos_ok && st == SEC_E_OUT_OF_SEQUENCE) {
		w->oos++;
	} else {
		w->bad++;
		w->bad_status = st;
	}
}

static void *kt_hammer_fn(void *arg)
{
	struct worker *w = arg;
	struct hammer *h = w->h;
	uint8_t data[32], sig[KT_SIG_LEN], buf[256];
	uint32_t st, len, sl;
	long i;

	memcpy(data, h->data, sizeof(data));
	pthread_barrier_wait(&h->go);
	if (w->role == R_DELETE) {
		while (atomic_load(&h->ops) < h->delete_after)
			usleep(100);
		h->delete_status = kt_delete_ctx(h->fd, &h->cctx);
		atomic_store(&h->deleted, 1);
		return NULL;
	}
	for (i = 0; i < 20000 && w->invalid < 50; i++) {
		switch (w->role) {
		case R_SIGN:
			st = kt_sign(h->fd, &h->cctx, data, sizeof(data), sig,
				     &sl);
			kt_note(w, st, false);
			if (st == SEC_E_OK && w->nseq < w->seq_cap)
				w->seqs[w->nseq++] = kt_sig_seq(sig);
			break;
		case R_VERIFY: {
			int n = atomic_fetch_add(&h->next_sig, 1);

			if (n >= h->nsig)
				n = h->nsig - 1;	/* replays from now on */
			memcpy(sig, h->ssig[n], KT_SIG_LEN);
			st = kt_verify(h->fd, &h->cctx, data, sizeof(data),
				       sig, KT_SIG_LEN);
			kt_note(w, st, true);
			break;
		}
		case R_QUERY: {
			static const uint32_t attrs[] = {
				SECPKG_ATTR_SIZES, SECPKG_ATTR_FLAGS,
				SECPKG_ATTR_SESSION_KEY, SECPKG_ATTR_NAMES,
				SECPKG_ATTR_PACKAGE_INFO,
			};
			uint32_t a = attrs[i % 5];

			len = sizeof(buf);
			st = kt_query_attr(h->fd, &h->cctx, a, buf, &len);
			if (st == SEC_E_OK && a == SECPKG_ATTR_SIZES &&
			    ((struct ksspi_attr_sizes *)buf)->max_signature !=
			    KT_SIG_LEN)
				st = KT_PROTOCOL_STATUS(99);
			kt_note(w, st, false);
			break;
		}
		}
		w->iters++;
		atomic_fetch_add(&h->ops, 1);
	}
	return NULL;
}

static int kt_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(conc, hammer_one_context_while_deleting_it, 300)
{
	enum { THREADS = 16, N_SIGS = 2000 };
	static const int roles[THREADS] = {
		R_SIGN, R_SIGN, R_SIGN, R_SIGN, R_SIGN, R_SIGN,
		R_VERIFY, R_VERIFY, R_VERIFY, R_VERIFY,
		R_QUERY, R_QUERY, R_QUERY, R_QUERY, R_QUERY,
		R_DELETE,
	};
	struct worker w[THREADS];
	struct hammer h;
	struct kt_hs hs;
	uint32_t *all, sl;
	long nall = 0, ok = 0, invalid = 0;
	int i, j;

	memset(&h, 0, sizeof(h));
	memset(w, 0, sizeof(w));
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	h.fd = self->fd;
	h.cctx = hs.cctx;
	h.sctx = hs.sctx;
	h.nsig = N_SIGS;
	h.delete_after = 3000;
	memset(h.data, 'h', sizeof(h.data));
	h.ssig = calloc(N_SIGS, KT_SIG_LEN);
	ASSERT_NE(NULL, h.ssig);
	for (i = 0; i < N_SIGS; i++) {
		ASSERT_STATUS(SEC_E_OK, kt_sign(self->fd, &hs.sctx, h.data,
						sizeof(h.data), h.ssig[i],
						&sl));
	}
	ASSERT_EQ(0, pthread_barrier_init(&h.go, NULL, THREADS));
	for (i = 0; i < THREADS; i++) {
		w[i].h = &h;
		w[i].role = roles[i];
		if (roles[i] == R_SIGN) {
			w[i].seq_cap = 20000;
			w[i].seqs = calloc(w[i].seq_cap, sizeof(uint32_t));
			ASSERT_NE(NULL, w[i].seqs);
		}
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, kt_hammer_fn,
					    &w[i]));
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].thread, NULL);

	EXPECT_STATUS(SEC_E_OK, h.delete_status);
	for (i = 0; i < THREADS; i++) {
		if (roles[i] == R_DELETE)
			continue;
		EXPECT_EQ(0, w[i].bad)
			TH_LOG("  thread %d (role %d): %ld bad answers, last %s",
			       i, roles[i], w[i].bad,
			       kt_status_name(w[i].bad_status));
		EXPECT_EQ(0, w[i].ok_after_invalid)
			TH_LOG("  thread %d: the deleted handle worked again",
			       i);
		ok += w[i].ok;
		invalid += w[i].invalid;
		nall += w[i].nseq;
	}
	kt_diag("%ld calls succeeded before the delete, %ld refused after it",
		ok, invalid);
	EXPECT_LT(0, ok);
	EXPECT_LT(0, invalid);

	/* every MakeSignature got its own sequence number */
	all = calloc(nall + 1, sizeof(uint32_t));
	ASSERT_NE(NULL, all);
	nall = 0;
	for (i = 0; i < THREADS; i++) {
		for (j = 0; j < w[i].nseq; j++)
			all[nall++] = w[i].seqs[j];
		free(w[i].seqs);
	}
	qsort(all, nall, sizeof(uint32_t), kt_cmp_u32);
	for (i = 1; i < nall; i++) {
		ASSERT_NE(all[i - 1], all[i])
			TH_LOG("  sequence number %u handed out twice", all[i]);
	}
	free(all);
	free(h.ssig);
	pthread_barrier_destroy(&h.go);
	hs.have_cctx = false;	/* deleted by the thread */
	kt_hs_free(&hs);
}

/* ================================================================== */
/* Many handshakes at once                                             */

struct storm {
	pthread_t thread;
	int cfd, sfd, iters;
	pthread_barrier_t *go;
	int done;
	uint32_t first_bad;
	int failed_leg;
	long ok;
};

static void *kt_storm_fn(void *arg)
{
	struct storm *s = arg;
	struct kt_hs hs;
	uint32_t st;
	int i;

	st = kt_hs_init(&hs, s->cfd, s->sfd, KT_USER, KT_PASSWORD, KT_USER,
			KT_PASSWORD);
	pthread_barrier_wait(s->go);
	if (st != SEC_E_OK) {
		s->first_bad = st;
		kt_hs_free(&hs);
		return NULL;
	}
	for (i = 0; i < s->iters; i++) {
		st = kt_hs_run(&hs);
		if (st == SEC_E_OK)
			st = kt_sign_verify(s->cfd, &hs.cctx, s->sfd, &hs.sctx,
					    "storm");
		if (st == SEC_E_OK)
			st = kt_sign_verify(s->sfd, &hs.sctx, s->cfd, &hs.cctx,
					    "storm back");
		if (st == SEC_E_OK) {
			st = kt_delete_ctx(s->cfd, &hs.cctx);
			hs.have_cctx = false;
		}
		if (st == SEC_E_OK) {
			st = kt_delete_ctx(s->sfd, &hs.sctx);
			hs.have_sctx = false;
		}
		kt_hs_delete(&hs);	/* what a failure left */
		if (st != SEC_E_OK) {
			if (!s->first_bad) {
				s->first_bad = st;
				s->failed_leg = hs.failed_leg;
			}
			continue;
		}
		s->ok++;
	}
	kt_hs_free(&hs);
	s->done = 1;
	return NULL;
}

static void kt_storm(struct __test_metadata *_metadata, int cfd, int sfd,
		     int threads, int iters)
{
	struct storm *s = calloc(threads, sizeof(*s));
	pthread_barrier_t go;
	uint64_t t0;
	double ms;
	long ok = 0;
	int i;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, threads + 1));
	for (i = 0; i < threads; i++) {
		s[i].cfd = cfd;
		s[i].sfd = sfd;
		s[i].iters = iters;
		s[i].go = &go;
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL, kt_storm_fn,
					    &s[i]));
	}
	pthread_barrier_wait(&go);
	t0 = kt_now_ns();
	for (i = 0; i < threads; i++)
		pthread_join(s[i].thread, NULL);
	ms = kt_ms_since(t0);
	for (i = 0; i < threads; i++) {
		EXPECT_EQ(0u, s[i].first_bad)
			TH_LOG("  thread %d: %s at leg %d", i,
			       kt_status_name(s[i].first_bad),
			       s[i].failed_leg);
		EXPECT_EQ(iters, s[i].ok) TH_LOG("  thread %d", i);
		ok += s[i].ok;
	}
	kt_diag("%d threads x %d handshakes: %ld ok in %.0f ms (%.1f/s)",
		threads, iters, ok, ms, ms > 0 ? ok * 1000.0 / ms : 0.0);
	pthread_barrier_destroy(&go);
	free(s);
}

TEST_F_TIMEOUT(conc, handshake_storm_shared_fd, 900)
{
	kt_storm(_metadata, self->fd, self->fd,
		 (int)kt_env_long("KSSPI_STRESS_THREADS", 16),
		 (int)kt_env_long("KSSPI_STRESS_ITERS", 50));
}

TEST_F_TIMEOUT(conc, handshake_storm_two_fds, 900)
{
	int sfd = kt_open();

	ASSERT_LE(0, sfd);
	kt_storm(_metadata, self->fd, sfd,
		 (int)kt_env_long("KSSPI_STRESS_THREADS", 16),
		 (int)(kt_env_long("KSSPI_STRESS_ITERS", 50) / 2 + 1));
	close(sfd);
}

/* ================================================================== */
/* The same leg of one handshake from two threads                      */

struct twin {
	pthread_t thread;
	pthread_barrier_t *go;
	int fd;
	bool accept;
	const struct ksspi_handle *cred, *ctx;
	const uint8_t *in;
	uint32_t in_len;
	uint8_t out[TOK_CAP];
	uint32_t out_len;
	uint32_t status;
};

static void *kt_twin_fn(void *arg)
{
	struct twin *t = arg;

	if (t->accept) {
		struct kt_asc asc;

		kt_asc_init(&asc, t->cred, t->ctx, KT_ASC_REQ, t->in,
			    t->in_len, t->out, sizeof(t->out));
		pthread_barrier_wait(t->go);
		t->status = kt_asc_call(t->fd, &asc);
		t->out_len = asc.out[0].cb_buffer;
	} else {
		struct kt_isc isc;

		kt_isc_init(&isc, t->cred, t->ctx, KT_ISC_REQ, NULL, t->in,
			    t->in_len, t->out, sizeof(t->out));
		pthread_barrier_wait(t->go);
		t->status = kt_isc_call(t->fd, &isc);
		t->out_len = isc.out[0].cb_buffer;
	}
	return NULL;
}

static void kt_twins(struct __test_metadata *_metadata, struct twin *t,
		     pthread_barrier_t *go)
{
	int i;

	for (i = 0; i < 2; i++) {
		t[i].go = go;
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, kt_twin_fn,
					    &t[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i].thread, NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(kt_status_known(t[i].status))
			TH_LOG("  twin %d: %s", i,
			       kt_status_name(t[i].status));
	}
	EXPECT_TRUE(t[0].status == SEC_E_OK || t[1].status == SEC_E_OK)
		TH_LOG("  neither twin completed the leg: %s / %s",
		       kt_status_name(t[0].status),
		       kt_status_name(t[1].status));
}

TEST_F_TIMEOUT(conc, same_leg_from_two_threads, 300)
{
	enum { ROUNDS = 20 };
	struct twin *t = calloc(2, sizeof(*t));
	uint8_t t2[TOK_CAP], t3[TOK_CAP];
	uint32_t l2, l3;
	pthread_barrier_t go;
	struct kt_hs hs;
	struct kt_isc isc;
	struct kt_asc asc;
	int r, both_ok_isc = 0, both_ok_asc = 0;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, self->fd, self->fd, KT_USER,
					   KT_PASSWORD, KT_USER,
					   KT_PASSWORD));
	for (r = 0; r < ROUNDS; r++) {
		uint8_t t1[TOK_CAP];
		uint32_t l1 = sizeof(t1);

		/* client leg 2 twice at once */
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_partial_ctx(self->fd, &hs.ccred, &hs.cctx, t1,
					     &l1));
		hs.have_cctx = true;
		kt_asc_init(&asc, &hs.scred, NULL, KT_ASC_REQ, t1, l1, t2,
			    sizeof(t2));
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_asc_call(self->fd, &asc));
		hs.sctx = asc.a.new_context;
		hs.have_sctx = true;
		l2 = asc.out[0].cb_buffer;
		memset(t, 0, 2 * sizeof(*t));
		t[0].fd = t[1].fd = self->fd;
		t[0].cred = t[1].cred = &hs.ccred;
		t[0].ctx = t[1].ctx = &hs.cctx;
		t[0].in = t[1].in = t2;
		t[0].in_len = t[1].in_len = l2;
		kt_twins(_metadata, t, &go);
		if (t[0].status == SEC_E_OK && t[1].status == SEC_E_OK)
			both_ok_isc++;
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &hs.cctx));
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &hs.sctx));
		hs.have_cctx = hs.have_sctx = false;

		/* server leg 2 twice at once */
		l1 = sizeof(t1);
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_partial_ctx(self->fd, &hs.ccred, &hs.cctx, t1,
					     &l1));
		hs.have_cctx = true;
		kt_asc_init(&asc, &hs.scred, NULL, KT_ASC_REQ, t1, l1, t2,
			    sizeof(t2));
		ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
			      kt_asc_call(self->fd, &asc));
		hs.sctx = asc.a.new_context;
		hs.have_sctx = true;
		l2 = asc.out[0].cb_buffer;
		kt_isc_init(&isc, &hs.ccred, &hs.cctx, KT_ISC_REQ, NULL, t2,
			    l2, t3, sizeof(t3));
		ASSERT_STATUS(SEC_E_OK, kt_isc_call(self->fd, &isc));
		l3 = isc.out[0].cb_buffer;
		memset(t, 0, 2 * sizeof(*t));
		t[0].fd = t[1].fd = self->fd;
		t[0].accept = t[1].accept = true;
		t[0].cred = t[1].cred = &hs.scred;
		t[0].ctx = t[1].ctx = &hs.sctx;
		t[0].in = t[1].in = t3;
		t[0].in_len = t[1].in_len = l3;
		kt_twins(_metadata, t, &go);
		if (t[0].status == SEC_E_OK && t[1].status == SEC_E_OK)
			both_ok_asc++;
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &hs.cctx));
		EXPECT_STATUS(SEC_E_OK, kt_delete_ctx(self->fd, &hs.sctx));
		hs.have_cctx = hs.have_sctx = false;
	}
	/*
	 * Serialized, the second call finds the leg done (established
	 * context: a reauthentication that cannot start from a type-2 or
	 * type-3 token), so it cannot succeed as well.
	 */
	EXPECT_EQ(0, both_ok_isc) TH_LOG("  both twins completed one leg");
	EXPECT_EQ(0, both_ok_asc) TH_LOG("  both twins completed one leg");
	pthread_barrier_destroy(&go);
	kt_hs_free(&hs);
	free(t);
}

/* ================================================================== */
/* Racing frees and acquires                                           */

struct racer {
	pthread_t thread;
	pthread_barrier_t *go;
	int fd;
	bool ctx;
	const struct ksspi_handle *h;
	uint32_t status;
};

static void *kt_racer_fn(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->status = r->ctx ? kt_delete_ctx(r->fd, r->h) :
			     kt_free_cred(r->fd, r->h);
	return NULL;
}

static void kt_free_race(struct __test_metadata *_metadata, int fd,
			 bool ctx, int rounds)
{
	enum { N = 8 };
	struct racer r[N];
	pthread_barrier_t go;
	struct ksspi_handle cred, h;
	int round, i;

	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, N));
	ASSERT_STATUS(SEC_E_OK, kt_acquire(fd, SECPKG_CRED_OUTBOUND, KT_USER,
					   KT_PASSWORD, &cred));
	for (round = 0; round < rounds; round++) {
		int ok = 0, inval = 0;

		if (ctx) {
			ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
				      kt_partial_ctx(fd, &cred, &h, NULL,
						     NULL));
		} else {
			ASSERT_STATUS(SEC_E_OK,
				      kt_acquire(fd, SECPKG_CRED_OUTBOUND,
						 KT_USER, KT_PASSWORD, &h));
		}
		for (i = 0; i < N; i++) {
			r[i].go = &go;
			r[i].fd = fd;
			r[i].ctx = ctx;
			r[i].h = &h;
			ASSERT_EQ(0, pthread_create(&r[i].thread, NULL,
						    kt_racer_fn, &r[i]));
		}
		for (i = 0; i < N; i++)
			pthread_join(r[i].thread, NULL);
		for (i = 0; i < N; i++) {
			if (r[i].status == SEC_E_OK)
				ok++;
			else if (r[i].status == SEC_E_INVALID_HANDLE)
				inval++;
		}
		ASSERT_EQ(1, ok) TH_LOG("  round %d: %d frees succeeded",
					round, ok);
		ASSERT_EQ(N - 1, inval);
	}
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(fd, &cred));
	pthread_barrier_destroy(&go);
}

TEST_F_TIMEOUT(conc, racing_frees_of_one_credential, 120)
{
	kt_free_race(_metadata, self->fd, false, 300);
}

TEST_F_TIMEOUT(conc, racing_deletes_of_one_context, 300)
{
	kt_free_race(_metadata, self->fd, true, 100);
}

struct acq {
	pthread_t thread;
	pthread_barrier_t *go;
	int fd, n;
	struct ksspi_handle *h;
	int got;
	uint32_t bad;
};

static void *kt_acq_fn(void *arg)
{
	struct acq *a = arg;
	int i;

	pthread_barrier_wait(a->go);
	for (i = 0; i < a->n; i++) {
		uint32_t st = kt_acquire(a->fd, SECPKG_CRED_BOTH, KT_USER,
					 KT_PASSWORD, &a->h[a->got]);

		if (st == SEC_E_OK)
			a->got++;
		else
			a->bad = st;
	}
	return NULL;
}

static int kt_cmp_handle(const void *a, const void *b)
{
	const struct ksspi_handle *x = a, *y = b;

	if (x->lower != y->lower)
		return x->lower < y->lower ? -1 : 1;
	if (x->upper != y->upper)
		return x->upper < y->upper ? -1 : 1;
	return 0;
}

TEST_F_TIMEOUT(conc, concurrent_acquires_get_distinct_handles, 120)
{
	/* 960 credentials: under the default per-user limit of 1024 */
	enum { T = 16, N = 60 };
	struct ksspi_handle *all = calloc(T * N, sizeof(*all));
	struct acq a[T];
	pthread_barrier_t go;
	struct kt_stats s;
	int i, n = 0;

	ASSERT_NE(NULL, all);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, T));
	for (i = 0; i < T; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].go = &go;
		a[i].fd = self->fd;
		a[i].n = N;
		a[i].h = &all[i * N];
		ASSERT_EQ(0, pthread_create(&a[i].thread, NULL, kt_acq_fn,
					    &a[i]));
	}
	for (i = 0; i < T; i++)
		pthread_join(a[i].thread, NULL);
	for (i = 0; i < T; i++) {
		EXPECT_EQ(N, a[i].got) TH_LOG("  thread %d: %s", i,
					      kt_status_name(a[i].bad));
	}
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + T * N, s.credentials_live);

	/* compact, sort, look for duplicates */
	for (i = 0; i < T; i++) {
		memmove(&all[n], &all[i * N], a[i].got * sizeof(*all));
		n += a[i].got;
	}
	qsort(all, n, sizeof(*all), kt_cmp_handle);
	for (i = 1; i < n; i++) {
		ASSERT_FALSE(kt_handle_eq(&all[i - 1], &all[i]))
			TH_LOG("  handle {%llx,%llx} given out twice",
			       (unsigned long long)all[i].lower,
			       (unsigned long long)all[i].upper);
	}
	for (i = 0; i < n; i++) {
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &all[i]));
	}
	pthread_barrier_destroy(&go);
	free(all);
}

/* ================================================================== */
/* Closing the descriptor under busy threads                           */

struct closer {
	pthread_t thread;
	int fd;
	struct ksspi_handle ctx;
	atomic_int *stop;
	long ok, ebadf, other;
	uint32_t other_status;
};

static void *kt_closer_fn(void *arg)
{
	struct closer *c = arg;
	uint8_t data[16] = "busy", sig[KT_SIG_LEN], buf[64];
	uint64_t t0 = kt_now_ns();
	uint32_t st, len;
	long i;

	for (i = 0; !atomic_load(c->stop) && kt_ms_since(t0) < 10000; i++) {
		if (i % 2) {
			st = kt_sign(c->fd, &c->ctx, data, sizeof(data), sig,
				     NULL);
		} else {
			len = sizeof(buf);
			st = kt_query_attr(c->fd, &c->ctx, SECPKG_ATTR_SIZES,
					   buf, &len);
		}
		if (st == SEC_E_OK) {
			c->ok++;
		} else if (st == KT_ERRNO_STATUS(EBADF)) {
			if (++c->ebadf > 100)
				break;
		} else {
			c->other++;
			c->other_status = st;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(conc, close_under_busy_threads, 120)
{
	enum { T = 8 };
	struct closer c[T];
	atomic_int stop = 0;
	struct kt_hs hs;
	int fd = kt_open(), i;

	ASSERT_LE(0, fd);
	ASSERT_STATUS(SEC_E_OK, kt_hs_init(&hs, fd, fd, KT_USER, KT_PASSWORD,
					   KT_USER, KT_PASSWORD));
	ASSERT_STATUS(SEC_E_OK, kt_hs_run(&hs));
	for (i = 0; i < T; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].fd = fd;
		c[i].ctx = hs.cctx;
		c[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&c[i].thread, NULL, kt_closer_fn,
					    &c[i]));
	}
	kt_msleep(200);
	/* no other file is opened until the threads are done */
	close(fd);
	kt_msleep(500);
	atomic_store(&stop, 1);
	for (i = 0; i < T; i++)
		pthread_join(c[i].thread, NULL);
	for (i = 0; i < T; i++) {
		EXPECT_EQ(0, c[i].other) TH_LOG("  thread %d: %s", i,
						kt_status_name(c[i].other_status));
		EXPECT_LT(0, c[i].ebadf) TH_LOG("  thread %d never saw the "
						"close", i);
	}
	/* all released with the last reference */
	EXPECT_EQ(0, kt_wait_live(self->base.credentials_live,
				  self->base.contexts_live, 3000));
}

TEST_HARNESS_MAIN
