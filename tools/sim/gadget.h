/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posreader-sim USB transport: the simulated reader as a FunctionFS
 * function (inside a VM: configfs gadget on dummy_hcd).
 *
 * Endpoint I/O blocks, so it runs in threads; the device model stays on
 * the caller's thread. Frames from the host queue up and sim_gadget_fd()
 * turns readable; the caller's loop then calls sim_gadget_dispatch(),
 * which feeds them to sim_device_handle_frame(). sim_gadget_output() is
 * the model's output callback and never blocks.
 */
#ifndef POSREADER_SIM_GADGET_H
#define POSREADER_SIM_GADGET_H

#include <posreader/wire.h>

#include "control.h"
#include "device.h"
#include "loop.h"

struct sim_gadget;

/* Endpoint layouts a gadget can declare. */
enum sim_gadget_layout {
	SIM_GADGET_READER,    /* bulk OUT, bulk IN, interrupt IN */
	SIM_GADGET_NO_EVENTS, /* bulk OUT, bulk IN, bulk IN: no reader */
};

/*
 * Open the FunctionFS instance mounted at ffs_dir, declare the layout's
 * descriptors and strings on ep0 and start the endpoint threads. With a
 * loop, host frames are dispatched from it; without, nobody serves them.
 */
int sim_gadget_new(struct sim_loop *loop, const char *ffs_dir,
		   enum sim_gadget_layout layout, struct sim_gadget **ret);

/* Give the gadget the model its host frames go to (before dispatch). */
void sim_gadget_attach(struct sim_gadget *g, struct sim_device *dev);

/* sim_output_fn for the model: queue a frame; -EAGAIN when full. */
int sim_gadget_output(void *userdata, enum sim_channel channel, const u8 *frame,
		      size_t n);

/* A descriptor that is readable while host frames wait for dispatch. */
int sim_gadget_fd(const struct sim_gadget *g);

/* Feed queued host frames (and bus resets) to the model. */
void sim_gadget_dispatch(struct sim_gadget *g);

/*
 * Name the configfs gadget directory the function is part of (NULL: not
 * known), so that "disconnect" can unbind it from its UDC and replug it.
 */
int sim_gadget_set_configfs(struct sim_gadget *g, const char *dir);

/* Host operations for the control language: connected means the host
 * has configured the gadget; disconnect unbinds and rebinds the UDC
 * (sim_gadget_set_configfs()), -EOPNOTSUPP without a configfs gadget. */
void sim_gadget_host_ops(struct sim_gadget *g, struct sim_host_ops *ret);

/* Stop the threads, close the endpoints, free g (NULL is fine). */
void sim_gadget_free(struct sim_gadget *g);

/*
 * Run a simulator with identity id as a FunctionFS gadget at ffs_dir (of
 * the configfs gadget configfs, may be NULL), controlled through the
 * socket at control_path, until SIGINT/SIGTERM or the "quit" command.
 * Returns 0 or a negative errno.
 */
int sim_gadget_serve(const struct sim_identity *id, const char *ffs_dir,
		     const char *configfs, const char *control_path);

#endif /* POSREADER_SIM_GADGET_H */
