// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-nfc-worker: the program posreaderd runs for each libnfc
 * device. It is a program of its own, not a fork of the daemon, so that
 * the code parsing what a commodity reader sends shares no memory with
 * the daemon's keys, and the daemon does not load libnfc at all.
 *
 *   posreader-nfc-worker [--quiet] CONNSTRING   drive one device
 *   posreader-nfc-worker --list                 list libnfc's devices
 *
 * The daemon passes the socket for a device as descriptor 3.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nfc-worker.h"

int main(int argc, char **argv)
{
	bool quiet = false;
	int i = 1;

	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		nfc_worker_list();
	if (i < argc && strcmp(argv[i], "--quiet") == 0) {
		quiet = true;
		i++;
	}
	if (i != argc - 1 || fcntl(NFC_WORKER_FD, F_GETFD) < 0) {
		fprintf(stderr,
			"usage: posreader-nfc-worker [--quiet] CONNSTRING\n"
			"       posreader-nfc-worker --list\n"
			"(run by posreaderd, with a device's socket as "
			"descriptor %d)\n",
			NFC_WORKER_FD);
		return NFC_EXIT_SETUP;
	}
	nfc_worker_main(NFC_WORKER_FD, argv[i], quiet);
}
