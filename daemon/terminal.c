// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.posreader1.Terminal: the engine's lock state on the bus, the timer
 * that ends timed reasons, and the --test-lock-file hook.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "dbus-errors.h"
#include "log.h"
#include "manager.h"
#include "reader.h"
#include "terminal-private.h"
#include "terminal.h"
#include "util.h"

/* Fire a little after the reason ends, never before. */
#define EXPIRY_SLACK_US	   2000
/* The periodic self-test (docs/security.md). */
#define SELFTEST_PERIOD_US (24 * USEC_PER_HOUR)

static void terminal_changed(struct engine *e, void *userdata);

int terminal_new(struct manager *m, struct terminal **ret_terminal)
{
	struct terminal *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->mgr = m;
	t->last_state = "blocked";
	snprintf(t->open_error, sizeof(t->open_error),
		 "The security engine is not open.");
	*ret_terminal = t;
	return 0;
}

struct terminal *terminal_free(struct terminal *t)
{
	if (!t)
		return NULL;
	sd_event_source_disable_unref(t->test_lock_watch);
	sd_event_source_disable_unref(t->expiry_timer);
	sd_event_source_disable_unref(t->selftest_timer);
	sd_bus_slot_unref(t->methods_slot);
	sd_bus_slot_unref(t->slot);
	engine_close(t->engine);
	free(t->test_lock_file);
	free(t);
	return NULL;
}

int terminal_set_groups(struct terminal *t, const char *card_group,
			const char *admin_group)
{
	return auth_init(&t->auth, card_group, admin_group);
}

struct engine *terminal_engine(struct terminal *t)
{
	return t->engine;
}

bool terminal_is_active(const struct terminal *t)
{
	return t->engine && !t->test_lock &&
	       engine_lock_state(t->engine) == LOCK_STATE_ACTIVE;
}

const char *terminal_state(const struct terminal *t)
{
	enum lock_state s;

	if (!t->engine)
		return "blocked";
	s = engine_lock_state(t->engine);
	if (s == LOCK_STATE_ACTIVE && t->test_lock)
		return "locked";
	return lock_state_name(s);
}

/* Append "[; ]id: message" to buf as far as it fits. */
static void append(char *buf, size_t cap, const char *id, const char *message)
{
	size_t n = strlen(buf);

	if (n + 8 >= cap)
		return;
	snprintf(buf + n, cap - n, "%s%s: %s", n ? "; " : "", id, message);
}

int terminal_refuse(struct terminal *t, sd_bus_error *error)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	char why[768] = "";
	size_t n = 0;

	if (!t->engine)
		append(why, sizeof(why), LOCK_R_INTEGRITY, t->open_error);
	else if (engine_reasons(t->engine, &v, &n) >= 0)
		for (size_t i = 0; i < n; i++)
			append(why, sizeof(why), v[i].id, v[i].message);
	if (t->test_lock)
		append(why, sizeof(why), LOCK_REASON_TEST,
		       "the test lock file exists");
	return sd_bus_error_setf(error, PR_ERR_LOCKED,
				 "The terminal is %s; card services are "
				 "refused (%s).",
				 terminal_state(t), why[0] ? why : "no reason");
}

/* ---- Timer ---------------------------------------------------------- */

static int expiry_fired(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct terminal *t = userdata;
	int ret;

	ret = engine_refresh(t->engine);
	if (ret < 0)
		log_warning_errno(ret, "cannot refresh the lock reasons");
	/* engine_refresh() notifies only on change; re-arm regardless. */
	terminal_sync(t);
	return 0;
}

/* Arm the CLOCK_BOOTTIME timer for the next timed reason, or disarm. */
static void schedule_expiry(struct terminal *t)
{
	uint64_t left, now;
	int ret;

	if (!t->engine || engine_next_expiry(t->engine, &left) < 0) {
		sd_event_source_set_enabled(t->expiry_timer, SD_EVENT_OFF);
		return;
	}
	ret = sd_event_now(t->mgr->event, CLOCK_BOOTTIME, &now);
	if (ret < 0)
		return;
	if (!t->expiry_timer) {
		ret = sd_event_add_time(
			t->mgr->event, &t->expiry_timer, CLOCK_BOOTTIME,
			now + left + EXPIRY_SLACK_US, 1000, expiry_fired, t);
		if (ret < 0)
			log_warning_errno(ret, "cannot arm the unlock timer");
		return;
	}
	sd_event_source_set_time(t->expiry_timer, now + left + EXPIRY_SLACK_US);
	sd_event_source_set_enabled(t->expiry_timer, SD_EVENT_ONESHOT);
}

