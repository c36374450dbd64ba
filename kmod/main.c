// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi: the Windows SSPI security-context model for Linux.
 *
 * Documentation/architecture.rst describes the pieces; this file only
 * brings them up and down in order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "debugfs.h"
#include "device.h"
#include "package.h"
#include "upcall.h"
#include "user.h"

static bool test_package;
module_param(test_package, bool, 0444);
MODULE_PARM_DESC(test_package,
		 "Offer the KsspiTest package, for testing only (default off)");

static int __init ksspi_init(void)
{
	int err;

	ksspi_debugfs_init();
	err = ksspi_pkg_ntlm_init();
	if (err)
		goto err_debugfs;
	err = ksspi_pkg_credssp_init();
	if (err)
		goto err_ntlm;
	err = ksspi_pkg_kerberos_init();
	if (err)
		goto err_credssp;
	err = ksspi_pkg_negotiate_init();
	if (err)
		goto err_kerberos;
	if (test_package) {
		err = ksspi_pkg_test_init();
		if (err)
			goto err_negotiate;
	}
	err = ksspi_netlink_init();
	if (err)
		goto err_packages;
	err = ksspi_device_init();
	if (err)
		goto err_netlink;
	pr_info("loaded%s\n", test_package ? " with the test package" : "");
	return 0;

err_netlink:
	ksspi_netlink_exit();
	ksspi_upcall_exit();
err_packages:
	if (test_package)
		ksspi_pkg_test_exit();
err_negotiate:
	ksspi_pkg_negotiate_exit();
err_kerberos:
	ksspi_pkg_kerberos_exit();
err_credssp:
	ksspi_pkg_credssp_exit();
err_ntlm:
	ksspi_pkg_ntlm_exit();
err_debugfs:
	ksspi_debugfs_exit();
	return err;
}

static void __exit ksspi_exit(void)
{
	ksspi_device_exit();
	ksspi_netlink_exit();
	ksspi_upcall_exit();
	if (test_package)
		ksspi_pkg_test_exit();
	ksspi_pkg_negotiate_exit();
	ksspi_pkg_kerberos_exit();
	ksspi_pkg_credssp_exit();
	ksspi_pkg_ntlm_exit();
	ksspi_debugfs_exit();
	ksspi_users_exit();
	pr_info("unloaded: %d credentials, %d contexts live\n",
		atomic_read(&ksspi_stats.credentials_live),
		atomic_read(&ksspi_stats.contexts_live));
}

module_init(ksspi_init);
module_exit(ksspi_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SSPI security contexts for Linux");
MODULE_AUTHOR("The ksspi developers");
