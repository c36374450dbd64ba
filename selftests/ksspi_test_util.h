/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi selftests: a small helper layer over the raw /dev/ksspi ioctl ABI,
 * the debugfs files and the helper daemon.  Deliberately thin: the tests
 * test the kernel ABI itself, so every call here maps onto one ioctl (or one
 * file operation) and hands back exactly what the kernel said.
 *
 * Functions that return a SECURITY_STATUS return KT_ERRNO_STATUS(errno)
 * when the ioctl itself failed, a value no SSPI status can take, so a test
 * that expects a status fails on an errno and vice versa.
 *
 * Everything here is thread-safe (no static buffers).
 */
#ifndef KSSPI_TEST_UTIL_H
#define KSSPI_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ksspi.h>
#include <linux/ksspi_sspi.h>
#include <linux/ksspi_context.h>
#include <linux/ksspi_netlink.h>

#define KT_DEV		"/dev/ksspi"
#define KT_DEBUGFS	"/sys/kernel/debug/ksspi"
#define KT_STATS	KT_DEBUGFS "/stats"
#define KT_PING		KT_DEBUGFS "/ping"
#define KT_PARAMS	"/sys/module/ksspi/parameters"

/* The test-only package and the identity the tests use with it */
#define KT_PKG		"KsspiTest"
#define KT_USER		"selftest-user"
#define KT_PASSWORD	"selftest-password"
#define KT_TOKEN_HDR	21u	/* "KTST", type byte, nonce[16] */
#define KT_SIG_LEN	24u	/* u32 version, u32 seq, 16 bytes HMAC */
#define KT_SESSION_KEY_LEN 32u
#define KT_NOBODY	65534

/* Flags the package supports */
#define KT_ISC_REQ	(ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | \
			 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_MUTUAL_AUTH | \
			 ISC_REQ_CONNECTION)
#define KT_ASC_REQ	(ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT | \
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_MUTUAL_AUTH | \
			 ASC_REQ_CONNECTION)

/* A status that says "the ioctl failed with this errno" */
#define KT_ERRNO_STATUS(e)	(0xEE000000u | ((uint32_t)(e) & 0xffffu))
#define KT_IS_ERRNO_STATUS(s)	(((s) & 0xFF000000u) == 0xEE000000u)
/* A status that says "leg N returned a success status out of protocol" */
#define KT_PROTOCOL_STATUS(leg)	(0xEF000000u | (uint32_t)(leg))

#define KT_MAXB (KSSPI_MAX_BUFFERS + 2)

static inline uint64_t kt_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

const char *kt_status_name(uint32_t status);
/* One of the SEC_E_* / SEC_I_* values of <linux/ksspi_sspi.h> */
bool kt_status_known(uint32_t status);

/* Print a TAP diagnostic line ("# ...") on stdout and flush it */
void kt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- device ---- */
int kt_open(void);				/* fd or -errno */
int kt_ioctl(int fd, unsigned long req, void *arg);	/* 0 or -errno */

/* ---- packages ---- */
uint32_t kt_query_package(int fd, const char *name,
			  struct ksspi_package_info *info);

/* ---- credentials ---- */
void kt_acquire_init(struct ksspi_acquire_credentials *a, uint32_t use,
		     const char *user, const char *password,
		     const char *domain);
uint32_t kt_acquire_call(int fd, struct ksspi_acquire_credentials *a);
uint32_t kt_acquire(int fd, uint32_t use, const char *user,
		    const char *password, struct ksspi_handle *cred);
uint32_t kt_free_cred(int fd, const struct ksspi_handle *h);
uint32_t kt_delete_ctx(int fd, const struct ksspi_handle *h);

/* ---- handshake legs ----
 * kt_isc_init()/kt_asc_init() fill a valid call: credential (if cred),
 * context (if ctx), NEW_CONTEXT and EXPIRY always, a one-TOKEN input
 * descriptor if in != NULL, a one-TOKEN output descriptor if out != NULL,
 * the target name if target != NULL.  Tests then mutate the structure to
 * break exactly one thing.  The structures point into themselves: do not
 * copy them after init.
 */
struct kt_isc {
	struct ksspi_init_context a;
	struct ksspi_sec_buffer in[KT_MAXB];
	struct ksspi_sec_buffer out[KT_MAXB];
};

struct kt_asc {
	struct ksspi_accept_context a;
	struct ksspi_sec_buffer in[KT_MAXB];
	struct ksspi_sec_buffer out[KT_MAXB];
};

void kt_isc_init(struct kt_isc *l, const struct ksspi_handle *cred,
		 const struct ksspi_handle *ctx, uint32_t req,
		 const char *target, const void *in, uint32_t in_len,
		 void *out, uint32_t out_cap);
