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
	uint64_t end = now_ms() + 5000;
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
