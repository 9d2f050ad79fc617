/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Magnetic stripe tracks: decoding of raw stripe characters (ISO/IEC
 * 7811-2) and parsing of the financial card formats (ISO/IEC 7813).
 *
 * Record lengths follow ISO/IEC 7811-2 / 7813: a track holds at most 79
 * (track 1), 40 (track 2) or 107 (track 3) characters counting the start
 * sentinel, the end sentinel and the LRC. Decoded character strings carry
 * the sentinels but not the LRC, so they are one character shorter than
 * that (TRACK*_CHARS_MAX).
 *
 * The parsed structures hold clear card data (PAN, discretionary data):
 * whoever fills one wipes it with secure_zero() when done.
 *
 * Functions return >= 0 on success or -TRACK_E_* on failure; output
 * parameters are untouched on failure.
 */
#ifndef POSREADER_TRACK_H
#define POSREADER_TRACK_H

#include <stdbool.h>
#include <stddef.h>

#include <posreader/wire.h>

#define TRACK1_RECORD_MAX 79
#define TRACK2_RECORD_MAX 40
#define TRACK3_RECORD_MAX 107
/* Decoded characters, sentinels included, LRC excluded. */
#define TRACK1_CHARS_MAX  (TRACK1_RECORD_MAX - 1)
#define TRACK2_CHARS_MAX  (TRACK2_RECORD_MAX - 1)
#define TRACK3_CHARS_MAX  (TRACK3_RECORD_MAX - 1)

#define TRACK1_START	   '%'
#define TRACK1_SEPARATOR   '^'
#define TRACK1_FORMAT_CODE 'B'
#define TRACK2_START	   ';'
#define TRACK2_SEPARATOR   '='
#define TRACK3_START	   ';'
#define TRACK_END	   '?'

#define TRACK_PAN_MAX	       19
#define TRACK1_NAME_MIN	       2
#define TRACK1_NAME_MAX	       26
#define TRACK_EXPIRY_LEN       4
#define TRACK_SERVICE_CODE_LEN 3

enum track_error {
	TRACK_OK = 0,
	TRACK_E_INVAL,	       /* bad argument (track number, NULL pointer) */
	TRACK_E_EMPTY,	       /* no characters at all */
	TRACK_E_TOO_LONG,      /* longer than the track's record length */
	TRACK_E_NOSPACE,       /* output buffer too small */
	TRACK_E_BITS,	       /* raw byte has bits beyond the character */
	TRACK_E_PARITY,	       /* a character fails its odd parity */
	TRACK_E_START,	       /* missing or wrong start sentinel */
	TRACK_E_END,	       /* missing end sentinel */
	TRACK_E_NO_LRC,	       /* end sentinel not followed by the LRC */
	TRACK_E_LRC,	       /* LRC does not match the characters */
	TRACK_E_TRAILING,      /* characters after the LRC */
	TRACK_E_CHARSET,       /* character not allowed on this track */
	TRACK_E_FORMAT_CODE,   /* track 1 format code is not 'B' */
	TRACK_E_SEPARATOR,     /* a field separator is missing */
	TRACK_E_PAN_LENGTH,    /* PAN length: 1..19 here, 13..19 to show */
	TRACK_E_PAN_DIGITS,    /* PAN has a character that is not a digit */
	TRACK_E_NAME_LENGTH,   /* name not 2..26 characters */
	TRACK_E_NAME_CHARSET,  /* name has a character not allowed in names */
	TRACK_E_EXPIRY,	       /* expiry date missing or not 4 digits */
	TRACK_E_EXPIRY_MONTH,  /* expiry month not 01..12 */
	TRACK_E_SERVICE_CODE,  /* service code missing or not 3 digits */
	TRACK_E_DISCRETIONARY, /* bad character in discretionary data */
	TRACK_E_COUNT
};

/*
 * Expiry date as encoded: "YYMM". ISO/IEC 7813 gives the year as two
 * digits and the card is valid through the last day of month MM; the
 * stripe carries no century, so year is taken as 2000 + YY.
 */
struct track_expiry {
	char yymm[TRACK_EXPIRY_LEN + 1];
	unsigned int year;  /* 2000..2099 */
	unsigned int month; /* 1..12 */
};

/* ISO/IEC 7813 track 1, format code B. */
struct track1 {
	char pan[TRACK_PAN_MAX + 1];
	/* Leading and trailing spaces removed; may be empty (" /" cards). */
	char name[TRACK1_NAME_MAX + 1];
	struct track_expiry expiry;
	char service_code[TRACK_SERVICE_CODE_LEN + 1];
	char discretionary[TRACK1_CHARS_MAX + 1];
};

/* ISO/IEC 7813 track 2. */
struct track2 {
	char pan[TRACK_PAN_MAX + 1];
	struct track_expiry expiry;
	char service_code[TRACK_SERVICE_CODE_LEN + 1];
	char discretionary[TRACK2_CHARS_MAX + 1];
};

/*
 * True if a card with expiry e is expired in month month (1..12) of year
 * year: the card is good through the end of its expiry month.
 */
bool track_expiry_passed(const struct track_expiry *e, unsigned int year,
			 unsigned int month);

/* A short English description of a -TRACK_E_* code (or of TRACK_OK). */
const char *track_strerror(int err);

/* Most decoded characters track track_no (1..3) can hold, or 0. */
size_t track_chars_max(int track_no);

/*
 * Decode n raw stripe characters of track track_no (1..3), from the start
 * sentinel through the LRC (see PRW_TRACK_RAW in posreader/wire.h).
 * Track 1 characters are 6 data bits plus odd parity in bit 6, offset
 * 0x20; tracks 2 and 3 are 4 data bits plus odd parity in bit 4, offset
 * 0x30. Checks every character's parity, both sentinels and the LRC (XOR
 * of the data bits from start to end sentinel, with its own odd parity).
 * Writes the characters, sentinels included and LRC excluded, plus a NUL
 * to ret_chars (cap bytes) and their count to *ret_len (may be NULL).
 * Returns 0 or -TRACK_E_*; nothing is written on failure.
 */
int track_decode_raw(int track_no, const u8 *raw, size_t n, char *ret_chars,
		     size_t cap, size_t *ret_len);

/*
 * Encode n track characters (start through end sentinel) of track
 * track_no as raw stripe characters with parity, appending the LRC: the
 * inverse of track_decode_raw(). Returns the number of raw bytes written
 * or -TRACK_E_*; nothing is written on failure.
 */
int track_encode_raw(int track_no, const char *chars, size_t n, u8 *ret_raw,
		     size_t cap);

/*
 * Parse n characters of an ISO/IEC 7813 track 1 (format B), start and
 * end sentinel included: %B<PAN>^<NAME>^<YYMM><SVC><discretionary>?
 * Returns 0 and fills *ret, or -TRACK_E_*.
 */
int track1_parse(const char *s, size_t n, struct track1 *ret);

/*
 * Parse n characters of an ISO/IEC 7813 track 2, start and end sentinel
 * included: ;<PAN>=<YYMM><SVC><discretionary>?
 * Returns 0 and fills *ret, or -TRACK_E_*.
 */
int track2_parse(const char *s, size_t n, struct track2 *ret);

/*
 * Check n characters of a track 3 (ISO/IEC 4909 numeric character set)
 * for sentinels, character set and length, without splitting fields.
 * Returns 0 or -TRACK_E_*.
 */
int track3_check(const char *s, size_t n);

#endif /* POSREADER_TRACK_H */
