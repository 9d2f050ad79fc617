// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The harness helpers that fail the running cmocka test; kept apart from
 * harness.c so that programs without cmocka (posreader-bench) link it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

void wait_reader_serial(sd_bus *bus, const char *path)
{
	uint64_t end = now_ms() + scaled_ms(5000);
	char *s = NULL;

	while (reader_get_string(bus, path, "Serial", &s) < 0) {
		assert_true(now_ms() < end);
		bus_pump(bus, 20);
	}
	free(s);
}

void expect_bus_error(int ret, const char *name)
{
	assert_true(ret < 0);
	assert_string_equal(last_error_name(), name);
}

size_t read_ay(sd_bus_message *m, uint8_t *buf, size_t cap)
{
	const void *p;
	size_t n;

	assert_true(sd_bus_message_read_array(m, 'y', &p, &n) >= 0);
	assert_true(n <= cap);
	memcpy(buf, p, n);
	return n;
}

/* Read the a{sv} of a reason into r. */
static void read_reason_details(sd_bus_message *reply, struct lock_reason *r)
{
	const char *key;

	assert_true(sd_bus_message_enter_container(reply, 'a', "{sv}") >= 0);
	while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
		assert_true(sd_bus_message_read(reply, "s", &key) >= 0);
		if (strcmp(key, "remaining_us") == 0) {
			assert_true(sd_bus_message_read(reply, "v", "t",
							&r->remaining_us) >= 0);
			r->timed = true;
		} else if (strcmp(key, "until") == 0) {
			assert_true(sd_bus_message_read(reply, "v", "x",
							&r->until) >= 0);
		} else {
			assert_true(sd_bus_message_skip(reply, "v") >= 0);
		}
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	assert_true(sd_bus_message_exit_container(reply) >= 0);
}

bool find_reason(sd_bus *bus, const char *want, struct lock_reason *ret)
{
	return find_reason_of(bus, want, NULL, ret);
}

bool find_reason_of(sd_bus *bus, const char *want, const char *subject,
		    struct lock_reason *ret)
{
	sd_bus_message *reply = NULL;
	const char *id, *subj, *message, *s;
	bool found = false;

	assert_true(
		sd_bus_get_property(bus, "org.posreader1", "/org/posreader1",
				    "org.posreader1.Terminal", "LockReasons",
				    NULL, &reply, "a(sssasa{sv})") >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a',
						   "(sssasa{sv})") >= 0);
	while (sd_bus_message_enter_container(reply, 'r', "sssasa{sv}") > 0) {
		struct lock_reason r = { 0 };

		assert_true(sd_bus_message_read(reply, "sss", &id, &subj,
						&message) >= 0);
		snprintf(r.subject, sizeof(r.subject), "%s", subj);
		snprintf(r.message, sizeof(r.message), "%s", message);
		assert_true(sd_bus_message_enter_container(reply, 'a', "s") >=
			    0);
		while (sd_bus_message_read(reply, "s", &s) > 0) {
			strncat(r.ways, s, sizeof(r.ways) - strlen(r.ways) - 2);
			strcat(r.ways, ",");
		}
		assert_true(sd_bus_message_exit_container(reply) >= 0);
		read_reason_details(reply, &r);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
		if (!found && strcmp(id, want) == 0 &&
		    (!subject || strcmp(r.subject, subject) == 0)) {
			found = true;
			if (ret)
				*ret = r;
		}
	}
	sd_bus_message_unref(reply);
	return found;
}

const char *lock_state(sd_bus *bus)
{
	static char buf[32];
	char *s = NULL;

	assert_true(sd_bus_get_property_string(bus, "org.posreader1",
					       "/org/posreader1",
					       "org.posreader1.Terminal",
					       "LockState", NULL, &s) >= 0);
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

bool wait_state(sd_bus *bus, const char *want, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		if (strcmp(lock_state(bus), want) == 0)
			return true;
		bus_pump(bus, 50);
	}
	return false;
}

unsigned int audit_count(sd_bus *bus, const char *event, const char *caller,
			 const char *detail)
{
	sd_bus_message *audit = NULL;
	const char *ev, *who, *det;
	int64_t seq, wall;
	unsigned int n = 0;
	int ok;

	assert_int_equal(terminal_call(bus, 10, "GetAudit", &audit, "xu",
				       (int64_t)0, 1000),
			 0);
	assert_true(sd_bus_message_enter_container(audit, 'a', "(xxsssb)") >=
		    0);
	while (sd_bus_message_read(audit, "(xxsssb)", &seq, &wall, &ev, &who,
				   &det, &ok) > 0)
		if (strcmp(ev, event) == 0 &&
		    (!caller || strcmp(who, caller) == 0) &&
		    (!detail || strcmp(det, detail) == 0))
			n++;
	sd_bus_message_unref(audit);
	return n;
}
