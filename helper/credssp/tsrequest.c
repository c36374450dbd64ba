// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ASN.1 messages of CredSSP through libtasn1.  The module is
 * credssp.asn; asn1Parser turns it into credssp_asn1_tab at build time.
 *
 * Decoding is strict DER as libtasn1 understands it (no indefinite lengths,
 * no constructed strings) and must consume the whole input.  Secrets:
 * every node tree is deleted with ASN1_DELETE_FLAG_ZEROIZE and values are
 * read straight into our own buffers, which are wiped on free.  What
 * libtasn1 frees without wiping is listed in
 * Documentation/credssp-messages.rst.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtasn1.h>
#include <linux/ksspi.h>

#include "credssp/tsrequest.h"
#include "der.h"

extern const asn1_static_node credssp_asn1_tab[];

#define TS_MAX_NAME_BYTES	(2 * KSSPI_MAX_NAME)
#define TS_MAX_PASSWORD_BYTES	(2 * KSSPI_MAX_PASSWORD)
/* NegoData entries accepted; MS-CSSP and every known peer send one. */
#define TS_MAX_NEGO_ENTRIES	8
/* Remote Guard supplemental credentials: one per security package */
#define TS_MAX_SUPPLEMENTAL_CREDS	16

static struct der_module credssp_module = DER_MODULE(credssp_asn1_tab);

/*
 * Reads the string @name (OCTET STRING, or the DER of an ANY) of @node
 * into the empty @out.
 * Absent: -ENOENT.  Longer than @max: -EINVAL.
 */
static int read_octets(asn1_node node, const char *name, size_t max,
		       struct bytes *out)
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
	if (len <= 0 || (size_t)len > max)
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

/*
 * Reads the INTEGER @name of @node as a signed value.  Non-minimal
 * encodings (libtasn1 keeps the content octets as sent) are read for their
 * value; anything outside int64_t is -EINVAL.  Absent: -ENOENT.
 */
static int read_integer(asn1_node node, const char *name, int64_t *value)
{
	uint8_t buf[16];
	int len = sizeof(buf);
	uint64_t v;
	int i, rc;

	rc = asn1_read_value(node, name, buf, &len);
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return -ENOENT;
	if (rc != ASN1_SUCCESS || len <= 0)
		return -EINVAL;
	/* Drop redundant sign octets. */
	i = 0;
	while (len - i > 1 &&
	       ((buf[i] == 0x00 && !(buf[i + 1] & 0x80)) ||
		(buf[i] == 0xff && (buf[i + 1] & 0x80))))
		i++;
	if (len - i > 8)
		return -EINVAL;
	v = (buf[i] & 0x80) ? UINT64_MAX : 0;
	for (; i < len; i++)
		v = (v << 8) | buf[i];
	*value = (int64_t)v;
	return 0;
}

/*
 * libtasn1 takes a SEQUENCE that ends before its mandatory components
 * (even "30 00"): whether each of @names has a value.
 */
static bool present(asn1_node node, const char *const names[])
{
	int len, rc;

	for (; *names; names++) {
		len = 0;
		rc = asn1_read_value(node, *names, NULL, &len);
		if (rc != ASN1_SUCCESS && rc != ASN1_MEM_ERROR)
			return false;
	}
	return true;
}

/* Writes the big-endian two's complement of @value into INTEGER @name. */
static int write_integer(asn1_node node, const char *name, int64_t value)
{
	uint8_t buf[8];
	int i;

	for (i = 7; i >= 0; i--) {
		buf[i] = (uint8_t)value;
		value = (int64_t)((uint64_t)value >> 8);
	}
	/* libtasn1 strips the redundant sign octets. */
	return der_errno(asn1_write_value(node, name, buf, sizeof(buf)));
}

/*
 * Writes @b into OCTET STRING @name (or into an ANY, @b then being a
 * whole DER TLV).  libtasn1 takes a zero length as "use strlen()", so an
 * empty string is written as "".
 */
static int write_octets(asn1_node node, const char *name,
			const struct bytes *b)
{
	if (b->len > TS_MAX_MESSAGE)
		return -EINVAL;
	if (b->len == 0)
		return der_errno(asn1_write_value(node, name, "", 0));
	return der_errno(asn1_write_value(node, name, b->data, (int)b->len));
}

static int write_absent(asn1_node node, const char *name)
{
	return der_errno(asn1_write_value(node, name, NULL, 0));
}

/*
 * The number of elements of the DER SEQUENCE OF @der, counted on
 * libtasn1's tag and length readers before libtasn1 builds a node tree
 * for them; more than @max is -EINVAL.  The tags are checked when the
 * tree is decoded.
 */
