// SPDX-License-Identifier: GPL-2.0-or-later
/* SQLite state with full-sync commits and a sealed generation counter. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "statedb.h"

#define SEAL_MAGIC    "PRSEAL1"
#define SEAL_MAGIC_SZ 8
#define DB_ID_LEN     16
#define MAC_LEN	      32
#define SEAL_BODY_LEN (SEAL_MAGIC_SZ + DB_ID_LEN + 8)
#define SEAL_LEN      (SEAL_BODY_LEN + MAC_LEN)

/* A statement kept prepared for the life of the connection. */
struct cached_stmt {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct statedb {
	sqlite3 *sql;
	int dir_fd;
	uint8_t key[STATEDB_KEY_LEN];
	uint8_t db_id[DB_ID_LEN];
	uint64_t generation;
	bool in_tx;
	struct cached_stmt *cache;
	size_t n_cache;
	statedb_commit_fn committed;
	void *committed_userdata;
};

/*
 * SQLite's own page cache, in KiB (its default is 2 MiB). The state is a
 * few dozen pages, read seldom and mostly mirrored in memory by the
 * engine; the kernel's page cache holds the file anyway.
 */
#define PAGE_CACHE_KIB "64"

/* The whole schema; every table the security engine keeps. */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE reasons(id TEXT NOT NULL, subject TEXT NOT NULL,"
	" kind INTEGER NOT NULL, clears INTEGER NOT NULL,"
	" message TEXT NOT NULL, since_wall INTEGER NOT NULL,"
	" boot_id TEXT, end_us INTEGER, duration_us INTEGER,"
	" PRIMARY KEY(id, subject));"
	"CREATE TABLE pins(role TEXT PRIMARY KEY, salt BLOB, verifier BLOB,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" lockouts INTEGER NOT NULL DEFAULT 0,"
	" pending INTEGER NOT NULL DEFAULT 0,"
	" attempts_total INTEGER NOT NULL DEFAULT 0,"
	" failures_total INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE attempts(id INTEGER PRIMARY KEY, role TEXT NOT NULL,"
	" boot_id TEXT NOT NULL, boot_us INTEGER NOT NULL);"
	"CREATE TABLE keys(name TEXT PRIMARY KEY, type INTEGER NOT NULL,"
	" class INTEGER NOT NULL, value BLOB NOT NULL, kcv BLOB NOT NULL);"
	"CREATE TABLE challenges(challenge BLOB PRIMARY KEY,"
	" boot_id TEXT NOT NULL, boot_us INTEGER NOT NULL,"
	" state INTEGER NOT NULL);"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, wall_us INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL, boot_us INTEGER NOT NULL,"
	" event TEXT NOT NULL, caller TEXT NOT NULL, detail TEXT NOT NULL,"
	" mac BLOB NOT NULL);";

static unsigned crash_points;
static long crash_at = -1;

unsigned statedb_crash_points(void)
{
	return crash_points;
}

void statedb_crash_point(void)
{
	crash_points++;
	if (crash_at > 0 && crash_points == (unsigned long)crash_at)
		_exit(STATEDB_CRASH_EXIT);
}

static void read_crash_hook(void)
{
	const char *s = getenv(STATEDB_CRASH_ENV);
	char *end;
	long v;

	if (!s || !*s)
		return;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || crash_at > 0)
		return;
	/* Counted from the first open, not from whatever came before. */
	crash_at = v + (long)crash_points;
}

int statedb_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return -EROFS;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_TOOBIG:
		return -E2BIG;
	default:
		return -EIO;
	}
}

sqlite3 *statedb_sqlite(struct statedb *db)
{
	return db->sql;
}

const uint8_t *statedb_state_key(const struct statedb *db)
{
	return db->key;
}

uint64_t statedb_generation(const struct statedb *db)
{
	return db->generation;
}

int statedb_exec(struct statedb *db, const char *sql)
{
	return statedb_errno(sqlite3_exec(db->sql, sql, NULL, NULL, NULL));
}

int statedb_prepare(struct statedb *db, const char *sql,
		    sqlite3_stmt **ret_stmt)
{
	return statedb_errno(
		sqlite3_prepare_v2(db->sql, sql, -1, ret_stmt, NULL));
}

