// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: QueryContextAttributesA/W.
 *
 * The kernel answers in the layouts of <linux/ksspi.h> (struct ksspi_attr_*,
 * strings, raw key bytes); they are converted to the Sspi.h structures.
 * Strings, session keys and SecPkgInfo are allocated with malloc() and freed
 * with FreeContextBuffer().  A fixed-size answer shorter than the layout the
 * library knows (an older kernel) reads as zero-filled.
 *
 * Supported: SECPKG_ATTR_SIZES, _NAMES, _LIFESPAN, _STREAM_SIZES, _KEY_INFO,
 * _SESSION_KEY, _PACKAGE_INFO, _NEGOTIATION_INFO, _FLAGS, _TARGET,
 * _ISSUER_LIST_EX.  Any other
 * attribute gives SEC_E_UNSUPPORTED_FUNCTION without asking the kernel: its
 * layout is not part of the ABI.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ksspi/credssp.h"

/* Large enough for every fixed-size answer and most names */
#define ATTR_STACK	512

struct answer {
	unsigned char stack[ATTR_STACK];
	unsigned char *data;
	uint32_t len;	/* bytes of answer */
	uint32_t room;	/* bytes at data */
};

static void answer_release(struct answer *a)
{
	/* answers may hold keys */
	if (a->data && a->data != a->stack)
		ksspi_priv_free_secret(a->data, a->room);
	else
		explicit_bzero(a->stack, sizeof(a->stack));
	a->data = NULL;
}

/*
 * Ask with the stack buffer, then with the size the kernel says it needs,
 * a few times (the answer may grow in between).
 */
static SECURITY_STATUS fetch(PCtxtHandle ph, ULONG attr, struct answer *a)
{
	struct ksspi_query_attributes q;
	SECURITY_STATUS st;
	int tries;

	a->data = a->stack;
	a->room = sizeof(a->stack);
	for (tries = 0; tries < 4; tries++) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		ksspi_priv_handle_to_abi(&q.context, ph);
		q.attribute = attr;
		q.buffer_len = a->room;
		q.buffer = ptr_to_u64(a->data);
		st = ksspi_priv_call(KSSPI_IOC_QUERY_ATTRIBUTES, &q,
				     SEC_E_INTERNAL_ERROR);
		if (st != SEC_E_OK)
			goto fail;
		st = ST(q.status);
		if (st == SEC_E_BUFFER_TOO_SMALL && q.buffer_len > a->room &&
		    q.buffer_len <= KSSPI_MAX_ATTRIBUTE) {
			answer_release(a);
			a->room = q.buffer_len;
			a->data = malloc(a->room);
			if (!a->data)
				return SEC_E_INSUFFICIENT_MEMORY;
			continue;
		}
		if (st != SEC_E_OK)
			goto fail;
		if (q.buffer_len > a->room) {
			st = SEC_E_INTERNAL_ERROR;
			goto fail;
		}
		a->len = q.buffer_len;
		return SEC_E_OK;
	}
	st = SEC_E_INTERNAL_ERROR;
fail:
	answer_release(a);
	return st;
}

/* A fixed-size answer, zero-filled when short */
static void fixed(const struct answer *a, void *out, size_t size)
{
	memset(out, 0, size);
	memcpy(out, a->data, a->len < size ? a->len : size);
}

static SECURITY_STATUS string_a(const struct answer *a, char **out,
				size_t *out_len)
{
	size_t n = strnlen((const char *)a->data, a->len);
	char *s = malloc(n + 1);

	if (!s)
		return SEC_E_INSUFFICIENT_MEMORY;
	memcpy(s, a->data, n);
	s[n] = 0;
	*out = s;
	if (out_len)
		*out_len = n;
	return SEC_E_OK;
}

static SECURITY_STATUS string_w(const struct answer *a, char16_t **out)
{
	size_t n = strnlen((const char *)a->data, a->len);
	int err = ksspi_priv_utf8_to_utf16((const char *)a->data, n, 0, out,
					   NULL);

	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (err)
		return SEC_E_INTERNAL_ERROR;	/* the kernel's UTF-8 is bad */
	return SEC_E_OK;
}

