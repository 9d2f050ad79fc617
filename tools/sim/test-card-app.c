// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the simulator's card application. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "card-app.h"

struct rsp {
	u8 b[PRW_RAPDU_MAX];
	size_t len;
};

static unsigned int sw_of(const struct rsp *r)
{
	return (unsigned int)r->b[r->len - 2] << 8 | r->b[r->len - 1];
}

static unsigned int send_apdu(struct card_app *app, const u8 *cmd, size_t n,
			      struct rsp *r)
{
	assert_int_equal(
		card_app_process(app, cmd, n, r->b, sizeof(r->b), &r->len), 0);
	assert_true(r->len >= 2);
	return sw_of(r);
}

#define APDU(app, r, ...)                           \
	send_apdu(app, (const u8[]){ __VA_ARGS__ }, \
		  sizeof((const u8[]){ __VA_ARGS__ }), r)

/* Every byte of a BER-TLV sequence belongs to exactly one object. */
static bool tlv_well_formed(const u8 *p, size_t n, int depth)
{
	while (n) {
		size_t pos = 1, len;
		bool constructed = p[0] & 0x20;

		if ((p[0] & 0x1f) == 0x1f) {
			while (pos < n && p[pos] & 0x80)
				pos++;
			pos++;
		}
		if (pos >= n)
			return false;
		len = p[pos++];
		if (len == 0x81) {
			if (pos >= n)
				return false;
			len = p[pos++];
		} else if (len > 0x7f) {
			return false;
		}
		if (len > n - pos)
			return false;
		if (constructed && depth < 8 &&
		    !tlv_well_formed(p + pos, len, depth + 1))
			return false;
		p += pos + len;
		n -= pos + len;
	}
	return true;
}

/* Find primitive tag (one or two bytes) anywhere in a TLV tree. */
static const u8 *tlv_find(const u8 *p, size_t n, unsigned int tag,
			  size_t *ret_len)
{
	while (n) {
		size_t pos = 1, len;
		unsigned int t = p[0];
		bool constructed = p[0] & 0x20;
		const u8 *inner;

		if ((p[0] & 0x1f) == 0x1f)
			t = t << 8 | p[pos++];
		len = p[pos++];
		if (len == 0x81)
			len = p[pos++];
		if (t == tag) {
			*ret_len = len;
			return p + pos;
		}
		if (constructed) {
			inner = tlv_find(p + pos, len, tag, ret_len);
			if (inner)
				return inner;
		}
		p += pos + len;
		n -= pos + len;
	}
	return NULL;
}

static int setup_contact(void **state)
{
	struct card_app *app;

	assert_int_equal(card_app_new(CARD_IFACE_CONTACT, &app), 0);
	*state = app;
	return 0;
}

static int setup_contactless(void **state)
{
	struct card_app *app;

	assert_int_equal(card_app_new(CARD_IFACE_CONTACTLESS, &app), 0);
	*state = app;
	return 0;
}

static int teardown(void **state)
{
	card_app_free(*state);
	return 0;
}

static unsigned int select_payment(struct card_app *app, struct rsp *r)
{
	return APDU(app, r, 0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00,
		    0x00, 0x03, 0x10, 0x10, 0x00);
}

static void test_capdu_cases(void **state)
{
	struct capdu c;

	assert_int_equal(capdu_parse((const u8[]){ 0, 1, 2, 3 }, 4, &c), 0);
	assert_false(c.has_le);
	assert_int_equal(c.lc, 0);
	/* Case 2 short, Le 00 means 256. */
	assert_int_equal(capdu_parse((const u8[]){ 0, 1, 2, 3, 0 }, 5, &c), 0);
	assert_true(c.has_le);
	assert_int_equal(c.le, 256);
	/* Case 3 short. */
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 2, 9, 9 }, 7, &c), 0);
	assert_int_equal(c.lc, 2);
	assert_false(c.has_le);
	/* Case 4 short. */
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 1, 9, 0x10 }, 7, &c), 0);
	assert_int_equal(c.lc, 1);
	assert_int_equal(c.le, 16);
	/* Case 2 extended: Le 0x0105 = 261. */
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 0, 1, 5 }, 7, &c), 0);
	assert_true(c.extended);
	assert_int_equal(c.le, 261);
	/* Case 2 extended, Le 0000 means 65536. */
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 0, 0, 0 }, 7, &c), 0);
	assert_int_equal(c.le, 65536);
	/* Case 3 extended. */
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 0, 0, 1, 7 }, 8, &c), 0);
	assert_int_equal(c.lc, 1);
	assert_false(c.has_le);
	/* Case 4 extended. */
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 0, 0, 1, 7, 0, 2 }, 10,
			    &c),
		0);
	assert_int_equal(c.lc, 1);
	assert_int_equal(c.le, 2);
	/* Lc disagreeing with the length, extended Lc of zero, short. */
	assert_int_equal(capdu_parse((const u8[]){ 0, 1, 2, 3, 3, 9 }, 6, &c),
			 -EINVAL);
	assert_int_equal(
		capdu_parse((const u8[]){ 0, 1, 2, 3, 0, 0, 0, 1 }, 8, &c),
		-EINVAL);
	assert_int_equal(capdu_parse((const u8[]){ 0, 1, 2 }, 3, &c), -EINVAL);
}

