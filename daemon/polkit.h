/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asking polkit (org.freedesktop.PolicyKit1) whether the caller of an
 * admin method may do the admin action, on the daemon's own bus
 * connection and without blocking its event loop. The caller's
 * credentials are checked before (terminal-auth.h): polkit can only
 * narrow what they allow, never widen it.
 *
 * Where polkitd does not run (its name has no owner and cannot be
 * activated, or its unit is masked) the verdict is POLKIT_ABSENT and the
 * credentials alone decide. A polkitd that is there but errs or does not
 * answer in time refuses (POLKIT_FAILED). No check ever asks for
 * interactive authentication: a terminal has no authentication agent.
 * docs/security.md, "Authorization".
 */
#ifndef POSREADERD_POLKIT_H
#define POSREADERD_POLKIT_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

/* The actions (packaging/org.posreader1.policy), one per admin group. */
#define POLKIT_ACTION_PROVISION	  "org.posreader1.provision"
#define POLKIT_ACTION_SEAL_CONFIG "org.posreader1.seal-configuration"
#define POLKIT_ACTION_PAIR_READER "org.posreader1.pair-reader"
#define POLKIT_ACTION_SUPERVISOR  "org.posreader1.supervisor"
#define POLKIT_ACTION_READ_AUDIT  "org.posreader1.read-audit"

/* Checks waiting for polkit at once: in all, and per caller. */
#define POLKIT_PENDING_MAX	  32
#define POLKIT_PENDING_PER_CALLER 4
/* Below sd-bus's default 25 s method timeout, so the caller hears why. */
#define POLKIT_TIMEOUT_USEC	  (UINT64_C(20) * 1000000)

#define POLKIT_BUS_NAME	 "org.freedesktop.PolicyKit1"
#define POLKIT_PATH	 "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"

enum polkit_verdict {
	POLKIT_ALLOWED,	  /* polkit says yes */
	POLKIT_ABSENT,	  /* no polkitd here: the credentials decide */
	POLKIT_DENIED,	  /* polkit says no */
	POLKIT_CHALLENGE, /* polkit wants authentication: never given */
	POLKIT_FAILED,	  /* polkit erred, or did not answer in time */
};

struct polkit;

/*
 * Called once for each check polkit_check() started, with the method
 * call it was started for; @why is polkit's error message for
 * POLKIT_FAILED, otherwise NULL. Not called for a check whose caller left
 * the bus meanwhile, nor for the checks polkit_free() drops.
 */
typedef void (*polkit_done_t)(sd_bus_message *m, enum polkit_verdict verdict,
			      const char *action, const char *why,
			      void *userdata);

/* A checker on @bus that reports every verdict to @done. */
int polkit_new(sd_bus *bus, polkit_done_t done, void *userdata,
	       struct polkit **ret);

/* Drop every pending check without answering it, then free; NULL is fine. */
struct polkit *polkit_free(struct polkit *pk);

/* How long polkit may take to answer (POLKIT_TIMEOUT_USEC by default). */
void polkit_set_timeout(struct polkit *pk, uint64_t usec);

/*
 * Ask polkit whether the sender of method call @m may do @action (a
 * string constant). 0 when asked: the verdict comes to the done callback
 * later. A negative errno with @error set when it cannot be asked:
 * org.posreader1.Error.Busy beyond the pending limits, AccessDenied for a
 * message without a sender.
 */
int polkit_check(struct polkit *pk, sd_bus_message *m, const char *action,
		 sd_bus_error *error);

/* The number of checks waiting for polkit. */
unsigned polkit_pending(const struct polkit *pk);

/* The verdict for an error reply to CheckAuthorization: ABSENT or FAILED. */
enum polkit_verdict polkit_verdict_from_error(const sd_bus_error *e);

/*
 * The verdict in CheckAuthorization's reply (bba{ss}), or in its error;
 * -EBADMSG if the reply is malformed.
 */
int polkit_read_reply(sd_bus_message *reply, enum polkit_verdict *ret);

/* Whether the method may go on: polkit allowed it, or is absent. */
bool polkit_verdict_allows(enum polkit_verdict v);

/* A short name for logs: "allowed", "absent", "denied", ... */
const char *polkit_verdict_name(enum polkit_verdict v);

/*
 * Set *error to org.posreader1.Error.AccessDenied naming @action and why
 * polkit refused (@why: polkit's error message, may be NULL); returns
 * its negative errno.
 */
int polkit_refusal(enum polkit_verdict v, const char *action, const char *why,
		   sd_bus_error *error);

#endif /* POSREADERD_POLKIT_H */
