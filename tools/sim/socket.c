// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#include "socket.h"
#include "unix.h"

/* Enough send buffer for a full flood of junk frames plus the answer. */
#define HOST_SNDBUF	  (1024 * 1024)
/* How long a response may wait for room in a full socket buffer. */
#define RESPONSE_GRACE_MS 1000

struct sim_socket {
	struct sim_loop *loop;
	struct sim_device *dev;
	char *path;
	int listen_fd;
	int host_fd;
};

static void host_close(struct sim_socket *s, const char *why)
{
	if (s->host_fd < 0)
		return;
	sim_loop_remove(s->loop, s->host_fd);
	close(s->host_fd);
	s->host_fd = -1;
	if (s->dev)
		sim_device_host_reset(s->dev);
	fprintf(stderr, "posreader-sim: host %s\n", why);
}

/*
 * recv() gives 0 both for an empty message and for the end of the
 * connection. It is the end only if the peer hung up and nothing but
 * empty messages is left in the queue.
 */
static bool host_gone(int fd, short revents)
{
	int queued = 0;

	if (!(revents & (POLLHUP | POLLRDHUP)))
		return false;
	return ioctl(fd, SIOCINQ, &queued) < 0 || queued == 0;
}

static void on_host(void *userdata, int fd, short revents)
{
	struct sim_socket *s = userdata;
	/* One byte more than a frame may have, to notice oversize ones. */
	u8 buf[PRW_MAX_FRAME + 1];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		host_close(s, "connection failed");
		return;
	}
	if (n == 0 && host_gone(fd, revents)) {
		host_close(s, "disconnected");
		return;
	}
	if ((size_t)n > sizeof(buf))
		n = sizeof(buf);
	if (s->dev)
		sim_device_handle_frame(s->dev, buf, (size_t)n);
	secure_zero(buf, (size_t)n);
}

static void on_listen(void *userdata, int fd, short revents)
{
	struct sim_socket *s = userdata;
	int sndbuf = HOST_SNDBUF;
	int c;

	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return;
	if (s->host_fd >= 0) {
		/* One host owns a reader, as with USB. */
		fprintf(stderr, "posreader-sim: refused a second host\n");
		close(c);
		return;
	}
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (sim_loop_add(s->loop, c, POLLIN | POLLRDHUP, on_host, s) < 0) {
		close(c);
		return;
	}
	s->host_fd = c;
	fprintf(stderr, "posreader-sim: host connected\n");
}

int sim_socket_new(struct sim_loop *loop, const char *path,
		   struct sim_socket **ret)
{
	struct sim_socket *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->host_fd = -1;
	s->path = strdup(path);
	if (!s->path) {
		r = -ENOMEM;
		goto err_free;
	}
	s->listen_fd = sim_unix_listen(path, SOCK_SEQPACKET);
	if (s->listen_fd < 0) {
		r = s->listen_fd;
		goto err_path;
	}
	r = sim_loop_add(loop, s->listen_fd, POLLIN, on_listen, s);
	if (r < 0)
		goto err_listen;
	*ret = s;
	return 0;

err_listen:
	close(s->listen_fd);
	unlink(path);
err_path:
	free(s->path);
err_free:
	free(s);
	return r;
}

void sim_socket_free(struct sim_socket *s)
{
	if (!s)
		return;
	host_close(s, "closed");
	sim_loop_remove(s->loop, s->listen_fd);
	close(s->listen_fd);
	unlink(s->path);
	free(s->path);
	free(s);
}

void sim_socket_attach(struct sim_socket *s, struct sim_device *dev)
{
	s->dev = dev;
}

int sim_socket_output(void *userdata, enum sim_channel channel, const u8 *frame,
		      size_t n)
{
	struct sim_socket *s = userdata;
	struct pollfd p = { .fd = s->host_fd, .events = POLLOUT };
	ssize_t w;

	if (s->host_fd < 0)
		return -ENOTCONN;
	for (;;) {
		w = send(s->host_fd, frame, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w >= 0)
			return 0;
		if (errno != EAGAIN)
			return -errno;
		/* A host that does not read loses events at once; the answer
		 * it is waiting for gets a short grace period. */
		if (channel != SIM_CH_RESPONSE ||
		    poll(&p, 1, RESPONSE_GRACE_MS) <= 0)
			return -EAGAIN;
	}
}

static bool host_connected(void *userdata)
{
	struct sim_socket *s = userdata;

	return s->host_fd >= 0;
}

static int host_disconnect(void *userdata)
{
	struct sim_socket *s = userdata;

	if (s->host_fd < 0)
		return -ENOTCONN;
	host_close(s, "dropped by control command");
	return 0;
}

static void host_quit(void *userdata)
{
	struct sim_socket *s = userdata;

	sim_loop_quit(s->loop);
}

void sim_socket_host_ops(struct sim_socket *s, struct sim_host_ops *ret)
{
	ret->userdata = s;
	ret->connected = host_connected;
	ret->disconnect = host_disconnect;
	ret->quit = host_quit;
}
