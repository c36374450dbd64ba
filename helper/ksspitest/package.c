// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KsspiTest package: a small, fully specified handshake that lets the
 * kernel's tests drive every path of the upcall machinery (continue and
 * final legs, tokens both ways, large tokens, status propagation, requests
 * kept in flight) without a KDC or a domain.  The protocol is normative in
 * Documentation/test-package.rst; keep the two in step.
 *
 *	client				server
 *	"KTST" 1 nonce_c [payload]  ->
 *				    <-	"KTST" 2 nonce_s payload
 *	"KTST" 3 user_len user proof ->
 *
 * proof = HMAC-SHA256(password, "KT3" || nonce_c || nonce_s)
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "bytes.h"
#include "cancel.h"
#include "ctxblob.h"
#include "message.h"
#include "ksspitest/ksspitest.h"

/* The context flags KsspiTest grants; each REQ bit equals its RET bit. */
#define KTST_ISC_FLAGS (ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | \
			ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONNECTION | \
			ISC_REQ_MUTUAL_AUTH)
#define KTST_ASC_FLAGS (ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT | \
			ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONNECTION | \
			ASC_REQ_MUTUAL_AUTH)

_Static_assert(ISC_REQ_INTEGRITY == ISC_RET_INTEGRITY &&
	       ISC_REQ_REPLAY_DETECT == ISC_RET_REPLAY_DETECT &&
	       ISC_REQ_SEQUENCE_DETECT == ISC_RET_SEQUENCE_DETECT &&
	       ISC_REQ_CONNECTION == ISC_RET_CONNECTION &&
	       ISC_REQ_MUTUAL_AUTH == ISC_RET_MUTUAL_AUTH,
	       "ISC_REQ_ and ISC_RET_ bits of KsspiTest differ");
_Static_assert(ASC_REQ_INTEGRITY == ASC_RET_INTEGRITY &&
	       ASC_REQ_REPLAY_DETECT == ASC_RET_REPLAY_DETECT &&
	       ASC_REQ_SEQUENCE_DETECT == ASC_RET_SEQUENCE_DETECT &&
	       ASC_REQ_CONNECTION == ASC_RET_CONNECTION &&
	       ASC_REQ_MUTUAL_AUTH == ASC_RET_MUTUAL_AUTH,
	       "ASC_REQ_ and ASC_RET_ bits of KsspiTest differ");

/* Type 1 and 2 tokens: header and nonce, then the payload. */
#define KTST_NONCE_TOKEN_LEN	(KTST_HEADER_LEN + KTST_NONCE_LEN)
/* Type 3: header, le16 user length, user, proof */
#define KTST_PROOF_FIXED_LEN	(KTST_HEADER_LEN + 2 + KTST_KEY_LEN)

#define KTST_SLEEP_MAX_MS	300000	/* longest "sleep:<ms>" obeyed */
#define KTST_FAIL_PREFIX	"fail:"
#define KTST_FAIL_PREFIX_LEN	5
#define KTST_FAIL_HEX_LEN	8

enum ktst_stage {
	KTST_NEW,
	KTST_CLIENT_SENT_HELLO,		/* awaiting the challenge */
	KTST_SERVER_SENT_CHALLENGE,	/* awaiting the proof */
};

struct ktst_state {
	enum ktst_stage stage;
	uint32_t context_attr;		/* granted on the first leg */
	uint8_t nonce_c[KTST_NONCE_LEN];
	uint8_t nonce_s[KTST_NONCE_LEN];
	char *user;			/* this side's credential */
	struct bytes password;
	char *target_name;		/* client side, may be NULL */
};

static void *ktst_state_new(void)
{
	return calloc(1, sizeof(struct ktst_state));
}

static void ktst_state_free(void *opaque)
{
	struct ktst_state *st = opaque;

	free(st->user);
	free(st->target_name);
	bytes_free(&st->password);
	explicit_bzero(st, sizeof(*st));
	free(st);
}

