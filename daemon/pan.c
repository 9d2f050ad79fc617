// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAN check digit and display masking. Inputs are clear PANs, so nothing
 * here logs, and no copy of a PAN is left behind.
 */
#include <errno.h>
#include <string.h>

#include "pan.h"

/* Length of s if it is 1..max decimal digits and nothing else, else 0. */
static size_t digits_only_len(const char *s, size_t max)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (n == max || s[n] < '0' || s[n] > '9')
			return 0;
	return n;
}

bool pan_luhn_valid(const char *pan)
{
	unsigned int sum = 0;
	size_t n, i;

	if (!pan)
		return false;
	n = digits_only_len(pan, PAN_MASKABLE_MAX);
	if (n < 2)
		return false;

	/* Double every second digit counting leftwards from the check digit. */
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned int)(pan[n - 1 - i] - '0');

		if (i & 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

bool pan_is_maskable(const char *pan)
{
	size_t n;

	if (!pan)
		return false;
	n = digits_only_len(pan, PAN_MASKABLE_MAX);
	return n >= PAN_MASKABLE_MIN;
}

int pan_mask(const char *pan, char *ret, size_t cap)
{
	size_t n;

	if (!pan_is_maskable(pan) || !ret)
		return -EINVAL;
	n = strlen(pan);
	if (cap < n + 1)
		return -ENOBUFS;

	memcpy(ret, pan, PAN_SHOW_FIRST);
	memset(ret + PAN_SHOW_FIRST, '*', n - PAN_SHOW_FIRST - PAN_SHOW_LAST);
	memcpy(ret + n - PAN_SHOW_LAST, pan + n - PAN_SHOW_LAST, PAN_SHOW_LAST);
	ret[n] = '\0';
	return (int)n;
}

int pan_last4(const char *pan, char *ret, size_t cap)
{
	size_t n;

	if (!pan_is_maskable(pan) || !ret)
		return -EINVAL;
	if (cap < PAN_LAST4_SIZE)
		return -ENOBUFS;
	n = strlen(pan);
	memcpy(ret, pan + n - PAN_SHOW_LAST, PAN_SHOW_LAST);
	ret[PAN_SHOW_LAST] = '\0';
	return PAN_SHOW_LAST;
}
