/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The card group "posreader" and the admin group "posreader-admin" for
 * tests that check roles. The bus policy and posreaderd resolve them by
 * name, so they must exist in /etc/group; where they do not, and the test
 * runs as root, it moves into a private mount namespace where a copy of
 * /etc/group that has them is bind-mounted over /etc/group, so the bus
 * and the daemon it starts see them as on an installed system.
 */
#ifndef POSREADER_TEST_HARNESS_GROUPS_H
#define POSREADER_TEST_HARNESS_GROUPS_H

#include <sys/types.h>

/* The gids of the two groups. */
struct pos_groups {
	gid_t card;
	gid_t admin;
};

/*
 * Make both groups resolvable (before the bus starts) and fill *ret:
 * 0, or a negative errno if they cannot be had (skip the role checks).
 */
int pos_groups_setup(struct pos_groups *ret);

#endif /* POSREADER_TEST_HARNESS_GROUPS_H */
