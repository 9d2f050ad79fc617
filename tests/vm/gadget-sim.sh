#!/bin/bash
# One simulated reader plugged in as a USB device, for the daemon's
# integration tests in the VM guest (POSREADER_TEST_SIM_CMD, see
# tests/integration/harness.h): a configfs gadget with the serial, its
# FunctionFS function served by posreader-sim, bound to a free dummy_hcd
# UDC. Runs until SIGTERM, then unplugs the reader and removes it all.
#
# usage: gadget-sim.sh SERIAL CONTROL CAPS   (env: POSREADER_SIM)
set -u

if [[ $# -ne 3 || -z "${POSREADER_SIM:-}" ]]; then
	echo "usage: POSREADER_SIM=PATH $0 SERIAL CONTROL CAPS" >&2
	exit 2
fi
serial=$1
control=$2
caps=$3
G=/sys/kernel/config/usb_gadget
name=itest$$
gadget=$G/$name
ffs=/tmp/ffs-$name
sim=

say() {
	echo "gadget-sim $name ($serial): $*" >&2
}

teardown() {
	[[ -e "$gadget/UDC" ]] && echo >"$gadget/UDC" 2>/dev/null
	if [[ -n "$sim" ]]; then
		kill -TERM "$sim" 2>/dev/null
		wait "$sim"
	fi
	mountpoint -q "$ffs" && umount "$ffs"
	rmdir "$ffs" 2>/dev/null
	rm -f "$gadget/configs/c.1/ffs.$name"
	rmdir "$gadget/configs/c.1" "$gadget/functions/ffs.$name" \
		"$gadget/strings/0x409" "$gadget" 2>/dev/null
}

fail() {
	say "$*"
	teardown
	exit 1
}

trap 'teardown; exit 0' TERM INT

mkdir "$gadget" || fail "cannot create the gadget"
echo 0x1209 >"$gadget/idVendor"
echo 0x0001 >"$gadget/idProduct"
mkdir "$gadget/strings/0x409"
echo posreader >"$gadget/strings/0x409/manufacturer"
echo posreader-sim >"$gadget/strings/0x409/product"
echo "$serial" >"$gadget/strings/0x409/serialnumber"
mkdir "$gadget/configs/c.1" "$gadget/functions/ffs.$name" ||
	fail "cannot create the FunctionFS function"
ln -s "$gadget/functions/ffs.$name" "$gadget/configs/c.1/"
mkdir -p "$ffs"
mount -t functionfs "$name" "$ffs" || fail "cannot mount FunctionFS"

"$POSREADER_SIM" --gadget "$ffs" --configfs "$gadget" --control "$control" \
	--serial "$serial" --caps "$caps" &
sim=$!
# The control socket exists once the descriptors are on ep0.
for ((i = 0; i < 200; i++)); do
	[[ -S "$control" ]] && break
	kill -0 "$sim" 2>/dev/null || { sim=; fail "posreader-sim ended"; }
	sleep 0.05
done
[[ -S "$control" ]] || fail "posreader-sim did not start"

# Plug into the first UDC no gadget uses; one at a time, as several
# readers may start together.
exec 9>/tmp/gadget-sim.lock
flock 9
udc=
for u in /sys/class/udc/*; do
	u=${u##*/}
	if ! grep -qx "$u" "$G"/*/UDC 2>/dev/null; then
		udc=$u
		break
	fi
done
[[ -n "$udc" ]] && echo "$udc" >"$gadget/UDC" || bound=no
flock -u 9
exec 9>&-
[[ -n "$udc" && "${bound:-yes}" == yes ]] || fail "no free UDC to plug into"
say "plugged into $udc"

# Until told to stop; the simulator ending by itself is a failure.
wait "$sim"
rc=$?
sim=
fail "posreader-sim exited ($rc)"
