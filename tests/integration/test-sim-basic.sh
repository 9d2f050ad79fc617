#!/bin/bash
# posreader-sim over its Unix socket, checked with posreader-probe:
# identity, swipes (masked only), tamper, authentication, LEDs, and the
# host connection's life cycle.
# usage: test-sim-basic.sh POSREADER_SIM POSREADER_PROBE
. "$(dirname "$0")/test-sim-lib.sh"

KEY=00112233445566778899aabbccddeeff0123456789abcdef
start_sim --serial PR-TEST-42 --firmware 2.7.1 --pairing-key "$KEY" \
	--caps magstripe,icc,nfc,auth

step "info reports the identity given on the command line"
probe info
expect_line '^serial: PR-TEST-42$'
expect_line '^firmware: 2\.7\.1$'
expect_line '^vendor: posreader$'
expect_line '^protocol: 1$'
expect_line '^caps: magstripe icc nfc auth$'

step "status of an idle reader"
probe status
expect_line '^icc: absent$'
expect_line '^nfc: absent$'
expect_line '^tamper: none$'

step "a swipe arrives masked, ASCII and raw alike"
"$PROBE" --socket "$TMP/reader.sock" watch --count 3 --timeout 5000 \
	>"$TMP/watch.out" 2>"$TMP/watch.err" &
watch_pid=$!
wait_host connected
ctl swipe
ctl swipe raw
ctl swipe raw error=1 track2=";5555555555554444=30125010000?"
rc=0
wait $watch_pid || rc=$?
cp "$TMP/watch.out" "$OUT"
cp "$TMP/watch.err" "$ERR"
check_no_clear_pan "$OUT" "$ERR"
[[ $rc -eq 0 ]] || fail "watch exited with $rc"
[[ $(wc -l <"$OUT") -eq 3 ]] || fail "expected 3 events"
want='swipe pan=411111\*\*\*\*\*\*1111 expiry=2912 service-code=101 name="TEST/CARDHOLDER" track1=ok track2=ok track3=empty$'
expect_line "^event 0: $want"
expect_line "^event 1: $want"
# The raw swipe decodes to exactly what the ASCII one said.
[[ "$(sed -n 1p "$OUT" | cut -d' ' -f3-)" == \
   "$(sed -n 2p "$OUT" | cut -d' ' -f3-)" ]] ||
	fail "raw and ASCII swipes decode differently"
expect_line '^event 2: swipe pan=555555\*\*\*\*\*\*4444 expiry=3012 service-code=501 track1=unreadable track2=ok track3=empty$'

step "bad track data is refused with a reason and no echo"
ctl_rc swipe track2="4111111111111111=29A2"
expect_rc 1 "swipe with a letter on track 2"
expect_line '^error swipe: track2: character not allowed on this track$'
check_no_clear_pan "$OUT"

step "authentication with the right and a wrong key"
probe auth "$KEY"
expect_line '^genuine: reader PR-TEST-42 holds the pairing key$'
probe_rc auth 000102030405060708090a0b0c0d0e0f
expect_rc 6 "auth with a wrong key"
expect_line '^NOT genuine'

step "LEDs are a capability this reader lacks"
probe_rc leds green buzzer=100
expect_rc 4 "leds without the capability"
expect_line 'device status: unsupported' "$ERR"

step "tamper: event, status, and refusal of card service"
"$PROBE" --socket "$TMP/reader.sock" watch --count 1 --timeout 5000 \
	>"$TMP/watch.out" 2>&1 &
watch_pid=$!
wait_host connected
ctl tamper cause=mesh
wait $watch_pid || fail "watch for tamper failed"
expect_line '^event [0-9]+: tamper cause=mesh$' "$TMP/watch.out"
probe status
expect_line '^tamper: mesh$'
ctl icc insert
probe_rc icc-on
expect_rc 4 "icc-on after tamper"
expect_line 'device status: tampered' "$ERR"
ctl_rc swipe
expect_rc 1 "swipe after tamper"
ctl tamper clear
probe icc-on

step "a second host is turned away; the first keeps working"
"$PROBE" --socket "$TMP/reader.sock" watch --timeout 5000 \
	>"$TMP/watch.out" 2>"$TMP/watch.err" &
watch_pid=$!
wait_host connected
probe_rc info
expect_rc 5 "second host"
expect_line 'closed the connection' "$ERR"
ctl swipe
sleep 0.2

step "disconnect drops the host; the next one finds the same state"
ctl disconnect
rc=0
wait $watch_pid || rc=$?
[[ $rc -eq 5 ]] || fail "watch after disconnect exited with $rc, expected 5"
check_no_clear_pan "$TMP/watch.out" "$TMP/watch.err"
grep -q '^event [0-9]*: swipe pan=411111' "$TMP/watch.out" ||
	fail "first host did not see the swipe"
wait_host none
probe status
expect_line '^icc: powered$'
ctl_rc disconnect
expect_rc 1 "disconnect with no host"

step "control errors"
ctl_rc frobnicate
expect_rc 1 "unknown control command"
expect_line '^error unknown command'
ctl_rc latency soon
expect_rc 1 "latency without a number"

stop_sim
echo "PASS"
