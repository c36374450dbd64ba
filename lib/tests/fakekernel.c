// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A fake /dev/ksspi for the unit tests: a userspace stand-in that checks
 * every structure the library hands it the way the ABI says the kernel does
 * (sizes, presence bits, reserved fields, buffer descriptors, string
 * lengths, embedded NULs) and implements two toy packages:
 *
 *   FakeTest  max_token 300   client "FK1|user|domain|pwhash|target" ->
 *                             server "FK2|OK" -> done; sign/seal with a
 *                             keyed (not cryptographic!) checksum; KEY_INFO
 *                             128 bits, "FNV-MAC" and "LCG-XOR"
 *   FakeBig   max_token 5000  same protocol; a non-ASCII comment
 *   FakeFour  max_token 300   four legs, like KsspiTest: "FK1|..." ->
 *                             "FK2|CH" (continue) -> "FK3" (client done)
 *                             -> no token (server done)
 *
 * The server's credential, when it has a password identity, must name the
 * same user and password as the client's; with default credentials any
 * password but "wrong" is accepted.  Key serial 42 is user "keyuser".
 * TimeStamps are UTC, as the ABI carries them: every expiry is fake_expiry
 * and a context's lifespan starts at fake_start.
 *
 * Nothing here is cryptography: it only has to tell an altered message
 * from an intact one.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/ksspi_context.h>

#include "mock.h"

#define FK_SLOTS	256
#define FK_MAC		16
/* SECPKG_ATTR_KEY_INFO algorithm ids of the toy signing and sealing */
#define FK_SIG_ALG	0x464B0001u
#define FK_ENC_ALG	0x464B0002u

enum { FK_FREE, FK_CRED, FK_CTX };

struct fk_obj {
	int kind;
	uint64_t gen;
	int pkg;
	/* credential */
	uint32_t use;
	uint32_t identity;
	char user[KSSPI_MAX_NAME + 1];
	char domain[KSSPI_MAX_NAME + 1];
	uint64_t pwhash;
	/* context */
	bool initiator;
	bool established;
	char client[2 * KSSPI_MAX_NAME + 2];
	char target[KSSPI_MAX_NAME + 1];
	uint8_t key[16];
	uint32_t send_seq, recv_seq;
	uint32_t attr;
};

static const struct ksspi_package_info fk_packages[] = {
	{
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |
				SECPKG_FLAG_CONNECTION |
				SECPKG_FLAG_MUTUAL_AUTH,
		.version = 1, .rpc_id = 0xFFFF, .max_token = 300,
		.name = "FakeTest", .comment = "Fake test package",
	},
	{
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_CONNECTION,
		.version = 2, .rpc_id = 0xFFFE, .max_token = 5000,
		.name = "FakeBig",
		/* "Fäke ✓ 𝄞": two-, three- and four-byte UTF-8 */
		.comment = "F\xc3\xa4ke \xe2\x9c\x93 \xf0\x9d\x84\x9e",
	},
	{
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_CONNECTION,
		.version = 1, .rpc_id = 0xFFFD, .max_token = 300,
		.name = "FakeFour", .comment = "Four legs",
	},
};

#define FK_FOUR	2	/* index of FakeFour */

static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fk_obj fk_objs[FK_SLOTS];
static uint64_t fk_gen;

int fake_enum_style;	/* 0: BUFFER_TOO_SMALL on a short array; 1: OK */

/* TimeStamps, in UTC as the ABI carries them */
int64_t fake_expiry = KSSPI_TIMESTAMP_NEVER;
int64_t fake_start = 0x01d0000000000000ll;

void fake_kernel_reset(void)
{
	pthread_mutex_lock(&fk_lock);
	memset(fk_objs, 0, sizeof(fk_objs));
	pthread_mutex_unlock(&fk_lock);
}

