#!/bin/bash
# A slow reader: answers delayed by "latency" arrive late but within the
# host's timeout, a delay beyond it gives a timeout, and events still
# flow while an answer is delayed.
# usage: test-sim-latency.sh POSREADER_SIM POSREADER_PROBE
. "$(dirname "$0")/test-sim-lib.sh"

start_sim
ctl icc insert
probe icc-on

step "latency 4000: the APDU answer comes after 4 s, within the 10 s timeout"
ctl latency 4000
t0=$(now_ms)
probe apdu icc 80CA9F1700
elapsed=$(($(now_ms) - t0))
expect_line '^sw: 9000$'
((elapsed >= 4000)) || fail "answer after ${elapsed} ms, expected >= 4000"
((elapsed < 10000)) || fail "answer after ${elapsed} ms, past the timeout"
ctl latency 0

step "events are not held back by a delayed answer"
ctl latency-once 2500
t0=$(now_ms)
"$PROBE" --socket "$TMP/reader.sock" -v apdu icc 80CA9F1700 \
	>"$TMP/slow.out" 2>"$TMP/slow.err" &
slow_pid=$!
wait_host connected
ctl swipe
ctl status
expect_line 'pending=yes'
wait $slow_pid || fail "delayed APDU failed"
elapsed=$(($(now_ms) - t0))
((elapsed >= 2000)) || fail "delayed answer came after only ${elapsed} ms"
grep -q '^sw: 9000$' "$TMP/slow.out" || fail "delayed APDU got no answer"
grep -q '(swipe event while waiting)' "$TMP/slow.err" ||
	fail "swipe event did not arrive during the delayed answer"
check_no_clear_pan "$TMP/slow.out" "$TMP/slow.err"

step "a delay past the host's timeout is a timeout (exit 2)"
ctl latency-once 1500
t0=$(now_ms)
probe_rc info
elapsed=$(($(now_ms) - t0))
expect_rc 2 "info slower than its 1000 ms timeout"
expect_line 'timeout' "$ERR"
((elapsed < 1400)) || fail "probe waited ${elapsed} ms for a 1000 ms timeout"

step "the next host gets a quick, correct answer"
wait_host none
probe info
expect_line '^serial: SIM0001$'

stop_sim
echo "PASS"
