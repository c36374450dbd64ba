// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the Kerberos package (TAP): client and server legs in one
 * process against the MIT realm of selftests/interop/krb5_env.py, which
 * tests/kerberos/run-in-realm creates (KRB5_CONFIG, KRB5_KTNAME set, the
 * keytab's path as argv[1]).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include <linux/ksspi_context.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "request.h"
#include "session.h"
#include "tests/tap.h"

#define REQ_MUTUAL (ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY | \
		    ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | \
		    ISC_REQ_SEQUENCE_DETECT)

/* One leg of root's, with @cb (@cb_len bytes) as its channel bindings. */
static void run_leg_cb(void *state, uint32_t op, uint32_t req,
		       const char *user, const char *domain,
		       const char *password, const char *target,
		       const struct bytes *token, const void *cb,
		       size_t cb_len, struct reply *r)
{
	struct upcall up = { .op = op, .context_req = req };

	/* Root calls, as acceptors with the keytab must */
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID);
	if (user) {
		up.user = strdup(user);
		up.present |= UPCALL_BIT(UPCALL_USER);
	}
	if (domain) {
		up.domain = strdup(domain);
		up.present |= UPCALL_BIT(UPCALL_DOMAIN);
	}
	if (password) {
		bytes_append(&up.password, password, strlen(password));
		up.present |= UPCALL_BIT(UPCALL_PASSWORD);
	}
	if (target) {
		up.target_name = strdup(target);
		up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
	}
	if (token && token->len) {
		bytes_append(&up.token, token->data, token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	if (cb) {
		bytes_append(&up.channel_bindings, cb, cb_len);
		up.present |= UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS);
	}
	*r = (struct reply){ 0 };
	pkg_kerberos.step(state, &up, r);
	upcall_free(&up);
}

static void run_leg(void *state, uint32_t op, uint32_t req,
		    const char *user, const char *domain, const char *password,
		    const char *target, const struct bytes *token,
		    struct reply *r)
{
	run_leg_cb(state, op, req, user, domain, password, target, token,
		   NULL, 0, r);
}

/* A whole handshake for @target; the client's and server's last replies. */
static void handshake(const char *target, uint32_t req, const char *password,
		      struct reply *client, struct reply *server)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply ap_req;

	*server = (struct reply){ 0 };
	run_leg(c, KSSPI_OP_INIT_CONTEXT, req, "alice", "test.local",
		password, target, NULL, &ap_req);
	*client = ap_req;
	if (ap_req.status != SEC_E_OK &&
	    ap_req.status != SEC_I_CONTINUE_NEEDED)
		goto out;
	CHECK(ap_req.token.len > 0);
	run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
		&ap_req.token, server);
	if (ap_req.status == SEC_I_CONTINUE_NEEDED &&
	    server->status == SEC_E_OK) {
		run_leg(c, KSSPI_OP_INIT_CONTEXT, req, NULL, NULL, NULL,
			NULL, &server->token, client);
		reply_clear(&ap_req);
	}
out:
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
}

static uint64_t le_value(const uint8_t *v, uint32_t len)
{
	uint64_t x = 0;

	while (len--)
		x = (x << 8) | v[len];
	return x;
}

/* The little-endian number of record @type of @r's blob; ~0 when absent. */
static uint64_t blob_number(const struct reply *r, uint16_t type)
{
	const uint8_t *v;
	uint32_t len;

	if (ctxblob_find(r->blob.data, r->blob.len, type, &v, &len) ||
	    len > 8)
		return ~(uint64_t)0;
	return le_value(v, len);
}

/* Record @type of @r's blob equals @len bytes at @want. */
static int blob_is(const struct reply *r, uint16_t type, const void *want,
		   uint32_t want_len)
{
	const uint8_t *v;
	uint32_t len;

	return !ctxblob_find(r->blob.data, r->blob.len, type, &v, &len) &&
	       len == want_len && memcmp(v, want, len) == 0;
}

/* Records @type of both blobs are there and equal. */
static int blobs_agree(const struct reply *a, const struct reply *b,
		       uint16_t type)
{
	const uint8_t *v;
	uint32_t len;

	return !ctxblob_find(a->blob.data, a->blob.len, type, &v, &len) &&
	       blob_is(b, type, v, len);
}

/*
 * The blobs of both ends of one handshake: the same token key (the
 * session key too), enctype and names, crossed sequence numbers, the
 * initiator flag on the client's only, the header's expiry the reply's.
 */
