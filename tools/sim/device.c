// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated reader: command dispatch, slot state, events, and the
 * misbehaviour that tests drivers and hosts against a hostile device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

#include "auth.h"
#include "card-app.h"
#include "device.h"
#include "misbehave.h"
#include "stripe.h"

/* "POSSIM" as historical bytes, T=0 implied: TS T0 then 6 bytes. */
static const u8 default_atr[] = { 0x3b, 0x06, 'P', 'O', 'S', 'S', 'I', 'M' };
static const u8 default_uid[] = { 0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };
/* T0 (TA, TB, TC present, FSCI 256), TA, TB (FWI 7), TC (CID). */
static const u8 default_ats[] = { 0x78, 0x80, 0x70, 0x02 };

enum pending_kind {
	PEND_NONE,
	PEND_SEND, /* a response waits for its latency to pass */
	PEND_POLL, /* an NFC poll waits for a tap or its deadline */
};

struct pending {
	enum pending_kind kind;
	uint64_t due;
	u8 cmd;
	u8 seq;
	u8 frame[PRW_MAX_FRAME];
	size_t len;
};

struct sim_device {
	struct sim_identity id;
	sim_output_fn out;
	void *userdata;
	sim_clock_fn clock;
	void *clock_data;

	bool icc_present;
	bool icc_powered;
	struct prw_atr atr;
	bool nfc_present;
	struct prw_nfc_target target;
	u8 tamper;
	u8 leds;
	u16 buzzer_ms;

	u8 event_seq;
	bool event_lost;
	unsigned int events_lost;

	unsigned int latency_ms;
	unsigned int latency_once_ms;
	enum sim_misbehave mb;
	unsigned int mb_count;
	u8 mb_cmd; /* misbehave only on answers to this command; 0: all */

	struct card_app *icc_app;
	struct card_app *nfc_app;
	struct pending pend;
	unsigned long frames_in;
	unsigned long frames_bad;
	uint64_t rng;
};

void sim_identity_default(struct sim_identity *ret)
{
	size_t i;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->vendor, sizeof(ret->vendor), "posreader");
	snprintf(ret->model, sizeof(ret->model), "posreader-sim");
	snprintf(ret->serial, sizeof(ret->serial), "SIM0001");
	snprintf(ret->firmware, sizeof(ret->firmware), "1.0.0");
	ret->caps = PRW_CAP_MAGSTRIPE | PRW_CAP_ICC | PRW_CAP_NFC |
		    PRW_CAP_AUTH | PRW_CAP_INDICATORS;
	for (i = 0; i < SIM_DEFAULT_KEY_LEN; i++)
		ret->key[i] = (u8)i;
	ret->key_len = SIM_DEFAULT_KEY_LEN;
}

static uint64_t monotonic_usec(void *userdata)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_usec(const struct sim_device *dev)
{
	return dev->clock(dev->clock_data);
}

int sim_device_new(const struct sim_identity *id, sim_output_fn out,
		   void *userdata, struct sim_device **ret)
{
	struct sim_device *dev;
	int r;

	if (!id || !out || !ret || !id->serial[0] ||
	    id->key_len < SIM_KEY_MIN || id->key_len > SIM_KEY_MAX)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->id = *id;
	dev->out = out;
	dev->userdata = userdata;
	dev->clock = monotonic_usec;
	r = card_app_new(CARD_IFACE_CONTACT, &dev->icc_app);
	if (r < 0)
		goto err_free;
	r = card_app_new(CARD_IFACE_CONTACTLESS, &dev->nfc_app);
	if (r < 0)
		goto err_icc;
	if (getrandom(&dev->rng, sizeof(dev->rng), GRND_NONBLOCK) !=
		    sizeof(dev->rng) ||
	    !dev->rng)
		dev->rng = 0x9e3779b97f4a7c15ull;
	*ret = dev;
	return 0;

err_icc:
	card_app_free(dev->icc_app);
err_free:
	free(dev);
	return r;
}

void sim_device_free(struct sim_device *dev)
{
	if (!dev)
		return;
	card_app_free(dev->icc_app);
	card_app_free(dev->nfc_app);
	secure_zero(dev, sizeof(*dev));
	free(dev);
}

