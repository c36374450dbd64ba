// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the SEC_CHANNEL_BINDINGS parser.  A structure it
 * accepts must let a handshake with the same bindings on both sides
 * succeed; one it refuses must fail the server with SEC_E_BAD_BINDINGS.
 */
#include <stdint.h>
#include <stdlib.h>

#include <linux/ksspi_sspi.h>

#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	uint8_t hash[16];
	struct hs h = {
		.user = T_USER, .domain = T_DOMAIN, .password = T_PASSWORD,
		.isc_req = ISC_REQ_INTEGRITY, .asc_req = ASC_REQ_INTEGRITY,
		.server_cb = data, .server_cb_len = size,
	};
	bool ok;

	if (!ready) {
		ntlm_test_server_setup(false, NULL, 0);
		ready = true;
	}
	ok = ntlm_channel_bindings_hash(data, size, hash) == 0;
	if (size == 0)
		return 0;	/* no bindings at all */
	if (ok) {
		h.client_cb = data;
		h.client_cb_len = size;
	}
	ntlm_handshake(&h);
	if (ok ? h.done.status != SEC_E_OK :
		 h.done.status != SEC_E_BAD_BINDINGS)
		abort();
	ntlm_handshake_free(&h);
	return 0;
}
