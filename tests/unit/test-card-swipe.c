// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From swipe events to what applications see. Swipes are built the way
 * a reader sends them (ASCII or raw stripe characters per track), and
 * the result is checked the way an application would look at it,
 * including that no clear PAN or discretionary data ever reaches it.
 *
 * explicit_bzero() is wrapped (-Wl,--wrap=..., with its _FORTIFY_SOURCE
 * variant) to check that the parser's clear copies of each track are
 * wiped on every path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "card-swipe.h"

/* Public test card numbers; assertions name them, never spell them. */
#define PAN_VISA  "4111111111111111"
#define PAN_VISA2 "4012888888881881"
#define PAN_MC	  "5500000000000004"
#define PAN_AMEX  "378282246310005"
#define PAN_BADCD "4111111111111112" /* fails Luhn */
#define PAN_SHORT "411111111116"     /* 12 digits: cannot be masked */
#define DD1	  "000123456789"
#define DD2	  "00001234567"

#define T1(pan, name, exp, svc) "%B" pan "^" name "^" exp svc DD1 "?"
#define T2(pan, exp, svc)	";" pan "=" exp svc DD2 "?"
#define T3			";011234567890123445=724724100000000000030300?"

void __real_explicit_bzero(void *p, size_t n);
void __wrap_explicit_bzero(void *p, size_t n);
void __real___explicit_bzero_chk(void *p, size_t n, size_t cap);
void __wrap___explicit_bzero_chk(void *p, size_t n, size_t cap);

static unsigned int wiped_t1, wiped_t2, wiped_text;

/* The wipes are told apart by size. */
_Static_assert(sizeof(struct track1) != sizeof(struct track2) &&
		       sizeof(struct track1) != PRW_TRACK_MAX + 1 &&
		       sizeof(struct track2) != PRW_TRACK_MAX + 1,
	       "wiped objects must differ in size");

static void count_wipe(size_t n)
{
	if (n == sizeof(struct track1))
		wiped_t1++;
	else if (n == sizeof(struct track2))
		wiped_t2++;
	else if (n == PRW_TRACK_MAX + 1)
		wiped_text++;
}

/* Count wipes by the size of what is wiped, then really wipe. */
void __wrap_explicit_bzero(void *p, size_t n)
{
	count_wipe(n);
	__real_explicit_bzero(p, n);
}

/* What explicit_bzero() becomes with _FORTIFY_SOURCE (distro builds). */
void __wrap___explicit_bzero_chk(void *p, size_t n, size_t cap)
{
	count_wipe(n);
	__real___explicit_bzero_chk(p, n, cap);
}

static void wipes_reset(void)
{
	wiped_t1 = wiped_t2 = wiped_text = 0;
}

static void set_ascii(struct prw_track *t, const char *s)
{
	t->status = PRW_TRACK_OK;
	t->encoding = PRW_TRACK_ASCII;
	t->len = (u8)strlen(s);
	memcpy(t->data, s, t->len);
}

static void set_raw(struct prw_track *t, int track_no, const char *s)
{
	int r;

	r = track_encode_raw(track_no, s, strlen(s), t->data, sizeof(t->data));
	assert_true(r > 0);
	t->status = PRW_TRACK_OK;
	t->encoding = PRW_TRACK_RAW;
	t->len = (u8)r;
}

static void set_status(struct prw_track *t, u8 status)
{
	memset(t, 0, sizeof(*t));
	t->status = status;
}

/* A swipe with all three tracks read, as raw stripe characters. */
static void swipe_full(struct prw_swipe *sw)
{
	memset(sw, 0, sizeof(*sw));
	set_raw(&sw->track[0], 1, T1(PAN_VISA, "DOE/JOHN", "2512", "101"));
	set_raw(&sw->track[1], 2, T2(PAN_VISA, "2512", "101"));
	set_raw(&sw->track[2], 3, T3);
}

/* Nothing clear may be in what applications get. */
static void assert_no_clear_data(const struct card_swipe_info *info,
				 const char *pan)
{
	assert_true(memmem(info, sizeof(*info), pan, strlen(pan)) == NULL);
	assert_true(memmem(info, sizeof(*info), DD1, strlen(DD1)) == NULL);
	assert_true(memmem(info, sizeof(*info), DD2, strlen(DD2)) == NULL);
	/* The hidden middle digits, even apart from the rest. */
	assert_true(memmem(info, sizeof(*info), pan + 6, strlen(pan) - 10) ==
		    NULL);
}