void sim_device_set_clock(struct sim_device *dev, sim_clock_fn clock,
			  void *userdata)
{
	dev->clock = clock ? clock : monotonic_usec;
	dev->clock_data = clock ? userdata : NULL;
}

const struct sim_identity *sim_device_identity(const struct sim_device *dev)
{
	return &dev->id;
}

static u8 state_bits(const struct sim_device *dev)
{
	u8 st = 0;

	if (dev->icc_present)
		st |= PRW_STATE_ICC_PRESENT;
	if (dev->icc_powered)
		st |= PRW_STATE_ICC_POWERED;
	if (dev->nfc_present)
		st |= PRW_STATE_NFC_PRESENT;
	if (dev->tamper)
		st |= PRW_STATE_TAMPERED;
	return st;
}

void sim_device_get_state(const struct sim_device *dev, struct sim_state *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->icc_present = dev->icc_present;
	ret->icc_powered = dev->icc_powered;
	ret->nfc_present = dev->nfc_present;
	ret->tamper = dev->tamper;
	ret->leds = dev->leds;
	ret->event_seq = dev->event_seq;
	ret->events_lost = dev->events_lost;
	ret->latency_ms = dev->latency_ms;
	ret->latency_once_ms = dev->latency_once_ms;
	ret->misbehave = dev->mb;
	ret->misbehave_count = dev->mb_count;
	ret->misbehave_cmd = dev->mb_cmd;
	ret->pin_tries = card_app_pin_tries(dev->icc_app);
	ret->pending = dev->pend.kind != PEND_NONE;
	ret->frames_in = dev->frames_in;
	ret->frames_bad = dev->frames_bad;
}

/* ---- Events ------------------------------------------------------------ */

static void emit_event(struct sim_device *dev, u8 type, const u8 *payload,
		       size_t len)
{
	u8 buf[PRW_MAX_FRAME];
	u8 flags = dev->event_lost ? PRW_FLAG_EVT_LOST : 0;
	int n;

	n = prw_frame_encode(buf, sizeof(buf), type, dev->event_seq++, flags, 0,
			     payload, len);
	if (n < 0) {
		/* Our own encoder refused our own event: a model bug. */
		fprintf(stderr,
			"posreader-sim: cannot encode event 0x%02x: %s\n", type,
			prw_strerror(n));
		return;
	}
	if (dev->out(dev->userdata, SIM_CH_EVENT, buf, (size_t)n) < 0) {
		dev->event_lost = true;
		dev->events_lost++;
	} else {
		dev->event_lost = false;
	}
	secure_zero(buf, (size_t)n);
}

static void emit_error_event(struct sim_device *dev, u8 code, u16 detail)
{
	struct prw_dev_error e = { .code = code, .detail = detail };
	u8 p[8];
	int n;

	n = prw_dev_error_encode(p, sizeof(p), &e);
	if (n >= 0)
		emit_event(dev, PRW_EVT_ERROR, p, (size_t)n);
}

/* ---- Misbehaviour -------------------------------------------------------- */

static void send_flood(struct sim_device *dev, unsigned int count)
{
	u8 buf[64];
	unsigned int i;
	size_t n;

	for (i = 0; i < count; i++) {
		n = mb_flood_frame(&dev->rng, i, dev->event_seq, buf);
		dev->out(dev->userdata, SIM_CH_EVENT, buf, n);
	}
}

/* A valid response of another command's type, carrying that type's
 * payload, so only the type (not the codec) gives it away. */
