/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Claims: one client at a time gets a reader's card functions. A claim is
 * tied to the caller's unique bus name through sd_bus_track, so it ends
 * when that client leaves the bus, crashes included.
 */
#ifndef POSREADERD_CLAIM_H
#define POSREADERD_CLAIM_H

#include <systemd/sd-bus.h>

struct reader;

/* Claim r for the sender of m; AlreadyClaimed if another client has it. */
int claim_take(struct reader *r, sd_bus_message *m, sd_bus_error *error);

/* Release the sender's claim on r; NotClaimed if it does not hold it. */
int claim_release(struct reader *r, sd_bus_message *m, sd_bus_error *error);

/* 0 if the sender of m holds the claim on r, else NotClaimed. */
int claim_check(struct reader *r, sd_bus_message *m, sd_bus_error *error);

/*
 * End the claim whoever holds it: cancel its waits, close its channel,
 * power the card off and announce ClaimedBy "". why goes to the log.
 */
void claim_end(struct reader *r, const char *why);

#endif /* POSREADERD_CLAIM_H */
