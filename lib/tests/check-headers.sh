#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-headers.sh UAPI_SSPI_H PUBLIC_SSPI_H STATUS_LIST_H MAP SHARED_LIB
#
# The status names of the kernel header, the ones <ksspi/sspi.h> redefines
# as SECURITY_STATUS, and the library's status list must be the same sets;
# the shared library must export exactly the symbols of the version script.
set -e
uapi=$1 public=$2 list=$3 map=$4 lib=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^#define[[:space:]]\{1,\}\(SEC_[EI]_[A-Z_]*\)[[:space:]].*/\1/p' \
	"$uapi" | sort > "$tmp/uapi"
sed -n 's/^#define[[:space:]]\{1,\}\(SEC_[EI]_[A-Z_]*\)[[:space:]]\{1,\}_KSSPI_STATUS.*/\1/p' \
	"$public" | sort > "$tmp/public"
sed -n 's/^#undef[[:space:]]\{1,\}\(SEC_[EI]_[A-Z_]*\).*/\1/p' \
	"$public" | sort > "$tmp/undef"
sed -n 's/.*X(\(SEC_[EI]_[A-Z_]*\)).*/\1/p' "$list" | sort > "$tmp/list"

status=0
for f in public undef list; do
	if ! cmp -s "$tmp/uapi" "$tmp/$f"; then
		echo "check-headers: status names differ ($uapi vs $f):"
		diff "$tmp/uapi" "$tmp/$f" || true
		status=1
	fi
done

sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' "$map" | sort > "$tmp/map"
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort > "$tmp/exported"
if ! cmp -s "$tmp/map" "$tmp/exported"; then
	echo "check-headers: exported symbols differ from $map:"
	diff "$tmp/map" "$tmp/exported" || true
	status=1
fi
n=$(wc -l < "$tmp/uapi")
e=$(wc -l < "$tmp/exported")
[ $status -eq 0 ] && echo "check-headers: $n statuses consistent, $e symbols exported as listed"
exit $status
