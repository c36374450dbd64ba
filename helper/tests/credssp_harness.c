// SPDX-License-Identifier: GPL-2.0-or-later
/* In-process driver of the CredSSP package (see credssp_harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "credssp/credssp.h"
#include "credssp/session_cache.h"
#include "credssp/tls.h"
#include "credssp_harness.h"
#include "tap.h"

static char cert_path[2][64], key_path[2][64];

static int write_file(const char *path, const gnutls_datum_t *pem)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(pem->data, 1, pem->size, f) == pem->size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int make_identity(int which)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	unsigned char serial = (unsigned char)(which + 1);
	int ret = -1, fd;

	snprintf(cert_path[which], sizeof(cert_path[which]),
		 "/tmp/ksspi-credssp-crt.XXXXXX");
	snprintf(key_path[which], sizeof(key_path[which]),
		 "/tmp/ksspi-credssp-key.XXXXXX");
	fd = mkstemp(cert_path[which]);
	if (fd < 0)
		return -1;
	close(fd);
	fd = mkstemp(key_path[which]);
	if (fd < 0)
		return -1;
	close(fd);
	if (gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
					 0) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, &serial, 1) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, time(NULL) - 60) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 86400) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  "srv.test.local", 14) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem) < 0 ||
	    write_file(cert_path[which], &pem))
		goto out;
	gnutls_free(pem.data);
	pem.data = NULL;
	if (gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem) < 0 ||
	    write_file(key_path[which], &pem))
		goto out;
	ret = 0;
out:
	gnutls_free(pem.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return ret;
}

int credssp_test_make_identities(void)
{
	return make_identity(0) || make_identity(1) ? -1 : 0;
}

const char *credssp_test_cert(int which)
{
	return cert_path[which];
}

const char *credssp_test_key(int which)
{
	return key_path[which];
}

void credssp_test_remove_identities(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (cert_path[i][0])
			unlink(cert_path[i]);
		if (key_path[i][0])
			unlink(key_path[i]);
	}
}

void credssp_test_configure(int which, const char *const *ntlm_only)
{
	struct credssp_options o = { 0 };

	if (which >= 0) {
		o.cert_file = cert_path[which];
		o.key_file = key_path[which];
	}
	while (ntlm_only && ntlm_only[o.delegate_ntlm_only_count])
		o.delegate_ntlm_only[o.delegate_ntlm_only_count] =
			ntlm_only[o.delegate_ntlm_only_count],
		o.delegate_ntlm_only_count++;
	if (credssp_config_setup(&o))
		abort();
}

void credssp_run_leg(struct cside *s, const uint8_t *in, size_t len,
		     struct reply *r)
{
	struct upcall up = { .op = s->op, .context_req = s->req,
			     .uid = s->uid, .pid = s->pid,
			     .logon_session = s->logon_session,
			     .credential_id = s->credential_id,
			     .session_id = 1 };

	up.package = strdup(CREDSSP_PACKAGE_NAME);
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_PID) |
		     UPCALL_BIT(KSSPI_A_FLAGS) | UPCALL_BIT(KSSPI_A_PACKAGE) |
		     UPCALL_BIT(KSSPI_A_SESSION_ID) |
		     UPCALL_BIT(KSSPI_A_LOGON_SESSION) |
		     UPCALL_BIT(KSSPI_A_CREDENTIAL_ID);
	if (s->first) {
		up.flags |= KSSPI_UPCALL_F_FIRST_LEG;
		if (s->user) {
			up.user = strdup(s->user);
			up.present |= UPCALL_BIT(UPCALL_USER);
		}
		if (s->domain) {
			up.domain = strdup(s->domain);
			up.present |= UPCALL_BIT(UPCALL_DOMAIN);
		}
		if (s->password) {
			bytes_append(&up.password, s->password,
				     strlen(s->password));
			up.present |= UPCALL_BIT(UPCALL_PASSWORD);
		}
		if (s->target) {
			up.target_name = strdup(s->target);
			up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
		}
	}
	if (len) {
		bytes_append(&up.token, in, len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	pkg_credssp.step(s->state, &up, r);
	/* A first leg stays first until the package keeps a state */
	if (r->status != SEC_E_INCOMPLETE_MESSAGE)
		s->first = false;
	s->legs++;
	upcall_free(&up);
}

static bool is_error(uint32_t status)
{
	return status & 0x80000000u;
}

/*
 * Gives @side the peer's @token, cut at h->split first when asked; the
 * answer that counts is recorded and its index returned (-1: full).
 */
