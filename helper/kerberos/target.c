// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The target name of InitializeSecurityContext (Kerberos) as a GSSAPI name
 * (Documentation/kerberos.rst, "Target names"):
 *
 *	service/host, service/host:port,	host-based "service@host";
 *	service/host/name			MIT qualifies the host
 *	service/host@REALM			the principal as written
 *	user@REALM, name			a principal (the default
 *						realm when none is given)
 *
 * Anything else (empty parts, "DOMAIN\user", a second '@') is refused.
 */
#include <errno.h>
#include <string.h>

#include "kerberos/kerberos.h"

int kerberos_spn_to_hostbased(const char *spn, char *out, size_t size)
{
	const char *slash = strchr(spn, '/');
	size_t svc_len, host_len;

	if (!slash || slash == spn)
		return -EINVAL;
	svc_len = (size_t)(slash - spn);
	/* The host ends at a port or at the service name of a third part. */
	host_len = strcspn(slash + 1, ":/");
	if (host_len == 0 || memchr(spn, '@', svc_len) ||
	    memchr(slash + 1, '@', host_len))
		return -EINVAL;
	if (svc_len + 1 + host_len + 1 > size)
		return -EINVAL;
	memcpy(out, spn, svc_len);
	out[svc_len] = '@';
	memcpy(out + svc_len + 1, slash + 1, host_len);
	out[svc_len + 1 + host_len] = '\0';
	return 0;
}

/* "service/host@REALM" or "name[@REALM]": every part present, one '@'. */
static bool principal_form(const char *target)
{
	const char *at = strchr(target, '@'), *slash = strchr(target, '/');

	if (at && (at == target || !at[1] || strchr(at + 1, '@') ||
		   strchr(at + 1, '/')))
		return false;
	if (!slash)
		return target[0] != '@';
	/* service/host@REALM: no port, no third part */
	return at && slash != target && slash + 1 != at &&
	       !memchr(slash + 1, '/', (size_t)(at - slash - 1)) &&
	       !memchr(slash + 1, ':', (size_t)(at - slash - 1));
}

int kerberos_target(const char *target, char *out, size_t size,
		    enum kerberos_name_type *type)
{
	size_t len = strlen(target);

	if (len == 0 || strchr(target, '\\'))
		return -EINVAL;
	if (strchr(target, '/') && !strchr(target, '@')) {
		*type = KERBEROS_NAME_HOSTBASED;
		return kerberos_spn_to_hostbased(target, out, size);
	}
	if (!principal_form(target) || len + 1 > size)
		return -EINVAL;
	*type = KERBEROS_NAME_PRINCIPAL;
	memcpy(out, target, len + 1);
	return 0;
}
