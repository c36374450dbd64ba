// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CredSSP package's unit tests (build/test_credssp, TAP): its client
 * and server talking to each other in-process with NTLM inside, for each
 * TSRequest version, over TLS 1.3, or TLS 1.2 when run as
 * "test_credssp tls1.2" under a GnuTLS configuration that disables TLS 1.3
 * (tests/credssp/tls12.conf, GNUTLS_SYSTEM_PRIORITY_FILE: the Makefile
 * runs both); a relay in the middle that terminates TLS and edits the
 * TSRequests; the delegation policy, error tokens, partial and surplus
 * input, the session cache, and the request dispatch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ksspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "credssp/credssp.h"
#include "credssp/session_cache.h"
#include "credssp/tsrequest.h"
#include "credssp_harness.h"
#include "log.h"
#include "kerberos/kerberos.h"
#include "ntlm/ntlm.h"
#include "ntlm/unicode.h"
#include "spnego/negotiate.h"
#include "ntlm_harness.h"
#include "request.h"
#include "session.h"
#include "tap.h"
#include "util.h"

#define TARGET		"TERMSRV/srv.test.local"
#define CLIENT_NAME	T_DOMAIN "\\" T_USER

/* 0x0304, or 0x0303 when run as "test_credssp tls1.2" */
static uint16_t tls_version = 0x0304;

static void setup(void)
{
	ntlm_test_server_setup(false, NULL, 0);
	credssp_test_configure(0, NULL);
	session_cache_clear();
}

/*
 * Alice's handshake at @version (0: the package's); each from a process
 * of its own, so that none resumes another's TLS session unless a test
 * says so.
 */
static struct chs alice(uint32_t version)
{
	static uint32_t pid = 10000;

	return (struct chs){ .user = T_USER, .domain = T_DOMAIN,
			     .password = T_PASSWORD, .target = TARGET,
			     .offered = version, .pid = pid++ };
}

static const uint8_t *rec(const struct bytes *blob, uint16_t type,
			  uint32_t *len)
{
	uint16_t flags = 0;
	const uint8_t *v = blob_record(blob, type, &flags, len);

	CHECK(v == NULL || flags == KSSPI_CTX_REC_CRITICAL);
	return v;
}

static bool rec_is(const struct bytes *blob, uint16_t type, const void *want,
		   size_t want_len)
{
	uint32_t len = 0;
	const uint8_t *v = rec(blob, type, &len);

	return v && len == want_len && memcmp(v, want, len) == 0;
}

static bool rec_str(const struct bytes *blob, uint16_t type, const char *s)
{
	return rec_is(blob, type, s, strlen(s));
}

static uint32_t rec_le32(const struct bytes *blob, uint16_t type)
{
	uint32_t len = 0;
	const uint8_t *v = rec(blob, type, &len);

	CHECK(v && len == 4);
	return v && len == 4 ? get_le32(v) : 0xffffffffu;
}

#define ISC_BASE (ISC_RET_MANUAL_CRED_VALIDATION | ISC_RET_CONFIDENTIALITY | \
		  ISC_RET_INTEGRITY | ISC_RET_REPLAY_DETECT | \
		  ISC_RET_SEQUENCE_DETECT | ISC_RET_STREAM)
#define ASC_BASE (ASC_RET_CONFIDENTIALITY | ASC_RET_INTEGRITY | \
		  ASC_RET_REPLAY_DETECT | ASC_RET_SEQUENCE_DETECT | \
		  ASC_RET_STREAM)

/* Both sides done; their blobs agree with each other and with @version. */
static void check_success_of(const struct chs *h, uint32_t version,
			     uint32_t isc_attr, uint32_t asc_attr,
			     bool one_session)
{
	const struct reply *c = chs_client(h), *s = chs_server(h);
	const uint8_t *ctx, *crx, *stx, *srx;
	uint32_t len, n;
	int64_t now = time(NULL);
	unsigned int i;

	CHECK(c && s);
	if (!c || !s)
		return;
	CHECK_EQ(c->status, SEC_E_OK);
	CHECK_EQ(s->status, SEC_E_OK);
	if (c->status != SEC_E_OK || s->status != SEC_E_OK)
		return;
	/* The server's last leg answers nothing; no token reaches cbMaxToken */
	CHECK_EQ(s->token.len, 0);
	for (i = 0; i < h->count; i++)
		CHECK(h->r[i].token.len < CREDSSP_MAX_TOKEN);
	CHECK(c->has_context_attr && s->has_context_attr);
	CHECK_EQ(c->context_attr, isc_attr);
	CHECK_EQ(s->context_attr, asc_attr);
	CHECK(c->has_expiry && s->expiry >= now + NTLM_CONTEXT_LIFETIME - 5 &&
	      c->expiry <= now + NTLM_CONTEXT_LIFETIME);

	CHECK(blob_well_formed(&c->blob) && blob_well_formed(&s->blob));
	CHECK(c->blob.len > 64 && s->blob.len > 64);
	if (c->blob.len < 64 || s->blob.len < 64)
		return;
	CHECK(strcmp((const char *)c->blob.data + 32, "CredSSP") == 0);
	CHECK(strcmp((const char *)s->blob.data + 32, "CredSSP") == 0);
	CHECK_EQ(get_le32(c->blob.data + 12), KSSPI_CTX_F_INITIATOR);
	CHECK_EQ(get_le32(s->blob.data + 12), 0);
	CHECK_EQ(get_le32(c->blob.data + 16), isc_attr);
	CHECK_EQ(get_le32(s->blob.data + 16), asc_attr);
	CHECK_EQ((int64_t)get_le64(c->blob.data + 24), c->expiry);

	CHECK(rec_str(&c->blob, KSSPI_CTX_REC_CLIENT_NAME, CLIENT_NAME));
	CHECK(rec_str(&s->blob, KSSPI_CTX_REC_CLIENT_NAME, CLIENT_NAME));
	CHECK(rec_str(&c->blob, KSSPI_CTX_REC_SERVER_NAME, TARGET));
	CHECK(rec_str(&s->blob, KSSPI_CTX_REC_SERVER_NAME, T_COMPUTER));
	CHECK(rec_str(&c->blob, KSSPI_CTX_REC_CREDSSP_INNER, "NTLM"));
	CHECK(rec_str(&s->blob, KSSPI_CTX_REC_CREDSSP_INNER, "NTLM"));
	CHECK_EQ(rec_le32(&c->blob, KSSPI_CTX_REC_CREDSSP_VERSION), version);
	CHECK_EQ(rec_le32(&s->blob, KSSPI_CTX_REC_CREDSSP_VERSION), version);

	/* The acceptor has credentials only when they were delegated */
	CHECK(!rec(&c->blob, KSSPI_CTX_REC_CREDSSP_DELEGATED, NULL));
	CHECK(!!rec(&s->blob, KSSPI_CTX_REC_CREDSSP_DELEGATED, NULL) ==
	      !!(asc_attr & ASC_RET_DELEGATE));

	/* One TLS session: versions and suites agree, directions cross */
	ctx = rec(&c->blob, KSSPI_CTX_REC_TLS_VERSION, &len);
	CHECK(ctx && len == 2 && get_le16(ctx) == tls_version);
	ctx = rec(&s->blob, KSSPI_CTX_REC_TLS_VERSION, &len);
	CHECK(ctx && len == 2 && get_le16(ctx) == tls_version);
	ctx = rec(&c->blob, KSSPI_CTX_REC_TLS_CIPHER, &len);
	stx = rec(&s->blob, KSSPI_CTX_REC_TLS_CIPHER, &n);
	CHECK(ctx && stx && len == 2 && n == 2 &&
	      get_le16(ctx) == get_le16(stx) &&
	      (get_le16(ctx) == KSSPI_TLS_CIPHER_AES_GCM_128 ||
	       get_le16(ctx) == KSSPI_TLS_CIPHER_AES_GCM_256 ||
	       get_le16(ctx) == KSSPI_TLS_CIPHER_CHACHA20_POLY1305));
	if (!one_session)
		return;
	ctx = rec(&c->blob, KSSPI_CTX_REC_TLS_TX, &len);
	srx = rec(&s->blob, KSSPI_CTX_REC_TLS_RX, &n);
	CHECK(ctx && srx && len == sizeof(struct ksspi_tls_state) &&
	      n == len && memcmp(ctx, srx, len) == 0);
	crx = rec(&c->blob, KSSPI_CTX_REC_TLS_RX, &len);
	stx = rec(&s->blob, KSSPI_CTX_REC_TLS_TX, &n);
	CHECK(crx && stx && len == sizeof(struct ksspi_tls_state) &&
	      n == len && memcmp(crx, stx, len) == 0);
	/*
	 * The client sent three TSRequests, the server at least two; in TLS
	 * 1.2 the Finished messages came first under the same keys.
	 */
	if (ctx && stx) {
		CHECK_EQ(get_le64(ctx + offsetof(struct ksspi_tls_state, seq)),
			 tls_version == 0x0304 ? 3 : 4);
		CHECK(get_le64(stx + offsetof(struct ksspi_tls_state, seq)) >=
		      2);
		CHECK(memcmp(ctx, stx, 32) != 0);
	}
}

