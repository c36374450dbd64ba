// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS record framing every CredSSP input goes through (credssp/tls.c):
 * never reads past the input, and what it reports is consistent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "credssp/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t whole, missing;
	bool complete = tls_frame_records(data, size, &whole, &missing);

	if (whole > size)
		abort();
	if (complete && (missing || whole != size))
		abort();
	if (!complete && (!missing || whole >= size))
		abort();
	return 0;
}
