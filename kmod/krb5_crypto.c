// SPDX-License-Identifier: GPL-2.0
/*
 * Kerberos encryption and checksums (RFC 3961's simplified profile with
 * the AES enctypes 17 and 18 of RFC 3962, and the AES-SHA2 enctypes 19
 * and 20 of RFC 8009) on the kernel crypto API: cts(cbc(aes)) for the
 * cipher, hmac(sha1), hmac(sha256) and hmac(sha384) for key derivation
 * and MACs.  Only n-fold, the RFC 3961 function that stretches a key
 * derivation constant to a block, is written out here: it is no cipher.
 *
 * A context derives the keys of a key usage once (ksspi_krb5_keys_derive())
 * and keeps them keyed in their transforms; each message then costs one
 * cipher pass and one HMAC.  The cipher takes linear or vmalloc'd kernel
 * memory (other addresses, say module data, are refused).
 *
 * The known-answer tests are in selftests/kapi/ksspi_kapi_test.c, which is
 * why the functions are exported (in the KSSPI_INTERNAL namespace).
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/export.h>
#include <linux/lcm.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include "krb5_crypto.h"
#include "secbuf.h"

static const struct ksspi_krb5_enctype ksspi_krb5_enctypes[] = {
	{
		.etype = KSSPI_KRB5_AES128_CTS_HMAC_SHA1_96,
		.name = "aes128-cts-hmac-sha1-96",
		.hmac = "hmac(sha1)",
		.key_len = 16, .kc_len = 16, .ki_len = 16, .mac_len = 12,
	}, {
		.etype = KSSPI_KRB5_AES256_CTS_HMAC_SHA1_96,
		.name = "aes256-cts-hmac-sha1-96",
		.hmac = "hmac(sha1)",
		.key_len = 32, .kc_len = 32, .ki_len = 32, .mac_len = 12,
	}, {
		.etype = KSSPI_KRB5_AES128_CTS_HMAC_SHA256_128,
		.name = "aes128-cts-hmac-sha256-128",
		.hmac = "hmac(sha256)",
		.rfc8009 = true,
		.key_len = 16, .kc_len = 16, .ki_len = 16, .mac_len = 16,
	}, {
		.etype = KSSPI_KRB5_AES256_CTS_HMAC_SHA384_192,
		.name = "aes256-cts-hmac-sha384-192",
		.hmac = "hmac(sha384)",
		.rfc8009 = true,
		.key_len = 32, .kc_len = 24, .ki_len = 24, .mac_len = 24,
	},
};

/**
 * ksspi_krb5_find_enctype - the parameters of an enctype
 * @etype: its number
 *
 * Return: the enctype, or NULL when ksspi does not implement it.
 */
const struct ksspi_krb5_enctype *ksspi_krb5_find_enctype(u32 etype)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ksspi_krb5_enctypes); i++)
		if (ksspi_krb5_enctypes[i].etype == etype)
			return &ksspi_krb5_enctypes[i];
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_find_enctype, KSSPI_INTERNAL);

/*
 * n-fold (RFC 3961 section 5.1): @in rotated right by 13 bits per copy,
 * lcm(in_len, out_len) bytes of copies added in ones' complement, in
 * out_len-byte chunks.  Lengths in bytes.
 */
static void krb5_nfold(const u8 *in, unsigned int in_len, u8 *out,
		       unsigned int out_len)
{
	unsigned int in_bits = in_len * 8, lcm_len = lcm(in_len, out_len);
	unsigned int carry = 0, msbit, hi, lo;
	int i;

	memset(out, 0, out_len);
	for (i = lcm_len - 1; i >= 0; i--) {
		/* the most significant bit of byte i of the copies */
		msbit = (in_bits - 1 + (in_bits + 13) * (i / in_len) +
			 (in_len - i % in_len) * 8) % in_bits;
		hi = in[(in_len - 1 - msbit / 8) % in_len];
		lo = in[(in_len - msbit / 8) % in_len];
		carry += (((hi << 8) | lo) >> (msbit % 8 + 1)) & 0xff;
		carry += out[i % out_len];
		out[i % out_len] = carry & 0xff;
		carry >>= 8;
	}
	/* the end-around carry of ones' complement addition */
	for (i = out_len - 1; carry && i >= 0; i--) {
		carry += out[i];
		out[i] = carry & 0xff;
		carry >>= 8;
	}
}

