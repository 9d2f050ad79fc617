#!/bin/bash
# The man pages render without a single groff or man warning, the check
# Debian's lintian runs on them.
# usage: test-man-pages.sh PAGE...
set -euo pipefail

command -v man >/dev/null || { echo "man missing (package man-db)"; exit 77; }

fail=0
for page in "$@"; do
	# man reports problems on stderr; the rendered page goes nowhere.
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) || {
		echo "FAIL: man cannot render $page"; fail=1; }
	if [[ -n "$warnings" ]]; then
		echo "FAIL: $page:"
		echo "$warnings"
		fail=1
	else
		echo "ok: $(basename "$page") renders cleanly"
	fi
done
exit $fail
