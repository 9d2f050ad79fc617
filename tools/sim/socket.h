/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket transport: the reader served over a SOCK_SEQPACKET Unix socket,
 * one wire frame per message. Host to device: commands. Device to host:
 * responses and events interleaved, told apart by their frame type.
 * One host at a time; a second connection is accepted and closed at once.
 * When the host leaves, the device keeps its state for the next one.
 */
#ifndef POSREADER_SIM_SOCKET_H
#define POSREADER_SIM_SOCKET_H

#include <stdbool.h>

#include "control.h"
#include "device.h"
#include "loop.h"

struct sim_socket;

/* Listen at path, watched by loop. */
int sim_socket_new(struct sim_loop *loop, const char *path,
		   struct sim_socket **ret);

/* Close everything and remove the socket file (NULL is fine). */
void sim_socket_free(struct sim_socket *s);

/* Feed host frames to dev from now on. */
void sim_socket_attach(struct sim_socket *s, struct sim_device *dev);

/* The device's output callback; userdata is the struct sim_socket. */
int sim_socket_output(void *userdata, enum sim_channel channel, const u8 *frame,
		      size_t n);

/* Host operations for the control language (connected, disconnect). */
void sim_socket_host_ops(struct sim_socket *s, struct sim_host_ops *ret);

#endif /* POSREADER_SIM_SOCKET_H */
