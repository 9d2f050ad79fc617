// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreaderd's libnfc backend on a real dbus-daemon (shipped policy):
 * libnfc's own pn532_uart driver talks to two emulated PN532 chips
 * (posreader-pn532-emu) over pseudo-terminals. Readers appear with
 * Transport "nfc", tags come and go, APDUs pass, claims and the lock are
 * enforced, a misbehaving or vanished chip leaves the daemon running and
 * comes back, and an idle reader costs no CPU.
 *
 * Each emulator's pty is reached through a symlink in the scratch
 * directory, so a restarted emulator (on a new pty) is the same
 * configured device. The emulated card holds no PAN or track data.
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define N_EMUS 2

struct emu {
	pid_t pid;
	char link[96];	      /* symlink to the pty: the configured port */
	char ctl[96];	      /* control socket */
	char connstring[128]; /* pn532_uart:<link> */
	char path[256];	      /* the reader's object path */
};

static struct env env;
static struct emu emus[N_EMUS];

static const uint8_t select_ppse[] = { 0x00, 0xa4, 0x04, 0x00, 0x0e, '2', 'P',
				       'A',  'Y',  '.',	 'S',  'Y',  'S', '.',
				       'D',  'D',  'F',	 '0',  '1',  0x00 };
static const uint8_t unknown_ins[] = { 0x00, 0x12, 0x00, 0x00 };
static const uint8_t emu_uid[] = { 0x08, 0x12, 0x34, 0x56 };
static const uint8_t emu_ats[] = { 0x78, 0x80, 0x70, 0x02 };

static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "%s is not set\n", name);
		exit(77);
	}
	return v;
}

/* ---- Emulators --------------------------------------------------------- */

/* Start emulator i (empty field) and point its symlink at its pty. */
static int emu_start(unsigned int i)
{
	struct emu *e = &emus[i];
	char path_file[160], log[128], pty[128] = "";
	uint64_t end;
	pid_t pid;
	FILE *f;

	snprintf(path_file, sizeof(path_file), "%s/pty%u", env.dir, i);
	snprintf(log, sizeof(log), "%s/emu%u.log", env.dir, i);
	unlink(path_file);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		execl(need_env("POSREADER_PN532_EMU"), "posreader-pn532-emu",
		      "--no-tag", "--verbose", "--path-file", path_file,
		      "--control", e->ctl, (char *)NULL);
		_exit(127);
	}
	e->pid = pid;
	end = now_ms() + 5000;
	while (now_ms() < end) {
		f = fopen(path_file, "re");
		if (f) {
			bool ok = fgets(pty, sizeof(pty), f) != NULL;

			fclose(f);
			if (ok)
				break;
		}
		usleep(10000);
	}
	pty[strcspn(pty, "\n")] = '\0';
	if (!pty[0])
		return -ETIMEDOUT;
	/* Replace the link atomically: the daemon may open it any time. */
	snprintf(path_file, sizeof(path_file), "%s.new", e->link);
	unlink(path_file);
	if (symlink(pty, path_file) < 0 || rename(path_file, e->link) < 0)
		return -errno;
	return 0;
}

static void emu_stop(unsigned int i)
{
	if (emus[i].pid <= 0)
		return;
	/* The link first: the freed pty may soon belong to another test's
	 * emulator, and the daemon must not follow the link there. */
	unlink(emus[i].link);
	kill(emus[i].pid, SIGTERM);
	waitpid(emus[i].pid, NULL, 0);
	emus[i].pid = 0;
}

