// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS record layer (Documentation/credssp-records.rst).
 *
 * TLS 1.2, AES-GCM (RFC 5288): the record carries an 8-byte explicit
 * nonce, which is the sequence number (as GnuTLS and kTLS send it); the
 * nonce is salt || explicit nonce.  TLS 1.2, ChaCha20-Poly1305 (RFC 7905)
 * and TLS 1.3 (RFC 8446 5.3): the nonce is the IV XORed with the sequence
 * number, and nothing of it travels.  The additional data is seq || type ||
 * version || plaintext length in TLS 1.2, the record header in TLS 1.3,
 * whose plaintext ends with the real content type (and, on reception,
 * possibly zero padding).
 *
 * A record is sealed and opened in place, over scatterlists built page by
 * page, so the caller's buffers may be vmalloc'd.  The transforms are
 * allocated once per direction, when a context is imported.
 */
#include <crypto/aead.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "secbuf.h"
#include "tls_record.h"
#include "user.h"

static u32 ksspi_tls_key_len(u16 cipher)
{
	return cipher == TLS_CIPHER_AES_GCM_128 ? 16 : 32;
}

static bool ksspi_tls_explicit_nonce(const struct ksspi_tls *tls)
{
	return tls->version == KSSPI_TLS_1_2 &&
	       tls->cipher != TLS_CIPHER_CHACHA20_POLY1305;
}

/**
 * ksspi_tls_suite_valid - a version and cipher 6.1's kTLS carries
 * @version: KSSPI_TLS_1_2 or KSSPI_TLS_1_3
 * @cipher: a TLS_CIPHER_* number
 *
 * Return: whether the pair is one this record layer implements.
 */
bool ksspi_tls_suite_valid(u16 version, u16 cipher)
{
	if (version != KSSPI_TLS_1_2 && version != KSSPI_TLS_1_3)
		return false;
	return cipher == TLS_CIPHER_AES_GCM_128 ||
	       cipher == TLS_CIPHER_AES_GCM_256 ||
	       cipher == TLS_CIPHER_CHACHA20_POLY1305;
}

/**
 * ksspi_tls_dir_load - take one direction's serialized state
 * @dir: the direction (no transform yet)
 * @tls: its session; version and cipher are known and valid
 * @st: the serialized state
 *
 * Bytes the suite does not use (the key's second half for AES-128-GCM,
 * iv[4..11] for TLS 1.2 AES-GCM) and the reserved bytes must be zero.
 *
 * Return: 0 or -EINVAL.
 */
int ksspi_tls_dir_load(struct ksspi_tls_dir *dir, const struct ksspi_tls *tls,
		       const struct ksspi_tls_state *st)
{
	u32 key_len = ksspi_tls_key_len(tls->cipher);

	if (memchr_inv(st->reserved, 0, sizeof(st->reserved)) ||
	    memchr_inv(st->key + key_len, 0, sizeof(st->key) - key_len))
		return -EINVAL;
	if (ksspi_tls_explicit_nonce(tls) &&
	    memchr_inv(st->iv + 4, 0, sizeof(st->iv) - 4))
		return -EINVAL;
	memcpy(dir->key, st->key, sizeof(dir->key));
	memcpy(dir->iv, st->iv, sizeof(dir->iv));
	dir->seq = le64_to_cpu(st->seq);
	return 0;
}

/**
 * ksspi_tls_dir_setup - allocate and key a direction's transform
 * @dir: the direction, loaded
 * @tls: its session
 *
 * Return: 0, -ENOMEM, or the crypto API's error (-ENOENT: no such
 * algorithm).
 */
int ksspi_tls_dir_setup(struct ksspi_tls_dir *dir, const struct ksspi_tls *tls)
{
	const char *alg = tls->cipher == TLS_CIPHER_CHACHA20_POLY1305 ?
			  "rfc7539(chacha20,poly1305)" : "gcm(aes)";
	int err;

	dir->aead = crypto_alloc_aead(alg, 0, 0);
	if (IS_ERR(dir->aead)) {
		err = PTR_ERR(dir->aead);
		dir->aead = NULL;
		return err;
	}
	err = crypto_aead_setkey(dir->aead, dir->key,
				 ksspi_tls_key_len(tls->cipher)) ?:
	      crypto_aead_setauthsize(dir->aead, KSSPI_TLS_TAG_LEN);
	if (err)
		return err;
	dir->req = aead_request_alloc(dir->aead, KSSPI_GFP_CALLER);
	return dir->req ? 0 : -ENOMEM;
}

