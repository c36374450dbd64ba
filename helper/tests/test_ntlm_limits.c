// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLM package at its bounds: names of KSSPI_MAX_NAME bytes through a
 * whole handshake (the context's "DOMAIN\user" of KSSPI_CTX_MAX_NAME
 * bytes), the AUTHENTICATE's worst case within NTLM_MAX_TOKEN (the
 * kernel's cbMaxToken), the CHALLENGE's target info bound
 * (NTLM_MAX_TARGET_INFO), the server's configured names, and the name the
 * server builds from a foreign client's domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>

#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/msg.h"
#include "ntlm/unicode.h"
#include "ntlm/userdb.h"
#include "ntlm_harness.h"
#include "ntlm_tests.h"
#include "util.h"

#define ISC_ALL (ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY | \
		 ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT | \
		 ISC_REQ_CONNECTION)
#define ASC_ALL (ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY | \
		 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT | \
		 ASC_REQ_CONNECTION)

/*
 * The AUTHENTICATE of the worst case, in bytes (ntlm_client.c's
 * AUTH_WORST_CASE, counted here by hand): 88 fixed, 2048 domain, 2048
 * user, 30 workstation, 24 LM response, NTLMv2 response 16 + 28 + 4092
 * (the server's pairs) + 8 (MsvAvFlags) + 20 (MsvAvChannelBindings) +
 * 2052 (MsvAvTargetName) + 4 (MsvAvEOL) + 4, 16 session key.
 */
#define AUTH_WORST	10478

/* A string of @len copies of @c (free() it). */
static char *repeat(char c, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memset(s, c, len);
	s[len] = '\0';
	return s;
}

/*
 * The server set up with @domain and @computer (NULL: the tests'), and a
 * database of the one account @db_domain\@db_user with T_PASSWORD.
 */
static void server_setup(const char *domain, const char *computer,
			 const char *db_domain, const char *db_user)
{
	struct ntlm_options o = {
		.users_path = "/nonexistent/ksspi-ntlm-users",
		.domain = domain ? domain : T_DOMAIN,
		.computer = computer ? computer : T_COMPUTER,
	};
	size_t size = 2 * NTLM_USERDB_MAX_NAME + 64;
	char *line = malloc(size), err[128];
	struct ntlm_userdb *db;
	uint8_t hash[16];

	if (!line || ntlm_config_setup(&o) ||
	    ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), hash) ||
	    ntlm_userdb_format_line(line, size, db_domain, db_user, hash) ||
	    ntlm_userdb_parse(line, strlen(line), &db, err, sizeof(err)))
		abort();
	ntlm_config_set_userdb(db);
	free(line);
}

static bool record_is(const struct bytes *blob, uint16_t type,
		      const char *want)
{
	uint32_t len = 0;
	const uint8_t *v = blob_record(blob, type, NULL, &len);

	return v && len == strlen(want) && memcmp(v, want, len) == 0;
}

/*
 * A user of 1024 bytes in a domain of 1024 bytes, a target of 1024 bytes
 * and channel bindings: the whole handshake, both sides naming the client
 * "DOMAIN\user" in full (2049 bytes, KSSPI_CTX_MAX_NAME).
 */
static void test_long_names(void)
{
	char *user = repeat('u', KSSPI_MAX_NAME);
	char *domain = repeat('D', KSSPI_MAX_NAME);
	char *target = repeat('t', KSSPI_MAX_NAME);
	char *name = malloc(KSSPI_CTX_MAX_NAME + 1);
	size_t cb_len;
	uint8_t *cb = ntlm_test_bindings("tls-server-end-point:long", &cb_len);
	struct hs h = { .password = T_PASSWORD, .isc_req = ISC_ALL,
			.asc_req = ASC_ALL };

	if (!name)
		abort();
	memcpy(target, "HTTP/", 5);
	snprintf(name, KSSPI_CTX_MAX_NAME + 1, "%s\\%s", domain, user);
	CHECK_EQ(strlen(name), KSSPI_CTX_MAX_NAME);
	server_setup(NULL, NULL, domain, user);
	h.user = user;
	h.domain = domain;
	h.target = target;
	h.client_cb = h.server_cb = cb;
	h.client_cb_len = h.server_cb_len = cb_len;
	ntlm_handshake(&h);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_OK);
	CHECK(h.authenticate.token.len <= NTLM_MAX_TOKEN);
	CHECK(h.challenge.token.len <= NTLM_MAX_TOKEN);
	CHECK(record_is(&h.authenticate.blob, KSSPI_CTX_REC_CLIENT_NAME, name));
	CHECK(record_is(&h.authenticate.blob, KSSPI_CTX_REC_SERVER_NAME,
			target));
	CHECK(record_is(&h.done.blob, KSSPI_CTX_REC_CLIENT_NAME, name));
	ntlm_handshake_free(&h);

	free(user);
	free(domain);
	free(target);
	free(name);
	free(cb);
	ntlm_test_server_setup(false, NULL, 0);
}