/* HMAC-SHA256(key, label || nonce_c || nonce_s); the nonces may be NULL. */
static void ktst_hmac(const uint8_t *key, size_t key_len, const char *label,
		      const uint8_t *nonce_c, const uint8_t *nonce_s,
		      uint8_t out[KTST_KEY_LEN])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, key_len, key);
	hmac_sha256_update(&ctx, strlen(label), (const uint8_t *)label);
	if (nonce_c)
		hmac_sha256_update(&ctx, KTST_NONCE_LEN, nonce_c);
	if (nonce_s)
		hmac_sha256_update(&ctx, KTST_NONCE_LEN, nonce_s);
	hmac_sha256_digest(&ctx, KTST_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

static bool fill_random(uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * A test asks for a slow leg with "sleep:<ms>": the step waits that long,
 * or until the kernel gives up on the request (its caller timed out or went
 * away) or the helper stops.
 */
static void ktst_sleep_if_asked(const struct upcall *up, const void *data,
				size_t len)
{
	static const char prefix[] = "sleep:";
	const char *text = data;
	unsigned long ms = 0;
	size_t i, digits = 0;

	if (len <= sizeof(prefix) - 1 ||
	    memcmp(text, prefix, sizeof(prefix) - 1) != 0)
		return;
	for (i = sizeof(prefix) - 1; i < len && text[i] >= '0' &&
	     text[i] <= '9'; i++, digits++) {
		ms = ms * 10 + (unsigned long)(text[i] - '0');
		if (ms > KTST_SLEEP_MAX_MS)
			ms = KTST_SLEEP_MAX_MS;
	}
	if (digits)
		cancel_sleep(up->cancel, ms);
}

/* The token, when it has the magic and type @type and @min_len bytes. */
static bool token_is(const struct upcall *up, uint8_t type, size_t min_len)
{
	return up->token.len >= min_len &&
	       memcmp(up->token.data, KTST_MAGIC, KTST_MAGIC_LEN) == 0 &&
	       up->token.data[KTST_MAGIC_LEN] == type;
}

static bool has_identity(const struct upcall *up)
{
	return upcall_has(up, UPCALL_USER) && up->user[0] != '\0' &&
	       upcall_has(up, UPCALL_PASSWORD);
}

static bool keep_identity(struct ktst_state *st, const struct upcall *up)
{
	st->user = strdup(up->user);
	return st->user &&
	       bytes_append(&st->password, up->password.data,
			    up->password.len) == 0;
}

/* A payload "fail:XXXXXXXX..." asks for status 0xXXXXXXXX. */
static bool fail_request(const uint8_t *payload, size_t len, uint32_t *status)
{
	uint32_t value = 0;
	size_t i;

	if (len < KTST_FAIL_PREFIX_LEN + KTST_FAIL_HEX_LEN ||
	    memcmp(payload, KTST_FAIL_PREFIX, KTST_FAIL_PREFIX_LEN) != 0)
		return false;
	for (i = 0; i < KTST_FAIL_HEX_LEN; i++) {
		int digit = hex_digit_value(payload[KTST_FAIL_PREFIX_LEN + i]);

		if (digit < 0)
			return false;
		value = value << 4 | (uint32_t)digit;
	}
	*status = value;
	return true;
}

/*
 * A type 1 or 2 token whose payload starts with "need:<decimal L>;" is
 * framed, as TLS records frame CredSSP's tokens: shorter than L bytes, the
 * leg answers SEC_E_INCOMPLETE_MESSAGE with the missing count and changes
 * nothing; longer, the bytes past L are not used (input_extra).  Returns
 * false when the leg is answered; otherwise *@len is the token's length.
 */
static bool ktst_frame(const struct upcall *up, struct reply *reply,
		       size_t *len)
{
	static const char prefix[] = "need:";
	const size_t start = KTST_NONCE_TOKEN_LEN + sizeof(prefix) - 1;
	const uint8_t *token = up->token.data;
	size_t i, framed = 0;

	*len = up->token.len;
	if (up->token.len < start ||
	    memcmp(token + KTST_NONCE_TOKEN_LEN, prefix, sizeof(prefix) - 1))
		return true;
	for (i = start; i < up->token.len && i < start + 6 &&
	     token[i] >= '0' && token[i] <= '9'; i++)
		framed = framed * 10 + (size_t)(token[i] - '0');
	if (i == start || i == up->token.len || token[i] != ';' ||
	    framed <= i)
		return true;	/* not a frame: an ordinary payload */
	if (framed > up->token.len) {
		reply->status = SEC_E_INCOMPLETE_MESSAGE;
		reply->input_missing = (uint32_t)(framed - up->token.len);
		return false;
	}
	reply->input_extra = (uint32_t)(up->token.len - framed);
	*len = framed;
	return true;
}

/*
 * Ends the handshake on this side: derives the keys, writes the context
 * blob and sets the final status, attributes and expiry.
 */
static void ktst_establish(struct ktst_state *st, bool initiator,
			   const char *client_name, const char *server_name,
			   struct reply *reply)
{
	const uint16_t crit = KSSPI_CTX_REC_CRITICAL;
	uint8_t session_key[KTST_KEY_LEN], c2s[KTST_KEY_LEN], s2c[KTST_KEY_LEN];
	int64_t expiry = (int64_t)time(NULL) + KTST_CONTEXT_LIFETIME;
	struct bytes *blob = &reply->blob;
	int err;

	ktst_hmac(st->password.data, st->password.len, "session", st->nonce_c,
		  st->nonce_s, session_key);
	ktst_hmac(session_key, sizeof(session_key), "c2s", NULL, NULL, c2s);
	ktst_hmac(session_key, sizeof(session_key), "s2c", NULL, NULL, s2c);

	err = ctxblob_begin(blob, KTST_PACKAGE_NAME,
			    initiator ? KSSPI_CTX_F_INITIATOR : 0,
			    st->context_attr, expiry);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_CLIENT_NAME, crit,
				  client_name, (uint32_t)strlen(client_name));
	if (!err && server_name)
		err = ctxblob_add(blob, KSSPI_CTX_REC_SERVER_NAME, crit,
				  server_name, (uint32_t)strlen(server_name));
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_SESSION_KEY, crit,
				  session_key, sizeof(session_key));
	if (!err)
		err = ctxblob_add_le64(blob, KSSPI_CTX_REC_SEND_SEQ, crit, 0);
	if (!err)
		err = ctxblob_add_le64(blob, KSSPI_CTX_REC_RECV_SEQ, crit, 0);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_TEST_SIGN_KEY_OUT, crit,
				  initiator ? c2s : s2c, KTST_KEY_LEN);
	if (!err)
		err = ctxblob_add(blob, KSSPI_CTX_REC_TEST_SIGN_KEY_IN, crit,
				  initiator ? s2c : c2s, KTST_KEY_LEN);
	if (!err)
		err = ctxblob_finish(blob);

	explicit_bzero(session_key, sizeof(session_key));
	explicit_bzero(c2s, sizeof(c2s));
	explicit_bzero(s2c, sizeof(s2c));

	ctxblob_reply(reply, err, st->context_attr, expiry);
}

