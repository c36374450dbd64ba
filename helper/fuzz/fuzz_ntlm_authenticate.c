// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the AUTHENTICATE parser, directly and as the second
 * leg of the NTLM server (after a real NEGOTIATE and CHALLENGE).
 *
 * Input byte 0, bit 0 clear: the rest is the AUTHENTICATE.  Set: a real
 * client's AUTHENTICATE for this very challenge, patched by the rest of
 * the input taken as (offset le16, xor byte) triples, so that the checks
 * after the parser (proof, MIC, bindings, target name) are reached too.
 * Bit 1 set: the handshake is in OEM (a NEGOTIATE without UNICODE, the
 * AUTHENTICATE's names in code page 437, built by the test harness).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "ntlm/ntlm.h"
#include "ntlm/msg.h"
#include "tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t isc_req = ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY;
static const uint32_t asc_req = ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static const char *const spns[] = { "HTTP/srv" };
	struct ntlm_authenticate a;
	struct ntlm_challenge c;
	struct reply neg, chal, auth = { 0 }, done;
	struct bytes token = { 0 }, real = { 0 }, oem_neg = { 0 };
	struct test_auth t;
	uint8_t key[16];
	void *client, *server;
	bool patch, oem;
	size_t i;
	struct leg l;

	if (!ready) {
		ntlm_test_server_setup(true, spns, 1);
		ready = true;
	}
	if (size == 0)
		return 0;
	patch = data[0] & 1;
	oem = data[0] & 2;
	data++;
	size--;
	(void)ntlm_authenticate_decode(data, size, &a);

	client = pkg_ntlm.state_new();
	server = pkg_ntlm.state_new();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = isc_req, .user = T_USER, .domain = T_DOMAIN,
			  .password = T_PASSWORD, .target = "HTTP/srv" };
	ntlm_run_leg(client, &l, &neg);
	if (oem) {
		/* Samba's NEGOTIATE with "unicode = no", signing and sealing */
		ntlm_negotiate_encode(&oem_neg, 0x62088236u,
				      &ntlm_our_version);
		l.token = oem_neg.data;
		l.token_len = oem_neg.len;
	} else {
		l.token = neg.token.data;
		l.token_len = neg.token.len;
	}
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = asc_req, .token = l.token,
			  .token_len = l.token_len };
	ntlm_run_leg(server, &l, &chal);
	if (chal.status != SEC_I_CONTINUE_NEEDED)
		abort();
	if (oem) {
		ntlm_challenge_decode(chal.token.data, chal.token.len, &c);
		t = (struct test_auth){
			.user = T_USER, .domain = T_DOMAIN,
			.password = T_PASSWORD,
			.user_wire = (const uint8_t *)T_USER,
			.user_wire_len = strlen(T_USER),
			.domain_wire = (const uint8_t *)T_DOMAIN,
			.domain_wire_len = strlen(T_DOMAIN),
			.flags = c.flags, .version = true, .mic = true,
		};
		ntlm_test_authenticate(&oem_neg, &chal.token, &t, &real, key);
	} else {
		l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = isc_req,
				  .token = chal.token.data,
				  .token_len = chal.token.len };
		ntlm_run_leg(client, &l, &auth);
		if (auth.status != SEC_E_OK)
			abort();
		bytes_append(&real, auth.token.data, auth.token.len);
	}

	if (patch) {
		bytes_append(&token, real.data, real.len);
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
	    (token.len != real.len ||
	     memcmp(token.data, real.data, token.len) != 0))
		abort();
	/* ...and the untouched one does: the OEM path verifies for real */
	if (patch && oem && size < 3 && done.status != SEC_E_OK)
		abort();

	reply_clear(&neg);
	reply_clear(&chal);
	reply_clear(&auth);
	reply_clear(&done);
	bytes_free(&token);
	bytes_free(&real);
	bytes_free(&oem_neg);
	pkg_ntlm.state_free(client);
	pkg_ntlm.state_free(server);
	return 0;
}
