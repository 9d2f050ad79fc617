# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What the demo scripts share. Sourced, not run:
#
#   source "$top/tools/demo-lib.sh"  # $top: the source tree
#   demo_paths [BUILD_DIR]      # $build, $daemon, $ctl, $policy, and
#                               # POSREADER_NFC_WORKER exported
#   demo_require PROGRAM...     # stop unless each one is built
#   demo_require_dbus           # stop unless dbus-daemon is installed
#   demo_start_bus POLICY       # private bus (tools/private-bus.sh)
#   step TEXT...                # a "==" heading
#   show COMMAND...             # a command as typed
#
# $bold and $plain switch bold on and off, on a terminal only: `make demo
# > file` stays plain text.

bold=
plain=
if [[ -t 1 ]]; then
	bold=$(tput bold 2>/dev/null || true)
	plain=$(tput sgr0 2>/dev/null || true)
fi

# $build: BUILD_DIR (default build, under $top unless absolute); the
# daemon, posreaderctl and the bus policy the daemon demos use.
# shellcheck disable=SC2034,SC2154 # $top is the script's; it uses the rest
demo_paths() {
	build=${1:-build}
	case "$build" in /*) ;; *) build="$top/$build" ;; esac
	daemon="$build/daemon/posreaderd"
	# posreaderd runs this program for each libnfc device; the built one
	# here, not the installed one.
	export POSREADER_NFC_WORKER="$build/daemon/posreader-nfc-worker"
	ctl="$build/tools/ctl/posreaderctl"
	policy="$top/dbus/org.posreader1.conf"
}

# Stop unless every PROGRAM is there to run.
demo_require() {
	local f

	for f in "$@"; do
		if [[ ! -x "$f" ]]; then
			echo "demo: $f is missing; run 'make build' first" >&2
			exit 1
		fi
	done
}

# Stop unless the bus daemon is installed.
demo_require_dbus() {
	command -v dbus-daemon >/dev/null || {
		echo "demo: dbus-daemon is missing (apt-get install dbus-daemon)" >&2
		exit 1
	}
}

# Start a private system bus with POLICY (and introspection of the bus
# itself) in $work, after private_bus_setup; sets $address.
# shellcheck disable=SC2154 # $work and $address: tools/private-bus.sh
demo_start_bus() {
	private_bus_conf "$1" \
		'<allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>'

	step "Starting a private D-Bus system bus with the shipped policy"
	private_bus_start "$work/dbus.log" --config-file="$work/bus.conf" ||
		{ echo "demo: dbus-daemon did not start" >&2; exit 1; }
	echo "bus: $address"
}

step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
show() { printf '%s$ %s%s\n' "$bold" "$*" "$plain"; }
