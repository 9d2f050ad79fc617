#!/bin/bash
# libnfc's nfc-list against the emulated PN532: the tag it prints is the
# tag the emulator was told to present (4-, 7- and 10-byte UIDs), an
# empty field is reported as such, the emulator serves one session after
# another on the same pty, and it uses no CPU while idle.
#
# usage: test-pn532-nfc-list.sh PATH-TO-posreader-pn532-emu
set -euo pipefail
EMU=$1
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/test-pn532-common.sh"
need_tool nfc-list libnfc-bin

# Default card, full nfc-list scan (all ten modulations, as a user runs it).
start_emu
libnfc_run nfc-list
expect_listing "08  12  34  56" "00  04" "20" "78  80  70  02"
has_line "NFC device: user defined device opened" ||
	fail "nfc-list did not open the emulated device"
pass "nfc-list shows the default 4-byte-UID ISO 14443-4 card"

# Same emulator, same pty, next session: a 7-byte UID card without ATS.
ctl uid 04a1b2c3d4e5f6
ctl atqa 0044
ctl sak 00
ctl ats none
libnfc_run nfc-list -t 1
expect_listing "04  a1  b2  c3  d4  e5  f6" "00  44" "00"
pass "7-byte UID, ATQA 00 44, SAK 00 after a reconfiguration"

# Triple-size UID.
ctl uid 04112233445566778899
ctl sak 20
ctl ats 757781028002f0
libnfc_run nfc-list -t 1
expect_listing "04  11  22  33  44  55  66  77  88  99" "00  44" "20" \
	"75  77  81  02  80  02  f0"
pass "10-byte UID with a 7-byte ATS"

# Bad control input is refused and changes nothing.
for bad in "uid 0411" "uid 88aabbccddeeff" "atqa 00" "sak zz" "tag maybe" \
	"misbehave sometimes" "remove-after -1" "frobnicate"; do
	if reply=$("$EMU" --control "$tmp/ctl" --send "$bad"); then
		fail "control accepted '$bad'"
	fi
	[[ $reply == error:* ]] || fail "no error line for '$bad': $reply"
done
libnfc_run nfc-list -t 1
expect_listing "04  11  22  33  44  55  66  77  88  99" "00  44" "20" \
	"75  77  81  02  80  02  f0"
pass "malformed control commands are refused and change nothing"
emu_alive "after bad control input"

# A 7-byte UID given on the command line.
stop_emu
start_emu --uid 04:de:ad:be:ef:00:01 --atqa 0044 --sak 00 --ats none
libnfc_run nfc-list -t 1
expect_listing "04  de  ad  be  ef  00  01" "00  44" "00"
pass "7-byte UID card from command-line options"

# No card in the field: listed as zero targets, clean exit, fast.
ctl tag absent
start=$(date +%s%N)
libnfc_run nfc-list -v
expect_no_target
elapsed=$((($(date +%s%N) - start) / 1000000))
[[ $elapsed -lt 5000 ]] || fail "empty-field listing took ${elapsed} ms"
pass "empty field: nfc-list reports 0 targets and exits 0 (${elapsed} ms)"

# The card comes back: the same emulator lists it again.
ctl tag present
libnfc_run nfc-list -t 1
expect_listing "04  de  ad  be  ef  00  01" "00  44" "00"
pass "card back in the field is listed again"

# Idle: no busy loop. Over two seconds the emulator may use at most one
# clock tick of CPU time (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$emu_pid/stat"
}
before=$(cpu_ticks)
sleep 2
after=$(cpu_ticks)
[[ $((after - before)) -le 1 ]] ||
	fail "emulator used $((after - before)) ticks of CPU while idle"
pass "idle emulator uses no CPU ($((after - before)) ticks in 2 s)"

# Invalid options are refused with a clear message and a failure status.
for opt in "--uid 0102" "--atqa 1" "--sak 1234" "--misbehave loud" \
	"--remove-after x" "--bogus"; do
	# shellcheck disable=SC2086
	if "$EMU" $opt >"$tmp/out" 2>"$tmp/err"; then
		fail "emulator accepted '$opt'"
	fi
	[[ -s "$tmp/err" ]] || fail "no message for '$opt'"
done
pass "invalid options are refused with a message"

stop_emu
pass "emulator stops cleanly"
