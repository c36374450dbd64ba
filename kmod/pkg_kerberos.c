// SPDX-License-Identifier: GPL-2.0
/*
 * The Kerberos package: per-message protection with the tokens of RFC 4121
 * (MIC and Wrap, "CFX") over the enctypes of kmod/krb5_crypto.c.  The
 * handshake runs in ksspid (Documentation/kerberos.rst), which hands over
 * the one key the tokens use, the enctype and both sequence numbers in the
 * serialized context (Documentation/serialized-context.rst).
 *
 * The keys of the four key usages are derived once, when the context is
 * imported, and kept keyed in their transforms; a message costs a cipher
 * pass and one or two HMACs.  Documentation/kerberos-messages.rst has the
 * buffer layouts, statuses and sizes.
 */
#include <crypto/algapi.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "krb5_crypto.h"
#include "package.h"
#include "secbuf.h"
#include "serialize.h"
#include "user.h"

/* Windows Server 2012 and later */
#define KSSPI_KRB5_MAX_TOKEN	48000

/* RFC 4121 section 2: key usages of per-message tokens */
#define KG_USAGE_ACCEPTOR_SEAL	22
#define KG_USAGE_ACCEPTOR_SIGN	23
#define KG_USAGE_INITIATOR_SEAL	24
#define KG_USAGE_INITIATOR_SIGN	25

/**
 * struct ksspi_krb5_dir - the keys of one direction
 * @seal: the Wrap usage's keys (Ke and Ki seal, Kc signs integrity-only Wrap)
 * @sign: the MIC usage's keys (Kc)
 */
struct ksspi_krb5_dir {
	struct ksspi_krb5_keys seal;
	struct ksspi_krb5_keys sign;
};

/**
 * struct ksspi_krb5_state - the package's per-message state
 * @et: the enctype
 * @key: the token key (the acceptor's or initiator's subkey, or the
 *	session key), @et's key_len bytes
 * @key_len: the length of the key record
 * @info: KSSPI_KRB5_F_*
 * @seen: the receive window: bit i set when sequence number
 *	recv_seq - 1 - i was accepted (struct ksspi_krb5_replay)
 * @replay_next: the window's recv_seq as the blob had it
 * @have_enctype: the enctype record was read
 * @have_key: the key record was read
 * @have_info: the info record was read
 * @have_replay: the replay record was read
 * @out: the keys this side sends with
 * @in: the keys this side receives with
 *
 * Used under the owning context's msg_lock.
 */
struct ksspi_krb5_state {
	const struct ksspi_krb5_enctype *et;
	u8 key[KSSPI_KRB5_MAX_KEY_LEN];
	u32 key_len;
	u32 info;
	u64 seen;
	u64 replay_next;
	bool have_enctype;
	bool have_key;
	bool have_info;
	bool have_replay;
	struct ksspi_krb5_dir out;
	struct ksspi_krb5_dir in;
};

static struct ksspi_krb5_state *ksspi_krb5_state(struct ksspi_sec_state *sec)
{
	struct ksspi_krb5_state *st = sec->pkg_state;

	if (!st) {
		st = kzalloc(sizeof(*st), KSSPI_GFP_CALLER);
		sec->pkg_state = st;
	}
	return st;
}

static int ksspi_krb5_import_record(struct ksspi_sec_state *sec, u16 type,
				    const void *value, u32 len)
{
	struct ksspi_krb5_state *st;

	if (type < KSSPI_CTX_REC_KRB5_ENCTYPE ||
	    type > KSSPI_CTX_REC_KRB5_REPLAY)
		return -ENOENT;
	st = ksspi_krb5_state(sec);
	if (!st)
		return -ENOMEM;

	switch (type) {
	case KSSPI_CTX_REC_KRB5_ENCTYPE:
		if (st->have_enctype || len != sizeof(__le32))
			return -EINVAL;
		st->et = ksspi_krb5_find_enctype(get_unaligned_le32(value));
		if (!st->et)
			return -EINVAL;
		st->have_enctype = true;
		return 0;
	case KSSPI_CTX_REC_KRB5_KEY:
		if (st->have_key || !len || len > sizeof(st->key))
			return -EINVAL;
		memcpy(st->key, value, len);
		st->key_len = len;
		st->have_key = true;
		return 0;
	case KSSPI_CTX_REC_KRB5_INFO:
		if (st->have_info || len != sizeof(__le32))
			return -EINVAL;
		st->info = get_unaligned_le32(value);
		if (st->info & ~KSSPI_KRB5_F_ACCEPTOR_SUBKEY)
			return -EINVAL;
		st->have_info = true;
		return 0;
	case KSSPI_CTX_REC_KRB5_REPLAY: {
		const struct ksspi_krb5_replay *r = value;

		if (st->have_replay || len != sizeof(*r))
			return -EINVAL;
		st->replay_next = get_unaligned_le64(&r->next);
		st->seen = get_unaligned_le64(&r->seen);
		st->have_replay = true;
		return 0;
	}
	}
	return -ENOENT;
}

static void ksspi_krb5_dir_free(struct ksspi_krb5_dir *dir)
{
	ksspi_krb5_keys_free(&dir->seal);
	ksspi_krb5_keys_free(&dir->sign);
}

