/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon as a whole: the event loop, the bus connection, the object
 * manager on /org/posreader1, the list of readers and the terminal.
 */
#ifndef POSREADERD_MANAGER_H
#define POSREADERD_MANAGER_H

#include <stdbool.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

struct reader;
struct sim_pending;
struct usb_state;
struct kernel_state;
struct terminal;

#define PR_BUS_NAME	  "org.posreader1"
#define PR_ROOT_PATH	  "/org/posreader1"
#define PR_READER_PREFIX  "/org/posreader1/reader"
#define PR_TERMINAL_IFACE "org.posreader1.Terminal"
#define PR_READER_IFACE	  "org.posreader1.Reader"

struct manager {
	sd_event *event;
	sd_bus *bus;
	struct terminal *terminal;
	struct reader *readers;
	unsigned int n_readers;
	struct sim_pending *sim_pending; /* simulators not yet connected */
	struct usb_state *usb;		 /* the usb transport, if started */
	struct kernel_state *kernel;	 /* the kernel transport, if started */
	sd_event_source *auth_recheck;	 /* judges readers marked for it */
	char *state_dir;
};

/* Create the manager and its event loop. */
int manager_new(struct manager **ret_manager);

/* Free the manager, its readers and its bus connection; NULL is fine. */
struct manager *manager_free(struct manager *m);

/*
 * Connect to the bus: "system", "session", or a D-Bus address. The
 * system bus honours DBUS_SYSTEM_BUS_ADDRESS.
 */
int manager_connect(struct manager *m, const char *bus);

/* Register the objects, then request the bus name. */
int manager_start(struct manager *m);

/* Put a new reader on the manager's list (probing or published). */
void manager_link_reader(struct manager *m, struct reader *r);

/* Take a reader off the list; it must not be published. */
void manager_unlink_reader(struct manager *m, struct reader *r);

/* Put a probed reader on the bus; -EEXIST if its serial is in use. */
int manager_publish_reader(struct manager *m, struct reader *r);

/* Announce the reader's removal from the bus, if it was on it. */
void manager_unpublish_reader(struct manager *m, struct reader *r);

/* The reader exported on path, or NULL. */
struct reader *manager_find_reader(struct manager *m, const char *path);

/* Tell every reader the terminal's lock state changed. */
void manager_lock_changed(struct manager *m, bool active);

/* Soon (from the loop), judge again every reader marked auth_recheck. */
void manager_schedule_auth_recheck(struct manager *m);

#endif /* POSREADERD_MANAGER_H */
