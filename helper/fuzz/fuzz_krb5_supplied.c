// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: SECBUFFER_PKG_PARAMS of a Kerberos client leg with
 * ISC_REQ_USE_SUPPLIED_CREDS (kerberos/supplied.c), a KRB-CRED message
 * that MIT decodes.  Whatever the input, the answer is a status and either
 * a cache to destroy or nothing, without leaks.
 */
#include <stdint.h>
#include <stdlib.h>

#include <linux/ksspi_sspi.h>

#include "kerberos/kerberos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kerberos_ccache cc = { 0 };
	uint32_t status;

	status = kerberos_supplied_ccache(data, size, &cc);
	if ((status == SEC_E_OK) != (cc.cc != NULL))
		abort();
	kerberos_ccache_destroy(&cc);
	return 0;
}
