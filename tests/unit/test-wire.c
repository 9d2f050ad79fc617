// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the wire codec (driver/wire.c).
 *
 * Track data in these tests stands in for card data, so it is never handed
 * to a cmocka macro that prints its operands: byte comparisons go through
 * assert_true(memcmp(...) == 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <posreader/wire.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes used to detect writes through an output pointer. */
#define POISON 0xa5

static const u8 command_types[] = {
	PRW_CMD_GET_INFO,      PRW_CMD_GET_STATUS, PRW_CMD_ICC_POWER_ON,
	PRW_CMD_ICC_POWER_OFF, PRW_CMD_APDU,	   PRW_CMD_NFC_POLL,
	PRW_CMD_NFC_RELEASE,   PRW_CMD_AUTH,	   PRW_CMD_SET_INDICATORS,
};

static const u8 event_types[] = {
	PRW_EVT_SWIPE,	     PRW_EVT_ICC_INSERTED, PRW_EVT_ICC_REMOVED,
	PRW_EVT_NFC_PRESENT, PRW_EVT_NFC_GONE,	   PRW_EVT_TAMPER,
	PRW_EVT_ERROR,
};

/* Types whose payload is always empty. */
static const u8 empty_types[] = {
	PRW_CMD_GET_INFO,
	PRW_CMD_GET_STATUS,
	PRW_CMD_ICC_POWER_ON,
	PRW_CMD_ICC_POWER_OFF,
	PRW_CMD_NFC_RELEASE,
	PRW_CMD_ICC_POWER_OFF | PRW_RSP_BIT,
	PRW_CMD_NFC_RELEASE | PRW_RSP_BIT,
	PRW_CMD_SET_INDICATORS | PRW_RSP_BIT,
	PRW_EVT_ICC_INSERTED,
	PRW_EVT_ICC_REMOVED,
	PRW_EVT_NFC_GONE,
};

/* A test magstripe card (not a live account). */
static const char track1[] =
	"%B4111111111111111^TEST/CARD^30121010000000000000?";
static const char track2[] = ";4111111111111111=30121010000000000?";

/* ---- helpers ---------------------------------------------------------- */

static void put16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/*
 * Write a frame with any header values and a correct CRC, so a decoder
 * gets past the CRC check to the fault under test. Returns its length.
 */
static size_t raw_frame(u8 *buf, u8 magic, u8 type, u8 seq, u8 flags,
			u16 len_field, u8 status, u8 reserved,
			const u8 *payload, size_t plen)
{
	buf[0] = magic;
	buf[1] = type;
	buf[2] = seq;
	buf[3] = flags;
	put16(buf + 4, len_field);
	buf[6] = status;
	buf[7] = reserved;
	if (plen)
		memcpy(buf + PRW_HDR_LEN, payload, plen);
	put32(buf + PRW_HDR_LEN + plen, prw_crc32(0, buf, PRW_HDR_LEN + plen));
	return PRW_HDR_LEN + plen + PRW_CRC_LEN;
}

/* A frame with well-formed header fields around a payload. */
static size_t good_frame(u8 *buf, u8 type, u8 flags, u8 status,
			 const u8 *payload, size_t plen)
{
	return raw_frame(buf, PRW_MAGIC, type, 7, flags, (u16)plen, status, 0,
			 payload, plen);
}

/* Decode and check that the error comes back and *ret is untouched. */
static void expect_frame_error(const u8 *buf, size_t n, int err)
{
	struct prw_frame f, ref;

	memset(&f, POISON, sizeof(f));
	memset(&ref, POISON, sizeof(ref));
	assert_int_equal(prw_frame_decode(buf, n, &f), -err);
	assert_true(memcmp(&f, &ref, sizeof(f)) == 0);
}

static void fill_info(struct prw_info *info)
{
	memset(info, 0, sizeof(*info));
	info->proto_version = PRW_PROTO_VERSION;
	info->caps = PRW_CAP_MAGSTRIPE | PRW_CAP_ICC | PRW_CAP_NFC |
		     PRW_CAP_AUTH | PRW_CAP_INDICATORS;
	info->max_payload = PRW_MAX_PAYLOAD;
	strcpy(info->vendor, "Posreader Project");
	strcpy(info->model, "SIM-1");
	strcpy(info->serial, "PR0000123456");
	strcpy(info->firmware, "1.2.3");
}

static void fill_target_a(struct prw_nfc_target *t, u8 uid_len)
{
	u8 i;

	memset(t, 0, sizeof(*t));
	t->protocol = PRW_NFC_14443A;
	t->uid_len = uid_len;
	for (i = 0; i < uid_len; i++)
		t->uid[i] = 0x04 + i;
	t->atqa[0] = 0x44;
	t->atqa[1] = 0x00;
	t->sak = 0x20;
	t->ats_len = 5;
	t->ats[0] = 0x75;
	t->ats[1] = 0x77;
	t->ats[2] = 0x81;
	t->ats[3] = 0x02;
	t->ats[4] = 0x80;
}

static void fill_target_b(struct prw_nfc_target *t)
{
	static const u8 atqb[] = { 0x50, 0x12, 0x34, 0x56, 0x78, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x71, 0x71 };

	memset(t, 0, sizeof(*t));
	t->protocol = PRW_NFC_14443B;
	t->uid_len = 4;
	t->uid[0] = 0x12;
	t->uid[1] = 0x34;
	t->uid[2] = 0x56;
	t->uid[3] = 0x78;
	t->ats_len = sizeof(atqb);
	memcpy(t->ats, atqb, sizeof(atqb));
}

static void set_track(struct prw_track *t, u8 status, u8 encoding,
		      const void *data, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->status = status;
	t->encoding = encoding;
	t->len = (u8)len;
	if (len)
		memcpy(t->data, data, len);
}

static void fill_swipe(struct prw_swipe *sw)
{
	set_track(&sw->track[0], PRW_TRACK_OK, PRW_TRACK_ASCII, track1,
		  strlen(track1));
	set_track(&sw->track[1], PRW_TRACK_OK, PRW_TRACK_ASCII, track2,
		  strlen(track2));
	set_track(&sw->track[2], PRW_TRACK_EMPTY, PRW_TRACK_ASCII, NULL, 0);
}

/* A valid payload for an OK frame of this type; returns its length. */
static size_t sample_payload(u8 type, u8 *buf, size_t cap)
{
	static const u8 select_ppse[] = { 0x00, 0xa4, 0x04, 0x00, 0x0e,
					  '2',	'P',  'A',  'Y',  '.',
					  'S',	'Y',  'S',  '.',  'D',
					  'D',	'F',  '0',  '1',  0x00 };
	static const u8 rapdu[] = { 0x6f, 0x02, 0x84, 0x00, 0x90, 0x00 };
	struct prw_info info;
	struct prw_status_info st = { PRW_STATE_ICC_PRESENT, 0 };
	struct prw_atr atr = { 4, { 0x3b, 0x02, 0x14, 0x50 } };
	struct prw_nfc_poll poll = { 500 };
	struct prw_nfc_target t;
	struct prw_indicators ind = { PRW_LED_GREEN | PRW_LED_BLUE, 150 };
	struct prw_swipe sw;
	struct prw_tamper tamper = { PRW_TAMPER_MESH };
	struct prw_dev_error de = { PRW_DEVERR_OVERFLOW, 3 };
	u8 challenge[PRW_AUTH_CHALLENGE_LEN];
	int r = 0;
	size_t i;

	switch (type) {
	case PRW_CMD_GET_INFO | PRW_RSP_BIT:
		fill_info(&info);
		r = prw_info_encode(buf, cap, &info);
		break;
	case PRW_CMD_GET_STATUS | PRW_RSP_BIT:
		r = prw_status_info_encode(buf, cap, &st);
		break;
	case PRW_CMD_ICC_POWER_ON | PRW_RSP_BIT:
		r = prw_atr_encode(buf, cap, &atr);
		break;
	case PRW_CMD_APDU:
		r = prw_apdu_encode(buf, cap, PRW_SLOT_ICC, select_ppse,
				    sizeof(select_ppse));
		break;
	case PRW_CMD_APDU | PRW_RSP_BIT:
		memcpy(buf, rapdu, sizeof(rapdu));
		r = sizeof(rapdu);
		break;
	case PRW_CMD_NFC_POLL:
		r = prw_nfc_poll_encode(buf, cap, &poll);
		break;
	case PRW_CMD_NFC_POLL | PRW_RSP_BIT:
	case PRW_EVT_NFC_PRESENT:
		fill_target_a(&t, 7);
		r = prw_nfc_target_encode(buf, cap, &t);
		break;
	case PRW_CMD_AUTH:
	case PRW_CMD_AUTH | PRW_RSP_BIT:
		for (i = 0; i < sizeof(challenge); i++)
			challenge[i] = (u8)(i * 7 + type);
		r = prw_auth_encode(buf, cap, challenge);
		break;
	case PRW_CMD_SET_INDICATORS:
		r = prw_indicators_encode(buf, cap, &ind);
		break;
	case PRW_EVT_SWIPE:
		fill_swipe(&sw);
		r = prw_swipe_encode(buf, cap, &sw);
		break;
	case PRW_EVT_TAMPER:
		r = prw_tamper_encode(buf, cap, &tamper);
		break;
	case PRW_EVT_ERROR:
		r = prw_dev_error_encode(buf, cap, &de);
		break;
	default:
		r = 0;
		break;
	}
	assert_true(r >= 0);
	return (size_t)r;
}

/* Run the typed decoder that belongs to an OK frame of this type. */
static int decode_typed(u8 type, const u8 *p, size_t len)
{
	struct prw_info info;
	struct prw_status_info st;
	struct prw_atr atr;
	struct prw_nfc_poll poll;
	struct prw_nfc_target t;
	struct prw_indicators ind;
	struct prw_swipe sw;
	struct prw_tamper tamper;
	struct prw_dev_error de;
	const u8 *ptr;
	size_t n;
	u8 slot;

	switch (type) {
	case PRW_CMD_GET_INFO | PRW_RSP_BIT:
		return prw_info_decode(p, len, &info);
	case PRW_CMD_GET_STATUS | PRW_RSP_BIT:
		return prw_status_info_decode(p, len, &st);
	case PRW_CMD_ICC_POWER_ON | PRW_RSP_BIT:
		return prw_atr_decode(p, len, &atr);
	case PRW_CMD_APDU:
		return prw_apdu_decode(p, len, &slot, &ptr, &n);
	case PRW_CMD_APDU | PRW_RSP_BIT:
		return prw_rapdu_check(p, len);
	case PRW_CMD_NFC_POLL:
		return prw_nfc_poll_decode(p, len, &poll);
	case PRW_CMD_NFC_POLL | PRW_RSP_BIT:
	case PRW_EVT_NFC_PRESENT:
		return prw_nfc_target_decode(p, len, &t);
	case PRW_CMD_AUTH:
		return prw_auth_decode(p, len, &ptr);
	case PRW_CMD_AUTH | PRW_RSP_BIT:
		return prw_auth_rsp_check(p, len);
	case PRW_CMD_SET_INDICATORS:
		return prw_indicators_decode(p, len, &ind);
	case PRW_EVT_SWIPE:
		return prw_swipe_decode(p, len, &sw);
	case PRW_EVT_TAMPER:
		return prw_tamper_decode(p, len, &tamper);
	case PRW_EVT_ERROR:
		return prw_dev_error_decode(p, len, &de);
	default:
		return len == 0 ? 0 : -PRW_E_PAYLOAD;
	}
}

/* Encode, decode and compare one frame. */
static void round_trip(u8 type, u8 seq, u8 flags, u8 status)
{
	u8 payload[PRW_MAX_PAYLOAD];
	u8 buf[PRW_MAX_FRAME];
	struct prw_frame f;
	size_t plen = 0;
	int n;

	if (status == PRW_ST_OK)
		plen = sample_payload(type, payload, sizeof(payload));
	n = prw_frame_encode(buf, sizeof(buf), type, seq, flags, status,
			     plen ? payload : NULL, plen);
	assert_int_equal(n, PRW_HDR_LEN + plen + PRW_CRC_LEN);
	assert_int_equal(prw_frame_decode(buf, (size_t)n, &f), 0);
	assert_int_equal(f.type, type);
	assert_int_equal(f.seq, seq);
	assert_int_equal(f.flags, flags);
	assert_int_equal(f.status, status);
	assert_int_equal(f.len, plen);
	assert_ptr_equal(f.payload, buf + PRW_HDR_LEN);
	assert_true(memcmp(f.payload, payload, plen) == 0);
	if (status == PRW_ST_OK)
		assert_int_equal(decode_typed(type, f.payload, f.len), 0);
}

/* ---- CRC -------------------------------------------------------------- */

static void test_crc_check_value(void **state)
{
	static const u8 check[] = "123456789";
	static const u8 fox[] = "The quick brown fox jumps over the lazy dog";

	assert_int_equal(prw_crc32(0, check, 9), 0xcbf43926);
	assert_int_equal(prw_crc32(0, fox, sizeof(fox) - 1), 0x414fa339);
	assert_int_equal(prw_crc32(0, check, 0), 0);
	/* One zero byte: a classic vector that catches init/xorout slips. */
	assert_int_equal(prw_crc32(0, (const u8 *)"\0", 1), 0xd202ef8d);
}

static void test_crc_chaining(void **state)
{
	u8 data[300];
	u32 whole, crc;
	size_t i, split;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i * 31 + 5);
	whole = prw_crc32(0, data, sizeof(data));
	for (split = 0; split <= sizeof(data); split++) {
		crc = prw_crc32(0, data, split);
		crc = prw_crc32(crc, data + split, sizeof(data) - split);
		assert_int_equal(crc, whole);
	}
	/* Byte by byte. */
	crc = 0;
	for (i = 0; i < sizeof(data); i++)
		crc = prw_crc32(crc, data + i, 1);
	assert_int_equal(crc, whole);
}

