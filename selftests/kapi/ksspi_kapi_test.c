// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the in-kernel API, run when this module loads.  They use only
 * the exported functions, as an in-kernel SMB or RDP server would: UTF-16
 * target names, tokens and messages in vmalloc'd memory (and on the
 * vmapped stack), ISC_REQ_ALLOCATE_MEMORY with ksspi_free_context_buffer(),
 * CredSSP records and the kTLS handoff on kernel sockets.  They need ksspi
 * loaded with test_package=1 and ksspid running.
 *
 * Given credssp_port, the module runs only the CredSSP client case
 * instead: a CredSSP handshake (NTLM inside) with the userspace server
 * selftests/interop/credssp_kapi listens with on 127.0.0.1:credssp_port,
 * then kTLS on the kernel socket and data both ways, then a wrong password.
 *
 * Given handshake_package, it runs only a full handshake of that package
 * (Kerberos, NTLM) with both sides in the kernel, through
 * ksspid, as selftests/interop/krb5_kapi asks: client credentials from
 * handshake_user/_domain/_password, the server's the defaults of an
 * in-kernel caller (the machine's keytab, ksspid's NTLM users); then the
 * package chosen (handshake_expect), the session keys, the names and
 * sealed messages both ways.
 *
 * Results: /sys/kernel/debug/ksspi_kapi_test/results, one line per test,
 * "ok N name" or "not ok N name".
 */
#include <linux/debugfs.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <asm/unaligned.h>
#include <linux/ksspi_api.h>
#include <linux/ksspi_context.h>
#include "krb5_crypto.h"

#define KT_USER		"alice"
#define KT_PASSWORD	"kapi-secret"
#define KT_SIG_LEN	24

static int credssp_port;
module_param(credssp_port, int, 0444);
MODULE_PARM_DESC(credssp_port,
		 "run only the CredSSP client case, against 127.0.0.1:PORT");
static char *credssp_user;
module_param(credssp_user, charp, 0444);
MODULE_PARM_DESC(credssp_user, "the CredSSP client's user name");
static char *credssp_domain;
module_param(credssp_domain, charp, 0444);
MODULE_PARM_DESC(credssp_domain, "the CredSSP client's domain");
static char *credssp_password;
module_param(credssp_password, charp, 0);
MODULE_PARM_DESC(credssp_password, "the CredSSP client's password");

static char *handshake_package;
module_param(handshake_package, charp, 0444);
MODULE_PARM_DESC(handshake_package,
		 "run only a full handshake of this package, both sides here");
static char *handshake_user;
module_param(handshake_user, charp, 0444);
MODULE_PARM_DESC(handshake_user, "the handshake client's user name");
static char *handshake_domain;
module_param(handshake_domain, charp, 0444);
MODULE_PARM_DESC(handshake_domain, "the handshake client's domain or realm");
static char *handshake_password;
module_param(handshake_password, charp, 0);
MODULE_PARM_DESC(handshake_password, "the handshake client's password");
static char *handshake_target = "host/srv.test.local";
module_param(handshake_target, charp, 0444);
MODULE_PARM_DESC(handshake_target, "the target name (ASCII)");
static char *handshake_expect;
module_param(handshake_expect, charp, 0444);
MODULE_PARM_DESC(handshake_expect, "the package PACKAGE_INFO must name");
static bool handshake_delegate;
module_param(handshake_delegate, bool, 0444);
MODULE_PARM_DESC(handshake_delegate,
		 "the client delegates; the server reaches handshake_second_target as it");
static char *handshake_second_target = "host/sha2.test.local";
module_param(handshake_second_target, charp, 0444);
MODULE_PARM_DESC(handshake_second_target, "the delegation's second service");

struct kt_result {
	const char *name;
	bool ok;
};

static struct kt_result kt_results[128];
static unsigned int kt_count;
static struct dentry *kt_dir;
static struct ksspi_owner *kt_owner;

static void kt_report(const char *name, bool ok)
{
	if (kt_count < ARRAY_SIZE(kt_results)) {
		kt_results[kt_count].name = name;
		kt_results[kt_count].ok = ok;
		kt_count++;
	}
	if (!ok)
		pr_err("ksspi_kapi_test: %s failed\n", name);
}

#define KT_EXPECT(name, cond) kt_report(name, cond)

struct kt_pair {
	struct ksspi_handle client_cred, server_cred;
	struct ksspi_handle client, server;
	bool established;
};

/* The target name, UTF-16 as the kernel-mode remark asks */
static const u16 kt_target[] = {
	'h', 'o', 's', 't', '/', 's', 'r', 'v', '.', 't', 'e', 's', 't', '.',
	'l', 'o', 'c', 'a', 'l', 0
};

static void kt_desc(struct ksspi_buffer_desc *d, struct ksspi_buffer *b,
		    u32 n)
{
	d->ul_version = SECBUFFER_VERSION;
	d->c_buffers = n;
	d->p_buffers = b;
}

/* Client and server handshake, in the kernel, buffers in vmalloc memory. */
static void kt_handshake(struct kt_pair *p)
{
	struct ksspi_identity id = { .user = KT_USER, .password = KT_PASSWORD };
	u32 req = ISC_REQ_INTEGRITY | ISC_REQ_SEQUENCE_DETECT |
		  ISC_REQ_REPLAY_DETECT;
	struct ksspi_buffer in_buf, out_buf;
	struct ksspi_buffer_desc in, out;
	u32 st_c, st_s, attr = 0;
	u8 *token_area;
	s64 expiry;

	memset(p, 0, sizeof(*p));
	KT_EXPECT("acquire_client",
		  ksspi_acquire_credentials_handle(kt_owner, "KsspiTest",
						   SECPKG_CRED_OUTBOUND, &id,
						   &p->client_cred, &expiry) ==
		  SEC_E_OK);
	KT_EXPECT("acquire_server",
		  ksspi_acquire_credentials_handle(kt_owner, "KsspiTest",
						   SECPKG_CRED_INBOUND, &id,
						   &p->server_cred, NULL) ==
		  SEC_E_OK);

	/* Leg 1: ksspi allocates the client's token. */
	out_buf = (struct ksspi_buffer){ .buffer_type = SECBUFFER_TOKEN };
	kt_desc(&out, &out_buf, 1);
	st_c = ksspi_initialize_security_context(kt_owner, &p->client_cred, NULL,
						 kt_target,
						 req | ISC_REQ_ALLOCATE_MEMORY,
						 0, SECURITY_NATIVE_DREP, NULL,
						 0, &p->client, &out, &attr,
						 NULL);
	KT_EXPECT("isc_leg1_continue", st_c == SEC_I_CONTINUE_NEEDED);
	KT_EXPECT("isc_leg1_allocated",
		  (attr & ISC_RET_ALLOCATED_MEMORY) && out_buf.pv_buffer &&
		  out_buf.cb_buffer > 0);
	if (st_c != SEC_I_CONTINUE_NEEDED)
		return;

	/* The rest in caller-provided vmalloc'd buffers. */
	token_area = vmalloc(2 * KSSPI_MAX_TOKEN);
	if (!token_area) {
		ksspi_free_context_buffer(out_buf.pv_buffer);
		return;
	}
	memcpy(token_area, out_buf.pv_buffer, out_buf.cb_buffer);
	in_buf = (struct ksspi_buffer){ out_buf.cb_buffer, SECBUFFER_TOKEN,
					token_area };
	ksspi_free_context_buffer(out_buf.pv_buffer);
	kt_desc(&in, &in_buf, 1);
	out_buf = (struct ksspi_buffer){ KSSPI_MAX_TOKEN, SECBUFFER_TOKEN,
					 token_area + KSSPI_MAX_TOKEN };
	kt_desc(&out, &out_buf, 1);
	st_s = ksspi_accept_security_context(kt_owner, &p->server_cred, NULL, &in,
					     ASC_REQ_INTEGRITY |
					     ASC_REQ_SEQUENCE_DETECT |
					     ASC_REQ_REPLAY_DETECT,
					     SECURITY_NATIVE_DREP, &p->server,
					     &out, &attr, NULL);
	KT_EXPECT("asc_leg1_continue", st_s == SEC_I_CONTINUE_NEEDED);

	memmove(token_area, token_area + KSSPI_MAX_TOKEN, out_buf.cb_buffer);
	in_buf = (struct ksspi_buffer){ out_buf.cb_buffer, SECBUFFER_TOKEN,
					token_area };
	out_buf = (struct ksspi_buffer){ KSSPI_MAX_TOKEN, SECBUFFER_TOKEN,
					 token_area + KSSPI_MAX_TOKEN };
	st_c = ksspi_initialize_security_context(kt_owner, NULL, &p->client, kt_target,
						 req, 0, SECURITY_NATIVE_DREP,
						 &in, 0, NULL, &out, &attr,
						 NULL);
	KT_EXPECT("isc_leg2_ok", st_c == SEC_E_OK);

	memmove(token_area, token_area + KSSPI_MAX_TOKEN, out_buf.cb_buffer);
	in_buf = (struct ksspi_buffer){ out_buf.cb_buffer, SECBUFFER_TOKEN,
					token_area };
	out_buf = (struct ksspi_buffer){ KSSPI_MAX_TOKEN, SECBUFFER_TOKEN,
					 token_area + KSSPI_MAX_TOKEN };
	st_s = ksspi_accept_security_context(kt_owner, NULL, &p->server, &in,
					     ASC_REQ_INTEGRITY |
					     ASC_REQ_SEQUENCE_DETECT |
					     ASC_REQ_REPLAY_DETECT,
					     SECURITY_NATIVE_DREP, NULL, &out,
					     &attr, NULL);
	KT_EXPECT("asc_leg2_ok", st_s == SEC_E_OK);
	KT_EXPECT("asc_attr_integrity", attr & ASC_RET_INTEGRITY);
	vfree(token_area);
	p->established = st_c == SEC_E_OK && st_s == SEC_E_OK;
}

/* Signs @data (any memory) on @from, verifies a copy in @copy on @to. */
static u32 kt_sign_verify(struct ksspi_handle *from, struct ksspi_handle *to,
			  u8 *data, u8 *copy, size_t len, bool tamper)
{
	u8 sig[KT_SIG_LEN];
	struct ksspi_buffer b[2] = {
		{ len, SECBUFFER_DATA, data },
		{ sizeof(sig), SECBUFFER_TOKEN, sig },
	};
	struct ksspi_buffer_desc d;
	u32 st, qop;

	kt_desc(&d, b, 2);
	st = ksspi_make_signature(kt_owner, from, 0, &d, 0);
	if (st != SEC_E_OK)
		return st;
	b[0].pv_buffer = copy;
	if (tamper)
		copy[len / 2] ^= 0x40;
	return ksspi_verify_signature(kt_owner, to, &d, 0, &qop);
}

