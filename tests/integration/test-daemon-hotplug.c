// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Simulated readers coming and going under a running posreaderd: several
 * at once, removal, the same stable path on return, and a reader lost in
 * the middle of a pending call. In the VM harness each reader is a USB
 * gadget on its own dummy_hcd port.
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

#define N_SIMS 5

static struct env env;
static const char *const serials[N_SIMS] = { "HP-1", "HP-2", "HP-3", "HP.4",
					     "hp 5" };

static int group_setup(void **state)
{
	if (env_start_bus(&env) < 0)
		return -1;
	return env_start_daemon(&env) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	env_stop(&env);
	return 0;
}

/* Object paths of the readers GetManagedObjects lists, sorted out. */
static unsigned int managed_readers(sd_bus *bus, char paths[][128],
				    unsigned int max)
{
	sd_bus_message *reply = NULL;
	const char *path;
	unsigned int n = 0;

	assert_true(sd_bus_call_method(bus, "org.posreader1", "/org/posreader1",
				       "org.freedesktop.DBus.ObjectManager",
				       "GetManagedObjects", NULL, &reply,
				       "") >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") >
		    0);
	while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_true(sd_bus_message_read(reply, "o", &path) > 0);
		if (n < max)
			snprintf(paths[n], 128, "%s", path);
		n++;
		assert_true(sd_bus_message_skip(reply, "a{sa{sv}}") >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	sd_bus_message_unref(reply);
	return n;
}

static bool listed(char paths[][128], unsigned int n, const char *path)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(paths[i], path) == 0)
			return true;
	return false;
}

/* Take InterfacesAdded/Removed signals until all of serials[mask] came. */
static void expect_object_signals(struct sig_log *log, const char *member,
				  unsigned int mask)
{
	sd_bus_message *m = NULL;
	const char *path;
	unsigned int seen = 0;

	while (seen != mask) {
		assert_int_equal(
			sig_log_wait(log, "/org/posreader1", member, 5000, &m),
			0);
		assert_true(sd_bus_message_read(m, "o", &path) > 0);
		for (unsigned int i = 0; i < N_SIMS; i++)
			if (strcmp(path, reader_path(serials[i])) == 0)
				seen |= 1u << i;
		sd_bus_message_unref(m);
	}
}

static void test_several_at_once(void **state)
{
	struct sig_log *log = NULL;
	sd_bus *bus = NULL;
	char paths[16][128];
	char *s = NULL;
	unsigned int n;

	assert_int_equal(env_connect(&env, &bus), 0);
	assert_int_equal(sig_log_new(bus, &log), 0);
	bus_pump(bus, scaled_ms(50));
	assert_int_equal(managed_readers(bus, paths, 16), 0);
	for (unsigned int i = 0; i < N_SIMS; i++)
		assert_int_equal(env_start_sim(&env, i, serials[i], NULL), 0);
	expect_object_signals(log, "InterfacesAdded", (1u << N_SIMS) - 1);

	n = managed_readers(bus, paths, 16);
	assert_int_equal(n, N_SIMS);
	for (unsigned int i = 0; i < N_SIMS; i++) {
		assert_true(listed(paths, n, reader_path(serials[i])));
		assert_int_equal(reader_get_string(bus, reader_path(serials[i]),
						   "Serial", &s),
				 0);
		assert_string_equal(s, serials[i]);
		free(s);
	}
	/* Serials that need escaping still make valid, distinct paths. */
	assert_string_equal(reader_path("HP.4"),
			    "/org/posreader1/reader/HP_2e4");
	sig_log_free(log);
	sd_bus_flush_close_unref(bus);
}

static void test_removal_and_return(void **state)
{
	struct sig_log *log = NULL;
	sd_bus *bus = NULL;
	char paths[16][128];
	unsigned int n;

	assert_int_equal(env_connect(&env, &bus), 0);
	assert_int_equal(sig_log_new(bus, &log), 0);
	bus_pump(bus, scaled_ms(50));
	env_stop_sim(&env, 0);
	env_stop_sim(&env, 2);
	expect_object_signals(log, "InterfacesRemoved", 1u << 0 | 1u << 2);
	n = managed_readers(bus, paths, 16);
	assert_int_equal(n, N_SIMS - 2);
	assert_false(listed(paths, n, reader_path(serials[0])));
	assert_false(listed(paths, n, reader_path(serials[2])));
	/* Calls on a vanished reader fail cleanly. */
	assert_true(reader_call(bus, reader_path(serials[0]), "Claim", NULL,
				NULL) < 0);
	assert_string_equal(last_error_name(),
			    "org.freedesktop.DBus.Error.UnknownObject");

	/* Back again: the same path, derived from the serial. */
	assert_int_equal(env_start_sim(&env, 0, serials[0], NULL), 0);
	expect_object_signals(log, "InterfacesAdded", 1u << 0);
	n = managed_readers(bus, paths, 16);
	assert_int_equal(n, N_SIMS - 1);
	assert_true(listed(paths, n, reader_path(serials[0])));
	sig_log_free(log);
	sd_bus_flush_close_unref(bus);
}

