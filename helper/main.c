// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksspid: the userspace helper of the ksspi kernel module.  It registers
 * with the module over generic netlink and does the handshake work
 * ("ticket" work) the module asks for: one leg of InitializeSecurityContext
 * or AcceptSecurityContext at a time, and pings.
 *
 * The main thread fetches requests and notices when the kernel wakes it,
 * queues requests per user, expires idle sessions and handles signals;
 * worker threads answer.  Documentation/helper.rst describes the behaviour
 * in full.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/ksspi_netlink.h>
#include <linux/ksspi_sspi.h>

#include <netlink/errno.h>

#include "log.h"
#include "message.h"
#include "netlink.h"
#include "credssp/credssp.h"
#include "kerberos/kerberos.h"
#include "ntlm/ntlm.h"
#include "ntlm/userdb.h"
#include "session.h"
#include "worker.h"

#define DEFAULT_WORKERS		4
#define DEFAULT_QUEUED_PER_USER	64	/* as the kernel's max_user_upcalls */
#define SWEEP_INTERVAL_S	60	/* how often idle sessions expire */
#define NTLM_SPN_MAX		64	/* --ntlm-spn options */

struct options {
	bool foreground;
	bool systemd;
	bool verbose;
	unsigned int workers;
	struct worker_limits limits;
	unsigned long max_sessions_per_user;
	struct ntlm_options ntlm;
	const char *spns[NTLM_SPN_MAX];
	struct ntlm_lockout_policy lockout;
	struct credssp_options credssp;
	const char *krb5_keytab;
};

struct daemon {
	struct netlink_channel channel;
	struct session_table sessions;
	struct worker_pool *pool;
	bool fetch_waits_for_room;	/* work may wait in the kernel */
	bool replaced;			/* another ksspid registered */
	int64_t refusals_logged_at;	/* rate limit of the refusal log */
	unsigned long refusals;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ksspid [OPTION]...\n"
		"Userspace helper of the ksspi kernel module.\n"
		"\n"
		"  -f, --foreground   stay in the foreground, log to stderr\n"
		"      --systemd      run under systemd: foreground, log to stderr\n"
		"                     with <N> priority prefixes for journald\n"
		"  -w, --workers N    worker threads (1-%d, default %d)\n"
		"  -v, --verbose      log every request\n"
		"      --max-queued-per-user N   requests of one user waiting for\n"
		"                           a worker (default %d)\n"
		"      --max-busy-per-user N     workers one user may keep busy\n"
		"                           (default: half the workers, at least 1)\n"
		"      --max-sessions-per-user N handshakes in progress of one\n"
		"                           user (default %d)\n"
		"      --ntlm-users FILE    NTLM user database (default %s)\n"
		"      --ntlm-domain NAME   NTLM server's domain (default: from\n"
		"                           the host name)\n"
		"      --ntlm-computer NAME NTLM server's computer name (default:\n"
		"                           the host name)\n"
		"      --ntlm-spn SPN       an SPN of this server; when given,\n"
		"                           NTLM clients naming another target\n"
		"                           are refused (repeatable)\n"
		"      --ntlm-allow-v1      accept NTLMv1 responses (insecure)\n"
		"      --ntlm-allow-weak-keys  sign and seal with 56- and 40-bit\n"
		"                           NTLM keys (default: 128 bits required)\n"
		"      --ntlm-lockout-threshold N  failed logons that lock an NTLM\n"
		"                           account out (default %d; 0: never)\n"
		"      --ntlm-lockout-window T  a failure counts with the next\n"
		"                           within T (default %ds)\n"
		"      --ntlm-lockout-duration T  how long a lockout lasts\n"
		"                           (default %ds)\n"
		"      --ntlm-caller-limit N  failed NTLM logons a caller uid may\n"
		"                           have in a window (default %d; 0: any)\n"
		"      --ntlm-caller-window T  that window (default %ds)\n"
		"      --ntlm-caller-exempt UID  a uid without that limit\n"
		"                           (repeatable; root always is)\n"
		"                           T: seconds, or with a suffix s, m, h\n"
		"      --credssp-cert FILE  CredSSP server's certificate chain (PEM)\n"
		"      --credssp-key FILE   its private key (PEM); without both,\n"
		"                           CredSSP servers get SEC_E_NO_CREDENTIALS\n"
		"      --credssp-delegate SPN  CredSSP clients delegate fresh\n"
		"                           credentials to SPNs matching this ('*'\n"
		"                           any run; repeatable; default TERMSRV/*)\n"
		"      --credssp-delegate-ntlm-only SPN  also when only NTLM\n"
		"                           authenticates (default: none; repeatable)\n"
		"      --credssp-spnego-ntlm SPN  CredSSP clients wrap NTLM in\n"
		"                           SPNEGO, as mstsc, for these servers\n"
		"                           (repeatable; default none: raw NTLM)\n"
		"      --credssp-raw-kerberos SPN  and a bare Kerberos token, as\n"
		"                           rdesktop (repeatable; default none)\n"
		"      --credssp-client-ca FILE  CAs (PEM) whose client certificates\n"
		"                           CredSSP servers asked for one\n"
		"                           (ASC_REQ_MUTUAL_AUTH) accept\n"
		"      --krb5-keytab KEYTAB  the Kerberos acceptor's keytab\n"
		"                           (default: the krb5 default keytab)\n"
		"      --version      print the version and exit\n"
		"  -h, --help         print this help and exit\n"
		"\n"
		"Without -f or --systemd, ksspid detaches and logs to syslog.\n"
		"SIGHUP rereads the NTLM user database; SIGUSR1 logs the\n"
		"workers' and sessions' state.\n",
		WORKER_MAX, DEFAULT_WORKERS, DEFAULT_QUEUED_PER_USER,
		SESSION_MAX_PER_USER, NTLM_USERDB_DEFAULT,
		NTLM_LOCKOUT_THRESHOLD, NTLM_LOCKOUT_WINDOW,
		NTLM_LOCKOUT_DURATION, NTLM_CALLER_LIMIT, NTLM_CALLER_WINDOW);
}

