// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the Kerberos package's SEC_CHANNEL_BINDINGS parser.
 * What it accepts must point MIT at bytes inside the buffer, after the
 * header; a refusal leaves nothing to free.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kerberos/kerberos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @part is empty or lies inside @data past the header. */
static void check_part(const uint8_t *data, size_t size,
		       const gss_buffer_desc *part)
{
	const uint8_t *p = part->value;
	volatile uint8_t sink = 0;

	if (part->length == 0)
		return;
	if (p < data + KERBEROS_CB_HEADER_LEN || p > data + size ||
	    part->length > (size_t)(data + size - p))
		abort();
	/* touch every byte, so that ASan sees any overrun */
	for (size_t i = 0; i < part->length; i++)
		sink ^= p[i];
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gss_channel_bindings_struct cb;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	/* an allocation of exactly @size bytes: ASan's bounds are the input's */
	for (size_t i = 0; i < size; i++)
		copy[i] = data[i];
	if (kerberos_channel_bindings(copy, size, &cb) == 0) {
		check_part(copy, size, &cb.initiator_address);
		check_part(copy, size, &cb.acceptor_address);
		check_part(copy, size, &cb.application_data);
	}
	free(copy);
	return 0;
}
