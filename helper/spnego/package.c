// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "Negotiate" package: what its two sides share.  The inner package
 * (Kerberos or NTLM) runs inside the same request with the outer
 * request's caller, identity and target, and with integrity asked for so
 * that a mechListMIC can be made, as MIT's SPNEGO does.  When SPNEGO is
 * done the kernel gets the inner context under the name "Negotiate": a
 * KSSPI_CTX_REC_NEGO_MECH record naming the inner package, then its
 * records (<linux/ksspi_context.h>).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "spnego/negotiate.h"

static void *nego_state_new(void)
{
	return calloc(1, sizeof(struct nego_state));
}

void nego_inner_reset(struct nego_state *st)
{
	if (st->mech_pkg) {
		if (st->inner_state)
			st->mech_pkg->state_free(st->inner_state);
		if (st->inner && st->mech_pkg->inner_free)
			st->mech_pkg->inner_free(st->inner);
	}
	st->inner_state = NULL;
	st->inner = NULL;
	st->inner_started = false;
	bytes_free(&st->inner_blob);
}

static void nego_state_free(void *opaque)
{
	struct nego_state *st = opaque;

	if (!st)
		return;
	nego_inner_reset(st);
	if (st->delegated_state)
		st->mech_pkg->state_free(st->delegated_state);
	bytes_free(&st->mech_types_der);
	free(st->user);
	free(st->domain);
	bytes_free(&st->password);
	free(st->target);
	bytes_free(&st->pkg_params);
	bytes_free(&st->channel_bindings);
	explicit_bzero(st, sizeof(*st));
	free(st);
}

static int keep_bytes(struct bytes *dst, const struct bytes *src)
{
	return src->len ? bytes_append(dst, src->data, src->len) : 0;
}

int nego_keep_identity(struct nego_state *st, const struct upcall *up)
{
	const uint64_t kept = UPCALL_BIT(UPCALL_USER) |
			      UPCALL_BIT(UPCALL_DOMAIN) |
			      UPCALL_BIT(UPCALL_PASSWORD) |
			      UPCALL_BIT(KSSPI_A_TARGET_NAME) |
			      UPCALL_BIT(KSSPI_A_PKG_PARAMS) |
			      UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS);

	st->identity_present = up->present & kept;
	if ((up->user && !(st->user = strdup(up->user))) ||
	    (up->domain && !(st->domain = strdup(up->domain))) ||
	    (up->target_name && !(st->target = strdup(up->target_name))) ||
	    keep_bytes(&st->password, &up->password) ||
	    keep_bytes(&st->pkg_params, &up->pkg_params) ||
	    keep_bytes(&st->channel_bindings, &up->channel_bindings))
		return -ENOMEM;
	return 0;
}

void nego_inner_step(struct nego_state *st, const struct upcall *outer,
		     const uint8_t *token, size_t len,
		     struct reply *inner_reply)
{
	const struct package *pkg = st->mech_pkg;
	struct upcall up = *outer;	/* borrowed: never freed */

