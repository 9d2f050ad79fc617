/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers for the security engine's unit tests: a scratch state
 * directory, a clock the test moves by hand (boot id, CLOCK_BOOTTIME
 * and the wall clock separately, to simulate jumps and reboots) and a
 * fixture holding both with a state database open in the directory.
 * Include after <cmocka.h>.
 */
#ifndef POSREADER_SEC_HELPERS_H
#define POSREADER_SEC_HELPERS_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "statedb.h"

struct fake_clock {
	struct prclock clock;
	char boot_id[PRCLOCK_BOOT_ID_LEN + 1];
	unsigned boot;
	uint64_t boot_us;
	int64_t wall_us;
};

static inline int fake_boot_id(void *ud, char ret[PRCLOCK_BOOT_ID_LEN + 1])
{
	struct fake_clock *f = ud;

	memcpy(ret, f->boot_id, PRCLOCK_BOOT_ID_LEN + 1);
	return 0;
}

static inline uint64_t fake_boottime(void *ud)
{
	return ((struct fake_clock *)ud)->boot_us;
}

static inline int64_t fake_realtime(void *ud)
{
	return ((struct fake_clock *)ud)->wall_us;
}

/* A new boot: fresh boot id, CLOCK_BOOTTIME back near zero. */
static inline void fake_reboot(struct fake_clock *f)
{
	f->boot++;
	snprintf(f->boot_id, sizeof(f->boot_id),
		 "00000000-0000-4000-8000-%012x", f->boot);
	f->boot_us = 7 * USEC_PER_SEC;
}

/* Both clocks advance together, as real time passing does. */
static inline void fake_advance(struct fake_clock *f, uint64_t us)
{
	f->boot_us += us;
	f->wall_us += (int64_t)us;
}

static inline void fake_clock_init(struct fake_clock *f)
{
	memset(f, 0, sizeof(*f));
	f->clock.boot_id = fake_boot_id;
	f->clock.boottime_us = fake_boottime;
	f->clock.realtime_us = fake_realtime;
	f->clock.userdata = f;
	fake_reboot(f);
	f->boot_us = 1000 * USEC_PER_SEC;
	f->wall_us = INT64_C(1750000000) * (int64_t)USEC_PER_SEC;
}

static inline int rm_one(const char *path, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	return remove(path);
}

/* A fresh scratch directory under $TMPDIR; free() the result. */
static inline char *scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (asprintf(&path, "%s/posreader-sec-XXXXXX", tmp ? tmp : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

/* Remove a scratch directory and everything in it, then free the path. */
static inline void scratch_remove(char *path)
{
	if (!path)
		return;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
}

/* Path of a file in dir; free() the result. */
static inline char *path_in(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

/* Copy a file byte for byte (to take and restore database snapshots). */
static inline int copy_file(const char *from, const char *to)
{
	char buf[8192];
	FILE *in, *out;
	size_t n;
	int r = 0;

	in = fopen(from, "rb");
	if (!in)
		return -1;
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			r = -1;
	fclose(in);
	if (fclose(out) != 0)
		r = -1;
	return r;
}

/* A fake clock, a scratch directory and a state database open in it. */
struct sec_db {
	struct fake_clock fc;
	char *dir;
	struct statedb *db;
};

/* Start the clock, make the scratch directory and open the database. */
static inline int sec_db_open(struct sec_db *s)
{
	fake_clock_init(&s->fc);
	s->dir = scratch_dir();
	if (!s->dir || statedb_open(s->dir, &s->db, NULL) < 0)
		return -1;
	return 0;
}

/* Close the database and remove the scratch directory. */
static inline void sec_db_close(struct sec_db *s)
{
	statedb_close(s->db);
	scratch_remove(s->dir);
}

/* cmocka setup: *state becomes a new struct sec_db, opened. */
static inline int sec_db_setup(void **state)
{
	struct sec_db *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	if (sec_db_open(s) < 0)
		return -1;
	*state = s;
	return 0;
}

/* cmocka teardown for sec_db_setup(). */
static inline int sec_db_teardown(void **state)
{
	struct sec_db *s = *state;

	sec_db_close(s);
	free(s);
	return 0;
}

/* The fake clock's current reading; fails the test if it cannot be read. */
static inline struct prclock_now fake_now(struct fake_clock *f)
{
	struct prclock_now n;

	assert_int_equal(prclock_read(&f->clock, &n), 0);
	return n;
}

#endif /* POSREADER_SEC_HELPERS_H */
