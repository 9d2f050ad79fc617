#!/bin/bash
# posreaderctl against posreaderd on a private bus (shipped policy) with a
# simulated reader: every command, --json, error messages and exit codes.
#
# usage: test-posreaderctl.sh POSREADERCTL POSREADERD POSREADER_SIM POLICY
set -uo pipefail

ctl=$1 daemon=$2 sim=$3 policy=$4
command -v dbus-daemon >/dev/null || { echo "no dbus-daemon: skip"; exit 77; }

# shellcheck source=SCRIPTDIR/../../tools/private-bus.sh
source "$(dirname "$0")/../../tools/private-bus.sh"
private_bus_setup /tmp/posreaderctl-test.XXXXXX

passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

mkdir -p "$work/sims"
private_bus_conf "$policy"
private_bus_start /dev/null --config-file="$work/bus.conf"
pctl() { "$ctl" --bus "$address" "$@"; }
simctl() { "$sim" ctl --control "$work/sim-ctl" "$@" >/dev/null; }

# No daemon yet: exit code 3 and a clear message.
pctl status >"$work/out" 2>"$work/err"
check "status without posreaderd exits 3" test $? -eq 3
check "status without posreaderd says why" grep -q "org.posreader1" "$work/err"
pctl frobnicate >/dev/null 2>&1
check "unknown command exits 2" test $? -eq 2
pctl --timeout 0 status >/dev/null 2>&1
check "bad --timeout exits 2" test $? -eq 2

serial=CTL-1
"$sim" --socket "$work/sims/$serial.sock" --control "$work/sim-ctl" \
	--serial "$serial" >/dev/null 2>&1 &
pids+=($!)
# Settings from a config file this time; the command line adds the rest.
cat >"$work/posreaderd.conf" <<CONF
# posreaderd settings for this test
bus = $address
sim-dir = $work/sims
sim = $work/late.sock
state-dir = $work/state
log = stderr
CONF
"$daemon" --config "$work/posreaderd.conf" --test-lock-file "$work/lock" \
	2>"$work/daemon.log" &
pids+=($!)
for _ in $(seq 200); do
	pctl --json readers 2>/dev/null | grep -q "\"$serial\"" && break
	sleep 0.05
done

pctl status >"$work/out"
check "status exits 0" test $? -eq 0
check "status shows the terminal active" grep -q "^Terminal: active" "$work/out"
check "status lists the reader" grep -q "$serial" "$work/out"
pctl --json status >"$work/out"
check "status --json" grep -q '"lock_state": "active"' "$work/out"
pctl --json readers >"$work/out"
check "readers --json has the serial" grep -q "\"serial\": \"$serial\"" "$work/out"
check "readers --json has the transport" grep -q '"transport": "sim"' "$work/out"
check "readers --json has capabilities" grep -q '"capabilities": \["magstripe", "icc", "nfc"' "$work/out"
pctl readers >"$work/out"
check "readers shows the path" grep -q "/org/posreader1/reader/CTL_2d1" "$work/out"

# wait-card: masked swipe.
pctl --json wait-card --kinds magstripe --timeout 5000 >"$work/out" &
wait_pid=$!
sleep 0.3
simctl swipe
wait "$wait_pid"
check "wait-card exits 0 on a swipe" test $? -eq 0
check "wait-card --json gives the masked PAN" grep -q '"pan": "411111\*\*\*\*\*\*1111"' "$work/out"
check "wait-card output has no clear PAN" bash -c "! grep -q 4111111111111111 '$work/out'"
pctl wait-card --kinds magstripe --timeout 200 >/dev/null 2>"$work/err"
check "wait-card timeout exits 4" test $? -eq 4
check "wait-card timeout says so" grep -q "org.posreader1.Error.Timeout" "$work/err"
pctl wait-card --kinds barcode --timeout 200 >/dev/null 2>"$work/err"
check "wait-card with a bad kind exits 1" test $? -eq 1
check "wait-card with a bad kind names the error" grep -q "InvalidArgs" "$work/err"
pctl --reader NOPE wait-card >/dev/null 2>"$work/err"
check "unknown --reader exits 1" test $? -eq 1

# apdu over the bus and over a channel.
simctl icc insert
sleep 0.2
pctl apdu 80EE000004 >"$work/out"
check "apdu exits 0" test $? -eq 0
check "apdu prints the response" grep -q "^< 00010203 9000" "$work/out"
pctl --json apdu --channel 80EE000002 80EE000001 >"$work/out"
check "apdu --channel --json" grep -q '"response": "00019000", "sw": "9000"}, {"command": "80ee000001", "response": "009000"' "$work/out"
pctl apdu 00ZZ >/dev/null 2>&1
check "apdu with bad hex exits 2" test $? -eq 2
pctl apdu --slot nfc 80EE000001 >/dev/null 2>"$work/err"
check "apdu to an empty NFC field exits 1" test $? -eq 1
check "apdu to an empty NFC field says NoCard" grep -q "NoCard" "$work/err"

# Locked: refused, with the reason.
touch "$work/lock"
sleep 0.2
pctl status >"$work/out"
check "status shows the lock and its reason" grep -q "^Terminal: locked (test)" "$work/out"
check "status explains the reason" grep -q "^  test: The test lock file exists." "$work/out"
pctl apdu 80EE000001 >/dev/null 2>"$work/err"
check "apdu while locked exits 1" test $? -eq 1
check "apdu while locked says Locked" grep -q "org.posreader1.Error.Locked" "$work/err"
rm -f "$work/lock"
sleep 0.2