/* ---- type helpers, names ---------------------------------------------- */

static void test_type_classes(void **state)
{
	int cmds = 0, rsps = 0, evts = 0;
	unsigned int t;

	for (t = 0; t < 256; t++) {
		bool c = prw_type_is_command((u8)t);
		bool r = prw_type_is_response((u8)t);
		bool e = prw_type_is_event((u8)t);

		/* A type is at most one of the three. */
		assert_true(c + r + e <= 1);
		cmds += c;
		rsps += r;
		evts += e;
		if (c) {
			assert_int_equal(prw_response_type((u8)t),
					 t | PRW_RSP_BIT);
			assert_true(
				prw_type_is_response(prw_response_type((u8)t)));
		} else {
			assert_int_equal(prw_response_type((u8)t), 0);
		}
	}
	assert_int_equal(cmds, ARRAY_SIZE(command_types));
	assert_int_equal(rsps, ARRAY_SIZE(command_types));
	assert_int_equal(evts, ARRAY_SIZE(event_types));
	assert_false(prw_type_is_command(0));
	assert_false(prw_type_is_response(PRW_RSP_BIT));
	assert_false(prw_type_is_event(PRW_EVT_LAST + 1));
}

static void test_strerror(void **state)
{
	int i, j;

	for (i = 0; i < PRW_E_COUNT; i++) {
		const char *s = prw_strerror(-i);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_equal(s, prw_strerror(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(s, prw_strerror(-j));
	}
	assert_string_equal(prw_strerror(-PRW_E_COUNT), "unknown error");
	assert_string_equal(prw_strerror(-1000), "unknown error");
	assert_string_equal(prw_strerror(1000), "unknown error");
}

static void test_status_name(void **state)
{
	unsigned int s;

	assert_string_equal(prw_status_name(PRW_ST_OK), "ok");
	assert_string_equal(prw_status_name(PRW_ST_NO_CARD), "no-card");
	assert_string_equal(prw_status_name(PRW_ST_INTERNAL), "internal");
	for (s = 0; s <= PRW_ST_LAST; s++)
		assert_string_not_equal(prw_status_name((u8)s), "unknown");
	for (s = PRW_ST_LAST + 1; s < 256; s++)
		assert_string_equal(prw_status_name((u8)s), "unknown");
}

/* ---- frame round trips ------------------------------------------------ */

static void test_roundtrip_commands(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(command_types); i++) {
		round_trip(command_types[i], 0, 0, PRW_ST_OK);
		round_trip(command_types[i], (u8)(i + 1), 0, PRW_ST_OK);
		round_trip(command_types[i], 0xff, 0, PRW_ST_OK);
	}
}

static void test_roundtrip_responses(void **state)
{
	unsigned int st;
	size_t i;
	u8 rsp;

	for (i = 0; i < ARRAY_SIZE(command_types); i++) {
		rsp = prw_response_type(command_types[i]);
		for (st = PRW_ST_OK; st <= PRW_ST_LAST; st++)
			round_trip(rsp, (u8)(0x80 + i), 0, (u8)st);
	}
}

static void test_roundtrip_events(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(event_types); i++) {
		round_trip(event_types[i], (u8)i, 0, PRW_ST_OK);
		round_trip(event_types[i], 0xfe, PRW_FLAG_EVT_LOST, PRW_ST_OK);
	}
}

static void test_roundtrip_max_payload(void **state)
{
	u8 payload[PRW_MAX_PAYLOAD + 1];
	u8 buf[PRW_MAX_FRAME + 1];
	u8 rsp = PRW_CMD_APDU | PRW_RSP_BIT;
	struct prw_frame f;
	size_t i;
	int n;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (u8)i;
	n = prw_frame_encode(buf, PRW_MAX_FRAME, rsp, 1, 0, PRW_ST_OK, payload,
			     PRW_MAX_PAYLOAD);
	assert_int_equal(n, PRW_MAX_FRAME);
	assert_int_equal(prw_frame_decode(buf, (size_t)n, &f), 0);
	assert_int_equal(f.len, PRW_MAX_PAYLOAD);
	assert_true(memcmp(f.payload, payload, PRW_MAX_PAYLOAD) == 0);
	assert_int_equal(prw_rapdu_check(f.payload, f.len), 0);

	/* One more byte is refused by the encoder and by the decoder. */
	assert_int_equal(prw_frame_encode(buf, sizeof(buf), rsp, 1, 0,
					  PRW_ST_OK, payload,
					  PRW_MAX_PAYLOAD + 1),
			 -PRW_E_INVAL);
	n = (int)raw_frame(buf, PRW_MAGIC, rsp, 1, 0, PRW_MAX_PAYLOAD + 1,
			   PRW_ST_OK, 0, payload, PRW_MAX_PAYLOAD + 1);
	expect_frame_error(buf, (size_t)n, PRW_E_LENGTH);
}

