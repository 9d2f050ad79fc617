// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Track decoding and ISO/IEC 7813 parsing. Raw encodings are built here
 * by an independent helper, so the decoder is checked against the
 * standard, not against the library's own encoder. cmocka prints the
 * text of assert_true() expressions and both sides of string assertions,
 * so PANs and discretionary data appear there only by name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "track.h"

/* Public test card numbers; assertions name them, never spell them. */
#define PAN_VISA "4111111111111111"
#define PAN_MC	 "5500000000000004"
#define PAN_AMEX "378282246310005"
#define DD1_VISA "123456789"
#define DD2_VISA "0000000000"

#define T1_VISA "%B" PAN_VISA "^DOE/JOHN^2512101" DD1_VISA "?"
#define T2_VISA ";" PAN_VISA "=2512101" DD2_VISA "?"
#define T2_MC	";" PAN_MC "=30052010000?"
#define T2_AMEX ";" PAN_AMEX "=27041010000?"
#define T3_DATA ";011234567890123445=724724100000000000030300?"

static unsigned int ones(unsigned int v)
{
	unsigned int n = 0;

	for (; v; v >>= 1)
		n += v & 1;
	return n;
}

/*
 * Raw stripe characters for the text s (ISO/IEC 7811-2): data bits are
 * the character minus the track's offset, the bit above them makes the
 * count of ones odd, and an LRC character (XOR of all data bits, with
 * its own odd parity) follows.
 */
static size_t raw_build(int track_no, const char *s, size_t n, uint8_t *out)
{
	unsigned int width = track_no == 1 ? 6 : 4;
	char offset = track_no == 1 ? 0x20 : 0x30;
	uint8_t lrc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t d = (uint8_t)(s[i] - offset);

		lrc ^= d;
		out[i] = d | (ones(d) % 2 ? 0 : 1u << width);
	}
	out[n] = lrc | (ones(lrc) % 2 ? 0 : 1u << width);
	return n + 1;
}

static size_t raw_build_str(int track_no, const char *s, uint8_t *out)
{
	return raw_build(track_no, s, strlen(s), out);
}

/* Give a raw character the right odd parity for its data bits. */
static uint8_t fix_parity(int track_no, uint8_t c)
{
	unsigned int width = track_no == 1 ? 6 : 4;
	uint8_t d = c & ((1u << width) - 1);

	return d | (ones(d) % 2 ? 0 : 1u << width);
}

static void decode_expect(int track_no, const char *s)
{
	uint8_t raw[256];
	char out[256];
	size_t n, len = 0;
	int r;

	n = raw_build_str(track_no, s, raw);
	r = track_decode_raw(track_no, raw, n, out, sizeof(out), &len);
	assert_int_equal(r, 0);
	assert_int_equal(len, strlen(s));
	assert_true(strcmp(out, s) == 0);
}

static void test_decode_valid(void **state)
{
	decode_expect(1, T1_VISA);
	decode_expect(2, T2_VISA);
	decode_expect(2, T2_MC);
	decode_expect(2, T2_AMEX);
	decode_expect(3, T3_DATA);
	/* Shortest track: sentinels only. */
	decode_expect(1, "%?");
	decode_expect(2, ";?");
}

/* Known bytes, worked out by hand from the ISO/IEC 7811-2 tables. */
static void test_decode_known_bytes(void **state)
{
	/* ';' 0xB -> 0b01011 has 3 ones: parity 0; '1' 0x1 -> 0x01;
	 * '=' 0xD -> 3 ones: 0x0D; '?' 0xF -> 4 ones: 0x1F;
	 * LRC 0xB^0x1^0xD^0xF = 0x8 -> 1 one: 0x08. */
	static const uint8_t raw2[] = { 0x0b, 0x01, 0x0d, 0x1f, 0x08 };
	/* '%' 0x05 -> 2 ones: 0x45; 'B' 0x22 -> 0x62; '?' 0x1f -> 5 ones:
	 * 0x1f; LRC 0x05^0x22^0x1f = 0x38 -> 3 ones: 0x38. */
	static const uint8_t raw1[] = { 0x45, 0x62, 0x1f, 0x38 };
	char out[16];
	size_t len;

	assert_int_equal(
		track_decode_raw(2, raw2, sizeof(raw2), out, sizeof(out), &len),
		0);
	assert_int_equal(len, 4);
	assert_string_equal(out, ";1=?");
	assert_int_equal(
		track_decode_raw(1, raw1, sizeof(raw1), out, sizeof(out), &len),
		0);
	assert_int_equal(len, 3);
	assert_string_equal(out, "%B?");
}

