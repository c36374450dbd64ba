// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Failed NTLM logons: account lockout, the per-caller limit and the
 * rate-limited failure log (lockout.h).
 *
 * Two tables of counters, one keyed by account (the database entry's
 * uppercased UTF-16 domain and user), one by uid, both binary trees
 * (tsearch) under one mutex.  An entry lives while it holds something:
 * failures inside their window, a lockout, attempts in progress.  Dead
 * entries are swept when a table has doubled since the last sweep, so
 * the tables stay as large as what an attacker keeps alive, which the
 * windows bound: accounts are the database's, uids the system's.
 */
#include <errno.h>
#include <pthread.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ntlm/lockout.h"

struct counter {
	uint8_t *key;
	size_t key_len;
	unsigned int failures;
	unsigned int pending;		/* attempts in progress */
	int64_t since;			/* ms: the last failure (account), the
					 * window's start (caller) */
	int64_t locked_until;		/* ms, account; 0: not locked */
};

struct table {
	void *root;
	size_t count;
	size_t sweep_at;		/* sweep when count reaches it */
};

#define SWEEP_MIN	1024

/* The log's budget: LOG_BURST lines per LOG_INTERVAL ms */
#define LOG_BURST	10
#define LOG_INTERVAL	10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ntlm_lockout_policy policy = {
	.threshold = NTLM_LOCKOUT_THRESHOLD,
	.window = NTLM_LOCKOUT_WINDOW,
	.duration = NTLM_LOCKOUT_DURATION,
	.caller_limit = NTLM_CALLER_LIMIT,
	.caller_window = NTLM_CALLER_WINDOW,
};
static struct table accounts = { .sweep_at = SWEEP_MIN };
static struct table callers = { .sweep_at = SWEEP_MIN };

static struct {
	int64_t start;
	unsigned int lines;
	unsigned long suppressed;
} log_budget;

void ntlm_lockout_defaults(struct ntlm_lockout_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->threshold = NTLM_LOCKOUT_THRESHOLD;
	p->window = NTLM_LOCKOUT_WINDOW;
	p->duration = NTLM_LOCKOUT_DURATION;
	p->caller_limit = NTLM_CALLER_LIMIT;
	p->caller_window = NTLM_CALLER_WINDOW;
}

const char *ntlm_lockout_policy_error(const struct ntlm_lockout_policy *p)
{
	if (p->threshold > NTLM_LOCKOUT_MAX_THRESHOLD)
		return "the lockout threshold is at most 999 failed logons";
	if (p->window < 1 || p->window > NTLM_LOCKOUT_MAX_SECONDS ||
	    p->duration < 1 || p->duration > NTLM_LOCKOUT_MAX_SECONDS ||
	    p->caller_window < 1 ||
	    p->caller_window > NTLM_LOCKOUT_MAX_SECONDS)
		return "durations are from 1 s to 99999 minutes";
	/* Windows' rule: the counter resets no later than the lockout ends */
	if (p->duration < p->window)
		return "the lockout duration is shorter than the lockout window";
	if (p->caller_limit > NTLM_CALLER_MAX_LIMIT)
		return "the caller limit is at most 1000000 failed logons";
	if (p->exempt_count > NTLM_CALLER_MAX_EXEMPT)
		return "at most 64 exempt uids";
	return NULL;
}

int ntlm_parse_count(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int ntlm_parse_duration(const char *s, unsigned int *seconds)
{
	unsigned long v, unit = 1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'm')
		unit = 60;
	else if (*end == 'h')
		unit = 3600;
	else if (*end != 's' && *end != '\0')
		return -EINVAL;
	if (*end && end[1])
		return -EINVAL;
	if (v < 1 || v > NTLM_LOCKOUT_MAX_SECONDS / unit)
		return -EINVAL;
	*seconds = (unsigned int)(v * unit);
	return 0;
}

int64_t ntlm_lockout_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int counter_cmp(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;

	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return memcmp(x->key, y->key, x->key_len);
}

static void counter_free(void *p)
{
	struct counter *c = p;

	free(c->key);
	free(c);
}

static void table_clear(struct table *t)
{
	tdestroy(t->root, counter_free);
	t->root = NULL;
	t->count = 0;
	t->sweep_at = SWEEP_MIN;
}

/* An account's counter as of @now: an ended lockout or window cleared */
static void account_age(struct counter *c, int64_t now)
{
	if (c->locked_until && now >= c->locked_until) {
		c->locked_until = 0;
		c->failures = 0;
	}
	if (c->failures && !c->locked_until &&
	    now - c->since >= (int64_t)policy.window * 1000)
		c->failures = 0;
}

static void caller_age(struct counter *c, int64_t now)
{
	if (c->failures && now - c->since >= (int64_t)policy.caller_window *
					      1000)
		c->failures = 0;
}

static bool counter_dead(const struct counter *c)
{
	return c->pending == 0 && c->failures == 0 && c->locked_until == 0;
}

struct sweep {
	struct counter **dead;
	size_t count, size;
	int64_t now;
	bool accounts;
};

