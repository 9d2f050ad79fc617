#!/bin/bash
# Print the kernel versions posreader.ko is built and tested against: the
# one linux-headers-amd64 points at (Debian 12's kernel) first, then every
# other installed amd64 headers package (the 6.12 backport kernel).
# usage: tests/vm/kernels.sh [--default]
set -euo pipefail

default=$(apt-cache depends linux-headers-amd64 2>/dev/null |
	sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1)
if [[ -z "$default" ]]; then
	echo "kernels.sh: cannot resolve linux-headers-amd64's version" >&2
	exit 1
fi
if [[ ! -f /usr/src/linux-headers-$default/Makefile ]]; then
	echo "kernels.sh: /usr/src/linux-headers-$default missing;" \
		"run: tools/deps.sh vm" >&2
	exit 1
fi
echo "$default"
[[ "${1:-}" == "--default" ]] && exit 0

for d in /usr/src/linux-headers-*-amd64; do
	v=${d#/usr/src/linux-headers-}
	[[ "$v" == "$default" || "$v" == *-rt-* || "$v" == *cloud* ]] && continue
	[[ -f "$d/Makefile" ]] && echo "$v"
done
exit 0
