#!/bin/bash
# The contactless field: tap, poll, APDUs over ISO 14443-4, removal, and
# a poll that waits for a tap without blocking the reader.
# usage: test-sim-nfc.sh POSREADER_SIM POSREADER_PROBE
. "$(dirname "$0")/test-sim-lib.sh"

start_sim

step "poll with nobody there: no card, after the poll time"
t0=$(now_ms)
probe_rc nfc-poll 300
expect_rc 4 "poll with an empty field"
expect_line '^no card$'
elapsed=$(($(now_ms) - t0))
((elapsed >= 280)) || fail "poll answered after ${elapsed} ms, before 300"

step "tap, poll, SELECT the PPSE, remove"
"$PROBE" --socket "$TMP/reader.sock" watch --count 2 --timeout 5000 \
	>"$TMP/watch.out" 2>&1 &
watch_pid=$!
wait_host connected
ctl nfc tap uid=04112233445566
probe_rc apdu nfc 00A404000E325041592E5359532E444446303100
expect_rc 5 "second host during watch"
ctl nfc remove
wait $watch_pid || fail "watch for tap/remove failed"
expect_line '^event [0-9]+: nfc-present uid=04112233445566$' "$TMP/watch.out"
expect_line '^event [0-9]+: nfc-gone$' "$TMP/watch.out"
ctl nfc tap
probe nfc-poll 1000
expect_line '^protocol: iso14443a$'
expect_line '^uid: 04A1B2C3D4E5F6$'
expect_line '^sak: 20$'
probe status
expect_line '^nfc: present$'
probe apdu nfc 00A404000E325041592E5359532E444446303100
expect_line '^sw: 9000$'
expect_line '84 \(DF name\): .* "2PAY.SYS.DDF01"'
expect_line '4F \(application identifier\): A0000000031010$'
# The PSE is a contact-only directory.
probe apdu nfc 00A404000E315041592E5359532E444446303100
expect_line '^sw: 6A82$'
probe apdu nfc 00A4040007A000000003101000
expect_line '^sw: 9000$'
probe apdu nfc 00B2010C00
expect_line '5A \(PAN\): 411111\*\*\*\*\*\*1111$'
probe nfc-release
ctl nfc remove
probe_rc apdu nfc 00A404000E325041592E5359532E444446303100
expect_rc 4 "APDU with an empty field"
expect_line 'device status: no-card' "$ERR"

step "a tap during a poll answers it at once"
t0=$(now_ms)
"$PROBE" --socket "$TMP/reader.sock" nfc-poll 5000 >"$TMP/poll.out" 2>&1 &
poll_pid=$!
wait_host connected
sleep 0.3
# The reader still takes control commands while it polls.
ctl status
expect_line 'pending=yes'
ctl nfc tap uid=08A1B2C3
rc=0
wait $poll_pid || rc=$?
elapsed=$(($(now_ms) - t0))
[[ $rc -eq 0 ]] || fail "poll interrupted by a tap exited with $rc"
expect_line '^uid: 08A1B2C3$' "$TMP/poll.out"
((elapsed < 3000)) || fail "poll took ${elapsed} ms despite the tap"

step "control errors"
ctl_rc nfc tap
expect_rc 1 "second tap"
expect_line '^error nfc: a card is already in the field$'
ctl nfc remove
ctl_rc nfc tap uid=0102
expect_rc 1 "tap with a 2-byte UID"
probe_rc nfc-poll 6000
expect_rc 1 "poll longer than the protocol allows"

stop_sim
echo "PASS"
