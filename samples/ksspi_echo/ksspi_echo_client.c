// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Client of the ksspi echo sample: authenticates to the in-kernel server
 * with NTLM through libksspi, then sends sealed messages and checks that
 * each comes back sealed by the server and unseals to what was sent.
 *
 *   ksspi_echo_client [-p PORT] -u USER [-d DOMAIN] -w PASSWORD
 *                     [-n COUNT] [-s SIZE]
 *
 * Exit status: 0 all echoed, 2 authentication refused, 1 anything else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ksspi/sspi.h>
#include "ksspi_echo.h"

static int send_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(int fd, unsigned char type, const void *data,
		      uint32_t len)
{
	unsigned char hdr[5];
	uint32_t be = htonl(len);

	memcpy(hdr, &be, 4);
	hdr[4] = type;
	return send_all(fd, hdr, sizeof(hdr)) || send_all(fd, data, len) ?
	       -1 : 0;
}

/* Returns the frame type, or -1; the payload (at most cap bytes) in buf */
static int recv_frame(int fd, void *buf, uint32_t cap, uint32_t *len)
{
	unsigned char hdr[5];
	uint32_t be;

	if (recv_all(fd, hdr, sizeof(hdr)))
		return -1;
	memcpy(&be, hdr, 4);
	*len = ntohl(be);
	if (*len > cap || recv_all(fd, buf, *len))
		return -1;
	return hdr[4];
}

static int frame_status(const void *payload, uint32_t len)
{
	uint32_t be;

	if (len != 4)
		return SEC_E_INTERNAL_ERROR;
	memcpy(&be, payload, 4);
	return (int)ntohl(be);
}

static int authenticate(int fd, CredHandle *cred, CtxtHandle *ctx,
			unsigned char *tok, unsigned char *reply)
{
	SecBuffer in_buf, out_buf;
	SecBufferDesc in = { SECBUFFER_VERSION, 1, &in_buf };
	SecBufferDesc out = { SECBUFFER_VERSION, 1, &out_buf };
	ULONG req = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY |
		    ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |
		    ISC_REQ_CONNECTION, attr;
	uint32_t reply_len = 0;
	SECURITY_STATUS st;
	int first = 1, type;

	do {
		out_buf = (SecBuffer){ KSSPI_ECHO_MAX_PAYLOAD, SECBUFFER_TOKEN,
				       tok };
		in_buf = (SecBuffer){ reply_len, SECBUFFER_TOKEN, reply };
		st = InitializeSecurityContextA(first ? cred : NULL,
						first ? NULL : ctx, NULL, req,
						0, SECURITY_NATIVE_DREP,
						first ? NULL : &in, 0,
						first ? ctx : NULL, &out,
						&attr, NULL);
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
			fprintf(stderr, "InitializeSecurityContext: %s\n",
				ksspi_status_name(st));
			return 1;
		}
		first = 0;
		if (send_frame(fd, KSSPI_ECHO_TOKEN, tok, out_buf.cbBuffer))
			return 1;
		type = recv_frame(fd, reply, KSSPI_ECHO_MAX_PAYLOAD,
				  &reply_len);
		if (type == KSSPI_ECHO_ERROR) {
			fprintf(stderr, "server refused: %s\n",
				ksspi_status_name(frame_status(reply,
							       reply_len)));
			return 2;
		}
		if (type != KSSPI_ECHO_TOKEN)
			return 1;
	} while (st == SEC_I_CONTINUE_NEEDED);
	return 0;
}

