// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ksspi": the transport between the kernel and
 * ksspid.  Per-operation policies, strict validation of every command and
 * of the reserved header fields, admin-only commands, initial network
 * namespace only.
 *
 * The kernel only ever sends three kinds of message: an empty wake-up to
 * the multicast group, and the replies to the helper's fetch commands,
 * which netlink delivers to the socket that sent the command.  Byte strings
 * longer than one attribute can hold travel as repeated fragment
 * attributes.
 */
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include "upcall.h"
#include "user.h"

static struct genl_family ksspi_genl_family;

enum ksspi_mcgrp {
	KSSPI_MCGRP_WAKE_INDEX,
};

static const struct genl_multicast_group ksspi_mcgrps[] = {
	[KSSPI_MCGRP_WAKE_INDEX] = {
		.name = KSSPI_MCGRP_WAKE,
#ifdef GENL_MCAST_CAP_SYS_ADMIN
		/* Not even the timing of the helper's work is anyone's business. */
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
#endif
	},
};

static const struct nla_policy ksspi_register_policy[KSSPI_A_MAX + 1] = {
	[KSSPI_A_PROTOCOL_VERSION]	= { .type = NLA_U32 },
	[KSSPI_A_HELPER_VERSION]	= { .type = NLA_NUL_STRING, .len = 64 },
};

static const struct nla_policy ksspi_no_attr_policy[KSSPI_A_MAX + 1] = {
};

static const struct nla_policy ksspi_done_policy[KSSPI_A_MAX + 1] = {
	[KSSPI_A_REQUEST_ID]	= { .type = NLA_U64 },
	[KSSPI_A_STATUS]	= { .type = NLA_U32 },
	[KSSPI_A_CONTEXT_ATTR]	= { .type = NLA_U32 },
	[KSSPI_A_EXPIRY]	= { .type = NLA_S64 },
	[KSSPI_A_TOKEN]		= { .type = NLA_BINARY,
				    .len = KSSPI_NL_FRAGMENT_MAX },
	[KSSPI_A_CONTEXT_BLOB]	= { .type = NLA_BINARY,
				    .len = KSSPI_NL_FRAGMENT_MAX },
	[KSSPI_A_INPUT_MISSING]	= { .type = NLA_U32 },
	[KSSPI_A_INPUT_EXTRA]	= { .type = NLA_U32 },
	[KSSPI_A_KEEP_SESSION]	= { .type = NLA_FLAG },
	[KSSPI_A_ISSUER_LIST]	= { .type = NLA_BINARY,
				    .len = KSSPI_NL_FRAGMENT_MAX },
};

/* The helper needs CAP_SYS_ADMIN besides GENL_ADMIN_PERM's CAP_NET_ADMIN. */
static bool ksspi_nl_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN);
}

static int ksspi_nl_register(struct sk_buff *skb, struct genl_info *info)
{
	if (!ksspi_nl_admin(skb))
		return -EPERM;
	if (!info->attrs[KSSPI_A_PROTOCOL_VERSION] ||
	    nla_get_u32(info->attrs[KSSPI_A_PROTOCOL_VERSION]) !=
	    KSSPI_GENL_VERSION) {
		GENL_SET_ERR_MSG(info, "unsupported ksspi protocol version");
		return -EPROTONOSUPPORT;
	}
	return ksspi_helper_register(info->snd_portid);
}

static int ksspi_nl_unregister(struct sk_buff *skb, struct genl_info *info)
{
	if (!ksspi_nl_admin(skb))
		return -EPERM;
	ksspi_helper_gone(info->snd_portid);
	return 0;
}

static int ksspi_nl_request_get(struct sk_buff *skb, struct genl_info *info)
{
	u32 request_id, remaining;
	struct sk_buff *msg;
	int err;

	if (!ksspi_nl_admin(skb))
		return -EPERM;
	msg = ksspi_request_fetch(&request_id, &remaining);
	if (IS_ERR(msg)) {
		GENL_SET_ERR_MSG(info, "not the registered helper");
		return PTR_ERR(msg);
	}
	if (!msg)
		return -ENOENT;
	/*
	 * Built when queued, with room for this attribute; it becomes the
	 * reply to this command now.
	 */
	if (WARN_ON_ONCE(nla_put_u32(msg, KSSPI_A_QUEUED, remaining))) {
		kfree_skb(msg);
		ksspi_request_fetch_failed(request_id);
		return -EMSGSIZE;
	}
	nlmsg_end(msg, nlmsg_hdr(msg));
	nlmsg_hdr(msg)->nlmsg_seq = info->snd_seq;
	err = genlmsg_reply(msg, info);
	if (err)
		ksspi_request_fetch_failed(request_id);
	return err;
}

