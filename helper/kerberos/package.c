// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "Kerberos" package: every leg is one gss_init_sec_context() or
 * gss_accept_sec_context() call of MIT krb5's GSSAPI with the raw krb5
 * mechanism; ksspid never builds or parses a Kerberos message itself.
 *
 *	client (ISC)				server (ASC)
 *	leg 1: -> AP-REQ	------->	leg 1: AP-REQ -> AP-REP (mutual)
 *	       SEC_I_CONTINUE_NEEDED (mutual)	       SEC_E_OK
 *	leg 2: AP-REP		<-------
 *	       SEC_E_OK
 *
 * Without ISC_REQ_MUTUAL_AUTH the client is done after leg 1 (SEC_E_OK
 * with the AP-REQ) and the server answers with no token.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"
#include "message.h"

/* The krb5 mechanism, 1.2.840.113554.1.2.2 */
static gss_OID_desc krb5_mech_oid = {
	9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};
static gss_OID_set_desc krb5_mech_set = { 1, &krb5_mech_oid };

static char *acceptor_keytab;

struct krb5_state {
	bool started;
	bool initiator;
	gss_ctx_id_t ctx;
	gss_cred_id_t cred;
	gss_name_t target;
	uint32_t context_req;
	int ccache_fd;		/* the caller's own cache, or -1 */
	/* USE_SUPPLIED_CREDS: the PKG_PARAMS tickets, until the end */
	struct kerberos_ccache supplied;
	/*
	 * An acceptor's: the TGT its client delegated, kept with the state
	 * (request.c keeps the session); a client's: its copy of the TGT
	 * delegated to the accepted context its credential was made from.
	 */
	struct kerberos_ccache delegated;
	/* USE_SESSION_KEY: a user-to-user context, not MIT's GSSAPI */
	struct kerberos_u2u *u2u;
};

int kerberos_config_setup(const char *keytab)
{
	free(acceptor_keytab);
	acceptor_keytab = NULL;
	if (keytab && !(acceptor_keytab = strdup(keytab)))
		return -ENOMEM;
	return 0;
}

void kerberos_config_cleanup(void)
{
	free(acceptor_keytab);
	acceptor_keytab = NULL;
}

