/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim transport: posreader-sim's SOCK_SEQPACKET Unix socket, one wire
 * frame per message, and the directories of such sockets the daemon
 * watches for simulated readers coming and going.
 */
#ifndef POSREADERD_TRANSPORT_SIM_H
#define POSREADERD_TRANSPORT_SIM_H

struct manager;

/* Connect to a simulator socket and start probing the reader there. */
int sim_attach(struct manager *m, const char *path);

/*
 * Watch for the simulator socket at path (an inotify watch on its
 * directory): attached whenever it appears, now or later, like a
 * --sim-dir holding just that one name.
 */
int sim_watch_socket(struct manager *m, const char *path);

/*
 * Watch dir (inotify): every socket created in it is attached, now and
 * later. A reader goes away when its simulator closes the connection.
 */
int sim_watch_dir(struct manager *m, const char *dir);

/* Drop every pending connection attempt (shutdown). */
void sim_shutdown(struct manager *m);

#endif /* POSREADERD_TRANSPORT_SIM_H */
