// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi selftests: shared helpers (see ksspi_test_util.h).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ksspi_test_util.h"

/* ------------------------------------------------------------------ */
/* statuses */

static const struct {
	uint32_t status;
	const char *name;
} kt_statuses[] = {
#define S(x) { x, #x }
	S(SEC_E_OK),
	S(SEC_I_CONTINUE_NEEDED),
	S(SEC_I_COMPLETE_NEEDED),
	S(SEC_I_COMPLETE_AND_CONTINUE),
	S(SEC_I_LOCAL_LOGON),
	S(SEC_I_CONTEXT_EXPIRED),
	S(SEC_I_INCOMPLETE_CREDENTIALS),
	S(SEC_I_RENEGOTIATE),
	S(SEC_I_NO_LSA_CONTEXT),
	S(SEC_I_SIGNATURE_NEEDED),
	S(SEC_I_NO_RENEGOTIATION),
	S(SEC_E_INSUFFICIENT_MEMORY),
	S(SEC_E_INVALID_HANDLE),
	S(SEC_E_UNSUPPORTED_FUNCTION),
	S(SEC_E_TARGET_UNKNOWN),
	S(SEC_E_INTERNAL_ERROR),
	S(SEC_E_SECPKG_NOT_FOUND),
	S(SEC_E_NOT_OWNER),
	S(SEC_E_INVALID_TOKEN),
	S(SEC_E_CANNOT_PACK),
	S(SEC_E_QOP_NOT_SUPPORTED),
	S(SEC_E_NO_IMPERSONATION),
	S(SEC_E_LOGON_DENIED),
	S(SEC_E_UNKNOWN_CREDENTIALS),
	S(SEC_E_NO_CREDENTIALS),
	S(SEC_E_MESSAGE_ALTERED),
	S(SEC_E_OUT_OF_SEQUENCE),
	S(SEC_E_NO_AUTHENTICATING_AUTHORITY),
	S(SEC_E_BAD_PKGID),
	S(SEC_E_CONTEXT_EXPIRED),
	S(SEC_E_INCOMPLETE_MESSAGE),
	S(SEC_E_INCOMPLETE_CREDENTIALS),
	S(SEC_E_BUFFER_TOO_SMALL),
	S(SEC_E_WRONG_PRINCIPAL),
	S(SEC_E_TIME_SKEW),
	S(SEC_E_UNTRUSTED_ROOT),
	S(SEC_E_ILLEGAL_MESSAGE),
	S(SEC_E_ENCRYPT_FAILURE),
	S(SEC_E_DECRYPT_FAILURE),
	S(SEC_E_ALGORITHM_MISMATCH),
	S(SEC_E_UNFINISHED_CONTEXT_DELETED),
	S(SEC_E_WRONG_CREDENTIAL_HANDLE),
	S(SEC_E_CRYPTO_SYSTEM_INVALID),
	S(SEC_E_SHUTDOWN_IN_PROGRESS),
	S(SEC_E_BAD_BINDINGS),
	S(SEC_E_INVALID_PARAMETER),
	S(SEC_E_DELEGATION_POLICY),
	S(SEC_E_POLICY_NLTM_ONLY),
	S(SEC_E_NO_CONTEXT),
	S(SEC_E_MUTUAL_AUTH_FAILED),
	S(SEC_E_INSUFFICIENT_BUFFERS),
#undef S
};

const char *kt_status_name(uint32_t status)
{
	static __thread char buf[64];
	size_t i;

	for (i = 0; i < sizeof(kt_statuses) / sizeof(kt_statuses[0]); i++)
		if (kt_statuses[i].status == status)
			return kt_statuses[i].name;
	if (KT_IS_ERRNO_STATUS(status))
		snprintf(buf, sizeof(buf), "ioctl failed: errno %u (%s)",
			 status & 0xffffu, strerror((int)(status & 0xffffu)));
	else if ((status & 0xFF000000u) == 0xEF000000u)
		snprintf(buf, sizeof(buf),
			 "out-of-protocol success status at leg %u",
			 status & 0xffu);
	else
		snprintf(buf, sizeof(buf), "unknown status 0x%08x", status);
	return buf;
}

bool kt_status_known(uint32_t status)
{
	size_t i;

	for (i = 0; i < sizeof(kt_statuses) / sizeof(kt_statuses[0]); i++)
		if (kt_statuses[i].status == status)
			return true;
	return false;
}

