// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The methods of org.posreader1.Terminal: PINs, acquirer tokens,
 * self-test, provisioning, pairing and the audit log. Each checks the
 * caller's role (terminal-auth.h) and, for admin actions, asks polkit
 * (polkit.h), then calls the engine. PINs are copied out of the message
 * into buffers that are wiped when the handler returns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <posreader/wire.h>

#include "bus-util.h"
#include "clock.h"
#include "config.h"
#include "dbus-errors.h"
#include "log.h"
#include "terminal-auth.h"
#include "terminal-private.h"
#include "terminal.h"
#include "util.h"

#define PIN_BUF	       (PIN_MAX_LEN + 1)
#define AUDIT_MAX_ROWS 1000

/* A PIN copied out of a message; wiped on scope exit. */
struct pinbuf {
	char s[PIN_BUF];
};

static void pinbuf_wipe(struct pinbuf *p)
{
	explicit_bzero(p, sizeof(*p));
}

#define _cleanup_pin_ _cleanup_(pinbuf_wipe)

static int bad_pin(sd_bus_error *error)
{
	return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
				"A PIN is 4 to 12 digits.");
}

/* Copy a PIN string into p; InvalidArgs if it cannot be a PIN. */
static int copy_pin(const char *s, struct pinbuf *p, sd_bus_error *error)
{
	if (strlen(s) > PIN_MAX_LEN)
		return bad_pin(error);
	strcpy(p->s, s);
	return 0;
}

/* The engine, or a Locked error when it could not open. */
static int need_engine(struct terminal *t, sd_bus_error *error)
{
	if (t->engine)
		return 0;
	return terminal_refuse(t, error);
}

/* Parse a role name; InvalidArgs if unknown. */
static int parse_role(const char *s, enum pin_role *ret, sd_bus_error *error)
{
	if (pin_role_from_string(s, ret) < 0)
		return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
					 "Unknown role \"%s\": operator or "
					 "supervisor.",
					 s);
	return 0;
}

/* The role a PIN method needs: supervisor PINs are for admins. */
static enum auth_role auth_for(enum pin_role a, enum pin_role b)
{
	return a == PIN_ROLE_SUPERVISOR || b == PIN_ROLE_SUPERVISOR ?
		       AUTH_ADMIN :
		       AUTH_OPERATOR;
}

/* Turn a PIN outcome into a (bu) reply or an error. */
static int reply_outcome(sd_bus_message *m, enum pin_role role,
			 const struct pin_outcome *o, sd_bus_error *error)
{
	char left[PRDURATION_MAX];

	switch (o->result) {
	case PIN_ACCEPTED:
		return sd_bus_reply_method_return(m, "bu", 1, o->retries_left);
	case PIN_REJECTED:
		return sd_bus_reply_method_return(m, "bu", 0, o->retries_left);
	case PIN_LOCKED:
		prduration_format(left, sizeof(left), o->wait_us);
		return sd_bus_error_setf(error, PR_ERR_LOCKED,
					 "Too many wrong %s PINs: PIN entry "
					 "is locked for another %s.",
					 pin_role_name(role), left);
	case PIN_BLOCKED:
		return sd_bus_error_setf(error, PR_ERR_LOCKED,
					 "Too many wrong %s PINs: PIN entry "
					 "is blocked until %s.",
					 pin_role_name(role),
					 role == PIN_ROLE_OPERATOR ?
						 "the supervisor PIN or an "
						 "acquirer token unlocks it" :
						 "an acquirer token unlocks "
						 "it");
	case PIN_RATE_LIMITED:
		prduration_format(left, sizeof(left), o->wait_us);
		return sd_bus_error_setf(error, PR_ERR_RATE_LIMITED,
					 "Too many %s PIN attempts in the last "
					 "hour: wait %s.",
					 pin_role_name(role), left);
	case PIN_NOT_SET:
		return sd_bus_error_setf(error, PR_ERR_NOT_PROVISIONED,
					 "No %s PIN is set: provision the "
					 "terminal first.",
					 pin_role_name(role));
	}
	return sd_bus_error_set(error, PR_ERR_FAILED, "PIN check failed.");
}

