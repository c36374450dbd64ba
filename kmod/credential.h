/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_CREDENTIAL_H
#define _KSSPI_CREDENTIAL_H

#include <linux/key.h>
#include <linux/uidgid.h>
#include <linux/ksspi_api.h>
#include "owner.h"

struct ksspi_package;
struct ksspi_user;

/**
 * struct ksspi_credential - what a CredHandle names
 * @obj: handle object (refcount); contexts hold a reference too, so a
 *	credential outlives FreeCredentialsHandle while contexts use it
 * @pkg: its package
 * @use: SECPKG_CRED_INBOUND and/or SECPKG_CRED_OUTBOUND
 * @user: user name (UTF-8) or NULL for default credentials
 * @domain: domain name or NULL
 * @password: password or NULL; zeroized on free
 * @password_len: its length
 * @key: keyring key holding the identity, or NULL; read at each first leg
 *	so that revoking the key takes effect
 * @tls_certificate: keyring key holding a TLS certificate chain, or NULL;
 *	read, with @tls_private_key, whenever a leg sends the credential
 * @tls_private_key: keyring key holding its private key, or NULL
 * @delegation_session: the kept helper session of an accepted context
 *	whose delegated credentials this outbound credential uses, or 0
 * @delegation_generation: the helper instance that holds it
 *
 * Immutable after creation: no lock.
 */
struct ksspi_credential {
	struct ksspi_object obj;
	u64 id;			/* never reused while the module is loaded */
	const struct ksspi_package *pkg;
	u32 use;
	char *user;
	char *domain;
	char *password;
	u32 password_len;
	struct key *key;
	struct key *tls_certificate;
	struct key *tls_private_key;
	u64 delegation_session;
	u64 delegation_generation;
};

/*
 * A credential's identity as sent to the helper, with its own copies.
 * @tls is the TLS identity: a little-endian u32 length, the certificate
 * key's payload, then the private key's payload.
 */
struct ksspi_identity_copy {
	char *user;
	char *domain;
	char *password;
	u32 password_len;
	u8 *tls;
	u32 tls_len;
};

u32 ksspi_credential_create(struct ksspi_user *user, const char *package,
			    u32 use, const struct ksspi_identity *id,
			    bool id_malformed, struct ksspi_credential **out);
u32 ksspi_credential_from_context(struct ksspi_owner *owner,
				  const char *package, u32 use,
				  const struct ksspi_handle *context,
				  struct ksspi_credential **out);
u32 ksspi_credential_identity(const struct ksspi_credential *cred,
			      struct ksspi_identity_copy *id);
void ksspi_identity_copy_free(struct ksspi_identity_copy *id);

static inline struct ksspi_credential *ksspi_to_credential(struct ksspi_object *obj)
{
	return obj ? container_of(obj, struct ksspi_credential, obj) : NULL;
}

#endif /* _KSSPI_CREDENTIAL_H */
