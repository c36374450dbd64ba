// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ntlm-peer: ksspid's NTLM package as a command-line peer, for tests
 * against other NTLM implementations without the kernel.  It runs the
 * client or the server legs and exchanges base64 tokens as lines:
 *
 *	in:  TOKEN <b64>		the peer's token, the next leg
 *	out: TOKEN <b64>		this side's token
 *	out: STATUS <hex> <name>	after each leg
 *	out: CLIENT <name>, SESSIONKEY <hex>, FLAGS <hex>, ATTR <hex>
 *					once established
 *
 * then, established, protects messages the way the kernel will, from the
 * keys of its serialized context (MS-NLMP 3.4.3, 3.4.4.2):
 *
 *	in:  VERIFY <b64 msg> <b64 sig>	out: OK | BAD
 *	in:  UNWRAP <b64 sig||sealed>	out: OK <b64 plaintext> | BAD
 *	in:  MIC <b64 msg>		out: TOKEN <b64 sig>
 *	in:  WRAP <b64 msg>		out: TOKEN <b64 sig||sealed>
 *	in:  QUIT
 *
 * Usage:
 *	ntlm-peer nt-hash PASSWORD	prints the NT hash in hex
 *	ntlm-peer client -u USER [-d DOMAIN] [-p PASSWORD] [-t SPN]
 *		[-r ISC_REQ_HEX] [-b CB_APPLICATION_DATA]
 *	ntlm-peer server -U USERS_FILE [-D DOMAIN] [-C COMPUTER] [-S SPN]...
 *		[-r ASC_REQ_HEX] [-b CB_APPLICATION_DATA] [-1]
 *
 * Exit status: 0 after QUIT or end of input once established, 1 when a
 * leg failed, 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <nettle/base64.h>

#include "log.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/seal.h"
#include "ntlm/userdb.h"
#include "tests/util.h"

#define LINE_MAX_LEN	(512 * 1024)
#define SPN_MAX		8

struct peer {
	bool initiator;
	void *state;
	uint32_t req;
	const char *user, *domain, *password, *target;
	struct bytes cb;
	struct ntlm_sec_dir out, in;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: ntlm-peer client -u USER [-d DOMAIN] [-p PASSWORD] [-t SPN] [-r REQ] [-b CB]\n"
		"       ntlm-peer server -U USERS [-D DOMAIN] [-C COMPUTER] [-S SPN]... [-r REQ] [-b CB] [-1]\n");
	exit(2);
}

static void print_b64(const char *tag, const uint8_t *data, size_t len)
{
	char *out = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);

	if (!out)
		abort();
	base64_encode_raw(out, len, data);
	out[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	printf("%s %s\n", tag, out);
	free(out);
}

/* Decodes @b64 into @out; false when it is not base64. */
static bool decode_b64(const char *b64, struct bytes *out)
{
	struct base64_decode_ctx ctx;
	size_t len = strlen(b64), got = BASE64_DECODE_LENGTH(len);
	uint8_t *buf = malloc(got + 1);
	bool ok;

	if (!buf)
		abort();
	base64_decode_init(&ctx);
	ok = base64_decode_update(&ctx, &got, buf, len, b64) &&
	     base64_decode_final(&ctx);
	if (ok && bytes_append(out, buf, got))
		abort();
	free(buf);
	return ok;
}

/* A SEC_CHANNEL_BINDINGS holding application data only. */
static void make_bindings(const char *app, struct bytes *cb)
{
	uint8_t hdr[32] = { 0 };
	size_t len = strlen(app);

	ntlm_put_le32(hdr + 24, (uint32_t)len);
	ntlm_put_le32(hdr + 28, sizeof(hdr));
	if (bytes_append(cb, hdr, sizeof(hdr)) || bytes_append(cb, app, len))
		abort();
}

static const char *status_name(uint32_t s)
{
	switch (s) {
	case SEC_E_OK:			return "SEC_E_OK";
	case SEC_I_CONTINUE_NEEDED:	return "SEC_I_CONTINUE_NEEDED";
	case SEC_E_INVALID_TOKEN:	return "SEC_E_INVALID_TOKEN";
	case SEC_E_LOGON_DENIED:	return "SEC_E_LOGON_DENIED";
	case SEC_E_BAD_BINDINGS:	return "SEC_E_BAD_BINDINGS";
	case SEC_E_WRONG_PRINCIPAL:	return "SEC_E_WRONG_PRINCIPAL";
	case SEC_E_MESSAGE_ALTERED:	return "SEC_E_MESSAGE_ALTERED";
	case SEC_E_ALGORITHM_MISMATCH:	return "SEC_E_ALGORITHM_MISMATCH";
	case SEC_E_NO_CREDENTIALS:	return "SEC_E_NO_CREDENTIALS";
	case SEC_E_UNSUPPORTED_FUNCTION: return "SEC_E_UNSUPPORTED_FUNCTION";
	}
	return "other";
}

