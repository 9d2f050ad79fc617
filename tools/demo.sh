#!/bin/bash
# The posreader walkthrough (issue 2) on the simulator: a reader is
# started in a private directory and exercised the way a POS terminal
# would, with every card number shown masked. Each part is a function;
# later parts (the daemon walkthrough) add a function and a line to
# DEMO_PARTS.
#
# usage: tools/demo.sh BUILD_DIR
set -euo pipefail

BUILD=${1:?usage: tools/demo.sh BUILD_DIR}
SIM=$BUILD/tools/sim/posreader-sim
PROBE=$BUILD/tools/probe/posreader-probe

DEMO_DIR=
SIM_PID=

# shellcheck source=tools/demo-lib.sh
source "$(dirname "$0")/demo-lib.sh"

# Section headings; bold on a terminal only, as the steps of
# demo-daemon.sh and demo-nfc.sh (the "==" level below these).
heading() {
	printf '\n%s=== %s ===%s\n' "$bold" "$*" "$plain"
}

# Control commands are shown as typed, then run; the commands are part
# of the lesson.
ctl() {
	printf '$ posreader-sim ctl %s\n' "$*"
	"$SIM" ctl --control "$DEMO_DIR/ctl.sock" "$@" >/dev/null
}

probe() {
	printf '$ posreader-probe %s\n' "$*"
	"$PROBE" --socket "$DEMO_DIR/reader.sock" "$@" | sed 's/^/    /'
}

# Like probe, for a command that carries a PIN: the PIN digits are
# masked in what is shown. usage: probe_pin SHOWN ARGS...
probe_pin() {
	local shown=$1

	shift
	printf '$ posreader-probe %s\n' "$shown"
	"$PROBE" --socket "$DEMO_DIR/reader.sock" "$@" | sed 's/^/    /'
}

demo_cleanup() {
	if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	[[ -n "$DEMO_DIR" ]] && rm -rf "$DEMO_DIR"
	return 0
}

# Wait until the probe started in the background holds the connection.
wait_host() {
	local i

	for i in $(seq 100); do
		"$SIM" ctl --control "$DEMO_DIR/ctl.sock" status 2>/dev/null |
			grep -q host=connected && return 0
		sleep 0.05
	done
	echo "demo: the probe never connected" >&2
	return 1
}

demo_start_sim() {
	local i

	heading "Start a simulated reader"
	DEMO_DIR=$(mktemp -d)
	printf '$ posreader-sim --socket %s --control %s --serial DEMO-0001 &\n' \
		"$DEMO_DIR/reader.sock" "$DEMO_DIR/ctl.sock"
	"$SIM" --socket "$DEMO_DIR/reader.sock" \
		--control "$DEMO_DIR/ctl.sock" --serial DEMO-0001 \
		2>"$DEMO_DIR/sim.log" &
	SIM_PID=$!
	for i in $(seq 100); do
		"$SIM" ctl --control "$DEMO_DIR/ctl.sock" status \
			>/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "demo: the simulator did not start" >&2
	return 1
}

demo_reader_info() {
	heading "Reader information"
	probe info
	probe status
	heading "Is the reader genuine? (challenge-response, test key)"
	probe auth 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
}

demo_swipe() {
	heading "Swipe a card (only the masked PAN is ever shown)"
	printf '$ posreader-probe watch --count 1 &\n'
	"$PROBE" --socket "$DEMO_DIR/reader.sock" watch --count 1 \
		--timeout 5000 >"$DEMO_DIR/watch.out" &
	local watch_pid=$!
	wait_host
	ctl swipe
	wait "$watch_pid"
	sed 's/^/    /' "$DEMO_DIR/watch.out"
}

demo_icc() {
	heading "Insert an IC card and power it on"
	ctl icc insert
	probe status
	probe icc-on
	heading "SELECT the payment application"
	probe apdu icc 00A4040007A000000003101000
	heading "READ RECORD (card data masked)"
	probe apdu icc 00B2010C00
	heading "VERIFY a wrong PIN, then the right one"
	probe_pin "apdu icc 002000800824****FFFFFFFFFF   # wrong PIN" \
		apdu icc 0020008008249999FFFFFFFFFF
	probe_pin "apdu icc 002000800824****FFFFFFFFFF   # right PIN" \
		apdu icc 0020008008241234FFFFFFFFFF
	probe icc-off
	ctl icc remove
}

demo_nfc() {
	heading "Tap a contactless card"
	ctl nfc tap
	probe nfc-poll 1000
	heading "SELECT the PPSE over ISO 14443-4"
	probe apdu nfc 00A404000E325041592E5359532E444446303100
	probe nfc-release
	ctl nfc remove
}

demo_tamper() {
	heading "Tamper: the case is opened"
	printf '$ posreader-probe watch --count 1 &\n'
	"$PROBE" --socket "$DEMO_DIR/reader.sock" watch --count 1 \
		--timeout 5000 >"$DEMO_DIR/watch.out" &
	local watch_pid=$!
	wait_host
	ctl tamper cause=case-open
	wait "$watch_pid"
	sed 's/^/    /' "$DEMO_DIR/watch.out"
	probe status
	printf '$ posreader-probe icc-on   # a tampered reader refuses card service\n'
	"$PROBE" --socket "$DEMO_DIR/reader.sock" icc-on 2>&1 |
		sed 's/^/    /' || true
}

demo_stop_sim() {
	heading "Stop the simulator"
	ctl quit
	wait "$SIM_PID"
	SIM_PID=
}

# posreaderd on a private bus with the simulator, driven by posreaderctl:
# tools/demo-daemon.sh.
demo_daemon() {
	heading "posreaderd: the card-reader service on D-Bus"
	"$(dirname "$0")/demo-daemon.sh" "$BUILD"
}

# posreaderd driving a commodity NFC reader through libnfc (an emulated
# PN532): tools/demo-nfc.sh.
demo_nfc_libnfc() {
	heading "posreaderd and a commodity NFC reader, through libnfc"
	"$(dirname "$0")/demo-nfc.sh" "$BUILD"
}

# The walkthrough, in order. Append new parts here.
DEMO_PARTS=(
	demo_start_sim
	demo_reader_info
	demo_swipe
	demo_icc
	demo_nfc
	demo_tamper
	demo_stop_sim
	demo_daemon
	demo_nfc_libnfc
)

main() {
	local part

	demo_require "$SIM" "$PROBE"
	trap demo_cleanup EXIT
	for part in "${DEMO_PARTS[@]}"; do
		"$part"
	done
	heading "Done"
}

main
