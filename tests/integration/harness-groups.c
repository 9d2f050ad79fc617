// SPDX-License-Identifier: GPL-2.0-or-later
/* The posreader groups for role tests (see harness-groups.h). */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness-groups.h"

#define CARD_GROUP  "posreader"
#define ADMIN_GROUP "posreader-admin"

/* The first gid from `from` on that no group has. */
static gid_t unused_gid(gid_t from)
{
	while (getgrgid(from))
		from++;
	return from;
}

/* Copy /etc/group to a new file and add the missing groups to it. */
static int write_group_file(char *path)
{
	gid_t next = 64900;
	char buf[4096];
	FILE *in, *out;
	size_t n;
	int fd, ret = 0;

	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	out = fdopen(fd, "w");
	in = fopen("/etc/group", "re");
	if (!out || !in) {
		ret = -errno;
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (!getgrnam(CARD_GROUP)) {
		next = unused_gid(next);
		fprintf(out, "%s:x:%u:\n", CARD_GROUP, (unsigned)next++);
	}
	if (!getgrnam(ADMIN_GROUP))
		fprintf(out, "%s:x:%u:\n", ADMIN_GROUP,
			(unsigned)unused_gid(next));
	if (fchmod(fd, 0644) < 0)
		ret = -errno;
out:
	if (in)
		fclose(in);
	if (out && fclose(out) != 0 && ret == 0)
		ret = -errno;
	else if (!out)
		close(fd);
	return ret;
}

/* Bind a copy of /etc/group with both groups over it, privately. */
static int add_groups_privately(void)
{
	char path[] = "/tmp/posreader-groups-XXXXXX";
	int ret;

	if (geteuid() != 0)
		return -EPERM;
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	ret = write_group_file(path);
	if (ret == 0 && mount(path, "/etc/group", NULL, MS_BIND, NULL) < 0)
		ret = -errno;
	unlink(path);
	return ret;
}

int pos_groups_setup(struct pos_groups *ret)
{
	struct group *card, *admin;
	int r;

	if (!getgrnam(CARD_GROUP) || !getgrnam(ADMIN_GROUP)) {
		r = add_groups_privately();
		if (r < 0)
			return r;
	}
	card = getgrnam(CARD_GROUP);
	if (!card)
		return -ENOENT;
	ret->card = card->gr_gid;
	admin = getgrnam(ADMIN_GROUP);
	if (!admin || admin->gr_gid == ret->card)
		return -ENOENT;
	ret->admin = admin->gr_gid;
	return 0;
}
