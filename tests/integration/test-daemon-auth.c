// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reader authenticity end to end: posreaderd on a private dbus-daemon
 * with posreader-sim.
 *
 * The first group runs on a terminal provisioned by the test hook
 * POSREADER_TEST_PROVISION=1, which also pairs a reader that can
 * authenticate with the simulator's default pairing key (00..1f) the
 * first time its serial attaches. A reader proving that key keeps the
 * terminal active; an impostor with the same serial and another key, a
 * paired reader without AUTH, or a reader that does not answer the
 * challenge (at attach or in the self-test) blocks it with
 * reader-not-genuine naming the serial, until an admin pairs the serial
 * again (PairReader), which challenges the attached reader at once.
 * While the terminal is not active the daemon shows it on the readers'
 * indicators (red).
 *
 * The second group starts unprovisioned, without the hook, with readers
 * attached, and provisions over the bus: every attached reader is judged
 * then, as if it had just attached.
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
/* The simulator's default pairing key (bytes 00..1f) has this KCV. */
static const uint8_t default_kcv[3] = { 0xff, 0x92, 0x12 };
/* KCV of the 32-byte key 0xa5..0xa5, which no simulator here holds. */
static const uint8_t impostor_kcv[3] = { 0x92, 0x00, 0x52 };

/* PRW_LED_* as posreader-sim's status shows them. */
#define LEDS_OFF   0x00
#define LEDS_GREEN 0x01
#define LEDS_RED   0x04

/* PRW_TIMEOUT_AUTH_MS (docs/protocol.md), and the simulator transport's
 * pause before it attaches a reader again (docs/simulator.md). */
#define AUTH_TIMEOUT_MS 2000
#define REATTACH_MS	200

static struct env env;
static char *rpath;

static sd_bus *client_of(struct env *e, const char *path)
{
	sd_bus *bus = NULL;

	assert_int_equal(env_connect(e, &bus), 0);
	if (path)
		wait_reader_serial(bus, path);
	return bus;
}

static sd_bus *client(void)
{
	return client_of(&env, rpath);
}

/* RunSelfTest; the status of the reader-auth check of SERIAL, or "". */
static const char *selftest_reader_auth(sd_bus *bus)
{
	static char status[16];
	sd_bus_message *reply = NULL;
	const char *check, *st, *subject, *message;

	status[0] = '\0';
	assert_int_equal(terminal_call(bus, 20, "RunSelfTest", &reply, NULL),
			 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "(ssss)") >= 0);
	while (sd_bus_message_read(reply, "(ssss)", &check, &st, &subject,
				   &message) > 0)
		if (strcmp(check, "reader-auth") == 0 &&
		    strcmp(subject, SERIAL) == 0)
			snprintf(status, sizeof(status), "%s", st);
	sd_bus_message_unref(reply);
	return status;
}

/* PairReader(serial) with a 32-byte key of one repeated byte or, for
 * fill < 0, the simulator's default key 00..1f. */
static int pair_key(sd_bus *bus, const char *serial, int fill,
		    const uint8_t kcv[3])
{
	uint8_t key[32];
	int ret;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = fill < 0 ? (uint8_t)i : (uint8_t)fill;
	ret = terminal_pair_reader(bus, serial, key, kcv);
	if (ret < 0)
		print_error("PairReader: %s\n", last_error_message());
	return ret;
}

/* PairReader(serial) with the simulator's default key and its KCV. */
static int pair_default(sd_bus *bus, const char *serial)
{
	return pair_key(bus, serial, -1, default_kcv);
}

/* Provision over the bus with fixed test keys and PINs. */
static int provision(sd_bus *bus)
{
	static const uint8_t master_kcv[3] = { 0x66, 0xe9, 0x4b };
	uint8_t acq[32];
	int ret;

	memset(acq, 0x5a, sizeof(acq));
	ret = terminal_provision(bus, "AUTH-TERMINAL", "4826", "7391",
				 master_kcv, acq);
	if (ret < 0)
		print_error("Provision: %s\n", last_error_message());
	return ret;
}

/* Audit entries with this event whose caller is the reader serial. */
static unsigned int reader_audit_count(sd_bus *bus, const char *event,
				       const char *serial)
{
	char who[64];

	snprintf(who, sizeof(who), "reader %s", serial);
	return audit_count(bus, event, who, NULL);
}

