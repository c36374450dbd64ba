// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_rdp_nla: an in-kernel RDP front door, the model for an RDP server
 * in the kernel.  It listens on 127.0.0.1:3390 (module parameter port),
 * answers each client's X.224 Connection Request by selecting
 * PROTOCOL_HYBRID (Network Level Authentication), runs the server side of
 * CredSSP through the exported API of <linux/ksspi_api.h>
 * (ksspi_accept_security_context() on the TLS records the client sends,
 * received into vmalloc'd memory), then hands the TLS session to kTLS on
 * the socket with ksspi_install_ktls() and carries on over plain
 * kernel_sendmsg()/kernel_recvmsg().  An RDP client's MCS Connect Initial
 * starts the RDP connection sequence (rdp_seq.c, shared with the userspace
 * programs), which goes as far as activation; then the front door, which
 * has no desktop behind it, logs the session off.  Any other first X.224
 * Data TPDU (ksspi-rdp-nla-client's) gets a greeting naming the user and
 * comes back, as do the ones after it.
 *
 * Who authenticated, and how every connection ended, is in the kernel log
 * (rate-limited) and in /sys/kernel/debug/ksspi_rdp_nla/sessions.
 *
 * Load it after ksspi, with ksspid running with a CredSSP certificate and
 * the users in its NTLM user database:  insmod ksspi_rdp_nla.ko [port=3390]
 * Documentation/samples.rst describes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <linux/ksspi_api.h>
#include "rdp_seq.h"
#include "rdp_x224.h"

static unsigned short port = RDP_DEFAULT_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port on 127.0.0.1 (default 3390)");

static unsigned int timeout = 30;
module_param(timeout, uint, 0444);
MODULE_PARM_DESC(timeout,
		 "seconds a client may keep the server waiting (default 30)");

/*
 * What Schannel-style servers ask of a stream package: a confidential,
 * stream-oriented context, error tokens for the client when a leg fails
 * (CredSSP's TSRequest errorCode), and output tokens allocated by ksspi.
 */
#define RDP_NLA_ASC_REQ	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_STREAM | \
			 ASC_REQ_EXTENDED_ERROR | ASC_REQ_REPLAY_DETECT | \
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_ALLOCATE_MEMORY)

/* The client's handshake bytes not yet used: a flight of TLS records */
#define RDP_NLA_MAX_INPUT	(64 * 1024)
/* The largest TPKT taken after authentication, echoed or RDP */
#define RDP_NLA_MAX_PDU		RDP_SEQ_MAX_PDU
#define RDP_NLA_MAX_ECHOES	1024
#define RDP_NLA_MAX_CONNS	64
#define RDP_NLA_MAX_NAME	256
#define RDP_NLA_HISTORY		32
/* How long the client gets to close after the server's last PDUs */
#define RDP_NLA_LINGER		(2 * HZ)

/* How a connection ended, for the log and debugfs */
enum rdp_nla_outcome {
	RDP_NLA_CLOSED,		/* client left or timed out in the handshake */
	RDP_NLA_MALFORMED,	/* not a valid X.224 Connection Request */
	RDP_NLA_NO_HYBRID,	/* did not offer HYBRID: RDP_NEG_FAILURE */
	RDP_NLA_REFUSED,	/* AcceptSecurityContext failed */
	RDP_NLA_AUTHENTICATED,
	RDP_NLA_OUTCOMES
};

static const char *const rdp_nla_outcome_names[RDP_NLA_OUTCOMES] = {
	[RDP_NLA_CLOSED] = "closed",
	[RDP_NLA_MALFORMED] = "malformed",
	[RDP_NLA_NO_HYBRID] = "no-hybrid",
	[RDP_NLA_REFUSED] = "refused",
	[RDP_NLA_AUTHENTICATED] = "authenticated",
};

/* What the Client Info PDU said about the user */
enum rdp_nla_client_info {
	RDP_NLA_INFO_NONE,	/* no Client Info PDU */
	RDP_NLA_INFO_SAME,	/* it names the authenticated user */
	RDP_NLA_INFO_DIFFERS,	/* it names someone else */
};

static const char *const rdp_nla_client_info_names[] = {
	[RDP_NLA_INFO_NONE] = "-",
	[RDP_NLA_INFO_SAME] = "same",
	[RDP_NLA_INFO_DIFFERS] = "differs",
};

/**
 * struct rdp_nla_session - what became of one connection
 * @seq: its number, from 1
 * @peer: the client's address
 * @outcome: how it ended
 * @status: the last SECURITY_STATUS of the handshake (SEC_E_OK when
 *	authenticated)
 * @ktls: the TLS session was handed to kTLS
 * @echoed: X.224 Data TPDUs echoed over kTLS
 * @rdp: the client started the RDP connection sequence over kTLS
 * @rdp_state: where the sequence got to (RDP_SEQ_ACTIVE: activation)
 * @rdp_error: why it stopped before, RDP_SEQ_OK when the client left
 * @client_info: whether the Client Info PDU named the authenticated user
 * @io_error: the errno of the receive or send that ended the
 *	conversation, 0 if none did
 * @tsrequest_version: the TSRequest version CredSSP settled on, 0 if none
 * @tls_version: the TLS version (0x0303, 0x0304), 0 if none
 * @user: the authenticated user (SECPKG_ATTR_NAMES), or empty
 */
struct rdp_nla_session {
	u64 seq;
	struct sockaddr_storage peer;
	enum rdp_nla_outcome outcome;
	u32 status;
	bool ktls;
	u32 echoed;
	bool rdp;
	u8 rdp_state;
	u8 rdp_error;
	u8 client_info;
	int io_error;
	u32 tsrequest_version;
	u16 tls_version;
	char user[RDP_NLA_MAX_NAME];
};

/**
 * struct rdp_conn - one client
 * @work: runs the whole conversation
 * @node: entry in rdp_conns
 * @sock: its socket
 * @in: vmalloc'd, RDP_NLA_MAX_INPUT bytes: the handshake's input, then
 *	application data decrypted before kTLS took over (@early_len bytes
 *	at its start)
 * @in_len: bytes of @in holding input
 * @early_len: application data at the start of @in, not yet consumed
 * @pdu: vmalloc'd, RDP_NLA_MAX_PDU bytes: a TPKT after authentication
 * @requested_protocols: the X.224 request's requestedProtocols
 * @seq: the RDP connection sequence, when the client started one
 * @out: what the sequence answers
 * @ctx: the CredSSP context, when @have_ctx
 * @have_ctx: a context exists (the first leg succeeded)
 * @s: the record of this connection
 */
struct rdp_conn {
	struct work_struct work;
	struct list_head node;
	struct socket *sock;
	u8 *in;
	u32 in_len;
	u32 early_len;
	u8 *pdu;
	u32 requested_protocols;
	struct rdp_seq seq;
	u8 out[RDP_SEQ_MAX_OUT];
	struct ksspi_handle ctx;
	bool have_ctx;
	struct rdp_nla_session s;
};

static struct socket *rdp_listener;
static struct task_struct *rdp_acceptor;
static struct workqueue_struct *rdp_wq;
static struct ksspi_owner *rdp_owner;
static struct ksspi_handle rdp_credential;
static struct dentry *rdp_debugfs;

/* Live connections (so that unloading can end them) and the history */
static LIST_HEAD(rdp_conns);
static unsigned int rdp_nconns;
static u64 rdp_seq;
static u64 rdp_counts[RDP_NLA_OUTCOMES];
static struct rdp_nla_session rdp_history[RDP_NLA_HISTORY];
static DEFINE_MUTEX(rdp_lock);

static const char *rdp_status_name(u32 status)
{
	switch (status) {
	case SEC_E_OK: return "SEC_E_OK";
	case SEC_E_LOGON_DENIED: return "SEC_E_LOGON_DENIED";
	case SEC_E_INVALID_TOKEN: return "SEC_E_INVALID_TOKEN";
	case SEC_E_INCOMPLETE_MESSAGE: return "SEC_E_INCOMPLETE_MESSAGE";
	case SEC_E_MESSAGE_ALTERED: return "SEC_E_MESSAGE_ALTERED";
	case SEC_E_ILLEGAL_MESSAGE: return "SEC_E_ILLEGAL_MESSAGE";
	case SEC_E_DECRYPT_FAILURE: return "SEC_E_DECRYPT_FAILURE";
	case SEC_E_ALGORITHM_MISMATCH: return "SEC_E_ALGORITHM_MISMATCH";
	case SEC_E_NO_CREDENTIALS: return "SEC_E_NO_CREDENTIALS";
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
		return "SEC_E_NO_AUTHENTICATING_AUTHORITY";
	case SEC_E_INTERNAL_ERROR: return "SEC_E_INTERNAL_ERROR";
	case SEC_E_INSUFFICIENT_MEMORY: return "SEC_E_INSUFFICIENT_MEMORY";
	case SEC_E_UNSUPPORTED_FUNCTION: return "SEC_E_UNSUPPORTED_FUNCTION";
	case SEC_E_INVALID_PARAMETER: return "SEC_E_INVALID_PARAMETER";
	case SEC_E_CONTEXT_EXPIRED: return "SEC_E_CONTEXT_EXPIRED";
	case SEC_E_TIME_SKEW: return "SEC_E_TIME_SKEW";
	case SEC_E_BAD_BINDINGS: return "SEC_E_BAD_BINDINGS";
	case SEC_E_SECPKG_NOT_FOUND: return "SEC_E_SECPKG_NOT_FOUND";
	case SEC_I_CONTEXT_EXPIRED: return "SEC_I_CONTEXT_EXPIRED";
	default: return "unknown status";
	}
}

/* Reads what is there (at least a byte): its count, 0 at EOF, or -errno */
static int rdp_recv_some(struct socket *sock, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { };

	return kernel_recvmsg(sock, &msg, &vec, 1, len, 0);
}

static int rdp_recv_all(struct socket *sock, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_WAITALL };
	int n;

	if (!len)
		return 0;
	n = kernel_recvmsg(sock, &msg, &vec, 1, len, MSG_WAITALL);
	if (n < 0)
		return n;
	return n == len ? 0 : -ECONNRESET;
}

