// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel transport's translation (daemon/kernel-xlate.c): command
 * frames to posreader.ko ioctls and back, event records to frames. The
 * driver is replaced by a fake ioctl() (-Wl,--wrap=ioctl); the real
 * module is exercised in the VM harness.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include "kernel-xlate.h"

/* The fake driver: what the next ioctl() sees and does. */
static unsigned long seen_req;
static int (*fake)(void *arg);

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	seen_req = req;
	return fake(arg);
}

static int fail_with(int err)
{
	errno = err;
	return -1;
}

/* Run a command frame of type with payload through the translation. */
static int run(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out,
	       size_t *ret_len)
{
	struct prw_frame f = {
		.type = type, .seq = 7, .len = len, .payload = payload
	};

	return kernel_run_command(3, &f, out, ret_len);
}

static int info_ok(void *arg)
{
	struct posreader_info *ki = arg;

	ki->api_version = POSREADER_API_VERSION;
	ki->proto_version = PRW_PROTO_VERSION;
	ki->caps = POSREADER_CAP_ICC | POSREADER_CAP_NFC;
	ki->max_payload = PRW_MAX_PAYLOAD;
	strcpy(ki->vendor, "posreader");
	strcpy(ki->model, "test");
	/* 39 characters: longer than the wire allows, cut to 32. */
	memset(ki->serial, 'S', POSREADER_STR_LEN - 1);
	strcpy(ki->firmware, "2.0");
	return 0;
}

static void test_info(void **state)
{
	uint8_t out[PRW_MAX_PAYLOAD];
	struct prw_info info;
	size_t len;

	fake = info_ok;
	assert_int_equal(run(PRW_CMD_GET_INFO, NULL, 0, out, &len), PRW_ST_OK);
	assert_int_equal(seen_req, POSREADER_IOC_GET_INFO);
	assert_int_equal(prw_info_decode(out, len, &info), 0);
	assert_int_equal(info.caps, PRW_CAP_ICC | PRW_CAP_NFC);
	assert_string_equal(info.vendor, "posreader");
	assert_string_equal(info.firmware, "2.0");
	assert_int_equal(strlen(info.serial), PRW_STR_MAX);
}

static const uint8_t cmd_apdu[] = { 0x80, 0xee, 0x00, 0x00, 0x02 };
static const uint8_t rsp_apdu[] = { 0x00, 0x01, 0x90, 0x00 };
static uint32_t fake_rsp_len;

static int apdu_ok(void *arg)
{
	struct posreader_apdu *ka = arg;

	assert_int_equal(ka->slot, POSREADER_SLOT_NFC);
	assert_int_equal(ka->cmd_len, sizeof(cmd_apdu));
	assert_true(memcmp((void *)(uintptr_t)ka->cmd_ptr, cmd_apdu,
			   sizeof(cmd_apdu)) == 0);
	assert_true(ka->rsp_cap >= PRW_RAPDU_MAX);
	memcpy((void *)(uintptr_t)ka->rsp_ptr, rsp_apdu, sizeof(rsp_apdu));
	ka->rsp_len = fake_rsp_len;
	return 0;
}

static int apdu_no_card(void *arg)
{
	struct posreader_apdu *ka = arg;

	ka->dev_status = POSREADER_DEV_ST_NO_CARD;
	return fail_with(EIO);
}

static void test_apdu(void **state)
{
	uint8_t payload[64], out[PRW_MAX_PAYLOAD];
	size_t len;
	int n;

	n = prw_apdu_encode(payload, sizeof(payload), PRW_SLOT_NFC, cmd_apdu,
			    sizeof(cmd_apdu));
	assert_true(n > 0);
	fake = apdu_ok;
	fake_rsp_len = sizeof(rsp_apdu);
	assert_int_equal(run(PRW_CMD_APDU, payload, n, out, &len), PRW_ST_OK);
	assert_int_equal(seen_req, POSREADER_IOC_APDU);
	assert_int_equal(len, sizeof(rsp_apdu));
	assert_memory_equal(out, rsp_apdu, len);

	/* A driver claiming a one-byte response is not believed. */
	fake_rsp_len = 1;
	assert_int_equal(run(PRW_CMD_APDU, payload, n, out, &len),
			 PRW_ST_INTERNAL);
	fake_rsp_len = PRW_RAPDU_MAX + 1;
	assert_int_equal(run(PRW_CMD_APDU, payload, n, out, &len),
			 PRW_ST_INTERNAL);

	fake = apdu_no_card;
	assert_int_equal(run(PRW_CMD_APDU, payload, n, out, &len),
			 PRW_ST_NO_CARD);
	/* A payload that is no APDU never reaches the driver. */
	seen_req = 0;
	assert_int_equal(run(PRW_CMD_APDU, payload, 3, out, &len),
			 PRW_ST_BAD_ARGS);
	assert_int_equal(seen_req, 0);
}

static int errno_timedout(void *arg)
{
	return fail_with(ETIMEDOUT);
}

static int errno_nodev(void *arg)
{
	return fail_with(ENODEV);
}

static int errno_inval(void *arg)
{
	return fail_with(EINVAL);
}

static int atr_too_long(void *arg)
{
	struct posreader_icc_power *kp = arg;

	kp->atr_len = POSREADER_ATR_LEN;
	return 0;
}

static int atr_ok(void *arg)
{
	struct posreader_icc_power *kp = arg;

	kp->atr_len = 3;
	memcpy(kp->atr, "\x3b\x01\x02", 3);
	return 0;
}

