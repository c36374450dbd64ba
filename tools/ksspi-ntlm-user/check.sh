#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tests of ksspi-ntlm-user against a temporary database.
# Usage: check.sh path/to/ksspi-ntlm-user
set -u

tool=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/ntlm-users
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
}

check() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}

check_fails() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then not_ok "$desc"; else ok "$desc"; fi
}

# NT hashes: MD4(UTF-16LE(password)), from MS-NLMP 4.2.2.1.2 and well known
password_hash=a4f49c406510bdcab6824ee7c30fd852	# "Password"
empty_hash=31d6cfe0d16ae931b73c59d7e0c089c0	# ""

check "add with --stdin" sh -c "echo Password | '$tool' -f '$db' --stdin add 'TESTDOM\\alice'"
check "file holds the NT hash" grep -qx "TESTDOM:alice:$password_hash" "$db"
check "file mode is 0600" test "$(stat -c %a "$db")" = 600
check_fails "the password is nowhere in the file" grep -q Password "$db"
check_fails "add twice (any case) refused" sh -c "echo x | '$tool' -f '$db' --stdin add 'testdom\\ALICE'"
check "add a second account, CRLF input" sh -c "printf 'Password\\r\\n' | '$tool' -f '$db' --stdin add 'OTHER\\bob'"
check "CRLF stripped from the password" grep -qx "OTHER:bob:$password_hash" "$db"
check "list" sh -c "test \"\$('$tool' -f '$db' list)\" = \"\$(printf 'TESTDOM\\\\alice\\nOTHER\\\\bob')\""
check "list one account" sh -c "test \"\$('$tool' -f '$db' list 'testdom\\alice')\" = 'TESTDOM\\alice'"
check_fails "list an unknown account" "$tool" -f "$db" list 'TESTDOM\nobody'
check "passwd" sh -c "printf '\\n' | '$tool' -f '$db' --stdin passwd 'TESTDOM\\alice'"
check "passwd replaced the hash in place" sh -c "head -1 '$db' | grep -qx 'TESTDOM:alice:$empty_hash'"
check_fails "passwd of an unknown account" sh -c "echo x | '$tool' -f '$db' --stdin passwd 'TESTDOM\\nobody'"
printf '# a comment the tool keeps\n' >>"$db"
check "del" "$tool" -f "$db" del 'OTHER\bob'
check_fails "deleted account gone" grep -q bob "$db"
check "comments kept" grep -qx '# a comment the tool keeps' "$db"
check_fails "del again refused" "$tool" -f "$db" del 'OTHER\bob'
check "no temporary file left" test "$(ls "$dir" | wc -l)" = 1
check "an empty domain" sh -c "echo pw | '$tool' -f '$db' --stdin add 'carol'"
check "stored with an empty domain" grep -q '^:carol:' "$db"
check_fails "a name with ':' refused" sh -c "echo pw | '$tool' -f '$db' --stdin add 'D\\a:b'"
check_fails "no password on stdin refused" sh -c "'$tool' -f '$db' --stdin add 'D\\dave' </dev/null"
check_fails "missing file for passwd" sh -c "echo x | '$tool' -f '$dir/none' --stdin passwd 'D\\x'"
printf 'garbage line\n' >"$dir/bad"
check_fails "a malformed file is not rewritten" sh -c "echo x | '$tool' -f '$dir/bad' --stdin add 'D\\x'"
check "malformed file untouched" grep -qx 'garbage line' "$dir/bad"
"$tool" -f "$db" bogus >/dev/null 2>&1
check "unknown command: usage error" test $? = 2
"$tool" -f "$db" add >/dev/null 2>&1
check "missing name: usage error" test $? = 2
check_fails "no terminal: refused without --stdin" sh -c "setsid '$tool' -f '$db' add 'D\\eve' </dev/null"

# The terminal path, through a pseudo-terminal when script(1) is there
if command -v script >/dev/null 2>&1; then
	tty_db=$dir/tty-users
	(sleep 0.3; echo Password; sleep 0.3; echo Password; sleep 0.3) |
		script -qec "'$tool' -f '$tty_db' add 'T\\tty'" /dev/null \
		>"$dir/tty.out" 2>&1
	check "terminal: asked twice, added" grep -qx "T:tty:$password_hash" "$tty_db"
	check_fails "terminal: the password is not echoed" grep -q Password "$dir/tty.out"
	(sleep 0.3; echo one; sleep 0.3; echo two; sleep 0.3) |
		script -qec "'$tool' -f '$tty_db' passwd 'T\\tty'" /dev/null \
		>/dev/null 2>&1
	check "terminal: differing passwords change nothing" grep -qx "T:tty:$password_hash" "$tty_db"
	rm -f "$tty_db" "$dir/tty.out"
fi

echo "ksspi-ntlm-user: $pass passed, $fail failed"
test "$fail" = 0
