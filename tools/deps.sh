#!/bin/bash
# Make sure the Debian packages a make target needs are installed.
# As root, install what is missing from Debian's archive; otherwise say
# exactly what is missing and how to install it, and fail.
#
# usage: tools/deps.sh GROUP...   (groups: build demo check fuzz vm deb dkms
#                                   vm-install)
set -euo pipefail

pkgs_build=(build-essential meson ninja-build pkg-config
	libsystemd-dev libusb-1.0-0-dev libnfc-dev libssl-dev
	libsqlite3-dev libcmocka-dev)
pkgs_demo=(dbus-daemon)
pkgs_fuzz=(clang libclang-rt-14-dev)
pkgs_integration=(dbus-daemon libnfc-bin libnfc-examples)
pkgs_vm=(qemu-system-x86 busybox-static kmod cpio xz-utils sparse
	linux-headers-amd64 gcc-multilib)
# packaging/ tests: systemd-analyze, udevadm, man.
pkgs_packaging=(systemd udev man-db)
pkgs_deb=(debhelper dh-dkms dpkg-dev lintian)
pkgs_dkms=(dkms linux-headers-amd64 linux-headers-6.12-amd64)
pkgs_vm_install=(debootstrap qemu-system-x86 e2fsprogs)

wanted=()
for group in "$@"; do
	case "$group" in
	build) wanted+=("${pkgs_build[@]}") ;;
	demo) wanted+=("${pkgs_build[@]}" "${pkgs_demo[@]}") ;;
	fuzz) wanted+=("${pkgs_fuzz[@]}") ;;
	vm) wanted+=("${pkgs_vm[@]}") ;;
	deb) wanted+=("${pkgs_build[@]}" "${pkgs_packaging[@]}"
			"${pkgs_deb[@]}") ;;
	dkms) wanted+=("${pkgs_dkms[@]}") ;;
	vm-install) wanted+=("${pkgs_vm_install[@]}") ;;
	check) wanted+=("${pkgs_build[@]}" "${pkgs_fuzz[@]}"
			"${pkgs_integration[@]}" "${pkgs_vm[@]}"
			"${pkgs_packaging[@]}" "${pkgs_deb[@]}"
			"${pkgs_dkms[@]}" "${pkgs_vm_install[@]}") ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

if ! command -v dpkg-query >/dev/null; then
	echo "posreader: this is not a Debian system; install the equivalents of:" >&2
	printf '  %s\n' "${wanted[@]}" >&2
	exit 1
fi

missing=()
for p in $(printf '%s\n' "${wanted[@]}" | sort -u); do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "posreader: missing Debian packages: ${missing[*]}" >&2
	echo "posreader: install them with:" >&2
	echo "    sudo apt-get install ${missing[*]}" >&2
	echo "posreader: (or run this make target as root to install them)" >&2
	exit 1
fi

echo "posreader: installing from Debian's archive: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
