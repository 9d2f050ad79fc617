// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Count before compare, tested the hard way: a child process verifies a
 * PIN and is killed just before and just after each of its durable
 * writes in turn (the POSREADER_TEST_CRASH_AT hook), until it gets
 * through uncut. CRYPTO_memcmp is wrapped so the test knows whether the
 * PIN was compared before the crash. After every crash the state is
 * reopened as the daemon would: the counters must never have gone back,
 * a compared attempt must always be on record, and a crash before the
 * success is on disk must count as a failed attempt.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/wait.h>

#include "engine.h"
#include "sec-helpers.h"

#define OPERATOR_PIN   "2468"
#define SUPERVISOR_PIN "97531"
#define WRONG_PIN      "1357"
#define MAX_POINTS     64
/* Length of a stored PIN verifier: what pin.c compares. */
#define VERIFIER_LEN   36

/* In the child: where to report that a PIN comparison happened. */
static int compare_fd = -1;

int __real_CRYPTO_memcmp(const volatile void *a, const volatile void *b,
			 size_t len);
int __wrap_CRYPTO_memcmp(const volatile void *a, const volatile void *b,
			 size_t len);

int __wrap_CRYPTO_memcmp(const volatile void *a, const volatile void *b,
			 size_t len)
{
	if (compare_fd >= 0 && len == VERIFIER_LEN &&
	    write(compare_fd, "C", 1) != 1)
		_exit(5);
	return __real_CRYPTO_memcmp(a, b, len);
}

struct fx {
	struct fake_clock fc;
	char *dir;
	unsigned max_failures;
};

static int open_engine(struct fx *f, struct engine **ret)
{
	struct engine_options o;

	engine_options_default(&o);
	o.policy.kdf_iterations = 1000;
	o.policy.max_failures = f->max_failures;
	o.clock = &f->fc.clock;
	return engine_open(f->dir, NULL, &o, ret);
}

static void provision(struct fx *f)
{
	static const uint8_t master[16] = { 1, 2,  3,  4,  5,  6,  7,  8,
					    9, 10, 11, 12, 13, 14, 15, 16 };
	struct engine_provisioning p = { 0 };
	uint8_t kcv[KEYSTORE_KCV_LEN], pub[32];
	size_t len = sizeof(pub);
	struct engine *e = NULL;
	EVP_PKEY *acq;

	acq = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(acq);
	assert_int_equal(EVP_PKEY_get_raw_public_key(acq, pub, &len), 1);
	EVP_PKEY_free(acq);
	keystore_kcv(KEY_AES128, master, sizeof(master), kcv);
	p.terminal_id = "T-CRASH";
	p.master_type = KEY_AES128;
	p.master_key = master;
	p.master_len = sizeof(master);
	p.master_kcv = kcv;
	p.acquirer_pub = pub;
	p.operator_pin = OPERATOR_PIN;
	p.supervisor_pin = SUPERVISOR_PIN;
	assert_int_equal(open_engine(f, &e), 0);
	assert_int_equal(engine_provision(e, &p, "test"), 0);
	engine_close(e);
}

/* Counters and state as the daemon sees them after (re)starting. */
struct snapshot {
	struct pin_counters c;
	enum lock_state state;
};

static void snapshot(struct fx *f, struct snapshot *ret)
{
	struct engine *e = NULL;

	assert_int_equal(open_engine(f, &e), 0);
	assert_int_equal(
		pin_counters(engine_statedb(e), PIN_ROLE_OPERATOR, &ret->c), 0);
	ret->state = engine_lock_state(e);
	assert_false(ret->c.pending);
	engine_close(e);
}

enum child_end {
	CHILD_CRASHED,
	CHILD_DONE,
};

/* What one child run did. */
struct run {
	enum child_end end;
	int open_points; /* crash points passed while opening, -1: died */
	bool compared;	 /* the PIN was compared before the end */
};

/* Run one verification in a child that dies at crash point crash_at. */
static void run_child(struct fx *f, const char *pin, unsigned crash_at,
		      struct run *ret)
{
	unsigned points;
	int fds[2], status;
	char c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned base = statedb_crash_points();
		struct engine *e = NULL;
		struct pin_outcome o;
		char num[16];

		close(fds[0]);
		snprintf(num, sizeof(num), "%u", crash_at);
		setenv(STATEDB_CRASH_ENV, num, 1);
		if (open_engine(f, &e) < 0)
			_exit(2);
		points = statedb_crash_points() - base;
		if (write(fds[1], &points, sizeof(points)) != sizeof(points))
			_exit(3);
		compare_fd = fds[1];
		if (engine_verify_pin(e, PIN_ROLE_OPERATOR, pin, "test", &o) <
		    0)
			_exit(4);
		_exit(o.result == PIN_ACCEPTED ? 0 : 1);
	}
	close(fds[1]);
	ret->open_points = -1;
	ret->compared = false;
	if (read(fds[0], &points, sizeof(points)) == sizeof(points))
		ret->open_points = (int)points;
	while (read(fds[0], &c, 1) == 1)
		ret->compared = true;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == STATEDB_CRASH_EXIT) {
		ret->end = CHILD_CRASHED;
		return;
	}
	/* 0: accepted, 1: rejected; anything else is an error. */
	assert_int_equal(WEXITSTATUS(status), strcmp(pin, OPERATOR_PIN) != 0);
	ret->end = CHILD_DONE;
}

