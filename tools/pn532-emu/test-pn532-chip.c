// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the emulated PN532 chip, its card, the misbehaviour
 * specs and the control language. The emulated card holds no PAN or
 * track data, so comparing whole responses here prints nothing secret.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pn532-chip.h"
#include "pn532-control.h"
#include "pn532-fault.h"

struct fixture {
	struct pn532_card card;
	struct pn532_chip chip;
	uint8_t rsp[PN532_RSP_MAX];
	size_t len;
	int wait_ms;
};

static int setup(void **state)
{
	static struct fixture f;

	pn532_card_init(&f.card);
	pn532_chip_init(&f.chip, &f.card);
	*state = &f;
	return 0;
}

static enum pn532_result run(struct fixture *f, const uint8_t *cmd, size_t len,
			     bool give_up)
{
	f->len = 0;
	return pn532_chip_command(&f->chip, cmd, len, give_up, f->rsp, &f->len,
				  &f->wait_ms);
}

#define RUN(f, give_up, ...)                                 \
	({                                                   \
		static const uint8_t _c[] = { __VA_ARGS__ }; \
		run(f, _c, sizeof(_c), give_up);             \
	})

/* What libnfc's init does: SetParameters with automatic ATR_RES and RATS. */
static void libnfc_init(struct fixture *f)
{
	assert_int_equal(RUN(f, false, 0x14, 0x01), PN532_REPLY);
	assert_int_equal(RUN(f, false, 0x12, 0x14), PN532_REPLY);
}

static void list_card(struct fixture *f)
{
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00), PN532_REPLY);
	assert_int_equal(f->rsp[1], 1);
}

static void test_firmware_and_diagnose(void **state)
{
	static const uint8_t fw[] = { 0x03, 0x32, 0x01, 0x06, 0x07 };
	static const uint8_t echo[] = {
		0x01, 0x00, 'l', 'i', 'b', 'n', 'f', 'c'
	};
	struct fixture *f = *state;

	assert_int_equal(RUN(f, false, 0x02), PN532_REPLY);
	assert_int_equal(f->len, sizeof(fw));
	assert_memory_equal(f->rsp, fw, sizeof(fw));

	assert_int_equal(
		RUN(f, false, 0x00, 0x00, 'l', 'i', 'b', 'n', 'f', 'c'),
		PN532_REPLY);
	assert_int_equal(f->len, sizeof(echo));
	assert_memory_equal(f->rsp, echo, sizeof(echo));

	/* Card presence without a listed target: wrong context. */
	assert_int_equal(RUN(f, false, 0x00, 0x06), PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_WRONG_CONTEXT);
	assert_int_equal(RUN(f, false, 0x00, 0x09), PN532_SYNTAX_ERROR);
}

static void test_registers_read_back(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		RUN(f, false, 0x08, 0x63, 0x3d, 0x07, 0xff, 0xb0, 0x5a),
		PN532_REPLY);
	assert_int_equal(
		RUN(f, false, 0x06, 0x63, 0x3d, 0xff, 0xb0, 0x63, 0x02),
		PN532_REPLY);
	assert_int_equal(f->len, 4);
	assert_int_equal(f->rsp[0], 0x07);
	assert_int_equal(f->rsp[1], 0x07);
	assert_int_equal(f->rsp[2], 0x5a);
	assert_int_equal(f->rsp[3], 0x80); /* CRC on after reset */

	/* Half an address or a missing value is a syntax error. */
	assert_int_equal(RUN(f, false, 0x06, 0x63), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x08, 0x63, 0x3d), PN532_SYNTAX_ERROR);
}

static void test_syntax_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(RUN(f, false, 0xfe), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x14, 0x05), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x14, 0x02), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x12), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x32, 0x01), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x32, 0x05, 0xff), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x4a, 0x03, 0x00), PN532_SYNTAX_ERROR);
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x05), PN532_SYNTAX_ERROR);
	assert_int_equal(run(f, NULL, 0, false), PN532_SYNTAX_ERROR);
}

static void test_list_target_with_ats(void **state)
{
	static const uint8_t want[] = { 0x4b, 0x01, 0x01, 0x00, 0x04, 0x20,
					0x04, 0x08, 0x12, 0x34, 0x56, 0x05,
					0x78, 0x80, 0x70, 0x02 };
	struct fixture *f = *state;

	libnfc_init(f);
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00), PN532_REPLY);
	assert_int_equal(f->len, sizeof(want));
	assert_memory_equal(f->rsp, want, sizeof(want));
}

