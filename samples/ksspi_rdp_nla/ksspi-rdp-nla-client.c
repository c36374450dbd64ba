// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksspi-rdp-nla-client: an RDP client as far as Network Level
 * Authentication, on libksspi.  It sends an X.224 Connection Request
 * offering PROTOCOL_HYBRID (and SSL), and when the server selects HYBRID
 * runs CredSSP's client with InitializeSecurityContext ("CredSSP", the
 * credentials given on the command line), sending every token and reading
 * the server's TLS records until the context is established.  Then, unless
 * -a, it hands the TLS session to kTLS on its socket (KsspiInstallKtls)
 * and sends COUNT X.224 Data TPDUs with TEXT, each of which must come
 * back; the first one, which is not an MCS Connect Initial, tells
 * ksspi_rdp_nla or ksspi-rdp-nla-server to greet the user (read before
 * its echo) and echo rather than start the RDP connection sequence.
 *
 *   ksspi-rdp-nla-client [-v] [-a] [-D] [-H HOST] [-p PORT] -u USER
 *                        [-d DOMAIN] -w PASSWORD [-P PROTOCOLS]
 *                        [-m TEXT] [-n COUNT]
 *
 * -a stops after authentication (as xfreerdp's +auth-only), for servers
 * that go on with RDP (freerdp-shadow-cli).  -D delegates the credentials
 * (ISC_REQ_DELEGATE; without it the server gets empty ones).  -P sets
 * requestedProtocols (default 3: SSL | HYBRID).  -v tells each step.
 *
 * Exit status: 0 authenticated (and, without -a, every message echoed);
 * 2 the logon was refused (an error status of InitializeSecurityContext,
 * or the server hung up in the middle of the handshake); 3 the server
 * refused the negotiation (RDP_NEG_FAILURE) or did not select HYBRID;
 * 1 anything else.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <ksspi/ktls.h>
#include <ksspi/sspi.h>
#include "rdp_user.h"
#include "rdp_x224.h"

#define CLIENT_ISC_REQ	(ISC_REQ_CONFIDENTIALITY | ISC_REQ_STREAM | \
			 ISC_REQ_EXTENDED_ERROR | ISC_REQ_REPLAY_DETECT | \
			 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_ALLOCATE_MEMORY | \
			 ISC_REQ_MANUAL_CRED_VALIDATION | \
			 ISC_REQ_USE_SUPPLIED_CREDS)

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_REFUSED = 2, EXIT_NEGOTIATION = 3 };