static void test_seal_matches_encode(void **state)
{
	u8 a[PRW_MAX_FRAME], b[PRW_MAX_FRAME];
	size_t i, plen;
	int na, nb;

	for (i = 0; i < ARRAY_SIZE(event_types); i++) {
		u8 type = event_types[i];

		plen = sample_payload(type, PRW_PAYLOAD(a),
				      sizeof(a) - PRW_HDR_LEN);
		memcpy(PRW_PAYLOAD(b), PRW_PAYLOAD(a), plen);
		na = prw_frame_seal(a, sizeof(a), type, 9, 0, 0, plen);
		nb = prw_frame_encode(b, sizeof(b), type, 9, 0, 0,
				      PRW_PAYLOAD(b), plen);
		assert_int_equal(na, PRW_HDR_LEN + plen + PRW_CRC_LEN);
		assert_int_equal(na, nb);
		assert_true(memcmp(a, b, (size_t)na) == 0);
		assert_int_equal(prw_frame_decode(a, (size_t)na, NULL), 0);
	}
	/* Seal with no room for the CRC. */
	assert_int_equal(prw_frame_seal(a, PRW_HDR_LEN + 4 + PRW_CRC_LEN - 1,
					PRW_EVT_TAMPER, 0, 0, 0, 4),
			 -PRW_E_NOSPACE);
	assert_int_equal(prw_frame_seal(a, sizeof(a), PRW_EVT_TAMPER, 0, 0, 0,
					PRW_MAX_PAYLOAD + 1),
			 -PRW_E_INVAL);
	assert_int_equal(
		prw_frame_seal(a, sizeof(a), PRW_EVT_ICC_REMOVED, 0, 0, 0, 1),
		-PRW_E_INVAL);
}

/* A known frame, byte for byte, as docs/protocol.md shows it. */
static void test_known_frame_bytes(void **state)
{
	static const u8 expect[] = { 0x50, 0x09, 0x01, 0x00, 0x04, 0x00,
				     0x00, 0x00, 0x01, 0x00, 0x96, 0x00,
				     0xdb, 0x8d, 0xcc, 0xc8 };
	static const u8 get_info[] = { 0x50, 0x01, 0x01, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0xbe, 0xf4, 0x2f, 0x5d };
	static const u8 no_card[] = { 0x50, 0x86, 0x03, 0x00, 0x00, 0x00,
				      0x03, 0x00, 0x0a, 0xd2, 0x7b, 0x76 };
	static const u8 removed[] = { 0x50, 0x43, 0x05, 0x01, 0x00, 0x00,
				      0x00, 0x00, 0x48, 0xfb, 0x4a, 0x28 };
	struct prw_indicators ind = { PRW_LED_GREEN, 150 };
	u8 buf[PRW_MAX_FRAME];
	int plen, n;

	plen = prw_indicators_encode(PRW_PAYLOAD(buf), PRW_MAX_PAYLOAD, &ind);
	assert_int_equal(plen, 4);
	n = prw_frame_seal(buf, sizeof(buf), PRW_CMD_SET_INDICATORS, 1, 0, 0,
			   (size_t)plen);
	assert_int_equal(n, sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));

	n = prw_frame_encode(buf, sizeof(buf), PRW_CMD_GET_INFO, 1, 0, 0, NULL,
			     0);
	assert_int_equal(n, sizeof(get_info));
	assert_memory_equal(buf, get_info, sizeof(get_info));

	n = prw_frame_encode(buf, sizeof(buf), PRW_CMD_NFC_POLL | PRW_RSP_BIT,
			     3, 0, PRW_ST_NO_CARD, NULL, 0);
	assert_int_equal(n, sizeof(no_card));
	assert_memory_equal(buf, no_card, sizeof(no_card));

	n = prw_frame_encode(buf, sizeof(buf), PRW_EVT_ICC_REMOVED, 5,
			     PRW_FLAG_EVT_LOST, 0, NULL, 0);
	assert_int_equal(n, sizeof(removed));
	assert_memory_equal(buf, removed, sizeof(removed));
}

/* ---- frame decode errors ---------------------------------------------- */

static void test_decode_short(void **state)
{
	u8 buf[PRW_MAX_FRAME];
	size_t n, i;

	n = good_frame(buf, PRW_EVT_ICC_INSERTED, 0, 0, NULL, 0);
	assert_int_equal(n, PRW_MIN_FRAME);
	for (i = 0; i < PRW_MIN_FRAME; i++)
		expect_frame_error(buf, i, PRW_E_SHORT);
	expect_frame_error(NULL, 0, PRW_E_SHORT);
	expect_frame_error(NULL, PRW_MAX_FRAME, PRW_E_SHORT);
	/* Short wins over a bad magic. */
	buf[0] = 0;
	expect_frame_error(buf, PRW_MIN_FRAME - 1, PRW_E_SHORT);
}

static void test_decode_magic(void **state)
{
	u8 buf[PRW_MAX_FRAME];
	unsigned int m;
	size_t n;

	for (m = 0; m < 256; m++) {
		if (m == PRW_MAGIC)
			continue;
		n = raw_frame(buf, (u8)m, PRW_EVT_ICC_INSERTED, 0, 0, 0, 0, 0,
			      NULL, 0);
		expect_frame_error(buf, n, PRW_E_MAGIC);
	}
	/* Magic wins over a bad length. */
	n = raw_frame(buf, 0x51, PRW_EVT_ICC_INSERTED, 0, 0, 0xffff, 0, 0, NULL,
		      0);
	expect_frame_error(buf, n, PRW_E_MAGIC);
}

static void test_decode_length(void **state)
{
	static const u16 bad[] = { PRW_MAX_PAYLOAD + 1, 0x1000, 0x8000,
				   0xffff };
	u8 buf[PRW_MAX_FRAME + 64];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* The buffer holds a minimal frame; only the field lies. */
		n = raw_frame(buf, PRW_MAGIC, PRW_EVT_ICC_INSERTED, 0, 0,
			      bad[i], 0, 0, NULL, 0);
		expect_frame_error(buf, n, PRW_E_LENGTH);
		/* Also when the buffer is as long as the field claims. */
		expect_frame_error(buf, sizeof(buf), PRW_E_LENGTH);
	}
}

static void test_decode_truncated_trailing(void **state)
{
	u8 payload[4] = { PRW_TAMPER_CASE_OPEN, 0, 0, 0 };
	u8 buf[PRW_MAX_FRAME + 8];
	size_t n, cut;

	memset(buf, 0, sizeof(buf));
	n = good_frame(buf, PRW_EVT_TAMPER, 0, 0, payload, 2);
	assert_int_equal(prw_frame_decode(buf, n, NULL), 0);
	for (cut = PRW_MIN_FRAME; cut < n; cut++)
		expect_frame_error(buf, cut, PRW_E_TRUNCATED);
	expect_frame_error(buf, n + 1, PRW_E_TRAILING);
	expect_frame_error(buf, n + 8, PRW_E_TRAILING);

	/* A length field that claims the maximum over a short buffer. */
	n = raw_frame(buf, PRW_MAGIC, PRW_EVT_TAMPER, 0, 0, PRW_MAX_PAYLOAD, 0,
		      0, payload, 2);
	expect_frame_error(buf, n, PRW_E_TRUNCATED);
	/* A length field that claims less than the buffer holds. */
	n = raw_frame(buf, PRW_MAGIC, PRW_EVT_TAMPER, 0, 0, 0, 0, 0, payload,
		      2);
	expect_frame_error(buf, n, PRW_E_TRAILING);
}

static void test_decode_crc(void **state)
{
	u8 payload[PRW_MAX_PAYLOAD];
	u8 buf[PRW_MAX_FRAME];
	size_t plen, n, byte;
	int bit;

	plen = sample_payload(PRW_EVT_SWIPE, payload, sizeof(payload));
	n = good_frame(buf, PRW_EVT_SWIPE, 0, 0, payload, plen);
	assert_int_equal(prw_frame_decode(buf, n, NULL), 0);
	/* Every single-bit error outside magic and length is caught. */
	for (byte = 1; byte < n; byte++) {
		if (byte == 4 || byte == 5)
			continue;
		for (bit = 0; bit < 8; bit++) {
			buf[byte] ^= (u8)(1 << bit);
			expect_frame_error(buf, n, PRW_E_CRC);
			buf[byte] ^= (u8)(1 << bit);
		}
	}
	assert_int_equal(prw_frame_decode(buf, n, NULL), 0);
	/* CRC wins over an unknown type. */
	buf[1] = 0x00;
	expect_frame_error(buf, n, PRW_E_CRC);
}

