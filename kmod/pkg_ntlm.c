// SPDX-License-Identifier: GPL-2.0
/*
 * The NTLM package: per-message protection (MS-NLMP 3.4) with extended
 * session security.  The handshake runs in ksspid (Documentation/ntlm.rst),
 * which hands over the signing and sealing keys of both directions in the
 * serialized context.
 *
 * One RC4 stream per direction serves both sealing and the encryption of
 * checksums, as the specification has it.  A message that fails to verify
 * leaves the stream where it was: the check runs on a working copy that is
 * committed only on success, and a failed DecryptMessage restores the
 * caller's ciphertext.
 *
 * An idle context holds only its keys and two packed streams (about 600
 * bytes); the hmac(md5) transform and the unpacked stream a message needs
 * come from a small set shared by all contexts (struct ksspi_ntlm_work).
 */
#include <crypto/arc4.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/md5.h>
#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "package.h"
#include "secbuf.h"
#include "serialize.h"
#include "user.h"

/* NegotiateFlags (MS-NLMP 2.2.2.5) that message protection depends on */
#define NTLMSSP_NEGOTIATE_SIGN				0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL				0x00000020u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY	0x00080000u
#define NTLMSSP_NEGOTIATE_128				0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH			0x40000000u
#define NTLMSSP_NEGOTIATE_56				0x80000000u

#define KSSPI_NTLM_KEY_LEN	16
#define KSSPI_NTLM_SIG_LEN	16
#define KSSPI_NTLM_CHECKSUM_LEN	8
#define KSSPI_NTLM_SIG_VERSION	1
/*
 * Windows reports 2888; ksspi's names may be longer (1024 bytes each), and
 * the helper bounds a server's target information, so that no NTLM token
 * it produces is larger than this.
 */
#define KSSPI_NTLM_MAX_TOKEN	12288

/**
 * struct ksspi_ntlm_dir - one direction's keys and cipher state
 * @sign_key: SIGNKEY of this direction
 * @seal_key: SEALKEY of this direction
 * @rc4: the sealing stream, in mid-stream, as serialized (one byte per
 *	entry: a quarter of the library's working form)
 * @have_sign_key: @sign_key was in the serialized context
 * @have_seal_key: @seal_key was in the serialized context
 * @have_rc4: @rc4 was in the serialized context
 */
struct ksspi_ntlm_dir {
	u8 sign_key[KSSPI_NTLM_KEY_LEN];
	u8 seal_key[KSSPI_NTLM_KEY_LEN];
	struct ksspi_ntlm_rc4 rc4;
	bool have_sign_key;
	bool have_seal_key;
	bool have_rc4;
};

/**
 * struct ksspi_ntlm_state - the package's per-message state
 * @flags: NegotiateFlags
 * @have_flags: @flags was in the serialized context
 * @out: what this side sends
 * @in: what this side receives
 *
 * Used under the owning context's msg_lock.  It holds no transform: an
 * idle context keeps only its keys and streams (see ksspi_ntlm_work).
 */
struct ksspi_ntlm_state {
	u32 flags;
	bool have_flags;
	struct ksspi_ntlm_dir out;
	struct ksspi_ntlm_dir in;
};

/**
 * struct ksspi_ntlm_work - what one message in progress needs
 * @lock: one message at a time
 * @hmac: hmac(md5), keyed with the direction's SIGNKEY for each message
 * @rc4: the direction's stream, unpacked to the library's working form
 *
 * The package allocates a few of these at load (one per possible CPU, at
 * most KSSPI_NTLM_WORK_MAX), so that a context costs no transform and no
 * working buffer while idle: the transform is allocated once, never per
 * message.  A message takes any free one, or waits for its CPU's.
 */
struct ksspi_ntlm_work {
	struct mutex lock;	/* see above */
	struct crypto_shash *hmac;
	struct arc4_ctx rc4;
};

#define KSSPI_NTLM_WORK_MAX	64

static struct ksspi_ntlm_work *ksspi_ntlm_works;
static unsigned int ksspi_ntlm_nr_works;
static struct kmem_cache *ksspi_ntlm_cache;

