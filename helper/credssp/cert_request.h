/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding a TLS server's CertificateRequest before the client's handshake
 * takes it in, for SEC_I_INCOMPLETE_CREDENTIALS: Schannel stops there and
 * lets its caller bring a certificate, while GnuTLS chooses one (or none)
 * inside the handshake, with no way back.  So the client looks at the
 * server's records first and only then gives them to GnuTLS, unchanged.
 *
 * TLS 1.2's request is in plaintext records.  TLS 1.3's is encrypted with
 * the server's handshake traffic key: the finder stops after the
 * ServerHello, the caller lets GnuTLS take that far (which derives the
 * secret and reports it through its key log), hands the finder the secret,
 * and the finder opens the records that follow with it, as GnuTLS will.
 */
#ifndef KSSPID_CREDSSP_CERT_REQUEST_H
#define KSSPID_CREDSSP_CERT_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "bytes.h"

struct cert_request_finder;

enum cert_request_result {
	CERT_REQUEST_NOT_YET,	/* look at the server's next records too */
	CERT_REQUEST_FOUND,	/* asked; the CA names are in issuers */
	CERT_REQUEST_NONE,	/* the server's flight ended without one,
				 * or the finder gave up (GnuTLS judges) */
	CERT_REQUEST_NEED_KEY,	/* a TLS 1.3 ServerHello ends at *@used:
				 * give the handshake that much, then
				 * cert_request_set_key() */
};

struct cert_request_finder *cert_request_finder_new(void);
void cert_request_finder_free(struct cert_request_finder *f);

/*
 * Looks at the whole TLS records @in (@len bytes), from the server, in the
 * order the handshake will get them.  *@used: the bytes looked at (all,
 * but for CERT_REQUEST_NEED_KEY).  With CERT_REQUEST_FOUND, @issuers
 * receives the CAs the server named: each a big-endian u16 length and a
 * DER DistinguishedName (none: any CA).  Every later call returns what
 * the search came to.
 */
enum cert_request_result cert_request_scan(struct cert_request_finder *f,
					   const uint8_t *in, size_t len,
					   size_t *used,
					   struct bytes *issuers);

/*
 * The server's TLS 1.3 handshake traffic secret and the suite's cipher and
 * hash, after CERT_REQUEST_NEED_KEY.  0, or -EINVAL (the finder then
 * answers CERT_REQUEST_NONE).
 */
int cert_request_set_key(struct cert_request_finder *f,
			 gnutls_cipher_algorithm_t cipher,
			 gnutls_digest_algorithm_t hash,
			 const uint8_t *secret, size_t secret_len);

#endif /* KSSPID_CREDSSP_CERT_REQUEST_H */