static void check_blobs(const struct reply *c, const struct reply *s,
			uint32_t enctype, int acceptor_subkey,
			const char *server)
{
	const uint8_t *key, *session_key;
	uint32_t key_len, session_key_len;

	CHECK(c->blob.len > sizeof(struct ksspi_ctx_header));
	CHECK(s->blob.len > sizeof(struct ksspi_ctx_header));
	CHECK_EQ(le_value(c->blob.data + offsetof(struct ksspi_ctx_header,
						  flags), 4),
		 KSSPI_CTX_F_INITIATOR);
	CHECK_EQ(le_value(s->blob.data + offsetof(struct ksspi_ctx_header,
						  flags), 4), 0);
	CHECK(strcmp((const char *)c->blob.data +
		     offsetof(struct ksspi_ctx_header, package),
		     "Kerberos") == 0);
	CHECK_EQ(le_value(c->blob.data + offsetof(struct ksspi_ctx_header,
						  expiry), 8),
		 (uint64_t)c->expiry);
	CHECK_EQ(blob_number(c, KSSPI_CTX_REC_KRB5_ENCTYPE), enctype);
	CHECK_EQ(blob_number(s, KSSPI_CTX_REC_KRB5_ENCTYPE), enctype);
	CHECK_EQ(blob_number(c, KSSPI_CTX_REC_KRB5_INFO),
		 acceptor_subkey ? KSSPI_KRB5_F_ACCEPTOR_SUBKEY : 0);
	CHECK_EQ(blob_number(s, KSSPI_CTX_REC_KRB5_INFO),
		 acceptor_subkey ? KSSPI_KRB5_F_ACCEPTOR_SUBKEY : 0);
	CHECK(!ctxblob_find(c->blob.data, c->blob.len, KSSPI_CTX_REC_KRB5_KEY,
			    &key, &key_len));
	CHECK_EQ(key_len, enctype == 17 || enctype == 19 ? 16 : 32);
	CHECK(blob_is(s, KSSPI_CTX_REC_KRB5_KEY, key, key_len));
	/* SECPKG_ATTR_SESSION_KEY is the token key */
	CHECK(!ctxblob_find(c->blob.data, c->blob.len,
			    KSSPI_CTX_REC_SESSION_KEY, &session_key,
			    &session_key_len));
	CHECK(session_key_len == key_len &&
	      memcmp(session_key, key, key_len) == 0);
	CHECK(blobs_agree(c, s, KSSPI_CTX_REC_SESSION_KEY));
	CHECK_EQ(blob_number(c, KSSPI_CTX_REC_SEND_SEQ),
		 blob_number(s, KSSPI_CTX_REC_RECV_SEQ));
	CHECK_EQ(blob_number(s, KSSPI_CTX_REC_SEND_SEQ),
		 blob_number(c, KSSPI_CTX_REC_RECV_SEQ));
	CHECK(blob_number(c, KSSPI_CTX_REC_SEND_SEQ) != ~(uint64_t)0);
	CHECK(blob_is(c, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL", 16));
	CHECK(blob_is(s, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL", 16));
	CHECK(blob_is(c, KSSPI_CTX_REC_SERVER_NAME, server, strlen(server)));
	CHECK(blob_is(s, KSSPI_CTX_REC_SERVER_NAME, server, strlen(server)));
}

static void test_spn(void)
{
	char out[64];

	CHECK_EQ(kerberos_spn_to_hostbased("host/srv.test.local", out,
					   sizeof(out)), 0);
	CHECK(strcmp(out, "host@srv.test.local") == 0);
	CHECK_EQ(kerberos_spn_to_hostbased("HTTP/web.test.local:8080", out,
					   sizeof(out)), 0);
	CHECK(strcmp(out, "HTTP@web.test.local") == 0);
	CHECK_EQ(kerberos_spn_to_hostbased("ldap/dc.test.local/test.local",
					   out, sizeof(out)), 0);
	CHECK(strcmp(out, "ldap@dc.test.local") == 0);
	CHECK(kerberos_spn_to_hostbased("srv.test.local", out,
					sizeof(out)) != 0);
	CHECK(kerberos_spn_to_hostbased("/srv", out, sizeof(out)) != 0);
	CHECK(kerberos_spn_to_hostbased("host/", out, sizeof(out)) != 0);
	CHECK(kerberos_spn_to_hostbased("host/a@B", out, sizeof(out)) != 0);
	CHECK(kerberos_spn_to_hostbased("host/srv.test.local", out, 8) != 0);
}

/* Target names: the GSSAPI name and its type, or a refusal. */
static void test_target_forms(void)
{
	static const struct {
		const char *target, *name;
		enum kerberos_name_type type;
	} good[] = {
		{ "host/srv.test.local", "host@srv.test.local",
		  KERBEROS_NAME_HOSTBASED },
		{ "HTTP/web:8080", "HTTP@web", KERBEROS_NAME_HOSTBASED },
		{ "host/srv", "host@srv", KERBEROS_NAME_HOSTBASED },
		{ "host/srv.test.local@TEST.LOCAL",
		  "host/srv.test.local@TEST.LOCAL", KERBEROS_NAME_PRINCIPAL },
		{ "bob@TEST.LOCAL", "bob@TEST.LOCAL", KERBEROS_NAME_PRINCIPAL },
		{ "bob", "bob", KERBEROS_NAME_PRINCIPAL },
		{ "srv$", "srv$", KERBEROS_NAME_PRINCIPAL },
	};
	static const char *const bad[] = {
		"", "@TEST.LOCAL", "bob@", "a@b@C", "TEST\\bob",
		"host/@TEST.LOCAL", "/srv@TEST.LOCAL", "host/srv:88@TEST.LOCAL",
		"host/srv/x@TEST.LOCAL", "bob@TEST/LOCAL", "host/", "/srv",
	};
	enum kerberos_name_type type;
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_EQ(kerberos_target(good[i].target, out, sizeof(out),
					 &type), 0);
		CHECK(strcmp(out, good[i].name) == 0);
		CHECK_EQ(type, good[i].type);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(kerberos_target(bad[i], out, sizeof(out), &type) != 0);
	CHECK(kerberos_target("bob@TEST.LOCAL", out, 14, &type) != 0);
}

static void test_no_mutual(void)
{
	struct reply c, s;
	uint32_t req = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY;

	handshake("host/srv.test.local", req, "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK_EQ(s.status, SEC_E_OK);
	CHECK_EQ(s.token.len, 0);
	CHECK(!(c.context_attr & ISC_RET_MUTUAL_AUTH));
	CHECK(c.context_attr & ISC_RET_CONFIDENTIALITY);
	CHECK(s.context_attr & ASC_RET_CONFIDENTIALITY);
	/* no AP-REP: the initiator's subkey protects messages */
	check_blobs(&c, &s, 18, 0, "host/srv.test.local@TEST.LOCAL");
	reply_clear(&c);
	reply_clear(&s);
}

static void check_mutual(const char *target, uint32_t enctype)
{
	char server[128];

	struct reply c, s;
	time_t now = time(NULL);

	handshake(target, REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK_EQ(s.status, SEC_E_OK);
	CHECK(s.token.len > 0);		/* the AP-REP */
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK(c.context_attr & ISC_RET_MUTUAL_AUTH);
	CHECK(c.context_attr & ISC_RET_REPLAY_DETECT);
	CHECK(s.context_attr & ASC_RET_MUTUAL_AUTH);
	/* the realm's tickets live 10 h */
	CHECK(c.has_expiry && c.expiry > now + 9 * 3600 &&
	      c.expiry <= now + 10 * 3600 + 60);
	CHECK(s.has_expiry && s.expiry > now + 9 * 3600);
	/* both ends end at the ticket's end time */
	CHECK_EQ(c.expiry, s.expiry);
	snprintf(server, sizeof(server), "%s@TEST.LOCAL", target);
	/* MIT's acceptor asserts a subkey in the AP-REP */
	check_blobs(&c, &s, enctype, 1, server);
	reply_clear(&c);
	reply_clear(&s);
}

static void test_mutual(void)
{
	check_mutual("host/srv.test.local", 18);
}

static void test_mutual_termsrv(void)
{
	check_mutual("TERMSRV/srv.test.local", 18);
}

/*
 * The ticket and its session key are aes-sha2, but MIT's acceptor picks
 * its subkey's enctype from the initiator's list (RFC 4537), whose first
 * entry is aes256-cts-hmac-sha1-96.
 */
static void test_mutual_sha2(void)
{
	check_mutual("host/sha2.test.local", 18);
}

/* Without an AP-REP the session key's enctype protects messages. */
static void test_no_mutual_sha2(void)
{
	struct reply c, s;

	handshake("host/sha2.test.local", ISC_REQ_INTEGRITY, "Passw0rd!",
		  &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK_EQ(s.status, SEC_E_OK);
	check_blobs(&c, &s, 20, 0, "host/sha2.test.local@TEST.LOCAL");
	reply_clear(&c);
	reply_clear(&s);
}

static void test_wrong_password(void)
{
	struct reply c, s;

	handshake("host/srv.test.local", REQ_MUTUAL, "wrong", &c, &s);
	CHECK_EQ(c.status, SEC_E_LOGON_DENIED);
	CHECK_EQ(c.token.len, 0);
	reply_clear(&c);
}

static void test_unknown_spn(void)
{
	struct reply c, s;

	handshake("host/nosuch.test.local", REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_E_TARGET_UNKNOWN);
	reply_clear(&c);
}

static void test_delegate_needs_mutual(void)
{
	struct reply c, s;

	handshake("host/srv.test.local", ISC_REQ_DELEGATE, "Passw0rd!",
		  &c, &s);
	CHECK_EQ(c.status, SEC_E_UNSUPPORTED_FUNCTION);
	reply_clear(&c);
}

static void test_no_credentials(void)
{
	void *c = pkg_kerberos.state_new();
	struct reply r;

	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, NULL, NULL, NULL,
		"host/srv.test.local", NULL, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	reply_clear(&r);
	pkg_kerberos.state_free(c);
}

static void test_corrupt_ap_req(void)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply ap_req, r;

	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, "alice", "TEST.LOCAL",
		"Passw0rd!", "host/srv.test.local", NULL, &ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	/* not before the AP-REP is verified */
	CHECK(!(ap_req.context_attr & ISC_RET_MUTUAL_AUTH));
	if (ap_req.token.len > 40) {
		/* inside the ticket's encrypted part: its checksum fails */
		ap_req.token.data[ap_req.token.len - 20] ^= 0x01;
		run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
			&ap_req.token, &r);
		/* KRB_AP_ERR_BAD_INTEGRITY; a KRB-ERROR for the peer only */
		CHECK_EQ(r.status, SEC_E_LOGON_DENIED);
		CHECK(r.token.len == 0 || r.token.data[0] == 0x60);
		CHECK_EQ(r.blob.len, 0);
		reply_clear(&r);
		/* not a GSSAPI token at all */
		pkg_kerberos.state_free(s);
		s = pkg_kerberos.state_new();
		ap_req.token.data[0] = 0x05;
		run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
			&ap_req.token, &r);
		CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
		reply_clear(&r);
	}
	reply_clear(&ap_req);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
}

static const char *keytab_path;

/* The realm's folder (the keytab's); @name in it. */
static void realm_file(const char *name, char *out, size_t size)
{
	const char *slash = strrchr(keytab_path, '/');

	snprintf(out, size, "%.*s/%s", (int)(slash - keytab_path),
		 keytab_path, name);
}

static int kadmin(const char *query)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "kadmin.local -r TEST.LOCAL -q '%s' >/dev/null 2>&1", query);
	return system(cmd);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A KDC nobody listens for (port 1 on loopback): quickly refused. */
static void test_kdc_unreachable(void)
{
	char conf[512], *saved = strdup(getenv("KRB5_CONFIG"));
	struct reply c, s;
	double start;
	FILE *f;

	realm_file("krb5-nokdc.conf", conf, sizeof(conf));
	f = fopen(conf, "w");
	CHECK(f != NULL);
	if (!f || !saved) {
		free(saved);
		return;
	}
	fputs("[libdefaults]\n default_realm = TEST.LOCAL\n"
	      " dns_lookup_kdc = false\n dns_lookup_realm = false\n"
	      " udp_preference_limit = 1\n"
	      "[realms]\n TEST.LOCAL = {\n  kdc = 127.0.0.1:1\n }\n", f);
	fclose(f);
	setenv("KRB5_CONFIG", conf, 1);
	start = now_seconds();
	handshake("host/srv.test.local", REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK(now_seconds() - start < 2.0);
	setenv("KRB5_CONFIG", saved, 1);
	free(saved);
	CHECK_EQ(c.status, SEC_E_NO_AUTHENTICATING_AUTHORITY);
	CHECK_EQ(c.token.len, 0);
	reply_clear(&c);
}

/* @query makes alice unusable; the next logon fails, then @undo. */
static void check_refused_client(const char *query, const char *undo)
{
	struct reply c, s;

	CHECK_EQ(kadmin(query), 0);
	handshake("host/srv.test.local", REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK_EQ(kadmin(undo), 0);
	CHECK_EQ(c.status, SEC_E_LOGON_DENIED);
	reply_clear(&c);
	reply_clear(&s);
	/* and alice works again */
	handshake("host/srv.test.local", REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	reply_clear(&c);
	reply_clear(&s);
}

static void test_disabled(void)
{
	check_refused_client("modprinc -allow_tix alice",
			     "modprinc +allow_tix alice");
}

static void test_expired(void)
{
	check_refused_client("modprinc -expire 2020-01-01 alice",
			     "modprinc -expire never alice");
}

static void test_password_expired(void)
{
	check_refused_client("modprinc -pwexpire 2020-01-01 alice",
			     "modprinc -pwexpire never alice");
}

/* The acceptor's keytab lacks the ticket's service: not the target. */
static void test_keytab_without_service(void)
{
	char kt[512], query[600];
	struct reply c, s;

	realm_file("keytab-host-only", kt, sizeof(kt));
	snprintf(query, sizeof(query), "ktadd -k %s -norandkey "
		 "host/srv.test.local", kt);
	CHECK_EQ(kadmin(query), 0);
	CHECK_EQ(kerberos_config_setup(kt), 0);
	handshake("TERMSRV/srv.test.local", REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_I_CONTINUE_NEEDED);
	CHECK_EQ(s.status, SEC_E_WRONG_PRINCIPAL);
	/* the same keytab takes host/srv */
	reply_clear(&c);
	reply_clear(&s);
	handshake("host/srv.test.local", REQ_MUTUAL, "Passw0rd!", &c, &s);
	CHECK_EQ(s.status, SEC_E_OK);
	CHECK_EQ(c.status, SEC_E_OK);
	reply_clear(&c);
	reply_clear(&s);
	CHECK_EQ(kerberos_config_setup(keytab_path), 0);
}

/* The AP-REP of another handshake: the server did not prove itself. */
static void test_ap_rep_mismatch(void)
{
	void *c1 = pkg_kerberos.state_new(), *c2 = pkg_kerberos.state_new();
	void *s2 = pkg_kerberos.state_new();
	struct reply req1, req2, rep2, r;

	run_leg(c1, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, "alice", "TEST.LOCAL",
		"Passw0rd!", "host/srv.test.local", NULL, &req1);
	run_leg(c2, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, "alice", "TEST.LOCAL",
		"Passw0rd!", "host/srv.test.local", NULL, &req2);
	run_leg(s2, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
		&req2.token, &rep2);
	CHECK_EQ(rep2.status, SEC_E_OK);
	run_leg(c1, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, NULL, NULL, NULL, NULL,
		&rep2.token, &r);
	CHECK_EQ(r.status, SEC_E_WRONG_PRINCIPAL);
	CHECK_EQ(r.blob.len, 0);
	reply_clear(&r);
	reply_clear(&req1);
	reply_clear(&req2);
	reply_clear(&rep2);
	pkg_kerberos.state_free(c1);
	pkg_kerberos.state_free(c2);
	pkg_kerberos.state_free(s2);
}

/*
 * Clock skew, for real: MIT's client takes the KDC time offset a FILE
 * ccache's header records (kdc_timesync), so a ccache whose header says
 * one hour makes an authenticator one hour off, which our acceptor refuses.
 */
static void test_clock_skew(void)
{
	/* version 0x0504, header length 12: tag 1 (time offset), 8 bytes */
	static const uint8_t header[] = { 0x05, 0x04, 0x00, 0x0c, 0x00, 0x01,
					  0x00, 0x08, 0x00, 0x00, 0x0e, 0x10,
					  0x00, 0x00, 0x00, 0x00 };
	char cc[512], cmd[1200], name[520];
	gss_key_value_element_desc kv = { "ccache", name };
	gss_key_value_set_desc store = { 1, &kv };
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t target = GSS_C_NO_NAME;
	gss_buffer_desc nb = { 19, (void *)"host@srv.test.local" };
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	struct bytes ap_req = { 0 }, file = { 0 };
	struct reply r;
	uint8_t buf[4096];
	size_t n, hlen;
	void *s;
	FILE *f;

	realm_file("ccache-skewed", cc, sizeof(cc));
	/* the service ticket first: the KDC would refuse a skewed TGS-REQ */
	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | kinit -c FILE:%s "
		 "alice >/dev/null 2>&1 && KRB5CCNAME=FILE:%s kvno "
		 "host/srv.test.local >/dev/null 2>&1", cc, cc);
	CHECK_EQ(system(cmd), 0);
	/* the same credentials behind a header with the offset */
	f = fopen(cc, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		bytes_append(&file, buf, n);
	fclose(f);
	CHECK(file.len > 4 && file.data[0] == 5 && file.data[1] == 4);
	hlen = 4 + ((size_t)file.data[2] << 8 | file.data[3]);
	f = fopen(cc, "wb");
	CHECK(f != NULL && hlen <= file.len);
	if (!f || hlen > file.len) {
		if (f)
			fclose(f);
		bytes_free(&file);
		return;
	}
	fwrite(header, 1, sizeof(header), f);
	fwrite(file.data + hlen, 1, file.len - hlen, f);
	fclose(f);
	bytes_free(&file);

	snprintf(name, sizeof(name), "FILE:%s", cc);
	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				      GSS_C_NO_OID_SET, GSS_C_INITIATE,
				      &store, &cred, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE, &target);
	major = gss_init_sec_context(&minor, cred, &ctx, target,
				     GSS_C_NO_OID, GSS_C_MUTUAL_FLAG, 0,
				     GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
				     NULL, &out, NULL, NULL);
	CHECK(!GSS_ERROR(major) && out.length > 0);
	bytes_append(&ap_req, out.value, out.length);
	s = pkg_kerberos.state_new();
	run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
		&ap_req, &r);
	CHECK_EQ(r.status, SEC_E_TIME_SKEW);
	reply_clear(&r);
	pkg_kerberos.state_free(s);
	bytes_free(&ap_req);
	gss_release_buffer(&minor, &out);
	gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	gss_release_name(&minor, &target);
	gss_release_cred(&minor, &cred);
	remove(cc);
}

/* A client leg without an identity, for @uid (or an in-kernel caller). */
static void run_leg_as(void *state, uint32_t uid, bool kernel,
		       const struct bytes *token, struct reply *r)
{
	struct upcall up = { .op = KSSPI_OP_INIT_CONTEXT,
			     .context_req = REQ_MUTUAL, .uid = uid };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_TARGET_NAME);
	if (kernel)
		up.flags = KSSPI_UPCALL_F_KERNEL_CALLER;
	up.target_name = strdup("host/srv.test.local");
	if (token && token->len) {
		bytes_append(&up.token, token->data, token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	pkg_kerberos.step(state, &up, r);
	upcall_free(&up);
}

/* A mutual handshake of the caller @uid without an identity: the status. */
static uint32_t handshake_as(uint32_t uid, bool kernel, const char *client)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply r1, r2, r3 = { 0 };
	uint32_t status;

	run_leg_as(c, uid, kernel, NULL, &r1);
	status = r1.status;
	if (status == SEC_I_CONTINUE_NEEDED) {
		run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
			&r1.token, &r2);
		run_leg_as(c, uid, kernel, &r2.token, &r3);
		status = r3.status;
		CHECK(blob_is(&r3, KSSPI_CTX_REC_CLIENT_NAME, client,
			      strlen(client)));
		CHECK(blob_is(&r2, KSSPI_CTX_REC_CLIENT_NAME, client,
			      strlen(client)));
		reply_clear(&r2);
		reply_clear(&r3);
	}
	reply_clear(&r1);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	return status;
}

/* kinit alice into @path, owned by @uid. */
static void kinit_for(const char *path, uint32_t uid)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | kinit -c FILE:%s alice "
		 ">/dev/null 2>&1", path);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(chown(path, uid, uid), 0);
}

/*
 * The caller's own cache (as rpc.gssd finds it), never another user's:
 * not through a symbolic link, not a file another uid owns.
 */
static void test_user_ccache(void)
{
	/* uids nobody on this machine has */
	const uint32_t owner = 3900000 + (uint32_t)getpid() % 1000;
	const uint32_t other = owner + 1000, dir_user = owner + 2000;
	char own[64], theirs[64], dir[64], file[96];
	FILE *f;

	snprintf(own, sizeof(own), "/tmp/krb5cc_%u", owner);
	snprintf(theirs, sizeof(theirs), "/tmp/krb5cc_%u", other);
	kinit_for(own, owner);
	CHECK_EQ(handshake_as(owner, false, "alice@TEST.LOCAL"), SEC_E_OK);
	/* nothing of its own */
	CHECK_EQ(handshake_as(other, false, ""), SEC_E_NO_CREDENTIALS);
	/* a link to the owner's cache */
	CHECK_EQ(symlink(own, theirs), 0);
	CHECK_EQ(handshake_as(other, false, ""), SEC_E_NO_CREDENTIALS);
	unlink(theirs);
	/* a copy the owner owns under the other's name */
	kinit_for(theirs, owner);
	CHECK_EQ(handshake_as(other, false, ""), SEC_E_NO_CREDENTIALS);
	unlink(theirs);
	unlink(own);
	CHECK_EQ(handshake_as(owner, false, ""), SEC_E_NO_CREDENTIALS);

	/* DIR:/run/user/<uid>/krb5cc, its primary cache */
	snprintf(dir, sizeof(dir), "/run/user/%u", dir_user);
	mkdir("/run/user", 0755);
	CHECK_EQ(mkdir(dir, 0700), 0);
	CHECK_EQ(chown(dir, dir_user, dir_user), 0);
	snprintf(dir, sizeof(dir), "/run/user/%u/krb5cc", dir_user);
	CHECK_EQ(mkdir(dir, 0700), 0);
	CHECK_EQ(chown(dir, dir_user, dir_user), 0);
	snprintf(file, sizeof(file), "%s/tktABC", dir);
	kinit_for(file, dir_user);
	snprintf(file, sizeof(file), "%s/primary", dir);
	f = fopen(file, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("tktABC\n", f);
		fclose(f);
	}
	CHECK_EQ(chown(file, dir_user, dir_user), 0);
	CHECK_EQ(handshake_as(dir_user, false, "alice@TEST.LOCAL"), SEC_E_OK);
	/* a primary file of another owner is not followed */
	CHECK_EQ(chown(file, owner, owner), 0);
	CHECK_EQ(handshake_as(dir_user, false, ""), SEC_E_NO_CREDENTIALS);
	unlink(file);
	snprintf(file, sizeof(file), "%s/tktABC", dir);
	unlink(file);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "/run/user/%u", dir_user);
	rmdir(dir);
}

/* A cache whose TGT has expired gives no credentials. */
static void test_expired_ccache(void)
{
	const uint32_t uid = 3800000 + (uint32_t)getpid() % 1000;
	char path[64], cmd[200];

	snprintf(path, sizeof(path), "/tmp/krb5cc_%u", uid);
	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | kinit -l 2s -c FILE:%s "
		 "alice >/dev/null 2>&1", path);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(chown(path, uid, uid), 0);
	sleep(3);
	CHECK_EQ(handshake_as(uid, false, ""), SEC_E_NO_CREDENTIALS);
	unlink(path);
}

/* An in-kernel caller: the machine's credentials from the keytab. */
static void test_kernel_caller(void)
{
	CHECK_EQ(handshake_as(0, true, "host/srv.test.local@TEST.LOCAL"),
		 SEC_E_OK);
}

