// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CredSSP server (AcceptSecurityContext), MS-CSSP 3.1.5:
 *   TLS legs with the credential's identity (keyring keys) or else the
 *   configured one (--credssp-cert, --credssp-key);
 *   the client's TSRequests: the inner package's tokens (NTLM, found from
 *   the first token), then with the last one pubKeyAuth, which must bind
 *   our public key; our pubKeyAuth goes back;
 *   authInfo: the client's TSCredentials, kept for the context when they
 *   are not empty: SEC_E_OK.
 * An inner failure at version 3 and up is answered with an errorCode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <nettle/memops.h>

#include "credssp/credssp.h"
#include "credssp/tls.h"
#include "message.h"

/*
 * fContextReq bits the page refuses with SEC_E_UNSUPPORTED_FUNCTION:
 * ASC_REQ_DELEGATE, and "ASC_REQ_PROMPT_FOR_CREDS", which no header
 * defines: the bit of ISC_REQ_PROMPT_FOR_CREDS (0x40, which for
 * AcceptSecurityContext is ASC_REQ_SESSION_TICKET).
 */
#define ASC_REQ_PROMPT_FOR_CREDS_BIT	0x00000040u
#define SERVER_REFUSED_REQ	(ASC_REQ_DELEGATE | ASC_REQ_PROMPT_FOR_CREDS_BIT)

bool credssp_server_first(struct credssp_state *st, const struct upcall *up,
			  struct reply *reply)
{
	const struct tls_server_identity *id;

	st->initiator = false;
	st->context_req = up->context_req;
	st->caller_flags = up->flags & KSSPI_UPCALL_F_KERNEL_CALLER;
	if (up->context_req & SERVER_REFUSED_REQ) {
		reply->status = SEC_E_UNSUPPORTED_FUNCTION;
		return false;
	}
	if (upcall_has(up, UPCALL_TLS_IDENTITY)) {
		struct tls_identity_blob blob;
		struct bytes public_key = { 0 };

		if (tls_identity_split(up->tls_identity.data,
				       up->tls_identity.len, &blob)) {
			reply->status = SEC_E_UNKNOWN_CREDENTIALS;
			return false;
		}
		tls_server_identity_free(st->own_identity);
		st->own_identity = tls_server_identity_from_blob(&blob,
								 &public_key);
		bytes_free(&public_key);
		if (!st->own_identity) {
			reply->status = errno == ENOMEM ?
					SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_UNKNOWN_CREDENTIALS;
			return false;
		}
		if (credssp_client_ca_file() &&
		    tls_server_identity_trust(st->own_identity,
					      credssp_client_ca_file())) {
			reply->status = SEC_E_INTERNAL_ERROR;
			return false;
		}
		id = st->own_identity;
	} else {
		id = credssp_server_identity();
	}
	if (!id) {
		reply->status = SEC_E_NO_CREDENTIALS;
		return false;
	}
	/* Nothing yet: a record header at least (Schannel's answer) */
	if (!up->token.len) {
		reply->status = SEC_E_INCOMPLETE_MESSAGE;
		reply->input_missing = 5;
		return false;
	}
	st->tls = tls_conn_new(TLS_SERVER, id, NULL);
	if (!st->tls) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return false;
	}
	/* Schannel's way of asking for a client certificate */
	if (up->context_req & ASC_REQ_MUTUAL_AUTH)
		tls_conn_request_client_certificate(st->tls);
	st->stage = CREDSSP_HANDSHAKE;
	return true;
}

/* The errorCode TSRequest telling the client why (version 3 and up). */
static void error_answer(const struct credssp_state *st, uint32_t status,
			 struct bytes *answer)
{
	struct ts_request out = { 0 };

	if (st->version < 3)
		return;
	out.version = st->version;
	out.has_error_code = true;
	/* The inner package's own word (a locked-out account), if any */
	if (st->inner_state && st->inner_pkg->failure_ntstatus)
		out.error_code = st->inner_pkg->failure_ntstatus(
			st->inner_state);
	if (!out.error_code)
		out.error_code = credssp_ntstatus_from_status(status);
	if (credssp_encode(&out, answer) != SEC_E_OK)
		bytes_free(answer);
}

/* Whether the client's pubKeyAuth binds our public key. */
static uint32_t check_client_binding(struct credssp_state *st,
				     const struct ts_request *req)
{
	struct bytes plain = { 0 }, want = { 0 };
	uint32_t status = SEC_E_OK;
	int err;

	if (!req->pub_key_auth.len)
		return SEC_E_INVALID_TOKEN;
	/* From version 5 the nonce comes with pubKeyAuth (MS-CSSP 3.1.5) */
	if (st->version >= 5) {
		if (req->client_nonce.len != sizeof(st->nonce))
			return SEC_E_INVALID_TOKEN;
		memcpy(st->nonce, req->client_nonce.data, sizeof(st->nonce));
	}
	err = st->inner_pkg->inner_unwrap(st->inner, req->pub_key_auth.data,
					  req->pub_key_auth.len, &plain);
	if (err == -ENOMEM || credssp_binding(st, true, &want))
		status = SEC_E_INSUFFICIENT_MEMORY;
	else if (err || plain.len != want.len ||
		 !memeql_sec(plain.data, want.data, want.len))
		status = SEC_E_INVALID_TOKEN;
	bytes_free(&plain);
	bytes_free(&want);
	return status;
}

