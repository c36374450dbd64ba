/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SPNEGO tokens (RFC 4178 4.2, MS-SPNG 2.2): negTokenInit (the
 * client's first token, inside the GSS-API InitialContextToken framing
 * 0x60 with the SPNEGO OID 1.3.6.1.5.5.2), negTokenInit2 (the server's
 * unsolicited first token with negHints, as Windows sends it) and
 * negTokenResp.  DER through libtasn1 (spnego.asn).  The decoder treats
 * its input as hostile: a malformed or oversized token gives -EINVAL and
 * leaves the output empty.
 */
#ifndef KSSPID_SPNEGO_TOKEN_H
#define KSSPID_SPNEGO_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Longest token accepted or produced: above Negotiate's cbMaxToken 48256 */
#define SPNEGO_MAX_TOKEN	(64 * 1024)
/* mechTypes entries accepted; Windows sends four at most */
#define SPNEGO_MAX_MECHS	16

/* The mechanisms ksspid knows; anything else is SPNEGO_MECH_OTHER. */
enum spnego_mech {
	SPNEGO_MECH_OTHER,
	SPNEGO_MECH_KRB5,	/* 1.2.840.113554.1.2.2 */
	SPNEGO_MECH_MS_KRB5,	/* 1.2.840.48018.1.2.2, Windows puts it first */
	SPNEGO_MECH_NTLM,	/* 1.3.6.1.4.1.311.2.2.10 */
};

/* negState of a negTokenResp (RFC 4178 4.2.2) */
enum spnego_neg_state {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
};

enum spnego_token_kind {
	SPNEGO_TOKEN_INIT,	/* negTokenInit or negTokenInit2 */
	SPNEGO_TOKEN_RESP,	/* negTokenResp */
};

/*
 * A decoded token.  Absent optional fields are empty byte strings (or a
 * has_* flag false).  mech_types_der is the DER of the MechTypeList as
 * received: what the mechListMIC covers (RFC 4178 5).
 */
struct spnego_token {
	enum spnego_token_kind kind;
	/* negTokenInit / negTokenInit2 */
	size_t mech_count;
	enum spnego_mech mechs[SPNEGO_MAX_MECHS];
	struct bytes mech_types_der;
	struct bytes mech_token;
	bool has_neg_hints;		/* negTokenInit2 */
	struct bytes hint_name;		/* negHints.hintName, GeneralString */
	/* negTokenResp */
	bool has_neg_state;
	enum spnego_neg_state neg_state;
	bool has_supported_mech;
	enum spnego_mech supported_mech;
	struct bytes response_token;
	/* both */
	struct bytes mech_list_mic;
};

/*
 * Decodes @len bytes of @der into @out (zeroed by the caller): either the
 * framed negTokenInit[2] (0x60, SPNEGO OID) or a bare NegotiationToken
 * (a negTokenResp, or an unframed negTokenInit as some peers send in
 * later legs).  A framing with another OID, trailing bytes, more than
 * SPNEGO_MAX_MECHS mechTypes, a negTokenInit without mechTypes, a
 * negState outside 0..3 are refused.  0, -EINVAL or -ENOMEM; on failure
 * @out is cleared.
 */
int spnego_token_decode(const uint8_t *der, size_t len,
			struct spnego_token *out);

/* Wipes and frees the fields of @t, leaving it zeroed. */
void spnego_token_clear(struct spnego_token *t);

/*
 * The DER MechTypeList of the @count mechanisms @mechs into the empty
 * @der (what a client's mechListMIC covers).  SPNEGO_MECH_OTHER is
 * -EINVAL.  0, -EINVAL or -ENOMEM.
 */
int spnego_mech_list_encode(const enum spnego_mech *mechs, size_t count,
			    struct bytes *der);

/*
 * The client's first token: the framed negTokenInit offering @mechs, with
 * the optimistic @mech_token when not empty.  0, -EINVAL or -ENOMEM.
 */
int spnego_init_encode(const enum spnego_mech *mechs, size_t count,
		       const struct bytes *mech_token, struct bytes *der);

/*
 * The server's unsolicited first token, as Windows sends it: a framed
 * negTokenInit2 offering @mechs with negHints.hintName
 * "not_defined_in_RFC4178@please_ignore".  0, -EINVAL or -ENOMEM.
 */
int spnego_init2_encode(const enum spnego_mech *mechs, size_t count,
			struct bytes *der);

/*
 * A negTokenResp.  @neg_state < 0 leaves negState out; so does
 * SPNEGO_MECH_OTHER for @supported_mech and an empty string for the two
 * tokens.  0, -EINVAL or -ENOMEM.
 */
int spnego_resp_encode(int neg_state, enum spnego_mech supported_mech,
		       const struct bytes *response_token,
		       const struct bytes *mech_list_mic, struct bytes *der);

/* The dotted OID of @mech, or NULL for SPNEGO_MECH_OTHER. */
const char *spnego_mech_oid(enum spnego_mech mech);

#endif /* KSSPID_SPNEGO_TOKEN_H */
