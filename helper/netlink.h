/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The helper's side of the "ksspi" generic netlink family
 * (<linux/ksspi_netlink.h>, Documentation/netlink.rst).  The helper pulls
 * its work: the kernel's only unsolicited message is an empty wake-up.
 */
#ifndef KSSPID_NETLINK_H
#define KSSPID_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#define NETLINK_BUFFER_SIZE	(4 * 1024 * 1024)
#define NETLINK_ACK_TIMEOUT_S	5

struct nl_sock;
struct notice_handlers;
struct reply;
struct upcall;

/**
 * struct netlink_channel - the main thread's sockets
 * @events: registers (its release ends the registration), and receives
 *	the kernel's wake-ups and nlctrl's notices; non-blocking
 * @fetch: fetches requests and notices; blocking, with a receive timeout
 * @family_id: the "ksspi" family
 * @module_gone: nlctrl said the family was removed
 */
struct netlink_channel {
	struct nl_sock *events;
	struct nl_sock *fetch;
	int family_id;
	bool module_gone;
};

/* Opens the sockets and joins the groups; 0, -ENOENT (no module), -EIO. */
int netlink_channel_open(struct netlink_channel *ch);
/* Registers as the helper; 0 or a negative error (logged). */
int netlink_register(struct netlink_channel *ch);
/* The descriptor to poll for events. */
int netlink_channel_fd(const struct netlink_channel *ch);
/* What may wait in the kernel (netlink_events()) */
#define FETCH_REQUESTS	(1u << 0)
#define FETCH_NOTICES	(1u << 1)

/*
 * Reads every pending event.  Returns the FETCH_* queues there may be work
 * in (a wake-up names them; lost events mean both); sets module_gone.
 */
unsigned int netlink_events(struct netlink_channel *ch);
/*
 * Fetches the next request.  Returns 1 with the request in *up (NULL when
 * it could not be parsed at all and is dropped) and in *remaining how many
 * more wait, 0 when none is queued, -NLE_PERM when another helper took
 * over, or another negative -NLE_* error.
 */
int netlink_fetch_request(struct netlink_channel *ch, struct upcall **up,
			  uint32_t *remaining);
/*
 * Fetches one batch of notices and hands them to @handlers.  Returns how
 * many there were (and in *remaining how many more wait), 0 when none is
 * queued, -NLE_PERM when another helper took over, or another negative
 * -NLE_* error.
 */
int netlink_fetch_notices(struct netlink_channel *ch,
			  const struct notice_handlers *handlers,
			  uint32_t *remaining);
void netlink_unregister(struct netlink_channel *ch);
void netlink_channel_close(struct netlink_channel *ch);

/* A socket for a worker's answers. */
struct nl_sock *netlink_answer_socket(void);
void netlink_socket_free(struct nl_sock *sock);
/*
 * Sends the answer to a request; with @wait_ack waits for the kernel's
 * verdict.  0, -NLE_OBJ_NOTFOUND (the kernel no longer waits for it), or
 * another negative -NLE_* error.
 */
int netlink_send_done(struct nl_sock *sock, int family_id,
		      const struct reply *reply, bool wait_ack);

#endif /* KSSPID_NETLINK_H */
