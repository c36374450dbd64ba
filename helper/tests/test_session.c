// SPDX-License-Identifier: GPL-2.0-or-later
/* The session table: creation, lookup, busy legs, release and expiry. */
#include <errno.h>
#include <stdlib.h>

#include "package.h"
#include "session.h"
#include "tap.h"

static unsigned int states_freed;

static void *fake_state_new(void)
{
	return malloc(1);
}

static void fake_state_free(void *state)
{
	states_freed++;
	free(state);
}

static const struct package fake = {
	.name = "Fake",
	.state_new = fake_state_new,
	.state_free = fake_state_free,
};

static struct session *new_session(uint64_t id)
{
	return session_new(id, &fake, true, fake_state_new());
}

static void test_create_lookup_finish(void)
{
	struct session_table t;
	struct session *s, *again;

	CHECK_EQ(session_table_init(&t), 0);
	states_freed = 0;
	CHECK_EQ(session_add(&t, new_session(5), 100), 0);
	CHECK_EQ(session_count(&t), 1);
	CHECK_EQ(session_acquire(&t, 6, &s), SESSION_UNKNOWN);

	CHECK_EQ(session_acquire(&t, 5, &s), SESSION_FOUND);
	CHECK_EQ(s->id, 5);
	CHECK(s->package == &fake && s->initiator);
	CHECK_EQ(session_acquire(&t, 5, &again), SESSION_BUSY);
	session_put(&t, s, true, 110);
	CHECK_EQ(states_freed, 0);

	CHECK_EQ(session_acquire(&t, 5, &s), SESSION_FOUND);
	session_put(&t, s, false, 120);
	CHECK_EQ(states_freed, 1);
	CHECK_EQ(session_count(&t), 0);
	CHECK_EQ(session_acquire(&t, 5, &s), SESSION_UNKNOWN);
	session_table_destroy(&t);
}

static void test_release(void)
{
	struct session_table t;
	struct session *s;

	session_table_init(&t);
	states_freed = 0;
	session_add(&t, new_session(1), 0);
	session_add(&t, new_session(2), 0);
	CHECK(session_release(&t, 1));
	CHECK_EQ(states_freed, 1);
	CHECK(!session_release(&t, 1));
	CHECK(!session_release(&t, 3));

	/* Released during a leg: gone for lookups, freed when the leg ends */
	CHECK_EQ(session_acquire(&t, 2, &s), SESSION_FOUND);
	CHECK(session_release(&t, 2));
	CHECK_EQ(states_freed, 1);
	CHECK_EQ(session_acquire(&t, 2, &s), SESSION_UNKNOWN);
	CHECK_EQ(session_count(&t), 1);
	session_put(&t, s, true, 10);
	CHECK_EQ(states_freed, 2);
	CHECK_EQ(session_count(&t), 0);
	session_table_destroy(&t);
}

static void test_replace(void)
{
	struct session_table t;
	struct session *s, *newer = new_session(9);

	session_table_init(&t);
	states_freed = 0;
	session_add(&t, new_session(9), 0);
	/* A new first leg replaces an idle session of the same id */
	CHECK_EQ(session_add(&t, newer, 1), 0);
	CHECK_EQ(states_freed, 1);
	CHECK_EQ(session_count(&t), 1);
	CHECK_EQ(session_acquire(&t, 9, &s), SESSION_FOUND);
	CHECK(s == newer);
	/* ... but not one with a leg running */
	newer = new_session(9);
	CHECK_EQ(session_add(&t, newer, 2), -EBUSY);
	session_free(newer);
	session_put(&t, s, true, 3);
	session_table_destroy(&t);
}

static void test_expiry(void)
{
	struct session_table t;
	struct session *busy;

	session_table_init(&t);
	states_freed = 0;
	session_add(&t, new_session(1), 1000);
	session_add(&t, new_session(2), 1000);
	session_add(&t, new_session(3), 1300);
	CHECK_EQ(session_acquire(&t, 2, &busy), SESSION_FOUND);

	CHECK_EQ(session_expire(&t, 1000 + SESSION_IDLE_TIMEOUT - 1), 0);
	/* 1 is idle 600 s; 2 is busy; 3 is idle 300 s */
	CHECK_EQ(session_expire(&t, 1000 + SESSION_IDLE_TIMEOUT), 1);
	CHECK_EQ(states_freed, 1);
	CHECK_EQ(session_count(&t), 2);
	session_put(&t, busy, true, 1000 + SESSION_IDLE_TIMEOUT);
	CHECK_EQ(session_expire(&t, 1300 + SESSION_IDLE_TIMEOUT), 1);
	CHECK_EQ(session_count(&t), 1);
	CHECK_EQ(session_expire(&t, 1000 + 2 * SESSION_IDLE_TIMEOUT), 1);
	CHECK_EQ(session_count(&t), 0);
	CHECK_EQ(states_freed, 3);
	session_table_destroy(&t);
}

