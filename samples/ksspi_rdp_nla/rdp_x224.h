/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The start of an RDP connection (MS-RDPBCGR 2.2.1.1 and 2.2.1.2): a TPKT
 * (RFC 1006) carrying an X.224 Connection Request with an RDP Negotiation
 * Request, answered by a Connection Confirm with an RDP Negotiation
 * Response or Failure; and the X.224 Data TPDU that frames what follows.
 * Shared by the in-kernel front door (ksspi_rdp_nla.ko), its userspace
 * twin and client, the parser's unit test and its fuzz target.  Every
 * length in the input is checked before it is used: the input is what a
 * remote client sent.
 */
#ifndef _RDP_X224_H
#define _RDP_X224_H

#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#endif

#define RDP_DEFAULT_PORT		3390

#define RDP_TPKT_VERSION		3
#define RDP_TPKT_HEADER_LEN		4

/* X.224 TPDU codes (upper nibble; the lower one is the credit, 0) */
#define RDP_X224_CR			0xE0	/* Connection Request */
#define RDP_X224_CC			0xD0	/* Connection Confirm */
#define RDP_X224_DT			0xF0	/* Data */
#define RDP_X224_EOT			0x80	/* Data: last unit of a message */

/*
 * A CR or CC TPDU is all header: its length indicator (one byte, 255
 * reserved) counts what follows it, so the whole TPKT is at most
 * 4 + 1 + 254 bytes.  The fixed part after the indicator is the code,
 * DST-REF, SRC-REF and the class option: 6 bytes.
 */
#define RDP_X224_CR_MIN_LEN		(RDP_TPKT_HEADER_LEN + 1 + 6)
#define RDP_X224_CR_MAX_LEN		(RDP_TPKT_HEADER_LEN + 1 + 254)

/* The Data TPDU header after the TPKT: indicator 2, DT, EOT */
#define RDP_X224_DT_HEADER_LEN		3
#define RDP_DT_HEADER_LEN		(RDP_TPKT_HEADER_LEN + RDP_X224_DT_HEADER_LEN)

/* RDP_NEG_REQ, RDP_NEG_RSP, RDP_NEG_FAILURE, RDP_NEG_CORRELATION_INFO */
#define RDP_NEG_TYPE_REQ		0x01
#define RDP_NEG_TYPE_RSP		0x02
#define RDP_NEG_TYPE_FAILURE		0x03
#define RDP_NEG_TYPE_CORRELATION_INFO	0x06
#define RDP_NEG_LEN			8
#define RDP_NEG_CORRELATION_INFO_LEN	36
#define RDP_NEG_CORRELATION_INFO_PRESENT 0x08	/* RDP_NEG_REQ flag */

/* requestedProtocols / selectedProtocol */
#define RDP_PROTOCOL_RDP		0x00000000u
#define RDP_PROTOCOL_SSL		0x00000001u
#define RDP_PROTOCOL_HYBRID		0x00000002u
#define RDP_PROTOCOL_RDSTLS		0x00000004u
#define RDP_PROTOCOL_HYBRID_EX		0x00000008u
#define RDP_PROTOCOL_RDSAAD		0x00000010u

/* RDP_NEG_FAILURE failureCode */
#define RDP_SSL_REQUIRED_BY_SERVER	0x00000001u
#define RDP_HYBRID_REQUIRED_BY_SERVER	0x00000005u

/* A Connection Confirm with RDP_NEG_RSP or RDP_NEG_FAILURE: 19 bytes */
#define RDP_CC_LEN			(RDP_TPKT_HEADER_LEN + 7 + RDP_NEG_LEN)

/* The routing token or cookie line ("Cookie: mstshash=NAME\r\n") */
#define RDP_COOKIE_PREFIX		"Cookie: "

/**
 * struct rdp_conn_request - what a Connection Request asked for
 * @has_neg_req: an RDP_NEG_REQ was present (else only standard RDP
 *	security was asked for)
 * @neg_flags: its flags
 * @requested_protocols: its requestedProtocols (0 without one)
 * @cookie_len: length of the cookie or routing token line, CRLF included
 *	(0 without one)
 */