/* A number from 1 to @max; 0 or -1. */
static int parse_count(const char *arg, unsigned long max,
		       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	return errno || *end || end == arg || *out < 1 || *out > max ? -1 : 0;
}

static int bad_number(const char *option, unsigned long max)
{
	fprintf(stderr, "ksspid: %s wants a number from 1 to %lu\n", option,
		max);
	return -1;
}

/* 0: run; 1: done, exit 0; -1: bad usage. */
/* One more SPN pattern of a CredSSP policy list: false when it is full. */
static bool policy_add(const char **list, size_t *count, const char *spn)
{
	if (*count == CREDSSP_POLICY_MAX)
		return false;
	list[(*count)++] = spn;
	return true;
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	enum { OPT_SYSTEMD = 256, OPT_VERSION, OPT_NTLM_USERS, OPT_NTLM_DOMAIN,
	       OPT_NTLM_COMPUTER, OPT_NTLM_SPN, OPT_NTLM_ALLOW_V1,
	       OPT_MAX_QUEUED, OPT_MAX_BUSY, OPT_MAX_SESSIONS,
	       OPT_NTLM_ALLOW_WEAK_KEYS, OPT_NTLM_LOCKOUT_THRESHOLD,
	       OPT_NTLM_LOCKOUT_WINDOW, OPT_NTLM_LOCKOUT_DURATION,
	       OPT_NTLM_CALLER_LIMIT, OPT_NTLM_CALLER_WINDOW,
	       OPT_NTLM_CALLER_EXEMPT, OPT_CREDSSP_CERT, OPT_CREDSSP_KEY,
	       OPT_CREDSSP_DELEGATE, OPT_CREDSSP_DELEGATE_NTLM_ONLY,
	       OPT_CREDSSP_CLIENT_CA, OPT_CREDSSP_SPNEGO_NTLM,
	       OPT_CREDSSP_RAW_KERBEROS, OPT_KRB5_KEYTAB };
	static const struct option long_options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "systemd", no_argument, NULL, OPT_SYSTEMD },
		{ "workers", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ "ntlm-users", required_argument, NULL, OPT_NTLM_USERS },
		{ "ntlm-domain", required_argument, NULL, OPT_NTLM_DOMAIN },
		{ "ntlm-computer", required_argument, NULL, OPT_NTLM_COMPUTER },
		{ "ntlm-spn", required_argument, NULL, OPT_NTLM_SPN },
		{ "ntlm-allow-v1", no_argument, NULL, OPT_NTLM_ALLOW_V1 },
		{ "max-queued-per-user", required_argument, NULL,
		  OPT_MAX_QUEUED },
		{ "max-busy-per-user", required_argument, NULL, OPT_MAX_BUSY },
		{ "max-sessions-per-user", required_argument, NULL,
		  OPT_MAX_SESSIONS },
		{ "ntlm-allow-weak-keys", no_argument, NULL,
		  OPT_NTLM_ALLOW_WEAK_KEYS },
		{ "ntlm-lockout-threshold", required_argument, NULL,
		  OPT_NTLM_LOCKOUT_THRESHOLD },
		{ "ntlm-lockout-window", required_argument, NULL,
		  OPT_NTLM_LOCKOUT_WINDOW },
		{ "ntlm-lockout-duration", required_argument, NULL,
		  OPT_NTLM_LOCKOUT_DURATION },
		{ "ntlm-caller-limit", required_argument, NULL,
		  OPT_NTLM_CALLER_LIMIT },
		{ "ntlm-caller-window", required_argument, NULL,
		  OPT_NTLM_CALLER_WINDOW },
		{ "ntlm-caller-exempt", required_argument, NULL,
		  OPT_NTLM_CALLER_EXEMPT },
		{ "credssp-cert", required_argument, NULL, OPT_CREDSSP_CERT },
		{ "credssp-key", required_argument, NULL, OPT_CREDSSP_KEY },
		{ "credssp-delegate", required_argument, NULL,
		  OPT_CREDSSP_DELEGATE },
		{ "credssp-delegate-ntlm-only", required_argument, NULL,
		  OPT_CREDSSP_DELEGATE_NTLM_ONLY },
		{ "credssp-client-ca", required_argument, NULL,
		  OPT_CREDSSP_CLIENT_CA },
		{ "credssp-spnego-ntlm", required_argument, NULL,
		  OPT_CREDSSP_SPNEGO_NTLM },
		{ "credssp-raw-kerberos", required_argument, NULL,
		  OPT_CREDSSP_RAW_KERBEROS },
		{ "krb5-keytab", required_argument, NULL, OPT_KRB5_KEYTAB },
		{ NULL, 0, NULL, 0 },
	};
	struct ntlm_lockout_policy *lockout = &opts->lockout;
	unsigned int uid;
	unsigned long workers, number;
	const char *why;
	char *end;
	int c, bad = 0;

	*opts = (struct options){
		.workers = DEFAULT_WORKERS,
		.limits.max_queued_per_user = DEFAULT_QUEUED_PER_USER,
		.max_sessions_per_user = SESSION_MAX_PER_USER,
	};
	opts->ntlm.spns = opts->spns;
	ntlm_lockout_defaults(lockout);
	opts->ntlm.lockout = lockout;
	while ((c = getopt_long(argc, argv, "fw:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts->foreground = true;
			break;
		case OPT_SYSTEMD:
			opts->systemd = true;
			break;
		case 'w':
			errno = 0;
			workers = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || workers < 1 ||
			    workers > WORKER_MAX) {
				fprintf(stderr, "ksspid: --workers wants a number from 1 to %d\n",
					WORKER_MAX);
				return -1;
			}
			opts->workers = (unsigned int)workers;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case OPT_VERSION:
			printf("ksspid %s (ksspi netlink protocol %d)\n",
			       KSSPID_VERSION, KSSPI_GENL_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_NTLM_USERS:
			opts->ntlm.users_path = optarg;
			break;
		case OPT_NTLM_DOMAIN:
			opts->ntlm.domain = optarg;
			break;
		case OPT_NTLM_COMPUTER:
			opts->ntlm.computer = optarg;
			break;
		case OPT_NTLM_SPN:
			if (opts->ntlm.spn_count == NTLM_SPN_MAX) {
				fprintf(stderr, "ksspid: at most %d --ntlm-spn options\n",
					NTLM_SPN_MAX);
				return -1;
			}
			opts->spns[opts->ntlm.spn_count++] = optarg;
			break;
		case OPT_NTLM_ALLOW_V1:
			opts->ntlm.allow_v1 = true;
			break;
		case OPT_MAX_QUEUED:
			if (parse_count(optarg, WORKER_QUEUE_MAX, &number))
				return bad_number("--max-queued-per-user",
						  WORKER_QUEUE_MAX);
			opts->limits.max_queued_per_user = (unsigned int)number;
			break;
		case OPT_MAX_BUSY:
			if (parse_count(optarg, WORKER_MAX, &number))
				return bad_number("--max-busy-per-user",
						  WORKER_MAX);
			opts->limits.max_busy_per_user = (unsigned int)number;
			break;
		case OPT_MAX_SESSIONS:
			if (parse_count(optarg, SESSION_MAX, &number))
				return bad_number("--max-sessions-per-user",
						  SESSION_MAX);
			opts->max_sessions_per_user = number;
			break;
		case OPT_NTLM_ALLOW_WEAK_KEYS:
			opts->ntlm.allow_weak_keys = true;
			break;
		case OPT_NTLM_LOCKOUT_THRESHOLD:
			bad = ntlm_parse_count(optarg, NTLM_LOCKOUT_MAX_THRESHOLD,
					       &lockout->threshold);
			break;
		case OPT_NTLM_LOCKOUT_WINDOW:
			bad = ntlm_parse_duration(optarg, &lockout->window);
			break;
		case OPT_NTLM_LOCKOUT_DURATION:
			bad = ntlm_parse_duration(optarg, &lockout->duration);
			break;
		case OPT_NTLM_CALLER_LIMIT:
			bad = ntlm_parse_count(optarg, NTLM_CALLER_MAX_LIMIT,
					       &lockout->caller_limit);
			break;
		case OPT_NTLM_CALLER_WINDOW:
			bad = ntlm_parse_duration(optarg,
						  &lockout->caller_window);
			break;
		case OPT_NTLM_CALLER_EXEMPT:
			bad = ntlm_parse_count(optarg, UINT32_MAX - 1, &uid) ||
			      lockout->exempt_count == NTLM_CALLER_MAX_EXEMPT;
			if (!bad)
				lockout->exempt[lockout->exempt_count++] = uid;
			break;
		case OPT_CREDSSP_CERT:
			opts->credssp.cert_file = optarg;
			break;
		case OPT_CREDSSP_KEY:
			opts->credssp.key_file = optarg;
			break;
		case OPT_CREDSSP_DELEGATE:
			bad = !policy_add(opts->credssp.delegate,
					  &opts->credssp.delegate_count, optarg);
			break;
		case OPT_CREDSSP_DELEGATE_NTLM_ONLY:
			bad = !policy_add(opts->credssp.delegate_ntlm_only,
					  &opts->credssp.delegate_ntlm_only_count,
					  optarg);
			break;
		case OPT_CREDSSP_CLIENT_CA:
			opts->credssp.client_ca_file = optarg;
			break;
		case OPT_CREDSSP_SPNEGO_NTLM:
			bad = !policy_add(opts->credssp.spnego_ntlm,
					  &opts->credssp.spnego_ntlm_count, optarg);
			break;
		case OPT_CREDSSP_RAW_KERBEROS:
			bad = !policy_add(opts->credssp.raw_kerberos,
					  &opts->credssp.raw_kerberos_count, optarg);
			break;
		case OPT_KRB5_KEYTAB:
			opts->krb5_keytab = optarg;
			break;
		default:
			usage(stderr);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "ksspid: bad value \"%s\" (see --help)\n",
				optarg);
			return -1;
		}
	}
	why = ntlm_lockout_policy_error(lockout);
	if (why) {
		fprintf(stderr, "ksspid: %s\n", why);
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "ksspid: unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	if (!opts->limits.max_busy_per_user)
		opts->limits.max_busy_per_user = opts->workers > 1 ?
						 opts->workers / 2 : 1;
	return 0;
}

