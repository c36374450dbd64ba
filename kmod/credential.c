// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials: AcquireCredentialsHandle's identity, kept for the helper.
 *
 * A password given directly is kept until the credential is freed and is
 * zeroized then.  A keyring key is preferred: the credential keeps a
 * reference to it and reads it at each first handshake leg, so the secret
 * lives in the keyring and revoking the key withdraws it.  The key's
 * payload is "user\0domain\0password".
 *
 * A package that runs TLS (CredSSP) also takes a certificate chain and its
 * private key, as two keys (never through the ioctl): they are read
 * whenever a leg sends the credential, so a private key in a "logon" key
 * never passes through userspace on its way to the helper.
 */
#include <linux/cred.h>
#include <linux/key-type.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <keys/user-type.h>
#include "context.h"
#include "credential.h"
#include "debugfs.h"
#include "package.h"
#include "user.h"

static void ksspi_credential_release(struct ksspi_object *obj)
{
	struct ksspi_credential *cred = ksspi_to_credential(obj);

	atomic_dec(&ksspi_package_mut(cred->pkg)->live_credentials);
	atomic_dec(&ksspi_stats.credentials_live);
	kfree(cred->user);
	kfree(cred->domain);
	kfree_sensitive(cred->password);
	key_put(cred->key);
	key_put(cred->tls_certificate);
	key_put(cred->tls_private_key);
	kfree(cred);
}

/* Splits a key payload; the fields point into @buf, which is NUL-ended. */
static u32 ksspi_parse_key_payload(char *buf, u32 len,
				   struct ksspi_identity_copy *id)
{
	char *domain, *password;

	domain = memchr(buf, '\0', len);
	if (!domain)
		return SEC_E_UNKNOWN_CREDENTIALS;
	domain++;
	password = memchr(domain, '\0', len - (domain - buf));
	if (!password)
		return SEC_E_UNKNOWN_CREDENTIALS;
	password++;
	id->user = buf;
	id->domain = domain;
	id->password = password;
	id->password_len = len - (password - buf);
	if (memchr(password, '\0', id->password_len) ||
	    strlen(id->user) > KSSPI_MAX_NAME ||
	    strlen(id->domain) > KSSPI_MAX_NAME ||
	    id->password_len > KSSPI_MAX_PASSWORD)
		return SEC_E_UNKNOWN_CREDENTIALS;
	return SEC_E_OK;
}

/*
 * Copies the payload (at most @max bytes) of a "user" or "logon" key,
 * NUL-terminated.
 */
static u32 ksspi_read_key_max(struct key *key, u32 max, char **out,
			      u32 *out_len)
{
	const struct user_key_payload *payload;
	char *buf = NULL;
	u32 status = SEC_E_NO_CREDENTIALS;

	down_read(&key->sem);
	if (key_validate(key) == 0) {
		payload = user_key_payload_locked(key);
		if (payload && payload->datalen <= max) {
			buf = kvmalloc(payload->datalen + 1,
				       KSSPI_GFP_CALLER);
			if (buf) {
				memcpy(buf, payload->data, payload->datalen);
				buf[payload->datalen] = '\0';
				*out_len = payload->datalen;
				status = SEC_E_OK;
			} else {
				status = SEC_E_INSUFFICIENT_MEMORY;
			}
		}
	}
	up_read(&key->sem);
	*out = buf;
	return status;
}

static u32 ksspi_read_key(struct key *key, char **out, u32 *out_len)
{
	return ksspi_read_key_max(key, 3 * KSSPI_MAX_NAME, out, out_len);
}

/* A "user" key's payload is at most 32767 bytes. */
#define KSSPI_MAX_TLS_KEY_PAYLOAD	32767

/*
 * The TLS identity for the helper: a little-endian u32 length, the
 * certificate chain, then the private key.
 */
static u32 ksspi_credential_tls(const struct ksspi_credential *cred,
				struct ksspi_identity_copy *id)
{
	char *cert = NULL, *key = NULL;
	u32 cert_len = 0, key_len = 0, status;
	__le32 len;

