// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CredSSP client (InitializeSecurityContext), MS-CSSP 3.1.5:
 *   leg 1: the ClientHello;
 *   TLS legs until the handshake is done, then the first TSRequest
 *   (version, the inner NEGOTIATE) in the same output token;
 *   the inner legs; with the last inner token pubKeyAuth (and clientNonce
 *   from version 5);
 *   the server's pubKeyAuth verified, authInfo (TSCredentials) goes out:
 *   SEC_E_OK.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <nettle/memops.h>

#include "credssp/credssp.h"
#include "credssp/session_cache.h"
#include "credssp/tls.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "ntlm/unicode.h"
#include "spnego/negotiate.h"

/*
 * The host of an SPN ("TERMSRV/host.example.com:3389" gives
 * "host.example.com"), or the name itself: what the ClientHello's SNI
 * names (tls.c sends it only when it is a DNS name).
 */
static char *sni_host(const char *target)
{
	const char *host = strchr(target, '/');

	host = host ? host + 1 : target;
	return strndup(host, strcspn(host, "/:"));
}


static int64_t monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

static struct session_cache_key cache_key(const struct credssp_state *st)
{
	return (struct session_cache_key){
		.target = st->target,
		.pid = st->pid,
		.logon_session = st->logon_session,
		.credential_id = st->credential_id,
		.owner = st->owner,
	};
}

/* The credential's client certificate, for a server that asks for one. */
static uint32_t client_certificate(struct credssp_state *st,
				   const struct upcall *up)
{
	struct tls_identity_blob blob;
	int err;

	if (!upcall_has(up, UPCALL_TLS_IDENTITY))
		return SEC_E_OK;
	if (tls_identity_split(up->tls_identity.data, up->tls_identity.len,
			       &blob))
		return SEC_E_UNKNOWN_CREDENTIALS;
	err = tls_conn_set_client_identity(st->tls, &blob);
	if (err)
		return err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_UNKNOWN_CREDENTIALS;
	st->has_client_certificate = true;
	return SEC_E_OK;
}

bool credssp_client_certificate_leg(struct credssp_state *st,
				    const struct upcall *up,
				    const uint8_t **in, size_t *len,
				    struct reply *reply)
{
	struct bytes issuers = { 0 };
	size_t fed = 0;
	int found;

	if (st->asked_for_certificate) {
		st->asked_for_certificate = false;
		if (up->flags & KSSPI_UPCALL_F_NEW_CREDENTIAL) {
			reply->status = client_certificate(st, up);
			if (reply->status != SEC_E_OK)
				return true;
		}
		/* The caller gives the whole input again, as Schannel's do. */
		if (st->fed_prefix.len && *len >= st->fed_prefix.len &&
		    !memcmp(*in, st->fed_prefix.data, st->fed_prefix.len)) {
			*in += st->fed_prefix.len;
			*len -= st->fed_prefix.len;
		}
		bytes_free(&st->fed_prefix);
		if (bytes_append(&reply->token, st->held_output.data,
				 st->held_output.len)) {
			reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return true;
		}
		bytes_free(&st->held_output);
		return false;
	}
	/* With a certificate, GnuTLS answers the request by itself. */
	if (st->has_client_certificate)
		return false;
	found = tls_conn_find_certificate_request(st->tls, *in, *len, &fed,
						  &issuers, &reply->token);
	if (found <= 0) {
		bytes_free(&issuers);
		if (found < 0) {
			reply->status = SEC_E_INVALID_TOKEN;
			return true;
		}
		*in += fed;
		*len -= fed;
		return false;
	}
	bytes_free(&st->fed_prefix);
	bytes_free(&st->held_output);
	if (bytes_append(&st->fed_prefix, *in, fed)) {
		bytes_free(&issuers);
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return true;
	}
	st->held_output = reply->token;
	memset(&reply->token, 0, sizeof(reply->token));
	reply->issuers = issuers;
	st->asked_for_certificate = true;
	reply->status = SEC_I_INCOMPLETE_CREDENTIALS;
	return true;
}

/*
 * A cache entry: the length of the server's subjectPublicKey (le32), the
 * key, then TLS's session data.
 */
