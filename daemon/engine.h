/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal security engine: what posreaderd calls for lock state,
 * PINs, tokens, tamper, reader checks, self-tests, provisioning and
 * pairing. Authorization is the caller's job; every call here assumes the
 * caller is allowed. `caller` strings go into the audit log (e.g.
 * ":1.42 uid=1000"); never pass card data or PINs in them.
 *
 * Single-threaded: call from the daemon's event loop only.
 */
#ifndef POSREADER_ENGINE_H
#define POSREADER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "audit.h"
#include "clock.h"
#include "keystore.h"
#include "lock.h"
#include "pin.h"
#include "selftest.h"
#include "token.h"

struct engine;

/* Called after any change to state, reasons, retries or self-test. */
typedef void (*engine_changed_fn)(struct engine *e, void *userdata);

/* Options; engine_options_default() fills in the documented defaults. */
struct engine_options {
	struct pin_policy policy;
	const struct prclock *clock; /* NULL: the real clocks */
};

/* What provisioning installs. */
struct engine_provisioning {
	const char *terminal_id;   /* [A-Za-z0-9._-]{1,64} */
	enum key_type master_type; /* KEY_AES128/192/256 or TDES */
	const uint8_t *master_key;
	size_t master_len;
	const uint8_t *master_kcv;   /* 3 bytes; must match */
	const uint8_t *acquirer_pub; /* 32-byte Ed25519 public key */
	const uint8_t *acquirer_kcv; /* optional: SHA-256(pub)[0..2] */
	const char *operator_pin;
	const char *supervisor_pin;
	const char *firmware_allowlist; /* "1.0,1.1"; NULL or "": none */
};

/* A reader's answers for the reader self-tests. */
struct engine_reader_report {
	const char *serial;
	const char *firmware;
	unsigned tamper;	       /* PRW_TAMPER_* bits, 0 if none */
	const uint8_t *auth_challenge; /* 32 bytes sent to the reader */
	const uint8_t *auth_response;  /* 32 bytes; NULL if no answer */
};

/* Fill *ret with the defaults: 3 failures, 1/5/30 min, 120 per hour. */
void engine_options_default(struct engine_options *ret);

/*
 * Open the engine on a state directory (created 0700 if missing) and an
 * optional configuration file to integrity-check (its seal is kept in
 * the state database; see selftest_config()). A missing, corrupted
 * or rolled-back database opens blocked with an integrity reason; an
 * attempt a crash interrupted is counted as failed; the start-up
 * self-test runs. opts may be NULL.
 */
int engine_open(const char *state_dir, const char *config_path,
		const struct engine_options *opts, struct engine **ret);

/* Close; NULL is fine. */
void engine_close(struct engine *e);

/* Set the change callback (NULL to remove). */
void engine_set_changed_callback(struct engine *e, engine_changed_fn fn,
				 void *userdata);

/*
 * Expire timed reasons and restart them after a reboot; call when the
 * timer from engine_next_expiry() fires (and any time). Notifies.
 */
int engine_refresh(struct engine *e);

/*
 * CLOCK_BOOTTIME microseconds until the next timed reason ends:
 * 0 and *ret_us, or -ENOENT if nothing is timed.
 */
int engine_next_expiry(struct engine *e, uint64_t *ret_us);

/* The terminal's state now. */
enum lock_state engine_lock_state(struct engine *e);

/*
 * When every timed reason will have ended, as wall-clock µs since the
 * epoch for display (LockedUntil); 0 if no reason is timed. Reasons that
 * need a person or the acquirer have no end and do not count here.
 */
int engine_locked_until(struct engine *e, int64_t *ret_wall_us);

/* The active reasons (see struct lock_reason); free *ret with free(). */
int engine_reasons(struct engine *e, struct lock_reason **ret, size_t *ret_n);

/* The terminal id, "" before provisioning. */
const char *engine_terminal_id(struct engine *e);

/* The configuration file the engine checks (engine_open()), or NULL. */
const char *engine_config_path(struct engine *e);

/*
 * Retries left for a role before its next lockout and, if locked, the
 * wall-clock time (µs since the epoch, for display) when it unlocks,
 * else 0.
 */
int engine_pin_status(struct engine *e, enum pin_role role,
		      unsigned *ret_retries, int64_t *ret_locked_until_us);

/*
 * Verify a PIN (count before compare). 0 with *ret describing the
 * outcome, -EINVAL for a PIN that is not 4-12 digits (not counted).
 */
int engine_verify_pin(struct engine *e, enum pin_role role, const char *pin,
		      const char *caller, struct pin_outcome *ret);

/*
 * Change role's PIN, authorized by auth_pin of auth_role (the role
 * itself, or the supervisor for the operator). New PIN checked first:
 * -EINVAL and *ret_why (may be NULL) if it breaks the policy, no attempt
 * used. Otherwise 0 with *ret: changed only if ret->result is
 * PIN_ACCEPTED. A supervisor-authorized change also clears the
 * operator's lockout.
 */
