#!/bin/bash
# Run every libFuzzer harness built in BUILD_DIR for SECONDS each, starting
# from a copy of its seed corpus (the tree is never written to). Prints one
# summary line per harness, keeps crash inputs in BUILD_DIR/fuzz-crashes/,
# and fails if any harness found a crash or could not run.
#
# usage: tools/fuzz.sh BUILD_DIR SECONDS
set -uo pipefail

usage() {
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
}

[[ $# -eq 2 ]] || usage
build=$1
seconds=$2
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
[[ -d "$build" ]] || { echo "fuzz.sh: no build directory '$build'" >&2; exit 2; }

srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
crashdir="$build/fuzz-crashes"

shopt -s nullglob
harnesses=()
for f in "$build"/tests/fuzz/fuzz-*; do
	[[ -f "$f" && -x "$f" ]] && harnesses+=("$f")
done
if [[ ${#harnesses[@]} -eq 0 ]]; then
	echo "fuzz.sh: no harnesses in $build/tests/fuzz (configure with -Dfuzz=true)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/posreader-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$crashdir" || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0 n_ok=0 n_failed=0
summary=()
for h in "${harnesses[@]}"; do
	name=$(basename "$h")
	short=${name#fuzz-}
	corpus="$work/$short/corpus"
	artifacts="$work/$short/artifacts/"
	log="$work/$short/log"
	mkdir -p "$corpus" "$artifacts"
	seeds="$srcdir/tests/fuzz/corpus/$short"
	if [[ -d "$seeds" ]]; then
		cp -R "$seeds/." "$corpus/"
	else
		echo "fuzz.sh: $name has no seed corpus at $seeds, starting empty" >&2
	fi

	echo "fuzz.sh: running $name for ${seconds}s"
	"$h" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$artifacts" "$corpus" \
		</dev/null >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' \
		"$log" | tail -n 1)
	runs=${runs:-?}
	crashes=("$artifacts"*)
	if [[ $rc -eq 0 && ${#crashes[@]} -eq 0 ]]; then
		result=ok
		n_ok=$((n_ok + 1))
	else
		failed=1
		n_failed=$((n_failed + 1))
		result="FAILED (exit $rc)"
		for c in "${crashes[@]}"; do
			cp "$c" "$crashdir/$name-$(basename "$c")"
		done
		if [[ ${#crashes[@]} -gt 0 ]]; then
			result+=", ${#crashes[@]} crash file(s) in $crashdir"
		fi
		# The fuzzer's own report says what went wrong; leave out its
		# dump of the input, which may hold card-shaped data.
		awk '/^0x[0-9a-fA-F][0-9a-fA-F],/ { skip = 2 }
		     skip > 0 { skip--; next }
		     /^Base64: / { next }
		     { print }' "$log" | tail -n 40 >&2
	fi
	summary+=("$(printf '%-20s runs=%-12s %s' "$name" "$runs" "$result")")
done

echo "fuzz.sh: summary"
printf '  %s\n' "${summary[@]}"
echo "fuzz: $n_ok passed, $n_failed failed"
exit $failed
