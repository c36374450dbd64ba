// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Client of the ksspi echo sample: authenticates to the in-kernel server
 * through libksspi (NTLM by default), then sends sealed messages and
 * checks that each comes back sealed by the server and unseals to what was
 * sent.
 *
 *   ksspi_echo_client [-v] [-p PORT] [-P PACKAGE] [-t TARGET]
 *                     [-u USER [-d DOMAIN] -w PASSWORD]
 *                     [-n COUNT] [-s SIZE | -m TEXT]
 *
 * -P names the package (NTLM, Negotiate or Kerberos), -t the target name
 * (the server's SPN, for Kerberos).  Without -u the credentials are the
 * caller's own (for Kerberos: its credential cache).  -m sends TEXT as
 * every message instead of SIZE random bytes.  -v tells what happens: each
 * handshake leg's status and token, what QueryContextAttributes knows
 * about the context (never the session key, only its length and the first
 * bytes of its SHA-256, which the server logs too), and the first message
 * as it goes on the wire and after unsealing.
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
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

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

/* -v: what happens, on stdout */
static int verbose;

/*
 * What a handshake token is: an NTLM message (MS-NLMP 2.2.1), or by its
 * first bytes a SPNEGO or Kerberos token (RFC 4178, RFC 4121).
 */
static const char *token_name(const unsigned char *tok, uint32_t len)
{
	static const char *const ntlm[] = {
		"NTLM NEGOTIATE", "NTLM CHALLENGE", "NTLM AUTHENTICATE"
	};
	static const unsigned char spnego_oid[] = {
		0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02
	};
	uint32_t type, at;

	if (len >= 12 && !memcmp(tok, "NTLMSSP", 8)) {
		type = tok[8] | tok[9] << 8 | tok[10] << 16 |
		       (uint32_t)tok[11] << 24;
		return type >= 1 && type <= 3 ? ntlm[type - 1] :
		       "unknown NTLM message";
	}
	if (len >= 2 && tok[0] == 0xa1)
		return "SPNEGO negTokenResp";
	if (len >= 2 && tok[0] == 0x60) {
		/* the length's own length, then the mechanism's OID */
		at = tok[1] & 0x80 ? 2 + (tok[1] & 0x7f) : 2;
		if (len >= at + sizeof(spnego_oid) &&
		    !memcmp(tok + at, spnego_oid, sizeof(spnego_oid)))
			return "SPNEGO negTokenInit";
		return "GSS initial token (Kerberos AP-REQ)";
	}
	if (len >= 2 && tok[0] == 0x6f)
		return "Kerberos AP-REP";
	return "a token of another kind";
}

/* One line: up to 16 bytes in hex, then as text */
static void show_bytes(const char *label, const unsigned char *p,
		       uint32_t len)
{
	uint32_t i, n = len < 16 ? len : 16;

	printf("    %-24s", label);
	for (i = 0; i < 16; i++) {
		if (i < n)
			printf(" %02x", p[i]);
		else
			printf("   ");
	}
	printf("  |");
	for (i = 0; i < n; i++)
		putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	printf("|%s\n", len > n ? "..." : "");
}

/*
 * EncryptMessage's token: an NTLM signature (version 1, encrypted
 * checksum, sequence number) or an RFC 4121 Wrap token's header.
 */
static void show_signature(const char *label, const unsigned char *sig,
			   uint32_t len)
{
	uint64_t seq = 0;
	int i;

	if (len == 16 && sig[0] == 1) {
		printf("    %-24s NTLM signature: version %u, checksum ", label,
		       sig[0]);
		for (i = 4; i < 12; i++)
			printf("%02x", sig[i]);
		printf(", sequence number %u\n", sig[12] | sig[13] << 8 |
		       sig[14] << 16 | (uint32_t)sig[15] << 24);
	} else if (len >= 16 && sig[0] == 0x05 && sig[1] == 0x04) {
		for (i = 8; i < 16; i++)
			seq = seq << 8 | sig[i];
		printf("    %-24s RFC 4121 Wrap: flags 0x%02x, EC %u, RRC %u, "
		       "sequence number %llu\n", label, sig[2],
		       sig[4] << 8 | sig[5], sig[6] << 8 | sig[7],
		       (unsigned long long)seq);
	} else {
		show_bytes(label, sig, len);
	}
}

static void show_flags(ULONG flags)
{
	static const struct {
		ULONG flag;
		const char *name;
	} names[] = {
		{ ISC_RET_MUTUAL_AUTH, "MUTUAL_AUTH" },
		{ ISC_RET_REPLAY_DETECT, "REPLAY_DETECT" },
		{ ISC_RET_SEQUENCE_DETECT, "SEQUENCE_DETECT" },
		{ ISC_RET_CONFIDENTIALITY, "CONFIDENTIALITY" },
		{ ISC_RET_CONNECTION, "CONNECTION" },
		{ ISC_RET_INTEGRITY, "INTEGRITY" },
		{ ISC_RET_NULL_SESSION, "NULL_SESSION" },
	};
	size_t i;

	printf("    %-24s 0x%08x", "SECPKG_ATTR_FLAGS", (unsigned int)flags);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].flag)
			printf(" %s", names[i].name);
	putchar('\n');
}

