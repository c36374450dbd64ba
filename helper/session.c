// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session table: a fixed array of hash buckets with chained entries,
 * under one mutex.  Every operation is short (no package code runs under
 * the lock except freeing a state), so one lock is enough even with many
 * workers.
 */
#include <errno.h>
#include <stdlib.h>

#include "package.h"
#include "session.h"

_Static_assert((SESSION_BUCKETS & (SESSION_BUCKETS - 1)) == 0,
	       "bucket count must be a power of two");

static struct session **bucket_of(struct session_table *t, uint64_t id)
{
	/* Fibonacci hashing spreads sequential ids over the buckets. */
	return &t->buckets[((id * 0x9E3779B97F4A7C15ull) >> 54) &
			   (SESSION_BUCKETS - 1)];
}

/* How many sessions one owner holds; freed at zero. */
struct session_owner {
	uint64_t key;
	size_t count;
	struct session_owner *next;
};

static struct session_owner **owner_bucket(struct session_table *t,
					   uint64_t key)
{
	return &t->owners[(key * 0x9E3779B97F4A7C15ull) >> 58];
}

static struct session_owner *owner_find(struct session_table *t, uint64_t key)
{
	struct session_owner *o;

	for (o = *owner_bucket(t, key); o; o = o->next)
		if (o->key == key)
			return o;
	return NULL;
}

static int owner_charge(struct session_table *t, uint64_t key)
{
	struct session_owner *o = owner_find(t, key);

	if (o && key != SESSION_OWNER_KERNEL && o->count >= t->max_per_user)
		return -EDQUOT;
	if (!o) {
		o = calloc(1, sizeof(*o));
		if (!o)
			return -ENOMEM;
		o->key = key;
		o->next = *owner_bucket(t, key);
		*owner_bucket(t, key) = o;
	}
	o->count++;
	return 0;
}

static void owner_uncharge(struct session_table *t, uint64_t key)
{
	struct session_owner **link, *o;

	for (link = owner_bucket(t, key); (o = *link); link = &o->next) {
		if (o->key != key)
			continue;
		if (--o->count == 0) {
			*link = o->next;
			free(o);
		}
		return;
	}
}

/* The session of @id that was not released, if any. */
static struct session *find_live(struct session_table *t, uint64_t id)
{
	struct session *s;

	for (s = *bucket_of(t, id); s; s = s->next)
		if (s->id == id && !s->released)
			return s;
	return NULL;
}

static void unlink_session(struct session_table *t, struct session *s)
{
	struct session **link;

	for (link = bucket_of(t, s->id); *link; link = &(*link)->next) {
		if (*link == s) {
			*link = s->next;
			t->count--;
			owner_uncharge(t, s->owner);
			return;
		}
	}
}

int session_table_init(struct session_table *t)
{
	*t = (struct session_table){ .max_per_user = SESSION_MAX_PER_USER };
	return -pthread_mutex_init(&t->lock, NULL);
}

void session_table_destroy(struct session_table *t)
{
	size_t i;

	for (i = 0; i < SESSION_BUCKETS; i++) {
		while (t->buckets[i]) {
			struct session *s = t->buckets[i];

			t->buckets[i] = s->next;
			session_free(s);
		}
	}
	for (i = 0; i < SESSION_OWNER_BUCKETS; i++) {
		while (t->owners[i]) {
			struct session_owner *o = t->owners[i];

			t->owners[i] = o->next;
			free(o);
		}
	}
	t->count = 0;
	pthread_mutex_destroy(&t->lock);
}

struct session *session_new(uint64_t id, const struct package *package,
			    bool initiator, void *state)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->id = id;
	s->package = package;
	s->initiator = initiator;
	s->state = state;
	return s;
}

void session_free(struct session *s)
{
	if (s->state)
		s->package->state_free(s->state);
	free(s);
}

int session_add(struct session_table *t, struct session *s, int64_t now)
{
	struct session *old;
	int err = 0;

	pthread_mutex_lock(&t->lock);
	old = find_live(t, s->id);
	if (old && (old->busy || old->readers)) {
		err = -EBUSY;
		goto out;
	}
	if (old) {
		unlink_session(t, old);
		session_free(old);
	}
	if (t->count >= SESSION_MAX) {
		err = -ENOSPC;
		goto out;
	}
	err = owner_charge(t, s->owner);
	if (err)
		goto out;
	s->busy = false;
	s->released = false;
	s->readers = 0;
	s->last_used = now;
	s->next = *bucket_of(t, s->id);
	*bucket_of(t, s->id) = s;
	t->count++;
out:
	pthread_mutex_unlock(&t->lock);
	return err;
}

