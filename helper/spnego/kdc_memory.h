/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Negotiate's memory of Kerberos realms whose KDC could not be reached, so
 * that the NTLM fallback does not pay MIT's KDC timeout on every
 * handshake (issue 8 point 5).  A failure is remembered per owner (the
 * upcall_owner() of the handshake that saw it) and realm, for
 * SPNEGO_KDC_MEMORY_SECONDS; a success forgets it.  One owner's failures
 * never send another owner to NTLM, and one owner's flood of failures
 * evicts only its own entries: an owner holds at most
 * SPNEGO_KDC_MEMORY_PER_OWNER realms (a new one replaces its oldest), and
 * a full table gives up an entry of the owner holding the most.  Realm
 * names compare case-sensitively (RFC 4120 6.1).
 * Thread-safe: ksspid's workers share it.
 */
#ifndef KSSPID_SPNEGO_KDC_MEMORY_H
#define KSSPID_SPNEGO_KDC_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SPNEGO_KDC_MEMORY_SECONDS	60
#define SPNEGO_KDC_MEMORY_PER_OWNER	8
#define SPNEGO_KDC_MEMORY_ENTRIES	256
/* Longer realm names are not remembered (and so always tried) */
#define SPNEGO_KDC_MEMORY_REALM_MAX	255

/* @owner's KDC of @realm could not be reached at @now (monotonic seconds). */
void spnego_kdc_failed(uint64_t owner, const char *realm, time_t now);

/* @owner's KDC of @realm answered: forget that failure. */
void spnego_kdc_answered(uint64_t owner, const char *realm);

/*
 * Whether @owner's KDC of @realm failed less than SPNEGO_KDC_MEMORY_SECONDS
 * before @now: Negotiate then goes to NTLM without trying Kerberos.
 */
bool spnego_kdc_recently_failed(uint64_t owner, const char *realm,
				time_t now);

/* Forgets everything (tests, and a configuration reload). */
void spnego_kdc_memory_clear(void);

#endif /* KSSPID_SPNEGO_KDC_MEMORY_H */
