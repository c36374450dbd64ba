// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLM package's configuration: the server's NetBIOS and DNS names
 * (options, or derived from the host name), the NTLMv1 switch, the
 * server's SPNs, and the user database, which SIGHUP reloads while workers
 * look accounts up (a read-write lock guards it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ksspi.h>

#include "log.h"
#include "ntlm/ntlm.h"
#include "ntlm/oem.h"
#include "ntlm/unicode.h"
#include "ntlm/userdb.h"

static struct ntlm_config config;
static bool config_ready;

static pthread_rwlock_t users_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct ntlm_userdb *users;

static void config_free(struct ntlm_config *c)
{
	size_t i;

	free(c->nb_domain);
	free(c->nb_computer);
	free(c->dns_domain);
	free(c->dns_computer);
	free(c->users_path);
	bytes_free(&c->nb_domain16);
	bytes_free(&c->nb_computer16);
	bytes_free(&c->dns_domain16);
	bytes_free(&c->dns_computer16);
	bytes_free(&c->nb_domain_oem);
	bytes_free(&c->nb_computer_oem);
	for (i = 0; i < c->spn_count; i++)
		bytes_free(&c->spns16[i]);
	free(c->spns16);
	memset(c, 0, sizeof(*c));
}

static void ascii_case(char *s, bool upper)
{
	for (; *s; s++) {
		if (upper && *s >= 'a' && *s <= 'z')
			*s = (char)(*s - 0x20);
		else if (!upper && *s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 0x20);
	}
}

/* The first DNS label of @name, uppercased, at most 15 bytes. */
static char *netbios_name(const char *name)
{
	size_t len = strcspn(name, ".");
	char *nb;

	if (len > NTLM_NETBIOS_NAME_MAX)
		len = NTLM_NETBIOS_NAME_MAX;
	nb = strndup(name, len);
	if (nb)
		ascii_case(nb, true);
	return nb;
}

static char *lower_copy(const char *s)
{
	char *copy = strdup(s);

	if (copy)
		ascii_case(copy, false);
	return copy;
}

static int to16(const char *s, struct bytes *out)
{
	return ntlm_utf8_to_utf16le(s, strlen(s), out);
}

/* The OEM form of a name, left empty when the code page lacks a letter */
static int to_oem(const struct bytes *name16, struct bytes *out)
{
	int err = ntlm_utf16le_to_oem(name16->data, name16->len, out);

	return err == -EILSEQ ? 0 : err;
}

/* Names from the options, else from the host name. */
static int derive_names(struct ntlm_config *c, const char *domain,
			const char *computer)
{
	char host[256] = "localhost";
	const char *dot;

	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';

	if (computer) {
		c->nb_computer = netbios_name(computer);
		c->dns_computer = lower_copy(computer);
	} else {
		c->nb_computer = netbios_name(host);
		c->dns_computer = lower_copy(host);
	}
	if (!c->nb_computer || !c->dns_computer)
		return -ENOMEM;

	if (domain && strchr(domain, '.')) {
		/* A DNS domain name: the NetBIOS name is its first label. */
		c->dns_domain = lower_copy(domain);
		c->nb_domain = netbios_name(domain);
	} else if (domain) {
		c->nb_domain = strdup(domain);
		if (c->nb_domain)
			ascii_case(c->nb_domain, true);
		dot = strchr(host, '.');
		c->dns_domain = lower_copy(dot ? dot + 1 : c->nb_domain ?
					   c->nb_domain : "");
	} else {
		dot = strchr(c->dns_computer, '.');
		if (dot) {
			c->dns_domain = strdup(dot + 1);
			c->nb_domain = netbios_name(dot + 1);
		} else {
			/* A workgroup machine: its domain is itself. */
			c->dns_domain = strdup(c->dns_computer);
			c->nb_domain = strdup(c->nb_computer);
		}
	}
	if (!c->nb_domain || !c->dns_domain)
		return -ENOMEM;
	if (!ntlm_userdb_name_ok(c->nb_domain) || c->nb_domain[0] == '\0' ||
	    !ntlm_userdb_name_ok(c->nb_computer) || c->nb_computer[0] == '\0')
		return -EINVAL;
	/* Bounded, so that the CHALLENGE is (see NTLM_CONFIG_NAME_MAX) */
	if (strlen(c->nb_domain) > NTLM_CONFIG_NAME_MAX ||
	    strlen(c->nb_computer) > NTLM_NETBIOS_NAME_MAX ||
	    strlen(c->dns_domain) > NTLM_CONFIG_NAME_MAX ||
	    strlen(c->dns_computer) > NTLM_CONFIG_NAME_MAX)
		return -EINVAL;
	if (to16(c->nb_domain, &c->nb_domain16) ||
	    to16(c->nb_computer, &c->nb_computer16) ||
	    to16(c->dns_domain, &c->dns_domain16) ||
	    to16(c->dns_computer, &c->dns_computer16))
		return -EINVAL;
	if (to_oem(&c->nb_domain16, &c->nb_domain_oem) ||
	    to_oem(&c->nb_computer16, &c->nb_computer_oem))
		return -ENOMEM;
	return 0;
}

static int build_config(struct ntlm_config *c, const struct ntlm_options *o)
{
	size_t i;
	int err;

	if (o->lockout && ntlm_lockout_policy_error(o->lockout))
		return -EINVAL;

	memset(c, 0, sizeof(*c));
	err = derive_names(c, o->domain, o->computer);
	if (err)
		return err;
	c->allow_v1 = o->allow_v1;
	c->allow_weak_keys = o->allow_weak_keys;
	c->users_path = strdup(o->users_path ? o->users_path :
					       NTLM_USERDB_DEFAULT);
	if (!c->users_path)
		return -ENOMEM;
	if (o->spn_count) {
		c->spns16 = calloc(o->spn_count, sizeof(*c->spns16));
		if (!c->spns16)
			return -ENOMEM;
		c->spn_count = o->spn_count;
		for (i = 0; i < o->spn_count; i++)
			if (to16(o->spns[i], &c->spns16[i]) ||
			    c->spns16[i].len == 0)
				return -EINVAL;
	}
	return 0;
}

static void replace_users(struct ntlm_userdb *db)
{
	struct ntlm_userdb *old;

	pthread_rwlock_wrlock(&users_lock);
	old = users;
	users = db;
	pthread_rwlock_unlock(&users_lock);
	ntlm_userdb_free(old);
}

/* Loads the database; a missing file counts as an empty database. */
static int load_users(const char *path, bool at_start)
{
	struct ntlm_userdb *db = NULL;
	struct stat st;
	char err[512];
	int ret;

	ret = ntlm_userdb_load(path, &db, err, sizeof(err));
	if (ret == -ENOENT) {
		log_info("NTLM: no user database %s: the server side accepts no user",
			 path);
		replace_users(NULL);
		return 0;
	}
	if (ret) {
		log_error("NTLM: user database %s", err);
		if (!at_start)
			log_error("NTLM: keeping the user database in use");
		return ret;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		log_warn("NTLM: %s is readable by others than its owner (NT hashes are password equivalents)",
			 path);
	log_info("NTLM: %zu accounts loaded from %s", db->count, path);
	replace_users(db);
	return 0;
}

int ntlm_config_setup(const struct ntlm_options *opts)
{
	struct ntlm_lockout_policy lockout;
	int err;

	if (config_ready)
		config_free(&config);
	config_ready = false;
	err = build_config(&config, opts);
	if (err) {
		config_free(&config);
		if (opts->lockout && ntlm_lockout_policy_error(opts->lockout))
			log_error("NTLM: %s",
				  ntlm_lockout_policy_error(opts->lockout));
		else
			log_error("NTLM: bad names in the options: %s",
				  err == -ENOMEM ? "out of memory" :
						   "not UTF-8, not allowed or longer than 255 bytes");
		return err;
	}
	config_ready = true;
	if (opts->lockout)
		lockout = *opts->lockout;
	else
		ntlm_lockout_defaults(&lockout);
	ntlm_lockout_setup(&lockout);
	if (lockout.threshold)
		log_info("NTLM: accounts locked out for %u s after %u failed logons, each within %u s of the last",
			 lockout.duration, lockout.threshold, lockout.window);
	else
		log_info("NTLM: accounts are never locked out");
	if (lockout.caller_limit)
		log_info("NTLM: at most %u failed logons per caller uid in %u s (root, in-kernel callers and %zu other uids exempt)",
			 lockout.caller_limit, lockout.caller_window,
			 lockout.exempt_count);
	log_info("NTLM: domain %s (%s), computer %s (%s)%s%s",
		 config.nb_domain, config.dns_domain, config.nb_computer,
		 config.dns_computer, config.allow_v1 ? ", NTLMv1 allowed" : "",
		 config.allow_weak_keys ? ", 40- and 56-bit keys allowed" : "");
	return load_users(config.users_path, true);
}

const struct ntlm_config *ntlm_config(void)
{
	static const struct ntlm_options defaults = { 0 };

	if (!config_ready) {
		if (build_config(&config, &defaults) == 0)
			config_ready = true;
		else
			config_free(&config);
	}
	return &config;
}

void ntlm_config_cleanup(void)
{
	ntlm_lockout_cleanup();
	replace_users(NULL);
	if (config_ready)
		config_free(&config);
	config_ready = false;
}

int ntlm_config_reload_users(void)
{
	return load_users(ntlm_config()->users_path, false);
}

void ntlm_config_set_userdb(struct ntlm_userdb *db)
{
	replace_users(db);
}

static bool is_own_name(const struct ntlm_config *c, const uint8_t *s,
			size_t len)
{
	return len == 0 ||
	       ntlm_utf16le_equal_nocase(s, len, c->dns_domain16.data,
					 c->dns_domain16.len) ||
	       ntlm_utf16le_equal_nocase(s, len, c->nb_computer16.data,
					 c->nb_computer16.len) ||
	       ntlm_utf16le_equal_nocase(s, len, c->dns_computer16.data,
					 c->dns_computer16.len);
}

int ntlm_config_lookup_user(const uint8_t *domain, size_t domain_len,
			    const uint8_t *user, size_t user_len,
			    uint8_t nt_hash[16], char **name,
			    struct bytes *account)
{
	static const uint8_t separator[2];
	const struct ntlm_config *c = ntlm_config();
	const struct ntlm_user *u;
	const char *dom;
	char *client_domain = NULL;
	int ret = 0;
	size_t n;

	*name = NULL;
	pthread_rwlock_rdlock(&users_lock);
	u = ntlm_userdb_find(users, domain, domain_len, user, user_len);
	if ((!u || u->domain[0] == '\0') &&
	    is_own_name(c, domain, domain_len)) {
		const struct ntlm_user *own;

		own = ntlm_userdb_find(users, c->nb_domain16.data,
				       c->nb_domain16.len, user, user_len);
		if (own)
			u = own;
	}
	if (!u) {
		ret = -ENOENT;
		goto out;
	}
	memcpy(nt_hash, u->nt_hash, 16);

	/*
	 * The account's own domain, else the client's, else ours.  A
	 * client's domain longer than KSSPI_MAX_NAME bytes (only a foreign
	 * client can send one) is refused: the context's "DOMAIN\user" must
	 * fit a KSSPI_CTX_MAX_NAME name record.
	 */
	dom = u->domain;
	if (dom[0] == '\0') {
		if (domain_len &&
		    ntlm_utf16le_to_utf8(domain, domain_len, &client_domain) == 0)
			dom = client_domain;
		else
			dom = c->nb_domain;
		if (strlen(dom) > KSSPI_MAX_NAME) {
			explicit_bzero(nt_hash, 16);
			ret = -ENOENT;
			goto out;
		}
	}
	n = strlen(dom) + 1 + strlen(u->user) + 1;
	*name = malloc(n);
	if (!*name || bytes_append(account, u->domain16.data, u->domain16.len) ||
	    bytes_append(account, separator, sizeof(separator)) ||
	    bytes_append(account, u->user16.data, u->user16.len)) {
		free(*name);
		*name = NULL;
		explicit_bzero(nt_hash, 16);
		ret = -ENOMEM;
		goto out;
	}
	snprintf(*name, n, "%s\\%s", dom, u->user);
out:
	pthread_rwlock_unlock(&users_lock);
	free(client_domain);
	return ret;
}
