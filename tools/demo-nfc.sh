#!/bin/bash
# The libnfc part of the posreader walk-through: an emulated PN532 on a
# pseudo-terminal (posreader-pn532-emu), driven by libnfc's own pn532_uart
# driver inside posreaderd, on a private dbus-daemon with the shipped
# policy. posreaderctl lists the reader, waits for a tap, exchanges an
# APDU with the card, and the card is taken away again.
#
# usage: tools/demo-nfc.sh [BUILD_DIR]     (default: build)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/demo-lib.sh
source "$top/tools/demo-lib.sh"
demo_paths "${1:-build}"
emu="$build/tools/pn532-emu/posreader-pn532-emu"
demo_require "$daemon" "$POSREADER_NFC_WORKER" "$ctl" "$emu"
demo_require_dbus

# shellcheck source=tools/private-bus.sh
source "$top/tools/private-bus.sh"
private_bus_setup /tmp/posreader-nfc-demo.XXXXXX
demo_start_bus "$policy"

step "An emulated PN532 board on a pseudo-terminal, empty field"
show "posreader-pn532-emu --no-tag --path-file pty --control emu.sock &"
"$emu" --no-tag --path-file "$work/pty" --control "$work/emu.sock" \
	2>"$work/emu.log" &
pids+=($!)
for _ in $(seq 100); do
	[[ -s "$work/pty" ]] && break
	sleep 0.05
done
pty=$(head -n1 "$work/pty")
[[ -n "$pty" ]] || { echo "demo: the emulator did not start" >&2; exit 1; }
echo "the board's serial port: $pty"
emuctl() {
	show "posreader-pn532-emu --send '$*'"
	"$emu" --control "$work/emu.sock" --send "$*" >/dev/null
}

step "posreaderd drives it through libnfc (pn532_uart)"
show "posreaderd --nfc pn532_uart:$pty ..."
# A scratch terminal with the fixed test keys (a test hook, never for a
# real terminal): an unprovisioned one refuses card services.
POSREADER_TEST_PROVISION=1 \
	"$daemon" --bus "$address" --nfc "pn532_uart:$pty" \
	--state-dir "$work/state" --test-lock-file "$work/lock" \
	--log stderr 2>"$work/posreaderd.log" &
pids+=($!)

pctl() { "$ctl" --bus "$address" "$@"; }
for _ in $(seq 200); do
	if pctl --json readers 2>/dev/null | grep -q '"nfc"'; then
		break
	fi
	sleep 0.05
done
show "posreaderctl readers"
pctl readers

step "A contactless tap, seen by libnfc's polling"
show "posreaderctl wait-card --kinds nfc   (while the card is tapped)"
pctl wait-card --kinds nfc --timeout 10000 &
wait_pid=$!
sleep 0.5
emuctl tag present
wait "$wait_pid"

step "SELECT the payment directory (PPSE) on the tapped card"
show "posreaderctl apdu --slot nfc 00A404000E325041592E5359532E444446303100"
pctl apdu --slot nfc 00A404000E325041592E5359532E444446303100

step "The card leaves the field"
emuctl tag absent
sleep 0.5
show "posreaderctl status"
pctl status

if grep -qi "325041592e" "$work/posreaderd.log"; then
	echo "demo: APDU bytes escaped into the daemon's log" >&2
	exit 1
fi
step "Done: an NFC tap through libnfc, nothing of the card in the log"