static void sweep_visit(const void *node, VISIT which, void *arg)
{
	struct counter *c = *(struct counter *const *)node;
	struct sweep *sw = arg;

	if (which != postorder && which != leaf)
		return;
	if (sw->accounts)
		account_age(c, sw->now);
	else
		caller_age(c, sw->now);
	if (counter_dead(c) && sw->count < sw->size)
		sw->dead[sw->count++] = c;
}

/* Drops the dead counters; the next sweep when the table has doubled */
static void table_sweep(struct table *t, bool is_accounts, int64_t now)
{
	struct sweep sw = { .now = now, .accounts = is_accounts };
	size_t i;

	sw.dead = calloc(t->count ? t->count : 1, sizeof(*sw.dead));
	sw.size = sw.dead ? t->count : 0;
	twalk_r(t->root, sweep_visit, &sw);
	for (i = 0; i < sw.count; i++) {
		tdelete(sw.dead[i], &t->root, counter_cmp);
		counter_free(sw.dead[i]);
		t->count--;
	}
	free(sw.dead);
	t->sweep_at = t->count * 2 > SWEEP_MIN ? t->count * 2 : SWEEP_MIN;
}

/* The counter of @key, created when missing; NULL when out of memory. */
static struct counter *table_get(struct table *t, bool is_accounts,
				 const uint8_t *key, size_t len, int64_t now)
{
	struct counter probe = { .key = (uint8_t *)key, .key_len = len };
	struct counter *c, **found;

	found = tfind(&probe, &t->root, counter_cmp);
	if (found)
		return *found;
	if (t->count >= t->sweep_at)
		table_sweep(t, is_accounts, now);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->key = malloc(len ? len : 1);
	if (!c->key) {
		free(c);
		return NULL;
	}
	memcpy(c->key, key, len);
	c->key_len = len;
	found = tsearch(c, &t->root, counter_cmp);
	if (!found) {
		counter_free(c);
		return NULL;
	}
	t->count++;
	return c;
}

static struct counter *table_find(struct table *t, const uint8_t *key,
				  size_t len)
{
	struct counter probe = { .key = (uint8_t *)key, .key_len = len };
	struct counter **found = tfind(&probe, &t->root, counter_cmp);

	return found ? *found : NULL;
}

void ntlm_lockout_setup(const struct ntlm_lockout_policy *p)
{
	pthread_mutex_lock(&lock);
	policy = *p;
	table_clear(&accounts);
	table_clear(&callers);
	memset(&log_budget, 0, sizeof(log_budget));
	pthread_mutex_unlock(&lock);
}

void ntlm_lockout_cleanup(void)
{
	pthread_mutex_lock(&lock);
	table_clear(&accounts);
	table_clear(&callers);
	pthread_mutex_unlock(&lock);
}

/* Root can read the database; an in-kernel caller's uid is nobody's. */
static bool caller_exempt(const struct ntlm_logon *l)
{
	size_t i;

	if (l->kernel || l->uid == 0 || policy.caller_limit == 0)
		return true;
	for (i = 0; i < policy.exempt_count; i++)
		if (policy.exempt[i] == l->uid)
			return true;
	return false;
}

static void uid_key(uint32_t uid, uint8_t key[4])
{
	key[0] = (uint8_t)uid;
	key[1] = (uint8_t)(uid >> 8);
	key[2] = (uint8_t)(uid >> 16);
	key[3] = (uint8_t)(uid >> 24);
}

/* Under the lock: the log line budget, and what it could not say */
static bool log_allowed(int64_t now, unsigned long *suppressed)
{
	*suppressed = 0;
	if (log_budget.start == 0 || now - log_budget.start >= LOG_INTERVAL) {
		*suppressed = log_budget.suppressed;
		log_budget.start = now ? now : 1;
		log_budget.lines = 0;
		log_budget.suppressed = 0;
	}
	if (log_budget.lines >= LOG_BURST) {
		log_budget.suppressed++;
		return false;
	}
	log_budget.lines++;
	return true;
}

void ntlm_logon_log(int priority, const char *fmt, ...)
{
	unsigned long suppressed;
	char line[512];
	bool ok;
	va_list ap;

	pthread_mutex_lock(&lock);
	ok = log_allowed(ntlm_lockout_now(), &suppressed);
	pthread_mutex_unlock(&lock);
	if (suppressed)
		log_msg(LOG_NOTICE, "NTLM: %lu more logon failure messages suppressed",
			suppressed);
	if (!ok)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(priority, "%s", line);
}

