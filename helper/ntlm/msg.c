// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NTLM message coding (MS-NLMP 2.2).  Every length and offset read from a
 * message is checked against the message before anything is read through
 * it; offsets are 32-bit and lengths 16-bit, so the sums below cannot
 * overflow a size_t once each offset is known to lie inside the message.
 */
#include <errno.h>
#include <string.h>

#include <linux/ksspi_sspi.h>

#include "ntlm/msg.h"

/* Windows Server 2019 (10.0.17763), NTLMSSP_REVISION_W2K3 */
const struct ntlm_version ntlm_our_version = {
	.major = 10, .minor = 0, .build = 17763, .revision = NTLM_REVISION_W2K3,
};

const char *ntlm_msg_strerror(int err)
{
	switch (err) {
	case NTLM_OK:			return "ok";
	case NTLM_E_SHORT:		return "message too short";
	case NTLM_E_SIGNATURE:		return "no NTLMSSP signature";
	case NTLM_E_TYPE:		return "unexpected message type";
	case NTLM_E_FIELD:		return "field outside the message";
	case NTLM_E_FIELD_OVERLAP:	return "field inside the fixed header";
	case NTLM_E_ODD:		return "UTF-16 field of odd length";
	case NTLM_E_AV_TRUNCATED:	return "AV pair overruns its list";
	case NTLM_E_AV_NO_EOL:		return "AV pair list without MsvAvEOL";
	case NTLM_E_AV_EOL_LEN:		return "MsvAvEOL with a value";
	case NTLM_E_AV_DUPLICATE:	return "AV pair repeated";
	case NTLM_E_AV_SIZE:		return "AV pair of the wrong size";
	case NTLM_E_AV_ODD:		return "AV pair name of odd length";
	case NTLM_E_AV_TRAILING:	return "bytes after MsvAvEOL";
	case NTLM_E_RESPONSE:		return "malformed NTLMv2 response";
	case NTLM_E_KEY_LEN:		return "session key not 16 bytes";
	case NTLM_E_MIC:		return "no room for the MIC";
	case NTLM_E_NOMEM:		return "out of memory";
	}
	return "unknown error";
}

uint32_t ntlm_msg_status(int err)
{
	if (err == NTLM_OK)
		return SEC_E_OK;
	if (err == NTLM_E_NOMEM)
		return SEC_E_INSUFFICIENT_MEMORY;
	return SEC_E_INVALID_TOKEN;
}

int ntlm_msg_type(const uint8_t *msg, size_t len, uint32_t *type)
{
	if (len < NTLM_SIGNATURE_LEN + 4)
		return NTLM_E_SHORT;
	if (memcmp(msg, NTLM_SIGNATURE, NTLM_SIGNATURE_LEN) != 0)
		return NTLM_E_SIGNATURE;
	*type = ntlm_le32(msg + NTLM_SIGNATURE_LEN);
	return NTLM_OK;
}

/* Checks the signature, type and minimum length of a message. */
static int check_header(const uint8_t *msg, size_t len, uint32_t want,
			size_t min_len)
{
	uint32_t type;
	int err = ntlm_msg_type(msg, len, &type);

	if (err)
		return err;
	if (type != want)
		return NTLM_E_TYPE;
	if (len < min_len)
		return NTLM_E_SHORT;
	return NTLM_OK;
}

/*
 * Reads the field descriptor (Len, MaxLen, Offset) at @at.  MaxLen is
 * ignored, as MS-NLMP asks.  The offset must lie inside the message even
 * for an empty field, and a non-empty field must start after the fixed
 * part (@fixed bytes) and end inside the message.
 */
static int get_field(const uint8_t *msg, size_t len, size_t at, size_t fixed,
		     struct ntlm_view *out)
{
	size_t flen = ntlm_le16(msg + at);
	size_t off = ntlm_le32(msg + at + 4);

	if (off > len || flen > len - off)
		return NTLM_E_FIELD;
	if (flen > 0 && off < fixed)
		return NTLM_E_FIELD_OVERLAP;
	out->data = msg + off;
	out->len = flen;
	return NTLM_OK;
}

