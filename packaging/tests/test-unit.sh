#!/bin/bash
# Check posreaderd.service the way systemd will see it once installed:
# systemd-analyze verify finds no error or unknown setting, the settings
# the terminal's security review requires are there, and the sandbox's
# exposure score (systemd-analyze security) is at or below 2.0.
# usage: test-unit.sh UNIT-FILE POSREADERD-EXECUTABLE
set -euo pipefail

unit=$1
daemon=$2
max_exposure=2.0

command -v systemd-analyze >/dev/null || {
	echo "systemd-analyze missing (package systemd)"; exit 77; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# An installed system in miniature: the host's units (dbus.socket and the
# targets this unit is ordered against), this unit and the daemon where
# ExecStart= looks for it.
unitdir=$root/lib/systemd/system
mkdir -p "$unitdir"
cp -a /lib/systemd/system/. "$unitdir/"
cp "$unit" "$unitdir/posreaderd.service"
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
if [[ "$exec_path" != /*/posreaderd ]]; then
	echo "FAIL: ExecStart= does not run posreaderd by absolute path"
	exit 1
fi
install -D -m 0755 "$daemon" "$root$exec_path"

fail=0

# verify exits 0 on unknown keys and bad values; any message is a failure.
if ! out=$(systemd-analyze verify --root="$root" --man=no \
	posreaderd.service 2>&1) || [[ -n "$out" ]]; then
	echo "FAIL: systemd-analyze verify:"
	echo "$out"
	fail=1
else
	echo "ok: systemd-analyze verify is silent"
fi

# What the unit must say, beyond what the exposure score measures.
required=(
	'Type=dbus'
	'BusName=org.posreader1'
	'User=posreader'
	'StateDirectory=posreader'
	'ConfigurationDirectory=posreader'
	'ProtectSystem=strict'
	'ProtectHome=yes'
	'PrivateTmp=yes'
	'NoNewPrivileges=yes'
	'UMask=0077'
	'DevicePolicy=closed'
	'DeviceAllow=char-posreader rw'
	'DeviceAllow=char-usb_device rw'
	'CapabilityBoundingSet='
	'SystemCallFilter=@system-service'
	'RestrictAddressFamilies=AF_UNIX AF_NETLINK'
)
for line in "${required[@]}"; do
	if grep -qxF -- "$line" "$unit"; then
		echo "ok: $line"
	else
		echo "FAIL: missing '$line'"
		fail=1
	fi
done
# PrivateDevices= would give the service a private /dev that never sees a
# reader plugged in after it started.
if grep -qE '^PrivateDevices=(yes|true|1|on)' "$unit"; then
	echo "FAIL: PrivateDevices= breaks hotplug"
	fail=1
fi

# --threshold counts in tenths of the exposure level.
threshold=$(awk -v m="$max_exposure" 'BEGIN { printf "%d", m * 10 }')
rc=0
report=$(systemd-analyze security --offline=true --root="$root" \
	--threshold="$threshold" posreaderd.service 2>&1) || rc=$?
overall=$(sed -n 's/.*Overall exposure level for posreaderd.service: \([0-9.]*\).*/\1/p' \
	<<<"$report")
if [[ -z "$overall" ]]; then
	echo "FAIL: no exposure level in systemd-analyze security output:"
	echo "$report"
	fail=1
elif [[ $rc -ne 0 ]] || awk -v o="$overall" -v m="$max_exposure" \
	'BEGIN { exit !(o > m) }'; then
	echo "$report"
	echo "FAIL: exposure $overall, must be at most $max_exposure"
	fail=1
else
	echo "ok: exposure $overall (at most $max_exposure)"
fi
exit $fail
