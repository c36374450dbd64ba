/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Negotiate's memory of Kerberos realms whose KDC could not be reached, so
 * that the NTLM fallback does not pay MIT's KDC timeout on every
 * handshake (issue 8 point 5).  A failure is remembered per realm for
 * SPNEGO_KDC_MEMORY_SECONDS; a success forgets it.  At most
 * SPNEGO_KDC_MEMORY_REALMS realms are remembered: a new one replaces the
 * oldest failure.  Realm names compare case-sensitively (RFC 4120 6.1).
 * Thread-safe: ksspid's workers share it.
 */
#ifndef KSSPID_SPNEGO_KDC_MEMORY_H
#define KSSPID_SPNEGO_KDC_MEMORY_H

#include <stdbool.h>
#include <time.h>

#define SPNEGO_KDC_MEMORY_SECONDS	60
#define SPNEGO_KDC_MEMORY_REALMS	32
/* Longer realm names are not remembered (and so always tried) */
#define SPNEGO_KDC_MEMORY_REALM_MAX	255

/* The KDC of @realm could not be reached at @now (monotonic seconds). */
void spnego_kdc_failed(const char *realm, time_t now);

/* The KDC of @realm answered: forget its failure. */
void spnego_kdc_answered(const char *realm);

/*
 * Whether the KDC of @realm failed less than SPNEGO_KDC_MEMORY_SECONDS
 * before @now: Negotiate then goes to NTLM without trying Kerberos.
 */
bool spnego_kdc_recently_failed(const char *realm, time_t now);

/* Forgets everything (tests, and a configuration reload). */
void spnego_kdc_memory_clear(void);

#endif /* KSSPID_SPNEGO_KDC_MEMORY_H */
