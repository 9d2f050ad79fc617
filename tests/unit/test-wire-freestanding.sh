#!/bin/sh
# The wire codec is built into the kernel module too, so its object code
# must not depend on any library: fail on every undefined symbol except
# the hooks sanitizer builds add.
# usage: test-wire-freestanding.sh LIBRARY
set -eu

lib=${1:?usage: $0 LIBRARY}
nm=${NM:-nm}
command -v "$nm" >/dev/null 2>&1 || { echo "SKIP: $nm not found"; exit 77; }

undef=$("$nm" --undefined-only --format=posix "$lib" |
	awk '$2 == "U" || $2 == "w" { print $1 }' |
	grep -Ev '^__(asan|ubsan|sanitizer|lsan)_' || true)

if [ -n "$undef" ]; then
	echo "FAIL: $lib needs symbols from outside the codec:"
	echo "$undef" | sed 's/^/  /'
	exit 1
fi
echo "ok: $lib has no external dependencies"
