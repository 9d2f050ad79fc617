// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreaderd on a real dbus-daemon (shipped policy) with posreader-sim:
 * properties, claims, every card method, every signal, masking, errors,
 * bad arguments, the lock, timeouts and a misbehaving device.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <posreader/wire.h>

#include "harness.h"
#include "testcard.h"

#define SERIAL "SIM-API-1"

static struct env env;
static char *rpath;

/* SELECT the payment application by name, and the simulator's ECHO. */
static const uint8_t select_aid[] = { 0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00,
				      0x00, 0x00, 0x03, 0x10, 0x10, 0x00 };
static const uint8_t echo4[] = { 0x80, 0xee, 0x00, 0x00, 0x04 };

static int group_setup(void **state)
{
	return env_group_setup_reader(&env, SERIAL, &rpath);
}

static int group_teardown(void **state)
{
	return env_group_teardown_reader(&env, &rpath);
}

/* A client connection; waits until the reader is published. */
static sd_bus *client(void)
{
	sd_bus *bus = NULL;
	char *serial = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	wait_reader_serial(bus, rpath);
	assert_int_equal(reader_get_string(bus, rpath, "Serial", &serial), 0);
	assert_string_equal(serial, SERIAL);
	free(serial);
	return bus;
}

/* Close a client and wait until its claim (if any) is gone. */
static void client_done(sd_bus *bus)
{
	sd_bus *probe = NULL;

	sd_bus_flush_close_unref(bus);
	assert_int_equal(env_connect(&env, &probe), 0);
	assert_int_equal(wait_claimed_by(probe, rpath, "", 3000), 0);
	sd_bus_flush_close_unref(probe);
}

static void claim(sd_bus *bus)
{
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
}

/* Look up key in an a{sv} card dictionary (m positioned at it). */
struct card_dict {
	char pan[32], expiry[8], service_code[8], name[64], error[32];
	uint8_t uid[16], atr[40];
	size_t uid_len, atr_len;
	bool clear_pan_seen;
};

static void read_dict(sd_bus_message *m, struct card_dict *d)
{
	const char *key, *contents, *s;
	char type;

	memset(d, 0, sizeof(*d));
	assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		assert_true(sd_bus_message_read(m, "s", &key) > 0);
		assert_true(sd_bus_message_peek_type(m, &type, &contents) > 0);
		if (strcmp(contents, "s") == 0) {
			assert_true(sd_bus_message_read(m, "v", "s", &s) > 0);
			if (strstr(s, TESTCARD_PAN))
				d->clear_pan_seen = true;
			if (strcmp(key, "pan") == 0)
				snprintf(d->pan, sizeof(d->pan), "%s", s);
			else if (strcmp(key, "expiry") == 0)
				snprintf(d->expiry, sizeof(d->expiry), "%s", s);
			else if (strcmp(key, "service_code") == 0)
				snprintf(d->service_code,
					 sizeof(d->service_code), "%s", s);
			else if (strcmp(key, "name") == 0)
				snprintf(d->name, sizeof(d->name), "%s", s);
			else if (strcmp(key, "error") == 0)
				snprintf(d->error, sizeof(d->error), "%s", s);
		} else if (strcmp(contents, "ay") == 0) {
			assert_true(sd_bus_message_enter_container(m, 'v',
								   "ay") > 0);
			if (strcmp(key, "uid") == 0)
				d->uid_len = read_ay(m, d->uid, sizeof(d->uid));
			else if (strcmp(key, "atr") == 0)
				d->atr_len = read_ay(m, d->atr, sizeof(d->atr));
			else
				assert_true(sd_bus_message_skip(m, "ay") >= 0);
			assert_true(sd_bus_message_exit_container(m) >= 0);
		} else {
			assert_true(sd_bus_message_skip(m, "v") >= 0);
		}
		assert_true(sd_bus_message_exit_container(m) >= 0);
	}
	assert_true(sd_bus_message_exit_container(m) >= 0);
}

static void check_masked_test_card(const struct card_dict *d)
{
	assert_false(d->clear_pan_seen);
	assert_string_equal(d->pan, "411111******1111");
	assert_string_equal(d->expiry, "2912");
	assert_string_equal(d->service_code, "101");
	assert_string_equal(d->name, "TEST/CARDHOLDER");
}

/* Start an async call; its reply lands in *ret_reply. */
static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	*(sd_bus_message **)userdata = sd_bus_message_ref(m);
	return 0;
}

