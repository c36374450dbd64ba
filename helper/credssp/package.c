// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "CredSSP" package: per-handshake state, the TLS part of each leg,
 * the inner package, and the established context.
 *
 *	client (ISC)				server (ASC)
 *	-> ClientHello		------->	ServerHello ... (TLS 1.2: Done)
 *	   TLS handshake legs until the client's handshake is done, then
 *	-> TSRequest { negoTokens: inner token }	(same output token)
 *	   TSRequest { negoTokens }	<------>	(inner legs)
 *	-> TSRequest { last inner token, pubKeyAuth, clientNonce }
 *	   TSRequest { pubKeyAuth }	<-------
 *	-> TSRequest { authInfo }	------->	SEC_E_OK, context
 *	   SEC_E_OK, context
 *
 * A leg's input is TLS records: handshake records, then (once the
 * handshake is done) application data records holding one TSRequest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <nettle/sha2.h>

#include "credssp/credssp.h"
#include "credssp/tls.h"
#include "ctxblob.h"
#include "log.h"
#include "message.h"
#include "kerberos/kerberos.h"
#include "ntlm/ntlm.h"
#include "spnego/first_token.h"
#include "spnego/negotiate.h"

static void *credssp_state_new(void)
{
	struct credssp_state *st = calloc(1, sizeof(*st));

	if (st)
		st->offered = TS_VERSION_MAX;
	return st;
}

