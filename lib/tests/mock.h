/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit tests' replacement for the ioctl system call.
 */
#ifndef KSSPI_TEST_MOCK_H
#define KSSPI_TEST_MOCK_H

#include "internal.h"

/*
 * Called for every ioctl the library makes, with the structure it built;
 * same contract as ioctl(2) (return -1 and set errno to refuse).
 * NULL: every ioctl fails with ENOTTY.
 */
typedef int (*mock_fn)(unsigned long request, void *arg);
extern mock_fn mock_ioctl;

/* Calls seen since the last mock_reset(), and the last request */
extern unsigned int mock_calls;
extern unsigned long mock_last_request;

/* Forget the calls; install @fn (the library's caches stay) */
void mock_reset(mock_fn fn);

/* The fake kernel of fakekernel.c */
int fake_kernel_ioctl(unsigned long request, void *arg);
void fake_kernel_reset(void);
/* Objects the fake kernel still holds (leak checks) */
unsigned int fake_kernel_objects(void);
/* EnumerateSecurityPackages answer to a short array: 0 BUFFER_TOO_SMALL, 1 OK */
extern int fake_enum_style;
/* Expiry (credentials, contexts) and lifespan start it reports, UTC */
extern int64_t fake_expiry, fake_start;

#endif