uint32_t kt_isc_call(int fd, struct kt_isc *l);
void kt_asc_init(struct kt_asc *l, const struct ksspi_handle *cred,
		 const struct ksspi_handle *ctx, uint32_t req,
		 const void *in, uint32_t in_len, void *out, uint32_t out_cap);
uint32_t kt_asc_call(int fd, struct kt_asc *l);

/*
 * ISC leg 1 (no input) with KT_ISC_REQ: a partially established client
 * context.  tok (capacity *tok_len) receives the type-1 token; both may be
 * NULL.
 */
uint32_t kt_partial_ctx(int fd, const struct ksspi_handle *cred,
			struct ksspi_handle *ctx, void *tok, uint32_t *tok_len);

/* A full client/server KsspiTest handshake */
struct kt_hs {
	int cfd, sfd;
	struct ksspi_handle ccred, scred, cctx, sctx;
	bool have_ccred, have_scred, have_cctx, have_sctx;
	uint32_t creq, sreq;		/* defaults KT_ISC_REQ / KT_ASC_REQ */
	const char *target;		/* client target name, NULL: none */
	uint32_t cattr, sattr;		/* pfContextAttr of the last legs */
	int64_t cexpiry, sexpiry;
	int failed_leg;			/* 1..4, 0 when all went well */
};

/* Acquire the client (OUTBOUND) and server (INBOUND) credentials */
uint32_t kt_hs_init(struct kt_hs *hs, int cfd, int sfd,
		    const char *cuser, const char *cpass,
		    const char *suser, const char *spass);
/* Run the four legs; SEC_E_OK when both contexts are established */
uint32_t kt_hs_run(struct kt_hs *hs);
/* Delete the contexts (statuses ignored) and forget them */
void kt_hs_delete(struct kt_hs *hs);
/* Delete the contexts and free the credentials */
void kt_hs_free(struct kt_hs *hs);

/* ---- message functions ---- */
struct kt_msg {
	struct ksspi_message a;
	struct ksspi_sec_buffer b[KT_MAXB];
};

void kt_msg_init(struct kt_msg *m, const struct ksspi_handle *ctx);
void kt_msg_add(struct kt_msg *m, uint32_t type, void *p, uint32_t len);
uint32_t kt_msg_call(int fd, unsigned long ioc, struct kt_msg *m);
/* MakeSignature over one DATA buffer; sig must hold KT_SIG_LEN bytes */
uint32_t kt_sign(int fd, const struct ksspi_handle *ctx, void *data,
		 uint32_t len, void *sig, uint32_t *sig_len);
uint32_t kt_verify(int fd, const struct ksspi_handle *ctx, void *data,
		   uint32_t len, void *sig, uint32_t sig_len);
/* Sign on one side, verify on the other: SEC_E_OK when both worked */
uint32_t kt_sign_verify(int sfd, const struct ksspi_handle *signer,
			int vfd, const struct ksspi_handle *verifier,
			const char *text);
uint32_t kt_sig_seq(const void *sig);		/* LE u32 at offset 4 */
uint32_t kt_sig_version(const void *sig);	/* LE u32 at offset 0 */

/* ---- attributes, export, import ---- */
uint32_t kt_query_attr(int fd, const struct ksspi_handle *ctx, uint32_t attr,
		       void *buf, uint32_t *len);
uint32_t kt_export(int fd, const struct ksspi_handle *ctx, uint32_t flags,
		   void *buf, uint32_t *len);
uint32_t kt_import(int fd, const char *package, const void *blob,
		   uint32_t len, struct ksspi_handle *ctx);
/* Find a record in a serialized context; NULL if absent */
const void *kt_blob_record(const void *blob, uint32_t blob_len,
			   uint16_t type, uint32_t *len);

/* ---- NTLM contexts with the keys of MS-NLMP 4.2.4 ---- */
#define KT_NTLM_FLAGS	0xE28A8233u
#define KT_NTLM_ATTR	(ISC_RET_INTEGRITY | ISC_RET_CONFIDENTIALITY | \
			 ISC_RET_SEQUENCE_DETECT | ISC_RET_REPLAY_DETECT)

struct kt_blob {
	uint8_t b[1024];
	uint32_t len;
};

/*
 * A serialized NTLM context as ksspid hands it over, for the client or the
 * server, with the keys of MS-NLMP 4.2.4.  @as_from_helper adds what a
 * real handshake's context also has (a server name, a session key).
 */
void kt_ntlm_blob(struct kt_blob *bl, bool client, bool as_from_helper);
/* Append a critical record to a blob */
void kt_blob_rec(struct kt_blob *bl, uint16_t type, const void *v,
		 uint32_t len);

