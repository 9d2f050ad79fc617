// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The nfc transport: one worker process per libnfc device, one
 * SOCK_SEQPACKET socket to it, one wire frame per message. The worker
 * answers the reader core's commands itself (nfc-worker.c); this side
 * only moves frames, relays the worker's log lines, and brings a device
 * back after it went away.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"
#include "nfc-worker.h"
#include "reader.h"
#include "transport-nfc.h"
#include "util.h"

/* An absent device is tried again after 1 s, then 2, 4, 8, 10, 10 ... */
#define NFC_RETRY_MIN_USEC (1000 * 1000ULL)
#define NFC_RETRY_MAX_USEC (10 * 1000 * 1000ULL)
/* A reader that lasted this long was no flapping device: the next
 * absence starts again from the shortest retry. */
#define NFC_STABLE_USEC	   (30 * 1000 * 1000ULL)
/* A worker told to stop gets this long to switch the field off. */
#define NFC_STOP_WAIT_MS   1000
/* The lister gets this long before it is killed (it has its own alarm). */
#define NFC_LIST_WAIT_MS   ((NFC_LIST_TIMEOUT_S + 2) * 1000)

/* A libnfc connection string. */
typedef char connstring_buf[NFC_CONNSTRING_MAX];

struct nfc_link {
	struct nfc_link *next;
	struct manager *mgr;
	char *connstring;
	pid_t pid; /* the worker, 0 if none */
	int fd;	   /* our end of its socket, -1 if none */
	sd_event_source *io;
	sd_event_source *retry; /* armed only while the device is absent */
	struct reader *reader;	/* once the worker said it is ready */
	uint64_t backoff_usec;
	uint64_t ready_usec; /* when the worker last said it was ready */
	bool failing;	     /* absence already logged */
	bool scanned;	     /* found by nfc_list_devices(), not configured */
};

/*
 * Devices found by scanning: a USB reader's connection string names its
 * bus address, which changes when it is plugged back in. So an absent
 * scanned device is not retried by name; the scan runs again, while
 * fewer scanned devices are present than there have been.
 */
struct nfc_scan {
	struct manager *mgr;
	sd_event_source *timer;
	uint64_t backoff_usec;
	unsigned int peak; /* most scanned devices present at once */
};

/* The daemon has one manager; its devices live here. */
static struct nfc_link *nfc_links;
static struct nfc_scan nfc_scan;

static void link_schedule(struct nfc_link *l);
static void scan_schedule(struct manager *m);

/* ---- The worker process ---------------------------------------------- */

/* A short English description of a worker exit code. */
static const char *worker_exit_str(int code)
{
	switch (code) {
	case NFC_EXIT_CLOSED:
		return "closed";
	case NFC_EXIT_NO_DEVICE:
		return "libnfc cannot open the device";
	case NFC_EXIT_LOST:
		return "the device stopped answering";
	case NFC_EXIT_HUNG:
		return "a libnfc call did not return in time";
	case NFC_EXIT_SETUP:
		return "the worker process could not be set up";
	case NFC_EXIT_EXEC:
		return "the worker program could not be run";
	default:
		return "unexpected exit";
	}
}

/* The worker program: the installed one, or POSREADER_NFC_WORKER (a
 * build tree's, for the tests and the demo). */
static const char *worker_program(void)
{
	const char *path = getenv("POSREADER_NFC_WORKER");

	return path && *path ? path : POSREADER_NFC_WORKER_PATH;
}

/*
 * Run the worker program with argv, pair[1] becoming its descriptor
 * child_fd; pair[0] stays ours. pair[1] is closed here; so is pair[0] if
 * it fails. Returns its pid or a negative errno. The program starts
 * afresh: none of the daemon's memory, keys included, goes with it.
 */
