// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client's search for a server's CertificateRequest
 * (credssp/cert_request.c) on hostile records: it never reads past them,
 * copies only well-formed CA lists, and survives any split.  The first
 * byte cuts the input into two scans; a TLS 1.3 ServerHello gets a fixed
 * secret, so the records after it are opened (and refused) too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "credssp/cert_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_issuers(const struct bytes *b)
{
	size_t at = 0;

	while (at < b->len) {
		size_t len;

		if (b->len - at < 2)
			abort();
		len = (size_t)b->data[at] << 8 | b->data[at + 1];
		if (!len || len > b->len - at - 2)
			abort();
		at += 2 + len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[48] = { 1, 2, 3 };
	struct cert_request_finder *f;
	struct bytes issuers = { 0 };
	enum cert_request_result r = CERT_REQUEST_NOT_YET;
	size_t cut, at = 0, used;
	int scans;

	if (!size)
		return 0;
	cut = 1 + data[0] % size;
	data++;
	size--;
	if (cut > size)
		cut = size;
	f = cert_request_finder_new();
	if (!f)
		return 0;
	for (scans = 0; scans < 4 && at <= size; scans++) {
		size_t end = scans ? size : cut;

		if (end < at)
			end = at;
		r = cert_request_scan(f, data + at, end - at, &used, &issuers);
		if (used > end - at)
			abort();
		at += used;
		if (r == CERT_REQUEST_NEED_KEY)
			cert_request_set_key(f, GNUTLS_CIPHER_AES_128_GCM,
					     GNUTLS_DIG_SHA256, secret, 32);
		else if (r != CERT_REQUEST_NOT_YET)
			break;
	}
	if (r == CERT_REQUEST_FOUND)
		check_issuers(&issuers);
	else if (issuers.len)
		abort();
	bytes_free(&issuers);
	cert_request_finder_free(f);
	return 0;
}
