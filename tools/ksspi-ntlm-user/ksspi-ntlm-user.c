// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksspi-ntlm-user: add, change, delete and list the accounts of ksspid's
 * NTLM user database (Documentation/ntlm.rst).  The file holds NT hashes,
 * never passwords; it is rewritten whole, through a temporary file renamed
 * over it, with mode 0600, under a lock on its directory.
 *
 *	ksspi-ntlm-user [-f FILE] [--stdin] add|passwd|del DOMAIN\user
 *	ksspi-ntlm-user [-f FILE] list [DOMAIN\user]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "bytes.h"
#include "ntlm/unicode.h"
#include "ntlm/userdb.h"

#define PASSWORD_MAX	1024	/* bytes, as KSSPI_MAX_PASSWORD */

enum command { CMD_ADD, CMD_PASSWD, CMD_DEL, CMD_LIST };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ksspi-ntlm-user [-f FILE] [--stdin] add|passwd|del DOMAIN\\\\user\n"
		"       ksspi-ntlm-user [-f FILE] list [DOMAIN\\\\user]\n"
		"Manage the NTLM user database of ksspid (NT hashes).\n"
		"\n"
		"  -f, --file FILE  the database (default %s)\n"
		"      --stdin      read the password from the first line of\n"
		"                   standard input instead of the terminal\n"
		"  -h, --help       print this help and exit\n"
		"\n"
		"A name without a domain (\"user\" or \"\\\\user\") has an empty domain,\n"
		"which matches any domain.  Run \"systemctl reload ksspid\" or send\n"
		"ksspid SIGHUP to make it reread the file.\n",
		NTLM_USERDB_DEFAULT);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						       noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ksspi-ntlm-user: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

/* Splits "DOMAIN\user"; both parts checked. */
static void split_name(const char *arg, char **domain, char **user)
{
	const char *bs = strchr(arg, '\\');

	if (bs) {
		*domain = strndup(arg, (size_t)(bs - arg));
		*user = strdup(bs + 1);
	} else {
		*domain = strdup("");
		*user = strdup(arg);
	}
	if (!*domain || !*user)
		die("out of memory");
	if (**user == '\0' || !ntlm_userdb_name_ok(*user) ||
	    !ntlm_userdb_name_ok(*domain) || strchr(*user, '\\'))
		die("\"%s\" is not DOMAIN\\user (UTF-8, no ':', no control characters, at most %d bytes each)",
		    arg, NTLM_USERDB_MAX_NAME);
}

/* Whether two names are equal ignoring case (as ksspid compares them). */
static bool same_name(const char *a, const char *b)
{
	struct bytes a16 = { 0 }, b16 = { 0 };
	bool same;

	if (ntlm_utf8_to_utf16le(a, strlen(a), &a16) ||
	    ntlm_utf8_to_utf16le(b, strlen(b), &b16))
		die("out of memory");
	same = ntlm_utf16le_equal_nocase(a16.data, a16.len, b16.data,
					 b16.len);
	bytes_free(&a16);
	bytes_free(&b16);
	return same;
}

/* Reads one line of at most PASSWORD_MAX bytes; false at EOF. */
static bool read_line(FILE *in, struct bytes *out)
{
	int c;

	while ((c = getc(in)) != EOF && c != '\n') {
		char ch = (char)c;

		if (out->len >= PASSWORD_MAX)
			die("password longer than %d bytes", PASSWORD_MAX);
		if (bytes_append(out, &ch, 1))
			die("out of memory");
	}
	if (c == EOF && out->len == 0)
		return false;
	if (out->len && out->data[out->len - 1] == '\r')
		out->data[--out->len] = 0;
	return true;
}

static volatile sig_atomic_t tty_fd_to_restore = -1;
static struct termios tty_saved;