unsigned int fake_kernel_objects(void)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&fk_lock);
	for (i = 0; i < FK_SLOTS; i++)
		n += fk_objs[i].kind != FK_FREE;
	pthread_mutex_unlock(&fk_lock);
	return n;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static void *uptr(uint64_t a)
{
	return (void *)(uintptr_t)a;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV0	0xcbf29ce484222325ull

/* A string argument: at most @max bytes, no embedded NUL */
static int check_string(uint64_t p, uint32_t len, uint32_t max)
{
	if (len > max)
		return -E2BIG;
	if (len && !p)
		return -EFAULT;
	if (len && memchr(uptr(p), 0, len))
		return -EINVAL;
	return 0;
}

static int check_handle_zero(const struct ksspi_handle *h)
{
	return (h->lower || h->upper) ? -EINVAL : 0;
}

static int check_desc(const struct ksspi_sec_buffer_desc *d, bool present)
{
	const struct ksspi_sec_buffer *b;
	uint32_t i;

	if (!present)
		return (d->ul_version || d->c_buffers || d->p_buffers) ?
			-EINVAL : 0;
	if (d->ul_version != SECBUFFER_VERSION)
		return -EINVAL;
	if (d->c_buffers > KSSPI_MAX_BUFFERS)
		return -E2BIG;
	if (d->c_buffers && !d->p_buffers)
		return -EFAULT;
	b = uptr(d->p_buffers);
	for (i = 0; i < d->c_buffers; i++) {
		if ((b[i].buffer_type & ~SECBUFFER_ATTRMASK) >
		    KSSPI_SECBUFFER_TYPE_MAX ||
		    (b[i].buffer_type & SECBUFFER_RESERVED))
			return -EINVAL;
		if (b[i].cb_buffer > KSSPI_MAX_MESSAGE)
			return -E2BIG;
	}
	return 0;
}

/* A buffer with a size but no memory is an SSPI-level mistake */
static SECURITY_STATUS desc_data_status(const struct ksspi_sec_buffer_desc *d,
					bool present)
{
	const struct ksspi_sec_buffer *b = uptr(d->p_buffers);
	uint32_t i;

	for (i = 0; present && i < d->c_buffers; i++)
		if (b[i].cb_buffer && !b[i].pv_buffer)
			return SEC_E_INVALID_PARAMETER;
	return SEC_E_OK;
}

static struct ksspi_sec_buffer *find_buffer(const struct ksspi_sec_buffer_desc *d,
					    uint32_t type)
{
	struct ksspi_sec_buffer *b = uptr(d->p_buffers);
	uint32_t i;

	for (i = 0; i < d->c_buffers; i++)
		if ((b[i].buffer_type & ~SECBUFFER_ATTRMASK) == type)
			return &b[i];
	return NULL;
}

static int find_package(const char *name, uint32_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fk_packages); i++)
		if (strlen(fk_packages[i].name) == len &&
		    !strncasecmp(fk_packages[i].name, name, len))
			return (int)i;
	return -1;
}

static struct fk_obj *lookup(const struct ksspi_handle *h, int kind)
{
	struct fk_obj *o;

	if (!h->lower || h->lower > FK_SLOTS)
		return NULL;
	o = &fk_objs[h->lower - 1];
	if (o->kind != kind || o->gen != h->upper)
		return NULL;
	return o;
}

static struct fk_obj *create(int kind, struct ksspi_handle *h)
{
	unsigned int i;

	for (i = 0; i < FK_SLOTS; i++) {
		if (fk_objs[i].kind == FK_FREE) {
			memset(&fk_objs[i], 0, sizeof(fk_objs[i]));
			fk_objs[i].kind = kind;
			fk_objs[i].gen = ++fk_gen;
			h->lower = i + 1;
			h->upper = fk_objs[i].gen;
			return &fk_objs[i];
		}
	}
	return NULL;
}

static void session_key(struct fk_obj *c, const char *user, uint64_t pwhash)
{
	uint64_t a = fnv(fnv(FNV0, user, strlen(user)), &pwhash, sizeof(pwhash));
	uint64_t b = fnv(a, "k2", 2);

	memcpy(c->key, &a, 8);
	memcpy(c->key + 8, &b, 8);
}

/* ---- packages --------------------------------------------------------- */

static int fk_query_package(struct ksspi_query_package *q)
{
	int r, p;

	if (q->size != sizeof(*q))
		return fail(EINVAL);
	if (q->flags)
		return fail(EINVAL);
	r = check_string(q->name, q->name_len, KSSPI_MAX_PACKAGE_NAME);
	if (r)
		return fail(-r);
	p = find_package(uptr(q->name), q->name_len);
	if (p < 0) {
		q->status = SEC_E_SECPKG_NOT_FOUND;
		return 0;
	}
	q->info = fk_packages[p];
	q->status = SEC_E_OK;
	return 0;
}

static int fk_enum_packages(struct ksspi_enum_packages *e)
{
	uint32_t n = ARRAY_SIZE(fk_packages);

	if (e->size != sizeof(*e) || e->flags)
		return fail(EINVAL);
	if (e->count && !e->packages)
		return fail(EFAULT);
	if (e->count < n) {
		e->status = fake_enum_style ? SEC_E_OK : SEC_E_BUFFER_TOO_SMALL;
		e->count = n;
		return 0;
	}
	memcpy(uptr(e->packages), fk_packages, sizeof(fk_packages));
	e->count = n;
	e->status = SEC_E_OK;
	return 0;
}

/* ---- credentials -------------------------------------------------------- */