static void test_list_target_7_byte_uid_no_rats(void **state)
{
	static const uint8_t want[] = { 0x4b, 0x01, 0x01, 0x00, 0x44,
					0x00, 0x07, 0x04, 0xa1, 0xb2,
					0xc3, 0xd4, 0xe5, 0xf6 };
	struct fixture *f = *state;

	assert_int_equal(pn532_card_set_uid(&f->card, "04a1b2c3d4e5f6"), 0);
	assert_int_equal(pn532_card_set_atqa(&f->card, "0044"), 0);
	assert_int_equal(pn532_card_set_sak(&f->card, "00"), 0);
	/* Without automatic RATS the chip reports no ATS. */
	assert_int_equal(RUN(f, false, 0x12, 0x04), PN532_REPLY);
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00), PN532_REPLY);
	assert_int_equal(f->len, sizeof(want));
	assert_memory_equal(f->rsp, want, sizeof(want));

	/* Selecting by cascaded UID: this one, then a different one. */
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00, 0x88, 0x04, 0xa1, 0xb2,
			     0xc3, 0xd4, 0xe5, 0xf6),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], 1);
	assert_int_equal(RUN(f, false, 0x32, 0x05, 0x00, 0x01, 0x02),
			 PN532_REPLY);
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00, 0x88, 0x04, 0xa1, 0xb2,
			     0xc3, 0xd4, 0xe5, 0xf7),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], 0);
}

static void test_list_waits_for_card(void **state)
{
	struct fixture *f = *state;

	pn532_card_set_present(&f->card, false);
	/* MxRtyPassiveActivation 0xff (the reset value): poll until a card. */
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00), PN532_WAIT);
	assert_int_equal(f->wait_ms, -1);
	assert_int_equal(RUN(f, true, 0x4a, 0x01, 0x00), PN532_REPLY);
	assert_int_equal(f->rsp[1], 0);
	pn532_card_set_present(&f->card, true);
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00), PN532_REPLY);
	assert_int_equal(f->rsp[1], 1);

	/* Finite retries: the answer comes at once, empty. */
	pn532_card_set_present(&f->card, false);
	assert_int_equal(RUN(f, false, 0x32, 0x05, 0x00, 0x01, 0x02),
			 PN532_REPLY);
	assert_int_equal(RUN(f, false, 0x4a, 0x01, 0x00), PN532_REPLY);
	assert_int_equal(f->rsp[1], 0);
	/* FeliCa: a type A card never answers. */
	pn532_card_set_present(&f->card, true);
	assert_int_equal(
		RUN(f, false, 0x4a, 0x01, 0x01, 0x00, 0xff, 0xff, 0x00, 0x00),
		PN532_REPLY);
	assert_int_equal(f->rsp[1], 0);
}

static void test_auto_poll(void **state)
{
	struct fixture *f = *state;

	pn532_card_set_present(&f->card, false);
	/* 20 rounds of 2 x 150 ms for 2 types. */
	assert_int_equal(RUN(f, false, 0x60, 0x14, 0x02, 0x20, 0x10),
			 PN532_WAIT);
	assert_int_equal(f->wait_ms, 20 * 2 * 150 * 2);
	pn532_card_set_present(&f->card, true);
	assert_int_equal(RUN(f, false, 0x60, 0x14, 0x02, 0x20, 0x10),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], 1);
	assert_int_equal(f->rsp[2], 0x20); /* ISO 14443-4A, with ATS */
	assert_int_equal(f->rsp[3], f->len - 4);
	assert_int_equal(f->rsp[4 + 9], 0x05); /* TL after Tg..UID */
}

static void test_apdu_exchange(void **state)
{
	static const uint8_t aid[] = {
		0xa0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10
	};
	struct fixture *f = *state;

	/* No target listed yet. */
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0xa4, 0x04, 0x00),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_WRONG_CONTEXT);

	libnfc_init(f);
	list_card(f);
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0xa4, 0x04, 0x00, 0x0e,
			     '2', 'P', 'A', 'Y', '.', 'S', 'Y', 'S', '.', 'D',
			     'D', 'F', '0', '1', 0x00),
			 PN532_REPLY);
	assert_int_equal(f->rsp[0], 0x41);
	assert_int_equal(f->rsp[1], PN532_ST_OK);
	assert_int_equal(f->rsp[2], 0x6f);
	assert_int_equal(f->rsp[3] + 4, f->len - 2); /* FCI + SW */
	assert_int_equal(f->rsp[f->len - 2], 0x90);
	assert_int_equal(f->rsp[f->len - 1], 0x00);
	assert_non_null(memmem(f->rsp, f->len, aid, sizeof(aid)));

	/* Unknown application, unknown instruction, short APDU. */
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0xa4, 0x04, 0x00, 0x02,
			     0xa0, 0x01, 0x00),
			 PN532_REPLY);
	assert_int_equal(f->len, 4);
	assert_int_equal(f->rsp[2] << 8 | f->rsp[3], 0x6a82);
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0x20, 0x00, 0x80),
			 PN532_REPLY);
	assert_int_equal(f->rsp[2] << 8 | f->rsp[3], 0x6d00);
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0xa4), PN532_REPLY);
	assert_int_equal(f->rsp[2] << 8 | f->rsp[3], 0x6700);

	/* Wrong target number. */
	assert_int_equal(RUN(f, false, 0x40, 0x02, 0x00, 0xa4, 0x04, 0x00),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_INVALID_PARAM);
}