static int ksspi_krb5_dir_derive(struct ksspi_krb5_state *st,
				 struct ksspi_krb5_dir *dir, u32 seal_usage,
				 u32 sign_usage)
{
	return ksspi_krb5_keys_derive(&dir->seal, st->et, st->key,
				      seal_usage) ?:
	       ksspi_krb5_keys_derive(&dir->sign, st->et, st->key, sign_usage);
}

static u32 ksspi_krb5_import_finish(struct ksspi_sec_state *sec)
{
	struct ksspi_krb5_state *st = ksspi_krb5_state(sec);
	bool initiator;
	int err;

	if (!st)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (!st->have_enctype || !st->have_key ||
	    st->key_len != st->et->key_len)
		return SEC_E_INVALID_TOKEN;
	/* The window continues the one exported with this recv_seq. */
	if (st->have_replay && st->replay_next != sec->recv_seq)
		return SEC_E_INVALID_TOKEN;
	/* A fresh context: nothing below the first number is acceptable. */
	if (!st->have_replay)
		st->seen = ~0ULL;

	initiator = sec->flags & KSSPI_CTX_F_INITIATOR;
	err = ksspi_krb5_dir_derive(st, &st->out,
				    initiator ? KG_USAGE_INITIATOR_SEAL :
						KG_USAGE_ACCEPTOR_SEAL,
				    initiator ? KG_USAGE_INITIATOR_SIGN :
						KG_USAGE_ACCEPTOR_SIGN) ?:
	      ksspi_krb5_dir_derive(st, &st->in,
				    initiator ? KG_USAGE_ACCEPTOR_SEAL :
						KG_USAGE_INITIATOR_SEAL,
				    initiator ? KG_USAGE_ACCEPTOR_SIGN :
						KG_USAGE_INITIATOR_SIGN);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	return err ? SEC_E_INTERNAL_ERROR : SEC_E_OK;
}

static void ksspi_krb5_free(struct ksspi_sec_state *sec)
{
	struct ksspi_krb5_state *st = sec->pkg_state;

	if (!st)
		return;
	ksspi_krb5_dir_free(&st->out);
	ksspi_krb5_dir_free(&st->in);
	kfree_sensitive(st);
	sec->pkg_state = NULL;
}

static int ksspi_krb5_export(const struct ksspi_sec_state *sec,
			     struct ksspi_blob_writer *w)
{
	const struct ksspi_krb5_state *st = sec->pkg_state;
	struct ksspi_krb5_replay replay = {
		.next = cpu_to_le64(sec->recv_seq),
		.seen = cpu_to_le64(st->seen),
	};
	__le32 etype = cpu_to_le32(st->et->etype);
	__le32 info = cpu_to_le32(st->info);

	ksspi_blob_put(w, KSSPI_CTX_REC_KRB5_ENCTYPE, &etype, sizeof(etype));
	ksspi_blob_put(w, KSSPI_CTX_REC_KRB5_KEY, st->key, st->key_len);
	ksspi_blob_put(w, KSSPI_CTX_REC_KRB5_INFO, &info, sizeof(info));
	ksspi_blob_put(w, KSSPI_CTX_REC_KRB5_REPLAY, &replay, sizeof(replay));
	return w->err;
}

/* RFC 4121 section 4.2: the token header */
#define KRB5_TOK_MIC			0x0404
#define KRB5_TOK_WRAP			0x0504
#define KRB5_FLAG_SENT_BY_ACCEPTOR	0x01
#define KRB5_FLAG_SEALED		0x02
#define KRB5_FLAG_ACCEPTOR_SUBKEY	0x04
#define KRB5_HDR_LEN			16
#define KRB5_CONF_LEN			KSSPI_KRB5_CONFOUNDER_LEN

/* The window of sequence numbers ksspi_krb5_state.seen remembers */
#define KRB5_WINDOW			64

static bool ksspi_krb5_initiator(const struct ksspi_sec_state *sec)
{
	return sec->flags & KSSPI_CTX_F_INITIATOR;
}

/* The flags of the tokens this side sends (Sealed aside) */
static u8 ksspi_krb5_out_flags(const struct ksspi_sec_state *sec,
			       const struct ksspi_krb5_state *st)
{
	u8 flags = 0;

	if (!ksspi_krb5_initiator(sec))
		flags |= KRB5_FLAG_SENT_BY_ACCEPTOR;
	if (st->info & KSSPI_KRB5_F_ACCEPTOR_SUBKEY)
		flags |= KRB5_FLAG_ACCEPTOR_SUBKEY;
	return flags;
}

/*
 * A received token must come from the other side and name the key this
 * context has.  Reserved bits are ignored, as RFC 4121 and MIT do.
 */
static bool ksspi_krb5_in_flags_ok(const struct ksspi_sec_state *sec,
				   const struct ksspi_krb5_state *st, u8 flags)
{
	u8 mask = KRB5_FLAG_SENT_BY_ACCEPTOR | KRB5_FLAG_ACCEPTOR_SUBKEY;
	u8 want = 0;

	if (ksspi_krb5_initiator(sec))
		want |= KRB5_FLAG_SENT_BY_ACCEPTOR;
	if (st->info & KSSPI_KRB5_F_ACCEPTOR_SUBKEY)
		want |= KRB5_FLAG_ACCEPTOR_SUBKEY;
	return (flags & mask) == want;
}

