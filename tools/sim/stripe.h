/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Magnetic stripe writing for the simulator: the device side of
 * ISO/IEC 7811-2 (character sets, sentinels, odd parity, LRC).
 */
#ifndef POSREADER_SIM_STRIPE_H
#define POSREADER_SIM_STRIPE_H

#include <stddef.h>

#include <posreader/wire.h>

/* Characters a track holds with both sentinels but without the LRC. */
#define STRIPE_T1_CHARS_MAX 78
#define STRIPE_T2_CHARS_MAX 39
#define STRIPE_T3_CHARS_MAX 106

/*
 * Check text for track track_no (1..3) and add missing start/end
 * sentinels: writes NUL-terminated characters to out (cap bytes) and
 * their count to *ret_len. Returns 0, -EINVAL for a character the track
 * cannot hold (or a sentinel inside the data), -E2BIG when too long.
 */
int stripe_normalize(int track_no, const char *text, char *out, size_t cap,
		     size_t *ret_len);

/*
 * Encode n track characters (start through end sentinel) as raw stripe
 * characters with odd parity and append the LRC. Returns the raw length,
 * -EINVAL for a character outside the track's set, -ENOSPC if cap is
 * too small.
 */
int stripe_encode_raw(int track_no, const char *chars, size_t n, u8 *out,
		      size_t cap);

#endif /* POSREADER_SIM_STRIPE_H */
