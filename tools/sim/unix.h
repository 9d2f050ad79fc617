/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unix socket helpers shared by the simulator's host and control sockets. */
#ifndef POSREADER_SIM_UNIX_H
#define POSREADER_SIM_UNIX_H

/*
 * Listen on a Unix socket of type (SOCK_SEQPACKET, SOCK_STREAM) at path.
 * A stale socket file nobody listens on is replaced; -EADDRINUSE when a
 * live simulator owns path, -EEXIST when path is not a socket,
 * -ENAMETOOLONG when it does not fit sockaddr_un. Returns the descriptor.
 */
int sim_unix_listen(const char *path, int type);

/* Connect to a Unix socket of type at path; returns the descriptor. */
int sim_unix_connect(const char *path, int type);

#endif /* POSREADER_SIM_UNIX_H */
