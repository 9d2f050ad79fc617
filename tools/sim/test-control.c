// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the simulator's control language. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.h"

struct fixture {
	struct sim_device *dev;
	struct sim_host_ops host;
	bool connected;
	bool quit;
	unsigned int events;
	char reply[SIM_CTL_REPLY_MAX];
};

static int count_out(void *userdata, enum sim_channel ch, const u8 *frame,
		     size_t n)
{
	struct fixture *fx = userdata;

	if (ch == SIM_CH_EVENT)
		fx->events++;
	return 0;
}

static bool is_connected(void *userdata)
{
	return ((struct fixture *)userdata)->connected;
}

static int do_disconnect(void *userdata)
{
	struct fixture *fx = userdata;

	if (!fx->connected)
		return -ENOTCONN;
	fx->connected = false;
	return 0;
}

static void do_quit(void *userdata)
{
	((struct fixture *)userdata)->quit = true;
}

static int setup(void **state)
{
	struct sim_identity id;
	struct fixture *fx;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	sim_identity_default(&id);
	assert_int_equal(sim_device_new(&id, count_out, fx, &fx->dev), 0);
	fx->host.userdata = fx;
	fx->host.connected = is_connected;
	fx->host.disconnect = do_disconnect;
	fx->host.quit = do_quit;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sim_device_free(fx->dev);
	free(fx);
	return 0;
}

static int run(struct fixture *fx, const char *line)
{
	return sim_control_exec(fx->dev, &fx->host, line, fx->reply,
				sizeof(fx->reply));
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void test_split_quote_roundtrip(void **state)
{
	static const char *const words[] = { "swipe", "track1=%B1^A B^29?",
					     "a\"b", "back\\slash", "" };
	char line[256] = "";
	char *argv[8];
	size_t i;

	for (i = 0; i < 5; i++)
		assert_int_equal(
			sim_control_quote(words[i], line, sizeof(line)), 0);
	assert_int_equal(sim_control_split(line, argv, 8), 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(argv[i], words[i]);
	strcpy(line, "a \"unterminated");
	assert_int_equal(sim_control_split(line, argv, 8), -EINVAL);
	strcpy(line, "1 2 3 4 5 6 7 8 9");
	assert_int_equal(sim_control_split(line, argv, 8), -EINVAL);
	line[0] = '\0';
	assert_int_equal(sim_control_quote("x", line, 2), -ENOSPC);
}

static void test_swipe_commands(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(run(fx, "swipe"), 0);
	assert_string_equal(fx->reply, "ok");
	assert_int_equal(run(fx, "swipe raw error=1"), 0);
	assert_int_equal(run(fx, "swipe \"track1=%B4111111111111111^DOE/JOHN "
				 "Q^2912101?\""),
			 0);
	assert_int_equal(fx->events, 3);
	/* Errors name the track, never its contents. */
	assert_true(run(fx, "swipe track2=4111111111111111=29x") < 0);
	assert_true(starts(fx->reply, "error swipe: track2"));
	assert_null(strstr(fx->reply, "4111"));
	assert_true(run(fx, "swipe 4111111111111111") < 0);
	assert_null(strstr(fx->reply, "4111"));
	assert_true(run(fx, "swipe error=4") < 0);
	assert_int_equal(fx->events, 3);
}

static void test_slots_and_status(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(run(fx, "icc insert atr=3B0212"), 0);
	assert_true(run(fx, "icc insert") < 0);
	assert_true(starts(fx->reply, "error icc:"));
	assert_true(run(fx, "icc insert atr=zz") < 0);
	assert_int_equal(run(fx, "nfc tap uid=01020304 ats=7780"), 0);
	assert_true(run(fx, "nfc tap uid=0102") < 0);
	assert_int_equal(run(fx, "tamper cause=voltage"), 0);
	assert_true(run(fx, "tamper cause=fire") < 0);
	assert_int_equal(run(fx, "pin-tries 2"), 0);
	assert_int_equal(run(fx, "latency 250"), 0);
	assert_int_equal(run(fx, "misbehave bad-crc count=3"), 0);
	assert_int_equal(run(fx, "status"), 0);
	assert_non_null(strstr(fx->reply, "icc=present"));
	assert_non_null(strstr(fx->reply, "nfc=present"));
	assert_non_null(strstr(fx->reply, "tamper=voltage"));
	assert_non_null(strstr(fx->reply, "pin-tries=2"));
	assert_non_null(strstr(fx->reply, "latency=250"));
	assert_non_null(strstr(fx->reply, "misbehave=bad-crc count=3"));
	assert_non_null(strstr(fx->reply, "misbehave-only=all"));
	assert_int_equal(run(fx, "misbehave silence only=auth count=2"), 0);
	assert_int_equal(run(fx, "status"), 0);
	assert_non_null(strstr(fx->reply, "misbehave=silence count=2"));
	assert_non_null(strstr(fx->reply, "misbehave-only=auth"));
	assert_non_null(strstr(fx->reply, "host=none"));
	assert_int_equal(run(fx, "tamper clear"), 0);
	assert_int_equal(run(fx, "misbehave off"), 0);
	assert_int_equal(run(fx, "icc remove"), 0);
	assert_int_equal(run(fx, "nfc remove"), 0);
	assert_true(run(fx, "nfc remove") < 0);
	assert_int_equal(run(fx, "status"), 0);
	assert_non_null(strstr(fx->reply, "icc=absent"));
	assert_non_null(strstr(fx->reply, "tamper=none"));
	assert_non_null(strstr(fx->reply, "misbehave=off"));
	assert_non_null(strstr(fx->reply, "misbehave-only=all"));
}

static void test_bad_input(void **state)
{
	struct fixture *fx = *state;
	char *huge;

	assert_true(run(fx, "") < 0);
	assert_true(run(fx, "frobnicate") < 0);
	assert_true(run(fx, "latency") < 0);
	assert_true(run(fx, "latency -5") < 0);
	assert_true(run(fx, "latency 99999999999999999999") < 0);
	assert_true(run(fx, "misbehave sideways") < 0);
	assert_true(run(fx, "misbehave flood count=501") < 0);
	assert_true(run(fx, "misbehave garbage count=0") < 0);
	assert_true(run(fx, "misbehave silence only=swipe") < 0);
	assert_true(run(fx, "misbehave silence only=") < 0);
	assert_true(run(fx, "misbehave silence sideways=1") < 0);
	assert_true(run(fx, "misbehave silence count=1 only=auth x=1") < 0);
	assert_true(run(fx, "pin 12") < 0);
	assert_true(run(fx, "pin-tries 16") < 0);
	assert_true(run(fx, "status extra") < 0);
	assert_true(run(fx, "swipe \"unterminated") < 0);
	huge = malloc(SIM_CTL_LINE_MAX + 10);
	assert_non_null(huge);
	memset(huge, 'a', SIM_CTL_LINE_MAX + 9);
	huge[SIM_CTL_LINE_MAX + 9] = '\0';
	assert_int_equal(run(fx, huge), -E2BIG);
	free(huge);
	assert_true(starts(fx->reply, "error "));
}

static void test_host_commands(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(run(fx, "disconnect"), -ENOTCONN);
	fx->connected = true;
	assert_int_equal(run(fx, "status"), 0);
	assert_non_null(strstr(fx->reply, "host=connected"));
	assert_int_equal(run(fx, "disconnect"), 0);
	assert_false(fx->connected);
	assert_int_equal(run(fx, "quit"), 0);
	assert_true(fx->quit);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_quote_roundtrip),
		T(test_swipe_commands),
		T(test_slots_and_status),
		T(test_bad_input),
		T(test_host_commands),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