static void check_success(const struct chs *h, uint32_t version,
			  uint32_t isc_attr, uint32_t asc_attr)
{
	check_success_of(h, version, isc_attr, asc_attr, true);
}

/* Every version from 2 to 6, offered by the client; the server's is 6. */
static void test_versions(void)
{
	uint32_t v;

	setup();
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		struct chs h = alice(v);

		credssp_handshake(&h);
		check_success(&h, v, ISC_BASE, ASC_BASE);
		/* client hello, then TLS: 4 (1.3) or 5 (1.2) client legs */
		CHECK_EQ(h.c.legs, tls_version == 0x0304 ? 4 : 5);
		CHECK_EQ(h.s.legs, tls_version == 0x0304 ? 4 : 5);
		CHECK_EQ(rec_le32(&chs_client(&h)->blob,
				  KSSPI_CTX_REC_CREDSSP_INFO), 0);
		credssp_handshake_free(&h);
	}
}

/* Requested flags come back as the page says. */
static void test_flags(void)
{
	struct chs h = alice(0);

	setup();
	h.isc_req = ISC_REQ_CONNECTION | ISC_REQ_EXTENDED_ERROR |
		    ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY;
	h.asc_req = ASC_REQ_CONNECTION | ASC_REQ_EXTENDED_ERROR;
	credssp_handshake(&h);
	check_success(&h, 6, ISC_BASE | ISC_RET_CONNECTION |
		      ISC_RET_EXTENDED_ERROR | ISC_RET_MUTUAL_AUTH,
		      ASC_BASE | ASC_RET_CONNECTION | ASC_RET_EXTENDED_ERROR);
	credssp_handshake_free(&h);
}

static void run_first(uint32_t op, uint32_t req, const char *user,
		      const uint8_t *token, size_t len, struct reply *r)
{
	struct cside s = { .first = true, .op = op, .req = req, .user = user,
			   .password = T_PASSWORD, .target = TARGET };

	s.state = pkg_credssp.state_new();
	credssp_run_leg(&s, token, len, r);
	pkg_credssp.state_free(s.state);
}

