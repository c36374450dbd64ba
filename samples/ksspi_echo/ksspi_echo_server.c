// SPDX-License-Identifier: GPL-2.0
/*
 * A sample in-kernel consumer of ksspi: a TCP server that authenticates
 * each client with Negotiate (SPNEGO choosing Kerberos or NTLM, and raw
 * NTLM or Kerberos tokens answered raw, as an SMB server's session setup
 * takes them), NTLM (ksspid's user database) or Kerberos (the machine's
 * keytab) and then echoes sealed messages back, using only the exported
 * API of <linux/ksspi_api.h>.
 * Tokens and messages live in vmalloc'd buffers, handed to ksspi as they
 * are.  Each connection leaves a line or two in the kernel log: who logged
 * on with which package and what QueryContextAttributes says (the session
 * key only as a fingerprint), or why the logon failed.
 *
 * Load it after ksspi, with ksspid running:
 *   insmod ksspi_echo_server.ko [port=4455]
 *	[package=Negotiate|NTLM|Kerberos]
 * samples/ksspi_echo/ksspi_echo_client is the matching client.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <asm/unaligned.h>
#include <crypto/sha2.h>
#include <linux/ksspi_api.h>
#include "ksspi_echo.h"

static unsigned short port = KSSPI_ECHO_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port on 127.0.0.1 (default 4455)");

static char *package = "Negotiate";
module_param(package, charp, 0444);
MODULE_PARM_DESC(package,
		 "Security package: Negotiate (default), NTLM or Kerberos");

#define ECHO_ASC_REQ	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY | \
			 ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT | \
			 ASC_REQ_CONNECTION)

static struct socket *echo_listener;
static struct task_struct *echo_acceptor;
static struct workqueue_struct *echo_wq;
static struct ksspi_owner *echo_owner;
static struct ksspi_handle echo_credential;

/* Live connections, so that unloading can end them (under echo_lock) */
static LIST_HEAD(echo_conns);
static DEFINE_MUTEX(echo_lock);

/**
 * struct echo_conn - one client
 * @work: runs the whole conversation
 * @node: entry in echo_conns
 * @sock: its socket
 * @peer: the client's address, for the log
 * @in: a frame's payload as received
 * @out: a frame's payload to send
 * @trailer: the context's cbSecurityTrailer: a sealed frame's token
 */
struct echo_conn {
	struct work_struct work;
	struct list_head node;
	struct socket *sock;
	struct sockaddr_storage peer;
	u8 *in;
	u8 *out;
	u32 trailer;
};

static int echo_recv_all(struct socket *sock, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_WAITALL };
	int n;

	if (!len)
		return 0;
	n = kernel_recvmsg(sock, &msg, &vec, 1, len, MSG_WAITALL);
	if (n < 0)
		return n;
	return n == len ? 0 : -ECONNRESET;
}

static int echo_send_frame(struct socket *sock, u8 type, const void *data,
			   u32 len)
{
	u8 hdr[5];
	struct kvec vec[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)data, .iov_len = len },
	};
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int n;

	put_unaligned_be32(len, hdr);
	hdr[4] = type;
	n = kernel_sendmsg(sock, &msg, vec, len ? 2 : 1, sizeof(hdr) + len);
	if (n < 0)
		return n;
	return n == sizeof(hdr) + len ? 0 : -EPIPE;
}

static int echo_send_error(struct socket *sock, u32 status)
{
	__be32 st = cpu_to_be32(status);

	return echo_send_frame(sock, KSSPI_ECHO_ERROR, &st, sizeof(st));
}

/* Reads one frame; returns its type, or a negative errno. */
static int echo_recv_frame(struct socket *sock, u8 *buf, u32 *len)
{
	u8 hdr[5];
	int err;

	err = echo_recv_all(sock, hdr, sizeof(hdr));
	if (err)
		return err;
	*len = get_unaligned_be32(hdr);
	if (*len > KSSPI_ECHO_MAX_PAYLOAD)
		return -EMSGSIZE;
	err = echo_recv_all(sock, buf, *len);
	return err ? err : hdr[4];
}

/* AcceptSecurityContext until the client is authenticated */
static u32 echo_authenticate(struct echo_conn *c, struct ksspi_handle *ctx)
{
	struct ksspi_buffer in_buf, out_buf;
	struct ksspi_buffer_desc in = { SECBUFFER_VERSION, 1, &in_buf };
	struct ksspi_buffer_desc out = { SECBUFFER_VERSION, 1, &out_buf };
	bool have_ctx = false;
	u32 status, attr, len;
	int type;

	do {
		type = echo_recv_frame(c->sock, c->in, &len);
		if (type != KSSPI_ECHO_TOKEN) {
			status = SEC_E_INVALID_TOKEN;
			break;
		}
		in_buf = (struct ksspi_buffer){ len, SECBUFFER_TOKEN, c->in };
		out_buf = (struct ksspi_buffer){ KSSPI_ECHO_MAX_PAYLOAD,
						 SECBUFFER_TOKEN, c->out };
		status = ksspi_accept_security_context(echo_owner, have_ctx ? NULL :
						       &echo_credential,
						       have_ctx ? ctx : NULL,
						       &in, ECHO_ASC_REQ,
						       SECURITY_NATIVE_DREP,
						       have_ctx ? NULL : ctx,
						       &out, &attr, NULL);
		if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED)
			break;
		have_ctx = true;
		if (echo_send_frame(c->sock, KSSPI_ECHO_TOKEN, c->out,
				    out_buf.cb_buffer))
			status = SEC_E_INTERNAL_ERROR;
	} while (status == SEC_I_CONTINUE_NEEDED);

	if (status != SEC_E_OK) {
		if (type >= 0)
			echo_send_error(c->sock, status);
		if (have_ctx)
			ksspi_delete_security_context(echo_owner, ctx);
		/* a client can cause it at will: rate-limited */
		pr_info_ratelimited("%pISpc: logon failed: 0x%08x\n",
				    &c->peer, status);
	}
	return status;
}