static int rdp_send_all(struct socket *sock, const void *buf, size_t len)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int n;

	if (!len)
		return 0;
	n = kernel_sendmsg(sock, &msg, &vec, 1, len);
	if (n < 0)
		return n;
	return n == len ? 0 : -EPIPE;
}

/*
 * The X.224 Connection Request, answered with a Connection Confirm that
 * selects PROTOCOL_HYBRID, or an RDP_NEG_FAILURE when the client did not
 * offer it.  Returns true when CredSSP comes next.
 */
static bool rdp_nla_negotiate(struct rdp_conn *c)
{
	u8 pkt[RDP_X224_CR_MAX_LEN];
	u8 cc[RDP_CC_LEN];
	struct rdp_conn_request cr;
	unsigned int len;

	if (rdp_recv_all(c->sock, pkt, RDP_TPKT_HEADER_LEN))
		return false;		/* RDP_NLA_CLOSED */
	len = rdp_tpkt_length(pkt);
	if (len < RDP_X224_CR_MIN_LEN || len > RDP_X224_CR_MAX_LEN) {
		c->s.outcome = RDP_NLA_MALFORMED;
		return false;
	}
	if (rdp_recv_all(c->sock, pkt + RDP_TPKT_HEADER_LEN,
			 len - RDP_TPKT_HEADER_LEN))
		return false;
	if (rdp_parse_conn_request(pkt, len, &cr)) {
		c->s.outcome = RDP_NLA_MALFORMED;
		return false;
	}
	if (!(cr.requested_protocols & RDP_PROTOCOL_HYBRID)) {
		rdp_build_conn_confirm(cc, RDP_NEG_TYPE_FAILURE,
				       RDP_HYBRID_REQUIRED_BY_SERVER);
		rdp_send_all(c->sock, cc, sizeof(cc));
		c->s.outcome = RDP_NLA_NO_HYBRID;
		return false;
	}
	c->requested_protocols = cr.requested_protocols;
	rdp_build_conn_confirm(cc, RDP_NEG_TYPE_RSP, RDP_PROTOCOL_HYBRID);
	return rdp_send_all(c->sock, cc, sizeof(cc)) == 0;
}