/* The requests the package refuses before any TLS. */
static void test_refused_requests(void)
{
	static const uint8_t hello[] = { 22, 3, 1, 0, 1, 1 };
	struct reply r;

	setup();
	/* The accept page's table: ASC_REQ_DELEGATE, "PROMPT_FOR_CREDS" */
	run_first(KSSPI_OP_ACCEPT_CONTEXT, ASC_REQ_DELEGATE, NULL, hello,
		  sizeof(hello), &r);
	CHECK_EQ(r.status, SEC_E_UNSUPPORTED_FUNCTION);
	reply_clear(&r);
	run_first(KSSPI_OP_ACCEPT_CONTEXT, 0x40, NULL, hello, sizeof(hello),
		  &r);
	CHECK_EQ(r.status, SEC_E_UNSUPPORTED_FUNCTION);
	reply_clear(&r);
	/* Nothing yet: a record header at least */
	run_first(KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, NULL, 0, &r);
	CHECK_EQ(r.status, SEC_E_INCOMPLETE_MESSAGE);
	CHECK_EQ(r.input_missing, 5);
	reply_clear(&r);
	/* A client with no user, or an input token on its first call */
	run_first(KSSPI_OP_INIT_CONTEXT, 0, NULL, NULL, 0, &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	reply_clear(&r);
	run_first(KSSPI_OP_INIT_CONTEXT, 0, T_USER, hello, sizeof(hello), &r);
	CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
	reply_clear(&r);
	run_first(KSSPI_OP_INIT_CONTEXT, 0, T_USER, NULL, 0, &r);
	CHECK_EQ(r.status, SEC_I_CONTINUE_NEEDED);
	CHECK(r.token.len > 5 && r.token.data[0] == 22);	/* handshake */
	reply_clear(&r);

	/* A server without --credssp-cert */
	credssp_test_configure(-1, NULL);
	run_first(KSSPI_OP_ACCEPT_CONTEXT, 0, NULL, hello, sizeof(hello), &r);
	CHECK_EQ(r.status, SEC_E_NO_CREDENTIALS);
	reply_clear(&r);
	credssp_test_configure(0, NULL);
}

/* The TSCredentials the server received, decoded. */
static void check_delegated(const struct reply *s)
{
	struct ts_credentials creds = { 0 };
	struct bytes user16 = { 0 }, domain16 = { 0 }, password16 = { 0 };
	const uint8_t *v;
	uint32_t len = 0;

	v = rec(&s->blob, KSSPI_CTX_REC_CREDSSP_DELEGATED, &len);
	CHECK(v != NULL);
	if (!v)
		return;
	CHECK_EQ(ts_credentials_decode(v, len, &creds), 0);
	ntlm_utf8_to_utf16le(T_USER, strlen(T_USER), &user16);
	ntlm_utf8_to_utf16le(T_DOMAIN, strlen(T_DOMAIN), &domain16);
	ntlm_utf8_to_utf16le(T_PASSWORD, strlen(T_PASSWORD), &password16);
	CHECK_EQ(creds.cred_type, TS_CRED_PASSWORD);
	CHECK(creds.user.len == user16.len &&
	      memcmp(creds.user.data, user16.data, user16.len) == 0);
	CHECK(creds.domain.len == domain16.len &&
	      memcmp(creds.domain.data, domain16.data, domain16.len) == 0);
	CHECK(creds.password.len == password16.len &&
	      memcmp(creds.password.data, password16.data,
		     password16.len) == 0);
	ts_credentials_clear(&creds);
	bytes_free(&user16);
	bytes_free(&domain16);
	bytes_free(&password16);
}

/*
 * ISC_REQ_DELEGATE: Windows' defaults refuse NTLM-only delegation
 * (SEC_E_POLICY_NLTM_ONLY) and SPNs outside TERMSRV/ (SEC_E_DELEGATION_
 * POLICY); --credssp-delegate-ntlm-only lets the credentials go, and only
 * then does the server get them.
 */
static void test_delegation(void)
{
	static const char *const termsrv[] = { "TERMSRV/*", NULL };
	struct chs h;
	uint32_t v;

	setup();
	h = alice(0);
	h.isc_req = ISC_REQ_DELEGATE;
	credssp_handshake(&h);
	CHECK_EQ(chs_client(&h)->status, SEC_E_POLICY_NLTM_ONLY);
	/* The server never got to its last leg */
	CHECK(chs_server(&h)->status == SEC_I_CONTINUE_NEEDED);
	credssp_handshake_free(&h);

	credssp_test_configure(0, termsrv);
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v += 4) {
		h = alice(v);
		h.isc_req = ISC_REQ_DELEGATE;
		credssp_handshake(&h);
		check_success(&h, v, ISC_BASE | ISC_RET_DELEGATE,
			      ASC_BASE | ASC_RET_DELEGATE);
		check_delegated(chs_server(&h));
		credssp_handshake_free(&h);
	}

	/* Another service: in neither list */
	h = alice(0);
	h.isc_req = ISC_REQ_DELEGATE;
	h.target = "HTTP/srv.test.local";
	credssp_handshake(&h);
	CHECK_EQ(chs_client(&h)->status, SEC_E_DELEGATION_POLICY);
	credssp_handshake_free(&h);

	/* Without ISC_REQ_DELEGATE the policy is not asked: empty set */
	h = alice(0);
	h.target = "HTTP/srv.test.local";
	credssp_handshake(&h);
	CHECK_EQ(chs_client(&h)->status, SEC_E_OK);
	CHECK_EQ(chs_server(&h)->status, SEC_E_OK);
	CHECK_EQ(chs_server(&h)->context_attr & ASC_RET_DELEGATE, 0);
	CHECK(!rec(&chs_server(&h)->blob, KSSPI_CTX_REC_CREDSSP_DELEGATED,
		   NULL));
	credssp_handshake_free(&h);
	credssp_test_configure(0, NULL);
}

/* The policy's patterns and lists. */
static void test_policy(void)
{
	static const char *const both[] = { "TERMSRV/*.test.local",
					    "http/exact", NULL };

	CHECK(credssp_spn_matches("TERMSRV/*", "TERMSRV/host"));
	CHECK(credssp_spn_matches("TERMSRV/*", "termsrv/HOST.example.com"));
	CHECK(credssp_spn_matches("*", "anything/at-all"));
	CHECK(credssp_spn_matches("TERMSRV/*.example.com",
				  "TERMSRV/a.example.com"));
	CHECK(!credssp_spn_matches("TERMSRV/*.example.com",
				   "TERMSRV/a.example.org"));
	CHECK(!credssp_spn_matches("TERMSRV/*", "HTTP/host"));
	CHECK(!credssp_spn_matches("TERMSRV/host", "TERMSRV/host2"));
	CHECK(credssp_spn_matches("T*V/*t", "TERMSRV/host"));
	CHECK(!credssp_spn_matches("", "x"));

	credssp_test_configure(0, NULL);
	CHECK_EQ(credssp_delegation_check("TERMSRV/h", false), SEC_E_OK);
	CHECK_EQ(credssp_delegation_check("TERMSRV/h", true),
		 SEC_E_POLICY_NLTM_ONLY);
	CHECK_EQ(credssp_delegation_check("HTTP/h", false),
		 SEC_E_DELEGATION_POLICY);
	CHECK_EQ(credssp_delegation_check("HTTP/h", true),
		 SEC_E_DELEGATION_POLICY);
	CHECK_EQ(credssp_delegation_check(NULL, false),
		 SEC_E_DELEGATION_POLICY);
	credssp_test_configure(0, both);
	CHECK_EQ(credssp_delegation_check("TERMSRV/a.test.local", true),
		 SEC_E_OK);
	CHECK_EQ(credssp_delegation_check("HTTP/exact", true), SEC_E_OK);
	CHECK_EQ(credssp_delegation_check("TERMSRV/a.other", true),
		 SEC_E_POLICY_NLTM_ONLY);
	credssp_test_configure(0, NULL);
}

