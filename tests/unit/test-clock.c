// SPDX-License-Identifier: GPL-2.0-or-later
/* The clock rules: monotonic within a boot, conservative across boots. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "sec-helpers.h"

static void test_real_clock(void **state)
{
	char kernel_id[PRCLOCK_BOOT_ID_LEN + 1] = "";
	struct prclock_now a, b;
	FILE *f;

	assert_int_equal(prclock_read(NULL, &a), 0);
	assert_true(prclock_boot_id_valid(a.boot_id));
	assert_int_equal(prclock_read(NULL, &b), 0);
	assert_string_equal(a.boot_id, b.boot_id);
	assert_true(b.boot_us >= a.boot_us);
	assert_true(a.wall_us > 0);
	/* Read once per process, it is still the kernel's. */
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	assert_non_null(f);
	assert_non_null(fgets(kernel_id, sizeof(kernel_id), f));
	fclose(f);
	assert_string_equal(b.boot_id, kernel_id);
}

static void test_boot_id_validation(void **state)
{
	assert_true(
		prclock_boot_id_valid("0a1b2c3d-0000-4000-8000-0123456789ab"));
	assert_false(prclock_boot_id_valid(NULL));
	assert_false(prclock_boot_id_valid(""));
	assert_false(
		prclock_boot_id_valid("0A1B2C3D-0000-4000-8000-0123456789ab"));
	assert_false(
		prclock_boot_id_valid("0a1b2c3d00000-4000-8000-0123456789ab"));
	assert_false(
		prclock_boot_id_valid("0a1b2c3d-0000-4000-8000-0123456789abc"));
}

static void test_deadline_within_boot(void **state)
{
	struct fake_clock f;
	struct prclock_now now;
	struct prdeadline d;
	bool rebased = true;

	fake_clock_init(&f);
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	prdeadline_start(&d, &now, 60 * USEC_PER_SEC);
	assert_int_equal(prdeadline_remaining(&d, &now, &rebased),
			 60 * USEC_PER_SEC);
	assert_false(rebased);

	/* The wall clock does not count. */
	f.wall_us += 1000 * (int64_t)USEC_PER_HOUR;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, NULL),
			 60 * USEC_PER_SEC);
	f.wall_us -= 2000 * (int64_t)USEC_PER_HOUR;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, NULL),
			 60 * USEC_PER_SEC);

	f.boot_us += 59 * USEC_PER_SEC;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, NULL), USEC_PER_SEC);
	f.boot_us += USEC_PER_SEC;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, NULL), 0);
}

static void test_boottime_backwards_is_no_time(void **state)
{
	struct fake_clock f;
	struct prclock_now now;
	struct prdeadline d;

	fake_clock_init(&f);
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	prdeadline_start(&d, &now, 60 * USEC_PER_SEC);
	f.boot_us -= 30 * USEC_PER_SEC;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, NULL),
			 60 * USEC_PER_SEC);
}

static void test_reboot_restarts_in_full(void **state)
{
	struct fake_clock f;
	struct prclock_now now;
	struct prdeadline d;
	bool rebased = false;

	fake_clock_init(&f);
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	prdeadline_start(&d, &now, 300 * USEC_PER_SEC);
	f.boot_us += 290 * USEC_PER_SEC;
	fake_reboot(&f);
	/* Even with the wall clock far ahead after the reboot. */
	f.wall_us += 48 * (int64_t)USEC_PER_HOUR;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, &rebased),
			 300 * USEC_PER_SEC);
	assert_true(rebased);
	assert_string_equal(d.boot_id, now.boot_id);
	/* Now it counts down on the new boot. */
	f.boot_us += 100 * USEC_PER_SEC;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prdeadline_remaining(&d, &now, &rebased),
			 200 * USEC_PER_SEC);
	assert_false(rebased);
}

static void test_age(void **state)
{
	struct fake_clock f;
	struct prclock_now now;
	char old_boot[PRCLOCK_BOOT_ID_LEN + 1];
	uint64_t t;

	fake_clock_init(&f);
	t = f.boot_us;
	f.boot_us += 10 * USEC_PER_SEC;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	assert_int_equal(prclock_age(&now, now.boot_id, t), 10 * USEC_PER_SEC);
	/* From the future (same boot): age 0. */
	assert_int_equal(prclock_age(&now, now.boot_id, f.boot_us + 5), 0);
	memcpy(old_boot, now.boot_id, sizeof(old_boot));
	fake_reboot(&f);
	f.boot_us += USEC_PER_HOUR * 5;
	assert_int_equal(prclock_read(&f.clock, &now), 0);
	/* From another boot: as if it just happened. */
	assert_int_equal(prclock_age(&now, old_boot, t), 0);
	assert_int_equal(prclock_age(&now, NULL, t), 0);
}

static void expect_duration(uint64_t usec, const char *text)
{
	char buf[PRDURATION_MAX];

	assert_int_equal(prduration_format(buf, sizeof(buf), usec),
			 (int)strlen(text));
	assert_string_equal(buf, text);
}

static void test_duration_format(void **state)
{
	char small[6];

	expect_duration(0, "0 s");
	/* What is left of a lockout is never "0": rests round up. */
	expect_duration(1, "1 s");
	expect_duration(44 * USEC_PER_SEC + 1, "45 s");
	expect_duration(45 * USEC_PER_SEC, "45 s");
	expect_duration(USEC_PER_MIN, "1 min");
	expect_duration(4 * USEC_PER_MIN + 30 * USEC_PER_SEC, "4 min 30 s");
	expect_duration(USEC_PER_HOUR, "1 h");
	expect_duration(2 * USEC_PER_HOUR + 5 * USEC_PER_MIN, "2 h 5 min");
	expect_duration(USEC_PER_HOUR + 1 * USEC_PER_SEC, "1 h 1 s");
	expect_duration(24 * USEC_PER_HOUR, "24 h");
	expect_duration(25 * USEC_PER_HOUR + 61 * USEC_PER_SEC,
			"25 h 1 min 1 s");
	/* Too small a buffer: an error and an empty string, never a part. */
	assert_int_equal(prduration_format(small, sizeof(small),
					   USEC_PER_MIN + USEC_PER_SEC),
			 -ENOBUFS);
	assert_string_equal(small, "");
	assert_int_equal(prduration_format(small, 0, 1), -ENOBUFS);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_clock),
		cmocka_unit_test(test_boot_id_validation),
		cmocka_unit_test(test_deadline_within_boot),
		cmocka_unit_test(test_boottime_backwards_is_no_time),
		cmocka_unit_test(test_reboot_restarts_in_full),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_duration_format),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