int engine_change_pin(struct engine *e, enum pin_role role,
		      enum pin_role auth_role, const char *auth_pin,
		      const char *new_pin, const char *caller,
		      struct pin_outcome *ret, const char **ret_why);

/*
 * Clear the operator's lockout (also a blocked one) with the supervisor
 * PIN. 0 and *ret; cleared only if ret->result is PIN_ACCEPTED.
 */
int engine_supervisor_unlock(struct engine *e, const char *supervisor_pin,
			     const char *caller, struct pin_outcome *ret);

/* A fresh single-use challenge for an acquirer token. */
int engine_unlock_challenge(struct engine *e, const char *caller,
			    uint8_t ret[TOKEN_CHALLENGE_LEN]);

/*
 * Verify and apply a seal or unlock token. 0 if applied; otherwise a
 * negative errno and *ret_error (may be NULL) says why: nothing changed
 * but an audit entry. Unlock clears every reason an acquirer token may
 * clear, re-creates zeroized working keys and re-anchors a broken audit
 * chain; seal adds the acquirer-seal reason.
 */
int engine_apply_token(struct engine *e, const uint8_t *buf, size_t len,
		       const char *caller, enum token_error *ret_error);

/*
 * A reader reported tamper: zeroize the working keys at once and block
 * until an acquirer token. cause is PRW_TAMPER_* bits.
 */
int engine_report_tamper(struct engine *e, const char *serial, unsigned cause,
			 const char *caller);

/*
 * The outcome of authenticating a reader (or noticing its identity
 * changed): !ok adds reader-not-genuine for serial (re-pairing clears).
 */
int engine_reader_authenticated(struct engine *e, const char *serial, bool ok,
				const char *why, const char *caller);

/* 1 if a pairing key is stored for serial, 0 if not, or a negative errno. */
int engine_reader_paired(struct engine *e, const char *serial);

/*
 * Check a reader's answer to an AUTH challenge against the key paired to
 * serial and record the outcome with engine_reader_authenticated(): no
 * pairing, no answer (response NULL) or a wrong answer is not genuine.
 * 0 with *ret_ok (may be NULL) telling which, or a negative errno.
 */
int engine_check_reader_auth(struct engine *e, const char *serial,
			     const uint8_t *challenge, const uint8_t *response,
			     const char *caller, bool *ret_ok);

/* 32 random bytes to send with the protocol's AUTH command. */
int engine_auth_challenge(uint8_t ret[SELFTEST_AUTH_CHALLENGE_LEN]);

/*
 * Run the self-test: key store, configuration, audit chain, and for each
 * reader report authenticity, firmware and tamper. Results are applied
 * as reasons and kept; *ret and *ret_n (may be NULL) get a copy to
 * free().
 */
int engine_run_selftest(struct engine *e,
			const struct engine_reader_report *readers,
			size_t n_readers, const char *caller,
			struct selftest_result **ret, size_t *ret_n);

/* The last self-test's results and when it ran (wall µs); free *ret. */
int engine_selftest_results(struct engine *e, struct selftest_result **ret,
			    size_t *ret_n, int64_t *ret_when_us);

/*
 * Provision (or re-provision) keys, ids and PINs, and seal the
 * configuration file as it is now. -EBADMSG: KCV wrong.
 */
int engine_provision(struct engine *e, const struct engine_provisioning *p,
		     const char *caller);

/*
 * Pair a reader: store its 32-byte pairing key, whose KCV must match;
 * clears reader-not-genuine for that serial.
 */
int engine_pair_reader(struct engine *e, const char *serial, const uint8_t *key,
		       size_t len, const uint8_t *kcv, const char *caller);

/*
 * Seal the configuration file: store the MAC of data, its contents as the
 * caller read and checked them (NULL: read the file now), in the state
 * database, audit config-sealed, then re-run the configuration check and
 * apply it, so that a configuration reason a pass may clear is cleared.
 * *ret (may be NULL) gets that check's result. -ENOENT if the engine has
 * no configuration file, -ENOKEY before provisioning, -errno if the file
 * cannot be read.
 */
int engine_seal_config(struct engine *e, const uint8_t *data, size_t len,
		       const char *caller, struct selftest_result *ret);

/* Audit entries after after_seq (at most max); free *ret. */
int engine_audit(struct engine *e, int64_t after_seq, size_t max,
		 struct audit_entry **ret, size_t *ret_n);

/* Verify the audit chain: 0, or -EBADMSG and *ret_first_bad. */
int engine_audit_verify(struct engine *e, int64_t *ret_first_bad);

/* The state database, for tests and tools. */
struct statedb *engine_statedb(struct engine *e);

/* For _cleanup_engine_. */
static inline void engine_closep(struct engine **e)
{
	engine_close(*e);
}

#define _cleanup_engine_ _cleanup_(engine_closep)

#endif /* POSREADER_ENGINE_H */
