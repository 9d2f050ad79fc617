// SPDX-License-Identifier: GPL-2.0-or-later
/* Lock reasons in the state database and the state they imply. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "lock.h"

struct reason_default {
	const char *id;
	enum lock_kind kind;
	unsigned clears;
};

static const struct reason_default defaults[] = {
	{ LOCK_R_OPERATOR_PIN, LOCK_KIND_TIMED,
	  LOCK_CLEARS_TIME | LOCK_CLEARS_SUPERVISOR_PIN |
		  LOCK_CLEARS_ACQUIRER_TOKEN },
	{ LOCK_R_SUPERVISOR_PIN, LOCK_KIND_TIMED,
	  LOCK_CLEARS_TIME | LOCK_CLEARS_ACQUIRER_TOKEN },
	{ LOCK_R_INTEGRITY, LOCK_KIND_BLOCKED,
	  LOCK_CLEARS_SELFTEST | LOCK_CLEARS_ACQUIRER_TOKEN },
	{ LOCK_R_KEYS, LOCK_KIND_BLOCKED, LOCK_CLEARS_REPROVISIONING },
	{ LOCK_R_READER, LOCK_KIND_BLOCKED, LOCK_CLEARS_REPAIRING },
	{ LOCK_R_TAMPER, LOCK_KIND_BLOCKED, LOCK_CLEARS_ACQUIRER_TOKEN },
	{ LOCK_R_SEAL, LOCK_KIND_BLOCKED, LOCK_CLEARS_ACQUIRER_TOKEN },
	{ LOCK_R_UNPROVISIONED, LOCK_KIND_UNPROVISIONED,
	  LOCK_CLEARS_REPROVISIONING },
};

static const char *const clears_names[] = {
	"time",	      "supervisor-pin",	 "acquirer-token",
	"re-pairing", "re-provisioning", "self-test",
};

static const char *const clears_text[] = {
	"time",	      "supervisor PIN",	 "acquirer token",
	"re-pairing", "re-provisioning", "passing self-test",
};

const char *lock_clears_name(unsigned way)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(clears_names); i++)
		if (way == 1u << i)
			return clears_names[i];
	return NULL;
}

const char *lock_clears_describe(unsigned clears, char *buf, size_t cap)
{
	size_t i, n = 0;

	if (!cap)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < ELEMENTSOF(clears_text); i++) {
		if (!(clears & (1u << i)))
			continue;
		n += snprintf(buf + n, n < cap ? cap - n : 0, "%s%s",
			      n ? ", " : "", clears_text[i]);
		if (n >= cap)
			break;
	}
	return buf;
}

const char *lock_state_name(enum lock_state s)
{
	switch (s) {
	case LOCK_STATE_ACTIVE:
		return "active";
	case LOCK_STATE_LOCKED:
		return "locked";
	case LOCK_STATE_BLOCKED:
		return "blocked";
	case LOCK_STATE_UNPROVISIONED:
		return "unprovisioned";
	}
	return "blocked";
}

enum lock_state lock_state_of(const struct lock_reason *r, size_t n)
{
	bool timed = false, unprov = false;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (r[i].kind) {
		case LOCK_KIND_TIMED:
			timed = true;
			break;
		case LOCK_KIND_UNPROVISIONED:
			unprov = true;
			break;
		default:
			/* Anything unknown is treated as the worst case. */
			return LOCK_STATE_BLOCKED;
		}
	}
	if (unprov)
		return LOCK_STATE_UNPROVISIONED;
	return timed ? LOCK_STATE_LOCKED : LOCK_STATE_ACTIVE;
}

static bool text_ok(const char *s, size_t max)
{
	size_t n;

	if (!s)
		return false;
	n = strnlen(s, max);
	return n < max;
}

int lock_reason_init(struct lock_reason *r, const char *id, const char *subject,
		     const struct prclock_now *now, const char *message)
{
	const struct reason_default *d = NULL;
	size_t i;

	if (!subject)
		subject = "";
	if (!message || !text_ok(subject, LOCK_SUBJECT_MAX))
		return -EINVAL;
	for (i = 0; i < ELEMENTSOF(defaults); i++)
		if (id && strcmp(defaults[i].id, id) == 0)
			d = &defaults[i];
	if (!d)
		return -EINVAL;

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->subject, sizeof(r->subject), "%s", subject);
	snprintf(r->message, sizeof(r->message), "%s", message);
	/* Timed only once lock_reason_set_timed() gives it an end. */
	r->kind = d->kind == LOCK_KIND_TIMED ? LOCK_KIND_BLOCKED : d->kind;
	r->clears = d->clears & ~LOCK_CLEARS_TIME;
	r->since_wall_us = now->wall_us;
	return 0;
}

void lock_reason_set_timed(struct lock_reason *r, const struct prclock_now *now,
			   uint64_t duration_us)
{
	r->kind = LOCK_KIND_TIMED;
	r->clears |= LOCK_CLEARS_TIME;
	prdeadline_start(&r->until, now, duration_us);
}

/*
 * Statements run on every commit, refresh and self-test, kept prepared
 * (statedb_prepare_cached(), which keeps the pointer: fixed texts only).
 */
