// SPDX-License-Identifier: GPL-2.0
/*
 * "KsspiTest": a package for testing the foundation, offered only when the
 * module is loaded with test_package=1.  Its handshake runs in ksspid
 * (Documentation/test-package.rst); here it signs and verifies with
 * HMAC-SHA256 over scatterlists built page by page, which exercises the
 * vmalloc-safe buffer path that real packages share.  It has no
 * confidentiality.
 */
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "package.h"
#include "secbuf.h"
#include "serialize.h"
#include "user.h"

#define KSSPI_TEST_KEY_LEN	32
#define KSSPI_TEST_SIG_VERSION	1
#define KSSPI_TEST_MAC_LEN	16
#define KSSPI_TEST_SIG_LEN	(8 + KSSPI_TEST_MAC_LEN)

/**
 * struct ksspi_test_dir - one direction's signing state
 * @key: HMAC key
 * @have_key: @key was in the serialized context
 * @tfm: hmac(sha256), allocated once per context
 * @req: its request, reused for every message
 */
struct ksspi_test_dir {
	u8 key[KSSPI_TEST_KEY_LEN];
	bool have_key;
	struct crypto_ahash *tfm;
	struct ahash_request *req;
};

/**
 * struct ksspi_test_state - the package's per-message state
 * @out: signing (MakeSignature)
 * @in: verifying (VerifySignature)
 * @seq: the sequence number being hashed (not on the stack: it goes into a
 *	scatterlist)
 * @digest: the HMAC output
 */
struct ksspi_test_state {
	struct ksspi_test_dir out;
	struct ksspi_test_dir in;
	__le32 seq;
	u8 digest[32];
};

static struct ksspi_test_state *ksspi_test_state(struct ksspi_sec_state *sec)
{
	struct ksspi_test_state *st = sec->pkg_state;

	if (!st) {
		st = kzalloc(sizeof(*st), KSSPI_GFP_CALLER);
		sec->pkg_state = st;
	}
	return st;
}

static int ksspi_test_import_record(struct ksspi_sec_state *sec, u16 type,
				    const void *value, u32 len)
{
	struct ksspi_test_state *st;
	struct ksspi_test_dir *dir;

	if (type != KSSPI_CTX_REC_TEST_SIGN_KEY_OUT &&
	    type != KSSPI_CTX_REC_TEST_SIGN_KEY_IN)
		return -ENOENT;
	st = ksspi_test_state(sec);
	if (!st)
		return -ENOMEM;
	dir = type == KSSPI_CTX_REC_TEST_SIGN_KEY_OUT ? &st->out : &st->in;
	if (dir->have_key || len != KSSPI_TEST_KEY_LEN)
		return -EINVAL;
	memcpy(dir->key, value, len);
	dir->have_key = true;
	return 0;
}

static int ksspi_test_dir_setup(struct ksspi_test_dir *dir)
{
	int err;

	/* Synchronous implementations only: no completion callbacks. */
	dir->tfm = crypto_alloc_ahash("hmac(sha256)", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(dir->tfm)) {
		err = PTR_ERR(dir->tfm);
		dir->tfm = NULL;
		return err;
	}
	err = crypto_ahash_setkey(dir->tfm, dir->key, sizeof(dir->key));
	if (err)
		return err;
	dir->req = ahash_request_alloc(dir->tfm, KSSPI_GFP_CALLER);
	return dir->req ? 0 : -ENOMEM;
}

static u32 ksspi_test_import_finish(struct ksspi_sec_state *sec)
{
	struct ksspi_test_state *st = sec->pkg_state;

	if (!st || !st->out.have_key || !st->in.have_key)
		return SEC_E_INVALID_TOKEN;
	if (ksspi_test_dir_setup(&st->out) || ksspi_test_dir_setup(&st->in))
		return SEC_E_INSUFFICIENT_MEMORY;
	return SEC_E_OK;
}

static void ksspi_test_dir_free(struct ksspi_test_dir *dir)
{
	ahash_request_free(dir->req);
	crypto_free_ahash(dir->tfm);
}

static void ksspi_test_free(struct ksspi_sec_state *sec)
{
	struct ksspi_test_state *st = sec->pkg_state;

	if (!st)
		return;
	ksspi_test_dir_free(&st->out);
	ksspi_test_dir_free(&st->in);
	kfree_sensitive(st);
	sec->pkg_state = NULL;
}

static int ksspi_test_export(const struct ksspi_sec_state *sec,
			     struct ksspi_blob_writer *w)
{
	const struct ksspi_test_state *st = sec->pkg_state;

	ksspi_blob_put(w, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, st->out.key,
		       KSSPI_TEST_KEY_LEN);
	ksspi_blob_put(w, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, st->in.key,
		       KSSPI_TEST_KEY_LEN);
	return w->err;
}

/* HMAC(key, seq || every data buffer), over a page-by-page scatterlist. */
static int ksspi_test_mac(struct ksspi_test_state *st,
			  struct ksspi_test_dir *dir, u32 seq,
			  struct ksspi_bufset *msg)
{
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned int nents;
	DECLARE_CRYPTO_WAIT(wait);
	u64 total = sizeof(st->seq);
	u32 i;
	int err;