/*
 * CredSSP's server: AcceptSecurityContext on the bytes received so far
 * (a TOKEN buffer and an EMPTY one), reading more on
 * SEC_E_INCOMPLETE_MESSAGE, sending every output token (the error token
 * of a failed leg too), and keeping the SECBUFFER_EXTRA tail of the input
 * for the next call.  Returns the final status; on SEC_E_OK @c->in holds
 * the bytes the client sent after its last handshake message.
 */
static u32 rdp_nla_accept(struct rdp_conn *c)
{
	struct ksspi_buffer in_bufs[2], out_buf;
	struct ksspi_buffer_desc in = { SECBUFFER_VERSION, 2, in_bufs };
	struct ksspi_buffer_desc out = { SECBUFFER_VERSION, 1, &out_buf };
	bool need_input = true;
	u32 status, attr, extra;
	int n;

	for (;;) {
		if (need_input) {
			if (c->in_len == RDP_NLA_MAX_INPUT)
				return SEC_E_INVALID_TOKEN;
			n = rdp_recv_some(c->sock, c->in + c->in_len,
					  RDP_NLA_MAX_INPUT - c->in_len);
			if (n <= 0)
				return SEC_E_INCOMPLETE_MESSAGE;
			c->in_len += n;
		}
		in_bufs[0] = (struct ksspi_buffer){ c->in_len, SECBUFFER_TOKEN,
						    c->in };
		in_bufs[1] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
		out_buf = (struct ksspi_buffer){ 0, SECBUFFER_TOKEN, NULL };
		status = ksspi_accept_security_context(rdp_owner,
						       c->have_ctx ? NULL :
						       &rdp_credential,
						       c->have_ctx ? &c->ctx :
						       NULL, &in,
						       RDP_NLA_ASC_REQ,
						       SECURITY_NATIVE_DREP,
						       c->have_ctx ? NULL :
						       &c->ctx, &out, &attr,
						       NULL);
		if (status == SEC_E_INCOMPLETE_MESSAGE) {
			ksspi_free_context_buffer(out_buf.pv_buffer);
			need_input = true;
			continue;
		}
		/* Every token goes out, a failed leg's error token too. */
		if (out_buf.cb_buffer &&
		    rdp_send_all(c->sock, out_buf.pv_buffer,
				 out_buf.cb_buffer) && !(status & 0x80000000u))
			status = SEC_E_INTERNAL_ERROR;
		ksspi_free_context_buffer(out_buf.pv_buffer);
		if (status & 0x80000000u)
			return status;
		c->have_ctx = true;
		if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED)
			return SEC_E_INTERNAL_ERROR;	/* not CredSSP's */

		extra = in_bufs[1].buffer_type == SECBUFFER_EXTRA ?
			in_bufs[1].cb_buffer : 0;
		if (extra > c->in_len)
			return SEC_E_INTERNAL_ERROR;
		memmove(c->in, c->in + c->in_len - extra, extra);
		c->in_len = extra;
		if (status == SEC_E_OK)
			return (attr & ASC_RET_CONFIDENTIALITY) ?
			       SEC_E_OK : SEC_E_UNSUPPORTED_FUNCTION;
		/* The rest of the client's flight may already be here. */
		need_input = extra == 0;
	}
}

