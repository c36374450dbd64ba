// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KEYRING:persistent:<uid>, the credential cache that rpc.gssd and sssd
 * use where krb5.conf says default_ccache_name = KEYRING:persistent:%{uid}.
 * ksspid reads it through libkeyutils, never writes it, and hands MIT a
 * copy in FILE form (a memfd), so that MIT never links, creates or stores
 * anything in the user's keyrings.  The layout, as MIT's cc_keyring.c
 * writes it:
 *
 *	_persistent.<uid>	keyctl_get_persistent(uid): the user's own
 *	  _krb			keyring: the collection
 *	    krb_ccache:primary	user key: be32 version (1), be32 length, name
 *	    <name>		keyring: the primary cache ("<uid>" when the
 *				collection has no primary key)
 *	      __krb5_princ__		user key: the default principal
 *	      __krb5_time_offsets__	user key: be32 seconds, be32 usec
 *	      <server principal>	user or big_key: one credential
 *
 * The principal and credentials are in the FILE cache's version 4 form,
 * so the copy is the version 4 header, the principal and the credentials
 * one after another.  Every keyring and key read must belong to <uid>:
 * what another uid (root included) put there is skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <keyutils.h>

#include "bytes.h"
#include "kerberos/kerberos.h"

/* Keys of one keyring looked at, bytes of one cache copied: at most */
#define KEYRING_MAX_KEYS	256
#define KEYRING_MAX_CACHE	(1024 * 1024)

int kerberos_key_description(const char *text, struct kerberos_key_desc *out)
{
	const char *field = text, *semi;
	char *end;
	unsigned long uid;
	size_t type_len;
	int i;

	/* "type;uid;gid;perm;description" */
	semi = strchr(field, ';');
	if (!semi)
		return -EINVAL;
	type_len = (size_t)(semi - field);
	if (type_len == 0 || type_len >= sizeof(out->type))
		return -EINVAL;
	memcpy(out->type, field, type_len);
	out->type[type_len] = '\0';
	field = semi + 1;
	if (*field < '0' || *field > '9')
		return -EINVAL;
	errno = 0;
	uid = strtoul(field, &end, 10);
	if (errno || *end != ';' || uid > UINT32_MAX)
		return -EINVAL;
	out->uid = (uint32_t)uid;
	field = end + 1;
	/* gid and perm */
	for (i = 0; i < 2; i++) {
		semi = strchr(field, ';');
		if (!semi)
			return -EINVAL;
		field = semi + 1;
	}
	out->description = field;
	return 0;
}

int kerberos_keyring_primary(const uint8_t *payload, size_t len, char *name,
			     size_t size)
{
	uint32_t version, name_len;

	if (len < 8)
		return -EINVAL;
	version = (uint32_t)payload[0] << 24 | (uint32_t)payload[1] << 16 |
		  (uint32_t)payload[2] << 8 | payload[3];
	name_len = (uint32_t)payload[4] << 24 | (uint32_t)payload[5] << 16 |
		   (uint32_t)payload[6] << 8 | payload[7];
	if (version != 1 || name_len == 0 || name_len > len - 8 ||
	    name_len >= size || memchr(payload + 8, '\0', name_len))
		return -EINVAL;
	memcpy(name, payload + 8, name_len);
	name[name_len] = '\0';
	return 0;
}

