// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-pn532-emu: an emulated PN532 on a pseudo-terminal, for testing
 * libnfc's pn532_uart driver (and whatever sits on top of it) without
 * hardware.
 *
 * One poll() loop serves the pty master, a Unix control socket, inotify
 * on the slave (to notice the host closing the port) and signals. The
 * emulator holds the slave open itself, so the master never sees a
 * hang-up between host sessions and idles at zero CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"
#include "pn532-emu.h"

static int read_master(struct emu *e)
{
	uint8_t buf[1024];
	ssize_t n;

	n = read(e->master, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		emu_log(e, "read from pty failed: %s", strerror(errno));
		return -errno;
	}
	emu_host_input(e, buf, (size_t)n);
	return 0;
}

/*
 * Raw mode on the line until a host sets its own. Termios requests on a
 * pty master act on the slave, which is the side the host opens.
 */
static int make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}

static void read_inotify(struct emu *e)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	n = read(e->inotify_fd, buf, sizeof(buf));
	if (n <= 0)
		return;
	for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)p;
		if (ev->mask & IN_OPEN)
			emu_log(e, "host opened %s", e->slave_path);
		if (!(ev->mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)))
			continue;
		emu_log(e, "host closed %s", e->slave_path);
		emu_host_closed(e);
	}
}

static int open_pty(struct emu *e)
{
	int r;

	e->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (e->master < 0)
		return -errno;
	if (grantpt(e->master) < 0 || unlockpt(e->master) < 0)
		return -errno;
	r = ptsname_r(e->master, e->slave_path, sizeof(e->slave_path));
	if (r)
		return -r;
	e->keeper = open(e->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e->keeper < 0)
		return -errno;
	r = make_raw(e->master);
	if (r < 0)
		return r;

	e->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (e->inotify_fd < 0)
		return -errno;
	if (inotify_add_watch(e->inotify_fd, e->slave_path,
			      IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0)
		return -errno;
	return 0;
}

static int open_signals(struct emu *e)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	e->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (e->signal_fd < 0)
		return -errno;
	return 0;
}

