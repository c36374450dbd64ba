/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handshake state between the legs of one security context, keyed by the
 * kernel's KSSPI_A_SESSION_ID.
 *
 * A worker acquires a session for the duration of a leg; meanwhile the
 * session is "busy" and a second leg for it is refused.  A release that
 * arrives while it is busy marks it, and the worker's session_put() then
 * frees it.  Sessions idle for SESSION_IDLE_TIMEOUT seconds are dropped by
 * session_expire().
 *
 * An acceptor whose client delegated credentials keeps its session after
 * its last leg, "established": it takes no more legs; client legs of a
 * credential made from the context read it (session_read(), several at
 * once); it goes with the kernel's release notice or at its expiry.
 */
#ifndef KSSPID_SESSION_H
#define KSSPID_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_IDLE_TIMEOUT	600	/* seconds */
#define SESSION_MAX		65536	/* handshakes in progress at once */
#define SESSION_MAX_PER_USER	1024	/* default per-user limit */
#define SESSION_BUCKETS		1024
#define SESSION_OWNER_BUCKETS	64
/* The owner of in-kernel callers' sessions, which no uid can name */
#define SESSION_OWNER_KERNEL	UINT64_MAX

struct package;

struct session {
	uint64_t id;
	uint64_t owner;		/* upcall_owner(): whose handshake it is */
	const struct package *package;
	bool initiator;		/* InitializeSecurityContext side */
	void *state;		/* the package's handshake state */

	/* Owned by the table, under its lock */
	int64_t last_used;	/* monotonic seconds */
	bool busy;
	bool released;
	bool established;	/* kept after an acceptor's last leg */
	int64_t expires;	/* established: dropped then (monotonic) */
	unsigned int readers;	/* session_read()s not yet done */
	struct session *next;
};

struct session_owner;

/**
 * struct session_table - the sessions, and how many each user holds
 * @lock: protects everything here
 * @buckets: sessions by id
 * @count: sessions
 * @owners: per-user counts, by owner key
 * @max_per_user: most sessions of one user (in-kernel callers excepted)
 */
struct session_table {
	pthread_mutex_t lock;
	struct session *buckets[SESSION_BUCKETS];
	size_t count;
	struct session_owner *owners[SESSION_OWNER_BUCKETS];
	size_t max_per_user;
};

enum session_lookup {
	SESSION_FOUND,
	SESSION_UNKNOWN,
	SESSION_BUSY,		/* another leg of it is running */
};

int session_table_init(struct session_table *t);

/* Frees every session, busy or not (at shutdown, workers stopped). */
void session_table_destroy(struct session_table *t);

/* A new session, not yet in a table, owning @state.  NULL: no memory. */
struct session *session_new(uint64_t id, const struct package *package,
			    bool initiator, void *state);

/* Frees a session that is in no table, and its state. */
void session_free(struct session *s);

/*
 * Inserts @s, idle.  An idle session with the same id is replaced (the
 * kernel starting a context over).  -EBUSY when a leg of that id is
 * running, -ENOSPC when SESSION_MAX sessions exist, -EDQUOT when its owner
 * has max_per_user sessions (in-kernel callers excepted); @s is then not
 * taken.
 */
int session_add(struct session_table *t, struct session *s, int64_t now);

/* Looks @id up and, when found, marks it busy and hands it out in @out. */
enum session_lookup session_acquire(struct session_table *t, uint64_t id,
				    struct session **out);

/*
 * Ends a leg on an acquired session: keeps it idle for the next leg when
 * @keep (and no release came meanwhile), frees it otherwise.
 */
void session_put(struct session_table *t, struct session *s, bool keep,
		 int64_t now);

/*
 * Ends an acceptor's last leg on an acquired session by keeping it,
 * established, until it is released or @expires (monotonic seconds).
 */
void session_establish(struct session_table *t, struct session *s,
		       int64_t expires);

/*
 * The established session @id of @owner, not expired at @now, for
 * reading its state (no leg may change it) until session_read_done();
 * NULL when there is none.
 */
struct session *session_read(struct session_table *t, uint64_t id,
			     uint64_t owner, int64_t now);
void session_read_done(struct session_table *t, struct session *s);

/* KSSPI_CMD_SESSION_RELEASE: true when a session of that id existed. */
bool session_release(struct session_table *t, uint64_t id);

/* Frees idle sessions unused since @now - SESSION_IDLE_TIMEOUT. */
size_t session_expire(struct session_table *t, int64_t now);

/* Sessions in the table, counting released ones a leg still holds. */
size_t session_count(struct session_table *t);
size_t session_count_owner(struct session_table *t, uint64_t owner);
/* @owner holds max_per_user sessions already (in-kernel callers never) */
bool session_owner_full(struct session_table *t, uint64_t owner);

#endif /* KSSPID_SESSION_H */
