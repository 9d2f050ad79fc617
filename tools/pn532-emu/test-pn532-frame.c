// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the PN532 HSU framing: parsing what a host sends
 * (byte by byte, with noise, bad checksums, extended frames) and the
 * frames the chip sends back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pn532-frame.h"

/* Feed all of buf; return the first non-NONE kind and its data. */
static enum pn532_frame_kind feed_all(struct pn532_parser *p,
				      const uint8_t *buf, size_t n,
				      const uint8_t **data, size_t *len,
				      size_t *ret_used)
{
	enum pn532_frame_kind kind = PN532_FRAME_NONE;
	size_t used, total = 0;

	while (total < n && kind == PN532_FRAME_NONE) {
		kind = pn532_parser_feed(p, buf + total, n - total, &used, data,
					 len);
		total += used;
	}
	*ret_used = total;
	return kind;
}

/* What libnfc sends first: wake-up preamble, then SAMConfiguration. */
static void test_wakeup_then_sam_configuration(void **state)
{
	static const uint8_t wire[] = {
		0x55, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xff, 0x03, 0xfd, 0xd4, 0x14, 0x01, 0x17, 0x00,
	};
	struct pn532_parser p;
	const uint8_t *data = NULL;
	size_t len = 0, used;

	pn532_parser_reset(&p);
	assert_int_equal(feed_all(&p, wire, sizeof(wire), &data, &len, &used),
			 PN532_FRAME_INFO);
	assert_int_equal(len, 2);
	assert_int_equal(data[0], 0x14);
	assert_int_equal(data[1], 0x01);
	/* The DCS ends the frame; the postamble is left as filler. */
	assert_int_equal(used, sizeof(wire) - 1);
}

static void test_byte_by_byte(void **state)
{
	static const uint8_t wire[] = { 0x00, 0x00, 0xff, 0x02, 0xfe,
					0xd4, 0x02, 0x2a, 0x00 };
	enum pn532_frame_kind kind = PN532_FRAME_NONE;
	struct pn532_parser p;
	const uint8_t *data = NULL;
	size_t i, len = 0, used;

	pn532_parser_reset(&p);
	for (i = 0; i < sizeof(wire) - 1; i++) {
		kind = pn532_parser_feed(&p, wire + i, 1, &used, &data, &len);
		assert_int_equal(used, 1);
		/* Busy from the first byte after the start code 00 FF. */
		assert_true(pn532_parser_busy(&p) == (i >= 2 && i < 7));
		if (i < sizeof(wire) - 2)
			assert_int_equal(kind, PN532_FRAME_NONE);
	}
	assert_int_equal(kind, PN532_FRAME_INFO);
	assert_int_equal(len, 1);
	assert_int_equal(data[0], 0x02);
	/* The postamble is filler, not the start of a frame. */
	kind = pn532_parser_feed(&p, wire + i, 1, &used, &data, &len);
	assert_int_equal(kind, PN532_FRAME_NONE);
	assert_false(pn532_parser_busy(&p));
}

