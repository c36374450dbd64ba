// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * TimeStamps: the kernel reports UTC, the library hands out local time in
 * the caller's zone with the offset in force at that instant (daylight
 * saving on either side of a change), and "never" stays "never".  The
 * expected values are wall-clock times written out by hand, turned into
 * TimeStamps without the C library's time functions.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock.h"
#include "tap.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* A wall-clock time as a TimeStamp (100 ns since 1601) */
static int64_t stamp(int y, int mo, int d, int h, int mi, int s)
{
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
		       s;

	return (secs + 11644473600LL) * 10000000LL;
}

struct instant {
	const char *zone;
	int64_t utc, local;
	const char *what;
};

static void set_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static void test_conversion(void)
{
	const struct instant cases[] = {
		{ "Europe/Berlin", stamp(2024, 3, 31, 0, 59, 59),
		  stamp(2024, 3, 31, 1, 59, 59),
		  "Berlin, last second of CET (+1)" },
		{ "Europe/Berlin", stamp(2024, 3, 31, 1, 0, 0),
		  stamp(2024, 3, 31, 3, 0, 0),
		  "Berlin, first second of CEST (+2)" },
		{ "Europe/Berlin", stamp(2024, 10, 27, 0, 59, 59),
		  stamp(2024, 10, 27, 2, 59, 59),
		  "Berlin, last second of CEST (+2)" },
		{ "Europe/Berlin", stamp(2024, 10, 27, 1, 0, 0),
		  stamp(2024, 10, 27, 2, 0, 0),
		  "Berlin, first second of CET again (+1)" },
		{ "Europe/Berlin", stamp(2024, 3, 31, 0, 59, 59) + 9999999,
		  stamp(2024, 3, 31, 1, 59, 59) + 9999999,
		  "Berlin, 100 ns before the change: +1, fraction kept" },
		{ "America/New_York", stamp(2024, 3, 10, 6, 59, 59),
		  stamp(2024, 3, 10, 1, 59, 59),
		  "New York, last second of EST (-5)" },
		{ "America/New_York", stamp(2024, 3, 10, 7, 0, 0),
		  stamp(2024, 3, 10, 3, 0, 0),
		  "New York, first second of EDT (-4)" },
		{ "America/New_York", stamp(2024, 11, 3, 5, 59, 59),
		  stamp(2024, 11, 3, 1, 59, 59),
		  "New York, last second of EDT (-4)" },
		{ "America/New_York", stamp(2024, 11, 3, 6, 0, 0),
		  stamp(2024, 11, 3, 1, 0, 0),
		  "New York, first second of EST again (-5)" },
		{ "Australia/Sydney", stamp(2024, 4, 6, 15, 59, 59),
		  stamp(2024, 4, 7, 2, 59, 59),
		  "Sydney, last second of AEDT (+11)" },
		{ "Australia/Sydney", stamp(2024, 4, 6, 16, 0, 0),
		  stamp(2024, 4, 7, 2, 0, 0),
		  "Sydney, first second of AEST (+10)" },
		{ "Asia/Kolkata", stamp(2024, 6, 1, 0, 0, 0),
		  stamp(2024, 6, 1, 5, 30, 0), "Kolkata, +5:30" },
		{ "UTC", stamp(2024, 6, 1, 12, 34, 56) + 1234567,
		  stamp(2024, 6, 1, 12, 34, 56) + 1234567, "UTC: unchanged" },
	};
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Sydney",
		"Asia/Kolkata", "UTC",
	};
	size_t i;

	diag("ksspi_priv_local_time()");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_zone(cases[i].zone);
		is(ksspi_priv_local_time(cases[i].utc), cases[i].local,
		   cases[i].what);
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		set_zone(zones[i]);
		ok(ksspi_priv_local_time(KSSPI_TIMESTAMP_NEVER) ==
		   KSSPI_TIMESTAMP_NEVER, "%s: never stays never", zones[i]);
	}
	set_zone("Europe/Berlin");
	ok(ksspi_priv_local_time(KSSPI_TIMESTAMP_NEVER - 1) ==
	   KSSPI_TIMESTAMP_NEVER,
	   "just below never, east of UTC: saturates to never, no wrap");
	set_zone("America/New_York");
	ok(ksspi_priv_local_time(KSSPI_TIMESTAMP_NEVER - 1) ==
	   KSSPI_TIMESTAMP_NEVER - 1 - 4 * 3600 * 10000000LL,
	   "just below never, west of UTC: EDT of September 30828 (-4)");
}

