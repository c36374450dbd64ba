// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLM server (AcceptSecurityContext), MS-NLMP 3.2.5.1: leg 1 reads a
 * NEGOTIATE and answers with a CHALLENGE; leg 2 checks the AUTHENTICATE
 * against the user database.
 *
 * Leg 2 runs its checks in this order, the first failure deciding the
 * status (Documentation/ntlm.rst has the table):
 *   1. the message: SEC_E_INVALID_TOKEN
 *   2. the negotiated flags: SEC_E_ALGORITHM_MISMATCH, or
 *      SEC_E_UNSUPPORTED_FUNCTION for keys under 128 bits
 *   3. anonymous refused, NTLMv1 refused, the caller over its limit,
 *      unknown user, account locked out, wrong proof: SEC_E_LOGON_DENIED
 *   4. the MIC: SEC_E_MESSAGE_ALTERED
 *   5. channel bindings: SEC_E_BAD_BINDINGS
 *   6. the target name against the server's SPNs: SEC_E_WRONG_PRINCIPAL
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi_netlink.h>
#include <nettle/memops.h>

#include "message.h"
#include "ntlm/ntlm.h"
#include "ntlm/crypto.h"
#include "ntlm/oem.h"
#include "ntlm/unicode.h"

/* The flags the server echoes when the client asks for them. */
#define ECHOED_FLAGS (NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN | \
		      NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN | \
		      NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56 | \
		      NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_VERSION | \
		      NTLMSSP_NEGOTIATE_IDENTIFY)

/*
 * The CHALLENGE's worst case, with names of NTLM_CONFIG_NAME_MAX bytes
 * (UTF-16LE: twice that at most): the target info (four names, the
 * timestamp, MsvAvEOL) within what a client accepts, the whole message
 * (the fixed part, the domain as TargetName, the target info) within
 * cbMaxToken.
 */
#define AV_HDR			4
#define CHALLENGE_TARGET_INFO_WORST \
	(4 * (AV_HDR + 2 * NTLM_CONFIG_NAME_MAX) + (AV_HDR + 8) + AV_HDR)
_Static_assert(CHALLENGE_TARGET_INFO_WORST <= NTLM_MAX_TARGET_INFO,
	       "our CHALLENGE's target info could exceed what clients accept");
_Static_assert(NTLM_CHALLENGE_HDR + 2 * NTLM_CONFIG_NAME_MAX +
	       CHALLENGE_TARGET_INFO_WORST <= NTLM_MAX_TOKEN,
	       "a CHALLENGE could exceed NTLM_MAX_TOKEN (cbMaxToken)");

/* Target info (2.2.1.2): the server's names and the time. */
static int server_target_info(const struct ntlm_config *cfg,
			      struct bytes *out)
{
	uint8_t now[8];
	int err;

	ntlm_put_le64(now, ntlm_filetime_now());
	err = ntlm_av_put(out, MSV_AV_NB_DOMAIN_NAME, cfg->nb_domain16.data,
			  cfg->nb_domain16.len);
	if (!err)
		err = ntlm_av_put(out, MSV_AV_NB_COMPUTER_NAME,
				  cfg->nb_computer16.data,
				  cfg->nb_computer16.len);
	if (!err)
		err = ntlm_av_put(out, MSV_AV_DNS_DOMAIN_NAME,
				  cfg->dns_domain16.data,
				  cfg->dns_domain16.len);
	if (!err)
		err = ntlm_av_put(out, MSV_AV_DNS_COMPUTER_NAME,
				  cfg->dns_computer16.data,
				  cfg->dns_computer16.len);
	if (!err)
		err = ntlm_av_put(out, MSV_AV_TIMESTAMP, now, sizeof(now));
	if (!err)
		err = ntlm_av_put(out, MSV_AV_EOL, NULL, 0);
	return err;
}

void ntlm_server_challenge(struct ntlm_state *st, const struct upcall *up,
			   struct reply *reply)
{
	const struct ntlm_config *cfg = ntlm_config();
	struct ntlm_negotiate neg;
	struct ntlm_view name = { 0 }, info;
	struct bytes target_info = { 0 };
	uint32_t flags;
	int err;

