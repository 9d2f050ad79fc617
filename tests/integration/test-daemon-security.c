// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.posreader1.Terminal on a real dbus-daemon with the shipped policy,
 * posreaderd backed by the security engine, and posreader-sim: an
 * unprovisioned terminal, provisioning, who may call what, the operator
 * PIN lockout and its end in time, tamper, acquirer tokens (good and
 * bad), a daemon killed at every write point of VerifyPin, and a
 * corrupted state database.
 *
 * The role checks need the groups "posreader" and "posreader-admin". If
 * they do not exist, the test runs in a private mount namespace where a
 * copy of /etc/group with them is bind-mounted over /etc/group, so the
 * bus and the daemon resolve them as on an installed system.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness-groups.h"
#include "harness.h"

#define SERIAL	       "SIM-SEC-1"
#define TERMINAL_ID    "SHOP-7-LANE-2"
#define OPERATOR_PIN   "418263"
#define SUPERVISOR_PIN "907354"
#define WRONG_PIN      "555123"
#define NOBODY	       65534

static struct env env;
static const char *rpath;
static char acq_key[128], acq_key2[128], acq_pub[65], acq_kcv[7];
static bool have_groups;
static gid_t card_gid, admin_gid;

/* ---- Helpers -------------------------------------------------------- */

/* Call ApplyToken with bytes. */
static int apply_token(sd_bus *bus, const uint8_t *buf, size_t len)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int ret;

	set_last_error(NULL);
	ret = sd_bus_message_new_method_call(
		bus, &m, "org.posreader1", "/org/posreader1",
		"org.posreader1.Terminal", "ApplyToken");
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', buf, len);
	if (ret >= 0)
		ret = sd_bus_call(bus, m, 0, &error, NULL);
	if (ret < 0)
		set_last_error(&error);
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

/* Fail with the error if ret is negative. */
static void expect_ok(int ret)
{
	if (ret < 0)
		fail_msg("call failed: %s (%s)", last_error_name(),
			 last_error_message());
}

static void expect_err(int ret, const char *name)
{
	if (ret >= 0 || strcmp(last_error_name(), name) != 0)
		fail_msg("expected %s, got %s (%s)", name,
			 ret >= 0 ? "success" : last_error_name(),
			 last_error_message());
}

static uint32_t retries(sd_bus *bus)
{
	uint32_t v = 99;

	assert_true(sd_bus_get_property_trivial(
			    bus, "org.posreader1", "/org/posreader1",
			    "org.posreader1.Terminal", "OperatorPinRetries",
			    NULL, 'u', &v) >= 0);
	return v;
}

static int64_t locked_until(sd_bus *bus)
{
	int64_t v = -1;

	assert_true(sd_bus_get_property_trivial(
			    bus, "org.posreader1", "/org/posreader1",
			    "org.posreader1.Terminal", "LockedUntil", NULL, 'x',
			    &v) >= 0);
	return v;
}

static int64_t wall_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A client; waits until the reader is on the bus. */
static sd_bus *client(void)
{
	sd_bus *bus = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	wait_reader_serial(bus, rpath);
	return bus;
}

/*
 * Wait until the reader is on the bus (true) or the daemon died on the
 * way (false): attaching it writes the outcome of its authentication.
 */
static bool reader_attached(void)
{
	uint64_t end = now_ms() + 5000;
	sd_bus *bus = NULL;
	bool on_bus = false;
	char *s = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	while (now_ms() < end && env_daemon_alive(&env)) {
		if (reader_get_string(bus, rpath, "Serial", &s) >= 0) {
			free(s);
			on_bus = true;
			break;
		}
		bus_pump(bus, 20);
	}
	sd_bus_flush_close_unref(bus);
	if (!on_bus)
		assert_false(env_daemon_alive(&env));
	return on_bus;
}

