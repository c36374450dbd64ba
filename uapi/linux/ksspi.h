/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksspi: the /dev/ksspi ioctl ABI.
 *
 * Every argument structure starts with a __u32 size that the caller sets to
 * sizeof() of the structure as it knows it.  The kernel refuses a size below
 * the first version of a structure (EINVAL; this is that first version) and
 * accepts a larger one as long as every byte it does not know is zero
 * (E2BIG otherwise), as copy_struct_from_user() does.  It writes back at
 * most size bytes.  The ioctl number is matched on type and number only;
 * its size field is informative.
 *
 * An ioctl returns 0 when the call was carried out; the SSPI outcome is then
 * in the structure's status member (SEC_E_OK, SEC_I_*, SEC_E_*).  A negative
 * errno means the structure itself was refused: EFAULT (bad pointer),
 * EINVAL (short structure, unknown flag or presence bit, reserved field set),
 * E2BIG (unknown trailing bytes set, or a length over the ABI limits),
 * ENOTTY (unknown ioctl), ENOMEM, EPERM (import without CAP_SYS_ADMIN).
 * A structure refused on the way in changes nothing.  EFAULT while writing
 * the results back comes after the call took effect; a handle it created is
 * then released again.
 *
 * Pointers are user addresses carried in __aligned_u64; strings are UTF-8
 * given as pointer and length (no terminating NUL needed; an embedded NUL
 * is refused).  All structures are free of padding holes.
 */
#ifndef _UAPI_LINUX_KSSPI_H
#define _UAPI_LINUX_KSSPI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/ksspi_sspi.h>

#define KSSPI_DEVICE_NAME	"ksspi"

/* ABI limits */
#define KSSPI_MAX_PACKAGE_NAME	64	/* bytes, package names */
#define KSSPI_MAX_NAME		1024	/* bytes, user, domain, target names */
#define KSSPI_MAX_PASSWORD	1024	/* bytes */
#define KSSPI_MAX_BUFFERS	16	/* SecBuffers in one SecBufferDesc */
#define KSSPI_MAX_TOKEN		(256 * 1024)	/* bytes, one token buffer */
#define KSSPI_MAX_MESSAGE	(16 * 1024 * 1024) /* bytes, a whole message */
#define KSSPI_MAX_CONTEXT_BLOB	(64 * 1024)	/* bytes, serialized context */
#define KSSPI_MAX_ATTRIBUTE	(64 * 1024)	/* bytes, one query answer */

/*
 * TimeStamps (expiry, lifespan) cross the ioctl ABI in UTC: 100 ns intervals
 * since 1601-01-01 UTC.  libksspi turns them into local time for the
 * caller, as the reference pages recommend; the kernel does not know the
 * caller's time zone.  "Never expires" is KSSPI_TIMESTAMP_NEVER either way.
 */
#define KSSPI_TIMESTAMP_NEVER	0x7FFFFFFFFFFFFFFFLL

/**
 * struct ksspi_handle - CredHandle / CtxtHandle
 * @lower: slot index in the owner's table
 * @upper: generation tag of the object in that slot
 *
 * Both words are opaque to the caller.  A handle is only valid on the file
 * descriptor that created it.
 */
struct ksspi_handle {
	__u64 lower;
	__u64 upper;
};

/**
 * struct ksspi_sec_buffer - SecBuffer
 * @cb_buffer: size in bytes (capacity on input, used length on output)
 * @buffer_type: SECBUFFER_* type, possibly ORed with SECBUFFER_READONLY or
 *	SECBUFFER_READONLY_WITH_CHECKSUM
 * @pv_buffer: user address of the data
 */
struct ksspi_sec_buffer {
	__u32 cb_buffer;
	__u32 buffer_type;
	__aligned_u64 pv_buffer;
};

/**
 * struct ksspi_sec_buffer_desc - SecBufferDesc
 * @ul_version: SECBUFFER_VERSION
 * @c_buffers: number of entries at @p_buffers (at most KSSPI_MAX_BUFFERS)
 * @p_buffers: user address of an array of struct ksspi_sec_buffer, which
 *	the kernel updates in place (cb_buffer, buffer_type) on return
 */
struct ksspi_sec_buffer_desc {
	__u32 ul_version;
	__u32 c_buffers;
	__aligned_u64 p_buffers;
};

/*
 * Presence bits: which of the optional SSPI arguments the caller passed.
 * A clear bit is the NULL pointer of the C API.
 */
