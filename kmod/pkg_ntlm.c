// SPDX-License-Identifier: GPL-2.0
/*
 * The NTLM package: per-message protection (MS-NLMP 3.4) with extended
 * session security.  The handshake runs in ksspid (Documentation/ntlm.rst),
 * which hands over the signing and sealing keys of both directions in the
 * serialized context.
 *
 * One RC4 stream per direction serves both sealing and the encryption of
 * checksums, as the specification has it.  A message that fails to verify
 * leaves the stream where it was: the check runs on a scratch copy that is
 * committed only on success, and a failed DecryptMessage restores the
 * caller's ciphertext.
 */
#include <crypto/arc4.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/md5.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "package.h"
#include "secbuf.h"
#include "serialize.h"

/* NegotiateFlags (MS-NLMP 2.2.2.5) that message protection depends on */
#define NTLMSSP_NEGOTIATE_SIGN				0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL				0x00000020u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY	0x00080000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH			0x40000000u

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
 * @rc4: the sealing handle, in mid-stream
 * @hmac: hmac(md5) keyed with @sign_key, allocated once per context
 * @have_sign_key: @sign_key was in the serialized context
 * @have_seal_key: @seal_key was in the serialized context
 * @have_rc4: @rc4 was in the serialized context
 */
struct ksspi_ntlm_dir {
	u8 sign_key[KSSPI_NTLM_KEY_LEN];
	u8 seal_key[KSSPI_NTLM_KEY_LEN];
	struct arc4_ctx rc4;
	struct crypto_shash *hmac;
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
 * @scratch: a copy of a stream under verification
 *
 * Used under the owning context's msg_lock.
 */
struct ksspi_ntlm_state {
	u32 flags;
	bool have_flags;
	struct ksspi_ntlm_dir out;
	struct ksspi_ntlm_dir in;
	struct arc4_ctx scratch;
};

static struct ksspi_ntlm_state *ksspi_ntlm_state(struct ksspi_sec_state *sec)
{
	struct ksspi_ntlm_state *st = sec->pkg_state;