static void restore_tty(int sig)
{
	if (tty_fd_to_restore >= 0)
		tcsetattr(tty_fd_to_restore, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Prompts on the terminal with echo off. */
static void ask(FILE *tty, const char *prompt, struct bytes *out)
{
	struct termios quiet;
	int fd = fileno(tty);
	bool ok;

	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fd, &tty_saved) < 0)
		die("cannot read the terminal settings: %s", strerror(errno));
	quiet = tty_saved;
	quiet.c_lflag &= (tcflag_t)~(ECHO | ECHOE | ECHOK | ECHONL);
	tty_fd_to_restore = fd;
	signal(SIGINT, restore_tty);
	signal(SIGTERM, restore_tty);
	signal(SIGHUP, restore_tty);
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0)
		die("cannot turn the terminal echo off: %s", strerror(errno));
	ok = read_line(tty, out);
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd_to_restore = -1;
	fputc('\n', tty);
	if (!ok)
		die("no password given");
}

static void get_password(bool from_stdin, const char *name,
			 struct bytes *password)
{
	struct bytes again = { 0 };
	char prompt[600];
	FILE *tty;

	if (from_stdin) {
		if (!read_line(stdin, password))
			die("no password on standard input");
		return;
	}
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		die("no terminal to ask for the password (use --stdin)");
	setvbuf(tty, NULL, _IONBF, 0);
	snprintf(prompt, sizeof(prompt), "New password for %s: ", name);
	ask(tty, prompt, password);
	ask(tty, "Retype the password: ", &again);
	fclose(tty);
	if (again.len != password->len ||
	    (password->len &&
	     memcmp(again.data, password->data, password->len) != 0)) {
		bytes_free(&again);
		die("the passwords differ; nothing changed");
	}
	bytes_free(&again);
}

/* The whole file, or an empty string when it does not exist. */
static bool read_file(const char *path, struct bytes *text)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return false;
		die("%s: %s", path, strerror(errno));
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", path, strerror(errno));
		if (text->len + (size_t)n > NTLM_USERDB_MAX_FILE)
			die("%s: larger than %d bytes", path,
			    NTLM_USERDB_MAX_FILE);
		if (bytes_append(text, buf, (size_t)n))
			die("out of memory");
	}
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return true;
}