/**
 * ksspi_tls_dir_save - one direction's state, for export or kTLS
 * @dir: the direction
 * @tls: its session
 * @st: receives the state as it is now (the next sequence number)
 */
void ksspi_tls_dir_save(const struct ksspi_tls_dir *dir,
			const struct ksspi_tls *tls, struct ksspi_tls_state *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->key, dir->key, ksspi_tls_key_len(tls->cipher));
	memcpy(st->iv, dir->iv, sizeof(st->iv));
	st->seq = cpu_to_le64(dir->seq);
}

/**
 * ksspi_tls_dir_free - release a direction, zeroizing its keys
 * @dir: the direction (its transform may be missing)
 */
void ksspi_tls_dir_free(struct ksspi_tls_dir *dir)
{
	aead_request_free(dir->req);	/* kfree_sensitive() */
	crypto_free_aead(dir->aead);	/* zeroizes the key schedule */
	memzero_explicit(dir, sizeof(*dir));
}

/**
 * ksspi_tls_header_len - bytes before a record's encrypted data
 * @tls: the session
 *
 * Return: 5, or 13 with TLS 1.2 AES-GCM's explicit nonce.
 */
u32 ksspi_tls_header_len(const struct ksspi_tls *tls)
{
	return KSSPI_TLS_HEADER_LEN +
	       (ksspi_tls_explicit_nonce(tls) ? KSSPI_TLS_EXPLICIT_NONCE_LEN : 0);
}

/**
 * ksspi_tls_trailer_len - bytes after the data of a record this side seals
 * @tls: the session
 *
 * Return: the tag, and in TLS 1.3 the content type before it (no padding is
 * sent).
 */
u32 ksspi_tls_trailer_len(const struct ksspi_tls *tls)
{
	return KSSPI_TLS_TAG_LEN + (tls->version == KSSPI_TLS_1_3 ? 1 : 0);
}

/**
 * ksspi_tls_max_record_len - the largest length field a peer may send
 * @tls: the session
 *
 * Return: 2^14 + 256 in TLS 1.3 (RFC 8446 5.2), 2^14 + 2048 in TLS 1.2
 * (RFC 5246 6.2.3).
 */
u32 ksspi_tls_max_record_len(const struct ksspi_tls *tls)
{
	return KSSPI_TLS_MAX_PLAINTEXT +
	       (tls->version == KSSPI_TLS_1_3 ? 256 : 2048);
}

/* The per-record nonce; TLS 1.2 AES-GCM takes its explicit part as given */
static void ksspi_tls_nonce(const struct ksspi_tls *tls,
			    struct ksspi_tls_dir *dir, const u8 *explicit)
{
	u8 seq[8];
	int i;

	memcpy(dir->nonce, dir->iv, sizeof(dir->nonce));
	if (ksspi_tls_explicit_nonce(tls)) {
		memcpy(dir->nonce + 4, explicit, KSSPI_TLS_EXPLICIT_NONCE_LEN);
		return;
	}
	put_unaligned_be64(dir->seq, seq);
	for (i = 0; i < 8; i++)
		dir->nonce[4 + i] ^= seq[i];
}

/* The additional data; returns its length */
static u32 ksspi_tls_aad(const struct ksspi_tls *tls, struct ksspi_tls_dir *dir,
			 const u8 *header, u32 plain_len)
{
	if (tls->version == KSSPI_TLS_1_3) {
		memcpy(dir->aad, header, KSSPI_TLS_HEADER_LEN);
		return KSSPI_TLS_HEADER_LEN;
	}
	put_unaligned_be64(dir->seq, dir->aad);
	dir->aad[8] = header[0];
	dir->aad[9] = header[1];
	dir->aad[10] = header[2];
	put_unaligned_be16(plain_len, dir->aad + 11);
	return 13;
}