/* The server leg of an acceptor named by its identity, on @target's AP-REQ */
static uint32_t accept_as(const char *user, const char *domain,
			  const char *password, const char *target)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply ap_req, r;
	uint32_t status;

	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, "alice", "TEST.LOCAL",
		"Passw0rd!", target, NULL, &ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, user, domain, password, NULL,
		&ap_req.token, &r);
	status = r.status;
	reply_clear(&r);
	reply_clear(&ap_req);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	return status;
}

/* AcquireCredentialsHandle(INBOUND) with an identity names the acceptor. */
/* The keytab's keys serve root and in-kernel acceptors, nobody else. */
static void test_acceptor_needs_root(void)
{
	static const uint8_t junk[] = { 0x60, 0x03, 0x06, 0x01, 0x00 };
	struct upcall up = { .op = KSSPI_OP_ACCEPT_CONTEXT, .uid = 1000 };
	void *s = pkg_kerberos.state_new();
	struct reply r = { 0 };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_UID) |
		     UPCALL_BIT(KSSPI_A_TOKEN);
	bytes_append(&up.token, junk, sizeof(junk));
	pkg_kerberos.step(s, &up, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	reply_clear(&r);
	pkg_kerberos.state_free(s);

	/* The same uid in the kernel's name gets past the keytab check */
	s = pkg_kerberos.state_new();
	up.flags = KSSPI_UPCALL_F_KERNEL_CALLER;
	pkg_kerberos.step(s, &up, &r);
	CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
	reply_clear(&r);
	pkg_kerberos.state_free(s);
	upcall_free(&up);
}

static void test_acceptor_principal(void)
{
	CHECK_EQ(accept_as("TERMSRV/srv.test.local", "test.local", NULL,
			   "TERMSRV/srv.test.local"), SEC_E_OK);
	CHECK_EQ(accept_as("TERMSRV/srv.test.local@TEST.LOCAL", NULL, NULL,
			   "TERMSRV/srv.test.local"), SEC_E_OK);
	/* a ticket for another principal of the same keytab */
	CHECK_EQ(accept_as("TERMSRV/srv.test.local", "test.local", NULL,
			   "host/srv.test.local"), SEC_E_WRONG_PRINCIPAL);
	/* a principal the keytab lacks */
	CHECK_EQ(accept_as("HTTP/srv.test.local", "test.local", NULL,
			   "host/srv.test.local"), SEC_E_NO_CREDENTIALS);
	/* keys come from the keytab only */
	CHECK_EQ(accept_as("host/srv.test.local", "test.local", "secret",
			   "host/srv.test.local"), SEC_E_NO_CREDENTIALS);
}

/*
 * EXTENDED_ERROR: the acceptor's KRB-ERROR token tells the client why
 * (KRB_AP_ERR_NOKEY: SEC_E_WRONG_PRINCIPAL on both ends).
 */
static void test_krb_error_token(void)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	char kt[512];
	struct reply ap_req, err, r;

	realm_file("keytab-host-only", kt, sizeof(kt));
	CHECK_EQ(kerberos_config_setup(kt), 0);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL | ISC_REQ_EXTENDED_ERROR,
		"alice", "TEST.LOCAL", "Passw0rd!", "TERMSRV/srv.test.local",
		NULL, &ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	CHECK(ap_req.context_attr & ISC_RET_EXTENDED_ERROR);
	run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, ASC_REQ_EXTENDED_ERROR, NULL, NULL, NULL, NULL, &ap_req.token,
		&err);
	CHECK_EQ(err.status, SEC_E_WRONG_PRINCIPAL);
	/* a GSS krb5 token of type KRB-ERROR (03 00) */
	CHECK(err.token.len > 20 && err.token.data[0] == 0x60);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL | ISC_REQ_EXTENDED_ERROR,
		NULL, NULL, NULL, NULL, &err.token, &r);
	CHECK_EQ(r.status, SEC_E_WRONG_PRINCIPAL);
	CHECK_EQ(r.blob.len, 0);
	reply_clear(&r);
	reply_clear(&err);
	reply_clear(&ap_req);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	CHECK_EQ(kerberos_config_setup(keytab_path), 0);
}

