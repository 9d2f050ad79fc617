#!/bin/bash
# Check udev/70-posreader.rules: udevd parses it with no complaint, with
# the groups from the sysusers.d file existing as they will on a
# terminal; no rule makes a node world-accessible; the reader's char
# device gets group posreader and mode 0660, final (":=") so that no
# later rule loosens them, and starts posreaderd.service.
#
# systemd 252 has no "udevadm verify"; "udevadm test" on any device reads
# every rules file and reports what it cannot parse. It runs in a private
# mount namespace, so the host's /run and /etc stay untouched.
# usage: test-udev-rules.sh RULES-FILE SYSUSERS-FILE
set -euo pipefail

rules=$(realpath "$1")
sysusers=$(realpath "$2")
name=$(basename "$rules")

for tool in udevadm unshare systemd-sysusers; do
	command -v "$tool" >/dev/null || { echo "$tool missing"; exit 77; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (mount namespace)"; exit 77; }
unshare -m true 2>/dev/null || { echo "cannot make a mount namespace here"; exit 77; }

fail=0

# Static checks first: they need nothing from the machine.
if grep -nE 'MODE:?="[0-7]?[0-7]{2}[1-7]"' "$rules"; then
	echo "FAIL: a rule gives other users access"
	fail=1
else
	echo "ok: no rule gives other users access"
fi
chardev_rule=$(grep -E '^SUBSYSTEM=="posreader"' "$rules" || true)
for want in 'GROUP:="posreader"' 'MODE:="0660"' 'TAG+="systemd"' \
	'ENV{SYSTEMD_WANTS}+="posreaderd.service"'; do
	if [[ "$chardev_rule" == *"$want"* ]]; then
		echo "ok: /dev/posreader* rule has $want"
	else
		echo "FAIL: /dev/posreader* rule lacks $want"
		fail=1
	fi
done

# The users and groups a terminal has once the package is installed.
etc=$(mktemp -d)
trap 'rm -rf "$etc"' EXIT
mkdir -p "$etc/etc"
cp /etc/passwd /etc/group "$etc/etc/"
touch "$etc/etc/shadow" "$etc/etc/gshadow"
systemd-sysusers --root="$etc" "$sysusers"
for g in posreader posreader-admin; do
	grep -q "^$g:" "$etc/etc/group" || {
		echo "FAIL: sysusers file creates no group $g"; fail=1; }
done

# Any device will do: parsing happens before matching.
probe_dev=/sys/class/mem/null
[[ -e $probe_dev ]] || { echo "no $probe_dev"; exit 77; }
out=$(unshare -m bash -c '
	set -e
	mount --bind "$1/etc/passwd" /etc/passwd
	mount --bind "$1/etc/group" /etc/group
	mount -t tmpfs tmpfs /run
	mkdir -p /run/udev/rules.d
	cp "$2" /run/udev/rules.d/
	udevadm test --action=add "$3" 2>&1
' _ "$etc" "$rules" "$probe_dev")

if ! grep -qF "Reading rules file: /run/udev/rules.d/$name" <<<"$out"; then
	echo "FAIL: udevadm did not read $name:"
	echo "$out"
	fail=1
elif complaints=$(grep -F "/run/udev/rules.d/$name:" <<<"$out"); then
	echo "FAIL: udevd complains about $name:"
	echo "$complaints"
	fail=1
else
	echo "ok: udevd parses $name without complaint"
fi
exit $fail
