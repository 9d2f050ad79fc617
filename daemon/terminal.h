/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal: org.posreader1.Terminal on /org/posreader1, backed by the
 * security engine (daemon/engine.h). The engine owns the lock state and
 * its reasons; this object exports them, keeps a CLOCK_BOOTTIME timer on
 * the next timed reason, tells the readers when card service starts or
 * stops, and serves the PIN, token, self-test and provisioning methods
 * (terminal-methods.c). The reader code asks terminal_is_active() before
 * any card service.
 *
 * If the engine cannot open, the terminal stays blocked with an
 * integrity reason the daemon adds itself. The --test-lock-file hook adds
 * a daemon-side "test" reason; it is never reachable over the bus.
 */
#ifndef POSREADERD_TERMINAL_H
#define POSREADERD_TERMINAL_H

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "engine.h"

struct manager;
struct reader_auth_basis;
struct terminal;

/* Set through --test-lock-file only; never reachable over the bus. */
#define LOCK_REASON_TEST "test"

/* Create the terminal object: blocked until terminal_open() succeeds. */
int terminal_new(struct manager *m, struct terminal **ret_terminal);

/* Free the terminal, its engine and its event sources; NULL is fine. */
struct terminal *terminal_free(struct terminal *t);

/*
 * Open the security engine on state_dir, checking the configuration file
 * config_path (the --config file; NULL if none). On failure the terminal
 * stays blocked (integrity-failure) and 0 is still returned: the daemon
 * runs without card service. Negative errno only for -ENOMEM.
 */
int terminal_open(struct terminal *t, const char *state_dir,
		  const char *config_path, const struct engine_options *opts);

/* Resolve the card and admin groups (names or gids; NULL: defaults). */
int terminal_set_groups(struct terminal *t, const char *card_group,
			const char *admin_group);

/* Register org.posreader1.Terminal on /org/posreader1. */
int terminal_register(struct terminal *t, sd_bus *bus);

/* True if the terminal is active: card services may run. */
bool terminal_is_active(const struct terminal *t);

/* "active", "locked", "blocked" or "unprovisioned". */
const char *terminal_state(const struct terminal *t);

/*
 * Set *error to org.posreader1.Error.Locked naming the state and the
 * reasons in force; returns the negative errno for a method handler.
 */
int terminal_refuse(struct terminal *t, sd_bus_error *error);

/* A reader reported tamper: zeroize keys and block (engine). */
void terminal_report_tamper(struct terminal *t, const char *serial,
			    unsigned cause);

/* A reader failed (or passed) authentication. */
void terminal_reader_authenticated(struct terminal *t, const char *serial,
				   bool ok, const char *why);

/*
 * Whether a reader attaching now must authenticate: 1 if the terminal is
 * provisioned and serial is paired, 0 if provisioned and not paired, a
 * negative errno if no check applies (no engine, not provisioned) or the
 * pairing cannot be read. With POSREADER_TEST_PROVISION=1 an unpaired
 * serial of a reader that can_auth is first paired with the simulator's
 * default key (tests only).
 */
int terminal_reader_paired(struct terminal *t, const char *serial,
			   bool can_auth);

/*
 * What a reader with this serial must prove now (struct reader_auth_basis
 * in reader.h). After every change the terminal compares it with what
 * each published reader was judged against, and judges again those whose
 * proof no longer stands (reader_recheck_auth()).
 */
void terminal_reader_auth_basis(struct terminal *t, const char *serial,
				struct reader_auth_basis *ret);

/* Judge a reader's answer (NULL: none) to challenge; record the outcome. */
void terminal_check_reader_auth(struct terminal *t, const char *serial,
				const uint8_t *challenge,
				const uint8_t *response);

/* The engine, or NULL if it could not open. */
struct engine *terminal_engine(struct terminal *t);

/* Re-read the engine's state; emit changes and tell the readers. */
void terminal_sync(struct terminal *t);

/*
 * Watch path: while the file exists the "test" lock reason is set. For
 * integration tests and the demo only; enabled by --test-lock-file.
 */
int terminal_watch_test_lock_file(struct terminal *t, const char *path);

#endif /* POSREADERD_TERMINAL_H */