static int decode(int track_no, const uint8_t *raw, size_t n)
{
	char out[256];

	return track_decode_raw(track_no, raw, n, out, sizeof(out), NULL);
}

static void test_decode_bad_lrc(void **state)
{
	uint8_t raw[256];
	size_t n;

	n = raw_build_str(2, T2_VISA, raw);
	/* Another LRC value with correct parity of its own. */
	raw[n - 1] = fix_parity(2, raw[n - 1] ^ 0x01);
	assert_int_equal(decode(2, raw, n), -TRACK_E_LRC);

	n = raw_build_str(1, T1_VISA, raw);
	raw[n - 1] = fix_parity(1, raw[n - 1] ^ 0x20);
	assert_int_equal(decode(1, raw, n), -TRACK_E_LRC);

	/* Two bits flipped in one character keep its parity: the LRC must
	 * catch it. */
	n = raw_build_str(2, T2_VISA, raw);
	raw[5] ^= 0x03;
	assert_int_equal(decode(2, raw, n), -TRACK_E_LRC);
}

static void test_decode_bad_parity(void **state)
{
	uint8_t raw[256];
	size_t n;

	n = raw_build_str(1, T1_VISA, raw);
	raw[7] ^= 0x40;
	assert_int_equal(decode(1, raw, n), -TRACK_E_PARITY);

	n = raw_build_str(2, T2_VISA, raw);
	raw[3] ^= 0x02;
	assert_int_equal(decode(2, raw, n), -TRACK_E_PARITY);

	/* The LRC character has a parity bit of its own. */
	n = raw_build_str(3, T3_DATA, raw);
	raw[n - 1] ^= 0x10;
	assert_int_equal(decode(3, raw, n), -TRACK_E_PARITY);
}

static void test_decode_sentinels(void **state)
{
	uint8_t raw[256];
	size_t n;

	/* No start sentinel: data starts right away. */
	n = raw_build_str(2, "4111111111111111=2512101?", raw);
	assert_int_equal(decode(2, raw, n), -TRACK_E_START);
	/* Track 1's start sentinel on track 2 and the other way round. */
	n = raw_build_str(1, "%B?", raw);
	assert_int_equal(decode(2, raw, n), -TRACK_E_BITS);
	n = raw_build_str(2, ";1=?", raw);
	assert_int_equal(decode(1, raw, n), -TRACK_E_START);

	/* No end sentinel: the last character before the LRC is data. */
	n = raw_build_str(2, ";4111111111111111=2512101", raw);
	assert_int_equal(decode(2, raw, n), -TRACK_E_END);
	n = raw_build_str(1, "%B4111111111111111^DOE/JOHN^2512101", raw);
	assert_int_equal(decode(1, raw, n), -TRACK_E_END);

	/* End sentinel but no LRC after it. */
	n = raw_build_str(2, T2_VISA, raw);
	assert_int_equal(decode(2, raw, n - 1), -TRACK_E_NO_LRC);

	/* Anything after the LRC. */
	n = raw_build_str(2, T2_VISA, raw);
	raw[n] = fix_parity(2, 0x00);
	assert_int_equal(decode(2, raw, n + 1), -TRACK_E_TRAILING);
}

