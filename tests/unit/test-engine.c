// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The security engine end to end on a real SQLite state directory:
 * provisioning, PIN lockout and its clock rules, tamper, acquirer tokens
 * (good and every kind of bad), reader checks, configuration and audit
 * integrity, damaged databases.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "engine.h"
#include "hex.h"
#include "sec-helpers.h"

#define OPERATOR_PIN   "2468"
#define SUPERVISOR_PIN "97531"
#define WRONG_PIN      "1357"
#define TERMINAL_ID    "T-0001"

struct fx {
	struct fake_clock fc;
	char *dir;
	char *config;
	char *config_sig;
	struct engine *e;
	EVP_PKEY *acq;
	uint8_t acq_pub[TOKEN_PUBKEY_LEN];
	unsigned changes;
};

static void on_change(struct engine *e, void *ud)
{
	((struct fx *)ud)->changes++;
}

static int open_engine(struct fx *f)
{
	struct engine_options o;
	int r;

	engine_options_default(&o);
	o.policy.kdf_iterations = 1000;
	o.clock = &f->fc.clock;
	r = engine_open(f->dir, f->config, &o, &f->e);
	if (r == 0)
		engine_set_changed_callback(f->e, on_change, f);
	return r;
}

static void reopen(struct fx *f)
{
	engine_close(f->e);
	f->e = NULL;
	assert_int_equal(open_engine(f), 0);
}

static const uint8_t master[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
				    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
				    0xcc, 0xdd, 0xee, 0xff };

static int provision(struct fx *f)
{
	struct engine_provisioning p = { 0 };
	uint8_t kcv[KEYSTORE_KCV_LEN];

	keystore_kcv(KEY_AES128, master, sizeof(master), kcv);
	p.terminal_id = TERMINAL_ID;
	p.master_type = KEY_AES128;
	p.master_key = master;
	p.master_len = sizeof(master);
	p.master_kcv = kcv;
	p.acquirer_pub = f->acq_pub;
	p.operator_pin = OPERATOR_PIN;
	p.supervisor_pin = SUPERVISOR_PIN;
	p.firmware_allowlist = "1.0.0,1.1.0";
	return engine_provision(f->e, &p, "test");
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t len = TOKEN_PUBKEY_LEN;

	if (!f)
		return -1;
	fake_clock_init(&f->fc);
	f->dir = scratch_dir();
	f->config = path_in(f->dir, "posreaderd.conf");
	f->config_sig = path_in(f->dir, "posreaderd.conf.sig");
	f->acq = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!f->dir || !f->config || !f->acq ||
	    EVP_PKEY_get_raw_public_key(f->acq, f->acq_pub, &len) != 1)
		return -1;
	if (open_engine(f) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	engine_close(f->e);
	EVP_PKEY_free(f->acq);
	free(f->config);
	free(f->config_sig);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static bool has_reason(struct engine *e, const char *id, const char *subject)
{
	struct lock_reason *v = NULL;
	size_t i, n = 0;
	bool found = false;

	assert_int_equal(engine_reasons(e, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0 &&
		    (!subject || strcmp(v[i].subject, subject) == 0))
			found = true;
	free(v);
	return found;
}

/* True if the reason id carries a message containing text. */
static bool reason_says(struct engine *e, const char *id, const char *text)
{
	struct lock_reason *v = NULL;
	size_t i, n = 0;
	bool found = false;

	assert_int_equal(engine_reasons(e, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0 && strstr(v[i].message, text))
			found = true;
	free(v);
	return found;
}

static size_t reason_count(struct engine *e)
{
	struct lock_reason *v = NULL;
	size_t n = 0;

	assert_int_equal(engine_reasons(e, &v, &n), 0);
	free(v);
	return n;
}

static void make_token(struct fx *f, EVP_PKEY *key, enum token_type type,
		       const char *terminal, const uint8_t *challenge,
		       uint64_t expiry, uint8_t *buf, size_t *len)
{
	struct token t = { 0 };

	t.type = type;
	snprintf(t.terminal_id, sizeof(t.terminal_id), "%s", terminal);
	memcpy(t.challenge, challenge, TOKEN_CHALLENGE_LEN);
	t.expiry = expiry;
	assert_int_equal(token_sign(&t, key, buf, TOKEN_MAX_LEN, len), 0);
}

static uint64_t in_ten_minutes(struct fx *f)
{
	return (uint64_t)f->fc.wall_us / USEC_PER_SEC + 600;
}

/* Get a challenge and apply a token for it; returns the engine's answer. */
static int apply(struct fx *f, enum token_type type, enum token_error *err)
{
	uint8_t c[TOKEN_CHALLENGE_LEN], buf[TOKEN_MAX_LEN];
	size_t len;

	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	make_token(f, f->acq, type, TERMINAL_ID, c, in_ten_minutes(f), buf,
		   &len);
	return engine_apply_token(f->e, buf, len, "test", err);
}

static void wrong_pin(struct fx *f, enum pin_result want)
{
	struct pin_outcome o;

	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR, WRONG_PIN,
					   "test", &o),
			 0);
	assert_int_equal(o.result, want);
}

/* Three wrong operator PINs: the lockout starts on the third. */
static void lock_operator(struct fx *f)
{
	wrong_pin(f, PIN_REJECTED);
	wrong_pin(f, PIN_REJECTED);
	wrong_pin(f, PIN_REJECTED);
}

/* ---- tests ----------------------------------------------------------- */

static void test_fresh_is_unprovisioned(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;

	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_UNPROVISIONED);
	assert_true(has_reason(f->e, LOCK_R_UNPROVISIONED, ""));
	assert_string_equal(engine_terminal_id(f->e), "");
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   OPERATOR_PIN, "test", &o),
			 0);
	assert_int_equal(o.result, PIN_NOT_SET);
}

