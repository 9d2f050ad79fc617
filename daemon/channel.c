// SPDX-License-Identifier: GPL-2.0-or-later
/* AcquireChannel: APDUs over a SOCK_SEQPACKET pair, past the bus broker. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"
#include "log.h"
#include "manager.h"
#include "reader.h"
#include "util.h"

struct channel {
	struct reader *reader;
	int fd;
	uint8_t slot;
	sd_event_source *io;
	struct reader_cmd *cmd; /* the APDU on its way, if any */
};

static void channel_send_err(struct channel *c, enum channel_err code)
{
	uint8_t b = code;

	if (send(c->fd, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("reader %s: channel error not sent", c->reader->path);
}

static enum channel_err channel_err_from_status(uint8_t status)
{
	switch (status) {
	case PRW_ST_NO_CARD:
		return CHANNEL_ERR_NO_CARD;
	case PRW_ST_NOT_POWERED:
		return CHANNEL_ERR_NOT_POWERED;
	case PRW_ST_CARD_MUTE:
		return CHANNEL_ERR_CARD_MUTE;
	case PRW_ST_BAD_ARGS:
		return CHANNEL_ERR_INVALID;
	default:
		return CHANNEL_ERR_DEVICE;
	}
}

static void channel_apdu_done(struct reader *r, int err,
			      const struct prw_frame *rsp, void *userdata)
{
	struct channel *c = userdata;

	c->cmd = NULL;
	if (err == -ETIMEDOUT)
		channel_send_err(c, CHANNEL_ERR_TIMEOUT);
	else if (err < 0)
		channel_send_err(c, CHANNEL_ERR_DEVICE);
	else if (rsp->status != PRW_ST_OK)
		channel_send_err(c, channel_err_from_status(rsp->status));
	else if (prw_rapdu_check(rsp->payload, rsp->len) < 0)
		channel_send_err(c, CHANNEL_ERR_DEVICE);
	else if (send(c->fd, rsp->payload, rsp->len,
		      MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("reader %s: channel reply not sent", r->path);
	/* Take the next APDU now, if channel_io() held one back. */
	sd_event_source_set_enabled(c->io, SD_EVENT_ON);
}

static int channel_io(sd_event_source *s, int fd, uint32_t revents,
		      void *userdata)
{
	struct channel *c = userdata;
	struct reader *r = c->reader;
	uint8_t apdu[PRW_APDU_MAX + 1], payload[PRW_MAX_PAYLOAD];
	ssize_t n;
	int len, ret;

	/*
	 * One APDU in flight per channel: a client that sends ahead is held
	 * back by the socket buffer until the answer. The source is turned
	 * off only then, not for every APDU: that would cost two epoll_ctl()
	 * calls per round trip.
	 */
	if (c->cmd) {
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		return 0;
	}
	n = recv(fd, apdu, sizeof(apdu), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* The client closed its end (or it broke). */
		channel_close(r);
		return 0;
	}
	if ((size_t)n > PRW_APDU_MAX || n < PRW_APDU_MIN) {
		channel_send_err(c, CHANNEL_ERR_INVALID);
		return 0;
	}
	len = prw_apdu_encode(payload, sizeof(payload), c->slot, apdu, n);
	secure_zero(apdu, n);
	if (len < 0) {
		channel_send_err(c, CHANNEL_ERR_INVALID);
		return 0;
	}
	ret = reader_command(r, PRW_CMD_APDU, payload, len, PRW_TIMEOUT_APDU_MS,
			     channel_apdu_done, c, &c->cmd);
	secure_zero(payload, len);
	if (ret < 0)
		channel_send_err(c, CHANNEL_ERR_DEVICE);
	return 0;
}

int channel_open(struct reader *r, uint8_t slot, int *ret_fd)
{
	struct channel *c;
	int fds[2], ret;

	if (r->channel)
		return -EBUSY;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		goto err_fds;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ret = -ENOMEM;
		goto err_fds;
	}
	c->reader = r;
	c->fd = fds[0];
	c->slot = slot;
	ret = sd_event_add_io(r->mgr->event, &c->io, c->fd, EPOLLIN, channel_io,
			      c);
	if (ret < 0)
		goto err_free;
	r->channel = c;
	log_info("reader %s: channel opened for %s", r->path, r->claim_owner);
	*ret_fd = fds[1];
	return 0;

err_free:
	free(c);
err_fds:
	close(fds[0]);
	close(fds[1]);
	return ret;
}

void channel_close(struct reader *r)
{
	struct channel *c = r->channel;

	if (!c)
		return;
	r->channel = NULL;
	reader_cmd_cancel(c->cmd);
	sd_event_source_disable_unref(c->io);
	close(c->fd);
	free(c);
	log_info("reader %s: channel closed", r->path);
}