#define KSSPI_ARG_CREDENTIAL	(1u << 0)	/* phCredential */
#define KSSPI_ARG_CONTEXT	(1u << 1)	/* phContext */
#define KSSPI_ARG_NEW_CONTEXT	(1u << 2)	/* phNewContext */
#define KSSPI_ARG_INPUT		(1u << 3)	/* pInput */
#define KSSPI_ARG_OUTPUT	(1u << 4)	/* pOutput */
#define KSSPI_ARG_EXPIRY	(1u << 5)	/* ptsExpiry */
#define KSSPI_ARG_TARGET	(1u << 6)	/* pszTargetName */
#define KSSPI_ARG_ALL		0x7fu

/* Identity kinds for AcquireCredentialsHandle */
#define KSSPI_IDENTITY_NONE	0	/* default credentials */
#define KSSPI_IDENTITY_PASSWORD	1	/* user, domain, password */
#define KSSPI_IDENTITY_KEY	2	/* serial of a "user" or "logon" key */
#define KSSPI_IDENTITY_DELEGATION 3	/* the credentials a client delegated
					 * to an accepted context */

/**
 * struct ksspi_package_info - SecPkgInfo
 * @capabilities: SECPKG_FLAG_*
 * @version: package version
 * @rpc_id: DCE RPC identifier
 * @max_token: largest token the package produces, in bytes
 * @reserved: zero
 * @name: NUL-terminated package name
 * @comment: NUL-terminated description
 */
struct ksspi_package_info {
	__u32 capabilities;
	__u16 version;
	__u16 rpc_id;
	__u32 max_token;
	__u32 reserved;
	char name[KSSPI_MAX_PACKAGE_NAME];
	char comment[128];
};

/**
 * struct ksspi_query_package - QuerySecurityPackageInfo
 * @size: sizeof(struct ksspi_query_package)
 * @status: out, SEC_E_OK or SEC_E_SECPKG_NOT_FOUND
 * @name: package name
 * @name_len: its length in bytes
 * @flags: must be zero
 * @info: out
 */
struct ksspi_query_package {
	__u32 size;
	__u32 status;
	__aligned_u64 name;
	__u32 name_len;
	__u32 flags;
	struct ksspi_package_info info;
};

/**
 * struct ksspi_enum_packages - EnumerateSecurityPackages
 * @size: sizeof(struct ksspi_enum_packages)
 * @status: out
 * @count: in, room at @packages; out, number of packages
 * @flags: must be zero
 * @packages: user array of struct ksspi_package_info (may be 0 with
 *	@count 0 to ask for the count)
 */
struct ksspi_enum_packages {
	__u32 size;
	__u32 status;
	__u32 count;
	__u32 flags;
	__aligned_u64 packages;
};

/**
 * struct ksspi_acquire_credentials - AcquireCredentialsHandle
 * @size: sizeof(struct ksspi_acquire_credentials)
 * @status: out
 * @package: package name
 * @package_len: its length in bytes
 * @credential_use: SECPKG_CRED_INBOUND, _OUTBOUND or _BOTH
 * @identity_type: KSSPI_IDENTITY_*
 * @key_serial: with KSSPI_IDENTITY_KEY, the serial of a "user" or "logon"
 *	key holding "user\0domain\0password"; the caller must possess it
 *	(search permission), so logon keys, which nobody can read, work
 * @user: with KSSPI_IDENTITY_PASSWORD, user name
 * @domain: domain name (may be empty)
 * @password: password
 * @user_len: length of @user in bytes
 * @domain_len: length of @domain in bytes
 * @password_len: length of @password in bytes
 * @flags: must be zero
 * @credential: out, the new CredHandle
 * @expiry: out, ptsExpiry (UTC, 100 ns since 1601)
 * @tls_certificate_key: for a package that runs TLS (CredSSP), the serial
 *	of a "user" or "logon" key holding the certificate chain (PEM, or
 *	one DER certificate) to present: the server's, or a client
 *	certificate; 0: none.  Any identity type may come with it.
 * @tls_private_key: the serial of a "user" or "logon" key holding its
 *	private key (PEM or DER); set exactly when @tls_certificate_key is.
 *	The caller must possess both keys (search permission).
 * @delegation_context: with KSSPI_IDENTITY_DELEGATION, a context of the
 *	caller accepted with ASC_REQ_DELEGATE that returned ASC_RET_DELEGATE:
 *	the new outbound credential acts as that context's client
 *	(Documentation/kerberos.rst, "Delegation")
 */
