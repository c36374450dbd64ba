// SPDX-License-Identifier: GPL-2.0
/*
 * Handle tables: slot index plus generation tag, per owner.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include "owner.h"
#include "user.h"

#define KSSPI_TAG_TYPE_SHIFT	56

/**
 * ksspi_owner_init - set up an empty handle table
 * @owner: the table
 * @user: its user; the table takes over the caller's reference
 */
void ksspi_owner_init(struct ksspi_owner *owner, struct ksspi_user *user)
{
	xa_init_flags(&owner->objects, XA_FLAGS_ALLOC1);
	owner->next_index = 0;
	owner->user = user;
}

static enum ksspi_user_resource ksspi_object_resource(enum ksspi_object_type type)
{
	return type == KSSPI_OBJ_CREDENTIAL ? KSSPI_RES_CREDENTIALS :
					      KSSPI_RES_CONTEXTS;
}

/**
 * ksspi_object_init - set up a new object with one reference
 * @obj: the object
 * @type: its type
 * @release: frees the containing object
 * @user: the user it counts against
 *
 * Return: 0, or -EDQUOT when the user already has as many objects of the
 * type as its limit allows (then nothing is to be undone).
 */
int ksspi_object_init(struct ksspi_object *obj, enum ksspi_object_type type,
		      void (*release)(struct ksspi_object *obj),
		      struct ksspi_user *user)
{
	if (!ksspi_user_charge(user, ksspi_object_resource(type)))
		return -EDQUOT;
	ksspi_user_hold(user);
	obj->user = user;
	kref_init(&obj->ref);
	obj->type = type;
	obj->release = release;
	/* A tag of zero would match a zeroed handle: never produce one. */
	obj->tag = (get_random_u64() & ~(0xffULL << KSSPI_TAG_TYPE_SHIFT)) |
		   ((u64)type << KSSPI_TAG_TYPE_SHIFT);
	return 0;
}

static void ksspi_object_release(struct kref *ref)
{
	struct ksspi_object *obj = container_of(ref, struct ksspi_object, ref);
	enum ksspi_user_resource res = ksspi_object_resource(obj->type);
	struct ksspi_user *user = obj->user;

	obj->release(obj);
	ksspi_user_uncharge(user, res);
	ksspi_user_put(user);
}

void ksspi_object_put(struct ksspi_object *obj)
{
	if (obj)
		kref_put(&obj->ref, ksspi_object_release);
}

/**
 * ksspi_owner_insert - give @obj a handle in @owner's table
 * @owner: the table
 * @obj: the object; its initial reference passes to the table
 * @handle: receives the handle
 *
 * Indexes are allocated cyclically so that a freed slot is not reused soon;
 * the tag tells a reused slot apart anyway.
 *
 * Return: 0 or -ENOMEM, -EBUSY (table full).
 */
int ksspi_owner_insert(struct ksspi_owner *owner, struct ksspi_object *obj,
		       struct ksspi_handle *handle)
{
	u32 index;
	int err;

	err = xa_alloc_cyclic(&owner->objects, &index, obj,
			      XA_LIMIT(1, INT_MAX), &owner->next_index,
			      KSSPI_GFP_CALLER);
	if (err < 0)
		return err;
	handle->lower = index;
	handle->upper = obj->tag;
	return 0;
}

static bool ksspi_handle_matches(const struct ksspi_object *obj,
				 const struct ksspi_handle *handle,
				 enum ksspi_object_type type)
{
	return obj && obj->tag == handle->upper && obj->type == type;
}

/**
 * ksspi_owner_get - look up a handle and take a reference
 * @owner: the caller's table
 * @handle: the handle
 * @type: the object type the caller expects
 *
 * Return: the object with a new reference, or NULL when the handle is not
 * live in @owner's table with that type.
 */
struct ksspi_object *ksspi_owner_get(struct ksspi_owner *owner,
				     const struct ksspi_handle *handle,
				     enum ksspi_object_type type)
{
	struct ksspi_object *obj;

	if (!handle->lower || handle->lower > INT_MAX)
		return NULL;

	xa_lock(&owner->objects);
	obj = xa_load(&owner->objects, handle->lower);
	if (ksspi_handle_matches(obj, handle, type))
		kref_get(&obj->ref);	/* the table's reference is held */
	else
		obj = NULL;
	xa_unlock(&owner->objects);
	return obj;
}

/**
 * ksspi_owner_remove - end a handle's life
 * @owner: the caller's table
 * @handle: the handle
 * @type: the object type the caller expects
 *
 * Drops the table's reference; calls still using the object keep theirs.
 *
 * Return: true when the handle was live and is now gone.
 */
bool ksspi_owner_remove(struct ksspi_owner *owner,
			const struct ksspi_handle *handle,
			enum ksspi_object_type type)
{
	struct ksspi_object *obj;

	if (!handle->lower || handle->lower > INT_MAX)
		return false;

	xa_lock(&owner->objects);
	obj = xa_load(&owner->objects, handle->lower);
	if (ksspi_handle_matches(obj, handle, type))
		__xa_erase(&owner->objects, handle->lower);
	else
		obj = NULL;
	xa_unlock(&owner->objects);

	ksspi_object_put(obj);
	return obj;
}

/**
 * ksspi_owner_destroy - drop every handle of a table, and its user
 * @owner: the table, which no call uses any more
 */
void ksspi_owner_destroy(struct ksspi_owner *owner)
{
	struct ksspi_object *obj;
	unsigned long index;

	xa_for_each(&owner->objects, index, obj) {
		xa_erase(&owner->objects, index);
		ksspi_object_put(obj);
	}
	xa_destroy(&owner->objects);
	ksspi_user_put(owner->user);
	owner->user = NULL;
}
