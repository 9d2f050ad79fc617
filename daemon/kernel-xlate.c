// SPDX-License-Identifier: GPL-2.0-or-later
/* Wire frames to posreader.ko ioctls and event records to wire frames. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kernel-xlate.h"
#include "util.h"

/* Map an ioctl failure; a negative return means "no answer". */
static int ioctl_status(int ret, uint32_t dev_status)
{
	if (ret == 0)
		return PRW_ST_OK;
	switch (errno) {
	case EIO:
		return dev_status <= PRW_ST_LAST ? (int)dev_status :
						   PRW_ST_INTERNAL;
	case EINVAL:
		return PRW_ST_BAD_ARGS;
	case ENODEV:
		return -ENODEV;
	case ETIMEDOUT:
		return -ETIMEDOUT; /* the core times out too */
	default:
		return PRW_ST_INTERNAL;
	}
}

static void copy_str(char *dst, const char *src)
{
	size_t n = strnlen(src, POSREADER_STR_LEN);

	if (n > PRW_STR_MAX)
		n = PRW_STR_MAX;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int do_info(int fd, uint8_t *out, size_t *ret_len)
{
	int r;
	struct posreader_info ki = { 0 };
	struct prw_info info = { 0 };
	int st, n;

	r = ioctl(fd, POSREADER_IOC_GET_INFO, &ki);
	st = ioctl_status(r, 0);
	if (st != PRW_ST_OK)
		return st;
	info.proto_version = ki.proto_version;
	info.caps = ki.caps;
	info.max_payload = ki.max_payload;
	copy_str(info.vendor, ki.vendor);
	copy_str(info.model, ki.model);
	copy_str(info.serial, ki.serial);
	copy_str(info.firmware, ki.firmware);
	n = prw_info_encode(out, PRW_MAX_PAYLOAD, &info);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*ret_len = n;
	return PRW_ST_OK;
}

static int do_status(int fd, uint8_t *out, size_t *ret_len)
{
	int r;
	struct posreader_status ks = { 0 };
	struct prw_status_info st;
	int ret, n;

	r = ioctl(fd, POSREADER_IOC_GET_STATUS, &ks);
	ret = ioctl_status(r, ks.dev_status);
	if (ret != PRW_ST_OK)
		return ret;
	st.state = ks.state & 0x0f;
	st.tamper = ks.tamper & 0xff;
	n = prw_status_info_encode(out, PRW_MAX_PAYLOAD, &st);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*ret_len = n;
	return PRW_ST_OK;
}

static int do_power_on(int fd, uint8_t *out, size_t *ret_len)
{
	int r;
	struct posreader_icc_power kp = { 0 };
	struct prw_atr atr = { 0 };
	int ret, n;

	r = ioctl(fd, POSREADER_IOC_ICC_POWER_ON, &kp);
	ret = ioctl_status(r, kp.dev_status);
	if (ret != PRW_ST_OK)
		return ret;
	if (kp.atr_len < PRW_ATR_MIN || kp.atr_len > PRW_ATR_MAX)
		return PRW_ST_INTERNAL;
	atr.len = kp.atr_len;
	memcpy(atr.data, kp.atr, atr.len);
	n = prw_atr_encode(out, PRW_MAX_PAYLOAD, &atr);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*ret_len = n;
	return PRW_ST_OK;
}

static int do_simple(int fd, unsigned long req)
{
	int r;
	struct posreader_simple_cmd kc = { 0 };

	r = ioctl(fd, req, &kc);
	return ioctl_status(r, kc.dev_status);
}

static int do_apdu(int fd, const struct prw_frame *f, uint8_t *out,
		   size_t *ret_len)
{
	int r;
	struct posreader_apdu ka = { 0 };
	const uint8_t *apdu;
	size_t apdu_len;
	uint8_t slot;
	int ret;

	if (prw_apdu_decode(f->payload, f->len, &slot, &apdu, &apdu_len) < 0)
		return PRW_ST_BAD_ARGS;
	ka.slot = slot;
	ka.cmd_len = apdu_len;
	ka.cmd_ptr = (uintptr_t)apdu;
	ka.rsp_ptr = (uintptr_t)out;
	ka.rsp_cap = PRW_RAPDU_MAX;
	r = ioctl(fd, POSREADER_IOC_APDU, &ka);
	ret = ioctl_status(r, ka.dev_status);
	if (ret != PRW_ST_OK)
		return ret;
	if (ka.rsp_len < PRW_RAPDU_MIN || ka.rsp_len > PRW_RAPDU_MAX)
		return PRW_ST_INTERNAL;
	*ret_len = ka.rsp_len;
	return PRW_ST_OK;
}

/* Fill a wire NFC target from the UAPI one; false if it is malformed. */
static bool target_from_kernel(const struct posreader_nfc_target *k,
			       struct prw_nfc_target *t)
{
	if (k->uid_len > PRW_UID_MAX || k->ats_len > PRW_ATS_MAX)
		return false;
	memset(t, 0, sizeof(*t));
	t->protocol = k->protocol;
	t->uid_len = k->uid_len;
	memcpy(t->uid, k->uid, k->uid_len);
	memcpy(t->atqa, k->atqa, 2);
	t->sak = k->sak;
	t->ats_len = k->ats_len;
	memcpy(t->ats, k->ats, k->ats_len);
	return true;
}

static int do_nfc_poll(int fd, const struct prw_frame *f, uint8_t *out,
		       size_t *ret_len)
{
	int r;
	struct posreader_nfc_poll kp = { 0 };
	struct prw_nfc_poll p;
	struct prw_nfc_target t;
	int ret, n;

	if (prw_nfc_poll_decode(f->payload, f->len, &p) < 0)
		return PRW_ST_BAD_ARGS;
	kp.timeout_ms = p.timeout_ms;
	r = ioctl(fd, POSREADER_IOC_NFC_POLL, &kp);
	ret = ioctl_status(r, kp.dev_status);
	if (ret != PRW_ST_OK)
		return ret;
	if (!target_from_kernel(&kp.target, &t))
		return PRW_ST_INTERNAL;
	n = prw_nfc_target_encode(out, PRW_MAX_PAYLOAD, &t);
	if (n < 0)
		return PRW_ST_INTERNAL;
	*ret_len = n;
	return PRW_ST_OK;
}

static int do_indicators(int fd, const struct prw_frame *f)
{
	int r;
	struct posreader_indicators ki = { 0 };
	struct prw_indicators ind;

	if (prw_indicators_decode(f->payload, f->len, &ind) < 0)
		return PRW_ST_BAD_ARGS;
	ki.leds = ind.leds;
	ki.buzzer_ms = ind.buzzer_ms;
	r = ioctl(fd, POSREADER_IOC_SET_INDICATORS, &ki);
	return ioctl_status(r, ki.dev_status);
}

static int do_auth(int fd, const struct prw_frame *f, uint8_t *out,
		   size_t *ret_len)
{
	int r;
	struct posreader_auth ka = { 0 };
	const uint8_t *challenge;
	int ret;

	if (prw_auth_decode(f->payload, f->len, &challenge) < 0)
		return PRW_ST_BAD_ARGS;
	memcpy(ka.challenge, challenge, POSREADER_AUTH_LEN);
	r = ioctl(fd, POSREADER_IOC_AUTH, &ka);
	ret = ioctl_status(r, ka.dev_status);
	if (ret != PRW_ST_OK)
		return ret;
	memcpy(out, ka.response, POSREADER_AUTH_LEN);
	*ret_len = POSREADER_AUTH_LEN;
	return PRW_ST_OK;
}

int kernel_run_command(int fd, const struct prw_frame *f, uint8_t *out,
		       size_t *ret_len)
{
	*ret_len = 0;
	switch (f->type) {
	case PRW_CMD_GET_INFO:
		return do_info(fd, out, ret_len);
	case PRW_CMD_GET_STATUS:
		return do_status(fd, out, ret_len);
	case PRW_CMD_ICC_POWER_ON:
		return do_power_on(fd, out, ret_len);
	case PRW_CMD_ICC_POWER_OFF:
		return do_simple(fd, POSREADER_IOC_ICC_POWER_OFF);
	case PRW_CMD_APDU:
		return do_apdu(fd, f, out, ret_len);
	case PRW_CMD_NFC_POLL:
		return do_nfc_poll(fd, f, out, ret_len);
	case PRW_CMD_NFC_RELEASE:
		return do_simple(fd, POSREADER_IOC_NFC_RELEASE);
	case PRW_CMD_AUTH:
		return do_auth(fd, f, out, ret_len);
	case PRW_CMD_SET_INDICATORS:
		return do_indicators(fd, f);
	default:
		return PRW_ST_UNKNOWN_CMD;
	}
}

int kernel_event_frame(const struct posreader_event *ev, uint8_t *frame,
		       size_t cap, uint32_t *ret_lost)
{
	uint8_t *p = PRW_PAYLOAD(frame);
	struct prw_swipe sw;
	struct prw_nfc_target t;
	struct prw_tamper tamper;
	struct prw_dev_error err;
	uint8_t type, flags = 0;
	int n = 0;

	if (cap < PRW_MAX_FRAME)
		return -ENOBUFS;
	if (ev->flags & POSREADER_EVF_DEVICE_LOST)
		flags |= PRW_FLAG_EVT_LOST;
	switch (ev->type) {
	case POSREADER_EVT_SWIPE:
		type = PRW_EVT_SWIPE;
		memset(&sw, 0, sizeof(sw));
		for (int i = 0; i < PRW_TRACKS; i++) {
			const struct posreader_track *k = &ev->u.swipe.track[i];

			if (k->len > PRW_TRACK_MAX) {
				secure_zero(&sw, sizeof(sw));
				return -EBADMSG;
			}
			sw.track[i].status = k->status;
			sw.track[i].encoding = k->encoding;
			sw.track[i].len = k->len;
			memcpy(sw.track[i].data, k->data, k->len);
		}
		n = prw_swipe_encode(p, PRW_MAX_PAYLOAD, &sw);
		secure_zero(&sw, sizeof(sw));
		break;
	case POSREADER_EVT_ICC_INSERTED:
		type = PRW_EVT_ICC_INSERTED;
		break;
	case POSREADER_EVT_ICC_REMOVED:
		type = PRW_EVT_ICC_REMOVED;
		break;
	case POSREADER_EVT_NFC_PRESENT:
		type = PRW_EVT_NFC_PRESENT;
		n = target_from_kernel(&ev->u.nfc, &t) ?
			    prw_nfc_target_encode(p, PRW_MAX_PAYLOAD, &t) :
			    -1;
		break;
	case POSREADER_EVT_NFC_GONE:
		type = PRW_EVT_NFC_GONE;
		break;
	case POSREADER_EVT_TAMPER:
		type = PRW_EVT_TAMPER;
		tamper.cause = ev->u.tamper.cause & 0xff;
		if (!tamper.cause)
			tamper.cause = PRW_TAMPER_CASE_OPEN;
		n = prw_tamper_encode(p, PRW_MAX_PAYLOAD, &tamper);
		break;
	case POSREADER_EVT_ERROR:
		type = PRW_EVT_ERROR;
		err.code = ev->u.error.code & 0xff;
		err.detail = ev->u.error.detail & 0xffff;
		n = prw_dev_error_encode(p, PRW_MAX_PAYLOAD, &err);
		break;
	case POSREADER_EVT_OVERFLOW:
		*ret_lost = ev->u.overflow.lost;
		return 0;
	default:
		return 0;
	}
	if (n < 0) {
		secure_zero(frame, cap);
		return -EBADMSG;
	}
	n = prw_frame_seal(frame, cap, type, ev->seq & 0xff, flags, 0, n);
	return n < 0 ? -EBADMSG : n;
}
