/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handle tables.  Every credential and context belongs to one owner: an
 * open file of /dev/ksspi, or the kernel (the in-kernel API).  A handle is
 * the object's slot index in its owner's table plus a random generation tag
 * that also encodes the object type, so a stale, forged or foreign handle
 * never reaches another object.
 */
#ifndef _KSSPI_OWNER_H
#define _KSSPI_OWNER_H

#include <linux/kref.h>
#include <linux/xarray.h>
#include <linux/ksspi.h>

struct ksspi_user;

enum ksspi_object_type {
	KSSPI_OBJ_CREDENTIAL = 0x43,	/* 'C' */
	KSSPI_OBJ_CONTEXT = 0x58,	/* 'X' */
};

/**
 * struct ksspi_object - what a handle names
 * @ref: references: one held by the owner's table while the handle is
 *	live, one by each call using the object
 * @tag: generation tag; its top byte is the object type
 * @type: enum ksspi_object_type
 * @release: frees the containing object when @ref drops to zero
 * @user: the user the object counts against (a reference)
 */
struct ksspi_object {
	struct kref ref;
	u64 tag;
	enum ksspi_object_type type;
	void (*release)(struct ksspi_object *obj);
	struct ksspi_user *user;
};

/**
 * struct ksspi_owner - a handle table
 * @objects: slot index -> struct ksspi_object; the xarray's own lock
 *	protects lookups against removal, so a reference taken under it is
 *	always to a live object
 * @next_index: cursor of the cyclic index allocator (under the xa_lock)
 * @user: the user everything in the table counts against (a reference)
 *
 * The table's memory and its objects' are charged to the memory cgroup of
 * whoever makes them.
 */
struct ksspi_owner {
	struct xarray objects;
	u32 next_index;
	struct ksspi_user *user;
};

void ksspi_owner_init(struct ksspi_owner *owner, struct ksspi_user *user);
void ksspi_owner_destroy(struct ksspi_owner *owner);

int ksspi_object_init(struct ksspi_object *obj, enum ksspi_object_type type,
		      void (*release)(struct ksspi_object *obj),
		      struct ksspi_user *user);
int ksspi_owner_insert(struct ksspi_owner *owner, struct ksspi_object *obj,
		       struct ksspi_handle *handle);
struct ksspi_object *ksspi_owner_get(struct ksspi_owner *owner,
				     const struct ksspi_handle *handle,
				     enum ksspi_object_type type);
bool ksspi_owner_remove(struct ksspi_owner *owner,
			const struct ksspi_handle *handle,
			enum ksspi_object_type type);

static inline void ksspi_object_get(struct ksspi_object *obj)
{
	kref_get(&obj->ref);
}

void ksspi_object_put(struct ksspi_object *obj);

#endif /* _KSSPI_OWNER_H */
