// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Request and notice parsing, answer building.
 *
 * Every message is treated as hostile: libnl's policy check runs first, then
 * a stricter pass of our own that wants exact integer sizes, strings that
 * are NUL-terminated without an embedded NUL, no repeated attribute (except
 * fragments), no stray flag bits in the type, no trailing bytes, and caps
 * every length.  Attributes unknown to this version are skipped so that a
 * newer module can add some.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/ksspi.h>
#include <linux/ksspi_sspi.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "message.h"

enum attr_kind {
	ATTR_IGNORED,		/* not part of a request: skipped */
	ATTR_U32,
	ATTR_U64,
	ATTR_STRING,		/* NUL-terminated UTF-8 */
	ATTR_BINARY,		/* one attribute */
	ATTR_FRAGMENTS,		/* several attributes, joined */
};

struct attr_rule {
	enum attr_kind kind;
	size_t max;		/* longest string (NUL excluded) or byte string */
	uint32_t too_long;	/* status when a byte string exceeds @max */
};

static const struct attr_rule upcall_rules[KSSPI_A_MAX + 1] = {
	[KSSPI_A_REQUEST_ID]	 = { .kind = ATTR_U64 },
	[KSSPI_A_OP]		 = { .kind = ATTR_U32 },
	[KSSPI_A_PACKAGE]	 = { .kind = ATTR_STRING,
				     .max = KSSPI_MAX_PACKAGE_NAME },
	[KSSPI_A_SESSION_ID]	 = { .kind = ATTR_U64 },
	[KSSPI_A_CONTEXT_REQ]	 = { .kind = ATTR_U32 },
	[KSSPI_A_TARGET_NAME]	 = { .kind = ATTR_STRING, .max = KSSPI_MAX_NAME },
	[KSSPI_A_CREDENTIAL_USE] = { .kind = ATTR_U32 },
	[KSSPI_A_IDENTITY_KEY]	 = { .kind = ATTR_U32 },
	[KSSPI_A_TOKEN]		 = { .kind = ATTR_FRAGMENTS,
				     .max = KSSPI_MAX_TOKEN,
				     .too_long = SEC_E_INVALID_TOKEN },
	[KSSPI_A_CHANNEL_BINDINGS] = { .kind = ATTR_FRAGMENTS,
				       .max = KSSPI_MAX_TOKEN,
				       .too_long = SEC_E_BAD_BINDINGS },
	[KSSPI_A_UID]		 = { .kind = ATTR_U32 },
	[KSSPI_A_PID]		 = { .kind = ATTR_U32 },
	[KSSPI_A_FLAGS]		 = { .kind = ATTR_U32 },
	[KSSPI_A_PKG_PARAMS]	 = { .kind = ATTR_FRAGMENTS,
				     .max = KSSPI_MAX_TOKEN,
				     .too_long = SEC_E_INVALID_PARAMETER },
	[KSSPI_A_CREDENTIAL_ID]	 = { .kind = ATTR_U64 },
	[KSSPI_A_LOGON_SESSION]	 = { .kind = ATTR_U32 },
	[KSSPI_A_TLS_IDENTITY_KEY] = { .kind = ATTR_U32 },
	[KSSPI_A_DELEGATION_SESSION] = { .kind = ATTR_U64 },
};

/* The same limits in libnl's terms, for its own first check. */
static const struct nla_policy upcall_policy[KSSPI_A_MAX + 1] = {
	[KSSPI_A_REQUEST_ID]	   = { .type = NLA_U64, .maxlen = 8 },
	[KSSPI_A_OP]		   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_PACKAGE]	   = { .type = NLA_STRING,
				       .maxlen = KSSPI_MAX_PACKAGE_NAME + 1 },
	[KSSPI_A_SESSION_ID]	   = { .type = NLA_U64, .maxlen = 8 },
	[KSSPI_A_CONTEXT_REQ]	   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_TARGET_NAME]	   = { .type = NLA_STRING,
				       .maxlen = KSSPI_MAX_NAME + 1 },
	[KSSPI_A_CREDENTIAL_USE]   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_IDENTITY_KEY]	   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_TOKEN]		   = { .type = NLA_UNSPEC,
				       .maxlen = KSSPI_NL_FRAGMENT_MAX },
	[KSSPI_A_CHANNEL_BINDINGS] = { .type = NLA_UNSPEC,
				       .maxlen = KSSPI_NL_FRAGMENT_MAX },
	[KSSPI_A_UID]		   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_PID]		   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_FLAGS]		   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_PKG_PARAMS]	   = { .type = NLA_UNSPEC,
				       .maxlen = KSSPI_NL_FRAGMENT_MAX },
	[KSSPI_A_CREDENTIAL_ID]	   = { .type = NLA_U64, .maxlen = 8 },
	[KSSPI_A_LOGON_SESSION]	   = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_TLS_IDENTITY_KEY] = { .type = NLA_U32, .maxlen = 4 },
	[KSSPI_A_DELEGATION_SESSION] = { .type = NLA_U64, .maxlen = 8 },
};

