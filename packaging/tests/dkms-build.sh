#!/bin/bash
# Build posreader.ko with DKMS from the posreader-dkms package, for every
# Debian 12 kernel whose headers are installed (6.1, and 6.12 when
# linux-headers-6.12-amd64 is there), exactly as the package's postinst
# would, but into a scratch DKMS tree so the machine is left untouched.
# Checks that each module was built for its kernel.
# usage: packaging/tests/dkms-build.sh POSREADER-DKMS.deb [KVER...]
set -euo pipefail

deb=$(realpath "$1")
shift
root=$(cd "$(dirname "$0")/../.." && pwd)

command -v dkms >/dev/null || { echo "dkms missing: tools/deps.sh dkms"; exit 77; }

if [[ $# -gt 0 ]]; then
	kernels=("$@")
else
	mapfile -t kernels < <("$root/tests/vm/kernels.sh")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/pkg"
conf=$(ls "$work"/pkg/usr/src/posreader-*/dkms.conf)
src=$(dirname "$conf")
version=${src##*/posreader-}
echo "posreader-dkms $version"

fail=0
seen_61=0
for kver in "${kernels[@]}"; do
	[[ "$kver" == 6.1.* ]] && seen_61=1
	tree=$work/dkms-$kver
	mkdir -p "$tree"
	# A fresh DKMS tree per kernel, as on a terminal installing the package.
	if ! dkms add --dkmstree "$tree" --sourcetree "$work/pkg/usr/src" \
			-m posreader -v "$version" >"$work/log" 2>&1 ||
	   ! dkms build --dkmstree "$tree" --sourcetree "$work/pkg/usr/src" \
			-m posreader -v "$version" -k "$kver" \
			--kernelsourcedir "/usr/src/linux-headers-$kver" \
			>>"$work/log" 2>&1; then
		cat "$work/log"
		cat "$tree"/posreader/"$version"/build/make.log 2>/dev/null || true
		echo "FAIL: dkms build for $kver"
		fail=1
		continue
	fi
	ko=$(find "$tree/posreader/$version/$kver" -name 'posreader.ko*' | head -n1)
	if [[ -z "$ko" ]]; then
		echo "FAIL: dkms built no posreader.ko for $kver"
		fail=1
		continue
	fi
	if [[ "$ko" == *.xz ]]; then
		xz -dc "$ko" >"$work/posreader.ko"
		ko=$work/posreader.ko
	fi
	vermagic=$(modinfo -F vermagic "$ko")
	if [[ "$vermagic" != "$kver "* ]]; then
		echo "FAIL: module for $kver has vermagic '$vermagic'"
		fail=1
		continue
	fi
	echo "ok: dkms built posreader.ko for $kver (vermagic $vermagic)"
done
if [[ $seen_61 -eq 0 ]]; then
	echo "FAIL: no Debian 12 6.1 kernel headers among: ${kernels[*]}"
	fail=1
fi
exit $fail
