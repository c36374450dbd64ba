// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_abi: the ioctl structures themselves (uapi/linux/ksspi.h): size
 * negotiation, bad pointers, unknown bits, ABI limits, unknown ioctls.  A
 * structure the kernel refuses gives an errno, never a status, and creates
 * nothing: every test ends by checking the live counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/keyctl.h>

#include "ksspi_harness.h"

struct kt_ioc {
	const char *name;
	unsigned long nr;
	size_t size;
	size_t min_size;	/* the oldest layout the kernel takes */
};

#define IOC(n, s) { #n, KSSPI_IOC_##n, sizeof(struct s), sizeof(struct s) }
static const struct kt_ioc kt_iocs[] = {
	IOC(QUERY_PACKAGE, ksspi_query_package),
	IOC(ENUM_PACKAGES, ksspi_enum_packages),
	{ "ACQUIRE_CREDENTIALS", KSSPI_IOC_ACQUIRE_CREDENTIALS,
	  sizeof(struct ksspi_acquire_credentials),
	  KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER0 },
	IOC(FREE_CREDENTIALS, ksspi_handle_op),
	IOC(INIT_CONTEXT, ksspi_init_context),
	IOC(ACCEPT_CONTEXT, ksspi_accept_context),
	IOC(DELETE_CONTEXT, ksspi_handle_op),
	IOC(COMPLETE_TOKEN, ksspi_complete_token),
	IOC(QUERY_ATTRIBUTES, ksspi_query_attributes),
	IOC(MAKE_SIGNATURE, ksspi_message),
	IOC(VERIFY_SIGNATURE, ksspi_message),
	IOC(ENCRYPT_MESSAGE, ksspi_message),
	IOC(DECRYPT_MESSAGE, ksspi_message),
	IOC(EXPORT_CONTEXT, ksspi_export_context),
	IOC(IMPORT_CONTEXT, ksspi_import_context),
	IOC(INSTALL_KTLS, ksspi_install_ktls),
};
#define N_IOCS (sizeof(kt_iocs) / sizeof(kt_iocs[0]))

FIXTURE(abi) {
	int fd;
	struct kt_stats base;
	struct ksspi_handle ccred, scred;
	bool have_ccred, have_scred;
	uint8_t *unmapped;	/* a PROT_NONE page */
	uint8_t *ro;		/* a read-only page */
	long page;
};

FIXTURE_SETUP(abi)
{
	KT_REQUIRE_STACK();
	ASSERT_EQ(0, kt_stats_read(&self->base));
	self->fd = kt_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", KT_DEV,
				       strerror(-self->fd));
	self->page = sysconf(_SC_PAGESIZE);
	self->unmapped = mmap(NULL, self->page, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, (void *)self->unmapped);
	self->ro = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, (void *)self->ro);
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_OUTBOUND,
					   KT_USER, KT_PASSWORD,
					   &self->ccred));
	self->have_ccred = true;
	ASSERT_STATUS(SEC_E_OK, kt_acquire(self->fd, SECPKG_CRED_INBOUND,
					   KT_USER, KT_PASSWORD,
					   &self->scred));
	self->have_scred = true;
}

FIXTURE_TEARDOWN(abi)
{
	if (self->have_ccred)
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &self->ccred));
	if (self->have_scred)
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &self->scred));
	/* Nothing a refused call touched may still be alive */
	EXPECT_LIVE_AT(self->base);
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_LIVE_AT(self->base);
}

/* A zeroed argument buffer for ioctl i with the given size field */
static uint8_t *kt_arg(size_t cap, uint32_t size)
{
	uint8_t *p = calloc(1, cap < 8 ? 8 : cap);

	if (p)
		memcpy(p, &size, sizeof(size));
	return p;
}

/* A type-1 token for the ASC tests */
static uint32_t kt_type1(int fd, const struct ksspi_handle *cred,
			 uint8_t *tok, uint32_t *len)
{
	struct ksspi_handle ctx;
	uint32_t st = kt_partial_ctx(fd, cred, &ctx, tok, len);

	if (st == SEC_I_CONTINUE_NEEDED)
		kt_delete_ctx(fd, &ctx);
	return st;
}

