/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kerberos encryption and checksums for per-message protection: the
 * simplified profile of RFC 3961 with the AES enctypes of RFC 3962, and
 * the AES-SHA2 enctypes of RFC 8009.  See Documentation/kerberos-crypto.rst.
 */
#ifndef KSSPI_KRB5_CRYPTO_H
#define KSSPI_KRB5_CRYPTO_H

#include <linux/types.h>

#define KSSPI_KRB5_AES128_CTS_HMAC_SHA1_96		17
#define KSSPI_KRB5_AES256_CTS_HMAC_SHA1_96		18
#define KSSPI_KRB5_AES128_CTS_HMAC_SHA256_128		19
#define KSSPI_KRB5_AES256_CTS_HMAC_SHA384_192		20

/* Key derivation seeds (RFC 3961 section 5.3) */
#define KSSPI_KRB5_SEED_CHECKSUM	0x99
#define KSSPI_KRB5_SEED_ENCRYPTION	0xaa
#define KSSPI_KRB5_SEED_INTEGRITY	0x55

#define KSSPI_KRB5_CONFOUNDER_LEN	16
#define KSSPI_KRB5_MAX_KEY_LEN		32
#define KSSPI_KRB5_MAX_MAC_LEN		24

struct crypto_shash;
struct crypto_sync_skcipher;

/**
 * struct ksspi_krb5_seg - one piece of a MAC's input
 * @data: its bytes (any kernel memory, vmalloc'd too)
 * @len: their length
 */
struct ksspi_krb5_seg {
	const void *data;
	unsigned int len;
};

/**
 * struct ksspi_krb5_enctype - the parameters of one enctype
 * @etype: its number (17 to 20)
 * @name: its name, as MIT krb5 spells it
 * @hmac: the kernel crypto API's name of its HMAC
 * @rfc8009: key derivation with KDF-HMAC-SHA2 and encrypt-then-MAC over
 *	the cipher state and the ciphertext (RFC 8009); otherwise DK of
 *	RFC 3961 and a MAC over the plaintext
 * @key_len: the length of the base key (and of Ke)
 * @kc_len: the length of Kc, the checksum key
 * @ki_len: the length of Ki, the integrity key of encryption
 * @mac_len: the length of checksums and of encryption's MAC (the HMAC
 *	truncated)
 */
struct ksspi_krb5_enctype {
	u32 etype;
	const char *name;
	const char *hmac;
	bool rfc8009;
	unsigned int key_len;
	unsigned int kc_len;
	unsigned int ki_len;
	unsigned int mac_len;
};

/**
 * struct ksspi_krb5_keys - the keys of one key usage, in their transforms
 * @et: the enctype
 * @ke: cts(cbc(aes)) keyed with Ke
 * @ki: the HMAC keyed with Ki
 * @kc: the HMAC keyed with Kc
 *
 * Each transform holds its key; freeing it (ksspi_krb5_keys_free())
 * zeroizes the key schedules.
 */
struct ksspi_krb5_keys {
	const struct ksspi_krb5_enctype *et;
	struct crypto_sync_skcipher *ke;
	struct crypto_shash *ki;
	struct crypto_shash *kc;
};

const struct ksspi_krb5_enctype *ksspi_krb5_find_enctype(u32 etype);
int ksspi_krb5_derive_key(const struct ksspi_krb5_enctype *et,
			  const u8 *base_key, const u8 *constant,
			  unsigned int constant_len, u8 *out,
			  unsigned int out_len);
int ksspi_krb5_keys_derive(struct ksspi_krb5_keys *keys,
			   const struct ksspi_krb5_enctype *et,
			   const u8 *base_key, u32 usage);
int ksspi_krb5_keys_set(struct ksspi_krb5_keys *keys,
			const struct ksspi_krb5_enctype *et, const u8 *ke,
			const u8 *ki, const u8 *kc);
void ksspi_krb5_keys_free(struct ksspi_krb5_keys *keys);
int ksspi_krb5_encrypt(const struct ksspi_krb5_keys *keys, u8 *buf,
		       unsigned int len);
int ksspi_krb5_decrypt(const struct ksspi_krb5_keys *keys, u8 *buf,
		       unsigned int len);
int ksspi_krb5_cipher(const struct ksspi_krb5_keys *keys, u8 *buf,
		      unsigned int len, bool encrypt);
int ksspi_krb5_integrity(const struct ksspi_krb5_keys *keys,
			 const struct ksspi_krb5_seg *segs, unsigned int nsegs,
			 u8 *mac);
int ksspi_krb5_checksum(const struct ksspi_krb5_keys *keys,
			const struct ksspi_krb5_seg *segs, unsigned int nsegs,
			u8 *mac);
int ksspi_krb5_get_mic(const struct ksspi_krb5_keys *keys, const u8 *data,
		       unsigned int len, u8 *mic);
int ksspi_krb5_verify_mic(const struct ksspi_krb5_keys *keys, const u8 *data,
			  unsigned int len, const u8 *mic);

#endif /* KSSPI_KRB5_CRYPTO_H */
