/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTLM's OEM strings: the names of a NEGOTIATE without
 * NTLMSSP_NEGOTIATE_UNICODE travel in the sender's OEM code page.  ksspi's
 * is code page 437, the OEM code page of US-English Windows (MS-NLMP leaves
 * it to the system); Documentation/ntlm.rst says why and what it means.
 *
 * The conversions are exact and strict: every byte 0x01-0xFF has one
 * Unicode character (the table of Microsoft's cp437, which glibc's CP437
 * and Python's cp437 codecs agree with), a NUL byte is refused, and a
 * character outside the code page cannot be sent (no best-fit mapping, no
 * '?'), so that what a peer hashes is what was meant.
 */
#ifndef KSSPID_NTLM_OEM_H
#define KSSPID_NTLM_OEM_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define NTLM_OEM_CODEPAGE	437

/*
 * Appends @len OEM bytes at @s to @out as UTF-16LE (one code unit a byte).
 * -EILSEQ for a NUL byte, -ENOMEM; @out is unchanged on error.
 */
int ntlm_oem_to_utf16le(const uint8_t *s, size_t len, struct bytes *out);

/*
 * Appends @len bytes of UTF-16LE at @s to @out in the OEM code page.
 * -EILSEQ for an odd length, a NUL or a character the code page lacks;
 * -ENOMEM; @out is unchanged on error.
 */
int ntlm_utf16le_to_oem(const uint8_t *s, size_t len, struct bytes *out);

#endif /* KSSPID_NTLM_OEM_H */
