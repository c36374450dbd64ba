// SPDX-License-Identifier: GPL-2.0
/*
 * The CredSSP package (MS-CSSP).  Its handshake, TLS and then the TSRequest
 * exchange, runs in ksspid, which hands over the TLS session's record layer
 * in the serialized context (KSSPI_CTX_REC_TLS_*) together with what the
 * TSRequest exchange settled (KSSPI_CTX_REC_CREDSSP_*).  Here the
 * established context protects messages as TLS records in Schannel's
 * stream layout (Documentation/credssp-records.rst), or hands a direction
 * of the record layer to kTLS on the caller's TCP socket (kmod/ktls.c).
 */
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "ktls.h"
#include "package.h"
#include "secbuf.h"
#include "serialize.h"
#include "tls_record.h"
#include "user.h"

/* Windows 10's CREDSSP reports this cbMaxToken */
#define KSSPI_CREDSSP_MAX_TOKEN		90567
#define KSSPI_CREDSSP_TS_VERSION_MIN	2
#define KSSPI_CREDSSP_TS_VERSION_MAX	6
#define KSSPI_CREDSSP_INFO_FLAGS	KSSPI_CREDSSP_F_RESUMED
/* SecPkgContext_StreamSizes.cBuffers: header, data, trailer, extra */
#define KSSPI_CREDSSP_STREAM_BUFFERS	4

/* AlertDescription and HandshakeType values the receive side acts on */
#define KSSPI_TLS_ALERT_WARNING		1
#define KSSPI_TLS_CLOSE_NOTIFY		0
#define KSSPI_TLS_USER_CANCELED		90
#define KSSPI_TLS_HELLO_REQUEST		0
#define KSSPI_TLS_NEW_SESSION_TICKET	4
#define KSSPI_TLS_KEY_UPDATE		24

#define KSSPI_CREDSSP_REC_BIT(type)	BIT((type) - KSSPI_CTX_REC_TLS_VERSION)
#define KSSPI_CREDSSP_REQUIRED					\
	(KSSPI_CREDSSP_REC_BIT(KSSPI_CTX_REC_TLS_VERSION) |	\
	 KSSPI_CREDSSP_REC_BIT(KSSPI_CTX_REC_TLS_CIPHER) |	\
	 KSSPI_CREDSSP_REC_BIT(KSSPI_CTX_REC_TLS_TX) |		\
	 KSSPI_CREDSSP_REC_BIT(KSSPI_CTX_REC_TLS_RX) |		\
	 KSSPI_CREDSSP_REC_BIT(KSSPI_CTX_REC_CREDSSP_VERSION) |	\
	 KSSPI_CREDSSP_REC_BIT(KSSPI_CTX_REC_CREDSSP_INNER))

/**
 * enum ksspi_credssp_dir_state - what a direction of the record layer can do
 * @KSSPI_CREDSSP_OPEN: the message functions use it
 * @KSSPI_CREDSSP_KTLS: handed to kTLS; the socket has its state now
 * @KSSPI_CREDSSP_CLOSED: the peer sent close_notify
 * @KSSPI_CREDSSP_FAILED: a fatal alert, a KeyUpdate or a malformed record
 *	that authenticated: TLS allows nothing more in this direction
 */
enum ksspi_credssp_dir_state {
	KSSPI_CREDSSP_OPEN,
	KSSPI_CREDSSP_KTLS,
	KSSPI_CREDSSP_CLOSED,
	KSSPI_CREDSSP_FAILED,
};

/**
 * struct ksspi_credssp_state - the package's per-message state
 * @tls: the record layer
 * @tx_state: what the send direction can do
 * @rx_state: what the receive direction can do
 * @ts_version: the TSRequest version both sides used
 * @info: KSSPI_CREDSSP_F_*
 * @inner: the inner package's name (UTF-8)
 * @delegated: the TSCredentials the client delegated (acceptor only; a
 *	secret, zeroized on free), or NULL
 * @delegated_len: its length
 * @tx_rec: the TLS_TX record as imported, until import_finish
 * @rx_rec: the TLS_RX record as imported, until import_finish
 * @seen: KSSPI_CREDSSP_REC_BIT() of the records imported
 *
 * Used under the owning context's msg_lock.
 */
