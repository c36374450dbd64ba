// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-process driver of the NTLM package, shared by the unit tests and the
 * fuzz targets.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>

#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/unicode.h"
#include "ntlm/userdb.h"
#include "ntlm_harness.h"

void ntlm_run_leg(void *state, const struct leg *l, struct reply *r)
{
	struct upcall up = { .op = l->op, .context_req = l->req,
			     .uid = l->uid };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_FLAGS);
	if (l->first)
		up.flags |= KSSPI_UPCALL_F_FIRST_LEG;
	if (l->kernel)
		up.flags |= KSSPI_UPCALL_F_KERNEL_CALLER;
	if (l->user) {
		up.user = strdup(l->user);
		up.present |= UPCALL_BIT(UPCALL_USER);
	}
	if (l->domain) {
		up.domain = strdup(l->domain);
		up.present |= UPCALL_BIT(UPCALL_DOMAIN);
	}
	if (l->password) {
		bytes_append(&up.password, l->password, strlen(l->password));
		up.present |= UPCALL_BIT(UPCALL_PASSWORD);
	}
	if (l->target) {
		up.target_name = strdup(l->target);
		up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
	}
	if (l->token_len) {
		bytes_append(&up.token, l->token, l->token_len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	if (l->cb_len) {
		bytes_append(&up.channel_bindings, l->cb, l->cb_len);
		up.present |= UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS);
	}
	*r = (struct reply){ 0 };
	pkg_ntlm.step(state, &up, r);
	upcall_free(&up);
}

void ntlm_test_server_setup(bool allow_v1, const char *const *spns,
			    size_t spn_count)
{
	struct ntlm_options o = {
		.allow_v1 = allow_v1,
		.spns = spns,
		.spn_count = spn_count,
	};

	ntlm_test_server_setup_opts(&o);
}

void ntlm_test_server_setup_opts(const struct ntlm_options *opts)
{
	struct ntlm_options o = { 0 };
	struct ntlm_userdb *db;
	uint8_t hash[16];
	char line[128], err[128];

	static struct ntlm_lockout_policy no_lockout;

	/*
	 * Without a policy of their own, tests that fail logons by the dozen
	 * (hostile input, fuzzing) must not lock alice out: no lockout.
	 */
	ntlm_lockout_defaults(&no_lockout);
	no_lockout.threshold = 0;
	if (opts)
		o = *opts;
	if (!o.lockout)
		o.lockout = &no_lockout;
	o.users_path = "/nonexistent/ksspi-ntlm-users";
	o.domain = T_DOMAIN;
	o.computer = T_COMPUTER;
	if (ntlm_config_setup(&o))
		abort();
	/* The database holds TESTDOM:alice with the hash of T_PASSWORD */
	if (ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), hash) ||
	    ntlm_userdb_format_line(line, sizeof(line), T_DOMAIN, T_USER,
				    hash) ||
	    ntlm_userdb_parse(line, strlen(line), &db, err, sizeof(err)))
		abort();
	ntlm_config_set_userdb(db);
}

void ntlm_handshake(struct hs *h)
{
	struct leg l;
	struct bytes auth = { 0 };

	h->client = pkg_ntlm.state_new();
	h->server = pkg_ntlm.state_new();
	if (!h->client || !h->server)
		abort();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = h->isc_req, .user = h->user,
			  .domain = h->domain, .password = h->password,
			  .target = h->target };
	ntlm_run_leg(h->client, &l, &h->negotiate);
	if (h->negotiate.status != SEC_I_CONTINUE_NEEDED)
		return;
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = h->asc_req, .token = h->negotiate.token.data,
			  .token_len = h->negotiate.token.len,
			  .uid = h->server_uid };
	ntlm_run_leg(h->server, &l, &h->challenge);
	if (h->challenge.status != SEC_I_CONTINUE_NEEDED)
		return;
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = h->isc_req,
			  .token = h->challenge.token.data,
			  .token_len = h->challenge.token.len,
			  .cb = h->client_cb, .cb_len = h->client_cb_len };
	ntlm_run_leg(h->client, &l, &h->authenticate);
	if (h->authenticate.status != SEC_E_OK)
		return;
	bytes_append(&auth, h->authenticate.token.data,
		     h->authenticate.token.len);
	if (h->tamper)
		h->tamper(&auth);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .req = h->asc_req,
			  .token = auth.data, .token_len = auth.len,
			  .cb = h->server_cb, .cb_len = h->server_cb_len,
			  .uid = h->server_uid };
	ntlm_run_leg(h->server, &l, &h->done);
	bytes_free(&auth);
}