/*
 * cts(cbc(aes)) with an all-zero initial cipher state, in place, on linear
 * or vmalloc'd memory (one scatterlist entry per page for the latter)
 */
static int krb5_cts(struct crypto_sync_skcipher *tfm, u8 *buf,
		    unsigned int len, bool encrypt)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, tfm);
	u8 iv[AES_BLOCK_SIZE] = {};
	struct scatterlist one, *sg = &one;
	unsigned int nents;
	int err;

	if (len < AES_BLOCK_SIZE)
		return -EINVAL;
	if (is_vmalloc_addr(buf)) {
		nents = ksspi_sg_count(buf, len);
		sg = kmalloc_array(nents, sizeof(*sg), GFP_KERNEL);
		if (!sg)
			return -ENOMEM;
		sg_init_table(sg, nents);
		ksspi_sg_add(sg, buf, len);
	} else {
		if (!virt_addr_valid(buf) || !virt_addr_valid(buf + len - 1))
			return -EFAULT;
		sg_init_one(&one, buf, len);
	}
	skcipher_request_set_sync_tfm(req, tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, sg, sg, len, iv);
	err = encrypt ? crypto_skcipher_encrypt(req) :
			crypto_skcipher_decrypt(req);
	skcipher_request_zero(req);
	if (sg != &one)
		kfree(sg);
	return err;
}

/* HMAC over @prefix then @data, truncated to @out_len bytes */
static int krb5_hmac(struct crypto_shash *tfm, const u8 *prefix,
		     unsigned int prefix_len, const u8 *data,
		     unsigned int len, u8 *out, unsigned int out_len)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 digest[HASH_MAX_DIGESTSIZE];
	int err;

	if (out_len > crypto_shash_digestsize(tfm))
		return -EINVAL;
	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err && prefix_len)
		err = crypto_shash_update(desc, prefix, prefix_len);
	if (!err)
		err = crypto_shash_update(desc, data, len);
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	if (!err)
		memcpy(out, digest, out_len);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

/*
 * RFC 8009 section 3: KDF-HMAC-SHA2(key, label, k) is the first k bits of
 * HMAC(key, 00000001 | label | 00 | k as 32 bits), the tfm keyed already.
 */
static int krb5_kdf_hmac_sha2(struct crypto_shash *tfm, const u8 *label,
			      unsigned int label_len, u8 *out,
			      unsigned int out_len)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 digest[HASH_MAX_DIGESTSIZE];
	__be32 counter = cpu_to_be32(1), bits = cpu_to_be32(out_len * 8);
	u8 zero = 0;
	int err;

	if (out_len > crypto_shash_digestsize(tfm))
		return -EINVAL;
	desc->tfm = tfm;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, (u8 *)&counter, sizeof(counter)) ?:
	      crypto_shash_update(desc, label, label_len) ?:
	      crypto_shash_update(desc, &zero, 1) ?:
	      crypto_shash_update(desc, (u8 *)&bits, sizeof(bits)) ?:
	      crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	if (!err)
		memcpy(out, digest, out_len);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

/*
 * RFC 3961 section 5.1: DK(key, constant) = random-to-key(DR(key,
 * constant)), DR the blocks E(n-fold(constant)), E(E(...)), ... of the
 * cipher without chaining; random-to-key is the identity for AES (RFC
 * 3962 section 6).  The tfm is keyed with the base key already.
 */