static void call_async(sd_bus *bus, const char *method,
		       sd_bus_message **ret_reply, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;

	*ret_reply = NULL;
	assert_true(sd_bus_message_new_method_call(
			    bus, &m, "org.posreader1", rpath,
			    "org.posreader1.Reader", method) >= 0);
	va_start(ap, types);
	assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
	va_end(ap);
	assert_true(sd_bus_call_async(bus, NULL, m, on_reply, ret_reply,
				      30 * 1000000ULL) >= 0);
	sd_bus_message_unref(m);
}

static void await_reply(sd_bus *bus, sd_bus_message **reply,
			unsigned int timeout_ms)
{
	uint64_t end = now_ms() + scaled_ms(timeout_ms);

	while (!*reply && now_ms() < end)
		bus_pump(bus, 10);
	assert_non_null(*reply);
}

/* ---- Tests ------------------------------------------------------------ */

static void test_reader_listed(void **state)
{
	sd_bus *bus = client();
	sd_bus_message *reply = NULL;
	char *s = NULL, **caps = NULL;
	const char *path;
	bool present = true, found = false;
	int n = 0;

	assert_int_equal(
		sd_bus_call_method(bus, "org.posreader1", "/org/posreader1",
				   "org.freedesktop.DBus.ObjectManager",
				   "GetManagedObjects", NULL, &reply, ""),
		1);
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") >
		    0);
	while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_true(sd_bus_message_read(reply, "o", &path) > 0);
		if (strcmp(path, rpath) == 0)
			found = true;
		n++;
		assert_true(sd_bus_message_skip(reply, "a{sa{sv}}") >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	sd_bus_message_unref(reply);
	assert_true(found);
	assert_int_equal(n, 1);

	assert_int_equal(reader_get_string(bus, rpath, "Name", &s), 0);
	assert_string_equal(s, "posreader posreader-sim");
	free(s);
	assert_int_equal(reader_get_string(bus, rpath, "Firmware", &s), 0);
	assert_true(strlen(s) > 0);
	free(s);
	assert_int_equal(reader_get_string(bus, rpath, "Transport", &s), 0);
	assert_string_equal(s, env_transport());
	free(s);
	assert_int_equal(reader_get_string(bus, rpath, "ClaimedBy", &s), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(reader_get_bool(bus, rpath, "CardPresent", &present),
			 0);
	assert_false(present);
	assert_true(sd_bus_get_property_strv(bus, "org.posreader1", rpath,
					     "org.posreader1.Reader",
					     "Capabilities", NULL, &caps) >= 0);
	assert_string_equal(caps[0], "magstripe");
	assert_string_equal(caps[1], "icc");
	assert_string_equal(caps[2], "nfc");
	for (int i = 0; caps[i]; i++)
		free(caps[i]);
	free(caps);

	assert_true(sd_bus_get_property_string(bus, "org.posreader1",
					       "/org/posreader1",
					       "org.posreader1.Terminal",
					       "LockState", NULL, &s) >= 0);
	assert_string_equal(s, "active");
	free(s);
	/* LockReasons is a(sssasa{sv}) since the engine backs it. */
	assert_int_equal(terminal_reason_ids(bus, &caps), 0);
	assert_null(caps[0]);
	strv_free(caps);
	client_done(bus);
}

static void test_claim_release(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	const char *me = NULL;
	char *s = NULL;

	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_true(sd_bus_get_unique_name(bus, &me) >= 0);
	claim(bus);
	assert_int_equal(reader_get_string(bus, rpath, "ClaimedBy", &s), 0);
	assert_string_equal(s, me);
	free(s);
	assert_int_equal(
		sig_log_wait(log, rpath, "PropertiesChanged", 2000, NULL), 0);
	/* Claiming again changes nothing. */
	claim(bus);
	assert_int_equal(reader_call(bus, rpath, "Release", NULL, NULL), 0);
	assert_int_equal(reader_get_string(bus, rpath, "ClaimedBy", &s), 0);
	assert_string_equal(s, "");
	free(s);
	expect_bus_error(reader_call(bus, rpath, "Release", NULL, NULL),
			 "org.posreader1.Error.NotClaimed");
	sig_log_free(log);
	client_done(bus);
}

static void test_claim_race(void **state)
{
	sd_bus *a = client(), *b = client();
	sd_bus_message *ra = NULL, *rb = NULL;
	const sd_bus_error *ea, *eb;
	sd_bus *loser;

	/* Both calls are on the wire before either is answered. */
	call_async(a, "Claim", &ra, "");
	call_async(b, "Claim", &rb, "");
	assert_true(sd_bus_flush(a) >= 0);
	assert_true(sd_bus_flush(b) >= 0);
	await_reply(a, &ra, 3000);
	await_reply(b, &rb, 3000);
	ea = sd_bus_message_get_error(ra);
	eb = sd_bus_message_get_error(rb);
	/* Exactly one wins. */
	assert_true((ea == NULL) != (eb == NULL));
	loser = ea ? a : b;
	assert_string_equal((ea ? ea : eb)->name,
			    "org.posreader1.Error.AlreadyClaimed");
	expect_bus_error(reader_call(loser, rpath, "Release", NULL, NULL),
			 "org.posreader1.Error.NotClaimed");
	expect_bus_error(reader_transmit(loser, rpath, "icc", echo4,
					 sizeof(echo4), NULL),
			 "org.posreader1.Error.NotClaimed");
	sd_bus_message_unref(ra);
	sd_bus_message_unref(rb);
	sd_bus_flush_close_unref(a);
	client_done(b);
}

static void test_auto_release_on_death(void **state)
{
	sd_bus *bus = client();
	int pipefd[2], status;
	char name[64] = "";
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sd_bus *c = NULL;
		const char *u = NULL;

		close(pipefd[0]);
		if (env_connect(&env, &c) < 0 ||
		    reader_call(c, rpath, "Claim", NULL, NULL) < 0)
			_exit(1);
		sd_bus_get_unique_name(c, &u);
		if (write(pipefd[1], u, strlen(u) + 1) < 0)
			_exit(1);
		/* Crash with the claim held. */
		raise(SIGKILL);
		_exit(1);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], name, sizeof(name) - 1) > 0);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(wait_claimed_by(bus, rpath, "", 3000), 0);
	claim(bus);
	client_done(bus);
}

