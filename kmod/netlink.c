// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ksspi": the transport between the kernel and
 * ksspid.  Per-operation policies, strict validation, admin-only commands,
 * initial network namespace only.  Byte strings longer than one attribute
 * can hold travel as repeated fragment attributes.
 */
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include "upcall.h"

static struct genl_family ksspi_genl_family;

static const struct nla_policy ksspi_register_policy[KSSPI_A_MAX + 1] = {
	[KSSPI_A_PROTOCOL_VERSION]	= { .type = NLA_U32 },
	[KSSPI_A_HELPER_VERSION]	= { .type = NLA_NUL_STRING, .len = 64 },
};

static const struct nla_policy ksspi_unregister_policy[KSSPI_A_MAX + 1] = {
};

static const struct nla_policy ksspi_downcall_policy[KSSPI_A_MAX + 1] = {
	[KSSPI_A_REQUEST_ID]	= { .type = NLA_U64 },
	[KSSPI_A_STATUS]	= { .type = NLA_U32 },
	[KSSPI_A_CONTEXT_ATTR]	= { .type = NLA_U32 },
	[KSSPI_A_EXPIRY]	= { .type = NLA_S64 },
	[KSSPI_A_TOKEN]		= { .type = NLA_BINARY,
				    .len = KSSPI_NL_FRAGMENT_MAX },
	[KSSPI_A_CONTEXT_BLOB]	= { .type = NLA_BINARY,
				    .len = KSSPI_NL_FRAGMENT_MAX },
};

static int ksspi_nl_register(struct sk_buff *skb, struct genl_info *info)
{
	/* GENL_ADMIN_PERM checked CAP_NET_ADMIN; the helper needs more. */
	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	if (!info->attrs[KSSPI_A_PROTOCOL_VERSION] ||
	    nla_get_u32(info->attrs[KSSPI_A_PROTOCOL_VERSION]) !=
	    KSSPI_GENL_VERSION) {
		GENL_SET_ERR_MSG(info, "unsupported ksspi protocol version");
		return -EPROTONOSUPPORT;
	}
	return ksspi_helper_register(info->snd_portid, task_tgid_nr(current));
}

static int ksspi_nl_unregister(struct sk_buff *skb, struct genl_info *info)
{
	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	ksspi_helper_gone(info->snd_portid);
	return 0;
}

/*
 * Concatenates every attribute of @type in the message.  Returns the
 * kvmalloc'd bytes (NULL when there are none) or an ERR_PTR when they
 * exceed @max.
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

	buf = kvmalloc(total, GFP_KERNEL);
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

/* Keys do not linger in the freed message. */
static void ksspi_nl_wipe(const struct genl_info *info, int type)
{
	struct nlattr *attr;
	int rem;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(attr) == type)
			memzero_explicit(nla_data(attr), nla_len(attr));
}