void ntlm_log_name(const char *s, char *out, size_t size)
{
	size_t o = 0, i;

	if (size == 0)
		return;
	if (!s)
		s = "(none)";
	for (i = 0; s[i] && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		/* cut at 64 bytes, on a character boundary */
		if (i >= 64 && (c & 0xc0) != 0x80) {
			if (o + 4 <= size) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

enum ntlm_logon_refusal ntlm_logon_begin(struct ntlm_logon *l, int64_t now)
{
	enum ntlm_logon_refusal r = NTLM_LOGON_ALLOWED;
	struct counter *c;
	uint8_t key[4];

	l->caller_pending = false;
	l->account_pending = false;
	l->account = NULL;
	l->account_len = 0;
	pthread_mutex_lock(&lock);
	if (!caller_exempt(l)) {
		uid_key(l->uid, key);
		c = table_get(&callers, false, key, sizeof(key), now);
		if (c) {
			caller_age(c, now);
			if (c->failures + c->pending >= policy.caller_limit) {
				r = NTLM_LOGON_CALLER_LIMITED;
			} else {
				c->pending++;
				l->caller_pending = true;
			}
		} else {
			/* No memory to count it: no attempt either */
			r = NTLM_LOGON_CALLER_LIMITED;
		}
	}
	pthread_mutex_unlock(&lock);
	return r;
}

enum ntlm_logon_refusal ntlm_logon_account(struct ntlm_logon *l,
					   const uint8_t *key, size_t len,
					   int64_t now)
{
	enum ntlm_logon_refusal r = NTLM_LOGON_ALLOWED;
	struct counter *c;

	free(l->account);
	l->account = malloc(len ? len : 1);
	l->account_len = 0;
	if (l->account) {
		memcpy(l->account, key, len);
		l->account_len = len;
	}
	pthread_mutex_lock(&lock);
	if (policy.threshold == 0)
		goto out;
	c = table_get(&accounts, true, key, len, now);
	if (!c || !l->account) {
		r = NTLM_LOGON_ACCOUNT_BUSY;
		goto out;
	}
	account_age(c, now);
	if (c->locked_until) {
		r = NTLM_LOGON_LOCKED_OUT;
	} else if (c->failures + c->pending >= policy.threshold) {
		r = NTLM_LOGON_ACCOUNT_BUSY;
	} else {
		c->pending++;
		l->account_pending = true;
	}
out:
	pthread_mutex_unlock(&lock);
	return r;
}

static const char *refusal_text(enum ntlm_logon_refusal r)
{
	switch (r) {
	case NTLM_LOGON_ALLOWED:
		break;
	case NTLM_LOGON_CALLER_LIMITED:
		return "the caller is over its failed-logon limit";
	case NTLM_LOGON_LOCKED_OUT:
		return "the account is locked out";
	case NTLM_LOGON_ACCOUNT_BUSY:
		return "attempts in progress reach the lockout threshold";
	}
	return "";
}

void ntlm_logon_end(struct ntlm_logon *l, enum ntlm_logon_outcome outcome,
		    enum ntlm_logon_refusal refusal, int64_t now)
{
	bool failed = outcome == NTLM_LOGON_FAILED;
	bool locked = false, limited = false;
	unsigned int failures = 0;
	struct counter *c;
	char name[320];
	uint8_t key[4];

	pthread_mutex_lock(&lock);
	if (l->caller_pending) {
		uid_key(l->uid, key);
		c = table_find(&callers, key, sizeof(key));
		if (c) {
			c->pending--;
			if (failed) {
				caller_age(c, now);
				if (c->failures == 0)
					c->since = now;
				c->failures++;
				limited = c->failures == policy.caller_limit;
			}
		}
	}
	if (l->account_pending) {
		c = table_find(&accounts, l->account, l->account_len);
		if (c) {
			c->pending--;
			account_age(c, now);
			if (failed) {
				c->failures++;
				c->since = now;
				failures = c->failures;
				if (c->failures >= policy.threshold) {
					c->locked_until = now +
						(int64_t)policy.duration * 1000;
					locked = true;
				}
			} else if (outcome == NTLM_LOGON_PROVEN) {
				c->failures = 0;
			}
		}
	}
	pthread_mutex_unlock(&lock);

	ntlm_log_name(l->client, name, sizeof(name));
	if (refusal != NTLM_LOGON_ALLOWED)
		ntlm_logon_log(LOG_NOTICE, "NTLM: logon of %s refused: %s (uid %u, pid %u%s)",
			       name, refusal_text(refusal), l->uid, l->pid,
			       l->kernel ? ", in-kernel caller" : "");
	else if (failed)
		ntlm_logon_log(LOG_NOTICE, "NTLM: logon failure for %s: %s (uid %u, pid %u%s)",
			       name, l->account ? "wrong password" :
						  "unknown account",
			       l->uid, l->pid,
			       l->kernel ? ", in-kernel caller" : "");
	if (locked)
		ntlm_logon_log(LOG_WARNING, "NTLM: account %s locked out for %u s after %u failed logons",
			       name, policy.duration, failures);
	if (limited)
		ntlm_logon_log(LOG_WARNING, "NTLM: uid %u reached %u failed logons within %u s: its logons are refused until the window ends",
			       l->uid, policy.caller_limit,
			       policy.caller_window);
	free(l->account);
	l->account = NULL;
	l->account_len = 0;
	l->caller_pending = false;
	l->account_pending = false;
}