static void test_select(void **state)
{
	struct card_app *app = *state;
	struct rsp r;

	/* PSE on the contact interface. */
	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x00, 0x0e, '1', 'P',
			      'A', 'Y', '.', 'S', 'Y', 'S', '.', 'D', 'D', 'F',
			      '0', '1', 0x00),
			 0x9000);
	assert_int_equal(r.b[0], 0x6f);
	assert_true(tlv_well_formed(r.b, r.len - 2, 0));
	assert_int_equal(r.b[1], r.len - 4);
	/* The PPSE belongs to the contactless interface. */
	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x00, 0x0e, '2', 'P',
			      'A', 'Y', '.', 'S', 'Y', 'S', '.', 'D', 'D', 'F',
			      '0', '1', 0x00),
			 0x6a82);
	assert_int_equal(r.len, 2);
	assert_int_equal(select_payment(app, &r), 0x9000);
	assert_true(tlv_well_formed(r.b, r.len - 2, 0));
	assert_int_equal(r.b[1], r.len - 4);
	/* Unknown AID, "next occurrence", wrong P1, missing data. */
	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x00, 0x05, 0xa0, 0, 0,
			      0, 0x99),
			 0x6a82);
	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x02, 0x07, 0xa0, 0, 0,
			      0, 0x03, 0x10, 0x10),
			 0x6a82);
	assert_int_equal(
		APDU(app, &r, 0x00, 0xa4, 0x00, 0x00, 0x02, 0x3f, 0x00),
		0x6a86);
	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x00), 0x6700);
}

static void test_ppse_contactless(void **state)
{
	struct card_app *app = *state;
	size_t len;
	struct rsp r;

	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x00, 0x0e, '2', 'P',
			      'A', 'Y', '.', 'S', 'Y', 'S', '.', 'D', 'D', 'F',
			      '0', '1', 0x00),
			 0x9000);
	assert_true(tlv_well_formed(r.b, r.len - 2, 0));
	assert_non_null(tlv_find(r.b, r.len - 2, 0x4f, &len));
	assert_int_equal(len, 7);
}

static void test_read_record(void **state)
{
	static const u8 pan[] = {
		0x41, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11
	};
	struct card_app *app = *state;
	const u8 *v;
	size_t len;
	struct rsp r;

	/* Nothing selected yet. */
	assert_int_equal(APDU(app, &r, 0x00, 0xb2, 0x01, 0x0c, 0x00), 0x6985);
	assert_int_equal(select_payment(app, &r), 0x9000);
	assert_int_equal(APDU(app, &r, 0x00, 0xb2, 0x01, 0x0c, 0x00), 0x9000);
	assert_int_equal(r.b[0], 0x70);
	assert_true(tlv_well_formed(r.b, r.len - 2, 0));
	v = tlv_find(r.b, r.len - 2, 0x5a, &len);
	assert_non_null(v);
	/* Compared without printing: this is a PAN. */
	assert_true(len == sizeof(pan) && memcmp(v, pan, len) == 0);
	v = tlv_find(r.b, r.len - 2, 0x5f24, &len);
	assert_non_null(v);
	assert_true(len == 3 && v[0] == 0x29 && v[1] == 0x12 && v[2] == 0x31);
	v = tlv_find(r.b, r.len - 2, 0x57, &len);
	assert_non_null(v);
	/* PAN, then the D separator, then YYMM and service code. */
	assert_true(memcmp(v, pan, sizeof(pan)) == 0);
	assert_int_equal(v[8], 0xd2);
	assert_int_equal(v[9], 0x91);
	assert_int_equal(v[10], 0x21);
	assert_int_equal(v[11], 0x01);
	assert_non_null(tlv_find(r.b, r.len - 2, 0x5f20, &len));
	/* Missing record, bad P2, and a short Le that gets 6Cxx. */
	assert_int_equal(APDU(app, &r, 0x00, 0xb2, 0x02, 0x0c, 0x00), 0x6a83);
	assert_int_equal(APDU(app, &r, 0x00, 0xb2, 0x01, 0x0d, 0x00), 0x6a86);
	assert_int_equal(APDU(app, &r, 0x00, 0xb2, 0x01, 0x0c, 0x10) >> 8,
			 0x6c);
	assert_int_equal(r.len, 2);
}

