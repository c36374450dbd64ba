// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the KsspiTest token parsers, on both legs of both
 * sides.  The first input byte picks the leg, the rest is the token:
 *   0  server first leg (type 1 expected)
 *   1  client second leg, after a real first leg (type 2 expected)
 *   2  server second leg, after a real first leg (type 3 expected)
 *   3  a whole handshake whose hello carries the rest as its payload
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "message.h"
#include "ksspitest/ksspitest.h"
#include "cancel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Already fired: a "sleep:" leg returns at once. */
static struct cancel cancelled;

static uint32_t leg(void *state, uint32_t op, bool first, const uint8_t *token,
		    size_t len, struct reply *reply)
{
	struct upcall up = { .op = op, .cancel = &cancelled };

	if (first) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
		up.user = strdup("alice");
		bytes_append(&up.password, "Passw0rd!", 9);
		up.present = UPCALL_BIT(UPCALL_USER) | UPCALL_BIT(UPCALL_PASSWORD);
	}
	bytes_append(&up.token, token, len);
	*reply = (struct reply){ 0 };
	pkg_test.step(state, &up, reply);
	upcall_free(&up);
	return reply->status;
}

static void server_first_leg(const uint8_t *token, size_t len)
{
	void *server = pkg_test.state_new();
	struct reply r;

	if (leg(server, KSSPI_OP_ACCEPT_CONTEXT, true, token, len, &r) ==
	    SEC_I_CONTINUE_NEEDED) {
		/*
		 * The challenge echoes the hello's payload, up to the end
		 * of a "need:" frame (the extra bytes are not used).
		 */
		size_t used = len - r.input_extra;

		if (r.input_extra > len - 21 || r.token.len != used ||
		    memcmp(r.token.data + 21, token + 21, used - 21) != 0)
			abort();
	}
	reply_clear(&r);
	pkg_test.state_free(server);
}

static void client_second_leg(const uint8_t *token, size_t len)
{
	void *client = pkg_test.state_new();
	struct reply r;

	if (leg(client, KSSPI_OP_INIT_CONTEXT, true, NULL, 0, &r) !=
	    SEC_I_CONTINUE_NEEDED)
		abort();
	reply_clear(&r);
	leg(client, KSSPI_OP_INIT_CONTEXT, false, token, len, &r);
	reply_clear(&r);
	pkg_test.state_free(client);
}

static void server_second_leg(const uint8_t *token, size_t len)
{
	static const uint8_t hello[21] = "KTST\1";
	void *server = pkg_test.state_new();
	struct reply r;

	if (leg(server, KSSPI_OP_ACCEPT_CONTEXT, true, hello, sizeof(hello),
		&r) != SEC_I_CONTINUE_NEEDED)
		abort();
	reply_clear(&r);
	/* Nonces are random: a fuzzed proof can never be right. */
	if (leg(server, KSSPI_OP_ACCEPT_CONTEXT, false, token, len, &r) ==
	    SEC_E_OK)
		abort();
	reply_clear(&r);
	pkg_test.state_free(server);
}

static void whole_handshake(const uint8_t *payload, size_t len)
{
	void *client = pkg_test.state_new(), *server = pkg_test.state_new();
	struct reply hello, challenge, proof, done;
	struct bytes type1 = { 0 };

	if (leg(client, KSSPI_OP_INIT_CONTEXT, true, NULL, 0, &hello) !=
	    SEC_I_CONTINUE_NEEDED)
		abort();
	bytes_append(&type1, hello.token.data, hello.token.len);
	bytes_append(&type1, payload, len);
	if (leg(server, KSSPI_OP_ACCEPT_CONTEXT, true, type1.data, type1.len,
		&challenge) == SEC_I_CONTINUE_NEEDED) {
		if (leg(client, KSSPI_OP_INIT_CONTEXT, false,
			challenge.token.data, challenge.token.len, &proof) !=
		    SEC_E_OK)
			abort();
		if (leg(server, KSSPI_OP_ACCEPT_CONTEXT, false,
			proof.token.data, proof.token.len, &done) != SEC_E_OK)
			abort();
		reply_clear(&proof);
		reply_clear(&done);
	}
	reply_clear(&hello);
	reply_clear(&challenge);
	bytes_free(&type1);
	pkg_test.state_free(client);
	pkg_test.state_free(server);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		cancel_init(&cancelled);
		cancel_fire(&cancelled);
		ready = true;
	}
	if (size < 1 || size - 1 > KSSPI_MAX_TOKEN)
		return 0;
	switch (data[0] % 4) {
	case 0:
		server_first_leg(data + 1, size - 1);
		break;
	case 1:
		client_second_leg(data + 1, size - 1);
		break;
	case 2:
		server_second_leg(data + 1, size - 1);
		break;
	case 3:
		whole_handshake(data + 1, size - 1);
		break;
	}
	return 0;
}
