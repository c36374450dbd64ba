// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Negotiate acceptor's first-token classifier (spnego/first_token.c)
 * on hostile input: no crash, and its answer agrees with the framing and
 * with the SPNEGO decoder (a framed token the decoder accepts is SPNEGO).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spnego/first_token.h"
#include "spnego/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum spnego_first_token kind = spnego_first_token_kind(data, size);
	struct spnego_token t = { 0 };

	switch (kind) {
	case SPNEGO_FIRST_RAW_NTLM:
		if (size < 8 || memcmp(data, "NTLMSSP", 8))
			abort();
		break;
	case SPNEGO_FIRST_SPNEGO:
	case SPNEGO_FIRST_RAW_KRB5:
		if (data[0] != 0x60)
			abort();
		break;
	case SPNEGO_FIRST_INVALID:
		break;
	}
	if (size && data[0] == 0x60 && !spnego_token_decode(data, size, &t)) {
		if (kind != SPNEGO_FIRST_SPNEGO)
			abort();
		spnego_token_clear(&t);
	}
	return 0;
}
