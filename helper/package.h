/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A security package: the code that produces and checks the tokens of one
 * authentication protocol.  request.c looks packages up by name and keeps
 * their per-handshake state in the session table between legs.
 */
#ifndef KSSPID_PACKAGE_H
#define KSSPID_PACKAGE_H

struct upcall;
struct reply;

struct package {
	const char *name;	/* KSSPI_A_PACKAGE */

	/* State of a new handshake, or NULL when out of memory. */
	void *(*state_new)(void);

	/* Wipes and frees a state (any stage). */
	void (*state_free)(void *state);

	/*
	 * Runs one InitializeSecurityContext (up->op KSSPI_OP_INIT_CONTEXT)
	 * or AcceptSecurityContext leg.  The caller guarantees that a first
	 * leg gets a new state and that later legs get the state of the same
	 * side's earlier legs.  Sets reply->status and, as the status calls
	 * for, the output token, context attributes, expiry and blob.  The
	 * state is kept for the next leg only if the status is
	 * SEC_I_CONTINUE_NEEDED.
	 */
	void (*step)(void *state, const struct upcall *up, struct reply *reply);
};

/* The package named @name, or NULL. */
const struct package *package_find(const char *name);

#endif /* KSSPID_PACKAGE_H */
