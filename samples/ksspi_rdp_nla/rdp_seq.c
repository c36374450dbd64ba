// SPDX-License-Identifier: GPL-2.0
/*
 * The server side of the RDP connection sequence after Network Level
 * Authentication, shared by the in-kernel front door and the userspace
 * programs: see rdp_seq.h.  Section numbers are MS-RDPBCGR's; MCS (T.125)
 * and GCC (T.124) are encoded as RDP uses them: BER for the MCS Connect
 * PDUs, aligned PER for GCC and the other MCS PDUs.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "rdp_seq.h"
#include "rdp_x224.h"

/* MCS DomainMCSPDU choices: the upper six bits of a PDU's first byte */
#define MCS_ERECT_DOMAIN_REQUEST	1
#define MCS_DISCONNECT_PROVIDER_ULTIMATUM 8
#define MCS_ATTACH_USER_REQUEST		10
#define MCS_ATTACH_USER_CONFIRM		11
#define MCS_CHANNEL_JOIN_REQUEST	14
#define MCS_CHANNEL_JOIN_CONFIRM	15
#define MCS_SEND_DATA_REQUEST		25
#define MCS_SEND_DATA_INDICATION	26
/* PER encodes a UserId as its offset from this */
#define MCS_USER_ID_BASE		1001
/* Send Data: dataPriority high, segmentation begin | end */
#define MCS_DATA_FLAGS			0x70
#define MCS_SEGMENTATION_WHOLE		0x30

/* BER tags of the MCS Connect PDUs; [APPLICATION 101] and 102 take two bytes */
#define BER_BOOLEAN			0x01
#define BER_INTEGER			0x02
#define BER_OCTET_STRING		0x04
#define BER_ENUMERATED			0x0a
#define BER_SEQUENCE			0x30
#define BER_APPLICATION_HIGH		0x7f
#define MCS_CONNECT_INITIAL		0x65
#define MCS_CONNECT_RESPONSE		0x66

/* Room left for a length that is known only once what follows is written */
#define BER_LENGTH_ROOM			3
#define PER_LENGTH_ROOM			2

/* GCC: ConnectGCCPDU choices, the Key of the user data (2.2.1.3, 2.2.1.4) */
#define GCC_CONFERENCE_CREATE_REQUEST	0x00
#define GCC_CONFERENCE_CREATE_RESPONSE	0x14
#define GCC_CCRQ_USER_DATA_PRESENT	0x08
#define GCC_USER_DATA_H221		0xc0
#define GCC_NODE_ID			0x79f3

/* User data blocks */
#define CS_CORE				0xc001
#define CS_SECURITY			0xc002
#define CS_NET				0xc003
#define SC_CORE				0x0c01
#define SC_SECURITY			0x0c02
#define SC_NET				0x0c03
#define CS_CORE_MIN_LEN			128
#define RNS_UD_COLOR_8BPP		0xca01
#define RNS_UD_CS_SUPPORT_ERRINFO_PDU	0x0001
#define RNS_UD_CS_WANT_32BPP_SESSION	0x0002
/* RDP 5.0 and later, the version a server without later features says */
#define RDP_VERSION_5_PLUS		0x00080004u

/* Security header flags (2.2.8.1.1.2.1) */
#define SEC_ENCRYPT			0x0008
#define SEC_INFO_PKT			0x0040
#define SEC_LICENSE_PKT			0x0080

/* TS_INFO_PACKET (2.2.1.11.1.1) */
#define INFO_UNICODE			0x00000010u
#define INFO_FIELDS			5
#define INFO_MAX_FIELD_LEN		512

/* Licensing: the Server License Error PDU - Valid Client (2.2.1.12) */
#define LICENSE_ERROR_ALERT		0xff
#define LICENSE_PREAMBLE_VERSION_3_0	0x03
#define LICENSE_STATUS_VALID_CLIENT	0x00000007u
#define LICENSE_ST_NO_TRANSITION	0x00000002u
#define LICENSE_BB_ERROR_BLOB		0x0004

/* Share Control and Share Data Headers (2.2.8.1.1.1) */
#define TS_PROTOCOL_VERSION		0x0010
#define PDUTYPE_DEMANDACTIVEPDU		0x1
#define PDUTYPE_CONFIRMACTIVEPDU	0x3
#define PDUTYPE_DATAPDU			0x7
#define SHARE_FLOW_CONTROL_MARKER	0x8000
#define SHARE_CONTROL_HEADER_LEN	6
#define SHARE_DATA_HEADER_LEN		12
#define STREAM_LOW			0x01
#define PACKET_COMPRESSED		0x20
#define RDP_SHARE_ID			0x000103eau
#define PDUTYPE2_CONTROL		0x14
#define PDUTYPE2_SYNCHRONIZE		0x1f
#define PDUTYPE2_FONTLIST		0x27
#define PDUTYPE2_FONTMAP		0x28
#define PDUTYPE2_SET_ERROR_INFO_PDU	0x2f
#define SYNCMSGTYPE_SYNC		0x0001
#define CTRLACTION_REQUEST_CONTROL	0x0001
#define CTRLACTION_GRANTED_CONTROL	0x0002
#define CTRLACTION_COOPERATE		0x0004
#define FONTMAP_FIRST_LAST		0x0003
#define FONTMAP_ENTRY_SIZE		0x0004

/* Capability sets (2.2.7) the Demand Active PDU carries */
#define CAPSTYPE_GENERAL		0x0001
#define CAPSTYPE_BITMAP			0x0002
#define CAPSTYPE_ORDER			0x0003
#define CAPSTYPE_POINTER		0x0008
#define CAPSTYPE_SHARE			0x0009
#define CAPSTYPE_INPUT			0x000d
#define CAPSTYPE_FONT			0x000e
#define CAPSTYPE_VIRTUALCHANNEL		0x0014
#define SERVER_CAPABILITY_SETS		8
#define OSMAJORTYPE_UNIX		0x0004
#define TS_CAPS_PROTOCOLVERSION		0x0200
#define NEGOTIATEORDERSUPPORT		0x0002
#define ZEROBOUNDSDELTASSUPPORT		0x0008
#define INPUT_FLAG_SCANCODES		0x0001
#define FONTSUPPORT_FONTLIST		0x0001
#define CHANNEL_CHUNK_LENGTH		1600

/* T.124's object identifier { 0 0 20 124 0 1 } as PER writes it */
static const unsigned char t124_02_98_oid[] = { 5, 0x00, 0x14, 0x7c, 0x00, 0x01 };

/*
 * Input: a window on bytes the client sent.  Reading past its end marks
 * it bad and yields zeros; a parser checks @bad once, where it matters.
 */
struct rdp_rd {
	const unsigned char *p;
	size_t len;
	size_t off;
	bool bad;
};

/* Output: a buffer of @cap bytes; writing past its end marks it bad */
struct rdp_wr {
	unsigned char *p;
	size_t cap;
	size_t off;
	bool bad;
};

/* MCS domain parameters (T.125 DomainParameters) */
struct rdp_domain_params {
	unsigned int max_channel_ids;
	unsigned int max_user_ids;
	unsigned int max_token_ids;
	unsigned int num_priorities;
	unsigned int min_throughput;
	unsigned int max_height;
	unsigned int max_mcspdu_size;
	unsigned int protocol_version;
};

static size_t rd_left(const struct rdp_rd *r)
{
	return r->bad ? 0 : r->len - r->off;
}