static void test_not_claimed(void **state)
{
	sd_bus *bus = client();

	expect_bus_error(
		reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0, 100),
		"org.posreader1.Error.NotClaimed");
	expect_bus_error(reader_call(bus, rpath, "IccPowerOn", NULL, NULL),
			 "org.posreader1.Error.NotClaimed");
	expect_bus_error(reader_call(bus, rpath, "IccPowerOff", NULL, NULL),
			 "org.posreader1.Error.NotClaimed");
	expect_bus_error(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		"org.posreader1.Error.NotClaimed");
	expect_bus_error(
		reader_call(bus, rpath, "AcquireChannel", NULL, "s", "icc"),
		"org.posreader1.Error.NotClaimed");
	expect_bus_error(
		reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}", 0),
		"org.posreader1.Error.NotClaimed");
	expect_bus_error(reader_call(bus, rpath, "Release", NULL, NULL),
			 "org.posreader1.Error.NotClaimed");
	client_done(bus);
}

static void test_swipe_signal_masked(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	sd_bus_message *m = NULL;
	struct card_dict d;

	assert_int_equal(sig_log_new(bus, &log), 0);
	bus_pump(bus, scaled_ms(50));
	assert_int_equal(env_sim_ctl(&env, 0, "swipe", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "CardSwiped", 3000, &m), 0);
	read_dict(m, &d);
	check_masked_test_card(&d);
	sd_bus_message_unref(m);

	/* A swipe with an unreadable stripe still says so, with no PAN. */
	assert_int_equal(
		env_sim_ctl(&env, 0, "swipe", "error=1", "error=2", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "CardSwiped", 3000, &m), 0);
	read_dict(m, &d);
	assert_string_equal(d.pan, "");
	assert_string_equal(d.error, "no-pan");
	sd_bus_message_unref(m);
	sig_log_free(log);
	client_done(bus);
}

static void test_wait_for_swipe(void **state)
{
	sd_bus *bus = client();
	sd_bus_message *reply = NULL;
	const char *kind;
	struct card_dict d;

	claim(bus);
	call_async(bus, "WaitForCard", &reply, "asu", 1, "magstripe", 5000);
	bus_pump(bus, scaled_ms(100));
	assert_null(reply);
	assert_int_equal(env_sim_ctl(&env, 0, "swipe", NULL), 0);
	await_reply(bus, &reply, 3000);
	assert_null(sd_bus_message_get_error(reply));
	assert_true(sd_bus_message_read(reply, "s", &kind) > 0);
	assert_string_equal(kind, "magstripe");
	read_dict(reply, &d);
	check_masked_test_card(&d);
	sd_bus_message_unref(reply);
	client_done(bus);
}

static void test_wait_for_card_timeout(void **state)
{
	sd_bus *bus = client();
	uint64_t t0;

	claim(bus);
	t0 = now_ms();
	expect_bus_error(
		reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0, 300),
		"org.posreader1.Error.Timeout");
	assert_true(now_ms() - t0 >= 290);
	assert_true(now_ms() - t0 < 3000);
	client_done(bus);
}