/*
 * Detaching: the parent waits until the child reports that it registered
 * (or died), so that startup errors still reach the terminal and the exit
 * status.  Returns the child's end of the report pipe.
 */
static int detach_begin(void)
{
	int report[2];
	pid_t pid;
	char ok;

	if (pipe2(report, O_CLOEXEC) < 0) {
		log_error("pipe: %s", strerror(errno));
		exit(EXIT_FAILURE);
	}
	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		exit(EXIT_FAILURE);
	}
	if (pid > 0) {
		close(report[1]);
		_exit(read(report[0], &ok, 1) == 1 && ok == 0 ?
		      EXIT_SUCCESS : EXIT_FAILURE);
	}
	close(report[0]);
	setsid();
	return report[1];
}

static void detach_done(int report_fd, bool verbose)
{
	int null_fd = open("/dev/null", O_RDWR);
	char ok = 0;

	log_setup(LOG_TO_SYSLOG, verbose);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
		dup2(null_fd, STDERR_FILENO);
		if (null_fd > STDERR_FILENO)
			close(null_fd);
	}
	if (chdir("/") < 0)
		log_warn("chdir /: %s", strerror(errno));
	if (write(report_fd, &ok, 1) != 1)
		log_warn("cannot report startup to the parent process");
	close(report_fd);
}