static const unsigned char *rd_take(struct rdp_rd *r, size_t n)
{
	const unsigned char *p;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static unsigned int rd_u8(struct rdp_rd *r)
{
	const unsigned char *p = rd_take(r, 1);

	return p ? p[0] : 0;
}

static unsigned int rd_le16(struct rdp_rd *r)
{
	const unsigned char *p = rd_take(r, 2);

	return p ? rdp_get_le16(p) : 0;
}

static unsigned int rd_be16(struct rdp_rd *r)
{
	const unsigned char *p = rd_take(r, 2);

	return p ? rdp_get_be16(p) : 0;
}

static unsigned int rd_le32(struct rdp_rd *r)
{
	const unsigned char *p = rd_take(r, 4);

	return p ? rdp_get_le32(p) : 0;
}

/* The next @n bytes as a window of their own (bad when they are not there) */
static struct rdp_rd rd_sub(struct rdp_rd *r, size_t n)
{
	struct rdp_rd sub = { .p = rd_take(r, n), .len = n };

	sub.bad = !sub.p;
	return sub;
}

/* A BER length: short form, or long form in one or two bytes */
static size_t ber_length(struct rdp_rd *r)
{
	unsigned int first = rd_u8(r);

	if (first < 0x80)
		return first;
	if (first == 0x81)
		return rd_u8(r);
	if (first == 0x82)
		return rd_be16(r);
	r->bad = true;
	return 0;
}

/* A BER element of one-byte @tag: its contents as a window */
static struct rdp_rd ber_element(struct rdp_rd *r, unsigned int tag)
{
	if (rd_u8(r) != tag)
		r->bad = true;
	return rd_sub(r, ber_length(r));
}

/* A BER INTEGER of one to four bytes, read as unsigned */
static unsigned int ber_uint(struct rdp_rd *r)
{
	struct rdp_rd v = ber_element(r, BER_INTEGER);
	unsigned int x = 0;

	if (v.len < 1 || v.len > 4)
		r->bad = true;
	while (rd_left(&v))
		x = x << 8 | rd_u8(&v);
	return x;
}

static void ber_domain_params(struct rdp_rd *r, struct rdp_domain_params *dp)
{
	struct rdp_rd s = ber_element(r, BER_SEQUENCE);

	dp->max_channel_ids = ber_uint(&s);
	dp->max_user_ids = ber_uint(&s);
	dp->max_token_ids = ber_uint(&s);
	dp->num_priorities = ber_uint(&s);
	dp->min_throughput = ber_uint(&s);
	dp->max_height = ber_uint(&s);
	dp->max_mcspdu_size = ber_uint(&s);
	dp->protocol_version = ber_uint(&s);
	if (s.bad || rd_left(&s))
		r->bad = true;
}

/* A PER length: one byte, or two with 0x80 set; fragments (0xc0) are not */
static size_t per_length(struct rdp_rd *r)
{
	unsigned int first = rd_u8(r);

	if (first < 0x80)
		return first;
	if (first & 0x40) {
		r->bad = true;
		return 0;
	}
	return (first & 0x3f) << 8 | rd_u8(r);
}

/* A PER INTEGER (a length, then up to four bytes) */
static void per_skip_uint(struct rdp_rd *r)
{
	size_t n = per_length(r);

	if (n > 4)
		r->bad = true;
	rd_take(r, n);
}

static unsigned char *wr_take(struct rdp_wr *w, size_t n)
{
	unsigned char *p;

	if (w->bad || w->cap - w->off < n) {
		w->bad = true;
		return NULL;
	}
	p = w->p + w->off;
	w->off += n;
	return p;
}

static void wr_bytes(struct rdp_wr *w, const void *src, size_t n)
{
	unsigned char *p = wr_take(w, n);

	if (p)
		memcpy(p, src, n);
}

static void wr_zero(struct rdp_wr *w, size_t n)
{
	unsigned char *p = wr_take(w, n);

	if (p)
		memset(p, 0, n);
}

static void wr_u8(struct rdp_wr *w, unsigned int v)
{
	unsigned char *p = wr_take(w, 1);

	if (p)
		p[0] = v & 0xff;
}

static void wr_le16(struct rdp_wr *w, unsigned int v)
{
	wr_u8(w, v);
	wr_u8(w, v >> 8);
}

static void wr_be16(struct rdp_wr *w, unsigned int v)
{
	wr_u8(w, v >> 8);
	wr_u8(w, v);
}

static void wr_le32(struct rdp_wr *w, unsigned int v)
{
	unsigned char *p = wr_take(w, 4);

	if (p)
		rdp_put_le32(p, v);
}

static void wr_put_le16(struct rdp_wr *w, size_t at, unsigned int v)
{
	if (!w->bad) {
		w->p[at] = v & 0xff;
		w->p[at + 1] = (v >> 8) & 0xff;
	}
}

/* Leaves @room bytes for a length; returns where they are */
static size_t wr_open(struct rdp_wr *w, size_t room)
{
	size_t at = w->off;

	wr_take(w, room);
	return at;
}

/*
 * Writes the length of what follows the @room bytes at @at, as BER or
 * PER in as few bytes as it takes, and moves the contents up to it.
 */
static void wr_close_length(struct rdp_wr *w, size_t at, size_t room,
			    bool per)
{
	unsigned char head[3];
	size_t content, n;

	if (w->bad)
		return;
	content = w->off - at - room;
	if (content < 0x80) {
		head[0] = content;
		n = 1;
	} else if (per && content < 0x4000) {
		head[0] = 0x80 | content >> 8;
		head[1] = content & 0xff;
		n = 2;
	} else if (!per && content < 0x100) {
		head[0] = 0x81;
		head[1] = content;
		n = 2;
	} else if (!per && content < 0x10000) {
		head[0] = 0x82;
		head[1] = content >> 8;
		head[2] = content & 0xff;
		n = 3;
	} else {
		w->bad = true;
		return;
	}
	memmove(w->p + at + n, w->p + at + room, content);
	memcpy(w->p + at, head, n);
	w->off = at + n + content;
}

/* A BER INTEGER, minimal, with a 0 first when the top bit is set */
static void wr_ber_uint(struct rdp_wr *w, unsigned int v)
{
	unsigned char b[5];
	size_t n = 0;

	do {
		b[4 - n++] = v & 0xff;
		v >>= 8;
	} while (v);
	if (b[5 - n] & 0x80)
		b[4 - n++] = 0;
	wr_u8(w, BER_INTEGER);
	wr_u8(w, n);
	wr_bytes(w, b + 5 - n, n);
}

/* A TPKT with an X.224 Data TPDU: opened, then closed once its length is known */
static size_t wr_tpkt_open(struct rdp_wr *w)
{
	return wr_open(w, RDP_DT_HEADER_LEN);
}

static void wr_tpkt_close(struct rdp_wr *w, size_t at)
{
	size_t len = w->off - at;

	if (w->bad || len > 0xffff) {
		w->bad = true;
		return;
	}
	rdp_build_data_header(w->p + at, len - RDP_DT_HEADER_LEN);
}

/*
 * An MCS Send Data Indication from the server on the I/O channel, in a
 * TPKT: opened (returns where the TPKT starts, *@data where the user
 * data's length goes) and closed.
 */
static size_t wr_send_data_open(struct rdp_wr *w, size_t *data)
{
	size_t at = wr_tpkt_open(w);

	wr_u8(w, MCS_SEND_DATA_INDICATION << 2);
	wr_be16(w, RDP_SERVER_CHANNEL_ID - MCS_USER_ID_BASE);
	wr_be16(w, RDP_IO_CHANNEL_ID);
	wr_u8(w, MCS_DATA_FLAGS);
	*data = wr_open(w, PER_LENGTH_ROOM);
	return at;
}

static void wr_send_data_close(struct rdp_wr *w, size_t at, size_t data)
{
	wr_close_length(w, data, PER_LENGTH_ROOM, true);
	wr_tpkt_close(w, at);
}

/* A Share Control Header of @type from the server; closed once its length is known */
static size_t wr_share_control_open(struct rdp_wr *w, unsigned int type)
{
	size_t at = wr_open(w, 2);

	wr_le16(w, type | TS_PROTOCOL_VERSION);
	wr_le16(w, RDP_SERVER_CHANNEL_ID);
	return at;
}

static void wr_share_control_close(struct rdp_wr *w, size_t at)
{
	wr_put_le16(w, at, w->off - at);
}

/* A whole Data PDU of @type2 with @len bytes of @payload, in its TPKT */
static void wr_data_pdu(struct rdp_wr *w, unsigned int type2,
			const unsigned char *payload, size_t len)
{
	size_t tpkt, data, share;

	tpkt = wr_send_data_open(w, &data);
	share = wr_share_control_open(w, PDUTYPE_DATAPDU);
	wr_le32(w, RDP_SHARE_ID);
	wr_u8(w, 0);			/* pad1 */
	wr_u8(w, STREAM_LOW);
	/* uncompressedLength: from pduType2 on, as Windows counts it */
	wr_le16(w, len + 4);
	wr_u8(w, type2);
	wr_u8(w, 0);			/* compressedType */
	wr_le16(w, 0);			/* compressedLength */
	wr_bytes(w, payload, len);
	wr_share_control_close(w, share);
	wr_send_data_close(w, tpkt, data);
}

static bool fail(struct rdp_seq *seq, enum rdp_seq_error error,
		 const char *why)
{
	if (seq->error == RDP_SEQ_OK) {
		seq->error = error;
		seq->why = why;
	}
	return false;
}

/*
 * T.125's rules for the domain parameters of a Connect Initial, as
 * Windows and FreeRDP apply them: the client's target values where they
 * are acceptable, else the nearest acceptable value its range allows.
 */
static bool merge_domain_params(const struct rdp_domain_params *target,
				const struct rdp_domain_params *minimum,
				const struct rdp_domain_params *maximum,
				struct rdp_domain_params *out)
{
	if (target->max_channel_ids >= 4)
		out->max_channel_ids = target->max_channel_ids;
	else if (maximum->max_channel_ids >= 4)
		out->max_channel_ids = 4;
	else
		return false;
	if (target->max_user_ids >= 3)
		out->max_user_ids = target->max_user_ids;
	else if (maximum->max_user_ids >= 3)
		out->max_user_ids = 3;
	else
		return false;
	out->max_token_ids = target->max_token_ids;
	if (minimum->num_priorities > 1)
		return false;
	out->num_priorities = 1;
	out->min_throughput = target->min_throughput;
	if (target->max_height != 1 && minimum->max_height > 1)
		return false;
	out->max_height = 1;
	if (target->max_mcspdu_size >= 124 && target->max_mcspdu_size <= 65528)
		out->max_mcspdu_size = target->max_mcspdu_size;
	else if (target->max_mcspdu_size > 65528 &&
		 minimum->max_mcspdu_size <= 65528)
		out->max_mcspdu_size = 65528;
	else
		return false;
	if (target->protocol_version != 2 &&
	    (minimum->protocol_version > 2 || maximum->protocol_version < 2))
		return false;
	out->protocol_version = 2;
	return true;
}

/* The colour depth a client core data block asks for (2.2.1.3.2) */
static unsigned short client_color_depth(const unsigned char *p, size_t n)
{
	static const unsigned short post_beta2[] = { 4, 8, 15, 16, 24 };
	unsigned int depth = 8, v;

	if (n >= 130) {
		v = rdp_get_le16(p + 128);	/* postBeta2ColorDepth */
		if (v >= 0xca00 && v <= 0xca04)
			depth = post_beta2[v - 0xca00];
	}
	if (n >= 138) {
		v = rdp_get_le16(p + 136);	/* highColorDepth */
		if (v == 4 || v == 8 || v == 15 || v == 16 || v == 24)
			depth = v;
	}
	if (n >= 142 &&
	    (rdp_get_le16(p + 140) & RNS_UD_CS_WANT_32BPP_SESSION))
		depth = 32;
	return depth;
}

static bool client_core_data(struct rdp_seq *seq, struct rdp_rd *b)
{
	size_t n = rd_left(b);
	const unsigned char *p = rd_take(b, n);

	if (n < CS_CORE_MIN_LEN)
		return fail(seq, RDP_SEQ_MALFORMED, "client core data: too short");
	seq->client_version = rdp_get_le32(p);
	seq->desktop_width = rdp_get_le16(p + 4);
	seq->desktop_height = rdp_get_le16(p + 6);
	seq->color_depth = client_color_depth(p, n);
	if (n >= 142)
		seq->early_capability_flags = rdp_get_le16(p + 140);
	/* serverSelectedProtocol must be what the Connection Confirm said */
	if (n >= 212 && rdp_get_le32(p + 208) != seq->selected_protocol)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "client core data: serverSelectedProtocol is not the selected protocol");
	return true;
}

