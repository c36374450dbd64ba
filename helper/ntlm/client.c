// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLM client (InitializeSecurityContext), MS-NLMP 3.1.5.1: leg 1
 * sends a NEGOTIATE; leg 2 reads the CHALLENGE and answers with an
 * AUTHENTICATE carrying an NTLMv2 response, MsvAvFlags (MIC present),
 * MsvAvChannelBindings, MsvAvTargetName, the MIC and the exchanged key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>

#include "message.h"
#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/oem.h"
#include "ntlm/unicode.h"

/*
 * What the client always asks for (NEGOTIATE_MESSAGE.NegotiateFlags).
 * Both character sets, as Windows offers them: a server that only speaks
 * OEM gets its names in OEM.
 */
#define CLIENT_FLAGS (NTLMSSP_NEGOTIATE_UNICODE | NTLM_NEGOTIATE_OEM | \
		      NTLMSSP_REQUEST_TARGET | \
		      NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN | \
		      NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | \
		      NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56 | \
		      NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_TARGET_INFO)

/*
 * The AUTHENTICATE's worst case (MS-NLMP 2.2.1.3), in bytes: the fixed part
 * with VERSION and MIC; domain and user of KSSPI_MAX_NAME bytes of UTF-8
 * each (ASCII doubles in UTF-16LE, nothing grows more); the workstation (the
 * NetBIOS computer name); the LM response; the NTLMv2 response: NTProofStr,
 * the blob's fixed part, the server's pairs (at most its target info less
 * MsvAvEOL), MsvAvFlags, MsvAvChannelBindings (a 16-byte hash, however
 * long the bindings), MsvAvTargetName (a KSSPI_MAX_NAME target in
 * UTF-16LE), MsvAvEOL and the 4 zero bytes after the list; the exchanged
 * key.  10478 bytes.
 */
#define AV_HDR		4
#define AUTH_WORST_CASE (NTLM_AUTH_HDR + 2 * 2 * KSSPI_MAX_NAME + \
			 2 * NTLM_NETBIOS_NAME_MAX + NTLM_V1_RESPONSE_LEN + \
			 NTLM_V2_PROOF_LEN + NTLM_V2_BLOB_FIXED + \
			 (NTLM_MAX_TARGET_INFO - AV_HDR) + (AV_HDR + 4) + \
			 (AV_HDR + NTLM_KEY_LEN) + \
			 (AV_HDR + 2 * KSSPI_MAX_NAME) + AV_HDR + 4 + \
			 NTLM_KEY_LEN)
_Static_assert(AUTH_WORST_CASE <= NTLM_MAX_TOKEN,
	       "an AUTHENTICATE could exceed NTLM_MAX_TOKEN (cbMaxToken)");

/* The context attributes a client gets with the negotiated @flags. */
static uint32_t client_attr(uint32_t req, uint32_t flags, bool anonymous)
{
	uint32_t attr = ISC_RET_CONNECTION;

	/* Anonymous: no session security (MS-NLMP 3.4), whatever was asked */
	if (anonymous)
		attr |= ISC_RET_NULL_SESSION;
	else if (flags & NTLMSSP_NEGOTIATE_SIGN)
		attr |= req & (ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT |
			       ISC_REQ_SEQUENCE_DETECT);
	if (!anonymous && (flags & NTLMSSP_NEGOTIATE_SEAL))
		attr |= req & ISC_REQ_CONFIDENTIALITY;
	if (flags & NTLMSSP_NEGOTIATE_IDENTIFY)
		attr |= ISC_RET_IDENTIFY;
	return attr;
}


void ntlm_client_negotiate(struct ntlm_state *st, const struct upcall *up,
			   struct reply *reply)
{
	uint32_t flags = CLIENT_FLAGS;
	bool has_user = upcall_has(up, UPCALL_USER) && up->user &&
			up->user[0] != '\0';

