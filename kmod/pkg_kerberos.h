/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Kerberos package's functions, for a package that runs Kerberos
 * contexts of its own (Negotiate): its ops table takes Kerberos' records
 * and protects messages as Kerberos does.
 */
#ifndef _KSSPI_PKG_KERBEROS_H
#define _KSSPI_PKG_KERBEROS_H

struct ksspi_package_ops;

extern const struct ksspi_package_ops ksspi_kerberos_ops;

int ksspi_pkg_kerberos_init(void);
void ksspi_pkg_kerberos_exit(void);

#endif /* _KSSPI_PKG_KERBEROS_H */
