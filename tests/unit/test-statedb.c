// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state database's own integrity: every way the state on disk can
 * be lost, damaged, replaced or rolled back is noticed at open.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "statedb.h"
#include "sec-helpers.h"

struct fx {
	char *dir;
	char *db, *seal, *key;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->dir = scratch_dir();
	if (!f->dir)
		return -1;
	f->db = path_in(f->dir, STATEDB_FILE);
	f->seal = path_in(f->dir, STATEDB_SEAL_FILE);
	f->key = path_in(f->dir, STATEDB_KEY_FILE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->db);
	free(f->seal);
	free(f->key);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static unsigned open_flags(struct fx *f)
{
	struct statedb_health h;
	struct statedb *db = NULL;

	assert_int_equal(statedb_open(f->dir, &db, &h), 0);
	if (h.flags & STATEDB_SUSPECT)
		assert_true(h.detail[0] != '\0');
	statedb_close(db);
	return h.flags;
}

/* Open, write n committed transactions, close. */
static void commit_n(struct fx *f, unsigned n)
{
	struct statedb *db = NULL;
	unsigned i;

	assert_int_equal(statedb_open(f->dir, &db, NULL), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(statedb_begin(db), 0);
		assert_int_equal(statedb_meta_set_int(db, "counter", i), 0);
		assert_int_equal(statedb_commit(db), 0);
	}
	statedb_close(db);
}

static void test_new_then_clean(void **state)
{
	struct fx *f = *state;
	struct statedb *db = NULL;
	struct stat st;
	uint64_t g;
	int64_t v;

	assert_int_equal(open_flags(f), STATEDB_NEW);
	assert_int_equal(open_flags(f), 0);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->seal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(statedb_open(f->dir, &db, NULL), 0);
	g = statedb_generation(db);
	assert_int_equal(statedb_begin(db), 0);
	assert_int_equal(statedb_begin(db), -EBUSY);
	assert_int_equal(statedb_meta_set_int(db, "x", 42), 0);
	assert_int_equal(statedb_commit(db), 0);
	assert_int_equal(statedb_generation(db), g + 1);
	/* A rolled-back transaction leaves nothing. */
	assert_int_equal(statedb_begin(db), 0);
	assert_int_equal(statedb_meta_set_int(db, "y", 1), 0);
	statedb_rollback(db);
	assert_int_equal(statedb_meta_get_int(db, "y", &v), -ENOENT);
	assert_int_equal(statedb_meta_get_int(db, "x", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(statedb_meta_get_int(db, "schema_version", &v), 0);
	assert_int_equal(v, STATEDB_SCHEMA_VERSION);
	assert_int_equal(statedb_commit(db), -EINVAL);
	statedb_close(db);
	statedb_close(NULL);
}

static void test_missing(void **state)
{
	struct fx *f = *state;

	commit_n(f, 2);
	assert_int_equal(unlink(f->db), 0);
	assert_true(open_flags(f) & STATEDB_MISSING);
	/* Noticed once; the new database is the state from now on. */
	assert_int_equal(open_flags(f), 0);
}

static void test_corrupt(void **state)
{
	struct fx *f = *state;
	FILE *fp;
	char *bad;
	glob_t g;

	commit_n(f, 2);
	fp = fopen(f->db, "r+");
	assert_non_null(fp);
	assert_int_equal(fwrite("garbage!garbage!", 1, 16, fp), 16);
	assert_int_equal(fclose(fp), 0);
	assert_true(open_flags(f) & STATEDB_CORRUPT);
	/* The damaged file is kept aside for inspection. */
	bad = path_in(f->dir, "state.db.bad-*");
	assert_non_null(bad);
	assert_int_equal(glob(bad, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 1);
	globfree(&g);
	free(bad);
	assert_int_equal(open_flags(f), 0);
}

/* An empty file is a valid empty SQLite database, but not our state. */
static void test_truncated(void **state)
{
	struct fx *f = *state;

	commit_n(f, 2);
	assert_int_equal(truncate(f->db, 0), 0);
	assert_true(open_flags(f) & STATEDB_CORRUPT);
	assert_int_equal(open_flags(f), 0);
}

static void test_rolled_back(void **state)
{
	struct fx *f = *state;
	char *snap = path_in(f->dir, "snap");

	commit_n(f, 1);
	assert_int_equal(copy_file(f->db, snap), 0);
	commit_n(f, 3);
	assert_int_equal(copy_file(snap, f->db), 0);
	assert_int_equal(open_flags(f), STATEDB_ROLLED_BACK);
	/* Resealed above the old generation: no longer behind. */
	assert_int_equal(open_flags(f), 0);
	free(snap);
}

static void test_replaced(void **state)
{
	struct fx *f = *state;
	char *other = scratch_dir();
	char *other_db = path_in(other, STATEDB_FILE);
	struct fx g = { .dir = other };

	commit_n(f, 1);
	commit_n(&g, 5);
	assert_int_equal(copy_file(other_db, f->db), 0);
	assert_int_equal(open_flags(f), STATEDB_REPLACED);
	free(other_db);
	scratch_remove(other);
}

static void test_seal_and_key(void **state)
{
	struct fx *f = *state;
	FILE *fp;
	int c;

	commit_n(f, 1);
	assert_int_equal(unlink(f->seal), 0);
	assert_int_equal(open_flags(f), STATEDB_SEAL_BAD);
	fp = fopen(f->seal, "r+");
	assert_non_null(fp);
	/* Flip a byte of the sealed database id (a random byte could
	 * already be whatever constant were written instead). */
	assert_int_equal(fseek(fp, 20, SEEK_SET), 0);
	c = fgetc(fp);
	assert_true(c != EOF);
	assert_int_equal(fseek(fp, 20, SEEK_SET), 0);
	assert_int_equal(fputc(c ^ 0xff, fp), c ^ 0xff);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(open_flags(f), STATEDB_SEAL_BAD);
	assert_int_equal(unlink(f->key), 0);
	assert_true(open_flags(f) & STATEDB_KEY_MISSING);
}

static void test_newer_schema(void **state)
{
	struct fx *f = *state;
	struct statedb *db = NULL;

	assert_int_equal(statedb_open(f->dir, &db, NULL), 0);
	assert_int_equal(statedb_begin(db), 0);
	assert_int_equal(statedb_meta_set_int(db, "schema_version",
					      STATEDB_SCHEMA_VERSION + 1),
			 0);
	assert_int_equal(statedb_commit(db), 0);
	statedb_close(db);
	assert_true(open_flags(f) & STATEDB_VERSION);
}

static void test_crash_hook(void **state)
{
	struct fx *f = *state;
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct statedb *db = NULL;

		setenv(STATEDB_CRASH_ENV, "1", 1);
		statedb_open(f->dir, &db, NULL);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), STATEDB_CRASH_EXIT);
}

static void test_not_a_directory(void **state)
{
	struct fx *f = *state;
	struct statedb *db = NULL;
	FILE *fp = fopen(f->db, "w");

	assert_non_null(fp);
	fclose(fp);
	assert_true(statedb_open(f->db, &db, NULL) < 0);
	assert_null(db);
}

static void count_commit(struct statedb *db, void *userdata)
{
	int64_t v = -1;

	/* Called after the COMMIT: no transaction, the new row readable. */
	assert_false(statedb_in_transaction(db));
	assert_int_equal(statedb_meta_get_int(db, "n", &v), 0);
	*(int64_t *)userdata = v;
}

/* Kept statements are reused, reset after use and freed at close; the
 * commit callback sees every commit and nothing else. */
static void test_cached_statements_and_commit_callback(void **state)
{
	struct fx *f = *state;
	struct statedb *db = NULL;
	sqlite3_stmt *a = NULL, *b = NULL;
	int64_t seen = -1, v, changes;

	assert_int_equal(statedb_open(f->dir, &db, NULL), 0);
	assert_int_equal(statedb_prepare_cached(db, "SELECT 1", &a), 0);
	b = a;
	statedb_stmt_done(&a);
	assert_null(a);
	assert_int_equal(statedb_prepare_cached(db, "SELECT 1", &a), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	statedb_stmt_done(&a);
	/* Reset: nothing holds a read open, a checkpoint can truncate. */
	assert_int_equal(statedb_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"),
			 0);

	statedb_set_commit_callback(db, count_commit, &seen);
	changes = statedb_total_changes(db);
	assert_int_equal(statedb_begin(db), 0);
	assert_true(statedb_in_transaction(db));
	assert_int_equal(statedb_meta_set_int(db, "n", 1), 0);
	statedb_rollback(db);
	assert_false(statedb_in_transaction(db));
	assert_int_equal(seen, -1);
	assert_true(statedb_total_changes(db) > changes);
	for (v = 1; v <= 3; v++) {
		assert_int_equal(statedb_begin(db), 0);
		assert_int_equal(statedb_meta_set_int(db, "n", v), 0);
		assert_int_equal(statedb_commit(db), 0);
		assert_int_equal(seen, v);
	}
	statedb_set_commit_callback(db, NULL, NULL);
	statedb_close(db);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_new_then_clean),
		T(test_missing),
		T(test_corrupt),
		T(test_truncated),
		T(test_rolled_back),
		T(test_replaced),
		T(test_seal_and_key),
		T(test_newer_schema),
		T(test_crash_hook),
		T(test_not_a_directory),
		T(test_cached_statements_and_commit_callback),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
