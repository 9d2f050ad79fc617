// SPDX-License-Identifier: GPL-2.0-or-later
/* Integration-test harness: private bus, simulators, posreaderd, helpers. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus-util.h"
#include "harness.h"

#define SIG_LOG_MAX 1024

struct sig_log {
	sd_bus *bus;
	sd_bus_slot *slot;
	sd_bus_message *msgs[SIG_LOG_MAX];
	bool taken[SIG_LOG_MAX];
	unsigned int n;
};

static char error_name[256], error_message[512];

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned int scaled_ms(unsigned int ms)
{
	const char *s = getenv("POSREADER_TEST_TIME_SCALE");
	unsigned long k = s ? strtoul(s, NULL, 10) : 1;

	return ms * (k >= 1 && k <= 20 ? k : 1);
}

static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "harness: %s is not set\n", name);
		exit(77);
	}
	return v;
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* fork + exec argv with stdout/stderr to log (NULL: inherit). */
static pid_t spawn(char *const argv[], const char *log, int keep_fd)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	/* A crashed test must not leave its bus and daemons behind. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (log) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
	}
	if (keep_fd >= 0)
		fcntl(keep_fd, F_SETFD, 0);
	execv(argv[0], argv);
	_exit(127);
}

/* Wait up to ms for pid; SIGKILL it after that. Returns its status. */
static int reap(pid_t pid, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	int status = 0;

	while (now_ms() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

static void stop_pid(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	reap(*pid, scaled_ms(3000));
	*pid = 0;
}

int env_start_bus(struct env *e)
{
	char conf[128], addrbuf[256], fdarg[32];
	const char *policy = need_env("POSREADER_POLICY");
	int pipefd[2];
	struct pollfd pfd;
	ssize_t n;
	FILE *f;

	memset(e, 0, sizeof(*e));
	strcpy(e->dir, "/tmp/posreader-test-XXXXXX");
	if (!mkdtemp(e->dir))
		return -errno;
	/* The unprivileged client must reach the bus socket. */
	chmod(e->dir, 0755);
	snprintf(e->sim_dir, sizeof(e->sim_dir), "%s/sims", e->dir);
	snprintf(e->lock_file, sizeof(e->lock_file), "%s/test-lock", e->dir);
	snprintf(e->daemon_log, sizeof(e->daemon_log), "%s/posreaderd.log",
		 e->dir);
	if (mkdir(e->sim_dir, 0755) < 0)
		return -errno;

	snprintf(conf, sizeof(conf), "%s/bus.conf", e->dir);
	f = fopen(conf, "we");
	if (!f)
		return -errno;
	/* The default policy of Debian's system bus, then the shipped one. */
	fprintf(f,
		"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
		"Configuration 1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/"
		"busconfig.dtd\">\n"
		"<busconfig>\n"
		"  <type>system</type>\n"
		"  <listen>unix:path=%s/bus</listen>\n"
		"  <auth>EXTERNAL</auth>\n"
		"  <policy context=\"default\">\n"
		"    <allow user=\"*\"/>\n"
		"    <deny own=\"*\"/>\n"
		"    <deny send_type=\"method_call\"/>\n"
		"    <allow send_type=\"signal\"/>\n"
		"    <allow send_requested_reply=\"true\" "
		"send_type=\"method_return\"/>\n"
		"    <allow send_requested_reply=\"true\" "
		"send_type=\"error\"/>\n"
		"    <allow receive_type=\"method_call\"/>\n"
		"    <allow receive_type=\"method_return\"/>\n"
		"    <allow receive_type=\"error\"/>\n"
		"    <allow receive_type=\"signal\"/>\n"
		"    <allow send_destination=\"org.freedesktop.DBus\" "
		"send_interface=\"org.freedesktop.DBus\"/>\n"
		"    <allow send_destination=\"org.freedesktop.DBus\" "
		"send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
		"    <allow send_destination=\"org.freedesktop.DBus\" "
		"send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
		"  </policy>\n"
		"  <include>%s</include>\n"
		"</busconfig>\n",
		e->dir, policy);
	fclose(f);

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	snprintf(fdarg, sizeof(fdarg), "--print-address=%d", pipefd[1]);
	{
		char cfg[160];
		char *argv[] = { (char *)"/usr/bin/dbus-daemon", cfg,
				 (char *)"--nofork", fdarg, NULL };
		char log[128];

		snprintf(cfg, sizeof(cfg), "--config-file=%s", conf);
		snprintf(log, sizeof(log), "%s/dbus-daemon.log", e->dir);
		if (access(argv[0], X_OK) < 0) {
			fprintf(stderr, "harness: no dbus-daemon\n");
			exit(77);
		}
		e->dbus_pid = spawn(argv, log, pipefd[1]);
	}
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, scaled_ms(5000)) <= 0) {
		close(pipefd[0]);
		return -ETIMEDOUT;
	}
	n = read(pipefd[0], addrbuf, sizeof(addrbuf) - 1);
	close(pipefd[0]);
	if (n <= 0)
		return -EIO;
	addrbuf[n] = '\0';
	addrbuf[strcspn(addrbuf, "\n")] = '\0';
	snprintf(e->bus_address, sizeof(e->bus_address), "%s", addrbuf);
	return 0;
}