static int verbose;

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int fd = -1, one = 1, err;

	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		fprintf(stderr, "%s: %s\n", host, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		perror("connect");
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* X.224 Connection Request out, Connection Confirm in */
static int negotiate(int fd, unsigned int protocols)
{
	static const char cookie[] = RDP_COOKIE_PREFIX "mstshash=ksspi\r\n";
	unsigned char cr[RDP_X224_CR_MAX_LEN], cc[RDP_X224_CR_MAX_LEN];
	unsigned int len = RDP_X224_CR_MIN_LEN + sizeof(cookie) - 1 +
			   RDP_NEG_LEN, value, cclen;
	unsigned char neg_type;
	unsigned char *p = cr;

	*p++ = RDP_TPKT_VERSION;
	*p++ = 0;
	*p++ = len >> 8;
	*p++ = len & 0xff;
	*p++ = len - RDP_TPKT_HEADER_LEN - 1;
	*p++ = RDP_X224_CR;
	memset(p, 0, 5);		/* DST-REF, SRC-REF, class 0 */
	p += 5;
	memcpy(p, cookie, sizeof(cookie) - 1);
	p += sizeof(cookie) - 1;
	*p++ = RDP_NEG_TYPE_REQ;
	*p++ = 0;
	*p++ = RDP_NEG_LEN;
	*p++ = 0;
	rdp_put_le32(p, protocols);

	if (rdp_send_all(fd, cr, len) ||
	    rdp_recv_all(fd, cc, RDP_TPKT_HEADER_LEN)) {
		fprintf(stderr, "X.224: the server closed the connection\n");
		return EXIT_FAIL;
	}
	cclen = rdp_tpkt_length(cc);
	if (cclen < RDP_X224_CR_MIN_LEN || cclen > sizeof(cc) ||
	    rdp_recv_all(fd, cc + RDP_TPKT_HEADER_LEN,
			 cclen - RDP_TPKT_HEADER_LEN) ||
	    rdp_parse_conn_confirm(cc, cclen, &neg_type, &value)) {
		fprintf(stderr, "X.224: no valid Connection Confirm\n");
		return EXIT_FAIL;
	}
	if (neg_type == RDP_NEG_TYPE_FAILURE) {
		printf("X.224: RDP_NEG_FAILURE, failureCode %u%s\n", value,
		       value == RDP_HYBRID_REQUIRED_BY_SERVER ?
		       " (HYBRID_REQUIRED_BY_SERVER)" : "");
		return EXIT_NEGOTIATION;
	}
	if (neg_type != RDP_NEG_TYPE_RSP || value != RDP_PROTOCOL_HYBRID) {
		printf("X.224: the server selected protocol 0x%08x, not HYBRID\n",
		       neg_type ? value : 0);
		return EXIT_NEGOTIATION;
	}
	if (verbose)
		printf("X.224: Connection Confirm selects PROTOCOL_HYBRID\n");
	return EXIT_OK;
}

/* CredSSP's client, until SEC_E_OK; returns an exit status */
static int initialize(struct rdp_input *in, CredHandle *cred,
		      const char *target, unsigned long req, CtxtHandle *ctx,
		      bool *have_ctx)
{
	SecBuffer in_bufs[2], out_buf;
	SecBufferDesc in_desc = { SECBUFFER_VERSION, 2, in_bufs };
	SecBufferDesc out = { SECBUFFER_VERSION, 1, &out_buf };
	bool first = true, need_input = false;
	SECURITY_STATUS st;
	ULONG attr = 0;
	unsigned int leg = 0;
	long extra;

	for (;;) {
		if (need_input && rdp_input_more(in)) {
			fprintf(stderr, "CredSSP: the server closed the connection during the handshake\n");
			return EXIT_REFUSED;
		}
		in_bufs[0] = (SecBuffer){ (ULONG)in->len, SECBUFFER_TOKEN,
					  in->buf };
		in_bufs[1] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
		out_buf = (SecBuffer){ 0, SECBUFFER_TOKEN, NULL };
		st = InitializeSecurityContextA(first ? cred : NULL,
						*have_ctx ? ctx : NULL, target,
						(ULONG)req, 0,
						SECURITY_NATIVE_DREP,
						first ? NULL : &in_desc, 0,
						*have_ctx ? NULL : ctx, &out,
						&attr, NULL);
		if (verbose)
			printf("InitializeSecurityContext leg %u: %zu bytes in, %s, %u bytes out%s\n",
			       ++leg, first ? 0 : in->len, rdp_status_name(st),
			       (unsigned int)out_buf.cbBuffer,
			       in_bufs[1].BufferType == SECBUFFER_EXTRA ?
			       ", extra input" : "");
		if (st == SEC_E_INCOMPLETE_MESSAGE && !first) {
			FreeContextBuffer(out_buf.pvBuffer);
			need_input = true;
			continue;
		}
		/* an error token tells the server why */
		if (out_buf.cbBuffer &&
		    rdp_send_all(in->fd, out_buf.pvBuffer, out_buf.cbBuffer) &&
		    SEC_SUCCESS(st)) {
			FreeContextBuffer(out_buf.pvBuffer);
			fprintf(stderr, "CredSSP: sending a token failed\n");
			return EXIT_FAIL;
		}
		FreeContextBuffer(out_buf.pvBuffer);
		if (!SEC_SUCCESS(st)) {
			printf("CredSSP: InitializeSecurityContext: %s (0x%08x)\n",
			       rdp_status_name(st), (unsigned int)st);
			return EXIT_REFUSED;
		}
		*have_ctx = true;
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
			fprintf(stderr, "CredSSP: unexpected %s\n",
				rdp_status_name(st));
			return EXIT_FAIL;
		}
		extra = first ? 0 : rdp_input_keep_extra(in, &in_bufs[1]);
		if (extra < 0)
			return EXIT_FAIL;
		first = false;
		if (st == SEC_E_OK) {
			if (!(attr & ISC_RET_CONFIDENTIALITY)) {
				fprintf(stderr, "CredSSP: no confidentiality (attributes 0x%08x)\n",
					(unsigned int)attr);
				return EXIT_FAIL;
			}
			return EXIT_OK;
		}
		need_input = extra == 0;
	}
}

/* Reads one X.224 Data TPDU into @pdu: its user data's length, or -1 */
static int recv_data(struct rdp_input *in, unsigned char *pdu, size_t cap)
{
	long len = rdp_recv_tpkt(in, pdu, cap);

	return len < 0 ? -1 : rdp_parse_data(pdu, (size_t)len);
}

/* Reads the echo of @text: 0, or -1 */
static int recv_echo(struct rdp_input *in, const char *text,
		     unsigned char *pdu, size_t cap)
{
	size_t tlen = strlen(text);
	int n = recv_data(in, pdu, cap);

	return n >= 0 && (size_t)n == tlen &&
	       !memcmp(pdu + RDP_DT_HEADER_LEN, text, tlen) ? 0 : -1;
}

/*
 * Over kTLS: COUNT messages echoed; the greeting comes after the first
 * one, before its echo
 */