struct rdp_conn_request {
	bool has_neg_req;
	unsigned char neg_flags;
	unsigned int requested_protocols;
	unsigned int cookie_len;
};

static inline unsigned int rdp_get_be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static inline unsigned int rdp_get_le16(const unsigned char *p)
{
	return (unsigned int)p[1] << 8 | p[0];
}

static inline unsigned int rdp_get_le32(const unsigned char *p)
{
	return (unsigned int)p[3] << 24 | (unsigned int)p[2] << 16 |
	       (unsigned int)p[1] << 8 | p[0];
}

static inline void rdp_put_le32(unsigned char *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/**
 * rdp_tpkt_length - the length a TPKT header announces
 * @hdr: its 4 bytes
 *
 * Return: the length of the whole packet, header included, or 0 when the
 * version is not 3 or the length is shorter than the header.  The
 * reserved byte is not checked (RFC 1006 says it is 0; nobody relies on
 * it).
 */
static inline unsigned int rdp_tpkt_length(const unsigned char *hdr)
{
	unsigned int len = rdp_get_be16(hdr + 2);

	if (hdr[0] != RDP_TPKT_VERSION || len < RDP_TPKT_HEADER_LEN)
		return 0;
	return len;
}

/*
 * The cookie or routing token: "Cookie: " up to the first CRLF, which
 * must be there.  Returns its length with the CRLF, 0 when @p does not
 * start with one, -1 when it has no end.
 */
static inline int rdp_cookie_len(const unsigned char *p, size_t len)
{
	size_t plen = sizeof(RDP_COOKIE_PREFIX) - 1;
	size_t i;

	if (len < plen || memcmp(p, RDP_COOKIE_PREFIX, plen))
		return 0;
	for (i = plen; i + 1 < len; i++)
		if (p[i] == '\r' && p[i + 1] == '\n')
			return (int)(i + 2);
	return -1;
}

/**
 * rdp_parse_conn_request - parse a TPKT with an X.224 Connection Request
 * @pkt: the whole TPKT, header included
 * @len: its length (what the TPKT header said, checked by the caller to
 *	be what was received)
 * @cr: out, what it asked for
 *
 * Checks: the TPKT header (version 3, length @len); the X.224 length
 * indicator covers exactly the rest of the packet and is not 255; the
 * code is CR (0xE0, credit 0) and the class is 0; an optional cookie or
 * routing token line ending in CRLF; an optional RDP_NEG_REQ (type 1,
 * length 8), followed only by an RDP_NEG_CORRELATION_INFO (type 6, length
 * 36) when its flags say one is present.  Nothing else may follow.
 *
 * Return: 0, or -1 for a malformed request.
 */
static inline int rdp_parse_conn_request(const unsigned char *pkt, size_t len,
					 struct rdp_conn_request *cr)
{
	const unsigned char *p;
	size_t rem;
	int cookie;

	memset(cr, 0, sizeof(*cr));
	if (len < RDP_X224_CR_MIN_LEN || len > RDP_X224_CR_MAX_LEN ||
	    rdp_tpkt_length(pkt) != len)
		return -1;
	p = pkt + RDP_TPKT_HEADER_LEN;
	if (p[0] != len - RDP_TPKT_HEADER_LEN - 1 || p[0] == 255)
		return -1;
	if (p[1] != RDP_X224_CR || (p[6] & 0xf0) != 0)
		return -1;
	p += 7;
	rem = len - RDP_X224_CR_MIN_LEN;

	cookie = rdp_cookie_len(p, rem);
	if (cookie < 0)
		return -1;
	cr->cookie_len = (unsigned int)cookie;
	p += cookie;
	rem -= (size_t)cookie;
	if (!rem)
		return 0;

	if (rem < RDP_NEG_LEN || p[0] != RDP_NEG_TYPE_REQ ||
	    rdp_get_le16(p + 2) != RDP_NEG_LEN)
		return -1;
	cr->has_neg_req = true;
	cr->neg_flags = p[1];
	cr->requested_protocols = rdp_get_le32(p + 4);
	p += RDP_NEG_LEN;
	rem -= RDP_NEG_LEN;
	if (!rem)
		return 0;

	if (!(cr->neg_flags & RDP_NEG_CORRELATION_INFO_PRESENT) ||
	    rem != RDP_NEG_CORRELATION_INFO_LEN ||
	    p[0] != RDP_NEG_TYPE_CORRELATION_INFO ||
	    rdp_get_le16(p + 2) != RDP_NEG_CORRELATION_INFO_LEN)
		return -1;
	return 0;
}

/*
 * A Connection Confirm (TPKT, X.224 CC with DST-REF 0, SRC-REF 0x1234,
 * class 0) carrying @neg_type (RDP_NEG_TYPE_RSP or _FAILURE) with flags 0
 * and @value (selectedProtocol or failureCode): RDP_CC_LEN bytes.
 */
static inline void rdp_build_conn_confirm(unsigned char *out,
					  unsigned char neg_type,
					  unsigned int value)
{
	static const unsigned char head[] = {
		RDP_TPKT_VERSION, 0, 0, RDP_CC_LEN,
		RDP_CC_LEN - RDP_TPKT_HEADER_LEN - 1, RDP_X224_CC,
		0x00, 0x00, 0x12, 0x34, 0x00,
	};

	memcpy(out, head, sizeof(head));
	out[11] = neg_type;
	out[12] = 0;
	out[13] = RDP_NEG_LEN;
	out[14] = 0;
	rdp_put_le32(out + 15, value);
}

/**
 * rdp_parse_conn_confirm - parse a TPKT with an X.224 Connection Confirm
 * @pkt: the whole TPKT
 * @len: its length
 * @neg_type: out, RDP_NEG_TYPE_RSP, RDP_NEG_TYPE_FAILURE, or 0 when the
 *	confirm carries neither (a server of standard RDP security)
 * @value: out, selectedProtocol or failureCode
 *
 * Return: 0, or -1 for a malformed confirm.
 */
static inline int rdp_parse_conn_confirm(const unsigned char *pkt, size_t len,
					 unsigned char *neg_type,
					 unsigned int *value)
{
	const unsigned char *p = pkt + RDP_TPKT_HEADER_LEN;

	*neg_type = 0;
	*value = 0;
	if (len < RDP_X224_CR_MIN_LEN || len > RDP_X224_CR_MAX_LEN ||
	    rdp_tpkt_length(pkt) != len ||
	    p[0] != len - RDP_TPKT_HEADER_LEN - 1 || p[1] != RDP_X224_CC)
		return -1;
	if (len == RDP_X224_CR_MIN_LEN)
		return 0;
	if (len != RDP_CC_LEN || rdp_get_le16(p + 9) != RDP_NEG_LEN ||
	    (p[7] != RDP_NEG_TYPE_RSP && p[7] != RDP_NEG_TYPE_FAILURE))
		return -1;
	*neg_type = p[7];
	*value = rdp_get_le32(p + 11);
	return 0;
}

/*
 * The header of a TPKT carrying an X.224 Data TPDU with @payload_len bytes
 * of user data: RDP_DT_HEADER_LEN bytes.  The caller keeps @payload_len
 * within 65535 - RDP_DT_HEADER_LEN.
 */
static inline void rdp_build_data_header(unsigned char *out,
					 unsigned int payload_len)
{
	unsigned int len = RDP_DT_HEADER_LEN + payload_len;

	out[0] = RDP_TPKT_VERSION;
	out[1] = 0;
	out[2] = (len >> 8) & 0xff;
	out[3] = len & 0xff;
	out[4] = 2;
	out[5] = RDP_X224_DT;
	out[6] = RDP_X224_EOT;
}

/*
 * Checks the X.224 Data header of a received TPKT (@pkt, @len bytes, the
 * length its header announced): returns the user data's length, or -1.
 */
static inline int rdp_parse_data(const unsigned char *pkt, size_t len)
{
	if (len < RDP_DT_HEADER_LEN || rdp_tpkt_length(pkt) != len ||
	    pkt[4] != 2 || pkt[5] != RDP_X224_DT || pkt[6] != RDP_X224_EOT)
		return -1;
	return (int)(len - RDP_DT_HEADER_LEN);
}

#endif /* _RDP_X224_H */
