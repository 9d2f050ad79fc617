// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulator's text control commands. A rejected command changes
 * nothing: values are parsed into temporaries before they are applied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pn532-control.h"

#define MAX_WORDS 5

static size_t split(char *line, char **words)
{
	size_t n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t\r\n", &save); w && n < MAX_WORDS;
	     w = strtok_r(NULL, " \t\r\n", &save))
		words[n++] = w;
	/* More words than any command takes is an error, not a truncation. */
	if (w)
		return MAX_WORDS + 1;
	return n;
}

static void hex_string(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

static int status_line(struct pn532_control *ctl, char *reply, size_t cap)
{
	const struct pn532_card *c = ctl->card;
	char uid[2 * PN532_CARD_UID_MAX + 1], ats[2 * PN532_CARD_ATS_MAX + 1];

	hex_string(c->uid, c->uid_len, uid);
	hex_string(c->ats, c->ats_len, ats);
	snprintf(reply, cap,
		 "ok tag %s uid %s atqa %02x%02x sak %02x ats %s "
		 "remove-after %d misbehave %s\n",
		 c->present ? "present" : "absent", uid, c->atqa[0], c->atqa[1],
		 c->sak, c->ats_len ? ats : "none", c->remove_after,
		 pn532_fault_name(ctl->fault->mode));
	return 0;
}

static int error(char *reply, size_t cap, const char *msg)
{
	snprintf(reply, cap, "error: %s\n", msg);
	return -EINVAL;
}

/* Apply a card setter to a copy, so a bad value leaves the card as it was. */
static int set_identity(struct pn532_control *ctl,
			int (*set)(struct pn532_card *, const char *),
			const char *value, char *reply, size_t cap,
			const char *what)
{
	struct pn532_card copy = *ctl->card;

	/* The value is not echoed: the reply line must stay short. */
	if (set(&copy, value) < 0) {
		snprintf(reply, cap, "error: bad %s\n", what);
		return -EINVAL;
	}
	*ctl->card = copy;
	/* A new identity is a different card: it starts unselected. */
	pn532_card_set_present(ctl->card, ctl->card->present);
	ctl->card_changed = true;
	snprintf(reply, cap, "ok\n");
	return 0;
}

static int misbehave(struct pn532_control *ctl, char **words, size_t n,
		     char *reply, size_t cap)
{
	struct pn532_fault f;
	char spec[64] = "";
	size_t i;

	for (i = 1; i < n; i++) {
		if (strlen(spec) + strlen(words[i]) + 2 > sizeof(spec))
			return error(reply, cap, "misbehave spec too long");
		if (i > 1)
			strcat(spec, ":");
		strcat(spec, words[i]);
	}
	if (pn532_fault_parse(spec, &f) < 0)
		return error(reply, cap,
			     "usage: misbehave MODE [CMD [COUNT]] | off");
	*ctl->fault = f;
	snprintf(reply, cap, "ok\n");
	return 0;
}

int pn532_control_run(struct pn532_control *ctl, char *line, char *reply,
		      size_t cap)
{
	char *w[MAX_WORDS + 1];
	size_t n = split(line, w);
	unsigned long v;
	char *end;

	if (n == 0)
		return error(reply, cap, "empty command");
	if (n > MAX_WORDS)
		return error(reply, cap, "too many words");

	if (strcmp(w[0], "tag") == 0 && n == 2) {
		if (strcmp(w[1], "present") && strcmp(w[1], "absent"))
			return error(reply, cap, "usage: tag present|absent");
		pn532_card_set_present(ctl->card, strcmp(w[1], "present") == 0);
		ctl->card_changed = true;
		snprintf(reply, cap, "ok\n");
		return 0;
	}
	if (strcmp(w[0], "uid") == 0 && n == 2)
		return set_identity(ctl, pn532_card_set_uid, w[1], reply, cap,
				    "uid (4, 7 or 10 hex bytes)");
	if (strcmp(w[0], "atqa") == 0 && n == 2)
		return set_identity(ctl, pn532_card_set_atqa, w[1], reply, cap,
				    "atqa (2 hex bytes)");
	if (strcmp(w[0], "sak") == 0 && n == 2)
		return set_identity(ctl, pn532_card_set_sak, w[1], reply, cap,
				    "sak (1 hex byte)");
	if (strcmp(w[0], "ats") == 0 && n == 2)
		return set_identity(ctl, pn532_card_set_ats, w[1], reply, cap,
				    "ats (hex bytes or none)");
	if (strcmp(w[0], "remove-after") == 0 && n == 2) {
		if (strcmp(w[1], "off") == 0) {
			ctl->card->remove_after = -1;
		} else {
			errno = 0;
			v = strtoul(w[1], &end, 10);
			if (errno || *end || w[1][0] == '-' || v > 1000000)
				return error(reply, cap,
					     "usage: remove-after N|off");
			ctl->card->remove_after = (int)v;
			ctl->card->exchanges = 0;
		}
		snprintf(reply, cap, "ok\n");
		return 0;
	}
	if (strcmp(w[0], "misbehave") == 0 && n >= 2)
		return misbehave(ctl, w, n, reply, cap);
	if (strcmp(w[0], "status") == 0 && n == 1)
		return status_line(ctl, reply, cap);
	if (strcmp(w[0], "quit") == 0 && n == 1) {
		ctl->quit = true;
		snprintf(reply, cap, "ok\n");
		return 0;
	}
	return error(reply, cap, "unknown command (see --help)");
}