static size_t wrong_type_frame(struct sim_device *dev, u8 cmd, u8 seq, u8 *out,
			       size_t cap)
{
	struct prw_status_info st = { .state = state_bits(dev),
				      .tamper = dev->tamper };
	int n;

	if (cmd != PRW_CMD_GET_STATUS) {
		n = prw_status_info_encode(PRW_PAYLOAD(out),
					   cap - PRW_MIN_FRAME, &st);
		if (n < 0)
			return 0;
		n = prw_frame_seal(out, cap, PRW_CMD_GET_STATUS | PRW_RSP_BIT,
				   seq, 0, PRW_ST_OK, (size_t)n);
	} else {
		n = prw_frame_encode(out, cap,
				     PRW_CMD_ICC_POWER_OFF | PRW_RSP_BIT, seq,
				     0, PRW_ST_OK, NULL, 0);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* Hand a finished response to the transport, misbehaving if asked to. */
static void deliver_response(struct sim_device *dev, u8 cmd, const u8 *frame,
			     size_t len)
{
	bool hit = dev->mb_count && (!dev->mb_cmd || dev->mb_cmd == cmd);
	enum sim_misbehave mb = hit ? dev->mb : SIM_MB_OFF;
	size_t n, other_len = 0;
	u8 *out, *other;

	if (mb == SIM_MB_OFF) {
		dev->out(dev->userdata, SIM_CH_RESPONSE, frame, len);
		return;
	}
	if (mb == SIM_MB_FLOOD) {
		send_flood(dev, dev->mb_count);
		dev->mb_count = 0;
		dev->mb = SIM_MB_OFF;
		dev->out(dev->userdata, SIM_CH_RESPONSE, frame, len);
		return;
	}
	if (!--dev->mb_count)
		dev->mb = SIM_MB_OFF;
	out = malloc(2 * SIM_OUT_MAX);
	if (!out)
		return;
	other = out + SIM_OUT_MAX;
	if (mb == SIM_MB_WRONG_TYPE)
		other_len = wrong_type_frame(dev, cmd, frame[2], other,
					     SIM_OUT_MAX);
	n = mb_rewrite(mb, &dev->rng, frame, len, other, other_len, out);
	if (n)
		dev->out(dev->userdata, SIM_CH_RESPONSE, out, n);
	secure_zero(out, 2 * SIM_OUT_MAX);
	free(out);
}

/* ---- Responses ------------------------------------------------------------
 */

/*
 * Answer command cmd/seq. The payload is already at
 * PRW_PAYLOAD(dev->pend.frame) (plen bytes). Latency turns the answer
 * into a pending one; otherwise it leaves at once.
 */
static void respond(struct sim_device *dev, u8 cmd, u8 seq, u8 status,
		    size_t plen)
{
	struct pending *p = &dev->pend;
	unsigned int delay;
	int n;

	if (status != PRW_ST_OK)
		plen = 0;
	n = prw_frame_seal(p->frame, sizeof(p->frame), prw_response_type(cmd),
			   seq, 0, status, plen);
	if (n < 0) {
		fprintf(stderr,
			"posreader-sim: cannot encode response 0x%02x: %s\n",
			cmd, prw_strerror(n));
		n = prw_frame_seal(p->frame, sizeof(p->frame),
				   prw_response_type(cmd), seq, 0,
				   PRW_ST_INTERNAL, 0);
		if (n < 0)
			return;
	}
	p->cmd = cmd;
	p->seq = seq;
	p->len = (size_t)n;
	delay = dev->latency_once_ms ? dev->latency_once_ms : dev->latency_ms;
	dev->latency_once_ms = 0;
	if (delay) {
		p->kind = PEND_SEND;
		p->due = now_usec(dev) + (uint64_t)delay * 1000;
		return;
	}
	p->kind = PEND_NONE;
	deliver_response(dev, cmd, p->frame, p->len);
	secure_zero(p->frame, p->len);
}

/* Payload area of the pending frame and its room. */
static u8 *payload_buf(struct sim_device *dev)
{
	return PRW_PAYLOAD(dev->pend.frame);
}

#define PAYLOAD_CAP PRW_MAX_PAYLOAD

static int do_get_info(struct sim_device *dev, size_t *plen)
{
	struct prw_info info = {
		.proto_version = PRW_PROTO_VERSION,
		.caps = dev->id.caps,
		.max_payload = PRW_MAX_PAYLOAD,
	};
	int n;

	memcpy(info.vendor, dev->id.vendor, sizeof(info.vendor));
	memcpy(info.model, dev->id.model, sizeof(info.model));
	memcpy(info.serial, dev->id.serial, sizeof(info.serial));
	memcpy(info.firmware, dev->id.firmware, sizeof(info.firmware));
	n = prw_info_encode(payload_buf(dev), PAYLOAD_CAP, &info);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*plen = (size_t)n;
	return PRW_ST_OK;
}

static int do_get_status(struct sim_device *dev, size_t *plen)
{
	struct prw_status_info st = { .state = state_bits(dev),
				      .tamper = dev->tamper };
	int n;

	n = prw_status_info_encode(payload_buf(dev), PAYLOAD_CAP, &st);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*plen = (size_t)n;
	return PRW_ST_OK;
}

static int do_power_on(struct sim_device *dev, size_t *plen)
{
	int n;

	if (!dev->icc_present)
		return PRW_ST_NO_CARD;
	dev->icc_powered = true;
	card_app_reset(dev->icc_app);
	n = prw_atr_encode(payload_buf(dev), PAYLOAD_CAP, &dev->atr);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*plen = (size_t)n;
	return PRW_ST_OK;
}

static int do_apdu(struct sim_device *dev, const struct prw_frame *f,
		   size_t *plen)
{
	const u8 *apdu;
	size_t apdu_len, rlen;
	struct card_app *app;
	u8 slot;

	if (prw_apdu_decode(f->payload, f->len, &slot, &apdu, &apdu_len) < 0)
		return PRW_ST_BAD_ARGS;
	if (slot == PRW_SLOT_ICC) {
		if (!(dev->id.caps & PRW_CAP_ICC))
			return PRW_ST_UNSUPPORTED;
		if (!dev->icc_present)
			return PRW_ST_NO_CARD;
		if (!dev->icc_powered)
			return PRW_ST_NOT_POWERED;
		app = dev->icc_app;
	} else {
		if (!(dev->id.caps & PRW_CAP_NFC))
			return PRW_ST_UNSUPPORTED;
		if (!dev->nfc_present)
			return PRW_ST_NO_CARD;
		app = dev->nfc_app;
	}
	if (card_app_process(app, apdu, apdu_len, payload_buf(dev),
			     PRW_RAPDU_MAX, &rlen) < 0)
		return PRW_ST_INTERNAL;
	*plen = rlen;
	return PRW_ST_OK;
}

static int target_payload(struct sim_device *dev, size_t *plen)
{
	int n = prw_nfc_target_encode(payload_buf(dev), PAYLOAD_CAP,
				      &dev->target);

	if (n < 0)
		return PRW_ST_INTERNAL;
	*plen = (size_t)n;
	return PRW_ST_OK;
}

/* Returns a status, or -1 when the answer is left pending. */
static int do_nfc_poll(struct sim_device *dev, const struct prw_frame *f,
		       size_t *plen)
{
	struct prw_nfc_poll poll;

	if (prw_nfc_poll_decode(f->payload, f->len, &poll) < 0)
		return PRW_ST_BAD_ARGS;
	if (dev->nfc_present)
		return target_payload(dev, plen);
	dev->pend.kind = PEND_POLL;
	dev->pend.cmd = f->type;
	dev->pend.seq = f->seq;
	dev->pend.due = now_usec(dev) + (uint64_t)poll.timeout_ms * 1000;
	return -1;
}

static int do_auth(struct sim_device *dev, const struct prw_frame *f,
		   size_t *plen)
{
	const u8 *challenge;

	if (prw_auth_decode(f->payload, f->len, &challenge) < 0)
		return PRW_ST_BAD_ARGS;
	if (sim_auth_answer(dev->id.key, dev->id.key_len, challenge,
			    dev->id.serial, payload_buf(dev)) < 0)
		return PRW_ST_INTERNAL;
	*plen = PRW_AUTH_RESPONSE_LEN;
	return PRW_ST_OK;
}

static int do_indicators(struct sim_device *dev, const struct prw_frame *f)
{
	struct prw_indicators ind;

	if (prw_indicators_decode(f->payload, f->len, &ind) < 0)
		return PRW_ST_BAD_ARGS;
	dev->leds = ind.leds;
	dev->buzzer_ms = ind.buzzer_ms;
	return PRW_ST_OK;
}

/* The capability a command needs, 0 for none. */
static u8 cap_needed(u8 type)
{
	switch (type) {
	case PRW_CMD_ICC_POWER_ON:
	case PRW_CMD_ICC_POWER_OFF:
		return PRW_CAP_ICC;
	case PRW_CMD_NFC_POLL:
	case PRW_CMD_NFC_RELEASE:
		return PRW_CAP_NFC;
	case PRW_CMD_AUTH:
		return PRW_CAP_AUTH;
	case PRW_CMD_SET_INDICATORS:
		return PRW_CAP_INDICATORS;
	default:
		return 0;
	}
}

/* A tampered reader still identifies itself and turns things off, but
 * reads no card and proves nothing with a key it must consider lost. */
static bool refused_after_tamper(u8 type)
{
	return type == PRW_CMD_ICC_POWER_ON || type == PRW_CMD_APDU ||
	       type == PRW_CMD_NFC_POLL || type == PRW_CMD_AUTH;
}

static int dispatch(struct sim_device *dev, const struct prw_frame *f,
		    size_t *plen)
{
	u8 cap = cap_needed(f->type);

	if (cap && !(dev->id.caps & cap))
		return PRW_ST_UNSUPPORTED;
	if (dev->tamper && refused_after_tamper(f->type))
		return PRW_ST_TAMPERED;
	switch (f->type) {
	case PRW_CMD_GET_INFO:
		return do_get_info(dev, plen);
	case PRW_CMD_GET_STATUS:
		return do_get_status(dev, plen);
	case PRW_CMD_ICC_POWER_ON:
		return do_power_on(dev, plen);
	case PRW_CMD_ICC_POWER_OFF:
		dev->icc_powered = false;
		card_app_reset(dev->icc_app);
		return PRW_ST_OK;
	case PRW_CMD_APDU:
		return do_apdu(dev, f, plen);
	case PRW_CMD_NFC_POLL:
		return do_nfc_poll(dev, f, plen);
	case PRW_CMD_NFC_RELEASE:
		card_app_reset(dev->nfc_app);
		return PRW_ST_OK;
	case PRW_CMD_AUTH:
		return do_auth(dev, f, plen);
	case PRW_CMD_SET_INDICATORS:
		return do_indicators(dev, f);
	default:
		return PRW_ST_UNKNOWN_CMD;
	}
}

int sim_device_handle_frame(struct sim_device *dev, const u8 *frame, size_t n)
{
	struct prw_frame f;
	size_t plen = 0;
	int r, st;

	dev->frames_in++;
	r = prw_frame_decode(frame, n, &f);
	if (r == 0 && !prw_type_is_command(f.type))
		r = -PRW_E_TYPE;
	if (r < 0) {
		dev->frames_bad++;
		emit_error_event(dev, PRW_DEVERR_PROTOCOL, (u16)-r);
		return r;
	}
	if (dev->pend.kind != PEND_NONE) {
		/* Answer at once without disturbing the one in flight. */
		u8 busy[PRW_MIN_FRAME];
		int bn = prw_frame_encode(busy, sizeof(busy),
					  prw_response_type(f.type), f.seq, 0,
					  PRW_ST_BUSY, NULL, 0);

		if (bn > 0)
			deliver_response(dev, f.type, busy, (size_t)bn);
		return 0;
	}
	st = dispatch(dev, &f, &plen);
	if (st >= 0)
		respond(dev, f.type, f.seq, (u8)st, plen);
	return 0;
}

uint64_t sim_device_next_deadline(const struct sim_device *dev)
{
	return dev->pend.kind == PEND_NONE ? SIM_NO_DEADLINE : dev->pend.due;
}

void sim_device_run_timers(struct sim_device *dev)
{
	struct pending *p = &dev->pend;

	if (p->kind == PEND_NONE || now_usec(dev) < p->due)
		return;
	if (p->kind == PEND_POLL) {
		p->kind = PEND_NONE;
		respond(dev, p->cmd, p->seq, PRW_ST_NO_CARD, 0);
		return;
	}
	p->kind = PEND_NONE;
	deliver_response(dev, p->cmd, p->frame, p->len);
	secure_zero(p->frame, p->len);
}

void sim_device_host_reset(struct sim_device *dev)
{
	dev->pend.kind = PEND_NONE;
	secure_zero(dev->pend.frame, sizeof(dev->pend.frame));
}

/* ---- Control operations ---------------------------------------------------
 */

int sim_device_swipe(struct sim_device *dev, const char *const tracks[3],
		     unsigned int error_mask, bool raw)
{
	struct prw_swipe *sw;
	char chars[PRW_TRACK_MAX + 1];
	u8 payload[1 + PRW_TRACKS * (3 + PRW_TRACK_MAX)];
	size_t len;
	int i, r = 0, n;

	if (!(dev->id.caps & PRW_CAP_MAGSTRIPE))
		return -EOPNOTSUPP;
	if (dev->tamper)
		return -EPERM;
	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	for (i = 0; i < PRW_TRACKS; i++) {
		struct prw_track *t = &sw->track[i];

		if (error_mask & (1u << i)) {
			t->status = PRW_TRACK_ERROR;
			continue;
		}
		if (!tracks[i]) {
			t->status = PRW_TRACK_EMPTY;
			continue;
		}
		r = stripe_normalize(i + 1, tracks[i], chars, sizeof(chars),
				     &len);
		if (r < 0)
			goto out;
		t->status = PRW_TRACK_OK;
		if (raw) {
			t->encoding = PRW_TRACK_RAW;
			n = stripe_encode_raw(i + 1, chars, len, t->data,
					      sizeof(t->data));
			if (n < 0) {
				r = n;
				goto out;
			}
			t->len = (u8)n;
		} else {
			t->encoding = PRW_TRACK_ASCII;
			memcpy(t->data, chars, len);
			t->len = (u8)len;
		}
	}
	n = prw_swipe_encode(payload, sizeof(payload), sw);
	if (n < 0) {
		r = -EINVAL;
		goto out;
	}
	emit_event(dev, PRW_EVT_SWIPE, payload, (size_t)n);
	secure_zero(payload, sizeof(payload));
out:
	secure_zero(chars, sizeof(chars));
	secure_zero(sw, sizeof(*sw));
	free(sw);
	return r;
}

int sim_device_icc_insert(struct sim_device *dev, const u8 *atr, size_t atr_len)
{
	if (!(dev->id.caps & PRW_CAP_ICC))
		return -EOPNOTSUPP;
	if (dev->icc_present)
		return -EBUSY;
	if (!atr) {
		atr = default_atr;
		atr_len = sizeof(default_atr);
	}
	if (atr_len < PRW_ATR_MIN || atr_len > PRW_ATR_MAX ||
	    (atr[0] != 0x3b && atr[0] != 0x3f))
		return -EINVAL;
	memcpy(dev->atr.data, atr, atr_len);
	dev->atr.len = (u8)atr_len;
	dev->icc_present = true;
	dev->icc_powered = false;
	card_app_reset(dev->icc_app);
	emit_event(dev, PRW_EVT_ICC_INSERTED, NULL, 0);
	return 0;
}

int sim_device_icc_remove(struct sim_device *dev)
{
	if (!dev->icc_present)
		return -ENOENT;
	dev->icc_present = false;
	dev->icc_powered = false;
	card_app_reset(dev->icc_app);
	emit_event(dev, PRW_EVT_ICC_REMOVED, NULL, 0);
	return 0;
}

int sim_device_nfc_tap(struct sim_device *dev, const u8 *uid, size_t uid_len,
		       const u8 *ats, size_t ats_len)
{
	struct prw_nfc_target *t = &dev->target;
	u8 buf[PRW_MAX_PAYLOAD];
	size_t plen = 0;
	int n;

	if (!(dev->id.caps & PRW_CAP_NFC))
		return -EOPNOTSUPP;
	if (dev->nfc_present)
		return -EBUSY;
	if (!uid) {
		uid = default_uid;
		uid_len = sizeof(default_uid);
	}
	if (!ats) {
		ats = default_ats;
		ats_len = sizeof(default_ats);
	}
	if ((uid_len != 4 && uid_len != 7 && uid_len != 10) ||
	    ats_len > PRW_ATS_MAX)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->protocol = PRW_NFC_14443A;
	t->uid_len = (u8)uid_len;
	memcpy(t->uid, uid, uid_len);
	/* ATQA bit frame anticollision and UID size; SAK: ISO 14443-4. */
	t->atqa[0] = uid_len == 4 ? 0x04 : uid_len == 7 ? 0x44 : 0x84;
	t->atqa[1] = 0x00;
	t->sak = 0x20;
	t->ats_len = (u8)ats_len;
	memcpy(t->ats, ats, ats_len);
	n = prw_nfc_target_encode(buf, sizeof(buf), t);
	if (n < 0)
		return -EINVAL;
	dev->nfc_present = true;
	card_app_reset(dev->nfc_app);
	emit_event(dev, PRW_EVT_NFC_PRESENT, buf, (size_t)n);
	if (dev->pend.kind == PEND_POLL) {
		dev->pend.kind = PEND_NONE;
		if (target_payload(dev, &plen) == PRW_ST_OK)
			respond(dev, dev->pend.cmd, dev->pend.seq, PRW_ST_OK,
				plen);
		else
			respond(dev, dev->pend.cmd, dev->pend.seq,
				PRW_ST_INTERNAL, 0);
	}
	return 0;
}

int sim_device_nfc_remove(struct sim_device *dev)
{
	if (!dev->nfc_present)
		return -ENOENT;
	dev->nfc_present = false;
	card_app_reset(dev->nfc_app);
	emit_event(dev, PRW_EVT_NFC_GONE, NULL, 0);
	return 0;
}

int sim_device_tamper(struct sim_device *dev, u8 cause)
{
	struct prw_tamper t = { .cause = cause };
	u8 p[4];
	int n;

	if (!cause) {
		dev->tamper = 0;
		return 0;
	}
	if (cause &
	    ~(PRW_TAMPER_CASE_OPEN | PRW_TAMPER_MESH | PRW_TAMPER_VOLTAGE |
	      PRW_TAMPER_TEMPERATURE | PRW_TAMPER_FIRMWARE))
		return -EINVAL;
	n = prw_tamper_encode(p, sizeof(p), &t);
	if (n < 0)
		return -EINVAL;
	dev->tamper |= cause;
	/* A tampered reader drops what it holds: no card session survives. */
	dev->icc_powered = false;
	card_app_reset(dev->icc_app);
	card_app_reset(dev->nfc_app);
	emit_event(dev, PRW_EVT_TAMPER, p, (size_t)n);
	return 0;
}

int sim_device_set_latency(struct sim_device *dev, unsigned int ms)
{
	if (ms > 600000)
		return -ERANGE;
	dev->latency_ms = ms;
	return 0;
}

int sim_device_set_latency_once(struct sim_device *dev, unsigned int ms)
{
	if (ms > 600000)
		return -ERANGE;
	dev->latency_once_ms = ms;
	return 0;
}

int sim_device_misbehave(struct sim_device *dev, enum sim_misbehave mode,
			 unsigned int count)
{
	return sim_device_misbehave_on(dev, mode, count, 0);
}

int sim_device_misbehave_on(struct sim_device *dev, enum sim_misbehave mode,
			    unsigned int count, u8 cmd)
{
	if ((unsigned int)mode >= SIM_MB_COUNT ||
	    (cmd && !prw_type_is_command(cmd)))
		return -EINVAL;
	if (mode == SIM_MB_OFF) {
		dev->mb = SIM_MB_OFF;
		dev->mb_count = 0;
		dev->mb_cmd = 0;
		return 0;
	}
	if (!count || (mode == SIM_MB_FLOOD && count > SIM_FLOOD_MAX) ||
	    count > 100000)
		return -ERANGE;
	dev->mb = mode;
	dev->mb_count = count;
	dev->mb_cmd = cmd;
	return 0;
}

int sim_device_set_pin_tries(struct sim_device *dev, unsigned int tries)
{
	return card_app_set_pin_tries(dev->icc_app, tries);
}

int sim_device_set_pin(struct sim_device *dev, const char *digits)
{
	return card_app_set_pin(dev->icc_app, digits);
}
