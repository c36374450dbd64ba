// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test of rdp_seq.c, the server side of the RDP connection sequence
 * that both front doors run after NLA: xfreerdp's real sequence
 * (tests/rdp_seq_freerdp.h) taken to activation with the answers checked
 * field by field, the password kept nowhere, the Client Info names as
 * UTF-8, the closing PDUs, every truncation of every PDU, and each
 * malformed or out-of-turn PDU refused with its reason.  TAP output; exit
 * status 1 when a case failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdp_seq.h"
#include "rdp_x224.h"
#include "rdp_seq_freerdp.h"

static int ntest, nfail;

static void ok(int cond, const char *what)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", ntest, what);
}

static unsigned char out[RDP_SEQ_MAX_OUT];

/* Feeds @len bytes from an exact-size copy, so that ASan sees an overread */
static int feed(struct rdp_seq *seq, const unsigned char *pkt, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);
	int n;

	memcpy(copy, pkt, len);
	n = rdp_seq_input(seq, copy, len, out, sizeof(out));
	free(copy);
	return n;
}

/* A fresh sequence with xfreerdp's first @count PDUs taken; false if one failed */
static int replay(struct rdp_seq *seq, size_t count)
{
	size_t i;

	rdp_seq_init(seq, FREERDP_REQUESTED_PROTOCOLS,
		     FREERDP_SELECTED_PROTOCOL);
	for (i = 0; i < count; i++)
		if (feed(seq, freerdp_sequence[i].p, freerdp_sequence[i].len) < 0)
			return 0;
	return 1;
}

/* Index of a PDU of the sequence by name */
static size_t pdu_index(const char *name)
{
	size_t i;

	for (i = 0; i < FREERDP_PDUS; i++)
		if (!strcmp(freerdp_sequence[i].name, name))
			return i;
	abort();
}

/*
 * @len bytes of PDU @i into @buf with every outer length made to fit:
 * the TPKT's, and for a Send Data Request its user data length and, past
 * the Client Info PDU, its Share Control Header's totalLength.
 */
static void cut(unsigned char *buf, size_t i, size_t len)
{
	memcpy(buf, freerdp_sequence[i].p, len);
	if (len < RDP_TPKT_HEADER_LEN)
		return;
	buf[2] = len >> 8;
	buf[3] = len & 0xff;
	if (len >= 15 && buf[7] >> 2 == 25) {
		buf[13] = 0x80 | (len - 15) >> 8;
		buf[14] = (len - 15) & 0xff;
		if (len >= 17 && i > pdu_index("client_info")) {
			buf[15] = (len - 15) & 0xff;
			buf[16] = (len - 15) >> 8;
		}
	}
}

/* PDU @name patched at @at with @v, fed after the PDUs before it */
static int patched(struct rdp_seq *seq, const char *name, size_t at,
		   unsigned char v)
{
	size_t i = pdu_index(name);
	unsigned char buf[RDP_SEQ_MAX_PDU];

	if (!replay(seq, i))
		return -2;
	memcpy(buf, freerdp_sequence[i].p, freerdp_sequence[i].len);
	buf[at] = v;
	return feed(seq, buf, freerdp_sequence[i].len);
}

/* Whether @n bytes at @hay hold the bytes @hex spells */
static int has(const unsigned char *hay, size_t n, const char *hex)
{
	size_t len = strlen(hex) / 2, i;
	unsigned char *needle = malloc(len + 1);
	unsigned int b;
	int found;

	for (i = 0; i < len; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		needle[i] = b;
	}
	found = memmem(hay, n, needle, len) != NULL;
	free(needle);
	return found;
}

static int same_hex(const unsigned char *p, int n, const char *hex)
{
	return n >= 0 && (size_t)n == strlen(hex) / 2 && has(p, n, hex);
}

