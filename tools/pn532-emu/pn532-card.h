/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The emulated ISO/IEC 14443-A card in front of the PN532: its identity
 * (UID, ATQA, SAK, ATS), whether it is in the field, its ISO 14443-4
 * block state, and a small scripted payment application behind it.
 *
 * The application answers SELECT PPSE, SELECT of its AID, GET
 * PROCESSING OPTIONS, READ RECORD and GET DATA from fixed data. It
 * deliberately carries no PAN, track or cardholder data, so nothing
 * sensitive can leak through frame traces.
 */
#ifndef PN532_CARD_H
#define PN532_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PN532_CARD_UID_MAX   10
#define PN532_CARD_ATS_MAX   20 /* ATS bytes after TL */
#define PN532_CARD_RAPDU_MAX 258

enum pn532_card_state {
	PN532_CARD_IDLE = 0, /* in the field, not selected */
	PN532_CARD_ACTIVE,   /* selected, ISO 14443-4 active */
	PN532_CARD_HALT,     /* deselected or halted */
};

struct pn532_card {
	bool present;
	uint8_t uid[PN532_CARD_UID_MAX];
	size_t uid_len;
	uint8_t atqa[2]; /* as the PN532 reports it: SENS_RES MSB first */
	uint8_t sak;
	uint8_t ats[PN532_CARD_ATS_MAX]; /* without the TL byte */
	size_t ats_len;
	/* After this many APDU exchanges the card leaves the field; < 0: never.
	 */
	int remove_after;

	enum pn532_card_state state;
	uint8_t block_nr;	/* ISO 14443-4 block number of the card */
	unsigned int exchanges; /* APDUs answered since the card came */
};

/* Give the card its default identity (4-byte UID, ISO 14443-4, present). */
void pn532_card_init(struct pn532_card *card);

/* True when the card speaks ISO 14443-4 (SAK bit 6). */
bool pn532_card_is_iso14443_4(const struct pn532_card *card);

/* Put the card into or out of the field; leaving it resets its state. */
void pn532_card_set_present(struct pn532_card *card, bool present);

/*
 * Parse hex (spaces and colons allowed) into buf; returns the number of
 * bytes or -EINVAL for odd digits or non-hex, -E2BIG above cap.
 */
int pn532_parse_hex(const char *s, uint8_t *buf, size_t cap);

/* Set the UID from hex: 4, 7 or 10 bytes; -EINVAL otherwise. */
int pn532_card_set_uid(struct pn532_card *card, const char *hex);
/* Set ATQA (2 bytes, as printed by nfc-list) from hex. */
int pn532_card_set_atqa(struct pn532_card *card, const char *hex);
/* Set SAK (1 byte) from hex. */
int pn532_card_set_sak(struct pn532_card *card, const char *hex);
/* Set the ATS (bytes after TL, as printed by nfc-list) or "none". */
int pn532_card_set_ats(struct pn532_card *card, const char *hex);

/*
 * Count one APDU exchange and report whether the card is still there to
 * answer it (false once remove_after exchanges were served).
 */
bool pn532_card_take_exchange(struct pn532_card *card);

/*
 * Answer one command APDU from the scripted application. Writes the
 * response APDU (data + SW1 SW2) to rsp; returns its length or -ENOSPC.
 */
int pn532_card_apdu(struct pn532_card *card, const uint8_t *apdu, size_t len,
		    uint8_t *rsp, size_t cap);

/*
 * Answer one raw ISO 14443-4 block (CRC already stripped by the chip).
 * Returns the response block length, 0 when the card stays silent, or
 * -ENOSPC.
 */
int pn532_card_block(struct pn532_card *card, const uint8_t *blk, size_t len,
		     uint8_t *rsp, size_t cap);

#endif /* PN532_CARD_H */
