// SPDX-License-Identifier: GPL-2.0-or-later
/* Lock reasons: the state they imply, persistence, expiry, ways out. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lock.h"
#include "statedb.h"
#include "sec-helpers.h"

static void put(struct sec_db *f, const char *id, const char *subject,
		uint64_t timed_us)
{
	struct prclock_now n = fake_now(&f->fc);
	struct lock_reason r;

	assert_int_equal(lock_reason_init(&r, id, subject, &n, "why"), 0);
	if (timed_us)
		lock_reason_set_timed(&r, &n, timed_us);
	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(lock_reason_put(f->db, &r), 0);
	assert_int_equal(statedb_commit(f->db), 0);
}

static enum lock_state state_now(struct sec_db *f)
{
	struct prclock_now n = fake_now(&f->fc);
	struct lock_reason *v = NULL;
	enum lock_state s;
	size_t cnt = 0;

	assert_int_equal(lock_reasons_load(f->db, &n, &v, &cnt), 0);
	s = lock_state_of(v, cnt);
	free(v);
	return s;
}

static void refresh(struct sec_db *f)
{
	struct prclock_now n = fake_now(&f->fc);

	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(lock_reasons_refresh(f->db, &n, NULL), 0);
	assert_int_equal(statedb_commit(f->db), 0);
}

static void test_state_of(void **state)
{
	struct lock_reason r[3] = { 0 };

	assert_int_equal(lock_state_of(NULL, 0), LOCK_STATE_ACTIVE);
	r[0].kind = LOCK_KIND_TIMED;
	assert_int_equal(lock_state_of(r, 1), LOCK_STATE_LOCKED);
	r[1].kind = LOCK_KIND_UNPROVISIONED;
	assert_int_equal(lock_state_of(r, 2), LOCK_STATE_UNPROVISIONED);
	r[2].kind = LOCK_KIND_BLOCKED;
	assert_int_equal(lock_state_of(r, 3), LOCK_STATE_BLOCKED);
	r[2].kind = (enum lock_kind)42;
	assert_int_equal(lock_state_of(r, 3), LOCK_STATE_BLOCKED);
	assert_string_equal(lock_state_name(LOCK_STATE_LOCKED), "locked");
	assert_string_equal(lock_state_name(LOCK_STATE_UNPROVISIONED),
			    "unprovisioned");
}

static void test_defaults_and_text(void **state)
{
	struct fake_clock fc;
	struct prclock_now n;
	struct lock_reason r;
	char buf[128];

	fake_clock_init(&fc);
	n = fake_now(&fc);
	assert_int_equal(lock_reason_init(&r, LOCK_R_TAMPER, "R1", &n, "m"), 0);
	assert_int_equal(r.kind, LOCK_KIND_BLOCKED);
	assert_int_equal(r.clears, LOCK_CLEARS_ACQUIRER_TOKEN);
	assert_int_equal(lock_reason_init(&r, LOCK_R_READER, "R1", &n, "m"), 0);
	assert_int_equal(r.clears, LOCK_CLEARS_REPAIRING);
	assert_int_equal(lock_reason_init(&r, LOCK_R_OPERATOR_PIN, "", &n, "m"),
			 0);
	lock_reason_set_timed(&r, &n, USEC_PER_MIN);
	assert_int_equal(r.kind, LOCK_KIND_TIMED);
	assert_string_equal(lock_clears_describe(r.clears, buf, sizeof(buf)),
			    "time, supervisor PIN, acquirer token");
	assert_int_equal(lock_reason_init(&r, "no-such-reason", "", &n, "m"),
			 -EINVAL);
	assert_int_equal(lock_reason_init(&r, LOCK_R_SEAL, "", &n, NULL),
			 -EINVAL);
	assert_string_equal(lock_clears_name(LOCK_CLEARS_REPAIRING),
			    "re-pairing");
	assert_null(lock_clears_name(3));
}

static void test_persist_and_remove(void **state)
{
	struct sec_db *f = *state;
	unsigned removed = 0;

	assert_int_equal(state_now(f), LOCK_STATE_ACTIVE);
	put(f, LOCK_R_READER, "R1", 0);
	put(f, LOCK_R_READER, "R2", 0);
	put(f, LOCK_R_SEAL, "", 0);
	assert_int_equal(state_now(f), LOCK_STATE_BLOCKED);
	statedb_close(f->db);
	assert_int_equal(statedb_open(f->dir, &f->db, NULL), 0);
	assert_int_equal(lock_reason_exists(f->db, LOCK_R_READER, "R2"), 1);

	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(
		lock_reason_remove(f->db, LOCK_R_READER, "R1", &removed), 0);
	assert_int_equal(removed, 1);
	/* Only what the acquirer may clear goes with a token. */
	assert_int_equal(lock_reason_remove_cleared_by(
				 f->db, LOCK_CLEARS_ACQUIRER_TOKEN, &removed),
			 0);
	assert_int_equal(removed, 1);
	assert_int_equal(statedb_commit(f->db), 0);
	assert_int_equal(lock_reason_exists(f->db, LOCK_R_SEAL, NULL), 0);
	assert_int_equal(lock_reason_exists(f->db, LOCK_R_READER, "R2"), 1);
	assert_int_equal(state_now(f), LOCK_STATE_BLOCKED);
}

static void test_timed_expiry(void **state)
{
	struct sec_db *f = *state;
	struct prclock_now n;
	struct lock_reason *v = NULL;
	size_t cnt = 0;

	put(f, LOCK_R_OPERATOR_PIN, "", 5 * USEC_PER_MIN);
	assert_int_equal(state_now(f), LOCK_STATE_LOCKED);
	fake_advance(&f->fc, 2 * USEC_PER_MIN);
	n = fake_now(&f->fc);
	assert_int_equal(lock_reasons_load(f->db, &n, &v, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_int_equal(v[0].remaining_us, 3 * USEC_PER_MIN);
	assert_int_equal(v[0].until_wall_us,
			 f->fc.wall_us + (int64_t)(3 * USEC_PER_MIN));
	free(v);
	fake_advance(&f->fc, 3 * USEC_PER_MIN);
	refresh(f);
	assert_int_equal(lock_reason_exists(f->db, LOCK_R_OPERATOR_PIN, NULL),
			 0);
	assert_int_equal(state_now(f), LOCK_STATE_ACTIVE);
}

static void test_timed_across_reboot(void **state)
{
	struct sec_db *f = *state;

	put(f, LOCK_R_SUPERVISOR_PIN, "", 5 * USEC_PER_MIN);
	fake_advance(&f->fc, 4 * USEC_PER_MIN);
	fake_reboot(&f->fc);
	refresh(f);
	fake_advance(&f->fc, 4 * USEC_PER_MIN);
	refresh(f);
	assert_int_equal(state_now(f), LOCK_STATE_LOCKED);
	fake_advance(&f->fc, USEC_PER_MIN);
	refresh(f);
	assert_int_equal(state_now(f), LOCK_STATE_ACTIVE);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_of),
		cmocka_unit_test(test_defaults_and_text),
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, sec_db_setup, sec_db_teardown)
		T(test_persist_and_remove),
		T(test_timed_expiry),
		T(test_timed_across_reboot),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