	if (up->token.len != 0) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!has_user && !(up->context_req & ISC_REQ_NULL_SESSION)) {
		reply->status = SEC_E_NO_CREDENTIALS;
		return;
	}
	/*
	 * Names as the kernel bounds them (the upcall parser does too): the
	 * AUTHENTICATE's size bound (AUTH_WORST_CASE) rests on it.
	 */
	if ((has_user && strlen(up->user) > KSSPI_MAX_NAME) ||
	    (upcall_has(up, UPCALL_DOMAIN) && up->domain &&
	     strlen(up->domain) > KSSPI_MAX_NAME) ||
	    (upcall_has(up, KSSPI_A_TARGET_NAME) && up->target_name &&
	     strlen(up->target_name) > KSSPI_MAX_NAME)) {
		reply->status = SEC_E_INVALID_PARAMETER;
		return;
	}
	st->anonymous = !has_user;
	if (has_user && upcall_identity_copy(up, &st->user, &st->domain,
					     &st->password)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	/*
	 * KEY_EXCH only with SIGN: without SIGN or SEAL, MS-NLMP's client and
	 * server pseudocode disagree on the key (the server's ignores the
	 * exchanged key), and so do implementations; not asking for it
	 * leaves every server with the KeyExchangeKey.
	 *
	 * Anonymous: no SIGN, SEAL nor KEY_EXCH, whatever was asked.  Its keys
	 * would derive from a zero KeyExchangeKey that anyone who sees the
	 * AUTHENTICATE can use, and MS-NLMP 3.4 gives an anonymous logon no
	 * session security.
	 */
	if (!st->anonymous &&
	    (up->context_req & (ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT |
				ISC_REQ_SEQUENCE_DETECT |
				ISC_REQ_CONFIDENTIALITY)))
		flags |= NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_KEY_EXCH;
	if (!st->anonymous && (up->context_req & ISC_REQ_CONFIDENTIALITY))
		flags |= NTLMSSP_NEGOTIATE_SEAL;
	if (up->context_req & ISC_REQ_IDENTIFY)
		flags |= NTLMSSP_NEGOTIATE_IDENTIFY;

	if ((upcall_has(up, KSSPI_A_TARGET_NAME) && up->target_name &&
	     !(st->target = strdup(up->target_name))) ||
	    !ntlm_keep_bindings(st, up) ||
	    ntlm_negotiate_encode(&st->negotiate, flags, &ntlm_our_version) ||
	    bytes_append(&reply->token, st->negotiate.data,
			 st->negotiate.len)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	st->context_req = up->context_req;
	st->negotiate_flags = flags;
	st->stage = NTLM_CLIENT_SENT_NEGOTIATE;
	reply->status = SEC_I_CONTINUE_NEEDED;
	reply->has_context_attr = true;
	reply->context_attr = client_attr(st->context_req, flags,
					  st->anonymous);
}

/*
 * The client's AV pairs (3.1.5.1.2): the server's, without MsvAvFlags,
 * MsvAvTargetName, MsvAvChannelBindings and MsvAvSingleHost, then
 * MsvAvFlags (the server's bits, MIC present, untrusted SPN when asked),
 * MsvAvChannelBindings (the hash, or Z(16) without bindings),
 * MsvAvTargetName (the SPN, when there is one), MsvAvEOL.
 */
static int client_av_pairs(const struct ntlm_state *st,
			   const struct ntlm_av_list *server,
			   const uint8_t cb_hash[NTLM_KEY_LEN],
			   struct bytes *out)
{
	struct bytes target16 = { 0 };
	struct ntlm_av av;
	uint8_t flags[4];
	size_t pos = 0;
	int err = 0;

	while (server->raw.len && ntlm_av_next(server, &pos, &av) && !err) {
		if (av.id == MSV_AV_FLAGS || av.id == MSV_AV_TARGET_NAME ||
		    av.id == MSV_AV_CHANNEL_BINDINGS ||
		    av.id == MSV_AV_SINGLE_HOST)
			continue;
		err = ntlm_av_put(out, av.id, av.value.data, av.value.len);
	}
	if (err)
		return err;
	ntlm_put_le32(flags, server->flags | MSV_AV_FLAG_MIC_PRESENT |
		      ((st->context_req & ISC_REQ_UNVERIFIED_TARGET_NAME) ?
		       MSV_AV_FLAG_UNTRUSTED_SPN : 0));
	err = ntlm_av_put(out, MSV_AV_FLAGS, flags, sizeof(flags));
	if (!err)
		err = ntlm_av_put(out, MSV_AV_CHANNEL_BINDINGS, cb_hash,
				  NTLM_KEY_LEN);
	if (!err && st->target && st->target[0]) {
		err = ntlm_utf8_to_utf16le(st->target, strlen(st->target),
					   &target16);
		if (!err)
			err = ntlm_av_put(out, MSV_AV_TARGET_NAME,
					  target16.data, target16.len);
		bytes_free(&target16);
	}
	if (!err)
		err = ntlm_av_put(out, MSV_AV_EOL, NULL, 0);
	return err;
}

/* The status of a failed helper call: no memory, or a bad name. */
static uint32_t err_status(int err)
{
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (err == -EILSEQ)
		return SEC_E_UNKNOWN_CREDENTIALS;
	return SEC_E_INTERNAL_ERROR;
}

struct client_keys {
	uint8_t nt_hash[NTLM_KEY_LEN];
	uint8_t response_key[NTLM_KEY_LEN];
	uint8_t proof[NTLM_V2_PROOF_LEN];
	uint8_t key_exchange_key[NTLM_KEY_LEN];
	uint8_t session_key[NTLM_KEY_LEN];	/* ExportedSessionKey */
	uint8_t encrypted_key[NTLM_KEY_LEN];
	uint8_t client_challenge[NTLM_CHALLENGE_LEN];
	uint8_t lm_response[NTLM_V1_RESPONSE_LEN];
	uint8_t mic[NTLM_MIC_LEN];
};

void ntlm_client_authenticate(struct ntlm_state *st, const struct upcall *up,
			      struct reply *reply)
{
	const struct ntlm_config *cfg = ntlm_config();
	struct ntlm_authenticate_fields f = { 0 };
	struct ntlm_challenge chal;
	struct ntlm_av_list server_av;
	struct client_keys k = { 0 };
	struct bytes user16 = { 0 }, domain16 = { 0 }, password16 = { 0 };
	struct bytes user_oem = { 0 }, domain_oem = { 0 };
	struct bytes av = { 0 }, nt_response = { 0 }, msg = { 0 };
	const struct bytes *bindings, *workstation;
	static const uint8_t zero_lm[1];
	uint8_t cb_hash[NTLM_KEY_LEN] = { 0 };
	uint64_t timestamp;
	uint32_t flags, attr;
	char *client_name = NULL;
	bool oem;
	int err;

	err = ntlm_challenge_decode(up->token.data, up->token.len, &chal);
	if (err) {
		reply->status = ntlm_msg_status(err);
		return;
	}
	/* Echoed in the AUTHENTICATE: bounded (NTLM_MAX_TARGET_INFO) */
	if (chal.target_info.len > NTLM_MAX_TARGET_INFO) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	memset(&server_av, 0, sizeof(server_av));
	if (chal.target_info.len) {
		err = ntlm_av_decode(chal.target_info.data,
				     chal.target_info.len, false, &server_av);
		if (err) {
			reply->status = ntlm_msg_status(err);
			return;
		}
	}
	/*
	 * The character set the server chose (MS-NLMP 2.2.2.5): Unicode
	 * when it says so, else OEM; neither is invalid.
	 */
	oem = !(chal.flags & NTLMSSP_NEGOTIATE_UNICODE);
	if (oem && !(chal.flags & NTLM_NEGOTIATE_OEM)) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	/* Extended session security: the keys the kernel protects with */
	if (!(chal.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
		reply->status = SEC_E_ALGORITHM_MISMATCH;
		return;
	}
	/* 3.1.5.1.2: NTLMv2 with integrity needs the server's names. */
	if ((st->negotiate_flags &
	     (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) &&
	    (!server_av.present[MSV_AV_NB_COMPUTER_NAME] ||
	     !server_av.present[MSV_AV_NB_DOMAIN_NAME])) {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	bindings = ntlm_bindings(st, up);
	if (bindings && ntlm_channel_bindings_hash(bindings->data,
						   bindings->len, cb_hash)) {
		reply->status = SEC_E_BAD_BINDINGS;
		return;
	}

	/*
	 * The server need not echo REQUEST_TARGET or IDENTIFY: kept.  One
	 * character set, the server's.
	 */
	flags = (st->negotiate_flags & chal.flags) | NTLMSSP_NEGOTIATE_VERSION |
		(st->negotiate_flags &
		 (NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_IDENTIFY));
	flags &= oem ? ~NTLMSSP_NEGOTIATE_UNICODE : ~NTLM_NEGOTIATE_OEM;
	/* Anonymous: no session security, even from a server that offers it */
	if (st->anonymous)
		flags = (flags | NTLMSSP_NEGOTIATE_ANONYMOUS) &
			~NTLM_SESSION_SECURITY_FLAGS;
	if (!ntlm_uses_key_exch(flags))
		flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	/* Signing or sealing without 128-bit keys (MS-NLMP 3.1.5.1.2) */
	if (ntlm_weak_keys(flags) && !cfg->allow_weak_keys) {
		reply->status = SEC_E_UNSUPPORTED_FUNCTION;
		return;
	}

	if (st->anonymous) {
		/* 3.1.5.1.2: empty NT response, LM Z(1), SessionBaseKey Z(16) */
		f.lm_response.data = zero_lm;
		f.lm_response.len = sizeof(zero_lm);
	} else {
		timestamp = server_av.present[MSV_AV_TIMESTAMP] ?
			    server_av.timestamp : ntlm_filetime_now();
		err = ntlm_utf8_to_utf16le(st->user, strlen(st->user),
					   &user16);
		if (!err)
			err = ntlm_utf8_to_utf16le(st->domain,
						   strlen(st->domain),
						   &domain16);
		if (!err)
			err = ntlm_utf8_to_utf16le(
				(const char *)st->password.data,
				st->password.len, &password16);
		if (err) {
			reply->status = err_status(err);
			goto out;
		}
		ntlm_nt_hash_utf16(password16.data, password16.len, k.nt_hash);
		if (!ntlm_random(k.client_challenge, NTLM_CHALLENGE_LEN)) {
			reply->status = SEC_E_INTERNAL_ERROR;
			goto out;
		}
		err = ntlm_ntowfv2(k.nt_hash, user16.data, user16.len,
				   domain16.data, domain16.len,
				   k.response_key);
		if (!err)
			err = client_av_pairs(st, &server_av, cb_hash, &av);
		if (!err)
			err = bytes_append(&nt_response, k.proof,
					   sizeof(k.proof));
		if (!err)
			err = ntlm_v2_temp(&nt_response, timestamp,
					   k.client_challenge, av.data,
					   av.len);
		if (err) {
			reply->status = err_status(err);
			goto out;
		}
		ntlm_v2_proof(k.response_key, chal.server_challenge,
			      nt_response.data + NTLM_V2_PROOF_LEN,
			      nt_response.len - NTLM_V2_PROOF_LEN, k.proof);
		memcpy(nt_response.data, k.proof, sizeof(k.proof));
		ntlm_v2_session_base_key(k.response_key, k.proof,
					 k.key_exchange_key);
		/* With the server's timestamp, LmChallengeResponse is Z(24) */
		if (!server_av.present[MSV_AV_TIMESTAMP])
			ntlm_lmv2_response(k.response_key,
					   chal.server_challenge,
					   k.client_challenge, k.lm_response);
		f.lm_response.data = k.lm_response;
		f.lm_response.len = sizeof(k.lm_response);
		f.nt_response.data = nt_response.data;
		f.nt_response.len = nt_response.len;
		f.domain.data = domain16.data;
		f.domain.len = domain16.len;
		f.user.data = user16.data;
		f.user.len = user16.len;
		f.with_mic = true;
		/* A name outside the OEM code page cannot be sent */
		if (oem) {
			err = ntlm_utf16le_to_oem(user16.data, user16.len,
						  &user_oem);
			if (!err)
				err = ntlm_utf16le_to_oem(domain16.data,
							  domain16.len,
							  &domain_oem);
			if (err) {
				reply->status = err_status(err);
				goto out;
			}
			f.user.data = user_oem.data;
			f.user.len = user_oem.len;
			f.domain.data = domain_oem.data;
			f.domain.len = domain_oem.len;
		}
	}

	if (ntlm_uses_key_exch(flags)) {
		if (!ntlm_random(k.session_key, NTLM_KEY_LEN)) {
			reply->status = SEC_E_INTERNAL_ERROR;
			goto out;
		}
		ntlm_rc4k(k.key_exchange_key, k.session_key, k.encrypted_key);
		f.session_key.data = k.encrypted_key;
		f.session_key.len = NTLM_KEY_LEN;
	} else {
		memcpy(k.session_key, k.key_exchange_key, NTLM_KEY_LEN);
	}

	f.flags = flags;
	workstation = oem ? &cfg->nb_computer_oem : &cfg->nb_computer16;
	f.workstation.data = workstation->data;
	f.workstation.len = workstation->len;
	f.version = &ntlm_our_version;
	if (ntlm_authenticate_encode(&msg, &f)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	/* Cannot happen (AUTH_WORST_CASE); never hand out a larger token */
	if (msg.len > NTLM_MAX_TOKEN) {
		reply->status = SEC_E_INTERNAL_ERROR;
		goto out;
	}
	if (f.with_mic) {
		ntlm_mic(k.session_key, st->negotiate.data, st->negotiate.len,
			 up->token.data, up->token.len, msg.data, msg.len,
			 NTLM_AUTH_MIC_OFF, k.mic);
		memcpy(msg.data + NTLM_AUTH_MIC_OFF, k.mic, NTLM_MIC_LEN);
	}

	if (st->anonymous) {
		client_name = strdup(NTLM_ANONYMOUS_NAME);
	} else {
		size_t n = strlen(st->domain) + strlen(st->user) + 2;

		client_name = malloc(n);
		if (client_name)
			snprintf(client_name, n, "%s%s%s", st->domain,
				 st->domain[0] ? "\\" : "", st->user);
	}
	if (!client_name || bytes_append(&reply->token, msg.data, msg.len)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	attr = client_attr(st->context_req, flags, st->anonymous);
	ntlm_establish(true, flags, k.session_key, client_name,
		       st->target && st->target[0] ? st->target : NULL, attr,
		       reply);
out:
	explicit_bzero(&k, sizeof(k));
	bytes_free(&user16);
	bytes_free(&domain16);
	bytes_free(&password16);
	bytes_free(&user_oem);
	bytes_free(&domain_oem);
	bytes_free(&av);
	bytes_free(&nt_response);
	bytes_free(&msg);
	free(client_name);
}