static pid_t worker_run(char *const argv[], int pair[2], int child_fd)
{
	const char *path = worker_program();
	pid_t pid = fork();
	int ret;

	if (pid == 0) {
		/* Only async-signal-safe calls from here to exec. */
		if (pair[1] == child_fd ? fcntl(child_fd, F_SETFD, 0) < 0 :
					  dup2(pair[1], child_fd) < 0)
			_exit(NFC_EXIT_SETUP);
		execv(path, argv);
		_exit(NFC_EXIT_EXEC);
	}
	ret = pid < 0 ? -errno : pid;
	close(pair[1]);
	if (ret < 0)
		close(pair[0]);
	return ret;
}

static void link_log_exit(struct nfc_link *l, int status)
{
	int level = l->failing ? LOG_DEBUG : LOG_WARNING;

	if (WIFEXITED(status) && WEXITSTATUS(status) == NFC_EXIT_CLOSED)
		return;
	if (WIFEXITED(status))
		log_full(level, 0,
			 "nfc %s: %s; trying again while it is absent",
			 l->connstring, worker_exit_str(WEXITSTATUS(status)));
	else if (WIFSIGNALED(status))
		log_full(level, 0,
			 "nfc %s: the worker died (signal %d); trying again",
			 l->connstring, WTERMSIG(status));
	l->failing = true;
}

/* Close the socket and collect the worker; kill it if it lingers. */
static void link_reap(struct nfc_link *l)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	int status = 0;
	bool done = false;
	pid_t ret;

	l->io = sd_event_source_disable_unref(l->io);
	closep(&l->fd);
	l->fd = -1;
	if (l->pid <= 0)
		return;
	/* A worker that sees its socket close switches the field off and
	 * exits; one that is stuck in libnfc does not. */
	for (int i = 0; i < NFC_STOP_WAIT_MS / 5; i++) {
		ret = waitpid(l->pid, &status, WNOHANG);
		/* ECHILD: reaped already (SIGCHLD ignored); the pid may be
		 * someone else's by now, so it must not be killed. */
		if (ret == l->pid || (ret < 0 && errno == ECHILD)) {
			done = true;
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (!done) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, &status, 0);
	}
	l->pid = 0;
	link_log_exit(l, status);
}

static int nfc_send(void *priv, const uint8_t *frame, size_t len)
{
	struct nfc_link *l = priv;

	if (l->fd < 0)
		return -ENODEV;
	if (send(l->fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return errno == EAGAIN ? -ENOBUFS : -errno;
	return 0;
}

/* The reader is being freed: stop its worker, try the device again. */
static void nfc_destroy(void *priv)
{
	struct nfc_link *l = priv;

	uint64_t now = 0;

	l->reader = NULL;
	link_reap(l);
	sd_event_now(l->mgr->event, CLOCK_MONOTONIC, &now);
	if (now >= l->ready_usec + NFC_STABLE_USEC)
		l->backoff_usec = 0;
	link_schedule(l);
}

static const struct reader_transport nfc_transport = {
	.name = "nfc",
	.send = nfc_send,
	.destroy = nfc_destroy,
};

/* The worker is gone or its socket broke. */
static void link_dead(struct nfc_link *l)
{
	sd_event_source_set_enabled(l->io, SD_EVENT_OFF);
	if (l->reader) {
		/* nfc_destroy() collects the worker once the core is done. */
		reader_lost(l->reader, -ENODEV);
		return;
	}
	link_reap(l);
	link_schedule(l);
}

static void link_ready(struct nfc_link *l, const char *name)
{
	int ret;

	if (l->reader)
		return;
	ret = reader_new(l->mgr, &nfc_transport, l, l->connstring, &l->reader);
	if (ret < 0) {
		log_error_errno(ret, "nfc %s: cannot add the reader",
				l->connstring);
		link_reap(l);
		link_schedule(l);
		return;
	}
	if (l->failing)
		log_info("nfc %s: the device is back (%s)", l->connstring,
			 name);
	else
		log_debug("nfc %s: %s open, probing", l->connstring, name);
	l->failing = false;
	sd_event_now(l->mgr->event, CLOCK_MONOTONIC, &l->ready_usec);
}

/* A log line from the worker: "L" level text. */
static void link_worker_log(struct nfc_link *l, const char *msg, size_t n)
{
	int level = LOG_INFO;

	if (n >= 2 && msg[1] >= '0' && msg[1] <= '7')
		level = msg[1] - '0';
	/* An absent device says so on every try: once is enough. */
	if (l->failing && level > LOG_ERR)
		level = LOG_DEBUG;
	log_full(level, 0, "nfc %s: %.*s", l->connstring,
		 n > 2 ? (int)(n - 2) : 0, msg + 2);
}

static int link_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct nfc_link *l = userdata;
	uint8_t buf[PRW_MAX_FRAME + 1];
	char name[PRW_STR_MAX + 1];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		link_dead(l);
		return 0;
	}
	if ((size_t)n > PRW_MAX_FRAME) {
		log_warning("nfc %s: dropped an oversized message (%zd bytes)",
			    l->connstring, n);
		return 0;
	}
	switch (buf[0]) {
	case PRW_MAGIC:
		if (l->reader)
			reader_input(l->reader, buf, n);
		secure_zero(buf, n);
		break;
	case NFC_MSG_LOG:
		link_worker_log(l, (const char *)buf, n);
		break;
	case NFC_MSG_READY:
		snprintf(name, sizeof(name), "%.*s", (int)(n - 1),
			 (const char *)buf + 1);
		link_ready(l, name);
		break;
	default:
		log_debug("nfc %s: dropped a message of unknown kind",
			  l->connstring);
		break;
	}
	return 0;
}