/* An established client/server pair on one fd (two more credentials) */
static uint32_t kt_pair_up(int fd, struct kt_hs *hs)
{
	uint32_t st = kt_hs_init(hs, fd, fd, KT_USER, KT_PASSWORD, KT_USER,
				 KT_PASSWORD);

	return st == SEC_E_OK ? kt_hs_run(hs) : st;
}

/* ---- size negotiation ---- */

TEST_F(abi, size_zero_einval)
{
	size_t i;

	for (i = 0; i < N_IOCS; i++) {
		uint8_t *arg = kt_arg(kt_iocs[i].size, 0);

		ASSERT_NE(NULL, arg);
		EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, kt_iocs[i].nr, arg))
			TH_LOG("  %s", kt_iocs[i].name);
		free(arg);
	}
}

TEST_F(abi, size_shorter_than_header_einval)
{
	static const uint32_t sizes[] = { 1, 4, 7, 8 };
	size_t i, j;

	for (i = 0; i < N_IOCS; i++) {
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			uint8_t *arg = kt_arg(kt_iocs[i].size, sizes[j]);

			ASSERT_NE(NULL, arg);
			EXPECT_ERRNO(EINVAL,
				     kt_ioctl(self->fd, kt_iocs[i].nr, arg))
				TH_LOG("  %s size %u", kt_iocs[i].name,
				       sizes[j]);
			free(arg);
		}
	}
}

/*
 * ABI version 1: there is no older, shorter layout yet, so a structure
 * one field short of today's is "short" (EINVAL).
 */
TEST_F(abi, size_one_field_short_einval)
{
	size_t i;

	for (i = 0; i < N_IOCS; i++) {
		uint8_t *arg = kt_arg(kt_iocs[i].size,
				      (uint32_t)kt_iocs[i].min_size - 8);

		ASSERT_NE(NULL, arg);
		EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, kt_iocs[i].nr, arg))
			TH_LOG("  %s size %zu", kt_iocs[i].name,
			       kt_iocs[i].min_size - 8);
		free(arg);
	}
}

TEST_F(abi, size_larger_nonzero_tail_e2big)
{
	static const size_t tails[] = { 0, 7, 63 };
	size_t i, j;

	for (i = 0; i < N_IOCS; i++) {
		for (j = 0; j < sizeof(tails) / sizeof(tails[0]); j++) {
			size_t sz = kt_iocs[i].size + 64;
			uint8_t *arg = kt_arg(sz, (uint32_t)sz);

			ASSERT_NE(NULL, arg);
			arg[kt_iocs[i].size + tails[j]] = 0x5a;
			EXPECT_ERRNO(E2BIG,
				     kt_ioctl(self->fd, kt_iocs[i].nr, arg))
				TH_LOG("  %s, non-zero byte %zu past the end",
				       kt_iocs[i].name, tails[j]);
			free(arg);
		}
	}
}

TEST_F(abi, size_larger_zero_tail_accepted)
{
	size_t qsz = sizeof(struct ksspi_query_package) + 64;
	size_t asz = sizeof(struct ksspi_acquire_credentials) + 128;
	struct ksspi_query_package *q = calloc(1, qsz);
	struct ksspi_acquire_credentials *a = calloc(1, asz);
	struct kt_stats s;
	uint8_t *tail;
	size_t i;

	ASSERT_NE(NULL, q);
	ASSERT_NE(NULL, a);
	q->size = qsz;
	q->name = kt_ptr(KT_PKG);
	q->name_len = strlen(KT_PKG);
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_QUERY_PACKAGE, q));
	EXPECT_STATUS(SEC_E_OK, q->status);
	EXPECT_STREQ(KT_PKG, q->info.name);
	tail = (uint8_t *)q + sizeof(*q);
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(0, tail[i]);
	}

	/* ... and it creates what it should */
	kt_acquire_init(a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a->size = asz;
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS, a));
	ASSERT_STATUS(SEC_E_OK, a->status);
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 3, s.credentials_live);
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a->credential));
	free(q);
	free(a);
}

