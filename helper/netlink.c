// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Generic netlink plumbing.  The helper pulls its work (Documentation/
 * netlink.rst): one socket registers and listens for the kernel's empty
 * wake-ups and nlctrl's notices, another fetches requests and notices (the
 * kernel answers each fetch on the socket that asked), and each worker
 * answers on a socket of its own.
 *
 * Every socket gets large buffers and message peeking, so that a message
 * of several hundred KiB (a 256 KiB token in fragments) is received whole,
 * NETLINK_CAP_ACK so that an error never echoes such a message back, and
 * NETLINK_EXT_ACK so that the kernel's reason for a refusal can be logged.
 * libnl's sequence checking is off everywhere: answers are matched to their
 * command by sequence number here.
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

/*
 * The extended ack message of an error, if any.  @e is the payload of an
 * NLMSG_ERROR message, which sits right after its netlink header.
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

/*
 * What came back for one command: its error or acknowledgement, or a
 * message of the family (the reply).  @nlh is NULL for an acknowledgement
 * or an error.
 */
struct answer {
	int error;			/* 0 or -errno from NLMSG_ERROR */
	char reason[256];		/* the kernel's extended ack message */
	const struct nlmsghdr *nlh;	/* the reply, inside @buf */
	unsigned char *buf;		/* nl_recv()'s buffer */
	int len;
};

static void answer_free(struct answer *a)
{
	if (a->buf) {
		explicit_bzero(a->buf, (size_t)a->len);
		free(a->buf);
	}
	memset(a, 0, sizeof(*a));
}

/*
 * Receives until the answer to the command with sequence number @seq
 * arrives (other messages are skipped).  0 or -NLE_*; -NLE_AGAIN when the
 * receive timeout expired.
 */
static int receive_answer(struct nl_sock *sock, uint32_t seq, int family_id,
			  struct answer *a)
{
	memset(a, 0, sizeof(*a));
	for (;;) {
		struct sockaddr_nl from;
		struct nlmsghdr *nlh;
		int len;

		len = nl_recv(sock, &from, &a->buf, NULL);
		if (len < 0)
			return len;
		if (len == 0)
			return -NLE_AGAIN;
		a->len = len;
		if (from.nl_pid != 0) {
			answer_free(a);
			continue;
		}
		for (nlh = (struct nlmsghdr *)a->buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = nlmsg_data(nlh);

				if (nlh->nlmsg_len <
				    (uint32_t)nlmsg_size(sizeof(*e)))
					return -NLE_MSG_TRUNC;
				a->error = e->error;
				extack_reason(e, a->reason, sizeof(a->reason));
				return 0;
			}
			if (nlh->nlmsg_type == family_id &&
			    genlmsg_valid_hdr(nlh, 0)) {
				a->nlh = nlh;
				return 0;
			}
		}
		answer_free(a);
	}
}

/*
 * Sends @msg (freed and wiped here: answers carry keys) and, when @answer
 * is given, waits for what comes back for it.
 */
static int send_command(struct nl_sock *sock, struct nl_msg *msg,
			bool ack, int family_id, struct answer *answer)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	uint32_t seq;
	int err;

	nl_complete_msg(sock, msg);
	if (ack)
		nlh->nlmsg_flags |= NLM_F_ACK;
	else
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	seq = nlh->nlmsg_seq;
	err = nl_send(sock, msg);
	explicit_bzero(nlh, nlmsg_get_max_size(msg));
	nlmsg_free(msg);
	if (err < 0 || !answer)
		return err < 0 ? err : 0;
	return receive_answer(sock, seq, family_id, answer);
}

/* A command with no attributes, and what comes back for it. */
static int simple_command(struct nl_sock *sock, int family_id, uint8_t cmd,
			  bool ack, struct answer *answer)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_id, 0, 0, cmd,
			 KSSPI_GENL_VERSION)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return send_command(sock, msg, ack, family_id, answer);
}

int netlink_channel_open(struct netlink_channel *ch)
{
	int err, group;

	*ch = (struct netlink_channel){ 0 };
	ch->events = open_genl_socket();
	ch->fetch = open_genl_socket();
	if (!ch->events || !ch->fetch)
		goto fail;

	err = genl_ctrl_resolve(ch->events, KSSPI_GENL_NAME);
	if (err < 0) {
		netlink_channel_close(ch);
		if (err == -NLE_OBJ_NOTFOUND)
			return -ENOENT;
		log_error("cannot resolve the \"%s\" generic netlink family: %s",
			  KSSPI_GENL_NAME, nl_geterror(err));
		return -EIO;
	}
	ch->family_id = err;

	group = genl_ctrl_resolve_grp(ch->events, KSSPI_GENL_NAME,
				      KSSPI_MCGRP_WAKE);
	if (group < 0 || nl_socket_add_membership(ch->events, group) < 0) {
		log_error("cannot join the \"%s\" multicast group of \"%s\"; ksspid needs CAP_SYS_ADMIN and CAP_NET_ADMIN",
			  KSSPI_MCGRP_WAKE, KSSPI_GENL_NAME);
		goto fail;
	}
	/* Learn of the module's removal from nlctrl's notifications. */
	group = genl_ctrl_resolve_grp(ch->events, "nlctrl", "notify");
	if (group < 0 || nl_socket_add_membership(ch->events, group) < 0)
		log_warn("cannot follow generic netlink family changes; the removal of the module will go unnoticed");
	return 0;
fail:
	netlink_channel_close(ch);
	return -EIO;
}