static void free_secret_string(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void credssp_state_free(void *opaque)
{
	struct credssp_state *st = opaque;

	if (!st)
		return;
	tls_conn_free(st->tls);
	tls_server_identity_free(st->own_identity);
	bytes_free(&st->fed_prefix);
	bytes_free(&st->held_output);
	bytes_free(&st->supplied_credentials);
	free_secret_string(st->user);
	free_secret_string(st->domain);
	bytes_free(&st->password);
	free(st->target);
	bytes_free(&st->public_key);
	bytes_free(&st->pending);
	bytes_free(&st->credentials);
	if (st->inner_pkg) {
		if (st->inner_state)
			st->inner_pkg->state_free(st->inner_state);
		if (st->inner)
			st->inner_pkg->inner_free(st->inner);
	}
	free(st->client_name);
	free(st->inner_server_name);
	explicit_bzero(st, sizeof(*st));
	free(st);
}

uint32_t credssp_check_version(struct credssp_state *st,
			       const struct ts_request *req, uint32_t ours)
{
	if (req->version < TS_VERSION_MIN)
		return SEC_E_INVALID_TOKEN;
	if (!st->peer_version) {
		st->peer_version = req->version;
		st->version = req->version < ours ? req->version : ours;
		return SEC_E_OK;
	}
	/* No downgrade (nor upgrade) once the versions are settled */
	return req->version == st->peer_version ? SEC_E_OK :
						  SEC_E_INVALID_TOKEN;
}

uint32_t credssp_inner_for_token(const uint8_t *token, size_t len,
				 const struct package **pkg)
{
	/*
	 * What Windows' CredSSP server takes (its inner package is
	 * Negotiate): raw NTLM (FreeRDP, impacket), SPNEGO (mstsc) and a
	 * raw Kerberos token (rdesktop).
	 */
	switch (spnego_first_token_kind(token, len)) {
	case SPNEGO_FIRST_RAW_NTLM:
		*pkg = &pkg_ntlm;
		return SEC_E_OK;
	case SPNEGO_FIRST_SPNEGO:
		*pkg = &pkg_negotiate;
		return SEC_E_OK;
	case SPNEGO_FIRST_RAW_KRB5:
		*pkg = &pkg_kerberos;
		return SEC_E_OK;
	case SPNEGO_FIRST_INVALID:
	default:
		return SEC_E_INVALID_TOKEN;
	}
}

/* The value of a UTF-8 name record of the inner blob, or NULL. */
static char *inner_name(const struct bytes *blob, uint16_t type)
{
	const uint8_t *value;
	uint32_t len;

	if (ctxblob_find(blob->data, blob->len, type, &value, &len) ||
	    len > KSSPI_CTX_MAX_NAME || memchr(value, '\0', len))
		return NULL;
	return strndup((const char *)value, len);
}

void credssp_inner_step(struct credssp_state *st, const struct upcall *outer,
			const uint8_t *token, size_t len,
			struct reply *inner_reply)
{
	const struct package *pkg = st->inner_pkg;
	struct upcall up = { 0 };

	if (!st->inner_state) {
		st->inner_state = pkg->state_new();
		if (!st->inner_state) {
			inner_reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return;
		}
	}
	/*
	 * The inner package sees the outer request's caller (its limits and
	 * lockout apply to it) and asks for what CredSSP needs of it:
	 * sealing.  Everything is borrowed: @up is never freed.
	 */
	up.cmd = outer->cmd;
	up.request_id = outer->request_id;
	up.op = outer->op;
	up.package = (char *)pkg->name;
	up.session_id = outer->session_id;
	up.flags = st->caller_flags |
		   (st->inner_started ? 0 : KSSPI_UPCALL_F_FIRST_LEG);
	up.context_req = st->initiator ?
			 ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY :
			 ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY;
	/*
	 * A bare Kerberos client (--credssp-raw-kerberos) waits for the
	 * AP-REP, as rdesktop does: the server sends its last inner token
	 * before pubKeyAuth (Negotiate asks for it by itself).
	 */
	if (st->initiator && pkg == &pkg_kerberos)
		up.context_req |= ISC_REQ_MUTUAL_AUTH;
	up.uid = outer->uid;
	up.pid = outer->pid;
	up.logon_session = outer->logon_session;
	up.credential_id = outer->credential_id;
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_PACKAGE) |
		     UPCALL_BIT(KSSPI_A_SESSION_ID) |
		     UPCALL_BIT(KSSPI_A_CONTEXT_REQ) | UPCALL_BIT(KSSPI_A_FLAGS) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_PID) |
		     UPCALL_BIT(KSSPI_A_LOGON_SESSION) |
		     UPCALL_BIT(KSSPI_A_CREDENTIAL_ID);
	if (st->initiator && !st->inner_started) {
		up.user = st->user;
		up.domain = st->domain;
		up.password = st->password;
		up.present |= UPCALL_BIT(UPCALL_USER) |
			      UPCALL_BIT(UPCALL_DOMAIN) |
			      UPCALL_BIT(UPCALL_PASSWORD);
		if (st->target) {
			up.target_name = st->target;
			up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
		}
	}
	if (len) {
		up.token = (struct bytes){ (uint8_t *)token, len, len };
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	st->inner_started = true;
	pkg->step(st->inner_state, &up, inner_reply);
	if (inner_reply->status != SEC_E_OK)
		return;

	/* The inner handshake is over: its context protects the rest */
	pkg->state_free(st->inner_state);
	st->inner_state = NULL;
	/* CredSSP seals pubKeyAuth and authInfo: sealing is a must */
	st->inner = pkg->inner_new && pkg->inner_wrap &&
		    (inner_reply->context_attr & ISC_RET_CONFIDENTIALITY) ?
		    pkg->inner_new(&inner_reply->blob) : NULL;
	if (!st->inner) {
		inner_reply->status = SEC_E_UNSUPPORTED_FUNCTION;
		return;
	}
	st->inner_mech = pkg->name;
	if (pkg == &pkg_negotiate) {
		const struct package *mech = nego_blob_mech(&inner_reply->blob);

		st->inner_mech = mech ? mech->name : NULL;
	}
	st->client_name = inner_name(&inner_reply->blob,
				     KSSPI_CTX_REC_CLIENT_NAME);
	st->inner_server_name = inner_name(&inner_reply->blob,
					   KSSPI_CTX_REC_SERVER_NAME);
	if (!st->client_name || !st->inner_mech) {
		inner_reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	st->expiry = inner_reply->has_expiry ? inner_reply->expiry : 0;
}

int credssp_binding(const struct credssp_state *st, bool client,
		    struct bytes *out)
{
	static const char client_magic[] = CREDSSP_CLIENT_SERVER_MAGIC;
	static const char server_magic[] = CREDSSP_SERVER_CLIENT_MAGIC;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	int err;

	if (st->version < 5) {
		if (bytes_append(out, st->public_key.data, st->public_key.len))
			return -ENOMEM;
		if (!client && out->len)
			out->data[0]++;
		return 0;
	}
	/* sizeof: the magic's NUL is hashed too */
	sha256_init(&ctx);
	if (client)
		sha256_update(&ctx, sizeof(client_magic),
			      (const uint8_t *)client_magic);
	else
		sha256_update(&ctx, sizeof(server_magic),
			      (const uint8_t *)server_magic);
	sha256_update(&ctx, sizeof(st->nonce), st->nonce);
	sha256_update(&ctx, st->public_key.len, st->public_key.data);
	sha256_digest(&ctx, sizeof(digest), digest);
	err = bytes_append(out, digest, sizeof(digest));
	explicit_bzero(&ctx, sizeof(ctx));
	return err;
}

uint32_t credssp_encode(const struct ts_request *req, struct bytes *answer)
{
	int err = ts_request_encode(req, answer);

	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	return err ? SEC_E_INTERNAL_ERROR : SEC_E_OK;
}

/* NTSTATUS values of errorCode (MS-ERREF 2.3.1) */
#define STATUS_INVALID_PARAMETER	0xC000000Du
#define STATUS_NO_MEMORY		0xC0000017u
#define STATUS_ACCESS_DENIED		0xC0000022u
#define STATUS_NO_SUCH_USER		0xC0000064u
#define STATUS_WRONG_PASSWORD		0xC000006Au
#define STATUS_LOGON_FAILURE		0xC000006Du
#define STATUS_ACCOUNT_RESTRICTION	0xC000006Eu
#define STATUS_INVALID_LOGON_HOURS	0xC000006Fu
#define STATUS_INVALID_WORKSTATION	0xC0000070u
#define STATUS_PASSWORD_EXPIRED		0xC0000071u
#define STATUS_ACCOUNT_DISABLED		0xC0000072u
#define STATUS_NO_LOGON_SERVERS		0xC000005Eu
#define STATUS_NOT_SUPPORTED		0xC00000BBu
#define STATUS_INTERNAL_ERROR		0xC00000E5u
#define STATUS_LOGON_TYPE_NOT_GRANTED	0xC000015Bu
#define STATUS_ACCOUNT_EXPIRED		0xC0000193u
#define STATUS_PASSWORD_MUST_CHANGE	0xC0000224u
#define STATUS_ACCOUNT_LOCKED_OUT	0xC0000234u
#define STATUS_BAD_BINDINGS		0xC000035Bu

uint32_t credssp_status_from_ntstatus(uint32_t ntstatus)
{
	switch (ntstatus) {
	case STATUS_INVALID_PARAMETER:
		return SEC_E_INVALID_TOKEN;
	case STATUS_NOT_SUPPORTED:
		return SEC_E_UNSUPPORTED_FUNCTION;
	case STATUS_NO_LOGON_SERVERS:
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	case STATUS_BAD_BINDINGS:
		return SEC_E_BAD_BINDINGS;
	case STATUS_NO_MEMORY:
	case STATUS_INTERNAL_ERROR:
		return SEC_E_INTERNAL_ERROR;
	}
	/* An SSPI status sent as is (some servers do) */
	if ((ntstatus & 0xFFFF0000u) == 0x80090000u)
		return ntstatus;
	/*
	 * STATUS_LOGON_FAILURE, STATUS_ACCOUNT_LOCKED_OUT and the other
	 * refusals of an account, and anything unknown: the logon failed.
	 */
	return SEC_E_LOGON_DENIED;
}

uint32_t credssp_ntstatus_from_status(uint32_t status)
{
	switch (status) {
	case SEC_E_INVALID_TOKEN:
		return STATUS_INVALID_PARAMETER;
	case SEC_E_UNSUPPORTED_FUNCTION:
	case SEC_E_ALGORITHM_MISMATCH:
		return STATUS_NOT_SUPPORTED;
	case SEC_E_BAD_BINDINGS:
		return STATUS_BAD_BINDINGS;
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
		return STATUS_NO_LOGON_SERVERS;
	case SEC_E_INSUFFICIENT_MEMORY:
		return STATUS_NO_MEMORY;
	case SEC_E_LOGON_DENIED:
	case SEC_E_MESSAGE_ALTERED:
	case SEC_E_WRONG_PRINCIPAL:
		return STATUS_LOGON_FAILURE;
	}
	return STATUS_INTERNAL_ERROR;
}

static uint32_t context_attr(const struct credssp_state *st)
{
	uint32_t attr;

	if (st->initiator) {
		attr = ISC_RET_MANUAL_CRED_VALIDATION | ISC_RET_CONFIDENTIALITY |
		       ISC_RET_INTEGRITY | ISC_RET_REPLAY_DETECT |
		       ISC_RET_SEQUENCE_DETECT | ISC_RET_STREAM;
		attr |= st->context_req & (ISC_REQ_CONNECTION |
					   ISC_REQ_EXTENDED_ERROR);
		if (st->delegated)
			attr |= ISC_RET_DELEGATE;
		if ((st->context_req & ISC_REQ_MUTUAL_AUTH) &&
		    st->server_verified)
			attr |= ISC_RET_MUTUAL_AUTH;
		return attr;
	}
	attr = ASC_RET_CONFIDENTIALITY | ASC_RET_INTEGRITY |
	       ASC_RET_REPLAY_DETECT | ASC_RET_SEQUENCE_DETECT |
	       ASC_RET_STREAM;
	attr |= st->context_req & (ASC_REQ_CONNECTION | ASC_REQ_EXTENDED_ERROR);
	if (st->delegated)
		attr |= ASC_RET_DELEGATE;
	if (st->client_certificate_verified)
		attr |= ASC_RET_MUTUAL_AUTH;
	return attr;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

void credssp_establish(struct credssp_state *st, struct reply *reply)
{
	const uint16_t crit = KSSPI_CTX_REC_CRITICAL;
	const char *server_name = st->initiator ? st->target :
						  st->inner_server_name;
	struct tls_record_state tls;
	struct bytes *blob = &reply->blob;
	uint32_t attr = context_attr(st);
	uint8_t version[2], cipher[2], ts_version[4], info[4];
	int err;

	if (st->initiator)
		credssp_client_cache_session(st);
	if (!st->client_name || tls_conn_export(st->tls, &tls)) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	put_le16(version, tls.version);
	put_le16(cipher, tls.cipher);
	put_le32(ts_version, st->version);
	put_le32(info, st->resumed ? KSSPI_CREDSSP_F_RESUMED : 0);

	err = ctxblob_begin(blob, CREDSSP_PACKAGE_NAME,
			    st->initiator ? KSSPI_CTX_F_INITIATOR : 0, attr,
			    st->expiry);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CLIENT_NAME, crit,
				  st->client_name,
				  (uint32_t)strlen(st->client_name));
	if (!err && server_name && server_name[0])
		err = ctxblob_add(blob, KSSPI_CTX_REC_SERVER_NAME, crit,
				  server_name, (uint32_t)strlen(server_name));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_TLS_VERSION, crit,
				  version, sizeof(version));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_TLS_CIPHER, crit, cipher,
				  sizeof(cipher));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_TLS_TX, crit, &tls.tx,
				  sizeof(tls.tx));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_TLS_RX, crit, &tls.rx,
				  sizeof(tls.rx));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CREDSSP_VERSION, crit,
				  ts_version, sizeof(ts_version));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CREDSSP_INNER, crit,
				  st->inner_mech,
				  (uint32_t)strlen(st->inner_mech));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CREDSSP_INFO, crit, info,
				  sizeof(info));
	if (!err && !st->initiator && st->credentials.len)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CREDSSP_DELEGATED, crit,
				  st->credentials.data,
				  (uint32_t)st->credentials.len);
	if (!err)
		err = ctxblob_finish(blob);
	explicit_bzero(&tls, sizeof(tls));
	if (err)
		bytes_free(blob);
	ctxblob_reply(reply, err, attr, st->expiry);
}