static int deliver(struct chs *h, bool client, const struct bytes *token)
{
	struct cside *side = client ? &h->c : &h->s;
	struct bytes rest = { 0 }, with_surplus = { 0 };
	struct reply first;
	int i;

	if (h->count == CHS_MAX_LEGS)
		return -1;
	i = (int)h->count++;
	h->from_client[i] = client;
	if (h->surplus_leg && i == h->surplus_leg) {
		bytes_append(&with_surplus, token->data, token->len);
		bytes_append(&with_surplus, h->surplus, h->surplus_len);
		credssp_run_leg(side, with_surplus.data, with_surplus.len,
				&h->r[i]);
		bytes_free(&with_surplus);
		return i;
	}
	if (!h->split || h->split >= token->len ||
	    (h->split_leg && i != h->split_leg)) {
		credssp_run_leg(side, token->data, token->len, &h->r[i]);
		return i;
	}
	credssp_run_leg(side, token->data, h->split, &first);
	if (first.status == SEC_E_INCOMPLETE_MESSAGE) {
		/* Nothing used: the whole token again */
		CHECK(first.input_missing > 0);
		CHECK(!first.token.len && !first.blob.len);
		h->incomplete++;
		h->missing[i] = first.input_missing;
		reply_clear(&first);
		credssp_run_leg(side, token->data, token->len, &h->r[i]);
		return i;
	}
	if (first.status != SEC_I_CONTINUE_NEEDED ||
	    (first.token.len && !first.input_extra)) {
		/* Failed, or an answer to the part: it counts */
		h->r[i] = first;
		return i;
	}
	/*
	 * Continued, the bytes it did not use handed back (SECBUFFER_EXTRA):
	 * those, then the rest.  What it said meanwhile goes to the peer
	 * ahead of what it says next, as on a stream.
	 */
	CHECK(first.input_extra <= h->split);
	h->extra++;
	bytes_append(&rest, token->data + h->split - first.input_extra,
		     token->len - h->split + first.input_extra);
	credssp_run_leg(side, rest.data, rest.len, &h->r[i]);
	bytes_free(&rest);
	if (first.token.len) {
		bytes_append(&first.token, h->r[i].token.data,
			     h->r[i].token.len);
		bytes_free(&h->r[i].token);
		h->r[i].token = first.token;
		first.token = (struct bytes){ 0 };
	}
	reply_clear(&first);
	return i;
}

static void setup_sides(struct chs *h)
{
	h->c = (struct cside){ .first = true, .op = KSSPI_OP_INIT_CONTEXT,
			       .req = h->isc_req, .user = h->user,
			       .domain = h->domain, .password = h->password,
			       .target = h->target, .uid = 1000,
			       .pid = h->pid ? h->pid : 100,
			       .logon_session = 7,
			       .credential_id = h->credential_id ?
						h->credential_id : 42 };
	h->s = (struct cside){ .first = true, .op = KSSPI_OP_ACCEPT_CONTEXT,
			       .req = h->asc_req, .uid = 2000, .pid = 200,
			       .logon_session = 8, .credential_id = 43 };
	h->c.state = pkg_credssp.state_new();
	h->s.state = pkg_credssp.state_new();
	if (!h->c.state || !h->s.state)
		abort();
	if (h->offered)
		((struct credssp_state *)h->c.state)->offered = h->offered;
	h->client_last = h->server_last = -1;
}

void credssp_handshake(struct chs *h)
{
	struct bytes none = { 0 };
	const struct reply *last;
	bool client_done = false;
	int i;

	setup_sides(h);
	i = deliver(h, true, &none);
	for (;;) {
		if (i < 0)
			return;
		last = &h->r[i];
		if (h->from_client[i]) {
			h->client_last = i;
			if (is_error(last->status))
				return;
			client_done = last->status == SEC_E_OK;
			if (!last->token.len)
				return;
			i = deliver(h, false, &last->token);
		} else {
			h->server_last = i;
			/* The server's last word: an error token, or none */
			if (!last->token.len || client_done)
				return;
			i = deliver(h, true, &last->token);
		}
	}
}

void credssp_handshake_free(struct chs *h)
{
	unsigned int i;

	pkg_credssp.state_free(h->c.state);
	pkg_credssp.state_free(h->s.state);
	for (i = 0; i < h->count; i++)
		reply_clear(&h->r[i]);
	h->c.state = h->s.state = NULL;
	h->count = 0;
}

/* ---- the relay ---- */

static int record(struct chs *h, bool client, struct reply *r)
{
	if (h->count == CHS_MAX_LEGS) {
		reply_clear(r);
		return -1;
	}
	h->from_client[h->count] = client;
	h->r[h->count] = *r;
	if (client)
		h->client_last = (int)h->count;
	else
		h->server_last = (int)h->count;
	return (int)h->count++;
}

/* A leg of one side whose answer is recorded; its index, or -1. */
static int leg(struct chs *h, bool client, const struct bytes *in)
{
	struct reply r;

	credssp_run_leg(client ? &h->c : &h->s, in->data, in->len, &r);
	return record(h, client, &r);
}

/* Opens @in on @c into a whole TSRequest, edits it, seals it on @to. */
static bool pass(struct relay *m, bool from_client, unsigned int index,
		 struct tls_conn *from, struct tls_conn *to,
		 const uint8_t *in, size_t len, struct bytes *from_out,
		 struct bytes *to_out)
{
	struct bytes plain = { 0 }, der = { 0 };
	struct ts_request req = { 0 };
	size_t consumed, missing;
	bool ok;

