/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's scripted card application: a small EMV-like card that
 * answers command APDUs (ISO/IEC 7816-4) for the contact slot and, over
 * ISO 14443-4, for the contactless field.
 *
 * Commands: SELECT by name (PSE on contact, PPSE on contactless, the
 * payment AID on both), READ RECORD, GET DATA (9F17 PIN try counter,
 * 9F36 ATC), VERIFY (plaintext PIN block, format 2, with a try counter)
 * and ECHO (CLA 80 INS EE: Le bytes of the pattern i & 0xff). Short and
 * extended APDUs are accepted.
 */
#ifndef POSREADER_SIM_CARD_APP_H
#define POSREADER_SIM_CARD_APP_H

#include <stdbool.h>
#include <stddef.h>

#include <posreader/wire.h>

struct card_app;

enum card_iface {
	CARD_IFACE_CONTACT,
	CARD_IFACE_CONTACTLESS,
};

#define CARD_PIN_MIN	   4
#define CARD_PIN_MAX	   12
#define CARD_PIN_TRIES_MAX 15

/* ISO/IEC 7816-4 status words the application answers with. */
#define SW_OK		    0x9000
#define SW_WRONG_LENGTH	    0x6700
#define SW_PIN_BLOCKED	    0x6983
#define SW_CONDITIONS	    0x6985
#define SW_WRONG_DATA	    0x6a80
#define SW_NOT_FOUND	    0x6a82
#define SW_RECORD_NOT_FOUND 0x6a83
#define SW_WRONG_P1P2	    0x6a86
#define SW_DATA_NOT_FOUND   0x6a88
#define SW_INS_UNKNOWN	    0x6d00
#define SW_CLA_UNKNOWN	    0x6e00
#define SW_PIN_TRIES(x)	    (0x63c0 | ((x)&0x0f))
#define SW_WRONG_LE(x)	    (0x6c00 | ((x)&0xff))

/* A parsed command APDU; data points into the buffer parsed. */
struct capdu {
	u8 cla, ins, p1, p2;
	const u8 *data;
	size_t lc;
	size_t le; /* expected length; 256 or 65536 for a zero Le */
	bool has_le;
	bool extended;
};

/* Parse an ISO/IEC 7816-4 command APDU (cases 1, 2, 3, 4, short or
 * extended). Returns 0 or -EINVAL for an inconsistent length. */
int capdu_parse(const u8 *buf, size_t n, struct capdu *ret);

/* Create the card application for one interface, with the test card's
 * PIN and try counter. */
int card_app_new(enum card_iface iface, struct card_app **ret);

/* Free the application (NULL is fine), wiping its PIN. */
void card_app_free(struct card_app *app);

/* Power cycle / deselect: forget the selected application. */
void card_app_reset(struct card_app *app);

/*
 * Answer one command APDU: writes the response APDU (data + SW1 SW2) to
 * rsp (cap >= 2 bytes) and its length to *ret_len. Returns 0, or -EINVAL
 * if cap is too small for even a status word.
 */
int card_app_process(struct card_app *app, const u8 *cmd, size_t n, u8 *rsp,
		     size_t cap, size_t *ret_len);

/* Set the PIN (4..12 ASCII digits); -EINVAL otherwise. */
int card_app_set_pin(struct card_app *app, const char *digits);

/* Set the remaining PIN tries (0..15); a right PIN restores
 * max(tries, TESTCARD_PIN_TRIES). */
int card_app_set_pin_tries(struct card_app *app, unsigned int tries);

/* Remaining PIN tries. */
unsigned int card_app_pin_tries(const struct card_app *app);

#endif /* POSREADER_SIM_CARD_APP_H */
