// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The status values exactly as <linux/ksspi_sspi.h> spells them.  This file
 * must not see <ksspi/sspi.h>, which redefines them as signed values.
 */
#include <stddef.h>
#include <stdint.h>

#include <linux/ksspi_sspi.h>

#include "status_list.h"

struct uapi_status {
	const char *name;
	uint32_t value;
};

extern const struct uapi_status uapi_statuses[];
extern const size_t uapi_status_count;

const struct uapi_status uapi_statuses[] = {
#define X(n)	{ #n, n },
	KSSPI_STATUS_LIST(X)
#undef X
};

const size_t uapi_status_count =
	sizeof(uapi_statuses) / sizeof(uapi_statuses[0]);
