/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's event loop: plain poll(2) over a handful of
 * descriptors, with the device model's next deadline as poll timeout.
 * One thread, nothing blocks: a slow answer is a deadline, not a sleep.
 */
#ifndef POSREADER_SIM_LOOP_H
#define POSREADER_SIM_LOOP_H

#include "device.h"

struct sim_loop;

/* Called with the revents poll(2) reported for fd. */
typedef void (*sim_io_fn)(void *userdata, int fd, short revents);

/* Most descriptors one loop watches. */
#define SIM_LOOP_MAX_FDS 32

/* Create a loop whose timers are dev's deadlines (dev may be set later
 * with sim_loop_set_device()). */
int sim_loop_new(struct sim_loop **ret);

/* Free the loop (NULL is fine); descriptors are not closed. */
void sim_loop_free(struct sim_loop *loop);

/* Fire dev's timers from this loop. */
void sim_loop_set_device(struct sim_loop *loop, struct sim_device *dev);

/* Watch fd for events (POLLIN, POLLOUT); -ENOSPC when full. */
int sim_loop_add(struct sim_loop *loop, int fd, short events, sim_io_fn fn,
		 void *userdata);

/* Stop watching fd; safe from inside a callback. */
void sim_loop_remove(struct sim_loop *loop, int fd);

/* Run until sim_loop_quit(); returns 0 or a negative errno from poll. */
int sim_loop_run(struct sim_loop *loop);

/* Make sim_loop_run() return after the current iteration. */
void sim_loop_quit(struct sim_loop *loop);

#endif /* POSREADER_SIM_LOOP_H */