static void kt_messages(struct kt_pair *p)
{
	/* Spans pages, starts mid-page, not physically contiguous. */
	size_t len = 3 * PAGE_SIZE + 123;
	u8 *area = vmalloc(len + 77);
	u8 *linear = kmalloc(len, GFP_KERNEL);
	u8 stack_data[96];
	u8 *data;

	if (!area || !linear) {
		KT_EXPECT("alloc_message", false);
		goto out;
	}
	data = area + 77;
	get_random_bytes(data, len);
	memcpy(linear, data, len);
	KT_EXPECT("sign_vmalloc_verify_kmalloc",
		  kt_sign_verify(&p->client, &p->server, data, linear, len,
				 false) == SEC_E_OK);
	memcpy(linear, data, len);
	KT_EXPECT("sign_kmalloc_verify_vmalloc",
		  kt_sign_verify(&p->server, &p->client, linear, data, len,
				 false) == SEC_E_OK);
	memcpy(linear, data, len);
	KT_EXPECT("tampered_vmalloc_altered",
		  kt_sign_verify(&p->client, &p->server, data, linear, len,
				 true) == SEC_E_MESSAGE_ALTERED);
	get_random_bytes(stack_data, sizeof(stack_data));
	memcpy(linear, stack_data, sizeof(stack_data));
	/* The tampered message consumed a sequence number: resync. */
	KT_EXPECT("sequence_checked",
		  kt_sign_verify(&p->client, &p->server, stack_data, linear,
				 sizeof(stack_data), false) ==
		  SEC_E_OUT_OF_SEQUENCE);
out:
	vfree(area);
	kfree(linear);
}

static void kt_attributes(struct kt_pair *p)
{
	struct ksspi_attr_sizes sizes;
	u8 key_c[64], key_s[64];
	u32 len_c = sizeof(key_c), len_s = sizeof(key_s), len;

	len = sizeof(sizes);
	KT_EXPECT("query_sizes",
		  ksspi_query_context_attributes(kt_owner, &p->client, SECPKG_ATTR_SIZES,
						 &sizes, &len) == SEC_E_OK &&
		  sizes.max_signature == KT_SIG_LEN);
	KT_EXPECT("session_keys_match",
		  ksspi_query_context_attributes(kt_owner, &p->client,
						 SECPKG_ATTR_SESSION_KEY,
						 key_c, &len_c) == SEC_E_OK &&
		  ksspi_query_context_attributes(kt_owner, &p->server,
						 SECPKG_ATTR_SESSION_KEY,
						 key_s, &len_s) == SEC_E_OK &&
		  len_c == len_s && !memcmp(key_c, key_s, len_c));
	len = 1;
	KT_EXPECT("query_too_small",
		  ksspi_query_context_attributes(kt_owner, &p->client, SECPKG_ATTR_SIZES,
						 &sizes, &len) ==
		  SEC_E_BUFFER_TOO_SMALL && len == sizeof(sizes));
}

static void kt_export_import(struct kt_pair *p)
{
	struct ksspi_buffer packed = {};
	struct ksspi_handle imported;
	u8 data[64], copy[64];
	u32 st;

	st = ksspi_export_security_context(kt_owner, &p->server, 0, &packed);
	KT_EXPECT("export", st == SEC_E_OK && packed.pv_buffer);
	if (st != SEC_E_OK)
		return;
	st = ksspi_import_security_context(kt_owner, "KsspiTest", &packed, &imported);
	ksspi_free_context_buffer(packed.pv_buffer);
	KT_EXPECT("import", st == SEC_E_OK);
	if (st != SEC_E_OK)
		return;
	/*
	 * The copy carries the server's keys and its send sequence number:
	 * what it signs, the client accepts as the server's next message.
	 */
	get_random_bytes(data, sizeof(data));
	memcpy(copy, data, sizeof(data));
	KT_EXPECT("imported_signs_in_sequence",
		  kt_sign_verify(&imported, &p->client, data, copy,
				 sizeof(data), false) == SEC_E_OK);
	KT_EXPECT("delete_imported",
		  ksspi_delete_security_context(kt_owner, &imported) == SEC_E_OK);
	KT_EXPECT("delete_imported_twice",
		  ksspi_delete_security_context(kt_owner, &imported) ==
		  SEC_E_INVALID_HANDLE);
}

static void kt_parameters(void)
{
	struct ksspi_handle forged = { .lower = 1, .upper = 0x1234 };
	struct ksspi_handle h;

	KT_EXPECT("unknown_package",
		  ksspi_acquire_credentials_handle(kt_owner, "NoSuchPackage",
						   SECPKG_CRED_OUTBOUND, NULL,
						   &h, NULL) ==
		  SEC_E_SECPKG_NOT_FOUND);
	KT_EXPECT("forged_credential",
		  ksspi_free_credentials_handle(kt_owner, &forged) ==
		  SEC_E_INVALID_HANDLE);
	KT_EXPECT("forged_context",
		  ksspi_delete_security_context(kt_owner, &forged) ==
		  SEC_E_INVALID_HANDLE);
}

/* MS-NLMP 4.2.4: keys from RandomSessionKey 0x55 x 16, flags 0xE28A8233 */
static const u8 kt_ntlm_keys[4][16] = {
	{ 0x47, 0x88, 0xdc, 0x86, 0x1b, 0x47, 0x82, 0xf3,	/* c2s sign */
	  0x5d, 0x43, 0xfd, 0x98, 0xfe, 0x1a, 0x2d, 0x39 },
	{ 0x59, 0xf6, 0x00, 0x97, 0x3c, 0xc4, 0x96, 0x0a,	/* c2s seal */
	  0x25, 0x48, 0x0a, 0x7c, 0x19, 0x6e, 0x4c, 0x58 },
	{ 0xd0, 0x4d, 0x6f, 0x10, 0x74, 0x10, 0x41, 0xd1,	/* s2c sign */
	  0xd2, 0x46, 0xd6, 0x41, 0x88, 0xd7, 0xa8, 0xad },
	{ 0x93, 0x55, 0xf3, 0xa9, 0x57, 0xc1, 0x58, 0x3d,	/* s2c seal */
	  0x25, 0xc4, 0xc2, 0xf1, 0x1e, 0x40, 0x39, 0x0e },
};

static const u8 kt_ntlm_sealed[18] = {
	0x54, 0xe5, 0x01, 0x65, 0xbf, 0x19, 0x36, 0xdc, 0x99, 0x60,
	0x20, 0xc1, 0x81, 0x1b, 0x0f, 0x06, 0xfb, 0x5f };
static const u8 kt_ntlm_sig[16] = {
	0x01, 0x00, 0x00, 0x00, 0x7f, 0xb3, 0x8e, 0xc5,
	0xc5, 0x5d, 0x49, 0x76, 0x00, 0x00, 0x00, 0x00 };

static u32 kt_blob_put(u8 *b, u32 off, u16 type, const void *v, u32 len)
{
	struct ksspi_ctx_record *r = (void *)(b + off);

	r->type = cpu_to_le16(type);
	r->flags = cpu_to_le16(KSSPI_CTX_REC_CRITICAL);
	r->len = cpu_to_le32(len);
	memcpy(b + off + sizeof(*r), v, len);
	return off + sizeof(*r) + ALIGN(len, 8);
}

/* The client context of MS-NLMP 4.2.4, as ksspid would serialize it */
static u32 kt_ntlm_client_blob(u8 *b)
{
	struct ksspi_ctx_header *h = (void *)b;
	__le32 flags = cpu_to_le32(0xE28A8233);
	u32 off = sizeof(*h);

	memset(b, 0, 512);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_NTLM_FLAGS, &flags, 4);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_NTLM_SIGN_KEY_OUT,
			  kt_ntlm_keys[0], 16);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_NTLM_SEAL_KEY_OUT,
			  kt_ntlm_keys[1], 16);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_NTLM_SIGN_KEY_IN,
			  kt_ntlm_keys[2], 16);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_NTLM_SEAL_KEY_IN,
			  kt_ntlm_keys[3], 16);
	h->magic = cpu_to_le32(KSSPI_CTX_MAGIC);
	h->version = cpu_to_le16(KSSPI_CTX_VERSION);
	h->header_len = cpu_to_le16(sizeof(*h));
	h->total_len = cpu_to_le32(off);
	h->flags = cpu_to_le32(KSSPI_CTX_F_INITIATOR);
	h->context_attr = cpu_to_le32(ISC_RET_INTEGRITY |
				      ISC_RET_CONFIDENTIALITY);
	strscpy(h->package, "NTLM", sizeof(h->package));
	return off;
}

/* EncryptMessage("Plaintext") in place, across a vmalloc page boundary */
static void kt_ntlm_known_answer(void)
{
	static const char text[] = "Plaintext";
	struct ksspi_buffer packed, b[2];
	struct ksspi_buffer_desc d;
	struct ksspi_handle ctx;
	u8 *blob, *area, *data, *sig;
	unsigned int i;
	u32 st;

	blob = kmalloc(512, GFP_KERNEL);
	area = vmalloc(2 * PAGE_SIZE);
	if (!blob || !area) {
		KT_EXPECT("ntlm_alloc", false);
		goto out;
	}
	packed = (struct ksspi_buffer){ kt_ntlm_client_blob(blob),
					SECBUFFER_EMPTY, blob };
	st = ksspi_import_security_context(kt_owner, "NTLM", &packed, &ctx);
	KT_EXPECT("ntlm_import_spec_keys", st == SEC_E_OK);
	if (st != SEC_E_OK)
		goto out;

	data = area + PAGE_SIZE - 7;	/* straddles two pages */
	sig = area + 64;
	for (i = 0; i < 9; i++)
		put_unaligned_le16(text[i], data + 2 * i);
	b[0] = (struct ksspi_buffer){ 18, SECBUFFER_DATA, data };
	b[1] = (struct ksspi_buffer){ 16, SECBUFFER_TOKEN, sig };
	kt_desc(&d, b, 2);
	st = ksspi_encrypt_message(kt_owner, &ctx, 0, &d, 0);
	KT_EXPECT("ntlm_encrypt_vmalloc_spec_bytes",
		  st == SEC_E_OK && !memcmp(data, kt_ntlm_sealed, 18) &&
		  b[1].cb_buffer == 16 && !memcmp(sig, kt_ntlm_sig, 16));
	KT_EXPECT("ntlm_delete",
		  ksspi_delete_security_context(kt_owner, &ctx) == SEC_E_OK);
out:
	vfree(area);
	kfree(blob);
}

