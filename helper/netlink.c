// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Generic netlink plumbing.
 *
 * Every socket gets large buffers and message peeking, so that a message
 * of several hundred KiB (a 256 KiB token in fragments) is received whole,
 * NETLINK_CAP_ACK so that an error never echoes such a message back, and
 * NETLINK_EXT_ACK so that the kernel's reason for a refusal can be logged.
 * libnl's sequence checking is off everywhere: upcalls are unsolicited, and
 * acknowledgements are matched to their request by sequence number here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/genetlink.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "log.h"
#include "message.h"
#include "netlink.h"

static void set_socket_option(int fd, int level, int name, int value)
{
	/* Best effort: older kernels or missing privileges only cost detail. */
	if (setsockopt(fd, level, name, &value, sizeof(value)) < 0)
		log_debug("setsockopt(%d, %d): %s", level, name, strerror(errno));
}

static struct nl_sock *open_genl_socket(void)
{
	struct timeval ack_timeout = { .tv_sec = NETLINK_ACK_TIMEOUT_S };
	struct nl_sock *sock;
	int err, fd;

	sock = nl_socket_alloc();
	if (!sock) {
		log_error("out of memory for a netlink socket");
		return NULL;
	}
	err = genl_connect(sock);
	if (err < 0) {
		log_error("cannot open a generic netlink socket: %s",
			  nl_geterror(err));
		nl_socket_free(sock);
		return NULL;
	}
	fd = nl_socket_get_fd(sock);
	err = nl_socket_set_buffer_size(sock, NETLINK_BUFFER_SIZE,
					NETLINK_BUFFER_SIZE);
	if (err < 0)
		log_warn("cannot size netlink socket buffers: %s",
			 nl_geterror(err));
	/* Past net.core.{r,w}mem_max, when CAP_NET_ADMIN allows it */
	set_socket_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, NETLINK_BUFFER_SIZE);
	set_socket_option(fd, SOL_SOCKET, SO_SNDBUFFORCE, NETLINK_BUFFER_SIZE);
	set_socket_option(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	set_socket_option(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &ack_timeout,
		       sizeof(ack_timeout)) < 0)
		log_warn("cannot set a netlink receive timeout: %s",
			 strerror(errno));
	nl_socket_enable_msg_peek(sock);
	nl_socket_disable_seq_check(sock);
	return sock;
}

struct ack_wait {
	uint32_t seq;		/* of the request being acknowledged */
	bool acked;
	unsigned int messages;	/* received while waiting */
	char reason[256];	/* the kernel's extended ack message */
};

/*
 * The extended ack message of an error, if any.  libnl hands the error
 * callback the payload of an NLMSG_ERROR message, which sits right after
 * its netlink header in the receive buffer.
 */
static void extack_reason(const struct nlmsgerr *e, char *out, size_t size)
{
	const struct nlmsghdr *nlh =
		(const void *)((const char *)e - NLMSG_HDRLEN);
	size_t offset = sizeof(*e), len;
	const struct nlattr *msg;

	out[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + offset)
		return;
	len = nlh->nlmsg_len - NLMSG_HDRLEN - offset;
	msg = nla_find((const struct nlattr *)((const char *)e + offset),
		       (int)len, NLMSGERR_ATTR_MSG);
	if (msg && nla_len(msg) > 0)
		snprintf(out, size, "%.*s", nla_len(msg),
			 (const char *)nla_data(msg));
}

static int count_message(struct nl_msg *msg, void *arg)
{
	struct ack_wait *wait = arg;

	(void)msg;
	wait->messages++;
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct nlmsgerr *e = nlmsg_data(nlmsg_hdr(msg));
	struct ack_wait *wait = arg;

	if (e->msg.nlmsg_seq != wait->seq)
		return NL_SKIP;
	wait->acked = true;
	return NL_STOP;
}

static int on_ack_error(struct sockaddr_nl *from, struct nlmsgerr *e,
			void *arg)
{
	struct ack_wait *wait = arg;

	(void)from;
	if (e->msg.nlmsg_seq != wait->seq) {
		log_debug("kernel error %d for an earlier message", e->error);
		return NL_SKIP;
	}
	extack_reason(e, wait->reason, sizeof(wait->reason));
	return NL_STOP;		/* nl_recvmsgs() returns the error */
}

/* Waits for the answer to request @seq; other messages are dispatched. */
static int wait_ack(struct nl_sock *sock, struct ack_wait *wait)
{
	struct nl_cb *sock_cb = nl_socket_get_cb(sock);
	struct nl_cb *cb = nl_cb_clone(sock_cb);
	int err = 0;

	nl_cb_put(sock_cb);
	if (!cb)
		return -NLE_NOMEM;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, count_message, wait);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, wait);
	nl_cb_err(cb, NL_CB_CUSTOM, on_ack_error, wait);
	while (!wait->acked) {
		unsigned int before = wait->messages;

		err = nl_recvmsgs(sock, cb);
		if (err < 0)
			break;
		if (wait->messages == before) {
			err = -NLE_AGAIN;	/* SO_RCVTIMEO expired */
			break;
		}
	}
	nl_cb_put(cb);
	return err;
}

