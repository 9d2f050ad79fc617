/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small shared helpers for userspace: scope-bound ownership (_cleanup_),
 * array sizes, wiping of sensitive memory and a monotonic clock for
 * blocking loops. Header-only on purpose, so
 * every component can include it without a link dependency.
 */
#ifndef POSREADER_UTIL_H
#define POSREADER_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Run f(&var) when var goes out of scope. */
#define _cleanup_(f) __attribute__((cleanup(f)))

/* Number of elements of an array; fails to compile when given a pointer. */
#define ELEMENTSOF(x)                                                       \
	(sizeof(x) / sizeof((x)[0]) +                                       \
	 0 * sizeof(struct {                                                \
		 int not_an_array : 1 -                                     \
			 2 * __builtin_types_compatible_p(typeof(x),        \
							  typeof(&(x)[0])); \
	 }))

/* Overwrite n bytes at p in a way the compiler may not optimise away. */
static inline void secure_zero(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

/* free() the pointer stored at p; for _cleanup_free_. */
static inline void freep(void *p)
{
	free(*(void **)p);
}

/* Close the descriptor at fd if it is open, keeping errno intact. */
static inline void closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

/* CLOCK_MONOTONIC in milliseconds, for code that waits outside sd-event. */
static inline uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define _cleanup_free_	_cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

#endif /* POSREADER_UTIL_H */