/* A CredSSP context over TLS 1.3 AES-128-GCM with these directions */
static u32 kt_credssp_blob(u8 *b, bool client, const struct ksspi_tls_state *tx,
			   const struct ksspi_tls_state *rx)
{
	struct ksspi_ctx_header *h = (void *)b;
	__le16 version = cpu_to_le16(0x0304);
	__le16 cipher = cpu_to_le16(KSSPI_TLS_CIPHER_AES_GCM_128);
	__le32 ts_version = cpu_to_le32(6);
	u32 off = sizeof(*h);

	memset(b, 0, 512);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_TLS_VERSION, &version, 2);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_TLS_CIPHER, &cipher, 2);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_TLS_TX, tx, sizeof(*tx));
	off = kt_blob_put(b, off, KSSPI_CTX_REC_TLS_RX, rx, sizeof(*rx));
	off = kt_blob_put(b, off, KSSPI_CTX_REC_CREDSSP_VERSION, &ts_version,
			  4);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_CREDSSP_INNER, "NTLM", 4);
	h->magic = cpu_to_le32(KSSPI_CTX_MAGIC);
	h->version = cpu_to_le16(KSSPI_CTX_VERSION);
	h->header_len = cpu_to_le16(sizeof(*h));
	h->total_len = cpu_to_le32(off);
	h->flags = cpu_to_le32(client ? KSSPI_CTX_F_INITIATOR : 0);
	h->context_attr = cpu_to_le32(ISC_RET_CONFIDENTIALITY);
	strscpy(h->package, "CredSSP", sizeof(h->package));
	return off;
}

/*
 * One record from the client to the server in vmalloc'd memory across a
 * page boundary: Schannel's stream layout, in place, with DecryptMessage's
 * buffers pointing into the caller's own buffer.
 */
static void kt_credssp_records(struct ksspi_handle *client,
			       struct ksspi_handle *server, u8 *area)
{
	static const char text[] = "record in the kernel";
	u8 *rec = area + PAGE_SIZE - 11;
	struct ksspi_buffer b[4];
	struct ksspi_buffer_desc d;
	u32 n = sizeof(text) - 1, st;

	memcpy(rec + 5, text, n);
	b[0] = (struct ksspi_buffer){ 5, SECBUFFER_STREAM_HEADER, rec };
	b[1] = (struct ksspi_buffer){ n, SECBUFFER_DATA, rec + 5 };
	b[2] = (struct ksspi_buffer){ 17, SECBUFFER_STREAM_TRAILER, rec + 5 + n };
	b[3] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
	kt_desc(&d, b, 4);
	st = ksspi_encrypt_message(kt_owner, client, 0, &d, 0);
	KT_EXPECT("credssp_encrypt_vmalloc",
		  st == SEC_E_OK && rec[0] == 23 && memcmp(rec + 5, text, n));

	b[0] = (struct ksspi_buffer){ 5 + n + 17 + 3, SECBUFFER_DATA, rec };
	b[1] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
	b[2] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
	b[3] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
	st = ksspi_decrypt_message(kt_owner, server, &d, 0, NULL);
	KT_EXPECT("credssp_decrypt_points_into_the_buffer",
		  st == SEC_E_OK && b[0].buffer_type == SECBUFFER_STREAM_HEADER &&
		  b[1].buffer_type == SECBUFFER_DATA &&
		  b[1].pv_buffer == rec + 5 && b[1].cb_buffer == n &&
		  !memcmp(rec + 5, text, n) &&
		  b[3].buffer_type == SECBUFFER_EXTRA &&
		  b[3].pv_buffer == rec + 5 + n + 17 && b[3].cb_buffer == 3);
}

/* A connected loopback TCP pair of kernel sockets */
static int kt_tcp_pair(struct socket **a, struct socket **b)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct socket *l;
	int err;

	*a = *b = NULL;
	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &l);
	if (err)
		return err;
	err = kernel_bind(l, (struct sockaddr *)&sin, sizeof(sin)) ?:
	      kernel_listen(l, 1) ?:
	      (kernel_getsockname(l, (struct sockaddr *)&sin) < 0 ? -EINVAL : 0) ?:
	      sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, a);
	if (!err)
		err = kernel_connect(*a, (struct sockaddr *)&sin, sizeof(sin),
				     0) ?:
		      kernel_accept(l, b, 0);
	sock_release(l);
	if (err) {
		if (*a)
			sock_release(*a);
		*a = NULL;
		return err;
	}
	(*a)->sk->sk_rcvtimeo = 10 * HZ;
	(*b)->sk->sk_rcvtimeo = 10 * HZ;
	return 0;
}

static bool kt_send_recv(struct socket *from, struct socket *to,
			 const char *text)
{
	struct kvec out = { (void *)text, strlen(text) };
	struct msghdr msg = {};
	char got[32] = "";
	struct kvec in = { got, strlen(text) };

	if (kernel_sendmsg(from, &msg, &out, 1, out.iov_len) != out.iov_len)
		return false;
	memset(&msg, 0, sizeof(msg));
	if (kernel_recvmsg(to, &msg, &in, 1, in.iov_len, MSG_WAITALL) !=
	    in.iov_len)
		return false;
	return !memcmp(got, text, in.iov_len);
}

/*
 * Two imported CredSSP contexts exchange a record through the API, then
 * both hand their record layers to kTLS on the two ends of a kernel TCP
 * connection, which carries the session on.
 */
static void kt_credssp_ktls(void)
{
	struct ksspi_tls_state c2s = { .seq = cpu_to_le64(7) };
	struct ksspi_tls_state s2c = { .seq = cpu_to_le64(9) };
	struct ksspi_handle client, server;
	struct ksspi_buffer packed;
	struct socket *a, *b;
	struct ksspi_buffer bf[3];
	struct ksspi_buffer_desc d;
	u8 *blob, *area;
	u32 st;

	blob = kmalloc(512, GFP_KERNEL);
	area = vmalloc(2 * PAGE_SIZE);
	if (!blob || !area) {
		KT_EXPECT("credssp_alloc", false);
		goto out;
	}
	get_random_bytes(c2s.key, 16);
	get_random_bytes(c2s.iv, 12);
	get_random_bytes(s2c.key, 16);
	get_random_bytes(s2c.iv, 12);
	packed = (struct ksspi_buffer){ kt_credssp_blob(blob, true, &c2s, &s2c),
					SECBUFFER_EMPTY, blob };
	st = ksspi_import_security_context(kt_owner, "CREDSSP", &packed,
					   &client);
	packed = (struct ksspi_buffer){ kt_credssp_blob(blob, false, &s2c, &c2s),
					SECBUFFER_EMPTY, blob };
	st = st ?: ksspi_import_security_context(kt_owner, "TSSSP", &packed,
						 &server);
	memzero_explicit(blob, 512);
	KT_EXPECT("credssp_import", st == SEC_E_OK);
	if (st != SEC_E_OK)
		goto out;

	kt_credssp_records(&client, &server, area);
	st = kt_tcp_pair(&a, &b);
	KT_EXPECT("credssp_tcp_pair", !st);
	if (st)
		goto out_ctx;
	KT_EXPECT("credssp_ktls_install",
		  ksspi_install_ktls(kt_owner, &client, a,
				     KSSPI_KTLS_TX | KSSPI_KTLS_RX) == SEC_E_OK &&
		  ksspi_install_ktls(kt_owner, &server, b,
				     KSSPI_KTLS_TX | KSSPI_KTLS_RX) == SEC_E_OK);
	KT_EXPECT("credssp_ktls_client_to_server",
		  kt_send_recv(a, b, "to the server"));
	KT_EXPECT("credssp_ktls_server_to_client",
		  kt_send_recv(b, a, "to the client"));
	bf[0] = (struct ksspi_buffer){ 5, SECBUFFER_STREAM_HEADER, area };
	bf[1] = (struct ksspi_buffer){ 1, SECBUFFER_DATA, area + 5 };
	bf[2] = (struct ksspi_buffer){ 17, SECBUFFER_STREAM_TRAILER, area + 6 };
	kt_desc(&d, bf, 3);
	KT_EXPECT("credssp_ktls_context_let_go",
		  ksspi_encrypt_message(kt_owner, &client, 0, &d, 0) ==
		  SEC_E_UNSUPPORTED_FUNCTION &&
		  ksspi_install_ktls(kt_owner, &client, a, 0) ==
		  SEC_E_INVALID_PARAMETER &&
		  ksspi_install_ktls(kt_owner, &client, NULL, KSSPI_KTLS_TX) ==
		  SEC_E_INVALID_PARAMETER);
	sock_release(a);
	sock_release(b);
out_ctx:
	ksspi_delete_security_context(kt_owner, &client);
	ksspi_delete_security_context(kt_owner, &server);
out:
	vfree(area);
	kfree(blob);
}

/*
 * The CredSSP client case (credssp_port): the module is the client of a
 * userspace CredSSP server (selftests/interop/credssp_kapi), as an RDP
 * client in the kernel would be.  After the handshake the server sends a
 * greeting naming the user it saw (a 2-byte big-endian length, then the
 * text), the module sends KT_CSSP_DATA_LEN bytes of kt_cssp_byte() and
 * the server answers with the same bytes XOR 0x5a.
 */
#define KT_CSSP_DATA_LEN	40000
#define KT_CSSP_IN_CAP		(2 * KSSPI_MAX_TOKEN)
#define KT_CSSP_WRONG_PASSWORD	"not-the-password"
#define KT_CSSP_REQ	(ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY |	\
			 ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT | \
			 ISC_REQ_STREAM | ISC_REQ_EXTENDED_ERROR |	\
			 ISC_REQ_MANUAL_CRED_VALIDATION)
#define KT_CSSP_RET	(ISC_RET_CONFIDENTIALITY | ISC_RET_INTEGRITY |	\
			 ISC_RET_REPLAY_DETECT | ISC_RET_SEQUENCE_DETECT | \
			 ISC_RET_STREAM | ISC_RET_MANUAL_CRED_VALIDATION)

/* The target name, UTF-16, in module (vmalloc'd) memory */
static const u16 kt_termsrv[] = {
	'T', 'E', 'R', 'M', 'S', 'R', 'V', '/', 'l', 'o', 'c', 'a', 'l', 'h',
	'o', 's', 't', 0
};

struct kt_cssp {
	struct socket *sock;
	struct ksspi_handle cred, ctx;
	bool have_cred, have_ctx;
	u8 *in;		/* received and not used yet: @have bytes */
	u32 have;
	u8 *out;	/* the output token */
};

static u8 kt_cssp_byte(size_t i)
{
	return (u8)(i * 131 + 7);
}

