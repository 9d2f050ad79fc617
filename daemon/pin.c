// SPDX-License-Identifier: GPL-2.0-or-later
/* PIN verifiers, retry lockout and the count-before-compare rule. */

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "audit.h"
#include "clock.h"
#include "lock.h"
#include "pin.h"

#define SALT_LEN     16
#define MAC_LEN	     32
#define VERIFIER_LEN (4 + MAC_LEN) /* u32 iterations, then the MAC */
#define LABEL	     "posreader-pin-v1"

const char *pin_role_name(enum pin_role role)
{
	return role == PIN_ROLE_SUPERVISOR ? "supervisor" : "operator";
}

const char *pin_role_reason(enum pin_role role)
{
	return role == PIN_ROLE_SUPERVISOR ? LOCK_R_SUPERVISOR_PIN :
					     LOCK_R_OPERATOR_PIN;
}

int pin_role_from_string(const char *s, enum pin_role *ret_role)
{
	if (s && strcmp(s, "operator") == 0)
		*ret_role = PIN_ROLE_OPERATOR;
	else if (s && strcmp(s, "supervisor") == 0)
		*ret_role = PIN_ROLE_SUPERVISOR;
	else
		return -EINVAL;
	return 0;
}

void pin_policy_default(struct pin_policy *p)
{
	p->max_failures = PIN_DEFAULT_FAILURES;
	p->lockout_us[0] = 1 * USEC_PER_MIN;
	p->lockout_us[1] = 5 * USEC_PER_MIN;
	p->lockout_us[2] = 30 * USEC_PER_MIN;
	p->max_per_hour = PIN_DEFAULT_PER_HOUR;
	p->kdf_iterations = 10000;
}

/* 4-12 ASCII digits; -EINVAL otherwise. */
static int pin_format(const char *pin, size_t *ret_len)
{
	size_t i;

	if (!pin)
		return -EINVAL;
	for (i = 0; pin[i]; i++)
		if (i >= PIN_MAX_LEN || pin[i] < '0' || pin[i] > '9')
			return -EINVAL;
	if (i < PIN_MIN_LEN)
		return -EINVAL;
	*ret_len = i;
	return 0;
}

int pin_check_policy(const char *pin, const char **ret_why)
{
	bool same = true, up = true, down = true, pair = true;
	const char *why = NULL;
	size_t i, n;

	if (pin_format(pin, &n) < 0) {
		why = "a PIN is 4 to 12 digits";
		goto bad;
	}
	for (i = 1; i < n; i++) {
		int a = pin[i - 1] - '0', b = pin[i] - '0';

		same &= a == b;
		up &= b == (a + 1) % 10;
		down &= a == (b + 1) % 10;
		pair &= pin[i] == pin[i % 2];
	}
	if (same)
		why = "a PIN may not repeat one digit";
	else if (up || down)
		why = "a PIN may not be a run of digits";
	else if (pair)
		why = "a PIN may not repeat a pair of digits";
	else
		return 0;
bad:
	if (ret_why)
		*ret_why = why;
	return -EINVAL;
}

/* HMAC(pin key, label || role || PBKDF2-SHA256(pin, salt, iterations)) */
static int compute_verifier(const uint8_t *key, enum pin_role role,
			    const char *pin, size_t pin_len,
			    const uint8_t *salt, uint32_t iterations,
			    uint8_t ret[VERIFIER_LEN])
{
	uint8_t dk[MAC_LEN], msg[sizeof(LABEL) + 16 + MAC_LEN];
	const char *name = pin_role_name(role);
	size_t off = 0, out = 0;
	int r = -EIO;

	if (!PKCS5_PBKDF2_HMAC(pin, (int)pin_len, salt, SALT_LEN,
			       (int)iterations, EVP_sha256(), sizeof(dk), dk))
		goto out;
	memcpy(msg, LABEL, sizeof(LABEL));
	off = sizeof(LABEL);
	memcpy(msg + off, name, strlen(name) + 1);
	off += strlen(name) + 1;
	memcpy(msg + off, dk, sizeof(dk));
	off += sizeof(dk);
	ret[0] = (uint8_t)(iterations >> 24);
	ret[1] = (uint8_t)(iterations >> 16);
	ret[2] = (uint8_t)(iterations >> 8);
	ret[3] = (uint8_t)iterations;
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, PIN_KEY_LEN, msg,
		      off, ret + 4, MAC_LEN, &out) &&
	    out == MAC_LEN)
		r = 0;
