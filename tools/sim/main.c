// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-sim: a simulated posreader card reader on a Unix socket, and
 * the "ctl" client that drives a running simulator from shell scripts.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#include "auth.h"
#include "control.h"
#include "ctlsrv.h"
#include "device.h"
#include "gadget.h"
#include "loop.h"
#include "socket.h"
#include "unix.h"

/* Exit codes of "ctl". */
#define CTL_EXIT_OK	 0
#define CTL_EXIT_ERROR	 1 /* the simulator answered "error" */
#define CTL_EXIT_USAGE	 2
#define CTL_EXIT_CONNECT 3 /* no simulator at the control path */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: posreader-sim --socket PATH --control PATH [options]\n"
		"       posreader-sim ctl --control PATH COMMAND [ARGS...]\n"
		"\n"
		"Simulates a posreader card reader. The host side of the\n"
		"wire protocol connects to the SOCK_SEQPACKET socket (one\n"
		"frame per message, one host at a time); the control socket\n"
		"takes text commands, one per line, and answers \"ok ...\"\n"
		"or \"error REASON\".\n"
		"\n"
		"options:\n"
		"  --socket PATH        host socket (SOCK_SEQPACKET)\n"
		"  --control PATH       control socket (SOCK_STREAM)\n"
		"  --gadget DIR         instead of --socket: be a USB FunctionFS\n"
		"                       gadget mounted at DIR (docs/driver.md)\n"
		"  --configfs DIR       with --gadget: its configfs gadget, so\n"
		"                       that disconnect unplugs and replugs it\n"
		"  --serial S           serial number (default SIM0001)\n"
		"  --firmware V         firmware version (default 1.0.0)\n"
		"  --vendor S           vendor (default posreader)\n"
		"  --model S            model (default posreader-sim)\n"
		"  --pairing-key HEX    16..64 byte pairing key (default: the\n"
		"                       test key 000102...1f)\n"
		"  --caps LIST          comma-separated subset of magstripe,\n"
		"                       icc,nfc,auth,indicators; or all, none\n"
		"  -h, --help           this text\n"
		"\n"
		"control commands:\n%s"
		"\n"
		"ctl exit codes: 0 ok, 1 error reply, 2 usage, 3 cannot\n"
		"reach the simulator. See docs/simulator.md.\n",
		sim_control_help);
}

static const struct {
	const char *name;
	u8 bit;
} cap_names[] = {
	{ "magstripe", PRW_CAP_MAGSTRIPE },
	{ "icc", PRW_CAP_ICC },
	{ "nfc", PRW_CAP_NFC },
	{ "auth", PRW_CAP_AUTH },
	{ "indicators", PRW_CAP_INDICATORS },
};

static int parse_caps(const char *list, u8 *ret)
{
	char *copy, *tok, *save = NULL;
	u8 caps = 0;
	size_t i;
	int r = 0;

	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool found = false;

		if (!strcmp(tok, "all")) {
			caps |= 0x1f;
			continue;
		}
		if (!strcmp(tok, "none"))
			continue;
		for (i = 0; i < ELEMENTSOF(cap_names); i++) {
			if (!strcmp(tok, cap_names[i].name)) {
				caps |= cap_names[i].bit;
				found = true;
			}
		}
		if (!found) {
			fprintf(stderr,
				"posreader-sim: unknown capability '%s'\n",
				tok);
			r = -EINVAL;
			break;
		}
	}
	free(copy);
	if (r == 0)
		*ret = caps;
	return r;
}

/* Identity strings: printable ASCII, at most PRW_STR_MAX. */
static int set_string(char *dst, const char *src, const char *what, bool need)
{
	size_t n = strlen(src), i;

	if (n > PRW_STR_MAX || (need && !n)) {
		fprintf(stderr,
			"posreader-sim: %s must be %s1..%d characters\n", what,
			need ? "" : "0 or ", PRW_STR_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (src[i] < 0x20 || src[i] > 0x7e) {
			fprintf(stderr,
				"posreader-sim: %s must be printable ASCII\n",
				what);
			return -EINVAL;
		}
	}
	memcpy(dst, src, n + 1);
	return 0;
}

static int ctl_main(int argc, char **argv)
{
	char line[SIM_CTL_LINE_MAX + 2] = "";
	char reply[SIM_CTL_REPLY_MAX + 2];
	const char *control = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	ssize_t n;
	int i = 1;

	if (argc >= 3 && !strcmp(argv[1], "--control")) {
		control = argv[2];
		i = 3;
	} else if (argc >= 2 && !strncmp(argv[1], "--control=", 10)) {
		control = argv[1] + 10;
		i = 2;
	}
	if (!control || i >= argc) {
		fprintf(stderr,
			"usage: posreader-sim ctl --control PATH COMMAND...\n");
		return CTL_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		if (sim_control_quote(argv[i], line, SIM_CTL_LINE_MAX) < 0) {
			fprintf(stderr, "posreader-sim: command too long\n");
			return CTL_EXIT_USAGE;
		}
	}
	strcat(line, "\n");
	fd = sim_unix_connect(control, SOCK_STREAM);
	if (fd < 0) {
		fprintf(stderr, "posreader-sim: cannot connect to %s: %s\n",
			control, strerror(-fd));
		secure_zero(line, sizeof(line));
		return CTL_EXIT_CONNECT;
	}
	n = send(fd, line, strlen(line), MSG_NOSIGNAL);
	secure_zero(line, sizeof(line));
	if (n < 0) {
		fprintf(stderr, "posreader-sim: send: %m\n");
		return CTL_EXIT_CONNECT;
	}
	/* Read one reply line. */
	while (len < sizeof(reply) - 1) {
		n = recv(fd, reply + len, sizeof(reply) - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(reply, '\n', len))
			break;
	}
	reply[len] = '\0';
	if (!len || !strchr(reply, '\n')) {
		fprintf(stderr, "posreader-sim: no reply from the simulator\n");
		return CTL_EXIT_CONNECT;
	}
	*strchr(reply, '\n') = '\0';
	printf("%s\n", reply);
	return strncmp(reply, "ok", 2) ? CTL_EXIT_ERROR : CTL_EXIT_OK;
}

static void on_signal(void *userdata, int fd, short revents)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si))
		sim_loop_quit(userdata);
}

