/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time for lockouts and rate limits. Decisions use CLOCK_BOOTTIME within
 * one boot, identified by the kernel's boot_id; the wall clock is only
 * shown to people, never trusted. docs/security.md has the rules.
 */
#ifndef POSREADER_CLOCK_H
#define POSREADER_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRCLOCK_BOOT_ID_LEN 36 /* 8-4-4-4-12 hex UUID text */

#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)

/*
 * Where time comes from. Every hook may be NULL for the real source;
 * tests set them to move the clocks and to simulate reboots.
 */
struct prclock {
	int (*boot_id)(void *userdata, char ret[PRCLOCK_BOOT_ID_LEN + 1]);
	uint64_t (*boottime_us)(void *userdata);
	int64_t (*realtime_us)(void *userdata);
	void *userdata;
};

/* One reading of all clocks. */
struct prclock_now {
	char boot_id[PRCLOCK_BOOT_ID_LEN + 1];
	uint64_t boot_us;
	int64_t wall_us;
};

/*
 * A span of time that must pass on this terminal: it ends at end_us on
 * the boot boot_id. duration_us is kept to restart it after a reboot.
 */
struct prdeadline {
	char boot_id[PRCLOCK_BOOT_ID_LEN + 1];
	uint64_t end_us;
	uint64_t duration_us;
};

/*
 * Read all clocks; negative errno if the boot id cannot be read. The
 * real boot id is read once per process: it cannot change while it runs.
 */
int prclock_read(const struct prclock *clock, struct prclock_now *ret_now);

/* Start a deadline duration_us from now. */
void prdeadline_start(struct prdeadline *d, const struct prclock_now *now,
		      uint64_t duration_us);

/*
 * Microseconds left until d ends. A deadline from another boot restarts
 * in full from now (d is rewritten and *ret_rebased set so the caller
 * persists it); a boottime before the start counts as no time passed.
 */
uint64_t prdeadline_remaining(struct prdeadline *d,
			      const struct prclock_now *now, bool *ret_rebased);

/*
 * Age of an event stamped (boot_id, boot_us). An event from another boot
 * counts as just happened (age 0): the conservative rule across reboots.
 */
uint64_t prclock_age(const struct prclock_now *now, const char *boot_id,
		     uint64_t boot_us);

/* Room for any prduration_format() text, its NUL included. */
#define PRDURATION_MAX 48

/*
 * Format a duration for people: "45 s", "4 min 30 s", "2 h 5 min", with
 * the zero parts left out and sub-second rests rounded up (so a lockout
 * that has not ended never reads "0 s"); "0 s" only for 0. Returns the
 * length, or -ENOBUFS if size is too small (buf then holds "").
 */
int prduration_format(char *buf, size_t size, uint64_t usec);

/* True if s looks like a boot id (36 chars of hex and dashes). */
bool prclock_boot_id_valid(const char *s);

#endif /* POSREADER_CLOCK_H */
