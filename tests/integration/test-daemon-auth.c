// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reader authenticity end to end: posreaderd on a private dbus-daemon
 * with posreader-sim. The terminal is provisioned by the test hook
 * POSREADER_TEST_PROVISION=1, which also pairs a reader that can
 * authenticate with the simulator's default pairing key (00..1f) the
 * first time its serial attaches. A reader proving that key keeps the
 * terminal active; an impostor with the same serial and another key, a
 * paired reader without AUTH, or a reader that does not answer the
 * self-test's challenge blocks it with reader-not-genuine naming the
 * serial, until an admin pairs the serial again (PairReader).
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

#include "harness.h"

#define SERIAL "SIM-AUTH-1"
/* A pairing key that is not the one paired. */
#define IMPOSTOR_KEY \
	"a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"

static struct env env;
static char *rpath;

/* One entry of LockReasons. */
struct reason {
	char subject[64], message[256], ways[160];
};

/* Find reason want in LockReasons; true and *ret if present. */
static bool find_reason(sd_bus *bus, const char *want, struct reason *ret)
{
	sd_bus_message *reply = NULL;
	const char *id, *subject, *message, *s;
	bool found = false;

	assert_true(
		sd_bus_get_property(bus, "org.posreader1", "/org/posreader1",
				    "org.posreader1.Terminal", "LockReasons",
				    NULL, &reply, "a(sssasa{sv})") >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a',
						   "(sssasa{sv})") >= 0);
	while (sd_bus_message_enter_container(reply, 'r', "sssasa{sv}") > 0) {
		struct reason r = { 0 };

		assert_true(sd_bus_message_read(reply, "sss", &id, &subject,
						&message) >= 0);
		snprintf(r.subject, sizeof(r.subject), "%s", subject);
		snprintf(r.message, sizeof(r.message), "%s", message);
		assert_true(sd_bus_message_enter_container(reply, 'a', "s") >=
			    0);
		while (sd_bus_message_read(reply, "s", &s) > 0) {
			strncat(r.ways, s, sizeof(r.ways) - strlen(r.ways) - 2);
			strcat(r.ways, ",");
		}
		assert_true(sd_bus_message_exit_container(reply) >= 0);
		assert_true(sd_bus_message_skip(reply, "a{sv}") >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
		if (!found && strcmp(id, want) == 0) {
			found = true;
			if (ret)
				*ret = r;
		}
	}
	sd_bus_message_unref(reply);
	return found;
}

static sd_bus *client(void)
{
	sd_bus *bus = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	wait_reader_serial(bus, rpath);
	return bus;
}

/* Call a Terminal method; 0 or the negative errno (name: error_name). */
static char error_name[128];

static int tcall(sd_bus *bus, const char *method, sd_bus_message **ret_reply,
		 const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	va_list ap;
	int ret;

	error_name[0] = '\0';
	ret = sd_bus_message_new_method_call(bus, &m, "org.posreader1",
					     "/org/posreader1",
					     "org.posreader1.Terminal", method);
	if (ret >= 0 && types) {
		va_start(ap, types);
		ret = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (ret >= 0)
		ret = sd_bus_call(bus, m, 20 * 1000000ULL, &error, &reply);
	if (ret < 0)
		snprintf(error_name, sizeof(error_name), "%s",
			 error.name ? error.name : "?");
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	if (ret >= 0 && ret_reply)
		*ret_reply = reply;
	else
		sd_bus_message_unref(reply);
	return ret < 0 ? ret : 0;
}

/* RunSelfTest; the status of the reader-auth check of SERIAL, or "". */
static const char *selftest_reader_auth(sd_bus *bus)
{
	static char status[16];
	sd_bus_message *reply = NULL;
	const char *check, *st, *subject, *message;

	status[0] = '\0';
	assert_int_equal(tcall(bus, "RunSelfTest", &reply, NULL), 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "(ssss)") >= 0);
	while (sd_bus_message_read(reply, "(ssss)", &check, &st, &subject,
				   &message) > 0)
		if (strcmp(check, "reader-auth") == 0 &&
		    strcmp(subject, SERIAL) == 0)
			snprintf(status, sizeof(status), "%s", st);
	sd_bus_message_unref(reply);
	return status;
}