static struct ksspi_ntlm_work *ksspi_ntlm_work_get(void)
{
	unsigned int first = raw_smp_processor_id() % ksspi_ntlm_nr_works;
	unsigned int i;

	for (i = 0; i < ksspi_ntlm_nr_works; i++) {
		struct ksspi_ntlm_work *work =
			&ksspi_ntlm_works[(first + i) % ksspi_ntlm_nr_works];

		if (mutex_trylock(&work->lock))
			return work;
	}
	mutex_lock(&ksspi_ntlm_works[first].lock);
	return &ksspi_ntlm_works[first];
}

static void ksspi_ntlm_work_put(struct ksspi_ntlm_work *work)
{
	memzero_explicit(&work->rc4, sizeof(work->rc4));
	mutex_unlock(&work->lock);
}

static struct ksspi_ntlm_state *ksspi_ntlm_state(struct ksspi_sec_state *sec)
{
	struct ksspi_ntlm_state *st = sec->pkg_state;

	if (!st) {
		st = kmem_cache_zalloc(ksspi_ntlm_cache, KSSPI_GFP_CALLER);
		sec->pkg_state = st;
	}
	return st;
}

/* A serialized RC4 state, checked to be a permutation */
static int ksspi_ntlm_rc4_in(struct ksspi_ntlm_rc4 *rc4, const void *value,
			     u32 len)
{
	const struct ksspi_ntlm_rc4 *r = value;
	DECLARE_BITMAP(seen, 256);
	unsigned int i;

	if (len != sizeof(*r))
		return -EINVAL;
	bitmap_zero(seen, 256);
	for (i = 0; i < 256; i++)
		if (test_and_set_bit(r->s[i], seen))
			return -EINVAL;
	*rc4 = *r;
	return 0;
}

static void ksspi_ntlm_rc4_unpack(struct arc4_ctx *ctx,
				  const struct ksspi_ntlm_rc4 *rc4)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		ctx->S[i] = rc4->s[i];
	ctx->x = rc4->i;
	ctx->y = rc4->j;
}

static void ksspi_ntlm_rc4_pack(struct ksspi_ntlm_rc4 *rc4,
				const struct arc4_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		rc4->s[i] = ctx->S[i];
	rc4->i = ctx->x;
	rc4->j = ctx->y;
}

static int ksspi_ntlm_key_in(u8 *key, bool *have, const void *value, u32 len)
{
	if (*have || len != KSSPI_NTLM_KEY_LEN)
		return -EINVAL;
	memcpy(key, value, len);
	*have = true;
	return 0;
}

static int ksspi_ntlm_import_record(struct ksspi_sec_state *sec, u16 type,
				    const void *value, u32 len)
{
	struct ksspi_ntlm_state *st;
	int err;

	if (type < KSSPI_CTX_REC_NTLM_FLAGS || type > KSSPI_CTX_REC_NTLM_RC4_IN)
		return -ENOENT;
	st = ksspi_ntlm_state(sec);
	if (!st)
		return -ENOMEM;

	switch (type) {
	case KSSPI_CTX_REC_NTLM_FLAGS:
		if (st->have_flags || len != sizeof(__le32))
			return -EINVAL;
		st->flags = get_unaligned_le32(value);
		st->have_flags = true;
		return 0;
	case KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT:
		return ksspi_ntlm_key_in(st->out.sign_key, &st->out.have_sign_key,
					 value, len);
	case KSSPI_CTX_REC_NTLM_SIGN_KEY_IN:
		return ksspi_ntlm_key_in(st->in.sign_key, &st->in.have_sign_key,
					 value, len);
	case KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT:
		return ksspi_ntlm_key_in(st->out.seal_key, &st->out.have_seal_key,
					 value, len);
	case KSSPI_CTX_REC_NTLM_SEAL_KEY_IN:
		return ksspi_ntlm_key_in(st->in.seal_key, &st->in.have_seal_key,
					 value, len);
	case KSSPI_CTX_REC_NTLM_RC4_OUT:
	case KSSPI_CTX_REC_NTLM_RC4_IN: {
		struct ksspi_ntlm_dir *dir = type == KSSPI_CTX_REC_NTLM_RC4_OUT ?
					     &st->out : &st->in;

		if (dir->have_rc4)
			return -EINVAL;
		err = ksspi_ntlm_rc4_in(&dir->rc4, value, len);
		dir->have_rc4 = !err;
		return err;
	}
	}
	return -ENOENT;
}

