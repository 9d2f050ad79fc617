#!/bin/bash
# Run every test stage of `make check`, keep going after a failing stage so
# one report covers everything, and close with one summary line.
#
# usage: tools/check.sh STAGE...   where a stage is a make target
set -uo pipefail

declare -a failed_stages=()
passed=0 failed=0 skipped=0

count_meson() {
	local log=$1/meson-logs/testlog.json
	[[ -f $log ]] || return 0
	read -r p f s < <(python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for stage in "$@"; do
	echo "==== make $stage"
	out=$(mktemp)
	failed_before=$failed
	make --no-print-directory "$stage" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	case "$stage" in
	test) count_meson "${BUILD:-build}" ;;
	unit-asan) count_meson "${ASAN_BUILD:-build-asan}" ;;
	*)
		# Stages that print their own "N passed, N failed[, N skipped]"
		# line.
		line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
		if [[ -n $line ]]; then
			p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
			f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
			s=0
			[[ $line =~ ([0-9]+)\ skipped ]] && s=${BASH_REMATCH[1]}
			passed=$((passed + p)) failed=$((failed + f))
			skipped=$((skipped + s))
		fi
		;;
	esac
	rm -f "$out"
	if [[ $rc -ne 0 ]]; then
		failed_stages+=("$stage")
		# A stage that died before counting a failure still counts once.
		[[ $failed -gt $failed_before ]] || failed=$((failed + 1))
	fi
done

echo "===="
if [[ ${#failed_stages[@]} -gt 0 ]]; then
	echo "failed stages: ${failed_stages[*]}"
fi
echo "check: $passed passed, $failed failed, $skipped skipped"
[[ ${#failed_stages[@]} -eq 0 ]]
