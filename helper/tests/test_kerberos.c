// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the Kerberos package (TAP): client and server legs in one
 * process against the MIT realm of selftests/interop/krb5_env.py, which
 * tests/kerberos/run-in-realm creates (KRB5_CONFIG, KRB5_KTNAME set, the
 * keytab's path as argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

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
	reply_clear(&c);
	reply_clear(&s);
}

static void check_mutual(const char *target)
{
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
	reply_clear(&c);
	reply_clear(&s);
}

static void test_mutual(void)
{
	check_mutual("host/srv.test.local");
}

static void test_mutual_termsrv(void)
{
	check_mutual("TERMSRV/srv.test.local");
}

static void test_mutual_sha2(void)
{
	check_mutual("host/sha2.test.local");
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
