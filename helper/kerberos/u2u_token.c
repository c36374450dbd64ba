// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tokens of Kerberos user-to-user (draft-swift-win2k-krb-user2user,
 * as Windows sends them): RFC 2743's InitialContextToken framing with the
 * user-to-user OID 1.2.840.113554.1.2.2.3 around a two-byte TOK_ID and a
 * Kerberos message.
 *
 *	60 len | 06 0a <OID> | TOK_ID | message
 *	TOK_ID 04 00 KERB-TGT-REQUEST, 04 01 KERB-TGT-REPLY,
 *	       01 00 AP-REQ, 02 00 AP-REP, 03 00 KRB-ERROR
 *
 * The framing goes through libtasn1's tag and length readers, the two
 * KERB-TGT messages through libtasn1 with u2u.asn (strict DER, the whole
 * input consumed); AP-REQ, AP-REP and Ticket are MIT's to parse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtasn1.h>

#include "der.h"
#include "kerberos/kerberos.h"

extern const asn1_static_node kerberos_u2u_asn1_tab[];

/* 1.2.840.113554.1.2.2.3, the DER contents */
static const uint8_t u2u_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03,
};

#define KRB5_PVNO		5
#define KRB_TGT_REQ		16
#define KRB_TGT_REP		17
/* Components of a PrincipalName accepted in a KERB-TGT-REQUEST */
#define U2U_MAX_COMPONENTS	8

static struct der_module u2u_module = DER_MODULE(kerberos_u2u_asn1_tab);

/* INTEGER @name of @node equals @want (a small non-negative number). */
static bool int_is(asn1_node node, const char *name, unsigned int want)
{
	uint8_t v[4];
	int len = sizeof(v);

	return asn1_read_value(node, name, v, &len) == ASN1_SUCCESS &&
	       len == 1 && v[0] == want;
}

bool kerberos_u2u_framed(const uint8_t *token, size_t len)
{
	size_t at;

	/* the tag, a length of any form, then the OID: no more is read */
	if (len < 2 || token[0] != 0x60)
		return false;
	at = token[1] < 0x80 ? 2 : 2 + (token[1] & 0x7f);
	return len >= at + 2 + sizeof(u2u_oid) && token[at] == 0x06 &&
	       token[at + 1] == sizeof(u2u_oid) &&
	       !memcmp(token + at + 2, u2u_oid, sizeof(u2u_oid));
}

int kerberos_u2u_unframe(const uint8_t *token, size_t len, uint16_t *tok_id,
			 const uint8_t **body, size_t *body_len)
{
	const uint8_t *oid, *p;
	size_t oid_len, left;

	if (len > KERBEROS_U2U_MAX_TOKEN ||
	    der_gss_header(token, len, true, &oid, &oid_len, &p, &left) ||
	    oid_len != sizeof(u2u_oid) ||
	    memcmp(oid, u2u_oid, sizeof(u2u_oid)) || left < 2)
		return -EINVAL;
	*tok_id = (uint16_t)(p[0] << 8 | p[1]);
	*body = p + 2;
	*body_len = left - 2;
	return 0;
}

int kerberos_u2u_frame(uint16_t tok_id, const uint8_t *body, size_t len,
		       struct bytes *out)
{
	uint8_t head[1 + 8 + 2 + sizeof(u2u_oid) + 2];
	size_t inner = 2 + sizeof(u2u_oid) + 2 + len;
	int len_len = 0;

	if (len > KERBEROS_U2U_MAX_TOKEN - 32)
		return -EINVAL;
	head[0] = 0x60;
	asn1_length_der((unsigned long)inner, head + 1, &len_len);
	head[1 + len_len] = 0x06;
	head[2 + len_len] = sizeof(u2u_oid);
	memcpy(head + 3 + len_len, u2u_oid, sizeof(u2u_oid));
	head[3 + len_len + sizeof(u2u_oid)] = (uint8_t)(tok_id >> 8);
	head[4 + len_len + sizeof(u2u_oid)] = (uint8_t)tok_id;
	if (bytes_append(out, head, 5 + (size_t)len_len + sizeof(u2u_oid)) ||
	    (len && bytes_append(out, body, len)))
		return -ENOMEM;
	return 0;
}

