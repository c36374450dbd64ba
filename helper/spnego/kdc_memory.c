// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiate's memory of unreachable KDCs (kdc_memory.h): a small table
 * under a mutex, searched linearly (it holds SPNEGO_KDC_MEMORY_ENTRIES).
 */
#include <pthread.h>
#include <string.h>

#include "spnego/kdc_memory.h"

struct kdc_failure {
	bool used;
	uint64_t owner;
	time_t when;
	char realm[SPNEGO_KDC_MEMORY_REALM_MAX + 1];
};

static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kdc_failure failures[SPNEGO_KDC_MEMORY_ENTRIES];

static bool realm_rememberable(const char *realm)
{
	return realm && realm[0] &&
	       strnlen(realm, SPNEGO_KDC_MEMORY_REALM_MAX + 1) <=
		       SPNEGO_KDC_MEMORY_REALM_MAX;
}

/* The entry of @owner's @realm, or NULL; memory_lock held. */
static struct kdc_failure *failure_find(uint64_t owner, const char *realm)
{
	for (size_t i = 0; i < SPNEGO_KDC_MEMORY_ENTRIES; i++)
		if (failures[i].used && failures[i].owner == owner &&
		    !strcmp(failures[i].realm, realm))
			return &failures[i];
	return NULL;
}

/* How many entries @owner holds, and its oldest; memory_lock held. */
static size_t owner_entries(uint64_t owner, struct kdc_failure **oldest)
{
	size_t count = 0;

	*oldest = NULL;
	for (size_t i = 0; i < SPNEGO_KDC_MEMORY_ENTRIES; i++) {
		if (!failures[i].used || failures[i].owner != owner)
			continue;
		count++;
		if (!*oldest || failures[i].when < (*oldest)->when)
			*oldest = &failures[i];
	}
	return count;
}

/*
 * The entry a new failure of @owner goes to; memory_lock held.  An owner
 * at its cap reuses its own oldest; else a free entry; else the oldest
 * entry of whoever holds the most, so a flood costs the flooder first.
 */
static struct kdc_failure *failure_slot(uint64_t owner)
{
	struct kdc_failure *victim = NULL, *oldest;
	size_t most = 0, count;

	if (owner_entries(owner, &oldest) >= SPNEGO_KDC_MEMORY_PER_OWNER)
		return oldest;
	for (size_t i = 0; i < SPNEGO_KDC_MEMORY_ENTRIES; i++)
		if (!failures[i].used)
			return &failures[i];
	for (size_t i = 0; i < SPNEGO_KDC_MEMORY_ENTRIES; i++) {
		count = owner_entries(failures[i].owner, &oldest);
		if (count > most) {
			most = count;
			victim = oldest;
		}
	}
	return victim;
}

void spnego_kdc_failed(uint64_t owner, const char *realm, time_t now)
{
	struct kdc_failure *f;

	if (!realm_rememberable(realm))
		return;
	pthread_mutex_lock(&memory_lock);
	f = failure_find(owner, realm);
	if (!f) {
		f = failure_slot(owner);
		f->used = true;
		f->owner = owner;
		strcpy(f->realm, realm);
	}
	f->when = now;
	pthread_mutex_unlock(&memory_lock);
}

void spnego_kdc_answered(uint64_t owner, const char *realm)
{
	struct kdc_failure *f;

	if (!realm_rememberable(realm))
		return;
	pthread_mutex_lock(&memory_lock);
	f = failure_find(owner, realm);
	if (f)
		memset(f, 0, sizeof(*f));
	pthread_mutex_unlock(&memory_lock);
}

bool spnego_kdc_recently_failed(uint64_t owner, const char *realm,
				time_t now)
{
	const struct kdc_failure *f;
	bool recent = false;

	if (!realm_rememberable(realm))
		return false;
	pthread_mutex_lock(&memory_lock);
	f = failure_find(owner, realm);
	/* a clock that went back counts as recent: still bounded by now */
	if (f && now - f->when < SPNEGO_KDC_MEMORY_SECONDS)
		recent = true;
	pthread_mutex_unlock(&memory_lock);
	return recent;
}

void spnego_kdc_memory_clear(void)
{
	pthread_mutex_lock(&memory_lock);
	memset(failures, 0, sizeof(failures));
	pthread_mutex_unlock(&memory_lock);
}
