#!/bin/bash
# Build posreader.ko out of tree against one kernel's headers, W=1 and
# sparse-checked, in a copy of the sources so the working tree stays clean.
# Any compiler or sparse warning fails the build.
# usage: tests/vm/build-module.sh KVER OUTDIR
set -euo pipefail

kver=$1
out=$(realpath -m "$2")
root=$(cd "$(dirname "$0")/../.." && pwd)
kdir=/usr/src/linux-headers-$kver

rm -rf "$out"
mkdir -p "$out/driver" "$out/include"
cp "$root/Kbuild" "$out/"
cp "$root"/driver/Kbuild "$root"/driver/*.c "$root"/driver/*.h "$out/driver/"
cp -r "$root/include/posreader" "$root/include/uapi" "$out/include/"

log="$out/build.log"
if ! make -C "$kdir" M="$out" W=1 C=2 CHECK=sparse modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module.sh: build against $kver failed" >&2
	exit 1
fi
# BTF is skipped for lack of vmlinux; that note is not a warning of ours.
if grep -E 'warning:|error:' "$log" | grep -v 'Skipping BTF' >&2; then
	echo "build-module.sh: warnings building against $kver" >&2
	exit 1
fi
echo "posreader.ko for $kver: $out/driver/posreader.ko"