struct options {
	const char *socket_path;
	const char *control_path;
	const char *gadget_path;
	const char *configfs_path;
	struct sim_identity id;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'c' },
		{ "gadget", required_argument, NULL, 'g' },
		{ "configfs", required_argument, NULL, 'G' },
		{ "serial", required_argument, NULL, 'S' },
		{ "firmware", required_argument, NULL, 'F' },
		{ "vendor", required_argument, NULL, 'V' },
		{ "model", required_argument, NULL, 'M' },
		{ "pairing-key", required_argument, NULL, 'k' },
		{ "caps", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, n;

	sim_identity_default(&o->id);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket_path = optarg;
			break;
		case 'c':
			o->control_path = optarg;
			break;
		case 'g':
			o->gadget_path = optarg;
			break;
		case 'G':
			o->configfs_path = optarg;
			break;
		case 'S':
			if (set_string(o->id.serial, optarg, "serial", true))
				return -EINVAL;
			break;
		case 'F':
			if (set_string(o->id.firmware, optarg, "firmware",
				       false))
				return -EINVAL;
			break;
		case 'V':
			if (set_string(o->id.vendor, optarg, "vendor", false))
				return -EINVAL;
			break;
		case 'M':
			if (set_string(o->id.model, optarg, "model", false))
				return -EINVAL;
			break;
		case 'k':
			n = sim_hex_parse(optarg, o->id.key, sizeof(o->id.key));
			if (n < SIM_KEY_MIN) {
				fprintf(stderr,
					"posreader-sim: --pairing-key takes "
					"%d..%d bytes of hex\n",
					SIM_KEY_MIN, SIM_KEY_MAX);
				return -EINVAL;
			}
			o->id.key_len = (size_t)n;
			break;
		case 'C':
			if (parse_caps(optarg, &o->id.caps) < 0)
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			return -EINVAL;
		}
	}
	if (optind != argc || !o->socket_path == !o->gadget_path ||
	    !o->control_path) {
		fprintf(stderr, "posreader-sim: --control and one of --socket "
				"or --gadget are required (see --help)\n");
		return -EINVAL;
	}
	if (o->configfs_path && !o->gadget_path) {
		fprintf(stderr, "posreader-sim: --configfs goes with --gadget\n");
		return -EINVAL;
	}
	return 0;
}

static int serve(const struct options *o)
{
	struct sim_loop *loop = NULL;
	struct sim_socket *sock = NULL;
	struct sim_device *dev = NULL;
	struct sim_ctlsrv *ctl = NULL;
	struct sim_host_ops host;
	_cleanup_close_ int sfd = -1;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return -errno;

	r = sim_loop_new(&loop);
	if (r < 0)
		return r;
	r = sim_socket_new(loop, o->socket_path, &sock);
	if (r < 0) {
		fprintf(stderr, "posreader-sim: cannot listen on %s: %s\n",
			o->socket_path, strerror(-r));
		goto out_loop;
	}
	r = sim_device_new(&o->id, sim_socket_output, sock, &dev);
	if (r < 0)
		goto out_socket;
	sim_socket_attach(sock, dev);
	sim_loop_set_device(loop, dev);
	sim_socket_host_ops(sock, &host);
	r = sim_ctlsrv_new(loop, o->control_path, dev, &host, &ctl);
	if (r < 0) {
		fprintf(stderr, "posreader-sim: cannot listen on %s: %s\n",
			o->control_path, strerror(-r));
		goto out_device;
	}
	r = sim_loop_add(loop, sfd, POLLIN, on_signal, loop);
	if (r < 0)
		goto out_ctl;
	fprintf(stderr, "posreader-sim: serial %s on %s, control %s\n",
		o->id.serial, o->socket_path, o->control_path);
	r = sim_loop_run(loop);
	fprintf(stderr, "posreader-sim: stopped\n");

out_ctl:
	sim_ctlsrv_free(ctl);
out_device:
	sim_socket_attach(sock, NULL);
	sim_device_free(dev);
out_socket:
	sim_socket_free(sock);
out_loop:
	sim_loop_free(loop);
	return r;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int r;

	if (argc >= 2 && !strcmp(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1);
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	/* Replies go to a dead peer sometimes; that is not fatal. */
	signal(SIGPIPE, SIG_IGN);
	if (o.gadget_path)
		r = sim_gadget_serve(&o.id, o.gadget_path, o.configfs_path,
				     o.control_path);
	else
		r = serve(&o);
	secure_zero(&o, sizeof(o));
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