static int krb5_dk(struct crypto_sync_skcipher *tfm, const u8 *constant,
		   unsigned int constant_len, u8 *out, unsigned int out_len)
{
	unsigned int off;
	u8 *block;
	int err = 0;

	if (!constant_len)
		return -EINVAL;
	block = kmalloc(AES_BLOCK_SIZE, GFP_KERNEL);	/* for the sg */
	if (!block)
		return -ENOMEM;
	krb5_nfold(constant, constant_len, block, AES_BLOCK_SIZE);
	for (off = 0; off < out_len && !err; off += AES_BLOCK_SIZE) {
		/* one block: cts(cbc) with a zero IV is the bare cipher */
		err = krb5_cts(tfm, block, AES_BLOCK_SIZE, true);
		if (!err)
			memcpy(out + off, block,
			       min_t(unsigned int, out_len - off,
				     AES_BLOCK_SIZE));
	}
	kfree_sensitive(block);
	return err;
}

static int krb5_derive(const struct ksspi_krb5_enctype *et,
		       struct crypto_sync_skcipher *cipher,
		       struct crypto_shash *hmac, const u8 *constant,
		       unsigned int constant_len, u8 *out,
		       unsigned int out_len)
{
	if (et->rfc8009)
		return krb5_kdf_hmac_sha2(hmac, constant, constant_len, out,
					  out_len);
	return krb5_dk(cipher, constant, constant_len, out, out_len);
}

/**
 * ksspi_krb5_derive_key - derive a key from a base key and a constant
 * @et: the enctype
 * @base_key: @et's key_len bytes
 * @constant: the constant (RFC 3961's DK) or label (RFC 8009's KDF)
 * @constant_len: its length, not zero
 * @out: receives the key
 * @out_len: its length: at most 32 bytes
 *
 * For a key usage U the constant is U as 32 bits, big endian, then one
 * of the KSSPI_KRB5_SEED_* bytes; ksspi_krb5_keys_derive() derives all
 * three keys of a usage without allocating a transform for each.
 *
 * Return: 0, or a negative errno (the transforms missing, bad lengths).
 */
int ksspi_krb5_derive_key(const struct ksspi_krb5_enctype *et,
			  const u8 *base_key, const u8 *constant,
			  unsigned int constant_len, u8 *out,
			  unsigned int out_len)
{
	struct crypto_sync_skcipher *cipher = NULL;
	struct crypto_shash *hmac = NULL;
	int err;

	if (!et || out_len > KSSPI_KRB5_MAX_KEY_LEN)
		return -EINVAL;
	if (et->rfc8009) {
		hmac = crypto_alloc_shash(et->hmac, 0, 0);
		if (IS_ERR(hmac))
			return PTR_ERR(hmac);
		err = crypto_shash_setkey(hmac, base_key, et->key_len);
	} else {
		cipher = crypto_alloc_sync_skcipher("cts(cbc(aes))", 0, 0);
		if (IS_ERR(cipher))
			return PTR_ERR(cipher);
		err = crypto_sync_skcipher_setkey(cipher, base_key,
						  et->key_len);
	}
	if (!err)
		err = krb5_derive(et, cipher, hmac, constant, constant_len,
				  out, out_len);
	crypto_free_shash(hmac);
	crypto_free_sync_skcipher(cipher);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_derive_key, KSSPI_INTERNAL);

static int krb5_keys_alloc(struct ksspi_krb5_keys *keys,
			   const struct ksspi_krb5_enctype *et)
{
	memset(keys, 0, sizeof(*keys));
	keys->et = et;
	keys->ke = crypto_alloc_sync_skcipher("cts(cbc(aes))", 0, 0);
	if (IS_ERR(keys->ke)) {
		int err = PTR_ERR(keys->ke);

		keys->ke = NULL;
		return err;
	}
	keys->ki = crypto_alloc_shash(et->hmac, 0, 0);
	if (IS_ERR(keys->ki)) {
		int err = PTR_ERR(keys->ki);

		keys->ki = NULL;
		ksspi_krb5_keys_free(keys);
		return err;
	}
	keys->kc = crypto_alloc_shash(et->hmac, 0, 0);
	if (IS_ERR(keys->kc)) {
		int err = PTR_ERR(keys->kc);

		keys->kc = NULL;
		ksspi_krb5_keys_free(keys);
		return err;
	}
	return 0;
}