/* ---- Self-test ------------------------------------------------------ */

/* One self-test in flight: the readers' reports and the answers. */
struct selftest_run {
	struct terminal *t;
	char caller[AUTH_CALLER_MAX];
	terminal_selftest_done_t done;
	void *userdata;
	size_t n, pending;
	struct engine_reader_report *rep;
	struct selftest_reader {
		struct selftest_run *run;
		char serial[PRW_STR_MAX + 1];
		char firmware[PRW_STR_MAX + 1];
		uint8_t challenge[PRW_AUTH_CHALLENGE_LEN];
		uint8_t response[PRW_AUTH_RESPONSE_LEN];
	} * rd;
};

static void selftest_run_free(struct selftest_run *run)
{
	if (!run)
		return;
	if (run->rd)
		explicit_bzero(run->rd, run->n * sizeof(*run->rd));
	free(run->rd);
	free(run->rep);
	free(run);
}

/* Every answer is in: run the engine's self-test and report. */
static void selftest_complete(struct selftest_run *run)
{
	_cleanup_free_ struct selftest_result *v = NULL;
	size_t n = 0;
	int ret;

	ret = engine_run_selftest(run->t->engine, run->rep, run->n, run->caller,
				  &v, &n);
	if (run->done)
		run->done(run->t, ret, v, n, run->userdata);
	selftest_run_free(run);
}

static void selftest_auth_done(struct reader *r, int err,
			       const uint8_t *challenge,
			       const uint8_t *response, void *userdata)
{
	struct selftest_reader *sr = userdata;
	struct selftest_run *run = sr->run;
	size_t i = (size_t)(sr - run->rd);

	if (err == -ENODEV) {
		/* Unplugged meanwhile: nothing to judge. */
		run->rep[i].auth_challenge = NULL;
	} else if (response) {
		memcpy(sr->challenge, challenge, sizeof(sr->challenge));
		memcpy(sr->response, response, sizeof(sr->response));
		run->rep[i].auth_response = sr->response;
	} else {
		memcpy(sr->challenge, challenge, sizeof(sr->challenge));
		log_warning("reader %s: no valid answer to the self-test's "
			    "authentication challenge (%s)",
			    sr->serial, strerror(-err));
	}
	if (--run->pending == 0)
		selftest_complete(run);
}

int terminal_run_selftest(struct terminal *t, const char *caller,
			  terminal_selftest_done_t done, void *userdata)
{
	struct selftest_run *run;
	size_t nr = 0;
	int ret;

	if (!t->engine)
		return -ENODEV;
	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->t = t;
	run->done = done;
	run->userdata = userdata;
	snprintf(run->caller, sizeof(run->caller), "%s", caller);
	run->rep = calloc(t->mgr->n_readers + 1, sizeof(*run->rep));
	run->rd = calloc(t->mgr->n_readers + 1, sizeof(*run->rd));
	if (!run->rep || !run->rd) {
		selftest_run_free(run);
		return -ENOMEM;
	}
	/* One more than the answers awaited, dropped once all are asked. */
	run->pending = 1;
	for (struct reader *r = t->mgr->readers; r; r = r->next) {
		struct selftest_reader *sr = &run->rd[nr];

		if (!r->published || r->dead || nr >= t->mgr->n_readers)
			continue;
		sr->run = run;
		snprintf(sr->serial, sizeof(sr->serial), "%s", r->info.serial);
		snprintf(sr->firmware, sizeof(sr->firmware), "%s",
			 r->info.firmware);
		run->rep[nr].serial = sr->serial;
		run->rep[nr].firmware = sr->firmware;
		run->n = ++nr;
		if (engine_reader_paired(t->engine, sr->serial) <= 0)
			continue;
		/* Paired: it must prove its key; no AUTH counts as no answer.
		 */
		run->rep[nr - 1].auth_challenge = sr->challenge;
		ret = reader_authenticate(r, selftest_auth_done, sr);
		if (ret >= 0) {
			run->pending++;
			continue;
		}
		if (ret != -EOPNOTSUPP)
			log_warning_errno(ret,
					  "reader %s: cannot send the "
					  "self-test's challenge",
					  sr->serial);
		if (engine_auth_challenge(sr->challenge) < 0)
			run->rep[nr - 1].auth_challenge = NULL;
	}
	if (--run->pending == 0)
		selftest_complete(run);
	return 0;
}

