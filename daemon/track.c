// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Magnetic stripe track decoding (ISO/IEC 7811-2) and parsing of the
 * financial formats (ISO/IEC 7813). Everything here works on caller
 * buffers; nothing is allocated and nothing is logged, because every byte
 * that passes through may be card data.
 */
#include <string.h>

#include "track.h"
#include "util.h"

/* How one track puts characters on the stripe. */
struct track_code {
	u8 data_mask;	   /* data bits of a raw character */
	u8 parity_bit;	   /* odd parity bit, just above the data bits */
	char offset;	   /* ASCII value of data bits 0 */
	char start;	   /* start sentinel */
	size_t record_max; /* characters including sentinels and LRC */
};

static const struct track_code track_codes[] = {
	{ 0x3f, 0x40, 0x20, TRACK1_START, TRACK1_RECORD_MAX },
	{ 0x0f, 0x10, 0x30, TRACK2_START, TRACK2_RECORD_MAX },
	{ 0x0f, 0x10, 0x30, TRACK3_START, TRACK3_RECORD_MAX },
};

static const char *const track_errors[TRACK_E_COUNT] = {
	[TRACK_OK] = "success",
	[TRACK_E_INVAL] = "invalid argument",
	[TRACK_E_EMPTY] = "track is empty",
	[TRACK_E_TOO_LONG] = "track longer than its record length",
	[TRACK_E_NOSPACE] = "output buffer too small",
	[TRACK_E_BITS] = "raw character has bits beyond its width",
	[TRACK_E_PARITY] = "character parity error",
	[TRACK_E_START] = "missing start sentinel",
	[TRACK_E_END] = "missing end sentinel",
	[TRACK_E_NO_LRC] = "missing LRC character",
	[TRACK_E_LRC] = "LRC mismatch",
	[TRACK_E_TRAILING] = "characters after the LRC",
	[TRACK_E_CHARSET] = "character not allowed on this track",
	[TRACK_E_FORMAT_CODE] = "format code is not B",
	[TRACK_E_SEPARATOR] = "missing field separator",
	[TRACK_E_PAN_LENGTH] = "account number length out of range",
	[TRACK_E_PAN_DIGITS] = "account number has a non-digit",
	[TRACK_E_NAME_LENGTH] = "name not 2 to 26 characters",
	[TRACK_E_NAME_CHARSET] = "name has a character not allowed in names",
	[TRACK_E_EXPIRY] = "expiry date missing or not 4 digits",
	[TRACK_E_EXPIRY_MONTH] = "expiry month not 01 to 12",
	[TRACK_E_SERVICE_CODE] = "service code missing or not 3 digits",
	[TRACK_E_DISCRETIONARY] = "bad character in discretionary data",
};

const char *track_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= TRACK_E_COUNT)
		return "unknown track error";
	return track_errors[err];
}

static const struct track_code *track_code_get(int track_no)
{
	if (track_no < 1 || track_no > (int)ELEMENTSOF(track_codes))
		return NULL;
	return &track_codes[track_no - 1];
}

size_t track_chars_max(int track_no)
{
	const struct track_code *tc = track_code_get(track_no);

	return tc ? tc->record_max - 1 : 0;
}

static bool odd_parity(u8 c)
{
	return __builtin_parity(c);
}

static u8 with_parity(const struct track_code *tc, u8 data)
{
	return odd_parity(data) ? data : data | tc->parity_bit;
}

/* Check width and parity of one raw character. */
static int raw_char_check(const struct track_code *tc, u8 c)
{
	if (c & ~(tc->data_mask | tc->parity_bit))
		return -TRACK_E_BITS;
	if (!odd_parity(c))
		return -TRACK_E_PARITY;
	return 0;
}

int track_decode_raw(int track_no, const u8 *raw, size_t n, char *ret_chars,
		     size_t cap, size_t *ret_len)
{
	const struct track_code *tc = track_code_get(track_no);
	u8 end_data, lrc = 0;
	size_t i, end = 0;
	int r;

	if (!tc || (!raw && n) || !ret_chars)
		return -TRACK_E_INVAL;
	if (n == 0)
		return -TRACK_E_EMPTY;
	if (n > tc->record_max)
		return -TRACK_E_TOO_LONG;

	end_data = TRACK_END - tc->offset;
	for (i = 0; i < n; i++) {
		u8 data = raw[i] & tc->data_mask;

		r = raw_char_check(tc, raw[i]);
		if (r < 0)
			return r;
		if (i == 0 && data != (u8)(tc->start - tc->offset))
			return -TRACK_E_START;
		lrc ^= data;
		if (i > 0 && data == end_data) {
			end = i;
			break;
		}
	}
	if (!end)
		return -TRACK_E_END;
	if (end + 1 >= n)
		return -TRACK_E_NO_LRC;
	if (end + 2 < n)
		return -TRACK_E_TRAILING;
	r = raw_char_check(tc, raw[end + 1]);
	if (r < 0)
		return r;
	if ((raw[end + 1] & tc->data_mask) != lrc)
		return -TRACK_E_LRC;
	/* Characters through the end sentinel, plus the terminator. */
	if (cap < end + 2)
		return -TRACK_E_NOSPACE;

	for (i = 0; i <= end; i++)
		ret_chars[i] = (char)((raw[i] & tc->data_mask) + tc->offset);
	ret_chars[end + 1] = '\0';
	if (ret_len)
		*ret_len = end + 1;
	return 0;
}

