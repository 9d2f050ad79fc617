#!/bin/bash
# Helpers shared by the test-pn532-*.sh tests: start the emulated PN532,
# talk to its control socket, run libnfc's tools against its pty.
# Sourced, not run. Expects EMU (path to posreader-pn532-emu).
#
# The emulated card carries no PAN or track data, so its listings and
# the emulator's log are safe to show when a test fails.

LIBNFC_TIMEOUT=${LIBNFC_TIMEOUT:-20}

need_tool() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "SKIP: $1 not installed (Debian package $2; tools/deps.sh check)"
		exit 77
	fi
}

if [[ ! -r /dev/ptmx || ! -w /dev/ptmx ]]; then
	echo "SKIP: no pseudo-terminals here (/dev/ptmx)"
	exit 77
fi

tmp=$(mktemp -d /tmp/test-pn532.XXXXXX)
emu_pid=

cleanup() {
	if [[ -n "$emu_pid" ]] && kill -0 "$emu_pid" 2>/dev/null; then
		kill "$emu_pid"
		wait "$emu_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
# Killed by a test timeout: still run the EXIT trap.
trap 'exit 143' TERM INT

fail() {
	echo "FAIL: $*"
	for f in out err; do
		[[ -s "$tmp/$f" ]] && { echo "--- libnfc tool std$f:"; cat "$tmp/$f"; }
	done
	[[ -s "$tmp/emu.log" ]] && { echo "--- emulator log (tail):"; tail -n 30 "$tmp/emu.log"; }
	exit 1
}

pass() {
	echo "ok: $*"
}

# start_emu [OPTIONS...]: start the emulator, set $slave to its pty.
start_emu() {
	rm -f "$tmp/pty"
	"$EMU" --path-file "$tmp/pty" --control "$tmp/ctl" "$@" \
		2>"$tmp/emu.log" &
	emu_pid=$!
	for _ in $(seq 250); do
		[[ -s "$tmp/pty" ]] && break
		kill -0 "$emu_pid" 2>/dev/null || fail "emulator exited at start"
		sleep 0.02
	done
	[[ -s "$tmp/pty" ]] || fail "emulator did not publish its pty"
	slave=$(cat "$tmp/pty")
	[[ -c "$slave" ]] || fail "emulator pty '$slave' is not a tty"
}

# ctl COMMAND...: one control command; fails the test unless it says ok.
ctl() {
	local reply
	reply=$("$EMU" --control "$tmp/ctl" --send "$*") ||
		fail "control command '$*' rejected: $reply"
}

# stop_emu: SIGTERM must end the emulator with status 0 (under the
# sanitizers a leak or error would make it non-zero).
stop_emu() {
	local status=0
	kill "$emu_pid"
	wait "$emu_pid" || status=$?
	emu_pid=
	[[ $status -eq 0 ]] || fail "emulator exited $status on SIGTERM"
	[[ ! -e "$tmp/ctl" && ! -e "$tmp/pty" ]] ||
		fail "emulator left its control socket or path file behind"
}

emu_alive() {
	kill -0 "$emu_pid" 2>/dev/null || fail "emulator died: $*"
}

# libnfc_run TOOL [ARGS...]: run a libnfc tool on the emulator's pty,
# hermetically (no USB autoscan), errors-only logging; stdout/stderr
# land in $tmp/out and $tmp/err; sets $rc.
libnfc_run() {
	rc=0
	LIBNFC_AUTO_SCAN=false LIBNFC_INTRUSIVE_SCAN=false \
		LIBNFC_LOG_LEVEL=1 LIBNFC_DEVICE="pn532_uart:$slave" \
		timeout "$LIBNFC_TIMEOUT" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[[ $rc -ne 124 ]] || fail "$1 hung (killed after ${LIBNFC_TIMEOUT}s)"
}

# has_line TEXT: $tmp/out has a line that is exactly TEXT once leading
# and trailing blanks are trimmed (nfc-list pads its columns).
has_line() {
	sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$tmp/out" |
		grep -qxF -- "$1"
}

err_has() {
	grep -qF -- "$1" "$tmp/err"
}

# expect_listing UID ATQA SAK [ATS]: nfc-list printed exactly this one
# ISO14443A target (bytes as nfc-list prints them, two spaces apart).
expect_listing() {
	local uid=$1 atqa=$2 sak=$3 ats=${4:-}

	[[ $rc -eq 0 ]] || fail "nfc-list exited $rc"
	has_line "1 ISO14443A passive target(s) found:" ||
		fail "nfc-list did not find exactly one ISO14443A target"
	has_line "ATQA (SENS_RES): $atqa" || fail "ATQA is not $atqa"
	if ! has_line "UID (NFCID1): $uid" && ! has_line "UID (NFCID3): $uid"; then
		fail "UID is not $uid"
	fi
	has_line "SAK (SEL_RES): $sak" || fail "SAK is not $sak"
	if [[ -n "$ats" ]]; then
		has_line "ATS: $ats" || fail "ATS is not $ats"
	else
		! grep -q 'ATS:' "$tmp/out" || fail "nfc-list shows an ATS"
	fi
	[[ $(grep -c 'target:' "$tmp/out") -eq 1 ]] ||
		fail "nfc-list listed more than one target"
}

# expect_no_target: nfc-list -v ran cleanly and saw no ISO14443A target.
expect_no_target() {
	[[ $rc -eq 0 ]] || fail "nfc-list exited $rc"
	has_line "0 ISO14443A passive target(s) found." ||
		fail "nfc-list did not report zero ISO14443A targets"
	! grep -q 'target:' "$tmp/out" || fail "nfc-list listed a target"
}
