// SPDX-License-Identifier: GPL-2.0
/*
 * State for administrators and tests, in debugfs (root only):
 *
 *   ksspi/stats   counters: live objects per package, upcalls, the helper
 *   ksspi/ping    write N bytes: a PING upcall carries them to the helper
 *                 and back; read returns the echo.  Errors are those of
 *                 ksspi_upcall() (ENOTCONN: no helper, ECONNRESET: it
 *                 died, ETIMEDOUT, EBUSY, ENOMEM, EPROTO, EINTR) and
 *                 EINVAL for an empty or oversized write.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/ksspi.h>
#include <linux/ksspi_netlink.h>
#include "debugfs.h"
#include "package.h"
#include "upcall.h"
#include "user.h"

struct ksspi_stats ksspi_stats;

static struct dentry *ksspi_debugfs_dir;

static void ksspi_stats_package(const struct ksspi_package *pkg, void *arg)
{
	struct seq_file *m = arg;

	seq_printf(m, "package %s credentials: %d contexts: %d\n",
		   pkg->info.name, atomic_read(&pkg->live_credentials),
		   atomic_read(&pkg->live_contexts));
}

static int ksspi_stats_show(struct seq_file *m, void *unused)
{
	struct ksspi_helper_info helper;

	ksspi_helper_info(&helper);
	seq_printf(m, "helper_pid: %d\n", helper.pid);
	seq_printf(m, "helper_portid: %u\n", helper.portid);
	seq_printf(m, "helper_generation: %llu\n", helper.generation);
	seq_printf(m, "requests_queued: %u\n", helper.queued);
	seq_printf(m, "notices_queued: %u\n", helper.notices);
	seq_printf(m, "upcalls_in_flight: %d\n",
		   atomic_read(&ksspi_stats.upcalls_in_flight));
	seq_printf(m, "upcalls_total: %lld\n",
		   atomic64_read(&ksspi_stats.upcalls_total));
	seq_printf(m, "upcalls_failed: %lld\n",
		   atomic64_read(&ksspi_stats.upcalls_failed));
	seq_printf(m, "upcalls_timed_out: %lld\n",
		   atomic64_read(&ksspi_stats.upcalls_timed_out));
	seq_printf(m, "handshakes_failed: %lld\n",
		   atomic64_read(&ksspi_stats.handshakes_failed));
	seq_printf(m, "buffers_pinned: %lld\n",
		   atomic64_read(&ksspi_stats.buffers_pinned));
	seq_printf(m, "credentials_live: %d\n",
		   atomic_read(&ksspi_stats.credentials_live));
	seq_printf(m, "contexts_live: %d\n",
		   atomic_read(&ksspi_stats.contexts_live));
	ksspi_package_for_each(ksspi_stats_package, m);
	ksspi_users_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ksspi_stats);

/* The echo of the last ping on this open file */
struct ksspi_ping {
	struct mutex lock;	/* one ping at a time per open file */
	u8 *echo;
	u32 len;
};

static int ksspi_ping_open(struct inode *inode, struct file *file)
{
	struct ksspi_ping *ping = kzalloc(sizeof(*ping), GFP_KERNEL);

	if (!ping)
		return -ENOMEM;
	mutex_init(&ping->lock);
	file->private_data = ping;
	return 0;
}

static int ksspi_ping_release(struct inode *inode, struct file *file)
{
	struct ksspi_ping *ping = file->private_data;

	kvfree(ping->echo);
	kfree(ping);
	return 0;
}

static ssize_t ksspi_ping_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct ksspi_ping *ping = file->private_data;
	struct ksspi_upcall_request req = { .op = KSSPI_OP_PING };
	struct ksspi_upcall_reply reply;
	void *payload;
	int err;

	if (!len || len > KSSPI_MAX_TOKEN)
		return -EINVAL;
	payload = vmemdup_user(ubuf, len);
	if (IS_ERR(payload))
		return PTR_ERR(payload);
	req.token = payload;
	req.token_len = len;
	req.pid = task_tgid_nr(current);
	req.owner = ksspi_user_get(current_euid());
	if (!req.owner) {
		kvfree(payload);
		return -ENOMEM;
	}

	err = ksspi_upcall(&req, &reply, NULL);
	ksspi_user_put(req.owner);
	kvfree(payload);
	if (err == -EDQUOT)
		err = -EBUSY;
	if (err)
		return err;
	if (reply.status != SEC_E_OK) {
		ksspi_upcall_reply_free(&reply);
		return -EPROTO;
	}

	mutex_lock(&ping->lock);
	kvfree(ping->echo);
	ping->echo = reply.token;
	ping->len = reply.token_len;
	reply.token = NULL;
	mutex_unlock(&ping->lock);
	ksspi_upcall_reply_free(&reply);
	*ppos = 0;	/* the next read starts at the echo's beginning */
	return len;
}

static ssize_t ksspi_ping_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct ksspi_ping *ping = file->private_data;
	ssize_t ret;

	mutex_lock(&ping->lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, ping->echo, ping->len);
	mutex_unlock(&ping->lock);
	return ret;
}

static const struct file_operations ksspi_ping_fops = {
	.owner = THIS_MODULE,
	.open = ksspi_ping_open,
	.release = ksspi_ping_release,
	.write = ksspi_ping_write,
	.read = ksspi_ping_read,
	.llseek = default_llseek,
};

void ksspi_debugfs_init(void)
{
	ksspi_debugfs_dir = debugfs_create_dir("ksspi", NULL);
	debugfs_create_file("stats", 0400, ksspi_debugfs_dir, NULL,
			    &ksspi_stats_fops);
	debugfs_create_file("ping", 0600, ksspi_debugfs_dir, NULL,
			    &ksspi_ping_fops);
}

void ksspi_debugfs_exit(void)
{
	debugfs_remove_recursive(ksspi_debugfs_dir);
}