static void test_provision_activates(void **state)
{
	struct fx *f = *state;
	unsigned before = f->changes;

	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(reason_count(f->e), 0);
	assert_string_equal(engine_terminal_id(f->e), TERMINAL_ID);
	assert_true(f->changes > before);
	/* Survives a restart. */
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_provision_bad_kcv_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct engine_provisioning p = { 0 };
	uint8_t kcv[KEYSTORE_KCV_LEN] = { 1, 2, 3 };

	p.terminal_id = TERMINAL_ID;
	p.master_type = KEY_AES128;
	p.master_key = master;
	p.master_len = sizeof(master);
	p.master_kcv = kcv;
	p.acquirer_pub = f->acq_pub;
	p.operator_pin = OPERATOR_PIN;
	p.supervisor_pin = SUPERVISOR_PIN;
	assert_int_equal(engine_provision(f->e, &p, "test"), -EBADMSG);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_UNPROVISIONED);
	/* A trivial PIN is refused before anything is stored. */
	keystore_kcv(KEY_AES128, master, sizeof(master), kcv);
	p.operator_pin = "1234";
	assert_int_equal(engine_provision(f->e, &p, "test"), -EINVAL);
	p.operator_pin = OPERATOR_PIN;
	p.terminal_id = "bad id with spaces";
	assert_int_equal(engine_provision(f->e, &p, "test"), -EINVAL);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_UNPROVISIONED);
}

static void test_pin_lockout_and_expiry(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	unsigned retries;
	int64_t until;
	uint64_t left;

	assert_int_equal(provision(f), 0);
	assert_int_equal(
		engine_pin_status(f->e, PIN_ROLE_OPERATOR, &retries, &until),
		0);
	assert_int_equal(retries, 3);
	assert_int_equal(until, 0);

	wrong_pin(f, PIN_REJECTED);
	assert_int_equal(
		engine_pin_status(f->e, PIN_ROLE_OPERATOR, &retries, NULL), 0);
	assert_int_equal(retries, 2);
	wrong_pin(f, PIN_REJECTED);
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR, WRONG_PIN,
					   "test", &o),
			 0);
	assert_int_equal(o.result, PIN_REJECTED);
	assert_true(o.lockout_started);
	assert_int_equal(o.retries_left, 0);
	assert_int_equal(o.wait_us, USEC_PER_MIN);

	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	assert_true(has_reason(f->e, LOCK_R_OPERATOR_PIN, ""));
	assert_int_equal(
		engine_pin_status(f->e, PIN_ROLE_OPERATOR, &retries, &until),
		0);
	assert_int_equal(retries, 0);
	assert_int_equal(until, f->fc.wall_us + (int64_t)USEC_PER_MIN);
	assert_int_equal(engine_next_expiry(f->e, &left), 0);
	assert_int_equal(left, USEC_PER_MIN);
	assert_int_equal(engine_locked_until(f->e, &until), 0);
	assert_int_equal(until, f->fc.wall_us + (int64_t)USEC_PER_MIN);

	/* Even the right PIN is not tried while locked. */
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   OPERATOR_PIN, "test", &o),
			 0);
	assert_int_equal(o.result, PIN_LOCKED);

	fake_advance(&f->fc, USEC_PER_MIN - 1);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	fake_advance(&f->fc, 1);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(
		engine_pin_status(f->e, PIN_ROLE_OPERATOR, &retries, NULL), 0);
	assert_int_equal(retries, 3);
	assert_int_equal(engine_locked_until(f->e, &until), 0);
	assert_int_equal(until, 0);
	assert_int_equal(engine_next_expiry(f->e, &left), -ENOENT);

	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   OPERATOR_PIN, "test", &o),
			 0);
	assert_int_equal(o.result, PIN_ACCEPTED);
	assert_int_equal(o.retries_left, 3);
}