static unsigned int verify(struct card_app *app, u8 b1, u8 b2, struct rsp *r)
{
	return APDU(app, r, 0x00, 0x20, 0x00, 0x80, 0x08, 0x24, b1, b2, 0xff,
		    0xff, 0xff, 0xff, 0xff);
}

static void test_verify_counter(void **state)
{
	struct card_app *app = *state;
	struct rsp r;

	assert_int_equal(select_payment(app, &r), 0x9000);
	/* No data: ask for the try counter. */
	assert_int_equal(APDU(app, &r, 0x00, 0x20, 0x00, 0x80), 0x63c3);
	assert_int_equal(verify(app, 0x12, 0x35, &r), 0x63c2);
	assert_int_equal(APDU(app, &r, 0x80, 0xca, 0x9f, 0x17, 0x00), 0x9000);
	assert_int_equal(r.b[3], 2);
	/* The right PIN resets the counter. */
	assert_int_equal(verify(app, 0x12, 0x34, &r), 0x9000);
	assert_int_equal(card_app_pin_tries(app), 3);
	assert_int_equal(verify(app, 0x00, 0x00, &r), 0x63c2);
	assert_int_equal(verify(app, 0x00, 0x00, &r), 0x63c1);
	assert_int_equal(verify(app, 0x00, 0x00, &r), 0x63c0);
	/* Blocked stays blocked, even for the right PIN. */
	assert_int_equal(verify(app, 0x12, 0x34, &r), 0x6983);
	assert_int_equal(card_app_pin_tries(app), 0);
	assert_int_equal(APDU(app, &r, 0x00, 0x20, 0x00, 0x80), 0x6983);
}

static void test_verify_bad_input(void **state)
{
	struct card_app *app = *state;
	struct rsp r;

	/* Before selecting the application. */
	assert_int_equal(verify(app, 0x12, 0x34, &r), 0x6985);
	assert_int_equal(select_payment(app, &r), 0x9000);
	/* Not format 2, a digit > 9, bad padding: no try is used. */
	assert_int_equal(APDU(app, &r, 0x00, 0x20, 0x00, 0x80, 0x08, 0x14, 0x12,
			      0x34, 0xff, 0xff, 0xff, 0xff, 0xff),
			 0x6a80);
	assert_int_equal(verify(app, 0x1a, 0x34, &r), 0x6a80);
	assert_int_equal(APDU(app, &r, 0x00, 0x20, 0x00, 0x80, 0x08, 0x24, 0x12,
			      0x34, 0x0f, 0xff, 0xff, 0xff, 0xff),
			 0x6a80);
	assert_int_equal(
		APDU(app, &r, 0x00, 0x20, 0x00, 0x80, 0x02, 0x24, 0x12),
		0x6700);
	assert_int_equal(APDU(app, &r, 0x00, 0x20, 0x00, 0x81, 0x08, 0x24, 0x12,
			      0x34, 0xff, 0xff, 0xff, 0xff, 0xff),
			 0x6a86);
	assert_int_equal(card_app_pin_tries(app), 3);
	/* A settable PIN of another length. */
	assert_int_equal(card_app_set_pin(app, "987654"), 0);
	assert_int_equal(APDU(app, &r, 0x00, 0x20, 0x00, 0x80, 0x08, 0x26, 0x98,
			      0x76, 0x54, 0xff, 0xff, 0xff, 0xff),
			 0x9000);
	assert_int_equal(card_app_set_pin(app, "12a4"), -EINVAL);
	assert_int_equal(card_app_set_pin(app, "123"), -EINVAL);
	assert_int_equal(card_app_set_pin_tries(app, 16), -EINVAL);
	assert_int_equal(card_app_set_pin_tries(app, 1), 0);
	assert_int_equal(verify(app, 0x00, 0x00, &r), 0x63c0);
	assert_int_equal(verify(app, 0x00, 0x00, &r), 0x6983);
}

