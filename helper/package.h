/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A security package: the code that produces and checks the tokens of one
 * authentication protocol.  request.c looks packages up by name and keeps
 * their per-handshake state in the session table between legs.
 */
#ifndef KSSPID_PACKAGE_H
#define KSSPID_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

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

	/*
	 * Optional (NULL: the package cannot run inside another): message
	 * protection for a package used inside another one (CredSSP's inner
	 * package protects pubKeyAuth and authInfo with it), from the blob
	 * its step produced with SEC_E_OK.
	 *
	 * inner_new() reads the blob (the package's records, as
	 * <linux/ksspi_context.h> lays them out); NULL when the context
	 * can neither sign nor seal, or memory runs out.  inner_wrap()
	 * appends to @out what GSS_WrapEx (EncryptMessage with the token
	 * buffer first) gives for @msg: the package's signature or token
	 * header, then the sealed message; 0, -EINVAL (the context cannot
	 * seal) or -ENOMEM.  inner_unwrap() takes that back, appending the
	 * message to @out: 0, -EBADMSG when it does not verify (@out is then
	 * unchanged), -EINVAL or -ENOMEM.  Both may be NULL when inner_sign
	 * is not.  inner_free() wipes and frees (NULL is
	 * allowed).
	 */
	void *(*inner_new)(const struct bytes *blob);
	int (*inner_wrap)(void *inner, const uint8_t *msg, size_t len,
			  struct bytes *out);
	int (*inner_unwrap)(void *inner, const uint8_t *token, size_t len,
			    struct bytes *out);
	void (*inner_free)(void *inner);

	/*
	 * Optional, with inner_new(): integrity for a package used inside
	 * another one (SPNEGO's mechListMIC).  inner_sign() appends to @out
	 * the MakeSignature token of @msg with the next sequence number;
	 * 0 or -ENOMEM.  inner_verify() checks one (VerifySignature): 0, or
	 * -EBADMSG when it does not verify.
	 */
	int (*inner_sign)(void *inner, const uint8_t *msg, size_t len,
			  struct bytes *out);
	int (*inner_verify)(void *inner, const uint8_t *msg, size_t len,
			    const uint8_t *token, size_t token_len);

	/*
	 * Optional: the blob that hands the inner context to the kernel
	 * once the outer package has used it, replacing @blob (the step's)
	 * with one whose sequence numbers are as they now stand; 0,
	 * -EINVAL (a blob without them) or -ENOMEM.  Without it the step's
	 * blob is handed over unchanged.
	 */
	int (*inner_export)(void *inner, struct bytes *blob);

	/*
	 * Optional: why the last leg on @state failed, as the NTSTATUS a
	 * peer is told (CredSSP's errorCode), or 0 when the package has no
	 * more precise word than its SSPI status.
	 */
	uint32_t (*failure_ntstatus)(void *state);

	/*
	 * Optional: the name ("MEMORY:...") of the credential cache holding
	 * what a client delegated to the acceptor whose last leg answered
	 * with reply->keep_session, written to @name (@size bytes); 0, or
	 * -ENOENT when nothing was delegated.  Called while the state is
	 * kept, possibly by several client legs at once: read-only.
	 */
	int (*delegated_ccache)(void *state, char *name, size_t size);
};

/* The package named @name, or NULL. */
const struct package *package_find(const char *name);

#endif /* KSSPID_PACKAGE_H */
