// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-process driver of the NTLM package, shared by the unit tests and the
 * fuzz targets.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>

#include "../ntlm.h"
#include "../ntlm_userdb.h"
#include "ntlm_harness.h"

void ntlm_run_leg(void *state, const struct leg *l, struct reply *r)
{
	struct upcall up = { .op = l->op, .context_req = l->req };

	up.present = 1u << KSSPI_A_OP | 1u << KSSPI_A_CONTEXT_REQ;
	if (l->first) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
		up.present |= 1u << KSSPI_A_FLAGS;
	}
	if (l->user) {
		up.user = strdup(l->user);
		up.present |= 1u << UPCALL_USER;
	}
	if (l->domain) {
		up.domain = strdup(l->domain);
		up.present |= 1u << UPCALL_DOMAIN;
	}
	if (l->password) {
		bytes_append(&up.password, l->password, strlen(l->password));
		up.present |= 1u << UPCALL_PASSWORD;
	}
	if (l->target) {
		up.target_name = strdup(l->target);
		up.present |= 1u << KSSPI_A_TARGET_NAME;
	}
	if (l->token_len) {
		bytes_append(&up.token, l->token, l->token_len);
		up.present |= 1u << KSSPI_A_TOKEN;
	}
	if (l->cb_len) {
		bytes_append(&up.channel_bindings, l->cb, l->cb_len);
		up.present |= 1u << KSSPI_A_CHANNEL_BINDINGS;
	}
	*r = (struct reply){ 0 };
	pkg_ntlm.step(state, &up, r);
	upcall_free(&up);
}

void ntlm_test_server_setup(bool allow_v1, const char *const *spns,
			    size_t spn_count)
{
	struct ntlm_options o = {
		.users_path = "/nonexistent/ksspi-ntlm-users",
		.domain = T_DOMAIN,
		.computer = T_COMPUTER,
		.allow_v1 = allow_v1,
		.spns = spns,
		.spn_count = spn_count,
	};
	struct ntlm_userdb *db;
	uint8_t hash[16];
	char line[128], err[128];

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
			  .token_len = h->negotiate.token.len };
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
			  .cb = h->server_cb, .cb_len = h->server_cb_len };
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
