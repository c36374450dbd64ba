// SPDX-License-Identifier: GPL-2.0
/*
 * TimeStamp conversion.  The ioctl ABI carries UTC and libksspi turns it
 * into the caller's local time, which only the C library knows correctly
 * (daylight saving time included).  In-kernel callers get local time as the
 * kernel knows it: the fixed offset of sys_tz, set by the system clock
 * tools, without daylight saving rules.
 */
#include <linux/overflow.h>
#include <linux/time.h>
#include <linux/ksspi.h>
#include "timestamp.h"

/* 100 ns intervals between 1601-01-01 and 1970-01-01 */
#define KSSPI_EPOCH_DELTA	116444736000000000LL
#define KSSPI_TICKS_PER_SEC	10000000LL

/**
 * ksspi_timestamp - seconds since 1970 (UTC) to an SSPI TimeStamp (UTC)
 * @unix_seconds: the time, or 0 (or less) for "never"
 *
 * Return: 100 ns intervals since 1601 (UTC), or KSSPI_TIMESTAMP_NEVER for
 * "never" and for times too late to represent.
 */
s64 ksspi_timestamp(time64_t unix_seconds)
{
	if (unix_seconds <= 0 ||
	    unix_seconds >= (KSSPI_TIMESTAMP_NEVER - KSSPI_EPOCH_DELTA) /
			    KSSPI_TICKS_PER_SEC)
		return KSSPI_TIMESTAMP_NEVER;
	return unix_seconds * KSSPI_TICKS_PER_SEC + KSSPI_EPOCH_DELTA;
}

/**
 * ksspi_timestamp_local - a UTC TimeStamp in the kernel's local time
 * @utc: the TimeStamp
 *
 * Return: @utc shifted by sys_tz; "never" and any result that would not fit
 * stay KSSPI_TIMESTAMP_NEVER.
 */
s64 ksspi_timestamp_local(s64 utc)
{
	s64 shift = -(s64)sys_tz.tz_minuteswest * 60 * KSSPI_TICKS_PER_SEC;
	s64 local;

	if (utc == KSSPI_TIMESTAMP_NEVER ||
	    check_add_overflow(utc, shift, &local) ||
	    local >= KSSPI_TIMESTAMP_NEVER)
		return KSSPI_TIMESTAMP_NEVER;
	return local < 0 ? 0 : local;
}
