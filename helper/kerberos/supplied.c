// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ISC_REQ_USE_SUPPLIED_CREDS: the client's tickets from the caller's
 * SECBUFFER_PKG_PARAMS buffer instead of its credential handle
 * (Documentation/kerberos.rst, "Supplied credentials").  The buffer holds
 * a KRB-CRED message (RFC 4120 section 5.8) whose enc-part is not
 * encrypted (etype 0): what Windows' LSA takes to import tickets
 * (KerbSubmitTicketMessage) and gives when it exports them, and what MIT
 * writes with krb5_mk_1cred() without a key.  MIT decodes it (no ASN.1 of
 * ours); its tickets go into a MEMORY cache of the context's own, which
 * the client leg's credentials use and the context's end destroys.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <krb5/krb5.h>

#include <linux/ksspi.h>
#include <linux/ksspi_sspi.h>

#include "kerberos/kerberos.h"

/* Exported by libkrb5 (symbol version krb5_3_MIT), not in krb5.h. */
krb5_error_code decode_krb5_cred(const krb5_data *der, krb5_cred **out);
krb5_error_code decode_krb5_enc_cred_part(const krb5_data *der,
					  krb5_cred_enc_part **out);
void KRB5_CALLCONV krb5_free_cred(krb5_context kctx, krb5_cred *cred);
void KRB5_CALLCONV krb5_free_cred_enc_part(krb5_context kctx,
					   krb5_cred_enc_part *part);

/*
 * Whether @der is a KRB-CRED that krb5_rd_cred() can take without a key:
 * an enc-part in clear (etype 0) with one complete KrbCredInfo per ticket.
 * MIT 1.20's krb5_rd_cred() dereferences the optional pname and sname and
 * one KrbCredInfo per ticket unchecked, so a hostile message would crash
 * ksspid (found by fuzz_krb5_supplied); MIT's own decoders check it first.
 */
static bool krb_cred_complete(krb5_context kctx, krb5_data *der)
{
	krb5_cred_enc_part *part = NULL;
	krb5_cred *cred = NULL;
	bool ok = false;
	size_t i;

	if (decode_krb5_cred(der, &cred))
		return false;
	if (cred->enc_part.enctype != ENCTYPE_NULL || !cred->tickets ||
	    !cred->tickets[0] ||
	    decode_krb5_enc_cred_part(&cred->enc_part.ciphertext, &part))
		goto out;
	for (i = 0; cred->tickets[i]; i++)
		if (!part->ticket_info || !part->ticket_info[i] ||
		    !part->ticket_info[i]->client ||
		    !part->ticket_info[i]->server ||
		    !part->ticket_info[i]->session)
			goto out;
	ok = !part->ticket_info[i];
out:
	if (part) {
		krb5_free_cred_enc_part(kctx, part);
		free(part);
	}
	if (cred)
		krb5_free_cred(kctx, cred);
	return ok;
}

/* All of @creds (at least one) are for one client. */
static bool one_client(krb5_context kctx, krb5_creds **creds)
{
	size_t i;

	if (!creds || !creds[0])
		return false;
	for (i = 1; creds[i]; i++)
		if (!krb5_principal_compare(kctx, creds[0]->client,
					    creds[i]->client))
			return false;
	return true;
}

/* A new MEMORY cache of @kctx holding @creds: 0, or a krb5 error. */
static krb5_error_code creds_to_memory(krb5_context kctx, krb5_creds **creds,
				       krb5_ccache *out)
{
	krb5_error_code err;
	size_t i;

	err = krb5_cc_new_unique(kctx, "MEMORY", NULL, out);
	if (err)
		return err;
	err = krb5_cc_initialize(kctx, *out, creds[0]->client);
	for (i = 0; !err && creds[i]; i++)
		err = krb5_cc_store_cred(kctx, *out, creds[i]);
	if (err) {
		krb5_cc_destroy(kctx, *out);
		*out = NULL;
	}
	return err;
}

uint32_t kerberos_supplied_ccache(const uint8_t *krb_cred, size_t len,
				  struct kerberos_ccache *out)
{
	krb5_data data = { .length = (unsigned int)len,
			   .data = (char *)krb_cred };
	krb5_auth_context ac = NULL;
	krb5_creds **creds = NULL;
	krb5_context kctx;
	uint32_t status = SEC_E_INVALID_PARAMETER;

	if (len == 0 || len > KSSPI_MAX_TOKEN)
		return status;
	if (krb5_init_context(&kctx))
		return SEC_E_INTERNAL_ERROR;
	/*
	 * No key: the enc-part is read as it is; no time or sequence
	 * checks, which need a replay cache and a session.
	 */
	if (krb5_auth_con_init(kctx, &ac) ||
	    krb5_auth_con_setflags(kctx, ac, 0)) {
		status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	if (!krb_cred_complete(kctx, &data) ||
	    krb5_rd_cred(kctx, ac, &data, &creds, NULL) ||
	    !one_client(kctx, creds))
		goto out;
	if (creds_to_memory(kctx, creds, &out->cc)) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	out->kctx = kctx;
	kctx = NULL;
	status = SEC_E_OK;
out:
	if (creds)
		krb5_free_tgt_creds(out->kctx ? out->kctx : kctx, creds);
	if (ac)
		krb5_auth_con_free(out->kctx ? out->kctx : kctx, ac);
	if (kctx)
		krb5_free_context(kctx);
	return status;
}

int kerberos_ccache_new(struct kerberos_ccache *out)
{
	krb5_context kctx;

	if (krb5_init_context(&kctx))
		return -1;
	if (krb5_cc_new_unique(kctx, "MEMORY", NULL, &out->cc)) {
		krb5_free_context(kctx);
		return -1;
	}
	out->kctx = kctx;
	return 0;
}

uint32_t kerberos_ccache_copy(const char *name, struct kerberos_ccache *out)
{
	krb5_principal client = NULL;
	krb5_ccache from = NULL;
	uint32_t status = SEC_E_NO_CREDENTIALS;

	if (kerberos_ccache_new(out))
		return SEC_E_INSUFFICIENT_MEMORY;
	if (krb5_cc_resolve(out->kctx, name, &from) ||
	    krb5_cc_get_principal(out->kctx, from, &client))
		goto out;
	if (krb5_cc_initialize(out->kctx, out->cc, client) ||
	    krb5_cc_copy_creds(out->kctx, from, out->cc)) {
		status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	status = SEC_E_OK;
out:
	if (client)
		krb5_free_principal(out->kctx, client);
	if (from)
		krb5_cc_close(out->kctx, from);
	if (status != SEC_E_OK)
		kerberos_ccache_destroy(out);
	return status;
}

int kerberos_ccache_name(const struct kerberos_ccache *cc, char *out,
			 size_t size)
{
	int n = snprintf(out, size, "%s:%s", krb5_cc_get_type(cc->kctx, cc->cc),
			 krb5_cc_get_name(cc->kctx, cc->cc));

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void kerberos_ccache_destroy(struct kerberos_ccache *cc)
{
	if (cc->cc)
		krb5_cc_destroy(cc->kctx, cc->cc);
	if (cc->kctx)
		krb5_free_context(cc->kctx);
	cc->cc = NULL;
	cc->kctx = NULL;
}
