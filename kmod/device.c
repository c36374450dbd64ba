// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ksspi: the ioctl interface.  Each open file is a handle owner.
 *
 * This layer only moves structures across the user boundary: it copies the
 * size-versioned argument in (copy_struct_from_user), refuses malformed
 * structures with an errno, turns user buffers into buffer sets, calls the
 * core, and writes the outputs back.  All SSPI semantics live in the core,
 * shared with the in-kernel API.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "context.h"
#include "credential.h"
#include "device.h"
#include "ktls.h"
#include "owner.h"
#include "package.h"
#include "secbuf.h"
#include "user.h"

/*
 * Copies a size-versioned argument in.  @ksize is the structure this
 * kernel knows; a caller's smaller structure (older ABI) is not accepted
 * below @min_size, a larger one only with zeroes beyond what is known.
 */
static int ksspi_arg_in(void *karg, size_t ksize, size_t min_size,
			void __user *uarg, u32 *usize)
{
	u32 size;
	int err;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size < min_size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(karg, ksize, uarg, size);
	if (err)
		return err;
	*usize = size;
	return 0;
}

static int ksspi_arg_out(void __user *uarg, const void *karg, size_t ksize,
			 u32 usize)
{
	return copy_to_user(uarg, karg, min_t(size_t, ksize, usize)) ?
	       -EFAULT : 0;
}

/* A user string (pointer, length) as a NUL-terminated kernel string. */
static int ksspi_string_in(u64 uptr, u32 len, u32 max, char **out)
{
	char *s;

	*out = NULL;
	if (len > max)
		return -E2BIG;
	s = kmalloc(len + 1, KSSPI_GFP_CALLER);
	if (!s)
		return -ENOMEM;
	if (copy_from_user(s, u64_to_user_ptr(uptr), len)) {
		kfree_sensitive(s);
		return -EFAULT;
	}
	s[len] = '\0';
	*out = s;
	return 0;
}

static bool ksspi_has_nul(const char *s, u32 len)
{
	return s && strnlen(s, len) != len;
}

#define KSSPI_ARG(type, uarg, karg, usize)				\
	ksspi_arg_in(&(karg), sizeof(type), sizeof(type), (uarg), &(usize))

static long ksspi_ioc_query_package(void __user *uarg)
{
	struct ksspi_query_package a;
	const struct ksspi_package *pkg;
	char *name;
	u32 usize;
	int err;

	err = KSSPI_ARG(struct ksspi_query_package, uarg, a, usize);
	if (err)
		return err;
	if (a.flags)
		return -EINVAL;
	err = ksspi_string_in(a.name, a.name_len, KSSPI_MAX_PACKAGE_NAME, &name);
	if (err)
		return err;
	pkg = ksspi_has_nul(name, a.name_len) ? NULL : ksspi_package_find(name);
	kfree(name);
	memset(&a.info, 0, sizeof(a.info));
	if (pkg) {
		a.info = pkg->info;
		a.status = SEC_E_OK;
	} else {
		a.status = SEC_E_SECPKG_NOT_FOUND;
	}
	return ksspi_arg_out(uarg, &a, sizeof(a), usize);
}

static long ksspi_ioc_enum_packages(void __user *uarg)
{
	struct ksspi_enum_packages a;
	struct ksspi_package_info *infos = NULL;
	u32 usize, count, room;
	int err;

	err = KSSPI_ARG(struct ksspi_enum_packages, uarg, a, usize);
	if (err)
		return err;
	if (a.flags)
		return -EINVAL;
	room = a.packages ? min_t(u32, a.count, 64) : 0;
	if (room) {
		infos = kcalloc(room, sizeof(*infos), KSSPI_GFP_CALLER);
		if (!infos)
			return -ENOMEM;
	}
	ksspi_package_enum(infos, room, &count);
	if (room && copy_to_user(u64_to_user_ptr(a.packages), infos,
				 min(room, count) * sizeof(*infos))) {
		kfree(infos);
		return -EFAULT;
	}
	kfree(infos);
	a.status = count > room && a.packages ? SEC_E_BUFFER_TOO_SMALL : SEC_E_OK;
	a.count = count;
	return ksspi_arg_out(uarg, &a, sizeof(a), usize);
}