static void write_all(int fd, const uint8_t *p, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Replaces @path with @text: temporary file, fsync, rename, fsync dir. */
static void replace_file(const char *path, const struct bytes *text,
			 int dir_fd)
{
	size_t tmp_len = strlen(path) + 16;
	char *tmp = malloc(tmp_len);
	int fd;

	if (!tmp)
		die("out of memory");
	snprintf(tmp, tmp_len, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		die("cannot create a file next to %s: %s", path,
		    strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		unlink(tmp);
		die("%s: %s", tmp, strerror(errno));
	}
	write_all(fd, text->data, text->len, tmp);
	if (fsync(fd) < 0 || close(fd) < 0) {
		unlink(tmp);
		die("%s: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) < 0) {
		int err = errno;

		unlink(tmp);
		die("cannot rename %s to %s: %s", tmp, path, strerror(err));
	}
	if (fsync(dir_fd) < 0)
		fprintf(stderr, "ksspi-ntlm-user: warning: fsync of the directory of %s: %s\n",
			path, strerror(errno));
	free(tmp);
}

/* Locks the directory of @path against other runs of this tool. */
static int lock_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		die("out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", dirname(copy), strerror(errno));
	if (flock(fd, LOCK_EX) < 0)
		die("cannot lock the directory of %s: %s", path,
		    strerror(errno));
	free(copy);
	return fd;
}

static int list(const struct bytes *text, const char *domain,
		const char *user)
{
	struct ntlm_userdb *db;
	char err[256];
	size_t i;
	int found = 0;

	if (ntlm_userdb_parse((const char *)text->data, text->len, &db, err,
			      sizeof(err)))
		die("%s", err);
	for (i = 0; i < db->count; i++) {
		const struct ntlm_user *u = &db->users[i];

		if (user && (!same_name(u->user, user) ||
			     !same_name(u->domain, domain)))
			continue;
		printf("%s\\%s\n", u->domain, u->user);
		found++;
	}
	ntlm_userdb_free(db);
	if (user && !found)
		die("no account %s\\%s", domain, user);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "stdin", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NTLM_USERDB_DEFAULT, *verb;
	struct bytes text = { 0 }, out = { 0 }, password = { 0 };
	char *domain = NULL, *user = NULL, line[NTLM_USERDB_MAX_NAME * 2 + 64];
	bool from_stdin = false, exists, found = false;
	struct ntlm_userdb *db;
	enum command cmd;
	uint8_t hash[16];
	char err[256];
	size_t pos;
	int c, dir_fd;

	while ((c = getopt_long(argc, argv, "f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		case 's':
			from_stdin = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	verb = argv[optind++];
	if (strcmp(verb, "add") == 0)
		cmd = CMD_ADD;
	else if (strcmp(verb, "passwd") == 0)
		cmd = CMD_PASSWD;
	else if (strcmp(verb, "del") == 0)
		cmd = CMD_DEL;
	else if (strcmp(verb, "list") == 0)
		cmd = CMD_LIST;
	else {
		fprintf(stderr, "ksspi-ntlm-user: unknown command \"%s\"\n",
			verb);
		usage(stderr);
		return 2;
	}
	if (argc - optind > 1 || (cmd != CMD_LIST && argc - optind != 1)) {
		usage(stderr);
		return 2;
	}
	if (optind < argc)
		split_name(argv[optind], &domain, &user);

	umask(077);
	dir_fd = lock_dir(path);
	exists = read_file(path, &text);
	if (!exists && cmd != CMD_ADD)
		die("%s: %s", path, strerror(ENOENT));

	if (cmd == CMD_LIST) {
		c = list(&text, domain, user);
		bytes_free(&text);	/* wipes the hashes */
		close(dir_fd);
		free(domain);
		free(user);
		return c;
	}

	/* Never rewrite a file ksspid would refuse */
	if (ntlm_userdb_parse((const char *)text.data, text.len, &db, err,
			      sizeof(err)))
		die("%s: %s; fix it first", path, err);
	ntlm_userdb_free(db);

	if (cmd != CMD_DEL) {
		get_password(from_stdin, argv[optind], &password);
		if (ntlm_nt_hash((const char *)password.data, password.len,
				 hash))
			die("the password is not UTF-8");
		bytes_free(&password);
		if (ntlm_userdb_format_line(line, sizeof(line), domain, user,
					    hash))
			die("name too long");
		explicit_bzero(hash, sizeof(hash));
	}

	/* Copy the file line by line, replacing or dropping the account */
	for (pos = 0; pos < text.len;) {
		const char *start = (const char *)text.data + pos;
		const char *nl = memchr(start, '\n', text.len - pos);
		size_t len = nl ? (size_t)(nl - start) : text.len - pos;
		char *d, *u;
		uint8_t h[16];
		int kind = ntlm_userdb_parse_line(start, len, &d, &u, h);
		bool match = kind == 1 && same_name(d, domain) &&
			     same_name(u, user);

		explicit_bzero(h, sizeof(h));
		if (kind == 1) {
			free(d);
			free(u);
		}
		pos += len + (nl ? 1 : 0);
		if (match) {
			found = true;
			if (cmd == CMD_PASSWD &&
			    bytes_append(&out, line, strlen(line)))
				die("out of memory");
			continue;
		}
		if (bytes_append(&out, start, len) ||
		    bytes_append(&out, "\n", 1))
			die("out of memory");
	}
	if (cmd == CMD_ADD && found)
		die("%s already has an account %s; use passwd", path,
		    argv[optind]);
	if (cmd != CMD_ADD && !found)
		die("%s has no account %s", path, argv[optind]);
	if (cmd == CMD_ADD && bytes_append(&out, line, strlen(line)))
		die("out of memory");
	explicit_bzero(line, sizeof(line));

	replace_file(path, &out, dir_fd);
	bytes_free(&text);
	bytes_free(&out);
	close(dir_fd);
	free(domain);
	free(user);
	return EXIT_SUCCESS;
}
