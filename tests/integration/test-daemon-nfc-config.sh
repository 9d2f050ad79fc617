#!/bin/bash
# posreaderd's libnfc configuration: an "nfc = CONNSTRING" key in the
# config file, --nfc-scan picking up what nfc_list_devices() reports
# (here a libnfc user-defined device, LIBNFC_DEVICE), bad values refused
# with the file and line, and devices that are not there logged clearly
# while the daemon keeps serving.
#
# usage: test-daemon-nfc-config.sh POSREADERD POSREADERCTL PN532_EMU
set -euo pipefail

daemon=${1:?usage: $0 POSREADERD POSREADERCTL PN532_EMU}
ctl=${2:?}
emu=${3:?}

command -v dbus-daemon >/dev/null || { echo "SKIP: no dbus-daemon"; exit 77; }
# Scratch terminals with the fixed test keys (a test hook).
export POSREADER_TEST_PROVISION=1
# The worker program built beside this posreaderd, unless one is given.
export POSREADER_NFC_WORKER=${POSREADER_NFC_WORKER:-$(dirname "$daemon")/posreader-nfc-worker}
for f in "$daemon" "$POSREADER_NFC_WORKER" "$ctl" "$emu"; do
	[[ -x "$f" ]] || { echo "FAIL: $f is missing"; exit 1; }
done

# shellcheck source=SCRIPTDIR/../../tools/private-bus.sh
source "$(dirname "$0")/../../tools/private-bus.sh"
# Stopped newest first: the daemon goes before the emulators it uses.
private_bus_setup /tmp/posreader-nfc-config.XXXXXX

fail() {
	echo "FAIL: $*"
	[[ -f "$work/daemon.log" ]] && sed 's/^/  log: /' "$work/daemon.log"
	exit 1
}

# A session-type bus: the daemon may own its name there.
private_bus_start /dev/null --session --address="unix:path=$work/bus" ||
	fail "dbus-daemon did not start"

start_emu() { # NAME
	"$emu" --quiet --no-tag --path-file "$work/$1.pty" \
		--control "$work/$1.ctl" &
	pids+=($!)
	for _ in $(seq 100); do
		[[ -s "$work/$1.pty" ]] && break
		sleep 0.05
	done
	[[ -s "$work/$1.pty" ]] || fail "emulator $1 did not start"
}
start_emu a
start_emu b
emu_b_pid=${pids[-1]}
pty_a=$(head -n1 "$work/a.pty")
ln -s "$(head -n1 "$work/b.pty")" "$work/b.link"

nfc_readers() {
	"$ctl" --bus "$address" --json readers 2>/dev/null |
		grep -o '"transport": *"nfc"' | wc -l
}

# 1. Bad values: refused at start-up, naming the file and line.
printf 'nfc-scan = sometimes\n' >"$work/bad.conf"
if "$daemon" --bus "$address" --config "$work/bad.conf" \
	--state-dir "$work/state" --log stderr 2>"$work/daemon.log"; then
	fail "a bad nfc-scan value was accepted"
fi
grep -q "bad.conf:1" "$work/daemon.log" || fail "no file:line for nfc-scan"
echo "ok: nfc-scan = sometimes is refused with file and line"
if "$daemon" --bus "$address" --nfc "" --state-dir "$work/state" \
	--log stderr 2>"$work/daemon.log"; then
	fail "an empty --nfc was accepted"
fi
grep -q -- '--nfc' "$work/daemon.log" || fail "no message for --nfc ''"
echo "ok: an empty --nfc is refused"

# 2. The config key, the scan, and two devices that are not there.
cat >"$work/good.conf" <<EOF
# one reader named here, one found by the scan
nfc = pn532_uart:$pty_a
nfc-scan = yes
EOF
LIBNFC_AUTO_SCAN=false LIBNFC_INTRUSIVE_SCAN=false \
	LIBNFC_DEVICE="pn532_uart:$work/b.link" \
	"$daemon" --bus "$address" --config "$work/good.conf" \
	--nfc pn532_uart:"$work/no-such-tty" --nfc nosuchdriver:x \
	--state-dir "$work/state" --log stderr 2>"$work/daemon.log" &
daemon_pid=$!
pids+=($daemon_pid)
for _ in $(seq 200); do
	[[ $(nfc_readers) -ge 2 ]] && break
	sleep 0.05
