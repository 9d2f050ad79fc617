// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the simulator's device model: frames in, frames out
 * through a capturing output callback, time from a fake clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "card-swipe.h"
#include "device.h"

#define MAX_OUT 600

struct out_frame {
	enum sim_channel ch;
	u8 b[SIM_OUT_MAX];
	size_t n;
};

struct fixture {
	struct sim_device *dev;
	struct out_frame out[MAX_OUT];
	size_t count;
	uint64_t now;
	bool refuse; /* pretend no host is connected */
	u8 seq;
};

static int capture(void *userdata, enum sim_channel ch, const u8 *frame,
		   size_t n)
{
	struct fixture *fx = userdata;

	if (fx->refuse)
		return -ENOTCONN;
	assert_true(fx->count < MAX_OUT);
	assert_true(n <= SIM_OUT_MAX);
	fx->out[fx->count].ch = ch;
	memcpy(fx->out[fx->count].b, frame, n);
	fx->out[fx->count].n = n;
	fx->count++;
	return 0;
}

static uint64_t fake_clock(void *userdata)
{
	struct fixture *fx = userdata;

	return fx->now;
}

static int setup(void **state)
{
	struct sim_identity id;
	struct fixture *fx;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	sim_identity_default(&id);
	assert_int_equal(sim_device_new(&id, capture, fx, &fx->dev), 0);
	fx->now = 1000000;
	sim_device_set_clock(fx->dev, fake_clock, fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sim_device_free(fx->dev);
	free(fx);
	return 0;
}

static void send_cmd(struct fixture *fx, u8 type, const u8 *payload, size_t len)
{
	u8 buf[PRW_MAX_FRAME];
	int n;

	n = prw_frame_encode(buf, sizeof(buf), type, ++fx->seq, 0, 0, payload,
			     len);
	assert_true(n > 0);
	assert_int_equal(sim_device_handle_frame(fx->dev, buf, (size_t)n), 0);
}

/* The only frame emitted since the last reset, decoded. */
static void only_frame(struct fixture *fx, enum sim_channel ch,
		       struct prw_frame *f)
{
	assert_int_equal(fx->count, 1);
	assert_int_equal(fx->out[0].ch, ch);
	assert_int_equal(prw_frame_decode(fx->out[0].b, fx->out[0].n, f), 0);
	fx->count = 0;
}

static void expect_response(struct fixture *fx, u8 cmd, u8 status,
			    struct prw_frame *f)
{
	only_frame(fx, SIM_CH_RESPONSE, f);
	assert_int_equal(f->type, cmd | PRW_RSP_BIT);
	assert_int_equal(f->seq, fx->seq);
	assert_int_equal(f->status, status);
}

static void test_info(void **state)
{
	struct fixture *fx = *state;
	struct prw_info info;
	struct prw_frame f;

	send_cmd(fx, PRW_CMD_GET_INFO, NULL, 0);
	expect_response(fx, PRW_CMD_GET_INFO, PRW_ST_OK, &f);
	assert_int_equal(prw_info_decode(f.payload, f.len, &info), 0);
	assert_string_equal(info.serial, "SIM0001");
	assert_string_equal(info.vendor, "posreader");
	assert_int_equal(info.caps, 0x1f);
	assert_int_equal(info.proto_version, PRW_PROTO_VERSION);
}

static void test_bad_frame_gives_error_event(void **state)
{
	struct fixture *fx = *state;
	struct prw_dev_error e;
	struct prw_frame f;
	u8 buf[PRW_MIN_FRAME];

	assert_int_equal(prw_frame_encode(buf, sizeof(buf), PRW_CMD_GET_INFO, 1,
					  0, 0, NULL, 0),
			 PRW_MIN_FRAME);
	buf[PRW_MIN_FRAME - 1] ^= 1;
	assert_int_equal(sim_device_handle_frame(fx->dev, buf, sizeof(buf)),
			 -PRW_E_CRC);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(f.type, PRW_EVT_ERROR);
	assert_int_equal(prw_dev_error_decode(f.payload, f.len, &e), 0);
	assert_int_equal(e.code, PRW_DEVERR_PROTOCOL);
	assert_int_equal(e.detail, PRW_E_CRC);
	/* A response type sent to the device is not a command. */
	assert_int_equal(prw_frame_encode(buf, sizeof(buf),
					  PRW_CMD_ICC_POWER_OFF | PRW_RSP_BIT,
					  1, 0, 0, NULL, 0),
			 PRW_MIN_FRAME);
	assert_int_equal(sim_device_handle_frame(fx->dev, buf, sizeof(buf)),
			 -PRW_E_TYPE);
	only_frame(fx, SIM_CH_EVENT, &f);
	/* Nothing at all, and a huge message, fail without a crash. */
	assert_int_equal(sim_device_handle_frame(fx->dev, buf, 0),
			 -PRW_E_SHORT);
	fx->count = 0;
}

static void test_latency_and_busy(void **state)
{
	struct fixture *fx = *state;
	struct prw_frame f;
	u8 first;

	assert_int_equal(sim_device_set_latency_once(fx->dev, 4000), 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	first = fx->seq;
	assert_int_equal(fx->count, 0);
	assert_int_equal(sim_device_next_deadline(fx->dev), fx->now + 4000000);
	/* Meanwhile another command is refused at once. */
	send_cmd(fx, PRW_CMD_GET_INFO, NULL, 0);
	expect_response(fx, PRW_CMD_GET_INFO, PRW_ST_BUSY, &f);
	fx->now += 3999000;
	sim_device_run_timers(fx->dev);
	assert_int_equal(fx->count, 0);
	fx->now += 1000;
	sim_device_run_timers(fx->dev);
	only_frame(fx, SIM_CH_RESPONSE, &f);
	assert_int_equal(f.seq, first);
	assert_int_equal(sim_device_next_deadline(fx->dev), SIM_NO_DEADLINE);
	/* latency-once is spent: the next answer is immediate. */
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	expect_response(fx, PRW_CMD_GET_STATUS, PRW_ST_OK, &f);
}

static void test_host_reset_drops_pending(void **state)
{
	struct fixture *fx = *state;

	sim_device_set_latency(fx->dev, 100);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	sim_device_host_reset(fx->dev);
	fx->now += 200000;
	sim_device_run_timers(fx->dev);
	assert_int_equal(fx->count, 0);
}

static void send_apdu(struct fixture *fx, u8 slot, const u8 *apdu, size_t len)
{
	u8 p[PRW_MAX_PAYLOAD];
	int n = prw_apdu_encode(p, sizeof(p), slot, apdu, len);

	assert_true(n > 0);
	send_cmd(fx, PRW_CMD_APDU, p, (size_t)n);
}

static void test_icc_states(void **state)
{
	static const u8 get_data[] = { 0x80, 0xca, 0x9f, 0x17, 0x00 };
	struct fixture *fx = *state;
	struct prw_atr atr;
	struct prw_frame f;

	send_apdu(fx, PRW_SLOT_ICC, get_data, sizeof(get_data));
	expect_response(fx, PRW_CMD_APDU, PRW_ST_NO_CARD, &f);
	send_cmd(fx, PRW_CMD_ICC_POWER_ON, NULL, 0);
	expect_response(fx, PRW_CMD_ICC_POWER_ON, PRW_ST_NO_CARD, &f);
	assert_int_equal(sim_device_icc_insert(fx->dev, NULL, 0), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(f.type, PRW_EVT_ICC_INSERTED);
	assert_int_equal(sim_device_icc_insert(fx->dev, NULL, 0), -EBUSY);
	send_apdu(fx, PRW_SLOT_ICC, get_data, sizeof(get_data));
	expect_response(fx, PRW_CMD_APDU, PRW_ST_NOT_POWERED, &f);
	send_cmd(fx, PRW_CMD_ICC_POWER_ON, NULL, 0);
	expect_response(fx, PRW_CMD_ICC_POWER_ON, PRW_ST_OK, &f);
	assert_int_equal(prw_atr_decode(f.payload, f.len, &atr), 0);
	assert_int_equal(atr.data[0], 0x3b);
	send_apdu(fx, PRW_SLOT_ICC, get_data, sizeof(get_data));
	expect_response(fx, PRW_CMD_APDU, PRW_ST_OK, &f);
	assert_int_equal(f.len, 6);
	assert_int_equal(f.payload[4], 0x90);
	assert_int_equal(sim_device_icc_remove(fx->dev), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(f.type, PRW_EVT_ICC_REMOVED);
	assert_int_equal(sim_device_icc_remove(fx->dev), -ENOENT);
	/* A bad ATR is refused. */
	assert_int_equal(
		sim_device_icc_insert(fx->dev, (const u8[]){ 0x12, 0x34 }, 2),
		-EINVAL);
}

static void poll_for(struct fixture *fx, u16 ms)
{
	struct prw_nfc_poll p = { .timeout_ms = ms };
	u8 buf[4];
	int n = prw_nfc_poll_encode(buf, sizeof(buf), &p);

	assert_true(n > 0);
	send_cmd(fx, PRW_CMD_NFC_POLL, buf, (size_t)n);
}

static void test_nfc_poll(void **state)
{
	struct fixture *fx = *state;
	struct prw_nfc_target t;
	struct prw_frame f;

	/* Nobody taps: NO_CARD once the poll time is over. */
	poll_for(fx, 500);
	assert_int_equal(fx->count, 0);
	fx->now += 499000;
	sim_device_run_timers(fx->dev);
	assert_int_equal(fx->count, 0);
	fx->now += 1000;
	sim_device_run_timers(fx->dev);
	expect_response(fx, PRW_CMD_NFC_POLL, PRW_ST_NO_CARD, &f);
	/* A tap during the poll answers it at once, after the event. */
	poll_for(fx, 5000);
	assert_int_equal(sim_device_nfc_tap(fx->dev, NULL, 0, NULL, 0), 0);
	assert_int_equal(fx->count, 2);
	assert_int_equal(prw_frame_decode(fx->out[0].b, fx->out[0].n, &f), 0);
	assert_int_equal(f.type, PRW_EVT_NFC_PRESENT);
	assert_int_equal(prw_frame_decode(fx->out[1].b, fx->out[1].n, &f), 0);
	assert_int_equal(f.type, PRW_CMD_NFC_POLL | PRW_RSP_BIT);
	assert_int_equal(f.status, PRW_ST_OK);
	assert_int_equal(prw_nfc_target_decode(f.payload, f.len, &t), 0);
	assert_int_equal(t.uid_len, 7);
	assert_int_equal(t.sak, 0x20);
	fx->count = 0;
	/* Bad poll time: BAD_ARGS, not a hang. */
	send_cmd(fx, PRW_CMD_NFC_POLL, (const u8[]){ 0, 0 }, 2);
	expect_response(fx, PRW_CMD_NFC_POLL, PRW_ST_BAD_ARGS, &f);
	assert_int_equal(sim_device_nfc_remove(fx->dev), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(f.type, PRW_EVT_NFC_GONE);
}

static void test_auth(void **state)
{
	struct fixture *fx = *state;
	u8 challenge[PRW_AUTH_CHALLENGE_LEN], p[64], key[32], msg[128];
	u8 mac[32];
	unsigned int mac_len;
	struct prw_frame f;
	size_t i, m = 0;
	int n;

	for (i = 0; i < sizeof(challenge); i++)
		challenge[i] = (u8)(0xc0 + i);
	n = prw_auth_encode(p, sizeof(p), challenge);
	assert_true(n > 0);
	send_cmd(fx, PRW_CMD_AUTH, p, (size_t)n);
	expect_response(fx, PRW_CMD_AUTH, PRW_ST_OK, &f);
	assert_int_equal(f.len, PRW_AUTH_RESPONSE_LEN);
	/* Recompute from the definition in posreader/wire.h. */
	for (i = 0; i < sizeof(key); i++)
		key[i] = (u8)i;
	memcpy(msg, "posreader-auth-v1", 17);
	m = 17;
	memcpy(msg + m, challenge, sizeof(challenge));
	m += sizeof(challenge);
	memcpy(msg + m, "SIM0001", 7);
	m += 7;
	assert_non_null(
		HMAC(EVP_sha256(), key, sizeof(key), msg, m, mac, &mac_len));
	assert_memory_equal(f.payload, mac, sizeof(mac));
	/* A short challenge is refused. */
	send_cmd(fx, PRW_CMD_AUTH, p, 8);
	expect_response(fx, PRW_CMD_AUTH, PRW_ST_BAD_ARGS, &f);
}

static void test_tamper(void **state)
{
	struct fixture *fx = *state;
	struct prw_status_info st;
	struct prw_tamper t;
	struct prw_frame f;

	assert_int_equal(sim_device_icc_insert(fx->dev, NULL, 0), 0);
	fx->count = 0;
	assert_int_equal(sim_device_tamper(fx->dev, PRW_TAMPER_MESH), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(f.type, PRW_EVT_TAMPER);
	assert_int_equal(prw_tamper_decode(f.payload, f.len, &t), 0);
	assert_int_equal(t.cause, PRW_TAMPER_MESH);
	send_cmd(fx, PRW_CMD_ICC_POWER_ON, NULL, 0);
	expect_response(fx, PRW_CMD_ICC_POWER_ON, PRW_ST_TAMPERED, &f);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	expect_response(fx, PRW_CMD_GET_STATUS, PRW_ST_OK, &f);
	assert_int_equal(prw_status_info_decode(f.payload, f.len, &st), 0);
	assert_true(st.state & PRW_STATE_TAMPERED);
	assert_int_equal(st.tamper, PRW_TAMPER_MESH);
	assert_int_equal(sim_device_swipe(fx->dev,
					  (const char *const[3]){ NULL }, 0,
					  false),
			 -EPERM);
	assert_int_equal(sim_device_tamper(fx->dev, 0), 0);
	send_cmd(fx, PRW_CMD_ICC_POWER_ON, NULL, 0);
	expect_response(fx, PRW_CMD_ICC_POWER_ON, PRW_ST_OK, &f);
}

static void check_swipe(struct fixture *fx, bool raw)
{
	const char *const tracks[3] = {
		"%B4111111111111111^TEST/CARDHOLDER^2912101000?",
		";4111111111111111=2912101000?", NULL
	};
	struct card_swipe_info info;
	struct prw_swipe *sw;
	struct prw_frame f;

	assert_int_equal(sim_device_swipe(fx->dev, tracks, 0, raw), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(f.type, PRW_EVT_SWIPE);
	sw = calloc(1, sizeof(*sw));
	assert_non_null(sw);
	assert_int_equal(prw_swipe_decode(f.payload, f.len, sw), 0);
	assert_int_equal(sw->track[0].encoding,
			 raw ? PRW_TRACK_RAW : PRW_TRACK_ASCII);
	assert_int_equal(sw->track[2].status, PRW_TRACK_EMPTY);
	assert_int_equal(card_swipe_parse(sw, &info), 0);
	/* Masked values only, so a failure message leaks nothing. */
	assert_string_equal(info.masked_pan, "411111******1111");
	assert_string_equal(info.expiry.yymm, "2912");
	assert_string_equal(info.service_code, "101");
	assert_string_equal(info.name, "TEST/CARDHOLDER");
	free(sw);
}

static void test_swipe(void **state)
{
	struct fixture *fx = *state;
	const char *const bad[3] = { NULL, ";41111abc?", NULL };
	struct prw_swipe sw;
	struct prw_frame f;

	check_swipe(fx, false);
	check_swipe(fx, true);
	assert_int_equal(sim_device_swipe(fx->dev, bad, 0, false), -EINVAL);
	assert_int_equal(fx->count, 0);
	/* error=2 reports track 2 unreadable with no data. */
	assert_int_equal(sim_device_swipe(fx->dev, bad, 2, false), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_int_equal(prw_swipe_decode(f.payload, f.len, &sw), 0);
	assert_int_equal(sw.track[1].status, PRW_TRACK_ERROR);
	assert_int_equal(sw.track[1].len, 0);
}

static void test_events_lost_flag(void **state)
{
	struct fixture *fx = *state;
	struct prw_frame f;

	fx->refuse = true;
	assert_int_equal(sim_device_icc_insert(fx->dev, NULL, 0), 0);
	fx->refuse = false;
	assert_int_equal(sim_device_icc_remove(fx->dev), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_true(f.flags & PRW_FLAG_EVT_LOST);
	/* The counter moved on for the lost event too. */
	assert_int_equal(f.seq, 1);
	assert_int_equal(sim_device_icc_insert(fx->dev, NULL, 0), 0);
	only_frame(fx, SIM_CH_EVENT, &f);
	assert_false(f.flags & PRW_FLAG_EVT_LOST);
}

/* One misbehaving GET_STATUS answer and the codec's verdict on it. */
static int misbehaved_decode(struct fixture *fx, enum sim_misbehave mb,
			     struct prw_frame *f)
{
	assert_int_equal(sim_device_misbehave(fx->dev, mb, 1), 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	assert_int_equal(fx->count, 1);
	assert_int_equal(fx->out[0].ch, SIM_CH_RESPONSE);
	fx->count = 0;
	if (fx->out[0].n > PRW_MAX_FRAME)
		return -PRW_E_LENGTH;
	return prw_frame_decode(fx->out[0].b, fx->out[0].n, f);
}

static void test_misbehave(void **state)
{
	struct fixture *fx = *state;
	struct prw_frame f;
	size_t i;

	assert_int_equal(misbehaved_decode(fx, SIM_MB_BAD_CRC, &f), -PRW_E_CRC);
	assert_int_equal(misbehaved_decode(fx, SIM_MB_UNKNOWN_TYPE, &f),
			 -PRW_E_TYPE);
	assert_int_equal(misbehaved_decode(fx, SIM_MB_TRUNCATED, &f),
			 -PRW_E_TRUNCATED);
	assert_int_equal(misbehaved_decode(fx, SIM_MB_OVERSIZE, &f),
			 -PRW_E_LENGTH);
	assert_int_equal(misbehaved_decode(fx, SIM_MB_LYING_LENGTH, &f),
			 -PRW_E_TRAILING);
	assert_int_equal(misbehaved_decode(fx, SIM_MB_RESERVED_BITS, &f),
			 -PRW_E_RESERVED);
	assert_true(misbehaved_decode(fx, SIM_MB_GARBAGE, &f) < 0);
	/* Valid frames that answer something else. */
	assert_int_equal(misbehaved_decode(fx, SIM_MB_WRONG_SEQ, &f), 0);
	assert_int_not_equal(f.seq, fx->seq);
	assert_int_equal(misbehaved_decode(fx, SIM_MB_WRONG_TYPE, &f), 0);
	assert_int_equal(f.seq, fx->seq);
	assert_int_not_equal(f.type, PRW_CMD_GET_STATUS | PRW_RSP_BIT);
	/* Silence: nothing at all. */
	assert_int_equal(sim_device_misbehave(fx->dev, SIM_MB_SILENCE, 2), 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	assert_int_equal(fx->count, 0);
	/* The count is spent: sane again. */
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	expect_response(fx, PRW_CMD_GET_STATUS, PRW_ST_OK, &f);
	/* Flood: junk events first, then the real answer. */
	assert_int_equal(sim_device_misbehave(fx->dev, SIM_MB_FLOOD, 40), 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	assert_int_equal(fx->count, 41);
	for (i = 0; i < 40; i++) {
		assert_int_equal(fx->out[i].ch, SIM_CH_EVENT);
		assert_true(prw_frame_decode(fx->out[i].b, fx->out[i].n, &f) <
			    0);
	}
	assert_int_equal(prw_frame_decode(fx->out[40].b, fx->out[40].n, &f), 0);
	assert_int_equal(f.seq, fx->seq);
	fx->count = 0;
	/* Off, and bad counts. */
	assert_int_equal(sim_device_misbehave(fx->dev, SIM_MB_BAD_CRC, 5), 0);
	assert_int_equal(sim_device_misbehave(fx->dev, SIM_MB_OFF, 0), 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	expect_response(fx, PRW_CMD_GET_STATUS, PRW_ST_OK, &f);
	assert_int_equal(
		sim_device_misbehave(fx->dev, SIM_MB_FLOOD, SIM_FLOOD_MAX + 1),
		-ERANGE);
	assert_int_equal(sim_device_misbehave(fx->dev, SIM_MB_BAD_CRC, 0),
			 -ERANGE);
	/* Only the answers to one command: the others are sane and do not
	 * spend the count. */
	assert_int_equal(sim_device_misbehave_on(fx->dev, SIM_MB_SILENCE, 1,
						 PRW_CMD_GET_INFO),
			 0);
	send_cmd(fx, PRW_CMD_GET_STATUS, NULL, 0);
	expect_response(fx, PRW_CMD_GET_STATUS, PRW_ST_OK, &f);
	send_cmd(fx, PRW_CMD_GET_INFO, NULL, 0);
	assert_int_equal(fx->count, 0);
	send_cmd(fx, PRW_CMD_GET_INFO, NULL, 0);
	expect_response(fx, PRW_CMD_GET_INFO, PRW_ST_OK, &f);
	assert_int_equal(sim_device_misbehave_on(fx->dev, SIM_MB_SILENCE, 1,
						 PRW_EVT_SWIPE),
			 -EINVAL);
}

static void test_caps(void **state)
{
	struct sim_device *dev = NULL;
	struct sim_identity id;
	struct fixture *fx;
	struct prw_frame f;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	sim_identity_default(&id);
	id.caps = PRW_CAP_MAGSTRIPE;
	assert_int_equal(sim_device_new(&id, capture, fx, &fx->dev), 0);
	send_cmd(fx, PRW_CMD_ICC_POWER_ON, NULL, 0);
	expect_response(fx, PRW_CMD_ICC_POWER_ON, PRW_ST_UNSUPPORTED, &f);
	assert_int_equal(sim_device_nfc_tap(fx->dev, NULL, 0, NULL, 0),
			 -EOPNOTSUPP);
	sim_device_free(fx->dev);
	free(fx);
	/* Identities the model refuses. */
	sim_identity_default(&id);
	id.key_len = 4;
	assert_int_equal(sim_device_new(&id, capture, NULL, &dev), -EINVAL);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_info),
		T(test_bad_frame_gives_error_event),
		T(test_latency_and_busy),
		T(test_host_reset_drops_pending),
		T(test_icc_states),
		T(test_nfc_poll),
		T(test_auth),
		T(test_tamper),
		T(test_swipe),
		T(test_events_lost_flag),
		T(test_misbehave),
		cmocka_unit_test(test_caps),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
