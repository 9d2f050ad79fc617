/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's control language: one text command per line, one reply
 * line "ok ..." or "error <reason>". Independent of any socket, so every
 * transport (Unix socket, USB gadget) drives its device the same way.
 * docs/simulator.md lists the commands.
 */
#ifndef POSREADER_SIM_CONTROL_H
#define POSREADER_SIM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "device.h"

/* Longest control line accepted, newline excluded. */
#define SIM_CTL_LINE_MAX  1024
/* Room for any reply line, newline excluded. */
#define SIM_CTL_REPLY_MAX 512

/* What the control language needs from the transport carrying the host. */
struct sim_host_ops {
	void *userdata;
	/* True while a host is connected. */
	bool (*connected)(void *userdata);
	/* Drop the host connection; -ENOTCONN when there is none. */
	int (*disconnect)(void *userdata);
	/* Stop the simulator once the reply is sent. */
	void (*quit)(void *userdata);
};

/*
 * Run one control line (without its newline) against dev. Writes the
 * reply, without newline, to reply (cap bytes). Returns 0 for "ok" or the
 * negative errno behind the "error".
 */
int sim_control_exec(struct sim_device *dev, const struct sim_host_ops *host,
		     const char *line, char *reply, size_t cap);

/*
 * Split line in place into at most max words: blanks separate words,
 * double quotes group blanks into a word, a backslash takes the next
 * character literally. Returns the word count or -EINVAL (unterminated
 * quote, too many words).
 */
int sim_control_split(char *line, char **argv, int max);

/*
 * Append word to out (cap bytes, NUL-terminated) so that
 * sim_control_split() gives it back unchanged. Returns 0 or -ENOSPC.
 */
int sim_control_quote(const char *word, char *out, size_t cap);

/* Help text listing every control command. */
extern const char sim_control_help[];

#endif /* POSREADER_SIM_CONTROL_H */
