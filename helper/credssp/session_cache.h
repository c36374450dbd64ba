/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's TLS session cache of CredSSP (the InitializeSecurityContext
 * (CredSSP) page, pTargetName): a cached session is used only when the
 * target name, the process, the logon session and the credential handle
 * are those it was made for, and it has not expired.  The cache holds
 * opaque session data (what GnuTLS needs to resume, and what the package
 * must remember of the first handshake); it knows nothing of TLS.
 *
 * Entries are taken, not copied: a resumption consumes its entry (TLS 1.3
 * tickets are meant for one use), and the handshake that resumed puts a
 * fresh one back.  Thread-safe.
 */
#ifndef KSSPID_CREDSSP_SESSION_CACHE_H
#define KSSPID_CREDSSP_SESSION_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* What an entry is for: the page's four conditions besides expiry. */
struct session_cache_key {
	const char *target;		/* compared case-insensitively */
	uint32_t pid;			/* the calling process (0: kernel) */
	uint32_t logon_session;		/* its audit session id */
	uint64_t credential_id;		/* the credential handle */
	uint64_t owner;			/* whose entries count (upcall_owner) */
};

/* Limits; set once at start-up, before any other call. */
struct session_cache_limits {
	int64_t lifetime;		/* seconds an entry lives; 0: no cache */
	size_t max_entries;		/* in all */
	size_t max_per_owner;		/* of one user */
};

/* Defaults: Schannel's client cache time (10 hours), 1024 and 32 entries. */
#define SESSION_CACHE_LIFETIME		36000
#define SESSION_CACHE_MAX_ENTRIES	1024
#define SESSION_CACHE_MAX_PER_OWNER	32

void session_cache_configure(const struct session_cache_limits *limits);

/*
 * Stores @len bytes of @data for @key, replacing an entry of the same key,
 * to expire at @now + lifetime or at @expires, whichever comes first
 * (@expires 0: no bound of its own).  A key without a target name is not
 * cached.  When the owner or the cache is full, the owner's (or the
 * cache's) least recently stored entry goes.  0, -EINVAL (not cached) or
 * -ENOMEM.
 */
int session_cache_put(const struct session_cache_key *key,
		      const uint8_t *data, size_t len, int64_t now,
		      int64_t expires);

/*
 * Takes the entry of @key into the empty @out, if there is one that has
 * not expired at @now: 0, or -ENOENT.  Expired entries are wiped on the
 * way.
 */
int session_cache_take(const struct session_cache_key *key, int64_t now,
		       struct bytes *out);

/* Entries held (for tests and statistics). */
size_t session_cache_count(void);

/* Wipes every entry. */
void session_cache_clear(void);

#endif /* KSSPID_CREDSSP_SESSION_CACHE_H */
