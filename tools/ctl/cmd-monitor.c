// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl monitor: print the daemon's signals as they come. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* The reader id (the last path element, decoded) or the path itself. */
static char *reader_label(const char *path)
{
	char *id = NULL;

	if (sd_bus_path_decode(path, "/org/posreader1/reader", &id) > 0)
		return id;
	return strdup(path);
}

static void stamp(bool json)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	if (json)
		printf("\"time\": \"%02d:%02d:%02d.%03ld\", ", tm.tm_hour,
		       tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	else
		printf("%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min,
		       tm.tm_sec, ts.tv_nsec / 1000000);
}

/* PropertiesChanged: print the changed properties' values. */
static int print_changed(sd_bus_message *m, bool json)
{
	const char *iface;
	int ret;

	ret = sd_bus_message_read(m, "s", &iface);
	if (ret < 0)
		return ret;
	if (json) {
		fputs(", \"interface\": ", stdout);
		json_string(stdout, iface);
		fputs(", \"changed\": ", stdout);
	}
	return print_card_dict(m, json, " ");
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct ctl *c = userdata;
	const char *member = sd_bus_message_get_member(m);
	const char *path = sd_bus_message_get_path(m);
	const void *atr;
	const char *obj;
	char *label = NULL;
	size_t n;
	int ret = 0;

	if (strcmp(member, "InterfacesAdded") == 0 ||
	    strcmp(member, "InterfacesRemoved") == 0) {
		if (sd_bus_message_read(m, "o", &obj) < 0)
			return 0;
		label = reader_label(obj);
	} else {
		label = reader_label(path);
	}

	if (c->json) {
		putchar('{');
		stamp(true);
		fputs("\"event\": ", stdout);
		json_string(stdout, member);
		fputs(", \"reader\": ", stdout);
		json_string(stdout, label ? label : "");
	} else {
		stamp(false);
		printf("%-12s %s", label ? label : "", member);
	}

	if (strcmp(member, "CardSwiped") == 0 ||
	    strcmp(member, "TagDetected") == 0) {
		fputs(c->json ? ", \"card\": " : "\n", stdout);
		ret = print_card_dict(m, c->json, "    ");
	} else if (strcmp(member, "CardInserted") == 0) {
		if (sd_bus_message_read_array(m, 'y', &atr, &n) >= 0) {
			fputs(c->json ? ", \"atr\": \"" : " atr ", stdout);
			hex_bytes(stdout, atr, n);
			if (c->json)
				putchar('"');
		}
	} else if (strcmp(member, "PropertiesChanged") == 0) {
		if (!c->json)
			putchar('\n');
		ret = print_changed(m, c->json);
	}
	if (c->json)
		puts("}");
	else if (ret >= 0 && strcmp(member, "CardSwiped") != 0 &&
		 strcmp(member, "TagDetected") != 0 &&
		 strcmp(member, "PropertiesChanged") != 0)
		putchar('\n');
	fflush(stdout);
	free(label);
	return 0;
}

int cmd_monitor(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	uint64_t end = 0, now;
	struct timespec ts;
	int ret;

	ret = sd_bus_add_match(c->bus, NULL,
			       "type='signal',sender='" CTL_BUS_NAME "'",
			       on_signal, c);
	if (ret < 0)
		return ctl_error("cannot subscribe", NULL, ret);
	/* Fail early and clearly if the daemon is not there. */
	ret = sd_bus_call_method(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
				 "org.freedesktop.DBus.Peer", "Ping", &error,
				 NULL, "");
	if (ret < 0) {
		ret = ctl_error("posreaderd does not answer", &error, ret);
		sd_bus_error_free(&error);
		return ret;
	}
	if (!c->json)
		fprintf(stderr, "Monitoring posreaderd; Ctrl-C stops.\n");
	if (c->timeout_ms) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		end = ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000 +
		      c->timeout_ms * 1000ULL;
	}
	for (;;) {
		ret = sd_bus_process(c->bus, NULL);
		if (ret < 0)
			return ctl_error("lost the bus", NULL, ret);
		if (ret > 0)
			continue;
		if (end) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
			if (now >= end)
				return CTL_EXIT_OK;
			ret = sd_bus_wait(c->bus, end - now);
		} else {
			ret = sd_bus_wait(c->bus, UINT64_MAX);
		}
		if (ret < 0)
			return ctl_error("lost the bus", NULL, ret);
	}
}