uint32_t kerberos_status(uint32_t major, uint32_t minor)
{
	switch ((krb5_error_code)minor) {
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_REALM_UNKNOWN:
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
		return SEC_E_TARGET_UNKNOWN;
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5KRB_AP_ERR_MODIFIED:
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
	case KRB5KDC_ERR_CLIENT_REVOKED:
	case KRB5KDC_ERR_KEY_EXP:
	case KRB5KDC_ERR_NAME_EXP:
		return SEC_E_LOGON_DENIED;
	case KRB5KRB_AP_ERR_SKEW:
		return SEC_E_TIME_SKEW;
	case KRB5KRB_AP_ERR_NOKEY:
	case KRB5KRB_AP_ERR_MUT_FAIL:
	case KRB5KRB_AP_WRONG_PRINC:
	case KRB5KRB_AP_ERR_NOT_US:
	case KRB5_KT_NOTFOUND:
		return SEC_E_WRONG_PRINCIPAL;
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		return SEC_E_CONTEXT_EXPIRED;
	default:
		break;
	}
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_DEFECTIVE_TOKEN:
	case GSS_S_BAD_SIG:
	case GSS_S_BAD_MECH:
	case GSS_S_DUPLICATE_TOKEN:
	case GSS_S_OLD_TOKEN:
		return SEC_E_INVALID_TOKEN;
	case GSS_S_NO_CRED:
	case GSS_S_DEFECTIVE_CREDENTIAL:
		return SEC_E_NO_CREDENTIALS;
	case GSS_S_CREDENTIALS_EXPIRED:
	case GSS_S_CONTEXT_EXPIRED:
		return SEC_E_CONTEXT_EXPIRED;
	case GSS_S_BAD_NAME:
	case GSS_S_BAD_NAMETYPE:
		return SEC_E_TARGET_UNKNOWN;
	case GSS_S_BAD_BINDINGS:
		return SEC_E_BAD_BINDINGS;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

static void *krb5_state_new(void)
{
	struct krb5_state *st = calloc(1, sizeof(*st));

	if (st) {
		st->ctx = GSS_C_NO_CONTEXT;
		st->cred = GSS_C_NO_CREDENTIAL;
		st->target = GSS_C_NO_NAME;
		st->ccache_fd = -1;
	}
	return st;
}

static void krb5_state_free(void *opaque)
{
	struct krb5_state *st = opaque;
	OM_uint32 minor;

	if (!st)
		return;
	if (st->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &st->ctx, GSS_C_NO_BUFFER);
	if (st->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &st->cred);
	if (st->target != GSS_C_NO_NAME)
		gss_release_name(&minor, &st->target);
	if (st->ccache_fd >= 0)
		close(st->ccache_fd);
	kerberos_ccache_destroy(&st->supplied);
	kerberos_ccache_destroy(&st->delegated);
	kerberos_u2u_free(st->u2u);
	free(st);
}

/* ISC_REQ_* / ASC_REQ_* bits and the GSS_C_* flags they mean. */
struct flag_map {
	uint32_t isc, asc, gss;
};

static const struct flag_map flag_map[] = {
	{ ISC_REQ_DELEGATE, ASC_REQ_DELEGATE, GSS_C_DELEG_FLAG },
	{ ISC_REQ_MUTUAL_AUTH, ASC_REQ_MUTUAL_AUTH, GSS_C_MUTUAL_FLAG },
	{ ISC_REQ_REPLAY_DETECT, ASC_REQ_REPLAY_DETECT, GSS_C_REPLAY_FLAG },
	{ ISC_REQ_SEQUENCE_DETECT, ASC_REQ_SEQUENCE_DETECT,
	  GSS_C_SEQUENCE_FLAG },
	{ ISC_REQ_CONFIDENTIALITY, ASC_REQ_CONFIDENTIALITY, GSS_C_CONF_FLAG },
	{ ISC_REQ_INTEGRITY, ASC_REQ_INTEGRITY, GSS_C_INTEG_FLAG },
};

static OM_uint32 gss_flags_of(uint32_t req)
{
	OM_uint32 gss = 0;
	size_t i;

	/* "If this flag is set, ISC_REQ_INTEGRITY is ignored." */
	if (req & ISC_REQ_NO_INTEGRITY)
		req &= ~(uint32_t)ISC_REQ_INTEGRITY;
	for (i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (req & flag_map[i].isc)
			gss |= flag_map[i].gss;
	return gss;
}

/* The context attributes of @gss; the ISC_RET/ASC_RET bits share values. */
uint32_t kerberos_context_attrs(bool initiator, uint32_t gss)
{
	uint32_t attr = 0;
	size_t i;

	for (i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (gss & flag_map[i].gss)
			attr |= initiator ? flag_map[i].isc : flag_map[i].asc;
	return attr;
}

/* "user@REALM" of an identity's user and domain (the realm uppercased). */
static char *identity_principal(const char *user, const char *domain)
{
	char *principal, *at;

	if (strchr(user, '@') || !domain || !domain[0])
		return strdup(user);
	if (asprintf(&principal, "%s@%s", user, domain) < 0)
		return NULL;
	for (at = strrchr(principal, '@') + 1; *at; at++)
		*at = (char)toupper((unsigned char)*at);
	return principal;
}

/* Initiator credentials from a credential store (gss_acquire_cred_from). */
static uint32_t cred_from_store(struct krb5_state *st,
				gss_key_value_element_desc *kv, uint32_t n)
{
	gss_key_value_set_desc store = { n, kv };
	OM_uint32 major, minor;

	/*
	 * Nothing is asked of the KDC yet (the first leg does that): a
	 * failure here is a cache without usable tickets or a keytab without
	 * keys.
	 */
	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				      &krb5_mech_set, GSS_C_INITIATE, &store,
				      &st->cred, NULL, NULL);
	return GSS_ERROR(major) ? SEC_E_NO_CREDENTIALS : SEC_E_OK;
}

/*
 * Without an identity: an in-kernel caller gets the machine's credentials,
 * a TGT from the keytab's first principal (as rpc.gssd's machine
 * credentials, from the keytab of --krb5-keytab), kept in one MEMORY cache
 * of ksspid; a user the default cache of its own uid, never ksspid's.
 */
static uint32_t default_cred(struct krb5_state *st, const struct upcall *up)
{
	gss_key_value_element_desc kv[2];
	char ccache[64];

	if (up->flags & KSSPI_UPCALL_F_KERNEL_CALLER) {
		kv[0].key = "ccache";
		kv[0].value = "MEMORY:ksspid-machine";
		kv[1].key = "client_keytab";
		kv[1].value = acceptor_keytab ? acceptor_keytab :
						"FILE:/etc/krb5.keytab";
		return cred_from_store(st, kv, 2);
	}
	if (!upcall_has(up, KSSPI_A_UID))
		return SEC_E_NO_CREDENTIALS;
	st->ccache_fd = kerberos_user_ccache(up->uid);
	if (st->ccache_fd < 0)
		return SEC_E_NO_CREDENTIALS;
	snprintf(ccache, sizeof(ccache), "FILE:/proc/self/fd/%d",
		 st->ccache_fd);
	kv[0].key = "ccache";
	kv[0].value = ccache;
	return cred_from_store(st, kv, 1);
}

/* ISC_REQ_USE_SUPPLIED_CREDS: the tickets of the KRB-CRED in PKG_PARAMS */
static uint32_t supplied_cred(struct krb5_state *st, const struct upcall *up)
{
	gss_key_value_element_desc kv = { "ccache", NULL };
	char ccache[128];
	uint32_t status;

	status = kerberos_supplied_ccache(up->pkg_params.data,
					  up->pkg_params.len, &st->supplied);
	if (status != SEC_E_OK)
		return status;
	if (kerberos_ccache_name(&st->supplied, ccache, sizeof(ccache)))
		return SEC_E_INTERNAL_ERROR;
	kv.value = ccache;
	return cred_from_store(st, &kv, 1);
}

/*
 * A credential made from an accepted context: its own copy of the TGT
 * delegated there, so that the context may go while this one runs.
 */
static uint32_t delegated_cred(struct krb5_state *st, const struct upcall *up)
{
	gss_key_value_element_desc kv = { "ccache", NULL };
	char ccache[128];
	uint32_t status;

	status = kerberos_ccache_copy(up->delegated_ccache, &st->delegated);
	if (status != SEC_E_OK)
		return status;
	if (kerberos_ccache_name(&st->delegated, ccache, sizeof(ccache)))
		return SEC_E_INTERNAL_ERROR;
	kv.value = ccache;
	return cred_from_store(st, &kv, 1);
}

/* "user@REALM" from the identity: the domain, uppercased, is the realm. */
static uint32_t client_cred(struct krb5_state *st, const struct upcall *up)
{
	gss_buffer_desc namebuf, pwbuf;
	gss_name_t name = GSS_C_NO_NAME;
	char *user = NULL, *domain = NULL, *principal = NULL;
	struct bytes password = { 0 };
	OM_uint32 major, minor;
	uint32_t status;

	if ((up->context_req & ISC_REQ_USE_SUPPLIED_CREDS) &&
	    upcall_has(up, KSSPI_A_PKG_PARAMS) && up->pkg_params.len)
		return supplied_cred(st, up);
	if (up->delegated_ccache)
		return delegated_cred(st, up);
	if (!upcall_has(up, UPCALL_USER) || !upcall_has(up, UPCALL_PASSWORD))
		return default_cred(st, up);
	if (upcall_identity_copy(up, &user, &domain, &password)) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	principal = identity_principal(user, domain);
	if (!principal) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	namebuf.value = principal;
	namebuf.length = strlen(principal);
	major = gss_import_name(&minor, &namebuf,
				(gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &name);
	if (GSS_ERROR(major)) {
		status = SEC_E_UNKNOWN_CREDENTIALS;
		goto out;
	}
	pwbuf.value = password.data;
	pwbuf.length = password.len;
	major = gss_acquire_cred_with_password(&minor, name, &pwbuf,
					       GSS_C_INDEFINITE, &krb5_mech_set,
					       GSS_C_INITIATE, &st->cred,
					       NULL, NULL);
	status = GSS_ERROR(major) ? kerberos_status(major, minor) : SEC_E_OK;
	if (status == SEC_E_INTERNAL_ERROR)
		status = SEC_E_LOGON_DENIED;
out:
	if (name != GSS_C_NO_NAME)
		gss_release_name(&minor, &name);
	if (user) {
		explicit_bzero(user, strlen(user));
		free(user);
	}
	if (domain) {
		explicit_bzero(domain, strlen(domain));
		free(domain);
	}
	if (principal) {
		explicit_bzero(principal, strlen(principal));
		free(principal);
	}
	bytes_free(&password);
	return status;
}

static uint32_t client_start(struct krb5_state *st, const struct upcall *up,
			     struct reply *reply)
{
	char name[KSSPI_MAX_NAME + 2];
	enum kerberos_name_type type;
	gss_buffer_desc namebuf;
	OM_uint32 major, minor;
	uint32_t status;

	/* DELEGATE needs MUTUAL_AUTH: the reference page's status table */
	if ((up->context_req & ISC_REQ_DELEGATE) &&
	    !(up->context_req & ISC_REQ_MUTUAL_AUTH))
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!upcall_has(up, KSSPI_A_TARGET_NAME) ||
	    kerberos_target(up->target_name, name, sizeof(name), &type))
		return SEC_E_TARGET_UNKNOWN;
	namebuf.value = name;
	namebuf.length = strlen(name);
	major = gss_import_name(&minor, &namebuf,
				type == KERBEROS_NAME_HOSTBASED ?
				GSS_C_NT_HOSTBASED_SERVICE :
				(gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME,
				&st->target);
	if (GSS_ERROR(major))
		return SEC_E_TARGET_UNKNOWN;
	status = client_cred(st, up);
	if (status != SEC_E_OK)
		return status;
	st->initiator = true;
	st->context_req = up->context_req;
	/* user-to-user: MIT's krb5 API from here on (u2u.c) */
	if (up->context_req & ISC_REQ_USE_SESSION_KEY) {
		st->u2u = kerberos_u2u_new();
		if (!st->u2u)
			return SEC_E_INSUFFICIENT_MEMORY;
		return kerberos_u2u_client_start(st->u2u, st->cred, name, type,
						 gss_flags_of(st->context_req),
						 (st->supplied.cc ?
						  ISC_RET_USED_SUPPLIED_CREDS :
						  0) | (up->context_req &
						  ISC_REQ_EXTENDED_ERROR),
						 reply);
	}
	return SEC_E_OK;
}

/*
 * Whether the acceptor keytab holds a key of @principal.  Asked before
 * gss_acquire_cred_from(), whose failure for a principal the keytab lacks
 * leaks the principal in MIT krb5 1.20: an inbound identity naming any
 * principal must not grow ksspid.
 */
static bool keytab_has(const char *principal)
{
	krb5_context kctx;
	krb5_keytab kt = NULL;
	krb5_principal princ = NULL;
	krb5_keytab_entry entry;
	bool found = false;

	if (krb5_init_context(&kctx))
		return false;
	if ((acceptor_keytab ? krb5_kt_resolve(kctx, acceptor_keytab, &kt) :
			       krb5_kt_default(kctx, &kt)) ||
	    krb5_parse_name(kctx, principal, &princ))
		goto out;
	if (!krb5_kt_get_entry(kctx, kt, princ, 0, 0, &entry)) {
		found = true;
		krb5_free_keytab_entry_contents(kctx, &entry);
	}
out:
	if (princ)
		krb5_free_principal(kctx, princ);
	if (kt)
		krb5_kt_close(kctx, kt);
	krb5_free_context(kctx);
	return found;
}

/*
 * The keytab's keys are the services' secrets: whoever accepts with them
 * receives tickets meant for those services.  As on Windows, where only
 * the service's account and SYSTEM reach them, only root and in-kernel
 * callers may accept with them.
 */
static bool keytab_caller(const struct upcall *up)
{
	return (up->flags & KSSPI_UPCALL_F_KERNEL_CALLER) ||
	       (upcall_has(up, KSSPI_A_UID) && up->uid == 0);
}

bool kerberos_can_accept(const struct upcall *up)
{
	krb5_context kctx;
	krb5_keytab kt = NULL;
	krb5_kt_cursor cursor;
	krb5_keytab_entry entry;
	bool any = false;

	if (!keytab_caller(up) || krb5_init_context(&kctx))
		return false;
	if ((acceptor_keytab ? krb5_kt_resolve(kctx, acceptor_keytab, &kt) :
			       krb5_kt_default(kctx, &kt)) ||
	    krb5_kt_start_seq_get(kctx, kt, &cursor))
		goto out;
	if (!krb5_kt_next_entry(kctx, kt, &entry, &cursor)) {
		any = true;
		krb5_free_keytab_entry_contents(kctx, &entry);
	}
	krb5_kt_end_seq_get(kctx, kt, &cursor);
out:
	if (kt)
		krb5_kt_close(kctx, kt);
	krb5_free_context(kctx);
	return any;
}

int kerberos_client_realm(const struct upcall *up, char *out, size_t size)
{
	char *principal = NULL, *realm = NULL;
	const char *at;
	krb5_context kctx;
	int err = -1;

	if (upcall_has(up, UPCALL_USER) && up->user && up->user[0]) {
		principal = identity_principal(up->user, up->domain);
		at = principal ? strrchr(principal, '@') : NULL;
		if (at && at[1] && strlen(at + 1) < size) {
			strcpy(out, at + 1);
			err = 0;
		}
		free(principal);
		return err;
	}
	if (krb5_init_context(&kctx))
		return -1;
	if (!krb5_get_default_realm(kctx, &realm) && strlen(realm) < size) {
		strcpy(out, realm);
		err = 0;
	}
	krb5_free_default_realm(kctx, realm);
	krb5_free_context(kctx);
	return err;
}

/*
 * Acceptor credentials from the keytab: of the principal the identity of
 * AcquireCredentialsHandle(SECPKG_CRED_INBOUND) names (user, domain: how a
 * Windows service names its account), else of any principal in it.  The
 * keys come from the keytab only: an identity with a password is refused.
 */
static uint32_t server_start(struct krb5_state *st, const struct upcall *up)
{
	gss_key_value_element_desc kv = { "keytab", acceptor_keytab };
	gss_key_value_set_desc store = { 1, &kv };
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor;
	char *principal = NULL;

	if (!keytab_caller(up))
		return SEC_E_NO_CREDENTIALS;
	if (upcall_has(up, UPCALL_USER) && up->user && up->user[0]) {
		gss_buffer_desc namebuf;

		if (upcall_has(up, UPCALL_PASSWORD) && up->password.len)
			return SEC_E_NO_CREDENTIALS;
		principal = identity_principal(up->user,
					       upcall_has(up, UPCALL_DOMAIN) ?
					       up->domain : NULL);
		if (!principal)
			return SEC_E_INSUFFICIENT_MEMORY;
		if (!keytab_has(principal)) {
			free(principal);
			return SEC_E_NO_CREDENTIALS;
		}
		namebuf.value = principal;
		namebuf.length = strlen(principal);
		major = gss_import_name(&minor, &namebuf,
					(gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME,
					&name);
		free(principal);
		if (GSS_ERROR(major))
			return SEC_E_UNKNOWN_CREDENTIALS;
	}
	major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE,
				      &krb5_mech_set, GSS_C_ACCEPT,
				      acceptor_keytab ? &store : NULL,
				      &st->cred, NULL, NULL);
	if (name != GSS_C_NO_NAME)
		gss_release_name(&minor, &name);
	if (GSS_ERROR(major))
		return SEC_E_NO_CREDENTIALS;
	return SEC_E_OK;
}

/* The RFC 4121 enctypes the module's per-message code knows. */
static bool kernel_enctype(OM_uint32 enctype, OM_uint32 key_len)
{
	switch (enctype) {
	case ENCTYPE_AES128_CTS_HMAC_SHA1_96:
	case ENCTYPE_AES128_CTS_HMAC_SHA256_128:
		return key_len == 16;
	case ENCTYPE_AES256_CTS_HMAC_SHA1_96:
	case ENCTYPE_AES256_CTS_HMAC_SHA384_192:
		return key_len == 32;
	default:
		return false;
	}
}

/* The display form of @name ("alice@TEST.LOCAL"); NULL on failure. */
static char *display_name(gss_name_t name)
{
	gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	char *out = NULL;

	major = gss_display_name(&minor, name, &buf, NULL);
	if (GSS_ERROR(major))
		return NULL;
	if (buf.length <= KSSPI_CTX_MAX_NAME && !memchr(buf.value, 0,
							buf.length))
		out = strndup(buf.value, buf.length);
	gss_release_buffer(&minor, &buf);
	return out;
}

static void put_le32(uint8_t out[4], uint32_t value)
{
	out[0] = (uint8_t)value;
	out[1] = (uint8_t)(value >> 8);
	out[2] = (uint8_t)(value >> 16);
	out[3] = (uint8_t)(value >> 24);
}

void kerberos_establish(struct reply *reply, bool initiator,
			uint32_t context_attr, int64_t expiry,
			const char *client_name, const char *server_name,
			const struct kerberos_context_keys *keys)
{
	const uint16_t crit = KSSPI_CTX_REC_CRITICAL;
	struct bytes *blob = &reply->blob;
	uint8_t le_enctype[4], le_info[4];
	int err;

	if (keys->enctype < 0 ||
	    !kernel_enctype((OM_uint32)keys->enctype,
			    (OM_uint32)keys->key_len)) {
		reply->status = SEC_E_ALGORITHM_MISMATCH;
		reply_clear(reply);
		return;
	}
	put_le32(le_enctype, (uint32_t)keys->enctype);
	put_le32(le_info, keys->acceptor_subkey ?
		 KSSPI_KRB5_F_ACCEPTOR_SUBKEY : 0);
	err = ctxblob_begin(blob, KERBEROS_PACKAGE_NAME,
			    initiator ? KSSPI_CTX_F_INITIATOR : 0,
			    context_attr, expiry);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CLIENT_NAME, crit,
				  client_name, (uint32_t)strlen(client_name));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_SERVER_NAME, crit,
				  server_name, (uint32_t)strlen(server_name));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_SESSION_KEY, crit,
				  keys->key, (uint32_t)keys->key_len);
	if (!err)
		err = ctxblob_add_le64(blob, KSSPI_CTX_REC_SEND_SEQ, crit,
				       keys->send_seq);
	if (!err)
		err = ctxblob_add_le64(blob, KSSPI_CTX_REC_RECV_SEQ, crit,
				       keys->recv_seq);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_KRB5_ENCTYPE, crit,
				  le_enctype, sizeof(le_enctype));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_KRB5_KEY, crit,
				  keys->key, (uint32_t)keys->key_len);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_KRB5_INFO, crit,
				  le_info, sizeof(le_info));
	if (!err)
		err = ctxblob_finish(blob);
	ctxblob_reply(reply, err, context_attr, expiry);
	if (reply->status != SEC_E_OK)
		reply_clear(reply);
}