static void test_decode_bad_input(void **state)
{
	uint8_t raw[256];
	char out[256];
	char small[8];
	size_t n, len = 12345;

	n = raw_build_str(2, T2_VISA, raw);
	assert_int_equal(track_decode_raw(0, raw, n, out, sizeof(out), NULL),
			 -TRACK_E_INVAL);
	assert_int_equal(track_decode_raw(4, raw, n, out, sizeof(out), NULL),
			 -TRACK_E_INVAL);
	assert_int_equal(track_decode_raw(2, NULL, n, out, sizeof(out), NULL),
			 -TRACK_E_INVAL);
	assert_int_equal(track_decode_raw(2, raw, n, NULL, 0, NULL),
			 -TRACK_E_INVAL);
	assert_int_equal(track_decode_raw(2, raw, 0, out, sizeof(out), NULL),
			 -TRACK_E_EMPTY);

	/* Output buffer must hold the characters and a terminator. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(
		track_decode_raw(2, raw, n, small, sizeof(small), &len),
		-TRACK_E_NOSPACE);
	assert_int_equal(len, 12345);
	assert_int_equal(small[0], 'x');
	assert_int_equal(track_decode_raw(2, raw, n, out, n - 1, NULL),
			 -TRACK_E_NOSPACE);
	assert_int_equal(track_decode_raw(2, raw, n, out, n, NULL), 0);

	/* A bit above the parity bit. */
	n = raw_build_str(2, T2_VISA, raw);
	raw[2] |= 0x20;
	assert_int_equal(decode(2, raw, n), -TRACK_E_BITS);
	n = raw_build_str(1, T1_VISA, raw);
	raw[2] |= 0x80;
	assert_int_equal(decode(1, raw, n), -TRACK_E_BITS);
}

static void fill(char *buf, size_t n, char c)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

static void test_decode_record_length(void **state)
{
	uint8_t raw[256];
	char s[256];
	size_t n;

	/* Track 2: 40 characters with sentinels and LRC fit, 41 do not. */
	s[0] = ';';
	fill(s + 1, 37, '1');
	strcat(s, "?");
	n = raw_build_str(2, s, raw);
	assert_int_equal(n, 40);
	assert_int_equal(decode(2, raw, n), 0);
	fill(s + 1, 38, '1');
	strcat(s, "?");
	n = raw_build_str(2, s, raw);
	assert_int_equal(decode(2, raw, n), -TRACK_E_TOO_LONG);

	/* Track 1: 79. */
	s[0] = '%';
	fill(s + 1, 76, 'A');
	strcat(s, "?");
	n = raw_build_str(1, s, raw);
	assert_int_equal(n, 79);
	assert_int_equal(decode(1, raw, n), 0);
	fill(s + 1, 77, 'A');
	strcat(s, "?");
	n = raw_build_str(1, s, raw);
	assert_int_equal(decode(1, raw, n), -TRACK_E_TOO_LONG);

	/* Track 3: 107. */
	s[0] = ';';
	fill(s + 1, 104, '0');
	strcat(s, "?");
	n = raw_build_str(3, s, raw);
	assert_int_equal(n, 107);
	assert_int_equal(decode(3, raw, n), 0);
	fill(s + 1, 105, '0');
	strcat(s, "?");
	n = raw_build_str(3, s, raw);
	assert_int_equal(decode(3, raw, n), -TRACK_E_TOO_LONG);

	assert_int_equal(track_chars_max(1), 78);
	assert_int_equal(track_chars_max(2), 39);
	assert_int_equal(track_chars_max(3), 106);
	assert_int_equal(track_chars_max(0), 0);
}

static void encode_matches(int track_no, const char *s)
{
	uint8_t want[256], got[256];
	size_t n;
	int r;

	n = raw_build_str(track_no, s, want);
	r = track_encode_raw(track_no, s, strlen(s), got, sizeof(got));
	assert_int_equal(r, (int)n);
	assert_true(memcmp(want, got, n) == 0);
}

static void test_encode_raw(void **state)
{
	uint8_t raw[256];

	encode_matches(1, T1_VISA);
	encode_matches(2, T2_VISA);
	encode_matches(3, T3_DATA);

	assert_int_equal(track_encode_raw(2, "1=?", 3, raw, sizeof(raw)),
			 -TRACK_E_START);
	assert_int_equal(track_encode_raw(2, ";1=", 3, raw, sizeof(raw)),
			 -TRACK_E_END);
	/* 'A' is not on track 2's character set. */
	assert_int_equal(track_encode_raw(2, ";A?", 3, raw, sizeof(raw)),
			 -TRACK_E_CHARSET);
	assert_int_equal(track_encode_raw(1, "%a?", 3, raw, sizeof(raw)),
			 -TRACK_E_CHARSET);
	assert_int_equal(track_encode_raw(2, ";1?", 3, raw, 3),
			 -TRACK_E_NOSPACE);
	assert_int_equal(track_encode_raw(5, ";1?", 3, raw, sizeof(raw)),
			 -TRACK_E_INVAL);
}

