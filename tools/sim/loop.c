// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "loop.h"

struct watch {
	int fd;
	short events;
	sim_io_fn fn;
	void *userdata;
	unsigned long serial; /* tells a re-added fd from the old one */
};

struct sim_loop {
	struct watch w[SIM_LOOP_MAX_FDS];
	size_t n;
	unsigned long next_serial;
	struct sim_device *dev;
	bool quit;
};

int sim_loop_new(struct sim_loop **ret)
{
	struct sim_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	*ret = loop;
	return 0;
}

void sim_loop_free(struct sim_loop *loop)
{
	free(loop);
}

void sim_loop_set_device(struct sim_loop *loop, struct sim_device *dev)
{
	loop->dev = dev;
}

int sim_loop_add(struct sim_loop *loop, int fd, short events, sim_io_fn fn,
		 void *userdata)
{
	struct watch *w;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (loop->n == SIM_LOOP_MAX_FDS)
		return -ENOSPC;
	w = &loop->w[loop->n++];
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->userdata = userdata;
	w->serial = ++loop->next_serial;
	return 0;
}

void sim_loop_remove(struct sim_loop *loop, int fd)
{
	size_t i;

	for (i = 0; i < loop->n; i++) {
		if (loop->w[i].fd == fd) {
			loop->w[i] = loop->w[--loop->n];
			return;
		}
	}
}

void sim_loop_quit(struct sim_loop *loop)
{
	loop->quit = true;
}

static uint64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Milliseconds until the device's next deadline, rounded up; -1: none. */
static int poll_timeout(const struct sim_loop *loop)
{
	uint64_t due, now;

	if (!loop->dev)
		return -1;
	due = sim_device_next_deadline(loop->dev);
	if (due == SIM_NO_DEADLINE)
		return -1;
	now = monotonic_usec();
	if (due <= now)
		return 0;
	if (due - now > 3600000000ull)
		return 3600000;
	return (int)((due - now + 999) / 1000);
}

/* Find a watch still registered under the serial seen before poll. */
static struct watch *lookup(struct sim_loop *loop, unsigned long serial)
{
	size_t i;

	for (i = 0; i < loop->n; i++)
		if (loop->w[i].serial == serial)
			return &loop->w[i];
	return NULL;
}

int sim_loop_run(struct sim_loop *loop)
{
	struct pollfd pfd[SIM_LOOP_MAX_FDS];
	unsigned long serial[SIM_LOOP_MAX_FDS];
	size_t i, n;
	int r;

	while (!loop->quit) {
		n = loop->n;
		for (i = 0; i < n; i++) {
			pfd[i].fd = loop->w[i].fd;
			pfd[i].events = loop->w[i].events;
			pfd[i].revents = 0;
			serial[i] = loop->w[i].serial;
		}
		r = poll(pfd, n, poll_timeout(loop));
		if (r < 0 && errno != EINTR)
			return -errno;
		for (i = 0; r > 0 && i < n && !loop->quit; i++) {
			struct watch *w;

			if (!pfd[i].revents)
				continue;
			/* An earlier callback may have removed this one. */
			w = lookup(loop, serial[i]);
			if (w)
				w->fn(w->userdata, w->fd, pfd[i].revents);
		}
		if (loop->dev)
			sim_device_run_timers(loop->dev);
	}
	return 0;
}
