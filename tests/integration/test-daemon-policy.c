// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shipped bus policy and the shipped introspection files against the
 * running daemon: an unprivileged uid may look but not use a reader or
 * see card signals, and the dbus/ XML files match the live introspection
 * exactly.
 */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define SERIAL "SIM-POL-1"
#define NOBODY 65534

static struct env env;
static char *rpath;

static int group_setup(void **state)
{
	return env_group_setup_reader(&env, SERIAL, &rpath);
}

static int group_teardown(void **state)
{
	return env_group_teardown_reader(&env, &rpath);
}

/* The <interface name="iface"> element of an introspection document. */
static char *interface_block(const char *xml, const char *iface)
{
	char open[128];
	const char *b, *e;

	snprintf(open, sizeof(open), "<interface name=\"%s\">", iface);
	b = strstr(xml, open);
	if (!b)
		return NULL;
	e = strstr(b, "</interface>");
	if (!e)
		return NULL;
	return strndup(b, e + strlen("</interface>") - b);
}

static void check_xml(sd_bus *bus, const char *path, const char *iface)
{
	sd_bus_message *reply = NULL;
	char file[512], *doc, *live, *shipped;
	const char *xml;

	assert_true(sd_bus_call_method(bus, "org.posreader1", path,
				       "org.freedesktop.DBus.Introspectable",
				       "Introspect", NULL, &reply, "") >= 0);
	assert_true(sd_bus_message_read(reply, "s", &xml) > 0);
	live = interface_block(xml, iface);
	sd_bus_message_unref(reply);
	assert_non_null(live);

	snprintf(file, sizeof(file), "%s/%s.xml", getenv("POSREADER_DBUS_DIR"),
		 iface);
	doc = read_file(file);
	assert_non_null(doc);
	shipped = interface_block(doc, iface);
	free(doc);
	assert_non_null(shipped);
	assert_string_equal(shipped, live);
	free(live);
	free(shipped);
}

static void test_introspection_matches_xml(void **state)
{
	sd_bus *bus = NULL;

	if (!getenv("POSREADER_DBUS_DIR"))
		skip();
	assert_int_equal(env_connect(&env, &bus), 0);
	wait_reader_serial(bus, rpath);
	check_xml(bus, rpath, "org.posreader1.Reader");
	check_xml(bus, "/org/posreader1", "org.posreader1.Terminal");
	sd_bus_flush_close_unref(bus);
}

/* Become nobody; report "what=result" lines on fd. */
static void report(int fd, const char *what, int ret)
{
	dprintf(fd, "%s=%s\n", what, ret >= 0 ? "ok" : last_error_name());
}

static int count_swipes(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	(*(int *)userdata)++;
	return 0;
}

static void unprivileged_child(int out, int go)
{
	sd_bus *bus = NULL;
	sd_bus_message *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *s = NULL, c;
	int swipes = 0, ret;
	uint64_t end;

	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		_exit(77);
	if (env_connect(&env, &bus) < 0)
		_exit(2);

	ret = sd_bus_call_method(bus, "org.posreader1", "/org/posreader1",
				 "org.freedesktop.DBus.ObjectManager",
				 "GetManagedObjects", &error, &reply, "");
	dprintf(out, "GetManagedObjects=%s\n", ret >= 0 ? "ok" : error.name);
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	ret = reader_get_string(bus, rpath, "Serial", &s);
	dprintf(out, "Serial=%s\n", ret >= 0 ? s : "error");
	free(s);

	report(out, "Claim", reader_call(bus, rpath, "Claim", NULL, NULL));
	report(out, "Release", reader_call(bus, rpath, "Release", NULL, NULL));
	report(out, "WaitForCard",
	       reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0, 100));
	report(out, "IccPowerOn",
	       reader_call(bus, rpath, "IccPowerOn", NULL, NULL));
	report(out, "Transmit",
	       reader_transmit(bus, rpath, "icc", "\x80\xee\x00\x00\x01", 5,
			       NULL));
	report(out, "AcquireChannel",
	       reader_call(bus, rpath, "AcquireChannel", NULL, "s", "icc"));
	report(out, "SetIndicators",
	       reader_call(bus, rpath, "SetIndicators", NULL, "a{sv}", 0));

	ret = sd_bus_request_name(bus, "org.posreader1", 0);
	dprintf(out, "RequestName=%s\n", ret >= 0 ? "ok" : "refused");

	/* Card signals: subscribe, then let the parent swipe. */
	if (sd_bus_match_signal(bus, NULL, "org.posreader1", rpath,
				"org.posreader1.Reader", "CardSwiped",
				count_swipes, &swipes) < 0)
		_exit(3);
	dprintf(out, "ready=1\n");
	if (read(go, &c, 1) != 1)
		_exit(4);
	end = now_ms() + 1000;
	while (now_ms() < end)
		bus_pump(bus, 50);
	dprintf(out, "CardSwiped=%d\n", swipes);
	sd_bus_flush_close_unref(bus);
	_exit(0);
}

/* The value of "key=" in the child's report. */
static const char *value_of(const char *text, const char *key)
{
	static char v[256];
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s=", key);
	p = strstr(text, pat);
	if (!p)
		return "(missing)";
	p += strlen(pat);
	snprintf(v, sizeof(v), "%.*s", (int)strcspn(p, "\n"), p);
	return v;
}

static void test_unprivileged_refused(void **state)
{
	static const char *const methods[] = {
		"Claim",    "Release",	      "WaitForCard",   "IccPowerOn",
		"Transmit", "AcquireChannel", "SetIndicators",
	};
	struct sig_log *log = NULL;
	char text[4096] = "";
	int out[2], go[2], status;
	sd_bus *root = NULL;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_int_equal(env_connect(&env, &root), 0);
	wait_reader_serial(root, rpath);
	assert_int_equal(sig_log_new(root, &log), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(out[0]);
		close(go[1]);
		unprivileged_child(out[1], go[0]);
	}
	close(out[1]);
	close(go[0]);
	while (!strstr(text, "ready=1\n") &&
	       (n = read(out[0], text + len, sizeof(text) - 1 - len)) > 0) {
		len += n;
		text[len] = '\0';
	}
	/* The child is listening: swipe, and root sees it. */
	assert_int_equal(env_sim_ctl(&env, 0, "swipe", NULL), 0);
	assert_int_equal(sig_log_wait(log, rpath, "CardSwiped", 2000, NULL), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	while ((n = read(out[0], text + len, sizeof(text) - 1 - len)) > 0) {
		len += n;
		text[len] = '\0';
	}
	close(out[0]);
	close(go[1]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* Looking is allowed. */
	assert_string_equal(value_of(text, "GetManagedObjects"), "ok");
	assert_string_equal(value_of(text, "Serial"), SERIAL);
	/* Using is not: the bus itself refuses, per the shipped policy. */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		assert_string_equal(value_of(text, methods[i]),
				    "org.freedesktop.DBus.Error.AccessDenied");
	assert_string_equal(value_of(text, "RequestName"), "refused");
	/* And card signals, even masked, do not reach it. */
	assert_string_equal(value_of(text, "CardSwiped"), "0");
	sig_log_free(log);
	sd_bus_flush_close_unref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introspection_matches_xml),
		cmocka_unit_test(test_unprivileged_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