/* TPKTs back to back that fill @n bytes exactly: how many, or -1 */
static int tpkts(const unsigned char *p, int n)
{
	int count = 0;
	unsigned int len;

	while (n > 0) {
		if (n < RDP_TPKT_HEADER_LEN)
			return -1;
		len = rdp_tpkt_length(p);
		if (!len || len > (unsigned int)n || rdp_parse_data(p, len) < 0)
			return -1;
		p += len;
		n -= len;
		count++;
	}
	return n ? -1 : count;
}

/*
 * A Send Data Request to the I/O channel from user 1008 with a Client
 * Info PDU: UTF-16LE @domain and @user (@dlen, @ulen bytes), an empty
 * password, shell and directory.  Its length in *@len.
 */
static void client_info_pdu(unsigned char *buf, size_t *len,
			    const unsigned char *domain, size_t dlen,
			    const unsigned char *user, size_t ulen)
{
	size_t n = 0, data;

	memcpy(buf, "\x03\x00\x00\x00\x02\xf0\x80\x64\x00\x07\x03\xeb\x70", 13);
	n = 15;
	data = n;
	memcpy(buf + n, "\x40\x00\x00\x00", 4);	/* SEC_INFO_PKT */
	n += 4;
	memset(buf + n, 0, 18);
	buf[n + 4] = 0x10;			/* INFO_UNICODE */
	buf[n + 8] = dlen & 0xff;
	buf[n + 9] = dlen >> 8;
	buf[n + 10] = ulen & 0xff;
	buf[n + 11] = ulen >> 8;
	n += 18;
	memcpy(buf + n, domain, dlen);
	n += dlen;
	buf[n++] = 0;
	buf[n++] = 0;
	memcpy(buf + n, user, ulen);
	n += ulen;
	memset(buf + n, 0, 8);			/* four more terminators */
	n += 8;
	buf[13] = 0x80 | (n - data) >> 8;
	buf[14] = (n - data) & 0xff;
	buf[2] = n >> 8;
	buf[3] = n & 0xff;
	*len = n;
}

