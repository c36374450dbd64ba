// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiate's acceptor (RFC 4178 3.2, MS-SPNG 3.2.5).
 *
 * Its first input is a negTokenInit, or a raw NTLM or Kerberos token that
 * is then answered in kind through the whole handshake, as Windows does
 * (first_token.c); with no input at all it answers with a negTokenInit2
 * (an SMB server's first token) and takes the initiator's negTokenInit
 * next.  It chooses the first mechanism of the initiator's list it can
 * serve (choice.c): Kerberos only when its keytab holds a key.  When that
 * is not the initiator's first choice, or the optimistic token was for
 * another mechanism, both sides must send a mechListMIC (RFC 4178 5) and
 * the acceptor asks for a token of its choice (a counter-proposal).  An
 * initiator's MIC is always checked and answered with ours.
 */
#include <string.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "kerberos/kerberos.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "spnego/choice.h"
#include "spnego/first_token.h"
#include "spnego/negotiate.h"

/* What @up's caller can accept with: Kerberos needs the keytab */
static unsigned int available_packages(const struct upcall *up)
{
	return SPNEGO_PKG_NTLM |
	       (kerberos_can_accept(up) ? SPNEGO_PKG_KERBEROS : 0);
}

static const struct package *package_of(enum spnego_mech mech)
{
	return spnego_mech_package(mech) == SPNEGO_PKG_KERBEROS ?
	       &pkg_kerberos : &pkg_ntlm;
}

/* The mechanism this answer names: only the first answer names one */
static enum spnego_mech take_supported(struct nego_state *st)
{
	enum spnego_mech mech = st->first_response_done ? SPNEGO_MECH_OTHER :
							  st->mech;

	st->first_response_done = true;
	return mech;
}

/* A failed leg: the status, and a reject token for EXTENDED_ERROR */
static void server_fail(struct reply *reply, uint32_t status,
			enum spnego_mech supported, const struct bytes *token)
{
	nego_send_resp(reply, SPNEGO_REJECT, supported, token, NULL, status);
	if (reply->status == SEC_E_INSUFFICIENT_MEMORY ||
	    reply->status == SEC_E_INTERNAL_ERROR)
		reply->status = status;
}

/* The inner context is established: the mechListMICs, then the end. */
static void server_done(struct nego_state *st, const struct bytes *peer_mic,
			const struct bytes *final_token,
			enum spnego_mech supported, struct reply *reply)
{
	struct bytes mic = {};
	uint32_t status;

	if (peer_mic->len) {
		status = nego_mic_verify(st, peer_mic);
		if (status != SEC_E_OK) {
			server_fail(reply, status, supported, NULL);
			return;
		}
	} else if (st->stage == NEGO_AWAIT_PEER) {
		server_fail(reply, SEC_E_MESSAGE_ALTERED, supported, NULL);
		return;
	}

	if (st->peer_mic_verified) {
		if (!st->mic_sent) {
			status = nego_mic_sign(st, &mic);
			if (status != SEC_E_OK) {
				reply->status = status;
				return;
			}
			nego_send_resp(reply, SPNEGO_ACCEPT_COMPLETED,
				       supported, final_token, &mic,
				       SEC_E_OK);
		} else {
			/* Both MICs are through: nothing more to say */
			reply->status = SEC_E_OK;
		}
	} else if (st->mic_required) {
		status = nego_mic_sign(st, &mic);
		if (status != SEC_E_OK) {
			reply->status = status;
			return;
		}
		st->stage = NEGO_AWAIT_PEER;
		nego_send_resp(reply, SPNEGO_ACCEPT_INCOMPLETE, supported,
			       final_token, &mic, SEC_I_CONTINUE_NEEDED);
		bytes_free(&mic);
		return;
	} else {
		nego_send_resp(reply, SPNEGO_ACCEPT_COMPLETED, supported,
			       final_token, NULL, SEC_E_OK);
	}
	bytes_free(&mic);
	if (reply->status == SEC_E_OK)
		nego_finish(st, reply);
}

static void server_inner(struct nego_state *st, const struct upcall *up,
			 const struct bytes *token, const struct bytes *peer_mic,
			 struct reply *reply)
{
	enum spnego_mech supported = take_supported(st);
	struct reply inner = { 0 };

	st->stage = NEGO_INNER;
	nego_inner_step(st, up, token->data, token->len, &inner);
	if (inner.status == SEC_I_CONTINUE_NEEDED) {
		/* A MIC before the context exists can be nobody's */
		if (peer_mic->len)
			server_fail(reply, SEC_E_INVALID_TOKEN, supported, NULL);
		else
			nego_send_resp(reply, SPNEGO_ACCEPT_INCOMPLETE,
				       supported, &inner.token, NULL,
				       SEC_I_CONTINUE_NEEDED);
	} else if (inner.status != SEC_E_OK) {
		server_fail(reply, inner.status, supported, &inner.token);
	} else {
		server_done(st, peer_mic, &inner.token, supported, reply);
	}
	reply_clear(&inner);
}

/* Raw NTLM or Kerberos: the inner package's tokens as they are */
static void server_raw(struct nego_state *st, const struct upcall *up,
		       struct reply *reply)
{
	struct reply inner = { 0 };

	nego_inner_step(st, up, up->token.data, up->token.len, &inner);
	reply->status = inner.status;
	reply->token = inner.token;
	reply->input_missing = inner.input_missing;
	inner.token = (struct bytes){};
	if (inner.status == SEC_E_OK)
		nego_finish(st, reply);
	reply_clear(&inner);
}

static void server_init2(struct nego_state *st, const struct upcall *up,
			 struct reply *reply)
{
	static const enum spnego_mech with_krb5[] = {
		SPNEGO_MECH_MS_KRB5, SPNEGO_MECH_KRB5, SPNEGO_MECH_NTLM
	};
	static const enum spnego_mech ntlm_only[] = { SPNEGO_MECH_NTLM };
	bool krb5 = available_packages(up) & SPNEGO_PKG_KERBEROS;

	if (spnego_init2_encode(krb5 ? with_krb5 : ntlm_only, krb5 ? 3 : 1,
				&reply->token)) {
		bytes_free(&reply->token);
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	st->stage = NEGO_SENT_INIT2;
	reply->status = SEC_I_CONTINUE_NEEDED;
}

static void server_first(struct nego_state *st, const struct upcall *up,
			 struct reply *reply)
{
	struct spnego_token init = { 0 };
	struct spnego_choice choice;
	static const struct bytes none;
	unsigned int available;

	switch (spnego_first_token_kind(up->token.data, up->token.len)) {
	case SPNEGO_FIRST_RAW_NTLM:
		st->mech = SPNEGO_MECH_NTLM;
		st->mech_pkg = &pkg_ntlm;
		st->stage = NEGO_RAW;
		server_raw(st, up, reply);
		return;
	case SPNEGO_FIRST_RAW_KRB5:
		st->mech = SPNEGO_MECH_KRB5;
		st->mech_pkg = &pkg_kerberos;
		st->stage = NEGO_RAW;
		server_raw(st, up, reply);
		return;
	case SPNEGO_FIRST_SPNEGO:
		break;
	case SPNEGO_FIRST_INVALID:
	default:
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}

	if (spnego_token_decode(up->token.data, up->token.len, &init) ||
	    init.kind != SPNEGO_TOKEN_INIT) {
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	available = available_packages(up);
	/*
	 * A Kerberos user-to-user mechToken is served by the caller's own
	 * TGT (kerberos/u2u.c), keytab or not.
	 */
	if (kerberos_u2u_framed(init.mech_token.data, init.mech_token.len))
		available |= SPNEGO_PKG_KERBEROS;
	if (!spnego_choose(&init, available, &choice)) {
		/* Nothing offered is served here */
		server_fail(reply, SEC_E_LOGON_DENIED, SPNEGO_MECH_OTHER, NULL);
		goto out;
	}
	st->mech_types_der = init.mech_types_der;
	init.mech_types_der = (struct bytes){};
	st->mech = choice.mech;
	st->mech_pkg = package_of(choice.mech);
	st->mic_required = choice.index != 0;
	if (choice.optimistic_usable && init.mech_token.len) {
		server_inner(st, up, &init.mech_token, &none, reply);
		goto out;
	}
	/* Ask for a first token of the chosen mechanism */
	st->stage = NEGO_INNER;
	nego_send_resp(reply, st->mic_required ? SPNEGO_REQUEST_MIC :
						 SPNEGO_ACCEPT_INCOMPLETE,
		       take_supported(st), NULL, NULL, SEC_I_CONTINUE_NEEDED);
out:
	spnego_token_clear(&init);
}

static void server_next(struct nego_state *st, const struct upcall *up,
			struct reply *reply)
{
	struct spnego_token resp = { 0 };
	static const struct bytes none;

	if (spnego_token_decode(up->token.data, up->token.len, &resp) ||
	    resp.kind != SPNEGO_TOKEN_RESP) {
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	if (resp.has_neg_state && resp.neg_state == SPNEGO_REJECT) {
		reply->status = SEC_E_LOGON_DENIED;
		goto out;
	}
	if (st->stage == NEGO_AWAIT_PEER) {
		if (resp.response_token.len)
			server_fail(reply, SEC_E_INVALID_TOKEN,
				    SPNEGO_MECH_OTHER, NULL);
		else
			server_done(st, &resp.mech_list_mic, &none,
				    SPNEGO_MECH_OTHER, reply);
		goto out;
	}
	if (!resp.response_token.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	server_inner(st, up, &resp.response_token, &resp.mech_list_mic,
		     reply);
out:
	spnego_token_clear(&resp);
}

void nego_server_step(struct nego_state *st, const struct upcall *up,
		      struct reply *reply)
{
	bool has_token = upcall_has(up, KSSPI_A_TOKEN) && up->token.len;

	switch (st->stage) {
	case NEGO_START:
		if (!has_token)
			server_init2(st, up, reply);
		else
			server_first(st, up, reply);
		return;
	case NEGO_SENT_INIT2:
		if (!has_token)
			reply->status = SEC_E_INVALID_TOKEN;
		else
			server_first(st, up, reply);
		return;
	case NEGO_RAW:
		server_raw(st, up, reply);
		return;
	case NEGO_INNER:
	case NEGO_AWAIT_PEER:
		if (!has_token)
			reply->status = SEC_E_INVALID_TOKEN;
		else
			server_next(st, up, reply);
		return;
	}
	reply->status = SEC_E_INTERNAL_ERROR;
}
