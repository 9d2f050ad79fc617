// SPDX-License-Identifier: GPL-2.0-or-later
/* The security engine facade: orchestrates the state modules. */

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <posreader/wire.h>

#include "challenge.h"
#include "engine.h"
#include "hex.h"
#include "statedb.h"

#define STATE_DB_SUBJECT "state-db"
#define WORKING_KEY_LEN	 16

/*
 * The lock reasons as last committed, so that the card-service gate
 * (engine_lock_state()) needs no database read. Stamped with the
 * commit generation and the connection's change count: the commit
 * callback reloads it with every commit, and a read that finds the stamp
 * stale (a write that did not commit through statedb_commit(), a reload
 * that failed) reloads it first. Times are not kept: whether a timed
 * reason still holds is worked out from the clocks at every read.
 */
struct lock_view {
	struct lock_reason *v;
	size_t n;
	uint64_t generation;
	int64_t changes;
	bool valid;
};

struct engine {
	struct statedb *db;
	struct lock_view view;
	char *config_path;
	struct engine_options opts;
	engine_changed_fn changed;
	void *userdata;
	uint64_t fingerprint;
	char terminal_id[TOKEN_TERMINAL_ID_MAX + 1];
	struct selftest_result *last;
	size_t n_last;
	int64_t last_when_us;
};

void engine_options_default(struct engine_options *ret)
{
	memset(ret, 0, sizeof(*ret));
	pin_policy_default(&ret->policy);
}

struct statedb *engine_statedb(struct engine *e)
{
	return e->db;
}

const char *engine_terminal_id(struct engine *e)
{
	return e->terminal_id;
}

const char *engine_config_path(struct engine *e)
{
	return e->config_path;
}

static int now_of(struct engine *e, struct prclock_now *ret)
{
	return prclock_read(e->opts.clock, ret);
}

static const char *who(const char *caller)
{
	return caller ? caller : "";
}

/* ---- change notification ----------------------------------------- */

static void fnv(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= UINT64_C(0x100000001b3);
	}
}

/* A digest of everything the daemon exports, to notify on change only. */
static uint64_t fingerprint(struct engine *e)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	struct prclock_now now;
	unsigned retries;
	size_t i, n = 0;

	if (now_of(e, &now) < 0 || lock_reasons_load(e->db, &now, &v, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		fnv(&h, v[i].id, strlen(v[i].id) + 1);
		fnv(&h, v[i].subject, strlen(v[i].subject) + 1);
		fnv(&h, v[i].message, strlen(v[i].message) + 1);
		fnv(&h, &v[i].kind, sizeof(v[i].kind));
		fnv(&h, &v[i].until, sizeof(v[i].until));
		fnv(&h, &(bool){ v[i].remaining_us == 0 }, sizeof(bool));
	}
	for (i = 0; i < 2; i++) {
		retries = 0;
		pin_retries_left(e->db, (enum pin_role)i, &e->opts.policy, &now,
				 &retries);
		fnv(&h, &retries, sizeof(retries));
	}
	fnv(&h, &e->last_when_us, sizeof(e->last_when_us));
	for (i = 0; i < e->n_last; i++) {
		fnv(&h, &e->last[i].check, sizeof(e->last[i].check));
		fnv(&h, &e->last[i].status, sizeof(e->last[i].status));
		fnv(&h, e->last[i].subject, strlen(e->last[i].subject) + 1);
		fnv(&h, e->last[i].message, strlen(e->last[i].message) + 1);
	}
	fnv(&h, e->terminal_id, strlen(e->terminal_id));
	return h;
}

static void notify(struct engine *e)
{
	uint64_t h = fingerprint(e);

	if (h == e->fingerprint)
		return;
	e->fingerprint = h;
	if (e->changed)
		e->changed(e, e->userdata);
}

void engine_set_changed_callback(struct engine *e, engine_changed_fn fn,
				 void *userdata)
{
	e->changed = fn;
	e->userdata = userdata;
}

/* ---- helpers ------------------------------------------------------- */

static int load_terminal_id(struct engine *e)
{
	size_t len = 0;
	int r;

	r = statedb_meta_get_blob(e->db, "terminal_id", e->terminal_id,
				  sizeof(e->terminal_id) - 1, &len);
	if (r == -ENOENT)
		len = 0;
	else if (r < 0)
		return r;
	e->terminal_id[len] = '\0';
	return 0;
}

static bool provisioned(struct engine *e)
{
	int64_t v = 0;

	return statedb_meta_get_int(e->db, "provisioned", &v) == 0 && v == 1;
}

static int pin_key(struct engine *e, uint8_t key[PIN_KEY_LEN])
{
	return keystore_derive(e->db, "pin-verifier", key);
}

/* New working keys from the master key, never equal to zeroized ones. */
static int make_working_keys(struct engine *e)
{
	uint8_t key[32];
	char label[48];
	int64_t epoch = 0;
	int r;

	statedb_meta_get_int(e->db, "working_epoch", &epoch);
	epoch++;
	snprintf(label, sizeof(label), "working-data:%lld", (long long)epoch);
	r = keystore_derive(e->db, label, key);
	if (r < 0)
		return r;
	r = keystore_put(e->db, KEY_NAME_DATA, KEY_AES128, KEY_CLASS_WORKING,
			 key, WORKING_KEY_LEN, NULL);
	secure_zero(key, sizeof(key));
	if (r < 0)
		return r;
	return statedb_meta_set_int(e->db, "working_epoch", epoch);
}

static int add_reason(struct engine *e, const struct prclock_now *now,
		      const char *id, const char *subject, const char *msg,
		      unsigned clears)
{
	struct lock_reason reason;
	int r;

	r = lock_reason_init(&reason, id, subject, now, msg);
	if (r < 0)
		return r;
	if (clears)
		reason.clears = clears;
	return lock_reason_put(e->db, &reason);
}