/* ---- debugfs stats ---- */
struct kt_stats {
	long long helper_pid;
	long long helper_generation;
	long long upcalls_in_flight;
	long long upcalls_total;
	long long upcalls_failed;
	long long upcalls_timed_out;
	long long credentials_live;
	long long contexts_live;
	long long pkg_credentials;	/* package KsspiTest */
	long long pkg_contexts;
};

int kt_stats_read(struct kt_stats *s);		/* 0 or -errno */
long long kt_stat(const char *key);		/* -1 when missing */
/* Wait up to timeout_ms for key to equal want; 0 or -ETIMEDOUT */
int kt_wait_stat(const char *key, long long want, int timeout_ms);
int kt_wait_stat_ge(const char *key, long long want, int timeout_ms);
/* Wait until credentials_live and contexts_live equal the values given */
int kt_wait_live(long long creds, long long ctxs, int timeout_ms);

/* ---- the helper daemon ---- */
long long kt_helper_pid(void);
/* SIGKILL the registered helper, wait until helper_pid is 0 */
int kt_kill_helper(int timeout_ms);
/* Start $KSSPID --foreground in its own session, wait for registration */
int kt_start_helper(int timeout_ms);
/* The same with more options (a NULL-terminated list, at most 29) */
int kt_start_helper_args(int timeout_ms, const char *const *args);
/* Start a helper unless one is registered */
int kt_ensure_helper(void);

/* ---- debugfs ping ---- */
/*
 * write() len bytes to the ping file, then read the echo back into echo:
 * returns the echoed length, or with echo NULL what write() returned;
 * -errno when write() or read() failed.
 */
ssize_t kt_ping(const void *buf, size_t len, void *echo, size_t echo_cap);

/* ---- module parameters ---- */
int kt_param_read(const char *name, long long *val);
int kt_param_write(const char *name, long long val);
/*
 * upcall_timeout_ms changes are journalled in a file so that a test killed
 * by the harness timeout cannot leave a short timeout behind: the next
 * fixture setup calls kt_timeout_restore().
 */
int kt_timeout_set(long long ms);
int kt_timeout_restore(void);

/* ---- misc ---- */
uint64_t kt_now_ns(void);			/* CLOCK_MONOTONIC */
double kt_ms_since(uint64_t start_ns);
void kt_random(void *buf, size_t len);
int64_t kt_now_timestamp(void);			/* local, 100 ns since 1601 */
/* KSSPI_TIMESTAMP_NEVER or within [now - 1 day, now + 100 years] */
bool kt_timestamp_plausible(int64_t ts);
/* setgroups(0), setresgid/setresuid(KT_NOBODY); 0 or -errno */
int kt_drop_privileges(void);
void *kt_shared_alloc(size_t len);		/* MAP_SHARED anonymous */
/* waitpid with a timeout (the child is SIGKILLed then); exit code or -1 */
int kt_wait_child(pid_t pid, int timeout_ms);
void kt_msleep(unsigned int ms);
/* Environment variable as a positive integer, or def */
long kt_env_long(const char *name, long def);

/* ---- generic netlink (raw sockets) ---- */
int kt_genl_open(void);				/* socket fd or -errno */
int kt_genl_family(int sock, const char *name);	/* id or -errno */
/* The id of a family's multicast group, or -errno */
int kt_genl_group(int sock, const char *family, const char *group);
/*
 * Send a ksspi command with NLM_F_ACK and return the ack's error
 * (0 or -errno).  KSSPI_CMD_HELPER_REGISTER carries the protocol and
 * helper versions, KSSPI_CMD_REQUEST_DONE a request id and a status;
 * other commands carry nothing.
 */
int kt_genl_ksspi_cmd(int sock, int family, uint8_t cmd);
/*
 * As the helper: fetch with KSSPI_CMD_REQUEST_GET (request_id wanted) or
 * KSSPI_CMD_NOTICES_GET (request_id NULL); *queued is the reply's
 * KSSPI_A_QUEUED.  0 or -errno (-EBADMSG: an attribute is missing).
 */
int kt_genl_fetch(int sock, int family, uint8_t cmd, uint64_t *request_id,
		  uint32_t *queued);
/* As the helper: KSSPI_CMD_REQUEST_DONE with a status and a token */
int kt_genl_answer(int sock, int family, uint64_t request_id,
		   uint32_t status, const void *token, uint16_t token_len);
/*
 * Wait up to timeout_ms for a KSSPI_CMD_WAKE on a socket that joined the
 * wake group: 1 with *what = its KSSPI_A_WAKE, 0 on timeout, or -errno.
 */
int kt_genl_next_wake(int sock, int family, int timeout_ms, uint32_t *what);

#endif /* KSSPI_TEST_UTIL_H */
