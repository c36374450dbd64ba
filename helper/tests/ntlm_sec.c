// SPDX-License-Identifier: GPL-2.0-or-later
/* NTLM session security for the tests (see ntlm_sec.h). */
#include <string.h>

#include <nettle/arcfour.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "ntlm/msg.h"
#include "ntlm_sec.h"

void ntlm_sec_dir_init(struct ntlm_sec_dir *d, uint32_t flags,
		       const uint8_t sign_key[NTLM_KEY_LEN],
		       const uint8_t seal_key[NTLM_KEY_LEN])
{
	memcpy(d->sign_key, sign_key, NTLM_KEY_LEN);
	arcfour_set_key(&d->rc4, NTLM_KEY_LEN, seal_key);
	d->seq = 0;
	d->flags = flags;
}

/* HMAC_MD5(SigningKey, SeqNum || Message)[0..7] with the next SeqNum */
static void sec_hmac(const struct ntlm_sec_dir *d, const uint8_t *msg,
		     size_t len, uint8_t mac[8])
{
	struct hmac_md5_ctx ctx;
	uint8_t seq[4];

	ntlm_put_le32(seq, d->seq);
	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, d->sign_key);
	hmac_md5_update(&ctx, sizeof(seq), seq);
	hmac_md5_update(&ctx, len, msg);
	hmac_md5_digest(&ctx, 8, mac);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* The signature from the checksum: version, RC4'd checksum, SeqNum. */
static void sec_finish(struct ntlm_sec_dir *d, const uint8_t mac[8],
		       uint8_t sig[16])
{
	ntlm_put_le32(sig, 1);
	if (d->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
		arcfour_crypt(&d->rc4, 8, sig + 4, mac);
	else
		memcpy(sig + 4, mac, 8);
	ntlm_put_le32(sig + 12, d->seq);
	d->seq++;
}

void ntlm_sec_sign(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		   uint8_t sig[16])
{
	uint8_t mac[8];

	sec_hmac(d, msg, len, mac);
	sec_finish(d, mac, sig);
	explicit_bzero(mac, sizeof(mac));
}

/*
 * The checksum is over the plaintext; on the RC4 stream the message comes
 * first, then the checksum.
 */
void ntlm_sec_seal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		   uint8_t sig[16])
{
	uint8_t mac[8];

	sec_hmac(d, msg, len, mac);
	arcfour_crypt(&d->rc4, len, msg, msg);
	sec_finish(d, mac, sig);
	explicit_bzero(mac, sizeof(mac));
}

bool ntlm_sec_verify(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		     const uint8_t sig[16])
{
	uint8_t expected[16];
	bool ok;

	ntlm_sec_sign(d, msg, len, expected);
	ok = memeql_sec(expected, sig, sizeof(expected));
	explicit_bzero(expected, sizeof(expected));
	return ok;
}

bool ntlm_sec_unseal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		     const uint8_t sig[16])
{
	arcfour_crypt(&d->rc4, len, msg, msg);
	return ntlm_sec_verify(d, msg, len, sig);
}
