// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: TimeStamps from UTC to local time.
 *
 * The kernel reports every TimeStamp in UTC (it does not know the caller's
 * time zone); Windows hands them out in local time.  The offset is the one
 * the C library's zone (TZ, else /etc/localtime) has at the instant itself,
 * so an expiry on the other side of a daylight saving change gets the
 * offset of that side.  tzset() runs first on every conversion so that a
 * changed TZ is seen, as localtime() would see it.
 */
#include <time.h>

#include "internal.h"

/* 100 ns intervals between 1601-01-01 and 1970-01-01, and per second */
#define EPOCH_DELTA_SECONDS	11644473600LL
#define TICKS_PER_SECOND	10000000LL

int64_t ksspi_priv_local_time(int64_t utc)
{
	int64_t seconds = utc / TICKS_PER_SECOND, offset;
	struct tm tm;
	time_t t;

	if (utc == KSSPI_TIMESTAMP_NEVER)
		return utc;
	if (utc % TICKS_PER_SECOND < 0)
		seconds--;		/* round towards the past */
	t = (time_t)(seconds - EPOCH_DELTA_SECONDS);
	tzset();
	if (!localtime_r(&t, &tm))
		return utc;		/* beyond the C library's years */
	offset = (int64_t)tm.tm_gmtoff * TICKS_PER_SECOND;
	/* a valid time never gets near the ends; saturate rather than wrap */
	if (offset > 0 && utc > INT64_MAX - offset)
		return INT64_MAX;
	if (offset < 0 && utc < INT64_MIN - offset)
		return INT64_MIN;
	return utc + offset;
}

void ksspi_priv_timestamp_out(TimeStamp *ts, int64_t utc)
{
	ksspi_timestamp_from_int64(ts, ksspi_priv_local_time(utc));
}
