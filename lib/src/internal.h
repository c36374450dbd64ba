/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libksspi internals.  Everything declared here has hidden visibility (the
 * library is built with -fvisibility=hidden); only the functions declared in
 * <ksspi/sspi.h> are exported.
 */
#ifndef KSSPI_LIB_INTERNAL_H
#define KSSPI_LIB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ksspi/sspi.h>
#include <linux/ksspi.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Statuses the kernel reports in the structures' __u32 status member */
#define ST(v)		((SECURITY_STATUS)(v))
#define SEC_FAILED(s)	((SECURITY_STATUS)(s) < 0)

/* Pointer <-> ABI address */
static inline uint64_t ptr_to_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- transport.c ---------------------------------------------------- */

/*
 * The system call itself.  A weak symbol: the unit tests link a strong
 * definition that plays the kernel.  Same contract as ioctl(2).
 */
int ksspi_priv_sys_ioctl(int fd, unsigned long request, void *arg);

/* The lazily opened device: a file descriptor, or -errno */
int ksspi_priv_device_fd(void);

/* errno of a refused ioctl -> SECURITY_STATUS */
SECURITY_STATUS ksspi_priv_errno_status(int err);

/*
 * Carry out one ioctl.  SEC_E_OK means the kernel carried the call out and
 * the SSPI outcome is in the structure's status member; any other value is
 * the status to return (device unavailable: @nodev; ioctl refused: the errno
 * mapped by ksspi_priv_errno_status()).  EINTR is retried.
 */
SECURITY_STATUS ksspi_priv_call(unsigned long request, void *arg,
				SECURITY_STATUS nodev);

/* ---- handles.c ------------------------------------------------------ */

void ksspi_priv_handle_to_abi(struct ksspi_handle *k, const SecHandle *h);
SECURITY_STATUS ksspi_priv_handle_from_abi(SecHandle *h,
					   const struct ksspi_handle *k);

/* ---- utf.c ---------------------------------------------------------- */

/* Length of a NUL-terminated UTF-16 string, in code units */
size_t ksspi_priv_u16len(const char16_t *s);

/*
 * Strict conversions.  The result is NUL-terminated, allocated with
 * malloc(); *outlen (optional) receives its length without the NUL, in
 * bytes or code units.  -EILSEQ on an unpaired surrogate (UTF-16) or an
 * invalid, overlong or surrogate-encoding sequence (UTF-8); -ENOMEM;
 * -E2BIG when the result would not fit in @max units (0: no limit).
 */
int ksspi_priv_utf16_to_utf8(const char16_t *in, size_t n, size_t max,
			     char **out, size_t *outlen);
int ksspi_priv_utf8_to_utf16(const char *in, size_t n, size_t max,
			     char16_t **out, size_t *outlen);

/* Wipe and free a copy of a secret */
void ksspi_priv_free_secret(void *p, size_t n);

/* ---- buffers.c ------------------------------------------------------ */

/* A SecBufferDesc marshalled into its ABI form */
struct ksspi_priv_desc {
	struct ksspi_sec_buffer bufs[KSSPI_MAX_BUFFERS];
	bool allocated[KSSPI_MAX_BUFFERS];
	uint32_t alloc_len[KSSPI_MAX_BUFFERS];
	uint32_t count;
	bool any_allocated;
};

/*
 * Fill @abi and @t from @d (which may be NULL: @abi and @t are then left
 * zero; the caller's presence bit tells the kernel).  Fails with
 * SEC_E_INVALID_PARAMETER when @d has more than KSSPI_MAX_BUFFERS buffers
 * or a NULL pBuffers with buffers.
 */
SECURITY_STATUS ksspi_priv_desc_in(const SecBufferDesc *d,
				   struct ksspi_priv_desc *t,
				   struct ksspi_sec_buffer_desc *abi);

/* Copy cbBuffer and BufferType back from the kernel's answer */
void ksspi_priv_desc_out(SecBufferDesc *d, const struct ksspi_priv_desc *t);

/*
 * After a message function: the buffers the kernel pointed elsewhere (a
 * stream package's DecryptMessage points its data, trailer and extra
 * buffers into the received data) get their new pvBuffer.
 */
void ksspi_priv_desc_out_moved(SecBufferDesc *d,
			       const struct ksspi_priv_desc *t);

/* Whether ksspi_priv_desc_alloc() would allocate anything */
bool ksspi_priv_desc_needs_alloc(const struct ksspi_priv_desc *t);

/*
 * ISC_REQ_ALLOCATE_MEMORY: give every writable, non-empty output buffer
 * whose pvBuffer is NULL a @max_token bytes buffer.
 */
SECURITY_STATUS ksspi_priv_desc_alloc(struct ksspi_priv_desc *t,
				      uint32_t max_token);

/*
 * After the call: hand the allocated buffers to the caller (shrunk to their
 * cbBuffer; freed with pvBuffer NULL when empty) if @keep, else free them
 * and leave the caller's SecBuffers untouched.  @failed: the status was an
 * error, and a buffer whose length is still its capacity received nothing.
 */
void ksspi_priv_desc_alloc_done(SecBufferDesc *d, struct ksspi_priv_desc *t,
				bool keep, bool failed);

/* ---- timestamp.c ---------------------------------------------------- */

/*
 * A TimeStamp of the kernel (UTC, 100 ns since 1601) in local time, with the
 * C library's zone and the offset in force at that instant;
 * KSSPI_TIMESTAMP_NEVER stays as it is.
 */
int64_t ksspi_priv_local_time(int64_t utc);

/* *ts = ksspi_priv_local_time(utc) */
void ksspi_priv_timestamp_out(TimeStamp *ts, int64_t utc);

/* ---- package.c ------------------------------------------------------ */

/* Length of a package name, SEC_E_SECPKG_NOT_FOUND when it cannot be one */
SECURITY_STATUS ksspi_priv_package_len(const char *name, size_t *len);

/* A UTF-16 package name in UTF-8 (malloc'd), with the same checks */
SECURITY_STATUS ksspi_priv_package_name_w(const SEC_WCHAR *w, char **name,
					  size_t *len);

/*
 * max_token of a package: from the cache, else QuerySecurityPackageInfo;
 * KSSPI_MAX_TOKEN when unknown.
 */
uint32_t ksspi_priv_package_max_token(const char *name, size_t len);

/* Remember what a kernel answer told about a package */
void ksspi_priv_package_cache(const struct ksspi_package_info *info);

/* Credential handle -> package name, for the first ISC/ASC leg */
void ksspi_priv_cred_remember(const struct ksspi_handle *h, const char *pkg,
			      size_t len);
void ksspi_priv_cred_forget(const struct ksspi_handle *h);
bool ksspi_priv_cred_package(const struct ksspi_handle *h,
			     char name[KSSPI_MAX_PACKAGE_NAME]);

/* Forget everything cached (tests) */
void ksspi_priv_cache_reset(void);

/* One allocation holding a SecPkgInfoA/W array and its strings */
SECURITY_STATUS ksspi_priv_pkginfo_a(const struct ksspi_package_info *in,
				     size_t n, SecPkgInfoA **out);
SECURITY_STATUS ksspi_priv_pkginfo_w(const struct ksspi_package_info *in,
				     size_t n, SecPkgInfoW **out);

/* ---- context.c ------------------------------------------------------ */

/* The max_token to use for an ALLOCATE_MEMORY call */
uint32_t ksspi_priv_context_max_token(const SecHandle *cred,
				      const SecHandle *ctx);

#endif /* KSSPI_LIB_INTERNAL_H */