/*
 * How much of @plain a TSRequest takes: its whole DER length when the tag
 * and length are there (the DER length octets, X.690 8.1.3: libtasn1
 * reads them only from a complete message), 0 when they are not yet,
 * -EINVAL for anything but a SEQUENCE of at most CREDSSP_MAX_TSREQUEST
 * bytes.
 */
static long tsrequest_length(const struct bytes *plain)
{
	size_t octets, i, content = 0;

	if (plain->len == 0)
		return 0;
	if (plain->data[0] != 0x30)
		return -EINVAL;
	if (plain->len < 2)
		return 0;
	if (!(plain->data[1] & 0x80)) {
		content = plain->data[1];
		octets = 0;
	} else {
		octets = plain->data[1] & 0x7f;
		if (octets == 0 || octets > 3)	/* indefinite, or too long */
			return -EINVAL;
		if (plain->len < 2 + octets)
			return 0;
		for (i = 0; i < octets; i++)
			content = content << 8 | plain->data[2 + i];
	}
	if (2 + octets + content > CREDSSP_MAX_TSREQUEST)
		return -EINVAL;
	return (long)(2 + octets + content);
}

/* The TLS status of a failed handshake step or record. */
#define TLS_FAILURE_STATUS	SEC_E_INVALID_TOKEN

