/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control socket: a SOCK_STREAM Unix socket speaking the control language
 * (control.h), one command per line and one reply line per command.
 * Several control clients may be connected at once.
 */
#ifndef POSREADER_SIM_CTLSRV_H
#define POSREADER_SIM_CTLSRV_H

#include "control.h"
#include "device.h"
#include "loop.h"

struct sim_ctlsrv;

/* Listen at path; commands act on dev, host ops come from the transport. */
int sim_ctlsrv_new(struct sim_loop *loop, const char *path,
		   struct sim_device *dev, const struct sim_host_ops *host,
		   struct sim_ctlsrv **ret);

/* Close all control connections and remove the socket (NULL is fine). */
void sim_ctlsrv_free(struct sim_ctlsrv *srv);

#endif /* POSREADER_SIM_CTLSRV_H */
