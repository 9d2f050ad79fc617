// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for magstripe card data. Every input is tried as raw
 * stripe characters of each track, as the text of each track, as a SWIPE
 * event payload and as a PAN. Whatever is accepted must satisfy the
 * formats' rules; raw decoding must invert exactly; and what
 * card_swipe_parse() hands to applications must never hold the clear PAN.
 * A violation aborts, which the fuzzer reports. Nothing is printed: the
 * inputs are card-shaped.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <posreader/wire.h>

#include "card-swipe.h"
#include "pan.h"
#include "track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool is_track_error(int r)
{
	return r < 0 && r > -TRACK_E_COUNT;
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_expiry(const struct track_expiry *e)
{
	check(strlen(e->yymm) == TRACK_EXPIRY_LEN &&
	      digits(e->yymm, TRACK_EXPIRY_LEN));
	check(e->month >= 1 && e->month <= 12);
	check(e->year >= 2000 && e->year <= 2099);
	check(e->year % 100 ==
	      (unsigned int)((e->yymm[0] - '0') * 10 + (e->yymm[1] - '0')));
}

static void check_service_code(const char *svc)
{
	check(strlen(svc) == TRACK_SERVICE_CODE_LEN &&
	      digits(svc, TRACK_SERVICE_CODE_LEN));
}

static void check_pan_field(const char *pan)
{
	size_t n = strlen(pan);

	check(n >= 1 && n <= TRACK_PAN_MAX && digits(pan, n));
}

static void fuzz_track1(const char *s, size_t n)
{
	struct track1 t;
	size_t len;
	int r;

	r = track1_parse(s, n, &t);
	if (r < 0) {
		check(is_track_error(r));
		return;
	}
	check(n <= TRACK1_CHARS_MAX);
	check_pan_field(t.pan);
	len = strlen(t.name);
	check(len <= TRACK1_NAME_MAX);
	check(len == 0 || (t.name[0] != ' ' && t.name[len - 1] != ' '));
	check_expiry(&t.expiry);
	check_service_code(t.service_code);
	check(strlen(t.discretionary) < n);
	explicit_bzero(&t, sizeof(t));
}

static void fuzz_track2(const char *s, size_t n)
{
	char again[TRACK2_CHARS_MAX + 1];
	struct track2 t;
	int r, len;

	r = track2_parse(s, n, &t);
	if (r < 0) {
		check(is_track_error(r));
		return;
	}
	check_pan_field(t.pan);
	check_expiry(&t.expiry);
	check_service_code(t.service_code);
	check(digits(t.discretionary, strlen(t.discretionary)));
	/* Track 2 fields are the whole track: they must add up to it. */
	len = snprintf(again, sizeof(again), ";%s=%s%s%s?", t.pan,
		       t.expiry.yymm, t.service_code, t.discretionary);
	check(len >= 0 && (size_t)len == n && memcmp(again, s, n) == 0);
	explicit_bzero(again, sizeof(again));
	explicit_bzero(&t, sizeof(t));
}

static void fuzz_raw(int track_no, const uint8_t *data, size_t size)
{
	static const char start[] = { 0, TRACK1_START, TRACK2_START,
				      TRACK3_START };
	char text[TRACK3_CHARS_MAX + 1];
	uint8_t raw[TRACK3_RECORD_MAX];
	size_t len = 0;
	int r;

	r = track_decode_raw(track_no, data, size, text, sizeof(text), &len);
	if (r < 0) {
		check(is_track_error(r));
		return;
	}
	check(len >= 2 && len <= track_chars_max(track_no));
	check(text[len] == '\0' && strlen(text) == len);
	check(text[0] == start[track_no] && text[len - 1] == TRACK_END);

	/* Encoding the text again gives back the very same bytes. */
	r = track_encode_raw(track_no, text, len, raw, sizeof(raw));
	check(r >= 0 && (size_t)r == size && memcmp(raw, data, size) == 0);

	if (track_no == 1) {
		fuzz_track1(text, len);
	} else if (track_no == 2) {
		fuzz_track2(text, len);
	} else {
		r = track3_check(text, len);
		check(r == 0 || is_track_error(r));
	}
	explicit_bzero(text, sizeof(text));
	explicit_bzero(raw, sizeof(raw));
}

static void check_masked(const char *masked, const char *last4)
{
	size_t n = strlen(masked), i;

	check(n >= PAN_MASKABLE_MIN && n <= PAN_MASKABLE_MAX);
	check(digits(masked, PAN_SHOW_FIRST));
	for (i = PAN_SHOW_FIRST; i < n - PAN_SHOW_LAST; i++)
		check(masked[i] == '*');
	check(digits(masked + n - PAN_SHOW_LAST, PAN_SHOW_LAST));
	check(strcmp(masked + n - PAN_SHOW_LAST, last4) == 0);
}

/* The clear PAN of the track card_swipe_parse() took it from. */
static void clear_pan(const struct prw_swipe *sw, int track_no,
		      char ret[TRACK_PAN_MAX + 1])
{
	const struct prw_track *t = &sw->track[track_no - 1];
	char text[PRW_TRACK_MAX + 1];
	const char *s = (const char *)t->data;
	size_t n = t->len;
	struct track1 t1;
	struct track2 t2;

	if (t->encoding == PRW_TRACK_RAW) {
		check(track_decode_raw(track_no, t->data, t->len, text,
				       sizeof(text), &n) == 0);
		s = text;
	}
	if (track_no == 1) {
		check(track1_parse(s, n, &t1) == 0);
		memcpy(ret, t1.pan, sizeof(t1.pan));
	} else {
		check(track2_parse(s, n, &t2) == 0);
		memcpy(ret, t2.pan, sizeof(t2.pan));
	}
	explicit_bzero(text, sizeof(text));
	explicit_bzero(&t1, sizeof(t1));
	explicit_bzero(&t2, sizeof(t2));
}

static void fuzz_swipe(const uint8_t *data, size_t size)
{
	struct card_track_result res[PRW_TRACKS];
	struct card_swipe_info info, shown;
	char pan[TRACK_PAN_MAX + 1];
	struct prw_swipe sw;
	int r, i;

	if (prw_swipe_decode(data, size, &sw) < 0)
		return;
	/* The wire decoder already refused malformed swipes. */
	check(card_swipe_tracks(&sw, res) == 0);
	r = card_swipe_parse(&sw, &info);
	check(r == 0 || r == -ENODATA || r == -EBADMSG);
	if (r < 0)
		goto out;
	check(memcmp(res, info.track, sizeof(res)) == 0);

	for (i = 0; i < PRW_TRACKS; i++) {
		check(info.track[i].state <= CARD_TRACK_INVALID);
		check((info.track[i].state == CARD_TRACK_INVALID) ==
		      (info.track[i].error != 0));
		check(info.track[i].error == 0 ||
		      is_track_error(info.track[i].error));
	}
	check(info.pan_track == 1 || info.pan_track == 2);
	check(info.track[info.pan_track - 1].state == CARD_TRACK_OK);
	/* Track 2 wins when it is valid. */
	check(info.pan_track == 2 || info.track[1].state != CARD_TRACK_OK);
	check(info.has_name == (info.track[0].state == CARD_TRACK_OK));
	check_masked(info.masked_pan, info.last4);
	check_expiry(&info.expiry);
	check_service_code(info.service_code);

	clear_pan(&sw, info.pan_track, pan);
	check(strncmp(info.masked_pan, pan, PAN_SHOW_FIRST) == 0);
	check(strlen(info.masked_pan) == strlen(pan));
	check(info.luhn_valid == pan_luhn_valid(pan));
	/* The name is the card's own text and may hold any digits. */
	shown = info;
	memset(shown.name, 0, sizeof(shown.name));
	check(!memmem(&shown, sizeof(shown), pan, strlen(pan)));
	explicit_bzero(pan, sizeof(pan));
out:
	explicit_bzero(&sw, sizeof(sw));
}

static void fuzz_pan(const uint8_t *data, size_t size)
{
	char pan[32], masked[PAN_MASKED_SIZE], last4[PAN_LAST4_SIZE];
	int r;

	if (size >= sizeof(pan))
		return;
	memcpy(pan, data, size);
	pan[size] = '\0';

	(void)pan_luhn_valid(pan);
	r = pan_mask(pan, masked, sizeof(masked));
	if (pan_is_maskable(pan)) {
		check(r == (int)strlen(pan));
		check(pan_last4(pan, last4, sizeof(last4)) == PAN_SHOW_LAST);
		check_masked(masked, last4);
	} else {
		check(r == -EINVAL);
		check(!pan_luhn_valid(pan) || strlen(pan) < PAN_MASKABLE_MIN);
	}
	explicit_bzero(pan, sizeof(pan));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int t, r;

	for (t = 1; t <= PRW_TRACKS; t++)
		fuzz_raw(t, data, size);
	fuzz_track1((const char *)data, size);
	fuzz_track2((const char *)data, size);
	r = track3_check((const char *)data, size);
	check(r == 0 || is_track_error(r));
	fuzz_swipe(data, size);
	fuzz_pan(data, size);
	return 0;
}
