// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The calling user's own credential cache, found as rpc.gssd finds it
 * (Documentation/kerberos.rst, "Client credentials"): FILE:/tmp/krb5cc_<uid>,
 * then DIR:/run/user/<uid>/krb5cc.  A cache is used only when it is a
 * regular file owned by that uid and reached without following a symbolic
 * link; it is handed to MIT as /proc/self/fd/N of the descriptor checked,
 * so that swapping the name afterwards cannot make ksspid read another
 * user's cache.  ksspid neither setuid()s nor setenv()s (it is
 * multithreaded).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerberos/kerberos.h"

/* Longest name of a DIR collection's "primary" file that is accepted. */
#define PRIMARY_MAX 64

/* @name in @dirfd, opened read-only if it is a regular file of @uid. */
static int open_owned_file(int dirfd, const char *name, uint32_t uid)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != uid) {
		close(fd);
		return -1;
	}
	return fd;
}

/* DIR:@path: its "primary" file names the cache ("tkt..."), both @uid's. */
static int open_dir_collection(const char *path, uint32_t uid)
{
	char primary[PRIMARY_MAX + 1];
	struct stat st;
	int dirfd, pfd, fd = -1;
	ssize_t n;

	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	if (fstat(dirfd, &st) || st.st_uid != uid)
		goto out;
	pfd = open_owned_file(dirfd, "primary", uid);
	if (pfd < 0)
		goto out;
	n = read(pfd, primary, PRIMARY_MAX);
	close(pfd);
	if (n <= 0)
		goto out;
	primary[n] = '\0';
	primary[strcspn(primary, "\n")] = '\0';
	/* a name inside the collection, as MIT writes it */
	if (strncmp(primary, "tkt", 3) != 0 || strchr(primary, '/'))
		goto out;
	fd = open_owned_file(dirfd, primary, uid);
out:
	close(dirfd);
	return fd;
}

int kerberos_user_ccache(uint32_t uid)
{
	char path[64];
	int fd;

	int tmp;

	snprintf(path, sizeof(path), "krb5cc_%u", uid);
	tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp >= 0) {
		fd = open_owned_file(tmp, path, uid);
		close(tmp);
		if (fd >= 0)
			return fd;
	}
	snprintf(path, sizeof(path), "/run/user/%u/krb5cc", uid);
	return open_dir_collection(path, uid);
}