static void test_decode_type(void **state)
{
	u8 buf[PRW_MAX_FRAME];
	unsigned int t;
	size_t n;
	int r;

	for (t = 0; t < 256; t++) {
		n = good_frame(buf, (u8)t, 0, 0, NULL, 0);
		r = prw_frame_decode(buf, n, NULL);
		if (prw_type_is_command((u8)t) || prw_type_is_response((u8)t) ||
		    prw_type_is_event((u8)t))
			assert_int_equal(r, 0);
		else
			expect_frame_error(buf, n, PRW_E_TYPE);
	}
	/* Type wins over bad flags. */
	n = good_frame(buf, 0x0a, 0x80, 0, NULL, 0);
	expect_frame_error(buf, n, PRW_E_TYPE);
}

static void test_decode_flags(void **state)
{
	u8 buf[PRW_MAX_FRAME];
	unsigned int fl;
	size_t i, n;

	for (fl = 2; fl < 256; fl++) {
		n = good_frame(buf, PRW_EVT_ICC_INSERTED, (u8)fl, 0, NULL, 0);
		expect_frame_error(buf, n, PRW_E_FLAGS);
	}
	/* EVT_LOST is an event flag only. */
	for (i = 0; i < ARRAY_SIZE(command_types); i++) {
		n = good_frame(buf, command_types[i], PRW_FLAG_EVT_LOST, 0,
			       NULL, 0);
		expect_frame_error(buf, n, PRW_E_FLAGS);
		n = good_frame(buf, prw_response_type(command_types[i]),
			       PRW_FLAG_EVT_LOST, PRW_ST_BUSY, NULL, 0);
		expect_frame_error(buf, n, PRW_E_FLAGS);
	}
	n = good_frame(buf, PRW_EVT_NFC_GONE, PRW_FLAG_EVT_LOST, 0, NULL, 0);
	assert_int_equal(prw_frame_decode(buf, n, NULL), 0);
	/* Flags win over a bad status. */
	n = good_frame(buf, PRW_CMD_GET_INFO, PRW_FLAG_EVT_LOST, 1, NULL, 0);
	expect_frame_error(buf, n, PRW_E_FLAGS);
}

static void test_decode_status(void **state)
{
	u8 buf[PRW_MAX_FRAME];
	unsigned int st;
	size_t n;

	/* Commands and events carry status zero. */
	for (st = 1; st < 256; st++) {
		n = good_frame(buf, PRW_CMD_GET_STATUS, 0, (u8)st, NULL, 0);
		expect_frame_error(buf, n, PRW_E_STATUS);
		n = good_frame(buf, PRW_EVT_ICC_REMOVED, 0, (u8)st, NULL, 0);
		expect_frame_error(buf, n, PRW_E_STATUS);
	}
	/* Responses carry a known status. */
	for (st = PRW_ST_LAST + 1; st < 256; st++) {
		n = good_frame(buf, PRW_CMD_GET_STATUS | PRW_RSP_BIT, 0, (u8)st,
			       NULL, 0);
		expect_frame_error(buf, n, PRW_E_STATUS);
	}
	/* Status wins over the reserved byte. */
	n = raw_frame(buf, PRW_MAGIC, PRW_CMD_GET_INFO, 0, 0, 0, 1, 1, NULL, 0);
	expect_frame_error(buf, n, PRW_E_STATUS);
}

static void test_decode_reserved(void **state)
{
	u8 buf[PRW_MAX_FRAME];
	u8 one = 1;
	unsigned int r;
	size_t n;

	for (r = 1; r < 256; r++) {
		n = raw_frame(buf, PRW_MAGIC, PRW_EVT_ICC_INSERTED, 0, 0, 0, 0,
			      (u8)r, NULL, 0);
		expect_frame_error(buf, n, PRW_E_RESERVED);
	}
	/* Reserved wins over the empty-payload rule. */
	n = raw_frame(buf, PRW_MAGIC, PRW_EVT_ICC_INSERTED, 0, 0, 1, 0, 1, &one,
		      1);
	expect_frame_error(buf, n, PRW_E_RESERVED);
}

static void test_decode_empty_payload_rule(void **state)
{
	u8 payload[2] = { 0x90, 0x00 };
	u8 buf[PRW_MAX_FRAME];
	unsigned int st;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(empty_types); i++) {
		n = good_frame(buf, empty_types[i], 0, 0, payload, 1);
		expect_frame_error(buf, n, PRW_E_PAYLOAD);
		n = good_frame(buf, empty_types[i], 0, 0, NULL, 0);
		assert_int_equal(prw_frame_decode(buf, n, NULL), 0);
	}
	/* A response that is not OK has no payload. */
	for (i = 0; i < ARRAY_SIZE(command_types); i++) {
		u8 rsp = prw_response_type(command_types[i]);

		for (st = 1; st <= PRW_ST_LAST; st++) {
			n = good_frame(buf, rsp, 0, (u8)st, payload, 2);
			expect_frame_error(buf, n, PRW_E_PAYLOAD);
		}
	}
}

/* ---- frame encode errors ---------------------------------------------- */

static void test_encode_frame_errors(void **state)
{
	u8 buf[PRW_MAX_FRAME], ref[PRW_MAX_FRAME];
	u8 payload[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	size_t i;

	memset(buf, POISON, sizeof(buf));
	memcpy(ref, buf, sizeof(buf));
	/* Out-of-range arguments. */
	assert_int_equal(
		prw_frame_encode(buf, sizeof(buf), 0x00, 0, 0, 0, NULL, 0),
		-PRW_E_INVAL);
	assert_int_equal(
		prw_frame_encode(buf, sizeof(buf), 0x8a, 0, 0, 0, NULL, 0),
		-PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(buf, sizeof(buf), PRW_EVT_NFC_GONE, 0,
					  0x02, 0, NULL, 0),
			 -PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(buf, sizeof(buf), PRW_CMD_GET_INFO, 0,
					  PRW_FLAG_EVT_LOST, 0, NULL, 0),
			 -PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(buf, sizeof(buf), PRW_CMD_GET_INFO, 0,
					  0, PRW_ST_BUSY, NULL, 0),
			 -PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(buf, sizeof(buf),
					  PRW_CMD_GET_INFO | PRW_RSP_BIT, 0, 0,
					  PRW_ST_LAST + 1, NULL, 0),
			 -PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(buf, sizeof(buf), PRW_EVT_TAMPER, 0,
					  0, 0, NULL, 2),
			 -PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(NULL, sizeof(buf), PRW_EVT_NFC_GONE,
					  0, 0, 0, NULL, 0),
			 -PRW_E_INVAL);
	for (i = 0; i < ARRAY_SIZE(empty_types); i++)
		assert_int_equal(prw_frame_encode(buf, sizeof(buf),
						  empty_types[i], 0, 0, 0,
						  payload, 1),
				 -PRW_E_INVAL);
	assert_int_equal(prw_frame_encode(buf, sizeof(buf),
					  PRW_CMD_APDU | PRW_RSP_BIT, 0, 0,
					  PRW_ST_CARD_MUTE, payload, 2),
			 -PRW_E_INVAL);

	/* Too small a buffer, by one byte. */
	assert_int_equal(prw_frame_encode(buf, PRW_MIN_FRAME - 1,
					  PRW_EVT_NFC_GONE, 0, 0, 0, NULL, 0),
			 -PRW_E_NOSPACE);
	assert_int_equal(prw_frame_encode(buf, PRW_MIN_FRAME + 1,
					  PRW_EVT_TAMPER, 0, 0, 0, payload, 2),
			 -PRW_E_NOSPACE);
	assert_int_equal(
		prw_frame_encode(buf, 0, PRW_EVT_TAMPER, 0, 0, 0, payload, 2),
		-PRW_E_NOSPACE);
	assert_true(memcmp(buf, ref, sizeof(buf)) == 0);

	assert_int_equal(prw_frame_encode(buf, PRW_MIN_FRAME + 2,
					  PRW_EVT_TAMPER, 0, 0, 0, payload, 2),
			 PRW_MIN_FRAME + 2);
	assert_int_equal(prw_frame_encode(buf, PRW_MIN_FRAME, PRW_EVT_NFC_GONE,
					  0, 0, 0, NULL, 0),
			 PRW_MIN_FRAME);
}

/* ---- typed payloads: round trips -------------------------------------- */

static void test_info(void **state)
{
	struct prw_info in, out;
	u8 buf[256];
	int n;

	fill_info(&in);
	n = prw_info_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, 4 + 4 + strlen(in.vendor) + strlen(in.model) +
				    strlen(in.serial) + strlen(in.firmware));
	memset(&out, POISON, sizeof(out));
	assert_int_equal(prw_info_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.proto_version, PRW_PROTO_VERSION);
	assert_int_equal(out.caps, in.caps);
	assert_int_equal(out.max_payload, PRW_MAX_PAYLOAD);
	assert_string_equal(out.vendor, in.vendor);
	assert_string_equal(out.model, in.model);
	assert_string_equal(out.serial, in.serial);
	assert_string_equal(out.firmware, in.firmware);
	/* Strings are terminated and the rest zeroed, not left poisoned. */
	assert_int_equal(out.vendor[PRW_STR_MAX], 0);
	assert_int_equal(out.model[PRW_STR_MAX], 0);

	/* Longest strings, empty optional strings. */
	memset(in.vendor, 'V', PRW_STR_MAX);
	in.vendor[PRW_STR_MAX] = 0;
	in.model[0] = 0;
	in.firmware[0] = 0;
	memset(in.serial, '~', PRW_STR_MAX);
	in.serial[PRW_STR_MAX] = 0;
	n = prw_info_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, 4 + 4 + 2 * PRW_STR_MAX);
	assert_int_equal(prw_info_decode(buf, (size_t)n, &out), 0);
	assert_string_equal(out.vendor, in.vendor);
	assert_string_equal(out.model, "");
	assert_string_equal(out.serial, in.serial);
	assert_int_equal(strlen(out.serial), PRW_STR_MAX);
}