int statedb_prepare_cached(struct statedb *db, const char *sql,
			   sqlite3_stmt **ret_stmt)
{
	struct cached_stmt *c;
	sqlite3_stmt *st;
	size_t i;
	int r;

	for (i = 0; i < db->n_cache; i++) {
		c = &db->cache[i];
		if (c->sql == sql || strcmp(c->sql, sql) == 0) {
			*ret_stmt = c->stmt;
			return 0;
		}
	}
	c = reallocarray(db->cache, db->n_cache + 1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	db->cache = c;
	r = statedb_errno(sqlite3_prepare_v3(
		db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL));
	if (r < 0)
		return r;
	c[db->n_cache].sql = sql;
	c[db->n_cache].stmt = st;
	db->n_cache++;
	*ret_stmt = st;
	return 0;
}

/* Finalize the kept statements: before the connection can close. */
static void cache_clear(struct statedb *db)
{
	for (size_t i = 0; i < db->n_cache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	free(db->cache);
	db->cache = NULL;
	db->n_cache = 0;
}

void statedb_stmt_done(sqlite3_stmt **stmt)
{
	if (!*stmt)
		return;
	/* Ends its read and drops pointers to the caller's bound data. */
	sqlite3_reset(*stmt);
	sqlite3_clear_bindings(*stmt);
	*stmt = NULL;
}

/* Run a cached statement without results to its end. */
static int exec_cached(struct statedb *db, const char *sql)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql, &st);
	if (r < 0)
		return r;
	return statedb_errno(sqlite3_step(st));
}

int statedb_memory_setup(void)
{
	/*
	 * SQLite hands every connection a block for 20 cache pages up front
	 * (~90 KiB); the state needs a handful, taken one by one instead.
	 */
	return statedb_errno(
		sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0));
}

bool statedb_in_transaction(struct statedb *db)
{
	return db->in_tx || !sqlite3_get_autocommit(db->sql);
}

int64_t statedb_total_changes(struct statedb *db)
{
	return sqlite3_total_changes64(db->sql);
}

void statedb_set_commit_callback(struct statedb *db, statedb_commit_fn fn,
				 void *userdata)
{
	db->committed = fn;
	db->committed_userdata = userdata;
}

/* ---- small file helpers -------------------------------------------- */

static int fsync_dir(int dir_fd)
{
	return fsync(dir_fd) < 0 ? -errno : 0;
}

/* Write a small file atomically and durably: temp, fsync, rename. */
static int write_file_durable(int dir_fd, const char *name, const void *buf,
			      size_t len)
{
	char tmp[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0 || (size_t)n != len)
		goto fail;
	if (fsync(fd) < 0)
		goto fail;
	if (renameat(dir_fd, tmp, dir_fd, name) < 0)
		goto fail;
	return fsync_dir(dir_fd);
fail:
	n = errno ? -errno : -EIO;
	unlinkat(dir_fd, tmp, 0);
	return (int)n;
}

/* Read exactly len bytes of a file; -ENOENT if absent, -EBADMSG if size. */
static int read_file_exact(int dir_fd, const char *name, void *buf, size_t len)
{
	_cleanup_close_ int fd = -1;
	uint8_t extra;
	ssize_t n;

	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len || read(fd, &extra, 1) != 0)
		return -EBADMSG;
	return 0;
}

