// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostile input to every leg: each field of each message truncated,
 * oversized or pointing outside, wrong signatures and types, messages out
 * of order.  Each gives its documented status (Documentation/ntlm.rst).
 * Run under SANITIZE=1 to see that nothing reads out of bounds or leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>

#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/msg.h"
#include "ntlm_harness.h"
#include "ntlm_tests.h"

#define ISC_REQ (ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY)
#define ASC_REQ (ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY)

/* A real exchange, stopped before the server's second leg. */
struct ex {
	void *client, *server;
	struct reply neg, chal, auth;
};

static void ex_start(struct ex *e)
{
	struct leg l;

	ntlm_test_server_setup(false, NULL, 0);
	e->client = pkg_ntlm.state_new();
	e->server = pkg_ntlm.state_new();
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			  .req = ISC_REQ, .user = T_USER, .domain = T_DOMAIN,
			  .password = T_PASSWORD, .target = "host/srv" };
	ntlm_run_leg(e->client, &l, &e->neg);
	l = (struct leg){ .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			  .req = ASC_REQ, .token = e->neg.token.data,
			  .token_len = e->neg.token.len };
	ntlm_run_leg(e->server, &l, &e->chal);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = ISC_REQ,
			  .token = e->chal.token.data,
			  .token_len = e->chal.token.len };
	ntlm_run_leg(e->client, &l, &e->auth);
	CHECK_EQ(e->auth.status, SEC_E_OK);
}

static void ex_end(struct ex *e)
{
	pkg_ntlm.state_free(e->client);
	pkg_ntlm.state_free(e->server);
	reply_clear(&e->neg);
	reply_clear(&e->chal);
	reply_clear(&e->auth);
}

/* A first server leg on @token; its status. */
static uint32_t server_leg1(const uint8_t *token, size_t len)
{
	void *server = pkg_ntlm.state_new();
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .first = true,
			 .req = ASC_REQ, .token = token, .token_len = len };
	struct reply r;
	uint32_t status;

	ntlm_run_leg(server, &l, &r);
	status = r.status;
	reply_clear(&r);
	pkg_ntlm.state_free(server);
	return status;
}

/* A second client leg, after a real first one, on @token. */
static uint32_t client_leg2(const uint8_t *token, size_t len, uint32_t req)
{
	void *client = pkg_ntlm.state_new();
	struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
			 .req = req, .user = T_USER, .password = T_PASSWORD };
	struct reply r;
	uint32_t status;

	ntlm_run_leg(client, &l, &r);
	reply_clear(&r);
	l = (struct leg){ .op = KSSPI_OP_INIT_CONTEXT, .req = req,
			  .token = token, .token_len = len };
	ntlm_run_leg(client, &l, &r);
	status = r.status;
	reply_clear(&r);
	pkg_ntlm.state_free(client);
	return status;
}

/* A second server leg on the server state of @e (left as it was). */
static uint32_t server_leg2(struct ex *e, const uint8_t *token, size_t len)
{
	struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .req = ASC_REQ,
			 .token = token, .token_len = len };
	struct reply r;
	uint32_t status;

	ntlm_run_leg(e->server, &l, &r);
	status = r.status;
	reply_clear(&r);
	return status;
}

/* A copy of @b with a little-endian value written at @at. */
static struct bytes patched(const struct bytes *b, size_t at, uint32_t value,
			    size_t width)
{
	struct bytes c = { 0 };
	size_t i;

	bytes_append(&c, b->data, b->len);
	for (i = 0; i < width && at + i < c.len; i++)
		c.data[at + i] = (uint8_t)(value >> (8 * i));
	return c;
}