/* Parse helpers: the result only; parsed fields are wiped. */

static int t2(const char *s)
{
	struct track2 t;
	int r;

	r = track2_parse(s, strlen(s), &t);
	explicit_bzero(&t, sizeof(t));
	return r;
}

static int t1(const char *s)
{
	struct track1 t;
	int r;

	r = track1_parse(s, strlen(s), &t);
	explicit_bzero(&t, sizeof(t));
	return r;
}

/* ---- track 1 ---------------------------------------------------------- */

static void test_track1_valid(void **state)
{
	struct track1 t;

	assert_int_equal(track1_parse(T1_VISA, strlen(T1_VISA), &t), 0);
	assert_true(strcmp(t.pan, PAN_VISA) == 0);
	assert_string_equal(t.name, "DOE/JOHN");
	assert_string_equal(t.expiry.yymm, "2512");
	assert_int_equal(t.expiry.year, 2025);
	assert_int_equal(t.expiry.month, 12);
	assert_string_equal(t.service_code, "101");
	assert_true(strcmp(t.discretionary, DD1_VISA) == 0);

	/* Empty discretionary data, 19-digit PAN, padded name. */
	assert_int_equal(
		track1_parse("%B6011000990139424000^  SMITH/ANNA "
			     "     ^3001201?",
			     strlen("%B6011000990139424000^  SMITH/ANNA "
				    "     ^3001201?"),
			     &t),
		0);
	assert_int_equal(strlen(t.pan), 19);
	assert_string_equal(t.name, "SMITH/ANNA");
	assert_int_equal(t.expiry.year, 2030);
	assert_int_equal(t.expiry.month, 1);
	assert_true(t.discretionary[0] == '\0');

	/* " /" is what many debit cards carry: trimmed to "/". */
	assert_int_equal(track1_parse("%B5500000000000004^ /^2801101?",
				      strlen("%B5500000000000004^ /^2801101?"),
				      &t),
			 0);
	assert_string_equal(t.name, "/");
	explicit_bzero(&t, sizeof(t));
}

static void test_track1_frame(void **state)
{
	struct track1 t;
	char s[128];

	assert_int_equal(t1(""), -TRACK_E_EMPTY);
	assert_int_equal(t1("B4111111111111111^DOE/JOHN^2512101?"),
			 -TRACK_E_START);
	assert_int_equal(t1(";B4111111111111111^DOE/JOHN^2512101?"),
			 -TRACK_E_START);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512101"),
			 -TRACK_E_END);
	assert_int_equal(t1("%"), -TRACK_E_END);
	/* An end sentinel in the middle. */
	assert_int_equal(t1("%B4111111111111111^DOE?JOHN^2512101?"),
			 -TRACK_E_CHARSET);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512101%?"),
			 -TRACK_E_CHARSET);
	assert_int_equal(t1("%?"), -TRACK_E_FORMAT_CODE);
	assert_int_equal(t1("%A4111111111111111^DOE/JOHN^2512101?"),
			 -TRACK_E_FORMAT_CODE);
	assert_int_equal(track1_parse(NULL, 3, &t), -TRACK_E_INVAL);
	assert_int_equal(track1_parse(T1_VISA, strlen(T1_VISA), NULL),
			 -TRACK_E_INVAL);

	/* 78 characters (79 with the LRC) fit; one more does not. */
	strcpy(s, "%B4111111111111111^DOE/JOHN^2512101");
	fill(s + strlen(s), 78 - 1 - strlen(s), '0');
	strcat(s, "?");
	assert_int_equal(strlen(s), 78);
	assert_int_equal(t1(s), 0);
	s[77] = '0';
	strcat(s, "?");
	assert_int_equal(t1(s), -TRACK_E_TOO_LONG);
}

static void test_track1_separators(void **state)
{
	assert_int_equal(t1("%B4111111111111111DOE/JOHN^2512101?"),
			 -TRACK_E_SEPARATOR);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN2512101?"),
			 -TRACK_E_SEPARATOR);
	assert_int_equal(t1("%B41111111111111112512101?"), -TRACK_E_SEPARATOR);
	/* A third separator lands in the discretionary data. */
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512101^1?"),
			 -TRACK_E_DISCRETIONARY);
	/* ISO/IEC 7813 lets a separator stand for a missing expiry; a
	 * payment card without one is reported as such. */
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^^101?"),
			 -TRACK_E_EXPIRY);
}

