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
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "krb5_crypto.h"
#include "package.h"
#include "pkg_kerberos.h"
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

const struct ksspi_package_ops ksspi_kerberos_ops = {
	.import_record = ksspi_krb5_import_record,
	.import_finish = ksspi_krb5_import_finish,
	.export = ksspi_krb5_export,
	.free = ksspi_krb5_free,
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