void ntlm_handshake_free(struct hs *h)
{
	pkg_ntlm.state_free(h->client);
	pkg_ntlm.state_free(h->server);
	reply_clear(&h->negotiate);
	reply_clear(&h->challenge);
	reply_clear(&h->authenticate);
	reply_clear(&h->done);
	h->client = h->server = NULL;
}

void ntlm_test_authenticate(const struct bytes *neg, const struct bytes *chal,
			    const struct test_auth *t, struct bytes *out,
			    uint8_t key[16])
{
	static const uint8_t client_challenge[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t lm[24];
	struct ntlm_authenticate_fields f = { 0 };
	struct ntlm_challenge c;
	struct ntlm_av_list av;
	struct ntlm_av one;
	struct bytes pairs = { 0 }, nt = { 0 }, user16 = { 0 },
		     domain16 = { 0 }, password16 = { 0 };
	uint8_t hash[16], response_key[16], proof[16], kxkey[16], enc[16],
		mic[16], av_flags[4];
	size_t pos = 0;

	if (ntlm_challenge_decode(chal->data, chal->len, &c) ||
	    ntlm_av_decode(c.target_info.data, c.target_info.len, false, &av))
		abort();
	while (ntlm_av_next(&av, &pos, &one))
		if (one.id != MSV_AV_FLAGS)
			ntlm_av_put(&pairs, one.id, one.value.data,
				    one.value.len);
	ntlm_put_le32(av_flags, t->mic ? MSV_AV_FLAG_MIC_PRESENT : 0);
	ntlm_av_put(&pairs, MSV_AV_FLAGS, av_flags, 4);
	ntlm_av_put(&pairs, MSV_AV_EOL, NULL, 0);

	if (ntlm_utf8_to_utf16le(t->user, strlen(t->user), &user16) ||
	    ntlm_utf8_to_utf16le(t->domain, strlen(t->domain), &domain16) ||
	    ntlm_utf8_to_utf16le(t->password, strlen(t->password),
				 &password16))
		abort();
	ntlm_nt_hash_utf16(password16.data, password16.len, hash);
	ntlm_ntowfv2(hash, user16.data, user16.len, domain16.data,
		     domain16.len, response_key);
	bytes_append(&nt, client_challenge, 8);	/* room for the proof */
	bytes_append(&nt, client_challenge, 8);
	ntlm_v2_temp(&nt, av.timestamp, client_challenge, pairs.data,
		     pairs.len);
	ntlm_v2_proof(response_key, c.server_challenge, nt.data + 16,
		      nt.len - 16, proof);
	memcpy(nt.data, proof, 16);
	ntlm_v2_session_base_key(response_key, proof, kxkey);
	if (ntlm_uses_key_exch(t->flags)) {
		memset(key, 0x5c, 16);
		ntlm_rc4k(kxkey, key, enc);
		f.session_key = (struct ntlm_view){ enc, 16 };
	} else {
		memcpy(key, kxkey, 16);
	}

	f.flags = t->flags;
	f.lm_response = (struct ntlm_view){ lm, sizeof(lm) };
	f.nt_response = (struct ntlm_view){ nt.data, nt.len };
	f.user = (struct ntlm_view){ t->user_wire, t->user_wire_len };
	f.domain = (struct ntlm_view){ t->domain_wire, t->domain_wire_len };
	f.version = t->version ? &ntlm_our_version : NULL;
	f.with_mic = true;	/* the VERSION and MIC fields, zero or not */
	if (ntlm_authenticate_encode(out, &f))
		abort();
	if (t->mic) {
		ntlm_mic(key, neg->data, neg->len, chal->data, chal->len,
			 out->data, out->len, NTLM_AUTH_MIC_OFF, mic);
		memcpy(out->data + NTLM_AUTH_MIC_OFF, mic, 16);
	}
	bytes_free(&pairs);
	bytes_free(&nt);
	bytes_free(&user16);
	bytes_free(&domain16);
	bytes_free(&password16);
}

uint8_t *ntlm_test_bindings(const char *app, size_t *len)
{
	size_t app_len = strlen(app);
	uint8_t *cb = calloc(1, 32 + app_len);

	if (!cb)
		abort();
	ntlm_put_le32(cb + 24, (uint32_t)app_len);
	ntlm_put_le32(cb + 28, 32);
	memcpy(cb + 32, app, app_len);
	*len = 32 + app_len;
	return cb;
}
