/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTLM messages (MS-NLMP 2.2): NEGOTIATE, CHALLENGE and AUTHENTICATE, the
 * VERSION structure, AV_PAIR lists (2.2.2.1) and the NTLMv2 client
 * challenge (2.2.2.7).
 *
 * The decoders treat every input as hostile.  They never read outside the
 * message, return views (pointer and length) into it rather than copies,
 * and fail with a precise NTLM_E_* code; every one of those codes maps to
 * SEC_E_INVALID_TOKEN (ntlm_msg_status()).
 */
#ifndef KSSPID_NTLM_MSG_H
#define KSSPID_NTLM_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* NegotiateFlags (2.2.2.5) */
#define NTLMSSP_NEGOTIATE_UNICODE			0x00000001u
#define NTLM_NEGOTIATE_OEM				0x00000002u
#define NTLMSSP_REQUEST_TARGET				0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN				0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL				0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM			0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY			0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM				0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS			0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED		0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED	0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN			0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN			0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER			0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY	0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY			0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY		0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO			0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION			0x02000000u
#define NTLMSSP_NEGOTIATE_128				0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH			0x40000000u
#define NTLMSSP_NEGOTIATE_56				0x80000000u

/* AvId (2.2.2.1) */
#define MSV_AV_EOL			0
#define MSV_AV_NB_COMPUTER_NAME		1
#define MSV_AV_NB_DOMAIN_NAME		2
#define MSV_AV_DNS_COMPUTER_NAME	3
#define MSV_AV_DNS_DOMAIN_NAME		4
#define MSV_AV_DNS_TREE_NAME		5
#define MSV_AV_FLAGS			6
#define MSV_AV_TIMESTAMP		7
#define MSV_AV_SINGLE_HOST		8
#define MSV_AV_TARGET_NAME		9
#define MSV_AV_CHANNEL_BINDINGS		10
#define MSV_AV_KNOWN_MAX		MSV_AV_CHANNEL_BINDINGS

/* MsvAvFlags values */
#define MSV_AV_FLAG_CONSTRAINED		0x00000001u
#define MSV_AV_FLAG_MIC_PRESENT		0x00000002u
#define MSV_AV_FLAG_UNTRUSTED_SPN	0x00000004u

#define NTLM_SIGNATURE		"NTLMSSP"	/* with its NUL: 8 bytes */
#define NTLM_SIGNATURE_LEN	8
#define NTLM_NEGOTIATE		1
#define NTLM_CHALLENGE		2
#define NTLM_AUTHENTICATE	3

#define NTLM_CHALLENGE_LEN	8	/* server and client challenges */
#define NTLM_KEY_LEN		16
#define NTLM_MIC_LEN		16
#define NTLM_VERSION_LEN	8
#define NTLM_REVISION_W2K3	0x0f	/* NTLMRevisionCurrent */

/* Fixed parts: up to and including VERSION (and the AUTHENTICATE's MIC) */
#define NTLM_NEGOTIATE_MIN	32
#define NTLM_NEGOTIATE_HDR	40	/* with VERSION */
#define NTLM_CHALLENGE_MIN	48	/* up to TargetInfoFields */
#define NTLM_CHALLENGE_HDR	56	/* with VERSION */
#define NTLM_AUTH_MIN		64	/* up to NegotiateFlags */
#define NTLM_AUTH_VERSION_OFF	64
#define NTLM_AUTH_MIC_OFF	72
#define NTLM_AUTH_HDR		88	/* with VERSION and MIC */

/* NTLMv2_CLIENT_CHALLENGE (2.2.2.7): fixed part before the AV pairs */
#define NTLM_V2_PROOF_LEN	16
#define NTLM_V2_BLOB_FIXED	28
#define NTLM_V1_RESPONSE_LEN	24