out:
	secure_zero(dk, sizeof(dk));
	secure_zero(msg, sizeof(msg));
	return r;
}

struct pin_row {
	bool set;
	uint8_t salt[SALT_LEN];
	uint8_t verifier[VERIFIER_LEN];
	struct pin_counters c;
};

/*
 * Statements of every PIN check, kept prepared (statedb_prepare_cached(),
 * which keeps the pointer: fixed texts only).
 */
static const char sql_load_row[] =
	"SELECT salt, verifier, failures, lockouts, pending, attempts_total, "
	"failures_total FROM pins WHERE role = ?";
static const char sql_store_counters[] =
	"UPDATE pins SET failures = ?, lockouts = ?, pending = ?, "
	"attempts_total = ?, failures_total = ? WHERE role = ?";
static const char sql_attempts_rebase[] =
	"UPDATE attempts SET boot_id = ?1, boot_us = ?2 "
	"WHERE role = ?3 AND (boot_id != ?1 OR boot_us > ?2)";
static const char sql_attempts_expire[] =
	"DELETE FROM attempts WHERE role = ? AND boot_us + ? <= ?";
static const char sql_hour_window[] =
	"SELECT COUNT(*), MIN(boot_us) FROM attempts WHERE role = ?";
static const char sql_role_lock[] =
	"SELECT kind, boot_id, end_us, duration_us FROM reasons WHERE id = ?";
static const char sql_insert_attempt[] =
	"INSERT INTO attempts(role, boot_id, boot_us) VALUES (?, ?, ?)";

static int load_row(struct statedb *db, enum pin_role role, struct pin_row *ret)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	struct pin_row row = { 0 };
	int r;

	r = statedb_prepare_cached(db, sql_load_row, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, pin_role_name(role), -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) == SALT_LEN &&
		    sqlite3_column_bytes(st, 1) == VERIFIER_LEN) {
			row.set = true;
			memcpy(row.salt, sqlite3_column_blob(st, 0), SALT_LEN);
			memcpy(row.verifier, sqlite3_column_blob(st, 1),
			       VERIFIER_LEN);
		}
		row.c.failures = (unsigned)sqlite3_column_int(st, 2);
		row.c.lockouts = (unsigned)sqlite3_column_int(st, 3);
		row.c.pending = sqlite3_column_int(st, 4) != 0;
		row.c.attempts_total = (uint64_t)sqlite3_column_int64(st, 5);
		row.c.failures_total = (uint64_t)sqlite3_column_int64(st, 6);
	} else if (r != SQLITE_DONE) {
		return statedb_errno(r);
	}
	row.c.set = row.set;
	*ret = row;
	return 0;
}

static int store_counters(struct statedb *db, enum pin_role role,
			  const struct pin_counters *c)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_store_counters, &st);
	if (r < 0)
		return r;
	sqlite3_bind_int(st, 1, (int)c->failures);
	sqlite3_bind_int(st, 2, (int)c->lockouts);
	sqlite3_bind_int(st, 3, c->pending);
	sqlite3_bind_int64(st, 4, (int64_t)c->attempts_total);
	sqlite3_bind_int64(st, 5, (int64_t)c->failures_total);
	sqlite3_bind_text(st, 6, pin_role_name(role), -1, SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r == 0 && sqlite3_changes(statedb_sqlite(db)) != 1)
		r = -ENOENT;
	return r;
}

int pin_counters(struct statedb *db, enum pin_role role,
		 struct pin_counters *ret)
{
	struct pin_row row;
	int r;

	r = load_row(db, role, &row);
	if (r < 0)
		return r;
	*ret = row.c;
	return 0;
}

int pin_clear_lockout(struct statedb *db, enum pin_role role)
{
	struct pin_row row;
	int r;

	r = load_row(db, role, &row);
	if (r < 0)
		return r;
	r = lock_reason_remove(db, pin_role_reason(role), NULL, NULL);
	if (r < 0 || !row.set)
		return r;
	row.c.failures = 0;
	row.c.lockouts = 0;
	return store_counters(db, role, &row.c);
}

