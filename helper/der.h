/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libtasn1 plumbing shared by ksspid's DER readers and writers (CredSSP's
 * TSRequest, SPNEGO, Kerberos user-to-user): an ASN.1 module's
 * definitions loaded once, strict decoding of exactly one value, encoding
 * within a bound, and trees wiped when freed (they may hold secrets).
 * Errors are -ENOMEM or -EINVAL.
 */
#ifndef KSSPID_DER_H
#define KSSPID_DER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libtasn1.h>

#include "bytes.h"

/* An asn1Parser node array, loaded into a tree on first use */
struct der_module {
	const asn1_static_node *tab;
	pthread_mutex_t lock;
	bool loaded;
	int err;
	asn1_node definitions;
};

#define DER_MODULE(node_array) \
	{ .tab = (node_array), .lock = PTHREAD_MUTEX_INITIALIZER }

/* libtasn1's result as 0, -ENOMEM or -EINVAL */
int der_errno(int rc);

/* A new, empty element of @type of @module into @node. */
int der_node_new(struct der_module *module, const char *type,
		 asn1_node *node);

/* Wipes and frees @node (NULL is allowed) and sets it to NULL. */
void der_node_free(asn1_node *node);

/*
 * @der (@len bytes, 1 to @max) as exactly one @type in strict DER, into
 * @node.  Trailing bytes are refused here rather than by libtasn1, which
 * would free the decoded tree without wiping it.
 */
int der_decode(struct der_module *module, const char *type,
	       const uint8_t *der, size_t len, size_t max, asn1_node *node);

/* The DER of the whole tree @node, at most @max bytes, into the empty @der. */
int der_encode(asn1_node node, size_t max, struct bytes *der);

/*
 * The header of RFC 2743's InitialContextToken (3.1): tag 0x60, a length
 * that covers exactly @len bytes, the mechanism OID.  The OID's contents
 * in @oid (@oid_len bytes, at least one), what follows it in @rest
 * (@rest_len bytes).  With @minimal the lengths must be DER's shortest
 * form.  0 or -EINVAL.
 */
int der_gss_header(const uint8_t *token, size_t len, bool minimal,
		   const uint8_t **oid, size_t *oid_len,
		   const uint8_t **rest, size_t *rest_len);

#endif /* KSSPID_DER_H */