/* Decoder errors; all mean SEC_E_INVALID_TOKEN to the peer. */
enum ntlm_msg_err {
	NTLM_OK = 0,
	NTLM_E_SHORT = -1,		/* shorter than its fixed part */
	NTLM_E_SIGNATURE = -2,		/* not "NTLMSSP\0" */
	NTLM_E_TYPE = -3,		/* another message type */
	NTLM_E_FIELD = -4,		/* a field outside the message */
	NTLM_E_FIELD_OVERLAP = -5,	/* a field inside the fixed part */
	NTLM_E_ODD = -6,		/* a UTF-16 field of odd length */
	NTLM_E_AV_TRUNCATED = -7,	/* an AV pair overruns the list */
	NTLM_E_AV_NO_EOL = -8,		/* the list ends without MsvAvEOL */
	NTLM_E_AV_EOL_LEN = -9,		/* MsvAvEOL with a value */
	NTLM_E_AV_DUPLICATE = -10,	/* a known AvId twice */
	NTLM_E_AV_SIZE = -11,		/* a fixed-size pair of another size */
	NTLM_E_AV_ODD = -12,		/* a name pair of odd length */
	NTLM_E_AV_TRAILING = -17,	/* bytes after MsvAvEOL */
	NTLM_E_RESPONSE = -13,		/* a malformed NTLMv2 response */
	NTLM_E_KEY_LEN = -14,		/* EncryptedRandomSessionKey not 16 */
	NTLM_E_MIC = -15,		/* MIC announced, no room for it */
	NTLM_E_NOMEM = -16,
};

/* A short name of a decoder error, for logs and tests. */
const char *ntlm_msg_strerror(int err);

/* The SECURITY_STATUS of a decoder error. */
uint32_t ntlm_msg_status(int err);

/* A byte range inside a decoded message (or any buffer). */
struct ntlm_view {
	const uint8_t *data;
	size_t len;
};

/* VERSION (2.2.2.10) */
struct ntlm_version {
	uint8_t major;
	uint8_t minor;
	uint16_t build;
	uint8_t revision;
};

/* What ksspid writes in its VERSION fields. */
extern const struct ntlm_version ntlm_our_version;

/* The message type of @msg after checking the signature and length. */
int ntlm_msg_type(const uint8_t *msg, size_t len, uint32_t *type);

struct ntlm_negotiate {
	uint32_t flags;
	struct ntlm_view domain;	/* OEM, only when supplied */
	struct ntlm_view workstation;
	bool has_version;
	struct ntlm_version version;
};

int ntlm_negotiate_decode(const uint8_t *msg, size_t len,
			  struct ntlm_negotiate *out);
/* Appends a NEGOTIATE without domain or workstation; 0 or -ENOMEM. */
int ntlm_negotiate_encode(struct bytes *out, uint32_t flags,
			  const struct ntlm_version *version);

struct ntlm_challenge {
	uint32_t flags;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN];
	struct ntlm_view target_name;	/* UTF-16LE when UNICODE */
	struct ntlm_view target_info;	/* AV pairs, not yet checked */
	bool has_version;
	struct ntlm_version version;
};

int ntlm_challenge_decode(const uint8_t *msg, size_t len,
			  struct ntlm_challenge *out);
/*
 * Appends a CHALLENGE: payload order target name, target info.  @version
 * NULL writes zeros in the VERSION field.  0 or -ENOMEM.
 */
int ntlm_challenge_encode(struct bytes *out, uint32_t flags,
			  const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
			  const struct ntlm_view *target_name,
			  const struct ntlm_view *target_info,
			  const struct ntlm_version *version);

struct ntlm_authenticate {
	uint32_t flags;
	struct ntlm_view lm_response;
	struct ntlm_view nt_response;
	/*
	 * In the character set the server chose (its CHALLENGE's), which
	 * the decoder does not know: their lengths are not checked here.
	 */
	struct ntlm_view domain;
	struct ntlm_view user;
	struct ntlm_view workstation;
	struct ntlm_view session_key;	/* EncryptedRandomSessionKey */
	size_t payload_start;		/* lowest offset of a non-empty field,
					 * or the message length */
	bool has_version;
	struct ntlm_version version;
};

