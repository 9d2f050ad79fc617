#!/bin/bash
# posreader install test, guest side: runs as a systemd service in a
# Debian 12 guest booted from a root where the packages were installed
# with apt. Checks what someone commissioning a terminal would check,
# then removes the packages. Results go to the "results" 9p share.
set -uo pipefail

R=/mnt/results
mkdir -p "$R"
mount -t 9p -o trans=virtio,version=9p2000.L results "$R" || exit 1
exec >"$R/install-test.log" 2>&1

SERIAL=INST-0042
G=/sys/kernel/config/usb_gadget/posreader
FFS=/run/posreader-ffs
passed=0
failed=0

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# succeeds PASS_TEXT FAIL_TEXT COMMAND...: pass if COMMAND exits 0, else
# fail with its exit code and output.
succeeds() {
	local ok=$1 bad=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		pass "$ok"
	else
		fail "$bad: exit $rc: $out"
	fi
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.5 s.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[[ $SECONDS -ge $deadline ]] && return 1
		sleep 0.5
	done
}

finish() {
	echo "$passed passed, $failed failed"
	dmesg >"$R/dmesg.txt"
	journalctl -b --no-pager >"$R/journal.txt" 2>&1
	sync
	systemctl --no-block poweroff
	exit 0
}

echo "# kernel $(uname -r)"

# The module DKMS built at install time, loaded at boot by modules-load.d.
modpath=$(modinfo -n posreader 2>/dev/null)
if [[ "$modpath" == */updates/dkms/posreader.ko* ]]; then
	pass "posreader.ko built by DKMS for $(uname -r): $modpath"
else
	fail "no DKMS-built posreader.ko for $(uname -r) (modinfo: '$modpath')"
fi
if [[ -d /sys/module/posreader ]]; then
	pass "posreader.ko loaded at boot"
else
	fail "posreader.ko not loaded at boot"
fi
for g in posreader posreader-admin; do
	if getent group "$g" >/dev/null; then pass "group $g exists"
	else fail "group $g missing"; fi
done

# Nothing has asked for the service yet.
state=$(systemctl is-active posreaderd.service)
if [[ "$state" != active ]]; then
	pass "posreaderd not running before a reader appears ($state)"
else
	fail "posreaderd running before any reader or client"
fi

# Plug the simulated reader in: a FunctionFS gadget on dummy_hcd.
# Two emulated USB ports: the posreader reader and a libnfc reader.
modprobe dummy_hcd num=2 && modprobe libcomposite && modprobe usb_f_fs || {
	fail "cannot load the USB gadget modules"; finish; }
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
mkdir -p "$G/strings/0x409" "$G/configs/c.1" "$G/functions/ffs.reader"
echo 0x1209 >"$G/idVendor"
echo 0x0001 >"$G/idProduct"
echo posreader >"$G/strings/0x409/manufacturer"
echo "posreader install test" >"$G/strings/0x409/product"
echo "$SERIAL" >"$G/strings/0x409/serialnumber"
ln -s "$G/functions/ffs.reader" "$G/configs/c.1/"
mkdir -p "$FFS"
mount -t functionfs reader "$FFS"
posreader-sim --gadget "$FFS" --control /run/posreader-sim.sock \
	--serial "$SERIAL" >"$R/sim.log" 2>&1 &
sim=$!
if ! wait_for 20 test -S /run/posreader-sim.sock; then
	fail "posreader-sim did not start"; finish
fi
echo dummy_udc.0 >"$G/UDC" || { fail "cannot bind the gadget"; finish; }

if wait_for 60 test -c /dev/posreader0; then
	pass "/dev/posreader0 appeared"
	# devtmpfs makes the node root:root 0600; udev's rule then sets
	# the group and mode, a moment later.
	udevadm settle --timeout=30 || true
	if wait_for 10 sh -c "[ \"\$(stat -c '%U %G %a' /dev/posreader0)\" = 'root posreader 660' ]"; then
		pass "/dev/posreader0 is root:posreader 0660"
	else
		perms=$(stat -c '%U %G %a' /dev/posreader0)
		fail "/dev/posreader0 is '$perms', want 'root posreader 660'"
	fi
else
	fail "/dev/posreader0 did not appear"
fi

# No client has called the bus name: only the reader can have started it.
if wait_for 60 systemctl is-active --quiet posreaderd.service; then
	pass "posreaderd started when the reader appeared"