static int64_t monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

static void on_release_session(uint64_t session_id, void *arg)
{
	struct daemon *d = arg;

	if (session_release(&d->sessions, session_id))
		log_debug("session %#llx released",
			  (unsigned long long)session_id);
}

static void on_cancel_request(uint64_t request_id, void *arg)
{
	struct daemon *d = arg;

	log_debug("request %llu cancelled", (unsigned long long)request_id);
	worker_pool_cancel(d->pool, request_id);
}

/* A request the pool refused is answered at once, never left to time out. */
static void refuse(struct daemon *d, struct upcall *up,
		   enum worker_submit why)
{
	struct reply busy = {
		.request_id = up->request_id,
		.status = SEC_E_INSUFFICIENT_MEMORY,
	};
	int64_t now = monotonic_seconds();

	d->refusals++;
	if (now != d->refusals_logged_at) {
		log_warn("uid %u: request %llu refused (%s); %lu refused since the last report",
			 up->uid, (unsigned long long)up->request_id,
			 why == WORKER_REFUSED_USER_LIMIT ?
			 "the user has too many requests waiting" :
			 why == WORKER_REFUSED_FULL ? "the queue is full" :
			 "out of memory", d->refusals);
		d->refusals = 0;
		d->refusals_logged_at = now;
	}
	netlink_send_done(d->channel.fetch, d->channel.family_id, &busy,
			  false);
	upcall_free(up);
	free(up);
}