static bool file_exists(int dir_fd, const char *name)
{
	struct stat st;

	return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- seal ------------------------------------------------------------ */

static void seal_mac(const uint8_t *key, const uint8_t *body, uint8_t *ret)
{
	unsigned int len = MAC_LEN;

	HMAC(EVP_sha256(), key, STATEDB_KEY_LEN, body, SEAL_BODY_LEN, ret,
	     &len);
}

static int seal_write(struct statedb *db)
{
	uint8_t seal[SEAL_LEN] = { 0 };
	uint64_t g = db->generation;
	int i, r;

	memcpy(seal, SEAL_MAGIC, SEAL_MAGIC_SZ);
	memcpy(seal + SEAL_MAGIC_SZ, db->db_id, DB_ID_LEN);
	for (i = 0; i < 8; i++)
		seal[SEAL_MAGIC_SZ + DB_ID_LEN + i] = (uint8_t)(g >> (8 * i));
	seal_mac(db->key, seal, seal + SEAL_BODY_LEN);
	statedb_crash_point();
	r = write_file_durable(db->dir_fd, STATEDB_SEAL_FILE, seal,
			       sizeof(seal));
	if (r < 0)
		return r;
	statedb_crash_point();
	return 0;
}

/* Read the seal: 0 and id/generation, -ENOENT, or -EBADMSG if forged. */
static int seal_read(struct statedb *db, uint8_t *ret_id, uint64_t *ret_gen)
{
	uint8_t seal[SEAL_LEN], mac[MAC_LEN];
	uint64_t g = 0;
	int i, r;

	r = read_file_exact(db->dir_fd, STATEDB_SEAL_FILE, seal, sizeof(seal));
	if (r < 0)
		return r;
	seal_mac(db->key, seal, mac);
	if (memcmp(seal, SEAL_MAGIC, SEAL_MAGIC_SZ) != 0 ||
	    CRYPTO_memcmp(mac, seal + SEAL_BODY_LEN, MAC_LEN) != 0)
		return -EBADMSG;
	for (i = 7; i >= 0; i--)
		g = (g << 8) | seal[SEAL_MAGIC_SZ + DB_ID_LEN + i];
	memcpy(ret_id, seal + SEAL_MAGIC_SZ, DB_ID_LEN);
	*ret_gen = g;
	return 0;
}

/* ---- meta ------------------------------------------------------------ */

/* Hot statements, kept prepared (statedb_prepare_cached()). */
static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?";
static const char sql_meta_set[] =
	"INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)";
static const char sql_meta_delete[] = "DELETE FROM meta WHERE key = ?";

int statedb_meta_get_int(struct statedb *db, const char *key,
			 int64_t *ret_value)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_meta_get, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return -ENOENT;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	if (sqlite3_column_type(st, 0) != SQLITE_INTEGER)
		return -EBADMSG;
	*ret_value = sqlite3_column_int64(st, 0);
	return 0;
}

int statedb_meta_set_int(struct statedb *db, const char *key, int64_t value)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_meta_set, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	return statedb_errno(sqlite3_step(st));
}

int statedb_meta_get_blob(struct statedb *db, const char *key, void *buf,
			  size_t cap, size_t *ret_len)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	const void *p;
	int r, n;

	r = statedb_prepare_cached(db, sql_meta_get, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return -ENOENT;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	if (sqlite3_column_type(st, 0) != SQLITE_BLOB)
		return -EBADMSG;
	p = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if ((size_t)n > cap)
		return -ENOBUFS;
	if (n)
		memcpy(buf, p, n);
	*ret_len = (size_t)n;
	return 0;
}

int statedb_meta_set_blob(struct statedb *db, const char *key, const void *buf,
			  size_t len)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_meta_set, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, buf, (int)len, SQLITE_STATIC);
	return statedb_errno(sqlite3_step(st));
}

