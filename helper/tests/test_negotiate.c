// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the Negotiate package (TAP): both sides in one process,
 * and MIT's own SPNEGO as the peer, inside the MIT realm of
 * tests/kerberos/run-in-realm (KRB5_CONFIG and KRB5_KTNAME set, the
 * keytab's path as argv[1]), with the NTLM server of ntlm_harness.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "ntlm/crypto.h"
#include "ntlm/ntlm.h"
#include "ntlm/userdb.h"
#include "spnego/kdc_memory.h"
#include "spnego/negotiate.h"
#include "spnego/token.h"
#include "tests/ntlm_harness.h"
#include "tests/tap.h"
#include "tests/util.h"

#define KRB5_TARGET	"host/srv.test.local"
#define REQ (ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY | \
	     ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT)

static const char *keytab_path;

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
static gss_OID_desc krb5_oid = {
	9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};

struct side {
	const struct package *pkg;
	void *state;
	bool initiator;
	uint32_t req;
	const char *user, *domain, *password, *target;
	uint32_t uid;		/* the caller; 0: root */
	int legs;
	struct reply r;
};

static void side_init(struct side *s, const struct package *pkg,
		      bool initiator, uint32_t req)
{
	*s = (struct side){ .pkg = pkg, .initiator = initiator, .req = req };
	s->state = pkg->state_new();
	if (!s->state)
		abort();
}

static void side_free(struct side *s)
{
	s->pkg->state_free(s->state);
	reply_clear(&s->r);
}

/* One leg of @s on @in (NULL: none); the answer in s->r. */
static void leg(struct side *s, const struct bytes *in)
{
	struct upcall up = {
		.op = s->initiator ? KSSPI_OP_INIT_CONTEXT :
				     KSSPI_OP_ACCEPT_CONTEXT,
		.context_req = s->req,
		.package = (char *)s->pkg->name,
		.uid = s->uid,
	};

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_FLAGS);
	if (!s->legs++) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
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
	if (in && in->len) {
		bytes_append(&up.token, in->data, in->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	reply_clear(&s->r);
	s->r = (struct reply){ 0 };
	s->pkg->step(s->state, &up, &s->r);
	up.package = NULL;
	upcall_free(&up);
}

static bool more(uint32_t status)
{
	return status == SEC_I_CONTINUE_NEEDED;
}

/*
 * Legs back and forth until neither side has more to do; the number of
 * legs run.  A side that ends with SEC_E_OK and a token hands it over.
 */
static int converse(struct side *c, struct side *s)
{
	struct bytes token = {};
	int legs = 0;

	leg(c, NULL);
	legs++;
	for (;;) {
		struct side *to = legs % 2 ? s : c;
		struct side *from = legs % 2 ? c : s;

		if (!more(from->r.status) &&
		    !(from->r.status == SEC_E_OK && from->r.token.len))
			break;
		if (!from->r.token.len)
			break;
		bytes_free(&token);
		bytes_append(&token, from->r.token.data, from->r.token.len);
		leg(to, &token);
		legs++;
		if (to->r.status & 0x80000000u || legs > 8)
			break;
	}
	bytes_free(&token);
	return legs;
}

static const uint8_t *record(const struct reply *r, uint16_t type,
			     uint32_t *len)
{
	const uint8_t *v;

	if (ctxblob_find(r->blob.data, r->blob.len, type, &v, len))
		return NULL;
	return v;
}

static bool record_is(const struct reply *r, uint16_t type, const char *s)
{
	uint32_t len;
	const uint8_t *v = record(r, type, &len);

	return v && len == strlen(s) && !memcmp(v, s, len);
}

static uint64_t record_le64(const struct reply *r, uint16_t type)
{
	uint32_t len;
	const uint8_t *v = record(r, type, &len);

	return v && len == 8 ? get_le64(v) : ~(uint64_t)0;
}

/*
 * A Negotiate context of @mech: the header's name, NEGO_MECH as the first
 * record, and the inner package's records after it.
 */
static void check_nego_blob(const struct reply *r, const char *mech)
{
	const struct ksspi_ctx_header *hdr = (const void *)r->blob.data;
	const struct ksspi_ctx_record *rec;

	CHECK(r->blob.len > sizeof(*hdr) + sizeof(*rec));
	if (r->blob.len <= sizeof(*hdr) + sizeof(*rec))
		return;
	CHECK(!strcmp(hdr->package, NEGOTIATE_PACKAGE_NAME));
	rec = (const void *)(r->blob.data + sizeof(*hdr));
	CHECK_EQ(get_le16((const uint8_t *)&rec->type),
		 KSSPI_CTX_REC_NEGO_MECH);
	CHECK(record_is(r, KSSPI_CTX_REC_NEGO_MECH, mech));
	CHECK(blob_well_formed(&r->blob));
}

static bool same_session_key(const struct reply *a, const struct reply *b)
{
	uint32_t alen, blen;
	const uint8_t *ka = record(a, KSSPI_CTX_REC_SESSION_KEY, &alen);
	const uint8_t *kb = record(b, KSSPI_CTX_REC_SESSION_KEY, &blen);

	return ka && kb && alen == blen && !memcmp(ka, kb, alen);
}

static void decode(const struct bytes *der, struct spnego_token *t)
{
	*t = (struct spnego_token){ 0 };
	CHECK_EQ(spnego_token_decode(der->data, der->len, t), 0);
}

static void krb5_client(struct side *c, uint32_t req)
{
	side_init(c, &pkg_negotiate, true, req);
	c->user = "alice";
	c->domain = "test.local";
	c->password = "Passw0rd!";
	c->target = KRB5_TARGET;
}

static void test_krb5_mutual(void)
{
	struct side c, s;
	struct spnego_token t;

	krb5_client(&c, REQ | ISC_REQ_MUTUAL_AUTH);
	side_init(&s, &pkg_negotiate, false, 0);
	leg(&c, NULL);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&c.r.token, &t);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_INIT);
	CHECK_EQ(t.mech_count, 3);
	CHECK_EQ(t.mechs[0], SPNEGO_MECH_MS_KRB5);
	CHECK_EQ(t.mechs[1], SPNEGO_MECH_KRB5);
	CHECK_EQ(t.mechs[2], SPNEGO_MECH_NTLM);
	CHECK(t.mech_token.len > 0);
	spnego_token_clear(&t);

	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_E_OK);
	decode(&s.r.token, &t);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_RESP);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_ACCEPT_COMPLETED);
	CHECK(t.has_supported_mech &&
	      t.supported_mech == SPNEGO_MECH_MS_KRB5);
	CHECK(t.response_token.len > 0);	/* the AP-REP */
	CHECK_EQ(t.mech_list_mic.len, 0);
	spnego_token_clear(&t);

	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_E_OK);
	CHECK_EQ(c.r.token.len, 0);
	check_nego_blob(&c.r, "Kerberos");
	check_nego_blob(&s.r, "Kerberos");
	CHECK(same_session_key(&c.r, &s.r));
	CHECK(c.r.context_attr & ISC_RET_MUTUAL_AUTH);
	CHECK_EQ(record_le64(&c.r, KSSPI_CTX_REC_SEND_SEQ),
		 record_le64(&s.r, KSSPI_CTX_REC_RECV_SEQ));
	CHECK_EQ(record_le64(&s.r, KSSPI_CTX_REC_SEND_SEQ),
		 record_le64(&c.r, KSSPI_CTX_REC_RECV_SEQ));
	side_free(&c);
	side_free(&s);
}