static int echo_one(int fd, CtxtHandle *ctx, unsigned char *buf,
		    unsigned char *sent, uint32_t size)
{
	SecBuffer b[2];
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	ULONG qop;
	uint32_t len;
	SECURITY_STATUS st;
	int type;

	if (getrandom(sent, size, 0) != (ssize_t)size)
		return 1;
	memcpy(buf + KSSPI_ECHO_SIG_LEN, sent, size);
	b[0] = (SecBuffer){ KSSPI_ECHO_SIG_LEN, SECBUFFER_TOKEN, buf };
	b[1] = (SecBuffer){ size, SECBUFFER_DATA, buf + KSSPI_ECHO_SIG_LEN };
	st = EncryptMessage(ctx, 0, &d, 0);
	if (st != SEC_E_OK) {
		fprintf(stderr, "EncryptMessage: %s\n", ksspi_status_name(st));
		return 1;
	}
	if (send_frame(fd, KSSPI_ECHO_SEALED, buf, KSSPI_ECHO_SIG_LEN + size))
		return 1;
	type = recv_frame(fd, buf, KSSPI_ECHO_MAX_PAYLOAD, &len);
	if (type == KSSPI_ECHO_ERROR) {
		fprintf(stderr, "server: %s\n",
			ksspi_status_name(frame_status(buf, len)));
		return 1;
	}
	if (type != KSSPI_ECHO_SEALED || len != KSSPI_ECHO_SIG_LEN + size)
		return 1;
	b[0] = (SecBuffer){ KSSPI_ECHO_SIG_LEN, SECBUFFER_TOKEN, buf };
	b[1] = (SecBuffer){ size, SECBUFFER_DATA, buf + KSSPI_ECHO_SIG_LEN };
	st = DecryptMessage(ctx, &d, 0, &qop);
	if (st != SEC_E_OK) {
		fprintf(stderr, "DecryptMessage: %s\n", ksspi_status_name(st));
		return 1;
	}
	return memcmp(buf + KSSPI_ECHO_SIG_LEN, sent, size) ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ksspi_echo_client [-p PORT] -u USER "
		"[-d DOMAIN] -w PASSWORD [-n COUNT] [-s SIZE]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *user = NULL, *domain = "", *password = NULL;
	unsigned long port = KSSPI_ECHO_PORT, count = 10, size = 1000, i;
	unsigned char *tok, *reply, *sent;
	SEC_WINNT_AUTH_IDENTITY_A id;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	CredHandle cred;
	CtxtHandle ctx;
	int fd, opt, rc, one = 1;

	while ((opt = getopt(argc, argv, "p:u:d:w:n:s:")) != -1) {
		switch (opt) {
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'u': user = optarg; break;
		case 'd': domain = optarg; break;
		case 'w': password = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!user || !password || !size || port > 65535 ||
	    size > KSSPI_ECHO_MAX_PAYLOAD - KSSPI_ECHO_SIG_LEN)
		usage();

	id = (SEC_WINNT_AUTH_IDENTITY_A){
		.User = (unsigned char *)user, .UserLength = strlen(user),
		.Domain = (unsigned char *)domain,
		.DomainLength = strlen(domain),
		.Password = (unsigned char *)password,
		.PasswordLength = strlen(password),
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	if (AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL,
				      &id, NULL, NULL, &cred, NULL) != SEC_E_OK) {
		fprintf(stderr, "AcquireCredentialsHandle failed\n");
		return 1;
	}

	tok = malloc(KSSPI_ECHO_MAX_PAYLOAD);
	reply = malloc(KSSPI_ECHO_MAX_PAYLOAD);
	sent = malloc(KSSPI_ECHO_MAX_PAYLOAD);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!tok || !reply || !sent || fd < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("ksspi_echo_client");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	rc = authenticate(fd, &cred, &ctx, tok, reply);
	if (!rc) {
		for (i = 0; i < count && !rc; i++)
			rc = echo_one(fd, &ctx, reply, sent, (uint32_t)size);
		DeleteSecurityContext(&ctx);
		printf("%s: %lu sealed messages of %lu bytes echoed\n",
		       rc ? "FAILED" : "ok", rc ? i - 1 : i, size);
	}
	FreeCredentialsHandle(&cred);
	close(fd);
	free(tok);
	free(reply);
	free(sent);
	return rc;
}