int statedb_meta_delete(struct statedb *db, const char *key)
{
	_cleanup_stmt_done_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare_cached(db, sql_meta_delete, &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return statedb_errno(sqlite3_step(st));
}

/* ---- transactions ----------------------------------------------------- */

int statedb_begin(struct statedb *db)
{
	int r;

	if (db->in_tx)
		return -EBUSY;
	r = exec_cached(db, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	db->in_tx = true;
	return 0;
}

void statedb_rollback(struct statedb *db)
{
	if (!db->in_tx)
		return;
	exec_cached(db, "ROLLBACK");
	/* If the statement could not run, SQLite still must not keep it. */
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = false;
}

int statedb_commit(struct statedb *db)
{
	int r;

	if (!db->in_tx)
		return -EINVAL;
	r = statedb_meta_set_int(db, "generation", (int64_t)db->generation + 1);
	if (r < 0)
		goto fail;
	statedb_crash_point();
	r = exec_cached(db, "COMMIT");
	if (r < 0)
		goto fail;
	db->in_tx = false;
	db->generation++;
	/* Committed: whoever mirrors the state catches up before anything
	 * else can read it. */
	if (db->committed)
		db->committed(db, db->committed_userdata);
	statedb_crash_point();
	/*
	 * A crash before the seal catches up leaves the database one ahead,
	 * which open accepts; the database is never behind its seal.
	 */
	return seal_write(db);
fail:
	statedb_rollback(db);
	return r;
}

/* ---- open ------------------------------------------------------------- */

static int set_pragmas(sqlite3 *sql)
{
	static const char pragmas[] =
		"PRAGMA journal_mode = WAL;"
		"PRAGMA synchronous = FULL;"
		"PRAGMA fullfsync = ON;"
		"PRAGMA secure_delete = ON;"
		"PRAGMA foreign_keys = ON;"
		/* Reads through the page cache below, not a mapping. */
		"PRAGMA mmap_size = 0;"
		"PRAGMA cache_size = -" PAGE_CACHE_KIB ";";

	sqlite3_busy_timeout(sql, 5000);
	return statedb_errno(sqlite3_exec(sql, pragmas, NULL, NULL, NULL));
}

static int open_sql(int dir_fd, const char *dir, int flags, sqlite3 **ret)
{
	char path[PATH_MAX];
	sqlite3 *sql = NULL;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, STATEDB_FILE) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	r = sqlite3_open_v2(path, &sql, flags | SQLITE_OPEN_NOFOLLOW, NULL);
	if (r != SQLITE_OK) {
		r = statedb_errno(r);
		sqlite3_close(sql);
		return r;
	}
	sqlite3_extended_result_codes(sql, 1);
	*ret = sql;
	return 0;
}

/* Create schema and identity in a new, empty database. */
static int init_new(struct statedb *db)
{
	int r;

	if (RAND_bytes(db->db_id, DB_ID_LEN) != 1)
		return -EIO;
	r = statedb_begin(db);
	if (r < 0)
		return r;
	r = statedb_exec(db, schema_sql);
	if (r < 0)
		goto fail;
	r = statedb_meta_set_int(db, "schema_version", STATEDB_SCHEMA_VERSION);
	if (r < 0)
		goto fail;
	r = statedb_meta_set_blob(db, "db_id", db->db_id, DB_ID_LEN);
	if (r < 0)
		goto fail;
	db->generation = 0;
	return statedb_commit(db);
fail:
	statedb_rollback(db);
	return r;
}

/* Check an existing database: readable, ours, a known schema. */
static int load_existing(struct statedb *db, unsigned *flags)
{
	sqlite3_stmt *st = NULL;
	int64_t version, gen;
	size_t len;
	bool ok;
	int r;

	r = set_pragmas(db->sql);
	if (r < 0)
		return r;
	r = statedb_prepare(db, "PRAGMA quick_check", &st);
	if (r < 0)
		return r;
	r = sqlite3_step(st);
	ok = r == SQLITE_ROW &&
	     strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	r = statedb_errno(r);
	sqlite3_finalize(st);
	if (!ok)
		return r < 0 ? r : -EBADMSG;

	r = statedb_meta_get_int(db, "schema_version", &version);
	if (r < 0)
		return r == -ENOENT ? -EBADMSG : r;
	if (version > STATEDB_SCHEMA_VERSION) {
		*flags |= STATEDB_VERSION;
		return -EPROTONOSUPPORT;
	}
	if (version < 1)
		return -EBADMSG;
	r = statedb_meta_get_int(db, "generation", &gen);
	if (r < 0 || gen < 0)
		return -EBADMSG;
	db->generation = (uint64_t)gen;
	r = statedb_meta_get_blob(db, "db_id", db->db_id, DB_ID_LEN, &len);
	if (r < 0 || len != DB_ID_LEN)
		return -EBADMSG;
	return 0;
}

/* Move an unusable database aside, keeping it for inspection. */
static void move_aside(int dir_fd, char *ret_name, size_t cap)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char from[64], to[96];
	size_t i;

	snprintf(ret_name, cap, "%s.bad-%lld", STATEDB_FILE,
		 (long long)time(NULL));
	for (i = 0; i < ELEMENTSOF(suffix); i++) {
		snprintf(from, sizeof(from), "%s%s", STATEDB_FILE, suffix[i]);
		snprintf(to, sizeof(to), "%s%s", ret_name, suffix[i]);
		renameat(dir_fd, from, dir_fd, to);
	}
	fsync_dir(dir_fd);
}

static int load_key(struct statedb *db, bool *ret_created)
{
	int r;

	r = read_file_exact(db->dir_fd, STATEDB_KEY_FILE, db->key,
			    STATEDB_KEY_LEN);
	*ret_created = false;
	if (r != -ENOENT && r != -EBADMSG)
		return r;
	if (RAND_bytes(db->key, STATEDB_KEY_LEN) != 1)
		return -EIO;
	statedb_crash_point();
	r = write_file_durable(db->dir_fd, STATEDB_KEY_FILE, db->key,
			       STATEDB_KEY_LEN);
	if (r < 0)
		return r;
	statedb_crash_point();
	*ret_created = true;
	return 0;
}