static void test_krb5_one_leg(void)
{
	struct side c, s;

	krb5_client(&c, REQ);
	side_init(&s, &pkg_negotiate, false, 0);
	CHECK_EQ(converse(&c, &s), 3);
	CHECK_EQ(s.r.status, SEC_E_OK);
	CHECK_EQ(c.r.status, SEC_E_OK);
	check_nego_blob(&c.r, "Kerberos");
	check_nego_blob(&s.r, "Kerberos");
	CHECK(same_session_key(&c.r, &s.r));
	side_free(&c);
	side_free(&s);
}

static void ntlm_users(void)
{
	char text[512] = "", line[160], err[128];
	struct ntlm_userdb *db;
	uint8_t hash[16];

	ntlm_test_server_setup(false, NULL, 0);
	/* alice of TESTDOM, and of the realm for the counter-proposal */
	if (ntlm_nt_hash(T_PASSWORD, strlen(T_PASSWORD), hash) ||
	    ntlm_userdb_format_line(line, sizeof(line), T_DOMAIN, T_USER,
				    hash))
		abort();
	strcat(text, line);
	if (ntlm_userdb_format_line(line, sizeof(line), "test.local", T_USER,
				    hash))
		abort();
	strcat(text, line);
	if (ntlm_userdb_parse(text, strlen(text), &db, err, sizeof(err)))
		abort();
	ntlm_config_set_userdb(db);
}

static void ntlm_client(struct side *c)
{
	side_init(c, &pkg_negotiate, true, REQ);
	c->user = T_USER;
	c->domain = T_DOMAIN;
	c->password = T_PASSWORD;
	c->target = "host/srv.test.local";
}

