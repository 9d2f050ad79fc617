/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal's persistent security state: one SQLite database in the
 * state directory, written with full sync, plus a sealed generation file
 * and a state key beside it so that a missing, corrupted, replaced or
 * rolled-back database is noticed at open.
 */
#ifndef POSREADER_STATEDB_H
#define POSREADER_STATEDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define STATEDB_SCHEMA_VERSION 1
#define STATEDB_KEY_LEN	       32
#define STATEDB_FILE	       "state.db"
#define STATEDB_SEAL_FILE      "state.seal"
#define STATEDB_KEY_FILE       "state.key"

/*
 * Test hook, documented in docs/security.md: every durable write has a
 * crash point just before and just after it. With
 * POSREADER_TEST_CRASH_AT=N in the environment the process _exit()s with
 * STATEDB_CRASH_EXIT at its N-th crash point, counted from the first
 * statedb_open(). It can only crash, never skip a write.
 */
#define STATEDB_CRASH_ENV  "POSREADER_TEST_CRASH_AT"
#define STATEDB_CRASH_EXIT 86

/* What open found; any flag but STATEDB_NEW means the state is suspect. */
enum statedb_health_flags {
	STATEDB_NEW = 1 << 0,	      /* nothing here before */
	STATEDB_MISSING = 1 << 1,     /* database gone, traces of it remain */
	STATEDB_CORRUPT = 1 << 2,     /* unreadable; moved aside */
	STATEDB_ROLLED_BACK = 1 << 3, /* older than the sealed generation */
	STATEDB_REPLACED = 1 << 4,    /* not the database the seal names */
	STATEDB_SEAL_BAD = 1 << 5,    /* seal file missing or forged */
	STATEDB_KEY_MISSING = 1 << 6, /* state key gone; a new one made */
	STATEDB_VERSION = 1 << 7,     /* schema newer than this build */
};

#define STATEDB_SUSPECT (~(unsigned)STATEDB_NEW)

/* The outcome of statedb_open(), with a sentence for people. */
struct statedb_health {
	unsigned flags;
	char detail[256];
};

struct statedb;

/*
 * Open (or create) the state in dir. Problems with the old state are
 * reported in *ret_health, not as errors: a fresh database is made where
 * needed so the caller can record why it is blocked.
 */
int statedb_open(const char *dir, struct statedb **ret,
		 struct statedb_health *ret_health);

/*
 * Process-wide SQLite memory settings for a long-running daemon; call
 * before any other SQLite use (afterwards it fails with -EIO and changes
 * nothing).
 */
int statedb_memory_setup(void);

/* Close the database; NULL is fine. */
void statedb_close(struct statedb *db);

/* The raw SQLite handle, for prepared statements. */
sqlite3 *statedb_sqlite(struct statedb *db);

/* The 32-byte state key (keys the audit chain and the seal). */
const uint8_t *statedb_state_key(const struct statedb *db);

/* The committed generation; grows by one with every commit. */
uint64_t statedb_generation(const struct statedb *db);

/* Crash points this process has passed (for the crash test). */
unsigned statedb_crash_points(void);

/* Start a write transaction (BEGIN IMMEDIATE). */
int statedb_begin(struct statedb *db);

/* Bump the generation, commit durably and reseal; a write point. */
int statedb_commit(struct statedb *db);

/* Abandon the open transaction, if any. */
void statedb_rollback(struct statedb *db);

/* Run SQL without results; negative errno on failure. */
int statedb_exec(struct statedb *db, const char *sql);

/* Prepare one statement; negative errno on failure. */
int statedb_prepare(struct statedb *db, const char *sql,
		    sqlite3_stmt **ret_stmt);

/*
 * A statement for sql that db keeps prepared until it closes (for hot
 * paths). Never finalize it: release it with statedb_stmt_done() (or
 * _cleanup_stmt_done_) as soon as its results are read, before the same
 * sql is asked for again.
 */
int statedb_prepare_cached(struct statedb *db, const char *sql,
			   sqlite3_stmt **ret_stmt);

/* Reset a cached statement and clear its bindings; NULL is fine. */
void statedb_stmt_done(sqlite3_stmt **stmt);

/* True while a transaction is open: reads then see uncommitted rows. */
bool statedb_in_transaction(struct statedb *db);

/* Rows changed through this connection since it opened, rolled back too. */
int64_t statedb_total_changes(struct statedb *db);

/* Called by statedb_commit() right after each successful COMMIT. */
typedef void (*statedb_commit_fn)(struct statedb *db, void *userdata);

/* Set the commit callback (NULL to remove). */
void statedb_set_commit_callback(struct statedb *db, statedb_commit_fn fn,
				 void *userdata);

/* Map a SQLite result code to a negative errno. */
int statedb_errno(int sqlite_rc);

/* Integer meta value; -ENOENT if unset. */
int statedb_meta_get_int(struct statedb *db, const char *key,
			 int64_t *ret_value);

/* Set an integer meta value (inside a transaction). */
int statedb_meta_set_int(struct statedb *db, const char *key, int64_t value);

/* Blob/text meta value copied into buf; -ENOENT unset, -ENOBUFS too big. */
int statedb_meta_get_blob(struct statedb *db, const char *key, void *buf,
			  size_t cap, size_t *ret_len);

/* Set a blob meta value (inside a transaction). */
int statedb_meta_set_blob(struct statedb *db, const char *key, const void *buf,
			  size_t len);

/* Remove a meta value (inside a transaction). */
int statedb_meta_delete(struct statedb *db, const char *key);

/* Pass a crash point; crashes here if the test hook says so. */
void statedb_crash_point(void);

/* For _cleanup_statedb_. */
static inline void statedb_closep(struct statedb **db)
{
	statedb_close(*db);
}

/* For _cleanup_stmt_. */
static inline void sqlite3_finalizep(sqlite3_stmt **stmt)
{
	if (*stmt)
		sqlite3_finalize(*stmt);
}

#define _cleanup_statedb_   _cleanup_(statedb_closep)
#define _cleanup_stmt_	    _cleanup_(sqlite3_finalizep)
#define _cleanup_stmt_done_ _cleanup_(statedb_stmt_done)

#endif /* POSREADER_STATEDB_H */