TEST_F(abi, no_write_past_size)
{
	size_t sz = sizeof(struct ksspi_query_package);
	uint8_t *buf = malloc(sz + 64);
	struct ksspi_query_package *q = (void *)buf;
	size_t i;

	ASSERT_NE(NULL, buf);
	memset(buf, 0xa5, sz + 64);
	memset(q, 0, sz);
	q->size = sz;
	q->name = kt_ptr(KT_PKG);
	q->name_len = strlen(KT_PKG);
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_QUERY_PACKAGE, q));
	EXPECT_STATUS(SEC_E_OK, q->status);
	for (i = sz; i < sz + 64; i++) {
		ASSERT_EQ(0xa5, buf[i]) TH_LOG("  byte %zu past the end "
					       "was written", i - sz);
	}
	free(buf);
}

/* ---- bad structure pointers ---- */

TEST_F(abi, bad_struct_pointer_efault)
{
	void *ptrs[4];
	size_t i, j;

	ptrs[0] = NULL;
	ptrs[1] = (void *)(uintptr_t)8;
	ptrs[2] = self->unmapped;
	ptrs[3] = (void *)(uintptr_t)0xffffffff81000000ull;
	for (i = 0; i < N_IOCS; i++) {
		for (j = 0; j < 4; j++) {
			EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, kt_iocs[i].nr,
						      ptrs[j]))
				TH_LOG("  %s, pointer %p", kt_iocs[i].name,
				       ptrs[j]);
		}
	}
}

TEST_F(abi, struct_straddling_unmapped_page_efault)
{
	long pg = self->page;
	uint8_t *two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	ASSERT_NE(MAP_FAILED, (void *)two);
	ASSERT_EQ(0, mprotect(two + pg, pg, PROT_NONE));
	for (i = 0; i < N_IOCS; i++) {
		/* The size field is readable, the rest is not */
		uint8_t *arg = two + pg - 16;
		uint32_t size = kt_iocs[i].size;

		memset(arg, 0, 16);
		memcpy(arg, &size, sizeof(size));
		EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, kt_iocs[i].nr, arg))
			TH_LOG("  %s", kt_iocs[i].name);
	}
	munmap(two, 2 * pg);
}

TEST_F(abi, unaligned_struct_accepted)
{
	uint8_t *buf = calloc(1, sizeof(struct ksspi_query_package) + 8);
	struct ksspi_query_package q;

	ASSERT_NE(NULL, buf);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.name = kt_ptr(KT_PKG);
	q.name_len = strlen(KT_PKG);
	memcpy(buf + 3, &q, sizeof(q));
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_QUERY_PACKAGE, buf + 3));
	memcpy(&q, buf + 3, sizeof(q));
	EXPECT_STATUS(SEC_E_OK, q.status);
	EXPECT_STREQ(KT_PKG, q.info.name);
	free(buf);
}

/*
 * The kernel can read the structure but not write the answer back: the
 * call fails with EFAULT and whatever it had created is gone again.
 */
TEST_F(abi, readonly_struct_efault_creates_nothing)
{
	struct ksspi_acquire_credentials *a = (void *)self->ro;
	struct kt_isc *isc = (void *)self->ro;
	struct kt_asc *asc;
	uint8_t tok[4096], out[4096];
	uint32_t tlen = sizeof(tok);
	struct kt_stats s;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_type1(self->fd, &self->ccred, tok, &tlen));

	kt_acquire_init(a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ));
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      a));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 2, s.credentials_live);

	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ | PROT_WRITE));
	kt_isc_init(isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0, out,
		    sizeof(out));
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ));
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc->a));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);

	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ | PROT_WRITE));
	asc = (void *)self->ro;
	kt_asc_init(asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ));
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc->a));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ | PROT_WRITE));
}

/* ---- bad pointers inside the structures ---- */

TEST_F(abi, bad_descriptor_pointer_efault)
{
	uint8_t tok[4096], out[4096], data[16] = "x";
	uint32_t tlen = sizeof(tok);
	struct kt_isc isc;
	struct kt_asc asc;
	struct kt_msg m;
	struct kt_hs hs;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_type1(self->fd, &self->ccred, tok, &tlen));

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0, out,
		    sizeof(out));
	isc.a.output.p_buffers = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc.a));

	/* (a NULL array with c_buffers > 0 is a malformed descriptor: a
	 * status, see ksspi_params desc.*.null_buffer_array) */

	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	asc.a.input.p_buffers = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));

	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	asc.a.output.p_buffers = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));

	/* message descriptor, on an established context */
	ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));
	kt_msg_init(&m, &hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	m.a.message.p_buffers = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_MAKE_SIGNATURE,
				      &m.a));
	kt_msg_init(&m, &hs.sctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, sizeof(data));
	m.a.message.p_buffers = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_VERIFY_SIGNATURE,
				      &m.a));
	/* no sequence number was consumed */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "after efault"));
	kt_hs_free(&hs);
}