/* What a first negoToken selects, versions, NTSTATUS both ways. */
static void test_helpers(void)
{
	static const uint8_t ntlm[] = "NTLMSSP\0\1\0\0\0";
	/* framings only: 0x60, length, the mechanism's OID, a body byte */
	static const uint8_t spnego[] = { 0x60, 0x09, 0x06, 0x06, 0x2b, 0x06,
					  0x01, 0x05, 0x05, 0x02, 0xa0 };
	static const uint8_t krb5[] = { 0x60, 0x0c, 0x06, 0x09, 0x2a, 0x86,
					0x48, 0x86, 0xf7, 0x12, 0x01, 0x02,
					0x02, 0x01 };
	static const uint8_t truncated[] = { 0x60, 0x10 };
	const struct package *pkg = NULL;
	struct credssp_state st = { 0 };
	struct ts_request req = { 0 };

	CHECK_EQ(credssp_inner_for_token(ntlm, sizeof(ntlm), &pkg), SEC_E_OK);
	CHECK(pkg == &pkg_ntlm);
	CHECK_EQ(credssp_inner_for_token(spnego, sizeof(spnego), &pkg),
		 SEC_E_OK);
	CHECK(pkg == &pkg_negotiate);
	CHECK_EQ(credssp_inner_for_token(krb5, sizeof(krb5), &pkg), SEC_E_OK);
	CHECK(pkg == &pkg_kerberos);
	CHECK_EQ(credssp_inner_for_token(truncated, sizeof(truncated), &pkg),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(credssp_inner_for_token((const uint8_t *)"NTLMSSP", 7, &pkg),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(credssp_inner_for_token(ntlm, 0, &pkg), SEC_E_INVALID_TOKEN);

	req.version = 1;
	CHECK_EQ(credssp_check_version(&st, &req, 6), SEC_E_INVALID_TOKEN);
	req.version = 9;
	CHECK_EQ(credssp_check_version(&st, &req, 6), SEC_E_OK);
	CHECK_EQ(st.version, 6);
	CHECK_EQ(credssp_check_version(&st, &req, 6), SEC_E_OK);
	req.version = 6;
	CHECK_EQ(credssp_check_version(&st, &req, 6), SEC_E_INVALID_TOKEN);
	st = (struct credssp_state){ 0 };
	req.version = 3;
	CHECK_EQ(credssp_check_version(&st, &req, 6), SEC_E_OK);
	CHECK_EQ(st.version, 3);

	CHECK_EQ(credssp_status_from_ntstatus(0xC000006D), SEC_E_LOGON_DENIED);
	CHECK_EQ(credssp_status_from_ntstatus(0xC0000234), SEC_E_LOGON_DENIED);
	CHECK_EQ(credssp_status_from_ntstatus(0xC0000224), SEC_E_LOGON_DENIED);
	CHECK_EQ(credssp_status_from_ntstatus(0xC000000D),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(credssp_status_from_ntstatus(0xC00000BB),
		 SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ(credssp_status_from_ntstatus(0xC000005E),
		 SEC_E_NO_AUTHENTICATING_AUTHORITY);
	CHECK_EQ(credssp_status_from_ntstatus(SEC_E_WRONG_PRINCIPAL),
		 SEC_E_WRONG_PRINCIPAL);
	CHECK_EQ(credssp_ntstatus_from_status(SEC_E_LOGON_DENIED), 0xC000006D);
	CHECK_EQ(credssp_ntstatus_from_status(SEC_E_INVALID_TOKEN),
		 0xC000000D);
	CHECK_EQ(credssp_ntstatus_from_status(SEC_E_BAD_BINDINGS), 0xC000035B);
}

/*
 * A wrong password: from version 3 the server's failure carries an
 * errorCode (STATUS_LOGON_FAILURE), which the client turns into
 * SEC_E_LOGON_DENIED; version 2 has no errorCode.
 */
static void test_wrong_password(void)
{
	uint32_t v;

	setup();
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		struct chs h = alice(v);
		const struct reply *s;

		h.password = "wrong";
		credssp_handshake(&h);
		s = chs_server(&h);
		CHECK_EQ(s->status, SEC_E_LOGON_DENIED);
		CHECK(!s->blob.len && !s->has_context_attr);
		if (v >= 3) {
			CHECK(s->token.len > 0);
			CHECK(h.client_last > h.server_last);
			CHECK_EQ(chs_client(&h)->status, SEC_E_LOGON_DENIED);
		} else {
			CHECK_EQ(s->token.len, 0);
			CHECK(h.client_last < h.server_last);
		}
		credssp_handshake_free(&h);
	}
}

/* ---- the relay's edits ---- */

struct seen {
	bool error_code;
	uint32_t code;
};

static void watch(struct relay *m, bool from_client, unsigned int index,
		  struct ts_request *req)
{
	struct seen *seen = m->arg;

	(void)index;
	if (!from_client && req->has_error_code) {
		seen->error_code = true;
		seen->code = req->error_code;
	}
}

static void flip_server_pub_key_auth(struct relay *m, bool from_client,
				     unsigned int index,
				     struct ts_request *req)
{
	(void)m;
	(void)index;
	if (!from_client && req->pub_key_auth.len)
		req->pub_key_auth.data[req->pub_key_auth.len - 1] ^= 1;
}

static void swap_server_pub_key_auth_sig(struct relay *m, bool from_client,
					 unsigned int index,
					 struct ts_request *req)
{
	(void)m;
	(void)index;
	/* A pubKeyAuth of the right size that is not sealed by the peer */
	if (!from_client && req->pub_key_auth.len)
		memset(req->pub_key_auth.data, 0x41, req->pub_key_auth.len);
}

static void client_version_later(struct relay *m, bool from_client,
				 unsigned int index, struct ts_request *req)
{
	(void)m;
	if (from_client && index == 1)
		req->version = 5;
}

static void server_version_later(struct relay *m, bool from_client,
				 unsigned int index, struct ts_request *req)
{
	(void)m;
	if (!from_client && index == 1)
		req->version = 2;
}

static void drop_nonce(struct relay *m, bool from_client, unsigned int index,
		       struct ts_request *req)
{
	(void)m;
	(void)index;
	if (from_client && req->client_nonce.len)
		bytes_free(&req->client_nonce);
}

static void change_nonce(struct relay *m, bool from_client,
			 unsigned int index, struct ts_request *req)
{
	(void)m;
	(void)index;
	if (from_client && req->client_nonce.len)
		req->client_nonce.data[0] ^= 1;
}

static struct relay relay_alice(uint32_t version, int identity,
				void (*edit)(struct relay *, bool,
					     unsigned int,
					     struct ts_request *))
{
	struct relay m = { .identity = identity, .edit = edit };

	m.h = alice(version);
	return m;
}

/*
 * The relay itself: with the server's own key and no edit, the exchange
 * passes through it unchanged (the relay is sound); with its own key,
 * the client binds that key, which the server refuses.
 */
static void test_relay(void)
{
	struct relay m;
	uint32_t v;

	setup();
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		m = relay_alice(v, 0, NULL);
		credssp_relay(&m);
		/* Two TLS sessions, one on each side of the relay */
		check_success_of(&m.h, v, ISC_BASE, ASC_BASE, false);
		credssp_handshake_free(&m.h);

		m = relay_alice(v, 1, NULL);
		credssp_relay(&m);
		CHECK_EQ(chs_server(&m.h)->status, SEC_E_INVALID_TOKEN);
		CHECK_EQ(chs_server(&m.h)->token.len, 0);
		CHECK(m.h.client_last < m.h.server_last);
		credssp_handshake_free(&m.h);
	}
}

/* The errorCode on the wire is STATUS_LOGON_FAILURE. */
static void test_error_code(void)
{
	struct seen seen = { 0 };
	struct relay m = relay_alice(0, 0, watch);

	setup();
	m.arg = &seen;
	m.h.password = "wrong";
	credssp_relay(&m);
	CHECK(seen.error_code);
	CHECK_EQ(seen.code, 0xC000006D);
	CHECK_EQ(chs_client(&m.h)->status, SEC_E_LOGON_DENIED);
	credssp_handshake_free(&m.h);
}

/*
 * A locked-out account: STATUS_ACCOUNT_LOCKED_OUT on the wire (even with
 * the right password), SEC_E_LOGON_DENIED at the client.
 */
static void test_locked_out(void)
{
	struct ntlm_lockout_policy policy;
	struct ntlm_options o = { 0 };
	int attempt;

	ntlm_lockout_defaults(&policy);
	policy.threshold = 2;
	o.lockout = &policy;
	ntlm_test_server_setup_opts(&o);
	credssp_test_configure(0, NULL);
	for (attempt = 0; attempt < 3; attempt++) {
		struct seen seen = { 0 };
		struct relay m = relay_alice(0, 0, watch);

		m.arg = &seen;
		if (attempt < 2)
			m.h.password = "wrong";
		credssp_relay(&m);
		CHECK(seen.error_code);
		CHECK_EQ(seen.code, attempt < 2 ? 0xC000006D : 0xC0000234);
		CHECK_EQ(chs_client(&m.h)->status, SEC_E_LOGON_DENIED);
		credssp_handshake_free(&m.h);
	}
	setup();
}

/*
 * A target name the server is not (its NTLM SPNs, --ntlm-spn, name
 * another): the inner NTLM server's SEC_E_WRONG_PRINCIPAL is the server's
 * status, STATUS_LOGON_FAILURE goes on the wire, and the client, which
 * cannot tell this from a wrong password, gets SEC_E_LOGON_DENIED.  The
 * right target goes through.
 */
static void test_wrong_target(void)
{
	static const char *const spns[] = { TARGET };
	unsigned int i;

	ntlm_test_server_setup(false, spns, 1);
	credssp_test_configure(0, NULL);
	for (i = 0; i < 2; i++) {
		struct seen seen = { 0 };
		struct relay m = relay_alice(0, 0, watch);

		m.arg = &seen;
		if (i == 0)
			m.h.target = "TERMSRV/other.test.local";
		credssp_relay(&m);
		if (i == 0) {
			CHECK_EQ(chs_server(&m.h)->status,
				 SEC_E_WRONG_PRINCIPAL);
			CHECK(seen.error_code);
			CHECK_EQ(seen.code, 0xC000006D);
			CHECK_EQ(chs_client(&m.h)->status,
				 SEC_E_LOGON_DENIED);
		} else {
			CHECK(!seen.error_code);
			CHECK_EQ(chs_server(&m.h)->status, SEC_E_OK);
			CHECK_EQ(chs_client(&m.h)->status, SEC_E_OK);
		}
		credssp_handshake_free(&m.h);
	}
	setup();
}

/*
 * A server pubKeyAuth that does not verify: SEC_E_MUTUAL_AUTH_FAILED
 * with ISC_REQ_MUTUAL_AUTH, SEC_E_MESSAGE_ALTERED without; never SEC_E_OK.
 */
static void test_tampered_pub_key_auth(void)
{
	uint32_t v;

	setup();
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		struct relay m = relay_alice(v, 0, flip_server_pub_key_auth);

		credssp_relay(&m);
		CHECK_EQ(chs_client(&m.h)->status, SEC_E_MESSAGE_ALTERED);
		CHECK(!chs_client(&m.h)->blob.len);
		credssp_handshake_free(&m.h);

		m = relay_alice(v, 0, swap_server_pub_key_auth_sig);
		m.h.isc_req = ISC_REQ_MUTUAL_AUTH;
		credssp_relay(&m);
		CHECK_EQ(chs_client(&m.h)->status, SEC_E_MUTUAL_AUTH_FAILED);
		credssp_handshake_free(&m.h);
	}
}

/*
 * No version change after the first TSRequest, in either direction; from
 * version 5 the nonce must come with pubKeyAuth, and is bound by it.
 */
static void test_downgrade(void)
{
	struct relay m;

	setup();
	m = relay_alice(0, 0, client_version_later);
	credssp_relay(&m);
	CHECK_EQ(chs_server(&m.h)->status, SEC_E_INVALID_TOKEN);
	credssp_handshake_free(&m.h);

	m = relay_alice(0, 0, server_version_later);
	credssp_relay(&m);
	CHECK_EQ(chs_client(&m.h)->status, SEC_E_INVALID_TOKEN);
	credssp_handshake_free(&m.h);

	m = relay_alice(5, 0, drop_nonce);
	credssp_relay(&m);
	CHECK_EQ(chs_server(&m.h)->status, SEC_E_INVALID_TOKEN);
	credssp_handshake_free(&m.h);

	m = relay_alice(6, 0, change_nonce);
	credssp_relay(&m);
	CHECK_EQ(chs_server(&m.h)->status, SEC_E_INVALID_TOKEN);
	credssp_handshake_free(&m.h);
}

/*
 * Tokens that arrive in two parts: cut inside the first record, the leg
 * answers SEC_E_INCOMPLETE_MESSAGE with what is missing and changes
 * nothing; cut after whole records, it uses them and hands the rest back
 * (SECBUFFER_EXTRA).  Either way the handshake ends as if whole.
 */
static void test_split_input(void)
{
	static const size_t splits[] = { 1, 3, 5, 6, 40, 100, 300 };
	size_t i;

	setup();
	for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		struct chs h = alice(0);

		h.split = splits[i];
		credssp_handshake(&h);
		check_success(&h, 6, ISC_BASE, ASC_BASE);
		CHECK(h.incomplete + h.extra > 0);
		if (splits[i] < 5 + 1)
			CHECK(h.incomplete > 0);
		credssp_handshake_free(&h);
	}
}