/* The four ways a TimeStamp leaves the library, through the fake kernel */
static void test_api(void)
{
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = (unsigned char *)"alice", .UserLength = 5,
		.Password = (unsigned char *)"pw", .PasswordLength = 2,
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	unsigned char ctok[300], stok[300];
	SecBuffer cb = { sizeof(ctok), SECBUFFER_TOKEN, ctok };
	SecBuffer sb = { sizeof(stok), SECBUFFER_TOKEN, stok };
	SecBufferDesc cd = { SECBUFFER_VERSION, 1, &cb };
	SecBufferDesc sd = { SECBUFFER_VERSION, 1, &sb };
	CredHandle ccred, scred, other;
	CtxtHandle cctx, sctx;
	TimeStamp ts_ach, ts_achw, ts_isc, ts_asc;
	SecPkgContext_Lifespan life, lifew;
	SECURITY_STATUS st;
	ULONG attr;

	diag("ptsExpiry and SECPKG_ATTR_LIFESPAN in Europe/Berlin");
	set_zone("Europe/Berlin");
	fake_expiry = stamp(2024, 10, 27, 1, 0, 0);	/* CET: +1 */
	fake_start = stamp(2024, 10, 27, 0, 59, 59);	/* CEST: +2 */

	st = AcquireCredentialsHandleA(NULL, "FakeTest", SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &ccred, &ts_ach);
	is(st, SEC_E_OK, "AcquireCredentialsHandleA");
	is(ksspi_timestamp_to_int64(&ts_ach), stamp(2024, 10, 27, 2, 0, 0),
	   "  ptsExpiry in local time (CET)");
	st = AcquireCredentialsHandleW(NULL, u"FakeTest", SECPKG_CRED_INBOUND,
				       NULL, NULL, NULL, NULL, &scred,
				       &ts_achw);
	is(st, SEC_E_OK, "AcquireCredentialsHandleW");
	is(ksspi_timestamp_to_int64(&ts_achw), stamp(2024, 10, 27, 2, 0, 0),
	   "  ptsExpiry in local time (CET)");

	st = InitializeSecurityContextA(&ccred, NULL, "t", 0, 0, 0, NULL, 0,
					&cctx, &cd, &attr, NULL);
	is(st, SEC_I_CONTINUE_NEEDED, "InitializeSecurityContextA, leg 1");
	st = AcceptSecurityContext(&scred, NULL, &cd, 0, 0, &sctx, &sd, &attr,
				   &ts_asc);
	is(st, SEC_E_OK, "AcceptSecurityContext");
	is(ksspi_timestamp_to_int64(&ts_asc), stamp(2024, 10, 27, 2, 0, 0),
	   "  ptsExpiry in local time");

	set_zone("America/New_York");
	fake_expiry = stamp(2024, 3, 10, 7, 0, 0);	/* EDT: -4 */
	cb.cbBuffer = sizeof(ctok);
	st = InitializeSecurityContextA(&ccred, &cctx, NULL, 0, 0, 0, &sd, 0,
					&cctx, &cd, &attr, &ts_isc);
	is(st, SEC_E_OK, "InitializeSecurityContextA, leg 2 (New York)");
	is(ksspi_timestamp_to_int64(&ts_isc), stamp(2024, 3, 10, 3, 0, 0),
	   "  ptsExpiry in local time (EDT), the zone changed since");

	fake_start = stamp(2024, 3, 10, 6, 59, 59);	/* EST: -5 */
	st = QueryContextAttributesA(&cctx, SECPKG_ATTR_LIFESPAN, &life);
	is(st, SEC_E_OK, "LIFESPAN A");
	is(ksspi_timestamp_to_int64(&life.tsStart),
	   stamp(2024, 3, 10, 1, 59, 59), "  tsStart (EST)");
	is(ksspi_timestamp_to_int64(&life.tsExpiry),
	   stamp(2024, 3, 10, 3, 0, 0), "  tsExpiry (EDT)");
	st = QueryContextAttributesW(&sctx, SECPKG_ATTR_LIFESPAN, &lifew);
	ok(st == SEC_E_OK && !memcmp(&life, &lifew, sizeof(life)),
	   "LIFESPAN W: the same");

	fake_expiry = KSSPI_TIMESTAMP_NEVER;
	st = QueryContextAttributesA(&cctx, SECPKG_ATTR_LIFESPAN, &life);
	ok(st == SEC_E_OK && ksspi_timestamp_to_int64(&life.tsExpiry) ==
	   KSSPI_TIMESTAMP_NEVER, "tsExpiry never stays never");
	st = AcquireCredentialsHandleA(NULL, "FakeTest", SECPKG_CRED_INBOUND,
				       NULL, NULL, NULL, NULL, &other, &ts_ach);
	ok(st == SEC_E_OK && ksspi_timestamp_to_int64(&ts_ach) ==
	   KSSPI_TIMESTAMP_NEVER, "ptsExpiry never stays never");

	FreeCredentialsHandle(&other);
	DeleteSecurityContext(&cctx);
	DeleteSecurityContext(&sctx);
	FreeCredentialsHandle(&ccred);
	FreeCredentialsHandle(&scred);
	is(fake_kernel_objects(), 0, "nothing left in the kernel");
}

int main(void)
{
	mock_reset(fake_kernel_ioctl);
	test_conversion();
	test_api();
	return tap_done();
}