TEST_F(abi, bad_buffer_pointer_efault)
{
	uint8_t tok[4096], out[4096], sig[KT_SIG_LEN];
	uint8_t *kaddr = (uint8_t *)(uintptr_t)0xffff888000000000ull;
	uint32_t tlen = sizeof(tok);
	struct kt_isc isc;
	struct kt_asc asc;
	struct kt_stats s;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_type1(self->fd, &self->ccred, tok, &tlen));

	/* input token that cannot be read */
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, self->unmapped,
		    tlen, out, sizeof(out));
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, kaddr, tlen, out,
		    sizeof(out));
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));

	/* output token that cannot be written: no context may remain */
	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->unmapped, 4096);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc.a));
	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    kaddr, 4096);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc.a));
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ));
	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0,
		    self->ro, 4096);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc.a));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen,
		    self->ro, 4096);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.contexts_live, s.contexts_live);

	/* target name */
	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, "t", NULL, 0, out,
		    sizeof(out));
	isc.a.target_name = kt_ptr(self->unmapped);
	isc.a.target_name_len = 8;
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc.a));

	/* message data and signature, on an established context */
	{
		struct kt_msg m;
		struct kt_hs hs;

		ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));
		kt_msg_init(&m, &hs.cctx);
		kt_msg_add(&m, SECBUFFER_DATA, self->unmapped, 16);
		kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
		EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd,
					      KSSPI_IOC_MAKE_SIGNATURE, &m.a));
		kt_msg_init(&m, &hs.cctx);
		kt_msg_add(&m, SECBUFFER_DATA, out, 16);
		kt_msg_add(&m, SECBUFFER_TOKEN, self->unmapped, KT_SIG_LEN);
		EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd,
					      KSSPI_IOC_MAKE_SIGNATURE, &m.a));
		kt_msg_init(&m, &hs.sctx);
		kt_msg_add(&m, SECBUFFER_DATA, out, 16);
		kt_msg_add(&m, SECBUFFER_TOKEN, kaddr, KT_SIG_LEN);
		EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd,
					      KSSPI_IOC_VERIFY_SIGNATURE,
					      &m.a));
		/* no sequence number was consumed on either side */
		EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx,
						       self->fd, &hs.sctx,
						       "after efault"));
		kt_hs_free(&hs);
	}
}

TEST_F(abi, bad_string_pointer_efault)
{
	struct ksspi_acquire_credentials a;
	struct ksspi_query_package q;
	struct ksspi_import_context im;
	struct ksspi_enum_packages e;
	struct kt_stats s;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.package = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.user = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.password = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, "D");
	a.domain = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
	ASSERT_EQ(0, kt_stats_read(&s));
	EXPECT_EQ(self->base.credentials_live + 2, s.credentials_live);

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.name = kt_ptr(self->unmapped);
	q.name_len = 9;
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_QUERY_PACKAGE, &q));

	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.package = kt_ptr(KT_PKG);
	im.package_len = strlen(KT_PKG);
	im.blob = kt_ptr(self->unmapped);
	im.blob_len = 256;
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_IMPORT_CONTEXT,
				      &im));

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.count = 4;
	e.packages = kt_ptr(self->unmapped);
	EXPECT_ERRNO(EFAULT, kt_ioctl(self->fd, KSSPI_IOC_ENUM_PACKAGES, &e));
}

TEST_F(abi, bad_answer_pointer_efault)
{
	struct kt_hs hs;
	uint32_t len;

	ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));

	len = 64;
	EXPECT_ERRNO_STATUS(EFAULT, kt_query_attr(self->fd, &hs.cctx,
						  SECPKG_ATTR_SIZES,
						  self->unmapped, &len));
	len = 4096;
	EXPECT_ERRNO_STATUS(EFAULT, kt_export(self->fd, &hs.cctx, 0,
					      self->unmapped, &len));
	kt_hs_free(&hs);
}