static bool ksspi_ntlm_ess(const struct ksspi_ntlm_state *st)
{
	return st->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
}

/* The stream starts from the seal key unless the blob continues one. */
static int ksspi_ntlm_dir_setup(struct ksspi_ntlm_dir *dir)
{
	struct arc4_ctx *ctx;
	int err;

	if (!dir->have_sign_key || !dir->have_seal_key)
		return -EINVAL;
	if (dir->have_rc4)
		return 0;
	ctx = kmalloc(sizeof(*ctx), KSSPI_GFP_CALLER);
	if (!ctx)
		return -ENOMEM;
	err = arc4_setkey(ctx, dir->seal_key, sizeof(dir->seal_key));
	if (!err) {
		ksspi_ntlm_rc4_pack(&dir->rc4, ctx);
		dir->have_rc4 = true;
	}
	kfree_sensitive(ctx);
	return err;
}

static u32 ksspi_ntlm_import_finish(struct ksspi_sec_state *sec)
{
	struct ksspi_ntlm_state *st = ksspi_ntlm_state(sec);
	int err;

	if (!st)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (!st->have_flags)
		return SEC_E_INVALID_TOKEN;
	/* Without extended session security there is no message protection. */
	if (!ksspi_ntlm_ess(st))
		return SEC_E_OK;
	err = ksspi_ntlm_dir_setup(&st->out);
	if (!err)
		err = ksspi_ntlm_dir_setup(&st->in);
	if (err == -EINVAL)
		return SEC_E_INVALID_TOKEN;
	return err ? SEC_E_INSUFFICIENT_MEMORY : SEC_E_OK;
}

static void ksspi_ntlm_free(struct ksspi_sec_state *sec)
{
	struct ksspi_ntlm_state *st = sec->pkg_state;

	if (!st)
		return;
	memzero_explicit(st, sizeof(*st));
	kmem_cache_free(ksspi_ntlm_cache, st);
	sec->pkg_state = NULL;
}

static void ksspi_ntlm_export_dir(struct ksspi_blob_writer *w,
				  const struct ksspi_ntlm_dir *dir, bool out)
{
	ksspi_blob_put(w, out ? KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT :
				KSSPI_CTX_REC_NTLM_SIGN_KEY_IN,
		       dir->sign_key, sizeof(dir->sign_key));
	ksspi_blob_put(w, out ? KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT :
				KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
		       dir->seal_key, sizeof(dir->seal_key));
	ksspi_blob_put(w, out ? KSSPI_CTX_REC_NTLM_RC4_OUT :
				KSSPI_CTX_REC_NTLM_RC4_IN,
		       &dir->rc4, sizeof(dir->rc4));
}

static int ksspi_ntlm_export(const struct ksspi_sec_state *sec,
			     struct ksspi_blob_writer *w)
{
	const struct ksspi_ntlm_state *st = sec->pkg_state;
	__le32 flags = cpu_to_le32(st->flags);

	ksspi_blob_put(w, KSSPI_CTX_REC_NTLM_FLAGS, &flags, sizeof(flags));
	if (ksspi_ntlm_ess(st)) {
		ksspi_ntlm_export_dir(w, &st->out, true);
		ksspi_ntlm_export_dir(w, &st->in, false);
	}
	return w->err;
}

/* Sealed are the data buffers the caller did not mark read-only. */
static bool ksspi_ntlm_is_sealed(const struct ksspi_buffer *b)
{
	return ksspi_buf_is_data(b) && !ksspi_buf_readonly(b->buffer_type);
}