static int selftest_fired(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct terminal *t = userdata;
	int ret;

	ret = terminal_run_selftest(t, "posreaderd periodic", NULL, NULL);
	if (ret < 0)
		log_error_errno(ret, "periodic self-test failed to run");
	ret = sd_event_source_set_time_relative(s, SELFTEST_PERIOD_US);
	if (ret >= 0)
		ret = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (ret < 0)
		log_error_errno(ret, "cannot re-arm the self-test timer");
	return 0;
}

/* ---- State changes -------------------------------------------------- */

/* The id of the first reason in force, for the lock log line. */
static const char *first_reason(struct terminal *t)
{
	static char id[LOCK_ID_MAX];
	_cleanup_free_ struct lock_reason *v = NULL;
	size_t n = 0;

	if (!t->engine)
		return LOCK_R_INTEGRITY;
	if (t->test_lock)
		return LOCK_REASON_TEST;
	if (engine_reasons(t->engine, &v, &n) < 0 || n == 0)
		return "none";
	snprintf(id, sizeof(id), "%s", v[0].id);
	return id;
}

/*
 * Judge again (as at attach) a reader whose proof no longer stands: the
 * terminal was provisioned, its serial paired, re-paired or unpaired, or
 * its reader-not-genuine verdict lifted (re-pairing, even with the same
 * key, takes the reader back on trust otherwise).
 */
static bool auth_basis_changed(const struct reader_auth_basis *was,
			       const struct reader_auth_basis *now)
{
	return was->provisioned != now->provisioned ||
	       was->paired != now->paired ||
	       memcmp(was->kcv, now->kcv, sizeof(was->kcv)) != 0 ||
	       (was->not_genuine && !now->not_genuine);
}

/* Mark the published readers to judge again; they serve nothing until. */
static void recheck_readers(struct terminal *t)
{
	struct reader_auth_basis now;
	bool any = false;

	if (!t->engine)
		return;
	for (struct reader *r = t->mgr->readers; r; r = r->next) {
		if (!r->published || r->dead || r->auth_pending)
			continue;
		terminal_reader_auth_basis(t, r->info.serial, &now);
		if (auth_basis_changed(&r->auth_basis, &now)) {
			r->auth_pending = true;
			r->auth_recheck = true;
			any = true;
		}
		r->auth_basis = now;
	}
	/* Not from here: judging writes to the engine, which called us. */
	if (any)
		manager_schedule_auth_recheck(t->mgr);
}

void terminal_sync(struct terminal *t)
{
	const char *state = terminal_state(t);
	bool active = terminal_is_active(t);

	if (strcmp(state, t->last_state) != 0) {
		log_lock_event(!active, first_reason(t), state);
		t->last_state = state;
	}
	terminal_emit_all(t);
	schedule_expiry(t);
	if (active != t->active) {
		t->active = active;
		manager_lock_changed(t->mgr, active);
	}
	recheck_readers(t);
}

static void terminal_changed(struct engine *e, void *userdata)
{
	terminal_sync(userdata);
}

/*
 * Test hook: POSREADER_TEST_PROVISION=1 provisions a brand-new state
 * with fixed test keys and PINs, so the integration tests and demos that
 * are not about security get an active terminal. Never in production.
 */