int pin_set(struct statedb *db, enum pin_role role, const uint8_t *pin_key,
	    const char *pin, const struct pin_policy *policy,
	    const struct prclock_now *now, const char *caller)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	uint8_t salt[SALT_LEN], verifier[VERIFIER_LEN];
	size_t len = 0;
	int r;

	r = pin_check_policy(pin, NULL);
	if (r < 0)
		return r;
	pin_format(pin, &len);
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -EIO;
	r = compute_verifier(pin_key, role, pin, len, salt,
			     policy->kdf_iterations, verifier);
	if (r < 0)
		return r;
	r = statedb_prepare(db,
			    "INSERT INTO pins(role, salt, verifier) "
			    "VALUES (?, ?, ?) ON CONFLICT(role) DO UPDATE SET "
			    "salt = excluded.salt, "
			    "verifier = excluded.verifier, failures = 0, "
			    "lockouts = 0, pending = 0",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, pin_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, salt, sizeof(salt), SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, verifier, sizeof(verifier), SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r < 0)
		return r;
	r = lock_reason_remove(db, pin_role_reason(role), NULL, NULL);
	if (r < 0)
		return r;
	return audit_append(db, now, "pin-set", caller, pin_role_name(role));
}

/* Turn a counted attempt into a settled failure; maybe start a lockout. */
static int settle_failure(struct statedb *db, enum pin_role role,
			  struct pin_row *row, const struct pin_policy *policy,
			  const struct prclock_now *now, const char *caller,
			  const char *event, bool *ret_lockout)
{
	struct lock_reason reason;
	char msg[LOCK_MESSAGE_MAX], detail[64], span[PRDURATION_MAX];
	unsigned step;
	int r;

	*ret_lockout = false;
	row->c.pending = false;
	snprintf(detail, sizeof(detail), "%s, failure %u of %u",
		 pin_role_name(role), row->c.failures, policy->max_failures);
	r = audit_append(db, now, event, caller, detail);
	if (r < 0)
		return r;
	if (row->c.failures >= policy->max_failures) {
		row->c.failures = 0;
		row->c.lockouts++;
		step = row->c.lockouts;
		if (step <= PIN_LOCKOUT_STEPS) {
			prduration_format(span, sizeof(span),
					  policy->lockout_us[step - 1]);
			snprintf(msg, sizeof(msg),
				 "the %s PIN was entered wrongly %u times "
				 "(lockout %u of %u); it unlocks in %s",
				 pin_role_name(role), policy->max_failures,
				 step, PIN_LOCKOUT_STEPS, span);
		} else {
			snprintf(msg, sizeof(msg),
				 "the %s PIN was locked %u times; only %s "
				 "unlocks it",
				 pin_role_name(role), PIN_LOCKOUT_STEPS,
				 role == PIN_ROLE_OPERATOR ?
					 "the supervisor PIN or an acquirer "
					 "token" :
					 "an acquirer token");
		}
		r = lock_reason_init(&reason, pin_role_reason(role), "", now,
				     msg);
		if (r < 0)
			return r;
		if (step <= PIN_LOCKOUT_STEPS)
			lock_reason_set_timed(&reason, now,
					      policy->lockout_us[step - 1]);
		r = lock_reason_put(db, &reason);
		if (r < 0)
			return r;
		snprintf(detail, sizeof(detail), "%s, lockout %u",
			 pin_role_name(role), step);
		r = audit_append(db, now, "pin-lockout", caller, detail);
		if (r < 0)
			return r;
		*ret_lockout = true;
	}
	return store_counters(db, role, &row->c);
}

