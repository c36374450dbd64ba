// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * QuerySecurityPackageInfoA/W and EnumerateSecurityPackagesA/W.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"
#include "tap.h"

static struct ksspi_query_package last_q;
static char last_name[128];

static int spy(unsigned long req, void *arg)
{
	if (req == KSSPI_IOC_QUERY_PACKAGE) {
		last_q = *(struct ksspi_query_package *)arg;
		memset(last_name, 0, sizeof(last_name));
		if (last_q.name_len < sizeof(last_name))
			memcpy(last_name, (void *)(uintptr_t)last_q.name,
			       last_q.name_len);
	}
	return fake_kernel_ioctl(req, arg);
}

/* A kernel whose package list grows between the two calls */
static unsigned int grow_calls;

static int growing(unsigned long req, void *arg)
{
	struct ksspi_enum_packages *e = arg;
	uint32_t n = ++grow_calls < 3 ? grow_calls : 3;
	struct ksspi_package_info *p = (void *)(uintptr_t)e->packages;
	uint32_t i;

	if (req != KSSPI_IOC_ENUM_PACKAGES)
		return fake_kernel_ioctl(req, arg);
	if (e->count < n) {
		e->count = n;
		e->status = (uint32_t)SEC_E_BUFFER_TOO_SMALL;
		return 0;
	}
	for (i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].name[0] = (char)('A' + i);
		p[i].max_token = 100 + i;
	}
	e->count = n;
	e->status = SEC_E_OK;
	return 0;
}

static uint32_t fixed_count;

static int fixed(unsigned long req, void *arg)
{
	struct ksspi_enum_packages *e = arg;

	(void)req;
	if (e->count < fixed_count) {
		e->count = fixed_count;
		e->status = SEC_E_OK;
		return 0;
	}
	e->count = fixed_count;
	e->status = SEC_E_OK;
	return 0;
}

static int bad_name(unsigned long req, void *arg)
{
	struct ksspi_query_package *q = arg;

	(void)req;
	memset(&q->info, 'x', sizeof(q->info));	/* no NUL anywhere */
	q->status = SEC_E_OK;
	return 0;
}

