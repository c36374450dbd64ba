/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cancellation of a request in service: the kernel stopped waiting for it
 * (its caller timed out or is gone), or the helper is shutting down.  A
 * package step that waits for something may wait on the request's token
 * and stop early.
 */
#ifndef KSSPID_CANCEL_H
#define KSSPID_CANCEL_H

#include <pthread.h>
#include <stdbool.h>

struct cancel {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* on CLOCK_MONOTONIC */
	bool cancelled;
};

void cancel_init(struct cancel *c);
void cancel_destroy(struct cancel *c);
void cancel_reset(struct cancel *c);
void cancel_fire(struct cancel *c);
bool cancel_requested(struct cancel *c);

/*
 * Waits @ms milliseconds or until @c fires, whichever comes first.  @c may
 * be NULL (nothing can cancel: a plain sleep).  Returns true when
 * cancelled.
 */
bool cancel_sleep(struct cancel *c, unsigned long ms);

#endif /* KSSPID_CANCEL_H */