static void test_errors(void **state)
{
	uint8_t out[PRW_MAX_PAYLOAD];
	struct prw_atr atr;
	size_t len;

	fake = errno_timedout;
	assert_true(run(PRW_CMD_ICC_POWER_OFF, NULL, 0, out, &len) < 0);
	fake = errno_nodev;
	assert_int_equal(run(PRW_CMD_GET_STATUS, NULL, 0, out, &len), -ENODEV);
	fake = errno_inval;
	assert_int_equal(run(PRW_CMD_NFC_RELEASE, NULL, 0, out, &len),
			 PRW_ST_BAD_ARGS);
	fake = atr_too_long;
	assert_int_equal(run(PRW_CMD_ICC_POWER_ON, NULL, 0, out, &len),
			 PRW_ST_INTERNAL);
	fake = atr_ok;
	assert_int_equal(run(PRW_CMD_ICC_POWER_ON, NULL, 0, out, &len),
			 PRW_ST_OK);
	assert_int_equal(prw_atr_decode(out, len, &atr), 0);
	assert_int_equal(atr.len, 3);
	/* A type the module has no ioctl for. */
	assert_int_equal(run(0x7e, NULL, 0, out, &len), PRW_ST_UNKNOWN_CMD);
}

static struct posreader_event record(uint32_t type)
{
	struct posreader_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.seq = 0x1234;
	return ev;
}

static void test_event_swipe(void **state)
{
	/* Made-up track content, not card data. */
	static const char t2[] = ";0000=0000?";
	struct posreader_event ev = record(POSREADER_EVT_SWIPE);
	uint8_t frame[PRW_MAX_FRAME];
	struct prw_swipe sw;
	struct prw_frame f;
	uint32_t lost = 0;
	int n;

	for (int i = 0; i < POSREADER_TRACKS; i++)
		ev.u.swipe.track[i].status = POSREADER_TRACK_EMPTY;
	ev.u.swipe.track[1].status = POSREADER_TRACK_OK;
	ev.u.swipe.track[1].len = strlen(t2);
	memcpy(ev.u.swipe.track[1].data, t2, strlen(t2));
	ev.flags = POSREADER_EVF_DEVICE_LOST;
	n = kernel_event_frame(&ev, frame, sizeof(frame), &lost);
	assert_true(n > 0);
	assert_int_equal(prw_frame_decode(frame, n, &f), 0);
	assert_int_equal(f.type, PRW_EVT_SWIPE);
	assert_int_equal(f.seq, 0x34);
	assert_int_equal(f.flags, PRW_FLAG_EVT_LOST);
	assert_int_equal(prw_swipe_decode(f.payload, f.len, &sw), 0);
	assert_int_equal(sw.track[1].len, strlen(t2));
	assert_true(memcmp(sw.track[1].data, t2, strlen(t2)) == 0);

	/* A track longer than the wire allows is refused, not cut. */
	ev.u.swipe.track[1].len = PRW_TRACK_MAX + 1;
	assert_int_equal(kernel_event_frame(&ev, frame, sizeof(frame), &lost),
			 -EBADMSG);
}

static void test_event_others(void **state)
{
	struct posreader_event ev;
	uint8_t frame[PRW_MAX_FRAME];
	struct prw_nfc_target t;
	struct prw_tamper tamper;
	struct prw_frame f;
	uint32_t lost = 0;
	int n;

	ev = record(POSREADER_EVT_NFC_PRESENT);
	ev.u.nfc.protocol = POSREADER_NFC_14443A;
	ev.u.nfc.uid_len = 4;
	memcpy(ev.u.nfc.uid, "\x04\x01\x02\x03", 4);
	n = kernel_event_frame(&ev, frame, sizeof(frame), &lost);
	assert_true(n > 0);
	assert_int_equal(prw_frame_decode(frame, n, &f), 0);
	assert_int_equal(f.type, PRW_EVT_NFC_PRESENT);
	assert_int_equal(prw_nfc_target_decode(f.payload, f.len, &t), 0);
	assert_int_equal(t.uid_len, 4);
	ev.u.nfc.uid_len = POSREADER_UID_LEN;
	assert_int_equal(kernel_event_frame(&ev, frame, sizeof(frame), &lost),
			 -EBADMSG);

	ev = record(POSREADER_EVT_TAMPER);
	n = kernel_event_frame(&ev, frame, sizeof(frame), &lost);
	assert_int_equal(prw_frame_decode(frame, n, &f), 0);
	assert_int_equal(prw_tamper_decode(f.payload, f.len, &tamper), 0);
	assert_int_equal(tamper.cause, PRW_TAMPER_CASE_OPEN);

	ev = record(POSREADER_EVT_ICC_REMOVED);
	n = kernel_event_frame(&ev, frame, sizeof(frame), &lost);
	assert_int_equal(prw_frame_decode(frame, n, &f), 0);
	assert_int_equal(f.type, PRW_EVT_ICC_REMOVED);
	assert_int_equal(f.len, 0);

	ev = record(POSREADER_EVT_OVERFLOW);
	ev.u.overflow.lost = 9;
	assert_int_equal(kernel_event_frame(&ev, frame, sizeof(frame), &lost),
			 0);
	assert_int_equal(lost, 9);
	ev = record(99);
	assert_int_equal(kernel_event_frame(&ev, frame, sizeof(frame), &lost),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_apdu),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_event_swipe),
		cmocka_unit_test(test_event_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