/* Flags: NO_INTEGRITY; DELEGATE client-side. */
static void test_flags(void)
{
	struct reply c, s;

	handshake("host/srv.test.local", REQ_MUTUAL | ISC_REQ_NO_INTEGRITY,
		  "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK_EQ(s.status, SEC_E_OK);
	reply_clear(&c);
	reply_clear(&s);
	/*
	 * The realm's TGTs are forwardable: the client delegates and says
	 * so; the acceptor did not ask for ASC_REQ_DELEGATE, so it does not
	 * keep the TGT and does not claim it.
	 */
	handshake("host/srv.test.local", REQ_MUTUAL | ISC_REQ_DELEGATE,
		  "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK_EQ(s.status, SEC_E_OK);
	CHECK(c.context_attr & ISC_RET_DELEGATE);
	CHECK(!(s.context_attr & ASC_RET_DELEGATE));
	reply_clear(&c);
	reply_clear(&s);
	/* a principal whose TGTs may not be forwarded: nothing delegated */
	CHECK_EQ(kadmin("modprinc -allow_forwardable alice"), 0);
	handshake("host/srv.test.local", REQ_MUTUAL | ISC_REQ_DELEGATE,
		  "Passw0rd!", &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK(!(c.context_attr & ISC_RET_DELEGATE));
	reply_clear(&c);
	reply_clear(&s);
	CHECK_EQ(kadmin("modprinc +allow_forwardable alice"), 0);
}

/*
 * DELEGATE to a second service: a ksspi client delegates to an MIT
 * acceptor, which reaches host/sha2 as alice with the forwarded TGT; the
 * ksspi acceptor there sees alice.
 */
static void test_delegation(void)
{
	void *c = pkg_kerberos.state_new(), *s2 = pkg_kerberos.state_new();
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER, out2 = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc namebuf = { 20, (void *)"host@sha2.test.local" };
	gss_ctx_id_t acc = GSS_C_NO_CONTEXT, ini = GSS_C_NO_CONTEXT;
	gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
	gss_name_t second = GSS_C_NO_NAME;
	struct reply ap_req, done = { 0 }, r2 = { 0 };
	struct bytes ap_rep = { 0 }, tok2 = { 0 };
	OM_uint32 major, minor, flags = 0;

	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL | ISC_REQ_DELEGATE,
		"alice", "TEST.LOCAL", "Passw0rd!", "host/srv.test.local", NULL,
		&ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	in.value = ap_req.token.data;
	in.length = ap_req.token.len;
	major = gss_accept_sec_context(&minor, &acc, GSS_C_NO_CREDENTIAL, &in,
				       GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL,
				       &out, &flags, NULL, &deleg);
	CHECK_EQ(major, GSS_S_COMPLETE);
	CHECK(flags & GSS_C_DELEG_FLAG);
	CHECK(deleg != GSS_C_NO_CREDENTIAL);
	bytes_append(&ap_rep, out.value, out.length);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL | ISC_REQ_DELEGATE, NULL,
		NULL, NULL, NULL, &ap_rep, &done);
	CHECK_EQ(done.status, SEC_E_OK);
	CHECK(done.context_attr & ISC_RET_DELEGATE);

	major = gss_import_name(&minor, &namebuf, GSS_C_NT_HOSTBASED_SERVICE,
				&second);
	CHECK_EQ(major, GSS_S_COMPLETE);
	major = gss_init_sec_context(&minor, deleg, &ini, second,
				     (gss_OID)gss_mech_krb5, 0, 0,
				     GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
				     NULL, &out2, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	bytes_append(&tok2, out2.value, out2.length);
	run_leg(s2, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL, &tok2,
		&r2);
	CHECK_EQ(r2.status, SEC_E_OK);
	CHECK(blob_is(&r2, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL", 16));
	CHECK(blob_is(&r2, KSSPI_CTX_REC_SERVER_NAME,
		      "host/sha2.test.local@TEST.LOCAL", 31));

	reply_clear(&r2);
	reply_clear(&done);
	reply_clear(&ap_req);
	bytes_free(&ap_rep);
	bytes_free(&tok2);
	gss_release_buffer(&minor, &out);
	gss_release_buffer(&minor, &out2);
	gss_release_name(&minor, &second);
	gss_delete_sec_context(&minor, &acc, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, &ini, GSS_C_NO_BUFFER);
	gss_release_cred(&minor, &deleg);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s2);
}

/* A leg through request_handle(), as ksspid's workers run it */
struct deleg_leg {
	const char *package;
	uint32_t op, req, uid;
	uint64_t session, delegation;	/* delegation 0: none */
	bool first;
	const char *password;		/* alice's, on a client's first leg */
	const char *target;
	const struct bytes *token;
};

static uint32_t request_leg(struct session_table *t,
			    const struct deleg_leg *l, struct reply *r)
{
	struct upcall up = { .op = l->op, .context_req = l->req,
			     .uid = l->uid, .session_id = l->session,
			     .flags = l->first ? KSSPI_UPCALL_F_FIRST_LEG : 0,
			     .delegation_session = l->delegation };

	up.package = strdup(l->package);
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_FLAGS) |
		     UPCALL_BIT(KSSPI_A_PACKAGE) |
		     UPCALL_BIT(KSSPI_A_SESSION_ID);
	if (l->delegation)
		up.present |= UPCALL_BIT(KSSPI_A_DELEGATION_SESSION);
	if (l->password) {
		up.user = strdup("alice");
		up.domain = strdup("TEST.LOCAL");
		bytes_append(&up.password, l->password, strlen(l->password));
		up.present |= UPCALL_BIT(UPCALL_USER) |
			      UPCALL_BIT(UPCALL_DOMAIN) |
			      UPCALL_BIT(UPCALL_PASSWORD);
	}
	if (l->target) {
		up.target_name = strdup(l->target);
		up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
	}
	if (l->token && l->token->len) {
		bytes_append(&up.token, l->token->data, l->token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	request_handle(t, &up, r);
	upcall_free(&up);
	return r->status;
}

/*
 * alice delegates to a ksspi acceptor of @package (session 1, uid 0) that
 * asked for ASC_REQ_DELEGATE (@asc_req): its SEC_E_OK in @accepted.
 */
static void delegate_to_acceptor(struct session_table *t, const char *package,
				 uint32_t asc_req, struct reply *accepted)
{
	struct reply ap_req, done;

	request_leg(t, &(struct deleg_leg){ package, KSSPI_OP_INIT_CONTEXT,
					    REQ_MUTUAL | ISC_REQ_DELEGATE, 0,
					    100, 0, true, "Passw0rd!",
					    "host/srv.test.local", NULL },
		    &ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	request_leg(t, &(struct deleg_leg){ package, KSSPI_OP_ACCEPT_CONTEXT,
					    asc_req, 0, 1, 0, true, NULL, NULL,
					    &ap_req.token }, accepted);
	CHECK_EQ(accepted->status, SEC_E_OK);
	request_leg(t, &(struct deleg_leg){ package, KSSPI_OP_INIT_CONTEXT,
					    REQ_MUTUAL | ISC_REQ_DELEGATE, 0,
					    100, 0, false, NULL, NULL,
					    &accepted->token }, &done);
	CHECK_EQ(done.status, SEC_E_OK);
	CHECK(done.context_attr & ISC_RET_DELEGATE);
	reply_clear(&ap_req);
	reply_clear(&done);
}

/*
 * The client leg of a credential made from acceptor session 1, as @uid,
 * to host/sha2; its first answer's status.  With SEC_I_CONTINUE_NEEDED a
 * ksspi acceptor of host/sha2 must see alice.
 */
static uint32_t as_delegated_client(struct session_table *t,
				    const char *package, uint32_t uid)
{
	struct reply ap_req, r2;
	uint32_t status;

	status = request_leg(t, &(struct deleg_leg){
				package, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL,
				uid, 200, 1, true, NULL,
				"host/sha2.test.local", NULL }, &ap_req);
	if (status == SEC_I_CONTINUE_NEEDED) {
		request_leg(t, &(struct deleg_leg){
				package, KSSPI_OP_ACCEPT_CONTEXT, 0, 0, 300,
				0, true, NULL, NULL, &ap_req.token }, &r2);
		CHECK_EQ(r2.status, SEC_E_OK);
		CHECK(r2.blob.len > 0 &&
		      memmem(r2.blob.data, r2.blob.len, "alice@TEST.LOCAL", 16));
		reply_clear(&r2);
		session_release(t, 200);
	}
	reply_clear(&ap_req);
	return status;
}

/*
 * DELEGATE, the server half: a ksspi acceptor that asked for
 * ASC_REQ_DELEGATE keeps alice's forwarded TGT under its session, says
 * ASC_RET_DELEGATE, and a client leg naming that session reaches a second
 * service as alice; another owner cannot use it, and once the session is
 * released nobody can.  Without ASC_REQ_DELEGATE nothing is kept.
 */
static void test_delegation_server(void)
{
	const char *const packages[] = { "Kerberos", "Negotiate" };
	struct session_table t;
	struct reply accepted;

	CHECK_EQ(session_table_init(&t), 0);
	/* the control: root has no tickets of its own here */
	CHECK_EQ(request_leg(&t, &(struct deleg_leg){
				"Kerberos", KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL,
				0, 200, 0, true, NULL,
				"host/sha2.test.local", NULL }, &accepted),
		 SEC_E_NO_CREDENTIALS);
	reply_clear(&accepted);
	for (size_t i = 0; i < 2; i++) {
		printf("# %s\n", packages[i]);
		delegate_to_acceptor(&t, packages[i], ASC_REQ_DELEGATE,
				     &accepted);
		CHECK(accepted.keep_session);
		CHECK(accepted.context_attr & ASC_RET_DELEGATE);
		reply_clear(&accepted);
		/* the kept acceptor session alone */
		CHECK_EQ(session_count(&t), 1);
		CHECK_EQ(as_delegated_client(&t, packages[i], 0),
			 SEC_I_CONTINUE_NEEDED);
		/* twice: the delegated TGT stays for every credential */
		CHECK_EQ(as_delegated_client(&t, packages[i], 0),
			 SEC_I_CONTINUE_NEEDED);
		/* uid 1000 cannot name root's session */
		CHECK_EQ(as_delegated_client(&t, packages[i], 1000),
			 SEC_E_NO_CREDENTIALS);
		/* the kept session takes no legs */
		CHECK_EQ(request_leg(&t, &(struct deleg_leg){
				packages[i], KSSPI_OP_ACCEPT_CONTEXT, 0, 0, 1,
				0, false, NULL, NULL, NULL }, &accepted),
			 SEC_E_NO_AUTHENTICATING_AUTHORITY);
		reply_clear(&accepted);
		CHECK(session_release(&t, 1));
		CHECK_EQ(as_delegated_client(&t, packages[i], 0),
			 SEC_E_NO_CREDENTIALS);
		CHECK_EQ(session_count(&t), 0);

		/* a server that did not ask keeps nothing, claims nothing */
		delegate_to_acceptor(&t, packages[i], 0, &accepted);
		CHECK(!accepted.keep_session);
		CHECK(!(accepted.context_attr & ASC_RET_DELEGATE));
		reply_clear(&accepted);
		CHECK_EQ(session_count(&t), 0);
		CHECK_EQ(as_delegated_client(&t, packages[i], 0),
			 SEC_E_NO_CREDENTIALS);
	}
	session_table_destroy(&t);
}

/*
 * A SEC_CHANNEL_BINDINGS with @app as application data and, when @addr is
 * given, an initiator address of type 2 (GSS_C_AF_INET): its length.
 */
static size_t make_bindings(uint8_t *out, size_t size, const char *app,
			    const uint8_t *addr)
{
	size_t app_len = strlen(app), off = 32;

	memset(out, 0, 32);
	if (addr) {
		out[0] = 2;
		out[4] = 4;
		out[8] = (uint8_t)off;
		memcpy(out + off, addr, 4);
		off += 4;
	}
	out[24] = (uint8_t)app_len;
	out[28] = (uint8_t)off;
	CHECK(off + app_len <= size);
	memcpy(out + off, app, app_len);
	return off + app_len;
}

/*
 * A mutual handshake, the client with @ccb and the server with @scb
 * (NULL: none) and @asc_req: the server's status, and the client's last.
 */
static uint32_t bound_handshake(const uint8_t *ccb, size_t ccb_len,
				const uint8_t *scb, size_t scb_len,
				uint32_t asc_req, uint32_t *client_status)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply ap_req, ap_rep = { 0 }, done = { 0 };
	uint32_t status;

	run_leg_cb(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, "alice",
		   "test.local", "Passw0rd!", "host/srv.test.local", NULL, ccb,
		   ccb_len, &ap_req);
	*client_status = ap_req.status;
	status = ap_req.status;
	if (ap_req.status == SEC_I_CONTINUE_NEEDED) {
		run_leg_cb(s, KSSPI_OP_ACCEPT_CONTEXT, asc_req, NULL, NULL,
			   NULL, NULL, &ap_req.token, scb, scb_len, &ap_rep);
		status = ap_rep.status;
		if (status == SEC_E_OK) {
			run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_MUTUAL, NULL,
				NULL, NULL, NULL, &ap_rep.token, &done);
			*client_status = done.status;
			/* the keys of a bound context are those of any other */
			CHECK(blobs_agree(&done, &ap_rep,
					  KSSPI_CTX_REC_SESSION_KEY));
		} else {
			CHECK_EQ(ap_rep.blob.len, 0);
		}
	}
	reply_clear(&done);
	reply_clear(&ap_rep);
	reply_clear(&ap_req);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	return status;
}

/* SECBUFFER_CHANNEL_BINDINGS reach MIT on both ends, as Windows uses them */
static void test_channel_bindings(void)
{
	static const uint8_t lo[4] = { 127, 0, 0, 1 }, other[4] = { 10, 0, 0, 1 };
	uint8_t a[128], b[128];
	size_t a_len, b_len;
	uint32_t cs;

	a_len = make_bindings(a, sizeof(a), "tls-server-end-point:AAAA", NULL);
	b_len = make_bindings(b, sizeof(b), "tls-server-end-point:AAAB", NULL);
	/* equal bindings */
	CHECK_EQ(bound_handshake(a, a_len, a, a_len, 0, &cs), SEC_E_OK);
	CHECK_EQ(cs, SEC_E_OK);
	/* other application data */
	CHECK_EQ(bound_handshake(a, a_len, b, b_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
	/* the addresses count too */
	a_len = make_bindings(a, sizeof(a), "x", lo);
	b_len = make_bindings(b, sizeof(b), "x", other);
	CHECK_EQ(bound_handshake(a, a_len, a, a_len, 0, &cs), SEC_E_OK);
	CHECK_EQ(bound_handshake(a, a_len, b, b_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
	/* a server with bindings, a client without */
	CHECK_EQ(bound_handshake(NULL, 0, a, a_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
	CHECK_EQ(bound_handshake(NULL, 0, a, a_len,
				 ASC_REQ_ALLOW_MISSING_BINDINGS, &cs),
		 SEC_E_OK);
	CHECK_EQ(cs, SEC_E_OK);
	/* a server without bindings does not check the client's */
	CHECK_EQ(bound_handshake(a, a_len, NULL, 0, 0, &cs), SEC_E_OK);
	CHECK_EQ(cs, SEC_E_OK);
}

/* A malformed SEC_CHANNEL_BINDINGS: SEC_E_BAD_BINDINGS on either end. */
static void test_bad_bindings(void)
{
	uint8_t cb[64], ok[64];
	size_t ok_len;
	uint32_t cs;

	ok_len = make_bindings(ok, sizeof(ok), "tls-unique:0123", NULL);
	/* shorter than the header */
	CHECK_EQ(bound_handshake(ok, 31, ok, ok_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
	CHECK_EQ(cs, SEC_E_BAD_BINDINGS);
	/* application data past the end */
	memcpy(cb, ok, ok_len);
	cb[24] = 60;
	CHECK_EQ(bound_handshake(cb, ok_len, ok, ok_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
	CHECK_EQ(cs, SEC_E_BAD_BINDINGS);
	/* an offset inside the header, on the server's side */
	cb[24] = ok[24];
	cb[28] = 8;
	CHECK_EQ(bound_handshake(ok, ok_len, cb, ok_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
	CHECK_EQ(cs, SEC_I_CONTINUE_NEEDED);
	/* an offset of 2^32 - 1 */
	memset(cb + 28, 0xff, 4);
	CHECK_EQ(bound_handshake(ok, ok_len, cb, ok_len, 0, &cs),
		 SEC_E_BAD_BINDINGS);
}

/*
 * A copy of the realm's krb5.conf that other uids can read, with @extra
 * appended to [libdefaults] (NULL: nothing), at @out.
 */
static void readable_conf(const char *extra, char *out, size_t size)
{
	char cmd[1400];

	snprintf(out, size, "/tmp/ksspi-krb5-%d.conf", (int)getpid());
	if (extra)
		snprintf(cmd, sizeof(cmd), "sed '/^\\[libdefaults\\]/a %s' '%s' "
			 "> %s && chmod 0644 %s", extra, getenv("KRB5_CONFIG"),
			 out, out);
	else
		snprintf(cmd, sizeof(cmd), "cp '%s' %s && chmod 0644 %s",
			 getenv("KRB5_CONFIG"), out, out);
	CHECK_EQ(system(cmd), 0);
}

/*
 * "kinit -c @ccache @user" run as @uid (@uid 0: as root), with the
 * realm's configuration; the exit status.
 */
static int kinit_as(uint32_t uid, const char *ccache, const char *user)
{
	char conf[64], cmd[700];

	readable_conf(NULL, conf, sizeof(conf));
	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | "
		 "setpriv --reuid=%u --regid=%u --clear-groups "
		 "env KRB5_CONFIG=%s kinit -c %s %s >/dev/null 2>&1",
		 uid, uid, conf, ccache, user);
	return system(cmd);
}

static void kdestroy_as(uint32_t uid, const char *ccache)
{
	char conf[64], cmd[500];

	readable_conf(NULL, conf, sizeof(conf));
	snprintf(cmd, sizeof(cmd), "setpriv --reuid=%u --regid=%u "
		 "--clear-groups env KRB5_CONFIG=%s kdestroy -c %s "
		 ">/dev/null 2>&1", uid, uid, conf, ccache);
	if (system(cmd))
		fprintf(stderr, "# kdestroy -c %s failed\n", ccache);
	unlink(conf);
}

/*
 * KEYRING:persistent:<uid>: each uid's own keyring cache, never another's;
 * a collection another uid (root) wrote into it is not used.
 */
static void test_keyring_ccache(void)
{
	const uint32_t a = 3600000 + (uint32_t)getpid() % 1000;
	const uint32_t b = a + 1000, none = a + 2000, planted = a + 3000;
	char ka[64], kb[64], kp[64];

	CHECK_EQ(kadmin("addprinc -pw Passw0rd! bob"), 0);
	snprintf(ka, sizeof(ka), "KEYRING:persistent:%u", a);
	snprintf(kb, sizeof(kb), "KEYRING:persistent:%u", b);
	snprintf(kp, sizeof(kp), "KEYRING:persistent:%u", planted);
	CHECK_EQ(kinit_as(a, ka, "alice"), 0);
	CHECK_EQ(kinit_as(b, kb, "bob"), 0);
	CHECK_EQ(handshake_as(a, false, "alice@TEST.LOCAL"), SEC_E_OK);
	CHECK_EQ(handshake_as(b, false, "bob@TEST.LOCAL"), SEC_E_OK);
	CHECK_EQ(handshake_as(none, false, ""), SEC_E_NO_CREDENTIALS);
	/* root's kinit into another uid's persistent keyring: root's keys */
	CHECK_EQ(kinit_as(0, kp, "alice"), 0);
	CHECK_EQ(handshake_as(planted, false, ""), SEC_E_NO_CREDENTIALS);
	kdestroy_as(a, ka);
	CHECK_EQ(handshake_as(a, false, ""), SEC_E_NO_CREDENTIALS);
	kdestroy_as(b, kb);
	kdestroy_as(0, kp);
}

/*
 * krb5.conf's default_ccache_name picks the place looked at first when it
 * names one of the caller's own; any other name is ignored.
 */
static void test_default_ccache_name(void)
{
	const uint32_t uid = 3500000 + (uint32_t)getpid() % 1000;
	const char *saved = getenv("KRB5_CONFIG");
	char keyring[64], file[64], conf[64], saved_conf[512];

	snprintf(saved_conf, sizeof(saved_conf), "%s", saved);
	snprintf(keyring, sizeof(keyring), "KEYRING:persistent:%u", uid);
	snprintf(file, sizeof(file), "/tmp/krb5cc_%u", uid);
	kadmin("addprinc -pw Passw0rd! bob"); /* may exist already */
	CHECK_EQ(kinit_as(uid, keyring, "alice"), 0);
	CHECK_EQ(kinit_as(uid, file, "bob"), 0);
	/* the default order: FILE first */
	CHECK_EQ(handshake_as(uid, false, "bob@TEST.LOCAL"), SEC_E_OK);
	readable_conf("default_ccache_name = KEYRING:persistent:%{uid}",
		      conf, sizeof(conf));
	setenv("KRB5_CONFIG", conf, 1);
	CHECK_EQ(handshake_as(uid, false, "alice@TEST.LOCAL"), SEC_E_OK);
	/* a name ksspid cannot tell is the caller's: the default order */
	readable_conf("default_ccache_name = KEYRING:session:%{uid}",
		      conf, sizeof(conf));
	CHECK_EQ(handshake_as(uid, false, "bob@TEST.LOCAL"), SEC_E_OK);
	setenv("KRB5_CONFIG", saved_conf, 1);
	unlink(file);
	kdestroy_as(uid, keyring);
}

/*
 * A mutual handshake as alice to @target: the client's first status.  On
 * success both ends name the service @server_name, unless @client_view
 * says what the client calls it.
 */
static uint32_t target_status_as(const char *target, const char *server_name,
				 const char *client_view)
{
	struct reply c, s;
	uint32_t status;

	handshake(target, REQ_MUTUAL, "Passw0rd!", &c, &s);
	status = c.status;
	if (status == SEC_E_OK) {
		CHECK_EQ(s.status, SEC_E_OK);
		if (!client_view)
			client_view = server_name;
		CHECK(blob_is(&c, KSSPI_CTX_REC_SERVER_NAME, client_view,
			      strlen(client_view)));
		CHECK(blob_is(&s, KSSPI_CTX_REC_SERVER_NAME, server_name,
			      strlen(server_name)));
	}
	reply_clear(&c);
	reply_clear(&s);
	return status;
}

static uint32_t target_status(const char *target, const char *server_name)
{
	return target_status_as(target, server_name, NULL);
}

/*
 * The target name forms against the KDC: SPNs with and without a realm,
 * a short host, a user principal (UPN) and a bare account name.
 */
static void test_target_names(void)
{
	const char *srv = "host/srv.test.local@TEST.LOCAL";
	char kt[512], query[700];

	/* MIT lowercases the host of a host-based name ... */
	CHECK_EQ(target_status("host/SRV.Test.Local", srv), SEC_E_OK);
	/* ... not the service: MIT's principal names are case-sensitive */
	CHECK_EQ(target_status("HOST/srv.test.local", ""),
		 SEC_E_TARGET_UNKNOWN);
	CHECK_EQ(target_status(srv, srv), SEC_E_OK);
	CHECK_EQ(target_status("host/srv.test.local@NOSUCH.REALM", ""),
		 SEC_E_TARGET_UNKNOWN);
	/* a short host is not qualified (dns_canonicalize_hostname off) */
	CHECK_EQ(target_status("host/srv", ""), SEC_E_TARGET_UNKNOWN);

	realm_file("keytab-targets", kt, sizeof(kt));
	kadmin("addprinc -pw Passw0rd! bob"); /* may exist already */
	CHECK_EQ(kadmin("addprinc -randkey host/srv"), 0);
	snprintf(query, sizeof(query), "ktadd -k %s -norandkey host/srv", kt);
	CHECK_EQ(kadmin(query), 0);
	snprintf(query, sizeof(query), "ktadd -k %s -norandkey bob", kt);
	CHECK_EQ(kadmin(query), 0);
	CHECK_EQ(kerberos_config_setup(kt), 0);
	/*
	 * a short host the KDC knows as it is; MIT names it on the client
	 * with the referral realm (no domain_realm entry for "srv")
	 */
	CHECK_EQ(target_status_as("host/srv", "host/srv@TEST.LOCAL",
				  "host/srv@"), SEC_E_OK);
	/* a user account as the target, by UPN or by its bare name */
	CHECK_EQ(target_status("bob@TEST.LOCAL", "bob@TEST.LOCAL"), SEC_E_OK);
	CHECK_EQ(target_status("bob", "bob@TEST.LOCAL"), SEC_E_OK);
	CHECK_EQ(target_status("nosuch@TEST.LOCAL", ""), SEC_E_TARGET_UNKNOWN);
	CHECK_EQ(target_status("TEST\\bob", ""), SEC_E_TARGET_UNKNOWN);
	CHECK_EQ(kerberos_config_setup(keytab_path), 0);
	unlink(kt);
}

/*
 * An unencrypted KRB-CRED (krb5_mk_1cred() without a key) of @user's TGT,
 * as Windows' LSA exports tickets, into @out.
 */
static void krb_cred_of(const char *user, struct bytes *out)
{
	char path[64], name[80], cmd[300];
	krb5_creds match = { 0 }, tgt = { 0 };
	krb5_auth_context ac = NULL;
	krb5_principal me = NULL;
	krb5_ccache cc = NULL;
	krb5_data *der = NULL;
	krb5_context k;

	snprintf(path, sizeof(path), "/tmp/ksspi-krbcred-%d", (int)getpid());
	snprintf(name, sizeof(name), "FILE:%s", path);
	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | kinit -c %s %s "
		 ">/dev/null 2>&1", name, user);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(krb5_init_context(&k), 0);
	CHECK_EQ(krb5_cc_resolve(k, name, &cc), 0);
	CHECK_EQ(krb5_cc_get_principal(k, cc, &me), 0);
	CHECK_EQ(krb5_build_principal(k, &match.server, 10, "TEST.LOCAL",
				      "krbtgt", "TEST.LOCAL", NULL), 0);
	match.client = me;
	CHECK_EQ(krb5_cc_retrieve_cred(k, cc, 0, &match, &tgt), 0);
	CHECK_EQ(krb5_auth_con_init(k, &ac), 0);
	CHECK_EQ(krb5_auth_con_setflags(k, ac, 0), 0);
	CHECK_EQ(krb5_mk_1cred(k, ac, &tgt, &der, NULL), 0);
	if (der)
		CHECK_EQ(bytes_append(out, der->data, der->length), 0);
	krb5_free_data(k, der);
	krb5_auth_con_free(k, ac);
	krb5_free_cred_contents(k, &tgt);
	krb5_free_principal(k, match.server);
	krb5_free_principal(k, me);
	krb5_cc_destroy(k, cc);
	krb5_free_context(k);
}

/* libkrb5's ASN.1 codecs: exported (krb5_3_MIT), not in krb5.h */
krb5_error_code decode_krb5_cred(const krb5_data *der, krb5_cred **out);
krb5_error_code encode_krb5_cred(const krb5_cred *cred, krb5_data **out);
krb5_error_code decode_krb5_enc_cred_part(const krb5_data *der,
					  krb5_cred_enc_part **out);
krb5_error_code encode_krb5_enc_cred_part(const krb5_cred_enc_part *part,
					  krb5_data **out);
void KRB5_CALLCONV krb5_free_cred(krb5_context kctx, krb5_cred *cred);
void KRB5_CALLCONV krb5_free_cred_enc_part(krb5_context kctx,
					   krb5_cred_enc_part *part);

/*
 * @krb_cred with its KrbCredInfo's optional pname left out, which MIT's
 * krb5_rd_cred() would dereference: into @out.
 */
static void without_pname(const struct bytes *krb_cred, struct bytes *out)
{
	krb5_data der = { .length = (unsigned int)krb_cred->len,
			  .data = (char *)krb_cred->data };
	krb5_cred_enc_part *part = NULL;
	krb5_data *enc = NULL, *whole = NULL;
	krb5_cred *cred = NULL;
	krb5_context k;

	CHECK_EQ(krb5_init_context(&k), 0);
	CHECK_EQ(decode_krb5_cred(&der, &cred), 0);
	CHECK_EQ(decode_krb5_enc_cred_part(&cred->enc_part.ciphertext, &part),
		 0);
	krb5_free_principal(k, part->ticket_info[0]->client);
	part->ticket_info[0]->client = NULL;
	CHECK_EQ(encode_krb5_enc_cred_part(part, &enc), 0);
	free(cred->enc_part.ciphertext.data);
	cred->enc_part.ciphertext = *enc;
	free(enc);
	CHECK_EQ(encode_krb5_cred(cred, &whole), 0);
	CHECK_EQ(bytes_append(out, whole->data, whole->length), 0);
	krb5_free_data(k, whole);
	krb5_free_cred_enc_part(k, part);
	free(part);
	krb5_free_cred(k, cred);
	krb5_free_context(k);
}

/* A client leg of root's with @params as its SECBUFFER_PKG_PARAMS. */
static void supplied_leg(void *state, uint32_t req, const char *password,
			 const struct bytes *params, const struct bytes *token,
			 struct reply *r)
{
	struct upcall up = { .op = KSSPI_OP_INIT_CONTEXT, .context_req = req };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_TARGET_NAME);
	up.target_name = strdup("host/srv.test.local");
	if (password) {
		up.user = strdup("alice");
		up.domain = strdup("TEST.LOCAL");
		bytes_append(&up.password, password, strlen(password));
		up.present |= UPCALL_BIT(UPCALL_USER) | UPCALL_BIT(UPCALL_DOMAIN) |
			      UPCALL_BIT(UPCALL_PASSWORD);
	}
	if (params && params->len) {
		bytes_append(&up.pkg_params, params->data, params->len);
		up.present |= UPCALL_BIT(KSSPI_A_PKG_PARAMS);
	}
	if (token && token->len) {
		bytes_append(&up.token, token->data, token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	pkg_kerberos.step(state, &up, r);
	upcall_free(&up);
}

/*
 * A mutual handshake whose client has alice's @password (NULL: no
 * identity) and @params: the client's last status; on success both ends
 * name @client and *@attr is the client's last context attributes.
 */
static uint32_t supplied_handshake(uint32_t req, const char *password,
				   const struct bytes *params,
				   const char *client, uint32_t *attr)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply r1, r2 = { 0 }, r3 = { 0 };
	uint32_t status;

	supplied_leg(c, req, password, params, NULL, &r1);
	status = r1.status;
	if (status == SEC_I_CONTINUE_NEEDED) {
		run_leg(s, KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, NULL, NULL,
			&r1.token, &r2);
		CHECK_EQ(r2.status, SEC_E_OK);
		supplied_leg(c, req, NULL, NULL, &r2.token, &r3);
		status = r3.status;
		*attr = r3.context_attr;
		CHECK(blob_is(&r3, KSSPI_CTX_REC_CLIENT_NAME, client,
			      strlen(client)));
		CHECK(blob_is(&r2, KSSPI_CTX_REC_CLIENT_NAME, client,
			      strlen(client)));
	}
	reply_clear(&r1);
	reply_clear(&r2);
	reply_clear(&r3);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	return status;
}

/* ISC_REQ_USE_SUPPLIED_CREDS: the TGT of a KRB-CRED in PKG_PARAMS. */
static void test_supplied_creds(void)
{
	const uint32_t req = REQ_MUTUAL | ISC_REQ_USE_SUPPLIED_CREDS;
	static const uint8_t junk[] = { 0x76, 0x03, 0x30, 0x01, 0x00 };
	struct bytes alice = { 0 }, bob = { 0 }, bad = { 0 };
	uint32_t attr = 0;

	kadmin("addprinc -pw Passw0rd! bob"); /* may exist already */
	krb_cred_of("alice", &alice);
	krb_cred_of("bob", &bob);
	bytes_append(&bad, junk, sizeof(junk));
	/* no identity, no cache of its own: the supplied tickets */
	CHECK_EQ(supplied_handshake(req, NULL, &alice, "alice@TEST.LOCAL",
				    &attr), SEC_E_OK);
	CHECK(attr & ISC_RET_USED_SUPPLIED_CREDS);
	/* they win over the handle's identity */
	CHECK_EQ(supplied_handshake(req, "Passw0rd!", &bob, "bob@TEST.LOCAL",
				    &attr), SEC_E_OK);
	CHECK(attr & ISC_RET_USED_SUPPLIED_CREDS);
	/* without the flag PKG_PARAMS is not looked at */
	CHECK_EQ(supplied_handshake(REQ_MUTUAL, NULL, &alice, "", &attr),
		 SEC_E_NO_CREDENTIALS);
	CHECK_EQ(supplied_handshake(REQ_MUTUAL, "Passw0rd!", &bob,
				    "alice@TEST.LOCAL", &attr), SEC_E_OK);
	CHECK(!(attr & ISC_RET_USED_SUPPLIED_CREDS));
	/* the flag without PKG_PARAMS: the handle's credentials */
	CHECK_EQ(supplied_handshake(req, "Passw0rd!", NULL, "alice@TEST.LOCAL",
				    &attr), SEC_E_OK);
	CHECK(!(attr & ISC_RET_USED_SUPPLIED_CREDS));
	/* not a KRB-CRED */
	CHECK_EQ(supplied_handshake(req, "Passw0rd!", &bad, "", &attr),
		 SEC_E_INVALID_PARAMETER);
	/* a KrbCredInfo without its client: refused, not a crash */
	bytes_free(&bad);
	without_pname(&alice, &bad);
	CHECK_EQ(supplied_handshake(req, "Passw0rd!", &bad, "", &attr),
		 SEC_E_INVALID_PARAMETER);
	bytes_free(&alice);
	bytes_free(&bob);
	bytes_free(&bad);
}


/* --- user-to-user (ISC_REQ_USE_SESSION_KEY) ------------------------------ */

#define REQ_U2U (REQ_MUTUAL | ISC_REQ_USE_SESSION_KEY)

/* The user-to-user OID's framing of a token of kind @tok_id. */
static int u2u_token_is(const struct bytes *t, uint16_t tok_id)
{
	static const uint8_t oid[] = { 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86,
				       0xf7, 0x12, 0x01, 0x02, 0x02, 0x03 };
	size_t at;

	if (t->len < 20 || t->data[0] != 0x60)
		return 0;
	at = t->data[1] < 0x80 ? 2 : 2 + (t->data[1] & 0x7f);
	return t->len > at + sizeof(oid) + 2 &&
	       !memcmp(t->data + at, oid, sizeof(oid)) &&
	       t->data[at + sizeof(oid)] == tok_id >> 8 &&
	       t->data[at + sizeof(oid) + 1] == (tok_id & 0xff);
}

/* A server leg of the unprivileged @uid, no identity, with @token. */
static void u2u_server_leg(void *state, uint32_t uid, uint32_t req,
			   const struct bytes *token, const void *cb,
			   size_t cb_len, struct reply *r)
{
	struct upcall up = { .op = KSSPI_OP_ACCEPT_CONTEXT, .uid = uid,
			     .context_req = req };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_UID) |
		     UPCALL_BIT(KSSPI_A_CONTEXT_REQ);
	if (token && token->len) {
		bytes_append(&up.token, token->data, token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	if (cb) {
		bytes_append(&up.channel_bindings, cb, cb_len);
		up.present |= UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS);
	}
	*r = (struct reply){ 0 };
	pkg_kerberos.step(state, &up, r);
	upcall_free(&up);
}

/* "kinit @user" into FILE:/tmp/krb5cc_<uid>, owned by @uid. */
static void u2u_kinit(uint32_t uid, const char *user, const char *lifetime)
{
	char path[64], cmd[300];

	snprintf(path, sizeof(path), "/tmp/krb5cc_%u", uid);
	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | kinit %s%s -c FILE:%s "
		 "%s >/dev/null 2>&1", lifetime ? "-l " : "",
		 lifetime ? lifetime : "", path, user);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(chown(path, uid, uid), 0);
}

static void u2u_kdestroy(uint32_t uid)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/krb5cc_%u", uid);
	unlink(path);
}

/* A uid nobody has, holding bob's TGT and nothing else. */
static uint32_t u2u_server_uid(void)
{
	return 3300000 + (uint32_t)getpid() % 1000;
}

/* Every leg of a user-to-user handshake; the last replies. */
struct u2u_run {
	struct reply tgt_req, tgt_rep, ap_req, ap_rep, done;
};

static void u2u_run_free(struct u2u_run *h)
{
	reply_clear(&h->tgt_req);
	reply_clear(&h->tgt_rep);
	reply_clear(&h->ap_req);
	reply_clear(&h->ap_rep);
	reply_clear(&h->done);
}

/*
 * alice (password) to @target, the server @uid with its own cache: each
 * leg while the one before went on.  The client's last status.
 */
static uint32_t u2u_handshake(const char *target, uint32_t uid,
			      const void *ccb, size_t ccb_len,
			      const void *scb, size_t scb_len, uint32_t asc_req,
			      struct u2u_run *h)
{
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	uint32_t status;

	memset(h, 0, sizeof(*h));
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, "alice", "TEST.LOCAL",
		"Passw0rd!", target, NULL, &h->tgt_req);
	status = h->tgt_req.status;
	if (status != SEC_I_CONTINUE_NEEDED)
		goto out;
	u2u_server_leg(s, uid, asc_req, &h->tgt_req.token, scb, scb_len,
		       &h->tgt_rep);
	status = h->tgt_rep.status;
	if (status != SEC_I_CONTINUE_NEEDED)
		goto out;
	run_leg_cb(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		   &h->tgt_rep.token, ccb, ccb_len, &h->ap_req);
	status = h->ap_req.status;
	if (status != SEC_I_CONTINUE_NEEDED)
		goto out;
	u2u_server_leg(s, uid, asc_req, &h->ap_req.token, scb, scb_len,
		       &h->ap_rep);
	status = h->ap_rep.status;
	if (status != SEC_E_OK)
		goto out;
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&h->ap_rep.token, &h->done);
	status = h->done.status;
out:
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	return status;
}

/* Messages both ways through cfx.c, from the two blobs. */
static void u2u_messages(const struct reply *c, const struct reply *s)
{
	void *ci = kerberos_inner_new(&c->blob);
	void *si = kerberos_inner_new(&s->blob);
	static const char msg[] = "user-to-user";
	struct bytes wrapped = { 0 }, plain = { 0 }, mic = { 0 };
	int i;

	CHECK(ci != NULL && si != NULL);
	if (!ci || !si)
		goto out;
	for (i = 0; i < 3; i++) {
		bytes_free(&wrapped);
		bytes_free(&plain);
		CHECK_EQ(kerberos_inner_wrap(ci, (const uint8_t *)msg,
					     sizeof(msg), &wrapped), 0);
		CHECK_EQ(kerberos_inner_unwrap(si, wrapped.data, wrapped.len,
					       &plain), 0);
		CHECK(plain.len == sizeof(msg) &&
		      !memcmp(plain.data, msg, sizeof(msg)));
	}
	bytes_free(&plain);
	/* the server's way, and a replayed token refused */
	CHECK_EQ(kerberos_inner_wrap(si, (const uint8_t *)msg, sizeof(msg),
				     &plain), 0);
	bytes_free(&wrapped);
	CHECK_EQ(kerberos_inner_unwrap(ci, plain.data, plain.len, &wrapped),
		 0);
	CHECK(kerberos_inner_unwrap(ci, plain.data, plain.len, &wrapped) !=
	      0);
	CHECK_EQ(kerberos_inner_sign(si, (const uint8_t *)msg, sizeof(msg),
				     &mic), 0);
	CHECK_EQ(kerberos_inner_verify(ci, (const uint8_t *)msg, sizeof(msg),
				       mic.data, mic.len), 0);
	bytes_free(&mic);
	CHECK_EQ(kerberos_inner_sign(ci, (const uint8_t *)msg, sizeof(msg),
				     &mic), 0);
	mic.data[mic.len - 1] ^= 1;
	CHECK(kerberos_inner_verify(si, (const uint8_t *)msg, sizeof(msg),
				    mic.data, mic.len) != 0);
out:
	bytes_free(&wrapped);
	bytes_free(&plain);
	bytes_free(&mic);
	kerberos_inner_free(ci);
	kerberos_inner_free(si);
}

/*
 * ksspi client and ksspi server user-to-user: the server an unprivileged
 * uid with bob's TGT only (the keytab pointed at nothing), the client
 * alice.  Four tokens of Windows' shape, both blobs alike, messages both
 * ways.
 */
static void test_u2u(void)
{
	const uint32_t uid = u2u_server_uid();
	char missing[512];
	struct u2u_run h;
	time_t now = time(NULL);

	kadmin("addprinc -pw Passw0rd! bob"); /* may exist already */
	u2u_kinit(uid, "bob", NULL);
	realm_file("no-such-keytab", missing, sizeof(missing));
	CHECK_EQ(kerberos_config_setup(missing), 0);
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, NULL, 0, NULL, 0, 0,
			       &h), SEC_E_OK);
	CHECK(u2u_token_is(&h.tgt_req.token, 0x0400));
	CHECK(u2u_token_is(&h.tgt_rep.token, 0x0401));
	CHECK(u2u_token_is(&h.ap_req.token, 0x0100));
	CHECK(u2u_token_is(&h.ap_rep.token, 0x0200));
	CHECK(h.tgt_req.context_attr & ISC_RET_USE_SESSION_KEY);
	CHECK(h.done.context_attr & ISC_RET_USE_SESSION_KEY);
	CHECK(h.done.context_attr & ISC_RET_MUTUAL_AUTH);
	CHECK(h.done.context_attr & ISC_RET_CONFIDENTIALITY);
	CHECK(h.ap_rep.context_attr & ASC_RET_USE_SESSION_KEY);
	CHECK(h.ap_rep.context_attr & ASC_RET_MUTUAL_AUTH);
	CHECK(h.ap_rep.context_attr & ASC_RET_REPLAY_DETECT);
	CHECK_EQ(h.done.blob.len > 0, 1);
	check_blobs(&h.done, &h.ap_rep, 18, 1, "bob@TEST.LOCAL");
	/* the user-to-user ticket's end time, on both ends */
	CHECK(h.done.has_expiry && h.done.expiry > now + 9 * 3600 &&
	      h.done.expiry <= now + 10 * 3600 + 60);
	CHECK_EQ(h.done.expiry, h.ap_rep.expiry);
	u2u_messages(&h.done, &h.ap_rep);
	u2u_run_free(&h);
	/* the bare account name */
	CHECK_EQ(u2u_handshake("bob", uid, NULL, 0, NULL, 0, 0, &h), SEC_E_OK);
	CHECK(!(h.ap_rep.context_attr & ASC_RET_EXTENDED_ERROR));
	u2u_run_free(&h);
	/* EXTENDED_ERROR is returned when asked for */
	CHECK_EQ(u2u_handshake("bob", uid, NULL, 0, NULL, 0,
			       ASC_REQ_EXTENDED_ERROR, &h), SEC_E_OK);
	CHECK(h.ap_rep.context_attr & ASC_RET_EXTENDED_ERROR);
	u2u_run_free(&h);
	CHECK_EQ(kerberos_config_setup(keytab_path), 0);
	u2u_kdestroy(uid);
}

/* @hex (pairs of hex digits) into @out. */
static void from_hex(const char *hex, struct bytes *out)
{
	unsigned int byte;

	for (; hex[0] && hex[1]; hex += 2) {
		if (sscanf(hex, "%2x", &byte) != 1)
			break;
		bytes_append(out, (uint8_t[]){ (uint8_t)byte }, 1);
	}
}

/* What a server without a TGT, or another principal's client, gets. */
static void test_u2u_refused(void)
{
	const uint32_t uid = u2u_server_uid();
	struct u2u_run h;

	/* no cache of its own: root's, the keytab, others' are not used */
	u2u_kdestroy(uid);
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, NULL, 0, NULL, 0, 0,
			       &h), SEC_E_NO_CREDENTIALS);
	CHECK_EQ(h.tgt_rep.token.len, 0);
	u2u_run_free(&h);
	/* an expired TGT */
	u2u_kinit(uid, "bob", "2s");
	sleep(3);
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, NULL, 0, NULL, 0, 0,
			       &h), SEC_E_NO_CREDENTIALS);
	u2u_run_free(&h);
	/*
	 * the client names alice, the server holds bob's TGT: MIT's KDC will
	 * not issue alice's ticket in bob's session key (SERVER_NOMATCH)
	 */
	u2u_kinit(uid, "bob", NULL);
	CHECK_EQ(u2u_handshake("alice@TEST.LOCAL", uid, NULL, 0, NULL, 0, 0,
			       &h), SEC_E_WRONG_PRINCIPAL);
	CHECK_EQ(h.ap_req.token.len, 0);
	u2u_run_free(&h);
	/* an unknown principal */
	CHECK_EQ(u2u_handshake("nosuch@TEST.LOCAL", uid, NULL, 0, NULL, 0, 0,
			       &h), SEC_E_TARGET_UNKNOWN);
	u2u_run_free(&h);
	/* an in-kernel acceptor has no cache of its own, even of its uid */
	{
		static const char good_req[] = "601a060a2a864886f71201020203"
			"0400300aa003020105a103020110";
		struct upcall up = { .op = KSSPI_OP_ACCEPT_CONTEXT, .uid = uid,
				     .flags = KSSPI_UPCALL_F_KERNEL_CALLER };
		void *k = pkg_kerberos.state_new();
		struct reply r = { 0 };

		up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_UID) |
			     UPCALL_BIT(KSSPI_A_TOKEN);
		from_hex(good_req, &up.token);
		pkg_kerberos.step(k, &up, &r);
		CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
		CHECK_EQ(r.token.len, 0);
		reply_clear(&r);
		upcall_free(&up);
		pkg_kerberos.state_free(k);
	}
	u2u_kdestroy(uid);
}

/* Channel bindings reach the authenticator's checksum as MIT's do. */
static void test_u2u_bindings(void)
{
	const uint32_t uid = u2u_server_uid();
	uint8_t a[128], b[128];
	size_t a_len, b_len;
	struct u2u_run h;

	u2u_kinit(uid, "bob", NULL);
	a_len = make_bindings(a, sizeof(a), "tls-server-end-point:AAAA", NULL);
	b_len = make_bindings(b, sizeof(b), "tls-server-end-point:AAAB", NULL);
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, a, a_len, a, a_len, 0,
			       &h), SEC_E_OK);
	u2u_run_free(&h);
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, a, a_len, b, b_len, 0,
			       &h), SEC_E_BAD_BINDINGS);
	CHECK_EQ(h.ap_rep.token.len, 0);
	CHECK_EQ(h.ap_rep.blob.len, 0);
	u2u_run_free(&h);
	/* a client without bindings: refused unless the server allows it */
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, NULL, 0, a, a_len, 0,
			       &h), SEC_E_BAD_BINDINGS);
	u2u_run_free(&h);
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, NULL, 0, a, a_len,
			       ASC_REQ_ALLOW_MISSING_BINDINGS, &h), SEC_E_OK);
	u2u_run_free(&h);
	u2u_kdestroy(uid);
}

