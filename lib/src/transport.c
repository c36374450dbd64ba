// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: the /dev/ksspi file descriptor and the ioctl call.
 *
 * The device is opened once per process, on first use (pthread_once), from
 * the path in $KSSPI_DEVICE (ignored in set-user-ID and similar programs) or
 * /dev/ksspi.  Handles belong to that file descriptor; a child created by
 * fork() shares it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "internal.h"

#define KSSPI_DEFAULT_DEVICE	"/dev/" KSSPI_DEVICE_NAME

static pthread_once_t device_once = PTHREAD_ONCE_INIT;
static int device_fd = -ENODEV;

__attribute__((weak))
int ksspi_priv_sys_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static void device_open(void)
{
	const char *path = secure_getenv("KSSPI_DEVICE");
	int fd;

	if (!path || !*path)
		path = KSSPI_DEFAULT_DEVICE;
	fd = open(path, O_RDWR | O_CLOEXEC);
	device_fd = fd >= 0 ? fd : -errno;
}

int ksspi_priv_device_fd(void)
{
	if (pthread_once(&device_once, device_open))
		return -EAGAIN;
	return device_fd;
}

SECURITY_STATUS ksspi_priv_errno_status(int err)
{
	switch (err) {
	case ENOMEM:
		return SEC_E_INSUFFICIENT_MEMORY;
	case EFAULT:
	case EINVAL:
	case E2BIG:
	case EBADF:
	case ENOTSOCK:
		return SEC_E_INVALID_PARAMETER;
	case EPERM:
		return SEC_E_NOT_OWNER;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

SECURITY_STATUS ksspi_priv_call(unsigned long request, void *arg,
				SECURITY_STATUS nodev)
{
	int fd = ksspi_priv_device_fd();
	int ret;

	if (fd < 0)
		return nodev;
	do {
		ret = ksspi_priv_sys_ioctl(fd, request, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return ksspi_priv_errno_status(errno);
	return SEC_E_OK;
}
