/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTLM cryptography (MS-NLMP 3.3, 3.4), every primitive from nettle:
 * the one-way functions, NTLMv2 responses and keys, key exchange, the MIC,
 * the channel binding hash, SIGNKEY and SEALKEY.  The session-security MAC
 * and sealing of 3.4.3/3.4.4 are in seal.h (the kernel protects an NTLM
 * context's messages itself; ksspid seals only for NTLM inside CredSSP).
 *
 * NTLMv1 (3.3.1, DES) is here for --ntlm-allow-v1 and its known answers.
 */
#ifndef KSSPID_NTLM_CRYPTO_H
#define KSSPID_NTLM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#include "ntlm/msg.h"

/* Fills @buf from getrandom(); false when the kernel gave nothing. */
bool ntlm_random(void *buf, size_t len);

/* Now as a FILETIME: 100 ns units since 1601-01-01 UTC. */
uint64_t ntlm_filetime_now(void);

/* NT hash, NTOWFv1: MD4(UTF-16LE(password)). */
void ntlm_nt_hash_utf16(const uint8_t *password, size_t len,
			uint8_t out[NTLM_KEY_LEN]);

/*
 * NTOWFv2 = LMOWFv2 = HMAC_MD5(NT hash, UTF-16LE(Uppercase(User) || UserDom))
 * with @user and @domain in UTF-16LE as given (the user is uppercased
 * here).  0 or -ENOMEM.
 */
int ntlm_ntowfv2(const uint8_t nt_hash[NTLM_KEY_LEN], const uint8_t *user,
		 size_t user_len, const uint8_t *domain, size_t domain_len,
		 uint8_t out[NTLM_KEY_LEN]);

/* NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge || temp) */
void ntlm_v2_proof(const uint8_t key[NTLM_KEY_LEN],
		   const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
		   const uint8_t *temp, size_t temp_len,
		   uint8_t out[NTLM_V2_PROOF_LEN]);

/*
 * temp (3.3.2): 0x01 0x01 Z(6) Time ClientChallenge Z(4) AvPairs Z(4),
 * appended to @out.  0 or -ENOMEM.
 */
int ntlm_v2_temp(struct bytes *out, uint64_t time,
		 const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
		 const uint8_t *av_pairs, size_t av_len);

/*
 * LMv2 response: HMAC_MD5(ResponseKeyLM, ServerChallenge ||
 * ClientChallenge) || ClientChallenge (24 bytes).
 */
void ntlm_lmv2_response(const uint8_t key[NTLM_KEY_LEN],
			const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
			const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
			uint8_t out[NTLM_V1_RESPONSE_LEN]);

/* SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) (= KXKEY in v2) */
void ntlm_v2_session_base_key(const uint8_t key[NTLM_KEY_LEN],
			      const uint8_t proof[NTLM_V2_PROOF_LEN],
			      uint8_t out[NTLM_KEY_LEN]);

/* RC4K(key, data) of one 16-byte block (key exchange, both ways). */
void ntlm_rc4k(const uint8_t key[NTLM_KEY_LEN],
	       const uint8_t in[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN]);

/*
 * Whether the random session key is exchanged: KEY_EXCH and (SIGN or SEAL)
 * in the negotiated flags (3.1.5.1.2, 3.2.5.1.2).
 */
bool ntlm_uses_key_exch(uint32_t flags);

/*
 * MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE)
 * with the AUTHENTICATE's MIC field (16 bytes at @mic_off) taken as zero.
 * -EINVAL when the AUTHENTICATE is too short for it.
 */
int ntlm_mic(const uint8_t key[NTLM_KEY_LEN], const uint8_t *negotiate,
	     size_t negotiate_len, const uint8_t *challenge,
	     size_t challenge_len, const uint8_t *authenticate,
	     size_t authenticate_len, size_t mic_off,
	     uint8_t out[NTLM_MIC_LEN]);

/*
 * The MsvAvChannelBindings value: MD5 of the gss_channel_bindings_struct
 * serialization of a SEC_CHANNEL_BINDINGS structure (32-byte header of
 * eight little-endian 32-bit fields, offsets relative to its start).
 * -EINVAL when the structure is malformed: shorter than its header, or a
 * part outside it (a non-empty part may not start inside the header).
 */
int ntlm_channel_bindings_hash(const uint8_t *cb, size_t len,
			       uint8_t out[NTLM_KEY_LEN]);
#define NTLM_CB_HEADER_LEN	32

/* SIGNKEY (3.4.5.2) with extended session security. */
void ntlm_signkey(const uint8_t session_key[NTLM_KEY_LEN], bool client,
		  uint8_t out[NTLM_KEY_LEN]);

/*
 * SEALKEY (3.4.5.3) with extended session security: the session key cut to
 * 16 (NEGOTIATE_128), 7 (NEGOTIATE_56) or 5 bytes, then hashed with the
 * direction's constant.
 */
void ntlm_sealkey(uint32_t flags, const uint8_t session_key[NTLM_KEY_LEN],
		  bool client, uint8_t out[NTLM_KEY_LEN]);

/* NTLMv1 (3.3.1), only used with --ntlm-allow-v1 and in tests */

/* LMOWFv1 from an OEM (here: ASCII/Latin-1 bytes) password. */
void ntlm_lmowfv1(const char *password, size_t len, uint8_t out[NTLM_KEY_LEN]);

/* DESL(K, D): three DES encryptions of the 8-byte D with K split 7/7/2+Z5 */
void ntlm_desl(const uint8_t key[NTLM_KEY_LEN], const uint8_t data[8],
	       uint8_t out[NTLM_V1_RESPONSE_LEN]);

/*
 * The NTLMv1 NtChallengeResponse; with extended session security it is
 * DESL(K, MD5(ServerChallenge || ClientChallenge)[0..7]), else
 * DESL(K, ServerChallenge).
 */
void ntlm_v1_response(const uint8_t key[NTLM_KEY_LEN], bool ess,
		      const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
		      const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
		      uint8_t out[NTLM_V1_RESPONSE_LEN]);

/* SessionBaseKey v1 = MD4(NTOWFv1) */
void ntlm_v1_session_base_key(const uint8_t nt_hash[NTLM_KEY_LEN],
			      uint8_t out[NTLM_KEY_LEN]);

/*
 * KXKEY (3.4.5.1) for NTLMv1, per the negotiated @flags (extended session
 * security, LM_KEY, REQUEST_NON_NT_SESSION_KEY).  @lm_response: 24 bytes.
 */
void ntlm_v1_kxkey(uint32_t flags,
		   const uint8_t session_base_key[NTLM_KEY_LEN],
		   const uint8_t lmowf[NTLM_KEY_LEN],
		   const uint8_t lm_response[NTLM_V1_RESPONSE_LEN],
		   const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
		   uint8_t out[NTLM_KEY_LEN]);

#endif /* KSSPID_NTLM_CRYPTO_H */
