#!/bin/bash
# posreader VM test, host side: build posreader.ko and the guest programs,
# fetch Debian's kernel, boot it in QEMU (TCG) with the host root shared
# read-only, run the driver's scenarios against the FunctionFS simulator,
# then posreaderd's integration tests over the kernel and the usb
# transport, and check the guest's kernel log. Exit status 0 only if
# everything passed.
#
# usage: tests/vm/run.sh [--kernel KVER] [--only SCENARIO] [--cycles N]
#                        [--junk N] [--transports kernel,usb|none]
# env:   BUILD_VM (default build-vm), VM_TIMEOUT seconds (default 900)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${BUILD_VM:-$root/build-vm}")
cache=$root/.vm-cache
here=$root/tests/vm
kver=
extra=
transports=kernel,usb

while [[ $# -gt 0 ]]; do
	case "$1" in
	--kernel) kver=$2; shift 2 ;;
	--only) extra+=" posreader.only=$2"; shift 2 ;;
	--cycles) extra+=" posreader.cycles=$2"; shift 2 ;;
	--junk) extra+=" posreader.junk=$2"; shift 2 ;;
	--transports) transports=$2; shift 2 ;;
	*) echo "usage: $0 [--kernel KVER] [--only NAME] [--cycles N]" \
		"[--junk N] [--transports kernel,usb|none]" >&2; exit 2 ;;
	esac
done
[[ -n "$kver" ]] || kver=$("$here/kernels.sh" --default)
for t in ${transports//,/ }; do
	case "$t" in
	kernel | usb | none) ;;
	*) echo "$0: --transports takes kernel, usb or none, not '$t'" >&2
		exit 2 ;;
	esac
done

echo "== posreader VM test, kernel $kver"
[[ -f "$build/build.ninja" ]] || meson setup "$build" >/dev/null
if ! meson compile -C "$build" posreader-sim posreader-vmtest \
	posreader-bad-gadget posreaderd test-daemon-api test-daemon-hotplug \
	>"$build/vm-compile.log" 2>&1; then
	cat "$build/vm-compile.log" >&2
	echo "FAIL: building the guest programs"
	exit 1
fi
# The 32-bit test program: static, so the guest needs no 32-bit libraries.
if ! gcc -m32 -static -O2 -Wall -Wextra -Werror -I"$root/include/uapi" \
	"$here/compat32.c" -o "$build/posreader-compat32"; then
	echo "FAIL: building the 32-bit test program (needs gcc-multilib)"
	exit 1
fi
"$here/build-module.sh" "$kver" "$build/kmod-$kver"
image=$("$here/kernel.sh" "$cache" "$kver")
"$here/mkinitrd.sh" "$image" "$kver" "$build/vm-initrd-$kver.gz"

results=$build/vm-results-$kver
rm -rf "$results"
mkdir -p "$results"

set +e
timeout --kill-after=10 "${VM_TIMEOUT:-900}" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 2 -m 1024 -nographic -no-reboot \
	-nic none \
	-kernel "$image/boot/vmlinuz-$kver" \
	-initrd "$build/vm-initrd-$kver.gz" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$results,mount_tag=results,security_model=none" \
	-append "console=ttyS0 quiet panic=-1 posreader.root=$root posreader.build=$build posreader.kmod=$build/kmod-$kver/driver/posreader.ko posreader.transports=$transports$extra" \
	</dev/null >"$results/console.log" 2>&1
qrc=$?
set -e

passed=0
failed=0
if [[ $qrc -eq 124 || $qrc -eq 137 ]]; then
	echo "FAIL: vm: timed out after ${VM_TIMEOUT:-900} s"
	failed=$((failed + 1))
fi
if [[ -f "$results/vmtest.log" ]]; then
	grep -E '^(PASS|FAIL|#)' "$results/vmtest.log" || true
	p=$(grep -c '^PASS' "$results/vmtest.log" || true)
	f=$(grep -c '^FAIL' "$results/vmtest.log" || true)
	passed=$((passed + p))
	failed=$((failed + f))
	if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$results/vmtest.log"
	then
		echo "FAIL: vmtest: did not finish"
		failed=$((failed + 1))
	fi
else
	echo "FAIL: vm: the test program never ran (see $results/console.log)"
	failed=$((failed + 1))
fi

# posreaderd's scenarios over each transport: a line per scenario.
skipped=0
for t in ${transports//,/ }; do
	[[ $t == none ]] && continue
	log=$results/daemon.log
	if ! grep -qx "daemon-tests $t: done" "$log" 2>/dev/null; then
		echo "FAIL: daemon tests over $t: did not finish (see $results)"
		failed=$((failed + 1))
	fi
done
if [[ -f "$results/daemon.log" ]]; then
	grep -E '^(PASS|FAIL|SKIP|#)' "$results/daemon.log" || true
	p=$(grep -c '^PASS' "$results/daemon.log" || true)
	f=$(grep -c '^FAIL' "$results/daemon.log" || true)
	s=$(grep -c '^SKIP' "$results/daemon.log" || true)
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
fi

if [[ "$(cat "$results/rmmod" 2>/dev/null)" == ok ]]; then
	echo "PASS: final rmmod"
	passed=$((passed + 1))
else
	echo "FAIL: final rmmod"
	failed=$((failed + 1))
fi

# The simulator and the bad gadget must stop cleanly on SIGTERM (and,
# in a sanitizer build, without a report).
for p in sim bad-gadget; do
	if [[ "$(cat "$results/$p.rc" 2>/dev/null)" == 0 ]] &&
		! grep -qE 'Sanitizer|runtime error' "$results/$p.log"; then
		echo "PASS: $p stopped cleanly"
		passed=$((passed + 1))
	else
		echo "FAIL: $p did not stop cleanly (see $results/$p.log)"
		failed=$((failed + 1))
	fi
done

# The stock kernel has no KASAN or lockdep: its log is what we have.
pattern='BUG:|WARNING:|Oops|general protection|refcount_t|list_del corruption|use-after-free|Kernel panic'
log=$results/dmesg.txt
[[ -f "$log" ]] || log=$results/console.log
if [[ -f "$results/dmesg.txt" ]] && ! grep -qE "$pattern" "$log" &&
	! grep -qE "$pattern" "$results/console.log"; then
	echo "PASS: guest kernel log clean"
	passed=$((passed + 1))
else
	echo "FAIL: guest kernel log (see $log):"
	grep -E "$pattern" "$log" "$results/console.log" | head -n 20 || true
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