/* PairReader(SERIAL) with the simulator's default key and its KCV. */
static int pair_default_key(sd_bus *bus)
{
	/* KCV: HMAC-SHA256(key, 16 zero bytes), first 3 bytes. */
	static const uint8_t kcv[3] = { 0xff, 0x92, 0x12 };
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	uint8_t key[32];
	int ret;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	ret = sd_bus_message_new_method_call(
		bus, &m, "org.posreader1", "/org/posreader1",
		"org.posreader1.Terminal", "PairReader");
	if (ret >= 0)
		ret = sd_bus_message_append(m, "s", SERIAL);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', key, sizeof(key));
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', kcv, sizeof(kcv));
	if (ret >= 0)
		ret = sd_bus_call(bus, m, 0, &error, NULL);
	if (ret < 0)
		print_error("PairReader: %s\n", error.message);
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

/* Replace the simulator behind SERIAL; wait until it is back. */
static void replace_sim(sd_bus *bus, const char *caps, const char *key)
{
	uint64_t end;

	assert_int_equal(env_stop_sim(&env, 0), 0);
	/* Gone from the bus before the new one comes. */
	end = now_ms() + 5000;
	while (now_ms() < end) {
		char *s = NULL;

		if (reader_get_string(bus, rpath, "Serial", &s) < 0)
			break;
		free(s);
		bus_pump(bus, 50);
	}
	assert_int_equal(env_start_sim_key(&env, 0, SERIAL, caps, key), 0);
	wait_reader_serial(bus, rpath);
}

/* Blocked by reader-not-genuine for SERIAL; card services refused. */
static void expect_not_genuine(sd_bus *bus, const char *why)
{
	struct reason r;

	assert_true(wait_state(bus, "blocked", 5000));
	assert_true(find_reason(bus, "reader-not-genuine", &r));
	assert_string_equal(r.subject, SERIAL);
	assert_non_null(strstr(r.message, SERIAL));
	if (why && !strstr(r.message, why))
		fail_msg("expected \"%s\" in \"%s\"", why, r.message);
	/* docs/security.md: re-pairing is the way out. */
	assert_string_equal(r.ways, "re-pairing,");
	expect_bus_error(reader_call(bus, rpath, "Claim", NULL, NULL),
			 "org.posreader1.Error.Locked");
	expect_bus_error(
		reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0, 100),
		"org.posreader1.Error.Locked");
}

/* An admin pairs the serial again: the reason goes, the terminal is on. */
static void repair(sd_bus *bus)
{
	assert_int_equal(pair_default_key(bus), 0);
	assert_true(wait_state(bus, "active", 2000));
	assert_false(find_reason(bus, "reader-not-genuine", NULL));
}

/* ---- Tests ------------------------------------------------------------ */

static void test_genuine_reader(void **state)
{
	sd_bus *bus = client();

	assert_string_equal(lock_state(bus), "active");
	assert_false(find_reason(bus, "reader-not-genuine", NULL));
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_int_equal(reader_call(bus, rpath, "Release", NULL, NULL), 0);
	/* The self-test challenges it again, and it passes. */
	assert_string_equal(selftest_reader_auth(bus), "pass");
	assert_string_equal(lock_state(bus), "active");
	sd_bus_flush_close_unref(bus);
}

static void test_impostor_then_repair(void **state)
{
	sd_bus *bus = client();

	replace_sim(bus, NULL, IMPOSTOR_KEY);
	expect_not_genuine(bus, "wrong authentication response");
	repair(bus);
	/* The genuine reader is back: no new reason. */
	replace_sim(bus, NULL, NULL);
	assert_true(wait_state(bus, "active", 2000));
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_int_equal(reader_call(bus, rpath, "Release", NULL, NULL), 0);
	sd_bus_flush_close_unref(bus);
}

static void test_paired_reader_without_auth(void **state)
{
	sd_bus *bus = client();

	replace_sim(bus, "magstripe,icc,nfc", NULL);
	expect_not_genuine(bus, "does not support authentication");
	replace_sim(bus, NULL, NULL);
	repair(bus);
	sd_bus_flush_close_unref(bus);
}

static void test_selftest_auth_timeout(void **state)
{
	sd_bus *bus = client();

	assert_string_equal(lock_state(bus), "active");
	/* The next answer, the self-test's AUTH, never comes. */
	assert_int_equal(env_sim_ctl(&env, 0, "misbehave", "silence", NULL), 0);
	assert_string_equal(selftest_reader_auth(bus), "fail");
	expect_not_genuine(bus, "did not answer");
	repair(bus);
	assert_string_equal(selftest_reader_auth(bus), "pass");
	assert_string_equal(lock_state(bus), "active");
	sd_bus_flush_close_unref(bus);
}

static void test_no_key_in_log(void **state)
{
	char *log = read_file(env.daemon_log);

	assert_non_null(log);
	assert_null(strstr(log, IMPOSTOR_KEY));
	assert_null(strstr(log, "000102030405060708090a0b0c0d0e0f"));
	assert_null(strstr(log, "000102030405060708090A0B0C0D0E0F"));
	free(log);
}

static int group_setup(void **state)
{
	if (env_start_bus(&env) < 0)
		return -1;
	rpath = env_start_reader(&env, SERIAL);
	return rpath ? 0 : -1;
}

static int group_teardown(void **state)
{
	env_stop(&env);
	free(rpath);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine_reader),
		cmocka_unit_test(test_impostor_then_repair),
		cmocka_unit_test(test_paired_reader_without_auth),
		cmocka_unit_test(test_selftest_auth_timeout),
		cmocka_unit_test(test_no_key_in_log),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