static int engine_failed(int err, const char *what, sd_bus_error *error)
{
	log_error_errno(err, "%s failed", what);
	return sd_bus_error_setf(error, PR_ERR_FAILED, "%s failed: %s.", what,
				 strerror(-err));
}

/* authorize(): polkit was asked; the handler returns without replying. */
#define AUTHORIZE_PENDING 1

/*
 * Run the method of call m once more, polkit having allowed it: the same
 * handler, the message read again from its start.
 */
static int run_approved(struct terminal *t, sd_bus_message *m,
			sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m);
	const sd_bus_vtable *v;
	int ret;

	for (v = terminal_methods_vtable; v->type != _SD_BUS_VTABLE_END; v++)
		if (v->type == _SD_BUS_VTABLE_METHOD &&
		    strcmp(v->x.method.member, member) == 0)
			break;
	if (v->type == _SD_BUS_VTABLE_END)
		return -EBADMSG;
	ret = sd_bus_message_rewind(m, true);
	if (ret < 0)
		return ret;
	t->polkit_approved = m;
	ret = v->x.method.handler(m, t, error);
	t->polkit_approved = NULL;
	return ret;
}

/* polkit's verdict on an admin call: run it, or refuse it. */
static void polkit_answered(sd_bus_message *m, enum polkit_verdict verdict,
			    const char *action, const char *why, void *userdata)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	struct terminal *t = userdata;
	int ret;

	if (polkit_verdict_allows(verdict)) {
		ret = run_approved(t, m, &error);
	} else {
		log_notice("%s for %s refused: polkit %s%s%s", action,
			   sd_bus_message_get_sender(m),
			   polkit_verdict_name(verdict), why ? ": " : "",
			   why ? why : "");
		ret = polkit_refusal(verdict, action, why, &error);
	}
	/* What sd-bus does with a handler's error, done here. */
	if (sd_bus_error_is_set(&error))
		ret = sd_bus_reply_method_error(m, &error);
	else if (ret < 0)
		ret = sd_bus_reply_method_errno(m, ret, NULL);
	if (ret < 0)
		log_warning_errno(ret, "cannot answer %s",
				  sd_bus_message_get_member(m));
}

/* The polkit checks end with the methods' registration. */
static void methods_unregistered(void *userdata)
{
	struct terminal *t = userdata;

	t->polkit = polkit_free(t->polkit);
}

/* Ask polkit about @action for call m, unless it already allowed it. */
static int ask_polkit(struct terminal *t, sd_bus_message *m, const char *action,
		      sd_bus_error *error)
{
	int ret;

	if (t->polkit_approved == m)
		return 0;
	if (!t->polkit) {
		ret = polkit_new(sd_bus_message_get_bus(m), polkit_answered, t,
				 &t->polkit);
		if (ret < 0)
			return ret;
		sd_bus_slot_set_destroy_callback(t->methods_slot,
						 methods_unregistered);
	}
	ret = polkit_check(t->polkit, m, action, error);
	return ret < 0 ? ret : AUTHORIZE_PENDING;
}

/*
 * Check the caller holds @role and the engine is open, and for the admin
 * role that polkit allows @action (a POLKIT_ACTION_*; ignored for the
 * operator role). Returns 0 to go on, with the caller's name for the
 * audit log in @caller unless it is NULL; a negative errno with @error
 * set; or AUTHORIZE_PENDING: polkit is being asked, the handler returns
 * that at once without replying, and is run again with the same message
 * once polkit allows it (polkit_answered() replies otherwise).
 */
static int authorize(struct terminal *t, sd_bus_message *m, enum auth_role role,
		     const char *action, char caller[AUTH_CALLER_MAX],
		     sd_bus_error *error)
{
	int ret;

	ret = auth_check(&t->auth, m, role, error);
	if (ret >= 0)
		ret = need_engine(t, error);
	if (ret >= 0 && role == AUTH_ADMIN)
		ret = ask_polkit(t, m, action, error);
	if (ret == 0 && caller)
		auth_caller(m, caller, AUTH_CALLER_MAX);
	return ret;
}