	st->seq = cpu_to_le32(seq);
	nents = ksspi_sg_count(&st->seq, sizeof(st->seq));
	for (i = 0; i < msg->count; i++) {
		if (!ksspi_buf_is_data(&msg->bufs[i]))
			continue;
		nents += ksspi_sg_count(msg->bufs[i].pv_buffer,
					msg->bufs[i].cb_buffer);
		total += msg->bufs[i].cb_buffer;
	}
	if (total > UINT_MAX)
		return -EMSGSIZE;
	err = sg_alloc_table(&sgt, nents, KSSPI_GFP_CALLER);
	if (err)
		return err;

	sg = ksspi_sg_add(sgt.sgl, &st->seq, sizeof(st->seq));
	for (i = 0; i < msg->count; i++)
		if (ksspi_buf_is_data(&msg->bufs[i]))
			sg = ksspi_sg_add(sg, msg->bufs[i].pv_buffer,
					  msg->bufs[i].cb_buffer);

	ahash_request_set_callback(dir->req, CRYPTO_TFM_REQ_MAY_SLEEP,
				   crypto_req_done, &wait);
	ahash_request_set_crypt(dir->req, sgt.sgl, st->digest, total);
	err = crypto_wait_req(crypto_ahash_digest(dir->req), &wait);
	sg_free_table(&sgt);
	return err;
}

static u32 ksspi_test_sign(struct ksspi_sec_state *sec, u32 qop,
			   struct ksspi_bufset *msg, u32 sequence)
{
	struct ksspi_test_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	u32 seq = (u32)sec->send_seq;
	u8 *sig;

	if (qop)
		return SEC_E_QOP_NOT_SUPPORTED;
	if (!tok || ksspi_buf_readonly(tok->buffer_type))
		return SEC_E_INVALID_TOKEN;
	if (tok->cb_buffer < KSSPI_TEST_SIG_LEN)
		return SEC_E_BUFFER_TOO_SMALL;
	if (ksspi_test_mac(st, &st->out, seq, msg))
		return SEC_E_INTERNAL_ERROR;

	sig = tok->pv_buffer;
	put_unaligned_le32(KSSPI_TEST_SIG_VERSION, sig);
	put_unaligned_le32(seq, sig + 4);
	memcpy(sig + 8, st->digest, KSSPI_TEST_MAC_LEN);
	tok->cb_buffer = KSSPI_TEST_SIG_LEN;
	sec->send_seq++;
	return SEC_E_OK;
}

static u32 ksspi_test_verify(struct ksspi_sec_state *sec,
			     struct ksspi_bufset *msg, u32 sequence, u32 *qop)
{
	struct ksspi_test_state *st = sec->pkg_state;
	struct ksspi_buffer *tok = ksspi_bufset_find(msg, SECBUFFER_TOKEN);
	const u8 *sig;
	u32 seq;

	if (!tok || tok->cb_buffer != KSSPI_TEST_SIG_LEN)
		return SEC_E_INVALID_TOKEN;
	sig = tok->pv_buffer;
	if (get_unaligned_le32(sig) != KSSPI_TEST_SIG_VERSION)
		return SEC_E_INVALID_TOKEN;
	seq = get_unaligned_le32(sig + 4);
	if (ksspi_test_mac(st, &st->in, seq, msg))
		return SEC_E_INTERNAL_ERROR;
	if (crypto_memneq(st->digest, sig + 8, KSSPI_TEST_MAC_LEN))
		return SEC_E_MESSAGE_ALTERED;
	if ((sec->context_attr & (ISC_RET_SEQUENCE_DETECT | ISC_RET_REPLAY_DETECT)) &&
	    seq != (u32)sec->recv_seq)
		return SEC_E_OUT_OF_SEQUENCE;
	sec->recv_seq = (u64)seq + 1;
	*qop = 0;
	return SEC_E_OK;
}

static const struct ksspi_package_ops ksspi_test_ops = {
	.import_record = ksspi_test_import_record,
	.import_finish = ksspi_test_import_finish,
	.export = ksspi_test_export,
	.free = ksspi_test_free,
	.make_signature = ksspi_test_sign,
	.verify_signature = ksspi_test_verify,
};

static struct ksspi_package ksspi_test_package = {
	.info = {
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_CONNECTION |
				SECPKG_FLAG_MULTI_REQUIRED |
				SECPKG_FLAG_MUTUAL_AUTH,
		.version = 1,
		.rpc_id = 0xffff,	/* SECPKG_ID_NONE */
		.max_token = KSSPI_MAX_TOKEN,
		.name = "KsspiTest",
		.comment = "ksspi test package (testing only, no confidentiality)",
	},
	.sizes = {
		.max_token = KSSPI_MAX_TOKEN,
		.max_signature = KSSPI_TEST_SIG_LEN,
		.block_size = 0,
		.security_trailer = KSSPI_TEST_SIG_LEN,
	},
	.ops = &ksspi_test_ops,
};

int ksspi_pkg_test_init(void)
{
	return ksspi_package_register(&ksspi_test_package);
}

void ksspi_pkg_test_exit(void)
{
	ksspi_package_unregister(&ksspi_test_package);
}
