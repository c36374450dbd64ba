// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the CredSSP server's handling of decrypted TSRequests
 * (credssp_server_message(): the inner NTLM tokens, pubKeyAuth, authInfo,
 * the version rules), without TLS: the server's public key is a fixed
 * string, as if the handshake had shown it.
 *
 * Input byte 0, bit 0 clear: the rest is up to four TSRequests, each
 * preceded by its length (le16), given to a new server in turn.  Set: the
 * package's own client talks to the server (both without TLS), and the
 * rest of the input, taken as (message le8, offset le16, xor byte)
 * quadruples, patches the client's messages, so that the checks after
 * the decoder (NTLM's proof, pubKeyAuth, the nonce, authInfo) are reached
 * too.  Bits 1-3: the version the client offers (2 + value % 5); bit 4:
 * the client delegates its credentials (ISC_REQ_DELEGATE, allowed by the
 * policy).
 *
 * Whatever comes in: no crash, no leak, and the server's answers decode;
 * SEC_E_OK only after authInfo, with credentials that decode.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "credssp/credssp.h"
#include "credssp/tsrequest.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "tests/ntlm_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MESSAGES	4

/* What pubKeyAuth binds: a P-256 point's length, any bytes. */
static const uint8_t public_key[65] = { 0x04, 1, 2, 3, 4, 5, 6, 7, 8 };

static struct credssp_state *new_state(bool initiator)
{
	struct credssp_state *st = pkg_credssp.state_new();

	if (!st)
		abort();
	st->initiator = initiator;
	st->stage = CREDSSP_NEGO;
	if (bytes_append(&st->public_key, public_key, sizeof(public_key)))
		abort();
	return st;
}

static void upcall_for(struct upcall *up, uint32_t op)
{
	*up = (struct upcall){ .op = op, .uid = 1000, .pid = 1 };
	up->present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_UID) |
		      UPCALL_BIT(KSSPI_A_PID);
}

/* The server's answer must be a TSRequest it could send. */
static void check_answer(const struct credssp_state *st,
			 const struct bytes *answer, uint32_t status)
{
	struct ts_request r = { 0 };
	struct ts_credentials c = { 0 };

	if (answer->len && ts_request_decode(answer->data, answer->len, &r))
		abort();
	ts_request_clear(&r);
	if (status == SEC_E_OK &&
	    (st->stage != CREDSSP_DONE || answer->len ||
	     (st->credentials.len &&
	      ts_credentials_decode(st->credentials.data,
				    st->credentials.len, &c))))
		abort();
	ts_credentials_clear(&c);
}

/* Gives @len bytes to the server; false when it is done or failed. */
static bool server_takes(struct credssp_state *server, const uint8_t *msg,
			 size_t len, struct bytes *answer)
{
	struct upcall up;
	struct reply r = { 0 };

	upcall_for(&up, KSSPI_OP_ACCEPT_CONTEXT);
	credssp_server_message(server, &up, msg, len, answer, &r);
	check_answer(server, answer, r.status);
	reply_clear(&r);
	return r.status == SEC_I_CONTINUE_NEEDED;
}

static void raw(const uint8_t *data, size_t size)
{
	struct credssp_state *server = new_state(false);
	struct bytes answer = { 0 };
	int i;

	for (i = 0; i < MAX_MESSAGES && size >= 2; i++) {
		size_t len = (size_t)(data[0] | data[1] << 8);

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		bytes_free(&answer);
		if (!server_takes(server, data, len, &answer))
			break;
		data += len;
		size -= len;
	}
	bytes_free(&answer);
	pkg_credssp.state_free(server);
}

/* The quadruples of @patch that concern message @index. */
static void apply(struct bytes *msg, unsigned int index,
		  const uint8_t *patch, size_t len)
{
	for (; len >= 4; patch += 4, len -= 4) {
		size_t at = (size_t)(patch[1] | patch[2] << 8);

		if (patch[0] % MAX_MESSAGES == index && at < msg->len)
			msg->data[at] ^= patch[3];
	}
}

static void patched(uint32_t version, bool delegate, const uint8_t *patch,
		    size_t len)
{
	struct credssp_state *client = new_state(true);
	struct credssp_state *server = new_state(false);
	struct bytes to_server = { 0 }, to_client = { 0 };
	struct upcall up;
	struct reply r = { 0 };
	unsigned int i;

	client->offered = version;
	client->context_req = delegate ? ISC_REQ_DELEGATE : 0;
	client->user = strdup(T_USER);
	client->domain = strdup(T_DOMAIN);
	if (!client->user || !client->domain ||
	    bytes_append(&client->password, T_PASSWORD, strlen(T_PASSWORD)))
		abort();
	client->target = strdup("TERMSRV/srv");
	upcall_for(&up, KSSPI_OP_INIT_CONTEXT);
	credssp_client_handshake_done(client, &up, &to_server, &r);
	for (i = 0; i < MAX_MESSAGES && r.status == SEC_I_CONTINUE_NEEDED;
	     i++) {
		reply_clear(&r);
		apply(&to_server, i, patch, len);
		bytes_free(&to_client);
		if (!server_takes(server, to_server.data, to_server.len,
				  &to_client))
			break;
		bytes_free(&to_server);
		upcall_for(&up, KSSPI_OP_INIT_CONTEXT);
		credssp_client_message(client, &up, to_client.data,
				       to_client.len, &to_server, &r);
		if (r.status == SEC_E_OK && to_server.len) {
			/* authInfo, the client's last message */
			apply(&to_server, i + 1, patch, len);
			bytes_free(&to_client);
			server_takes(server, to_server.data, to_server.len,
				     &to_client);
			break;
		}
	}
	reply_clear(&r);
	bytes_free(&to_server);
	bytes_free(&to_client);
	pkg_credssp.state_free(client);
	pkg_credssp.state_free(server);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		static struct credssp_options opts = {
			.delegate_ntlm_only = { "*" },
			.delegate_ntlm_only_count = 1,
		};

		ntlm_test_server_setup(false, NULL, 0);
		if (credssp_config_setup(&opts))
			abort();
		ready = true;
	}
	if (size == 0)
		return 0;
	if (data[0] & 1)
		patched(2 + (uint32_t)(data[0] >> 1 & 7) % 5, data[0] & 16,
			data + 1, size - 1);
	else
		raw(data + 1, size - 1);
	return 0;
}