static bool client_network_data(struct rdp_seq *seq, struct rdp_rd *b)
{
	unsigned int count = rd_le32(b), i;
	const unsigned char *def;

	if (b->bad)
		return fail(seq, RDP_SEQ_MALFORMED, "client network data: too short");
	if (count > RDP_SEQ_MAX_CHANNELS)
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "client network data: more than 31 channels");
	for (i = 0; i < count; i++) {
		def = rd_take(b, 12);		/* CHANNEL_DEF: name, options */
		if (!def)
			return fail(seq, RDP_SEQ_MALFORMED,
				    "client network data: truncated");
		if (!memchr(def, 0, 8))
			return fail(seq, RDP_SEQ_MALFORMED,
				    "client network data: a channel name without its NUL");
	}
	seq->nchannels = count;
	return true;
}

/* The client data blocks (2.2.1.3.1): core and security required */
static bool client_data_blocks(struct rdp_seq *seq, struct rdp_rd *r)
{
	bool core = false, security = false, network = false, ok = true;
	unsigned int type, len;
	struct rdp_rd b;

	while (ok && rd_left(r)) {
		type = rd_le16(r);
		len = rd_le16(r);
		if (r->bad || len < 4)
			return fail(seq, RDP_SEQ_MALFORMED,
				    "client data: a block header");
		b = rd_sub(r, len - 4);
		if (b.bad)
			return fail(seq, RDP_SEQ_MALFORMED,
				    "client data: a block longer than the data");
		switch (type) {
		case CS_CORE:
			ok = !core && client_core_data(seq, &b);
			core = true;
			break;
		case CS_SECURITY:
			/* encryptionMethods, extEncryptionMethods: unused with TLS */
			ok = !security && rd_left(&b) >= 8;
			security = true;
			break;
		case CS_NET:
			ok = !network && client_network_data(seq, &b);
			network = true;
			break;
		default:
			/* cluster, monitor, message channel: nothing to answer */
			break;
		}
	}
	if (!ok)
		return fail(seq, RDP_SEQ_MALFORMED, "client data: a block");
	if (!core || !security)
		return fail(seq, RDP_SEQ_MALFORMED,
			    "client data: no core or security data");
	return true;
}