/* Publish the slave path atomically: readers never see half a name. */
static int write_path_file(const struct emu *e)
{
	char tmp[4096];
	FILE *f;
	int r;

	r = snprintf(tmp, sizeof(tmp), "%s.tmp", e->path_file);
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", e->slave_path);
	if (fclose(f) != 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	if (rename(tmp, e->path_file) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

enum {
	FD_MASTER,
	FD_INOTIFY,
	FD_SIGNAL,
	FD_LISTEN,
	FD_CLIENT0
};

static int run(struct emu *e)
{
	struct pollfd fds[FD_CLIENT0 + EMU_MAX_CLIENTS];
	int timeout, i, r;
	uint64_t t;

	while (!e->control.quit) {
		timeout = -1;
		if (e->pending && e->pending_deadline_ms) {
			t = emu_now_ms();
			timeout = e->pending_deadline_ms > t ?
					  (int)(e->pending_deadline_ms - t) :
					  0;
		}
		fds[FD_MASTER] = (struct pollfd){ e->master, POLLIN, 0 };
		fds[FD_INOTIFY] = (struct pollfd){ e->inotify_fd, POLLIN, 0 };
		fds[FD_SIGNAL] = (struct pollfd){ e->signal_fd, POLLIN, 0 };
		fds[FD_LISTEN] = (struct pollfd){ e->listen_fd, POLLIN, 0 };
		for (i = 0; i < EMU_MAX_CLIENTS; i++)
			fds[FD_CLIENT0 + i] =
				(struct pollfd){ e->clients[i].fd, POLLIN, 0 };

		r = poll(fds, FD_CLIENT0 + EMU_MAX_CLIENTS, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;

		if (fds[FD_SIGNAL].revents) {
			emu_log(e, "signal received, stopping");
			return 0;
		}
		/* Closes first: a new host's bytes meet a clean parser. */
		if (fds[FD_INOTIFY].revents)
			read_inotify(e);
		if (fds[FD_MASTER].revents & (POLLERR | POLLNVAL))
			return -EIO;
		if (fds[FD_MASTER].revents & POLLIN) {
			r = read_master(e);
			if (r < 0)
				return r;
		}
		if (fds[FD_LISTEN].revents & POLLIN)
			emu_control_accept(e);
		for (i = 0; i < EMU_MAX_CLIENTS; i++)
			if (e->clients[i].fd >= 0 &&
			    fds[FD_CLIENT0 + i].revents)
				emu_control_read(e, &e->clients[i]);
		if (e->pending && e->pending_deadline_ms &&
		    emu_now_ms() >= e->pending_deadline_ms)
			emu_poll_retry(e, true);
	}
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: posreader-pn532-emu [OPTIONS]\n"
	      "       posreader-pn532-emu --control PATH --send 'COMMAND'\n"
	      "\n"
	      "Emulate a PN532 (firmware v1.6) on a pseudo-terminal, for\n"
	      "libnfc's pn532_uart driver: LIBNFC_DEVICE=pn532_uart:/dev/pts/N\n"
	      "\n"
	      "  --print-path         print the pty slave path on stdout\n"
	      "  --path-file FILE     write the slave path to FILE when ready\n"
	      "  --control PATH       Unix socket for control commands\n"
	      "  --send COMMAND       send COMMAND to the emulator at --control\n"
	      "  --uid HEX            card UID, 4, 7 or 10 bytes (08123456)\n"
	      "  --atqa HEX           ATQA as nfc-list prints it (0004)\n"
	      "  --sak HEX            SAK (20)\n"
	      "  --ats HEX|none       ATS after its length byte (78807002)\n"
	      "  --no-tag             start with no card in the field\n"
	      "  --remove-after N     card leaves after N APDU exchanges\n"
	      "  --misbehave SPEC     MODE[:CMD[:COUNT]], see below\n"
	      "  --quiet              no log on stderr\n"
	      "  --verbose            log every command (names, never data)\n"
	      "  --help               this text\n"
	      "\n"
	      "Misbehaviour MODEs: bad-lcs, bad-dcs, truncated, silence, mute,\n"
	      "nack-storm, error-frame; CMD is a PN532 command code in hex\n"
	      "(4a = InListPassiveTarget) or 'any'; COUNT defaults to 1,\n"
	      "0 means until switched off.\n"
	      "\n"
	      "Control commands (one per line on the socket, or via --send):\n"
	      "  tag present|absent          uid HEX        atqa HEX\n"
	      "  sak HEX      ats HEX|none   remove-after N|off\n"
	      "  misbehave MODE [CMD [COUNT]] | misbehave off\n"
	      "  status       quit\n"
	      "Each gets one reply line: 'ok ...' or 'error: ...'.\n",
	      out);
}

enum {
	OPT_PRINT_PATH = 256,
	OPT_PATH_FILE,
	OPT_CONTROL,
	OPT_SEND,
	OPT_UID,
	OPT_ATQA,
	OPT_SAK,
	OPT_ATS,
	OPT_NO_TAG,
	OPT_REMOVE_AFTER,
	OPT_MISBEHAVE,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option options[] = {
	{ "print-path", no_argument, NULL, OPT_PRINT_PATH },
	{ "path-file", required_argument, NULL, OPT_PATH_FILE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "atqa", required_argument, NULL, OPT_ATQA },
	{ "sak", required_argument, NULL, OPT_SAK },
	{ "ats", required_argument, NULL, OPT_ATS },
	{ "no-tag", no_argument, NULL, OPT_NO_TAG },
	{ "remove-after", required_argument, NULL, OPT_REMOVE_AFTER },
	{ "misbehave", required_argument, NULL, OPT_MISBEHAVE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int bad_option(const char *opt, const char *value, const char *want)
{
	fprintf(stderr, "posreader-pn532-emu: bad %s '%s': expected %s\n", opt,
		value, want);
	return EXIT_FAILURE;
}

static void cleanup(struct emu *e)
{
	int i;

	for (i = 0; i < EMU_MAX_CLIENTS; i++)
		emu_control_close(&e->clients[i]);
	if (e->listen_fd >= 0) {
		close(e->listen_fd);
		unlink(e->control_path);
	}
	if (e->path_written)
		unlink(e->path_file);
	closep(&e->signal_fd);
	closep(&e->inotify_fd);
	closep(&e->keeper);
	closep(&e->master);
}

int main(int argc, char **argv)
{
	static struct emu emu;
	struct emu *e = &emu;
	const char *send_cmd = NULL;
	bool print_path = false;
	unsigned long v;
	char *end;
	int c, i, r;

	e->master = e->keeper = e->inotify_fd = -1;
	e->listen_fd = e->signal_fd = -1;
	for (i = 0; i < EMU_MAX_CLIENTS; i++)
		e->clients[i].fd = -1;
	pn532_card_init(&e->card);
	pn532_chip_init(&e->chip, &e->card);
	e->fault.mode = PN532_FAULT_NONE;
	e->control.card = &e->card;
	e->control.fault = &e->fault;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_PRINT_PATH:
			print_path = true;
			break;
		case OPT_PATH_FILE:
			e->path_file = optarg;
			break;
		case OPT_CONTROL:
			e->control_path = optarg;
			break;
		case OPT_SEND:
			send_cmd = optarg;
			break;
		case OPT_UID:
			if (pn532_card_set_uid(&e->card, optarg) < 0)
				return bad_option("--uid", optarg,
						  "4, 7 or 10 hex bytes");
			break;
		case OPT_ATQA:
			if (pn532_card_set_atqa(&e->card, optarg) < 0)
				return bad_option("--atqa", optarg,
						  "2 hex bytes");
			break;
		case OPT_SAK:
			if (pn532_card_set_sak(&e->card, optarg) < 0)
				return bad_option("--sak", optarg,
						  "1 hex byte");
			break;
		case OPT_ATS:
			if (pn532_card_set_ats(&e->card, optarg) < 0)
				return bad_option("--ats", optarg,
						  "1 to 20 hex bytes or none");
			break;
		case OPT_NO_TAG:
			e->card.present = false;
			break;
		case OPT_REMOVE_AFTER:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' ||
			    v > 1000000)
				return bad_option("--remove-after", optarg,
						  "a count of exchanges");
			e->card.remove_after = (int)v;
			break;
		case OPT_MISBEHAVE:
			if (pn532_fault_parse(optarg, &e->fault) < 0)
				return bad_option("--misbehave", optarg,
						  "MODE[:CMD[:COUNT]]");
			break;
		case OPT_QUIET:
			e->quiet = true;
			break;
		case OPT_VERBOSE:
			e->verbose = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"posreader-pn532-emu: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_FAILURE;
	}

	if (send_cmd) {
		if (!e->control_path) {
			fputs("posreader-pn532-emu: --send needs --control\n",
			      stderr);
			return EXIT_FAILURE;
		}
		r = emu_control_send(e->control_path, send_cmd);
		if (r < 0 && r != -EINVAL)
			fprintf(stderr, "posreader-pn532-emu: %s: %s\n",
				e->control_path, strerror(-r));
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	r = open_pty(e);
	if (r < 0) {
		fprintf(stderr, "posreader-pn532-emu: pseudo-terminal: %s\n",
			strerror(-r));
		goto out;
	}
	r = open_signals(e);
	if (r < 0) {
		fprintf(stderr, "posreader-pn532-emu: signals: %s\n",
			strerror(-r));
		goto out;
	}
	if (e->control_path) {
		r = emu_control_open(e);
		if (r < 0) {
			fprintf(stderr, "posreader-pn532-emu: %s: %s\n",
				e->control_path, strerror(-r));
			goto out;
		}
	}
	if (print_path) {
		printf("%s\n", e->slave_path);
		fflush(stdout);
	}
	if (e->path_file) {
		r = write_path_file(e);
		if (r < 0) {
			fprintf(stderr, "posreader-pn532-emu: %s: %s\n",
				e->path_file, strerror(-r));
			goto out;
		}
		e->path_written = true;
	}
	emu_log(e, "PN532 v1.6 on %s, card %s", e->slave_path,
		e->card.present ? "present" : "absent");

	r = run(e);
	if (r < 0)
		fprintf(stderr, "posreader-pn532-emu: %s\n", strerror(-r));
out:
	cleanup(e);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