static void test_status_info(void **state)
{
	struct prw_status_info in = {
		PRW_STATE_ICC_PRESENT | PRW_STATE_ICC_POWERED |
			PRW_STATE_NFC_PRESENT | PRW_STATE_TAMPERED,
		PRW_TAMPER_CASE_OPEN | PRW_TAMPER_FIRMWARE
	};
	struct prw_status_info out;
	u8 buf[8];

	assert_int_equal(prw_status_info_encode(buf, sizeof(buf), &in), 2);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x11);
	assert_int_equal(prw_status_info_decode(buf, 2, &out), 0);
	assert_int_equal(out.state, in.state);
	assert_int_equal(out.tamper, in.tamper);
}

static void test_atr(void **state)
{
	struct prw_atr in, out;
	u8 buf[64];
	u8 len;

	for (len = PRW_ATR_MIN; len <= PRW_ATR_MAX; len++) {
		memset(&in, 0, sizeof(in));
		in.len = len;
		memset(in.data, 0x3b + len, len);
		assert_int_equal(prw_atr_encode(buf, sizeof(buf), &in), len);
		memset(&out, POISON, sizeof(out));
		assert_int_equal(prw_atr_decode(buf, len, &out), 0);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.data, in.data, len);
	}
}

static void test_apdu(void **state)
{
	u8 apdu[PRW_APDU_MAX + 1];
	u8 buf[PRW_MAX_PAYLOAD + 8];
	const u8 *p;
	size_t n, i;
	u8 slot;
	int r;

	for (i = 0; i < sizeof(apdu); i++)
		apdu[i] = (u8)(i ^ 0x5a);
	r = prw_apdu_encode(buf, sizeof(buf), PRW_SLOT_NFC, apdu, PRW_APDU_MIN);
	assert_int_equal(r, 2 + PRW_APDU_MIN);
	assert_int_equal(prw_apdu_decode(buf, (size_t)r, &slot, &p, &n), 0);
	assert_int_equal(slot, PRW_SLOT_NFC);
	assert_ptr_equal(p, buf + 2);
	assert_int_equal(n, PRW_APDU_MIN);
	assert_memory_equal(p, apdu, n);

	/* The longest APDU fills the payload exactly. */
	r = prw_apdu_encode(buf, PRW_MAX_PAYLOAD, PRW_SLOT_ICC, apdu,
			    PRW_APDU_MAX);
	assert_int_equal(r, PRW_MAX_PAYLOAD);
	assert_int_equal(prw_apdu_decode(buf, (size_t)r, &slot, &p, &n), 0);
	assert_int_equal(slot, PRW_SLOT_ICC);
	assert_int_equal(n, PRW_APDU_MAX);
	assert_memory_equal(p, apdu, n);

	/* Built in place: the APDU already sits after the header. */
	memcpy(buf + 2, apdu, 10);
	assert_int_equal(
		prw_apdu_encode(buf, sizeof(buf), PRW_SLOT_ICC, buf + 2, 10),
		12);
	assert_memory_equal(buf + 2, apdu, 10);

	assert_int_equal(prw_rapdu_check(buf, PRW_RAPDU_MIN), 0);
	assert_int_equal(prw_rapdu_check(buf, PRW_RAPDU_MAX), 0);
}

static void test_nfc_poll(void **state)
{
	static const u16 good[] = { 1, 2, 500, PRW_NFC_POLL_MAX_MS };
	struct prw_nfc_poll in, out;
	u8 buf[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		in.timeout_ms = good[i];
		assert_int_equal(prw_nfc_poll_encode(buf, sizeof(buf), &in), 2);
		assert_int_equal(buf[0] | (buf[1] << 8), good[i]);
		assert_int_equal(prw_nfc_poll_decode(buf, 2, &out), 0);
		assert_int_equal(out.timeout_ms, good[i]);
	}
}

static void check_target_round_trip(const struct prw_nfc_target *in)
{
	struct prw_nfc_target out;
	u8 buf[64];
	int n;

	n = prw_nfc_target_encode(buf, sizeof(buf), in);
	assert_int_equal(n, 6 + in->uid_len + in->ats_len);
	memset(&out, POISON, sizeof(out));
	assert_int_equal(prw_nfc_target_decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.protocol, in->protocol);
	assert_int_equal(out.uid_len, in->uid_len);
	assert_memory_equal(out.uid, in->uid, in->uid_len);
	assert_memory_equal(out.atqa, in->atqa, 2);
	assert_int_equal(out.sak, in->sak);
	assert_int_equal(out.ats_len, in->ats_len);
	assert_memory_equal(out.ats, in->ats, in->ats_len);
}

static void test_nfc_target(void **state)
{
	struct prw_nfc_target t;

	fill_target_a(&t, 4);
	check_target_round_trip(&t);
	fill_target_a(&t, 7);
	check_target_round_trip(&t);
	fill_target_a(&t, 10);
	check_target_round_trip(&t);
	t.ats_len = 0;
	check_target_round_trip(&t);
	t.ats_len = PRW_ATS_MAX;
	memset(t.ats, 0xee, PRW_ATS_MAX);
	check_target_round_trip(&t);
	fill_target_b(&t);
	check_target_round_trip(&t);
}

static void test_auth(void **state)
{
	u8 challenge[PRW_AUTH_CHALLENGE_LEN];
	u8 buf[64];
	const u8 *p = NULL;
	size_t i;

	for (i = 0; i < sizeof(challenge); i++)
		challenge[i] = (u8)(0xc0 + i);
	assert_int_equal(prw_auth_encode(buf, sizeof(buf), challenge),
			 PRW_AUTH_CHALLENGE_LEN);
	assert_int_equal(prw_auth_decode(buf, PRW_AUTH_CHALLENGE_LEN, &p), 0);
	assert_ptr_equal(p, buf);
	assert_memory_equal(p, challenge, PRW_AUTH_CHALLENGE_LEN);
	assert_int_equal(prw_auth_rsp_check(buf, PRW_AUTH_RESPONSE_LEN), 0);
}

static void test_indicators(void **state)
{
	struct prw_indicators in = { PRW_LED_ALL, PRW_BUZZER_MAX_MS };
	struct prw_indicators out;
	u8 buf[8];

	assert_int_equal(prw_indicators_encode(buf, sizeof(buf), &in), 4);
	assert_int_equal(buf[1], 0);
	assert_int_equal(prw_indicators_decode(buf, 4, &out), 0);
	assert_int_equal(out.leds, PRW_LED_ALL);
	assert_int_equal(out.buzzer_ms, PRW_BUZZER_MAX_MS);
	in.leds = 0;
	in.buzzer_ms = 0;
	assert_int_equal(prw_indicators_encode(buf, sizeof(buf), &in), 4);
	assert_int_equal(prw_indicators_decode(buf, 4, &out), 0);
	assert_int_equal(out.leds, 0);
	assert_int_equal(out.buzzer_ms, 0);
}

static bool swipe_equal(const struct prw_swipe *a, const struct prw_swipe *b)
{
	int i;

	for (i = 0; i < PRW_TRACKS; i++) {
		if (a->track[i].status != b->track[i].status ||
		    a->track[i].encoding != b->track[i].encoding ||
		    a->track[i].len != b->track[i].len ||
		    memcmp(a->track[i].data, b->track[i].data,
			   a->track[i].len) != 0)
			return false;
	}
	return true;
}

static void test_swipe(void **state)
{
	struct prw_swipe in, out;
	u8 raw[PRW_TRACK_MAX];
	u8 buf[512];
	size_t i;
	int n;

	fill_swipe(&in);
	n = prw_swipe_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, 1 + 9 + strlen(track1) + strlen(track2));
	memset(&out, POISON, sizeof(out));
	assert_int_equal(prw_swipe_decode(buf, (size_t)n, &out), 0);
	assert_true(swipe_equal(&in, &out));
	assert_int_equal(out.track[2].len, 0);
	assert_int_equal(out.track[2].data[0], 0);

	/* Raw tracks at their longest; track 1 has 7-bit characters. */
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (u8)(i & 0x7f);
	set_track(&in.track[0], PRW_TRACK_OK, PRW_TRACK_RAW, raw,
		  PRW_TRACK_MAX);
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (u8)(i & 0x1f);
	set_track(&in.track[1], PRW_TRACK_OK, PRW_TRACK_RAW, raw,
		  PRW_TRACK_MAX);
	set_track(&in.track[2], PRW_TRACK_OK, PRW_TRACK_RAW, raw,
		  PRW_TRACK_MAX);
	n = prw_swipe_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, 1 + 3 * (3 + PRW_TRACK_MAX));
	assert_int_equal(prw_swipe_decode(buf, (size_t)n, &out), 0);
	assert_true(swipe_equal(&in, &out));

	/* Unread tracks. */
	set_track(&in.track[0], PRW_TRACK_ERROR, PRW_TRACK_ASCII, NULL, 0);
	set_track(&in.track[1], PRW_TRACK_EMPTY, PRW_TRACK_RAW, NULL, 0);
	set_track(&in.track[2], PRW_TRACK_ERROR, PRW_TRACK_RAW, NULL, 0);
	n = prw_swipe_encode(buf, sizeof(buf), &in);
	assert_int_equal(n, 10);
	assert_int_equal(prw_swipe_decode(buf, (size_t)n, &out), 0);
	assert_true(swipe_equal(&in, &out));
}

