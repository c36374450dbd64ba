// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi: KsspiInstallKtls(), one KSSPI_IOC_INSTALL_KTLS.
 */
#include <string.h>

#include <ksspi/ktls.h>

#include "internal.h"

SECURITY_STATUS KsspiInstallKtls(PCtxtHandle phContext, int fd,
				 unsigned long fFlags)
{
	struct ksspi_install_ktls req;
	SECURITY_STATUS st;

	if (!phContext)
		return SEC_E_INVALID_HANDLE;
	if (!fFlags || (fFlags & ~(unsigned long)KSSPI_KTLS_ALL) || fd < 0)
		return SEC_E_INVALID_PARAMETER;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	ksspi_priv_handle_to_abi(&req.context, phContext);
	req.fd = fd;
	req.flags = (uint32_t)fFlags;
	st = ksspi_priv_call(KSSPI_IOC_INSTALL_KTLS, &req, SEC_E_INTERNAL_ERROR);
	return st != SEC_E_OK ? st : ST(req.status);
}
