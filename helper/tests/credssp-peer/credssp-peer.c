// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * credssp-peer: ksspid's CredSSP package, with its NTLM and its GnuTLS,
 * in one process on a TCP socket: the userspace peer of a ksspi context
 * that hands its TLS session to kTLS (selftests/interop/credssp_gnutls).
 * It runs the client or the server legs over the socket, then carries on
 * the same TLS session itself: the package's own gnutls_session_t, with
 * gnutls_record_send() and gnutls_record_recv() on the socket, and runs
 * the steps of its command line.
 *
 * The package makes its GnuTLS session in tls.c and never hands it out;
 * this program is linked with -Wl,--wrap=gnutls_init and keeps the session
 * gnutls_init() gave (there is one per connection, and one connection).
 *
 * Usage:
 *	credssp-peer server -c CERT -k KEY -U USERS [-D DOMAIN] [-C COMPUTER]
 *		STEP...
 *	credssp-peer client -p PORT -u USER -d DOMAIN -w PASSWORD -t TARGET
 *		STEP...
 *
 * A server listens on an ephemeral port of 127.0.0.1 and accepts one
 * connection; a client connects to 127.0.0.1:PORT.  Output lines:
 *
 *	LISTEN <port>			server, before it accepts
 *	STATUS <hex>			the handshake's last status
 *	CLIENT <DOMAIN\user>		server: whom the inner package saw
 *	TLS <version hex> <cipher>	the session's
 *	<step> ok [<what>]		a step done
 *	<step> FAIL <why>		a step failed; the peer stops
 *
 * The steps, after the handshake:
 *	send:N		N bytes of pattern N with gnutls_record_send(), which
 *			cuts them into records of at most 16 KiB
 *	recv:N		N bytes with gnutls_record_recv(): pattern N
 *	ticket		a TLS 1.3 NewSessionTicket (gnutls_session_ticket_send,
 *			servers only)
 *	keyupdate	a TLS 1.3 KeyUpdate: new keys for what this side sends
 *			(gnutls_session_key_update(), update not requested)
 *	bye		a close_notify alert (gnutls_bye(), GNUTLS_SHUT_WR)
 *	eof		the peer ends the connection: gnutls_record_recv()
 *			gives 0 (close_notify), GNUTLS_E_PREMATURE_TERMINATION
 *			(closed) or a pull error with ECONNRESET (reset: the
 *			peer closed with data it had not read)
 *
 * Byte i of pattern N is (i * 7 + N) mod 256.  Exit status: 0 when the
 * handshake and every step succeeded, 1 otherwise, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "credssp/credssp.h"
#include "log.h"
#include "message.h"
#include "ntlm/ntlm.h"

#define READ_CHUNK	16384
#define MAX_LEGS	64
#define SOCKET_TIMEOUT	30	/* seconds */

#define ISC_REQ (ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY |		\
		 ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |	\
		 ISC_REQ_STREAM | ISC_REQ_EXTENDED_ERROR |		\
		 ISC_REQ_MANUAL_CRED_VALIDATION)
#define ASC_REQ (ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY |		\
		 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT |	\
		 ASC_REQ_STREAM | ASC_REQ_EXTENDED_ERROR)

struct peer {
	bool initiator;
	int fd;
	struct credssp_state *state;
	const char *user, *domain, *password, *target;
	gnutls_session_t session;	/* once the handshake is done */
};

/* The last session gnutls_init() made: the package's */
static gnutls_session_t made_session;

int __real_gnutls_init(gnutls_session_t *session, unsigned int flags);
int __wrap_gnutls_init(gnutls_session_t *session, unsigned int flags);

int __wrap_gnutls_init(gnutls_session_t *session, unsigned int flags)
{
	int ret = __real_gnutls_init(session, flags);

	if (ret == GNUTLS_E_SUCCESS)
		made_session = *session;
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: credssp-peer server -c CERT -k KEY -U USERS [-D DOMAIN] [-C COMPUTER] STEP...\n"
		"       credssp-peer client -p PORT -u USER -d DOMAIN -w PASSWORD -t TARGET STEP...\n"
		"steps: send:N recv:N ticket keyupdate bye eof\n");
	exit(2);
}

static uint8_t pattern_byte(size_t i, size_t n)
{
	return (uint8_t)(i * 7 + n);
}

