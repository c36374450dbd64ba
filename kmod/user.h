/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Users: what one user holds of ksspi, counted so that it can be limited.
 * Every handle table belongs to a user; every credential, context and
 * upcall counts against that user's limits (module parameters), so one
 * user's flood is that user's problem alone.
 */
#ifndef _KSSPI_USER_H
#define _KSSPI_USER_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/uidgid.h>

struct seq_file;

/*
 * Memory allocated for a caller: charged to the caller's memory cgroup.
 * When that cgroup is full the allocation fails, and the caller gets
 * SEC_E_INSUFFICIENT_MEMORY, instead of waking the OOM killer.
 */
#define KSSPI_GFP_CALLER	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

enum ksspi_user_resource {
	KSSPI_RES_CREDENTIALS,	/* live credentials */
	KSSPI_RES_CONTEXTS,	/* live contexts */
	KSSPI_RES_HANDSHAKES,	/* contexts with a helper session */
	KSSPI_RES_UPCALLS,	/* requests queued or in the helper's hands */
	KSSPI_RES_COUNT
};

/**
 * struct ksspi_user - one user's share of ksspi
 * @ref: references: handle tables, objects and requests of the user
 * @uid: the user (the effective uid of whoever opened /dev/ksspi)
 * @kernel: an in-kernel consumer: counted, never limited
 * @count: what the user holds, per enum ksspi_user_resource
 * @queue: the user's requests waiting to be fetched by the helper
 *	(under the request lock of upcall.c)
 * @ready: entry in the round-robin list of users with queued requests
 *	(under the request lock of upcall.c)
 */
struct ksspi_user {
	refcount_t ref;
	kuid_t uid;
	bool kernel;
	atomic_t count[KSSPI_RES_COUNT];
	struct list_head queue;
	struct list_head ready;
};

struct ksspi_user *ksspi_user_get(kuid_t uid);
struct ksspi_user *ksspi_kernel_user_new(void);
void ksspi_user_hold(struct ksspi_user *user);
void ksspi_user_put(struct ksspi_user *user);
bool ksspi_user_charge(struct ksspi_user *user, enum ksspi_user_resource res);
void ksspi_user_uncharge(struct ksspi_user *user, enum ksspi_user_resource res);
u32 ksspi_user_id(const struct ksspi_user *user);
void ksspi_users_show(struct seq_file *m);
void ksspi_users_exit(void);

#endif /* _KSSPI_USER_H */
