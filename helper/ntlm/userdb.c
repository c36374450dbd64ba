// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLM user database file (userdb.h).  The file is read whole,
 * parsed, and the buffer wiped: the hashes are password equivalents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "ntlm/crypto.h"
#include "ntlm/unicode.h"
#include "ntlm/userdb.h"

int ntlm_nt_hash(const char *password, size_t len, uint8_t out[16])
{
	struct bytes utf16 = { 0 };
	int err;

	err = ntlm_utf8_to_utf16le(password, len, &utf16);
	if (!err)
		ntlm_nt_hash_utf16(utf16.data, utf16.len, out);
	bytes_free(&utf16);
	return err;
}

bool ntlm_userdb_name_ok(const char *name)
{
	struct bytes utf16 = { 0 };
	size_t len = strlen(name), i;
	bool ok;

	if (len > NTLM_USERDB_MAX_NAME)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ':' || c < 0x20 || c == 0x7f)
			return false;
	}
	ok = ntlm_utf8_to_utf16le(name, len, &utf16) == 0;
	bytes_free(&utf16);
	return ok;
}

static char *copy_name(const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (copy && !ntlm_userdb_name_ok(copy)) {
		free(copy);
		errno = EINVAL;
		return NULL;
	}
	return copy;
}

int ntlm_userdb_parse_line(const char *line, size_t len, char **domain,
			   char **user, uint8_t nt_hash[16])
{
	const char *c1, *c2, *hex;
	size_t i, hex_len;

	*domain = NULL;
	*user = NULL;
	if (len && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len || line[i] == '#')
		return 0;
	if (memchr(line, '\0', len))
		return -EINVAL;

	c1 = memchr(line, ':', len);
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
	if (!c2 || c2 == c1 + 1)
		return -EINVAL;		/* no second field, or empty user */
	hex = c2 + 1;
	hex_len = len - (size_t)(hex - line);
	if (hex_len != 32)
		return -EINVAL;		/* also refuses a fourth field */
	for (i = 0; i < 16; i++) {
		int hi = hex_digit_value(hex[2 * i]);
		int lo = hex_digit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			explicit_bzero(nt_hash, 16);
			return -EINVAL;
		}
		nt_hash[i] = (uint8_t)(hi << 4 | lo);
	}

	*domain = copy_name(line, (size_t)(c1 - line));
	*user = copy_name(c1 + 1, (size_t)(c2 - c1 - 1));
	if (!*domain || !*user) {
		int err = errno == EINVAL ? -EINVAL : -ENOMEM;

		free(*domain);
		free(*user);
		*domain = NULL;
		*user = NULL;
		explicit_bzero(nt_hash, 16);
		return err;
	}
	return 1;
}

int ntlm_userdb_format_line(char *out, size_t size, const char *domain,
			    const char *user, const uint8_t nt_hash[16])
{
	static const char digits[] = "0123456789abcdef";
	char hex[33];
	int n;
	size_t i;

	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[nt_hash[i] >> 4];
		hex[2 * i + 1] = digits[nt_hash[i] & 0xf];
	}
	hex[32] = '\0';
	n = snprintf(out, size, "%s:%s:%s\n", domain, user, hex);
	explicit_bzero(hex, sizeof(hex));
	if (n < 0 || (size_t)n >= size) {
		if (size)
			explicit_bzero(out, size);
		return -ENOSPC;
	}
	return 0;
}

static int upper16(const char *s, struct bytes *out)
{
	int err = ntlm_utf8_to_utf16le(s, strlen(s), out);

	if (!err)
		ntlm_utf16le_upper(out->data, out->len);
	return err;
}

static bool same16(const struct bytes *a, const struct bytes *b)
{
	return a->len == b->len && (a->len == 0 ||
				    memcmp(a->data, b->data, a->len) == 0);
}

static void user_clear(struct ntlm_user *u)
{
	free(u->domain);
	free(u->user);
	bytes_free(&u->domain16);
	bytes_free(&u->user16);
	explicit_bzero(u, sizeof(*u));
}

void ntlm_userdb_free(struct ntlm_userdb *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < db->count; i++)
		user_clear(&db->users[i]);
	free(db->users);
	explicit_bzero(db, sizeof(*db));
	free(db);
}

