// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration integrity on a real dbus-daemon with the shipped policy,
 * posreaderd started with --config, posreader-sim and posreaderctl: the
 * file is sealed when the terminal is provisioned; an edit behind the
 * daemon's back blocks the terminal at the next self-test or restart;
 * only an admin may seal it again (SealConfiguration), and only a file
 * that parses; a file the acquirer signed passes on its signature alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness-groups.h"
#include "harness.h"

#define SERIAL	    "SIM-CFG-1"
#define TERMINAL_ID "SHOP-9-LANE-1"
#define CONFIG_TEXT "# posreaderd for test-daemon-config\npin-lockout = 2,3,4\n"
#define NOBODY	    65534
#define AS_ROOT	    ((gid_t)-1)
#define LOCKED	    "org.posreader1.Error.Locked"
#define DENIED	    "org.posreader1.Error.AccessDenied"
#define DENIED_BUS  "org.freedesktop.DBus.Error.AccessDenied"
#define BAD_ARGS    "org.posreader1.Error.InvalidArgs"
/* The simulator's default pairing key is the bytes 00..1f. */
#define PAIRING_KEY \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define PAIRING_KCV "ff9212"

static struct env env;
static const char *rpath;
static struct pos_groups groups;
static bool have_groups;
static char config[128], acq_key[128], acq_pub[65];

/* ---- Helpers -------------------------------------------------------- */