/*
 * Exactly what the wire protocol lets a reader call itself (printable
 * ASCII, spaces included): a serial refused here could neither be paired
 * nor carry a reason, and its reader would go unjudged.
 */
static bool serial_ok(const char *s)
{
	size_t i;

	if (!s || !*s)
		return false;
	for (i = 0; s[i]; i++)
		if (i >= PRW_STR_MAX || s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* The work of one transaction, between begin and commit; negative errno
 * on failure, which rolls the transaction back. */
typedef int (*txn_fn)(struct engine *e, const struct prclock_now *now,
		      void *data);

enum {
	TXN_NOTIFY = 1 << 0, /* after the commit, tell the changed callback */
	TXN_CHECKPOINT = 1 << 1, /* after the commit, truncate the WAL */
};

/*
 * Read the clock, run fn in one transaction: roll back if it fails,
 * commit if not, then do what flags ask. Returns fn's error or commit's.
 */
static int transact(struct engine *e, txn_fn fn, void *data, unsigned flags)
{
	struct prclock_now now;
	int r;

	r = now_of(e, &now);
	if (r < 0)
		return r;
	r = statedb_begin(e->db);
	if (r < 0)
		return r;
	r = fn(e, &now, data);
	if (r < 0) {
		statedb_rollback(e->db);
		return r;
	}
	r = statedb_commit(e->db);
	/* Do not leave old key pages in the write-ahead log. */
	if (flags & TXN_CHECKPOINT)
		statedb_exec(e->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	if (flags & TXN_NOTIFY)
		notify(e);
	return r;
}

/* ---- the lock view --------------------------------------------------- */

static void view_drop(struct lock_view *view)
{
	free(view->v);
	*view = (struct lock_view){ 0 };
}

static int view_load(struct engine *e)
{
	struct prclock_now now;
	struct lock_reason *v;
	size_t n;
	int r;

	view_drop(&e->view);
	/* Mid-transaction reads see rows that may yet be rolled back. */
	if (statedb_in_transaction(e->db))
		return -EBUSY;
	r = now_of(e, &now);
	if (r < 0)
		return r;
	r = lock_reasons_load(e->db, &now, &v, &n);
	if (r < 0)
		return r;
	e->view = (struct lock_view){
		.v = v,
		.n = n,
		.generation = statedb_generation(e->db),
		.changes = statedb_total_changes(e->db),
		.valid = true,
	};
	return 0;
}

static void view_committed(struct statedb *db, void *userdata)
{
	/* On failure the view stays invalid and the next read retries. */
	view_load(userdata);
}

/* The committed reasons, current; -EBUSY inside a transaction. */
static int view_get(struct engine *e, const struct lock_view **ret)
{
	const struct lock_view *view = &e->view;
	int r;

	if (!view->valid || view->generation != statedb_generation(e->db) ||
	    view->changes != statedb_total_changes(e->db) ||
	    statedb_in_transaction(e->db)) {
		r = view_load(e);
		if (r < 0)
			return r;
	}
	*ret = view;
	return 0;
}

/* A copy of the view with the times at now, as lock_reasons_load() has. */
static int view_copy(const struct lock_view *view,
		     const struct prclock_now *now, struct lock_reason **ret,
		     size_t *ret_n)
{
	struct lock_reason *v = NULL;
	size_t i;

	if (view->n) {
		v = malloc(view->n * sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	for (i = 0; i < view->n; i++) {
		/* A copy: a deadline from another boot restarts in it only. */
		struct prdeadline d = view->v[i].until;

		v[i] = view->v[i];
		if (v[i].kind != LOCK_KIND_TIMED)
			continue;
		v[i].remaining_us = prdeadline_remaining(&d, now, NULL);
		v[i].until_wall_us = now->wall_us + (int64_t)v[i].remaining_us;
	}
	*ret = v;
	*ret_n = view->n;
	return 0;
}

/*
 * The reasons that hold at now: from the view, or inside a transaction
 * from the database itself.
 */
static int reasons_at(struct engine *e, const struct prclock_now *now,
		      struct lock_reason **ret, size_t *ret_n)
{
	const struct lock_view *view;
	struct lock_reason *v;
	size_t i, n, k = 0;
	int r;

	r = view_get(e, &view);
	if (r == -EBUSY)
		r = lock_reasons_load(e->db, now, &v, &n);
	else if (r == 0)
		r = view_copy(view, now, &v, &n);
	if (r < 0)
		return r;
	/* Expired but not yet refreshed away: no longer holds. */
	for (i = 0; i < n; i++)
		if (v[i].kind != LOCK_KIND_TIMED || v[i].remaining_us)
			v[k++] = v[i];
	*ret = v;
	*ret_n = k;
	return 0;
}

/* ---- open / close -------------------------------------------------- */

static int record_state_health(struct engine *e, const struct statedb_health *h,
			       const struct prclock_now *now)
{
	char msg[LOCK_MESSAGE_MAX];
	int r;

	if (!(h->flags & STATEDB_SUSPECT) && !(h->flags & STATEDB_NEW))
		return 0;
	r = statedb_begin(e->db);
	if (r < 0)
		return r;
	if (h->flags & STATEDB_SUSPECT) {
		snprintf(msg, sizeof(msg), "state database: %.200s", h->detail);
		r = add_reason(e, now, LOCK_R_INTEGRITY, STATE_DB_SUBJECT, msg,
			       LOCK_CLEARS_ACQUIRER_TOKEN |
				       LOCK_CLEARS_REPROVISIONING);
		if (r == 0)
			r = audit_append(e->db, now, "state-integrity",
					 "posreaderd", h->detail);
	} else {
		r = audit_append(e->db, now, "state-created", "posreaderd", "");
	}
	if (r < 0) {
		statedb_rollback(e->db);
		return r;
	}
	return statedb_commit(e->db);
}

static int ensure_unprovisioned_reason(struct engine *e,
				       const struct prclock_now *now)
{
	int r;

	if (provisioned(e))
		return 0;
	r = lock_reason_exists(e->db, LOCK_R_UNPROVISIONED, "");
	if (r != 0)
		return r < 0 ? r : 0;
	r = statedb_begin(e->db);
	if (r < 0)
		return r;
	r = add_reason(e, now, LOCK_R_UNPROVISIONED, "",
		       "the terminal has no keys yet; it must be provisioned",
		       0);
	if (r < 0) {
		statedb_rollback(e->db);
		return r;
	}
	return statedb_commit(e->db);
}

int engine_open(const char *state_dir, const char *config_path,
		const struct engine_options *opts, struct engine **ret)
{
	struct statedb_health health;
	struct prclock_now now;
	struct engine *e;
	int r;

	if (!state_dir || !ret)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (opts)
		e->opts = *opts;
	else
		engine_options_default(&e->opts);
	if (e->opts.policy.max_failures == 0 ||
	    e->opts.policy.max_per_hour == 0 ||
	    e->opts.policy.kdf_iterations == 0) {
		r = -EINVAL;
		goto fail;
	}
	if (config_path) {
		e->config_path = strdup(config_path);
		if (!e->config_path) {
			r = -ENOMEM;
			goto fail;
		}
	}
	r = now_of(e, &now);
	if (r < 0)
		goto fail;
	r = statedb_open(state_dir, &e->db, &health);
	if (r < 0)
		goto fail;
	statedb_set_commit_callback(e->db, view_committed, e);
	r = record_state_health(e, &health, &now);
	if (r < 0)
		goto fail;
	/* Before anything else: an interrupted attempt is a failure. */
	r = pin_recover(e->db, &e->opts.policy, &now, NULL);
	if (r < 0)
		goto fail;
	/* After a reboot, timed reasons restart from now: persist that. */
	r = statedb_begin(e->db);
	if (r < 0)
		goto fail;
	r = lock_reasons_refresh(e->db, &now, NULL);
	if (r == 0)
		r = statedb_commit(e->db);
	else
		statedb_rollback(e->db);
	if (r < 0)
		goto fail;
	r = load_terminal_id(e);
	if (r < 0)
		goto fail;
	r = ensure_unprovisioned_reason(e, &now);
	if (r < 0)
		goto fail;
	r = engine_run_selftest(e, NULL, 0, "posreaderd", NULL, NULL);
	if (r < 0)
		goto fail;
	e->fingerprint = fingerprint(e);
	*ret = e;
	return 0;
fail:
	engine_close(e);
	return r;
}

void engine_close(struct engine *e)
{
	if (!e)
		return;
	statedb_close(e->db);
	view_drop(&e->view);
	free(e->config_path);
	free(e->last);
	free(e);
}

/* ---- state ---------------------------------------------------------- */

/* Names of the timed reasons in v that have run out, for the audit. */
static void expired_names(const struct lock_reason *v, size_t n, char *buf,
			  size_t cap)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < cap; i++)
		if (v[i].kind == LOCK_KIND_TIMED && v[i].remaining_us == 0)
			off += (size_t)snprintf(buf + off, cap - off, "%s%s",
						off ? ", " : "", v[i].id);
}

int engine_refresh(struct engine *e)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	char detail[AUDIT_DETAIL_MAX];
	struct prclock_now now;
	unsigned changed = 0;
	size_t n = 0;
	int r;

	r = now_of(e, &now);
	if (r < 0)
		return r;
	r = lock_reasons_load(e->db, &now, &v, &n);
	if (r < 0)
		return r;
	expired_names(v, n, detail, sizeof(detail));
	r = statedb_begin(e->db);
	if (r < 0)
		return r;
	r = lock_reasons_refresh(e->db, &now, &changed);
	if (r == 0 && changed && detail[0])
		r = audit_append(e->db, &now, "lock-expired", "posreaderd",
				 detail);
	if (r < 0 || !changed) {
		statedb_rollback(e->db);
		return r;
	}
	r = statedb_commit(e->db);
	if (r < 0)
		return r;
	notify(e);
	return 0;
}

int engine_reasons(struct engine *e, struct lock_reason **ret, size_t *ret_n)
{
	struct prclock_now now;
	int r;

	r = now_of(e, &now);
	if (r < 0)
		return r;
	return reasons_at(e, &now, ret, ret_n);
}

enum lock_state engine_lock_state(struct engine *e)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	const struct lock_view *view;
	struct prclock_now now;
	size_t n = 0;

	/* If the state cannot be read, it cannot be active. */
	if (now_of(e, &now) < 0)
		return LOCK_STATE_BLOCKED;
	/* The card-service path: no reason at all, nothing to work out. */
	if (view_get(e, &view) == 0 && view->n == 0)
		return LOCK_STATE_ACTIVE;
	if (reasons_at(e, &now, &v, &n) < 0)
		return LOCK_STATE_BLOCKED;
	return lock_state_of(v, n);
}

int engine_next_expiry(struct engine *e, uint64_t *ret_us)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	uint64_t best = UINT64_MAX;
	size_t i, n = 0;
	int r;

	r = engine_reasons(e, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		if (v[i].kind == LOCK_KIND_TIMED && v[i].remaining_us < best)
			best = v[i].remaining_us;
	if (best == UINT64_MAX)
		return -ENOENT;
	*ret_us = best;
	return 0;
}

int engine_locked_until(struct engine *e, int64_t *ret_wall_us)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	int64_t until = 0;
	size_t i, n = 0;
	int r;

	r = engine_reasons(e, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		if (v[i].kind == LOCK_KIND_TIMED && v[i].until_wall_us > until)
			until = v[i].until_wall_us;
	*ret_wall_us = until;
	return 0;
}

int engine_pin_status(struct engine *e, enum pin_role role,
		      unsigned *ret_retries, int64_t *ret_locked_until_us)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	struct prclock_now now;
	int64_t until = 0;
	size_t i, n = 0;
	int r;

	r = now_of(e, &now);
	if (r < 0)
		return r;
	r = engine_reasons(e, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].id, pin_role_reason(role)) != 0)
			continue;
		until = v[i].kind == LOCK_KIND_TIMED ? v[i].until_wall_us :
						       INT64_MAX;
	}
	if (ret_retries) {
		r = pin_retries_left(e->db, role, &e->opts.policy, &now,
				     ret_retries);
		if (r < 0)
			return r;
	}
	if (ret_locked_until_us)
		*ret_locked_until_us = until;
	return 0;
}

