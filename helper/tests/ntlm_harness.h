/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving the NTLM package in-process: legs, whole handshakes, and the
 * server configuration the tests use.
 */
#ifndef KSSPID_TESTS_NTLM_HARNESS_H
#define KSSPID_TESTS_NTLM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

#define T_DOMAIN	"TESTDOM"
#define T_COMPUTER	"srv.test.local"
#define T_USER		"alice"
#define T_PASSWORD	"Passw0rd!"

struct leg {
	uint32_t op;
	bool first;
	uint32_t req;
	const char *user;
	const char *domain;
	const char *password;
	const char *target;
	const uint8_t *token;
	size_t token_len;
	const uint8_t *cb;
	size_t cb_len;
	uint32_t uid;			/* the caller's */
	bool kernel;			/* an in-kernel caller */
};

/* Runs one leg of the NTLM package on @state; @r is overwritten. */
void ntlm_run_leg(void *state, const struct leg *l, struct reply *r);

/* Server set up: TESTDOM, srv.test.local, alice/Passw0rd! and others. */
void ntlm_test_server_setup(bool allow_v1, const char *const *spns,
			    size_t spn_count);

/*
 * The same with the other options of @o (its names and user database
 * path are the tests'); NULL: the defaults.  Without a lockout policy in
 * @o, accounts are never locked out.
 */
struct ntlm_options;
void ntlm_test_server_setup_opts(const struct ntlm_options *o);

struct hs {
	/* inputs */
	const char *user, *domain, *password, *target;
	uint32_t isc_req, asc_req;
	uint32_t server_uid;		/* the server's caller */
	const uint8_t *client_cb, *server_cb;
	size_t client_cb_len, server_cb_len;
	void (*tamper)(struct bytes *auth);	/* the AUTHENTICATE */
	/* outputs */
	void *client, *server;
	struct reply negotiate, challenge, authenticate, done;
};

/* Runs the four legs (stopping at the first failure). */
void ntlm_handshake(struct hs *h);
void ntlm_handshake_free(struct hs *h);

/*
 * An NTLMv2 AUTHENTICATE of another client's making, answering @chal
 * after @neg: the names as given on the wire (@user_wire, @domain_wire:
 * UTF-16LE or OEM bytes, as the test wants them) while the proof hashes
 * @user and @domain (UTF-8) as a client would; the server's AV pairs then
 * MsvAvFlags; a key exchange with SIGN or SEAL.
 */
struct test_auth {
	const char *user, *domain, *password;	/* UTF-8, for the proof */
	const uint8_t *user_wire, *domain_wire;
	size_t user_wire_len, domain_wire_len;
	uint32_t flags;		/* NegotiateFlags of the AUTHENTICATE */
	bool version;		/* the VERSION field filled in */
	bool mic;		/* MsvAvFlags "MIC present", the MIC at 72 */
};

/* Builds it into the empty @out; @key gets the ExportedSessionKey. */
void ntlm_test_authenticate(const struct bytes *neg, const struct bytes *chal,
			    const struct test_auth *t, struct bytes *out,
			    uint8_t key[16]);

/* A SEC_CHANNEL_BINDINGS with application data @app; free() it. */
uint8_t *ntlm_test_bindings(const char *app, size_t *len);

#endif /* KSSPID_TESTS_NTLM_HARNESS_H */