static void test_echo(void **state)
{
	struct card_app *app = *state;
	struct rsp r;
	size_t i;

	/* Extended case 2, Le 261. */
	assert_int_equal(
		APDU(app, &r, 0x80, 0xee, 0x00, 0x00, 0x00, 0x01, 0x05),
		0x9000);
	assert_int_equal(r.len, 261 + 2);
	for (i = 0; i < 261; i++)
		assert_int_equal(r.b[i], i & 0xff);
	/* The largest answer that fits a frame: 1022 data bytes + SW. */
	assert_int_equal(
		APDU(app, &r, 0x80, 0xee, 0x00, 0x00, 0x00, 0x03, 0xfe),
		0x9000);
	assert_int_equal(r.len, PRW_RAPDU_MAX);
	assert_int_equal(
		APDU(app, &r, 0x80, 0xee, 0x00, 0x00, 0x00, 0x03, 0xff),
		0x6700);
	assert_int_equal(r.len, 2);
	/* Short Le 00 is 256. */
	assert_int_equal(APDU(app, &r, 0x80, 0xee, 0x00, 0x00, 0x00), 0x9000);
	assert_int_equal(r.len, 258);
	/* Extended case 4 with data and Le. */
	assert_int_equal(APDU(app, &r, 0x80, 0xee, 0x00, 0x00, 0x00, 0x00, 0x02,
			      0xaa, 0xbb, 0x00, 0x03),
			 0x9000);
	assert_int_equal(r.len, 5);
}

static void test_unknown(void **state)
{
	struct card_app *app = *state;
	struct rsp r;

	assert_int_equal(APDU(app, &r, 0x00, 0x42, 0x00, 0x00), 0x6d00);
	assert_int_equal(APDU(app, &r, 0x80, 0x42, 0x00, 0x00), 0x6d00);
	assert_int_equal(APDU(app, &r, 0x94, 0xa4, 0x04, 0x00), 0x6e00);
	assert_int_equal(APDU(app, &r, 0x00, 0xca, 0x12, 0x34, 0x00), 0x6a88);
	/* Inconsistent length. */
	assert_int_equal(APDU(app, &r, 0x00, 0xa4, 0x04, 0x00, 0x09, 0x01),
			 0x6700);
}

static void test_atc(void **state)
{
	struct card_app *app = *state;
	unsigned int before;
	struct rsp r;

	assert_int_equal(APDU(app, &r, 0x80, 0xca, 0x9f, 0x36, 0x00), 0x9000);
	assert_int_equal(r.len, 5 + 2);
	before = (unsigned int)r.b[3] << 8 | r.b[4];
	assert_int_equal(select_payment(app, &r), 0x9000);
	assert_int_equal(APDU(app, &r, 0x80, 0xca, 0x9f, 0x36, 0x00), 0x9000);
	assert_int_equal((unsigned int)r.b[3] << 8 | r.b[4], before + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capdu_cases),
		cmocka_unit_test_setup_teardown(test_select, setup_contact,
						teardown),
		cmocka_unit_test_setup_teardown(test_ppse_contactless,
						setup_contactless, teardown),
		cmocka_unit_test_setup_teardown(test_read_record, setup_contact,
						teardown),
		cmocka_unit_test_setup_teardown(test_verify_counter,
						setup_contact, teardown),
		cmocka_unit_test_setup_teardown(test_verify_bad_input,
						setup_contact, teardown),
		cmocka_unit_test_setup_teardown(test_echo, setup_contact,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup_contact,
						teardown),
		cmocka_unit_test_setup_teardown(test_atc, setup_contact,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