static int ksspi_tls_crypt(struct ksspi_tls_dir *dir, u32 aad_len,
			   u32 crypt_len, bool encrypt)
{
	DECLARE_CRYPTO_WAIT(wait);

	aead_request_set_callback(dir->req, CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(dir->req, aad_len);
	aead_request_set_crypt(dir->req, dir->sg, dir->sg, crypt_len,
			       dir->nonce);
	return crypto_wait_req(encrypt ? crypto_aead_encrypt(dir->req) :
					 crypto_aead_decrypt(dir->req), &wait);
}

/**
 * ksspi_tls_seal - protect one record in place
 * @tls: the session
 * @type: the content type
 * @header: receives the header (ksspi_tls_header_len() bytes)
 * @data: the plaintext, encrypted in place (may be NULL when @len is 0)
 * @len: its length, at most 2^14
 * @trailer: receives the trailer (ksspi_tls_trailer_len() bytes)
 *
 * The record is header | @data | trailer.  The send sequence number
 * advances on success only.
 *
 * Return: 0, -EMSGSIZE (@len too long), -EOVERFLOW (the sequence numbers
 * are spent) or the crypto API's error.
 */
int ksspi_tls_seal(struct ksspi_tls *tls, u8 type, u8 *header, void *data,
		   u32 len, u8 *trailer)
{
	struct ksspi_tls_dir *dir = &tls->tx;
	bool tls13 = tls->version == KSSPI_TLS_1_3;
	u32 hdr_len = ksspi_tls_header_len(tls);
	u32 trl_len = ksspi_tls_trailer_len(tls);
	u32 crypt_len = len + (tls13 ? 1 : 0);
	struct scatterlist *sg;
	u32 aad_len;
	int err;

	if (len > KSSPI_TLS_MAX_PLAINTEXT)
		return -EMSGSIZE;
	if (dir->seq == U64_MAX)
		return -EOVERFLOW;

	header[0] = tls13 ? KSSPI_TLS_APPLICATION_DATA : type;
	put_unaligned_be16(KSSPI_TLS_1_2, header + 1);
	put_unaligned_be16(hdr_len - KSSPI_TLS_HEADER_LEN + len + trl_len,
			   header + 3);
	if (ksspi_tls_explicit_nonce(tls))
		put_unaligned_be64(dir->seq, header + KSSPI_TLS_HEADER_LEN);
	ksspi_tls_nonce(tls, dir, header + KSSPI_TLS_HEADER_LEN);
	aad_len = ksspi_tls_aad(tls, dir, header, len);
	if (tls13)
		trailer[0] = type;

	sg_init_table(dir->sg, ksspi_sg_count(dir->aad, aad_len) +
			       ksspi_sg_count(data, len) +
			       ksspi_sg_count(trailer, trl_len));
	sg = ksspi_sg_add(dir->sg, dir->aad, aad_len);
	sg = ksspi_sg_add(sg, data, len);
	ksspi_sg_add(sg, trailer, trl_len);

	err = ksspi_tls_crypt(dir, aad_len, crypt_len, true);
	if (!err)
		dir->seq++;
	return err;
}

/**
 * ksspi_tls_open - check and decrypt one record in place
 * @tls: the session
 * @record: the whole record: its header (whose length field the caller
 *	has checked against ksspi_tls_max_record_len() and the bytes it
 *	has), then that many bytes
 * @type: receives the content type (TLS 1.3: the inner one)
 * @plain_len: receives the plaintext's length; the plaintext starts
 *	ksspi_tls_header_len() bytes into @record
 *
 * The receive sequence number advances once the record authenticated.  A
 * record that does not authenticate leaves the sequence number alone and
 * its body zeroed: the AEAD may have decrypted before it checked the tag,
 * and unauthenticated plaintext is never handed out.
 *
 * Return: 0; -EBADMSG (the record does not authenticate, or is too short
 * to); -EPROTO (TLS 1.3: no content type) or -EMSGSIZE (plaintext over
 * 2^14) after the record authenticated; -EOVERFLOW (the sequence numbers
 * are spent); or the crypto API's error.
 */
int ksspi_tls_open(struct ksspi_tls *tls, u8 *record, u8 *type, u32 *plain_len)
{
	struct ksspi_tls_dir *dir = &tls->rx;
	bool tls13 = tls->version == KSSPI_TLS_1_3;
	u32 hdr_len = ksspi_tls_header_len(tls);
	u32 len = get_unaligned_be16(record + 3);
	u32 body_len, aad_len, n;
	u8 *body = record + hdr_len;
	int err;

	if (dir->seq == U64_MAX)
		return -EOVERFLOW;
	if (len < hdr_len - KSSPI_TLS_HEADER_LEN + KSSPI_TLS_TAG_LEN +
		  (tls13 ? 1 : 0))
		return -EBADMSG;
	body_len = len - (hdr_len - KSSPI_TLS_HEADER_LEN);

	ksspi_tls_nonce(tls, dir, record + KSSPI_TLS_HEADER_LEN);
	aad_len = ksspi_tls_aad(tls, dir, record,
				body_len - KSSPI_TLS_TAG_LEN);
	sg_init_table(dir->sg, ksspi_sg_count(dir->aad, aad_len) +
			       ksspi_sg_count(body, body_len));
	ksspi_sg_add(ksspi_sg_add(dir->sg, dir->aad, aad_len), body, body_len);

	err = ksspi_tls_crypt(dir, aad_len, body_len, false);
	if (err) {
		memzero_explicit(body, body_len);
		return err;
	}
	dir->seq++;

	n = body_len - KSSPI_TLS_TAG_LEN;
	if (tls13) {
		/* TLSInnerPlaintext: content, type, zeros */
		while (n && !body[n - 1])
			n--;
		if (!n)
			return -EPROTO;
		*type = body[--n];
	} else {
		*type = record[0];
	}
	if (n > KSSPI_TLS_MAX_PLAINTEXT)
		return -EMSGSIZE;
	*plain_len = n;
	return 0;
}

/**
 * ksspi_tls_crypto_info - a direction's state in kTLS's terms
 * @tls: the session
 * @dir: the direction, with its next sequence number
 * @ci: receives the crypto_info (it holds the key: zeroize it after use)
 *
 * rec_seq is the next sequence number.  TLS 1.2 AES-GCM: salt is the
 * implicit part of the nonce and iv the next explicit nonce, which kTLS
 * increments with each record as this layer does (it is the sequence
 * number).  TLS 1.3 AES-GCM: salt || iv is the 12-byte IV.  ChaCha20-Poly1305
 * has no salt: iv is the 12-byte IV.
 *
 * Return: the size of the crypto_info to pass to setsockopt().
 */
unsigned int ksspi_tls_crypto_info(const struct ksspi_tls *tls,
				   const struct ksspi_tls_dir *dir,
				   union ksspi_tls_crypto_info *ci)
{
	u8 seq[8];

	memset(ci, 0, sizeof(*ci));
	ci->info.version = tls->version;
	ci->info.cipher_type = tls->cipher;
	put_unaligned_be64(dir->seq, seq);

	switch (tls->cipher) {
	case TLS_CIPHER_AES_GCM_128: {
		struct tls12_crypto_info_aes_gcm_128 *c = &ci->aes_gcm_128;

		memcpy(c->key, dir->key, sizeof(c->key));
		memcpy(c->salt, dir->iv, sizeof(c->salt));
		memcpy(c->iv, tls->version == KSSPI_TLS_1_3 ? dir->iv + 4 : seq,
		       sizeof(c->iv));
		memcpy(c->rec_seq, seq, sizeof(c->rec_seq));
		return sizeof(*c);
	}
	case TLS_CIPHER_AES_GCM_256: {
		struct tls12_crypto_info_aes_gcm_256 *c = &ci->aes_gcm_256;

		memcpy(c->key, dir->key, sizeof(c->key));
		memcpy(c->salt, dir->iv, sizeof(c->salt));
		memcpy(c->iv, tls->version == KSSPI_TLS_1_3 ? dir->iv + 4 : seq,
		       sizeof(c->iv));
		memcpy(c->rec_seq, seq, sizeof(c->rec_seq));
		return sizeof(*c);
	}
	default: {
		struct tls12_crypto_info_chacha20_poly1305 *c =
			&ci->chacha20_poly1305;

		memcpy(c->key, dir->key, sizeof(c->key));
		memcpy(c->iv, dir->iv, sizeof(c->iv));
		memcpy(c->rec_seq, seq, sizeof(c->rec_seq));
		return sizeof(*c);
	}
	}
}
