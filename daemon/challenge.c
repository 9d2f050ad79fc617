// SPDX-License-Identifier: GPL-2.0-or-later
/* Fresh, single-use challenges for acquirer tokens. */

#include <errno.h>
#include <openssl/rand.h>
#include <string.h>

#include "util.h"
#include "challenge.h"

enum {
	CHALLENGE_ISSUED = 0,
	CHALLENGE_USED = 1,
};

int challenge_new(struct statedb *db, const struct prclock_now *now,
		  uint8_t ret_challenge[CHALLENGE_LEN])
{
	_cleanup_stmt_ sqlite3_stmt *ins = NULL;
	uint8_t c[CHALLENGE_LEN];
	int r;

	if (RAND_bytes(c, sizeof(c)) != 1)
		return -EIO;
	/* Older unused challenges die; used ones stay to spot replays. */
	r = statedb_exec(db, "DELETE FROM challenges WHERE state = 0");
	if (r < 0)
		return r;
	r = statedb_prepare(db,
			    "INSERT INTO challenges(challenge, boot_id, "
			    "boot_us, state) VALUES (?, ?, ?, 0)",
			    &ins);
	if (r < 0)
		return r;
	sqlite3_bind_blob(ins, 1, c, sizeof(c), SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, now->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, (int64_t)now->boot_us);
	r = statedb_errno(sqlite3_step(ins));
	if (r < 0)
		return r;
	memcpy(ret_challenge, c, sizeof(c));
	return 0;
}

int challenge_check(struct statedb *db, const struct prclock_now *now,
		    const uint8_t c[CHALLENGE_LEN])
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	const unsigned char *boot;
	uint64_t at;
	int r;

	r = statedb_prepare(db,
			    "SELECT boot_id, boot_us, state FROM challenges "
			    "WHERE challenge = ?",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_blob(st, 1, c, CHALLENGE_LEN, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return -ESTALE;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	if (sqlite3_column_int(st, 2) == CHALLENGE_USED)
		return -EALREADY;
	boot = sqlite3_column_text(st, 0);
	at = (uint64_t)sqlite3_column_int64(st, 1);
	/* Another boot, or a clock gone backwards: cannot be trusted. */
	if (!boot || strcmp((const char *)boot, now->boot_id) != 0 ||
	    now->boot_us < at || now->boot_us - at > CHALLENGE_LIFETIME_US)
		return -ESTALE;
	return 0;
}

int challenge_use(struct statedb *db, const uint8_t c[CHALLENGE_LEN])
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare(db,
			    "UPDATE challenges SET state = 1 WHERE "
			    "challenge = ? AND state = 0",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_blob(st, 1, c, CHALLENGE_LEN, SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r == 0 && sqlite3_changes(statedb_sqlite(db)) != 1)
		r = -ESTALE;
	return r;
}
