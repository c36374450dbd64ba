// SPDX-License-Identifier: GPL-2.0
/*
 * Upcalls: requests to the helper and their answers.
 *
 * The helper pulls its work.  A request is built in full in the caller's
 * context (memory charged to the caller), queued on the caller's user, and
 * announced with a wake-up that carries nothing; the registered helper
 * process fetches it with a command whose reply goes back to the socket
 * that asked.  Nothing is ever sent to a remembered port id, so a process
 * that binds a dead helper's port id receives nothing but empty wake-ups
 * (and not even those where the kernel can restrict the multicast group).
 * Documentation/netlink.rst gives the reasoning in full.
 *
 * Fetches go round robin over the users with queued requests, so one
 * user's flood delays another user's request by at most one request per
 * flooding user.
 *
 * Whoever erases a request from the table (the answer, the waiter on
 * timeout or signal, the helper's loss) owns its completion, so it
 * completes exactly once.  The helper may be absent, slow, killed or
 * restarted at any time: callers get an error at once when there is none,
 * and as soon as its registration socket closes when it dies.
 *
 * One lock, the table's, covers the table, the queues, the notices and the
 * helper's registration: every critical section is short and none
 * allocates.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/key-type.h>
#include <linux/memcontrol.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <keys/user-type.h>
#include <linux/ksspi_netlink.h>
#include "debugfs.h"
#include "upcall.h"
#include "user.h"

static unsigned int upcall_timeout_ms = 30000;
module_param(upcall_timeout_ms, uint, 0644);
MODULE_PARM_DESC(upcall_timeout_ms,
		 "How long a caller waits for the helper, in ms (default 30000)");

static unsigned int max_pending = 16384;
module_param(max_pending, uint, 0644);
MODULE_PARM_DESC(max_pending,
		 "Most requests to the helper at once, over all users (default 16384)");

/**
 * struct ksspi_request - an upcall in flight
 * @node: entry in its owner's queue while it waits to be fetched
 * @owner: the user it counts against
 * @id: its id in the request table
 * @fetched: the helper has fetched it
 * @generation: the helper instance it is for
 * @skb: the message, until the helper fetches it
 * @identity: the key that hands the identity to the helper, revoked (and
 *	its payload zeroized) when the request ends
 * @tls_identity: likewise, the credential's TLS certificate and key
 * @cancel: the notice that tells the helper nobody waits any more
 * @memcg: the caller's memory cgroup, charged for the answer's copy
 * @done: completed once, by whoever erased the entry from the table
 * @err: 0 when @reply holds the answer, else why there is none
 * @reply: the answer
 */
struct ksspi_request {
	struct list_head node;
	struct ksspi_user *owner;
	u32 id;
	bool fetched;
	u64 generation;
	struct sk_buff *skb;
	struct key *identity;
	struct key *tls_identity;
	struct ksspi_notice *cancel;
	struct mem_cgroup *memcg;
	struct completion done;
	int err;
	struct ksspi_upcall_reply reply;
};

/* The request table; its lock is the lock of everything below. */
static DEFINE_XARRAY_ALLOC1(ksspi_requests);
static u32 ksspi_next_request;

/* Users with queued requests, in round-robin order (struct ksspi_user.ready) */
static LIST_HEAD(ksspi_ready_users);
/* Notices for the helper (struct ksspi_notice.node) */
static LIST_HEAD(ksspi_notice_queue);

/**
 * struct ksspi_helper_state - the registered helper
 * @registered: a helper is registered
 * @portid: its registration socket; only used to notice its release
 * @tgid: its process; only it may fetch and answer
 * @pid: its process id, for debugfs
 * @key_uid: its fsuid, the owner of identity keys
 * @key_gid: its fsgid
 * @generation: changes at every registration and every loss, so that a
 *	handshake knows whether the helper holding its state still serves
 * @wake_sent: KSSPI_WAKE_* of the queues a wake-up announced that the
 *	helper has not emptied since: another wake-up for them would add
 *	nothing, since after a wake-up the helper fetches from the queues it
 *	names until a fetch says none is left
 * @queued: requests waiting to be fetched
 * @notices: notices waiting to be fetched
 */
struct ksspi_helper_state {
	bool registered;
	u32 portid;
	struct pid *tgid;
	pid_t pid;
	kuid_t key_uid;
	kgid_t key_gid;
	u64 generation;
	u32 wake_sent;
	unsigned int queued;
	unsigned int notices;
};

