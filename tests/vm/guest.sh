#!/bin/sh
# posreader VM test, guest side (busybox sh, started by tests/vm/init).
# The host tree is at /host (read-only), results go to /results.
# The driver's test programs run through the host's loader; the daemon's
# integration tests run in a chroot into the host root (chroot_up).
# Parameters come from the kernel command line (posreader.*=...).

transports="kernel usb"
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	posreader.build=*) build=/host${arg#posreader.build=} ;;
	posreader.kmod=*) kmod=/host${arg#posreader.kmod=} ;;
	posreader.cycles=*) cycles=${arg#posreader.cycles=} ;;
	posreader.junk=*) junk=${arg#posreader.junk=} ;;
	posreader.only=*) only=${arg#posreader.only=} ;;
	posreader.transports=*)
		transports=$(echo "${arg#posreader.transports=}" | tr , ' ') ;;
	esac
done
[ "$transports" = none ] && transports=
root=$1
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

# The source and build trees may live under the host's /tmp (a CI
# checkout, say), which the chroot's fresh /tmp would hide: hold them
# aside in /keep and bind them back at the same paths.
kept=
keep_tmp_trees() {
	n=0
	for p in "$root" "${build#/host}"; do
		case "$p" in
		/tmp/*)
			n=$((n + 1))
			mkdir -p "/keep/$n" &&
				mount -o bind "/host$p" "/keep/$n" || return 1
			kept="$kept $n:$p"
			;;
		esac
	done
}

restore_tmp_trees() {
	for k in $kept; do
		mkdir -p "/host${k#*:}" &&
			mount -o bind "/keep/${k%%:*}" "/host${k#*:}" || return 1
	done
}

# A root for host programs that expect a normal system (the daemon, its
# tests, dbus-daemon, systemd-udevd): the host root, with the guest's
# /dev, /proc and /sys, fresh /tmp and /run, and the results share.
C=/host
HOSTPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
chroot_up() {
	keep_tmp_trees &&
	mount -t tmpfs tmpfs "$C/tmp" &&
	restore_tmp_trees &&
	mount -t tmpfs tmpfs "$C/run" &&
	mount -o rbind /dev "$C/dev" &&
	mount -o rbind /proc "$C/proc" &&
	mount -o rbind /sys "$C/sys" &&
	mkdir -p "$C/run/results" &&
	mount -o bind "$R" "$C/run/results"
}

# systemd-udevd, as on a terminal: sd-device monitors (the daemon's
# hotplug) only hear events udevd passes on. It runs from the host root,
# which it takes for a chroot unless told otherwise.
udevd_start() {
	chroot "$C" /usr/bin/env PATH="$HOSTPATH" SYSTEMD_IGNORE_CHROOT=1 \
		SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-udevd \
		>"$R/udevd.log" 2>&1 &
	udevd=$!
	i=0
	while [ ! -S "$C/run/udev/control" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$C/run/udev/control" ]
}

udevd_stop() {
	kill "$udevd" 2>/dev/null
	wait "$udevd"
}

# The daemon's integration scenarios over transport $1, with the
# readers as gadgets (tests/vm/daemon-tests.sh); lines to daemon.log.
daemon_tests() {
	case " $transports " in
	*" $1 "*) ;;
	*) return 0 ;;
	esac
	say "daemon tests over $1"
	chroot "$C" /usr/bin/env PATH="$HOSTPATH" /bin/bash \
		"$root/tests/vm/daemon-tests.sh" "$1" "${build#/host}" \
		/run/results >>"$R/daemon.log" 2>&1
}

# Take a vmtest gadget apart (it is unbound, its server stopped).
rm_gadget() {
	d=$G/$1
	echo >"$d/UDC" 2>/dev/null
	umount "/tmp/ffs-$1"
	rm -f "$d/configs/c.1/ffs.$1"
	rmdir "$d/configs/c.1" "$d/functions/ffs.$1" "$d/strings/0x409" "$d"
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
rm_gadget reader
rm_gadget bad

# The daemon over posreader.ko, then (module unloaded) over libusb.
: >"$R/daemon.log"
daemon=no
if [ -n "$transports" ]; then
	if chroot_up && udevd_start; then
		daemon=yes
	else
		say "cannot set up the root for the daemon tests"
		echo "FAIL: daemon tests: no chroot or systemd-udevd" \
			>>"$R/daemon.log"
	fi
fi
[ "$daemon" = yes ] && daemon_tests kernel
if rmmod posreader; then
	echo ok >"$R/rmmod"
else
	echo failed >"$R/rmmod"
fi
[ "$daemon" = yes ] && daemon_tests usb
[ "$daemon" = yes ] && udevd_stop
cat "$R/daemon.log"
dmesg >"$R/dmesg.txt"
say "done"
