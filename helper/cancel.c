// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cancellation tokens: a flag and a condition variable on the monotonic
 * clock, so that a wait ends as soon as the token fires.
 */
#include <errno.h>
#include <time.h>

#include "cancel.h"

void cancel_init(struct cancel *c)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	c->cancelled = false;
}

void cancel_destroy(struct cancel *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

void cancel_reset(struct cancel *c)
{
	pthread_mutex_lock(&c->lock);
	c->cancelled = false;
	pthread_mutex_unlock(&c->lock);
}

void cancel_fire(struct cancel *c)
{
	pthread_mutex_lock(&c->lock);
	c->cancelled = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

bool cancel_requested(struct cancel *c)
{
	bool ret;

	pthread_mutex_lock(&c->lock);
	ret = c->cancelled;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

bool cancel_sleep(struct cancel *c, unsigned long ms)
{
	struct timespec deadline;
	bool ret;

	if (!c) {
		struct timespec t = { .tv_sec = (time_t)(ms / 1000),
				      .tv_nsec = (long)(ms % 1000) * 1000000L };

		while (nanosleep(&t, &t) < 0 && errno == EINTR)
			;
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(ms / 1000);
	deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->cancelled &&
	       pthread_cond_timedwait(&c->cond, &c->lock, &deadline) == 0)
		;
	ret = c->cancelled;
	pthread_mutex_unlock(&c->lock);
	return ret;
}