static int ksspi_nl_notices_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ksspi_notice *notice;
	struct sk_buff *msg;
	LIST_HEAD(batch);
	unsigned int n;
	u32 remaining;
	void *hdr;
	int err;

	if (!ksspi_nl_admin(skb))
		return -EPERM;
	if (!ksspi_helper_is_sender()) {
		GENL_SET_ERR_MSG(info, "not the registered helper");
		return -EPERM;
	}
	n = ksspi_notices_fetch(&batch, KSSPI_NL_NOTICES_MAX, &remaining);
	if (!n)
		return -ENOENT;

	msg = genlmsg_new(n * nla_total_size_64bit(sizeof(u64)) +
			  nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg) {
		ksspi_notices_return(&batch);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &ksspi_genl_family, 0,
				KSSPI_CMD_NOTICES);
	if (!hdr)
		goto too_big;
	list_for_each_entry(notice, &batch, node)
		if (nla_put_u64_64bit(msg, notice->type ==
				      KSSPI_NOTICE_RELEASE_SESSION ?
				      KSSPI_A_RELEASE_SESSION :
				      KSSPI_A_CANCEL_REQUEST,
				      notice->value, KSSPI_A_PAD))
			goto too_big;
	if (nla_put_u32(msg, KSSPI_A_QUEUED, remaining))
		goto too_big;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	if (err)
		ksspi_notices_return(&batch);
	else
		ksspi_notices_free(&batch);
	return err;

too_big:
	/* The size above is an upper bound: this is a bug, not input. */
	WARN_ON_ONCE(1);
	nlmsg_free(msg);
	ksspi_notices_return(&batch);
	return -EMSGSIZE;
}

/*
 * Concatenates every attribute of @type in the message into memory charged
 * to the current memory cgroup.  Returns the kvmalloc'd bytes (NULL when
 * there are none) or an ERR_PTR when they exceed @max.
 */
static u8 *ksspi_nl_gather(const struct genl_info *info, int type, u32 max,
			   u32 *len)
{
	const struct nlattr *attr;
	u32 total = 0;
	u8 *buf;
	int rem;

	*len = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != type)
			continue;
		total += nla_len(attr);
		if (total > max)
			return ERR_PTR(-EMSGSIZE);
	}
	if (!total)
		return NULL;

	buf = kvmalloc(total, KSSPI_GFP_CALLER);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != type)
			continue;
		memcpy(buf + *len, nla_data(attr), nla_len(attr));
		*len += nla_len(attr);
	}
	return buf;
}

/* Reads an answer's attributes into @reply; 0 or a negative errno. */
static int ksspi_nl_parse_answer(const struct genl_info *info,
				 struct ksspi_upcall_reply *reply)
{
	u8 *data;

	if (!info->attrs[KSSPI_A_STATUS])
		return -EPROTO;
	reply->status = nla_get_u32(info->attrs[KSSPI_A_STATUS]);
	if (info->attrs[KSSPI_A_CONTEXT_ATTR])
		reply->context_attr =
			nla_get_u32(info->attrs[KSSPI_A_CONTEXT_ATTR]);
	if (info->attrs[KSSPI_A_EXPIRY])
		reply->expiry = nla_get_s64(info->attrs[KSSPI_A_EXPIRY]);
	if (reply->expiry < 0)
		return -EPROTO;
	if (info->attrs[KSSPI_A_INPUT_MISSING])
		reply->input_missing =
			nla_get_u32(info->attrs[KSSPI_A_INPUT_MISSING]);
	reply->keep_session = nla_get_flag(info->attrs[KSSPI_A_KEEP_SESSION]);
	if (info->attrs[KSSPI_A_INPUT_EXTRA])
		reply->input_extra =
			nla_get_u32(info->attrs[KSSPI_A_INPUT_EXTRA]);

