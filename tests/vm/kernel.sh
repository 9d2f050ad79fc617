#!/bin/bash
# Fetch Debian's kernel image package for KVER from the apt archive (never
# installed, only unpacked) and print the directory it was unpacked into.
# The .deb and the unpacked tree are cached under CACHE.
# usage: tests/vm/kernel.sh CACHE KVER
set -euo pipefail

cache=$(realpath -m "$1")
kver=$2
dir=$cache/linux-image-$kver

if [[ ! -f "$dir/.unpacked" ]]; then
	mkdir -p "$cache/debs"
	pkg=
	for p in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		if apt-cache show "$p" >/dev/null 2>&1; then
			pkg=$p
			break
		fi
	done
	if [[ -z "$pkg" ]]; then
		echo "kernel.sh: no kernel image package for $kver" >&2
		exit 1
	fi
	deb=$(ls "$cache"/debs/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
	if [[ -z "$deb" ]]; then
		(cd "$cache/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
		deb=$(ls "$cache"/debs/"${pkg}"_*.deb | head -n1)
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	touch "$dir/.unpacked"
fi
echo "$dir"