/*
 * Ends the last leg: the names from the context, then its keys and sequence
 * numbers from MIT's lucid context (version 1), which consumes the GSS
 * context.  The token key, which is also SECPKG_ATTR_SESSION_KEY, is the
 * acceptor's subkey when the AP-REP carried one, else the initiator's
 * subkey (or the ticket's session key), as Windows and MIT's
 * GSS_C_INQ_SSPI_SESSION_KEY give it.  The expiry is the ticket's end time.
 */
static void establish(struct krb5_state *st, bool initiator,
		      uint32_t context_attr, struct reply *reply)
{
	gss_name_t src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
	char *client_name = NULL, *server_name = NULL;
	gss_krb5_lucid_context_v1_t *lucid = NULL;
	struct kerberos_context_keys keys;
	const gss_krb5_lucid_key_t *key;
	OM_uint32 major, minor;
	void *exported = NULL;

	major = gss_inquire_context(&minor, st->ctx, &src, &targ, NULL, NULL,
				    NULL, NULL, NULL);
	if (GSS_ERROR(major)) {
		reply->status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	client_name = display_name(src);
	server_name = display_name(targ);
	if (!client_name || !server_name) {
		reply->status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	major = gss_krb5_export_lucid_sec_context(&minor, &st->ctx, 1,
						  &exported);
	if (GSS_ERROR(major)) {
		reply->status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	lucid = exported;
	/* protocol 0 is RFC 1964 (DES, RC4): the module has only CFX */
	if (lucid->version != 1 || lucid->protocol != 1) {
		reply->status = SEC_E_ALGORITHM_MISMATCH;
		goto out;
	}
	key = lucid->cfx_kd.have_acceptor_subkey ?
		&lucid->cfx_kd.acceptor_subkey : &lucid->cfx_kd.ctx_key;
	keys = (struct kerberos_context_keys){
		.enctype = (int32_t)key->type,
		.key = key->data,
		.key_len = key->length,
		.acceptor_subkey = lucid->cfx_kd.have_acceptor_subkey,
		.send_seq = lucid->send_seq,
		.recv_seq = lucid->recv_seq,
	};
	kerberos_establish(reply, initiator, context_attr, lucid->endtime,
			   client_name, server_name, &keys);
out:
	if (reply->status != SEC_E_OK)
		reply_clear(reply);
	if (lucid)
		gss_krb5_free_lucid_sec_context(&minor, lucid);
	free(client_name);
	free(server_name);
	if (src != GSS_C_NO_NAME)
		gss_release_name(&minor, &src);
	if (targ != GSS_C_NO_NAME)
		gss_release_name(&minor, &targ);
}

/*
 * The TGT a client forwarded, into a MEMORY cache of the state's own:
 * SEC_E_OK, or SEC_E_INSUFFICIENT_MEMORY when it cannot be kept.
 */
static uint32_t keep_delegated(struct krb5_state *st, gss_cred_id_t deleg)
{
	gss_key_value_element_desc kv = { "ccache", NULL };
	gss_key_value_set_desc store = { 1, &kv };
	OM_uint32 major, minor;
	char ccache[128];

	if (kerberos_ccache_new(&st->delegated) ||
	    kerberos_ccache_name(&st->delegated, ccache, sizeof(ccache)))
		return SEC_E_INSUFFICIENT_MEMORY;
	kv.value = ccache;
	major = gss_store_cred_into(&minor, deleg, GSS_C_INITIATE,
				    &krb5_mech_oid, 1, 0, &store, NULL, NULL);
	if (GSS_ERROR(major)) {
		kerberos_ccache_destroy(&st->delegated);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	return SEC_E_OK;
}

/*
 * A user-to-user leg's reply: what every leg says.  A failed leg leaves
 * at most a KRB-ERROR token, which request.c hands on under
 * EXTENDED_ERROR only.
 */
static void u2u_reply(bool initiator, struct reply *reply)
{
	if (reply->status == SEC_I_CONTINUE_NEEDED) {
		reply->has_context_attr = true;
		reply->context_attr = initiator ? ISC_RET_USE_SESSION_KEY :
						  ASC_RET_USE_SESSION_KEY;
	}
}

static void krb5_step(void *opaque, const struct upcall *up,
		      struct reply *reply)
{
	struct krb5_state *st = opaque;
	bool initiator = up->op == KSSPI_OP_INIT_CONTEXT;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	struct gss_channel_bindings_struct bindings;
	gss_channel_bindings_t cb = GSS_C_NO_CHANNEL_BINDINGS;
	gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
	const struct gss_channel_bindings_struct *u2u_cb = NULL;
	OM_uint32 major, minor, ret_flags = 0;

	if (upcall_has(up, KSSPI_A_CHANNEL_BINDINGS) &&
	    up->channel_bindings.len) {
		if (kerberos_channel_bindings(up->channel_bindings.data,
					      up->channel_bindings.len,
					      &bindings)) {
			reply->status = SEC_E_BAD_BINDINGS;
			return;
		}
		cb = &bindings;
		u2u_cb = &bindings;
	}
	/*
	 * A first token framed with the user-to-user OID: the server's own
	 * TGT answers it (u2u.c), not the keytab.
	 */
	if (!st->started && !initiator && upcall_has(up, KSSPI_A_TOKEN) &&
	    kerberos_u2u_framed(up->token.data, up->token.len)) {
		st->u2u = kerberos_u2u_new();
		if (!st->u2u) {
			reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return;
		}
		st->started = true;
	}
	if (!st->started) {
		reply->status = initiator ? client_start(st, up, reply) :
					    server_start(st, up);
		if (st->u2u) {
			/* the user-to-user client's first leg: the TGT-REQ */
			st->started = true;
			u2u_reply(initiator, reply);
			return;
		}
		if (reply->status != SEC_E_OK)
			return;
		st->started = true;
	} else if (st->initiator != initiator) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	} else if (st->u2u) {
		reply->status = initiator ?
			kerberos_u2u_client_step(st->u2u, up, u2u_cb, reply) :
			kerberos_u2u_server_step(st->u2u, up, u2u_cb, reply);
		u2u_reply(initiator, reply);
		return;
	}
	if (upcall_has(up, KSSPI_A_TOKEN)) {
		in.value = up->token.data;
		in.length = up->token.len;
	} else if (!initiator || st->ctx != GSS_C_NO_CONTEXT) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (initiator)
		major = gss_init_sec_context(&minor, st->cred, &st->ctx,
					     st->target, &krb5_mech_oid,
					     gss_flags_of(st->context_req), 0,
					     cb, &in, NULL, &out, &ret_flags,
					     NULL);
	else
		major = gss_accept_sec_context(&minor, &st->ctx, st->cred,
					       &in, cb, NULL, NULL, &out,
					       &ret_flags, NULL,
					       up->context_req &
					       ASC_REQ_DELEGATE ? &deleg :
					       NULL);
	if (GSS_ERROR(major)) {
		/*
		 * MIT's acceptor builds a KRB-ERROR token for the peer when
		 * the AP-REQ asked for mutual authentication; request.c hands
		 * it on under EXTENDED_ERROR only.
		 */
		if (out.length &&
		    bytes_append(&reply->token, out.value, out.length))
			bytes_free(&reply->token);
		reply->status = kerberos_status(major, minor);
		/*
		 * An AP-REP that does not decrypt under the context's key did
		 * not come from the service the ticket is for: mutual
		 * authentication failed, the reference page's
		 * SEC_E_WRONG_PRINCIPAL (not the logon's failure).
		 */
		if (initiator && in.length &&
		    reply->status == SEC_E_LOGON_DENIED)
			reply->status = SEC_E_WRONG_PRINCIPAL;
		/*
		 * The client's own TGT has expired (the KDC refuses the
		 * TGS-REQ): no usable credentials.
		 */
		if (initiator && !in.length &&
		    (GSS_ROUTINE_ERROR(major) == GSS_S_CREDENTIALS_EXPIRED ||
		     (krb5_error_code)minor == KRB5KRB_AP_ERR_TKT_EXPIRED))
			reply->status = SEC_E_NO_CREDENTIALS;
		goto out;
	}
	/*
	 * MIT accepts an AP-REQ without bindings (an all-zero checksum) when
	 * the acceptor has some; Windows refuses it unless the server asked
	 * for ASC_REQ_ALLOW_MISSING_BINDINGS, as the NTLM package does.
	 */
	if (!initiator && cb != GSS_C_NO_CHANNEL_BINDINGS &&
	    !(ret_flags & GSS_C_CHANNEL_BOUND_FLAG) &&
	    !(up->context_req & ASC_REQ_ALLOW_MISSING_BINDINGS)) {
		reply->status = SEC_E_BAD_BINDINGS;
		goto out;
	}
	if (out.length &&
	    bytes_append(&reply->token, out.value, out.length)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	reply->has_context_attr = true;
	reply->context_attr = kerberos_context_attrs(initiator, ret_flags);
	reply->context_attr |= up->context_req &
			       (initiator ? ISC_REQ_EXTENDED_ERROR :
					    ASC_REQ_EXTENDED_ERROR);
	if (initiator && st->supplied.cc)
		reply->context_attr |= ISC_RET_USED_SUPPLIED_CREDS;
	/*
	 * A forwarded TGT is kept only for a server that asked for
	 * ASC_REQ_DELEGATE: ASC_RET_DELEGATE then says that a credential can
	 * be made from the context (Documentation/kerberos.rst,
	 * "Delegation"), and the session stays until the context goes.
	 */
	if (!initiator) {
		reply->context_attr &= ~(uint32_t)ASC_RET_DELEGATE;
		if (!(major & GSS_S_CONTINUE_NEEDED) &&
		    (ret_flags & GSS_C_DELEG_FLAG) &&
		    deleg != GSS_C_NO_CREDENTIAL) {
			reply->status = keep_delegated(st, deleg);
			if (reply->status != SEC_E_OK)
				goto out;
			reply->context_attr |= ASC_RET_DELEGATE;
			reply->keep_session = true;
		}
	}
	if (major & GSS_S_CONTINUE_NEEDED) {
		/*
		 * MIT names the flags the context will have; mutual
		 * authentication has happened only once the AP-REP is
		 * verified, which the reference page tells callers to check.
		 */
		reply->context_attr &= ~(uint32_t)ISC_RET_MUTUAL_AUTH;
		reply->status = SEC_I_CONTINUE_NEEDED;
		goto out;
	}
	establish(st, initiator, reply->context_attr, reply);
out:
	if (deleg != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &deleg);
	gss_release_buffer(&minor, &out);
}

static int krb5_delegated_ccache(void *opaque, char *name, size_t size)
{
	struct krb5_state *st = opaque;

	if (st->initiator || !st->delegated.cc)
		return -ENOENT;
	return kerberos_ccache_name(&st->delegated, name, size) ? -ENOENT : 0;
}

const struct package pkg_kerberos = {
	.name = KERBEROS_PACKAGE_NAME,
	.state_new = krb5_state_new,
	.state_free = krb5_state_free,
	.step = krb5_step,
	/* SPNEGO's mechListMIC, CredSSP's pubKeyAuth and authInfo */
	.inner_new = kerberos_inner_new,
	.inner_wrap = kerberos_inner_wrap,
	.inner_unwrap = kerberos_inner_unwrap,
	.inner_sign = kerberos_inner_sign,
	.inner_verify = kerberos_inner_verify,
	.inner_export = kerberos_inner_export,
	.inner_free = kerberos_inner_free,
	.delegated_ccache = krb5_delegated_ccache,
};
