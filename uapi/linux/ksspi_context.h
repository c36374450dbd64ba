/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksspi: the serialized security context.
 *
 * One format serves three paths: the helper hands an established context to
 * the kernel in it (KSSPI_A_CONTEXT_BLOB), ExportSecurityContext produces it
 * and ImportSecurityContext consumes it.  All integers are little-endian.
 *
 *	struct ksspi_ctx_header
 *	struct ksspi_ctx_record, value, zero padding to 8 bytes   (repeated)
 *
 * A reader refuses a blob whose magic, version, header_len or total_len is
 * wrong, whose records overrun it, that repeats a record, or that holds an
 * unknown record with KSSPI_CTX_REC_CRITICAL set.  Unknown records without
 * that bit are skipped.  Only the common records are checked for repeats
 * here; a package refuses repeats of its own.  Records 0x0001-0x00ff are
 * common to all packages; 0x0100-0x7fff belong to the package named in the
 * header.  Padding bytes are written as zero and not checked.
 */
#ifndef _UAPI_LINUX_KSSPI_CONTEXT_H
#define _UAPI_LINUX_KSSPI_CONTEXT_H

#include <linux/types.h>

#define KSSPI_CTX_MAGIC		0x4353534bu	/* "KSSC" */
#define KSSPI_CTX_VERSION	1

/* ksspi_ctx_header.flags */
#define KSSPI_CTX_F_INITIATOR	(1u << 0)	/* client side */

/**
 * struct ksspi_ctx_header - serialized context header
 * @magic: KSSPI_CTX_MAGIC
 * @version: KSSPI_CTX_VERSION
 * @header_len: sizeof(struct ksspi_ctx_header)
 * @total_len: length of the whole blob, header included
 * @flags: KSSPI_CTX_F_*
 * @context_attr: ISC_RET_* or ASC_RET_* of the established context
 * @reserved: zero
 * @expiry: seconds since 1970 (UTC); 0 for never
 * @package: package name, NUL-padded (package names are shorter than
 *	this field)
 */
struct ksspi_ctx_header {
	__le32 magic;
	__le16 version;
	__le16 header_len;
	__le32 total_len;
	__le32 flags;
	__le32 context_attr;
	__le32 reserved;
	__le64 expiry;
	char package[32];
};

/**
 * struct ksspi_ctx_record - one record of a serialized context
 * @type: KSSPI_CTX_REC_* or a package's own type
 * @flags: KSSPI_CTX_REC_CRITICAL
 * @len: length of the value that follows, before padding
 */
struct ksspi_ctx_record {
	__le16 type;
	__le16 flags;
	__le32 len;
};

#define KSSPI_CTX_REC_CRITICAL	0x0001

/* Longest name record, in bytes: "DOMAIN\\user" of two KSSPI_MAX_NAME names */
#define KSSPI_CTX_MAX_NAME	(2 * 1024 + 1)

/* Common records */
#define KSSPI_CTX_REC_CLIENT_NAME	0x0001	/* UTF-8 */
#define KSSPI_CTX_REC_SERVER_NAME	0x0002	/* UTF-8 */
#define KSSPI_CTX_REC_SESSION_KEY	0x0003	/* bytes */
#define KSSPI_CTX_REC_SEND_SEQ		0x0004	/* __le64 */
#define KSSPI_CTX_REC_RECV_SEQ		0x0005	/* __le64 */

/* Records of the "KsspiTest" package (a test-only package) */
#define KSSPI_CTX_REC_TEST_SIGN_KEY_OUT	0x0100	/* 32 bytes */
#define KSSPI_CTX_REC_TEST_SIGN_KEY_IN	0x0101	/* 32 bytes */

/*
 * Records of the "NTLM" package (MS-NLMP).  The helper derives the keys
 * (MS-NLMP 3.4.5.2 SIGNKEY, 3.4.5.3 SEALKEY) for its side: "out" keys
 * protect what this side sends, "in" keys what it receives.  Message
 * protection in the kernel needs NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY.
 * The RC4 states are optional: absent, each is initialized from its seal
 * key; present (an exported context in mid-stream), they continue it.
 */
#define KSSPI_CTX_REC_NTLM_FLAGS	0x0200	/* __le32 NegotiateFlags */
#define KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT	0x0201	/* 16 bytes */
#define KSSPI_CTX_REC_NTLM_SIGN_KEY_IN	0x0202	/* 16 bytes */
#define KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT	0x0203	/* 16 bytes */
#define KSSPI_CTX_REC_NTLM_SEAL_KEY_IN	0x0204	/* 16 bytes */
#define KSSPI_CTX_REC_NTLM_RC4_OUT	0x0205	/* struct ksspi_ntlm_rc4 */
#define KSSPI_CTX_REC_NTLM_RC4_IN	0x0206	/* struct ksspi_ntlm_rc4 */

/**
 * struct ksspi_ntlm_rc4 - an RC4 cipher state in mid-stream
 * @s: the permutation
 * @i: first index
 * @j: second index
 */