static void test_ntlm(void)
{
	struct side c, s;
	struct spnego_token t;

	ntlm_users();
	spnego_kdc_memory_clear();
	ntlm_client(&c);
	side_init(&s, &pkg_negotiate, false, 0);
	/* TESTDOM has no KDC: straight to NTLM, and remembered */
	leg(&c, NULL);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&c.r.token, &t);
	CHECK_EQ(t.mech_count, 1);
	CHECK_EQ(t.mechs[0], SPNEGO_MECH_NTLM);
	CHECK(t.mech_token.len > 8 && !memcmp(t.mech_token.data, "NTLMSSP", 8));
	spnego_token_clear(&t);

	leg(&s, &c.r.token);		/* CHALLENGE */
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&s.r.token, &t);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_ACCEPT_INCOMPLETE);
	CHECK(t.has_supported_mech && t.supported_mech == SPNEGO_MECH_NTLM);
	spnego_token_clear(&t);

	leg(&c, &s.r.token);		/* AUTHENTICATE and our MIC */
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&c.r.token, &t);
	CHECK(t.response_token.len > 0);
	CHECK_EQ(t.mech_list_mic.len, 16);
	spnego_token_clear(&t);

	leg(&s, &c.r.token);		/* the acceptor's MIC */
	CHECK_EQ(s.r.status, SEC_E_OK);
	decode(&s.r.token, &t);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_ACCEPT_COMPLETED);
	CHECK_EQ(t.mech_list_mic.len, 16);
	spnego_token_clear(&t);

	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_E_OK);
	CHECK_EQ(c.r.token.len, 0);
	check_nego_blob(&c.r, "NTLM");
	check_nego_blob(&s.r, "NTLM");
	CHECK(same_session_key(&c.r, &s.r));
	/*
	 * The crypto reset: RC4 from the keys again (no RC4 records), the
	 * sequence numbers past each side's MIC
	 */
	CHECK_EQ(record_le64(&c.r, KSSPI_CTX_REC_SEND_SEQ), 1);
	CHECK_EQ(record_le64(&c.r, KSSPI_CTX_REC_RECV_SEQ), 1);
	CHECK_EQ(record_le64(&s.r, KSSPI_CTX_REC_SEND_SEQ), 1);
	CHECK_EQ(record_le64(&s.r, KSSPI_CTX_REC_RECV_SEQ), 1);
	{
		uint32_t len;

		CHECK(!record(&c.r, KSSPI_CTX_REC_NTLM_RC4_OUT, &len));
		CHECK(!record(&s.r, KSSPI_CTX_REC_NTLM_RC4_IN, &len));
	}
	side_free(&c);
	side_free(&s);
}

static void test_kdc_memory(void)
{
	struct side c;
	struct timespec now;

	spnego_kdc_memory_clear();
	ntlm_client(&c);
	leg(&c, NULL);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* the test's legs run as root, not as the kernel */
	CHECK(spnego_kdc_recently_failed(0, T_DOMAIN, now.tv_sec));
	CHECK(!spnego_kdc_recently_failed(1000, T_DOMAIN, now.tv_sec));
	side_free(&c);
	/* A realm with a KDC is forgotten when it answers */
	spnego_kdc_failed(0, "TEST.LOCAL", now.tv_sec);
	side_init(&c, &pkg_negotiate, true, REQ);
	c.user = "alice";
	c.domain = "test.local";
	c.password = "Passw0rd!";
	c.target = KRB5_TARGET;
	leg(&c, NULL);
	/* ... but not while it is remembered: NTLM without asking the KDC */
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	{
		struct spnego_token t;

		decode(&c.r.token, &t);
		CHECK_EQ(t.mech_count, 1);
		CHECK_EQ(t.mechs[0], SPNEGO_MECH_NTLM);
		spnego_token_clear(&t);
	}
	side_free(&c);
	spnego_kdc_memory_clear();
}

/* Datagrams waiting on @fd, taken off it. */
static int datagrams(int fd)
{
	uint8_t buf[4096];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A KDC that never answers (a UDP socket nobody reads): the first
 * handshake pays MIT's timeout and falls back to NTLM; the next ones do
 * not ask it at all (no datagram reaches it) and fall back at once.  The
 * times are printed, not asserted.
 */
static void test_blackhole_kdc(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sa_len = sizeof(sa);
	char conf[256], path[] = "/tmp/ksspi-blackhole-XXXXXX";
	char *saved = strdup(getenv("KRB5_CONFIG"));
	struct timespec t0;
	struct side c;
	int fd, i, tmp;
	FILE *f;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	tmp = mkstemp(path);
	CHECK(fd >= 0 && tmp >= 0 && saved);
	if (fd < 0 || tmp < 0 || !saved)
		goto out;
	CHECK(!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	      !getsockname(fd, (struct sockaddr *)&sa, &sa_len));
	f = fdopen(tmp, "w");
	tmp = -1;
	if (!f)
		goto out;
	fprintf(f, "[realms]\n\tBLACKHOLE.TEST = {\n\t\tkdc = 127.0.0.1:%u\n"
		"\t}\n", ntohs(sa.sin_port));
	fclose(f);
	snprintf(conf, sizeof(conf), "%s:%s", saved, path);
	setenv("KRB5_CONFIG", conf, 1);
	spnego_kdc_memory_clear();
	for (i = 0; i < 3; i++) {
		struct spnego_token t;

		side_init(&c, &pkg_negotiate, true, REQ);
		c.user = "alice";
		c.domain = "BLACKHOLE.TEST";
		c.password = T_PASSWORD;
		c.target = KRB5_TARGET;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		leg(&c, NULL);
		printf("# handshake %d: first leg after %.3f s\n", i + 1,
		       seconds_since(&t0));
		CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
		decode(&c.r.token, &t);
		CHECK(t.mech_count == 1 && t.mechs[0] == SPNEGO_MECH_NTLM);
		spnego_token_clear(&t);
		if (i == 0)
			CHECK(datagrams(fd) > 0);
		else
			CHECK_EQ(datagrams(fd), 0);
		side_free(&c);
	}
out:
	if (saved)
		setenv("KRB5_CONFIG", saved, 1);
	spnego_kdc_memory_clear();
	unlink(path);
	if (fd >= 0)
		close(fd);
	free(saved);
}

static void test_raw_ntlm(void)
{
	struct side c, s;

	ntlm_users();
	side_init(&c, &pkg_ntlm, true, REQ);
	c.user = T_USER;
	c.domain = T_DOMAIN;
	c.password = T_PASSWORD;
	side_init(&s, &pkg_negotiate, false, 0);
	/* NEGOTIATE, CHALLENGE, AUTHENTICATE (the client's SEC_E_OK), done */
	CHECK_EQ(converse(&c, &s), 4);
	CHECK_EQ(s.r.status, SEC_E_OK);
	CHECK_EQ(c.r.status, SEC_E_OK);
	check_nego_blob(&s.r, "NTLM");
	CHECK(!strcmp(((struct ksspi_ctx_header *)c.r.blob.data)->package,
		      "NTLM"));
	CHECK(same_session_key(&c.r, &s.r));
	side_free(&c);
	side_free(&s);
}

static void test_raw_krb5(void)
{
	struct side c, s;

	side_init(&c, &pkg_kerberos, true, REQ | ISC_REQ_MUTUAL_AUTH);
	c.user = "alice";
	c.domain = "test.local";
	c.password = "Passw0rd!";
	c.target = KRB5_TARGET;
	side_init(&s, &pkg_negotiate, false, 0);
	CHECK_EQ(converse(&c, &s), 3);
	CHECK_EQ(s.r.status, SEC_E_OK);
	CHECK_EQ(c.r.status, SEC_E_OK);
	check_nego_blob(&s.r, "Kerberos");
	CHECK(same_session_key(&c.r, &s.r));
	side_free(&c);
	side_free(&s);
}

static void test_init2(void)
{
	struct side c, s;
	struct spnego_token t;

	side_init(&s, &pkg_negotiate, false, 0);
	leg(&s, NULL);
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&s.r.token, &t);
	CHECK(t.kind == SPNEGO_TOKEN_INIT && t.has_neg_hints);
	CHECK_EQ(t.mech_count, 3);
	CHECK_EQ(t.mechs[0], SPNEGO_MECH_MS_KRB5);
	spnego_token_clear(&t);
	/* The initiator starts from the acceptor's hints */
	krb5_client(&c, REQ | ISC_REQ_MUTUAL_AUTH);
	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_E_OK);
	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_E_OK);
	CHECK(same_session_key(&c.r, &s.r));
	side_free(&c);
	side_free(&s);
}