static struct ksspi_helper_state ksspi_helper = { .generation = 1 };

#define ksspi_lock()	xa_lock(&ksspi_requests)
#define ksspi_unlock()	xa_unlock(&ksspi_requests)

u64 ksspi_helper_generation(void)
{
	u64 gen;

	ksspi_lock();
	gen = ksspi_helper.generation;
	ksspi_unlock();
	return gen;
}

bool ksspi_helper_present(void)
{
	return READ_ONCE(ksspi_helper.registered);
}

void ksspi_helper_info(struct ksspi_helper_info *info)
{
	ksspi_lock();
	info->pid = ksspi_helper.registered ? ksspi_helper.pid : 0;
	info->portid = ksspi_helper.registered ? ksspi_helper.portid : 0;
	info->generation = ksspi_helper.generation;
	info->queued = ksspi_helper.queued;
	info->notices = ksspi_helper.notices;
	ksspi_unlock();
}

/* Under the lock: is the current task the registered helper process? */
static bool ksspi_helper_is_sender_locked(void)
{
	return ksspi_helper.registered && ksspi_helper.tgid == task_tgid(current);
}

/**
 * ksspi_helper_is_sender - the sender of the message being handled is the
 *	registered helper process
 *
 * Return: true or false.
 */
bool ksspi_helper_is_sender(void)
{
	bool ret;

	ksspi_lock();
	ret = ksspi_helper_is_sender_locked();
	ksspi_unlock();
	return ret;
}

/*
 * Under the lock: the queues (KSSPI_WAKE_*) a wake-up is due for, now that
 * something was queued on @what.
 */
static u32 ksspi_wake_due_locked(u32 what)
{
	u32 due = what & ~ksspi_helper.wake_sent;

	ksspi_helper.wake_sent |= what;
	return due;
}

/**
 * ksspi_wake_failed - a wake-up could not be sent
 * @what: the queues it was for (KSSPI_WAKE_*)
 *
 * The next item queued on them sends another.
 */
void ksspi_wake_failed(u32 what)
{
	ksspi_lock();
	ksspi_helper.wake_sent &= ~what;
	ksspi_unlock();
}

static void ksspi_request_unqueue_locked(struct ksspi_request *p)
{
	struct ksspi_user *owner = p->owner;

	list_del_init(&p->node);
	ksspi_helper.queued--;
	if (list_empty(&owner->queue))
		list_del_init(&owner->ready);
}

/*
 * Under the lock: ends every request (the helper is gone or replaced) and
 * moves every notice to @dropped.
 */
static void ksspi_fail_all_locked(int err, struct list_head *dropped)
{
	struct ksspi_request *p;
	unsigned long id;

	xa_for_each(&ksspi_requests, id, p) {
		__xa_erase(&ksspi_requests, id);
		if (!list_empty(&p->node))
			ksspi_request_unqueue_locked(p);
		p->err = err;
		complete(&p->done);
	}
	list_splice_init(&ksspi_notice_queue, dropped);
	ksspi_helper.notices = 0;
	ksspi_helper.wake_sent = 0;
}

/**
 * ksspi_helper_register - the sending process becomes the helper
 * @portid: the socket that registered: its release ends the registration
 *
 * A new registration takes over from a registered helper (a restart whose
 * predecessor hangs): everything queued for or fetched by the earlier one
 * fails at once, since its sessions are lost with it anyway.
 *
 * Return: 0.
 */
int ksspi_helper_register(u32 portid)
{
	struct pid *tgid = get_pid(task_tgid(current));
	LIST_HEAD(dropped);
	struct pid *old;
	bool takeover;

	ksspi_lock();
	takeover = ksspi_helper.registered;
	if (takeover)
		ksspi_fail_all_locked(-ECONNRESET, &dropped);
	old = ksspi_helper.tgid;
	ksspi_helper.tgid = tgid;
	ksspi_helper.pid = task_tgid_nr(current);
	ksspi_helper.portid = portid;
	ksspi_helper.key_uid = current_fsuid();
	ksspi_helper.key_gid = current_fsgid();
	ksspi_helper.generation++;
	ksspi_helper.wake_sent = 0;
	WRITE_ONCE(ksspi_helper.registered, true);
	ksspi_unlock();

	put_pid(old);
	ksspi_notices_free(&dropped);
	if (takeover)
		pr_info("helper (pid %d) takes over\n", task_tgid_nr(current));
	pr_info("helper registered (pid %d)\n", task_tgid_nr(current));
	return 0;
}