static void test_icc(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	sd_bus_message *reply = NULL, *m = NULL;
	uint8_t atr[40], atr2[40], rsp[300];
	size_t atr_len, n;
	const char *kind;
	struct card_dict d;
	bool present = false;

	assert_int_equal(sig_log_new(bus, &log), 0);
	claim(bus);
	call_async(bus, "WaitForCard", &reply, "asu", 1, "icc", 5000);
	bus_pump(bus, scaled_ms(100));
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "insert", NULL), 0);
	await_reply(bus, &reply, 4000);
	assert_null(sd_bus_message_get_error(reply));
	assert_true(sd_bus_message_read(reply, "s", &kind) > 0);
	assert_string_equal(kind, "icc");
	read_dict(reply, &d);
	assert_true(d.atr_len >= 2);
	assert_true(d.atr[0] == 0x3b || d.atr[0] == 0x3f);
	sd_bus_message_unref(reply);

	assert_int_equal(sig_log_wait(log, rpath, "CardInserted", 2000, &m), 0);
	atr_len = read_ay(m, atr, sizeof(atr));
	sd_bus_message_unref(m);
	assert_int_equal(atr_len, d.atr_len);
	assert_memory_equal(atr, d.atr, atr_len);
	assert_int_equal(reader_get_bool(bus, rpath, "CardPresent", &present),
			 0);
	assert_true(present);

	assert_int_equal(reader_call(bus, rpath, "IccPowerOn", &reply, NULL),
			 0);
	n = read_ay(reply, atr2, sizeof(atr2));
	sd_bus_message_unref(reply);
	assert_int_equal(n, atr_len);
	assert_memory_equal(atr2, atr, n);

	assert_int_equal(reader_transmit(bus, rpath, "icc", select_aid,
					 sizeof(select_aid), &reply),
			 0);
	n = read_ay(reply, rsp, sizeof(rsp));
	sd_bus_message_unref(reply);
	assert_true(n >= 2);
	assert_int_equal(rsp[n - 2], 0x90);
	assert_int_equal(rsp[n - 1], 0x00);

	assert_int_equal(reader_transmit(bus, rpath, "icc", echo4,
					 sizeof(echo4), &reply),
			 0);
	n = read_ay(reply, rsp, sizeof(rsp));
	sd_bus_message_unref(reply);
	assert_int_equal(n, 6);
	assert_memory_equal(rsp, "\x00\x01\x02\x03\x90\x00", 6);

	assert_int_equal(reader_call(bus, rpath, "IccPowerOff", NULL, NULL), 0);
	expect_bus_error(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		"org.posreader1.Error.NotPowered");

	assert_int_equal(env_sim_ctl(&env, 0, "icc", "remove", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "CardRemoved", 2000, NULL),
			 0);
	assert_int_equal(reader_get_bool(bus, rpath, "CardPresent", &present),
			 0);
	assert_false(present);
	expect_bus_error(reader_call(bus, rpath, "IccPowerOn", NULL, NULL),
			 "org.posreader1.Error.NoCard");
	sig_log_free(log);
	client_done(bus);
}

static void test_nfc(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	uint8_t rsp[300];
	struct card_dict d;
	const char *kind;
	size_t n;

	assert_int_equal(sig_log_new(bus, &log), 0);
	claim(bus);
	assert_int_equal(
		env_sim_ctl(&env, 0, "nfc", "tap", "uid=04112233", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "TagDetected", 2000, &m), 0);
	read_dict(m, &d);
	sd_bus_message_unref(m);
	assert_int_equal(d.uid_len, 4);
	assert_memory_equal(d.uid, "\x04\x11\x22\x33", 4);

	/* The tag is in the field already: the wait answers at once. */
	assert_int_equal(reader_call(bus, rpath, "WaitForCard", &reply, "asu",
				     1, "nfc", 1000),
			 0);
	assert_true(sd_bus_message_read(reply, "s", &kind) > 0);
	assert_string_equal(kind, "nfc");
	read_dict(reply, &d);
	assert_int_equal(d.uid_len, 4);
	sd_bus_message_unref(reply);

	assert_int_equal(reader_transmit(bus, rpath, "nfc", echo4,
					 sizeof(echo4), &reply),
			 0);
	n = read_ay(reply, rsp, sizeof(rsp));
	sd_bus_message_unref(reply);
	assert_int_equal(n, 6);
	assert_int_equal(rsp[4], 0x90);

	assert_int_equal(env_sim_ctl(&env, 0, "nfc", "remove", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "TagLost", 2000, NULL), 0);
	expect_bus_error(
		reader_transmit(bus, rpath, "nfc", echo4, sizeof(echo4), NULL),
		"org.posreader1.Error.NoCard");
	sig_log_free(log);
	client_done(bus);
}

