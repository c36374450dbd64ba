// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksspi-rdp-nla-server: the userspace twin of ksspi_rdp_nla.ko, on
 * libksspi.  It listens on 127.0.0.1:PORT, answers each client's X.224
 * Connection Request by selecting PROTOCOL_HYBRID, runs CredSSP's server
 * with AcceptSecurityContext, hands the TLS session to kTLS on its socket
 * (KsspiInstallKtls), greets the user by name and echoes X.224 Data TPDUs.
 *
 *   ksspi-rdp-nla-server [-v] [-p PORT] [-n COUNT] [-t SECONDS]
 *
 * One line per connection on standard output says how it ended:
 *
 *   127.0.0.1:40522: user TESTDOM\alice authenticated (TLS 1.3 records ...)
 *   127.0.0.1:40522: kTLS installed; 3 TPDUs echoed, connection closed
 *   127.0.0.1:40530: logon failed: SEC_E_LOGON_DENIED (0x8009030c)
 *   127.0.0.1:40534: connection ended: no-hybrid
 *
 * "listening on 127.0.0.1:PORT" comes first, once the socket listens.  It
 * serves connections one after the other, COUNT of them (0, the default:
 * until killed), and exits 0; 1 when it cannot start.  -t limits how long
 * a client may keep it waiting (30 s).  -v shows each leg.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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

/* The same requirements as the kernel's front door */
#define SERVER_ASC_REQ	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_STREAM | \
			 ASC_REQ_EXTENDED_ERROR | ASC_REQ_REPLAY_DETECT | \
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_ALLOCATE_MEMORY)
#define MAX_ECHOES	1024

static int verbose;
static CredHandle server_cred;

struct conn {
	struct rdp_input in;
	char peer[64];
	CtxtHandle ctx;
	bool have_ctx;
	unsigned char pdu[RDP_MAX_PDU];
};

/* X.224 CR in, CC out; true when CredSSP comes next */
static bool negotiate(struct conn *c, const char **why)
{
	unsigned char pkt[RDP_X224_CR_MAX_LEN], cc[RDP_CC_LEN];
	struct rdp_conn_request cr;
	unsigned int len;

	*why = "closed";
	if (rdp_recv_all(c->in.fd, pkt, RDP_TPKT_HEADER_LEN))
		return false;
	len = rdp_tpkt_length(pkt);
	if (len < RDP_X224_CR_MIN_LEN || len > RDP_X224_CR_MAX_LEN) {
		*why = "malformed";
		return false;
	}
	if (rdp_recv_all(c->in.fd, pkt + RDP_TPKT_HEADER_LEN,
			 len - RDP_TPKT_HEADER_LEN))
		return false;
	if (rdp_parse_conn_request(pkt, len, &cr)) {
		*why = "malformed";
		return false;
	}
	if (verbose)
		printf("%s: X.224 Connection Request: requestedProtocols 0x%08x%s\n",
		       c->peer, cr.requested_protocols,
		       cr.has_neg_req ? "" : " (no RDP_NEG_REQ)");
	if (!(cr.requested_protocols & RDP_PROTOCOL_HYBRID)) {
		rdp_build_conn_confirm(cc, RDP_NEG_TYPE_FAILURE,
				       RDP_HYBRID_REQUIRED_BY_SERVER);
		rdp_send_all(c->in.fd, cc, sizeof(cc));
		*why = "no-hybrid";
		return false;
	}
	rdp_build_conn_confirm(cc, RDP_NEG_TYPE_RSP, RDP_PROTOCOL_HYBRID);
	return rdp_send_all(c->in.fd, cc, sizeof(cc)) == 0;
}

/* CredSSP's server; SEC_E_INCOMPLETE_MESSAGE when the client went away */
static SECURITY_STATUS accept_loop(struct conn *c)
{
	SecBuffer in_bufs[2], out_buf;
	SecBufferDesc in = { SECBUFFER_VERSION, 2, in_bufs };
	SecBufferDesc out = { SECBUFFER_VERSION, 1, &out_buf };
	bool need_input = true;
	SECURITY_STATUS st;
	ULONG attr = 0;
	unsigned int leg = 0;
	long extra;

	for (;;) {
		if (need_input && rdp_input_more(&c->in))
			return SEC_E_INCOMPLETE_MESSAGE;
		in_bufs[0] = (SecBuffer){ (ULONG)c->in.len, SECBUFFER_TOKEN,
					  c->in.buf };
		in_bufs[1] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
		out_buf = (SecBuffer){ 0, SECBUFFER_TOKEN, NULL };
		st = AcceptSecurityContext(c->have_ctx ? NULL : &server_cred,
					   c->have_ctx ? &c->ctx : NULL, &in,
					   SERVER_ASC_REQ, SECURITY_NATIVE_DREP,
					   c->have_ctx ? NULL : &c->ctx, &out,
					   &attr, NULL);
		if (verbose)
			printf("%s: AcceptSecurityContext leg %u: %zu bytes in, %s, %u bytes out%s\n",
			       c->peer, ++leg, c->in.len, rdp_status_name(st),
			       (unsigned int)out_buf.cbBuffer,
			       in_bufs[1].BufferType == SECBUFFER_EXTRA ?
			       ", extra input" : "");
		if (st == SEC_E_INCOMPLETE_MESSAGE) {
			FreeContextBuffer(out_buf.pvBuffer);
			need_input = true;
			continue;
		}
		/* Every token goes out, a failed leg's error token too. */
		if (out_buf.cbBuffer &&
		    rdp_send_all(c->in.fd, out_buf.pvBuffer, out_buf.cbBuffer) &&
		    SEC_SUCCESS(st))
			st = SEC_E_INTERNAL_ERROR;
		FreeContextBuffer(out_buf.pvBuffer);
		if (!SEC_SUCCESS(st))
			return st;
		c->have_ctx = true;
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
			return SEC_E_INTERNAL_ERROR;
		extra = rdp_input_keep_extra(&c->in, &in_bufs[1]);
		if (extra < 0)
			return SEC_E_INTERNAL_ERROR;
		if (st == SEC_E_OK)
			return (attr & ASC_RET_CONFIDENTIALITY) ?
			       SEC_E_OK : SEC_E_UNSUPPORTED_FUNCTION;
		need_input = extra == 0;
	}
}