/* Reply to a PIN method from the engine's return value and outcome. */
static int reply_pin(sd_bus_message *m, int ret, enum pin_role role,
		     const struct pin_outcome *o, const char *what,
		     sd_bus_error *error)
{
	if (ret == -EINVAL)
		return bad_pin(error);
	if (ret < 0)
		return engine_failed(ret, what, error);
	return reply_outcome(m, role, o, error);
}

static int method_verify_pin(sd_bus_message *m, void *userdata,
			     sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_pin_ struct pinbuf pin = {};
	char caller[AUTH_CALLER_MAX];
	struct pin_outcome o;
	const char *role_s, *pin_s;
	enum pin_role role;
	int ret;

	ret = sd_bus_message_read(m, "ss", &role_s, &pin_s);
	if (ret < 0)
		return ret;
	ret = copy_pin(pin_s, &pin, error);
	if (ret >= 0)
		ret = parse_role(role_s, &role, error);
	if (ret >= 0)
		ret = authorize(t, m, auth_for(role, role),
				POLKIT_ACTION_SUPERVISOR, caller, error);
	if (ret != 0)
		return ret;
	ret = engine_verify_pin(t->engine, role, pin.s, caller, &o);
	return reply_pin(m, ret, role, &o, "PIN verification", error);
}

static int method_change_pin(sd_bus_message *m, void *userdata,
			     sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_pin_ struct pinbuf auth = {}, new_pin = {};
	const char *role_s, *auth_role_s, *auth_s, *new_s, *why = NULL;
	char caller[AUTH_CALLER_MAX];
	enum pin_role role, auth_role;
	struct pin_outcome o;
	int ret;

	ret = sd_bus_message_read(m, "ssss", &role_s, &auth_role_s, &auth_s,
				  &new_s);
	if (ret < 0)
		return ret;
	ret = copy_pin(auth_s, &auth, error);
	if (ret >= 0)
		ret = copy_pin(new_s, &new_pin, error);
	if (ret >= 0)
		ret = parse_role(role_s, &role, error);
	if (ret >= 0)
		ret = parse_role(auth_role_s, &auth_role, error);
	if (ret >= 0 && role == PIN_ROLE_SUPERVISOR &&
	    auth_role != PIN_ROLE_SUPERVISOR)
		ret = sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
				       "Only the supervisor PIN authorizes a "
				       "new supervisor PIN.");
	if (ret >= 0)
		ret = authorize(t, m, auth_for(role, auth_role),
				POLKIT_ACTION_SUPERVISOR, caller, error);
	if (ret != 0)
		return ret;
	ret = engine_change_pin(t->engine, role, auth_role, auth.s, new_pin.s,
				caller, &o, &why);
	if (ret == -EINVAL)
		return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
					 "The new PIN is refused: %s.",
					 why ? why : "a PIN is 4 to 12 digits");
	return reply_pin(m, ret, auth_role, &o, "PIN change", error);
}

static int method_supervisor_unlock(sd_bus_message *m, void *userdata,
				    sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_pin_ struct pinbuf pin = {};
	char caller[AUTH_CALLER_MAX];
	struct pin_outcome o;
	const char *pin_s;
	int ret;

	ret = sd_bus_message_read(m, "s", &pin_s);
	if (ret < 0)
		return ret;
	ret = copy_pin(pin_s, &pin, error);
	if (ret >= 0)
		ret = authorize(t, m, AUTH_ADMIN, POLKIT_ACTION_SUPERVISOR,
				caller, error);
	if (ret != 0)
		return ret;
	ret = engine_supervisor_unlock(t->engine, pin.s, caller, &o);
	return reply_pin(m, ret, PIN_ROLE_SUPERVISOR, &o, "supervisor unlock",
			 error);
}

static int method_get_challenge(sd_bus_message *m, void *userdata,
				sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	uint8_t challenge[TOKEN_CHALLENGE_LEN];
	char caller[AUTH_CALLER_MAX];
	int ret;

	ret = authorize(t, m, AUTH_OPERATOR, NULL, caller, error);
	if (ret != 0)
		return ret;
	ret = engine_unlock_challenge(t->engine, caller, challenge);
	if (ret < 0)
		return engine_failed(ret, "unlock challenge", error);
	ret = sd_bus_message_new_method_return(m, &reply);
	if (ret >= 0)
		ret = sd_bus_message_append_array(reply, 'y', challenge,
						  sizeof(challenge));
	if (ret < 0)
		return ret;
	return sd_bus_send(NULL, reply, NULL);
}