static int krb5_keys_setkeys(struct ksspi_krb5_keys *keys, const u8 *ke,
			     const u8 *ki, const u8 *kc)
{
	const struct ksspi_krb5_enctype *et = keys->et;

	return crypto_sync_skcipher_setkey(keys->ke, ke, et->key_len) ?:
	       crypto_shash_setkey(keys->ki, ki, et->ki_len) ?:
	       crypto_shash_setkey(keys->kc, kc, et->kc_len);
}

/**
 * ksspi_krb5_keys_derive - derive the keys of a key usage, once
 * @keys: receives Ke, Ki and Kc in their transforms
 * @et: the enctype
 * @base_key: @et's key_len bytes (the session key or a subkey)
 * @usage: the key usage number (RFC 4121's 22 to 25, say)
 *
 * Free @keys with ksspi_krb5_keys_free(), also when this fails.
 *
 * Return: 0, or a negative errno.
 */
int ksspi_krb5_keys_derive(struct ksspi_krb5_keys *keys,
			   const struct ksspi_krb5_enctype *et,
			   const u8 *base_key, u32 usage)
{
	u8 constant[5];
	u8 *derived;	/* Ke, Ki, Kc */
	unsigned int i;
	int err;
	static const u8 seeds[3] = { KSSPI_KRB5_SEED_ENCRYPTION,
				     KSSPI_KRB5_SEED_INTEGRITY,
				     KSSPI_KRB5_SEED_CHECKSUM };
	unsigned int lens[3];

	memset(keys, 0, sizeof(*keys));
	if (!et)
		return -EINVAL;
	err = krb5_keys_alloc(keys, et);
	if (err)
		return err;
	derived = kmalloc(3 * KSSPI_KRB5_MAX_KEY_LEN, GFP_KERNEL);
	if (!derived)
		return -ENOMEM;
	lens[0] = et->key_len;
	lens[1] = et->ki_len;
	lens[2] = et->kc_len;
	/* the base key goes where the derivation needs it: Ke's or Ki's tfm */
	if (et->rfc8009)
		err = crypto_shash_setkey(keys->ki, base_key, et->key_len);
	else
		err = crypto_sync_skcipher_setkey(keys->ke, base_key,
						  et->key_len);
	put_unaligned_be32(usage, constant);
	for (i = 0; i < 3 && !err; i++) {
		constant[4] = seeds[i];
		err = krb5_derive(et, keys->ke, keys->ki, constant,
				  sizeof(constant),
				  derived + i * KSSPI_KRB5_MAX_KEY_LEN, lens[i]);
	}
	if (!err)
		err = krb5_keys_setkeys(keys, derived,
					derived + KSSPI_KRB5_MAX_KEY_LEN,
					derived + 2 * KSSPI_KRB5_MAX_KEY_LEN);
	kfree_sensitive(derived);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_keys_derive, KSSPI_INTERNAL);

/**
 * ksspi_krb5_keys_set - key the transforms with keys derived already
 * @keys: receives the keys
 * @et: the enctype
 * @ke: Ke, @et's key_len bytes
 * @ki: Ki, @et's ki_len bytes
 * @kc: Kc, @et's kc_len bytes
 *
 * Free @keys with ksspi_krb5_keys_free(), also when this fails.
 *
 * Return: 0, or a negative errno.
 */
int ksspi_krb5_keys_set(struct ksspi_krb5_keys *keys,
			const struct ksspi_krb5_enctype *et, const u8 *ke,
			const u8 *ki, const u8 *kc)
{
	int err;

	memset(keys, 0, sizeof(*keys));
	if (!et)
		return -EINVAL;
	err = krb5_keys_alloc(keys, et);
	return err ?: krb5_keys_setkeys(keys, ke, ki, kc);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_keys_set, KSSPI_INTERNAL);

/**
 * ksspi_krb5_keys_free - free the transforms, zeroizing the keys
 * @keys: the keys; may be zeroed or half set up
 */
void ksspi_krb5_keys_free(struct ksspi_krb5_keys *keys)
{
	crypto_free_sync_skcipher(keys->ke);
	crypto_free_shash(keys->ki);
	crypto_free_shash(keys->kc);
	memset(keys, 0, sizeof(*keys));
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_keys_free, KSSPI_INTERNAL);

