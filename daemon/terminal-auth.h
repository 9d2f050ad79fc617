/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may call what on org.posreader1.Terminal. The bus policy lets root,
 * the card group ("posreader") and the admin group ("posreader-admin")
 * send to the daemon at all; these checks decide per method from the
 * caller's credentials (sd_bus_query_sender_creds):
 *
 *   operator: root, members of the card group or the admin group
 *   admin:    root, members of the admin group
 *
 * Where polkitd runs, admin calls that pass are then put to polkit too
 * (polkit.h, authorize() in terminal-methods.c), which can only narrow.
 */
#ifndef POSREADERD_TERMINAL_AUTH_H
#define POSREADERD_TERMINAL_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

#define AUTH_CARD_GROUP	 "posreader"
#define AUTH_ADMIN_GROUP "posreader-admin"
#define AUTH_CALLER_MAX	 64

/* What a method needs. */
enum auth_role {
	AUTH_OPERATOR,
	AUTH_ADMIN,
};

/* The resolved groups; a group that does not exist admits nobody. */
struct auth {
	gid_t card_gid;
	gid_t admin_gid;
	bool have_card;
	bool have_admin;
};

/*
 * Resolve the card and admin groups (names, or numeric gids) with
 * getgrnam(); NULL means the default name. A missing group is logged.
 */
int auth_init(struct auth *a, const char *card_group, const char *admin_group);

/*
 * 0 if the sender of m has role; otherwise sets *error to
 * org.posreader1.Error.AccessDenied and returns its negative errno.
 */
int auth_check(const struct auth *a, sd_bus_message *m, enum auth_role role,
	       sd_bus_error *error);

/* The caller for the audit log: "<unique name> uid=<uid>". */
void auth_caller(sd_bus_message *m, char *buf, size_t cap);

#endif /* POSREADERD_TERMINAL_AUTH_H */