static const uint8_t *record16(const struct bytes *blob, uint16_t type)
{
	uint32_t len = 0;
	const uint8_t *v = blob_record(blob, type, NULL, &len);

	if (!v || len != 16) {
		fprintf(stderr, "ntlm-peer: context blob lacks record %#x\n",
			type);
		exit(1);
	}
	return v;
}

/* Established: print the context and set message protection up. */
static void established(struct peer *p, const struct reply *r)
{
	const struct bytes *blob = &r->blob;
	uint32_t len = 0, flags;
	const uint8_t *name = blob_record(blob, KSSPI_CTX_REC_CLIENT_NAME,
					  NULL, &len);
	const uint8_t *fl = blob_record(blob, KSSPI_CTX_REC_NTLM_FLAGS, NULL,
					NULL);
	const uint8_t *key = record16(blob, KSSPI_CTX_REC_SESSION_KEY);
	size_t i;

	if (!name || !fl) {
		fprintf(stderr, "ntlm-peer: incomplete context blob\n");
		exit(1);
	}
	flags = get_le32(fl);
	printf("CLIENT %.*s\nSESSIONKEY ", (int)len, (const char *)name);
	for (i = 0; i < 16; i++)
		printf("%02x", key[i]);
	printf("\nFLAGS %08x\nATTR %08x\n", flags, r->context_attr);
	ntlm_sec_dir_init(&p->out, flags,
			  record16(blob, KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT),
			  record16(blob, KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT));
	ntlm_sec_dir_init(&p->in, flags,
			  record16(blob, KSSPI_CTX_REC_NTLM_SIGN_KEY_IN),
			  record16(blob, KSSPI_CTX_REC_NTLM_SEAL_KEY_IN));
}

/* Runs one leg; returns its status. */
static uint32_t leg(struct peer *p, bool first, const struct bytes *token)
{
	struct upcall up = { .op = p->initiator ? KSSPI_OP_INIT_CONTEXT :
						  KSSPI_OP_ACCEPT_CONTEXT,
			     .context_req = p->req };
	struct reply r = { 0 };
	uint32_t status;

	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ);
	if (first) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
		up.present |= UPCALL_BIT(KSSPI_A_FLAGS);
		if (p->user) {
			up.user = strdup(p->user);
			up.present |= UPCALL_BIT(UPCALL_USER);
		}
		if (p->domain) {
			up.domain = strdup(p->domain);
			up.present |= UPCALL_BIT(UPCALL_DOMAIN);
		}
		if (p->password) {
			bytes_append(&up.password, p->password,
				     strlen(p->password));
			up.present |= UPCALL_BIT(UPCALL_PASSWORD);
		}
		if (p->target) {
			up.target_name = strdup(p->target);
			up.present |= UPCALL_BIT(KSSPI_A_TARGET_NAME);
		}
	}
	if (token && token->len) {
		bytes_append(&up.token, token->data, token->len);
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	if (p->cb.len) {
		bytes_append(&up.channel_bindings, p->cb.data, p->cb.len);
		up.present |= UPCALL_BIT(KSSPI_A_CHANNEL_BINDINGS);
	}
	pkg_ntlm.step(p->state, &up, &r);
	status = r.status;
	if (!(status & 0x80000000u) && r.token.len)
		print_b64("TOKEN", r.token.data, r.token.len);
	printf("STATUS %08x %s\n", status, status_name(status));
	if (status == SEC_E_OK)
		established(p, &r);
	fflush(stdout);
	reply_clear(&r);
	upcall_free(&up);
	return status;
}