/* Run argv, stdout to out (NULL: /dev/null); exit status. */
static int run(char *const argv[], const char *out)
{
	pid_t pid = fork();
	int status, fd;

	if (pid == 0) {
		fd = open(out ? out : "/dev/null",
			  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *acquirer(void)
{
	const char *p = getenv("POSREADER_ACQUIRER");

	assert_non_null(p);
	return p;
}

/* Make an acquirer key; fill pub/kcv (may be NULL) from its output. */
static void acquirer_keygen(const char *path, char *pub, char *kcv)
{
	char out[160], *text, *p;
	char *argv[] = { (char *)acquirer(), (char *)"keygen", (char *)path,
			 NULL };

	snprintf(out, sizeof(out), "%s/keygen.out", env.dir);
	assert_int_equal(run(argv, out), 0);
	text = read_file(out);
	assert_non_null(text);
	if (pub) {
		p = strstr(text, "public-key ");
		assert_non_null(p);
		memcpy(pub, p + 11, 64);
		pub[64] = '\0';
	}
	if (kcv) {
		p = strstr(text, "kcv ");
		assert_non_null(p);
		memcpy(kcv, p + 4, 6);
		kcv[6] = '\0';
	}
	free(text);
}

/* A fresh challenge from the terminal, as hex. */
static void get_challenge(sd_bus *bus, char hex[65])
{
	sd_bus_message *reply = NULL;
	const uint8_t *p;
	size_t n;

	assert_int_equal(
		terminal_call(bus, 10, "GetUnlockChallenge", &reply, NULL), 0);
	assert_true(sd_bus_message_read_array(reply, 'y', (const void **)&p,
					      &n) >= 0);
	assert_int_equal(n, 32);
	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", p[i]);
	sd_bus_message_unref(reply);
}

/* Sign a token with posreader-acquirer; its bytes in buf. */
static size_t sign_token(const char *key, const char *type,
			 const char *terminal, const char *challenge,
			 const char *expiry, uint8_t *buf, size_t cap)
{
	char path[160], *text;
	char *argv[12] = { (char *)acquirer(), (char *)"sign",
			   (char *)key,	       (char *)type,
			   (char *)terminal,   (char *)challenge,
			   (char *)"--out",    path };
	int a = 8, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/token.bin", env.dir);
	if (expiry) {
		argv[a++] = (char *)"--expiry";
		argv[a++] = (char *)expiry;
	}
	argv[a] = NULL;
	assert_int_equal(run(argv, NULL), 0);
	text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, cap);
	close(fd);
	free(text);
	assert_true(n > 0);
	return (size_t)n;
}

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* Provision over the bus (root); acquirer key from acq_pub. */
static int provision(sd_bus *bus, const uint8_t *master_kcv)
{
	uint8_t pub[32];

	hex_to_bytes(acq_pub, pub, sizeof(pub));
	return terminal_provision(bus, TERMINAL_ID, OPERATOR_PIN,
				  SUPERVISOR_PIN, master_kcv, pub);
}

/* PairReader(SERIAL) with the simulator's default key (00..1f) and KCV. */
static int pair_reader(sd_bus *bus)
{
	static const uint8_t kcv[3] = { 0xff, 0x92, 0x12 };
	uint8_t key[32];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	return terminal_pair_reader(bus, SERIAL, key, kcv);
}

/* (b, u) of VerifyPin. */
static int verify_pin(sd_bus *bus, const char *role, const char *pin,
		      int *ret_ok, uint32_t *ret_retries)
{
	sd_bus_message *reply = NULL;
	int ret;

	ret = terminal_call(bus, 10, "VerifyPin", &reply, "ss", role, pin);
	if (ret < 0)
		return ret;
	assert_true(sd_bus_message_read(reply, "bu", ret_ok, ret_retries) >= 0);
	sd_bus_message_unref(reply);
	return 0;
}

/* Write the daemon's test configuration and use it from now on. */
static void daemon_config(const char *text)
{
	char path[160], args[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/posreaderd.conf", env.dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(args, sizeof(args), "--config %s", path);
	setenv("POSREADER_TEST_DAEMON_ARGS", args, 1);
}

static void stop_daemon(int sig)
{
	int status;

	if (env.daemon_pid <= 0)
		return;
	kill(env.daemon_pid, sig);
	waitpid(env.daemon_pid, &status, 0);
	env.daemon_pid = 0;
}

/* ---- Groups ----------------------------------------------------------- */

/* Make "posreader" and "posreader-admin" resolvable (see the top). */
static void setup_groups(void)
{
	struct pos_groups g;

	if (pos_groups_setup(&g) < 0)
		return;
	card_gid = g.card;
	admin_gid = g.admin;
	have_groups = true;
}

/* ---- Setup ------------------------------------------------------------ */

static int group_setup(void **state)
{
	unsetenv("POSREADER_TEST_PROVISION");
	if (env_start_bus(&env) < 0)
		return -1;
	snprintf(acq_key, sizeof(acq_key), "%s/acquirer.pem", env.dir);
	snprintf(acq_key2, sizeof(acq_key2), "%s/other-acquirer.pem", env.dir);
	daemon_config("# posreaderd for test-daemon-security\n"
		      "pin-lockout = 2,3,4\n");
	rpath = env_start_reader(&env, SERIAL);
	return rpath ? 0 : -1;
}

static int group_teardown(void **state)
{
	env_stop(&env);
	free((void *)rpath);
	return 0;
}

/* ---- Tests ------------------------------------------------------------ */

static void test_unprovisioned(void **state)
{
	sd_bus *bus = client();
	struct lock_reason r;

	assert_string_equal(lock_state(bus), "unprovisioned");
	assert_true(find_reason(bus, "not-provisioned", &r));
	assert_non_null(strstr(r.ways, "re-provisioning"));
	/* No claim and no card service until provisioned. */
	assert_true(reader_call(bus, rpath, "Claim", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	assert_true(reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0,
				100) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	/* No PINs yet. */
	expect_err(verify_pin(bus, "operator", OPERATOR_PIN, &(int){ 0 },
			      &(uint32_t){ 0 }),
		   "org.posreader1.Error.NotProvisioned");
	sd_bus_flush_close_unref(bus);
}

static void test_provision(void **state)
{
	static const uint8_t kcv[3] = { 0x66, 0xe9, 0x4b },
			     bad_kcv[3] = { 0x66, 0xe9, 0x4c };
	sd_bus *bus = client();
	struct lock_reason r;
	char *id = NULL;

	acquirer_keygen(acq_key, acq_pub, acq_kcv);
	acquirer_keygen(acq_key2, NULL, NULL);
	/* A wrong key check value stores nothing. */
	expect_err(provision(bus, bad_kcv), "org.posreader1.Error.InvalidArgs");
	assert_string_equal(lock_state(bus), "unprovisioned");
	if (provision(bus, kcv) < 0)
		fail_msg("Provision failed: %s: %s", last_error_name(),
			 last_error_message());
	/* The reader attached before is judged now, as at attach: it could
	 * prove a key, but none is paired for it (docs/security.md). */
	assert_true(wait_state(bus, "blocked", 2000));
	assert_true(find_reason(bus, "reader-not-genuine", &r));
	assert_string_equal(r.subject, SERIAL);
	assert_non_null(strstr(r.message, "not paired"));
	assert_true(sd_bus_get_property_string(bus, "org.posreader1",
					       "/org/posreader1",
					       "org.posreader1.Terminal",
					       "TerminalId", NULL, &id) >= 0);
	assert_string_equal(id, TERMINAL_ID);
	free(id);
	assert_int_equal(retries(bus), 3);
	assert_int_equal(locked_until(bus), 0);
	/* Paired, it proves the key at once and whenever it attaches. */
	if (pair_reader(bus) < 0)
		fail_msg("PairReader failed: %s: %s", last_error_name(),
			 last_error_message());
	assert_true(wait_state(bus, "active", 2000));
	assert_false(find_reason(bus, "reader-not-genuine", NULL));
	sd_bus_flush_close_unref(bus);
}

/* In a child: become uid nobody with group gid (0: none) and call. */
static void role_child(int out, gid_t gid)
{
	uint8_t junk[8] = { 1, 2, 3 };
	sd_bus *bus = NULL;
	char *s = NULL;
	int ok;
	uint32_t left;

	if (setgroups(gid ? 1 : 0, &gid) < 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		_exit(77);
	if (env_connect(&env, &bus) < 0)
		_exit(2);
#define REPORT(name, call) \
	dprintf(out, "%s=%s\n", name, (call) >= 0 ? "ok" : last_error_name())
	dprintf(out, "LockState=%s\n",
		sd_bus_get_property_string(
			bus, "org.posreader1", "/org/posreader1",
			"org.posreader1.Terminal", "LockState", NULL, &s) >= 0 ?
			s :
			"error");
	free(s);
	REPORT("VerifyPin.operator",
	       verify_pin(bus, "operator", OPERATOR_PIN, &ok, &left));
	REPORT("VerifyPin.supervisor",
	       verify_pin(bus, "supervisor", SUPERVISOR_PIN, &ok, &left));
	REPORT("ChangePin.operator",
	       terminal_call(bus, 10, "ChangePin", NULL, "ssss", "operator",
			     "operator", OPERATOR_PIN, OPERATOR_PIN));
	REPORT("ChangePin.supervisor",
	       terminal_call(bus, 10, "ChangePin", NULL, "ssss", "supervisor",
			     "supervisor", SUPERVISOR_PIN, SUPERVISOR_PIN));
	REPORT("SupervisorUnlock", terminal_call(bus, 10, "SupervisorUnlock",
						 NULL, "s", SUPERVISOR_PIN));
	REPORT("GetUnlockChallenge",
	       terminal_call(bus, 10, "GetUnlockChallenge", NULL, NULL));
	REPORT("ApplyToken", apply_token(bus, junk, sizeof(junk)));
	REPORT("RunSelfTest",
	       terminal_call(bus, 10, "RunSelfTest", NULL, NULL));
	REPORT("Provision",
	       terminal_call(bus, 10, "Provision", NULL, "a{sv}", 0));
	REPORT("PairReader", terminal_call(bus, 10, "PairReader", NULL, "sayay",
					   SERIAL, 0, 0));
	REPORT("GetAudit",
	       terminal_call(bus, 10, "GetAudit", NULL, "xu", (int64_t)0, 1));
	REPORT("VerifyAudit",
	       terminal_call(bus, 10, "VerifyAudit", NULL, NULL));
	REPORT("Claim", reader_call(bus, rpath, "Claim", NULL, NULL));
#undef REPORT
	sd_bus_flush_close_unref(bus);
	_exit(0);
}

/* Run role_child and return its report (malloc'ed). */
static char *as_role(gid_t gid)
{
	char *buf = calloc(1, 4096);
	size_t n = 0;
	ssize_t k;
	int fds[2], status;
	pid_t pid;

	assert_non_null(buf);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		role_child(fds[1], gid);
	}
	close(fds[1]);
	while ((k = read(fds[0], buf + n, 4095 - n)) > 0)
		n += (size_t)k;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return buf;
}

static void expect_line(const char *report, const char *what,
			const char *result)
{
	char line[200];

	snprintf(line, sizeof(line), "%s=%s\n", what, result);
	if (!strstr(report, line))
		fail_msg("expected \"%s=%s\" in:\n%s", what, result, report);
}

#define DENIED_BUS "org.freedesktop.DBus.Error.AccessDenied"
#define DENIED	   "org.posreader1.Error.AccessDenied"
#define BAD_ARGS   "org.posreader1.Error.InvalidArgs"
#define BAD_TOKEN  "org.posreader1.Error.InvalidToken"
#define DBUS_ARGS  "org.freedesktop.DBus.Error.InvalidArgs"

static void test_roles(void **state)
{
	static const char *const all[] = {
		"VerifyPin.operator",
		"VerifyPin.supervisor",
		"ChangePin.operator",
		"ChangePin.supervisor",
		"SupervisorUnlock",
		"GetUnlockChallenge",
		"ApplyToken",
		"RunSelfTest",
		"Provision",
		"PairReader",
		"GetAudit",
		"VerifyAudit",
		"Claim",
	};
	sd_bus *bus = client();
	char *r;

	/* Nobody may look but not call anything. */
	r = as_role(0);
	expect_line(r, "LockState", "active");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		expect_line(r, all[i], DENIED_BUS);
	free(r);

	if (!have_groups) {
		sd_bus_flush_close_unref(bus);
		skip();
	}
	/* The card group: card services and the operator functions. */
	r = as_role(card_gid);
	expect_line(r, "VerifyPin.operator", "ok");
	expect_line(r, "ChangePin.operator", "ok");
	expect_line(r, "GetUnlockChallenge", "ok");
	expect_line(r, "ApplyToken", BAD_TOKEN); /* allowed, and malformed */
	expect_line(r, "RunSelfTest", "ok");
	expect_line(r, "Claim", "ok");
	expect_line(r, "VerifyPin.supervisor", DENIED);
	expect_line(r, "ChangePin.supervisor", DENIED);
	expect_line(r, "SupervisorUnlock", DENIED);
	expect_line(r, "Provision", DENIED);
	expect_line(r, "PairReader", DENIED);
	expect_line(r, "GetAudit", DENIED);
	expect_line(r, "VerifyAudit", DENIED);
	free(r);

	/* The admin group: the Terminal, all of it; no reader. */
	r = as_role(admin_gid);
	expect_line(r, "VerifyPin.operator", "ok");
	expect_line(r, "VerifyPin.supervisor", "ok");
	expect_line(r, "SupervisorUnlock", "ok");
	expect_line(r, "GetAudit", "ok");
	expect_line(r, "VerifyAudit", "ok");
	expect_line(r, "Provision", BAD_ARGS); /* allowed, but empty */
	expect_line(r, "PairReader", BAD_ARGS);
	expect_line(r, "Claim", DENIED_BUS);
	free(r);

	/* Root: everything the daemon offers. */
	expect_err(terminal_call(bus, 10, "Provision", NULL, "a{sv}", 0),
		   BAD_ARGS);
	expect_ok(
		terminal_call(bus, 10, "GetAudit", NULL, "xu", (int64_t)0, 5));
	assert_string_equal(lock_state(bus), "active");
	assert_int_equal(retries(bus), 3);
	sd_bus_flush_close_unref(bus);
}

static void test_pin_lockout_and_expiry(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	struct lock_reason r;
	uint32_t left;
	int ok;

	assert_int_equal(sig_log_new(bus, &log), 0);
	/* Not a PIN at all: refused, not counted. */
	expect_err(verify_pin(bus, "operator", "12ab", &ok, &left), BAD_ARGS);
	expect_err(verify_pin(bus, "operator", "1234567890123", &ok, &left),
		   BAD_ARGS);
	expect_err(verify_pin(bus, "cashier", OPERATOR_PIN, &ok, &left),
		   BAD_ARGS);
	assert_int_equal(retries(bus), 3);

	assert_int_equal(verify_pin(bus, "operator", WRONG_PIN, &ok, &left), 0);
	assert_false(ok);
	assert_int_equal(left, 2);
	assert_int_equal(verify_pin(bus, "operator", WRONG_PIN, &ok, &left), 0);
	assert_int_equal(left, 1);
	assert_int_equal(verify_pin(bus, "operator", WRONG_PIN, &ok, &left), 0);
	assert_false(ok);
	assert_int_equal(left, 0);

	/* Locked, with the time left and the ways out. */
	assert_string_equal(lock_state(bus), "locked");
	assert_int_equal(retries(bus), 0);
	assert_true(find_reason(bus, "operator-pin-lockout", &r));
	assert_true(r.timed);
	/* The first step of the 2,3,4 ladder, in words people read. */
	assert_non_null(strstr(r.message, "it unlocks in 2 s"));
	assert_true(r.remaining_us > 0 && r.remaining_us <= 2000000);
	assert_true(r.until > wall_us() && r.until <= wall_us() + 3000000);
	assert_non_null(strstr(r.ways, "time,"));
	assert_non_null(strstr(r.ways, "supervisor-pin,"));
	assert_non_null(strstr(r.ways, "acquirer-token,"));
	assert_true(locked_until(bus) >= r.until - 1000);
	/* Card services, Claim included, are refused, naming the reason. */
	assert_true(reader_call(bus, rpath, "Claim", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	assert_non_null(strstr(last_error_message(), "operator-pin-lockout"));
	assert_true(reader_call(bus, rpath, "IccPowerOn", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	/* The right PIN is not even tried while locked. */
	expect_err(verify_pin(bus, "operator", OPERATOR_PIN, &ok, &left),
		   "org.posreader1.Error.Locked");
	assert_non_null(strstr(last_error_message(), "locked for another"));

	/* Time passes: the daemon's own timer ends the lockout. */
	while (sig_log_wait(log, "/org/posreader1", "PropertiesChanged", 0,
			    NULL) == 0)
		;
	assert_int_equal(sig_log_wait(log, "/org/posreader1",
				      "PropertiesChanged", 4000, NULL),
			 0);
	assert_true(wait_state(bus, "active", 1000));
	assert_false(find_reason(bus, "operator-pin-lockout", NULL));
	assert_int_equal(locked_until(bus), 0);
	/* Card service again after a new Claim: no card, but not Locked. */
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_true(reader_call(bus, rpath, "IccPowerOn", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.NoCard");
	assert_int_equal(verify_pin(bus, "operator", OPERATOR_PIN, &ok, &left),
			 0);
	assert_true(ok);
	assert_int_equal(left, 3);
	sig_log_free(log);
	sd_bus_flush_close_unref(bus);
}

static void tamper(sd_bus *bus)
{
	assert_int_equal(env_sim_ctl(&env, 0, "tamper", NULL), 0);
	assert_true(wait_state(bus, "blocked", 3000));
}

static void test_tamper_and_tokens(void **state)
{
	sd_bus *bus = client();
	sd_bus_message *audit = NULL;
	struct lock_reason r;
	uint8_t tok[1100], used[1100];
	size_t n, used_n;
	char ch[65], past[32];
	const char *event, *caller, *detail;
	int64_t seq, wall;
	bool seen = false;
	int ok;

	/* Tamper blocks, zeroizes the working keys, ends the claim and
	 * refuses card service. */
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	tamper(bus);
	assert_int_equal(wait_claimed_by(bus, rpath, "", 2000), 0);
	assert_true(find_reason(bus, "tamper", &r));
	assert_string_equal(r.subject, SERIAL);
	assert_string_equal(r.ways, "acquirer-token,");
	assert_false(r.timed);
	assert_true(reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0,
				100) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	assert_int_equal(terminal_call(bus, 10, "GetAudit", &audit, "xu",
				       (int64_t)0, 1000),
			 0);
	assert_true(sd_bus_message_enter_container(audit, 'a', "(xxsssb)") >=
		    0);
	while (sd_bus_message_read(audit, "(xxsssb)", &seq, &wall, &event,
				   &caller, &detail, &ok) > 0)
		if (strcmp(event, "tamper") == 0 && strstr(detail, SERIAL) &&
		    strstr(detail, "keys zeroized") &&
		    !strstr(detail, "; 0 keys") && ok)
			seen = true;
	sd_bus_message_unref(audit);
	assert_true(seen);

	/* Bad tokens: refused with their reason, nothing changes. */
	memset(tok, 0x42, 64);
	expect_err(apply_token(bus, tok, 64), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(malformed)"));
	get_challenge(bus, ch);
	n = sign_token(acq_key, "unlock", "OTHER-TERMINAL", ch, NULL, tok,
		       sizeof(tok));
	expect_err(apply_token(bus, tok, n), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(wrong-terminal)"));
	n = sign_token(acq_key2, "unlock", TERMINAL_ID, ch, NULL, tok,
		       sizeof(tok));
	expect_err(apply_token(bus, tok, n), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(wrong-key)"));
	snprintf(past, sizeof(past), "%lld",
		 (long long)(wall_us() / 1000000 - 60));
	n = sign_token(acq_key, "unlock", TERMINAL_ID, ch, past, tok,
		       sizeof(tok));
	expect_err(apply_token(bus, tok, n), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(expired)"));
	n = sign_token(acq_key, "unlock", TERMINAL_ID, ch, NULL, tok,
		       sizeof(tok));
	tok[n - 1] ^= 0x01; /* the signature no longer verifies */
	expect_err(apply_token(bus, tok, n), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(bad-signature)"));
	assert_string_equal(lock_state(bus), "blocked");
	assert_true(find_reason(bus, "tamper", NULL));

	/* The acquirer's unlock token for this terminal and challenge. */
	tok[n - 1] ^= 0x01;
	assert_int_equal(apply_token(bus, tok, n), 0);
	assert_true(wait_state(bus, "active", 2000));
	assert_false(find_reason(bus, "tamper", NULL));
	/* Card service again, claimed anew: the wait runs (and times out). */
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_true(reader_call(bus, rpath, "WaitForCard", NULL, "asu", 0,
				100) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Timeout");
	memcpy(used, tok, n);
	used_n = n;

	/* The same token again, after a new tamper: replayed. */
	tamper(bus);
	expect_err(apply_token(bus, used, used_n), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(replayed)"));
	assert_string_equal(lock_state(bus), "blocked");
	get_challenge(bus, ch);
	n = sign_token(acq_key, "unlock", TERMINAL_ID, ch, NULL, tok,
		       sizeof(tok));
	/* A superseded challenge is refused as unknown. */
	get_challenge(bus, ch);
	expect_err(apply_token(bus, tok, n), BAD_TOKEN);
	assert_non_null(strstr(last_error_message(), "(unknown-challenge)"));
	n = sign_token(acq_key, "unlock", TERMINAL_ID, ch, NULL, tok,
		       sizeof(tok));
	assert_int_equal(apply_token(bus, tok, n), 0);
	assert_true(wait_state(bus, "active", 2000));
	sd_bus_flush_close_unref(bus);

	/* A reader found tampered at start-up blocks like the event. */
	stop_daemon(SIGTERM);
	assert_int_equal(env_start_daemon(&env), 0);
	bus = client();
	assert_true(wait_state(bus, "blocked", 3000));
	assert_true(find_reason(bus, "tamper", &r));
	assert_string_equal(r.subject, SERIAL);
	/* A tampered reader proves nothing with its key: not genuine. */
	assert_true(find_reason(bus, "reader-not-genuine", &r));
	assert_string_equal(r.subject, SERIAL);
	assert_int_equal(env_sim_ctl(&env, 0, "tamper", "clear", NULL), 0);
	get_challenge(bus, ch);
	n = sign_token(acq_key, "unlock", TERMINAL_ID, ch, NULL, tok,
		       sizeof(tok));
	assert_int_equal(apply_token(bus, tok, n), 0);
	/* The token ends the tamper; only re-pairing ends the other. */
	assert_false(find_reason(bus, "tamper", NULL));
	assert_string_equal(lock_state(bus), "blocked");
	assert_int_equal(pair_reader(bus), 0);
	assert_true(wait_state(bus, "active", 2000));
	sd_bus_flush_close_unref(bus);
}

/*
 * Kill posreaderd at every durable write of VerifyPin in turn
 * (POSREADER_TEST_CRASH_AT) and restart it: the retry counter never goes
 * back, and an attempt that got as far as being counted stays counted.
 */
static void test_crash_during_verify(void **state)
{
	unsigned counted = 0, crashes = 0;
	sd_bus *bus = NULL;
	uint32_t before, after, left;
	char n_s[16];
	int ok, ret;

	daemon_config("pin-lockout = 2,3,4\npin-max-failures = 10\n");
	/* The running daemon checks the same path: seal the new text, or
	 * every restart below comes up blocked on the configuration. */
	bus = client();
	assert_int_equal(terminal_call(bus, 10, "SealConfiguration", NULL, ""),
			 0);
	sd_bus_flush_close_unref(bus);
	for (unsigned n = 1; n < 80; n++) {
		stop_daemon(SIGTERM);
		assert_int_equal(env_start_daemon(&env), 0);
		bus = client();
		assert_string_equal(lock_state(bus), "active");
		assert_int_equal(
			verify_pin(bus, "operator", OPERATOR_PIN, &ok, &left),
			0);
		assert_true(ok);
		before = retries(bus);
		assert_int_equal(before, 10);
		sd_bus_flush_close_unref(bus);
		stop_daemon(SIGTERM);

		snprintf(n_s, sizeof(n_s), "%u", n);
		setenv("POSREADER_TEST_CRASH_AT", n_s, 1);
		ret = env_start_daemon(&env);
		unsetenv("POSREADER_TEST_CRASH_AT");
		if (ret == -ECHILD)
			continue; /* a write point of start-up */
		assert_int_equal(ret, 0);
		if (!reader_attached()) {
			/* A write point of the reader's authentication. */
			stop_daemon(SIGKILL);
			continue;
		}
		bus = client();
		ret = verify_pin(bus, "operator", WRONG_PIN, &ok, &left);
		sd_bus_flush_close_unref(bus);
		if (ret >= 0 && env_daemon_alive(&env)) {
			/* Past the last write point of VerifyPin. */
			assert_false(ok);
			print_message("%u kills during VerifyPin, %u after the "
				      "attempt was counted\n",
				      crashes, counted);
			assert_true(crashes >= 2);
			assert_true(counted >= 1);
			stop_daemon(SIGTERM);
			assert_int_equal(env_start_daemon(&env), 0);
			return;
		}
		crashes++;
		stop_daemon(SIGKILL);
		assert_int_equal(env_start_daemon(&env), 0);
		bus = client();
		after = retries(bus);
		assert_true(after <= before);
		if (after < before)
			counted++;
		sd_bus_flush_close_unref(bus);
	}
	fail_msg("VerifyPin never ran without hitting a crash point");
}

static void test_no_secrets_in_logs(void **state)
{
	sd_bus *bus = client();
	sd_bus_message *audit = NULL;
	const char *event, *caller, *detail;
	int64_t seq, wall;
	char *log;
	int ok;

	log = read_file(env.daemon_log);
	assert_non_null(log);
	assert_null(strstr(log, OPERATOR_PIN));
	assert_null(strstr(log, SUPERVISOR_PIN));
	assert_null(strstr(log, WRONG_PIN));
	free(log);
	assert_int_equal(terminal_call(bus, 10, "GetAudit", &audit, "xu",
				       (int64_t)0, 1000),
			 0);
	assert_true(sd_bus_message_enter_container(audit, 'a', "(xxsssb)") >=
		    0);
	while (sd_bus_message_read(audit, "(xxsssb)", &seq, &wall, &event,
				   &caller, &detail, &ok) > 0) {
		assert_null(strstr(detail, OPERATOR_PIN));
		assert_null(strstr(detail, SUPERVISOR_PIN));
		assert_null(strstr(detail, WRONG_PIN));
	}
	sd_bus_message_unref(audit);
	sd_bus_flush_close_unref(bus);
}

static void test_corrupt_state(void **state)
{
	char path[160], junk[4096];
	sd_bus *bus;
	struct lock_reason r;
	int fd;

	stop_daemon(SIGTERM);
	snprintf(path, sizeof(path), "%s/state/state.db", env.dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(junk, 0xa5, sizeof(junk));
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 0), sizeof(junk));
	close(fd);
	assert_int_equal(env_start_daemon(&env), 0);
	bus = client();
	assert_string_equal(lock_state(bus), "blocked");
	assert_true(find_reason(bus, "integrity-failure", &r));
	assert_string_equal(r.subject, "state-db");
	assert_true(reader_call(bus, rpath, "Claim", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	assert_true(reader_call(bus, rpath, "IccPowerOn", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	assert_true(env_daemon_alive(&env));
	sd_bus_flush_close_unref(bus);
}

/* A state directory the engine cannot open: no card service, no exit. */
static void test_engine_cannot_open(void **state)
{
	char path[160], args[200];
	sd_bus *bus;
	struct lock_reason r;
	uint32_t left;
	int fd, ok;

	stop_daemon(SIGTERM);
	snprintf(path, sizeof(path), "%s/not-a-directory", env.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "--state-dir %s", path);
	setenv("POSREADER_TEST_DAEMON_ARGS", args, 1);
	assert_int_equal(env_start_daemon(&env), 0);
	bus = client();
	assert_string_equal(lock_state(bus), "blocked");
	assert_true(find_reason(bus, "integrity-failure", &r));
	assert_string_equal(r.subject, "state-db");
	assert_non_null(strstr(r.message, "cannot be opened"));
	assert_true(reader_call(bus, rpath, "Claim", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	assert_true(reader_call(bus, rpath, "IccPowerOn", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), "org.posreader1.Error.Locked");
	expect_err(verify_pin(bus, "operator", OPERATOR_PIN, &ok, &left),
		   "org.posreader1.Error.Locked");
	assert_true(env_daemon_alive(&env));
	sd_bus_flush_close_unref(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unprovisioned),
		cmocka_unit_test(test_provision),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_pin_lockout_and_expiry),
		cmocka_unit_test(test_tamper_and_tokens),
		cmocka_unit_test(test_crash_during_verify),
		cmocka_unit_test(test_no_secrets_in_logs),
		cmocka_unit_test(test_corrupt_state),
		cmocka_unit_test(test_engine_cannot_open),
	};

	setup_groups();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