static const char *need(const char *name)
{
	const char *v = getenv(name);

	if (!v)
		fail_msg("%s is not set (run through meson test)", name);
	return v;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* What a program run by run() printed, and how it ended. */
struct run_result {
	int status; /* exit status, -1 if it did not exit */
	char out[4096];
	char err[4096];
};

static void slurp(const char *path, char *buf, size_t cap)
{
	char *text = read_file(path);

	snprintf(buf, cap, "%s", text ? text : "");
	free(text);
}

/* In the child: drop to nobody with group gid (0: none), unless root. */
static void become(gid_t gid)
{
	if (gid == AS_ROOT)
		return;
	if (setgroups(gid ? 1 : 0, &gid) < 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		_exit(126);
}

/*
 * Run argv as root or as nobody in group gid, with input (may be NULL)
 * on stdin; fill *res.
 */
static void run(gid_t gid, const char *input, char *const argv[],
		struct run_result *res)
{
	char out[160], err[160], in[160];
	int status, fd;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/run.out", env.dir);
	snprintf(err, sizeof(err), "%s/run.err", env.dir);
	snprintf(in, sizeof(in), "%s/run.in", env.dir);
	write_text(in, input ? input : "");
	chmod(in, 0644);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(in, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		become(gid);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	slurp(out, res->out, sizeof(res->out));
	slurp(err, res->err, sizeof(res->err));
}

/* posreaderctl --bus ADDRESS with up to three arguments. */
static void ctl(gid_t gid, const char *input, struct run_result *res,
		const char *a, const char *b, const char *c)
{
	char *argv[] = { (char *)need("POSREADERCTL"),
			 (char *)"--bus",
			 env.bus_address,
			 (char *)a,
			 (char *)b,
			 (char *)c,
			 NULL };

	run(gid, input, argv, res);
}

/* posreader-acquirer with up to three arguments; its output. */
static void acquirer(struct run_result *res, const char *a, const char *b,
		     const char *c)
{
	char *argv[] = { (char *)need("POSREADER_ACQUIRER"), (char *)a,
			 (char *)b, (char *)c, NULL };

	run(AS_ROOT, NULL, argv, res);
	if (res->status != 0)
		fail_msg("posreader-acquirer %s failed: %s", a, res->err);
}

static void expect_ctl_ok(const struct run_result *res)
{
	if (res->status != 0)
		fail_msg("posreaderctl exited %d: %s", res->status, res->err);
}

/* A client on the bus that waits until the reader is there. */
static sd_bus *client(void)
{
	sd_bus *bus = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	wait_reader_serial(bus, rpath);
	return bus;
}

/* RunSelfTest; the config check's status and message. */
static void selftest_config(sd_bus *bus, char *status, char *message,
			    size_t cap)
{
	sd_bus_message *reply = NULL;
	const char *check, *st, *subject, *msg;
	bool seen = false;

	assert_int_equal(terminal_call(bus, 10, "RunSelfTest", &reply, NULL),
			 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "(ssss)") >= 0);
	while (sd_bus_message_read(reply, "(ssss)", &check, &st, &subject,
				   &msg) > 0) {
		if (strcmp(check, "config") != 0)
			continue;
		snprintf(status, 16, "%s", st);
		snprintf(message, cap, "%s", msg);
		seen = true;
	}
	sd_bus_message_unref(reply);
	assert_true(seen);
}

static void expect_selftest_config(sd_bus *bus, const char *want_status,
				   const char *want_text)
{
	char status[16], message[256];

	selftest_config(bus, status, message, sizeof(message));
	if (strcmp(status, want_status) != 0 || !strstr(message, want_text))
		fail_msg("config check: %s (%s); expected %s with \"%s\"",
			 status, message, want_status, want_text);
}

/* The terminal is blocked by the config check naming the file and why. */
static void expect_config_blocked(sd_bus *bus, const char *why)
{
	struct lock_reason r;

	assert_true(wait_state(bus, "blocked", 3000));
	assert_true(find_reason(bus, "integrity-failure", &r));
	assert_string_equal(r.subject, "config");
	if (!strstr(r.message, config) || !strstr(r.message, why))
		fail_msg("reason \"%s\" lacks the file or \"%s\"", r.message,
			 why);
	assert_non_null(strstr(r.ways, "self-test,"));
	assert_non_null(strstr(r.ways, "acquirer-token,"));
	/* No card service while it holds. */
	assert_true(reader_call(bus, rpath, "Claim", NULL, NULL) < 0);
	assert_string_equal(last_error_name(), LOCKED);
	assert_non_null(strstr(last_error_message(), "integrity-failure"));
}

static void stop_daemon(void)
{
	if (env.daemon_pid <= 0)
		return;
	kill(env.daemon_pid, SIGTERM);
	waitpid(env.daemon_pid, NULL, 0);
	env.daemon_pid = 0;
}

static void restart_daemon(void)
{
	stop_daemon();
	assert_int_equal(env_start_daemon(&env), 0);
}

/* ---- Setup ------------------------------------------------------------ */

static int group_setup(void **state)
{
	char args[200];

	/* Before the bus starts, so that it resolves the groups too. */
	have_groups = pos_groups_setup(&groups) == 0;
	unsetenv("POSREADER_TEST_PROVISION");
	if (env_start_bus(&env) < 0)
		return -1;
	snprintf(config, sizeof(config), "%s/posreaderd.conf", env.dir);
	snprintf(acq_key, sizeof(acq_key), "%s/acquirer.pem", env.dir);
	write_text(config, CONFIG_TEXT);
	snprintf(args, sizeof(args), "--config %s", config);
	setenv("POSREADER_TEST_DAEMON_ARGS", args, 1);
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

/* Provisioning vouches for the file as it is then. */
static void test_sealed_at_provisioning(void **state)
{
	char prov[160], text[512], *p;
	struct run_result res;
	sd_bus *bus = client();

	/* No terminal key yet: nothing to seal with, nothing checked. */
	assert_string_equal(lock_state(bus), "unprovisioned");
	assert_false(find_reason(bus, "integrity-failure", NULL));
	ctl(AS_ROOT, NULL, &res, "seal-config", NULL, NULL);
	assert_int_equal(res.status, 1);
	assert_non_null(strstr(res.err, "org.posreader1.Error.NotProvisioned"));

	acquirer(&res, "keygen", acq_key, NULL);
	p = strstr(res.out, "public-key ");
	assert_non_null(p);
	snprintf(acq_pub, sizeof(acq_pub), "%.64s", p + 11);
	snprintf(prov, sizeof(prov), "%s/provision.conf", env.dir);
	snprintf(text, sizeof(text),
		 "terminal_id = %s\n"
		 "master_key = 00000000000000000000000000000000\n"
		 "master_kcv = 66e94b\n"
		 "acquirer_key = %s\n"
		 "operator_pin = 418263\n"
		 "supervisor_pin = 907354\n",
		 TERMINAL_ID, acq_pub);
	write_text(prov, text);
	ctl(AS_ROOT, NULL, &res, "provision", prov, NULL);
	expect_ctl_ok(&res);
	ctl(AS_ROOT, PAIRING_KEY "\n", &res, "pair", SERIAL, PAIRING_KCV);
	expect_ctl_ok(&res);
	assert_true(wait_state(bus, "active", 3000));
	assert_int_equal(audit_count(bus, "config-sealed", NULL, config), 1);
	expect_selftest_config(bus, "pass", "matches the MAC");
	assert_string_equal(lock_state(bus), "active");
	sd_bus_flush_close_unref(bus);
}

/* An edit behind the daemon's back: the self-test blocks. */
static void test_edit_blocks(void **state)
{
	sd_bus *bus = client();

	write_text(config, CONFIG_TEXT "pin-max-failures = 20\n");
	expect_selftest_config(bus, "fail", "was changed after it was sealed");
	expect_config_blocked(bus, "was changed after it was sealed");
	sd_bus_flush_close_unref(bus);
}

/* Only an admin may seal; the bus and the daemon say no to others. */
static void test_seal_needs_admin(void **state)
{
	struct run_result res;
	sd_bus *bus = client();

	ctl(0, NULL, &res, "seal-config", NULL, NULL);
	assert_int_equal(res.status, 1);
	assert_non_null(strstr(res.err, DENIED_BUS));
	if (have_groups) {
		ctl(groups.card, NULL, &res, "seal-config", NULL, NULL);
		assert_int_equal(res.status, 1);
		assert_non_null(strstr(res.err, DENIED));
	}
	assert_string_equal(lock_state(bus), "blocked");
	assert_int_equal(audit_count(bus, "config-sealed", NULL, config), 1);
	sd_bus_flush_close_unref(bus);
	if (!have_groups)
		skip();
}

/* A file that does not parse is not sealed. */
static void test_seal_refuses_bad_file(void **state)
{
	char where[160];
	sd_bus *bus = client();

	write_text(config, CONFIG_TEXT "colour = blue\n");
	assert_true(terminal_call(bus, 10, "SealConfiguration", NULL, NULL) <
		    0);
	assert_string_equal(last_error_name(), BAD_ARGS);
	snprintf(where, sizeof(where), "%s:3: unknown key \"colour\"", config);
	assert_non_null(strstr(last_error_message(), where));
	assert_non_null(strstr(last_error_message(), "nothing was sealed"));
	assert_string_equal(lock_state(bus), "blocked");
	assert_int_equal(audit_count(bus, "config-sealed", NULL, config), 1);
	sd_bus_flush_close_unref(bus);
}

/* An admin vouches for the edited file: active again at once. */
static void test_admin_seals(void **state)
{
	struct run_result res;
	sd_bus *bus = client();

	write_text(config, CONFIG_TEXT "pin-max-failures = 5\n");
	ctl(have_groups ? groups.admin : AS_ROOT, NULL, &res, "seal-config",
	    NULL, NULL);
	expect_ctl_ok(&res);
	assert_non_null(strstr(res.out, "Configuration sealed"));
	assert_non_null(strstr(res.out, "active"));
	assert_true(wait_state(bus, "active", 2000));
	assert_false(find_reason(bus, "integrity-failure", NULL));
	assert_int_equal(audit_count(bus, "config-sealed", NULL, config), 2);
	expect_selftest_config(bus, "pass", "matches the MAC");
	assert_int_equal(reader_call(bus, rpath, "Claim", NULL, NULL), 0);
	assert_int_equal(reader_call(bus, rpath, "Release", NULL, NULL), 0);
	sd_bus_flush_close_unref(bus);
}

/* The acquirer's signature vouches for a file no MAC matches. */
static void test_acquirer_signed(void **state)
{
	struct run_result res;
	char sig[160];
	sd_bus *bus = client();

	write_text(config, CONFIG_TEXT "pin-max-failures = 4\n");
	acquirer(&res, "sign-config", acq_key, config);
	expect_selftest_config(bus, "pass", "signature");
	assert_string_equal(lock_state(bus), "active");
	/* Without the signature nothing vouches for it. */
	snprintf(sig, sizeof(sig), "%s.sig", config);
	assert_int_equal(unlink(sig), 0);
	expect_selftest_config(bus, "fail", "was changed after it was sealed");
	expect_config_blocked(bus, "was changed after it was sealed");
	/* Signed again: the self-test passes and clears the reason. */
	acquirer(&res, "sign-config", acq_key, config);
	expect_selftest_config(bus, "pass", "signature");
	assert_true(wait_state(bus, "active", 2000));
	sd_bus_flush_close_unref(bus);
}

/* Tampered while the daemon was down: it comes up blocked. */
static void test_restart_tampered(void **state)
{
	char sig[160];
	sd_bus *bus;

	snprintf(sig, sizeof(sig), "%s.sig", config);
	assert_int_equal(unlink(sig), 0);
	stop_daemon();
	write_text(config, CONFIG_TEXT "pin-max-failures = 3\n");
	restart_daemon();
	bus = client();
	expect_config_blocked(bus, "was changed after it was sealed");
	sd_bus_flush_close_unref(bus);

	/* Sealed by root, it comes up active after the next restart too. */
	bus = client();
	assert_int_equal(
		terminal_call(bus, 10, "SealConfiguration", NULL, NULL), 0);
	assert_true(wait_state(bus, "active", 2000));
	sd_bus_flush_close_unref(bus);
	restart_daemon();
	bus = client();
	assert_true(wait_state(bus, "active", 3000));
	sd_bus_flush_close_unref(bus);
}

/* Without --config there is nothing to seal. */
static void test_no_config_file(void **state)
{
	sd_bus *bus;

	unsetenv("POSREADER_TEST_DAEMON_ARGS");
	restart_daemon();
	bus = client();
	assert_true(terminal_call(bus, 10, "SealConfiguration", NULL, NULL) <
		    0);
	assert_string_equal(last_error_name(),
			    "org.posreader1.Error.NotSupported");
	assert_non_null(strstr(last_error_message(), "--config"));
	expect_selftest_config(bus, "skipped", "no configuration file");
	assert_string_equal(lock_state(bus), "active");
	assert_true(env_daemon_alive(&env));
	sd_bus_flush_close_unref(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sealed_at_provisioning),
		cmocka_unit_test(test_edit_blocks),
		cmocka_unit_test(test_seal_needs_admin),
		cmocka_unit_test(test_seal_refuses_bad_file),
		cmocka_unit_test(test_admin_seals),
		cmocka_unit_test(test_acquirer_signed),
		cmocka_unit_test(test_restart_tampered),
		cmocka_unit_test(test_no_config_file),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
