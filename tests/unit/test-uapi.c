// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver's user API (include/uapi/linux/posreader.h) is an ABI: these
 * tests pin its layout. Every structure must be free of implicit padding
 * and keep 64-bit fields 8-byte aligned, so that 32-bit processes on a
 * 64-bit kernel see the same bytes (compat_ptr_ioctl relies on it), and
 * every ioctl number must encode its structure's size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <linux/posreader.h>

/* Sum of the sizes of the named members of a structure. */
#define M(type, field) sizeof(((type *)0)->field)

static void info_has_no_padding(void **state)
{
	typedef struct posreader_info T;

	assert_int_equal(M(T, api_version) + M(T, proto_version) + M(T, caps) +
				 M(T, max_payload) + M(T, usb_vendor) +
				 M(T, usb_product) + M(T, reserved0) +
				 M(T, vendor) + M(T, model) + M(T, serial) +
				 M(T, firmware) + M(T, reserved),
			 sizeof(T));
	assert_int_equal(offsetof(T, reserved) % 8, 0);
	assert_int_equal(sizeof(T) % 8, 0);
}

static void status_has_no_padding(void **state)
{
	typedef struct posreader_status T;

	assert_int_equal(M(T, state) + M(T, tamper) + M(T, dev_status) +
				 M(T, bad_frames) + M(T, stale_frames) +
				 M(T, reserved0) + M(T, reserved),
			 sizeof(T));
	assert_int_equal(offsetof(T, reserved) % 8, 0);
}

static void commands_have_no_padding(void **state)
{
	assert_int_equal(M(struct posreader_icc_power, dev_status) +
				 M(struct posreader_icc_power, atr_len) +
				 M(struct posreader_icc_power, atr) +
				 M(struct posreader_icc_power, reserved),
			 sizeof(struct posreader_icc_power));
	assert_int_equal(offsetof(struct posreader_icc_power, reserved) % 8, 0);
	assert_int_equal(M(struct posreader_simple_cmd, dev_status) +
				 M(struct posreader_simple_cmd, reserved0) +
				 M(struct posreader_simple_cmd, reserved),
			 sizeof(struct posreader_simple_cmd));
	assert_int_equal(M(struct posreader_auth, challenge) +
				 M(struct posreader_auth, response) +
				 M(struct posreader_auth, dev_status) +
				 M(struct posreader_auth, reserved0) +
				 M(struct posreader_auth, reserved),
			 sizeof(struct posreader_auth));
	assert_int_equal(M(struct posreader_indicators, leds) +
				 M(struct posreader_indicators, buzzer_ms) +
				 M(struct posreader_indicators, dev_status) +
				 M(struct posreader_indicators, reserved0),
			 sizeof(struct posreader_indicators));
}

static void apdu_pointers_are_aligned_u64(void **state)
{
	typedef struct posreader_apdu T;

	assert_int_equal(M(T, cmd_ptr), 8);
	assert_int_equal(M(T, rsp_ptr), 8);
	assert_int_equal(offsetof(T, cmd_ptr) % 8, 0);
	assert_int_equal(offsetof(T, rsp_ptr) % 8, 0);
	assert_int_equal(offsetof(T, reserved) % 8, 0);
	assert_int_equal(M(T, slot) + M(T, cmd_len) + M(T, cmd_ptr) +
				 M(T, rsp_ptr) + M(T, rsp_cap) + M(T, rsp_len) +
				 M(T, dev_status) + M(T, reserved0) +
				 M(T, reserved),
			 sizeof(T));
}

static void nfc_has_no_padding(void **state)
{
	typedef struct posreader_nfc_target T;
	typedef struct posreader_nfc_poll P;

	assert_int_equal(M(T, protocol) + M(T, uid_len) + M(T, uid) +
				 M(T, atqa) + M(T, sak) + M(T, ats_len) +
				 M(T, ats) + M(T, reserved0),
			 sizeof(T));
	assert_int_equal(M(P, timeout_ms) + M(P, dev_status) + M(P, target) +
				 M(P, reserved),
			 sizeof(P));
	assert_int_equal(offsetof(P, reserved) % 8, 0);
}

static void event_record_is_fixed(void **state)
{
	typedef struct posreader_event T;

	assert_int_equal(sizeof(T), POSREADER_EVENT_SIZE);
	assert_int_equal(offsetof(T, timestamp_ns), 8);
	assert_int_equal(offsetof(T, u) % 8, 0);
	assert_int_equal(M(T, type) + M(T, flags) + M(T, timestamp_ns) +
				 M(T, seq) + M(T, reserved0) + M(T, reserved1) +
				 M(T, u),
			 sizeof(T));
	/* Three full tracks fit the record. */
	assert_true(sizeof(struct posreader_swipe) <= M(T, u));
	assert_int_equal(M(struct posreader_track, data), POSREADER_TRACK_LEN);
}

static void ioctls_encode_their_structures(void **state)
{
	static const struct {
		unsigned long cmd;
		size_t size;
		unsigned int dir;
	} ioc[] = {
		{ POSREADER_IOC_GET_INFO, sizeof(struct posreader_info),
		  _IOC_READ },
		{ POSREADER_IOC_GET_STATUS, sizeof(struct posreader_status),
		  _IOC_READ },
		{ POSREADER_IOC_ICC_POWER_ON,
		  sizeof(struct posreader_icc_power), _IOC_READ },
		{ POSREADER_IOC_ICC_POWER_OFF,
		  sizeof(struct posreader_simple_cmd), _IOC_READ },
		{ POSREADER_IOC_APDU, sizeof(struct posreader_apdu),
		  _IOC_READ | _IOC_WRITE },
		{ POSREADER_IOC_NFC_POLL, sizeof(struct posreader_nfc_poll),
		  _IOC_READ | _IOC_WRITE },
		{ POSREADER_IOC_NFC_RELEASE,
		  sizeof(struct posreader_simple_cmd), _IOC_READ },
		{ POSREADER_IOC_AUTH, sizeof(struct posreader_auth),
		  _IOC_READ | _IOC_WRITE },
		{ POSREADER_IOC_SET_INDICATORS,
		  sizeof(struct posreader_indicators), _IOC_READ | _IOC_WRITE },
	};
	size_t i, j;

	for (i = 0; i < sizeof(ioc) / sizeof(ioc[0]); i++) {
		assert_int_equal(_IOC_TYPE(ioc[i].cmd), POSREADER_IOC_MAGIC);
		assert_int_equal(_IOC_SIZE(ioc[i].cmd), ioc[i].size);
		assert_int_equal(_IOC_DIR(ioc[i].cmd), ioc[i].dir);
		for (j = 0; j < i; j++)
			assert_int_not_equal(_IOC_NR(ioc[i].cmd),
					     _IOC_NR(ioc[j].cmd));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_has_no_padding),
		cmocka_unit_test(status_has_no_padding),
		cmocka_unit_test(commands_have_no_padding),
		cmocka_unit_test(apdu_pointers_are_aligned_u64),
		cmocka_unit_test(nfc_has_no_padding),
		cmocka_unit_test(event_record_is_fixed),
		cmocka_unit_test(ioctls_encode_their_structures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
