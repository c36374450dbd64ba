#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-doc.sh DOC EXAMPLE_C
#
# The example program of Documentation/libksspi.rst must be the one the
# tests build (tests/example.c, from its first #include on).
doc=$1 example=$2
if [ ! -f "$doc" ]; then
	echo "check-doc: $doc not found, skipped"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tab=$(printf '\t')
sed -n '/^\.\. code-block:: c$/,/^Build it with::$/p' "$doc" |
	sed -e '1,2d' -e '$d' | sed -e '$d' -e 's/^    //' |
	sed -e ":a" -e "s/^\($tab*\)        /\1$tab/" -e "ta" > "$tmp/doc"
sed -n '/^#include <arpa\/inet.h>/,$p' "$example" > "$tmp/example"
if ! cmp -s "$tmp/doc" "$tmp/example"; then
	echo "check-doc: the example in $doc differs from $example:"
	diff "$tmp/example" "$tmp/doc"
	exit 1
fi
echo "check-doc: documentation example matches $example"
