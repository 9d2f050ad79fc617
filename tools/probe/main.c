// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-probe: a synchronous wire-protocol client for diagnostics,
 * tests and demonstrations. One command per run; exit codes say whether
 * the device answered, timed out, broke the protocol or refused.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "util.h"

#include "auth.h"
#include "conn.h"
#include "events.h"
#include "tlv.h"

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,	      /* bad command line or local failure */
	EXIT_TIMEOUT = 2,     /* no answer in time */
	EXIT_PROTOCOL = 3,    /* the device broke the protocol */
	EXIT_STATUS = 4,      /* the device answered with an error status */
	EXIT_CONNECT = 5,     /* no connection, or the device dropped it */
	EXIT_NOT_GENUINE = 6, /* authentication answer is wrong */
};

static bool verbose;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: posreader-probe --socket PATH [-v] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  info                   identity and capabilities\n"
		"  status                 slot and tamper state\n"
		"  watch [--count N] [--timeout MS]\n"
		"                         print events (swipes masked)\n"
		"  icc-on                 power the IC card, print its ATR\n"
		"  icc-off                power it off\n"
		"  apdu icc|nfc HEX       send a command APDU, print the\n"
		"                         answer (card data masked)\n"
		"  nfc-poll [MS]          wait up to MS (default 1000) for a\n"
		"                         contactless card\n"
		"  nfc-release            end the contactless session\n"
		"  auth HEXKEY            check that the reader holds the\n"
		"                         pairing key\n"
		"  leds [green] [amber] [red] [blue] [all] [off] [buzzer=MS]\n"
		"\n"
		"exit codes: 0 ok, 1 usage, 2 timeout, 3 protocol error,\n"
		"4 device status error, 5 connection error, 6 not genuine\n");
}

static void on_event(void *userdata, const struct prw_frame *f)
{
	/* Outside "watch" an event is only noise: name it, nothing more. */
	if (verbose)
		fprintf(stderr, "posreader-probe: (%s event while waiting)\n",
			probe_event_name(f->type));
}

/* Turn a transaction's outcome into a message and an exit code. */
static int check(struct probe_conn *c, int r, const struct prw_frame *rsp,
		 int timeout_ms)
{
	if (r == -ETIMEDOUT) {
		fprintf(stderr,
			"posreader-probe: timeout: no valid response "
			"within %d ms\n",
			timeout_ms);
		probe_report_violations(c);
		return probe_saw_violations(c) ? EXIT_PROTOCOL : EXIT_TIMEOUT;
	}
	if (r == -ECONNRESET) {
		fprintf(stderr, "posreader-probe: the device closed the "
				"connection\n");
		probe_report_violations(c);
		return EXIT_CONNECT;
	}
	if (r < 0) {
		fprintf(stderr, "posreader-probe: %s\n", strerror(-r));
		return EXIT_CONNECT;
	}
	if (rsp->status != PRW_ST_OK) {
		fprintf(stderr, "posreader-probe: device status: %s\n",
			prw_status_name(rsp->status));
		probe_report_violations(c);
		return EXIT_STATUS;
	}
	return EXIT_OK;
}

/* After a successful command: anything invalid on the way still counts. */
static int finish(struct probe_conn *c, int code)
{
	if (code == EXIT_OK && probe_saw_violations(c)) {
		probe_report_violations(c);
		return EXIT_PROTOCOL;
	}
	return code;
}

static int bad_payload(const char *what, int err)
{
	fprintf(stderr, "posreader-probe: malformed %s response: %s\n", what,
		prw_strerror(err));
	return EXIT_PROTOCOL;
}

static void print_hex(const char *label, const u8 *p, size_t n)
{
	size_t i;

	printf("%s: ", label);
	for (i = 0; i < n; i++)
		printf("%02X", p[i]);
	printf("\n");
}

static int cmd_info(struct probe_conn *c)
{
	static const char *const caps[] = { "magstripe", "icc", "nfc", "auth",
					    "indicators" };
	struct prw_frame rsp;
	struct prw_info info;
	size_t i;
	int r;

	r = probe_transact(c, PRW_CMD_GET_INFO, NULL, 0, PRW_TIMEOUT_DEFAULT_MS,
			   &rsp);
	r = check(c, r, &rsp, PRW_TIMEOUT_DEFAULT_MS);
	if (r)
		return r;
	r = prw_info_decode(rsp.payload, rsp.len, &info);
	if (r < 0)
		return bad_payload("get-info", r);
	printf("vendor: %s\nmodel: %s\nserial: %s\nfirmware: %s\n", info.vendor,
	       info.model, info.serial, info.firmware);
	printf("protocol: %u\nmax-payload: %u\ncaps:", info.proto_version,
	       info.max_payload);
	for (i = 0; i < ELEMENTSOF(caps); i++)
		if (info.caps & (1u << i))
			printf(" %s", caps[i]);
	printf("\n");
	return finish(c, EXIT_OK);
}

