// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kerberos user-to-user (ISC_REQ_USE_SESSION_KEY): a server that holds
 * only a TGT, no keytab.  MIT's GSSAPI has no user-to-user initiator and
 * its acceptor takes keys from a keytab only, so the legs are MIT's krb5
 * API; the tokens are Windows' (u2u_token.c).
 *
 *	client (ISC)				server (ASC, its own TGT)
 *	leg 1: -> TGT-REQ	------->	leg 1: TGT-REQ -> TGT-REP
 *	leg 2: TGT-REP -> TGS-REQ with ENC-TKT-IN-SKEY to the KDC,
 *	       AP-REQ (USE_SESSION_KEY)	------->  leg 2: AP-REQ -> AP-REP
 *	leg 3: AP-REP					 SEC_E_OK
 *	       SEC_E_OK
 *
 * The AP-REQ's authenticator carries the RFC 4121 checksum (0x8003: the
 * channel bindings' MD5 and the GSS flags) and a subkey; the AP-REP an
 * acceptor subkey and sequence number, as MIT's GSSAPI would, so that the
 * established context is an RFC 4121 context like any other and leaves in
 * the same blob.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "kerberos/kerberos.h"
#include "message.h"

/* RFC 4121 4.1.1: the authenticator checksum's type and fixed length */
#define GSS_CHECKSUM_TYPE	0x8003
#define GSS_CHECKSUM_LEN	24
#define GSS_BINDINGS_LEN	16

enum u2u_stage {
	U2U_NEW,
	U2U_CLIENT_TGT_REQ_SENT,
	U2U_CLIENT_AP_REQ_SENT,
	U2U_SERVER_TGT_REP_SENT,
	U2U_DONE,	/* established, or failed: no further leg */
};

struct kerberos_u2u {
	enum u2u_stage stage;
	krb5_context kctx;
	krb5_ccache cc;		/* client: a MEMORY copy of its tickets */
	krb5_principal me;	/* the client's, or the server's own name */
	krb5_principal target;	/* client: the server's principal */
	krb5_creds *ticket;	/* client: the user-to-user ticket */
	krb5_creds *tgt;	/* server: its TGT and session key */
	krb5_auth_context ac;
	krb5_keyblock *initiator_subkey;
	OM_uint32 gss_flags;	/* client: asked for */
	uint32_t extra_attrs;	/* client: ISC_RET_* besides the flags' */
};

