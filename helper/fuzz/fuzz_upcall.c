// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the parsers of what the kernel sends.  The input is the
 * body of a netlink message after the genetlink header (the attributes),
 * parsed as a request; whatever parses is also handled (pings, KsspiTest
 * legs) and its reply built into an answer, whose fragments must join back
 * to the reply's token.  The same input is also parsed as notices and as
 * an identity key's payload.
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

#include "log.h"
#include "message.h"
#include "request.h"
#include "session.h"
#include "cancel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Already fired: a "sleep:" leg returns at once. */
static struct cancel cancelled;

static void check_answer(const struct reply *r)
{
	struct nl_msg *msg = nlmsg_alloc_size(done_size(r));
	struct genlmsghdr *gnlh;
	struct bytes joined = { 0 };
	struct nlattr *nla;
	int rem;

	if (!msg || done_build(msg, 0x20, r) < 0)
		abort();
	if (nlmsg_hdr(msg)->nlmsg_len > done_size(r))
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

	up.cancel = &cancelled;
	if (upcall_parse(&up, KSSPI_CMD_REQUEST, data, size) != SEC_E_OK) {
		/* A refused upcall keeps nothing but its request id. */
		if (up.token.len || up.package ||
		    (up.present & ~(UPCALL_BIT(KSSPI_A_REQUEST_ID))))
			abort();
	} else if (!upcall_has(&up, KSSPI_A_REQUEST_ID) ||
		   !upcall_has(&up, KSSPI_A_OP) ||
		   up.token.len > KSSPI_MAX_TOKEN) {
		abort();
	}

	session_table_init(&sessions);
	request_handle(&sessions, &up, &reply);
	if ((reply.status & 0x80000000u) &&
	    (reply.token.len || reply.blob.len || reply.has_expiry))
		abort();
	check_answer(&reply);
	reply_clear(&reply);
	session_table_destroy(&sessions);
	upcall_free(&up);
}

static unsigned long notices_seen;

static void count_notice(uint64_t value, void *arg)
{
	(void)value;
	(void)arg;
	notices_seen++;
}

static void fuzz_notices(const uint8_t *data, size_t size)
{
	const struct notice_handlers handlers = {
		.release_session = count_notice,
		.cancel_request = count_notice,
	};
	int n;

	notices_seen = 0;
	n = notices_parse(data, size, &handlers);
	/* Every notice delivered is counted; a count matches them all. */
	if (n >= 0 && (unsigned long)n != notices_seen)
		abort();
	if (notices_seen > size / 12)
		abort();
}

static void fuzz_identity(const uint8_t *data, size_t size)
{
	struct upcall up = { 0 };

	if (upcall_set_identity(&up, data, size) == 0) {
		if (!up.user || !up.domain ||
		    strlen(up.user) > KSSPI_MAX_NAME ||
		    strlen(up.domain) > KSSPI_MAX_NAME ||
		    up.password.len > KSSPI_MAX_PASSWORD ||
		    strlen(up.user) + strlen(up.domain) + 2 +
		    up.password.len != size)
			abort();
	} else if (up.user || up.domain || up.password.len) {
		abort();
	}
	upcall_free(&up);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		cancel_init(&cancelled);
		cancel_fire(&cancelled);
		log_setup(LOG_TO_STDERR, false);
		ready = true;
	}
	fuzz_upcall(data, size);
	fuzz_notices(data, size);
	fuzz_identity(data, size);
	return 0;
}
