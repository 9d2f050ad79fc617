#!/bin/bash
# Build the guest's initramfs: busybox-static, the kernel modules the
# tests need (in load order, listed in /modules.list) and tests/vm/init.
# usage: tests/vm/mkinitrd.sh IMAGE_DIR KVER OUT.cpio.gz
set -euo pipefail

img=$1
kver=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
# What the guest loads: USB host and gadget side, FunctionFS, 9p share.
wanted=(dummy_hcd libcomposite usb_f_fs configfs 9p 9pnet_virtio virtio_pci)

moddir=$img/lib/modules/$kver
[[ -f "$moddir/modules.dep" ]] || depmod -b "$img" "$kver"

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree"/{bin,dev,proc,sys,tmp,host,results,lib/modules}
cp /bin/busybox "$tree/bin/busybox"
cp "$here/init" "$tree/init"
chmod +x "$tree/init"

declare -A loaded=()
order=()

# modules.dep: "path: dep dep ..." with paths relative to moddir.
dep_line() {
	grep -E "(^|/)$1\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" || true
}

add_module() {
	local name=${1//-/_} line path deps d
	[[ -n "${loaded[$name]:-}" ]] && return 0
	line=$(dep_line "$name")
	[[ -z "$line" ]] && line=$(dep_line "${name//_/-}")
	if [[ -z "$line" ]]; then
		# Built into the kernel: nothing to load.
		if grep -qE "/(${name}|${name//_/-})\.ko$" \
			"$moddir/modules.builtin"; then
			loaded[$name]=builtin
			return 0
		fi
		echo "mkinitrd.sh: module $name not found for $kver" >&2
		exit 1
	fi
	path=${line%%:*}
	deps=${line#*:}
	loaded[$name]=$path
	for d in $deps; do
		d=$(basename "$d")
		add_module "${d%%.ko*}"
	done
	order+=("$path")
}

for m in "${wanted[@]}"; do
	add_module "$m"
done

: >"$tree/modules.list"
for path in "${order[@]}"; do
	base=$(basename "$path")
	case "$base" in
	*.ko.xz) xz -dc "$moddir/$path" >"$tree/lib/modules/${base%.xz}" ;;
	*.ko.zst) zstd -qdc "$moddir/$path" >"$tree/lib/modules/${base%.zst}" ;;
	*.ko.gz) gzip -dc "$moddir/$path" >"$tree/lib/modules/${base%.gz}" ;;
	*) cp "$moddir/$path" "$tree/lib/modules/$base" ;;
	esac
	echo "/lib/modules/${base%.ko*}.ko" >>"$tree/modules.list"
done

(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
