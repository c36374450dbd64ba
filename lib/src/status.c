// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: status names.
 */
#include "internal.h"
#include "status_list.h"

static const struct {
	SECURITY_STATUS status;
	const char *name;
} status_names[] = {
#define X(name)	{ name, #name },
	KSSPI_STATUS_LIST(X)
#undef X
};

const char *ksspi_status_name(SECURITY_STATUS status)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(status_names); i++)
		if (status_names[i].status == status)
			return status_names[i].name;
	return NULL;
}
