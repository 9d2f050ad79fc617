// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus side of the daemon: connection, object manager, the fallback
 * vtable that serves every reader object, and the list of readers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-errors.h"
#include "log.h"
#include "manager.h"
#include "reader-dbus.h"
#include "reader.h"
#include "terminal.h"
#include "transport-kernel.h"
#include "transport-nfc.h"
#include "transport-sim.h"
#include "transport-usb.h"

int manager_new(struct manager **ret_manager)
{
	struct manager *m;
	int ret;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	ret = sd_event_default(&m->event);
	if (ret < 0)
		goto err;
	ret = terminal_new(m, &m->terminal);
	if (ret < 0)
		goto err;
	*ret_manager = m;
	return 0;
err:
	manager_free(m);
	return ret;
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	sim_shutdown(m);
	m->auth_recheck = sd_event_source_disable_unref(m->auth_recheck);
	while (m->readers)
		reader_free(m->readers);
	transport_nfc_stop(m);
	usb_stop(m);
	kernel_stop(m);
	m->terminal = terminal_free(m->terminal);
	sd_bus_flush_close_unref(m->bus);
	sd_event_unref(m->event);
	free(m->state_dir);
	free(m);
	return NULL;
}

int manager_connect(struct manager *m, const char *bus)
{
	int ret;

	if (strcmp(bus, "system") == 0) {
		ret = sd_bus_open_system(&m->bus);
	} else if (strcmp(bus, "session") == 0) {
		ret = sd_bus_open_user(&m->bus);
	} else {
		ret = sd_bus_new(&m->bus);
		if (ret < 0)
			return ret;
		ret = sd_bus_set_address(m->bus, bus);
		if (ret >= 0)
			ret = sd_bus_set_bus_client(m->bus, true);
		if (ret >= 0)
			ret = sd_bus_start(m->bus);
	}
	if (ret < 0)
		return log_error_errno(ret, "cannot connect to the %s bus",
				       bus);
	ret = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (ret < 0)
		return ret;
	/* Without the bus there is nothing left to serve. */
	return sd_bus_set_exit_on_disconnect(m->bus, true);
}

struct reader *manager_find_reader(struct manager *m, const char *path)
{
	for (struct reader *r = m->readers; r; r = r->next)
		if (r->published && strcmp(r->path, path) == 0)
			return r;
	return NULL;
}

static int reader_object_find(sd_bus *bus, const char *path,
			      const char *interface, void *userdata,
			      void **found, sd_bus_error *error)
{
	struct reader *r = manager_find_reader(userdata, path);

	if (!r)
		return 0;
	*found = r;
	return 1;
}

static int reader_object_enumerate(sd_bus *bus, const char *path,
				   void *userdata, char ***nodes,
				   sd_bus_error *error)
{
	struct manager *m = userdata;
	char **list;
	size_t n = 0;

	list = calloc(m->n_readers + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (struct reader *r = m->readers; r; r = r->next) {
		if (!r->published || n >= m->n_readers)
			continue;
		list[n] = strdup(r->path);
		if (!list[n])
			goto err;
		n++;
	}
	*nodes = list;
	return 0;
err:
	while (n > 0)
		free(list[--n]);
	free(list);
	return -ENOMEM;
}

int manager_start(struct manager *m)
{
	int ret;

	ret = sd_bus_add_object_manager(m->bus, NULL, PR_ROOT_PATH);
	if (ret < 0)
		return log_error_errno(ret, "cannot add the object manager");
	ret = terminal_register(m->terminal, m->bus);
	if (ret < 0)
		return log_error_errno(ret, "cannot register the terminal");
	ret = sd_bus_add_fallback_vtable(m->bus, NULL, PR_READER_PREFIX,
					 PR_READER_IFACE, reader_vtable,
					 reader_object_find, m);
	if (ret < 0)
		return log_error_errno(ret, "cannot register the readers");
	ret = sd_bus_add_node_enumerator(m->bus, NULL, PR_READER_PREFIX,
					 reader_object_enumerate, m);
	if (ret < 0)
		return ret;
	ret = sd_bus_request_name(m->bus, PR_BUS_NAME, 0);
	if (ret < 0)
		return log_error_errno(ret,
				       "cannot own the name %s (taken, "
				       "or not allowed by the bus policy)",
				       PR_BUS_NAME);
	log_info("serving %s", PR_BUS_NAME);
	return 0;
}

void manager_link_reader(struct manager *m, struct reader *r)
{
	r->next = m->readers;
	m->readers = r;
}

void manager_unlink_reader(struct manager *m, struct reader *r)
{
	for (struct reader **pp = &m->readers; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			r->next = NULL;
			return;
		}
	}
}

int manager_publish_reader(struct manager *m, struct reader *r)
{
	if (manager_find_reader(m, r->path)) {
		log_error("reader on %s has serial %s, which another reader "
			  "already uses; ignoring it",
			  r->where, r->info.serial);
		return -EEXIST;
	}
	r->published = true;
	m->n_readers++;
	sd_bus_emit_object_added(m->bus, r->path);
	return 0;
}

void manager_unpublish_reader(struct manager *m, struct reader *r)
{
	if (!r->published)
		return;
	/* Still findable while the removal lists its interfaces. */
	sd_bus_emit_object_removed(m->bus, r->path);
	r->published = false;
	m->n_readers--;
}

void manager_lock_changed(struct manager *m, bool active)
{
	for (struct reader *r = m->readers; r; r = r->next)
		reader_lock_changed(r, active);
}

static int auth_recheck_run(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;

	/* Judging one may mark more: those later in the list run now, the
	 * others in the next round, which marking schedules. */
	for (struct reader *r = m->readers; r; r = r->next)
		if (r->auth_recheck)
			reader_recheck_auth(r);
	return 0;
}

void manager_schedule_auth_recheck(struct manager *m)
{
	int ret;

	if (!m->auth_recheck) {
		ret = sd_event_add_defer(m->event, &m->auth_recheck,
					 auth_recheck_run, m);
		/* Before the next bus message: nobody uses a stale verdict. */
		if (ret >= 0)
			ret = sd_event_source_set_priority(
				m->auth_recheck, SD_EVENT_PRIORITY_IMPORTANT);
	} else {
		ret = 0;
	}
	if (ret >= 0)
		ret = sd_event_source_set_enabled(m->auth_recheck,
						  SD_EVENT_ONESHOT);
	if (ret < 0)
		log_error_errno(ret, "cannot schedule the readers' new "
				     "authentication");
}