static int cmd_status(struct probe_conn *c)
{
	struct prw_status_info st;
	struct prw_frame rsp;
	int r;

	r = probe_transact(c, PRW_CMD_GET_STATUS, NULL, 0,
			   PRW_TIMEOUT_DEFAULT_MS, &rsp);
	r = check(c, r, &rsp, PRW_TIMEOUT_DEFAULT_MS);
	if (r)
		return r;
	r = prw_status_info_decode(rsp.payload, rsp.len, &st);
	if (r < 0)
		return bad_payload("get-status", r);
	printf("icc: %s\n", !(st.state & PRW_STATE_ICC_PRESENT) ? "absent" :
			    st.state & PRW_STATE_ICC_POWERED	? "powered" :
								  "present");
	printf("nfc: %s\n",
	       st.state & PRW_STATE_NFC_PRESENT ? "present" : "absent");
	printf("tamper: ");
	probe_print_tamper(stdout, st.tamper);
	printf("\n");
	return finish(c, EXIT_OK);
}

struct watch_state {
	unsigned int seen;
	unsigned int count;
	unsigned int bad;
	bool stop;
};

static void on_watch_event(void *userdata, const struct prw_frame *f)
{
	struct watch_state *w = userdata;

	if (probe_print_event(stdout, f) < 0)
		w->bad++;
	if (w->count && ++w->seen >= w->count)
		w->stop = true;
}

static int parse_int(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int cmd_watch(struct probe_conn *c, int argc, char **argv)
{
	struct watch_state w = { 0 };
	long timeout = -1, v;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc &&
		    parse_int(argv[i + 1], 1, 1000000, &v) == 0) {
			w.count = (unsigned int)v;
			i++;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc &&
			   parse_int(argv[i + 1], 0, 86400000, &v) == 0) {
			timeout = v;
			i++;
		} else {
			fprintf(stderr, "usage: watch [--count N] [--timeout "
					"MS]\n");
			return EXIT_USAGE;
		}
	}
	c->on_event = on_watch_event;
	c->event_data = &w;
	r = probe_watch(c, (int)timeout, &w.stop);
	if (r == -ECONNRESET) {
		fprintf(stderr, "posreader-probe: the device closed the "
				"connection\n");
		probe_report_violations(c);
		return EXIT_CONNECT;
	}
	if (r == -ETIMEDOUT && w.count) {
		fprintf(stderr, "posreader-probe: timeout: %u of %u events\n",
			w.seen, w.count);
		probe_report_violations(c);
		return probe_saw_violations(c) ? EXIT_PROTOCOL : EXIT_TIMEOUT;
	}
	if (r < 0 && r != -ETIMEDOUT) {
		fprintf(stderr, "posreader-probe: %s\n", strerror(-r));
		return EXIT_CONNECT;
	}
	if (w.bad) {
		fprintf(stderr,
			"posreader-probe: %u event(s) had a malformed "
			"payload\n",
			w.bad);
		return EXIT_PROTOCOL;
	}
	return finish(c, EXIT_OK);
}

static int cmd_icc_on(struct probe_conn *c)
{
	struct prw_frame rsp;
	struct prw_atr atr;
	int r;

	r = probe_transact(c, PRW_CMD_ICC_POWER_ON, NULL, 0,
			   PRW_TIMEOUT_POWER_ON_MS, &rsp);
	r = check(c, r, &rsp, PRW_TIMEOUT_POWER_ON_MS);
	if (r)
		return r;
	r = prw_atr_decode(rsp.payload, rsp.len, &atr);
	if (r < 0)
		return bad_payload("icc-power-on", r);
	print_hex("atr", atr.data, atr.len);
	return finish(c, EXIT_OK);
}

/* A command with no payload either way. */
static int cmd_simple(struct probe_conn *c, u8 type)
{
	struct prw_frame rsp;
	int r;

	r = probe_transact(c, type, NULL, 0, PRW_TIMEOUT_DEFAULT_MS, &rsp);
	r = check(c, r, &rsp, PRW_TIMEOUT_DEFAULT_MS);
	if (r)
		return r;
	printf("ok\n");
	return finish(c, EXIT_OK);
}