/**
 * ksspi_helper_gone - a generic netlink socket closed, or a helper
 *	unregistered
 * @portid: the socket
 *
 * If it was the helper's registration socket, there is no helper any more:
 * every request queued for or fetched by it fails at once.
 */
void ksspi_helper_gone(u32 portid)
{
	struct pid *tgid = NULL;
	LIST_HEAD(dropped);

	ksspi_lock();
	if (ksspi_helper.registered && ksspi_helper.portid == portid) {
		ksspi_fail_all_locked(-ECONNRESET, &dropped);
		ksspi_helper.generation++;
		WRITE_ONCE(ksspi_helper.registered, false);
		tgid = ksspi_helper.tgid;
		ksspi_helper.tgid = NULL;
		ksspi_helper.portid = 0;
		ksspi_helper.pid = 0;
	}
	ksspi_unlock();

	if (!tgid)
		return;
	put_pid(tgid);
	ksspi_notices_free(&dropped);
	pr_info("helper gone\n");
}

/**
 * ksspi_request_fetch - the next request for the helper
 * @request_id: receives its id
 * @remaining: receives how many requests are still queued
 *
 * Called by the transport for the helper's fetch command.  Requests are
 * taken round robin over the users that have some queued.
 *
 * Return: the request's message, which now belongs to the caller, and in
 * @remaining how many more are queued; NULL when none is queued;
 * ERR_PTR(-EPERM) when the sender is not the registered helper process.
 */
struct sk_buff *ksspi_request_fetch(u32 *request_id, u32 *remaining)
{
	struct ksspi_user *owner;
	struct ksspi_request *p;
	struct sk_buff *skb;

	ksspi_lock();
	if (!ksspi_helper_is_sender_locked()) {
		ksspi_unlock();
		return ERR_PTR(-EPERM);
	}
	owner = list_first_entry_or_null(&ksspi_ready_users, struct ksspi_user,
					 ready);
	if (!owner) {
		ksspi_helper.wake_sent &= ~KSSPI_WAKE_REQUESTS;
		ksspi_unlock();
		return NULL;
	}
	p = list_first_entry(&owner->queue, struct ksspi_request, node);
	ksspi_request_unqueue_locked(p);
	if (!list_empty(&owner->ready))
		list_move_tail(&owner->ready, &ksspi_ready_users);
	p->fetched = true;
	skb = p->skb;
	p->skb = NULL;
	*request_id = p->id;
	*remaining = ksspi_helper.queued;
	/* The helper stops fetching: the next request must wake it. */
	if (!*remaining)
		ksspi_helper.wake_sent &= ~KSSPI_WAKE_REQUESTS;
	ksspi_unlock();
	return skb;
}

/**
 * ksspi_request_fetch_failed - a fetched request could not be delivered
 * @request_id: its id
 *
 * The helper's socket could not take the reply (its receive queue is full):
 * the request ends with -EBUSY, as for a busy helper.
 */
void ksspi_request_fetch_failed(u32 request_id)
{
	struct ksspi_request *p;

	ksspi_lock();
	p = xa_load(&ksspi_requests, request_id);
	if (p && p->fetched) {
		__xa_erase(&ksspi_requests, request_id);
		p->err = -EBUSY;
		complete(&p->done);
	} else {
		p = NULL;
	}
	ksspi_unlock();
}

/**
 * ksspi_request_claim - take a request out of the table to answer it
 * @request_id: its id
 *
 * Only the registered helper process may answer, and only requests it has
 * fetched.  The caller then owns the request's completion and must end it
 * with ksspi_request_answer().
 *
 * Return: the request, or NULL when no such request waits for the sender
 * (late, duplicated, forged, or never fetched).
 */
struct ksspi_request *ksspi_request_claim(u32 request_id)
{
	struct ksspi_request *p;

	ksspi_lock();
	p = xa_load(&ksspi_requests, request_id);
	if (p && p->fetched && ksspi_helper_is_sender_locked() &&
	    p->generation == ksspi_helper.generation)
		__xa_erase(&ksspi_requests, request_id);
	else
		p = NULL;
	ksspi_unlock();
	return p;
}

/**
 * ksspi_request_memcg - the memory cgroup an answer's copy is charged to
 * @p: a claimed request
 *
 * Return: the caller's memory cgroup (may be NULL).
 */
struct mem_cgroup *ksspi_request_memcg(struct ksspi_request *p)
{
	return p->memcg;
}

