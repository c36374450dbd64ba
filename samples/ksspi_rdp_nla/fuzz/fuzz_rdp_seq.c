// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target of rdp_seq.c, the server side of the RDP connection
 * sequence the front doors run after NLA.  The first byte says how many
 * of xfreerdp's real PDUs (tests/rdp_seq_freerdp.h) go first (its low
 * four bits), so that the fuzzer starts from any state up to
 * finalization, and which protocol the Connection Confirm selected (bit
 * 4); the rest is cut into TPKTs by their own headers (a bad header: the
 * rest in one) and fed one by one, each from a buffer of its exact size.
 * Every answer must be whole TPKTs within RDP_SEQ_MAX_OUT, and so must
 * the closing PDUs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdp_seq.h"
#include "rdp_x224.h"
#include "rdp_seq_freerdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @n bytes of whole X.224 Data TPKTs, or abort() */
static void check_tpkts(const unsigned char *p, int n)
{
	unsigned int len;

	if (n < 0 || n > RDP_SEQ_MAX_OUT)
		abort();
	while (n > 0) {
		if (n < RDP_TPKT_HEADER_LEN)
			abort();
		len = rdp_tpkt_length(p);
		if (!len || len > (unsigned int)n || rdp_parse_data(p, len) < 0)
			abort();
		p += len;
		n -= (int)len;
	}
}

static void feed(struct rdp_seq *seq, const unsigned char *p, size_t len)
{
	static unsigned char out[RDP_SEQ_MAX_OUT];
	unsigned char *copy = malloc(len ? len : 1);
	int n;

	if (!copy)
		return;
	memcpy(copy, p, len);
	n = rdp_seq_input(seq, copy, len, out, sizeof(out));
	free(copy);
	if (n >= 0)
		check_tpkts(out, n);
	else if (seq->error == RDP_SEQ_OK || seq->error >= RDP_SEQ_ERRORS ||
		 !seq->why)
		abort();
	if ((unsigned int)seq->state >= RDP_SEQ_STATES ||
	    !memchr(seq->info_user, 0, sizeof(seq->info_user)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[RDP_SEQ_MAX_OUT];
	struct rdp_seq seq;
	size_t prefix, i, off, len;

	if (size < 1)
		return 0;
	prefix = data[0] & 0x0f;
	if (prefix > FREERDP_PDUS)
		prefix = FREERDP_PDUS;
	rdp_seq_init(&seq, FREERDP_REQUESTED_PROTOCOLS,
		     data[0] & 0x10 ? RDP_PROTOCOL_HYBRID :
		     FREERDP_SELECTED_PROTOCOL);
	for (i = 0; i < prefix; i++)
		feed(&seq, freerdp_sequence[i].p, freerdp_sequence[i].len);
	for (off = 1; off < size; off += len) {
		len = size - off;
		if (len >= RDP_TPKT_HEADER_LEN) {
			i = rdp_tpkt_length(data + off);
			if (i && i <= len)
				len = i;
		}
		feed(&seq, data + off, len);
	}
	check_tpkts(out, rdp_seq_build_close(&seq, RDP_ERRINFO_LOGOFF_BY_USER,
					     out, sizeof(out)));
	return 0;
}