/* The index in chs.r[] of the client's and the server's last legs */
static int last_client_leg(void)
{
	return tls_version == 0x0304 ? 6 : 8;
}

/*
 * A cut record: the exact count missing (the rest of the header, then the
 * rest of the record), nothing changed, then success with the whole
 * input; on the client's last leg and on the server's.
 */
static void test_incomplete_message(void)
{
	int legs[2] = { last_client_leg(), last_client_leg() + 1 };
	int k;

	setup();
	for (k = 0; k < 2; k++) {
		struct chs h = alice(0);
		size_t len;

		h.split_leg = legs[k];
		h.split = 3;
		credssp_handshake(&h);
		check_success(&h, 6, ISC_BASE, ASC_BASE);
		CHECK_EQ(h.count, (unsigned int)legs[1] + 1);
		CHECK_EQ(h.incomplete, 1);
		CHECK_EQ(h.missing[legs[k]], 2);
		credssp_handshake_free(&h);

		h = alice(0);
		h.split_leg = legs[k];
		h.split = 10;
		credssp_handshake(&h);
		check_success(&h, 6, ISC_BASE, ASC_BASE);
		/* One record: all but its first 10 bytes are missing */
		len = h.r[legs[k] - 1].token.len;
		CHECK_EQ(h.incomplete, 1);
		CHECK_EQ(h.missing[legs[k]], len - 10);
		CHECK_EQ(5 + (h.r[legs[k] - 1].token.data[3] << 8 |
			      h.r[legs[k] - 1].token.data[4]), len);
		credssp_handshake_free(&h);
	}
}

