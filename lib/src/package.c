// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: QuerySecurityPackageInfo, EnumerateSecurityPackages, and the
 * little the library remembers about packages.
 *
 * The only shared state, behind one mutex:
 *  - a cache of package name -> max_token, filled from every package
 *    description the kernel returns;
 *  - credential handle -> package name, filled by AcquireCredentialsHandle
 *    and emptied by FreeCredentialsHandle, so that the first
 *    InitializeSecurityContext / AcceptSecurityContext leg (which has no
 *    context to ask yet) knows how large an ALLOCATE_MEMORY token buffer
 *    must be.
 * QuerySecurityPackageInfo itself always asks the kernel.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define PKG_CACHE_SIZE	32
#define ENUM_MAX	4096	/* more packages than that is a broken answer */

struct pkg_entry {
	char name[KSSPI_MAX_PACKAGE_NAME];
	uint32_t max_token;
};

struct cred_entry {
	struct ksspi_handle handle;
	char name[KSSPI_MAX_PACKAGE_NAME];
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pkg_entry pkg_cache[PKG_CACHE_SIZE];
static unsigned int pkg_count, pkg_next;
static struct cred_entry *creds;
static size_t cred_count, cred_room;

SECURITY_STATUS ksspi_priv_package_len(const char *name, size_t *len)
{
	size_t n;

	if (!name)
		return SEC_E_SECPKG_NOT_FOUND;
	n = strnlen(name, KSSPI_MAX_PACKAGE_NAME);
	/* the kernel's names are NUL-terminated in KSSPI_MAX_PACKAGE_NAME */
	if (!n || n >= KSSPI_MAX_PACKAGE_NAME)
		return SEC_E_SECPKG_NOT_FOUND;
	*len = n;
	return SEC_E_OK;
}

static size_t info_strlen(const char *s, size_t room)
{
	return strnlen(s, room);
}

static void cache_store_locked(const char *name, size_t len, uint32_t max)
{
	struct pkg_entry *e = NULL;
	unsigned int i;

	for (i = 0; i < pkg_count; i++) {
		if (!strncasecmp(pkg_cache[i].name, name, len) &&
		    !pkg_cache[i].name[len]) {
			e = &pkg_cache[i];
			break;
		}
	}
	if (!e) {
		if (pkg_count < PKG_CACHE_SIZE) {
			e = &pkg_cache[pkg_count++];
		} else {
			e = &pkg_cache[pkg_next];
			pkg_next = (pkg_next + 1) % PKG_CACHE_SIZE;
		}
		memset(e->name, 0, sizeof(e->name));
		memcpy(e->name, name, len);
	}
	e->max_token = max;
}

void ksspi_priv_package_cache(const struct ksspi_package_info *info)
{
	size_t len = info_strlen(info->name, sizeof(info->name));

	if (!len || len >= sizeof(info->name) || !info->max_token)
		return;
	pthread_mutex_lock(&cache_lock);
	cache_store_locked(info->name, len, info->max_token);
	pthread_mutex_unlock(&cache_lock);
}

static bool cache_lookup(const char *name, size_t len, uint32_t *max)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < pkg_count; i++) {
		if (!strncasecmp(pkg_cache[i].name, name, len) &&
		    !pkg_cache[i].name[len]) {
			*max = pkg_cache[i].max_token;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return found;
}

static SECURITY_STATUS query_package(const char *name, size_t len,
				     struct ksspi_query_package *q)
{
	SECURITY_STATUS st;

	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->name = ptr_to_u64(name);
	q->name_len = (uint32_t)len;
	st = ksspi_priv_call(KSSPI_IOC_QUERY_PACKAGE, q,
			     SEC_E_SECPKG_NOT_FOUND);
	if (st != SEC_E_OK)
		return st;
	st = ST(q->status);
	if (st == SEC_E_OK)
		ksspi_priv_package_cache(&q->info);
	return st;
}

uint32_t ksspi_priv_package_max_token(const char *name, size_t len)
{
	struct ksspi_query_package q;
	uint32_t max;

	if (cache_lookup(name, len, &max))
		return max;
	if (query_package(name, len, &q) == SEC_E_OK && q.info.max_token &&
	    q.info.max_token <= KSSPI_MAX_TOKEN)
		return q.info.max_token;
	return KSSPI_MAX_TOKEN;
}

void ksspi_priv_cred_remember(const struct ksspi_handle *h, const char *pkg,
			      size_t len)
{
	struct cred_entry *e;

	if (len >= KSSPI_MAX_PACKAGE_NAME)
		return;
	pthread_mutex_lock(&cache_lock);
	if (cred_count == cred_room) {
		size_t room = cred_room ? cred_room * 2 : 16;
		struct cred_entry *n = realloc(creds, room * sizeof(*n));

		if (!n)
			goto out;	/* only costs a larger first buffer */
		creds = n;
		cred_room = room;
	}
	e = &creds[cred_count++];
	memset(e, 0, sizeof(*e));
	e->handle = *h;
	memcpy(e->name, pkg, len);
out:
	pthread_mutex_unlock(&cache_lock);
}

void ksspi_priv_cred_forget(const struct ksspi_handle *h)
{
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cred_count; i++) {
		if (creds[i].handle.lower == h->lower &&
		    creds[i].handle.upper == h->upper) {
			creds[i] = creds[--cred_count];
			break;
		}
	}
	pthread_mutex_unlock(&cache_lock);
}