/**
 * ksspi_request_answer - end a claimed request
 * @p: the request, from ksspi_request_claim()
 * @err: 0, or why @reply is unusable (a malformed answer)
 * @reply: the answer; its buffers pass to the waiter when @err is 0
 */
void ksspi_request_answer(struct ksspi_request *p, int err,
			  struct ksspi_upcall_reply *reply)
{
	p->err = err;
	if (!err) {
		p->reply = *reply;
		memset(reply, 0, sizeof(*reply));
	}
	complete(&p->done);
}

void ksspi_upcall_reply_free(struct ksspi_upcall_reply *reply)
{
	kvfree(reply->token);
	kvfree(reply->issuers);
	if (reply->blob)
		kvfree_sensitive(reply->blob, reply->blob_len);
	memset(reply, 0, sizeof(*reply));
}

/*
 * A secret for the helper as a "user" key owned by the helper's fsuid and
 * readable by it alone (not linked into any keyring, so nobody possesses
 * it).  A key's payload is zeroized when the key is revoked or destroyed,
 * and no socket buffer ever holds the secret.
 */
static struct key *ksspi_secret_key(const char *desc, const void *payload,
				    size_t len, kuid_t uid, kgid_t gid)
{
	struct key *key;
	int err;

	key = key_alloc(&key_type_user, desc, uid, gid, current_cred(),
			KEY_USR_VIEW | KEY_USR_READ, KEY_ALLOC_NOT_IN_QUOTA,
			NULL);
	if (!IS_ERR(key)) {
		err = key_instantiate_and_link(key, payload, len, NULL, NULL);
		if (err) {
			key_put(key);
			key = ERR_PTR(err);
		}
	}
	return key;
}

/* The identity: "user\0domain\0password" */
static struct key *ksspi_identity_key(const struct ksspi_upcall_request *req,
				      kuid_t uid, kgid_t gid)
{
	size_t user_len = strlen(req->user);
	size_t domain_len = req->domain ? strlen(req->domain) : 0;
	size_t len = user_len + 1 + domain_len + 1 + req->password_len;
	struct key *key;
	char *payload;

	payload = kmalloc(len, KSSPI_GFP_CALLER);
	if (!payload)
		return ERR_PTR(-ENOMEM);
	memcpy(payload, req->user, user_len + 1);
	if (domain_len)
		memcpy(payload + user_len + 1, req->domain, domain_len);
	payload[user_len + 1 + domain_len] = '\0';
	if (req->password_len)
		memcpy(payload + user_len + domain_len + 2, req->password,
		       req->password_len);
	key = ksspi_secret_key("ksspi:identity", payload, len, uid, gid);
	kfree_sensitive(payload);
	return key;
}

static void ksspi_secret_key_drop(struct key *key)
{
	if (key) {
		key_revoke(key);
		key_put(key);
	}
}

/*
 * The waiter gives up (timeout, fatal signal).  Returns false when another
 * party erased the request first and is completing it.
 */
static bool ksspi_request_withdraw(struct ksspi_request *p)
{
	u32 wake = 0;

	ksspi_lock();
	if (xa_load(&ksspi_requests, p->id) != p) {
		ksspi_unlock();
		return false;
	}
	__xa_erase(&ksspi_requests, p->id);
	if (!p->fetched) {
		if (!list_empty(&p->node))
			ksspi_request_unqueue_locked(p);
	} else if (ksspi_helper.registered &&
		   ksspi_helper.generation == p->generation) {
		/* The helper may stop working on it. */
		p->cancel->type = KSSPI_NOTICE_CANCEL_REQUEST;
		p->cancel->value = p->id;
		p->cancel->generation = p->generation;
		list_add_tail(&p->cancel->node, &ksspi_notice_queue);
		ksspi_helper.notices++;
		p->cancel = NULL;
		wake = ksspi_wake_due_locked(KSSPI_WAKE_NOTICES);
	}
	ksspi_unlock();
	if (wake)
		ksspi_netlink_wake(wake);
	return true;
}

static void ksspi_request_free(struct ksspi_request *p)
{
	ksspi_secret_key_drop(p->identity);
	ksspi_secret_key_drop(p->tls_identity);
	kfree_skb(p->skb);
	ksspi_notice_free(p->cancel);
	mem_cgroup_put(p->memcg);
	kfree(p);
}

