// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#include "conn.h"

int probe_connect(const char *path, struct probe_conn *ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	memset(ret, 0, sizeof(*ret));
	/* A random start keeps a stale answer from matching a new command. */
	if (getrandom(&ret->seq, 1, GRND_NONBLOCK) != 1)
		ret->seq = (u8)getpid();
	ret->fd = fd;
	fd = -1;
	return 0;
}

void probe_close(struct probe_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	secure_zero(c->rx, sizeof(c->rx));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Receive one message before deadline (< 0: none). Returns 1 and a
 * decoded frame, 0 for a frame that was dropped, -ETIMEDOUT,
 * -ECONNRESET or another -errno.
 */
static int recv_frame(struct probe_conn *c, long long deadline,
		      struct prw_frame *ret)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int timeout = -1, r;
	ssize_t n;

	if (deadline >= 0) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		timeout = left > 3600000 ? 3600000 : (int)left;
	}
	r = poll(&p, 1, timeout);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return deadline >= 0 && now_ms() >= deadline ? -ETIMEDOUT : 0;
	n = recv(c->fd, c->rx, sizeof(c->rx), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 :
		       errno == ECONNRESET		 ? -ECONNRESET :
							   -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > sizeof(c->rx)) {
		/* More than any frame may be: the codec never sees it. */
		c->invalid++;
		c->last_invalid = -PRW_E_LENGTH;
		c->last_invalid_len = (size_t)n;
		return 0;
	}
	r = prw_frame_decode(c->rx, (size_t)n, ret);
	if (r == 0 && prw_type_is_command(ret->type))
		r = -PRW_E_TYPE;
	if (r < 0) {
		c->invalid++;
		c->last_invalid = r;
		c->last_invalid_len = (size_t)n;
		return 0;
	}
	return 1;
}

static void dispatch_event(struct probe_conn *c, const struct prw_frame *f)
{
	c->events++;
	if (c->on_event)
		c->on_event(c->event_data, f);
}

int probe_transact(struct probe_conn *c, u8 type, const u8 *payload, size_t len,
		   int timeout_ms, struct prw_frame *ret_rsp)
{
	u8 tx[PRW_MAX_FRAME];
	long long deadline = now_ms() + timeout_ms;
	struct prw_frame f;
	int n, r;

	c->seq++;
	c->last_cmd = type;
	n = prw_frame_encode(tx, sizeof(tx), type, c->seq, 0, 0, payload, len);
	if (n < 0)
		return -EINVAL;
	r = (int)send(c->fd, tx, (size_t)n, MSG_NOSIGNAL);
	secure_zero(tx, sizeof(tx));
	if (r < 0)
		return errno == EPIPE || errno == ECONNRESET ? -ECONNRESET :
							       -errno;
	for (;;) {
		r = recv_frame(c, deadline, &f);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (prw_type_is_event(f.type)) {
			dispatch_event(c, &f);
			continue;
		}
		if (f.type == prw_response_type(type) && f.seq == c->seq) {
			*ret_rsp = f;
			return 0;
		}
		/* A late answer to an earlier command, or a lying device. */
		c->unexpected++;
		c->last_unexpected_type = f.type;
		c->last_unexpected_seq = f.seq;
	}
}

int probe_watch(struct probe_conn *c, int timeout_ms, const bool *stop)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct prw_frame f;
	int r;

	while (!*stop) {
		r = recv_frame(c, deadline, &f);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (prw_type_is_event(f.type)) {
			dispatch_event(c, &f);
			continue;
		}
		c->unexpected++;
		c->last_unexpected_type = f.type;
		c->last_unexpected_seq = f.seq;
	}
	return 0;
}

bool probe_saw_violations(const struct probe_conn *c)
{
	return c->invalid || c->unexpected;
}

void probe_report_violations(const struct probe_conn *c)
{
	if (c->invalid)
		fprintf(stderr,
			"posreader-probe: dropped %u invalid frame(s); last: "
			"%s (%zu bytes)\n",
			c->invalid, prw_strerror(c->last_invalid),
			c->last_invalid_len);
	if (c->unexpected)
		fprintf(stderr,
			"posreader-probe: ignored %u unexpected response(s); "
			"last: type 0x%02x seq %u, expected 0x%02x seq %u\n",
			c->unexpected, c->last_unexpected_type,
			c->last_unexpected_seq, prw_response_type(c->last_cmd),
			c->seq);
}