else
	fail "posreaderd did not start when the reader appeared"
	systemctl status posreaderd.service --no-pager
fi

# The packaged configuration scans for libnfc devices. The scan runs in
# the worker program (/usr/libexec/posreader), never in the daemon.
if wait_for 30 sh -c "journalctl -b -u posreaderd.service --no-pager |
	grep -q 'device(s) found by libnfc'"; then
	pass "posreaderd listed libnfc devices through posreader-nfc-worker"
else
	fail "posreaderd did not list libnfc devices:"
	journalctl -b -u posreaderd.service --no-pager | grep nfc
fi
if grep -q libnfc "/proc/$(systemctl show -P MainPID posreaderd.service)/maps"; then
	fail "the installed posreaderd maps libnfc"
else
	pass "the installed posreaderd does not map libnfc"
fi

# The reader, over the real system bus, as an administrator sees it.
if wait_for 30 sh -c "posreaderctl status | grep -q '$SERIAL'"; then
	pass "posreaderctl status shows reader $SERIAL"
else
	fail "posreaderctl status does not show reader $SERIAL:"
	posreaderctl status
fi

# Hotplug inside the sandbox: unplug the reader and plug it in again
# while the service runs. The new device node is made after the service
# set up its sandbox and must still reach it.
pid_before=$(systemctl show -P MainPID posreaderd.service)
echo >"$G/UDC"
if wait_for 30 sh -c "! posreaderctl status | grep -q '$SERIAL'"; then
	pass "reader gone from posreaderctl status after unplug"
else
	fail "reader still listed after unplug"
fi
echo dummy_udc.0 >"$G/UDC" || fail "cannot bind the gadget again"
if wait_for 60 sh -c "posreaderctl status | grep -q '$SERIAL'"; then
	pass "replugged reader back in posreaderctl status"
else
	fail "replugged reader not seen by the running service"
	posreaderctl status
fi
if [[ "$(systemctl show -P MainPID posreaderd.service)" == "$pid_before" ]]; then
	pass "same posreaderd process served the replugged reader"
else
	fail "posreaderd restarted across the replug"
fi

