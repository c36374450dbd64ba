// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SPNEGO tokens through libtasn1.  The module is spnego.asn;
 * asn1Parser turns it into spnego_asn1_tab at build time.  Decoding is
 * strict DER and must consume the whole input; node trees holding tokens
 * are deleted with ASN1_DELETE_FLAG_ZEROIZE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtasn1.h>

#include "der.h"
#include "spnego/token.h"

extern const asn1_static_node spnego_asn1_tab[];

#define SPNEGO_OID		"1.3.6.1.5.5.2"
#define OID_MAX			128
/* What Windows servers put in negHints (MS-SPNG 3.2.5.2) */
#define SPNEGO_HINT_NAME	"not_defined_in_RFC4178@please_ignore"
#define DER_OCTET_STRING	0x04
#define DER_SEQUENCE		0x30

static const char *const mech_oids[] = {
	[SPNEGO_MECH_KRB5] = "1.2.840.113554.1.2.2",
	[SPNEGO_MECH_MS_KRB5] = "1.2.840.48018.1.2.2",
	[SPNEGO_MECH_NTLM] = "1.3.6.1.4.1.311.2.2.10",
};

static struct der_module spnego_module = DER_MODULE(spnego_asn1_tab);

const char *spnego_mech_oid(enum spnego_mech mech)
{
	if (mech <= SPNEGO_MECH_OTHER || mech > SPNEGO_MECH_NTLM)
		return NULL;
	return mech_oids[mech];
}

static enum spnego_mech mech_of_oid(const char *oid)
{
	enum spnego_mech m;

	for (m = SPNEGO_MECH_KRB5; m <= SPNEGO_MECH_NTLM; m++)
		if (!strcmp(oid, mech_oids[m]))
			return m;
	return SPNEGO_MECH_OTHER;
}

/* The value @name of @node into the empty @out; absent is -ENOENT. */
static int read_octets(asn1_node node, const char *name, struct bytes *out)
{
	int len = 0;
	uint8_t *buf;
	int rc;

	rc = asn1_read_value(node, name, NULL, &len);
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return -ENOENT;
	if (rc == ASN1_SUCCESS && len == 0)
		return 0;
	if (rc != ASN1_MEM_ERROR)
		return der_errno(rc);
	if (len <= 0 || len > SPNEGO_MAX_TOKEN)
		return -EINVAL;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	rc = asn1_read_value(node, name, buf, &len);
	if (rc != ASN1_SUCCESS) {
		explicit_bzero(buf, len);
		free(buf);
		return der_errno(rc);
	}
	out->data = buf;
	out->len = len;
	out->cap = len;
	return 0;
}

static int read_optional(asn1_node node, const char *name, struct bytes *out)
{
	int err = read_octets(node, name, out);

	return err == -ENOENT ? 0 : err;
}

/* The OID @name of @node; absent is -ENOENT. */
static int read_mech(asn1_node node, const char *name, enum spnego_mech *mech)
{
	char oid[OID_MAX];
	int len = sizeof(oid);
	int rc;

	rc = asn1_read_value(node, name, oid, &len);
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return -ENOENT;
	if (rc != ASN1_SUCCESS || len <= 0 || len > (int)sizeof(oid) ||
	    oid[len - 1] != '\0')
		return -EINVAL;
	*mech = mech_of_oid(oid);
	return 0;
}

static int write_octets(asn1_node node, const char *name,
			const struct bytes *b)
{
	if (b->len > SPNEGO_MAX_TOKEN)
		return -EINVAL;
	if (b->len == 0)
		return der_errno(asn1_write_value(node, name, NULL, 0));
	return der_errno(asn1_write_value(node, name, b->data, (int)b->len));
}

/*
 * The TLV @der: its tag byte and whether tag and length (definite) span
 * exactly @len bytes, on libtasn1's tag and length readers.
 */
static int tlv_header(const uint8_t *der, size_t len, size_t *header)
{
	unsigned long tag;
	unsigned char cls;
	int tag_len, len_len;
	long content;

	if (len > SPNEGO_MAX_TOKEN ||
	    asn1_get_tag_der(der, (int)len, &cls, &tag_len, &tag) !=
	    ASN1_SUCCESS)
		return -EINVAL;
	content = asn1_get_length_der(der + tag_len, (int)len - tag_len,
				      &len_len);
	if (content < 0 || (size_t)tag_len + len_len + content != len)
		return -EINVAL;
	*header = tag_len + len_len;
	return 0;
}

