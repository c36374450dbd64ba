/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The identity of a request: the kernel hands it over as a short-lived key
 * ("user\0domain\0password", readable by the helper's uid alone, revoked
 * when the request ends), never in a netlink message.
 */
#ifndef KSSPID_IDENTITY_H
#define KSSPID_IDENTITY_H

#include <stdint.h>

struct upcall;

/*
 * Reads the key named by the request's KSSPI_A_IDENTITY_KEY, if any, into
 * its user, domain and password.  Returns SEC_E_OK or the status to answer
 * with.
 */
uint32_t identity_load(struct upcall *up);

#endif /* KSSPID_IDENTITY_H */
