// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Worker threads.  Upcalls wait in a bounded ring; each worker owns its own
 * genetlink socket for downcalls, so a worker stuck in a long request (a KDC
 * round trip, a test sleep) delays nobody else, and a reply never waits for
 * a lock on a shared socket.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi_sspi.h>
#include <netlink/errno.h>

#include "log.h"
#include "message.h"
#include "netlink.h"
#include "request.h"
#include "worker.h"

struct worker {
	pthread_t thread;
	struct nl_sock *sock;		/* for this worker's downcalls */
	struct worker_pool *pool;
};

struct worker_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct upcall *queue[WORKER_QUEUE_MAX];	/* ring */
	size_t head;
	size_t queued;
	bool stopping;

	int family_id;
	struct session_table *sessions;
	unsigned int count;
	struct worker workers[];
};

/* Test sleeps: a monotonic condition variable that shutdown broadcasts. */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond;
static pthread_once_t sleep_once = PTHREAD_ONCE_INIT;
static bool sleeps_interrupted;

static void sleep_cond_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sleep_cond, &attr);
	pthread_condattr_destroy(&attr);
}

void worker_sleep_if_asked(const void *data, size_t len)
{
	static const char prefix[] = "sleep:";
	const char *text = data;
	struct timespec deadline;
	unsigned long ms = 0;
	size_t i, digits = 0;

	if (len <= sizeof(prefix) - 1 ||
	    memcmp(text, prefix, sizeof(prefix) - 1) != 0)
		return;
	for (i = sizeof(prefix) - 1; i < len && text[i] >= '0' &&
	     text[i] <= '9'; i++, digits++) {
		ms = ms * 10 + (unsigned long)(text[i] - '0');
		if (ms > WORKER_SLEEP_MAX_MS)
			ms = WORKER_SLEEP_MAX_MS;
	}
	if (digits == 0)
		return;

	pthread_once(&sleep_once, sleep_cond_init);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(ms / 1000);
	deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sleep_lock);
	while (!sleeps_interrupted &&
	       pthread_cond_timedwait(&sleep_cond, &sleep_lock, &deadline) == 0)
		;
	pthread_mutex_unlock(&sleep_lock);
}

void worker_interrupt_sleeps(void)
{
	pthread_once(&sleep_once, sleep_cond_init);
	pthread_mutex_lock(&sleep_lock);
	sleeps_interrupted = true;
	pthread_cond_broadcast(&sleep_cond);
	pthread_mutex_unlock(&sleep_lock);
}

static void serve(struct worker *w, struct upcall *up)
{
	struct reply reply = { 0 };
	bool had_payload;
	int err;

	request_handle(w->pool->sessions, up, &reply);
	log_debug("request %llu: op %u package %s session %#llx -> %#010x",
		  (unsigned long long)up->request_id, up->op,
		  up->package ? up->package : "-",
		  (unsigned long long)up->session_id, reply.status);

	err = netlink_send_downcall(w->sock, w->pool->family_id, &reply, true);
	had_payload = reply.token.len || reply.blob.len ||
		      reply.has_context_attr || reply.has_expiry;
	if (err == -NLE_OBJ_NOTFOUND) {
		/* The kernel gave up on it (timeout, caller gone). */
		log_info("request %llu: no longer pending in the kernel",
			 (unsigned long long)up->request_id);
	} else if (err < 0 && had_payload) {
		/* Do not leave the caller waiting for a timeout. */
		log_warn("request %llu: downcall failed (%s), answering SEC_E_INTERNAL_ERROR",
			 (unsigned long long)up->request_id, nl_geterror(err));
		reply_clear(&reply);
		reply.status = SEC_E_INTERNAL_ERROR;
		err = netlink_send_downcall(w->sock, w->pool->family_id,
					    &reply, true);
	}
	if (err < 0 && err != -NLE_OBJ_NOTFOUND)
		log_warn("request %llu: downcall failed: %s",
			 (unsigned long long)up->request_id, nl_geterror(err));
	reply_clear(&reply);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct worker_pool *pool = w->pool;

	for (;;) {
		struct upcall *up;

		pthread_mutex_lock(&pool->lock);
		while (!pool->stopping && pool->queued == 0)
			pthread_cond_wait(&pool->wake, &pool->lock);
		if (pool->stopping) {
			pthread_mutex_unlock(&pool->lock);
			break;
		}
		up = pool->queue[pool->head];
		pool->head = (pool->head + 1) % WORKER_QUEUE_MAX;
		pool->queued--;
		pthread_mutex_unlock(&pool->lock);

		serve(w, up);
		upcall_free(up);
		free(up);
	}
	return NULL;
}

struct worker_pool *worker_pool_start(unsigned int workers, int family_id,
				      struct session_table *sessions)
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

	for (i = 0; i < workers; i++) {
		struct worker *w = &pool->workers[i];

		w->pool = pool;
		w->sock = netlink_downcall_socket();
		if (!w->sock)
			break;
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			log_error("cannot start worker %u: %s", i, strerror(err));
			netlink_socket_free(w->sock);
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

bool worker_pool_submit(struct worker_pool *pool, struct upcall *up)
{
	bool queued = false;

	pthread_mutex_lock(&pool->lock);
	if (!pool->stopping && pool->queued < WORKER_QUEUE_MAX) {
		pool->queue[(pool->head + pool->queued) % WORKER_QUEUE_MAX] = up;
		pool->queued++;
		pthread_cond_signal(&pool->wake);
		queued = true;
	}
	pthread_mutex_unlock(&pool->lock);
	return queued;
}

void worker_pool_stop(struct worker_pool *pool)
{
	unsigned int i;

	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	worker_interrupt_sleeps();

	for (i = 0; i < pool->count; i++) {
		pthread_join(pool->workers[i].thread, NULL);
		netlink_socket_free(pool->workers[i].sock);
	}
	if (pool->queued)
		log_info("dropping %zu queued requests", pool->queued);
	while (pool->queued) {
		struct upcall *up = pool->queue[pool->head];

		pool->head = (pool->head + 1) % WORKER_QUEUE_MAX;
		pool->queued--;
		upcall_free(up);
		free(up);
	}
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