static long ksspi_ioc_acquire(struct ksspi_owner *owner, void __user *uarg)
{
	struct ksspi_acquire_credentials a;
	struct ksspi_identity id = {};
	struct ksspi_credential *cred = NULL;
	char *package = NULL, *user = NULL, *domain = NULL, *password = NULL;
	bool malformed = false;
	u32 usize;
	int err;

	err = ksspi_arg_in(&a, sizeof(a), KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER0,
			   uarg, &usize);
	if (err)
		return err;
	if (a.flags || a.identity_type > KSSPI_IDENTITY_DELEGATION ||
	    (a.identity_type == KSSPI_IDENTITY_DELEGATION &&
	     (usize < sizeof(a) || a.tls_certificate_key ||
	      a.tls_private_key)))
		return -EINVAL;
	id.tls_certificate_key = a.tls_certificate_key;
	id.tls_private_key = a.tls_private_key;
	err = ksspi_string_in(a.package, a.package_len, KSSPI_MAX_PACKAGE_NAME,
			      &package);
	if (err)
		return err;

	if (a.identity_type == KSSPI_IDENTITY_PASSWORD) {
		err = ksspi_string_in(a.user, a.user_len, KSSPI_MAX_NAME, &user);
		if (!err)
			err = ksspi_string_in(a.domain, a.domain_len,
					      KSSPI_MAX_NAME, &domain);
		if (!err)
			err = ksspi_string_in(a.password, a.password_len,
					      KSSPI_MAX_PASSWORD, &password);
		if (err)
			goto out;
		malformed = ksspi_has_nul(user, a.user_len) ||
			    ksspi_has_nul(domain, a.domain_len) ||
			    ksspi_has_nul(password, a.password_len);
		id.user = user;
		id.domain = domain;
		id.password = password;
	} else if (a.identity_type == KSSPI_IDENTITY_KEY) {
		id.key_serial = a.key_serial;
		malformed = !a.key_serial;
	}

	memset(&a.credential, 0, sizeof(a.credential));
	a.expiry = 0;
	if (ksspi_has_nul(package, a.package_len))
		a.status = SEC_E_SECPKG_NOT_FOUND;
	else if (a.identity_type == KSSPI_IDENTITY_DELEGATION)
		a.status = ksspi_credential_from_context(owner, package,
							 a.credential_use,
							 &a.delegation_context,
							 &cred);
	else
		a.status = ksspi_credential_create(owner->user, package,
						   a.credential_use,
						   a.identity_type ||
						   a.tls_certificate_key ||
						   a.tls_private_key ? &id : NULL,
						   malformed, &cred);
	if (a.status == SEC_E_OK) {
		if (ksspi_owner_insert(owner, &cred->obj, &a.credential)) {
			ksspi_object_put(&cred->obj);
			a.status = SEC_E_INSUFFICIENT_MEMORY;
		} else {
			a.expiry = KSSPI_TIMESTAMP_NEVER;
		}
	}
	err = ksspi_arg_out(uarg, &a, sizeof(a), usize);
	if (err && a.status == SEC_E_OK)
		ksspi_owner_remove(owner, &a.credential, KSSPI_OBJ_CREDENTIAL);
out:
	kfree(package);
	kfree(user);
	kfree(domain);
	kfree_sensitive(password);
	return err;
}

static long ksspi_ioc_release(struct ksspi_owner *owner, void __user *uarg,
			      enum ksspi_object_type type)
{
	struct ksspi_handle_op a;
	u32 usize;
	int err;

	err = KSSPI_ARG(struct ksspi_handle_op, uarg, a, usize);
	if (err)
		return err;
	if (type == KSSPI_OBJ_CONTEXT)
		a.status = ksspi_context_delete(owner, &a.handle);
	else
		a.status = ksspi_owner_remove(owner, &a.handle, type) ?
			   SEC_E_OK : SEC_E_INVALID_HANDLE;
	return ksspi_arg_out(uarg, &a, sizeof(a), usize);
}

static bool ksspi_desc_empty(const struct ksspi_sec_buffer_desc *d)
{
	return d->ul_version == SECBUFFER_VERSION && !d->c_buffers;
}