static void test_all_tracks_raw(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info;
	int i;

	swipe_full(&sw);
	wipes_reset();
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	for (i = 0; i < PRW_TRACKS; i++) {
		assert_int_equal(info.track[i].state, CARD_TRACK_OK);
		assert_int_equal(info.track[i].error, 0);
	}
	assert_int_equal(info.pan_track, 2);
	assert_string_equal(info.masked_pan, "411111******1111");
	assert_string_equal(info.last4, "1111");
	assert_true(info.luhn_valid);
	assert_string_equal(info.expiry.yymm, "2512");
	assert_int_equal(info.expiry.year, 2025);
	assert_int_equal(info.expiry.month, 12);
	assert_string_equal(info.service_code, "101");
	assert_true(info.has_name);
	assert_string_equal(info.name, "DOE/JOHN");
	assert_no_clear_data(&info, PAN_VISA);
	/* Both parsed tracks and all three decoded texts were wiped. */
	assert_true(wiped_t1 >= 1);
	assert_true(wiped_t2 >= 1);
	assert_true(wiped_text >= 3);
}

static void test_ascii_tracks(void **state)
{
	struct prw_swipe sw = { 0 };
	struct card_swipe_info info;

	set_ascii(&sw.track[0], T1(PAN_AMEX, "SMITH/ANNA   ", "2704", "201"));
	set_ascii(&sw.track[1], T2(PAN_AMEX, "2704", "201"));
	set_status(&sw.track[2], PRW_TRACK_EMPTY);
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_string_equal(info.masked_pan, "378282*****0005");
	assert_string_equal(info.name, "SMITH/ANNA");
	assert_string_equal(info.service_code, "201");
	assert_int_equal(info.track[2].state, CARD_TRACK_EMPTY);
	assert_no_clear_data(&info, PAN_AMEX);
}

/* Track 2 missing: everything comes from track 1. */
static void test_track1_only(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info;
	const u8 statuses[] = { PRW_TRACK_EMPTY, PRW_TRACK_ERROR };
	size_t i;

	for (i = 0; i < sizeof(statuses); i++) {
		swipe_full(&sw);
		set_raw(&sw.track[0], 1, T1(PAN_MC, "DOE/JANE", "3005", "201"));
		set_status(&sw.track[1], statuses[i]);
		assert_int_equal(card_swipe_parse(&sw, &info), 0);
		assert_int_equal(info.pan_track, 1);
		assert_int_equal(info.track[1].state,
				 statuses[i] == PRW_TRACK_EMPTY ?
					 CARD_TRACK_EMPTY :
					 CARD_TRACK_UNREADABLE);
		assert_string_equal(info.masked_pan, "550000******0004");
		assert_string_equal(info.expiry.yymm, "3005");
		assert_string_equal(info.service_code, "201");
		assert_true(info.has_name);
		assert_string_equal(info.name, "DOE/JANE");
		assert_no_clear_data(&info, PAN_MC);
	}
}

/* Track 1 missing: no name, the rest from track 2. */
static void test_track2_only(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info;

	swipe_full(&sw);
	set_status(&sw.track[0], PRW_TRACK_ERROR);
	set_status(&sw.track[2], PRW_TRACK_ERROR);
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.pan_track, 2);
	assert_int_equal(info.track[0].state, CARD_TRACK_UNREADABLE);
	assert_int_equal(info.track[2].state, CARD_TRACK_UNREADABLE);
	assert_false(info.has_name);
	assert_string_equal(info.name, "");
	assert_string_equal(info.masked_pan, "411111******1111");
}

static void expect_nodata(struct prw_swipe *sw)
{
	struct card_swipe_info info, before;

	memset(&info, 0x3c, sizeof(info));
	before = info;
	wipes_reset();
	assert_int_equal(card_swipe_parse(sw, &info), -ENODATA);
	assert_true(memcmp(&info, &before, sizeof(info)) == 0);
	assert_true(wiped_t1 >= 1);
	assert_true(wiped_t2 >= 1);
}

static void test_no_pan(void **state)
{
	struct prw_swipe sw;
	const u8 statuses[] = { PRW_TRACK_EMPTY, PRW_TRACK_ERROR };
	size_t i, j;

	for (i = 0; i < sizeof(statuses); i++) {
		for (j = 0; j < sizeof(statuses); j++) {
			swipe_full(&sw);
			set_status(&sw.track[0], statuses[i]);
			set_status(&sw.track[1], statuses[j]);
			expect_nodata(&sw);
		}
	}
	/* Track 3 alone carries no PAN for a payment. */
	memset(&sw, 0, sizeof(sw));
	set_status(&sw.track[0], PRW_TRACK_EMPTY);
	set_status(&sw.track[1], PRW_TRACK_EMPTY);
	set_raw(&sw.track[2], 3, T3);
	expect_nodata(&sw);
}

