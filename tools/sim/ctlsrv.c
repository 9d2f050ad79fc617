// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#include "ctlsrv.h"
#include "unix.h"

#define MAX_CLIENTS 8

struct client {
	int fd;
	char buf[SIM_CTL_LINE_MAX + 1];
	size_t len;
	bool overlong; /* dropping the rest of a line that was too long */
};

struct sim_ctlsrv {
	struct sim_loop *loop;
	struct sim_device *dev;
	struct sim_host_ops host;
	char *path;
	int listen_fd;
	struct client clients[MAX_CLIENTS];
};

static void client_close(struct sim_ctlsrv *srv, struct client *c)
{
	sim_loop_remove(srv->loop, c->fd);
	close(c->fd);
	secure_zero(c->buf, sizeof(c->buf));
	c->fd = -1;
	c->len = 0;
	c->overlong = false;
}

static int send_line(int fd, const char *reply)
{
	char out[SIM_CTL_REPLY_MAX + 2];
	size_t n = (size_t)snprintf(out, sizeof(out), "%s\n", reply), off = 0;
	ssize_t w;

	if (n >= sizeof(out)) {
		n = sizeof(out) - 1;
		out[n - 1] = '\n';
	}
	while (off < n) {
		w = send(fd, out + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			/* Replies are short; a stuck reader gets a second. */
			if (poll(&p, 1, 1000) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

/* The command word, if it is one of ours: anything else a client typed
 * might be card data and stays out of the log. */
static const char *known_verb(const char *line)
{
	static const char *const verbs[] = {
		"swipe",     "icc",	     "nfc",	  "tamper",
		"latency",   "latency-once", "misbehave", "disconnect",
		"pin-tries", "pin",	     "status",	  "help",
		"quit",
	};
	size_t i, n = strcspn(line, " \t");

	for (i = 0; i < ELEMENTSOF(verbs); i++)
		if (strlen(verbs[i]) == n && !strncmp(line, verbs[i], n))
			return verbs[i];
	return "(unknown)";
}

static int run_line(struct sim_ctlsrv *srv, struct client *c, char *line)
{
	char reply[SIM_CTL_REPLY_MAX];
	size_t len = strlen(line);
	int r;

	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	r = sim_control_exec(srv->dev, &srv->host, line, reply, sizeof(reply));
	fprintf(stderr, "posreader-sim: control %s: %s\n",
		known_verb(line + strspn(line, " \t")), r < 0 ? "error" : "ok");
	return send_line(c->fd, reply);
}

static void on_client(void *userdata, int fd, short revents)
{
	struct sim_ctlsrv *srv = userdata;
	struct client *c = NULL;
	char *nl;
	ssize_t n;
	size_t i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (srv->clients[i].fd == fd)
			c = &srv->clients[i];
	if (!c)
		return;
	n = recv(fd, c->buf + c->len, SIM_CTL_LINE_MAX - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(srv, c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t used = (size_t)(nl - c->buf) + 1;
		int r = 0;

		*nl = '\0';
		if (c->overlong) {
			c->overlong = false;
			r = send_line(fd, "error line too long");
		} else {
			r = run_line(srv, c, c->buf);
		}
		secure_zero(c->buf, used);
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		c->buf[c->len] = '\0';
		if (r < 0) {
			client_close(srv, c);
			return;
		}
	}
	if (c->len == SIM_CTL_LINE_MAX) {
		/* No newline in a full buffer: discard up to the next one. */
		secure_zero(c->buf, sizeof(c->buf));
		c->len = 0;
		c->overlong = true;
	}
}

static void on_listen(void *userdata, int fd, short revents)
{
	struct sim_ctlsrv *srv = userdata;
	size_t i;
	int c;

	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (srv->clients[i].fd < 0)
			break;
	}
	if (i == MAX_CLIENTS ||
	    sim_loop_add(srv->loop, c, POLLIN, on_client, srv) < 0) {
		send_line(c, "error too many control connections");
		close(c);
		return;
	}
	srv->clients[i].fd = c;
	srv->clients[i].len = 0;
	srv->clients[i].overlong = false;
}

int sim_ctlsrv_new(struct sim_loop *loop, const char *path,
		   struct sim_device *dev, const struct sim_host_ops *host,
		   struct sim_ctlsrv **ret)
{
	struct sim_ctlsrv *srv;
	size_t i;
	int r;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->loop = loop;
	srv->dev = dev;
	srv->host = *host;
	for (i = 0; i < MAX_CLIENTS; i++)
		srv->clients[i].fd = -1;
	srv->path = strdup(path);
	if (!srv->path) {
		r = -ENOMEM;
		goto err_free;
	}
	srv->listen_fd = sim_unix_listen(path, SOCK_STREAM);
	if (srv->listen_fd < 0) {
		r = srv->listen_fd;
		goto err_path;
	}
	r = sim_loop_add(loop, srv->listen_fd, POLLIN, on_listen, srv);
	if (r < 0)
		goto err_listen;
	*ret = srv;
	return 0;

err_listen:
	close(srv->listen_fd);
	unlink(path);
err_path:
	free(srv->path);
err_free:
	free(srv);
	return r;
}

void sim_ctlsrv_free(struct sim_ctlsrv *srv)
{
	size_t i;

	if (!srv)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (srv->clients[i].fd >= 0)
			client_close(srv, &srv->clients[i]);
	sim_loop_remove(srv->loop, srv->listen_fd);
	close(srv->listen_fd);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}