/*
 * The first 8 bytes of the session key's SHA-256: enough for the client to
 * see that both sides hold the same key, nothing that helps to find it.
 */
static void echo_key_fingerprint(struct ksspi_handle *ctx, u8 print[8])
{
	u8 key[64], digest[SHA256_DIGEST_SIZE];
	u32 len = sizeof(key);

	memset(print, 0, 8);
	if (ksspi_query_context_attributes(echo_owner, ctx,
					   SECPKG_ATTR_SESSION_KEY, key,
					   &len) != SEC_E_OK)
		return;
	sha256(key, len, digest);
	memcpy(print, digest, 8);
	memzero_explicit(key, sizeof(key));
	memzero_explicit(digest, sizeof(digest));
}

/* Who logged on, and what ksspi tells about the context */
static void echo_log_client(struct echo_conn *c, struct ksspi_handle *ctx)
{
	struct ksspi_attr_key_info key = { 0 };
	struct ksspi_attr_flags flags = { 0 };
	struct ksspi_package_info pkg = { 0 };
	u8 print[8];
	u32 len;

	/* c->out is not needed after the handshake: the name goes there */
	len = KSSPI_ECHO_MAX_PAYLOAD;
	if (ksspi_query_context_attributes(echo_owner, ctx, SECPKG_ATTR_NAMES,
					   c->out, &len) != SEC_E_OK)
		strscpy(c->out, "(no name)", KSSPI_ECHO_MAX_PAYLOAD);
	len = sizeof(flags);
	ksspi_query_context_attributes(echo_owner, ctx, SECPKG_ATTR_FLAGS,
				       &flags, &len);
	len = sizeof(pkg);
	ksspi_query_context_attributes(echo_owner, ctx,
				       SECPKG_ATTR_PACKAGE_INFO, &pkg, &len);
	echo_key_fingerprint(ctx, print);
	pr_info_ratelimited("%pISpc: %s logged on with %s; attributes 0x%08x, session key %8phN...\n",
			    &c->peer, c->out, pkg.name, flags.flags, print);
	len = sizeof(key);
	if (ksspi_query_context_attributes(echo_owner, ctx,
					   SECPKG_ATTR_KEY_INFO, &key,
					   &len) == SEC_E_OK)
		pr_info_ratelimited("%pISpc: %u-bit key, %s, %s\n", &c->peer,
				    key.key_size,
				    key.signature_algorithm_name,
				    key.encrypt_algorithm_name);
}

/* The token length of a sealed frame, from the context's sizes */
static u32 echo_trailer(struct ksspi_handle *ctx, u32 *trailer)
{
	struct ksspi_attr_sizes sizes;
	u32 len = sizeof(sizes), status;

	status = ksspi_query_context_attributes(echo_owner, ctx,
						SECPKG_ATTR_SIZES, &sizes,
						&len);
	if (status != SEC_E_OK)
		return status;
	if (!sizes.security_trailer ||
	    sizes.security_trailer > KSSPI_ECHO_MAX_TRAILER)
		return SEC_E_UNSUPPORTED_FUNCTION;
	*trailer = sizes.security_trailer;
	return SEC_E_OK;
}

/*
 * Unseal each message and seal it back, in place in vmalloc'd memory.
 * Returns how many were echoed.
 */
static unsigned long echo_messages(struct echo_conn *c,
				   struct ksspi_handle *ctx)
{
	struct ksspi_buffer b[2];
	struct ksspi_buffer_desc d = { SECBUFFER_VERSION, 2, b };
	unsigned long echoed = 0;
	u32 status, qop, len;
	int type;

	for (;;) {
		type = echo_recv_frame(c->sock, c->in, &len);
		if (type < 0)
			return echoed;
		if (type != KSSPI_ECHO_SEALED || len < c->trailer) {
			echo_send_error(c->sock, SEC_E_INVALID_TOKEN);
			return echoed;
		}
		b[0] = (struct ksspi_buffer){ c->trailer,
					      SECBUFFER_TOKEN, c->in };
		b[1] = (struct ksspi_buffer){ len - c->trailer,
					      SECBUFFER_DATA,
					      c->in + c->trailer };
		status = ksspi_decrypt_message(echo_owner, ctx, &d, 0, &qop);
		if (status == SEC_E_OK)
			status = ksspi_encrypt_message(echo_owner, ctx, 0, &d, 0);
		if (status != SEC_E_OK) {
			echo_send_error(c->sock, status);
			return echoed;
		}
		if (echo_send_frame(c->sock, KSSPI_ECHO_SEALED, c->in, len))
			return echoed;
		echoed++;
	}
}

