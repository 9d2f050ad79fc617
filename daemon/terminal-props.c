// SPDX-License-Identifier: GPL-2.0-or-later
/* The properties of org.posreader1.Terminal, read from the engine. */
#include <errno.h>
#include <stdlib.h>

#include "manager.h"
#include "terminal-private.h"
#include "terminal.h"
#include "util.h"

static int prop_lock_state(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply,
			   void *userdata, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", terminal_state(userdata));
}

/* One (id, subject, message, ways out, details) entry. */
static int append_reason(sd_bus_message *reply, const struct lock_reason *r)
{
	static const char *const kinds[] = {
		[LOCK_KIND_TIMED] = "timed",
		[LOCK_KIND_BLOCKED] = "blocked",
		[LOCK_KIND_UNPROVISIONED] = "unprovisioned",
	};
	const char *kind = "blocked";
	int ret;

	if ((size_t)r->kind < ELEMENTSOF(kinds) && kinds[r->kind])
		kind = kinds[r->kind];
	ret = sd_bus_message_open_container(reply, 'r', "sssasa{sv}");
	if (ret >= 0)
		ret = sd_bus_message_append(reply, "sss", r->id, r->subject,
					    r->message);
	if (ret >= 0)
		ret = sd_bus_message_open_container(reply, 'a', "s");
	for (unsigned int bit = 1; ret >= 0 && bit <= LOCK_CLEARS_SELFTEST;
	     bit <<= 1)
		if ((r->clears & bit) && lock_clears_name(bit))
			ret = sd_bus_message_append(reply, "s",
						    lock_clears_name(bit));
	if (ret >= 0)
		ret = sd_bus_message_close_container(reply);
	if (ret >= 0)
		ret = sd_bus_message_open_container(reply, 'a', "{sv}");
	if (ret >= 0)
		ret = sd_bus_message_append(reply, "{sv}{sv}", "kind", "s",
					    kind, "since", "x",
					    r->since_wall_us);
	if (ret >= 0 && r->kind == LOCK_KIND_TIMED)
		ret = sd_bus_message_append(reply, "{sv}{sv}", "remaining_us",
					    "t", r->remaining_us, "until", "x",
					    r->until_wall_us);
	if (ret >= 0)
		ret = sd_bus_message_close_container(reply);
	if (ret >= 0)
		ret = sd_bus_message_close_container(reply);
	return ret;
}

static int prop_lock_reasons(sd_bus *bus, const char *path,
			     const char *interface, const char *property,
			     sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_free_ struct lock_reason *v = NULL;
	struct lock_reason extra = { .kind = LOCK_KIND_BLOCKED };
	size_t n = 0;
	int ret;

	if (t->engine) {
		ret = engine_reasons(t->engine, &v, &n);
		if (ret < 0)
			return ret;
	}
	ret = sd_bus_message_open_container(reply, 'a', "(sssasa{sv})");
	for (size_t i = 0; ret >= 0 && i < n; i++)
		ret = append_reason(reply, &v[i]);
	if (ret >= 0 && !t->engine) {
		snprintf(extra.id, sizeof(extra.id), "%s", LOCK_R_INTEGRITY);
		snprintf(extra.subject, sizeof(extra.subject), "state-db");
		snprintf(extra.message, sizeof(extra.message), "%s",
			 t->open_error);
		ret = append_reason(reply, &extra);
	}
	if (ret >= 0 && t->test_lock) {
		snprintf(extra.id, sizeof(extra.id), "%s", LOCK_REASON_TEST);
		snprintf(extra.message, sizeof(extra.message),
			 "The test lock file exists.");
		ret = append_reason(reply, &extra);
	}
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(reply);
}

static int prop_retries(sd_bus *bus, const char *path, const char *interface,
			const char *property, sd_bus_message *reply,
			void *userdata, sd_bus_error *error)
{
	struct terminal *t = userdata;
	unsigned retries = 0;

	if (t->engine &&
	    engine_pin_status(t->engine, PIN_ROLE_OPERATOR, &retries, NULL) < 0)
		retries = 0;
	return sd_bus_message_append(reply, "u", retries);
}

static int prop_locked_until(sd_bus *bus, const char *path,
			     const char *interface, const char *property,
			     sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	struct terminal *t = userdata;
	int64_t until = 0;

	if (t->engine && engine_locked_until(t->engine, &until) < 0)
		until = 0;
	return sd_bus_message_append(reply, "x", until);
}

static int prop_terminal_id(sd_bus *bus, const char *path,
			    const char *interface, const char *property,
			    sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	struct terminal *t = userdata;

	return sd_bus_message_append(
		reply, "s", t->engine ? engine_terminal_id(t->engine) : "");
}

/* Append self-test results as a(ssss): check, status, subject, message. */
int terminal_append_selftest(sd_bus_message *reply,
			     const struct selftest_result *v, size_t n)
{
	int ret;

	ret = sd_bus_message_open_container(reply, 'a', "(ssss)");
	for (size_t i = 0; ret >= 0 && i < n; i++)
		ret = sd_bus_message_append(reply, "(ssss)",
					    selftest_check_name(v[i].check),
					    selftest_status_name(v[i].status),
					    v[i].subject, v[i].message);
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(reply);
}

static int prop_selftest(sd_bus *bus, const char *path, const char *interface,
			 const char *property, sd_bus_message *reply,
			 void *userdata, sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_free_ struct selftest_result *v = NULL;
	size_t n = 0;
	int64_t when;

	if (t->engine && engine_selftest_results(t->engine, &v, &n, &when) < 0)
		n = 0;
	return terminal_append_selftest(reply, v, n);
}

const sd_bus_vtable terminal_props_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("LockState", "s", prop_lock_state, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LockReasons", "a(sssasa{sv})", prop_lock_reasons, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("OperatorPinRetries", "u", prop_retries, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LockedUntil", "x", prop_locked_until, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("TerminalId", "s", prop_terminal_id, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("SelfTest", "a(ssss)", prop_selftest, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END
};

void terminal_emit_all(struct terminal *t)
{
	if (!t->slot || !t->mgr->bus)
		return;
	sd_bus_emit_properties_changed(
		t->mgr->bus, PR_ROOT_PATH, PR_TERMINAL_IFACE, "LockState",
		"LockReasons", "OperatorPinRetries", "LockedUntil",
		"TerminalId", "SelfTest", NULL);
}