struct ksspi_acquire_credentials {
	__u32 size;
	__u32 status;
	__aligned_u64 package;
	__u32 package_len;
	__u32 credential_use;
	__u32 identity_type;
	__u32 key_serial;
	__aligned_u64 user;
	__aligned_u64 domain;
	__aligned_u64 password;
	__u32 user_len;
	__u32 domain_len;
	__u32 password_len;
	__u32 flags;
	struct ksspi_handle credential;
	__s64 expiry;
	__u32 tls_certificate_key;
	__u32 tls_private_key;
	struct ksspi_handle delegation_context;
};

/* The size of struct ksspi_acquire_credentials before its TLS keys */
#define KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER0	96
/* ... and before @delegation_context */
#define KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER1	104

/**
 * struct ksspi_handle_op - FreeCredentialsHandle, DeleteSecurityContext
 * @size: sizeof(struct ksspi_handle_op)
 * @status: out
 * @handle: the handle to release
 */
struct ksspi_handle_op {
	__u32 size;
	__u32 status;
	struct ksspi_handle handle;
};

/**
 * struct ksspi_init_context - InitializeSecurityContext
 * @size: sizeof(struct ksspi_init_context)
 * @status: out
 * @present: KSSPI_ARG_* bits
 * @context_req: fContextReq (ISC_REQ_*)
 * @reserved1: Reserved1 (must be zero: SEC_E_INVALID_PARAMETER otherwise)
 * @target_data_rep: TargetDataRep
 * @reserved2: Reserved2 (must be zero: SEC_E_INVALID_PARAMETER otherwise)
 * @target_name_len: length of @target_name in bytes
 * @target_name: pszTargetName (UTF-8)
 * @credential: phCredential
 * @context: phContext
 * @new_context: phNewContext (out)
 * @input: pInput
 * @output: pOutput (its buffers are updated in place)
 * @context_attr: out, pfContextAttr (ISC_RET_*)
 * @flags: must be zero
 * @expiry: out, ptsExpiry
 */
struct ksspi_init_context {
	__u32 size;
	__u32 status;
	__u32 present;
	__u32 context_req;
	__u32 reserved1;
	__u32 target_data_rep;
	__u32 reserved2;
	__u32 target_name_len;
	__aligned_u64 target_name;
	struct ksspi_handle credential;
	struct ksspi_handle context;
	struct ksspi_handle new_context;
	struct ksspi_sec_buffer_desc input;
	struct ksspi_sec_buffer_desc output;
	__u32 context_attr;
	__u32 flags;
	__s64 expiry;
};

/**
 * struct ksspi_accept_context - AcceptSecurityContext
 * @size: sizeof(struct ksspi_accept_context)
 * @status: out
 * @present: KSSPI_ARG_* bits (KSSPI_ARG_TARGET is refused)
 * @context_req: fContextReq (ASC_REQ_*)
 * @target_data_rep: TargetDataRep
 * @flags: must be zero
 * @credential: phCredential
 * @context: phContext
 * @new_context: phNewContext (out)
 * @input: pInput
 * @output: pOutput
 * @context_attr: out, pfContextAttr (ASC_RET_*)
 * @reserved: must be zero
 * @expiry: out, ptsExpiry
 */
struct ksspi_accept_context {
	__u32 size;
	__u32 status;
	__u32 present;
	__u32 context_req;
	__u32 target_data_rep;
	__u32 flags;
	struct ksspi_handle credential;
	struct ksspi_handle context;
	struct ksspi_handle new_context;
	struct ksspi_sec_buffer_desc input;
	struct ksspi_sec_buffer_desc output;
	__u32 context_attr;
	__u32 reserved;
	__s64 expiry;
};

/**
 * struct ksspi_complete_token - CompleteAuthToken
 * @size: sizeof(struct ksspi_complete_token)
 * @status: out
 * @context: phContext
 * @token: pToken
 */
struct ksspi_complete_token {
	__u32 size;
	__u32 status;
	struct ksspi_handle context;
	struct ksspi_sec_buffer_desc token;
};

/**
 * struct ksspi_message - MakeSignature, VerifySignature, EncryptMessage,
 *	DecryptMessage
 * @size: sizeof(struct ksspi_message)
 * @status: out
 * @context: phContext
 * @qop: fQOP in (MakeSignature, EncryptMessage); pfQOP out (the others)
 * @sequence: MessageSeqNo
 * @message: pMessage; buffers are read, transformed and written back in
 *	place (SECBUFFER_READONLY* buffers are never written)
 */
struct ksspi_message {
	__u32 size;
	__u32 status;
	struct ksspi_handle context;
	__u32 qop;
	__u32 sequence;
	struct ksspi_sec_buffer_desc message;
};

