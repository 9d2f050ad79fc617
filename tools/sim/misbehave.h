/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Broken frames on purpose: how the simulator's misbehaviour modes turn a
 * valid response into what a hostile reader would send. Pure functions on
 * buffers; device.c decides when to use them.
 */
#ifndef POSREADER_SIM_MISBEHAVE_H
#define POSREADER_SIM_MISBEHAVE_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"

/* Next byte of an xorshift64 stream (junk, not secrets); *rng != 0. */
u8 mb_rand8(uint64_t *rng);

/* Junk frame number i of a flood into buf (at least 64 bytes): error
 * events with a broken CRC and random bytes, alternately. Returns its
 * length. */
size_t mb_flood_frame(uint64_t *rng, unsigned int i, u8 event_seq, u8 *buf);

/*
 * Rewrite the valid response frame (len bytes) as mode asks, into out
 * (SIM_OUT_MAX bytes). For SIM_MB_WRONG_TYPE the caller passes the
 * replacement frame as other (other_len bytes). Returns the length to
 * send; 0 means send nothing.
 */
size_t mb_rewrite(enum sim_misbehave mode, uint64_t *rng, const u8 *frame,
		  size_t len, const u8 *other, size_t other_len, u8 *out);

#endif /* POSREADER_SIM_MISBEHAVE_H */