static void put_le32(uint8_t out[4], uint32_t value)
{
	out[0] = (uint8_t)value;
	out[1] = (uint8_t)(value >> 8);
	out[2] = (uint8_t)(value >> 16);
	out[3] = (uint8_t)(value >> 24);
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

struct kerberos_u2u *kerberos_u2u_new(void)
{
	struct kerberos_u2u *u = calloc(1, sizeof(*u));

	if (u && krb5_init_context(&u->kctx)) {
		free(u);
		return NULL;
	}
	return u;
}

void kerberos_u2u_free(struct kerberos_u2u *u)
{
	if (!u)
		return;
	if (u->initiator_subkey)
		krb5_free_keyblock(u->kctx, u->initiator_subkey);
	if (u->ac)
		krb5_auth_con_free(u->kctx, u->ac);
	if (u->ticket)
		krb5_free_creds(u->kctx, u->ticket);
	if (u->tgt)
		krb5_free_creds(u->kctx, u->tgt);
	if (u->target)
		krb5_free_principal(u->kctx, u->target);
	if (u->me)
		krb5_free_principal(u->kctx, u->me);
	if (u->cc)
		krb5_cc_destroy(u->kctx, u->cc);
	krb5_free_context(u->kctx);
	free(u);
}

/* The status of a failed krb5 call on the way to a context. */
static uint32_t krb5_failure(krb5_error_code code)
{
	if (code == ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	switch (code) {
	case KRB5KDC_ERR_SERVER_NOMATCH:	/* not that TGT's principal */
		return SEC_E_WRONG_PRINCIPAL;
	default:
		return kerberos_status(GSS_S_FAILURE, (OM_uint32)code);
	}
}

/*
 * The 16-byte MD5 of @cb as RFC 4121 4.1.1.2 (RFC 1964 1.1.1) lays the
 * bindings out, or 16 zero bytes without bindings.
 */
static void bindings_md5(const struct gss_channel_bindings_struct *cb,
			 uint8_t out[GSS_BINDINGS_LEN])
{
	const gss_buffer_desc *parts[3];
	uint32_t types[3];
	struct md5_ctx md5;
	uint8_t le[4];
	size_t i;

	if (!cb) {
		memset(out, 0, GSS_BINDINGS_LEN);
		return;
	}
	parts[0] = &cb->initiator_address;
	parts[1] = &cb->acceptor_address;
	parts[2] = &cb->application_data;
	types[0] = cb->initiator_addrtype;
	types[1] = cb->acceptor_addrtype;
	md5_init(&md5);
	for (i = 0; i < 3; i++) {
		if (i < 2) {
			put_le32(le, types[i]);
			md5_update(&md5, 4, le);
		}
		put_le32(le, (uint32_t)parts[i]->length);
		md5_update(&md5, 4, le);
		if (parts[i]->length)
			md5_update(&md5, parts[i]->length, parts[i]->value);
	}
	md5_digest(&md5, GSS_BINDINGS_LEN, out);
}

/* The principal a target name names: host-based or a principal name. */
static krb5_error_code target_principal(krb5_context kctx, const char *name,
					enum kerberos_name_type type,
					krb5_principal *out)
{
	char service[KSSPI_MAX_NAME + 2];
	const char *at;

	if (type == KERBEROS_NAME_PRINCIPAL)
		return krb5_parse_name(kctx, name, out);
	at = strchr(name, '@');
	if (!at || (size_t)(at - name) >= sizeof(service))
		return KRB5_PARSE_MALFORMED;
	memcpy(service, name, (size_t)(at - name));
	service[at - name] = '\0';
	return krb5_sname_to_principal(kctx, at + 1, service, KRB5_NT_SRV_HST,
				       out);
}

/* The krb5 principal of an initiator credential. */
static krb5_error_code cred_principal(krb5_context kctx, gss_cred_id_t cred,
				      krb5_principal *out)
{
	gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor;
	krb5_error_code code = KRB5_CC_NOTFOUND;
	char *text;

	major = gss_inquire_cred(&minor, cred, &name, NULL, NULL, NULL);
	if (!GSS_ERROR(major))
		major = gss_display_name(&minor, name, &buf, NULL);
	if (!GSS_ERROR(major) && (text = strndup(buf.value, buf.length))) {
		code = krb5_parse_name(kctx, text, out);
		free(text);
	}
	gss_release_buffer(&minor, &buf);
	if (name != GSS_C_NO_NAME)
		gss_release_name(&minor, &name);
	return code;
}

uint32_t kerberos_u2u_client_start(struct kerberos_u2u *u,
				   gss_cred_id_t cred, const char *target,
				   enum kerberos_name_type type,
				   OM_uint32 gss_flags, uint32_t extra_attrs,
				   struct reply *reply)
{
	const char *components[8];
	char *copies[8] = { 0 };
	struct bytes req = { 0 };
	char *realm = NULL;
	OM_uint32 major, minor;
	krb5_error_code code;
	int32_t i, n;
	uint32_t status;

	if (u->stage != U2U_NEW)
		return SEC_E_INTERNAL_ERROR;
	code = krb5_cc_new_unique(u->kctx, "MEMORY", NULL, &u->cc);
	if (code)
		return SEC_E_INSUFFICIENT_MEMORY;
	/* MIT copies the tickets only: the cache is named first */
	if (cred_principal(u->kctx, cred, &u->me) ||
	    krb5_cc_initialize(u->kctx, u->cc, u->me))
		return SEC_E_NO_CREDENTIALS;
	major = gss_krb5_copy_ccache(&minor, cred, u->cc);
	if (GSS_ERROR(major))
		return SEC_E_NO_CREDENTIALS;
	if (target_principal(u->kctx, target, type, &u->target))
		return SEC_E_TARGET_UNKNOWN;
	n = u->target->length;
	if (n < 1 || n > (int32_t)(sizeof(components) / sizeof(components[0])))
		return SEC_E_TARGET_UNKNOWN;
	/* the names go into the DER as C strings, none empty */
	for (i = 0; i < n; i++) {
		if (!u->target->data[i].length ||
		    memchr(u->target->data[i].data, 0,
			   u->target->data[i].length))
			return SEC_E_TARGET_UNKNOWN;
	}
	status = SEC_E_INSUFFICIENT_MEMORY;
	for (i = 0; i < n; i++) {
		copies[i] = strndup(u->target->data[i].data,
				    u->target->data[i].length);
		if (!copies[i])
			goto out;
		components[i] = copies[i];
	}
	if (u->target->realm.length) {
		realm = strndup(u->target->realm.data,
				u->target->realm.length);
		if (!realm)
			goto out;
	}
	if (kerberos_tgt_request_encode(u->target->type, components,
					(size_t)n, realm, &req) ||
	    kerberos_u2u_frame(KERBEROS_U2U_TOK_TGT_REQ, req.data, req.len,
			       &reply->token))
		goto out;
	/* always mutual; nothing delegated on this path */
	u->gss_flags = (gss_flags | GSS_C_MUTUAL_FLAG) & ~GSS_C_DELEG_FLAG;
	u->extra_attrs = extra_attrs;
	u->stage = U2U_CLIENT_TGT_REQ_SENT;
	status = SEC_I_CONTINUE_NEEDED;
out:
	for (i = 0; i < n; i++)
		free(copies[i]);
	free(realm);
	bytes_free(&req);
	return status;
}

/* The body of @token, a user-to-user token of kind @want. */
static uint32_t expect_token(const struct upcall *up, uint16_t want,
			     krb5_data *body)
{
	const uint8_t *p;
	uint16_t tok_id;
	size_t len;

	if (!upcall_has(up, KSSPI_A_TOKEN) ||
	    kerberos_u2u_unframe(up->token.data, up->token.len, &tok_id, &p,
				 &len) ||
	    tok_id != want || !len)
		return SEC_E_INVALID_TOKEN;
	body->magic = KV5M_DATA;
	body->data = (char *)p;
	body->length = (unsigned int)len;
	return SEC_E_OK;
}

/* Whether @p is krbtgt/<realm>. */
static bool is_tgs(krb5_const_principal p)
{
	return p->length == 2 && p->data[0].length == 6 &&
	       !memcmp(p->data[0].data, "krbtgt", 6);
}

/* Leg 2: the server's TGT -> a user-to-user ticket -> the AP-REQ. */
static uint32_t client_ap_req(struct kerberos_u2u *u, const struct upcall *up,
			      const struct gss_channel_bindings_struct *cb,
			      struct reply *reply)
{
	uint8_t checksum[GSS_CHECKSUM_LEN];
	struct bytes tgt = { 0 };
	krb5_creds in = { 0 };
	krb5_ticket *server_tgt = NULL;
	krb5_data body, ticket_der, cksum, ap_req = { 0 };
	krb5_error_code code;
	uint32_t status;

	status = expect_token(up, KERBEROS_U2U_TOK_TGT_REP, &body);
	if (status != SEC_E_OK)
		return status;
	if (kerberos_tgt_reply_ticket((const uint8_t *)body.data, body.length,
				      &tgt))
		return SEC_E_INVALID_TOKEN;
	ticket_der.magic = KV5M_DATA;
	ticket_der.data = (char *)tgt.data;
	ticket_der.length = (unsigned int)tgt.len;
	/* a TGT: krbtgt/REALM */
	if (krb5_decode_ticket(&ticket_der, &server_tgt) ||
	    !is_tgs(server_tgt->server)) {
		status = SEC_E_INVALID_TOKEN;
		goto out;
	}
	in.client = u->me;
	in.server = u->target;
	in.second_ticket = ticket_der;
	code = krb5_get_credentials(u->kctx,
				    KRB5_GC_USER_USER | KRB5_GC_NO_STORE,
				    u->cc, &in, &u->ticket);
	if (code) {
		status = krb5_failure(code);
		goto out;
	}
	if ((code = krb5_auth_con_init(u->kctx, &u->ac)) ||
	    (code = krb5_auth_con_setflags(u->kctx, u->ac,
					   KRB5_AUTH_CONTEXT_DO_SEQUENCE)) ||
	    (code = krb5_auth_con_set_req_cksumtype(u->kctx, u->ac,
						    GSS_CHECKSUM_TYPE))) {
		status = krb5_failure(code);
		goto out;
	}
	/* RFC 4121 4.1.1: Lgth 16, Bnd, Flags (no delegation option) */
	put_le32(checksum, GSS_BINDINGS_LEN);
	bindings_md5(cb, checksum + 4);
	put_le32(checksum + 20, u->gss_flags);
	cksum.magic = KV5M_DATA;
	cksum.data = (char *)checksum;
	cksum.length = sizeof(checksum);
	code = krb5_mk_req_extended(u->kctx, &u->ac,
				    AP_OPTS_USE_SESSION_KEY |
				    AP_OPTS_MUTUAL_REQUIRED |
				    AP_OPTS_USE_SUBKEY,
				    &cksum, u->ticket, &ap_req);
	if (!code)
		code = krb5_auth_con_getsendsubkey(u->kctx, u->ac,
						   &u->initiator_subkey);
	if (code) {
		status = krb5_failure(code);
		goto out;
	}
	if (kerberos_u2u_frame(KERBEROS_U2U_TOK_AP_REQ,
			       (const uint8_t *)ap_req.data, ap_req.length,
			       &reply->token)) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	u->stage = U2U_CLIENT_AP_REQ_SENT;
	status = SEC_I_CONTINUE_NEEDED;
out:
	krb5_free_data_contents(u->kctx, &ap_req);
	if (server_tgt)
		krb5_free_ticket(u->kctx, server_tgt);
	bytes_free(&tgt);
	return status;
}

/* "name@REALM" of @p; NULL on failure. */
static char *unparse(krb5_context kctx, krb5_const_principal p)
{
	char *name = NULL, *out;

	if (krb5_unparse_name(kctx, p, &name))
		return NULL;
	out = strdup(name);
	krb5_free_unparsed_name(kctx, name);
	return out;
}

/* The blob of an established user-to-user context. */
static uint32_t finish(struct kerberos_u2u *u, bool initiator,
		       krb5_const_principal client, krb5_const_principal server,
		       const krb5_keyblock *key, bool acceptor_subkey,
		       uint64_t send_seq, uint64_t recv_seq, int64_t expiry,
		       uint32_t context_attr, struct reply *reply)
{
	struct kerberos_context_keys keys = {
		.enctype = key->enctype,
		.key = key->contents,
		.key_len = key->length,
		.acceptor_subkey = acceptor_subkey,
		.send_seq = send_seq,
		.recv_seq = recv_seq,
	};
	char *client_name = unparse(u->kctx, client);
	char *server_name = unparse(u->kctx, server);

	if (client_name && server_name)
		kerberos_establish(reply, initiator, context_attr, expiry,
				   client_name, server_name, &keys);
	else
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
	free(client_name);
	free(server_name);
	if (reply->status == SEC_E_OK)
		u->stage = U2U_DONE;
	return reply->status;
}

/* Leg 3: the AP-REP; the context. */
static uint32_t client_done(struct kerberos_u2u *u, const struct upcall *up,
			    struct reply *reply)
{
	krb5_ap_rep_enc_part *rep = NULL;
	krb5_int32 local_seq = 0;
	krb5_error_code code;
	krb5_data body;
	uint32_t status;

	status = expect_token(up, KERBEROS_U2U_TOK_AP_REP, &body);
	if (status != SEC_E_OK)
		return status;
	code = krb5_rd_rep(u->kctx, u->ac, &body, &rep);
	if (code) {
		/* not under the ticket's key: not the server we asked for */
		status = krb5_failure(code);
		if (status == SEC_E_LOGON_DENIED)
			status = SEC_E_WRONG_PRINCIPAL;
		else if (status == SEC_E_INTERNAL_ERROR)
			status = SEC_E_INVALID_TOKEN;
		return status;
	}
	krb5_auth_con_getlocalseqnumber(u->kctx, u->ac, &local_seq);
	status = finish(u, true, u->me, u->ticket->server,
			rep->subkey ? rep->subkey : u->initiator_subkey,
			rep->subkey != NULL, (uint32_t)local_seq,
			rep->seq_number,
			(int64_t)(uint32_t)u->ticket->times.endtime,
			kerberos_context_attrs(true, u->gss_flags) |
			ISC_RET_USE_SESSION_KEY | u->extra_attrs, reply);
	krb5_free_ap_rep_enc_part(u->kctx, rep);
	return status;
}

/*
 * A KRB-ERROR token from the server (03 00): the status of its error, as
 * the GSSAPI path gives it; a refusal of our AP-REQ's ticket or
 * authenticator is the server's not proving itself.
 */
static uint32_t client_error(struct kerberos_u2u *u, const struct upcall *up)
{
	krb5_error *err = NULL;
	krb5_data body;
	uint32_t status;

	if (expect_token(up, KERBEROS_U2U_TOK_ERROR, &body) != SEC_E_OK ||
	    krb5_rd_error(u->kctx, &body, &err))
		return SEC_E_INVALID_TOKEN;
	status = err->error > 127 ? SEC_E_INTERNAL_ERROR :
		 kerberos_status(GSS_S_FAILURE, (OM_uint32)(err->error +
							   ERROR_TABLE_BASE_krb5));
	if (status == SEC_E_LOGON_DENIED)
		status = SEC_E_WRONG_PRINCIPAL;
	krb5_free_error(u->kctx, err);
	return status;
}

static bool is_error_token(const struct upcall *up)
{
	const uint8_t *body;
	uint16_t tok_id;
	size_t len;

	return upcall_has(up, KSSPI_A_TOKEN) &&
	       !kerberos_u2u_unframe(up->token.data, up->token.len, &tok_id,
				     &body, &len) &&
	       tok_id == KERBEROS_U2U_TOK_ERROR;
}

uint32_t kerberos_u2u_client_step(struct kerberos_u2u *u,
				  const struct upcall *up,
				  const struct gss_channel_bindings_struct *cb,
				  struct reply *reply)
{
	uint32_t status;

	if ((u->stage == U2U_CLIENT_TGT_REQ_SENT ||
	     u->stage == U2U_CLIENT_AP_REQ_SENT) && is_error_token(up)) {
		u->stage = U2U_DONE;
		return client_error(u, up);
	}
	switch (u->stage) {
	case U2U_CLIENT_TGT_REQ_SENT:
		status = client_ap_req(u, up, cb, reply);
		break;
	case U2U_CLIENT_AP_REQ_SENT:
		status = client_done(u, up, reply);
		break;
	default:
		status = SEC_E_INVALID_TOKEN;
		break;
	}
	if (status != SEC_I_CONTINUE_NEEDED)
		u->stage = U2U_DONE;
	return status;
}

/* Leg 1: the caller's own TGT, no keytab; the TGT-REP. */
static uint32_t server_tgt_rep(struct kerberos_u2u *u, const struct upcall *up,
			       struct reply *reply)
{
	krb5_creds match = { 0 };
	krb5_ccache cc = NULL;
	krb5_timestamp now;
	struct bytes rep = { 0 };
	krb5_data body;
	char name[64];
	uint32_t status;
	int fd = -1;

	status = expect_token(up, KERBEROS_U2U_TOK_TGT_REQ, &body);
	if (status != SEC_E_OK)
		return status;
	if (kerberos_tgt_request_check((const uint8_t *)body.data,
				       body.length))
		return SEC_E_INVALID_TOKEN;
	/* the caller's own cache: never another user's, never the keytab */
	if ((up->flags & KSSPI_UPCALL_F_KERNEL_CALLER) ||
	    !upcall_has(up, KSSPI_A_UID))
		return SEC_E_NO_CREDENTIALS;
	fd = kerberos_user_ccache(up->uid);
	if (fd < 0)
		return SEC_E_NO_CREDENTIALS;
	snprintf(name, sizeof(name), "FILE:/proc/self/fd/%d", fd);
	status = SEC_E_NO_CREDENTIALS;
	if (krb5_cc_resolve(u->kctx, name, &cc) ||
	    krb5_cc_get_principal(u->kctx, cc, &u->me) ||
	    krb5_build_principal_ext(u->kctx, &match.server,
				     u->me->realm.length, u->me->realm.data,
				     6, "krbtgt", u->me->realm.length,
				     u->me->realm.data, 0))
		goto out;
	match.client = u->me;
	u->tgt = calloc(1, sizeof(*u->tgt));
	if (!u->tgt) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	if (krb5_cc_retrieve_cred(u->kctx, cc, 0, &match, u->tgt)) {
		free(u->tgt);
		u->tgt = NULL;
		goto out;
	}
	if (krb5_timeofday(u->kctx, &now) || u->tgt->times.endtime <= now)
		goto out;
	if (kerberos_tgt_reply_encode((const uint8_t *)u->tgt->ticket.data,
				      u->tgt->ticket.length, &rep) ||
	    kerberos_u2u_frame(KERBEROS_U2U_TOK_TGT_REP, rep.data, rep.len,
			       &reply->token)) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	u->stage = U2U_SERVER_TGT_REP_SENT;
	status = SEC_I_CONTINUE_NEEDED;
out:
	bytes_free(&rep);
	if (match.server)
		krb5_free_principal(u->kctx, match.server);
	if (cc)
		krb5_cc_close(u->kctx, cc);
	close(fd);
	return status;
}

/*
 * The GSS flags of the authenticator's checksum, the channel bindings
 * checked as the package checks them otherwise (MIT's rules, and
 * ASC_REQ_ALLOW_MISSING_BINDINGS as Windows has it).
 */
static uint32_t check_authenticator(const krb5_authenticator *auth,
				    const struct gss_channel_bindings_struct *cb,
				    uint32_t asc_req, OM_uint32 *flags)
{
	static const uint8_t none[GSS_BINDINGS_LEN];
	const krb5_checksum *ck = auth->checksum;
	uint8_t want[GSS_BINDINGS_LEN];
	bool bound = false;

	*flags = 0;
	if (ck) {
		if (ck->checksum_type != GSS_CHECKSUM_TYPE ||
		    ck->length < GSS_CHECKSUM_LEN ||
		    le32_at(ck->contents) != GSS_BINDINGS_LEN)
			return SEC_E_INVALID_TOKEN;
		*flags = le32_at(ck->contents + 20) &
			 (GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG |
			  GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG |
			  GSS_C_INTEG_FLAG);
		if (cb) {
			bindings_md5(cb, want);
			if (memeql_sec(ck->contents + 4, want, sizeof(want)))
				bound = true;
			else if (!memeql_sec(ck->contents + 4, none,
					     sizeof(none)))
				return SEC_E_BAD_BINDINGS;
		}
	}
	if (cb && !bound && !(asc_req & ASC_REQ_ALLOW_MISSING_BINDINGS))
		return SEC_E_BAD_BINDINGS;
	return SEC_E_OK;
}

/*
 * The KRB-ERROR a failed AP-REQ gets, as MIT's acceptor makes it (token
 * 03 00): the client learns why, and request.c hands it on under
 * ASC_REQ_EXTENDED_ERROR only.
 */
static void error_token(struct kerberos_u2u *u, krb5_error_code code,
			struct reply *reply)
{
	krb5_error err = { 0 };
	krb5_data der = { 0 };

	err.error = (krb5_ui_4)(code - ERROR_TABLE_BASE_krb5);
	if (code < ERROR_TABLE_BASE_krb5 || err.error > 127)
		err.error = 60;		/* KRB_ERR_GENERIC */
	err.server = u->me;
	if (krb5_us_timeofday(u->kctx, &err.stime, &err.susec) ||
	    krb5_mk_error(u->kctx, &err, &der))
		return;
	if (kerberos_u2u_frame(KERBEROS_U2U_TOK_ERROR,
			       (const uint8_t *)der.data, der.length,
			       &reply->token))
		bytes_free(&reply->token);
	krb5_free_data_contents(u->kctx, &der);
}

/* Leg 2: the AP-REQ under the TGT's session key; the AP-REP. */
static uint32_t server_ap_rep(struct kerberos_u2u *u, const struct upcall *up,
			      const struct gss_channel_bindings_struct *cb,
			      struct reply *reply)
{
	krb5_authenticator *auth = NULL;
	krb5_keyblock *key = NULL;
	krb5_ticket *ticket = NULL;
	krb5_int32 local_seq = 0, remote_seq = 0, acflags = 0;
	krb5_data body, ap_rep = { 0 };
	krb5_flags options = 0;
	krb5_error_code code;
	OM_uint32 flags;
	uint32_t status;
	bool mutual;

	status = expect_token(up, KERBEROS_U2U_TOK_AP_REQ, &body);
	if (status != SEC_E_OK)
		return status;
	if ((code = krb5_auth_con_init(u->kctx, &u->ac)) ||
	    (code = krb5_auth_con_setuseruserkey(u->kctx, u->ac,
						 &u->tgt->keyblock)))
		return krb5_failure(code);
	code = krb5_rd_req(u->kctx, &u->ac, &body, u->me, NULL, &options,
			   &ticket);
	if (code) {
		status = krb5_failure(code);
		/* what MIT could not even read */
		if (status == SEC_E_INTERNAL_ERROR)
			status = SEC_E_INVALID_TOKEN;
		error_token(u, code, reply);
		return status;
	}
	/*
	 * The ticket decrypted under the TGT's session key: a user-to-user
	 * ticket whether or not the AP-REQ says USE_SESSION_KEY (MIT's
	 * initiator, with such a ticket in its cache, does not say it).  It
	 * must name us.
	 */
	if (!krb5_principal_compare(u->kctx, ticket->server, u->me)) {
		status = SEC_E_WRONG_PRINCIPAL;
		code = KRB5KRB_AP_WRONG_PRINC;
		goto out;
	}
	code = krb5_auth_con_getauthenticator(u->kctx, u->ac, &auth);
	if (code) {
		status = krb5_failure(code);
		goto out;
	}
	status = check_authenticator(auth, cb, up->context_req, &flags);
	if (status != SEC_E_OK)
		goto out;
	if (cb && auth->checksum)
		flags |= GSS_C_CHANNEL_BOUND_FLAG;
	mutual = (options & AP_OPTS_MUTUAL_REQUIRED) ||
		 (flags & GSS_C_MUTUAL_FLAG);
	krb5_auth_con_getremoteseqnumber(u->kctx, u->ac, &remote_seq);
	if (mutual) {
		flags |= GSS_C_MUTUAL_FLAG;
		/* a sequence number and an acceptor subkey in the AP-REP */
		if ((code = krb5_auth_con_getflags(u->kctx, u->ac, &acflags)) ||
		    (code = krb5_auth_con_setflags(u->kctx, u->ac, acflags |
						   KRB5_AUTH_CONTEXT_DO_SEQUENCE |
						   KRB5_AUTH_CONTEXT_USE_SUBKEY)) ||
		    (code = krb5_mk_rep(u->kctx, u->ac, &ap_rep)) ||
		    (code = krb5_auth_con_getsendsubkey(u->kctx, u->ac, &key))) {
			status = krb5_failure(code);
			goto out;
		}
		krb5_auth_con_getlocalseqnumber(u->kctx, u->ac, &local_seq);
		if (kerberos_u2u_frame(KERBEROS_U2U_TOK_AP_REP,
				       (const uint8_t *)ap_rep.data,
				       ap_rep.length, &reply->token)) {
			status = SEC_E_INSUFFICIENT_MEMORY;
			goto out;
		}
	} else {
		/* the initiator's subkey, its sequence numbers both ways */
		code = krb5_auth_con_getrecvsubkey(u->kctx, u->ac, &key);
		if (!code && !key)
			code = krb5_auth_con_getkey(u->kctx, u->ac, &key);
		if (code || !key) {
			status = code ? krb5_failure(code) : SEC_E_INVALID_TOKEN;
			goto out;
		}
		local_seq = remote_seq;
	}
	status = finish(u, false, ticket->enc_part2->client, ticket->server,
			key, mutual, (uint32_t)local_seq, (uint32_t)remote_seq,
			(int64_t)(uint32_t)ticket->enc_part2->times.endtime,
			kerberos_context_attrs(false, flags) |
			ASC_RET_USE_SESSION_KEY |
			(up->context_req & ASC_REQ_EXTENDED_ERROR), reply);
out:
	if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED) {
		bytes_free(&reply->token);
		if (code == KRB5KRB_AP_WRONG_PRINC)
			error_token(u, code, reply);
	}
	krb5_free_data_contents(u->kctx, &ap_rep);
	if (key)
		krb5_free_keyblock(u->kctx, key);
	if (auth)
		krb5_free_authenticator(u->kctx, auth);
	krb5_free_ticket(u->kctx, ticket);
	return status;
}

uint32_t kerberos_u2u_server_step(struct kerberos_u2u *u,
				  const struct upcall *up,
				  const struct gss_channel_bindings_struct *cb,
				  struct reply *reply)
{
	uint32_t status;

	switch (u->stage) {
	case U2U_NEW:
		status = server_tgt_rep(u, up, reply);
		break;
	case U2U_SERVER_TGT_REP_SENT:
		status = server_ap_rep(u, up, cb, reply);
		break;
	default:
		status = SEC_E_INVALID_TOKEN;
		break;
	}
	if (status != SEC_I_CONTINUE_NEEDED)
		u->stage = U2U_DONE;
	return status;
}