static int kt_connect_local(struct socket **sock, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(port),
	};
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       sock);
	if (err)
		return err;
	(*sock)->sk->sk_rcvtimeo = 30 * HZ;
	(*sock)->sk->sk_sndtimeo = 30 * HZ;
	err = kernel_connect(*sock, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (err) {
		sock_release(*sock);
		*sock = NULL;
	}
	return err;
}

static int kt_send_all(struct socket *sock, const void *buf, size_t len)
{
	while (len) {
		struct kvec v = { (void *)buf, len };
		struct msghdr msg = {};
		int n = kernel_sendmsg(sock, &msg, &v, 1, len);

		if (n <= 0)
			return n ?: -EPIPE;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Reads what is there, at least one byte: the count, or an error */
static int kt_recv_some(struct socket *sock, void *buf, size_t len)
{
	struct kvec v = { buf, len };
	struct msghdr msg = {};
	int n = kernel_recvmsg(sock, &msg, &v, 1, len, 0);

	return n ?: -ECONNRESET;
}

static int kt_recv_all(struct socket *sock, void *buf, size_t len)
{
	while (len) {
		int n = kt_recv_some(sock, buf, len);

		if (n < 0)
			return n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Reads more of the server's stream into @c->in. */
static u32 kt_cssp_read(struct kt_cssp *c)
{
	int n;

	if (c->have == KT_CSSP_IN_CAP)
		return SEC_E_INTERNAL_ERROR;
	n = kt_recv_some(c->sock, c->in + c->have, KT_CSSP_IN_CAP - c->have);
	if (n < 0) {
		pr_err("ksspi_kapi_test: CredSSP: recv: %d\n", n);
		return SEC_E_INTERNAL_ERROR;
	}
	c->have += n;
	return SEC_E_OK;
}

/*
 * The client's legs over the socket, as a caller of Schannel does: the
 * first token allocated by ksspi, the others in vmalloc'd buffers; input
 * read in whatever pieces TCP gives, more of it after
 * SEC_E_INCOMPLETE_MESSAGE, the SECBUFFER_EXTRA tail passed again at once.
 * Every token is sent, a failing leg's error token too.
 */
static u32 kt_cssp_handshake(struct kt_cssp *c, const char *password,
			     u32 *attr)
{
	struct ksspi_identity id = {
		.user = credssp_user,
		.domain = credssp_domain,
		.password = password,
	};
	struct ksspi_buffer in_buf[2], out_buf;
	struct ksspi_buffer_desc in, out;
	unsigned int legs;
	u32 st, extra;

	st = ksspi_acquire_credentials_handle(kt_owner, "CredSSP",
					      SECPKG_CRED_OUTBOUND, &id,
					      &c->cred, NULL);
	if (st != SEC_E_OK)
		return st;
	c->have_cred = true;

	out_buf = (struct ksspi_buffer){ .buffer_type = SECBUFFER_TOKEN };
	kt_desc(&out, &out_buf, 1);
	st = ksspi_initialize_security_context(kt_owner, &c->cred, NULL,
					       kt_termsrv,
					       KT_CSSP_REQ |
					       ISC_REQ_ALLOCATE_MEMORY, 0,
					       SECURITY_NATIVE_DREP, NULL, 0,
					       &c->ctx, &out, attr, NULL);
	if (st != SEC_I_CONTINUE_NEEDED)
		return st;
	c->have_ctx = true;
	if (kt_send_all(c->sock, out_buf.pv_buffer, out_buf.cb_buffer))
		st = SEC_E_INTERNAL_ERROR;
	ksspi_free_context_buffer(out_buf.pv_buffer);

	for (legs = 0; st == SEC_I_CONTINUE_NEEDED && legs < 64; legs++) {
		if (!c->have) {
			st = kt_cssp_read(c);
			if (st != SEC_E_OK)
				return st;
		}
		in_buf[0] = (struct ksspi_buffer){ c->have, SECBUFFER_TOKEN,
						   c->in };
		in_buf[1] = (struct ksspi_buffer){ 0, SECBUFFER_EMPTY, NULL };
		kt_desc(&in, in_buf, 2);
		out_buf = (struct ksspi_buffer){ KSSPI_MAX_TOKEN,
						 SECBUFFER_TOKEN, c->out };
		kt_desc(&out, &out_buf, 1);
		st = ksspi_initialize_security_context(kt_owner, NULL, &c->ctx,
						       kt_termsrv, KT_CSSP_REQ,
						       0, SECURITY_NATIVE_DREP,
						       &in, 0, NULL, &out,
						       attr, NULL);
		if (st == SEC_E_INCOMPLETE_MESSAGE) {
			if (in_buf[1].buffer_type != SECBUFFER_MISSING ||
			    !in_buf[1].cb_buffer)
				return SEC_E_INTERNAL_ERROR;
			st = kt_cssp_read(c);
			if (st != SEC_E_OK)
				return st;
			st = SEC_I_CONTINUE_NEEDED;
			continue;
		}
		if (out_buf.cb_buffer &&
		    kt_send_all(c->sock, c->out, out_buf.cb_buffer))
			return SEC_E_INTERNAL_ERROR;
		if (st != SEC_I_CONTINUE_NEEDED && st != SEC_E_OK)
			return st;
		extra = in_buf[1].buffer_type == SECBUFFER_EXTRA ?
			in_buf[1].cb_buffer : 0;
		if (extra > c->have)
			return SEC_E_INTERNAL_ERROR;
		memmove(c->in, c->in + c->have - extra, extra);
		c->have = extra;
	}
	return st;
}

static void kt_cssp_release(struct kt_cssp *c, const char *what)
{
	bool ok = true;

	if (c->have_ctx)
		ok = ksspi_delete_security_context(kt_owner, &c->ctx) ==
		     SEC_E_OK;
	if (c->have_cred)
		ok = ksspi_free_credentials_handle(kt_owner, &c->cred) ==
		     SEC_E_OK && ok;
	KT_EXPECT(what, ok);
	c->have_ctx = false;
	c->have_cred = false;
	if (c->sock)
		sock_release(c->sock);
	c->sock = NULL;
}

/* After the handshake: the names, then kTLS and data both ways */
static void kt_cssp_established(struct kt_cssp *c, u32 attr)
{
	struct ksspi_attr_credssp_info info;
	char name[256], want[256];
	u32 len = sizeof(name), n;
	u8 *data = NULL;
	__be16 greeting_len = 0;
	size_t i;
	bool ok;

	snprintf(want, sizeof(want), "%s\\%s", credssp_domain, credssp_user);
	KT_EXPECT("credssp_client_attributes",
		  (attr & KT_CSSP_RET) == KT_CSSP_RET &&
		  !(attr & ISC_RET_ALLOCATED_MEMORY));
	KT_EXPECT("credssp_client_names",
		  ksspi_query_context_attributes(kt_owner, &c->ctx,
						 SECPKG_ATTR_NAMES, name,
						 &len) == SEC_E_OK &&
		  !strcmp(name, want));
	len = sizeof(info);
	KT_EXPECT("credssp_client_info",
		  ksspi_query_context_attributes(kt_owner, &c->ctx,
						 KSSPI_ATTR_CREDSSP_INFO,
						 &info, &len) == SEC_E_OK &&
		  info.tsrequest_version == 6 &&
		  !strcmp(info.inner_package, "NTLM") &&
		  (info.tls_version == 0x0303 || info.tls_version == 0x0304));

	/* Every byte read so far was a token: RX may go to kTLS. */
	KT_EXPECT("credssp_nothing_left_over", c->have == 0);
	ok = ksspi_install_ktls(kt_owner, &c->ctx, c->sock,
				KSSPI_KTLS_TX | KSSPI_KTLS_RX) == SEC_E_OK;
	KT_EXPECT("credssp_ktls_install", ok);
	if (!ok)
		return;

	ok = !kt_recv_all(c->sock, &greeting_len, sizeof(greeting_len));
	n = be16_to_cpu(greeting_len);
	ok = ok && n < sizeof(name) && !kt_recv_all(c->sock, name, n);
	if (ok)
		name[n] = 0;
	snprintf(want, sizeof(want), "hello %s\\%s", credssp_domain,
		 credssp_user);
	KT_EXPECT("credssp_ktls_greeting_names_the_user",
		  ok && !strcmp(name, want));

	data = vmalloc(KT_CSSP_DATA_LEN);
	if (!data) {
		KT_EXPECT("credssp_data_alloc", false);
		return;
	}
	for (i = 0; i < KT_CSSP_DATA_LEN; i++)
		data[i] = kt_cssp_byte(i);
	KT_EXPECT("credssp_ktls_send_to_server",
		  !kt_send_all(c->sock, data, KT_CSSP_DATA_LEN));
	memset(data, 0, KT_CSSP_DATA_LEN);
	ok = !kt_recv_all(c->sock, data, KT_CSSP_DATA_LEN);
	for (i = 0; ok && i < KT_CSSP_DATA_LEN; i++)
		ok = data[i] == (kt_cssp_byte(i) ^ 0x5a);
	KT_EXPECT("credssp_ktls_recv_from_server", ok);
	vfree(data);
}

static void kt_credssp_client(void)
{
	struct kt_cssp c = {};
	u32 attr = 0, st, len;
	char name[64];
	int err;

	if (!credssp_user || !credssp_domain || !credssp_password) {
		KT_EXPECT("credssp_parameters", false);
		return;
	}
	c.in = vmalloc(KT_CSSP_IN_CAP);
	c.out = vmalloc(KSSPI_MAX_TOKEN);
	if (!c.in || !c.out) {
		KT_EXPECT("credssp_alloc", false);
		goto out;
	}

	err = kt_connect_local(&c.sock, credssp_port);
	KT_EXPECT("credssp_connect", !err);
	if (err)
		goto out;
	st = kt_cssp_handshake(&c, credssp_password, &attr);
	if (st != SEC_E_OK)
		pr_err("ksspi_kapi_test: CredSSP handshake: 0x%08x\n", st);
	KT_EXPECT("credssp_handshake_ok", st == SEC_E_OK);
	if (st == SEC_E_OK)
		kt_cssp_established(&c, attr);
	kt_cssp_release(&c, "credssp_release");

	/* The same with a wrong password: the server's errorCode says why. */
	c.have = 0;
	err = kt_connect_local(&c.sock, credssp_port);
	KT_EXPECT("credssp_wrong_password_connect", !err);
	if (err)
		goto out;
	st = kt_cssp_handshake(&c, KT_CSSP_WRONG_PASSWORD, &attr);
	if (st != SEC_E_LOGON_DENIED)
		pr_err("ksspi_kapi_test: CredSSP, wrong password: 0x%08x\n",
		       st);
	KT_EXPECT("credssp_wrong_password_logon_denied",
		  st == SEC_E_LOGON_DENIED);
	len = sizeof(name);
	KT_EXPECT("credssp_wrong_password_context_failed",
		  c.have_ctx &&
		  ksspi_query_context_attributes(kt_owner, &c.ctx,
						 SECPKG_ATTR_NAMES, name,
						 &len) ==
		  SEC_E_CONTEXT_EXPIRED);
	kt_cssp_release(&c, "credssp_wrong_password_release");
out:
	vfree(c.in);
	vfree(c.out);
}

/*
 * One sealed message from @from to @to, in vmalloc'd memory: EncryptMessage
 * with a token of the sender's cbSecurityTrailer, DecryptMessage of the
 * same bytes, the plaintext back.
 */
static bool kt_hs_seal(struct ksspi_handle *from, struct ksspi_handle *to,
		       u8 *area, size_t len)
{
	struct ksspi_attr_sizes sizes;
	struct ksspi_buffer b[2];
	struct ksspi_buffer_desc d;
	u32 slen = sizeof(sizes), qop, trailer, i;
	bool ok;

	if (ksspi_query_context_attributes(kt_owner, from, SECPKG_ATTR_SIZES,
					   &sizes, &slen) != SEC_E_OK ||
	    sizes.security_trailer > PAGE_SIZE)
		return false;
	trailer = sizes.security_trailer;
	for (i = 0; i < len; i++)
		area[trailer + i] = (u8)(i * 7 + 1);
	b[0] = (struct ksspi_buffer){ trailer, SECBUFFER_TOKEN, area };
	b[1] = (struct ksspi_buffer){ len, SECBUFFER_DATA, area + trailer };
	kt_desc(&d, b, 2);
	if (ksspi_encrypt_message(kt_owner, from, 0, &d, 0) != SEC_E_OK)
		return false;
	ok = false;
	for (i = 0; i < len && !ok; i++)
		ok = area[trailer + i] != (u8)(i * 7 + 1);
	if (!ok)
		return false;	/* left in the clear */
	b[0].cb_buffer = trailer;
	if (ksspi_decrypt_message(kt_owner, to, &d, 0, &qop) != SEC_E_OK)
		return false;
	for (i = 0; i < len; i++)
		if (area[trailer + i] != (u8)(i * 7 + 1))
			return false;
	return true;
}

/* SECPKG_ATTR_SESSION_KEY of both sides: present and equal */
static bool kt_hs_same_key(struct ksspi_handle *a, struct ksspi_handle *b)
{
	u8 ka[64], kb[64];
	u32 la = sizeof(ka), lb = sizeof(kb);
	bool same;

	same = ksspi_query_context_attributes(kt_owner, a,
					      SECPKG_ATTR_SESSION_KEY, ka,
					      &la) == SEC_E_OK &&
	       ksspi_query_context_attributes(kt_owner, b,
					      SECPKG_ATTR_SESSION_KEY, kb,
					      &lb) == SEC_E_OK &&
	       la && la == lb && !memcmp(ka, kb, la);
	memzero_explicit(ka, sizeof(ka));
	memzero_explicit(kb, sizeof(kb));
	return same;
}

/* SECPKG_ATTR_NAMES into @name (512 bytes) */
static bool kt_hs_name(struct ksspi_handle *ctx, char *name)
{
	u32 len = 512;

	return ksspi_query_context_attributes(kt_owner, ctx, SECPKG_ATTR_NAMES,
					      name, &len) == SEC_E_OK;
}

static bool kt_hs_package_is(struct ksspi_handle *ctx, const char *name)
{
	struct ksspi_package_info *info;
	u32 len = sizeof(*info);
	bool is;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return false;
	is = ksspi_query_context_attributes(kt_owner, ctx,
					    SECPKG_ATTR_PACKAGE_INFO, info,
					    &len) == SEC_E_OK &&
	     !strcmp(info->name, name);
	kfree(info);
	return is;
}

/* One InitializeSecurityContext leg of kt_full_handshake() */
static u32 kt_hs_isc(struct ksspi_handle *cred, struct ksspi_handle *ctx,
		     bool have_ctx, const u16 *target, u32 req,
		     struct ksspi_buffer_desc *in,
		     struct ksspi_buffer_desc *out, u32 *attr)
{
	return ksspi_initialize_security_context(kt_owner, cred,
						 have_ctx ? ctx : NULL,
						 target, req, 0,
						 SECURITY_NATIVE_DREP,
						 have_ctx ? in : NULL, 0,
						 have_ctx ? NULL : ctx, out,
						 attr, NULL);
}

/*
 * ISC with @ccred and ASC with @scred in turn until both are done (at most
 * six legs), tokens in vmalloc'd @area (2 * KSSPI_MAX_TOKEN); the last
 * statuses in @st_c and @st_s, the contexts made in @client and @server
 * (@have_c, @have_s), the server's last attributes in @sattr.
 */
static void kt_hs_run(struct ksspi_handle *ccred, struct ksspi_handle *scred,
		      const u16 *target, u32 ireq, u32 areq, u8 *area,
		      struct ksspi_handle *client, struct ksspi_handle *server,
		      bool *have_c, bool *have_s, u32 *st_c, u32 *st_s,
		      u32 *sattr)
{
	struct ksspi_buffer in_buf, out_buf;
	struct ksspi_buffer_desc in, out;
	u32 attr, len = 0, leg;

	*st_c = SEC_I_CONTINUE_NEEDED;
	*st_s = SEC_I_CONTINUE_NEEDED;
	*have_c = false;
	*have_s = false;
	*sattr = 0;
	for (leg = 0; leg < 6; leg++) {
		if (*st_c == SEC_I_CONTINUE_NEEDED) {
			in_buf = (struct ksspi_buffer){ len, SECBUFFER_TOKEN,
							area };
			out_buf = (struct ksspi_buffer){
				KSSPI_MAX_TOKEN, SECBUFFER_TOKEN,
				area + KSSPI_MAX_TOKEN };
			kt_desc(&in, &in_buf, 1);
			kt_desc(&out, &out_buf, 1);
			*st_c = kt_hs_isc(*have_c ? NULL : ccred, client,
					  *have_c, target, ireq, &in, &out,
					  &attr);
			if (*st_c != SEC_E_OK &&
			    *st_c != SEC_I_CONTINUE_NEEDED)
				break;
			*have_c = true;
			len = out_buf.cb_buffer;
			memmove(area, area + KSSPI_MAX_TOKEN, len);
			if (!len && *st_c == SEC_E_OK)
				break;
		}
		if (*st_s != SEC_I_CONTINUE_NEEDED)
			break;
		in_buf = (struct ksspi_buffer){ len, SECBUFFER_TOKEN, area };
		out_buf = (struct ksspi_buffer){ KSSPI_MAX_TOKEN,
						 SECBUFFER_TOKEN,
						 area + KSSPI_MAX_TOKEN };
		kt_desc(&in, &in_buf, 1);
		kt_desc(&out, &out_buf, 1);
		*st_s = ksspi_accept_security_context(kt_owner,
						      *have_s ? NULL : scred,
						      *have_s ? server : NULL,
						      &in, areq,
						      SECURITY_NATIVE_DREP,
						      *have_s ? NULL : server,
						      &out, sattr, NULL);
		if (*st_s != SEC_E_OK && *st_s != SEC_I_CONTINUE_NEEDED)
			break;
		*have_s = true;
		len = out_buf.cb_buffer;
		memmove(area, area + KSSPI_MAX_TOKEN, len);
		if (*st_s == SEC_E_OK && *st_c == SEC_E_OK)
			break;
		if (*st_s == SEC_E_OK && !len)
			break;
	}
}

/*
 * handshake_delegate: the client delegates, the server (ASC_REQ_DELEGATE)
 * reaches handshake_second_target as the client with
 * ksspi_acquire_credentials_from_context(): the second server must name
 * the first one's client (@client_name), which an in-kernel caller's own
 * machine credentials are not; once the server's context is deleted, the
 * credential gets SEC_E_NO_CREDENTIALS.
 */
static void kt_hs_second_hop(struct ksspi_handle *server, u32 sattr,
			     struct ksspi_handle *scred, const char *client_name,
			     u8 *area, char *name)
{
	const u32 req = ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY |
			ISC_REQ_INTEGRITY;
	struct ksspi_handle dcred = {}, c2, s2;
	struct ksspi_buffer out_buf;
	struct ksspi_buffer_desc out;
	size_t i, tlen = strlen(handshake_second_target);
	bool have_c, have_s;
	u32 st_c, st_s, attr;
	u16 *target;

	KT_EXPECT("hs_delegated", sattr & ASC_RET_DELEGATE);
	target = vmalloc((tlen + 1) * sizeof(u16));
	if (!target)
		return;
	for (i = 0; i <= tlen; i++)
		target[i] = (u8)handshake_second_target[i];
	KT_EXPECT("hs_credential_from_context",
		  ksspi_acquire_credentials_from_context(kt_owner,
							 handshake_package,
							 server, &dcred,
							 NULL) == SEC_E_OK);
	kt_hs_run(&dcred, scred, target, req, ASC_REQ_MUTUAL_AUTH, area,
		  &c2, &s2, &have_c, &have_s, &st_c, &st_s, &attr);
	KT_EXPECT("hs_second_hop_ok", st_c == SEC_E_OK && st_s == SEC_E_OK);
	KT_EXPECT("hs_second_hop_as_client",
		  st_s == SEC_E_OK && kt_hs_name(&s2, name) &&
		  !strcmp(name, client_name));
	if (have_c)
		ksspi_delete_security_context(kt_owner, &c2);
	if (have_s)
		ksspi_delete_security_context(kt_owner, &s2);

	ksspi_delete_security_context(kt_owner, server);
	out_buf = (struct ksspi_buffer){ KSSPI_MAX_TOKEN, SECBUFFER_TOKEN,
					 area };
	kt_desc(&out, &out_buf, 1);
	st_c = kt_hs_isc(&dcred, &c2, false, target, req, NULL, &out, &attr);
	KT_EXPECT("hs_deleted_context_no_credentials",
		  st_c == SEC_E_NO_CREDENTIALS);
	if (st_c == SEC_E_OK || st_c == SEC_I_CONTINUE_NEEDED)
		ksspi_delete_security_context(kt_owner, &c2);
	ksspi_free_credentials_handle(kt_owner, &dcred);
	vfree(target);
}

/*
 * The handshake_package case: a full handshake, tokens in vmalloc'd
 * memory, a UTF-16 target name.
 */
static void kt_full_handshake(void)
{
	struct ksspi_identity id = {
		.user = handshake_user,
		.domain = handshake_domain,
		.password = handshake_password,
	};
	const u32 ireq = ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY |
			 ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT |
			 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONNECTION |
			 (handshake_delegate ? ISC_REQ_DELEGATE : 0);
	const u32 areq = ASC_REQ_MUTUAL_AUTH | ASC_REQ_CONFIDENTIALITY |
			 ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT |
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONNECTION |
			 (handshake_delegate ? ASC_REQ_DELEGATE : 0);
	struct ksspi_handle ccred = {}, scred = {}, client, server;
	u32 st_c, st_s, sattr;
	bool have_c = false, have_s = false;
	u16 *target;
	u8 *area;
	size_t i, tlen = strlen(handshake_target);
	char *cname, *sname;

	area = vmalloc(2 * KSSPI_MAX_TOKEN);
	target = vmalloc((tlen + 1) * sizeof(u16));
	cname = vzalloc(2 * 512);
	if (!area || !target || !cname)
		goto out_free;
	sname = cname + 512;
	for (i = 0; i <= tlen; i++)
		target[i] = (u8)handshake_target[i];

	KT_EXPECT("hs_acquire_client",
		  ksspi_acquire_credentials_handle(kt_owner, handshake_package,
						   SECPKG_CRED_OUTBOUND,
						   handshake_user ? &id : NULL,
						   &ccred, NULL) == SEC_E_OK);
	KT_EXPECT("hs_acquire_server",
		  ksspi_acquire_credentials_handle(kt_owner, handshake_package,
						   SECPKG_CRED_INBOUND, NULL,
						   &scred, NULL) == SEC_E_OK);

	kt_hs_run(&ccred, &scred, target, ireq, areq, area, &client, &server,
		  &have_c, &have_s, &st_c, &st_s, &sattr);
	if (st_c != SEC_E_OK || st_s != SEC_E_OK)
		pr_err("ksspi_kapi_test: %s handshake: client 0x%08x, server 0x%08x\n",
		       handshake_package, st_c, st_s);
	KT_EXPECT("hs_client_ok", st_c == SEC_E_OK);
	KT_EXPECT("hs_server_ok", st_s == SEC_E_OK);
	if (st_c != SEC_E_OK || st_s != SEC_E_OK)
		goto out_delete;

	KT_EXPECT("hs_client_package",
		  kt_hs_package_is(&client, handshake_expect ?: ""));
	KT_EXPECT("hs_server_package",
		  kt_hs_package_is(&server, handshake_expect ?: ""));
	KT_EXPECT("hs_session_keys_match", kt_hs_same_key(&client, &server));
	KT_EXPECT("hs_names",
		  kt_hs_name(&client, cname) && kt_hs_name(&server, sname) &&
		  cname[0] && !strcmp(cname, sname));
	KT_EXPECT("hs_sealed_client_to_server",
		  kt_hs_seal(&client, &server, area, 3000));
	KT_EXPECT("hs_sealed_server_to_client",
		  kt_hs_seal(&server, &client, area, 3000));
	if (handshake_delegate) {
		kt_hs_second_hop(&server, sattr, &scred, sname, area, cname);
		have_s = false;		/* deleted there */
	}
out_delete:
	if (have_c)
		ksspi_delete_security_context(kt_owner, &client);
	if (have_s)
		ksspi_delete_security_context(kt_owner, &server);
	ksspi_free_credentials_handle(kt_owner, &ccred);
	ksspi_free_credentials_handle(kt_owner, &scred);
out_free:
	vfree(area);
	vfree(target);
	vfree(cname);
}

/*
 * Known answers of the Kerberos crypto (kmod/krb5_crypto.c); where each
 * vector comes from: Documentation/kerberos-crypto.rst.
 */
struct kt_krb5_vector {
	const char *name;
	u32 etype;
	const char *key;	/* base key, or Ke for the bare CTS vectors */
	const char *conf;	/* confounder, or a constant */
	const char *plain;
	const char *expected[3];	/* in pieces */
};

/* RFC 3962 appendix B: DK(PBKDF2 output, "kerberos") is the AES key */
static const struct kt_krb5_vector kt_krb5_dk[] = {
	{ "krb5_rfc3962_dk_17_iter1", 17, "cdedb5281bb2f801565a1122b2563515",
	  "kerberos", NULL,
	  { "42263c6e89f4fc28b8df68ee09799f15" } },
	{ "krb5_rfc3962_dk_18_iter1", 18,
	  "cdedb5281bb2f801565a1122b25635150ad1f7a04bb9f3a333ecc0e2e1f70837",
	  "kerberos", NULL,
	  { "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161" } },
	{ "krb5_rfc3962_dk_17_iter1200", 17,
	  "5c08eb61fdf71e4e4ec3cf6ba1f5512b", "kerberos", NULL,
	  { "4c01cd46d632d01e6dbe230a01ed642a" } },
	{ "krb5_rfc3962_dk_18_iter1200", 18,
	  "5c08eb61fdf71e4e4ec3cf6ba1f5512ba7e52ddbc5e5142f708a31e2e62b1e13",
	  "kerberos", NULL,
	  { "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a" } },
};

/* Kc, Ke, Ki of key usage 2: RFC 8009 appendix A; 17, 18: OpenSSL KRB5KDF */
#define KT_AES128_BASE	"42263c6e89f4fc28b8df68ee09799f15"
#define KT_AES256_BASE	\
	"fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161"
#define KT_SHA256_BASE	"3705d96080c17728a0e800eab6e0d23c"
#define KT_SHA384_BASE	\
	"6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52"
static const struct kt_krb5_vector kt_krb5_usage_keys[] = {
	{ "krb5_dk_17_kc", 17, KT_AES128_BASE, "0000000299", NULL,
	  { "34280a382bc92769b2da2f9ef066854b" } },
	{ "krb5_dk_17_ke", 17, KT_AES128_BASE, "00000002aa", NULL,
	  { "5b14fc4e250e14ddf9dccf1af6674f53" } },
	{ "krb5_dk_17_ki", 17, KT_AES128_BASE, "0000000255", NULL,
	  { "4ed31063621684f09ae8d89991af3e8f" } },
	{ "krb5_dk_18_kc", 18, KT_AES256_BASE, "0000000299", NULL,
	  { "bfab388bdcb238e9f9c98d6a878304f04d30c82556375ac507a7a852790f4674" } },
	{ "krb5_dk_18_ke", 18, KT_AES256_BASE, "00000002aa", NULL,
	  { "c7cfd9cd75fe793a586a542d87e0d1396f1134a104bb1a9190b8c90ada3ddf37" } },
	{ "krb5_dk_18_ki", 18, KT_AES256_BASE, "0000000255", NULL,
	  { "97151b4c76945063e2eb0529dc067d97d7bba90776d8126d91f34f3101aea8ba" } },
	{ "krb5_rfc8009_kdf_19_kc", 19, KT_SHA256_BASE, "0000000299", NULL,
	  { "b31a018a48f54776f403e9a396325dc3" } },
	{ "krb5_rfc8009_kdf_19_ke", 19, KT_SHA256_BASE, "00000002aa", NULL,
	  { "9b197dd1e8c5609d6e67c3e37c62c72e" } },
	{ "krb5_rfc8009_kdf_19_ki", 19, KT_SHA256_BASE, "0000000255", NULL,
	  { "9fda0e56ab2d85e1569a688696c26a6c" } },
	{ "krb5_rfc8009_kdf_20_kc", 20, KT_SHA384_BASE, "0000000299", NULL,
	  { "ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d" } },
	{ "krb5_rfc8009_kdf_20_ke", 20, KT_SHA384_BASE, "00000002aa", NULL,
	  { "56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49" } },
	{ "krb5_rfc8009_kdf_20_ki", 20, KT_SHA384_BASE, "0000000255", NULL,
	  { "69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f" } },
};

/*
 * RFC 3962 appendix B: cts(cbc(aes)) under "chicken teriyaki" with a zero
 * IV; the first 16 bytes of the plaintext stand in for the confounder.
 */
#define KT_GAU	"4920776f756c64206c696b65207468652047656e6572616c20476175277320" \
		"436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f7570" \
		"2e"
static const struct kt_krb5_vector kt_krb5_cts[] = {
	{ "krb5_rfc3962_cts_17", 17, NULL, NULL, "17",
	  { "c6353568f2bf8cb4d8a580362da7ff7f97" } },
	{ "krb5_rfc3962_cts_31", 17, NULL, NULL, "31",
	  { "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5" } },
	{ "krb5_rfc3962_cts_32", 17, NULL, NULL, "32",
	  { "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584" } },
	{ "krb5_rfc3962_cts_47", 17, NULL, NULL, "47",
	  { "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e",
	    "39312523a78662d5be7fcbcc98ebf5" } },
	{ "krb5_rfc3962_cts_48", 17, NULL, NULL, "48",
	  { "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd8",
	    "39312523a78662d5be7fcbcc98ebf5a8" } },
	{ "krb5_rfc3962_cts_64", 17, NULL, NULL, "64",
	  { "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a8",
	    "4807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8" } },
};

/*
 * Encryption with key usage 2: RFC 8009 appendix A for 19 and 20; for 17
 * and 18 computed in userspace (Documentation/kerberos-crypto.rst).
 */
#define KT_PLAIN21	"000102030405060708090a0b0c0d0e0f1011121314"
static const struct kt_krb5_vector kt_krb5_enc[] = {
	{ "krb5_enc_17_empty", 17, KT_AES128_BASE,
	  "7e5895eaf2672435bad817f545a37148", "",
	  { "f034ce0104ac3c43770a9a12d58f1902968fb61007eea3e480924145" } },
	{ "krb5_enc_17_21", 17, KT_AES128_BASE,
	  "a7a4e29a4728ce10664fb64e49ad3fac", KT_PLAIN21,
	  { "220d16cfb05ef457481c72330cfbdd270945baeb00db6bf538435647d0bf8f6f",
	    "13bdd5dc164b42b6f43ff71d4f87ea5ea6" } },
	{ "krb5_enc_18_empty", 18, KT_AES256_BASE,
	  "7e5895eaf2672435bad817f545a37148", "",
	  { "f39ef9fe0d88a18be156cc7d7887e0f6b83a72cf29b98a3c8aafa1cf" } },
	{ "krb5_enc_18_21", 18, KT_AES256_BASE,
	  "a7a4e29a4728ce10664fb64e49ad3fac", KT_PLAIN21,
	  { "86a01088070155ddc4b264799fc68b0dbf6bf39e064d4f137eec77423d39a65b",
	    "75d5912bfea828cfc37bfa48217a5ffb6b" } },
	{ "krb5_rfc8009_enc_19_empty", 19, KT_SHA256_BASE,
	  "7e5895eaf2672435bad817f545a37148", "",
	  { "ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718" } },
	{ "krb5_rfc8009_enc_19_6", 19, KT_SHA256_BASE,
	  "7bca285e2fd4130fb55b1a5c83bc5b24", "000102030405",
	  { "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4",
	    "421dfdf8976c" } },
	{ "krb5_rfc8009_enc_19_16", 19, KT_SHA256_BASE,
	  "56ab21713ff62c0a1457200f6fa9948f", "000102030405060708090a0b0c0d0e0f",
	  { "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc2",
	    "95fb4852e7d83e1e7c48c37eebe6b0d3" } },
	{ "krb5_rfc8009_enc_19_21", 19, KT_SHA256_BASE,
	  "a7a4e29a4728ce10664fb64e49ad3fac", KT_PLAIN21,
	  { "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bc",
	    "e1e6d072c186b39a413c2f92ca9b8334a287ffcbfc" } },
	{ "krb5_rfc8009_enc_20_empty", 20, KT_SHA384_BASE,
	  "f764e9fa15c276478b2c7d0c4e5f58e4", "",
	  { "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac61274",
	    "8b9bbfbe7eb4ce3c" } },
	{ "krb5_rfc8009_enc_20_6", 20, KT_SHA384_BASE,
	  "b80d3251c1f6471494256ffe712d0b9a", "000102030405",
	  { "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b60",
	    "92237526ea0d1f61cb20d69d10f2" } },
	{ "krb5_rfc8009_enc_20_16", 20, KT_SHA384_BASE,
	  "53bf8a0d105265d4e276428624ce5e63", "000102030405060708090a0b0c0d0e0f",
	  { "bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f6",
	    "8cf51f14d798c2273f35df574d1f932e40c4ff255b36a266" } },
	{ "krb5_rfc8009_enc_20_21", 20, KT_SHA384_BASE,
	  "763e65367e864f02f55153c7e3b58af1", KT_PLAIN21,
	  { "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2",
	    "b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62" } },
};

/* Checksums with key usage 2: RFC 8009 appendix A; 17, 18 as above */
static const struct kt_krb5_vector kt_krb5_mic[] = {
	{ "krb5_mic_17", 17, KT_AES128_BASE, NULL, KT_PLAIN21,
	  { "930b6a94a22cf6a56a9aa145" } },
	{ "krb5_mic_18", 18, KT_AES256_BASE, NULL, KT_PLAIN21,
	  { "bf1081ebfa68fd00bbf01c42" } },
	{ "krb5_rfc8009_mic_19", 19, KT_SHA256_BASE, NULL, KT_PLAIN21,
	  { "d78367186643d67b411cba9139fc1dee" } },
	{ "krb5_rfc8009_mic_20", 20, KT_SHA384_BASE, NULL, KT_PLAIN21,
	  { "45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a" } },
};

/* Decodes @hex into @out (room for @size bytes); the length, or -1 */
static int kt_hex(const char *hex, u8 *out, size_t size)
{
	size_t len = strlen(hex);

	if (len % 2 || len / 2 > size || hex2bin(out, hex, len / 2))
		return -1;
	return len / 2;
}

/* Decodes the pieces of @v's expected bytes into @out (@size bytes) */
static int kt_hex_expected(const struct kt_krb5_vector *v, u8 *out,
			   size_t size)
{
	int len = 0, n;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v->expected) && v->expected[i]; i++) {
		n = kt_hex(v->expected[i], out + len, size - len);
		if (n < 0)
			return -1;
		len += n;
	}
	return len;
}

static bool kt_krb5_derive_one(const struct kt_krb5_vector *v, bool hex_constant)
{
	const struct ksspi_krb5_enctype *et = ksspi_krb5_find_enctype(v->etype);
	u8 key[32], constant[16], expected[32], out[32];
	int klen, clen, elen;

	klen = kt_hex(v->key, key, sizeof(key));
	elen = kt_hex_expected(v, expected, sizeof(expected));
	if (hex_constant) {
		clen = kt_hex(v->conf, constant, sizeof(constant));
	} else {
		clen = strlen(v->conf);
		memcpy(constant, v->conf, clen);
	}
	return et && klen == et->key_len && clen > 0 && elen > 0 &&
	       !ksspi_krb5_derive_key(et, key, constant, clen, out, elen) &&
	       !memcmp(out, expected, elen);
}

/* Bare CTS: the first 16 bytes as the confounder, the MAC not checked */
static bool kt_krb5_cts_one(const struct kt_krb5_vector *v, u8 *buf)
{
	const struct ksspi_krb5_enctype *et = ksspi_krb5_find_enctype(v->etype);
	static const u8 key[16] = "chicken teriyaki";
	struct ksspi_krb5_keys keys;
	unsigned int len;
	u8 expected[64];
	bool ok;

	if (kstrtouint(v->plain, 10, &len) || len > 64 ||
	    kt_hex_expected(v, expected, sizeof(expected)) != len || kt_hex(KT_GAU, buf, 256) < len)
		return false;
	ok = !ksspi_krb5_keys_set(&keys, et, key, key, key) &&
	     !ksspi_krb5_encrypt(&keys, buf, len) &&
	     !memcmp(buf, expected, len);
	ksspi_krb5_keys_free(&keys);
	return ok;
}

/* Encrypt to the expected bytes, decrypt back, refuse a flipped bit */
static bool kt_krb5_enc_one(const struct kt_krb5_vector *v, u8 *buf)
{
	const struct ksspi_krb5_enctype *et = ksspi_krb5_find_enctype(v->etype);
	u8 key[32], expected[128], plain[32];
	struct ksspi_krb5_keys keys;
	int clen, plen, elen;
	bool ok;

	if (kt_hex(v->key, key, sizeof(key)) < 0 || !et)
		return false;
	clen = kt_hex(v->conf, buf, 256);
	plen = kt_hex(v->plain, plain, sizeof(plain));
	elen = kt_hex_expected(v, expected, sizeof(expected));
	if (clen != KSSPI_KRB5_CONFOUNDER_LEN || plen < 0 ||
	    elen != clen + plen + et->mac_len)
		return false;
	memcpy(buf + clen, plain, plen);
	ok = !ksspi_krb5_keys_derive(&keys, et, key, 2) &&
	     !ksspi_krb5_encrypt(&keys, buf, clen + plen) &&
	     !memcmp(buf, expected, elen) &&
	     ksspi_krb5_decrypt(&keys, buf, elen) == clen + plen &&
	     !memcmp(buf + clen, plain, plen);
	if (ok) {
		memcpy(buf, expected, elen);
		buf[elen - 1] ^= 1;	/* in the MAC */
		ok = ksspi_krb5_decrypt(&keys, buf, elen) == -EBADMSG;
		memcpy(buf, expected, elen);
		buf[0] ^= 0x80;		/* in the ciphertext */
		ok = ok && ksspi_krb5_decrypt(&keys, buf, elen) == -EBADMSG;
		ok = ok && ksspi_krb5_decrypt(&keys, buf, clen + et->mac_len - 1) ==
			   -EINVAL;
	}
	ksspi_krb5_keys_free(&keys);
	return ok;
}

static bool kt_krb5_mic_one(const struct kt_krb5_vector *v)
{
	const struct ksspi_krb5_enctype *et = ksspi_krb5_find_enctype(v->etype);
	u8 key[32], plain[32], expected[32], mic[KSSPI_KRB5_MAX_MAC_LEN];
	struct ksspi_krb5_keys keys;
	int plen;
	bool ok;

	plen = kt_hex(v->plain, plain, sizeof(plain));
	if (!et || kt_hex(v->key, key, sizeof(key)) < 0 || plen < 0 ||
	    kt_hex_expected(v, expected, sizeof(expected)) != et->mac_len)
		return false;
	ok = !ksspi_krb5_keys_derive(&keys, et, key, 2) &&
	     !ksspi_krb5_get_mic(&keys, plain, plen, mic) &&
	     !memcmp(mic, expected, et->mac_len) &&
	     !ksspi_krb5_verify_mic(&keys, plain, plen, expected);
	plain[0] ^= 1;
	ok = ok && ksspi_krb5_verify_mic(&keys, plain, plen, expected) ==
		   -EBADMSG;
	ksspi_krb5_keys_free(&keys);
	return ok;
}

static void kt_krb5_known_answers(void)
{
	unsigned int i;
	u8 *buf;

	KT_EXPECT("krb5_no_enctype_16", !ksspi_krb5_find_enctype(16));
	for (i = 0; i < ARRAY_SIZE(kt_krb5_dk); i++)
		KT_EXPECT(kt_krb5_dk[i].name,
			  kt_krb5_derive_one(&kt_krb5_dk[i], false));
	for (i = 0; i < ARRAY_SIZE(kt_krb5_usage_keys); i++)
		KT_EXPECT(kt_krb5_usage_keys[i].name,
			  kt_krb5_derive_one(&kt_krb5_usage_keys[i], true));
	buf = kmalloc(256, GFP_KERNEL);	/* linear memory, as the sg wants */
	if (!buf) {
		KT_EXPECT("krb5_alloc", false);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(kt_krb5_cts); i++)
		KT_EXPECT(kt_krb5_cts[i].name,
			  kt_krb5_cts_one(&kt_krb5_cts[i], buf));
	for (i = 0; i < ARRAY_SIZE(kt_krb5_enc); i++)
		KT_EXPECT(kt_krb5_enc[i].name,
			  kt_krb5_enc_one(&kt_krb5_enc[i], buf));
	for (i = 0; i < ARRAY_SIZE(kt_krb5_mic); i++)
		KT_EXPECT(kt_krb5_mic[i].name, kt_krb5_mic_one(&kt_krb5_mic[i]));
	kfree(buf);
}

/*
 * Kerberos tokens through the in-kernel API, buffers in vmalloc memory
 * across a page boundary: the MIC and a Wrap token of
 * selftests/interop/krb5_cfx.py (confounder 00 01 .. 0f, RRC 16 + MAC
 * length), over "Plaintext" with the contexts of krb5_messages.
 */
#define KT_KRB5_PIECES	3

struct kt_krb5_token_vector {
	const char *name;
	u32 etype;
	u32 key_len;
	u8 key_first;
	const char *mic[KT_KRB5_PIECES];  /* initiator, seq 0x12345678 */
	const char *wrap[KT_KRB5_PIECES]; /* acceptor, seq 0x0badcafe */
};

static const struct kt_krb5_token_vector kt_krb5_tokens_v[] = {
	{ "krb5_kapi_tokens_17", 17, 16, 0x01,
	  { "040400ffffffffff00000000123456780caca9f6a1825abc84ad9f5d" },
	  { "050403ff0000001c000000000badcafe543f40b936de3ee2f8b3a837d1fcae28",
	    "57130c86cda772e98f9bec12ff15445698af41c0916674adddbb1b7438b3ec88",
	    "cd234fce84" } },
	{ "krb5_kapi_tokens_20", 20, 32, 0x60,
	  { "040400ffffffffff000000001234567832b055988e9fdfcdaf5b6f88810d44a1",
	    "c1bc7f3b664a5399" },
	  { "050403ff00000028000000000badcafe8f5e68730902fd6a2d40ab5ac8a785b4",
	    "10accbfe8f2a1fab12639eef2d6033abea010bdb804e4959823632262b5d64b2",
	    "c2dd745d9cf6e7b8eedc747524dadfb996" } },
};

/* Decodes the pieces into @out (@size bytes); the length, or -1 */
static int kt_hex_pieces(const char *const *pieces, u8 *out, size_t size)
{
	int len = 0, n;
	unsigned int i;

	for (i = 0; i < KT_KRB5_PIECES && pieces[i]; i++) {
		n = kt_hex(pieces[i], out + len, size - len);
		if (n < 0)
			return -1;
		len += n;
	}
	return len;
}

#define KT_KRB5_ISEQ	0x12345678ULL
#define KT_KRB5_ASEQ	0x0badcafeULL

static u32 kt_krb5_blob(u8 *b, const struct kt_krb5_token_vector *v,
			bool initiator)
{
	struct ksspi_ctx_header *h = (void *)b;
	__le64 send = cpu_to_le64(initiator ? KT_KRB5_ISEQ : KT_KRB5_ASEQ);
	__le64 recv = cpu_to_le64(initiator ? KT_KRB5_ASEQ : KT_KRB5_ISEQ);
	__le32 etype = cpu_to_le32(v->etype), info = 0;
	u8 key[32];
	u32 off = sizeof(*h), i;

	for (i = 0; i < v->key_len; i++)
		key[i] = v->key_first + i;
	memset(b, 0, 512);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_SEND_SEQ, &send, 8);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_RECV_SEQ, &recv, 8);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_KRB5_ENCTYPE, &etype, 4);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_KRB5_KEY, key, v->key_len);
	off = kt_blob_put(b, off, KSSPI_CTX_REC_KRB5_INFO, &info, 4);
	memzero_explicit(key, sizeof(key));
	h->magic = cpu_to_le32(KSSPI_CTX_MAGIC);
	h->version = cpu_to_le16(KSSPI_CTX_VERSION);
	h->header_len = cpu_to_le16(sizeof(*h));
	h->total_len = cpu_to_le32(off);
	h->flags = cpu_to_le32(initiator ? KSSPI_CTX_F_INITIATOR : 0);
	h->context_attr = cpu_to_le32(ISC_RET_REPLAY_DETECT |
				      ISC_RET_SEQUENCE_DETECT);
	strscpy(h->package, "Kerberos", sizeof(h->package));
	return off;
}

