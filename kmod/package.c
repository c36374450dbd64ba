// SPDX-License-Identifier: GPL-2.0
/*
 * The package registry.  Packages are built into the module and registered
 * at load time; lookups take a read lock, registration a write lock.
 */
#include <linux/rwsem.h>
#include <linux/string.h>
#include <linux/ksspi_context.h>
#include "package.h"

static LIST_HEAD(ksspi_packages);
static DECLARE_RWSEM(ksspi_packages_lock);

static bool ksspi_package_named(const struct ksspi_package *pkg,
				const char *name)
{
	const char *const *alias;

	if (!strcasecmp(pkg->info.name, name))
		return true;
	for (alias = pkg->aliases; alias && *alias; alias++)
		if (!strcasecmp(*alias, name))
			return true;
	return false;
}

static struct ksspi_package *__ksspi_package_find(const char *name)
{
	struct ksspi_package *pkg;

	list_for_each_entry(pkg, &ksspi_packages, node)
		if (ksspi_package_named(pkg, name))
			return pkg;
	return NULL;
}

/* Neither the name nor an alias of @pkg may name a registered package. */
static bool ksspi_package_clash(const struct ksspi_package *pkg)
{
	const char *const *alias;

	if (__ksspi_package_find(pkg->info.name))
		return true;
	for (alias = pkg->aliases; alias && *alias; alias++)
		if (__ksspi_package_find(*alias))
			return true;
	return false;
}

/**
 * ksspi_package_register - make a package available
 * @pkg: the package; its info.name and aliases must be unique
 *	(case-insensitively) among all names and aliases
 *
 * Return: 0 or -EEXIST.
 */
int ksspi_package_register(struct ksspi_package *pkg)
{
	int err = 0;

	/* The name must fit the serialized context's header. */
	if (strnlen(pkg->info.name, sizeof(pkg->info.name)) >=
	    sizeof_field(struct ksspi_ctx_header, package))
		return -ENAMETOOLONG;

	down_write(&ksspi_packages_lock);
	if (ksspi_package_clash(pkg)) {
		err = -EEXIST;
	} else {
		atomic_set(&pkg->live_credentials, 0);
		atomic_set(&pkg->live_contexts, 0);
		list_add_tail(&pkg->node, &ksspi_packages);
	}
	up_write(&ksspi_packages_lock);
	return err;
}

/**
 * ksspi_package_unregister - withdraw a package
 * @pkg: the package; no credential or context of it may be alive
 */
void ksspi_package_unregister(struct ksspi_package *pkg)
{
	down_write(&ksspi_packages_lock);
	list_del(&pkg->node);
	up_write(&ksspi_packages_lock);
}

/*
 * Packages are only unregistered at module exit, after every handle is
 * gone, so a pointer returned here stays valid for as long as a caller can
 * use it.  Names compare case-insensitively, as on Windows; a package's
 * aliases find it too.
 */
const struct ksspi_package *ksspi_package_find(const char *name)
{
	struct ksspi_package *pkg;

	down_read(&ksspi_packages_lock);
	pkg = __ksspi_package_find(name);
	up_read(&ksspi_packages_lock);
	return pkg;
}

/**
 * ksspi_package_enum - list the packages
 * @out: receives up to @room entries (may be NULL when @room is 0)
 * @room: entries available at @out
 * @count: receives the number of packages
 *
 * Return: 0.
 */
int ksspi_package_enum(struct ksspi_package_info *out, u32 room, u32 *count)
{
	struct ksspi_package *pkg;
	u32 n = 0;

	down_read(&ksspi_packages_lock);
	list_for_each_entry(pkg, &ksspi_packages, node) {
		if (n < room)
			out[n] = pkg->info;
		n++;
	}
	up_read(&ksspi_packages_lock);
	*count = n;
	return 0;
}

void ksspi_package_for_each(void (*fn)(const struct ksspi_package *pkg,
				       void *arg), void *arg)
{
	struct ksspi_package *pkg;

	down_read(&ksspi_packages_lock);
	list_for_each_entry(pkg, &ksspi_packages, node)
		fn(pkg, arg);
	up_read(&ksspi_packages_lock);
}
