#!/bin/bash
# A hostile reader: every misbehaviour mode makes posreader-probe report
# a protocol error (exit 3) naming what was wrong, or a timeout (exit 2)
# for silence; the simulator and the probe keep working afterwards.
# usage: test-sim-misbehave.sh POSREADER_SIM POSREADER_PROBE
. "$(dirname "$0")/test-sim-lib.sh"

start_sim

# mode  expected-exit  what stderr must say
cases=(
	"bad-crc 3 frame CRC mismatch"
	"unknown-type 3 unknown frame type"
	"truncated 3 frame truncated"
	"oversize 3 payload length above maximum"
	"lying-length 3 bytes after frame CRC"
	"garbage 3 dropped 1 invalid frame"
	"reserved-bits 3 reserved field not zero"
	"wrong-seq 3 ignored 1 unexpected response"
	"wrong-type 3 ignored 1 unexpected response"
	"silence 2 timeout: no valid response"
)

for c in "${cases[@]}"; do
	read -r mode want msg <<<"$c"
	step "misbehave $mode"
	ctl misbehave "$mode"
	probe_rc info
	expect_rc "$want" "info with misbehave $mode"
	grep -qF -- "$msg" "$ERR" || fail "$mode: stderr lacks '$msg'"
	kill -0 "$SIM_PID" || fail "simulator died after $mode"
	probe info
	expect_line '^serial: SIM0001$'
done

step "flood: junk events are dropped and counted, the answer still comes"
ctl misbehave flood count=200
probe_rc info
expect_rc 3 "info after a flood"
expect_line '^serial: SIM0001$'
expect_line 'dropped 200 invalid frame' "$ERR"
probe info

step "count=N misbehaves N times, then stops; off stops at once"
ctl misbehave bad-crc count=2
probe_rc status
expect_rc 3 "first of two"
probe_rc status
expect_rc 3 "second of two"
probe status
ctl misbehave garbage count=50
ctl misbehave off
probe status

step "the reader survives a host that sends garbage"
python3 - "$TMP/reader.sock" <<'PY' || fail "could not send junk"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
for junk in (b"", b"\x50", b"\x50\x01\x00\x00\xff\xff\x00\x00", b"x" * 3000):
    s.send(junk)
s.close()
PY
wait_host none
ctl status
expect_line 'frames-bad=[1-9]'
probe info

step "the control socket survives an endless line and binary junk"
python3 - "$TMP/ctl.sock" >"$OUT" <<'PY' || fail "control socket misbehaved"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"x" * 5000 + b"\n" + b"\x00\xff\x50 junk\n" + b"status\n")
f = s.makefile("rb")
for _ in range(3):
    print(f.readline().decode("ascii", "replace").rstrip())
PY
[[ $(sed -n 1p "$OUT") == "error line too long" ]] ||
	fail "endless line not refused"
[[ $(sed -n 2p "$OUT") == error* ]] || fail "binary junk not refused"
[[ $(sed -n 3p "$OUT") == ok\ host=* ]] || fail "no status after junk"

stop_sim
echo "PASS"
