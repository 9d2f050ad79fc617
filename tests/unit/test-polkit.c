// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon/polkit.c against a fake polkit: two sd-bus connections on a
 * socket pair, one the daemon's, the other both the caller of an admin
 * method and, on the same connection, org.freedesktop.PolicyKit1. The
 * fake answers CheckAuthorization as each test says, or holds the call.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "dbus-errors.h"
#include "polkit.h"

#define ACTION	    POLKIT_ACTION_PROVISION
#define TEST_PATH   "/org/example/Test"
#define TEST_IFACE  "org.example.Test"
#define CALLER	    ":1.7"
#define HELD_MAX    64
#define REPLIES_MAX 64

enum fake_mode {
	FAKE_YES,
	FAKE_NO,
	FAKE_CHALLENGE,
	FAKE_ERROR,
	FAKE_MALFORMED,
	FAKE_HOLD,
};

/* What a caller got back. */
struct reply {
	bool done;
	char error[128];   /* error name, "" for success */
	char message[256]; /* error message */
};

struct fixture {
	sd_event *event;
	sd_bus *daemon, *peer;
	struct polkit *pk;

	/* The fake polkit. */
	enum fake_mode mode;
	const char *error_name, *error_message;
	sd_bus_message *held[HELD_MAX];
	size_t n_held;
	unsigned n_asked;
	char subject_kind[64], subject_name[64], action[64], cancel_id[16];
	unsigned n_details, n_subject_keys;
	uint32_t flags;

	/* What the daemon's done callback saw. */
	unsigned n_done;
	enum polkit_verdict verdict;
	char why[256];

	struct reply replies[REPLIES_MAX];
	size_t n_calls;
};

/* ---- the fake polkit ------------------------------------------------ */

/* A reply of the wrong type. */
static int reply_malformed(sd_bus_message *m)
{
	sd_bus_message *reply = NULL;
	int ret;

	ret = sd_bus_message_new_method_return(m, &reply);
	if (ret >= 0)
		ret = sd_bus_message_append(reply, "s", "yes");
	if (ret >= 0)
		ret = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return ret;
}

static int fake_reply(struct fixture *f, sd_bus_message *m)
{
	switch (f->mode) {
	case FAKE_YES:
		return sd_bus_reply_method_return(m, "(bba{ss})", 1, 0, 0);
	case FAKE_NO:
		return sd_bus_reply_method_return(m, "(bba{ss})", 0, 0, 0);
	case FAKE_CHALLENGE:
		return sd_bus_reply_method_return(m, "(bba{ss})", 0, 1, 0);
	case FAKE_ERROR:
		return sd_bus_reply_method_errorf(m, f->error_name, "%s",
						  f->error_message);
	case FAKE_MALFORMED:
		return reply_malformed(m);
	case FAKE_HOLD:
		break;
	}
	assert_true(f->n_held < HELD_MAX);
	f->held[f->n_held++] = sd_bus_message_ref(m);
	return 1;
}

static int fake_check(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *f = userdata;
	const char *kind, *key, *name, *action, *cancel_id, *k, *v;

	f->n_asked++;
	f->n_subject_keys = 0;
	assert_true(sd_bus_message_enter_container(m, 'r', "sa{sv}") > 0);
	assert_true(sd_bus_message_read(m, "s", &kind) > 0);
	snprintf(f->subject_kind, sizeof(f->subject_kind), "%s", kind);
	assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		assert_true(sd_bus_message_read(m, "s", &key) > 0);
		assert_string_equal(key, "name");
		assert_true(sd_bus_message_read(m, "v", "s", &name) > 0);
		snprintf(f->subject_name, sizeof(f->subject_name), "%s", name);
		f->n_subject_keys++;
		assert_true(sd_bus_message_exit_container(m) >= 0);
	}
	assert_true(sd_bus_message_exit_container(m) >= 0);
	assert_true(sd_bus_message_exit_container(m) >= 0);
	assert_true(sd_bus_message_read(m, "s", &action) > 0);
	snprintf(f->action, sizeof(f->action), "%s", action);
	f->n_details = 0;
	assert_true(sd_bus_message_enter_container(m, 'a', "{ss}") > 0);
	while (sd_bus_message_read(m, "{ss}", &k, &v) > 0)
		f->n_details++;
	assert_true(sd_bus_message_exit_container(m) >= 0);
	assert_true(sd_bus_message_read(m, "us", &f->flags, &cancel_id) > 0);
	snprintf(f->cancel_id, sizeof(f->cancel_id), "%s", cancel_id);
	return fake_reply(f, m);
}