static void test_channel(void **state)
{
	sd_bus *bus = client();
	sd_bus_message *reply = NULL;
	uint8_t rsp[300];
	struct pollfd pfd;
	int fd, dupfd;
	ssize_t n;

	claim(bus);
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "insert", NULL), 0);
	bus_pump(bus, scaled_ms(200));
	assert_int_equal(reader_call(bus, rpath, "IccPowerOn", NULL, NULL), 0);
	assert_int_equal(
		reader_call(bus, rpath, "AcquireChannel", &reply, "s", "icc"),
		0);
	assert_true(sd_bus_message_read(reply, "h", &fd) > 0);
	dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	sd_bus_message_unref(reply);
	assert_true(dupfd >= 0);

	/* A second channel on the same reader is refused. */
	expect_bus_error(
		reader_call(bus, rpath, "AcquireChannel", NULL, "s", "icc"),
		"org.posreader1.Error.Busy");

	for (int i = 0; i < 50; i++) {
		assert_int_equal(send(dupfd, echo4, sizeof(echo4), 0),
				 sizeof(echo4));
		n = recv(dupfd, rsp, sizeof(rsp), 0);
		assert_int_equal(n, 6);
		assert_memory_equal(rsp, "\x00\x01\x02\x03\x90\x00", 6);
	}
	/* Too short for an APDU: a one-byte error, the channel stays. */
	assert_int_equal(send(dupfd, "\x00\xa4", 2, 0), 2);
	n = recv(dupfd, rsp, sizeof(rsp), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rsp[0], 1);
	assert_int_equal(send(dupfd, echo4, sizeof(echo4), 0), sizeof(echo4));
	assert_int_equal(recv(dupfd, rsp, sizeof(rsp), 0), 6);

	/* Releasing the claim closes the channel. */
	assert_int_equal(reader_call(bus, rpath, "Release", NULL, NULL), 0);
	pfd.fd = dupfd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(recv(dupfd, rsp, sizeof(rsp), 0), 0);
	close(dupfd);

	/* Closing the client's end ends the channel: a new one opens. */
	claim(bus);
	assert_int_equal(
		reader_call(bus, rpath, "AcquireChannel", &reply, "s", "icc"),
		0);
	sd_bus_message_unref(reply);
	bus_pump(bus, scaled_ms(100));
	assert_int_equal(
		reader_call(bus, rpath, "AcquireChannel", &reply, "s", "icc"),
		0);
	sd_bus_message_unref(reply);
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "remove", NULL), 0);
	client_done(bus);
}

static void test_set_indicators(void **state)
{
	sd_bus *bus = client();

	claim(bus);
	assert_int_equal(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     2, "leds", "as", 2, "green", "blue",
				     "buzzer_ms", "u", 100),
			 0);
	assert_int_equal(
		reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}", 0), 0);
	expect_bus_error(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "leds", "as", 1, "pink"),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "leds", "s", "green"),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "buzzer_ms", "s", "100"),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "buzzer_ms", "u", 5000),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}",
				     1, "volume", "u", 1),
			 "org.posreader1.Error.InvalidArgs");
	client_done(bus);
}

/* Call method with a raw signature the vtable does not expect. */
static void expect_bad_signature(sd_bus *bus, const char *method,
				 const char *types, ...)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	va_list ap;

	assert_true(sd_bus_message_new_method_call(
			    bus, &m, "org.posreader1", rpath,
			    "org.posreader1.Reader", method) >= 0);
	va_start(ap, types);
	assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
	va_end(ap);
	assert_true(sd_bus_call(bus, m, 5000000, &error, &reply) < 0);
	assert_string_equal(error.name,
			    "org.freedesktop.DBus.Error.InvalidArgs");
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
}