static int cmd_apdu(struct probe_conn *c, int argc, char **argv)
{
	u8 apdu[PRW_APDU_MAX], payload[PRW_MAX_PAYLOAD];
	struct prw_frame rsp;
	size_t dlen;
	u8 slot;
	int n, r;

	if (argc != 3 || (strcmp(argv[1], "icc") && strcmp(argv[1], "nfc"))) {
		fprintf(stderr, "usage: apdu icc|nfc HEX\n");
		return EXIT_USAGE;
	}
	slot = strcmp(argv[1], "icc") ? PRW_SLOT_NFC : PRW_SLOT_ICC;
	n = sim_hex_parse(argv[2], apdu, sizeof(apdu));
	if (n < PRW_APDU_MIN) {
		fprintf(stderr,
			"posreader-probe: an APDU is %d..%d bytes of "
			"hex\n",
			PRW_APDU_MIN, PRW_APDU_MAX);
		return EXIT_USAGE;
	}
	n = prw_apdu_encode(payload, sizeof(payload), slot, apdu, (size_t)n);
	secure_zero(apdu, sizeof(apdu));
	if (n < 0)
		return EXIT_USAGE;
	r = probe_transact(c, PRW_CMD_APDU, payload, (size_t)n,
			   PRW_TIMEOUT_APDU_MS, &rsp);
	secure_zero(payload, sizeof(payload));
	r = check(c, r, &rsp, PRW_TIMEOUT_APDU_MS);
	if (r)
		return r;
	r = prw_rapdu_check(rsp.payload, rsp.len);
	if (r < 0)
		return bad_payload("apdu", r);
	dlen = rsp.len - 2;
	printf("sw: %02X%02X\n", rsp.payload[dlen], rsp.payload[dlen + 1]);
	printf("length: %zu\n", dlen);
	if (dlen) {
		/* Card answers are shown masked; unknown bytes as hex. */
		if (tlv_is_emv(rsp.payload, dlen)) {
			printf("data:\n");
			tlv_print(stdout, rsp.payload, dlen);
		} else {
			print_hex("data", rsp.payload, dlen);
		}
	}
	return finish(c, EXIT_OK);
}

static int cmd_nfc_poll(struct probe_conn *c, int argc, char **argv)
{
	struct prw_nfc_poll poll = { .timeout_ms = 1000 };
	struct prw_nfc_target t;
	struct prw_frame rsp;
	u8 payload[8];
	int n, r, timeout;
	long v;

	if (argc > 2 ||
	    (argc == 2 && parse_int(argv[1], 1, PRW_NFC_POLL_MAX_MS, &v) < 0)) {
		fprintf(stderr, "usage: nfc-poll [MS (1..%d)]\n",
			PRW_NFC_POLL_MAX_MS);
		return EXIT_USAGE;
	}
	if (argc == 2)
		poll.timeout_ms = (u16)v;
	n = prw_nfc_poll_encode(payload, sizeof(payload), &poll);
	if (n < 0)
		return EXIT_USAGE;
	timeout = poll.timeout_ms + PRW_NFC_POLL_SLACK_MS;
	r = probe_transact(c, PRW_CMD_NFC_POLL, payload, (size_t)n, timeout,
			   &rsp);
	if (r == 0 && rsp.status == PRW_ST_NO_CARD) {
		printf("no card\n");
		probe_report_violations(c);
		return EXIT_STATUS;
	}
	r = check(c, r, &rsp, timeout);
	if (r)
		return r;
	r = prw_nfc_target_decode(rsp.payload, rsp.len, &t);
	if (r < 0)
		return bad_payload("nfc-poll", r);
	printf("protocol: %s\n",
	       t.protocol == PRW_NFC_14443A ? "iso14443a" : "iso14443b");
	print_hex("uid", t.uid, t.uid_len);
	print_hex("atqa", t.atqa, 2);
	printf("sak: %02X\n", t.sak);
	print_hex("ats", t.ats, t.ats_len);
	return finish(c, EXIT_OK);
}

