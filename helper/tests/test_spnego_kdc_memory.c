// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiate's memory of unreachable KDCs (spnego/kdc_memory.c): a failure
 * is remembered for its owner and realm only, for
 * SPNEGO_KDC_MEMORY_SECONDS; a success forgets it; an owner's entries are
 * bounded and a flood evicts the flooder's own entries, not another's.
 */
#include <stdio.h>
#include <string.h>

#include "spnego/kdc_memory.h"
#include "tap.h"

#define ALICE	1000
#define MALLORY	1001
#define KERNEL	UINT64_MAX

static void test_remembered_then_expired(void)
{
	spnego_kdc_memory_clear();
	CHECK(!spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 1000));
	spnego_kdc_failed(ALICE, "TEST.LOCAL", 1000);
	CHECK(spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 1000));
	CHECK(spnego_kdc_recently_failed(ALICE, "TEST.LOCAL",
					 1000 + SPNEGO_KDC_MEMORY_SECONDS - 1));
	CHECK(!spnego_kdc_recently_failed(ALICE, "TEST.LOCAL",
					  1000 + SPNEGO_KDC_MEMORY_SECONDS));
	/* a new failure starts a new period */
	spnego_kdc_failed(ALICE, "TEST.LOCAL", 2000);
	CHECK(spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 2030));
}

static void test_per_realm(void)
{
	spnego_kdc_memory_clear();
	spnego_kdc_failed(ALICE, "TEST.LOCAL", 1000);
	CHECK(!spnego_kdc_recently_failed(ALICE, "OTHER.LOCAL", 1000));
	/* realms are case-sensitive (RFC 4120 6.1) */
	CHECK(!spnego_kdc_recently_failed(ALICE, "test.local", 1000));
	spnego_kdc_answered(ALICE, "OTHER.LOCAL");
	CHECK(spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 1001));
	spnego_kdc_answered(ALICE, "TEST.LOCAL");
	CHECK(!spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 1001));
}

static void test_per_owner(void)
{
	spnego_kdc_memory_clear();
	spnego_kdc_failed(MALLORY, "TEST.LOCAL", 1000);
	/* another user, and the kernel, still try Kerberos */
	CHECK(!spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 1000));
	CHECK(!spnego_kdc_recently_failed(KERNEL, "TEST.LOCAL", 1000));
	spnego_kdc_failed(ALICE, "TEST.LOCAL", 1001);
	/* nor does another's success forget one's failure */
	spnego_kdc_answered(MALLORY, "TEST.LOCAL");
	CHECK(spnego_kdc_recently_failed(ALICE, "TEST.LOCAL", 1002));
	CHECK(!spnego_kdc_recently_failed(MALLORY, "TEST.LOCAL", 1002));
}

static void test_owner_bounded(void)
{
	char realm[32];

	spnego_kdc_memory_clear();
	spnego_kdc_failed(ALICE, "FIRST.LOCAL", 1000);
	for (int i = 1; i < SPNEGO_KDC_MEMORY_PER_OWNER; i++) {
		snprintf(realm, sizeof(realm), "R%d.LOCAL", i);
		spnego_kdc_failed(ALICE, realm, 1000 + i);
	}
	CHECK(spnego_kdc_recently_failed(ALICE, "FIRST.LOCAL", 1040));
	/* one more realm replaces the owner's oldest failure */
	spnego_kdc_failed(ALICE, "NEW.LOCAL", 1040);
	CHECK(spnego_kdc_recently_failed(ALICE, "NEW.LOCAL", 1040));
	CHECK(!spnego_kdc_recently_failed(ALICE, "FIRST.LOCAL", 1040));
	CHECK(spnego_kdc_recently_failed(ALICE, "R1.LOCAL", 1040));
}

/* A user's flood of failing realms never evicts another user's entry */
static void test_flood_evicts_flooder(void)
{
	char realm[32];

	spnego_kdc_memory_clear();
	spnego_kdc_failed(ALICE, "FAR.LOCAL", 1000);
	for (int i = 0; i < 10 * SPNEGO_KDC_MEMORY_ENTRIES; i++) {
		snprintf(realm, sizeof(realm), "NX%d.LOCAL", i);
		spnego_kdc_failed(MALLORY, realm, 1001 + i / 100);
	}
	CHECK(spnego_kdc_recently_failed(ALICE, "FAR.LOCAL", 1030));
}

/* A full table gives up an entry of the owner holding the most */
static void test_full_table(void)
{
	char realm[32];
	uint64_t owner;

	spnego_kdc_memory_clear();
	spnego_kdc_failed(ALICE, "FAR.LOCAL", 1000);
	/* fill every other entry, the owners holding all they may */
	for (int i = 1; i < SPNEGO_KDC_MEMORY_ENTRIES; i++) {
		owner = 2000 + (i - 1) / SPNEGO_KDC_MEMORY_PER_OWNER;
		snprintf(realm, sizeof(realm), "R%d.LOCAL", i);
		spnego_kdc_failed(owner, realm, 1001);
	}
	spnego_kdc_failed(MALLORY, "NX.LOCAL", 1002);
	CHECK(spnego_kdc_recently_failed(MALLORY, "NX.LOCAL", 1002));
	CHECK(spnego_kdc_recently_failed(ALICE, "FAR.LOCAL", 1002));
	/* the victim held SPNEGO_KDC_MEMORY_PER_OWNER; Alice one */
	CHECK(!spnego_kdc_recently_failed(2000, "R1.LOCAL", 1002));
}

static void test_unrememberable_names(void)
{
	char long_realm[SPNEGO_KDC_MEMORY_REALM_MAX + 2];

	spnego_kdc_memory_clear();
	memset(long_realm, 'A', sizeof(long_realm) - 1);
	long_realm[sizeof(long_realm) - 1] = '\0';
	spnego_kdc_failed(ALICE, long_realm, 1000);
	CHECK(!spnego_kdc_recently_failed(ALICE, long_realm, 1000));
	spnego_kdc_failed(ALICE, "", 1000);
	CHECK(!spnego_kdc_recently_failed(ALICE, "", 1000));
	spnego_kdc_failed(ALICE, NULL, 1000);
	CHECK(!spnego_kdc_recently_failed(ALICE, NULL, 1000));
	spnego_kdc_answered(ALICE, NULL);
}

const struct test_case spnego_kdc_memory_tests[] = {
	{ "spnego: KDC failure remembered, then expired",
	  test_remembered_then_expired },
	{ "spnego: KDC failures per realm", test_per_realm },
	{ "spnego: KDC failures per owner", test_per_owner },
	{ "spnego: KDC failure memory bounded per owner", test_owner_bounded },
	{ "spnego: a flood of failures evicts the flooder's own",
	  test_flood_evicts_flooder },
	{ "spnego: a full table evicts from the biggest owner",
	  test_full_table },
	{ "spnego: unrememberable realm names", test_unrememberable_names },
	{ NULL, NULL },
};
