// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control commands. Replies never echo arguments back: a swipe's tracks
 * and a PIN are card data and must not reach a log through a reply.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "auth.h"
#include "control.h"
#include "stripe.h"
#include "testcard.h"

#define MAX_WORDS 32

const char sim_control_help[] =
	"  swipe [track1=T] [track2=T] [track3=T] [raw] [error=N]...\n"
	"                      swipe a card; no track given: the test card\n"
	"  icc insert [atr=HEX] | icc remove\n"
	"  nfc tap [uid=HEX] [ats=HEX] | nfc remove\n"
	"  tamper [cause=case-open|mesh|voltage|temperature|firmware]\n"
	"  tamper clear        re-arm the reader\n"
	"  latency MS          delay every response (0: off)\n"
	"  latency-once MS     delay the next response only\n"
	"  misbehave MODE [count=N] [only=CMD] | misbehave off\n"
	"      MODE: bad-crc wrong-seq wrong-type unknown-type truncated\n"
	"            oversize lying-length garbage silence flood\n"
	"            reserved-bits\n"
	"      CMD: get-info get-status icc-power-on icc-power-off apdu\n"
	"           nfc-poll nfc-release auth set-indicators\n"
	"  disconnect          drop the host connection\n"
	"  pin-tries N         set the IC card's remaining PIN tries\n"
	"  pin DIGITS          set the IC card's PIN (default 1234)\n"
	"  status              show the reader's state (no card data)\n"
	"  help                this list\n"
	"  quit                stop the simulator\n";

static const struct {
	const char *name;
	u8 bit;
} tamper_causes[] = {
	{ "case-open", PRW_TAMPER_CASE_OPEN },
	{ "mesh", PRW_TAMPER_MESH },
	{ "voltage", PRW_TAMPER_VOLTAGE },
	{ "temperature", PRW_TAMPER_TEMPERATURE },
	{ "firmware", PRW_TAMPER_FIRMWARE },
};