/* The GCC Conference Create Request around the client data (2.2.1.3) */
static bool gcc_create_request(struct rdp_seq *seq, struct rdp_rd *r)
{
	const unsigned char *oid, *key;
	size_t n;

	if (rd_u8(r) != 0)			/* Key: object */
		r->bad = true;
	oid = rd_take(r, sizeof(t124_02_98_oid));
	if (oid && memcmp(oid, t124_02_98_oid, sizeof(t124_02_98_oid)))
		r->bad = true;
	/* connectPDU: its length, which Windows does not rely on */
	if (per_length(r) > rd_left(r))
		r->bad = true;
	if (rd_u8(r) != GCC_CONFERENCE_CREATE_REQUEST ||
	    rd_u8(r) != GCC_CCRQ_USER_DATA_PRESENT)
		r->bad = true;
	n = per_length(r) + 1;			/* conferenceName: digits */
	rd_take(r, (n + 1) / 2);
	rd_take(r, 1);				/* padding */
	if (rd_u8(r) != 1 || rd_u8(r) != GCC_USER_DATA_H221)
		r->bad = true;
	n = per_length(r) + 4;			/* the H.221 key, "Duca" */
	key = rd_take(r, n);
	if (key && (n != 4 || memcmp(key, "Duca", 4)))
		r->bad = true;
	n = per_length(r);
	if (r->bad || n != rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED,
			    "GCC Conference Create Request");
	return client_data_blocks(seq, r);
}

static void wr_server_data_blocks(struct rdp_wr *w, const struct rdp_seq *seq)
{
	unsigned int i;

	wr_le16(w, SC_CORE);
	wr_le16(w, 16);
	wr_le32(w, RDP_VERSION_5_PLUS);
	wr_le32(w, seq->requested_protocols);
	wr_le32(w, 0);				/* earlyCapabilityFlags */

	wr_le16(w, SC_NET);
	wr_le16(w, 8 + 2 * seq->nchannels + 2 * (seq->nchannels & 1));
	wr_le16(w, RDP_IO_CHANNEL_ID);
	wr_le16(w, seq->nchannels);
	for (i = 0; i < seq->nchannels; i++)
		wr_le16(w, RDP_FIRST_STATIC_CHANNEL_ID + i);
	if (seq->nchannels & 1)
		wr_le16(w, 0);			/* pad */

	/* No standard RDP security: TLS protects the connection */
	wr_le16(w, SC_SECURITY);
	wr_le16(w, 12);
	wr_le32(w, 0);				/* ENCRYPTION_METHOD_NONE */
	wr_le32(w, 0);				/* ENCRYPTION_LEVEL_NONE */
}

/* The MCS Connect Response with the GCC Conference Create Response */
static void wr_connect_response(struct rdp_wr *w, const struct rdp_seq *seq,
				const struct rdp_domain_params *dp)
{
	size_t tpkt, response, params, user_data, connect_pdu, blocks;

	tpkt = wr_tpkt_open(w);
	wr_u8(w, BER_APPLICATION_HIGH);
	wr_u8(w, MCS_CONNECT_RESPONSE);
	response = wr_open(w, BER_LENGTH_ROOM);
	wr_u8(w, BER_ENUMERATED);
	wr_u8(w, 1);
	wr_u8(w, 0);				/* rt-successful */
	wr_ber_uint(w, 0);			/* calledConnectId */
	wr_u8(w, BER_SEQUENCE);
	params = wr_open(w, BER_LENGTH_ROOM);
	wr_ber_uint(w, dp->max_channel_ids);
	wr_ber_uint(w, dp->max_user_ids);
	wr_ber_uint(w, dp->max_token_ids);
	wr_ber_uint(w, dp->num_priorities);
	wr_ber_uint(w, dp->min_throughput);
	wr_ber_uint(w, dp->max_height);
	wr_ber_uint(w, dp->max_mcspdu_size);
	wr_ber_uint(w, dp->protocol_version);
	wr_close_length(w, params, BER_LENGTH_ROOM, false);
	wr_u8(w, BER_OCTET_STRING);
	user_data = wr_open(w, BER_LENGTH_ROOM);

	wr_u8(w, 0);				/* Key: object */
	wr_bytes(w, t124_02_98_oid, sizeof(t124_02_98_oid));
	connect_pdu = wr_open(w, PER_LENGTH_ROOM);
	wr_u8(w, GCC_CONFERENCE_CREATE_RESPONSE);
	wr_be16(w, GCC_NODE_ID - MCS_USER_ID_BASE);
	wr_u8(w, 1);				/* tag: INTEGER 1 */
	wr_u8(w, 1);
	wr_u8(w, 0);				/* result: success */
	wr_u8(w, 1);				/* one set of user data */
	wr_u8(w, GCC_USER_DATA_H221);
	wr_u8(w, 0);				/* the key's length - 4 */
	wr_bytes(w, "McDn", 4);
	blocks = wr_open(w, PER_LENGTH_ROOM);
	wr_server_data_blocks(w, seq);
	wr_close_length(w, blocks, PER_LENGTH_ROOM, true);
	wr_close_length(w, connect_pdu, PER_LENGTH_ROOM, true);

	wr_close_length(w, user_data, BER_LENGTH_ROOM, false);
	wr_close_length(w, response, BER_LENGTH_ROOM, false);
	wr_tpkt_close(w, tpkt);
}

/* The MCS Connect Initial (2.2.1.3), answered by the Connect Response */
static bool connect_initial(struct rdp_seq *seq, struct rdp_rd *r,
			    struct rdp_wr *w)
{
	struct rdp_domain_params target, minimum, maximum, agreed;
	struct rdp_rd ci, user_data;

	if (rd_u8(r) != BER_APPLICATION_HIGH || rd_u8(r) != MCS_CONNECT_INITIAL)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "expected the MCS Connect Initial");
	ci = rd_sub(r, ber_length(r));
	ber_element(&ci, BER_OCTET_STRING);	/* callingDomainSelector */
	ber_element(&ci, BER_OCTET_STRING);	/* calledDomainSelector */
	if (ber_element(&ci, BER_BOOLEAN).len != 1)	/* upwardFlag */
		ci.bad = true;
	ber_domain_params(&ci, &target);
	ber_domain_params(&ci, &minimum);
	ber_domain_params(&ci, &maximum);
	user_data = ber_element(&ci, BER_OCTET_STRING);
	if (r->bad || rd_left(r) || ci.bad || rd_left(&ci) || user_data.bad)
		return fail(seq, RDP_SEQ_MALFORMED, "MCS Connect Initial");
	if (!merge_domain_params(&target, &minimum, &maximum, &agreed))
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "MCS Connect Initial: domain parameters");
	if (!gcc_create_request(seq, &user_data))
		return false;
	seq->max_mcspdu_size = agreed.max_mcspdu_size;
	seq->user_id = RDP_FIRST_STATIC_CHANNEL_ID + seq->nchannels;
	wr_connect_response(w, seq, &agreed);
	seq->state = RDP_SEQ_ERECT_DOMAIN;
	return true;
}