/* Send one control line to emulator i; 0 if it answered "ok". */
static int emu_ctl(unsigned int i, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char reply[256];
	size_t got = 0;
	ssize_t n;
	int fd, ret = -EIO;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", emus[i].ctl);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    dprintf(fd, "%s\n", cmd) < 0)
		goto out;
	while (got < sizeof(reply) - 1) {
		n = read(fd, reply + got, sizeof(reply) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		if (memchr(reply, '\n', got))
			break;
	}
	reply[got] = '\0';
	if (strncmp(reply, "ok", 2) == 0)
		ret = 0;
out:
	close(fd);
	return ret;
}

/* ---- The daemon -------------------------------------------------------- */

static int start_daemon(void)
{
	char state[96];
	char *argv[32];
	int a = 0, fd;
	pid_t pid;

	snprintf(state, sizeof(state), "%s/state", env.dir);
	argv[a++] = (char *)need_env("POSREADERD");
	argv[a++] = (char *)"--bus";
	argv[a++] = env.bus_address;
	argv[a++] = (char *)"--state-dir";
	argv[a++] = state;
	argv[a++] = (char *)"--test-lock-file";
	argv[a++] = env.lock_file;
	argv[a++] = (char *)"--log";
	argv[a++] = (char *)"stderr";
	argv[a++] = (char *)"--verbose";
	for (unsigned int i = 0; i < N_EMUS; i++) {
		argv[a++] = (char *)"--nfc";
		argv[a++] = emus[i].connstring;
	}
	argv[a] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = open(env.daemon_log,
			  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	/* env_stop() stops it with the rest. */
	env.daemon_pid = pid;
	return 0;
}

/* Wait until the reader at path is on the bus (or gone, if !present). */
static int wait_reader(sd_bus *bus, const char *path, bool present,
		       unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	char *s = NULL;
	int ret;

	for (;;) {
		ret = reader_get_string(bus, path, "Transport", &s);
		free(s);
		s = NULL;
		if ((ret >= 0) == present)
			return 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		bus_pump(bus, 50);
	}
}

/* The object paths of the readers on the bus now; returns how many. */
static unsigned int list_readers(sd_bus *bus, char paths[][256],
				 unsigned int max)
{
	sd_bus_message *reply = NULL;
	unsigned int n = 0;
	const char *path;

	if (sd_bus_call_method(bus, "org.posreader1", "/org/posreader1",
			       "org.freedesktop.DBus.ObjectManager",
			       "GetManagedObjects", NULL, &reply, "") < 0)
		return 0;
	if (sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0) {
		while (n < max && sd_bus_message_enter_container(
					  reply, 'e', "oa{sa{sv}}") > 0) {
			if (sd_bus_message_read(reply, "o", &path) > 0)
				snprintf(paths[n++], 256, "%s", path);
			sd_bus_message_skip(reply, "a{sa{sv}}");
			sd_bus_message_exit_container(reply);
		}
	}
	sd_bus_message_unref(reply);
	return n;
}

/*
 * Which reader is which emulator: the serial is the daemon's to choose,
 * so tap each emulator's card and see which reader reports it.
 */
static int find_readers(sd_bus *bus)
{
	char paths[N_EMUS + 1][256];
	struct sig_log *log = NULL;
	sd_bus_message *m = NULL;
	uint64_t end = now_ms() + 15000;
	int ret;

	while (list_readers(bus, paths, N_EMUS + 1) < N_EMUS) {
		if (now_ms() >= end) {
			fprintf(stderr, "the readers did not appear\n");
			return -1;
		}
		bus_pump(bus, 50);
	}
	ret = sig_log_new(bus, &log);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < N_EMUS && ret >= 0; i++) {
		ret = emu_ctl(i, "tag present");
		if (ret >= 0)
			ret = sig_log_wait(log, NULL, "TagDetected", 5000, &m);
		if (ret >= 0)
			snprintf(emus[i].path, sizeof(emus[i].path), "%s",
				 sd_bus_message_get_path(m));
		m = sd_bus_message_unref(m);
		if (ret >= 0)
			ret = emu_ctl(i, "tag absent");
		if (ret >= 0)
			ret = sig_log_wait(log, emus[i].path, "TagLost", 5000,
					   NULL);
	}
	sig_log_free(log);
	if (ret < 0)
		fprintf(stderr, "tapping the emulated cards failed\n");
	return ret < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	char dir[sizeof(env.dir)];
	sd_bus *bus = NULL;
	int ret;

	if (env_start_bus(&env) < 0)
		return -1;
	/* A copy: gcc cannot tell env.dir and emus[] never overlap. */
	memcpy(dir, env.dir, sizeof(dir));
	for (unsigned int i = 0; i < N_EMUS; i++) {
		snprintf(emus[i].link, sizeof(emus[i].link), "%s/nfc%u", dir,
			 i);
		snprintf(emus[i].ctl, sizeof(emus[i].ctl), "%s/emu%u.ctl", dir,
			 i);
		snprintf(emus[i].connstring, sizeof(emus[i].connstring),
			 "pn532_uart:%s/nfc%u", dir, i);
		if (emu_start(i) < 0)
			return -1;
	}
	if (start_daemon() < 0 || env_connect(&env, &bus) < 0)
		return -1;
	ret = find_readers(bus);
	sd_bus_flush_close_unref(bus);
	return ret;
}

static int group_teardown(void **state)
{
	env_stop(&env);
	for (unsigned int i = 0; i < N_EMUS; i++)
		emu_stop(i);
	return 0;
}

/* ---- Helpers ------------------------------------------------------------- */

static sd_bus *client(void)
{
	sd_bus *bus = NULL;

	assert_int_equal(env_connect(&env, &bus), 0);
	assert_int_equal(wait_reader(bus, emus[0].path, true, 15000), 0);
	return bus;
}

/* Close a client; its claim ends with it. */
static void client_done(sd_bus *bus)
{
	sd_bus *probe = NULL;

	sd_bus_flush_close_unref(bus);
	assert_int_equal(env_connect(&env, &probe), 0);
	for (unsigned int i = 0; i < N_EMUS; i++)
		assert_int_equal(wait_claimed_by(probe, emus[i].path, "", 3000),
				 0);
	sd_bus_flush_close_unref(probe);
}

struct tag {
	uint8_t uid[16], ats[40];
	size_t uid_len, ats_len;
	uint16_t atqa;
	uint8_t sak;
};

/* Read a TagDetected dictionary. */
static void read_tag(sd_bus_message *m, struct tag *t)
{
	const char *key, *contents;
	char type;

	memset(t, 0, sizeof(*t));
	assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		assert_true(sd_bus_message_read(m, "s", &key) > 0);
		assert_true(sd_bus_message_peek_type(m, &type, &contents) > 0);
		if (strcmp(key, "uid") == 0 || strcmp(key, "ats") == 0) {
			bool uid = strcmp(key, "uid") == 0;

			assert_true(sd_bus_message_enter_container(m, 'v',
								   "ay") > 0);
			if (uid)
				t->uid_len = read_ay(m, t->uid, sizeof(t->uid));
			else
				t->ats_len = read_ay(m, t->ats, sizeof(t->ats));
			assert_true(sd_bus_message_exit_container(m) >= 0);
		} else if (strcmp(key, "atqa") == 0) {
			assert_true(sd_bus_message_read(m, "v", "q", &t->atqa) >
				    0);
		} else if (strcmp(key, "sak") == 0) {
			assert_true(sd_bus_message_read(m, "v", "y", &t->sak) >
				    0);
		} else {
			assert_true(sd_bus_message_skip(m, "v") >= 0);
		}
		assert_true(sd_bus_message_exit_container(m) >= 0);
	}
	assert_true(sd_bus_message_exit_container(m) >= 0);
}