/*
 * A CHALLENGE as our server would send to a NEGOTIATE asking for
 * everything, with target info of exactly @info_len bytes: the NetBIOS
 * names, a timestamp, and an unknown pair (which the client echoes) to
 * fill up.
 */
static void big_challenge(size_t info_len, struct bytes *out)
{
	static const uint8_t chal[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint32_t flags = NTLMSSP_NEGOTIATE_UNICODE |
			       NTLMSSP_REQUEST_TARGET |
			       NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
			       NTLMSSP_NEGOTIATE_NTLM |
			       NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
			       NTLMSSP_TARGET_TYPE_DOMAIN |
			       NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
			       NTLMSSP_NEGOTIATE_TARGET_INFO |
			       NTLMSSP_NEGOTIATE_VERSION |
			       NTLMSSP_NEGOTIATE_128 |
			       NTLMSSP_NEGOTIATE_KEY_EXCH |
			       NTLMSSP_NEGOTIATE_56;
	struct bytes info = { 0 };
	struct ntlm_view name = { (const uint8_t *)"T\0E\0S\0T\0D\0O\0M\0", 14 };
	struct ntlm_view ti;
	uint8_t now[8], *fill;
	size_t fill_len;

	ntlm_put_le64(now, ntlm_filetime_now());
	ntlm_av_put(&info, MSV_AV_NB_DOMAIN_NAME, name.data, name.len);
	ntlm_av_put(&info, MSV_AV_NB_COMPUTER_NAME, "S\0R\0V\0", 6);
	ntlm_av_put(&info, MSV_AV_TIMESTAMP, now, sizeof(now));
	/* the unknown pair's header, and MsvAvEOL: 8 bytes */
	fill_len = info_len - info.len - 8;
	fill = pattern(fill_len, 7);
	ntlm_av_put(&info, 0x4242, fill, fill_len);
	ntlm_av_put(&info, MSV_AV_EOL, NULL, 0);
	CHECK_EQ(info.len, info_len);
	ti = (struct ntlm_view){ info.data, info.len };
	if (ntlm_challenge_encode(out, flags, chal, &name, &ti,
				  &ntlm_our_version))
		abort();
	bytes_free(&info);
	free(fill);
}

/* Leg 1 with the longest names, then leg 2 with @challenge. */
static void client_legs(const struct bytes *challenge, struct reply *r)
{
	char *user = repeat('u', KSSPI_MAX_NAME);
	char *domain = repeat('D', KSSPI_MAX_NAME);
	char *target = repeat('t', KSSPI_MAX_NAME);
	size_t cb_len;
	uint8_t *cb = ntlm_test_bindings("tls-server-end-point:0123456789",
					 &cb_len);
	void *client = pkg_ntlm.state_new();
	struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			 .req = ISC_ALL, .user = user, .domain = domain,
			 .password = T_PASSWORD, .target = target,
			 .cb = cb, .cb_len = cb_len };

	ntlm_run_leg(client, &l, r);
	CHECK_EQ(r->status, SEC_I_CONTINUE_NEEDED);
	CHECK(r->token.len <= NTLM_MAX_TOKEN);
	reply_clear(r);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = ISC_ALL,
			  .token = challenge->data,
			  .token_len = challenge->len };
	ntlm_run_leg(client, &l, r);
	pkg_ntlm.state_free(client);
	free(user);
	free(domain);
	free(target);
	free(cb);
}

/*
 * The AUTHENTICATE's worst case: names and target of KSSPI_MAX_NAME bytes
 * (ASCII: the longest UTF-16LE), channel bindings, a 15-character
 * NetBIOS computer name as workstation, a target info of
 * NTLM_MAX_TARGET_INFO bytes that the client echoes whole.  It fits
 * NTLM_MAX_TOKEN; one byte more of target info is refused.
 */