static void ksspi_krb5_header(u8 *hdr, u16 tok_id, u8 flags, u16 ec, u16 rrc,
			      u64 seq)
{
	put_unaligned_be16(tok_id, hdr);
	hdr[2] = flags;
	hdr[3] = 0xff;
	if (tok_id == KRB5_TOK_MIC) {
		memset(hdr + 4, 0xff, 4);
	} else {
		put_unaligned_be16(ec, hdr + 4);
		put_unaligned_be16(rrc, hdr + 6);
	}
	put_unaligned_be64(seq, hdr + 8);
}

/*
 * Sequence numbers (RFC 4121 section 4.2.6.3, RFC 2743 section 1.2.3).
 * With SEQUENCE_DETECT only the next number is taken; with REPLAY_DETECT
 * a number seen already, or too old for the window, is refused.  Windows'
 * Kerberos answers both SEC_E_OUT_OF_SEQUENCE.  The check runs after the
 * token verified; the window moves only once the whole message did.
 */
static u32 ksspi_krb5_seq_check(const struct ksspi_sec_state *sec,
				const struct ksspi_krb5_state *st, u64 seq)
{
	bool sequence = sec->context_attr & ISC_RET_SEQUENCE_DETECT;
	bool replay = sec->context_attr & ISC_RET_REPLAY_DETECT;
	u64 next = sec->recv_seq, age;

	if (seq >= next)
		return sequence && seq != next ? SEC_E_OUT_OF_SEQUENCE :
						 SEC_E_OK;
	if (sequence)
		return SEC_E_OUT_OF_SEQUENCE;
	age = next - 1 - seq;
	if (replay && (age >= KRB5_WINDOW || (st->seen >> age) & 1))
		return SEC_E_OUT_OF_SEQUENCE;
	return SEC_E_OK;
}

static void ksspi_krb5_seq_commit(struct ksspi_sec_state *sec,
				  struct ksspi_krb5_state *st, u64 seq)
{
	u64 next = sec->recv_seq, shift;

	if (seq >= next) {
		shift = seq - next + 1;
		st->seen = shift >= KRB5_WINDOW ? 0 : st->seen << shift;
		st->seen |= 1;
		sec->recv_seq = seq + 1;
	} else if (next - 1 - seq < KRB5_WINDOW) {
		st->seen |= 1ULL << (next - 1 - seq);
	}
}

/* Signed, and (unless read-only) sealed, are the non-empty DATA buffers. */
static bool ksspi_krb5_is_sealed(const struct ksspi_buffer *b)
{
	return ksspi_buf_is_data(b) && !ksspi_buf_readonly(b->buffer_type);
}

/* The total length of the buffers a Wrap token carries (not read-only) */
static u64 ksspi_krb5_sealed_len(const struct ksspi_bufset *msg)
{
	u64 len = 0;
	u32 i;

	for (i = 0; i < msg->count; i++)
		if (ksspi_krb5_is_sealed(&msg->bufs[i]))
			len += msg->bufs[i].cb_buffer;
	return len;
}

/**
 * struct ksspi_krb5_mac_input - the pieces a MAC is computed over
 * @segs: room for the message's buffers and three more
 * @n: pieces so far
 */
struct ksspi_krb5_mac_input {
	struct ksspi_krb5_seg *segs;
	unsigned int n;
};

static int ksspi_krb5_mac_input_init(struct ksspi_krb5_mac_input *in,
				     const struct ksspi_bufset *msg)
{
	in->n = 0;
	in->segs = kmalloc_array(msg->count + 3, sizeof(*in->segs),
				 KSSPI_GFP_CALLER);
	return in->segs ? 0 : -ENOMEM;
}

static void ksspi_krb5_mac_add(struct ksspi_krb5_mac_input *in,
			       const void *data, unsigned int len)
{
	in->segs[in->n].data = data;
	in->segs[in->n].len = len;
	in->n++;
}

/*
 * The message's DATA buffers in their order: read-only ones as the caller
 * has them, the others from @wire (the bytes the token carries for them,
 * plaintext or ciphertext as the MAC wants) or, @wire NULL, as the caller
 * has them.
 */
static void ksspi_krb5_mac_add_data(struct ksspi_krb5_mac_input *in,
				    const struct ksspi_bufset *msg,
				    const u8 *wire)
{
	const struct ksspi_buffer *b;
	u32 i;

	for (i = 0; i < msg->count; i++) {
		b = &msg->bufs[i];
		if (!ksspi_buf_is_data(b))
			continue;
		if (!wire || ksspi_buf_readonly(b->buffer_type)) {
			ksspi_krb5_mac_add(in, b->pv_buffer, b->cb_buffer);
		} else {
			ksspi_krb5_mac_add(in, wire, b->cb_buffer);
			wire += b->cb_buffer;
		}
	}
}

/* Copy the sealed buffers' bytes to or from @wire. */
static void ksspi_krb5_gather(const struct ksspi_bufset *msg, u8 *wire)
{
	u32 i;

	for (i = 0; i < msg->count; i++)
		if (ksspi_krb5_is_sealed(&msg->bufs[i])) {
			memcpy(wire, msg->bufs[i].pv_buffer,
			       msg->bufs[i].cb_buffer);
			wire += msg->bufs[i].cb_buffer;
		}
}