/* A server's first leg on @token: its status. */
static uint32_t u2u_server_first(uint32_t uid, const struct bytes *token)
{
	void *s = pkg_kerberos.state_new();
	struct reply r;
	uint32_t status;

	u2u_server_leg(s, uid, 0, token, NULL, 0, &r);
	status = r.status;
	CHECK(status == SEC_I_CONTINUE_NEEDED || r.token.len == 0);
	reply_clear(&r);
	pkg_kerberos.state_free(s);
	return status;
}

/*
 * Hostile TGT-REQ and TGT-REP tokens: SEC_E_INVALID_TOKEN, nothing sent.
 * The framing is "60 len 06 0a <u2u OID> TOK_ID"; the well-formed
 * KERB-TGT-REQUEST is 30 0a a0 03 02 01 05 a1 03 02 01 10.
 */
static void test_u2u_hostile(void)
{
	static const char *const bad_req[] = {
		/* msg-type 17 */
		"601a060a2a864886f71201020203" "0400" "300aa003020105a103020111",
		/* pvno 4 */
		"601a060a2a864886f71201020203" "0400" "300aa003020104a103020110",
		/* TOK_ID 04 02 */
		"601a060a2a864886f71201020203" "0402" "300aa003020105a103020110",
		/* a byte after the message */
		"601b060a2a864886f71201020203" "0400" "300aa003020105a10302011000",
		/* outer length one too long */
		"601b060a2a864886f71201020203" "0400" "300aa003020105a103020110",
		/* inner SEQUENCE length too long */
		"601a060a2a864886f71201020203" "0400" "300ba003020105a103020110",
		/* no message */
		"600e060a2a864886f71201020203" "0400",
		/* an empty serverName */
		"601e060a2a864886f71201020203" "0400"
		"300ea003020105a103020110a2023000",
		/* BER long-form length */
		"60811a060a2a864886f71201020203" "0400" "300aa003020105a103020110",
		/* krb5's OID, not user-to-user's */
		"601906092a864886f712010202" "0400" "300aa003020105a103020110",
	};
	static const char good_req[] =
		"601a060a2a864886f71201020203" "0400" "300aa003020105a103020110";
	const uint32_t uid = u2u_server_uid();
	void *c;
	struct bytes t = { 0 };
	struct reply r1, r2;
	size_t i;

	u2u_kinit(uid, "bob", NULL);
	from_hex(good_req, &t);
	CHECK_EQ(u2u_server_first(uid, &t), SEC_I_CONTINUE_NEEDED);
	for (i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++) {
		uint32_t status;

		bytes_free(&t);
		from_hex(bad_req[i], &t);
		status = u2u_server_first(uid, &t);
		/* the krb5 OID goes to the keytab acceptor: root only */
		if (i == sizeof(bad_req) / sizeof(bad_req[0]) - 1)
			CHECK_EQ(status, SEC_E_NO_CREDENTIALS);
		else
			CHECK_EQ(status, SEC_E_INVALID_TOKEN);
	}
	bytes_free(&t);

	/* TGT-REPs the client must refuse */
	static const char *const bad_rep[] = {
		/* a TGT-REQUEST instead */
		"601a060a2a864886f71201020203" "0401" "300aa003020105a103020110",
		/* a KERB-TGT-REPLY whose ticket is an INTEGER */
		"601f060a2a864886f71201020203" "0401"
		"300fa003020105a103020111a203020101",
		/* an AP-REP's TOK_ID */
		"601a060a2a864886f71201020203" "0200" "300aa003020105a103020111",
		/* a Ticket tag with nothing MIT can decode */
		"6020060a2a864886f71201020203" "0401"
		"3010a003020105a103020111a2046102 3000",
	};
	for (i = 0; i < sizeof(bad_rep) / sizeof(bad_rep[0]); i++) {
		char hex[256];
		size_t j, k = 0;

		for (j = 0; bad_rep[i][j] && k < sizeof(hex) - 1; j++)
			if (bad_rep[i][j] != ' ')
				hex[k++] = bad_rep[i][j];
		hex[k] = '\0';
		c = pkg_kerberos.state_new();
		run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, "alice",
			"TEST.LOCAL", "Passw0rd!", "bob@TEST.LOCAL", NULL, &r1);
		CHECK_EQ(r1.status, SEC_I_CONTINUE_NEEDED);
		from_hex(hex, &t);
		run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL,
			NULL, &t, &r2);
		CHECK_EQ(r2.status, SEC_E_INVALID_TOKEN);
		CHECK_EQ(r2.token.len, 0);
		reply_clear(&r1);
		reply_clear(&r2);
		bytes_free(&t);
		pkg_kerberos.state_free(c);
	}
	u2u_kdestroy(uid);
}

