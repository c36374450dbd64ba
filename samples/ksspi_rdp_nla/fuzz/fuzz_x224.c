// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target of rdp_x224.h: the Connection Request parser of the
 * RDP front doors, the client's Connection Confirm parser and the Data
 * TPDU check, on arbitrary bytes.  The input is used twice: as it is, and
 * with its TPKT and X.224 lengths made consistent, so that the fuzzer
 * reaches the variable part without guessing them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdp_x224.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const unsigned char *p, size_t len)
{
	struct rdp_conn_request cr;
	unsigned char neg_type;
	unsigned int value;

	if (len >= RDP_TPKT_HEADER_LEN)
		(void)rdp_tpkt_length(p);
	if (rdp_parse_conn_request(p, len, &cr) == 0 &&
	    (cr.cookie_len > len || (cr.has_neg_req && len < 19)))
		abort();
	(void)rdp_parse_conn_confirm(p, len, &neg_type, &value);
	(void)rdp_parse_data(p, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;

	one(data, size);
	if (size < 5 || size > 65535)
		return 0;
	/* exactly @size bytes, so ASan sees any read past the end */
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[0] = RDP_TPKT_VERSION;
	copy[2] = size >> 8;
	copy[3] = size & 0xff;
	copy[4] = (size - 5) & 0xff;
	one(copy, size);
	free(copy);
	return 0;
}
