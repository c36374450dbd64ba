// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the Kerberos package's target name parser
 * (kerberos/target.c).  A principal it accepts is the input itself; a
 * host-based name is "service@host" of the input's "service/host" part.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kerberos/kerberos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum kerberos_name_type type;
	char out[64], *target;
	const char *at;

	target = malloc(size + 1);
	if (!target)
		return 0;
	memcpy(target, data, size);
	target[size] = '\0';
	if (kerberos_target(target, out, sizeof(out), &type) == 0) {
		if (type == KERBEROS_NAME_PRINCIPAL) {
			if (strcmp(out, target))
				abort();
		} else {
			at = strchr(out, '@');
			if (!at || at == out || !at[1] ||
			    strncmp(out, target, (size_t)(at - out)) ||
			    target[at - out] != '/' ||
			    strncmp(at + 1, target + (at - out) + 1,
				    strlen(at + 1)))
				abort();
		}
	}
	free(target);
	return 0;
}
