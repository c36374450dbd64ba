/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_TIMESTAMP_H
#define _KSSPI_TIMESTAMP_H

#include <linux/time64.h>

s64 ksspi_timestamp(time64_t unix_seconds);
s64 ksspi_timestamp_local(s64 utc);

#endif /* _KSSPI_TIMESTAMP_H */