static bool kt_krb5_import(u8 *blob, const struct kt_krb5_token_vector *v,
			   bool initiator, struct ksspi_handle *ctx)
{
	struct ksspi_buffer packed = { kt_krb5_blob(blob, v, initiator),
				       SECBUFFER_EMPTY, blob };

	return ksspi_import_security_context(kt_owner, "Kerberos", &packed,
					     ctx) == SEC_E_OK;
}

static bool kt_krb5_tokens_one(const struct kt_krb5_token_vector *v,
			       u8 *blob, u8 *area, u8 *expect)
{
	static const char text[] = "Plaintext";
	u8 *data = area + PAGE_SIZE - 5, *tok = area + 64;
	struct ksspi_handle ini, acc;
	struct ksspi_buffer b[2];
	struct ksspi_buffer_desc d;
	int mic_len = kt_hex_pieces(v->mic, expect, 128), wrap_len;
	bool ok = true;
	u32 qop = 1;

	if (!kt_krb5_import(blob, v, true, &ini))
		return false;
	if (!kt_krb5_import(blob, v, false, &acc)) {
		ksspi_delete_security_context(kt_owner, &ini);
		return false;
	}
	/* MakeSignature: the reference's MIC */
	memcpy(data, text, 9);
	b[0] = (struct ksspi_buffer){ 9, SECBUFFER_DATA, data };
	b[1] = (struct ksspi_buffer){ 64, SECBUFFER_TOKEN, tok };
	kt_desc(&d, b, 2);
	ok &= mic_len > 0;
	ok &= ksspi_make_signature(kt_owner, &ini, 0, &d, 0) == SEC_E_OK &&
	      b[1].cb_buffer == mic_len && !memcmp(tok, expect, mic_len);
	ok &= ksspi_verify_signature(kt_owner, &acc, &d, 0, &qop) ==
	      SEC_E_OK && qop == 0;

	/* DecryptMessage of the reference's Wrap token, whole, as a stream */
	data = area + PAGE_SIZE - 30;
	wrap_len = kt_hex_pieces(v->wrap, data, 128);
	ok &= wrap_len > 9;
	b[0] = (struct ksspi_buffer){ wrap_len, SECBUFFER_STREAM, data };
	b[1] = (struct ksspi_buffer){ 0, SECBUFFER_DATA, NULL };
	ok &= ksspi_decrypt_message(kt_owner, &ini, &d, 0, &qop) ==
	      SEC_E_OK && qop == 0 && b[1].cb_buffer == 9 &&
	      !memcmp(b[1].pv_buffer, text, 9);
	/* the same token again is a replay */
	ok &= kt_hex_pieces(v->wrap, data, 128) == wrap_len;
	b[0] = (struct ksspi_buffer){ wrap_len, SECBUFFER_STREAM, data };
	b[1] = (struct ksspi_buffer){ 0, SECBUFFER_DATA, NULL };
	ok &= ksspi_decrypt_message(kt_owner, &ini, &d, 0, &qop) ==
	      SEC_E_OUT_OF_SEQUENCE;

	/* EncryptMessage then DecryptMessage, TOKEN + DATA in place */
	data = area + PAGE_SIZE - 5;
	memcpy(data, text, 9);
	b[0] = (struct ksspi_buffer){ 9, SECBUFFER_DATA, data };
	b[1] = (struct ksspi_buffer){ 128, SECBUFFER_TOKEN, tok };
	ok &= ksspi_encrypt_message(kt_owner, &ini, 0, &d, 0) == SEC_E_OK &&
	      b[1].cb_buffer == wrap_len - 9 && memcmp(data, text, 9);
	ok &= ksspi_decrypt_message(kt_owner, &acc, &d, 0, &qop) ==
	      SEC_E_OK && qop == 0 && b[0].cb_buffer == 9 &&
	      !memcmp(data, text, 9);
	ok &= ksspi_delete_security_context(kt_owner, &ini) == SEC_E_OK;
	ok &= ksspi_delete_security_context(kt_owner, &acc) == SEC_E_OK;
	return ok;
}