static void append_detail(struct statedb_health *h, const char *s)
{
	size_t n = strlen(h->detail);

	snprintf(h->detail + n, sizeof(h->detail) - n, "%s%s", n ? "; " : "",
		 s);
}

int statedb_open(const char *dir, struct statedb **ret,
		 struct statedb_health *ret_health)
{
	struct statedb_health h = { 0 };
	struct statedb *db;
	uint8_t seal_id[DB_ID_LEN];
	uint64_t seal_gen = 0;
	bool had_db, had_seal, key_created;
	char aside[64], msg[160];
	int seal_r, r;

	read_crash_hook();
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (db->dir_fd < 0) {
		r = -errno;
		free(db);
		return r;
	}

	had_db = file_exists(db->dir_fd, STATEDB_FILE);
	had_seal = file_exists(db->dir_fd, STATEDB_SEAL_FILE);
	r = load_key(db, &key_created);
	if (r < 0)
		goto fail;
	if (key_created && (had_db || had_seal)) {
		h.flags |= STATEDB_KEY_MISSING;
		append_detail(&h, "the state key was missing or damaged");
	}
	seal_r = seal_read(db, seal_id, &seal_gen);

	if (had_db) {
		r = open_sql(db->dir_fd, dir, SQLITE_OPEN_READWRITE, &db->sql);
		if (r == 0)
			r = load_existing(db, &h.flags);
		if (r < 0) {
			cache_clear(db);
			sqlite3_close(db->sql);
			db->sql = NULL;
			move_aside(db->dir_fd, aside, sizeof(aside));
			if (!(h.flags & STATEDB_VERSION))
				h.flags |= STATEDB_CORRUPT;
			snprintf(msg, sizeof(msg),
				 "the state database was %s (%s); it was "
				 "moved to %s",
				 h.flags & STATEDB_VERSION ?
					 "written by a newer version" :
					 "unreadable",
				 strerror(-r), aside);
			append_detail(&h, msg);
			had_db = false;
		}
	} else if (had_seal || !key_created) {
		h.flags |= STATEDB_MISSING;
		append_detail(&h, "the state database was missing");
	}

	if (!had_db) {
		r = open_sql(db->dir_fd, dir,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     &db->sql);
		if (r < 0)
			goto fail;
		/* SQLite gives its -wal and -shm files the same mode. */
		if (fchmodat(db->dir_fd, STATEDB_FILE, 0600, 0) < 0) {
			r = -errno;
			goto fail;
		}
		r = set_pragmas(db->sql);
		if (r < 0)
			goto fail;
		r = init_new(db);
		if (r < 0)
			goto fail;
		if (!h.flags)
			h.flags = STATEDB_NEW;
		goto done;
	}

	if (key_created) {
		/* Nothing keyed by the old key can be checked any more. */
	} else if (seal_r == -ENOENT || seal_r == -EBADMSG) {
		h.flags |= STATEDB_SEAL_BAD;
		append_detail(&h, seal_r == -ENOENT ?
					  "the generation seal was missing" :
					  "the generation seal was forged or "
					  "damaged");
	} else if (seal_r < 0) {
		r = seal_r;
		goto fail;
	} else if (memcmp(seal_id, db->db_id, DB_ID_LEN) != 0) {
		h.flags |= STATEDB_REPLACED;
		append_detail(&h, "the state database was replaced by another "
				  "one");
	} else if (db->generation < seal_gen) {
		h.flags |= STATEDB_ROLLED_BACK;
		snprintf(msg, sizeof(msg),
			 "the state database was rolled back from "
			 "generation %" PRIu64 " to %" PRIu64,
			 seal_gen, db->generation);
		append_detail(&h, msg);
	}

	/* Continue above anything ever sealed, then reseal. */
	if (seal_r == 0 && seal_gen > db->generation)
		db->generation = seal_gen;
	r = statedb_begin(db);
	if (r < 0)
		goto fail;
	r = statedb_commit(db);
	if (r < 0)
		goto fail;
done:
	*ret = db;
	if (ret_health)
		*ret_health = h;
	return 0;
fail:
	statedb_close(db);
	return r;
}

void statedb_close(struct statedb *db)
{
	if (!db)
		return;
	statedb_rollback(db);
	cache_clear(db);
	sqlite3_close(db->sql);
	if (db->dir_fd >= 0)
		close(db->dir_fd);
	secure_zero(db->key, sizeof(db->key));
	free(db);
}
