// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksspi-rdp-nla-server: the userspace twin of ksspi_rdp_nla.ko, on
 * libksspi.  It listens on 127.0.0.1:PORT, answers each client's X.224
 * Connection Request by selecting PROTOCOL_HYBRID, runs CredSSP's server
 * with AcceptSecurityContext and hands the TLS session to kTLS on its
 * socket (KsspiInstallKtls).  Then an RDP client's MCS Connect Initial
 * starts the RDP connection sequence (rdp_seq.c, shared with the kernel
 * module), taken as far as activation, after which the session is logged
 * off; any other first X.224 Data TPDU gets a greeting naming the user
 * and is echoed, as are the ones after it.
 *
 *   ksspi-rdp-nla-server [-v] [-p PORT] [-n COUNT] [-t SECONDS]
 *
 * One line per connection on standard output says how it ended:
 *
 *   127.0.0.1:40522: user TESTDOM\alice authenticated (TLS 1.3 records ...)
 *   127.0.0.1:40522: kTLS installed; 3 TPDUs echoed, connection closed
 *   127.0.0.1:40526: kTLS installed; RDP connection sequence active: Client
 *     Info names TESTDOM\alice (the authenticated user); logged off,
 *     connection closed (on one line)
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
#include "rdp_seq.h"
#include "rdp_user.h"
#include "rdp_x224.h"

/* The same requirements as the kernel's front door */
#define SERVER_ASC_REQ	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_STREAM | \
			 ASC_REQ_EXTENDED_ERROR | ASC_REQ_REPLAY_DETECT | \
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_ALLOCATE_MEMORY)
#define MAX_ECHOES	1024
/* Seconds the client gets to close after the server's last PDUs */
#define LINGER_SECONDS	2

static int verbose;
static CredHandle server_cred;

struct conn {
	struct rdp_input in;
	char peer[64];
	CtxtHandle ctx;
	bool have_ctx;
	unsigned int requested_protocols;
	unsigned char pdu[RDP_MAX_PDU];
	struct rdp_seq seq;
	unsigned char out[RDP_SEQ_MAX_OUT];
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
	c->requested_protocols = cr.requested_protocols;
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

/* Over kTLS: a greeting naming the user, then the echo from @len bytes in @c->pdu on */
static unsigned int echo(struct conn *c, long len, const char *user)
{
	unsigned int echoed = 0;
	char hello[RDP_MAX_NAME + 64];
	int n;

	if (len < 0)
		return 0;
	n = snprintf(hello, sizeof(hello),
		     "ksspi-rdp-nla-server: hello %s\n", user);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(hello))
		n = sizeof(hello) - 1;
	if (rdp_send_data(c->in.fd, hello, (size_t)n))
		return 0;
	while (echoed < MAX_ECHOES) {
		if (len < 0 || rdp_parse_data(c->pdu, (size_t)len) < 0 ||
		    rdp_send_all(c->in.fd, c->pdu, (size_t)len))
			break;
		echoed++;
		len = rdp_recv_tpkt(&c->in, c->pdu, sizeof(c->pdu));
	}
	return echoed;
}

/*
 * After the server's last PDUs: it sends nothing more, and reads and
 * drops what the client still sends until the client closes (or a short
 * while), so that the client reads them before any reset.
 */
static void linger(int fd)
{
	struct timeval tv = { .tv_sec = LINGER_SECONDS };
	char buf[512];
	int i;

	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < 16; i++)
		if (recv(fd, buf, sizeof(buf), 0) <= 0)
			break;
}

/*
 * The RDP connection sequence from the MCS Connect Initial in @c->pdu
 * (@len bytes) to activation; then, as there is no desktop, a logoff (Set
 * Error Info ERRINFO_LOGOFF_BY_USER and the Disconnect Provider
 * Ultimatum).  A client that breaks the sequence gets the ultimatum.
 */
static void rdp_session(struct conn *c, size_t len, const char *user)
{
	struct rdp_seq *seq = &c->seq;
	long got;
	int n;

	rdp_seq_init(seq, c->requested_protocols, RDP_PROTOCOL_HYBRID);
	for (;;) {
		n = rdp_seq_input(seq, c->pdu, len, c->out, sizeof(c->out));
		/* the Client Info PDU carries the user's password */
		explicit_bzero(c->pdu, len);
		if (verbose)
			printf("%s: RDP: %zu bytes in, %d out, %s\n", c->peer,
			       len, n, rdp_seq_state_name(seq->state));
		if (n < 0 || rdp_send_all(c->in.fd, c->out, (size_t)n) ||
		    seq->state == RDP_SEQ_ACTIVE)
			break;
		got = rdp_recv_tpkt(&c->in, c->pdu, sizeof(c->pdu));
		if (got < 0)
			break;
		len = (size_t)got;
	}
	if (seq->state == RDP_SEQ_ACTIVE ||
	    (seq->error != RDP_SEQ_OK && seq->error != RDP_SEQ_DISCONNECTED)) {
		n = rdp_seq_build_close(seq, RDP_ERRINFO_LOGOFF_BY_USER, c->out,
					sizeof(c->out));
		if (n > 0 && !rdp_send_all(c->in.fd, c->out, (size_t)n))
			linger(c->in.fd);
	}
	if (seq->state == RDP_SEQ_ACTIVE)
		printf("%s: kTLS installed; RDP connection sequence active: Client Info names %s (%s); logged off, connection closed\n",
		       c->peer, seq->info_user,
		       rdp_seq_same_user(user, seq->info_user) ?
		       "the authenticated user" : "not the authenticated user");
	else if (seq->error != RDP_SEQ_OK)
		printf("%s: kTLS installed; RDP connection sequence stopped in %s: %s: %s; connection closed\n",
		       c->peer, rdp_seq_state_name(seq->state),
		       rdp_seq_error_name(seq->error), seq->why);
	else
		printf("%s: kTLS installed; RDP connection sequence: the client left in %s; connection closed\n",
		       c->peer, rdp_seq_state_name(seq->state));
}

/*
 * Over kTLS, the client's first TPDU decides: an MCS Connect Initial
 * starts the RDP connection sequence, anything else the greeting and the
 * echo.  Prints how the connection ended.
 */
static void carry_on(struct conn *c, const char *user)
{
	long len = rdp_recv_tpkt(&c->in, c->pdu, sizeof(c->pdu));

	if (len >= 0 && rdp_seq_starts(c->pdu, (size_t)len))
		rdp_session(c, (size_t)len, user);
	else
		printf("%s: kTLS installed; %u TPDUs echoed, connection closed\n",
		       c->peer, echo(c, len, user));
	/* what is left of a TPKT cut short */
	explicit_bzero(c->pdu, sizeof(c->pdu));
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
			carry_on(c, user);
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
