// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the wire codec. Any input the frame decoder
 * accepts must survive its typed decoder and re-encode to exactly the
 * same bytes; any input it refuses must be refused with a decode error,
 * never an encode error. A violation aborts, which the fuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <posreader/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool is_decode_error(int r)
{
	return r < 0 && r > -PRW_E_COUNT && r != -PRW_E_NOSPACE &&
	       r != -PRW_E_INVAL;
}

/* Decoders that fail must report a payload fault and write nothing. */
static void check_payload_error(int r)
{
	check(r == -PRW_E_PAYLOAD || r == -PRW_E_RESERVED);
}

/*
 * Decode a frame's payload with its typed decoder and, if that works,
 * encode the result into out. Returns the encoded length, or -1 if the
 * typed decoder refused the payload.
 */
static int typed_round_trip(const struct prw_frame *f, u8 *out, size_t cap)
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
	const u8 *p = NULL;
	size_t n = 0;
	u8 slot = 0;
	int r;

	switch (f->type) {
	case PRW_CMD_GET_INFO | PRW_RSP_BIT:
		r = prw_info_decode(f->payload, f->len, &info);
		if (r == 0)
			r = prw_info_encode(out, cap, &info);
		break;
	case PRW_CMD_GET_STATUS | PRW_RSP_BIT:
		r = prw_status_info_decode(f->payload, f->len, &st);
		if (r == 0)
			r = prw_status_info_encode(out, cap, &st);
		break;
	case PRW_CMD_ICC_POWER_ON | PRW_RSP_BIT:
		r = prw_atr_decode(f->payload, f->len, &atr);
		if (r == 0)
			r = prw_atr_encode(out, cap, &atr);
		break;
	case PRW_CMD_APDU:
		r = prw_apdu_decode(f->payload, f->len, &slot, &p, &n);
		if (r == 0) {
			check(p == f->payload + 2 && n + 2 == f->len);
			r = prw_apdu_encode(out, cap, slot, p, n);
		}
		break;
	case PRW_CMD_APDU | PRW_RSP_BIT:
		r = prw_rapdu_check(f->payload, f->len);
		if (r == 0) {
			memcpy(out, f->payload, f->len);
			r = f->len;
		}
		break;
	case PRW_CMD_NFC_POLL:
		r = prw_nfc_poll_decode(f->payload, f->len, &poll);
		if (r == 0)
			r = prw_nfc_poll_encode(out, cap, &poll);
		break;
	case PRW_CMD_NFC_POLL | PRW_RSP_BIT:
	case PRW_EVT_NFC_PRESENT:
		r = prw_nfc_target_decode(f->payload, f->len, &t);
		if (r == 0)
			r = prw_nfc_target_encode(out, cap, &t);
		break;
	case PRW_CMD_AUTH:
		r = prw_auth_decode(f->payload, f->len, &p);
		if (r == 0) {
			check(p == f->payload);
			r = prw_auth_encode(out, cap, p);
		}
		break;
	case PRW_CMD_AUTH | PRW_RSP_BIT:
		r = prw_auth_rsp_check(f->payload, f->len);
		if (r == 0) {
			memcpy(out, f->payload, f->len);
			r = f->len;
		}
		break;
	case PRW_CMD_SET_INDICATORS:
		r = prw_indicators_decode(f->payload, f->len, &ind);
		if (r == 0)
			r = prw_indicators_encode(out, cap, &ind);
		break;
	case PRW_EVT_SWIPE:
		r = prw_swipe_decode(f->payload, f->len, &sw);
		if (r == 0)
			r = prw_swipe_encode(out, cap, &sw);
		break;
	case PRW_EVT_TAMPER:
		r = prw_tamper_decode(f->payload, f->len, &tamper);
		if (r == 0)
			r = prw_tamper_encode(out, cap, &tamper);
		break;
	case PRW_EVT_ERROR:
		r = prw_dev_error_decode(f->payload, f->len, &de);
		if (r == 0)
			r = prw_dev_error_encode(out, cap, &de);
		break;
	default:
		/* Types without a payload: the frame decoder saw to it. */
		check(f->len == 0);
		r = 0;
		break;
	}
	if (r < 0) {
		check_payload_error(r);
		return -1;
	}
	return r;
}

/* Check one input against the decode/re-encode properties. */
static void check_frame(const u8 *data, size_t size)
{
	static u8 payload[PRW_MAX_PAYLOAD];
	static u8 frame[PRW_MAX_FRAME];
	struct prw_frame f;
	int r, n;

	r = prw_frame_decode(data, size, &f);
	if (r < 0) {
		check(is_decode_error(r));
		return;
	}
	check(f.len <= PRW_MAX_PAYLOAD && f.payload == data + PRW_HDR_LEN);
	check(size == (size_t)PRW_HDR_LEN + f.len + PRW_CRC_LEN);

	n = -1;
	if (f.status == PRW_ST_OK)
		n = typed_round_trip(&f, payload, sizeof(payload));
	if (n >= 0) {
		/* The typed re-encoding must give back the very same bytes. */
		check((size_t)n == f.len);
		check(memcmp(payload, f.payload, f.len) == 0);
	}

	n = prw_frame_encode(frame, sizeof(frame), f.type, f.seq, f.flags,
			     f.status, f.payload, f.len);
	check(n >= 0 && (size_t)n == size);
	check(memcmp(frame, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 fixed[PRW_MAX_FRAME];
	size_t body;
	u32 crc;

	/* CRC chaining holds for any split of any input. */
	crc = prw_crc32(0, data, size / 2);
	crc = prw_crc32(crc, data + size / 2, size - size / 2);
	check(crc == prw_crc32(0, data, size));

	check_frame(data, size);

	/*
	 * Random bytes almost never carry a valid CRC, so also try the input
	 * with its last four bytes replaced by the right CRC: that lets the
	 * fuzzer reach the header and payload checks behind it.
	 */
	if (size < PRW_MIN_FRAME || size > sizeof(fixed))
		return 0;
	body = size - PRW_CRC_LEN;
	memcpy(fixed, data, body);
	crc = prw_crc32(0, fixed, body);
	fixed[body] = crc & 0xff;
	fixed[body + 1] = (crc >> 8) & 0xff;
	fixed[body + 2] = (crc >> 16) & 0xff;
	fixed[body + 3] = crc >> 24;
	check_frame(fixed, size);
	return 0;
}