# The Terminal's security commands (the daemon runs with the fixed test
# provisioning: terminal TEST-TERMINAL). PINs go in on stdin only.
echo 918273 | pctl pin verify >"$work/out" 2>"$work/err"
check "a wrong PIN exits 1" test $? -eq 1
check "a wrong PIN says how many retries are left" grep -q "^PIN wrong; 2 retries left" "$work/out"
pctl --json status >"$work/out"
check "status --json shows the PIN retries" grep -q '"operator_pin_retries": 2' "$work/out"
echo 12ab | pctl pin verify >/dev/null 2>"$work/err"
check "a malformed PIN exits 1" test $? -eq 1
check "a malformed PIN is InvalidArgs" grep -q "org.posreader1.Error.InvalidArgs" "$work/err"
pctl pin verify </dev/null >/dev/null 2>&1
check "pin verify without a PIN on stdin exits 2" test $? -eq 2
pctl --json status >"$work/out"
check "a malformed PIN is not counted" grep -q '"operator_pin_retries": 2' "$work/out"
pctl --json unlock-challenge >"$work/out"
check "unlock-challenge --json" grep -Eq '^\{"terminal_id": "TEST-TERMINAL", "challenge": "[0-9a-f]{64}"\}$' "$work/out"
printf '5052544b01\n' >"$work/junk.tok"
pctl apply-token "$work/junk.tok" >/dev/null 2>"$work/err"
check "a malformed token exits 1" test $? -eq 1
check "a malformed token is named" grep -q "InvalidToken" "$work/err"
pctl selftest >"$work/out"
check "selftest exits 0" test $? -eq 0
check "selftest lists the key store check" grep -q "^keystore *pass" "$work/out"
pctl audit >"$work/out"
check "audit exits 0" test $? -eq 0
check "audit says the chain is intact" grep -q "^Audit chain: intact" "$work/out"
check "audit lists the rejected PIN" grep -q "pin-rejected.*operator, failure 1 of 3" "$work/out"
check "audit lists the refused token" grep -q "token-refused" "$work/out"
echo 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff |
	pctl pair CTL-1 000000 >/dev/null 2>"$work/err"
check "pair with a wrong KCV exits 1" test $? -eq 1
check "pair with a wrong KCV says so" grep -q "key check value does not match" "$work/err"

# monitor sees events, with --json, and stops at --timeout.
pctl --json monitor --timeout 1500 >"$work/mon" &
mon_pid=$!
sleep 0.3
simctl icc remove
simctl nfc tap
wait "$mon_pid"
check "monitor exits 0 at its timeout" test $? -eq 0
check "monitor saw CardRemoved" grep -q '"event": "CardRemoved", "reader": "CTL-1"' "$work/mon"
check "monitor saw TagDetected" grep -q '"event": "TagDetected".*"uid": "04a1b2c3d4e5f6"' "$work/mon"

# A simulator named with "sim =" is attached whenever it comes up.
"$sim" --socket "$work/late.sock" --control "$work/late-ctl" --serial LATE-1 \
	>/dev/null 2>&1 &
late_pid=$!
pids+=($late_pid)
for _ in $(seq 100); do
	pctl --json readers 2>/dev/null | grep -q '"LATE-1"' && break
	sleep 0.05
done
pctl --json readers >"$work/out"
check "a simulator started later is attached" grep -q '"serial": "LATE-1"' "$work/out"
pctl wait-card --timeout 100 >/dev/null 2>"$work/err"
check "two readers and no --reader exits 1" test $? -eq 1
check "two readers and no --reader says so" grep -q "choose one with --reader" "$work/err"
kill "$late_pid"
wait "$late_pid" 2>/dev/null
for _ in $(seq 100); do
	pctl --json readers 2>/dev/null | grep -q '"LATE-1"' || break
	sleep 0.05
done
pctl --json readers >"$work/out"
check "a simulator that exits is gone" bash -c "! grep -q LATE-1 '$work/out'"

# Two more wrong PINs lock the terminal for a while: status says why, how
# it can be lifted and when (the reason's details, read from its a{sv}).
for _ in 1 2; do echo 918273 | pctl pin verify >/dev/null 2>&1; done
pctl status >"$work/out"
check "status names the PIN lockout" grep -q "^  operator-pin-lockout: " "$work/out"
check "status says when the lockout ends" grep -Eq "^    unlocks in [0-9]+ (min|s)" "$work/out"
pctl --json status >"$work/out"
check "status --json gives the lockout's kind and time left" \
	grep -Eq '"id": "operator-pin-lockout".*"kind": "[a-z-]+".*"remaining_s": [1-9][0-9]*, "until_us": [1-9]' "$work/out"

"$daemon" --config "$work/posreaderd.conf" --bus system --frobnicate \
	>/dev/null 2>&1
check "posreaderd refuses an unknown option" test $? -ne 0
printf 'speed = 3\n' >"$work/bad.conf"
"$daemon" --config "$work/bad.conf" 2>"$work/err"
check "posreaderd refuses a bad config file" test $? -ne 0
check "posreaderd names the bad config line" grep -q "bad.conf:1: unknown key" "$work/err"
check "no clear PAN in the daemon log" bash -c "! grep -q 4111111111111111 '$work/daemon.log'"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