static void get_version(const uint8_t *p, struct ntlm_version *v)
{
	v->major = p[0];
	v->minor = p[1];
	v->build = ntlm_le16(p + 2);
	v->revision = p[7];
}

static void put_version(uint8_t *p, const struct ntlm_version *v)
{
	memset(p, 0, NTLM_VERSION_LEN);
	if (!v)
		return;
	p[0] = v->major;
	p[1] = v->minor;
	ntlm_put_le16(p + 2, v->build);
	p[7] = v->revision;
}

static void put_field(uint8_t *p, size_t len, size_t off)
{
	ntlm_put_le16(p, (uint16_t)len);
	ntlm_put_le16(p + 2, (uint16_t)len);
	ntlm_put_le32(p + 4, (uint32_t)off);
}

/* Lowest offset of the non-empty fields, or @len. */
static size_t payload_start(const struct ntlm_view *fields, size_t n,
			    const uint8_t *msg, size_t len)
{
	size_t start = len, i;

	for (i = 0; i < n; i++)
		if (fields[i].len && (size_t)(fields[i].data - msg) < start)
			start = (size_t)(fields[i].data - msg);
	return start;
}

int ntlm_negotiate_decode(const uint8_t *msg, size_t len,
			  struct ntlm_negotiate *out)
{
	struct ntlm_view fields[2];
	int err;

	memset(out, 0, sizeof(*out));
	err = check_header(msg, len, NTLM_NEGOTIATE, NTLM_NEGOTIATE_MIN);
	if (err)
		return err;
	out->flags = ntlm_le32(msg + 12);
	err = get_field(msg, len, 16, NTLM_NEGOTIATE_MIN, &fields[0]);
	if (!err)
		err = get_field(msg, len, 24, NTLM_NEGOTIATE_MIN, &fields[1]);
	if (err)
		return err;
	if (out->flags & NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED)
		out->domain = fields[0];
	if (out->flags & NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED)
		out->workstation = fields[1];
	if ((out->flags & NTLMSSP_NEGOTIATE_VERSION) &&
	    payload_start(fields, 2, msg, len) >= NTLM_NEGOTIATE_HDR) {
		out->has_version = true;
		get_version(msg + 32, &out->version);
	}
	return NTLM_OK;
}

int ntlm_negotiate_encode(struct bytes *out, uint32_t flags,
			  const struct ntlm_version *version)
{
	uint8_t m[NTLM_NEGOTIATE_HDR];

	memcpy(m, NTLM_SIGNATURE, NTLM_SIGNATURE_LEN);
	ntlm_put_le32(m + 8, NTLM_NEGOTIATE);
	ntlm_put_le32(m + 12, flags);
	put_field(m + 16, 0, NTLM_NEGOTIATE_HDR);
	put_field(m + 24, 0, NTLM_NEGOTIATE_HDR);
	put_version(m + 32, version);
	return bytes_append(out, m, sizeof(m)) ? -ENOMEM : 0;
}

int ntlm_challenge_decode(const uint8_t *msg, size_t len,
			  struct ntlm_challenge *out)
{
	struct ntlm_view fields[2];
	int err;

	memset(out, 0, sizeof(*out));
	err = check_header(msg, len, NTLM_CHALLENGE, NTLM_CHALLENGE_MIN);
	if (err)
		return err;
	err = get_field(msg, len, 12, NTLM_CHALLENGE_MIN, &fields[0]);
	if (!err)
		err = get_field(msg, len, 40, NTLM_CHALLENGE_MIN, &fields[1]);
	if (err)
		return err;
	out->flags = ntlm_le32(msg + 20);
	memcpy(out->server_challenge, msg + 24, NTLM_CHALLENGE_LEN);
	if ((out->flags & NTLMSSP_NEGOTIATE_UNICODE) && fields[0].len % 2)
		return NTLM_E_ODD;
	out->target_name = fields[0];
	out->target_info = fields[1];
	if ((out->flags & NTLMSSP_NEGOTIATE_VERSION) &&
	    payload_start(fields, 2, msg, len) >= NTLM_CHALLENGE_HDR) {
		out->has_version = true;
		get_version(msg + 48, &out->version);
	}
	return NTLM_OK;
}