static int ksspi_nl_downcall(struct sk_buff *skb, struct genl_info *info)
{
	struct ksspi_upcall_reply reply = {};
	u64 request_id;
	int err = 0;

	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	if (!info->attrs[KSSPI_A_REQUEST_ID])
		return -EINVAL;
	request_id = nla_get_u64(info->attrs[KSSPI_A_REQUEST_ID]);
	if (request_id > U32_MAX)
		return -ENOENT;

	if (!info->attrs[KSSPI_A_STATUS]) {
		err = -EPROTO;
		goto complete;
	}
	reply.status = nla_get_u32(info->attrs[KSSPI_A_STATUS]);
	if (info->attrs[KSSPI_A_CONTEXT_ATTR])
		reply.context_attr = nla_get_u32(info->attrs[KSSPI_A_CONTEXT_ATTR]);
	if (info->attrs[KSSPI_A_EXPIRY])
		reply.expiry = nla_get_s64(info->attrs[KSSPI_A_EXPIRY]);
	if (reply.expiry < 0) {
		err = -EPROTO;
		goto complete;
	}

	reply.token = ksspi_nl_gather(info, KSSPI_A_TOKEN, KSSPI_MAX_TOKEN,
				      &reply.token_len);
	if (IS_ERR(reply.token)) {
		err = PTR_ERR(reply.token);
		reply.token = NULL;
		goto complete;
	}
	reply.blob = ksspi_nl_gather(info, KSSPI_A_CONTEXT_BLOB,
				     KSSPI_MAX_CONTEXT_BLOB, &reply.blob_len);
	ksspi_nl_wipe(info, KSSPI_A_CONTEXT_BLOB);
	if (IS_ERR(reply.blob)) {
		err = PTR_ERR(reply.blob);
		reply.blob = NULL;
	}
complete:
	if (err)
		ksspi_upcall_reply_free(&reply);
	/* A malformed answer still ends the wait, with an error. */
	if (ksspi_upcall_complete(request_id, task_tgid_nr(current),
				  err ? -EPROTO : 0, &reply)) {
		ksspi_upcall_reply_free(&reply);
		return -ENOENT;
	}
	ksspi_upcall_reply_free(&reply);
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
		.policy = ksspi_unregister_policy,
		.maxattr = KSSPI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KSSPI_CMD_DOWNCALL,
		.doit = ksspi_nl_downcall,
		.policy = ksspi_downcall_policy,
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
	.resv_start_op = KSSPI_CMD_SESSION_RELEASE + 1,
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
 * ksspi_netlink_send_upcall - send one request to the helper
 * @portid: the helper's socket
 * @request_id: the request's id
 * @req: the request
 *
 * Return: 0 or a negative errno (the helper's socket is gone: -ECONNREFUSED).
 */
int ksspi_netlink_send_upcall(u32 portid, u32 request_id,
			      const struct ksspi_upcall_request *req)
{
	struct sk_buff *skb;
	size_t size;
	void *hdr;
	int err;

	size = nla_total_size_64bit(sizeof(u64)) * 2 +
	       nla_total_size(sizeof(u32)) * 7 +
	       ksspi_nl_str_size(req->package) +
	       ksspi_nl_str_size(req->target) +
	       ksspi_nl_str_size(req->user) +
	       ksspi_nl_str_size(req->domain) +
	       nla_total_size(req->password_len) +
	       ksspi_nl_fragments_size(req->token_len) +
	       ksspi_nl_fragments_size(req->bindings_len);

	skb = genlmsg_new(size, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &ksspi_genl_family, 0, KSSPI_CMD_UPCALL);
	if (!hdr)
		goto too_big;

	if (nla_put_u64_64bit(skb, KSSPI_A_REQUEST_ID, request_id, KSSPI_A_PAD) ||
	    nla_put_u32(skb, KSSPI_A_OP, req->op) ||
	    nla_put_u32(skb, KSSPI_A_FLAGS, req->flags) ||
	    nla_put_u32(skb, KSSPI_A_UID,
			from_kuid_munged(&init_user_ns, req->uid)) ||
	    nla_put_u32(skb, KSSPI_A_PID, req->pid) ||
	    ksspi_nl_put_str(skb, KSSPI_A_PACKAGE, req->package))
		goto too_big;
	if (req->session_id &&
	    (nla_put_u64_64bit(skb, KSSPI_A_SESSION_ID, req->session_id,
			       KSSPI_A_PAD) ||
	     nla_put_u32(skb, KSSPI_A_CONTEXT_REQ, req->context_req) ||
	     nla_put_u32(skb, KSSPI_A_CREDENTIAL_USE, req->credential_use)))
		goto too_big;
	if (ksspi_nl_put_str(skb, KSSPI_A_TARGET_NAME, req->target) ||
	    ksspi_nl_put_str(skb, KSSPI_A_USER, req->user) ||
	    ksspi_nl_put_str(skb, KSSPI_A_DOMAIN, req->domain))
		goto too_big;
	if (req->password &&
	    nla_put(skb, KSSPI_A_PASSWORD, req->password_len, req->password))
		goto too_big;
	if (ksspi_nl_put_fragments(skb, KSSPI_A_TOKEN, req->token,
				   req->token_len))
		goto too_big;
	if (ksspi_nl_put_fragments(skb, KSSPI_A_CHANNEL_BINDINGS,
				   req->bindings, req->bindings_len))
		goto too_big;

	genlmsg_end(skb, hdr);
	err = genlmsg_unicast(&init_net, skb, portid);
	return err;

too_big:
	/* The size above is an upper bound: this is a bug, not input. */
	WARN_ON_ONCE(1);
	kfree_skb(skb);
	return -EMSGSIZE;
}

int ksspi_netlink_send_release(u32 portid, u64 session_id)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &ksspi_genl_family, 0,
			  KSSPI_CMD_SESSION_RELEASE);
	if (!hdr || nla_put_u64_64bit(skb, KSSPI_A_SESSION_ID, session_id,
				      KSSPI_A_PAD)) {
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_unicast(&init_net, skb, portid);
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
