// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Worker threads and their fair scheduling.
 *
 * Requests wait in one queue per user (the uid the kernel counts them
 * against; in-kernel callers share one queue of their own).  Workers take
 * the next request round robin over the users that have some, skipping a
 * user that already keeps max_busy_per_user workers busy, so one user's
 * flood of slow requests (a dead KDC, a test sleep) always leaves workers
 * for everybody else.  A user with max_queued_per_user requests waiting is
 * refused further ones at once.
 *
 * Each worker owns its own genetlink socket for answers, so a reply never
 * waits for a lock on a shared socket.  A request the kernel gives up on is
 * dropped if still queued, or its worker's cancellation token fires.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <netlink/errno.h>

#include "cancel.h"
#include "identity.h"
#include "log.h"
#include "message.h"
#include "netlink.h"
#include "request.h"
#include "worker.h"

/* In-kernel callers' queue (upcall_owner()), which no uid can name */
#define KERNEL_QUEUE_KEY	UINT64_MAX
#define USER_BUCKETS		64

struct job {
	struct upcall *up;
	struct job *next;
};

/* One user's requests; freed when it has none queued or in service. */
struct user_queue {
	uint64_t key;			/* uid, or KERNEL_QUEUE_KEY */
	struct job *head, *tail;
	unsigned int queued;
	unsigned int busy;
	struct user_queue *hash_next;
	struct user_queue *ring_next;	/* ring of users with queued jobs */
	struct user_queue *ring_prev;
	bool in_ring;
};

struct worker {
	pthread_t thread;
	struct nl_sock *sock;		/* for this worker's answers */
	struct worker_pool *pool;
	struct job *current;		/* under the pool's lock */
	struct user_queue *current_user;
	struct cancel cancel;		/* fires when @current is given up */
};

struct worker_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct user_queue *users[USER_BUCKETS];
	struct user_queue *ring;	/* next user to serve */
	size_t queued;
	unsigned int busy;
	bool stopping;
	bool fetch_blocked;		/* the main thread waits for room */
	int room_fd;			/* eventfd: room again */

	struct worker_limits limits;
	int family_id;
	struct session_table *sessions;
	unsigned int count;
	struct worker workers[];
};

static struct user_queue **user_bucket(struct worker_pool *pool, uint64_t key)
{
	return &pool->users[(key * 0x9E3779B97F4A7C15ull) >> 58];
}

static struct user_queue *user_find(struct worker_pool *pool, uint64_t key,
				    bool create)
{
	struct user_queue **bucket = user_bucket(pool, key), *q;

	for (q = *bucket; q; q = q->hash_next)
		if (q->key == key)
			return q;
	if (!create)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->key = key;
	q->hash_next = *bucket;
	*bucket = q;
	return q;
}

static void user_forget_if_idle(struct worker_pool *pool, struct user_queue *q)
{
	struct user_queue **link;

	if (q->queued || q->busy)
		return;
	for (link = user_bucket(pool, q->key); *link; link = &(*link)->hash_next) {
		if (*link == q) {
			*link = q->hash_next;
			free(q);
			return;
		}
	}
}

static void ring_add(struct worker_pool *pool, struct user_queue *q)
{
	if (q->in_ring)
		return;
	if (!pool->ring) {
		q->ring_next = q->ring_prev = q;
		pool->ring = q;
	} else {
		/* Just before the cursor: last in this round. */
		q->ring_next = pool->ring;
		q->ring_prev = pool->ring->ring_prev;
		q->ring_prev->ring_next = q;
		pool->ring->ring_prev = q;
	}
	q->in_ring = true;
}

static void ring_remove(struct worker_pool *pool, struct user_queue *q)
{
	if (!q->in_ring)
		return;
	if (q->ring_next == q) {
		pool->ring = NULL;
	} else {
		q->ring_prev->ring_next = q->ring_next;
		q->ring_next->ring_prev = q->ring_prev;
		if (pool->ring == q)
			pool->ring = q->ring_next;
	}
	q->in_ring = false;
}

static bool user_may_run(const struct worker_pool *pool,
			 const struct user_queue *q)
{
	return q->key == KERNEL_QUEUE_KEY ||
	       q->busy < pool->limits.max_busy_per_user;
}

/* Under the lock: the next job round robin, or NULL when none may run. */
static struct job *take_job(struct worker_pool *pool,
			    struct user_queue **owner)
{
	struct user_queue *q = pool->ring;
	struct job *job;

	if (!q)
		return NULL;
	do {
		if (user_may_run(pool, q))
			break;
		q = q->ring_next;
	} while (q != pool->ring);
	if (!user_may_run(pool, q))
		return NULL;

