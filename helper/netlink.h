/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic netlink side of ksspid: resolving the "ksspi" family,
 * registering as the helper, receiving upcalls on the registered socket
 * and sending downcalls from the workers' sockets.
 */
#ifndef KSSPID_NETLINK_H
#define KSSPID_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

/* Socket buffers: big enough for several 256 KiB tokens in flight. */
#define NETLINK_BUFFER_SIZE	(4 * 1024 * 1024)
/* Longest wait for the kernel's acknowledgement of a request */
#define NETLINK_ACK_TIMEOUT_S	5

struct nl_sock;
struct reply;
struct upcall;

struct upcall_handlers {
	/* An upcall to answer; takes ownership of the heap-allocated @up. */
	void (*upcall)(struct upcall *up, void *arg);
	/* KSSPI_CMD_SESSION_RELEASE */
	void (*session_release)(uint64_t session_id, void *arg);
	/* The "ksspi" family went away: the module was unloaded. */
	void (*family_removed)(void *arg);
	void *arg;
};

/* The socket the kernel sends upcalls to. */
struct netlink_channel {
	struct nl_sock *sock;
	int family_id;
	struct upcall_handlers handlers;
};

/*
 * Opens the upcall socket and resolves the family.  0; -ENOENT when the
 * ksspi module is not loaded; another -errno (logged) otherwise.
 */
int netlink_channel_open(struct netlink_channel *ch,
			 const struct upcall_handlers *handlers);

/*
 * KSSPI_CMD_HELPER_REGISTER, waiting for the kernel's answer; then makes
 * the socket non-blocking for the main loop.  0 or a -NLE_* code (logged).
 */
int netlink_register(struct netlink_channel *ch);

int netlink_channel_fd(const struct netlink_channel *ch);

/* Reads and dispatches one datagram, if any is waiting. */
void netlink_receive(struct netlink_channel *ch);

/* KSSPI_CMD_HELPER_UNREGISTER (failures are logged). */
void netlink_unregister(struct netlink_channel *ch);

void netlink_channel_close(struct netlink_channel *ch);

/* A socket for a worker's downcalls, or NULL (logged). */
struct nl_sock *netlink_downcall_socket(void);

void netlink_socket_free(struct nl_sock *sock);

/*
 * Sends @reply as a KSSPI_CMD_DOWNCALL.  With @wait_ack, waits for the
 * kernel's answer (the socket must be blocking); without, errors come back
 * later as asynchronous error messages.  0 or a -NLE_* code.
 */
int netlink_send_downcall(struct nl_sock *sock, int family_id,
			  const struct reply *reply, bool wait_ack);

#endif /* KSSPID_NETLINK_H */