int pin_recover(struct statedb *db, const struct pin_policy *policy,
		const struct prclock_now *now, unsigned *ret_count)
{
	static const enum pin_role roles[] = { PIN_ROLE_OPERATOR,
					       PIN_ROLE_SUPERVISOR };
	unsigned count = 0;
	struct pin_row row;
	bool lockout;
	size_t i;
	int r;

	for (i = 0; i < ELEMENTSOF(roles); i++) {
		r = load_row(db, roles[i], &row);
		if (r < 0)
			return r;
		if (!row.c.pending)
			continue;
		r = statedb_begin(db);
		if (r < 0)
			return r;
		r = settle_failure(db, roles[i], &row, policy, now,
				   "posreaderd", "pin-interrupted", &lockout);
		if (r < 0) {
			statedb_rollback(db);
			return r;
		}
		r = statedb_commit(db);
		if (r < 0)
			return r;
		count++;
	}
	if (ret_count)
		*ret_count = count;
	return 0;
}

/* Restart attempts stamped in another boot, forget those over an hour. */
static int tidy_attempts(struct statedb *db, enum pin_role role,
			 const struct prclock_now *now)
{
	_cleanup_stmt_done_ sqlite3_stmt *up = NULL, *del = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_attempts_rebase, &up);
	if (r < 0)
		return r;
	sqlite3_bind_text(up, 1, now->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 2, (int64_t)now->boot_us);
	sqlite3_bind_text(up, 3, pin_role_name(role), -1, SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(up));
	if (r < 0)
		return r;
	r = statedb_prepare_cached(db, sql_attempts_expire, &del);
	if (r < 0)
		return r;
	sqlite3_bind_text(del, 1, pin_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(del, 2, (int64_t)USEC_PER_HOUR);
	sqlite3_bind_int64(del, 3, (int64_t)now->boot_us);
	return statedb_errno(sqlite3_step(del));
}

/* Attempts in the last hour and when the oldest of them ages out. */
static int hour_window(struct statedb *db, enum pin_role role,
		       const struct prclock_now *now, unsigned *ret_count,
		       uint64_t *ret_wait_us)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_hour_window, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, pin_role_name(role), -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	*ret_count = (unsigned)sqlite3_column_int(st, 0);
	*ret_wait_us = 0;
	if (*ret_count) {
		uint64_t oldest = (uint64_t)sqlite3_column_int64(st, 1);
		uint64_t age = prclock_age(now, now->boot_id, oldest);

		*ret_wait_us = age < USEC_PER_HOUR ? USEC_PER_HOUR - age : 0;
	}
	return 0;
}

/* The role's lock reason: 0 none, 1 timed (*ret_wait_us), 2 blocked. */
static int role_lock(struct statedb *db, enum pin_role role,
		     const struct prclock_now *now, uint64_t *ret_wait_us)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	struct prdeadline d = { 0 };
	const unsigned char *boot;
	int r;

	r = statedb_prepare_cached(db, sql_role_lock, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, pin_role_reason(role), -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	if (sqlite3_column_int(st, 0) != LOCK_KIND_TIMED)
		return 2;
	boot = sqlite3_column_text(st, 1);
	snprintf(d.boot_id, sizeof(d.boot_id), "%s",
		 boot ? (const char *)boot : "");
	d.end_us = (uint64_t)sqlite3_column_int64(st, 2);
	d.duration_us = (uint64_t)sqlite3_column_int64(st, 3);
	*ret_wait_us = prdeadline_remaining(&d, now, NULL);
	return *ret_wait_us ? 1 : 0;
}

static int insert_attempt(struct statedb *db, enum pin_role role,
			  const struct prclock_now *now)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_insert_attempt, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, pin_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)now->boot_us);
	return statedb_errno(sqlite3_step(st));
}

/*
 * Phase one, committed before any compare: refuse if locked or over the
 * hourly cap, otherwise record the attempt as a failure with pending set.
 * Returns 1 if the attempt was counted, 0 if refused (out filled).
 */
static int count_attempt(struct statedb *db, enum pin_role role,
			 struct pin_row *row, const struct pin_policy *policy,
			 const struct prclock_now *now, const char *caller,
			 struct pin_outcome *out)
{
	unsigned in_hour = 0;
	uint64_t wait = 0;
	int r, lock;

