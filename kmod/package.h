/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The package interface.  The core does every check common to all packages
 * and runs the handshake through the helper; a package supplies what is its
 * own: which requests it honours, how an established context is built from
 * its serialized form, and the per-message functions.
 */
#ifndef _KSSPI_PACKAGE_H
#define _KSSPI_PACKAGE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/ksspi_api.h>

struct ksspi_sec_state;
struct ksspi_bufset;
struct ksspi_blob_writer;
struct socket;

/**
 * struct ksspi_package_ops - what a package implements
 * @import_record: take one package record of a serialized context into
 *	@sec; return 0, -ENOENT for an unknown type, -EINVAL for a bad value
 * @import_finish: check the records are complete and set up the
 *	per-message state (transforms are allocated here, once per context)
 * @export: write the package records of @sec
 * @free: release the package part of @sec, zeroizing keys
 * @query: answer a package-specific attribute the core does not answer
 *	itself (optional); @sec is NULL while the context is not established
 * @sizes: SECPKG_ATTR_SIZES of an established context, for a package
 *	whose sizes depend on the context (optional): @sizes holds the
 *	package's and is changed where the context differs
 * @make_signature: MakeSignature
 * @verify_signature: VerifySignature
 * @encrypt: EncryptMessage
 * @decrypt: DecryptMessage
 * @install_ktls: hand directions of the record layer to kTLS on a connected
 *	TCP socket (KSSPI_KTLS_TX, KSSPI_KTLS_RX); see kmod/ktls.c
 *
 * The message functions, @query, @sizes and @install_ktls are called with the
 * context's message lock held and may sleep.  A NULL function gives
 * SEC_E_UNSUPPORTED_FUNCTION.
 */
struct ksspi_package_ops {
	int (*import_record)(struct ksspi_sec_state *sec, u16 type,
			     const void *value, u32 len);
	u32 (*import_finish)(struct ksspi_sec_state *sec);
	int (*export)(const struct ksspi_sec_state *sec,
		      struct ksspi_blob_writer *w);
	void (*free)(struct ksspi_sec_state *sec);
	u32 (*query)(struct ksspi_sec_state *sec, u32 attribute, void *buf,
		     u32 *len);
	void (*sizes)(struct ksspi_sec_state *sec,
		      struct ksspi_attr_sizes *sizes);
	u32 (*make_signature)(struct ksspi_sec_state *sec, u32 qop,
			      struct ksspi_bufset *msg, u32 sequence);
	u32 (*verify_signature)(struct ksspi_sec_state *sec,
				struct ksspi_bufset *msg, u32 sequence,
				u32 *qop);
	u32 (*encrypt)(struct ksspi_sec_state *sec, u32 qop,
		       struct ksspi_bufset *msg, u32 sequence);
	u32 (*decrypt)(struct ksspi_sec_state *sec, struct ksspi_bufset *msg,
		       u32 sequence, u32 *qop);
	u32 (*install_ktls)(struct ksspi_sec_state *sec, struct socket *sock,
			    u32 flags);
};

/**
 * struct ksspi_package - a registered package
 * @info: what QuerySecurityPackageInfo reports
 * @sizes: what QueryContextAttributes(SECPKG_ATTR_SIZES) reports
 * @aliases: other names the package is found by (NULL-terminated, may be
 *	NULL); EnumerateSecurityPackages lists only @info.name
 * @server_initiated: a first InitializeSecurityContext may carry a token
 * @stream_buffers: the message functions take Schannel's stream layout
 * @tls_identity: credentials may carry a TLS certificate and private key
 *	(STREAM_HEADER, DATA, STREAM_TRAILER; DATA and EMPTY buffers) and
 *	check the buffers themselves: the core does not require a
 *	SECBUFFER_TOKEN or SECBUFFER_STREAM buffer
 * @delegation: outbound credentials may be made of what a client delegated
 *	to an accepted context (ksspi_credential_from_context())
 * @ops: the package's functions
 * @live_credentials: credentials alive (statistics)
 * @live_contexts: contexts alive (statistics)
 * @node: entry in the package list
 */
struct ksspi_package {
	struct ksspi_package_info info;
	struct ksspi_attr_sizes sizes;
	const char *const *aliases;
	bool server_initiated;
	bool stream_buffers;
	bool tls_identity;
	bool delegation;
	const struct ksspi_package_ops *ops;
	atomic_t live_credentials;
	atomic_t live_contexts;
	struct list_head node;
};

int ksspi_package_register(struct ksspi_package *pkg);
void ksspi_package_unregister(struct ksspi_package *pkg);
const struct ksspi_package *ksspi_package_find(const char *name);
int ksspi_package_enum(struct ksspi_package_info *out, u32 room, u32 *count);
void ksspi_package_for_each(void (*fn)(const struct ksspi_package *pkg,
				       void *arg), void *arg);

static inline struct ksspi_package *ksspi_package_mut(const struct ksspi_package *p)
{
	return (struct ksspi_package *)p;
}

int ksspi_pkg_test_init(void);
void ksspi_pkg_test_exit(void);
int ksspi_pkg_ntlm_init(void);
void ksspi_pkg_ntlm_exit(void);
int ksspi_pkg_credssp_init(void);
void ksspi_pkg_credssp_exit(void);
int ksspi_pkg_kerberos_init(void);
void ksspi_pkg_kerberos_exit(void);
int ksspi_pkg_negotiate_init(void);
void ksspi_pkg_negotiate_exit(void);

#endif /* _KSSPI_PACKAGE_H */
