#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check.sh KSSPI_FAKE KSSPI
#
# Drive the ksspi tool against the fake kernel of lib/tests (KSSPI_FAKE),
# and the real tool (KSSPI) against a missing device.  TAP output.
fake=$1 real=$2
n=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# t WANT_RC PATTERN DESCRIPTION -- COMMAND...
t() {
	want=$1 pattern=$2 what=$3
	shift 4
	n=$((n + 1))
	"$@" > "$out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q -- "$pattern" "$out"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit $rc, want $want; /$pattern/)"
		sed 's/^/#   /' "$out"
		failed=$((failed + 1))
	fi
}

id="--package FakeTest --user alice --domain TEST --password pw"

t 0 'FakeBig' "packages lists the fake packages" -- $fake packages
t 0 'Max token:    5000' "package FakeBig" -- $fake package FakeBig
t 1 'SEC_E_SECPKG_NOT_FOUND' "unknown package" -- $fake package Nope
t 0 'client name:       TEST\\alice' "handshake" -- \
	$fake handshake $id --target host/srv
t 0 'leg 2 server AcceptSecurityContext: *SEC_E_OK' "handshake legs" -- \
	$fake handshake $id
t 0 'ALLOCATED_MEMORY' "handshake --alloc" -- $fake handshake $id --alloc
t 0 'leg 4 server AcceptSecurityContext: *SEC_E_OK *token 0 bytes' \
	"four legs, server last (KsspiTest's shape)" -- \
	$fake handshake --package FakeFour --user alice --password pw
t 0 'tampered copy): SEC_E_MESSAGE_ALTERED' "four legs, --alloc, sign" -- \
	$fake sign --package FakeFour --user alice --password pw --alloc
t 0 'client attributes: 0x00010000 (INTEGRITY)' "handshake --req" -- \
	$fake handshake $id --req 0x10000
t 0 'client attributes: 0x0001080e (MUTUAL_AUTH|REPLAY_DETECT|SEQUENCE_DETECT|CONNECTION|INTEGRITY)' \
	"default --req" -- $fake handshake $id
t 1 'SEC_E_LOGON_DENIED' "wrong password" -- \
	$fake handshake --package FakeTest --user alice --password wrong \
	--server-user alice --server-password pw
t 1 'SEC_E_LOGON_DENIED' "server default credentials" -- \
	$fake handshake --package FakeTest --user alice --password wrong \
	--server-default
t 2 'without --server-default' "--server-user with --server-default" -- \
	$fake handshake $id --server-user a --server-password b --server-default
t 0 'established' "server credentials" -- \
	$fake handshake $id --server-user alice --server-password pw
t 1 'SEC_E_LOGON_DENIED' "server credentials for someone else" -- \
	$fake handshake $id --server-user bob --server-password pw
t 0 'client name:       \\keyuser' "keyring identity" -- \
	$fake handshake --package FakeTest --key 42
t 1 'SEC_E_NO_CREDENTIALS' "unknown key" -- \
	$fake handshake --package FakeTest --key 43
t 0 'tampered copy): SEC_E_MESSAGE_ALTERED' "sign" -- \
	$fake sign $id --message "pay 100"
t 0 'server DecryptMessage: SEC_E_OK, plaintext matches' "seal" -- \
	$fake seal $id --alloc
t 0 'CONFIDENTIALITY' "seal asks for confidentiality" -- $fake seal $id
t 0 'ns/op' "bench-ioctl" -- $fake bench-ioctl 1000
t 2 'usage' "no command" -- $fake
t 2 'needs --package' "handshake without identity" -- \
	$fake handshake --package FakeTest
t 2 'bad --req' "bad --req" -- $fake handshake $id --req zz
t 2 "bad count" "bad bench count" -- $fake bench-ioctl 12x
t 1 'SEC_E_SECPKG_NOT_FOUND' "real tool, no device" -- \
	env KSSPI_DEVICE=/nonexistent/ksspi $real packages
t 1 'SEC_E_INTERNAL_ERROR' "real tool, not a ksspi device" -- \
	env KSSPI_DEVICE=/dev/null $real handshake $id

echo "1..$n"
[ "$failed" -eq 0 ]