/* A TimeStamp as libksspi hands it out: local time, 100 ns since 1601 */
static void show_time(const char *label, const TimeStamp *ts)
{
	int64_t v = ksspi_timestamp_to_int64(ts);
	time_t t = (time_t)(v / 10000000 - 11644473600LL);
	char when[32];
	struct tm tm;

	if (v == INT64_MAX)
		printf("    %-24s never\n", label);
	else if (gmtime_r(&t, &tm) &&
		 strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		printf("    %-24s %s (local time)\n", label, when);
	else
		printf("    %-24s 0x%016llx\n", label, (unsigned long long)v);
}

static void show_status(const char *what, SECURITY_STATUS st)
{
	printf("    %-24s %s\n", what, ksspi_status_name(st));
}

/* What QueryContextAttributes tells about the established context */
static void show_context(CtxtHandle *ctx)
{
	SecPkgContext_PackageInfoA pkg;
	SecPkgContext_NamesA names;
	SecPkgContext_Flags flags;
	SecPkgContext_Sizes sizes;
	SecPkgContext_Lifespan life;
	SecPkgContext_KeyInfoA key;
	SecPkgContext_SessionKey session;
	SECURITY_STATUS st;

	printf("QueryContextAttributes: what the kernel knows about the "
	       "context\n");
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_PACKAGE_INFO, &pkg);
	if (st == SEC_E_OK) {
		printf("    %-24s %s\n", "SECPKG_ATTR_PACKAGE_INFO",
		       pkg.PackageInfo->Name);
		FreeContextBuffer(pkg.PackageInfo);
	} else {
		show_status("SECPKG_ATTR_PACKAGE_INFO", st);
	}
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_NAMES, &names);
	if (st == SEC_E_OK) {
		printf("    %-24s %s\n", "SECPKG_ATTR_NAMES", names.sUserName);
		FreeContextBuffer(names.sUserName);
	} else {
		show_status("SECPKG_ATTR_NAMES", st);
	}
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_FLAGS, &flags);
	if (st == SEC_E_OK)
		show_flags(flags.Flags);
	else
		show_status("SECPKG_ATTR_FLAGS", st);
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_SIZES, &sizes);
	if (st == SEC_E_OK)
		printf("    %-24s cbMaxToken %u, cbMaxSignature %u, "
		       "cbBlockSize %u, cbSecurityTrailer %u\n",
		       "SECPKG_ATTR_SIZES", (unsigned int)sizes.cbMaxToken,
		       (unsigned int)sizes.cbMaxSignature,
		       (unsigned int)sizes.cbBlockSize,
		       (unsigned int)sizes.cbSecurityTrailer);
	else
		show_status("SECPKG_ATTR_SIZES", st);
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_LIFESPAN, &life);
	if (st == SEC_E_OK) {
		show_time("SECPKG_ATTR_LIFESPAN", &life.tsStart);
		show_time("  expires", &life.tsExpiry);
	} else {
		show_status("SECPKG_ATTR_LIFESPAN", st);
	}
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_KEY_INFO, &key);
	if (st == SEC_E_OK) {
		printf("    %-24s %u-bit key, signatures %s, sealing %s\n",
		       "SECPKG_ATTR_KEY_INFO", (unsigned int)key.KeySize,
		       key.sSignatureAlgorithmName, key.sEncryptAlgorithmName);
		FreeContextBuffer(key.sSignatureAlgorithmName);
		FreeContextBuffer(key.sEncryptAlgorithmName);
	} else {
		show_status("SECPKG_ATTR_KEY_INFO", st);
	}
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_SESSION_KEY, &session);
	if (st == SEC_E_OK) {
		struct sha256_ctx sha;
		uint8_t digest[SHA256_DIGEST_SIZE];

		/*
		 * A secret: its length and the first bytes of its SHA-256
		 * only (the server logs the same), wiped before it is freed
		 */
		sha256_init(&sha);
		sha256_update(&sha, session.SessionKeyLength,
			      session.SessionKey);
		sha256_digest(&sha, sizeof(digest), digest);
		printf("    %-24s %u bytes, SHA-256 %02x%02x%02x%02x%02x%02x"
		       "%02x%02x...\n", "SECPKG_ATTR_SESSION_KEY",
		       (unsigned int)session.SessionKeyLength, digest[0],
		       digest[1], digest[2], digest[3], digest[4], digest[5],
		       digest[6], digest[7]);
		explicit_bzero(digest, sizeof(digest));
		explicit_bzero(session.SessionKey, session.SessionKeyLength);
		FreeContextBuffer(session.SessionKey);
	} else {
		show_status("SECPKG_ATTR_SESSION_KEY", st);
	}
}

