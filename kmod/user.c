// SPDX-License-Identifier: GPL-2.0
/*
 * Users and their limits.
 *
 * /dev/ksspi is open to everyone, so what one user can make the kernel (and
 * the helper) hold is bounded per user: live credentials, live contexts,
 * handshakes in progress and requests to the helper.  A user over a limit
 * gets SEC_E_INSUFFICIENT_MEMORY; nobody else notices.  The memory itself is
 * charged to the caller's memory cgroup (KSSPI_GFP_CALLER) where it is
 * allocated.
 *
 * A user is the effective uid that opened /dev/ksspi (as io_uring keeps the
 * creator's credentials): everything done through that open file counts
 * against it.  Each in-kernel consumer (ksspi_open()) is a user of its own,
 * counted but not limited: it answers for its own remote clients.
 *
 * Users with a handle table or an object alive are kept in an xarray keyed
 * by uid; the last reference removes and frees the entry under the
 * xarray's lock, so a lookup under that lock never sees a dying user.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "user.h"

static unsigned int max_user_credentials = 1024;
module_param(max_user_credentials, uint, 0644);
MODULE_PARM_DESC(max_user_credentials,
		 "Most live credentials of one user, 0: no limit (default 1024)");

static unsigned int max_user_contexts = 16384;
module_param(max_user_contexts, uint, 0644);
MODULE_PARM_DESC(max_user_contexts,
		 "Most live contexts of one user, 0: no limit (default 16384)");

static unsigned int max_user_handshakes = 1024;
module_param(max_user_handshakes, uint, 0644);
MODULE_PARM_DESC(max_user_handshakes,
		 "Most unfinished handshakes of one user, 0: no limit (default 1024)");

static unsigned int max_user_upcalls = 64;
module_param(max_user_upcalls, uint, 0644);
MODULE_PARM_DESC(max_user_upcalls,
		 "Most requests of one user to the helper at once, 0: no limit (default 64)");

static const unsigned int *const ksspi_user_limit[KSSPI_RES_COUNT] = {
	[KSSPI_RES_CREDENTIALS] = &max_user_credentials,
	[KSSPI_RES_CONTEXTS] = &max_user_contexts,
	[KSSPI_RES_HANDSHAKES] = &max_user_handshakes,
	[KSSPI_RES_UPCALLS] = &max_user_upcalls,
};

static DEFINE_XARRAY(ksspi_users);

static struct ksspi_user *ksspi_user_alloc(kuid_t uid, bool kernel)
{
	struct ksspi_user *user = kzalloc(sizeof(*user), KSSPI_GFP_CALLER);

	if (!user)
		return NULL;
	refcount_set(&user->ref, 1);
	user->uid = uid;
	user->kernel = kernel;
	INIT_LIST_HEAD(&user->queue);
	INIT_LIST_HEAD(&user->ready);
	return user;
}

/**
 * ksspi_user_get - the user of a uid, with a reference
 * @uid: the uid
 *
 * Return: the user, or NULL when out of memory.
 */
struct ksspi_user *ksspi_user_get(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	struct ksspi_user *user, *old;

	xa_lock(&ksspi_users);
	user = xa_load(&ksspi_users, key);
	if (user)
		refcount_inc(&user->ref);
	xa_unlock(&ksspi_users);
	if (user)
		return user;

	user = ksspi_user_alloc(uid, false);
	if (!user)
		return NULL;
	xa_lock(&ksspi_users);
	old = __xa_cmpxchg(&ksspi_users, key, NULL, user, KSSPI_GFP_CALLER);
	if (old && !xa_is_err(old))
		refcount_inc(&old->ref);
	xa_unlock(&ksspi_users);
	if (!old)
		return user;
	kfree(user);
	return xa_is_err(old) ? NULL : old;
}

/**
 * ksspi_kernel_user_new - a user for one in-kernel consumer
 *
 * Return: the user (one reference) or NULL.
 */
struct ksspi_user *ksspi_kernel_user_new(void)
{
	return ksspi_user_alloc(GLOBAL_ROOT_UID, true);
}

void ksspi_user_hold(struct ksspi_user *user)
{
	refcount_inc(&user->ref);
}

void ksspi_user_put(struct ksspi_user *user)
{
	bool last;

	if (!user)
		return;
	if (user->kernel) {
		if (refcount_dec_and_test(&user->ref))
			kfree(user);
		return;
	}
	xa_lock(&ksspi_users);
	last = refcount_dec_and_test(&user->ref);
	if (last)
		__xa_erase(&ksspi_users, from_kuid(&init_user_ns, user->uid));
	xa_unlock(&ksspi_users);
	if (last)
		kfree(user);
}

/**
 * ksspi_user_charge - count one more of a resource against its limit
 * @user: the user
 * @res: the resource
 *
 * Return: true when the user may have it (undo with ksspi_user_uncharge()),
 * false when that would exceed the user's limit.
 */
bool ksspi_user_charge(struct ksspi_user *user, enum ksspi_user_resource res)
{
	unsigned int limit = READ_ONCE(*ksspi_user_limit[res]);

	if (atomic_inc_return(&user->count[res]) > limit && limit &&
	    !user->kernel) {
		atomic_dec(&user->count[res]);
		return false;
	}
	return true;
}

void ksspi_user_uncharge(struct ksspi_user *user, enum ksspi_user_resource res)
{
	atomic_dec(&user->count[res]);
}

/* The uid the helper is told, in the initial user namespace. */
u32 ksspi_user_id(const struct ksspi_user *user)
{
	return from_kuid_munged(&init_user_ns, user->uid);
}

/**
 * ksspi_users_show - one line per user, for debugfs
 * @m: the seq_file
 */
void ksspi_users_show(struct seq_file *m)
{
	struct ksspi_user *user;
	unsigned long key;

	xa_lock(&ksspi_users);
	xa_for_each(&ksspi_users, key, user)
		seq_printf(m, "user %lu credentials: %d contexts: %d handshakes: %d upcalls: %d\n",
			   key,
			   atomic_read(&user->count[KSSPI_RES_CREDENTIALS]),
			   atomic_read(&user->count[KSSPI_RES_CONTEXTS]),
			   atomic_read(&user->count[KSSPI_RES_HANDSHAKES]),
			   atomic_read(&user->count[KSSPI_RES_UPCALLS]));
	xa_unlock(&ksspi_users);
}

/* Module exit: every table and object is gone, so is every user. */
void ksspi_users_exit(void)
{
	WARN_ON(!xa_empty(&ksspi_users));
	xa_destroy(&ksspi_users);
}