static void test_card_leaves_mid_session(void **state)
{
	struct fixture *f = *state;

	f->card.remove_after = 1;
	libnfc_init(f);
	list_card(f);
	assert_int_equal(
		RUN(f, false, 0x40, 0x01, 0x80, 0xca, 0x9f, 0x36, 0x00),
		PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_OK);
	assert_int_equal(f->len, 2 + 5 + 2);
	assert_int_equal(
		RUN(f, false, 0x40, 0x01, 0x80, 0xca, 0x9f, 0x36, 0x00),
		PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_TIMEOUT);
	assert_false(f->card.present);
	assert_int_equal(RUN(f, false, 0x00, 0x06), PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_TIMEOUT);
}

static void test_raw_blocks_and_deselect(void **state)
{
	struct fixture *f = *state;

	libnfc_init(f);
	list_card(f);
	/* R(NAK) as libnfc's presence check sends it: R(ACK) back. */
	assert_int_equal(RUN(f, false, 0x42, 0xb2), PN532_REPLY);
	assert_int_equal(f->len, 3);
	assert_int_equal(f->rsp[1], PN532_ST_OK);
	assert_int_equal(f->rsp[2], 0xa3);
	/* An I-block carrying GET DATA PIN try counter. */
	assert_int_equal(
		RUN(f, false, 0x42, 0x02, 0x80, 0xca, 0x9f, 0x17, 0x00),
		PN532_REPLY);
	assert_int_equal(f->rsp[2], 0x02);
	assert_int_equal(f->rsp[f->len - 2] << 8 | f->rsp[f->len - 1], 0x9000);
	/* Type B framing: the type A card hears nothing. */
	assert_int_equal(RUN(f, false, 0x08, 0x63, 0x02, 0x83), PN532_REPLY);
	assert_int_equal(RUN(f, false, 0x42, 0xb2), PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_TIMEOUT);
	assert_int_equal(RUN(f, false, 0x08, 0x63, 0x02, 0x80), PN532_REPLY);

	/* InDeselect halts it; InSelect brings it back. */
	assert_int_equal(RUN(f, false, 0x44, 0x00), PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_OK);
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0xb2, 0x01, 0x0c),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_WRONG_CONTEXT);
	assert_int_equal(RUN(f, false, 0x54, 0x01), PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_OK);
	assert_int_equal(RUN(f, false, 0x40, 0x01, 0x00, 0xb2, 0x01, 0x0c),
			 PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_OK);
	assert_int_equal(f->rsp[2], 0x70);
	/* InRelease forgets the target. */
	assert_int_equal(RUN(f, false, 0x52, 0x00), PN532_REPLY);
	assert_int_equal(RUN(f, false, 0x54, 0x01), PN532_REPLY);
	assert_int_equal(f->rsp[1], PN532_ST_WRONG_CONTEXT);
	/* PowerDown answers, then sleeps. */
	assert_int_equal(RUN(f, false, 0x16, 0xf0), PN532_REPLY);
	assert_int_equal(f->len, 2);
	assert_true(f->chip.asleep);
	assert_true(f->chip.hsu_wakeup);
}

static void test_fault_specs(void **state)
{
	struct pn532_fault f = { .mode = PN532_FAULT_NONE };

	assert_int_equal(pn532_fault_parse("bad-dcs", &f), 0);
	assert_int_equal(f.mode, PN532_FAULT_BAD_DCS);
	assert_int_equal(f.cmd, -1);
	assert_int_equal(f.count, 1);
	assert_int_equal(pn532_fault_parse("nack-storm:4a:2", &f), 0);
	assert_int_equal(f.cmd, 0x4a);
	assert_int_equal(f.count, 2);
	assert_int_equal(pn532_fault_take(&f, 0x02), PN532_FAULT_NONE);
	assert_int_equal(pn532_fault_take(&f, 0x4a), PN532_FAULT_NACK_STORM);
	assert_int_equal(pn532_fault_take(&f, 0x4a), PN532_FAULT_NACK_STORM);
	assert_int_equal(pn532_fault_take(&f, 0x4a), PN532_FAULT_NONE);
	assert_int_equal(pn532_fault_parse("silence:any:0", &f), 0);
	assert_int_equal(pn532_fault_take(&f, 0x14), PN532_FAULT_SILENCE);
	assert_int_equal(f.mode, PN532_FAULT_SILENCE); /* unlimited */
	assert_int_equal(pn532_fault_parse("off", &f), 0);
	assert_int_equal(f.mode, PN532_FAULT_NONE);

	assert_int_equal(pn532_fault_parse("loud", &f), -EINVAL);
	assert_int_equal(pn532_fault_parse("bad-dcs:", &f), -EINVAL);
	assert_int_equal(pn532_fault_parse("bad-dcs:100", &f), -EINVAL);
	assert_int_equal(pn532_fault_parse("bad-dcs:4a:-1", &f), -EINVAL);
	assert_int_equal(pn532_fault_parse("bad-dcs:4a:1:2", &f), -EINVAL);
	assert_int_equal(pn532_fault_parse("off:4a", &f), -EINVAL);
}

