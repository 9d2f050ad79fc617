// SPDX-License-Identifier: GPL-2.0-or-later
/* The scratch directory and emulator of the emulated PN532 tests. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pn532-test.h"

/* Most extra arguments pn532_emu_start() passes on. */
#define EXTRA_ARGS_MAX 8

int pn532_failures;

/* Containers without devpts cannot run these tests at all: skip. */
static bool have_pty(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int pn532_test_begin(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s EMULATOR\n", argv[0]);
		return 2;
	}
	if (!have_pty()) {
		printf("SKIP: no pseudo-terminals here (posix_openpt)\n");
		return 77;
	}
	alarm(PN532_TEST_TIMEOUT_S);
	return -1;
}

/* Remove the scratch directory, even if the emulator died early. */
static void remove_dir(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/pty", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ctl", dir);
	unlink(path);
	rmdir(dir);
}

/* Wait until the emulator names its pty in path_file; 0, or -errno. */
static int wait_pty(struct pn532_emu *e, const char *path_file)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	FILE *f;
	int i;

	for (i = 0; i < 250; i++) {
		f = fopen(path_file, "re");
		if (f) {
			bool ok = fgets(e->pty, sizeof(e->pty), f) != NULL;

			fclose(f);
			if (ok) {
				e->pty[strcspn(e->pty, "\n")] = '\0';
				return 0;
			}
		}
		if (waitpid(e->pid, NULL, WNOHANG) == e->pid)
			return -ECHILD;
		nanosleep(&ts, NULL);
	}
	kill(e->pid, SIGTERM);
	waitpid(e->pid, NULL, 0);
	return -ETIMEDOUT;
}

int pn532_emu_start(struct pn532_emu *e, const char *emulator, const char *tmpl,
		    ...)
{
	char path_file[sizeof(e->dir) + 8], ctl[sizeof(e->dir) + 8];
	const char *argv[6 + EXTRA_ARGS_MAX + 1] = { 0 }, *arg;
	size_t n = 0;
	va_list ap;
	int ret;

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "%s", tmpl);
	if (!mkdtemp(e->dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(path_file, sizeof(path_file), "%s/pty", e->dir);
	snprintf(ctl, sizeof(ctl), "%s/ctl", e->dir);
	argv[n++] = emulator;
	argv[n++] = "--quiet";
	argv[n++] = "--path-file";
	argv[n++] = path_file;
	argv[n++] = "--control";
	argv[n++] = ctl;
	va_start(ap, tmpl);
	while ((arg = va_arg(ap, const char *)) && n < 6 + EXTRA_ARGS_MAX)
		argv[n++] = arg;
	va_end(ap);

	e->pid = fork();
	if (e->pid < 0) {
		ret = -errno;
	} else if (e->pid == 0) {
		/* A test that dies (alarm, crash) takes the emulator along. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execv(emulator, (char *const *)argv);
		perror("exec emulator");
		_exit(127);
	} else {
		ret = wait_pty(e, path_file);
	}
	if (ret < 0) {
		fprintf(stderr, "emulator did not start: %s\n", strerror(-ret));
		remove_dir(e->dir);
		return -1;
	}
	return 0;
}

int pn532_test_end(struct pn532_emu *e, const char *prog)
{
	int status = 0;

	CHECK(waitpid(e->pid, &status, WNOHANG) == 0, "emulator still running");
	kill(e->pid, SIGTERM);
	waitpid(e->pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "emulator exits cleanly on SIGTERM");
	remove_dir(e->dir);
	printf("%s: %d failure(s)\n", prog, pn532_failures);
	return pn532_failures ? 1 : 0;
}