/* Brings in pInput and pOutput; the first SSPI-level problem wins. */
static int ksspi_handshake_bufs(u32 present,
				const struct ksspi_sec_buffer_desc *in,
				const struct ksspi_sec_buffer_desc *out,
				struct ksspi_bufset *inset,
				struct ksspi_bufset *outset,
				struct ksspi_handshake_call *call)
{
	u32 st_in = SEC_E_OK, st_out = SEC_E_OK;
	int err;

	memset(inset, 0, sizeof(*inset));
	memset(outset, 0, sizeof(*outset));
	if (present & KSSPI_ARG_INPUT) {
		err = ksspi_bufset_from_user(inset, in, KSSPI_COPY_IN, &st_in);
		if (err)
			return err;
		call->input = inset;
	}
	/* An output descriptor without buffers is no output, as on Windows. */
	if ((present & KSSPI_ARG_OUTPUT) && !ksspi_desc_empty(out)) {
		err = ksspi_bufset_from_user(outset, out, KSSPI_COPY_NONE,
					     &st_out);
		if (err)
			return err;
		call->output = outset;
	}
	call->desc_status = st_in != SEC_E_OK ? st_in : st_out;
	return 0;
}

static int ksspi_handshake_bufs_out(struct ksspi_handshake_call *call)
{
	int err = 0;

	/* Input buffers are read-write: their size and type come back. */
	if (call->input && call->desc_status == SEC_E_OK)
		err = ksspi_bufset_to_user(call->input, KSSPI_BACK_NONE);
	if (!err && call->output && call->desc_status == SEC_E_OK)
		err = ksspi_bufset_to_user(call->output, KSSPI_BACK_NONE);
	return err;
}

static long ksspi_ioc_handshake(struct ksspi_owner *owner, void __user *uarg,
				bool initiator)
{
	union {
		struct ksspi_init_context isc;
		struct ksspi_accept_context asc;
	} a;
	struct ksspi_handshake_call call = { .owner = owner,
					     .initiator = initiator };
	struct ksspi_bufset inset, outset;
	struct ksspi_handle *cred_h, *ctx_h, *new_h;
	struct ksspi_sec_buffer_desc *in, *out;
	char *target = NULL;
	u32 usize, present, *status, *attr;
	s64 *expiry;
	int err;

	if (initiator) {
		err = KSSPI_ARG(struct ksspi_init_context, uarg, a.isc, usize);
		if (err)
			return err;
		if (a.isc.flags)
			return -EINVAL;
		present = a.isc.present;
		call.context_req = a.isc.context_req;
		call.reserved1 = a.isc.reserved1;
		call.reserved2 = a.isc.reserved2;
		call.target_data_rep = a.isc.target_data_rep;
		cred_h = &a.isc.credential;
		ctx_h = &a.isc.context;
		new_h = &a.isc.new_context;
		in = &a.isc.input;
		out = &a.isc.output;
		status = &a.isc.status;
		attr = &a.isc.context_attr;
		expiry = &a.isc.expiry;
	} else {
		err = KSSPI_ARG(struct ksspi_accept_context, uarg, a.asc, usize);
		if (err)
			return err;
		if (a.asc.flags || a.asc.reserved)
			return -EINVAL;
		present = a.asc.present;
		if (present & KSSPI_ARG_TARGET)
			return -EINVAL;
		call.context_req = a.asc.context_req;
		call.target_data_rep = a.asc.target_data_rep;
		cred_h = &a.asc.credential;
		ctx_h = &a.asc.context;
		new_h = &a.asc.new_context;
		in = &a.asc.input;
		out = &a.asc.output;
		status = &a.asc.status;
		attr = &a.asc.context_attr;
		expiry = &a.asc.expiry;
	}
	if (present & ~KSSPI_ARG_ALL)
		return -EINVAL;

	if (initiator && (present & KSSPI_ARG_TARGET)) {
		err = ksspi_string_in(a.isc.target_name, a.isc.target_name_len,
				      KSSPI_MAX_NAME, &target);
		if (err)
			return err;
		if (ksspi_has_nul(target, a.isc.target_name_len)) {
			kfree(target);
			return -EINVAL;
		}
		call.target = target;
	}

	err = ksspi_handshake_bufs(present, in, out, &inset, &outset, &call);
	if (err)
		goto out;
	call.credential = present & KSSPI_ARG_CREDENTIAL ? cred_h : NULL;
	call.context = present & KSSPI_ARG_CONTEXT ? ctx_h : NULL;
	call.new_context = present & KSSPI_ARG_NEW_CONTEXT ? new_h : NULL;
	if (!(present & KSSPI_ARG_NEW_CONTEXT))
		memset(new_h, 0, sizeof(*new_h));

	*status = ksspi_handshake(&call);
	*attr = call.context_attr;
	*expiry = present & KSSPI_ARG_EXPIRY ? call.expiry : 0;

	err = ksspi_handshake_bufs_out(&call);
	if (!err)
		err = ksspi_arg_out(uarg, &a, initiator ? sizeof(a.isc) :
				    sizeof(a.asc), usize);
	/* A context the caller cannot learn about would only linger. */
	if (err && call.created)
		ksspi_context_delete(owner, call.new_context);
out:
	ksspi_bufset_free(&inset);
	ksspi_bufset_free(&outset);
	kfree(target);
	return err;
}

