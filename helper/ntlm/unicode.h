/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The string conversions NTLM needs: UTF-8 (what the kernel, the user
 * database and the logs use) to and from UTF-16LE (what goes on the wire and
 * into the hashes), and the Unicode uppercasing of NTOWFv2.
 *
 * Shared by ksspid and tools/ksspi-ntlm-user.
 */
#ifndef KSSPID_NTLM_UNICODE_H
#define KSSPID_NTLM_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/*
 * Appends @len bytes of UTF-8 at @s to @out as UTF-16LE.  Refuses malformed
 * UTF-8 (overlong forms, surrogates, code points over U+10FFFF, truncated
 * sequences) with -EILSEQ; -ENOMEM.  @out is unchanged on error.
 */
int ntlm_utf8_to_utf16le(const char *s, size_t len, struct bytes *out);

/*
 * A NUL-terminated UTF-8 copy of @len bytes of UTF-16LE (free() it).
 * Refuses an odd length, an unpaired surrogate or a NUL code unit
 * (-EILSEQ); -ENOMEM.
 */
int ntlm_utf16le_to_utf8(const uint8_t *s, size_t len, char **out);

/*
 * Uppercases UTF-16LE in place, code unit by code unit as Windows does
 * (RtlUpcaseUnicodeString): each BMP character that is not a surrogate
 * gets its simple Unicode uppercase mapping when that is also in the BMP
 * (towupper() in the C.UTF-8 locale, with a built-in Latin-1 table when
 * that locale is missing); surrogates are left alone.
 */
void ntlm_utf16le_upper(uint8_t *s, size_t len);

/* Whether two UTF-16LE strings are equal once both are uppercased. */
bool ntlm_utf16le_equal_nocase(const uint8_t *a, size_t a_len,
			       const uint8_t *b, size_t b_len);

#endif /* KSSPID_NTLM_UNICODE_H */