static void test_track1_pan(void **state)
{
	assert_int_equal(t1("%B^DOE/JOHN^2512101?"), -TRACK_E_PAN_LENGTH);
	assert_int_equal(t1("%B4111111111111111111^DOE/JOHN^2512101?"), 0);
	assert_int_equal(t1("%B41111111111111111111^DOE/JOHN^2512101?"),
			 -TRACK_E_PAN_LENGTH);
	assert_int_equal(t1("%B4111 1111 1111 1111^DOE/JOHN^2512101?"),
			 -TRACK_E_PAN_DIGITS);
	assert_int_equal(t1("%B411111111111111A^DOE/JOHN^2512101?"),
			 -TRACK_E_PAN_DIGITS);
}

static void test_track1_name(void **state)
{
	struct track1 t;
	const char *s26 = "%B4111111111111111^ABCDEFGHIJKLMNOPQRSTUVWXY/"
			  "^2512101?";

	assert_int_equal(t1("%B4111111111111111^D^2512101?"),
			 -TRACK_E_NAME_LENGTH);
	assert_int_equal(t1("%B4111111111111111^^2512101?"),
			 -TRACK_E_NAME_LENGTH);
	assert_int_equal(track1_parse(s26, strlen(s26), &t), 0);
	assert_int_equal(strlen(t.name), 26);
	explicit_bzero(&t, sizeof(t));
	assert_int_equal(t1("%B4111111111111111^ABCDEFGHIJKLMNOPQRSTUVWXYZ/"
			    "^2512101?"),
			 -TRACK_E_NAME_LENGTH);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN MR.^2512101?"), 0);
	assert_int_equal(t1("%B4111111111111111^O-NEIL/ANN^2512101?"), 0);
	assert_int_equal(t1("%B4111111111111111^doe/john^2512101?"),
			 -TRACK_E_NAME_CHARSET);
	assert_int_equal(t1("%B4111111111111111^DOE&JOHN^2512101?"),
			 -TRACK_E_NAME_CHARSET);
	assert_int_equal(t1("%B4111111111111111^DOE\x01JOHN^2512101?"),
			 -TRACK_E_NAME_CHARSET);
}

static void expiry_expect(const char *yymm, int want, unsigned int year,
			  unsigned int month)
{
	char s1[64], s2[64];
	struct track1 a;
	struct track2 b;

	snprintf(s1, sizeof(s1), "%%B4111111111111111^DOE/JOHN^%s101?", yymm);
	snprintf(s2, sizeof(s2), ";4111111111111111=%s101?", yymm);
	assert_int_equal(track1_parse(s1, strlen(s1), &a), want);
	assert_int_equal(track2_parse(s2, strlen(s2), &b), want);
	if (!want) {
		assert_string_equal(a.expiry.yymm, yymm);
		assert_int_equal(a.expiry.year, year);
		assert_int_equal(a.expiry.month, month);
		assert_string_equal(b.expiry.yymm, yymm);
		assert_int_equal(b.expiry.year, year);
		assert_int_equal(b.expiry.month, month);
	}
	explicit_bzero(&a, sizeof(a));
	explicit_bzero(&b, sizeof(b));
}

static void test_expiry(void **state)
{
	expiry_expect("2512", 0, 2025, 12);
	expiry_expect("2501", 0, 2025, 1);
	expiry_expect("0001", 0, 2000, 1);
	expiry_expect("9912", 0, 2099, 12);
	expiry_expect("2500", -TRACK_E_EXPIRY_MONTH, 0, 0);
	expiry_expect("2513", -TRACK_E_EXPIRY_MONTH, 0, 0);
	expiry_expect("2599", -TRACK_E_EXPIRY_MONTH, 0, 0);
	expiry_expect("25A1", -TRACK_E_EXPIRY, 0, 0);
	expiry_expect("2=12", -TRACK_E_EXPIRY, 0, 0);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^251?"),
			 -TRACK_E_EXPIRY);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^?"), -TRACK_E_EXPIRY);
}

