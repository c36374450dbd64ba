// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiate's initiator (RFC 4178 3.2, MS-SPNG 3.1.5).
 *
 *	leg 1: -> negTokenInit { MS-KRB5, KRB5, NTLM; the AP-REQ }
 *	       or, when Kerberos cannot start, { NTLM; the NEGOTIATE }
 *	leg n: <- negTokenResp { supportedMech, responseToken, mechListMIC }
 *	       -> negTokenResp { responseToken, mechListMIC } ...
 *
 * Kerberos is tried first, as Windows does.  Failures that NTLM may mend
 * (no ticket or credentials, no KDC, an unknown target) fall back to NTLM
 * at once; a realm whose KDC did not answer is skipped for
 * SPNEGO_KDC_MEMORY_SECONDS (kdc_memory.c) so that no handshake in that
 * time pays MIT's KDC timeout.  An acceptor may choose the other offered
 * mechanism (a counter-proposal): the initiator then starts it on the
 * next leg, and both sides must exchange mechListMICs.  With NTLM a MIC
 * is always sent with the AUTHENTICATE message, as Windows and
 * gss-ntlmssp do.
 */
#include <string.h>
#include <time.h>

#include <linux/ksspi_sspi.h>

#include "kerberos/kerberos.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "spnego/choice.h"
#include "spnego/kdc_memory.h"
#include "spnego/negotiate.h"

static time_t monotonic_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

/* Kerberos statuses after which Windows' Negotiate goes on with NTLM */
static bool ntlm_may_mend(uint32_t status)
{
	switch (status) {
	case SEC_E_NO_CREDENTIALS:
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
	case SEC_E_TARGET_UNKNOWN:
	case SEC_E_WRONG_PRINCIPAL:
	case SEC_E_LOGON_DENIED:
	case SEC_E_TIME_SKEW:
		return true;
	default:
		return false;
	}
}

/* The first leg of the inner package @pkg; its token into @token. */
static uint32_t start_inner(struct nego_state *st, const struct upcall *up,
			    const struct package *pkg, struct bytes *token)
{
	struct reply inner = { 0 };

	st->mech_pkg = pkg;
	nego_inner_step(st, up, NULL, 0, &inner);
	if (inner.status == SEC_I_CONTINUE_NEEDED ||
	    inner.status == SEC_E_OK) {
		*token = inner.token;
		inner.token = (struct bytes){};
	}
	reply_clear(&inner);
	if (inner.status != SEC_I_CONTINUE_NEEDED &&
	    inner.status != SEC_E_OK)
		nego_inner_reset(st);
	return inner.status;
}

static void client_first(struct nego_state *st, const struct upcall *up,
			 struct reply *reply)
{
	static const enum spnego_mech with_krb5[] = {
		SPNEGO_MECH_MS_KRB5, SPNEGO_MECH_KRB5, SPNEGO_MECH_NTLM
	};
	static const enum spnego_mech ntlm_only[] = { SPNEGO_MECH_NTLM };
	struct bytes token = {};
	uint32_t krb5_status = SEC_E_NO_CREDENTIALS, status;
	char realm[SPNEGO_KDC_MEMORY_REALM_MAX + 1];
	bool have_realm;
	int err;

	/*
	 * An acceptor's negTokenInit2 (an SMB server's) may come first: its
	 * hints are not trusted (MS-SPNG 3.1.5.1), only its shape.
	 */
	if (upcall_has(up, KSSPI_A_TOKEN) && up->token.len) {
		struct spnego_token hint = { 0 };

		if (spnego_token_decode(up->token.data, up->token.len, &hint) ||
		    hint.kind != SPNEGO_TOKEN_INIT) {
			spnego_token_clear(&hint);
			reply->status = SEC_E_INVALID_TOKEN;
			return;
		}
		spnego_token_clear(&hint);
	}

