// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SPNEGO token decoder (spnego/token.c) on hostile input: it never
 * crashes or leaks, keeps within SPNEGO_MAX_MECHS, leaves the output empty
 * on failure, and what it accepts as a negTokenResp encodes again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "spnego/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spnego_token t = { 0 };
	struct bytes der = { 0 };
	int err;

	err = spnego_token_decode(data, size, &t);
	if (err) {
		if (t.mech_count || t.mech_token.len || t.response_token.len ||
		    t.mech_types_der.len || t.mech_list_mic.len)
			abort();
		return 0;
	}
	if (t.mech_count > SPNEGO_MAX_MECHS)
		abort();
	if (t.kind == SPNEGO_TOKEN_INIT && !t.mech_types_der.len)
		abort();
	if (t.kind == SPNEGO_TOKEN_RESP &&
	    spnego_resp_encode(t.has_neg_state ? (int)t.neg_state : -1,
			       t.has_supported_mech ? t.supported_mech :
			       SPNEGO_MECH_OTHER, &t.response_token,
			       &t.mech_list_mic, &der) == -EINVAL)
		abort();
	bytes_free(&der);
	spnego_token_clear(&t);
	return 0;
}
