#!/bin/bash
# posreaderd's integration scenarios over a real transport, in the VM
# guest's chroot into the host root (tests/vm/guest.sh sets it up, with
# systemd-udevd running). Each reader is a USB gadget (gadget-sim.sh).
# Prints one PASS, FAIL or SKIP line per scenario and, last,
# "daemon-tests TRANSPORT: done"; full logs go to RESULTS.
#
# usage: daemon-tests.sh kernel|usb BUILD RESULTS
#        (kernel with posreader.ko loaded, usb without)
set -u

transport=$1
build=$2
results=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
programs=(daemon-api daemon-hotplug)

case "$transport" in
kernel) [[ -d /sys/module/posreader ]] ;;
usb) [[ ! -d /sys/module/posreader ]] ;;
*) false ;;
esac || {
	echo "FAIL: daemon tests over $transport: posreader.ko is" \
		"$([[ -d /sys/module/posreader ]] || echo not) loaded"
	echo "daemon-tests $transport: done"
	exit 1
}

# What meson gives these tests (tests/integration/meson.build,
# daemon_itest_env), and the hooks that put them on this transport. The
# daemon runs with both transports on, as the shipped posreader.conf has
# it: whether posreader.ko is loaded decides which one serves the reader
# (and the other must leave it alone).
export POSREADERD=$build/daemon/posreaderd
export POSREADER_SIM=$build/tools/sim/posreader-sim
export POSREADER_POLICY=$root/dbus/org.posreader1.conf
export POSREADER_DBUS_DIR=$root/dbus
export POSREADER_TEST_PROVISION=1
export POSREADER_TEST_TRANSPORT=$transport
export POSREADER_TEST_DAEMON_ARGS="--kernel --usb"
export POSREADER_TEST_SIM_CMD=$root/tests/vm/gadget-sim.sh
export POSREADER_TEST_KEEP=1
# An emulated CPU, perhaps sharing the machine: every wait of the harness
# gets four times as long (the assertions on timing stay as they are).
export POSREADER_TEST_TIME_SCALE=4
export CMOCKA_MESSAGE_OUTPUT=TAP

# TAP from cmocka to PASS/FAIL/SKIP lines. Failure details (the "#"
# lines after a failing test) follow as indented lines; a skipped test's
# reason is what it printed (as "# ...") before skipping. Prints the
# number of results it saw on fd 3.
tap_to_lines() {
	local tag=$1 line n=0 failing=no said=

	while IFS= read -r line; do
		case "$line" in
		*" # SKIP "*)
			echo "SKIP: $tag: ${line##*# SKIP }${said:+ ($said)}"
			n=$((n + 1)) failing=no said= ;;
		"ok "[0-9]*)
			echo "PASS: $tag: ${line#ok * - }"
			n=$((n + 1)) failing=no said= ;;
		"not ok "[0-9]*)
			echo "FAIL: $tag: ${line#not ok * - }"
			n=$((n + 1)) failing=yes said= ;;
		"# ok - "* | "# not ok - "*) ;;
		"#"*)
			if [[ $failing == yes ]]; then
				echo "#   ${line#\# }"
			else
				said=${said:+$said; }${line#\# }
			fi ;;
		esac
	done
	echo "$n" >&3
}

for p in "${programs[@]}"; do
	exe=$build/tests/integration/test-$p
	tag="$p over $transport"
	log=$results/daemon-$transport-$p.log
	start=$SECONDS
	"$exe" >"$log.tap" 2>"$log"
	rc=$?
	n=$(tap_to_lines "$tag" <"$log.tap" 3>&1 >/tmp/lines)
	cat /tmp/lines
	# Keep the scratch directory's logs (the daemon's, dbus-daemon's,
	# the simulators') next to the test's own.
	kept=$(sed -n 's/^harness: kept //p' "$log" | tail -n 1)
	logs=$results/daemon-$transport-$p
	if [[ -n "$kept" && -d "$kept" ]]; then
		mkdir -p "$logs"
		cp "$kept"/*.log "$logs/" 2>/dev/null
		rm -rf "$kept"
	fi
	if [[ $rc -eq 77 ]]; then
		echo "SKIP: $tag: $(tail -n 1 "$log")"
	elif [[ $rc -ne 0 ]] && ! grep -q '^FAIL' /tmp/lines; then
		echo "FAIL: $tag: exited with status $rc (see $log)"
	elif [[ $rc -eq 0 && $n -eq 0 ]]; then
		echo "FAIL: $tag: ran no scenario (see $log)"
	fi
	# In a sanitizer build: the daemon and simulators must not report.
	if grep -qlE 'Sanitizer|runtime error' "$log" "$logs"/*.log \
		2>/dev/null; then
		echo "FAIL: $tag: sanitizer report (see $logs)"
	fi
	echo "# $tag: $((SECONDS - start)) s"
done
echo "daemon-tests $transport: done"