	have_realm = !kerberos_client_realm(up, realm, sizeof(realm));
	if (!have_realm ||
	    !spnego_kdc_recently_failed(upcall_owner(up), realm,
					monotonic_now())) {
		krb5_status = start_inner(st, up, &pkg_kerberos, &token);
		if (have_realm &&
		    krb5_status == SEC_E_NO_AUTHENTICATING_AUTHORITY)
			spnego_kdc_failed(upcall_owner(up), realm,
					  monotonic_now());
		else if (have_realm && (krb5_status == SEC_I_CONTINUE_NEEDED ||
					krb5_status == SEC_E_OK))
			spnego_kdc_answered(upcall_owner(up), realm);
	}
	if (krb5_status == SEC_I_CONTINUE_NEEDED || krb5_status == SEC_E_OK) {
		st->mech = SPNEGO_MECH_MS_KRB5;
		memcpy(st->offered, with_krb5, sizeof(with_krb5));
		st->offered_count = 3;
	} else if (!ntlm_may_mend(krb5_status) || up->delegated_ccache) {
		/* Delegated credentials are Kerberos tickets: no NTLM */
		reply->status = krb5_status;
		return;
	} else {
		status = start_inner(st, up, &pkg_ntlm, &token);
		if (status != SEC_I_CONTINUE_NEEDED) {
			/* Kerberos' reason says more than NTLM's lack of one */
			reply->status = status == SEC_E_NO_CREDENTIALS ?
					krb5_status : status;
			if (reply->status == SEC_E_OK)
				reply->status = SEC_E_INTERNAL_ERROR;
			bytes_free(&token);
			return;
		}
		st->mech = SPNEGO_MECH_NTLM;
		memcpy(st->offered, ntlm_only, sizeof(ntlm_only));
		st->offered_count = 1;
	}

	err = spnego_mech_list_encode(st->offered, st->offered_count,
				      &st->mech_types_der);
	if (!err)
		err = spnego_init_encode(st->offered, st->offered_count, &token,
					 &reply->token);
	bytes_free(&token);
	if (err) {
		bytes_free(&reply->token);
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	st->stage = NEGO_INNER;
	reply->status = SEC_I_CONTINUE_NEEDED;
}

static bool offered(const struct nego_state *st, enum spnego_mech mech)
{
	size_t i;

	for (i = 0; i < st->offered_count; i++)
		if (st->offered[i] == mech)
			return true;
	return false;
}

/*
 * The acceptor's first answer names the mechanism it chose.  Another one
 * than ours is a counter-proposal: its first token goes out now.
 * Returns true when @reply is the answer to send.
 */
static bool take_supported_mech(struct nego_state *st, const struct upcall *up,
				const struct spnego_token *resp,
				struct reply *reply)
{
	const struct package *chosen;
	struct bytes token = {};
	uint32_t status;

	st->first_response_done = true;
	if (!resp->has_supported_mech || !offered(st, resp->supported_mech)) {
		reply->status = SEC_E_INVALID_TOKEN;
		return true;
	}
	chosen = spnego_mech_package(resp->supported_mech) ==
		 SPNEGO_PKG_KERBEROS ? &pkg_kerberos : &pkg_ntlm;
	if (chosen == st->mech_pkg)
		return false;

	/* RFC 4178 3.2: the optimistic token was for nothing */
	st->mic_required = true;
	if (resp->response_token.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return true;
	}
	nego_inner_reset(st);
	st->mech = resp->supported_mech;
	status = start_inner(st, up, chosen, &token);
	if (status != SEC_I_CONTINUE_NEEDED) {
		reply->status = status == SEC_E_OK ? SEC_E_INTERNAL_ERROR :
						     status;
		bytes_free(&token);
		return true;
	}
	nego_send_resp(reply, -1, SPNEGO_MECH_OTHER, &token, NULL,
		       SEC_I_CONTINUE_NEEDED);
	bytes_free(&token);
	return true;
}

static void client_next(struct nego_state *st, const struct upcall *up,
			struct reply *reply)
{
	struct spnego_token resp = { 0 };
	struct reply inner = { 0 };
	struct bytes mic = {};
	bool completed, send_mic;