static void test_negotiate(void)
{
	struct ex e;
	struct bytes m;
	size_t n, i;

	ex_start(&e);
	m = e.neg.token;
	/* Every truncation, the empty token included */
	for (n = 0; n < m.len; n++)
		CHECK_EQ(server_leg1(m.data, n), SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_leg1(m.data, m.len), SEC_I_CONTINUE_NEEDED);
	/* Each signature byte, and the type */
	for (i = 0; i < 12; i++) {
		struct bytes c = patched(&m, i, m.data[i] ^ 0x40, 1);

		CHECK_EQ(server_leg1(c.data, c.len), SEC_E_INVALID_TOKEN);
		bytes_free(&c);
	}
	/* Fields: outside the message, wrapping, inside the header */
	{
		static const struct { size_t at; uint32_t v; size_t w; } f[] = {
			{ 16, 1, 2 }, { 20, 41, 4 }, { 20, 0xffffffff, 4 },
			{ 24, 8, 2 }, { 28, 0xfffffff8, 4 },
		};
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			struct bytes c = patched(&m, f[i].at, f[i].v, f[i].w);

			CHECK_EQ(server_leg1(c.data, c.len),
				 SEC_E_INVALID_TOKEN);
			bytes_free(&c);
		}
	}
	{
		/* Supplied domain inside the fixed header */
		struct bytes c = patched(&m, 16, 0x00040004, 4);
		struct bytes d = patched(&c, 20, 8, 4);

		CHECK_EQ(server_leg1(d.data, d.len), SEC_E_INVALID_TOKEN);
		bytes_free(&c);
		bytes_free(&d);
	}
	/*
	 * Flags: no Unicode is OEM; neither Unicode nor OEM is invalid
	 * (MS-NLMP 2.2.2.5); no extended session security
	 */
	{
		struct bytes c = patched(&m, 12, ntlm_le32(m.data + 12) &
					 ~NTLMSSP_NEGOTIATE_UNICODE, 4);

		CHECK_EQ(server_leg1(c.data, c.len), SEC_I_CONTINUE_NEEDED);
		bytes_free(&c);
		c = patched(&m, 12, ntlm_le32(m.data + 12) &
			    ~(NTLMSSP_NEGOTIATE_UNICODE | NTLM_NEGOTIATE_OEM), 4);
		CHECK_EQ(server_leg1(c.data, c.len), SEC_E_INVALID_TOKEN);
		bytes_free(&c);
		c = patched(&m, 12, ntlm_le32(m.data + 12) &
			    ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, 4);
		CHECK_EQ(server_leg1(c.data, c.len), SEC_E_ALGORITHM_MISMATCH);
		bytes_free(&c);
	}
	/* Out of order: a CHALLENGE or an AUTHENTICATE as first leg */
	CHECK_EQ(server_leg1(e.chal.token.data, e.chal.token.len),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_leg1(e.auth.token.data, e.auth.token.len),
		 SEC_E_INVALID_TOKEN);
	ex_end(&e);
}

