/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_DEBUGFS_H
#define _KSSPI_DEBUGFS_H

#include <linux/atomic.h>

/**
 * struct ksspi_stats - counters an administrator can read
 * @credentials_live: credentials alive
 * @contexts_live: contexts alive
 * @upcalls_in_flight: upcalls waiting for the helper
 * @upcalls_total: upcalls sent
 * @upcalls_failed: upcalls that got no answer (no helper, helper died)
 * @upcalls_timed_out: upcalls that timed out
 * @handshakes_failed: legs that ended with an error status
 * @buffers_pinned: ioctl callers' message buffers used in place (pinned)
 *	rather than copied
 */
struct ksspi_stats {
	atomic_t credentials_live;
	atomic_t contexts_live;
	atomic_t upcalls_in_flight;
	atomic64_t upcalls_total;
	atomic64_t upcalls_failed;
	atomic64_t upcalls_timed_out;
	atomic64_t handshakes_failed;
	atomic64_t buffers_pinned;
};

extern struct ksspi_stats ksspi_stats;

void ksspi_debugfs_init(void);
void ksspi_debugfs_exit(void);

#endif /* _KSSPI_DEBUGFS_H */