static const char sql_put[] =
	"INSERT OR REPLACE INTO reasons(id, subject, kind, clears, message, "
	"since_wall, boot_id, end_us, duration_us) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_remove[] = "DELETE FROM reasons WHERE id = ?";
static const char sql_remove_subject[] =
	"DELETE FROM reasons WHERE id = ? AND subject = ?";
static const char sql_exists[] = "SELECT 1 FROM reasons WHERE id = ?";
static const char sql_exists_subject[] =
	"SELECT 1 FROM reasons WHERE id = ? AND subject = ?";
static const char sql_load_all[] =
	"SELECT id, subject, kind, clears, message, since_wall, boot_id, "
	"end_us, duration_us FROM reasons ORDER BY id, subject";

int lock_reason_put(struct statedb *db, const struct lock_reason *r)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	bool timed = r->kind == LOCK_KIND_TIMED;
	int rc;

	rc = statedb_prepare_cached(db, sql_put, &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->subject, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->kind);
	sqlite3_bind_int(st, 4, (int)r->clears);
	sqlite3_bind_text(st, 5, r->message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->since_wall_us);
	if (timed) {
		sqlite3_bind_text(st, 7, r->until.boot_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, (int64_t)r->until.end_us);
		sqlite3_bind_int64(st, 9, (int64_t)r->until.duration_us);
	}
	return statedb_errno(sqlite3_step(st));
}

int lock_reason_remove(struct statedb *db, const char *id, const char *subject,
		       unsigned *ret_removed)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(
		db, subject ? sql_remove_subject : sql_remove, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (subject)
		sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r < 0)
		return r;
	if (ret_removed)
		*ret_removed = (unsigned)sqlite3_changes(statedb_sqlite(db));
	return 0;
}

int lock_reason_remove_cleared_by(struct statedb *db, unsigned way,
				  unsigned *ret_removed)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare(db, "DELETE FROM reasons WHERE (clears & ?) != 0",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int(st, 1, (int)way);
	r = statedb_errno(sqlite3_step(st));
	if (r < 0)
		return r;
	if (ret_removed)
		*ret_removed = (unsigned)sqlite3_changes(statedb_sqlite(db));
	return 0;
}

int lock_reason_exists(struct statedb *db, const char *id, const char *subject)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(
		db, subject ? sql_exists_subject : sql_exists, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (subject)
		sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		return 1;
	return statedb_errno(r);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, cap, "%s", s ? (const char *)s : "");
}

static int load_all(struct statedb *db, struct lock_reason **ret, size_t *ret_n)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	_cleanup_free_ struct lock_reason *v = NULL;
	size_t n = 0, cap = 0;
	int r;

	r = statedb_prepare_cached(db, sql_load_all, &st);
	if (r < 0)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct lock_reason *x;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;

			x = reallocarray(v, ncap, sizeof(*v));
			if (!x)
				return -ENOMEM;
			v = x;
			cap = ncap;
		}
		x = &v[n++];
		memset(x, 0, sizeof(*x));
		copy_col(x->id, sizeof(x->id), st, 0);
		copy_col(x->subject, sizeof(x->subject), st, 1);
		x->kind = (enum lock_kind)sqlite3_column_int(st, 2);
		x->clears = (unsigned)sqlite3_column_int(st, 3);
		copy_col(x->message, sizeof(x->message), st, 4);
		x->since_wall_us = sqlite3_column_int64(st, 5);
		if (x->kind == LOCK_KIND_TIMED) {
			copy_col(x->until.boot_id, sizeof(x->until.boot_id), st,
				 6);
			x->until.end_us = (uint64_t)sqlite3_column_int64(st, 7);
			x->until.duration_us =
				(uint64_t)sqlite3_column_int64(st, 8);
		}
	}
	r = statedb_errno(r);
	if (r < 0)
		return r;
	*ret = v;
	v = NULL;
	*ret_n = n;
	return 0;
}

int lock_reasons_refresh(struct statedb *db, const struct prclock_now *now,
			 unsigned *ret_changed)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	unsigned changed = 0;
	size_t i, n;
	int r;

	r = load_all(db, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		bool rebased;
		uint64_t left;

		if (v[i].kind != LOCK_KIND_TIMED)
			continue;
		left = prdeadline_remaining(&v[i].until, now, &rebased);
		if (left == 0)
			r = lock_reason_remove(db, v[i].id, v[i].subject, NULL);
		else if (rebased)
			r = lock_reason_put(db, &v[i]);
		else
			continue;
		if (r < 0)
			return r;
		changed++;
	}
	if (ret_changed)
		*ret_changed = changed;
	return 0;
}

int lock_reasons_load(struct statedb *db, const struct prclock_now *now,
		      struct lock_reason **ret, size_t *ret_n)
{
	struct lock_reason *v;
	size_t i, n;
	int r;

	r = load_all(db, &v, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		struct prdeadline d = v[i].until;

		if (v[i].kind != LOCK_KIND_TIMED)
			continue;
		/* A copy: loading never rewrites what is stored. */
		v[i].remaining_us = prdeadline_remaining(&d, now, NULL);
		v[i].until_wall_us = now->wall_us + (int64_t)v[i].remaining_us;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
