// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the AUTHENTICATE parser, directly and as the second
 * leg of the NTLM server (after a real NEGOTIATE and CHALLENGE).
 *
 * Input byte 0 even: the rest is the AUTHENTICATE.  Odd: a real client's
 * AUTHENTICATE for this very challenge, patched by the rest of the input
 * taken as (offset le16, xor byte) triples, so that the checks after the
 * parser (proof, MIC, bindings, target name) are reached too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "../ntlm.h"
#include "../ntlm_msg.h"
#include "../tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t isc_req = ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY;
static const uint32_t asc_req = ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static const char *const spns[] = { "HTTP/srv" };
	struct ntlm_authenticate a;
	struct reply neg, chal, auth, done;
	struct bytes token = { 0 };
	void *client, *server;
	bool patch;
	size_t i;
	struct leg l;

	if (!ready) {
		ntlm_test_server_setup(true, spns, 1);
		ready = true;
	}
	if (size == 0)
		return 0;
	patch = data[0] & 1;
	data++;
	size--;
	(void)ntlm_authenticate_decode(data, size, &a);

	client = pkg_ntlm.state_new();
	server = pkg_ntlm.state_new();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = isc_req, .user = T_USER, .domain = T_DOMAIN,
			  .password = T_PASSWORD, .target = "HTTP/srv" };
	ntlm_run_leg(client, &l, &neg);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = asc_req, .token = neg.token.data,
			  .token_len = neg.token.len };
	ntlm_run_leg(server, &l, &chal);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = isc_req,
			  .token = chal.token.data,
			  .token_len = chal.token.len };
	ntlm_run_leg(client, &l, &auth);
	if (auth.status != SEC_E_OK)
		abort();

	if (patch) {
		bytes_append(&token, auth.token.data, auth.token.len);
		for (i = 0; i + 3 <= size; i += 3) {
			size_t at = (size_t)(data[i] | data[i + 1] << 8);

			if (at < token.len)
				token.data[at] ^= data[i + 2];
		}
	} else {
		bytes_append(&token, data, size);
	}
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .req = asc_req,
			  .token = token.data, .token_len = token.len };
	ntlm_run_leg(server, &l, &done);
	/* Only the untouched message may succeed */
	if (done.status == SEC_E_OK &&
	    (token.len != auth.token.len ||
	     memcmp(token.data, auth.token.data, token.len) != 0))
		abort();

	reply_clear(&neg);
	reply_clear(&chal);
	reply_clear(&auth);
	reply_clear(&done);
	bytes_free(&token);
	pkg_ntlm.state_free(client);
	pkg_ntlm.state_free(server);
	return 0;
}
