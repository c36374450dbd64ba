// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "NTLM" package: per-handshake state, the dispatch of legs to the
 * client and server state machines, and the established context.
 *
 *	client (ISC)				server (ASC)
 *	leg 1: -> NEGOTIATE	------->	leg 1: NEGOTIATE -> CHALLENGE
 *	leg 2: CHALLENGE	<-------
 *	       -> AUTHENTICATE	------->	leg 2: AUTHENTICATE -> (none)
 *	       SEC_E_OK, context			SEC_E_OK, context
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>

#include "ctxblob.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/seal.h"

static void *ntlm_state_new(void)
{
	return calloc(1, sizeof(struct ntlm_state));
}

static void ntlm_state_free(void *opaque)
{
	struct ntlm_state *st = opaque;

	if (!st)
		return;
	bytes_free(&st->negotiate);
	bytes_free(&st->challenge);
	bytes_free(&st->password);
	bytes_free(&st->bindings);
	if (st->user) {
		explicit_bzero(st->user, strlen(st->user));
		free(st->user);
	}
	if (st->domain) {
		explicit_bzero(st->domain, strlen(st->domain));
		free(st->domain);
	}
	free(st->target);
	explicit_bzero(st, sizeof(*st));
	free(st);
}

bool ntlm_keep_bindings(struct ntlm_state *st, const struct upcall *up)
{
	if (!upcall_has(up, KSSPI_A_CHANNEL_BINDINGS) ||
	    up->channel_bindings.len == 0)
		return true;
	st->has_bindings = true;
	return bytes_append(&st->bindings, up->channel_bindings.data,
			    up->channel_bindings.len) == 0;
}

const struct bytes *ntlm_bindings(const struct ntlm_state *st,
				  const struct upcall *up)
{
	if (upcall_has(up, KSSPI_A_CHANNEL_BINDINGS) &&
	    up->channel_bindings.len)
		return &up->channel_bindings;
	if (st->has_bindings)
		return &st->bindings;
	return NULL;
}

void ntlm_establish(bool initiator, uint32_t flags,
		    const uint8_t session_key[NTLM_KEY_LEN],
		    const char *client_name, const char *server_name,
		    uint32_t context_attr, struct reply *reply)
{
	const uint16_t crit = KSSPI_CTX_REC_CRITICAL;
	uint8_t client_sign[NTLM_KEY_LEN], server_sign[NTLM_KEY_LEN];
	uint8_t client_seal[NTLM_KEY_LEN], server_seal[NTLM_KEY_LEN];
	uint8_t le_flags[4];
	int64_t expiry = (int64_t)time(NULL) + NTLM_CONTEXT_LIFETIME;
	struct bytes *blob = &reply->blob;
	int err;

	/*
	 * The kernel refuses a name record over KSSPI_CTX_MAX_NAME bytes; the
	 * legs bound the names so that this cannot happen.
	 */
	if (strlen(client_name) > KSSPI_CTX_MAX_NAME ||
	    (server_name && strlen(server_name) > KSSPI_CTX_MAX_NAME)) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	/* An anonymous context has no session security: ntlm.h */
	if (flags & NTLMSSP_NEGOTIATE_ANONYMOUS)
		flags &= ~NTLM_SESSION_SECURITY_FLAGS;

	ntlm_signkey(session_key, true, client_sign);
	ntlm_signkey(session_key, false, server_sign);
	ntlm_sealkey(flags, session_key, true, client_seal);
	ntlm_sealkey(flags, session_key, false, server_seal);
	ntlm_put_le32(le_flags, flags);

	err = ctxblob_begin(blob, NTLM_PACKAGE_NAME,
			    initiator ? KSSPI_CTX_F_INITIATOR : 0,
			    context_attr, expiry);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CLIENT_NAME, crit,
				  client_name, (uint32_t)strlen(client_name));
	if (!err && server_name)
		err = ctxblob_add(blob, KSSPI_CTX_REC_SERVER_NAME, crit,
				  server_name, (uint32_t)strlen(server_name));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_SESSION_KEY, crit,
				  session_key, NTLM_KEY_LEN);
	if (!err)
		err = ctxblob_add_le64(blob, KSSPI_CTX_REC_SEND_SEQ, crit, 0);
	if (!err)
		err = ctxblob_add_le64(blob, KSSPI_CTX_REC_RECV_SEQ, crit, 0);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_NTLM_FLAGS, crit,
				  le_flags, sizeof(le_flags));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT, crit,
				  initiator ? client_sign : server_sign,
				  NTLM_KEY_LEN);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_NTLM_SIGN_KEY_IN, crit,
				  initiator ? server_sign : client_sign,
				  NTLM_KEY_LEN);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT, crit,
				  initiator ? client_seal : server_seal,
				  NTLM_KEY_LEN);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_NTLM_SEAL_KEY_IN, crit,
				  initiator ? server_seal : client_seal,
				  NTLM_KEY_LEN);
	if (!err)
		err = ctxblob_finish(blob);

	explicit_bzero(client_sign, sizeof(client_sign));
	explicit_bzero(server_sign, sizeof(server_sign));
	explicit_bzero(client_seal, sizeof(client_seal));
	explicit_bzero(server_seal, sizeof(server_seal));

	ctxblob_reply(reply, err, context_attr, expiry);
}

static void ntlm_step(void *opaque, const struct upcall *up,
		      struct reply *reply)
{
	struct ntlm_state *st = opaque;
	bool initiator = up->op == KSSPI_OP_INIT_CONTEXT;

	switch (st->stage) {
	case NTLM_NEW:
		if (initiator)
			ntlm_client_negotiate(st, up, reply);
		else
			ntlm_server_challenge(st, up, reply);
		break;
	case NTLM_CLIENT_SENT_NEGOTIATE:
		ntlm_client_authenticate(st, up, reply);
		break;
	case NTLM_SERVER_SENT_CHALLENGE:
		ntlm_server_verify(st, up, reply);
		break;
	}
}

static uint32_t ntlm_failure_ntstatus(void *opaque)
{
	const struct ntlm_state *st = opaque;

	return st->failure_ntstatus;
}

const struct package pkg_ntlm = {
	.name = NTLM_PACKAGE_NAME,
	.state_new = ntlm_state_new,
	.state_free = ntlm_state_free,
	.step = ntlm_step,
	.inner_new = ntlm_inner_new,
	.inner_wrap = ntlm_inner_wrap,
	.inner_unwrap = ntlm_inner_unwrap,
	.inner_free = ntlm_inner_free,
	.inner_export = ntlm_inner_export,
	.inner_sign = ntlm_inner_sign,
	.inner_verify = ntlm_inner_verify,
	.failure_ntstatus = ntlm_failure_ntstatus,
};