/* ---- PINs ------------------------------------------------------------ */

int engine_verify_pin(struct engine *e, enum pin_role role, const char *pin,
		      const char *caller, struct pin_outcome *ret)
{
	uint8_t key[PIN_KEY_LEN];
	struct prclock_now now;
	int r;

	if (!ret || (role != PIN_ROLE_OPERATOR && role != PIN_ROLE_SUPERVISOR))
		return -EINVAL;
	r = now_of(e, &now);
	if (r < 0)
		return r;
	r = pin_key(e, key);
	if (r == -ENOKEY || r == -ENOENT) {
		memset(ret, 0, sizeof(*ret));
		ret->result = PIN_NOT_SET;
		return 0;
	}
	if (r < 0)
		return r;
	r = pin_verify(e->db, role, key, pin, &e->opts.policy, &now,
		       who(caller), ret);
	secure_zero(key, sizeof(key));
	notify(e);
	return r;
}

struct change_pin_args {
	enum pin_role role;
	const uint8_t *key;
	const char *new_pin, *caller;
};

static int change_pin_txn(struct engine *e, const struct prclock_now *now,
			  void *data)
{
	struct change_pin_args *a = data;

	return pin_set(e->db, a->role, a->key, a->new_pin, &e->opts.policy, now,
		       who(a->caller));
}

