// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The user database file: parsing, refusals with line numbers, lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntlm/unicode.h"
#include "ntlm/userdb.h"
#include "ntlm_tests.h"

#define PASSWORD_HASH	"a4f49c406510bdcab6824ee7c30fd852"	/* "Password" */

static int parse(const char *text, struct ntlm_userdb **db, char *err)
{
	return ntlm_userdb_parse(text, strlen(text), db, err, 128);
}

static const struct ntlm_user *find(const struct ntlm_userdb *db,
				    const char *domain, const char *user)
{
	struct bytes d = { 0 }, u = { 0 };
	const struct ntlm_user *found;

	if (ntlm_utf8_to_utf16le(domain, strlen(domain), &d) ||
	    ntlm_utf8_to_utf16le(user, strlen(user), &u))
		abort();
	found = ntlm_userdb_find(db, d.data, d.len, u.data, u.len);
	bytes_free(&d);
	bytes_free(&u);
	return found;
}

static void test_parse(void)
{
	const char *text =
		"# a comment\n"
		"\n"
		"   \t\n"
		"  # indented comment\n"
		"TESTDOM:alice:" PASSWORD_HASH "\n"
		"TESTDOM:B\xc3\xa9la:A4F49C406510BDCAB6824EE7C30FD852\r\n"
		":anyone:00000000000000000000000000000001\n"
		"OTHER:alice:00000000000000000000000000000002";
	struct ntlm_userdb *db;
	const struct ntlm_user *u;
	char err[128];

	CHECK_EQ(parse(text, &db, err), 0);
	if (!db)
		return;
	CHECK_EQ(db->count, 4);
	u = find(db, "testdom", "ALICE");
	CHECK(u && strcmp(u->user, "alice") == 0 &&
	      strcmp(u->domain, "TESTDOM") == 0);
	if (u)
		CHECK_HEX(u->nt_hash, 16, PASSWORD_HASH);
	u = find(db, "TestDom", "B\xc3\x89LA");	/* É matches é */
	CHECK(u && u->nt_hash[0] == 0xa4);
	u = find(db, "Other", "alice");
	CHECK(u && u->nt_hash[15] == 2);
	/* The empty domain matches any domain, after the exact ones */
	u = find(db, "ELSEWHERE", "anyone");
	CHECK(u && u->nt_hash[15] == 1);
	CHECK(find(db, "ELSEWHERE", "alice") == NULL);
	CHECK(find(db, "TESTDOM", "alic") == NULL);
	CHECK(find(db, "TESTDOM", "") == NULL);
	CHECK(ntlm_userdb_find(NULL, NULL, 0, NULL, 0) == NULL);
	ntlm_userdb_free(db);
	ntlm_userdb_free(NULL);

	CHECK_EQ(parse("", &db, err), 0);
	CHECK(db && db->count == 0);
	ntlm_userdb_free(db);
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"D:u:" PASSWORD_HASH "0\n",		/* 33 digits */
		"D:u:" "a4f49c406510bdcab6824ee7c30fd85\n", /* 31 digits */
		"D:u:" "g4f49c406510bdcab6824ee7c30fd852\n", /* not hex */
		"D::" PASSWORD_HASH "\n",		/* empty user */
		"D:u\n",				/* two fields */
		"D:u:x:" PASSWORD_HASH "\n",		/* four fields */
		"u:" PASSWORD_HASH "\n",
		"D\x01:u:" PASSWORD_HASH "\n",		/* control character */
		"D:\xc3(:" PASSWORD_HASH "\n",		/* not UTF-8 */
		"D:u:" PASSWORD_HASH "\nd:U:" PASSWORD_HASH "\n", /* twice */
	};
	struct ntlm_userdb *db;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i], &db, err), -EINVAL);
		CHECK(db == NULL && strncmp(err, "line ", 5) == 0);
	}
	CHECK_EQ(parse("# ok\nD:u:" PASSWORD_HASH "\nbroken\n", &db, err),
		 -EINVAL);
	CHECK(strncmp(err, "line 3:", 7) == 0);
	CHECK_EQ(parse("D:u:" PASSWORD_HASH "\nd:U:" PASSWORD_HASH, &db, err),
		 -EINVAL);
	CHECK(strcmp(err, "line 2: account listed twice") == 0);
}

static void test_line_helpers(void)
{
	uint8_t hash[16];
	char line[128], *d, *u;

	CHECK_EQ(ntlm_nt_hash("Password", 8, hash), 0);
	CHECK_EQ(ntlm_userdb_format_line(line, sizeof(line), "DOM", "bob",
					 hash), 0);
	CHECK(strcmp(line, "DOM:bob:" PASSWORD_HASH "\n") == 0);
	CHECK_EQ(ntlm_userdb_format_line(line, 10, "DOM", "bob", hash),
		 -ENOSPC);
	CHECK_EQ(ntlm_userdb_parse_line("DOM:bob:" PASSWORD_HASH, 40, &d, &u,
					hash), 1);
	CHECK(d && u && strcmp(d, "DOM") == 0 && strcmp(u, "bob") == 0);
	free(d);
	free(u);
	CHECK_EQ(ntlm_userdb_parse_line("# x", 3, &d, &u, hash), 0);
	CHECK(ntlm_userdb_name_ok(""));
	CHECK(ntlm_userdb_name_ok("J\xc3\xb6rg"));
	CHECK(!ntlm_userdb_name_ok("a:b"));
	CHECK(!ntlm_userdb_name_ok("a\nb"));
	CHECK(!ntlm_userdb_name_ok("\xff"));
	CHECK_EQ(ntlm_nt_hash("\xff", 1, hash), -EILSEQ);
	/* The NT hash of the empty password */
	CHECK_EQ(ntlm_nt_hash("", 0, hash), 0);
	CHECK_HEX(hash, 16, "31d6cfe0d16ae931b73c59d7e0c089c0");
}

static void test_load(void)
{
	char path[] = "/tmp/ksspi-userdb-XXXXXX";
	struct ntlm_userdb *db;
	char err[256];
	int fd = mkstemp(path);
	static const char text[] = "DOM:carol:" PASSWORD_HASH "\n";

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	CHECK_EQ(ntlm_userdb_load(path, &db, err, sizeof(err)), 0);
	CHECK(db && db->count == 1 && find(db, "dom", "Carol"));
	ntlm_userdb_free(db);
	unlink(path);
	CHECK_EQ(ntlm_userdb_load(path, &db, err, sizeof(err)), -ENOENT);
	CHECK(db == NULL && strstr(err, path));
	CHECK_EQ(ntlm_userdb_load("/tmp", &db, err, sizeof(err)), -EINVAL);
}

const struct test_case ntlm_userdb_tests[] = {
	{ "ntlm userdb: parse, comments, CRLF, case-insensitive lookup",
	  test_parse },
	{ "ntlm userdb: malformed lines refused with their number",
	  test_refused },
	{ "ntlm userdb: NT hash, line formatting and parsing",
	  test_line_helpers },
	{ "ntlm userdb: load from a file, missing file", test_load },
	{ NULL, NULL },
};
