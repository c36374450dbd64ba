// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the TSRequest decoder.  What decodes must keep the
 * header's promises (a 32-byte nonce or none, at most TS_MAX_MESSAGE of
 * anything); what the encoder may send again (versions 2 to 6 with the
 * fields they carry) must encode, decode to the same fields, and encode
 * to the same bytes once more.  A refused message leaves the output empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "credssp/tsrequest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct bytes *a, const struct bytes *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool encodable(const struct ts_request *r)
{
	return r->version >= TS_VERSION_MIN && r->version <= TS_VERSION_MAX &&
	       (!r->has_error_code || r->version >= 3) &&
	       (!r->client_nonce.len || r->version >= 5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ts_request zero;
	struct ts_request r = { 0 }, back = { 0 };
	struct bytes der = { 0 }, again = { 0 };
	int err;

	err = ts_request_decode(data, size, &r);
	if (err) {
		if (memcmp(&r, &zero, sizeof(r)))
			abort();
		return 0;
	}
	if ((r.client_nonce.len && r.client_nonce.len != TS_CLIENT_NONCE_LEN) ||
	    r.nego_token.len > size || r.auth_info.len > size ||
	    r.pub_key_auth.len > size || size > TS_MAX_MESSAGE)
		abort();
	if (encodable(&r)) {
		if (ts_request_encode(&r, &der) ||
		    ts_request_decode(der.data, der.len, &back) ||
		    back.version != r.version ||
		    !same(&back.nego_token, &r.nego_token) ||
		    !same(&back.auth_info, &r.auth_info) ||
		    !same(&back.pub_key_auth, &r.pub_key_auth) ||
		    back.has_error_code != r.has_error_code ||
		    back.error_code != r.error_code ||
		    !same(&back.client_nonce, &r.client_nonce) ||
		    ts_request_encode(&back, &again) || !same(&der, &again))
			abort();
	} else if (ts_request_encode(&r, &der) != -EINVAL) {
		abort();
	}
	ts_request_clear(&r);
	ts_request_clear(&back);
	bytes_free(&der);
	bytes_free(&again);
	return 0;
}
