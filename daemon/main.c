// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderd: the card-reader service on D-Bus (org.posreader1). */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "manager.h"
#include "statedb.h"
#include "terminal.h"
#include "transport-kernel.h"
#include "transport-nfc.h"
#include "transport-sim.h"
#include "transport-usb.h"
#include "util.h"

static void help(void)
{
	printf("Usage: posreaderd [OPTION]...\n"
	       "Serve the card readers on D-Bus as org.posreader1.\n\n"
	       "  --bus system|session|ADDRESS  bus to serve on (default: "
	       "system;\n"
	       "                                DBUS_SYSTEM_BUS_ADDRESS is "
	       "honoured)\n"
	       "  --sim PATH           attach the simulator at socket PATH "
	       "(repeatable)\n"
	       "  --sim-dir DIR        attach every simulator socket in DIR, "
	       "now and later\n"
	       "  --kernel             drive the readers of posreader.ko "
	       "(/dev/posreaderN)\n"
	       "  --usb                drive USB readers no kernel driver "
	       "has, via libusb\n"
	       "  --nfc CONNSTRING     drive the libnfc device at CONNSTRING "
	       "(repeatable)\n"
	       "  --nfc-scan           drive every device libnfc finds\n"
	       "  --state-dir DIR      state directory (default: "
	       "/var/lib/posreader)\n"
	       "  --config FILE        read settings from FILE first; its "
	       "integrity is\n"
	       "                       checked (posreaderctl seal-config)\n"
	       "  --test-lock-file PATH  lock the terminal while PATH exists "
	       "(tests only)\n"
	       "  --log auto|stderr|journal  where log lines go (default: "
	       "auto)\n"
	       "  -v, --verbose        log debug lines too\n"
	       "  -h, --help           show this help\n"
	       "  --version            show the version\n");
}

enum {
	OPT_BUS = 0x100,
	OPT_SIM,
	OPT_SIM_DIR,
	OPT_STATE_DIR,
	OPT_CONFIG,
	OPT_TEST_LOCK,
	OPT_LOG,
	OPT_USB,
	OPT_KERNEL,
	OPT_NFC,
	OPT_NFC_SCAN,
	OPT_VERSION,
};

static const struct option options[] = {
	{ "bus", required_argument, NULL, OPT_BUS },
	{ "sim", required_argument, NULL, OPT_SIM },
	{ "sim-dir", required_argument, NULL, OPT_SIM_DIR },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "test-lock-file", required_argument, NULL, OPT_TEST_LOCK },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "usb", no_argument, NULL, OPT_USB },
	{ "kernel", no_argument, NULL, OPT_KERNEL },
	{ "nfc", required_argument, NULL, OPT_NFC },
	{ "nfc-scan", no_argument, NULL, OPT_NFC_SCAN },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{}
};

static const char *const opt_keys[] = {
	[OPT_BUS - OPT_BUS] = "bus",
	[OPT_SIM - OPT_BUS] = "sim",
	[OPT_SIM_DIR - OPT_BUS] = "sim-dir",
	[OPT_STATE_DIR - OPT_BUS] = "state-dir",
	[OPT_LOG - OPT_BUS] = "log",
	[OPT_NFC - OPT_BUS] = "nfc",
};

/*
 * The --config file as an absolute path, which the self-test checks and
 * SealConfiguration seals for as long as the daemon runs.
 */
