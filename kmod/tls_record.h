/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS record layer of an established TLS session (RFC 5246 6.2.3.3,
 * RFC 7905, RFC 8446 5.2): one record sealed or opened at a time, on the
 * kernel crypto API, with the AEAD suites 6.1's kTLS carries.
 */
#ifndef _KSSPI_TLS_RECORD_H
#define _KSSPI_TLS_RECORD_H

#include <linux/scatterlist.h>
#include <linux/tls.h>
#include <linux/types.h>

struct crypto_aead;
struct aead_request;
struct ksspi_tls_state;

#define KSSPI_TLS_1_2			0x0303
#define KSSPI_TLS_1_3			0x0304
#define KSSPI_TLS_HEADER_LEN		5
#define KSSPI_TLS_TAG_LEN		16
#define KSSPI_TLS_EXPLICIT_NONCE_LEN	8	/* TLS 1.2 with AES-GCM */
#define KSSPI_TLS_IV_LEN		12
#define KSSPI_TLS_MAX_KEY_LEN		32
#define KSSPI_TLS_MAX_PLAINTEXT		16384	/* 2^14 */

/* ContentType */
#define KSSPI_TLS_CHANGE_CIPHER_SPEC	20
#define KSSPI_TLS_ALERT			21
#define KSSPI_TLS_HANDSHAKE		22
#define KSSPI_TLS_APPLICATION_DATA	23

/*
 * Scatterlist entries of one record: the additional data (2: it may cross a
 * page), then at most 2^14 + 2048 bytes of a record's body in pages (6), or
 * the data (5) and the trailer (2) of a record being sealed.
 */
#define KSSPI_TLS_SG_MAX		10

/**
 * struct ksspi_tls_dir - one direction of the record layer
 * @aead: gcm(aes) or rfc7539(chacha20,poly1305), keyed; allocated once
 * @req: its request, reused for every record
 * @key: the traffic key (zeroized on free)
 * @iv: the write IV: the 4-byte salt for TLS 1.2 AES-GCM (the rest zero),
 *	else the 12 bytes XORed with the sequence number
 * @seq: sequence number of the next record; U64_MAX is never used: a
 *	direction that reaches it is spent
 * @aad: the additional data of the record in hand
 * @nonce: the nonce of the record in hand
 * @sg: the record in hand
 *
 * Used under the owning context's msg_lock.  @aad and @nonce live here, not
 * on the stack, because they go into scatterlists.
 */
struct ksspi_tls_dir {
	struct crypto_aead *aead;
	struct aead_request *req;
	u8 key[KSSPI_TLS_MAX_KEY_LEN];
	u8 iv[KSSPI_TLS_IV_LEN];
	u64 seq;
	u8 aad[13];
	u8 nonce[KSSPI_TLS_IV_LEN];
	struct scatterlist sg[KSSPI_TLS_SG_MAX];
};

/**
 * struct ksspi_tls - a TLS session's record layer
 * @version: KSSPI_TLS_1_2 or KSSPI_TLS_1_3
 * @cipher: TLS_CIPHER_AES_GCM_128, TLS_CIPHER_AES_GCM_256 or
 *	TLS_CIPHER_CHACHA20_POLY1305
 * @tx: what this side sends
 * @rx: what it receives
 */
struct ksspi_tls {
	u16 version;
	u16 cipher;
	struct ksspi_tls_dir tx;
	struct ksspi_tls_dir rx;
};

/* kTLS's crypto_info of one direction, for setsockopt(SOL_TLS) */
union ksspi_tls_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 aes_gcm_128;
	struct tls12_crypto_info_aes_gcm_256 aes_gcm_256;
	struct tls12_crypto_info_chacha20_poly1305 chacha20_poly1305;
};

bool ksspi_tls_suite_valid(u16 version, u16 cipher);
int ksspi_tls_dir_load(struct ksspi_tls_dir *dir, const struct ksspi_tls *tls,
		       const struct ksspi_tls_state *st);
int ksspi_tls_dir_setup(struct ksspi_tls_dir *dir, const struct ksspi_tls *tls);
void ksspi_tls_dir_save(const struct ksspi_tls_dir *dir,
			const struct ksspi_tls *tls,
			struct ksspi_tls_state *st);
void ksspi_tls_dir_free(struct ksspi_tls_dir *dir);

u32 ksspi_tls_header_len(const struct ksspi_tls *tls);
u32 ksspi_tls_trailer_len(const struct ksspi_tls *tls);
u32 ksspi_tls_max_record_len(const struct ksspi_tls *tls);

int ksspi_tls_seal(struct ksspi_tls *tls, u8 type, u8 *header, void *data,
		   u32 len, u8 *trailer);
int ksspi_tls_open(struct ksspi_tls *tls, u8 *record, u8 *type,
		   u32 *plain_len);

unsigned int ksspi_tls_crypto_info(const struct ksspi_tls *tls,
				   const struct ksspi_tls_dir *dir,
				   union ksspi_tls_crypto_info *ci);

#endif /* _KSSPI_TLS_RECORD_H */