/*
 * Bytes after the last record the leg needs (here the start of the next
 * record) are handed back: SECBUFFER_EXTRA, on the last leg and on one
 * in the middle.
 */
static void test_surplus_input(void)
{
	static const uint8_t more[] = { 23, 3, 3 };
	int legs[2] = { last_client_leg() + 1, last_client_leg() - 2 };
	int k;

	setup();
	for (k = 0; k < 2; k++) {
		struct chs h = alice(0);

		h.surplus = more;
		h.surplus_len = sizeof(more);
		h.surplus_leg = legs[k];
		credssp_handshake(&h);
		check_success(&h, 6, ISC_BASE, ASC_BASE);
		CHECK_EQ(h.r[legs[k]].input_extra, sizeof(more));
		CHECK_EQ(h.r[legs[k] - 1].input_extra, 0);
		credssp_handshake_free(&h);
	}
}

/*
 * The client's first data in a record of its own right after authInfo,
 * in the same input: xfreerdp sends its MCS Connect Initial so, and a
 * server often reads both at once.  The server's last leg opens only the
 * records of authInfo and hands the next one back sealed
 * (SECBUFFER_EXTRA), its record layer exported at that record, so that
 * DecryptMessage or kTLS opens it next.
 */
static void test_data_after_last_tsrequest(void)
{
	/* X.224 Data TPDU, then the start of an MCS Connect Initial */
	static const uint8_t mcs[] = { 3, 0, 0, 12, 2, 0xf0, 0x80, 0x7f,
				       0x65, 0x82, 1, 0x94 };
	const struct ksspi_tls_state *tx;
	const uint8_t *srx;
	uint32_t v, len;

	setup();
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		struct relay m = relay_alice(v, 0, NULL);

		m.trailing = mcs;
		m.trailing_len = sizeof(mcs);
		m.trailing_after = 2;		/* authInfo */
		credssp_relay(&m);
		check_success_of(&m.h, v, ISC_BASE, ASC_BASE, false);
		CHECK(m.trailing_record_len > sizeof(mcs));
		CHECK_EQ(chs_server(&m.h)->input_extra, m.trailing_record_len);
		srx = rec(&chs_server(&m.h)->blob, KSSPI_CTX_REC_TLS_RX, &len);
		tx = &m.relay_state.tx;
		CHECK(srx && len == sizeof(*tx));
		if (srx && len == sizeof(*tx) && m.trailing_record_len) {
			CHECK(memcmp(srx, tx->key, sizeof(tx->key)) == 0);
			CHECK_EQ(get_le64(srx + offsetof(struct ksspi_tls_state,
							 seq)) + 1,
				 get_le64((const uint8_t *)&tx->seq));
		}
		credssp_handshake_free(&m.h);
	}
}

static uint32_t info(const struct reply *r)
{
	return r ? rec_le32(&r->blob, KSSPI_CTX_REC_CREDSSP_INFO) : 0xffffffffu;
}

/*
 * The client's session cache: the same target, process, logon session
 * and credential resume the TLS session (no certificate is sent: the
 * server's key comes from the cache and the configuration, and
 * pubKeyAuth still binds it); another process does not.
 */