/* @key's description, if it is of @uid: 0, else -1 (*@text to free). */
static int describe_owned(key_serial_t key, uint32_t uid, char **text,
			  struct kerberos_key_desc *desc)
{
	*text = NULL;
	if (keyctl_describe_alloc(key, text) < 0)
		return -1;
	if (kerberos_key_description(*text, desc) || desc->uid != uid) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* The keys linked from @ring (at most KEYRING_MAX_KEYS): their count. */
static long ring_keys(key_serial_t ring, key_serial_t **keys)
{
	void *list = NULL;
	long size;

	size = keyctl_read_alloc(ring, &list);
	if (size < 0)
		return -1;
	*keys = list;
	size /= (long)sizeof(key_serial_t);
	return size > KEYRING_MAX_KEYS ? KEYRING_MAX_KEYS : size;
}

/* The key of @type named @name directly in @ring, owned by @uid; or -1. */
static key_serial_t find_owned(key_serial_t ring, const char *type,
			       const char *name, uint32_t uid)
{
	struct kerberos_key_desc desc;
	key_serial_t *keys, found = -1;
	char *text;
	long n, i;

	n = ring_keys(ring, &keys);
	if (n < 0)
		return -1;
	for (i = 0; i < n && found < 0; i++) {
		if (describe_owned(keys[i], uid, &text, &desc))
			continue;
		if (!strcmp(desc.type, type) && !strcmp(desc.description, name))
			found = keys[i];
		free(text);
	}
	free(keys);
	return found;
}

/* Appends @key's payload to @out; 0 or -1. */
static int append_payload(key_serial_t key, struct bytes *out)
{
	void *payload = NULL;
	long len;
	int err;

	len = keyctl_read_alloc(key, &payload);
	if (len <= 0) {
		free(payload);
		return -1;
	}
	err = out->len + (size_t)len > KEYRING_MAX_CACHE ||
	      bytes_append(out, payload, (size_t)len);
	explicit_bzero(payload, (size_t)len);
	free(payload);
	return err ? -1 : 0;
}

/*
 * The FILE (version 4) form of cache keyring @cache: header (with the
 * KDC time offset when the cache has one), principal, credentials.
 */
static int cache_to_file(key_serial_t cache, uint32_t uid, struct bytes *out)
{
	static const uint8_t v4[] = { 0x05, 0x04 };
	static const uint8_t no_header[] = { 0x00, 0x00 };
	static const uint8_t offset_header[] = { 0x00, 0x0c, 0x00, 0x01,
						 0x00, 0x08 };
	struct kerberos_key_desc desc;
	key_serial_t princ, offsets, *keys;
	struct bytes offset = { 0 };
	char *text;
	long n, i;
	int err = -1;

	princ = find_owned(cache, "user", "__krb5_princ__", uid);
	if (princ < 0)
		return -1;
	offsets = find_owned(cache, "user", "__krb5_time_offsets__", uid);
	if (offsets >= 0 && (append_payload(offsets, &offset) ||
			     offset.len != 8))
		bytes_free(&offset);
	if (bytes_append(out, v4, sizeof(v4)) ||
	    (offset.len ? bytes_append(out, offset_header,
				       sizeof(offset_header)) ||
			  bytes_append(out, offset.data, offset.len) :
			  bytes_append(out, no_header, sizeof(no_header))) ||
	    append_payload(princ, out))
		goto out;
	n = ring_keys(cache, &keys);
	if (n < 0)
		goto out;
	err = 0;
	for (i = 0; i < n && !err; i++) {
		if (keys[i] == princ || keys[i] == offsets ||
		    describe_owned(keys[i], uid, &text, &desc))
			continue;
		if (!strcmp(desc.type, "user") || !strcmp(desc.type, "big_key"))
			err = append_payload(keys[i], out);
		free(text);
	}
	free(keys);
out:
	bytes_free(&offset);
	return err;
}

/* The primary cache keyring of collection @krb; or -1. */
static key_serial_t primary_cache(key_serial_t krb, uint32_t uid)
{
	char name[256];
	key_serial_t index;
	void *payload = NULL;
	long len;
	int err;

	index = find_owned(krb, "user", "krb_ccache:primary", uid);
	if (index < 0) {
		/* MIT's name for the primary cache of a new collection */
		snprintf(name, sizeof(name), "%u", uid);
	} else {
		len = keyctl_read_alloc(index, &payload);
		err = len < 0 || kerberos_keyring_primary(payload, (size_t)len,
							  name, sizeof(name));
		free(payload);
		if (err)
			return -1;
	}
	return find_owned(krb, "keyring", name, uid);
}

int kerberos_user_keyring_ccache(uint32_t uid)
{
	struct kerberos_key_desc desc;
	struct bytes file = { 0 };
	key_serial_t persistent, krb, cache;
	char *text;
	int fd = -1;

	/*
	 * Linked into this thread's keyring only, for the possession rights
	 * the user's keys grant; unlinked again below.
	 */
	persistent = (key_serial_t)keyctl_get_persistent(uid,
						KEY_SPEC_THREAD_KEYRING);
	if (persistent < 0)
		return -1;
	if (describe_owned(persistent, uid, &text, &desc))
		goto out;
	free(text);
	if (strcmp(desc.type, "keyring"))
		goto out;
	krb = find_owned(persistent, "keyring", "_krb", uid);
	if (krb < 0)
		goto out;
	cache = primary_cache(krb, uid);
	if (cache < 0 || cache_to_file(cache, uid, &file))
		goto out;
	fd = memfd_create("ksspid-krb5cc", MFD_CLOEXEC);
	if (fd >= 0 && (write(fd, file.data, file.len) != (ssize_t)file.len ||
			lseek(fd, 0, SEEK_SET) != 0)) {
		close(fd);
		fd = -1;
	}
out:
	bytes_free(&file);
	keyctl_unlink(persistent, KEY_SPEC_THREAD_KEYRING);
	return fd;
}
