// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PIN verifiers, policy, lockout counting and the hourly cap, on a real
 * state database. PINs here are test values; they are never printed and
 * compared only with assert_true().
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lock.h"
#include "pin.h"
#include "statedb.h"
#include "sec-helpers.h"

#define GOOD "482916"
#define BAD  "482917"

struct fx {
	struct sec_db s;
	struct pin_policy policy;
	uint8_t key[PIN_KEY_LEN];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (sec_db_open(&f->s) < 0)
		return -1;
	pin_policy_default(&f->policy);
	f->policy.kdf_iterations = 1000;
	memset(f->key, 0x3c, sizeof(f->key));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sec_db_close(&f->s);
	free(f);
	return 0;
}

static void set_pin(struct fx *f, enum pin_role role, const char *pin)
{
	struct prclock_now n = fake_now(&f->s.fc);

	assert_int_equal(statedb_begin(f->s.db), 0);
	assert_int_equal(
		pin_set(f->s.db, role, f->key, pin, &f->policy, &n, "test"), 0);
	assert_int_equal(statedb_commit(f->s.db), 0);
}

static enum pin_result verify(struct fx *f, enum pin_role role, const char *pin,
			      struct pin_outcome *o)
{
	struct prclock_now n = fake_now(&f->s.fc);
	struct pin_outcome tmp;

	if (!o)
		o = &tmp;
	assert_int_equal(pin_verify(f->s.db, role, f->key, pin, &f->policy, &n,
				    "test", o),
			 0);
	return o->result;
}

static void test_policy(void **state)
{
	static const char *const ok[] = { "2468", "482916", "135792468024",
					  "9021" };
	static const char *const bad[] = {
		"",	"123",	  "1234567890123", "12a4", " 1234",
		"1111", "000000", "1234",	   "4321", "8901",
		"0987", "1212",	  "90909",
	};
	const char *why;
	size_t i;

	for (i = 0; i < ELEMENTSOF(ok); i++)
		assert_int_equal(pin_check_policy(ok[i], NULL), 0);
	for (i = 0; i < ELEMENTSOF(bad); i++) {
		why = NULL;
		assert_int_equal(pin_check_policy(bad[i], &why), -EINVAL);
		assert_non_null(why);
	}
	assert_int_equal(pin_check_policy(NULL, NULL), -EINVAL);
}

static void test_roles(void **state)
{
	enum pin_role r;

	assert_int_equal(pin_role_from_string("operator", &r), 0);
	assert_int_equal(r, PIN_ROLE_OPERATOR);
	assert_int_equal(pin_role_from_string("supervisor", &r), 0);
	assert_int_equal(r, PIN_ROLE_SUPERVISOR);
	assert_int_equal(pin_role_from_string("root", &r), -EINVAL);
	assert_int_equal(pin_role_from_string(NULL, &r), -EINVAL);
}

/* The database holds a keyed, salted verifier, never the PIN. */
static void test_verifier_not_pin(void **state)
{
	struct fx *f = *state;
	sqlite3_stmt *st;
	const void *v[2];
	uint8_t copy[2][64];
	int n[2], i = 0;

	set_pin(f, PIN_ROLE_OPERATOR, GOOD);
	set_pin(f, PIN_ROLE_SUPERVISOR, GOOD);
	assert_int_equal(statedb_prepare(f->s.db,
					 "SELECT verifier FROM pins ORDER BY "
					 "role",
					 &st),
			 0);
	while (sqlite3_step(st) == SQLITE_ROW && i < 2) {
		v[i] = sqlite3_column_blob(st, 0);
		n[i] = sqlite3_column_bytes(st, 0);
		assert_true(n[i] > 0 && n[i] <= 64);
		memcpy(copy[i], v[i], (size_t)n[i]);
		assert_null(memmem(copy[i], (size_t)n[i], GOOD, strlen(GOOD)));
		i++;
	}
	sqlite3_finalize(st);
	assert_int_equal(i, 2);
	/* Same PIN, different role and salt: different verifiers. */
	assert_true(n[0] == n[1] && memcmp(copy[0], copy[1], (size_t)n[0]));

	/* Another key does not verify it: the verifier is keyed. */
	memset(f->key, 0x3d, sizeof(f->key));
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, NULL),
			 PIN_REJECTED);
	memset(f->key, 0x3c, sizeof(f->key));
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, NULL),
			 PIN_ACCEPTED);
	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, GOOD, NULL),
			 PIN_ACCEPTED);
}

static void test_not_set(void **state)
{
	struct fx *f = *state;

	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, GOOD, NULL),
			 PIN_NOT_SET);
}