/* ---- unknown bits, reserved fields ---- */

TEST_F(abi, unknown_present_bits_einval)
{
	static const uint32_t bits[] = { 1u << 7, 1u << 15, 1u << 31 };
	uint8_t tok[4096], out[4096];
	uint32_t tlen = sizeof(tok);
	struct kt_isc isc;
	struct kt_asc asc;
	size_t i;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_type1(self->fd, &self->ccred, tok, &tlen));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL,
			    0, out, sizeof(out));
		isc.a.present |= bits[i];
		EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
					      &isc.a));
		kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen,
			    out, sizeof(out));
		asc.a.present |= bits[i];
		EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd,
					      KSSPI_IOC_ACCEPT_CONTEXT,
					      &asc.a));
	}
	/* AcceptSecurityContext has no target name */
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	asc.a.present |= KSSPI_ARG_TARGET;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));
}

TEST_F(abi, nonzero_flags_einval)
{
	uint8_t tok[4096], out[4096], blob[64] = { 0 };
	uint32_t tlen = sizeof(tok);
	struct ksspi_query_package q;
	struct ksspi_enum_packages e;
	struct ksspi_acquire_credentials a;
	struct ksspi_import_context im;
	struct kt_isc isc;
	struct kt_asc asc;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_type1(self->fd, &self->ccred, tok, &tlen));

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.name = kt_ptr(KT_PKG);
	q.name_len = strlen(KT_PKG);
	q.flags = 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_QUERY_PACKAGE, &q));

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.flags = 0x80000000u;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ENUM_PACKAGES, &e));

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.flags = 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0, out,
		    sizeof(out));
	isc.a.flags = 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				      &isc.a));

	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	asc.a.flags = 2;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));
	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	asc.a.reserved = 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				      &asc.a));

	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.package = kt_ptr(KT_PKG);
	im.package_len = strlen(KT_PKG);
	im.blob = kt_ptr(blob);
	im.blob_len = sizeof(blob);
	im.flags = 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_IMPORT_CONTEXT,
				      &im));
	im.flags = 0;
	im.reserved = 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_IMPORT_CONTEXT,
				      &im));
}

/* fFlags is an SSPI argument: an unknown bit is a status, not an errno */
TEST_F(abi, unknown_export_flags_refused)
{
	struct kt_hs hs;
	uint8_t *blob = malloc(KSSPI_MAX_CONTEXT_BLOB);
	uint32_t len = KSSPI_MAX_CONTEXT_BLOB;

	ASSERT_NE(NULL, blob);
	ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      kt_export(self->fd, &hs.cctx, 0x100, blob, &len));
	len = KSSPI_MAX_CONTEXT_BLOB;
	EXPECT_STATUS(SEC_E_INVALID_PARAMETER,
		      kt_export(self->fd, &hs.cctx, 0x80000000u, blob, &len));
	len = KSSPI_MAX_CONTEXT_BLOB;
	EXPECT_STATUS(SEC_E_OK, kt_export(self->fd, &hs.cctx, 0, blob, &len));
	kt_hs_free(&hs);
	free(blob);
}

/* ---- ABI limits ---- */

TEST_F(abi, too_many_buffers_e2big)
{
	struct ksspi_sec_buffer bufs[KSSPI_MAX_BUFFERS + 1];
	uint8_t tok[4096], out[4096], data[KSSPI_MAX_BUFFERS + 1][8];
	uint32_t tlen = sizeof(tok);
	struct kt_isc isc;
	struct kt_asc asc;
	struct kt_msg m;
	struct kt_hs hs;
	int i;

	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      kt_type1(self->fd, &self->ccred, tok, &tlen));
	for (i = 0; i <= KSSPI_MAX_BUFFERS; i++) {
		bufs[i].cb_buffer = sizeof(out);
		bufs[i].buffer_type = SECBUFFER_TOKEN;
		bufs[i].pv_buffer = kt_ptr(out);
	}

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, NULL, NULL, 0, out,
		    sizeof(out));
	isc.a.output.c_buffers = KSSPI_MAX_BUFFERS + 1;
	isc.a.output.p_buffers = kt_ptr(bufs);
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				     &isc.a));

	kt_asc_init(&asc, &self->scred, NULL, KT_ASC_REQ, tok, tlen, out,
		    sizeof(out));
	asc.a.input.c_buffers = 0xffffffffu;
	asc.a.input.p_buffers = kt_ptr(bufs);
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_ACCEPT_CONTEXT,
				     &asc.a));

	ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));
	kt_msg_init(&m, &hs.cctx);
	for (i = 0; i <= KSSPI_MAX_BUFFERS; i++)
		kt_msg_add(&m, SECBUFFER_DATA, data[i], sizeof(data[i]));
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_MAKE_SIGNATURE,
				     &m.a));
	kt_hs_free(&hs);
}

