// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dispatch of one upcall: pings are echoed; context legs go to the package
 * named in the upcall, with the handshake state kept in the session table
 * from one leg to the next.
 *
 * Session rules (Documentation/helper.rst):
 *  - a first leg (KSSPI_UPCALL_F_FIRST_LEG) drops any earlier state of its
 *    session id and starts a new one, kept only if the package answers
 *    SEC_I_CONTINUE_NEEDED;
 *  - a later leg needs the state: unknown (the helper restarted, or the
 *    state expired) -> SEC_E_NO_AUTHENTICATING_AUTHORITY; another leg of it
 *    still running -> SEC_E_OUT_OF_SEQUENCE; state of another package or
 *    side -> SEC_E_INVALID_HANDLE;
 *  - a status other than SEC_I_CONTINUE_NEEDED,
 *    SEC_I_COMPLETE_AND_CONTINUE, SEC_I_INCOMPLETE_CREDENTIALS or
 *    SEC_E_INCOMPLETE_MESSAGE ends the session (the kernel treats these
 *    alike: more legs follow; after SEC_E_INCOMPLETE_MESSAGE the package's
 *    state is as before the leg);
 *  - an error answer carries nothing but its status, the missing byte
 *    count of SEC_E_INCOMPLETE_MESSAGE, and the token a package built to
 *    tell the peer (TSRequest errorCode, a TLS alert) when the caller
 *    asked for ISC_REQ_EXTENDED_ERROR / ASC_REQ_EXTENDED_ERROR;
 *  - a user holds at most max_per_user sessions (session.c);
 *  - an acceptor's SEC_E_OK with reply->keep_session keeps the session,
 *    established, until the kernel releases it or the context expires: it
 *    holds what the client delegated.  A client's first leg with
 *    KSSPI_A_DELEGATION_SESSION reads it: the same owner's, of a package
 *    that names its delegated credentials, else SEC_E_NO_CREDENTIALS.
 *
 * The identity of a first leg was read from its key before (identity.c);
 * nothing here makes a system call, so the fuzzers can drive it.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include "credssp/credssp.h"
#include "kerberos/kerberos.h"
#include "message.h"
#include "ntlm/ntlm.h"
#include "package.h"
#include "ksspitest/ksspitest.h"
#include "request.h"
#include "session.h"
#include "spnego/negotiate.h"

static const struct package *const packages[] = {
	&pkg_test,
	&pkg_ntlm,
	&pkg_credssp,
	&pkg_kerberos,
	&pkg_negotiate,
};

/* Names compare case-insensitively, as the kernel's and Windows' do. */
const struct package *package_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(packages) / sizeof(packages[0]); i++)
		if (strcasecmp(packages[i]->name, name) == 0)
			return packages[i];
	return NULL;
}

static bool status_is_error(uint32_t status)
{
	return status & 0x80000000u;
}

static int64_t monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

static bool status_continues(uint32_t status)
{
	return status == SEC_I_CONTINUE_NEEDED ||
	       status == SEC_I_COMPLETE_AND_CONTINUE ||
	       status == SEC_I_INCOMPLETE_CREDENTIALS ||
	       status == SEC_E_INCOMPLETE_MESSAGE;
}

static bool wants_extended_error(const struct upcall *up)
{
	return up->context_req & (up->op == KSSPI_OP_INIT_CONTEXT ?
				  ISC_REQ_EXTENDED_ERROR :
				  ASC_REQ_EXTENDED_ERROR);
}

static void handle_ping(const struct upcall *up, struct reply *reply)
{
	if (bytes_append(&reply->token, up->token.data, up->token.len)) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	reply->status = SEC_E_OK;
}

static void run_step(const struct package *package, void *state,
		     const struct upcall *up, struct reply *reply)
{
	struct bytes error_token = {};
	uint32_t missing;

	package->step(state, up, reply);
	if (!status_is_error(reply->status))
		return;

	missing = reply->status == SEC_E_INCOMPLETE_MESSAGE ?
		  reply->input_missing : 0;
	if (wants_extended_error(up)) {
		error_token = reply->token;
		reply->token = (struct bytes){};
	}
	reply_clear(reply);
	reply->token = error_token;
	reply->input_missing = missing;
}

static bool keeps_session(const struct upcall *up, const struct reply *reply)
{
	return reply->keep_session && reply->status == SEC_E_OK &&
	       up->op == KSSPI_OP_ACCEPT_CONTEXT;
}

/*
 * When a kept session is dropped (monotonic seconds): when the context
 * expires (its ticket's end time), a context without one after the idle
 * timeout.
 */
static int64_t kept_until(const struct reply *reply)
{
	int64_t now = monotonic_seconds(), left = SESSION_IDLE_TIMEOUT;

	if (reply->has_expiry && reply->expiry > 0)
		left = reply->expiry - (int64_t)time(NULL);
	return now + (left > 0 ? left : 0);
}

