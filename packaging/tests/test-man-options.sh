#!/bin/bash
# Every long option a program lists in its --help is documented in its
# man page, so the page cannot silently fall behind the program.
# usage: test-man-options.sh PROGRAM MAN-PAGE
set -euo pipefail

program=$1
page=$2

options=$("$program" --help | grep -oE '(^|[[:space:]])--[a-z][a-z-]*' |
	tr -d ' \t' | sort -u)
if [[ -z "$options" ]]; then
	echo "FAIL: $program --help lists no options"
	exit 1
fi
# In roff source a dash is written \-.
text=$(sed 's/\\-/-/g' "$page")
fail=0
for opt in $options; do
	if grep -qF -- "$opt" <<<"$text"; then
		echo "ok: $opt"
	else
		echo "FAIL: $(basename "$page") does not document $opt"
		fail=1
	fi
done
exit $fail
