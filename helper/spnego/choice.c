// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The acceptor's choice of mechanism.  The initiator's order wins (RFC
 * 4178 3.2: the acceptor takes the first mechanism it supports); Windows
 * does the same, so a Windows client's list (MS Kerberos, Kerberos, NTLM,
 * ...) gets Kerberos whenever the acceptor has it.
 */
#include "spnego/choice.h"

unsigned int spnego_mech_package(enum spnego_mech mech)
{
	switch (mech) {
	case SPNEGO_MECH_KRB5:
	case SPNEGO_MECH_MS_KRB5:
		return SPNEGO_PKG_KERBEROS;
	case SPNEGO_MECH_NTLM:
		return SPNEGO_PKG_NTLM;
	default:
		return 0;
	}
}

bool spnego_choose(const struct spnego_token *init, unsigned int available,
		   struct spnego_choice *choice)
{
	size_t i;

	if (init->kind != SPNEGO_TOKEN_INIT)
		return false;
	for (i = 0; i < init->mech_count; i++) {
		if (!(spnego_mech_package(init->mechs[i]) & available))
			continue;
		choice->mech = init->mechs[i];
		choice->index = i;
		choice->optimistic_usable = i == 0 && init->mech_token.len;
		return true;
	}
	return false;
}