int ntlm_authenticate_decode(const uint8_t *msg, size_t len,
			     struct ntlm_authenticate *out);

/* What an AUTHENTICATE is built from. */
struct ntlm_authenticate_fields {
	uint32_t flags;
	struct ntlm_view lm_response;
	struct ntlm_view nt_response;
	struct ntlm_view domain;
	struct ntlm_view user;
	struct ntlm_view workstation;
	struct ntlm_view session_key;
	const struct ntlm_version *version;	/* NULL: zeros */
	bool with_mic;		/* leave 16 zero bytes for the MIC */
};

/*
 * Appends an AUTHENTICATE to the empty @out: payload order domain, user,
 * workstation, LM response, NT response, session key (Windows' order).
 * With with_mic the MIC field (at NTLM_AUTH_MIC_OFF) is zero, to be
 * filled in once the message is complete.  0 or -ENOMEM.
 */
int ntlm_authenticate_encode(struct bytes *out,
			     const struct ntlm_authenticate_fields *f);

/* One AV pair, as found. */
struct ntlm_av {
	uint16_t id;
	struct ntlm_view value;
};

/*
 * A checked AV pair list.  Known pairs (MSV_AV_NB_COMPUTER_NAME ..
 * MSV_AV_CHANNEL_BINDINGS) appear at most once; the names have even
 * lengths; MsvAvFlags is 4 bytes, MsvAvTimestamp 8, MsvAvChannelBindings
 * 16; MsvAvSingleHost and unknown pairs may have any length (Windows 11
 * sends an MsvAvSingleHost longer than its 48-byte definition).
 */
struct ntlm_av_list {
	struct ntlm_view raw;		/* the pairs, MsvAvEOL included */
	size_t count;			/* pairs before MsvAvEOL */
	bool present[MSV_AV_KNOWN_MAX + 1];
	struct ntlm_view value[MSV_AV_KNOWN_MAX + 1];
	uint32_t flags;			/* MsvAvFlags, 0 when absent */
	uint64_t timestamp;		/* MsvAvTimestamp, when present */
};

/*
 * Checks the AV pairs at @data.  The list ends with MsvAvEOL; bytes after
 * it are ignored when @trailing_ok (the NTLMv2 response carries padding
 * after the list) and refused otherwise.
 */
int ntlm_av_decode(const uint8_t *data, size_t len, bool trailing_ok,
		   struct ntlm_av_list *out);

/*
 * Iterates over a list that ntlm_av_decode() accepted: *@pos starts at 0;
 * returns false at MsvAvEOL.
 */
bool ntlm_av_next(const struct ntlm_av_list *list, size_t *pos,
		  struct ntlm_av *av);

/* Appends one AV pair (@len at most 65535); 0 or -ENOMEM / -EINVAL. */
int ntlm_av_put(struct bytes *out, uint16_t id, const void *value,
		size_t len);

/* NTLMv2_CLIENT_CHALLENGE inside an NTLMv2 NtChallengeResponse. */
struct ntlm_v2_response {
	struct ntlm_view proof;		/* NTProofStr, 16 bytes */
	struct ntlm_view blob;		/* "temp": everything after it */
	uint64_t timestamp;
	uint8_t client_challenge[NTLM_CHALLENGE_LEN];
	struct ntlm_av_list av;
};

/*
 * Splits and checks an NTLMv2 NtChallengeResponse: RespType and
 * HiRespType 1, a well-formed AV pair list (padding after it allowed).
 */
int ntlm_v2_response_decode(const uint8_t *data, size_t len,
			    struct ntlm_v2_response *out);

/* Little-endian helpers */
static inline uint16_t ntlm_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ntlm_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t ntlm_le64(const uint8_t *p)
{
	return (uint64_t)ntlm_le32(p) | (uint64_t)ntlm_le32(p + 4) << 32;
}

static inline void ntlm_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void ntlm_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void ntlm_put_le64(uint8_t *p, uint64_t v)
{
	ntlm_put_le32(p, (uint32_t)v);
	ntlm_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif /* KSSPID_NTLM_MSG_H */