static int method_apply_token(sd_bus_message *m, void *userdata,
			      sd_bus_error *error)
{
	struct terminal *t = userdata;
	enum token_error terr = TOKEN_OK;
	char caller[AUTH_CALLER_MAX];
	const void *buf;
	size_t len;
	int ret;

	ret = sd_bus_message_read_array(m, 'y', &buf, &len);
	if (ret < 0)
		return ret;
	ret = authorize(t, m, AUTH_OPERATOR, NULL, caller, error);
	if (ret != 0)
		return ret;
	ret = engine_apply_token(t->engine, buf, len, caller, &terr);
	if (ret >= 0)
		return sd_bus_reply_method_return(m, NULL);
	if (terr == TOKEN_OK)
		return engine_failed(ret, "applying the token", error);
	log_notice("token from %s refused: %s", caller, token_error_name(terr));
	return sd_bus_error_setf(
		error, PR_ERR_INVALID_TOKEN, "Token refused (%s): %s",
		token_error_name(terr), token_error_message(terr));
}

/* The self-test ended: answer the RunSelfTest call (userdata, a ref). */
static void selftest_reply(struct terminal *t, int err,
			   const struct selftest_result *v, size_t n,
			   void *userdata)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int ret;

	if (err < 0) {
		engine_failed(err, "self-test", &error);
		ret = sd_bus_reply_method_error(m, &error);
	} else {
		ret = sd_bus_message_new_method_return(m, &reply);
		if (ret >= 0)
			ret = terminal_append_selftest(reply, v, n);
		if (ret >= 0)
			ret = sd_bus_send(NULL, reply, NULL);
		else
			ret = sd_bus_reply_method_errno(m, ret, NULL);
	}
	if (ret < 0)
		log_warning_errno(ret, "cannot answer RunSelfTest");
}

static int method_run_selftest(sd_bus_message *m, void *userdata,
			       sd_bus_error *error)
{
	struct terminal *t = userdata;
	char caller[AUTH_CALLER_MAX];
	int ret;

	ret = authorize(t, m, AUTH_OPERATOR, NULL, caller, error);
	if (ret != 0)
		return ret;
	/* Paired readers answer a challenge first; the reply comes later. */
	ret = terminal_run_selftest(t, caller, selftest_reply,
				    sd_bus_message_ref(m));
	if (ret < 0) {
		sd_bus_message_unref(m);
		return engine_failed(ret, "self-test", error);
	}
	return 1;
}

/* ---- Admin ---------------------------------------------------------- */

/* Provisioning fields read from an a{sv}; key bytes and PINs wiped. */
struct prov_args {
	char terminal_id[TOKEN_TERMINAL_ID_MAX + 1];
	char allowlist[256];
	enum key_type type;
	uint8_t master[32], master_kcv[3], acq[32], acq_kcv[3];
	size_t master_len, master_kcv_len, acq_len, acq_kcv_len;
	struct pinbuf op, sup;
};

static void prov_args_wipe(struct prov_args *a)
{
	explicit_bzero(a, sizeof(*a));
}

static int read_bytes_v(sd_bus_message *m, uint8_t *buf, size_t cap,
			size_t *ret_len)
{
	const void *p;
	size_t n;
	int ret;

	ret = sd_bus_message_enter_container(m, 'v', "ay");
	if (ret <= 0)
		return ret < 0 ? ret : -EINVAL;
	ret = sd_bus_message_read_array(m, 'y', &p, &n);
	if (ret < 0)
		return ret;
	if (n > cap)
		return -E2BIG;
	memcpy(buf, p, n);
	*ret_len = n;
	return sd_bus_message_exit_container(m);
}

static int read_string_v(sd_bus_message *m, char *buf, size_t cap)
{
	const char *s;
	int ret;

	ret = sd_bus_message_read(m, "v", "s", &s);
	if (ret < 0)
		return ret;
	if (strlen(s) >= cap)
		return -E2BIG;
	strcpy(buf, s);
	return 0;
}