static void ksspi_krb5_scatter(struct ksspi_bufset *msg, const u8 *wire)
{
	u32 i;

	for (i = 0; i < msg->count; i++)
		if (ksspi_krb5_is_sealed(&msg->bufs[i])) {
			memcpy(msg->bufs[i].pv_buffer, wire,
			       msg->bufs[i].cb_buffer);
			wire += msg->bufs[i].cb_buffer;
		}
}

static void ksspi_krb5_reverse(u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / 2; i++)
		swap(p[i], p[len - 1 - i]);
}

/* Undo a right rotation by @rrc (RFC 4121 section 4.2.5), in place. */
static void ksspi_krb5_unrotate(u8 *p, size_t len, u32 rrc)
{
	size_t r = rrc % len;

	if (!r)
		return;
	ksspi_krb5_reverse(p, r);
	ksspi_krb5_reverse(p + r, len - r);
	ksspi_krb5_reverse(p, len);
}

static u32 ksspi_krb5_status(int err)
{
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	return err ? SEC_E_INTERNAL_ERROR : SEC_E_OK;
}

/*
 * A context lives as long as its ticket (RFC 4121 section 4.2.6 leaves the
 * policy to the implementation; MIT and the kernel's RPCSEC_GSS refuse
 * messages after the end time, and so does ksspi).
 */
static bool ksspi_krb5_expired(const struct ksspi_sec_state *sec)
{
	return sec->expiry && ktime_get_real_seconds() >= sec->expiry;
}

static u32 ksspi_krb5_sign(struct ksspi_sec_state *sec, u32 qop,
			   struct ksspi_bufset *msg, u32 sequence)
{
	struct ksspi_krb5_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	unsigned int mac_len = st->et->mac_len;
	struct ksspi_krb5_mac_input in;
	u8 hdr[KRB5_HDR_LEN];
	int err;

	if (qop)
		return SEC_E_QOP_NOT_SUPPORTED;
	if (ksspi_krb5_expired(sec))
		return SEC_E_CONTEXT_EXPIRED;
	if (!tok || ksspi_buf_readonly(tok->buffer_type))
		return SEC_E_INVALID_TOKEN;
	if (tok->cb_buffer < KRB5_HDR_LEN + mac_len)
		return SEC_E_BUFFER_TOO_SMALL;
	if (ksspi_krb5_mac_input_init(&in, msg))
		return SEC_E_INSUFFICIENT_MEMORY;

	/* RFC 4121 section 4.2.6.1: the checksum is over data | header */
	ksspi_krb5_header(hdr, KRB5_TOK_MIC, ksspi_krb5_out_flags(sec, st), 0,
			  0, sec->send_seq);
	ksspi_krb5_mac_add_data(&in, msg, NULL);
	ksspi_krb5_mac_add(&in, hdr, sizeof(hdr));
	err = ksspi_krb5_checksum(&st->out.sign, in.segs, in.n,
				  (u8 *)tok->pv_buffer + KRB5_HDR_LEN);
	kfree(in.segs);
	if (err)
		return ksspi_krb5_status(err);
	memcpy(tok->pv_buffer, hdr, sizeof(hdr));
	tok->cb_buffer = KRB5_HDR_LEN + mac_len;
	sec->send_seq++;
	return SEC_E_OK;
}

static u32 ksspi_krb5_verify(struct ksspi_sec_state *sec,
			     struct ksspi_bufset *msg, u32 sequence, u32 *qop)
{
	struct ksspi_krb5_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	unsigned int mac_len = st->et->mac_len;
	static const u8 filler[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ksspi_krb5_mac_input in;
	u8 mac[KSSPI_KRB5_MAX_MAC_LEN];
	const u8 *t;
	u32 status;
	u64 seq;
	int err;

	*qop = 0;
	if (ksspi_krb5_expired(sec))
		return SEC_E_CONTEXT_EXPIRED;
	if (!tok || tok->cb_buffer != KRB5_HDR_LEN + mac_len)
		return SEC_E_INVALID_TOKEN;
	t = tok->pv_buffer;
	if (get_unaligned_be16(t) != KRB5_TOK_MIC ||
	    memcmp(t + 3, filler, sizeof(filler)))
		return SEC_E_INVALID_TOKEN;
	if (!ksspi_krb5_in_flags_ok(sec, st, t[2]))
		return SEC_E_MESSAGE_ALTERED;
	seq = get_unaligned_be64(t + 8);
	if (ksspi_krb5_mac_input_init(&in, msg))
		return SEC_E_INSUFFICIENT_MEMORY;
	ksspi_krb5_mac_add_data(&in, msg, NULL);
	ksspi_krb5_mac_add(&in, t, KRB5_HDR_LEN);
	err = ksspi_krb5_checksum(&st->in.sign, in.segs, in.n, mac);
	kfree(in.segs);
	if (err)
		return ksspi_krb5_status(err);
	if (crypto_memneq(mac, t + KRB5_HDR_LEN, mac_len))
		status = SEC_E_MESSAGE_ALTERED;
	else
		status = ksspi_krb5_seq_check(sec, st, seq);
	if (status == SEC_E_OK)
		ksspi_krb5_seq_commit(sec, st, seq);
	memzero_explicit(mac, sizeof(mac));
	return status;
}

/* The Wrap token's length before the data: what cbSecurityTrailer says */
static u32 ksspi_krb5_wrap_overhead(const struct ksspi_krb5_state *st,
				    bool seal)
{
	/* header, then sealed: encrypted header, MAC and confounder */
	return KRB5_HDR_LEN + st->et->mac_len +
	       (seal ? KRB5_HDR_LEN + KRB5_CONF_LEN : 0);
}

/*
 * Integrity-only Wrap (RFC 4121 section 4.2.4): the checksum is over the
 * data and the header with EC and RRC zero; EC then gives its length and
 * RRC rotates it to the front, as Windows sends it.
 */
static int ksspi_krb5_wrap_signed(struct ksspi_sec_state *sec,
				  struct ksspi_krb5_state *st,
				  struct ksspi_bufset *msg, u8 *tok)
{
	unsigned int mac_len = st->et->mac_len;
	struct ksspi_krb5_mac_input in;
	u8 hdr[KRB5_HDR_LEN];
	int err;