	job = q->head;
	q->head = job->next;
	if (!q->head)
		q->tail = NULL;
	q->queued--;
	q->busy++;
	pool->queued--;
	pool->busy++;
	pool->ring = q->ring_next;
	if (!q->queued)
		ring_remove(pool, q);
	*owner = q;
	return job;
}

static void signal_room(struct worker_pool *pool)
{
	uint64_t one = 1;

	if (pool->fetch_blocked && pool->queued < WORKER_QUEUE_MAX) {
		pool->fetch_blocked = false;
		if (write(pool->room_fd, &one, sizeof(one)) != sizeof(one))
			log_warn("cannot wake the main thread");
	}
}

static void serve(struct worker *w, struct upcall *up)
{
	struct reply reply = { 0 };
	bool had_payload;
	int err;

	up->cancel = &w->cancel;
	reply.request_id = up->request_id;
	reply.status = up->status == SEC_E_OK ? identity_load(up) : SEC_E_OK;
	if (reply.status == SEC_E_OK)
		request_handle(w->pool->sessions, up, &reply);
	up->cancel = NULL;
	log_debug("request %llu: op %u package %s session %#llx uid %u -> %#010x",
		  (unsigned long long)up->request_id, up->op,
		  up->package ? up->package : "-",
		  (unsigned long long)up->session_id, up->uid, reply.status);

	err = netlink_send_done(w->sock, w->pool->family_id, &reply, true);
	had_payload = reply.token.len || reply.blob.len ||
		      reply.has_context_attr || reply.has_expiry;
	if (err == -NLE_OBJ_NOTFOUND) {
		/* The kernel gave up on it (timeout, caller gone). */
		log_info("request %llu: no longer pending in the kernel",
			 (unsigned long long)up->request_id);
	} else if (err < 0 && had_payload) {
		/* Do not leave the caller waiting for a timeout. */
		log_warn("request %llu: answer refused (%s), answering SEC_E_INTERNAL_ERROR",
			 (unsigned long long)up->request_id, nl_geterror(err));
		reply_clear(&reply);
		reply.status = SEC_E_INTERNAL_ERROR;
		err = netlink_send_done(w->sock, w->pool->family_id, &reply,
					true);
	}
	if (err < 0 && err != -NLE_OBJ_NOTFOUND)
		log_warn("request %llu: answer failed: %s",
			 (unsigned long long)up->request_id, nl_geterror(err));
	reply_clear(&reply);
}

static void job_free(struct job *job)
{
	upcall_free(job->up);
	free(job->up);
	free(job);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct worker_pool *pool = w->pool;

	for (;;) {
		struct user_queue *owner = NULL;
		struct job *job = NULL;

		pthread_mutex_lock(&pool->lock);
		while (!pool->stopping && !(job = take_job(pool, &owner)))
			pthread_cond_wait(&pool->wake, &pool->lock);
		if (pool->stopping) {
			pthread_mutex_unlock(&pool->lock);
			break;
		}
		w->current = job;
		w->current_user = owner;
		cancel_reset(&w->cancel);
		signal_room(pool);
		pthread_mutex_unlock(&pool->lock);

		serve(w, job->up);

		pthread_mutex_lock(&pool->lock);
		w->current = NULL;
		w->current_user = NULL;
		owner->busy--;
		pool->busy--;
		user_forget_if_idle(pool, owner);
		/* A user below its busy limit may have work waiting. */
		pthread_cond_broadcast(&pool->wake);
		pthread_mutex_unlock(&pool->lock);
		job_free(job);
	}
	return NULL;
}

struct worker_pool *worker_pool_start(unsigned int workers, int family_id,
				      struct session_table *sessions,
				      const struct worker_limits *limits)
{
	struct worker_pool *pool;
	unsigned int i;
	int err;

	pool = calloc(1, sizeof(*pool) + workers * sizeof(pool->workers[0]));
	if (!pool) {
		log_error("out of memory for %u workers", workers);
		return NULL;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pool->family_id = family_id;
	pool->sessions = sessions;
	pool->limits = *limits;
	pool->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pool->room_fd < 0) {
		log_error("eventfd: %s", strerror(errno));
		free(pool);
		return NULL;
	}

	for (i = 0; i < workers; i++) {
		struct worker *w = &pool->workers[i];

		w->pool = pool;
		cancel_init(&w->cancel);
		w->sock = netlink_answer_socket();
		if (!w->sock) {
			cancel_destroy(&w->cancel);
			break;
		}
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			log_error("cannot start worker %u: %s", i, strerror(err));
			netlink_socket_free(w->sock);
			cancel_destroy(&w->cancel);
			break;
		}
		pool->count++;
	}
	if (pool->count < workers) {
		worker_pool_stop(pool);
		return NULL;
	}
	return pool;
}

enum worker_submit worker_pool_submit(struct worker_pool *pool,
				      struct upcall *up)
{
	uint64_t key = upcall_owner(up);
	enum worker_submit result;
	struct user_queue *q;
	struct job *job;

