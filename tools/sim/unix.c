// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#include "unix.h"

static int fill_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!path || !*path || strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int sim_unix_connect(const char *path, int type)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	int r;

	r = fill_addr(path, &sa);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	r = fd;
	fd = -1;
	return r;
}

/* Remove path if it is a socket nobody accepts on any more. */
static int clear_stale(const char *path, int type)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = sim_unix_connect(path, type);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int sim_unix_listen(const char *path, int type)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	int r;

	r = fill_addr(path, &sa);
	if (r < 0)
		return r;
	r = clear_stale(path, type);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (listen(fd, 4) < 0) {
		r = -errno;
		unlink(path);
		return r;
	}
	r = fd;
	fd = -1;
	return r;
}