static int talk(struct rdp_input *in, const char *text, unsigned long count)
{
	static unsigned char pdu[RDP_MAX_PDU];
	unsigned long i;
	int n;

	for (i = 0; i < count; i++) {
		if (rdp_send_data(in->fd, text, strlen(text))) {
			fprintf(stderr, "message %lu: send failed\n", i + 1);
			return EXIT_FAIL;
		}
		if (i == 0) {
			n = recv_data(in, pdu, sizeof(pdu));
			if (n < 0) {
				fprintf(stderr, "no greeting from the server over kTLS\n");
				return EXIT_FAIL;
			}
			printf("server: %.*s", n,
			       (const char *)pdu + RDP_DT_HEADER_LEN);
			if (n == 0 || pdu[RDP_DT_HEADER_LEN + n - 1] != '\n')
				printf("\n");
		}
		if (recv_echo(in, text, pdu, sizeof(pdu))) {
			fprintf(stderr, "message %lu: no echo\n", i + 1);
			return EXIT_FAIL;
		}
	}
	printf("%lu messages echoed over kTLS\n", count);
	return EXIT_OK;
}

static void usage(void)
{
	fprintf(stderr, "usage: ksspi-rdp-nla-client [-v] [-a] [-D] [-H HOST] [-p PORT] -u USER [-d DOMAIN]\n"
			"                            -w PASSWORD [-P PROTOCOLS] [-m TEXT] [-n COUNT]\n");
	exit(EXIT_FAIL);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = "3390", *user = NULL;
	const char *domain = "", *password = NULL, *text = "Hello over kTLS";
	unsigned long protocols = RDP_PROTOCOL_SSL | RDP_PROTOCOL_HYBRID;
	unsigned long count = 3, req = CLIENT_ISC_REQ;
	SEC_WINNT_AUTH_IDENTITY_A id;
	SecPkgContext_NamesA names = { NULL };
	static struct rdp_input in;
	char target[300], records[96];
	bool auth_only = false, have_ctx = false;
	CredHandle cred;
	CtxtHandle ctx;
	SECURITY_STATUS st;
	struct timeval tv = { .tv_sec = 30 };
	int opt, rc;

	while ((opt = getopt(argc, argv, "vaDH:p:u:d:w:P:m:n:")) != -1) {
		switch (opt) {
		case 'v': verbose = 1; break;
		case 'a': auth_only = true; break;
		case 'D': req |= ISC_REQ_DELEGATE; break;
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		case 'u': user = optarg; break;
		case 'd': domain = optarg; break;
		case 'w': password = optarg; break;
		case 'P': protocols = strtoul(optarg, NULL, 0); break;
		case 'm': text = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind != argc || !user || !password ||
	    strlen(text) > RDP_MAX_PDU - RDP_DT_HEADER_LEN)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	id = (SEC_WINNT_AUTH_IDENTITY_A){
		.User = (unsigned char *)user, .UserLength = strlen(user),
		.Domain = (unsigned char *)domain,
		.DomainLength = strlen(domain),
		.Password = (unsigned char *)password,
		.PasswordLength = strlen(password),
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	st = AcquireCredentialsHandleA(NULL, "CredSSP", SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &cred, NULL);
	if (st != SEC_E_OK) {
		fprintf(stderr, "AcquireCredentialsHandle(CredSSP): %s (0x%08x)\n",
			rdp_status_name(st), (unsigned int)st);
		return EXIT_FAIL;
	}

	in.fd = connect_to(host, port);
	if (in.fd < 0) {
		FreeCredentialsHandle(&cred);
		return EXIT_FAIL;
	}
	setsockopt(in.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rc = negotiate(in.fd, (unsigned int)protocols);
	snprintf(target, sizeof(target), "TERMSRV/%s", host);
	if (rc == EXIT_OK)
		rc = initialize(&in, &cred, target, req, &ctx, &have_ctx);
	if (rc == EXIT_OK) {
		if (QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &names) !=
		    SEC_E_OK)
			names.sUserName = NULL;
		rdp_describe_records(&ctx, records, sizeof(records));
		printf("authenticated as %s (%s)\n",
		       names.sUserName ? names.sUserName : "(no name)",
		       records);
		FreeContextBuffer(names.sUserName);
	}
	if (rc == EXIT_OK && !auth_only) {
		if (rdp_open_early_records(&ctx, &in)) {
			rc = EXIT_FAIL;
		} else {
			st = KsspiInstallKtls(&ctx, in.fd,
					      KSSPI_KTLS_TX | KSSPI_KTLS_RX);
			if (st != SEC_E_OK) {
				fprintf(stderr, "KsspiInstallKtls: %s (0x%08x)\n",
					rdp_status_name(st), (unsigned int)st);
				rc = EXIT_FAIL;
			} else {
				if (verbose)
					printf("kTLS installed on the socket (TX and RX)\n");
				rc = talk(&in, text, count);
			}
		}
	}
	if (have_ctx)
		DeleteSecurityContext(&ctx);
	FreeCredentialsHandle(&cred);
	close(in.fd);
	return rc;
}
