/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the helper does with one request: answer a ping, or run one leg of
 * a package's handshake with its session state.
 */
#ifndef KSSPID_REQUEST_H
#define KSSPID_REQUEST_H

struct reply;
struct session_table;
struct upcall;

/*
 * Fills @reply (zeroed by the caller) with the answer to the request @up,
 * including refused ones (up->status not SEC_E_OK).  The identity must
 * have been loaded (identity_load()).  An error status never comes with a
 * token, blob, attributes or expiry.
 */
void request_handle(struct session_table *sessions, const struct upcall *up,
		    struct reply *reply);

#endif /* KSSPID_REQUEST_H */
