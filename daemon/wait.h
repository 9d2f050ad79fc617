/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WaitForCard: pending calls waiting for a swipe, an inserted ICC or an
 * NFC tag, each with its own timeout.
 */
#ifndef POSREADERD_WAIT_H
#define POSREADERD_WAIT_H

#include <stdint.h>

#include <systemd/sd-bus.h>

struct reader;

/* Card kinds, as bits; the names are "magstripe", "icc" and "nfc". */
#define CARD_KIND_MAGSTRIPE 0x01
#define CARD_KIND_ICC	    0x02
#define CARD_KIND_NFC	    0x04

/* Longest wait a client may ask for, in milliseconds. */
#define WAIT_MAX_MS (10 * 60 * 1000)

/* The bit for a kind name, or 0 if the name is unknown. */
unsigned int card_kind_from_string(const char *s);

/* The name of one kind bit. */
const char *card_kind_to_string(unsigned int kind);

/*
 * Start a wait for m (WaitForCard): replies when a card of one of kinds
 * comes, or with Timeout after timeout_ms. A card already present
 * (ICC, NFC) answers at once.
 */
int wait_start(struct reader *r, sd_bus_message *m, unsigned int kinds,
	       uint32_t timeout_ms, sd_bus_error *error);

/*
 * A card of kind arrived: answer every wait that asked for it. fill
 * appends the card dictionary (a{sv}) to a reply.
 */
void wait_card_arrived(struct reader *r, unsigned int kind,
		       int (*fill)(sd_bus_message *reply, void *data),
		       void *data);

/* Fail every wait on r with err (-ECANCELED, -ENODEV, -EACCES ...). */
void wait_fail_all(struct reader *r, int err);

#endif /* POSREADERD_WAIT_H */