static int control(struct pn532_control *ctl, const char *cmd, char *reply)
{
	char line[128];

	strcpy(line, cmd);
	return pn532_control_run(ctl, line, reply, 256);
}

static void test_control_language(void **state)
{
	struct fixture *fx = *state;
	struct pn532_fault fault = { .mode = PN532_FAULT_NONE };
	struct pn532_control ctl = { .card = &fx->card, .fault = &fault };
	char reply[256];

	assert_int_equal(control(&ctl, "tag absent", reply), 0);
	assert_string_equal(reply, "ok\n");
	assert_false(fx->card.present);
	assert_true(ctl.card_changed);
	assert_int_equal(control(&ctl, "uid 04:a1:b2:c3:d4:e5:f6\n", reply), 0);
	assert_int_equal(fx->card.uid_len, 7);
	assert_int_equal(control(&ctl, "misbehave truncated 4a 3", reply), 0);
	assert_int_equal(fault.mode, PN532_FAULT_TRUNCATED);
	assert_int_equal(fault.count, 3);
	assert_int_equal(control(&ctl, "status", reply), 0);
	assert_string_equal(reply, "ok tag absent uid 04a1b2c3d4e5f6 atqa 0004 "
				   "sak 20 ats 78807002 remove-after -1 "
				   "misbehave truncated\n");

	/* Rejected input says so and changes nothing. */
	assert_int_equal(control(&ctl, "uid 0102030405", reply), -EINVAL);
	assert_int_equal(strncmp(reply, "error: ", 7), 0);
	assert_int_equal(fx->card.uid_len, 7);
	/* However long the bad value, the reply is one whole line. */
	assert_int_equal(control(&ctl,
				 "uid 0102030405060708090a0b0c0d0e0f1011121314"
				 "15161718191a1b1c1d1e1f20212223242526272829",
				 reply),
			 -EINVAL);
	assert_true(strlen(reply) < 80 && reply[strlen(reply) - 1] == '\n');
	assert_int_equal(control(&ctl, "ats 7g", reply), -EINVAL);
	assert_int_equal(fx->card.ats_len, 4);
	assert_int_equal(control(&ctl, "misbehave often", reply), -EINVAL);
	assert_int_equal(fault.mode, PN532_FAULT_TRUNCATED);
	assert_int_equal(control(&ctl, "", reply), -EINVAL);
	assert_int_equal(control(&ctl, "tag", reply), -EINVAL);
	assert_int_equal(control(&ctl, "a b c d e f g", reply), -EINVAL);
	assert_int_equal(control(&ctl, "remove-after 12x", reply), -EINVAL);
	assert_false(ctl.quit);
	assert_int_equal(control(&ctl, "quit", reply), 0);
	assert_true(ctl.quit);
}

static void test_hex_parsing(void **state)
{
	uint8_t buf[4];

	assert_int_equal(pn532_parse_hex("0a:Bc 1f", buf, sizeof(buf)), 3);
	assert_int_equal(buf[1], 0xbc);
	assert_int_equal(pn532_parse_hex("abc", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pn532_parse_hex("0x12", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pn532_parse_hex("0102030405", buf, sizeof(buf)),
			 -E2BIG);
	assert_int_equal(pn532_parse_hex("", buf, sizeof(buf)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_firmware_and_diagnose, setup),
		cmocka_unit_test_setup(test_registers_read_back, setup),
		cmocka_unit_test_setup(test_syntax_errors, setup),
		cmocka_unit_test_setup(test_list_target_with_ats, setup),
		cmocka_unit_test_setup(test_list_target_7_byte_uid_no_rats,
				       setup),
		cmocka_unit_test_setup(test_list_waits_for_card, setup),
		cmocka_unit_test_setup(test_auto_poll, setup),
		cmocka_unit_test_setup(test_apdu_exchange, setup),
		cmocka_unit_test_setup(test_card_leaves_mid_session, setup),
		cmocka_unit_test_setup(test_raw_blocks_and_deselect, setup),
		cmocka_unit_test(test_fault_specs),
		cmocka_unit_test_setup(test_control_language, setup),
		cmocka_unit_test(test_hex_parsing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