static int count_entries(const uint8_t *der, size_t len, int max, int *count)
{
	unsigned long tag;
	unsigned char cls;
	int tag_len, len_len;
	long content;
	size_t pos, end;

	*count = 0;
	if (asn1_get_tag_der(der, (int)len, &cls, &tag_len, &tag) !=
	    ASN1_SUCCESS)
		return -EINVAL;
	content = asn1_get_length_der(der + tag_len, (int)len - tag_len,
				      &len_len);
	if (content < 0 || (size_t)tag_len + len_len + content != len)
		return -EINVAL;
	for (pos = tag_len + len_len, end = len; pos < end;) {
		if (++*count > max ||
		    asn1_get_tag_der(der + pos, (int)(end - pos), &cls,
				     &tag_len, &tag) != ASN1_SUCCESS)
			return -EINVAL;
		content = asn1_get_length_der(der + pos + tag_len,
					      (int)(end - pos) - tag_len,
					      &len_len);
		if (content < 0 ||
		    (size_t)tag_len + len_len + content > end - pos)
			return -EINVAL;
		pos += tag_len + len_len + content;
	}
	return 0;
}

/* The first negoToken of the NegoData @der, into the empty @out. */
static int nego_data_decode(const struct bytes *der, struct bytes *out)
{
	asn1_node node = NULL;
	int entries;
	int err;

	err = count_entries(der->data, der->len, TS_MAX_NEGO_ENTRIES,
			    &entries);
	if (!err && entries < 1)
		err = -EINVAL;
	if (!err)
		err = der_decode(&credssp_module, "CredSSP.NegoData", der->data,
				 der->len, TS_MAX_MESSAGE, &node);
	if (err)
		return err;
	err = read_octets(node, "?1.negoToken", TS_MAX_MESSAGE, out);
	der_node_free(&node);
	return err == -ENOENT ? -EINVAL : err;
}

static int nego_data_encode(const struct bytes *token, struct bytes *der)
{
	asn1_node node = NULL;
	int err;

	err = der_node_new(&credssp_module, "CredSSP.NegoData", &node);
	if (err)
		return err;
	err = der_errno(asn1_write_value(node, "", "NEW", 1));
	if (!err)
		err = write_octets(node, "?LAST.negoToken", token);
	if (!err)
		err = der_encode(node, TS_MAX_MESSAGE, der);
	der_node_free(&node);
	return err;
}

void ts_request_clear(struct ts_request *r)
{
	bytes_free(&r->nego_token);
	bytes_free(&r->auth_info);
	bytes_free(&r->pub_key_auth);
	bytes_free(&r->client_nonce);
	memset(r, 0, sizeof(*r));
}

/* An optional OCTET STRING: absent leaves @out empty. */
static int read_optional(asn1_node node, const char *name, struct bytes *out)
{
	int err = read_octets(node, name, TS_MAX_MESSAGE, out);

	return err == -ENOENT ? 0 : err;
}

int ts_request_decode(const uint8_t *der, size_t len, struct ts_request *out)
{
	struct bytes nego_data = { 0 };
	asn1_node node = NULL;
	int64_t value;
	int err;

	err = der_decode(&credssp_module, "CredSSP.TSRequest", der, len,
			 TS_MAX_MESSAGE, &node);
	if (err)
		goto out;

	/* What was sent, if it fits: the package negotiates the version. */
	err = read_integer(node, "version", &value);
	if (err == -ENOENT || (!err && (value < 0 || value > UINT32_MAX)))
		err = -EINVAL;
	if (err)
		goto out;
	out->version = (uint32_t)value;

	/* The raw NegoData (see credssp.asn) */
	err = read_octets(node, "negoTokens", TS_MAX_MESSAGE, &nego_data);
	if (!err)
		err = nego_data_decode(&nego_data, &out->nego_token);
	else if (err == -ENOENT)
		err = 0;
	if (err)
		goto out;

	err = read_optional(node, "authInfo", &out->auth_info);
	if (!err)
		err = read_optional(node, "pubKeyAuth", &out->pub_key_auth);
	if (err)
		goto out;

	/*
	 * NTSTATUS values go out as 32-bit INTEGERs, so 0xC000006D arrives
	 * as the negative -0x3FFFFF93; a positive encoding is taken too.
	 */
	err = read_integer(node, "errorCode", &value);
	if (!err) {
		if (value < INT32_MIN || value > UINT32_MAX) {
			err = -EINVAL;
			goto out;
		}
		out->has_error_code = true;
		out->error_code = (uint32_t)value;
	} else if (err != -ENOENT) {
		goto out;
	}

	/* Present, the nonce has its one length (an empty one too). */
	err = read_octets(node, "clientNonce", TS_CLIENT_NONCE_LEN,
			  &out->client_nonce);
	if (err == -ENOENT)
		err = 0;
	else if (!err && out->client_nonce.len != TS_CLIENT_NONCE_LEN)
		err = -EINVAL;
out:
	der_node_free(&node);
	bytes_free(&nego_data);
	if (err)
		ts_request_clear(out);
	return err;
}