int track_encode_raw(int track_no, const char *chars, size_t n, u8 *ret_raw,
		     size_t cap)
{
	const struct track_code *tc = track_code_get(track_no);
	u8 lrc = 0;
	size_t i;

	if (!tc || (!chars && n) || !ret_raw)
		return -TRACK_E_INVAL;
	if (n == 0)
		return -TRACK_E_EMPTY;
	if (n + 1 > tc->record_max)
		return -TRACK_E_TOO_LONG;
	if (chars[0] != tc->start)
		return -TRACK_E_START;
	if (n < 2 || chars[n - 1] != TRACK_END)
		return -TRACK_E_END;
	for (i = 1; i < n - 1; i++) {
		char c = chars[i];

		if (c < tc->offset || c > tc->offset + tc->data_mask ||
		    c == TRACK_END)
			return -TRACK_E_CHARSET;
	}
	if (cap < n + 1)
		return -TRACK_E_NOSPACE;

	for (i = 0; i < n; i++) {
		u8 data = (u8)(chars[i] - tc->offset);

		ret_raw[i] = with_parity(tc, data);
		lrc ^= data;
	}
	ret_raw[n] = with_parity(tc, lrc);
	return (int)(n + 1);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* Sentinels in place, none in between, length within max. */
static int frame_check(const char *s, size_t n, size_t max, char start)
{
	size_t i;

	if (n == 0)
		return -TRACK_E_EMPTY;
	if (n > max)
		return -TRACK_E_TOO_LONG;
	if (s[0] != start)
		return -TRACK_E_START;
	if (n < 2 || s[n - 1] != TRACK_END)
		return -TRACK_E_END;
	for (i = 1; i < n - 1; i++)
		if (s[i] == start || s[i] == TRACK_END)
			return -TRACK_E_CHARSET;
	return 0;
}

static int pan_field_check(const char *p, size_t n)
{
	if (n == 0 || n > TRACK_PAN_MAX)
		return -TRACK_E_PAN_LENGTH;
	if (!all_digits(p, n))
		return -TRACK_E_PAN_DIGITS;
	return 0;
}

/*
 * Expiry and service code: the 7 characters after the last separator,
 * which must be there in full. ISO/IEC 7813 lets a card put a separator
 * in place of either; a payment terminal cannot use such a card, so that
 * is reported as missing.
 */
static int expiry_service_check(const char *p, size_t n)
{
	unsigned int month;

	if (n < TRACK_EXPIRY_LEN || !all_digits(p, TRACK_EXPIRY_LEN))
		return -TRACK_E_EXPIRY;
	month = (unsigned int)(p[2] - '0') * 10 + (unsigned int)(p[3] - '0');
	if (month < 1 || month > 12)
		return -TRACK_E_EXPIRY_MONTH;
	if (n < TRACK_EXPIRY_LEN + TRACK_SERVICE_CODE_LEN ||
	    !all_digits(p + TRACK_EXPIRY_LEN, TRACK_SERVICE_CODE_LEN))
		return -TRACK_E_SERVICE_CODE;
	return 0;
}

static void expiry_fill(const char *p, struct track_expiry *ret)
{
	memcpy(ret->yymm, p, TRACK_EXPIRY_LEN);
	ret->yymm[TRACK_EXPIRY_LEN] = '\0';
	ret->year = 2000 + (unsigned int)(p[0] - '0') * 10 +
		    (unsigned int)(p[1] - '0');
	ret->month =
		(unsigned int)(p[2] - '0') * 10 + (unsigned int)(p[3] - '0');
}

bool track_expiry_passed(const struct track_expiry *e, unsigned int year,
			 unsigned int month)
{
	return year > e->year || (year == e->year && month > e->month);
}

static void field_copy(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Names are "SURNAME/GIVEN NAMES.TITLE" in the track 1 character set;
 * the ISO/IEC 7811-2 hardware control characters are not data.
 */
static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || is_digit(c) || c == ' ' || c == '/' ||
	       c == '.' || c == '-';
}

/* Data characters of track 1: 0x20..0x5f without sentinels/separator. */
static bool is_track1_data_char(char c)
{
	return c >= 0x20 && c <= 0x5f && c != TRACK1_START && c != TRACK_END &&
	       c != TRACK1_SEPARATOR;
}

int track1_parse(const char *s, size_t n, struct track1 *ret)
{
	const char *end, *pan, *sep1, *name, *sep2, *rest, *dd;
	size_t name_len, lead, i;
	int r;

	if ((!s && n) || !ret)
		return -TRACK_E_INVAL;
	r = frame_check(s, n, TRACK1_CHARS_MAX, TRACK1_START);
	if (r < 0)
		return r;
	end = s + n - 1;

	if (n < 3 || s[1] != TRACK1_FORMAT_CODE)
		return -TRACK_E_FORMAT_CODE;
	pan = s + 2;
	sep1 = memchr(pan, TRACK1_SEPARATOR, (size_t)(end - pan));
	if (!sep1)
		return -TRACK_E_SEPARATOR;
	name = sep1 + 1;
	sep2 = memchr(name, TRACK1_SEPARATOR, (size_t)(end - name));
	if (!sep2)
		return -TRACK_E_SEPARATOR;

	r = pan_field_check(pan, (size_t)(sep1 - pan));
	if (r < 0)
		return r;

	name_len = (size_t)(sep2 - name);
	if (name_len < TRACK1_NAME_MIN || name_len > TRACK1_NAME_MAX)
		return -TRACK_E_NAME_LENGTH;
	for (i = 0; i < name_len; i++)
		if (!is_name_char(name[i]))
			return -TRACK_E_NAME_CHARSET;

	rest = sep2 + 1;
	r = expiry_service_check(rest, (size_t)(end - rest));
	if (r < 0)
		return r;
	dd = rest + TRACK_EXPIRY_LEN + TRACK_SERVICE_CODE_LEN;
	for (i = 0; dd + i < end; i++)
		if (!is_track1_data_char(dd[i]))
			return -TRACK_E_DISCRETIONARY;

	/* Names are often space padded to a fixed width. */
	for (lead = 0; lead < name_len && name[lead] == ' '; lead++)
		;
	while (name_len > lead && name[name_len - 1] == ' ')
		name_len--;

	field_copy(ret->pan, pan, (size_t)(sep1 - pan));
	field_copy(ret->name, name + lead, name_len - lead);
	expiry_fill(rest, &ret->expiry);
	field_copy(ret->service_code, rest + TRACK_EXPIRY_LEN,
		   TRACK_SERVICE_CODE_LEN);
	field_copy(ret->discretionary, dd, (size_t)(end - dd));
	return 0;
}

int track2_parse(const char *s, size_t n, struct track2 *ret)
{
	const char *end, *pan, *sep, *rest, *dd;
	int r;

	if ((!s && n) || !ret)
		return -TRACK_E_INVAL;
	r = frame_check(s, n, TRACK2_CHARS_MAX, TRACK2_START);
	if (r < 0)
		return r;
	end = s + n - 1;

	pan = s + 1;
	sep = memchr(pan, TRACK2_SEPARATOR, (size_t)(end - pan));
	if (!sep)
		return -TRACK_E_SEPARATOR;
	r = pan_field_check(pan, (size_t)(sep - pan));
	if (r < 0)
		return r;

	rest = sep + 1;
	r = expiry_service_check(rest, (size_t)(end - rest));
	if (r < 0)
		return r;
	dd = rest + TRACK_EXPIRY_LEN + TRACK_SERVICE_CODE_LEN;
	if (!all_digits(dd, (size_t)(end - dd)))
		return -TRACK_E_DISCRETIONARY;

	field_copy(ret->pan, pan, (size_t)(sep - pan));
	expiry_fill(rest, &ret->expiry);
	field_copy(ret->service_code, rest + TRACK_EXPIRY_LEN,
		   TRACK_SERVICE_CODE_LEN);
	field_copy(ret->discretionary, dd, (size_t)(end - dd));
	return 0;
}

int track3_check(const char *s, size_t n)
{
	size_t i;
	int r;

	if (!s && n)
		return -TRACK_E_INVAL;
	r = frame_check(s, n, TRACK3_CHARS_MAX, TRACK3_START);
	if (r < 0)
		return r;
	for (i = 1; i < n - 1; i++)
		if (!is_digit(s[i]) && s[i] != '=')
			return -TRACK_E_CHARSET;
	return 0;
}