/*
 * The keytab is root's and the kernel's only: a user's acceptor offers
 * NTLM alone in its negTokenInit2, and answers an optimistic AP-REQ with
 * a counter-proposal of NTLM, although the keytab has keys.
 */
static void test_user_acceptor_no_keytab(void)
{
	struct side c, s;
	struct spnego_token t;

	side_init(&s, &pkg_negotiate, false, 0);
	s.uid = 1000;
	leg(&s, NULL);
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&s.r.token, &t);
	CHECK(t.kind == SPNEGO_TOKEN_INIT && t.has_neg_hints);
	CHECK(t.mech_count == 1 && t.mechs[0] == SPNEGO_MECH_NTLM);
	spnego_token_clear(&t);
	side_free(&s);

	krb5_client(&c, REQ | ISC_REQ_MUTUAL_AUTH);
	side_init(&s, &pkg_negotiate, false, 0);
	s.uid = 1000;
	leg(&c, NULL);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&s.r.token, &t);
	CHECK(t.has_supported_mech && t.supported_mech == SPNEGO_MECH_NTLM);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_REQUEST_MIC);
	CHECK_EQ(t.response_token.len, 0);
	spnego_token_clear(&t);
	side_free(&c);
	side_free(&s);
}

/*
 * An acceptor without Kerberos keys answers an optimistic AP-REQ with
 * NTLM and request-mic; both sides then exchange MICs.
 */
static void test_counter_proposal(void)
{
	struct side c, s;
	struct spnego_token t;

	ntlm_users();
	krb5_client(&c, REQ | ISC_REQ_MUTUAL_AUTH);
	side_init(&s, &pkg_negotiate, false, 0);
	kerberos_config_setup("FILE:/nonexistent/keytab");
	leg(&c, NULL);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&s.r.token, &t);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_REQUEST_MIC);
	CHECK(t.has_supported_mech && t.supported_mech == SPNEGO_MECH_NTLM);
	CHECK_EQ(t.response_token.len, 0);
	spnego_token_clear(&t);
	leg(&c, &s.r.token);		/* NEGOTIATE */
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	leg(&s, &c.r.token);		/* CHALLENGE */
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	leg(&c, &s.r.token);		/* AUTHENTICATE + MIC */
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_E_OK);
	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_E_OK);
	check_nego_blob(&c.r, "NTLM");
	check_nego_blob(&s.r, "NTLM");
	CHECK(same_session_key(&c.r, &s.r));
	kerberos_config_setup(keytab_path);
	side_free(&c);
	side_free(&s);
}

/* Flips a byte of the mechListMIC of the negTokenResp in @token. */
static void tamper_mic(struct bytes *token)
{
	struct spnego_token t;
	struct bytes out = {};

	decode(token, &t);
	CHECK(t.mech_list_mic.len > 0);
	if (t.mech_list_mic.len)
		t.mech_list_mic.data[t.mech_list_mic.len - 1] ^= 1;
	CHECK_EQ(spnego_resp_encode(t.has_neg_state ? (int)t.neg_state : -1,
				    t.has_supported_mech ? t.supported_mech :
				    SPNEGO_MECH_OTHER, &t.response_token,
				    &t.mech_list_mic, &out), 0);
	bytes_free(token);
	*token = out;
	spnego_token_clear(&t);
}