/* Where the value of attribute @type goes in @up. */
static void *upcall_field(struct upcall *up, int type)
{
	switch (type) {
	case KSSPI_A_REQUEST_ID:	return &up->request_id;
	case KSSPI_A_OP:		return &up->op;
	case KSSPI_A_PACKAGE:		return &up->package;
	case KSSPI_A_SESSION_ID:	return &up->session_id;
	case KSSPI_A_CONTEXT_REQ:	return &up->context_req;
	case KSSPI_A_TARGET_NAME:	return &up->target_name;
	case KSSPI_A_CREDENTIAL_USE:	return &up->credential_use;
	case KSSPI_A_IDENTITY_KEY:	return &up->identity_key;
	case KSSPI_A_TOKEN:		return &up->token;
	case KSSPI_A_CHANNEL_BINDINGS:	return &up->channel_bindings;
	case KSSPI_A_UID:		return &up->uid;
	case KSSPI_A_PID:		return &up->pid;
	case KSSPI_A_FLAGS:		return &up->flags;
	case KSSPI_A_PKG_PARAMS:	return &up->pkg_params;
	case KSSPI_A_CREDENTIAL_ID:	return &up->credential_id;
	case KSSPI_A_LOGON_SESSION:	return &up->logon_session;
	case KSSPI_A_TLS_IDENTITY_KEY:	return &up->tls_identity_key;
	case KSSPI_A_DELEGATION_SESSION: return &up->delegation_session;
	default:			return NULL;
	}
}

int fragment_append(struct bytes *dst, const struct nlattr *nla, size_t limit)
{
	size_t len = (size_t)nla_len(nla);

	if (len > KSSPI_NL_FRAGMENT_MAX || len > limit - dst->len)
		return -E2BIG;
	return bytes_append(dst, nla_data(nla), len);
}

/* Stores one attribute; SEC_E_OK or the status to refuse the upcall with. */
static uint32_t store_attr(const struct nlattr *nla,
			   const struct attr_rule *rule, void *field)
{
	const char *str = nla_data(nla);
	size_t len = (size_t)nla_len(nla);
	int err;

	switch (rule->kind) {
	case ATTR_U32:
		if (len != sizeof(uint32_t))
			return SEC_E_INVALID_PARAMETER;
		memcpy(field, nla_data(nla), sizeof(uint32_t));
		return SEC_E_OK;
	case ATTR_U64:
		if (len != sizeof(uint64_t))
			return SEC_E_INVALID_PARAMETER;
		memcpy(field, nla_data(nla), sizeof(uint64_t));
		return SEC_E_OK;
	case ATTR_STRING:
		if (len < 1 || str[len - 1] != '\0' ||
		    memchr(str, '\0', len - 1) || len - 1 > rule->max)
			return SEC_E_INVALID_PARAMETER;
		*(char **)field = strdup(str);
		return *(char **)field ? SEC_E_OK : SEC_E_INSUFFICIENT_MEMORY;
	case ATTR_BINARY:
		if (len > rule->max)
			return SEC_E_INVALID_PARAMETER;
		err = bytes_append(field, nla_data(nla), len);
		return err ? SEC_E_INSUFFICIENT_MEMORY : SEC_E_OK;
	case ATTR_FRAGMENTS:
		err = fragment_append(field, nla, rule->max);
		if (err == -E2BIG)
			return rule->too_long;
		return err ? SEC_E_INSUFFICIENT_MEMORY : SEC_E_OK;
	case ATTR_IGNORED:
		break;
	}
	return SEC_E_OK;
}

/* The request id, when exactly one well-formed KSSPI_A_REQUEST_ID exists. */
static bool find_request_id(const void *attrs, int len, uint64_t *id)
{
	struct nlattr *nla;
	int rem, found = 0;

	nla_for_each_attr(nla, (struct nlattr *)attrs, len, rem) {
		if (nla->nla_type != KSSPI_A_REQUEST_ID)
			continue;
		if (nla_len(nla) != sizeof(*id))
			return false;
		memcpy(id, nla_data(nla), sizeof(*id));
		found++;
	}
	return found == 1;
}