static int parse_key_type(const char *s, enum key_type *ret)
{
	static const char *const names[] = {
		[KEY_AES128] = "aes128", [KEY_AES192] = "aes192",
		[KEY_AES256] = "aes256", [KEY_TDES2] = "tdes2",
		[KEY_TDES3] = "tdes3",
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names[i] && strcmp(s, names[i]) == 0) {
			*ret = (enum key_type)i;
			return 0;
		}
	return -EINVAL;
}

/* The value of provisioning entry key into a; -ENOENT if unknown. */
static int read_prov_value(sd_bus_message *m, const char *key,
			   struct prov_args *a)
{
	char type[16];
	int ret;

	if (strcmp(key, "terminal_id") == 0)
		return read_string_v(m, a->terminal_id, sizeof(a->terminal_id));
	if (strcmp(key, "firmware_allowlist") == 0)
		return read_string_v(m, a->allowlist, sizeof(a->allowlist));
	if (strcmp(key, "operator_pin") == 0)
		return read_string_v(m, a->op.s, sizeof(a->op.s));
	if (strcmp(key, "supervisor_pin") == 0)
		return read_string_v(m, a->sup.s, sizeof(a->sup.s));
	if (strcmp(key, "master_key") == 0)
		return read_bytes_v(m, a->master, sizeof(a->master),
				    &a->master_len);
	if (strcmp(key, "master_kcv") == 0)
		return read_bytes_v(m, a->master_kcv, sizeof(a->master_kcv),
				    &a->master_kcv_len);
	if (strcmp(key, "acquirer_key") == 0)
		return read_bytes_v(m, a->acq, sizeof(a->acq), &a->acq_len);
	if (strcmp(key, "acquirer_kcv") == 0)
		return read_bytes_v(m, a->acq_kcv, sizeof(a->acq_kcv),
				    &a->acq_kcv_len);
	if (strcmp(key, "master_type") == 0) {
		ret = read_string_v(m, type, sizeof(type));
		return ret < 0 ? ret : parse_key_type(type, &a->type);
	}
	return -ENOENT;
}

static int read_prov_entry(sd_bus_message *m, const char *key, void *userdata,
			   sd_bus_error *error)
{
	if (read_prov_value(m, key, userdata) < 0)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"Unknown key, wrong type or value too "
					"long in the provisioning data.");
	return 0;
}

static int read_prov_args(sd_bus_message *m, struct prov_args *a,
			  sd_bus_error *error)
{
	int ret;

	a->type = KEY_AES128;
	ret = bus_read_dict(m, read_prov_entry, a, error);
	if (ret < 0)
		return ret;
	if (!a->terminal_id[0] || !a->master_len || a->master_kcv_len != 3 ||
	    a->acq_len != TOKEN_PUBKEY_LEN ||
	    (a->acq_kcv_len && a->acq_kcv_len != 3) || !a->op.s[0] ||
	    !a->sup.s[0])
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"Provisioning needs terminal_id, "
					"master_key, master_kcv (3 bytes), "
					"acquirer_key (32 bytes), operator_pin "
					"and supervisor_pin.");
	return 0;
}

