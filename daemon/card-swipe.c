// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From a swipe event to the card facts applications may see. Every clear
 * buffer lives on this file's stack frames under a wiping cleanup
 * handler, so no return path leaves card data behind.
 */
#include <errno.h>
#include <string.h>

#include "card-swipe.h"
#include "util.h"

/* Characters of any one track, decoded, plus a terminator. */
#define TRACK_TEXT_SIZE (PRW_TRACK_MAX + 1)

static void track1_wipe(struct track1 *t)
{
	secure_zero(t, sizeof(*t));
}

static void track2_wipe(struct track2 *t)
{
	secure_zero(t, sizeof(*t));
}

static void text_wipe(char (*text)[TRACK_TEXT_SIZE])
{
	secure_zero(*text, sizeof(*text));
}

const char *card_track_state_name(enum card_track_state state)
{
	switch (state) {
	case CARD_TRACK_OK:
		return "ok";
	case CARD_TRACK_EMPTY:
		return "empty";
	case CARD_TRACK_UNREADABLE:
		return "unreadable";
	case CARD_TRACK_INVALID:
		return "invalid";
	}
	return "unknown";
}

static bool prw_track_well_formed(const struct prw_track *t)
{
	if (t->status > PRW_TRACK_ERROR || t->encoding > PRW_TRACK_RAW ||
	    t->len > PRW_TRACK_MAX)
		return false;
	/* The contract: a track that was not read carries no data. */
	return t->status == PRW_TRACK_OK || t->len == 0;
}

/*
 * The characters of a read track: the data itself when the reader sent
 * ASCII, or the raw stripe characters decoded into text.
 */
static int track_text(const struct prw_track *t, int track_no,
		      char (*text)[TRACK_TEXT_SIZE], const char **ret_s,
		      size_t *ret_n)
{
	size_t n;
	int r;

	if (t->encoding == PRW_TRACK_ASCII) {
		*ret_s = (const char *)t->data;
		*ret_n = t->len;
		return 0;
	}
	r = track_decode_raw(track_no, t->data, t->len, *text, sizeof(*text),
			     &n);
	if (r < 0)
		return r;
	*ret_s = *text;
	*ret_n = n;
	return 0;
}

/* Where a track's state comes from before its data is looked at. */
static enum card_track_state state_from_status(u8 status)
{
	switch (status) {
	case PRW_TRACK_OK:
		return CARD_TRACK_OK;
	case PRW_TRACK_EMPTY:
		return CARD_TRACK_EMPTY;
	default:
		return CARD_TRACK_UNREADABLE;
	}
}

static void track_fail(struct card_track_result *res, int err)
{
	res->state = CARD_TRACK_INVALID;
	res->error = err;
}

static void check_track1(const struct prw_track *t, struct track1 *ret_t1,
			 struct card_track_result *res)
{
	_cleanup_(text_wipe) char text[TRACK_TEXT_SIZE] = { 0 };
	const char *s;
	size_t n;
	int r;

	r = track_text(t, 1, &text, &s, &n);
	if (r >= 0)
		r = track1_parse(s, n, ret_t1);
	if (r >= 0 && !pan_is_maskable(ret_t1->pan))
		r = -TRACK_E_PAN_LENGTH;
	if (r < 0)
		track_fail(res, r);
}

static void check_track2(const struct prw_track *t, struct track2 *ret_t2,
			 struct card_track_result *res)
{
	_cleanup_(text_wipe) char text[TRACK_TEXT_SIZE] = { 0 };
	const char *s;
	size_t n;
	int r;

	r = track_text(t, 2, &text, &s, &n);
	if (r >= 0)
		r = track2_parse(s, n, ret_t2);
	if (r >= 0 && !pan_is_maskable(ret_t2->pan))
		r = -TRACK_E_PAN_LENGTH;
	if (r < 0)
		track_fail(res, r);
}

