// SPDX-License-Identifier: GPL-2.0-or-later
/* Monotonic, reboot-aware time for lockouts. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

bool prclock_boot_id_valid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != PRCLOCK_BOOT_ID_LEN)
		return false;
	for (i = 0; i < PRCLOCK_BOOT_ID_LEN; i++) {
		char c = s[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' :
			   !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

static int read_boot_id_file(char ret[PRCLOCK_BOOT_ID_LEN + 1])
{
	char buf[PRCLOCK_BOOT_ID_LEN + 2];
	ssize_t n;
	int fd;

	fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < PRCLOCK_BOOT_ID_LEN)
		return n < 0 ? -errno : -EIO;
	buf[PRCLOCK_BOOT_ID_LEN] = '\0';
	if (!prclock_boot_id_valid(buf))
		return -EIO;
	memcpy(ret, buf, PRCLOCK_BOOT_ID_LEN + 1);
	return 0;
}

/*
 * The kernel makes one boot id per boot, so a running process needs to
 * read it only once; a failed read is not remembered and is tried again.
 */
static int read_real_boot_id(char ret[PRCLOCK_BOOT_ID_LEN + 1])
{
	static char boot_id[PRCLOCK_BOOT_ID_LEN + 1];
	int r;

	if (!boot_id[0]) {
		r = read_boot_id_file(boot_id);
		if (r < 0)
			return r;
	}
	memcpy(ret, boot_id, sizeof(boot_id));
	return 0;
}

static uint64_t read_clock_us(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

int prclock_read(const struct prclock *clock, struct prclock_now *ret_now)
{
	struct prclock_now now = { 0 };
	int r;

	if (clock && clock->boot_id)
		r = clock->boot_id(clock->userdata, now.boot_id);
	else
		r = read_real_boot_id(now.boot_id);
	if (r < 0)
		return r;
	if (!prclock_boot_id_valid(now.boot_id))
		return -EIO;

	if (clock && clock->boottime_us)
		now.boot_us = clock->boottime_us(clock->userdata);
	else
		now.boot_us = read_clock_us(CLOCK_BOOTTIME);

	if (clock && clock->realtime_us)
		now.wall_us = clock->realtime_us(clock->userdata);
	else
		now.wall_us = (int64_t)read_clock_us(CLOCK_REALTIME);

	*ret_now = now;
	return 0;
}

void prdeadline_start(struct prdeadline *d, const struct prclock_now *now,
		      uint64_t duration_us)
{
	memcpy(d->boot_id, now->boot_id, sizeof(d->boot_id));
	d->duration_us = duration_us;
	d->end_us = now->boot_us + duration_us;
}

uint64_t prdeadline_remaining(struct prdeadline *d,
			      const struct prclock_now *now, bool *ret_rebased)
{
	bool rebased = false;
	uint64_t start;

	if (strcmp(d->boot_id, now->boot_id) != 0) {
		/* Time spent before the reboot cannot be proven: restart. */
		prdeadline_start(d, now, d->duration_us);
		rebased = true;
	}
	if (ret_rebased)
		*ret_rebased = rebased;

	start = d->end_us >= d->duration_us ? d->end_us - d->duration_us : 0;
	if (now->boot_us < start)
		return d->duration_us;
	if (now->boot_us >= d->end_us)
		return 0;
	return d->end_us - now->boot_us;
}

uint64_t prclock_age(const struct prclock_now *now, const char *boot_id,
		     uint64_t boot_us)
{
	if (!boot_id || strcmp(boot_id, now->boot_id) != 0)
		return 0;
	if (now->boot_us < boot_us)
		return 0;
	return now->boot_us - boot_us;
}

int prduration_format(char *buf, size_t size, uint64_t usec)
{
	uint64_t secs = usec / USEC_PER_SEC + (usec % USEC_PER_SEC != 0);
	const uint64_t part[] = { secs / 3600, secs / 60 % 60, secs % 60 };
	static const char *const unit[] = { "h", "min", "s" };
	size_t len = 0;
	int n;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (size_t i = 0; i < 3; i++) {
		/* Zero parts are left out, except a lone "0 s". */
		if (part[i] == 0 && !(i == 2 && len == 0))
			continue;
		n = snprintf(buf + len, size - len, "%s%" PRIu64 " %s",
			     len ? " " : "", part[i], unit[i]);
		if (n < 0 || (size_t)n >= size - len) {
			buf[0] = '\0';
			return -ENOBUFS;
		}
		len += (size_t)n;
	}
	return (int)len;
}