static long ksspi_ioc_complete(struct ksspi_owner *owner, void __user *uarg)
{
	struct ksspi_complete_token a;
	struct ksspi_bufset set;
	u32 usize, desc_status;
	int err;

	err = KSSPI_ARG(struct ksspi_complete_token, uarg, a, usize);
	if (err)
		return err;
	/* Nothing to complete: the descriptor is checked, not copied. */
	err = ksspi_bufset_from_user(&set, &a.token, KSSPI_COPY_NONE,
				     &desc_status);
	if (!err) {
		a.status = ksspi_context_complete(owner, &a.context,
						  desc_status);
		err = ksspi_arg_out(uarg, &a, sizeof(a), usize);
	}
	ksspi_bufset_free(&set);
	return err;
}

static long ksspi_ioc_query(struct ksspi_owner *owner, void __user *uarg)
{
	struct ksspi_query_attributes a;
	void *buf = NULL;
	u32 usize, room, len;
	int err;

	err = KSSPI_ARG(struct ksspi_query_attributes, uarg, a, usize);
	if (err)
		return err;
	room = a.buffer ? min_t(u32, a.buffer_len, KSSPI_MAX_ATTRIBUTE) : 0;
	if (room) {
		buf = kzalloc(room, KSSPI_GFP_CALLER);
		if (!buf)
			return -ENOMEM;
	}
	len = room;
	a.status = ksspi_context_query(owner, &a.context, a.attribute, buf,
				       &len);
	if (a.status == SEC_E_OK || a.status == SEC_E_BUFFER_TOO_SMALL)
		a.buffer_len = len;
	if (a.status == SEC_E_OK && len &&
	    copy_to_user(u64_to_user_ptr(a.buffer), buf, len))
		err = -EFAULT;
	kfree_sensitive(buf);
	if (!err)
		err = ksspi_arg_out(uarg, &a, sizeof(a), usize);
	return err;
}

/* Which buffers' contents a successful message function changes */
static enum ksspi_copy_back ksspi_message_changes(enum ksspi_message_op op)
{
	switch (op) {
	case KSSPI_MSG_SIGN:
		return KSSPI_BACK_TOKEN;
	case KSSPI_MSG_VERIFY:
		return KSSPI_BACK_NONE;
	default:
		return KSSPI_BACK_ALL;
	}
}

/*
 * How a message's buffers come in: large DATA buffers in place, read only
 * for signatures and read and written for sealing, unless the package
 * parses them (a stream package's DecryptMessage), which gets a copy that
 * the caller cannot change while it is being parsed.
 */
static enum ksspi_copy_mode ksspi_message_mode(struct ksspi_owner *owner,
					       const struct ksspi_handle *ctx,
					       enum ksspi_message_op op)
{
	switch (op) {
	case KSSPI_MSG_SIGN:
	case KSSPI_MSG_VERIFY:
		return KSSPI_PIN_DATA_READ;
	case KSSPI_MSG_DECRYPT:
		if (ksspi_context_parses_data(owner, ctx))
			return KSSPI_COPY_IN;
		fallthrough;
	default:
		return KSSPI_PIN_DATA_WRITE;
	}
}

static long ksspi_ioc_message(struct ksspi_owner *owner, void __user *uarg,
			      enum ksspi_message_op op)
{
	struct ksspi_message a;
	struct ksspi_bufset set;
	u32 usize, desc_status;
	int err;