# A libnfc reader: an emulated device with an ACR122U's USB ids (its
# function is a plain serial port: only the ids matter here). Its node
# must be the service's, whatever libnfc's own udev rules say, and the
# kernel's pn533_usb, which claims ACR122Us, must stay unloaded.
echo "# libnfc6 installed: $(dpkg-query -W -f='${Status}' libnfc6 2>/dev/null || echo no)"
N=/sys/kernel/config/usb_gadget/acr122u
mkdir -p "$N/strings/0x409" "$N/configs/c.1" "$N/functions/acm.usb0"
echo 0x072f >"$N/idVendor"
echo 0x2200 >"$N/idProduct"
echo "ACR122U (emulated)" >"$N/strings/0x409/product"
ln -s "$N/functions/acm.usb0" "$N/configs/c.1/"
echo dummy_udc.1 >"$N/UDC" || fail "cannot bind the ACR122U gadget"
acr_node() {
	local d
	for d in /sys/bus/usb/devices/*; do
		[[ "$(cat "$d/idVendor" 2>/dev/null)" == 072f ]] || continue
		printf '/dev/bus/usb/%03d/%03d\n' "$(cat "$d/busnum")" "$(cat "$d/devnum")"
		return 0
	done
	return 1
}
if wait_for 30 acr_node && node=$(acr_node) && wait_for 10 test -c "$node"; then
	# udev sets group and mode just after the node appears.
	if wait_for 10 sh -c "[ \"\$(stat -c '%U %G %a' $node)\" = 'root posreader 660' ]"; then
		pass "ACR122U node $node is root:posreader 0660"
	else
		fail "ACR122U node $node is '$(stat -c '%U %G %a' "$node")'," \
			"want 'root posreader 660'"
	fi
else
	fail "the emulated ACR122U did not enumerate"
fi
if [[ -d /sys/module/pn533_usb ]]; then
	fail "pn533_usb loaded for the ACR122U despite the blacklist"
else
	pass "pn533_usb kept off the ACR122U"
fi
echo >"$N/UDC"

# A user outside group posreader: no device, no card services.
useradd --no-create-home --shell /usr/sbin/nologin outsider
if runuser -u outsider -- dd if=/dev/posreader0 of=/dev/null count=0 2>/dev/null; then
	fail "outsider could open /dev/posreader0"
else
	pass "outsider cannot open /dev/posreader0"
fi
# The bus policy itself: a card-service call is refused to an outsider by
# the bus, while a member of group posreader gets through to the daemon
# (which then answers for itself: there is no such object).
useradd --no-create-home --shell /usr/sbin/nologin --groups posreader insider
claim=(busctl call org.posreader1 /org/posreader1/no_such_reader
	org.posreader1.Reader Claim)
out=$(runuser -u outsider -- "${claim[@]}" 2>&1)
if grep -q 'Rejected send message\|Access denied\|AccessDenied' <<<"$out"; then
	pass "bus refuses Claim to a user outside group posreader"
else
	fail "bus did not refuse Claim to outsider: $out"
fi
out=$(runuser -u insider -- "${claim[@]}" 2>&1)
if [[ -n "$out" ]] && ! grep -q 'Rejected send message\|Access denied\|AccessDenied' <<<"$out"; then
	pass "bus lets a member of group posreader reach the daemon ($out)"
else
	fail "group member refused or no answer: $out"
fi
out=$(runuser -u outsider -- posreaderctl wait-card --timeout 2000 2>&1)
rc=$?
if [[ $rc -eq 1 ]] && grep -qi 'denied' <<<"$out"; then
	pass "outsider refused card services (exit 1, access denied)"
else
	fail "outsider not refused: exit $rc: $out"
fi

# polkit: posreaderd asks polkitd about every admin action once the
# caller's credentials passed. A member of posreader-admin is allowed
# by the shipped rule; a site rule saying no refuses, naming the action;
# with polkitd masked the credentials alone decide.
if pkaction --action-id org.posreader1.provision >/dev/null 2>&1 &&
	pkaction --action-id org.posreader1.pair-reader >/dev/null 2>&1; then
	pass "polkit knows the posreader actions"
else
	fail "polkit does not know org.posreader1.provision/pair-reader"
	pkaction 2>&1 | grep posreader
fi
useradd --no-create-home --shell /usr/sbin/nologin --groups posreader-admin supervisor
# Test keys: AES-128 master key and its KCV, an Ed25519 acquirer public
# key, a pairing key and its KCV (HMAC-SHA256 of 16 zero bytes).
prov=$(mktemp /tmp/provision.XXXXXX)
cat >"$prov" <<'PROV'
terminal_id = INSTALL-TEST
master_key = 00112233445566778899aabbccddeeff
master_kcv = fde4fb
acquirer_key = 392f28a80283a7e17d7934d06944b43ac38034d1e17f1cc00b8c22fa22e5a9fb
operator_pin = 482916
supervisor_pin = 735102
PROV
chown supervisor "$prov"
pair_key=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
pair_kcv=898817
as_supervisor() { runuser -u supervisor -- "$@"; }
as_insider() { runuser -u insider -- "$@"; }
pair() { echo "$pair_key" | "$@" posreaderctl pair "$SERIAL" "$pair_kcv"; }

succeeds "posreader-admin member provisions with polkitd running" \
	"posreader-admin member cannot provision" \
	as_supervisor posreaderctl provision "$prov"
if systemctl is-active --quiet polkit.service; then
	pass "polkitd was asked (started by bus activation)"
else
	fail "polkitd not running after an admin call"
fi
succeeds "posreader-admin member pairs a reader with polkitd running" \
	"posreader-admin member cannot pair" pair as_supervisor
out=$(pair as_insider 2>&1)
if grep -q 'org.posreader1.Error.AccessDenied' <<<"$out" &&
	! grep -q 'polkit' <<<"$out"; then
	pass "posreader member refused pairing by its credentials"
else
	fail "posreader member not refused by credentials: $out"
fi

# A site rule that says no to every posreader action; polkitd picks
# up rules files as they change.
deny=/etc/polkit-1/rules.d/10-posreader-deny.rules
cat >"$deny" <<'RULE'
polkit.addRule(function(action, subject) {
	if (action.id.indexOf("org.posreader1.") === 0)
		return polkit.Result.NO;
});
RULE
if wait_for 20 sh -c "! echo $pair_key | runuser -u supervisor -- posreaderctl pair $SERIAL $pair_kcv"; then
	out=$(pair as_supervisor 2>&1)
	if grep -q 'org.posreader1.Error.AccessDenied' <<<"$out" &&
		grep -q 'org.posreader1.pair-reader' <<<"$out"; then
		pass "a rule saying no refuses pairing: AccessDenied naming org.posreader1.pair-reader"
	else
		fail "pairing refused without AccessDenied naming the action: $out"
	fi
else
	fail "pairing still allowed with a polkit rule saying no"
fi
out=$(as_supervisor posreaderctl provision "$prov" 2>&1)
if grep -q 'org.posreader1.Error.AccessDenied' <<<"$out" &&
	grep -q 'org.posreader1.provision' <<<"$out"; then
	pass "a rule saying no refuses provisioning, naming org.posreader1.provision"
else
	fail "provisioning not refused by the rule saying no: $out"
fi
succeeds "root still pairs: polkitd always allows uid 0" \
	"root refused with the rule saying no" pair env

# polkitd masked and stopped: the credentials alone decide, the rule
# saying no no longer applies, and the daemon answers.
systemctl mask --now polkit.service >/dev/null 2>&1
if systemctl is-active --quiet polkit.service; then
	fail "polkitd still running after mask --now"
fi
succeeds "with polkitd masked, posreader-admin member pairs (credentials only)" \
	"with polkitd masked, pairing failed" pair as_supervisor
out=$(pair as_insider 2>&1)
if grep -q 'org.posreader1.Error.AccessDenied' <<<"$out"; then
	pass "with polkitd masked, a posreader member is still refused"
else
	fail "with polkitd masked, posreader member not refused: $out"
fi
if ! systemctl is-active --quiet polkit.service; then
	pass "polkitd stayed masked"
else
	fail "polkitd running although masked"
fi
systemctl unmask polkit.service >/dev/null 2>&1
rm -f "$deny" "$prov"

report=$(systemd-analyze security posreaderd.service 2>&1)
overall=$(sed -n 's/.*Overall exposure level for posreaderd.service: \([0-9.]*\).*/\1/p' <<<"$report")
if [[ -n "$overall" ]] && awk -v o="$overall" 'BEGIN { exit !(o <= 2.0) }'; then
	pass "systemd-analyze security: exposure $overall (at most 2.0)"
else
	fail "systemd-analyze security: exposure '$overall'"
	echo "$report"
fi

# Bus activation: with no reader plugged in and the service stopped, a
# client's call starts it (anyone may read the terminal's state).
echo >"$G/UDC"
kill "$sim" 2>/dev/null
wait "$sim" 2>/dev/null
systemctl stop posreaderd.service
if systemctl is-active --quiet posreaderd.service; then
	fail "posreaderd did not stop"
elif runuser -u outsider -- posreaderctl status >"$R/activation.log" 2>&1 &&
	systemctl is-active --quiet posreaderd.service; then
	pass "a client's call started posreaderd through D-Bus activation"
else
	fail "D-Bus activation did not start posreaderd (see activation.log)"
fi

# Remove the packages: nothing may stay running.
if DEBIAN_FRONTEND=noninteractive apt-get remove -y posreaderd posreader-tools \
	>"$R/remove-daemon.log" 2>&1; then
	pass "apt-get remove posreaderd"
else
	fail "apt-get remove posreaderd (see remove-daemon.log)"
fi
if DEBIAN_FRONTEND=noninteractive apt-get remove -y posreader-dkms \
	>"$R/remove-dkms.log" 2>&1; then
	pass "apt-get remove posreader-dkms"
else
	fail "apt-get remove posreader-dkms (see remove-dkms.log)"
fi
state=$(systemctl is-active posreaderd.service)
if [[ "$state" != active && "$state" != activating ]] && ! pgrep -x posreaderd >/dev/null; then
	pass "posreaderd not running after removal ($state)"
else
	fail "posreaderd still running after removal ($state)"
fi
if [[ -d /sys/module/posreader ]]; then
	fail "posreader.ko still loaded after removal"
else
	pass "posreader.ko unloaded after removal"
fi
if [[ -z "$(dkms status posreader 2>/dev/null)" ]]; then
	pass "DKMS no longer holds posreader"
else
	fail "DKMS still holds posreader: $(dkms status posreader)"
fi
if grep -E 'BUG:|WARNING:|Oops|general protection|refcount_t|use-after-free' \
	<(dmesg); then
	fail "kernel log shows a problem"
else
	pass "kernel log clean"
fi
finish