int kerberos_tgt_request_encode(int32_t name_type,
				const char *const *components, size_t n,
				const char *realm, struct bytes *out)
{
	asn1_node node = NULL;
	char number[16];
	size_t i;
	int err;

	if (n > U2U_MAX_COMPONENTS)
		return -EINVAL;
	err = der_node_new(&u2u_module, "KerberosU2U.KerbTgtRequest", &node);
	if (err)
		return err;
	snprintf(number, sizeof(number), "%d", (int)name_type);
	err = der_errno(asn1_write_value(node, "pvno", "5", 0));
	if (!err)
		err = der_errno(asn1_write_value(node, "msgType", "16", 0));
	if (!err && n) {
		err = der_errno(asn1_write_value(node, "serverName.nameType",
						  number, 0));
		for (i = 0; !err && i < n; i++) {
			err = der_errno(asn1_write_value(
				node, "serverName.nameString", "NEW", 1));
			if (!err)
				err = der_errno(asn1_write_value(
					node, "serverName.nameString.?LAST",
					components[i],
					(int)strlen(components[i])));
		}
	} else if (!err) {
		err = der_errno(asn1_write_value(node, "serverName", NULL, 0));
	}
	if (!err)
		err = der_errno(asn1_write_value(node, "realm", realm,
						  realm ? (int)strlen(realm) :
							  0));
	if (!err)
		err = der_encode(node, KERBEROS_U2U_MAX_TOKEN, out);
	der_node_free(&node);
	return err;
}

int kerberos_tgt_request_check(const uint8_t *der, size_t len)
{
	asn1_node node = NULL;
	int err, count = 0, start, end, type_len = 8, rc;
	uint8_t type[8];

	if (len > KERBEROS_U2U_MAX_TGT_REQ)
		return -EINVAL;
	err = der_decode(&u2u_module, "KerberosU2U.KerbTgtRequest", der, len,
			 KERBEROS_U2U_MAX_TOKEN, &node);
	if (err)
		return err;
	if (!int_is(node, "pvno", KRB5_PVNO) ||
	    !int_is(node, "msgType", KRB_TGT_REQ)) {
		err = -EINVAL;
		goto out;
	}
	rc = asn1_der_decoding_startEnd(node, der, (int)len, "serverName",
					&start, &end);
	if (rc == ASN1_ELEMENT_NOT_FOUND)
		goto out;
	/* a name, when there is one, has a type and one to a few parts */
	if (rc != ASN1_SUCCESS ||
	    asn1_read_value(node, "serverName.nameType", type, &type_len) !=
	    ASN1_SUCCESS || type_len < 1 ||
	    asn1_number_of_elements(node, "serverName.nameString", &count) !=
	    ASN1_SUCCESS || count < 1 || count > U2U_MAX_COMPONENTS)
		err = -EINVAL;
out:
	der_node_free(&node);
	return err;
}

int kerberos_tgt_reply_encode(const uint8_t *ticket, size_t len,
			      struct bytes *out)
{
	asn1_node node = NULL;
	int err;

	err = der_node_new(&u2u_module, "KerberosU2U.KerbTgtReply", &node);
	if (err)
		return err;
	err = der_errno(asn1_write_value(node, "pvno", "5", 0));
	if (!err)
		err = der_errno(asn1_write_value(node, "msgType", "17", 0));
	if (!err)
		err = der_errno(asn1_write_value(node, "ticket", ticket,
						  (int)len));
	if (!err)
		err = der_encode(node, KERBEROS_U2U_MAX_TOKEN, out);
	der_node_free(&node);
	return err;
}

int kerberos_tgt_reply_ticket(const uint8_t *der, size_t len,
			      struct bytes *ticket)
{
	asn1_node node = NULL;
	uint8_t *buf = NULL;
	int err, ticket_len = 0, rc;

	err = der_decode(&u2u_module, "KerberosU2U.KerbTgtReply", der, len,
			 KERBEROS_U2U_MAX_TOKEN, &node);
	if (err)
		return err;
	if (!int_is(node, "pvno", KRB5_PVNO) ||
	    !int_is(node, "msgType", KRB_TGT_REP)) {
		err = -EINVAL;
		goto out;
	}
	rc = asn1_read_value(node, "ticket", NULL, &ticket_len);
	/* a Ticket is [APPLICATION 1] */
	if (rc != ASN1_MEM_ERROR || ticket_len <= 2 ||
	    (size_t)ticket_len > len) {
		err = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)ticket_len);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	if (asn1_read_value(node, "ticket", buf, &ticket_len) !=
	    ASN1_SUCCESS || buf[0] != 0x61)
		err = -EINVAL;
	else if (bytes_append(ticket, buf, (size_t)ticket_len))
		err = -ENOMEM;
out:
	free(buf);
	der_node_free(&node);
	return err;
}
