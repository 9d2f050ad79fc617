// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-method authorization from the caller's uid and groups: the groups
 * of the calling process where they can be read, and the user's groups
 * in the user database.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terminal-auth.h"
#include "dbus-errors.h"
#include "log.h"
#include "util.h"

/* A group name or a numeric gid; false if it does not exist. */
static bool resolve_group(const char *name, gid_t *ret_gid)
{
	struct group *gr;
	char *end;
	unsigned long v;

	v = strtoul(name, &end, 10);
	if (*name && !*end) {
		*ret_gid = (gid_t)v;
		return true;
	}
	gr = getgrnam(name);
	if (!gr)
		return false;
	*ret_gid = gr->gr_gid;
	return true;
}

int auth_init(struct auth *a, const char *card_group, const char *admin_group)
{
	card_group = card_group ? card_group : AUTH_CARD_GROUP;
	admin_group = admin_group ? admin_group : AUTH_ADMIN_GROUP;
	a->have_card = resolve_group(card_group, &a->card_gid);
	a->have_admin = resolve_group(admin_group, &a->admin_gid);
	if (!a->have_card)
		log_notice("group %s does not exist: only root and %s may "
			   "use the operator functions",
			   card_group, admin_group);
	if (!a->have_admin)
		log_notice("group %s does not exist: only root may use the "
			   "admin functions",
			   admin_group);
	return 0;
}

static bool in_group(sd_bus_creds *c, gid_t gid)
{
	const gid_t *gids;
	gid_t g;
	int n;

	if (sd_bus_creds_get_egid(c, &g) >= 0 && g == gid)
		return true;
	if (sd_bus_creds_get_gid(c, &g) >= 0 && g == gid)
		return true;
	n = sd_bus_creds_get_supplementary_gids(c, &gids);
	for (int i = 0; i < n; i++)
		if (gids[i] == gid)
			return true;
	return false;
}

/*
 * Whether the user database makes uid a member of gid. The caller's own
 * group list cannot always be read: the daemon's sandbox (ProtectProc=,
 * PrivateUsers=) hides other users' /proc entries from it.
 */
static bool user_in_group(uid_t uid, gid_t gid)
{
	_cleanup_free_ gid_t *groups = NULL;
	_cleanup_free_ char *name = NULL;
	struct passwd *pw;
	gid_t primary;
	int n = 16;

	pw = getpwuid(uid);
	if (!pw)
		return false;
	if (pw->pw_gid == gid)
		return true;
	/* getgrouplist() may use getpwuid()'s buffer: keep what we need. */
	name = strdup(pw->pw_name);
	primary = pw->pw_gid;
	if (!name)
		return false;
	for (;;) {
		int want = n;
		gid_t *g = realloc(groups, (size_t)n * sizeof(*groups));

		if (!g)
			return false;
		groups = g;
		if (getgrouplist(name, primary, groups, &n) >= 0)
			break;
		if (n <= want)
			n = want * 2;
		if (n > 65536)
			return false;
	}
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static int sender_uid(sd_bus_creds *c, uid_t *ret)
{
	if (sd_bus_creds_get_euid(c, ret) >= 0)
		return 0;
	return sd_bus_creds_get_uid(c, ret);
}

int auth_check(const struct auth *a, sd_bus_message *m, enum auth_role role,
	       sd_bus_error *error)
{
	sd_bus_creds *c = NULL;
	bool ok = false;
	uid_t uid;
	int ret;

	ret = sd_bus_query_sender_creds(
		m,
		SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID | SD_BUS_CREDS_GID |
			SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
			SD_BUS_CREDS_AUGMENT,
		&c);
	if (ret >= 0 && sender_uid(c, &uid) >= 0) {
		if (uid == 0)
			ok = true;
		else if (a->have_admin && (in_group(c, a->admin_gid) ||
					   user_in_group(uid, a->admin_gid)))
			ok = true;
		else if (role == AUTH_OPERATOR && a->have_card &&
			 (in_group(c, a->card_gid) ||
			  user_in_group(uid, a->card_gid)))
			ok = true;
	}
	sd_bus_creds_unref(c);
	if (ok)
		return 0;
	return sd_bus_error_set(error, PR_ERR_ACCESS_DENIED,
				role == AUTH_ADMIN ?
					"Only root or the posreader-admin "
					"group may do this." :
					"Only root or the posreader and "
					"posreader-admin groups may do this.");
}

void auth_caller(sd_bus_message *m, char *buf, size_t cap)
{
	sd_bus_creds *c = NULL;
	const char *sender = sd_bus_message_get_sender(m);
	uid_t uid;

	if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID,
				      &c) >= 0 &&
	    sender_uid(c, &uid) >= 0)
		snprintf(buf, cap, "%s uid=%u", sender ? sender : "?",
			 (unsigned)uid);
	else
		snprintf(buf, cap, "%s", sender ? sender : "?");
	sd_bus_creds_unref(c);
}