static void kt_krb5_tokens(void)
{
	u8 *blob = kmalloc(512, GFP_KERNEL), *expect = kmalloc(128, GFP_KERNEL);
	u8 *area = vmalloc(2 * PAGE_SIZE);
	unsigned int i;

	if (!blob || !expect || !area) {
		KT_EXPECT("krb5_kapi_alloc", false);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(kt_krb5_tokens_v); i++)
		KT_EXPECT(kt_krb5_tokens_v[i].name,
			  kt_krb5_tokens_one(&kt_krb5_tokens_v[i], blob, area,
					     expect));
out:
	vfree(area);
	kfree(expect);
	kfree_sensitive(blob);
}

static int kt_results_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < kt_count; i++)
		seq_printf(m, "%sok %u %s\n", kt_results[i].ok ? "" : "not ",
			   i + 1, kt_results[i].name);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kt_results);

/* Each consumer's handles mean nothing to another consumer's table. */
static void kt_tables(struct kt_pair *p)
{
	struct ksspi_owner *other = ksspi_open();
	u8 buf[16];
	u32 len = sizeof(buf);

	KT_EXPECT("tables_open", !!other);
	if (!other)
		return;
	KT_EXPECT("tables_foreign_context",
		  ksspi_query_context_attributes(other, &p->client,
						 SECPKG_ATTR_SIZES, buf, &len) ==
		  SEC_E_INVALID_HANDLE);
	KT_EXPECT("tables_foreign_delete",
		  ksspi_delete_security_context(other, &p->server) ==
		  SEC_E_INVALID_HANDLE &&
		  ksspi_free_credentials_handle(other, &p->client_cred) ==
		  SEC_E_INVALID_HANDLE);
	ksspi_close(other);
	KT_EXPECT("tables_null_owner",
		  ksspi_delete_security_context(NULL, &p->client) ==
		  SEC_E_INVALID_HANDLE);
}