struct ksspi_ntlm_rc4 {
	__u8 s[256];
	__u8 i;
	__u8 j;
};

/*
 * Records of the "CredSSP" package (MS-CSSP).  An established CredSSP
 * context is a TLS session: the helper hands over the state of the TLS
 * record layer, "tx" for the records this side sends and "rx" for those it
 * receives, so that EncryptMessage, DecryptMessage and kTLS carry the same
 * session on.  Only what 6.1's kTLS can carry is allowed: TLS 1.2 or 1.3
 * with AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305.
 */
#define KSSPI_CTX_REC_TLS_VERSION	0x0300	/* __le16: 0x0303 or 0x0304 */
#define KSSPI_CTX_REC_TLS_CIPHER	0x0301	/* __le16: KSSPI_TLS_CIPHER_* */
#define KSSPI_CTX_REC_TLS_TX		0x0302	/* struct ksspi_tls_state */
#define KSSPI_CTX_REC_TLS_RX		0x0303	/* struct ksspi_tls_state */
#define KSSPI_CTX_REC_CREDSSP_VERSION	0x0304	/* __le32: TSRequest version */
#define KSSPI_CTX_REC_CREDSSP_INNER	0x0305	/* UTF-8: inner package */
#define KSSPI_CTX_REC_CREDSSP_INFO	0x0306	/* __le32: KSSPI_CREDSSP_F_* */
#define KSSPI_CTX_REC_CREDSSP_DELEGATED	0x0307	/* bytes: TSCredentials
						 * as received (acceptor
						 * only); a secret */

/*
 * Records of the "Kerberos" package (RFC 4121 per-message tokens over the
 * enctypes of RFC 3962 and RFC 8009).  The helper hands over the one key
 * per-message tokens use: the acceptor's subkey when the acceptor asserted
 * one (KSSPI_KRB5_F_ACCEPTOR_SUBKEY: tokens then carry the AcceptorSubkey
 * flag), otherwise the initiator's subkey, or the ticket's session key.
 * The kernel derives Kc, Ke and Ki for both directions from it once per
 * context.  Sequence numbers are the common SEND_SEQ and RECV_SEQ records;
 * the replay window, when present, continues an exported context's.
 */
#define KSSPI_CTX_REC_KRB5_ENCTYPE	0x0400	/* __le32: 17, 18, 19 or 20 */
#define KSSPI_CTX_REC_KRB5_KEY		0x0401	/* bytes: the token key;
						 * 16 or 32 bytes as the
						 * enctype says; a secret */
#define KSSPI_CTX_REC_KRB5_INFO		0x0402	/* __le32: KSSPI_KRB5_F_* */
#define KSSPI_CTX_REC_KRB5_REPLAY	0x0403	/* struct ksspi_krb5_replay
						 * (optional) */

/* KSSPI_CTX_REC_KRB5_INFO */
#define KSSPI_KRB5_F_ACCEPTOR_SUBKEY	(1u << 0)	/* the key is the
							 * acceptor's subkey */

/**
 * struct ksspi_krb5_replay - the receive side's replay and sequence window
 * @next: one more than the highest sequence number accepted so far (0: none)
 * @seen: bit i set: sequence number @next - 1 - i was accepted
 */
struct ksspi_krb5_replay {
	__le64 next;
	__le64 seen;
};

/*
 * Records of the "Negotiate" package (RFC 4178, MS-SPNG).  An established
 * Negotiate context is a context of the package SPNEGO chose: the blob
 * names that package and carries its records (Kerberos' or NTLM's) as that
 * package defines them, after the NTLM crypto reset that mechListMIC asks.
 */
#define KSSPI_CTX_REC_NEGO_MECH		0x0500	/* UTF-8: "Kerberos" or
						 * "NTLM" */

/* KSSPI_CTX_REC_TLS_CIPHER: the numbers of <linux/tls.h> */
#define KSSPI_TLS_CIPHER_AES_GCM_128		51
#define KSSPI_TLS_CIPHER_AES_GCM_256		52
#define KSSPI_TLS_CIPHER_CHACHA20_POLY1305	54

/* KSSPI_CTX_REC_CREDSSP_INFO */
#define KSSPI_CREDSSP_F_RESUMED		(1u << 0)	/* TLS session resumed */

/**
 * struct ksspi_tls_state - one direction of a TLS record layer
 * @key: the traffic key; 16 bytes of it for AES-128-GCM, 32 otherwise
 * @iv: the write IV.  TLS 1.2 with AES-GCM: the 4-byte implicit salt in
 *	iv[0..3], the rest zero (the explicit nonce is the sequence number,
 *	as GnuTLS and kTLS both send it).  TLS 1.3, and ChaCha20-Poly1305 in
 *	TLS 1.2: the 12-byte IV that is XORed with the sequence number.
 * @reserved: zero
 * @seq: sequence number of the next record
 */
struct ksspi_tls_state {
	__u8 key[32];
	__u8 iv[12];
	__u8 reserved[4];
	__le64 seq;
};

#endif /* _UAPI_LINUX_KSSPI_CONTEXT_H */