struct ksspi_credssp_state {
	struct ksspi_tls tls;
	enum ksspi_credssp_dir_state tx_state;
	enum ksspi_credssp_dir_state rx_state;
	u32 ts_version;
	u32 info;
	char *inner;
	u8 *delegated;
	u32 delegated_len;
	struct ksspi_tls_state tx_rec;
	struct ksspi_tls_state rx_rec;
	u32 seen;
};

static struct ksspi_credssp_state *
ksspi_credssp_state(struct ksspi_sec_state *sec)
{
	struct ksspi_credssp_state *st = sec->pkg_state;

	if (!st) {
		st = kzalloc(sizeof(*st), KSSPI_GFP_CALLER);
		sec->pkg_state = st;
	}
	return st;
}

static int ksspi_credssp_le(const void *value, u32 len, u32 want, u32 *out)
{
	if (len != want)
		return -EINVAL;
	*out = want == sizeof(__le16) ? get_unaligned_le16(value) :
					get_unaligned_le32(value);
	return 0;
}

static int ksspi_credssp_import_record(struct ksspi_sec_state *sec, u16 type,
				       const void *value, u32 len)
{
	struct ksspi_credssp_state *st;
	u32 v;

	if (type < KSSPI_CTX_REC_TLS_VERSION ||
	    type > KSSPI_CTX_REC_CREDSSP_DELEGATED)
		return -ENOENT;
	st = ksspi_credssp_state(sec);
	if (!st)
		return -ENOMEM;
	if (st->seen & KSSPI_CREDSSP_REC_BIT(type))
		return -EINVAL;
	st->seen |= KSSPI_CREDSSP_REC_BIT(type);

	switch (type) {
	case KSSPI_CTX_REC_TLS_VERSION:
		if (ksspi_credssp_le(value, len, sizeof(__le16), &v) ||
		    (v != KSSPI_TLS_1_2 && v != KSSPI_TLS_1_3))
			return -EINVAL;
		st->tls.version = v;
		return 0;
	case KSSPI_CTX_REC_TLS_CIPHER:
		if (ksspi_credssp_le(value, len, sizeof(__le16), &v) ||
		    !ksspi_tls_suite_valid(KSSPI_TLS_1_2, v))
			return -EINVAL;
		st->tls.cipher = v;
		return 0;
	case KSSPI_CTX_REC_TLS_TX:
	case KSSPI_CTX_REC_TLS_RX:
		if (len != sizeof(struct ksspi_tls_state))
			return -EINVAL;
		memcpy(type == KSSPI_CTX_REC_TLS_TX ? &st->tx_rec : &st->rx_rec,
		       value, len);
		return 0;
	case KSSPI_CTX_REC_CREDSSP_VERSION:
		if (ksspi_credssp_le(value, len, sizeof(__le32), &v) ||
		    v < KSSPI_CREDSSP_TS_VERSION_MIN ||
		    v > KSSPI_CREDSSP_TS_VERSION_MAX)
			return -EINVAL;
		st->ts_version = v;
		return 0;
	case KSSPI_CTX_REC_CREDSSP_INNER:
		if (!len || len >= KSSPI_MAX_PACKAGE_NAME ||
		    memchr(value, '\0', len))
			return -EINVAL;
		st->inner = kmemdup_nul(value, len, KSSPI_GFP_CALLER);
		return st->inner ? 0 : -ENOMEM;
	case KSSPI_CTX_REC_CREDSSP_INFO:
		if (ksspi_credssp_le(value, len, sizeof(__le32), &v) ||
		    (v & ~KSSPI_CREDSSP_INFO_FLAGS))
			return -EINVAL;
		st->info = v;
		return 0;
	case KSSPI_CTX_REC_CREDSSP_DELEGATED:
		/* Only the acceptor receives credentials. */
		if ((sec->flags & KSSPI_CTX_F_INITIATOR) || !len)
			return -EINVAL;
		st->delegated = kmemdup(value, len, KSSPI_GFP_CALLER);
		st->delegated_len = len;
		return st->delegated ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static u32 ksspi_credssp_setup_status(int err)
{
	if (err == -EINVAL)
		return SEC_E_INVALID_TOKEN;
	return err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY : SEC_E_INTERNAL_ERROR;
}

static u32 ksspi_credssp_import_finish(struct ksspi_sec_state *sec)
{
	struct ksspi_credssp_state *st = ksspi_credssp_state(sec);
	int err;

	if (!st)
		return SEC_E_INSUFFICIENT_MEMORY;
	if ((st->seen & KSSPI_CREDSSP_REQUIRED) != KSSPI_CREDSSP_REQUIRED)
		return SEC_E_INVALID_TOKEN;
	err = ksspi_tls_dir_load(&st->tls.tx, &st->tls, &st->tx_rec) ?:
	      ksspi_tls_dir_load(&st->tls.rx, &st->tls, &st->rx_rec);
	memzero_explicit(&st->tx_rec, sizeof(st->tx_rec));
	memzero_explicit(&st->rx_rec, sizeof(st->rx_rec));
	if (!err)
		err = ksspi_tls_dir_setup(&st->tls.tx, &st->tls) ?:
		      ksspi_tls_dir_setup(&st->tls.rx, &st->tls);
	if (err)
		return ksspi_credssp_setup_status(err);
	/* The TLS states' sequence numbers are the ones that count. */
	sec->send_seq = st->tls.tx.seq;
	sec->recv_seq = st->tls.rx.seq;
	return SEC_E_OK;
}

static void ksspi_credssp_free(struct ksspi_sec_state *sec)
{
	struct ksspi_credssp_state *st = sec->pkg_state;

	if (!st)
		return;
	ksspi_tls_dir_free(&st->tls.tx);
	ksspi_tls_dir_free(&st->tls.rx);
	kfree(st->inner);
	kfree_sensitive(st->delegated);
	kfree_sensitive(st);
	sec->pkg_state = NULL;
}

static void ksspi_credssp_put_le(struct ksspi_blob_writer *w, u16 type,
				 u32 value, u32 size)
{
	u8 v[4];

	put_unaligned_le32(value, v);
	ksspi_blob_put(w, type, v, size);
}

/*
 * A direction handed to kTLS, closed or failed cannot be exported: its
 * state is elsewhere, or an importer would take up what TLS ended.
 */
static int ksspi_credssp_export(const struct ksspi_sec_state *sec,
				struct ksspi_blob_writer *w)
{
	const struct ksspi_credssp_state *st = sec->pkg_state;
	struct ksspi_tls_state ts;

	if (st->tx_state != KSSPI_CREDSSP_OPEN ||
	    st->rx_state != KSSPI_CREDSSP_OPEN)
		return -EPERM;
	ksspi_credssp_put_le(w, KSSPI_CTX_REC_TLS_VERSION, st->tls.version,
			     sizeof(__le16));
	ksspi_credssp_put_le(w, KSSPI_CTX_REC_TLS_CIPHER, st->tls.cipher,
			     sizeof(__le16));
	ksspi_tls_dir_save(&st->tls.tx, &st->tls, &ts);
	ksspi_blob_put(w, KSSPI_CTX_REC_TLS_TX, &ts, sizeof(ts));
	ksspi_tls_dir_save(&st->tls.rx, &st->tls, &ts);
	ksspi_blob_put(w, KSSPI_CTX_REC_TLS_RX, &ts, sizeof(ts));
	memzero_explicit(&ts, sizeof(ts));
	ksspi_credssp_put_le(w, KSSPI_CTX_REC_CREDSSP_VERSION, st->ts_version,
			     sizeof(__le32));
	ksspi_blob_put(w, KSSPI_CTX_REC_CREDSSP_INNER, st->inner,
		       strlen(st->inner));
	ksspi_credssp_put_le(w, KSSPI_CTX_REC_CREDSSP_INFO, st->info,
			     sizeof(__le32));
	if (st->delegated)
		ksspi_blob_put(w, KSSPI_CTX_REC_CREDSSP_DELEGATED,
			       st->delegated, st->delegated_len);
	return w->err;
}

static u32 ksspi_credssp_dir_status(enum ksspi_credssp_dir_state state)
{
	switch (state) {
	case KSSPI_CREDSSP_OPEN:
		return SEC_E_OK;
	case KSSPI_CREDSSP_KTLS:
		return SEC_E_UNSUPPORTED_FUNCTION;
	default:
		return SEC_E_CONTEXT_EXPIRED;
	}
}

/*
 * EncryptMessage: STREAM_HEADER, DATA and STREAM_TRAILER buffers (EMPTY
 * ones are ignored) become one application data record: header | data
 * encrypted in place | trailer, with the header's and trailer's lengths
 * set to what the record uses.
 */
static u32 ksspi_credssp_encrypt(struct ksspi_sec_state *sec, u32 qop,
				 struct ksspi_bufset *msg, u32 sequence)
{
	struct ksspi_credssp_state *st = sec->pkg_state;
	struct ksspi_tls *tls = &st->tls;
	struct ksspi_buffer *hdr, *data, *trl;
	u32 status;
	int err;

	if (qop)
		return SEC_E_QOP_NOT_SUPPORTED;
	status = ksspi_credssp_dir_status(st->tx_state);
	if (status != SEC_E_OK)
		return status;
	hdr = ksspi_bufset_find(msg, SECBUFFER_STREAM_HEADER);
	data = ksspi_bufset_find(msg, SECBUFFER_DATA);
	trl = ksspi_bufset_find(msg, SECBUFFER_STREAM_TRAILER);
	if (!hdr || !data || !trl || ksspi_buf_readonly(hdr->buffer_type) ||
	    ksspi_buf_readonly(data->buffer_type) ||
	    ksspi_buf_readonly(trl->buffer_type))
		return SEC_E_INVALID_TOKEN;
	if (hdr->cb_buffer < ksspi_tls_header_len(tls) ||
	    trl->cb_buffer < ksspi_tls_trailer_len(tls))
		return SEC_E_BUFFER_TOO_SMALL;
	if (data->cb_buffer > KSSPI_TLS_MAX_PLAINTEXT)
		return SEC_E_INVALID_PARAMETER;

	err = ksspi_tls_seal(tls, KSSPI_TLS_APPLICATION_DATA, hdr->pv_buffer,
			     data->pv_buffer, data->cb_buffer, trl->pv_buffer);
	if (err == -EOVERFLOW)
		return SEC_E_CONTEXT_EXPIRED;
	if (err)
		return SEC_E_ENCRYPT_FAILURE;
	hdr->cb_buffer = ksspi_tls_header_len(tls);
	trl->cb_buffer = ksspi_tls_trailer_len(tls);
	sec->send_seq = tls->tx.seq;
	return SEC_E_OK;
}

/*
 * An alert (RFC 8446 6, RFC 5246 7.2): close_notify ends the receive
 * direction; user_canceled, and in TLS 1.2 any warning, is ignored; any
 * other alert is fatal.
 */
static u32 ksspi_credssp_alert(struct ksspi_credssp_state *st, const u8 *p,
			       u32 len)
{
	if (len == 2 && p[1] == KSSPI_TLS_CLOSE_NOTIFY) {
		st->rx_state = KSSPI_CREDSSP_CLOSED;
		return SEC_I_CONTEXT_EXPIRED;
	}
	if (len == 2 && (p[1] == KSSPI_TLS_USER_CANCELED ||
			 (st->tls.version == KSSPI_TLS_1_2 &&
			  p[0] == KSSPI_TLS_ALERT_WARNING)))
		return SEC_E_OK;
	st->rx_state = KSSPI_CREDSSP_FAILED;
	return SEC_E_ILLEGAL_MESSAGE;
}

/*
 * Handshake messages after the handshake: TLS 1.3 NewSessionTicket is
 * consumed (CredSSP never resumes from a ticket the kernel holds); a
 * KeyUpdate changes keys this layer cannot derive (it holds no traffic
 * secret, nor does 6.1's kTLS follow one), so the receive direction ends.
 * TLS 1.2 HelloRequest is ignored, as RFC 5246 7.4.1.1 allows.  Anything
 * else, or a message split across records, is fatal.
 */
static u32 ksspi_credssp_handshake(struct ksspi_credssp_state *st,
				   const u8 *p, u32 len)
{
	bool tls13 = st->tls.version == KSSPI_TLS_1_3;
	u32 off = 0;

	while (len && off < len) {
		u32 mlen;

		if (len - off < 4)
			goto illegal;
		mlen = get_unaligned_be32(p + off) & 0xffffff;
		if (mlen > len - off - 4)
			goto illegal;
		switch (p[off]) {
		case KSSPI_TLS_NEW_SESSION_TICKET:
			if (!tls13)
				goto illegal;
			break;
		case KSSPI_TLS_KEY_UPDATE:
			if (!tls13 || mlen != 1)
				goto illegal;
			st->rx_state = KSSPI_CREDSSP_FAILED;
			return SEC_E_CONTEXT_EXPIRED;
		case KSSPI_TLS_HELLO_REQUEST:
			if (tls13 || mlen)
				goto illegal;
			break;
		default:
			goto illegal;
		}
		off += 4 + mlen;
	}
	if (len)
		return SEC_E_OK;
illegal:
	st->rx_state = KSSPI_CREDSSP_FAILED;
	return SEC_E_ILLEGAL_MESSAGE;
}

/* The descriptor of DecryptMessage: one DATA buffer and three EMPTY ones */
static bool ksspi_credssp_decrypt_bufs(struct ksspi_bufset *msg,
				       struct ksspi_buffer **data,
				       struct ksspi_buffer **empty)
{
	u32 i, n = 0;

	*data = NULL;
	for (i = 0; i < msg->count; i++) {
		struct ksspi_buffer *b = &msg->bufs[i];

		if (ksspi_buftype(b->buffer_type) == SECBUFFER_DATA && !*data)
			*data = b;
		else if (b->buffer_type == SECBUFFER_EMPTY && n < 3)
			empty[n++] = b;
	}
	return *data && n == 3 && !ksspi_buf_readonly((*data)->buffer_type);
}

static u32 ksspi_credssp_incomplete(struct ksspi_buffer *missing, u32 count)
{
	missing->buffer_type = SECBUFFER_MISSING;
	missing->cb_buffer = count;
	return SEC_E_INCOMPLETE_MESSAGE;
}

/* The record's outer header, before anything is decrypted */
static bool ksspi_credssp_header_valid(const struct ksspi_tls *tls,
				       const u8 *rec)
{
	u8 type = rec[0];

	if (get_unaligned_be16(rec + 1) != KSSPI_TLS_1_2 ||
	    get_unaligned_be16(rec + 3) > ksspi_tls_max_record_len(tls))
		return false;
	if (tls->version == KSSPI_TLS_1_3)
		return type == KSSPI_TLS_APPLICATION_DATA;
	return type == KSSPI_TLS_ALERT || type == KSSPI_TLS_HANDSHAKE ||
	       type == KSSPI_TLS_APPLICATION_DATA;
}

static u32 ksspi_credssp_open_status(struct ksspi_credssp_state *st, int err)
{
	switch (err) {
	case -EBADMSG:
		return SEC_E_DECRYPT_FAILURE;
	case -EOVERFLOW:
		return SEC_E_CONTEXT_EXPIRED;
	case -EPROTO:
	case -EMSGSIZE:
		st->rx_state = KSSPI_CREDSSP_FAILED;
		return SEC_E_ILLEGAL_MESSAGE;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

/*
 * DecryptMessage: the DATA buffer holds received bytes.  One record is
 * decrypted in place; the DATA buffer becomes the STREAM_HEADER, and three
 * EMPTY buffers become the DATA (the plaintext), the STREAM_TRAILER and,
 * when bytes follow the record, SECBUFFER_EXTRA, all pointing into the
 * received bytes.  A partial record gives SEC_E_INCOMPLETE_MESSAGE with a
 * SECBUFFER_MISSING buffer counting the bytes it lacks.
 */
static u32 ksspi_credssp_decrypt(struct ksspi_sec_state *sec,
				 struct ksspi_bufset *msg, u32 sequence,
				 u32 *qop)
{
	struct ksspi_credssp_state *st = sec->pkg_state;
	struct ksspi_tls *tls = &st->tls;
	struct ksspi_buffer *data, *empty[3];
	u32 have, total, hdr_len, plain_len, status;
	u8 *rec, type;
	int err;

	*qop = 0;
	if (!ksspi_credssp_decrypt_bufs(msg, &data, empty))
		return SEC_E_INVALID_TOKEN;
	status = ksspi_credssp_dir_status(st->rx_state);
	if (status != SEC_E_OK)
		return status;
	rec = data->pv_buffer;
	have = data->cb_buffer;
	if (have < KSSPI_TLS_HEADER_LEN)
		return ksspi_credssp_incomplete(empty[0],
						KSSPI_TLS_HEADER_LEN - have);
	if (!ksspi_credssp_header_valid(tls, rec))
		return SEC_E_ILLEGAL_MESSAGE;
	total = KSSPI_TLS_HEADER_LEN + get_unaligned_be16(rec + 3);
	if (have < total)
		return ksspi_credssp_incomplete(empty[0], total - have);

	err = ksspi_tls_open(tls, rec, &type, &plain_len);
	sec->recv_seq = tls->rx.seq;
	if (err)
		return ksspi_credssp_open_status(st, err);

	hdr_len = ksspi_tls_header_len(tls);
	switch (type) {
	case KSSPI_TLS_APPLICATION_DATA:
		break;
	case KSSPI_TLS_ALERT:
		status = ksspi_credssp_alert(st, rec + hdr_len, plain_len);
		plain_len = 0;
		break;
	case KSSPI_TLS_HANDSHAKE:
		status = ksspi_credssp_handshake(st, rec + hdr_len, plain_len);
		plain_len = 0;
		break;
	default:
		st->rx_state = KSSPI_CREDSSP_FAILED;
		return SEC_E_ILLEGAL_MESSAGE;
	}
	if (status != SEC_E_OK && status != SEC_I_CONTEXT_EXPIRED)
		return status;

	data->buffer_type = SECBUFFER_STREAM_HEADER;
	data->cb_buffer = hdr_len;
	empty[0]->buffer_type = SECBUFFER_DATA;
	empty[0]->pv_buffer = rec + hdr_len;
	empty[0]->cb_buffer = plain_len;
	empty[1]->buffer_type = SECBUFFER_STREAM_TRAILER;
	empty[1]->pv_buffer = rec + hdr_len + plain_len;
	empty[1]->cb_buffer = total - hdr_len - plain_len;
	if (have > total) {
		empty[2]->buffer_type = SECBUFFER_EXTRA;
		empty[2]->pv_buffer = rec + total;
		empty[2]->cb_buffer = have - total;
	}
	return status;
}

static u32 ksspi_credssp_query(struct ksspi_sec_state *sec, u32 attribute,
			       void *buf, u32 *len)
{
	struct ksspi_credssp_state *st;

	if (attribute != SECPKG_ATTR_STREAM_SIZES &&
	    attribute != KSSPI_ATTR_CREDSSP_INFO &&
	    attribute != KSSPI_ATTR_CREDSSP_DELEGATED)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!sec)
		return SEC_E_NO_CONTEXT;
	st = sec->pkg_state;

	switch (attribute) {
	case SECPKG_ATTR_STREAM_SIZES: {
		struct ksspi_attr_stream_sizes ss = {
			.header = ksspi_tls_header_len(&st->tls),
			.trailer = ksspi_tls_trailer_len(&st->tls),
			.maximum_message = KSSPI_TLS_MAX_PLAINTEXT,
			.buffers = KSSPI_CREDSSP_STREAM_BUFFERS,
			.block_size = 1,
		};

		return ksspi_query_answer(buf, len, &ss, sizeof(ss));
	}
	case KSSPI_ATTR_CREDSSP_INFO: {
		struct ksspi_attr_credssp_info ci = {
			.tsrequest_version = st->ts_version,
			.flags = st->info,
			.tls_version = st->tls.version,
			.tls_cipher = st->tls.cipher,
		};

		strscpy(ci.inner_package, st->inner, sizeof(ci.inner_package));
		return ksspi_query_answer(buf, len, &ci, sizeof(ci));
	}
	default:
		if (sec->flags & KSSPI_CTX_F_INITIATOR)
			return SEC_E_UNSUPPORTED_FUNCTION;
		if (!st->delegated)
			return SEC_E_NO_CREDENTIALS;
		return ksspi_query_answer(buf, len, st->delegated,
					  st->delegated_len);
	}
}

/* One direction to kTLS; the keys it was given are zeroized. */
static u32 ksspi_credssp_ktls_dir(struct ksspi_credssp_state *st,
				  struct socket *sock, bool tx)
{
	struct ksspi_tls_dir *dir = tx ? &st->tls.tx : &st->tls.rx;
	union ksspi_tls_crypto_info ci;
	unsigned int len;
	u32 status;

	len = ksspi_tls_crypto_info(&st->tls, dir, &ci);
	status = ksspi_ktls_configure(sock, tx ? TLS_TX : TLS_RX, &ci, len);
	memzero_explicit(&ci, sizeof(ci));
	if (status != SEC_E_OK)
		return status;
	/* The socket carries the direction on: this copy is never used. */
	if (tx)
		st->tx_state = KSSPI_CREDSSP_KTLS;
	else
		st->rx_state = KSSPI_CREDSSP_KTLS;
	ksspi_tls_dir_free(dir);
	return SEC_E_OK;
}

/*
 * The directions asked for must still be open here, with sequence numbers
 * left.  TX is configured first: if RX then fails, TX stays with the
 * socket and the call reports RX's status.
 */
static u32 ksspi_credssp_install_ktls(struct ksspi_sec_state *sec,
				      struct socket *sock, u32 flags)
{
	struct ksspi_credssp_state *st = sec->pkg_state;
	u32 status;

	if (flags & KSSPI_KTLS_TX) {
		status = ksspi_credssp_dir_status(st->tx_state);
		if (status == SEC_E_OK && st->tls.tx.seq == U64_MAX)
			status = SEC_E_CONTEXT_EXPIRED;
		if (status != SEC_E_OK)
			return status;
	}
	if (flags & KSSPI_KTLS_RX) {
		status = ksspi_credssp_dir_status(st->rx_state);
		if (status == SEC_E_OK && st->tls.rx.seq == U64_MAX)
			status = SEC_E_CONTEXT_EXPIRED;
		if (status != SEC_E_OK)
			return status;
	}
	status = ksspi_ktls_attach(sock);
	if (status == SEC_E_OK && (flags & KSSPI_KTLS_TX))
		status = ksspi_credssp_ktls_dir(st, sock, true);
	if (status == SEC_E_OK && (flags & KSSPI_KTLS_RX))
		status = ksspi_credssp_ktls_dir(st, sock, false);
	return status;
}

static const struct ksspi_package_ops ksspi_credssp_ops = {
	.import_record = ksspi_credssp_import_record,
	.import_finish = ksspi_credssp_import_finish,
	.export = ksspi_credssp_export,
	.free = ksspi_credssp_free,
	.query = ksspi_credssp_query,
	.encrypt = ksspi_credssp_encrypt,
	.decrypt = ksspi_credssp_decrypt,
	.install_ktls = ksspi_credssp_install_ktls,
};

/*
 * "CREDSSP" finds the package by the case-insensitive comparison; "TSSSP"
 * is Windows' server-side name of the same protocol.
 */
static const char *const ksspi_credssp_aliases[] = { "TSSSP", NULL };

static struct ksspi_package ksspi_credssp_package = {
	.info = {
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |
				SECPKG_FLAG_CONNECTION |
				SECPKG_FLAG_MULTI_REQUIRED |
				SECPKG_FLAG_ACCEPT_WIN32_NAME |
				SECPKG_FLAG_STREAM | SECPKG_FLAG_MUTUAL_AUTH,
		.version = 1,
		.rpc_id = 0xffff,	/* SECPKG_ID_NONE */
		.max_token = KSSPI_CREDSSP_MAX_TOKEN,
		.name = "CredSSP",
		.comment = "Microsoft CredSSP Security Provider",
	},
	.sizes = {
		.max_token = KSSPI_CREDSSP_MAX_TOKEN,
		.max_signature = 0,
		.block_size = 1,
		.security_trailer = 0,
	},
	.aliases = ksspi_credssp_aliases,
	.stream_buffers = true,
	.tls_identity = true,
	.ops = &ksspi_credssp_ops,
};

int ksspi_pkg_credssp_init(void)
{
	return ksspi_package_register(&ksspi_credssp_package);
}

void ksspi_pkg_credssp_exit(void)
{
	ksspi_package_unregister(&ksspi_credssp_package);
}
