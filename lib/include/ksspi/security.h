/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libksspi: the counterpart of Windows' Security.h.  Programs ported from
 * Windows include this one; it brings in <ksspi/sspi.h>.  SECURITY_WIN32 and
 * friends need not be defined.
 */
#ifndef _KSSPI_SECURITY_H
#define _KSSPI_SECURITY_H

#include "sspi.h"

#endif /* _KSSPI_SECURITY_H */