static void offer_cached_session(struct credssp_state *st)
{
	struct session_cache_key key = cache_key(st);
	struct bytes entry = { 0 };
	uint32_t key_len;

	if (!st->target ||
	    session_cache_take(&key, monotonic_seconds(), &entry))
		return;
	if (entry.len < 4)
		goto out;
	key_len = (uint32_t)entry.data[0] | (uint32_t)entry.data[1] << 8 |
		  (uint32_t)entry.data[2] << 16 | (uint32_t)entry.data[3] << 24;
	if (!key_len || key_len >= entry.len - 4 ||
	    bytes_append(&st->public_key, entry.data + 4, key_len))
		goto out;
	/* Not offered: a full handshake, and the key comes from it */
	if (tls_conn_set_session(st->tls, entry.data + 4 + key_len,
				 entry.len - 4 - key_len))
		bytes_free(&st->public_key);
out:
	bytes_free(&entry);
}

void credssp_client_cache_session(const struct credssp_state *st)
{
	struct session_cache_key key = cache_key(st);
	struct bytes session = { 0 }, entry = { 0 };
	uint8_t key_len[4];
	size_t n = st->public_key.len;

	if (!st->target || tls_conn_get_session(st->tls, &session))
		return;
	key_len[0] = (uint8_t)n;
	key_len[1] = (uint8_t)(n >> 8);
	key_len[2] = (uint8_t)(n >> 16);
	key_len[3] = (uint8_t)(n >> 24);
	if (!bytes_append(&entry, key_len, sizeof(key_len)) &&
	    !bytes_append(&entry, st->public_key.data, n) &&
	    !bytes_append(&entry, session.data, session.len))
		session_cache_put(&key, entry.data, entry.len,
				  monotonic_seconds(), 0);
	bytes_free(&session);
	bytes_free(&entry);
}

void credssp_client_first(struct credssp_state *st, const struct upcall *up,
			  struct reply *reply)
{
	size_t consumed = 0, missing = 0;
	char *sni = NULL;

	st->initiator = true;
	st->context_req = up->context_req;
	st->caller_flags = up->flags & KSSPI_UPCALL_F_KERNEL_CALLER;
	/* The page: pInput is NULL on the first call */
	if (up->token.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!upcall_has(up, UPCALL_USER) || !up->user || !up->user[0]) {
		reply->status = SEC_E_NO_CREDENTIALS;
		return;
	}
	if (strlen(up->user) > KSSPI_MAX_NAME ||
	    (upcall_has(up, UPCALL_DOMAIN) && up->domain &&
	     strlen(up->domain) > KSSPI_MAX_NAME) ||
	    (upcall_has(up, KSSPI_A_TARGET_NAME) && up->target_name &&
	     strlen(up->target_name) > KSSPI_MAX_NAME)) {
		reply->status = SEC_E_INVALID_PARAMETER;
		return;
	}
	if (upcall_identity_copy(up, &st->user, &st->domain,
				 &st->password)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	if (upcall_has(up, KSSPI_A_TARGET_NAME) && up->target_name &&
	    up->target_name[0]) {
		st->target = strdup(up->target_name);
		sni = st->target ? sni_host(st->target) : NULL;
		if (!sni) {
			reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return;
		}
	}
	st->tls = tls_conn_new(TLS_CLIENT, NULL, sni);
	free(sni);
	if (!st->tls) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	reply->status = client_certificate(st, up);
	if (reply->status != SEC_E_OK)
		return;
	st->pid = up->pid;
	st->logon_session = up->logon_session;
	st->credential_id = up->credential_id;
	st->owner = upcall_owner(up);
	offer_cached_session(st);
	st->stage = CREDSSP_HANDSHAKE;
	if (tls_conn_handshake(st->tls, NULL, 0, &consumed, &missing,
			       &reply->token) != TLS_NEED_MORE) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	reply->status = SEC_I_CONTINUE_NEEDED;
}

void credssp_client_handshake_done(struct credssp_state *st,
				   const struct upcall *up,
				   struct bytes *answer, struct reply *reply)
{
	struct reply inner = { 0 };
	struct ts_request out = { 0 };

	/*
	 * The inner package: Negotiate, as mstsc's, when it can offer
	 * Kerberos (SPNEGO with an AP-REQ).  When it would fall back to NTLM,
	 * raw NTLM instead, as FreeRDP's and impacket's clients send it:
	 * every CredSSP server takes that, not every one takes SPNEGO
	 * (FreeRDP 2's does not).  --credssp-spnego-ntlm keeps SPNEGO for
	 * NTLM too, as mstsc; --credssp-raw-kerberos sends a bare Kerberos
	 * token, as rdesktop.
	 */
	enum credssp_client_inner form = credssp_client_inner_for(st->target);