/*
 * Tampered legs of a real run: a service ticket instead of a TGT in the
 * TGT-REP, a flipped bit in the AP-REQ, the AP-REP of another run.
 */
static void test_u2u_tampered(void)
{
	const uint32_t uid = u2u_server_uid();
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	void *c2 = pkg_kerberos.state_new();
	struct reply req, rep, ap_req, r, r2, req2, rep2, ap_req2;
	struct u2u_run h;

	u2u_kinit(uid, "bob", NULL);
	/* a flipped bit near the AP-REQ's end (its authenticator) */
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, "alice", "TEST.LOCAL",
		"Passw0rd!", "bob@TEST.LOCAL", NULL, &req);
	u2u_server_leg(s, uid, 0, &req.token, NULL, 0, &rep);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&rep.token, &ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	ap_req.token.data[ap_req.token.len - 10] ^= 0x01;
	u2u_server_leg(s, uid, 0, &ap_req.token, NULL, 0, &r);
	CHECK_EQ(r.status, SEC_E_LOGON_DENIED);
	CHECK_EQ(r.blob.len, 0);
	/* a KRB-ERROR for the peer (request.c: under EXTENDED_ERROR only) */
	CHECK(u2u_token_is(&r.token, 0x0300));
	/* which tells the client: the server did not take it */
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&r.token, &r2);
	CHECK_EQ(r2.status, SEC_E_WRONG_PRINCIPAL);
	CHECK_EQ(r2.blob.len, 0);
	CHECK_EQ(r2.token.len, 0);
	reply_clear(&r2);
	reply_clear(&r);
	/* the state is spent: the genuine AP-REQ is not taken afterwards */
	ap_req.token.data[ap_req.token.len - 10] ^= 0x01;
	u2u_server_leg(s, uid, 0, &ap_req.token, NULL, 0, &r);
	CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
	reply_clear(&r);

	/* the AP-REP of another run does not end this one */
	CHECK_EQ(u2u_handshake("bob@TEST.LOCAL", uid, NULL, 0, NULL, 0, 0,
			       &h), SEC_E_OK);
	run_leg(c2, KSSPI_OP_INIT_CONTEXT, REQ_U2U, "alice", "TEST.LOCAL",
		"Passw0rd!", "bob@TEST.LOCAL", NULL, &req2);
	pkg_kerberos.state_free(s);
	s = pkg_kerberos.state_new();
	u2u_server_leg(s, uid, 0, &req2.token, NULL, 0, &rep2);
	run_leg(c2, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&rep2.token, &ap_req2);
	CHECK_EQ(ap_req2.status, SEC_I_CONTINUE_NEEDED);
	run_leg(c2, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&h.ap_rep.token, &r);
	CHECK_EQ(r.status, SEC_E_WRONG_PRINCIPAL);
	CHECK_EQ(r.blob.len, 0);
	reply_clear(&r);
	u2u_run_free(&h);

	reply_clear(&req);
	reply_clear(&rep);
	reply_clear(&ap_req);
	reply_clear(&req2);
	reply_clear(&rep2);
	reply_clear(&ap_req2);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(c2);
	pkg_kerberos.state_free(s);
	u2u_kdestroy(uid);
}