/* A client TSRequest during the inner legs. */
static void server_nego(struct credssp_state *st, const struct upcall *up,
			const struct ts_request *req, struct bytes *answer,
			struct reply *reply)
{
	struct reply inner = { 0 };
	struct ts_request out = { 0 };
	struct bytes binding = { 0 }, pub_key_auth = { 0 };

	if (req->auth_info.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	/*
	 * Our inner context finished with a token for the client (an
	 * AP-REP, SPNEGO's last answer): pubKeyAuth comes next, alone.
	 */
	if (st->inner) {
		out.version = st->version;
		if (req->nego_token.len)
			reply->status = SEC_E_INVALID_TOKEN;
		else
			goto pub_key;
		return;
	}
	if (!req->nego_token.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!st->inner_pkg) {
		reply->status = credssp_inner_for_token(req->nego_token.data,
							req->nego_token.len,
							&st->inner_pkg);
		if (reply->status != SEC_E_OK)
			return;
	}
	credssp_inner_step(st, up, req->nego_token.data, req->nego_token.len,
			   &inner);
	out.version = st->version;
	out.nego_token = inner.token;
	switch (inner.status) {
	case SEC_I_CONTINUE_NEEDED:
		/* pubKeyAuth comes with the last inner token only */
		reply->status = req->pub_key_auth.len ? SEC_E_INVALID_TOKEN :
				credssp_encode(&out, answer);
		if (reply->status == SEC_E_OK)
			reply->status = SEC_I_CONTINUE_NEEDED;
		goto out;
	case SEC_E_OK:
		if (req->pub_key_auth.len)
			break;
		/* The client ends its inner context with our last token */
		reply->status = inner.token.len ? credssp_encode(&out, answer) :
						  SEC_E_INVALID_TOKEN;
		if (reply->status == SEC_E_OK)
			reply->status = SEC_I_CONTINUE_NEEDED;
		goto out;
	default:
		/* The inner logon failed: tell the client why, if it can hear */
		reply->status = inner.status;
		error_answer(st, inner.status, answer);
		goto out;
	}

pub_key:
	reply->status = check_client_binding(st, req);
	if (reply->status != SEC_E_OK)
		goto out;
	if (credssp_binding(st, false, &binding) ||
	    st->inner_pkg->inner_wrap(st->inner, binding.data, binding.len,
				      &pub_key_auth)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	out.pub_key_auth = pub_key_auth;
	reply->status = credssp_encode(&out, answer);
	if (reply->status == SEC_E_OK) {
		st->stage = CREDSSP_CREDENTIALS;
		reply->status = SEC_I_CONTINUE_NEEDED;
	}
out:
	bytes_free(&binding);
	bytes_free(&pub_key_auth);
	reply_clear(&inner);
}

/* The empty set of credentials: a password of three empty strings. */
static bool credentials_empty(const struct ts_credentials *c)
{
	return c->cred_type == TS_CRED_PASSWORD && !c->domain.len &&
	       !c->user.len && !c->password.len;
}

/* authInfo: the client's credentials, sealed by the inner context. */
static void server_credentials(struct credssp_state *st,
			       const struct ts_request *req,
			       struct reply *reply)
{
	struct ts_credentials creds = { 0 };
	struct bytes plain = { 0 };
	int err;

	if (!req->auth_info.len || req->nego_token.len ||
	    req->pub_key_auth.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	err = st->inner_pkg->inner_unwrap(st->inner, req->auth_info.data,
					  req->auth_info.len, &plain);
	if (!err)
		err = ts_credentials_decode(plain.data, plain.len, &creds);
	if (err) {
		reply->status = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
						 SEC_E_INVALID_TOKEN;
		goto out;
	}
	if (!credentials_empty(&creds)) {
		/* The DER as received: the kernel hands it to the caller */
		st->credentials = plain;
		plain = (struct bytes){ 0 };
		st->delegated = true;
	}
	st->stage = CREDSSP_DONE;
	reply->status = SEC_E_OK;
out:
	ts_credentials_clear(&creds);
	bytes_free(&plain);
}

void credssp_server_message(struct credssp_state *st, const struct upcall *up,
			    const uint8_t *der, size_t len,
			    struct bytes *answer, struct reply *reply)
{
	struct ts_request req = { 0 };
	int err;

	err = ts_request_decode(der, len, &req);
	if (err) {
		reply->status = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
						 SEC_E_INVALID_TOKEN;
		return;
	}
	reply->status = credssp_check_version(st, &req, TS_VERSION_MAX);
	if (reply->status != SEC_E_OK)
		goto out;
	/* Clients send no errorCode; one that does gives up */
	if (req.has_error_code && req.error_code) {
		reply->status = credssp_status_from_ntstatus(req.error_code);
		goto out;
	}
	switch (st->stage) {
	case CREDSSP_NEGO:
		server_nego(st, up, &req, answer, reply);
		break;
	case CREDSSP_CREDENTIALS:
		server_credentials(st, &req, reply);
		break;
	default:
		reply->status = SEC_E_OUT_OF_SEQUENCE;
		break;
	}
out:
	ts_request_clear(&req);
}
