// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: spki_subject_public_key().  A key it returns is a
 * non-empty run of the input's own bytes; a refusal returns nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "credssp/tsrequest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes key = { 0 };

	if (spki_subject_public_key(data, size, &key)) {
		if (key.len)
			abort();
		return 0;
	}
	if (!key.len || key.len >= size ||
	    !memmem(data, size, key.data, key.len))
		abort();
	bytes_free(&key);
	return 0;
}