int netlink_register(struct netlink_channel *ch)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct answer answer;
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
	err = send_command(ch->events, msg, true, ch->family_id, &answer);
	if (err < 0) {
		log_error("cannot register with the kernel: %s",
			  nl_geterror(err));
		return err;
	}
	err = answer.error;
	if (err < 0) {
		log_error("the kernel refused to register ksspid as its helper: %s%s%s%s",
			  strerror(-err), answer.reason[0] ? " (" : "",
			  answer.reason, answer.reason[0] ? ")" : "");
		if (err == -EPERM)
			log_error("ksspid needs CAP_SYS_ADMIN and CAP_NET_ADMIN in the initial user namespace");
		answer_free(&answer);
		return err;
	}
	answer_free(&answer);
	err = nl_socket_set_nonblocking(ch->events);
	if (err < 0) {
		log_error("cannot make the event socket non-blocking: %s",
			  nl_geterror(err));
		return err;
	}
	return 0;
}

int netlink_channel_fd(const struct netlink_channel *ch)
{
	return nl_socket_get_fd(ch->events);
}

static void check_family_removed(struct netlink_channel *ch,
				 const struct nlmsghdr *nlh)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *id;

	if (gnlh->cmd != CTRL_CMD_DELFAMILY)
		return;
	id = nla_find(genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0),
		      CTRL_ATTR_FAMILY_ID);
	if (id && nla_len(id) == sizeof(uint16_t) &&
	    nla_get_u16(id) == ch->family_id)
		ch->module_gone = true;
}

/* KSSPI_A_WAKE of a wake-up; both queues when it is missing or malformed */
static unsigned int wake_queues(const struct nlmsghdr *nlh)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *nla = nla_find(genlmsg_attrdata(gnlh, 0),
				      genlmsg_attrlen(gnlh, 0), KSSPI_A_WAKE);

	if (!nla || nla_len(nla) != sizeof(uint32_t))
		return FETCH_REQUESTS | FETCH_NOTICES;
	return (nla_get_u32(nla) & KSSPI_WAKE_REQUESTS ? FETCH_REQUESTS : 0) |
	       (nla_get_u32(nla) & KSSPI_WAKE_NOTICES ? FETCH_NOTICES : 0);
}

unsigned int netlink_events(struct netlink_channel *ch)
{
	unsigned int fetch = 0;

	for (;;) {
		struct sockaddr_nl from;
		unsigned char *buf = NULL;
		struct nlmsghdr *nlh;
		int len;

		len = nl_recv(ch->events, &from, &buf, NULL);
		if (len == -NLE_NOMEM) {
			/* ENOBUFS: wake-ups were lost; fetch anyway. */
			fetch |= FETCH_REQUESTS | FETCH_NOTICES;
			continue;
		}
		if (len <= 0) {
			if (len < 0 && len != -NLE_AGAIN)
				log_warn("receiving events: %s",
					 nl_geterror(len));
			return fetch;
		}
		if (from.nl_pid != 0) {
			free(buf);
			continue;
		}
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (!genlmsg_valid_hdr(nlh, 0))
				continue;
			if (nlh->nlmsg_type == GENL_ID_CTRL)
				check_family_removed(ch, nlh);
			else if (nlh->nlmsg_type == ch->family_id &&
				 ((struct genlmsghdr *)nlmsg_data(nlh))->cmd ==
				 KSSPI_CMD_WAKE)
				fetch |= wake_queues(nlh);
		}
		free(buf);
	}
}

/* Parses a fetched request into a new heap upcall. */
static struct upcall *request_from(const struct nlmsghdr *nlh)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct upcall *up = calloc(1, sizeof(*up));
	void *attrs;
	int len;

	if (!up) {
		log_error("out of memory: dropping a request");
		return NULL;
	}
	attrs = genlmsg_attrdata(gnlh, 0);
	len = genlmsg_attrlen(gnlh, 0);
	upcall_parse(up, gnlh->cmd, attrs, (size_t)len);
	if (up->status != SEC_E_OK && !upcall_has(up, KSSPI_A_REQUEST_ID)) {
		log_warn("dropping a malformed request without a request id");
		upcall_free(up);
		free(up);
		return NULL;
	}
	if (up->status != SEC_E_OK)
		log_warn("request %llu: malformed, answering %#010x",
			 (unsigned long long)up->request_id, up->status);
	return up;
}

