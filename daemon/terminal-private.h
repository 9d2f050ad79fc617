/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal object's insides, shared by terminal.c (state, timer,
 * test lock), terminal-props.c (properties) and terminal-methods.c
 * (methods). Nothing outside those files includes this.
 */
#ifndef POSREADERD_TERMINAL_PRIVATE_H
#define POSREADERD_TERMINAL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "terminal-auth.h"
#include "engine.h"
#include "polkit.h"

#define TERMINAL_ERROR_MAX 256

struct terminal {
	struct manager *mgr;
	sd_bus_slot *slot;
	sd_bus_slot *methods_slot;

	struct engine *engine;		     /* NULL if it could not open */
	char open_error[TERMINAL_ERROR_MAX]; /* why, when engine is NULL */
	struct auth auth;
	struct polkit *polkit;		  /* admin checks, made on first use */
	sd_bus_message *polkit_approved; /* being run again after polkit */

	bool test_lock; /* the --test-lock-file exists */
	bool active;	/* what the readers were last told */
	const char *last_state;
	sd_event_source *expiry_timer;
	sd_event_source *selftest_timer; /* every 24 hours */

	char *test_lock_file;
	const char *test_lock_name; /* basename, inside test_lock_file */
	sd_event_source *test_lock_watch;
};

/* The org.posreader1.Terminal property vtable (terminal-props.c). */
extern const sd_bus_vtable terminal_props_vtable[];

/* The org.posreader1.Terminal method vtable (terminal-methods.c). */
extern const sd_bus_vtable terminal_methods_vtable[];

/* Append self-test results as a(ssss): check, status, subject, message. */
int terminal_append_selftest(sd_bus_message *reply,
			     const struct selftest_result *v, size_t n);

/* Called once when a self-test ends: err, or the results (n of them). */
typedef void (*terminal_selftest_done_t)(struct terminal *t, int err,
					 const struct selftest_result *v,
					 size_t n, void *userdata);

/*
 * Run the self-test with every published reader's serial and firmware;
 * each paired reader is first sent a fresh AUTH challenge through its
 * command queue. done (may be NULL) is called once, later or at once.
 * A negative errno if it could not start (done is then not called).
 */
int terminal_run_selftest(struct terminal *t, const char *caller,
			  terminal_selftest_done_t done, void *userdata);

/* Emit PropertiesChanged for every Terminal property. */
void terminal_emit_all(struct terminal *t);

#endif /* POSREADERD_TERMINAL_PRIVATE_H */
