/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AcquireChannel: a SOCK_SEQPACKET socket handed to the claim holder,
 * one command APDU per message in, one response per message out, so
 * APDU-heavy work skips the bus broker. A one-byte message out is an
 * error code (CHANNEL_ERR_*); a real response is at least two bytes.
 */
#ifndef POSREADERD_CHANNEL_H
#define POSREADERD_CHANNEL_H

#include <stdint.h>

struct reader;

/* Error codes sent as a one-byte message on the channel. */
enum channel_err {
	CHANNEL_ERR_INVALID = 1, /* message not a valid command APDU */
	CHANNEL_ERR_NO_CARD = 2,
	CHANNEL_ERR_NOT_POWERED = 3,
	CHANNEL_ERR_CARD_MUTE = 4,
	CHANNEL_ERR_TIMEOUT = 5,
	CHANNEL_ERR_DEVICE = 6, /* any other reader failure */
};

/*
 * Open a channel on r for slot (PRW_SLOT_*); returns the client's end in
 * *ret_fd (the caller sends and closes it). -EBUSY if one is open.
 */
int channel_open(struct reader *r, uint8_t slot, int *ret_fd);

/* Close r's channel, if any: the client sees end of file. */
void channel_close(struct reader *r);

#endif /* POSREADERD_CHANNEL_H */
