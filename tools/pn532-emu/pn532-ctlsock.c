// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulator's control socket: a Unix stream socket taking one text
 * command per line (pn532-control.h), and the --send client for it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"
#include "pn532-emu.h"

#define SEND_TIMEOUT_MS 5000

void emu_control_close(struct emu_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void client_line(struct emu *e, struct emu_client *c, char *line)
{
	char reply[256];
	int r;

	e->control.card_changed = false;
	r = pn532_control_run(&e->control, line, reply, sizeof(reply));
	emu_log(e, "control: %s", r == 0 ? "applied" : "rejected");
	if (send(c->fd, reply, strlen(reply), MSG_NOSIGNAL) < 0)
		emu_control_close(c);
	if (e->control.card_changed && e->pending)
		emu_poll_retry(e, false);
}

void emu_control_read(struct emu *e, struct emu_client *c)
{
	ssize_t n;
	char *nl;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n <= 0) {
		emu_control_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while (c->fd >= 0 && (nl = strchr(c->buf, '\n'))) {
		*nl = '\0';
		client_line(e, c, c->buf);
		if (c->fd < 0)
			return;
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1) {
		static const char msg[] = "error: line too long\n";

		send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
		emu_control_close(c);
	}
}

void emu_control_accept(struct emu *e)
{
	int fd, i;

	fd = accept4(e->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < EMU_MAX_CLIENTS; i++) {
		if (e->clients[i].fd < 0) {
			e->clients[i].fd = fd;
			e->clients[i].len = 0;
			return;
		}
	}
	send(fd, "error: too many control clients\n", 32, MSG_NOSIGNAL);
	close(fd);
}

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int emu_control_open(struct emu *e)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	struct stat st;
	int r;

	r = fill_addr(&sa, e->control_path);
	if (r < 0)
		return r;
	/* Replace a stale socket from an earlier run, never anything else. */
	if (stat(e->control_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(e->control_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0)
		return -errno;
	e->listen_fd = fd;
	fd = -1; /* now owned by e */
	return 0;
}

int emu_control_send(const char *path, const char *cmd)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	struct pollfd pfd;
	char reply[512];
	size_t got = 0;
	ssize_t n;
	int r;

	r = fill_addr(&sa, path);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0)
		return -errno;

	while (got < sizeof(reply) - 1 && !memchr(reply, '\n', got)) {
		pfd = (struct pollfd){ fd, POLLIN, 0 };
		r = poll(&pfd, 1, SEND_TIMEOUT_MS);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0)
			return -errno;
		n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	reply[got] = '\0';
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) == 0 ? 0 : -EINVAL;
}