/* One message-protection command; false on a malformed line. */
static bool protect(struct peer *p, char *cmd, char *arg)
{
	struct bytes a = { 0 }, b = { 0 };
	uint8_t sig[16];
	char *second = strchr(arg, ' ');
	bool ok = true;

	if (second)
		*second++ = '\0';
	if (!decode_b64(arg, &a) || (second && !decode_b64(second, &b)))
		return false;
	if (strcmp(cmd, "VERIFY") == 0 && second && b.len == 16) {
		puts(ntlm_sec_verify(&p->in, a.data, a.len, b.data) ? "OK" :
								      "BAD");
	} else if (strcmp(cmd, "UNWRAP") == 0 && a.len >= 16) {
		if (ntlm_sec_unseal(&p->in, a.data + 16, a.len - 16, a.data))
			print_b64("OK", a.data + 16, a.len - 16);
		else
			puts("BAD");
	} else if (strcmp(cmd, "MIC") == 0) {
		ntlm_sec_sign(&p->out, a.data, a.len, sig);
		print_b64("TOKEN", sig, sizeof(sig));
	} else if (strcmp(cmd, "WRAP") == 0) {
		struct bytes t = { 0 };

		ntlm_sec_seal(&p->out, a.data, a.len, sig);
		if (bytes_append(&t, sig, sizeof(sig)) ||
		    bytes_append(&t, a.data, a.len))
			abort();
		print_b64("TOKEN", t.data, t.len);
		bytes_free(&t);
	} else {
		ok = false;
	}
	fflush(stdout);
	bytes_free(&a);
	bytes_free(&b);
	return ok;
}

int main(int argc, char **argv)
{
	struct peer p = { 0 };
	struct ntlm_options o = { 0 };
	const char *spns[SPN_MAX];
	static char line[LINE_MAX_LEN];
	bool done = false;
	int c, status = 1;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "nt-hash") == 0 && argc == 3) {
		uint8_t hash[16];
		size_t i;

		if (ntlm_nt_hash(argv[2], strlen(argv[2]), hash))
			return 2;
		for (i = 0; i < 16; i++)
			printf("%02x", hash[i]);
		putchar('\n');
		return 0;
	}
	if (strcmp(argv[1], "client") == 0)
		p.initiator = true;
	else if (strcmp(argv[1], "server") != 0)
		usage();
	optind = 2;
	o.spns = spns;
	while ((c = getopt(argc, argv, "u:d:p:t:r:b:U:D:C:S:1")) != -1) {
		switch (c) {
		case 'u': p.user = optarg; break;
		case 'd': p.domain = optarg; break;
		case 'p': p.password = optarg; break;
		case 't': p.target = optarg; break;
		case 'r': p.req = (uint32_t)strtoul(optarg, NULL, 16); break;
		case 'b': make_bindings(optarg, &p.cb); break;
		case 'U': o.users_path = optarg; break;
		case 'D': o.domain = optarg; break;
		case 'C': o.computer = optarg; break;
		case 'S':
			if (o.spn_count == SPN_MAX)
				usage();
			spns[o.spn_count++] = optarg;
			break;
		case '1': o.allow_v1 = true; break;
		default: usage();
		}
	}
	log_setup(LOG_TO_STDERR, false);
	if (!p.initiator && (!o.users_path || ntlm_config_setup(&o)))
		return 2;
	p.state = pkg_ntlm.state_new();

	if (p.initiator && leg(&p, true, NULL) != SEC_I_CONTINUE_NEEDED)
		goto out;
	while (fgets(line, LINE_MAX_LEN, stdin)) {
		char *arg;

		line[strcspn(line, "\r\n")] = '\0';
		arg = strchr(line, ' ');
		if (arg)
			*arg++ = '\0';
		if (strcmp(line, "QUIT") == 0)
			break;
		if (strcmp(line, "TOKEN") == 0 && arg && !done) {
			struct bytes token = { 0 };
			bool first = !p.initiator &&
				     ((struct ntlm_state *)p.state)->stage ==
				     NTLM_NEW;
			uint32_t s;

			if (!decode_b64(arg, &token)) {
				fprintf(stderr, "ntlm-peer: bad base64\n");
				status = 2;
				goto out;
			}
			s = leg(&p, first, &token);
			bytes_free(&token);
			if (s & 0x80000000u)
				goto out;
			done = s == SEC_E_OK;
		} else if (done && arg && protect(&p, line, arg)) {
			continue;
		} else {
			fprintf(stderr, "ntlm-peer: unexpected line \"%s\"\n",
				line);
			status = 2;
			goto out;
		}
	}
	status = done ? 0 : 1;
out:
	pkg_ntlm.state_free(p.state);
	bytes_free(&p.cb);
	ntlm_config_cleanup();
	return status;
}
