// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the user-to-user token readers of
 * kerberos/u2u_token.c on hostile input: the framing with the
 * user-to-user OID, KERB-TGT-REQUEST and KERB-TGT-REPLY.  Input byte 0
 * picks the reader (bit 0: the reply; bit 1: the message without the
 * framing); the rest is the token.  A token that unframes must frame back
 * to the same bytes (DER has one form), and a reply's Ticket must come
 * back from the reply made of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kerberos/kerberos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const uint8_t *der, size_t len)
{
	struct bytes ticket = { 0 }, again = { 0 }, ticket2 = { 0 };

	if (kerberos_tgt_reply_ticket(der, len, &ticket) == 0) {
		if (!ticket.len || ticket.len > len ||
		    kerberos_tgt_reply_encode(ticket.data, ticket.len, &again) ||
		    kerberos_tgt_reply_ticket(again.data, again.len, &ticket2) ||
		    ticket2.len != ticket.len ||
		    memcmp(ticket2.data, ticket.data, ticket.len))
			abort();
	}
	bytes_free(&ticket);
	bytes_free(&again);
	bytes_free(&ticket2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes framed = { 0 };
	const uint8_t *body;
	uint16_t tok_id;
	size_t body_len;
	bool reply;

	if (!size)
		return 0;
	reply = data[0] & 1;
	if (data[0] & 2) {
		if (reply)
			check_reply(data + 1, size - 1);
		else
			(void)kerberos_tgt_request_check(data + 1, size - 1);
		return 0;
	}
	if (kerberos_u2u_unframe(data + 1, size - 1, &tok_id, &body,
				 &body_len))
		return 0;
	if (!kerberos_u2u_framed(data + 1, size - 1) ||
	    kerberos_u2u_frame(tok_id, body, body_len, &framed) ||
	    framed.len != size - 1 || memcmp(framed.data, data + 1, size - 1))
		abort();
	bytes_free(&framed);
	if (tok_id == KERBEROS_U2U_TOK_TGT_REP || reply)
		check_reply(body, body_len);
	else
		(void)kerberos_tgt_request_check(body, body_len);
	return 0;
}