/* Start a worker for l's device. */
static int link_spawn(struct nfc_link *l)
{
	char *argv[] = { (char *)"posreader-nfc-worker", l->connstring, NULL,
			 NULL };
	int sv[2], ret;
	pid_t pid;

	/* Absent last time: failing to open it again is no news. */
	if (l->failing) {
		argv[1] = (char *)"--quiet";
		argv[2] = l->connstring;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = worker_run(argv, sv, NFC_WORKER_FD);
	if (pid < 0)
		return pid;
	l->pid = pid;
	l->fd = sv[0];
	if (fcntl(l->fd, F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		goto err;
	}
	ret = sd_event_add_io(l->mgr->event, &l->io, l->fd, EPOLLIN, link_io,
			      l);
	if (ret < 0)
		goto err;
	return 0;
err:
	link_reap(l);
	return ret;
}

static int link_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct nfc_link *l = userdata;
	int ret;

	ret = link_spawn(l);
	if (ret < 0) {
		log_error_errno(ret, "nfc %s: cannot start a worker",
				l->connstring);
		link_schedule(l);
	}
	return 0;
}

/* Try the device again after the current backoff, doubling it. */
static void link_schedule(struct nfc_link *l)
{
	int ret;

	/* Readers freed at shutdown do not come back. */
	ret = sd_event_get_state(l->mgr->event);
	if (ret == SD_EVENT_EXITING || ret == SD_EVENT_FINISHED)
		return;
	if (l->scanned) {
		scan_schedule(l->mgr);
		return;
	}
	if (!l->backoff_usec)
		l->backoff_usec = NFC_RETRY_MIN_USEC;
	if (!l->retry)
		ret = sd_event_add_time_relative(
			l->mgr->event, &l->retry, CLOCK_MONOTONIC,
			l->backoff_usec, 0, link_retry, l);
	else
		ret = sd_event_source_set_time_relative(l->retry,
							l->backoff_usec);
	if (ret >= 0)
		ret = sd_event_source_set_enabled(l->retry, SD_EVENT_ONESHOT);
	if (ret < 0)
		log_error_errno(ret, "nfc %s: cannot schedule a retry",
				l->connstring);
	l->backoff_usec *= 2;
	if (l->backoff_usec > NFC_RETRY_MAX_USEC)
		l->backoff_usec = NFC_RETRY_MAX_USEC;
}

/* ---- Entry points ---------------------------------------------------- */

static void link_free(struct nfc_link *l)
{
	if (l->reader)
		reader_free(l->reader); /* calls nfc_destroy() */
	l->retry = sd_event_source_disable_unref(l->retry);
	link_reap(l);
	free(l->connstring);
	free(l);
}

static struct nfc_link *link_find(const char *connstring)
{
	for (struct nfc_link *l = nfc_links; l; l = l->next)
		if (strcmp(l->connstring, connstring) == 0)
			return l;
	return NULL;
}

/* Neither a worker nor a reader: the device is not there. */
static bool link_absent(const struct nfc_link *l)
{
	return l->pid <= 0 && !l->reader;
}

static int link_add(struct manager *m, const char *connstring, bool scanned)
{
	struct nfc_link *l;
	int ret;

	if (!*connstring || strlen(connstring) >= sizeof(connstring_buf))
		return log_error_errno(-EINVAL, "nfc: bad connection string");
	if (link_find(connstring))
		return -EEXIST;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->mgr = m;
	l->fd = -1;
	l->scanned = scanned;
	l->connstring = strdup(connstring);
	if (!l->connstring) {
		free(l);
		return -ENOMEM;
	}
	l->next = nfc_links;
	nfc_links = l;
	ret = link_spawn(l);
	if (ret < 0) {
		log_error_errno(ret, "nfc %s: cannot start a worker",
				connstring);
		link_schedule(l);
	}
	return 0;
}

int transport_nfc_add(struct manager *m, const char *connstring)
{
	return link_add(m, connstring, false);
}

/* Unlink and free l; it must be absent or the daemon shutting down. */
static void link_remove(struct nfc_link *l)
{
	for (struct nfc_link **pp = &nfc_links; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	link_free(l);
}

/*
 * Read the lister's output from fd into buf until it closes or time runs
 * out. Returns the length, or -ETIMEDOUT.
 */
static ssize_t read_list(int fd, char *buf, size_t cap)
{
	uint64_t end = monotonic_ms() + NFC_LIST_WAIT_MS;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	for (;;) {
		uint64_t now = monotonic_ms();

		if (now >= end)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(end - now)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len == cap - 1)
			break; /* full: more than NFC_LIST_MAX lines */
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Keep the connection strings of buf's lines, as many as fit in found. */
static int parse_list(char *buf, connstring_buf *found, size_t max)
{
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		bool printable = true;

		for (const char *c = line; *c && printable; c++)
			printable = *c > ' ' && *c < 0x7f;
		if (!printable || strlen(line) >= sizeof(found[0])) {
			log_warning("nfc: the lister named a device "
				    "unreadably; ignored");
			continue;
		}
		strcpy(found[n++], line);
	}
	return (int)n;
}

/*
 * Ask libnfc for its devices, through the worker program in --list
 * mode: the probing runs outside the daemon. Returns how many, or a
 * negative errno.
 */
static int scan_list(connstring_buf *found, size_t max)
{
	static char buf[NFC_LIST_MAX * (NFC_CONNSTRING_MAX + 1) + 1];
	char *argv[] = { (char *)"posreader-nfc-worker", (char *)"--list",
			 NULL };
	int pipefd[2], status = 0;
	ssize_t len;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = worker_run(argv, pipefd, STDOUT_FILENO);
	if (pid < 0)
		return pid;
	len = read_list(pipefd[0], buf, sizeof(buf));
	close(pipefd[0]);
	if (len < 0)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (len < 0)
		return (int)len;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != NFC_EXIT_CLOSED) {
		log_warning("nfc: listing devices failed: %s",
			    WIFEXITED(status) ?
				    worker_exit_str(WEXITSTATUS(status)) :
				    "the lister was killed");
		return -EIO;
	}
	return parse_list(buf, found, max);
}

/*
 * One scan: start a worker for every new device and for every scanned
 * one that is back; forget the absent scanned ones libnfc no longer
 * lists (a USB reader on a new address is a new entry). Returns how many
 * scanned devices are present or starting.
 */
static unsigned int scan_apply(struct manager *m, connstring_buf *found, int n)
{
	struct nfc_link *l, *next;
	unsigned int present = 0;
	bool listed;

	for (int i = 0; i < n; i++) {
		l = link_find(found[i]);
		if (!l)
			link_add(m, found[i], true);
		else if (l->scanned && link_absent(l) && link_spawn(l) < 0)
			log_warning("nfc %s: cannot start a worker",
				    l->connstring);
	}
	for (l = nfc_links; l; l = next) {
		next = l->next;
		if (!l->scanned)
			continue;
		listed = false;
		for (int i = 0; i < n && !listed; i++)
			listed = strcmp(l->connstring, found[i]) == 0;
		if (link_absent(l) && !listed)
			link_remove(l);
		else if (!link_absent(l))
			present++;
	}
	return present;
}

static int scan_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	connstring_buf found[NFC_LIST_MAX];
	struct manager *m = userdata;
	unsigned int present;
	int n;

	n = scan_list(found, NFC_LIST_MAX);
	if (n < 0) {
		log_error_errno(n, "nfc: cannot list libnfc's devices");
		n = 0;
	}
	present = scan_apply(m, found, n);
	if (present > nfc_scan.peak)
		nfc_scan.peak = present;
	/* A worker that fails to open asks for the next scan itself. */
	if (present < nfc_scan.peak)
		scan_schedule(m);
	else
		nfc_scan.backoff_usec = 0;
	return 0;
}