static void test_hostile(void)
{
	static const uint8_t junk[] = { 0x60, 0x03, 0x06, 0x01, 0x00 };
	struct bytes in = {};
	struct side c, s;

	ntlm_users();
	/* A bad MIC with the AUTHENTICATE */
	ntlm_client(&c);
	side_init(&s, &pkg_negotiate, false, 0);
	leg(&c, NULL);
	leg(&s, &c.r.token);
	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	tamper_mic(&c.r.token);
	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_E_MESSAGE_ALTERED);
	CHECK_EQ(s.r.blob.len, 0);
	side_free(&c);
	side_free(&s);

	/* ... and the acceptor's */
	ntlm_client(&c);
	side_init(&s, &pkg_negotiate, false, 0);
	leg(&c, NULL);
	leg(&s, &c.r.token);
	leg(&c, &s.r.token);
	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_E_OK);
	tamper_mic(&s.r.token);
	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_E_MESSAGE_ALTERED);
	CHECK_EQ(c.r.blob.len, 0);
	side_free(&c);
	side_free(&s);

	/* Framing of another OID, a negTokenResp first, nothing useful */
	side_init(&s, &pkg_negotiate, false, 0);
	bytes_append(&in, junk, sizeof(junk));
	leg(&s, &in);
	CHECK_EQ(s.r.status, SEC_E_INVALID_TOKEN);
	side_free(&s);
	bytes_free(&in);

	side_init(&s, &pkg_negotiate, false, 0);
	CHECK_EQ(spnego_resp_encode(SPNEGO_ACCEPT_INCOMPLETE, SPNEGO_MECH_NTLM,
				    &in, &in, &in), 0);
	{
		struct bytes resp = in;

		in = (struct bytes){};
		leg(&s, &resp);
		CHECK_EQ(s.r.status, SEC_E_INVALID_TOKEN);
		bytes_free(&resp);
	}
	side_free(&s);

	/* An acceptor choosing what was not offered */
	ntlm_client(&c);
	leg(&c, NULL);
	CHECK_EQ(spnego_resp_encode(SPNEGO_ACCEPT_INCOMPLETE, SPNEGO_MECH_KRB5,
				    &in, &in, &in), 0);
	{
		struct bytes resp = in;

		in = (struct bytes){};
		leg(&c, &resp);
		CHECK_EQ(c.r.status, SEC_E_INVALID_TOKEN);
		bytes_free(&resp);
	}
	side_free(&c);
}

/* alice's credentials for MIT's @mech, from her password */
static gss_cred_id_t mit_alice_cred(gss_OID mech)
{
	gss_buffer_desc name = { strlen("alice@TEST.LOCAL"),
				 (void *)"alice@TEST.LOCAL" };
	gss_buffer_desc pw = { strlen("Passw0rd!"), (void *)"Passw0rd!" };
	gss_OID_set_desc mechs = { 1, mech };
	gss_name_t n = GSS_C_NO_NAME;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	OM_uint32 major, minor;

	major = gss_import_name(&minor, &name, GSS_KRB5_NT_PRINCIPAL_NAME, &n);
	if (!GSS_ERROR(major))
		major = gss_acquire_cred_with_password(&minor, n, &pw, 0,
						       &mechs, GSS_C_INITIATE,
						       &cred, NULL, NULL);
	CHECK(!GSS_ERROR(major));
	gss_release_name(&minor, &n);
	return cred;
}

static gss_name_t mit_target(void)
{
	gss_buffer_desc name = { strlen("host@srv.test.local"),
				 (void *)"host@srv.test.local" };
	gss_name_t n = GSS_C_NO_NAME;
	OM_uint32 minor;

	CHECK(!GSS_ERROR(gss_import_name(&minor, &name,
					 GSS_C_NT_HOSTBASED_SERVICE, &n)));
	return n;
}

/*
 * MIT's SPNEGO initiator against a ksspi acceptor: how many tokens each
 * side sent with a mechListMIC in @mics (initiator, acceptor).
 */