/*
 * The number of elements of the DER SEQUENCE OF @der, counted before
 * libtasn1 builds nodes for them (some 150 bytes each); more than
 * SPNEGO_MAX_MECHS is -EINVAL.
 */
static int count_mechs(const uint8_t *der, size_t len, size_t *count)
{
	size_t pos;

	*count = 0;
	if (tlv_header(der, len, &pos))
		return -EINVAL;
	while (pos < len) {
		unsigned long tag;
		unsigned char cls;
		int tag_len, len_len;
		long content;

		if (++*count > SPNEGO_MAX_MECHS ||
		    asn1_get_tag_der(der + pos, (int)(len - pos), &cls,
				     &tag_len, &tag) != ASN1_SUCCESS)
			return -EINVAL;
		content = asn1_get_length_der(der + pos + tag_len,
					      (int)(len - pos) - tag_len,
					      &len_len);
		if (content < 0 ||
		    (size_t)tag_len + len_len + content > len - pos)
			return -EINVAL;
		pos += tag_len + len_len + content;
	}
	return 0;
}

static int mech_list_decode(struct spnego_token *out)
{
	asn1_node node = NULL;
	char name[24];	/* "?" and a size_t */
	size_t i, count;
	int err;

	err = count_mechs(out->mech_types_der.data, out->mech_types_der.len,
			  &count);
	if (err)
		return err;
	err = der_decode(&spnego_module, "SPNEGO.MechTypeList",
			 out->mech_types_der.data, out->mech_types_der.len,
			 SPNEGO_MAX_TOKEN, &node);
	for (i = 0; !err && i < count; i++) {
		snprintf(name, sizeof(name), "?%zu", i + 1);
		err = read_mech(node, name, &out->mechs[i]);
		if (err == -ENOENT)
			err = -EINVAL;
	}
	out->mech_count = i;
	der_node_free(&node);
	return err;
}

/* negTokenInit's [3]: a mechListMIC, or negHints of a negTokenInit2 */
static int mic_or_hints_decode(const struct bytes *any,
			       struct spnego_token *out)
{
	asn1_node node = NULL;
	size_t header;
	int err;

	if (tlv_header(any->data, any->len, &header))
		return -EINVAL;
	if (any->data[0] == DER_OCTET_STRING)
		return bytes_append(&out->mech_list_mic, any->data + header,
				    any->len - header) ? -ENOMEM : 0;
	if (any->data[0] != DER_SEQUENCE)
		return -EINVAL;
	err = der_decode(&spnego_module, "SPNEGO.NegHints", any->data, any->len,
			 SPNEGO_MAX_TOKEN, &node);
	if (err)
		return err;
	out->has_neg_hints = true;
	err = read_optional(node, "hintName", &out->hint_name);
	der_node_free(&node);
	return err;
}

static int init_decode(asn1_node node, struct spnego_token *out)
{
	struct bytes any = { 0 };
	int err;

	out->kind = SPNEGO_TOKEN_INIT;
	err = read_octets(node, "negTokenInit.mechTypes",
			  &out->mech_types_der);
	if (err == -ENOENT || (!err && !out->mech_types_der.len))
		return -EINVAL;
	if (!err)
		err = mech_list_decode(out);
	if (!err)
		err = read_optional(node, "negTokenInit.mechToken",
				    &out->mech_token);
	if (!err)
		err = read_optional(node, "negTokenInit.micOrHints", &any);
	if (!err && any.len)
		err = mic_or_hints_decode(&any, out);
	bytes_free(&any);
	if (err)
		return err;
	/* [4] exists in negTokenInit2 only: after negHints, not a MIC */
	if (out->mech_list_mic.len) {
		struct bytes extra = { 0 };

		err = read_optional(node, "negTokenInit.mechListMIC", &extra);
		if (!err && extra.len)
			err = -EINVAL;
		bytes_free(&extra);
		return err;
	}
	return read_optional(node, "negTokenInit.mechListMIC",
			     &out->mech_list_mic);
}