int main(void)
{
	SecPkgInfoA *pa;
	SecPkgInfoW *pw;
	SECURITY_STATUS st;
	static const char name[] = "FakeTest";
	ULONG n;

	mock_reset(spy);

	diag("QuerySecurityPackageInfoA");
	st = QuerySecurityPackageInfoA(name, &pa);
	is(st, SEC_E_OK, "FakeTest found");
	is(mock_last_request, KSSPI_IOC_QUERY_PACKAGE, "QUERY_PACKAGE");
	is(last_q.size, sizeof(struct ksspi_query_package), "size");
	ok(last_q.name == (uintptr_t)name && last_q.name_len == 8,
	   "name pointer and length");
	is(last_q.flags, 0, "flags 0");
	ok(pa->fCapabilities == (SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |
				 SECPKG_FLAG_CONNECTION |
				 SECPKG_FLAG_MUTUAL_AUTH) &&
	   pa->wVersion == 1 && pa->wRPCID == 0xFFFF && pa->cbMaxToken == 300,
	   "numbers");
	is_str(pa->Name, "FakeTest", "Name");
	is_str(pa->Comment, "Fake test package", "Comment");
	FreeContextBuffer(pa);

	mock_calls = 0;
	st = QuerySecurityPackageInfoA(name, &pa);
	is(mock_calls, 1, "always asks the kernel (never cached)");
	FreeContextBuffer(pa);

	st = QuerySecurityPackageInfoA("fAKEtEST", &pa);
	ok(st == SEC_E_OK && !strcmp(pa->Name, "FakeTest"),
	   "the kernel's spelling of the name is returned");
	FreeContextBuffer(pa);

	/* Windows leaves *ppPackageInfo alone when the call fails */
	pa = (SecPkgInfoA *)1;
	is(QuerySecurityPackageInfoA("Nope", &pa), SEC_E_SECPKG_NOT_FOUND,
	   "unknown package");
	ok(pa == (SecPkgInfoA *)1, "  *ppPackageInfo untouched");
	is(QuerySecurityPackageInfoA(NULL, &pa), SEC_E_SECPKG_NOT_FOUND,
	   "NULL name");
	ok(pa == (SecPkgInfoA *)1, "  *ppPackageInfo untouched");
	is(QuerySecurityPackageInfoA("", &pa), SEC_E_SECPKG_NOT_FOUND,
	   "empty name");
	ok(pa == (SecPkgInfoA *)1, "  *ppPackageInfo untouched");
	mock_reset(NULL);
	is(QuerySecurityPackageInfoA(name, &pa), SEC_E_INTERNAL_ERROR,
	   "ioctl refused (ENOTTY)");
	ok(pa == (SecPkgInfoA *)1, "  *ppPackageInfo untouched");
	mock_reset(spy);
	is(QuerySecurityPackageInfoA(name, NULL), SEC_E_INVALID_PARAMETER,
	   "NULL ppPackageInfo");

	diag("QuerySecurityPackageInfoW");
	st = QuerySecurityPackageInfoW(u"FakeBig", &pw);
	is(st, SEC_E_OK, "FakeBig found");
	is_str(last_name, "FakeBig", "name passed in UTF-8");
	ok(pw->cbMaxToken == 5000 && pw->wVersion == 2, "numbers");
	is_mem(pw->Name, u"FakeBig", 8 * sizeof(SEC_WCHAR), "Name in UTF-16");
	is_mem(pw->Comment, u"F\u00e4ke \u2713 \U0001D11E",
	       10 * sizeof(SEC_WCHAR), "Comment in UTF-16 with a surrogate pair");
	FreeContextBuffer(pw);
	pw = (SecPkgInfoW *)1;
	is(QuerySecurityPackageInfoW(u"Nope", &pw), SEC_E_SECPKG_NOT_FOUND,
	   "unknown package");
	ok(pw == (SecPkgInfoW *)1, "  *ppPackageInfo untouched");
	{
		static const SEC_WCHAR bad[] = { 0xD800, 0 };

		mock_calls = 0;
		is(QuerySecurityPackageInfoW(bad, &pw), SEC_E_SECPKG_NOT_FOUND,
		   "unpaired surrogate: not found");
		is(mock_calls, 0, "  without an ioctl");
		ok(pw == (SecPkgInfoW *)1, "  *ppPackageInfo untouched");
	}
	is(QuerySecurityPackageInfoW(NULL, &pw), SEC_E_SECPKG_NOT_FOUND,
	   "NULL name");
	ok(pw == (SecPkgInfoW *)1, "  *ppPackageInfo untouched");

	diag("EnumerateSecurityPackagesA/W");
	fake_enum_style = 0;
	mock_calls = 0;
	st = EnumerateSecurityPackagesA(&n, &pa);
	is(st, SEC_E_OK, "SEC_E_OK (short array: SEC_E_BUFFER_TOO_SMALL)");
	is(mock_calls, 2, "count, then the array");
	is(n, 3, "three packages");
	ok(!strcmp(pa[0].Name, "FakeTest") && !strcmp(pa[1].Name, "FakeBig") &&
	   pa[1].cbMaxToken == 5000 &&
	   !strcmp(pa[1].Comment, "F\xc3\xa4ke \xe2\x9c\x93 \xf0\x9d\x84\x9e"),
	   "both described");
	FreeContextBuffer(pa);

	fake_enum_style = 1;
	st = EnumerateSecurityPackagesW(&n, &pw);
	ok(st == SEC_E_OK && n == 3, "W: SEC_E_OK (short array: SEC_E_OK)");
	ok(!memcmp(pw[0].Name, u"FakeTest", 18) &&
	   !memcmp(pw[1].Name, u"FakeBig", 16) &&
	   !memcmp(pw[1].Comment, u"F\u00e4ke \u2713 \U0001D11E", 20),
	   "W: names and comments in UTF-16");
	FreeContextBuffer(pw);

	is(EnumerateSecurityPackagesA(NULL, &pa), SEC_E_INVALID_PARAMETER,
	   "NULL pcPackages");
	is(EnumerateSecurityPackagesA(&n, NULL), SEC_E_INVALID_PARAMETER,
	   "NULL ppPackageInfo");

	mock_reset(growing);
	st = EnumerateSecurityPackagesA(&n, &pa);
	ok(st == SEC_E_OK && n == 3 && !strcmp(pa[2].Name, "C"),
	   "packages appearing in between: asks again");
	FreeContextBuffer(pa);

	mock_reset(fixed);
	fixed_count = 0;
	st = EnumerateSecurityPackagesA(&n, &pa);
	ok(st == SEC_E_OK && n == 0 && pa != NULL,
	   "no packages: count 0 and a freeable pointer");
	FreeContextBuffer(pa);
	fixed_count = 100000;
	is(EnumerateSecurityPackagesA(&n, &pa), SEC_E_INTERNAL_ERROR,
	   "an absurd count is refused");
	ok(n == 0 && pa == NULL, "  outputs cleared");

	mock_reset(bad_name);
	is(QuerySecurityPackageInfoA(name, &pa), SEC_E_INTERNAL_ERROR,
	   "an unterminated package name from the kernel is refused");

	is(FreeContextBuffer(NULL), SEC_E_OK, "FreeContextBuffer(NULL)");
	return tap_done();
}
