// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the CHALLENGE parser, directly and as the second leg
 * of the NTLM client (after a real first leg, with channel bindings and a
 * target name).  An AUTHENTICATE the client answers with must decode, with
 * a well-formed NTLMv2 response carrying the MIC flag, and fit
 * NTLM_MAX_TOKEN, in one character set, never signing or sealing with keys
 * under 128 bits; a CHALLENGE whose target info exceeds
 * NTLM_MAX_TARGET_INFO must be refused.
 */
#include <stdint.h>
#include <stdlib.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "ntlm/ntlm.h"
#include "ntlm/msg.h"
#include "tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t cb[40] = { [24] = 8, [28] = 32, [32] = 'x' };
	const uint32_t req = ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY;
	struct ntlm_challenge c;
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			 .req = req, .user = T_USER, .domain = T_DOMAIN,
			 .password = T_PASSWORD, .target = "HTTP/srv" };
	struct reply r;
	void *client;

	(void)ntlm_challenge_decode(data, size, &c);

	client = pkg_ntlm.state_new();
	ntlm_run_leg(client, &l, &r);
	reply_clear(&r);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = req,
			  .token = data, .token_len = size, .cb = cb,
			  .cb_len = sizeof(cb) };
	ntlm_run_leg(client, &l, &r);
	if (r.status == SEC_E_OK) {
		if (r.token.len > NTLM_MAX_TOKEN ||
		    ntlm_challenge_decode(data, size, &c) ||
		    c.target_info.len > NTLM_MAX_TARGET_INFO ||
		    ntlm_authenticate_decode(r.token.data, r.token.len, &a) ||
		    a.payload_start != NTLM_AUTH_HDR ||
		    ntlm_v2_response_decode(a.nt_response.data,
					    a.nt_response.len, &v2) ||
		    !(v2.av.flags & MSV_AV_FLAG_MIC_PRESENT) ||
		    ntlm_weak_keys(a.flags) ||
		    !(a.flags & NTLMSSP_NEGOTIATE_UNICODE) ==
		    !(a.flags & NTLM_NEGOTIATE_OEM) ||
		    r.blob.len == 0)
			abort();
	} else if (r.status != SEC_E_INVALID_TOKEN &&
		   r.status != SEC_E_ALGORITHM_MISMATCH &&
		   r.status != SEC_E_UNSUPPORTED_FUNCTION) {
		abort();
	}
	reply_clear(&r);
	pkg_ntlm.state_free(client);
	return 0;
}