	st->inner_pkg = form == CREDSSP_INNER_RAW_KERBEROS ? &pkg_kerberos :
							     &pkg_negotiate;
	credssp_inner_step(st, up, NULL, 0, &inner);
	if (form == CREDSSP_INNER_DEFAULT &&
	    inner.status == SEC_I_CONTINUE_NEEDED &&
	    !nego_offers_kerberos(st->inner_state)) {
		reply_clear(&inner);
		inner = (struct reply){ 0 };
		pkg_negotiate.state_free(st->inner_state);
		st->inner_state = NULL;
		st->inner_started = false;
		st->inner_pkg = &pkg_ntlm;
		credssp_inner_step(st, up, NULL, 0, &inner);
	}
	if (inner.status != SEC_I_CONTINUE_NEEDED) {
		reply->status = inner.status == SEC_E_OK ? SEC_E_INTERNAL_ERROR :
							   inner.status;
		reply_clear(&inner);
		return;
	}
	out.version = st->offered;
	out.nego_token = inner.token;
	reply->status = credssp_encode(&out, answer);
	if (reply->status == SEC_E_OK)
		reply->status = SEC_I_CONTINUE_NEEDED;
	reply_clear(&inner);
}

/* Random bytes from the kernel; false when it gave none. */
static bool random_bytes(uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * A server TSRequest during the inner legs: its negoToken goes to the
 * inner package.  When the inner context is done, its last token goes out
 * with pubKeyAuth.
 */
static void client_nego(struct credssp_state *st, const struct upcall *up,
			const struct ts_request *req, struct bytes *answer,
			struct reply *reply)
{
	struct reply inner = { 0 };
	struct ts_request out = { 0 };
	struct bytes binding = { 0 }, pub_key_auth = { 0 };

	if (!req->nego_token.len || req->pub_key_auth.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	credssp_inner_step(st, up, req->nego_token.data, req->nego_token.len,
			   &inner);
	out.version = st->offered;
	out.nego_token = inner.token;
	if (inner.status == SEC_I_CONTINUE_NEEDED) {
		reply->status = credssp_encode(&out, answer);
		if (reply->status == SEC_E_OK)
			reply->status = SEC_I_CONTINUE_NEEDED;
		goto out;
	}
	if (inner.status != SEC_E_OK) {
		reply->status = inner.status;
		goto out;
	}

	if (st->version >= 5) {
		if (!random_bytes(st->nonce, sizeof(st->nonce))) {
			reply->status = SEC_E_INTERNAL_ERROR;
			goto out;
		}
		out.client_nonce = (struct bytes){ st->nonce,
						   sizeof(st->nonce),
						   sizeof(st->nonce) };
	}
	if (credssp_binding(st, true, &binding) ||
	    st->inner_pkg->inner_wrap(st->inner, binding.data, binding.len,
				      &pub_key_auth)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	out.pub_key_auth = pub_key_auth;
	reply->status = credssp_encode(&out, answer);
	if (reply->status == SEC_E_OK) {
		st->stage = CREDSSP_PUB_KEY;
		reply->status = SEC_I_CONTINUE_NEEDED;
	}
out:
	bytes_free(&binding);
	bytes_free(&pub_key_auth);
	reply_clear(&inner);
}

/*
 * ISC_REQ_USE_SUPPLIED_CREDS: the TSCredentials the caller gave in a
 * SECBUFFER_PKG_PARAMS buffer, checked, go out as they are.
 */
static uint32_t supplied_credentials(struct credssp_state *st,
				     struct bytes *der)
{
	struct ts_credentials parsed = { 0 };
	int err;

	err = ts_credentials_decode(st->supplied_credentials.data,
				    st->supplied_credentials.len, &parsed);
	ts_credentials_clear(&parsed);
	if (err)
		return err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_INVALID_PARAMETER;
	if (bytes_append(der, st->supplied_credentials.data,
			 st->supplied_credentials.len))
		return SEC_E_INSUFFICIENT_MEMORY;
	st->delegated = true;
	return SEC_E_OK;
}

/*
 * The TSCredentials the client sends: with ISC_REQ_DELEGATE and the
 * policy's leave, the credential's domain, user and password, or with
 * ISC_REQ_USE_SUPPLIED_CREDS what the caller supplied (never the
 * credential's); else the empty set (three empty strings), as the page
 * says.
 */
static uint32_t client_credentials(struct credssp_state *st,
				   struct bytes *der)
{
	struct bytes domain16 = { 0 }, user16 = { 0 }, password16 = { 0 };
	bool supplied = st->context_req & ISC_REQ_USE_SUPPLIED_CREDS;
	uint32_t status;
	int err = 0;

	if ((st->context_req & ISC_REQ_DELEGATE) &&
	    (!supplied || st->supplied_credentials.len)) {
		status = credssp_delegation_check(st->target,
						  !strcmp(st->inner_mech,
							  "NTLM"));
		if (status != SEC_E_OK)
			return status;
		if (supplied)
			return supplied_credentials(st, der);
		err = ntlm_utf8_to_utf16le(st->domain, strlen(st->domain),
					   &domain16);
		if (!err)
			err = ntlm_utf8_to_utf16le(st->user, strlen(st->user),
						   &user16);
		if (!err)
			err = ntlm_utf8_to_utf16le(
				(const char *)st->password.data,
				st->password.len, &password16);
		st->delegated = !err;
	}
	if (!err)
		err = ts_credentials_encode_password(&domain16, &user16,
						     &password16, der);
	bytes_free(&domain16);
	bytes_free(&user16);
	bytes_free(&password16);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	/* -EILSEQ: a name or password that is not UTF-8 */
	return err ? SEC_E_UNKNOWN_CREDENTIALS : SEC_E_OK;
}

/*
 * The server's pubKeyAuth: it must carry the binding of the key TLS saw
 * (MS-CSSP 3.1.5).  Without it the client never goes on; with
 * ISC_REQ_MUTUAL_AUTH the failure is SEC_E_MUTUAL_AUTH_FAILED.
 */
static void client_pub_key(struct credssp_state *st,
			   const struct ts_request *req, struct bytes *answer,
			   struct reply *reply)
{
	struct bytes plain = { 0 }, want = { 0 }, creds = { 0 };
	struct bytes auth_info = { 0 };
	struct ts_request out = { 0 };
	bool match;
	int err;

	if (!req->pub_key_auth.len || req->nego_token.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	err = st->inner_pkg->inner_unwrap(st->inner, req->pub_key_auth.data,
					  req->pub_key_auth.len, &plain);
	if (err == -ENOMEM || credssp_binding(st, false, &want)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	match = !err && plain.len == want.len &&
		memeql_sec(plain.data, want.data, want.len);
	if (!match) {
		reply->status = st->context_req & ISC_REQ_MUTUAL_AUTH ?
				SEC_E_MUTUAL_AUTH_FAILED :
				SEC_E_MESSAGE_ALTERED;
		goto out;
	}
	st->server_verified = true;

	reply->status = client_credentials(st, &creds);
	if (reply->status != SEC_E_OK)
		goto out;
	if (st->inner_pkg->inner_wrap(st->inner, creds.data, creds.len,
				      &auth_info)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	out.version = st->offered;
	out.auth_info = auth_info;
	reply->status = credssp_encode(&out, answer);
	if (reply->status == SEC_E_OK)
		st->stage = CREDSSP_DONE;
out:
	bytes_free(&plain);
	bytes_free(&want);
	bytes_free(&creds);
	bytes_free(&auth_info);
}

void credssp_client_message(struct credssp_state *st, const struct upcall *up,
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
	reply->status = credssp_check_version(st, &req, st->offered);
	if (reply->status != SEC_E_OK)
		goto out;
	/* The server gave up (version 3 and up): its reason */
	if (req.has_error_code && req.error_code) {
		reply->status = credssp_status_from_ntstatus(req.error_code);
		goto out;
	}
	if (req.auth_info.len) {
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	switch (st->stage) {
	case CREDSSP_NEGO:
		client_nego(st, up, &req, answer, reply);
		break;
	case CREDSSP_PUB_KEY:
		client_pub_key(st, &req, answer, reply);
		break;
	default:
		reply->status = SEC_E_OUT_OF_SEQUENCE;
		break;
	}
out:
	ts_request_clear(&req);
}