	r = lock_reasons_refresh(db, now, NULL);
	if (r < 0)
		return r;
	r = tidy_attempts(db, role, now);
	if (r < 0)
		return r;
	lock = role_lock(db, role, now, &wait);
	if (lock < 0)
		return lock;
	if (lock) {
		out->result = lock == 1 ? PIN_LOCKED : PIN_BLOCKED;
		out->wait_us = wait;
		return 0;
	}
	r = hour_window(db, role, now, &in_hour, &wait);
	if (r < 0)
		return r;
	if (in_hour >= policy->max_per_hour) {
		out->result = PIN_RATE_LIMITED;
		out->wait_us = wait;
		out->retries_left = policy->max_failures - row->c.failures;
		return 0;
	}
	r = insert_attempt(db, role, now);
	if (r < 0)
		return r;
	row->c.failures++;
	row->c.pending = true;
	row->c.attempts_total++;
	row->c.failures_total++;
	r = store_counters(db, role, &row->c);
	if (r < 0)
		return r;
	return 1;
}

int pin_verify(struct statedb *db, enum pin_role role, const uint8_t *pin_key,
	       const char *pin, const struct pin_policy *policy,
	       const struct prclock_now *now, const char *caller,
	       struct pin_outcome *ret)
{
	struct pin_outcome out = { 0 };
	uint8_t verifier[VERIFIER_LEN];
	struct pin_row row;
	uint32_t iterations;
	size_t len;
	bool match, lockout;
	int r;

	if (pin_format(pin, &len) < 0)
		return -EINVAL;
	r = pin_recover(db, policy, now, NULL);
	if (r < 0)
		return r;
	r = load_row(db, role, &row);
	if (r < 0)
		return r;
	if (!row.set) {
		out.result = PIN_NOT_SET;
		*ret = out;
		return 0;
	}

	r = statedb_begin(db);
	if (r < 0)
		return r;
	r = count_attempt(db, role, &row, policy, now, caller, &out);
	if (r < 0)
		goto fail;
	if (r == 0) {
		r = statedb_commit(db);
		if (r < 0)
			return r;
		*ret = out;
		return 0;
	}
	/* The failure is on disk before the PIN is ever compared. */
	r = statedb_commit(db);
	if (r < 0)
		return r;

	iterations = (uint32_t)row.verifier[0] << 24 |
		     (uint32_t)row.verifier[1] << 16 |
		     (uint32_t)row.verifier[2] << 8 | row.verifier[3];
	r = compute_verifier(pin_key, role, pin, len, row.salt, iterations,
			     verifier);
	if (r < 0)
		return r; /* stays counted as failed; settled at recovery */
	match = CRYPTO_memcmp(verifier, row.verifier, VERIFIER_LEN) == 0;
	secure_zero(verifier, sizeof(verifier));

	r = statedb_begin(db);
	if (r < 0)
		return r;
	if (match) {
		row.c.failures = 0;
		row.c.lockouts = 0;
		row.c.pending = false;
		row.c.failures_total--;
		r = audit_append(db, now, "pin-accepted", caller,
				 pin_role_name(role));
		if (r == 0)
			r = store_counters(db, role, &row.c);
		out.result = PIN_ACCEPTED;
	} else {
		r = settle_failure(db, role, &row, policy, now, caller,
				   "pin-rejected", &lockout);
		out.result = PIN_REJECTED;
		out.lockout_started = lockout;
		if (lockout)
			out.wait_us =
				row.c.lockouts <= PIN_LOCKOUT_STEPS ?
					policy->lockout_us[row.c.lockouts - 1] :
					0;
	}
	if (r < 0)
		goto fail;
	r = statedb_commit(db);
	if (r < 0)
		return r;
	out.retries_left =
		out.lockout_started ? 0 : policy->max_failures - row.c.failures;
	*ret = out;
	return 0;
fail:
	statedb_rollback(db);
	return r;
}

int pin_retries_left(struct statedb *db, enum pin_role role,
		     const struct pin_policy *policy,
		     const struct prclock_now *now, unsigned *ret)
{
	struct pin_row row;
	uint64_t wait = 0;
	int r;

	r = load_row(db, role, &row);
	if (r < 0)
		return r;
	r = role_lock(db, role, now, &wait);
	if (r < 0)
		return r;
	if (r > 0 || row.c.failures >= policy->max_failures)
		*ret = 0;
	else
		*ret = policy->max_failures - row.c.failures;
	return 0;
}