/* Over kTLS: a greeting naming the user, then the echo */
static unsigned int carry_on(struct conn *c, const char *user)
{
	unsigned int echoed = 0;
	char hello[RDP_MAX_NAME + 64];
	int n;
	long len;

	n = snprintf(hello, sizeof(hello),
		     "ksspi-rdp-nla-server: hello %s\n", user);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(hello))
		n = sizeof(hello) - 1;
	if (rdp_send_data(c->in.fd, hello, (size_t)n))
		return 0;
	while (echoed < MAX_ECHOES) {
		len = rdp_recv_tpkt(&c->in, c->pdu, sizeof(c->pdu));
		if (len < 0 || rdp_parse_data(c->pdu, (size_t)len) < 0 ||
		    rdp_send_all(c->in.fd, c->pdu, (size_t)len))
			break;
		echoed++;
	}
	return echoed;
}

static void serve(struct conn *c)
{
	SecPkgContext_NamesA names = { NULL };
	char records[96];
	const char *why, *user;
	SECURITY_STATUS st;

	if (!negotiate(c, &why)) {
		printf("%s: connection ended: %s\n", c->peer, why);
		return;
	}
	st = accept_loop(c);
	if (st == SEC_E_INCOMPLETE_MESSAGE) {
		printf("%s: connection ended: closed\n", c->peer);
		return;
	}
	if (st != SEC_E_OK) {
		printf("%s: logon failed: %s (0x%08x)\n", c->peer,
		       rdp_status_name(st), (unsigned int)st);
		return;
	}
	if (QueryContextAttributesA(&c->ctx, SECPKG_ATTR_NAMES, &names) !=
	    SEC_E_OK)
		names.sUserName = NULL;
	user = names.sUserName ? names.sUserName : "(no name)";
	rdp_describe_records(&c->ctx, records, sizeof(records));
	printf("%s: user %s authenticated (%s)\n", c->peer, user, records);
	fflush(stdout);

	if (rdp_open_early_records(&c->ctx, &c->in) == 0) {
		st = KsspiInstallKtls(&c->ctx, c->in.fd,
				      KSSPI_KTLS_TX | KSSPI_KTLS_RX);
		if (st == SEC_E_OK) {
			unsigned int echoed = carry_on(c, user);

			printf("%s: kTLS installed; %u TPDUs echoed, connection closed\n",
			       c->peer, echoed);
		} else {
			printf("%s: no kTLS: %s (0x%08x)%s\n", c->peer,
			       rdp_status_name(st), (unsigned int)st,
			       st == SEC_E_INVALID_PARAMETER ?
			       ", the client has probably hung up" : "");
		}
	}
	FreeContextBuffer(names.sUserName);
}

static int listen_on(unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: ksspi-rdp-nla-server [-v] [-p PORT] [-n COUNT] [-t SECONDS]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned long port = RDP_DEFAULT_PORT, count = 0, secs = 30, served;
	struct timeval tv;
	struct conn *c;
	SECURITY_STATUS st;
	int opt, lfd;

	while ((opt = getopt(argc, argv, "vp:n:t:")) != -1) {
		switch (opt) {
		case 'v': verbose = 1; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind != argc || !port || port > 65535 || !secs)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Default credentials: ksspid's certificate and user database */
	st = AcquireCredentialsHandleA(NULL, "CredSSP", SECPKG_CRED_INBOUND,
				       NULL, NULL, NULL, NULL, &server_cred,
				       NULL);
	if (st != SEC_E_OK) {
		fprintf(stderr, "AcquireCredentialsHandle(CredSSP): %s (0x%08x)\n",
			rdp_status_name(st), (unsigned int)st);
		return 1;
	}
	lfd = listen_on((unsigned short)port);
	c = malloc(sizeof(*c));
	if (lfd < 0 || !c) {
		perror("ksspi-rdp-nla-server: listen");
		return 1;
	}
	printf("listening on 127.0.0.1:%lu\n", port);

	tv = (struct timeval){ .tv_sec = (time_t)secs };
	for (served = 0; !count || served < count; served++) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
				 SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("accept");
			break;
		}
		memset(c, 0, sizeof(*c));
		c->in.fd = fd;
		snprintf(c->peer, sizeof(c->peer), "%s:%u",
			 inet_ntoa(peer.sin_addr), ntohs(peer.sin_port));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		serve(c);
		if (c->have_ctx)
			DeleteSecurityContext(&c->ctx);
		close(fd);
	}
	free(c);
	close(lfd);
	FreeCredentialsHandle(&server_cred);
	return 0;
}
