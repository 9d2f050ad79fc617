# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# A private dbus-daemon for the scripts that run posreaderd (tests and
# demos). Sourced, not run:
#
#   source tools/private-bus.sh
#   private_bus_setup /tmp/NAME.XXXXXX  # $work, $pids, stop all on exit
#   private_bus_conf POLICY [XML...]    # $work/bus.conf, a system bus
#   private_bus_start LOG ARGS...       # dbus-daemon ARGS; sets $address
#
# Every other background process the script starts goes into pids too:
# on exit they are stopped newest first, then $work is removed.

# Make the scratch directory $work from a mktemp template; stop $pids
# and remove $work when the script exits.
private_bus_setup() {
	work=$(mktemp -d "$1")
	pids=()
	trap private_bus_cleanup EXIT
}

# Stop $pids, newest first (a daemon before what it uses), remove $work.
private_bus_cleanup() {
	local pid i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}

# Write $work/bus.conf: Debian's system-bus defaults, the extra XML lines
# given for the default context, then the policy posreaderd ships.
private_bus_conf() {
	local policy=$1 line extra=
	shift
	for line in "$@"; do
		extra+="    $line"$'\n'
	done
	cat >"$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
${extra}  </policy>
  <include>$policy</include>
</busconfig>
CONF
}

# Start dbus-daemon with ARGS (--config-file="$work/bus.conf", or
# --session --address=...), its stderr to LOG, and wait up to 5 s for
# its address in $address. Fails if it printed none.
private_bus_start() {
	local log=$1 _
	shift
	dbus-daemon "$@" --nofork --print-address=3 3>"$work/address" \
		2>"$log" &
	pids+=($!)
	for _ in $(seq 100); do
		[[ -s "$work/address" ]] && break
		sleep 0.05
	done
	address=$(head -n1 "$work/address")
	[[ -n "$address" ]]
}