static void mit_initiator(int mics[2])
{
	gss_cred_id_t cred = mit_alice_cred(&spnego_oid);
	gss_name_t target = mit_target();
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	struct bytes token = {};
	struct spnego_token t;
	struct side s;
	int i;

	mics[0] = mics[1] = 0;
	side_init(&s, &pkg_negotiate, false, 0);
	for (i = 0; i < 4; i++) {
		major = gss_init_sec_context(&minor, cred, &ctx, target,
					     &spnego_oid,
					     GSS_C_MUTUAL_FLAG |
					     GSS_C_INTEG_FLAG |
					     GSS_C_CONF_FLAG, 0, NULL, &in,
					     NULL, &out, NULL, NULL);
		CHECK(!GSS_ERROR(major));
		if (GSS_ERROR(major) || !out.length)
			break;
		bytes_free(&token);
		bytes_append(&token, out.value, out.length);
		gss_release_buffer(&minor, &out);
		t = (struct spnego_token){};
		if (!spnego_token_decode(token.data, token.len, &t)) {
			mics[0] += t.mech_list_mic.len > 0;
			spnego_token_clear(&t);
		}
		leg(&s, &token);
		if (s.r.status & 0x80000000u)
			break;
		t = (struct spnego_token){};
		if (s.r.token.len &&
		    !spnego_token_decode(s.r.token.data, s.r.token.len, &t)) {
			mics[1] += t.mech_list_mic.len > 0;
			spnego_token_clear(&t);
		}
		if (!(major & GSS_S_CONTINUE_NEEDED))
			break;
		in.value = s.r.token.data;
		in.length = s.r.token.len;
	}
	CHECK_EQ(major, GSS_S_COMPLETE);
	CHECK_EQ(s.r.status, SEC_E_OK);
	check_nego_blob(&s.r, "Kerberos");
	CHECK(record_is(&s.r, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL"));
	bytes_free(&token);
	gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&minor, &cred);
	gss_release_name(&minor, &target);
	side_free(&s);
}

static void test_mit_initiator(void)
{
	int mics[2];

	mit_initiator(mics);
	/* Kerberos first: no MICs are needed, and MIT sends none */
	CHECK(mics[0] == 0 && mics[1] == 0);
}

/*
 * A ksspi initiator against MIT's SPNEGO acceptor: how many tokens each
 * side sent with a mechListMIC in @mics (initiator, acceptor).
 */
static void mit_acceptor(int mics[2])
{
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major = GSS_S_FAILURE, minor;
	struct spnego_token t;
	struct side c;
	int i;

	mics[0] = mics[1] = 0;
	krb5_client(&c, REQ | ISC_REQ_MUTUAL_AUTH);
	leg(&c, NULL);
	for (i = 0; i < 4 && c.r.token.len; i++) {
		t = (struct spnego_token){};
		if (!spnego_token_decode(c.r.token.data, c.r.token.len, &t)) {
			mics[0] += t.mech_list_mic.len > 0;
			spnego_token_clear(&t);
		}
		in.value = c.r.token.data;
		in.length = c.r.token.len;
		major = gss_accept_sec_context(&minor, &ctx,
					       GSS_C_NO_CREDENTIAL, &in,
					       GSS_C_NO_CHANNEL_BINDINGS, NULL,
					       NULL, &out, NULL, NULL, NULL);
		CHECK(!GSS_ERROR(major));
		if (GSS_ERROR(major) || !out.length)
			break;
		{
			struct bytes token = {};

			bytes_append(&token, out.value, out.length);
			gss_release_buffer(&minor, &out);
			t = (struct spnego_token){};
			if (!spnego_token_decode(token.data, token.len, &t)) {
				mics[1] += t.mech_list_mic.len > 0;
				spnego_token_clear(&t);
			}
			leg(&c, &token);
			bytes_free(&token);
		}
		if (c.r.status != SEC_I_CONTINUE_NEEDED)
			break;
	}
	CHECK_EQ(major, GSS_S_COMPLETE);
	CHECK_EQ(c.r.status, SEC_E_OK);
	check_nego_blob(&c.r, "Kerberos");
	gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	side_free(&c);
}

static void test_mit_acceptor(void)
{
	int mics[2];

	/* MIT chose MS-KRB5, our first: one round trip, no MICs */
	mit_acceptor(mics);
	CHECK(mics[0] == 0 && mics[1] == 0);
}

/*
 * The Kerberos MIC of cfx.c against MIT's: an MIT initiator's context and
 * ours (raw krb5), gss_get_mic checked by kerberos_inner_verify and
 * kerberos_inner_sign's token by gss_verify_mic; the exported blob then
 * goes on after both sequence numbers.
 */
static void test_krb5_mic_against_mit(void)
{
	static const char msg[] = "the MechTypeList";
	gss_cred_id_t cred = mit_alice_cred(&krb5_oid);
	gss_name_t target = mit_target();
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc text = { sizeof(msg), (void *)msg };
	OM_uint32 major, minor;
	struct bytes token = {}, mic = {};
	uint64_t send_seq, recv_seq;
	struct side s;
	void *inner;

	side_init(&s, &pkg_kerberos, false, 0);
	major = gss_init_sec_context(&minor, cred, &ctx, target, &krb5_oid,
				     GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
				     NULL, &in, NULL, &out, NULL, NULL);
	CHECK_EQ(major, GSS_S_CONTINUE_NEEDED);
	bytes_append(&token, out.value, out.length);
	gss_release_buffer(&minor, &out);
	leg(&s, &token);
	CHECK_EQ(s.r.status, SEC_E_OK);
	in.value = s.r.token.data;
	in.length = s.r.token.len;
	major = gss_init_sec_context(&minor, cred, &ctx, target, &krb5_oid,
				     GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
				     NULL, &in, NULL, &out, NULL, NULL);
	CHECK_EQ(major, GSS_S_COMPLETE);

	inner = kerberos_inner_new(&s.r.blob);
	CHECK(inner != NULL);
	if (!inner)
		goto out;
	send_seq = record_le64(&s.r, KSSPI_CTX_REC_SEND_SEQ);
	recv_seq = record_le64(&s.r, KSSPI_CTX_REC_RECV_SEQ);
	/* MIT's MIC through ours */
	CHECK(!GSS_ERROR(gss_get_mic(&minor, ctx, 0, &text, &out)));
	CHECK_EQ(kerberos_inner_verify(inner, (const uint8_t *)msg,
				       sizeof(msg), out.value, out.length), 0);
	/* ... replayed, it is refused */
	CHECK_EQ(kerberos_inner_verify(inner, (const uint8_t *)msg,
				       sizeof(msg), out.value, out.length),
		 -EBADMSG);
	gss_release_buffer(&minor, &out);
	/* Ours through MIT's, and a changed message refused */
	CHECK_EQ(kerberos_inner_sign(inner, (const uint8_t *)msg, sizeof(msg),
				     &mic), 0);
	in.value = mic.data;
	in.length = mic.len;
	CHECK_EQ(gss_verify_mic(&minor, ctx, &text, &in, NULL),
		 GSS_S_COMPLETE);
	mic.data[mic.len - 1] ^= 1;
	CHECK(GSS_ERROR(gss_verify_mic(&minor, ctx, &text, &in, NULL)));
	/* Sealed Wrap tokens (CredSSP's) both ways */
	{
		gss_buffer_desc wrapped = GSS_C_EMPTY_BUFFER;
		gss_buffer_desc unwrapped = GSS_C_EMPTY_BUFFER;
		struct bytes ours = {}, plain = {};
		int conf = 0;

		CHECK(!GSS_ERROR(gss_wrap(&minor, ctx, 1, 0, &text, &conf,
					  &wrapped)) && conf);
		CHECK_EQ(kerberos_inner_unwrap(inner, wrapped.value,
					       wrapped.length, &plain), 0);
		CHECK(plain.len == sizeof(msg) &&
		      !memcmp(plain.data, msg, sizeof(msg)));
		gss_release_buffer(&minor, &wrapped);
		CHECK_EQ(kerberos_inner_wrap(inner, (const uint8_t *)msg,
					     sizeof(msg), &ours), 0);
		in.value = ours.data;
		in.length = ours.len;
		CHECK_EQ(gss_unwrap(&minor, ctx, &in, &unwrapped, &conf,
				    NULL), GSS_S_COMPLETE);
		CHECK(conf && unwrapped.length == sizeof(msg) &&
		      !memcmp(unwrapped.value, msg, sizeof(msg)));
		gss_release_buffer(&minor, &unwrapped);
		/* A changed byte, and the next one out of sequence */
		CHECK(!GSS_ERROR(gss_wrap(&minor, ctx, 1, 0, &text, &conf,
					  &wrapped)));
		((uint8_t *)wrapped.value)[wrapped.length - 1] ^= 1;
		bytes_free(&plain);
		CHECK_EQ(kerberos_inner_unwrap(inner, wrapped.value,
					       wrapped.length, &plain),
			 -EBADMSG);
		CHECK_EQ(plain.len, 0);
		gss_release_buffer(&minor, &wrapped);
		bytes_free(&ours);
	}
	CHECK_EQ(kerberos_inner_export(inner, &s.r.blob), 0);
	CHECK_EQ(record_le64(&s.r, KSSPI_CTX_REC_SEND_SEQ), send_seq + 2);
	CHECK_EQ(record_le64(&s.r, KSSPI_CTX_REC_RECV_SEQ), recv_seq + 2);
	kerberos_inner_free(inner);
out:
	bytes_free(&token);
	bytes_free(&mic);
	gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&minor, &cred);
	gss_release_name(&minor, &target);
	side_free(&s);
}