/**
 * ksspi_krb5_encrypt - encrypt in place and append the MAC
 * @keys: the usage's keys
 * @buf: the confounder (KSSPI_KRB5_CONFOUNDER_LEN random bytes the caller
 *	drew with get_random_bytes()), then the plaintext, then room for
 *	the MAC (@keys->et->mac_len bytes); linear kernel memory
 * @len: the length of confounder and plaintext
 *
 * RFC 3961 section 5.3 (enctypes 17, 18): the MAC is HMAC(Ki, confounder |
 * plaintext); RFC 8009 section 5 (19, 20): HMAC(Ki, IV | ciphertext) with
 * the all-zero IV.  Either way the ciphertext is cts(cbc(aes)) of
 * confounder and plaintext under Ke, and the MAC follows it.
 *
 * Return: 0, or a negative errno (@len shorter than the confounder).
 */
int ksspi_krb5_encrypt(const struct ksspi_krb5_keys *keys, u8 *buf,
		       unsigned int len)
{
	static const u8 zero_iv[AES_BLOCK_SIZE];
	const struct ksspi_krb5_enctype *et = keys->et;
	int err;

	if (len < KSSPI_KRB5_CONFOUNDER_LEN)
		return -EINVAL;
	if (et->rfc8009)
		return krb5_cts(keys->ke, buf, len, true) ?:
		       krb5_hmac(keys->ki, zero_iv, sizeof(zero_iv), buf, len,
				 buf + len, et->mac_len);
	err = krb5_hmac(keys->ki, NULL, 0, buf, len, buf + len, et->mac_len);
	return err ?: krb5_cts(keys->ke, buf, len, true);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_encrypt, KSSPI_INTERNAL);

/**
 * ksspi_krb5_decrypt - check the MAC and decrypt in place
 * @keys: the usage's keys
 * @buf: ciphertext then MAC, as ksspi_krb5_encrypt() made them; linear
 *	kernel memory
 * @len: their length
 *
 * On success @buf holds the confounder and the plaintext.  A MAC that does
 * not match (compared in constant time) leaves no plaintext behind: for
 * enctypes 19 and 20 nothing is decrypted, for 17 and 18 (whose MAC is
 * over the plaintext) the decrypted bytes are wiped.
 *
 * Return: the length of confounder and plaintext; -EBADMSG when the MAC
 * does not match, -EINVAL when @len is too short, or another errno.
 */
int ksspi_krb5_decrypt(const struct ksspi_krb5_keys *keys, u8 *buf,
		       unsigned int len)
{
	static const u8 zero_iv[AES_BLOCK_SIZE];
	const struct ksspi_krb5_enctype *et = keys->et;
	u8 mac[KSSPI_KRB5_MAX_MAC_LEN];
	unsigned int clen;
	int err;

	if (len < KSSPI_KRB5_CONFOUNDER_LEN + et->mac_len)
		return -EINVAL;
	clen = len - et->mac_len;
	if (et->rfc8009) {
		err = krb5_hmac(keys->ki, zero_iv, sizeof(zero_iv), buf, clen,
				mac, et->mac_len);
		if (!err && crypto_memneq(mac, buf + clen, et->mac_len))
			err = -EBADMSG;
		if (!err)
			err = krb5_cts(keys->ke, buf, clen, false);
	} else {
		err = krb5_cts(keys->ke, buf, clen, false);
		if (!err)
			err = krb5_hmac(keys->ki, NULL, 0, buf, clen, mac,
					et->mac_len);
		if (!err && crypto_memneq(mac, buf + clen, et->mac_len))
			err = -EBADMSG;
		if (err)
			memzero_explicit(buf, clen);
	}
	memzero_explicit(mac, sizeof(mac));
	return err ?: clen;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_decrypt, KSSPI_INTERNAL);