/*
 * Bytes the client sent after its last handshake message, received with
 * it, cannot go back into the socket for kTLS: open them here, reading
 * the rest of a partial record, so that kTLS starts at a record boundary.
 * Their plaintext stays at the start of @c->in (@c->early_len bytes).
 * Returns 0, or -EPROTO when they are not records of this session.
 */
static int rdp_nla_open_early_records(struct rdp_conn *c)
{
	struct ksspi_buffer b[4];
	struct ksspi_buffer_desc d = { SECBUFFER_VERSION, 4, b };
	u32 off = 0, status, qop, missing;
	int i;

	c->early_len = 0;
	while (off < c->in_len) {
		b[0] = (struct ksspi_buffer){ c->in_len - off, SECBUFFER_DATA,
					      c->in + off };
		for (i = 1; i < 4; i++)
			b[i] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
		status = ksspi_decrypt_message(rdp_owner, &c->ctx, &d, 0, &qop);
		if (status == SEC_E_INCOMPLETE_MESSAGE) {
			missing = b[1].buffer_type == SECBUFFER_MISSING ?
				  b[1].cb_buffer : 0;
			if (!missing || missing > RDP_NLA_MAX_INPUT - c->in_len ||
			    rdp_recv_all(c->sock, c->in + c->in_len, missing))
				return -EPROTO;
			c->in_len += missing;
			continue;
		}
		if (status != SEC_E_OK) {
			pr_info_ratelimited("%pISpc: bytes after the handshake: %s (0x%08x)\n",
					    &c->s.peer,
					    rdp_status_name(status), status);
			return -EPROTO;
		}
		/* b[1] is the plaintext, inside the record just opened */
		memmove(c->in + c->early_len, b[1].pv_buffer, b[1].cb_buffer);
		c->early_len += b[1].cb_buffer;
		off = b[3].buffer_type == SECBUFFER_EXTRA ?
		      c->in_len - b[3].cb_buffer : c->in_len;
	}
	c->in_len = c->early_len;
	return 0;
}

