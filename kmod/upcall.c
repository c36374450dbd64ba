// SPDX-License-Identifier: GPL-2.0
/*
 * Upcalls: requests to the helper and their answers.
 *
 * Each request gets an id in the pending table, is sent to the registered
 * helper and waited for with a timeout.  Whoever erases the request from
 * the table (the answer, the timeout, or the helper's death) owns its
 * completion, so it completes exactly once.  The helper may be absent, slow,
 * killed or restarted at any time: callers get an error at once when there
 * is none, and within the time it takes to close a socket when it dies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include "debugfs.h"
#include "upcall.h"

static unsigned int upcall_timeout_ms = 30000;
module_param(upcall_timeout_ms, uint, 0644);
MODULE_PARM_DESC(upcall_timeout_ms,
		 "How long a caller waits for the helper, in ms (default 30000)");

static unsigned int max_pending = 4096;
module_param(max_pending, uint, 0644);
MODULE_PARM_DESC(max_pending, "Most upcalls in flight at once (default 4096)");

/**
 * struct ksspi_pending - an upcall in flight
 * @done: completed once, by whoever erased the entry from the table
 * @portid: the helper socket it was sent to
 * @helper_pid: the helper process, the only one that may answer
 * @err: 0 when @reply holds the answer, else why there is none
 * @reply: the answer
 */
struct ksspi_pending {
	struct completion done;
	u32 portid;
	pid_t helper_pid;
	int err;
	struct ksspi_upcall_reply reply;
};

static DEFINE_XARRAY_ALLOC1(ksspi_pending_table);
static u32 ksspi_pending_next;

/*
 * The registered helper.  @generation changes on every registration and
 * every loss, so a handshake knows whether the helper that holds its state
 * is still the one listening.
 */
static DEFINE_SPINLOCK(ksspi_helper_lock);
static u32 ksspi_helper_portid;
static pid_t ksspi_helper_pid;
static u64 ksspi_helper_gen = 1;
static bool ksspi_helper_registered;

u64 ksspi_helper_generation(void)
{
	u64 gen;

	spin_lock(&ksspi_helper_lock);
	gen = ksspi_helper_gen;
	spin_unlock(&ksspi_helper_lock);
	return gen;
}

bool ksspi_helper_present(void)
{
	return READ_ONCE(ksspi_helper_registered);
}

void ksspi_helper_info(u32 *portid, pid_t *pid, u64 *generation)
{
	spin_lock(&ksspi_helper_lock);
	*portid = ksspi_helper_registered ? ksspi_helper_portid : 0;
	*pid = ksspi_helper_registered ? ksspi_helper_pid : 0;
	*generation = ksspi_helper_gen;
	spin_unlock(&ksspi_helper_lock);
}

/*
 * Fails every request sent to socket @portid.  The walk holds the table's
 * lock: a waiter that times out meanwhile cannot free an entry under it.
 */
static void ksspi_fail_portid(u32 portid, int err)
{
	struct ksspi_pending *p;
	unsigned long id;

	xa_lock(&ksspi_pending_table);
	xa_for_each(&ksspi_pending_table, id, p) {
		if (p->portid != portid)
			continue;
		__xa_erase(&ksspi_pending_table, id);
		p->err = err;
		complete(&p->done);
	}
	xa_unlock(&ksspi_pending_table);
}

/**
 * ksspi_helper_register - a helper takes over
 * @portid: its netlink socket
 * @pid: its process
 *
 * A new helper takes over from a registered one (a restart whose
 * predecessor hangs).  Requests sent to the earlier instance stay pending:
 * if it is still alive it may answer them, and its socket release fails
 * the rest.
 *
 * Return: 0.
 */
int ksspi_helper_register(u32 portid, pid_t pid)
{
	if (READ_ONCE(ksspi_helper_registered))
		pr_info("helper (pid %d) takes over\n", pid);
	spin_lock(&ksspi_helper_lock);
	ksspi_helper_portid = portid;
	ksspi_helper_pid = pid;
	ksspi_helper_gen++;
	WRITE_ONCE(ksspi_helper_registered, true);
	spin_unlock(&ksspi_helper_lock);
	pr_info("helper registered (pid %d)\n", pid);
	return 0;
}

/**
 * ksspi_helper_gone - a generic netlink socket closed, or a helper
 *	unregistered
 * @portid: the socket
 *
 * Requests sent to it fail at once; if it was the registered helper's,
 * there is no helper any more.
 */
void ksspi_helper_gone(u32 portid)
{
	bool was_helper = false;

	spin_lock(&ksspi_helper_lock);
	if (ksspi_helper_registered && ksspi_helper_portid == portid) {
		ksspi_helper_gen++;
		WRITE_ONCE(ksspi_helper_registered, false);
		ksspi_helper_portid = 0;
		ksspi_helper_pid = 0;
		was_helper = true;
	}
	spin_unlock(&ksspi_helper_lock);

	ksspi_fail_portid(portid, -ECONNRESET);
	if (was_helper)
		pr_info("helper gone\n");
}

/**
 * ksspi_upcall_complete - an answer arrived
 * @request_id: the request it answers
 * @sender: the answering process
 * @err: 0, or why @reply is unusable (malformed answer)
 * @reply: the answer; ownership of its buffers passes on success
 *
 * Only the process the request was sent to may answer it.
 *
 * Return: 0, or -ENOENT when no such request waits for @sender (late or
 * forged).
 */