static void test_expiry_passed(void **state)
{
	struct track2 t;

	assert_int_equal(track2_parse(";" PAN_VISA "=2512101?",
				      strlen(";" PAN_VISA "=2512101?"), &t),
			 0);
	/* Good through the last day of December 2025. */
	assert_false(track_expiry_passed(&t.expiry, 2025, 12));
	assert_false(track_expiry_passed(&t.expiry, 2025, 1));
	assert_false(track_expiry_passed(&t.expiry, 2024, 12));
	assert_true(track_expiry_passed(&t.expiry, 2026, 1));
	assert_true(track_expiry_passed(&t.expiry, 2030, 6));
	explicit_bzero(&t, sizeof(t));

	assert_int_equal(track2_parse(";" PAN_VISA "=2501101?",
				      strlen(";" PAN_VISA "=2501101?"), &t),
			 0);
	assert_false(track_expiry_passed(&t.expiry, 2025, 1));
	assert_true(track_expiry_passed(&t.expiry, 2025, 2));
	explicit_bzero(&t, sizeof(t));
}

static void test_service_code(void **state)
{
	struct track2 t;

	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^251210?"),
			 -TRACK_E_SERVICE_CODE);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512?"),
			 -TRACK_E_SERVICE_CODE);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^25121A1?"),
			 -TRACK_E_SERVICE_CODE);
	assert_int_equal(t2(";4111111111111111=251210?"),
			 -TRACK_E_SERVICE_CODE);
	assert_int_equal(t2(";4111111111111111=2512?"), -TRACK_E_SERVICE_CODE);
	assert_int_equal(t2(";4111111111111111=25121A1?"),
			 -TRACK_E_SERVICE_CODE);
	assert_int_equal(track2_parse(";4111111111111111=2512201?",
				      strlen(";4111111111111111=2512201?"), &t),
			 0);
	assert_string_equal(t.service_code, "201");
	assert_true(t.discretionary[0] == '\0');
	explicit_bzero(&t, sizeof(t));
}

static void test_track1_discretionary(void **state)
{
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512101 12 AB?"), 0);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512101abc?"),
			 -TRACK_E_DISCRETIONARY);
	assert_int_equal(t1("%B4111111111111111^DOE/JOHN^2512101\x7f?"),
			 -TRACK_E_DISCRETIONARY);
}

/* A failed parse leaves the caller's structure as it was. */
static void test_track1_untouched(void **state)
{
	struct track1 t, before;

	memset(&t, 0xa5, sizeof(t));
	before = t;
	assert_int_equal(track1_parse("%B4111111111111111^DOE/JOHN^2513101?",
				      strlen("%B4111111111111111^DOE/JOHN^"
					     "2513101?"),
				      &t),
			 -TRACK_E_EXPIRY_MONTH);
	assert_true(memcmp(&t, &before, sizeof(t)) == 0);
}

/* ---- track 2 ---------------------------------------------------------- */

static void test_track2_valid(void **state)
{
	struct track2 t, before;

	assert_int_equal(track2_parse(T2_VISA, strlen(T2_VISA), &t), 0);
	assert_true(strcmp(t.pan, PAN_VISA) == 0);
	assert_string_equal(t.expiry.yymm, "2512");
	assert_int_equal(t.expiry.year, 2025);
	assert_int_equal(t.expiry.month, 12);
	assert_string_equal(t.service_code, "101");
	assert_true(strcmp(t.discretionary, DD2_VISA) == 0);

	assert_int_equal(track2_parse(T2_MC, strlen(T2_MC), &t), 0);
	assert_true(strcmp(t.pan, PAN_MC) == 0);
	assert_string_equal(t.service_code, "201");
	assert_int_equal(track2_parse(T2_AMEX, strlen(T2_AMEX), &t), 0);
	assert_true(strcmp(t.pan, PAN_AMEX) == 0);
	assert_int_equal(t.expiry.year, 2027);
	assert_int_equal(t.expiry.month, 4);

	memset(&t, 0x5a, sizeof(t));
	before = t;
	assert_int_equal(track2_parse(";4111111111111111=2500101?",
				      strlen(";4111111111111111=2500101?"), &t),
			 -TRACK_E_EXPIRY_MONTH);
	assert_true(memcmp(&t, &before, sizeof(t)) == 0);
	explicit_bzero(&t, sizeof(t));
}

