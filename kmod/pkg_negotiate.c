// SPDX-License-Identifier: GPL-2.0
/*
 * The "Negotiate" package (RFC 4178, MS-SPNG).  ksspid runs SPNEGO and the
 * package it chooses; what reaches the kernel is a context of that package
 * (Kerberos or NTLM) named by the KSSPI_CTX_REC_NEGO_MECH record that
 * precedes its records.  From that record on, the context's records,
 * message functions, sizes and attributes are the chosen package's
 * (ksspi_sec_state.mech); this file only reads and writes the record.
 */
#include <linux/string.h>
#include <linux/ksspi_context.h>
#include "context.h"
#include "package.h"
#include "serialize.h"

/* Windows' cbMaxToken for Negotiate */
#define KSSPI_NEGO_MAX_TOKEN	48256

/* The packages SPNEGO may choose; never Negotiate itself */
static const struct ksspi_package *ksspi_nego_mech(const void *name, u32 len)
{
	static const char *const mechs[] = { "Kerberos", "NTLM" };
	int i;

	for (i = 0; i < ARRAY_SIZE(mechs); i++)
		if (len == strlen(mechs[i]) && !memcmp(name, mechs[i], len))
			return ksspi_package_find(mechs[i]);
	return NULL;
}

/*
 * Called only while no package has been chosen (afterwards the chosen
 * package's import_record takes the records): the first package record
 * must name it.
 */
static int ksspi_nego_import_record(struct ksspi_sec_state *sec, u16 type,
				    const void *value, u32 len)
{
	const struct ksspi_package *mech;

	if (type != KSSPI_CTX_REC_NEGO_MECH)
		return -EINVAL;
	mech = ksspi_nego_mech(value, len);
	if (!mech)
		return -EINVAL;
	sec->mech = mech;
	return 0;
}

/* Reached only when the blob never named the chosen package */
static u32 ksspi_nego_import_finish(struct ksspi_sec_state *sec)
{
	return SEC_E_INVALID_TOKEN;
}

static int ksspi_nego_export(const struct ksspi_sec_state *sec,
			     struct ksspi_blob_writer *w)
{
	const char *name = sec->mech->info.name;

	ksspi_blob_put(w, KSSPI_CTX_REC_NEGO_MECH, name, strlen(name));
	return sec->mech->ops->export ? sec->mech->ops->export(sec, w) : 0;
}

static const struct ksspi_package_ops ksspi_negotiate_ops = {
	.import_record = ksspi_nego_import_record,
	.import_finish = ksspi_nego_import_finish,
	.export = ksspi_nego_export,
};

static struct ksspi_package ksspi_negotiate_package = {
	.info = {
		/*
		 * Windows' 0x00083BB3 without IMPERSONATION and
		 * RESTRICTED_TOKENS, as Kerberos' and NTLM's
		 * (sspi-deviations.rst)
		 */
		.capabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |
				SECPKG_FLAG_CONNECTION |
				SECPKG_FLAG_MULTI_REQUIRED |
				SECPKG_FLAG_EXTENDED_ERROR |
				SECPKG_FLAG_ACCEPT_WIN32_NAME |
				SECPKG_FLAG_NEGOTIABLE |
				SECPKG_FLAG_GSS_COMPATIBLE | SECPKG_FLAG_LOGON,
		.version = 1,
		.rpc_id = 9,	/* RPC_C_AUTHN_GSS_NEGOTIATE */
		.max_token = KSSPI_NEGO_MAX_TOKEN,
		.name = "Negotiate",
		.comment = "Microsoft Package Negotiator",
	},
	/*
	 * Until a package is chosen: the most either package can need
	 * (Kerberos with aes256-cts-hmac-sha384-192); an established context
	 * answers with its package's sizes.
	 */
	.sizes = {
		.max_token = KSSPI_NEGO_MAX_TOKEN,
		.max_signature = 40,
		.block_size = 1,
		.security_trailer = 72,
	},
	.delegation = true,
	.ops = &ksspi_negotiate_ops,
};

int ksspi_pkg_negotiate_init(void)
{
	return ksspi_package_register(&ksspi_negotiate_package);
}

void ksspi_pkg_negotiate_exit(void)
{
	ksspi_package_unregister(&ksspi_negotiate_package);
}