static void test_provision(struct terminal *t)
{
	static const uint8_t master[16], master_kcv[3] = { 0x66, 0xe9, 0x4b };
	uint8_t acq[TOKEN_PUBKEY_LEN];
	const char *v = getenv("POSREADER_TEST_PROVISION");
	_cleanup_free_ struct lock_reason *r = NULL;
	struct engine_provisioning p = {
		.terminal_id = "TEST-TERMINAL",
		.master_type = KEY_AES128,
		.master_key = master,
		.master_len = sizeof(master),
		.master_kcv = master_kcv,
		.acquirer_pub = acq,
		.operator_pin = "4826",
		.supervisor_pin = "7391",
	};
	size_t n;
	int ret;

	if (!v || strcmp(v, "1") != 0)
		return;
	if (engine_reasons(t->engine, &r, &n) < 0 || n != 1 ||
	    strcmp(r[0].id, LOCK_R_UNPROVISIONED) != 0)
		return;
	memset(acq, 0x5a, sizeof(acq));
	log_warning("POSREADER_TEST_PROVISION: provisioning fixed test keys: "
		    "for tests only");
	ret = engine_provision(t->engine, &p, "posreaderd test-provision");
	if (ret < 0)
		log_error_errno(ret, "test provisioning failed");
}

int terminal_open(struct terminal *t, const char *state_dir,
		  const char *config_path, const struct engine_options *opts)
{
	int ret;

	ret = engine_open(state_dir, config_path, opts, &t->engine);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		t->engine = NULL;
		snprintf(t->open_error, sizeof(t->open_error),
			 "The state in %s cannot be opened (%s); card service "
			 "is off until it is repaired.",
			 state_dir, strerror(-ret));
		log_error("terminal blocked: cannot open the state in %s: %s",
			  state_dir, strerror(-ret));
		terminal_sync(t);
		return 0;
	}
	test_provision(t);
	engine_set_changed_callback(t->engine, terminal_changed, t);
	ret = sd_event_add_time_relative(t->mgr->event, &t->selftest_timer,
					 CLOCK_BOOTTIME, SELFTEST_PERIOD_US,
					 USEC_PER_MIN, selftest_fired, t);
	if (ret < 0)
		log_warning_errno(ret, "cannot arm the periodic self-test");
	log_info("terminal %s, state %s",
		 engine_terminal_id(t->engine)[0] ?
			 engine_terminal_id(t->engine) :
			 "(not provisioned)",
		 terminal_state(t));
	terminal_sync(t);
	return 0;
}

int terminal_register(struct terminal *t, sd_bus *bus)
{
	int ret;

	ret = sd_bus_add_object_vtable(bus, &t->slot, PR_ROOT_PATH,
				       PR_TERMINAL_IFACE, terminal_props_vtable,
				       t);
	if (ret < 0)
		return ret;
	return sd_bus_add_object_vtable(bus, &t->methods_slot, PR_ROOT_PATH,
					PR_TERMINAL_IFACE,
					terminal_methods_vtable, t);
}

void terminal_report_tamper(struct terminal *t, const char *serial,
			    unsigned cause)
{
	char caller[AUTH_CALLER_MAX];
	int ret;

	if (!t->engine)
		return;
	snprintf(caller, sizeof(caller), "reader %s", serial);
	ret = engine_report_tamper(t->engine, serial, cause, caller);
	if (ret < 0)
		log_error_errno(ret, "cannot record tamper of reader %s",
				serial);
}

void terminal_reader_authenticated(struct terminal *t, const char *serial,
				   bool ok, const char *why)
{
	char caller[AUTH_CALLER_MAX];
	int ret;

	if (!t->engine)
		return;
	snprintf(caller, sizeof(caller), "reader %s", serial);
	ret = engine_reader_authenticated(t->engine, serial, ok, why, caller);
	if (ret < 0)
		log_error_errno(ret, "cannot record reader %s authentication",
				serial);
}

/*
 * Test hook, with POSREADER_TEST_PROVISION=1 only: pair serial with the
 * simulator's default pairing key (bytes 00..1f), so the tests and demos
 * that are not about reader authenticity get genuine readers.
 */
static int test_pair(struct terminal *t, const char *serial)
{
	const char *v = getenv("POSREADER_TEST_PROVISION");
	uint8_t key[32], kcv[KEYSTORE_KCV_LEN];
	int ret;

	if (!v || strcmp(v, "1") != 0)
		return 0;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	ret = keystore_kcv(KEY_HMAC256, key, sizeof(key), kcv);
	if (ret >= 0)
		ret = engine_pair_reader(t->engine, serial, key, sizeof(key),
					 kcv, "posreaderd test-provision");
	explicit_bzero(key, sizeof(key));
	if (ret < 0)
		return log_error_errno(ret, "test pairing of reader %s failed",
				       serial);
	log_warning("POSREADER_TEST_PROVISION: reader %s paired with the "
		    "simulator's default key: for tests only",
		    serial);
	return 1;
}