	err = KSSPI_ARG(struct ksspi_message, uarg, a, usize);
	if (err)
		return err;
	err = ksspi_bufset_from_user(&set, &a.message,
				     ksspi_message_mode(owner, &a.context, op),
				     &desc_status);
	if (err)
		goto out;
	a.status = ksspi_message(owner, &a.context, op, &set, desc_status,
				 a.sequence, &a.qop);
	if (desc_status == SEC_E_OK)
		err = ksspi_bufset_to_user(&set, a.status != SEC_E_OK ?
					   KSSPI_BACK_NONE :
					   ksspi_message_changes(op));
	if (!err)
		err = ksspi_arg_out(uarg, &a, sizeof(a), usize);
out:
	ksspi_bufset_free(&set);
	return err;
}

static long ksspi_ioc_export(struct ksspi_owner *owner, void __user *uarg)
{
	struct ksspi_export_context a;
	void *blob = NULL;
	u32 usize, len = 0, room;
	int err;

	err = KSSPI_ARG(struct ksspi_export_context, uarg, a, usize);
	if (err)
		return err;
	room = a.buffer ? a.buffer_len : 0;
	/* Check the room first: DELETE_OLD must not lose the context. */
	a.status = ksspi_context_export(owner, &a.context,
					a.flags & ~SECPKG_CONTEXT_EXPORT_DELETE_OLD,
					&blob, &len);
	if (a.status == SEC_E_OK) {
		a.buffer_len = len;
		if (len > room)
			a.status = SEC_E_BUFFER_TOO_SMALL;
		else if (copy_to_user(u64_to_user_ptr(a.buffer), blob, len))
			err = -EFAULT;
		else if (a.flags & SECPKG_CONTEXT_EXPORT_DELETE_OLD)
			ksspi_context_delete(owner, &a.context);
		kvfree_sensitive(blob, len);
	}
	if (!err)
		err = ksspi_arg_out(uarg, &a, sizeof(a), usize);
	return err;
}

static long ksspi_ioc_import(struct file *file, void __user *uarg)
{
	struct ksspi_owner *owner = file->private_data;
	struct ksspi_import_context a;
	char *package = NULL;
	void *blob;
	u32 usize;
	int err;

	err = KSSPI_ARG(struct ksspi_import_context, uarg, a, usize);
	if (err)
		return err;
	if (a.flags || a.reserved)
		return -EINVAL;
	/*
	 * A blob carries keys and an identity: forging one is forging a
	 * logon.  The privilege is the opener's, as for other file-based
	 * interfaces, so a privileged program handed a descriptor cannot be
	 * made to import for its sender.
	 */
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (a.blob_len > KSSPI_MAX_CONTEXT_BLOB)
		return -E2BIG;
	err = ksspi_string_in(a.package, a.package_len, KSSPI_MAX_PACKAGE_NAME,
			      &package);
	if (err)
		return err;
	blob = kvmalloc(a.blob_len ? a.blob_len : 1, KSSPI_GFP_CALLER);
	if (!blob) {
		kfree(package);
		return -ENOMEM;
	}
	if (copy_from_user(blob, u64_to_user_ptr(a.blob), a.blob_len)) {
		kvfree_sensitive(blob, a.blob_len);
		kfree(package);
		return -EFAULT;
	}
	memset(&a.context, 0, sizeof(a.context));
	if (ksspi_has_nul(package, a.package_len))
		a.status = SEC_E_SECPKG_NOT_FOUND;
	else
		a.status = ksspi_context_import(owner, package, blob,
						a.blob_len, &a.context);
	err = ksspi_arg_out(uarg, &a, sizeof(a), usize);
	if (err && a.status == SEC_E_OK)
		ksspi_context_delete(owner, &a.context);
	kvfree_sensitive(blob, a.blob_len);
	kfree(package);
	return err;
}

/* An fd that is not a socket is refused with sockfd_lookup()'s errno. */
static long ksspi_ioc_install_ktls(struct ksspi_owner *owner,
				   void __user *uarg)
{
	struct ksspi_install_ktls a;
	struct socket *sock;
	u32 usize;
	int err;

	err = KSSPI_ARG(struct ksspi_install_ktls, uarg, a, usize);
	if (err)
		return err;
	if (a.flags & ~KSSPI_KTLS_ALL)
		return -EINVAL;
	sock = sockfd_lookup(a.fd, &err);
	if (!sock)
		return err;
	a.status = ksspi_ktls_install(owner, &a.context, sock, a.flags);
	sockfd_put(sock);
	return ksspi_arg_out(uarg, &a, sizeof(a), usize);
}

