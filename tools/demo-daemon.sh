#!/bin/bash
# The daemon part of the posreader walk-through, on the simulator: a
# private dbus-daemon with the shipped policy, one simulated reader,
# posreaderd, then posreaderctl showing the readers, a swipe (masked), an
# ICC APDU exchange (over the bus and over a channel), an NFC tap, the
# daemon refusing service while the terminal is locked, and the security
# walk-through: provisioning, three wrong operator PINs (locked, with the
# time left), the lockout ending by itself, tamper from the reader
# (blocked), and the acquirer's unlock token.
#
# usage: tools/demo-daemon.sh [BUILD_DIR]     (default: build)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/demo-lib.sh
source "$top/tools/demo-lib.sh"
demo_paths "${1:-build}"
sim="$build/tools/sim/posreader-sim"
acquirer="$build/tools/acquirer/posreader-acquirer"
demo_require "$daemon" "$ctl" "$sim" "$acquirer"
demo_require_dbus

# shellcheck source=tools/private-bus.sh
source "$top/tools/private-bus.sh"
private_bus_setup /tmp/posreader-demo.XXXXXX
mkdir -p "$work/sims"
demo_start_bus "$policy"

step "Starting a simulated reader and posreaderd"
serial=SIM-DEMO-1
"$sim" --socket "$work/sims/$serial.sock" --control "$work/sim-ctl" \
	--serial "$serial" >"$work/sim.log" 2>&1 &
pids+=($!)
# A short lockout ladder so the demo does not wait a minute.
printf 'pin-lockout = 3,5,10\n' >"$work/posreaderd.conf"
"$daemon" --bus "$address" --sim-dir "$work/sims" \
	--config "$work/posreaderd.conf" \
	--state-dir "$work/state" --test-lock-file "$work/lock" \
	--log stderr 2>"$work/posreaderd.log" &
pids+=($!)

pctl() { "$ctl" --bus "$address" "$@"; }
simctl() { "$sim" ctl --control "$work/sim-ctl" "$@" >/dev/null; }

for _ in $(seq 100); do
	if pctl --json readers 2>/dev/null | grep -q "\"$serial\""; then
		break
	fi
	sleep 0.05
done

# Every event the daemon signals, collected while the demo runs.
pctl monitor >"$work/monitor.txt" 2>/dev/null &
pids+=($!)
sleep 0.2

step "A new terminal is unprovisioned: no card service yet"
show "posreaderctl status"
pctl status

step "Provisioning: the acquirer's public key, a master key, the PINs"
show "posreader-acquirer keygen acquirer.pem"
"$acquirer" keygen "$work/acquirer.pem" | tee "$work/acquirer.txt"
acq_pub=$(sed -n 's/^public-key //p' "$work/acquirer.txt")
terminal_id=DEMO-LANE-1
umask 077
cat >"$work/provision.conf" <<PROV
terminal_id = $terminal_id
master_type = aes128
master_key = 00000000000000000000000000000000
master_kcv = 66E94B
acquirer_key = $acq_pub
operator_pin = 270451
supervisor_pin = 836917
PROV
umask 022
show "posreaderctl provision provision.conf   (keys and PINs; the file is 0600)"
pctl provision "$work/provision.conf"
show "posreaderctl pair $serial FF9212   (the reader's pairing key on stdin)"
echo 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f |
	pctl pair "$serial" FF9212

step "The terminal and its readers"
show "posreaderctl status"
pctl status
show "posreaderctl readers"
pctl readers

step "A magnetic-stripe swipe: applications only ever see it masked"
show "posreaderctl wait-card --kinds magstripe   (while the test card is swiped)"
pctl wait-card --kinds magstripe --timeout 10000 &
wait_pid=$!
sleep 0.3
simctl swipe
wait "$wait_pid"

step "A chip card: insert, power on, SELECT the payment application"
simctl icc insert
sleep 0.2
show "posreaderctl apdu 00A4040007A0000000031010 80CA9F3600"
pctl apdu 00A4040007A0000000031010 80CA9F3600
show "posreaderctl apdu --channel 80EE000008   (the APDU channel: no broker in the path)"
pctl apdu --channel 80EE000008
simctl icc remove

step "A contactless tap"
show "posreaderctl wait-card --kinds nfc   (while a tag is tapped)"
pctl wait-card --kinds nfc --timeout 10000 &
wait_pid=$!
sleep 0.3
simctl nfc tap
wait "$wait_pid"
show "posreaderctl apdu --slot nfc 00A404000E325041592E5359532E444446303100"
pctl apdu --slot nfc 00A404000E325041592E5359532E444446303100
simctl nfc remove

step "Locked: the daemon refuses card services"
touch "$work/lock"
sleep 0.2
show "posreaderctl status"
pctl status
simctl icc insert
show "posreaderctl apdu 00A4040007A0000000031010"
if pctl apdu 00A4040007A0000000031010; then
	echo "demo: the locked terminal answered an APDU" >&2
	exit 1
else
	echo "(refused, exit code $?)"
fi
rm -f "$work/lock"
sleep 0.2
show "posreaderctl status   (lock cleared)"
pctl status

step "Three wrong operator PINs lock the terminal for a while"
for i in 1 2 3; do
	show "posreaderctl pin verify   (a wrong PIN on stdin)"
	echo 113355 | pctl pin verify || true
done
show "posreaderctl status   (why it is locked, what unlocks it, when)"
pctl status
show "posreaderctl apdu 00A4040007A0000000031010"
if pctl apdu 00A4040007A0000000031010; then
	echo "demo: the locked terminal answered an APDU" >&2
	exit 1
else
	echo "(refused, exit code $?)"
fi

step "Time passes: the lockout ends by itself"
sleep 3.5
show "posreaderctl status"
pctl status
pctl --json status | grep -q '"lock_state": "active"' || {
	echo "demo: the lockout did not end" >&2
	exit 1
}

step "The reader reports tamper: keys zeroized, terminal blocked"
simctl tamper
sleep 0.3
show "posreaderctl status"
pctl status

step "The acquirer unlocks it with a token bound to a fresh challenge"
show "posreaderctl unlock-challenge"
pctl unlock-challenge | tee "$work/challenge.txt"
challenge=$(awk '{print $4}' "$work/challenge.txt")
show "posreader-acquirer sign acquirer.pem unlock $terminal_id CHALLENGE --out unlock.tok"
"$acquirer" sign "$work/acquirer.pem" unlock "$terminal_id" "$challenge" \
	--out "$work/unlock.tok"
show "posreaderctl apply-token unlock.tok"
pctl apply-token "$work/unlock.tok"
show "posreaderctl apply-token unlock.tok   (again: a token works once)"
pctl apply-token "$work/unlock.tok" || echo "(refused, exit code $?)"
show "posreaderctl status"
pctl status
pctl --json status | grep -q '"lock_state": "active"' || {
	echo "demo: the token did not unlock the terminal" >&2
	exit 1
}
show "posreaderctl audit   (the hash-chained audit log)"
pctl audit | tail -n 12

step "What posreaderctl monitor saw meanwhile"
sleep 0.2
cat "$work/monitor.txt"

if grep -q 4111111111111111 "$work/posreaderd.log" "$work/monitor.txt"; then
	echo "demo: clear card data escaped the daemon" >&2
	exit 1
fi
if grep -qE '270451|836917|113355' "$work/posreaderd.log"; then
	echo "demo: a PIN escaped into the daemon's log" >&2
	exit 1
fi
step "Done: no clear card data in the daemon's log or on the bus"