int engine_change_pin(struct engine *e, enum pin_role role,
		      enum pin_role auth_role, const char *auth_pin,
		      const char *new_pin, const char *caller,
		      struct pin_outcome *ret, const char **ret_why)
{
	uint8_t key[PIN_KEY_LEN];
	struct change_pin_args a = {
		.role = role, .key = key, .new_pin = new_pin, .caller = caller
	};
	int r;

	if (!ret || (auth_role != role && !(role == PIN_ROLE_OPERATOR &&
					    auth_role == PIN_ROLE_SUPERVISOR)))
		return -EPERM;
	/* Reject a bad new PIN before it can cost an attempt. */
	r = pin_check_policy(new_pin, ret_why);
	if (r < 0)
		return r;
	r = engine_verify_pin(e, auth_role, auth_pin, caller, ret);
	if (r < 0 || ret->result != PIN_ACCEPTED)
		return r;
	r = pin_key(e, key);
	if (r < 0)
		return r;
	r = transact(e, change_pin_txn, &a, 0);
	if (r == 0)
		ret->retries_left = e->opts.policy.max_failures;
	secure_zero(key, sizeof(key));
	notify(e);
	return r;
}

struct caller_args {
	const char *caller;
};

static int supervisor_unlock_txn(struct engine *e,
				 const struct prclock_now *now, void *data)
{
	struct caller_args *a = data;
	int r;

	r = pin_clear_lockout(e->db, PIN_ROLE_OPERATOR);
	if (r == 0)
		r = audit_append(e->db, now, "operator-unlocked",
				 who(a->caller), "by supervisor PIN");
	return r;
}

int engine_supervisor_unlock(struct engine *e, const char *supervisor_pin,
			     const char *caller, struct pin_outcome *ret)
{
	struct caller_args a = { .caller = caller };
	int r;

	r = engine_verify_pin(e, PIN_ROLE_SUPERVISOR, supervisor_pin, caller,
			      ret);
	if (r < 0 || ret->result != PIN_ACCEPTED)
		return r;
	return transact(e, supervisor_unlock_txn, &a, TXN_NOTIFY);
}

/* ---- tokens ----------------------------------------------------------- */

struct challenge_args {
	const char *caller;
	uint8_t *challenge;
};

static int unlock_challenge_txn(struct engine *e, const struct prclock_now *now,
				void *data)
{
	struct challenge_args *a = data;
	int r;

	r = challenge_new(e->db, now, a->challenge);
	if (r == 0)
		r = audit_append(e->db, now, "token-challenge", who(a->caller),
				 "");
	return r;
}

int engine_unlock_challenge(struct engine *e, const char *caller,
			    uint8_t ret[TOKEN_CHALLENGE_LEN])
{
	struct challenge_args a = { .caller = caller, .challenge = ret };

	return transact(e, unlock_challenge_txn, &a, 0);
}

static int token_errno(enum token_error t)
{
	switch (t) {
	case TOKEN_OK:
		return 0;
	case TOKEN_E_VERSION:
		return -EPROTONOSUPPORT;
	case TOKEN_E_NO_KEY:
		return -ENOKEY;
	case TOKEN_E_WRONG_KEY:
	case TOKEN_E_SIGNATURE:
		return -EKEYREJECTED;
	case TOKEN_E_TERMINAL:
		return -EXDEV;
	case TOKEN_E_EXPIRED:
		return -EKEYEXPIRED;
	case TOKEN_E_CHALLENGE:
		return -ESTALE;
	case TOKEN_E_REPLAY:
		return -EALREADY;
	default:
		return -EBADMSG;
	}
}