static bool erect_domain(struct rdp_seq *seq, struct rdp_rd *r)
{
	if (seq->state != RDP_SEQ_ERECT_DOMAIN)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Erect Domain Request out of turn");
	per_skip_uint(r);			/* subHeight */
	per_skip_uint(r);			/* subInterval */
	if (r->bad || rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED, "Erect Domain Request");
	seq->state = RDP_SEQ_ATTACH_USER;
	return true;
}

static bool attach_user(struct rdp_seq *seq, struct rdp_rd *r,
			struct rdp_wr *w)
{
	size_t tpkt;

	if (seq->state != RDP_SEQ_ATTACH_USER)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Attach User Request out of turn");
	if (rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED, "Attach User Request");
	tpkt = wr_tpkt_open(w);
	wr_u8(w, MCS_ATTACH_USER_CONFIRM << 2 | 2);	/* initiator present */
	wr_u8(w, 0);					/* rt-successful */
	wr_be16(w, seq->user_id - MCS_USER_ID_BASE);
	wr_tpkt_close(w, tpkt);
	seq->state = RDP_SEQ_CHANNEL_JOIN;
	return true;
}

/* Where a channel is in @seq->joined, or -1 when the server did not offer it */
static int channel_index(const struct rdp_seq *seq, unsigned int channel)
{
	if (channel == seq->user_id)
		return 0;
	if (channel == RDP_IO_CHANNEL_ID)
		return 1;
	if (channel >= RDP_FIRST_STATIC_CHANNEL_ID &&
	    channel < RDP_FIRST_STATIC_CHANNEL_ID + seq->nchannels)
		return 2 + channel - RDP_FIRST_STATIC_CHANNEL_ID;
	return -1;
}

static bool channel_join(struct rdp_seq *seq, struct rdp_rd *r,
			 struct rdp_wr *w)
{
	unsigned int initiator, channel, i;
	size_t tpkt;
	int index;

	if (seq->state != RDP_SEQ_CHANNEL_JOIN)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Channel Join Request out of turn");
	initiator = rd_be16(r) + MCS_USER_ID_BASE;
	channel = rd_be16(r);
	if (r->bad || rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED, "Channel Join Request");
	if (initiator != seq->user_id)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Channel Join Request from another user");
	index = channel_index(seq, channel);
	if (index < 0)
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "Channel Join Request for a channel the server did not offer");
	seq->joined[index] = true;
	tpkt = wr_tpkt_open(w);
	wr_u8(w, MCS_CHANNEL_JOIN_CONFIRM << 2 | 2);	/* channelId present */
	wr_u8(w, 0);					/* rt-successful */
	wr_be16(w, seq->user_id - MCS_USER_ID_BASE);
	wr_be16(w, channel);				/* requested */
	wr_be16(w, channel);				/* channelId */
	wr_tpkt_close(w, tpkt);
	for (i = 0; i < 2 + seq->nchannels; i++)
		if (!seq->joined[i])
			return true;
	seq->state = RDP_SEQ_CLIENT_INFO;
	return true;
}

/*
 * Appends a Client Info string (@n bytes at @src, UTF-16LE when @unicode,
 * else one byte a character) to @dst as UTF-8, at *@pos, NUL-terminated.
 * Control characters become '?' (the name goes to logs), and so do bytes
 * above 0x7f of a non-Unicode string (its code page is not known here);
 * a lone surrogate becomes U+FFFD.  False when it does not fit in @cap.
 */
static bool append_name(char *dst, size_t cap, size_t *pos,
			const unsigned char *src, size_t n, bool unicode)
{
	unsigned int cp, lo;
	size_t i = 0, len;

	while (i < n) {
		if (unicode) {
			cp = rdp_get_le16(src + i);
			i += 2;
			lo = i + 2 <= n ? rdp_get_le16(src + i) : 0;
			if (cp >= 0xd800 && cp < 0xdc00 &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + lo - 0xdc00;
				i += 2;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
		} else {
			cp = src[i++];
			if (cp > 0x7f)
				cp = '?';
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			cp = '?';
		len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (cap - *pos <= len)
			return false;
		if (len == 1) {
			dst[(*pos)++] = cp;
			continue;
		}
		dst[(*pos)++] = (len == 2 ? 0xc0 : len == 3 ? 0xe0 : 0xf0) |
				cp >> (6 * (len - 1));
		while (--len)
			dst[(*pos)++] = 0x80 | ((cp >> (6 * (len - 1))) & 0x3f);
	}
	dst[*pos] = '\0';
	return true;
}

/*
 * The TS_INFO_PACKET (2.2.1.11.1.1): Domain, UserName, Password,
 * AlternateShell and WorkingDir, each with its terminator.  Only the
 * names are kept; the password is not copied, and the caller wipes the
 * PDU.  The extended info after them is not used.
 */
static bool info_packet(struct rdp_seq *seq, struct rdp_rd *r)
{
	const unsigned char *field[INFO_FIELDS];
	unsigned int cb[INFO_FIELDS], flags, i, term, t;
	size_t pos = 0;
	bool unicode;

	rd_le32(r);				/* CodePage */
	flags = rd_le32(r);
	for (i = 0; i < INFO_FIELDS; i++)
		cb[i] = rd_le16(r);
	if (r->bad)
		return fail(seq, RDP_SEQ_MALFORMED, "Client Info PDU: too short");
	unicode = flags & INFO_UNICODE;
	term = unicode ? 2 : 1;
	for (i = 0; i < INFO_FIELDS; i++) {
		if (cb[i] > INFO_MAX_FIELD_LEN || (unicode && cb[i] % 2))
			return fail(seq, RDP_SEQ_MALFORMED,
				    "Client Info PDU: a field's length");
		field[i] = rd_take(r, cb[i] + term);
		if (!field[i])
			return fail(seq, RDP_SEQ_MALFORMED,
				    "Client Info PDU: truncated");
		for (t = 0; t < term; t++)
			if (field[i][cb[i] + t])
				return fail(seq, RDP_SEQ_MALFORMED,
					    "Client Info PDU: a field without its terminator");
	}
	seq->info_flags = flags;
	seq->info_user[0] = '\0';
	if (cb[0] && (!append_name(seq->info_user, sizeof(seq->info_user),
				   &pos, field[0], cb[0], unicode) ||
		      !append_name(seq->info_user, sizeof(seq->info_user),
				   &pos, (const unsigned char *)"\\", 1,
				   false)))
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "Client Info PDU: names too long");
	if (!append_name(seq->info_user, sizeof(seq->info_user), &pos,
			 field[1], cb[1], unicode))
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "Client Info PDU: names too long");
	return true;
}

/* The Server License Error PDU - Valid Client (2.2.1.12.1.3) */
static void wr_license_valid_client(struct rdp_wr *w)
{
	size_t tpkt, data;

	tpkt = wr_send_data_open(w, &data);
	wr_le16(w, SEC_LICENSE_PKT);
	wr_le16(w, 0);				/* flagsHi */
	wr_u8(w, LICENSE_ERROR_ALERT);
	wr_u8(w, LICENSE_PREAMBLE_VERSION_3_0);
	wr_le16(w, 16);				/* wMsgSize */
	wr_le32(w, LICENSE_STATUS_VALID_CLIENT);
	wr_le32(w, LICENSE_ST_NO_TRANSITION);
	wr_le16(w, LICENSE_BB_ERROR_BLOB);
	wr_le16(w, 0);				/* an empty bbErrorInfo */
	wr_send_data_close(w, tpkt, data);
}