static int method_provision(sd_bus_message *m, void *userdata,
			    sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_(prov_args_wipe) struct prov_args a = {};
	char caller[AUTH_CALLER_MAX];
	struct engine_provisioning p;
	int ret;

	ret = authorize(t, m, AUTH_ADMIN, POLKIT_ACTION_PROVISION, caller,
			error);
	if (ret != 0)
		return ret;
	ret = read_prov_args(m, &a, error);
	if (ret < 0)
		return ret;
	p = (struct engine_provisioning){
		.terminal_id = a.terminal_id,
		.master_type = a.type,
		.master_key = a.master,
		.master_len = a.master_len,
		.master_kcv = a.master_kcv,
		.acquirer_pub = a.acq,
		.acquirer_kcv = a.acq_kcv_len ? a.acq_kcv : NULL,
		.operator_pin = a.op.s,
		.supervisor_pin = a.sup.s,
		.firmware_allowlist = a.allowlist,
	};
	ret = engine_provision(t->engine, &p, caller);
	if (ret == -EBADMSG)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"A key check value does not match its "
					"key; nothing was stored.");
	if (ret == -EINVAL)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"The provisioning data is invalid: "
					"terminal id, key type and length, "
					"allowlist, or a PIN that breaks the "
					"policy.");
	if (ret < 0)
		return engine_failed(ret, "provisioning", error);
	log_info("terminal provisioned as %s by %s", a.terminal_id, caller);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_pair_reader(sd_bus_message *m, void *userdata,
			      sd_bus_error *error)
{
	struct terminal *t = userdata;
	char caller[AUTH_CALLER_MAX];
	uint8_t key[32];
	const void *kp, *kcv;
	const char *serial;
	size_t klen, kcvlen;
	int ret;

	ret = sd_bus_message_read(m, "s", &serial);
	if (ret >= 0)
		ret = sd_bus_message_read_array(m, 'y', &kp, &klen);
	if (ret >= 0)
		ret = sd_bus_message_read_array(m, 'y', &kcv, &kcvlen);
	if (ret < 0)
		return ret;
	ret = authorize(t, m, AUTH_ADMIN, POLKIT_ACTION_PAIR_READER, caller,
			error);
	if (ret != 0)
		return ret;
	if (!*serial || strlen(serial) > PRW_STR_MAX || klen != 32 ||
	    kcvlen != KEYSTORE_KCV_LEN)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"PairReader needs a serial, a 32-byte "
					"key and its 3-byte KCV.");
	memcpy(key, kp, sizeof(key));
	ret = engine_pair_reader(t->engine, serial, key, sizeof(key), kcv,
				 caller);
	explicit_bzero(key, sizeof(key));
	if (ret == -EBADMSG)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"The key check value does not match "
					"the key; nothing was stored.");
	if (ret == -EINVAL)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"The serial is not valid.");
	if (ret < 0)
		return engine_failed(ret, "pairing", error);
	/* A new key alone changes no reason: judge the attached reader with
	 * this serial against it now, not at its next attach. */
	terminal_sync(t);
	return sd_bus_reply_method_return(m, NULL);
}

/* Seal the --config file as it is now, once it parses (admin). */
static int method_seal_configuration(sd_bus_message *m, void *userdata,
				     sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_free_ uint8_t *text = NULL;
	char caller[AUTH_CALLER_MAX], why[512], name[160];
	struct selftest_result res;
	const char *path;
	size_t len = 0;
	int ret;

	ret = authorize(t, m, AUTH_ADMIN, POLKIT_ACTION_SEAL_CONFIG, caller,
			error);
	if (ret != 0)
		return ret;
	path = engine_config_path(t->engine);
	if (!path)
		return sd_bus_error_set(error, PR_ERR_NOT_SUPPORTED,
					"posreaderd runs without a "
					"configuration file (--config): "
					"there is nothing to seal.");
	/* Error messages are D-Bus strings: show the path as ASCII. */
	selftest_path_shown(path, name, sizeof(name));
	ret = selftest_config_read(path, &text, &len);
	if (ret < 0)
		return sd_bus_error_setf(error, PR_ERR_FAILED,
					 "Cannot read %s: %s; nothing was "
					 "sealed.",
					 name, strerror(-ret));
	ret = config_check(name, (const char *)text, len, why, sizeof(why));
	if (ret == -EINVAL)
		return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
					 "%s; nothing was sealed.", why);
	if (ret < 0)
		return engine_failed(ret, "checking the configuration", error);
	ret = engine_seal_config(t->engine, text, len, caller, &res);
	if (ret == -ENOKEY)
		return sd_bus_error_set(error, PR_ERR_NOT_PROVISIONED,
					"There is no terminal key to seal "
					"the configuration with: provision "
					"the terminal first.");
	if (ret < 0)
		return engine_failed(ret, "sealing the configuration", error);
	log_info("configuration %s sealed by %s; the configuration check "
		 "now says: %s",
		 name, caller, selftest_status_name(res.status));
	return sd_bus_reply_method_return(m, NULL);
}