/* Scan again after the current backoff, doubling it. */
static void scan_schedule(struct manager *m)
{
	int ret;

	if (!nfc_scan.mgr)
		return; /* no --nfc-scan */
	if (!nfc_scan.backoff_usec)
		nfc_scan.backoff_usec = NFC_RETRY_MIN_USEC;
	if (!nfc_scan.timer)
		ret = sd_event_add_time_relative(
			m->event, &nfc_scan.timer, CLOCK_MONOTONIC,
			nfc_scan.backoff_usec, 0, scan_tick, m);
	else
		ret = sd_event_source_set_time_relative(nfc_scan.timer,
							nfc_scan.backoff_usec);
	if (ret >= 0)
		ret = sd_event_source_set_enabled(nfc_scan.timer,
						  SD_EVENT_ONESHOT);
	if (ret < 0)
		log_error_errno(ret, "nfc: cannot schedule a scan");
	nfc_scan.backoff_usec *= 2;
	if (nfc_scan.backoff_usec > NFC_RETRY_MAX_USEC)
		nfc_scan.backoff_usec = NFC_RETRY_MAX_USEC;
}

int transport_nfc_scan(struct manager *m)
{
	connstring_buf found[NFC_LIST_MAX];
	int n;

	n = scan_list(found, NFC_LIST_MAX);
	if (n < 0)
		return log_error_errno(n, "nfc: cannot list libnfc's "
					  "devices");
	nfc_scan.mgr = m;
	scan_apply(m, found, n);
	/* What is there now is what the scan keeps looking for. */
	for (struct nfc_link *l = nfc_links; l; l = l->next)
		if (l->scanned)
			nfc_scan.peak++;
	log_info("nfc: %u device(s) found by libnfc", nfc_scan.peak);
	return (int)nfc_scan.peak;
}

void transport_nfc_stop(struct manager *m)
{
	struct nfc_link **pp = &nfc_links, *l;

	if (nfc_scan.mgr == m) {
		nfc_scan.timer = sd_event_source_disable_unref(nfc_scan.timer);
		memset(&nfc_scan, 0, sizeof(nfc_scan));
	}

	while ((l = *pp)) {
		if (l->mgr != m) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		link_free(l);
	}
}
