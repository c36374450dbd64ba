// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the Kerberos token readers of kerberos/cfx.c on
 * hostile tokens: kerberos_inner_verify() (MIC tokens, SPNEGO's
 * mechListMIC) and kerberos_inner_unwrap() (sealed Wrap tokens, CredSSP's
 * pubKeyAuth and authInfo), for a context of each AES enctype and side.
 * Input byte 0 picks the enctype (17 + value % 4), the side (bit 2) and
 * the reader (bit 3: Wrap); the rest is the token, read after the peer's
 * own token of that kind (which must be taken): nothing the fuzzer makes
 * may be.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_context.h>

#include "ctxblob.h"
#include "kerberos/kerberos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t message[] = "0\x0b\x06\x09*\x86H\x86\xf7\x12\x01\x02\x02";

static void make_blob(uint32_t enctype, bool initiator, struct bytes *blob)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint8_t le[4] = { (uint8_t)enctype, 0, 0, 0 };
	uint8_t info[4] = { 0 };
	uint32_t key_len = enctype == 17 || enctype == 19 ? 16 : 32;

	if (ctxblob_begin(blob, KERBEROS_PACKAGE_NAME,
			  initiator ? KSSPI_CTX_F_INITIATOR : 0, 0, 0) ||
	    ctxblob_add_le64(blob, KSSPI_CTX_REC_SEND_SEQ, 0, 7) ||
	    ctxblob_add_le64(blob, KSSPI_CTX_REC_RECV_SEQ, 0, 7) ||
	    ctxblob_add(blob, KSSPI_CTX_REC_KRB5_ENCTYPE, 0, le, 4) ||
	    ctxblob_add(blob, KSSPI_CTX_REC_KRB5_KEY, 0, key, key_len) ||
	    ctxblob_add(blob, KSSPI_CTX_REC_KRB5_INFO, 0, info, 4) ||
	    ctxblob_finish(blob))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes blob = {}, own = {};
	void *inner, *peer;
	uint32_t enctype;
	bool initiator;

	if (!size)
		return 0;
	enctype = 17 + data[0] % 4;
	initiator = data[0] & 4;
	make_blob(enctype, initiator, &blob);
	inner = kerberos_inner_new(&blob);
	bytes_free(&blob);
	make_blob(enctype, !initiator, &blob);
	peer = kerberos_inner_new(&blob);
	if (!inner || !peer)
		abort();
	if (data[0] & 8) {
		struct bytes plain = {};

		/* The peer's own Wrap token opens; the fuzzer's never */
		if (kerberos_inner_wrap(peer, message, sizeof(message), &own) ||
		    kerberos_inner_unwrap(inner, own.data, own.len, &plain) ||
		    plain.len != sizeof(message) ||
		    memcmp(plain.data, message, sizeof(message)))
			abort();
		bytes_free(&plain);
		if (!kerberos_inner_unwrap(inner, data + 1, size - 1, &plain) ||
		    plain.len)
			abort();
	} else {
		/* The peer's own MIC verifies; the fuzzer's never */
		if (kerberos_inner_sign(peer, message, sizeof(message), &own) ||
		    kerberos_inner_verify(inner, message, sizeof(message),
					  own.data, own.len))
			abort();
		if (!kerberos_inner_verify(inner, message, sizeof(message),
					   data + 1, size - 1))
			abort();
	}
	bytes_free(&own);
	bytes_free(&blob);
	kerberos_inner_free(inner);
	kerberos_inner_free(peer);
	return 0;
}