/**
 * struct ksspi_query_attributes - QueryContextAttributes
 * @size: sizeof(struct ksspi_query_attributes)
 * @status: out
 * @context: phContext
 * @attribute: SECPKG_ATTR_*
 * @buffer_len: in, room at @buffer; out, bytes the answer needs (also when
 *	the status is SEC_E_BUFFER_TOO_SMALL)
 * @buffer: user address that receives the answer, in the layout
 *	Documentation/ioctl-abi.rst gives for @attribute (struct
 *	ksspi_attr_* below)
 */
struct ksspi_query_attributes {
	__u32 size;
	__u32 status;
	struct ksspi_handle context;
	__u32 attribute;
	__u32 buffer_len;
	__aligned_u64 buffer;
};

/* Answer layouts of QueryContextAttributes */
struct ksspi_attr_sizes {		/* SECPKG_ATTR_SIZES */
	__u32 max_token;
	__u32 max_signature;
	__u32 block_size;
	__u32 security_trailer;
};

struct ksspi_attr_lifespan {		/* SECPKG_ATTR_LIFESPAN */
	__s64 start;
	__s64 expiry;
};

struct ksspi_attr_flags {		/* SECPKG_ATTR_FLAGS */
	__u32 flags;
	__u32 reserved;
};

/*
 * SECPKG_ATTR_KEY_INFO.  The algorithm ids are those Windows reports
 * (KERB_ETYPE_* / KERB_CHECKSUM_* values, as two's complement); libksspi
 * turns the names into strings that FreeContextBuffer releases.
 */
struct ksspi_attr_key_info {
	__u32 key_size;				/* bits */
	__u32 signature_algorithm;
	__u32 encrypt_algorithm;
	__u32 reserved;
	char signature_algorithm_name[64];	/* UTF-8, NUL-terminated */
	char encrypt_algorithm_name[64];	/* UTF-8, NUL-terminated */
};

/*
 * SECPKG_ATTR_STREAM_SIZES: Windows' SecPkgContext_StreamSizes, for
 * packages whose messages are records of a stream (CredSSP).
 */
struct ksspi_attr_stream_sizes {
	__u32 header;				/* cbHeader */
	__u32 trailer;				/* cbTrailer */
	__u32 maximum_message;			/* cbMaximumMessage */
	__u32 buffers;				/* cBuffers */
	__u32 block_size;			/* cbBlockSize */
};

/*
 * SECPKG_ATTR_ISSUER_LIST_EX, client, after SEC_I_INCOMPLETE_CREDENTIALS:
 * the certification authorities the server named in its certificate
 * request.  @length bytes follow the structure: @count entries, each a
 * big-endian u16 length and a DER DistinguishedName (the TLS wire form).
 * libksspi turns it into Windows' SecPkgContext_IssuerListInfoEx.
 */
struct ksspi_attr_issuer_list {
	__u32 count;
	__u32 length;
};

/*
 * KSSPI_ATTR_CREDSSP_INFO: what a CredSSP context was established with.
 * KSSPI_ATTR_CREDSSP_DELEGATED (acceptor only) answers with the raw
 * TSCredentials bytes the client delegated.
 */
struct ksspi_attr_credssp_info {
	__u32 tsrequest_version;		/* TSRequest version, 2 to 6 */
	__u32 flags;				/* KSSPI_CREDSSP_F_* */
	__u16 tls_version;			/* 0x0303 or 0x0304 */
	__u16 tls_cipher;			/* KSSPI_TLS_CIPHER_* */
	__u32 reserved;
	char inner_package[64];			/* UTF-8, NUL-terminated */
};

struct ksspi_attr_negotiation_info {	/* SECPKG_ATTR_NEGOTIATION_INFO */
	__u32 negotiation_state;
	__u32 reserved;
	struct ksspi_package_info package;
};

/*
 * SECPKG_ATTR_NAMES: a UTF-8 string, NUL-terminated.
 * SECPKG_ATTR_SESSION_KEY: the raw key bytes.
 * SECPKG_ATTR_PACKAGE_INFO: struct ksspi_package_info.
 */

/**
 * struct ksspi_export_context - ExportSecurityContext
 * @size: sizeof(struct ksspi_export_context)
 * @status: out
 * @context: phContext
 * @flags: SECPKG_CONTEXT_EXPORT_*
 * @buffer_len: in, room at @buffer; out, the blob's length
 * @buffer: user address receiving the serialized context (see
 *	<linux/ksspi_context.h>)
 */
struct ksspi_export_context {
	__u32 size;
	__u32 status;
	struct ksspi_handle context;
	__u32 flags;
	__u32 buffer_len;
	__aligned_u64 buffer;
};

