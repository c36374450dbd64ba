// SPDX-License-Identifier: GPL-2.0
/*
 * TimeStamp conversion.  The reference pages recommend local time; the
 * kernel's notion of the local zone is sys_tz, set by the system clock tools.
 */
#include <linux/time.h>
#include <linux/ksspi.h>
#include "timestamp.h"

/* 100 ns intervals between 1601-01-01 and 1970-01-01 */
#define KSSPI_EPOCH_DELTA	116444736000000000LL
#define KSSPI_TICKS_PER_SEC	10000000LL

/**
 * ksspi_timestamp - seconds since 1970 (UTC) to an SSPI TimeStamp
 * @unix_seconds: the time, or 0 (or less) for "never"
 *
 * Return: 100 ns intervals since 1601 in local time, or
 * KSSPI_TIMESTAMP_NEVER.
 */
s64 ksspi_timestamp(time64_t unix_seconds)
{
	time64_t local;

	if (unix_seconds <= 0)
		return KSSPI_TIMESTAMP_NEVER;
	local = unix_seconds - (time64_t)sys_tz.tz_minuteswest * 60;
	if (local > (KSSPI_TIMESTAMP_NEVER - KSSPI_EPOCH_DELTA) / KSSPI_TICKS_PER_SEC)
		return KSSPI_TIMESTAMP_NEVER;
	return local * KSSPI_TICKS_PER_SEC + KSSPI_EPOCH_DELTA;
}
