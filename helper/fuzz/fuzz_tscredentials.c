// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the TSCredentials decoder, and the password encoder.
 * Decoded password credentials must respect the name and password limits
 * and survive a round trip through the encoder; the input cut in three is
 * also encoded as a TSPasswordCreds and must decode to the same strings
 * (or be refused for exceeding the limits).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>

#include "credssp/tsrequest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct bytes *a, const struct bytes *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool within_limits(const struct bytes *domain, const struct bytes *user,
			  const struct bytes *password)
{
	return domain->len <= 2 * KSSPI_MAX_NAME &&
	       user->len <= 2 * KSSPI_MAX_NAME &&
	       password->len <= 2 * KSSPI_MAX_PASSWORD;
}

/* Encodes the three strings and decodes them back. */
static void round_trip(const struct bytes *domain, const struct bytes *user,
		       const struct bytes *password)
{
	struct ts_credentials c = { 0 };
	struct bytes der = { 0 };
	int err;

	err = ts_credentials_encode_password(domain, user, password, &der);
	if (!within_limits(domain, user, password)) {
		if (err != -EINVAL || der.len)
			abort();
		return;
	}
	if (err || ts_credentials_decode(der.data, der.len, &c) ||
	    c.cred_type != TS_CRED_PASSWORD || !same(&c.domain, domain) ||
	    !same(&c.user, user) || !same(&c.password, password))
		abort();
	ts_credentials_clear(&c);
	bytes_free(&der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ts_credentials zero;
	struct ts_credentials c = { 0 };
	struct bytes part[3] = { { 0 } };
	size_t cut1, cut2;
	int err;

	err = ts_credentials_decode(data, size, &c);
	if (err) {
		if (memcmp(&c, &zero, sizeof(c)))
			abort();
	} else if (c.cred_type == TS_CRED_PASSWORD) {
		if (!within_limits(&c.domain, &c.user, &c.password) ||
		    !c.credentials.len)
			abort();
		round_trip(&c.domain, &c.user, &c.password);
	} else if ((c.cred_type != TS_CRED_SMARTCARD &&
		    c.cred_type != TS_CRED_REMOTE_GUARD) || c.domain.len ||
		   c.user.len || c.password.len || !c.credentials.len) {
		abort();
	}
	ts_credentials_clear(&c);

	/* The input as three strings, cut where its first bytes say */
	if (size < 2)
		return 0;
	cut1 = data[0] % (size - 1);
	cut2 = cut1 + data[1] % (size - 1 - cut1 + 1);
	data += 2;
	size -= 2;
	if (cut2 > size)
		cut2 = size;
	if (cut1 > cut2)
		cut1 = cut2;
	if (bytes_append(&part[0], data, cut1) ||
	    bytes_append(&part[1], data + cut1, cut2 - cut1) ||
	    bytes_append(&part[2], data + cut2, size - cut2))
		abort();
	round_trip(&part[0], &part[1], &part[2]);
	bytes_free(&part[0]);
	bytes_free(&part[1]);
	bytes_free(&part[2]);
	return 0;
}
