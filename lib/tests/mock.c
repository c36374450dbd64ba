// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The unit tests' replacement for the ioctl system call: a strong
 * definition of the library's weak ksspi_priv_sys_ioctl().  The device
 * itself is still opened, so the tests set KSSPI_DEVICE=/dev/null.
 */
#include <errno.h>
#include <stdlib.h>

#include "mock.h"

mock_fn mock_ioctl;
unsigned int mock_calls;
unsigned long mock_last_request;

int ksspi_priv_sys_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	__atomic_add_fetch(&mock_calls, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&mock_last_request, request, __ATOMIC_RELAXED);
	if (!mock_ioctl) {
		errno = ENOTTY;
		return -1;
	}
	return mock_ioctl(request, arg);
}

void mock_reset(mock_fn fn)
{
	mock_ioctl = fn;
	mock_calls = 0;
	mock_last_request = 0;
}

/*
 * Run before main(): every test opens /dev/null as its "device", and its
 * local time is UTC unless it chooses another zone (test_time).
 */
__attribute__((constructor)) static void mock_init(void)
{
	setenv("KSSPI_DEVICE", "/dev/null", 1);
	setenv("TZ", "UTC", 1);
}
