# Shared by the test-sim-*.sh scripts: start a posreader-sim in a private
# directory, talk to it with "posreader-sim ctl" and posreader-probe, and
# check that no clear card data ever shows up in what they print.
# Sourced, not run. Arguments of the sourcing script: SIM PROBE.

set -euo pipefail

SIM=${1:?usage: $0 POSREADER_SIM POSREADER_PROBE}
PROBE=${2:?usage: $0 POSREADER_SIM POSREADER_PROBE}
# Card numbers the tests use; none may appear in clear anywhere.
CLEAR_PANS=(4111111111111111 5555555555554444)

TMP=$(mktemp -d)
SIM_PID=
OUT=$TMP/out
ERR=$TMP/err
RC=0

sim_cleanup() {
	if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap sim_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [[ -f $OUT ]]; then
		echo "--- last stdout:" >&2
		cat "$OUT" >&2
	fi
	if [[ -f $ERR ]]; then
		echo "--- last stderr:" >&2
		cat "$ERR" >&2
	fi
	exit 1
}

step() {
	echo "== $*"
}

# Fail if a file holds a clear PAN; never print the PAN itself.
check_no_clear_pan() {
	local f pan

	for f in "$@"; do
		[[ -f $f ]] || continue
		for pan in "${CLEAR_PANS[@]}"; do
			if grep -q "$pan" "$f"; then
				echo "FAIL: clear PAN found in $(basename "$f")" >&2
				exit 1
			fi
		done
	done
}

# start_sim [posreader-sim options...]
start_sim() {
	local i

	"$SIM" --socket "$TMP/reader.sock" --control "$TMP/ctl.sock" "$@" \
		2>>"$TMP/sim.log" &
	SIM_PID=$!
	for i in $(seq 100); do
		if "$SIM" ctl --control "$TMP/ctl.sock" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$SIM_PID" 2>/dev/null || fail "simulator did not start"
		sleep 0.05
	done
	fail "simulator control socket never answered"
}

# Stop the simulator through its control socket; it must exit cleanly
# and remove its sockets.
stop_sim() {
	local rc=0

	ctl quit
	wait "$SIM_PID" || rc=$?
	SIM_PID=
	[[ $rc -eq 0 ]] || fail "simulator exited with $rc"
	[[ ! -e $TMP/reader.sock && ! -e $TMP/ctl.sock ]] ||
		fail "simulator left its sockets behind"
	check_no_clear_pan "$TMP/sim.log"
}

# ctl WORDS...: run a control command that must succeed.
ctl() {
	"$SIM" ctl --control "$TMP/ctl.sock" "$@" >"$OUT" 2>"$ERR" ||
		fail "ctl $1 failed"
}

# ctl_rc WORDS...: run a control command, exit code in RC.
ctl_rc() {
	RC=0
	"$SIM" ctl --control "$TMP/ctl.sock" "$@" >"$OUT" 2>"$ERR" || RC=$?
}

# probe_rc ARGS...: run posreader-probe, exit code in RC, output in
# $OUT/$ERR, both checked for clear PANs.
probe_rc() {
	RC=0
	"$PROBE" --socket "$TMP/reader.sock" "$@" >"$OUT" 2>"$ERR" || RC=$?
	check_no_clear_pan "$OUT" "$ERR"
}

# probe ARGS...: run posreader-probe, which must succeed.
probe() {
	probe_rc "$@"
	[[ $RC -eq 0 ]] || fail "probe $1 exited with $RC"
}

expect_rc() {
	[[ $RC -eq $1 ]] || fail "$2: exit code $RC, expected $1"
}

# expect_line PATTERN [FILE]: an output line matches the extended regex.
expect_line() {
	grep -Eq -- "$1" "${2:-$OUT}" || fail "no line matching '$1'"
}

# Wait until the simulator reports a connected host (or none).
wait_host() {
	local want=${1:-connected} i

	for i in $(seq 100); do
		"$SIM" ctl --control "$TMP/ctl.sock" status >"$TMP/st" 2>&1 || true
		grep -q "host=$want" "$TMP/st" && return 0
		sleep 0.05
	done
	fail "host never became '$want'"
}

# Milliseconds since the epoch.
now_ms() {
	date +%s%3N
}