/* What the records of a leg came to (open_tsrequest()) */
enum tsrequest_input {
	TSREQ_WHOLE,		/* st->pending holds one whole TSRequest */
	TSREQ_PART,		/* the input ran out after whole records */
	TSREQ_INCOMPLETE,	/* the input ends inside the next record */
	TSREQ_TLS_FAILED,	/* an alert for the peer may be in @out */
	TSREQ_INVALID,		/* no TSRequest, or more in its last record */
};

/*
 * Opens the records of @in one by one into st->pending until it holds a
 * whole TSRequest: the records after it are the peer's next message, or
 * its first data once the handshake is over (FreeRDP sends its MCS
 * Connect Initial right after authInfo, often in the same read), and stay
 * sealed for the caller (SECBUFFER_EXTRA), the record layer's state being
 * that of the first of them.  *@used: the bytes of the records opened;
 * *@missing: what the first record lacks (TSREQ_INCOMPLETE, *@used 0).
 */
static enum tsrequest_input open_tsrequest(struct credssp_state *st,
					   const uint8_t *in, size_t len,
					   size_t *used, size_t *missing,
					   struct bytes *out)
{
	size_t consumed;
	long whole;

	*used = 0;
	*missing = 0;
	for (;;) {
		whole = tsrequest_length(&st->pending);
		if (whole < 0 ||
		    (whole > 0 && (size_t)whole < st->pending.len))
			return TSREQ_INVALID;
		if (whole > 0 && (size_t)whole == st->pending.len)
			return TSREQ_WHOLE;
		if (*used == len)
			return TSREQ_PART;
		switch (tls_conn_recv_record(st->tls, in + *used, len - *used,
					     &consumed, missing, &st->pending,
					     out)) {
		case TLS_INCOMPLETE:
			return TSREQ_INCOMPLETE;
		case TLS_FAILED:
			return TSREQ_TLS_FAILED;
		case TLS_NEED_MORE:
		case TLS_OK:
			break;
		}
		/* A whole record is always read (GnuTLS or its refusal) */
		if (!consumed)
			return TSREQ_TLS_FAILED;
		*used += consumed;
	}
}

