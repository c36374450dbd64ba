/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a Negotiate acceptor's first input token is (MS-SPNG 3.2.5.1:
 * Windows' Negotiate accepts a SPNEGO token, and also a raw NTLM message or
 * a raw Kerberos GSS token, answering those in kind).  Only the framing
 * is looked at; the token's owner parses the rest.
 */
#ifndef KSSPID_SPNEGO_FIRST_TOKEN_H
#define KSSPID_SPNEGO_FIRST_TOKEN_H

#include <stddef.h>
#include <stdint.h>

enum spnego_first_token {
	SPNEGO_FIRST_INVALID,	/* none of the below: SEC_E_INVALID_TOKEN */
	SPNEGO_FIRST_SPNEGO,	/* 0x60 framing with the SPNEGO OID */
	SPNEGO_FIRST_RAW_NTLM,	/* "NTLMSSP\0" signature */
	SPNEGO_FIRST_RAW_KRB5,	/* 0x60 framing, krb5 or MS krb5 OID */
};

/*
 * The kind of @token (@len bytes, hostile).  A 0x60 framing must be
 * definite DER spanning exactly @len bytes and begin with an OID.
 */
enum spnego_first_token spnego_first_token_kind(const uint8_t *token,
						size_t len);

#endif /* KSSPID_SPNEGO_FIRST_TOKEN_H */
