/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTLM user database: the accounts the server side of the NTLM package
 * accepts, as NT hashes (never passwords).  One account per line:
 *
 *	DOMAIN:user:NTHASH
 *
 * NTHASH is MD4(UTF-16LE(password)) in 32 hexadecimal digits.  Blank lines
 * and lines starting with '#' are ignored.  An empty DOMAIN matches any
 * domain.  Names compare case-insensitively (Unicode uppercase).
 *
 * Shared by ksspid and tools/ksspi-ntlm-user.
 */
#ifndef KSSPID_NTLM_USERDB_H
#define KSSPID_NTLM_USERDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ksspi.h>

#include "bytes.h"

#define NTLM_USERDB_DEFAULT	"/etc/ksspi/ntlm-users"
#define NTLM_USERDB_MAX_FILE	(16 * 1024 * 1024)	/* bytes */
/*
 * Bytes, UTF-8: the longest name a client can give (KSSPI_MAX_NAME), so
 * that the database can hold any account a ksspi client can name.
 */
#define NTLM_USERDB_MAX_NAME	KSSPI_MAX_NAME

struct ntlm_user {
	char *domain;			/* UTF-8, may be empty */
	char *user;			/* UTF-8 */
	uint8_t nt_hash[16];
	struct bytes domain16;		/* UTF-16LE, uppercased */
	struct bytes user16;		/* UTF-16LE, uppercased */
};

struct ntlm_userdb {
	struct ntlm_user *users;
	size_t count;
};

/* NT hash of a UTF-8 password; 0, -EILSEQ (not UTF-8) or -ENOMEM. */
int ntlm_nt_hash(const char *password, size_t len, uint8_t out[16]);

/*
 * Whether @name can be a DOMAIN or user field: valid UTF-8, at most
 * NTLM_USERDB_MAX_NAME bytes, no ':', no control characters.  An empty
 * name is accepted here (an empty domain); callers refuse an empty user.
 */
bool ntlm_userdb_name_ok(const char *name);

/*
 * Parses one line (without its newline; a trailing '\r' is allowed).
 * 1: an account, with *@domain and *@user allocated; 0: blank or comment;
 * -EINVAL: malformed; -ENOMEM.
 */
int ntlm_userdb_parse_line(const char *line, size_t len, char **domain,
			   char **user, uint8_t nt_hash[16]);

/* "DOMAIN:user:hash\n" into @out (NUL-terminated); -ENOSPC if too small. */
int ntlm_userdb_format_line(char *out, size_t size, const char *domain,
			    const char *user, const uint8_t nt_hash[16]);

/*
 * Parses a whole database.  On a malformed line, returns -EINVAL with a
 * message naming the line in @err.  A repeated DOMAIN:user (ignoring case)
 * is malformed too.
 */
int ntlm_userdb_parse(const char *text, size_t len, struct ntlm_userdb **out,
		      char *err, size_t err_len);

/*
 * Reads and parses @path (at most NTLM_USERDB_MAX_FILE bytes).  -errno of
 * the file access (-ENOENT...) or of ntlm_userdb_parse(), with @err set.
 */
int ntlm_userdb_load(const char *path, struct ntlm_userdb **out, char *err,
		     size_t err_len);

/* Wipes and frees @db (NULL is fine). */
void ntlm_userdb_free(struct ntlm_userdb *db);

/*
 * The account for @user in @domain (UTF-16LE, any case): an entry of that
 * domain first, else an entry with an empty domain; NULL when none.
 */
const struct ntlm_user *ntlm_userdb_find(const struct ntlm_userdb *db,
					 const uint8_t *domain,
					 size_t domain_len,
					 const uint8_t *user, size_t user_len);

#endif /* KSSPID_NTLM_USERDB_H */