static int cmd_auth(struct probe_conn *c, int argc, char **argv)
{
	u8 key[64], challenge[PRW_AUTH_CHALLENGE_LEN], payload[64];
	u8 want[PRW_AUTH_RESPONSE_LEN];
	struct prw_frame rsp, irsp;
	struct prw_info info;
	int klen, n, r, code;

	if (argc != 2) {
		fprintf(stderr, "usage: auth HEXKEY\n");
		return EXIT_USAGE;
	}
	klen = sim_hex_parse(argv[1], key, sizeof(key));
	if (klen < 16) {
		fprintf(stderr, "posreader-probe: the key is 16..64 bytes of "
				"hex\n");
		return EXIT_USAGE;
	}
	/* The answer is bound to the serial, so ask for it first. */
	r = probe_transact(c, PRW_CMD_GET_INFO, NULL, 0, PRW_TIMEOUT_DEFAULT_MS,
			   &irsp);
	code = check(c, r, &irsp, PRW_TIMEOUT_DEFAULT_MS);
	if (code)
		goto out;
	r = prw_info_decode(irsp.payload, irsp.len, &info);
	if (r < 0) {
		code = bad_payload("get-info", r);
		goto out;
	}
	if (getrandom(challenge, sizeof(challenge), 0) != sizeof(challenge)) {
		code = EXIT_USAGE;
		goto out;
	}
	n = prw_auth_encode(payload, sizeof(payload), challenge);
	if (n < 0 || sim_auth_answer(key, (size_t)klen, challenge, info.serial,
				     want) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	r = probe_transact(c, PRW_CMD_AUTH, payload, (size_t)n,
			   PRW_TIMEOUT_AUTH_MS, &rsp);
	code = check(c, r, &rsp, PRW_TIMEOUT_AUTH_MS);
	if (code)
		goto out;
	r = prw_auth_rsp_check(rsp.payload, rsp.len);
	if (r < 0) {
		code = bad_payload("auth", r);
		goto out;
	}
	if (CRYPTO_memcmp(rsp.payload, want, sizeof(want))) {
		printf("NOT genuine: reader %s does not hold this key\n",
		       info.serial);
		code = EXIT_NOT_GENUINE;
		goto out;
	}
	printf("genuine: reader %s holds the pairing key\n", info.serial);
	code = finish(c, EXIT_OK);
out:
	secure_zero(key, sizeof(key));
	secure_zero(want, sizeof(want));
	return code;
}

static int cmd_leds(struct probe_conn *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		u8 bits;
	} names[] = { { "green", PRW_LED_GREEN }, { "amber", PRW_LED_AMBER },
		      { "red", PRW_LED_RED },	  { "blue", PRW_LED_BLUE },
		      { "all", PRW_LED_ALL },	  { "off", 0 } };
	struct prw_indicators ind = { 0 };
	struct prw_frame rsp;
	u8 payload[8];
	size_t k;
	long v;
	int i, n, r;

	for (i = 1; i < argc; i++) {
		for (k = 0; k < ELEMENTSOF(names); k++)
			if (!strcmp(argv[i], names[k].name))
				break;
		if (k < ELEMENTSOF(names)) {
			ind.leds |= names[k].bits;
		} else if (!strncmp(argv[i], "buzzer=", 7) &&
			   parse_int(argv[i] + 7, 0, PRW_BUZZER_MAX_MS, &v) ==
				   0) {
			ind.buzzer_ms = (u16)v;
		} else {
			fprintf(stderr, "usage: leds [green] [amber] [red] "
					"[blue] [all] [off] [buzzer=MS]\n");
			return EXIT_USAGE;
		}
	}
	n = prw_indicators_encode(payload, sizeof(payload), &ind);
	if (n < 0)
		return EXIT_USAGE;
	r = probe_transact(c, PRW_CMD_SET_INDICATORS, payload, (size_t)n,
			   PRW_TIMEOUT_DEFAULT_MS, &rsp);
	r = check(c, r, &rsp, PRW_TIMEOUT_DEFAULT_MS);
	if (r)
		return r;
	printf("ok\n");
	return finish(c, EXIT_OK);
}

static int run(struct probe_conn *c, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (!strcmp(cmd, "info") && argc == 1)
		return cmd_info(c);
	if (!strcmp(cmd, "status") && argc == 1)
		return cmd_status(c);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(c, argc, argv);
	if (!strcmp(cmd, "icc-on") && argc == 1)
		return cmd_icc_on(c);
	if (!strcmp(cmd, "icc-off") && argc == 1)
		return cmd_simple(c, PRW_CMD_ICC_POWER_OFF);
	if (!strcmp(cmd, "nfc-release") && argc == 1)
		return cmd_simple(c, PRW_CMD_NFC_RELEASE);
	if (!strcmp(cmd, "apdu"))
		return cmd_apdu(c, argc, argv);
	if (!strcmp(cmd, "nfc-poll"))
		return cmd_nfc_poll(c, argc, argv);
	if (!strcmp(cmd, "auth"))
		return cmd_auth(c, argc, argv);
	if (!strcmp(cmd, "leds"))
		return cmd_leds(c, argc, argv);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *path = NULL;
	struct probe_conn c;
	int opt, r;

	/* "+": stop at the command, so its own options stay its own. */
	while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!path || optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = probe_connect(path, &c);
	if (r < 0) {
		fprintf(stderr, "posreader-probe: cannot connect to %s: %s\n",
			path, strerror(-r));
		return EXIT_CONNECT;
	}
	c.on_event = on_event;
	r = run(&c, argc - optind, argv + optind);
	probe_close(&c);
	return r;
}