void kt_diag(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("# ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	if (fmt[0] && fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stdout);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* device */

int kt_open(void)
{
	int fd = open(KT_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int kt_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

/*
 * Call as "ret = kt_ioctl(...); return kt_st(ret, x.status);": never with
 * the ioctl inside the argument list (the order in which arguments are
 * evaluated is unspecified; the status could be read before the call).
 */
static uint32_t kt_st(int ret, uint32_t status)
{
	return ret < 0 ? KT_ERRNO_STATUS(-ret) : status;
}

uint32_t kt_query_package(int fd, const char *name,
			  struct ksspi_package_info *info)
{
	struct ksspi_query_package q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.name = kt_ptr(name);
	q.name_len = strlen(name);
	ret = kt_ioctl(fd, KSSPI_IOC_QUERY_PACKAGE, &q);
	if (!ret && info)
		*info = q.info;
	return kt_st(ret, q.status);
}

/* ------------------------------------------------------------------ */
/* credentials */

void kt_acquire_init(struct ksspi_acquire_credentials *a, uint32_t use,
		     const char *user, const char *password,
		     const char *domain)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->package = kt_ptr(KT_PKG);
	a->package_len = strlen(KT_PKG);
	a->credential_use = use;
	a->identity_type = KSSPI_IDENTITY_PASSWORD;
	if (user) {
		a->user = kt_ptr(user);
		a->user_len = strlen(user);
	}
	if (password) {
		a->password = kt_ptr(password);
		a->password_len = strlen(password);
	}
	if (domain) {
		a->domain = kt_ptr(domain);
		a->domain_len = strlen(domain);
	}
}

uint32_t kt_acquire_call(int fd, struct ksspi_acquire_credentials *a)
{
	int ret = kt_ioctl(fd, KSSPI_IOC_ACQUIRE_CREDENTIALS, a);

	return kt_st(ret, a->status);
}

uint32_t kt_acquire(int fd, uint32_t use, const char *user,
		    const char *password, struct ksspi_handle *cred)
{
	struct ksspi_acquire_credentials a;
	uint32_t st;

	kt_acquire_init(&a, use, user, password, NULL);
	st = kt_acquire_call(fd, &a);
	if (st == SEC_E_OK && cred)
		*cred = a.credential;
	return st;
}

static uint32_t kt_handle_op(int fd, unsigned long ioc,
			     const struct ksspi_handle *h)
{
	struct ksspi_handle_op op;
	int ret;

	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	op.handle = *h;
	ret = kt_ioctl(fd, ioc, &op);
	return kt_st(ret, op.status);
}

uint32_t kt_free_cred(int fd, const struct ksspi_handle *h)
{
	return kt_handle_op(fd, KSSPI_IOC_FREE_CREDENTIALS, h);
}

uint32_t kt_delete_ctx(int fd, const struct ksspi_handle *h)
{
	return kt_handle_op(fd, KSSPI_IOC_DELETE_CONTEXT, h);
}

/* ------------------------------------------------------------------ */
/* handshake legs */

static void kt_desc_one(struct ksspi_sec_buffer_desc *d,
			struct ksspi_sec_buffer *b, const void *p,
			uint32_t len)
{
	memset(b, 0, sizeof(*b));
	b->cb_buffer = len;
	b->buffer_type = SECBUFFER_TOKEN;
	b->pv_buffer = kt_ptr(p);
	d->ul_version = SECBUFFER_VERSION;
	d->c_buffers = 1;
	d->p_buffers = kt_ptr(b);
}

void kt_isc_init(struct kt_isc *l, const struct ksspi_handle *cred,
		 const struct ksspi_handle *ctx, uint32_t req,
		 const char *target, const void *in, uint32_t in_len,
		 void *out, uint32_t out_cap)
{
	struct ksspi_init_context *a = &l->a;

	memset(l, 0, sizeof(*l));
	a->size = sizeof(*a);
	a->present = KSSPI_ARG_NEW_CONTEXT | KSSPI_ARG_EXPIRY;
	a->context_req = req;
	a->target_data_rep = SECURITY_NATIVE_DREP;
	if (cred) {
		a->present |= KSSPI_ARG_CREDENTIAL;
		a->credential = *cred;
	}
	if (ctx) {
		a->present |= KSSPI_ARG_CONTEXT;
		a->context = *ctx;
	}
	if (target) {
		a->present |= KSSPI_ARG_TARGET;
		a->target_name = kt_ptr(target);
		a->target_name_len = strlen(target);
	}
	if (in) {
		a->present |= KSSPI_ARG_INPUT;
		kt_desc_one(&a->input, &l->in[0], in, in_len);
	}
	if (out) {
		a->present |= KSSPI_ARG_OUTPUT;
		kt_desc_one(&a->output, &l->out[0], out, out_cap);
	}
}

uint32_t kt_isc_call(int fd, struct kt_isc *l)
{
	int ret = kt_ioctl(fd, KSSPI_IOC_INIT_CONTEXT, &l->a);

	return kt_st(ret, l->a.status);
}

void kt_asc_init(struct kt_asc *l, const struct ksspi_handle *cred,
		 const struct ksspi_handle *ctx, uint32_t req,
		 const void *in, uint32_t in_len, void *out, uint32_t out_cap)
{
	struct ksspi_accept_context *a = &l->a;

	memset(l, 0, sizeof(*l));
	a->size = sizeof(*a);
	a->present = KSSPI_ARG_NEW_CONTEXT | KSSPI_ARG_EXPIRY;
	a->context_req = req;
	a->target_data_rep = SECURITY_NATIVE_DREP;
	if (cred) {
		a->present |= KSSPI_ARG_CREDENTIAL;
		a->credential = *cred;
	}
	if (ctx) {
		a->present |= KSSPI_ARG_CONTEXT;
		a->context = *ctx;
	}
	if (in) {
		a->present |= KSSPI_ARG_INPUT;
		kt_desc_one(&a->input, &l->in[0], in, in_len);
	}
	if (out) {
		a->present |= KSSPI_ARG_OUTPUT;
		kt_desc_one(&a->output, &l->out[0], out, out_cap);
	}
}

uint32_t kt_asc_call(int fd, struct kt_asc *l)
{
	int ret = kt_ioctl(fd, KSSPI_IOC_ACCEPT_CONTEXT, &l->a);

	return kt_st(ret, l->a.status);
}

uint32_t kt_partial_ctx(int fd, const struct ksspi_handle *cred,
			struct ksspi_handle *ctx, void *tok, uint32_t *tok_len)
{
	uint8_t own[4096];
	struct kt_isc l;
	uint32_t st;

	if (!tok) {
		tok = own;
		tok_len = NULL;
	}
	kt_isc_init(&l, cred, NULL, KT_ISC_REQ, NULL, NULL, 0, tok,
		    tok_len ? *tok_len : sizeof(own));
	st = kt_isc_call(fd, &l);
	if (st == SEC_I_CONTINUE_NEEDED && ctx)
		*ctx = l.a.new_context;
	if (tok_len)
		*tok_len = l.out[0].cb_buffer;
	return st;
}

uint32_t kt_hs_init(struct kt_hs *hs, int cfd, int sfd,
		    const char *cuser, const char *cpass,
		    const char *suser, const char *spass)
{
	uint32_t st;

	memset(hs, 0, sizeof(*hs));
	hs->cfd = cfd;
	hs->sfd = sfd;
	hs->creq = KT_ISC_REQ;
	hs->sreq = KT_ASC_REQ;
	st = kt_acquire(cfd, SECPKG_CRED_OUTBOUND, cuser, cpass, &hs->ccred);
	if (st != SEC_E_OK)
		return st;
	hs->have_ccred = true;
	st = kt_acquire(sfd, SECPKG_CRED_INBOUND, suser, spass, &hs->scred);
	if (st != SEC_E_OK)
		return st;
	hs->have_scred = true;
	return SEC_E_OK;
}

uint32_t kt_hs_run(struct kt_hs *hs)
{
	uint8_t *ctok = NULL, *stok = NULL;
	struct kt_isc *isc = NULL;
	struct kt_asc *asc = NULL;
	uint32_t clen, slen, st;

	ctok = malloc(KSSPI_MAX_TOKEN);
	stok = malloc(KSSPI_MAX_TOKEN);
	isc = malloc(sizeof(*isc));
	asc = malloc(sizeof(*asc));
	if (!ctok || !stok || !isc || !asc) {
		st = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}

	/* leg 1: client, no input */
	hs->failed_leg = 1;
	kt_isc_init(isc, &hs->ccred, NULL, hs->creq, hs->target, NULL, 0,
		    ctok, KSSPI_MAX_TOKEN);
	st = kt_isc_call(hs->cfd, isc);
	if (st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED) {
		hs->cctx = isc->a.new_context;
		hs->have_cctx = true;
	}
	if (st != SEC_I_CONTINUE_NEEDED)
		goto bad;
	clen = isc->out[0].cb_buffer;

	/* leg 2: server, first call */
	hs->failed_leg = 2;
	kt_asc_init(asc, &hs->scred, NULL, hs->sreq, ctok, clen, stok,
		    KSSPI_MAX_TOKEN);
	st = kt_asc_call(hs->sfd, asc);
	if (st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED) {
		hs->sctx = asc->a.new_context;
		hs->have_sctx = true;
	}
	if (st != SEC_I_CONTINUE_NEEDED)
		goto bad;
	slen = asc->out[0].cb_buffer;

	/* leg 3: client completes */
	hs->failed_leg = 3;
	kt_isc_init(isc, &hs->ccred, &hs->cctx, hs->creq, hs->target, stok,
		    slen, ctok, KSSPI_MAX_TOKEN);
	st = kt_isc_call(hs->cfd, isc);
	if (st != SEC_E_OK)
		goto bad;
	clen = isc->out[0].cb_buffer;
	hs->cattr = isc->a.context_attr;
	hs->cexpiry = isc->a.expiry;

	/* leg 4: server completes */
	hs->failed_leg = 4;
	kt_asc_init(asc, &hs->scred, &hs->sctx, hs->sreq, ctok, clen, stok,
		    KSSPI_MAX_TOKEN);
	st = kt_asc_call(hs->sfd, asc);
	if (st != SEC_E_OK)
		goto bad;
	hs->sattr = asc->a.context_attr;
	hs->sexpiry = asc->a.expiry;
	hs->failed_leg = 0;
	goto out;
bad:
	if (st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED)
		st = KT_PROTOCOL_STATUS(hs->failed_leg);
out:
	free(ctok);
	free(stok);
	free(isc);
	free(asc);
	return st;
}

void kt_hs_delete(struct kt_hs *hs)
{
	if (hs->have_cctx)
		kt_delete_ctx(hs->cfd, &hs->cctx);
	if (hs->have_sctx)
		kt_delete_ctx(hs->sfd, &hs->sctx);
	hs->have_cctx = hs->have_sctx = false;
}

void kt_hs_free(struct kt_hs *hs)
{
	kt_hs_delete(hs);
	if (hs->have_ccred)
		kt_free_cred(hs->cfd, &hs->ccred);
	if (hs->have_scred)
		kt_free_cred(hs->sfd, &hs->scred);
	hs->have_ccred = hs->have_scred = false;
}

/* ------------------------------------------------------------------ */
/* message functions */

void kt_msg_init(struct kt_msg *m, const struct ksspi_handle *ctx)
{
	memset(m, 0, sizeof(*m));
	m->a.size = sizeof(m->a);
	if (ctx)
		m->a.context = *ctx;
	m->a.message.ul_version = SECBUFFER_VERSION;
	m->a.message.c_buffers = 0;
	m->a.message.p_buffers = kt_ptr(m->b);
}

void kt_msg_add(struct kt_msg *m, uint32_t type, void *p, uint32_t len)
{
	struct ksspi_sec_buffer *b;

	if (m->a.message.c_buffers >= KT_MAXB)
		abort();
	b = &m->b[m->a.message.c_buffers++];
	b->buffer_type = type;
	b->cb_buffer = len;
	b->pv_buffer = kt_ptr(p);
}

uint32_t kt_msg_call(int fd, unsigned long ioc, struct kt_msg *m)
{
	int ret = kt_ioctl(fd, ioc, &m->a);

	return kt_st(ret, m->a.status);
}

uint32_t kt_sign(int fd, const struct ksspi_handle *ctx, void *data,
		 uint32_t len, void *sig, uint32_t *sig_len)
{
	struct kt_msg m;
	uint32_t st;

	kt_msg_init(&m, ctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, len);
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, KT_SIG_LEN);
	st = kt_msg_call(fd, KSSPI_IOC_MAKE_SIGNATURE, &m);
	if (sig_len)
		*sig_len = m.b[1].cb_buffer;
	return st;
}

uint32_t kt_verify(int fd, const struct ksspi_handle *ctx, void *data,
		   uint32_t len, void *sig, uint32_t sig_len)
{
	struct kt_msg m;

	kt_msg_init(&m, ctx);
	kt_msg_add(&m, SECBUFFER_DATA, data, len);
	kt_msg_add(&m, SECBUFFER_TOKEN, sig, sig_len);
	return kt_msg_call(fd, KSSPI_IOC_VERIFY_SIGNATURE, &m);
}

uint32_t kt_sign_verify(int sfd, const struct ksspi_handle *signer,
			int vfd, const struct ksspi_handle *verifier,
			const char *text)
{
	uint8_t sig[KT_SIG_LEN];
	uint32_t sig_len = 0, st;
	char *data = strdup(text);

	if (!data)
		return SEC_E_INSUFFICIENT_MEMORY;
	st = kt_sign(sfd, signer, data, strlen(data), sig, &sig_len);
	if (st == SEC_E_OK)
		st = kt_verify(vfd, verifier, data, strlen(data), sig, sig_len);
	free(data);
	return st;
}

static uint32_t kt_le32(const void *p)
{
	const uint8_t *b = p;

	return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}

uint32_t kt_sig_seq(const void *sig)
{
	return kt_le32((const uint8_t *)sig + 4);
}

uint32_t kt_sig_version(const void *sig)
{
	return kt_le32(sig);
}

/* ------------------------------------------------------------------ */
/* attributes, export, import */

uint32_t kt_query_attr(int fd, const struct ksspi_handle *ctx, uint32_t attr,
		       void *buf, uint32_t *len)
{
	struct ksspi_query_attributes q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.context = *ctx;
	q.attribute = attr;
	q.buffer_len = *len;
	q.buffer = kt_ptr(buf);
	ret = kt_ioctl(fd, KSSPI_IOC_QUERY_ATTRIBUTES, &q);
	if (!ret)
		*len = q.buffer_len;
	return kt_st(ret, q.status);
}

uint32_t kt_export(int fd, const struct ksspi_handle *ctx, uint32_t flags,
		   void *buf, uint32_t *len)
{
	struct ksspi_export_context e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.context = *ctx;
	e.flags = flags;
	e.buffer_len = *len;
	e.buffer = kt_ptr(buf);
	ret = kt_ioctl(fd, KSSPI_IOC_EXPORT_CONTEXT, &e);
	if (!ret)
		*len = e.buffer_len;
	return kt_st(ret, e.status);
}

uint32_t kt_import(int fd, const char *package, const void *blob,
		   uint32_t len, struct ksspi_handle *ctx)
{
	struct ksspi_import_context im;
	int ret;

	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.package = kt_ptr(package);
	im.package_len = strlen(package);
	im.blob = kt_ptr(blob);
	im.blob_len = len;
	ret = kt_ioctl(fd, KSSPI_IOC_IMPORT_CONTEXT, &im);
	if (!ret && ctx)
		*ctx = im.context;
	return kt_st(ret, im.status);
}

const void *kt_blob_record(const void *blob, uint32_t blob_len,
			   uint16_t type, uint32_t *len)
{
	const uint8_t *b = blob;
	uint32_t off, hlen;

	if (blob_len < sizeof(struct ksspi_ctx_header))
		return NULL;
	hlen = b[6] | (b[7] << 8);
	off = hlen;
	while (off + sizeof(struct ksspi_ctx_record) <= blob_len) {
		const uint8_t *r = b + off;
		uint16_t rtype = r[0] | (r[1] << 8);
		uint32_t rlen = kt_le32(r + 4);

		if (rlen > blob_len - off - sizeof(struct ksspi_ctx_record))
			return NULL;
		if (rtype == type) {
			*len = rlen;
			return r + sizeof(struct ksspi_ctx_record);
		}
		off += sizeof(struct ksspi_ctx_record) + ((rlen + 7) & ~7u);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* stats */

static int kt_read_file(const char *path, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got + 1 < cap) {
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = 0;
	close(fd);
	return (int)got;
}

static long long kt_stat_in(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int kt_stats_read(struct kt_stats *s)
{
	char buf[16384];
	const char *p;
	int ret = kt_read_file(KT_STATS, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	s->helper_pid = kt_stat_in(buf, "helper_pid");
	s->helper_generation = kt_stat_in(buf, "helper_generation");
	s->upcalls_in_flight = kt_stat_in(buf, "upcalls_in_flight");
	s->upcalls_total = kt_stat_in(buf, "upcalls_total");
	s->upcalls_failed = kt_stat_in(buf, "upcalls_failed");
	s->upcalls_timed_out = kt_stat_in(buf, "upcalls_timed_out");
	s->credentials_live = kt_stat_in(buf, "credentials_live");
	s->contexts_live = kt_stat_in(buf, "contexts_live");
	s->pkg_credentials = s->pkg_contexts = -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char name[KSSPI_MAX_PACKAGE_NAME + 1];
		long long c, x;

		if (sscanf(p, "package %64s credentials: %lld contexts: %lld",
			   name, &c, &x) == 3 && !strcmp(name, KT_PKG)) {
			s->pkg_credentials = c;
			s->pkg_contexts = x;
		}
	}
	return 0;
}

long long kt_stat(const char *key)
{
	char buf[16384];

	if (kt_read_file(KT_STATS, buf, sizeof(buf)) < 0)
		return -1;
	return kt_stat_in(buf, key);
}

void kt_msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int kt_wait_stat(const char *key, long long want, int timeout_ms)
{
	uint64_t start = kt_now_ns();

	for (;;) {
		if (kt_stat(key) == want)
			return 0;
		if (kt_ms_since(start) > timeout_ms)
			return -ETIMEDOUT;
		kt_msleep(5);
	}
}

int kt_wait_stat_ge(const char *key, long long want, int timeout_ms)
{
	uint64_t start = kt_now_ns();

	for (;;) {
		if (kt_stat(key) >= want)
			return 0;
		if (kt_ms_since(start) > timeout_ms)
			return -ETIMEDOUT;
		kt_msleep(2);
	}
}

int kt_wait_live(long long creds, long long ctxs, int timeout_ms)
{
	uint64_t start = kt_now_ns();
	struct kt_stats s;

	for (;;) {
		if (!kt_stats_read(&s) && s.credentials_live == creds &&
		    s.contexts_live == ctxs)
			return 0;
		if (kt_ms_since(start) > timeout_ms)
			return -ETIMEDOUT;
		kt_msleep(5);
	}
}

/* ------------------------------------------------------------------ */
/* helper daemon */

long long kt_helper_pid(void)
{
	return kt_stat("helper_pid");
}

int kt_kill_helper(int timeout_ms)
{
	long long pid = kt_helper_pid();

	if (pid < 0)
		return -ENOENT;
	if (pid == 0)
		return 0;
	if (kill((pid_t)pid, SIGKILL) < 0 && errno != ESRCH)
		return -errno;
	return kt_wait_stat("helper_pid", 0, timeout_ms);
}

static const char *kt_helper_path(char *buf, size_t cap)
{
	const char *p = getenv("KSSPID");
	const char *top = getenv("KSSPI_TOP");

	if (p && *p)
		return p;
	if (top && *top) {
		snprintf(buf, cap, "%s/helper/ksspid", top);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

int kt_start_helper(int timeout_ms)
{
	return kt_start_helper_args(timeout_ms, NULL);
}

int kt_start_helper_args(int timeout_ms, const char *const *args)
{
	char pathbuf[PATH_MAX];
	const char *path = kt_helper_path(pathbuf, sizeof(pathbuf));
	long long old_gen = kt_stat("helper_generation");
	uint64_t start;
	pid_t pid;
	int status;

	if (!path)
		return -ENOENT;
	if (access(path, X_OK) < 0)
		return -errno;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/*
		 * Double fork: the daemon must outlive the test and must not
		 * be in the harness' process group (a harness timeout
		 * SIGKILLs the whole group).
		 */
		pid_t gc;
		int fd;

		setsid();
		gc = fork();
		if (gc != 0)
			_exit(gc < 0 ? 1 : 0);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		fd = open(getenv("KSSPI_SELFTEST_HELPER_LOG") ?
			  getenv("KSSPI_SELFTEST_HELPER_LOG") :
			  "/tmp/ksspid-selftest.log",
			  O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		{
			const char *argv[32] = { path, "--foreground" };
			size_t n = 2;

			while (args && *args && n < 31)
				argv[n++] = *args++;
			argv[n] = NULL;
			execv(path, (char *const *)argv);
		}
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;

	start = kt_now_ns();
	for (;;) {
		long long hp = kt_helper_pid();
		long long gen = kt_stat("helper_generation");

		if (hp > 0 && gen != old_gen)
			return 0;
		if (kt_ms_since(start) > timeout_ms)
			return -ETIMEDOUT;
		kt_msleep(10);
	}
}

int kt_ensure_helper(void)
{
	long long pid = kt_helper_pid();

	if (pid < 0)
		return -ENOENT;		/* no stats: module not loaded? */
	if (pid > 0)
		return 0;
	return kt_start_helper(15000);
}

/* ------------------------------------------------------------------ */
/* ping */

ssize_t kt_ping(const void *buf, size_t len, void *echo, size_t echo_cap)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(KT_PING, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	if ((size_t)n != len) {
		close(fd);
		return -EIO;
	}
	if (!echo) {
		close(fd);
		return n;
	}
	while (got < echo_cap) {
		n = pread(fd, (uint8_t *)echo + got, echo_cap - got, got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	return (ssize_t)got;
}

/* ------------------------------------------------------------------ */
/* module parameters */

int kt_param_read(const char *name, long long *val)
{
	char path[256], buf[64];
	int ret;

	snprintf(path, sizeof(path), KT_PARAMS "/%s", name);
	ret = kt_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	*val = strtoll(buf, NULL, 0);
	return 0;
}

int kt_param_write(const char *name, long long val)
{
	char path[256], buf[64];
	int fd, len;
	ssize_t n;

	snprintf(path, sizeof(path), KT_PARAMS "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%lld\n", val);
	n = write(fd, buf, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return n == len ? 0 : -EIO;
}

#define KT_TIMEOUT_JOURNAL "/tmp/ksspi-selftest-upcall_timeout_ms.saved"

int kt_timeout_set(long long ms)
{
	long long cur;
	int ret;

	ret = kt_timeout_restore();
	if (ret)
		return ret;
	ret = kt_param_read("upcall_timeout_ms", &cur);
	if (ret)
		return ret;
	{
		FILE *f = fopen(KT_TIMEOUT_JOURNAL, "w");

		if (!f)
			return -errno;
		fprintf(f, "%lld\n", cur);
		if (fclose(f))
			return -EIO;
	}
	return kt_param_write("upcall_timeout_ms", ms);
}

int kt_timeout_restore(void)
{
	char buf[64];
	int ret = kt_read_file(KT_TIMEOUT_JOURNAL, buf, sizeof(buf));

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	ret = kt_param_write("upcall_timeout_ms", strtoll(buf, NULL, 0));
	if (ret)
		return ret;
	return unlink(KT_TIMEOUT_JOURNAL) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* misc */

uint64_t kt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

double kt_ms_since(uint64_t start_ns)
{
	return (double)(kt_now_ns() - start_ns) / 1e6;
}

void kt_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		p += n;
		len -= n;
	}
}

#define KT_EPOCH_1601	11644473600LL	/* seconds from 1601 to 1970 */
#define KT_TICKS	10000000LL	/* 100 ns ticks per second */

int64_t kt_now_timestamp(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return ((int64_t)now + tm.tm_gmtoff + KT_EPOCH_1601) * KT_TICKS;
}

bool kt_timestamp_plausible(int64_t ts)
{
	int64_t now = kt_now_timestamp();
	int64_t day = 86400LL * KT_TICKS;

	if (ts == KSSPI_TIMESTAMP_NEVER)
		return true;
	return ts >= now - day && ts <= now + 36525LL * day;
}

int kt_drop_privileges(void)
{
	if (setgroups(0, NULL) < 0)
		return -errno;
	if (setresgid(KT_NOBODY, KT_NOBODY, KT_NOBODY) < 0)
		return -errno;
	if (setresuid(KT_NOBODY, KT_NOBODY, KT_NOBODY) < 0)
		return -errno;
	if (geteuid() != KT_NOBODY || getuid() != KT_NOBODY)
		return -EPERM;
	return 0;
}

void *kt_shared_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int kt_wait_child(pid_t pid, int timeout_ms)
{
	uint64_t start = kt_now_ns();
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0)
			return -1;
		if (kt_ms_since(start) > timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		kt_msleep(2);
	}
}

long kt_env_long(const char *name, long def)
{
	const char *v = getenv(name);
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, NULL, 0);
	return n > 0 ? n : def;
}

/* ------------------------------------------------------------------ */
/* NTLM contexts with the keys of MS-NLMP 4.2.4 */

static const uint8_t kt_c2s_sign[16] = {
	0x47, 0x88, 0xdc, 0x86, 0x1b, 0x47, 0x82, 0xf3,
	0x5d, 0x43, 0xfd, 0x98, 0xfe, 0x1a, 0x2d, 0x39 };
static const uint8_t kt_c2s_seal[16] = {
	0x59, 0xf6, 0x00, 0x97, 0x3c, 0xc4, 0x96, 0x0a,
	0x25, 0x48, 0x0a, 0x7c, 0x19, 0x6e, 0x4c, 0x58 };
static const uint8_t kt_s2c_sign[16] = {
	0xd0, 0x4d, 0x6f, 0x10, 0x74, 0x10, 0x41, 0xd1,
	0xd2, 0x46, 0xd6, 0x41, 0x88, 0xd7, 0xa8, 0xad };
static const uint8_t kt_s2c_seal[16] = {
	0x93, 0x55, 0xf3, 0xa9, 0x57, 0xc1, 0x58, 0x3d,
	0x25, 0xc4, 0xc2, 0xf1, 0x1e, 0x40, 0x39, 0x0e };

void kt_blob_rec(struct kt_blob *bl, uint16_t type, const void *v,
		 uint32_t len)
{
	struct ksspi_ctx_record r = {
		.type = htole16(type),
		.flags = htole16(KSSPI_CTX_REC_CRITICAL),
		.len = htole32(len),
	};

	memcpy(bl->b + bl->len, &r, sizeof(r));
	memcpy(bl->b + bl->len + sizeof(r), v, len);
	bl->len += sizeof(r) + ((len + 7) & ~7u);
}

void kt_ntlm_blob(struct kt_blob *bl, bool client, bool as_from_helper)
{
	struct ksspi_ctx_header *h = (void *)bl->b;
	uint32_t flags = htole32(KT_NTLM_FLAGS);
	static const uint8_t session_key[16] = { 0x55, 0x55, 0x55, 0x55 };
	uint64_t zero = 0;

	memset(bl, 0, sizeof(*bl));
	bl->len = sizeof(*h);
	kt_blob_rec(bl, KSSPI_CTX_REC_CLIENT_NAME, "Domain\\User", 11);
	if (as_from_helper) {
		kt_blob_rec(bl, KSSPI_CTX_REC_SERVER_NAME, "host/srv.test.local",
			    19);
		kt_blob_rec(bl, KSSPI_CTX_REC_SESSION_KEY, session_key,
			    sizeof(session_key));
	}
	kt_blob_rec(bl, KSSPI_CTX_REC_SEND_SEQ, &zero, 8);
	kt_blob_rec(bl, KSSPI_CTX_REC_RECV_SEQ, &zero, 8);
	kt_blob_rec(bl, KSSPI_CTX_REC_NTLM_FLAGS, &flags, 4);
	kt_blob_rec(bl, KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT,
		    client ? kt_c2s_sign : kt_s2c_sign, 16);
	kt_blob_rec(bl, KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT,
		    client ? kt_c2s_seal : kt_s2c_seal, 16);
	kt_blob_rec(bl, KSSPI_CTX_REC_NTLM_SIGN_KEY_IN,
		    client ? kt_s2c_sign : kt_c2s_sign, 16);
	kt_blob_rec(bl, KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
		    client ? kt_s2c_seal : kt_c2s_seal, 16);
	h->magic = htole32(KSSPI_CTX_MAGIC);
	h->version = htole16(KSSPI_CTX_VERSION);
	h->header_len = htole16(sizeof(*h));
	h->total_len = htole32(bl->len);
	h->flags = htole32(client ? KSSPI_CTX_F_INITIATOR : 0);
	h->context_attr = htole32(KT_NTLM_ATTR);
	strcpy(h->package, "NTLM");
}

/* ------------------------------------------------------------------ */
/* generic netlink */

struct kt_nlbuf {
	uint8_t data[1024];
	size_t len;
};

static void kt_nl_put(struct kt_nlbuf *b, uint16_t type, const void *p,
		      uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(b->data + b->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, p, len);
	b->len += NLA_ALIGN(a->nla_len);
}

static int kt_nl_talk(int sock, struct kt_nlbuf *b, uint16_t type,
		      uint8_t cmd, uint8_t version, void *reply,
		      size_t reply_cap)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)b->data;
	struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(nlh);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static __thread uint32_t seq = 1;
	uint32_t myseq = ++seq;
	ssize_t n;

	nlh->nlmsg_len = b->len;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = myseq;
	nlh->nlmsg_pid = 0;
	g->cmd = cmd;
	g->version = version;
	g->reserved = 0;
	if (sendto(sock, b->data, b->len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;

	for (;;) {
		uint8_t buf[8192];
		struct nlmsghdr *h;
		size_t left;

		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != myseq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (reply && h->nlmsg_len <= reply_cap)
				memcpy(reply, h, h->nlmsg_len);
		}
	}
}

int kt_genl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(s);
		return e;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}




/* The attributes of a reply, as an (address, length) walk. */
static struct nlattr *kt_nla_find(void *attrs, size_t len, uint16_t type)
{
	struct nlattr *a = attrs;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

/*
 * Sends the command in @b and finds the attributes of its reply in @reply:
 * 0 or -errno (-EBADMSG: no reply, or one too short).
 */
static int kt_genl_ask(int sock, struct kt_nlbuf *b, uint16_t type,
		       uint8_t cmd, uint8_t version, uint8_t *reply,
		       size_t reply_cap, void **attrs, size_t *len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	int ret;

	memset(reply, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	ret = kt_nl_talk(sock, b, type, cmd, version, reply, reply_cap);
	if (ret < 0)
		return ret;
	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	*attrs = reply + NLMSG_HDRLEN + GENL_HDRLEN;
	*len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return 0;
}

/* CTRL_CMD_GETFAMILY: the attributes of the family @name */
static int kt_genl_getfamily(int sock, const char *name, uint8_t *reply,
			     size_t reply_cap, void **attrs, size_t *len)
{
	struct kt_nlbuf b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.len = NLMSG_HDRLEN + GENL_HDRLEN;
	kt_nl_put(&b, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	ret = kt_genl_ask(sock, &b, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
			  reply, reply_cap, attrs, len);
	return ret == -EBADMSG ? -ENOENT : ret;
}

int kt_genl_family(int sock, const char *name)
{
	uint8_t reply[4096];
	struct nlattr *a;
	uint16_t id;
	void *attrs;
	size_t len;
	int ret;

	ret = kt_genl_getfamily(sock, name, reply, sizeof(reply), &attrs, &len);
	if (ret < 0)
		return ret;
	a = kt_nla_find(attrs, len, CTRL_ATTR_FAMILY_ID);
	if (!a || a->nla_len < NLA_HDRLEN + sizeof(id))
		return -ENOENT;
	memcpy(&id, (uint8_t *)a + NLA_HDRLEN, sizeof(id));
	return id;
}

int kt_genl_group(int sock, const char *family, const char *group)
{
	uint8_t reply[4096];
	struct nlattr *groups, *g;
	void *attrs;
	size_t len, left;
	int ret;

	ret = kt_genl_getfamily(sock, family, reply, sizeof(reply), &attrs,
				&len);
	if (ret < 0)
		return ret;
	groups = kt_nla_find(attrs, len, CTRL_ATTR_MCAST_GROUPS);
	if (!groups)
		return -ENOENT;
	g = (struct nlattr *)((uint8_t *)groups + NLA_HDRLEN);
	left = groups->nla_len - NLA_HDRLEN;
	while (left >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN &&
	       g->nla_len <= left) {
		struct nlattr *name, *id;

		name = kt_nla_find((uint8_t *)g + NLA_HDRLEN,
				   g->nla_len - NLA_HDRLEN,
				   CTRL_ATTR_MCAST_GRP_NAME);
		id = kt_nla_find((uint8_t *)g + NLA_HDRLEN,
				 g->nla_len - NLA_HDRLEN,
				 CTRL_ATTR_MCAST_GRP_ID);
		if (name && id && !strcmp((char *)name + NLA_HDRLEN, group)) {
			uint32_t v;

			memcpy(&v, (uint8_t *)id + NLA_HDRLEN, sizeof(v));
			return (int)v;
		}
		if ((size_t)NLA_ALIGN(g->nla_len) >= left)
			break;
		left -= (size_t)NLA_ALIGN(g->nla_len);
		g = (struct nlattr *)((uint8_t *)g + NLA_ALIGN(g->nla_len));
	}
	return -ENOENT;
}

int kt_genl_ksspi_cmd(int sock, int family, uint8_t cmd)
{
	struct kt_nlbuf b;
	uint32_t u32;
	uint64_t u64;

	memset(&b, 0, sizeof(b));
	b.len = NLMSG_HDRLEN + GENL_HDRLEN;
	switch (cmd) {
	case KSSPI_CMD_HELPER_REGISTER:
		u32 = KSSPI_GENL_VERSION;
		kt_nl_put(&b, KSSPI_A_PROTOCOL_VERSION, &u32, sizeof(u32));
		kt_nl_put(&b, KSSPI_A_HELPER_VERSION, "selftest",
			  sizeof("selftest"));
		break;
	case KSSPI_CMD_REQUEST_DONE:
		u64 = 0xfeedfacecafef00dull;
		kt_nl_put(&b, KSSPI_A_REQUEST_ID, &u64, sizeof(u64));
		u32 = SEC_E_OK;
		kt_nl_put(&b, KSSPI_A_STATUS, &u32, sizeof(u32));
		break;
	default:
		break;
	}
	return kt_nl_talk(sock, &b, (uint16_t)family, cmd, KSSPI_GENL_VERSION,
			  NULL, 0);
}


int kt_genl_fetch(int sock, int family, uint8_t cmd, uint64_t *request_id,
		  uint32_t *queued)
{
	uint8_t reply[8192];
	struct kt_nlbuf b;
	struct nlattr *a;
	void *attrs;
	size_t len;
	int ret;

	memset(&b, 0, sizeof(b));
	b.len = NLMSG_HDRLEN + GENL_HDRLEN;
	ret = kt_genl_ask(sock, &b, (uint16_t)family, cmd, KSSPI_GENL_VERSION,
			  reply, sizeof(reply), &attrs, &len);
	if (ret < 0)
		return ret;
	if (request_id) {
		a = kt_nla_find(attrs, len, KSSPI_A_REQUEST_ID);
		if (!a || a->nla_len != NLA_HDRLEN + sizeof(*request_id))
			return -EBADMSG;
		memcpy(request_id, (uint8_t *)a + NLA_HDRLEN,
		       sizeof(*request_id));
	}
	a = kt_nla_find(attrs, len, KSSPI_A_QUEUED);
	if (!a || a->nla_len != NLA_HDRLEN + sizeof(*queued))
		return -EBADMSG;
	memcpy(queued, (uint8_t *)a + NLA_HDRLEN, sizeof(*queued));
	return 0;
}

int kt_genl_answer(int sock, int family, uint64_t request_id,
		   uint32_t status, const void *token, uint16_t token_len)
{
	struct kt_nlbuf b;

	if (token_len > sizeof(b.data) / 2)
		return -EMSGSIZE;
	memset(&b, 0, sizeof(b));
	b.len = NLMSG_HDRLEN + GENL_HDRLEN;
	kt_nl_put(&b, KSSPI_A_REQUEST_ID, &request_id, sizeof(request_id));
	kt_nl_put(&b, KSSPI_A_STATUS, &status, sizeof(status));
	if (token_len)
		kt_nl_put(&b, KSSPI_A_TOKEN, token, token_len);
	return kt_nl_talk(sock, &b, (uint16_t)family, KSSPI_CMD_REQUEST_DONE,
			  KSSPI_GENL_VERSION, NULL, 0);
}

int kt_genl_next_wake(int sock, int family, int timeout_ms, uint32_t *what)
{
	uint64_t start = kt_now_ns();

	for (;;) {
		uint8_t buf[8192];
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int left = timeout_ms - (int)kt_ms_since(start);
		struct nlmsghdr *h;
		size_t n;
		ssize_t got;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, left) < 0)
			return -errno;
		if (!(pfd.revents & POLLIN))
			continue;
		got = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		n = (size_t)got;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *a;

			if (h->nlmsg_type != family ||
			    h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
			    g->cmd != KSSPI_CMD_WAKE)
				continue;
			a = kt_nla_find((uint8_t *)g + GENL_HDRLEN,
					h->nlmsg_len - NLMSG_HDRLEN -
					GENL_HDRLEN, KSSPI_A_WAKE);
			if (!a || a->nla_len != NLA_HDRLEN + sizeof(*what))
				return -EBADMSG;
			memcpy(what, (uint8_t *)a + NLA_HDRLEN, sizeof(*what));
			return 1;
		}
	}
}
