// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreaderd settings: config_set() and config_load() on real files,
 * config_check() on text in memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/posreaderd-config-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int load_text(struct config *c, const char *text)
{
	char *path = write_tmp(text);
	int ret = config_load(c, path);

	unlink(path);
	free(path);
	return ret;
}

static void test_set(void **state)
{
	struct config c = { 0 };

	assert_int_equal(config_set(&c, "bus", "session"), 0);
	assert_string_equal(c.bus, "session");
	assert_int_equal(config_set(&c, "bus", "unix:path=/x"), 0);
	assert_string_equal(c.bus, "unix:path=/x");
	assert_int_equal(config_set(&c, "sim", "/a"), 0);
	assert_int_equal(config_set(&c, "sim", "/b"), 0);
	assert_int_equal(c.n_sims, 2);
	assert_string_equal(c.sims[1], "/b");
	assert_int_equal(config_set(&c, "sim-dir", "/d"), 0);
	assert_int_equal(config_set(&c, "state-dir", "/s"), 0);
	assert_int_equal(config_set(&c, "log", "journal"), 0);
	assert_int_equal(c.log_target, LOG_TARGET_JOURNAL);
	assert_int_equal(config_set(&c, "log", "syslog"), -EINVAL);
	assert_int_equal(config_set(&c, "colour", "blue"), -ENOENT);
	assert_int_equal(config_set(&c, "bus", ""), -EINVAL);
	config_done(&c);
}

static void test_list_full(void **state)
{
	struct config c = { 0 };

	for (int i = 0; i < CONFIG_LIST_MAX; i++)
		assert_int_equal(config_set(&c, "sim", "/s"), 0);
	assert_int_equal(config_set(&c, "sim", "/s"), -E2BIG);
	assert_int_equal(c.n_sims, CONFIG_LIST_MAX);
	config_done(&c);
}

static void test_load(void **state)
{
	struct config c = { 0 };

	assert_int_equal(load_text(&c,
				   "# posreaderd\n"
				   "\n"
				   "  bus = session  \n"
				   "sim=/run/a.sock\n"
				   "\tsim-dir =\t/run/sims\r\n"
				   "state-dir = /var/lib/x # not a comment\n"),
			 0);
	assert_string_equal(c.bus, "session");
	assert_int_equal(c.n_sims, 1);
	assert_string_equal(c.sims[0], "/run/a.sock");
	assert_string_equal(c.sim_dirs[0], "/run/sims");
	assert_string_equal(c.state_dir, "/var/lib/x # not a comment");
	config_done(&c);
}

static void test_load_errors(void **state)
{
	struct config c = { 0 };
	char longline[2000];

	assert_int_equal(load_text(&c, "bus session\n"), -EINVAL);
	config_done(&c);
	assert_int_equal(load_text(&c, "speed = 3\n"), -EINVAL);
	config_done(&c);
	assert_int_equal(load_text(&c, "sim =\n"), -EINVAL);
	config_done(&c);
	memset(longline, 'a', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(load_text(&c, longline), -EINVAL);
	config_done(&c);
	assert_int_equal(config_load(&c, "/nonexistent/posreaderd.conf"),
			 -ENOENT);
	config_done(&c);
}

/* The security keys: groups, the PIN lockout ladder, the failure limit. */
static void test_security_keys(void **state)
{
	struct config c = { 0 };

	assert_int_equal(config_set(&c, "card-group", "pos"), 0);
	assert_string_equal(c.card_group, "pos");
	assert_int_equal(config_set(&c, "admin-group", "990"), 0);
	assert_string_equal(c.admin_group, "990");
	assert_int_equal(config_set(&c, "pin-lockout", "2,3,4"), 0);
	assert_int_equal(c.pin_lockout_s[0], 2);
	assert_int_equal(c.pin_lockout_s[1], 3);
	assert_int_equal(c.pin_lockout_s[2], 4);
	assert_int_equal(config_set(&c, "pin-lockout", "7"), 0);
	assert_int_equal(c.pin_lockout_s[0], 7);
	assert_int_equal(c.pin_lockout_s[2], 7);
	assert_int_equal(config_set(&c, "pin-lockout", "1,2"), 0);
	assert_int_equal(c.pin_lockout_s[1], 2);
	assert_int_equal(c.pin_lockout_s[2], 2);
	assert_int_equal(config_set(&c, "pin-lockout", "0"), -EINVAL);
	assert_int_equal(config_set(&c, "pin-lockout", "1,2,3,4"), -EINVAL);
	assert_int_equal(config_set(&c, "pin-lockout", "5,x"), -EINVAL);
	assert_int_equal(config_set(&c, "pin-lockout", "86401"), -EINVAL);
	/* A refused value leaves the last good one. */
	assert_int_equal(c.pin_lockout_s[0], 1);
	assert_int_equal(config_set(&c, "pin-max-failures", "5"), 0);
	assert_int_equal(c.pin_max_failures, 5);
	assert_int_equal(config_set(&c, "pin-max-failures", "0"), -EINVAL);
	assert_int_equal(config_set(&c, "pin-max-failures", "21"), -EINVAL);
	assert_int_equal(config_set(&c, "pin-max-failures", "3x"), -EINVAL);
	assert_int_equal(c.pin_max_failures, 5);
	config_done(&c);
}

/* config_check(): the same rules on text in memory, with the why. */
static void test_check(void **state)
{
	static const char good[] = "# shop\nkernel = yes\npin-lockout = 60\n";
	char why[256] = "", longline[1100];

	assert_int_equal(config_check("/etc/p.conf", good, strlen(good), why,
				      sizeof(why)),
			 0);
	assert_int_equal(config_check("/etc/p.conf", "", 0, why, sizeof(why)),
			 0);
	assert_int_equal(config_check("/etc/p.conf", "usb = yes\nspeed = 3\n",
				      20, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "/etc/p.conf:2: unknown key \"speed\"");
	assert_int_equal(
		config_check("/etc/p.conf", "usb yes\n", 8, why, sizeof(why)),
		-EINVAL);
	assert_string_equal(why, "/etc/p.conf:1: expected \"key = value\"");
	assert_int_equal(config_check("/etc/p.conf", "usb = maybe\n", 12, why,
				      sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "/etc/p.conf:1: bad value for usb"));
	assert_int_equal(config_check("/etc/p.conf", "usb = yes\0\n", 11, why,
				      sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "/etc/p.conf: contains a NUL byte");
	memset(longline, 'a', sizeof(longline));
	assert_int_equal(config_check("/etc/p.conf", longline, sizeof(longline),
				      why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "/etc/p.conf:1: line too long");
	/* What the message quotes from the file is shown as ASCII. */
	assert_int_equal(config_check("/etc/p.conf", "f\xc3\xa4rg = 1\n", 10,
				      why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "/etc/p.conf:1: unknown key \"f??rg\"");
	/* Without a final newline the last line still counts. */
	assert_int_equal(
		config_check("/etc/p.conf", "usb = yes", 9, why, sizeof(why)),
		0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_list_full),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_security_keys),
		cmocka_unit_test(test_check),
	};

	log_setup(LOG_TARGET_STDERR, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
