/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libksspi: handing a context's TLS records to kTLS, ksspi's own function
 * beyond Sspi.h (Documentation/credssp-records.rst, "The kTLS handoff").
 *
 * KsspiInstallKtls() gives the connected TCP socket @fd the "tls" ULP and
 * hands it the directions of an established CredSSP context's TLS record
 * layer that @fFlags names, with the keys and sequence numbers the context
 * has reached: from then on send() and recv() on @fd carry the TLS session
 * on, and the context no longer protects messages in those directions.
 */
#ifndef _KSSPI_KTLS_H
#define _KSSPI_KTLS_H

#include "sspi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same values as <linux/ksspi.h>'s */
#ifndef KSSPI_KTLS_TX
#define KSSPI_KTLS_TX		(1u << 0)	/* what this side sends */
#define KSSPI_KTLS_RX		(1u << 1)	/* what it receives */
#endif

#if defined(__GNUC__)
#define _KSSPI_API	__attribute__((visibility("default")))
#else
#define _KSSPI_API
#endif

/*
 * SEC_E_OK; SEC_E_INVALID_HANDLE; SEC_E_INVALID_PARAMETER (no or unknown
 * flags, @fd not a connected TCP socket, another ULP, a direction kTLS has
 * already); SEC_E_CONTEXT_EXPIRED; SEC_E_NO_CONTEXT;
 * SEC_E_UNSUPPORTED_FUNCTION (not a CredSSP context, a direction handed
 * over already, no kTLS); SEC_E_INSUFFICIENT_MEMORY.
 */
_KSSPI_API SECURITY_STATUS SEC_ENTRY KsspiInstallKtls(PCtxtHandle phContext,
						      int fd,
						      unsigned long fFlags);

#undef _KSSPI_API

#ifdef __cplusplus
}
#endif

#endif /* _KSSPI_KTLS_H */