done
[[ $(nfc_readers) -eq 2 ]] || fail "expected 2 nfc readers, got $(nfc_readers)"
echo "ok: the configured and the scanned device are both readers"
grep -q "1 device(s) found by libnfc" "$work/daemon.log" ||
	fail "the scan did not report its device"
grep -q "nfc pn532_uart:$work/no-such-tty: cannot open $work/no-such-tty: No such file" \
	"$work/daemon.log" || fail "no clear error for a missing port"
grep -q "nfc nosuchdriver:x: libnfc cannot open the device" \
	"$work/daemon.log" || fail "no clear error for an unknown driver"
echo "ok: absent devices are logged clearly"
kill -0 "$daemon_pid" || fail "the daemon died"

# libnfc runs in worker programs of their own, never in the daemon: the
# code that parses what a device sends shares no memory with the keys.
grep -q libnfc "/proc/$daemon_pid/maps" && fail "posreaderd maps libnfc"
workers=0
worker_exe=$(readlink -f "$POSREADER_NFC_WORKER")
for child in $(pgrep -P "$daemon_pid"); do
	[[ $(readlink "/proc/$child/exe") == "$worker_exe" ]] ||
		fail "child $child of posreaderd is $(readlink "/proc/$child/exe")"
	grep -q libcrypto "/proc/$child/maps" && fail "a worker maps libcrypto"
	workers=$((workers + 1))
done
[[ $workers -eq 2 ]] || fail "expected 2 nfc workers, found $workers"
echo "ok: each device has a worker program; posreaderd has no libnfc"

# Absent devices are retried on a backoff timer, quietly: a few seconds
# later there is no second warning for them.
sleep 3
n=$(grep -c "no-such-tty: cannot open" "$work/daemon.log" || true)
[[ $n -eq 1 ]] || fail "the missing port was reported $n times"
echo "ok: an absent device is reported once, not on every retry"

# 3. A scanned device that goes away comes back: the scan runs again
# while it is missing. The emulator's new pty is reached through the
# symlink LIBNFC_DEVICE names.
# The link first: the freed pty may soon be another test's.
rm -f "$work/b.link"
kill "$emu_b_pid"
wait "$emu_b_pid" 2>/dev/null || true
for _ in $(seq 200); do
	[[ $(nfc_readers) -eq 1 ]] && break
	sleep 0.05
done
[[ $(nfc_readers) -eq 1 ]] || fail "the scanned reader did not go away"
echo "ok: the scanned reader left with its device"
rm -f "$work/b.pty"
start_emu b
ln -s "$(head -n1 "$work/b.pty")" "$work/b.link"
for _ in $(seq 400); do
	[[ $(nfc_readers) -eq 2 ]] && break
	sleep 0.05
done
[[ $(nfc_readers) -eq 2 ]] || fail "the scanned reader did not come back"
echo "ok: the scanned reader came back with its device"

kill "$daemon_pid"
wait "$daemon_pid" || fail "the daemon did not exit cleanly"
grep -q "exiting" "$work/daemon.log" || fail "no clean exit"
echo "ok: clean exit with workers running"

# 4. A worker program that cannot be run is an error that says so; the
# daemon keeps serving.
POSREADER_NFC_WORKER="$work/no-such-worker" \
	"$daemon" --bus "$address" --nfc pn532_uart:"$pty_a" --nfc-scan \
	--state-dir "$work/state" --log stderr 2>"$work/daemon.log" &
daemon_pid=$!
pids+=($daemon_pid)
for _ in $(seq 100); do
	grep -q "the worker program could not be run" "$work/daemon.log" &&
		break
	sleep 0.05
done
grep -q "nfc pn532_uart:$pty_a: the worker program could not be run" \
	"$work/daemon.log" || fail "no clear error for a missing worker program"
grep -q "nfc: listing devices failed: the worker program could not be run" \
	"$work/daemon.log" || fail "no clear error for a scan without the worker"
"$ctl" --bus "$address" status >/dev/null ||
	fail "the daemon does not answer without its worker program"
[[ $(nfc_readers) -eq 0 ]] || fail "an nfc reader appeared without a worker"
kill "$daemon_pid"
wait "$daemon_pid" || fail "the daemon did not exit cleanly"
echo "ok: a missing worker program is reported; the daemon keeps serving"
