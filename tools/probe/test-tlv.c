// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for posreader-probe's masked TLV printing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlv.h"

/* Print data through tlv_print() into a string (caller frees). */
static char *printed(const u8 *data, size_t len, int *ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	*ret = tlv_print(f, data, len);
	fclose(f);
	return buf;
}

static void test_record_masked(void **state)
{
	/* 70 { 57: 4111111111111111 D 2912 101 0000 F, 5A: the PAN,
	 * 5F24: expiry, 9F1F: track 1 discretionary data (withheld) }. */
	static const u8 rec[] = "\x70\x27"
				"\x57\x0e\x41\x11\x11\x11\x11\x11\x11\x11"
				"\xd2\x91\x21\x01\x00\x0f"
				"\x5a\x08\x41\x11\x11\x11\x11\x11\x11\x11"
				"\x5f\x24\x03\x29\x12\x31"
				"\x9f\x1f\x04\x31\x32\x33\x34";
	char *out;
	int r;

	assert_true(tlv_is_emv(rec, sizeof(rec) - 1));
	out = printed(rec, sizeof(rec) - 1, &r);
	assert_int_equal(r, 0);
	/* Checked without printing: out holds card-shaped data on failure. */
	assert_null(strstr(out, "4111111111111111"));
	assert_null(strstr(out, "41111111"));
	assert_null(strstr(out, "31323334"));
	assert_non_null(strstr(out, "5A (PAN): 411111******1111\n"));
	assert_non_null(strstr(out, "pan=411111******1111 expiry=2912 "
				    "service-code=101\n"));
	assert_non_null(strstr(out, "5F24 (expiry date): 291231\n"));
	assert_non_null(strstr(out, "9F1F: (withheld, 4 bytes)\n"));
	free(out);
}

static void test_not_emv(void **state)
{
	static const u8 pattern[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05 };
	static const u8 truncated[] = { 0x6f, 0x05, 0x84, 0x01 };
	static const u8 long_len[] = { 0x6f, 0x83, 0x00, 0x00, 0x01 };
	u8 deep[2 * 12];
	char *out;
	int i, r;

	/* Twelve nested record templates: deeper than any EMV answer. */
	for (i = 0; i < 12; i++) {
		deep[2 * i] = 0x70;
		deep[2 * i + 1] = (u8)(2 * (11 - i));
	}
	assert_false(tlv_is_emv(pattern, sizeof(pattern)));
	assert_false(tlv_is_emv(truncated, sizeof(truncated)));
	assert_false(tlv_is_emv(long_len, sizeof(long_len)));
	assert_false(tlv_is_emv(deep, sizeof(deep)));
	assert_false(tlv_is_emv(NULL, 0));
	out = printed(truncated, sizeof(truncated), &r);
	assert_int_equal(r, -EBADMSG);
	assert_string_equal(out, "");
	free(out);
}

static void test_short_track2_withheld(void **state)
{
	/* A 57 too short to hold expiry and service code. */
	static const u8 rec[] = {
		0x70, 0x06, 0x57, 0x04, 0x41, 0x11, 0xd2, 0x9f
	};
	char *out;
	int r;

	out = printed(rec, sizeof(rec), &r);
	assert_int_equal(r, 0);
	assert_non_null(strstr(out, "(withheld, 4 bytes)"));
	assert_null(strstr(out, "4111"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_masked),
		cmocka_unit_test(test_not_emv),
		cmocka_unit_test(test_short_track2_withheld),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