/* The LEDs simulator slot i of e shows (posreader-sim ctl status). */
static int sim_leds(struct env *e, unsigned int i)
{
	char status[512];
	const char *p;
	unsigned int leds;

	assert_int_equal(env_sim_status(e, i, status, sizeof(status)), 0);
	p = strstr(status, " leds=0x");
	assert_non_null(p);
	assert_int_equal(sscanf(p, " leds=0x%x", &leds), 1);
	return (int)leds;
}

/* Wait up to 3 s until slot i shows leds; fails the test if not. */
static void expect_leds(struct env *e, unsigned int i, int leds)
{
	uint64_t end = now_ms() + 3000;
	int now;

	while ((now = sim_leds(e, i)) != leds && now_ms() < end)
		usleep(50000);
	if (now != leds)
		fail_msg("simulator %u shows LEDs 0x%02x, expected 0x%02x", i,
			 now, leds);
}

/* Wait until path is off the bus (5 s at most). */
static void wait_reader_gone(sd_bus *bus, const char *path)
{
	uint64_t end = now_ms() + 5000;
	char *s = NULL;

	while (reader_get_string(bus, path, "Serial", &s) >= 0) {
		free(s);
		s = NULL;
		assert_true(now_ms() < end);
		bus_pump(bus, 50);
	}
}

/* Replace the simulator behind SERIAL; wait until it is back. */
static void replace_sim(sd_bus *bus, const char *caps, const char *key)
{
	assert_int_equal(env_stop_sim(&env, 0), 0);
	wait_reader_gone(bus, rpath);
	assert_int_equal(env_start_sim_key(&env, 0, SERIAL, caps, key), 0);
	wait_reader_serial(bus, rpath);
}

/* Blocked by reader-not-genuine for serial; card services refused. */
static void expect_not_genuine_of(sd_bus *bus, const char *serial,
				  const char *path, const char *why)
{
	uint64_t end = now_ms() + 5000;
	struct lock_reason r;

	/* Each reader's verdict comes with its own answer. */
	while (!find_reason_of(bus, "reader-not-genuine", serial, &r)) {
		if (now_ms() > end)
			fail_msg("no reader-not-genuine for %s", serial);
		bus_pump(bus, 50);
	}
	assert_string_equal(lock_state(bus), "blocked");
	assert_non_null(strstr(r.message, serial));
	if (why && !strstr(r.message, why))
		fail_msg("expected \"%s\" in \"%s\"", why, r.message);
	/* docs/security.md: re-pairing is the way out. */
	assert_string_equal(r.ways, "re-pairing,");
	expect_bus_error(reader_call(bus, path, "Claim", NULL, NULL),
			 "org.posreader1.Error.Locked");
	expect_bus_error(
		reader_call(bus, path, "WaitForCard", NULL, "asu", 0, 100),
		"org.posreader1.Error.Locked");
}

static void expect_not_genuine(sd_bus *bus, const char *why)
{
	expect_not_genuine_of(bus, SERIAL, rpath, why);
	/* Out of service, on the reader too. */
	expect_leds(&env, 0, LEDS_RED);
}

/* An admin pairs the serial again: the reason goes, the terminal is on. */
static void repair(sd_bus *bus)
{
	assert_int_equal(pair_default(bus, SERIAL), 0);
	assert_true(wait_state(bus, "active", 2000));
	assert_false(find_reason(bus, "reader-not-genuine", NULL));
}

/*
 * Claim and release path: the reader serves cards. Busy only while it is
 * still being judged (docs/dbus-api.md), which takes one AUTH round trip.
 */
static void expect_usable(sd_bus *bus, const char *path)
{
	uint64_t end = now_ms() + 1000;
	int ret;

	while ((ret = reader_call(bus, path, "Claim", NULL, NULL)) < 0 &&
	       strcmp(last_error_name(), "org.posreader1.Error.Busy") == 0 &&
	       now_ms() < end)
		bus_pump(bus, 20);
	if (ret < 0)
		fail_msg("Claim: %s: %s", last_error_name(),
			 last_error_message());
	assert_int_equal(reader_call(bus, path, "Release", NULL, NULL), 0);
}

/* ---- Tests on a terminal provisioned at start ------------------------- */

static void test_genuine_reader(void **state)
{
	sd_bus *bus = client();

	assert_string_equal(lock_state(bus), "active");
	assert_false(find_reason(bus, "reader-not-genuine", NULL));
	expect_usable(bus, rpath);
	/* The self-test challenges it again, and it passes. */
	assert_string_equal(selftest_reader_auth(bus), "pass");
	assert_string_equal(lock_state(bus), "active");
	assert_int_equal(sim_leds(&env, 0), LEDS_OFF);
	sd_bus_flush_close_unref(bus);
}

