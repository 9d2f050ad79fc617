// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl: talk to posreaderd (org.posreader1) from a shell. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static void help(FILE *f)
{
	fprintf(f, "Usage: posreaderctl [OPTION]... COMMAND [ARG]...\n"
		   "Query and use the card readers posreaderd serves.\n\n"
		   "Commands:\n"
		   "  status              terminal lock state and a reader "
		   "summary\n"
		   "  readers             every reader with its properties\n"
		   "  monitor             print events until Ctrl-C (or "
		   "--timeout)\n"
		   "  wait-card           claim a reader and wait for a card\n"
		   "  apdu HEX...         claim a reader, power the card, send "
		   "APDUs\n"
		   "  pin verify [ROLE]   check a PIN read from stdin\n"
		   "  pin change [ROLE [AUTH-ROLE]]  authorizing PIN, then "
		   "the new PIN, on stdin\n"
		   "  pin supervisor-unlock  end the operator lockout "
		   "(supervisor PIN on stdin)\n"
		   "  unlock-challenge    a fresh challenge for an acquirer "
		   "token\n"
		   "  apply-token FILE    apply an acquirer token (raw or "
		   "hex)\n"
		   "  selftest            run the self-test\n"
		   "  audit               the audit log and whether its chain "
		   "holds\n"
		   "  provision FILE      install keys and PINs from \"key = "
		   "value\" lines\n"
		   "  pair SERIAL KCV     pair a reader (key in hex on "
		   "stdin)\n"
		   "  seal-config         vouch for posreaderd's configuration "
		   "file as it is\n\n"
		   "Options:\n"
		   "  --bus system|session|ADDRESS  bus to use (default: "
		   "system)\n"
		   "  --json              machine-readable output\n"
		   "  --reader R          reader by serial, id or object path\n"
		   "  --kinds LIST        wait-card: magstripe,icc,nfc "
		   "(default: all)\n"
		   "  --timeout MS        wait-card / monitor: how long to "
		   "wait\n"
		   "  --slot icc|nfc      apdu: the slot (default: icc)\n"
		   "  --channel           apdu: use AcquireChannel, not "
		   "Transmit\n"
		   "  -h, --help          show this help\n\n"
		   "Exit codes: 0 success, 1 refused or failed, 2 usage, 3 "
		   "posreaderd\nor the bus unavailable, 4 timeout.\n");
}

enum {
	OPT_BUS = 0x100,
	OPT_JSON,
	OPT_READER,
	OPT_KINDS,
	OPT_TIMEOUT,
	OPT_SLOT,
	OPT_CHANNEL,
};

static const struct option options[] = {
	{ "bus", required_argument, NULL, OPT_BUS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "reader", required_argument, NULL, OPT_READER },
	{ "kinds", required_argument, NULL, OPT_KINDS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "slot", required_argument, NULL, OPT_SLOT },
	{ "channel", no_argument, NULL, OPT_CHANNEL },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int connect_bus(const char *spec, sd_bus **ret_bus)
{
	sd_bus *bus = NULL;
	int ret;

	if (strcmp(spec, "system") == 0)
		return sd_bus_open_system(ret_bus);
	if (strcmp(spec, "session") == 0)
		return sd_bus_open_user(ret_bus);
	ret = sd_bus_new(&bus);
	if (ret < 0)
		return ret;
	ret = sd_bus_set_address(bus, spec);
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

int main(int argc, char **argv)
{
	struct ctl c = { 0 };
	const char *bus = "system", *cmd;
	char *end;
	unsigned long v;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_BUS:
			bus = optarg;
			break;
		case OPT_JSON:
			c.json = true;
			break;
		case OPT_READER:
			c.reader = optarg;
			break;
		case OPT_KINDS:
			c.kinds = optarg;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > 600000) {
				fprintf(stderr, "posreaderctl: --timeout takes "
						"1..600000 ms\n");
				return CTL_EXIT_USAGE;
			}
			c.timeout_ms = v;
			break;
		case OPT_SLOT:
			c.slot = optarg;
			break;
		case OPT_CHANNEL:
			c.channel = true;
			break;
		case 'h':
			help(stdout);
			return CTL_EXIT_OK;
		default:
			help(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return CTL_EXIT_USAGE;
	}
	cmd = argv[optind++];
	/* Events and results should reach a pipe as they happen. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = connect_bus(bus, &c.bus);
	if (ret < 0) {
		fprintf(stderr,
			"posreaderctl: cannot connect to the %s bus: "
			"%s\n",
			bus, strerror(-ret));
		return CTL_EXIT_UNAVAILABLE;
	}
	if (strcmp(cmd, "status") == 0 && optind == argc)
		ret = cmd_status(&c);
	else if (strcmp(cmd, "readers") == 0 && optind == argc)
		ret = cmd_readers(&c);
	else if (strcmp(cmd, "monitor") == 0 && optind == argc)
		ret = cmd_monitor(&c);
	else if (strcmp(cmd, "wait-card") == 0 && optind == argc)
		ret = cmd_wait_card(&c);
	else if (strcmp(cmd, "apdu") == 0)
		ret = cmd_apdu(&c, argc - optind, argv + optind);
	else if (strcmp(cmd, "pin") == 0)
		ret = cmd_pin(&c, argc - optind, argv + optind);
	else if (strcmp(cmd, "unlock-challenge") == 0 && optind == argc)
		ret = cmd_unlock_challenge(&c);
	else if (strcmp(cmd, "apply-token") == 0)
		ret = cmd_apply_token(&c, argc - optind + 1, argv + optind - 1);
	else if (strcmp(cmd, "selftest") == 0 && optind == argc)
		ret = cmd_selftest(&c);
	else if (strcmp(cmd, "audit") == 0)
		ret = cmd_audit(&c, argc - optind + 1, argv + optind - 1);
	else if (strcmp(cmd, "provision") == 0)
		ret = cmd_provision(&c, argc - optind + 1, argv + optind - 1);
	else if (strcmp(cmd, "pair") == 0)
		ret = cmd_pair(&c, argc - optind + 1, argv + optind - 1);
	else if (strcmp(cmd, "seal-config") == 0 && optind == argc)
		ret = cmd_seal_config(&c);
	else {
		fprintf(stderr,
			"posreaderctl: unknown command or extra "
			"arguments: %s\n",
			cmd);
		ret = CTL_EXIT_USAGE;
	}
	sd_bus_flush_close_unref(c.bus);
	return ret;
}