/*
 * @token (a GSS token with one OID) re-framed with the OID @oid (@oid_len
 * bytes of DER contents), its TOK_ID and message kept: into @out.
 */
static void reframe(const struct bytes *token, const uint8_t *oid,
		    size_t oid_len, struct bytes *out)
{
	size_t at, inner_at, body_len, inner;
	uint8_t head[16];

	CHECK(token->len > 4 && token->data[0] == 0x60);
	at = token->data[1] < 0x80 ? 2 : 2 + (token->data[1] & 0x7f);
	inner_at = at + 2 + token->data[at + 1];
	CHECK(inner_at < token->len);
	body_len = token->len - inner_at;	/* TOK_ID and message */
	inner = 2 + oid_len + body_len;
	head[0] = 0x60;
	if (inner < 0x80) {
		head[1] = (uint8_t)inner;
		at = 2;
	} else if (inner < 0x100) {
		head[1] = 0x81;
		head[2] = (uint8_t)inner;
		at = 3;
	} else {
		head[1] = 0x82;
		head[2] = (uint8_t)(inner >> 8);
		head[3] = (uint8_t)inner;
		at = 4;
	}
	head[at++] = 0x06;
	head[at++] = (uint8_t)oid_len;
	bytes_append(out, head, at);
	bytes_append(out, oid, oid_len);
	bytes_append(out, token->data + inner_at, body_len);
}

static const uint8_t krb5_oid_der[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
					0x01, 0x02, 0x02 };
static const uint8_t u2u_oid_der[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
				       0x01, 0x02, 0x02, 0x03 };

/*
 * bob's TGT session key from FILE:@path into the keytab @kt_name
 * as a key of bob@TEST.LOCAL: what a user-to-user ticket for bob is
 * encrypted in.
 */
static void tgt_key_keytab(const char *path, const char *kt_name)
{
	krb5_creds match = { 0 }, tgt = { 0 };
	krb5_keytab_entry entry = { 0 };
	krb5_principal me = NULL;
	krb5_keytab kt = NULL;
	krb5_ccache cc = NULL;
	krb5_context k;
	char name[128];

	snprintf(name, sizeof(name), "FILE:%s", path);
	CHECK_EQ(krb5_init_context(&k), 0);
	CHECK_EQ(krb5_cc_resolve(k, name, &cc), 0);
	CHECK_EQ(krb5_cc_get_principal(k, cc, &me), 0);
	CHECK_EQ(krb5_build_principal(k, &match.server, 10, "TEST.LOCAL",
				      "krbtgt", "TEST.LOCAL", NULL), 0);
	match.client = me;
	CHECK_EQ(krb5_cc_retrieve_cred(k, cc, 0, &match, &tgt), 0);
	CHECK_EQ(krb5_kt_resolve(k, kt_name, &kt), 0);
	entry.principal = me;
	entry.vno = 1;
	entry.key = tgt.keyblock;
	CHECK_EQ(krb5_kt_add_entry(k, kt, &entry), 0);
	krb5_free_cred_contents(k, &tgt);
	krb5_free_principal(k, match.server);
	krb5_free_principal(k, me);
	krb5_kt_close(k, kt);
	krb5_cc_close(k, cc);
	krb5_free_context(k);
}

/*
 * A real acceptor for the ksspi client's user-to-user AP-REQ: MIT's
 * gss_accept_sec_context(), given bob's TGT session key as a keytab key
 * (MIT's acceptor has no user-to-user mode of its own) and the AP-REQ
 * re-framed with the krb5 OID.  MIT checks the authenticator's 0x8003
 * checksum and flags and answers an AP-REP with its own subkey, which
 * the ksspi client takes (re-framed with the user-to-user OID); then
 * both ends have the same key and sequence numbers, and MIT's Wrap token
 * opens with the client's blob.
 */
static void test_u2u_mit_acceptor(void)
{
	const uint32_t uid = u2u_server_uid();
	char path[64], kt_name[600];
	gss_key_value_element_desc kv = { "keytab", kt_name };
	gss_key_value_set_desc store = { 1, &kv };
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t acc = GSS_C_NO_CONTEXT;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER, plain, sealed;
	gss_krb5_lucid_context_v1_t *lucid = NULL;
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply req, rep, ap_req, done = { 0 };
	struct bytes krb5_ap_req = { 0 }, ap_rep = { 0 }, mit_rep = { 0 };
	struct bytes opened = { 0 };
	void *exported = NULL, *inner = NULL;
	OM_uint32 major, minor, flags = 0;
	const uint8_t *key;
	uint32_t key_len;

	u2u_kinit(uid, "bob", NULL);
	snprintf(path, sizeof(path), "/tmp/krb5cc_%u", uid);
	strcpy(kt_name, "FILE:");
	realm_file("keytab-u2u-peer", kt_name + 5, sizeof(kt_name) - 5);
	unlink(kt_name + 5);
	tgt_key_keytab(path, kt_name);

	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, "alice", "TEST.LOCAL",
		"Passw0rd!", "bob@TEST.LOCAL", NULL, &req);
	u2u_server_leg(s, uid, 0, &req.token, NULL, 0, &rep);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&rep.token, &ap_req);
	CHECK_EQ(ap_req.status, SEC_I_CONTINUE_NEEDED);
	reframe(&ap_req.token, krb5_oid_der, sizeof(krb5_oid_der),
		&krb5_ap_req);

	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				      GSS_C_NO_OID_SET, GSS_C_ACCEPT, &store,
				      &cred, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	in.value = krb5_ap_req.data;
	in.length = krb5_ap_req.len;
	major = gss_accept_sec_context(&minor, &acc, cred, &in,
				       GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL,
				       &out, &flags, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	/* the flags the ksspi client put in the 0x8003 checksum */
	CHECK(flags & GSS_C_MUTUAL_FLAG);
	CHECK(flags & GSS_C_CONF_FLAG);
	CHECK(flags & GSS_C_REPLAY_FLAG);
	CHECK(out.length > 0);
	if (major != GSS_S_COMPLETE || !out.length)
		goto out;
	bytes_append(&mit_rep, out.value, out.length);
	reframe(&mit_rep, u2u_oid_der, sizeof(u2u_oid_der), &ap_rep);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL, NULL,
		&ap_rep, &done);
	CHECK_EQ(done.status, SEC_E_OK);
	CHECK(done.context_attr & ISC_RET_MUTUAL_AUTH);

	/* MIT's Wrap token opens with the ksspi client's blob */
	plain.value = (void *)"from MIT";
	plain.length = 8;
	major = gss_wrap(&minor, acc, 1, GSS_C_QOP_DEFAULT, &plain, NULL,
			 &sealed);
	CHECK_EQ(major, GSS_S_COMPLETE);
	inner = kerberos_inner_new(&done.blob);
	CHECK(inner != NULL);
	if (inner && major == GSS_S_COMPLETE)
		CHECK_EQ(kerberos_inner_unwrap(inner, sealed.value,
					       sealed.length, &opened), 0);
	CHECK(opened.len == 8 && !memcmp(opened.data, "from MIT", 8));
	gss_release_buffer(&minor, &sealed);

	/* and the same key, crossed sequence numbers */
	major = gss_krb5_export_lucid_sec_context(&minor, &acc, 1, &exported);
	CHECK_EQ(major, GSS_S_COMPLETE);
	lucid = exported;
	if (lucid) {
		CHECK(lucid->cfx_kd.have_acceptor_subkey);
		CHECK(!ctxblob_find(done.blob.data, done.blob.len,
				    KSSPI_CTX_REC_KRB5_KEY, &key, &key_len));
		CHECK(key_len == lucid->cfx_kd.acceptor_subkey.length &&
		      !memcmp(key, lucid->cfx_kd.acceptor_subkey.data,
			      key_len));
		/* one token from MIT so far */
		CHECK_EQ(blob_number(&done, KSSPI_CTX_REC_RECV_SEQ) + 1,
			 lucid->send_seq);
		CHECK_EQ(blob_number(&done, KSSPI_CTX_REC_SEND_SEQ),
			 lucid->recv_seq);
		gss_krb5_free_lucid_sec_context(&minor, lucid);
	}
out:
	if (inner)
		kerberos_inner_free(inner);
	gss_release_buffer(&minor, &out);
	if (acc != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &acc, GSS_C_NO_BUFFER);
	gss_release_cred(&minor, &cred);
	bytes_free(&krb5_ap_req);
	bytes_free(&ap_rep);
	bytes_free(&mit_rep);
	bytes_free(&opened);
	reply_clear(&req);
	reply_clear(&rep);
	reply_clear(&ap_req);
	reply_clear(&done);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	unlink(kt_name + 5);
	u2u_kdestroy(uid);
}



/*
 * MIT's cache keeps a user-to-user ticket apart (is_skey), where its
 * GSSAPI initiator never looks: the copy of @ccname's user-to-user ticket
 * stored as a plain service ticket, so that gss_init_sec_context() uses
 * it.  Test-only plumbing; the ticket is untouched.
 */
static void u2u_ticket_as_plain(const char *ccname)
{
	krb5_cc_cursor cur;
	krb5_creds creds;
	krb5_ccache cc = NULL;
	krb5_context k;
	int found = 0;

	CHECK_EQ(krb5_init_context(&k), 0);
	CHECK_EQ(krb5_cc_resolve(k, ccname, &cc), 0);
	CHECK_EQ(krb5_cc_start_seq_get(k, cc, &cur), 0);
	while (!found && !krb5_cc_next_cred(k, cc, &cur, &creds)) {
		if (creds.is_skey) {
			creds.is_skey = 0;
			krb5_free_data_contents(k, &creds.second_ticket);
			found = 1;
			krb5_cc_end_seq_get(k, cc, &cur);
			CHECK_EQ(krb5_cc_store_cred(k, cc, &creds), 0);
		}
		krb5_free_cred_contents(k, &creds);
	}
	if (!found)
		krb5_cc_end_seq_get(k, cc, &cur);
	CHECK(found);
	krb5_cc_close(k, cc);
	krb5_free_context(k);
}

/*
 * A real initiator for the ksspi user-to-user server: MIT's
 * gss_init_sec_context() with a user-to-user ticket for bob in alice's
 * cache (kvno --u2u with bob's cache), its AP-REQ re-framed with the
 * user-to-user OID.  The ksspi server (bob's TGT only) takes it after its
 * TGT-REQ/TGT-REP leg; MIT takes the AP-REP (re-framed with the krb5 OID)
 * and completes; keys and sequence numbers agree, and the server's Wrap
 * token opens at MIT.
 */
