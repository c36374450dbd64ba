/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "Negotiate" package (RFC 4178, MS-SPNG; Documentation/negotiate.rst):
 * SPNEGO around the Kerberos or NTLM package, which run as inner packages
 * of the same request.  package.c holds what both sides share (running
 * the inner package, the mechListMIC, the blob), client.c and server.c
 * their legs.
 */
#ifndef KSSPID_SPNEGO_NEGOTIATE_H
#define KSSPID_SPNEGO_NEGOTIATE_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "package.h"
#include "spnego/token.h"

#define NEGOTIATE_PACKAGE_NAME	"Negotiate"

extern const struct package pkg_negotiate;

struct upcall;
struct reply;

enum nego_stage {
	NEGO_START,		/* no leg yet */
	NEGO_SENT_INIT2,	/* server: sent negTokenInit2, awaits init */
	NEGO_INNER,		/* the inner handshake runs */
	NEGO_RAW,		/* server: raw NTLM or Kerberos tokens */
	NEGO_AWAIT_PEER,	/* inner done, our MIC sent, the peer's due */
};

/*
 * One side's handshake.  The identity and target of the first leg are
 * kept for an inner package started on a later leg (after a
 * counter-proposal): ksspid gets them with the first leg only.
 */
struct nego_state {
	bool initiator;
	enum nego_stage stage;
	/* the mechanism SPNEGO runs, as offered or chosen */
	enum spnego_mech mech;
	const struct package *mech_pkg;
	void *inner_state;		/* inner handshake, while it runs */
	bool inner_started;
	void *inner;			/* inner context, once established */
	/* an acceptor's ended inner handshake holding delegated credentials */
	void *delegated_state;
	struct bytes inner_blob;	/* the inner package's last blob */
	uint32_t context_attr;
	bool has_expiry;
	int64_t expiry;
	/* the initiator's MechTypeList DER: what each MIC covers */
	struct bytes mech_types_der;
	enum spnego_mech offered[SPNEGO_MAX_MECHS];
	size_t offered_count;
	bool mic_required;	/* RFC 4178 5: not the first mechanism */
	bool mic_sent;
	bool peer_mic_verified;
	bool first_response_done;	/* supportedMech sent or received */
	/* first leg's identity, for a later inner start */
	uint64_t identity_present;	/* UPCALL_BIT()s kept */
	char *user;
	char *domain;
	struct bytes password;
	char *target;
	struct bytes pkg_params;
	struct bytes channel_bindings;
};

/*
 * The packages and the kept identity of @st from @up (a first leg).
 * 0 or -ENOMEM.
 */
int nego_keep_identity(struct nego_state *st, const struct upcall *up);

/*
 * Runs one leg of the inner package @st->mech_pkg on @token (@len bytes,
 * none when 0) for the outer request @outer.  On SEC_E_OK the inner
 * context is kept (st->inner, st->inner_blob, attributes, expiry) and the
 * inner handshake state freed; the last token stays in @inner_reply.
 */
void nego_inner_step(struct nego_state *st, const struct upcall *outer,
		     const uint8_t *token, size_t len,
		     struct reply *inner_reply);

/* Drops the inner package's state and context (a counter-proposal). */
void nego_inner_reset(struct nego_state *st);

/* Our mechListMIC over st->mech_types_der, appended to @mic. */
uint32_t nego_mic_sign(struct nego_state *st, struct bytes *mic);

/* Checks the peer's mechListMIC: SEC_E_OK or SEC_E_MESSAGE_ALTERED. */
uint32_t nego_mic_verify(struct nego_state *st, const struct bytes *mic);

/*
 * Ends a side: @reply becomes SEC_E_OK with the Negotiate blob of the
 * inner context (its sequence numbers as the MICs left them; NTLM's
 * crypto as before them) and the inner context's attributes and expiry.
 * The output token already in @reply stays.
 */
void nego_finish(struct nego_state *st, struct reply *reply);

/*
 * @der (a negTokenResp) into @reply's token: SEC_I_CONTINUE_NEEDED or
 * @status_if_ok, or the status of the encoding's failure.
 */
void nego_send_resp(struct reply *reply, int neg_state,
		    enum spnego_mech supported, const struct bytes *token,
		    const struct bytes *mic, uint32_t status_if_ok);

/*
 * Whether an initiator's first leg on @state offered Kerberos (an AP-REQ)
 * rather than NTLM alone.
 */
bool nego_offers_kerberos(const void *state);

/* The package a Negotiate blob names (KSSPI_CTX_REC_NEGO_MECH), or NULL. */
const struct package *nego_blob_mech(const struct bytes *blob);

void nego_client_step(struct nego_state *st, const struct upcall *up,
		      struct reply *reply);
void nego_server_step(struct nego_state *st, const struct upcall *up,
		      struct reply *reply);

#endif /* KSSPID_SPNEGO_NEGOTIATE_H */
