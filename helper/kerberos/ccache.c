// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The calling user's own credential cache, found as rpc.gssd finds it
 * (Documentation/kerberos.rst, "Client credentials"): FILE:/tmp/krb5cc_<uid>,
 * then DIR:/run/user/<uid>/krb5cc, then KEYRING:persistent:<uid>
 * (keyring.c); the one krb5.conf's default_ccache_name names first, when it
 * is one of these.  A FILE or DIR cache is used only when it is a
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

#include <krb5/krb5.h>
#include <profile.h>

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

/* FILE:/tmp/krb5cc_<uid> */
static int open_tmp_file(uint32_t uid)
{
	char name[32];
	int tmp, fd;

	snprintf(name, sizeof(name), "krb5cc_%u", uid);
	tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp < 0)
		return -1;
	fd = open_owned_file(tmp, name, uid);
	close(tmp);
	return fd;
}

/* DIR:/run/user/<uid>/krb5cc */
static int open_run_user_dir(uint32_t uid)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/user/%u/krb5cc", uid);
	return open_dir_collection(path, uid);
}

/* The places looked in, in the default order. */
enum user_cache { CACHE_FILE, CACHE_DIR, CACHE_KEYRING, CACHE_KINDS };

static int open_user_cache(enum user_cache kind, uint32_t uid)
{
	switch (kind) {
	case CACHE_FILE:
		return open_tmp_file(uid);
	case CACHE_DIR:
		return open_run_user_dir(uid);
	case CACHE_KEYRING:
		return kerberos_user_keyring_ccache(uid);
	default:
		return -1;
	}
}

/*
 * Which of the places krb5.conf's default_ccache_name names, when it is
 * one of them for %{uid}; -1 for anything else (none, or a name ksspid
 * cannot check is the caller's own, such as a path under a home folder).
 */
static int configured_cache(void)
{
	static const struct {
		const char *name;
		enum user_cache kind;
	} safe[] = {
		{ "FILE:/tmp/krb5cc_%{uid}", CACHE_FILE },
		{ "/tmp/krb5cc_%{uid}", CACHE_FILE },
		{ "DIR:/run/user/%{uid}/krb5cc", CACHE_DIR },
		{ "KEYRING:persistent:%{uid}", CACHE_KEYRING },
	};
	krb5_context kctx;
	profile_t profile;
	char *name = NULL;
	int kind = -1;
	size_t i;

	if (krb5_init_context(&kctx))
		return -1;
	if (!krb5_get_profile(kctx, &profile)) {
		if (!profile_get_string(profile, "libdefaults",
					"default_ccache_name", NULL, NULL,
					&name) && name) {
			for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
				if (!strcmp(name, safe[i].name))
					kind = (int)safe[i].kind;
			profile_release_string(name);
		}
		profile_release(profile);
	}
	krb5_free_context(kctx);
	return kind;
}

int kerberos_user_ccache(uint32_t uid)
{
	int first = configured_cache(), fd;
	int kind;

	if (first >= 0) {
		fd = open_user_cache((enum user_cache)first, uid);
		if (fd >= 0)
			return fd;
	}
	for (kind = 0; kind < CACHE_KINDS; kind++) {
		if (kind == first)
			continue;
		fd = open_user_cache((enum user_cache)kind, uid);
		if (fd >= 0)
			return fd;
	}
	return -1;
}
