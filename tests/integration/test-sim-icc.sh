#!/bin/bash
# The contact slot end to end: insert, power on, ATR, the scripted card
# application (SELECT, READ RECORD, GET DATA, VERIFY with its try
# counter), extended-length APDUs up to the frame limit, and removal.
# usage: test-sim-icc.sh POSREADER_SIM POSREADER_PROBE
. "$(dirname "$0")/test-sim-lib.sh"

start_sim

# Hex of n bytes of the ECHO pattern (byte i is i mod 256).
pattern_hex() {
	local i

	for ((i = 0; i < $1; i++)); do
		printf '%02X' $((i % 256))
	done
}

step "no card, then an unpowered card"
probe_rc apdu icc 80CA9F1700
expect_rc 4 "APDU with an empty slot"
expect_line 'device status: no-card' "$ERR"
"$PROBE" --socket "$TMP/reader.sock" watch --count 1 --timeout 5000 \
	>"$TMP/watch.out" 2>&1 &
watch_pid=$!
wait_host connected
ctl icc insert
wait $watch_pid || fail "no insert event"
expect_line '^event [0-9]+: icc-inserted$' "$TMP/watch.out"
probe status
expect_line '^icc: present$'
probe_rc apdu icc 80CA9F1700
expect_rc 4 "APDU before power on"
expect_line 'device status: not-powered' "$ERR"

step "power on gives the ATR"
probe icc-on
expect_line '^atr: 3B06504F5353494D$'
probe status
expect_line '^icc: powered$'

step "SELECT the PSE and read its directory"
probe apdu icc 00A404000E315041592E5359532E444446303100
expect_line '^sw: 9000$'
expect_line '84 \(DF name\): 315041592E5359532E4444463031 "1PAY.SYS.DDF01"'
probe apdu icc 00B2010C00
expect_line '^sw: 9000$'
expect_line '4F \(application identifier\): A0000000031010$'

step "SELECT an unknown application"
probe apdu icc 00A4040007A000000099999900
expect_line '^sw: 6A82$'
expect_line '^length: 0$'

step "SELECT the payment application and READ RECORD (masked)"
probe apdu icc 00A4040007A000000003101000
expect_line '^sw: 9000$'
expect_line '50 \(application label\): 5649534120435245444954 "VISA CREDIT"'
probe apdu icc 00B2010C00
expect_line '^sw: 9000$'
expect_line '5A \(PAN\): 411111\*\*\*\*\*\*1111$'
expect_line '57 \(track 2 equivalent data\): pan=411111\*\*\*\*\*\*1111 expiry=2912 service-code=101$'
expect_line '5F24 \(expiry date\): 291231$'
expect_line '5F20 \(cardholder name\): .* "TEST/CARDHOLDER"$'

step "VERIFY: wrong PIN counts down, then the PIN is blocked"
probe apdu icc 80CA9F1700
expect_line '9F17 \(PIN try counter\): 03$'
probe apdu icc 0020008008249999FFFFFFFFFF
expect_line '^sw: 63C2$'
probe apdu icc 0020008008249999FFFFFFFFFF
expect_line '^sw: 63C1$'
probe apdu icc 0020008008249999FFFFFFFFFF
expect_line '^sw: 63C0$'
probe apdu icc 0020008008249999FFFFFFFFFF
expect_line '^sw: 6983$'
# Blocked stays blocked, even for the right PIN.
probe apdu icc 0020008008241234FFFFFFFFFF
expect_line '^sw: 6983$'
ctl status
expect_line 'pin-tries=0'
check_no_clear_pan "$OUT"

step "VERIFY: right PIN resets the counter"
ctl pin-tries 3
probe apdu icc 0020008008249999FFFFFFFFFF
expect_line '^sw: 63C2$'
probe apdu icc 0020008008241234FFFFFFFFFF
expect_line '^sw: 9000$'
probe apdu icc 80CA9F1700
expect_line '9F17 \(PIN try counter\): 03$'
ctl pin 246810
probe apdu icc 0020008008241234FFFFFFFFFF
expect_line '^sw: 63C2$'
probe apdu icc 002000800826246810FFFFFFFF
expect_line '^sw: 9000$'
probe_rc apdu icc 0020008008zz
expect_rc 1 "APDU that is not hex"

step "extended ECHO of 261 bytes"
probe apdu icc 80EE0000000105
expect_line '^sw: 9000$'
expect_line '^length: 261$'
expect_line "^data: $(pattern_hex 261)\$"

step "the largest answer and the largest command a frame carries"
probe apdu icc 80EE00000003FE
expect_line '^length: 1022$'
expect_line "^data: $(pattern_hex 1022)\$"
probe apdu icc 80EE00000003FF
expect_line '^sw: 6700$'
# Case 4 extended: 7 header bytes + 1013 data + 2 Le = 1022 bytes.
probe apdu icc "80EE00000003F5$(printf 'AB%.0s' $(seq 1013))0005"
expect_line '^sw: 9000$'
expect_line '^data: 0001020304$'
probe_rc apdu icc "80EE00000003F6$(printf 'AB%.0s' $(seq 1014))0005"
expect_rc 1 "APDU longer than a frame holds"

step "unknown instruction and class"
probe apdu icc 0042000000
expect_line '^sw: 6D00$'
probe apdu icc 94A4040000
expect_line '^sw: 6E00$'

step "power off and removal"
probe icc-off
probe_rc apdu icc 80CA9F1700
expect_rc 4 "APDU after power off"
ctl icc remove
probe status
expect_line '^icc: absent$'
ctl_rc icc remove
expect_rc 1 "removing from an empty slot"
ctl icc insert atr=3B8F8001804F0CA000000306030001000000006A
probe icc-on
expect_line '^atr: 3B8F8001804F0CA000000306030001000000006A$'

stop_sim
echo "PASS"
