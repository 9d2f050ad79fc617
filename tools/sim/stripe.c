// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Track 1 is the 6-bit alphanumeric set (0x20..0x5f) between '%' and '?';
 * tracks 2 and 3 the 4-bit numeric set (0x30..0x3f) between ';' and '?'.
 */
#include <errno.h>
#include <string.h>

#include "stripe.h"

static char start_sentinel(int track_no)
{
	return track_no == 1 ? '%' : ';';
}

static size_t chars_max(int track_no)
{
	switch (track_no) {
	case 1:
		return STRIPE_T1_CHARS_MAX;
	case 2:
		return STRIPE_T2_CHARS_MAX;
	case 3:
		return STRIPE_T3_CHARS_MAX;
	default:
		return 0;
	}
}

/* Character c as its data bits on track track_no, or -1. */
static int char_bits(int track_no, char c)
{
	if (track_no == 1)
		return c >= 0x20 && c <= 0x5f ? c - 0x20 : -1;
	return c >= 0x30 && c <= 0x3f ? c - 0x30 : -1;
}

int stripe_normalize(int track_no, const char *text, char *out, size_t cap,
		     size_t *ret_len)
{
	char start = start_sentinel(track_no);
	size_t n, i, len = 0, max = chars_max(track_no);

	if (!max || !text)
		return -EINVAL;
	n = strlen(text);
	if (n && text[0] == start) {
		text++;
		n--;
	}
	if (n && text[n - 1] == '?')
		n--;
	if (n + 2 > max)
		return -E2BIG;
	if (n + 3 > cap)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		if (char_bits(track_no, text[i]) < 0 || text[i] == start ||
		    text[i] == '?')
			return -EINVAL;
	out[len++] = start;
	memcpy(out + len, text, n);
	len += n;
	out[len++] = '?';
	out[len] = '\0';
	*ret_len = len;
	return 0;
}

/* Add the odd parity bit above the top data bit. */
static u8 with_parity(u8 v, int data_bits)
{
	u8 ones = (u8)__builtin_popcount(v);

	return ones % 2 ? v : (u8)(v | 1u << data_bits);
}

int stripe_encode_raw(int track_no, const char *chars, size_t n, u8 *out,
		      size_t cap)
{
	int data_bits = track_no == 1 ? 6 : 4;
	u8 lrc = 0;
	size_t i;

	if (!chars_max(track_no))
		return -EINVAL;
	if (n + 1 > cap)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		int v = char_bits(track_no, chars[i]);

		if (v < 0)
			return -EINVAL;
		lrc ^= (u8)v;
		out[i] = with_parity((u8)v, data_bits);
	}
	out[n] = with_parity(lrc, data_bits);
	return (int)(n + 1);
}