static void test_freerdp_sequence(void)
{
	static const enum rdp_seq_state after[] = {
		RDP_SEQ_ERECT_DOMAIN, RDP_SEQ_ATTACH_USER, RDP_SEQ_CHANNEL_JOIN,
		RDP_SEQ_CHANNEL_JOIN, RDP_SEQ_CHANNEL_JOIN, RDP_SEQ_CHANNEL_JOIN,
		RDP_SEQ_CHANNEL_JOIN, RDP_SEQ_CHANNEL_JOIN, RDP_SEQ_CLIENT_INFO,
		RDP_SEQ_CONFIRM_ACTIVE, RDP_SEQ_FINALIZATION,
		RDP_SEQ_FINALIZATION, RDP_SEQ_FINALIZATION,
		RDP_SEQ_FINALIZATION, RDP_SEQ_ACTIVE,
	};
	/* TPKTs each PDU is answered with */
	static const int answers[] = { 1, 0, 1, 1, 1, 1, 1, 1, 1, 2, 0,
				       1, 1, 1, 1 };
	static unsigned char answer[FREERDP_PDUS][RDP_SEQ_MAX_OUT];
	int n[FREERDP_PDUS];
	struct rdp_seq seq;
	int all = 1;
	size_t i;

	rdp_seq_init(&seq, FREERDP_REQUESTED_PROTOCOLS,
		     FREERDP_SELECTED_PROTOCOL);
	for (i = 0; i < FREERDP_PDUS; i++) {
		n[i] = feed(&seq, freerdp_sequence[i].p,
			    freerdp_sequence[i].len);
		if (n[i] < 0 || seq.state != after[i] ||
		    tpkts(out, n[i]) != answers[i]) {
			printf("# %s: %d bytes, state %s, %s: %s\n",
			       freerdp_sequence[i].name, n[i],
			       rdp_seq_state_name(seq.state),
			       rdp_seq_error_name(seq.error), seq.why);
			all = 0;
			break;
		}
		memcpy(answer[i], out, n[i]);
	}
	ok(all, "xfreerdp's sequence is taken to activation, each PDU answered as it should");
	if (!all)
		return;

	ok(seq.nchannels == 4 && seq.user_id == 1008 &&
	   seq.desktop_width == 1024 && seq.desktop_height == 768 &&
	   seq.capability_sets == 15 && (seq.early_capability_flags & 1) &&
	   seq.max_mcspdu_size == 65528,
	   "4 static channels, user 1008, 1024x768, 15 capability sets, errinfo, 65528");
	ok(!strcmp(seq.info_user, "TESTDOM\\alice"),
	   "the Client Info PDU names TESTDOM\\alice");
	ok(!memmem(&seq, sizeof(seq), "secret", 6) &&
	   !memmem(&seq, sizeof(seq), "s\0e\0c\0r\0e\0t\0", 12),
	   "the password is not kept");

	/* The answers, as xfreerdp accepted them */
	ok(same_hex(answer[0], n[0],
		    "0300007002f080" "7f6666" "0a0100" "020100"
		    "301a020122020103020100020101020100020101020300fff8020102"
		    "0442" "000500147c0001" "3a" "14" "760a" "0101" "00" "01" "c0"
		    "004d63446e" "2c"
		    "010c1000" "04000800" "01000000" "00000000"
		    "030c1000" "eb03" "0400" "ec03ed03ee03ef03"
		    "020c0c00" "00000000" "00000000"),
	   "Connect Response: rt-successful, merged domain parameters, GCC response with SC_CORE, SC_NET, SC_SECURITY");
	ok(has(answer[0], n[0], "301a020122020103020100020101020100020101020300fff8020102"),
	   "domain parameters: the client's target, 3 users (its maximum allows), PDUs of 65528 bytes");
	ok(has(answer[0], n[0], "010c1000040008000100000000000000"),
	   "SC_CORE: RDP 5.0 and later, clientRequestedProtocols echoed, no early capabilities");
	ok(has(answer[0], n[0], "030c1000eb030400ec03ed03ee03ef03"),
	   "SC_NET: I/O channel 1003, static channels 1004 to 1007");
	ok(has(answer[0], n[0], "020c0c000000000000000000"),
	   "SC_SECURITY: ENCRYPTION_METHOD_NONE, ENCRYPTION_LEVEL_NONE");
	ok(same_hex(answer[2], n[2], "0300000b02f0802e000007"),
	   "Attach User Confirm: rt-successful, user 1008");
	ok(same_hex(answer[3], n[3], "0300000f02f0803e00000703f003f0") &&
	   same_hex(answer[4], n[4], "0300000f02f0803e00000703eb03eb") &&
	   same_hex(answer[8], n[8], "0300000f02f0803e00000703ef03ef"),
	   "Channel Join Confirms: the user channel, the I/O channel, the static ones");
	ok(n[9] > 34 &&
	   same_hex(answer[9], 34, "0300002202f08068000103eb7014" "80000000"
		    "ff031000" "07000000" "02000000" "04000000"),
	   "License Error PDU: SEC_LICENSE_PKT, ERROR_ALERT, STATUS_VALID_CLIENT, ST_NO_TRANSITION");
	ok(same_hex(answer[9] + 34, n[9] - 34,
		    "0300013302f08068000103eb708124" "2401" "1100" "ea03" "ea030100"
		    "0400" "0e01" "52445000" "0800" "0000"
		    "010018000400000000020000000000000000000000000000"
		    "02001c00200001000100010000040003000000000100000001000000"
		    "030058000000000000000000000000000000000000000000010014000000"
		    "010000000a00000000000000000000000000000000000000000000000000"
		    "00000000000000000000000000000000008403000000000000000000"
		    "08000a00010019001900"
		    "0d0058000100000000000000000000000000000000000000000000000000"
		    "000000000000000000000000000000000000000000000000000000000000"
		    "00000000000000000000000000000000000000000000000000000000"
		    "14000c000000000040060000"
		    "09000800ea030000"
		    "0e00080001000000"
		    "00000000"),
	   "Demand Active PDU: share 0x103ea, \"RDP\", general, bitmap (32 bpp, 1024x768), order, pointer, input, virtual channel, share, font");
	ok(same_hex(answer[11], n[11],
		    "0300002402f08068000103eb701616001700ea03ea030100000108001f0000000100f003"),
	   "Synchronize PDU to user 1008");
	ok(same_hex(answer[12], n[12],
		    "0300002802f08068000103eb701a1a001700ea03ea03010000010c00140000000400000000000000"),
	   "Control PDU: Cooperate");
	ok(same_hex(answer[13], n[13],
		    "0300002802f08068000103eb701a1a001700ea03ea03010000010c00140000000200f003ea030000"),
	   "Control PDU: Granted Control to 1008 by 1002");
	ok(same_hex(answer[14], n[14],
		    "0300002802f08068000103eb701a1a001700ea03ea03010000010c00280000000000000003000400"),
	   "Font Map PDU: no entries, FONTMAP_FIRST | FONTMAP_LAST");

	n[0] = rdp_seq_build_close(&seq, RDP_ERRINFO_LOGOFF_BY_USER, out,
				   sizeof(out));
	ok(same_hex(out, n[0],
		    "0300002402f08068000103eb701616001700ea03ea030100000108002f0000000c000000"
		    "0300000902f0802180"),
	   "closing: Set Error Info ERRINFO_LOGOFF_BY_USER, Disconnect Provider Ultimatum");
	seq.early_capability_flags = 0;
	n[0] = rdp_seq_build_close(&seq, RDP_ERRINFO_LOGOFF_BY_USER, out,
				   sizeof(out));
	ok(same_hex(out, n[0], "0300000902f0802180"),
	   "closing a client without RNS_UD_CS_SUPPORT_ERRINFO_PDU: the ultimatum alone");
	ok(feed(&seq, freerdp_sequence[14].p, freerdp_sequence[14].len) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a PDU after activation: unexpected");
	ok(rdp_seq_same_user("TESTDOM\\alice", seq.info_user),
	   "the Client Info user is the authenticated one");
}

/* Every cut of every PDU, its outer lengths made to fit, is refused */
static void test_truncations(void)
{
	size_t info = pdu_index("client_info"), i, len;
	/* where the Client Info PDU's five fields end: the rest is optional */
	const size_t info_fields_end = 15 + 4 + 18 + 16 + 12 + 14 + 2 + 2;
	unsigned char buf[RDP_SEQ_MAX_PDU];
	struct rdp_seq seq;
	int all = 1, n;

	for (i = 0; i < FREERDP_PDUS; i++) {
		for (len = 0; len < freerdp_sequence[i].len; len++) {
			if (!replay(&seq, i)) {
				all = 0;
				break;
			}
			cut(buf, i, len);
			n = feed(&seq, buf, len);
			if ((n >= 0) != (i == info && len >= info_fields_end)) {
				printf("# %s cut to %zu: %d (%s: %s)\n",
				       freerdp_sequence[i].name, len, n,
				       rdp_seq_error_name(seq.error), seq.why);
				all = 0;
			}
		}
	}
	ok(all, "every truncation of every PDU is refused (but of the Client Info's optional part)");
}

static void test_refusals(void)
{
	unsigned char buf[RDP_SEQ_MAX_PDU];
	struct rdp_seq seq;
	size_t i, at;
	int n;

	replay(&seq, pdu_index("erect_domain"));
	ok(feed(&seq, freerdp_attach_user, sizeof(freerdp_attach_user)) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED && seq.state == RDP_SEQ_ERECT_DOMAIN,
	   "Attach User before Erect Domain: unexpected");

	replay(&seq, pdu_index("join_user"));
	memcpy(buf, freerdp_join_user, sizeof(freerdp_join_user));
	buf[11] = 0x03;
	buf[12] = 0xf2;		/* 1010 */
	ok(feed(&seq, buf, sizeof(freerdp_join_user)) < 0 &&
	   seq.error == RDP_SEQ_UNSUPPORTED,
	   "a Channel Join Request for a channel not offered: unsupported");
	ok(patched(&seq, "join_io", 9, 0x08) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Channel Join Request from another user: unexpected");
	ok(patched(&seq, "client_info", 15, 0x48) < 0 &&
	   seq.error == RDP_SEQ_UNSUPPORTED,
	   "an encrypted Client Info PDU (standard RDP security): unsupported");
	ok(patched(&seq, "client_info", 15, 0x00) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Send Data Request that is not the Client Info PDU: unexpected");
	ok(patched(&seq, "client_info", 15 + 4 + 18 + 14, 'x') < 0 &&
	   seq.error == RDP_SEQ_MALFORMED,
	   "a Client Info field without its terminator: malformed");
	ok(patched(&seq, "client_info", 15 + 4 + 11, 0x02) < 0 &&
	   seq.error == RDP_SEQ_MALFORMED,
	   "a Client Info field longer than 512 bytes: malformed");
	replay(&seq, pdu_index("confirm_active"));
	ok(feed(&seq, freerdp_join_1004, sizeof(freerdp_join_1004)) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Channel Join Request after the Client Info PDU: unexpected");
	ok(patched(&seq, "synchronize", 8, 0x08) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Send Data Request from another user: unexpected");
	ok(patched(&seq, "synchronize", 10, 0x05) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Send Data Request to a channel not offered: unexpected");
	ok(patched(&seq, "synchronize", 12, 0x40) < 0 &&
	   seq.error == RDP_SEQ_UNSUPPORTED,
	   "a fragmented Send Data Request: unsupported");

	replay(&seq, pdu_index("synchronize"));
	ok(feed(&seq, freerdp_font_list, sizeof(freerdp_font_list)) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Font List before the Synchronize PDU: unexpected");
	ok(patched(&seq, "synchronize", 30, 0x20) < 0 &&
	   seq.error == RDP_SEQ_UNSUPPORTED,
	   "a compressed Data PDU: unsupported");
	ok(patched(&seq, "synchronize", 15 + 6, 0x11) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Data PDU of another share: unexpected");
	ok(patched(&seq, "control_cooperate", 33, 0x03) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Control PDU with a detach action: unexpected");
	ok(patched(&seq, "confirm_active", 16 + 6, 0x11) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "a Confirm Active PDU of another share: unexpected");

	/* a Refresh Rect (0x21) during finalization asks nothing */
	replay(&seq, pdu_index("synchronize"));
	memcpy(buf, freerdp_synchronize, sizeof(freerdp_synchronize));
	buf[29] = 0x21;
	ok(feed(&seq, buf, sizeof(freerdp_synchronize)) == 0 &&
	   seq.state == RDP_SEQ_FINALIZATION && !seq.finalization,
	   "another Data PDU during finalization: taken, nothing answered");
	/* virtual channel data on a joined static channel */
	memcpy(buf, freerdp_synchronize, sizeof(freerdp_synchronize));
	buf[10] = 0x03;
	buf[11] = 0xec;
	ok(feed(&seq, buf, sizeof(freerdp_synchronize)) == 0 &&
	   seq.state == RDP_SEQ_FINALIZATION,
	   "data on a joined static channel: taken, nothing answered");
	ok(feed(&seq, (const unsigned char *)"\x03\x00\x00\x09\x02\xf0\x80\x21\x80",
		9) < 0 && seq.error == RDP_SEQ_DISCONNECTED,
	   "the client's Disconnect Provider Ultimatum: disconnected");
	replay(&seq, 3);
	ok(feed(&seq, (const unsigned char *)"\x03\x00\x00\x0b\x06\x80\x00\x00\x00\x00\x00",
		11) < 0 && seq.error == RDP_SEQ_DISCONNECTED,
	   "an X.224 Disconnect Request: disconnected");

	/* the MCS Connect Initial */
	rdp_seq_init(&seq, FREERDP_REQUESTED_PROTOCOLS, 2);
	ok(feed(&seq, freerdp_mcs_connect_initial,
		sizeof(freerdp_mcs_connect_initial)) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "serverSelectedProtocol other than the protocol selected: unexpected");
	at = (unsigned char *)memmem(freerdp_mcs_connect_initial,
				     sizeof(freerdp_mcs_connect_initial),
				     "Duca", 4) - freerdp_mcs_connect_initial;
	ok(patched(&seq, "mcs_connect_initial", at + 1, 'x') < 0 &&
	   seq.error == RDP_SEQ_MALFORMED,
	   "a GCC H.221 key other than \"Duca\": malformed");
	at = (unsigned char *)memmem(freerdp_mcs_connect_initial,
				     sizeof(freerdp_mcs_connect_initial),
				     "rdpdr", 5) - freerdp_mcs_connect_initial;
	memcpy(buf, freerdp_mcs_connect_initial,
	       sizeof(freerdp_mcs_connect_initial));
	memset(buf + at, 'x', 8);
	rdp_seq_init(&seq, 1, 1);
	ok(feed(&seq, buf, sizeof(freerdp_mcs_connect_initial)) < 0 &&
	   seq.error == RDP_SEQ_MALFORMED,
	   "a static channel name without its NUL: malformed");
	ok(patched(&seq, "mcs_connect_initial", at - 4, 32) < 0 &&
	   seq.error == RDP_SEQ_UNSUPPORTED,
	   "32 static channels: unsupported");
	/* minimumParameters (after the target's 26 bytes): numPriorities 2 */
	at = 21 + 2 + 26;
	ok(freerdp_mcs_connect_initial[at] == 0x30 &&
	   freerdp_mcs_connect_initial[at + 1] == 0x19 &&
	   patched(&seq, "mcs_connect_initial", at + 2 + 3 * 3 + 2, 2) < 0 &&
	   seq.error == RDP_SEQ_UNSUPPORTED,
	   "domain parameters that cannot be met: unsupported");
	ok(patched(&seq, "mcs_connect_initial", 9, 0x83) < 0 &&
	   seq.error == RDP_SEQ_MALFORMED,
	   "a BER length in three bytes: malformed");
	rdp_seq_init(&seq, 1, 1);
	ok(feed(&seq, freerdp_erect_domain, sizeof(freerdp_erect_domain)) < 0 &&
	   seq.error == RDP_SEQ_UNEXPECTED,
	   "anything but a Connect Initial first: unexpected");

	/* one client may not hold the server with endless PDUs */
	replay(&seq, pdu_index("join_io"));
	for (i = 0, n = 0; i < 2 * RDP_SEQ_MAX_INPUTS && n >= 0; i++)
		n = feed(&seq, freerdp_join_user, sizeof(freerdp_join_user));
	ok(n < 0 && seq.error == RDP_SEQ_UNEXPECTED &&
	   seq.inputs == RDP_SEQ_MAX_INPUTS + 1,
	   "more than RDP_SEQ_MAX_INPUTS PDUs: refused");
	ok(rdp_seq_input(&seq, freerdp_join_io, sizeof(freerdp_join_io), out,
			 sizeof(out)) < 0,
	   "a sequence that stopped stays stopped");

	replay(&seq, 0);
	ok(rdp_seq_input(&seq, freerdp_mcs_connect_initial,
			 sizeof(freerdp_mcs_connect_initial), out, 50) < 0 &&
	   seq.error == RDP_SEQ_NO_ROOM,
	   "an output buffer too small: no-room, not an overflow");
	replay(&seq, 0);
	ok(rdp_seq_build_close(&seq, RDP_ERRINFO_LOGOFF_BY_USER, out,
			       sizeof(out)) == 0,
	   "closing before the MCS Connect Response: nothing to send");
}

static void test_names(void)
{
	static const unsigned char domain[] = "T\0E\0S\0T\0D\0O\0M\0";
	/* "Ünï", U+1F600, a lone low surrogate, a line feed */
	static const unsigned char user[] = {
		0xdc, 0x00, 'n', 0x00, 0xef, 0x00, 0x3d, 0xd8, 0x00, 0xde,
		0x00, 0xdc, '\n', 0x00,
	};
	unsigned char buf[RDP_SEQ_MAX_PDU], big[512];
	struct rdp_seq seq;
	size_t len, i;

	replay(&seq, pdu_index("client_info"));
	client_info_pdu(buf, &len, domain, 14, user, sizeof(user));
	ok(feed(&seq, buf, len) > 0 &&
	   !strcmp(seq.info_user, "TESTDOM\\\xc3\x9cn\xc3\xaf\xf0\x9f\x98\x80\xef\xbf\xbd?"),
	   "Client Info names as UTF-8: surrogate pairs joined, a lone one U+FFFD, control characters '?'");

	replay(&seq, pdu_index("client_info"));
	client_info_pdu(buf, &len, domain, 0, (const unsigned char *)"a\0l\0i\0c\0e\0", 10);
	ok(feed(&seq, buf, len) > 0 && !strcmp(seq.info_user, "alice") &&
	   rdp_seq_same_user("TESTDOM\\alice", seq.info_user),
	   "an empty domain: the user alone, the same user");

	for (i = 0; i < sizeof(big); i += 2) {
		big[i] = 'a';
		big[i + 1] = 0;
	}
	replay(&seq, pdu_index("client_info"));
	client_info_pdu(buf, &len, domain, 14, big, sizeof(big));
	ok(feed(&seq, buf, len) < 0 && seq.error == RDP_SEQ_UNSUPPORTED,
	   "names longer than 255 bytes: unsupported");

	ok(rdp_seq_same_user("TESTDOM\\alice", "testdom\\ALICE") &&
	   !rdp_seq_same_user("TESTDOM\\alice", "TESTDOM\\bob") &&
	   !rdp_seq_same_user("TESTDOM\\alice", "OTHER\\alice") &&
	   !rdp_seq_same_user("TESTDOM\\alice", "") &&
	   !rdp_seq_same_user("TESTDOM\\alice", "TESTDOM\\alice2") &&
	   !rdp_seq_same_user("alice", "TESTDOM\\alice"),
	   "same user: ASCII case ignored, another user or domain is not");
}

static void test_starts(void)
{
	unsigned char hello[RDP_DT_HEADER_LEN + 5];

	rdp_build_data_header(hello, 5);
	memcpy(hello + RDP_DT_HEADER_LEN, "hello", 5);
	ok(rdp_seq_starts(freerdp_mcs_connect_initial,
			  sizeof(freerdp_mcs_connect_initial)) &&
	   !rdp_seq_starts(hello, sizeof(hello)) &&
	   !rdp_seq_starts(freerdp_erect_domain, sizeof(freerdp_erect_domain)) &&
	   !rdp_seq_starts(freerdp_mcs_connect_initial, 8),
	   "an MCS Connect Initial starts the sequence; other TPDUs do not");
	ok(!strcmp(rdp_seq_state_name(RDP_SEQ_ACTIVE), "active") &&
	   !strcmp(rdp_seq_state_name(RDP_SEQ_CHANNEL_JOIN), "channel-join") &&
	   !strcmp(rdp_seq_error_name(RDP_SEQ_MALFORMED), "malformed") &&
	   !strcmp(rdp_seq_state_name(RDP_SEQ_STATES), "?"),
	   "state and error names");
}

int main(void)
{
	printf("TAP version 13\n");
	test_freerdp_sequence();
	test_truncations();
	test_refusals();
	test_names();
	test_starts();
	printf("1..%d\n# %d of %d failed\n", ntest, nfail, ntest);
	return nfail ? 1 : 0;
}