/* The rules every round must keep, crash or not. */
static void check_round(const struct snapshot *before,
			const struct snapshot *after, const struct run *run)
{
	/* Never back. */
	assert_true(after->c.attempts_total >= before->c.attempts_total);
	assert_true(after->c.attempts_total <= before->c.attempts_total + 1);
	/* No free guess: a compared PIN is always a counted attempt. */
	if (run->compared)
		assert_int_equal(after->c.attempts_total,
				 before->c.attempts_total + 1);
	if (after->c.attempts_total == before->c.attempts_total) {
		assert_int_equal(after->c.failures, before->c.failures);
		assert_int_equal(after->c.failures_total,
				 before->c.failures_total);
	} else if (after->c.failures_total == before->c.failures_total + 1) {
		/* Counted and not a success: one failure more, or the
		 * lockout it started. */
		assert_true(after->c.failures == before->c.failures + 1 ||
			    (after->c.failures == 0 &&
			     after->c.lockouts == before->c.lockouts + 1));
	} else {
		/* A success, which needs a comparison. */
		assert_int_equal(after->c.failures_total,
				 before->c.failures_total);
		assert_int_equal(after->c.failures, 0);
		assert_true(run->compared);
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	fake_clock_init(&f->fc);
	f->dir = scratch_dir();
	if (!f->dir)
		return -1;
	f->max_failures = 100;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	scratch_remove(f->dir);
	free(f);
	return 0;
}

/*
 * The correct PIN, crashing at every point: every crash before the
 * success record leaves one more failure, never fewer; from the first
 * crash point after the success record on, the success holds.
 */
static void test_crash_correct_pin(void **state)
{
	struct fx *f = *state;
	struct snapshot before, after;
	struct run run;
	int success_from = -1;
	unsigned k, cut_attempts = 0, compared = 0;
	bool done = false;

	provision(f);
	for (k = 1; k < MAX_POINTS && !done; k++) {
		/* Start each round from one failure on record. */
		snapshot(f, &before);
		if (before.c.failures == 0) {
			run_child(f, WRONG_PIN, 0, &run);
			snapshot(f, &before);
		}
		assert_true(before.c.failures >= 1);

		run_child(f, OPERATOR_PIN, k, &run);
		snapshot(f, &after);
		check_round(&before, &after, &run);
		/* A crash is never mistaken for a rollback or damage. */
		assert_int_equal(after.state, LOCK_STATE_ACTIVE);
		if (run.end == CHILD_DONE) {
			done = true;
			assert_int_equal(after.c.failures, 0);
			break;
		}
		if (run.open_points < 0 || k <= (unsigned)run.open_points) {
			/* Died while starting: no attempt was made. */
			assert_int_equal(after.c.attempts_total,
					 before.c.attempts_total);
			continue;
		}
		cut_attempts++;
		compared += run.compared;
		if (after.c.failures == 0) {
			if (success_from < 0)
				success_from = (int)(k - run.open_points);
		} else {
			/* Once the success is on disk, it stays. */
			assert_int_equal(success_from, -1);
		}
	}
	assert_true(done);
	/* Before and after each of four writes: failure record, its seal,
	 * success record, its seal. */
	assert_true(cut_attempts >= 8);
	assert_true(compared >= 1);
	/* The failure record comes first: crashes there counted. */
	assert_true(success_from > 2);
}

/* A wrong PIN, crashing everywhere: one failure more or nothing. */
static void test_crash_wrong_pin(void **state)
{
	struct fx *f = *state;
	struct snapshot before, after;
	struct run run;
	unsigned k, counted = 0;
	bool done = false;

	provision(f);
	for (k = 1; k < MAX_POINTS && !done; k++) {
		snapshot(f, &before);
		run_child(f, WRONG_PIN, k, &run);
		snapshot(f, &after);
		check_round(&before, &after, &run);
		if (run.end == CHILD_DONE) {
			done = true;
			assert_int_equal(after.c.failures,
					 before.c.failures + 1);
		}
		counted += after.c.attempts_total > before.c.attempts_total;
	}
	assert_true(done);
	assert_true(counted >= 4);
}

/*
 * The attempt that reaches the limit, cut at every point: once counted,
 * the terminal must come back locked every time.
 */
static void test_crash_on_lockout_attempt(void **state)
{
	struct fx *f = *state;
	struct snapshot before, after;
	struct run run;
	unsigned k, i, locked = 0;
	bool done = false;

	f->max_failures = 3;
	for (k = 1; k < MAX_POINTS && !done; k++) {
		char *db = path_in(f->dir, STATEDB_FILE);
		char *seal = path_in(f->dir, STATEDB_SEAL_FILE);
		char *key = path_in(f->dir, STATEDB_KEY_FILE);

		/* Fresh state each round: provision, then two wrong. */
		unlink(db);
		unlink(seal);
		unlink(key);
		free(db);
		free(seal);
		free(key);
		provision(f);
		for (i = 0; i < 2; i++)
			run_child(f, WRONG_PIN, 0, &run);
		snapshot(f, &before);
		assert_int_equal(before.c.failures, 2);
		assert_int_equal(before.state, LOCK_STATE_ACTIVE);

		run_child(f, WRONG_PIN, k, &run);
		snapshot(f, &after);
		check_round(&before, &after, &run);
		if (run.end == CHILD_DONE)
			done = true;
		if (after.c.attempts_total == before.c.attempts_total) {
			assert_int_equal(after.state, LOCK_STATE_ACTIVE);
			continue;
		}
		assert_int_equal(after.state, LOCK_STATE_LOCKED);
		assert_int_equal(after.c.lockouts, 1);
		locked++;
	}
	assert_true(done);
	assert_true(locked >= 4);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_crash_correct_pin),
		T(test_crash_wrong_pin),
		T(test_crash_on_lockout_attempt),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
