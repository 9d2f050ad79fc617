#!/bin/bash
# Every long option a program lists in its --help is documented in its
# man page, so the page cannot silently fall behind the program; so is
# every command of a "Commands:" list in --help (posreaderctl), each as
# the tag of its own paragraph.
# With --config-keys, every key config_set() in CONFIG-C accepts has its
# own "key = value" entry in the man page, and the page documents no key
# the daemon would refuse.
# usage: test-man-options.sh PROGRAM MAN-PAGE
#        test-man-options.sh --config-keys CONFIG-C MAN-PAGE
set -euo pipefail

# In roff source a dash is written \-.
roff_text() {
	sed 's/\\-/-/g' "$1"
}

check_config_keys() {
	local source=$1 page=$2 keys documented text key fail=0

	# config_set() names each key as strcmp(key, "name").
	keys=$(grep -oE 'strcmp\(key, "[a-z][a-z-]*"\)' "$source" |
		sed -E 's/.*"([a-z-]+)".*/\1/' | sort -u)
	if [[ -z "$keys" ]]; then
		echo "FAIL: $source accepts no keys (strcmp(key, \"...\") not found)"
		return 1
	fi
	text=$(roff_text "$page")
	# An entry starts a .TP paragraph: .B/.BI/.BR "key = " ...
	documented=$(grep -oE '^\.B[IR]? "[a-z][a-z-]* = ' <<<"$text" |
		sed -E 's/^[^"]*"([a-z-]+) = .*/\1/' | sort -u)
	for key in $keys; do
		if grep -qxF -- "$key" <<<"$documented"; then
			echo "ok: $key"
		else
			echo "FAIL: $(basename "$page") has no entry for the key $key"
			fail=1
		fi
	done
	for key in $documented; do
		if ! grep -qxF -- "$key" <<<"$keys"; then
			echo "FAIL: $(basename "$page") documents $key," \
				"which $(basename "$source") does not accept"
			fail=1
		fi
	done
	return $fail
}

if [[ "${1:-}" == --config-keys ]]; then
	check_config_keys "$2" "$3"
	exit
fi

program=$1
page=$2

options=$("$program" --help | grep -oE '(^|[[:space:]])--[a-z][a-z-]*' |
	tr -d ' \t' | sort -u)
if [[ -z "$options" ]]; then
	echo "FAIL: $program --help lists no options"
	exit 1
fi
text=$(roff_text "$page")
fail=0
for opt in $options; do
	if grep -qF -- "$opt" <<<"$text"; then
		echo "ok: $opt"
	else
		echo "FAIL: $(basename "$page") does not document $opt"
		fail=1
	fi
done

# "  pin change [ROLE [AUTH-ROLE]]  text" -> "pin change": the lowercase
# words before the arguments and the description.
commands=$("$program" --help | sed -n '/^Commands:$/,/^$/p' |
	{ grep -E '^  [a-z]' || true; } | sed -E 's/^  //; s/  .*//' |
	awk '{ c = ""; for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++)
		c = c (c ? " " : "") $i; print c }' || true)
# Paragraph tags: the line after each .TP, as text.
tags=$(awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' <<<"$text" |
	sed -E 's/^\.[A-Z]+ //; s/"//g; s/\\f[BIRP]//g')
while IFS= read -r cmd; do
	[[ -n "$cmd" ]] || continue
	if grep -qE -- "^$cmd( |$)" <<<"$tags"; then
		echo "ok: command $cmd"
	else
		echo "FAIL: $(basename "$page") has no entry for the command $cmd"
		fail=1
	fi
done <<<"$commands"
exit $fail
