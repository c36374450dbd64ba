// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client's TLS session cache of CredSSP (session_cache.h).  A list in
 * storing order is enough: lookups happen once per first leg, and the
 * cache holds at most a few thousand entries.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "credssp/session_cache.h"

struct entry {
	struct entry *next;
	char *target;
	uint32_t pid;
	uint32_t logon_session;
	uint64_t credential_id;
	uint64_t owner;
	int64_t expires;
	struct bytes data;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries;		/* oldest first; under cache_lock */
static size_t entry_count;
static struct session_cache_limits limits = {
	.lifetime = SESSION_CACHE_LIFETIME,
	.max_entries = SESSION_CACHE_MAX_ENTRIES,
	.max_per_owner = SESSION_CACHE_MAX_PER_OWNER,
};

void session_cache_configure(const struct session_cache_limits *l)
{
	pthread_mutex_lock(&cache_lock);
	limits = *l;
	pthread_mutex_unlock(&cache_lock);
}

static void entry_free(struct entry *e)
{
	bytes_free(&e->data);
	free(e->target);
	explicit_bzero(e, sizeof(*e));
	free(e);
}

static bool entry_matches(const struct entry *e,
			  const struct session_cache_key *k)
{
	return e->pid == k->pid && e->logon_session == k->logon_session &&
	       e->credential_id == k->credential_id && e->owner == k->owner &&
	       strcasecmp(e->target, k->target) == 0;
}

/* Unlinks *@link's entry and frees it; *@link then names the next. */
static void drop(struct entry **link)
{
	struct entry *e = *link;

	*link = e->next;
	entry_count--;
	entry_free(e);
}

/* Drops expired entries, those matching @k, and for room the oldest. */
static void make_room(const struct session_cache_key *k, int64_t now)
{
	struct entry **link = &entries;
	size_t owner_count = 0;

	while (*link) {
		if ((*link)->expires <= now || entry_matches(*link, k)) {
			drop(link);
			continue;
		}
		if ((*link)->owner == k->owner)
			owner_count++;
		link = &(*link)->next;
	}
	for (link = &entries; *link && owner_count >= limits.max_per_owner;) {
		if ((*link)->owner == k->owner) {
			drop(link);
			owner_count--;
		} else {
			link = &(*link)->next;
		}
	}
	while (entries && entry_count >= limits.max_entries)
		drop(&entries);
}

int session_cache_put(const struct session_cache_key *key,
		      const uint8_t *data, size_t len, int64_t now,
		      int64_t expires)
{
	struct entry *e, **tail;
	int64_t until;

	if (!key->target || !len)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->target = strdup(key->target);
	if (!e->target || bytes_append(&e->data, data, len)) {
		entry_free(e);
		return -ENOMEM;
	}
	e->pid = key->pid;
	e->logon_session = key->logon_session;
	e->credential_id = key->credential_id;
	e->owner = key->owner;

	pthread_mutex_lock(&cache_lock);
	until = now + limits.lifetime;
	if (expires > 0 && expires < until)
		until = expires;
	if (limits.lifetime <= 0 || !limits.max_entries ||
	    !limits.max_per_owner || until <= now) {
		pthread_mutex_unlock(&cache_lock);
		entry_free(e);
		return -EINVAL;
	}
	e->expires = until;
	make_room(key, now);
	for (tail = &entries; *tail; tail = &(*tail)->next)
		;
	*tail = e;
	entry_count++;
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

int session_cache_take(const struct session_cache_key *key, int64_t now,
		       struct bytes *out)
{
	struct entry **link;
	int err = -ENOENT;

	if (!key->target)
		return -ENOENT;
	pthread_mutex_lock(&cache_lock);
	for (link = &entries; *link;) {
		struct entry *e = *link;

		if (e->expires <= now) {
			drop(link);
			continue;
		}
		if (entry_matches(e, key)) {
			/* The bytes move: nothing is left to wipe twice. */
			*out = e->data;
			e->data = (struct bytes){ 0 };
			drop(link);
			err = 0;
			break;
		}
		link = &e->next;
	}
	pthread_mutex_unlock(&cache_lock);
	return err;
}

size_t session_cache_count(void)
{
	size_t n;

	pthread_mutex_lock(&cache_lock);
	n = entry_count;
	pthread_mutex_unlock(&cache_lock);
	return n;
}

void session_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	while (entries)
		drop(&entries);
	pthread_mutex_unlock(&cache_lock);
}
