// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Status values and names: <ksspi/sspi.h> against <linux/ksspi_sspi.h>,
 * ksspi_status_name(), and the errno mapping.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "status_list.h"
#include "tap.h"

struct uapi_status {
	const char *name;
	uint32_t value;
};

extern const struct uapi_status uapi_statuses[];
extern const size_t uapi_status_count;

static const struct {
	const char *name;
	SECURITY_STATUS value;
} public_statuses[] = {
#define X(n)	{ #n, n },
	KSSPI_STATUS_LIST(X)
#undef X
};

int main(void)
{
	size_t i, n = ARRAY_SIZE(public_statuses);
	int same = 1, named = 1, unique = 1;

	is(uapi_status_count, n, "same list on both sides");
	for (i = 0; i < n && i < uapi_status_count; i++) {
		if ((uint32_t)public_statuses[i].value !=
		    uapi_statuses[i].value) {
			diag("%s: 0x%08x vs 0x%08x", public_statuses[i].name,
			     (uint32_t)public_statuses[i].value,
			     uapi_statuses[i].value);
			same = 0;
		}
	}
	ok(same, "every SEC_E_/SEC_I_ value equals the kernel header's");

	for (i = 0; i < n; i++) {
		const char *s = ksspi_status_name(public_statuses[i].value);

		if (!s || strcmp(s, public_statuses[i].name)) {
			diag("%s named %s", public_statuses[i].name,
			     s ? s : "(null)");
			named = 0;
		}
		if (i && public_statuses[i].value ==
		    public_statuses[i - 1].value)
			unique = 0;
	}
	ok(named, "ksspi_status_name() names all %zu statuses", n);
	ok(unique, "no two statuses share a value");

	is_str(ksspi_status_name(SEC_E_OK), "SEC_E_OK", "SEC_E_OK");
	is_str(ksspi_status_name(SEC_E_INVALID_HANDLE),
	       "SEC_E_INVALID_HANDLE", "SEC_E_INVALID_HANDLE");
	is((uint32_t)SEC_E_INVALID_HANDLE, 0x80100003u,
	   "SEC_E_INVALID_HANDLE is the reference page's 0x80100003");
	is_str(ksspi_status_name(SEC_I_RENEGOTIATE), "SEC_I_RENEGOTIATE",
	       "SEC_I_RENEGOTIATE and SEC_E_BUFFER_TOO_SMALL differ");
	ok(ksspi_status_name(0x12345678) == NULL, "unknown value: NULL");
	ok(ksspi_status_name(-1) == NULL, "-1: NULL");

	ok(SEC_E_LOGON_DENIED < 0, "errors are negative SECURITY_STATUS");
	ok(SEC_I_CONTINUE_NEEDED > 0, "informational codes are positive");
	ok(SEC_SUCCESS(SEC_E_OK) && SEC_SUCCESS(SEC_I_COMPLETE_NEEDED) &&
	   !SEC_SUCCESS(SEC_E_INTERNAL_ERROR), "SEC_SUCCESS()");
	ok(sizeof(SECURITY_STATUS) == 4 && sizeof(ULONG) == 4 &&
	   sizeof(TimeStamp) == 8 && sizeof(ULONG_PTR) == sizeof(void *),
	   "type widths");

	is(ksspi_priv_errno_status(ENOMEM), SEC_E_INSUFFICIENT_MEMORY,
	   "ENOMEM -> SEC_E_INSUFFICIENT_MEMORY");
	is(ksspi_priv_errno_status(EFAULT), SEC_E_INVALID_PARAMETER,
	   "EFAULT -> SEC_E_INVALID_PARAMETER");
	is(ksspi_priv_errno_status(EINVAL), SEC_E_INVALID_PARAMETER,
	   "EINVAL -> SEC_E_INVALID_PARAMETER");
	is(ksspi_priv_errno_status(E2BIG), SEC_E_INVALID_PARAMETER,
	   "E2BIG -> SEC_E_INVALID_PARAMETER");
	is(ksspi_priv_errno_status(EPERM), SEC_E_NOT_OWNER,
	   "EPERM -> SEC_E_NOT_OWNER");
	is(ksspi_priv_errno_status(ENOTTY), SEC_E_INTERNAL_ERROR,
	   "ENOTTY -> SEC_E_INTERNAL_ERROR");
	is(ksspi_priv_errno_status(EACCES), SEC_E_INTERNAL_ERROR,
	   "EACCES -> SEC_E_INTERNAL_ERROR");
	is(ksspi_priv_errno_status(EIO), SEC_E_INTERNAL_ERROR,
	   "EIO -> SEC_E_INTERNAL_ERROR");

	{
		TimeStamp ts;

		ksspi_timestamp_from_int64(&ts, KSSPI_TIMESTAMP_NEVER);
		ok(ts.LowPart == 0xFFFFFFFFu && ts.HighPart == 0x7FFFFFFF,
		   "KSSPI_TIMESTAMP_NEVER splits into halves");
		is(ksspi_timestamp_to_int64(&ts), KSSPI_TIMESTAMP_NEVER,
		   "and joins back");
		ksspi_timestamp_from_int64(&ts, -2);
		ok(ts.LowPart == 0xFFFFFFFEu && ts.HighPart == -1,
		   "negative times keep their sign");
		is(ksspi_timestamp_to_int64(&ts), (uint64_t)(int64_t)-2,
		   "and join back");
	}
	{
		SecHandle h;

		SecInvalidateHandle(&h);
		ok(!SecIsValidHandle(&h), "SecInvalidateHandle()");
		h.dwLower = 1;
		h.dwUpper = 2;
		ok(SecIsValidHandle(&h), "SecIsValidHandle()");
	}
	return tap_done();
}
