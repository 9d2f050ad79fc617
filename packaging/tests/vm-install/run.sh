#!/bin/bash
# posreader install test, host side. Makes a Debian 12 root with
# debootstrap from Debian's archive (cached: debootstrap plus the kernel
# and its headers), installs the built packages into it with apt, so that
# DKMS builds posreader.ko for the root's kernel as on a terminal, then
# boots that root under QEMU with systemd as init, once with each of
# Debian 12's kernel series (6.1 and 6.12). guest-test.sh checks the
# terminal from inside (polkitd included) and removes the packages.
#
# usage: packaging/tests/vm-install/run.sh DEB-DIR [WORK-DIR]
# env:   VM_TIMEOUT seconds for the guest (default 1200),
#        MIRROR (default: the Debian mirror this machine's apt uses),
#        VM_KERNEL boot only the kernels whose version starts with it
#        (e.g. 6.1.; default: every kernel in the root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
debs=$(cd "$1" && pwd)
work=$(realpath -m "${2:-build-pkg/vm-install}")

# The Debian archive this machine's apt is configured with, so the test
# root comes from the same mirror as the host's own packages.
host_mirror() {
	local uri
	uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[[ -n $uri ]] || uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)[[:space:]].*/\2/p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
	[[ -n $uri ]] || { echo "vm-install: no Debian mirror in apt's sources; set MIRROR" >&2; exit 1; }
	echo "$uri"
}
mirror=${MIRROR:-$(host_mirror)}
base=$work/base
root=$work/root

[[ $(id -u) -eq 0 ]] || { echo "vm-install: needs root (debootstrap, chroot)"; exit 1; }
shopt -s nullglob
pkgs=("$debs"/posreaderd_*.deb "$debs"/posreader-dkms_*_all.deb \
	"$debs"/posreader-tools_*.deb)
