/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ASN.1 messages of CredSSP (MS-CSSP 2.2.1): TSRequest, TSCredentials
 * and the credentials inside, and the subjectPublicKey of a certificate's
 * SubjectPublicKeyInfo (what pubKeyAuth binds).  DER through libtasn1.
 * Every decoder treats its input as hostile: a malformed or oversized
 * message gives -EINVAL and leaves the output empty.
 */
#ifndef KSSPID_CREDSSP_TSREQUEST_H
#define KSSPID_CREDSSP_TSREQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* TSRequest versions this implementation speaks. */
#define TS_VERSION_MIN		2
#define TS_VERSION_MAX		6

#define TS_CLIENT_NONCE_LEN	32

/* Longest DER message accepted by the decoders. */
#define TS_MAX_MESSAGE		(1024 * 1024)

/*
 * A TSRequest.  Absent optional fields are empty byte strings (or, for
 * error_code, has_error_code false).  Only the first NegoData entry is kept:
 * every known peer sends one, and MS-CSSP 3.1.5 uses one.
 */
struct ts_request {
	uint32_t version;
	struct bytes nego_token;	/* negoTokens[0].negoToken */
	struct bytes auth_info;		/* authInfo: encrypted TSCredentials */
	struct bytes pub_key_auth;	/* pubKeyAuth */
	bool has_error_code;
	uint32_t error_code;		/* errorCode (NTSTATUS), version 3+ */
	struct bytes client_nonce;	/* clientNonce, version 5+ */
};

/*
 * Decodes the DER TSRequest @der into @out (zeroed by the caller).  A
 * negoTokens with no entry, a clientNonce not TS_CLIENT_NONCE_LEN bytes
 * long, or trailing bytes after the SEQUENCE are refused.  The version is
 * stored as sent (0 to UINT32_MAX; negative is refused): negotiating it
 * is the caller's job.  errorCode may come as a negative 32-bit INTEGER
 * (how NTSTATUS values are sent) or a positive one; either is stored as
 * its uint32_t bit pattern.  0, -EINVAL or -ENOMEM; on failure @out is
 * cleared.  Documentation/credssp-messages.rst lists what is accepted.
 */
int ts_request_decode(const uint8_t *der, size_t len, struct ts_request *out);

/*
 * Encodes @in as DER into the empty @der.  Empty fields are left out
 * (an empty nego_token means no negoTokens).  -EINVAL for a version
 * outside TS_VERSION_MIN..TS_VERSION_MAX, an error code below version 3,
 * a client nonce below version 5 or not TS_CLIENT_NONCE_LEN long, or a
 * message over TS_MAX_MESSAGE; error_code goes out as a 32-bit signed
 * INTEGER, as Windows and FreeRDP send it.  0, -EINVAL or -ENOMEM.
 */
int ts_request_encode(const struct ts_request *in, struct bytes *der);

/* Wipes and frees the fields of @r, leaving it zeroed. */
void ts_request_clear(struct ts_request *r);

/* TSCredentials.credType (MS-CSSP 2.2.1.2) */
enum ts_cred_type {
	TS_CRED_PASSWORD = 1,		/* TSPasswordCreds */
	TS_CRED_SMARTCARD = 2,		/* TSSmartCardCreds */
	TS_CRED_REMOTE_GUARD = 6,	/* TSRemoteGuardCreds */
};

/*
 * TSCredentials.  @credentials is the content of the credentials OCTET
 * STRING, as received.  For TS_CRED_PASSWORD the three strings of the
 * TSPasswordCreds inside are decoded too (UTF-16LE as on the wire; the
 * domain and user at most 2 * KSSPI_MAX_NAME bytes, the password at most
 * 2 * KSSPI_MAX_PASSWORD); for the other types they stay empty and
 * @credentials is handed over as received.
 */
struct ts_credentials {
	uint32_t cred_type;
	struct bytes credentials;
	struct bytes domain;
	struct bytes user;
	struct bytes password;
};

/*
 * Decodes the DER TSCredentials @der into @out (zeroed by the caller).
 * credType must be one of enum ts_cred_type, and the credentials must
 * decode as that type's structure.  0, -EINVAL or -ENOMEM; on failure
 * @out is cleared.
 */
int ts_credentials_decode(const uint8_t *der, size_t len,
			  struct ts_credentials *out);

/*
 * Encodes TSCredentials of type TS_CRED_PASSWORD holding a TSPasswordCreds
 * of the three UTF-16LE strings (each may be empty: an empty set of
 * credentials is three empty strings).  0, -EINVAL or -ENOMEM.
 */
int ts_credentials_encode_password(const struct bytes *domain,
				   const struct bytes *user,
				   const struct bytes *password,
				   struct bytes *der);

/* Wipes and frees the fields of @c, leaving it zeroed. */
void ts_credentials_clear(struct ts_credentials *c);

/*
 * The subjectPublicKey BIT STRING content (without the unused-bits octet)
 * of the DER SubjectPublicKeyInfo @spki, appended to the empty @out: what
 * MS-CSSP's pubKeyAuth covers.  A key with unused bits, an empty key or
 * trailing bytes are refused.  0, -EINVAL or -ENOMEM.
 */
int spki_subject_public_key(const uint8_t *spki, size_t len,
			    struct bytes *out);

#endif /* KSSPID_CREDSSP_TSREQUEST_H */