TEST_F(abi, max_buffers_accepted)
{
	uint8_t data[KSSPI_MAX_BUFFERS][8], sig[KT_SIG_LEN];
	struct kt_hs hs;
	struct kt_msg m;
	int i;

	ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));
	memset(data, 'd', sizeof(data));

	kt_msg_init(&m, &hs.cctx);
	for (i = 0; i < KSSPI_MAX_BUFFERS - 1; i++)
		kt_msg_add(&m, SECBUFFER_DATA, data[i], sizeof(data[i]));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	EXPECT_STATUS(SEC_E_OK, kt_msg_call(self->fd,
					    KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_EQ(KT_SIG_LEN, m.b[KSSPI_MAX_BUFFERS - 1].cb_buffer);

	kt_msg_init(&m, &hs.sctx);
	for (i = 0; i < KSSPI_MAX_BUFFERS - 1; i++)
		kt_msg_add(&m, SECBUFFER_DATA, data[i], sizeof(data[i]));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	EXPECT_STATUS(SEC_E_OK, kt_msg_call(self->fd,
					    KSSPI_IOC_VERIFY_SIGNATURE, &m));
	kt_hs_free(&hs);
}

TEST_F(abi, string_lengths_over_limit_e2big)
{
	char *big = malloc(KSSPI_MAX_NAME + KSSPI_MAX_PASSWORD + 2);
	uint8_t out[4096];
	struct ksspi_acquire_credentials a;
	struct ksspi_query_package q;
	struct ksspi_import_context im;
	struct kt_isc isc;

	ASSERT_NE(NULL, big);
	memset(big, 'a', KSSPI_MAX_NAME + KSSPI_MAX_PASSWORD + 2);

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.package = kt_ptr(big);
	a.package_len = KSSPI_MAX_PACKAGE_NAME + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				     &a));
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.user = kt_ptr(big);
	a.user_len = KSSPI_MAX_NAME + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				     &a));
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.domain = kt_ptr(big);
	a.domain_len = KSSPI_MAX_NAME + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				     &a));
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.password = kt_ptr(big);
	a.password_len = KSSPI_MAX_PASSWORD + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				     &a));

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.name = kt_ptr(big);
	q.name_len = KSSPI_MAX_PACKAGE_NAME + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_QUERY_PACKAGE, &q));

	kt_isc_init(&isc, &self->ccred, NULL, KT_ISC_REQ, "t", NULL, 0, out,
		    sizeof(out));
	isc.a.target_name = kt_ptr(big);
	isc.a.target_name_len = KSSPI_MAX_NAME + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_INIT_CONTEXT,
				     &isc.a));

	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.package = kt_ptr(big);
	im.package_len = KSSPI_MAX_PACKAGE_NAME + 1;
	im.blob = kt_ptr(big);
	im.blob_len = 64;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_IMPORT_CONTEXT,
				     &im));
	free(big);
}

TEST_F(abi, blob_over_limit_e2big)
{
	uint8_t *blob = calloc(1, KSSPI_MAX_CONTEXT_BLOB + 1);
	struct ksspi_import_context im;

	ASSERT_NE(NULL, blob);
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.package = kt_ptr(KT_PKG);
	im.package_len = strlen(KT_PKG);
	im.blob = kt_ptr(blob);
	im.blob_len = KSSPI_MAX_CONTEXT_BLOB + 1;
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_IMPORT_CONTEXT,
				     &im));
	free(blob);
}