	if (ksspi_krb5_mac_input_init(&in, msg))
		return -ENOMEM;
	ksspi_krb5_header(hdr, KRB5_TOK_WRAP, ksspi_krb5_out_flags(sec, st),
			  0, 0, sec->send_seq);
	ksspi_krb5_mac_add_data(&in, msg, NULL);
	ksspi_krb5_mac_add(&in, hdr, sizeof(hdr));
	err = ksspi_krb5_checksum(&st->out.seal, in.segs, in.n,
				  tok + KRB5_HDR_LEN);
	kfree(in.segs);
	if (err)
		return err;
	put_unaligned_be16(mac_len, hdr + 4);
	put_unaligned_be16(mac_len, hdr + 6);
	memcpy(tok, hdr, sizeof(hdr));
	return 0;
}

/*
 * Sealed Wrap: E(confounder | data | header) | MAC, EC 0, rotated right
 * by RRC = 16 + MAC length so that the token buffer takes header,
 * encrypted header, MAC and encrypted confounder and the data buffers
 * their own ciphertext, as Windows' Kerberos does (MS-KILE 3.4.5.4.1).
 * Read-only data buffers are signed but not sealed: for enctypes 17 and
 * 18 the MAC covers them in their place among the plaintext, for 19 and
 * 20 among the ciphertext.  One bounce buffer (kvmalloc'd: a message may
 * be 16 MiB) holds what is encrypted.
 */
static int ksspi_krb5_wrap_sealed(struct ksspi_sec_state *sec,
				  struct ksspi_krb5_state *st,
				  struct ksspi_bufset *msg, u8 *tok)
{
	static const u8 zero_iv[KRB5_CONF_LEN];
	const struct ksspi_krb5_enctype *et = st->et;
	struct ksspi_krb5_mac_input in;
	u8 mac[KSSPI_KRB5_MAX_MAC_LEN];
	u8 hdr[KRB5_HDR_LEN];
	u64 len = ksspi_krb5_sealed_len(msg);
	u8 *work;
	int err;

	if (len > U32_MAX - 2 * KRB5_HDR_LEN)
		return -EINVAL;
	if (ksspi_krb5_mac_input_init(&in, msg))
		return -ENOMEM;
	work = kvmalloc(len + KRB5_CONF_LEN + KRB5_HDR_LEN, KSSPI_GFP_CALLER);
	if (!work) {
		kfree(in.segs);
		return -ENOMEM;
	}
	get_random_bytes(work, KRB5_CONF_LEN);
	ksspi_krb5_gather(msg, work + KRB5_CONF_LEN);
	/* the encrypted copy of the header has RRC 0 */
	ksspi_krb5_header(hdr, KRB5_TOK_WRAP, ksspi_krb5_out_flags(sec, st) |
			  KRB5_FLAG_SEALED, 0, 0, sec->send_seq);
	memcpy(work + KRB5_CONF_LEN + len, hdr, sizeof(hdr));

	if (et->rfc8009) {
		err = ksspi_krb5_cipher(&st->out.seal, work,
					len + KRB5_CONF_LEN + KRB5_HDR_LEN,
					true);
		ksspi_krb5_mac_add(&in, zero_iv, sizeof(zero_iv));
	} else {
		err = 0;
	}
	ksspi_krb5_mac_add(&in, work, KRB5_CONF_LEN);
	ksspi_krb5_mac_add_data(&in, msg, work + KRB5_CONF_LEN);
	ksspi_krb5_mac_add(&in, work + KRB5_CONF_LEN + len, KRB5_HDR_LEN);
	if (!err)
		err = ksspi_krb5_integrity(&st->out.seal, in.segs, in.n, mac);
	if (!err && !et->rfc8009)
		err = ksspi_krb5_cipher(&st->out.seal, work,
					len + KRB5_CONF_LEN + KRB5_HDR_LEN,
					true);
	if (!err) {
		put_unaligned_be16(KRB5_HDR_LEN + et->mac_len, hdr + 6);
		memcpy(tok, hdr, KRB5_HDR_LEN);
		memcpy(tok + KRB5_HDR_LEN, work + KRB5_CONF_LEN + len,
		       KRB5_HDR_LEN);
		memcpy(tok + 2 * KRB5_HDR_LEN, mac, et->mac_len);
		memcpy(tok + 2 * KRB5_HDR_LEN + et->mac_len, work,
		       KRB5_CONF_LEN);
		ksspi_krb5_scatter(msg, work + KRB5_CONF_LEN);
	}
	kvfree_sensitive(work, len + KRB5_CONF_LEN + KRB5_HDR_LEN);
	kfree(in.segs);
	memzero_explicit(mac, sizeof(mac));
	return err;
}

static u32 ksspi_kerberos_encrypt(struct ksspi_sec_state *sec, u32 qop,
				  struct ksspi_bufset *msg, u32 sequence)
{
	struct ksspi_krb5_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	struct ksspi_buffer *pad = ksspi_bufset_find(msg, SECBUFFER_PADDING);
	bool seal;
	u32 len;
	int err;