int ksspi_upcall_complete(u32 request_id, pid_t sender, int err,
			  struct ksspi_upcall_reply *reply)
{
	struct ksspi_pending *p;

	xa_lock(&ksspi_pending_table);
	p = xa_load(&ksspi_pending_table, request_id);
	if (p && p->helper_pid == sender)
		__xa_erase(&ksspi_pending_table, request_id);
	else
		p = NULL;
	xa_unlock(&ksspi_pending_table);
	if (!p)
		return -ENOENT;
	p->err = err;
	if (!err) {
		p->reply = *reply;
		memset(reply, 0, sizeof(*reply));
	}
	complete(&p->done);
	return 0;
}

void ksspi_upcall_reply_free(struct ksspi_upcall_reply *reply)
{
	kvfree(reply->token);
	if (reply->blob)
		kvfree_sensitive(reply->blob, reply->blob_len);
	memset(reply, 0, sizeof(*reply));
}

/**
 * ksspi_upcall - ask the helper and wait for its answer
 * @req: the request
 * @reply: receives the answer (free with ksspi_upcall_reply_free())
 * @generation: receives the helper instance asked (may be NULL)
 *
 * Sleeps; only a fatal signal interrupts the wait.  Other callers are never
 * held up: each request waits on its own completion.
 *
 * Return: 0 when @reply holds the answer; -ENOTCONN (no helper),
 * -ECONNRESET (the helper went away), -ETIMEDOUT, -EINTR, -EBUSY (too many
 * requests in flight), -EPROTO (malformed answer) or -ENOMEM.
 */
int ksspi_upcall(const struct ksspi_upcall_request *req,
		 struct ksspi_upcall_reply *reply, u64 *generation)
{
	struct ksspi_pending *p;
	unsigned long timeout;
	u32 portid, id;
	pid_t helper_pid;
	u64 gen;
	long left;
	int err;

	memset(reply, 0, sizeof(*reply));
	spin_lock(&ksspi_helper_lock);
	portid = ksspi_helper_portid;
	helper_pid = ksspi_helper_pid;
	err = ksspi_helper_registered ? 0 : -ENOTCONN;
	gen = ksspi_helper_gen;
	spin_unlock(&ksspi_helper_lock);
	if (generation)
		*generation = gen;
	if (err)
		goto out_count;

	if (atomic_inc_return(&ksspi_stats.upcalls_in_flight) >
	    max_t(unsigned int, READ_ONCE(max_pending), 1)) {
		err = -EBUSY;
		goto out_dec;
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		err = -ENOMEM;
		goto out_dec;
	}
	init_completion(&p->done);
	p->portid = portid;
	p->helper_pid = helper_pid;

	err = xa_alloc_cyclic(&ksspi_pending_table, &id, p, xa_limit_32b,
			      &ksspi_pending_next, GFP_KERNEL);
	if (err < 0)
		goto out_free;
	atomic64_inc(&ksspi_stats.upcalls_total);

	err = ksspi_netlink_send_upcall(portid, id, req);
	if (err) {
		if (xa_erase(&ksspi_pending_table, id) != p)
			wait_for_completion(&p->done);
		/* A full receive queue is a busy helper, not a dead one. */
		err = err == -EAGAIN || err == -ENOBUFS ? -EBUSY : -ENOTCONN;
		goto out_free;
	}

	timeout = msecs_to_jiffies(max_t(unsigned int,
					 READ_ONCE(upcall_timeout_ms), 1));
	left = wait_for_completion_killable_timeout(&p->done, timeout);
	if (left <= 0 && xa_erase(&ksspi_pending_table, id) == p) {
		err = left ? -EINTR : -ETIMEDOUT;
		if (!left)
			atomic64_inc(&ksspi_stats.upcalls_timed_out);
		goto out_free;
	}
	if (left <= 0)
		wait_for_completion(&p->done);	/* being completed now */

	err = p->err;
	if (!err)
		*reply = p->reply;
out_free:
	kfree(p);
out_dec:
	atomic_dec(&ksspi_stats.upcalls_in_flight);
out_count:
	if (err)
		atomic64_inc(&ksspi_stats.upcalls_failed);
	return err;
}

/**
 * ksspi_session_release - tell the helper a handshake's state can go
 * @session_id: the session
 * @generation: the helper instance that holds it
 *
 * Best effort: a helper that is gone has lost the state anyway.
 */
void ksspi_session_release(u64 session_id, u64 generation)
{
	u32 portid = 0;

	spin_lock(&ksspi_helper_lock);
	if (ksspi_helper_registered && ksspi_helper_gen == generation)
		portid = ksspi_helper_portid;
	spin_unlock(&ksspi_helper_lock);
	if (portid)
		ksspi_netlink_send_release(portid, session_id);
}

/* Module exit: the netlink family is gone, nothing can answer any more. */
void ksspi_upcall_exit(void)
{
	struct ksspi_pending *p;
	unsigned long id;

	spin_lock(&ksspi_helper_lock);
	WRITE_ONCE(ksspi_helper_registered, false);
	spin_unlock(&ksspi_helper_lock);

	xa_lock(&ksspi_pending_table);
	xa_for_each(&ksspi_pending_table, id, p) {
		__xa_erase(&ksspi_pending_table, id);
		p->err = -ECONNRESET;
		complete(&p->done);
	}
	xa_unlock(&ksspi_pending_table);
}