static void test_track2_errors(void **state)
{
	char s[64];

	assert_int_equal(t2(""), -TRACK_E_EMPTY);
	assert_int_equal(t2("4111111111111111=2512101?"), -TRACK_E_START);
	assert_int_equal(t2("%4111111111111111=2512101?"), -TRACK_E_START);
	assert_int_equal(t2(";4111111111111111=2512101"), -TRACK_E_END);
	assert_int_equal(t2(";41111111?11111111=2512101?"), -TRACK_E_CHARSET);
	assert_int_equal(t2(";4111111111111111;2512101?"), -TRACK_E_CHARSET);
	assert_int_equal(t2(";41111111111111112512101?"), -TRACK_E_SEPARATOR);
	assert_int_equal(t2(";=2512101?"), -TRACK_E_PAN_LENGTH);
	assert_int_equal(t2(";4111111111111111111=2512101?"), 0);
	assert_int_equal(t2(";41111111111111111111=2512101?"),
			 -TRACK_E_PAN_LENGTH);
	assert_int_equal(t2(";411111111111111A=2512101?"), -TRACK_E_PAN_DIGITS);
	assert_int_equal(t2(";41111111:1111111=2512101?"), -TRACK_E_PAN_DIGITS);
	assert_int_equal(t2(";4111111111111111=2512101123=4?"),
			 -TRACK_E_DISCRETIONARY);
	assert_int_equal(t2(";4111111111111111=2512101123<4?"),
			 -TRACK_E_DISCRETIONARY);
	assert_int_equal(t2(";4111111111111111=2512101 1?"),
			 -TRACK_E_DISCRETIONARY);

	/* 39 characters (40 with the LRC) fit; one more does not. */
	strcpy(s, ";4111111111111111=2512101");
	fill(s + strlen(s), 39 - 1 - strlen(s), '0');
	strcat(s, "?");
	assert_int_equal(strlen(s), 39);
	assert_int_equal(t2(s), 0);
	s[38] = '0';
	strcat(s, "?");
	assert_int_equal(t2(s), -TRACK_E_TOO_LONG);
}

static void test_track3(void **state)
{
	assert_int_equal(track3_check(T3_DATA, strlen(T3_DATA)), 0);
	assert_int_equal(track3_check("", 0), -TRACK_E_EMPTY);
	assert_int_equal(track3_check("0123?", 5), -TRACK_E_START);
	assert_int_equal(track3_check(";0123", 5), -TRACK_E_END);
	assert_int_equal(track3_check(";01:3?", 6), -TRACK_E_CHARSET);
	assert_int_equal(track3_check(NULL, 1), -TRACK_E_INVAL);
}

static void test_strerror(void **state)
{
	int i, j;

	for (i = 0; i < TRACK_E_COUNT; i++) {
		assert_non_null(track_strerror(-i));
		assert_true(strlen(track_strerror(-i)) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(track_strerror(-i),
						track_strerror(-j));
	}
	assert_string_equal(track_strerror(-TRACK_E_COUNT),
			    "unknown track error");
	assert_string_equal(track_strerror(-1000), "unknown track error");
	assert_string_equal(track_strerror(-TRACK_E_LRC), "LRC mismatch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_known_bytes),
		cmocka_unit_test(test_decode_bad_lrc),
		cmocka_unit_test(test_decode_bad_parity),
		cmocka_unit_test(test_decode_sentinels),
		cmocka_unit_test(test_decode_bad_input),
		cmocka_unit_test(test_decode_record_length),
		cmocka_unit_test(test_encode_raw),
		cmocka_unit_test(test_track1_valid),
		cmocka_unit_test(test_track1_frame),
		cmocka_unit_test(test_track1_separators),
		cmocka_unit_test(test_track1_pan),
		cmocka_unit_test(test_track1_name),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_expiry_passed),
		cmocka_unit_test(test_service_code),
		cmocka_unit_test(test_track1_discretionary),
		cmocka_unit_test(test_track1_untouched),
		cmocka_unit_test(test_track2_valid),
		cmocka_unit_test(test_track2_errors),
		cmocka_unit_test(test_track3),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
