// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: AV pair lists and NTLMv2 responses.  An accepted list
 * must walk back to exactly its length, pair by pair.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ntlm/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct ntlm_av_list *list)
{
	struct ntlm_av av;
	size_t pos = 0, count = 0;

	while (ntlm_av_next(list, &pos, &av)) {
		if (av.value.data + av.value.len >
		    list->raw.data + list->raw.len)
			abort();
		count++;
	}
	if (count != list->count || pos + 4 != list->raw.len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntlm_av_list list;
	struct ntlm_v2_response v2;

	if (ntlm_av_decode(data, size, false, &list) == NTLM_OK) {
		if (list.raw.len != size)
			abort();
		walk(&list);
	}
	if (ntlm_av_decode(data, size, true, &list) == NTLM_OK) {
		if (list.raw.len > size)
			abort();
		walk(&list);
	}
	if (ntlm_v2_response_decode(data, size, &v2) == NTLM_OK)
		walk(&v2.av);
	return 0;
}
