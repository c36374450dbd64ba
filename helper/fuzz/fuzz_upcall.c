// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the upcall parser.  The input is the body of a netlink
 * message after the genetlink header (the attributes), as the kernel would
 * send it.  Whatever parses is also handled (pings, KsspiTest legs) and
 * its reply built into a downcall, whose fragments must join back to the
 * reply's token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../log.h"
#include "../message.h"
#include "../request.h"
#include "../session.h"
#include "../worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_downcall(const struct reply *r)
{
	struct nl_msg *msg = nlmsg_alloc_size(downcall_size(r));
	struct genlmsghdr *gnlh;
	struct bytes joined = { 0 };
	struct nlattr *nla;
	int rem;

	if (!msg || downcall_build(msg, 0x20, r) < 0)
		abort();
	if (nlmsg_hdr(msg)->nlmsg_len > downcall_size(r))
		abort();
	gnlh = nlmsg_data(nlmsg_hdr(msg));
	nla_for_each_attr(nla, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		if (nla_type(nla) == KSSPI_A_TOKEN &&
		    fragment_append(&joined, nla, KSSPI_MAX_TOKEN) < 0)
			abort();
	}
	if (joined.len != r->token.len ||
	    (joined.len && memcmp(joined.data, r->token.data, joined.len)))
		abort();
	bytes_free(&joined);
	nlmsg_free(msg);
}

static void fuzz_upcall(const uint8_t *data, size_t size)
{
	struct session_table sessions;
	struct reply reply = { 0 };
	struct upcall up = { 0 };

	if (upcall_parse(&up, KSSPI_CMD_UPCALL, data, size) != SEC_E_OK) {
		/* A refused upcall keeps nothing but its request id. */
		if (up.password.len || up.token.len || up.user || up.package ||
		    (up.present & ~(1u << KSSPI_A_REQUEST_ID)))
			abort();
	} else if (!upcall_has(&up, KSSPI_A_REQUEST_ID) ||
		   !upcall_has(&up, KSSPI_A_OP) ||
		   up.token.len > KSSPI_MAX_TOKEN ||
		   up.password.len > KSSPI_MAX_PASSWORD ||
		   (up.user && strlen(up.user) > KSSPI_MAX_NAME)) {
		abort();
	}

	session_table_init(&sessions);
	request_handle(&sessions, &up, &reply);
	if ((reply.status & 0x80000000u) &&
	    (reply.token.len || reply.blob.len || reply.has_expiry))
		abort();
	check_downcall(&reply);
	reply_clear(&reply);
	session_table_destroy(&sessions);
	upcall_free(&up);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct upcall release = { 0 };

	if (!ready) {
		worker_interrupt_sleeps();	/* "sleep:" must not slow us */
		log_setup(LOG_TO_STDERR, false);
		ready = true;
	}
	fuzz_upcall(data, size);

	upcall_parse(&release, KSSPI_CMD_SESSION_RELEASE, data, size);
	upcall_free(&release);
	return 0;
}