/* Tap the emulated card on reader i; returns what TagDetected said. */
static void tap(sd_bus *bus, struct sig_log *log, unsigned int i, struct tag *t)
{
	sd_bus_message *m = NULL;

	assert_int_equal(emu_ctl(i, "tag present"), 0);
	assert_int_equal(
		sig_log_wait(log, emus[i].path, "TagDetected", 5000, &m), 0);
	read_tag(m, t);
	sd_bus_message_unref(m);
}

static void take_away(struct sig_log *log, unsigned int i)
{
	assert_int_equal(emu_ctl(i, "tag absent"), 0);
	assert_int_equal(sig_log_wait(log, emus[i].path, "TagLost", 5000, NULL),
			 0);
}

static unsigned int sw(const uint8_t *rsp, size_t n)
{
	return n < 2 ? 0 : (unsigned int)rsp[n - 2] << 8 | rsp[n - 1];
}

/* Transmit on reader 0's nfc slot; returns the response length. */
static size_t transmit(sd_bus *bus, const uint8_t *apdu, size_t len,
		       uint8_t *rsp, size_t cap)
{
	sd_bus_message *reply = NULL;
	size_t n;

	assert_int_equal(
		reader_transmit(bus, emus[0].path, "nfc", apdu, len, &reply),
		0);
	n = read_ay(reply, rsp, cap);
	sd_bus_message_unref(reply);
	return n;
}