/*
 * The application data part of a leg: the TSRequest in the records of
 * @in.  @progressed: this leg already changed the state (the handshake
 * finished in it), so it cannot answer SEC_E_INCOMPLETE_MESSAGE any more.
 */
static void message_leg(struct credssp_state *st, const struct upcall *up,
			const uint8_t *in, size_t len, bool progressed,
			struct reply *reply)
{
	struct bytes answer = { 0 };
	size_t used = 0, missing = 0;

	/* What reading makes (a TLS 1.3 server's tickets) goes out first */
	switch (open_tsrequest(st, in, len, &used, &missing, &reply->token)) {
	case TSREQ_INCOMPLETE:
		if (!progressed && !used) {
			reply->status = SEC_E_INCOMPLETE_MESSAGE;
			reply->input_missing = missing > UINT32_MAX ? 0 :
					       (uint32_t)missing;
			return;
		}
		/* fall through */
	case TSREQ_PART:
		/*
		 * The records so far hold part of the TSRequest: their
		 * plaintext is kept, and the caller sends nothing and passes
		 * the rest (SECBUFFER_EXTRA) with what it receives next.
		 */
		reply->status = SEC_I_CONTINUE_NEEDED;
		reply->input_extra = (uint32_t)(len - used);
		return;
	case TSREQ_TLS_FAILED:
		reply->status = TLS_FAILURE_STATUS;
		return;
	case TSREQ_INVALID:
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	case TSREQ_WHOLE:
		break;
	}