/* Application data: first what was opened before kTLS, then the socket */
static int rdp_app_recv(struct rdp_conn *c, u8 *buf, size_t len)
{
	size_t from_early = min_t(size_t, len, c->early_len);

	if (from_early) {
		memcpy(buf, c->in, from_early);
		memmove(c->in, c->in + from_early, c->early_len - from_early);
		c->early_len -= from_early;
	}
	return rdp_recv_all(c->sock, buf + from_early, len - from_early);
}

/* One TPKT of application data into @c->pdu: its length, or -errno */
static int rdp_nla_recv_tpkt(struct rdp_conn *c)
{
	unsigned int len;
	int err;

	err = rdp_app_recv(c, c->pdu, RDP_TPKT_HEADER_LEN);
	if (err)
		goto fail;
	len = rdp_tpkt_length(c->pdu);
	if (len < RDP_DT_HEADER_LEN || len > RDP_NLA_MAX_PDU) {
		err = -EMSGSIZE;
		goto fail;
	}
	err = rdp_app_recv(c, c->pdu + RDP_TPKT_HEADER_LEN,
			   len - RDP_TPKT_HEADER_LEN);
	if (err)
		goto fail;
	return len;
fail:
	/* kept for the log and debugfs: why the conversation ended */
	c->s.io_error = err;
	return err;
}

/*
 * After the server's last PDUs: it sends nothing more, and reads and
 * drops what the client still sends until the client closes (or a short
 * while), so that the client reads them before any reset.
 */
static void rdp_nla_linger(struct rdp_conn *c)
{
	int i;

	kernel_sock_shutdown(c->sock, SHUT_WR);
	c->sock->sk->sk_rcvtimeo = RDP_NLA_LINGER;
	for (i = 0; i < 16; i++)
		if (rdp_recv_some(c->sock, c->pdu, RDP_NLA_MAX_PDU) <= 0)
			break;
}

/*
 * The RDP connection sequence, from the MCS Connect Initial in @c->pdu
 * (@len bytes) to activation; then, as there is no desktop, the session
 * is logged off: a Set Error Info PDU (ERRINFO_LOGOFF_BY_USER) and the
 * MCS Disconnect Provider Ultimatum.  A client that breaks the sequence
 * gets the ultimatum alone.
 */
static void rdp_nla_rdp(struct rdp_conn *c, int len)
{
	struct rdp_seq *seq = &c->seq;
	int n, err;

	c->s.rdp = true;
	rdp_seq_init(seq, c->requested_protocols, RDP_PROTOCOL_HYBRID);
	for (;;) {
		n = rdp_seq_input(seq, c->pdu, len, c->out, sizeof(c->out));
		/* the Client Info PDU carries the user's password */
		memzero_explicit(c->pdu, len);
		if (n < 0)
			break;
		err = rdp_send_all(c->sock, c->out, n);
		if (err) {
			c->s.io_error = err;
			break;
		}
		if (seq->state == RDP_SEQ_ACTIVE)
			break;
		len = rdp_nla_recv_tpkt(c);
		if (len < 0)
			break;
	}
	c->s.rdp_state = seq->state;
	c->s.rdp_error = seq->error;
	if (seq->info_user[0])
		c->s.client_info = rdp_seq_same_user(c->s.user, seq->info_user) ?
				   RDP_NLA_INFO_SAME : RDP_NLA_INFO_DIFFERS;

	if (seq->state == RDP_SEQ_ACTIVE)
		pr_info_ratelimited("%pISpc: RDP connection sequence active: Client Info names %s (%s), logging off\n",
				    &c->s.peer, seq->info_user,
				    c->s.client_info == RDP_NLA_INFO_SAME ?
				    "the authenticated user" :
				    "not the authenticated user");
	else if (seq->error != RDP_SEQ_OK)
		pr_info_ratelimited("%pISpc: RDP connection sequence stopped in %s: %s: %s\n",
				    &c->s.peer, rdp_seq_state_name(seq->state),
				    rdp_seq_error_name(seq->error), seq->why);
	if (seq->state != RDP_SEQ_ACTIVE &&
	    (seq->error == RDP_SEQ_OK || seq->error == RDP_SEQ_DISCONNECTED))
		return;		/* the client is gone */
	n = rdp_seq_build_close(seq, RDP_ERRINFO_LOGOFF_BY_USER, c->out,
				sizeof(c->out));
	if (n > 0 && !rdp_send_all(c->sock, c->out, n))
		rdp_nla_linger(c);
}