static void test_tamper_and_error(void **state)
{
	struct prw_tamper tin, tout;
	struct prw_dev_error ein, eout;
	u8 buf[8];
	unsigned int c;

	for (c = 1; c <= 0x1f; c++) {
		tin.cause = (u8)c;
		assert_int_equal(prw_tamper_encode(buf, sizeof(buf), &tin), 2);
		assert_int_equal(prw_tamper_decode(buf, 2, &tout), 0);
		assert_int_equal(tout.cause, c);
	}
	for (c = PRW_DEVERR_OVERFLOW; c <= PRW_DEVERR_PROTOCOL; c++) {
		ein.code = (u8)c;
		ein.detail = (u16)(0xbeef + c);
		assert_int_equal(prw_dev_error_encode(buf, sizeof(buf), &ein),
				 4);
		assert_int_equal(prw_dev_error_decode(buf, 4, &eout), 0);
		assert_int_equal(eout.code, c);
		assert_int_equal(eout.detail, 0xbeef + c);
	}
}

/* ---- typed payloads: bad input ---------------------------------------- */

/* Poison an object, run a decoder expected to fail, check it is intact. */
#define EXPECT_DECODE_FAIL(decode, buf, len, err)                             \
	do {                                                                  \
		__typeof__(decode##_out) ref_;                                \
		memset(&decode##_out, POISON, sizeof(decode##_out));          \
		memset(&ref_, POISON, sizeof(ref_));                          \
		assert_int_equal(decode(buf, len, &decode##_out), -(err));    \
		assert_true(memcmp(&decode##_out, &ref_, sizeof(ref_)) == 0); \
	} while (0)

static void test_info_bad(void **state)
{
	struct prw_info prw_info_decode_out, in;
	u8 buf[256], bad[256];
	size_t n, i;

	fill_info(&in);
	n = (size_t)prw_info_encode(buf, sizeof(buf), &in);

	for (i = 0; i < n; i++)
		EXPECT_DECODE_FAIL(prw_info_decode, buf, i, PRW_E_PAYLOAD);
	memcpy(bad, buf, n);
	bad[n] = 0;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n + 1, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_info_decode, NULL, n, PRW_E_PAYLOAD);

	/* Protocol version zero. */
	memcpy(bad, buf, n);
	bad[0] = 0;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	/* max_payload outside its range. */
	memcpy(bad, buf, n);
	put16(bad + 2, PRW_MAX_PAYLOAD + 1);
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	put16(bad + 2, 0);
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	/* A non-printable character in the vendor string (offset 5). */
	memcpy(bad, buf, n);
	bad[5] = 0x7f;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	bad[5] = 0x00;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	bad[5] = 0x1f;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	bad[5] = 0xc3;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);
	/* A string length that runs past the payload. */
	memcpy(bad, buf, n);
	bad[4] = 0xff;
	EXPECT_DECODE_FAIL(prw_info_decode, bad, n, PRW_E_PAYLOAD);

	/* A string longer than PRW_STR_MAX although the bytes are there. */
	{
		u8 big[128];
		size_t off = 0;

		big[off++] = 1;
		big[off++] = 0;
		put16(big + off, 512);
		off += 2;
		big[off++] = PRW_STR_MAX + 1;
		memset(big + off, 'A', PRW_STR_MAX + 1);
		off += PRW_STR_MAX + 1;
		big[off++] = 0;
		big[off++] = 1;
		big[off++] = 'S';
		big[off++] = 0;
		EXPECT_DECODE_FAIL(prw_info_decode, big, off, PRW_E_PAYLOAD);
		/* The same with a legal vendor length decodes. */
		big[4] = PRW_STR_MAX;
		memmove(big + 5 + PRW_STR_MAX, big + 6 + PRW_STR_MAX, 4);
		assert_int_equal(prw_info_decode(big, off - 1, &in), 0);
	}

	/* An empty serial. */
	fill_info(&in);
	in.serial[0] = 0;
	assert_int_equal(prw_info_encode(buf, sizeof(buf), &in), -PRW_E_INVAL);
	n = 0;
	buf[n++] = 1;
	buf[n++] = 0;
	put16(buf + n, 64);
	n += 2;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 0;
	EXPECT_DECODE_FAIL(prw_info_decode, buf, n, PRW_E_PAYLOAD);
}

static void test_info_encode_bad(void **state)
{
	struct prw_info in;
	u8 buf[256], ref[256];
	int n;

	memset(buf, POISON, sizeof(buf));
	memcpy(ref, buf, sizeof(buf));
	fill_info(&in);
	in.vendor[3] = '\n';
	assert_int_equal(prw_info_encode(buf, sizeof(buf), &in), -PRW_E_INVAL);
	fill_info(&in);
	/* No terminator within the array. */
	memset(in.model, 'M', sizeof(in.model));
	assert_int_equal(prw_info_encode(buf, sizeof(buf), &in), -PRW_E_INVAL);
	fill_info(&in);
	in.proto_version = 0;
	assert_int_equal(prw_info_encode(buf, sizeof(buf), &in), -PRW_E_INVAL);
	fill_info(&in);
	in.max_payload = PRW_MAX_PAYLOAD + 1;
	assert_int_equal(prw_info_encode(buf, sizeof(buf), &in), -PRW_E_INVAL);
	assert_int_equal(prw_info_encode(buf, sizeof(buf), NULL), -PRW_E_INVAL);
	fill_info(&in);
	n = prw_info_encode(buf, sizeof(buf), &in);
	assert_true(n > 0);
	memcpy(ref, buf, sizeof(buf));
	assert_int_equal(prw_info_encode(buf, (size_t)n - 1, &in),
			 -PRW_E_NOSPACE);
	assert_int_equal(prw_info_encode(buf, 0, &in), -PRW_E_NOSPACE);
	assert_true(memcmp(buf, ref, sizeof(buf)) == 0);
	assert_int_equal(prw_info_encode(buf, (size_t)n, &in), n);
}

static void test_small_payloads_bad(void **state)
{
	struct prw_status_info prw_status_info_decode_out;
	struct prw_nfc_poll prw_nfc_poll_decode_out;
	struct prw_indicators prw_indicators_decode_out;
	struct prw_tamper prw_tamper_decode_out;
	struct prw_dev_error prw_dev_error_decode_out;
	struct prw_atr prw_atr_decode_out;
	u8 b[64];

	memset(b, 0, sizeof(b));
	/* GET_STATUS: exact length, known bits only. */
	EXPECT_DECODE_FAIL(prw_status_info_decode, b, 1, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_status_info_decode, b, 3, PRW_E_PAYLOAD);
	b[0] = 0x10;
	EXPECT_DECODE_FAIL(prw_status_info_decode, b, 2, PRW_E_PAYLOAD);
	b[0] = 0;
	b[1] = 0x20;
	EXPECT_DECODE_FAIL(prw_status_info_decode, b, 2, PRW_E_PAYLOAD);
	b[1] = 0;
	assert_int_equal(prw_status_info_decode(b, 2, NULL), 0);

	/* NFC_POLL: 1..5000 ms, exact length. */
	put16(b, 0);
	EXPECT_DECODE_FAIL(prw_nfc_poll_decode, b, 2, PRW_E_PAYLOAD);
	put16(b, PRW_NFC_POLL_MAX_MS + 1);
	EXPECT_DECODE_FAIL(prw_nfc_poll_decode, b, 2, PRW_E_PAYLOAD);
	put16(b, 100);
	EXPECT_DECODE_FAIL(prw_nfc_poll_decode, b, 1, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_nfc_poll_decode, b, 3, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_nfc_poll_decode, NULL, 2, PRW_E_PAYLOAD);

	/* SET_INDICATORS: undefined LEDs, long buzzer, reserved byte. */
	memset(b, 0, sizeof(b));
	b[0] = 0x10;
	EXPECT_DECODE_FAIL(prw_indicators_decode, b, 4, PRW_E_PAYLOAD);
	b[0] = 0x80;
	EXPECT_DECODE_FAIL(prw_indicators_decode, b, 4, PRW_E_PAYLOAD);
	b[0] = PRW_LED_RED;
	put16(b + 2, PRW_BUZZER_MAX_MS + 1);
	EXPECT_DECODE_FAIL(prw_indicators_decode, b, 4, PRW_E_PAYLOAD);
	put16(b + 2, 10);
	b[1] = 1;
	EXPECT_DECODE_FAIL(prw_indicators_decode, b, 4, PRW_E_RESERVED);
	b[1] = 0;
	EXPECT_DECODE_FAIL(prw_indicators_decode, b, 3, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_indicators_decode, b, 5, PRW_E_PAYLOAD);

	/* TAMPER: non-zero known cause, reserved byte. */
	memset(b, 0, sizeof(b));
	EXPECT_DECODE_FAIL(prw_tamper_decode, b, 2, PRW_E_PAYLOAD);
	b[0] = 0x20;
	EXPECT_DECODE_FAIL(prw_tamper_decode, b, 2, PRW_E_PAYLOAD);
	b[0] = PRW_TAMPER_VOLTAGE;
	b[1] = 0x80;
	EXPECT_DECODE_FAIL(prw_tamper_decode, b, 2, PRW_E_RESERVED);
	b[1] = 0;
	EXPECT_DECODE_FAIL(prw_tamper_decode, b, 1, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_tamper_decode, b, 3, PRW_E_PAYLOAD);

	/* ERROR: known code, reserved byte. */
	memset(b, 0, sizeof(b));
	EXPECT_DECODE_FAIL(prw_dev_error_decode, b, 4, PRW_E_PAYLOAD);
	b[0] = PRW_DEVERR_PROTOCOL + 1;
	EXPECT_DECODE_FAIL(prw_dev_error_decode, b, 4, PRW_E_PAYLOAD);
	b[0] = PRW_DEVERR_CARD;
	b[1] = 2;
	EXPECT_DECODE_FAIL(prw_dev_error_decode, b, 4, PRW_E_RESERVED);
	b[1] = 0;
	EXPECT_DECODE_FAIL(prw_dev_error_decode, b, 3, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_dev_error_decode, b, 5, PRW_E_PAYLOAD);

	/* ATR: 2..33 bytes. */
	memset(b, 0x3b, sizeof(b));
	EXPECT_DECODE_FAIL(prw_atr_decode, b, 0, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_atr_decode, b, PRW_ATR_MIN - 1, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_atr_decode, b, PRW_ATR_MAX + 1, PRW_E_PAYLOAD);
	EXPECT_DECODE_FAIL(prw_atr_decode, NULL, 4, PRW_E_PAYLOAD);
}

static void test_apdu_bad(void **state)
{
	u8 buf[PRW_MAX_PAYLOAD + 8];
	const u8 *p = (const u8 *)buf;
	size_t n = 77;
	u8 slot = 0x42;

	memset(buf, 0, sizeof(buf));
	buf[0] = 2;
	assert_int_equal(prw_apdu_decode(buf, 8, &slot, &p, &n),
			 -PRW_E_PAYLOAD);
	buf[0] = PRW_SLOT_ICC;
	assert_int_equal(
		prw_apdu_decode(buf, 2 + PRW_APDU_MIN - 1, &slot, &p, &n),
		-PRW_E_PAYLOAD);
	assert_int_equal(
		prw_apdu_decode(buf, 2 + PRW_APDU_MAX + 1, &slot, &p, &n),
		-PRW_E_PAYLOAD);
	buf[1] = 1;
	assert_int_equal(prw_apdu_decode(buf, 8, &slot, &p, &n),
			 -PRW_E_RESERVED);
	assert_int_equal(prw_apdu_decode(NULL, 8, &slot, &p, &n),
			 -PRW_E_PAYLOAD);
	/* Outputs untouched. */
	assert_int_equal(slot, 0x42);
	assert_ptr_equal(p, buf);
	assert_int_equal(n, 77);

	assert_int_equal(prw_rapdu_check(buf, PRW_RAPDU_MIN - 1),
			 -PRW_E_PAYLOAD);
	assert_int_equal(prw_rapdu_check(buf, 0), -PRW_E_PAYLOAD);
	assert_int_equal(prw_rapdu_check(buf, PRW_RAPDU_MAX + 1),
			 -PRW_E_PAYLOAD);

	/* Encoder. */
	assert_int_equal(prw_apdu_encode(buf, sizeof(buf), 2, buf + 100, 4),
			 -PRW_E_INVAL);
	assert_int_equal(prw_apdu_encode(buf, sizeof(buf), 0, buf + 100,
					 PRW_APDU_MIN - 1),
			 -PRW_E_INVAL);
	assert_int_equal(
		prw_apdu_encode(buf, sizeof(buf), 0, buf + 2, PRW_APDU_MAX + 1),
		-PRW_E_INVAL);
	assert_int_equal(prw_apdu_encode(buf, sizeof(buf), 0, NULL, 4),
			 -PRW_E_INVAL);
	assert_int_equal(prw_apdu_encode(buf, 2 + 4 - 1, 0, buf + 100, 4),
			 -PRW_E_NOSPACE);
}

static void test_nfc_target_bad(void **state)
{
	struct prw_nfc_target prw_nfc_target_decode_out, t;
	u8 buf[64], bad[64];
	size_t n, i;

	fill_target_a(&t, 7);
	n = (size_t)prw_nfc_target_encode(buf, sizeof(buf), &t);
	for (i = 0; i < n; i++)
		EXPECT_DECODE_FAIL(prw_nfc_target_decode, buf, i,
				   PRW_E_PAYLOAD);
	buf[n] = 0;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, buf, n + 1, PRW_E_PAYLOAD);

	/* Unknown protocol. */
	memcpy(bad, buf, n);
	bad[0] = 0;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, n, PRW_E_PAYLOAD);
	bad[0] = 3;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, n, PRW_E_PAYLOAD);

	/* UID lengths other than 4, 7, 10 for type A. */
	for (i = 0; i <= 0xff; i++) {
		if (i == 4 || i == 7 || i == 10)
			continue;
		t.uid_len = (u8)i;
		assert_int_equal(prw_nfc_target_encode(bad, sizeof(bad), &t),
				 -PRW_E_INVAL);
	}
	/* A UID length of 5 with self-consistent lengths. */
	memset(bad, 0, sizeof(bad));
	bad[0] = PRW_NFC_14443A;
	bad[1] = 5;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, 6 + 5, PRW_E_PAYLOAD);
	bad[1] = 11;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, 6 + 11, PRW_E_PAYLOAD);
	bad[1] = 0xff;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, sizeof(bad),
			   PRW_E_PAYLOAD);

	/* ATS longer than 32 bytes. */
	memset(bad, 0, sizeof(bad));
	bad[0] = PRW_NFC_14443A;
	bad[1] = 4;
	bad[6 + 3] = PRW_ATS_MAX + 1;
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, 6 + 4 + PRW_ATS_MAX + 1,
			   PRW_E_PAYLOAD);
	bad[6 + 3] = PRW_ATS_MAX;
	assert_int_equal(prw_nfc_target_decode(bad, 6 + 4 + PRW_ATS_MAX, NULL),
			 0);
	fill_target_a(&t, 4);
	t.ats_len = PRW_ATS_MAX + 1;
	assert_int_equal(prw_nfc_target_encode(bad, sizeof(bad), &t),
			 -PRW_E_INVAL);

	/* Type B: 4-byte PUPI, atqa and sak zero. */
	fill_target_b(&t);
	n = (size_t)prw_nfc_target_encode(buf, sizeof(buf), &t);
	memcpy(bad, buf, n);
	bad[2 + 4 + 2] = 0x20; /* sak */
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, n, PRW_E_PAYLOAD);
	memcpy(bad, buf, n);
	bad[2 + 4] = 0x04; /* atqa[0] */
	EXPECT_DECODE_FAIL(prw_nfc_target_decode, bad, n, PRW_E_PAYLOAD);
	t.uid_len = 7;
	assert_int_equal(prw_nfc_target_encode(bad, sizeof(bad), &t),
			 -PRW_E_INVAL);
	fill_target_b(&t);
	t.sak = 1;
	assert_int_equal(prw_nfc_target_encode(bad, sizeof(bad), &t),
			 -PRW_E_INVAL);
	fill_target_b(&t);
	assert_int_equal(prw_nfc_target_encode(bad, n - 1, &t), -PRW_E_NOSPACE);
}

