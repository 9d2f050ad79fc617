// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreaderctl pin verify|change: PINs come from stdin (never the
 * command line, which other users can read) and are wiped after use.
 */
#include <stdarg.h>
#include <string.h>

#include "ctl.h"

#define PIN_LINE 32

struct pin_line {
	char s[PIN_LINE];
};

static void pin_line_wipe(struct pin_line *p)
{
	explicit_bzero(p, sizeof(*p));
}

#define _cleanup_pin_ __attribute__((cleanup(pin_line_wipe)))

static int read_pin(const char *what, struct pin_line *p)
{
	if (ctl_read_secret_line(p->s, sizeof(p->s)) < 0) {
		fprintf(stderr, "posreaderctl: expected the %s on stdin\n",
			what);
		return -1;
	}
	return 0;
}

/*
 * Call a Terminal method whose arguments hold PINs: the message is marked
 * sensitive, so sd-bus wipes its memory when it is freed.
 */
static int call_sensitive(struct ctl *c, const char *method,
			  sd_bus_error *error, sd_bus_message **ret_reply,
			  const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS_NAME,
					     CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
					     method);
	if (ret >= 0)
		ret = sd_bus_message_sensitive(m);
	if (ret >= 0) {
		va_start(ap, types);
		ret = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (ret >= 0)
		ret = sd_bus_call(c->bus, m, 0, error, ret_reply);
	sd_bus_message_unref(m);
	return ret;
}

/* Print (b accepted, u retries) from VerifyPin or ChangePin. */
static int print_outcome(struct ctl *c, sd_bus_message *reply, const char *key)
{
	uint32_t retries;
	int ok, ret;

	ret = sd_bus_message_read(reply, "bu", &ok, &retries);
	if (ret < 0)
		return ctl_error("bad reply", NULL, ret);
	if (c->json)
		printf("{\"%s\": %s, \"retries_left\": %u}\n", key,
		       ok ? "true" : "false", retries);
	else
		printf("%s; %u retries left before a lockout\n",
		       ok ? (strcmp(key, "changed") == 0 ? "PIN changed" :
							   "PIN accepted") :
			    "PIN wrong",
		       retries);
	return ok ? CTL_EXIT_OK : CTL_EXIT_FAILURE;
}

static int pin_verify(struct ctl *c, const char *role)
{
	_cleanup_pin_ struct pin_line pin = {};
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int ret;

	if (read_pin("PIN", &pin) < 0)
		return CTL_EXIT_USAGE;
	ret = call_sensitive(c, "VerifyPin", &error, &reply, "ss", role, pin.s);
	if (ret < 0)
		ret = ctl_error("VerifyPin", &error, ret);
	else
		ret = print_outcome(c, reply, "accepted");
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

static int pin_change(struct ctl *c, const char *role, const char *auth_role)
{
	_cleanup_pin_ struct pin_line auth = {}, pin = {};
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int ret;

	if (read_pin("authorizing PIN", &auth) < 0 ||
	    read_pin("new PIN", &pin) < 0)
		return CTL_EXIT_USAGE;
	ret = call_sensitive(c, "ChangePin", &error, &reply, "ssss", role,
			     auth_role, auth.s, pin.s);
	if (ret < 0)
		ret = ctl_error("ChangePin", &error, ret);
	else
		ret = print_outcome(c, reply, "changed");
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

static int supervisor_unlock(struct ctl *c)
{
	_cleanup_pin_ struct pin_line pin = {};
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int ret;

	if (read_pin("supervisor PIN", &pin) < 0)
		return CTL_EXIT_USAGE;
	ret = call_sensitive(c, "SupervisorUnlock", &error, &reply, "s", pin.s);
	if (ret < 0)
		ret = ctl_error("SupervisorUnlock", &error, ret);
	else
		ret = print_outcome(c, reply, "accepted");
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

int cmd_pin(struct ctl *c, int argc, char **argv)
{
	const char *role = argc > 1 ? argv[1] : "operator";

	if (argc >= 1 && argc <= 2 && strcmp(argv[0], "verify") == 0)
		return pin_verify(c, role);
	if (argc >= 1 && argc <= 3 && strcmp(argv[0], "change") == 0)
		return pin_change(c, role, argc > 2 ? argv[2] : role);
	if (argc == 1 && strcmp(argv[0], "supervisor-unlock") == 0)
		return supervisor_unlock(c);
	fprintf(stderr, "posreaderctl: pin verify [ROLE] | pin change [ROLE "
			"[AUTH-ROLE]] | pin supervisor-unlock\n");
	return CTL_EXIT_USAGE;
}