static void test_impostor_then_repair(void **state)
{
	sd_bus *bus = client();
	unsigned int failed;

	replace_sim(bus, NULL, IMPOSTOR_KEY);
	expect_not_genuine(bus, "wrong authentication response");
	failed = reader_audit_count(bus, "reader-not-genuine", SERIAL);
	/* Pairing again while the impostor is attached lifts the reason,
	 * but the impostor is challenged at once and fails again. */
	assert_int_equal(pair_default(bus, SERIAL), 0);
	expect_not_genuine(bus, "wrong authentication response");
	assert_true(reader_audit_count(bus, "reader-not-genuine", SERIAL) >
		    failed);
	/* The genuine reader is back: proving the key does not lift the
	 * verdict (docs/security.md); it attached while blocked, so its
	 * indicators say out of service. */
	replace_sim(bus, NULL, NULL);
	assert_string_equal(lock_state(bus), "blocked");
	expect_leds(&env, 0, LEDS_RED);
	repair(bus);
	expect_leds(&env, 0, LEDS_OFF);
	expect_usable(bus, rpath);
	sd_bus_flush_close_unref(bus);
}

static void test_pairing_another_key(void **state)
{
	sd_bus *bus = client();

	assert_string_equal(lock_state(bus), "active");
	/* The serial gets a key the attached reader does not have: it must
	 * prove the new key now, and cannot. */
	assert_int_equal(pair_key(bus, SERIAL, 0xa5, impostor_kcv), 0);
	expect_not_genuine(bus, "wrong authentication response");
	repair(bus);
	expect_usable(bus, rpath);
	sd_bus_flush_close_unref(bus);
}

static void test_paired_reader_without_auth(void **state)
{
	sd_bus *bus = client();

	replace_sim(bus, "magstripe,icc,nfc,indicators", NULL);
	expect_not_genuine(bus, "does not support authentication");
	/* Paired again, it is judged again: it still cannot prove a key. */
	assert_int_equal(pair_default(bus, SERIAL), 0);
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

static void test_attach_auth_timeout(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	uint64_t start, took;
	bool swiped = false;

	assert_string_equal(lock_state(bus), "active");
	assert_int_equal(sig_log_new(bus, &log), 0);
	/* It answers everything but AUTH; attach it anew. */
	assert_int_equal(
		env_sim_ctl(&env, 0, "misbehave", "silence", "only=auth", NULL),
		0);
	start = now_ms();
	assert_int_equal(env_sim_ctl(&env, 0, "disconnect", NULL), 0);
	wait_reader_gone(bus, rpath);
	/* Until the verdict no card service, and no card data. */
	while (strcmp(lock_state(bus), "blocked") != 0) {
		took = now_ms() - start;
		if (took > REATTACH_MS + AUTH_TIMEOUT_MS + 1500)
			fail_msg("no verdict %llu ms after the reader "
				 "attached again",
				 (unsigned long long)took);
		assert_true(reader_call(bus, rpath, "Claim", NULL, NULL) < 0);
		if (!swiped && took > REATTACH_MS + 500) {
			assert_int_equal(env_sim_ctl(&env, 0, "swipe", NULL),
					 0);
			swiped = true;
		}
		bus_pump(bus, 50);
	}
	took = now_ms() - start;
	/* The verdict waited for the challenge's timeout, no more. */
	assert_true(took >= AUTH_TIMEOUT_MS);
	assert_true(swiped);
	expect_not_genuine(bus, "did not answer");
	assert_int_equal(sig_log_count(log, "CardSwiped"), 0);
	/* Re-pairing challenges it again; now it answers. */
	repair(bus);
	expect_usable(bus, rpath);
	expect_leds(&env, 0, LEDS_OFF);
	sig_log_free(log);
	sd_bus_flush_close_unref(bus);
}

static void test_indicators_follow_lock(void **state)
{
	sd_bus *bus = client();

	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_int_equal(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "leds", "as", 1, "green"),
			 0);
	expect_leds(&env, 0, LEDS_GREEN);
	/* Locked: the daemon owns the indicators and shows it. */
	assert_int_equal(env_set_test_lock(&env, true), 0);
	assert_true(wait_state(bus, "locked", 2000));
	expect_leds(&env, 0, LEDS_RED);
	expect_bus_error(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "leds", "as", 1, "green"),
			 "org.posreader1.Error.Locked");
	assert_int_equal(sim_leds(&env, 0), LEDS_RED);
	/* A reader attaching while locked shows it too. */
	replace_sim(bus, NULL, NULL);
	expect_leds(&env, 0, LEDS_RED);
	/* Active again: all off, and applications have them back. */
	assert_int_equal(env_set_test_lock(&env, false), 0);
	assert_true(wait_state(bus, "active", 2000));
	expect_leds(&env, 0, LEDS_OFF);
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_int_equal(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "leds", "as", 1, "green"),
			 0);
	expect_leds(&env, 0, LEDS_GREEN);
	assert_int_equal(
		reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}", 0), 0);
	assert_int_equal(reader_call(bus, rpath, "Release", NULL, NULL), 0);
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
	return env_group_setup_reader(&env, SERIAL, &rpath);
}

