// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Link this (with mock.c and fakekernel.c) into any libksspi program to run
 * it against the fake kernel instead of /dev/ksspi.  Test use only.
 */
#include "mock.h"

__attribute__((constructor)) static void fake_install(void)
{
	mock_reset(fake_kernel_ioctl);
}