/*
 * Sends @msg, wiping it before it is freed (downcalls carry keys), and
 * with @wait_ack waits for the kernel's answer.
 */
static int send_request(struct nl_sock *sock, struct nl_msg *msg,
			bool wait_ack_needed, char *reason, size_t reason_size)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ack_wait wait = { 0 };
	int err;

	nl_complete_msg(sock, msg);
	if (wait_ack_needed)
		nlh->nlmsg_flags |= NLM_F_ACK;
	else
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	wait.seq = nlh->nlmsg_seq;
	err = nl_send(sock, msg);
	explicit_bzero(nlh, nlmsg_get_max_size(msg));
	nlmsg_free(msg);
	if (err < 0 || !wait_ack_needed)
		return err < 0 ? err : 0;

	err = wait_ack(sock, &wait);
	if (reason)
		snprintf(reason, reason_size, "%s", wait.reason);
	return err;
}

static void check_family_removed(struct netlink_channel *ch,
				 struct genlmsghdr *gnlh)
{
	struct nlattr *id;

	if (gnlh->cmd != CTRL_CMD_DELFAMILY)
		return;
	id = nla_find(genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0),
		      CTRL_ATTR_FAMILY_ID);
	if (id && nla_len(id) == sizeof(uint16_t) &&
	    nla_get_u16(id) == ch->family_id)
		ch->handlers.family_removed(ch->handlers.arg);
}

static void dispatch(struct netlink_channel *ch, struct upcall *up)
{
	if (up->cmd == KSSPI_CMD_SESSION_RELEASE) {
		if (up->status == SEC_E_OK)
			ch->handlers.session_release(up->session_id,
						     ch->handlers.arg);
		else
			log_warn("ignoring a malformed session release");
		upcall_free(up);
		free(up);
		return;
	}
	if (up->status != SEC_E_OK) {
		if (!upcall_has(up, KSSPI_A_REQUEST_ID)) {
			log_warn("dropping a malformed upcall without a request id");
			upcall_free(up);
			free(up);
			return;
		}
		log_warn("request %llu: malformed upcall, answering %#010x",
			 (unsigned long long)up->request_id, up->status);
	}
	ch->handlers.upcall(up, ch->handlers.arg);
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct netlink_channel *ch = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh;
	struct upcall *up;
	void *attrs;
	int len;

	if (nlmsg_get_src(msg)->nl_pid != 0) {
		log_warn("ignoring a message from port %u: only the kernel sends upcalls",
			 nlmsg_get_src(msg)->nl_pid);
		return NL_SKIP;
	}
	if (!genlmsg_valid_hdr(nlh, 0)) {
		log_warn("ignoring a truncated generic netlink message");
		return NL_SKIP;
	}
	gnlh = nlmsg_data(nlh);
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		check_family_removed(ch, gnlh);
		return NL_SKIP;
	}
	if (nlh->nlmsg_type != ch->family_id) {
		log_debug("ignoring a message of netlink type %u",
			  nlh->nlmsg_type);
		return NL_SKIP;
	}
	if (gnlh->cmd != KSSPI_CMD_UPCALL &&
	    gnlh->cmd != KSSPI_CMD_SESSION_RELEASE) {
		log_warn("ignoring unknown ksspi command %u", gnlh->cmd);
		return NL_SKIP;
	}

	up = calloc(1, sizeof(*up));
	if (!up) {
		log_error("out of memory: dropping an upcall");
		return NL_SKIP;
	}
	attrs = genlmsg_attrdata(gnlh, 0);
	len = genlmsg_attrlen(gnlh, 0);
	upcall_parse(up, gnlh->cmd, attrs, (size_t)len);
	/* libnl's receive buffer held the password and tokens. */
	explicit_bzero(attrs, (size_t)len);
	dispatch(ch, up);
	return NL_SKIP;
}

static int on_async_error(struct sockaddr_nl *from, struct nlmsgerr *e,
			  void *arg)
{
	char reason[256];

	(void)from;
	(void)arg;
	extack_reason(e, reason, sizeof(reason));
	log_warn("the kernel refused a message: %s%s%s",
		 strerror(-e->error), reason[0] ? ": " : "", reason);
	return NL_SKIP;
}

