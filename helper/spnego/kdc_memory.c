// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiate's memory of unreachable KDCs (kdc_memory.h): a small table
 * under a mutex, searched linearly (it holds SPNEGO_KDC_MEMORY_REALMS).
 */
#include <pthread.h>
#include <string.h>

#include "spnego/kdc_memory.h"

struct kdc_failure {
	bool used;
	time_t when;
	char realm[SPNEGO_KDC_MEMORY_REALM_MAX + 1];
};

static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kdc_failure failures[SPNEGO_KDC_MEMORY_REALMS];

static bool realm_rememberable(const char *realm)
{
	return realm && realm[0] &&
	       strnlen(realm, SPNEGO_KDC_MEMORY_REALM_MAX + 1) <=
		       SPNEGO_KDC_MEMORY_REALM_MAX;
}

/* The entry of @realm, or NULL; memory_lock held. */
static struct kdc_failure *failure_find(const char *realm)
{
	for (size_t i = 0; i < SPNEGO_KDC_MEMORY_REALMS; i++)
		if (failures[i].used && !strcmp(failures[i].realm, realm))
			return &failures[i];
	return NULL;
}

/* A free entry, else the oldest failure's; memory_lock held. */
static struct kdc_failure *failure_slot(void)
{
	struct kdc_failure *oldest = &failures[0];

	for (size_t i = 0; i < SPNEGO_KDC_MEMORY_REALMS; i++) {
		if (!failures[i].used)
			return &failures[i];
		if (failures[i].when < oldest->when)
			oldest = &failures[i];
	}
	return oldest;
}

void spnego_kdc_failed(const char *realm, time_t now)
{
	struct kdc_failure *f;

	if (!realm_rememberable(realm))
		return;
	pthread_mutex_lock(&memory_lock);
	f = failure_find(realm);
	if (!f) {
		f = failure_slot();
		f->used = true;
		strcpy(f->realm, realm);
	}
	f->when = now;
	pthread_mutex_unlock(&memory_lock);
}

void spnego_kdc_answered(const char *realm)
{
	struct kdc_failure *f;

	if (!realm_rememberable(realm))
		return;
	pthread_mutex_lock(&memory_lock);
	f = failure_find(realm);
	if (f)
		memset(f, 0, sizeof(*f));
	pthread_mutex_unlock(&memory_lock);
}

bool spnego_kdc_recently_failed(const char *realm, time_t now)
{
	const struct kdc_failure *f;
	bool recent = false;

	if (!realm_rememberable(realm))
		return false;
	pthread_mutex_lock(&memory_lock);
	f = failure_find(realm);
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
