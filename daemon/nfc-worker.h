/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libnfc worker: a process per NFC device (the posreader-nfc-worker
 * program) that owns the libnfc handle and terminates the posreader wire
 * protocol locally. It reads command frames from a SOCK_SEQPACKET socket,
 * answers them with response frames, and reports tags coming and going as
 * NFC_PRESENT / NFC_GONE event frames. docs/nfc-readers.md explains why this is
 * a process.
 *
 * Besides wire frames (first byte PRW_MAGIC) the worker sends two private
 * messages the transport consumes itself:
 *   NFC_MSG_READY "name"        the device is open; its libnfc name
 *   NFC_MSG_LOG level "text"    a log line (level: a syslog digit)
 */
#ifndef POSREADERD_NFC_WORKER_H
#define POSREADERD_NFC_WORKER_H

#include <stdbool.h>

#define NFC_MSG_READY 'R'
#define NFC_MSG_LOG   'L'

/* The worker's end of the socket pair, in the worker program. */
#define NFC_WORKER_FD 3

/* libnfc's connection string size (NFC_BUFSIZE_CONNSTRING), with NUL. */
#define NFC_CONNSTRING_MAX 1024
/* Devices the lister reports at most, and how long it may take. */
#define NFC_LIST_MAX	   16
#define NFC_LIST_TIMEOUT_S 8

/* Exit codes of the worker, for the transport's log line. */
enum nfc_worker_exit {
	NFC_EXIT_CLOSED = 0,	/* the daemon closed the socket */
	NFC_EXIT_NO_DEVICE = 2, /* nfc_open() failed */
	NFC_EXIT_LOST = 3,	/* the device failed several times in a row */
	NFC_EXIT_HUNG = 4,	/* a libnfc call did not return in time */
	NFC_EXIT_SETUP = 5,	/* the process could not be set up */
	NFC_EXIT_EXEC = 6,	/* the worker program could not be run */
};

/*
 * Run the worker for connstring on socket fd; called by the worker
 * program's main(). quiet: the device was absent last time, so failing
 * to open it again is no news. Never returns: it ends the process with
 * an nfc_worker_exit code.
 */
void nfc_worker_main(int fd, const char *connstring, bool quiet)
	__attribute__((noreturn));

/*
 * The worker program's --list mode: print the connection string of every
 * device nfc_list_devices() finds, one per line, on stdout. Never
 * returns; exits 0 if the list was written.
 */
void nfc_worker_list(void) __attribute__((noreturn));

#endif /* POSREADERD_NFC_WORKER_H */
