/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the emulated PN532 tests (test-pn532-*.c) share: a scratch
 * directory, the emulator on a pseudo-terminal in it, and CHECK lines
 * ("ok: ..." or "FAIL (file:line): ...") counted in pn532_failures.
 *
 * usage of such a test: PROGRAM EMULATOR
 */
#ifndef POSREADER_TEST_PN532_H
#define POSREADER_TEST_PN532_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The whole test, emulator included, ends within this. */
#define PN532_TEST_TIMEOUT_S 30

extern int pn532_failures;

#define CHECK(cond, ...)                                              \
	do {                                                          \
		if (cond) {                                           \
			printf("ok: ");                               \
		} else {                                              \
			printf("FAIL (%s:%d): ", __FILE__, __LINE__); \
			pn532_failures++;                             \
		}                                                     \
		printf(__VA_ARGS__);                                  \
		putchar('\n');                                        \
	} while (0)

/* One emulator and its scratch directory (files "pty" and "ctl"). */
struct pn532_emu {
	char dir[64];
	char pty[128]; /* the emulator's pty slave */
	pid_t pid;
};

/*
 * Check the command line and that pseudo-terminals exist, and arm the
 * timeout: -1 to go on, else the exit status for main (2: usage, 77:
 * skip).
 */
int pn532_test_begin(int argc, char **argv);

/*
 * Make the scratch directory (mkdtemp template tmpl) and start emulator
 * with --quiet --path-file DIR/pty --control DIR/ctl and the NULL-ended
 * extra arguments. 0 once its pty is known; else -1, said on stderr,
 * with nothing left behind.
 */
int pn532_emu_start(struct pn532_emu *e, const char *emulator, const char *tmpl,
		    ...) __attribute__((sentinel));

/*
 * Check that the emulator is still running and exits cleanly on SIGTERM,
 * remove the scratch directory and print the count of failures; the
 * exit status for main.
 */
int pn532_test_end(struct pn532_emu *e, const char *prog);

#endif /* POSREADER_TEST_PN532_H */