static void test_u2u_mit_initiator(void)
{
	static const char tgt_req_hex[] =
		"601a060a2a864886f71201020203" "0400" "300aa003020105a103020110";
	const uint32_t uid = u2u_server_uid();
	const OM_uint32 want = GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG |
			       GSS_C_INTEG_FLAG | GSS_C_REPLAY_FLAG |
			       GSS_C_SEQUENCE_FLAG;
	char cc[512], ccname[600], cmd[1500];
	gss_key_value_element_desc kv = { "ccache", ccname };
	gss_key_value_set_desc store = { 1, &kv };
	gss_buffer_desc nb = { 14, (void *)"bob@TEST.LOCAL" };
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc out2 = GSS_C_EMPTY_BUFFER, sealed, plain;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ini = GSS_C_NO_CONTEXT;
	gss_name_t target = GSS_C_NO_NAME;
	gss_krb5_lucid_context_v1_t *lucid = NULL;
	struct bytes tgt_req = { 0 }, mit_req = { 0 }, ap_req = { 0 };
	struct bytes krb5_rep = { 0 }, wrapped = { 0 };
	struct reply rep, done = { 0 };
	void *s = pkg_kerberos.state_new(), *inner = NULL, *exported = NULL;
	OM_uint32 major, minor, flags = 0;
	const uint8_t *key;
	uint32_t key_len;

	u2u_kinit(uid, "bob", NULL);
	realm_file("ccache-u2u-alice", cc, sizeof(cc));
	snprintf(ccname, sizeof(ccname), "FILE:%s", cc);
	snprintf(cmd, sizeof(cmd), "echo 'Passw0rd!' | kinit -c %s alice "
		 ">/dev/null 2>&1 && kvno -q -c %s --u2u FILE:/tmp/krb5cc_%u "
		 "bob@TEST.LOCAL >/dev/null 2>&1", ccname, ccname, uid);
	CHECK_EQ(system(cmd), 0);
	u2u_ticket_as_plain(ccname);

	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				      GSS_C_NO_OID_SET, GSS_C_INITIATE, &store,
				      &cred, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	CHECK_EQ(gss_import_name(&minor, &nb,
				 (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &target),
		 GSS_S_COMPLETE);
	major = gss_init_sec_context(&minor, cred, &ini, target,
				     (gss_OID)gss_mech_krb5, want, 0,
				     GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
				     NULL, &out, NULL, NULL);
	CHECK_EQ(major, GSS_S_CONTINUE_NEEDED);
	if (major != GSS_S_CONTINUE_NEEDED)
		goto out;
	bytes_append(&mit_req, out.value, out.length);
	reframe(&mit_req, u2u_oid_der, sizeof(u2u_oid_der), &ap_req);

	/* the server's TGT-REQ leg first, then MIT's AP-REQ */
	from_hex(tgt_req_hex, &tgt_req);
	u2u_server_leg(s, uid, 0, &tgt_req, NULL, 0, &rep);
	CHECK_EQ(rep.status, SEC_I_CONTINUE_NEEDED);
	reply_clear(&rep);
	u2u_server_leg(s, uid, 0, &ap_req, NULL, 0, &rep);
	CHECK_EQ(rep.status, SEC_E_OK);
	CHECK(rep.context_attr & ASC_RET_MUTUAL_AUTH);
	CHECK(rep.context_attr & ASC_RET_CONFIDENTIALITY);
	CHECK(rep.context_attr & ASC_RET_SEQUENCE_DETECT);
	CHECK(blob_is(&rep, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL", 16));
	CHECK(blob_is(&rep, KSSPI_CTX_REC_SERVER_NAME, "bob@TEST.LOCAL", 14));
	if (rep.status != SEC_E_OK)
		goto out;
	reframe(&rep.token, krb5_oid_der, sizeof(krb5_oid_der), &krb5_rep);
	in.value = krb5_rep.data;
	in.length = krb5_rep.len;
	major = gss_init_sec_context(&minor, cred, &ini, target,
				     (gss_OID)gss_mech_krb5, want, 0,
				     GSS_C_NO_CHANNEL_BINDINGS, &in, NULL,
				     &out2, &flags, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	CHECK(flags & GSS_C_MUTUAL_FLAG);

	/* the server's Wrap token opens at MIT */
	inner = kerberos_inner_new(&rep.blob);
	CHECK(inner != NULL);
	if (inner)
		CHECK_EQ(kerberos_inner_wrap(inner, (const uint8_t *)"to MIT",
					     6, &wrapped), 0);
	sealed.value = wrapped.data;
	sealed.length = wrapped.len;
	major = gss_unwrap(&minor, ini, &sealed, &plain, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);
	if (major == GSS_S_COMPLETE) {
		CHECK(plain.length == 6 && !memcmp(plain.value, "to MIT", 6));
		gss_release_buffer(&minor, &plain);
	}
	major = gss_krb5_export_lucid_sec_context(&minor, &ini, 1, &exported);
	CHECK_EQ(major, GSS_S_COMPLETE);
	lucid = exported;
	if (lucid) {
		CHECK(lucid->cfx_kd.have_acceptor_subkey);
		CHECK(!ctxblob_find(rep.blob.data, rep.blob.len,
				    KSSPI_CTX_REC_KRB5_KEY, &key, &key_len));
		CHECK(key_len == lucid->cfx_kd.acceptor_subkey.length &&
		      !memcmp(key, lucid->cfx_kd.acceptor_subkey.data,
			      key_len));
		/* MIT's recv_seq stays the first one it expected */
		CHECK_EQ(blob_number(&rep, KSSPI_CTX_REC_SEND_SEQ),
			 lucid->recv_seq);
		CHECK_EQ(blob_number(&rep, KSSPI_CTX_REC_RECV_SEQ),
			 lucid->send_seq);
		gss_krb5_free_lucid_sec_context(&minor, lucid);
	}
out:
	if (inner)
		kerberos_inner_free(inner);
	gss_release_buffer(&minor, &out);
	gss_release_buffer(&minor, &out2);
	if (ini != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &ini, GSS_C_NO_BUFFER);
	if (target != GSS_C_NO_NAME)
		gss_release_name(&minor, &target);
	gss_release_cred(&minor, &cred);
	bytes_free(&tgt_req);
	bytes_free(&mit_req);
	bytes_free(&ap_req);
	bytes_free(&krb5_rep);
	bytes_free(&wrapped);
	reply_clear(&rep);
	reply_clear(&done);
	pkg_kerberos.state_free(s);
	unlink(cc);
	u2u_kdestroy(uid);
}


/* A user-to-user client leg of root's with @params as its PKG_PARAMS. */
static void u2u_supplied_leg(void *state, const struct bytes *params,
			     const struct bytes *token, struct reply *r)
{
	struct upcall up = { .op = KSSPI_OP_INIT_CONTEXT,
			     .context_req = REQ_U2U |
					    ISC_REQ_USE_SUPPLIED_CREDS };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_TARGET_NAME);
	up.target_name = strdup("bob@TEST.LOCAL");
	if (params) {
		bytes_append(&up.pkg_params, params->data, params->len);
		up.present |= UPCALL_BIT(KSSPI_A_PKG_PARAMS);
	}
	if (token) {
		bytes_append(&up.token, token->data, token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	pkg_kerberos.step(state, &up, r);
	upcall_free(&up);
}

/* USE_SUPPLIED_CREDS with user-to-user: the KRB-CRED's TGT asks. */
static void test_u2u_supplied(void)
{
	const uint32_t uid = u2u_server_uid();
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	struct reply r1, r2, r3, r4, r5;
	struct bytes alice = { 0 };

	u2u_kinit(uid, "bob", NULL);
	krb_cred_of("alice", &alice);
	u2u_supplied_leg(c, &alice, NULL, &r1);
	CHECK_EQ(r1.status, SEC_I_CONTINUE_NEEDED);
	u2u_server_leg(s, uid, 0, &r1.token, NULL, 0, &r2);
	u2u_supplied_leg(c, NULL, &r2.token, &r3);
	CHECK_EQ(r3.status, SEC_I_CONTINUE_NEEDED);
	u2u_server_leg(s, uid, 0, &r3.token, NULL, 0, &r4);
	CHECK_EQ(r4.status, SEC_E_OK);
	u2u_supplied_leg(c, NULL, &r4.token, &r5);
	CHECK_EQ(r5.status, SEC_E_OK);
	CHECK(r5.context_attr & ISC_RET_USED_SUPPLIED_CREDS);
	CHECK(r5.context_attr & ISC_RET_USE_SESSION_KEY);
	CHECK(blob_is(&r4, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL", 16));
	reply_clear(&r1);
	reply_clear(&r2);
	reply_clear(&r3);
	reply_clear(&r4);
	reply_clear(&r5);
	bytes_free(&alice);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	u2u_kdestroy(uid);
}


/* DELEGATE is not claimed: this path forwards no TGT. */
static void test_u2u_no_delegation(void)
{
	const uint32_t uid = u2u_server_uid();
	void *c = pkg_kerberos.state_new(), *s = pkg_kerberos.state_new();
	const uint32_t req = REQ_U2U | ISC_REQ_DELEGATE;
	struct reply r1, r2, r3, r4, r5;

	u2u_kinit(uid, "bob", NULL);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, req, "alice", "TEST.LOCAL",
		"Passw0rd!", "bob@TEST.LOCAL", NULL, &r1);
	u2u_server_leg(s, uid, 0, &r1.token, NULL, 0, &r2);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, req, NULL, NULL, NULL, NULL,
		&r2.token, &r3);
	u2u_server_leg(s, uid, 0, &r3.token, NULL, 0, &r4);
	run_leg(c, KSSPI_OP_INIT_CONTEXT, req, NULL, NULL, NULL, NULL,
		&r4.token, &r5);
	CHECK_EQ(r5.status, SEC_E_OK);
	CHECK(!(r5.context_attr & ISC_RET_DELEGATE));
	CHECK(!(r4.context_attr & ASC_RET_DELEGATE));
	reply_clear(&r1);
	reply_clear(&r2);
	reply_clear(&r3);
	reply_clear(&r4);
	reply_clear(&r5);
	pkg_kerberos.state_free(c);
	pkg_kerberos.state_free(s);
	u2u_kdestroy(uid);
}


/* A KRB-ERROR instead of the TGT-REP: the status of its error. */
static void test_u2u_krb_error(void)
{
	static const struct {
		krb5_error_code code;
		uint32_t status;
	} cases[] = {
		{ KRB5KRB_AP_ERR_SKEW, SEC_E_TIME_SKEW },
		{ KRB5KRB_AP_ERR_TKT_EXPIRED, SEC_E_CONTEXT_EXPIRED },
		{ KRB5KRB_AP_ERR_MODIFIED, SEC_E_WRONG_PRINCIPAL },
	};
	krb5_principal server = NULL;
	krb5_context k;
	size_t i;

	CHECK_EQ(krb5_init_context(&k), 0);
	CHECK_EQ(krb5_parse_name(k, "bob@TEST.LOCAL", &server), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *c = pkg_kerberos.state_new();
		krb5_error err = { 0 };
		krb5_data der = { 0 };
		struct bytes token = { 0 };
		struct reply r1, r2;

		err.error = (krb5_ui_4)(cases[i].code - ERROR_TABLE_BASE_krb5);
		err.server = server;
		CHECK_EQ(krb5_mk_error(k, &err, &der), 0);
		CHECK_EQ(kerberos_u2u_frame(KERBEROS_U2U_TOK_ERROR,
					    (const uint8_t *)der.data,
					    der.length, &token), 0);
		run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, "alice",
			"TEST.LOCAL", "Passw0rd!", "bob@TEST.LOCAL", NULL, &r1);
		CHECK_EQ(r1.status, SEC_I_CONTINUE_NEEDED);
		run_leg(c, KSSPI_OP_INIT_CONTEXT, REQ_U2U, NULL, NULL, NULL,
			NULL, &token, &r2);
		CHECK_EQ(r2.status, cases[i].status);
		CHECK_EQ(r2.token.len, 0);
		reply_clear(&r1);
		reply_clear(&r2);
		bytes_free(&token);
		krb5_free_data_contents(k, &der);
		pkg_kerberos.state_free(c);
	}
	krb5_free_principal(k, server);
	krb5_free_context(k);
}

static const struct test_case kerberos_tests[] = {
	{ "SPN to host-based service name", test_spn },
	{ "target name forms", test_target_forms },
	{ "handshake without MUTUAL_AUTH: one leg each", test_no_mutual },
	{ "handshake with MUTUAL_AUTH: AP-REQ, AP-REP", test_mutual },
	{ "MUTUAL_AUTH to TERMSRV/", test_mutual_termsrv },
	{ "MUTUAL_AUTH to an aes-sha2 service", test_mutual_sha2 },
	{ "aes-sha2 service without MUTUAL_AUTH: enctype 20",
	  test_no_mutual_sha2 },
	{ "wrong password: SEC_E_LOGON_DENIED", test_wrong_password },
	{ "unknown SPN: SEC_E_TARGET_UNKNOWN", test_unknown_spn },
	{ "DELEGATE without MUTUAL_AUTH: SEC_E_UNSUPPORTED_FUNCTION",
	  test_delegate_needs_mutual },
	{ "no identity: SEC_E_NO_CREDENTIALS", test_no_credentials },
	{ "corrupted AP-REQ refused", test_corrupt_ap_req },
	{ "KDC unreachable: SEC_E_NO_AUTHENTICATING_AUTHORITY, fast",
	  test_kdc_unreachable },
	{ "principal without allow_tix: SEC_E_LOGON_DENIED", test_disabled },
	{ "expired principal: SEC_E_LOGON_DENIED", test_expired },
	{ "expired password: SEC_E_LOGON_DENIED", test_password_expired },
	{ "keytab without the ticket's service: SEC_E_WRONG_PRINCIPAL",
	  test_keytab_without_service },
	{ "AP-REP of another handshake: SEC_E_WRONG_PRINCIPAL",
	  test_ap_rep_mismatch },
	{ "authenticator an hour off: SEC_E_TIME_SKEW", test_clock_skew },
	{ "the caller's own ccache (FILE, DIR), never another's",
	  test_user_ccache },
	{ "expired TGT in the caller's cache: SEC_E_NO_CREDENTIALS",
	  test_expired_ccache },
	{ "in-kernel caller: the keytab's machine credentials",
	  test_kernel_caller },
	{ "acceptor principal from the INBOUND identity",
	  test_acceptor_principal },
	{ "acceptor of another uid than root: SEC_E_NO_CREDENTIALS",
	  test_acceptor_needs_root },
	{ "EXTENDED_ERROR: the KRB-ERROR token reaches the client",
	  test_krb_error_token },
	{ "NO_INTEGRITY, DELEGATE", test_flags },
	{ "DELEGATE: an MIT server reaches a second service as the client",
	  test_delegation },
	{ "DELEGATE: a ksspi server keeps the TGT and acts as the client",
	  test_delegation_server },
	{ "channel bindings: equal accepted, different SEC_E_BAD_BINDINGS",
	  test_channel_bindings },
	{ "malformed channel bindings: SEC_E_BAD_BINDINGS", test_bad_bindings },
	{ "KEYRING:persistent:<uid>: the caller's own, never another's",
	  test_keyring_ccache },
	{ "default_ccache_name: the caller's own place first",
	  test_default_ccache_name },
	{ "target names: SPN, SPN@REALM, short host, UPN, account name",
	  test_target_names },
	{ "USE_SUPPLIED_CREDS: a KRB-CRED in SECBUFFER_PKG_PARAMS",
	  test_supplied_creds },
	{ "USE_SESSION_KEY: user-to-user to a server with only a TGT",
	  test_u2u },
	{ "user-to-user: no TGT, expired TGT, another principal, unknown",
	  test_u2u_refused },
	{ "user-to-user: channel bindings", test_u2u_bindings },
	{ "user-to-user with USE_SUPPLIED_CREDS", test_u2u_supplied },
	{ "user-to-user with DELEGATE: nothing delegated, nothing claimed",
	  test_u2u_no_delegation },
	{ "user-to-user: hostile TGT-REQ and TGT-REP: SEC_E_INVALID_TOKEN",
	  test_u2u_hostile },
	{ "user-to-user: tampered AP-REQ (KRB-ERROR), another run's AP-REP",
	  test_u2u_tampered },
	{ "user-to-user: a KRB-ERROR token's status at the client",
	  test_u2u_krb_error },
	{ "user-to-user: MIT's acceptor takes the ksspi client's AP-REQ",
	  test_u2u_mit_acceptor },
	{ "user-to-user: the ksspi server takes MIT's initiator's AP-REQ",
	  test_u2u_mit_initiator },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	static const struct test_case *const suites[] = { kerberos_tests,
							  NULL };
	int rc;

	if (argc != 2 || !getenv("KRB5_CONFIG")) {
		fprintf(stderr, "usage: tests/kerberos/run-in-realm %s\n",
			argv[0]);
		return 2;
	}
	keytab_path = argv[1];
	if (kerberos_config_setup(argv[1]))
		return 1;
	rc = tap_run(suites);
	kerberos_config_cleanup();
	return rc;
}
