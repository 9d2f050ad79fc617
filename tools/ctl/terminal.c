// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl: read org.posreader1.Terminal's state and lock reasons. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus-util.h"
#include "ctl.h"

static int read_ways(sd_bus_message *m, struct ctl_reason *r)
{
	const char *s;
	size_t n = 0;
	int ret;

	ret = sd_bus_message_enter_container(m, 'a', "s");
	while (ret >= 0 && (ret = sd_bus_message_read(m, "s", &s)) > 0) {
		if (n < CTL_WAYS_MAX)
			snprintf(r->ways[n++], sizeof(r->ways[0]), "%s", s);
	}
	r->n_ways = n;
	if (ret < 0)
		return ret;
	return sd_bus_message_exit_container(m);
}

/* One entry of a reason's details (a bus_dict_entry_t). */
static int read_detail(sd_bus_message *m, const char *key, void *userdata,
		       sd_bus_error *error)
{
	struct ctl_reason *r = userdata;
	const char *contents, *s;
	char type;
	int ret;

	ret = sd_bus_message_peek_type(m, &type, &contents);
	if (ret < 0)
		return ret;
	if (strcmp(key, "kind") == 0 && strcmp(contents, "s") == 0) {
		ret = sd_bus_message_read(m, "v", "s", &s);
		if (ret >= 0)
			snprintf(r->kind, sizeof(r->kind), "%s", s);
		return ret;
	}
	if (strcmp(key, "remaining_us") == 0 && strcmp(contents, "t") == 0) {
		r->timed = true;
		return sd_bus_message_read(m, "v", "t", &r->remaining_us);
	}
	if (strcmp(key, "until") == 0 && strcmp(contents, "x") == 0)
		return sd_bus_message_read(m, "v", "x", &r->until_us);
	if (strcmp(key, "since") == 0 && strcmp(contents, "x") == 0)
		return sd_bus_message_read(m, "v", "x", &r->since_us);
	return sd_bus_message_skip(m, "v");
}

static int read_reason(sd_bus_message *m, struct ctl_reason *r)
{
	const char *id, *subject, *message;
	int ret;

	ret = sd_bus_message_read(m, "sss", &id, &subject, &message);
	if (ret < 0)
		return ret;
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->subject, sizeof(r->subject), "%s", subject);
	snprintf(r->message, sizeof(r->message), "%s", message);
	ret = read_ways(m, r);
	if (ret >= 0)
		ret = bus_read_dict(m, read_detail, r, NULL);
	return ret;
}

int ctl_terminal_load(sd_bus *bus, struct ctl_terminal *t, sd_bus_error *error)
{
	sd_bus_message *reply = NULL;
	struct ctl_reason *nv;
	char *state = NULL;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = sd_bus_get_property_string(bus, CTL_BUS_NAME, CTL_ROOT_PATH,
					 CTL_TERMINAL_IFACE, "LockState", error,
					 &state);
	if (ret < 0)
		return ret;
	snprintf(t->state, sizeof(t->state), "%s", state);
	free(state);
	ret = sd_bus_get_property_trivial(
		bus, CTL_BUS_NAME, CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
		"OperatorPinRetries", error, 'u', &t->retries);
	if (ret >= 0)
		ret = sd_bus_get_property_trivial(
			bus, CTL_BUS_NAME, CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
			"LockedUntil", error, 'x', &t->locked_until_us);
	if (ret >= 0)
		ret = sd_bus_get_property(bus, CTL_BUS_NAME, CTL_ROOT_PATH,
					  CTL_TERMINAL_IFACE, "LockReasons",
					  error, &reply, "a(sssasa{sv})");
	if (ret >= 0)
		ret = sd_bus_message_enter_container(reply, 'a',
						     "(sssasa{sv})");
	while (ret >= 0 && (ret = sd_bus_message_enter_container(
				    reply, 'r', "sssasa{sv}")) > 0) {
		nv = realloc(t->reasons, (t->n + 1) * sizeof(*nv));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		t->reasons = nv;
		memset(&t->reasons[t->n], 0, sizeof(*nv));
		ret = read_reason(reply, &t->reasons[t->n]);
		if (ret >= 0)
			t->n++;
		if (ret >= 0)
			ret = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (ret < 0)
		ctl_terminal_done(t);
	return ret < 0 ? ret : 0;
}

void ctl_terminal_done(struct ctl_terminal *t)
{
	free(t->reasons);
	t->reasons = NULL;
	t->n = 0;
}

const char *ctl_wall_time(int64_t us, char *buf, size_t cap)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	if (us <= 0 || !gmtime_r(&s, &tm) ||
	    strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, cap, "-");
	return buf;
}