/* A track that reads but fails its checks falls back to the other. */
static void test_corrupt_track_falls_back(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info;

	/* Track 2: flip two data bits of one character; parity still
	 * holds, the LRC does not. */
	swipe_full(&sw);
	sw.track[1].data[4] ^= 0x03;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[1].state, CARD_TRACK_INVALID);
	assert_int_equal(info.track[1].error, -TRACK_E_LRC);
	assert_int_equal(info.pan_track, 1);
	assert_string_equal(info.masked_pan, "411111******1111");

	/* Track 1: parity error. */
	swipe_full(&sw);
	sw.track[0].data[3] ^= 0x40;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[0].state, CARD_TRACK_INVALID);
	assert_int_equal(info.track[0].error, -TRACK_E_PARITY);
	assert_int_equal(info.pan_track, 2);
	assert_false(info.has_name);

	/* Track 3 corrupt: reported, the card still reads. */
	swipe_full(&sw);
	sw.track[2].data[sw.track[2].len - 1] ^= 0x10;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[2].state, CARD_TRACK_INVALID);
	assert_int_equal(info.track[2].error, -TRACK_E_PARITY);

	/* Both PAN tracks corrupt: no data. */
	swipe_full(&sw);
	sw.track[0].data[3] ^= 0x40;
	sw.track[1].data[4] ^= 0x03;
	expect_nodata(&sw);

	/* ASCII track 2 with a bad format. */
	swipe_full(&sw);
	set_status(&sw.track[0], PRW_TRACK_EMPTY);
	set_ascii(&sw.track[1], ";" PAN_VISA "=2513101?");
	expect_nodata(&sw);
}

static void test_mismatch(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info, before;

	memset(&info, 0x11, sizeof(info));
	before = info;

	swipe_full(&sw);
	set_raw(&sw.track[0], 1, T1(PAN_VISA2, "DOE/JOHN", "2512", "101"));
	wipes_reset();
	assert_int_equal(card_swipe_parse(&sw, &info), -EBADMSG);
	assert_true(memcmp(&info, &before, sizeof(info)) == 0);
	assert_true(wiped_t1 >= 1);
	assert_true(wiped_t2 >= 1);

	swipe_full(&sw);
	set_ascii(&sw.track[1], T2(PAN_VISA, "2612", "101"));
	assert_int_equal(card_swipe_parse(&sw, &info), -EBADMSG);

	swipe_full(&sw);
	set_ascii(&sw.track[1], T2(PAN_VISA, "2512", "201"));
	assert_int_equal(card_swipe_parse(&sw, &info), -EBADMSG);
	assert_true(memcmp(&info, &before, sizeof(info)) == 0);

	/* With one of the two unread there is nothing to compare: the
	 * track that was read is used. */
	swipe_full(&sw);
	set_raw(&sw.track[0], 1, T1(PAN_VISA2, "DOE/JOHN", "2512", "101"));
	set_status(&sw.track[1], PRW_TRACK_ERROR);
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_string_equal(info.masked_pan, "401288******1881");
}

static void test_luhn(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info;

	swipe_full(&sw);
	set_raw(&sw.track[0], 1, T1(PAN_BADCD, "DOE/JOHN", "2512", "101"));
	set_raw(&sw.track[1], 2, T2(PAN_BADCD, "2512", "101"));
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_false(info.luhn_valid);
	assert_string_equal(info.masked_pan, "411111******1112");
	assert_no_clear_data(&info, PAN_BADCD);
}

/* A PAN the track format allows but that cannot be shown masked. */
static void test_short_pan(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info;

	swipe_full(&sw);
	set_raw(&sw.track[1], 2, T2(PAN_SHORT, "2512", "101"));
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[1].state, CARD_TRACK_INVALID);
	assert_int_equal(info.track[1].error, -TRACK_E_PAN_LENGTH);
	assert_int_equal(info.pan_track, 1);

	set_status(&sw.track[0], PRW_TRACK_EMPTY);
	expect_nodata(&sw);
}