/*
 * After authentication, over kTLS, the client's first TPDU decides: an
 * MCS Connect Initial starts the RDP connection sequence; any other X.224
 * Data TPDU gets a greeting naming the user, then comes back, as does
 * each one after it, until the client closes, sends something else, or
 * stays silent longer than the timeout.
 */
static void rdp_nla_carry_on(struct rdp_conn *c)
{
	int len = rdp_nla_recv_tpkt(c);
	int text;

	if (len < 0)
		return;
	if (rdp_seq_starts(c->pdu, len)) {
		rdp_nla_rdp(c, len);
		return;
	}
	/* the greeting goes out from @c->out: @c->pdu holds the first TPDU */
	text = scnprintf(c->out + RDP_DT_HEADER_LEN,
			 sizeof(c->out) - RDP_DT_HEADER_LEN,
			 "ksspi_rdp_nla: hello %s\n", c->s.user);
	rdp_build_data_header(c->out, text);
	if (rdp_send_all(c->sock, c->out, RDP_DT_HEADER_LEN + text))
		return;
	while (c->s.echoed < RDP_NLA_MAX_ECHOES) {
		if (rdp_parse_data(c->pdu, len) < 0 ||
		    rdp_send_all(c->sock, c->pdu, len))
			return;
		c->s.echoed++;
		len = rdp_nla_recv_tpkt(c);
		if (len < 0)
			return;
	}
}

/* Who the client is, once authenticated */
static void rdp_nla_authenticated(struct rdp_conn *c)
{
	struct ksspi_attr_credssp_info info = { };
	u32 len = sizeof(c->s.user);
	u32 status;

	if (ksspi_query_context_attributes(rdp_owner, &c->ctx,
					   SECPKG_ATTR_NAMES, c->s.user,
					   &len) != SEC_E_OK)
		strscpy(c->s.user, "(no name)", sizeof(c->s.user));
	len = sizeof(info);
	ksspi_query_context_attributes(rdp_owner, &c->ctx,
				       KSSPI_ATTR_CREDSSP_INFO, &info, &len);
	info.inner_package[sizeof(info.inner_package) - 1] = '\0';
	c->s.tsrequest_version = info.tsrequest_version;
	c->s.tls_version = info.tls_version;
	pr_info_ratelimited("%pISpc: user %s authenticated (CredSSP: TSRequest version %u, TLS 0x%04x, cipher %u, %s inside)\n",
			    &c->s.peer, c->s.user, info.tsrequest_version,
			    info.tls_version, info.tls_cipher,
			    info.inner_package);

	if (rdp_nla_open_early_records(c))
		return;
	status = ksspi_install_ktls(rdp_owner, &c->ctx, c->sock,
				    KSSPI_KTLS_TX | KSSPI_KTLS_RX);
	if (status != SEC_E_OK) {
		/* A client that only authenticates has hung up already. */
		if (READ_ONCE(c->sock->sk->sk_state) != TCP_ESTABLISHED)
			pr_info_ratelimited("%pISpc: client closed the connection after authenticating\n",
					    &c->s.peer);
		else
			pr_info_ratelimited("%pISpc: kTLS handoff failed: %s (0x%08x)\n",
					    &c->s.peer, rdp_status_name(status),
					    status);
		return;
	}
	c->s.ktls = true;
	rdp_nla_carry_on(c);
}

static void rdp_nla_record(struct rdp_conn *c)
{
	struct rdp_nla_session *h;

	mutex_lock(&rdp_lock);
	list_del(&c->node);
	rdp_nconns--;
	rdp_counts[c->s.outcome]++;
	h = &rdp_history[(c->s.seq - 1) % RDP_NLA_HISTORY];
	*h = c->s;
	mutex_unlock(&rdp_lock);
}

