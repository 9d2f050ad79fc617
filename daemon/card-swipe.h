/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a magstripe swipe may tell an application: the masked PAN, expiry,
 * service code and cardholder name, and how each track read. No clear
 * PAN, track or discretionary data leaves card_swipe_parse().
 *
 * Which track wins: track 2 gives the PAN, expiry and service code when it
 * is valid, track 1 otherwise; the name comes from track 1. When both are
 * valid they must agree on PAN, expiry and service code, or the swipe is
 * rejected (a re-encoded or skimmed card, or a misread). Track 3 is only
 * checked and reported as a state.
 */
#ifndef POSREADER_CARD_SWIPE_H
#define POSREADER_CARD_SWIPE_H

#include <stdbool.h>

#include <posreader/wire.h>

#include "pan.h"
#include "track.h"

enum card_track_state {
	CARD_TRACK_OK = 0,     /* read and valid */
	CARD_TRACK_EMPTY,      /* the reader found nothing on this track */
	CARD_TRACK_UNREADABLE, /* the reader could not read this track */
	CARD_TRACK_INVALID,    /* read, but failed decoding or validation */
};

struct card_track_result {
	enum card_track_state state;
	int error; /* -TRACK_E_* when INVALID, otherwise 0 */
};

struct card_swipe_info {
	struct card_track_result track[PRW_TRACKS];
	int pan_track;			  /* 1 or 2: track the PAN came from */
	char masked_pan[PAN_MASKED_SIZE]; /* first 6, '*', last 4 */
	char last4[PAN_LAST4_SIZE];
	bool luhn_valid; /* the PAN's check digit is right */
	struct track_expiry expiry;
	char service_code[TRACK_SERVICE_CODE_LEN + 1];
	bool has_name;			/* track 1 was valid */
	char name[TRACK1_NAME_MAX + 1]; /* trimmed; may be empty */
};

/* Name of a track state: "ok", "empty", "unreadable", "invalid". */
const char *card_track_state_name(enum card_track_state state);

/*
 * Turn a decoded swipe event into what applications may see. Tracks in
 * PRW_TRACK_RAW encoding are decoded and checked (parity, sentinels, LRC)
 * first. Returns 0 and fills *ret; -EINVAL if sw is malformed (unknown
 * status or encoding, data on a track that was not read, length beyond
 * PRW_TRACK_MAX); -ENODATA if neither track 1 nor track 2 yields a usable
 * PAN (13..19 digits); -EBADMSG if tracks 1 and 2 are both valid and
 * disagree. *ret is untouched on failure; all clear card data copied on
 * the way is wiped before returning on every path.
 */
int card_swipe_parse(const struct prw_swipe *sw, struct card_swipe_info *ret);

/*
 * How each track of sw read, as card_swipe_parse() sees it, without any
 * card data: for reporting a swipe that card_swipe_parse() refused.
 * Returns 0 and fills ret, or -EINVAL if sw is malformed.
 */
int card_swipe_tracks(const struct prw_swipe *sw,
		      struct card_track_result ret[PRW_TRACKS]);

#endif /* POSREADER_CARD_SWIPE_H */