static void test_lockouts_grow_then_block(void **state)
{
	struct fx *f = *state;
	static const uint64_t minutes[] = { 1, 5, 30 };
	static const char *const says[] = { "it unlocks in 1 min",
					    "it unlocks in 5 min",
					    "it unlocks in 30 min" };
	struct pin_outcome o;
	size_t i;

	assert_int_equal(provision(f), 0);
	for (i = 0; i < 3; i++) {
		lock_operator(f);
		assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
		assert_true(reason_says(f->e, LOCK_R_OPERATOR_PIN, says[i]));
		fake_advance(&f->fc, minutes[i] * USEC_PER_MIN - 1);
		assert_int_equal(engine_refresh(f->e), 0);
		assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
		fake_advance(&f->fc, 1);
		assert_int_equal(engine_refresh(f->e), 0);
		assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	}
	lock_operator(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	fake_advance(&f->fc, 48 * USEC_PER_HOUR);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	wrong_pin(f, PIN_BLOCKED);

	/* A wrong supervisor PIN does not help; the right one does. */
	assert_int_equal(engine_supervisor_unlock(f->e, WRONG_PIN, "test", &o),
			 0);
	assert_int_equal(o.result, PIN_REJECTED);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(
		engine_supervisor_unlock(f->e, SUPERVISOR_PIN, "test", &o), 0);
	assert_int_equal(o.result, PIN_ACCEPTED);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	/* The ladder starts again at one minute. */
	lock_operator(f);
	fake_advance(&f->fc, USEC_PER_MIN);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_wall_clock_jumps_do_not_shorten(void **state)
{
	struct fx *f = *state;
	uint64_t left;

	assert_int_equal(provision(f), 0);
	lock_operator(f);
	/* Forward a year, then back ten years: still a full minute left. */
	f->fc.wall_us += 365 * 24 * (int64_t)USEC_PER_HOUR;
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	f->fc.wall_us -= 10 * 365 * 24 * (int64_t)USEC_PER_HOUR;
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	assert_int_equal(engine_next_expiry(f->e, &left), 0);
	assert_int_equal(left, USEC_PER_MIN);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	f->fc.boot_us += USEC_PER_MIN;
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_reboot_restarts_lockout(void **state)
{
	struct fx *f = *state;
	uint64_t left;

	assert_int_equal(provision(f), 0);
	lock_operator(f);
	/* Refused while locked: still the first lockout. */
	wrong_pin(f, PIN_LOCKED);
	fake_advance(&f->fc, 50 * USEC_PER_SEC);
	engine_close(f->e);
	f->e = NULL;
	/* Power cut; the wall clock even moves a day ahead. */
	fake_reboot(&f->fc);
	f->fc.wall_us += 24 * (int64_t)USEC_PER_HOUR;
	assert_int_equal(open_engine(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	assert_int_equal(engine_next_expiry(f->e, &left), 0);
	assert_int_equal(left, USEC_PER_MIN);
	fake_advance(&f->fc, USEC_PER_MIN - 1);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	fake_advance(&f->fc, 1);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

/*
 * The lock state is answered from memory (the card-service gate), yet
 * every write is seen by the very next question: a lockout, tamper, a
 * row written behind the engine's back, a transaction rolled back; and
 * a timed reason ends exactly at its end, refreshed away or not.
 */
static void test_lock_state_follows_every_write(void **state)
{
	struct fx *f = *state;
	struct statedb *db;
	struct lock_reason r;
	struct prclock_now now;

	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* A lockout holds to its last microsecond, without any refresh. */
	wrong_pin(f, PIN_REJECTED);
	wrong_pin(f, PIN_REJECTED);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	wrong_pin(f, PIN_REJECTED);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	fake_advance(&f->fc, USEC_PER_MIN - 1);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	fake_advance(&f->fc, 1);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_false(has_reason(f->e, LOCK_R_OPERATOR_PIN, NULL));
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* Tamper blocks at once. */
	assert_int_equal(engine_report_tamper(f->e, "SIM0001", 0x01, "test"),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	db = engine_statedb(f->e);
	assert_int_equal(statedb_exec(db, "DELETE FROM reasons"), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* A reason written without the engine is seen just the same. */
	assert_int_equal(statedb_exec(db,
				      "INSERT INTO reasons(id, subject, kind, "
				      "clears, message, since_wall) VALUES "
				      "('acquirer-seal', '', 2, 4, 'x', 0)"),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_SEAL, ""));
	assert_int_equal(statedb_exec(db, "DELETE FROM reasons"), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* Inside a transaction its own rows count; rolled back, they go. */
	assert_int_equal(prclock_read(&f->fc.clock, &now), 0);
	assert_int_equal(
		lock_reason_init(&r, LOCK_R_TAMPER, "SIM0002", &now, "x"), 0);
	assert_int_equal(statedb_begin(db), 0);
	assert_int_equal(lock_reason_put(db, &r), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	statedb_rollback(db);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_false(has_reason(f->e, LOCK_R_TAMPER, NULL));
	/* Committed, it holds. */
	assert_int_equal(statedb_begin(db), 0);
	assert_int_equal(lock_reason_put(db, &r), 0);
	assert_int_equal(statedb_commit(db), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_TAMPER, "SIM0002"));
}

static void test_change_pin(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	const char *why = NULL;

	assert_int_equal(provision(f), 0);
	/* A bad new PIN costs no attempt. */
	assert_int_equal(engine_change_pin(f->e, PIN_ROLE_OPERATOR,
					   PIN_ROLE_OPERATOR, WRONG_PIN, "0000",
					   "test", &o, &why),
			 -EINVAL);
	assert_non_null(why);
	assert_int_equal(engine_change_pin(f->e, PIN_ROLE_OPERATOR,
					   PIN_ROLE_OPERATOR, WRONG_PIN,
					   "86420", "test", &o, NULL),
			 0);
	assert_int_equal(o.result, PIN_REJECTED);
	assert_int_equal(o.retries_left, 2);
	assert_int_equal(engine_change_pin(f->e, PIN_ROLE_OPERATOR,
					   PIN_ROLE_OPERATOR, OPERATOR_PIN,
					   "86420", "test", &o, NULL),
			 0);
	assert_int_equal(o.result, PIN_ACCEPTED);
	assert_int_equal(
		engine_verify_pin(f->e, PIN_ROLE_OPERATOR, "86420", "test", &o),
		0);
	assert_int_equal(o.result, PIN_ACCEPTED);
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   OPERATOR_PIN, "test", &o),
			 0);
	assert_int_equal(o.result, PIN_REJECTED);
	/* The operator cannot change the supervisor's PIN. */
	assert_int_equal(engine_change_pin(f->e, PIN_ROLE_SUPERVISOR,
					   PIN_ROLE_OPERATOR, "86420", "75319",
					   "test", &o, NULL),
			 -EPERM);
	/* The supervisor may reset a locked operator's PIN. */
	wrong_pin(f, PIN_REJECTED);
	wrong_pin(f, PIN_REJECTED);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_LOCKED);
	assert_int_equal(engine_change_pin(f->e, PIN_ROLE_OPERATOR,
					   PIN_ROLE_SUPERVISOR, SUPERVISOR_PIN,
					   "50505", "test", &o, NULL),
			 -EINVAL); /* repeated pair: trivial */
	assert_int_equal(engine_change_pin(f->e, PIN_ROLE_OPERATOR,
					   PIN_ROLE_SUPERVISOR, SUPERVISOR_PIN,
					   "505061", "test", &o, NULL),
			 0);
	assert_int_equal(o.result, PIN_ACCEPTED);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_tamper_and_unlock_token(void **state)
{
	struct fx *f = *state;
	uint8_t before[KEYSTORE_KCV_LEN], after[KEYSTORE_KCV_LEN];
	struct statedb *db;
	enum token_error err = TOKEN_E_COUNT;

	assert_int_equal(provision(f), 0);
	db = engine_statedb(f->e);
	assert_int_equal(keystore_get_kcv(db, KEY_NAME_DATA, before), 0);
	assert_int_equal(engine_report_tamper(f->e, "SIM0001", 0x01, "test"),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_TAMPER, "SIM0001"));
	/* Working key gone at once; the master key stays. */
	assert_int_equal(keystore_get_kcv(db, KEY_NAME_DATA, after), -ENOENT);
	assert_int_equal(keystore_get_kcv(db, KEY_NAME_MASTER, after), 0);
	/* Self-test passing does not clear tamper; time does not either. */
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	fake_advance(&f->fc, 100 * USEC_PER_HOUR);
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);

	assert_int_equal(apply(f, TOKEN_UNLOCK, &err), 0);
	assert_int_equal(err, TOKEN_OK);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	db = engine_statedb(f->e);
	assert_int_equal(keystore_get_kcv(db, KEY_NAME_DATA, after), 0);
	assert_true(memcmp(before, after, sizeof(before)) != 0);
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_seal_token(void **state)
{
	struct fx *f = *state;
	enum token_error err;

	assert_int_equal(provision(f), 0);
	assert_int_equal(apply(f, TOKEN_SEAL, &err), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_SEAL, ""));
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(apply(f, TOKEN_UNLOCK, &err), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

/* Every refused token: the right error, and nothing else changes. */
static void test_bad_tokens(void **state)
{
	struct fx *f = *state;
	uint8_t c[TOKEN_CHALLENGE_LEN], old[TOKEN_CHALLENGE_LEN];
	uint8_t buf[TOKEN_MAX_LEN], good[TOKEN_MAX_LEN];
	size_t len, good_len;
	EVP_PKEY *other;
	enum token_error err;

	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_report_tamper(f->e, "SIM0001", 0x02, "test"),
			 0);
	assert_int_equal(reason_count(f->e), 1);

	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);

	/* Malformed. */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(engine_apply_token(f->e, buf, 100, "test", &err),
			 -EBADMSG);
	assert_int_equal(err, TOKEN_E_MALFORMED);
	assert_int_equal(engine_apply_token(f->e, buf, 0, "test", &err),
			 -EBADMSG);
	/* Wrong key. */
	other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(other);
	make_token(f, other, TOKEN_UNLOCK, TERMINAL_ID, c, in_ten_minutes(f),
		   buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -EKEYREJECTED);
	assert_int_equal(err, TOKEN_E_WRONG_KEY);
	EVP_PKEY_free(other);
	/* Right key id, signature broken. */
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, c, in_ten_minutes(f),
		   good, &good_len);
	memcpy(buf, good, good_len);
	buf[good_len - 1] ^= 0x01;
	assert_int_equal(engine_apply_token(f->e, buf, good_len, "test", &err),
			 -EKEYREJECTED);
	assert_int_equal(err, TOKEN_E_SIGNATURE);
	/* Signed body altered (the expiry): signature no longer verifies. */
	memcpy(buf, good, good_len);
	buf[good_len - TOKEN_SIG_LEN - 20] ^= 0x40;
	assert_true(engine_apply_token(f->e, buf, good_len, "test", &err) < 0);
	assert_true(err == TOKEN_E_SIGNATURE || err == TOKEN_E_MALFORMED);
	/* Wrong terminal. */
	make_token(f, f->acq, TOKEN_UNLOCK, "T-0002", c, in_ten_minutes(f), buf,
		   &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -EXDEV);
	assert_int_equal(err, TOKEN_E_TERMINAL);
	/* Expired. */
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, c,
		   (uint64_t)f->fc.wall_us / USEC_PER_SEC - 1, buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -EKEYEXPIRED);
	assert_int_equal(err, TOKEN_E_EXPIRED);
	/* A challenge we never issued. */
	memset(old, 0x42, sizeof(old));
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, old, in_ten_minutes(f),
		   buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -ESTALE);
	assert_int_equal(err, TOKEN_E_CHALLENGE);

	/* Still blocked by nothing but the tamper. */
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(reason_count(f->e), 1);

	/* The good token still works after all that... */
	assert_int_equal(engine_apply_token(f->e, good, good_len, "test", &err),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	/* ...once. */
	assert_int_equal(engine_report_tamper(f->e, "SIM0001", 0x02, "test"),
			 0);
	assert_int_equal(engine_apply_token(f->e, good, good_len, "test", &err),
			 -EALREADY);
	assert_int_equal(err, TOKEN_E_REPLAY);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);

	/* A superseded challenge is refused. */
	memcpy(old, c, sizeof(c));
	assert_int_equal(engine_unlock_challenge(f->e, "test", old), 0);
	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, old, in_ten_minutes(f),
		   buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -ESTALE);
	/* A challenge from before a reboot is refused. */
	engine_close(f->e);
	f->e = NULL;
	fake_reboot(&f->fc);
	assert_int_equal(open_engine(f), 0);
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, c, in_ten_minutes(f),
		   buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -ESTALE);
	/* A challenge older than its lifetime is refused. */
	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	fake_advance(&f->fc, 16 * USEC_PER_MIN);
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, c, in_ten_minutes(f),
		   buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -ESTALE);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(engine_audit_verify(f->e, NULL), 0);
}

