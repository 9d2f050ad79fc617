// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * polkit's CheckAuthorization, called asynchronously. Each check keeps a
 * reference to the method call it is for, the pending call to polkit and
 * a match on the caller's NameOwnerChanged, so that a caller who leaves
 * meanwhile is forgotten at once and never answered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "clock.h"
#include "dbus-errors.h"
#include "log.h"
#include "polkit.h"

/* CheckAuthorization's flags: no AllowUserInteraction, ever. */
#define POLKIT_FLAGS_NONE 0u

struct polkit_check {
	struct polkit *pk;
	struct polkit_check *next;
	sd_bus_message *m;	/* the method call, answered later */
	const char *action;	/* a string constant */
	sd_bus_slot *call_slot; /* CheckAuthorization in flight */
	sd_bus_slot *gone_slot; /* the caller's NameOwnerChanged */
};

struct polkit {
	sd_bus *bus;
	polkit_done_t done;
	void *userdata;
	uint64_t timeout_usec;
	struct polkit_check *checks;
	unsigned n_checks;
};

int polkit_new(sd_bus *bus, polkit_done_t done, void *userdata,
	       struct polkit **ret)
{
	struct polkit *pk = calloc(1, sizeof(*pk));

	if (!pk)
		return -ENOMEM;
	pk->bus = sd_bus_ref(bus);
	pk->done = done;
	pk->userdata = userdata;
	pk->timeout_usec = POLKIT_TIMEOUT_USEC;
	*ret = pk;
	return 0;
}

/* Unlink c and drop what it holds; a pending call is cancelled. */
static void check_free(struct polkit_check *c)
{
	struct polkit_check **pp;

	for (pp = &c->pk->checks; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			c->pk->n_checks--;
			break;
		}
	sd_bus_slot_unref(c->call_slot);
	sd_bus_slot_unref(c->gone_slot);
	sd_bus_message_unref(c->m);
	free(c);
}

struct polkit *polkit_free(struct polkit *pk)
{
	if (!pk)
		return NULL;
	while (pk->checks)
		check_free(pk->checks);
	sd_bus_unref(pk->bus);
	free(pk);
	return NULL;
}

void polkit_set_timeout(struct polkit *pk, uint64_t usec)
{
	pk->timeout_usec = usec;
}

unsigned polkit_pending(const struct polkit *pk)
{
	return pk ? pk->n_checks : 0;
}

enum polkit_verdict polkit_verdict_from_error(const sd_bus_error *e)
{
	/*
	 * Nobody owns the name and nothing can start polkitd: not
	 * installed, or its unit masked or gone. Anything else, a timeout
	 * included, comes from a polkitd that is there.
	 */
	static const char *const absent[] = {
		"org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.systemd1.UnitMasked",
		"org.freedesktop.systemd1.NoSuchUnit",
	};

	for (size_t i = 0; i < ELEMENTSOF(absent); i++)
		if (sd_bus_error_has_name(e, absent[i]))
			return POLKIT_ABSENT;
	return POLKIT_FAILED;
}

int polkit_read_reply(sd_bus_message *reply, enum polkit_verdict *ret)
{
	int authorized, challenge, r;

	if (sd_bus_message_is_method_error(reply, NULL)) {
		*ret = polkit_verdict_from_error(
			sd_bus_message_get_error(reply));
		return 0;
	}
	r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
	if (r > 0)
		r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (r > 0)
		r = sd_bus_message_skip(reply, "a{ss}");
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	if (r <= 0)
		return -EBADMSG;
	if (authorized)
		*ret = POLKIT_ALLOWED;
	else if (challenge)
		*ret = POLKIT_CHALLENGE;
	else
		*ret = POLKIT_DENIED;
	return 0;
}

bool polkit_verdict_allows(enum polkit_verdict v)
{
	return v == POLKIT_ALLOWED || v == POLKIT_ABSENT;
}

const char *polkit_verdict_name(enum polkit_verdict v)
{
	switch (v) {
	case POLKIT_ALLOWED:
		return "allowed";
	case POLKIT_ABSENT:
		return "absent";
	case POLKIT_DENIED:
		return "denied";
	case POLKIT_CHALLENGE:
		return "needs authentication";
	case POLKIT_FAILED:
		return "failed";
	}
	return "unknown";
}

int polkit_refusal(enum polkit_verdict v, const char *action, const char *why,
		   sd_bus_error *error)
{
	switch (v) {
	case POLKIT_DENIED:
		return sd_bus_error_setf(error, PR_ERR_ACCESS_DENIED,
					 "polkit does not allow %s to this "
					 "caller.",
					 action);
	case POLKIT_CHALLENGE:
		return sd_bus_error_setf(error, PR_ERR_ACCESS_DENIED,
					 "polkit allows %s only after "
					 "authentication, which posreaderd "
					 "never asks for: a polkit rule must "
					 "allow it.",
					 action);
	default:
		return sd_bus_error_setf(error, PR_ERR_ACCESS_DENIED,
					 "polkit could not decide on %s: %s.",
					 action, why ? why : "no reason given");
	}
}

