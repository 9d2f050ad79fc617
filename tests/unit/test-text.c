// SPDX-License-Identifier: GPL-2.0-or-later
/* text_strip(): the trimming of "key = value" lines (daemon/text.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

/* text_strip() on a copy of in must give out, inside the same buffer. */
static void expect_strip(const char *in, const char *out)
{
	char buf[64], *s;

	assert_true(strlen(in) < sizeof(buf));
	strcpy(buf, in);
	s = text_strip(buf);
	assert_string_equal(s, out);
	assert_true(s >= buf && s + strlen(s) <= buf + strlen(in));
}

static void test_blanks_both_ends(void **state)
{
	expect_strip("key", "key");
	expect_strip("  key", "key");
	expect_strip("\tkey\t ", "key");
	expect_strip(" \t sim-dir = /run/sims \t", "sim-dir = /run/sims");
}

/* A line from fgets() or a file written on another system. */
static void test_line_ends(void **state)
{
	expect_strip("log = journal\n", "log = journal");
	expect_strip("log = journal\r\n", "log = journal");
	expect_strip("log = journal \r\n\t", "log = journal");
}

/* Blanks inside are kept; only the ends are cut. */
static void test_inside_kept(void **state)
{
	expect_strip("  a \t b  ", "a \t b");
}

static void test_empty_and_blank(void **state)
{
	expect_strip("", "");
	expect_strip(" ", "");
	expect_strip(" \t\r\n", "");
	expect_strip("\n", "");
}

/* Line ends are only cut at the end: a leading CR or LF stays. */
static void test_leading_line_end_kept(void **state)
{
	expect_strip("\nkey", "\nkey");
	expect_strip("\r key ", "\r key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blanks_both_ends),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_inside_kept),
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_leading_line_end_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
