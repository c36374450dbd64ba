// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SEC_CHANNEL_BINDINGS, the SECBUFFER_CHANNEL_BINDINGS buffer of an
 * InitializeSecurityContext or AcceptSecurityContext call, as the
 * gss_channel_bindings_struct MIT's GSSAPI takes: the same five fields
 * (initiator address type and address, acceptor address type and address,
 * application data such as "tls-server-end-point:<hash>"), which MIT hashes
 * into the authenticator's checksum as RFC 4121 section 4.1.1.2 says.
 *
 *	offset	field (little-endian 32-bit)
 *	0	dwInitiatorAddrType
 *	4	cbInitiatorLength	8	dwInitiatorOffset
 *	12	dwAcceptorAddrType
 *	16	cbAcceptorLength	20	dwAcceptorOffset
 *	24	cbApplicationDataLength	28	dwApplicationDataOffset
 *
 * Offsets count from the start of the structure; each part must lie after
 * the header and inside the buffer.
 */
#include <errno.h>

#include "kerberos/kerberos.h"

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The part whose length is at @len_at and offset after it, or -EINVAL. */
static int part(const uint8_t *cb, size_t len, size_t len_at,
		gss_buffer_desc *out)
{
	size_t plen = le32_at(cb + len_at), off = le32_at(cb + len_at + 4);

	out->length = 0;
	out->value = NULL;
	if (plen == 0)
		return 0;
	if (off < KERBEROS_CB_HEADER_LEN || off > len || plen > len - off)
		return -EINVAL;
	out->length = plen;
	out->value = (void *)(cb + off);
	return 0;
}

int kerberos_channel_bindings(const uint8_t *cb, size_t len,
			      struct gss_channel_bindings_struct *out)
{
	if (len < KERBEROS_CB_HEADER_LEN)
		return -EINVAL;
	out->initiator_addrtype = le32_at(cb);
	out->acceptor_addrtype = le32_at(cb + 12);
	if (part(cb, len, 4, &out->initiator_address) ||
	    part(cb, len, 16, &out->acceptor_address) ||
	    part(cb, len, 24, &out->application_data))
		return -EINVAL;
	return 0;
}