	if (st->initiator)
		credssp_client_message(st, up, st->pending.data,
				       st->pending.len, &answer, reply);
	else
		credssp_server_message(st, up, st->pending.data,
				       st->pending.len, &answer, reply);
	bytes_free(&st->pending);
	/* An errorCode goes out with the failure */
	if (answer.len &&
	    tls_conn_send(st->tls, answer.data, answer.len, &reply->token) !=
		    TLS_OK)
		reply->status = SEC_E_INTERNAL_ERROR;
	bytes_free(&answer);
	if (reply->status == SEC_E_OK)
		credssp_establish(st, reply);
	if (reply->status == SEC_E_OK || reply->status == SEC_I_CONTINUE_NEEDED)
		reply->input_extra = (uint32_t)(len - used);
}

/*
 * The server's subjectPublicKey from TLS.  A resumed handshake shows no
 * certificate: the client has the key from its session cache, the server
 * from its configuration.
 */
static uint32_t keep_public_key(struct credssp_state *st)
{
	const struct bytes *ours = credssp_server_public_key();
	struct bytes spki = { 0 };
	int err;

	err = tls_conn_server_spki(st->tls, &spki);
	if (err == -ENOENT && !st->initiator && ours->len) {
		bytes_free(&st->public_key);
		return bytes_append(&st->public_key, ours->data, ours->len) ?
		       SEC_E_INSUFFICIENT_MEMORY : SEC_E_OK;
	}
	if (err == -ENOENT && st->initiator && st->public_key.len)
		return SEC_E_OK;
	if (!err) {
		bytes_free(&st->public_key);
		err = spki_subject_public_key(spki.data, spki.len,
					      &st->public_key);
	}
	bytes_free(&spki);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	return err ? SEC_E_INTERNAL_ERROR : SEC_E_OK;
}

/*
 * The client's leg where the handshake ended: records after the server's
 * Finished (a TLS 1.3 server's session tickets) are read first, then the
 * first TSRequest goes out after our Finished.
 */
static void client_handshake_done(struct credssp_state *st,
				  const struct upcall *up, const uint8_t *rest,
				  size_t len, struct reply *reply)
{
	struct bytes answer = { 0 };
	size_t consumed = 0, missing = 0, extra = 0;

	if (len) {
		switch (tls_conn_recv(st->tls, rest, len, &consumed, &missing,
				      &st->pending, &reply->token)) {
		case TLS_FAILED:
			reply->status = TLS_FAILURE_STATUS;
			return;
		case TLS_INCOMPLETE:
			extra = len;
			break;
		case TLS_NEED_MORE:
		case TLS_OK:
			extra = len - consumed;
			break;
		}
	}
	credssp_client_handshake_done(st, up, &answer, reply);
	if (answer.len &&
	    tls_conn_send(st->tls, answer.data, answer.len, &reply->token) !=
		    TLS_OK)
		reply->status = SEC_E_INTERNAL_ERROR;
	bytes_free(&answer);
	if (reply->status == SEC_I_CONTINUE_NEEDED)
		reply->input_extra = (uint32_t)extra;
}