static void test_many(void)
{
	struct session_table t;
	struct session *s;
	uint64_t id;
	unsigned int found = 0;

	session_table_init(&t);
	t.max_per_user = SESSION_MAX;	/* the table's capacity, one owner */
	states_freed = 0;
	for (id = 0; id < 5000; id++)
		session_add(&t, new_session(id << 32 | id), 0);
	CHECK_EQ(session_count(&t), 5000);
	for (id = 0; id < 5000; id++) {
		if (session_acquire(&t, id << 32 | id, &s) == SESSION_FOUND &&
		    s->id == (id << 32 | id)) {
			found++;
			session_put(&t, s, true, 0);
		}
	}
	CHECK_EQ(found, 5000);
	session_table_destroy(&t);
	CHECK_EQ(states_freed, 5000);
}

/*
 * An acceptor's kept session: no more legs; read by its owner only, by
 * several at once, until its expiry; a release while it is read frees it
 * with the last reader.
 */
static void test_established(void)
{
	struct session_table t;
	struct session *s, *r1, *r2;

	session_table_init(&t);
	states_freed = 0;
	s = new_session(7);
	s->owner = 1000;
	session_add(&t, s, 100);
	CHECK_EQ(session_acquire(&t, 7, &s), SESSION_FOUND);
	/* a leg's session cannot be read */
	CHECK(!session_read(&t, 7, 1000, 100));
	session_establish(&t, s, 500);
	CHECK_EQ(session_acquire(&t, 7, &s), SESSION_UNKNOWN);
	CHECK(!session_read(&t, 7, 1001, 100));
	CHECK(!session_read(&t, 7, SESSION_OWNER_KERNEL, 100));
	CHECK(!session_read(&t, 8, 1000, 100));
	CHECK(!session_read(&t, 7, 1000, 500));
	r1 = session_read(&t, 7, 1000, 499);
	r2 = session_read(&t, 7, 1000, 499);
	CHECK(r1 && r1 == r2);
	/* not idle-expired, nor while read */
	CHECK_EQ(session_expire(&t, 100 + SESSION_IDLE_TIMEOUT), 0);
	CHECK(session_release(&t, 7));
	CHECK(!session_read(&t, 7, 1000, 200));
	if (r1)
		session_read_done(&t, r1);
	CHECK_EQ(states_freed, 0);
	if (r2)
		session_read_done(&t, r2);
	CHECK_EQ(states_freed, 1);
	CHECK_EQ(session_count(&t), 0);

	/* dropped at its expiry, not before */
	s = new_session(9);
	session_add(&t, s, 100);
	CHECK_EQ(session_acquire(&t, 9, &s), SESSION_FOUND);
	session_establish(&t, s, 5000);
	CHECK_EQ(session_expire(&t, 4999), 0);
	CHECK_EQ(session_expire(&t, 5000), 1);
	CHECK_EQ(session_count(&t), 0);

	/* released during its last leg: never kept */
	s = new_session(10);
	session_add(&t, s, 100);
	CHECK_EQ(session_acquire(&t, 10, &s), SESSION_FOUND);
	CHECK(session_release(&t, 10));
	session_establish(&t, s, 5000);
	CHECK_EQ(session_count(&t), 0);
	CHECK_EQ(states_freed, 3);
	session_table_destroy(&t);
}

const struct test_case session_tests[] = {
	{ "sessions: create, look up, busy, finish", test_create_lookup_finish },
	{ "sessions: release, also during a leg", test_release },
	{ "sessions: a first leg replaces an idle session only", test_replace },
	{ "sessions: idle expiry after 10 minutes, never while busy",
	  test_expiry },
	{ "sessions: 5000 sessions", test_many },
	{ "sessions: kept after an acceptor's last leg, read by its owner",
	  test_established },
	{ NULL, NULL },
};