/* HMAC_MD5(SigningKey, SeqNum || every data buffer), over the plaintext */
static int ksspi_ntlm_hmac(struct ksspi_ntlm_work *work,
			   const struct ksspi_ntlm_dir *dir, u32 seq,
			   struct ksspi_bufset *msg, u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, work->hmac);
	__le32 seq_le = cpu_to_le32(seq);
	u32 i;
	int err;

	err = crypto_shash_setkey(work->hmac, dir->sign_key,
				  sizeof(dir->sign_key));
	if (err)
		return err;
	desc->tfm = work->hmac;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, (u8 *)&seq_le, sizeof(seq_le));
	for (i = 0; !err && i < msg->count; i++)
		if (ksspi_buf_is_data(&msg->bufs[i]))
			err = crypto_shash_update(desc, msg->bufs[i].pv_buffer,
						  msg->bufs[i].cb_buffer);
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	return err;
}

/* The NTLMSSP_MESSAGE_SIGNATURE with extended session security */
static void ksspi_ntlm_signature(struct ksspi_ntlm_state *st,
				 struct arc4_ctx *rc4, const u8 *digest,
				 u32 seq, u8 *sig)
{
	put_unaligned_le32(KSSPI_NTLM_SIG_VERSION, sig);
	memcpy(sig + 4, digest, KSSPI_NTLM_CHECKSUM_LEN);
	if (st->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
		arc4_crypt(rc4, sig + 4, sig + 4, KSSPI_NTLM_CHECKSUM_LEN);
	put_unaligned_le32(seq, sig + 12);
}

static void ksspi_ntlm_crypt(struct arc4_ctx *rc4, struct ksspi_bufset *msg)
{
	u32 i;

	for (i = 0; i < msg->count; i++)
		if (ksspi_ntlm_is_sealed(&msg->bufs[i]))
			arc4_crypt(rc4, msg->bufs[i].pv_buffer,
				   msg->bufs[i].pv_buffer,
				   msg->bufs[i].cb_buffer);
}

/* Common checks of MakeSignature and EncryptMessage */
static u32 ksspi_ntlm_out_check(struct ksspi_ntlm_state *st, u32 qop,
				struct ksspi_buffer *tok, u32 needed_flag)
{
	if (qop)
		return SEC_E_QOP_NOT_SUPPORTED;
	if (!ksspi_ntlm_ess(st) || !(st->flags & needed_flag))
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!tok || ksspi_buf_readonly(tok->buffer_type))
		return SEC_E_INVALID_TOKEN;
	if (tok->cb_buffer < KSSPI_NTLM_SIG_LEN)
		return SEC_E_BUFFER_TOO_SMALL;
	return SEC_E_OK;
}

static u32 ksspi_ntlm_protect(struct ksspi_sec_state *sec, u32 qop,
			      struct ksspi_bufset *msg, bool seal)
{
	struct ksspi_ntlm_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	u32 seq = (u32)sec->send_seq;
	struct ksspi_ntlm_work *work;
	u8 digest[MD5_DIGEST_SIZE];
	u32 status;

	status = ksspi_ntlm_out_check(st, qop, tok, seal ?
				      NTLMSSP_NEGOTIATE_SEAL :
				      NTLMSSP_NEGOTIATE_SIGN |
				      NTLMSSP_NEGOTIATE_SEAL);
	if (status != SEC_E_OK)
		return status;
	work = ksspi_ntlm_work_get();
	if (ksspi_ntlm_hmac(work, &st->out, seq, msg, digest)) {
		status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	/* SEAL: the message first, then the checksum, on one stream */
	ksspi_ntlm_rc4_unpack(&work->rc4, &st->out.rc4);
	if (seal)
		ksspi_ntlm_crypt(&work->rc4, msg);
	ksspi_ntlm_signature(st, &work->rc4, digest, seq, tok->pv_buffer);
	ksspi_ntlm_rc4_pack(&st->out.rc4, &work->rc4);
	tok->cb_buffer = KSSPI_NTLM_SIG_LEN;
	sec->send_seq++;
out:
	ksspi_ntlm_work_put(work);
	memzero_explicit(digest, sizeof(digest));
	return status;
}

static u32 ksspi_ntlm_sign(struct ksspi_sec_state *sec, u32 qop,
			   struct ksspi_bufset *msg, u32 sequence)
{
	return ksspi_ntlm_protect(sec, qop, msg, false);
}

static u32 ksspi_ntlm_encrypt(struct ksspi_sec_state *sec, u32 qop,
			      struct ksspi_bufset *msg, u32 sequence)
{
	return ksspi_ntlm_protect(sec, qop, msg, true);
}

static u32 ksspi_ntlm_check(struct ksspi_sec_state *sec,
			    struct ksspi_bufset *msg, bool seal)
{
	struct ksspi_ntlm_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	u32 seq = (u32)sec->recv_seq;
	struct ksspi_ntlm_work *work;
	u8 digest[MD5_DIGEST_SIZE];
	u8 expected[KSSPI_NTLM_SIG_LEN];
	u32 status = SEC_E_OK;

