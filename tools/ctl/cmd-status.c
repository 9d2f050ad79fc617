// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl status and readers. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctl.h"

static const char *str(const char *s)
{
	return s ? s : "";
}

static void print_caps(char **caps, bool json)
{
	if (json)
		putchar('[');
	for (size_t i = 0; caps && caps[i]; i++) {
		if (i)
			fputs(json ? ", " : ",", stdout);
		if (json)
			json_string(stdout, caps[i]);
		else
			fputs(caps[i], stdout);
	}
	if (json)
		putchar(']');
}

static void print_reader_json(const struct ctl_reader *r)
{
	fputs("{\"path\": ", stdout);
	json_string(stdout, r->path);
	fputs(", \"serial\": ", stdout);
	json_string(stdout, str(r->serial));
	fputs(", \"name\": ", stdout);
	json_string(stdout, str(r->name));
	fputs(", \"firmware\": ", stdout);
	json_string(stdout, str(r->firmware));
	fputs(", \"transport\": ", stdout);
	json_string(stdout, str(r->transport));
	fputs(", \"capabilities\": ", stdout);
	print_caps(r->caps, true);
	fputs(", \"claimed_by\": ", stdout);
	json_string(stdout, str(r->claimed_by));
	printf(", \"card_present\": %s}", r->card_present ? "true" : "false");
}

static void print_reader_text(const struct ctl_reader *r)
{
	printf("%s\n", str(r->serial));
	printf("  path:         %s\n", r->path);
	printf("  name:         %s\n", str(r->name));
	printf("  firmware:     %s\n", str(r->firmware));
	printf("  transport:    %s\n", str(r->transport));
	printf("  capabilities: ");
	print_caps(r->caps, false);
	printf("\n  claimed by:   %s\n",
	       r->claimed_by && *r->claimed_by ? r->claimed_by : "(free)");
	printf("  card present: %s\n", r->card_present ? "yes" : "no");
}

int cmd_readers(struct ctl *c)
{
	struct ctl_reader *list = NULL;
	size_t n = 0;
	int ret;

	ret = ctl_readers_load(c->bus, &list, &n);
	if (ret < 0)
		return -ret;
	if (c->json) {
		putchar('[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs(", ", stdout);
			print_reader_json(&list[i]);
		}
		puts("]");
	} else if (n == 0) {
		puts("No readers.");
	} else {
		for (size_t i = 0; i < n; i++)
			print_reader_text(&list[i]);
	}
	ctl_readers_free(list, n);
	return CTL_EXIT_OK;
}

static void print_reason_json(const struct ctl_reason *r)
{
	fputs("{\"id\": ", stdout);
	json_string(stdout, r->id);
	fputs(", \"subject\": ", stdout);
	json_string(stdout, r->subject);
	fputs(", \"message\": ", stdout);
	json_string(stdout, r->message);
	fputs(", \"kind\": ", stdout);
	json_string(stdout, r->kind);
	fputs(", \"ways_out\": [", stdout);
	for (size_t i = 0; i < r->n_ways; i++) {
		if (i)
			fputs(", ", stdout);
		json_string(stdout, r->ways[i]);
	}
	putchar(']');
	if (r->timed)
		printf(", \"remaining_s\": %llu, \"until_us\": %lld",
		       (unsigned long long)((r->remaining_us + 999999) /
					    1000000),
		       (long long)r->until_us);
	putchar('}');
}

/* "why is it locked, what unlocks it, when", one block per reason. */
static void print_reason_text(const struct ctl_reason *r)
{
	char when[40], left[PRDURATION_MAX];

	printf("  %s%s%s: %s\n", r->id, r->subject[0] ? " " : "", r->subject,
	       r->message);
	printf("    ways out: ");
	for (size_t i = 0; i < r->n_ways; i++)
		printf("%s%s", i ? ", " : "", r->ways[i]);
	printf("%s\n", r->n_ways ? "" : "none over the bus");
	if (r->timed) {
		prduration_format(left, sizeof(left), r->remaining_us);
		printf("    unlocks in %s (at %s)\n", left,
		       ctl_wall_time(r->until_us, when, sizeof(when)));
	}
}

static void print_status_json(const struct ctl_terminal *t,
			      const struct ctl_reader *list, size_t n)
{
	fputs("{\"lock_state\": ", stdout);
	json_string(stdout, t->state);
	printf(", \"operator_pin_retries\": %u, \"locked_until_us\": %lld",
	       t->retries, (long long)t->locked_until_us);
	fputs(", \"lock_reasons\": [", stdout);
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			fputs(", ", stdout);
		print_reason_json(&t->reasons[i]);
	}
	fputs("], \"readers\": [", stdout);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", stdout);
		print_reader_json(&list[i]);
	}
	puts("]}");
}

static void print_status_text(const struct ctl_terminal *t,
			      const struct ctl_reader *list, size_t n)
{
	char when[40];

	printf("Terminal: %s", t->state);
	for (size_t i = 0; i < t->n; i++)
		printf("%s%s", i ? "," : " (", t->reasons[i].id);
	printf("%s\n", t->n ? ")" : "");
	for (size_t i = 0; i < t->n; i++)
		print_reason_text(&t->reasons[i]);
	if (t->locked_until_us)
		printf("Locked until: %s\n",
		       ctl_wall_time(t->locked_until_us, when, sizeof(when)));
	printf("Operator PIN retries: %u\n", t->retries);
	printf("Readers:  %zu\n", n);
	for (size_t i = 0; i < n; i++)
		printf("  %-16s %-8s %-24s %s%s\n", str(list[i].serial),
		       str(list[i].transport), str(list[i].name),
		       list[i].card_present ? "card present" : "no card",
		       list[i].claimed_by && *list[i].claimed_by ? ", claimed" :
								   "");
}

int cmd_status(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct ctl_reader *list = NULL;
	struct ctl_terminal t;
	size_t n = 0;
	int ret;

	ret = ctl_terminal_load(c->bus, &t, &error);
	if (ret < 0) {
		ret = ctl_error("cannot read the terminal state", &error, ret);
		sd_bus_error_free(&error);
		return ret;
	}
	ret = ctl_readers_load(c->bus, &list, &n);
	if (ret < 0) {
		ctl_terminal_done(&t);
		return -ret;
	}
	if (c->json)
		print_status_json(&t, list, n);
	else
		print_status_text(&t, list, n);
	ctl_readers_free(list, n);
	ctl_terminal_done(&t);
	return CTL_EXIT_OK;
}