/* A CHALLENGE with target info @info (and the usual flags). */
static struct bytes challenge_with(const uint8_t *info, size_t info_len,
				   uint32_t flags)
{
	static const uint8_t chal[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ntlm_view name = { (const uint8_t *)"D\0", 2 };
	struct ntlm_view ti = { info, info_len };
	struct bytes b = { 0 };

	ntlm_challenge_encode(&b, flags, chal, &name, &ti, &ntlm_our_version);
	return b;
}

#define CHAL_FLAGS	0xe28a8235u

/* Target info: NB domain, NB computer, then @extra, then EOL. */
static struct bytes info_with(const void *extra, size_t extra_len)
{
	struct bytes b = { 0 };

	ntlm_av_put(&b, MSV_AV_NB_DOMAIN_NAME, "D\0", 2);
	ntlm_av_put(&b, MSV_AV_NB_COMPUTER_NAME, "S\0", 2);
	bytes_append(&b, extra, extra_len);
	ntlm_av_put(&b, MSV_AV_EOL, NULL, 0);
	return b;
}

static uint32_t client_with_info(const void *extra, size_t extra_len,
				 uint32_t flags)
{
	struct bytes info = info_with(extra, extra_len);
	struct bytes c = challenge_with(info.data, info.len, flags);
	uint32_t status = client_leg2(c.data, c.len, ISC_REQ);

	bytes_free(&info);
	bytes_free(&c);
	return status;
}

static void test_challenge(void)
{
	static const uint8_t big[300];
	struct bytes b = { 0 };
	struct ex e;
	struct bytes m;
	size_t n, i;

	ex_start(&e);
	m = e.chal.token;
	for (n = 0; n < m.len; n++)
		CHECK_EQ(client_leg2(m.data, n, ISC_REQ), SEC_E_INVALID_TOKEN);
	CHECK_EQ(client_leg2(m.data, m.len, ISC_REQ), SEC_E_OK);
	for (i = 0; i < 12; i++) {
		struct bytes c = patched(&m, i, m.data[i] ^ 1, 1);

		CHECK_EQ(client_leg2(c.data, c.len, ISC_REQ),
			 SEC_E_INVALID_TOKEN);
		bytes_free(&c);
	}
	{
		static const struct { size_t at; uint32_t v; size_t w; } f[] = {
			{ 12, 0xffff, 2 },	/* target name too long */
			{ 12, 3, 2 },		/* target name odd */
			{ 16, 0x10000, 4 },	/* target name outside */
			{ 16, 4, 4 },		/* ... inside the header */
			{ 40, 0xffff, 2 },	/* target info too long */
			{ 44, 0xffffffff, 4 },	/* target info outside */
			{ 44, 20, 4 },		/* ... inside the header */
		};
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			struct bytes c = patched(&m, f[i].at, f[i].v, f[i].w);

			CHECK_EQ(client_leg2(c.data, c.len, ISC_REQ),
				 SEC_E_INVALID_TOKEN);
			bytes_free(&c);
		}
	}
	/* Target info one byte short: the list loses its end */
	{
		struct bytes c = patched(&m, 40, ntlm_le16(m.data + 40) - 1, 2);

		CHECK_EQ(client_leg2(c.data, c.len, ISC_REQ),
			 SEC_E_INVALID_TOKEN);
		bytes_free(&c);
	}
	/* Out of order: a NEGOTIATE or an AUTHENTICATE as the challenge */
	CHECK_EQ(client_leg2(e.neg.token.data, e.neg.token.len, ISC_REQ),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(client_leg2(e.auth.token.data, e.auth.token.len, ISC_REQ),
		 SEC_E_INVALID_TOKEN);
	ex_end(&e);

	/* AV pairs */
	CHECK_EQ(client_with_info(NULL, 0, CHAL_FLAGS), SEC_E_OK);
	ntlm_av_put(&b, 0x4242, "unknown", 7);
	ntlm_av_put(&b, MSV_AV_SINGLE_HOST, big, sizeof(big));
	ntlm_av_put(&b, MSV_AV_FLAGS, "\1\0\0\0", 4);
	CHECK_EQ(client_with_info(b.data, b.len, CHAL_FLAGS), SEC_E_OK);
	bytes_free(&b);
	ntlm_av_put(&b, MSV_AV_NB_DOMAIN_NAME, "X\0", 2);	/* duplicate */
	CHECK_EQ(client_with_info(b.data, b.len, CHAL_FLAGS),
		 SEC_E_INVALID_TOKEN);
	bytes_free(&b);
	ntlm_av_put(&b, MSV_AV_TIMESTAMP, "1234", 4);		/* size */
	CHECK_EQ(client_with_info(b.data, b.len, CHAL_FLAGS),
		 SEC_E_INVALID_TOKEN);
	bytes_free(&b);
	ntlm_av_put(&b, MSV_AV_DNS_DOMAIN_NAME, "abc", 3);	/* odd */
	CHECK_EQ(client_with_info(b.data, b.len, CHAL_FLAGS),
		 SEC_E_INVALID_TOKEN);
	bytes_free(&b);
	ntlm_av_put(&b, MSV_AV_EOL, "x", 1);			/* EOL value */
	CHECK_EQ(client_with_info(b.data, b.len, CHAL_FLAGS),
		 SEC_E_INVALID_TOKEN);
	bytes_free(&b);
	ntlm_av_put(&b, MSV_AV_EOL, NULL, 0);			/* trailing */
	CHECK_EQ(client_with_info(b.data, b.len, CHAL_FLAGS),
		 SEC_E_INVALID_TOKEN);
	bytes_free(&b);
	{
		/* Without the NetBIOS names, integrity cannot be had */
		struct bytes info = { 0 }, c;

		ntlm_av_put(&info, MSV_AV_EOL, NULL, 0);
		c = challenge_with(info.data, info.len, CHAL_FLAGS);
		CHECK_EQ(client_leg2(c.data, c.len, ISC_REQ),
			 SEC_E_INVALID_TOKEN);
		CHECK_EQ(client_leg2(c.data, c.len, 0), SEC_E_OK);
		bytes_free(&c);
		c = challenge_with(NULL, 0, CHAL_FLAGS);
		CHECK_EQ(client_leg2(c.data, c.len, 0), SEC_E_OK);
		bytes_free(&c);
		bytes_free(&info);
	}
	/*
	 * Character sets: OEM without Unicode is spoken; neither is invalid.
	 * Without extended session security the client cannot work.
	 */
	CHECK_EQ(client_with_info(NULL, 0, (CHAL_FLAGS &
					    ~NTLMSSP_NEGOTIATE_UNICODE) |
				  NTLM_NEGOTIATE_OEM), SEC_E_OK);
	CHECK_EQ(client_with_info(NULL, 0, CHAL_FLAGS &
				  ~NTLMSSP_NEGOTIATE_UNICODE),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(client_with_info(NULL, 0, CHAL_FLAGS &
				  ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY),
		 SEC_E_ALGORITHM_MISMATCH);
	/* The first client leg takes no token */
	{
		void *client = pkg_ntlm.state_new();
		struct leg l = { .op = KSSPI_OP_INIT_CONTEXT, .first = true,
				 .user = T_USER, .token = e.neg.token.data,
				 .token_len = 4 };
		struct reply r;
		uint8_t four[4] = { 1, 2, 3, 4 };

		l.token = four;
		ntlm_run_leg(client, &l, &r);
		CHECK_EQ(r.status, SEC_E_INVALID_TOKEN);
		reply_clear(&r);
		pkg_ntlm.state_free(client);
	}
}

/* The AUTHENTICATE of @e with its NTLMv2 response's byte @at changed */
static struct bytes nt_patched(const struct ex *e, size_t at, uint32_t v,
			       size_t width)
{
	const struct bytes *m = &e->auth.token;

	return patched(m, ntlm_le32(m->data + 24) + at, v, width);
}

static void test_authenticate(void)
{
	struct ex e;
	struct bytes m, c;
	size_t n, i;

	ex_start(&e);
	m = e.auth.token;
	for (n = 0; n < m.len; n++)
		CHECK_EQ(server_leg2(&e, m.data, n), SEC_E_INVALID_TOKEN);
	for (i = 0; i < 12; i++) {
		c = patched(&m, i, m.data[i] ^ 0x80, 1);
		CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
		bytes_free(&c);
	}
	/* Each of the six fields: too long, outside, wrapping, in header */
	for (i = 0; i < 6; i++) {
		size_t at = 12 + 8 * i;
		uint32_t off = ntlm_le32(m.data + at + 4);
		uint16_t len = ntlm_le16(m.data + at);
		struct { size_t at; uint32_t v; size_t w; } f[] = {
			{ at, (uint32_t)(m.len - off + 1), 2 },
			{ at + 4, (uint32_t)m.len + 1, 4 },
			{ at + 4, 0xffffffff, 4 },
			{ at + 4, 0xfffffff0u, 4 },
			{ at + 4, 40, 4 },
		};
		size_t j;

		for (j = 0; j < 5; j++) {
			if (j == 4 && len == 0)
				continue;
			c = patched(&m, f[j].at, f[j].v, f[j].w);
			CHECK_EQ(server_leg2(&e, c.data, c.len),
				 SEC_E_INVALID_TOKEN);
			bytes_free(&c);
		}
	}
	/* Odd UTF-16 lengths of domain, user, workstation */
	for (i = 2; i < 5; i++) {
		size_t at = 12 + 8 * i;

		c = patched(&m, at, ntlm_le16(m.data + at) - 1, 2);
		CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
		bytes_free(&c);
	}
	/* The NTLMv2 response: types, too short, broken AV pairs */
	c = nt_patched(&e, 16, 2, 1);
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	c = nt_patched(&e, 17, 0, 1);
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	c = patched(&m, 20, 47, 2);
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	c = patched(&m, 20, 30, 2);
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	c = nt_patched(&e, 44 + 2, 0xfff0, 2);	/* first pair overruns */
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	c = nt_patched(&e, 44, MSV_AV_NB_COMPUTER_NAME, 2); /* duplicate */
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	/* The key exchange needs a 16-byte key */
	c = patched(&m, 52, 8, 2);
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_INVALID_TOKEN);
	bytes_free(&c);
	/*
	 * The UNICODE flag cleared: the names are still read in the
	 * CHALLENGE's character set; the MIC, over the flags, refuses it.
	 */
	c = patched(&m, 60, ntlm_le32(m.data + 60) &
		    ~NTLMSSP_NEGOTIATE_UNICODE, 4);
	CHECK_EQ(server_leg2(&e, c.data, c.len), SEC_E_MESSAGE_ALTERED);
	bytes_free(&c);
	/* A MIC announced without room for it (payload at 72) */
	{
		struct ntlm_authenticate a;
		struct ntlm_authenticate_fields f = { 0 };
		struct bytes short_hdr = { 0 };

		ntlm_authenticate_decode(m.data, m.len, &a);
		f.flags = a.flags;
		f.lm_response = a.lm_response;
		f.nt_response = a.nt_response;
		f.domain = a.domain;
		f.user = a.user;
		f.workstation = a.workstation;
		f.session_key = a.session_key;
		f.version = &ntlm_our_version;
		ntlm_authenticate_encode(&short_hdr, &f);
		CHECK_EQ(server_leg2(&e, short_hdr.data, short_hdr.len),
			 SEC_E_INVALID_TOKEN);
		bytes_free(&short_hdr);
	}
	/* Out of order: NEGOTIATE or CHALLENGE as the second leg */
	CHECK_EQ(server_leg2(&e, e.neg.token.data, e.neg.token.len),
		 SEC_E_INVALID_TOKEN);
	CHECK_EQ(server_leg2(&e, e.chal.token.data, e.chal.token.len),
		 SEC_E_INVALID_TOKEN);
	/* ... and after all of it, the real message still verifies */
	{
		struct leg l = { .op = KSSPI_OP_ACCEPT_CONTEXT, .req = ASC_REQ,
				 .token = m.data, .token_len = m.len };
		struct reply r;

		ntlm_run_leg(e.server, &l, &r);
		CHECK_EQ(r.status, SEC_E_OK);
		reply_clear(&r);
	}
	ex_end(&e);
}

/* Every single-byte change of a whole AUTHENTICATE is refused. */
static void test_authenticate_bitflips(void)
{
	struct ex e;
	struct bytes m;
	size_t i;

	ex_start(&e);
	m = e.auth.token;
	for (i = 0; i < m.len; i++) {
		struct bytes c = patched(&m, i, m.data[i] ^ 0x01, 1);
		uint32_t status = server_leg2(&e, c.data, c.len);

		/* The MIC covers every byte, the proof the NTLMv2 blob */
		CHECK(status == SEC_E_INVALID_TOKEN ||
		      status == SEC_E_LOGON_DENIED ||
		      status == SEC_E_MESSAGE_ALTERED ||
		      status == SEC_E_ALGORITHM_MISMATCH);
		if (status == SEC_E_OK)
			printf("# byte %zu accepted\n", i);
		bytes_free(&c);
	}
	ex_end(&e);
}

const struct test_case ntlm_hostile_tests[] = {
	{ "ntlm hostile: NEGOTIATE truncated, fields outside, wrong flags",
	  test_negotiate },
	{ "ntlm hostile: CHALLENGE truncated, fields, AV pairs, flags",
	  test_challenge },
	{ "ntlm hostile: AUTHENTICATE truncated, fields, response, MIC",
	  test_authenticate },
	{ "ntlm hostile: every byte of an AUTHENTICATE flipped",
	  test_authenticate_bitflips },
	{ NULL, NULL },
};