static void test_ack_and_nack(void **state)
{
	static const uint8_t ack[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
	static const uint8_t nack[] = { 0x00, 0x00, 0xff, 0xff, 0x00, 0x00 };
	struct pn532_parser p;
	const uint8_t *data;
	size_t len, used;

	pn532_parser_reset(&p);
	assert_int_equal(feed_all(&p, ack, sizeof(ack), &data, &len, &used),
			 PN532_FRAME_ACK);
	pn532_parser_reset(&p);
	assert_int_equal(feed_all(&p, nack, sizeof(nack), &data, &len, &used),
			 PN532_FRAME_NACK);
}

static void test_bad_checksums_and_tfi(void **state)
{
	static const uint8_t bad_lcs[] = { 0x00, 0x00, 0xff, 0x02, 0xfd,
					   0xd4, 0x02, 0x2a, 0x00 };
	static const uint8_t bad_dcs[] = { 0x00, 0x00, 0xff, 0x02, 0xfe,
					   0xd4, 0x02, 0x2b, 0x00 };
	static const uint8_t chip_tfi[] = { 0x00, 0x00, 0xff, 0x02, 0xfe,
					    0xd5, 0x03, 0x28, 0x00 };
	static const uint8_t good[] = { 0x00, 0x00, 0xff, 0x02, 0xfe,
					0xd4, 0x02, 0x2a, 0x00 };
	struct pn532_parser p;
	const uint8_t *data;
	size_t len, used;

	pn532_parser_reset(&p);
	assert_int_equal(
		feed_all(&p, bad_lcs, sizeof(bad_lcs), &data, &len, &used),
		PN532_FRAME_BAD_LCS);
	pn532_parser_reset(&p);
	assert_int_equal(
		feed_all(&p, bad_dcs, sizeof(bad_dcs), &data, &len, &used),
		PN532_FRAME_BAD_DCS);
	pn532_parser_reset(&p);
	assert_int_equal(
		feed_all(&p, chip_tfi, sizeof(chip_tfi), &data, &len, &used),
		PN532_FRAME_BAD_TFI);
	/* After a rejected frame the parser finds the next good one. */
	assert_int_equal(feed_all(&p, good, sizeof(good), &data, &len, &used),
			 PN532_FRAME_INFO);
}

static void test_extended_frame_round_trip(void **state)
{
	uint8_t cmd[300], wire[PN532_MAX_FRAME];
	struct pn532_parser p;
	const uint8_t *data = NULL;
	size_t i, len = 0, used;
	int n;

	/* Build what a host sends: an extended frame with TFI D4. */
	for (i = 0; i < 263; i++)
		cmd[i] = (uint8_t)(i * 7);
	n = pn532_frame_build(wire, sizeof(wire), cmd, 263);
	assert_int_equal(n, 8 + 264 + 2);
	assert_int_equal(wire[3], 0xff);
	assert_int_equal(wire[4], 0xff);
	assert_int_equal((uint8_t)(wire[5] + wire[6] + wire[7]), 0);
	wire[8] = PN532_TFI_HOST; /* turn it into a host frame ... */
	wire[8 + 264] += PN532_TFI_CHIP - PN532_TFI_HOST; /* ... DCS too */

	pn532_parser_reset(&p);
	assert_int_equal(feed_all(&p, wire, (size_t)n, &data, &len, &used),
			 PN532_FRAME_INFO);
	assert_int_equal(len, 263);
	assert_true(memcmp(data, cmd, 263) == 0);
}

static void test_extended_length_out_of_range(void **state)
{
	/* LEN 0x010b = 267 > 265, LCS consistent. */
	static const uint8_t wire[] = { 0x00, 0x00, 0xff, 0xff,
					0xff, 0x01, 0x0b, 0xf4 };
	struct pn532_parser p;
	const uint8_t *data;
	size_t len, used;

	pn532_parser_reset(&p);
	assert_int_equal(feed_all(&p, wire, sizeof(wire), &data, &len, &used),
			 PN532_FRAME_BAD_LEN);
}

static void test_build_normal_frame(void **state)
{
	/* GetFirmwareVersion answer of a PN532 v1.6. */
	static const uint8_t rsp[] = { 0x03, 0x32, 0x01, 0x06, 0x07 };
	static const uint8_t want[] = { 0x00, 0x00, 0xff, 0x06, 0xfa,
					0xd5, 0x03, 0x32, 0x01, 0x06,
					0x07, 0xe8, 0x00 };
	uint8_t buf[32];
	int n;

	n = pn532_frame_build(buf, sizeof(buf), rsp, sizeof(rsp));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_build_limits(void **state)
{
	uint8_t data[PN532_MAX_LEN] = { 0 }, buf[PN532_MAX_FRAME];

	assert_int_equal(
		pn532_frame_build(buf, sizeof(buf), data, PN532_MAX_LEN),
		-EMSGSIZE);
	assert_int_equal(pn532_frame_build(buf, 10, data, 5), -ENOSPC);
	assert_int_equal(pn532_frame_ack(buf, 5), -ENOSPC);
}

static void test_fixed_frames(void **state)
{
	static const uint8_t error_frame[] = { 0x00, 0x00, 0xff, 0x01,
					       0xff, 0x7f, 0x81, 0x00 };
	uint8_t buf[16];

	assert_int_equal(pn532_frame_error(buf, sizeof(buf)), 8);
	assert_memory_equal(buf, error_frame, sizeof(error_frame));
	assert_int_equal(pn532_frame_nack(buf, sizeof(buf)), 6);
	assert_int_equal(buf[3], 0xff);
	assert_int_equal(buf[4], 0x00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wakeup_then_sam_configuration),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_ack_and_nack),
		cmocka_unit_test(test_bad_checksums_and_tfi),
		cmocka_unit_test(test_extended_frame_round_trip),
		cmocka_unit_test(test_extended_length_out_of_range),
		cmocka_unit_test(test_build_normal_frame),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_fixed_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