static void test_max_authenticate(void)
{
	struct bytes chal = { 0 };
	struct ntlm_authenticate a;
	struct reply r;

	server_setup(NULL, "abcdefghijklmnopqrstuvwxyz.test.local", T_DOMAIN,
		     T_USER);
	CHECK_EQ(ntlm_config()->nb_computer16.len, 2 * NTLM_NETBIOS_NAME_MAX);

	big_challenge(NTLM_MAX_TARGET_INFO, &chal);
	client_legs(&chal, &r);
	CHECK_EQ(r.status, SEC_E_OK);
	CHECK_EQ(r.token.len, AUTH_WORST);
	CHECK(r.token.len <= NTLM_MAX_TOKEN);
	CHECK_EQ(ntlm_authenticate_decode(r.token.data, r.token.len, &a), 0);
	CHECK_EQ(a.user.len, 2 * KSSPI_MAX_NAME);
	CHECK_EQ(a.domain.len, 2 * KSSPI_MAX_NAME);
	CHECK_EQ(a.workstation.len, 2 * NTLM_NETBIOS_NAME_MAX);
	reply_clear(&r);
	bytes_free(&chal);

	/* One byte more: SEC_E_INVALID_TOKEN, nothing produced */
	big_challenge(NTLM_MAX_TARGET_INFO + 1, &chal);
	client_legs(&chal, &r);
	CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
	CHECK_EQ(r.token.len, 0);
	CHECK_EQ(r.blob.len, 0);
	reply_clear(&r);
	bytes_free(&chal);
	ntlm_test_server_setup(false, NULL, 0);
}

/* Names over KSSPI_MAX_NAME never reach a message */
static void test_name_bounds(void)
{
	char *over = repeat('x', KSSPI_MAX_NAME + 1);
	const struct leg base = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
				  .req = ISC_ALL, .user = T_USER,
				  .domain = T_DOMAIN, .password = T_PASSWORD,
				  .target = "HTTP/srv" };
	struct leg l;
	struct reply r;
	void *client;
	int i;

	ntlm_test_server_setup(false, NULL, 0);
	for (i = 0; i < 3; i++) {
		l = base;
		if (i == 0)
			l.user = over;
		else if (i == 1)
			l.domain = over;
		else
			l.target = over;
		client = pkg_ntlm.state_new();
		ntlm_run_leg(client, &l, &r);
		CHECK_EQ(r.status, SEC_E_INVALID_PARAMETER);
		CHECK_EQ(r.token.len, 0);
		reply_clear(&r);
		pkg_ntlm.state_free(client);
	}
	free(over);
}

/*
 * The server's names: at most NTLM_CONFIG_NAME_MAX bytes.  With the
 * longest, its CHALLENGE fits cbMaxToken, its target info the client's
 * bound, and a handshake succeeds.
 */
static void test_config_names(void)
{
	struct ntlm_options o = { .users_path = "/nonexistent/ksspi-ntlm-users",
				  .domain = T_DOMAIN,
				  .computer = T_COMPUTER };
	char *longest = repeat('n', NTLM_CONFIG_NAME_MAX);
	char *over = repeat('n', NTLM_CONFIG_NAME_MAX + 1);
	struct ntlm_challenge c;
	struct hs h = { .user = T_USER, .domain = longest,
			.password = T_PASSWORD, .isc_req = ISC_ALL,
			.asc_req = ASC_ALL };

	o.domain = over;
	CHECK(ntlm_config_setup(&o) != 0);
	o.domain = T_DOMAIN;
	o.computer = over;
	CHECK(ntlm_config_setup(&o) != 0);

	/* A NetBIOS domain of 255 bytes, DNS names of 255 bytes */
	server_setup(longest, longest, longest, T_USER);
	CHECK_EQ(strlen(ntlm_config()->dns_computer), NTLM_CONFIG_NAME_MAX);
	CHECK_EQ(strlen(ntlm_config()->nb_domain), NTLM_CONFIG_NAME_MAX);
	ntlm_handshake(&h);
	CHECK_EQ(h.challenge.status, SEC_I_CONTINUE_NEEDED);
	CHECK(h.challenge.token.len <= NTLM_MAX_TOKEN);
	CHECK_EQ(ntlm_challenge_decode(h.challenge.token.data,
				       h.challenge.token.len, &c), 0);
	CHECK(c.target_info.len > 2 * 2 * NTLM_CONFIG_NAME_MAX &&
	      c.target_info.len <= NTLM_MAX_TARGET_INFO);
	CHECK_EQ(h.authenticate.status, SEC_E_OK);
	CHECK_EQ(h.done.status, SEC_E_OK);
	ntlm_handshake_free(&h);
	free(longest);
	free(over);
	ntlm_test_server_setup(false, NULL, 0);
}

/*
 * An NTLMv2 AUTHENTICATE for T_USER with @domain (UTF-8, any length) as a
 * foreign client would send it: no MIC, no key exchange.
 */