/* ---- Tests ----------------------------------------------------------------
 */

static void test_reader_listed(void **state)
{
	sd_bus *bus = client();
	char *s = NULL, **caps = NULL;
	bool present = true;

	for (unsigned int i = 0; i < N_EMUS; i++) {
		const char *path = emus[i].path;

		assert_int_equal(reader_get_string(bus, path, "Transport", &s),
				 0);
		assert_string_equal(s, "nfc");
		free(s);
		assert_int_equal(reader_get_string(bus, path, "Name", &s), 0);
		assert_non_null(strstr(s, "pn532_uart"));
		free(s);
		assert_int_equal(reader_get_string(bus, path, "Firmware", &s),
				 0);
		assert_string_equal(s, "PN532 v1.6");
		free(s);
		assert_int_equal(
			reader_get_bool(bus, path, "CardPresent", &present), 0);
		assert_false(present);
		assert_true(sd_bus_get_property_strv(
				    bus, "org.posreader1", path,
				    "org.posreader1.Reader", "Capabilities",
				    NULL, &caps) >= 0);
		assert_string_equal(caps[0], "nfc");
		assert_null(caps[1]);
		free(caps[0]);
		free(caps);
	}
	/* Two devices, two readers. */
	assert_string_not_equal(emus[0].path, emus[1].path);
	client_done(bus);
}