int ts_request_encode(const struct ts_request *in, struct bytes *der)
{
	struct bytes nego_data = { 0 };
	asn1_node node = NULL;
	int err;

	if (in->version < TS_VERSION_MIN || in->version > TS_VERSION_MAX ||
	    (in->has_error_code && in->version < 3) ||
	    (in->client_nonce.len && in->version < 5) ||
	    (in->client_nonce.len &&
	     in->client_nonce.len != TS_CLIENT_NONCE_LEN))
		return -EINVAL;

	err = der_node_new(&credssp_module, "CredSSP.TSRequest", &node);
	if (err)
		return err;
	err = write_integer(node, "version", in->version);
	if (err)
		goto out;

	if (in->nego_token.len) {
		err = nego_data_encode(&in->nego_token, &nego_data);
		if (!err)
			err = write_octets(node, "negoTokens", &nego_data);
	} else {
		err = write_absent(node, "negoTokens");
	}
	if (err)
		goto out;

	err = in->auth_info.len ? write_octets(node, "authInfo", &in->auth_info)
				: write_absent(node, "authInfo");
	if (err)
		goto out;
	err = in->pub_key_auth.len ?
		write_octets(node, "pubKeyAuth", &in->pub_key_auth) :
		write_absent(node, "pubKeyAuth");
	if (err)
		goto out;
	/* As Windows and FreeRDP send it: the NTSTATUS as an int32. */
	err = in->has_error_code ?
		write_integer(node, "errorCode", (int32_t)in->error_code) :
		write_absent(node, "errorCode");
	if (err)
		goto out;
	err = in->client_nonce.len ?
		write_octets(node, "clientNonce", &in->client_nonce) :
		write_absent(node, "clientNonce");
	if (err)
		goto out;

	err = der_encode(node, TS_MAX_MESSAGE, der);
out:
	der_node_free(&node);
	bytes_free(&nego_data);
	return err;
}

void ts_credentials_clear(struct ts_credentials *c)
{
	bytes_free(&c->credentials);
	bytes_free(&c->domain);
	bytes_free(&c->user);
	bytes_free(&c->password);
	memset(c, 0, sizeof(*c));
}

static int password_creds_decode(struct ts_credentials *out)
{
	asn1_node node = NULL;
	int err;

	err = der_decode(&credssp_module, "CredSSP.TSPasswordCreds",
			 out->credentials.data, out->credentials.len,
			 TS_MAX_MESSAGE, &node);
	if (err)
		return err;
	err = read_octets(node, "domainName", TS_MAX_NAME_BYTES, &out->domain);
	if (!err)
		err = read_octets(node, "userName", TS_MAX_NAME_BYTES,
				  &out->user);
	if (!err)
		err = read_octets(node, "password", TS_MAX_PASSWORD_BYTES,
				  &out->password);
	der_node_free(&node);
	/* The three fields are mandatory: libtasn1 has checked they are there. */
	return err == -ENOENT ? -EINVAL : err;
}

/*
 * Whether the credentials are a well-formed @type with its mandatory
 * @fields; nothing is kept.
 */
static int creds_check(const char *type, const char *const fields[],
		       const struct bytes *creds)
{
	asn1_node node = NULL;
	int err = der_decode(&credssp_module, type, creds->data, creds->len,
			     TS_MAX_MESSAGE, &node);

	if (!err && !present(node, fields))
		err = -EINVAL;
	der_node_free(&node);
	return err;
}

/*
 * Whether @creds is a well-formed TSRemoteGuardCreds; its
 * supplementalCreds (a SEQUENCE OF, declared ANY) are counted before
 * libtasn1 decodes them, as negoTokens are.
 */