static void rdp_conn_work(struct work_struct *work)
{
	struct rdp_conn *c = container_of(work, struct rdp_conn, work);

	c->s.outcome = RDP_NLA_CLOSED;
	c->s.status = SEC_E_INCOMPLETE_MESSAGE;
	if (rdp_nla_negotiate(c)) {
		c->s.status = rdp_nla_accept(c);
		if (c->s.status == SEC_E_OK) {
			c->s.outcome = RDP_NLA_AUTHENTICATED;
			rdp_nla_authenticated(c);
		} else if (c->s.status != SEC_E_INCOMPLETE_MESSAGE) {
			c->s.outcome = RDP_NLA_REFUSED;
		}
	}
	switch (c->s.outcome) {
	case RDP_NLA_AUTHENTICATED:
		if (c->s.rdp)
			pr_info_ratelimited("%pISpc: connection closed (kTLS, RDP %s, I/O error %d)\n",
					    &c->s.peer,
					    rdp_seq_state_name(c->s.rdp_state),
					    c->s.io_error);
		else
			pr_info_ratelimited("%pISpc: connection closed (%s, %u TPDUs echoed)\n",
					    &c->s.peer,
					    c->s.ktls ? "kTLS" : "no kTLS",
					    c->s.echoed);
		break;
	case RDP_NLA_REFUSED:
		/* a client can cause it at will: rate-limited */
		pr_info_ratelimited("%pISpc: logon failed: %s (0x%08x)\n",
				    &c->s.peer, rdp_status_name(c->s.status),
				    c->s.status);
		break;
	default:
		pr_info_ratelimited("%pISpc: connection ended: %s\n",
				    &c->s.peer,
				    rdp_nla_outcome_names[c->s.outcome]);
		break;
	}
	if (c->have_ctx)
		ksspi_delete_security_context(rdp_owner, &c->ctx);
	rdp_nla_record(c);
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	sock_release(c->sock);
	/* bytes of a TPKT cut short may be left of a Client Info PDU */
	memzero_explicit(c->pdu, RDP_NLA_MAX_PDU);
	vfree(c->in);
	vfree(c->pdu);
	kfree(c);
}

static struct rdp_conn *rdp_conn_alloc(struct socket *sock)
{
	struct rdp_conn *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->in = vmalloc(RDP_NLA_MAX_INPUT);
	c->pdu = vmalloc(RDP_NLA_MAX_PDU);
	if (!c->in || !c->pdu) {
		vfree(c->in);
		vfree(c->pdu);
		kfree(c);
		return NULL;
	}
	c->sock = sock;
	if (kernel_getpeername(sock, (struct sockaddr *)&c->s.peer) < 0)
		c->s.peer.ss_family = AF_UNSPEC;
	/* A silent client holds a worker for no longer than this. */
	sock->sk->sk_rcvtimeo = (long)timeout * HZ;
	sock->sk->sk_sndtimeo = (long)timeout * HZ;
	INIT_WORK(&c->work, rdp_conn_work);
	return c;
}

static int rdp_accept_loop(void *unused)
{
	struct socket *sock;
	struct rdp_conn *c;
	bool busy;

	while (!kthread_should_stop()) {
		if (kernel_accept(rdp_listener, &sock, 0)) {
			/* shut down for unloading, or a failed accept */
			schedule_timeout_interruptible(HZ / 50);
			continue;
		}
		mutex_lock(&rdp_lock);
		busy = rdp_nconns >= RDP_NLA_MAX_CONNS;
		mutex_unlock(&rdp_lock);
		c = busy ? NULL : rdp_conn_alloc(sock);
		if (!c) {
			pr_info_ratelimited("connection refused: %s\n",
					    busy ? "too many connections" :
					    "out of memory");
			sock_release(sock);
			continue;
		}
		mutex_lock(&rdp_lock);
		c->s.seq = ++rdp_seq;
		list_add(&c->node, &rdp_conns);
		rdp_nconns++;
		mutex_unlock(&rdp_lock);
		queue_work(rdp_wq, &c->work);
	}
	return 0;
}

