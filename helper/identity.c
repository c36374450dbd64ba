// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a request's identity key.  The buffer that held the payload is
 * wiped at once; the password then lives only in the request (and the
 * package's state), which wipe it when freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>
#include <linux/ksspi.h>
#include <linux/ksspi_sspi.h>

#include "identity.h"
#include "log.h"
#include "message.h"

/* "user\0domain\0password" at their longest, and one byte to notice more */
#define IDENTITY_MAX	(2 * (KSSPI_MAX_NAME + 1) + KSSPI_MAX_PASSWORD + 1)

/* The TLS identity: a u32, then two "user" key payloads (32767 at most) */
#define TLS_IDENTITY_MAX	(4 + 2 * 32767)

static uint32_t key_read_status(const struct upcall *up, const char *what)
{
	/* Revoked: the kernel gave up on the request meanwhile. */
	if (errno == EKEYREVOKED || errno == ENOKEY || errno == EKEYEXPIRED)
		return SEC_E_NO_CREDENTIALS;
	log_error("request %llu: cannot read its %s key: %s (ksspid must run with the uid that registered)",
		  (unsigned long long)up->request_id, what, strerror(errno));
	return SEC_E_INTERNAL_ERROR;
}

/* Reads KSSPI_A_TLS_IDENTITY_KEY's payload as it is; packages parse it. */
static uint32_t tls_identity_load(struct upcall *up)
{
	uint8_t *payload;
	uint32_t status = SEC_E_OK;
	long len;

	if (!upcall_has(up, KSSPI_A_TLS_IDENTITY_KEY))
		return SEC_E_OK;
	payload = malloc(TLS_IDENTITY_MAX + 1);
	if (!payload)
		return SEC_E_INSUFFICIENT_MEMORY;
	len = keyctl_read((key_serial_t)up->tls_identity_key, (char *)payload,
			  TLS_IDENTITY_MAX + 1);
	if (len < 0)
		status = key_read_status(up, "TLS identity");
	else if (len < 4 || len > TLS_IDENTITY_MAX)
		status = SEC_E_UNKNOWN_CREDENTIALS;
	else if (bytes_append(&up->tls_identity, payload, (size_t)len))
		status = SEC_E_INSUFFICIENT_MEMORY;
	else
		up->present |= UPCALL_BIT(UPCALL_TLS_IDENTITY);
	explicit_bzero(payload, TLS_IDENTITY_MAX + 1);
	free(payload);
	return status;
}

uint32_t identity_load(struct upcall *up)
{
	uint8_t payload[IDENTITY_MAX];
	uint32_t status = SEC_E_OK;
	long len;
	int err;

	status = tls_identity_load(up);
	if (status != SEC_E_OK || !upcall_has(up, KSSPI_A_IDENTITY_KEY))
		return status;
	len = keyctl_read((key_serial_t)up->identity_key, (char *)payload,
			  sizeof(payload));
	if (len < 0)
		return key_read_status(up, "identity");
	if ((size_t)len >= sizeof(payload)) {
		status = SEC_E_UNKNOWN_CREDENTIALS;
		goto out;
	}
	err = upcall_set_identity(up, payload, (size_t)len);
	if (err)
		status = err == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					  SEC_E_UNKNOWN_CREDENTIALS;
out:
	explicit_bzero(payload, sizeof(payload));
	return status;
}