static long ksspi_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ksspi_owner *owner = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != KSSPI_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(KSSPI_IOC_QUERY_PACKAGE):
		return ksspi_ioc_query_package(uarg);
	case _IOC_NR(KSSPI_IOC_ENUM_PACKAGES):
		return ksspi_ioc_enum_packages(uarg);
	case _IOC_NR(KSSPI_IOC_ACQUIRE_CREDENTIALS):
		return ksspi_ioc_acquire(owner, uarg);
	case _IOC_NR(KSSPI_IOC_FREE_CREDENTIALS):
		return ksspi_ioc_release(owner, uarg, KSSPI_OBJ_CREDENTIAL);
	case _IOC_NR(KSSPI_IOC_INIT_CONTEXT):
		return ksspi_ioc_handshake(owner, uarg, true);
	case _IOC_NR(KSSPI_IOC_ACCEPT_CONTEXT):
		return ksspi_ioc_handshake(owner, uarg, false);
	case _IOC_NR(KSSPI_IOC_DELETE_CONTEXT):
		return ksspi_ioc_release(owner, uarg, KSSPI_OBJ_CONTEXT);
	case _IOC_NR(KSSPI_IOC_COMPLETE_TOKEN):
		return ksspi_ioc_complete(owner, uarg);
	case _IOC_NR(KSSPI_IOC_QUERY_ATTRIBUTES):
		return ksspi_ioc_query(owner, uarg);
	case _IOC_NR(KSSPI_IOC_MAKE_SIGNATURE):
		return ksspi_ioc_message(owner, uarg, KSSPI_MSG_SIGN);
	case _IOC_NR(KSSPI_IOC_VERIFY_SIGNATURE):
		return ksspi_ioc_message(owner, uarg, KSSPI_MSG_VERIFY);
	case _IOC_NR(KSSPI_IOC_ENCRYPT_MESSAGE):
		return ksspi_ioc_message(owner, uarg, KSSPI_MSG_ENCRYPT);
	case _IOC_NR(KSSPI_IOC_DECRYPT_MESSAGE):
		return ksspi_ioc_message(owner, uarg, KSSPI_MSG_DECRYPT);
	case _IOC_NR(KSSPI_IOC_EXPORT_CONTEXT):
		return ksspi_ioc_export(owner, uarg);
	case _IOC_NR(KSSPI_IOC_IMPORT_CONTEXT):
		return ksspi_ioc_import(file, uarg);
	case _IOC_NR(KSSPI_IOC_INSTALL_KTLS):
		return ksspi_ioc_install_ktls(owner, uarg);
	}
	return -ENOTTY;
}

/* Everything done through the file counts against the opener's euid. */
static int ksspi_dev_open(struct inode *inode, struct file *file)
{
	struct ksspi_owner *owner = kzalloc(sizeof(*owner), KSSPI_GFP_CALLER);
	struct ksspi_user *user = ksspi_user_get(file->f_cred->euid);

	if (!owner || !user) {
		kfree(owner);
		ksspi_user_put(user);
		return -ENOMEM;
	}
	ksspi_owner_init(owner, user);
	file->private_data = owner;
	return 0;
}

/* The last reference to the file: no call can be running on it. */
static int ksspi_dev_release(struct inode *inode, struct file *file)
{
	struct ksspi_owner *owner = file->private_data;

	ksspi_owner_destroy(owner);
	kfree(owner);
	return 0;
}

static const struct file_operations ksspi_fops = {
	.owner = THIS_MODULE,
	.open = ksspi_dev_open,
	.release = ksspi_dev_release,
	.unlocked_ioctl = ksspi_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ksspi_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KSSPI_DEVICE_NAME,
	.fops = &ksspi_fops,
	.mode = 0666,
};

int ksspi_device_init(void)
{
	return misc_register(&ksspi_miscdev);
}

void ksspi_device_exit(void)
{
	misc_deregister(&ksspi_miscdev);
}
