/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi: the in-kernel SSPI API.
 *
 * The same functions as /dev/ksspi, for kernel callers (an SMB or RDP server
 * in the kernel).  Each consumer opens a handle table of its own with
 * ksspi_open() and closes it with ksspi_close(); every other function takes
 * that table first.  Handles of one table mean nothing to another, nor to
 * /dev/ksspi.  Every function may sleep: call it from process context
 * without spinlocks held.
 *
 * Differences from the ioctl interface, following the kernel-mode remark of
 * the reference pages:
 *  - the target name of ksspi_initialize_security_context() is a
 *    NUL-terminated UTF-16 string in host byte order;
 *  - buffers may be in vmalloc'd memory (ksspi never assumes a linear
 *    mapping; scatterlists are built page by page);
 *  - with ISC_REQ_ALLOCATE_MEMORY / ASC_REQ_ALLOCATE_MEMORY the output token
 *    is allocated by ksspi in virtual memory and must be released with
 *    ksspi_free_context_buffer();
 *  - TimeStamps are in the kernel's local time (sys_tz, a fixed offset).
 */
#ifndef _LINUX_KSSPI_API_H
#define _LINUX_KSSPI_API_H

#include <linux/types.h>
#include <linux/key.h>
#include <linux/ksspi.h>

/* SecBuffer, with a kernel pointer */
struct ksspi_buffer {
	u32 cb_buffer;
	u32 buffer_type;
	void *pv_buffer;
};

/* SecBufferDesc */
struct ksspi_buffer_desc {
	u32 ul_version;
	u32 c_buffers;
	struct ksspi_buffer *p_buffers;
};

/* SEC_WINNT_AUTH_IDENTITY, UTF-8, or a keyring key */
struct ksspi_identity {
	const char *user;
	const char *domain;
	const char *password;
	key_serial_t key_serial;	/* used when user is NULL and this is set */
	/* TLS packages (CredSSP): certificate chain and private key keys */
	key_serial_t tls_certificate_key;
	key_serial_t tls_private_key;
};

typedef u32 ksspi_status_t;

/* One in-kernel consumer's handle table */
struct ksspi_owner;
struct socket;

struct ksspi_owner *ksspi_open(void);
void ksspi_close(struct ksspi_owner *owner);

ksspi_status_t ksspi_acquire_credentials_handle(struct ksspi_owner *owner,
						const char *package,
						u32 credential_use,
						const struct ksspi_identity *identity,
						struct ksspi_handle *credential,
						s64 *expiry);
ksspi_status_t ksspi_acquire_credentials_from_context(struct ksspi_owner *owner,
						      const char *package,
						      const struct ksspi_handle *context,
						      struct ksspi_handle *credential,
						      s64 *expiry);
ksspi_status_t ksspi_free_credentials_handle(struct ksspi_owner *owner,
					     struct ksspi_handle *credential);
ksspi_status_t ksspi_initialize_security_context(struct ksspi_owner *owner,
						 struct ksspi_handle *credential,
						 struct ksspi_handle *context,
						 const u16 *target_name,
						 u32 context_req, u32 reserved1,
						 u32 target_data_rep,
						 struct ksspi_buffer_desc *input,
						 u32 reserved2,
						 struct ksspi_handle *new_context,
						 struct ksspi_buffer_desc *output,
						 u32 *context_attr, s64 *expiry);
ksspi_status_t ksspi_accept_security_context(struct ksspi_owner *owner,
					     struct ksspi_handle *credential,
					     struct ksspi_handle *context,
					     struct ksspi_buffer_desc *input,
					     u32 context_req,
					     u32 target_data_rep,
					     struct ksspi_handle *new_context,
					     struct ksspi_buffer_desc *output,
					     u32 *context_attr, s64 *expiry);
ksspi_status_t ksspi_delete_security_context(struct ksspi_owner *owner,
					     struct ksspi_handle *context);
ksspi_status_t ksspi_complete_auth_token(struct ksspi_owner *owner,
					 struct ksspi_handle *context,
					 struct ksspi_buffer_desc *token);
ksspi_status_t ksspi_query_context_attributes(struct ksspi_owner *owner,
					      struct ksspi_handle *context,
					      u32 attribute, void *buffer,
					      u32 *buffer_len);
ksspi_status_t ksspi_free_context_buffer(void *buffer);
ksspi_status_t ksspi_make_signature(struct ksspi_owner *owner,
				    struct ksspi_handle *context, u32 qop,
				    struct ksspi_buffer_desc *message,
				    u32 sequence);
ksspi_status_t ksspi_verify_signature(struct ksspi_owner *owner,
				      struct ksspi_handle *context,
				      struct ksspi_buffer_desc *message,
				      u32 sequence, u32 *qop);
ksspi_status_t ksspi_encrypt_message(struct ksspi_owner *owner,
				     struct ksspi_handle *context, u32 qop,
				     struct ksspi_buffer_desc *message,
				     u32 sequence);
ksspi_status_t ksspi_decrypt_message(struct ksspi_owner *owner,
				     struct ksspi_handle *context,
				     struct ksspi_buffer_desc *message,
				     u32 sequence, u32 *qop);
ksspi_status_t ksspi_export_security_context(struct ksspi_owner *owner,
					     struct ksspi_handle *context,
					     u32 flags,
					     struct ksspi_buffer *packed);
ksspi_status_t ksspi_import_security_context(struct ksspi_owner *owner,
					     const char *package,
					     const struct ksspi_buffer *packed,
					     struct ksspi_handle *context);
/* ksspi's own: hand a CredSSP context's TLS records to kTLS */
ksspi_status_t ksspi_install_ktls(struct ksspi_owner *owner,
				  struct ksspi_handle *context,
				  struct socket *sock, u32 flags);

#endif /* _LINUX_KSSPI_API_H */
