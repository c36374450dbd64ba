/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the userspace front door (ksspi-rdp-nla-server) and the client
 * (ksspi-rdp-nla-client) share: socket I/O, TPKT framing, the CredSSP
 * handshake input kept across calls, and the step from SSPI records to
 * kTLS.
 */
#ifndef _RDP_USER_H
#define _RDP_USER_H

#include <stdbool.h>
#include <stddef.h>

#include <ksspi/sspi.h>

/* The peer's handshake bytes not yet used: a flight of TLS records */
#define RDP_MAX_INPUT		(64 * 1024)
/* The largest TPKT of the echo phase */
#define RDP_MAX_PDU		8192
/* The longest user name shown */
#define RDP_MAX_NAME		256

/**
 * struct rdp_input - handshake bytes received and not yet used
 * @fd: the socket
 * @buf: RDP_MAX_INPUT bytes
 * @len: bytes held
 * @early_len: after rdp_open_early_records(), application data at the
 *	start of @buf, handed out by rdp_app_recv() before the socket's
 */
struct rdp_input {
	int fd;
	unsigned char buf[RDP_MAX_INPUT];
	size_t len;
	size_t early_len;
};

int rdp_send_all(int fd, const void *buf, size_t len);
int rdp_recv_all(int fd, void *buf, size_t len);

/* Appends what the socket has (waiting for a byte): 0, or -1 (EOF, error, full) */
int rdp_input_more(struct rdp_input *in);

/*
 * After a successful leg whose input descriptor was { TOKEN, EMPTY }:
 * keeps the SECBUFFER_EXTRA tail (if any) at the start of the buffer.
 * Returns the number of bytes kept, or -1 when the count is impossible.
 */
long rdp_input_keep_extra(struct rdp_input *in, const SecBuffer *second);

/*
 * Opens the TLS records that followed the peer's last handshake message
 * (kept by rdp_input_keep_extra) with DecryptMessage, reading the rest of
 * a partial record, so that kTLS can start at a record boundary.  Their
 * plaintext stays at the start of the buffer.  0, or -1.
 */
int rdp_open_early_records(CtxtHandle *ctx, struct rdp_input *in);

/* Application data: what rdp_open_early_records() opened, then the socket */
int rdp_app_recv(struct rdp_input *in, void *buf, size_t len);

/*
 * Reads one TPKT into @buf (at most @cap bytes): its length, or -1 (EOF,
 * an error, a bad header, or too long).
 */
long rdp_recv_tpkt(struct rdp_input *in, unsigned char *buf, size_t cap);

/* Sends an X.224 Data TPDU carrying @len bytes of @data: 0 or -1 */
int rdp_send_data(int fd, const void *data, size_t len);

/* "SEC_E_LOGON_DENIED", or "unknown status" */
const char *rdp_status_name(SECURITY_STATUS status);

/*
 * The TLS record sizes of an established context (SECPKG_ATTR_STREAM_SIZES)
 * as text, e.g. "TLS 1.3 records (header 5, trailer 17)", into @out
 */
void rdp_describe_records(CtxtHandle *ctx, char *out, size_t cap);

#endif /* _RDP_USER_H */