static int fk_acquire(struct ksspi_acquire_credentials *a)
{
	struct fk_obj *o;
	int r, p;

	if (a->size != sizeof(*a) || a->flags)
		return fail(EINVAL);
	r = check_string(a->package, a->package_len, KSSPI_MAX_PACKAGE_NAME);
	if (!r)
		r = check_string(a->user, a->user_len, KSSPI_MAX_NAME);
	if (!r)
		r = check_string(a->domain, a->domain_len, KSSPI_MAX_NAME);
	if (!r)
		r = check_string(a->password, a->password_len,
				 KSSPI_MAX_PASSWORD);
	if (r)
		return fail(-r);
	if (a->identity_type > KSSPI_IDENTITY_KEY)
		return fail(EINVAL);
	if (a->identity_type != KSSPI_IDENTITY_PASSWORD &&
	    (a->user || a->domain || a->password || a->user_len ||
	     a->domain_len || a->password_len))
		return fail(EINVAL);
	if (a->identity_type != KSSPI_IDENTITY_KEY && a->key_serial)
		return fail(EINVAL);
	if (check_handle_zero(&a->credential) || a->expiry)
		return fail(EINVAL);

	p = find_package(uptr(a->package), a->package_len);
	if (p < 0) {
		a->status = SEC_E_SECPKG_NOT_FOUND;
		return 0;
	}
	if (a->credential_use < SECPKG_CRED_INBOUND ||
	    a->credential_use > SECPKG_CRED_BOTH) {
		a->status = SEC_E_UNKNOWN_CREDENTIALS;
		return 0;
	}
	if (a->identity_type == KSSPI_IDENTITY_KEY && a->key_serial != 42) {
		a->status = SEC_E_NO_CREDENTIALS;
		return 0;
	}
	o = create(FK_CRED, &a->credential);
	if (!o)
		return fail(ENOMEM);
	o->pkg = p;
	o->use = a->credential_use;
	o->identity = a->identity_type;
	if (a->identity_type == KSSPI_IDENTITY_PASSWORD) {
		if (a->user_len)
			memcpy(o->user, uptr(a->user), a->user_len);
		if (a->domain_len)
			memcpy(o->domain, uptr(a->domain), a->domain_len);
		o->pwhash = fnv(FNV0, uptr(a->password), a->password_len);
	} else if (a->identity_type == KSSPI_IDENTITY_KEY) {
		strcpy(o->user, "keyuser");
		o->pwhash = fnv(FNV0, "keypass", 7);
	}
	a->expiry = fake_expiry;
	a->status = SEC_E_OK;
	return 0;
}

static int fk_free(struct ksspi_handle_op *op, int kind)
{
	struct fk_obj *o;

	if (op->size != sizeof(*op))
		return fail(EINVAL);
	o = lookup(&op->handle, kind);
	if (!o) {
		op->status = SEC_E_INVALID_HANDLE;
		return 0;
	}
	memset(o, 0, sizeof(*o));
	op->status = SEC_E_OK;
	return 0;
}

/* ---- contexts --------------------------------------------------------- */

#define FK_ATTR_MASK	(ISC_REQ_MUTUAL_AUTH | ISC_REQ_REPLAY_DETECT | \
			 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONFIDENTIALITY | \
			 ISC_REQ_INTEGRITY | ISC_REQ_CONNECTION)
#define FK_ASC_MASK	(ASC_REQ_MUTUAL_AUTH | ASC_REQ_REPLAY_DETECT | \
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONFIDENTIALITY | \
			 ASC_REQ_INTEGRITY | ASC_REQ_CONNECTION)

/* Put @len bytes in the output token buffer */
static SECURITY_STATUS put_token(const struct ksspi_sec_buffer_desc *out,
				 const void *data, size_t len)
{
	struct ksspi_sec_buffer *t = find_buffer(out, SECBUFFER_TOKEN);

	if (!t)
		return len ? SEC_E_INVALID_PARAMETER : SEC_E_OK;
	if (t->cb_buffer < len)
		return SEC_E_BUFFER_TOO_SMALL;
	memcpy(uptr(t->pv_buffer), data, len);
	t->cb_buffer = (uint32_t)len;
	return SEC_E_OK;
}

/*
 * InitializeSecurityContext's buffers, the output as Windows judges it: no
 * descriptor, or none with a SECBUFFER_TOKEN, is SEC_E_BUFFER_TOO_SMALL; a
 * token buffer with a size but no memory SEC_E_INTERNAL_ERROR.
 */
static SECURITY_STATUS isc_buffers_status(const struct ksspi_init_context *c)
{
	const struct ksspi_sec_buffer *t;
	SECURITY_STATUS st;

	st = desc_data_status(&c->input, c->present & KSSPI_ARG_INPUT);
	if (st != SEC_E_OK)
		return st;
	if (!(c->present & KSSPI_ARG_OUTPUT))
		return SEC_E_BUFFER_TOO_SMALL;
	t = find_buffer(&c->output, SECBUFFER_TOKEN);
	if (!t)
		return SEC_E_BUFFER_TOO_SMALL;
	if (t->cb_buffer && !t->pv_buffer)
		return SEC_E_INTERNAL_ERROR;
	return desc_data_status(&c->output, true);
}

