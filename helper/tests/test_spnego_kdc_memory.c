// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiate's memory of unreachable KDCs (spnego/kdc_memory.c): a failure
 * is remembered for its realm only, for SPNEGO_KDC_MEMORY_SECONDS; a
 * success forgets it; the table is bounded and replaces its oldest entry.
 */
#include <stdio.h>
#include <string.h>

#include "spnego/kdc_memory.h"
#include "tap.h"

static void test_remembered_then_expired(void)
{
	spnego_kdc_memory_clear();
	CHECK(!spnego_kdc_recently_failed("TEST.LOCAL", 1000));
	spnego_kdc_failed("TEST.LOCAL", 1000);
	CHECK(spnego_kdc_recently_failed("TEST.LOCAL", 1000));
	CHECK(spnego_kdc_recently_failed("TEST.LOCAL",
					 1000 + SPNEGO_KDC_MEMORY_SECONDS - 1));
	CHECK(!spnego_kdc_recently_failed("TEST.LOCAL",
					  1000 + SPNEGO_KDC_MEMORY_SECONDS));
	/* a new failure starts a new period */
	spnego_kdc_failed("TEST.LOCAL", 2000);
	CHECK(spnego_kdc_recently_failed("TEST.LOCAL", 2030));
}

static void test_per_realm(void)
{
	spnego_kdc_memory_clear();
	spnego_kdc_failed("TEST.LOCAL", 1000);
	CHECK(!spnego_kdc_recently_failed("OTHER.LOCAL", 1000));
	/* realms are case-sensitive (RFC 4120 6.1) */
	CHECK(!spnego_kdc_recently_failed("test.local", 1000));
	spnego_kdc_answered("OTHER.LOCAL");
	CHECK(spnego_kdc_recently_failed("TEST.LOCAL", 1001));
	spnego_kdc_answered("TEST.LOCAL");
	CHECK(!spnego_kdc_recently_failed("TEST.LOCAL", 1001));
}

static void test_bounded(void)
{
	char realm[32];

	spnego_kdc_memory_clear();
	spnego_kdc_failed("FIRST.LOCAL", 1000);
	for (int i = 1; i < SPNEGO_KDC_MEMORY_REALMS; i++) {
		snprintf(realm, sizeof(realm), "R%d.LOCAL", i);
		spnego_kdc_failed(realm, 1000 + i);
	}
	CHECK(spnego_kdc_recently_failed("FIRST.LOCAL", 1040));
	/* one more realm replaces the oldest failure, FIRST.LOCAL's */
	spnego_kdc_failed("NEW.LOCAL", 1040);
	CHECK(spnego_kdc_recently_failed("NEW.LOCAL", 1040));
	CHECK(!spnego_kdc_recently_failed("FIRST.LOCAL", 1040));
	CHECK(spnego_kdc_recently_failed("R1.LOCAL", 1040));
}

static void test_unrememberable_names(void)
{
	char long_realm[SPNEGO_KDC_MEMORY_REALM_MAX + 2];

	spnego_kdc_memory_clear();
	memset(long_realm, 'A', sizeof(long_realm) - 1);
	long_realm[sizeof(long_realm) - 1] = '\0';
	spnego_kdc_failed(long_realm, 1000);
	CHECK(!spnego_kdc_recently_failed(long_realm, 1000));
	spnego_kdc_failed("", 1000);
	CHECK(!spnego_kdc_recently_failed("", 1000));
	spnego_kdc_failed(NULL, 1000);
	CHECK(!spnego_kdc_recently_failed(NULL, 1000));
	spnego_kdc_answered(NULL);
}

const struct test_case spnego_kdc_memory_tests[] = {
	{ "spnego: KDC failure remembered, then expired",
	  test_remembered_then_expired },
	{ "spnego: KDC failures per realm", test_per_realm },
	{ "spnego: KDC failure memory bounded", test_bounded },
	{ "spnego: unrememberable realm names", test_unrememberable_names },
	{ NULL, NULL },
};