	if (qop != 0 && qop != SECQOP_WRAP_NO_ENCRYPT)
		return SEC_E_QOP_NOT_SUPPORTED;
	seal = qop == 0;
	if (ksspi_krb5_expired(sec))
		return SEC_E_CONTEXT_EXPIRED;
	if (!tok || ksspi_buf_readonly(tok->buffer_type))
		return SEC_E_INVALID_TOKEN;
	len = ksspi_krb5_wrap_overhead(st, seal);
	if (tok->cb_buffer < len)
		return SEC_E_BUFFER_TOO_SMALL;
	err = seal ? ksspi_krb5_wrap_sealed(sec, st, msg, tok->pv_buffer) :
		     ksspi_krb5_wrap_signed(sec, st, msg, tok->pv_buffer);
	if (err == -EINVAL)
		return SEC_E_INVALID_PARAMETER;
	if (err)
		return ksspi_krb5_status(err);
	tok->cb_buffer = len;
	/* block size 1: never padding */
	if (pad && !ksspi_buf_readonly(pad->buffer_type))
		pad->cb_buffer = 0;
	sec->send_seq++;
	return SEC_E_OK;
}

/**
 * struct ksspi_krb5_unwrap - a received Wrap token, taken apart
 * @work: the token, copied, its rotation undone
 * @len: its length
 * @body: @work after the header
 * @data: where the data starts in @work (plaintext once decrypted)
 * @data_len: its length
 * @tail: what the sealed token has after the data: filler and header
 * @tail_len: its length
 * @seq: the sequence number
 * @sealed: the Sealed flag
 */
struct ksspi_krb5_unwrap {
	u8 *work;
	u32 len;
	u8 *body;
	u8 *data;
	u32 data_len;
	u8 *tail;
	u32 tail_len;
	u64 seq;
	bool sealed;
};

/* The header and the lengths; any EC and RRC a peer chose (MIT: RRC 0) */
static u32 ksspi_krb5_unwrap_parse(const struct ksspi_sec_state *sec,
				   const struct ksspi_krb5_state *st,
				   struct ksspi_krb5_unwrap *u)
{
	unsigned int mac_len = st->et->mac_len;
	u32 body_len = u->len - KRB5_HDR_LEN;
	u8 *t = u->work;
	u16 ec, rrc;