bool ksspi_priv_cred_package(const struct ksspi_handle *h,
			     char name[KSSPI_MAX_PACKAGE_NAME])
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cred_count; i++) {
		if (creds[i].handle.lower == h->lower &&
		    creds[i].handle.upper == h->upper) {
			memcpy(name, creds[i].name, KSSPI_MAX_PACKAGE_NAME);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return found;
}

void ksspi_priv_cache_reset(void)
{
	pthread_mutex_lock(&cache_lock);
	memset(pkg_cache, 0, sizeof(pkg_cache));
	pkg_count = pkg_next = 0;
	free(creds);
	creds = NULL;
	cred_count = cred_room = 0;
	pthread_mutex_unlock(&cache_lock);
}

/* ---- SecPkgInfo ---------------------------------------------------- */

SECURITY_STATUS ksspi_priv_pkginfo_a(const struct ksspi_package_info *in,
				     size_t n, SecPkgInfoA **out)
{
	size_t i, total = (n ? n : 1) * sizeof(SecPkgInfoA);
	SecPkgInfoA *pi;
	char *s;

	*out = NULL;
	for (i = 0; i < n; i++)
		total += info_strlen(in[i].name, sizeof(in[i].name)) + 1 +
			 info_strlen(in[i].comment, sizeof(in[i].comment)) + 1;
	pi = calloc(1, total);
	if (!pi)
		return SEC_E_INSUFFICIENT_MEMORY;
	s = (char *)(pi + (n ? n : 1));
	for (i = 0; i < n; i++) {
		size_t nl = info_strlen(in[i].name, sizeof(in[i].name));
		size_t cl = info_strlen(in[i].comment, sizeof(in[i].comment));

		pi[i].fCapabilities = in[i].capabilities;
		pi[i].wVersion = in[i].version;
		pi[i].wRPCID = in[i].rpc_id;
		pi[i].cbMaxToken = in[i].max_token;
		pi[i].Name = s;
		memcpy(s, in[i].name, nl);
		s += nl + 1;
		pi[i].Comment = s;
		memcpy(s, in[i].comment, cl);
		s += cl + 1;
	}
	*out = pi;
	return SEC_E_OK;
}

SECURITY_STATUS ksspi_priv_pkginfo_w(const struct ksspi_package_info *in,
				     size_t n, SecPkgInfoW **out)
{
	size_t i, total = (n ? n : 1) * sizeof(SecPkgInfoW);
	char16_t **names = NULL, **comments = NULL;
	size_t *nlen = NULL, *clen = NULL;
	SECURITY_STATUS st = SEC_E_INSUFFICIENT_MEMORY;
	SecPkgInfoW *pi;
	char16_t *s;
	int err;

	*out = NULL;
	if (n) {
		names = calloc(n, sizeof(*names));
		comments = calloc(n, sizeof(*comments));
		nlen = calloc(n, sizeof(*nlen));
		clen = calloc(n, sizeof(*clen));
		if (!names || !comments || !nlen || !clen)
			goto out;
	}
	for (i = 0; i < n; i++) {
		err = ksspi_priv_utf8_to_utf16(in[i].name,
				info_strlen(in[i].name, sizeof(in[i].name)),
				0, &names[i], &nlen[i]);
		if (!err)
			err = ksspi_priv_utf8_to_utf16(in[i].comment,
				info_strlen(in[i].comment,
					    sizeof(in[i].comment)),
				0, &comments[i], &clen[i]);
		if (err) {
			st = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					      SEC_E_INTERNAL_ERROR;
			goto out;
		}
		total += (nlen[i] + 1 + clen[i] + 1) * sizeof(char16_t);
	}
	pi = calloc(1, total);
	if (!pi)
		goto out;
	s = (char16_t *)(pi + (n ? n : 1));
	for (i = 0; i < n; i++) {
		pi[i].fCapabilities = in[i].capabilities;
		pi[i].wVersion = in[i].version;
		pi[i].wRPCID = in[i].rpc_id;
		pi[i].cbMaxToken = in[i].max_token;
		pi[i].Name = s;
		memcpy(s, names[i], (nlen[i] + 1) * sizeof(char16_t));
		s += nlen[i] + 1;
		pi[i].Comment = s;
		memcpy(s, comments[i], (clen[i] + 1) * sizeof(char16_t));
		s += clen[i] + 1;
	}
	*out = pi;
	st = SEC_E_OK;
out:
	for (i = 0; i < n && names && comments; i++) {
		free(names[i]);
		free(comments[i]);
	}
	free(names);
	free(comments);
	free(nlen);
	free(clen);
	return st;
}

/* ---- QuerySecurityPackageInfo ------------------------------------- */

static SECURITY_STATUS query_info(const char *name, size_t len,
				  struct ksspi_query_package *q)
{
	SECURITY_STATUS st = query_package(name, len, q);

	/* the answer must be a usable description */
	if (st == SEC_E_OK &&
	    info_strlen(q->info.name, sizeof(q->info.name)) >=
	    sizeof(q->info.name))
		return SEC_E_INTERNAL_ERROR;
	return st;
}

/* On failure *ppPackageInfo is left as it was, as Windows leaves it */
SECURITY_STATUS QuerySecurityPackageInfoA(const SEC_CHAR *pszPackageName,
					  PSecPkgInfoA *ppPackageInfo)
{
	struct ksspi_query_package q;
	SECURITY_STATUS st;
	SecPkgInfoA *info;
	size_t len;

	if (!ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	st = ksspi_priv_package_len(pszPackageName, &len);
	if (st != SEC_E_OK)
		return st;
	st = query_info(pszPackageName, len, &q);
	if (st == SEC_E_OK)
		st = ksspi_priv_pkginfo_a(&q.info, 1, &info);
	if (st == SEC_E_OK)
		*ppPackageInfo = info;
	return st;
}

SECURITY_STATUS ksspi_priv_package_name_w(const SEC_WCHAR *w, char **name,
					  size_t *len)
{
	int err;

	*name = NULL;
	if (!w)
		return SEC_E_SECPKG_NOT_FOUND;
	err = ksspi_priv_utf16_to_utf8(w, ksspi_priv_u16len(w),
				       KSSPI_MAX_PACKAGE_NAME - 1, name, len);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (err || !*len) {
		free(*name);
		*name = NULL;
		return SEC_E_SECPKG_NOT_FOUND;
	}
	return SEC_E_OK;
}

SECURITY_STATUS QuerySecurityPackageInfoW(const SEC_WCHAR *pszPackageName,
					  PSecPkgInfoW *ppPackageInfo)
{
	struct ksspi_query_package q;
	SECURITY_STATUS st;
	SecPkgInfoW *info;
	char *name;
	size_t len;

	if (!ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	st = ksspi_priv_package_name_w(pszPackageName, &name, &len);
	if (st != SEC_E_OK)
		return st;
	st = query_info(name, len, &q);
	free(name);
	if (st == SEC_E_OK)
		st = ksspi_priv_pkginfo_w(&q.info, 1, &info);
	if (st == SEC_E_OK)
		*ppPackageInfo = info;
	return st;
}

/* ---- EnumerateSecurityPackages ------------------------------------ */

/*
 * Ask for the count, then for the descriptions; start over if packages
 * appeared in between.  The kernel may answer a short array either with
 * SEC_E_OK and the full count, or with SEC_E_BUFFER_TOO_SMALL.
 */
static SECURITY_STATUS enumerate(struct ksspi_package_info **out, size_t *n)
{
	struct ksspi_package_info *arr = NULL;
	struct ksspi_enum_packages e;
	uint32_t room = 0;
	SECURITY_STATUS st;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		memset(&e, 0, sizeof(e));
		e.size = sizeof(e);
		e.count = room;
		e.packages = ptr_to_u64(arr);
		st = ksspi_priv_call(KSSPI_IOC_ENUM_PACKAGES, &e,
				     SEC_E_SECPKG_NOT_FOUND);
		if (st != SEC_E_OK)
			goto fail;
		st = ST(e.status);
		if (st != SEC_E_OK && st != SEC_E_BUFFER_TOO_SMALL)
			goto fail;
		if (st == SEC_E_OK && e.count <= room) {
			*out = arr;
			*n = e.count;
			return SEC_E_OK;
		}
		if (e.count <= room || e.count > ENUM_MAX) {
			st = SEC_E_INTERNAL_ERROR;
			goto fail;
		}
		free(arr);
		room = e.count;
		arr = calloc(room, sizeof(*arr));
		if (!arr)
			return SEC_E_INSUFFICIENT_MEMORY;
	}
	st = SEC_E_INTERNAL_ERROR;
fail:
	free(arr);
	return st;
}

static SECURITY_STATUS enumerate_checked(struct ksspi_package_info **arr,
					 size_t *n, PULONG pcPackages,
					 void *pp)
{
	SECURITY_STATUS st;
	size_t i;

	if (!pcPackages || !pp)
		return SEC_E_INVALID_PARAMETER;
	*pcPackages = 0;
	st = enumerate(arr, n);
	if (st != SEC_E_OK)
		return st;
	for (i = 0; i < *n; i++)
		ksspi_priv_package_cache(&(*arr)[i]);
	return SEC_E_OK;
}

SECURITY_STATUS EnumerateSecurityPackagesA(PULONG pcPackages,
					   PSecPkgInfoA *ppPackageInfo)
{
	struct ksspi_package_info *arr = NULL;
	SECURITY_STATUS st;
	size_t n = 0;

	if (ppPackageInfo)
		*ppPackageInfo = NULL;
	st = enumerate_checked(&arr, &n, pcPackages, ppPackageInfo);
	if (st != SEC_E_OK)
		return st;
	st = ksspi_priv_pkginfo_a(arr, n, ppPackageInfo);
	free(arr);
	if (st == SEC_E_OK)
		*pcPackages = (ULONG)n;
	return st;
}

SECURITY_STATUS EnumerateSecurityPackagesW(PULONG pcPackages,
					   PSecPkgInfoW *ppPackageInfo)
{
	struct ksspi_package_info *arr = NULL;
	SECURITY_STATUS st;
	size_t n = 0;

	if (ppPackageInfo)
		*ppPackageInfo = NULL;
	st = enumerate_checked(&arr, &n, pcPackages, ppPackageInfo);
	if (st != SEC_E_OK)
		return st;
	st = ksspi_priv_pkginfo_w(arr, n, ppPackageInfo);
	free(arr);
	if (st == SEC_E_OK)
		*pcPackages = (ULONG)n;
	return st;
}

/*
 * What the library hands out may hold secrets (SECPKG_ATTR_SESSION_KEY,
 * tokens): wipe the whole block before it returns to the heap.
 */
SECURITY_STATUS FreeContextBuffer(void *pvContextBuffer)
{
	if (pvContextBuffer)
		explicit_bzero(pvContextBuffer,
			       malloc_usable_size(pvContextBuffer));
	free(pvContextBuffer);
	return SEC_E_OK;
}
