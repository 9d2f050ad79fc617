// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl status and readers. */
#include <stdlib.h>
#include <string.h>

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

int cmd_status(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct ctl_reader *list = NULL;
	char *state = NULL, **reasons = NULL;
	size_t n = 0;
	int ret;

	ret = sd_bus_get_property_string(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
					 CTL_TERMINAL_IFACE, "LockState",
					 &error, &state);
	if (ret >= 0)
		ret = sd_bus_get_property_strv(
			c->bus, CTL_BUS_NAME, CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
			"LockReasons", &error, &reasons);
	if (ret < 0) {
		ret = ctl_error("cannot read the terminal state", &error, ret);
		goto out;
	}
	ret = ctl_readers_load(c->bus, &list, &n);
	if (ret < 0) {
		ret = -ret;
		goto out;
	}
	if (c->json) {
		fputs("{\"lock_state\": ", stdout);
		json_string(stdout, state);
		fputs(", \"lock_reasons\": ", stdout);
		print_caps(reasons, true);
		fputs(", \"readers\": [", stdout);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs(", ", stdout);
			print_reader_json(&list[i]);
		}
		puts("]}");
	} else {
		printf("Terminal: %s", state);
		if (reasons && reasons[0]) {
			fputs(" (", stdout);
			print_caps(reasons, false);
			putchar(')');
		}
		printf("\nReaders:  %zu\n", n);
		for (size_t i = 0; i < n; i++)
			printf("  %-16s %-8s %-24s %s%s\n", str(list[i].serial),
			       str(list[i].transport), str(list[i].name),
			       list[i].card_present ? "card present" :
						      "no card",
			       list[i].claimed_by && *list[i].claimed_by ?
				       ", claimed" :
				       "");
	}
	ret = CTL_EXIT_OK;
out:
	ctl_readers_free(list, n);
	free(state);
	if (reasons)
		for (char **p = reasons; *p; p++)
			free(*p);
	free(reasons);
	sd_bus_error_free(&error);
	return ret;
}
