// SPDX-License-Identifier: GPL-2.0-or-later
/* The CredSSP client's TLS session cache (credssp/session_cache.h). */
#include <errno.h>
#include <string.h>

#include "credssp/session_cache.h"
#include "tap.h"

static const struct session_cache_limits defaults = {
	.lifetime = SESSION_CACHE_LIFETIME,
	.max_entries = SESSION_CACHE_MAX_ENTRIES,
	.max_per_owner = SESSION_CACHE_MAX_PER_OWNER,
};

static struct session_cache_key key(void)
{
	return (struct session_cache_key){ .target = "TERMSRV/host",
					   .pid = 100, .logon_session = 7,
					   .credential_id = 42, .owner = 1000 };
}

static int take(const struct session_cache_key *k, int64_t now,
		const char *want)
{
	struct bytes out = { 0 };
	int err = session_cache_take(k, now, &out);

	if (!err)
		CHECK(out.len == strlen(want) &&
		      memcmp(out.data, want, out.len) == 0);
	bytes_free(&out);
	return err;
}

/* Each of the page's conditions, changed alone, prevents reuse. */
static void test_conditions(void)
{
	struct session_cache_key k = key(), other;
	const int64_t now = 1000;

	session_cache_configure(&defaults);
	session_cache_clear();
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"S1", 2, now, 0), 0);

	other = k;
	other.target = "TERMSRV/other";
	CHECK_EQ(take(&other, now, "S1"), -ENOENT);
	other = k;
	other.pid = 101;
	CHECK_EQ(take(&other, now, "S1"), -ENOENT);
	other = k;
	other.logon_session = 8;
	CHECK_EQ(take(&other, now, "S1"), -ENOENT);
	other = k;
	other.credential_id = 43;
	CHECK_EQ(take(&other, now, "S1"), -ENOENT);
	other = k;
	other.owner = 1001;
	CHECK_EQ(take(&other, now, "S1"), -ENOENT);
	/* Expired */
	CHECK_EQ(take(&k, now + SESSION_CACHE_LIFETIME, "S1"), -ENOENT);
	CHECK_EQ(session_cache_count(), 0);

	/* All the same: taken once, in any case of the target name. */
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"S2", 2, now, 0), 0);
	other = k;
	other.target = "termsrv/HOST";
	CHECK_EQ(take(&other, now + 1, "S2"), 0);
	CHECK_EQ(take(&k, now + 1, "S2"), -ENOENT);
}

static void test_expiry_and_replacement(void)
{
	struct session_cache_key k = key();

	session_cache_clear();
	/* The session's own end comes first. */
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"A", 1, 100, 150), 0);
	CHECK_EQ(take(&k, 150, "A"), -ENOENT);
	/* A new session for the same key replaces the old one. */
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"A", 1, 100, 0), 0);
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"B", 1, 101, 0), 0);
	CHECK_EQ(session_cache_count(), 1);
	CHECK_EQ(take(&k, 102, "B"), 0);
	/* No target name, no data, or an end already past: not cached. */
	k.target = NULL;
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"C", 1, 100, 0),
		 -EINVAL);
	k = key();
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"C", 0, 100, 0),
		 -EINVAL);
	CHECK_EQ(session_cache_put(&k, (const uint8_t *)"C", 1, 100, 90),
		 -EINVAL);
	CHECK_EQ(session_cache_count(), 0);
}

/* One user filling the cache loses its own oldest entries, nobody else's. */
static void test_limits(void)
{
	struct session_cache_limits small = defaults;
	struct session_cache_key k = key(), victim = key();
	size_t i;

	session_cache_clear();
	small.max_entries = 8;
	small.max_per_owner = 4;
	session_cache_configure(&small);
	victim.owner = 2000;
	CHECK_EQ(session_cache_put(&victim, (const uint8_t *)"V", 1, 0, 0), 0);
	for (i = 0; i < 100; i++) {
		k.credential_id = i;
		CHECK_EQ(session_cache_put(&k, (const uint8_t *)"F", 1, 0, 0),
			 0);
	}
	CHECK_EQ(session_cache_count(), 5);
	CHECK_EQ(take(&victim, 1, "V"), 0);
	k.credential_id = 99;
	CHECK_EQ(take(&k, 1, "F"), 0);
	k.credential_id = 0;
	CHECK_EQ(take(&k, 1, "F"), -ENOENT);

	/* Lifetime 0 turns the cache off. */
	small.lifetime = 0;
	session_cache_configure(&small);
	CHECK_EQ(session_cache_put(&victim, (const uint8_t *)"V", 1, 0, 0),
		 -EINVAL);
	session_cache_configure(&defaults);
	session_cache_clear();
}

const struct test_case session_cache_tests[] = {
	{ "CredSSP session cache: each condition prevents reuse",
	  test_conditions },
	{ "CredSSP session cache: expiry, replacement, what is not cached",
	  test_expiry_and_replacement },
	{ "CredSSP session cache: per-user and total bounds",
	  test_limits },
	{ NULL, NULL },
};
