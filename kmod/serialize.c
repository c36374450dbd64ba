// SPDX-License-Identifier: GPL-2.0
/*
 * The serialized context (<linux/ksspi_context.h>): the one way an
 * established context enters the kernel, from the helper or through
 * ImportSecurityContext, and what ExportSecurityContext produces.
 *
 * The parser treats the blob as hostile: every length is checked against
 * what remains, records may not repeat, unknown critical records are
 * refused, and a refused blob leaves nothing behind.
 */
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <linux/string.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "package.h"
#include "serialize.h"
#include "user.h"

#define KSSPI_SESSION_KEY_MAX	64

static u32 ksspi_pad8(u32 len)
{
	return ALIGN(len, 8);
}

/* A name; it may be empty (an empty target name, an anonymous client). */
static char *ksspi_blob_string(const void *value, u32 len)
{
	if (len > KSSPI_CTX_MAX_NAME || memchr(value, '\0', len))
		return NULL;
	return kmemdup_nul(value, len, KSSPI_GFP_CALLER);
}

/* Takes one common record; -ENOENT for a type that is not common. */
static int ksspi_blob_common(struct ksspi_sec_state *sec, u16 type,
			     const void *value, u32 len)
{
	u32 bit;

	if (type == 0 || type > KSSPI_CTX_REC_RECV_SEQ)
		return -ENOENT;
	bit = BIT(type);
	if (sec->seen & bit)
		return -EINVAL;
	sec->seen |= bit;

	switch (type) {
	case KSSPI_CTX_REC_CLIENT_NAME:
		sec->client_name = ksspi_blob_string(value, len);
		return sec->client_name ? 0 : -EINVAL;
	case KSSPI_CTX_REC_SERVER_NAME:
		sec->server_name = ksspi_blob_string(value, len);
		return sec->server_name ? 0 : -EINVAL;
	case KSSPI_CTX_REC_SESSION_KEY:
		if (!len || len > KSSPI_SESSION_KEY_MAX)
			return -EINVAL;
		sec->session_key = kmemdup(value, len, KSSPI_GFP_CALLER);
		sec->session_key_len = len;
		return sec->session_key ? 0 : -ENOMEM;
	case KSSPI_CTX_REC_SEND_SEQ:
		if (len != sizeof(__le64))
			return -EINVAL;
		sec->send_seq = get_unaligned_le64(value);
		return 0;
	case KSSPI_CTX_REC_RECV_SEQ:
		if (len != sizeof(__le64))
			return -EINVAL;
		sec->recv_seq = get_unaligned_le64(value);
		return 0;
	}
	return -ENOENT;
}

/**
 * ksspi_blob_parse - build an established state from a serialized context
 * @pkg: the package the context must belong to
 * @blob: the blob
 * @len: its length
 * @out: receives the state (free with ksspi_sec_state_free())
 *
 * Return: SEC_E_OK, SEC_E_INVALID_TOKEN for any malformation, a package's
 * own status from its import_finish, or SEC_E_INSUFFICIENT_MEMORY.
 */
u32 ksspi_blob_parse(const struct ksspi_package *pkg, const void *blob,
		     u32 len, struct ksspi_sec_state **out)
{
	const struct ksspi_ctx_header *hdr = blob;
	struct ksspi_sec_state *sec;
	const u8 *p, *end;
	u32 status = SEC_E_INVALID_TOKEN;

	*out = NULL;
	if (!blob || len < sizeof(*hdr) || len > KSSPI_MAX_CONTEXT_BLOB)
		return SEC_E_INVALID_TOKEN;
	if (le32_to_cpu(hdr->magic) != KSSPI_CTX_MAGIC ||
	    le16_to_cpu(hdr->version) != KSSPI_CTX_VERSION ||
	    le16_to_cpu(hdr->header_len) != sizeof(*hdr) ||
	    le32_to_cpu(hdr->total_len) != len ||
	    (le32_to_cpu(hdr->flags) & ~KSSPI_CTX_F_INITIATOR) ||
	    hdr->reserved)
		return SEC_E_INVALID_TOKEN;
	if (strnlen(hdr->package, sizeof(hdr->package)) == sizeof(hdr->package) ||
	    strcasecmp(hdr->package, pkg->info.name))
		return SEC_E_INVALID_TOKEN;

	sec = kzalloc(sizeof(*sec), KSSPI_GFP_CALLER);
	if (!sec)
		return SEC_E_INSUFFICIENT_MEMORY;
	sec->pkg = pkg;
	sec->mech = pkg;
	sec->flags = le32_to_cpu(hdr->flags);
	sec->context_attr = le32_to_cpu(hdr->context_attr);
	sec->expiry = le64_to_cpu(hdr->expiry);
	if (sec->expiry < 0)
		goto fail;

	p = (const u8 *)blob + sizeof(*hdr);
	end = (const u8 *)blob + len;
	while (p < end) {
		const struct ksspi_ctx_record *rec = (const void *)p;
		u16 type, flags;
		u32 vlen;
		int err;

		if (end - p < sizeof(*rec))
			goto fail;
		type = le16_to_cpu(rec->type);
		flags = le16_to_cpu(rec->flags);
		vlen = le32_to_cpu(rec->len);
		p += sizeof(*rec);
		if (flags & ~KSSPI_CTX_REC_CRITICAL || vlen > end - p)
			goto fail;

		err = ksspi_blob_common(sec, type, p, vlen);
		/* Negotiate's record switches sec->mech to the chosen one */
		if (err == -ENOENT && sec->mech->ops->import_record)
			err = sec->mech->ops->import_record(sec, type, p, vlen);
		if (err == -ENOENT && !(flags & KSSPI_CTX_REC_CRITICAL))
			err = 0;
		if (err) {
			if (err == -ENOMEM)
				status = SEC_E_INSUFFICIENT_MEMORY;
			goto fail;
		}
		/* The last record's padding may be left out. */
		if (ksspi_pad8(vlen) > end - p && p + vlen != end)
			goto fail;
		p += min_t(size_t, ksspi_pad8(vlen), end - p);
	}

	status = sec->mech->ops->import_finish ?
		 sec->mech->ops->import_finish(sec) : SEC_E_OK;
	if (status != SEC_E_OK)
		goto fail;
	*out = sec;
	return SEC_E_OK;
fail:
	ksspi_sec_state_free(sec);
	return status;
}