/* A plain object callback, so that no vtable checks what it answers. */
static int fake_polkit(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	if (!sd_bus_message_is_method_call(m, POLKIT_INTERFACE,
					   "CheckAuthorization"))
		return 0;
	assert_true(sd_bus_message_has_signature(m, "(sa{sv})sa{ss}us"));
	return fake_check(m, userdata, error);
}

/* Answer every held call as the current mode says. */
static void fake_release(struct fixture *f)
{
	for (size_t i = 0; i < f->n_held; i++) {
		assert_true(fake_reply(f, f->held[i]) >= 0);
		sd_bus_message_unref(f->held[i]);
	}
	f->n_held = 0;
}

/* The bus driver's word that @name left. */
static void send_name_lost(struct fixture *f, const char *name)
{
	sd_bus_message *s = NULL;

	assert_true(sd_bus_message_new_signal(
			    f->peer, &s, "/org/freedesktop/DBus",
			    "org.freedesktop.DBus", "NameOwnerChanged") >= 0);
	assert_true(sd_bus_message_set_sender(s, "org.freedesktop.DBus") >= 0);
	assert_true(sd_bus_message_append(s, "sss", name, name, "") >= 0);
	assert_true(sd_bus_send(f->peer, s, NULL) >= 0);
	sd_bus_message_unref(s);
}

/* ---- the daemon's side ---------------------------------------------- */

static void done(sd_bus_message *m, enum polkit_verdict verdict,
		 const char *action, const char *why, void *userdata)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct fixture *f = userdata;

	assert_string_equal(action, ACTION);
	f->n_done++;
	f->verdict = verdict;
	snprintf(f->why, sizeof(f->why), "%s", why ? why : "");
	if (polkit_verdict_allows(verdict)) {
		assert_true(sd_bus_reply_method_return(m, NULL) >= 0);
		return;
	}
	assert_true(polkit_refusal(verdict, action, why, &error) < 0);
	assert_true(sd_bus_reply_method_error(m, &error) >= 0);
	sd_bus_error_free(&error);
}

/* An admin method: ask polkit, answer in done(). */
static int method_admin(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *f = userdata;
	int ret;

	ret = polkit_check(f->pk, m, ACTION, error);
	return ret < 0 ? ret : 1;
}

static const sd_bus_vtable daemon_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Admin", "", "", method_admin,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

/* ---- the caller ----------------------------------------------------- */

static int caller_reply(sd_bus_message *m, void *userdata,
			sd_bus_error *ret_error)
{
	struct reply *r = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	r->done = true;
	if (e)
		fprintf(stderr, "# %s: %s\n", e->name, e->message);
	if (e) {
		snprintf(r->error, sizeof(r->error), "%s", e->name);
		snprintf(r->message, sizeof(r->message), "%s",
			 e->message ? e->message : "");
	}
	return 0;
}

/* Call Admin as @sender; the answer lands in the returned slot. */
static struct reply *call_admin(struct fixture *f, const char *sender)
{
	sd_bus_message *m = NULL;
	struct reply *r;

	assert_true(f->n_calls < REPLIES_MAX);
	r = &f->replies[f->n_calls++];
	assert_true(sd_bus_message_new_method_call(f->peer, &m, NULL, TEST_PATH,
						   TEST_IFACE, "Admin") >= 0);
	assert_true(sd_bus_message_set_sender(m, sender) >= 0);
	assert_true(sd_bus_call_async(f->peer, NULL, m, caller_reply, r,
				      5 * 1000000) >= 0);
	sd_bus_message_unref(m);
	return r;
}