int netlink_channel_open(struct netlink_channel *ch,
			 const struct upcall_handlers *handlers)
{
	int err, group;

	*ch = (struct netlink_channel){ .handlers = *handlers };
	ch->sock = open_genl_socket();
	if (!ch->sock)
		return -EIO;

	err = genl_ctrl_resolve(ch->sock, KSSPI_GENL_NAME);
	if (err < 0) {
		nl_socket_free(ch->sock);
		ch->sock = NULL;
		if (err == -NLE_OBJ_NOTFOUND)
			return -ENOENT;
		log_error("cannot resolve the \"%s\" generic netlink family: %s",
			  KSSPI_GENL_NAME, nl_geterror(err));
		return -EIO;
	}
	ch->family_id = err;

	/* Learn of the module's removal from nlctrl's notifications. */
	group = genl_ctrl_resolve_grp(ch->sock, "nlctrl", "notify");
	if (group < 0 || nl_socket_add_membership(ch->sock, group) < 0)
		log_warn("cannot follow generic netlink family changes; the removal of the module will go unnoticed");

	nl_socket_modify_cb(ch->sock, NL_CB_VALID, NL_CB_CUSTOM, on_message, ch);
	nl_socket_modify_err_cb(ch->sock, NL_CB_CUSTOM, on_async_error, ch);
	return 0;
}

int netlink_register(struct netlink_channel *ch)
{
	struct nl_msg *msg = nlmsg_alloc();
	char reason[256] = "";
	int err;

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ch->family_id, 0, 0,
			 KSSPI_CMD_HELPER_REGISTER, KSSPI_GENL_VERSION) ||
	    nla_put_u32(msg, KSSPI_A_PROTOCOL_VERSION, KSSPI_GENL_VERSION) ||
	    nla_put_string(msg, KSSPI_A_HELPER_VERSION, KSSPID_VERSION)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	err = send_request(ch->sock, msg, true, reason, sizeof(reason));
	if (err < 0) {
		log_error("the kernel refused to register ksspid as its helper: %s%s%s%s",
			  nl_geterror(err), reason[0] ? " (" : "", reason,
			  reason[0] ? ")" : "");
		if (err == -NLE_PERM)
			log_error("ksspid needs CAP_SYS_ADMIN in the initial user namespace");
		return err;
	}
	err = nl_socket_set_nonblocking(ch->sock);
	if (err < 0) {
		log_error("cannot make the upcall socket non-blocking: %s",
			  nl_geterror(err));
		return err;
	}
	return 0;
}

int netlink_channel_fd(const struct netlink_channel *ch)
{
	return nl_socket_get_fd(ch->sock);
}

void netlink_receive(struct netlink_channel *ch)
{
	int err = nl_recvmsgs_default(ch->sock);

	if (err == -NLE_NOMEM)
		log_warn("upcall socket overrun (ENOBUFS): the kernel could not deliver some upcalls");
	else if (err < 0 && err != -NLE_AGAIN)
		log_warn("receiving upcalls: %s", nl_geterror(err));
}

void netlink_unregister(struct netlink_channel *ch)
{
	int fd = nl_socket_get_fd(ch->sock);
	struct nl_msg *msg = nlmsg_alloc();
	char reason[256] = "";
	int err;

	if (!msg) {
		log_warn("out of memory: cannot unregister");
		return;
	}
	/* The answer is awaited with the receive timeout, not polled. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ch->family_id, 0, 0,
			 KSSPI_CMD_HELPER_UNREGISTER, KSSPI_GENL_VERSION)) {
		nlmsg_free(msg);
		return;
	}
	err = send_request(ch->sock, msg, true, reason, sizeof(reason));
	if (err < 0)
		log_warn("unregistering: %s%s%s", nl_geterror(err),
			 reason[0] ? ": " : "", reason);
}

void netlink_channel_close(struct netlink_channel *ch)
{
	netlink_socket_free(ch->sock);
	ch->sock = NULL;
}

struct nl_sock *netlink_downcall_socket(void)
{
	return open_genl_socket();
}

void netlink_socket_free(struct nl_sock *sock)
{
	if (sock)
		nl_socket_free(sock);
}

int netlink_send_downcall(struct nl_sock *sock, int family_id,
			  const struct reply *reply, bool wait_ack_needed)
{
	struct nl_msg *msg = nlmsg_alloc_size(downcall_size(reply));
	char reason[256] = "";
	int err;

	if (!msg)
		return -NLE_NOMEM;
	err = downcall_build(msg, family_id, reply);
	if (err < 0) {
		explicit_bzero(nlmsg_hdr(msg), nlmsg_get_max_size(msg));
		nlmsg_free(msg);
		return err;
	}
	err = send_request(sock, msg, wait_ack_needed, reason, sizeof(reason));
	if (err < 0 && reason[0])
		log_warn("request %llu: kernel says: %s",
			 (unsigned long long)reply->request_id, reason);
	return err;
}