static int send_all(int fd, const uint8_t *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Appends what the socket has (at least a byte) to @in: 0, or -1. */
static int read_more(int fd, struct bytes *in)
{
	uint8_t buf[READ_CHUNK];
	ssize_t n;

	do {
		n = recv(fd, buf, sizeof(buf), 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		fprintf(stderr, "credssp-peer: recv: %s\n",
			n ? strerror(errno) : "the connection ended");
		return -1;
	}
	if (bytes_append(in, buf, (size_t)n))
		abort();
	return 0;
}

/* One leg of the package on @len bytes of input. */
static void run_leg(struct peer *p, bool first, const uint8_t *in,
		    size_t len, struct reply *r)
{
	struct upcall up = {
		.op = p->initiator ? KSSPI_OP_INIT_CONTEXT :
				     KSSPI_OP_ACCEPT_CONTEXT,
		.context_req = p->initiator ? ISC_REQ : ASC_REQ,
		.uid = (uint32_t)getuid(),
		.pid = (uint32_t)getpid(),
		.session_id = 1,
		.credential_id = 1,
	};

	up.package = strdup(CREDSSP_PACKAGE_NAME);
	if (!up.package)
		abort();
	up.present = UPCALL_BIT(KSSPI_A_OP) | UPCALL_BIT(KSSPI_A_CONTEXT_REQ) |
		     UPCALL_BIT(KSSPI_A_UID) | UPCALL_BIT(KSSPI_A_PID) |
		     UPCALL_BIT(KSSPI_A_FLAGS) | UPCALL_BIT(KSSPI_A_PACKAGE) |
		     UPCALL_BIT(KSSPI_A_SESSION_ID) |
		     UPCALL_BIT(KSSPI_A_CREDENTIAL_ID);
	if (first) {
		up.flags = KSSPI_UPCALL_F_FIRST_LEG;
		if (p->initiator) {
			up.user = strdup(p->user);
			up.domain = strdup(p->domain);
			up.target_name = strdup(p->target);
			if (!up.user || !up.domain || !up.target_name ||
			    bytes_append(&up.password, p->password,
					 strlen(p->password)))
				abort();
			up.present |= UPCALL_BIT(UPCALL_USER) |
				      UPCALL_BIT(UPCALL_DOMAIN) |
				      UPCALL_BIT(UPCALL_PASSWORD) |
				      UPCALL_BIT(KSSPI_A_TARGET_NAME);
		}
	}
	if (len) {
		if (bytes_append(&up.token, in, len))
			abort();
		up.present |= UPCALL_BIT(KSSPI_A_TOKEN);
	}
	*r = (struct reply){ 0 };
	pkg_credssp.step(p->state, &up, r);
	upcall_free(&up);
}

/*
 * The legs over the socket, the way Schannel's callers run them: more
 * input after SEC_E_INCOMPLETE_MESSAGE, the SECBUFFER_EXTRA tail passed
 * again at once, every token sent (a failing leg's error token too).
 */
static uint32_t handshake(struct peer *p)
{
	struct bytes in = { 0 }, rest = { 0 };
	bool first = true;
	unsigned int legs;
	uint32_t status = SEC_E_INTERNAL_ERROR;
	struct reply r;

	if (p->initiator) {
		run_leg(p, true, NULL, 0, &r);
		status = r.status;
		first = false;
		if (send_all(p->fd, r.token.data, r.token.len))
			status = SEC_E_INTERNAL_ERROR;
		reply_clear(&r);
		if (status != SEC_I_CONTINUE_NEEDED)
			return status;
	}
	for (legs = 0; legs < MAX_LEGS; legs++) {
		if (!in.len && read_more(p->fd, &in)) {
			status = SEC_E_INTERNAL_ERROR;
			break;
		}
		run_leg(p, first, in.data, in.len, &r);
		status = r.status;
		if (status == SEC_E_INCOMPLETE_MESSAGE) {
			reply_clear(&r);
			if (read_more(p->fd, &in)) {
				status = SEC_E_INTERNAL_ERROR;
				break;
			}
			continue;
		}
		first = false;
		if (r.token.len && send_all(p->fd, r.token.data, r.token.len))
			status = SEC_E_INTERNAL_ERROR;
		if (status == SEC_I_CONTINUE_NEEDED || status == SEC_E_OK) {
			size_t extra = r.input_extra;

			if (extra > in.len)
				abort();
			bytes_free(&rest);
			if (bytes_append(&rest, in.data + in.len - extra,
					 extra))
				abort();
			bytes_free(&in);
			in = rest;
			rest = (struct bytes){ 0 };
		}
		reply_clear(&r);
		if (status != SEC_I_CONTINUE_NEEDED)
			break;
	}
	if (status == SEC_E_OK && in.len) {
		/* What followed the last token would be lost to kTLS */
		fprintf(stderr, "credssp-peer: %zu bytes after the last token\n",
			in.len);
		status = SEC_E_INTERNAL_ERROR;
	}
	bytes_free(&in);
	return status;
}

/* The session from here on: the socket is its transport. */
static ssize_t sock_push(gnutls_transport_ptr_t ptr, const void *data,
			 size_t len)
{
	return send((int)(intptr_t)ptr, data, len, MSG_NOSIGNAL);
}

/* errno of the last recv() that failed */
static int pull_errno;

static ssize_t sock_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	ssize_t n = recv((int)(intptr_t)ptr, data, len, 0);

	if (n < 0)
		pull_errno = errno;
	return n;
}

static int sock_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct pollfd pfd = { .fd = (int)(intptr_t)ptr, .events = POLLIN };

	return poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

static int take_session(struct peer *p)
{
	if (!made_session ||
	    gnutls_transport_get_ptr(made_session) != (void *)p->state->tls) {
		fprintf(stderr, "credssp-peer: not the package's session\n");
		return -1;
	}
	p->session = made_session;
	gnutls_transport_set_ptr(p->session,
				 (gnutls_transport_ptr_t)(intptr_t)p->fd);
	gnutls_transport_set_push_function(p->session, sock_push);
	gnutls_transport_set_pull_function(p->session, sock_pull);
	gnutls_transport_set_pull_timeout_function(p->session,
						   sock_pull_timeout);
	return 0;
}

static bool step_send(struct peer *p, size_t n, char *why, size_t size)
{
	uint8_t *data = malloc(n ? n : 1);
	size_t i, done = 0;
	bool ok = true;

	if (!data)
		abort();
	for (i = 0; i < n; i++)
		data[i] = pattern_byte(i, n);
	while (ok && done < n) {
		ssize_t ret = gnutls_record_send(p->session, data + done,
						 n - done);

		if (ret == GNUTLS_E_INTERRUPTED)
			continue;
		if (ret < 0) {
			snprintf(why, size, "gnutls_record_send: %s",
				 gnutls_strerror((int)ret));
			ok = false;
		} else {
			done += (size_t)ret;
		}
	}
	free(data);
	return ok;
}

static int64_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * gnutls_record_recv(), again after GNUTLS_E_AGAIN or _INTERRUPTED, which
 * it also gives after handling a post-handshake message (the socket's
 * own timeout then ends the wait, within SOCKET_TIMEOUT of the start).
 */
static ssize_t record_recv(struct peer *p, void *data, size_t len)
{
	int64_t end = now_seconds() + SOCKET_TIMEOUT;
	ssize_t ret;

	do {
		ret = gnutls_record_recv(p->session, data, len);
	} while ((ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) &&
		 now_seconds() < end);
	return ret;
}

static bool step_recv(struct peer *p, size_t n, char *why, size_t size,
		      unsigned int *records)
{
	uint8_t *data = malloc(n ? n : 1);
	size_t i, got = 0;
	bool ok = true;

	if (!data)
		abort();
	*records = 0;
	while (ok && got < n) {
		ssize_t ret = record_recv(p, data + got, n - got);

		if (ret <= 0) {
			snprintf(why, size, "after %zu bytes: %s", got,
				 ret ? gnutls_strerror((int)ret) :
				       "close_notify");
			ok = false;
		} else {
			got += (size_t)ret;
			++*records;
		}
	}
	for (i = 0; ok && i < n; i++) {
		if (data[i] != pattern_byte(i, n)) {
			snprintf(why, size, "byte %zu differs", i);
			ok = false;
		}
	}
	free(data);
	return ok;
}

static bool step_eof(struct peer *p, char *why, size_t size)
{
	uint8_t byte;
	ssize_t ret;

	ret = record_recv(p, &byte, 1);
	if (ret == 0 || ret == GNUTLS_E_PREMATURE_TERMINATION ||
	    (ret == GNUTLS_E_PULL_ERROR && pull_errno == ECONNRESET)) {
		snprintf(why, size, "%s", !ret ? "close_notify" :
			 ret == GNUTLS_E_PULL_ERROR ? "connection reset" :
						      "connection closed");
		return true;
	}
	snprintf(why, size, "%s", ret > 0 ? "more data" :
				   gnutls_strerror((int)ret));
	return false;
}

/* Runs one step and prints its line: false when it failed. */
static bool run_step(struct peer *p, const char *step)
{
	char why[256] = "";
	unsigned int records = 0;
	size_t n = 0;
	bool ok;
	int ret;

	if (sscanf(step, "send:%zu", &n) == 1) {
		ok = step_send(p, n, why, sizeof(why));
	} else if (sscanf(step, "recv:%zu", &n) == 1) {
		ok = step_recv(p, n, why, sizeof(why), &records);
		if (ok)
			snprintf(why, sizeof(why), "%u records", records);
	} else if (strcmp(step, "ticket") == 0) {
		ret = gnutls_session_ticket_send(p->session, 1, 0);
		ok = ret == GNUTLS_E_SUCCESS;
		snprintf(why, sizeof(why), "%s", gnutls_strerror(ret));
	} else if (strcmp(step, "keyupdate") == 0) {
		ret = gnutls_session_key_update(p->session, 0);
		ok = ret == GNUTLS_E_SUCCESS;
		snprintf(why, sizeof(why), "%s", gnutls_strerror(ret));
	} else if (strcmp(step, "bye") == 0) {
		ret = gnutls_bye(p->session, GNUTLS_SHUT_WR);
		ok = ret == GNUTLS_E_SUCCESS;
		snprintf(why, sizeof(why), "%s", gnutls_strerror(ret));
	} else if (strcmp(step, "eof") == 0) {
		ok = step_eof(p, why, sizeof(why));
	} else {
		fprintf(stderr, "credssp-peer: unknown step %s\n", step);
		usage();
	}
	printf("%s %s %s\n", step, ok ? "ok" : "FAIL", why);
	fflush(stdout);
	return ok;
}

static int server_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd, fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len)) {
		perror("credssp-peer: listen");
		return -1;
	}
	printf("LISTEN %u\n", ntohs(sin.sin_port));
	fflush(stdout);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		perror("credssp-peer: accept");
	close(lfd);
	return fd;
}

