// SPDX-License-Identifier: GPL-2.0-or-later
/* libtasn1 plumbing shared by ksspid's DER readers and writers (der.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"

int der_errno(int rc)
{
	switch (rc) {
	case ASN1_SUCCESS:
		return 0;
	case ASN1_MEM_ALLOC_ERROR:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

static int module_load(struct der_module *module)
{
	int err;

	pthread_mutex_lock(&module->lock);
	if (!module->loaded) {
		module->err = der_errno(asn1_array2tree(module->tab,
							&module->definitions,
							NULL));
		module->loaded = true;
	}
	err = module->err;
	pthread_mutex_unlock(&module->lock);
	return err;
}

int der_node_new(struct der_module *module, const char *type,
		 asn1_node *node)
{
	int err = module_load(module);

	*node = NULL;
	if (err)
		return err;
	return der_errno(asn1_create_element(module->definitions, type, node));
}

void der_node_free(asn1_node *node)
{
	if (*node)
		asn1_delete_structure2(node, ASN1_DELETE_FLAG_ZEROIZE);
	*node = NULL;
}

int der_decode(struct der_module *module, const char *type,
	       const uint8_t *der, size_t len, size_t max, asn1_node *node)
{
	int used = (int)len;
	int err;

	*node = NULL;
	if (len == 0 || len > max || len > INT32_MAX)
		return -EINVAL;
	err = der_node_new(module, type, node);
	if (err)
		return err;
	err = asn1_der_decoding2(node, der, &used,
				 ASN1_DECODE_FLAG_STRICT_DER |
				 ASN1_DECODE_FLAG_ALLOW_PADDING, NULL);
	if (err != ASN1_SUCCESS) {
		*node = NULL;	/* libtasn1 deleted it */
		return der_errno(err);
	}
	if ((size_t)used != len) {
		der_node_free(node);
		return -EINVAL;
	}
	return 0;
}

int der_encode(asn1_node node, size_t max, struct bytes *der)
{
	int len = 0;
	uint8_t *buf;
	int rc;

	rc = asn1_der_coding(node, "", NULL, &len, NULL);
	if (rc != ASN1_MEM_ERROR)
		return rc == ASN1_SUCCESS ? -EINVAL : der_errno(rc);
	if (len <= 0 || (size_t)len > max)
		return -EINVAL;
	buf = malloc((size_t)len);
	if (!buf)
		return -ENOMEM;
	rc = asn1_der_coding(node, "", buf, &len, NULL);
	if (rc != ASN1_SUCCESS) {
		explicit_bzero(buf, (size_t)len);
		free(buf);
		return der_errno(rc);
	}
	der->data = buf;
	der->len = (size_t)len;
	der->cap = (size_t)len;
	return 0;
}

/* Whether a DER length of @len_len bytes for @value is the shortest. */
static bool minimal_length(long value, int len_len)
{
	uint8_t buf[16];
	int want = 0;

	asn1_length_der((unsigned long)value, buf, &want);
	return want == len_len;
}

int der_gss_header(const uint8_t *token, size_t len, bool minimal,
		   const uint8_t **oid, size_t *oid_len,
		   const uint8_t **rest, size_t *rest_len)
{
	int len_len, oid_len_len;
	long content, n;
	const uint8_t *p;
	size_t left;

	if (!token || len < 2 || len > INT32_MAX || token[0] != 0x60)
		return -EINVAL;
	content = asn1_get_length_der(token + 1, (int)len - 1, &len_len);
	if (content < 0 || 1 + (size_t)len_len + (size_t)content != len ||
	    (minimal && !minimal_length(content, len_len)))
		return -EINVAL;
	p = token + 1 + len_len;
	left = (size_t)content;
	if (left < 2 || p[0] != 0x06)
		return -EINVAL;
	n = asn1_get_length_der(p + 1, (int)left - 1, &oid_len_len);
	if (n <= 0 || 1 + (size_t)oid_len_len + (size_t)n > left ||
	    (minimal && !minimal_length(n, oid_len_len)))
		return -EINVAL;
	*oid = p + 1 + oid_len_len;
	*oid_len = (size_t)n;
	*rest = *oid + n;
	*rest_len = left - 1 - (size_t)oid_len_len - (size_t)n;
	return 0;
}