static void test_auth_bad(void **state)
{
	u8 buf[64];
	const u8 *p = NULL;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(prw_auth_decode(buf, PRW_AUTH_CHALLENGE_LEN - 1, &p),
			 -PRW_E_PAYLOAD);
	assert_int_equal(prw_auth_decode(buf, PRW_AUTH_CHALLENGE_LEN + 1, &p),
			 -PRW_E_PAYLOAD);
	assert_int_equal(prw_auth_decode(buf, 0, &p), -PRW_E_PAYLOAD);
	assert_null(p);
	assert_int_equal(prw_auth_rsp_check(buf, PRW_AUTH_RESPONSE_LEN - 1),
			 -PRW_E_PAYLOAD);
	assert_int_equal(prw_auth_rsp_check(buf, PRW_AUTH_RESPONSE_LEN + 1),
			 -PRW_E_PAYLOAD);
	assert_int_equal(prw_auth_encode(buf, sizeof(buf), NULL), -PRW_E_INVAL);
	assert_int_equal(
		prw_auth_encode(buf, PRW_AUTH_CHALLENGE_LEN - 1, buf + 32),
		-PRW_E_NOSPACE);
}

static void test_swipe_bad(void **state)
{
	struct prw_swipe prw_swipe_decode_out, sw;
	u8 buf[512], bad[512];
	size_t n, i;

	fill_swipe(&sw);
	n = (size_t)prw_swipe_encode(buf, sizeof(buf), &sw);
	for (i = 0; i < n; i++)
		EXPECT_DECODE_FAIL(prw_swipe_decode, buf, i, PRW_E_PAYLOAD);
	buf[n] = 0;
	EXPECT_DECODE_FAIL(prw_swipe_decode, buf, n + 1, PRW_E_PAYLOAD);

	/* Track count other than three. */
	memcpy(bad, buf, n);
	for (i = 0; i < 256; i++) {
		if (i == PRW_TRACKS)
			continue;
		bad[0] = (u8)i;
		EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);
	}
	/* Unknown track status and encoding (track 1 header at 1..3). */
	memcpy(bad, buf, n);
	bad[1] = PRW_TRACK_ERROR + 1;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);
	memcpy(bad, buf, n);
	bad[2] = PRW_TRACK_RAW + 1;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);
	/* A track that failed but carries data. */
	memcpy(bad, buf, n);
	bad[1] = PRW_TRACK_ERROR;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);
	/* A track length running past the payload. */
	memcpy(bad, buf, n);
	bad[3] = 0xff;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);
	/* A non-printable byte in an ASCII track. */
	memcpy(bad, buf, n);
	bad[4 + 2] = 0x0a;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);

	/* Track longer than 128 with the bytes present. */
	memset(bad, 0, sizeof(bad));
	bad[0] = PRW_TRACKS;
	bad[1] = PRW_TRACK_OK;
	bad[2] = PRW_TRACK_RAW;
	bad[3] = PRW_TRACK_MAX + 1;
	n = 4 + PRW_TRACK_MAX + 1;
	bad[n] = PRW_TRACK_EMPTY;
	bad[n + 3] = PRW_TRACK_EMPTY;
	n += 6;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, n, PRW_E_PAYLOAD);

	/* Raw characters wider than their track allows. */
	memset(bad, 0, sizeof(bad));
	bad[0] = PRW_TRACKS;
	bad[1] = PRW_TRACK_EMPTY;
	bad[4] = PRW_TRACK_OK;
	bad[5] = PRW_TRACK_RAW;
	bad[6] = 2;
	bad[7] = 0x0b;
	bad[8] = 0x1f;
	bad[9] = PRW_TRACK_EMPTY;
	assert_int_equal(prw_swipe_decode(bad, 12, NULL), 0);
	bad[8] = 0x20;
	EXPECT_DECODE_FAIL(prw_swipe_decode, bad, 12, PRW_E_PAYLOAD);

	/* Encoder refuses the same faults. */
	fill_swipe(&sw);
	sw.track[2].status = PRW_TRACK_ERROR;
	sw.track[2].len = 1;
	assert_int_equal(prw_swipe_encode(bad, sizeof(bad), &sw), -PRW_E_INVAL);
	fill_swipe(&sw);
	sw.track[0].len = PRW_TRACK_MAX + 1;
	assert_int_equal(prw_swipe_encode(bad, sizeof(bad), &sw), -PRW_E_INVAL);
	fill_swipe(&sw);
	sw.track[1].encoding = 7;
	assert_int_equal(prw_swipe_encode(bad, sizeof(bad), &sw), -PRW_E_INVAL);
	fill_swipe(&sw);
	sw.track[0].status = 3;
	assert_int_equal(prw_swipe_encode(bad, sizeof(bad), &sw), -PRW_E_INVAL);
	fill_swipe(&sw);
	sw.track[0].encoding = PRW_TRACK_RAW;
	sw.track[0].data[0] = 0x80;
	assert_int_equal(prw_swipe_encode(bad, sizeof(bad), &sw), -PRW_E_INVAL);
	fill_swipe(&sw);
	n = (size_t)prw_swipe_encode(buf, sizeof(buf), &sw);
	assert_int_equal(prw_swipe_encode(bad, n - 1, &sw), -PRW_E_NOSPACE);
	assert_int_equal(prw_swipe_encode(bad, n, &sw), (int)n);
}

