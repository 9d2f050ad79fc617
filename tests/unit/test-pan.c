// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Luhn check digit and PAN masking. cmocka prints the text of an
 * assert_true() expression and both operands of string assertions, so
 * clear PANs only ever appear there by name; masked PANs may be printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pan.h"

/* Public test card numbers of the card schemes. */
#define PAN_VISA    "4111111111111111"
#define PAN_VISA_13 "4222222222222"
#define PAN_MC	    "5500000000000004"
#define PAN_AMEX    "378282246310005"
#define PAN_19	    "6011000990139424009"

static void test_luhn_valid(void **state)
{
	static const char *const valid[] = {
		PAN_VISA,
		PAN_VISA_13,
		PAN_MC,
		PAN_AMEX,
		PAN_19,
		"4012888888881881",
		"5555555555554444",
		"6011111111111117",
		/* The worked example of the Luhn algorithm. */
		"79927398713",
		"00",
	};
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (!pan_luhn_valid(valid[i]))
			fail_msg("Luhn rejects valid number #%zu", i);
}

static void test_luhn_invalid(void **state)
{
	static const char *const invalid[] = {
		"4111111111111112",
		"4111111111111121",
		"5500000000000005",
		"378282246310006",
		"79927398710",
		/* A swap of adjacent digits is what Luhn is for. */
		"79927398731",
		"",
		"0",
		"4111 1111 1111 1111",
		"411111111111111a",
		"4111111111111111\n",
		/* Luhn-valid digits, but longer than any PAN. */
		"00000000000000000000",
		"41111111111111111110",
	};
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (pan_luhn_valid(invalid[i]))
			fail_msg("Luhn accepts invalid number #%zu", i);
	assert_false(pan_luhn_valid(NULL));
}

static void mask_expect(const char *pan, const char *want)
{
	char out[PAN_MASKED_SIZE];

	assert_int_equal(pan_mask(pan, out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_mask(void **state)
{
	mask_expect(PAN_VISA_13, "422222***2222");
	mask_expect(PAN_VISA, "411111******1111");
	mask_expect(PAN_MC, "550000******0004");
	mask_expect(PAN_AMEX, "378282*****0005");
	mask_expect(PAN_19, "601100*********4009");
	/* Luhn does not matter for masking. */
	mask_expect("1234567890123", "123456***0123");
}

static void mask_refused(const char *pan)
{
	char out[64];

	memset(out, 'x', sizeof(out));
	assert_int_equal(pan_mask(pan, out, sizeof(out)), -EINVAL);
	assert_int_equal(out[0], 'x');
}

static void test_mask_refused(void **state)
{
	char out[PAN_MASKED_SIZE];

	mask_refused("422222222222");
	mask_refused("42222222222222222222");
	mask_refused("411111111111111111111111111111");
	mask_refused("");
	mask_refused(NULL);
	mask_refused("4111 1111 1111 1111");
	mask_refused("411111111111111x");
	mask_refused("-411111111111111");
	assert_int_equal(pan_mask(PAN_VISA, NULL, 0), -EINVAL);

	/* Room for the digits and the terminator, or nothing. */
	memset(out, 'x', sizeof(out));
	assert_int_equal(pan_mask(PAN_VISA, out, 16), -ENOBUFS);
	assert_int_equal(out[0], 'x');
	assert_int_equal(pan_mask(PAN_VISA, out, 17), 16);
	assert_string_equal(out, "411111******1111");
}

static void test_mask_hides_middle(void **state)
{
	const char *pan = "4929123456781234";
	const char *hidden = pan + 6;
	char out[PAN_MASKED_SIZE];

	assert_int_equal(pan_mask(pan, out, sizeof(out)), 16);
	/* The six hidden digits appear nowhere in the output. */
	assert_true(memmem(out, strlen(out), hidden, 6) == NULL);
	assert_int_equal(strspn(out + 6, "*"), 6);
	assert_int_equal(strncmp(out, pan, 6), 0);
	assert_int_equal(strcmp(out + 12, pan + 12), 0);
}

static void test_last4(void **state)
{
	char out[PAN_LAST4_SIZE];

	assert_int_equal(pan_last4(PAN_VISA, out, sizeof(out)), 4);
	assert_string_equal(out, "1111");
	assert_int_equal(pan_last4(PAN_AMEX, out, sizeof(out)), 4);
	assert_string_equal(out, "0005");
	assert_int_equal(pan_last4(PAN_VISA_13, out, sizeof(out)), 4);
	assert_string_equal(out, "2222");
	assert_int_equal(pan_last4(PAN_19, out, sizeof(out)), 4);
	assert_string_equal(out, "4009");
	assert_int_equal(pan_last4("422222222222", out, sizeof(out)), -EINVAL);
	assert_int_equal(pan_last4(NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(pan_last4(PAN_VISA, out, 4), -ENOBUFS);
}

static void test_maskable(void **state)
{
	static const char *const no[] = {
		"422222222222",	     "60110009901394240090",
		"411111111111111/",  "",
		" 4111111111111111",
	};
	size_t i;

	assert_true(pan_is_maskable(PAN_VISA_13));
	assert_true(pan_is_maskable(PAN_19));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (pan_is_maskable(no[i]))
			fail_msg("maskable: #%zu", i);
	assert_false(pan_is_maskable(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luhn_valid),
		cmocka_unit_test(test_luhn_invalid),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_refused),
		cmocka_unit_test(test_mask_hides_middle),
		cmocka_unit_test(test_last4),
		cmocka_unit_test(test_maskable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