static uint32_t parse_attrs(struct upcall *up, const void *attrs, int len)
{
	struct nlattr *nla;
	uint32_t status;
	int rem;

	if (nla_validate(attrs, len, KSSPI_A_MAX, upcall_policy) < 0)
		return SEC_E_INVALID_PARAMETER;

	nla_for_each_attr(nla, (struct nlattr *)attrs, len, rem) {
		int type = nla_type(nla);
		const struct attr_rule *rule;

		if (type <= 0 || type > KSSPI_A_MAX)
			continue;
		rule = &upcall_rules[type];
		if (rule->kind == ATTR_IGNORED)
			continue;
		/* NLA_F_NESTED / NLA_F_NET_BYTEORDER make no sense here. */
		if (nla->nla_type != type)
			return SEC_E_INVALID_PARAMETER;
		if (rule->kind != ATTR_FRAGMENTS && upcall_has(up, type))
			return SEC_E_INVALID_PARAMETER;
		status = store_attr(nla, rule, upcall_field(up, type));
		if (status != SEC_E_OK)
			return status;
		up->present |= UPCALL_BIT(type);
	}
	if (rem != 0)
		return SEC_E_INVALID_PARAMETER;	/* trailing bytes */

	if (up->cmd != KSSPI_CMD_REQUEST)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!upcall_has(up, KSSPI_A_REQUEST_ID) || !upcall_has(up, KSSPI_A_OP))
		return SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

uint32_t upcall_parse(struct upcall *up, uint8_t cmd, const void *attrs,
		      size_t len)
{
	uint64_t request_id = 0;
	bool answerable;

	up->cmd = cmd;
	if (len > INT_MAX) {
		up->status = SEC_E_INVALID_PARAMETER;
		return up->status;
	}
	answerable = find_request_id(attrs, (int)len, &request_id);

	up->status = parse_attrs(up, attrs, (int)len);
	if (up->status != SEC_E_OK) {
		/* Keep nothing of a refused upcall but the id to answer. */
		upcall_free(up);
		up->cmd = cmd;
		if (answerable) {
			up->request_id = request_id;
			up->present = UPCALL_BIT(KSSPI_A_REQUEST_ID);
		}
	}
	return up->status;
}

/* A NUL-free field of at most @max bytes, NUL-terminated in a copy. */
static int identity_field(const uint8_t **p, const uint8_t *end, size_t max,
			  char **out)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t len;

	if (!nul)
		return -EINVAL;
	len = (size_t)(nul - *p);
	if (len > max)
		return -EINVAL;
	*out = strndup((const char *)*p, len);
	if (!*out)
		return -ENOMEM;
	*p = nul + 1;
	return 0;
}

int upcall_set_identity(struct upcall *up, const uint8_t *payload, size_t len)
{
	const uint8_t *p = payload, *end = payload + len;
	size_t password_len;
	int err;

	err = identity_field(&p, end, KSSPI_MAX_NAME, &up->user);
	if (!err)
		err = identity_field(&p, end, KSSPI_MAX_NAME, &up->domain);
	if (err)
		goto fail;
	password_len = (size_t)(end - p);
	err = -EINVAL;
	if (password_len > KSSPI_MAX_PASSWORD ||
	    memchr(p, '\0', password_len))
		goto fail;
	err = bytes_append(&up->password, p, password_len);
	if (err)
		goto fail;
	up->present |= UPCALL_BIT(UPCALL_USER) | UPCALL_BIT(UPCALL_DOMAIN) |
		       UPCALL_BIT(UPCALL_PASSWORD);
	return 0;
fail:
	free(up->user);
	free(up->domain);
	up->user = NULL;
	up->domain = NULL;
	bytes_free(&up->password);
	return err;
}

int notices_parse(const void *attrs, size_t len,
		  const struct notice_handlers *handlers)
{
	struct nlattr *nla;
	uint64_t value;
	int rem, count = 0;

	if (len > INT_MAX)
		return -EINVAL;
	nla_for_each_attr(nla, (struct nlattr *)attrs, (int)len, rem) {
		switch (nla->nla_type) {
		case KSSPI_A_PAD:
		case KSSPI_A_QUEUED:
			continue;
		case KSSPI_A_RELEASE_SESSION:
		case KSSPI_A_CANCEL_REQUEST:
			if (nla_len(nla) != sizeof(value))
				return -EINVAL;
			memcpy(&value, nla_data(nla), sizeof(value));
			if (nla->nla_type == KSSPI_A_RELEASE_SESSION)
				handlers->release_session(value, handlers->arg);
			else
				handlers->cancel_request(value, handlers->arg);
			count++;
			continue;
		default:
			return -EINVAL;
		}
	}
	return rem == 0 ? count : -EINVAL;
}

int upcall_identity_copy(const struct upcall *up, char **user, char **domain,
			 struct bytes *password)
{
	const char *name = up->user, *dom = "", *backslash;