/* Whether @t is a user-to-user token of kind @tok_id (kerberos/u2u_token.c). */
static bool u2u_kind(const struct bytes *t, uint16_t tok_id)
{
	const uint8_t *body;
	size_t len;
	uint16_t id;

	return !kerberos_u2u_unframe(t->data, t->len, &id, &body, &len) &&
	       id == tok_id;
}

/*
 * ISC_REQ_USE_SESSION_KEY through Negotiate: Kerberos' user-to-user
 * tokens as the mechToken and responseTokens (where Windows' CredSSP puts
 * them), the server an unprivileged uid with only bob's TGT.
 */
static void test_krb5_u2u(void)
{
	const uint32_t uid = 3200000 + (uint32_t)getpid() % 1000;
	char cmd[300];
	struct spnego_token t;
	struct side c, s;

	snprintf(cmd, sizeof(cmd), "kadmin.local -r TEST.LOCAL -q 'addprinc "
		 "-pw Passw0rd! bob' >/dev/null 2>&1; echo 'Passw0rd!' | "
		 "kinit -c FILE:/tmp/krb5cc_%u bob >/dev/null 2>&1 && "
		 "chown %u /tmp/krb5cc_%u", uid, uid, uid);
	CHECK_EQ(system(cmd), 0);
	/* no keytab: the server's own TGT is all it has */
	CHECK_EQ(kerberos_config_setup("/nonexistent/ksspi-keytab"), 0);
	{
		const struct upcall root = {
			.present = UPCALL_BIT(KSSPI_A_UID),
		};

		CHECK(!kerberos_can_accept(&root));
	}
	krb5_client(&c, REQ | ISC_REQ_MUTUAL_AUTH | ISC_REQ_USE_SESSION_KEY);
	c.target = "bob@TEST.LOCAL";
	side_init(&s, &pkg_negotiate, false, 0);
	s.uid = uid;

	leg(&c, NULL);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&c.r.token, &t);
	CHECK_EQ(t.kind, SPNEGO_TOKEN_INIT);
	CHECK_EQ(t.mechs[0], SPNEGO_MECH_MS_KRB5);
	CHECK(u2u_kind(&t.mech_token, KERBEROS_U2U_TOK_TGT_REQ));
	spnego_token_clear(&t);

	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&s.r.token, &t);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_ACCEPT_INCOMPLETE);
	CHECK(u2u_kind(&t.response_token, KERBEROS_U2U_TOK_TGT_REP));
	spnego_token_clear(&t);

	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_I_CONTINUE_NEEDED);
	decode(&c.r.token, &t);
	CHECK(u2u_kind(&t.response_token, KERBEROS_U2U_TOK_AP_REQ));
	spnego_token_clear(&t);

	leg(&s, &c.r.token);
	CHECK_EQ(s.r.status, SEC_E_OK);
	decode(&s.r.token, &t);
	CHECK(t.has_neg_state && t.neg_state == SPNEGO_ACCEPT_COMPLETED);
	CHECK(u2u_kind(&t.response_token, KERBEROS_U2U_TOK_AP_REP));
	spnego_token_clear(&t);

	leg(&c, &s.r.token);
	CHECK_EQ(c.r.status, SEC_E_OK);
	check_nego_blob(&c.r, "Kerberos");
	check_nego_blob(&s.r, "Kerberos");
	CHECK(same_session_key(&c.r, &s.r));
	CHECK(c.r.context_attr & ISC_RET_USE_SESSION_KEY);
	CHECK(c.r.context_attr & ISC_RET_MUTUAL_AUTH);
	CHECK(s.r.context_attr & ASC_RET_USE_SESSION_KEY);
	CHECK(record_is(&s.r, KSSPI_CTX_REC_CLIENT_NAME, "alice@TEST.LOCAL"));
	CHECK(record_is(&c.r, KSSPI_CTX_REC_SERVER_NAME, "bob@TEST.LOCAL"));
	CHECK_EQ(record_le64(&c.r, KSSPI_CTX_REC_SEND_SEQ),
		 record_le64(&s.r, KSSPI_CTX_REC_RECV_SEQ));
	CHECK_EQ(record_le64(&s.r, KSSPI_CTX_REC_SEND_SEQ),
		 record_le64(&c.r, KSSPI_CTX_REC_RECV_SEQ));
	side_free(&c);
	side_free(&s);
	CHECK_EQ(kerberos_config_setup(keytab_path), 0);
	snprintf(cmd, sizeof(cmd), "/tmp/krb5cc_%u", uid);
	unlink(cmd);
}