static void test_token_before_provisioning(void **state)
{
	struct fx *f = *state;
	uint8_t c[TOKEN_CHALLENGE_LEN], buf[TOKEN_MAX_LEN];
	enum token_error err;
	size_t len;

	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	make_token(f, f->acq, TOKEN_UNLOCK, TERMINAL_ID, c, in_ten_minutes(f),
		   buf, &len);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -ENOKEY);
	assert_int_equal(err, TOKEN_E_NO_KEY);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_UNPROVISIONED);
}

/*
 * The wire protocol lets a serial hold spaces (printable ASCII): such a
 * reader must be pairable, judgeable and able to report tamper, or it
 * would go unchecked.
 */
static void test_serial_with_spaces(void **state)
{
	struct fx *f = *state;
	const char *serial = " hp 5 ";
	uint8_t key[32], kcv[KEYSTORE_KCV_LEN], ch[32], rsp[32];
	bool ok = true;

	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_reader_paired(f->e, serial), 0);
	memset(key, 0x3a, sizeof(key));
	keystore_kcv(KEY_HMAC256, key, sizeof(key), kcv);
	assert_int_equal(engine_pair_reader(f->e, serial, key, sizeof(key),
					    kcv, "test"),
			 0);
	assert_int_equal(engine_reader_paired(f->e, serial), 1);
	assert_int_equal(engine_auth_challenge(ch), 0);
	assert_int_equal(selftest_auth_response(key, sizeof(key), serial, ch,
						rsp),
			 0);
	rsp[0] ^= 1;
	assert_int_equal(
		engine_check_reader_auth(f->e, serial, ch, rsp, "test", &ok),
		0);
	assert_false(ok);
	assert_true(has_reason(f->e, LOCK_R_READER, serial));
	assert_int_equal(engine_report_tamper(f->e, serial, 0x01, "test"), 0);
	assert_true(has_reason(f->e, LOCK_R_TAMPER, serial));
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	/* Control characters are still not a serial. */
	assert_int_equal(engine_reader_paired(f->e, "hp\t5"), -EINVAL);
}