int ntlm_challenge_encode(struct bytes *out, uint32_t flags,
			  const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
			  const struct ntlm_view *target_name,
			  const struct ntlm_view *target_info,
			  const struct ntlm_version *version)
{
	uint8_t m[NTLM_CHALLENGE_HDR];
	size_t name_len = target_name ? target_name->len : 0;
	size_t info_len = target_info ? target_info->len : 0;

	if (name_len > UINT16_MAX || info_len > UINT16_MAX)
		return -EINVAL;
	memcpy(m, NTLM_SIGNATURE, NTLM_SIGNATURE_LEN);
	ntlm_put_le32(m + 8, NTLM_CHALLENGE);
	put_field(m + 12, name_len, NTLM_CHALLENGE_HDR);
	ntlm_put_le32(m + 20, flags);
	memcpy(m + 24, server_challenge, NTLM_CHALLENGE_LEN);
	memset(m + 32, 0, 8);
	put_field(m + 40, info_len, NTLM_CHALLENGE_HDR + name_len);
	put_version(m + 48, version);
	if (bytes_append(out, m, sizeof(m)) ||
	    (name_len && bytes_append(out, target_name->data, name_len)) ||
	    (info_len && bytes_append(out, target_info->data, info_len)))
		return -ENOMEM;
	return 0;
}

int ntlm_authenticate_decode(const uint8_t *msg, size_t len,
			     struct ntlm_authenticate *out)
{
	struct ntlm_view f[6];
	static const size_t at[6] = { 12, 20, 28, 36, 44, 52 };
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	err = check_header(msg, len, NTLM_AUTHENTICATE, NTLM_AUTH_MIN);
	if (err)
		return err;
	for (i = 0; i < 6; i++) {
		err = get_field(msg, len, at[i], NTLM_AUTH_MIN, &f[i]);
		if (err)
			return err;
	}
	out->flags = ntlm_le32(msg + 60);
	out->lm_response = f[0];
	out->nt_response = f[1];
	out->domain = f[2];
	out->user = f[3];
	out->workstation = f[4];
	out->session_key = f[5];
	out->payload_start = payload_start(f, 6, msg, len);
	if ((out->flags & NTLMSSP_NEGOTIATE_VERSION) &&
	    out->payload_start >= NTLM_AUTH_VERSION_OFF + NTLM_VERSION_LEN) {
		out->has_version = true;
		get_version(msg + NTLM_AUTH_VERSION_OFF, &out->version);
	}
	return NTLM_OK;
}

int ntlm_authenticate_encode(struct bytes *out,
			     const struct ntlm_authenticate_fields *f)
{
	const struct ntlm_view *order[6] = {
		&f->domain, &f->user, &f->workstation,
		&f->lm_response, &f->nt_response, &f->session_key,
	};
	/* Descriptor positions of the fields in @order */
	static const size_t at[6] = { 28, 36, 44, 12, 20, 52 };
	size_t hdr = f->with_mic ? NTLM_AUTH_HDR :
				   NTLM_AUTH_VERSION_OFF + NTLM_VERSION_LEN;
	uint8_t m[NTLM_AUTH_HDR];
	size_t off = hdr, i;

	if (out->len != 0)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		if (order[i]->len > UINT16_MAX)
			return -EINVAL;
	memset(m, 0, sizeof(m));
	memcpy(m, NTLM_SIGNATURE, NTLM_SIGNATURE_LEN);
	ntlm_put_le32(m + 8, NTLM_AUTHENTICATE);
	for (i = 0; i < 6; i++) {
		put_field(m + at[i], order[i]->len, off);
		off += order[i]->len;
	}
	ntlm_put_le32(m + 60, f->flags);
	put_version(m + NTLM_AUTH_VERSION_OFF, f->version);
	if (bytes_append(out, m, hdr))
		return -ENOMEM;
	for (i = 0; i < 6; i++)
		if (order[i]->len &&
		    bytes_append(out, order[i]->data, order[i]->len))
			return -ENOMEM;
	return 0;
}