/* Queues a built request; false when the helper went away meanwhile. */
static bool ksspi_request_queue(struct ksspi_request *p)
{
	struct ksspi_user *owner = p->owner;
	u32 wake;

	ksspi_lock();
	if (xa_load(&ksspi_requests, p->id) != p) {
		ksspi_unlock();
		return false;
	}
	list_add_tail(&p->node, &owner->queue);
	if (list_empty(&owner->ready))
		list_add_tail(&owner->ready, &ksspi_ready_users);
	ksspi_helper.queued++;
	wake = ksspi_wake_due_locked(KSSPI_WAKE_REQUESTS);
	ksspi_unlock();
	if (wake)
		ksspi_netlink_wake(wake);
	return true;
}

/* Builds the identity key and the message of a request. */
static int ksspi_request_build(struct ksspi_request *p,
			       const struct ksspi_upcall_request *req,
			       kuid_t key_uid, kgid_t key_gid)
{
	if (req->user) {
		p->identity = ksspi_identity_key(req, key_uid, key_gid);
		if (IS_ERR(p->identity)) {
			p->identity = NULL;
			return -ENOMEM;
		}
	}
	if (req->tls_identity_len) {
		p->tls_identity = ksspi_secret_key("ksspi:tls-identity",
						   req->tls_identity,
						   req->tls_identity_len,
						   key_uid, key_gid);
		if (IS_ERR(p->tls_identity)) {
			p->tls_identity = NULL;
			return -ENOMEM;
		}
	}
	p->skb = ksspi_netlink_request_new(p->id, req,
					   p->identity ?
					   key_serial(p->identity) : 0,
					   p->tls_identity ?
					   key_serial(p->tls_identity) : 0);
	return p->skb ? 0 : -ENOMEM;
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
 * requests in flight, or the helper could not take it), -EDQUOT (the user
 * has too many requests in flight), -EPROTO (malformed answer) or -ENOMEM.
 */
int ksspi_upcall(const struct ksspi_upcall_request *req,
		 struct ksspi_upcall_reply *reply, u64 *generation)
{
	struct ksspi_request *p;
	kuid_t key_uid;
	kgid_t key_gid;
	unsigned long timeout;
	long left;
	u64 gen;
	int err;

	memset(reply, 0, sizeof(*reply));
	ksspi_lock();
	err = ksspi_helper.registered ? 0 : -ENOTCONN;
	gen = ksspi_helper.generation;
	key_uid = ksspi_helper.key_uid;
	key_gid = ksspi_helper.key_gid;
	ksspi_unlock();
	if (generation)
		*generation = gen;
	if (err)
		goto out_count;

	if (!ksspi_user_charge(req->owner, KSSPI_RES_UPCALLS)) {
		err = -EDQUOT;
		goto out_count;
	}
	if (atomic_inc_return(&ksspi_stats.upcalls_in_flight) >
	    max_t(unsigned int, READ_ONCE(max_pending), 1)) {
		err = -EBUSY;
		goto out_dec;
	}

	p = kzalloc(sizeof(*p), KSSPI_GFP_CALLER);
	if (!p) {
		err = -ENOMEM;
		goto out_dec;
	}
	INIT_LIST_HEAD(&p->node);
	init_completion(&p->done);
	p->owner = req->owner;
	p->generation = gen;
	p->memcg = get_mem_cgroup_from_mm(current->mm);
	p->cancel = ksspi_notice_alloc();
	if (!p->cancel) {
		err = -ENOMEM;
		goto out_free;
	}

	/*
	 * In the table before it is queued, so that the helper's loss fails
	 * it; the helper can neither fetch nor answer it until it is queued.
	 */
	err = xa_alloc_cyclic(&ksspi_requests, &p->id, p, xa_limit_32b,
			      &ksspi_next_request, KSSPI_GFP_CALLER);
	if (err < 0)
		goto out_free;
	atomic64_inc(&ksspi_stats.upcalls_total);

	err = ksspi_request_build(p, req, key_uid, key_gid);
	if (err || !ksspi_request_queue(p)) {
		if (!ksspi_request_withdraw(p)) {
			wait_for_completion(&p->done);
			err = p->err;
		}
		goto out_free;
	}

