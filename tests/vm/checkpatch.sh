#!/bin/bash
# Run the kernel's checkpatch.pl --strict over the driver's sources.
# checkpatch.pl is not in the headers package: it is taken once from
# Debian's linux-source tarball and cached in .vm-cache/checkpatch/.
# usage: tests/vm/checkpatch.sh [FILE...]   (default: the driver's files)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=$root/.vm-cache
cp_dir=$cache/checkpatch

if [[ ! -f "$cp_dir/scripts/checkpatch.pl" ]]; then
	src=$(apt-cache depends linux-source 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-source-[0-9.]*\)$/\1/p' |
		head -n1)
	src=${src:-linux-source-6.1}
	mkdir -p "$cache/debs"
	deb=$(ls "$cache"/debs/"${src}"_*.deb 2>/dev/null | head -n1 || true)
	if [[ -z "$deb" ]]; then
		(cd "$cache/debs" && apt-get download -q -o APT::Sandbox::User=root "$src" >&2)
		deb=$(ls "$cache"/debs/"${src}"_*.deb | head -n1)
	fi
	tmp=$(mktemp -d "$cache/checkpatch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$src.tar.xz" |
		tar -xJ -C "$tmp" --strip-components=1 --wildcards \
			"$src/scripts/checkpatch.pl" \
			"$src/scripts/spelling.txt" \
			"$src/scripts/const_structs.checkpatch"
	rm -rf "$cp_dir"
	mv "$tmp" "$cp_dir"
	trap - EXIT
fi

if [[ $# -eq 0 ]]; then
	# driver/wire.c is the shared codec, checked by its own rules.
	set -- "$root"/driver/{core,usb,proto,events,chardev,ioctl,sysfs}.c \
		"$root"/driver/posreader.h \
		"$root"/include/uapi/linux/posreader.h
fi
# Without a kernel tree checkpatch cannot see that bInterval and friends
# are the kernel's own USB descriptor fields (CAMELCASE), and this module
# builds for two kernels whose class callback signatures differ
# (LINUX_VERSION_CODE, whose test it then calls a CONSTANT_COMPARISON).
perl "$cp_dir/scripts/checkpatch.pl" --no-tree --strict --terse \
	--show-types --ignore CAMELCASE,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	-f "$@"