static int resp_decode(asn1_node node, struct spnego_token *out)
{
	uint8_t state[4];
	int len = sizeof(state);
	int rc, err;

	out->kind = SPNEGO_TOKEN_RESP;
	rc = asn1_read_value(node, "negTokenResp.negState", state, &len);
	if (rc == ASN1_SUCCESS) {
		/* libtasn1 checks ENUMERATED values against the module */
		if (len != 1 || state[0] > SPNEGO_REQUEST_MIC)
			return -EINVAL;
		out->has_neg_state = true;
		out->neg_state = state[0];
	} else if (rc != ASN1_ELEMENT_NOT_FOUND &&
		   rc != ASN1_VALUE_NOT_FOUND) {
		return -EINVAL;
	}
	err = read_mech(node, "negTokenResp.supportedMech",
			&out->supported_mech);
	if (!err)
		out->has_supported_mech = true;
	else if (err != -ENOENT)
		return err;
	err = read_optional(node, "negTokenResp.responseToken",
			    &out->response_token);
	if (!err)
		err = read_optional(node, "negTokenResp.mechListMIC",
				    &out->mech_list_mic);
	return err;
}

static int negotiation_token_decode(const uint8_t *der, size_t len,
				    bool framed, struct spnego_token *out)
{
	asn1_node node = NULL;
	char choice[16];
	int clen = sizeof(choice);
	int err;

	err = der_decode(&spnego_module, "SPNEGO.NegotiationToken", der, len,
			 SPNEGO_MAX_TOKEN, &node);
	if (err)
		return err;
	if (asn1_read_value(node, "", choice, &clen) != ASN1_SUCCESS)
		err = -EINVAL;
	else if (!strcmp(choice, "negTokenInit"))
		err = init_decode(node, out);
	else if (!framed && !strcmp(choice, "negTokenResp"))
		err = resp_decode(node, out);
	else
		err = -EINVAL;
	der_node_free(&node);
	return err;
}

int spnego_token_decode(const uint8_t *der, size_t len,
			struct spnego_token *out)
{
	struct bytes inner = { 0 };
	asn1_node node = NULL;
	char oid[OID_MAX];
	int olen = sizeof(oid);
	int err;

	if (!len || len > SPNEGO_MAX_TOKEN)
		return -EINVAL;
	if (der[0] != 0x60)
		err = negotiation_token_decode(der, len, false, out);
	else {
		err = der_decode(&spnego_module, "SPNEGO.InitialContextToken",
				 der, len, SPNEGO_MAX_TOKEN, &node);
		if (!err && (asn1_read_value(node, "thisMech", oid, &olen) !=
			     ASN1_SUCCESS || strcmp(oid, SPNEGO_OID)))
			err = -EINVAL;
		if (!err)
			err = read_octets(node, "innerContextToken", &inner);
		der_node_free(&node);
		if (!err)
			err = negotiation_token_decode(inner.data, inner.len,
						       true, out);
		bytes_free(&inner);
	}
	if (err == -ENOENT)
		err = -EINVAL;
	if (err)
		spnego_token_clear(out);
	return err;
}

void spnego_token_clear(struct spnego_token *t)
{
	bytes_free(&t->mech_types_der);
	bytes_free(&t->mech_token);
	bytes_free(&t->hint_name);
	bytes_free(&t->response_token);
	bytes_free(&t->mech_list_mic);
	memset(t, 0, sizeof(*t));
}

int spnego_mech_list_encode(const enum spnego_mech *mechs, size_t count,
			    struct bytes *der)
{
	asn1_node node = NULL;
	size_t i;
	int err;

	if (!count || count > SPNEGO_MAX_MECHS)
		return -EINVAL;
	err = der_node_new(&spnego_module, "SPNEGO.MechTypeList", &node);
	for (i = 0; !err && i < count; i++) {
		const char *oid = spnego_mech_oid(mechs[i]);

		if (!oid)
			err = -EINVAL;
		if (!err)
			err = der_errno(asn1_write_value(node, "", "NEW", 1));
		if (!err)
			err = der_errno(asn1_write_value(node, "?LAST", oid,
							  1));
	}
	if (!err)
		err = der_encode(node, SPNEGO_MAX_TOKEN, der);
	der_node_free(&node);
	return err;
}