/*
 * What a fetch that brought nothing means: 0 when nothing is queued,
 * -NLE_PERM when this process is no longer the registered helper (another
 * took over), else -NLE_FAILURE (logged).
 */
static int fetch_error(const char *what, const struct answer *answer)
{
	if (answer->error == -ENOENT)
		return 0;
	if (answer->error == -EPERM)
		return -NLE_PERM;
	log_warn("fetching %s: %s%s%s", what, strerror(-answer->error),
		 answer->reason[0] ? ": " : "", answer->reason);
	return -NLE_FAILURE;
}

/*
 * KSSPI_A_QUEUED of a fetch's reply: how many more wait.  When it is
 * missing or malformed, assume more do, so that the next fetch finds out.
 */
static uint32_t queued_after(const struct nlmsghdr *nlh)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *nla = nla_find(genlmsg_attrdata(gnlh, 0),
				      genlmsg_attrlen(gnlh, 0), KSSPI_A_QUEUED);

	if (!nla || nla_len(nla) != sizeof(uint32_t))
		return UINT32_MAX;
	return nla_get_u32(nla);
}

int netlink_fetch_request(struct netlink_channel *ch, struct upcall **up,
			  uint32_t *remaining)
{
	struct answer answer;
	int err;

	*up = NULL;
	*remaining = 0;
	err = simple_command(ch->fetch, ch->family_id, KSSPI_CMD_REQUEST_GET,
			     false, &answer);
	if (err < 0)
		return err;
	if (!answer.nlh) {
		err = fetch_error("a request", &answer);
		answer_free(&answer);
		return err;
	}
	*remaining = queued_after(answer.nlh);
	*up = request_from(answer.nlh);
	answer_free(&answer);
	/* A request that could not be kept is lost to its caller's timeout. */
	return 1;
}

int netlink_fetch_notices(struct netlink_channel *ch,
			  const struct notice_handlers *handlers,
			  uint32_t *remaining)
{
	struct genlmsghdr *gnlh;
	struct answer answer;
	int err, n;

	*remaining = 0;
	err = simple_command(ch->fetch, ch->family_id, KSSPI_CMD_NOTICES_GET,
			     false, &answer);
	if (err < 0)
		return err;
	if (!answer.nlh) {
		err = fetch_error("notices", &answer);
		answer_free(&answer);
		return err;
	}
	gnlh = nlmsg_data(answer.nlh);
	*remaining = queued_after(answer.nlh);
	n = gnlh->cmd == KSSPI_CMD_NOTICES ?
	    notices_parse(genlmsg_attrdata(gnlh, 0),
			  (size_t)genlmsg_attrlen(gnlh, 0), handlers) : -EINVAL;
	answer_free(&answer);
	if (n < 0) {
		log_warn("ignoring malformed notices");
		return -NLE_FAILURE;
	}
	/* An empty batch cannot come from the kernel; do not loop on it. */
	return n > 0 ? n : -NLE_FAILURE;
}

void netlink_unregister(struct netlink_channel *ch)
{
	int fd = nl_socket_get_fd(ch->events);
	struct answer answer;
	int err;

	/* The answer is awaited with the receive timeout, not polled. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	err = simple_command(ch->events, ch->family_id,
			     KSSPI_CMD_HELPER_UNREGISTER, true, &answer);
	if (!err && answer.error)
		log_warn("unregistering: %s%s%s", strerror(-answer.error),
			 answer.reason[0] ? ": " : "", answer.reason);
	else if (err < 0)
		log_warn("unregistering: %s", nl_geterror(err));
	answer_free(&answer);
}

void netlink_channel_close(struct netlink_channel *ch)
{
	netlink_socket_free(ch->events);
	netlink_socket_free(ch->fetch);
	ch->events = NULL;
	ch->fetch = NULL;
}

struct nl_sock *netlink_answer_socket(void)
{
	return open_genl_socket();
}

void netlink_socket_free(struct nl_sock *sock)
{
	if (sock)
		nl_socket_free(sock);
}

int netlink_send_done(struct nl_sock *sock, int family_id,
		      const struct reply *reply, bool wait_ack)
{
	struct nl_msg *msg = nlmsg_alloc_size(done_size(reply));
	struct answer answer;
	int err;

	if (!msg)
		return -NLE_NOMEM;
	err = done_build(msg, family_id, reply);
	if (err < 0) {
		explicit_bzero(nlmsg_hdr(msg), nlmsg_get_max_size(msg));
		nlmsg_free(msg);
		return err;
	}
	err = send_command(sock, msg, wait_ack, family_id,
			   wait_ack ? &answer : NULL);
	if (err < 0 || !wait_ack)
		return err;
	err = answer.error;
	if (err && answer.reason[0])
		log_warn("request %llu: kernel says: %s",
			 (unsigned long long)reply->request_id, answer.reason);
	answer_free(&answer);
	return err == -ENOENT ? -NLE_OBJ_NOTFOUND : err ? -NLE_FAILURE : 0;
}