	data = ksspi_nl_gather(info, KSSPI_A_TOKEN, KSSPI_MAX_TOKEN,
			       &reply->token_len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	reply->token = data;
	data = ksspi_nl_gather(info, KSSPI_A_CONTEXT_BLOB,
			       KSSPI_MAX_CONTEXT_BLOB, &reply->blob_len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	reply->blob = data;
	data = ksspi_nl_gather(info, KSSPI_A_ISSUER_LIST,
			       KSSPI_MAX_ATTRIBUTE -
			       sizeof(struct ksspi_attr_issuer_list),
			       &reply->issuers_len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	reply->issuers = data;
	return 0;
}

static int ksspi_nl_request_done(struct sk_buff *skb, struct genl_info *info)
{
	struct ksspi_upcall_reply reply = {};
	struct ksspi_request *request;
	struct mem_cgroup *old_memcg;
	u64 request_id;
	int err;

	if (!ksspi_nl_admin(skb))
		return -EPERM;
	if (!info->attrs[KSSPI_A_REQUEST_ID])
		return -EINVAL;
	request_id = nla_get_u64(info->attrs[KSSPI_A_REQUEST_ID]);
	request = request_id > U32_MAX ? NULL : ksspi_request_claim(request_id);
	if (!request)
		return -ENOENT;

	/* The copy is the caller's: charge it to the caller's cgroup. */
	old_memcg = set_active_memcg(ksspi_request_memcg(request));
	err = ksspi_nl_parse_answer(info, &reply);
	set_active_memcg(old_memcg);
	if (err)
		ksspi_upcall_reply_free(&reply);
	/* A malformed answer still ends the wait, with an error. */
	ksspi_request_answer(request, err ? -EPROTO : 0, &reply);
	ksspi_upcall_reply_free(&reply);
	return err;
}

/*
 * Answers carry keys: whatever became of the message, nothing of it
 * lingers once netlink frees it.
 */
static void ksspi_nl_wipe(const struct genl_info *info)
{
	memzero_explicit(genlmsg_data(info->genlhdr),
			 genlmsg_len(info->genlhdr));
}

static int ksspi_nl_request_done_wiped(struct sk_buff *skb,
				       struct genl_info *info)
{
	int err = ksspi_nl_request_done(skb, info);

	ksspi_nl_wipe(info);
	return err;
}

static const struct genl_ops ksspi_genl_ops[] = {
	{
		.cmd = KSSPI_CMD_HELPER_REGISTER,
		.doit = ksspi_nl_register,
		.policy = ksspi_register_policy,
		.maxattr = KSSPI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KSSPI_CMD_HELPER_UNREGISTER,
		.doit = ksspi_nl_unregister,
		.policy = ksspi_no_attr_policy,
		.maxattr = KSSPI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KSSPI_CMD_REQUEST_GET,
		.doit = ksspi_nl_request_get,
		.policy = ksspi_no_attr_policy,
		.maxattr = KSSPI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KSSPI_CMD_REQUEST_DONE,
		.doit = ksspi_nl_request_done_wiped,
		.policy = ksspi_done_policy,
		.maxattr = KSSPI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KSSPI_CMD_NOTICES_GET,
		.doit = ksspi_nl_notices_get,
		.policy = ksspi_no_attr_policy,
		.maxattr = KSSPI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family ksspi_genl_family __ro_after_init = {
	.name = KSSPI_GENL_NAME,
	.version = KSSPI_GENL_VERSION,
	.maxattr = KSSPI_A_MAX,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ksspi_genl_ops,
	.n_ops = ARRAY_SIZE(ksspi_genl_ops),
	.mcgrps = ksspi_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ksspi_mcgrps),
	.resv_start_op = 0,
};

static int ksspi_nl_put_str(struct sk_buff *skb, int type, const char *s)
{
	return s ? nla_put_string(skb, type, s) : 0;
}

static int ksspi_nl_put_fragments(struct sk_buff *skb, int type,
				  const u8 *data, u32 len)
{
	while (len) {
		u32 chunk = min_t(u32, len, KSSPI_NL_FRAGMENT_MAX);

		if (nla_put(skb, type, chunk, data))
			return -EMSGSIZE;
		data += chunk;
		len -= chunk;
	}
	return 0;
}

static size_t ksspi_nl_fragments_size(u32 len)
{
	u32 n = DIV_ROUND_UP(len, KSSPI_NL_FRAGMENT_MAX);

	return n * nla_total_size(KSSPI_NL_FRAGMENT_MAX);
}

static size_t ksspi_nl_str_size(const char *s)
{
	return s ? nla_total_size(strlen(s) + 1) : 0;
}

/**
 * ksspi_netlink_request_new - build the message of a request
 * @request_id: the request's id
 * @req: the request
 * @identity: the serial of the key holding the identity, or 0
 * @tls_identity: the serial of the key holding the TLS identity, or 0
 *
 * The message is allocated in the caller's context and charged to it; it
 * becomes the reply to the helper's fetch (ksspi_nl_request_get()).
 *
 * Return: the message or NULL (no memory).
 */
struct sk_buff *ksspi_netlink_request_new(u32 request_id,
					  const struct ksspi_upcall_request *req,
					  key_serial_t identity,
					  key_serial_t tls_identity)
{
	struct sk_buff *skb;
	size_t size;
	void *hdr;

	/* KSSPI_A_QUEUED is added when the helper fetches it. */
	size = nla_total_size_64bit(sizeof(u64)) * 4 +
	       nla_total_size(sizeof(u32)) * 10 +
	       ksspi_nl_str_size(req->package) +
	       ksspi_nl_str_size(req->target) +
	       ksspi_nl_fragments_size(req->token_len) +
	       ksspi_nl_fragments_size(req->bindings_len) +
	       ksspi_nl_fragments_size(req->pkg_params_len);

	skb = genlmsg_new(size, KSSPI_GFP_CALLER);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &ksspi_genl_family, 0, KSSPI_CMD_REQUEST);
	if (!hdr)
		goto too_big;

	if (nla_put_u64_64bit(skb, KSSPI_A_REQUEST_ID, request_id, KSSPI_A_PAD) ||
	    nla_put_u32(skb, KSSPI_A_OP, req->op) ||
	    nla_put_u32(skb, KSSPI_A_FLAGS, req->flags) ||
	    nla_put_u32(skb, KSSPI_A_UID, ksspi_user_id(req->owner)) ||
	    nla_put_u32(skb, KSSPI_A_PID, req->pid) ||
	    ksspi_nl_put_str(skb, KSSPI_A_PACKAGE, req->package))
		goto too_big;
	if (req->session_id &&
	    (nla_put_u64_64bit(skb, KSSPI_A_SESSION_ID, req->session_id,
			       KSSPI_A_PAD) ||
	     nla_put_u32(skb, KSSPI_A_CONTEXT_REQ, req->context_req) ||
	     nla_put_u32(skb, KSSPI_A_CREDENTIAL_USE, req->credential_use)))
		goto too_big;
	if (identity && nla_put_u32(skb, KSSPI_A_IDENTITY_KEY, identity))
		goto too_big;
	if (tls_identity &&
	    nla_put_u32(skb, KSSPI_A_TLS_IDENTITY_KEY, tls_identity))
		goto too_big;
	if (req->session_id &&
	    (nla_put_u64_64bit(skb, KSSPI_A_CREDENTIAL_ID, req->credential_id,
			       KSSPI_A_PAD) ||
	     nla_put_u32(skb, KSSPI_A_LOGON_SESSION, req->logon_session)))
		goto too_big;
	if (req->delegation_session &&
	    nla_put_u64_64bit(skb, KSSPI_A_DELEGATION_SESSION,
			      req->delegation_session, KSSPI_A_PAD))
		goto too_big;
	if (ksspi_nl_put_str(skb, KSSPI_A_TARGET_NAME, req->target) ||
	    ksspi_nl_put_fragments(skb, KSSPI_A_TOKEN, req->token,
				   req->token_len) ||
	    ksspi_nl_put_fragments(skb, KSSPI_A_CHANNEL_BINDINGS,
				   req->bindings, req->bindings_len) ||
	    ksspi_nl_put_fragments(skb, KSSPI_A_PKG_PARAMS, req->pkg_params,
				   req->pkg_params_len))
		goto too_big;
	genlmsg_end(skb, hdr);
	return skb;

too_big:
	/* The size above is an upper bound: this is a bug, not input. */
	WARN_ON_ONCE(1);
	kfree_skb(skb);
	return NULL;
}

/**
 * ksspi_netlink_wake - tell the helper there is work to fetch
 * @what: the queues with work (KSSPI_WAKE_*)
 *
 * The wake-up carries nothing but @what.  If it cannot be delivered the
 * next queued item sends another; a helper whose socket overran fetches
 * anyway.
 */
void ksspi_netlink_wake(u32 what)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!skb)
		goto failed;
	hdr = genlmsg_put(skb, 0, 0, &ksspi_genl_family, 0, KSSPI_CMD_WAKE);
	if (!hdr || nla_put_u32(skb, KSSPI_A_WAKE, what)) {
		kfree_skb(skb);
		goto failed;
	}
	genlmsg_end(skb, hdr);
	if (!genlmsg_multicast(&ksspi_genl_family, skb, 0,
			       KSSPI_MCGRP_WAKE_INDEX, GFP_KERNEL))
		return;
failed:
	ksspi_wake_failed(what);
}

/* A closed socket: if it was the helper's, its requests fail now. */
static int ksspi_netlink_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net))
		ksspi_helper_gone(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block ksspi_netlink_notifier = {
	.notifier_call = ksspi_netlink_event,
};

int ksspi_netlink_init(void)
{
	int err;

	err = netlink_register_notifier(&ksspi_netlink_notifier);
	if (err)
		return err;
	err = genl_register_family(&ksspi_genl_family);
	if (err)
		netlink_unregister_notifier(&ksspi_netlink_notifier);
	return err;
}

void ksspi_netlink_exit(void)
{
	genl_unregister_family(&ksspi_genl_family);
	netlink_unregister_notifier(&ksspi_netlink_notifier);
}