	timeout = msecs_to_jiffies(max_t(unsigned int,
					 READ_ONCE(upcall_timeout_ms), 1));
	left = wait_for_completion_killable_timeout(&p->done, timeout);
	if (left <= 0 && ksspi_request_withdraw(p)) {
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
	ksspi_request_free(p);
out_dec:
	atomic_dec(&ksspi_stats.upcalls_in_flight);
	ksspi_user_uncharge(req->owner, KSSPI_RES_UPCALLS);
out_count:
	if (err)
		atomic64_inc(&ksspi_stats.upcalls_failed);
	return err;
}

/**
 * ksspi_notice_alloc - a notice, allocated ahead of need
 *
 * Return: the notice or NULL.
 */
struct ksspi_notice *ksspi_notice_alloc(void)
{
	struct ksspi_notice *notice = kzalloc(sizeof(*notice),
					      KSSPI_GFP_CALLER);

	if (notice)
		INIT_LIST_HEAD(&notice->node);
	return notice;
}

void ksspi_notice_free(struct ksspi_notice *notice)
{
	kfree(notice);
}

/**
 * ksspi_session_release - tell the helper a handshake's state can go
 * @notice: the notice the context allocated for it; consumed
 * @session_id: the session
 * @generation: the helper instance that holds it
 *
 * The notice waits in the kernel until the helper fetches it, so a release
 * is never lost while the helper lives; a helper that is gone has lost the
 * state anyway.
 */
void ksspi_session_release(struct ksspi_notice *notice, u64 session_id,
			   u64 generation)
{
	u32 wake = 0;

	if (WARN_ON_ONCE(!notice))
		return;
	notice->type = KSSPI_NOTICE_RELEASE_SESSION;
	notice->value = session_id;
	notice->generation = generation;
	ksspi_lock();
	if (ksspi_helper.registered && ksspi_helper.generation == generation) {
		list_add_tail(&notice->node, &ksspi_notice_queue);
		ksspi_helper.notices++;
		notice = NULL;
		wake = ksspi_wake_due_locked(KSSPI_WAKE_NOTICES);
	}
	ksspi_unlock();
	ksspi_notice_free(notice);
	if (wake)
		ksspi_netlink_wake(wake);
}

/**
 * ksspi_notices_fetch - notices for the helper
 * @batch: receives them, in order
 * @max: at most this many
 * @remaining: receives how many are still queued after them
 *
 * Return: how many were moved to @batch (0 also when the sender is not the
 * registered helper process).
 */
unsigned int ksspi_notices_fetch(struct list_head *batch, unsigned int max,
				 u32 *remaining)
{
	unsigned int n = 0;

	ksspi_lock();
	if (ksspi_helper_is_sender_locked()) {
		while (n < max && !list_empty(&ksspi_notice_queue)) {
			list_move_tail(ksspi_notice_queue.next, batch);
			n++;
		}
		ksspi_helper.notices -= n;
		/* The helper stops fetching: the next notice must wake it. */
		if (!ksspi_helper.notices)
			ksspi_helper.wake_sent &= ~KSSPI_WAKE_NOTICES;
	}
	*remaining = ksspi_helper.notices;
	ksspi_unlock();
	return n;
}

/**
 * ksspi_notices_return - put back notices that could not be delivered
 * @batch: from ksspi_notices_fetch(); emptied
 *
 * They go back to the front of the queue if the helper they are for is
 * still registered, and are dropped otherwise.
 */
void ksspi_notices_return(struct list_head *batch)
{
	struct ksspi_notice *notice, *next;
	LIST_HEAD(keep);
	unsigned int n = 0;

	ksspi_lock();
	list_for_each_entry_safe(notice, next, batch, node) {
		if (ksspi_helper.registered &&
		    notice->generation == ksspi_helper.generation) {
			list_move_tail(&notice->node, &keep);
			n++;
		}
	}
	list_splice(&keep, &ksspi_notice_queue);
	ksspi_helper.notices += n;
	ksspi_unlock();
	ksspi_notices_free(batch);
}

void ksspi_notices_free(struct list_head *batch)
{
	struct ksspi_notice *notice, *next;

	list_for_each_entry_safe(notice, next, batch, node)
		kfree(notice);
	INIT_LIST_HEAD(batch);
}

/* Module exit: the netlink family is gone, nothing can answer any more. */
void ksspi_upcall_exit(void)
{
	struct pid *tgid;
	LIST_HEAD(dropped);

	ksspi_lock();
	ksspi_fail_all_locked(-ECONNRESET, &dropped);
	WRITE_ONCE(ksspi_helper.registered, false);
	tgid = ksspi_helper.tgid;
	ksspi_helper.tgid = NULL;
	ksspi_unlock();
	put_pid(tgid);
	ksspi_notices_free(&dropped);
}