static bool av_is_name(uint16_t id)
{
	return (id >= MSV_AV_NB_COMPUTER_NAME && id <= MSV_AV_DNS_TREE_NAME) ||
	       id == MSV_AV_TARGET_NAME;
}

int ntlm_av_decode(const uint8_t *data, size_t len, bool trailing_ok,
		   struct ntlm_av_list *out)
{
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		uint16_t id, vlen;
		const uint8_t *value;

		if (pos == len)
			return NTLM_E_AV_NO_EOL;
		if (len - pos < 4)
			return NTLM_E_AV_TRUNCATED;
		id = ntlm_le16(data + pos);
		vlen = ntlm_le16(data + pos + 2);
		if (vlen > len - pos - 4)
			return NTLM_E_AV_TRUNCATED;
		value = data + pos + 4;
		pos += 4 + (size_t)vlen;

		if (id == MSV_AV_EOL) {
			if (vlen != 0)
				return NTLM_E_AV_EOL_LEN;
			if (pos != len && !trailing_ok)
				return NTLM_E_AV_TRAILING;
			out->raw.data = data;
			out->raw.len = pos;
			return NTLM_OK;
		}
		out->count++;
		if (id > MSV_AV_KNOWN_MAX)
			continue;	/* unknown: any length, any number */
		if (out->present[id])
			return NTLM_E_AV_DUPLICATE;
		if ((id == MSV_AV_FLAGS && vlen != 4) ||
		    (id == MSV_AV_TIMESTAMP && vlen != 8) ||
		    (id == MSV_AV_CHANNEL_BINDINGS && vlen != 16))
			return NTLM_E_AV_SIZE;
		if (av_is_name(id) && vlen % 2)
			return NTLM_E_AV_ODD;
		out->present[id] = true;
		out->value[id].data = value;
		out->value[id].len = vlen;
		if (id == MSV_AV_FLAGS)
			out->flags = ntlm_le32(value);
		else if (id == MSV_AV_TIMESTAMP)
			out->timestamp = ntlm_le64(value);
	}
}

bool ntlm_av_next(const struct ntlm_av_list *list, size_t *pos,
		  struct ntlm_av *av)
{
	const uint8_t *p = list->raw.data;

	if (*pos + 4 > list->raw.len)
		return false;
	av->id = ntlm_le16(p + *pos);
	av->value.len = ntlm_le16(p + *pos + 2);
	av->value.data = p + *pos + 4;
	if (av->id == MSV_AV_EOL)
		return false;
	*pos += 4 + av->value.len;
	return true;
}

int ntlm_av_put(struct bytes *out, uint16_t id, const void *value,
		size_t len)
{
	uint8_t hdr[4];

	if (len > UINT16_MAX)
		return -EINVAL;
	ntlm_put_le16(hdr, id);
	ntlm_put_le16(hdr + 2, (uint16_t)len);
	if (bytes_append(out, hdr, sizeof(hdr)) ||
	    (len && bytes_append(out, value, len)))
		return -ENOMEM;
	return 0;
}

int ntlm_v2_response_decode(const uint8_t *data, size_t len,
			    struct ntlm_v2_response *out)
{
	const uint8_t *blob;
	size_t blob_len;
	int err;

	memset(out, 0, sizeof(*out));
	if (len < NTLM_V2_PROOF_LEN + NTLM_V2_BLOB_FIXED + 4)
		return NTLM_E_RESPONSE;
	blob = data + NTLM_V2_PROOF_LEN;
	blob_len = len - NTLM_V2_PROOF_LEN;
	if (blob[0] != 1 || blob[1] != 1)
		return NTLM_E_RESPONSE;
	out->proof.data = data;
	out->proof.len = NTLM_V2_PROOF_LEN;
	out->blob.data = blob;
	out->blob.len = blob_len;
	out->timestamp = ntlm_le64(blob + 8);
	memcpy(out->client_challenge, blob + 16, NTLM_CHALLENGE_LEN);
	err = ntlm_av_decode(blob + NTLM_V2_BLOB_FIXED,
			     blob_len - NTLM_V2_BLOB_FIXED, true, &out->av);
	return err;
}
