/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving the CredSSP package in-process: test certificates, legs, whole
 * handshakes between the package's client and server, and a relay in the
 * middle that terminates TLS on both sides and may edit the TSRequests.
 */
#ifndef KSSPID_TESTS_CREDSSP_HARNESS_H
#define KSSPID_TESTS_CREDSSP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "credssp/tls.h"
#include "credssp/tsrequest.h"
#include "message.h"

/* Two server identities (self-signed P-256), made once: 0 or -1. */
int credssp_test_make_identities(void);
const char *credssp_test_cert(int which);
const char *credssp_test_key(int which);
void credssp_test_remove_identities(void);

/*
 * Configures the server with identity @which (-1: none) and the
 * NTLM-only delegation list @ntlm_only (NULL-terminated, may be NULL).
 */
void credssp_test_configure(int which, const char *const *ntlm_only);

/* One side of a handshake, and what its legs carry. */
struct cside {
	void *state;
	bool first;
	uint32_t op;
	uint32_t req;
	const char *user, *domain, *password, *target;
	uint32_t uid, pid, logon_session;
	uint64_t credential_id;
	unsigned int legs;
};

/* Runs one leg of the package on @s with @len bytes; @r is overwritten. */
void credssp_run_leg(struct cside *s, const uint8_t *in, size_t len,
		     struct reply *r);

#define CHS_MAX_LEGS	24

struct chs {
	/* inputs */
	const char *user, *domain, *password, *target;
	uint32_t isc_req, asc_req;
	uint32_t offered;		/* 0: the package's own */
	uint32_t pid;
	uint64_t credential_id;
	/*
	 * Each input token is first given cut at this many bytes
	 * (0: whole), then whole (after SEC_E_INCOMPLETE_MESSAGE) or the
	 * rest (after SEC_I_CONTINUE_NEEDED with SECBUFFER_EXTRA).
	 */
	size_t split;
	int split_leg;			/* 0: every leg; else only r[split_leg] */
	/*
	 * Bytes appended to the input of r[surplus_leg] (0: none); the
	 * harness then drops what the leg hands back as extra.
	 */
	const uint8_t *surplus;
	size_t surplus_len;
	int surplus_leg;
	/* outputs */
	struct cside c, s;
	struct reply r[CHS_MAX_LEGS];	/* every leg's answer, in order */
	bool from_client[CHS_MAX_LEGS];
	unsigned int count;
	int client_last, server_last;	/* indexes in r[], or -1 */
	unsigned int incomplete;	/* SEC_E_INCOMPLETE_MESSAGE seen */
	uint32_t missing[CHS_MAX_LEGS];	/* its input_missing, per leg */
	unsigned int extra;		/* CONTINUE with input_extra seen */
};

/*
 * Runs client and server legs until both are done or one fails; a
 * server's failure token goes to the client for one more leg.
 */
void credssp_handshake(struct chs *h);
void credssp_handshake_free(struct chs *h);

static inline const struct reply *chs_client(const struct chs *h)
{
	return h->client_last < 0 ? NULL : &h->r[h->client_last];
}

static inline const struct reply *chs_server(const struct chs *h)
{
	return h->server_last < 0 ? NULL : &h->r[h->server_last];
}

/*
 * The relay: a TLS server (identity @identity) to the client and a TLS
 * client to the server, passing the TSRequests through @edit (may be
 * NULL), which may change them: @from_client, and the index of the
 * message in that direction.
 */
struct relay {
	int identity;
	void (*edit)(struct relay *m, bool from_client, unsigned int index,
		     struct ts_request *req);
	void *arg;
	/*
	 * Application data (@trailing_len bytes, NULL: none) the relay sends
	 * the server in a record of its own right after the client's
	 * TSRequest number @trailing_after, in the same token: a client's
	 * first data arriving with its last TSRequest.
	 */
	const uint8_t *trailing;
	size_t trailing_len;
	unsigned int trailing_after;
	/* outputs, as for struct chs */
	struct chs h;
	/* with @trailing: the size of its record, and the relay's record
	 * layer to the server after it (tls_conn_export()) */
	size_t trailing_record_len;
	struct tls_record_state relay_state;
};

void credssp_relay(struct relay *m);

#endif /* KSSPID_TESTS_CREDSSP_HARNESS_H */
