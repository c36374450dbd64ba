// SPDX-License-Identifier: GPL-2.0
/*
 * The kTLS handoff: an established context whose messages are TLS records
 * (CredSSP) hands one or both directions of its record layer to the
 * kernel's TLS on a connected TCP socket, so that the caller's send() and
 * recv() carry the session on.  The core checks the socket and the context
 * and calls the package under the context's msg_lock; the package fills
 * kTLS's crypto_info from the state it has now and uses the helpers here to
 * install the "tls" ULP and configure each direction.
 *
 * Lock order: msg_lock, then the socket's lock (taken inside setsockopt).
 */
#include <linux/in.h>
#include <linux/kmod.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "context.h"
#include "ktls.h"
#include "package.h"

/* A connected TCP socket over IPv4 or IPv6: what kTLS works on */
static bool ksspi_ktls_socket_valid(struct socket *sock)
{
	struct sock *sk = sock ? sock->sk : NULL;

	return sk && sock->type == SOCK_STREAM &&
	       sk->sk_protocol == IPPROTO_TCP &&
	       (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	       READ_ONCE(sk->sk_state) == TCP_ESTABLISHED;
}

static u32 ksspi_ktls_status(int err)
{
	switch (err) {
	case 0:
		return SEC_E_OK;
	case -ENOMEM:
		return SEC_E_INSUFFICIENT_MEMORY;
	case -ENOENT:
	case -EOPNOTSUPP:
		return SEC_E_UNSUPPORTED_FUNCTION;	/* no kTLS */
	case -EEXIST:		/* another ULP */
	case -EBUSY:		/* the direction is configured already */
	case -ENOTCONN:		/* no longer connected */
	case -EINVAL:		/* e.g. the socket is in a sockmap */
		return SEC_E_INVALID_PARAMETER;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

/* The socket's ULP is kTLS's already (an earlier handoff of a direction) */
static bool ksspi_ktls_has_tls_ulp(struct socket *sock)
{
	const struct tcp_ulp_ops *ulp;
	bool tls;

	lock_sock(sock->sk);
	ulp = inet_csk(sock->sk)->icsk_ulp_ops;
	tls = ulp && !strcmp(ulp->name, "tls");
	release_sock(sock->sk);
	return tls;
}

static int ksspi_ktls_set_ulp(struct socket *sock)
{
	char name[] = "tls";

	return sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
				     KERNEL_SOCKPTR(name), sizeof(name) - 1);
}

/**
 * ksspi_ktls_attach - give a socket the "tls" ULP unless it has it
 * @sock: a connected TCP socket
 *
 * The tls module is loaded when it is missing: TCP loads a ULP on its own
 * only for callers with CAP_NET_ADMIN, and installing kTLS on one's own
 * socket needs no privilege.
 *
 * Return: SEC_E_OK, SEC_E_UNSUPPORTED_FUNCTION (no kTLS),
 * SEC_E_INVALID_PARAMETER (another ULP, not connected any more),
 * SEC_E_INSUFFICIENT_MEMORY or SEC_E_INTERNAL_ERROR.
 */
u32 ksspi_ktls_attach(struct socket *sock)
{
	int err;

	if (ksspi_ktls_has_tls_ulp(sock))
		return SEC_E_OK;
	err = ksspi_ktls_set_ulp(sock);
	if (err == -ENOENT && !request_module("tls"))
		err = ksspi_ktls_set_ulp(sock);
	return ksspi_ktls_status(err);
}

/**
 * ksspi_ktls_configure - hand one direction to kTLS
 * @sock: a socket with the "tls" ULP
 * @optname: TLS_TX or TLS_RX
 * @info: the direction's crypto_info (a struct tls12_crypto_info_*)
 * @len: its size
 *
 * Return: SEC_E_OK or as ksspi_ktls_attach().
 */
u32 ksspi_ktls_configure(struct socket *sock, int optname, void *info,
			 unsigned int len)
{
	return ksspi_ktls_status(sock->ops->setsockopt(sock, SOL_TLS, optname,
						       KERNEL_SOCKPTR(info),
						       len));
}

/**
 * ksspi_ktls_install - hand directions of a context's record layer to kTLS
 * @owner: the caller's table
 * @handle: the context
 * @sock: the socket (the caller holds a reference)
 * @flags: KSSPI_KTLS_TX, KSSPI_KTLS_RX or both
 *
 * Return: SEC_E_OK; SEC_E_INVALID_PARAMETER (no or unknown flags, not a
 * connected TCP socket, or kTLS refused the socket); SEC_E_INVALID_HANDLE;
 * SEC_E_CONTEXT_EXPIRED; SEC_E_NO_CONTEXT; SEC_E_UNSUPPORTED_FUNCTION (a
 * package without records, a direction handed over already, no kTLS); or
 * the package's status.
 */
u32 ksspi_ktls_install(struct ksspi_owner *owner,
		       const struct ksspi_handle *handle, struct socket *sock,
		       u32 flags)
{
	struct ksspi_context *ctx;
	u32 status;

	status = ksspi_context_get(owner, handle, &ctx);
	if (status != SEC_E_OK)
		return status;
	if (!flags || (flags & ~KSSPI_KTLS_ALL) ||
	    !ksspi_ktls_socket_valid(sock)) {
		status = SEC_E_INVALID_PARAMETER;
		goto out;
	}

	mutex_lock(&ctx->msg_lock);
	if (READ_ONCE(ctx->state) == KSSPI_CTX_FAILED)
		status = SEC_E_CONTEXT_EXPIRED;
	else if (!ctx->sec)
		status = SEC_E_NO_CONTEXT;
	else if (!ctx->sec->mech->ops->install_ktls)
		status = SEC_E_UNSUPPORTED_FUNCTION;
	else
		status = ctx->sec->mech->ops->install_ktls(ctx->sec, sock,
							  flags);
	mutex_unlock(&ctx->msg_lock);
out:
	ksspi_object_put(&ctx->obj);
	return status;
}