static void test_bad_args(void **state)
{
	sd_bus *bus = client();
	uint8_t big[PRW_MAX_PAYLOAD] = { 0x00, 0xa4 };
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *s = NULL;

	claim(bus);
	/* Wrong types: refused before the method runs. */
	expect_bad_signature(bus, "Transmit", "i", 1);
	expect_bad_signature(bus, "Transmit", "ss", "icc", "00a4");
	expect_bad_signature(bus, "Transmit", "s", "icc");
	expect_bad_signature(bus, "WaitForCard", "su", "icc", 100);
	expect_bad_signature(bus, "WaitForCard", "as", 0);
	expect_bad_signature(bus, "SetIndicators", "as", 1, "leds");
	expect_bad_signature(bus, "AcquireChannel", "u", 0);
	expect_bad_signature(bus, "Claim", "s", "please");

	/* Right types, wrong values. */
	expect_bus_error(
		reader_transmit(bus, rpath, "sam", echo4, sizeof(echo4), NULL),
		"org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_transmit(bus, rpath, "", NULL, 0, NULL),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_transmit(bus, rpath, "icc", echo4, 3, NULL),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(
		reader_transmit(bus, rpath, "icc", big, sizeof(big), NULL),
		"org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "WaitForCard", NULL, "asu", 1,
				     "barcode", 100),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(
		reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0, 0),
		"org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0,
				     0xffffffffu),
			 "org.posreader1.Error.InvalidArgs");
	expect_bus_error(reader_call(bus, rpath, "AcquireChannel", NULL, "s",
				     "\xc3\xa9"),
			 "org.posreader1.Error.InvalidArgs");

	/* Unknown objects, methods and properties. */
	expect_bus_error(reader_call(bus, "/org/posreader1/reader/nope",
				     "Claim", NULL, NULL),
			 "org.freedesktop.DBus.Error.UnknownObject");
	expect_bus_error(reader_call(bus, rpath, "Format", NULL, NULL),
			 "org.freedesktop.DBus.Error.UnknownMethod");
	assert_true(sd_bus_get_property_string(bus, "org.posreader1", rpath,
					       "org.posreader1.Reader", "Pan",
					       &error, &s) < 0);
	assert_string_equal(error.name,
			    "org.freedesktop.DBus.Error.UnknownProperty");
	sd_bus_error_free(&error);
	assert_true(sd_bus_set_property(bus, "org.posreader1", rpath,
					"org.posreader1.Reader", "Serial",
					&error, "s", "X") < 0);
	sd_bus_error_free(&error);

	/* Still alive, still serving. */
	assert_true(env_daemon_alive(&env));
	assert_int_equal(reader_get_string(bus, rpath, "Serial", &s), 0);
	free(s);
	client_done(bus);
}

static void test_locked(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	sd_bus_message *wait = NULL;
	const sd_bus_error *e;
	const char *me = NULL;
	char *s = NULL, **reasons = NULL, *daemon_log;

	assert_true(sd_bus_get_unique_name(bus, &me) >= 0);
	assert_int_equal(sig_log_new(bus, &log), 0);
	claim(bus);
	assert_int_equal(sig_log_wait_claimed_by(log, rpath, me, 2000), 0);
	call_async(bus, "WaitForCard", &wait, "asu", 0, 10000);
	bus_pump(bus, scaled_ms(100));
	assert_int_equal(env_set_test_lock(&env, true), 0);

	/* The pending wait fails with Locked. */
	await_reply(bus, &wait, 3000);
	e = sd_bus_message_get_error(wait);
	assert_non_null(e);
	assert_string_equal(e->name, "org.posreader1.Error.Locked");
	sd_bus_message_unref(wait);

	assert_int_equal(sig_log_wait(log, "/org/posreader1",
				      "PropertiesChanged", 2000, NULL),
			 0);
	assert_true(sd_bus_get_property_string(bus, "org.posreader1",
					       "/org/posreader1",
					       "org.posreader1.Terminal",
					       "LockState", NULL, &s) >= 0);
	assert_string_equal(s, "locked");
	free(s);
	assert_int_equal(terminal_reason_ids(bus, &reasons), 0);
	assert_string_equal(reasons[0], "test");
	assert_null(reasons[1]);
	strv_free(reasons);

	/* The lock ended the claim, announced it, and logged why. */
	assert_int_equal(sig_log_wait_claimed_by(log, rpath, "", 2000), 0);
	assert_int_equal(reader_get_string(bus, rpath, "ClaimedBy", &s), 0);
	assert_string_equal(s, "");
	free(s);
	daemon_log = read_file(env.daemon_log);
	assert_non_null(daemon_log);
	assert_non_null(strstr(daemon_log, "ended: the terminal is locked"));
	free(daemon_log);
	/* No new claim while locked; the error names the reason. */
	expect_bus_error(reader_call(bus, rpath, "Claim", NULL, NULL),
			 "org.posreader1.Error.Locked");
	assert_non_null(strstr(last_error_message(), "test lock file"));
	assert_int_equal(reader_get_string(bus, rpath, "ClaimedBy", &s), 0);
	assert_string_equal(s, "");
	free(s);

	expect_bus_error(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		"org.posreader1.Error.Locked");
	expect_bus_error(
		reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0, 100),
		"org.posreader1.Error.Locked");
	expect_bus_error(reader_call(bus, rpath, "IccPowerOn", NULL, NULL),
			 "org.posreader1.Error.Locked");
	expect_bus_error(
		reader_call(bus, rpath, "AcquireChannel", NULL, "s", "icc"),
		"org.posreader1.Error.Locked");
	/* No card data while locked. */
	assert_int_equal(env_sim_ctl(&env, 0, "swipe", NULL), 0);
	bus_pump(bus, scaled_ms(300));
	assert_int_equal(sig_log_count(log, "CardSwiped"), 0);

	assert_int_equal(env_set_test_lock(&env, false), 0);
	assert_int_equal(sig_log_wait(log, "/org/posreader1",
				      "PropertiesChanged", 2000, NULL),
			 0);
	assert_true(sd_bus_get_property_string(bus, "org.posreader1",
					       "/org/posreader1",
					       "org.posreader1.Terminal",
					       "LockState", NULL, &s) >= 0);
	assert_string_equal(s, "active");
	free(s);
	/* Unlocked: the claim is not back by itself; claim again to serve. */
	expect_bus_error(reader_call(bus, rpath, "IccPowerOn", NULL, NULL),
			 "org.posreader1.Error.NotClaimed");
	claim(bus);
	assert_int_equal(sig_log_wait_claimed_by(log, rpath, me, 2000), 0);
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "insert", NULL), 0);
	bus_pump(bus, scaled_ms(200));
	assert_int_equal(reader_call(bus, rpath, "IccPowerOn", NULL, NULL), 0);
	assert_int_equal(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		0);
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "remove", NULL), 0);
	assert_int_equal(env_sim_ctl(&env, 0, "swipe", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "CardSwiped", 2000, NULL), 0);
	sig_log_free(log);
	client_done(bus);
}