static void wr_capability_sets(struct rdp_wr *w, const struct rdp_seq *seq)
{
	wr_le16(w, CAPSTYPE_GENERAL);
	wr_le16(w, 24);
	wr_le16(w, OSMAJORTYPE_UNIX);
	wr_le16(w, 0);				/* osMinorType: unspecified */
	wr_le16(w, TS_CAPS_PROTOCOLVERSION);
	/*
	 * pad, compression types, extraFlags, update capability, remote
	 * unshare, compression level, refresh rect, suppress output: the
	 * front door never draws
	 */
	wr_zero(w, 14);

	wr_le16(w, CAPSTYPE_BITMAP);
	wr_le16(w, 28);
	wr_le16(w, seq->color_depth);		/* preferredBitsPerPixel */
	wr_le16(w, 1);				/* receive1BitPerPixel */
	wr_le16(w, 1);				/* receive4BitsPerPixel */
	wr_le16(w, 1);				/* receive8BitsPerPixel */
	wr_le16(w, seq->desktop_width);
	wr_le16(w, seq->desktop_height);
	wr_le16(w, 0);				/* pad */
	wr_le16(w, 0);				/* desktopResizeFlag */
	wr_le16(w, 1);				/* bitmapCompressionFlag */
	wr_u8(w, 0);				/* highColorFlags */
	wr_u8(w, 0);				/* drawingFlags */
	wr_le16(w, 1);				/* multipleRectangleSupport */
	wr_le16(w, 0);				/* pad */

	wr_le16(w, CAPSTYPE_ORDER);
	wr_le16(w, 88);
	wr_zero(w, 20);				/* terminalDescriptor, pad */
	wr_le16(w, 1);				/* desktopSaveXGranularity */
	wr_le16(w, 20);				/* desktopSaveYGranularity */
	wr_le16(w, 0);				/* pad */
	wr_le16(w, 1);				/* maximumOrderLevel */
	wr_le16(w, 0);				/* numberFonts */
	wr_le16(w, NEGOTIATEORDERSUPPORT | ZEROBOUNDSDELTASSUPPORT);
	wr_zero(w, 32);				/* orderSupport: none */
	wr_zero(w, 8);				/* textFlags, ExFlags, pad */
	wr_le32(w, 480 * 480);			/* desktopSaveSize */
	wr_zero(w, 8);				/* pads, textANSICodePage */

	wr_le16(w, CAPSTYPE_POINTER);
	wr_le16(w, 10);
	wr_le16(w, 1);				/* colorPointerFlag */
	wr_le16(w, 25);				/* colorPointerCacheSize */
	wr_le16(w, 25);				/* pointerCacheSize */

	wr_le16(w, CAPSTYPE_INPUT);
	wr_le16(w, 88);
	wr_le16(w, INPUT_FLAG_SCANCODES);
	wr_zero(w, 82);				/* pad, keyboard, imeFileName */

	wr_le16(w, CAPSTYPE_VIRTUALCHANNEL);
	wr_le16(w, 12);
	wr_le32(w, 0);				/* VCCAPS_NO_COMPR */
	wr_le32(w, CHANNEL_CHUNK_LENGTH);

	wr_le16(w, CAPSTYPE_SHARE);
	wr_le16(w, 8);
	wr_le16(w, RDP_SERVER_CHANNEL_ID);	/* nodeId */
	wr_le16(w, 0);

	wr_le16(w, CAPSTYPE_FONT);
	wr_le16(w, 8);
	wr_le16(w, FONTSUPPORT_FONTLIST);
	wr_le16(w, 0);
}

/* The Demand Active PDU (2.2.1.13.1) */
static void wr_demand_active(struct rdp_wr *w, const struct rdp_seq *seq)
{
	size_t tpkt, data, share, combined_len, combined;

	tpkt = wr_send_data_open(w, &data);
	share = wr_share_control_open(w, PDUTYPE_DEMANDACTIVEPDU);
	wr_le32(w, RDP_SHARE_ID);
	wr_le16(w, 4);				/* lengthSourceDescriptor */
	combined_len = wr_open(w, 2);
	wr_bytes(w, "RDP", 4);			/* sourceDescriptor */
	combined = w->off;
	wr_le16(w, SERVER_CAPABILITY_SETS);
	wr_le16(w, 0);				/* pad */
	wr_capability_sets(w, seq);
	wr_put_le16(w, combined_len, w->off - combined);
	wr_le32(w, 0);				/* sessionId */
	wr_share_control_close(w, share);
	wr_send_data_close(w, tpkt, data);
}

/* The Client Info PDU (2.2.1.11), answered by licensing and Demand Active */
static bool client_info(struct rdp_seq *seq, struct rdp_rd *r,
			struct rdp_wr *w)
{
	unsigned int flags = rd_le16(r);

	rd_le16(r);				/* flagsHi */
	if (r->bad)
		return fail(seq, RDP_SEQ_MALFORMED, "Client Info PDU: too short");
	if (!(flags & SEC_INFO_PKT))
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "expected the Client Info PDU");
	if (flags & SEC_ENCRYPT)
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "Client Info PDU encrypted (standard RDP security)");
	if (!info_packet(seq, r))
		return false;
	wr_license_valid_client(w);
	wr_demand_active(w, seq);
	seq->state = RDP_SEQ_CONFIRM_ACTIVE;
	return true;
}

/* The Confirm Active PDU (2.2.1.13.2), after its Share Control Header */
static bool confirm_active(struct rdp_seq *seq, struct rdp_rd *r)
{
	unsigned int share, source_len, combined_len, count, i, len;
	struct rdp_rd caps;

	if (seq->state != RDP_SEQ_CONFIRM_ACTIVE)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Confirm Active PDU out of turn");
	share = rd_le32(r);
	rd_le16(r);				/* originatorId */
	source_len = rd_le16(r);
	combined_len = rd_le16(r);
	rd_take(r, source_len);
	caps = rd_sub(r, combined_len);
	count = rd_le16(&caps);
	rd_le16(&caps);				/* pad */
	for (i = 0; i < count && !caps.bad; i++) {
		rd_le16(&caps);			/* capabilitySetType */
		len = rd_le16(&caps);
		if (len < 4)
			caps.bad = true;
		rd_take(&caps, len - 4);
	}
	if (r->bad || rd_left(r) || caps.bad || rd_left(&caps))
		return fail(seq, RDP_SEQ_MALFORMED, "Confirm Active PDU");
	if (share != RDP_SHARE_ID)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Confirm Active PDU: another share");
	seq->capability_sets = count;
	seq->state = RDP_SEQ_FINALIZATION;
	return true;
}

/*
 * The client's finalization PDUs (2.2.1.14 to 2.2.1.18), which come in
 * this order, each answered at once; the Font Map ends the sequence.
 * Other Data PDUs (a persistent key list, refresh or suppress output) ask
 * nothing of a server that never draws.
 */