static int group_teardown(void **state)
{
	return env_group_teardown_reader(&env, &rpath);
}

/* ---- Tests that provision with readers attached ----------------------- */

/* A simulator for the unprovisioned terminal: serial, caps, key. */
struct prov_sim {
	const char *serial;
	const char *caps; /* NULL: all */
	const char *key;  /* NULL: the default key */
};

/*
 * Start an unprovisioned terminal without the test hook, with these
 * simulators attached; returns a client.
 */
static sd_bus *start_unprovisioned(struct env *e, const struct prov_sim *v,
				   unsigned int n)
{
	sd_bus *bus;

	assert_int_equal(env_start_bus(e), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(env_start_sim_key(e, i, v[i].serial, v[i].caps,
						   v[i].key),
				 0);
	assert_int_equal(env_start_daemon(e), 0);
	bus = client_of(e, NULL);
	for (unsigned int i = 0; i < n; i++)
		wait_reader_serial(bus, reader_path(v[i].serial));
	assert_string_equal(lock_state(bus), "unprovisioned");
	return bus;
}

static void test_provision_judges_silent_reader(void **state)
{
	static const struct prov_sim sims[] = { { "PROV-GOOD", NULL, NULL },
						{ "PROV-SILENT", NULL, NULL } };
	struct env pe = { 0 };
	char good[128], silent[128];
	uint64_t start, took;
	sd_bus *bus;

	bus = start_unprovisioned(&pe, sims, 2);
	snprintf(good, sizeof(good), "%s", reader_path("PROV-GOOD"));
	snprintf(silent, sizeof(silent), "%s", reader_path("PROV-SILENT"));
	/* Unprovisioned: out of service on both. */
	expect_leds(&pe, 0, LEDS_RED);
	expect_leds(&pe, 1, LEDS_RED);
	assert_int_equal(pair_default(bus, "PROV-GOOD"), 0);
	assert_int_equal(pair_default(bus, "PROV-SILENT"), 0);
	assert_int_equal(
		env_sim_ctl(&pe, 1, "misbehave", "silence", "only=auth", NULL),
		0);
	assert_int_equal(provision(bus), 0);
	start = now_ms();
	/* Both are challenged. The genuine one serves at once; the silent
	 * one serves nothing while its answer is awaited. */
	assert_true(wait_state(bus, "active", 2000));
	expect_usable(bus, good);
	expect_bus_error(reader_call(bus, silent, "Claim", NULL, NULL),
			 "org.posreader1.Error.Busy");
	assert_true(now_ms() - start < AUTH_TIMEOUT_MS);
	expect_leds(&pe, 0, LEDS_OFF);
	assert_true(reader_audit_count(bus, "reader-authenticated",
				       "PROV-GOOD") >= 1);
	/* No answer within the timeout: not genuine, and the whole
	 * terminal is out of service. */
	expect_not_genuine_of(bus, "PROV-SILENT", silent, "did not answer");
	took = now_ms() - start;
	/* (The challenge may leave a moment before the reply arrives.) */
	assert_true(took >= AUTH_TIMEOUT_MS - 100 &&
		    took <= AUTH_TIMEOUT_MS + 1500);
	assert_false(
		find_reason_of(bus, "reader-not-genuine", "PROV-GOOD", NULL));
	expect_bus_error(reader_call(bus, good, "Claim", NULL, NULL),
			 "org.posreader1.Error.Locked");
	expect_leds(&pe, 0, LEDS_RED);
	expect_leds(&pe, 1, LEDS_RED);
	sd_bus_flush_close_unref(bus);
	env_stop(&pe);
}

static void test_provision_judges_every_reader(void **state)
{
	static const struct prov_sim sims[] = {
		{ "PROV-GOOD", NULL, NULL },
		{ "PROV-IMPOSTOR", NULL, IMPOSTOR_KEY },
		{ "PROV-NOAUTH", "magstripe,icc,nfc,indicators", NULL },
		{ "PROV-UNPAIRED", NULL, NULL },
		{ "PROV-LIBNFC", "nfc", NULL },
	};
	struct env pe = { 0 };
	sd_bus *bus;

	bus = start_unprovisioned(&pe, sims, 5);
	assert_int_equal(pair_default(bus, "PROV-GOOD"), 0);
	assert_int_equal(pair_default(bus, "PROV-IMPOSTOR"), 0);
	assert_int_equal(pair_default(bus, "PROV-NOAUTH"), 0);
	/* Nothing judged yet: nothing to prove before provisioning. */
	assert_false(find_reason(bus, "reader-not-genuine", NULL));
	assert_int_equal(provision(bus), 0);
	/* The same outcomes as when they attach (docs/security.md). */
	expect_not_genuine_of(bus, "PROV-IMPOSTOR",
			      reader_path("PROV-IMPOSTOR"),
			      "wrong authentication response");
	expect_not_genuine_of(bus, "PROV-NOAUTH", reader_path("PROV-NOAUTH"),
			      "does not support authentication");
	expect_not_genuine_of(bus, "PROV-UNPAIRED",
			      reader_path("PROV-UNPAIRED"),
			      "not paired with this terminal");
	/* The genuine reader proved its key; a reader that cannot
	 * authenticate and that nobody paired is taken as it is. */
	assert_false(
		find_reason_of(bus, "reader-not-genuine", "PROV-GOOD", NULL));
	assert_false(
		find_reason_of(bus, "reader-not-genuine", "PROV-LIBNFC", NULL));
	assert_true(reader_audit_count(bus, "reader-authenticated",
				       "PROV-GOOD") >= 1);
	expect_bus_error(
		reader_call(bus, reader_path("PROV-GOOD"), "Claim", NULL, NULL),
		"org.posreader1.Error.Locked");
	/* The impostor goes; pairing the rest again judges them again: the
	 * genuine unpaired reader passes, the one without AUTH does not. */
	assert_int_equal(env_stop_sim(&pe, 1), 0);
	wait_reader_gone(bus, reader_path("PROV-IMPOSTOR"));
	assert_int_equal(pair_default(bus, "PROV-IMPOSTOR"), 0);
	assert_int_equal(pair_default(bus, "PROV-UNPAIRED"), 0);
	assert_int_equal(pair_default(bus, "PROV-NOAUTH"), 0);
	expect_not_genuine_of(bus, "PROV-NOAUTH", reader_path("PROV-NOAUTH"),
			      "does not support authentication");
	assert_false(find_reason_of(bus, "reader-not-genuine", "PROV-UNPAIRED",
				    NULL));
	assert_int_equal(env_stop_sim(&pe, 2), 0);
	wait_reader_gone(bus, reader_path("PROV-NOAUTH"));
	assert_int_equal(pair_default(bus, "PROV-NOAUTH"), 0);
	assert_true(wait_state(bus, "active", 2000));
	expect_usable(bus, reader_path("PROV-GOOD"));
	expect_usable(bus, reader_path("PROV-UNPAIRED"));
	expect_leds(&pe, 0, LEDS_OFF);
	sd_bus_flush_close_unref(bus);
	env_stop(&pe);
}

int main(void)
{
	const struct CMUnitTest provisioned[] = {
		cmocka_unit_test(test_genuine_reader),
		cmocka_unit_test(test_impostor_then_repair),
		cmocka_unit_test(test_pairing_another_key),
		cmocka_unit_test(test_paired_reader_without_auth),
		cmocka_unit_test(test_selftest_auth_timeout),
		cmocka_unit_test(test_attach_auth_timeout),
		cmocka_unit_test(test_indicators_follow_lock),
		cmocka_unit_test(test_no_key_in_log),
	};
	const struct CMUnitTest unprovisioned[] = {
		cmocka_unit_test(test_provision_judges_silent_reader),
		cmocka_unit_test(test_provision_judges_every_reader),
	};
	int failed;

	failed = cmocka_run_group_tests(provisioned, group_setup,
					group_teardown);
	/* Without the test hook: nothing is provisioned or paired. */
	unsetenv("POSREADER_TEST_PROVISION");
	failed += cmocka_run_group_tests(unprovisioned, NULL, NULL);
	return failed;
}
