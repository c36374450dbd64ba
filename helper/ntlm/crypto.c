// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NTLM cryptography over nettle.  Intermediate keys live in local arrays
 * and hash contexts that are wiped before returning.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <nettle/arcfour.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>

#include "ntlm/crypto.h"
#include "ntlm/unicode.h"

#define FILETIME_UNIX_EPOCH	116444736000000000ull	/* 1970 in FILETIME */

bool ntlm_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

uint64_t ntlm_filetime_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return FILETIME_UNIX_EPOCH + (uint64_t)now.tv_sec * 10000000u +
	       (uint64_t)now.tv_nsec / 100u;
}

void ntlm_nt_hash_utf16(const uint8_t *password, size_t len,
			uint8_t out[NTLM_KEY_LEN])
{
	struct md4_ctx ctx;

	md4_init(&ctx);
	md4_update(&ctx, len, password);
	md4_digest(&ctx, NTLM_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

int ntlm_ntowfv2(const uint8_t nt_hash[NTLM_KEY_LEN], const uint8_t *user,
		 size_t user_len, const uint8_t *domain, size_t domain_len,
		 uint8_t out[NTLM_KEY_LEN])
{
	struct hmac_md5_ctx ctx;
	struct bytes upper = { 0 };

	if (bytes_append(&upper, user, user_len))
		return -ENOMEM;
	ntlm_utf16le_upper(upper.data, upper.len);
	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, nt_hash);
	hmac_md5_update(&ctx, upper.len, upper.data);
	hmac_md5_update(&ctx, domain_len, domain);
	hmac_md5_digest(&ctx, NTLM_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
	bytes_free(&upper);
	return 0;
}

void ntlm_v2_proof(const uint8_t key[NTLM_KEY_LEN],
		   const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
		   const uint8_t *temp, size_t temp_len,
		   uint8_t out[NTLM_V2_PROOF_LEN])
{
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, key);
	hmac_md5_update(&ctx, NTLM_CHALLENGE_LEN, server_challenge);
	hmac_md5_update(&ctx, temp_len, temp);
	hmac_md5_digest(&ctx, NTLM_V2_PROOF_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

int ntlm_v2_temp(struct bytes *out, uint64_t time,
		 const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
		 const uint8_t *av_pairs, size_t av_len)
{
	uint8_t fixed[NTLM_V2_BLOB_FIXED] = { 1, 1 };
	static const uint8_t zero[4];

	ntlm_put_le64(fixed + 8, time);
	memcpy(fixed + 16, client_challenge, NTLM_CHALLENGE_LEN);
	if (bytes_append(out, fixed, sizeof(fixed)) ||
	    (av_len && bytes_append(out, av_pairs, av_len)) ||
	    bytes_append(out, zero, sizeof(zero)))
		return -ENOMEM;
	return 0;
}

void ntlm_lmv2_response(const uint8_t key[NTLM_KEY_LEN],
			const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
			const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
			uint8_t out[NTLM_V1_RESPONSE_LEN])
{
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, key);
	hmac_md5_update(&ctx, NTLM_CHALLENGE_LEN, server_challenge);
	hmac_md5_update(&ctx, NTLM_CHALLENGE_LEN, client_challenge);
	hmac_md5_digest(&ctx, 16, out);
	memcpy(out + 16, client_challenge, NTLM_CHALLENGE_LEN);
	explicit_bzero(&ctx, sizeof(ctx));
}

void ntlm_v2_session_base_key(const uint8_t key[NTLM_KEY_LEN],
			      const uint8_t proof[NTLM_V2_PROOF_LEN],
			      uint8_t out[NTLM_KEY_LEN])
{
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, key);
	hmac_md5_update(&ctx, NTLM_V2_PROOF_LEN, proof);
	hmac_md5_digest(&ctx, NTLM_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

void ntlm_rc4k(const uint8_t key[NTLM_KEY_LEN],
	       const uint8_t in[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
	struct arcfour_ctx ctx;

	arcfour_set_key(&ctx, NTLM_KEY_LEN, key);
	arcfour_crypt(&ctx, NTLM_KEY_LEN, out, in);
	explicit_bzero(&ctx, sizeof(ctx));
}

bool ntlm_uses_key_exch(uint32_t flags)
{
	return (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
	       (flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL));
}

int ntlm_mic(const uint8_t key[NTLM_KEY_LEN], const uint8_t *negotiate,
	     size_t negotiate_len, const uint8_t *challenge,
	     size_t challenge_len, const uint8_t *authenticate,
	     size_t authenticate_len, size_t mic_off,
	     uint8_t out[NTLM_MIC_LEN])
{
	static const uint8_t zero[NTLM_MIC_LEN];
	struct hmac_md5_ctx ctx;

	if (mic_off > authenticate_len ||
	    authenticate_len - mic_off < NTLM_MIC_LEN)
		return -EINVAL;
	hmac_md5_set_key(&ctx, NTLM_KEY_LEN, key);
	hmac_md5_update(&ctx, negotiate_len, negotiate);
	hmac_md5_update(&ctx, challenge_len, challenge);
	hmac_md5_update(&ctx, mic_off, authenticate);
	hmac_md5_update(&ctx, NTLM_MIC_LEN, zero);
	hmac_md5_update(&ctx, authenticate_len - mic_off - NTLM_MIC_LEN,
			authenticate + mic_off + NTLM_MIC_LEN);
	hmac_md5_digest(&ctx, NTLM_MIC_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
	return 0;
}

/* One part of a SEC_CHANNEL_BINDINGS: length at @len_at, offset next. */
static int cb_part(const uint8_t *cb, size_t len, size_t len_at,
		   size_t off_at, struct ntlm_view *out)
{
	size_t plen = ntlm_le32(cb + len_at);
	size_t off = ntlm_le32(cb + off_at);

	if (plen == 0) {
		out->data = cb;
		out->len = 0;
		return 0;
	}
	if (off < NTLM_CB_HEADER_LEN || off > len || plen > len - off)
		return -EINVAL;
	out->data = cb + off;
	out->len = plen;
	return 0;
}

static void md5_le32(struct md5_ctx *ctx, uint32_t v)
{
	uint8_t le[4];

	ntlm_put_le32(le, v);
	md5_update(ctx, sizeof(le), le);
}

int ntlm_channel_bindings_hash(const uint8_t *cb, size_t len,
			       uint8_t out[NTLM_KEY_LEN])
{
	struct ntlm_view initiator, acceptor, application;
	struct md5_ctx ctx;

	if (len < NTLM_CB_HEADER_LEN)
		return -EINVAL;
	if (cb_part(cb, len, 4, 8, &initiator) ||
	    cb_part(cb, len, 16, 20, &acceptor) ||
	    cb_part(cb, len, 24, 28, &application))
		return -EINVAL;

	md5_init(&ctx);
	md5_le32(&ctx, ntlm_le32(cb + 0));
	md5_le32(&ctx, (uint32_t)initiator.len);
	md5_update(&ctx, initiator.len, initiator.data);
	md5_le32(&ctx, ntlm_le32(cb + 12));
	md5_le32(&ctx, (uint32_t)acceptor.len);
	md5_update(&ctx, acceptor.len, acceptor.data);
	md5_le32(&ctx, (uint32_t)application.len);
	md5_update(&ctx, application.len, application.data);
	md5_digest(&ctx, NTLM_KEY_LEN, out);
	return 0;
}

/* The magic constants include their terminating NUL. */
static const char sign_c2s[] =
	"session key to client-to-server signing key magic constant";
static const char sign_s2c[] =
	"session key to server-to-client signing key magic constant";
static const char seal_c2s[] =
	"session key to client-to-server sealing key magic constant";
static const char seal_s2c[] =
	"session key to server-to-client sealing key magic constant";

static void md5_two(const uint8_t *a, size_t a_len, const char *b,
		    size_t b_len, uint8_t out[NTLM_KEY_LEN])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, a_len, a);
	md5_update(&ctx, b_len, (const uint8_t *)b);
	md5_digest(&ctx, NTLM_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

void ntlm_signkey(const uint8_t session_key[NTLM_KEY_LEN], bool client,
		  uint8_t out[NTLM_KEY_LEN])
{
	md5_two(session_key, NTLM_KEY_LEN, client ? sign_c2s : sign_s2c,
		sizeof(sign_c2s), out);
}

void ntlm_sealkey(uint32_t flags, const uint8_t session_key[NTLM_KEY_LEN],
		  bool client, uint8_t out[NTLM_KEY_LEN])
{
	size_t len = 5;

	if (flags & NTLMSSP_NEGOTIATE_128)
		len = 16;
	else if (flags & NTLMSSP_NEGOTIATE_56)
		len = 7;
	md5_two(session_key, len, client ? seal_c2s : seal_s2c,
		sizeof(seal_c2s), out);
}

/* 56 key bits to a DES key (the parity bits, ignored by DES, left 0). */
static void des_key_expand(const uint8_t in[7], uint8_t out[8])
{
	out[0] = in[0] & 0xfe;
	out[1] = (uint8_t)(in[0] << 7 | in[1] >> 1);
	out[2] = (uint8_t)(in[1] << 6 | in[2] >> 2);
	out[3] = (uint8_t)(in[2] << 5 | in[3] >> 3);
	out[4] = (uint8_t)(in[3] << 4 | in[4] >> 4);
	out[5] = (uint8_t)(in[4] << 3 | in[5] >> 5);
	out[6] = (uint8_t)(in[5] << 2 | in[6] >> 6);
	out[7] = (uint8_t)(in[6] << 1);
}

/* DES(K, D) with a 7-byte K.  nettle flags weak keys but still encrypts. */
static void des7(const uint8_t key[7], const uint8_t data[8], uint8_t out[8])
{
	struct des_ctx ctx;
	uint8_t k[8];

	des_key_expand(key, k);
	des_fix_parity(8, k, k);
	(void)des_set_key(&ctx, k);
	des_encrypt(&ctx, 8, out, data);
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(k, sizeof(k));
}

void ntlm_lmowfv1(const char *password, size_t len, uint8_t out[NTLM_KEY_LEN])
{
	static const uint8_t magic[8] = { 'K', 'G', 'S', '!', '@', '#', '$',
					  '%' };
	uint8_t upper[14] = { 0 };
	size_t i;

	for (i = 0; i < len && i < sizeof(upper); i++) {
		uint8_t c = (uint8_t)password[i];

		upper[i] = (c >= 'a' && c <= 'z') ? c - 0x20 : c;
	}
	des7(upper, magic, out);
	des7(upper + 7, magic, out + 8);
	explicit_bzero(upper, sizeof(upper));
}

void ntlm_desl(const uint8_t key[NTLM_KEY_LEN], const uint8_t data[8],
	       uint8_t out[NTLM_V1_RESPONSE_LEN])
{
	uint8_t last[7] = { key[14], key[15] };

	des7(key, data, out);
	des7(key + 7, data, out + 8);
	des7(last, data, out + 16);
	explicit_bzero(last, sizeof(last));
}

void ntlm_v1_response(const uint8_t key[NTLM_KEY_LEN], bool ess,
		      const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
		      const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
		      uint8_t out[NTLM_V1_RESPONSE_LEN])
{
	uint8_t digest[MD5_DIGEST_SIZE];
	struct md5_ctx ctx;

	if (!ess) {
		ntlm_desl(key, server_challenge, out);
		return;
	}
	md5_init(&ctx);
	md5_update(&ctx, NTLM_CHALLENGE_LEN, server_challenge);
	md5_update(&ctx, NTLM_CHALLENGE_LEN, client_challenge);
	md5_digest(&ctx, sizeof(digest), digest);
	ntlm_desl(key, digest, out);
}

void ntlm_v1_session_base_key(const uint8_t nt_hash[NTLM_KEY_LEN],
			      uint8_t out[NTLM_KEY_LEN])
{
	ntlm_nt_hash_utf16(nt_hash, NTLM_KEY_LEN, out);
}

void ntlm_v1_kxkey(uint32_t flags,
		   const uint8_t session_base_key[NTLM_KEY_LEN],
		   const uint8_t lmowf[NTLM_KEY_LEN],
		   const uint8_t lm_response[NTLM_V1_RESPONSE_LEN],
		   const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
		   uint8_t out[NTLM_KEY_LEN])
{
	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
		struct hmac_md5_ctx ctx;

		hmac_md5_set_key(&ctx, NTLM_KEY_LEN, session_base_key);
		hmac_md5_update(&ctx, NTLM_CHALLENGE_LEN, server_challenge);
		hmac_md5_update(&ctx, 8, lm_response);
		hmac_md5_digest(&ctx, NTLM_KEY_LEN, out);
		explicit_bzero(&ctx, sizeof(ctx));
	} else if (flags & NTLMSSP_NEGOTIATE_LM_KEY) {
		uint8_t second[7] = { lmowf[7], 0xbd, 0xbd, 0xbd, 0xbd, 0xbd,
				      0xbd };

		des7(lmowf, lm_response, out);
		des7(second, lm_response, out + 8);
		explicit_bzero(second, sizeof(second));
	} else if (flags & NTLMSSP_REQUEST_NON_NT_SESSION_KEY) {
		memcpy(out, lmowf, 8);
		memset(out + 8, 0, 8);
	} else {
		memcpy(out, session_base_key, NTLM_KEY_LEN);
	}
}