enum session_lookup session_acquire(struct session_table *t, uint64_t id,
				    struct session **out)
{
	enum session_lookup result = SESSION_UNKNOWN;
	struct session *s;

	pthread_mutex_lock(&t->lock);
	s = find_live(t, id);
	if (s && s->established) {
		result = SESSION_UNKNOWN;	/* takes no more legs */
	} else if (s && s->busy) {
		result = SESSION_BUSY;
	} else if (s) {
		s->busy = true;
		*out = s;
		result = SESSION_FOUND;
	}
	pthread_mutex_unlock(&t->lock);
	return result;
}

/*
 * Ends a leg on @s: kept, idle since @when or established until @when,
 * unless it was released meanwhile; freed otherwise.
 */
static void leg_done(struct session_table *t, struct session *s, bool keep,
		     bool establish, int64_t when)
{
	pthread_mutex_lock(&t->lock);
	if (keep && !s->released) {
		s->busy = false;
		if (establish) {
			s->established = true;
			s->expires = when;
		} else {
			s->last_used = when;
		}
		s = NULL;
	} else {
		unlink_session(t, s);
	}
	pthread_mutex_unlock(&t->lock);
	if (s)
		session_free(s);
}

void session_put(struct session_table *t, struct session *s, bool keep,
		 int64_t now)
{
	leg_done(t, s, keep, false, now);
}

void session_establish(struct session_table *t, struct session *s,
		       int64_t expires)
{
	leg_done(t, s, true, true, expires);
}

struct session *session_read(struct session_table *t, uint64_t id,
			     uint64_t owner, int64_t now)
{
	struct session *s;

	pthread_mutex_lock(&t->lock);
	s = find_live(t, id);
	if (s && s->established && s->owner == owner && now < s->expires)
		s->readers++;
	else
		s = NULL;
	pthread_mutex_unlock(&t->lock);
	return s;
}

void session_read_done(struct session_table *t, struct session *s)
{
	pthread_mutex_lock(&t->lock);
	if (--s->readers || !s->released)
		s = NULL;
	else
		unlink_session(t, s);
	pthread_mutex_unlock(&t->lock);
	if (s)
		session_free(s);
}

bool session_release(struct session_table *t, uint64_t id)
{
	struct session *s;

	pthread_mutex_lock(&t->lock);
	s = find_live(t, id);
	if (s && (s->busy || s->readers)) {
		/* freed by its session_put() or last session_read_done() */
		s->released = true;
		pthread_mutex_unlock(&t->lock);
		return true;
	}
	if (s)
		unlink_session(t, s);
	pthread_mutex_unlock(&t->lock);
	if (s)
		session_free(s);
	return s != NULL;
}

bool session_owner_full(struct session_table *t, uint64_t owner)
{
	struct session_owner *o;
	bool full;

	pthread_mutex_lock(&t->lock);
	o = owner_find(t, owner);
	full = owner != SESSION_OWNER_KERNEL && o && o->count >= t->max_per_user;
	pthread_mutex_unlock(&t->lock);
	return full;
}

size_t session_count_owner(struct session_table *t, uint64_t owner)
{
	struct session_owner *o;
	size_t count;

	pthread_mutex_lock(&t->lock);
	o = owner_find(t, owner);
	count = o ? o->count : 0;
	pthread_mutex_unlock(&t->lock);
	return count;
}

size_t session_expire(struct session_table *t, int64_t now)
{
	size_t i, expired = 0;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < SESSION_BUCKETS; i++) {
		struct session **link = &t->buckets[i];

		while (*link) {
			struct session *s = *link;

			if (s->busy || s->readers ||
			    (s->established ? now < s->expires :
			     now - s->last_used < SESSION_IDLE_TIMEOUT)) {
				link = &s->next;
				continue;
			}
			*link = s->next;
			t->count--;
			owner_uncharge(t, s->owner);
			session_free(s);
			expired++;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return expired;
}

size_t session_count(struct session_table *t)
{
	size_t count;

	pthread_mutex_lock(&t->lock);
	count = t->count;
	pthread_mutex_unlock(&t->lock);
	return count;
}