static int authenticate(int fd, CredHandle *cred, const char *target,
			CtxtHandle *ctx, unsigned char *tok,
			unsigned char *reply)
{
	SecBuffer in_buf, out_buf;
	SecBufferDesc in = { SECBUFFER_VERSION, 1, &in_buf };
	SecBufferDesc out = { SECBUFFER_VERSION, 1, &out_buf };
	ULONG req = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY |
		    ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT |
		    ISC_REQ_CONNECTION, attr;
	uint32_t reply_len = 0;
	SECURITY_STATUS st;
	int first = 1, type, leg = 0;

	do {
		out_buf = (SecBuffer){ KSSPI_ECHO_MAX_PAYLOAD, SECBUFFER_TOKEN,
				       tok };
		in_buf = (SecBuffer){ reply_len, SECBUFFER_TOKEN, reply };
		st = InitializeSecurityContextA(first ? cred : NULL,
						first ? NULL : ctx,
						(SEC_CHAR *)target, req,
						0, SECURITY_NATIVE_DREP,
						first ? NULL : &in, 0,
						first ? ctx : NULL, &out,
						&attr, NULL);
		if (verbose)
			printf("  leg %d: InitializeSecurityContext: %s\n", ++leg,
			       ksspi_status_name(st));
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
			fprintf(stderr, "InitializeSecurityContext: %s\n",
				ksspi_status_name(st));
			return 1;
		}
		first = 0;
		/* Done, with nothing more to say (SPNEGO's last answer) */
		if (st == SEC_E_OK && !out_buf.cbBuffer)
			break;
		if (verbose)
			printf("         to the server:   %s (%u bytes)\n",
			       token_name(tok, out_buf.cbBuffer),
			       (unsigned int)out_buf.cbBuffer);
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
		if (verbose && reply_len)
			printf("         from the server: %s (%u bytes)\n",
			       token_name(reply, reply_len),
			       (unsigned int)reply_len);
		else if (verbose)
			printf("         from the server: an empty token: "
			       "logon accepted\n");
	} while (st == SEC_I_CONTINUE_NEEDED);
	if (verbose)
		printf("  handshake done: attributes 0x%08x\n",
		       (unsigned int)attr);
	return 0;
}

/*
 * Sends one sealed message (text, or size random bytes) and checks the
 * server's sealed answer; trailer: the token's length (cbSecurityTrailer);
 * show: print it on the way.
 */
static int echo_one(int fd, CtxtHandle *ctx, uint32_t trailer,
		    unsigned char *buf, unsigned char *sent, uint32_t size,
		    const char *text, int show)
{
	SecBuffer b[2];
	SecBufferDesc d = { SECBUFFER_VERSION, 2, b };
	ULONG qop;
	uint32_t len;
	SECURITY_STATUS st;
	int type;

	if (text)
		memcpy(sent, text, size);
	else if (getrandom(sent, size, 0) != (ssize_t)size)
		return 1;
	memcpy(buf + trailer, sent, size);
	if (show)
		show_bytes("plaintext", sent, size);
	b[0] = (SecBuffer){ trailer, SECBUFFER_TOKEN, buf };
	b[1] = (SecBuffer){ size, SECBUFFER_DATA, buf + trailer };
	st = EncryptMessage(ctx, 0, &d, 0);
	if (st != SEC_E_OK) {
		fprintf(stderr, "EncryptMessage: %s\n", ksspi_status_name(st));
		return 1;
	}
	/* the server expects the token at its full length */
	if (b[0].cbBuffer != trailer) {
		fprintf(stderr, "EncryptMessage: a %u-byte token, not %u\n",
			(unsigned int)b[0].cbBuffer, trailer);
		return 1;
	}
	if (show) {
		show_signature("sealed, to the server", buf, trailer);
		show_bytes("", buf + trailer, size);
	}
	if (send_frame(fd, KSSPI_ECHO_SEALED, buf, trailer + size))
		return 1;
	type = recv_frame(fd, buf, KSSPI_ECHO_MAX_PAYLOAD, &len);
	if (type == KSSPI_ECHO_ERROR) {
		fprintf(stderr, "server: %s\n",
			ksspi_status_name(frame_status(buf, len)));
		return 1;
	}
	if (type != KSSPI_ECHO_SEALED || len != trailer + size)
		return 1;
	if (show) {
		show_signature("sealed, from the server", buf, trailer);
		show_bytes("", buf + trailer, size);
	}
	b[0] = (SecBuffer){ trailer, SECBUFFER_TOKEN, buf };
	b[1] = (SecBuffer){ size, SECBUFFER_DATA, buf + trailer };
	st = DecryptMessage(ctx, &d, 0, &qop);
	if (st != SEC_E_OK) {
		fprintf(stderr, "DecryptMessage: %s\n", ksspi_status_name(st));
		return 1;
	}
	if (show)
		show_bytes("unsealed", buf + trailer, size);
	return memcmp(buf + trailer, sent, size) ? 1 : 0;
}