static int absolute_path(const char *path, char **ret)
{
	_cleanup_free_ char *cwd = NULL;

	if (path[0] == '/') {
		*ret = strdup(path);
		return *ret ? 0 : -ENOMEM;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	if (asprintf(ret, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * Load the --config file first, so the command line overrides it. Only
 * one: it is the file the configuration self-test watches.
 */
static int load_config_option(int argc, char **argv, struct config *c)
{
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		if (opt != OPT_CONFIG)
			continue;
		if (c->path) {
			fprintf(stderr, "posreaderd: --config may be given "
					"only once\n");
			return -EINVAL;
		}
		ret = absolute_path(optarg, &c->path);
		if (ret < 0)
			return ret;
	}
	opterr = 1;
	optind = 0; /* glibc: start the next scan afresh */
	return c->path ? config_load(c, c->path) : 0;
}

/* Parse argv into c; returns 1 to run, 0 to exit with success, or < 0. */
static int parse_args(int argc, char **argv, struct config *c)
{
	int opt, ret;

	ret = load_config_option(argc, argv, c);
	if (ret < 0)
		return ret;

	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_BUS:
		case OPT_SIM:
		case OPT_SIM_DIR:
		case OPT_STATE_DIR:
		case OPT_LOG:
		case OPT_NFC:
			ret = config_set(c, opt_keys[opt - OPT_BUS], optarg);
			if (ret < 0) {
				fprintf(stderr,
					"posreaderd: bad value \"%s\" for "
					"--%s\n",
					optarg, opt_keys[opt - OPT_BUS]);
				return -EINVAL;
			}
			break;
		case OPT_CONFIG:
			break;
		case OPT_USB:
			c->usb = true;
			break;
		case OPT_KERNEL:
			c->kernel = true;
			break;
		case OPT_NFC_SCAN:
			c->nfc_scan = true;
			break;
		case OPT_TEST_LOCK:
			free(c->test_lock_file);
			c->test_lock_file = strdup(optarg);
			if (!c->test_lock_file)
				return -ENOMEM;
			break;
		case 'v':
			c->log_level = LOG_DEBUG;
			break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			printf("posreaderd %s\n", POSREADER_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'posreaderd --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "posreaderd: unexpected argument \"%s\"\n",
			argv[optind]);
		return -EINVAL;
	}
	return 1;
}

/* Resolve the groups and open the security engine on the state dir. */
static int open_terminal(struct manager *m, const struct config *c)
{
	struct engine_options opts;
	int ret;

	ret = terminal_set_groups(m->terminal, c->card_group, c->admin_group);
	if (ret < 0)
		return ret;
	engine_options_default(&opts);
	if (c->pin_max_failures)
		opts.policy.max_failures = c->pin_max_failures;
	for (int i = 0; i < PIN_LOCKOUT_STEPS; i++)
		if (c->pin_lockout_s[i])
			opts.policy.lockout_us[i] =
				c->pin_lockout_s[i] * USEC_PER_SEC;
	return terminal_open(m->terminal, m->state_dir, c->path, &opts);
}

static int run(struct config *c)
{
	struct manager *m = NULL;
	sigset_t mask;
	int ret;

	ret = manager_new(&m);
	if (ret < 0)
		goto out;
	m->state_dir =
		strdup(c->state_dir ? c->state_dir : "/var/lib/posreader");
	if (!m->state_dir) {
		ret = -ENOMEM;
		goto out;
	}
	if (mkdir(m->state_dir, 0700) < 0 && errno != EEXIST) {
		ret = log_error_errno(-errno, "cannot create %s", m->state_dir);
		goto out;
	}
	ret = open_terminal(m, c);
	if (ret < 0)
		goto out;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ret = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
	if (ret >= 0)
		ret = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	if (ret < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);

	ret = manager_connect(m, c->bus ? c->bus : "system");
	if (ret < 0)
		goto out;
	if (c->test_lock_file) {
		ret = terminal_watch_test_lock_file(m->terminal,
						    c->test_lock_file);
		if (ret < 0) {
			log_error_errno(ret, "cannot watch %s",
					c->test_lock_file);
			goto out;
		}
	}
	ret = manager_start(m);
	if (ret < 0)
		goto out;

	/* Readers come after the name: each appears with InterfacesAdded. */
	for (unsigned int i = 0; i < c->n_sim_dirs; i++) {
		ret = sim_watch_dir(m, c->sim_dirs[i]);
		if (ret < 0)
			goto out;
	}
	for (unsigned int i = 0; i < c->n_sims; i++) {
		ret = sim_watch_socket(m, c->sims[i]);
		if (ret < 0)
			goto out;
	}
	/* Kernel first: a reader the module drives is never ours via usb. */
	if (c->kernel) {
		ret = kernel_start(m);
		if (ret < 0)
			goto out;
	}
	if (c->usb) {
		ret = usb_start(m);
		if (ret < 0)
			goto out;
	}
	for (unsigned int i = 0; i < c->n_nfcs; i++)
		transport_nfc_add(m, c->nfcs[i]);
	if (c->nfc_scan)
		transport_nfc_scan(m);

	/* Start-up is done: give back the heap it no longer uses. */
	malloc_trim(0);
	ret = sd_event_loop(m->event);
	if (ret < 0)
		log_error_errno(ret, "event loop failed");
	else
		log_info("exiting");
out:
	manager_free(m);
	return ret;
}

int main(int argc, char **argv)
{
	struct config c = { .log_target = LOG_TARGET_AUTO,
			    .log_level = LOG_INFO };
	int ret;

	ret = parse_args(argc, argv, &c);
	if (ret > 0) {
		log_setup(c.log_target, c.log_level);
		if (statedb_memory_setup() < 0)
			log_warning("cannot set SQLite's memory options");
		ret = run(&c);
	}
	config_done(&c);
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