/*
 * A package step, with a client's delegated credentials found first when
 * the leg names a kept acceptor session.
 */
static void run_leg(struct session_table *sessions,
		    const struct package *package, void *state,
		    const struct upcall *up, struct reply *reply)
{
	struct session *deleg;
	struct upcall with_ccache;
	char ccache[128];

	if (!upcall_has(up, KSSPI_A_DELEGATION_SESSION)) {
		run_step(package, state, up, reply);
		return;
	}
	if (up->op != KSSPI_OP_INIT_CONTEXT ||
	    !(up->flags & KSSPI_UPCALL_F_FIRST_LEG)) {
		reply->status = SEC_E_INVALID_PARAMETER;
		return;
	}
	deleg = session_read(sessions, up->delegation_session,
			     upcall_owner(up), monotonic_seconds());
	if (!deleg) {
		reply->status = SEC_E_NO_CREDENTIALS;
		return;
	}
	if (deleg->initiator || !deleg->package->delegated_ccache ||
	    deleg->package->delegated_ccache(deleg->state, ccache,
					     sizeof(ccache))) {
		reply->status = SEC_E_NO_CREDENTIALS;
	} else {
		/* A shallow copy: @up keeps owning what it points to */
		with_ccache = *up;
		with_ccache.delegated_ccache = ccache;
		run_step(package, state, &with_ccache, reply);
	}
	session_read_done(sessions, deleg);
}

static void first_leg(struct session_table *sessions,
		      const struct package *package, const struct upcall *up,
		      struct reply *reply)
{
	bool initiator = up->op == KSSPI_OP_INIT_CONTEXT;
	struct session *session;
	void *state;
	int err;

	session_release(sessions, up->session_id);
	/* Refused before the package does any work for it */
	if (session_owner_full(sessions, upcall_owner(up))) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}

	state = package->state_new();
	if (!state) {
		reply->status = SEC_E_INSUFFICIENT_MEMORY;
		return;
	}
	run_leg(sessions, package, state, up, reply);
	if (!status_continues(reply->status) && !keeps_session(up, reply)) {
		package->state_free(state);
		return;
	}

	session = session_new(up->session_id, package, initiator, state);
	if (!session) {
		package->state_free(state);
		err = -ENOMEM;
	} else {
		session->owner = upcall_owner(up);
		if (keeps_session(up, reply)) {
			session->established = true;
			session->expires = kept_until(reply);
		}
		err = session_add(sessions, session, monotonic_seconds());
		if (err)
			session_free(session);
	}
	if (err) {
		reply_clear(reply);
		reply->status = err == -EBUSY ? SEC_E_OUT_OF_SEQUENCE :
						SEC_E_INSUFFICIENT_MEMORY;
	}
}

static void next_leg(struct session_table *sessions,
		     const struct package *package, const struct upcall *up,
		     struct reply *reply)
{
	bool initiator = up->op == KSSPI_OP_INIT_CONTEXT;
	struct session *session;

	switch (session_acquire(sessions, up->session_id, &session)) {
	case SESSION_UNKNOWN:
		reply->status = SEC_E_NO_AUTHENTICATING_AUTHORITY;
		return;
	case SESSION_BUSY:
		reply->status = SEC_E_OUT_OF_SEQUENCE;
		return;
	case SESSION_FOUND:
		break;
	}

	if (session->package != package || session->initiator != initiator)
		reply->status = SEC_E_INVALID_HANDLE;
	else
		run_leg(sessions, package, session->state, up, reply);
	if (keeps_session(up, reply))
		session_establish(sessions, session, kept_until(reply));
	else
		session_put(sessions, session, status_continues(reply->status),
			    monotonic_seconds());
}

static void handle_leg(struct session_table *sessions,
		       const struct upcall *up, struct reply *reply)
{
	const struct package *package;

	if (!upcall_has(up, KSSPI_A_PACKAGE) ||
	    !upcall_has(up, KSSPI_A_SESSION_ID)) {
		reply->status = SEC_E_INVALID_PARAMETER;
		return;
	}
	package = package_find(up->package);
	if (!package) {
		reply->status = SEC_E_SECPKG_NOT_FOUND;
		return;
	}
	if (up->flags & KSSPI_UPCALL_F_FIRST_LEG)
		first_leg(sessions, package, up, reply);
	else
		next_leg(sessions, package, up, reply);
}

void request_handle(struct session_table *sessions, const struct upcall *up,
		    struct reply *reply)
{
	reply->request_id = up->request_id;
	if (up->status != SEC_E_OK) {
		reply->status = up->status;
		return;
	}

	switch (up->op) {
	case KSSPI_OP_PING:
		handle_ping(up, reply);
		break;
	case KSSPI_OP_INIT_CONTEXT:
	case KSSPI_OP_ACCEPT_CONTEXT:
		handle_leg(sessions, up, reply);
		break;
	default:
		reply->status = SEC_E_UNSUPPORTED_FUNCTION;
		break;
	}
}