	status = ksspi_read_key_max(cred->tls_certificate,
				    KSSPI_MAX_TLS_KEY_PAYLOAD, &cert, &cert_len);
	if (status == SEC_E_OK)
		status = ksspi_read_key_max(cred->tls_private_key,
					    KSSPI_MAX_TLS_KEY_PAYLOAD, &key,
					    &key_len);
	if (status == SEC_E_OK) {
		id->tls = kvmalloc(sizeof(len) + cert_len + key_len,
				   KSSPI_GFP_CALLER);
		if (id->tls) {
			len = cpu_to_le32(cert_len);
			memcpy(id->tls, &len, sizeof(len));
			memcpy(id->tls + sizeof(len), cert, cert_len);
			memcpy(id->tls + sizeof(len) + cert_len, key, key_len);
			id->tls_len = sizeof(len) + cert_len + key_len;
		} else {
			status = SEC_E_INSUFFICIENT_MEMORY;
		}
	}
	if (cert)
		kvfree(cert);
	if (key)
		kvfree_sensitive(key, key_len + 1);
	return status;
}

/**
 * ksspi_credential_identity - the identity to send with a first leg
 * @cred: the credential
 * @id: receives copies that the caller frees with ksspi_identity_copy_free()
 *
 * Return: SEC_E_OK, SEC_E_NO_CREDENTIALS (key revoked or expired),
 * SEC_E_UNKNOWN_CREDENTIALS, SEC_E_INSUFFICIENT_MEMORY.
 */
u32 ksspi_credential_identity(const struct ksspi_credential *cred,
			      struct ksspi_identity_copy *id)
{
	struct ksspi_identity_copy parsed;
	char *buf;
	u32 len, status;

	memset(id, 0, sizeof(*id));
	if (cred->key) {
		status = ksspi_read_key(cred->key, &buf, &len);
		if (status != SEC_E_OK)
			return status;
		status = ksspi_parse_key_payload(buf, len, &parsed);
		if (status == SEC_E_OK) {
			id->user = kstrdup(parsed.user, KSSPI_GFP_CALLER);
			id->domain = kstrdup(parsed.domain, KSSPI_GFP_CALLER);
			id->password = kmemdup_nul(parsed.password,
						   parsed.password_len,
						   KSSPI_GFP_CALLER);
			id->password_len = parsed.password_len;
			if (!id->user || !id->domain || !id->password)
				status = SEC_E_INSUFFICIENT_MEMORY;
		}
		kvfree_sensitive(buf, len + 1);
		if (status == SEC_E_OK && cred->tls_certificate)
			status = ksspi_credential_tls(cred, id);
		if (status != SEC_E_OK)
			ksspi_identity_copy_free(id);
		return status;
	}

	if (cred->user) {
		id->user = kstrdup(cred->user, KSSPI_GFP_CALLER);
		if (!id->user)
			goto nomem;
	}
	if (cred->domain) {
		id->domain = kstrdup(cred->domain, KSSPI_GFP_CALLER);
		if (!id->domain)
			goto nomem;
	}
	if (cred->password) {
		id->password = kmemdup_nul(cred->password, cred->password_len,
					   KSSPI_GFP_CALLER);
		if (!id->password)
			goto nomem;
		id->password_len = cred->password_len;
	}
	if (cred->tls_certificate) {
		u32 status = ksspi_credential_tls(cred, id);

		if (status != SEC_E_OK) {
			ksspi_identity_copy_free(id);
			return status;
		}
	}
	return SEC_E_OK;
nomem:
	ksspi_identity_copy_free(id);
	return SEC_E_INSUFFICIENT_MEMORY;
}

void ksspi_identity_copy_free(struct ksspi_identity_copy *id)
{
	kfree(id->user);
	kfree(id->domain);
	kfree_sensitive(id->password);
	if (id->tls)
		kvfree_sensitive(id->tls, id->tls_len);
	memset(id, 0, sizeof(*id));
}

/*
 * Looks up a "user" or "logon" key the caller possesses (search
 * permission proves possession; logon keys have no read) and copies its
 * payload (at most @max bytes, at least one).  The caller owns the
 * reference and frees the copy with kvfree_sensitive(*@buf, *@len + 1).
 */