static int client_socket(const char *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)atoi(port));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("credssp-peer: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static const char *cipher_name(gnutls_session_t s)
{
	return gnutls_cipher_get_name(gnutls_cipher_get(s));
}

int main(int argc, char **argv)
{
	struct credssp_options copts = { 0 };
	struct ntlm_options nopts = { 0 };
	struct timeval tv = { .tv_sec = SOCKET_TIMEOUT };
	struct peer p = { .fd = -1 };
	const char *port = NULL;
	uint32_t status;
	int c, ret = 1;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "client") == 0)
		p.initiator = true;
	else if (strcmp(argv[1], "server") != 0)
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "+c:k:U:D:C:p:u:d:w:t:")) != -1) {
		switch (c) {
		case 'c': copts.cert_file = optarg; break;
		case 'k': copts.key_file = optarg; break;
		case 'U': nopts.users_path = optarg; break;
		case 'D': nopts.domain = optarg; break;
		case 'C': nopts.computer = optarg; break;
		case 'p': port = optarg; break;
		case 'u': p.user = optarg; break;
		case 'd': p.domain = optarg; break;
		case 'w': p.password = optarg; break;
		case 't': p.target = optarg; break;
		default: usage();
		}
	}
	if (p.initiator ? !port || !p.user || !p.domain || !p.password ||
			  !p.target :
			  !copts.cert_file || !copts.key_file ||
			  !nopts.users_path)
		usage();
	log_setup(LOG_TO_STDERR, false);
	if (!p.initiator &&
	    (credssp_config_setup(&copts) || ntlm_config_setup(&nopts)))
		return 2;

	p.fd = p.initiator ? client_socket(port) : server_socket();
	if (p.fd < 0)
		goto out;
	setsockopt(p.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(p.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	p.state = pkg_credssp.state_new();
	if (!p.state)
		abort();
	status = handshake(&p);
	printf("STATUS %08x\n", status);
	if (status != SEC_E_OK || take_session(&p))
		goto out;
	if (!p.initiator)
		printf("CLIENT %s\n", p.state->client_name);
	printf("TLS %04x %s\n",
	       gnutls_protocol_get_version(p.session) == GNUTLS_TLS1_3 ?
	       0x0304 : 0x0303, cipher_name(p.session));
	fflush(stdout);
	for (; optind < argc; optind++)
		if (!run_step(&p, argv[optind]))
			goto out;
	ret = 0;
out:
	fflush(stdout);
	if (p.state)
		pkg_credssp.state_free(p.state);
	if (p.fd >= 0)
		close(p.fd);
	credssp_config_cleanup();
	ntlm_config_cleanup();
	return ret;
}