static int __init kt_init(void)
{
	struct kt_pair p;

	kt_owner = ksspi_open();
	if (!kt_owner)
		return -ENOMEM;
	if (credssp_port) {
		kt_credssp_client();
		goto results;
	}
	if (handshake_package) {
		kt_full_handshake();
		goto results;
	}
	kt_parameters();
	kt_ntlm_known_answer();
	kt_krb5_known_answers();
	kt_krb5_tokens();
	kt_credssp_ktls();
	kt_handshake(&p);
	if (p.established) {
		kt_messages(&p);
		kt_attributes(&p);
		kt_export_import(&p);
		kt_tables(&p);
	}
	KT_EXPECT("delete_client",
		  ksspi_delete_security_context(kt_owner, &p.client) == SEC_E_OK);
	KT_EXPECT("delete_server",
		  ksspi_delete_security_context(kt_owner, &p.server) == SEC_E_OK);
	KT_EXPECT("free_credentials",
		  ksspi_free_credentials_handle(kt_owner, &p.client_cred) == SEC_E_OK &&
		  ksspi_free_credentials_handle(kt_owner, &p.server_cred) == SEC_E_OK);
results:
	kt_dir = debugfs_create_dir("ksspi_kapi_test", NULL);
	debugfs_create_file("results", 0444, kt_dir, NULL, &kt_results_fops);
	return 0;
}

static void __exit kt_exit(void)
{
	debugfs_remove_recursive(kt_dir);
	ksspi_close(kt_owner);
}

module_init(kt_init);
module_exit(kt_exit);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(KSSPI_INTERNAL);
MODULE_DESCRIPTION("ksspi in-kernel API tests");