static bool data_pdu(struct rdp_seq *seq, struct rdp_rd *r, struct rdp_wr *w)
{
	unsigned char answer[8] = { 0 };
	unsigned int share, type, compressed, action, seen, need, got;

	share = rd_le32(r);
	rd_take(r, 4);			/* pad1, streamId, uncompressedLength */
	type = rd_u8(r);
	compressed = rd_u8(r);
	rd_le16(r);				/* compressedLength */
	if (r->bad)
		return fail(seq, RDP_SEQ_MALFORMED, "Share Data Header");
	if (seq->state != RDP_SEQ_FINALIZATION)
		return fail(seq, RDP_SEQ_UNEXPECTED, "Data PDU out of turn");
	if (share != RDP_SHARE_ID)
		return fail(seq, RDP_SEQ_UNEXPECTED, "Data PDU of another share");
	if (compressed & PACKET_COMPRESSED)
		return fail(seq, RDP_SEQ_UNSUPPORTED, "compressed Data PDU");

	seen = seq->finalization;
	switch (type) {
	case PDUTYPE2_SYNCHRONIZE:
		if (rd_le16(r) != SYNCMSGTYPE_SYNC)
			r->bad = true;
		rd_le16(r);			/* targetUser */
		need = 0;
		got = RDP_SEQ_FIN_SYNCHRONIZE;
		answer[0] = SYNCMSGTYPE_SYNC;
		answer[2] = seq->user_id & 0xff;
		answer[3] = seq->user_id >> 8;
		break;
	case PDUTYPE2_CONTROL:
		action = rd_le16(r);
		rd_take(r, 6);			/* grantId, controlId */
		if (action == CTRLACTION_COOPERATE) {
			need = RDP_SEQ_FIN_SYNCHRONIZE;
			got = RDP_SEQ_FIN_COOPERATE;
			answer[0] = CTRLACTION_COOPERATE;
		} else if (action == CTRLACTION_REQUEST_CONTROL) {
			need = RDP_SEQ_FIN_SYNCHRONIZE | RDP_SEQ_FIN_COOPERATE;
			got = RDP_SEQ_FIN_REQUEST_CONTROL;
			answer[0] = CTRLACTION_GRANTED_CONTROL;
			answer[2] = seq->user_id & 0xff;	/* grantId */
			answer[3] = seq->user_id >> 8;
			rdp_put_le32(answer + 4, RDP_SERVER_CHANNEL_ID);
		} else {
			return fail(seq, RDP_SEQ_UNEXPECTED,
				    "Control PDU: an action a client does not ask");
		}
		break;
	case PDUTYPE2_FONTLIST:
		rd_take(r, 8);	/* numberFonts, totalNumFonts, listFlags, entrySize */
		need = RDP_SEQ_FIN_SYNCHRONIZE | RDP_SEQ_FIN_COOPERATE |
		       RDP_SEQ_FIN_REQUEST_CONTROL;
		got = RDP_SEQ_FIN_FONT_LIST;
		answer[4] = FONTMAP_FIRST_LAST;
		answer[6] = FONTMAP_ENTRY_SIZE;
		break;
	default:
		return true;
	}
	if (r->bad || rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED, "a finalization PDU");
	if (seen != need)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "finalization PDUs out of order");
	seq->finalization |= got;
	wr_data_pdu(w, type == PDUTYPE2_FONTLIST ? PDUTYPE2_FONTMAP : type,
		    answer, type == PDUTYPE2_SYNCHRONIZE ? 4 : 8);
	if (got == RDP_SEQ_FIN_FONT_LIST)
		seq->state = RDP_SEQ_ACTIVE;
	return true;
}

/* The Share Control PDUs of a Send Data Request on the I/O channel */
static bool share_pdus(struct rdp_seq *seq, struct rdp_rd *r,
		       struct rdp_wr *w)
{
	unsigned int total, type;
	struct rdp_rd pdu;
	bool ok = true;

	if (!rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED, "an empty Send Data Request");
	while (ok && rd_left(r)) {
		total = rd_le16(r);
		if (total == SHARE_FLOW_CONTROL_MARKER)
			return fail(seq, RDP_SEQ_UNEXPECTED,
				    "a flow control PDU from a client");
		if (total < SHARE_CONTROL_HEADER_LEN)
			r->bad = true;
		pdu = rd_sub(r, total - 2);
		type = rd_le16(&pdu) & 0xf;
		rd_le16(&pdu);			/* pduSource */
		if (pdu.bad)
			return fail(seq, RDP_SEQ_MALFORMED,
				    "Share Control Header");
		if (type == PDUTYPE_CONFIRMACTIVEPDU)
			ok = confirm_active(seq, &pdu);
		else if (type == PDUTYPE_DATAPDU)
			ok = data_pdu(seq, &pdu, w);
		else
			ok = fail(seq, RDP_SEQ_UNEXPECTED,
				  "a Share Control PDU a client does not send");
	}
	return ok;
}

/* An MCS Send Data Request (T.125), to the I/O channel or a static one */
static bool send_data(struct rdp_seq *seq, struct rdp_rd *r,
		      struct rdp_wr *w)
{
	unsigned int initiator, channel, flags;
	struct rdp_rd data;
	int index;

	initiator = rd_be16(r) + MCS_USER_ID_BASE;
	channel = rd_be16(r);
	flags = rd_u8(r);
	data = rd_sub(r, per_length(r));
	if (r->bad || rd_left(r))
		return fail(seq, RDP_SEQ_MALFORMED, "Send Data Request");
	if (!seq->user_id || initiator != seq->user_id)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Send Data Request from another user");
	if ((flags & MCS_SEGMENTATION_WHOLE) != MCS_SEGMENTATION_WHOLE)
		return fail(seq, RDP_SEQ_UNSUPPORTED,
			    "Send Data Request: fragmented");
	index = channel_index(seq, channel);
	if (index < 0 || !seq->joined[index] || index == 0)
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Send Data Request to a channel not joined");
	if (index > 1)
		return true;	/* virtual channel data: nothing runs behind them */
	switch (seq->state) {
	case RDP_SEQ_CHANNEL_JOIN:
		/* a client that does not join every static channel */
	case RDP_SEQ_CLIENT_INFO:
		return client_info(seq, &data, w);
	case RDP_SEQ_CONFIRM_ACTIVE:
	case RDP_SEQ_FINALIZATION:
		return share_pdus(seq, &data, w);
	default:
		return fail(seq, RDP_SEQ_UNEXPECTED,
			    "Send Data Request out of turn");
	}
}

/**
 * rdp_seq_init - start a connection's sequence
 * @seq: its state
 * @requested_protocols: the X.224 Connection Request's requestedProtocols
 * @selected_protocol: what the Connection Confirm selected
 */
void rdp_seq_init(struct rdp_seq *seq, unsigned int requested_protocols,
		  unsigned int selected_protocol)
{
	memset(seq, 0, sizeof(*seq));
	seq->state = RDP_SEQ_MCS_CONNECT;
	seq->why = "";
	seq->requested_protocols = requested_protocols;
	seq->selected_protocol = selected_protocol;
}

/**
 * rdp_seq_starts - whether a client's first TPKT starts the RDP sequence
 * @pkt: the TPKT
 * @len: its length (what its header said)
 *
 * Return: true for an X.224 Data TPDU carrying an MCS Connect Initial
 * (BER [APPLICATION 101]), which rdp_seq_input() takes first.
 */
bool rdp_seq_starts(const unsigned char *pkt, size_t len)
{
	return rdp_parse_data(pkt, len) >= 2 &&
	       pkt[RDP_DT_HEADER_LEN] == BER_APPLICATION_HIGH &&
	       pkt[RDP_DT_HEADER_LEN + 1] == MCS_CONNECT_INITIAL;
}