static void check_track3(const struct prw_track *t,
			 struct card_track_result *res)
{
	_cleanup_(text_wipe) char text[TRACK_TEXT_SIZE] = { 0 };
	const char *s;
	size_t n;
	int r;

	r = track_text(t, 3, &text, &s, &n);
	if (r >= 0)
		r = track3_check(s, n);
	if (r < 0)
		track_fail(res, r);
}

static bool tracks_agree(const struct track1 *t1, const struct track2 *t2)
{
	return strcmp(t1->pan, t2->pan) == 0 &&
	       strcmp(t1->expiry.yymm, t2->expiry.yymm) == 0 &&
	       strcmp(t1->service_code, t2->service_code) == 0;
}

/*
 * Check sw's shape, then each read track: fills res, and t1 / t2 with the
 * parsed clear tracks 1 and 2 for the caller to use and wipe.
 */
static int swipe_check(const struct prw_swipe *sw, struct track1 *t1,
		       struct track2 *t2, struct card_track_result *res)
{
	int i;

	if (!sw)
		return -EINVAL;
	for (i = 0; i < PRW_TRACKS; i++)
		if (!prw_track_well_formed(&sw->track[i]))
			return -EINVAL;

	for (i = 0; i < PRW_TRACKS; i++) {
		res[i].state = state_from_status(sw->track[i].status);
		res[i].error = 0;
	}
	if (res[0].state == CARD_TRACK_OK)
		check_track1(&sw->track[0], t1, &res[0]);
	if (res[1].state == CARD_TRACK_OK)
		check_track2(&sw->track[1], t2, &res[1]);
	if (res[2].state == CARD_TRACK_OK)
		check_track3(&sw->track[2], &res[2]);
	return 0;
}

int card_swipe_tracks(const struct prw_swipe *sw,
		      struct card_track_result ret[PRW_TRACKS])
{
	_cleanup_(track1_wipe) struct track1 t1 = { 0 };
	_cleanup_(track2_wipe) struct track2 t2 = { 0 };
	struct card_track_result res[PRW_TRACKS];
	int r;

	if (!ret)
		return -EINVAL;
	r = swipe_check(sw, &t1, &t2, res);
	if (r < 0)
		return r;
	memcpy(ret, res, sizeof(res));
	return 0;
}

int card_swipe_parse(const struct prw_swipe *sw, struct card_swipe_info *ret)
{
	_cleanup_(track1_wipe) struct track1 t1 = { 0 };
	_cleanup_(track2_wipe) struct track2 t2 = { 0 };
	struct card_swipe_info info = { 0 };
	const struct track_expiry *expiry;
	const char *pan, *service_code;
	bool t1_ok, t2_ok;
	int r;

	if (!ret)
		return -EINVAL;
	r = swipe_check(sw, &t1, &t2, info.track);
	if (r < 0)
		return r;

	t1_ok = info.track[0].state == CARD_TRACK_OK;
	t2_ok = info.track[1].state == CARD_TRACK_OK;
	if (!t1_ok && !t2_ok)
		return -ENODATA;
	if (t1_ok && t2_ok && !tracks_agree(&t1, &t2))
		return -EBADMSG;

	if (t2_ok) {
		info.pan_track = 2;
		pan = t2.pan;
		expiry = &t2.expiry;
		service_code = t2.service_code;
	} else {
		info.pan_track = 1;
		pan = t1.pan;
		expiry = &t1.expiry;
		service_code = t1.service_code;
	}
	/* Both cannot fail: the chosen PAN passed pan_is_maskable(). */
	if (pan_mask(pan, info.masked_pan, sizeof(info.masked_pan)) < 0 ||
	    pan_last4(pan, info.last4, sizeof(info.last4)) < 0)
		return -ENODATA;
	info.luhn_valid = pan_luhn_valid(pan);
	info.expiry = *expiry;
	memcpy(info.service_code, service_code, sizeof(info.service_code));
	if (t1_ok) {
		info.has_name = true;
		memcpy(info.name, t1.name, sizeof(info.name));
	}

	*ret = info;
	return 0;
}