static void test_resumption(void)
{
	uint32_t v;

	setup();
	for (v = TS_VERSION_MIN; v <= TS_VERSION_MAX; v++) {
		struct chs h = alice(v);

		h.pid = 300;
		credssp_handshake(&h);
		check_success(&h, v, ISC_BASE, ASC_BASE);
		CHECK_EQ(info(chs_client(&h)), v == TS_VERSION_MIN ? 0 :
			 KSSPI_CREDSSP_F_RESUMED);
		CHECK_EQ(info(chs_server(&h)), v == TS_VERSION_MIN ? 0 :
			 KSSPI_CREDSSP_F_RESUMED);
		CHECK_EQ(session_cache_count(), 1);
		credssp_handshake_free(&h);
	}

	/* Another process, another credential: a full handshake each */
	{
		struct chs h = alice(0);

		h.pid = 301;
		credssp_handshake(&h);
		check_success(&h, 6, ISC_BASE, ASC_BASE);
		CHECK_EQ(info(chs_client(&h)), 0);
		credssp_handshake_free(&h);
		h = alice(0);
		h.pid = 300;
		h.credential_id = 44;
		credssp_handshake(&h);
		check_success(&h, 6, ISC_BASE, ASC_BASE);
		CHECK_EQ(info(chs_client(&h)), 0);
		credssp_handshake_free(&h);
		CHECK_EQ(session_cache_count(), 3);
	}

	/* A failed handshake stores nothing */
	{
		struct chs h = alice(0);

		session_cache_clear();
		h.password = "wrong";
		credssp_handshake(&h);
		CHECK_EQ(chs_server(&h)->status, SEC_E_LOGON_DENIED);
		CHECK_EQ(session_cache_count(), 0);
		credssp_handshake_free(&h);
	}
}

/* One leg through request dispatch, as ksspid's workers run it. */
static void dispatch(struct session_table *t, uint64_t session_id,
		     uint32_t op, bool first, uint32_t req, const char *package,
		     const char *password, const uint8_t *token, size_t len,
		     struct reply *r)
{
	struct upcall up = { .op = op, .session_id = session_id,
			     .context_req = req, .uid = 1000, .pid = 4242 };

