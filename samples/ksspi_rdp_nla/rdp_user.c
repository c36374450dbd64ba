// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the userspace front door and the client of the RDP sample share:
 * see rdp_user.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "rdp_user.h"
#include "rdp_x224.h"

int rdp_send_all(int fd, const void *buf, size_t len)
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

int rdp_recv_all(int fd, void *buf, size_t len)
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

int rdp_input_more(struct rdp_input *in)
{
	ssize_t n;

	if (in->len == sizeof(in->buf))
		return -1;
	do {
		n = recv(in->fd, in->buf + in->len, sizeof(in->buf) - in->len,
			 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	in->len += (size_t)n;
	return 0;
}

long rdp_input_keep_extra(struct rdp_input *in, const SecBuffer *second)
{
	size_t extra = second->BufferType == SECBUFFER_EXTRA ?
		       second->cbBuffer : 0;

	if (extra > in->len)
		return -1;
	memmove(in->buf, in->buf + in->len - extra, extra);
	in->len = extra;
	return (long)extra;
}

int rdp_open_early_records(CtxtHandle *ctx, struct rdp_input *in)
{
	SecBuffer b[4];
	SecBufferDesc d = { SECBUFFER_VERSION, 4, b };
	size_t off = 0, missing;
	SECURITY_STATUS st;
	ULONG qop;
	int i;

	in->early_len = 0;
	while (off < in->len) {
		b[0] = (SecBuffer){ (ULONG)(in->len - off), SECBUFFER_DATA,
				    in->buf + off };
		for (i = 1; i < 4; i++)
			b[i] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
		st = DecryptMessage(ctx, &d, 0, &qop);
		if (st == SEC_E_INCOMPLETE_MESSAGE) {
			missing = b[1].BufferType == SECBUFFER_MISSING ?
				  b[1].cbBuffer : 0;
			if (!missing || missing > sizeof(in->buf) - in->len ||
			    rdp_recv_all(in->fd, in->buf + in->len, missing))
				return -1;
			in->len += missing;
			continue;
		}
		if (st != SEC_E_OK) {
			fprintf(stderr, "DecryptMessage of the bytes after the handshake: %s (0x%08x)\n",
				rdp_status_name(st), (unsigned int)st);
			return -1;
		}
		/* b[1] is the plaintext, inside the record just opened */
		memmove(in->buf + in->early_len, b[1].pvBuffer, b[1].cbBuffer);
		in->early_len += b[1].cbBuffer;
		off = b[3].BufferType == SECBUFFER_EXTRA ?
		      in->len - b[3].cbBuffer : in->len;
	}
	in->len = in->early_len;
	return 0;
}

int rdp_app_recv(struct rdp_input *in, void *buf, size_t len)
{
	size_t early = len < in->early_len ? len : in->early_len;

	if (early) {
		memcpy(buf, in->buf, early);
		memmove(in->buf, in->buf + early, in->early_len - early);
		in->early_len -= early;
		in->len = in->early_len;
	}
	return rdp_recv_all(in->fd, (unsigned char *)buf + early, len - early);
}

long rdp_recv_tpkt(struct rdp_input *in, unsigned char *buf, size_t cap)
{
	unsigned int len;

	if (cap < RDP_TPKT_HEADER_LEN ||
	    rdp_app_recv(in, buf, RDP_TPKT_HEADER_LEN))
		return -1;
	len = rdp_tpkt_length(buf);
	if (len < RDP_TPKT_HEADER_LEN || len > cap ||
	    rdp_app_recv(in, buf + RDP_TPKT_HEADER_LEN,
			 len - RDP_TPKT_HEADER_LEN))
		return -1;
	return (long)len;
}

int rdp_send_data(int fd, const void *data, size_t len)
{
	unsigned char hdr[RDP_DT_HEADER_LEN];

	if (len > RDP_MAX_PDU - RDP_DT_HEADER_LEN)
		return -1;
	rdp_build_data_header(hdr, (unsigned int)len);
	return rdp_send_all(fd, hdr, sizeof(hdr)) ||
	       rdp_send_all(fd, data, len) ? -1 : 0;
}

const char *rdp_status_name(SECURITY_STATUS status)
{
	const char *name = ksspi_status_name(status);

	return name ? name : "unknown status";
}

void rdp_describe_records(CtxtHandle *ctx, char *out, size_t cap)
{
	SecPkgContext_StreamSizes sizes;
	SECURITY_STATUS st;

	memset(&sizes, 0, sizeof(sizes));
	st = QueryContextAttributesA(ctx, SECPKG_ATTR_STREAM_SIZES, &sizes);
	if (st != SEC_E_OK) {
		snprintf(out, cap, "no record sizes (%s)", rdp_status_name(st));
		return;
	}
	/* TLS 1.3 adds the inner content type to the 16-byte tag */
	snprintf(out, cap, "TLS %s records (header %u, trailer %u)",
		 sizes.cbTrailer == 17 ? "1.3" : "1.2",
		 (unsigned int)sizes.cbHeader, (unsigned int)sizes.cbTrailer);
}