static void test_counting(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	struct pin_counters c;

	set_pin(f, PIN_ROLE_OPERATOR, GOOD);
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, BAD, &o), PIN_REJECTED);
	assert_int_equal(o.retries_left, 2);
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, BAD, &o), PIN_REJECTED);
	assert_int_equal(o.retries_left, 1);
	assert_int_equal(pin_counters(f->s.db, PIN_ROLE_OPERATOR, &c), 0);
	assert_int_equal(c.failures, 2);
	assert_int_equal(c.attempts_total, 2);
	assert_false(c.pending);
	/* The supervisor's counter is separate. */
	assert_int_equal(pin_counters(f->s.db, PIN_ROLE_SUPERVISOR, &c), 0);
	assert_int_equal(c.attempts_total, 0);
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, &o), PIN_ACCEPTED);
	assert_int_equal(o.retries_left, 3);
	assert_int_equal(pin_counters(f->s.db, PIN_ROLE_OPERATOR, &c), 0);
	assert_int_equal(c.failures, 0);
	assert_int_equal(c.attempts_total, 3);
	assert_int_equal(c.failures_total, 2);
	/* Malformed input is refused without counting. */
	assert_int_equal(pin_verify(f->s.db, PIN_ROLE_OPERATOR, f->key, "12 34",
				    &f->policy, &(struct prclock_now){ 0 },
				    "test", &o),
			 -EINVAL);
	assert_int_equal(pin_counters(f->s.db, PIN_ROLE_OPERATOR, &c), 0);
	assert_int_equal(c.attempts_total, 3);
}

static void test_lockout_reason(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	unsigned retries;
	struct prclock_now n;

	set_pin(f, PIN_ROLE_SUPERVISOR, GOOD);
	verify(f, PIN_ROLE_SUPERVISOR, BAD, NULL);
	verify(f, PIN_ROLE_SUPERVISOR, BAD, NULL);
	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, BAD, &o), PIN_REJECTED);
	assert_true(o.lockout_started);
	assert_int_equal(lock_reason_exists(f->s.db, LOCK_R_SUPERVISOR_PIN, ""),
			 1);
	assert_int_equal(lock_reason_exists(f->s.db, LOCK_R_OPERATOR_PIN, NULL),
			 0);
	n = fake_now(&f->s.fc);
	assert_int_equal(pin_retries_left(f->s.db, PIN_ROLE_SUPERVISOR,
					  &f->policy, &n, &retries),
			 0);
	assert_int_equal(retries, 0);
	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, GOOD, &o), PIN_LOCKED);
	assert_int_equal(o.wait_us, USEC_PER_MIN);
	fake_advance(&f->s.fc, 20 * USEC_PER_SEC);
	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, GOOD, &o), PIN_LOCKED);
	assert_int_equal(o.wait_us, 40 * USEC_PER_SEC);
	fake_advance(&f->s.fc, 40 * USEC_PER_SEC);
	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, GOOD, &o),
			 PIN_ACCEPTED);
	assert_int_equal(lock_reason_exists(f->s.db, LOCK_R_SUPERVISOR_PIN, ""),
			 0);
}

/* No more than max_per_hour attempts per role, whatever the lockouts. */
static void test_hourly_cap(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	struct pin_counters c;
	unsigned i;

	f->policy.max_failures = 1000;
	set_pin(f, PIN_ROLE_OPERATOR, GOOD);
	for (i = 0; i < 120; i++) {
		assert_int_equal(verify(f, PIN_ROLE_OPERATOR, BAD, &o),
				 PIN_REJECTED);
		fake_advance(&f->s.fc, 10 * USEC_PER_SEC);
	}
	/* 20 minutes in: capped for 40 more, the right PIN included. */
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, &o),
			 PIN_RATE_LIMITED);
	assert_int_equal(o.wait_us, 40 * USEC_PER_MIN);
	assert_int_equal(pin_counters(f->s.db, PIN_ROLE_OPERATOR, &c), 0);
	assert_int_equal(c.attempts_total, 120);
	/* The other role is not affected. */
	set_pin(f, PIN_ROLE_SUPERVISOR, "97531");
	assert_int_equal(verify(f, PIN_ROLE_SUPERVISOR, "97531", &o),
			 PIN_ACCEPTED);
	/* Rebooting does not reset the window: it restarts in full. */
	fake_reboot(&f->s.fc);
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, &o),
			 PIN_RATE_LIMITED);
	assert_int_equal(o.wait_us, USEC_PER_HOUR);
	fake_advance(&f->s.fc, USEC_PER_HOUR - 1);
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, &o),
			 PIN_RATE_LIMITED);
	fake_advance(&f->s.fc, 1);
	assert_int_equal(verify(f, PIN_ROLE_OPERATOR, GOOD, &o), PIN_ACCEPTED);
}

/* A pending attempt found at start-up counts as failed. */
static void test_recover_pending(void **state)
{
	struct fx *f = *state;
	struct pin_counters c;
	struct prclock_now n;
	unsigned count = 0;

	set_pin(f, PIN_ROLE_OPERATOR, GOOD);
	assert_int_equal(statedb_exec(f->s.db,
				      "UPDATE pins SET pending = 1, "
				      "failures = 1, attempts_total = 1, "
				      "failures_total = 1"),
			 0);
	n = fake_now(&f->s.fc);
	assert_int_equal(pin_recover(f->s.db, &f->policy, &n, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(pin_counters(f->s.db, PIN_ROLE_OPERATOR, &c), 0);
	assert_false(c.pending);
	assert_int_equal(c.failures, 1);
	assert_int_equal(c.failures_total, 1);
	assert_int_equal(pin_recover(f->s.db, &f->policy, &n, &count), 0);
	assert_int_equal(count, 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_roles),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_verifier_not_pin),
		T(test_not_set),
		T(test_counting),
		T(test_lockout_reason),
		T(test_hourly_cap),
		T(test_recover_pending),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