static void test_small_encoders_bad(void **state)
{
	struct prw_status_info st = { 0x10, 0 };
	struct prw_atr atr = { 1, { 0x3b } };
	struct prw_nfc_poll poll = { 0 };
	struct prw_indicators ind = { 0x10, 0 };
	struct prw_tamper tamper = { 0 };
	struct prw_dev_error de = { 0, 0 };
	u8 buf[64], ref[64];

	memset(buf, POISON, sizeof(buf));
	memcpy(ref, buf, sizeof(buf));

	assert_int_equal(prw_status_info_encode(buf, sizeof(buf), &st),
			 -PRW_E_INVAL);
	st.state = 0;
	st.tamper = 0x40;
	assert_int_equal(prw_status_info_encode(buf, sizeof(buf), &st),
			 -PRW_E_INVAL);
	st.tamper = 0;
	assert_int_equal(prw_status_info_encode(buf, 1, &st), -PRW_E_NOSPACE);

	assert_int_equal(prw_atr_encode(buf, sizeof(buf), &atr), -PRW_E_INVAL);
	atr.len = PRW_ATR_MAX + 1;
	assert_int_equal(prw_atr_encode(buf, sizeof(buf), &atr), -PRW_E_INVAL);
	atr.len = PRW_ATR_MAX;
	assert_int_equal(prw_atr_encode(buf, PRW_ATR_MAX - 1, &atr),
			 -PRW_E_NOSPACE);

	assert_int_equal(prw_nfc_poll_encode(buf, sizeof(buf), &poll),
			 -PRW_E_INVAL);
	poll.timeout_ms = PRW_NFC_POLL_MAX_MS + 1;
	assert_int_equal(prw_nfc_poll_encode(buf, sizeof(buf), &poll),
			 -PRW_E_INVAL);
	poll.timeout_ms = 1;
	assert_int_equal(prw_nfc_poll_encode(buf, 1, &poll), -PRW_E_NOSPACE);

	assert_int_equal(prw_indicators_encode(buf, sizeof(buf), &ind),
			 -PRW_E_INVAL);
	ind.leds = PRW_LED_ALL;
	ind.buzzer_ms = PRW_BUZZER_MAX_MS + 1;
	assert_int_equal(prw_indicators_encode(buf, sizeof(buf), &ind),
			 -PRW_E_INVAL);
	ind.buzzer_ms = PRW_BUZZER_MAX_MS;
	assert_int_equal(prw_indicators_encode(buf, 3, &ind), -PRW_E_NOSPACE);

	assert_int_equal(prw_tamper_encode(buf, sizeof(buf), &tamper),
			 -PRW_E_INVAL);
	tamper.cause = 0x21;
	assert_int_equal(prw_tamper_encode(buf, sizeof(buf), &tamper),
			 -PRW_E_INVAL);
	tamper.cause = PRW_TAMPER_MESH;
	assert_int_equal(prw_tamper_encode(buf, 1, &tamper), -PRW_E_NOSPACE);

	assert_int_equal(prw_dev_error_encode(buf, sizeof(buf), &de),
			 -PRW_E_INVAL);
	de.code = PRW_DEVERR_PROTOCOL + 1;
	assert_int_equal(prw_dev_error_encode(buf, sizeof(buf), &de),
			 -PRW_E_INVAL);
	de.code = PRW_DEVERR_HARDWARE;
	assert_int_equal(prw_dev_error_encode(buf, 3, &de), -PRW_E_NOSPACE);

	/* Nothing was written by any failed encode. */
	assert_true(memcmp(buf, ref, sizeof(buf)) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_check_value),
		cmocka_unit_test(test_crc_chaining),
		cmocka_unit_test(test_type_classes),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_status_name),
		cmocka_unit_test(test_roundtrip_commands),
		cmocka_unit_test(test_roundtrip_responses),
		cmocka_unit_test(test_roundtrip_events),
		cmocka_unit_test(test_roundtrip_max_payload),
		cmocka_unit_test(test_seal_matches_encode),
		cmocka_unit_test(test_known_frame_bytes),
		cmocka_unit_test(test_decode_short),
		cmocka_unit_test(test_decode_magic),
		cmocka_unit_test(test_decode_length),
		cmocka_unit_test(test_decode_truncated_trailing),
		cmocka_unit_test(test_decode_crc),
		cmocka_unit_test(test_decode_type),
		cmocka_unit_test(test_decode_flags),
		cmocka_unit_test(test_decode_status),
		cmocka_unit_test(test_decode_reserved),
		cmocka_unit_test(test_decode_empty_payload_rule),
		cmocka_unit_test(test_encode_frame_errors),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_status_info),
		cmocka_unit_test(test_atr),
		cmocka_unit_test(test_apdu),
		cmocka_unit_test(test_nfc_poll),
		cmocka_unit_test(test_nfc_target),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_indicators),
		cmocka_unit_test(test_swipe),
		cmocka_unit_test(test_tamper_and_error),
		cmocka_unit_test(test_info_bad),
		cmocka_unit_test(test_info_encode_bad),
		cmocka_unit_test(test_small_payloads_bad),
		cmocka_unit_test(test_apdu_bad),
		cmocka_unit_test(test_nfc_target_bad),
		cmocka_unit_test(test_auth_bad),
		cmocka_unit_test(test_swipe_bad),
		cmocka_unit_test(test_small_encoders_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