int sim_control_split(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		bool quoted = false;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		if (argc == max)
			return -EINVAL;
		argv[argc++] = w;
		while (*r && (quoted || (*r != ' ' && *r != '\t'))) {
			if (*r == '"') {
				quoted = !quoted;
				r++;
			} else if (*r == '\\' && r[1]) {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (quoted)
			return -EINVAL;
		/* w never passes r, so this cannot clobber unread input. */
		if (*r)
			r++;
		*w++ = '\0';
	}
	return argc;
}

int sim_control_quote(const char *word, char *out, size_t cap)
{
	size_t len = strlen(out);
	bool plain = *word != '\0';
	const char *p;

	for (p = word; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '"' || *p == '\\')
			plain = false;
	if (len && len + 1 < cap)
		out[len++] = ' ';
	if (!plain && len + 1 < cap)
		out[len++] = '"';
	for (p = word; *p && len + 2 < cap; p++) {
		if (*p == '"' || *p == '\\')
			out[len++] = '\\';
		out[len++] = *p;
	}
	if (*p || (!plain && len + 2 > cap))
		return -ENOSPC;
	if (!plain)
		out[len++] = '"';
	out[len] = '\0';
	return 0;
}

static int reply_ok(char *reply, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int reply_ok(char *reply, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(reply, cap, "ok");
	if (fmt && n > 0 && (size_t)n < cap) {
		reply[n++] = ' ';
		reply[n] = '\0';
		va_start(ap, fmt);
		vsnprintf(reply + n, cap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int reply_err(char *reply, size_t cap, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int reply_err(char *reply, size_t cap, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(reply, cap, "error ");
	if (n > 0 && (size_t)n < cap) {
		va_start(ap, fmt);
		vsnprintf(reply + n, cap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return err < 0 ? err : -EINVAL;
}

/* Parse a decimal in [0, max]; -EINVAL otherwise. */
static int parse_uint(const char *s, unsigned long max, unsigned int *ret)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = (unsigned int)v;
	return 0;
}

/* The value of "key=value" if word starts with key=, else NULL. */
static const char *arg_value(const char *word, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(word, key, n) || word[n] != '=')
		return NULL;
	return word + n + 1;
}

static const char *swipe_error_text(int r)
{
	switch (r) {
	case -E2BIG:
		return "too long for the track";
	case -EINVAL:
	case -ENOSPC:
		return "character not allowed on this track";
	default:
		return strerror(-r);
	}
}

static int cmd_swipe(struct sim_device *dev, int argc, char **argv, char *reply,
		     size_t cap)
{
	const char *tracks[3] = { NULL, NULL, NULL };
	static const char *const keys[3] = { "track1", "track2", "track3" };
	unsigned int errors = 0, n;
	bool raw = false, any = false;
	int i, t, r;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		for (t = 0; t < 3 && !v; t++) {
			v = arg_value(argv[i], keys[t]);
			if (v) {
				tracks[t] = v;
				any = true;
			}
		}
		if (v)
			continue;
		if (!strcmp(argv[i], "raw")) {
			raw = true;
		} else if ((v = arg_value(argv[i], "error"))) {
			if (parse_uint(v, 3, &n) < 0 || !n)
				return reply_err(reply, cap, -EINVAL,
						 "swipe: error=N takes a track "
						 "number 1..3");
			errors |= 1u << (n - 1);
		} else {
			/* Do not echo the word: it may hold track data. */
			return reply_err(reply, cap, -EINVAL,
					 "swipe: unknown argument %d", i);
		}
	}
	if (!any) {
		tracks[0] = TESTCARD_TRACK1;
		tracks[1] = TESTCARD_TRACK2;
	}
	r = sim_device_swipe(dev, tracks, errors, raw);
	if (r == -EOPNOTSUPP)
		return reply_err(reply, cap, r, "swipe: no magstripe reader");
	if (r == -EPERM)
		return reply_err(reply, cap, r, "swipe: reader is tampered");
	if (r < 0) {
		for (t = 0; t < 3; t++) {
			char scratch[PRW_TRACK_MAX + 1];
			size_t len;
			int tr;

			if (!tracks[t] || (errors & (1u << t)))
				continue;
			tr = stripe_normalize(t + 1, tracks[t], scratch,
					      sizeof(scratch), &len);
			secure_zero(scratch, sizeof(scratch));
			if (tr < 0)
				return reply_err(reply, cap, r,
						 "swipe: track%d: %s", t + 1,
						 swipe_error_text(tr));
		}
		return reply_err(reply, cap, r, "swipe: %s", strerror(-r));
	}
	return reply_ok(reply, cap, NULL);
}

static int hex_arg(const char *v, u8 *out, size_t cap, size_t *ret_len)
{
	int n = sim_hex_parse(v, out, cap);

	if (n <= 0)
		return -EINVAL;
	*ret_len = (size_t)n;
	return 0;
}

static int cmd_icc(struct sim_device *dev, int argc, char **argv, char *reply,
		   size_t cap)
{
	u8 atr[PRW_ATR_MAX];
	size_t atr_len = 0;
	bool have_atr = false;
	const char *v;
	int i, r;

	if (argc >= 2 && !strcmp(argv[1], "remove")) {
		if (argc != 2)
			return reply_err(reply, cap, -EINVAL,
					 "usage: icc remove");
		r = sim_device_icc_remove(dev);
		if (r == -ENOENT)
			return reply_err(reply, cap, r, "icc: slot is empty");
		return r < 0 ? reply_err(reply, cap, r, "icc: %s",
					 strerror(-r)) :
			       reply_ok(reply, cap, NULL);
	}
	if (argc < 2 || strcmp(argv[1], "insert"))
		return reply_err(reply, cap, -EINVAL,
				 "usage: icc insert [atr=HEX] | icc remove");
	for (i = 2; i < argc; i++) {
		v = arg_value(argv[i], "atr");
		if (!v || hex_arg(v, atr, sizeof(atr), &atr_len) < 0 ||
		    atr_len < PRW_ATR_MIN)
			return reply_err(reply, cap, -EINVAL,
					 "icc: atr= takes 2..33 bytes of hex");
		have_atr = true;
	}
	r = sim_device_icc_insert(dev, have_atr ? atr : NULL, atr_len);
	switch (r) {
	case 0:
		return reply_ok(reply, cap, NULL);
	case -EBUSY:
		return reply_err(reply, cap, r, "icc: a card is inserted");
	case -EOPNOTSUPP:
		return reply_err(reply, cap, r, "icc: no contact slot");
	case -EINVAL:
		return reply_err(reply, cap, r,
				 "icc: ATR must start with 3B or 3F");
	default:
		return reply_err(reply, cap, r, "icc: %s", strerror(-r));
	}
}

static int cmd_nfc(struct sim_device *dev, int argc, char **argv, char *reply,
		   size_t cap)
{
	u8 uid[PRW_UID_MAX], ats[PRW_ATS_MAX];
	size_t uid_len = 0, ats_len = 0;
	bool have_uid = false, have_ats = false;
	const char *v;
	int i, r;

	if (argc >= 2 && !strcmp(argv[1], "remove")) {
		if (argc != 2)
			return reply_err(reply, cap, -EINVAL,
					 "usage: nfc remove");
		r = sim_device_nfc_remove(dev);
		if (r == -ENOENT)
			return reply_err(reply, cap, r,
					 "nfc: no card in the field");
		return r < 0 ? reply_err(reply, cap, r, "nfc: %s",
					 strerror(-r)) :
			       reply_ok(reply, cap, NULL);
	}
	if (argc < 2 || strcmp(argv[1], "tap"))
		return reply_err(reply, cap, -EINVAL,
				 "usage: nfc tap [uid=HEX] [ats=HEX] | "
				 "nfc remove");
	for (i = 2; i < argc; i++) {
		if ((v = arg_value(argv[i], "uid"))) {
			if (hex_arg(v, uid, sizeof(uid), &uid_len) < 0)
				return reply_err(reply, cap, -EINVAL,
						 "nfc: uid= takes 4, 7 or 10 "
						 "bytes of hex");
			have_uid = true;
		} else if ((v = arg_value(argv[i], "ats"))) {
			if (hex_arg(v, ats, sizeof(ats), &ats_len) < 0)
				return reply_err(reply, cap, -EINVAL,
						 "nfc: ats= takes 1..32 bytes "
						 "of hex");
			have_ats = true;
		} else {
			return reply_err(reply, cap, -EINVAL,
					 "nfc: unknown argument '%s'", argv[i]);
		}
	}
	r = sim_device_nfc_tap(dev, have_uid ? uid : NULL, uid_len,
			       have_ats ? ats : NULL, ats_len);
	switch (r) {
	case 0:
		return reply_ok(reply, cap, NULL);
	case -EBUSY:
		return reply_err(reply, cap, r,
				 "nfc: a card is already in the field");
	case -EOPNOTSUPP:
		return reply_err(reply, cap, r, "nfc: no contactless reader");
	case -EINVAL:
		return reply_err(reply, cap, r,
				 "nfc: uid must be 4, 7 or 10 bytes");
	default:
		return reply_err(reply, cap, r, "nfc: %s", strerror(-r));
	}
}

static int cmd_tamper(struct sim_device *dev, int argc, char **argv,
		      char *reply, size_t cap)
{
	u8 cause = 0;
	const char *v;
	size_t i;
	int a;

	if (argc == 2 && !strcmp(argv[1], "clear")) {
		sim_device_tamper(dev, 0);
		return reply_ok(reply, cap, NULL);
	}
	for (a = 1; a < argc; a++) {
		v = arg_value(argv[a], "cause");
		for (i = 0; v && i < ELEMENTSOF(tamper_causes); i++)
			if (!strcmp(v, tamper_causes[i].name))
				cause |= tamper_causes[i].bit;
		if (!v || !cause)
			return reply_err(reply, cap, -EINVAL,
					 "usage: tamper [cause=case-open|mesh|"
					 "voltage|temperature|firmware] | "
					 "tamper clear");
	}
	if (!cause)
		cause = PRW_TAMPER_CASE_OPEN;
	sim_device_tamper(dev, cause);
	return reply_ok(reply, cap, NULL);
}

static int cmd_latency(struct sim_device *dev, int argc, char **argv,
		       char *reply, size_t cap, bool once)
{
	unsigned int ms;

	if (argc != 2 || parse_uint(argv[1], 600000, &ms) < 0)
		return reply_err(reply, cap, -EINVAL,
				 "usage: %s MS (0..600000)", argv[0]);
	if (once)
		sim_device_set_latency_once(dev, ms);
	else
		sim_device_set_latency(dev, ms);
	return reply_ok(reply, cap, NULL);
}

/* The commands "misbehave ... only=CMD" can single out. */
static const struct {
	const char *name;
	u8 type;
} command_names[] = {
	{ "get-info", PRW_CMD_GET_INFO },
	{ "get-status", PRW_CMD_GET_STATUS },
	{ "icc-power-on", PRW_CMD_ICC_POWER_ON },
	{ "icc-power-off", PRW_CMD_ICC_POWER_OFF },
	{ "apdu", PRW_CMD_APDU },
	{ "nfc-poll", PRW_CMD_NFC_POLL },
	{ "nfc-release", PRW_CMD_NFC_RELEASE },
	{ "auth", PRW_CMD_AUTH },
	{ "set-indicators", PRW_CMD_SET_INDICATORS },
};

/* The control name of command type, "all" for 0. */
static const char *command_name(u8 type)
{
	for (size_t i = 0; i < ELEMENTSOF(command_names); i++)
		if (command_names[i].type == type)
			return command_names[i].name;
	return "all";
}

static int cmd_misbehave(struct sim_device *dev, int argc, char **argv,
			 char *reply, size_t cap)
{
	enum sim_misbehave mode;
	unsigned int count;
	u8 only = 0;
	const char *v;
	int r;

	if (argc < 2 || argc > 4 || sim_misbehave_from_name(argv[1], &mode) < 0)
		return reply_err(reply, cap, -EINVAL,
				 "usage: misbehave MODE [count=N] [only=CMD] | "
				 "misbehave off (see help for modes)");
	count = mode == SIM_MB_FLOOD ? 16 : 1;
	for (int i = 2; i < argc; i++) {
		if ((v = arg_value(argv[i], "count"))) {
			if (parse_uint(v, 100000, &count) < 0 || !count)
				return reply_err(reply, cap, -EINVAL,
						 "misbehave: count= takes a "
						 "number from 1");
		} else if ((v = arg_value(argv[i], "only"))) {
			for (size_t k = 0; k < ELEMENTSOF(command_names); k++)
				if (!strcmp(v, command_names[k].name))
					only = command_names[k].type;
			if (!only)
				return reply_err(reply, cap, -EINVAL,
						 "misbehave: only= takes a "
						 "command name (see help)");
		} else {
			return reply_err(reply, cap, -EINVAL,
					 "usage: misbehave MODE [count=N] "
					 "[only=CMD]");
		}
	}
	r = sim_device_misbehave_on(dev, mode, count, only);
	if (r < 0)
		return reply_err(reply, cap, r,
				 "misbehave: count out of range (flood: "
				 "at most %d)",
				 SIM_FLOOD_MAX);
	return reply_ok(reply, cap, NULL);
}

static int cmd_pin_tries(struct sim_device *dev, int argc, char **argv,
			 char *reply, size_t cap)
{
	unsigned int n;

	if (argc != 2 || parse_uint(argv[1], 15, &n) < 0)
		return reply_err(reply, cap, -EINVAL,
				 "usage: pin-tries N (0..15)");
	sim_device_set_pin_tries(dev, n);
	return reply_ok(reply, cap, NULL);
}

static int cmd_pin(struct sim_device *dev, int argc, char **argv, char *reply,
		   size_t cap)
{
	if (argc != 2 || sim_device_set_pin(dev, argv[1]) < 0)
		return reply_err(reply, cap, -EINVAL,
				 "usage: pin DIGITS (4..12 digits)");
	return reply_ok(reply, cap, NULL);
}

static void tamper_names(u8 bits, char *out, size_t cap)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < ELEMENTSOF(tamper_causes); i++) {
		if (!(bits & tamper_causes[i].bit))
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%s%s",
					len ? "," : "", tamper_causes[i].name);
		if (len >= cap)
			return;
	}
	if (!len)
		snprintf(out, cap, "none");
}

static int cmd_status(struct sim_device *dev, const struct sim_host_ops *host,
		      char *reply, size_t cap)
{
	struct sim_state st;
	char tamper[80];

	sim_device_get_state(dev, &st);
	tamper_names(st.tamper, tamper, sizeof(tamper));
	return reply_ok(
		reply, cap,
		"host=%s icc=%s nfc=%s tamper=%s leds=0x%02x latency=%u "
		"latency-once=%u misbehave=%s count=%u pin-tries=%u "
		"pending=%s next-event-seq=%u events-lost=%u frames-in=%lu "
		"frames-bad=%lu misbehave-only=%s",
		host && host->connected(host->userdata) ? "connected" : "none",
		!st.icc_present ? "absent" :
		st.icc_powered	? "powered" :
				  "present",
		st.nfc_present ? "present" : "absent", tamper, st.leds,
		st.latency_ms, st.latency_once_ms,
		sim_misbehave_name(st.misbehave), st.misbehave_count,
		st.pin_tries, st.pending ? "yes" : "no", st.event_seq,
		st.events_lost, st.frames_in, st.frames_bad,
		command_name(st.misbehave_cmd));
}

static int exec_words(struct sim_device *dev, const struct sim_host_ops *host,
		      int argc, char **argv, char *reply, size_t cap)
{
	const char *cmd = argv[0];
	int r;

	if (!strcmp(cmd, "swipe"))
		return cmd_swipe(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "icc"))
		return cmd_icc(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "nfc"))
		return cmd_nfc(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "tamper"))
		return cmd_tamper(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "latency"))
		return cmd_latency(dev, argc, argv, reply, cap, false);
	if (!strcmp(cmd, "latency-once"))
		return cmd_latency(dev, argc, argv, reply, cap, true);
	if (!strcmp(cmd, "misbehave"))
		return cmd_misbehave(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "pin-tries"))
		return cmd_pin_tries(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "pin"))
		return cmd_pin(dev, argc, argv, reply, cap);
	if (!strcmp(cmd, "status") && argc == 1)
		return cmd_status(dev, host, reply, cap);
	if (!strcmp(cmd, "help") && argc == 1)
		return reply_ok(reply, cap,
				"commands: swipe icc nfc tamper latency "
				"latency-once misbehave disconnect pin-tries "
				"pin status help quit");
	if (!strcmp(cmd, "disconnect") && argc == 1) {
		r = host ? host->disconnect(host->userdata) : -ENOTCONN;
		if (r == -ENOTCONN)
			return reply_err(reply, cap, r, "no host connected");
		if (r < 0)
			return reply_err(reply, cap, r, "disconnect: %s",
					 strerror(-r));
		return reply_ok(reply, cap, NULL);
	}
	if (!strcmp(cmd, "quit") && argc == 1) {
		if (host)
			host->quit(host->userdata);
		return reply_ok(reply, cap, NULL);
	}
	/* Command names are ours, not card data: safe to quote. */
	if (strlen(cmd) > 32)
		return reply_err(reply, cap, -EINVAL, "unknown command");
	return reply_err(reply, cap, -EINVAL,
			 "unknown command '%s' or wrong arguments (try help)",
			 cmd);
}

int sim_control_exec(struct sim_device *dev, const struct sim_host_ops *host,
		     const char *line, char *reply, size_t cap)
{
	char *argv[MAX_WORDS];
	char *copy;
	int argc, r;

	if (strlen(line) > SIM_CTL_LINE_MAX)
		return reply_err(reply, cap, -E2BIG, "line too long");
	copy = strdup(line);
	if (!copy)
		return reply_err(reply, cap, -ENOMEM, "out of memory");
	argc = sim_control_split(copy, argv, MAX_WORDS);
	if (argc < 0)
		r = reply_err(reply, cap, argc,
			      "unbalanced quote or too many words");
	else if (argc == 0)
		r = reply_err(reply, cap, -EINVAL, "empty command");
	else
		r = exec_words(dev, host, argc, argv, reply, cap);
	secure_zero(copy, strlen(line));
	free(copy);
	return r;
}
