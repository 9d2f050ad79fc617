// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the simulator's stripe writer, checked against the card
 * library's independent reader (track_decode_raw).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stripe.h"
#include "testcard.h"
#include "track.h"

static void test_raw_vector(void **state)
{
	/* ';' 1011 (odd: no parity), '1' 0001, '?' 1111 (+parity),
	 * LRC 0101 (+parity), worked out by hand from ISO/IEC 7811-2. */
	static const u8 want[] = { 0x0b, 0x01, 0x1f, 0x15 };
	u8 raw[8];

	assert_int_equal(stripe_encode_raw(2, ";1?", 3, raw, sizeof(raw)), 4);
	assert_memory_equal(raw, want, sizeof(want));
}

static void roundtrip(int track_no, const char *text)
{
	char chars[PRW_TRACK_MAX + 1], back[PRW_TRACK_MAX + 1];
	size_t len, back_len;
	u8 raw[PRW_TRACK_MAX];
	int n;

	assert_int_equal(
		stripe_normalize(track_no, text, chars, sizeof(chars), &len),
		0);
	n = stripe_encode_raw(track_no, chars, len, raw, sizeof(raw));
	assert_int_equal(n, (int)len + 1);
	assert_int_equal(track_decode_raw(track_no, raw, (size_t)n, back,
					  sizeof(back), &back_len),
			 0);
	/* Card data: compare without printing either side. */
	assert_true(back_len == len && memcmp(back, chars, len) == 0);
}

static void test_roundtrip_testcard(void **state)
{
	roundtrip(1, TESTCARD_TRACK1);
	roundtrip(2, TESTCARD_TRACK2);
	roundtrip(3, ";0123456789:<=>?");
	roundtrip(2, "5555555555554444=30121010000");
}

static void test_normalize(void **state)
{
	char out[PRW_TRACK_MAX + 1];
	size_t len;

	assert_int_equal(stripe_normalize(2, "1234=56", out, sizeof(out), &len),
			 0);
	assert_string_equal(out, ";1234=56?");
	assert_int_equal(len, 9);
	assert_int_equal(
		stripe_normalize(1, "%BAB^CD?", out, sizeof(out), &len), 0);
	assert_string_equal(out, "%BAB^CD?");
	/* Lower case is not on track 1; letters are not on track 2. */
	assert_int_equal(stripe_normalize(1, "Babc", out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(stripe_normalize(2, "12A4", out, sizeof(out), &len),
			 -EINVAL);
	/* A sentinel inside the data. */
	assert_int_equal(stripe_normalize(2, "12?34", out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(stripe_normalize(4, "1", out, sizeof(out), &len),
			 -EINVAL);
}

static void test_lengths(void **state)
{
	char text[STRIPE_T2_CHARS_MAX + 2], out[PRW_TRACK_MAX + 1];
	size_t len;

	/* 37 data characters + 2 sentinels = 39: the most track 2 holds. */
	memset(text, '1', 37);
	text[37] = '\0';
	assert_int_equal(stripe_normalize(2, text, out, sizeof(out), &len), 0);
	assert_int_equal(len, STRIPE_T2_CHARS_MAX);
	text[37] = '1';
	text[38] = '\0';
	assert_int_equal(stripe_normalize(2, text, out, sizeof(out), &len),
			 -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_vector),
		cmocka_unit_test(test_roundtrip_testcard),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
