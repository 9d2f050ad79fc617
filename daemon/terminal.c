// SPDX-License-Identifier: GPL-2.0-or-later
/* org.posreader1.Terminal: lock reasons and the state derived from them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"
#include "terminal.h"
#include "util.h"

/* A handful of reasons at most: a plain array is enough. */
#define TERMINAL_REASONS_MAX 16
#define TERMINAL_REASON_LEN  32

struct terminal {
	struct manager *mgr;
	sd_bus_slot *slot;
	char reasons[TERMINAL_REASONS_MAX][TERMINAL_REASON_LEN];
	unsigned int n_reasons;

	char *test_lock_file;
	const char *test_lock_name; /* basename, inside test_lock_file */
	sd_event_source *test_lock_watch;
};

int terminal_new(struct manager *m, struct terminal **ret_terminal)
{
	struct terminal *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->mgr = m;
	*ret_terminal = t;
	return 0;
}

struct terminal *terminal_free(struct terminal *t)
{
	if (!t)
		return NULL;
	sd_event_source_disable_unref(t->test_lock_watch);
	sd_bus_slot_unref(t->slot);
	free(t->test_lock_file);
	free(t);
	return NULL;
}

bool terminal_is_active(const struct terminal *t)
{
	return t->n_reasons == 0;
}

const char *terminal_state(const struct terminal *t)
{
	return terminal_is_active(t) ? "active" : "locked";
}

static int reason_index(const struct terminal *t, const char *reason)
{
	for (unsigned int i = 0; i < t->n_reasons; i++)
		if (strcmp(t->reasons[i], reason) == 0)
			return i;
	return -1;
}

bool terminal_has_reason(const struct terminal *t, const char *reason)
{
	return reason_index(t, reason) >= 0;
}

static void terminal_changed(struct terminal *t, bool was_active,
			     const char *reason, bool added)
{
	bool active = terminal_is_active(t);

	log_lock_event(added, reason, terminal_state(t));
	if (t->slot)
		sd_bus_emit_properties_changed(t->mgr->bus, PR_ROOT_PATH,
					       PR_TERMINAL_IFACE, "LockState",
					       "LockReasons", NULL);
	if (active != was_active)
		manager_lock_changed(t->mgr, active);
}

/* A reason name: lower-case letters, digits and '-', 1..31 chars. */
static bool reason_valid(const char *reason)
{
	size_t n = strlen(reason);

	if (n == 0 || n >= TERMINAL_REASON_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((reason[i] >= 'a' && reason[i] <= 'z') ||
		      (reason[i] >= '0' && reason[i] <= '9') ||
		      reason[i] == '-'))
			return false;
	return true;
}

int terminal_add_reason(struct terminal *t, const char *reason)
{
	bool was_active = terminal_is_active(t);

	if (!reason_valid(reason))
		return -EINVAL;
	if (terminal_has_reason(t, reason))
		return 0;
	if (t->n_reasons >= TERMINAL_REASONS_MAX)
		return -ENOSPC;
	strcpy(t->reasons[t->n_reasons++], reason);
	terminal_changed(t, was_active, reason, true);
	return 1;
}

int terminal_remove_reason(struct terminal *t, const char *reason)
{
	bool was_active = terminal_is_active(t);
	int i = reason_index(t, reason);

	if (i < 0)
		return 0;
	memmove(t->reasons[i], t->reasons[i + 1],
		(t->n_reasons - i - 1) * TERMINAL_REASON_LEN);
	t->n_reasons--;
	terminal_changed(t, was_active, reason, false);
	return 1;
}

/* ---- D-Bus ---------------------------------------------------------- */

static int prop_lock_state(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply,
			   void *userdata, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", terminal_state(userdata));
}

static int prop_lock_reasons(sd_bus *bus, const char *path,
			     const char *interface, const char *property,
			     sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	struct terminal *t = userdata;
	int ret;

	ret = sd_bus_message_open_container(reply, 'a', "s");
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < t->n_reasons; i++) {
		ret = sd_bus_message_append(reply, "s", t->reasons[i]);
		if (ret < 0)
			return ret;
	}
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable terminal_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("LockState", "s", prop_lock_state, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LockReasons", "as", prop_lock_reasons, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END
};

int terminal_register(struct terminal *t, sd_bus *bus)
{
	return sd_bus_add_object_vtable(bus, &t->slot, PR_ROOT_PATH,
					PR_TERMINAL_IFACE, terminal_vtable, t);
}

/* ---- The test lock file --------------------------------------------- */

static void test_lock_sync(struct terminal *t)
{
	if (access(t->test_lock_file, F_OK) == 0)
		terminal_add_reason(t, LOCK_REASON_TEST);
	else
		terminal_remove_reason(t, LOCK_REASON_TEST);
}

static int test_lock_event(sd_event_source *s, const struct inotify_event *ev,
			   void *userdata)
{
	struct terminal *t = userdata;

	if (ev->len && strcmp(ev->name, t->test_lock_name) != 0)
		return 0;
	test_lock_sync(t);
	return 0;
}

int terminal_watch_test_lock_file(struct terminal *t, const char *path)
{
	_cleanup_free_ char *dir = NULL;
	char *slash;
	int ret;

	t->test_lock_file = strdup(path);
	dir = strdup(path);
	if (!t->test_lock_file || !dir)
		return -ENOMEM;
	slash = strrchr(t->test_lock_file, '/');
	t->test_lock_name = slash ? slash + 1 : t->test_lock_file;
	if (!*t->test_lock_name)
		return -EINVAL;
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");

	ret = sd_event_add_inotify(t->mgr->event, &t->test_lock_watch, dir,
				   IN_CREATE | IN_DELETE | IN_MOVED_FROM |
					   IN_MOVED_TO | IN_ONLYDIR,
				   test_lock_event, t);
	if (ret < 0)
		return ret;
	log_warning("test lock file %s is watched: for tests only",
		    t->test_lock_file);
	test_lock_sync(t);
	return 0;
}
