/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr (foreground), to stderr with "<N>" priority prefixes that
 * journald parses (--systemd), or to syslog (background daemon).
 */
#ifndef KSSPID_LOG_H
#define KSSPID_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum log_target {
	LOG_TO_STDERR,		/* timestamped lines */
	LOG_TO_JOURNAL,		/* "<N>message", no timestamp */
	LOG_TO_SYSLOG,
};

void log_setup(enum log_target target, bool verbose);

void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* KSSPID_LOG_H */