/*
 * struct ksspi_attr_issuer_list and its entries (a big-endian u16 length
 * and a DER name each) as SecPkgContext_IssuerListInfoEx: the blobs and
 * the names in one block.
 */
static SECURITY_STATUS issuer_list(const struct answer *a,
				   SecPkgContext_IssuerListInfoEx *o)
{
	struct ksspi_attr_issuer_list head;
	const unsigned char *p;
	unsigned char *names;
	CERT_NAME_BLOB *blobs;
	size_t at = 0, i;

	if (a->len < sizeof(head))
		return SEC_E_INTERNAL_ERROR;
	memcpy(&head, a->data, sizeof(head));
	p = a->data + sizeof(head);
	if (head.length > a->len - sizeof(head) ||
	    head.count > head.length / 3)
		return SEC_E_INTERNAL_ERROR;
	o->aIssuers = NULL;
	o->cIssuers = 0;
	if (!head.count)
		return SEC_E_OK;
	blobs = malloc(head.count * sizeof(*blobs) + head.length);
	if (!blobs)
		return SEC_E_INSUFFICIENT_MEMORY;
	names = (unsigned char *)(blobs + head.count);
	for (i = 0; i < head.count; i++) {
		size_t len;

		if (head.length - at < 2)
			break;
		len = (size_t)p[at] << 8 | p[at + 1];
		if (!len || len > head.length - at - 2)
			break;
		memcpy(names, p + at + 2, len);
		blobs[i].cbData = (ULONG)len;
		blobs[i].pbData = names;
		names += len;
		at += 2 + len;
	}
	if (i != head.count || at != head.length) {
		free(blobs);
		return SEC_E_INTERNAL_ERROR;	/* a broken answer */
	}
	o->aIssuers = blobs;
	o->cIssuers = (ULONG)head.count;
	return SEC_E_OK;
}

/*
 * One name of struct ksspi_attr_key_info, copied (@wide: in UTF-16).  A
 * name without its NUL inside the field is a broken answer.
 */
static SECURITY_STATUS key_info_name(const char *field, size_t room,
				     bool wide, void **out)
{
	size_t n = strnlen(field, room);
	char *s;
	int err;

	if (n == room)
		return SEC_E_INTERNAL_ERROR;
	if (wide) {
		err = ksspi_priv_utf8_to_utf16(field, n, 0,
					       (char16_t **)out, NULL);
		if (err == -ENOMEM)
			return SEC_E_INSUFFICIENT_MEMORY;
		return err ? SEC_E_INTERNAL_ERROR : SEC_E_OK;
	}
	s = malloc(n + 1);
	if (!s)
		return SEC_E_INSUFFICIENT_MEMORY;
	memcpy(s, field, n + 1);
	*out = s;
	return SEC_E_OK;
}

/*
 * SecPkgContext_KeyInfoA and _KeyInfoW differ only in the type of the two
 * name pointers, so one function fills either.
 */
static SECURITY_STATUS key_info(const struct answer *a, void *pBuffer,
				bool wide)
{
	struct ksspi_attr_key_info ki;
	void *sig = NULL, *enc = NULL;
	SECURITY_STATUS st;

	fixed(a, &ki, sizeof(ki));
	st = key_info_name(ki.signature_algorithm_name,
			   sizeof(ki.signature_algorithm_name), wide, &sig);
	if (st == SEC_E_OK)
		st = key_info_name(ki.encrypt_algorithm_name,
				   sizeof(ki.encrypt_algorithm_name), wide,
				   &enc);
	if (st != SEC_E_OK) {
		free(sig);
		return st;
	}
	if (wide) {
		SecPkgContext_KeyInfoW *o = pBuffer;

		o->sSignatureAlgorithmName = sig;
		o->sEncryptAlgorithmName = enc;
		o->KeySize = ki.key_size;
		o->SignatureAlgorithm = ki.signature_algorithm;
		o->EncryptAlgorithm = ki.encrypt_algorithm;
	} else {
		SecPkgContext_KeyInfoA *o = pBuffer;

		o->sSignatureAlgorithmName = sig;
		o->sEncryptAlgorithmName = enc;
		o->KeySize = ki.key_size;
		o->SignatureAlgorithm = ki.signature_algorithm;
		o->EncryptAlgorithm = ki.encrypt_algorithm;
	}
	return SEC_E_OK;
}

