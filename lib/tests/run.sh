#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run TAP test programs; print their output and a summary.  Fails when a
# program fails, exits non-zero, or does not run the tests it planned.
total=0 failed=0 bad=0
for t in "$@"; do
	name=$(basename "$t")
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s|^|$name: |"
	n=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | tail -1)
	total=$((total + n + f))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] || [ -z "$plan" ] || [ "$plan" -ne $((n + f)) ]; then
		echo "$name: FAILED (exit $rc, plan ${plan:-none}, ran $((n + f)))"
		bad=$((bad + 1))
	fi
done
echo "libksspi tests: $total run, $failed failed, $bad of $# programs failed"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
