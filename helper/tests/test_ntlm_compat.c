// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What other NTLM peers send that ksspi's own client does not: the MIC of
 * an AUTHENTICATE without NEGOTIATE_VERSION.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>

#include "../ntlm.h"
#include "../ntlm_crypto.h"
#include "../ntlm_msg.h"
#include "ntlm_harness.h"
#include "ntlm_tests.h"
#include "util.h"

#define ISC_ALL (ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY | \
		 ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT | \
		 ISC_REQ_CONNECTION)
#define ASC_ALL (ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY | \
		 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT | \
		 ASC_REQ_CONNECTION)

/* A client's first two legs and a server's first: the AUTHENTICATE due. */
struct legs3 {
	void *client, *server;
	struct reply neg, chal, auth;
};

static void legs3_run(struct legs3 *t, uint32_t isc_req, uint32_t asc_req)
{
	struct leg l;

	t->client = pkg_ntlm.state_new();
	t->server = pkg_ntlm.state_new();
	if (!t->client || !t->server)
		abort();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = isc_req, .user = T_USER, .domain = T_DOMAIN,
			  .password = T_PASSWORD };
	ntlm_run_leg(t->client, &l, &t->neg);
	CHECK_EQ(t->neg.status, SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = asc_req, .token = t->neg.token.data,
			  .token_len = t->neg.token.len };
	ntlm_run_leg(t->server, &l, &t->chal);
	CHECK_EQ(t->chal.status, SEC_I_CONTINUE_NEEDED);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = isc_req,
			  .token = t->chal.token.data,
			  .token_len = t->chal.token.len };
	ntlm_run_leg(t->client, &l, &t->auth);
	CHECK_EQ(t->auth.status, SEC_E_OK);
}

static void legs3_free(struct legs3 *t)
{
	reply_clear(&t->neg);
	reply_clear(&t->chal);
	reply_clear(&t->auth);
	pkg_ntlm.state_free(t->client);
	pkg_ntlm.state_free(t->server);
}

/* The server's second leg on @token; its status. */
static uint32_t server_leg2(struct legs3 *t, const struct bytes *token,
			    uint32_t asc_req, struct reply *done)
{
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .req = asc_req,
			 .token = token->data, .token_len = token->len };

	ntlm_run_leg(t->server, &l, done);
	return done->status;
}

/* The MIC of @auth (at 72) recomputed with the client's session key */
static void remic(const struct legs3 *t, struct bytes *auth)
{
	const uint8_t *key = blob_record(&t->auth.blob,
					 KSSPI_CTX_REC_SESSION_KEY, NULL,
					 NULL);
	uint8_t mic[NTLM_MIC_LEN];

	if (!key)
		abort();
	memset(auth->data + NTLM_AUTH_MIC_OFF, 0, NTLM_MIC_LEN);
	ntlm_mic(key, t->neg.token.data, t->neg.token.len,
		 t->chal.token.data, t->chal.token.len, auth->data, auth->len,
		 NTLM_AUTH_MIC_OFF, mic);
	memcpy(auth->data + NTLM_AUTH_MIC_OFF, mic, NTLM_MIC_LEN);
}

/*
 * An AUTHENTICATE without NEGOTIATE_VERSION whose MIC is at offset 72
 * (its VERSION field zero), as Windows and Samba lay it out: accepted.
 * The MIC is checked there: one byte of it changed is refused.
 */
static void test_mic_without_version(void)
{
	struct legs3 t;
	struct bytes auth = { 0 };
	struct reply done;

	ntlm_test_server_setup(false, NULL, 0);
	legs3_run(&t, ISC_ALL, ASC_ALL);
	bytes_append(&auth, t.auth.token.data, t.auth.token.len);
	ntlm_put_le32(auth.data + 60, ntlm_le32(auth.data + 60) &
		      ~NTLMSSP_NEGOTIATE_VERSION);
	memset(auth.data + NTLM_AUTH_VERSION_OFF, 0, NTLM_VERSION_LEN);
	remic(&t, &auth);
	CHECK_EQ(server_leg2(&t, &auth, ASC_ALL, &done), SEC_E_OK);
	CHECK(memcmp(blob_record(&done.blob, KSSPI_CTX_REC_SESSION_KEY, NULL,
				 NULL),
		     blob_record(&t.auth.blob, KSSPI_CTX_REC_SESSION_KEY,
				 NULL, NULL), 16) == 0);
	reply_clear(&done);
	legs3_free(&t);

	legs3_run(&t, ISC_ALL, ASC_ALL);
	bytes_free(&auth);
	bytes_append(&auth, t.auth.token.data, t.auth.token.len);
	ntlm_put_le32(auth.data + 60, ntlm_le32(auth.data + 60) &
		      ~NTLMSSP_NEGOTIATE_VERSION);
	memset(auth.data + NTLM_AUTH_VERSION_OFF, 0, NTLM_VERSION_LEN);
	remic(&t, &auth);
	auth.data[NTLM_AUTH_MIC_OFF + 15] ^= 0x80;
	CHECK_EQ(server_leg2(&t, &auth, ASC_ALL, &done),
		 SEC_E_MESSAGE_ALTERED);
	reply_clear(&done);
	legs3_free(&t);
	bytes_free(&auth);
}

const struct test_case ntlm_compat_tests[] = {
	{ "ntlm compat: MIC at 72 in an AUTHENTICATE without VERSION",
	  test_mic_without_version },
	{ NULL, NULL },
};