static u32 ksspi_credential_lookup_key(key_serial_t serial, u32 max,
				       struct key **out, char **buf, u32 *len)
{
	key_ref_t ref;
	struct key *key;
	u32 status;

	ref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
	if (IS_ERR(ref))
		return SEC_E_UNKNOWN_CREDENTIALS;
	key = key_ref_to_ptr(ref);
	if (key->type != &key_type_user && key->type != &key_type_logon) {
		key_put(key);
		return SEC_E_UNKNOWN_CREDENTIALS;
	}
	status = ksspi_read_key_max(key, max, buf, len);
	if (status == SEC_E_OK && !*len) {
		kvfree(*buf);
		status = SEC_E_UNKNOWN_CREDENTIALS;
	}
	if (status != SEC_E_OK) {
		key_put(key);
		/* a revoked or expired key is an unknown one here */
		return status == SEC_E_INSUFFICIENT_MEMORY ?
		       status : SEC_E_UNKNOWN_CREDENTIALS;
	}
	*out = key;
	return SEC_E_OK;
}

static u32 ksspi_credential_set_key(struct ksspi_credential *cred,
				    key_serial_t serial)
{
	struct ksspi_identity_copy parsed;
	struct key *key;
	char *buf;
	u32 len, status;

	status = ksspi_credential_lookup_key(serial, 3 * KSSPI_MAX_NAME, &key,
					     &buf, &len);
	if (status != SEC_E_OK)
		return status;
	status = ksspi_parse_key_payload(buf, len, &parsed);
	kvfree_sensitive(buf, len + 1);
	if (status != SEC_E_OK) {
		key_put(key);
		return status;
	}
	cred->key = key;
	return SEC_E_OK;
}

/* A TLS certificate or private key: a non-empty key the caller possesses */
static u32 ksspi_credential_tls_key(key_serial_t serial, struct key **out)
{
	char *buf;
	u32 len, status;

	status = ksspi_credential_lookup_key(serial, KSSPI_MAX_TLS_KEY_PAYLOAD,
					     out, &buf, &len);
	if (status == SEC_E_OK)
		kvfree_sensitive(buf, len + 1);
	return status;
}

static u32 ksspi_credential_set_tls(struct ksspi_credential *cred,
				    const struct ksspi_identity *id)
{
	u32 status;

	if (!id->tls_certificate_key != !id->tls_private_key ||
	    !cred->pkg->tls_identity)
		return SEC_E_UNKNOWN_CREDENTIALS;
	status = ksspi_credential_tls_key(id->tls_certificate_key,
					  &cred->tls_certificate);
	if (status == SEC_E_OK)
		status = ksspi_credential_tls_key(id->tls_private_key,
						  &cred->tls_private_key);
	return status;
}

static bool ksspi_name_ok(const char *s, size_t max)
{
	return !s || strnlen(s, max + 1) <= max;
}

/* Names credentials to the helper (its TLS session cache). */
static atomic64_t ksspi_credential_ids = ATOMIC64_INIT(0);

/**
 * ksspi_credential_create - AcquireCredentialsHandle without the handle
 * @user: the user the credential counts against
 * @package: package name
 * @use: SECPKG_CRED_INBOUND, _OUTBOUND or _BOTH
 * @id: identity or NULL for default credentials
 * @id_malformed: the caller found the identity malformed (a NUL inside a
 *	name, key serial 0): refused in its place in the order of the checks
 * @out: receives the credential (one reference)
 *
 * Return: SEC_E_OK or the status of the first failed check.
 */
