/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The worker pool.  The main thread only receives upcalls and queues them;
 * each worker takes one, handles it (request.c) and sends the downcall on a
 * netlink socket of its own, so that a slow request never holds up others.
 */
#ifndef KSSPID_WORKER_H
#define KSSPID_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#define WORKER_MAX		64
#define WORKER_QUEUE_MAX	1024	/* upcalls waiting for a worker */
#define WORKER_SLEEP_MAX_MS	300000	/* longest "sleep:<ms>" obeyed */

struct session_table;
struct upcall;
struct worker_pool;

/* Starts @workers threads (1..WORKER_MAX), or returns NULL (logged). */
struct worker_pool *worker_pool_start(unsigned int workers, int family_id,
				      struct session_table *sessions);

/*
 * Queues @up (heap-allocated, parsed) and takes ownership of it; false
 * when the queue is full or the pool is stopping (the caller keeps @up).
 */
bool worker_pool_submit(struct worker_pool *pool, struct upcall *up);

/*
 * Stops the pool: interrupts test sleeps, lets each worker finish the
 * request in hand, joins them, and drops queued upcalls (the kernel fails
 * them itself once the helper unregisters).
 */
void worker_pool_stop(struct worker_pool *pool);

/*
 * Test hook: when @data starts with "sleep:" and decimal digits, sleeps
 * that many milliseconds (at most WORKER_SLEEP_MAX_MS), waking early once
 * worker_interrupt_sleeps() was called.
 */
void worker_sleep_if_asked(const void *data, size_t len);

/* Ends every test sleep, now and for good (shutdown; fuzz targets). */
void worker_interrupt_sleeps(void);

#endif /* KSSPID_WORKER_H */
