/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The wire protocol of the ksspi echo sample, shared by the in-kernel
 * server and its userspace client.
 *
 * Every frame is a 5-byte header (__be32 length of the payload, __u8 type)
 * and the payload:
 *
 *   KSSPI_ECHO_TOKEN   a handshake token; the server answers each one with
 *                      a TOKEN frame (empty when it has nothing to send)
 *                      or an ERROR frame
 *   KSSPI_ECHO_SEALED  EncryptMessage's token (cbSecurityTrailer bytes of
 *                      the context's SECPKG_ATTR_SIZES: 16 for NTLM, 60
 *                      for Kerberos with AES-SHA1), then the sealed data;
 *                      the server answers with the same plaintext, sealed
 *                      by its side
 *   KSSPI_ECHO_ERROR   __be32 SECURITY_STATUS; the connection ends
 */
#ifndef _KSSPI_ECHO_H
#define _KSSPI_ECHO_H

#define KSSPI_ECHO_PORT		4455
#define KSSPI_ECHO_MAX_PAYLOAD	(64 * 1024)
/* The largest cbSecurityTrailer the sample takes (Kerberos: 72) */
#define KSSPI_ECHO_MAX_TRAILER	256

enum ksspi_echo_frame {
	KSSPI_ECHO_TOKEN = 1,
	KSSPI_ECHO_SEALED = 2,
	KSSPI_ECHO_ERROR = 3,
};

#endif /* _KSSPI_ECHO_H */
