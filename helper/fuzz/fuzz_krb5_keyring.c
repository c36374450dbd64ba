// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the parsers of what a user's keyring holds, for the
 * KEYRING:persistent:<uid> credential cache (kerberos/keyring.c).  The
 * first byte picks the parser: even, a keyctl_describe() text; odd, the
 * payload of a collection's "krb_ccache:primary" key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kerberos/kerberos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kerberos_key_desc desc;
	char name[256];
	char *text;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		uint8_t *payload = malloc(size - 1 ? size - 1 : 1);

		if (!payload)
			return 0;
		memcpy(payload, data + 1, size - 1);
		if (kerberos_keyring_primary(payload, size - 1, name,
					     sizeof(name)) == 0 &&
		    (strlen(name) == 0 || strlen(name) >= sizeof(name)))
			abort();
		free(payload);
		return 0;
	}
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (kerberos_key_description(text, &desc) == 0 &&
	    (desc.description < text ||
	     desc.description > text + strlen(text) ||
	     strlen(desc.type) == 0 || strlen(desc.type) >= sizeof(desc.type)))
		abort();
	free(text);
	return 0;
}