	job = calloc(1, sizeof(*job));
	if (!job)
		return WORKER_REFUSED_MEMORY;
	job->up = up;

	pthread_mutex_lock(&pool->lock);
	q = user_find(pool, key, true);
	if (pool->stopping || !q) {
		result = WORKER_REFUSED_MEMORY;
	} else if (key != KERNEL_QUEUE_KEY &&
		   q->queued >= pool->limits.max_queued_per_user) {
		result = WORKER_REFUSED_USER_LIMIT;
	} else if (pool->queued >= WORKER_QUEUE_MAX) {
		result = WORKER_REFUSED_FULL;
	} else {
		if (q->tail)
			q->tail->next = job;
		else
			q->head = job;
		q->tail = job;
		q->queued++;
		pool->queued++;
		ring_add(pool, q);
		pthread_cond_signal(&pool->wake);
		job = NULL;
		result = WORKER_QUEUED;
	}
	if (q)
		user_forget_if_idle(pool, q);
	pthread_mutex_unlock(&pool->lock);
	free(job);
	return result;
}

bool worker_pool_has_room(struct worker_pool *pool)
{
	bool room;

	pthread_mutex_lock(&pool->lock);
	room = pool->queued < WORKER_QUEUE_MAX;
	if (!room)
		pool->fetch_blocked = true;
	pthread_mutex_unlock(&pool->lock);
	return room;
}

int worker_pool_room_fd(struct worker_pool *pool)
{
	return pool->room_fd;
}

void worker_pool_room_ack(struct worker_pool *pool)
{
	uint64_t count;

	if (read(pool->room_fd, &count, sizeof(count)) < 0)
		return;	/* EAGAIN: nothing to acknowledge */
}

/* Under the lock: drops a queued request, true if it was queued. */
static bool drop_queued(struct worker_pool *pool, uint64_t request_id)
{
	unsigned int b;

	for (b = 0; b < USER_BUCKETS; b++) {
		struct user_queue *q;

		for (q = pool->users[b]; q; q = q->hash_next) {
			struct job *prev = NULL, *job;

			for (job = q->head; job; prev = job, job = job->next) {
				if (job->up->request_id != request_id)
					continue;
				if (prev)
					prev->next = job->next;
				else
					q->head = job->next;
				if (q->tail == job)
					q->tail = prev;
				q->queued--;
				pool->queued--;
				if (!q->queued)
					ring_remove(pool, q);
				job_free(job);
				user_forget_if_idle(pool, q);
				signal_room(pool);
				return true;
			}
		}
	}
	return false;
}

void worker_pool_cancel(struct worker_pool *pool, uint64_t request_id)
{
	unsigned int i;

	pthread_mutex_lock(&pool->lock);
	if (!drop_queued(pool, request_id)) {
		for (i = 0; i < pool->count; i++) {
			struct worker *w = &pool->workers[i];

			if (w->current &&
			    w->current->up->request_id == request_id)
				cancel_fire(&w->cancel);
		}
	}
	pthread_mutex_unlock(&pool->lock);
}

void worker_pool_log_stats(struct worker_pool *pool)
{
	unsigned int b;

	pthread_mutex_lock(&pool->lock);
	log_info("workers: %u, busy %u, queued %zu", pool->count, pool->busy,
		 pool->queued);
	for (b = 0; b < USER_BUCKETS; b++) {
		const struct user_queue *q;

		for (q = pool->users[b]; q; q = q->hash_next) {
			if (q->key == KERNEL_QUEUE_KEY)
				log_info("  kernel: busy %u, queued %u",
					 q->busy, q->queued);
			else
				log_info("  uid %llu: busy %u, queued %u",
					 (unsigned long long)q->key, q->busy,
					 q->queued);
		}
	}
	pthread_mutex_unlock(&pool->lock);
}

void worker_pool_stop(struct worker_pool *pool)
{
	unsigned int i, b;

	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->wake);
	for (i = 0; i < pool->count; i++)
		cancel_fire(&pool->workers[i].cancel);
	pthread_mutex_unlock(&pool->lock);

	for (i = 0; i < pool->count; i++) {
		pthread_join(pool->workers[i].thread, NULL);
		netlink_socket_free(pool->workers[i].sock);
		cancel_destroy(&pool->workers[i].cancel);
	}
	if (pool->queued)
		log_info("dropping %zu queued requests", pool->queued);
	for (b = 0; b < USER_BUCKETS; b++) {
		while (pool->users[b]) {
			struct user_queue *q = pool->users[b];

			pool->users[b] = q->hash_next;
			while (q->head) {
				struct job *job = q->head;

				q->head = job->next;
				job_free(job);
			}
			free(q);
		}
	}
	close(pool->room_fd);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