	if (!ksspi_ntlm_ess(st) ||
	    !(st->flags & (seal ? NTLMSSP_NEGOTIATE_SEAL :
			   NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)))
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!tok || tok->cb_buffer != KSSPI_NTLM_SIG_LEN ||
	    get_unaligned_le32(tok->pv_buffer) != KSSPI_NTLM_SIG_VERSION)
		return SEC_E_INVALID_TOKEN;
	/* The sequence number travels in clear: a replay shows here. */
	if (get_unaligned_le32((u8 *)tok->pv_buffer + 12) != seq)
		return sec->context_attr & (ISC_RET_SEQUENCE_DETECT |
					    ISC_RET_REPLAY_DETECT) ?
		       SEC_E_OUT_OF_SEQUENCE : SEC_E_MESSAGE_ALTERED;

	/* On a working copy of the stream, kept only if the message checks */
	work = ksspi_ntlm_work_get();
	ksspi_ntlm_rc4_unpack(&work->rc4, &st->in.rc4);
	if (seal)
		ksspi_ntlm_crypt(&work->rc4, msg);
	if (ksspi_ntlm_hmac(work, &st->in, seq, msg, digest)) {
		status = SEC_E_INTERNAL_ERROR;
	} else {
		ksspi_ntlm_signature(st, &work->rc4, digest, seq, expected);
		if (crypto_memneq(expected, tok->pv_buffer, sizeof(expected)))
			status = SEC_E_MESSAGE_ALTERED;
	}

	if (status == SEC_E_OK) {
		ksspi_ntlm_rc4_pack(&st->in.rc4, &work->rc4);
		sec->recv_seq++;
	} else if (seal) {
		/* Give the caller its ciphertext back. */
		ksspi_ntlm_rc4_unpack(&work->rc4, &st->in.rc4);
		ksspi_ntlm_crypt(&work->rc4, msg);
	}
	ksspi_ntlm_work_put(work);
	memzero_explicit(expected, sizeof(expected));
	memzero_explicit(digest, sizeof(digest));
	return status;
}

static u32 ksspi_ntlm_verify(struct ksspi_sec_state *sec,
			     struct ksspi_bufset *msg, u32 sequence, u32 *qop)
{
	*qop = 0;
	return ksspi_ntlm_check(sec, msg, false);
}

static u32 ksspi_ntlm_decrypt(struct ksspi_sec_state *sec,
			      struct ksspi_bufset *msg, u32 sequence, u32 *qop)
{
	*qop = 0;
	return ksspi_ntlm_check(sec, msg, true);
}

/*
 * SECPKG_ATTR_KEY_INFO as Windows' NTLM reports it: HMAC-MD5 signatures and
 * RC4 sealing (the export-grade id below 128 bits).
 */
static u32 ksspi_ntlm_query(struct ksspi_sec_state *sec, u32 attribute,
			    void *buf, u32 *len)
{
	struct ksspi_attr_key_info info = {
		.signature_algorithm = KSSPI_KERB_CHECKSUM_HMAC_MD5,
		.signature_algorithm_name = "HMAC-MD5",
	};
	struct ksspi_ntlm_state *st;

	if (attribute != SECPKG_ATTR_KEY_INFO)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!sec)
		return SEC_E_NO_CONTEXT;
	st = sec->pkg_state;
	if (st->flags & NTLMSSP_NEGOTIATE_128)
		info.key_size = 128;
	else if (st->flags & NTLMSSP_NEGOTIATE_56)
		info.key_size = 56;
	else
		info.key_size = 40;
	if (info.key_size == 128) {
		info.encrypt_algorithm = KSSPI_KERB_ETYPE_RC4_PLAIN;
		strscpy(info.encrypt_algorithm_name, "RSADSI RC4",
			sizeof(info.encrypt_algorithm_name));
	} else {
		info.encrypt_algorithm = KSSPI_KERB_ETYPE_RC4_PLAIN_EXP;
		strscpy(info.encrypt_algorithm_name, "RSADSI RC4-EXP",
			sizeof(info.encrypt_algorithm_name));
	}
	return ksspi_query_answer(buf, len, &info, sizeof(info));
}

