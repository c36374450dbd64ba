/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buffer descriptors as the core sees them.  A ksspi_bufset is the kernel
 * view of one SecBufferDesc, whether it came from an ioctl (copied in, user
 * addresses kept for writing back) or from an in-kernel caller (used in
 * place, possibly vmalloc'd).
 */
#ifndef _KSSPI_SECBUF_H
#define _KSSPI_SECBUF_H

#include <linux/scatterlist.h>
#include <linux/ksspi_api.h>

/**
 * struct ksspi_bufset - one SecBufferDesc
 * @count: number of buffers
 * @bufs: kernel view: size, type and kernel address of each buffer
 * @caller: the in-kernel caller's descriptor (NULL for ioctl callers)
 * @ubufs: the ioctl caller's SecBuffer array (NULL for kernel callers)
 * @uptr: the ioctl caller's data address of each buffer
 * @ucap: the ioctl caller's capacity of each buffer
 * @copied: bufs[i].pv_buffer is a kernel copy owned by the set
 * @kcopy: that kernel copy (ucap[i] bytes), or the pinned buffer's
 *	mapping, kept even when a package moves bufs[i].pv_buffer
 * @pinned: per buffer, the caller's pages when the buffer is pinned and
 *	mapped rather than copied (NULL when no buffer is)
 * @fault: writing to the ioctl caller's memory failed
 *
 * A package may point a buffer into another buffer's memory (DecryptMessage
 * of a stream package turns one received DATA buffer into a header, data,
 * trailer and extra bytes): it sets that buffer's pv_buffer inside the
 * other's kernel copy, and ksspi_bufset_to_user() hands the ioctl caller
 * the matching address in its own buffer.
 */
struct ksspi_bufset {
	u32 count;
	struct ksspi_buffer *bufs;
	struct ksspi_buffer_desc *caller;
	struct ksspi_sec_buffer __user *ubufs;
	u64 *uptr;
	u32 *ucap;
	bool *copied;
	void **kcopy;
	struct ksspi_pinned *pinned;
	bool fault;
};

/**
 * struct ksspi_pinned - an ioctl caller's buffer used in place
 * @pages: its pages, pinned
 * @npages: how many
 * @map: their kernel mapping (vmap)
 * @writable: pinned for writing (the pages are dirtied when released)
 */
struct ksspi_pinned {
	struct page **pages;
	unsigned int npages;
	void *map;
	bool writable;
};

/* How an ioctl caller's buffers are brought in */
enum ksspi_copy_mode {
	KSSPI_COPY_NONE,	/* output only: keep user addresses */
	KSSPI_COPY_IN,		/* copy every buffer's contents in */
	KSSPI_PIN_DATA_READ,	/* copy; large DATA buffers in place, read */
	KSSPI_PIN_DATA_WRITE,	/* the same, read and written */
};

/* Whose contents go back to an ioctl caller */
enum ksspi_copy_back {
	KSSPI_BACK_NONE,	/* sizes and types only */
	KSSPI_BACK_TOKEN,	/* and the SECBUFFER_TOKEN buffers' contents */
	KSSPI_BACK_ALL,		/* and every writable buffer's contents */
};

static inline u32 ksspi_buftype(u32 type)
{
	return type & ~SECBUFFER_ATTRMASK;
}

static inline bool ksspi_buf_readonly(u32 type)
{
	return type & (SECBUFFER_READONLY | SECBUFFER_READONLY_WITH_CHECKSUM);
}

/* A non-empty SECBUFFER_DATA buffer, read-only or not */
static inline bool ksspi_buf_is_data(const struct ksspi_buffer *b)
{
	return ksspi_buftype(b->buffer_type) == SECBUFFER_DATA && b->cb_buffer;
}

int ksspi_bufset_from_user(struct ksspi_bufset *set,
			   const struct ksspi_sec_buffer_desc *udesc,
			   enum ksspi_copy_mode mode, u32 *status);
u32 ksspi_bufset_from_kernel(struct ksspi_bufset *set,
			     struct ksspi_buffer_desc *desc);
int ksspi_bufset_to_user(struct ksspi_bufset *set, enum ksspi_copy_back back);
void ksspi_bufset_free(struct ksspi_bufset *set);

struct ksspi_buffer *ksspi_bufset_find(struct ksspi_bufset *set, u32 type);
u32 ksspi_bufset_put_token(struct ksspi_bufset *set, const void *data,
			   u32 len, bool allocate);

void *ksspi_context_buffer_alloc(size_t len);
void ksspi_context_buffer_free(void *buf);

unsigned int ksspi_sg_count(const void *buf, size_t len);
struct scatterlist *ksspi_sg_add(struct scatterlist *sg, const void *buf,
				 size_t len);

#endif /* _KSSPI_SECBUF_H */