/* Decide whether a token may be applied; TOKEN_OK or why not. */
static int check_token(struct engine *e, const uint8_t *buf, size_t len,
		       const struct prclock_now *now, struct token *ret)
{
	uint8_t pub[TOKEN_PUBKEY_LEN];
	size_t klen = 0;
	int r;

	r = token_parse(buf, len, ret);
	if (r != TOKEN_OK)
		return r;
	r = keystore_get(e->db, KEY_NAME_ACQUIRER, pub, sizeof(pub), &klen,
			 NULL);
	if (r == -ENOENT || r == -EBADMSG || (r == 0 && klen != sizeof(pub)))
		return TOKEN_E_NO_KEY;
	if (r < 0)
		return r;
	r = token_verify(buf, len, pub, ret);
	if (r != TOKEN_OK)
		return r;
	if (!e->terminal_id[0] || strcmp(ret->terminal_id, e->terminal_id))
		return TOKEN_E_TERMINAL;
	if (now->wall_us < 0 ||
	    ret->expiry < (uint64_t)now->wall_us / USEC_PER_SEC)
		return TOKEN_E_EXPIRED;
	r = challenge_check(e->db, now, ret->challenge);
	if (r == -EALREADY)
		return TOKEN_E_REPLAY;
	if (r == -ESTALE)
		return TOKEN_E_CHALLENGE;
	return r;
}

static int apply_unlock(struct engine *e, const struct prclock_now *now,
			unsigned *ret_cleared)
{
	bool tamper, audit_broken, working;
	uint8_t kcv[KEYSTORE_KCV_LEN];
	int r;

	r = lock_reason_exists(e->db, LOCK_R_TAMPER, NULL);
	if (r < 0)
		return r;
	tamper = r;
	r = lock_reason_exists(e->db, LOCK_R_INTEGRITY,
			       selftest_check_name(SELFTEST_AUDIT));
	if (r < 0)
		return r;
	audit_broken = r;
	r = lock_reason_remove_cleared_by(e->db, LOCK_CLEARS_ACQUIRER_TOKEN,
					  ret_cleared);
	if (r < 0)
		return r;
	r = pin_clear_lockout(e->db, PIN_ROLE_OPERATOR);
	if (r == 0)
		r = pin_clear_lockout(e->db, PIN_ROLE_SUPERVISOR);
	if (r < 0)
		return r;
	working = keystore_get_kcv(e->db, KEY_NAME_DATA, kcv) == 0;
	if ((tamper || !working) && provisioned(e)) {
		r = make_working_keys(e);
		if (r < 0)
			return r;
	}
	if (audit_broken)
		return audit_reanchor(e->db);
	return 0;
}

int engine_apply_token(struct engine *e, const uint8_t *buf, size_t len,
		       const char *caller, enum token_error *ret_error)
{
	char detail[AUDIT_DETAIL_MAX], msg[LOCK_MESSAGE_MAX];
	struct prclock_now now;
	struct token t;
	unsigned cleared = 0;
	int r, terr;

	r = now_of(e, &now);
	if (r < 0)
		return r;
	terr = check_token(e, buf, len, &now, &t);
	if (terr < 0)
		return terr;
	if (ret_error)
		*ret_error = (enum token_error)terr;

	r = statedb_begin(e->db);
	if (r < 0)
		return r;
	if (terr != TOKEN_OK) {
		snprintf(detail, sizeof(detail), "refused: %s",
			 token_error_name((enum token_error)terr));
		r = audit_append(e->db, &now, "token-refused", who(caller),
				 detail);
		if (r < 0)
			goto fail;
		r = statedb_commit(e->db);
		return r < 0 ? r : token_errno((enum token_error)terr);
	}

	r = challenge_use(e->db, t.challenge);
	if (r < 0)
		goto fail;
	if (t.type == TOKEN_SEAL) {
		snprintf(msg, sizeof(msg), "sealed by the acquirer%s%s",
			 t.message[0] ? ": " : "", t.message);
		r = add_reason(e, &now, LOCK_R_SEAL, "", msg, 0);
		snprintf(detail, sizeof(detail), "seal: %s", t.message);
	} else {
		r = apply_unlock(e, &now, &cleared);
		snprintf(detail, sizeof(detail), "unlock: %u reasons cleared",
			 cleared);
	}
	if (r == 0)
		r = audit_append(e->db, &now,
				 t.type == TOKEN_SEAL ? "token-seal" :
							"token-unlock",
				 who(caller), detail);
	if (r < 0)
		goto fail;
	r = statedb_commit(e->db);
	notify(e);
	return r;
fail:
	statedb_rollback(e->db);
	return r;
}

/* ---- tamper and readers ----------------------------------------------- */

static void tamper_causes(unsigned cause, char *buf, size_t cap)
{
	static const char *const names[] = { "case open", "mesh", "voltage",
					     "temperature", "firmware" };
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ELEMENTSOF(names) && n < cap; i++)
		if (cause & (1u << i))
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
					      n ? ", " : "", names[i]);
	if (!buf[0])
		snprintf(buf, cap, "unspecified");
}

