// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-bad-gadget: a FunctionFS function that claims the posreader
 * interface class but has the wrong endpoints (bulk where the interrupt
 * endpoint belongs). posreader.ko must refuse to bind it. Runs until
 * SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gadget.h"

int main(int argc, char **argv)
{
	struct sim_gadget *g;
	sigset_t mask;
	int sig, r;

	if (argc != 2) {
		fprintf(stderr, "usage: posreader-bad-gadget FFS_DIR\n");
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	r = sim_gadget_new(NULL, argv[1], SIM_GADGET_NO_EVENTS, &g);
	if (r < 0) {
		fprintf(stderr, "posreader-bad-gadget: %s\n", strerror(-r));
		return 1;
	}
	sigwait(&mask, &sig);
	sim_gadget_free(g);
	return 0;
}
