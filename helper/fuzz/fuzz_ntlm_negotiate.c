// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the NEGOTIATE parser, directly and as the first leg of
 * the NTLM server.  A CHALLENGE the server answers with must decode, with
 * a well-formed AV pair list, and fit NTLM_MAX_TOKEN (its target info
 * NTLM_MAX_TARGET_INFO); it never offers signing or sealing with keys
 * under 128 bits, and speaks one character set.
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
	static bool ready;
	struct ntlm_negotiate n;
	struct ntlm_challenge c;
	struct ntlm_av_list av;
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			 .req = ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY,
			 .token = data, .token_len = size };
	struct reply r;
	void *server;

	if (!ready) {
		ntlm_test_server_setup(false, NULL, 0);
		ready = true;
	}
	(void)ntlm_negotiate_decode(data, size, &n);

	server = pkg_ntlm.state_new();
	ntlm_run_leg(server, &l, &r);
	if (r.status == SEC_I_CONTINUE_NEEDED) {
		if (r.token.len > NTLM_MAX_TOKEN ||
		    ntlm_challenge_decode(r.token.data, r.token.len, &c) ||
		    c.target_info.len > NTLM_MAX_TARGET_INFO ||
		    ntlm_av_decode(c.target_info.data, c.target_info.len,
				   false, &av) ||
		    !av.present[MSV_AV_TIMESTAMP] ||
		    ntlm_weak_keys(c.flags) ||
		    !(c.flags & NTLMSSP_NEGOTIATE_UNICODE) ==
		    !(c.flags & NTLM_NEGOTIATE_OEM))
			abort();
	} else if (r.status != SEC_E_INVALID_TOKEN &&
		   r.status != SEC_E_ALGORITHM_MISMATCH &&
		   r.status != SEC_E_UNSUPPORTED_FUNCTION) {
		abort();
	}
	reply_clear(&r);
	pkg_ntlm.state_free(server);
	return 0;
}
