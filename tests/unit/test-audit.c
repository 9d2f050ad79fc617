// SPDX-License-Identifier: GPL-2.0-or-later
/* The keyed hash chain: every edit, deletion or truncation is found. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit.h"
#include "statedb.h"
#include "sec-helpers.h"

static void append(struct sec_db *f, const char *event, const char *detail)
{
	struct prclock_now n = fake_now(&f->fc);

	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(audit_append(f->db, &n, event, "uid=0", detail), 0);
	assert_int_equal(statedb_commit(f->db), 0);
	fake_advance(&f->fc, USEC_PER_SEC);
}

static int setup(void **state)
{
	int i;

	if (sec_db_setup(state) < 0)
		return -1;
	for (i = 0; i < 5; i++)
		append(*state, "selftest-passed", "6 checks, 0 failed");
	return 0;
}

static void test_intact(void **state)
{
	struct sec_db *f = *state;
	struct audit_entry *v = NULL;
	size_t n = 0, i;

	assert_int_equal(audit_verify(f->db, NULL), 0);
	assert_int_equal(audit_list(f->db, 0, 100, &v, &n), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].seq, (int64_t)i + 1);
		assert_true(v[i].mac_ok);
		assert_string_equal(v[i].event, "selftest-passed");
	}
	free(v);
	assert_int_equal(audit_list(f->db, 3, 1, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].seq, 4);
	free(v);
	/* Survives a reopen (same state key). */
	statedb_close(f->db);
	assert_int_equal(statedb_open(f->dir, &f->db, NULL), 0);
	assert_int_equal(audit_verify(f->db, NULL), 0);
}

static void expect_broken(struct sec_db *f, const char *sql, int64_t at)
{
	int64_t bad = 0;

	assert_int_equal(statedb_exec(f->db, sql), 0);
	assert_int_equal(audit_verify(f->db, &bad), -EBADMSG);
	assert_int_equal(bad, at);
}

static void test_edit(void **state)
{
	expect_broken(*state,
		      "UPDATE audit SET caller = 'uid=1000' WHERE seq = 3", 3);
}

static void test_time_edit(void **state)
{
	expect_broken(*state,
		      "UPDATE audit SET wall_us = wall_us - 1 WHERE "
		      "seq = 1",
		      1);
}

static void test_delete_middle(void **state)
{
	expect_broken(*state, "DELETE FROM audit WHERE seq = 2", 3);
}

static void test_truncate(void **state)
{
	expect_broken(*state, "DELETE FROM audit WHERE seq >= 4", 4);
}

static void test_other_key(void **state)
{
	struct sec_db *f = *state;
	char *key = path_in(f->dir, STATEDB_KEY_FILE);
	int64_t bad = 0;

	statedb_close(f->db);
	assert_int_equal(unlink(key), 0);
	assert_int_equal(statedb_open(f->dir, &f->db, NULL), 0);
	assert_int_equal(audit_verify(f->db, &bad), -EBADMSG);
	assert_int_equal(bad, 1);
	free(key);
}

static void test_reanchor(void **state)
{
	struct sec_db *f = *state;

	expect_broken(f, "UPDATE audit SET detail = 'x' WHERE seq = 2", 2);
	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(audit_reanchor(f->db), 0);
	assert_int_equal(statedb_commit(f->db), 0);
	assert_int_equal(audit_verify(f->db, NULL), 0);
	append(f, "token-unlock", "unlock: 1 reasons cleared");
	assert_int_equal(audit_verify(f->db, NULL), 0);
	expect_broken(f, "UPDATE audit SET detail = 'y' WHERE seq = 6", 6);
}

static void test_bad_fields(void **state)
{
	struct sec_db *f = *state;
	struct prclock_now n;
	char long_detail[400];

	memset(long_detail, 'a', sizeof(long_detail) - 1);
	long_detail[sizeof(long_detail) - 1] = '\0';
	n = fake_now(&f->fc);
	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(audit_append(f->db, &n, "", "c", "d"), -EINVAL);
	assert_int_equal(audit_append(f->db, &n, "ev", "c", "line\nbreak"),
			 -EINVAL);
	assert_int_equal(audit_append(f->db, &n, "ev", "c", long_detail),
			 -EINVAL);
	assert_int_equal(audit_append(f->db, &n, NULL, "c", "d"), -EINVAL);
	assert_int_equal(audit_append(f->db, &n, "ev", NULL, NULL), 0);
	assert_int_equal(statedb_commit(f->db), 0);
	assert_int_equal(audit_verify(f->db, NULL), 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, sec_db_teardown)
		T(test_intact),
		T(test_edit),
		T(test_time_edit),
		T(test_delete_middle),
		T(test_truncate),
		T(test_other_key),
		T(test_reanchor),
		T(test_bad_fields),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