static void test_reader_pairing_and_selftest(void **state)
{
	struct fx *f = *state;
	uint8_t key[32], kcv[KEYSTORE_KCV_LEN], bad_kcv[3] = { 0 };
	uint8_t ch[32], rsp[32];
	struct engine_reader_report rd = { 0 };
	struct selftest_result *res = NULL;
	bool ok = false;
	size_t n, i;

	assert_int_equal(provision(f), 0);
	memset(key, 0x5c, sizeof(key));
	keystore_kcv(KEY_HMAC256, key, sizeof(key), kcv);
	assert_int_equal(engine_pair_reader(f->e, "SIM0001", key, sizeof(key),
					    bad_kcv, "test"),
			 -EBADMSG);
	assert_int_equal(engine_pair_reader(f->e, "SIM0001", key, sizeof(key),
					    kcv, "test"),
			 0);

	assert_int_equal(engine_auth_challenge(ch), 0);
	assert_int_equal(
		selftest_auth_response(key, sizeof(key), "SIM0001", ch, rsp),
		0);
	rd.serial = "SIM0001";
	rd.firmware = "1.1.0";
	rd.auth_challenge = ch;
	rd.auth_response = rsp;
	assert_int_equal(engine_run_selftest(f->e, &rd, 1, "test", &res, &n),
			 0);
	for (i = 0; i < n; i++)
		assert_int_equal(res[i].status == SELFTEST_FAIL, 0);
	free(res);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* Firmware off the allowlist: integrity failure; fixed: clears. */
	rd.firmware = "6.6.6";
	assert_int_equal(engine_run_selftest(f->e, &rd, 1, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_INTEGRITY, "firmware:SIM0001"));
	rd.firmware = "1.0.0";
	assert_int_equal(engine_run_selftest(f->e, &rd, 1, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* A wrong answer: not genuine; a later pass does not clear it. */
	rsp[0] ^= 1;
	assert_int_equal(engine_run_selftest(f->e, &rd, 1, "test", NULL, NULL),
			 0);
	assert_true(has_reason(f->e, LOCK_R_READER, "SIM0001"));
	rsp[0] ^= 1;
	assert_int_equal(engine_run_selftest(f->e, &rd, 1, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	/* Re-pairing is the way out. */
	assert_int_equal(engine_pair_reader(f->e, "SIM0001", key, sizeof(key),
					    kcv, "test"),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	/* The queries the daemon asks when a reader attaches. */
	assert_int_equal(engine_reader_paired(f->e, "SIM0001"), 1);
	assert_int_equal(engine_reader_paired(f->e, "NOPE42"), 0);
	assert_int_equal(engine_reader_paired(f->e, ""), -EINVAL);
	assert_int_equal(
		engine_check_reader_auth(f->e, "SIM0001", ch, rsp, "test", &ok),
		0);
	assert_true(ok);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	/* No answer (a timeout): not genuine; re-pairing clears. */
	assert_int_equal(engine_check_reader_auth(f->e, "SIM0001", ch, NULL,
						  "test", &ok),
			 0);
	assert_false(ok);
	assert_true(has_reason(f->e, LOCK_R_READER, "SIM0001"));
	assert_int_equal(engine_pair_reader(f->e, "SIM0001", key, sizeof(key),
					    kcv, "test"),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	/* Not paired: not genuine, even with some answer. */
	assert_int_equal(
		engine_check_reader_auth(f->e, "NOPE42", ch, rsp, "test", &ok),
		0);
	assert_false(ok);
	assert_true(has_reason(f->e, LOCK_R_READER, "NOPE42"));

	/* An unpaired reader is not genuine either. */
	assert_int_equal(engine_reader_authenticated(f->e, "OTHER9", false,
						     "serial changed", "test"),
			 0);
	assert_true(has_reason(f->e, LOCK_R_READER, "OTHER9"));

	/* Tamper seen by the self-test zeroizes like the event. */
	rd.tamper = 0x04;
	assert_int_equal(engine_run_selftest(f->e, &rd, 1, "test", NULL, NULL),
			 0);
	assert_true(has_reason(f->e, LOCK_R_TAMPER, "SIM0001"));
	assert_int_equal(
		keystore_get_kcv(engine_statedb(f->e), KEY_NAME_DATA, kcv),
		-ENOENT);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The configuration check's result in the kept self-test results. */
static struct selftest_result config_result(struct engine *e)
{
	struct selftest_result *v = NULL, found = { .check = SELFTEST_CONFIG };
	size_t i, n = 0;
	bool seen = false;

	assert_int_equal(engine_selftest_results(e, &v, &n, NULL), 0);
	for (i = 0; i < n; i++)
		if (v[i].check == SELFTEST_CONFIG) {
			found = v[i];
			seen = true;
		}
	free(v);
	assert_true(seen);
	return found;
}

/* The message of the integrity-failure/config reason ("" if none). */
static void config_reason(struct engine *e, char *buf, size_t cap)
{
	struct lock_reason *v = NULL;
	size_t i, n = 0;

	buf[0] = '\0';
	assert_int_equal(engine_reasons(e, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, LOCK_R_INTEGRITY) == 0 &&
		    strcmp(v[i].subject, "config") == 0)
			snprintf(buf, cap, "%s", v[i].message);
	free(v);
}

static void expect_config_reason(struct engine *e, const char *what)
{
	char msg[LOCK_MESSAGE_MAX];

	config_reason(e, msg, sizeof(msg));
	if (!strstr(msg, what))
		fail_msg("config reason \"%s\" lacks \"%s\"", msg, what);
}

static void selftest(struct fx *f)
{
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
}

static unsigned count_audit(struct engine *e, const char *event)
{
	struct audit_entry *v = NULL;
	size_t i, n = 0;
	unsigned k = 0;

	assert_int_equal(engine_audit(e, 0, 1000, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].event, event) == 0)
			k++;
	free(v);
	return k;
}

/* Write "<path>.sig": the hex Ed25519 signature of path's contents. */
static void sign_config(struct fx *f, const char *path)
{
	uint8_t *data = NULL, sig[TOKEN_SIG_LEN];
	char hex[2 * TOKEN_SIG_LEN + 2], *sig_path;
	size_t len = 0, slen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	assert_int_equal(selftest_config_read(path, &data, &len), 0);
	assert_non_null(md);
	assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, f->acq), 1);
	assert_int_equal(EVP_DigestSign(md, sig, &slen, data, len), 1);
	EVP_MD_CTX_free(md);
	free(data);
	hex_encode(sig, sizeof(sig), hex);
	strcat(hex, "\n");
	assert_int_equal(asprintf(&sig_path, "%s.sig", path) > 0, 1);
	write_text(sig_path, hex);
	free(sig_path);
}

/* Written after provisioning: unsealed until an admin seals it. */
static void test_config_integrity(void **state)
{
	struct fx *f = *state;
	struct selftest_result res;

	assert_int_equal(provision(f), 0);
	assert_int_equal(config_result(f->e).status, SELFTEST_SKIPPED);
	write_text(f->config, "pin-lockout = 60\n");
	/* Present but neither sealed nor signed. */
	selftest(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	expect_config_reason(f->e, f->config);
	expect_config_reason(f->e, "is not sealed");
	/* Sealing re-runs the check: active again at once. */
	assert_int_equal(engine_seal_config(f->e, NULL, 0, "admin", &res), 0);
	assert_int_equal(res.status, SELFTEST_PASS);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(config_result(f->e).status, SELFTEST_PASS);
	assert_int_equal(count_audit(f->e, "config-sealed"), 1);
	/* Someone edits it. */
	write_text(f->config, "pin-lockout = 1\n");
	selftest(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	expect_config_reason(f->e, "was changed after it was sealed");
	expect_config_reason(f->e, f->config);
	assert_int_equal(config_result(f->e).status, SELFTEST_FAIL);
	/* Put back: the re-run clears it. */
	write_text(f->config, "pin-lockout = 60\n");
	selftest(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

/* Provisioning seals the file as it is; a restart checks it. */
static void test_config_sealed_at_provisioning(void **state)
{
	struct fx *f = *state;

	write_text(f->config, "pin-max-failures = 5\n");
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_UNPROVISIONED);
	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(count_audit(f->e, "config-sealed"), 1);
	assert_int_equal(config_result(f->e).status, SELFTEST_PASS);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(config_result(f->e).status, SELFTEST_PASS);
	/* Edited while the daemon was down: it comes up blocked. */
	write_text(f->config, "pin-max-failures = 20\n");
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	expect_config_reason(f->e, "was changed after it was sealed");
	/* Re-provisioning vouches for it as it is now. */
	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(count_audit(f->e, "config-sealed"), 2);
}

/* No terminal key, nothing to check or seal with. */
static void test_config_unprovisioned(void **state)
{
	struct fx *f = *state;
	struct lock_reason *v = NULL;
	size_t n = 0;

	write_text(f->config, "pin-max-failures = 5\n");
	reopen(f);
	assert_int_equal(engine_seal_config(f->e, NULL, 0, "admin", NULL),
			 -ENOKEY);
	selftest(f);
	assert_int_equal(engine_reasons(f->e, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, LOCK_R_UNPROVISIONED);
	free(v);
	assert_int_equal(count_audit(f->e, "config-sealed"), 0);
}

/* The acquirer's signature stands on its own, with or without a MAC. */
static void test_config_signature(void **state)
{
	struct fx *f = *state;
	struct selftest_result res;

	assert_int_equal(provision(f), 0);
	write_text(f->config, "card-group = pos\n");
	sign_config(f, f->config);
	selftest(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	res = config_result(f->e);
	assert_int_equal(res.status, SELFTEST_PASS);
	assert_non_null(strstr(res.message, "signature"));
	/* Changed: neither the signature nor a MAC vouches for it. */
	write_text(f->config, "card-group = root\n");
	selftest(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	expect_config_reason(f->e, ".sig does not verify");
	/* An admin's seal vouches for it despite the stale signature. */
	assert_int_equal(engine_seal_config(f->e, NULL, 0, "admin", &res), 0);
	assert_int_equal(res.status, SELFTEST_PASS);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	/* A signature that is not hex fails like a wrong one. */
	write_text(f->config, "card-group = other\n");
	write_text(f->config_sig, "not hex\n");
	selftest(f);
	expect_config_reason(f->e, ".sig is malformed");
}

/* The seal belongs to one file: another, or none where it was, fails. */
static void test_config_other_file_or_gone(void **state)
{
	struct fx *f = *state;
	char *other = path_in(f->dir, "other.conf");
	struct engine_options o;

	write_text(f->config, "usb = yes\n");
	write_text(other, "usb = yes\n");
	reopen(f);
	assert_int_equal(provision(f), 0);
	engine_close(f->e);
	engine_options_default(&o);
	o.policy.kdf_iterations = 1000;
	o.clock = &f->fc.clock;
	assert_int_equal(engine_open(f->dir, other, &o, &f->e), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	expect_config_reason(f->e, "is not the file that was sealed");
	expect_config_reason(f->e, other);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_int_equal(unlink(f->config), 0);
	selftest(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	expect_config_reason(f->e, "is gone");
	free(other);
}

/* Sealing given contents, and without a configuration file at all. */
static void test_config_seal_arguments(void **state)
{
	struct fx *f = *state;
	static const char text[] = "kernel = yes\n";
	struct engine_options o;

	assert_int_equal(provision(f), 0);
	/* The contents the caller read and checked are what is sealed. */
	write_text(f->config, text);
	assert_int_equal(engine_seal_config(f->e, (const uint8_t *)"kernel", 6,
					    "admin", NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(engine_seal_config(f->e, (const uint8_t *)text,
					    strlen(text), "admin", NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	assert_string_equal(engine_config_path(f->e), f->config);
	/* Unreadable: an error, and the state is as it was. */
	assert_int_equal(unlink(f->config), 0);
	assert_int_equal(engine_seal_config(f->e, NULL, 0, "admin", NULL),
			 -ENOENT);
	engine_close(f->e);
	engine_options_default(&o);
	o.policy.kdf_iterations = 1000;
	o.clock = &f->fc.clock;
	assert_int_equal(engine_open(f->dir, NULL, &o, &f->e), 0);
	assert_null(engine_config_path(f->e));
	assert_int_equal(config_result(f->e).status, SELFTEST_SKIPPED);
	assert_int_equal(engine_seal_config(f->e, NULL, 0, "admin", NULL),
			 -ENOENT);
}

static void test_audit_chain_break(void **state)
{
	struct fx *f = *state;
	enum token_error err;
	int64_t bad = 0;
	struct audit_entry *v = NULL;
	size_t n = 0, i;

	assert_int_equal(provision(f), 0);
	wrong_pin(f, PIN_REJECTED);
	assert_int_equal(engine_audit_verify(f->e, NULL), 0);
	assert_int_equal(engine_audit(f->e, 0, 1000, &v, &n), 0);
	assert_true(n >= 3);
	for (i = 0; i < n; i++) {
		/* No PIN ever reaches the log. */
		assert_null(strstr(v[i].detail, WRONG_PIN));
		assert_null(strstr(v[i].detail, OPERATOR_PIN));
		assert_true(v[i].mac_ok);
	}
	free(v);

	assert_int_equal(statedb_exec(engine_statedb(f->e),
				      "UPDATE audit SET detail = 'nothing' "
				      "WHERE seq = 2"),
			 0);
	assert_int_equal(engine_audit_verify(f->e, &bad), -EBADMSG);
	assert_int_equal(bad, 2);
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_true(has_reason(f->e, LOCK_R_INTEGRITY, "audit-log"));
	/* Re-running does not clear a broken chain. */
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	/* The acquirer's unlock re-anchors the chain. */
	assert_int_equal(apply(f, TOKEN_UNLOCK, &err), 0);
	assert_int_equal(engine_audit_verify(f->e, NULL), 0);
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_keystore_damage_blocks(void **state)
{
	struct fx *f = *state;

	assert_int_equal(provision(f), 0);
	assert_int_equal(statedb_exec(engine_statedb(f->e),
				      "UPDATE keys SET value = "
				      "zeroblob(16) WHERE name = "
				      "'working-data'"),
			 0);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_KEYS, ""));
	/* Re-provisioning is the way out. */
	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

static void test_corrupt_database_blocks(void **state)
{
	struct fx *f = *state;
	char *db = path_in(f->dir, STATEDB_FILE);
	struct lock_reason *v = NULL;
	size_t n = 0, i;
	bool found = false;

	assert_int_equal(provision(f), 0);
	engine_close(f->e);
	f->e = NULL;
	write_text(db, "this is not a database, it has been overwritten");
	assert_int_equal(open_engine(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(engine_reasons(f->e, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, LOCK_R_INTEGRITY) == 0 &&
		    strcmp(v[i].subject, "state-db") == 0 &&
		    strstr(v[i].message, "unreadable"))
			found = true;
	free(v);
	assert_true(found);
	/* Still blocked after a restart: the reason itself is persisted. */
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	/* Re-provisioning brings it back. */
	assert_int_equal(provision(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	free(db);
}

static void test_rolled_back_database_blocks(void **state)
{
	struct fx *f = *state;
	char *db = path_in(f->dir, STATEDB_FILE);
	char *snap = path_in(f->dir, "snapshot");
	enum token_error err;

	assert_int_equal(provision(f), 0);
	engine_close(f->e);
	f->e = NULL;
	assert_int_equal(copy_file(db, snap), 0);
	assert_int_equal(open_engine(f), 0);
	lock_operator(f);
	engine_close(f->e);
	f->e = NULL;
	/* Put the old copy back to wipe the lockout. */
	assert_int_equal(copy_file(snap, db), 0);
	assert_int_equal(open_engine(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_INTEGRITY, "state-db"));
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_int_equal(apply(f, TOKEN_UNLOCK, &err), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	reopen(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	free(db);
	free(snap);
}

static void test_missing_database_blocks(void **state)
{
	struct fx *f = *state;
	char *db = path_in(f->dir, STATEDB_FILE);

	assert_int_equal(provision(f), 0);
	engine_close(f->e);
	f->e = NULL;
	assert_int_equal(unlink(db), 0);
	assert_int_equal(open_engine(f), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
	assert_true(has_reason(f->e, LOCK_R_INTEGRITY, "state-db"));
	assert_true(has_reason(f->e, LOCK_R_UNPROVISIONED, ""));
	free(db);
}

/* The daemon emits PropertiesChanged from this callback: on changes only. */
static void test_change_notifications(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	unsigned c;

	assert_int_equal(provision(f), 0);
	c = f->changes;
	assert_int_equal(engine_refresh(f->e), 0);
	assert_int_equal(f->changes, c);
	wrong_pin(f, PIN_REJECTED); /* retries 3 -> 2 */
	assert_int_equal(f->changes, c + 1);
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   OPERATOR_PIN, "test", &o),
			 0);
	assert_int_equal(f->changes, c + 2); /* back to 3 */
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   OPERATOR_PIN, "test", &o),
			 0);
	assert_int_equal(f->changes, c + 2); /* nothing visible changed */
	assert_int_equal(engine_report_tamper(f->e, "SIM0001", 1, "test"), 0);
	assert_int_equal(f->changes, c + 3);
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_int_equal(f->changes, c + 4); /* new self-test results */
}

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	struct pin_outcome o;
	struct pin_counters c;
	uint8_t key[32] = { 0 }, kcv[3] = { 0 };

	assert_int_equal(provision(f), 0);
	assert_int_equal(
		engine_verify_pin(f->e, PIN_ROLE_OPERATOR, "12a4", "test", &o),
		-EINVAL);
	assert_int_equal(
		engine_verify_pin(f->e, PIN_ROLE_OPERATOR, "", "test", &o),
		-EINVAL);
	assert_int_equal(engine_verify_pin(f->e, PIN_ROLE_OPERATOR,
					   "1234567890123", "test", &o),
			 -EINVAL);
	assert_int_equal(
		engine_verify_pin(f->e, PIN_ROLE_OPERATOR, NULL, "test", &o),
		-EINVAL);
	assert_int_equal(
		engine_verify_pin(f->e, (enum pin_role)7, "2468", "test", &o),
		-EINVAL);
	assert_int_equal(
		pin_counters(engine_statedb(f->e), PIN_ROLE_OPERATOR, &c), 0);
	assert_int_equal(c.attempts_total, 0);
	assert_int_equal(engine_report_tamper(f->e, "", 1, "test"), -EINVAL);
	assert_int_equal(engine_report_tamper(f->e, "a\nb", 1, "test"),
			 -EINVAL);
	assert_int_equal(engine_pair_reader(f->e, "SIM1", key, 16, kcv, "test"),
			 -EINVAL);
	assert_int_equal(engine_apply_token(f->e, NULL, 0, "test", NULL),
			 -EBADMSG);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_fresh_is_unprovisioned),
		T(test_provision_activates),
		T(test_provision_bad_kcv_changes_nothing),
		T(test_pin_lockout_and_expiry),
		T(test_lockouts_grow_then_block),
		T(test_wall_clock_jumps_do_not_shorten),
		T(test_reboot_restarts_lockout),
		T(test_lock_state_follows_every_write),
		T(test_change_pin),
		T(test_tamper_and_unlock_token),
		T(test_seal_token),
		T(test_bad_tokens),
		T(test_token_before_provisioning),
		T(test_reader_pairing_and_selftest),
		T(test_serial_with_spaces),
		T(test_config_integrity),
		T(test_config_sealed_at_provisioning),
		T(test_config_unprovisioned),
		T(test_config_signature),
		T(test_config_other_file_or_gone),
		T(test_config_seal_arguments),
		T(test_audit_chain_break),
		T(test_keystore_damage_blocks),
		T(test_corrupt_database_blocks),
		T(test_rolled_back_database_blocks),
		T(test_missing_database_blocks),
		T(test_change_notifications),
		T(test_bad_input),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