static void test_device_timeout_and_garbage(void **state)
{
	sd_bus *bus = client();
	uint64_t t0;

	claim(bus);
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "insert", NULL), 0);
	bus_pump(bus, scaled_ms(200));
	/* A device that never answers: Timeout, then service again. */
	assert_int_equal(
		env_sim_ctl(&env, 0, "misbehave", "silence", "count=1", NULL),
		0);
	t0 = now_ms();
	expect_bus_error(reader_call(bus, rpath, "IccPowerOn", NULL, NULL),
			 "org.posreader1.Error.Timeout");
	assert_true(now_ms() - t0 < 6000);
	assert_int_equal(reader_call(bus, rpath, "IccPowerOn", NULL, NULL), 0);

	/* Answers with a bad CRC or the wrong sequence are never taken. */
	assert_int_equal(
		env_sim_ctl(&env, 0, "misbehave", "bad-crc", "count=1", NULL),
		0);
	expect_bus_error(reader_call(bus, rpath, "IccPowerOff", NULL, NULL),
			 "org.posreader1.Error.Timeout");
	assert_int_equal(reader_call(bus, rpath, "IccPowerOn", NULL, NULL), 0);
	assert_int_equal(
		env_sim_ctl(&env, 0, "misbehave", "garbage", "count=3", NULL),
		0);
	bus_pump(bus, scaled_ms(200));
	assert_int_equal(env_sim_ctl(&env, 0, "misbehave", "off", NULL), 0);
	assert_int_equal(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		0);
	assert_true(env_daemon_alive(&env));
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "remove", NULL), 0);
	client_done(bus);
}

/* Every way the simulator can misbehave: the daemon drops what is
 * malformed, times out what never comes, and serves again afterwards. */
static void test_misbehave_sweep(void **state)
{
	static const char *const modes[] = {
		"bad-crc",   "wrong-seq",     "wrong-type",   "unknown-type",
		"truncated", "oversize",      "lying-length", "garbage",
		"flood",     "reserved-bits",
	};
	sd_bus *bus = client();
	const char *e;
	int ret;

	claim(bus);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(env_sim_ctl(&env, 0, "misbehave", modes[i],
					     "count=2", NULL),
				 0);
		/* IccPowerOff: cheap, and a 1 s timeout per lost answer. */
		for (int k = 0; k < 2; k++) {
			ret = reader_call(bus, rpath, "IccPowerOff", NULL,
					  NULL);
			e = last_error_name();
			assert_true(ret == 0 ||
				    strcmp(e, "org.posreader1.Error.Timeout") ==
					    0 ||
				    strcmp(e, "org.posreader1.Error."
					      "DeviceError") == 0);
		}
		assert_int_equal(env_sim_ctl(&env, 0, "misbehave", "off", NULL),
				 0);
		assert_int_equal(
			reader_call(bus, rpath, "IccPowerOff", NULL, NULL), 0);
	}
	assert_true(env_daemon_alive(&env));
	client_done(bus);
}