static SECURITY_STATUS convert(const struct answer *a, ULONG attr,
			       void *pBuffer, bool wide)
{
	struct ksspi_attr_negotiation_info ni;
	struct ksspi_attr_lifespan life;
	struct ksspi_package_info pi;
	struct ksspi_attr_sizes sizes;
	struct ksspi_attr_flags flags;
	SECURITY_STATUS st;
	size_t len;

	switch (attr) {
	case SECPKG_ATTR_SIZES: {
		SecPkgContext_Sizes *o = pBuffer;

		fixed(a, &sizes, sizeof(sizes));
		o->cbMaxToken = sizes.max_token;
		o->cbMaxSignature = sizes.max_signature;
		o->cbBlockSize = sizes.block_size;
		o->cbSecurityTrailer = sizes.security_trailer;
		return SEC_E_OK;
	}
	case SECPKG_ATTR_STREAM_SIZES: {
		struct ksspi_attr_stream_sizes ss;
		SecPkgContext_StreamSizes *o = pBuffer;

		fixed(a, &ss, sizeof(ss));
		o->cbHeader = ss.header;
		o->cbTrailer = ss.trailer;
		o->cbMaximumMessage = ss.maximum_message;
		o->cBuffers = ss.buffers;
		o->cbBlockSize = ss.block_size;
		return SEC_E_OK;
	}
	case SECPKG_ATTR_LIFESPAN: {
		SecPkgContext_Lifespan *o = pBuffer;

		fixed(a, &life, sizeof(life));
		ksspi_priv_timestamp_out(&o->tsStart, life.start);
		ksspi_priv_timestamp_out(&o->tsExpiry, life.expiry);
		return SEC_E_OK;
	}
	case SECPKG_ATTR_KEY_INFO:
		return key_info(a, pBuffer, wide);
	case SECPKG_ATTR_FLAGS: {
		SecPkgContext_Flags *o = pBuffer;

		fixed(a, &flags, sizeof(flags));
		o->Flags = flags.flags;
		return SEC_E_OK;
	}
	case SECPKG_ATTR_NAMES:
		if (wide) {
			SecPkgContext_NamesW *o = pBuffer;
			char16_t *s;

			st = string_w(a, &s);
			if (st == SEC_E_OK)
				o->sUserName = s;
		} else {
			SecPkgContext_NamesA *o = pBuffer;
			char *s;

			st = string_a(a, &s, NULL);
			if (st == SEC_E_OK)
				o->sUserName = s;
		}
		return st;
	case SECPKG_ATTR_TARGET: {
		SecPkgContext_Target *o = pBuffer;
		char *s;

		st = string_a(a, &s, &len);
		if (st == SEC_E_OK) {
			o->TargetLength = (ULONG)len;
			o->Target = s;
		}
		return st;
	}
	case SECPKG_ATTR_SESSION_KEY: {
		SecPkgContext_SessionKey *o = pBuffer;
		unsigned char *k = malloc(a->len ? a->len : 1);

		if (!k)
			return SEC_E_INSUFFICIENT_MEMORY;
		memcpy(k, a->data, a->len);
		o->SessionKeyLength = a->len;
		o->SessionKey = k;
		return SEC_E_OK;
	}
	case SECPKG_ATTR_ISSUER_LIST_EX:
		return issuer_list(a, pBuffer);
	case KSSPI_ATTR_CREDSSP_INFO: {
		struct ksspi_attr_credssp_info ci;
		KsspiCredSspInfo *o = pBuffer;

		fixed(a, &ci, sizeof(ci));
		o->TsRequestVersion = ci.tsrequest_version;
		o->Flags = ci.flags;
		o->TlsVersion = ci.tls_version;
		o->TlsCipher = ci.tls_cipher;
		memcpy(o->InnerPackage, ci.inner_package, sizeof(o->InnerPackage));
		o->InnerPackage[sizeof(o->InnerPackage) - 1] = '\0';
		return SEC_E_OK;
	}
	case KSSPI_ATTR_CREDSSP_DELEGATED: {
		KsspiCredSspDelegated *o = pBuffer;
		unsigned char *c = malloc(a->len ? a->len : 1);

		if (!c)
			return SEC_E_INSUFFICIENT_MEMORY;
		memcpy(c, a->data, a->len);
		o->cbCredentials = a->len;
		o->pCredentials = c;
		return SEC_E_OK;
	}
	case SECPKG_ATTR_PACKAGE_INFO:
		fixed(a, &pi, sizeof(pi));
		ksspi_priv_package_cache(&pi);
		if (wide) {
			SecPkgContext_PackageInfoW *o = pBuffer;
			SecPkgInfoW *info;

			st = ksspi_priv_pkginfo_w(&pi, 1, &info);
			if (st == SEC_E_OK)
				o->PackageInfo = info;
		} else {
			SecPkgContext_PackageInfoA *o = pBuffer;
			SecPkgInfoA *info;

			st = ksspi_priv_pkginfo_a(&pi, 1, &info);
			if (st == SEC_E_OK)
				o->PackageInfo = info;
		}
		return st;
	case SECPKG_ATTR_NEGOTIATION_INFO:
		fixed(a, &ni, sizeof(ni));
		if (wide) {
			SecPkgContext_NegotiationInfoW *o = pBuffer;
			SecPkgInfoW *info;

			st = ksspi_priv_pkginfo_w(&ni.package, 1, &info);
			if (st == SEC_E_OK) {
				o->PackageInfo = info;
				o->NegotiationState = ni.negotiation_state;
			}
		} else {
			SecPkgContext_NegotiationInfoA *o = pBuffer;
			SecPkgInfoA *info;

			st = ksspi_priv_pkginfo_a(&ni.package, 1, &info);
			if (st == SEC_E_OK) {
				o->PackageInfo = info;
				o->NegotiationState = ni.negotiation_state;
			}
		}
		return st;
	default:
		return SEC_E_UNSUPPORTED_FUNCTION;
	}
}