/* cbSecurityTrailer of the context's SECPKG_ATTR_SIZES, or 0 */
static uint32_t security_trailer(CtxtHandle *ctx)
{
	SecPkgContext_Sizes sizes;

	if (QueryContextAttributesA(ctx, SECPKG_ATTR_SIZES, &sizes) != SEC_E_OK ||
	    sizes.cbSecurityTrailer > KSSPI_ECHO_MAX_TRAILER)
		return 0;
	return sizes.cbSecurityTrailer;
}

static void usage(void)
{
	fprintf(stderr, "usage: ksspi_echo_client [-v] [-p PORT] [-P PACKAGE] "
		"[-t TARGET] [-u USER [-d DOMAIN] -w PASSWORD] [-n COUNT] "
		"[-s SIZE | -m TEXT]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *user = NULL, *domain = "", *password = NULL, *text = NULL;
	const char *package = "NTLM", *target = NULL;
	unsigned long port = KSSPI_ECHO_PORT, count = 10, size = 1000, i;
	unsigned char *tok, *reply, *sent;
	SEC_WINNT_AUTH_IDENTITY_A id;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	CredHandle cred;
	CtxtHandle ctx;
	SECURITY_STATUS st;
	uint32_t trailer;
	int fd, opt, rc, one = 1;

	while ((opt = getopt(argc, argv, "vp:P:t:u:d:w:n:s:m:")) != -1) {
		switch (opt) {
		case 'v': verbose = 1; break;
		case 'P': package = optarg; break;
		case 't': target = optarg; break;
		case 'm': text = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'u': user = optarg; break;
		case 'd': domain = optarg; break;
		case 'w': password = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (text)
		size = strlen(text);
	if (!user != !password || !size || port > 65535 ||
	    size > KSSPI_ECHO_MAX_PAYLOAD - KSSPI_ECHO_MAX_TRAILER)
		usage();

	if (user)
		id = (SEC_WINNT_AUTH_IDENTITY_A){
			.User = (unsigned char *)user, .UserLength = strlen(user),
			.Domain = (unsigned char *)domain,
			.DomainLength = strlen(domain),
			.Password = (unsigned char *)password,
			.PasswordLength = strlen(password),
			.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
		};
	st = AcquireCredentialsHandleA(NULL, (SEC_CHAR *)package,
				       SECPKG_CRED_OUTBOUND, NULL,
				       user ? &id : NULL, NULL, NULL, &cred,
				       NULL);
	if (verbose)
		printf("AcquireCredentialsHandle(%s, outbound, %s%s%s): %s\n",
		       package, domain, *domain ? "\\" : "",
		       user ? user : "(my own credentials)",
		       ksspi_status_name(st));
	if (st != SEC_E_OK) {
		fprintf(stderr, "AcquireCredentialsHandle failed: %s\n",
			ksspi_status_name(st));
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

	if (verbose)
		printf("connected to 127.0.0.1:%lu; the %s handshake:\n",
		       port, package);
	rc = authenticate(fd, &cred, target, &ctx, tok, reply);
	trailer = rc ? 0 : security_trailer(&ctx);
	if (!rc && !trailer) {
		fprintf(stderr, "no usable SECPKG_ATTR_SIZES\n");
		DeleteSecurityContext(&ctx);
		rc = 1;
	} else if (!rc) {
		if (verbose) {
			show_context(&ctx);
			printf("EncryptMessage, DecryptMessage: the first of "
			       "%lu messages\n", count);
		}
		for (i = 0; i < count && !rc; i++)
			rc = echo_one(fd, &ctx, trailer, reply, sent,
				      (uint32_t)size, text, verbose && !i);
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