/**
 * rdp_seq_input - take one TPKT from the client
 * @seq: the connection's state
 * @pkt: the TPKT, header included
 * @len: its length (what its header said)
 * @out: where the answer goes: zero or more TPKTs, to be sent as they are
 * @cap: its size (RDP_SEQ_MAX_OUT is always enough)
 *
 * Moves @seq->state on; @seq->state becomes RDP_SEQ_ACTIVE once the Font
 * Map is in @out.  @pkt may hold the user's password (the Client Info
 * PDU): the caller wipes it after the call.
 *
 * Return: the bytes of @out to send, or -1 when the sequence stopped
 * (@seq->error and @seq->why say why; every later call returns -1).
 */
int rdp_seq_input(struct rdp_seq *seq, const unsigned char *pkt, size_t len,
		  unsigned char *out, size_t cap)
{
	struct rdp_wr w = { .p = out, .cap = cap };
	struct rdp_rd r;
	unsigned int choice;
	bool ok;
	int data;

	if (seq->error != RDP_SEQ_OK)
		return -1;
	if (seq->state == RDP_SEQ_ACTIVE) {
		fail(seq, RDP_SEQ_UNEXPECTED, "a PDU after activation");
		return -1;
	}
	if (++seq->inputs > RDP_SEQ_MAX_INPUTS) {
		fail(seq, RDP_SEQ_UNEXPECTED, "too many PDUs before activation");
		return -1;
	}
	/* an X.224 Disconnect Request: the client leaves */
	if (len > RDP_TPKT_HEADER_LEN + 1 && rdp_tpkt_length(pkt) == len &&
	    (pkt[RDP_TPKT_HEADER_LEN + 1] & 0xf0) == 0x80) {
		fail(seq, RDP_SEQ_DISCONNECTED, "X.224 Disconnect Request");
		return -1;
	}
	data = rdp_parse_data(pkt, len);
	if (data < 0) {
		fail(seq, RDP_SEQ_MALFORMED, "not an X.224 Data TPDU");
		return -1;
	}
	r = (struct rdp_rd){ .p = pkt + RDP_DT_HEADER_LEN, .len = data };
	if (seq->state == RDP_SEQ_MCS_CONNECT) {
		ok = connect_initial(seq, &r, &w);
	} else {
		choice = rd_u8(&r) >> 2;
		if (r.bad)
			ok = fail(seq, RDP_SEQ_MALFORMED, "an empty MCS PDU");
		else if (choice == MCS_DISCONNECT_PROVIDER_ULTIMATUM)
			ok = fail(seq, RDP_SEQ_DISCONNECTED,
				  "Disconnect Provider Ultimatum");
		else if (choice == MCS_ERECT_DOMAIN_REQUEST)
			ok = erect_domain(seq, &r);
		else if (choice == MCS_ATTACH_USER_REQUEST)
			ok = attach_user(seq, &r, &w);
		else if (choice == MCS_CHANNEL_JOIN_REQUEST)
			ok = channel_join(seq, &r, &w);
		else if (choice == MCS_SEND_DATA_REQUEST)
			ok = send_data(seq, &r, &w);
		else
			ok = fail(seq, RDP_SEQ_UNEXPECTED,
				  "an MCS PDU a client does not send");
	}
	if (ok && w.bad)
		ok = fail(seq, RDP_SEQ_NO_ROOM, "the answer does not fit");
	return ok ? (int)w.off : -1;
}

/**
 * rdp_seq_build_close - the server's end of a connection
 * @seq: the connection's state
 * @errinfo: a Set Error Info code (RDP_ERRINFO_*), or 0 for none
 * @out: where the PDUs go
 * @cap: its size (RDP_SEQ_MAX_OUT is always enough)
 *
 * Once the connection is active, and when the client core data said the
 * client takes one, a Set Error Info PDU with @errinfo; then, once MCS is
 * up, the MCS Disconnect Provider Ultimatum (rn-user-requested).  Before
 * the MCS Connect Response there is nothing to say.
 *
 * Return: the bytes of @out to send, or -1 when they do not fit.
 */
int rdp_seq_build_close(const struct rdp_seq *seq, unsigned int errinfo,
			unsigned char *out, size_t cap)
{
	struct rdp_wr w = { .p = out, .cap = cap };
	unsigned char info[4];
	size_t tpkt;

	if (seq->state == RDP_SEQ_MCS_CONNECT)
		return 0;
	if (errinfo && seq->state == RDP_SEQ_ACTIVE &&
	    (seq->early_capability_flags & RNS_UD_CS_SUPPORT_ERRINFO_PDU)) {
		rdp_put_le32(info, errinfo);
		wr_data_pdu(&w, PDUTYPE2_SET_ERROR_INFO_PDU, info, sizeof(info));
	}
	tpkt = wr_tpkt_open(&w);
	wr_u8(&w, MCS_DISCONNECT_PROVIDER_ULTIMATUM << 2 | 1);
	wr_u8(&w, 0x80);			/* rn-user-requested */
	wr_tpkt_close(&w, tpkt);
	return w.bad ? -1 : (int)w.off;
}

static bool same_folded(const char *a, const char *b)
{
	char x, y;

	do {
		x = *a++;
		y = *b++;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
	} while (x && x == y);
	return x == y;
}

/**
 * rdp_seq_same_user - whether the Client Info PDU names who authenticated
 * @authenticated: the user CredSSP authenticated, "DOMAIN\user"
 * @claimed: the Client Info PDU's user (struct rdp_seq's info_user)
 *
 * Return: true when they are the same name, ignoring ASCII case, or when
 * @claimed has no domain and names @authenticated's user.
 */
bool rdp_seq_same_user(const char *authenticated, const char *claimed)
{
	const char *user = strrchr(authenticated, '\\');

	if (!claimed[0])
		return false;
	if (same_folded(authenticated, claimed))
		return true;
	return user && !strchr(claimed, '\\') && same_folded(user + 1, claimed);
}

/**
 * rdp_seq_state_name - a state's name, for logs
 * @state: the state
 *
 * Return: "mcs-connect" ... "active"
 */
const char *rdp_seq_state_name(enum rdp_seq_state state)
{
	static const char *const names[RDP_SEQ_STATES] = {
		[RDP_SEQ_MCS_CONNECT] = "mcs-connect",
		[RDP_SEQ_ERECT_DOMAIN] = "erect-domain",
		[RDP_SEQ_ATTACH_USER] = "attach-user",
		[RDP_SEQ_CHANNEL_JOIN] = "channel-join",
		[RDP_SEQ_CLIENT_INFO] = "client-info",
		[RDP_SEQ_CONFIRM_ACTIVE] = "confirm-active",
		[RDP_SEQ_FINALIZATION] = "finalization",
		[RDP_SEQ_ACTIVE] = "active",
	};

	return (unsigned int)state < RDP_SEQ_STATES ? names[state] : "?";
}

/**
 * rdp_seq_error_name - an error's name, for logs
 * @error: the error
 *
 * Return: "ok", "malformed" ...
 */
const char *rdp_seq_error_name(enum rdp_seq_error error)
{
	static const char *const names[RDP_SEQ_ERRORS] = {
		[RDP_SEQ_OK] = "ok",
		[RDP_SEQ_MALFORMED] = "malformed",
		[RDP_SEQ_UNEXPECTED] = "unexpected",
		[RDP_SEQ_UNSUPPORTED] = "unsupported",
		[RDP_SEQ_DISCONNECTED] = "disconnected",
		[RDP_SEQ_NO_ROOM] = "no-room",
	};

	return (unsigned int)error < RDP_SEQ_ERRORS ? names[error] : "?";
}