TEST_F(abi, message_over_limit_e2big)
{
	size_t len = KSSPI_MAX_MESSAGE + 1;
	uint8_t *data = mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t sig[KT_SIG_LEN];
	struct kt_hs hs;
	struct kt_msg m;

	ASSERT_NE(MAP_FAILED, (void *)data);
	ASSERT_STATUS(SEC_E_OK, kt_pair_up(self->fd, &hs));
	/* one buffer over the limit */
	kt_msg_init(&m, &hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, (uint32_t)len);
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_MAKE_SIGNATURE,
				     &m.a));
	/* two buffers that only together are over it */
	kt_msg_init(&m, &hs.cctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, (uint32_t)(len / 2));
	kt_msg_add(&m, SECBUFFER_DATA, data, (uint32_t)(len / 2 + 1));
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sizeof(sig));
	EXPECT_ERRNO(E2BIG, kt_ioctl(self->fd, KSSPI_IOC_MAKE_SIGNATURE,
				     &m.a));
	/* the sequence was not consumed: the next signature verifies */
	EXPECT_STATUS(SEC_E_OK, kt_sign_verify(self->fd, &hs.cctx, self->fd,
					       &hs.sctx, "after e2big"));
	kt_hs_free(&hs);
	munmap(data, len);
}

TEST_F(abi, max_name_lengths_accepted)
{
	char *name = malloc(KSSPI_MAX_NAME);
	struct ksspi_acquire_credentials a;

	ASSERT_NE(NULL, name);
	memset(name, 'n', KSSPI_MAX_NAME);
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.user = kt_ptr(name);
	a.user_len = KSSPI_MAX_NAME;
	a.password = kt_ptr(name);
	a.password_len = KSSPI_MAX_PASSWORD;
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS, &a));
	EXPECT_STATUS(SEC_E_OK, a.status);
	if (a.status == SEC_E_OK)
		EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a.credential));
	free(name);
}

/* ---- ioctl numbers ---- */

TEST_F(abi, unknown_ioctl_enotty)
{
	uint8_t arg[256] = { 0 };
	uint32_t size = sizeof(arg);
	static const unsigned long nrs[] = {
		_IOWR(KSSPI_IOC_MAGIC, 0x10, uint8_t[256]),
		_IOWR(KSSPI_IOC_MAGIC, 0x11, uint8_t[256]),
		_IOWR(KSSPI_IOC_MAGIC, 0x80, uint8_t[256]),
		_IOWR(KSSPI_IOC_MAGIC, 0xff, uint8_t[256]),
		_IOWR(KSSPI_IOC_MAGIC - 1, 0x00, struct ksspi_query_package),
		_IOWR(KSSPI_IOC_MAGIC + 1, 0x04, struct ksspi_init_context),
	};
	size_t i;

	memcpy(arg, &size, sizeof(size));
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		EXPECT_ERRNO(ENOTTY, kt_ioctl(self->fd, nrs[i], arg))
			TH_LOG("  ioctl 0x%lx", nrs[i]);
	}
}

TEST_F(abi, ioctl_size_field_is_informative)
{
	static const unsigned long nrs[] = {
		_IO(KSSPI_IOC_MAGIC, 0x00),
		_IOR(KSSPI_IOC_MAGIC, 0x00, uint64_t),
		_IOWR(KSSPI_IOC_MAGIC, 0x00, uint8_t[8]),
		_IOC(_IOC_READ | _IOC_WRITE, KSSPI_IOC_MAGIC, 0x00, 0x3fff),
	};
	struct ksspi_query_package q;
	size_t i;

	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.name = kt_ptr(KT_PKG);
		q.name_len = strlen(KT_PKG);
		EXPECT_ERRNO(0, kt_ioctl(self->fd, nrs[i], &q))
			TH_LOG("  ioctl 0x%lx", nrs[i]);
		EXPECT_STATUS(SEC_E_OK, q.status);
		EXPECT_STREQ(KT_PKG, q.info.name);
	}
}

/* ---- the two package ioctls ---- */

/*
 * Programs built before struct ksspi_acquire_credentials grew its TLS
 * keys pass the old size; one byte less is refused.
 */
