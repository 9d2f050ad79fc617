// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scripted card application. Its records are built from testcard.h
 * at run time, so the chip and the stripe always agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "card-app.h"
#include "testcard.h"

#define PSE_NAME  "1PAY.SYS.DDF01"
#define PPSE_NAME "2PAY.SYS.DDF01"

enum card_selected {
	SEL_NONE,
	SEL_DIRECTORY, /* PSE or PPSE */
	SEL_PAYMENT,
};

struct card_app {
	enum card_iface iface;
	enum card_selected selected;
	u8 pin[CARD_PIN_MAX]; /* ASCII digits */
	size_t pin_len;
	unsigned int pin_tries;
	unsigned int pin_limit;
	u16 atc;
};

/* Output cursor for a response under construction. */
struct rbuf {
	u8 *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put_bytes(struct rbuf *b, const void *src, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_u8(struct rbuf *b, u8 v)
{
	put_bytes(b, &v, 1);
}

/* BER-TLV tag (one or two bytes) and definite length. */
static void put_tl(struct rbuf *b, unsigned int tag, size_t len)
{
	if (tag > 0xff)
		put_u8(b, tag >> 8);
	put_u8(b, tag & 0xff);
	if (len > 0x7f)
		put_u8(b, 0x81);
	put_u8(b, len & 0xff);
}

static void put_tlv(struct rbuf *b, unsigned int tag, const void *v, size_t len)
{
	put_tl(b, tag, len);
	put_bytes(b, v, len);
}

/* Pack hex-nibble characters ('0'-'9', 'D') into BCD, padding with F. */
static size_t pack_nibbles(const char *s, u8 *out, size_t cap)
{
	size_t n = strlen(s), i;

	if ((n + 1) / 2 > cap)
		return 0;
	memset(out, 0xff, (n + 1) / 2);
	for (i = 0; i < n; i++) {
		u8 v = s[i] == 'D' ? 0x0d : (u8)(s[i] - '0');

		if (i % 2)
			out[i / 2] = (out[i / 2] & 0xf0) | v;
		else
			out[i / 2] = (u8)(v << 4) | 0x0f;
	}
	return (n + 1) / 2;
}

int capdu_parse(const u8 *buf, size_t n, struct capdu *ret)
{
	struct capdu c = { 0 };
	size_t lc;

	if (!buf || n < 4)
		return -EINVAL;
	c.cla = buf[0];
	c.ins = buf[1];
	c.p1 = buf[2];
	c.p2 = buf[3];
	if (n == 4)
		goto done;
	if (n == 5) {
		c.has_le = true;
		c.le = buf[4] ? buf[4] : 256;
		goto done;
	}
	if (buf[4]) {
		/* Short Lc. */
		lc = buf[4];
		if (n == 5 + lc) {
			c.lc = lc;
		} else if (n == 6 + lc) {
			c.lc = lc;
			c.has_le = true;
			c.le = buf[n - 1] ? buf[n - 1] : 256;
		} else {
			return -EINVAL;
		}
		c.data = buf + 5;
		goto done;
	}
	/* Extended: 00 then two bytes of Lc or Le. */
	c.extended = true;
	if (n == 7) {
		c.has_le = true;
		c.le = ((size_t)buf[5] << 8) | buf[6];
		if (!c.le)
			c.le = 65536;
		goto done;
	}
	if (n < 8)
		return -EINVAL;
	lc = ((size_t)buf[5] << 8) | buf[6];
	if (!lc)
		return -EINVAL;
	if (n == 7 + lc) {
		c.lc = lc;
	} else if (n == 9 + lc) {
		c.lc = lc;
		c.has_le = true;
		c.le = ((size_t)buf[n - 2] << 8) | buf[n - 1];
		if (!c.le)
			c.le = 65536;
	} else {
		return -EINVAL;
	}
	c.data = buf + 7;
done:
	*ret = c;
	return 0;
}

int card_app_new(enum card_iface iface, struct card_app **ret)
{
	struct card_app *app;

	app = calloc(1, sizeof(*app));
	if (!app)
		return -ENOMEM;
	app->iface = iface;
	app->pin_len = strlen(TESTCARD_PIN);
	memcpy(app->pin, TESTCARD_PIN, app->pin_len);
	app->pin_tries = TESTCARD_PIN_TRIES;
	app->pin_limit = TESTCARD_PIN_TRIES;
	app->atc = 1;
	*ret = app;
	return 0;
}

void card_app_free(struct card_app *app)
{
	if (!app)
		return;
	secure_zero(app, sizeof(*app));
	free(app);
}

void card_app_reset(struct card_app *app)
{
	app->selected = SEL_NONE;
}

int card_app_set_pin(struct card_app *app, const char *digits)
{
	size_t n = digits ? strlen(digits) : 0, i;

	if (n < CARD_PIN_MIN || n > CARD_PIN_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return -EINVAL;
	secure_zero(app->pin, sizeof(app->pin));
	memcpy(app->pin, digits, n);
	app->pin_len = n;
	return 0;
}

int card_app_set_pin_tries(struct card_app *app, unsigned int tries)
{
	if (tries > CARD_PIN_TRIES_MAX)
		return -EINVAL;
	app->pin_tries = tries;
	app->pin_limit =
		tries > TESTCARD_PIN_TRIES ? tries : TESTCARD_PIN_TRIES;
	return 0;
}

unsigned int card_app_pin_tries(const struct card_app *app)
{
	return app->pin_tries;
}

/* Open a constructed object: its tag and a length byte fixed up by
 * tlv_close(), so no template length is ever counted by hand. */
static size_t tlv_open(struct rbuf *b, unsigned int tag)
{
	if (tag > 0xff)
		put_u8(b, tag >> 8);
	put_u8(b, tag & 0xff);
	put_u8(b, 0);
	return b->len;
}

static void tlv_close(struct rbuf *b, size_t start)
{
	size_t len;

	if (b->overflow)
		return;
	len = b->len - start;
	if (len <= 0x7f) {
		b->p[start - 1] = (u8)len;
		return;
	}
	/* Long form: one more length byte in front of the contents. */
	if (len > 0xff || b->len == b->cap) {
		b->overflow = true;
		return;
	}
	memmove(b->p + start + 1, b->p + start, len);
	b->p[start - 1] = 0x81;
	b->p[start] = (u8)len;
	b->len++;
}

/* FCI of the payment application. */
static void fci_payment(struct rbuf *b)
{
	size_t fci, a5;

	fci = tlv_open(b, 0x6f);
	put_tlv(b, 0x84, TESTCARD_AID, TESTCARD_AID_LEN);
	a5 = tlv_open(b, 0xa5);
	put_tlv(b, 0x50, TESTCARD_LABEL, strlen(TESTCARD_LABEL));
	put_tlv(b, 0x87, "\x01", 1);
	put_tlv(b, 0x5f2d, "en", 2);
	tlv_close(b, a5);
	tlv_close(b, fci);
}

/* One application template (61) pointing at the payment application. */
static void app_template(struct rbuf *b)
{
	size_t t = tlv_open(b, 0x61);

	put_tlv(b, 0x4f, TESTCARD_AID, TESTCARD_AID_LEN);
	put_tlv(b, 0x50, TESTCARD_LABEL, strlen(TESTCARD_LABEL));
	put_tlv(b, 0x87, "\x01", 1);
	tlv_close(b, t);
}

/* FCI of the PSE (contact: SFI of the directory) or the PPSE
 * (contactless: the directory inline, in BF0C). */
static void fci_directory(struct card_app *app, struct rbuf *b)
{
	const char *name =
		app->iface == CARD_IFACE_CONTACT ? PSE_NAME : PPSE_NAME;
	size_t fci, a5, dir;

	fci = tlv_open(b, 0x6f);
	put_tlv(b, 0x84, name, strlen(name));
	a5 = tlv_open(b, 0xa5);
	if (app->iface == CARD_IFACE_CONTACT) {
		put_tlv(b, 0x88, "\x01", 1);
		put_tlv(b, 0x5f2d, "en", 2);
	} else {
		dir = tlv_open(b, 0xbf0c);
		app_template(b);
		tlv_close(b, dir);
	}
	tlv_close(b, a5);
	tlv_close(b, fci);
}

/* The payment application's only record (SFI 1, record 1). */
static void record_payment(struct rbuf *b)
{
	u8 t2[19], pan[10], exp[3];
	size_t t2_len, pan_len, rec;

	t2_len = pack_nibbles(TESTCARD_PAN
			      "D" TESTCARD_EXPIRY TESTCARD_SERVICE_CODE
			      "00000000000",
			      t2, sizeof(t2));
	pan_len = pack_nibbles(TESTCARD_PAN, pan, sizeof(pan));
	pack_nibbles(TESTCARD_EXPIRY TESTCARD_EXPIRY_DAY, exp, sizeof(exp));
	rec = tlv_open(b, 0x70);
	put_tlv(b, 0x57, t2, t2_len);
	put_tlv(b, 0x5a, pan, pan_len);
	put_tlv(b, 0x5f24, exp, sizeof(exp));
	put_tlv(b, 0x5f20, TESTCARD_NAME, strlen(TESTCARD_NAME));
	put_tlv(b, 0x5f34, "\x01", 1);
	tlv_close(b, rec);
	secure_zero(t2, sizeof(t2));
	secure_zero(pan, sizeof(pan));
}

/* The PSE directory's only record (SFI 1, record 1). */
static void record_directory(struct rbuf *b)
{
	size_t rec = tlv_open(b, 0x70);

	app_template(b);
	tlv_close(b, rec);
}

static bool name_is(const struct capdu *c, const void *name, size_t len)
{
	return c->lc == len && !memcmp(c->data, name, len);
}

static unsigned int do_select(struct card_app *app, const struct capdu *c,
			      struct rbuf *b)
{
	const char *dir =
		app->iface == CARD_IFACE_CONTACT ? PSE_NAME : PPSE_NAME;

	if (c->p1 != 0x04 || (c->p2 != 0x00 && c->p2 != 0x02))
		return SW_WRONG_P1P2;
	if (!c->lc || c->lc > 16)
		return SW_WRONG_LENGTH;
	app->selected = SEL_NONE;
	/* Only one occurrence of each name: "next" finds nothing. */
	if (c->p2 == 0x02)
		return SW_NOT_FOUND;
	if (name_is(c, dir, strlen(dir))) {
		app->selected = SEL_DIRECTORY;
		fci_directory(app, b);
	} else if (name_is(c, TESTCARD_AID, TESTCARD_AID_LEN)) {
		app->selected = SEL_PAYMENT;
		/* Count each selection as a transaction. */
		app->atc++;
		fci_payment(b);
	} else {
		return SW_NOT_FOUND;
	}
	return SW_OK;
}

static unsigned int do_read_record(struct card_app *app, const struct capdu *c,
				   struct rbuf *b)
{
	if ((c->p2 & 0x07) != 0x04 || !c->p1)
		return SW_WRONG_P1P2;
	if (c->lc)
		return SW_WRONG_LENGTH;
	if (app->selected == SEL_NONE)
		return SW_CONDITIONS;
	/* The PPSE has no records; the PSE and the application one each. */
	if ((c->p2 >> 3) != 1 || c->p1 != 1 ||
	    (app->selected == SEL_DIRECTORY &&
	     app->iface == CARD_IFACE_CONTACTLESS))
		return SW_RECORD_NOT_FOUND;
	if (app->selected == SEL_PAYMENT)
		record_payment(b);
	else
		record_directory(b);
	return SW_OK;
}

static unsigned int do_get_data(struct card_app *app, const struct capdu *c,
				struct rbuf *b)
{
	unsigned int tag = ((unsigned int)c->p1 << 8) | c->p2;
	u8 v[2];

	if (c->lc)
		return SW_WRONG_LENGTH;
	switch (tag) {
	case 0x9f17:
		v[0] = (u8)app->pin_tries;
		put_tlv(b, tag, v, 1);
		return SW_OK;
	case 0x9f36:
		v[0] = app->atc >> 8;
		v[1] = app->atc & 0xff;
		put_tlv(b, tag, v, 2);
		return SW_OK;
	default:
		return SW_DATA_NOT_FOUND;
	}
}

/*
 * Plaintext PIN block, ISO 9564 format 2: 0x2N, N digits as nibbles,
 * filled with F to 8 bytes. Returns the digit count or -EINVAL.
 */
static int pin_block_parse(const u8 *blk, u8 digits[CARD_PIN_MAX])
{
	unsigned int n = blk[0] & 0x0f, i;

	if ((blk[0] >> 4) != 2 || n < CARD_PIN_MIN || n > CARD_PIN_MAX)
		return -EINVAL;
	for (i = 0; i < 14; i++) {
		u8 v = blk[1 + i / 2] >> (i % 2 ? 0 : 4) & 0x0f;

		if (i < n && v > 9)
			return -EINVAL;
		if (i >= n && v != 0x0f)
			return -EINVAL;
		if (i < n)
			digits[i] = '0' + v;
	}
	return (int)n;
}

static unsigned int do_verify(struct card_app *app, const struct capdu *c)
{
	u8 digits[CARD_PIN_MAX];
	unsigned int diff = 0, i;
	int n;

	if (c->p1 != 0x00 || c->p2 != 0x80)
		return SW_WRONG_P1P2;
	if (app->selected != SEL_PAYMENT)
		return SW_CONDITIONS;
	if (!app->pin_tries)
		return SW_PIN_BLOCKED;
	/* No data: ask how many tries are left (ISO/IEC 7816-4). */
	if (!c->lc)
		return SW_PIN_TRIES(app->pin_tries);
	if (c->lc != 8)
		return SW_WRONG_LENGTH;
	n = pin_block_parse(c->data, digits);
	if (n < 0)
		return SW_WRONG_DATA;
	/* Count the attempt before comparing, as a real card must. */
	app->pin_tries--;
	if ((size_t)n != app->pin_len)
		diff = 1;
	for (i = 0; i < (unsigned int)n && i < app->pin_len; i++)
		diff |= digits[i] ^ app->pin[i];
	secure_zero(digits, sizeof(digits));
	if (diff)
		return SW_PIN_TRIES(app->pin_tries);
	app->pin_tries = app->pin_limit;
	return SW_OK;
}

static unsigned int do_echo(const struct capdu *c, struct rbuf *b)
{
	size_t i;

	if (!c->has_le)
		return SW_OK;
	if (c->le > b->cap - b->len)
		return SW_WRONG_LENGTH;
	for (i = 0; i < c->le; i++)
		put_u8(b, i & 0xff);
	return SW_OK;
}

/* Refuse a response that is longer than a short Le asked for. */
static unsigned int check_le(const struct capdu *c, struct rbuf *b)
{
	size_t len = b->len;

	if (c->has_le && c->le < len)
		return len < 256 ? SW_WRONG_LE(len) : SW_WRONG_LENGTH;
	return SW_OK;
}

static unsigned int dispatch(struct card_app *app, const struct capdu *c,
			     struct rbuf *b)
{
	unsigned int sw;

	if (c->cla != 0x00 && c->cla != 0x80)
		return SW_CLA_UNKNOWN;
	if (c->cla == 0x80 && c->ins == 0xee)
		return do_echo(c, b);
	if (c->ins == 0xca)
		sw = do_get_data(app, c, b);
	else if (c->cla != 0x00)
		return SW_INS_UNKNOWN;
	else if (c->ins == 0xa4)
		sw = do_select(app, c, b);
	else if (c->ins == 0xb2)
		sw = do_read_record(app, c, b);
	else if (c->ins == 0x20)
		return do_verify(app, c);
	else
		return SW_INS_UNKNOWN;
	if (sw == SW_OK)
		sw = check_le(c, b);
	return sw;
}

int card_app_process(struct card_app *app, const u8 *cmd, size_t n, u8 *rsp,
		     size_t cap, size_t *ret_len)
{
	struct rbuf b = { .p = rsp, .cap = cap >= 2 ? cap - 2 : 0 };
	struct capdu c;
	unsigned int sw;

	if (cap < 2)
		return -EINVAL;
	if (capdu_parse(cmd, n, &c) < 0)
		sw = SW_WRONG_LENGTH;
	else
		sw = dispatch(app, &c, &b);
	if (b.overflow)
		sw = SW_WRONG_LENGTH;
	if (sw != SW_OK) {
		/* Error statuses carry no data; wipe what was built. */
		secure_zero(rsp, b.len);
		b.len = 0;
	}
	rsp[b.len] = sw >> 8;
	rsp[b.len + 1] = sw & 0xff;
	*ret_len = b.len + 2;
	return 0;
}