static bool supported(ULONG attr)
{
	switch (attr) {
	case SECPKG_ATTR_SIZES:
	case SECPKG_ATTR_NAMES:
	case SECPKG_ATTR_LIFESPAN:
	case SECPKG_ATTR_STREAM_SIZES:
	case SECPKG_ATTR_KEY_INFO:
	case SECPKG_ATTR_SESSION_KEY:
	case SECPKG_ATTR_PACKAGE_INFO:
	case SECPKG_ATTR_NEGOTIATION_INFO:
	case SECPKG_ATTR_FLAGS:
	case SECPKG_ATTR_TARGET:
	case SECPKG_ATTR_ISSUER_LIST_EX:
	case KSSPI_ATTR_CREDSSP_INFO:
	case KSSPI_ATTR_CREDSSP_DELEGATED:
		return true;
	default:
		return false;
	}
}

static SECURITY_STATUS query(PCtxtHandle phContext, ULONG ulAttribute,
			     void *pBuffer, bool wide)
{
	struct answer a;
	SECURITY_STATUS st;

	if (!phContext)
		return SEC_E_INVALID_HANDLE;
	if (!pBuffer)
		return SEC_E_INVALID_PARAMETER;
	if (!supported(ulAttribute))
		return SEC_E_UNSUPPORTED_FUNCTION;
	st = fetch(phContext, ulAttribute, &a);
	if (st != SEC_E_OK)
		return st;
	st = convert(&a, ulAttribute, pBuffer, wide);
	answer_release(&a);
	return st;
}

SECURITY_STATUS QueryContextAttributesA(PCtxtHandle phContext,
					ULONG ulAttribute, void *pBuffer)
{
	return query(phContext, ulAttribute, pBuffer, false);
}

SECURITY_STATUS QueryContextAttributesW(PCtxtHandle phContext,
					ULONG ulAttribute, void *pBuffer)
{
	return query(phContext, ulAttribute, pBuffer, true);
}