/* Frames the NegotiationToken @inner as an InitialContextToken. */
static int frame(const struct bytes *inner, struct bytes *der)
{
	asn1_node node = NULL;
	int err;

	err = der_node_new(&spnego_module, "SPNEGO.InitialContextToken", &node);
	if (!err)
		err = der_errno(asn1_write_value(node, "thisMech",
						  SPNEGO_OID, 1));
	if (!err)
		err = write_octets(node, "innerContextToken", inner);
	if (!err)
		err = der_encode(node, SPNEGO_MAX_TOKEN, der);
	der_node_free(&node);
	return err;
}

static int init_any_encode(const enum spnego_mech *mechs, size_t count,
			   const struct bytes *mech_token,
			   const struct bytes *hints, struct bytes *der)
{
	struct bytes list = { 0 }, inner = { 0 };
	asn1_node node = NULL;
	int err;

	err = spnego_mech_list_encode(mechs, count, &list);
	if (!err)
		err = der_node_new(&spnego_module, "SPNEGO.NegotiationToken", &node);
	if (!err)
		err = der_errno(asn1_write_value(node, "", "negTokenInit",
						  1));
	if (!err)
		err = write_octets(node, "negTokenInit.mechTypes", &list);
	if (!err)
		err = der_errno(asn1_write_value(node, "negTokenInit.reqFlags",
						  NULL, 0));
	if (!err)
		err = write_octets(node, "negTokenInit.mechToken", mech_token);
	if (!err)
		err = write_octets(node, "negTokenInit.micOrHints", hints);
	if (!err)
		err = der_errno(asn1_write_value(node,
				 "negTokenInit.mechListMIC", NULL, 0));
	if (!err)
		err = der_encode(node, SPNEGO_MAX_TOKEN, &inner);
	if (!err)
		err = frame(&inner, der);
	der_node_free(&node);
	bytes_free(&list);
	bytes_free(&inner);
	return err;
}

int spnego_init_encode(const enum spnego_mech *mechs, size_t count,
		       const struct bytes *mech_token, struct bytes *der)
{
	static const struct bytes none;

	return init_any_encode(mechs, count, mech_token, &none, der);
}

int spnego_init2_encode(const enum spnego_mech *mechs, size_t count,
			struct bytes *der)
{
	static const struct bytes none;
	struct bytes hints = { 0 };
	asn1_node node = NULL;
	int err;

	err = der_node_new(&spnego_module, "SPNEGO.NegHints", &node);
	if (!err)
		err = der_errno(asn1_write_value(node, "hintName",
						  SPNEGO_HINT_NAME,
						  sizeof(SPNEGO_HINT_NAME) - 1));
	if (!err)
		err = der_errno(asn1_write_value(node, "hintAddress", NULL,
						  0));
	if (!err)
		err = der_encode(node, SPNEGO_MAX_TOKEN, &hints);
	der_node_free(&node);
	if (!err)
		err = init_any_encode(mechs, count, &none, &hints, der);
	bytes_free(&hints);
	return err;
}

int spnego_resp_encode(int neg_state, enum spnego_mech supported_mech,
		       const struct bytes *response_token,
		       const struct bytes *mech_list_mic, struct bytes *der)
{
	static const char *const states[] = {
		"acceptCompleted", "acceptIncomplete", "reject", "requestMic",
	};
	asn1_node node = NULL;
	const char *oid = spnego_mech_oid(supported_mech);
	int err;

	if (neg_state > SPNEGO_REQUEST_MIC)
		return -EINVAL;
	err = der_node_new(&spnego_module, "SPNEGO.NegotiationToken", &node);
	if (!err)
		err = der_errno(asn1_write_value(node, "", "negTokenResp",
						  1));
	if (!err)
		err = der_errno(asn1_write_value(node, "negTokenResp.negState",
				 neg_state < 0 ? NULL : states[neg_state], 0));
	if (!err)
		err = der_errno(asn1_write_value(node,
				 "negTokenResp.supportedMech", oid, oid ? 1 : 0));
	if (!err)
		err = write_octets(node, "negTokenResp.responseToken",
				   response_token);
	if (!err)
		err = write_octets(node, "negTokenResp.mechListMIC",
				   mech_list_mic);
	if (!err)
		err = der_encode(node, SPNEGO_MAX_TOKEN, der);
	der_node_free(&node);
	return err;
}