	if (upcall_has(up, UPCALL_DOMAIN) && up->domain)
		dom = up->domain;
	backslash = strchr(name, '\\');
	if (dom[0] == '\0' && backslash) {
		*domain = strndup(name, (size_t)(backslash - name));
		name = backslash + 1;
	} else {
		*domain = strdup(dom);
	}
	*user = strdup(name);
	if (!*user || !*domain)
		return -ENOMEM;
	if (upcall_has(up, UPCALL_PASSWORD) &&
	    bytes_append(password, up->password.data, up->password.len))
		return -ENOMEM;
	return 0;
}

void upcall_free(struct upcall *up)
{
	uint32_t status = up->status;

	free(up->package);
	free(up->target_name);
	free(up->user);
	free(up->domain);
	bytes_free(&up->password);
	bytes_free(&up->token);
	bytes_free(&up->channel_bindings);
	bytes_free(&up->pkg_params);
	bytes_free(&up->tls_identity);
	explicit_bzero(up, sizeof(*up));
	up->status = status;
}

int fragments_put(struct nl_msg *msg, int type, const uint8_t *data,
		  size_t len)
{
	while (len > 0) {
		size_t chunk = len < KSSPI_NL_FRAGMENT_MAX ?
			       len : KSSPI_NL_FRAGMENT_MAX;
		int err = nla_put(msg, type, (int)chunk, data);

		if (err < 0)
			return err;
		data += chunk;
		len -= chunk;
	}
	return 0;
}

static size_t fragments_size(size_t len)
{
	size_t whole = len / KSSPI_NL_FRAGMENT_MAX;
	size_t rest = len % KSSPI_NL_FRAGMENT_MAX;

	return whole * (size_t)nla_total_size(KSSPI_NL_FRAGMENT_MAX) +
	       (rest ? (size_t)nla_total_size((int)rest) : 0);
}

void reply_clear(struct reply *r)
{
	bytes_free(&r->token);
	bytes_free(&r->blob);
	bytes_free(&r->issuers);
	r->has_context_attr = false;
	r->context_attr = 0;
	r->has_expiry = false;
	r->expiry = 0;
	r->input_missing = 0;
	r->input_extra = 0;
	r->keep_session = false;
}

size_t done_size(const struct reply *r)
{
	return NLMSG_HDRLEN + GENL_HDRLEN +
	       (size_t)nla_total_size(sizeof(uint64_t)) +	/* request id */
	       (size_t)nla_total_size(sizeof(uint32_t)) +	/* status */
	       (size_t)nla_total_size(sizeof(uint32_t)) +	/* context attr */
	       (size_t)nla_total_size(sizeof(int64_t)) +	/* expiry */
	       2 * (size_t)nla_total_size(sizeof(uint32_t)) +	/* input */
	       (size_t)nla_total_size(0) +			/* keep */
	       fragments_size(r->token.len) + fragments_size(r->blob.len) +
	       fragments_size(r->issuers.len);
}

int done_build(struct nl_msg *msg, int family_id, const struct reply *r)
{
	int err;

	if (r->token.len > KSSPI_MAX_TOKEN ||
	    r->blob.len > KSSPI_MAX_CONTEXT_BLOB ||
	    r->issuers.len > KSSPI_MAX_ATTRIBUTE -
			     sizeof(struct ksspi_attr_issuer_list))
		return -NLE_MSGSIZE;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_id, 0, 0,
			 KSSPI_CMD_REQUEST_DONE, KSSPI_GENL_VERSION))
		return -NLE_NOMEM;

	err = nla_put_u64(msg, KSSPI_A_REQUEST_ID, r->request_id);
	if (!err)
		err = nla_put_u32(msg, KSSPI_A_STATUS, r->status);
	if (!err && r->has_context_attr)
		err = nla_put_u32(msg, KSSPI_A_CONTEXT_ATTR, r->context_attr);
	if (!err && r->has_expiry)
		err = nla_put_s64(msg, KSSPI_A_EXPIRY, r->expiry);
	if (!err && r->input_missing)
		err = nla_put_u32(msg, KSSPI_A_INPUT_MISSING, r->input_missing);
	if (!err && r->input_extra)
		err = nla_put_u32(msg, KSSPI_A_INPUT_EXTRA, r->input_extra);
	if (!err && r->keep_session)
		err = nla_put_flag(msg, KSSPI_A_KEEP_SESSION);
	if (!err)
		err = fragments_put(msg, KSSPI_A_TOKEN, r->token.data,
				    r->token.len);
	if (!err)
		err = fragments_put(msg, KSSPI_A_CONTEXT_BLOB, r->blob.data,
				    r->blob.len);
	if (!err)
		err = fragments_put(msg, KSSPI_A_ISSUER_LIST, r->issuers.data,
				    r->issuers.len);
	return err;
}
