#!/bin/sh
# posreader VM test, guest side (busybox sh, started by tests/vm/init).
# The host tree is at /host (read-only), results go to /results.
# Host binaries run through the host's loader (no chroot needed).
# Parameters come from the kernel command line (posreader.*=...).

for arg in $(cat /proc/cmdline); do
	case "$arg" in
	posreader.build=*) build=/host${arg#posreader.build=} ;;
	posreader.kmod=*) kmod=/host${arg#posreader.kmod=} ;;
	posreader.cycles=*) cycles=${arg#posreader.cycles=} ;;
	posreader.junk=*) junk=${arg#posreader.junk=} ;;
	posreader.only=*) only=${arg#posreader.only=} ;;
	esac
done
R=/results
LIB=/host/usr/lib/x86_64-linux-gnu
SERIAL=VM-0042
FIRMWARE=2.3.4
G=/sys/kernel/config/usb_gadget

run() {
	"$LIB/ld-linux-x86-64.so.2" --library-path "$LIB" "$@"
}

say() {
	echo "POSREADER-VM: $*"
}

# A configfs gadget with one FunctionFS function, mounted at /tmp/ffs-$1.
mk_gadget() {
	d=$G/$1
	mkdir "$d" || return 1
	echo 0x1209 >"$d/idVendor"
	echo "$2" >"$d/idProduct"
	mkdir "$d/strings/0x409"
	echo posreader >"$d/strings/0x409/manufacturer"
	echo "posreader $1" >"$d/strings/0x409/product"
	echo "$SERIAL" >"$d/strings/0x409/serialnumber"
	mkdir "$d/configs/c.1"
	mkdir "$d/functions/ffs.$1"
	ln -s "$d/functions/ffs.$1" "$d/configs/c.1/"
	mkdir -p "/tmp/ffs-$1"
	mount -t functionfs "$1" "/tmp/ffs-$1"
}

say "guest up, kernel $(uname -r)"
echo "$(uname -r)" >"$R/kernel"
mount -t configfs none /sys/kernel/config
insmod "$kmod" || { say "insmod posreader.ko failed"; exit 1; }

mk_gadget reader 0x0001 && mk_gadget bad 0x0002 ||
	{ say "gadget setup failed"; exit 1; }

# Started without a shell function in between, so that $! is the program
# itself and a SIGTERM reaches it (it then shuts down cleanly).
"$LIB/ld-linux-x86-64.so.2" --library-path "$LIB" \
	"$build/tools/sim/posreader-sim" --gadget /tmp/ffs-reader \
	--control /tmp/sim.sock --serial "$SERIAL" --firmware "$FIRMWARE" \
	>"$R/sim.log" 2>&1 &
sim=$!
"$LIB/ld-linux-x86-64.so.2" --library-path "$LIB" \
	"$build/tests/vm/posreader-bad-gadget" /tmp/ffs-bad \
	>"$R/bad-gadget.log" 2>&1 &
bad=$!

i=0
while [ ! -S /tmp/sim.sock ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S /tmp/sim.sock ] || { say "simulator did not start"; exit 1; }
echo dummy_udc.0 >"$G/reader/UDC" || { say "bind failed"; exit 1; }

set -- --gadget "$G/reader" --bad-gadget "$G/bad" --control /tmp/sim.sock \
	--module "$kmod" --serial "$SERIAL" --firmware "$FIRMWARE" \
	--compat32 "$build/posreader-compat32"
[ -n "$cycles" ] && set -- "$@" --cycles "$cycles"
[ -n "$junk" ] && set -- "$@" --junk "$junk"
[ -n "$only" ] && set -- "$@" --only "$only"
run "$build/tests/vm/posreader-vmtest" "$@" >"$R/vmtest.log" 2>&1
echo $? >"$R/vmtest.rc"
cat "$R/vmtest.log"

# Unplug, stop the gadgets, unload: all of it must leave dmesg clean.
echo >"$G/reader/UDC" 2>/dev/null
kill "$sim" "$bad" 2>/dev/null
wait "$sim"
echo $? >"$R/sim.rc"
wait "$bad"
echo $? >"$R/bad-gadget.rc"
if rmmod posreader; then
	echo ok >"$R/rmmod"
else
	echo failed >"$R/rmmod"
fi
dmesg >"$R/dmesg.txt"
say "done"
