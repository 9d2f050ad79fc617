/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scripted misbehaviour: how the emulated chip answers the next command
 * (or the next command with a given code) wrongly.
 *
 *   bad-lcs     ACK, then an answer whose length checksum is wrong
 *   bad-dcs     ACK, then an answer whose data checksum is wrong
 *   truncated   ACK, then only the first half of the answer
 *   silence     neither ACK nor answer
 *   mute        ACK, but no answer
 *   nack-storm  a burst of NACK frames instead of the ACK, no answer
 *   error-frame ACK, then the application-level error frame
 *
 * A spec is MODE[:CMD[:COUNT]]: CMD is the command code in hex or "any";
 * COUNT is how many matching commands to spoil (default 1, 0 = until
 * switched off). "off" clears it.
 */
#ifndef PN532_FAULT_H
#define PN532_FAULT_H

#include <stdint.h>

enum pn532_fault_mode {
	PN532_FAULT_NONE = 0,
	PN532_FAULT_BAD_LCS,
	PN532_FAULT_BAD_DCS,
	PN532_FAULT_TRUNCATED,
	PN532_FAULT_SILENCE,
	PN532_FAULT_MUTE,
	PN532_FAULT_NACK_STORM,
	PN532_FAULT_ERROR_FRAME,
};

struct pn532_fault {
	enum pn532_fault_mode mode;
	int cmd;	    /* command code to hit, or -1 for any */
	unsigned int count; /* commands left to spoil; 0 = no limit */
};

/* Parse MODE[:CMD[:COUNT]] (or "off") into *ret; -EINVAL if malformed. */
int pn532_fault_parse(const char *spec, struct pn532_fault *ret);

/* The mode's name as used in specs ("bad-dcs"). */
const char *pn532_fault_name(enum pn532_fault_mode mode);

/* The mode to apply to a command with this code, using up one count. */
enum pn532_fault_mode pn532_fault_take(struct pn532_fault *f, uint8_t cmd);

#endif /* PN532_FAULT_H */
