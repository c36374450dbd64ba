/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The acceptor's choice of mechanism (RFC 4178 3.2 and 4.2.1): the first
 * mechanism of the initiator's mechTypes that the acceptor can serve,
 * Kerberos under either of its two OIDs.
 */
#ifndef KSSPID_SPNEGO_CHOICE_H
#define KSSPID_SPNEGO_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "spnego/token.h"

/* The ksspid packages a SPNEGO mechanism runs on, as a set of bits */
enum spnego_package {
	SPNEGO_PKG_KERBEROS = 1 << 0,
	SPNEGO_PKG_NTLM = 1 << 1,
};

/* The package of @mech, or 0 for SPNEGO_MECH_OTHER. */
unsigned int spnego_mech_package(enum spnego_mech mech);

/*
 * The acceptor's answer to the negTokenInit @init, given the packages
 * @available to it (a set of enum spnego_package).
 */
struct spnego_choice {
	enum spnego_mech mech;	/* as the initiator listed it */
	size_t index;		/* its place in mechTypes */
	/*
	 * The optimistic mechToken is for the chosen mechanism (it was the
	 * initiator's first): the acceptor steps it; otherwise it answers
	 * with supportedMech only and asks for a new token (RFC 4178 3.2).
	 */
	bool optimistic_usable;
};

/*
 * Chooses for @init (a SPNEGO_TOKEN_INIT).  false when nothing offered is
 * @available: the acceptor rejects (negState reject).
 */
bool spnego_choose(const struct spnego_token *init, unsigned int available,
		   struct spnego_choice *choice);

#endif /* KSSPID_SPNEGO_CHOICE_H */
