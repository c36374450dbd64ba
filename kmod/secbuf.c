// SPDX-License-Identifier: GPL-2.0
/*
 * SecBufferDesc handling: validation, copying in and out of user memory,
 * output tokens, and scatterlists over buffers that may be vmalloc'd.
 *
 * The message functions of an ioctl caller work on its large SECBUFFER_DATA
 * buffers in place: their pages are pinned and mapped, so the message
 * itself is never copied by the core (a package that needs one contiguous
 * buffer, Kerberos' Wrap, makes its one copy each way).  Token, padding and
 * stream buffers, which packages parse, are always copied: the caller
 * cannot change them under the parser.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "debugfs.h"
#include "secbuf.h"
#include "user.h"

/* DATA buffers from this size on are pinned rather than copied */
#define KSSPI_PIN_MIN	(16 * 1024)

/* Maps @len bytes of the caller's memory at @uaddr; the address or NULL */
static void *ksspi_pin(struct ksspi_pinned *pin, u64 uaddr, u32 len,
		       bool writable, int *err)
{
	unsigned int off = offset_in_page(uaddr);
	unsigned int n = DIV_ROUND_UP(off + len, PAGE_SIZE);
	int got;

	pin->pages = kvmalloc_array(n, sizeof(*pin->pages), KSSPI_GFP_CALLER);
	if (!pin->pages) {
		*err = -ENOMEM;
		return NULL;
	}
	got = pin_user_pages_fast(uaddr - off, n, writable ? FOLL_WRITE : 0,
				  pin->pages);
	if (got != n) {
		if (got > 0)
			unpin_user_pages(pin->pages, got);
		kvfree(pin->pages);
		pin->pages = NULL;
		*err = got < 0 && got != -EFAULT ? got : -EFAULT;
		return NULL;
	}
	pin->npages = n;
	pin->writable = writable;
	pin->map = vmap(pin->pages, n, VM_MAP, PAGE_KERNEL);
	if (!pin->map) {
		unpin_user_pages(pin->pages, n);
		kvfree(pin->pages);
		pin->pages = NULL;
		*err = -ENOMEM;
		return NULL;
	}
	invalidate_kernel_vmap_range(pin->map, n * PAGE_SIZE);
	atomic64_inc(&ksspi_stats.buffers_pinned);
	return pin->map + off;
}

static void ksspi_unpin(struct ksspi_pinned *pin)
{
	if (!pin->pages)
		return;
	if (pin->writable)
		flush_kernel_vmap_range(pin->map, pin->npages * PAGE_SIZE);
	vunmap(pin->map);
	unpin_user_pages_dirty_lock(pin->pages, pin->npages, pin->writable);
	kvfree(pin->pages);
	memset(pin, 0, sizeof(*pin));
}

/* Whether buffer @b of a message (@mode) is used in place */
static bool ksspi_pin_wanted(enum ksspi_copy_mode mode,
			     const struct ksspi_sec_buffer *b)
{
	return (mode == KSSPI_PIN_DATA_READ || mode == KSSPI_PIN_DATA_WRITE) &&
	       ksspi_buftype(b->buffer_type) == SECBUFFER_DATA &&
	       b->cb_buffer >= KSSPI_PIN_MIN;
}

