// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: SecBufferDesc <-> struct ksspi_sec_buffer_desc, and the
 * ISC_REQ_ALLOCATE_MEMORY / ASC_REQ_ALLOCATE_MEMORY buffers.
 *
 * The kernel only ever writes into memory the caller provides.  When a
 * caller asks the package to allocate its output buffers, the library does
 * it instead: every output buffer left with pvBuffer NULL (and a type other
 * than SECBUFFER_EMPTY, and not read-only) gets max_token bytes for the
 * call; afterwards the buffer is shrunk to the length the kernel reported,
 * or freed (pvBuffer NULL) when that length is 0.  A failed leg that
 * delivered no token (cb_buffer still the capacity) counts as length 0; an
 * error token shorter than that is handed over.  The caller frees what it
 * receives with FreeContextBuffer().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

SECURITY_STATUS ksspi_priv_desc_in(const SecBufferDesc *d,
				   struct ksspi_priv_desc *t,
				   struct ksspi_sec_buffer_desc *abi)
{
	uint32_t i;

	memset(t, 0, sizeof(*t));
	memset(abi, 0, sizeof(*abi));
	if (!d)
		return SEC_E_OK;
	if (d->cBuffers > KSSPI_MAX_BUFFERS)
		return SEC_E_INVALID_PARAMETER;
	if (d->cBuffers && !d->pBuffers)
		return SEC_E_INVALID_PARAMETER;
	for (i = 0; i < d->cBuffers; i++) {
		t->bufs[i].cb_buffer = d->pBuffers[i].cbBuffer;
		t->bufs[i].buffer_type = d->pBuffers[i].BufferType;
		t->bufs[i].pv_buffer = ptr_to_u64(d->pBuffers[i].pvBuffer);
	}
	t->count = d->cBuffers;
	abi->ul_version = d->ulVersion;
	abi->c_buffers = d->cBuffers;
	abi->p_buffers = d->cBuffers ? ptr_to_u64(t->bufs) : 0;
	return SEC_E_OK;
}

void ksspi_priv_desc_out(SecBufferDesc *d, const struct ksspi_priv_desc *t)
{
	uint32_t i;

	if (!d)
		return;
	for (i = 0; i < t->count; i++) {
		d->pBuffers[i].cbBuffer = t->bufs[i].cb_buffer;
		d->pBuffers[i].BufferType = t->bufs[i].buffer_type;
	}
}

void ksspi_priv_desc_out_moved(SecBufferDesc *d,
			       const struct ksspi_priv_desc *t)
{
	uint32_t i;

	for (i = 0; d && i < t->count; i++)
		if (t->bufs[i].pv_buffer != ptr_to_u64(d->pBuffers[i].pvBuffer))
			d->pBuffers[i].pvBuffer =
				(void *)(uintptr_t)t->bufs[i].pv_buffer;
}

static bool wants_allocation(const struct ksspi_sec_buffer *b)
{
	uint32_t type = b->buffer_type & ~SECBUFFER_ATTRMASK;

	return !b->pv_buffer && type != SECBUFFER_EMPTY &&
	       !(b->buffer_type & (SECBUFFER_READONLY |
				   SECBUFFER_READONLY_WITH_CHECKSUM));
}

bool ksspi_priv_desc_needs_alloc(const struct ksspi_priv_desc *t)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		if (wants_allocation(&t->bufs[i]))
			return true;
	return false;
}

SECURITY_STATUS ksspi_priv_desc_alloc(struct ksspi_priv_desc *t,
				      uint32_t max_token)
{
	uint32_t i;
	void *p;

	if (!max_token || max_token > KSSPI_MAX_TOKEN)
		max_token = KSSPI_MAX_TOKEN;
	for (i = 0; i < t->count; i++) {
		if (!wants_allocation(&t->bufs[i]))
			continue;
		p = malloc(max_token);
		if (!p) {
			ksspi_priv_desc_alloc_done(NULL, t, false, false);
			return SEC_E_INSUFFICIENT_MEMORY;
		}
		t->bufs[i].pv_buffer = ptr_to_u64(p);
		t->bufs[i].cb_buffer = max_token;
		t->alloc_len[i] = max_token;
		t->allocated[i] = true;
		t->any_allocated = true;
	}
	return SEC_E_OK;
}

void ksspi_priv_desc_alloc_done(SecBufferDesc *d, struct ksspi_priv_desc *t,
				bool keep, bool failed)
{
	uint32_t i;

	for (i = 0; i < t->count; i++) {
		void *p = (void *)(uintptr_t)t->bufs[i].pv_buffer;
		uint32_t len = t->bufs[i].cb_buffer;

		if (!t->allocated[i])
			continue;
		t->allocated[i] = false;
		if (!keep || !d) {
			free(p);
			continue;
		}
		if (failed && len >= t->alloc_len[i]) {
			/*
			 * A failed leg leaves the capacity in cb_buffer: no
			 * token was delivered, the buffer holds nothing.
			 */
			len = 0;
			d->pBuffers[i].cbBuffer = 0;
		} else if (len > t->alloc_len[i]) {
			/* never hand out more than was allocated */
			len = t->alloc_len[i];
			d->pBuffers[i].cbBuffer = len;
		}
		if (!len) {
			free(p);
			p = NULL;
		} else if (len < t->alloc_len[i]) {
			void *q = realloc(p, len);

			if (q)
				p = q;
		}
		d->pBuffers[i].pvBuffer = p;
	}
}
