// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a request's identity key.  The buffer that held the payload is
 * wiped at once; the password then lives only in the request (and the
 * package's state), which wipe it when freed.
 */
#include <errno.h>
#include <string.h>

#include <keyutils.h>
#include <linux/ksspi.h>
#include <linux/ksspi_sspi.h>

#include "identity.h"
#include "log.h"
#include "message.h"

/* "user\0domain\0password" at their longest, and one byte to notice more */
#define IDENTITY_MAX	(2 * (KSSPI_MAX_NAME + 1) + KSSPI_MAX_PASSWORD + 1)

uint32_t identity_load(struct upcall *up)
{
	uint8_t payload[IDENTITY_MAX];
	uint32_t status = SEC_E_OK;
	long len;
	int err;

	if (!upcall_has(up, KSSPI_A_IDENTITY_KEY))
		return SEC_E_OK;
	len = keyctl_read((key_serial_t)up->identity_key, (char *)payload,
			  sizeof(payload));
	if (len < 0) {
		/* Revoked: the kernel gave up on the request meanwhile. */
		if (errno == EKEYREVOKED || errno == ENOKEY ||
		    errno == EKEYEXPIRED)
			return SEC_E_NO_CREDENTIALS;
		log_error("request %llu: cannot read its identity key: %s (ksspid must run with the uid that registered)",
			  (unsigned long long)up->request_id, strerror(errno));
		return SEC_E_INTERNAL_ERROR;
	}
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
