#!/bin/bash
# Build the Debian packages from the working tree and check them with
# lintian. The tree is copied (without build directories) to
# OUTDIR/posreader-VERSION with packaging/debian as its debian/, the way
# Debian tools expect it; the .debs land in OUTDIR.
# usage: packaging/build-deb.sh OUTDIR
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
src=$out/posreader-$version

rm -rf "$src"
rm -f "$out"/posreader*_"$version"* "$out"/posreader*-dkms_"$version"*
mkdir -p "$src"
# Every file git would take: tracked ones and new ones not ignored,
# except tracked files deleted in the working tree.
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		[[ -e "$f" || -L "$f" ]] && printf '%s\0' "$f"
	done | xargs -0 cp --parents -d -t "$src")
rm -rf "$src/debian"
cp -a "$root/packaging/debian" "$src/debian"

(cd "$src" && dpkg-buildpackage -us -uc -b)

changes=$(ls "$out"/posreader_"$version"_*.changes)
echo "lintian $changes"
lintian --fail-on error,warning --display-info \
	"$changes"
echo "packages in $out:"
ls "$out"/*.deb