int env_start_sim(struct env *e, unsigned int i, const char *serial,
		  const char *caps)
{
	return env_start_sim_key(e, i, serial, caps, NULL);
}

/* Start simulator slot i with its socket in sock_dir. */
static int start_sim(struct env *e, unsigned int i, const char *serial,
		     const char *caps, const char *key_hex,
		     const char *sock_dir)
{
	struct env_sim *s = &e->sims[i];
	char log[128];
	char *argv[14];
	int a = 0;
	uint64_t end;

	if (i >= ENV_SIMS_MAX || s->pid > 0)
		return -EINVAL;
	char dir[64], sim_dir[96];

	/* Copies: gcc cannot tell the fields below never overlap. */
	memcpy(dir, e->dir, sizeof(dir));
	snprintf(sim_dir, sizeof(sim_dir), "%s", sock_dir);
	snprintf(s->serial, sizeof(s->serial), "%s", serial);
	snprintf(s->sock, sizeof(s->sock), "%s/%s.sock", sim_dir, serial);
	snprintf(s->ctl, sizeof(s->ctl), "%s/ctl-%s", dir, serial);
	snprintf(log, sizeof(log), "%s/sim-%s.log", dir, serial);
	if (getenv("POSREADER_TEST_SIM_CMD")) {
		/* VM harness: a command that brings up a USB gadget
		 * simulator ("CMD SERIAL CONTROL CAPS") instead. */
		argv[a++] = getenv("POSREADER_TEST_SIM_CMD");
		argv[a++] = s->serial;
		argv[a++] = s->ctl;
		argv[a++] = (char *)(caps ? caps : "all");
	} else {
		argv[a++] = (char *)need_env("POSREADER_SIM");
		argv[a++] = (char *)"--socket";
		argv[a++] = s->sock;
		argv[a++] = (char *)"--control";
		argv[a++] = s->ctl;
		argv[a++] = (char *)"--serial";
		argv[a++] = s->serial;
		if (caps) {
			argv[a++] = (char *)"--caps";
			argv[a++] = (char *)caps;
		}
		if (key_hex) {
			argv[a++] = (char *)"--pairing-key";
			argv[a++] = (char *)key_hex;
		}
	}
	argv[a] = NULL;
	s->pid = spawn(argv, log, -1);
	if (s->pid < 0)
		return -errno;
	/* Ready once its control socket answers. */
	end = now_ms() + scaled_ms(5000);
	while (now_ms() < end) {
		if (access(s->ctl, F_OK) == 0 &&
		    env_sim_ctl(e, i, "status", NULL) == 0)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

int env_start_sim_key(struct env *e, unsigned int i, const char *serial,
		      const char *caps, const char *key_hex)
{
	return start_sim(e, i, serial, caps, key_hex, e->sim_dir);
}

int env_start_sim_unwatched(struct env *e, unsigned int i, const char *serial)
{
	if (getenv("POSREADER_TEST_SIM_CMD"))
		return -EOPNOTSUPP;
	return start_sim(e, i, serial, NULL, NULL, e->dir);
}

int env_stop_sim(struct env *e, unsigned int i)
{
	stop_pid(&e->sims[i].pid);
	unlink(e->sims[i].sock);
	unlink(e->sims[i].ctl);
	return 0;
}

int env_sim_ctl(struct env *e, unsigned int i, ...)
{
	char *argv[16];
	char log[128];
	const char *w;
	va_list ap;
	int a = 0, status;
	pid_t pid;

	argv[a++] = (char *)need_env("POSREADER_SIM");
	argv[a++] = (char *)"ctl";
	argv[a++] = (char *)"--control";
	argv[a++] = e->sims[i].ctl;
	va_start(ap, i);
	while ((w = va_arg(ap, const char *)) && a < 15)
		argv[a++] = (char *)w;
	va_end(ap);
	argv[a] = NULL;
	snprintf(log, sizeof(log), "%s/sim-ctl.log", e->dir);
	pid = spawn(argv, log, -1);
	if (pid < 0)
		return -errno;
	status = reap(pid, scaled_ms(5000));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int env_sim_status(struct env *e, unsigned int i, char *buf, size_t cap)
{
	char *argv[] = { (char *)need_env("POSREADER_SIM"),
			 (char *)"ctl",
			 (char *)"--control",
			 e->sims[i].ctl,
			 (char *)"status",
			 NULL };
	char out[128], *text;
	int status;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/sim-status.out", e->dir);
	unlink(out);
	pid = spawn(argv, out, -1);
	if (pid < 0)
		return -errno;
	status = reap(pid, 5000);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	text = read_file(out);
	if (!text)
		return -EIO;
	text[strcspn(text, "\n")] = '\0';
	snprintf(buf, cap, "%s", text);
	free(text);
	return 0;
}

static int name_has_owner(sd_bus *bus)
{
	sd_bus_message *reply = NULL;
	int has = 0, ret;

	ret = sd_bus_call_method(bus, "org.freedesktop.DBus",
				 "/org/freedesktop/DBus",
				 "org.freedesktop.DBus", "NameHasOwner", NULL,
				 &reply, "s", "org.posreader1");
	if (ret >= 0)
		ret = sd_bus_message_read(reply, "b", &has);
	sd_bus_message_unref(reply);
	return ret < 0 ? ret : has;
}

int env_start_daemon(struct env *e)
{
	char *argv[24] = { (char *)need_env("POSREADERD"),
			   (char *)"--bus",
			   e->bus_address,
			   (char *)"--sim-dir",
			   e->sim_dir,
			   (char *)"--state-dir",
			   NULL,
			   (char *)"--test-lock-file",
			   e->lock_file,
			   (char *)"--log",
			   (char *)"stderr",
			   (char *)"--verbose",
			   NULL };
	char state[96], *extra = NULL, *save = NULL, *tok;
	sd_bus *bus = NULL;
	uint64_t end;
	int ret, a = 12;

	snprintf(state, sizeof(state), "%s/state", e->dir);
	argv[6] = state;
	/* VM harness: e.g. "--kernel" or "--usb" for the real transports. */
	if (getenv("POSREADER_TEST_DAEMON_ARGS")) {
		extra = strdup(getenv("POSREADER_TEST_DAEMON_ARGS"));
		for (tok = extra ? strtok_r(extra, " ", &save) : NULL;
		     tok && a < 23; tok = strtok_r(NULL, " ", &save))
			argv[a++] = tok;
		argv[a] = NULL;
	}
	e->daemon_pid = spawn(argv, e->daemon_log, -1);
	free(extra);
	if (e->daemon_pid < 0)
		return -errno;
	ret = env_connect(e, &bus);
	if (ret < 0)
		return ret;
	end = now_ms() + scaled_ms(5000);
	ret = -ETIMEDOUT;
	while (now_ms() < end) {
		if (name_has_owner(bus) > 0) {
			ret = 0;
			break;
		}
		/* A daemon that exits at start-up will not own the name. */
		if (waitpid(e->daemon_pid, NULL, WNOHANG) == e->daemon_pid) {
			e->daemon_pid = 0;
			ret = -ECHILD;
			break;
		}
		usleep(10000);
	}
	sd_bus_flush_close_unref(bus);
	return ret;
}

char *env_start_reader(struct env *e, const char *serial)
{
	if (env_start_sim(e, 0, serial, NULL) < 0 || env_start_daemon(e) < 0)
		return NULL;
	return strdup(reader_path(serial));
}

int env_group_setup_reader(struct env *e, const char *serial, char **ret_path)
{
	if (env_start_bus(e) < 0)
		return -1;
	*ret_path = env_start_reader(e, serial);
	return *ret_path ? 0 : -1;
}

int env_group_teardown_reader(struct env *e, char **path)
{
	env_stop(e);
	free(*path);
	*path = NULL;
	return 0;
}

bool env_daemon_alive(struct env *e)
{
	return e->daemon_pid > 0 && waitpid(e->daemon_pid, NULL, WNOHANG) == 0;
}

int env_set_test_lock(struct env *e, bool locked)
{
	int fd;

	if (!locked)
		return unlink(e->lock_file) < 0 ? -errno : 0;
	fd = open(e->lock_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	remove(path);
	return 0;
}

void env_stop(struct env *e)
{
	const char *keep = getenv("POSREADER_TEST_KEEP");

	stop_pid(&e->daemon_pid);
	for (unsigned int i = 0; i < ENV_SIMS_MAX; i++)
		stop_pid(&e->sims[i].pid);
	stop_pid(&e->dbus_pid);
	if (!e->dir[0])
		return;
	if (keep && *keep == '1')
		fprintf(stderr, "harness: kept %s\n", e->dir);
	else
		nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int env_connect(struct env *e, sd_bus **ret_bus)
{
	sd_bus *bus = NULL;
	int ret;

	ret = sd_bus_new(&bus);
	if (ret < 0)
		return ret;
	ret = sd_bus_set_address(bus, e->bus_address);
	if (ret >= 0)
		ret = sd_bus_set_bus_client(bus, true);
	if (ret >= 0)
		ret = sd_bus_start(bus);
	if (ret < 0) {
		sd_bus_unref(bus);
		return ret;
	}
	*ret_bus = bus;
	return 0;
}

const char *env_transport(void)
{
	const char *t = getenv("POSREADER_TEST_TRANSPORT");

	return t && *t ? t : "sim";
}

const char *reader_path(const char *serial)
{
	static char path[256];
	char *p = NULL;

	if (sd_bus_path_encode("/org/posreader1/reader", serial, &p) < 0)
		return "/invalid";
	snprintf(path, sizeof(path), "%s", p);
	free(p);
	return path;
}

int reader_get_string(sd_bus *bus, const char *path, const char *prop,
		      char **ret)
{
	return sd_bus_get_property_string(bus, "org.posreader1", path,
					  "org.posreader1.Reader", prop, NULL,
					  ret);
}

int reader_get_bool(sd_bus *bus, const char *path, const char *prop, bool *ret)
{
	sd_bus_message *reply = NULL;
	int b = 0, r;

	r = sd_bus_get_property(bus, "org.posreader1", path,
				"org.posreader1.Reader", prop, NULL, &reply,
				"b");
	if (r >= 0)
		r = sd_bus_message_read(reply, "b", &b);
	sd_bus_message_unref(reply);
	if (r < 0)
		return r;
	*ret = b;
	return 0;
}

const char *last_error_name(void)
{
	return error_name;
}

const char *last_error_message(void)
{
	return error_message;
}

/* A new method call on org.posreader1; last error cleared. */
static int new_call(sd_bus *bus, const char *path, const char *interface,
		    const char *method, sd_bus_message **ret)
{
	set_last_error(NULL);
	return sd_bus_message_new_method_call(bus, ret, "org.posreader1", path,
					      interface, method);
}

/*
 * Send m unless building it failed (ret < 0; timeout 0: sd-bus's
 * default), keep the error for last_error_name(), hand out the reply,
 * free the rest.
 */
static int finish_call(sd_bus *bus, sd_bus_message *m, int ret,
		       unsigned int timeout_s, sd_bus_message **ret_reply)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;

	if (ret >= 0)
		ret = sd_bus_call(bus, m, timeout_s * 1000000ULL, &error,
				  &reply);
	if (ret < 0)
		set_last_error(&error);
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	if (ret >= 0 && ret_reply)
		*ret_reply = reply;
	else
		sd_bus_message_unref(reply);
	return ret < 0 ? ret : 0;
}

int reader_call(sd_bus *bus, const char *path, const char *method,
		sd_bus_message **ret_reply, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = new_call(bus, path, "org.posreader1.Reader", method, &m);
	if (ret >= 0 && types && *types) {
		va_start(ap, types);
		ret = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	return finish_call(bus, m, ret, 30, ret_reply);
}

int reader_transmit(sd_bus *bus, const char *path, const char *slot,
		    const void *apdu, size_t len, sd_bus_message **ret_reply)
{
	sd_bus_message *m = NULL;
	int ret;

	ret = new_call(bus, path, "org.posreader1.Reader", "Transmit", &m);
	if (ret >= 0)
		ret = sd_bus_message_append(m, "s", slot);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', apdu, len);
	return finish_call(bus, m, ret, 30, ret_reply);
}

void set_last_error(const sd_bus_error *error)
{
	if (!error) {
		error_name[0] = '\0';
		error_message[0] = '\0';
		return;
	}
	snprintf(error_name, sizeof(error_name), "%s",
		 error->name ? error->name : "?");
	snprintf(error_message, sizeof(error_message), "%s",
		 error->message ? error->message : "");
}

int terminal_call(sd_bus *bus, unsigned int timeout_s, const char *method,
		  sd_bus_message **ret_reply, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = new_call(bus, "/org/posreader1", "org.posreader1.Terminal",
		       method, &m);
	if (ret >= 0 && types) {
		va_start(ap, types);
		ret = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	return finish_call(bus, m, ret, timeout_s, ret_reply);
}

int terminal_pair_reader(sd_bus *bus, const char *serial, const uint8_t key[32],
			 const uint8_t kcv[3])
{
	sd_bus_message *m = NULL;
	int ret;

	ret = new_call(bus, "/org/posreader1", "org.posreader1.Terminal",
		       "PairReader", &m);
	if (ret >= 0)
		ret = sd_bus_message_append(m, "s", serial);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', key, 32);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', kcv, 3);
	return finish_call(bus, m, ret, 0, NULL);
}

int terminal_provision(sd_bus *bus, const char *terminal_id,
		       const char *operator_pin, const char *supervisor_pin,
		       const uint8_t master_kcv[3],
		       const uint8_t acquirer_key[32])
{
	static const uint8_t master[16];
	sd_bus_message *m = NULL;
	int ret;

	ret = new_call(bus, "/org/posreader1", "org.posreader1.Terminal",
		       "Provision", &m);
	if (ret >= 0)
		ret = sd_bus_message_open_container(m, 'a', "{sv}");
	if (ret >= 0)
		ret = sd_bus_message_append(
			m, "{sv}{sv}{sv}{sv}", "terminal_id", "s", terminal_id,
			"master_type", "s", "aes128", "operator_pin", "s",
			operator_pin, "supervisor_pin", "s", supervisor_pin);
	if (ret >= 0)
		ret = bus_append_dict_bytes(m, "master_key", master,
					    sizeof(master));
	if (ret >= 0)
		ret = bus_append_dict_bytes(m, "master_kcv", master_kcv, 3);
	if (ret >= 0)
		ret = bus_append_dict_bytes(m, "acquirer_key", acquirer_key,
					    32);
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	return finish_call(bus, m, ret, 0, NULL);
}

int wait_claimed_by(sd_bus *bus, const char *path, const char *owner,
		    unsigned int timeout_ms)
{
	uint64_t end = now_ms() + scaled_ms(timeout_ms);
	char *v = NULL;
	bool match;

	for (;;) {
		if (reader_get_string(bus, path, "ClaimedBy", &v) < 0)
			return -EIO;
		match = strcmp(v, owner) == 0;
		free(v);
		v = NULL;
		if (match)
			return 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		bus_pump(bus, 10);
	}
}

void bus_pump(sd_bus *bus, unsigned int ms)
{
	uint64_t end = now_ms() + ms, now;

	while ((now = now_ms()) < end) {
		int r = sd_bus_process(bus, NULL);

		if (r < 0)
			return;
		if (r > 0)
			continue;
		sd_bus_wait(bus, (end - now) * 1000);
	}
	while (sd_bus_process(bus, NULL) > 0)
		;
}

static int sig_log_handler(sd_bus_message *m, void *userdata,
			   sd_bus_error *error)
{
	struct sig_log *log = userdata;

	if (log->n < SIG_LOG_MAX)
		log->msgs[log->n++] = sd_bus_message_ref(m);
	return 0;
}

int sig_log_new(sd_bus *bus, struct sig_log **ret)
{
	struct sig_log *log = calloc(1, sizeof(*log));
	int r;

	if (!log)
		return -ENOMEM;
	log->bus = bus;
	r = sd_bus_add_match(bus, &log->slot,
			     "type='signal',sender='org.posreader1'",
			     sig_log_handler, log);
	if (r < 0) {
		free(log);
		return r;
	}
	*ret = log;
	return 0;
}

void sig_log_free(struct sig_log *log)
{
	if (!log)
		return;
	sd_bus_slot_unref(log->slot);
	for (unsigned int i = 0; i < log->n; i++)
		sd_bus_message_unref(log->msgs[i]);
	free(log);
}

static int sig_log_take(struct sig_log *log, const char *path,
			const char *member, sd_bus_message **ret_msg)
{
	for (unsigned int i = 0; i < log->n; i++) {
		sd_bus_message *m = log->msgs[i];

		if (log->taken[i] ||
		    strcmp(sd_bus_message_get_member(m), member) != 0)
			continue;
		if (path && strcmp(sd_bus_message_get_path(m), path) != 0)
			continue;
		log->taken[i] = true;
		if (ret_msg) {
			sd_bus_message_rewind(m, true);
			*ret_msg = sd_bus_message_ref(m);
		}
		return 0;
	}
	return -ENOENT;
}

/* sig_log_wait() until now_ms() reaches end (not scaled). */
static int sig_log_wait_until(struct sig_log *log, const char *path,
			      const char *member, uint64_t end,
			      sd_bus_message **ret_msg)
{
	for (;;) {
		while (sd_bus_process(log->bus, NULL) > 0)
			;
		if (sig_log_take(log, path, member, ret_msg) == 0)
			return 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		sd_bus_wait(log->bus, 20 * 1000);
	}
}

int sig_log_wait(struct sig_log *log, const char *path, const char *member,
		 unsigned int timeout_ms, sd_bus_message **ret_msg)
{
	return sig_log_wait_until(log, path, member,
				  now_ms() + scaled_ms(timeout_ms), ret_msg);
}

/* 1 if the PropertiesChanged m sets ClaimedBy to owner, 0 if not. */
static int sets_claimed_by(sd_bus_message *m, const char *owner)
{
	const char *iface, *key, *value;
	int ret;

	if (sd_bus_message_read(m, "s", &iface) < 0 ||
	    strcmp(iface, "org.posreader1.Reader") != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while ((ret = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if (sd_bus_message_read(m, "s", &key) < 0)
			return 0;
		if (strcmp(key, "ClaimedBy") == 0)
			return sd_bus_message_read(m, "v", "s", &value) >= 0 &&
			       strcmp(value, owner) == 0;
		if (sd_bus_message_skip(m, "v") < 0 ||
		    sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

int sig_log_wait_claimed_by(struct sig_log *log, const char *path,
			    const char *owner, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + scaled_ms(timeout_ms);
	sd_bus_message *m = NULL;
	int found;

	while (now_ms() < end) {
		if (sig_log_wait_until(log, path, "PropertiesChanged", end,
				       &m) < 0)
			break;
		found = sets_claimed_by(m, owner);
		sd_bus_message_unref(m);
		m = NULL;
		if (found)
			return 0;
	}
	return -ETIMEDOUT;
}

unsigned int sig_log_count(struct sig_log *log, const char *member)
{
	unsigned int n = 0;

	while (sd_bus_process(log->bus, NULL) > 0)
		;
	for (unsigned int i = 0; i < log->n; i++)
		if (!log->taken[i] &&
		    strcmp(sd_bus_message_get_member(log->msgs[i]), member) ==
			    0)
			n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int terminal_reason_ids(sd_bus *bus, char ***ret)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char **v = NULL, **nv;
	const char *id;
	size_t n = 0;
	int ret_val;

	ret_val = sd_bus_get_property(bus, "org.posreader1", "/org/posreader1",
				      "org.posreader1.Terminal", "LockReasons",
				      &error, &reply, "a(sssasa{sv})");
	sd_bus_error_free(&error);
	if (ret_val < 0)
		return ret_val;
	v = calloc(1, sizeof(*v));
	ret_val =
		v ? sd_bus_message_enter_container(reply, 'a', "(sssasa{sv})") :
		    -ENOMEM;
	while (ret_val >= 0 && (ret_val = sd_bus_message_enter_container(
					reply, 'r', "sssasa{sv}")) > 0) {
		ret_val = sd_bus_message_read(reply, "s", &id);
		if (ret_val >= 0)
			ret_val = sd_bus_message_skip(reply, "ssasa{sv}");
		if (ret_val >= 0)
			ret_val = sd_bus_message_exit_container(reply);
		nv = ret_val >= 0 ? realloc(v, (n + 2) * sizeof(*v)) : NULL;
		if (!nv) {
			ret_val = ret_val < 0 ? ret_val : -ENOMEM;
			break;
		}
		v = nv;
		v[n] = strdup(id);
		v[++n] = NULL;
	}
	sd_bus_message_unref(reply);
	if (ret_val < 0) {
		strv_free(v);
		return ret_val;
	}
	*ret = v;
	return 0;
}