/*
 * Fetches what the kernel has queued in the @what queues (FETCH_*): notices
 * first (they free sessions), then requests for as long as the pool has
 * room, each until the kernel says none is left.
 */
static void fetch_work(struct daemon *d, unsigned int what)
{
	const struct notice_handlers notices = {
		.release_session = on_release_session,
		.cancel_request = on_cancel_request,
		.arg = d,
	};
	uint32_t remaining = 0;
	struct upcall *up;
	int n;

	if (what & FETCH_NOTICES) {
		do {
			n = netlink_fetch_notices(&d->channel, &notices,
						  &remaining);
		} while (n > 0 && remaining);
		if (n == -NLE_PERM) {
			d->replaced = true;
			return;
		}
	}
	if (!(what & FETCH_REQUESTS))
		return;
	d->fetch_waits_for_room = false;
	do {
		enum worker_submit result;

		if (!worker_pool_has_room(d->pool)) {
			d->fetch_waits_for_room = true;
			return;
		}
		n = netlink_fetch_request(&d->channel, &up, &remaining);
		if (n == -NLE_PERM)
			d->replaced = true;
		if (n <= 0)
			return;
		if (!up)
			continue;
		result = worker_pool_submit(d->pool, up);
		if (result != WORKER_QUEUED)
			refuse(d, up, result);
	} while (remaining);
}

static void log_state(struct daemon *d)
{
	worker_pool_log_stats(d->pool);
	log_info("sessions: %zu", session_count(&d->sessions));
}