	err = ntlm_negotiate_decode(up->token.data, up->token.len, &neg);
	if (err) {
		reply->status = ntlm_msg_status(err);
		return;
	}
	/*
	 * The character set (MS-NLMP 2.2.2.5): Unicode when the client
	 * offers it, else OEM when it offers that; neither is invalid.
	 */
	if (neg.flags & NTLMSSP_NEGOTIATE_UNICODE) {
		st->oem = false;
	} else if (neg.flags & NTLM_NEGOTIATE_OEM) {
		st->oem = true;
	} else {
		reply->status = SEC_E_INVALID_TOKEN;
		return;
	}
	if (!(neg.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
		reply->status = SEC_E_ALGORITHM_MISMATCH;
		return;
	}
	/* Signing or sealing without 128-bit keys (MS-NLMP 3.2.5.1.1) */
	if (ntlm_weak_keys(neg.flags) && !cfg->allow_weak_keys) {
		reply->status = SEC_E_UNSUPPORTED_FUNCTION;
		return;
	}
	flags = (st->oem ? NTLM_NEGOTIATE_OEM : NTLMSSP_NEGOTIATE_UNICODE) |
		NTLMSSP_NEGOTIATE_NTLM |
		NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
		NTLMSSP_NEGOTIATE_TARGET_INFO | (neg.flags & ECHOED_FLAGS);
	if (flags & NTLMSSP_REQUEST_TARGET) {
		const struct bytes *domain = st->oem ? &cfg->nb_domain_oem :
						       &cfg->nb_domain16;

		flags |= strcmp(cfg->nb_domain, cfg->nb_computer) ?
			 NTLMSSP_TARGET_TYPE_DOMAIN :
			 NTLMSSP_TARGET_TYPE_SERVER;
		name.data = domain->data;
		name.len = domain->len;
	}
	if (!ntlm_random(st->server_challenge, NTLM_CHALLENGE_LEN)) {
		reply->status = SEC_E_INTERNAL_ERROR;
		return;
	}
	err = server_target_info(cfg, &target_info);
	info.data = target_info.data;
	info.len = target_info.len;
	if (err || !ntlm_keep_bindings(st, up) ||
	    bytes_append(&st->negotiate, up->token.data, up->token.len) ||
	    ntlm_challenge_encode(&st->challenge, flags, st->server_challenge,
				  &name, &info, &ntlm_our_version) ||
	    bytes_append(&reply->token, st->challenge.data,
			 st->challenge.len)) {
		bytes_free(&target_info);
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	bytes_free(&target_info);
	st->context_req = up->context_req;
	st->negotiate_flags = neg.flags;
	st->challenge_flags = flags;
	st->stage = NTLM_SERVER_SENT_CHALLENGE;
	reply->status = SEC_I_CONTINUE_NEEDED;
	reply->has_context_attr = true;
	reply->context_attr = ASC_RET_CONNECTION;
}

/* A hash to verify unknown users against, so they cost the same time. */
static uint8_t dummy_hash[NTLM_KEY_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	if (!ntlm_random(dummy_hash, sizeof(dummy_hash)))
		memset(dummy_hash, 0x5a, sizeof(dummy_hash));
}

struct server_keys {
	uint8_t nt_hash[NTLM_KEY_LEN];
	uint8_t response_key[NTLM_KEY_LEN];
	uint8_t proof[NTLM_V2_PROOF_LEN];
	uint8_t v1_response[NTLM_V1_RESPONSE_LEN];
	uint8_t session_base_key[NTLM_KEY_LEN];
	uint8_t key_exchange_key[NTLM_KEY_LEN];
	uint8_t session_key[NTLM_KEY_LEN];
	uint8_t mic[NTLM_MIC_LEN];
	uint8_t cb_hash[NTLM_KEY_LEN];
};

/* How the client authenticates, from the shape of its responses. */
enum client_kind {
	CLIENT_ANONYMOUS,
	CLIENT_V1,
	CLIENT_V2,
	CLIENT_OTHER,		/* LM only, or an empty user with responses */
};

static enum client_kind client_kind(const struct ntlm_authenticate *a)
{
	if (a->user.len == 0 && a->nt_response.len == 0 &&
	    (a->lm_response.len == 0 ||
	     (a->lm_response.len == 1 && a->lm_response.data[0] == 0)))
		return CLIENT_ANONYMOUS;
	if (a->user.len == 0 || a->nt_response.len == 0)
		return CLIENT_OTHER;
	if (a->nt_response.len == NTLM_V1_RESPONSE_LEN)
		return CLIENT_V1;
	return CLIENT_V2;
}

/* The client's user and domain names in UTF-16LE. */
struct client_names {
	struct ntlm_view user;
	struct ntlm_view domain;
	struct bytes user_buf;		/* converted from OEM */
	struct bytes domain_buf;
};

/*
 * The names of the AUTHENTICATE in the character set of the CHALLENGE,
 * whatever the AUTHENTICATE's own UNICODE and OEM flags say (Samba parses
 * them so too): UTF-16LE (of even length), or OEM converted to UTF-16LE.
 * The workstation name is not used, but must be well-formed UTF-16 too.
 */
static uint32_t client_names(const struct ntlm_state *st,
			     const struct ntlm_authenticate *a,
			     struct client_names *n)
{
	int err;

	if (!st->oem) {
		if (a->user.len % 2 || a->domain.len % 2 ||
		    a->workstation.len % 2)
			return ntlm_msg_status(NTLM_E_ODD);
		n->user = a->user;
		n->domain = a->domain;
		return SEC_E_OK;
	}
	err = ntlm_oem_to_utf16le(a->user.data, a->user.len, &n->user_buf);
	if (!err)
		err = ntlm_oem_to_utf16le(a->domain.data, a->domain.len,
					  &n->domain_buf);
	if (err)
		return err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_INVALID_TOKEN;
	n->user = (struct ntlm_view){ n->user_buf.data, n->user_buf.len };
	n->domain = (struct ntlm_view){ n->domain_buf.data,
					n->domain_buf.len };
	return SEC_E_OK;
}

/*
 * Verifies the proof of a known or unknown user; the work is the same
 * either way.  True when the client knows the NT hash.
 */
static bool verify_user(const struct ntlm_state *st,
			const struct ntlm_authenticate *a,
			const struct client_names *names,
			enum client_kind kind,
			const struct ntlm_v2_response *v2, bool known,
			struct server_keys *k)
{
	bool ok = false;

	if (!known)
		memcpy(k->nt_hash, dummy_hash, NTLM_KEY_LEN);
	if (kind == CLIENT_V2) {
		if (ntlm_ntowfv2(k->nt_hash, names->user.data,
				 names->user.len, names->domain.data,
				 names->domain.len, k->response_key))
			return false;
		ntlm_v2_proof(k->response_key, st->server_challenge,
			      v2->blob.data, v2->blob.len, k->proof);
		ok = memeql_sec(k->proof, v2->proof.data, NTLM_V2_PROOF_LEN);
		ntlm_v2_session_base_key(k->response_key, k->proof,
					 k->session_base_key);
		memcpy(k->key_exchange_key, k->session_base_key,
		       NTLM_KEY_LEN);
	} else {
		/* NTLMv1 with extended session security (3.3.1) */
		static const uint8_t no_lmowf[NTLM_KEY_LEN];

		ntlm_v1_response(k->nt_hash, true, st->server_challenge,
				 a->lm_response.data, k->v1_response);
		ok = memeql_sec(k->v1_response, a->nt_response.data,
				NTLM_V1_RESPONSE_LEN);
		ntlm_v1_session_base_key(k->nt_hash, k->session_base_key);
		ntlm_v1_kxkey(NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
			      k->session_base_key, no_lmowf,
			      a->lm_response.data, st->server_challenge,
			      k->key_exchange_key);
	}
	return ok && known;
}

/* "DOMAIN\\user" as the client sent them, for the log; NULL if not UTF-16 */
static char *names_utf8(const struct client_names *n)
{
	char *domain = NULL, *user = NULL, *both = NULL;
	size_t len;

	if (ntlm_utf16le_to_utf8(n->domain.data, n->domain.len, &domain) ||
	    ntlm_utf16le_to_utf8(n->user.data, n->user.len, &user))
		goto out;
	len = strlen(domain) + strlen(user) + 2;
	both = malloc(len);
	if (both)
		snprintf(both, len, "%s\\%s", domain, user);
out:
	free(domain);
	free(user);
	return both;
}

/*
 * Step 3 for a user (NTLMv1 or v2): the failed-logon policy first
 * (lockout.h: the caller's limit, then the account's lockout), then
 * the database and the proof.  The proof is checked whatever the policy
 * and the database said, so that neither shows in the time taken; a
 * refused logon fails even with the right password.  SEC_E_OK when the
 * client proved the account's password and may log on; the logon stays
 * open in @logon until ntlm_logon_end().
 */
static uint32_t check_user(const struct ntlm_state *st,
			   const struct ntlm_authenticate *a,
			   const struct client_names *names,
			   enum client_kind kind,
			   const struct ntlm_v2_response *v2,
			   struct ntlm_logon *logon,
			   enum ntlm_logon_refusal *refusal,
			   char **client_name, struct server_keys *k)
{
	struct bytes account = { 0 };
	bool known, proven;
	int err;

	*refusal = ntlm_logon_begin(logon, ntlm_lockout_now());
	/* Over its limit the caller learns nothing: nothing is looked at */
	if (*refusal != NTLM_LOGON_ALLOWED)
		return SEC_E_LOGON_DENIED;
	err = ntlm_config_lookup_user(names->domain.data, names->domain.len,
				      names->user.data, names->user.len,
				      k->nt_hash, client_name, &account);
	if (err == -ENOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	known = err == 0;
	if (known)
		*refusal = ntlm_logon_account(logon, account.data, account.len,
					      ntlm_lockout_now());
	bytes_free(&account);
	proven = verify_user(st, a, names, kind, v2, known, k);
	return proven && *refusal == NTLM_LOGON_ALLOWED ? SEC_E_OK :
							  SEC_E_LOGON_DENIED;
}

/* Whether the AUTHENTICATE's MIC verifies with @session_key. */
static bool mic_ok(const struct ntlm_state *st, const struct upcall *up,
		   const uint8_t session_key[NTLM_KEY_LEN],
		   struct server_keys *k)
{
	ntlm_mic(session_key, st->negotiate.data, st->negotiate.len,
		 st->challenge.data, st->challenge.len, up->token.data,
		 up->token.len, NTLM_AUTH_MIC_OFF, k->mic);
	return memeql_sec(k->mic, up->token.data + NTLM_AUTH_MIC_OFF,
			  NTLM_MIC_LEN);
}

/*
 * The ExportedSessionKey (3.2.5.1.2), then the MIC check.
 *
 * With KEY_EXCH and SIGN or SEAL, the key is the client's random key;
 * without KEY_EXCH, the KeyExchangeKey.  KEY_EXCH without SIGN or SEAL is
 * ambiguous: MS-NLMP's server pseudocode then takes the KeyExchangeKey
 * (and so do Windows clients), while its client pseudocode, Samba and
 * gss-ntlmssp exchange the random key.  With a MIC the one that verifies
 * it decides; without one the random key is taken.  The flags keep
 * KEY_EXCH only when the random key was taken.  False when the MIC does
 * not verify.
 */
static bool choose_session_key(const struct ntlm_state *st,
			       const struct upcall *up,
			       const struct ntlm_authenticate *a,
			       bool with_mic, uint32_t *flags,
			       struct server_keys *k)
{
	bool ambiguous = (*flags & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
			 !ntlm_uses_key_exch(*flags);

	if (*flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
		ntlm_rc4k(k->key_exchange_key, a->session_key.data,
			  k->session_key);
	else
		memcpy(k->session_key, k->key_exchange_key, NTLM_KEY_LEN);
	if (!with_mic || mic_ok(st, up, k->session_key, k))
		return true;
	if (!ambiguous)
		return false;
	memcpy(k->session_key, k->key_exchange_key, NTLM_KEY_LEN);
	*flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	return mic_ok(st, up, k->session_key, k);
}

/* Checks the client's channel binding hash against the server's. */
static uint32_t check_bindings(const struct ntlm_state *st,
			       const struct upcall *up,
			       const struct ntlm_av_list *av,
			       struct server_keys *k)
{
	static const uint8_t zero[NTLM_KEY_LEN];
	const struct bytes *bindings = ntlm_bindings(st, up);
	bool missing;

	if (!bindings)
		return SEC_E_OK;	/* the application has none: ignored */
	if (ntlm_channel_bindings_hash(bindings->data, bindings->len,
				       k->cb_hash))
		return SEC_E_BAD_BINDINGS;
	missing = !av || !av->present[MSV_AV_CHANNEL_BINDINGS] ||
		  memcmp(av->value[MSV_AV_CHANNEL_BINDINGS].data, zero,
			 NTLM_KEY_LEN) == 0;
	if (missing)
		return (st->context_req & ASC_REQ_ALLOW_MISSING_BINDINGS) ?
		       SEC_E_OK : SEC_E_BAD_BINDINGS;
	if (!memeql_sec(av->value[MSV_AV_CHANNEL_BINDINGS].data, k->cb_hash,
			NTLM_KEY_LEN))
		return SEC_E_BAD_BINDINGS;
	return SEC_E_OK;
}

/*
 * With SPNs configured, a target name the client gives must be one of
 * them (case-insensitively); a client that gives none is accepted, as
 * Windows' "accept if provided by client" level does.
 */
static uint32_t check_target(const struct ntlm_av_list *av)
{
	const struct ntlm_config *cfg = ntlm_config();
	const struct ntlm_view *name;
	size_t i;

	if (cfg->spn_count == 0 || !av || !av->present[MSV_AV_TARGET_NAME] ||
	    av->value[MSV_AV_TARGET_NAME].len == 0)
		return SEC_E_OK;
	name = &av->value[MSV_AV_TARGET_NAME];
	for (i = 0; i < cfg->spn_count; i++)
		if (ntlm_utf16le_equal_nocase(name->data, name->len,
					      cfg->spns16[i].data,
					      cfg->spns16[i].len))
			return SEC_E_OK;
	return SEC_E_WRONG_PRINCIPAL;
}

void ntlm_server_verify(struct ntlm_state *st, const struct upcall *up,
			struct reply *reply)
{
	const struct ntlm_config *cfg = ntlm_config();
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	struct server_keys k = { 0 };
	struct client_names names = { 0 };
	struct ntlm_logon logon;
	enum ntlm_logon_refusal refusal = NTLM_LOGON_ALLOWED;
	enum ntlm_logon_outcome outcome = NTLM_LOGON_UNDECIDED;
	enum client_kind kind;
	char *client_name = NULL, *log_name = NULL;
	uint32_t flags, attr, status;
	bool with_mic = false, in_logon = false;
	int err;

	pthread_once(&dummy_once, dummy_init);
	memset(&v2, 0, sizeof(v2));

	/* 1. The message */
	err = ntlm_authenticate_decode(up->token.data, up->token.len, &a);
	if (err) {
		reply->status = ntlm_msg_status(err);
		return;
	}
	status = client_names(st, &a, &names);
	if (status != SEC_E_OK) {
		reply->status = status;
		goto out;
	}
	kind = client_kind(&a);
	if (kind == CLIENT_V2) {
		err = ntlm_v2_response_decode(a.nt_response.data,
					      a.nt_response.len, &v2);
		if (err) {
			reply->status = ntlm_msg_status(err);
			goto out;
		}
		/*
		 * The MIC is at offset 72 whenever MsvAvFlags announces it,
		 * with or without NEGOTIATE_VERSION: the VERSION field is
		 * always there, only left zero (MS-NLMP 2.2.1.3; Windows and
		 * Samba read it there).
		 */
		if (v2.av.flags & MSV_AV_FLAG_MIC_PRESENT) {
			with_mic = true;
			if (a.payload_start < NTLM_AUTH_MIC_OFF + NTLM_MIC_LEN) {
				reply->status = ntlm_msg_status(NTLM_E_MIC);
				goto out;
			}
		}
	} else if (kind == CLIENT_V1 &&
		   a.lm_response.len != NTLM_V1_RESPONSE_LEN) {
		reply->status = SEC_E_INVALID_TOKEN;
		goto out;
	}

	/* 2. The flags: what both messages agree on */
	flags = (a.flags & st->challenge_flags) |
		(kind == CLIENT_ANONYMOUS ? NTLMSSP_NEGOTIATE_ANONYMOUS : 0);
	if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
		reply->status = SEC_E_ALGORITHM_MISMATCH;
		goto out;
	}
	if (ntlm_uses_key_exch(flags) && a.session_key.len != NTLM_KEY_LEN) {
		reply->status = ntlm_msg_status(NTLM_E_KEY_LEN);
		goto out;
	}
	/* KEY_EXCH without SIGN or SEAL: see choose_session_key() */
	if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
	    a.session_key.len != NTLM_KEY_LEN)
		flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	/*
	 * Anonymous: no session security (MS-NLMP 3.4), whatever the client
	 * asked for.  Its keys would derive from a zero KeyExchangeKey that
	 * anyone who sees the AUTHENTICATE can use; without SIGN and SEAL the
	 * kernel refuses to protect messages with them.  An exchanged key is
	 * ignored: the session key is the (zero) KeyExchangeKey.
	 */
	if (kind == CLIENT_ANONYMOUS)
		flags &= ~NTLM_SESSION_SECURITY_FLAGS;
	/* An AUTHENTICATE that dropped 128 but kept SIGN or SEAL */
	if (ntlm_weak_keys(flags) && !cfg->allow_weak_keys) {
		reply->status = SEC_E_UNSUPPORTED_FUNCTION;
		goto out;
	}

	/* 3. Who the client is */
	switch (kind) {
	case CLIENT_ANONYMOUS:
		if (!(st->context_req & ASC_REQ_ALLOW_NULL_SESSION)) {
			reply->status = SEC_E_LOGON_DENIED;
			goto out;
		}
		client_name = strdup(NTLM_ANONYMOUS_NAME);
		if (!client_name) {
			reply->status = SEC_E_INSUFFICIENT_MEMORY;
			goto out;
		}
		/* SessionBaseKey and KeyExchangeKey are Z(16) */
		break;
	case CLIENT_OTHER:
		reply->status = SEC_E_LOGON_DENIED;
		goto out;
	case CLIENT_V1:
		if (!cfg->allow_v1) {
			reply->status = SEC_E_LOGON_DENIED;
			goto out;
		}
		/* fall through */
	case CLIENT_V2:
		logon = (struct ntlm_logon){
			.uid = up->uid, .pid = up->pid,
			.kernel = up->flags & KSSPI_UPCALL_F_KERNEL_CALLER,
			.client = log_name = names_utf8(&names),
		};
		in_logon = true;
		status = check_user(st, &a, &names, kind, &v2, &logon,
				    &refusal, &client_name, &k);
		if (status != SEC_E_OK) {
			if (status == SEC_E_LOGON_DENIED)
				outcome = NTLM_LOGON_FAILED;
			reply->status = status;
			goto out;
		}
		break;
	}

	/* 4. The session key, and the MIC */
	if (!choose_session_key(st, up, &a, with_mic, &flags, &k)) {
		reply->status = SEC_E_MESSAGE_ALTERED;
		goto out;
	}

	/* 5. Channel bindings, 6. the target name */
	status = check_bindings(st, up, kind == CLIENT_V2 ? &v2.av : NULL,
				&k);
	if (status == SEC_E_OK)
		status = check_target(kind == CLIENT_V2 ? &v2.av : NULL);
	if (status != SEC_E_OK) {
		reply->status = status;
		goto out;
	}

	attr = ASC_RET_CONNECTION;
	if (kind == CLIENT_ANONYMOUS) {
		attr |= ASC_RET_NULL_SESSION;	/* and nothing of SIGN, SEAL */
	} else {
		if (flags & NTLMSSP_NEGOTIATE_SIGN)
			attr |= ASC_RET_INTEGRITY | ASC_RET_REPLAY_DETECT |
				ASC_RET_SEQUENCE_DETECT;
		if (flags & NTLMSSP_NEGOTIATE_SEAL)
			attr |= ASC_RET_CONFIDENTIALITY;
	}
	/* An identify-level context: the client asked, or the server */
	if ((flags & NTLMSSP_NEGOTIATE_IDENTIFY) ||
	    (st->context_req & ASC_REQ_IDENTIFY))
		attr |= ASC_RET_IDENTIFY;
	ntlm_establish(false, flags, k.session_key, client_name,
		       cfg->dns_computer, attr, reply);
	if (reply->status == SEC_E_OK)
		outcome = NTLM_LOGON_PROVEN;
out:
	if (reply->status == SEC_E_LOGON_DENIED)
		st->failure_ntstatus = refusal == NTLM_LOGON_LOCKED_OUT ?
				       NTLM_STATUS_ACCOUNT_LOCKED_OUT :
				       NTLM_STATUS_LOGON_FAILURE;
	if (in_logon)
		ntlm_logon_end(&logon, outcome, refusal, ntlm_lockout_now());
	free(log_name);
	explicit_bzero(&k, sizeof(k));
	bytes_free(&names.user_buf);
	bytes_free(&names.domain_buf);
	free(client_name);
}