/* Zeroize working keys and set the tamper reason (inside a tx). */
static int tamper_locked(struct engine *e, const struct prclock_now *now,
			 const char *serial, unsigned cause, const char *caller)
{
	char causes[96], msg[LOCK_MESSAGE_MAX];
	unsigned zeroized = 0;
	int r;

	r = keystore_zeroize_class(e->db, KEY_CLASS_WORKING, &zeroized);
	if (r < 0)
		return r;
	tamper_causes(cause, causes, sizeof(causes));
	snprintf(msg, sizeof(msg),
		 "reader %s reported tamper (%s); the working keys were "
		 "zeroized",
		 serial, causes);
	r = add_reason(e, now, LOCK_R_TAMPER, serial, msg, 0);
	if (r < 0)
		return r;
	snprintf(msg, sizeof(msg), "reader %s: %s; %u keys zeroized", serial,
		 causes, zeroized);
	return audit_append(e->db, now, "tamper", who(caller), msg);
}

struct reader_args {
	const char *serial, *caller, *why;
	unsigned cause;
	bool ok;
};

static int report_tamper_txn(struct engine *e, const struct prclock_now *now,
			     void *data)
{
	struct reader_args *a = data;

	return tamper_locked(e, now, a->serial, a->cause, a->caller);
}

int engine_report_tamper(struct engine *e, const char *serial, unsigned cause,
			 const char *caller)
{
	struct reader_args a = { .serial = serial,
				 .caller = caller,
				 .cause = cause };

	if (!serial_ok(serial))
		return -EINVAL;
	return transact(e, report_tamper_txn, &a, TXN_CHECKPOINT | TXN_NOTIFY);
}

static int reader_authenticated_txn(struct engine *e,
				    const struct prclock_now *now, void *data)
{
	struct reader_args *a = data;
	char msg[LOCK_MESSAGE_MAX];
	int r;

	if (a->ok)
		return audit_append(e->db, now, "reader-authenticated",
				    who(a->caller), a->serial);
	snprintf(msg, sizeof(msg), "reader %s is not genuine: %s", a->serial,
		 a->why && *a->why ? a->why : "authentication failed");
	r = add_reason(e, now, LOCK_R_READER, a->serial, msg, 0);
	if (r == 0)
		r = audit_append(e->db, now, "reader-not-genuine",
				 who(a->caller), msg);
	return r;
}

int engine_reader_authenticated(struct engine *e, const char *serial, bool ok,
				const char *why, const char *caller)
{
	struct reader_args a = {
		.serial = serial, .caller = caller, .why = why, .ok = ok
	};

	if (!serial_ok(serial))
		return -EINVAL;
	return transact(e, reader_authenticated_txn, &a, TXN_NOTIFY);
}