/* Run the loop until *flag or 3 s; returns *flag. */
static bool run_until(struct fixture *f, const bool *flag)
{
	for (int i = 0; i < 300 && !*flag; i++)
		assert_true(sd_event_run(f->event, 10000) >= 0);
	return *flag;
}

/* Run the loop for about @ms milliseconds. */
static void run_for(struct fixture *f, int ms)
{
	for (int i = 0; i < ms / 10; i++)
		assert_true(sd_event_run(f->event, 10000) >= 0);
}

static void run_until_pending(struct fixture *f, unsigned n)
{
	for (int i = 0; i < 300 && f->n_held < n; i++)
		assert_true(sd_event_run(f->event, 10000) >= 0);
	assert_int_equal(f->n_held, n);
	assert_int_equal(polkit_pending(f->pk), n);
}

/* ---- fixture -------------------------------------------------------- */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	sd_id128_t id;
	int fds[2];

	assert_non_null(f);
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_true(sd_event_new(&f->event) >= 0);
	assert_true(sd_id128_randomize(&id) >= 0);

	assert_true(sd_bus_new(&f->daemon) >= 0);
	assert_true(sd_bus_set_fd(f->daemon, fds[0], fds[0]) >= 0);
	assert_true(sd_bus_set_server(f->daemon, 1, id) >= 0);
	assert_true(sd_bus_set_anonymous(f->daemon, 1) >= 0);
	assert_true(sd_bus_start(f->daemon) >= 0);
	assert_true(sd_bus_attach_event(f->daemon, f->event, 0) >= 0);

	assert_true(sd_bus_new(&f->peer) >= 0);
	assert_true(sd_bus_set_fd(f->peer, fds[1], fds[1]) >= 0);
	assert_true(sd_bus_set_anonymous(f->peer, 1) >= 0);
	assert_true(sd_bus_start(f->peer) >= 0);
	assert_true(sd_bus_attach_event(f->peer, f->event, 0) >= 0);

	assert_true(sd_bus_add_object_vtable(f->daemon, NULL, TEST_PATH,
					     TEST_IFACE, daemon_vtable,
					     f) >= 0);
	assert_true(sd_bus_add_object(f->peer, NULL, POLKIT_PATH, fake_polkit,
				      f) >= 0);
	assert_true(polkit_new(f->daemon, done, f, &f->pk) >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	f->pk = polkit_free(f->pk);
	for (size_t i = 0; i < f->n_held; i++)
		sd_bus_message_unref(f->held[i]);
	sd_bus_flush_close_unref(f->peer);
	sd_bus_flush_close_unref(f->daemon);
	sd_event_unref(f->event);
	free(f);
	return 0;
}

/* ---- tests ---------------------------------------------------------- */

/* What polkit is asked: the caller's bus name, the action, no agent. */
static void test_allowed(void **state)
{
	struct fixture *f = *state;
	struct reply *r;

	f->mode = FAKE_YES;
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_string_equal(r->error, "");
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->verdict, POLKIT_ALLOWED);
	assert_int_equal(f->n_asked, 1);
	assert_string_equal(f->subject_kind, "system-bus-name");
	assert_int_equal(f->n_subject_keys, 1);
	assert_string_equal(f->subject_name, CALLER);
	assert_string_equal(f->action, ACTION);
	assert_int_equal(f->n_details, 0);
	assert_int_equal(f->flags, 0);
	assert_string_equal(f->cancel_id, "");
	assert_int_equal(polkit_pending(f->pk), 0);
}

static void test_denied(void **state)
{
	struct fixture *f = *state;
	struct reply *r;

	f->mode = FAKE_NO;
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_int_equal(f->verdict, POLKIT_DENIED);
	assert_string_equal(r->error, PR_ERR_ACCESS_DENIED);
	assert_non_null(strstr(r->message, ACTION));
	assert_non_null(strstr(r->message, "polkit"));
	assert_int_equal(polkit_pending(f->pk), 0);
}