static int remote_guard_check(const struct bytes *creds)
{
	static const char *const fields[] = {
		"logonCred.packageName", "logonCred.credBuffer", NULL
	};
	struct bytes supplemental = { 0 };
	asn1_node node = NULL;
	char name[2][32];
	const char *const names[] = { name[0], name[1], NULL };
	int entries, i;
	int err;

	err = der_decode(&credssp_module, "CredSSP.TSRemoteGuardCreds",
			 creds->data, creds->len, TS_MAX_MESSAGE, &node);
	if (err)
		return err;
	err = present(node, fields) ? read_octets(node, "supplementalCreds",
						  TS_MAX_MESSAGE,
						  &supplemental) : -EINVAL;
	der_node_free(&node);
	if (err)
		return err == -ENOENT ? 0 : err;

	err = count_entries(supplemental.data, supplemental.len,
			    TS_MAX_SUPPLEMENTAL_CREDS, &entries);
	if (!err)
		err = der_decode(&credssp_module,
				 "CredSSP.TSRemoteGuardPackageCreds",
				 supplemental.data, supplemental.len,
				 TS_MAX_MESSAGE, &node);
	for (i = 1; !err && i <= entries; i++) {
		snprintf(name[0], sizeof(name[0]), "?%d.packageName", i);
		snprintf(name[1], sizeof(name[1]), "?%d.credBuffer", i);
		if (!present(node, names))
			err = -EINVAL;
	}
	der_node_free(&node);
	bytes_free(&supplemental);
	return err;
}

int ts_credentials_decode(const uint8_t *der, size_t len,
			  struct ts_credentials *out)
{
	static const char *const smartcard_fields[] = {
		"pin", "cspData.keySpec", NULL
	};
	asn1_node node = NULL;
	int64_t type;
	int err;

	err = der_decode(&credssp_module, "CredSSP.TSCredentials", der, len,
			 TS_MAX_MESSAGE, &node);
	if (err)
		goto out;
	err = read_integer(node, "credType", &type);
	if (err == -ENOENT)
		err = -EINVAL;
	if (err)
		goto out;
	err = read_octets(node, "credentials", TS_MAX_MESSAGE,
			  &out->credentials);
	der_node_free(&node);
	if (err == -ENOENT)
		err = -EINVAL;
	if (err)
		goto out;

	switch (type) {
	case TS_CRED_PASSWORD:
		err = password_creds_decode(out);
		break;
	case TS_CRED_SMARTCARD:
		err = creds_check("CredSSP.TSSmartCardCreds",
					smartcard_fields, &out->credentials);
		break;
	case TS_CRED_REMOTE_GUARD:
		err = remote_guard_check(&out->credentials);
		break;
	default:
		err = -EINVAL;
		break;
	}
	out->cred_type = (uint32_t)type;
out:
	der_node_free(&node);
	if (err)
		ts_credentials_clear(out);
	return err;
}

int ts_credentials_encode_password(const struct bytes *domain,
				   const struct bytes *user,
				   const struct bytes *password,
				   struct bytes *der)
{
	struct bytes creds = { 0 };
	asn1_node node = NULL;
	int err;

	if (domain->len > TS_MAX_NAME_BYTES || user->len > TS_MAX_NAME_BYTES ||
	    password->len > TS_MAX_PASSWORD_BYTES)
		return -EINVAL;

	err = der_node_new(&credssp_module, "CredSSP.TSPasswordCreds", &node);
	if (err)
		return err;
	err = write_octets(node, "domainName", domain);
	if (!err)
		err = write_octets(node, "userName", user);
	if (!err)
		err = write_octets(node, "password", password);
	if (!err)
		err = der_encode(node, TS_MAX_MESSAGE, &creds);
	der_node_free(&node);
	if (err)
		goto out;

	err = der_node_new(&credssp_module, "CredSSP.TSCredentials", &node);
	if (err)
		goto out;
	err = write_integer(node, "credType", TS_CRED_PASSWORD);
	if (!err)
		err = write_octets(node, "credentials", &creds);
	if (!err)
		err = der_encode(node, TS_MAX_MESSAGE, der);
	der_node_free(&node);
out:
	bytes_free(&creds);
	return err;
}

int spki_subject_public_key(const uint8_t *spki, size_t len,
			    struct bytes *out)
{
	static const char *const algorithm[] = { "algorithm.algorithm", NULL };
	asn1_node node = NULL;
	asn1_node key;
	asn1_data_node_st data;
	const uint8_t *value;
	long content;
	int len_len;
	int err;

	err = der_decode(&credssp_module, "CredSSP.SubjectPublicKeyInfo", spki,
			 len, TS_MAX_MESSAGE, &node);
	if (err)
		return err;
	/*
	 * libtasn1 keeps a BIT STRING as its length octets and content; the
	 * first content octet counts the unused bits, which must be 0 for a
	 * key made of whole octets.
	 */
	key = asn1_find_node(node, "subjectPublicKey");
	err = -EINVAL;
	if (!key || !present(node, algorithm) || asn1_read_node_value(key, &data) != ASN1_SUCCESS ||
	    !data.value)
		goto out;
	value = data.value;
	content = asn1_get_length_der(value, (int)data.value_len, &len_len);
	if (content < 2 || (size_t)len_len + content != data.value_len ||
	    value[len_len] != 0)
		goto out;
	err = bytes_append(out, value + len_len + 1, content - 1);
out:
	der_node_free(&node);
	return err;
}