static void foreign_authenticate(const struct bytes *challenge,
				 const char *domain, struct bytes *out)
{
	static const uint8_t client_challenge[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	static const uint8_t z24[24];
	struct ntlm_challenge c;
	struct ntlm_av_list av;
	struct ntlm_authenticate_fields f = { 0 };
	struct bytes pairs = { 0 }, nt = { 0 }, user16 = { 0 },
		     domain16 = { 0 };
	uint8_t hash[16], key[16], proof[16] = { 0 };
	struct ntlm_av one;
	size_t pos = 0;

	ntlm_challenge_decode(challenge->data, challenge->len, &c);
	ntlm_av_decode(c.target_info.data, c.target_info.len, false, &av);
	while (ntlm_av_next(&av, &pos, &one))
		ntlm_av_put(&pairs, one.id, one.value.data, one.value.len);
	ntlm_av_put(&pairs, MSV_AV_EOL, NULL, 0);
	if (ntlm_utf8_to_utf16le(T_USER, strlen(T_USER), &user16) ||
	    ntlm_utf8_to_utf16le(domain, strlen(domain), &domain16))
		abort();

	ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), hash);
	ntlm_ntowfv2(hash, user16.data, user16.len, domain16.data,
		     domain16.len, key);
	bytes_append(&nt, proof, 16);
	ntlm_v2_temp(&nt, av.timestamp, client_challenge, pairs.data,
		     pairs.len);
	ntlm_v2_proof(key, c.server_challenge, nt.data + 16, nt.len - 16,
		      proof);
	memcpy(nt.data, proof, 16);

	f.flags = c.flags & ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	f.lm_response = (struct ntlm_view){ z24, 24 };
	f.nt_response = (struct ntlm_view){ nt.data, nt.len };
	f.domain = (struct ntlm_view){ domain16.data, domain16.len };
	f.user = (struct ntlm_view){ user16.data, user16.len };
	f.version = &ntlm_our_version;
	ntlm_authenticate_encode(out, &f);
	bytes_free(&pairs);
	bytes_free(&nt);
	bytes_free(&user16);
	bytes_free(&domain16);
}

/*
 * An account with an empty domain takes the client's domain into its
 * name: up to KSSPI_MAX_NAME bytes (the name record's bound); a longer
 * one, which only a foreign client can send, is refused.
 */
static void test_foreign_domain(void)
{
	static const size_t lens[2] = { KSSPI_MAX_NAME, KSSPI_MAX_NAME + 100 };
	size_t i;

	server_setup(NULL, NULL, "", T_USER);
	for (i = 0; i < 2; i++) {
		char *domain = repeat('F', lens[i]);
		char *name = malloc(lens[i] + strlen(T_USER) + 2);
		void *client = pkg_ntlm.state_new();
		void *server = pkg_ntlm.state_new();
		struct reply neg, chal, done;
		struct bytes auth = { 0 };
		struct leg l;

		if (!name)
			abort();
		snprintf(name, lens[i] + strlen(T_USER) + 2, "%s\\%s", domain,
			 T_USER);
		l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
				  .req = ISC_ALL, .user = T_USER,
				  .password = T_PASSWORD };
		ntlm_run_leg(client, &l, &neg);
		l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
				  .req = ASC_ALL, .token = neg.token.data,
				  .token_len = neg.token.len };
		ntlm_run_leg(server, &l, &chal);
		CHECK_EQ(chal.status, SEC_I_CONTINUE_NEEDED);
		foreign_authenticate(&chal.token, domain, &auth);
		l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT,
				  .req = ASC_ALL, .token = auth.data,
				  .token_len = auth.len };
		ntlm_run_leg(server, &l, &done);
		if (i == 0) {
			CHECK_EQ(done.status, SEC_E_OK);
			CHECK(record_is(&done.blob, KSSPI_CTX_REC_CLIENT_NAME,
					name));
		} else {
			CHECK_EQ(done.status, SEC_E_LOGON_DENIED);
			CHECK_EQ(done.blob.len, 0);
		}
		reply_clear(&neg);
		reply_clear(&chal);
		reply_clear(&done);
		bytes_free(&auth);
		pkg_ntlm.state_free(client);
		pkg_ntlm.state_free(server);
		free(domain);
		free(name);
	}
	ntlm_test_server_setup(false, NULL, 0);
}

const struct test_case ntlm_limits_tests[] = {
	{ "ntlm limits: 1024-byte user and domain, whole handshake, names "
	  "in full", test_long_names },
	{ "ntlm limits: worst-case AUTHENTICATE within NTLM_MAX_TOKEN, "
	  "target info bound", test_max_authenticate },
	{ "ntlm limits: names over KSSPI_MAX_NAME refused at leg 1",
	  test_name_bounds },
	{ "ntlm limits: the server's names: 255 bytes, CHALLENGE bounds",
	  test_config_names },
	{ "ntlm limits: a foreign client's domain in the account's name",
	  test_foreign_domain },
	{ NULL, NULL },
};
