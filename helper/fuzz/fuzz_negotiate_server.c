// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the Negotiate acceptor (spnego/server.c) on hostile
 * tokens.  The input is up to four tokens, each preceded by its length
 * (le16), given in turn to one acceptor as its legs; the NTLM server of
 * ntlm_harness.c answers NTLM, and no keytab is configured, so Kerberos
 * is never chosen (a raw AP-REQ reaches MIT's acceptor, which refuses it).
 *
 * Whatever comes in: no crash, no leak; a leg that continues answers with
 * a token; SEC_E_OK comes with a Negotiate blob naming its package.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "spnego/negotiate.h"
#include "tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LEGS	4

static void check_done(const struct reply *r)
{
	const uint8_t *mech;
	uint32_t len;

	if (r->blob.len < sizeof(struct ksspi_ctx_header) ||
	    strcmp(((const struct ksspi_ctx_header *)r->blob.data)->package,
		   NEGOTIATE_PACKAGE_NAME) ||
	    ctxblob_find(r->blob.data, r->blob.len, KSSPI_CTX_REC_NEGO_MECH,
			 &mech, &len) ||
	    !((len == 4 && !memcmp(mech, "NTLM", 4)) ||
	      (len == 8 && !memcmp(mech, "Kerberos", 8))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	void *st;
	int legs;

	if (!ready) {
		ntlm_test_server_setup(false, NULL, 0);
		if (kerberos_config_setup("FILE:/nonexistent/ksspi-fuzz.keytab"))
			abort();
		ready = true;
	}
	st = pkg_negotiate.state_new();
	if (!st)
		abort();
	for (legs = 0; legs < MAX_LEGS && size >= 2; legs++) {
		size_t len = data[0] | (size_t)data[1] << 8;
		struct upcall up = { .op = KSSPI_OP_ACCEPT_CONTEXT, .uid = 1000 };
		struct reply r = { 0 };

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_UID) |
			     UPCALL_BIT(KSSPI_A_FLAGS);
		up.flags = legs ? 0 : KSSPI_UPCALL_F_FIRST_LEG;
		up.package = (char *)NEGOTIATE_PACKAGE_NAME;
		if (len) {
			up.token = (struct bytes){ (uint8_t *)data, len, len };
			up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
		}
		data += len;
		size -= len;
		pkg_negotiate.step(st, &up, &r);
		if (r.status == SEC_I_CONTINUE_NEEDED && !r.token.len)
			abort();
		if (r.status == SEC_E_OK)
			check_done(&r);
		reply_clear(&r);
		if (r.status != SEC_I_CONTINUE_NEEDED)
			break;
	}
	pkg_negotiate.state_free(st);
	return 0;
}
