#!/bin/bash
# An application developer's first steps with posreader-dev: pkg-config
# finds posreader, a program using the driver's user API compiles with
# its flags alone, and the D-Bus interface files are where the .pc says.
# usage: packaging/tests/dev-package.sh POSREADER-DEV.deb
set -euo pipefail

deb=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"

# --define-prefix: prefix taken from where the .pc file is, so the
# unpacked package is used as if it were installed in /usr.
export PKG_CONFIG_PATH=$work/root/usr/share/pkgconfig
pc() { pkg-config --define-prefix "$@" posreader; }

fail=0
cflags=$(pc --cflags) || { echo "FAIL: pkg-config does not find posreader"; exit 1; }
echo "ok: pkg-config --cflags posreader: $cflags"

cat >"$work/app.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/posreader.h>

int main(void)
{
	struct posreader_info info = { 0 };
	int fd = open("/dev/posreader0", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, POSREADER_IOC_GET_INFO, &info) < 0)
		return 1;
	printf("%s %s\n", info.vendor, info.model);
	return info.api_version == POSREADER_API_VERSION ? 0 : 1;
}
C
# shellcheck disable=SC2086 # cflags is a list of flags
if cc -Wall -Wextra -Werror $cflags -o "$work/app" "$work/app.c"; then
	echo "ok: a program using linux/posreader.h builds with those flags"
else
	echo "FAIL: cannot build against linux/posreader.h"
	fail=1
fi

ifdir=$work/root$(pkg-config --variable=interfaces_dir posreader)
for iface in org.posreader1.Reader org.posreader1.Terminal; do
	if grep -q "<interface name=\"$iface\"" "$ifdir/$iface.xml" 2>/dev/null; then
		echo "ok: $iface.xml in interfaces_dir"
	else
		echo "FAIL: no $iface.xml in $ifdir"
		fail=1
	fi
done
exit $fail