static int method_get_audit(sd_bus_message *m, void *userdata,
			    sd_bus_error *error)
{
	struct terminal *t = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ struct audit_entry *v = NULL;
	int64_t after;
	uint32_t max;
	size_t n = 0;
	int ret;

	ret = sd_bus_message_read(m, "xu", &after, &max);
	if (ret < 0)
		return ret;
	ret = authorize(t, m, AUTH_ADMIN, POLKIT_ACTION_READ_AUDIT, NULL,
			error);
	if (ret != 0)
		return ret;
	if (max == 0 || max > AUDIT_MAX_ROWS)
		max = AUDIT_MAX_ROWS;
	ret = engine_audit(t->engine, after, max, &v, &n);
	if (ret < 0)
		return engine_failed(ret, "reading the audit log", error);
	ret = sd_bus_message_new_method_return(m, &reply);
	if (ret >= 0)
		ret = sd_bus_message_open_container(reply, 'a', "(xxsssb)");
	for (size_t i = 0; ret >= 0 && i < n; i++)
		ret = sd_bus_message_append(
			reply, "(xxsssb)", v[i].seq, v[i].wall_us, v[i].event,
			v[i].caller, v[i].detail, (int)v[i].mac_ok);
	if (ret >= 0)
		ret = sd_bus_message_close_container(reply);
	if (ret < 0)
		return ret;
	return sd_bus_send(NULL, reply, NULL);
}

static int method_verify_audit(sd_bus_message *m, void *userdata,
			       sd_bus_error *error)
{
	struct terminal *t = userdata;
	int64_t first_bad = 0;
	int ret;

	ret = authorize(t, m, AUTH_ADMIN, POLKIT_ACTION_READ_AUDIT, NULL,
			error);
	if (ret != 0)
		return ret;
	ret = engine_audit_verify(t->engine, &first_bad);
	if (ret == -EBADMSG)
		return sd_bus_reply_method_return(m, "bx", 0, first_bad);
	if (ret < 0)
		return engine_failed(ret, "verifying the audit log", error);
	return sd_bus_reply_method_return(m, "bx", 1, (int64_t)0);
}

const sd_bus_vtable terminal_methods_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("VerifyPin", SD_BUS_ARGS("s", role, "s", pin),
				SD_BUS_RESULT("b", accepted, "u", retries_left),
				method_verify_pin,
				SD_BUS_VTABLE_UNPRIVILEGED |
					SD_BUS_VTABLE_SENSITIVE),
	SD_BUS_METHOD_WITH_ARGS("ChangePin",
				SD_BUS_ARGS("s", role, "s", auth_role, "s",
					    auth_pin, "s", new_pin),
				SD_BUS_RESULT("b", changed, "u", retries_left),
				method_change_pin,
				SD_BUS_VTABLE_UNPRIVILEGED |
					SD_BUS_VTABLE_SENSITIVE),
	SD_BUS_METHOD_WITH_ARGS(
		"SupervisorUnlock", SD_BUS_ARGS("s", supervisor_pin),
		SD_BUS_RESULT("b", accepted, "u", retries_left),
		method_supervisor_unlock,
		SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
	SD_BUS_METHOD_WITH_ARGS("GetUnlockChallenge", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("ay", challenge),
				method_get_challenge,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ApplyToken", SD_BUS_ARGS("ay", token),
				SD_BUS_NO_RESULT, method_apply_token,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("RunSelfTest", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a(ssss)", results),
				method_run_selftest,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Provision", SD_BUS_ARGS("a{sv}", settings),
				SD_BUS_NO_RESULT, method_provision,
				SD_BUS_VTABLE_UNPRIVILEGED |
					SD_BUS_VTABLE_SENSITIVE),
	SD_BUS_METHOD_WITH_ARGS(
		"PairReader", SD_BUS_ARGS("s", serial, "ay", key, "ay", kcv),
		SD_BUS_NO_RESULT, method_pair_reader,
		SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
	SD_BUS_METHOD_WITH_ARGS("SealConfiguration", SD_BUS_NO_ARGS,
				SD_BUS_NO_RESULT, method_seal_configuration,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetAudit",
				SD_BUS_ARGS("x", after_seq, "u", max),
				SD_BUS_RESULT("a(xxsssb)", entries),
				method_get_audit, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("VerifyAudit", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("b", intact, "x", first_bad),
				method_verify_audit,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};