int terminal_reader_paired(struct terminal *t, const char *serial,
			   bool can_auth)
{
	int ret;

	if (!t->engine)
		return -ENODEV;
	if (!engine_terminal_id(t->engine)[0])
		return -EAGAIN;
	ret = engine_reader_paired(t->engine, serial);
	if (ret < 0)
		return log_error_errno(
			ret, "cannot read the pairing of reader %s", serial);
	if (ret == 0 && can_auth)
		ret = test_pair(t, serial);
	return ret;
}

void terminal_reader_auth_basis(struct terminal *t, const char *serial,
				struct reader_auth_basis *ret)
{
	_cleanup_free_ struct lock_reason *v = NULL;
	char name[KEYSTORE_NAME_MAX];
	size_t n = 0;

	_Static_assert(sizeof(ret->kcv) == KEYSTORE_KCV_LEN, "KCV length");
	memset(ret, 0, sizeof(*ret));
	if (!t->engine)
		return;
	ret->provisioned = engine_terminal_id(t->engine)[0] != '\0';
	/* The check value tells one pairing key from another. */
	snprintf(name, sizeof(name), "%s%s", KEY_PAIRING_PREFIX, serial);
	ret->paired = keystore_get_kcv(engine_statedb(t->engine), name,
				       ret->kcv) == 0;
	if (!ret->paired)
		memset(ret->kcv, 0, sizeof(ret->kcv));
	if (engine_reasons(t->engine, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, LOCK_R_READER) == 0 &&
		    strcmp(v[i].subject, serial) == 0)
			ret->not_genuine = true;
}

void terminal_check_reader_auth(struct terminal *t, const char *serial,
				const uint8_t *challenge,
				const uint8_t *response)
{
	char caller[AUTH_CALLER_MAX];
	bool ok = false;
	int ret;

	if (!t->engine)
		return;
	snprintf(caller, sizeof(caller), "reader %s", serial);
	ret = engine_check_reader_auth(t->engine, serial, challenge, response,
				       caller, &ok);
	if (ret < 0)
		log_error_errno(ret, "cannot record reader %s authentication",
				serial);
	else if (ok)
		log_info("reader %s proved its pairing key", serial);
	else
		log_warning("reader %s is not genuine: authentication failed",
			    serial);
}

/* ---- The test lock file --------------------------------------------- */

static void test_lock_sync(struct terminal *t)
{
	bool locked = access(t->test_lock_file, F_OK) == 0;

	if (locked == t->test_lock)
		return;
	t->test_lock = locked;
	log_lock_event(locked, LOCK_REASON_TEST, terminal_state(t));
	terminal_sync(t);
}

static int test_lock_event(sd_event_source *s, const struct inotify_event *ev,
			   void *userdata)
{
	struct terminal *t = userdata;

	if (ev->len && strcmp(ev->name, t->test_lock_name) != 0)
		return 0;
	test_lock_sync(t);
	return 0;
}

int terminal_watch_test_lock_file(struct terminal *t, const char *path)
{
	_cleanup_free_ char *dir = NULL;
	char *slash;
	int ret;

	t->test_lock_file = strdup(path);
	dir = strdup(path);
	if (!t->test_lock_file || !dir)
		return -ENOMEM;
	slash = strrchr(t->test_lock_file, '/');
	t->test_lock_name = slash ? slash + 1 : t->test_lock_file;
	if (!*t->test_lock_name)
		return -EINVAL;
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");

	ret = sd_event_add_inotify(t->mgr->event, &t->test_lock_watch, dir,
				   IN_CREATE | IN_DELETE | IN_MOVED_FROM |
					   IN_MOVED_TO | IN_ONLYDIR,
				   test_lock_event, t);
	if (ret < 0)
		return ret;
	log_warning("test lock file %s is watched: for tests only",
		    t->test_lock_file);
	test_lock_sync(t);
	return 0;
}