static void test_malformed(void **state)
{
	struct prw_swipe sw;
	struct card_swipe_info info, before;

	memset(&info, 0x77, sizeof(info));
	before = info;

	swipe_full(&sw);
	sw.track[2].status = 3;
	assert_int_equal(card_swipe_parse(&sw, &info), -EINVAL);
	swipe_full(&sw);
	sw.track[0].encoding = 2;
	assert_int_equal(card_swipe_parse(&sw, &info), -EINVAL);
	swipe_full(&sw);
	sw.track[1].len = PRW_TRACK_MAX + 1;
	assert_int_equal(card_swipe_parse(&sw, &info), -EINVAL);
	/* Data on a track the reader says it could not read. */
	swipe_full(&sw);
	sw.track[1].status = PRW_TRACK_ERROR;
	assert_int_equal(card_swipe_parse(&sw, &info), -EINVAL);
	assert_true(memcmp(&info, &before, sizeof(info)) == 0);

	swipe_full(&sw);
	assert_int_equal(card_swipe_parse(NULL, &info), -EINVAL);
	assert_int_equal(card_swipe_parse(&sw, NULL), -EINVAL);

	/* Bytes a raw track cannot hold, and a full 128-byte track. */
	swipe_full(&sw);
	sw.track[1].data[2] = 0xff;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[1].error, -TRACK_E_BITS);
	swipe_full(&sw);
	memset(sw.track[0].data, 0x45, PRW_TRACK_MAX);
	sw.track[0].len = PRW_TRACK_MAX;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[0].error, -TRACK_E_TOO_LONG);
	swipe_full(&sw);
	sw.track[0].encoding = PRW_TRACK_ASCII;
	memset(sw.track[0].data, '%', PRW_TRACK_MAX);
	sw.track[0].len = PRW_TRACK_MAX;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[0].error, -TRACK_E_TOO_LONG);
	/* A read track with nothing in it. */
	swipe_full(&sw);
	sw.track[0].len = 0;
	assert_int_equal(card_swipe_parse(&sw, &info), 0);
	assert_int_equal(info.track[0].error, -TRACK_E_EMPTY);
}

/* A refused swipe can still be reported track by track. */
static void test_tracks_report(void **state)
{
	struct card_track_result res[PRW_TRACKS];
	struct prw_swipe sw;

	/* Track 1 corrupt, track 2 unreadable, track 3 fine. */
	swipe_full(&sw);
	sw.track[0].data[3] ^= 0x40;
	set_status(&sw.track[1], PRW_TRACK_ERROR);
	wipes_reset();
	assert_int_equal(card_swipe_tracks(&sw, res), 0);
	assert_int_equal(res[0].state, CARD_TRACK_INVALID);
	assert_int_equal(res[0].error, -TRACK_E_PARITY);
	assert_int_equal(res[1].state, CARD_TRACK_UNREADABLE);
	assert_int_equal(res[1].error, 0);
	assert_int_equal(res[2].state, CARD_TRACK_OK);
	assert_true(wiped_t1 >= 1);
	assert_true(wiped_t2 >= 1);

	/* Tracks that disagree are each fine on their own. */
	swipe_full(&sw);
	set_raw(&sw.track[0], 1, T1(PAN_VISA2, "DOE/JOHN", "2512", "101"));
	assert_int_equal(card_swipe_tracks(&sw, res), 0);
	assert_int_equal(res[0].state, CARD_TRACK_OK);
	assert_int_equal(res[1].state, CARD_TRACK_OK);

	swipe_full(&sw);
	sw.track[0].status = 7;
	assert_int_equal(card_swipe_tracks(&sw, res), -EINVAL);
	assert_int_equal(card_swipe_tracks(NULL, res), -EINVAL);
	assert_int_equal(card_swipe_tracks(&sw, NULL), -EINVAL);
}

/* The wire decoder's output feeds straight in. */
static void test_from_wire(void **state)
{
	struct prw_swipe sw, decoded;
	struct card_swipe_info info;
	u8 buf[PRW_MAX_PAYLOAD];
	int n;

	swipe_full(&sw);
	n = prw_swipe_encode(buf, sizeof(buf), &sw);
	assert_true(n > 0);
	assert_int_equal(prw_swipe_decode(buf, (size_t)n, &decoded), 0);
	explicit_bzero(buf, sizeof(buf));
	assert_int_equal(card_swipe_parse(&decoded, &info), 0);
	assert_string_equal(info.masked_pan, "411111******1111");
	explicit_bzero(&sw, sizeof(sw));
	explicit_bzero(&decoded, sizeof(decoded));
}

static void test_state_names(void **state)
{
	assert_string_equal(card_track_state_name(CARD_TRACK_OK), "ok");
	assert_string_equal(card_track_state_name(CARD_TRACK_EMPTY), "empty");
	assert_string_equal(card_track_state_name(CARD_TRACK_UNREADABLE),
			    "unreadable");
	assert_string_equal(card_track_state_name(CARD_TRACK_INVALID),
			    "invalid");
	assert_string_equal(card_track_state_name((enum card_track_state)42),
			    "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_tracks_raw),
		cmocka_unit_test(test_ascii_tracks),
		cmocka_unit_test(test_track1_only),
		cmocka_unit_test(test_track2_only),
		cmocka_unit_test(test_no_pan),
		cmocka_unit_test(test_corrupt_track_falls_back),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_luhn),
		cmocka_unit_test(test_short_pan),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_tracks_report),
		cmocka_unit_test(test_from_wire),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