static u32 ksspi_check_buffer(u32 type, u32 cb, bool has_data)
{
	if (ksspi_buftype(type) > KSSPI_SECBUFFER_TYPE_MAX ||
	    (type & SECBUFFER_RESERVED))
		return SEC_E_INVALID_PARAMETER;
	/* Windows' status for a token buffer that claims room but has none */
	if (cb && !has_data)
		return ksspi_buftype(type) == SECBUFFER_TOKEN ?
		       SEC_E_INTERNAL_ERROR : SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

static int ksspi_bufset_alloc(struct ksspi_bufset *set, u32 count, bool user)
{
	memset(set, 0, sizeof(*set));
	set->count = count;
	if (!user)
		return 0;
	set->bufs = kcalloc(count, sizeof(*set->bufs), KSSPI_GFP_CALLER);
	set->uptr = kcalloc(count, sizeof(*set->uptr), KSSPI_GFP_CALLER);
	set->ucap = kcalloc(count, sizeof(*set->ucap), KSSPI_GFP_CALLER);
	set->copied = kcalloc(count, sizeof(*set->copied), KSSPI_GFP_CALLER);
	set->kcopy = kcalloc(count, sizeof(*set->kcopy), KSSPI_GFP_CALLER);
	if (!set->bufs || !set->uptr || !set->ucap || !set->copied ||
	    !set->kcopy)
		return -ENOMEM;
	return 0;
}

/**
 * ksspi_bufset_from_user - bring in an ioctl caller's SecBufferDesc
 * @set: receives the kernel view; free with ksspi_bufset_free()
 * @udesc: the descriptor from the ioctl structure
 * @mode: copy the contents in (pinning large DATA buffers instead, for
 *	the message functions), or keep user addresses for output
 * @status: receives SEC_E_OK or SEC_E_INVALID_PARAMETER
 *
 * Return: 0 (then see @status), -EFAULT, -E2BIG (over the ABI limits) or
 * -ENOMEM.
 */
int ksspi_bufset_from_user(struct ksspi_bufset *set,
			   const struct ksspi_sec_buffer_desc *udesc,
			   enum ksspi_copy_mode mode, u32 *status)
{
	struct ksspi_sec_buffer *ub;
	u64 total = 0;
	u32 i, n = udesc->c_buffers;
	int err;

	memset(set, 0, sizeof(*set));
	*status = SEC_E_INVALID_PARAMETER;
	if (n > KSSPI_MAX_BUFFERS)
		return -E2BIG;
	if (udesc->ul_version != SECBUFFER_VERSION || !n || !udesc->p_buffers)
		return 0;

	ub = kmalloc_array(n, sizeof(*ub), KSSPI_GFP_CALLER);
	if (!ub)
		return -ENOMEM;
	if (copy_from_user(ub, u64_to_user_ptr(udesc->p_buffers),
			   n * sizeof(*ub))) {
		kfree(ub);
		return -EFAULT;
	}

	err = ksspi_bufset_alloc(set, n, true);
	if (err)
		goto out;
	set->ubufs = u64_to_user_ptr(udesc->p_buffers);

	for (i = 0; i < n; i++) {
		total += ub[i].cb_buffer;
		if (ub[i].cb_buffer > KSSPI_MAX_MESSAGE ||
		    total > KSSPI_MAX_MESSAGE) {
			err = -E2BIG;
			goto out;
		}
		*status = ksspi_check_buffer(ub[i].buffer_type,
					     ub[i].cb_buffer, ub[i].pv_buffer);
		if (*status != SEC_E_OK)
			goto out;
		set->bufs[i].buffer_type = ub[i].buffer_type;
		set->bufs[i].cb_buffer = ub[i].cb_buffer;
		set->uptr[i] = ub[i].pv_buffer;
		set->ucap[i] = ub[i].cb_buffer;
	}

	for (i = 0; mode != KSSPI_COPY_NONE && i < n; i++) {
		void *p;

		if (!ub[i].cb_buffer)
			continue;
		if (ksspi_pin_wanted(mode, &ub[i])) {
			if (!set->pinned) {
				set->pinned = kcalloc(n, sizeof(*set->pinned),
						      KSSPI_GFP_CALLER);
				if (!set->pinned) {
					err = -ENOMEM;
					goto out;
				}
			}
			p = ksspi_pin(&set->pinned[i], ub[i].pv_buffer,
				      ub[i].cb_buffer,
				      mode == KSSPI_PIN_DATA_WRITE &&
				      !ksspi_buf_readonly(ub[i].buffer_type),
				      &err);
			if (!p)
				goto out;
			set->bufs[i].pv_buffer = p;
			set->kcopy[i] = p;
			continue;
		}
		p = kvmalloc(ub[i].cb_buffer, KSSPI_GFP_CALLER);
		if (!p) {
			err = -ENOMEM;
			goto out;
		}
		set->bufs[i].pv_buffer = p;
		set->kcopy[i] = p;
		set->copied[i] = true;
		if (copy_from_user(p, u64_to_user_ptr(ub[i].pv_buffer),
				   ub[i].cb_buffer)) {
			err = -EFAULT;
			goto out;
		}
	}
	*status = SEC_E_OK;
out:
	kfree(ub);
	return err;
}

/**
 * ksspi_bufset_from_kernel - use an in-kernel caller's SecBufferDesc
 * @set: receives the view, which updates @desc's buffers in place
 * @desc: the caller's descriptor
 *
 * Return: SEC_E_OK or SEC_E_INVALID_PARAMETER.
 */
u32 ksspi_bufset_from_kernel(struct ksspi_bufset *set,
			     struct ksspi_buffer_desc *desc)
{
	u64 total = 0;
	u32 i;

	memset(set, 0, sizeof(*set));
	if (desc->ul_version != SECBUFFER_VERSION || !desc->c_buffers ||
	    desc->c_buffers > KSSPI_MAX_BUFFERS || !desc->p_buffers)
		return SEC_E_INVALID_PARAMETER;
	for (i = 0; i < desc->c_buffers; i++) {
		const struct ksspi_buffer *b = &desc->p_buffers[i];
		u32 status;

		total += b->cb_buffer;
		if (total > KSSPI_MAX_MESSAGE)
			return SEC_E_INVALID_PARAMETER;
		status = ksspi_check_buffer(b->buffer_type, b->cb_buffer,
					    b->pv_buffer);
		if (status != SEC_E_OK)
			return status;
	}
	set->count = desc->c_buffers;
	set->bufs = desc->p_buffers;
	set->caller = desc;
	return SEC_E_OK;
}

static bool ksspi_copy_back_wanted(enum ksspi_copy_back back, u32 type)
{
	return back == KSSPI_BACK_ALL ||
	       (back == KSSPI_BACK_TOKEN && ksspi_buftype(type) == SECBUFFER_TOKEN);
}

/*
 * A buffer the package pointed into the kernel copy of buffer @j: its
 * address in the caller's buffer @j.  Returns false when @b lies in no
 * kernel copy (a package bug: the buffer is then left where it was).
 */
static bool ksspi_moved_to_user(struct ksspi_bufset *set,
				const struct ksspi_buffer *b, u64 *uaddr,
				u32 *room)
{
	const u8 *p = b->pv_buffer;
	u32 j;

	for (j = 0; j < set->count; j++) {
		const u8 *base = set->kcopy[j];

		if (base && p >= base && p <= base + set->ucap[j] &&
		    b->cb_buffer <= base + set->ucap[j] - p) {
			*uaddr = set->uptr[j] + (p - base);
			*room = base + set->ucap[j] - p;
			return true;
		}
	}
	WARN_ON_ONCE(1);
	return false;
}

/**
 * ksspi_bufset_to_user - write sizes, types and contents back
 * @set: a set made by ksspi_bufset_from_user()
 * @back: whose contents to copy back (writable, copied-in buffers only)
 *
 * A buffer whose pv_buffer the package moved into another buffer's copy
 * gets its new address written back too (whatever @back says), and its
 * contents when @back asks for them.
 *
 * Return: 0 or -EFAULT.
 */
int ksspi_bufset_to_user(struct ksspi_bufset *set, enum ksspi_copy_back back)
{
	u32 i;

	if (set->fault)
		return -EFAULT;
	for (i = 0; i < set->count; i++) {
		struct ksspi_buffer *b = &set->bufs[i];
		bool copied = set->copied[i];
		u64 uaddr = set->uptr[i];
		u32 room = set->ucap[i];
		u32 cb;

		if (b->pv_buffer != set->kcopy[i]) {
			uaddr = 0;
			copied = b->pv_buffer &&
				 ksspi_moved_to_user(set, b, &uaddr, &room);
			if ((copied || !b->pv_buffer) &&
			    put_user(uaddr, &set->ubufs[i].pv_buffer))
				return -EFAULT;
		}
		cb = min(b->cb_buffer, room);
		/* a pinned buffer was written in place */
		if (set->pinned && set->pinned[i].pages)
			copied = false;
		if (ksspi_copy_back_wanted(back, b->buffer_type) && copied &&
		    !ksspi_buf_readonly(b->buffer_type) && cb &&
		    copy_to_user(u64_to_user_ptr(uaddr), b->pv_buffer, cb))
			return -EFAULT;
		if (put_user(b->cb_buffer, &set->ubufs[i].cb_buffer) ||
		    put_user(b->buffer_type, &set->ubufs[i].buffer_type))
			return -EFAULT;
	}
	return 0;
}

void ksspi_bufset_free(struct ksspi_bufset *set)
{
	u32 i;

	if (set->caller)
		return;		/* the in-kernel caller's own memory */
	for (i = 0; set->kcopy && i < set->count; i++) {
		if (set->pinned && set->pinned[i].pages)
			ksspi_unpin(&set->pinned[i]);
		else if (set->kcopy[i])
			kvfree_sensitive(set->kcopy[i], set->ucap[i]);
	}
	kfree(set->pinned);
	kfree(set->bufs);
	kfree(set->uptr);
	kfree(set->ucap);
	kfree(set->copied);
	kfree(set->kcopy);
	memset(set, 0, sizeof(*set));
}

struct ksspi_buffer *ksspi_bufset_find(struct ksspi_bufset *set, u32 type)
{
	u32 i;

	for (i = 0; set && i < set->count; i++)
		if (ksspi_buftype(set->bufs[i].buffer_type) == type)
			return &set->bufs[i];
	return NULL;
}

/**
 * ksspi_bufset_put_token - deliver an output token
 * @set: the output set
 * @data: the token
 * @len: its length (may be 0)
 * @allocate: in-kernel ALLOCATE_MEMORY: ksspi allocates the buffer
 *
 * Return: SEC_E_OK, SEC_E_BUFFER_TOO_SMALL, SEC_E_INSUFFICIENT_MEMORY or
 * SEC_E_INVALID_PARAMETER (no token buffer); a fault writing user memory
 * is recorded in @set.
 */
u32 ksspi_bufset_put_token(struct ksspi_bufset *set, const void *data,
			   u32 len, bool allocate)
{
	struct ksspi_buffer *b = ksspi_bufset_find(set, SECBUFFER_TOKEN);
	u32 i;

	if (!b)
		return SEC_E_INVALID_PARAMETER;
	i = b - set->bufs;

	if (set->caller) {
		if (allocate) {
			b->pv_buffer = NULL;
			b->cb_buffer = 0;
			if (!len)
				return SEC_E_OK;
			b->pv_buffer = ksspi_context_buffer_alloc(len);
			if (!b->pv_buffer)
				return SEC_E_INSUFFICIENT_MEMORY;
		} else if (len > b->cb_buffer) {
			return SEC_E_BUFFER_TOO_SMALL;
		}
		if (len)
			memcpy(b->pv_buffer, data, len);
		b->cb_buffer = len;
		return SEC_E_OK;
	}

	if (len > set->ucap[i])
		return SEC_E_BUFFER_TOO_SMALL;
	if (len && copy_to_user(u64_to_user_ptr(set->uptr[i]), data, len)) {
		set->fault = true;
		return SEC_E_INTERNAL_ERROR;
	}
	b->cb_buffer = len;
	return SEC_E_OK;
}

/*
 * Memory handed to in-kernel callers (ALLOCATE_MEMORY tokens, exported
 * contexts) carries its length in front, so that FreeContextBuffer can
 * zeroize it without being told the size.
 */
struct ksspi_context_buffer {
	u32 magic;
	u32 len;
	u64 reserved;
	u8 data[];
};

#define KSSPI_CONTEXT_BUFFER_MAGIC	0x6b737362	/* "kssb" */

void *ksspi_context_buffer_alloc(size_t len)
{
	struct ksspi_context_buffer *cb;

	if (len > KSSPI_MAX_MESSAGE)
		return NULL;
	cb = kvmalloc(struct_size(cb, data, len), KSSPI_GFP_CALLER);
	if (!cb)
		return NULL;
	cb->magic = KSSPI_CONTEXT_BUFFER_MAGIC;
	cb->len = len;
	cb->reserved = 0;
	return cb->data;
}

void ksspi_context_buffer_free(void *buf)
{
	struct ksspi_context_buffer *cb;

	if (!buf)
		return;
	cb = container_of(buf, struct ksspi_context_buffer, data);
	if (WARN_ON_ONCE(cb->magic != KSSPI_CONTEXT_BUFFER_MAGIC))
		return;
	cb->magic = 0;
	kvfree_sensitive(cb, struct_size(cb, data, cb->len));
}

/**
 * ksspi_sg_count - scatterlist entries needed for a buffer
 * @buf: start address (linear, vmalloc or module memory)
 * @len: length
 *
 * Return: one entry per page the buffer touches.
 */
unsigned int ksspi_sg_count(const void *buf, size_t len)
{
	if (!len)
		return 0;
	return DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
}

/**
 * ksspi_sg_add - describe a buffer in scatterlist entries, page by page
 * @sg: the first free entry; the table must have ksspi_sg_count() of them
 * @buf: the buffer, which need not be physically contiguous
 * @len: its length
 *
 * Return: the next free entry.
 */
struct scatterlist *ksspi_sg_add(struct scatterlist *sg, const void *buf,
				 size_t len)
{
	while (len) {
		size_t off = offset_in_page(buf);
		size_t chunk = min_t(size_t, len, PAGE_SIZE - off);
		struct page *page;

		/* vmalloc, vmapped stacks and module data: walk the tables */
		if (virt_addr_valid(buf))
			page = virt_to_page(buf);
		else
			page = vmalloc_to_page(buf);
		sg_set_page(sg, page, chunk, off);
		buf += chunk;
		len -= chunk;
		sg = sg_next(sg);
	}
	return sg;
}