	if (!upcall_has(up, KSSPI_A_TOKEN) ||
	    spnego_token_decode(up->token.data, up->token.len, &resp) ||
	    resp.kind != SPNEGO_TOKEN_RESP) {
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	if (resp.has_neg_state && resp.neg_state == SPNEGO_REJECT) {
		/* A KRB-ERROR or the like says more than the rejection */
		reply->status = SEC_E_LOGON_DENIED;
		if (st->inner_state && resp.response_token.len) {
			nego_inner_step(st, up, resp.response_token.data,
					resp.response_token.len, &inner);
			if (inner.status & 0x80000000u)
				reply->status = inner.status;
		}
		goto out;
	}
	if (!st->first_response_done &&
	    take_supported_mech(st, up, &resp, reply))
		goto out;
	completed = resp.has_neg_state &&
		    resp.neg_state == SPNEGO_ACCEPT_COMPLETED;

	if (st->stage == NEGO_INNER && st->inner_state) {
		if (!resp.response_token.len) {
			reply->status = SEC_E_INVALID_TOKEN;
			goto out;
		}
		nego_inner_step(st, up, resp.response_token.data,
				resp.response_token.len, &inner);
		if (inner.status == SEC_I_CONTINUE_NEEDED && !completed) {
			nego_send_resp(reply, -1, SPNEGO_MECH_OTHER,
				       &inner.token, NULL,
				       SEC_I_CONTINUE_NEEDED);
			goto out;
		}
		if (inner.status != SEC_E_OK) {
			reply->status = inner.status == SEC_I_CONTINUE_NEEDED ?
					SEC_E_INVALID_TOKEN : inner.status;
			goto out;
		}
	} else if (resp.response_token.len) {
		/* The inner context is done: nothing more is due for it */
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}

	/* The inner context is established */
	if (resp.mech_list_mic.len) {
		reply->status = nego_mic_verify(st, &resp.mech_list_mic);
		if (reply->status != SEC_E_OK)
			goto out;
	} else if (completed && st->mic_required && !st->peer_mic_verified) {
		/* Downgrade protection (RFC 4178 5) */
		reply->status = SEC_E_MESSAGE_ALTERED;
		goto out;
	}
	if (completed) {
		/* Nothing more may follow; an inner token would be lost */
		if (inner.token.len) {
			reply->status = SEC_E_INVALID_TOKEN;
			goto out;
		}
		nego_finish(st, reply);
		goto out;
	}

	send_mic = !st->mic_sent &&
		   (st->mic_required || st->peer_mic_verified ||
		    st->mech_pkg == &pkg_ntlm);
	if (send_mic) {
		reply->status = nego_mic_sign(st, &mic);
		if (reply->status != SEC_E_OK)
			goto out;
	}
	if (!send_mic && !inner.token.len) {
		/* The acceptor wants more, and we have nothing to say */
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	/*
	 * Our MIC answers the acceptor's: the acceptor is done once it has
	 * checked it and says no more (MIT, Windows, Samba).
	 */
	if (st->peer_mic_verified && !inner.token.len) {
		nego_send_resp(reply, SPNEGO_ACCEPT_COMPLETED,
			       SPNEGO_MECH_OTHER, NULL, &mic, SEC_E_OK);
		if (reply->status == SEC_E_OK)
			nego_finish(st, reply);
		goto out;
	}
	st->stage = NEGO_AWAIT_PEER;
	nego_send_resp(reply, -1, SPNEGO_MECH_OTHER, &inner.token, &mic,
		       SEC_I_CONTINUE_NEEDED);
out:
	bytes_free(&mic);
	reply_clear(&inner);
	spnego_token_clear(&resp);
}

void nego_client_step(struct nego_state *st, const struct upcall *up,
		      struct reply *reply)
{
	if (st->stage == NEGO_START)
		client_first(st, up, reply);
	else
		client_next(st, up, reply);
}
