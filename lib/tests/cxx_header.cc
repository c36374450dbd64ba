// SPDX-License-Identifier: LGPL-2.1-or-later
// The public headers compile as C++ with -Wsign-compare.
#include <ksspi/security.h>
#include <ksspi/ktls.h>

int ksspi_cxx_probe(SECURITY_STATUS s);
int ksspi_cxx_probe(SECURITY_STATUS s)
{
	SecPkgInfoW info = {};
	const SEC_WCHAR *n = NEGOSSP_NAME_W;

	(void)info;
	(void)n;
	if (s == SEC_E_LOGON_DENIED || s == SEC_I_CONTINUE_NEEDED)
		return 1;
	return SEC_SUCCESS(s) ? 2 : 0;
}