static void test_not_claimed(void **state)
{
	sd_bus *bus = client();

	expect_bus_error(reader_transmit(bus, emus[0].path, "nfc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.NotClaimed");
	expect_bus_error(reader_call(bus, emus[0].path, "AcquireChannel", NULL,
				     "s", "nfc"),
			 "org.posreader1.Error.NotClaimed");
	expect_bus_error(reader_call(bus, emus[0].path, "WaitForCard", NULL,
				     "asu", 1, "nfc", 100),
			 "org.posreader1.Error.NotClaimed");
	/* No contact slot on a libnfc reader, claimed or not. */
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	expect_bus_error(reader_transmit(bus, emus[0].path, "icc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.NotSupported");
	expect_bus_error(
		reader_call(bus, emus[0].path, "IccPowerOn", NULL, NULL),
		"org.posreader1.Error.NotSupported");
	client_done(bus);
}

static void test_claim_exclusive(void **state)
{
	sd_bus *a = client(), *b = client();

	assert_int_equal(reader_call(a, emus[0].path, "Claim", NULL, NULL), 0);
	expect_bus_error(reader_call(b, emus[0].path, "Claim", NULL, NULL),
			 "org.posreader1.Error.AlreadyClaimed");
	expect_bus_error(reader_transmit(b, emus[0].path, "nfc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.NotClaimed");
	/* The other reader is free for b. */
	assert_int_equal(reader_call(b, emus[1].path, "Claim", NULL, NULL), 0);
	sd_bus_flush_close_unref(a);
	client_done(b);
}

static void test_tap_apdu_remove(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	uint8_t rsp[300];
	struct tag t;
	bool present = false;
	size_t n;

	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	expect_bus_error(reader_transmit(bus, emus[0].path, "nfc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.NoCard");

	tap(bus, log, 0, &t);
	assert_int_equal(t.uid_len, sizeof(emu_uid));
	assert_memory_equal(t.uid, emu_uid, sizeof(emu_uid));
	assert_int_equal(t.atqa, 0x0004);
	assert_int_equal(t.sak, 0x20);
	assert_int_equal(t.ats_len, sizeof(emu_ats));
	assert_memory_equal(t.ats, emu_ats, sizeof(emu_ats));
	assert_int_equal(
		reader_get_bool(bus, emus[0].path, "CardPresent", &present), 0);
	assert_true(present);

	/* SELECT PPSE: the FCI (tag 6F) and 9000. */
	n = transmit(bus, select_ppse, sizeof(select_ppse), rsp, sizeof(rsp));
	assert_true(n > 2);
	assert_int_equal(rsp[0], 0x6f);
	assert_int_equal(sw(rsp, n), 0x9000);
	n = transmit(bus, unknown_ins, sizeof(unknown_ins), rsp, sizeof(rsp));
	assert_int_equal(n, 2);
	assert_int_equal(sw(rsp, n), 0x6d00);

	/* The tag stays: no TagLost while it is in the field. */
	bus_pump(bus, 800);
	assert_int_equal(sig_log_count(log, "TagLost"), 0);

	take_away(log, 0);
	assert_int_equal(
		reader_get_bool(bus, emus[0].path, "CardPresent", &present), 0);
	assert_false(present);
	expect_bus_error(reader_transmit(bus, emus[0].path, "nfc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.NoCard");

	/* Another card: a 7-byte UID. */
	assert_int_equal(emu_ctl(0, "uid 04a1b2c3d4e5f6"), 0);
	tap(bus, log, 0, &t);
	assert_int_equal(t.uid_len, 7);
	assert_memory_equal(t.uid, "\x04\xa1\xb2\xc3\xd4\xe5\xf6", 7);
	take_away(log, 0);
	assert_int_equal(emu_ctl(0, "uid 08123456"), 0);
	sig_log_free(log);
	client_done(bus);
}

static void test_wait_for_card(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	sd_bus_message *reply = NULL;
	const char *kind;
	struct tag t;

	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	expect_bus_error(reader_call(bus, emus[0].path, "WaitForCard", NULL,
				     "asu", 1, "nfc", 300),
			 "org.posreader1.Error.Timeout");
	tap(bus, log, 0, &t);
	assert_int_equal(reader_call(bus, emus[0].path, "WaitForCard", &reply,
				     "asu", 1, "nfc", 2000),
			 0);
	assert_true(sd_bus_message_read(reply, "s", &kind) > 0);
	assert_string_equal(kind, "nfc");
	read_tag(reply, &t);
	sd_bus_message_unref(reply);
	assert_memory_equal(t.uid, emu_uid, sizeof(emu_uid));
	take_away(log, 0);
	sig_log_free(log);
	client_done(bus);
}

static void test_channel(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	sd_bus_message *reply = NULL;
	uint8_t rsp[300];
	struct pollfd pfd;
	struct tag t;
	int fd, dupfd;
	ssize_t n;

	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	tap(bus, log, 0, &t);
	assert_int_equal(reader_call(bus, emus[0].path, "AcquireChannel",
				     &reply, "s", "nfc"),
			 0);
	assert_true(sd_bus_message_read(reply, "h", &fd) > 0);
	dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	sd_bus_message_unref(reply);
	assert_true(dupfd >= 0);
	expect_bus_error(reader_call(bus, emus[0].path, "AcquireChannel", NULL,
				     "s", "nfc"),
			 "org.posreader1.Error.Busy");
	for (int i = 0; i < 20; i++) {
		assert_int_equal(
			send(dupfd, select_ppse, sizeof(select_ppse), 0),
			sizeof(select_ppse));
		n = recv(dupfd, rsp, sizeof(rsp), 0);
		assert_true(n > 2);
		assert_int_equal(sw(rsp, n), 0x9000);
	}
	/* Releasing the claim closes the channel. */
	assert_int_equal(reader_call(bus, emus[0].path, "Release", NULL, NULL),
			 0);
	pfd.fd = dupfd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(recv(dupfd, rsp, sizeof(rsp), 0), 0);
	close(dupfd);
	take_away(log, 0);
	sig_log_free(log);
	client_done(bus);
}

static void test_locked(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	uint8_t rsp[300];
	struct tag t;
	size_t n;

	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	tap(bus, log, 0, &t);
	assert_int_equal(env_set_test_lock(&env, true), 0);
	assert_int_equal(sig_log_wait(log, "/org/posreader1",
				      "PropertiesChanged", 3000, NULL),
			 0);
	/* The lock ended the claim; no new one while locked. */
	assert_int_equal(sig_log_wait_claimed_by(log, emus[0].path, "", 3000),
			 0);
	expect_bus_error(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 "org.posreader1.Error.Locked");
	expect_bus_error(reader_transmit(bus, emus[0].path, "nfc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.Locked");
	expect_bus_error(reader_call(bus, emus[0].path, "AcquireChannel", NULL,
				     "s", "nfc"),
			 "org.posreader1.Error.Locked");
	expect_bus_error(reader_call(bus, emus[0].path, "WaitForCard", NULL,
				     "asu", 1, "nfc", 100),
			 "org.posreader1.Error.Locked");
	/* A tag tapped while locked is not announced. */
	take_away(log, 0);
	assert_int_equal(emu_ctl(0, "tag present"), 0);
	bus_pump(bus, 1500);
	assert_int_equal(sig_log_count(log, "TagDetected"), 0);

	assert_int_equal(env_set_test_lock(&env, false), 0);
	assert_int_equal(sig_log_wait(log, "/org/posreader1",
				      "PropertiesChanged", 3000, NULL),
			 0);
	/* Active again: claim anew, then the card answers. */
	expect_bus_error(reader_transmit(bus, emus[0].path, "nfc", select_ppse,
					 sizeof(select_ppse), NULL),
			 "org.posreader1.Error.NotClaimed");
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	n = transmit(bus, select_ppse, sizeof(select_ppse), rsp, sizeof(rsp));
	assert_int_equal(sw(rsp, n), 0x9000);
	take_away(log, 0);
	sig_log_free(log);
	client_done(bus);
}

static void test_two_readers(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	struct tag t;

	assert_int_equal(sig_log_new(bus, &log), 0);
	assert_int_equal(emu_ctl(1, "uid 11223344"), 0);
	tap(bus, log, 1, &t);
	assert_memory_equal(t.uid, "\x11\x22\x33\x44", 4);
	/* Only reader 1 saw it. */
	bus_pump(bus, 300);
	assert_int_equal(sig_log_count(log, "TagDetected"), 0);
	tap(bus, log, 0, &t);
	assert_memory_equal(t.uid, emu_uid, sizeof(emu_uid));
	take_away(log, 1);
	take_away(log, 0);
	sig_log_free(log);
	client_done(bus);
}

/* utime + stime of pid, in clock ticks; 0 if it is gone. */
static unsigned long long cpu_ticks(pid_t pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], *buf, *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	buf = read_file(path);
	if (!buf)
		return 0;
	/* Fields after the command name, which may hold spaces. */
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2,
		       "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		       &ut, &st);
	free(buf);
	return ut + st;
}

/* The daemon and its worker processes. */
static unsigned long long daemon_ticks(void)
{
	char path[96], *kids, *p, *end;
	unsigned long long total = cpu_ticks(env.daemon_pid);

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		 (int)env.daemon_pid, (int)env.daemon_pid);
	kids = read_file(path);
	assert_non_null(kids);
	for (p = kids; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		total += cpu_ticks((pid_t)pid);
	}
	free(kids);
	return total;
}

static void test_idle_cpu(void **state)
{
	sd_bus *bus = client();
	unsigned long long before, after;
	long hz = sysconf(_SC_CLK_TCK);

	/* Two readers, empty fields: polling must not spin. */
	bus_pump(bus, 500);
	before = daemon_ticks();
	usleep(3 * 1000 * 1000);
	after = daemon_ticks();
	/* Less than 5 % of one core over 3 s. */
	assert_true((after - before) * 100 < 5ULL * 3 * hz);
	client_done(bus);
}

static void test_misbehaving_chip(void **state)
{
	sd_bus *bus = client();
	struct sig_log *log = NULL;
	uint8_t rsp[300];
	char *daemon_log, expect[256];
	struct tag t;
	size_t n;

	assert_int_equal(sig_log_new(bus, &log), 0);
	/* A spoiled answer or two to the poll: logged, nothing else. */
	assert_int_equal(emu_ctl(0, "misbehave bad-dcs 60 2"), 0);
	bus_pump(bus, 2000);
	assert_int_equal(wait_reader(bus, emus[0].path, true, 100), 0);
	assert_int_equal(emu_ctl(0, "misbehave off"), 0);
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	tap(bus, log, 0, &t);

	/* A chip that goes silent: the reader goes away, the daemon
	 * stays, and the reader is back once the chip answers again. */
	assert_int_equal(emu_ctl(0, "misbehave silence any 0"), 0);
	/* The APDU in flight fails, and says the device is at fault. */
	assert_true(reader_transmit(bus, emus[0].path, "nfc", select_ppse,
				    sizeof(select_ppse), NULL) < 0);
	fprintf(stderr, "APDU to a silent chip: %s\n", last_error_name());
	assert_true(strcmp(last_error_name(),
			   "org.posreader1.Error.DeviceError") == 0 ||
		    strcmp(last_error_name(), "org.posreader1.Error.Timeout") ==
			    0 ||
		    strcmp(last_error_name(),
			   "org.posreader1.Error.Disconnected") == 0);
	assert_int_equal(wait_reader(bus, emus[0].path, false, 15000), 0);
	assert_true(env_daemon_alive(&env));
	/* The other reader kept working. */
	assert_int_equal(wait_reader(bus, emus[1].path, true, 100), 0);
	daemon_log = read_file(env.daemon_log);
	assert_non_null(daemon_log);
	snprintf(expect, sizeof(expect), "nfc %s: the device stopped answering",
		 emus[0].connstring);
	assert_non_null(strstr(daemon_log, expect));
	free(daemon_log);

	assert_int_equal(emu_ctl(0, "misbehave off"), 0);
	assert_int_equal(wait_reader(bus, emus[0].path, true, 20000), 0);
	/* Back with the card still in the field. */
	assert_int_equal(reader_call(bus, emus[0].path, "Claim", NULL, NULL),
			 0);
	assert_int_equal(
		sig_log_wait(log, emus[0].path, "TagDetected", 5000, NULL), 0);
	n = transmit(bus, select_ppse, sizeof(select_ppse), rsp, sizeof(rsp));
	assert_int_equal(sw(rsp, n), 0x9000);
	take_away(log, 0);
	sig_log_free(log);
	client_done(bus);
}

static void test_chip_gone_and_back(void **state)
{
	sd_bus *bus = client();
	char *s = NULL;

	emu_stop(0);
	assert_int_equal(wait_reader(bus, emus[0].path, false, 10000), 0);
	assert_true(env_daemon_alive(&env));
	assert_int_equal(wait_reader(bus, emus[1].path, true, 100), 0);

	/* A new emulator on a new pty, same configured port. */
	assert_int_equal(emu_start(0), 0);
	assert_int_equal(wait_reader(bus, emus[0].path, true, 20000), 0);
	assert_int_equal(reader_get_string(bus, emus[0].path, "Transport", &s),
			 0);
	assert_string_equal(s, "nfc");
	free(s);
	client_done(bus);
}

static void test_no_card_data_in_log(void **state)
{
	char *daemon_log = read_file(env.daemon_log);

	assert_non_null(daemon_log);
	/* The PPSE name went out and its FCI came back many times. */
	assert_null(strstr(daemon_log, "2PAY"));
	assert_null(strstr(daemon_log, "325041592e"));
	assert_null(strstr(daemon_log, "325041592E"));
	assert_null(strstr(daemon_log, "A0000000031010"));
	assert_null(strstr(daemon_log, "a0000000031010"));
	assert_null(strstr(daemon_log, "a0 00 00 00 03"));
	free(daemon_log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_listed),
		cmocka_unit_test(test_not_claimed),
		cmocka_unit_test(test_claim_exclusive),
		cmocka_unit_test(test_tap_apdu_remove),
		cmocka_unit_test(test_wait_for_card),
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_two_readers),
		cmocka_unit_test(test_idle_cpu),
		cmocka_unit_test(test_misbehaving_chip),
		cmocka_unit_test(test_chip_gone_and_back),
		cmocka_unit_test(test_no_card_data_in_log),
	};
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	/* Containers without devpts cannot run this at all. */
	if (fd < 0) {
		printf("SKIP: no pseudo-terminals here\n");
		return 77;
	}
	close(fd);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