	ok = tls_conn_recv(from, in, len, &consumed, &missing, &plain,
			   from_out) == TLS_OK && consumed == len &&
	     ts_request_decode(plain.data, plain.len, &req) == 0;
	if (ok && m->edit)
		m->edit(m, from_client, index, &req);
	ok = ok && ts_request_encode(&req, &der) == 0 &&
	     tls_conn_send(to, der.data, der.len, to_out) == TLS_OK;
	ts_request_clear(&req);
	bytes_free(&plain);
	bytes_free(&der);
	return ok;
}

void credssp_relay(struct relay *m)
{
	struct chs *h = &m->h;
	struct tls_server_identity *relay_id;
	struct tls_conn *down, *up;
	struct bytes t = { 0 }, out = { 0 }, to_client = { 0 };
	const struct bytes *tok;
	size_t consumed = 0, missing;
	unsigned int from_client = 0, from_server = 0;
	enum tls_result res;
	int i;

	/*
	 * The relay and the server share this process's ticket key: a
	 * cached session would let the relay resume what it never saw.
	 */
	session_cache_clear();
	setup_sides(h);
	relay_id = tls_server_identity_load(cert_path[m->identity],
					    key_path[m->identity]);
	down = tls_conn_new(TLS_SERVER, relay_id, NULL);
	up = tls_conn_new(TLS_CLIENT, NULL, NULL);
	if (!relay_id || !down || !up)
		abort();

	/* The relay's handshake with the server */
	res = tls_conn_handshake(up, NULL, 0, &consumed, &missing, &t);
	while (res == TLS_NEED_MORE) {
		i = leg(h, false, &t);
		bytes_free(&t);
		if (i < 0 || h->r[i].status != SEC_I_CONTINUE_NEEDED)
			goto out;
		tok = &h->r[i].token;
		res = tls_conn_handshake(up, tok->data, tok->len, &consumed,
					 &missing, &t);
	}
	if (res != TLS_OK)
		goto out;
	if (h->count && consumed < h->r[h->count - 1].token.len) {
		/* A TLS 1.3 server's tickets after its Finished */
		tok = &h->r[h->count - 1].token;
		if (tls_conn_recv(up, tok->data + consumed, tok->len - consumed,
				  &consumed, &missing, &out, &t) != TLS_OK ||
		    out.len)
			goto out;
	}
	if (t.len) {
		/* The relay's Finished */
		i = leg(h, false, &t);
		bytes_free(&t);
		if (i < 0 || h->r[i].status != SEC_I_CONTINUE_NEEDED)
			goto out;
		/* Whatever the server sent then is no TSRequest yet */
		tok = &h->r[i].token;
		if (tok->len &&
		    (tls_conn_recv(up, tok->data, tok->len, &consumed,
				   &missing, &out, &t) != TLS_OK ||
		     out.len))
			goto out;
		bytes_free(&t);
	}

	/* The client's handshake with the relay */
	i = leg(h, true, &t);
	for (;;) {
		if (i < 0 || h->r[i].status != SEC_I_CONTINUE_NEEDED)
			goto out;
		tok = &h->r[i].token;
		res = tls_conn_handshake(down, tok->data, tok->len, &consumed,
					 &missing, &out);
		if (res != TLS_NEED_MORE)
			break;
		i = leg(h, true, &out);
		bytes_free(&out);
	}
	if (res != TLS_OK)
		goto out;
	if (consumed == tok->len) {
		/* TLS 1.2: our Finished first, then the client's TSRequest */
		i = leg(h, true, &out);
		bytes_free(&out);
		if (i < 0 || h->r[i].status != SEC_I_CONTINUE_NEEDED)
			goto out;
		tok = &h->r[i].token;
		consumed = 0;
	} else {
		/* TLS 1.3: the client's TSRequest after its Finished */
		bytes_append(&to_client, out.data, out.len);
		bytes_free(&out);
	}

	/* TSRequests both ways */
	for (;;) {
		if (!pass(m, true, from_client, down, up,
			  tok->data + consumed, tok->len - consumed,
			  &to_client, &t))
			goto out;
		if (m->trailing && from_client == m->trailing_after) {
			size_t before = t.len;

			if (tls_conn_send(up, m->trailing, m->trailing_len,
					  &t) != TLS_OK)
				goto out;
			m->trailing_record_len = t.len - before;
		}
		from_client++;
		i = leg(h, false, &t);
		bytes_free(&t);
		if (i < 0 || !h->r[i].token.len)
			goto out;
		tok = &h->r[i].token;
		if (!pass(m, false, from_server++, up, down, tok->data,
			  tok->len, &t, &to_client))
			goto out;
		bytes_free(&t);
		i = leg(h, true, &to_client);
		bytes_free(&to_client);
		if (i < 0 || is_error(h->r[i].status) || !h->r[i].token.len)
			goto out;
		tok = &h->r[i].token;
		consumed = 0;
	}
out:
	if (m->trailing_record_len &&
	    tls_conn_export(up, &m->relay_state))
		m->trailing_record_len = 0;
	bytes_free(&t);
	bytes_free(&out);
	bytes_free(&to_client);
	tls_conn_free(down);
	tls_conn_free(up);
	tls_server_identity_free(relay_id);
}