	if (get_unaligned_be16(t) != KRB5_TOK_WRAP || t[3] != 0xff)
		return SEC_E_INVALID_TOKEN;
	if (!ksspi_krb5_in_flags_ok(sec, st, t[2]))
		return SEC_E_MESSAGE_ALTERED;
	u->sealed = t[2] & KRB5_FLAG_SEALED;
	ec = get_unaligned_be16(t + 4);
	rrc = get_unaligned_be16(t + 6);
	u->seq = get_unaligned_be64(t + 8);
	u->body = t + KRB5_HDR_LEN;
	if (u->sealed) {
		if (body_len < KRB5_CONF_LEN + ec + KRB5_HDR_LEN + mac_len)
			return SEC_E_INVALID_TOKEN;
		ksspi_krb5_unrotate(u->body, body_len, rrc);
		u->data = u->body + KRB5_CONF_LEN;
		u->tail_len = ec + KRB5_HDR_LEN;
		u->data_len = body_len - KRB5_CONF_LEN - u->tail_len - mac_len;
		u->tail = u->data + u->data_len;
	} else {
		/* EC is the checksum's length */
		if (ec != mac_len || body_len < mac_len)
			return SEC_E_INVALID_TOKEN;
		ksspi_krb5_unrotate(u->body, body_len, rrc);
		u->data = u->body;
		u->data_len = body_len - mac_len;
		u->tail = u->data + u->data_len;
		u->tail_len = 0;
	}
	return SEC_E_OK;
}

/* The MAC over the pieces of the data, @stream: the data is one piece */
static int ksspi_krb5_unwrap_mac(const struct ksspi_krb5_state *st,
				 const struct ksspi_krb5_unwrap *u,
				 const struct ksspi_bufset *msg, bool stream,
				 u8 *mac)
{
	static const u8 zero_iv[KRB5_CONF_LEN];
	struct ksspi_krb5_mac_input in;
	u8 hdr[KRB5_HDR_LEN];
	int err;

	if (ksspi_krb5_mac_input_init(&in, msg))
		return -ENOMEM;
	if (u->sealed) {
		if (st->et->rfc8009)
			ksspi_krb5_mac_add(&in, zero_iv, sizeof(zero_iv));
		ksspi_krb5_mac_add(&in, u->body, KRB5_CONF_LEN);
	}
	if (stream)
		ksspi_krb5_mac_add(&in, u->data, u->data_len);
	else
		ksspi_krb5_mac_add_data(&in, msg, u->data);
	if (u->sealed) {
		ksspi_krb5_mac_add(&in, u->tail, u->tail_len);
		err = ksspi_krb5_integrity(&st->in.seal, in.segs, in.n, mac);
	} else {
		memcpy(hdr, u->work, sizeof(hdr));
		memset(hdr + 4, 0, 4);	/* EC and RRC were 0 for the checksum */
		ksspi_krb5_mac_add(&in, hdr, sizeof(hdr));
		err = ksspi_krb5_checksum(&st->in.seal, in.segs, in.n, mac);
	}
	kfree(in.segs);
	return err;
}

/* Check (and for sealed tokens decrypt) @u; nothing else changes. */
static u32 ksspi_krb5_unwrap_check(const struct ksspi_sec_state *sec,
				   const struct ksspi_krb5_state *st,
				   struct ksspi_krb5_unwrap *u,
				   const struct ksspi_bufset *msg, bool stream)
{
	const struct ksspi_krb5_enctype *et = st->et;
	u8 mac[KSSPI_KRB5_MAX_MAC_LEN];
	u32 clen = u->len - KRB5_HDR_LEN - et->mac_len;
	const u8 *inner;
	int err = 0;

	/* 17, 18: MAC over the plaintext; 19, 20: over the ciphertext */
	if (u->sealed && !et->rfc8009)
		err = ksspi_krb5_cipher(&st->in.seal, u->body, clen, false);
	if (!err)
		err = ksspi_krb5_unwrap_mac(st, u, msg, stream, mac);
	if (!err && u->sealed && et->rfc8009 &&
	    !crypto_memneq(mac, u->body + clen, et->mac_len))
		err = ksspi_krb5_cipher(&st->in.seal, u->body, clen, false);
	if (err) {
		memzero_explicit(mac, sizeof(mac));
		return ksspi_krb5_status(err);
	}
	if (crypto_memneq(mac, u->body + (u->sealed ? clen : u->data_len),
			  et->mac_len)) {
		memzero_explicit(mac, sizeof(mac));
		return SEC_E_MESSAGE_ALTERED;
	}
	memzero_explicit(mac, sizeof(mac));
	/* The encrypted header is the header, RRC zero (section 4.2.4). */
	if (u->sealed) {
		inner = u->tail + u->tail_len - KRB5_HDR_LEN;
		if (memcmp(inner, u->work, 6) || inner[6] || inner[7] ||
		    memcmp(inner + 8, u->work + 8, 8))
			return SEC_E_MESSAGE_ALTERED;
	}
	return ksspi_krb5_seq_check(sec, st, u->seq);
}

/*
 * DecryptMessage takes a whole token in a SECBUFFER_STREAM buffer (the
 * first writable DATA buffer then points at the data, inside it) or the
 * token buffer followed by the DATA buffers, as EncryptMessage split them.
 * The token is copied once into a bounce buffer, where its rotation is
 * undone and it is checked and decrypted; only a token that verifies
 * reaches the caller's buffers and moves the window.
 */
static u32 ksspi_kerberos_decrypt(struct ksspi_sec_state *sec,
				  struct ksspi_bufset *msg, u32 sequence,
				  u32 *qop)
{
	struct ksspi_krb5_state *st = sec->pkg_state;
	struct ksspi_buffer *stream = ksspi_bufset_find(msg, SECBUFFER_STREAM);
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	struct ksspi_krb5_unwrap u = {};
	struct ksspi_buffer *out = NULL;
	u64 len;
	u32 status, i;

	*qop = 0;
	if (ksspi_krb5_expired(sec))
		return SEC_E_CONTEXT_EXPIRED;
	if (stream) {
		for (i = 0; i < msg->count && !out; i++)
			if (ksspi_buftype(msg->bufs[i].buffer_type) ==
			    SECBUFFER_DATA &&
			    !ksspi_buf_readonly(msg->bufs[i].buffer_type))
				out = &msg->bufs[i];
		if (!out)
			return SEC_E_INVALID_TOKEN;
		len = stream->cb_buffer;
	} else {
		if (!tok)
			return SEC_E_INVALID_TOKEN;
		len = (u64)tok->cb_buffer + ksspi_krb5_sealed_len(msg);
	}
	if (len < KRB5_HDR_LEN || len > U32_MAX)
		return SEC_E_INVALID_TOKEN;
	u.len = len;
	u.work = kvmalloc(u.len, KSSPI_GFP_CALLER);
	if (!u.work)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (stream) {
		memcpy(u.work, stream->pv_buffer, u.len);
	} else {
		memcpy(u.work, tok->pv_buffer, tok->cb_buffer);
		ksspi_krb5_gather(msg, u.work + tok->cb_buffer);
	}

	status = ksspi_krb5_unwrap_parse(sec, st, &u);
	/* Split as EncryptMessage splits: the data buffers hold the data. */
	if (status == SEC_E_OK && !stream &&
	    u.data_len != ksspi_krb5_sealed_len(msg))
		status = SEC_E_INVALID_TOKEN;
	if (status == SEC_E_OK)
		status = ksspi_krb5_unwrap_check(sec, st, &u, msg, stream);
	if (status == SEC_E_OK) {
		if (stream) {
			/* the data goes after the header, in the stream */
			out->pv_buffer = (u8 *)stream->pv_buffer + KRB5_HDR_LEN;
			out->cb_buffer = u.data_len;
			memmove(out->pv_buffer, u.data, u.data_len);
		} else {
			ksspi_krb5_scatter(msg, u.data);
		}
		ksspi_krb5_seq_commit(sec, st, u.seq);
		*qop = u.sealed ? 0 : SECQOP_WRAP_NO_ENCRYPT;
	}
	kvfree_sensitive(u.work, u.len);
	return status;
}

/* SECPKG_ATTR_SIZES of an established context: its enctype's */
static void ksspi_krb5_sizes(struct ksspi_sec_state *sec,
			     struct ksspi_attr_sizes *sizes)
{
	const struct ksspi_krb5_state *st = sec->pkg_state;