TEST_F(abi, acquire_credentials_old_size)
{
	struct ksspi_acquire_credentials a;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.size = KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER0;
	a.tls_certificate_key = 0x7fffffff;	/* beyond the old size */
	ASSERT_EQ(0, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS, &a));
	EXPECT_STATUS(SEC_E_OK, a.status);
	EXPECT_EQ(0x7fffffff, a.tls_certificate_key);	/* not written */
	EXPECT_STATUS(SEC_E_OK, kt_free_cred(self->fd, &a.credential));

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.size = KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER0 - 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));

	/* The new size with TLS keys for a package without TLS: refused */
	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, KT_USER, KT_PASSWORD, NULL);
	a.tls_certificate_key = KEY_SPEC_SESSION_KEYRING;
	a.tls_private_key = KEY_SPEC_SESSION_KEYRING;
	ASSERT_EQ(0, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS, &a));
	EXPECT_STATUS(SEC_E_UNKNOWN_CREDENTIALS, a.status);
}

/*
 * KSSPI_IDENTITY_DELEGATION needs the size with delegation_context and no
 * TLS keys; a handle that names no context is SEC_E_INVALID_HANDLE, and a
 * package without delegation (the test package) SEC_E_NO_CREDENTIALS is
 * covered with a real context by krb5_ksspi.
 */
TEST_F(abi, acquire_credentials_delegation)
{
	struct ksspi_acquire_credentials a;

	kt_acquire_init(&a, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL);
	a.identity_type = KSSPI_IDENTITY_DELEGATION;
	a.size = KSSPI_ACQUIRE_CREDENTIALS_SIZE_VER1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
	a.size = sizeof(a);
	a.tls_certificate_key = KEY_SPEC_SESSION_KEYRING;
	a.tls_private_key = KEY_SPEC_SESSION_KEYRING;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
	a.tls_certificate_key = 0;
	a.tls_private_key = 0;
	a.delegation_context.lower = 0x1234;
	a.delegation_context.upper = 0x5678;
	ASSERT_EQ(0, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS, &a));
	EXPECT_STATUS(SEC_E_INVALID_HANDLE, a.status);
	a.identity_type = KSSPI_IDENTITY_DELEGATION + 1;
	EXPECT_ERRNO(EINVAL, kt_ioctl(self->fd, KSSPI_IOC_ACQUIRE_CREDENTIALS,
				      &a));
}

TEST_F(abi, query_package)
{
	struct ksspi_package_info info;

	memset(&info, 0, sizeof(info));
	ASSERT_STATUS(SEC_E_OK, kt_query_package(self->fd, KT_PKG, &info));
	EXPECT_STREQ(KT_PKG, info.name);
	EXPECT_NE(0u, info.max_token);
	EXPECT_NE(0u, info.capabilities & SECPKG_FLAG_INTEGRITY);
	EXPECT_EQ(0u, info.capabilities & SECPKG_FLAG_PRIVACY);
	EXPECT_TRUE(memchr(info.name, 0, sizeof(info.name)) != NULL);
	EXPECT_TRUE(memchr(info.comment, 0, sizeof(info.comment)) != NULL);

	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
		      kt_query_package(self->fd, "NoSuchPackage", NULL));
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
		      kt_query_package(self->fd, "", NULL));
	/* a prefix is not the package */
	EXPECT_STATUS(SEC_E_SECPKG_NOT_FOUND,
		      kt_query_package(self->fd, "Ksspi", NULL));
}

TEST_F(abi, enum_packages)
{
	struct ksspi_enum_packages e;
	struct ksspi_package_info *infos;
	uint32_t i, n;
	bool found = false;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_ENUM_PACKAGES, &e));
	ASSERT_LE(1u, e.count) TH_LOG("  no package offered");
	n = e.count;

	infos = calloc(n, sizeof(*infos));
	ASSERT_NE(NULL, infos);
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.count = n;
	e.packages = kt_ptr(infos);
	ASSERT_ERRNO(0, kt_ioctl(self->fd, KSSPI_IOC_ENUM_PACKAGES, &e));
	EXPECT_STATUS(SEC_E_OK, e.status);
	EXPECT_EQ(n, e.count);
	for (i = 0; i < e.count && i < n; i++)
		if (!strcmp(infos[i].name, KT_PKG))
			found = true;
	EXPECT_TRUE(found) TH_LOG("  %s not listed", KT_PKG);
	free(infos);
}

TEST_HARNESS_MAIN