/* No agent is ever asked: wanting authentication is a refusal. */
static void test_challenge(void **state)
{
	struct fixture *f = *state;
	struct reply *r;

	f->mode = FAKE_CHALLENGE;
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_int_equal(f->verdict, POLKIT_CHALLENGE);
	assert_string_equal(r->error, PR_ERR_ACCESS_DENIED);
	assert_non_null(strstr(r->message, ACTION));
	assert_non_null(strstr(r->message, "authentication"));
}

/* No polkitd on this bus: the credentials alone decide. */
static void test_absent(void **state)
{
	static const char *const names[] = {
		"org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.systemd1.UnitMasked",
	};
	struct fixture *f = *state;

	f->mode = FAKE_ERROR;
	f->error_message = "The name is not activatable";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct reply *r;

		f->error_name = names[i];
		r = call_admin(f, CALLER);
		assert_true(run_until(f, &r->done));
		assert_int_equal(f->verdict, POLKIT_ABSENT);
		assert_string_equal(r->error, "");
	}
	assert_int_equal(f->n_done, 3);
}

/* polkitd is there but fails: refused, with polkit's reason. */
static void test_error(void **state)
{
	struct fixture *f = *state;
	struct reply *r;

	f->mode = FAKE_ERROR;
	f->error_name = "org.freedesktop.PolicyKit1.Error.Failed";
	f->error_message = "Action org.posreader1.provision is not registered";
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_int_equal(f->verdict, POLKIT_FAILED);
	assert_string_equal(f->why, f->error_message);
	assert_string_equal(r->error, PR_ERR_ACCESS_DENIED);
	assert_non_null(strstr(r->message, "is not registered"));
	assert_non_null(strstr(r->message, ACTION));

	/* Even an access error from the bus: polkit is there. */
	f->error_name = "org.freedesktop.DBus.Error.AccessDenied";
	f->error_message = "Rejected send message";
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_int_equal(f->verdict, POLKIT_FAILED);
	assert_string_equal(r->error, PR_ERR_ACCESS_DENIED);
}

static void test_malformed(void **state)
{
	struct fixture *f = *state;
	struct reply *r;

	f->mode = FAKE_MALFORMED;
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_int_equal(f->verdict, POLKIT_FAILED);
	assert_string_equal(r->error, PR_ERR_ACCESS_DENIED);
	assert_non_null(strstr(r->message, "malformed"));
}

/* A polkitd that never answers: refused when the time is up. */
static void test_timeout(void **state)
{
	struct fixture *f = *state;
	struct reply *r;

	f->mode = FAKE_HOLD;
	polkit_set_timeout(f->pk, 200000);
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_int_equal(f->verdict, POLKIT_FAILED);
	assert_non_null(strstr(f->why, "no answer within"));
	assert_string_equal(r->error, PR_ERR_ACCESS_DENIED);
	assert_int_equal(polkit_pending(f->pk), 0);
	/* The late answer finds nobody waiting. */
	f->mode = FAKE_YES;
	fake_release(f);
	run_for(f, 100);
	assert_int_equal(f->n_done, 1);
}

/* The caller leaves while polkit thinks: forgotten, never answered. */
static void test_caller_gone(void **state)
{
	struct fixture *f = *state;
	struct reply *gone, *stays;

	f->mode = FAKE_HOLD;
	gone = call_admin(f, CALLER);
	stays = call_admin(f, ":1.8");
	run_until_pending(f, 2);
	send_name_lost(f, CALLER);
	for (int i = 0; i < 300 && polkit_pending(f->pk) != 1; i++)
		assert_true(sd_event_run(f->event, 10000) >= 0);
	assert_int_equal(polkit_pending(f->pk), 1);

	f->mode = FAKE_YES;
	fake_release(f);
	assert_true(run_until(f, &stays->done));
	assert_string_equal(stays->error, "");
	run_for(f, 100);
	assert_int_equal(f->n_done, 1);
	assert_false(gone->done);
	assert_int_equal(polkit_pending(f->pk), 0);
}