	if (!st->inner_state) {
		st->inner_state = pkg->state_new();
		if (!st->inner_state) {
			inner_reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return;
		}
	}
	up.package = (char *)pkg->name;
	up.flags &= ~(uint32_t)KSSPI_UPCALL_F_FIRST_LEG;
	up.present &= ~(UPCALL_BIT(KSSPI_A_TOKEN) | UPCALL_BIT(UPCALL_USER) |
			UPCALL_BIT(UPCALL_DOMAIN) | UPCALL_BIT(UPCALL_PASSWORD) |
			UPCALL_BIT(KSSPI_A_TARGET_NAME) |
			UPCALL_BIT(KSSPI_A_PKG_PARAMS) |
			UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS));
	up.token = (struct bytes){ (uint8_t *)token, len, len };
	if (len)
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	if (!st->inner_started)
		up.flags |= KSSPI_UPCALL_F_FIRST_LEG;
	/* The bindings go with every leg that has them, the rest first */
	up.channel_bindings = st->channel_bindings;
	up.present |= st->identity_present &
		      UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS);
	if (!st->inner_started) {
		up.user = st->user;
		up.domain = st->domain;
		up.password = st->password;
		up.target_name = st->target;
		up.pkg_params = st->pkg_params;
		up.present |= st->identity_present;
	}
	/* A MIC needs integrity (MIT's SPNEGO asks for it too) */
	up.context_req |= st->initiator ? ISC_REQ_INTEGRITY : ASC_REQ_INTEGRITY;
	st->inner_started = true;
	pkg->step(st->inner_state, &up, inner_reply);
	if (inner_reply->status != SEC_E_OK)
		return;

	/* What the client delegated stays as long as the outer session */
	if (inner_reply->keep_session && !st->initiator)
		st->delegated_state = st->inner_state;
	else
		pkg->state_free(st->inner_state);
	inner_reply->keep_session = false;
	st->inner_state = NULL;
	st->inner_blob = inner_reply->blob;
	inner_reply->blob = (struct bytes){};
	st->context_attr = inner_reply->context_attr;
	st->has_expiry = inner_reply->has_expiry;
	st->expiry = inner_reply->expiry;
	/* NULL when the context can sign nothing: then no MIC can be made */
	st->inner = pkg->inner_new ? pkg->inner_new(&st->inner_blob) : NULL;
}

uint32_t nego_mic_sign(struct nego_state *st, struct bytes *mic)
{
	int err;

	if (!st->inner || !st->mech_pkg->inner_sign)
		return SEC_E_UNSUPPORTED_FUNCTION;
	err = st->mech_pkg->inner_sign(st->inner, st->mech_types_der.data,
				       st->mech_types_der.len, mic);
	if (err)
		return err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_INTERNAL_ERROR;
	st->mic_sent = true;
	return SEC_E_OK;
}

uint32_t nego_mic_verify(struct nego_state *st, const struct bytes *mic)
{
	int err;

	if (!st->inner || !st->mech_pkg->inner_verify)
		return SEC_E_UNSUPPORTED_FUNCTION;
	err = st->mech_pkg->inner_verify(st->inner, st->mech_types_der.data,
					 st->mech_types_der.len, mic->data,
					 mic->len);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (err)
		return SEC_E_MESSAGE_ALTERED;
	st->peer_mic_verified = true;
	return SEC_E_OK;
}

/* The Negotiate blob of the inner blob @in: its header renamed, then
 * NEGO_MECH, then its records.
 */
static int nego_blob(const struct bytes *in, struct bytes *out)
{
	const struct ksspi_ctx_header *hdr = (const void *)in->data;
	size_t header_len, name_len;

	if (in->len < sizeof(*hdr))
		return -EINVAL;
	header_len = le16toh(hdr->header_len);
	name_len = strnlen(hdr->package, sizeof(hdr->package));
	if (header_len < sizeof(*hdr) || header_len > in->len ||
	    name_len == sizeof(hdr->package))
		return -EINVAL;
	if (ctxblob_begin(out, NEGOTIATE_PACKAGE_NAME, le32toh(hdr->flags),
			  le32toh(hdr->context_attr),
			  (int64_t)le64toh(hdr->expiry)) ||
	    ctxblob_add(out, KSSPI_CTX_REC_NEGO_MECH, KSSPI_CTX_REC_CRITICAL,
			hdr->package, (uint32_t)name_len) ||
	    bytes_append(out, in->data + header_len, in->len - header_len))
		return -ENOMEM;
	return ctxblob_finish(out);
}

void nego_finish(struct nego_state *st, struct reply *reply)
{
	int err = 0;

	if (st->inner && st->mech_pkg->inner_export)
		err = st->mech_pkg->inner_export(st->inner, &st->inner_blob);
	if (!err)
		err = nego_blob(&st->inner_blob, &reply->blob);
	if (err) {
		bytes_free(&reply->blob);
		reply->status = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
						 SEC_E_INTERNAL_ERROR;
		return;
	}
	reply->status = SEC_E_OK;
	reply->has_context_attr = true;
	reply->context_attr = st->context_attr;
	reply->has_expiry = st->has_expiry;
	reply->expiry = st->expiry;
	reply->keep_session = st->delegated_state != NULL;
}

