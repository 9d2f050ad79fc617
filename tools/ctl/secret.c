// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl: secrets from stdin, hex parsing, files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int ctl_read_secret_line(char *buf, size_t cap)
{
	size_t n;

	if (!fgets(buf, (int)cap, stdin))
		return -ENODATA;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n + 1 == cap)
		return -E2BIG;
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int ctl_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
	size_t n = 0;

	while (*hex) {
		int hi, lo;

		if (*hex == ' ' || *hex == ':' || *hex == '\n') {
			hex++;
			continue;
		}
		hi = nibble(hex[0]);
		lo = hex[1] ? nibble(hex[1]) : -1;
		if (hi < 0 || lo < 0 || n >= cap)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	*ret_len = n;
	return 0;
}

int ctl_read_file(const char *path, uint8_t *buf, size_t cap, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap, f);
	if (!feof(f)) {
		fclose(f);
		return -E2BIG;
	}
	fclose(f);
	*ret_len = n;
	return 0;
}