/* A client pouring in calls gets Busy beyond the limits, nothing worse. */
static void test_flood_limits(void **state)
{
	enum {
		N_TX = 60,
		N_WAIT = 24
	};
	sd_bus_message *tx[N_TX], *wt[N_WAIT];
	unsigned int ok = 0, busy = 0, timeout = 0;
	const sd_bus_error *e;
	sd_bus *bus = client();

	claim(bus);
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "insert", NULL), 0);
	bus_pump(bus, scaled_ms(200));
	assert_int_equal(reader_call(bus, rpath, "IccPowerOn", NULL, NULL), 0);
	/* A slow card: the calls surely pile up behind the first one. */
	assert_int_equal(env_sim_ctl(&env, 0, "latency", "400", NULL), 0);
	for (int i = 0; i < N_TX; i++) {
		sd_bus_message *m = NULL;

		tx[i] = NULL;
		assert_true(sd_bus_message_new_method_call(
				    bus, &m, "org.posreader1", rpath,
				    "org.posreader1.Reader", "Transmit") >= 0);
		assert_true(sd_bus_message_append(m, "s", "icc") >= 0);
		assert_true(sd_bus_message_append_array(m, 'y', echo4,
							sizeof(echo4)) >= 0);
		assert_true(sd_bus_call_async(bus, NULL, m, on_reply, &tx[i],
					      30 * 1000000ULL) >= 0);
		sd_bus_message_unref(m);
	}
	for (int i = 0; i < N_TX; i++) {
		await_reply(bus, &tx[i], 10000);
		e = sd_bus_message_get_error(tx[i]);
		if (!e)
			ok++;
		else if (strcmp(e->name, "org.posreader1.Error.Busy") == 0)
			busy++;
		sd_bus_message_unref(tx[i]);
	}
	assert_int_equal(env_sim_ctl(&env, 0, "latency", "0", NULL), 0);
	/* One on the wire, READER_QUEUE_MAX (32) behind it, the rest Busy
	 * (a few more get in if the daemon reads slower than the card). */
	assert_int_equal(ok + busy, N_TX);
	assert_true(ok >= 33);
	assert_true(busy > 0);

	ok = busy = 0;
	for (int i = 0; i < N_WAIT; i++)
		call_async(bus, "WaitForCard", &wt[i], "asu", 1, "magstripe",
			   300);
	for (int i = 0; i < N_WAIT; i++) {
		await_reply(bus, &wt[i], 5000);
		e = sd_bus_message_get_error(wt[i]);
		assert_non_null(e);
		if (strcmp(e->name, "org.posreader1.Error.Busy") == 0)
			busy++;
		else if (strcmp(e->name, "org.posreader1.Error.Timeout") == 0)
			timeout++;
		sd_bus_message_unref(wt[i]);
	}
	assert_int_equal(timeout, 16);
	assert_int_equal(busy, N_WAIT - 16);
	assert_int_equal(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		0);
	assert_true(env_daemon_alive(&env));
	assert_int_equal(env_sim_ctl(&env, 0, "icc", "remove", NULL), 0);
	client_done(bus);
}

static void test_no_card_data_in_log(void **state)
{
	char *log = read_file(env.daemon_log);

	assert_non_null(log);
	assert_true(strlen(log) > 0);
	/* Compare without printing: the clear PAN must never be logged. */
	assert_true(strstr(log, TESTCARD_PAN) == NULL);
	assert_true(strstr(log, TESTCARD_NAME) == NULL);
	free(log);
}

/* Last: tamper locks the terminal for good. */
static void test_tamper(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	char **reasons = NULL;

	assert_int_equal(sig_log_new(bus, &log), 0);
	claim(bus);
	assert_int_equal(env_sim_ctl(&env, 0, "tamper", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "Tamper", 2000, NULL), 0);
	assert_int_equal(terminal_reason_ids(bus, &reasons), 0);
	assert_string_equal(reasons[0], "tamper");
	assert_null(reasons[1]);
	strv_free(reasons);
	expect_bus_error(
		reader_transmit(bus, rpath, "icc", echo4, sizeof(echo4), NULL),
		"org.posreader1.Error.Locked");
	sig_log_free(log);
	client_done(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_listed),
		cmocka_unit_test(test_claim_release),
		cmocka_unit_test(test_claim_race),
		cmocka_unit_test(test_auto_release_on_death),
		cmocka_unit_test(test_not_claimed),
		cmocka_unit_test(test_swipe_signal_masked),
		cmocka_unit_test(test_wait_for_swipe),
		cmocka_unit_test(test_wait_for_card_timeout),
		cmocka_unit_test(test_icc),
		cmocka_unit_test(test_nfc),
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_set_indicators),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_device_timeout_and_garbage),
		cmocka_unit_test(test_misbehave_sweep),
		cmocka_unit_test(test_flood_limits),
		cmocka_unit_test(test_no_card_data_in_log),
		cmocka_unit_test(test_tamper),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
