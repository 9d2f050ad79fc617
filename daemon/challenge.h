/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Single-use challenges for acquirer tokens. Only the newest challenge is
 * valid; it lives CHALLENGE_LIFETIME_US of monotonic time in the boot it
 * was made in, and is marked used when a token carrying it is applied.
 */
#ifndef POSREADER_CHALLENGE_H
#define POSREADER_CHALLENGE_H

#include <stdint.h>

#include "clock.h"
#include "statedb.h"

#define CHALLENGE_LEN	      32
#define CHALLENGE_LIFETIME_US (15 * USEC_PER_MIN)

/* Make a fresh challenge, superseding older ones (inside a transaction). */
int challenge_new(struct statedb *db, const struct prclock_now *now,
		  uint8_t ret_challenge[CHALLENGE_LEN]);

/*
 * Check that c is the current, unused, fresh challenge: 0, -EALREADY if
 * it was used, -ESTALE if unknown, superseded or too old.
 */
int challenge_check(struct statedb *db, const struct prclock_now *now,
		    const uint8_t c[CHALLENGE_LEN]);

/* Mark c used (inside a transaction, after challenge_check()). */
int challenge_use(struct statedb *db, const uint8_t c[CHALLENGE_LEN]);

#endif /* POSREADER_CHALLENGE_H */
