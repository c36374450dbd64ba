// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log output.  Each line is formatted in full and written with a single
 * write() so that lines from different worker threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_target log_target = LOG_TO_STDERR;
static bool log_verbose;

void log_setup(enum log_target target, bool verbose)
{
	log_target = target;
	log_verbose = verbose;
	if (target == LOG_TO_SYSLOG)
		openlog("ksspid", LOG_PID, LOG_DAEMON);
}

static size_t stderr_prefix(char *line, size_t size, int priority)
{
	struct timespec now;
	struct tm tm;
	int n;

	if (log_target == LOG_TO_JOURNAL) {
		n = snprintf(line, size, "<%d>", priority);
		return n > 0 ? (size_t)n : 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	n = snprintf(line, size, "%04d-%02d-%02d %02d:%02d:%02d.%03ld ksspid[%d]: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000L, (int)getpid());
	return n > 0 ? (size_t)n : 0;
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[1024];
	size_t len;
	va_list ap;
	int n;

	if (priority == LOG_DEBUG && !log_verbose)
		return;

	if (log_target == LOG_TO_SYSLOG) {
		va_start(ap, fmt);
		vsyslog(priority, fmt, ap);
		va_end(ap);
		return;
	}

	len = stderr_prefix(line, sizeof(line), priority);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n;
	/* Truncated lines keep room for their newline. */
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* A failed write to stderr has nowhere left to be reported. */
	ssize_t written = write(STDERR_FILENO, line, len);
	(void)written;
}