static int rdp_sessions_show(struct seq_file *m, void *unused)
{
	const struct rdp_nla_session *h;
	u64 first, i;
	int o;

	mutex_lock(&rdp_lock);
	seq_printf(m, "connections: %llu\n", rdp_seq);
	seq_printf(m, "live: %u\n", rdp_nconns);
	for (o = 0; o < RDP_NLA_OUTCOMES; o++)
		seq_printf(m, "%s: %llu\n", rdp_nla_outcome_names[o],
			   rdp_counts[o]);
	first = rdp_seq > RDP_NLA_HISTORY ? rdp_seq - RDP_NLA_HISTORY + 1 : 1;
	for (i = first; i <= rdp_seq; i++) {
		h = &rdp_history[(i - 1) % RDP_NLA_HISTORY];
		if (h->seq != i)	/* still running */
			continue;
		seq_printf(m, "session %llu %pISpc %s %s 0x%08x ktls=%s echoed=%u tsrequest=%u tls=0x%04x rdp=",
			   h->seq, &h->peer, rdp_nla_outcome_names[h->outcome],
			   rdp_status_name(h->status), h->status,
			   h->ktls ? "yes" : "no", h->echoed,
			   h->tsrequest_version, h->tls_version);
		if (!h->rdp)
			seq_puts(m, "-");
		else if (h->rdp_state == RDP_SEQ_ACTIVE)
			seq_puts(m, "active");
		else
			seq_printf(m, "%s,%s", rdp_seq_state_name(h->rdp_state),
				   h->rdp_error == RDP_SEQ_OK ? "closed" :
				   rdp_seq_error_name(h->rdp_error));
		seq_printf(m, " client_info=%s user=%s\n",
			   rdp_nla_client_info_names[h->client_info],
			   h->user[0] ? h->user : "-");
	}
	mutex_unlock(&rdp_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rdp_sessions);

static int rdp_listen(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &rdp_listener);
	if (err)
		return err;
	sock_set_reuseaddr(rdp_listener->sk);
	err = kernel_bind(rdp_listener, (struct sockaddr *)&addr,
			  sizeof(addr));
	if (!err)
		err = kernel_listen(rdp_listener, 16);
	if (err) {
		sock_release(rdp_listener);
		rdp_listener = NULL;
	}
	return err;
}

static int __init rdp_nla_init(void)
{
	u32 status;
	int err;

	if (!timeout)
		return -EINVAL;
	rdp_owner = ksspi_open();
	if (!rdp_owner)
		return -ENOMEM;
	/*
	 * Default credentials: ksspid's certificate for TLS, and its NTLM
	 * user database checks the client; no password is in the kernel.
	 */
	status = ksspi_acquire_credentials_handle(rdp_owner, "CredSSP",
						  SECPKG_CRED_INBOUND, NULL,
						  &rdp_credential, NULL);
	if (status != SEC_E_OK) {
		pr_err("AcquireCredentialsHandle(CredSSP): %s (0x%08x)\n",
		       rdp_status_name(status), status);
		ksspi_close(rdp_owner);
		return -ENOENT;
	}
	rdp_wq = alloc_workqueue("ksspi_rdp_nla", WQ_UNBOUND, 0);
	err = rdp_wq ? rdp_listen() : -ENOMEM;
	if (err)
		goto err_cred;
	rdp_acceptor = kthread_run(rdp_accept_loop, NULL, "ksspi_rdp_nla");
	if (IS_ERR(rdp_acceptor)) {
		err = PTR_ERR(rdp_acceptor);
		goto err_sock;
	}
	rdp_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("sessions", 0400, rdp_debugfs, NULL,
			    &rdp_sessions_fops);
	pr_info("listening on 127.0.0.1:%u\n", port);
	return 0;

err_sock:
	sock_release(rdp_listener);
err_cred:
	if (rdp_wq)
		destroy_workqueue(rdp_wq);
	ksspi_close(rdp_owner);
	return err;
}

static void __exit rdp_nla_exit(void)
{
	struct rdp_conn *c;

	debugfs_remove_recursive(rdp_debugfs);
	/* Wakes the acceptor; it sees kthread_should_stop() and returns. */
	kernel_sock_shutdown(rdp_listener, SHUT_RDWR);
	kthread_stop(rdp_acceptor);
	sock_release(rdp_listener);
	/* Ends every conversation: their reads fail, their work returns. */
	mutex_lock(&rdp_lock);
	list_for_each_entry(c, &rdp_conns, node)
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
	mutex_unlock(&rdp_lock);
	destroy_workqueue(rdp_wq);
	/* Deletes the credential and any context a connection left. */
	ksspi_close(rdp_owner);
}

module_init(rdp_nla_init);
module_exit(rdp_nla_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi sample: an RDP front door, CredSSP (NLA), kTLS, RDP to activation");
