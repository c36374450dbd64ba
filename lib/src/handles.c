// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: CredHandle / CtxtHandle <-> struct ksspi_handle.
 */
#include "internal.h"

void ksspi_priv_handle_to_abi(struct ksspi_handle *k, const SecHandle *h)
{
	k->lower = h->dwLower;
	k->upper = h->dwUpper;
}

SECURITY_STATUS ksspi_priv_handle_from_abi(SecHandle *h,
					   const struct ksspi_handle *k)
{
#if UINTPTR_MAX < UINT64_MAX
	/* A 32-bit ULONG_PTR cannot hold every handle the kernel may give */
	if (k->lower > UINTPTR_MAX || k->upper > UINTPTR_MAX)
		return SEC_E_INTERNAL_ERROR;
#endif
	h->dwLower = (ULONG_PTR)k->lower;
	h->dwUpper = (ULONG_PTR)k->upper;
	return SEC_E_OK;
}
