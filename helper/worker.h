/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The worker pool: requests wait in per-user queues and are served round
 * robin over the users (worker.c).
 */
#ifndef KSSPID_WORKER_H
#define KSSPID_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORKER_MAX		64
#define WORKER_QUEUE_MAX	1024	/* requests waiting, all users */

struct session_table;
struct upcall;
struct worker_pool;

/**
 * struct worker_limits - what one user may hold of the pool
 * @max_queued_per_user: requests waiting for a worker
 * @max_busy_per_user: workers serving the user's requests at once
 *
 * In-kernel callers are not limited: they answer for their own clients.
 */
struct worker_limits {
	unsigned int max_queued_per_user;
	unsigned int max_busy_per_user;
};

enum worker_submit {
	WORKER_QUEUED,
	WORKER_REFUSED_USER_LIMIT,	/* the user has too many waiting */
	WORKER_REFUSED_FULL,		/* the pool's queue is full */
	WORKER_REFUSED_MEMORY,
};

struct worker_pool *worker_pool_start(unsigned int workers, int family_id,
				      struct session_table *sessions,
				      const struct worker_limits *limits);
/* Queues @up (taking it over) unless refused; then the caller keeps it. */
enum worker_submit worker_pool_submit(struct worker_pool *pool,
				      struct upcall *up);
/*
 * Whether the pool takes more requests now.  When it does not, the room
 * descriptor becomes readable once it does again.
 */
bool worker_pool_has_room(struct worker_pool *pool);
int worker_pool_room_fd(struct worker_pool *pool);
void worker_pool_room_ack(struct worker_pool *pool);
/* The kernel gave up on a request: drop it, or cancel its worker's step. */
void worker_pool_cancel(struct worker_pool *pool, uint64_t request_id);
void worker_pool_log_stats(struct worker_pool *pool);
void worker_pool_stop(struct worker_pool *pool);

#endif /* KSSPID_WORKER_H */
