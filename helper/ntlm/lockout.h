/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Failed NTLM logons against the local user database, so that the acceptor
 * is no password oracle (Documentation/ntlm.rst, "Failed logons"):
 *
 *  - the account lockout policy, Windows' model: THRESHOLD failed logons of
 *    an account, each within WINDOW seconds of the one before ("reset
 *    account lockout counter after"), lock it out for DURATION seconds,
 *    during which even the right password is refused;
 *  - a limit on failed logons per calling uid: LIMIT in CALLER_WINDOW
 *    seconds, after which the uid's logons are refused until the window
 *    ends, so that one local user cannot guess across many accounts;
 *  - a rate-limited log of failures, which never holds a password, hash
 *    or response.
 *
 * Attempts in progress count against both bounds, so concurrent guesses
 * cannot overshoot them.  The counters live in ksspid's memory only.
 */
#ifndef KSSPID_NTLM_LOCKOUT_H
#define KSSPID_NTLM_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Windows 11's default account lockout policy: 10 failures, 10 minutes */
#define NTLM_LOCKOUT_THRESHOLD		10
#define NTLM_LOCKOUT_WINDOW		600	/* seconds */
#define NTLM_LOCKOUT_DURATION		600	/* seconds */
#define NTLM_CALLER_LIMIT		30
#define NTLM_CALLER_WINDOW		60	/* seconds */

/* Windows' bounds: 999 failures, 99999 minutes */
#define NTLM_LOCKOUT_MAX_THRESHOLD	999
#define NTLM_LOCKOUT_MAX_SECONDS	(99999u * 60)
#define NTLM_CALLER_MAX_LIMIT		1000000
#define NTLM_CALLER_MAX_EXEMPT		64

struct ntlm_lockout_policy {
	unsigned int threshold;		/* 0: accounts are never locked out */
	unsigned int window;		/* seconds */
	unsigned int duration;		/* seconds, at least window */
	unsigned int caller_limit;	/* 0: callers are not limited */
	unsigned int caller_window;	/* seconds */
	/* uids never limited, besides root and in-kernel callers */
	uint32_t exempt[NTLM_CALLER_MAX_EXEMPT];
	size_t exempt_count;
};

/* The defaults above. */
void ntlm_lockout_defaults(struct ntlm_lockout_policy *p);

/* NULL when @p can be used, else what is wrong with it. */
const char *ntlm_lockout_policy_error(const struct ntlm_lockout_policy *p);

/*
 * Parses a duration for the options: a whole number of seconds, or of
 * minutes or hours with the suffix "m" or "h" ("s" is allowed), from 1 s
 * to NTLM_LOCKOUT_MAX_SECONDS.  0 or -EINVAL.
 */
int ntlm_parse_duration(const char *s, unsigned int *seconds);

/* Parses a count from 0 to @max.  0 or -EINVAL. */
int ntlm_parse_count(const char *s, unsigned int max, unsigned int *out);

/*
 * Sets the policy (checked by ntlm_lockout_policy_error()) and forgets
 * every counter.  Call before any worker runs.  Until then the defaults
 * apply.
 */
void ntlm_lockout_setup(const struct ntlm_lockout_policy *p);

/* Forgets every counter and frees them. */
void ntlm_lockout_cleanup(void);

/* Milliseconds of CLOCK_BOOTTIME: the clock of every window. */
int64_t ntlm_lockout_now(void);

/* Why a logon was refused before its proof counted. */
enum ntlm_logon_refusal {
	NTLM_LOGON_ALLOWED = 0,
	NTLM_LOGON_CALLER_LIMITED,	/* the uid is over its limit */
	NTLM_LOGON_LOCKED_OUT,		/* the account is locked out */
	NTLM_LOGON_ACCOUNT_BUSY,	/* attempts in progress reach the
					 * threshold */
};

/* How a logon whose proof was checked ended. */
enum ntlm_logon_outcome {
	NTLM_LOGON_FAILED,		/* wrong password or unknown user */
	NTLM_LOGON_PROVEN,		/* right password, context given */
	NTLM_LOGON_UNDECIDED,		/* stopped for another reason */
};

/* One logon attempt, from its begin to its end. */
struct ntlm_logon {
	uint32_t uid;
	uint32_t pid;			/* 0: in-kernel caller */
	bool kernel;			/* KSSPI_UPCALL_F_KERNEL_CALLER */
	const char *client;		/* DOMAIN\user as sent, UTF-8, or
					 * NULL; for the log */
	/* the lockout module's bookkeeping */
	bool caller_pending, account_pending;
	uint8_t *account;		/* the account's key, when known */
	size_t account_len;
};

/*
 * Before anything is looked up: whether the calling uid may try a logon.
 * NTLM_LOGON_ALLOWED or NTLM_LOGON_CALLER_LIMITED.
 */
enum ntlm_logon_refusal ntlm_logon_begin(struct ntlm_logon *l, int64_t now);

/*
 * The account was found (@key: its database entry, @len bytes): whether
 * it may be tried.  On NTLM_LOGON_ALLOWED the attempt counts until
 * ntlm_logon_end().
 */
enum ntlm_logon_refusal ntlm_logon_account(struct ntlm_logon *l,
					   const uint8_t *key, size_t len,
					   int64_t now);

/*
 * The end of a logon that ntlm_logon_begin() allowed: records @outcome
 * (a failure counts for the caller and, when it was allowed, the
 * account; a proven logon resets the account's count) and logs a
 * failure, or @refusal when the logon was refused.  Frees what @l holds.
 */
void ntlm_logon_end(struct ntlm_logon *l, enum ntlm_logon_outcome outcome,
		    enum ntlm_logon_refusal refusal, int64_t now);

/* A line of the rate-limited log of logon failures. */
void ntlm_logon_log(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * @s (UTF-8, NULL allowed) fit for a log line: control characters as
 * \xNN, at most 64 bytes of it, then "...".  @out has @size bytes.
 */
void ntlm_log_name(const char *s, char *out, size_t size);

#endif /* KSSPID_NTLM_LOCKOUT_H */