int engine_reader_paired(struct engine *e, const char *serial)
{
	char name[KEYSTORE_NAME_MAX];
	uint8_t kcv[KEYSTORE_KCV_LEN];
	int r;

	if (!serial_ok(serial))
		return -EINVAL;
	snprintf(name, sizeof(name), "%s%s", KEY_PAIRING_PREFIX, serial);
	r = keystore_get_kcv(e->db, name, kcv);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

int engine_check_reader_auth(struct engine *e, const char *serial,
			     const uint8_t *challenge, const uint8_t *response,
			     const char *caller, bool *ret_ok)
{
	struct selftest_result res = { 0 };
	bool ok;
	int r;

	if (!serial_ok(serial) || !challenge)
		return -EINVAL;
	r = selftest_reader_auth(e->db, serial, challenge, response, &res);
	if (r < 0)
		return r;
	ok = res.status == SELFTEST_PASS;
	r = engine_reader_authenticated(e, serial, ok, res.message, caller);
	if (r < 0)
		return r;
	if (ret_ok)
		*ret_ok = ok;
	return 0;
}

int engine_auth_challenge(uint8_t ret[SELFTEST_AUTH_CHALLENGE_LEN])
{
	return RAND_bytes(ret, SELFTEST_AUTH_CHALLENGE_LEN) == 1 ? 0 : -EIO;
}

/* ---- self-test ------------------------------------------------------- */

static int collect_checks(struct engine *e,
			  const struct engine_reader_report *readers,
			  size_t n_readers, struct selftest_result *v,
			  size_t *n)
{
	size_t i;
	int r;

	if (provisioned(e)) {
		r = selftest_keystore(e->db, &v[(*n)++]);
		if (r < 0)
			return r;
		r = selftest_config(e->db, e->config_path, &v[(*n)++]);
		if (r < 0)
			return r;
	}
	r = selftest_audit(e->db, &v[(*n)++]);
	if (r < 0)
		return r;
	for (i = 0; i < n_readers; i++) {
		const struct engine_reader_report *rd = &readers[i];

		if (!serial_ok(rd->serial))
			return -EINVAL;
		if (rd->auth_challenge) {
			r = selftest_reader_auth(e->db, rd->serial,
						 rd->auth_challenge,
						 rd->auth_response, &v[(*n)++]);
			if (r < 0)
				return r;
		}
		if (rd->firmware) {
			r = selftest_firmware(e->db, rd->serial, rd->firmware,
					      &v[(*n)++]);
			if (r < 0)
				return r;
		}
		r = selftest_tamper(rd->serial, rd->tamper, &v[(*n)++]);
		if (r < 0)
			return r;
	}
	return 0;
}

int engine_run_selftest(struct engine *e,
			const struct engine_reader_report *readers,
			size_t n_readers, const char *caller,
			struct selftest_result **ret, size_t *ret_n)
{
	_cleanup_free_ struct selftest_result *v = NULL;
	struct prclock_now now;
	bool zeroized = false;
	size_t i, n = 0;
	int r;

	if (n_readers > 64 || (n_readers && !readers))
		return -EINVAL;
	v = calloc(3 + 3 * n_readers, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r = now_of(e, &now);
	if (r < 0)
		return r;
	r = collect_checks(e, readers, n_readers, v, &n);
	if (r < 0)
		return r;

	r = statedb_begin(e->db);
	if (r < 0)
		return r;
	/* Tamper seen by the self-test zeroizes just as an event does. */
	for (i = 0; i < n_readers && r == 0; i++)
		if (readers[i].tamper &&
		    lock_reason_exists(e->db, LOCK_R_TAMPER,
				       readers[i].serial) == 0) {
			r = tamper_locked(e, &now, readers[i].serial,
					  readers[i].tamper, caller);
			zeroized = true;
		}
	if (r == 0)
		r = selftest_apply(e->db, &now, v, n, who(caller), NULL);
	if (r < 0) {
		statedb_rollback(e->db);
		return r;
	}
	r = statedb_commit(e->db);
	if (r < 0)
		return r;
	if (zeroized)
		statedb_exec(e->db, "PRAGMA wal_checkpoint(TRUNCATE)");

	free(e->last);
	e->last = malloc(n * sizeof(*v));
	e->n_last = e->last ? n : 0;
	if (e->last)
		memcpy(e->last, v, n * sizeof(*v));
	e->last_when_us = now.wall_us;
	notify(e);
	if (ret) {
		*ret = v;
		v = NULL;
	}
	if (ret_n)
		*ret_n = n;
	return 0;
}

int engine_selftest_results(struct engine *e, struct selftest_result **ret,
			    size_t *ret_n, int64_t *ret_when_us)
{
	struct selftest_result *v = NULL;

	if (e->n_last) {
		v = malloc(e->n_last * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memcpy(v, e->last, e->n_last * sizeof(*v));
	}
	*ret = v;
	*ret_n = e->n_last;
	if (ret_when_us)
		*ret_when_us = e->last_when_us;
	return 0;
}

/* ---- configuration ---------------------------------------------------- */

/* Seal data as the configuration's contents and audit it (inside a tx). */
static int seal_config_locked(struct engine *e, const struct prclock_now *now,
			      const uint8_t *data, size_t len,
			      const char *caller)
{
	char name[AUDIT_DETAIL_MAX];
	int r;

	r = selftest_config_seal(e->db, e->config_path, data, len);
	if (r < 0)
		return r;
	return audit_append(
		e->db, now, "config-sealed", who(caller),
		selftest_path_shown(e->config_path, name, sizeof(name)));
}

/* Run the configuration check and apply its result (inside a tx). */
static int recheck_config_locked(struct engine *e,
				 const struct prclock_now *now,
				 const char *caller,
				 struct selftest_result *ret)
{
	int r;

	r = selftest_config(e->db, e->config_path, ret);
	if (r < 0)
		return r;
	return selftest_apply(e->db, now, ret, 1, who(caller), NULL);
}

/* Put a configuration check's result into the kept self-test results. */
static void remember_config_result(struct engine *e,
				   const struct selftest_result *res)
{
	struct selftest_result *v;
	size_t i;

	for (i = 0; i < e->n_last; i++)
		if (e->last[i].check == SELFTEST_CONFIG) {
			e->last[i] = *res;
			return;
		}
	v = realloc(e->last, (e->n_last + 1) * sizeof(*v));
	if (!v)
		return;
	v[e->n_last] = *res;
	e->last = v;
	e->n_last++;
}

/*
 * Provisioning vouches for the configuration as it is: seal it, or
 * forget an old seal if it cannot be read (the check then says why).
 */
static int provision_config_locked(struct engine *e,
				   const struct prclock_now *now,
				   const char *caller)
{
	_cleanup_free_ uint8_t *data = NULL;
	size_t len = 0;

	if (!e->config_path)
		return 0;
	if (selftest_config_read(e->config_path, &data, &len) < 0)
		return selftest_config_unseal(e->db);
	return seal_config_locked(e, now, data, len, caller);
}

struct seal_args {
	const uint8_t *data;
	size_t len;
	const char *caller;
	struct selftest_result res;
};

static int seal_config_txn(struct engine *e, const struct prclock_now *now,
			   void *data)
{
	struct seal_args *a = data;
	int r;

	r = seal_config_locked(e, now, a->data, a->len, a->caller);
	if (r < 0)
		return r;
	return recheck_config_locked(e, now, a->caller, &a->res);
}

int engine_seal_config(struct engine *e, const uint8_t *data, size_t len,
		       const char *caller, struct selftest_result *ret)
{
	_cleanup_free_ uint8_t *contents = NULL;
	struct seal_args a = { .data = data, .len = len, .caller = caller };
	int r;

	if (!e->config_path)
		return -ENOENT;
	if (!provisioned(e))
		return -ENOKEY;
	if (!data) {
		r = selftest_config_read(e->config_path, &contents, &a.len);
		if (r < 0)
			return r;
		a.data = contents;
	} else if (len > SELFTEST_CONFIG_MAX) {
		return -EFBIG;
	}
	r = transact(e, seal_config_txn, &a, 0);
	if (r < 0)
		return r;
	remember_config_result(e, &a.res);
	notify(e);
	if (ret)
		*ret = a.res;
	return 0;
}

/* ---- provisioning and pairing ------------------------------------------ */

static bool master_type_ok(enum key_type t)
{
	return t == KEY_AES128 || t == KEY_AES192 || t == KEY_AES256 ||
	       t == KEY_TDES2 || t == KEY_TDES3;
}

static int provision_locked(struct engine *e,
			    const struct engine_provisioning *p,
			    const struct prclock_now *now, const char *caller)
{
	uint8_t key[PIN_KEY_LEN], kcv[KEYSTORE_KCV_LEN];
	char detail[AUDIT_DETAIL_MAX], mk[8], ak[8];
	const char *allow = p->firmware_allowlist ? p->firmware_allowlist : "";
	int r;

	r = keystore_put(e->db, KEY_NAME_MASTER, p->master_type,
			 KEY_CLASS_MASTER, p->master_key, p->master_len,
			 p->master_kcv);
	if (r < 0)
		return r;
	r = keystore_put(e->db, KEY_NAME_ACQUIRER, KEY_ED25519_PUB,
			 KEY_CLASS_PUBLIC, p->acquirer_pub, TOKEN_PUBKEY_LEN,
			 p->acquirer_kcv);
	if (r < 0)
		return r;
	r = make_working_keys(e);
	if (r < 0)
		return r;
	r = pin_key(e, key);
	if (r < 0)
		return r;
	r = pin_set(e->db, PIN_ROLE_OPERATOR, key, p->operator_pin,
		    &e->opts.policy, now, caller);
	if (r == 0)
		r = pin_set(e->db, PIN_ROLE_SUPERVISOR, key, p->supervisor_pin,
			    &e->opts.policy, now, caller);
	secure_zero(key, sizeof(key));
	if (r < 0)
		return r;
	r = statedb_meta_set_blob(e->db, "terminal_id", p->terminal_id,
				  strlen(p->terminal_id));
	if (r == 0)
		r = statedb_meta_set_blob(e->db, "firmware_allowlist", allow,
					  strlen(allow));
	if (r == 0)
		r = statedb_meta_set_int(e->db, "provisioned", 1);
	if (r == 0)
		r = lock_reason_remove_cleared_by(
			e->db, LOCK_CLEARS_REPROVISIONING, NULL);
	if (r < 0)
		return r;
	keystore_kcv(p->master_type, p->master_key, p->master_len, kcv);
	keystore_kcv_hex(kcv, mk);
	keystore_kcv(KEY_ED25519_PUB, p->acquirer_pub, TOKEN_PUBKEY_LEN, kcv);
	keystore_kcv_hex(kcv, ak);
	snprintf(detail, sizeof(detail),
		 "terminal %s, master key KCV %s, acquirer key KCV %s",
		 p->terminal_id, mk, ak);
	r = audit_append(e->db, now, "provisioned", caller, detail);
	if (r < 0)
		return r;
	return provision_config_locked(e, now, caller);
}

static bool allowlist_ok(const char *s)
{
	size_t i;

	if (!s)
		return true;
	for (i = 0; s[i]; i++)
		if (i >= 512 || s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

struct provision_args {
	const struct engine_provisioning *p;
	const char *caller;
	struct selftest_result config;
};

static int provision_txn(struct engine *e, const struct prclock_now *now,
			 void *data)
{
	struct provision_args *a = data;
	int r;

	r = provision_locked(e, a->p, now, who(a->caller));
	if (r < 0 || !e->config_path)
		return r;
	/* Sealed just now: a configuration reason it may clear goes. */
	return recheck_config_locked(e, now, a->caller, &a->config);
}

int engine_provision(struct engine *e, const struct engine_provisioning *p,
		     const char *caller)
{
	struct provision_args a = { .p = p, .caller = caller };
	int r;

	if (!p || !token_terminal_id_valid(p->terminal_id) ||
	    !master_type_ok(p->master_type) || !p->master_key ||
	    p->master_len != keystore_type_len(p->master_type) ||
	    !p->master_kcv || !p->acquirer_pub ||
	    !allowlist_ok(p->firmware_allowlist))
		return -EINVAL;
	if (pin_check_policy(p->operator_pin, NULL) < 0 ||
	    pin_check_policy(p->supervisor_pin, NULL) < 0)
		return -EINVAL;
	r = transact(e, provision_txn, &a, 0);
	if (r < 0)
		return r;
	r = load_terminal_id(e);
	if (r < 0)
		return r;
	if (e->config_path)
		remember_config_result(e, &a.config);
	notify(e);
	return 0;
}

struct pair_args {
	const char *serial, *caller;
	const uint8_t *key, *kcv;
	size_t len;
};

static int pair_reader_txn(struct engine *e, const struct prclock_now *now,
			   void *data)
{
	struct pair_args *a = data;
	char name[KEYSTORE_NAME_MAX], detail[AUDIT_DETAIL_MAX], hex[8];
	int r;

	snprintf(name, sizeof(name), "%s%s", KEY_PAIRING_PREFIX, a->serial);
	r = keystore_put(e->db, name, KEY_HMAC256, KEY_CLASS_PAIRING, a->key,
			 a->len, a->kcv);
	if (r == 0)
		r = lock_reason_remove(e->db, LOCK_R_READER, a->serial, NULL);
	if (r < 0)
		return r;
	snprintf(detail, sizeof(detail), "reader %s, KCV %s", a->serial,
		 keystore_kcv_hex(a->kcv, hex));
	return audit_append(e->db, now, "reader-paired", who(a->caller),
			    detail);
}

int engine_pair_reader(struct engine *e, const char *serial, const uint8_t *key,
		       size_t len, const uint8_t *kcv, const char *caller)
{
	struct pair_args a = { .serial = serial,
			       .caller = caller,
			       .key = key,
			       .kcv = kcv,
			       .len = len };

	if (!serial_ok(serial) || !key || !kcv ||
	    len != keystore_type_len(KEY_HMAC256))
		return -EINVAL;
	return transact(e, pair_reader_txn, &a, TXN_NOTIFY);
}

/* ---- audit ------------------------------------------------------------ */

int engine_audit(struct engine *e, int64_t after_seq, size_t max,
		 struct audit_entry **ret, size_t *ret_n)
{
	return audit_list(e->db, after_seq, max, ret, ret_n);
}

int engine_audit_verify(struct engine *e, int64_t *ret_first_bad)
{
	return audit_verify(e->db, ret_first_bad);
}