/* ISC, first leg: the hello. */
static void client_hello(struct ktst_state *st, const struct upcall *up,
			 struct reply *reply)
{
	static const uint8_t header[KTST_HEADER_LEN] = { 'K', 'T', 'S', 'T',
							 KTST_HELLO };

	if (up->target_name)
		ktst_sleep_if_asked(up, up->target_name,
				    strlen(up->target_name));

	if (!has_identity(up)) {
		reply->status = SEC_E_NO_CREDENTIALS;
		return;
	}
	if (up->token.len != 0) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!fill_random(st->nonce_c, sizeof(st->nonce_c))) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	if (!keep_identity(st, up) ||
	    (up->target_name && !(st->target_name = strdup(up->target_name))) ||
	    bytes_append(&reply->token, header, sizeof(header)) ||
	    bytes_append(&reply->token, st->nonce_c, sizeof(st->nonce_c))) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	st->context_attr = up->context_req & KTST_ISC_FLAGS;
	st->stage = KTST_CLIENT_SENT_HELLO;
	reply->status = SEC_I_CONTINUE_NEEDED;
	reply->has_context_attr = true;
	reply->context_attr = st->context_attr;
}

/* ASC, first leg: hello in, challenge out. */
static void server_challenge(struct ktst_state *st, const struct upcall *up,
			     struct reply *reply)
{
	static const uint8_t header[KTST_HEADER_LEN] = { 'K', 'T', 'S', 'T',
							 KTST_CHALLENGE };
	static const uint8_t error_header[KTST_HEADER_LEN] = {
		'K', 'T', 'S', 'T', KTST_ERROR };
	const uint8_t *payload;
	size_t payload_len, token_len;
	uint32_t status, le_status;