static int fk_init(struct ksspi_init_context *c)
{
	struct fk_obj *cred = NULL, *ctx;
	char token[3 * KSSPI_MAX_NAME + 64];
	struct ksspi_sec_buffer *in;
	SECURITY_STATUS st;
	int r;

	if (c->size != sizeof(*c) || c->flags)
		return fail(EINVAL);
	if (c->present & ~KSSPI_ARG_ALL)
		return fail(EINVAL);
	if (!(c->present & KSSPI_ARG_CREDENTIAL) &&
	    check_handle_zero(&c->credential))
		return fail(EINVAL);
	if (!(c->present & KSSPI_ARG_CONTEXT) &&
	    check_handle_zero(&c->context))
		return fail(EINVAL);
	if (check_handle_zero(&c->new_context) || c->expiry || c->context_attr)
		return fail(EINVAL);
	if (!(c->present & KSSPI_ARG_TARGET) &&
	    (c->target_name || c->target_name_len))
		return fail(EINVAL);
	r = check_string(c->target_name, c->target_name_len, KSSPI_MAX_NAME);
	if (!r)
		r = check_desc(&c->input, c->present & KSSPI_ARG_INPUT);
	if (!r)
		r = check_desc(&c->output, c->present & KSSPI_ARG_OUTPUT);
	if (r)
		return fail(-r);
	if (c->reserved1 || c->reserved2) {
		c->status = SEC_E_INVALID_PARAMETER;
		return 0;
	}
	if (c->context_req & ISC_REQ_ALLOCATE_MEMORY) {
		/* the library must keep this flag to itself */
		c->status = SEC_E_UNSUPPORTED_FUNCTION;
		return 0;
	}

	if (!(c->present & KSSPI_ARG_CONTEXT)) {
		/* first leg */
		if (!(c->present & KSSPI_ARG_CREDENTIAL)) {
			c->status = SEC_E_NO_CREDENTIALS;
			return 0;
		}
		cred = lookup(&c->credential, FK_CRED);
		if (!cred) {
			c->status = SEC_E_INVALID_HANDLE;
			return 0;
		}
		if (!(cred->use & SECPKG_CRED_OUTBOUND) ||
		    cred->identity == KSSPI_IDENTITY_NONE) {
			c->status = SEC_E_NO_CREDENTIALS;
			return 0;
		}
		if (!(c->present & KSSPI_ARG_NEW_CONTEXT)) {
			c->status = SEC_E_INVALID_PARAMETER;
			return 0;
		}
		st = isc_buffers_status(c);
		if (st != SEC_E_OK) {
			c->status = (uint32_t)st;
			return 0;
		}
		snprintf(token, sizeof(token), "FK1|%s|%s|%016" PRIx64 "|%.*s",
			 cred->user, cred->domain, cred->pwhash,
			 (int)c->target_name_len,
			 c->target_name_len ? (char *)uptr(c->target_name) : "");
		st = put_token(&c->output, token, strlen(token));
		if (st != SEC_E_OK) {
			c->status = (uint32_t)st;
			return 0;
		}
		ctx = create(FK_CTX, &c->new_context);
		if (!ctx)
			return fail(ENOMEM);
		ctx->pkg = cred->pkg;
		ctx->initiator = true;
		snprintf(ctx->client, sizeof(ctx->client), "%s\\%s",
			 cred->domain, cred->user);
		if (c->target_name_len)
			memcpy(ctx->target, uptr(c->target_name),
			       c->target_name_len);
		session_key(ctx, cred->user, cred->pwhash);
		ctx->attr = c->context_req & FK_ATTR_MASK;
		c->context_attr = ctx->attr;
		c->status = (uint32_t)SEC_I_CONTINUE_NEEDED;
		return 0;
	}

	ctx = lookup(&c->context, FK_CTX);
	if (!ctx || !ctx->initiator) {
		c->status = SEC_E_INVALID_HANDLE;
		return 0;
	}
	if (ctx->established) {
		c->status = SEC_E_OUT_OF_SEQUENCE;
		return 0;
	}
	st = isc_buffers_status(c);
	if (st != SEC_E_OK) {
		c->status = (uint32_t)st;
		return 0;
	}
	in = (c->present & KSSPI_ARG_INPUT) ?
		find_buffer(&c->input, SECBUFFER_TOKEN) : NULL;
	if (!in || in->cb_buffer != 6 ||
	    memcmp(uptr(in->pv_buffer), ctx->pkg == FK_FOUR ? "FK2|CH" :
		   "FK2|OK", 6)) {
		c->status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	st = put_token(&c->output, "FK3", ctx->pkg == FK_FOUR ? 3 : 0);
	if (st != SEC_E_OK) {
		c->status = (uint32_t)st;
		return 0;
	}
	ctx->established = true;
	if (c->present & KSSPI_ARG_NEW_CONTEXT)
		c->new_context = c->context;
	if (c->present & KSSPI_ARG_EXPIRY)
		c->expiry = fake_expiry;
	c->context_attr = ctx->attr;
	c->status = SEC_E_OK;
	return 0;
}

static int fk_accept(struct ksspi_accept_context *c)
{
	char user[KSSPI_MAX_NAME + 1], domain[KSSPI_MAX_NAME + 1];
	struct ksspi_sec_buffer *in;
	struct fk_obj *cred, *ctx;
	char tok[3 * KSSPI_MAX_NAME + 64];
	uint64_t pwhash;
	char *f[5], *s;
	SECURITY_STATUS st;
	int r, i;

	if (c->size != sizeof(*c) || c->flags || c->reserved)
		return fail(EINVAL);
	if (c->present & ~(KSSPI_ARG_ALL & ~KSSPI_ARG_TARGET))
		return fail(EINVAL);
	if (!(c->present & KSSPI_ARG_CREDENTIAL) &&
	    check_handle_zero(&c->credential))
		return fail(EINVAL);
	if (!(c->present & KSSPI_ARG_CONTEXT) &&
	    check_handle_zero(&c->context))
		return fail(EINVAL);
	if (check_handle_zero(&c->new_context) || c->expiry || c->context_attr)
		return fail(EINVAL);
	r = check_desc(&c->input, c->present & KSSPI_ARG_INPUT);
	if (!r)
		r = check_desc(&c->output, c->present & KSSPI_ARG_OUTPUT);
	if (r)
		return fail(-r);
	if (c->context_req & ASC_REQ_ALLOCATE_MEMORY) {
		c->status = SEC_E_UNSUPPORTED_FUNCTION;
		return 0;
	}
	st = desc_data_status(&c->input, c->present & KSSPI_ARG_INPUT);
	if (st == SEC_E_OK)
		st = desc_data_status(&c->output, c->present & KSSPI_ARG_OUTPUT);
	if (st != SEC_E_OK) {
		c->status = (uint32_t)st;
		return 0;
	}
	if (c->present & KSSPI_ARG_CONTEXT) {
		ctx = lookup(&c->context, FK_CTX);
		if (!ctx || ctx->initiator) {
			c->status = SEC_E_INVALID_HANDLE;
			return 0;
		}
		/* FakeTest is done after one server leg, FakeFour after two */
		if (ctx->pkg != FK_FOUR || ctx->established) {
			c->status = SEC_E_OUT_OF_SEQUENCE;
			return 0;
		}
		in = (c->present & KSSPI_ARG_INPUT) ?
			find_buffer(&c->input, SECBUFFER_TOKEN) : NULL;
		if (!in || in->cb_buffer != 3 ||
		    memcmp(uptr(in->pv_buffer), "FK3", 3)) {
			c->status = SEC_E_INVALID_TOKEN;
			return 0;
		}
		if (c->present & KSSPI_ARG_OUTPUT)
			put_token(&c->output, "", 0);
		ctx->established = true;
		if (c->present & KSSPI_ARG_NEW_CONTEXT)
			c->new_context = c->context;
		if (c->present & KSSPI_ARG_EXPIRY)
			c->expiry = fake_expiry;
		c->context_attr = ctx->attr;
		c->status = SEC_E_OK;
		return 0;
	}
	if (!(c->present & KSSPI_ARG_CREDENTIAL)) {
		c->status = SEC_E_NO_CREDENTIALS;
		return 0;
	}
	cred = lookup(&c->credential, FK_CRED);
	if (!cred) {
		c->status = SEC_E_INVALID_HANDLE;
		return 0;
	}
	if (!(cred->use & SECPKG_CRED_INBOUND)) {
		c->status = SEC_E_NO_CREDENTIALS;
		return 0;
	}
	in = (c->present & KSSPI_ARG_INPUT) ?
		find_buffer(&c->input, SECBUFFER_TOKEN) : NULL;
	if (!in || in->cb_buffer < 4 || in->cb_buffer >= sizeof(tok) ||
	    memcmp(uptr(in->pv_buffer), "FK1|", 4)) {
		c->status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	memcpy(tok, uptr(in->pv_buffer), in->cb_buffer);
	tok[in->cb_buffer] = 0;
	s = tok;
	for (i = 0; i < 5; i++) {
		f[i] = strsep(&s, "|");
		if (!f[i]) {
			c->status = SEC_E_INVALID_TOKEN;
			return 0;
		}
	}
	snprintf(user, sizeof(user), "%s", f[1]);
	snprintf(domain, sizeof(domain), "%s", f[2]);
	pwhash = strtoull(f[3], NULL, 16);
	if (cred->identity == KSSPI_IDENTITY_PASSWORD ?
	    (strcmp(cred->user, user) || cred->pwhash != pwhash) :
	    pwhash == fnv(FNV0, "wrong", 5)) {
		c->status = SEC_E_LOGON_DENIED;
		return 0;
	}
	if (!(c->present & KSSPI_ARG_NEW_CONTEXT) ||
	    !(c->present & KSSPI_ARG_OUTPUT)) {
		c->status = SEC_E_INVALID_PARAMETER;
		return 0;
	}
	st = put_token(&c->output, cred->pkg == FK_FOUR ? "FK2|CH" : "FK2|OK",
		       6);
	if (st != SEC_E_OK) {
		c->status = (uint32_t)st;
		return 0;
	}
	ctx = create(FK_CTX, &c->new_context);
	if (!ctx)
		return fail(ENOMEM);
	ctx->pkg = cred->pkg;
	ctx->established = cred->pkg != FK_FOUR;
	snprintf(ctx->client, sizeof(ctx->client), "%s\\%s", domain, user);
	snprintf(ctx->target, sizeof(ctx->target), "%s", f[4]);
	session_key(ctx, user, pwhash);
	ctx->attr = c->context_req & FK_ASC_MASK;
	c->context_attr = ctx->attr;
	if (ctx->established && (c->present & KSSPI_ARG_EXPIRY))
		c->expiry = fake_expiry;
	c->status = ctx->established ? SEC_E_OK :
		    (uint32_t)SEC_I_CONTINUE_NEEDED;
	return 0;
}

static int fk_complete(struct ksspi_complete_token *c)
{
	int r;

	if (c->size != sizeof(*c))
		return fail(EINVAL);
	r = check_desc(&c->token, true);
	if (r)
		return fail(-r);
	c->status = (uint32_t)(lookup(&c->context, FK_CTX) ?
			       desc_data_status(&c->token, true) :
			       SEC_E_INVALID_HANDLE);
	return 0;
}

/* ---- messages --------------------------------------------------------- */

static void mac(const struct fk_obj *ctx, bool from_initiator, uint32_t seq,
		const struct ksspi_sec_buffer_desc *d, uint8_t out[FK_MAC])
{
	const struct ksspi_sec_buffer *b = uptr(d->p_buffers);
	uint64_t h = fnv(FNV0, ctx->key, sizeof(ctx->key)), h2;
	uint8_t dir = from_initiator;
	uint32_t i;

	h = fnv(h, &dir, 1);
	h = fnv(h, &seq, sizeof(seq));
	for (i = 0; i < d->c_buffers; i++)
		if ((b[i].buffer_type & ~SECBUFFER_ATTRMASK) == SECBUFFER_DATA)
			h = fnv(h, uptr(b[i].pv_buffer), b[i].cb_buffer);
	h2 = fnv(h, "mac2", 4);
	memcpy(out, &seq, 4);
	memcpy(out + 4, &h, 8);
	memcpy(out + 12, &h2, 4);
}

static void xor_data(const struct fk_obj *ctx, uint32_t seq,
		     const struct ksspi_sec_buffer_desc *d)
{
	const struct ksspi_sec_buffer *b = uptr(d->p_buffers);
	uint64_t ks = fnv(fnv(FNV0, ctx->key, 16), &seq, 4);
	uint32_t i, j;

	for (i = 0; i < d->c_buffers; i++) {
		uint8_t *p = uptr(b[i].pv_buffer);

		if ((b[i].buffer_type & ~SECBUFFER_ATTRMASK) != SECBUFFER_DATA ||
		    (b[i].buffer_type & SECBUFFER_READONLY))
			continue;
		for (j = 0; j < b[i].cb_buffer; j++) {
			ks = ks * 6364136223846793005ull + 1442695040888963407ull;
			p[j] ^= (uint8_t)(ks >> 56);
		}
	}
}

static int fk_message(unsigned long request, struct ksspi_message *m)
{
	bool make = request == KSSPI_IOC_MAKE_SIGNATURE ||
		    request == KSSPI_IOC_ENCRYPT_MESSAGE;
	bool seal = request == KSSPI_IOC_ENCRYPT_MESSAGE ||
		    request == KSSPI_IOC_DECRYPT_MESSAGE;
	struct ksspi_sec_buffer *tok;
	uint8_t want[FK_MAC];
	struct fk_obj *ctx;
	uint32_t seq;
	int r;

	if (m->size != sizeof(*m))
		return fail(EINVAL);
	r = check_desc(&m->message, true);
	if (r)
		return fail(-r);
	ctx = lookup(&m->context, FK_CTX);
	if (!ctx) {
		m->status = SEC_E_INVALID_HANDLE;
		return 0;
	}
	if (desc_data_status(&m->message, true) != SEC_E_OK) {
		m->status = SEC_E_INVALID_PARAMETER;
		return 0;
	}
	if (!ctx->established) {
		m->status = SEC_E_NO_CONTEXT;
		return 0;
	}
	if (make && m->qop) {
		m->status = SEC_E_QOP_NOT_SUPPORTED;
		return 0;
	}
	tok = find_buffer(&m->message, SECBUFFER_TOKEN);
	if (!tok) {
		m->status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	if (make) {
		if (tok->cb_buffer < FK_MAC) {
			m->status = SEC_E_BUFFER_TOO_SMALL;
			return 0;
		}
		seq = ctx->send_seq++;
		if (seal)
			xor_data(ctx, seq, &m->message);
		mac(ctx, ctx->initiator, seq, &m->message, uptr(tok->pv_buffer));
		tok->cb_buffer = FK_MAC;
		m->status = SEC_E_OK;
		return 0;
	}
	if (tok->cb_buffer < FK_MAC) {
		m->status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	memcpy(&seq, uptr(tok->pv_buffer), 4);
	mac(ctx, !ctx->initiator, seq, &m->message, want);
	if (memcmp(want, uptr(tok->pv_buffer), FK_MAC)) {
		m->status = SEC_E_MESSAGE_ALTERED;
		return 0;
	}
	if (seq != ctx->recv_seq) {
		m->status = SEC_E_OUT_OF_SEQUENCE;
		return 0;
	}
	ctx->recv_seq++;
	if (seal)
		xor_data(ctx, seq, &m->message);
	m->qop = 0;
	m->status = SEC_E_OK;
	return 0;
}

/* ---- attributes ------------------------------------------------------- */

static int fk_query_attr(struct ksspi_query_attributes *q)
{
	union {
		struct ksspi_attr_sizes sizes;
		struct ksspi_attr_lifespan life;
		struct ksspi_attr_flags flags;
		struct ksspi_attr_negotiation_info ni;
		struct ksspi_attr_key_info ki;
		struct ksspi_package_info pi;
		char str[2 * KSSPI_MAX_NAME + 2];
		uint8_t key[16];
	} u;
	struct fk_obj *ctx;
	size_t len;

	if (q->size != sizeof(*q))
		return fail(EINVAL);
	if (q->buffer_len && !q->buffer)
		return fail(EFAULT);
	if (q->buffer_len > KSSPI_MAX_ATTRIBUTE)
		return fail(E2BIG);
	ctx = lookup(&q->context, FK_CTX);
	if (!ctx) {
		q->status = SEC_E_INVALID_HANDLE;
		return 0;
	}
	memset(&u, 0, sizeof(u));
	switch (q->attribute) {
	case SECPKG_ATTR_SIZES:
		u.sizes.max_token = fk_packages[ctx->pkg].max_token;
		u.sizes.max_signature = FK_MAC;
		u.sizes.block_size = 1;
		u.sizes.security_trailer = FK_MAC;
		len = sizeof(u.sizes);
		break;
	case SECPKG_ATTR_LIFESPAN:
		u.life.start = fake_start;
		u.life.expiry = fake_expiry;
		len = sizeof(u.life);
		break;
	case SECPKG_ATTR_KEY_INFO:
		u.ki.key_size = 8 * sizeof(ctx->key);
		u.ki.signature_algorithm = FK_SIG_ALG;
		u.ki.encrypt_algorithm = FK_ENC_ALG;
		strcpy(u.ki.signature_algorithm_name, "FNV-MAC");
		strcpy(u.ki.encrypt_algorithm_name, "LCG-XOR");
		len = sizeof(u.ki);
		break;
	case SECPKG_ATTR_FLAGS:
		u.flags.flags = ctx->attr;
		len = sizeof(u.flags);
		break;
	case SECPKG_ATTR_PACKAGE_INFO:
		u.pi = fk_packages[ctx->pkg];
		len = sizeof(u.pi);
		break;
	case SECPKG_ATTR_NEGOTIATION_INFO:
		u.ni.negotiation_state = ctx->established ?
			SECPKG_NEGOTIATION_COMPLETE :
			SECPKG_NEGOTIATION_IN_PROGRESS;
		u.ni.package = fk_packages[ctx->pkg];
		len = sizeof(u.ni);
		break;
	case SECPKG_ATTR_NAMES:
		len = strlen(ctx->client) + 1;
		memcpy(u.str, ctx->client, len);
		break;
	case SECPKG_ATTR_TARGET:
		len = strlen(ctx->target) + 1;
		memcpy(u.str, ctx->target, len);
		break;
	case SECPKG_ATTR_SESSION_KEY:
		memcpy(u.key, ctx->key, 16);
		len = 16;
		break;
	default:
		q->status = SEC_E_UNSUPPORTED_FUNCTION;
		return 0;
	}
	if (q->buffer_len < len) {
		q->buffer_len = (uint32_t)len;
		q->status = SEC_E_BUFFER_TOO_SMALL;
		return 0;
	}
	memcpy(uptr(q->buffer), &u, len);
	q->buffer_len = (uint32_t)len;
	q->status = SEC_E_OK;
	return 0;
}

/* ---- export / import -------------------------------------------------- */

static uint8_t *put_record(uint8_t *p, uint16_t type, const void *v,
			   uint32_t len)
{
	struct ksspi_ctx_record r = { .type = type, .len = len };

	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	memcpy(p, v, len);
	memset(p + len, 0, (8 - len % 8) % 8);
	return p + len + (8 - len % 8) % 8;
}

static int fk_export(struct ksspi_export_context *e)
{
	uint8_t blob[4096], *p;
	struct ksspi_ctx_header h;
	struct fk_obj *ctx;
	uint64_t seq;
	size_t len;

	if (e->size != sizeof(*e))
		return fail(EINVAL);
	if (e->buffer_len && !e->buffer)
		return fail(EFAULT);
	if (e->buffer_len > KSSPI_MAX_CONTEXT_BLOB)
		return fail(E2BIG);
	if (e->flags & ~(SECPKG_CONTEXT_EXPORT_RESET_NEW |
			 SECPKG_CONTEXT_EXPORT_DELETE_OLD |
			 SECPKG_CONTEXT_EXPORT_TO_KERNEL))
		return fail(EINVAL);
	ctx = lookup(&e->context, FK_CTX);
	if (!ctx) {
		e->status = SEC_E_INVALID_HANDLE;
		return 0;
	}
	memset(&h, 0, sizeof(h));
	p = blob + sizeof(h);
	p = put_record(p, KSSPI_CTX_REC_CLIENT_NAME, ctx->client,
		       (uint32_t)strlen(ctx->client));
	p = put_record(p, KSSPI_CTX_REC_SESSION_KEY, ctx->key, 16);
	seq = ctx->send_seq;
	p = put_record(p, KSSPI_CTX_REC_SEND_SEQ, &seq, 8);
	seq = ctx->recv_seq;
	p = put_record(p, KSSPI_CTX_REC_RECV_SEQ, &seq, 8);
	len = (size_t)(p - blob);
	h.magic = KSSPI_CTX_MAGIC;
	h.version = KSSPI_CTX_VERSION;
	h.header_len = sizeof(h);
	h.total_len = (uint32_t)len;
	h.flags = ctx->initiator ? KSSPI_CTX_F_INITIATOR : 0;
	h.context_attr = ctx->attr;
	snprintf(h.package, sizeof(h.package), "%s",
		 fk_packages[ctx->pkg].name);
	memcpy(blob, &h, sizeof(h));
	if (e->buffer_len < len) {
		e->buffer_len = (uint32_t)len;
		e->status = SEC_E_BUFFER_TOO_SMALL;
		return 0;
	}
	memcpy(uptr(e->buffer), blob, len);
	e->buffer_len = (uint32_t)len;
	if (e->flags & SECPKG_CONTEXT_EXPORT_DELETE_OLD)
		memset(ctx, 0, sizeof(*ctx));
	e->status = SEC_E_OK;
	return 0;
}

static int fk_import(struct ksspi_import_context *im)
{
	struct ksspi_ctx_header h;
	struct ksspi_ctx_record r;
	struct fk_obj *ctx;
	const uint8_t *b, *p, *end;
	int pkg, r2;
	uint64_t seq;

	if (im->size != sizeof(*im) || im->flags || im->reserved)
		return fail(EINVAL);
	r2 = check_string(im->package, im->package_len,
			  KSSPI_MAX_PACKAGE_NAME);
	if (r2)
		return fail(-r2);
	if (im->blob_len > KSSPI_MAX_CONTEXT_BLOB)
		return fail(E2BIG);
	if (im->blob_len && !im->blob)
		return fail(EFAULT);
	if (check_handle_zero(&im->context))
		return fail(EINVAL);
	pkg = find_package(uptr(im->package), im->package_len);
	if (pkg < 0) {
		im->status = SEC_E_SECPKG_NOT_FOUND;
		return 0;
	}
	b = uptr(im->blob);
	if (im->blob_len < sizeof(h)) {
		im->status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	memcpy(&h, b, sizeof(h));
	if (h.magic != KSSPI_CTX_MAGIC || h.total_len != im->blob_len ||
	    strncmp(h.package, fk_packages[pkg].name, sizeof(h.package))) {
		im->status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	ctx = create(FK_CTX, &im->context);
	if (!ctx)
		return fail(ENOMEM);
	ctx->pkg = pkg;
	ctx->established = true;
	ctx->initiator = h.flags & KSSPI_CTX_F_INITIATOR;
	ctx->attr = h.context_attr;
	end = b + im->blob_len;
	for (p = b + sizeof(h); p + sizeof(r) <= end;) {
		memcpy(&r, p, sizeof(r));
		p += sizeof(r);
		if (r.len > (size_t)(end - p))
			break;
		switch (r.type) {
		case KSSPI_CTX_REC_CLIENT_NAME:
			if (r.len < sizeof(ctx->client))
				memcpy(ctx->client, p, r.len);
			break;
		case KSSPI_CTX_REC_SESSION_KEY:
			if (r.len == 16)
				memcpy(ctx->key, p, 16);
			break;
		case KSSPI_CTX_REC_SEND_SEQ:
			memcpy(&seq, p, 8);
			ctx->send_seq = (uint32_t)seq;
			break;
		case KSSPI_CTX_REC_RECV_SEQ:
			memcpy(&seq, p, 8);
			ctx->recv_seq = (uint32_t)seq;
			break;
		}
		p += r.len + (8 - r.len % 8) % 8;
	}
	im->status = SEC_E_OK;
	return 0;
}

int fake_kernel_ioctl(unsigned long request, void *arg)
{
	int r;

	pthread_mutex_lock(&fk_lock);
	switch (request) {
	case KSSPI_IOC_QUERY_PACKAGE:
		r = fk_query_package(arg);
		break;
	case KSSPI_IOC_ENUM_PACKAGES:
		r = fk_enum_packages(arg);
		break;
	case KSSPI_IOC_ACQUIRE_CREDENTIALS:
		r = fk_acquire(arg);
		break;
	case KSSPI_IOC_FREE_CREDENTIALS:
		r = fk_free(arg, FK_CRED);
		break;
	case KSSPI_IOC_INIT_CONTEXT:
		r = fk_init(arg);
		break;
	case KSSPI_IOC_ACCEPT_CONTEXT:
		r = fk_accept(arg);
		break;
	case KSSPI_IOC_DELETE_CONTEXT:
		r = fk_free(arg, FK_CTX);
		break;
	case KSSPI_IOC_COMPLETE_TOKEN:
		r = fk_complete(arg);
		break;
	case KSSPI_IOC_QUERY_ATTRIBUTES:
		r = fk_query_attr(arg);
		break;
	case KSSPI_IOC_MAKE_SIGNATURE:
	case KSSPI_IOC_VERIFY_SIGNATURE:
	case KSSPI_IOC_ENCRYPT_MESSAGE:
	case KSSPI_IOC_DECRYPT_MESSAGE:
		r = fk_message(request, arg);
		break;
	case KSSPI_IOC_EXPORT_CONTEXT:
		r = fk_export(arg);
		break;
	case KSSPI_IOC_IMPORT_CONTEXT:
		r = fk_import(arg);
		break;
	default:
		r = fail(ENOTTY);
		break;
	}
	pthread_mutex_unlock(&fk_lock);
	return r;
}
