// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the Kerberos package (TAP): client and server legs in one
 * process against the MIT realm of selftests/interop/krb5_env.py, which
 * tests/kerberos/run-in-realm creates (KRB5_CONFIG, KRB5_KTNAME set, the
 * keytab's path as argv[1]).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include <linux/ksspi_context.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "tests/tap.h"

#define REQ_MUTUAL (ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY | \
		    ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | \
		    ISC_REQ_SEQUENCE_DETECT)

static void run_leg(void *state, uint32_t op, uint32_t req,
		    const char *user, const char *domain, const char *password,
		    const char *target, const struct bytes *token,
		    struct reply *r)
{
	struct upcall up = { .op = op, .context_req = req };

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ);
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
	*r = (struct reply){ 0 };
	pkg_kerberos.step(state, &up, r);
	upcall_free(&up);
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
		CHECK(r.status != SEC_E_OK &&
		      r.status != SEC_I_CONTINUE_NEEDED);
		CHECK_EQ(r.token.len, 0);
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

static const struct test_case kerberos_tests[] = {
	{ "SPN to host-based service name", test_spn },
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
	if (kerberos_config_setup(argv[1]))
		return 1;
	rc = tap_run(suites);
	kerberos_config_cleanup();
	return rc;
}