[[ ${#pkgs[@]} -eq 3 ]] || { echo "vm-install: run 'make deb' first"; exit 1; }
shopt -u nullglob

# in_root DIR COMMAND: run COMMAND (a bash script) chrooted in DIR with
# /proc, /sys and /dev mounted in a private mount namespace, so nothing
# stays mounted on the host whatever happens.
in_root() {
	unshare -m --propagation private bash -euo pipefail -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --bind /dev "$r/dev"
		mount -t devpts devpts "$r/dev/pts" -o newinstance,ptmxmode=0666
		mount -t tmpfs tmpfs "$r/run"
		chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
			bash -euo pipefail -c "$1"
	' _ "$1" "$2"
}

# What the cached base holds besides debootstrap's minbase; a change here
# rebuilds the cache.
base_pkgs=(linux-image-amd64 linux-headers-amd64 linux-image-6.12-amd64
	linux-headers-6.12-amd64 initramfs-tools)
stamp="$mirror ${base_pkgs[*]}"

mkdir -p "$work"
if [[ "$(cat "$base/.posreader-base-ready" 2>/dev/null)" != "$stamp" ]]; then
	echo "== debootstrap Debian 12 into $base"
	rm -rf "$base"
	debootstrap --variant=minbase \
		--include=systemd,systemd-sysv,dbus,udev,kmod,procps,apt \
		bookworm "$base" "$mirror" >"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log"; exit 1; }
	cat >"$base/etc/apt/sources.list" <<-SOURCES
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb ${mirror%/debian}/debian-security bookworm-security main
	SOURCES
	# No service may start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$base/usr/sbin/policy-rc.d"
	chmod +x "$base/usr/sbin/policy-rc.d"
	echo "== kernel and headers into the root"
	in_root "$base" "
		apt-get update -q
		apt-get install -y -q --no-install-recommends ${base_pkgs[*]}
		apt-get clean
	" >"$work/base-apt.log" 2>&1 || { tail -30 "$work/base-apt.log"; exit 1; }
	echo "$stamp" >"$base/.posreader-base-ready"
fi

# polkitd, which posreaderd only suggests, so that the admin actions are
# checked by a real polkit as on a terminal that has it.
echo "== fresh root, install ${pkgs[*]##*/} and polkitd"
rm -rf "$root"
cp -a "$base" "$root"
rm -f "$root/.posreader-base-ready"
mkdir -p "$root/tmp/debs"
cp "${pkgs[@]}" "$root/tmp/debs/"
in_root "$root" '
	apt-get update -q
	apt-get install -y -q /tmp/debs/*.deb polkitd
	rm -rf /tmp/debs
	apt-get clean
' >"$work/install.log" 2>&1 || { tail -40 "$work/install.log"; exit 1; }
grep -E 'dkms|posreader' "$work/install.log" | grep -viE '^(get|selecting|preparing|unpacking)' | head -20

mapfile -t kernels < <(cd "$root/lib/modules" && ls -d 6.* | sort -V)
for kver in "${kernels[@]}"; do
	if ! ls "$root/lib/modules/$kver/updates/dkms/"posreader.ko* >/dev/null 2>&1; then
		echo "FAIL: DKMS built no posreader.ko for $kver at install time"
		exit 1
	fi
	echo "== DKMS built posreader.ko for $kver"
done
if [[ "${kernels[*]}" != *6.1.*6.12.* ]]; then
	echo "FAIL: the root lacks a 6.1 or a 6.12 kernel: ${kernels[*]}"
	exit 1
fi

# The guest side: the test service, a root file system entry, a name.
install -m 0755 "$here/guest-test.sh" "$root/usr/local/sbin/posreader-install-test"
install -m 0644 "$here/posreader-install-test.service" "$root/etc/systemd/system/"
ln -sf /etc/systemd/system/posreader-install-test.service \
	"$root/etc/systemd/system/multi-user.target.wants/posreader-install-test.service"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo posreader-terminal >"$root/etc/hostname"
rm -f "$root/usr/sbin/policy-rc.d"
# No login prompt on the console the test writes to.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"

# boot KVER: a fresh disk image of the installed root (the guest removes
# the packages), one boot, results in $work/results-KVER.
boot() {
	local kver=$1 image=$work/root.img results=$work/results-$1 qrc
	rm -f "$image"
	size=$(( $(du -sm "$root" | cut -f1) + 768 ))
	mkfs.ext4 -q -F -L posreader-root -d "$root" "$image" "${size}M"
	rm -rf "$results"
	mkdir -p "$results"
	echo "== boot Debian 12 with $kver under QEMU; up to ${VM_TIMEOUT:-1200} s"
	set +e
	timeout --kill-after=10 "${VM_TIMEOUT:-1200}" qemu-system-x86_64 \
		-accel tcg -cpu max -smp 2 -m 1536 -nographic -no-reboot -nic none \
		-kernel "$root/boot/vmlinuz-$kver" \
		-initrd "$root/boot/initrd.img-$kver" \
		-drive "file=$image,format=raw,if=virtio" \
		-virtfs "local,path=$results,mount_tag=results,security_model=none" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 quiet" \
		</dev/null >"$results/console.log" 2>&1
	qrc=$?
	set -e
	rm -f "$image"

	local log=$results/install-test.log summary
	if [[ ! -f "$log" ]]; then
		echo "FAIL: the guest test never ran (see $results/console.log)"
		return 1
	fi
	grep -E '^(PASS|FAIL|#)' "$log"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" || true)
	if [[ -z "$summary" ]]; then
		echo "FAIL: the guest test did not finish (qemu exit $qrc; see $log)"
		return 1
	fi
	echo "$kver: $summary"
	read -r p _ f _ <<<"${summary//,/}"
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	[[ "$summary" == *" 0 failed" ]]
}

status=0 total_passed=0 total_failed=0
for kver in "${kernels[@]}"; do
	[[ $kver == "${VM_KERNEL:-}"* ]] || continue
	failed_before=$total_failed
	if ! boot "$kver"; then
		status=1
		# A guest that never reported still counts as a failure.
		[[ $total_failed -gt $failed_before ]] ||
			total_failed=$((total_failed + 1))
	fi
done
echo "vm-install: $total_passed passed, $total_failed failed"
exit $status