	if (!st) {
		st = kzalloc(sizeof(*st), GFP_KERNEL);
		sec->pkg_state = st;
	}
	return st;
}

/* struct ksspi_ntlm_rc4 in, checked to be a permutation */
static int ksspi_ntlm_rc4_in(struct arc4_ctx *ctx, const void *value, u32 len)
{
	const struct ksspi_ntlm_rc4 *r = value;
	DECLARE_BITMAP(seen, 256);
	unsigned int i;

	if (len != sizeof(*r))
		return -EINVAL;
	bitmap_zero(seen, 256);
	for (i = 0; i < 256; i++) {
		if (test_and_set_bit(r->s[i], seen))
			return -EINVAL;
		ctx->S[i] = r->s[i];
	}
	ctx->x = r->i;
	ctx->y = r->j;
	return 0;
}

static void ksspi_ntlm_rc4_out(const struct arc4_ctx *ctx,
			       struct ksspi_ntlm_rc4 *r)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		r->s[i] = ctx->S[i];
	r->i = ctx->x;
	r->j = ctx->y;
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

static int ksspi_ntlm_dir_setup(struct ksspi_ntlm_dir *dir)
{
	int err;

	if (!dir->have_sign_key || !dir->have_seal_key)
		return -EINVAL;
	if (!dir->have_rc4) {
		err = arc4_setkey(&dir->rc4, dir->seal_key, sizeof(dir->seal_key));
		if (err)
			return err;
		dir->have_rc4 = true;
	}
	dir->hmac = crypto_alloc_shash("hmac(md5)", 0, 0);
	if (IS_ERR(dir->hmac)) {
		err = PTR_ERR(dir->hmac);
		dir->hmac = NULL;
		return err;
	}
	return crypto_shash_setkey(dir->hmac, dir->sign_key,
				   sizeof(dir->sign_key));
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
	crypto_free_shash(st->out.hmac);
	crypto_free_shash(st->in.hmac);
	kfree_sensitive(st);
	sec->pkg_state = NULL;
}

static void ksspi_ntlm_export_dir(struct ksspi_blob_writer *w,
				  const struct ksspi_ntlm_dir *dir, bool out)
{
	struct ksspi_ntlm_rc4 rc4;

	ksspi_blob_put(w, out ? KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT :
				KSSPI_CTX_REC_NTLM_SIGN_KEY_IN,
		       dir->sign_key, sizeof(dir->sign_key));
	ksspi_blob_put(w, out ? KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT :
				KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
		       dir->seal_key, sizeof(dir->seal_key));
	ksspi_ntlm_rc4_out(&dir->rc4, &rc4);
	ksspi_blob_put(w, out ? KSSPI_CTX_REC_NTLM_RC4_OUT :
				KSSPI_CTX_REC_NTLM_RC4_IN, &rc4, sizeof(rc4));
	memzero_explicit(&rc4, sizeof(rc4));
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
static int ksspi_ntlm_hmac(struct ksspi_ntlm_dir *dir, u32 seq,
			   struct ksspi_bufset *msg, u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, dir->hmac);
	__le32 seq_le = cpu_to_le32(seq);
	u32 i;
	int err;

	desc->tfm = dir->hmac;
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
	u8 digest[MD5_DIGEST_SIZE];
	u32 status;

	status = ksspi_ntlm_out_check(st, qop, tok, seal ?
				      NTLMSSP_NEGOTIATE_SEAL :
				      NTLMSSP_NEGOTIATE_SIGN |
				      NTLMSSP_NEGOTIATE_SEAL);
	if (status != SEC_E_OK)
		return status;
	if (ksspi_ntlm_hmac(&st->out, seq, msg, digest))
		return SEC_E_INTERNAL_ERROR;
	/* SEAL: the message first, then the checksum, on one stream */
	if (seal)
		ksspi_ntlm_crypt(&st->out.rc4, msg);
	ksspi_ntlm_signature(st, &st->out.rc4, digest, seq, tok->pv_buffer);
	memzero_explicit(digest, sizeof(digest));
	tok->cb_buffer = KSSPI_NTLM_SIG_LEN;
	sec->send_seq++;
	return SEC_E_OK;
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

	st->scratch = st->in.rc4;
	if (seal)
		ksspi_ntlm_crypt(&st->scratch, msg);
	if (ksspi_ntlm_hmac(&st->in, seq, msg, digest)) {
		status = SEC_E_INTERNAL_ERROR;
	} else {
		ksspi_ntlm_signature(st, &st->scratch, digest, seq, expected);
		if (crypto_memneq(expected, tok->pv_buffer, sizeof(expected)))
			status = SEC_E_MESSAGE_ALTERED;
	}

	if (status == SEC_E_OK) {
		st->in.rc4 = st->scratch;
		sec->recv_seq++;
	} else if (seal) {
		/* Give the caller its ciphertext back. */
		st->scratch = st->in.rc4;
		ksspi_ntlm_crypt(&st->scratch, msg);
	}
	memzero_explicit(&st->scratch, sizeof(st->scratch));
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

static const struct ksspi_package_ops ksspi_ntlm_ops = {
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
	.isc_req_supported = ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY |
			     ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |
			     ISC_REQ_MUTUAL_AUTH | ISC_REQ_NULL_SESSION |
			     ISC_REQ_IDENTIFY | ISC_REQ_USE_SUPPLIED_CREDS |
			     ISC_REQ_UNVERIFIED_TARGET_NAME,
	.asc_req_supported = ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY |
			     ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT |
			     ASC_REQ_MUTUAL_AUTH | ASC_REQ_ALLOW_NULL_SESSION |
			     ASC_REQ_IDENTIFY | ASC_REQ_ALLOW_MISSING_BINDINGS,
	.sizes = {
		.max_token = KSSPI_NTLM_MAX_TOKEN,
		.max_signature = KSSPI_NTLM_SIG_LEN,
		.block_size = 0,
		.security_trailer = KSSPI_NTLM_SIG_LEN,
	},
	.ops = &ksspi_ntlm_ops,
};

int ksspi_pkg_ntlm_init(void)
{
	return ksspi_package_register(&ksspi_ntlm_package);
}

void ksspi_pkg_ntlm_exit(void)
{
	ksspi_package_unregister(&ksspi_ntlm_package);
}
