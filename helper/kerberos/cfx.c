// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RFC 4121 tokens of an established Kerberos context, in ksspid: what
 * SPNEGO's mechListMIC (MIC tokens) and CredSSP's pubKeyAuth and authInfo
 * (sealed Wrap tokens) need before the context goes to the kernel, or
 * when it never does (CredSSP's inner context).  The context is read back
 * from the blob establish() wrote; checksums and encryption are MIT's
 * (krb5_c_make_checksum() with the enctype's mandatory checksum type,
 * krb5_c_encrypt()), never ours.  The kernel's per-message code makes the
 * same tokens.
 *
 *	MIC:  04 04 | Flags | ff ff ff ff ff | SND_SEQ (be64) | checksum
 *	      checksum over (message | the 16 header bytes)
 *	Wrap: 05 04 | Flags | ff | EC (be16) | RRC (be16) | SND_SEQ (be64) |
 *	      encrypt(message | EC filler bytes | header with RRC 0),
 *	      rotated right by RRC
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <krb5/krb5.h>
#include <nettle/memops.h>

#include <linux/ksspi_context.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"

#define CFX_HEADER_LEN		16
#define CFX_FLAG_SENT_BY_ACCEPTOR	0x01
#define CFX_FLAG_SEALED			0x02
#define CFX_FLAG_ACCEPTOR_SUBKEY	0x04

/* RFC 4121 2: key usages */
#define KG_USAGE_ACCEPTOR_SEAL	22
#define KG_USAGE_ACCEPTOR_SIGN	23
#define KG_USAGE_INITIATOR_SEAL	24
#define KG_USAGE_INITIATOR_SIGN	25

struct krb5_inner {
	krb5_context kctx;
	krb5_keyblock key;
	uint8_t key_data[32];
	bool initiator;
	bool acceptor_subkey;
	uint64_t send_seq;
	uint64_t recv_seq;
	/* how many tokens each way since the blob was written */
	uint64_t sent;
	uint64_t received;
};

static bool blob_le(const struct bytes *blob, uint16_t type, uint32_t len,
		    uint64_t *value)
{
	const uint8_t *v;
	uint32_t found, i;

	if (ctxblob_find(blob->data, blob->len, type, &v, &found) ||
	    found != len)
		return false;
	*value = 0;
	for (i = 0; i < len; i++)
		*value |= (uint64_t)v[i] << (8 * i);
	return true;
}

void *kerberos_inner_new(const struct bytes *blob)
{
	const struct ksspi_ctx_header *hdr = (const void *)blob->data;
	uint64_t enctype, info;
	const uint8_t *key;
	struct krb5_inner *inner;
	uint32_t key_len;

	if (blob->len < sizeof(*hdr) ||
	    !blob_le(blob, KSSPI_CTX_REC_KRB5_ENCTYPE, 4, &enctype) ||
	    !blob_le(blob, KSSPI_CTX_REC_KRB5_INFO, 4, &info) ||
	    ctxblob_find(blob->data, blob->len, KSSPI_CTX_REC_KRB5_KEY, &key,
			 &key_len) ||
	    key_len > sizeof(inner->key_data))
		return NULL;
	inner = calloc(1, sizeof(*inner));
	if (!inner)
		return NULL;
	if (!blob_le(blob, KSSPI_CTX_REC_SEND_SEQ, 8, &inner->send_seq) ||
	    !blob_le(blob, KSSPI_CTX_REC_RECV_SEQ, 8, &inner->recv_seq) ||
	    krb5_init_context(&inner->kctx)) {
		free(inner);
		return NULL;
	}
	memcpy(inner->key_data, key, key_len);
	inner->key.enctype = (krb5_enctype)enctype;
	inner->key.length = key_len;
	inner->key.contents = inner->key_data;
	inner->initiator = le32toh(hdr->flags) & KSSPI_CTX_F_INITIATOR;
	inner->acceptor_subkey = info & KSSPI_KRB5_F_ACCEPTOR_SUBKEY;
	return inner;
}

void kerberos_inner_free(void *opaque)
{
	struct krb5_inner *inner = opaque;

	if (!inner)
		return;
	krb5_free_context(inner->kctx);
	explicit_bzero(inner, sizeof(*inner));
	free(inner);
}

static void mic_header(const struct krb5_inner *inner, bool by_acceptor,
		       uint64_t seq, uint8_t hdr[CFX_HEADER_LEN])
{
	uint64_t be_seq = htobe64(seq);

	hdr[0] = 0x04;
	hdr[1] = 0x04;
	hdr[2] = (by_acceptor ? CFX_FLAG_SENT_BY_ACCEPTOR : 0) |
		 (inner->acceptor_subkey ? CFX_FLAG_ACCEPTOR_SUBKEY : 0);
	memset(hdr + 3, 0xff, 5);
	memcpy(hdr + 8, &be_seq, sizeof(be_seq));
}

/* The checksum of @msg and @hdr as @by_acceptor would compute it. */
static int mic_checksum(struct krb5_inner *inner, bool by_acceptor,
			const uint8_t *msg, size_t len,
			const uint8_t hdr[CFX_HEADER_LEN], krb5_checksum *out)
{
	krb5_data data;
	uint8_t *buf;
	int err;

	if (len > SIZE_MAX - CFX_HEADER_LEN || len + CFX_HEADER_LEN > UINT32_MAX)
		return -EINVAL;
	buf = malloc(len + CFX_HEADER_LEN);
	if (!buf)
		return -ENOMEM;
	if (len)
		memcpy(buf, msg, len);
	memcpy(buf + len, hdr, CFX_HEADER_LEN);
	data.magic = KV5M_DATA;
	data.data = (char *)buf;
	data.length = (unsigned int)(len + CFX_HEADER_LEN);
	err = krb5_c_make_checksum(inner->kctx, 0, &inner->key,
				   by_acceptor ? KG_USAGE_ACCEPTOR_SIGN :
						 KG_USAGE_INITIATOR_SIGN,
				   &data, out) ? -ENOMEM : 0;
	free(buf);
	return err;
}

int kerberos_inner_sign(void *opaque, const uint8_t *msg, size_t len,
			struct bytes *out)
{
	struct krb5_inner *inner = opaque;
	uint8_t hdr[CFX_HEADER_LEN];
	krb5_checksum cksum;
	int err;

	mic_header(inner, !inner->initiator, inner->send_seq + inner->sent,
		   hdr);
	err = mic_checksum(inner, !inner->initiator, msg, len, hdr, &cksum);
	if (err)
		return err;
	if (bytes_append(out, hdr, sizeof(hdr)) ||
	    bytes_append(out, cksum.contents, cksum.length))
		err = -ENOMEM;
	else
		inner->sent++;
	krb5_free_checksum_contents(inner->kctx, &cksum);
	return err;
}

int kerberos_inner_verify(void *opaque, const uint8_t *msg, size_t len,
			  const uint8_t *token, size_t token_len)
{
	struct krb5_inner *inner = opaque;
	uint8_t expected[CFX_HEADER_LEN];
	krb5_checksum cksum;
	int err;

	/* The peer's next token, with the flags its side must set */
	mic_header(inner, inner->initiator, inner->recv_seq + inner->received,
		   expected);
	if (token_len < CFX_HEADER_LEN ||
	    memcmp(token, expected, CFX_HEADER_LEN))
		return -EBADMSG;
	err = mic_checksum(inner, inner->initiator, msg, len, expected,
			   &cksum);
	if (err)
		return err == -ENOMEM ? -ENOMEM : -EBADMSG;
	if (token_len - CFX_HEADER_LEN != cksum.length ||
	    !memeql_sec(token + CFX_HEADER_LEN, cksum.contents, cksum.length))
		err = -EBADMSG;
	else
		inner->received++;
	krb5_free_checksum_contents(inner->kctx, &cksum);
	return err;
}

static void wrap_header(const struct krb5_inner *inner, bool by_acceptor,
			uint16_t ec, uint16_t rrc, uint64_t seq,
			uint8_t hdr[CFX_HEADER_LEN])
{
	uint64_t be_seq = htobe64(seq);

	hdr[0] = 0x05;
	hdr[1] = 0x04;
	hdr[2] = (by_acceptor ? CFX_FLAG_SENT_BY_ACCEPTOR : 0) |
		 CFX_FLAG_SEALED |
		 (inner->acceptor_subkey ? CFX_FLAG_ACCEPTOR_SUBKEY : 0);
	hdr[3] = 0xff;
	hdr[4] = (uint8_t)(ec >> 8);
	hdr[5] = (uint8_t)ec;
	hdr[6] = (uint8_t)(rrc >> 8);
	hdr[7] = (uint8_t)rrc;
	memcpy(hdr + 8, &be_seq, sizeof(be_seq));
}

int kerberos_inner_wrap(void *opaque, const uint8_t *msg, size_t len,
			struct bytes *out)
{
	struct krb5_inner *inner = opaque;
	uint8_t hdr[CFX_HEADER_LEN];
	krb5_enc_data cipher = { 0 };
	krb5_data plain;
	size_t at = out->len, cipher_len;
	uint8_t *buf, *sealed = NULL;
	int err = -ENOMEM;

	if (len > UINT32_MAX - 2 * CFX_HEADER_LEN)
		return -EINVAL;
	/* EC 0 and RRC 0, as MIT writes them for the AES enctypes */
	wrap_header(inner, !inner->initiator, 0, 0,
		    inner->send_seq + inner->sent, hdr);
	buf = malloc(len + CFX_HEADER_LEN);
	if (!buf)
		return -ENOMEM;
	if (len)
		memcpy(buf, msg, len);
	memcpy(buf + len, hdr, CFX_HEADER_LEN);
	plain.magic = KV5M_DATA;
	plain.data = (char *)buf;
	plain.length = (unsigned int)(len + CFX_HEADER_LEN);
	if (krb5_c_encrypt_length(inner->kctx, inner->key.enctype,
				  plain.length, &cipher_len) ||
	    !(sealed = malloc(cipher_len)))
		goto out;
	cipher.ciphertext.data = (char *)sealed;
	cipher.ciphertext.length = (unsigned int)cipher_len;
	if (krb5_c_encrypt(inner->kctx, &inner->key,
			   inner->initiator ? KG_USAGE_INITIATOR_SEAL :
					      KG_USAGE_ACCEPTOR_SEAL,
			   NULL, &plain, &cipher)) {
		err = -EINVAL;
		goto out;
	}
	if (bytes_append(out, hdr, sizeof(hdr)) ||
	    bytes_append(out, sealed, cipher.ciphertext.length)) {
		if (out->len > at) {
			explicit_bzero(out->data + at, out->len - at);
			out->len = at;
		}
		goto out;
	}
	inner->sent++;
	err = 0;
out:
	explicit_bzero(buf, len + CFX_HEADER_LEN);
	free(buf);
	free(sealed);
	return err;
}

int kerberos_inner_unwrap(void *opaque, const uint8_t *token, size_t len,
			  struct bytes *out)
{
	struct krb5_inner *inner = opaque;
	uint8_t want[CFX_HEADER_LEN];
	krb5_enc_data cipher = { 0 };
	krb5_data plain = { 0 };
	size_t body, rrc, ec, i;
	uint8_t *rotated;
	int err = -EBADMSG;

	if (len < 2 * CFX_HEADER_LEN || len - CFX_HEADER_LEN > UINT32_MAX)
		return -EBADMSG;
	ec = (size_t)token[4] << 8 | token[5];
	rrc = (size_t)token[6] << 8 | token[7];
	/* The peer's next token, sealed, with its side's flags */
	wrap_header(inner, inner->initiator, (uint16_t)ec, (uint16_t)rrc,
		    inner->recv_seq + inner->received, want);
	if (memcmp(token, want, CFX_HEADER_LEN))
		return -EBADMSG;
	body = len - CFX_HEADER_LEN;
	rotated = malloc(body);
	if (!rotated)
		return -ENOMEM;
	/* Undo the right rotation by RRC (RFC 4121 4.2.5) */
	for (i = 0; i < body; i++)
		rotated[i] = token[CFX_HEADER_LEN + (i + rrc) % body];
	cipher.enctype = inner->key.enctype;
	cipher.ciphertext.data = (char *)rotated;
	cipher.ciphertext.length = (unsigned int)body;
	plain.length = (unsigned int)body;
	plain.data = calloc(1, body);
	if (!plain.data) {
		err = -ENOMEM;
		goto out;
	}
	if (krb5_c_decrypt(inner->kctx, &inner->key,
			   inner->initiator ? KG_USAGE_ACCEPTOR_SEAL :
					      KG_USAGE_INITIATOR_SEAL,
			   NULL, &cipher, &plain))
		goto out;
	/* The encrypted header copy has RRC 0 */
	want[6] = 0;
	want[7] = 0;
	if (plain.length < ec + CFX_HEADER_LEN ||
	    memcmp(plain.data + plain.length - CFX_HEADER_LEN, want,
		   CFX_HEADER_LEN))
		goto out;
	err = bytes_append(out, plain.data,
			   plain.length - ec - CFX_HEADER_LEN) ? -ENOMEM : 0;
	if (!err)
		inner->received++;
out:
	if (plain.data) {
		explicit_bzero(plain.data, body);
		free(plain.data);
	}
	free(rotated);
	return err;
}

int kerberos_inner_export(void *opaque, struct bytes *blob)
{
	struct krb5_inner *inner = opaque;

	/* kerberos_inner_new() found both records in this blob */
	if (ctxblob_set_le64(blob, KSSPI_CTX_REC_SEND_SEQ,
			     inner->send_seq + inner->sent) ||
	    ctxblob_set_le64(blob, KSSPI_CTX_REC_RECV_SEQ,
			     inner->recv_seq + inner->received))
		return -EINVAL;
	return 0;
}
