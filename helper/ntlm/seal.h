/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTLM session security (MS-NLMP 3.4) in ksspid: sealing and signing with
 * extended session security, connection-oriented.  The kernel protects an
 * NTLM context's messages itself; ksspid needs this when NTLM runs inside
 * another package (CredSSP's pubKeyAuth and authInfo), and the tests use it
 * to check the keys ksspid derives against gss-ntlmssp and Samba.
 */
#ifndef KSSPID_NTLM_SEAL_H
#define KSSPID_NTLM_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/arcfour.h>

#include "bytes.h"
#include "ntlm/crypto.h"

#define NTLM_SIGNATURE_SIZE	16	/* NTLMSSP_MESSAGE_SIGNATURE */

/*
 * Session security of one direction with extended session security
 * (3.4.3, 3.4.4.2), connection-oriented: one RC4 stream from the sealing
 * key, used in turn by sealing and by the checksum of each signature.
 */
struct ntlm_sec_dir {
	uint8_t sign_key[NTLM_KEY_LEN];
	struct arcfour_ctx rc4;
	uint32_t seq;
	uint32_t flags;
};

void ntlm_sec_dir_init(struct ntlm_sec_dir *d, uint32_t flags,
		       const uint8_t sign_key[NTLM_KEY_LEN],
		       const uint8_t seal_key[NTLM_KEY_LEN]);

/*
 * The 16-byte signature of @msg with the next sequence number: version 1,
 * HMAC_MD5(SigningKey, SeqNum || Message)[0..7] (RC4-encrypted when
 * KEY_EXCH is negotiated), SeqNum.
 */
void ntlm_sec_sign(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		   uint8_t sig[NTLM_SIGNATURE_SIZE]);

/* Seals @msg in place and writes its signature. */
void ntlm_sec_seal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		   uint8_t sig[NTLM_SIGNATURE_SIZE]);

/*
 * Checks a signature (constant time); true when it matches.  The sequence
 * number and the RC4 stream advance either way, as in a connection.
 */
bool ntlm_sec_verify(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		     const uint8_t sig[NTLM_SIGNATURE_SIZE]);

/* Unseals @msg in place and checks its signature. */
bool ntlm_sec_unseal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		     const uint8_t sig[NTLM_SIGNATURE_SIZE]);

/*
 * The package's inner-use interface (package.h): message protection from
 * the blob an NTLM handshake produced.  ntlm_inner_new() reads the blob's
 * NTLM records (flags, the four keys, and the RC4 states when present) and
 * needs signing or sealing with extended session security; NULL when the
 * blob lacks them or memory runs out.
 */
void *ntlm_inner_new(const struct bytes *blob);

/*
 * GSS_WrapEx / EncryptMessage with the signature first: the 16-byte
 * NTLMSSP_MESSAGE_SIGNATURE, then @msg sealed, appended to @out.  0,
 * -EINVAL without NEGOTIATE_SEAL, or -ENOMEM.
 */
int ntlm_inner_wrap(void *inner, const uint8_t *msg, size_t len,
		    struct bytes *out);

/*
 * The reverse: @token is a signature and the sealed message; the message
 * is appended to @out.  -EBADMSG when the token is shorter than a
 * signature or the signature does not verify (@out unchanged), -EINVAL
 * without NEGOTIATE_SEAL, -ENOMEM.
 */
int ntlm_inner_unwrap(void *inner, const uint8_t *token, size_t len,
		      struct bytes *out);

/* MakeSignature: the 16-byte signature of @msg, appended to @out. */
int ntlm_inner_sign(void *inner, const uint8_t *msg, size_t len,
		    struct bytes *out);

/* VerifySignature: 0, or -EBADMSG when @token does not verify @msg. */
int ntlm_inner_verify(void *inner, const uint8_t *msg, size_t len,
		      const uint8_t *token, size_t token_len);

/* Wipes and frees; NULL is allowed. */
/*
 * The handshake's blob (@blob, as the step wrote it) after SPNEGO's
 * mechListMICs: the sequence numbers as they now stand, the RC4 states
 * from the keys again (the crypto reset).  0, or -EINVAL for a blob
 * without sequence number records.
 */
int ntlm_inner_export(void *inner, struct bytes *blob);

void ntlm_inner_free(void *inner);

#endif /* KSSPID_NTLM_SEAL_H */
