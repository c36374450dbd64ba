// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the Negotiate initiator (spnego/client.c) on hostile
 * acceptor answers.  The initiator is TESTDOM\alice, whose domain has no
 * KDC (KRB5_CONFIG=/dev/null), so it offers NTLM; the input is up to
 * three answers, each preceded by its length (le16), given in turn as its
 * next legs.  The first answer may be a negTokenInit2 given to the first
 * leg when byte 0 of the input is odd.
 *
 * Whatever comes in: no crash, no leak; a leg that continues has a token
 * to send; SEC_E_OK comes with a Negotiate blob.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "message.h"
#include "spnego/negotiate.h"
#include "tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LEGS	4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char password[] = T_PASSWORD;
	bool hint;
	void *st;
	int legs;

	setenv("KRB5_CONFIG", "/dev/null", 1);
	if (!size)
		return 0;
	hint = data[0] & 1;
	data++;
	size--;
	st = pkg_negotiate.state_new();
	if (!st)
		abort();
	for (legs = 0; legs < MAX_LEGS; legs++) {
		struct upcall up = { .op = KSSPI_OP_INIT_CONTEXT, .uid = 1000 };
		struct reply r = { 0 };
		size_t len = 0;

		if (legs || hint) {
			if (size < 2)
				break;
			len = data[0] | (size_t)data[1] << 8;
			data += 2;
			size -= 2;
			if (len > size)
				len = size;
		}
		up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_UID) |
			     UPCALL_BIT(KSSPI_A_FLAGS) |
			     UPCALL_BIT(KSSPI_A_CONTEXT_REQ);
		up.context_req = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY;
		up.package = (char *)NEGOTIATE_PACKAGE_NAME;
		if (!legs) {
			up.flags = KSSPI_UPCALL_F_FIRST_LEG;
			up.user = (char *)T_USER;
			up.domain = (char *)T_DOMAIN;
			up.password = (struct bytes){ (uint8_t *)password,
						      sizeof(password) - 1,
						      sizeof(password) - 1 };
			up.target_name = (char *)"host/srv.test.local";
			up.present |= UPCALL_BIT(UPCALL_USER) |
				      UPCALL_BIT(UPCALL_DOMAIN) |
				      UPCALL_BIT(UPCALL_PASSWORD) |
				      UPCALL_BIT(KSSPI_A_TARGET_NAME);
		}
		if (len) {
			up.token = (struct bytes){ (uint8_t *)data, len, len };
			up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
		}
		data += len;
		size -= len;
		pkg_negotiate.step(st, &up, &r);
		if (r.status == SEC_I_CONTINUE_NEEDED && !r.token.len)
			abort();
		if (r.status == SEC_E_OK &&
		    (r.blob.len < sizeof(struct ksspi_ctx_header) ||
		     strcmp(((const struct ksspi_ctx_header *)r.blob.data)->package,
			    NEGOTIATE_PACKAGE_NAME)))
			abort();
		reply_clear(&r);
		if (r.status != SEC_I_CONTINUE_NEEDED)
			break;
	}
	pkg_negotiate.state_free(st);
	return 0;
}