	if (!has_identity(up)) {
		reply->status = SEC_E_NO_CREDENTIALS;
		return;
	}
	if (!token_is(up, KTST_HELLO, KTST_NONCE_TOKEN_LEN)) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!ktst_frame(up, reply, &token_len))
		return;
	payload = up->token.data + KTST_NONCE_TOKEN_LEN;
	payload_len = token_len - KTST_NONCE_TOKEN_LEN;

	if (fail_request(payload, payload_len, &status)) {
		/* Only failures can be asked for: a success needs a token. */
		reply->status = (status & 0x80000000u) ? status :
						       SEC_E_INVALID_TOKEN;
		/* What the peer is told, if the caller asked for that. */
		le_status = htole32(reply->status);
		reply->input_extra = 0;
		if (bytes_append(&reply->token, error_header,
				 sizeof(error_header)) ||
		    bytes_append(&reply->token, &le_status, sizeof(le_status)))
			bytes_free(&reply->token);
		return;
	}
	ktst_sleep_if_asked(up, payload, payload_len);

	memcpy(st->nonce_c, up->token.data + KTST_HEADER_LEN,
	       sizeof(st->nonce_c));
	if (!fill_random(st->nonce_s, sizeof(st->nonce_s))) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	if (!keep_identity(st, up) ||
	    bytes_append(&reply->token, header, sizeof(header)) ||
	    bytes_append(&reply->token, st->nonce_s, sizeof(st->nonce_s)) ||
	    bytes_append(&reply->token, payload, payload_len)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	st->context_attr = up->context_req & KTST_ASC_FLAGS;
	st->stage = KTST_SERVER_SENT_CHALLENGE;
	reply->status = SEC_I_CONTINUE_NEEDED;
	reply->has_context_attr = true;
	reply->context_attr = st->context_attr;
}

/* ISC, second leg: challenge in, proof out; the client is done. */
static void client_proof(struct ktst_state *st, const struct upcall *up,
			 struct reply *reply)
{
	static const uint8_t header[KTST_HEADER_LEN] = { 'K', 'T', 'S', 'T',
							 KTST_PROOF };
	uint8_t proof[KTST_KEY_LEN];
	size_t user_len = strlen(st->user);
	uint16_t le_user_len = htole16((uint16_t)user_len);
	size_t token_len;
	bool no_memory;

	if (!token_is(up, KTST_CHALLENGE, KTST_NONCE_TOKEN_LEN)) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!ktst_frame(up, reply, &token_len))
		return;
	memcpy(st->nonce_s, up->token.data + KTST_HEADER_LEN,
	       sizeof(st->nonce_s));

	ktst_hmac(st->password.data, st->password.len, "KT3", st->nonce_c,
		  st->nonce_s, proof);
	no_memory = bytes_append(&reply->token, header, sizeof(header)) ||
		    bytes_append(&reply->token, &le_user_len,
				 sizeof(le_user_len)) ||
		    bytes_append(&reply->token, st->user, user_len) ||
		    bytes_append(&reply->token, proof, sizeof(proof));
	explicit_bzero(proof, sizeof(proof));
	if (no_memory) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	ktst_establish(st, true, st->user, st->target_name, reply);
}

/* ASC, second leg: proof in, nothing out; the server is done. */
static void server_verify(struct ktst_state *st, const struct upcall *up,
			  struct reply *reply)
{
	const uint8_t *token = up->token.data;
	uint8_t expected[KTST_KEY_LEN];
	size_t user_len;
	bool user_ok, proof_ok;

	if (!token_is(up, KTST_PROOF, KTST_PROOF_FIXED_LEN)) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	user_len = (size_t)token[KTST_HEADER_LEN] |
		   (size_t)token[KTST_HEADER_LEN + 1] << 8;
	if (up->token.len != KTST_PROOF_FIXED_LEN + user_len) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}

	ktst_hmac(st->password.data, st->password.len, "KT3", st->nonce_c,
		  st->nonce_s, expected);
	user_ok = user_len == strlen(st->user) &&
		  memcmp(token + KTST_HEADER_LEN + 2, st->user, user_len) == 0;
	proof_ok = memeql_sec(token + KTST_HEADER_LEN + 2 + user_len, expected,
			      sizeof(expected));
	explicit_bzero(expected, sizeof(expected));
	if (!user_ok || !proof_ok) {
		reply->status = SEC_E_LOGON_DENIED;
		return;
	}
	/* The proven client name is the server credential's own user. */
	ktst_establish(st, false, st->user, st->user, reply);
}

static void ktst_step(void *opaque, const struct upcall *up,
		      struct reply *reply)
{
	struct ktst_state *st = opaque;

	switch (st->stage) {
	case KTST_NEW:
		if (up->op == KSSPI_OP_INIT_CONTEXT)
			client_hello(st, up, reply);
		else
			server_challenge(st, up, reply);
		break;
	case KTST_CLIENT_SENT_HELLO:
		client_proof(st, up, reply);
		break;
	case KTST_SERVER_SENT_CHALLENGE:
		server_verify(st, up, reply);
		break;
	}
}

const struct package pkg_test = {
	.name = KTST_PACKAGE_NAME,
	.state_new = ktst_state_new,
	.state_free = ktst_state_free,
	.step = ktst_step,
};