static const struct ksspi_package_ops ksspi_ntlm_ops = {
	.query = ksspi_ntlm_query,
	.import_record = ksspi_ntlm_import_record,
	.import_finish = ksspi_ntlm_import_finish,
	.export = ksspi_ntlm_export,
	.free = ksspi_ntlm_free,
	.make_signature = ksspi_ntlm_sign,
	.verify_signature = ksspi_ntlm_verify,
	.encrypt = ksspi_ntlm_encrypt,
	.decrypt = ksspi_ntlm_decrypt,
};

static struct ksspi_package ksspi_ntlm_package = {
	.info = {
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |
				SECPKG_FLAG_TOKEN_ONLY | SECPKG_FLAG_CONNECTION |
				SECPKG_FLAG_MULTI_REQUIRED |
				SECPKG_FLAG_ACCEPT_WIN32_NAME |
				SECPKG_FLAG_NEGOTIABLE | SECPKG_FLAG_LOGON |
				SECPKG_FLAG_READONLY_WITH_CHECKSUM,
		.version = 1,
		.rpc_id = 10,	/* RPC_C_AUTHN_WINNT */
		.max_token = KSSPI_NTLM_MAX_TOKEN,
		.name = "NTLM",
		.comment = "NTLM Security Package",
	},
	.sizes = {
		.max_token = KSSPI_NTLM_MAX_TOKEN,
		.max_signature = KSSPI_NTLM_SIG_LEN,
		.block_size = 0,
		.security_trailer = KSSPI_NTLM_SIG_LEN,
	},
	.ops = &ksspi_ntlm_ops,
};

static void ksspi_ntlm_works_free(void)
{
	unsigned int i;

	for (i = 0; i < ksspi_ntlm_nr_works; i++)
		crypto_free_shash(ksspi_ntlm_works[i].hmac);
	kfree_sensitive(ksspi_ntlm_works);
	ksspi_ntlm_works = NULL;
	ksspi_ntlm_nr_works = 0;
}

static int ksspi_ntlm_works_alloc(void)
{
	unsigned int i, n = min_t(unsigned int, num_possible_cpus(),
				  KSSPI_NTLM_WORK_MAX);

	ksspi_ntlm_works = kcalloc(n, sizeof(*ksspi_ntlm_works), GFP_KERNEL);
	if (!ksspi_ntlm_works)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ksspi_ntlm_work *work = &ksspi_ntlm_works[i];

		mutex_init(&work->lock);
		work->hmac = crypto_alloc_shash("hmac(md5)", 0, 0);
		if (IS_ERR(work->hmac)) {
			int err = PTR_ERR(work->hmac);

			work->hmac = NULL;
			ksspi_ntlm_nr_works = i;
			ksspi_ntlm_works_free();
			return err;
		}
	}
	ksspi_ntlm_nr_works = n;
	return 0;
}

int ksspi_pkg_ntlm_init(void)
{
	int err;

	ksspi_ntlm_cache = kmem_cache_create("ksspi_ntlm",
					     sizeof(struct ksspi_ntlm_state),
					     0, SLAB_ACCOUNT, NULL);
	if (!ksspi_ntlm_cache)
		return -ENOMEM;
	err = ksspi_ntlm_works_alloc();
	if (!err)
		err = ksspi_package_register(&ksspi_ntlm_package);
	if (err) {
		ksspi_ntlm_works_free();
		kmem_cache_destroy(ksspi_ntlm_cache);
	}
	return err;
}

void ksspi_pkg_ntlm_exit(void)
{
	ksspi_package_unregister(&ksspi_ntlm_package);
	ksspi_ntlm_works_free();
	kmem_cache_destroy(ksspi_ntlm_cache);
}
