/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Operator and supervisor PINs: keyed, salted verifiers, retry lockout
 * with growing unlock times, an hourly attempt cap, and the count-before-
 * compare rule (docs/security.md).
 */
#ifndef POSREADER_PIN_H
#define POSREADER_PIN_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "statedb.h"

#define PIN_KEY_LEN	     32
#define PIN_MIN_LEN	     4
#define PIN_MAX_LEN	     12
#define PIN_LOCKOUT_STEPS    3
#define PIN_DEFAULT_FAILURES 3
#define PIN_DEFAULT_PER_HOUR 120

/* Who a PIN belongs to. */
enum pin_role {
	PIN_ROLE_OPERATOR,
	PIN_ROLE_SUPERVISOR,
};

/* Tunables; pin_policy_default() gives the documented defaults. */
struct pin_policy {
	unsigned max_failures;			/* wrong PINs to lock */
	uint64_t lockout_us[PIN_LOCKOUT_STEPS]; /* 1, 5, 30 min */
	unsigned max_per_hour;			/* hard cap per role */
	unsigned kdf_iterations;		/* PBKDF2 rounds */
};

/* What a verification did. */
enum pin_result {
	PIN_ACCEPTED,
	PIN_REJECTED,	  /* wrong PIN, counted */
	PIN_LOCKED,	  /* locked for a while; not tried */
	PIN_BLOCKED,	  /* locked until supervisor/acquirer; not tried */
	PIN_RATE_LIMITED, /* hourly cap reached; not tried */
	PIN_NOT_SET,	  /* no PIN for this role yet */
};

/* Outcome of pin_verify(). */
struct pin_outcome {
	enum pin_result result;
	unsigned retries_left; /* before the next lockout */
	uint64_t wait_us;      /* LOCKED / RATE_LIMITED: time to wait */
	bool lockout_started;  /* this attempt started a lockout */
};

/* The lock reason id and name of a role. */
const char *pin_role_reason(enum pin_role role);
const char *pin_role_name(enum pin_role role);

/* Parse "operator" or "supervisor"; -EINVAL otherwise. */
int pin_role_from_string(const char *s, enum pin_role *ret_role);

/* Fill in the documented default policy. */
void pin_policy_default(struct pin_policy *ret_policy);

/*
 * Check a new PIN against the policy: 4-12 digits, not trivial (one digit
 * repeated, a run up or down, a repeated pair). -EINVAL and *ret_why.
 */
int pin_check_policy(const char *pin, const char **ret_why);

/*
 * Set a role's PIN (inside a transaction), clearing its failures and
 * lockout. The PIN must pass pin_check_policy().
 */
int pin_set(struct statedb *db, enum pin_role role, const uint8_t *pin_key,
	    const char *pin, const struct pin_policy *policy,
	    const struct prclock_now *now, const char *caller);

/*
 * Verify a PIN. The attempt is committed as a failure before the compare
 * and turned into a success after it. -EINVAL for a PIN that is not 4-12
 * digits (not counted: it cannot be anyone's PIN).
 */
int pin_verify(struct statedb *db, enum pin_role role, const uint8_t *pin_key,
	       const char *pin, const struct pin_policy *policy,
	       const struct prclock_now *now, const char *caller,
	       struct pin_outcome *ret);

/*
 * Count every attempt a crash interrupted as failed (own transaction);
 * run before anything else after open. *ret_count (may be NULL).
 */
int pin_recover(struct statedb *db, const struct pin_policy *policy,
		const struct prclock_now *now, unsigned *ret_count);

/* Clear a role's lockout and failures (inside a transaction). */
int pin_clear_lockout(struct statedb *db, enum pin_role role);

/* Counters of one role, for status and tests. */
struct pin_counters {
	bool set;
	bool pending;
	unsigned failures;	 /* since the last success or lockout */
	unsigned lockouts;	 /* since the last success */
	uint64_t attempts_total; /* ever; never decreases */
	uint64_t failures_total; /* ever; an accepted attempt is taken off */
};

/* Read a role's counters. */
int pin_counters(struct statedb *db, enum pin_role role,
		 struct pin_counters *ret);

/* Retries left before the next lockout (0 while locked or blocked). */
int pin_retries_left(struct statedb *db, enum pin_role role,
		     const struct pin_policy *policy,
		     const struct prclock_now *now, unsigned *ret);

#endif /* POSREADER_PIN_H */
