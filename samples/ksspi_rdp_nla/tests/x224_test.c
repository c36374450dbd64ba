// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test of rdp_x224.h, the X.224 parser and builders that the
 * in-kernel front door, its userspace twin and the client share: real
 * Connection Requests (FreeRDP's, impacket's, mstsc's with a correlation
 * info), every malformation the parser must refuse, every truncation of a
 * valid request, and the exact Connection Confirm bytes FreeRDP accepts.
 * TAP output; exit status 1 when a case failed.
 */
#include <stdio.h>
#include <string.h>

#include "rdp_x224.h"

static int ntest, nfail;

static void ok(int cond, const char *what)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", ntest, what);
}

/* xfreerdp 2.11 /sec:nla, as captured: cookie, then RDP_NEG_REQ SSL | HYBRID */
static const unsigned char freerdp_cr[] = {
	0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
	'C', 'o', 'o', 'k', 'i', 'e', ':', ' ', 'm', 's', 't', 's', 'h',
	'a', 's', 'h', '=', 'a', 'l', 'i', 'c', 'e', '\r', '\n',
	0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
};

/* impacket's rdp_check.py: no cookie, SSL | HYBRID */
static const unsigned char impacket_cr[] = {
	0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
};

/* A legacy client: no RDP_NEG_REQ at all */
static const unsigned char legacy_cr[] = {
	0x03, 0x00, 0x00, 0x0b, 0x06, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* peers.md: what FreeRDP accepts as selecting PROTOCOL_HYBRID */
static const unsigned char hybrid_cc[] = {
	0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00,
	0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
};

static int parse(const unsigned char *p, size_t len,
		 struct rdp_conn_request *cr)
{
	return rdp_parse_conn_request(p, len, cr);
}

/* @src with byte @at replaced by @v (and the TPKT length fixed up) */
static int parse_patched(const unsigned char *src, size_t len, size_t at,
			 unsigned char v)
{
	unsigned char buf[RDP_X224_CR_MAX_LEN];
	struct rdp_conn_request cr;

	memcpy(buf, src, len);
	buf[at] = v;
	return parse(buf, len, &cr);
}

int main(void)
{
	unsigned char buf[RDP_X224_CR_MAX_LEN + 64], cc[RDP_CC_LEN];
	struct rdp_conn_request cr;
	unsigned char neg_type;
	unsigned int value;
	size_t len, n;
	int all;

	printf("TAP version 13\n1..27\n");

	ok(parse(freerdp_cr, sizeof(freerdp_cr), &cr) == 0 &&
	   cr.has_neg_req && cr.requested_protocols == 3 &&
	   cr.cookie_len == 24, "FreeRDP's request: cookie and SSL|HYBRID");
	ok(parse(impacket_cr, sizeof(impacket_cr), &cr) == 0 &&
	   cr.has_neg_req && cr.requested_protocols == 3 && !cr.cookie_len,
	   "impacket's request: SSL|HYBRID, no cookie");
	ok(parse(legacy_cr, sizeof(legacy_cr), &cr) == 0 &&
	   !cr.has_neg_req && cr.requested_protocols == 0,
	   "a request without RDP_NEG_REQ asks for standard RDP security");

	/* mstsc: RDP_NEG_REQ flag 0x08 and a 36-byte correlation info */
	memcpy(buf, impacket_cr, sizeof(impacket_cr));
	len = sizeof(impacket_cr) + RDP_NEG_CORRELATION_INFO_LEN;
	buf[3] = len;
	buf[4] = len - 5;
	buf[12] = RDP_NEG_CORRELATION_INFO_PRESENT;
	memset(buf + sizeof(impacket_cr), 0x5a, RDP_NEG_CORRELATION_INFO_LEN);
	buf[sizeof(impacket_cr)] = RDP_NEG_TYPE_CORRELATION_INFO;
	buf[sizeof(impacket_cr) + 1] = 0;
	buf[sizeof(impacket_cr) + 2] = RDP_NEG_CORRELATION_INFO_LEN;
	buf[sizeof(impacket_cr) + 3] = 0;
	ok(parse(buf, len, &cr) == 0 && cr.requested_protocols == 3,
	   "a correlation info after RDP_NEG_REQ, when flagged");
	buf[12] = 0;
	ok(parse(buf, len, &cr) < 0, "a correlation info not flagged: refused");
	buf[12] = RDP_NEG_CORRELATION_INFO_PRESENT;
	buf[sizeof(impacket_cr) + 2] = 35;
	ok(parse(buf, len, &cr) < 0, "a correlation info of a wrong length: refused");

	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 0, 2) < 0,
	   "TPKT version 2: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 3, 0x14) < 0,
	   "TPKT length longer than the packet: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 4, 0x0d) < 0,
	   "X.224 length indicator short of the packet: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 4, 0xff) < 0,
	   "X.224 length indicator 255: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 5, RDP_X224_CC) < 0,
	   "a Connection Confirm code where a request belongs: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 5, 0xe1) < 0,
	   "a request with credit 1: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 10, 0x40) < 0,
	   "X.224 class 4: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 11, 0x02) < 0,
	   "RDP_NEG_RSP where RDP_NEG_REQ belongs: refused");
	ok(parse_patched(impacket_cr, sizeof(impacket_cr), 13, 0x09) < 0,
	   "RDP_NEG_REQ length 9: refused");
	ok(parse_patched(freerdp_cr, sizeof(freerdp_cr), 34, 'x') < 0,
	   "a cookie line without its CRLF: refused");

	/* trailing garbage after RDP_NEG_REQ */
	memcpy(buf, impacket_cr, sizeof(impacket_cr));
	buf[sizeof(impacket_cr)] = 0;
	buf[3] = sizeof(impacket_cr) + 1;
	buf[4] = sizeof(impacket_cr) + 1 - 5;
	ok(parse(buf, sizeof(impacket_cr) + 1, &cr) < 0,
	   "a byte after RDP_NEG_REQ: refused");

	/* every truncation, with consistent TPKT and X.224 lengths */
	all = 1;
	for (n = 0; n < sizeof(freerdp_cr); n++) {
		memcpy(buf, freerdp_cr, n);
		if (n >= 5) {
			buf[2] = 0;
			buf[3] = n;
			buf[4] = n - 5;
		}
		/* cut before the cookie or after it: a valid legacy request */
		if (n == RDP_X224_CR_MIN_LEN || n == RDP_X224_CR_MIN_LEN + 24)
			continue;
		if (parse(buf, n, &cr) == 0)
			all = 0;
	}
	ok(all, "every truncation of FreeRDP's request but two is refused");

	/* lengths beyond one X.224 header */
	memset(buf, 0, sizeof(buf));
	buf[0] = 3;
	buf[2] = (RDP_X224_CR_MAX_LEN + 1) >> 8;
	buf[3] = (RDP_X224_CR_MAX_LEN + 1) & 0xff;
	ok(parse(buf, RDP_X224_CR_MAX_LEN + 1, &cr) < 0,
	   "a request longer than 259 bytes: refused");
	ok(rdp_tpkt_length((const unsigned char *)"\x03\x00\x00\x03") == 0,
	   "a TPKT length shorter than its header: 0");

	rdp_build_conn_confirm(cc, RDP_NEG_TYPE_RSP, RDP_PROTOCOL_HYBRID);
	ok(!memcmp(cc, hybrid_cc, sizeof(cc)),
	   "the Connection Confirm selecting HYBRID is FreeRDP's 19 bytes");
	ok(rdp_parse_conn_confirm(cc, sizeof(cc), &neg_type, &value) == 0 &&
	   neg_type == RDP_NEG_TYPE_RSP && value == RDP_PROTOCOL_HYBRID,
	   "the client parses it back");
	rdp_build_conn_confirm(cc, RDP_NEG_TYPE_FAILURE,
			       RDP_HYBRID_REQUIRED_BY_SERVER);
	ok(cc[11] == 3 && cc[15] == 5 &&
	   rdp_parse_conn_confirm(cc, sizeof(cc), &neg_type, &value) == 0 &&
	   neg_type == RDP_NEG_TYPE_FAILURE &&
	   value == RDP_HYBRID_REQUIRED_BY_SERVER,
	   "RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER");
	memcpy(buf, hybrid_cc, RDP_X224_CR_MIN_LEN);
	buf[3] = RDP_X224_CR_MIN_LEN;
	buf[4] = RDP_X224_CR_MIN_LEN - 5;
	ok(rdp_parse_conn_confirm(buf, RDP_X224_CR_MIN_LEN, &neg_type,
				  &value) == 0 && neg_type == 0,
	   "a confirm without negotiation (standard RDP security)");
	ok(rdp_parse_conn_confirm(impacket_cr, sizeof(impacket_cr), &neg_type,
				  &value) < 0,
	   "a request is not a confirm");

	rdp_build_data_header(buf, 5);
	memcpy(buf + RDP_DT_HEADER_LEN, "hello", 5);
	ok(rdp_parse_data(buf, RDP_DT_HEADER_LEN + 5) == 5,
	   "an X.224 Data TPDU round trip");
	buf[6] = 0;
	ok(rdp_parse_data(buf, RDP_DT_HEADER_LEN + 5) < 0,
	   "a Data TPDU without EOT: refused");

	printf("# %d of %d failed\n", nfail, ntest);
	return nfail ? 1 : 0;
}