	up.package = strdup(package);
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_PACKAGE) |
		     UPCALL_BIT(KSSPI_A_SESSION_ID) | UPCALL_BIT(KSSPI_A_FLAGS) |
		     UPCALL_BIT(KSSPI_A_CONTEXT_REQ) | UPCALL_BIT(KSSPI_A_UID) |
		     UPCALL_BIT(KSSPI_A_PID);
	if (first) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
		if (op == KSSPI_OP_INIT_CONTEXT) {
			up.user = strdup(T_USER);
			up.domain = strdup(T_DOMAIN);
			bytes_append(&up.password, password, strlen(password));
			up.target_name = strdup(TARGET);
			up.present |= UPCALL_BIT(UPCALL_USER) |
				      UPCALL_BIT(UPCALL_DOMAIN) |
				      UPCALL_BIT(UPCALL_PASSWORD) |
				      UPCALL_BIT(KSSPI_A_TARGET_NAME);
		}
	}
	if (len) {
		bytes_append(&up.token, token, len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	request_handle(t, &up, r);
	upcall_free(&up);
}

/*
 * Through request dispatch: the package's name in any case; a leg that
 * answers SEC_E_INCOMPLETE_MESSAGE keeps its session; sessions end with
 * the handshake; the server's errorCode token reaches its caller only
 * with ASC_REQ_EXTENDED_ERROR.
 */
static void run_dispatch(bool wrong_password, uint32_t asc_req,
			 struct reply *client_last, struct reply *server_last)
{
	static const char *const names[2] = { "credssp", "CREDSSP" };
	struct session_table t;
	struct reply c, s = { 0 };
	bool first = true;
	int legs;

	session_table_init(&t);
	dispatch(&t, 1, KSSPI_OP_INIT_CONTEXT, true, 0, names[0],
		 wrong_password ? "wrong" : T_PASSWORD, NULL, 0, &c);
	for (legs = 0; legs < 10; legs++) {
		if ((c.status != SEC_I_CONTINUE_NEEDED &&
		     c.status != SEC_E_OK) || !c.token.len)
			break;
		reply_clear(&s);
		/* The first byte alone: nothing used, the session stays */
		dispatch(&t, 2, KSSPI_OP_ACCEPT_CONTEXT, first, asc_req,
			 names[1], NULL, c.token.data, 1, &s);
		CHECK_EQ(s.status, SEC_E_INCOMPLETE_MESSAGE);
		CHECK_EQ(s.input_missing, 4);
		CHECK_EQ(session_count(&t), c.status == SEC_E_OK ? 1 : 2);
		reply_clear(&s);
		dispatch(&t, 2, KSSPI_OP_ACCEPT_CONTEXT, first, asc_req,
			 names[1], NULL, c.token.data, c.token.len, &s);
		first = false;
		if (s.status == SEC_E_OK || !s.token.len)
			break;
		reply_clear(&c);
		dispatch(&t, 1, KSSPI_OP_INIT_CONTEXT, false, 0, names[0],
			 NULL, s.token.data, s.token.len, &c);
	}
	*client_last = c;
	*server_last = s;
	/* Only a client that heard nothing back still waits */
	CHECK_EQ(session_count(&t), c.status == SEC_I_CONTINUE_NEEDED);
	session_table_destroy(&t);
}

static void test_dispatch(void)
{
	struct reply c, s;

	setup();
	run_dispatch(false, 0, &c, &s);
	CHECK_EQ(c.status, SEC_E_OK);
	CHECK_EQ(s.status, SEC_E_OK);
	CHECK(c.blob.len && s.blob.len);
	reply_clear(&c);
	reply_clear(&s);

	run_dispatch(true, ASC_REQ_EXTENDED_ERROR, &c, &s);
	CHECK_EQ(s.status, SEC_E_LOGON_DENIED);
	CHECK(s.token.len > 0 && !s.blob.len);
	CHECK_EQ(c.status, SEC_E_LOGON_DENIED);
	reply_clear(&c);
	reply_clear(&s);

	run_dispatch(true, 0, &c, &s);
	CHECK_EQ(s.status, SEC_E_LOGON_DENIED);
	CHECK_EQ(s.token.len, 0);
	CHECK_EQ(c.status, SEC_I_CONTINUE_NEEDED);
	reply_clear(&c);
	reply_clear(&s);
}

/*
 * A server that asks for a client certificate (ASC_REQ_MUTUAL_AUTH, its
 * own certificate as the CA): a client without one stops with
 * SEC_I_INCOMPLETE_CREDENTIALS, no token, and the CA's name.
 */
static void test_client_certificate(void)
{
	struct credssp_options o = { .cert_file = credssp_test_cert(0),
				     .key_file = credssp_test_key(0),
				     .client_ca_file = credssp_test_cert(0) };
	struct chs h = alice(0);
	const struct reply *c;

	CHECK_EQ(credssp_config_setup(&o), 0);
	h.asc_req |= ASC_REQ_MUTUAL_AUTH;
	credssp_handshake(&h);
	c = chs_client(&h);
	CHECK(c != NULL);
	if (c) {
		CHECK_EQ(c->status, SEC_I_INCOMPLETE_CREDENTIALS);
		CHECK_EQ(c->token.len, 0);
		CHECK(c->issuers.len > 2 &&
		      (size_t)(c->issuers.data[0] << 8 | c->issuers.data[1]) ==
			      c->issuers.len - 2);
	}
	credssp_handshake_free(&h);
	setup();
}

/*
 * The client's inner form: raw NTLM by default (the server runs its NTLM
 * package), SPNEGO-wrapped NTLM, as mstsc sends it, for an SPN listed in
 * --credssp-spnego-ntlm (the server runs Negotiate, which chooses NTLM,
 * with mechListMICs): both complete, the second one more round trip.
 */
static void test_client_inner_form(void)
{
	struct credssp_options o = { .cert_file = credssp_test_cert(0),
				     .key_file = credssp_test_key(0) };
	struct credssp_state *server;
	struct chs h = alice(0);
	unsigned int raw_legs;

	setup();
	credssp_handshake(&h);
	check_success(&h, 6, ISC_BASE, ASC_BASE);
	server = h.s.state;
	CHECK(server && server->inner_pkg == &pkg_ntlm);
	raw_legs = h.c.legs;
	credssp_handshake_free(&h);

	o.spnego_ntlm[o.spnego_ntlm_count++] = "TERMSRV/*.test.local";
	CHECK_EQ(credssp_config_setup(&o), 0);
	CHECK_EQ(credssp_client_inner_for(TARGET), CREDSSP_INNER_SPNEGO_NTLM);
	CHECK_EQ(credssp_client_inner_for("TERMSRV/other.example"),
		 CREDSSP_INNER_DEFAULT);
	CHECK_EQ(credssp_client_inner_for(NULL), CREDSSP_INNER_DEFAULT);
	h = alice(0);
	credssp_handshake(&h);
	/* one more TSRequest each way: the mechListMICs */
	check_success_of(&h, 6, ISC_BASE, ASC_BASE, false);
	{
		const uint8_t *ctx, *srx;
		uint32_t len, n;

		ctx = rec(&chs_client(&h)->blob, KSSPI_CTX_REC_TLS_TX, &len);
		srx = rec(&chs_server(&h)->blob, KSSPI_CTX_REC_TLS_RX, &n);
		CHECK(ctx && srx && n == len && !memcmp(ctx, srx, len));
		if (ctx)
			CHECK_EQ(get_le64(ctx + offsetof(struct ksspi_tls_state,
							 seq)),
				 tls_version == 0x0304 ? 4 : 5);
	}
	server = h.s.state;
	CHECK(server && server->inner_pkg == &pkg_negotiate);
	CHECK(rec_str(&chs_server(&h)->blob, KSSPI_CTX_REC_CREDSSP_INNER,
		      "NTLM"));
	CHECK_EQ(h.c.legs, raw_legs + 1);
	credssp_handshake_free(&h);

	/* raw Kerberos wins over SPNEGO; its own run needs a realm */
	o.raw_kerberos[o.raw_kerberos_count++] = "TERMSRV/srv.*";
	CHECK_EQ(credssp_config_setup(&o), 0);
	CHECK_EQ(credssp_client_inner_for(TARGET),
		 CREDSSP_INNER_RAW_KERBEROS);
	setup();
}

const struct test_case credssp_tests[] = {
	{ "credssp: a server asks for a client certificate",
	  test_client_certificate },
	{ "credssp: through request dispatch", test_dispatch },
	{ "credssp: the client's inner form, raw or SPNEGO-wrapped NTLM",
	  test_client_inner_form },
	{ "credssp: TLS session cache and resumption", test_resumption },
	{ "credssp: helpers: inner package, versions, NTSTATUS",
	  test_helpers },
	{ "credssp: delegation policy patterns and lists", test_policy },
	{ "credssp: handshakes at TSRequest versions 2 to 6", test_versions },
	{ "credssp: context attributes as requested", test_flags },
	{ "credssp: requests refused before TLS", test_refused_requests },
	{ "credssp: delegation: policy, credentials arrive",
	  test_delegation },
	{ "credssp: wrong password: errorCode, SEC_E_LOGON_DENIED",
	  test_wrong_password },
	{ "credssp: relay: sound, and a relay's own key is refused",
	  test_relay },
	{ "credssp: errorCode on the wire", test_error_code },
	{ "credssp: a locked-out account's errorCode", test_locked_out },
	{ "credssp: wrong target name: SEC_E_WRONG_PRINCIPAL, errorCode",
	  test_wrong_target },
	{ "credssp: tampered server pubKeyAuth",
	  test_tampered_pub_key_auth },
	{ "credssp: version changes and nonces refused", test_downgrade },
	{ "credssp: tokens in two parts", test_split_input },
	{ "credssp: incomplete input: missing count, then success",
	  test_incomplete_message },
	{ "credssp: surplus input: SECBUFFER_EXTRA", test_surplus_input },
	{ "credssp: data after authInfo stays sealed: SECBUFFER_EXTRA",
	  test_data_after_last_tsrequest },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	static const struct test_case *const suites[] = {
		credssp_tests,
		NULL,
	};
	int status;

	if (argc > 1 && strcmp(argv[1], "tls1.2") == 0) {
		/* Only meaningful with TLS 1.3 disabled by the environment */
		if (!getenv("GNUTLS_SYSTEM_PRIORITY_FILE")) {
			fprintf(stderr, "test_credssp tls1.2: set GNUTLS_SYSTEM_PRIORITY_FILE\n");
			return EXIT_FAILURE;
		}
		tls_version = 0x0303;
	}
	log_setup(LOG_TO_STDERR, false);
	if (credssp_test_make_identities()) {
		fprintf(stderr, "test_credssp: cannot make test certificates\n");
		credssp_test_remove_identities();
		return EXIT_FAILURE;
	}
	status = tap_run(suites);
	credssp_test_remove_identities();
	credssp_config_cleanup();
	ntlm_config_cleanup();
	return status;
}