/* polkit answered, erred, or the call timed out. */
static int check_answered(sd_bus_message *reply, void *userdata,
			  sd_bus_error *ret_error)
{
	struct polkit_check *c = userdata;
	struct polkit *pk = c->pk;
	sd_bus_message *m = sd_bus_message_ref(c->m);
	const char *action = c->action;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	enum polkit_verdict v;
	char why[256] = "";

	if (polkit_read_reply(reply, &v) < 0) {
		v = POLKIT_FAILED;
		snprintf(why, sizeof(why), "malformed answer");
	} else if (v == POLKIT_FAILED &&
		   (sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT) ||
		    sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY))) {
		char limit[PRDURATION_MAX];

		prduration_format(limit, sizeof(limit), pk->timeout_usec);
		snprintf(why, sizeof(why), "no answer within %s", limit);
	} else if (v == POLKIT_FAILED && e) {
		snprintf(why, sizeof(why), "%s",
			 e->message ? e->message : e->name);
	}
	/* Gone before the callback runs: it may start new checks. */
	check_free(c);
	pk->done(m, v, action, why[0] ? why : NULL, pk->userdata);
	sd_bus_message_unref(m);
	return 0;
}

/* NameOwnerChanged for the caller: if it lost its name, it left. */
static int check_caller_changed(sd_bus_message *signal, void *userdata,
				sd_bus_error *ret_error)
{
	struct polkit_check *c = userdata;
	const char *name, *old_owner, *new_owner;
	int ret;

	ret = sd_bus_message_read(signal, "sss", &name, &old_owner, &new_owner);
	if (ret < 0 || new_owner[0])
		return 0;
	log_debug("%s left before polkit answered about %s", name, c->action);
	check_free(c);
	return 0;
}

static unsigned pending_for(const struct polkit *pk, const char *sender)
{
	unsigned n = 0;

	for (const struct polkit_check *c = pk->checks; c; c = c->next)
		if (strcmp(sd_bus_message_get_sender(c->m), sender) == 0)
			n++;
	return n;
}

static int start_check(struct polkit_check *c, const char *sender)
{
	_cleanup_bus_message_ sd_bus_message *call = NULL;
	struct polkit *pk = c->pk;
	char match[256];
	int ret;

	/*
	 * The match goes to the bus before the call: the bus handles a
	 * connection's messages in order, so no departure is missed once
	 * polkit looks at the caller. A caller that left even earlier
	 * makes polkit fail; the refusal then goes nowhere.
	 */
	snprintf(match, sizeof(match),
		 "type='signal',sender='org.freedesktop.DBus',"
		 "path='/org/freedesktop/DBus',"
		 "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
		 "arg0='%s'",
		 sender);
	ret = sd_bus_add_match_async(pk->bus, &c->gone_slot, match,
				     check_caller_changed, NULL, c);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_new_method_call(pk->bus, &call, POLKIT_BUS_NAME,
					     POLKIT_PATH, POLKIT_INTERFACE,
					     "CheckAuthorization");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name",
				    1, "name", "s", sender, c->action, 0,
				    POLKIT_FLAGS_NONE, "");
	if (ret < 0)
		return ret;
	return sd_bus_call_async(pk->bus, &c->call_slot, call, check_answered,
				 c, pk->timeout_usec);
}

int polkit_check(struct polkit *pk, sd_bus_message *m, const char *action,
		 sd_bus_error *error)
{
	const char *sender = sd_bus_message_get_sender(m);
	struct polkit_check *c;
	int ret;

	if (!sender)
		return sd_bus_error_setf(error, PR_ERR_ACCESS_DENIED,
					 "The call has no sender for polkit to "
					 "check %s against.",
					 action);
	if (pk->n_checks >= POLKIT_PENDING_MAX ||
	    pending_for(pk, sender) >= POLKIT_PENDING_PER_CALLER)
		return sd_bus_error_setf(error, PR_ERR_BUSY,
					 "Too many calls are waiting for "
					 "polkit's answer (at most %u, %u per "
					 "caller); try again once they are "
					 "answered.",
					 POLKIT_PENDING_MAX,
					 POLKIT_PENDING_PER_CALLER);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pk = pk;
	c->m = sd_bus_message_ref(m);
	c->action = action;
	c->next = pk->checks;
	pk->checks = c;
	pk->n_checks++;
	ret = start_check(c, sender);
	if (ret < 0) {
		check_free(c);
		log_warning_errno(ret, "cannot ask polkit about %s", action);
		return sd_bus_error_setf(error, PR_ERR_ACCESS_DENIED,
					 "polkit could not be asked about %s: "
					 "%s.",
					 action, strerror(-ret));
	}
	return 0;
}