void nego_send_resp(struct reply *reply, int neg_state,
		    enum spnego_mech supported, const struct bytes *token,
		    const struct bytes *mic, uint32_t status_if_ok)
{
	static const struct bytes none;
	int err;

	err = spnego_resp_encode(neg_state, supported, token ? token : &none,
				 mic ? mic : &none, &reply->token);
	if (err) {
		bytes_free(&reply->token);
		reply->status = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
						 SEC_E_INTERNAL_ERROR;
		return;
	}
	reply->status = status_if_ok;
}

bool nego_offers_kerberos(const void *state)
{
	const struct nego_state *st = state;

	return st->offered_count > 1;
}

/* The inner context of an established Negotiate one: its package's */
struct nego_inner {
	const struct package *pkg;
	void *inner;
};

const struct package *nego_blob_mech(const struct bytes *blob)
{
	const uint8_t *name;
	uint32_t len;

	if (ctxblob_find(blob->data, blob->len, KSSPI_CTX_REC_NEGO_MECH,
			 &name, &len))
		return NULL;
	if (len == strlen(pkg_kerberos.name) &&
	    !memcmp(name, pkg_kerberos.name, len))
		return &pkg_kerberos;
	if (len == strlen(pkg_ntlm.name) && !memcmp(name, pkg_ntlm.name, len))
		return &pkg_ntlm;
	return NULL;
}

/*
 * The chosen package reads its own records of the Negotiate blob (NTLM's
 * as the crypto reset left them, Kerberos' after the MICs).
 */
static void *nego_inner_new(const struct bytes *blob)
{
	const struct package *pkg = nego_blob_mech(blob);
	struct nego_inner *ni;

	if (!pkg || !pkg->inner_new)
		return NULL;
	ni = calloc(1, sizeof(*ni));
	if (!ni)
		return NULL;
	ni->pkg = pkg;
	ni->inner = pkg->inner_new(blob);
	if (!ni->inner) {
		free(ni);
		return NULL;
	}
	return ni;
}

static int nego_inner_wrap(void *opaque, const uint8_t *msg, size_t len,
			   struct bytes *out)
{
	struct nego_inner *ni = opaque;

	return ni->pkg->inner_wrap ?
	       ni->pkg->inner_wrap(ni->inner, msg, len, out) : -EINVAL;
}

static int nego_inner_unwrap(void *opaque, const uint8_t *token, size_t len,
			     struct bytes *out)
{
	struct nego_inner *ni = opaque;

	return ni->pkg->inner_unwrap ?
	       ni->pkg->inner_unwrap(ni->inner, token, len, out) : -EINVAL;
}

static void nego_inner_free(void *opaque)
{
	struct nego_inner *ni = opaque;

	if (!ni)
		return;
	ni->pkg->inner_free(ni->inner);
	free(ni);
}

static void nego_step(void *opaque, const struct upcall *up,
		      struct reply *reply)
{
	struct nego_state *st = opaque;
	bool initiator = up->op == KSSPI_OP_INIT_CONTEXT;

	if (st->stage == NEGO_START) {
		st->initiator = initiator;
		if (nego_keep_identity(st, up)) {
			reply->status = SEC_E_INSUFFICIENT_MEMORY;
			return;
		}
	} else if (st->initiator != initiator) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	if (initiator)
		nego_client_step(st, up, reply);
	else
		nego_server_step(st, up, reply);
}

static int nego_delegated_ccache(void *opaque, char *name, size_t size)
{
	struct nego_state *st = opaque;

	if (!st->delegated_state || !st->mech_pkg->delegated_ccache)
		return -ENOENT;
	return st->mech_pkg->delegated_ccache(st->delegated_state, name,
					      size);
}

const struct package pkg_negotiate = {
	.name = NEGOTIATE_PACKAGE_NAME,
	.state_new = nego_state_new,
	.state_free = nego_state_free,
	.step = nego_step,
	/* CredSSP's inner package, as mstsc's Negotiate */
	.inner_new = nego_inner_new,
	.inner_wrap = nego_inner_wrap,
	.inner_unwrap = nego_inner_unwrap,
	.inner_free = nego_inner_free,
	.delegated_ccache = nego_delegated_ccache,
};
