// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A credential's TLS identity as ksspid reads it from its key
 * (credssp/tls.c): the split never reaches past the payload, and GnuTLS
 * gets only what the split found, to refuse or load.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bytes.h"
#include "credssp/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_identity_blob blob;
	struct tls_server_identity *id;
	struct bytes public_key = { 0 };

	if (tls_identity_split(data, size, &blob))
		return 0;
	if (blob.cert < data || blob.key + blob.key_len != data + size ||
	    blob.cert + blob.cert_len != blob.key || !blob.cert_len)
		abort();
	id = tls_server_identity_from_blob(&blob, &public_key);
	tls_server_identity_free(id);
	bytes_free(&public_key);
	return 0;
}