/**
 * struct ksspi_import_context - ImportSecurityContext (CAP_SYS_ADMIN)
 * @size: sizeof(struct ksspi_import_context)
 * @status: out
 * @package: package name
 * @package_len: its length
 * @blob_len: length of @blob
 * @blob: serialized context
 * @flags: must be zero
 * @reserved: must be zero
 * @context: out, the new CtxtHandle
 */
struct ksspi_import_context {
	__u32 size;
	__u32 status;
	__aligned_u64 package;
	__u32 package_len;
	__u32 blob_len;
	__aligned_u64 blob;
	__u32 flags;
	__u32 reserved;
	struct ksspi_handle context;
};

/* struct ksspi_install_ktls.flags: the directions to hand over */
#define KSSPI_KTLS_TX		(1u << 0)	/* what this side sends */
#define KSSPI_KTLS_RX		(1u << 1)	/* what it receives */
#define KSSPI_KTLS_ALL		(KSSPI_KTLS_TX | KSSPI_KTLS_RX)

/**
 * struct ksspi_install_ktls - hand a context's TLS record layer to kTLS
 *	(ksspi's own; CredSSP contexts)
 * @size: sizeof(struct ksspi_install_ktls)
 * @status: out
 * @context: phContext: an established context
 * @fd: a connected TCP socket of the caller
 * @flags: KSSPI_KTLS_TX, KSSPI_KTLS_RX or both
 *
 * The socket gets the "tls" ULP and, for each direction, the context's
 * keys and next sequence number (setsockopt(SOL_TLS, TLS_TX / TLS_RX));
 * the context no longer protects messages in that direction.
 */
struct ksspi_install_ktls {
	__u32 size;
	__u32 status;
	struct ksspi_handle context;
	__s32 fd;
	__u32 flags;
};

#define KSSPI_IOC_MAGIC		0xB8

#define KSSPI_IOC_QUERY_PACKAGE		_IOWR(KSSPI_IOC_MAGIC, 0x00, struct ksspi_query_package)
#define KSSPI_IOC_ENUM_PACKAGES		_IOWR(KSSPI_IOC_MAGIC, 0x01, struct ksspi_enum_packages)
#define KSSPI_IOC_ACQUIRE_CREDENTIALS	_IOWR(KSSPI_IOC_MAGIC, 0x02, struct ksspi_acquire_credentials)
#define KSSPI_IOC_FREE_CREDENTIALS	_IOWR(KSSPI_IOC_MAGIC, 0x03, struct ksspi_handle_op)
#define KSSPI_IOC_INIT_CONTEXT		_IOWR(KSSPI_IOC_MAGIC, 0x04, struct ksspi_init_context)
#define KSSPI_IOC_ACCEPT_CONTEXT	_IOWR(KSSPI_IOC_MAGIC, 0x05, struct ksspi_accept_context)
#define KSSPI_IOC_DELETE_CONTEXT	_IOWR(KSSPI_IOC_MAGIC, 0x06, struct ksspi_handle_op)
#define KSSPI_IOC_COMPLETE_TOKEN	_IOWR(KSSPI_IOC_MAGIC, 0x07, struct ksspi_complete_token)
#define KSSPI_IOC_QUERY_ATTRIBUTES	_IOWR(KSSPI_IOC_MAGIC, 0x08, struct ksspi_query_attributes)
#define KSSPI_IOC_MAKE_SIGNATURE	_IOWR(KSSPI_IOC_MAGIC, 0x09, struct ksspi_message)
#define KSSPI_IOC_VERIFY_SIGNATURE	_IOWR(KSSPI_IOC_MAGIC, 0x0a, struct ksspi_message)
#define KSSPI_IOC_ENCRYPT_MESSAGE	_IOWR(KSSPI_IOC_MAGIC, 0x0b, struct ksspi_message)
#define KSSPI_IOC_DECRYPT_MESSAGE	_IOWR(KSSPI_IOC_MAGIC, 0x0c, struct ksspi_message)
#define KSSPI_IOC_EXPORT_CONTEXT	_IOWR(KSSPI_IOC_MAGIC, 0x0d, struct ksspi_export_context)
#define KSSPI_IOC_IMPORT_CONTEXT	_IOWR(KSSPI_IOC_MAGIC, 0x0e, struct ksspi_import_context)
#define KSSPI_IOC_INSTALL_KTLS		_IOWR(KSSPI_IOC_MAGIC, 0x0f, struct ksspi_install_ktls)

#endif /* _UAPI_LINUX_KSSPI_H */
