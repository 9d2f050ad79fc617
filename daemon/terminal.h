/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal's lock state: a set of lock reasons, "active" when the set
 * is empty and "locked" otherwise, exported as org.posreader1.Terminal on
 * /org/posreader1. The security engine adds and removes reasons through
 * terminal_add_reason() / terminal_remove_reason(); the reader code asks
 * terminal_is_active() before any card service.
 *
 * Other members of org.posreader1.Terminal (PINs, unlock, self-test) are
 * added by registering a further vtable for the same interface on
 * PR_ROOT_PATH after terminal_register(): sd-bus serves both as one
 * interface. dbus/org.posreader1.Terminal.xml must then be updated (the
 * daemon-policy test compares it with the live introspection).
 */
#ifndef POSREADERD_TERMINAL_H
#define POSREADERD_TERMINAL_H

#include <stdbool.h>

#include <systemd/sd-bus.h>

struct manager;
struct terminal;

/* Lock reason names (the LockReasons property carries these strings). */
#define LOCK_REASON_PIN_LOCKOUT	    "operator-pin-lockout"
#define LOCK_REASON_INTEGRITY	    "integrity-failure"
#define LOCK_REASON_NOT_GENUINE	    "reader-not-genuine"
#define LOCK_REASON_TAMPER	    "tamper"
#define LOCK_REASON_SEAL	    "acquirer-seal"
#define LOCK_REASON_NOT_PROVISIONED "not-provisioned"
/* Set through --test-lock-file only; never reachable over the bus. */
#define LOCK_REASON_TEST	    "test"

/* Create the terminal object; no reasons, so "active". */
int terminal_new(struct manager *m, struct terminal **ret_terminal);

/* Free the terminal and everything it holds; NULL is fine. */
struct terminal *terminal_free(struct terminal *t);

/* Register org.posreader1.Terminal on /org/posreader1. */
int terminal_register(struct terminal *t, sd_bus *bus);

/* True if no lock reason is set: card services may run. */
bool terminal_is_active(const struct terminal *t);

/* "active" or "locked". */
const char *terminal_state(const struct terminal *t);

/*
 * Add a lock reason (a short lower-case name, see LOCK_REASON_*).
 * Returns 1 if added, 0 if it was already set, negative errno on failure.
 */
int terminal_add_reason(struct terminal *t, const char *reason);

/* Remove a lock reason; 1 if removed, 0 if it was not set. */
int terminal_remove_reason(struct terminal *t, const char *reason);

/* True if the reason is set. */
bool terminal_has_reason(const struct terminal *t, const char *reason);

/*
 * Watch path: while the file exists the "test" lock reason is set. For
 * integration tests and the demo only; enabled by --test-lock-file.
 */
int terminal_watch_test_lock_file(struct terminal *t, const char *path);

#endif /* POSREADERD_TERMINAL_H */
