#!/bin/bash
# libnfc's nfc-poll against the emulated PN532: the chip polls an empty
# field (InAutoPoll), a card is tapped while it waits and gets listed,
# libnfc then watches the card (ISO 14443-4 presence checks through
# InCommunicateThru) until it is taken away, and nfc-poll ends cleanly.
#
# usage: test-pn532-nfc-poll.sh PATH-TO-posreader-pn532-emu
set -euo pipefail
EMU=$1
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/test-pn532-common.sh"
need_tool nfc-poll libnfc-examples

start_emu --no-tag

wait_for() {	# wait_for FILE PATTERN WHAT
	for _ in $(seq 200); do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.05
	done
	fail "timed out waiting for $3"
}

LIBNFC_AUTO_SCAN=false LIBNFC_INTRUSIVE_SCAN=false LIBNFC_LOG_LEVEL=1 \
	LIBNFC_DEVICE="pn532_uart:$slave" \
	timeout "$LIBNFC_TIMEOUT" nfc-poll >"$tmp/out" 2>"$tmp/err" &
poll_pid=$!

wait_for "$tmp/emu.log" "InAutoPoll: no card yet" "nfc-poll to start polling"
grep -q 'target:' "$tmp/out" && fail "a target was reported before the tap"
pass "nfc-poll waits on an empty field"

ctl tag present
wait_for "$tmp/out" "Waiting for card removing" "the card to be reported"
has_line "ATQA (SENS_RES): 00  04" || fail "ATQA is not 00 04"
has_line "UID (NFCID3): 08  12  34  56" || fail "UID is not 08 12 34 56"
has_line "SAK (SEL_RES): 20" || fail "SAK is not 20"
has_line "ATS: 78  80  70  02" || fail "ATS is not 78 80 70 02"
pass "the tapped card is listed with its UID, ATQA, SAK and ATS"

# libnfc keeps checking presence while the card stays.
sleep 0.5
kill -0 "$poll_pid" 2>/dev/null || fail "nfc-poll stopped while the card was there"
pass "nfc-poll sees the card stay in the field"

ctl tag absent
rc=0
wait "$poll_pid" || rc=$?
[[ $rc -ne 124 ]] || fail "nfc-poll did not notice the removal"
[[ $rc -eq 0 ]] || fail "nfc-poll exited $rc"
grep -qF "Waiting for card removing...done." "$tmp/out" ||
	fail "nfc-poll did not finish normally"
err_has "Target Released" || fail "libnfc did not report the target gone"
emu_alive "after nfc-poll"
pass "taking the card away ends nfc-poll cleanly"

stop_emu
pass "emulator stops cleanly"