	sizes->max_signature = KRB5_HDR_LEN + st->et->mac_len;
	sizes->block_size = 1;
	sizes->security_trailer = ksspi_krb5_wrap_overhead(st, true);
}

/*
 * SECPKG_ATTR_KEY_INFO: the token key's size, its enctype (Windows'
 * EncryptAlgorithm) and the enctype's checksum type (SignatureAlgorithm,
 * RFC 3961 section 8 and RFC 8009), named as the RFCs name them.
 */
static u32 ksspi_krb5_query(struct ksspi_sec_state *sec, u32 attribute,
			    void *buf, u32 *len)
{
	static const struct {
		u32 etype;
		u32 cksumtype;
		const char *cksum_name;
	} cksums[] = {
		{ KSSPI_KRB5_AES128_CTS_HMAC_SHA1_96, 15, "hmac-sha1-96-aes128" },
		{ KSSPI_KRB5_AES256_CTS_HMAC_SHA1_96, 16, "hmac-sha1-96-aes256" },
		{ KSSPI_KRB5_AES128_CTS_HMAC_SHA256_128, 19,
		  "hmac-sha256-128-aes128" },
		{ KSSPI_KRB5_AES256_CTS_HMAC_SHA384_192, 20,
		  "hmac-sha384-192-aes256" },
	};
	struct ksspi_attr_key_info info = {};
	struct ksspi_krb5_state *st;
	int i;

	if (attribute != SECPKG_ATTR_KEY_INFO)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!sec)
		return SEC_E_NO_CONTEXT;
	st = sec->pkg_state;
	info.key_size = st->key_len * 8;
	info.encrypt_algorithm = st->et->etype;
	strscpy(info.encrypt_algorithm_name, st->et->name,
		sizeof(info.encrypt_algorithm_name));
	for (i = 0; i < ARRAY_SIZE(cksums); i++) {
		if (cksums[i].etype != st->et->etype)
			continue;
		info.signature_algorithm = cksums[i].cksumtype;
		strscpy(info.signature_algorithm_name, cksums[i].cksum_name,
			sizeof(info.signature_algorithm_name));
	}
	return ksspi_query_answer(buf, len, &info, sizeof(info));
}

static const struct ksspi_package_ops ksspi_kerberos_ops = {
	.query = ksspi_krb5_query,
	.import_record = ksspi_krb5_import_record,
	.import_finish = ksspi_krb5_import_finish,
	.export = ksspi_krb5_export,
	.free = ksspi_krb5_free,
	.sizes = ksspi_krb5_sizes,
	.make_signature = ksspi_krb5_sign,
	.verify_signature = ksspi_krb5_verify,
	.encrypt = ksspi_kerberos_encrypt,
	.decrypt = ksspi_kerberos_decrypt,
};

static struct ksspi_package ksspi_kerberos_package = {
	.info = {
		/*
		 * Windows' 0x000F3BBF without IMPERSONATION and
		 * RESTRICTED_TOKENS, as NTLM's (sspi-deviations.rst)
		 */
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |
				SECPKG_FLAG_TOKEN_ONLY | SECPKG_FLAG_DATAGRAM |
				SECPKG_FLAG_CONNECTION |
				SECPKG_FLAG_MULTI_REQUIRED |
				SECPKG_FLAG_EXTENDED_ERROR |
				SECPKG_FLAG_ACCEPT_WIN32_NAME |
				SECPKG_FLAG_NEGOTIABLE |
				SECPKG_FLAG_GSS_COMPATIBLE |
				SECPKG_FLAG_LOGON | SECPKG_FLAG_MUTUAL_AUTH |
				SECPKG_FLAG_DELEGATION |
				SECPKG_FLAG_READONLY_WITH_CHECKSUM,
		.version = 1,
		.rpc_id = 16,	/* RPC_C_AUTHN_GSS_KERBEROS */
		.max_token = KSSPI_KRB5_MAX_TOKEN,
		.name = "Kerberos",
		.comment = "Microsoft Kerberos V1.0",
	},
	/* AES-SHA1 (enctypes 17, 18); a context answers for its own enctype */
	.sizes = {
		.max_token = KSSPI_KRB5_MAX_TOKEN,
		.max_signature = 28,
		.block_size = 1,
		.security_trailer = 60,
	},
	.delegation = true,
	.ops = &ksspi_kerberos_ops,
};

int ksspi_pkg_kerberos_init(void)
{
	return ksspi_package_register(&ksspi_kerberos_package);
}

void ksspi_pkg_kerberos_exit(void)
{
	ksspi_package_unregister(&ksspi_kerberos_package);
}