static void test_lost_during_wait(void **state)
{
	const char *path = reader_path(serials[1]);
	struct sig_log *log = NULL;
	sd_bus_message *m = NULL;
	sd_bus *bus = NULL;
	char *owner = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_int_equal(reader_call(bus, path, "Claim", NULL, NULL), 0);
	assert_int_equal(sd_bus_call_method_async(bus, NULL, "org.posreader1",
						  path, "org.posreader1.Reader",
						  "WaitForCard", NULL, NULL,
						  "asu", 0, 10000),
			 1);
	bus_pump(bus, scaled_ms(100));
	/* The simulator drops the link: unplugged (a USB gadget is unbound
	 * from its UDC and bound again). */
	assert_int_equal(env_sim_ctl(&env, 1, "disconnect", NULL), 0);
	assert_int_equal(sig_log_wait(log, "/org/posreader1",
				      "InterfacesRemoved", 3000, &m),
			 0);
	sd_bus_message_unref(m);
	/* It still listens (or is replugged), so it comes back, unclaimed. */
	expect_object_signals(log, "InterfacesAdded", 1u << 1);
	assert_int_equal(reader_get_string(bus, path, "ClaimedBy", &owner), 0);
	assert_string_equal(owner, "");
	free(owner);
	assert_true(env_daemon_alive(&env));
	sig_log_free(log);
	sd_bus_flush_close_unref(bus);
}

static int on_wait_reply(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	*(sd_bus_message **)userdata = sd_bus_message_ref(m);
	return 0;
}

static void test_pending_call_fails_on_unplug(void **state)
{
	const char *path = reader_path(serials[3]);
	sd_bus_message *reply = NULL;
	const sd_bus_error *e;
	sd_bus *bus = NULL;
	uint64_t end;

	assert_int_equal(env_connect(&env, &bus), 0);
	assert_int_equal(reader_call(bus, path, "Claim", NULL, NULL), 0);
	assert_true(sd_bus_call_method_async(bus, NULL, "org.posreader1", path,
					     "org.posreader1.Reader",
					     "WaitForCard", on_wait_reply,
					     &reply, "asu", 0, 10000) >= 0);
	bus_pump(bus, scaled_ms(100));
	env_stop_sim(&env, 3);
	end = now_ms() + scaled_ms(3000);
	while (!reply && now_ms() < end)
		bus_pump(bus, 20);
	assert_non_null(reply);
	e = sd_bus_message_get_error(reply);
	assert_non_null(e);
	assert_string_equal(e->name, "org.posreader1.Error.Disconnected");
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
}

/* A reader that comes (back) with a tag already in the field has it. */
static void test_tag_present_at_probe(void **state)
{
	const char *path = reader_path(serials[4]);
	struct sig_log *log = NULL;
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	const char *kind;
	bool present = false;
	uint64_t end;

	assert_int_equal(env_connect(&env, &bus), 0);
	assert_int_equal(sig_log_new(bus, &log), 0);
	bus_pump(bus, scaled_ms(50));
	assert_int_equal(env_sim_ctl(&env, 4, "nfc", "tap", NULL), 0);
	assert_int_equal(env_sim_ctl(&env, 4, "disconnect", NULL), 0);
	expect_object_signals(log, "InterfacesRemoved", 1u << 4);
	expect_object_signals(log, "InterfacesAdded", 1u << 4);
	/* The target is fetched right after the reader appears. */
	end = now_ms() + scaled_ms(1000);
	for (;;) {
		assert_int_equal(
			reader_get_bool(bus, path, "CardPresent", &present), 0);
		if (present || now_ms() >= end)
			break;
		bus_pump(bus, 20);
	}
	assert_true(present);
	assert_int_equal(reader_call(bus, path, "Claim", NULL, NULL), 0);
	assert_int_equal(reader_call(bus, path, "WaitForCard", &reply, "asu", 1,
				     "nfc", 500),
			 0);
	assert_true(sd_bus_message_read(reply, "s", &kind) > 0);
	assert_string_equal(kind, "nfc");
	sd_bus_message_unref(reply);
	sig_log_free(log);
	sd_bus_flush_close_unref(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_at_once),
		cmocka_unit_test(test_removal_and_return),
		cmocka_unit_test(test_lost_during_wait),
		cmocka_unit_test(test_pending_call_fails_on_unplug),
		cmocka_unit_test(test_tag_present_at_probe),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
