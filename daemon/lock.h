/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Terminal lock state: a set of persisted lock reasons, each with a stable
 * id, a subject (which reader, which check), a message for people, what
 * clears it and, for timed reasons, when. The state is derived from the set.
 */
#ifndef POSREADER_LOCK_H
#define POSREADER_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "statedb.h"

/* The terminal's state, most severe first when several reasons hold. */
enum lock_state {
	LOCK_STATE_ACTIVE,
	LOCK_STATE_LOCKED,	  /* clears by itself in time */
	LOCK_STATE_BLOCKED,	  /* needs a person or the acquirer */
	LOCK_STATE_UNPROVISIONED, /* no keys yet */
};

/* What one reason does to the state. */
enum lock_kind {
	LOCK_KIND_TIMED = 1,
	LOCK_KIND_BLOCKED = 2,
	LOCK_KIND_UNPROVISIONED = 3,
};

/* Ways out of a reason (bit set). */
enum lock_clears {
	LOCK_CLEARS_TIME = 1 << 0,
	LOCK_CLEARS_SUPERVISOR_PIN = 1 << 1,
	LOCK_CLEARS_ACQUIRER_TOKEN = 1 << 2,
	LOCK_CLEARS_REPAIRING = 1 << 3,
	LOCK_CLEARS_REPROVISIONING = 1 << 4,
	LOCK_CLEARS_SELFTEST = 1 << 5,
};

/* Stable reason ids (part of the D-Bus API; never rename). */
#define LOCK_R_OPERATOR_PIN   "operator-pin-lockout"
#define LOCK_R_SUPERVISOR_PIN "supervisor-pin-lockout"
#define LOCK_R_INTEGRITY      "integrity-failure"
#define LOCK_R_KEYS	      "keys-missing"
#define LOCK_R_READER	      "reader-not-genuine"
#define LOCK_R_TAMPER	      "tamper"
#define LOCK_R_SEAL	      "acquirer-seal"
#define LOCK_R_UNPROVISIONED  "not-provisioned"

#define LOCK_ID_MAX	 32
#define LOCK_SUBJECT_MAX 64
#define LOCK_MESSAGE_MAX 256

/* One active reason. */
struct lock_reason {
	char id[LOCK_ID_MAX];
	char subject[LOCK_SUBJECT_MAX]; /* "" when there is only one */
	enum lock_kind kind;
	unsigned clears; /* enum lock_clears bits */
	char message[LOCK_MESSAGE_MAX];
	int64_t since_wall_us;
	struct prdeadline until; /* timed reasons only */
	uint64_t remaining_us;	 /* filled by lock_reasons_load() */
	int64_t until_wall_us;	 /* for display only; 0 if untimed */
};

/* Fill r for id/subject with the default kind and ways out of that id. */
int lock_reason_init(struct lock_reason *r, const char *id, const char *subject,
		     const struct prclock_now *now, const char *message);

/* Make r a timed reason that ends duration_us from now. */
void lock_reason_set_timed(struct lock_reason *r, const struct prclock_now *now,
			   uint64_t duration_us);

/* Insert or replace a reason (inside a transaction). */
int lock_reason_put(struct statedb *db, const struct lock_reason *r);

/*
 * Remove reasons by id and subject (NULL subject: every subject).
 * Inside a transaction; *ret_removed (may be NULL) counts rows removed.
 */
int lock_reason_remove(struct statedb *db, const char *id, const char *subject,
		       unsigned *ret_removed);

/* Remove every reason that the way out `way` clears (inside a tx). */
int lock_reason_remove_cleared_by(struct statedb *db, unsigned way,
				  unsigned *ret_removed);

/* True if a reason with this id (and subject, unless NULL) holds. */
int lock_reason_exists(struct statedb *db, const char *id, const char *subject);

/*
 * Bring timed reasons up to date (inside a transaction): restart those
 * from another boot, drop the expired ones. *ret_changed counts changes.
 */
int lock_reasons_refresh(struct statedb *db, const struct prclock_now *now,
			 unsigned *ret_changed);

/* Load all reasons, sorted by id and subject; free *ret with free(). */
int lock_reasons_load(struct statedb *db, const struct prclock_now *now,
		      struct lock_reason **ret, size_t *ret_n);

/* The state a set of reasons puts the terminal in. */
enum lock_state lock_state_of(const struct lock_reason *r, size_t n);

/* "active", "locked", "blocked" or "unprovisioned". */
const char *lock_state_name(enum lock_state s);

/* Ways out as text, e.g. "time, supervisor PIN"; returns buf. */
const char *lock_clears_describe(unsigned clears, char *buf, size_t cap);

/* Name of a single way-out bit, e.g. "acquirer-token"; NULL if unknown. */
const char *lock_clears_name(unsigned way);

#endif /* POSREADER_LOCK_H */