/* A leg after the first one (and the server's first). */
static void later_leg(struct credssp_state *st, const struct upcall *up,
		      struct reply *reply)
{
	const uint8_t *in = up->token.data;
	size_t len = up->token.len, consumed = 0, missing = 0;

	if (st->stage != CREDSSP_HANDSHAKE) {
		if (st->stage == CREDSSP_DONE) {
			reply->status = SEC_E_OUT_OF_SEQUENCE;
			return;
		}
		message_leg(st, up, in, len, false, reply);
		return;
	}

	if (st->initiator &&
	    credssp_client_certificate_leg(st, up, &in, &len, reply))
		return;
	switch (tls_conn_handshake(st->tls, in, len, &consumed, &missing,
				   &reply->token)) {
	case TLS_INCOMPLETE:
		reply->status = SEC_E_INCOMPLETE_MESSAGE;
		reply->input_missing = missing > UINT32_MAX ? 0 :
				       (uint32_t)missing;
		return;
	case TLS_FAILED:
		/* An alert for the peer may be in the token */
		reply->status = tls_conn_peer_certificate_rejected(st->tls) ?
				SEC_E_UNTRUSTED_ROOT : TLS_FAILURE_STATUS;
		return;
	case TLS_NEED_MORE:
		reply->status = SEC_I_CONTINUE_NEEDED;
		reply->input_extra = (uint32_t)(len - consumed);
		return;
	case TLS_OK:
		break;
	}

	st->resumed = tls_conn_resumed(st->tls);
	/* Verified during the handshake, which fails otherwise */
	st->client_certificate_verified = !st->initiator &&
		(st->context_req & ASC_REQ_MUTUAL_AUTH) &&
		tls_conn_peer_certificate(st->tls);
	reply->status = keep_public_key(st);
	if (reply->status != SEC_E_OK)
		return;
	st->stage = CREDSSP_NEGO;
	if (st->initiator) {
		client_handshake_done(st, up, in + consumed, len - consumed,
				      reply);
		return;
	}
	/* The client's first TSRequest may follow its Finished */
	if (consumed == len) {
		reply->status = SEC_I_CONTINUE_NEEDED;
		return;
	}
	message_leg(st, up, in + consumed, len - consumed, true, reply);
}

static void credssp_step(void *opaque, const struct upcall *up,
			 struct reply *reply)
{
	struct credssp_state *st = opaque;

	/* ISC_REQ_USE_SUPPLIED_CREDS: what the caller delegates itself */
	if (up->op == KSSPI_OP_INIT_CONTEXT &&
	    upcall_has(up, KSSPI_A_PKG_PARAMS)) {
		bytes_free(&st->supplied_credentials);
		if (bytes_append(&st->supplied_credentials, up->pkg_params.data,
				 up->pkg_params.len)) {
			reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return;
		}
	}

	if (st->stage == CREDSSP_NEW) {
		if (up->op == KSSPI_OP_INIT_CONTEXT) {
			credssp_client_first(st, up, reply);
		} else if (credssp_server_first(st, up, reply)) {
			later_leg(st, up, reply);
		}
	} else {
		later_leg(st, up, reply);
	}

	/* The package's cbMaxToken (a huge certificate chain could pass it) */
	if (!(reply->status & 0x80000000u) &&
	    reply->token.len > CREDSSP_MAX_TOKEN) {
		log_warn("CredSSP: an output token of %zu bytes exceeds cbMaxToken (%d)",
			 reply->token.len, CREDSSP_MAX_TOKEN);
		reply_clear(reply);
		reply->status = SEC_E_INTERNAL_ERROR;
	}
}

const struct package pkg_credssp = {
	.name = CREDSSP_PACKAGE_NAME,
	.state_new = credssp_state_new,
	.state_free = credssp_state_free,
	.step = credssp_step,
};
