/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handing an established context's record layer to kTLS
 * (Documentation/credssp-records.rst, "The kTLS handoff").
 */
#ifndef _KSSPI_KTLS_H
#define _KSSPI_KTLS_H

#include <linux/types.h>

struct ksspi_owner;
struct ksspi_handle;
struct socket;

u32 ksspi_ktls_install(struct ksspi_owner *owner,
		       const struct ksspi_handle *handle, struct socket *sock,
		       u32 flags);
u32 ksspi_ktls_attach(struct socket *sock);
u32 ksspi_ktls_configure(struct socket *sock, int optname, void *info,
			 unsigned int len);

#endif /* _KSSPI_KTLS_H */