static void echo_conn_work(struct work_struct *work)
{
	struct echo_conn *c = container_of(work, struct echo_conn, work);
	struct ksspi_handle ctx;
	unsigned long echoed;
	u32 status;

	if (echo_authenticate(c, &ctx) == SEC_E_OK) {
		echo_log_client(c, &ctx);
		status = echo_trailer(&ctx, &c->trailer);
		echoed = 0;
		if (status == SEC_E_OK)
			echoed = echo_messages(c, &ctx);
		else
			echo_send_error(c->sock, status);
		ksspi_delete_security_context(echo_owner, &ctx);
		pr_info_ratelimited("%pISpc: %lu sealed messages echoed, connection closed\n",
				    &c->peer, echoed);
	}
	mutex_lock(&echo_lock);
	list_del(&c->node);
	mutex_unlock(&echo_lock);
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	sock_release(c->sock);
	vfree(c->in);
	vfree(c->out);
	kfree(c);
}

static int echo_accept_loop(void *unused)
{
	struct socket *sock;
	struct echo_conn *c;

	while (!kthread_should_stop()) {
		if (kernel_accept(echo_listener, &sock, 0)) {
			/* shut down for unloading, or a failed accept */
			schedule_timeout_interruptible(HZ / 50);
			continue;
		}
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (c) {
			c->in = vmalloc(KSSPI_ECHO_MAX_PAYLOAD);
			c->out = vmalloc(KSSPI_ECHO_MAX_PAYLOAD);
		}
		if (!c || !c->in || !c->out) {
			if (c) {
				vfree(c->in);
				vfree(c->out);
				kfree(c);
			}
			sock_release(sock);
			continue;
		}
		c->sock = sock;
		if (kernel_getpeername(sock, (struct sockaddr *)&c->peer) < 0)
			c->peer.ss_family = AF_UNSPEC;
		INIT_WORK(&c->work, echo_conn_work);
		mutex_lock(&echo_lock);
		list_add(&c->node, &echo_conns);
		mutex_unlock(&echo_lock);
		queue_work(echo_wq, &c->work);
	}
	return 0;
}

static int echo_listen(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &echo_listener);
	if (err)
		return err;
	sock_set_reuseaddr(echo_listener->sk);
	err = kernel_bind(echo_listener, (struct sockaddr *)&addr,
			  sizeof(addr));
	if (!err)
		err = kernel_listen(echo_listener, 16);
	if (err) {
		sock_release(echo_listener);
		echo_listener = NULL;
	}
	return err;
}

static int __init echo_init(void)
{
	u32 status;
	int err;

	echo_owner = ksspi_open();
	if (!echo_owner)
		return -ENOMEM;
	/*
	 * Default credentials: ksspid checks NTLM clients in its user
	 * database and Kerberos ones with the machine's keytab.
	 */
	status = ksspi_acquire_credentials_handle(echo_owner, package,
						  SECPKG_CRED_INBOUND, NULL,
						  &echo_credential, NULL);
	if (status != SEC_E_OK) {
		pr_err("AcquireCredentialsHandle(%s): 0x%08x\n", package,
		       status);
		ksspi_close(echo_owner);
		return -ENOENT;
	}
	echo_wq = alloc_workqueue("ksspi_echo", WQ_UNBOUND, 0);
	err = echo_wq ? echo_listen() : -ENOMEM;
	if (err)
		goto err_cred;
	echo_acceptor = kthread_run(echo_accept_loop, NULL, "ksspi_echo");
	if (IS_ERR(echo_acceptor)) {
		err = PTR_ERR(echo_acceptor);
		goto err_sock;
	}
	pr_info("listening on 127.0.0.1:%u (%s)\n", port, package);
	return 0;

err_sock:
	sock_release(echo_listener);
err_cred:
	if (echo_wq)
		destroy_workqueue(echo_wq);
	ksspi_close(echo_owner);
	return err;
}

static void __exit echo_exit(void)
{
	struct echo_conn *c;

	/* Wakes the acceptor; it sees kthread_should_stop() and returns. */
	kernel_sock_shutdown(echo_listener, SHUT_RDWR);
	kthread_stop(echo_acceptor);
	sock_release(echo_listener);
	/* Ends every conversation: their reads fail, their work returns. */
	mutex_lock(&echo_lock);
	list_for_each_entry(c, &echo_conns, node)
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
	mutex_unlock(&echo_lock);
	destroy_workqueue(echo_wq);
	/* Deletes the credential and any context a connection left. */
	ksspi_close(echo_owner);
}

module_init(echo_init);
module_exit(echo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi sample: authenticated sealed echo server");
