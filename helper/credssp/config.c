// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CredSSP's configuration: the server's TLS identity, loaded once at
 * start-up, and the client's delegation policy (Windows' "Allow delegating
 * fresh credentials" and "... with NTLM-only server authentication").
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <linux/ksspi_sspi.h>

#include "credssp/credssp.h"
#include "credssp/session_cache.h"
#include "credssp/tls.h"
#include "log.h"

/* Windows' default "Allow delegating fresh credentials": TERMSRV/ and '*' */
static const char default_delegate[] = "TERMSRV/*";

static struct {
	struct tls_server_identity *identity;
	struct bytes public_key;	/* its certificate's subjectPublicKey */
	char **delegate;
	size_t delegate_count;
	char **ntlm_only;
	size_t ntlm_only_count;
	char **spnego_ntlm;	/* --credssp-spnego-ntlm */
	size_t spnego_ntlm_count;
	char **raw_kerberos;	/* --credssp-raw-kerberos */
	size_t raw_kerberos_count;
	char *client_ca_file;	/* --credssp-client-ca */
} config;

static void free_list(char **list, size_t count)
{
	size_t i;

	for (i = 0; list && i < count; i++)
		free(list[i]);
	free(list);
}

static int copy_list(const char *const *from, size_t count, char ***to)
{
	size_t i;

	*to = calloc(count ? count : 1, sizeof(**to));
	if (!*to)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		(*to)[i] = strdup(from[i]);
		if (!(*to)[i])
			return -ENOMEM;
	}
	return 0;
}

void credssp_config_cleanup(void)
{
	session_cache_clear();
	tls_server_identity_free(config.identity);
	bytes_free(&config.public_key);
	free_list(config.delegate, config.delegate_count);
	free_list(config.ntlm_only, config.ntlm_only_count);
	free_list(config.spnego_ntlm, config.spnego_ntlm_count);
	free_list(config.raw_kerberos, config.raw_kerberos_count);
	free(config.client_ca_file);
	memset(&config, 0, sizeof(config));
}

/*
 * The subjectPublicKey of the first certificate of @cert_file: what the
 * server binds in pubKeyAuth when a resumed handshake sent no certificate.
 */
static int load_public_key(const char *cert_file, struct bytes *out)
{
	gnutls_datum_t pem = { NULL, 0 }, der = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t key = NULL;
	int err = -EINVAL;

	if (gnutls_load_file(cert_file, &pem) < 0)
		return errno ? -errno : -EINVAL;
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&key) < 0) {
		err = -ENOMEM;
		goto out;
	}
	if (gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_pubkey_import_x509(key, crt, 0) < 0 ||
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	err = spki_subject_public_key(der.data, der.size, out);
out:
	gnutls_free(der.data);
	gnutls_free(pem.data);
	if (key)
		gnutls_pubkey_deinit(key);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return err;
}

int credssp_config_setup(const struct credssp_options *opts)
{
	static const char *const defaults[] = { default_delegate };
	const char *const *delegate = opts->delegate;
	size_t delegate_count = opts->delegate_count;
	int err;

	credssp_config_cleanup();
	if (!opts->cert_file != !opts->key_file) {
		log_error("CredSSP: --credssp-cert and --credssp-key go together");
		return -EINVAL;
	}
	if (!delegate_count) {
		delegate = defaults;
		delegate_count = 1;
	}
	config.delegate_count = delegate_count;
	config.ntlm_only_count = opts->delegate_ntlm_only_count;
	err = copy_list(delegate, delegate_count, &config.delegate);
	if (!err)
		err = copy_list(opts->delegate_ntlm_only,
				opts->delegate_ntlm_only_count,
				&config.ntlm_only);
	config.spnego_ntlm_count = opts->spnego_ntlm_count;
	config.raw_kerberos_count = opts->raw_kerberos_count;
	if (!err)
		err = copy_list(opts->spnego_ntlm, opts->spnego_ntlm_count,
				&config.spnego_ntlm);
	if (!err)
		err = copy_list(opts->raw_kerberos, opts->raw_kerberos_count,
				&config.raw_kerberos);
	if (!err && opts->client_ca_file) {
		config.client_ca_file = strdup(opts->client_ca_file);
		if (!config.client_ca_file)
			err = -ENOMEM;
	}
	if (err) {
		credssp_config_cleanup();
		return err;
	}
	if (!opts->cert_file) {
		log_info("CredSSP: no server certificate (--credssp-cert): AcceptSecurityContext gives SEC_E_NO_CREDENTIALS");
		return 0;
	}
	config.identity = tls_server_identity_load(opts->cert_file,
						   opts->key_file);
	if (!config.identity)
		err = errno ? -errno : -EINVAL;
	else
		err = load_public_key(opts->cert_file, &config.public_key);
	if (!err && config.client_ca_file)
		err = tls_server_identity_trust(config.identity,
						config.client_ca_file);
	if (err) {
		log_error("CredSSP: cannot load the certificate %s and key %s",
			  opts->cert_file, opts->key_file);
		credssp_config_cleanup();
		return err;
	}
	log_info("CredSSP: server certificate %s", opts->cert_file);
	return 0;
}

const struct tls_server_identity *credssp_server_identity(void)
{
	return config.identity;
}

const char *credssp_client_ca_file(void)
{
	return config.client_ca_file;
}

const struct bytes *credssp_server_public_key(void)
{
	return &config.public_key;
}

bool credssp_spn_matches(const char *pattern, const char *spn)
{
	const char *star_p = NULL, *star_s = NULL;

	/* Glob with '*' only; on a mismatch the last star takes one more */
	while (*spn) {
		if (*pattern == '*') {
			star_p = pattern++;
			star_s = spn;
		} else if (*pattern &&
			   tolower((unsigned char)*pattern) ==
				   tolower((unsigned char)*spn)) {
			pattern++;
			spn++;
		} else if (star_p) {
			pattern = star_p + 1;
			spn = ++star_s;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

static bool listed(char *const *list, size_t count, const char *spn)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (credssp_spn_matches(list[i], spn))
			return true;
	return false;
}

/* In the fresh-credentials list (the default one before any set-up) */
static bool delegate_listed(const char *spn)
{
	if (!config.delegate)
		return credssp_spn_matches(default_delegate, spn);
	return listed(config.delegate, config.delegate_count, spn);
}

uint32_t credssp_delegation_check(const char *spn, bool ntlm_only)
{
	if (!spn || !spn[0])
		return SEC_E_DELEGATION_POLICY;
	if (ntlm_only) {
		if (listed(config.ntlm_only, config.ntlm_only_count, spn))
			return SEC_E_OK;
		return delegate_listed(spn) ? SEC_E_POLICY_NLTM_ONLY :
					      SEC_E_DELEGATION_POLICY;
	}
	return delegate_listed(spn) ? SEC_E_OK : SEC_E_DELEGATION_POLICY;
}

enum credssp_client_inner credssp_client_inner_for(const char *spn)
{
	if (!spn || !spn[0])
		return CREDSSP_INNER_DEFAULT;
	if (listed(config.raw_kerberos, config.raw_kerberos_count, spn))
		return CREDSSP_INNER_RAW_KERBEROS;
	if (listed(config.spnego_ntlm, config.spnego_ntlm_count, spn))
		return CREDSSP_INNER_SPNEGO_NTLM;
	return CREDSSP_INNER_DEFAULT;
}