/* Returns the exit status: 0 after SIGTERM or SIGINT. */
static int serve(struct daemon *d, int signal_fd)
{
	struct pollfd fds[3] = {
		{ .fd = netlink_channel_fd(&d->channel), .events = POLLIN },
		{ .fd = signal_fd, .events = POLLIN },
		{ .fd = worker_pool_room_fd(d->pool), .events = POLLIN },
	};
	int64_t next_sweep = monotonic_seconds() + SWEEP_INTERVAL_S;

	/* Whatever was queued before the registration */
	fetch_work(d, FETCH_REQUESTS | FETCH_NOTICES);
	while (!d->channel.module_gone && !d->replaced) {
		struct signalfd_siginfo info;
		unsigned int fetch = 0;
		int64_t now;
		size_t expired;

		if (poll(fds, 3, SWEEP_INTERVAL_S * 1000) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %s", strerror(errno));
			return EXIT_FAILURE;
		}
		if (fds[1].revents & POLLIN) {
			if (read(signal_fd, &info, sizeof(info)) !=
			    sizeof(info))
				continue;
			if (info.ssi_signo == SIGHUP) {
				log_info("SIGHUP: rereading the NTLM user database");
				ntlm_config_reload_users();
				continue;
			}
			if (info.ssi_signo == SIGUSR1) {
				log_state(d);
				continue;
			}
			log_info("%s: shutting down",
				 strsignal((int)info.ssi_signo));
			return EXIT_SUCCESS;
		}
		if (fds[0].revents)
			fetch = netlink_events(&d->channel);
		if (fds[2].revents & POLLIN) {
			worker_pool_room_ack(d->pool);
			if (d->fetch_waits_for_room)
				fetch |= FETCH_REQUESTS;
		}

		now = monotonic_seconds();
		if (now >= next_sweep) {
			expired = session_expire(&d->sessions, now);
			if (expired)
				log_info("%zu idle sessions expired", expired);
			next_sweep = now + SWEEP_INTERVAL_S;
			/* A lost wake-up costs at most one sweep interval. */
			fetch = FETCH_REQUESTS | FETCH_NOTICES;
		}
		if (fetch && !d->channel.module_gone)
			fetch_work(d, fetch);
	}
	if (d->replaced)
		log_error("another ksspid registered with the kernel: exiting");
	else
		log_error("the ksspi module was unloaded");
	return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct options opts;
	int report_fd = -1, signal_fd, status = EXIT_FAILURE, err;
	sigset_t signals;

	err = parse_options(argc, argv, &opts);
	if (err)
		return err > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	log_setup(opts.systemd ? LOG_TO_JOURNAL : LOG_TO_STDERR, opts.verbose);
	if (!opts.foreground && !opts.systemd)
		report_fd = detach_begin();

	/* Blocked before any thread exists, so only signal_fd sees them. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	sigaddset(&signals, SIGUSR1);
	sigprocmask(SIG_BLOCK, &signals, NULL);
	signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
	if (signal_fd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	if (ntlm_config_setup(&opts.ntlm) ||
	    credssp_config_setup(&opts.credssp) ||
	    kerberos_config_setup(opts.krb5_keytab))
		goto out_signals;
	if (session_table_init(&d.sessions)) {
		log_error("cannot set up the session table");
		goto out_signals;
	}
	d.sessions.max_per_user = opts.max_sessions_per_user;

	err = netlink_channel_open(&d.channel);
	if (err == -ENOENT)
		log_error("ksspi module not loaded (no \"%s\" generic netlink family); load it with \"modprobe ksspi\"",
			  KSSPI_GENL_NAME);
	if (err)
		goto out_sessions;

	/* Workers first: requests can wait as soon as registration is done. */
	d.pool = worker_pool_start(opts.workers, d.channel.family_id,
				   &d.sessions, &opts.limits);
	if (!d.pool)
		goto out_channel;
	if (netlink_register(&d.channel) < 0)
		goto out_pool;
	if (report_fd >= 0)
		detach_done(report_fd, opts.verbose);
	log_info("ksspid %s registered (netlink protocol %d, %u workers, per user: %u queued, %u busy, %lu sessions)",
		 KSSPID_VERSION, KSSPI_GENL_VERSION, opts.workers,
		 opts.limits.max_queued_per_user,
		 opts.limits.max_busy_per_user, opts.max_sessions_per_user);

	status = serve(&d, signal_fd);

	/* Unregistering after a takeover would be refused anyway. */
	if (!d.channel.module_gone && !d.replaced)
		netlink_unregister(&d.channel);
out_pool:
	worker_pool_stop(d.pool);
out_channel:
	netlink_channel_close(&d.channel);
out_sessions:
	session_table_destroy(&d.sessions);
out_signals:
	kerberos_config_cleanup();
	credssp_config_cleanup();
	ntlm_config_cleanup();
	close(signal_fd);
	if (status == EXIT_SUCCESS)
		log_info("stopped");
	return status;
}