/**
 * ksspi_krb5_cipher - the bare cipher of encryption, in place
 * @keys: the usage's keys
 * @buf: linear or vmalloc'd kernel memory
 * @len: its length, at least one block
 * @encrypt: encrypt, else decrypt
 *
 * cts(cbc(aes)) under Ke with the all-zero initial cipher state: for a
 * caller that computes the MAC of RFC 3961 or RFC 8009 itself, over
 * pieces (ksspi_krb5_integrity()), as RFC 4121 tokens over several
 * buffers need.
 *
 * Return: 0, or a negative errno.
 */
int ksspi_krb5_cipher(const struct ksspi_krb5_keys *keys, u8 *buf,
		      unsigned int len, bool encrypt)
{
	return krb5_cts(keys->ke, buf, len, encrypt);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_cipher, KSSPI_INTERNAL);

/* HMAC over the pieces, truncated to the enctype's MAC length */
static int krb5_hmac_segs(struct crypto_shash *tfm, unsigned int mac_len,
			  const struct ksspi_krb5_seg *segs,
			  unsigned int nsegs, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 digest[HASH_MAX_DIGESTSIZE];
	unsigned int i;
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	for (i = 0; !err && i < nsegs; i++)
		if (segs[i].len)
			err = crypto_shash_update(desc, segs[i].data,
						  segs[i].len);
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	if (!err)
		memcpy(out, digest, mac_len);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

/**
 * ksspi_krb5_integrity - the MAC of encryption over pieces
 * @keys: the usage's keys
 * @segs: the MAC's input, in order: for enctypes 17 and 18 confounder and
 *	plaintext, for 19 and 20 the cipher state and the ciphertext
 * @nsegs: how many
 * @mac: receives @keys->et->mac_len bytes: HMAC(Ki, ...) truncated
 *
 * Return: 0, or a negative errno.
 */
int ksspi_krb5_integrity(const struct ksspi_krb5_keys *keys,
			 const struct ksspi_krb5_seg *segs, unsigned int nsegs,
			 u8 *mac)
{
	return krb5_hmac_segs(keys->ki, keys->et->mac_len, segs, nsegs, mac);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_integrity, KSSPI_INTERNAL);

/**
 * ksspi_krb5_checksum - the checksum of a message in pieces
 * @keys: the usage's keys
 * @segs: the pieces, in order
 * @nsegs: how many
 * @mac: receives @keys->et->mac_len bytes: HMAC(Kc, ...) truncated
 *
 * Return: 0, or a negative errno.
 */
int ksspi_krb5_checksum(const struct ksspi_krb5_keys *keys,
			const struct ksspi_krb5_seg *segs, unsigned int nsegs,
			u8 *mac)
{
	return krb5_hmac_segs(keys->kc, keys->et->mac_len, segs, nsegs, mac);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_checksum, KSSPI_INTERNAL);

/**
 * ksspi_krb5_get_mic - the checksum of a message
 * @keys: the usage's keys
 * @data: the message
 * @len: its length
 * @mic: receives @keys->et->mac_len bytes: HMAC(Kc, @data) truncated
 *
 * Return: 0, or a negative errno.
 */
int ksspi_krb5_get_mic(const struct ksspi_krb5_keys *keys, const u8 *data,
		       unsigned int len, u8 *mic)
{
	return krb5_hmac(keys->kc, NULL, 0, data, len, mic,
			 keys->et->mac_len);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_get_mic, KSSPI_INTERNAL);

/**
 * ksspi_krb5_verify_mic - check the checksum of a message
 * @keys: the usage's keys
 * @data: the message
 * @len: its length
 * @mic: the @keys->et->mac_len bytes to check, compared in constant time
 *
 * Return: 0 when they match, -EBADMSG when not, or another errno.
 */
int ksspi_krb5_verify_mic(const struct ksspi_krb5_keys *keys, const u8 *data,
			  unsigned int len, const u8 *mic)
{
	u8 expected[KSSPI_KRB5_MAX_MAC_LEN];
	int err;

	err = ksspi_krb5_get_mic(keys, data, len, expected);
	if (!err && crypto_memneq(expected, mic, keys->et->mac_len))
		err = -EBADMSG;
	memzero_explicit(expected, sizeof(expected));
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_verify_mic, KSSPI_INTERNAL);
