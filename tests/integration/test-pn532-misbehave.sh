#!/bin/bash
# Each scripted misbehaviour of the emulated PN532 makes libnfc fail with
# a clear error; the emulator keeps running and the next nfc-list gets a
# correct listing. Also: a host killed mid-command does not wedge the
# port for the next one.
#
# usage: test-pn532-misbehave.sh PATH-TO-posreader-pn532-emu
set -euo pipefail
EMU=$1
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/test-pn532-common.sh"
need_tool nfc-list libnfc-bin

# shellcheck disable=SC2119 # default card, no options
start_emu

good_listing() {
	libnfc_run nfc-list -t 1
	expect_listing "08  12  34  56" "00  04" "20" "78  80  70  02"
	emu_alive "after $1"
}

# What libnfc 1.8.0 says when the first answer of a session is spoiled;
# an empty entry means it only reports the failed open.
declare -A open_msg=(
	[bad-lcs]="Length checksum mismatch"
	[bad-dcs]="Data checksum mismatch"
	[error-frame]="Application level error detected"
	[nack-storm]="Unexpected PN53x reply!"
	[truncated]=""
	[silence]=""
	[mute]=""
)

for mode in bad-lcs bad-dcs error-frame nack-storm truncated silence mute; do
	# Spoil the first command libnfc sends (SAMConfiguration at wake-up).
	ctl misbehave "$mode"
	libnfc_run nfc-list -t 1
	[[ $rc -eq 0 ]] || fail "$mode: nfc-list exited $rc"
	err_has "Unable to open NFC device" ||
		fail "$mode: nfc-list did not report the failed open"
	if [[ -n "${open_msg[$mode]}" ]]; then
		err_has "${open_msg[$mode]}" ||
			fail "$mode: libnfc did not say '${open_msg[$mode]}'"
	fi
	grep -q 'target:' "$tmp/out" && fail "$mode: a target was listed"
	emu_alive "$mode at open"
	grep -qF "misbehaving on SAMConfiguration: $mode" "$tmp/emu.log" ||
		fail "$mode: the emulator did not log its misbehaviour"
	good_listing "$mode at open"
	pass "$mode at open: clear libnfc error, then a correct listing"
done

# Mid-session: spoil InListPassiveTarget (0x4a). libnfc drops the poll,
# nfc-list carries on and finishes; the tag is simply not listed.
declare -A mid_msg=(
	[bad-lcs]="Length checksum mismatch"
	[bad-dcs]="Data checksum mismatch"
	[error-frame]="Application level error detected"
	[nack-storm]="Unexpected PN53x reply!"
	[truncated]=""
	[silence]=""
)
for mode in bad-lcs bad-dcs error-frame nack-storm truncated silence; do
	ctl misbehave "$mode" 4a
	libnfc_run nfc-list -t 1
	[[ $rc -eq 0 ]] || fail "$mode on 4a: nfc-list exited $rc"
	has_line "NFC device: user defined device opened" ||
		fail "$mode on 4a: the device did not open"
	grep -q 'target:' "$tmp/out" && fail "$mode on 4a: a target was listed"
	if [[ -n "${mid_msg[$mode]}" ]]; then
		err_has "${mid_msg[$mode]}" ||
			fail "$mode on 4a: libnfc did not say '${mid_msg[$mode]}'"
	fi
	good_listing "$mode on InListPassiveTarget"
	pass "$mode on InListPassiveTarget: poll fails, next listing correct"
done

# A storm on SAMConfiguration (0x14, sent once per session at wake-up)
# that lasts two sessions, then stops by itself.
ctl misbehave nack-storm 14 2
for i in 1 2; do
	libnfc_run nfc-list -t 1
	err_has "Unexpected PN53x reply!" || fail "storm session $i not hit"
	err_has "Unable to open NFC device" || fail "session $i opened"
done
good_listing "a two-session NACK storm"
pass "counted misbehaviour on one command code ends by itself"

# Host killed while the chip polls (InAutoPoll, empty field): the
# emulator notices the close, drops the poll, and serves the next host.
need_tool nfc-poll libnfc-examples
ctl tag absent
# No timeout(1) wrapper here: the SIGKILL must reach nfc-poll itself.
# Left alone, nfc-poll gives up by itself after 36 s.
LIBNFC_AUTO_SCAN=false LIBNFC_DEVICE="pn532_uart:$slave" \
	nfc-poll >/dev/null 2>&1 &
poll_pid=$!
for _ in $(seq 100); do
	grep -q "InAutoPoll: no card yet" "$tmp/emu.log" && break
	sleep 0.05
done
grep -q "InAutoPoll: no card yet" "$tmp/emu.log" || fail "nfc-poll never polled"
kill -KILL "$poll_pid"
wait "$poll_pid" 2>/dev/null || true
ctl tag present
for _ in $(seq 100); do
	grep -q "host closed" "$tmp/emu.log" && break
	sleep 0.05
done
good_listing "a host killed mid-command"
grep -q "InAutoPoll abandoned" "$tmp/emu.log" ||
	fail "the emulator did not drop the killed host's poll"
pass "a host killed mid-command leaves the port usable"

stop_emu
pass "emulator stops cleanly"