u32 ksspi_credential_create(struct ksspi_user *user, const char *package,
			    u32 use, const struct ksspi_identity *id,
			    bool id_malformed, struct ksspi_credential **out)
{
	const struct ksspi_package *pkg;
	struct ksspi_credential *cred;
	u32 status;

	pkg = package && *package ? ksspi_package_find(package) : NULL;
	if (!pkg)
		return SEC_E_SECPKG_NOT_FOUND;
	if (use != SECPKG_CRED_INBOUND && use != SECPKG_CRED_OUTBOUND &&
	    use != SECPKG_CRED_BOTH)
		return SEC_E_INVALID_PARAMETER;
	if (id_malformed)
		return SEC_E_UNKNOWN_CREDENTIALS;

	cred = kzalloc(sizeof(*cred), KSSPI_GFP_CALLER);
	if (!cred)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (ksspi_object_init(&cred->obj, KSSPI_OBJ_CREDENTIAL,
			      ksspi_credential_release, user)) {
		kfree(cred);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	cred->id = atomic64_inc_return(&ksspi_credential_ids);
	cred->pkg = pkg;
	cred->use = use;
	atomic_inc(&ksspi_package_mut(pkg)->live_credentials);
	atomic_inc(&ksspi_stats.credentials_live);

	status = SEC_E_OK;
	if (id && id->user) {
		/* An empty user name is accepted, as Windows accepts it. */
		if (!ksspi_name_ok(id->user, KSSPI_MAX_NAME) ||
		    !ksspi_name_ok(id->domain, KSSPI_MAX_NAME) ||
		    !ksspi_name_ok(id->password, KSSPI_MAX_PASSWORD)) {
			status = SEC_E_UNKNOWN_CREDENTIALS;
			goto fail;
		}
		cred->user = kstrdup(id->user, KSSPI_GFP_CALLER);
		cred->domain = kstrdup(id->domain ? id->domain : "",
				       KSSPI_GFP_CALLER);
		if (id->password) {
			cred->password_len = strlen(id->password);
			cred->password = kmemdup_nul(id->password,
						     cred->password_len,
						     KSSPI_GFP_CALLER);
		}
		if (!cred->user || !cred->domain ||
		    (id->password && !cred->password)) {
			status = SEC_E_INSUFFICIENT_MEMORY;
			goto fail;
		}
	} else if (id && id->key_serial) {
		status = ksspi_credential_set_key(cred, id->key_serial);
		if (status != SEC_E_OK)
			goto fail;
	}
	if (id && (id->tls_certificate_key || id->tls_private_key)) {
		status = ksspi_credential_set_tls(cred, id);
		if (status != SEC_E_OK)
			goto fail;
	}
	*out = cred;
	return SEC_E_OK;
fail:
	ksspi_object_put(&cred->obj);
	return status;
}

/**
 * ksspi_credential_from_context - AcquireCredentialsHandle of the
 *	credentials a client delegated to an accepted context
 * @owner: the caller's table, which must hold @context
 * @package: package name: one whose credentials may be delegated
 *	(Kerberos, Negotiate)
 * @use: SECPKG_CRED_OUTBOUND: delegated credentials only initiate
 * @context: an established context accepted with ASC_REQ_DELEGATE that
 *	returned ASC_RET_DELEGATE
 * @out: receives the credential (one reference)
 *
 * The credential names the helper session that holds the delegated
 * tickets, not the context: once the context is deleted (or reauthenticated
 * without delegation) or the helper restarts, its legs get
 * SEC_E_NO_CREDENTIALS.
 *
 * Return: SEC_E_OK; SEC_E_SECPKG_NOT_FOUND; SEC_E_INVALID_PARAMETER for an
 * unknown @use; SEC_E_INVALID_HANDLE when @context names no context of
 * @owner; SEC_E_NO_CREDENTIALS for another package, an inbound use, or a
 * context that holds no delegated credentials.
 */
u32 ksspi_credential_from_context(struct ksspi_owner *owner,
				  const char *package, u32 use,
				  const struct ksspi_handle *context,
				  struct ksspi_credential **out)
{
	struct ksspi_credential *cred;
	u64 session, generation;
	u32 status;

	status = ksspi_credential_create(owner->user, package, use, NULL,
					 false, &cred);
	if (status != SEC_E_OK)
		return status;
	status = ksspi_context_delegation(owner, context, &session,
					  &generation);
	if (status == SEC_E_OK &&
	    (!cred->pkg->delegation || use != SECPKG_CRED_OUTBOUND))
		status = SEC_E_NO_CREDENTIALS;
	if (status != SEC_E_OK) {
		ksspi_object_put(&cred->obj);
		return status;
	}
	cred->delegation_session = session;
	cred->delegation_generation = generation;
	*out = cred;
	return SEC_E_OK;
}