static void ksspi_blob_reserve(struct ksspi_blob_writer *w, u32 more)
{
	u32 cap;
	u8 *buf;

	if (w->err || w->len + more <= w->cap)
		return;
	if (w->len + more > KSSPI_MAX_CONTEXT_BLOB) {
		w->err = -E2BIG;
		return;
	}
	cap = max_t(u32, 2 * w->cap, w->len + more);
	cap = min_t(u32, cap, KSSPI_MAX_CONTEXT_BLOB);
	buf = kvzalloc(cap, KSSPI_GFP_CALLER);
	if (!buf) {
		w->err = -ENOMEM;
		return;
	}
	if (w->buf) {
		memcpy(buf, w->buf, w->len);
		kvfree_sensitive(w->buf, w->cap);
	}
	w->buf = buf;
	w->cap = cap;
}

/**
 * ksspi_blob_put - append a critical record
 * @w: the writer
 * @type: record type
 * @value: its value
 * @len: its length
 */
void ksspi_blob_put(struct ksspi_blob_writer *w, u16 type, const void *value,
		    u32 len)
{
	struct ksspi_ctx_record rec = {
		.type = cpu_to_le16(type),
		.flags = cpu_to_le16(KSSPI_CTX_REC_CRITICAL),
		.len = cpu_to_le32(len),
	};

	ksspi_blob_reserve(w, sizeof(rec) + ksspi_pad8(len));
	if (w->err)
		return;
	memcpy(w->buf + w->len, &rec, sizeof(rec));
	memcpy(w->buf + w->len + sizeof(rec), value, len);
	w->len += sizeof(rec) + ksspi_pad8(len);
}

void ksspi_blob_put_le64(struct ksspi_blob_writer *w, u16 type, u64 value)
{
	__le64 v = cpu_to_le64(value);

	ksspi_blob_put(w, type, &v, sizeof(v));
}

static void ksspi_blob_put_str(struct ksspi_blob_writer *w, u16 type,
			       const char *s)
{
	if (s)
		ksspi_blob_put(w, type, s, strlen(s));
}

/**
 * ksspi_blob_build - serialize an established state
 * @sec: the state (its sequence numbers as they are now)
 * @blob: receives the kvmalloc'd blob; free with kvfree_sensitive()
 * @len: receives its length
 *
 * Return: SEC_E_OK, SEC_E_INSUFFICIENT_MEMORY or SEC_E_CANNOT_PACK.
 */
u32 ksspi_blob_build(const struct ksspi_sec_state *sec, void **blob, u32 *len)
{
	struct ksspi_blob_writer w = {};
	struct ksspi_ctx_header *hdr;

	ksspi_blob_reserve(&w, sizeof(*hdr) + 256);
	w.len = sizeof(*hdr);
	ksspi_blob_put_str(&w, KSSPI_CTX_REC_CLIENT_NAME, sec->client_name);
	ksspi_blob_put_str(&w, KSSPI_CTX_REC_SERVER_NAME, sec->server_name);
	if (sec->session_key)
		ksspi_blob_put(&w, KSSPI_CTX_REC_SESSION_KEY, sec->session_key,
			       sec->session_key_len);
	ksspi_blob_put_le64(&w, KSSPI_CTX_REC_SEND_SEQ, sec->send_seq);
	ksspi_blob_put_le64(&w, KSSPI_CTX_REC_RECV_SEQ, sec->recv_seq);
	if (!w.err && sec->pkg->ops->export)
		w.err = sec->pkg->ops->export(sec, &w);
	if (w.err) {
		if (w.buf)
			kvfree_sensitive(w.buf, w.cap);
		return w.err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					  SEC_E_CANNOT_PACK;
	}

	hdr = (struct ksspi_ctx_header *)w.buf;
	hdr->magic = cpu_to_le32(KSSPI_CTX_MAGIC);
	hdr->version = cpu_to_le16(KSSPI_CTX_VERSION);
	hdr->header_len = cpu_to_le16(sizeof(*hdr));
	hdr->total_len = cpu_to_le32(w.len);
	hdr->flags = cpu_to_le32(sec->flags);
	hdr->context_attr = cpu_to_le32(sec->context_attr);
	hdr->expiry = cpu_to_le64(sec->expiry);
	strscpy(hdr->package, sec->pkg->info.name, sizeof(hdr->package));
	*blob = w.buf;
	*len = w.len;
	return SEC_E_OK;
}
