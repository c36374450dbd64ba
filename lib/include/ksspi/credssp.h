/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ksspi's own QueryContextAttributes answers for CredSSP contexts (no
 * Windows header has them).  Documentation/credssp-records.rst.
 */
#ifndef _KSSPI_CREDSSP_H
#define _KSSPI_CREDSSP_H

#include "sspi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same values as <linux/ksspi_sspi.h>'s */
#ifndef KSSPI_ATTR_CREDSSP_INFO
#define KSSPI_ATTR_CREDSSP_INFO		0x4B530300u
#define KSSPI_ATTR_CREDSSP_DELEGATED	0x4B530301u
#endif
#ifndef KSSPI_CREDSSP_F_RESUMED
#define KSSPI_CREDSSP_F_RESUMED		(1u << 0)
#endif

/* KSSPI_ATTR_CREDSSP_INFO: how the context was made. */
typedef struct _KsspiCredSspInfo {
	ULONG TsRequestVersion;		/* 2 to 6 */
	ULONG Flags;			/* KSSPI_CREDSSP_F_* */
	uint16_t TlsVersion;		/* 0x0303 (1.2) or 0x0304 (1.3) */
	uint16_t TlsCipher;		/* kTLS's TLS_CIPHER_* number */
	char InnerPackage[64];		/* UTF-8, NUL-terminated */
} KsspiCredSspInfo;

/*
 * KSSPI_ATTR_CREDSSP_DELEGATED, acceptor only: the TSCredentials the client
 * delegated, DER as received (MS-CSSP 2.2.1.2).  pCredentials is freed,
 * and wiped, with FreeContextBuffer().
 */
typedef struct _KsspiCredSspDelegated {
	ULONG cbCredentials;
	unsigned char *pCredentials;
} KsspiCredSspDelegated;

#ifdef __cplusplus
}
#endif

#endif /* _KSSPI_CREDSSP_H */