static const struct test_case negotiate_tests[] = {
	{ "Kerberos user-to-user through Negotiate", test_krb5_u2u },
	{ "Kerberos, MUTUAL_AUTH: negTokenInit with AP-REQ, one answer",
	  test_krb5_mutual },
	{ "Kerberos without MUTUAL_AUTH", test_krb5_one_leg },
	{ "NTLM (no KDC for TESTDOM): mechListMICs, crypto reset",
	  test_ntlm },
	{ "an unreachable KDC is remembered; NTLM at once", test_kdc_memory },
	{ "a KDC that never answers: one timeout, then NTLM without asking",
	  test_blackhole_kdc },
	{ "raw NTLM to the acceptor, answered raw", test_raw_ntlm },
	{ "raw Kerberos to the acceptor, answered raw", test_raw_krb5 },
	{ "acceptor's negTokenInit2 first", test_init2 },
	{ "a user's acceptor offers no Kerberos (keytab is root's)",
	  test_user_acceptor_no_keytab },
	{ "counter-proposal: NTLM from an acceptor without keys",
	  test_counter_proposal },
	{ "hostile: bad MICs, foreign framing, unoffered mechanism",
	  test_hostile },
	{ "MIT SPNEGO initiator -> ksspi acceptor", test_mit_initiator },
	{ "ksspi initiator -> MIT SPNEGO acceptor", test_mit_acceptor },
	{ "Kerberos MIC and Wrap tokens (cfx.c) against MIT's gss_get_mic "
	  "and gss_wrap", test_krb5_mic_against_mit },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	static const struct test_case *const suites[] = { negotiate_tests,
							  NULL };
	int rc;

	if (argc != 2 || !getenv("KRB5_CONFIG")) {
		fprintf(stderr, "usage: tests/kerberos/run-in-realm %s\n",
			argv[0]);
		return 2;
	}
	keytab_path = argv[1];
	/*
	 * MIT's SPNEGO with its built-in mechanisms only: gss-ntlmssp, which
	 * /etc/gss/mech.d adds, leaks under LeakSanitizer on loading.
	 */
	setenv("GSS_MECH_CONFIG", "/dev/null", 1);
	if (kerberos_config_setup(argv[1]))
		return 1;
	rc = tap_run(suites);
	kerberos_config_cleanup();
	return rc;
}