/* Pending checks are bounded per caller and in all. */
static void test_limit(void **state)
{
	struct fixture *f = *state;
	struct reply *r;
	char sender[16];
	unsigned n = 0;

	f->mode = FAKE_HOLD;
	for (int i = 0; i < POLKIT_PENDING_PER_CALLER; i++)
		call_admin(f, CALLER);
	n = POLKIT_PENDING_PER_CALLER;
	run_until_pending(f, n);
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_string_equal(r->error, PR_ERR_BUSY);
	assert_non_null(strstr(r->message, "polkit"));

	/* Others fill the rest, up to the overall limit. */
	for (int s = 8; n < POLKIT_PENDING_MAX; s++)
		for (int i = 0;
		     i < POLKIT_PENDING_PER_CALLER && n < POLKIT_PENDING_MAX;
		     i++, n++) {
			snprintf(sender, sizeof(sender), ":1.%d", s);
			call_admin(f, sender);
		}
	run_until_pending(f, POLKIT_PENDING_MAX);
	r = call_admin(f, ":1.99");
	assert_true(run_until(f, &r->done));
	assert_string_equal(r->error, PR_ERR_BUSY);
	assert_int_equal(f->n_asked, POLKIT_PENDING_MAX);

	/* Once answered, room again; every held call gets its answer. */
	f->mode = FAKE_YES;
	fake_release(f);
	for (int i = 0; i < 300 && f->n_done < POLKIT_PENDING_MAX; i++)
		assert_true(sd_event_run(f->event, 10000) >= 0);
	assert_int_equal(f->n_done, POLKIT_PENDING_MAX);
	assert_int_equal(polkit_pending(f->pk), 0);
	r = call_admin(f, CALLER);
	assert_true(run_until(f, &r->done));
	assert_string_equal(r->error, "");
}

/* Freed with checks pending (shutdown): nothing answered, nothing leaks. */
static void test_free_pending(void **state)
{
	struct fixture *f = *state;

	f->mode = FAKE_HOLD;
	call_admin(f, CALLER);
	call_admin(f, ":1.8");
	call_admin(f, ":1.9");
	run_until_pending(f, 3);
	f->pk = polkit_free(f->pk);
	f->mode = FAKE_YES;
	fake_release(f);
	run_for(f, 100);
	assert_int_equal(f->n_done, 0);
}

/* The decision table on its own. */
static void test_verdicts(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	sd_bus_error_set(&e, "org.freedesktop.DBus.Error.ServiceUnknown", "x");
	assert_int_equal(polkit_verdict_from_error(&e), POLKIT_ABSENT);
	sd_bus_error_free(&e);
	sd_bus_error_set(&e, "org.freedesktop.systemd1.NoSuchUnit", "x");
	assert_int_equal(polkit_verdict_from_error(&e), POLKIT_ABSENT);
	sd_bus_error_free(&e);
	sd_bus_error_set(&e, SD_BUS_ERROR_TIMEOUT, "x");
	assert_int_equal(polkit_verdict_from_error(&e), POLKIT_FAILED);
	sd_bus_error_free(&e);
	sd_bus_error_set(&e, SD_BUS_ERROR_NO_REPLY, "x");
	assert_int_equal(polkit_verdict_from_error(&e), POLKIT_FAILED);
	sd_bus_error_free(&e);
	sd_bus_error_set(&e, "org.freedesktop.DBus.Error.Spawn.ChildExited",
			 "x");
	assert_int_equal(polkit_verdict_from_error(&e), POLKIT_FAILED);
	sd_bus_error_free(&e);

	assert_true(polkit_verdict_allows(POLKIT_ALLOWED));
	assert_true(polkit_verdict_allows(POLKIT_ABSENT));
	assert_false(polkit_verdict_allows(POLKIT_DENIED));
	assert_false(polkit_verdict_allows(POLKIT_CHALLENGE));
	assert_false(polkit_verdict_allows(POLKIT_FAILED));

	assert_true(polkit_refusal(POLKIT_FAILED, ACTION, NULL, &e) < 0);
	assert_string_equal(e.name, PR_ERR_ACCESS_DENIED);
	assert_non_null(strstr(e.message, ACTION));
	sd_bus_error_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test_setup_teardown(test_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_challenge, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_pending, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
