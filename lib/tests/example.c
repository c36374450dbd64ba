// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Example from Documentation/libksspi.rst: the client side of an SSPI
 * authentication over a connected socket (file descriptor 3), tokens
 * framed by a 4-byte big-endian length.
 *
 *   cc -o sspi-client sspi-client.c $(pkg-config --cflags --libs ksspi)
 *   ./sspi-client Negotiate alice 'Passw0rd!' HTTP/srv.example.com 3<>...
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ksspi/security.h>

static int send_token(int fd, const void *p, ULONG len)
{
	uint32_t n = htonl(len);

	return write(fd, &n, 4) == 4 && write(fd, p, len) == (ssize_t)len ?
		0 : -1;
}

static int recv_token(int fd, void *p, ULONG room, ULONG *len)
{
	uint32_t n;

	if (read(fd, &n, 4) != 4 || ntohl(n) > room)
		return -1;
	*len = ntohl(n);
	return read(fd, p, *len) == (ssize_t)*len ? 0 : -1;
}

int main(int argc, char **argv)
{
	SEC_WINNT_AUTH_IDENTITY_A id = { 0 };
	SecBuffer in[2], out;
	SecBufferDesc in_desc = { SECBUFFER_VERSION, 2, in };
	SecBufferDesc out_desc = { SECBUFFER_VERSION, 1, &out };
	CredHandle cred;
	CtxtHandle ctx;
	SecPkgInfoA *pkg;
	SECURITY_STATUS st;
	unsigned char *reply;
	ULONG attr, reply_len = 0, room;
	int first = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: %s PACKAGE USER PASSWORD TARGET\n",
			argv[0]);
		return 2;
	}
	st = QuerySecurityPackageInfoA(argv[1], &pkg);
	if (st != SEC_E_OK) {
		fprintf(stderr, "package: %s\n", ksspi_status_name(st));
		return 1;
	}
	room = pkg->cbMaxToken;
	FreeContextBuffer(pkg);
	reply = malloc(room);
	if (!reply)
		return 1;

	id.User = (unsigned char *)argv[2];
	id.UserLength = (ULONG)strlen(argv[2]);
	id.Password = (unsigned char *)argv[3];
	id.PasswordLength = (ULONG)strlen(argv[3]);
	id.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI;
	st = AcquireCredentialsHandleA(NULL, argv[1], SECPKG_CRED_OUTBOUND,
				       NULL, &id, NULL, NULL, &cred, NULL);
	if (st != SEC_E_OK) {
		fprintf(stderr, "credentials: %s\n", ksspi_status_name(st));
		return 1;
	}

	do {
		/* the library allocates the output token */
		out.BufferType = SECBUFFER_TOKEN;
		out.cbBuffer = 0;
		out.pvBuffer = NULL;
		in[0].BufferType = SECBUFFER_TOKEN;
		in[0].cbBuffer = reply_len;
		in[0].pvBuffer = reply;
		in[1].BufferType = SECBUFFER_EMPTY;
		in[1].cbBuffer = 0;
		in[1].pvBuffer = NULL;
		st = InitializeSecurityContextA(&cred, first ? NULL : &ctx,
			argv[4], ISC_REQ_MUTUAL_AUTH | ISC_REQ_INTEGRITY |
			ISC_REQ_CONFIDENTIALITY | ISC_REQ_ALLOCATE_MEMORY, 0,
			SECURITY_NATIVE_DREP, first ? NULL : &in_desc, 0,
			&ctx, &out_desc, &attr, NULL);
		if (!SEC_SUCCESS(st)) {
			fprintf(stderr, "InitializeSecurityContext: %s\n",
				ksspi_status_name(st));
			if (!first)
				DeleteSecurityContext(&ctx);
			FreeCredentialsHandle(&cred);
			return 1;
		}
		first = 0;
		if (out.cbBuffer && send_token(3, out.pvBuffer, out.cbBuffer))
			st = SEC_E_INTERNAL_ERROR;
		FreeContextBuffer(out.pvBuffer);
		if (st == SEC_I_CONTINUE_NEEDED &&
		    recv_token(3, reply, room, &reply_len))
			st = SEC_E_INTERNAL_ERROR;
	} while (st == SEC_I_CONTINUE_NEEDED);

	printf("%s, attributes 0x%08x\n", ksspi_status_name(st),
	       (unsigned int)attr);
	DeleteSecurityContext(&ctx);
	FreeCredentialsHandle(&cred);
	free(reply);
	return st == SEC_E_OK ? 0 : 1;
}