static int add_user(struct ntlm_userdb *db, size_t *cap, char *domain,
		    char *user, const uint8_t nt_hash[16])
{
	struct ntlm_user u = { .domain = domain, .user = user };
	size_t i;

	memcpy(u.nt_hash, nt_hash, 16);
	if (upper16(domain, &u.domain16) || upper16(user, &u.user16)) {
		user_clear(&u);
		return -ENOMEM;
	}
	for (i = 0; i < db->count; i++) {
		if (same16(&db->users[i].domain16, &u.domain16) &&
		    same16(&db->users[i].user16, &u.user16)) {
			user_clear(&u);
			return -EEXIST;
		}
	}
	if (db->count == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 16;
		struct ntlm_user *grown = calloc(new_cap, sizeof(*grown));

		if (!grown) {
			user_clear(&u);
			return -ENOMEM;
		}
		if (db->count)
			memcpy(grown, db->users, db->count * sizeof(*grown));
		if (db->users) {
			explicit_bzero(db->users, *cap * sizeof(*grown));
			free(db->users);
		}
		db->users = grown;
		*cap = new_cap;
	}
	db->users[db->count++] = u;
	return 0;
}

int ntlm_userdb_parse(const char *text, size_t len, struct ntlm_userdb **out,
		      char *err, size_t err_len)
{
	struct ntlm_userdb *db = calloc(1, sizeof(*db));
	size_t cap = 0, line_no = 0, pos = 0;
	uint8_t hash[16];
	int ret = 0;

	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!db)
		return -ENOMEM;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - text) - pos : len - pos;
		char *domain, *user;

		line_no++;
		ret = ntlm_userdb_parse_line(text + pos, line_len, &domain,
					     &user, hash);
		pos += line_len + (nl ? 1 : 0);
		if (ret == 0)
			continue;
		if (ret == 1)
			ret = add_user(db, &cap, domain, user, hash);
		explicit_bzero(hash, sizeof(hash));
		if (ret == -EEXIST) {
			snprintf(err, err_len,
				 "line %zu: account listed twice", line_no);
			ret = -EINVAL;
			break;
		}
		if (ret == -EINVAL) {
			snprintf(err, err_len,
				 "line %zu: not DOMAIN:user:32-hex-digit-NT-hash",
				 line_no);
			break;
		}
		if (ret < 0) {
			snprintf(err, err_len, "out of memory");
			break;
		}
	}
	if (ret < 0) {
		ntlm_userdb_free(db);
		return ret;
	}
	*out = db;
	return 0;
}

int ntlm_userdb_load(const char *path, struct ntlm_userdb **out, char *err,
		     size_t err_len)
{
	struct bytes text = { 0 };
	struct stat st;
	char buf[4096];
	ssize_t n;
	int fd, ret = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
			break;
		}
		if (text.len + (size_t)n > NTLM_USERDB_MAX_FILE) {
			ret = -EFBIG;
			snprintf(err, err_len, "%s: larger than %d bytes", path,
				 NTLM_USERDB_MAX_FILE);
			break;
		}
		if (bytes_append(&text, buf, (size_t)n)) {
			ret = -ENOMEM;
			snprintf(err, err_len, "out of memory");
			break;
		}
	}
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	if (!ret) {
		char inner[200];

		ret = ntlm_userdb_parse((const char *)text.data, text.len, out,
					inner, sizeof(inner));
		if (ret)
			snprintf(err, err_len, "%s: %s", path, inner);
	}
	bytes_free(&text);
	return ret;
}

static bool match16(const struct bytes *upper, const uint8_t *s, size_t len)
{
	return ntlm_utf16le_equal_nocase(upper->data, upper->len, s, len);
}

const struct ntlm_user *ntlm_userdb_find(const struct ntlm_userdb *db,
					 const uint8_t *domain,
					 size_t domain_len,
					 const uint8_t *user, size_t user_len)
{
	const struct ntlm_user *any = NULL;
	size_t i;

	if (!db)
		return NULL;
	for (i = 0; i < db->count; i++) {
		const struct ntlm_user *u = &db->users[i];

		if (!match16(&u->user16, user, user_len))
			continue;
		if (u->domain16.len == 0) {
			if (!any)
				any = u;
			continue;
		}
		if (match16(&u->domain16, domain, domain_len))
			return u;
	}
	return any;
}
