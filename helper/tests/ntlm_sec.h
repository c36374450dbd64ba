/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTLM session security (MS-NLMP 3.4) in userspace, for the tests only: the
 * module does the production sealing and signing in the kernel.  The tests
 * and the command-line peer use this to check the keys ksspid derives
 * against gss-ntlmssp and Samba.
 */
#ifndef KSSPID_TESTS_NTLM_SEC_H
#define KSSPID_TESTS_NTLM_SEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/arcfour.h>

#include "ntlm/crypto.h"

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
		   uint8_t sig[16]);

/* Seals @msg in place and writes its signature. */
void ntlm_sec_seal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		   uint8_t sig[16]);

/* Checks a signature (constant time); true when it matches. */
bool ntlm_sec_verify(struct ntlm_sec_dir *d, const uint8_t *msg, size_t len,
		     const uint8_t sig[16]);

/* Unseals @msg in place and checks its signature. */
bool ntlm_sec_unseal(struct ntlm_sec_dir *d, uint8_t *msg, size_t len,
		     const uint8_t sig[16]);

#endif /* KSSPID_TESTS_NTLM_SEC_H */
