// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulated ISO/IEC 14443-A card and its scripted payment application.
 *
 * The data is public-test material only: the Visa AID (registered RID
 * A000000003, published by ISO/IEC 7816-5 registration), the PPSE name
 * from EMV Book B, and records holding only non-sensitive tags
 * (currency, country, usage control, version). No PAN, no track data.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "pn532-card.h"

static const uint8_t ppse_name[] = "2PAY.SYS.DDF01";
#define PPSE_NAME_LEN (sizeof(ppse_name) - 1)
static const uint8_t app_aid[] = { 0xa0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10 };
static const uint8_t app_label[] = "TEST CARD";
#define APP_LABEL_LEN (sizeof(app_label) - 1)

/* ISO 7816-4 status words used below. */
#define SW_OK		    0x9000
#define SW_WRONG_LENGTH	    0x6700
#define SW_NOT_FOUND	    0x6a82
#define SW_RECORD_NOT_FOUND 0x6a83
#define SW_WRONG_P1P2	    0x6a86
#define SW_DATA_NOT_FOUND   0x6a88
#define SW_INS_UNKNOWN	    0x6d00
#define SW_CLA_UNKNOWN	    0x6e00

void pn532_card_init(struct pn532_card *card)
{
	static const uint8_t uid[] = { 0x08, 0x12, 0x34, 0x56 };
	static const uint8_t ats[] = { 0x78, 0x80, 0x70, 0x02 };

	memset(card, 0, sizeof(*card));
	memcpy(card->uid, uid, sizeof(uid));
	card->uid_len = sizeof(uid);
	card->atqa[0] = 0x00;
	card->atqa[1] = 0x04;
	card->sak = 0x20;
	memcpy(card->ats, ats, sizeof(ats));
	card->ats_len = sizeof(ats);
	card->remove_after = -1;
	card->present = true;
	card->state = PN532_CARD_IDLE;
	card->block_nr = 1;
}

bool pn532_card_is_iso14443_4(const struct pn532_card *card)
{
	return card->sak & 0x20;
}

void pn532_card_set_present(struct pn532_card *card, bool present)
{
	card->present = present;
	card->state = PN532_CARD_IDLE;
	card->block_nr = 1;
	card->exchanges = 0;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int pn532_parse_hex(const char *s, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (*s == ' ' || *s == ':' || *s == '\t')
			continue;
		v = hex_value((unsigned char)*s);
		if (v < 0)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -E2BIG;
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -EINVAL;
	return (int)n;
}

int pn532_card_set_uid(struct pn532_card *card, const char *hex)
{
	uint8_t uid[PN532_CARD_UID_MAX];
	int n = pn532_parse_hex(hex, uid, sizeof(uid));

	if (n != 4 && n != 7 && n != 10)
		return -EINVAL;
	/* 0x88 is the cascade tag; a real first UID byte never takes it. */
	if (n > 4 && uid[0] == 0x88)
		return -EINVAL;
	memcpy(card->uid, uid, (size_t)n);
	card->uid_len = (size_t)n;
	return 0;
}

int pn532_card_set_atqa(struct pn532_card *card, const char *hex)
{
	uint8_t atqa[2];

	if (pn532_parse_hex(hex, atqa, sizeof(atqa)) != 2)
		return -EINVAL;
	memcpy(card->atqa, atqa, sizeof(atqa));
	return 0;
}

int pn532_card_set_sak(struct pn532_card *card, const char *hex)
{
	uint8_t sak;

	if (pn532_parse_hex(hex, &sak, 1) != 1)
		return -EINVAL;
	card->sak = sak;
	return 0;
}

int pn532_card_set_ats(struct pn532_card *card, const char *hex)
{
	uint8_t ats[PN532_CARD_ATS_MAX];
	int n;

	if (strcmp(hex, "none") == 0) {
		card->ats_len = 0;
		return 0;
	}
	n = pn532_parse_hex(hex, ats, sizeof(ats));
	/* T0 is mandatory; its upper bits say which interface bytes follow. */
	if (n < 1)
		return -EINVAL;
	memcpy(card->ats, ats, (size_t)n);
	card->ats_len = (size_t)n;
	return 0;
}

bool pn532_card_take_exchange(struct pn532_card *card)
{
	if (!card->present)
		return false;
	if (card->remove_after >= 0 &&
	    card->exchanges >= (unsigned int)card->remove_after) {
		pn532_card_set_present(card, false);
		return false;
	}
	card->exchanges++;
	return true;
}

/* Append one BER-TLV with a short-form length; tags of one or two bytes. */
static size_t tlv(uint8_t *out, unsigned int tag, const uint8_t *val,
		  size_t len)
{
	size_t n = 0;

	if (tag > 0xff)
		out[n++] = (uint8_t)(tag >> 8);
	out[n++] = (uint8_t)tag;
	out[n++] = (uint8_t)len;
	memmove(out + n, val, len);
	return n + len;
}

static int finish(uint8_t *rsp, size_t cap, const uint8_t *data, size_t len,
		  unsigned int sw)
{
	if (cap < len + 2)
		return -ENOSPC;
	if (len)
		memcpy(rsp, data, len);
	rsp[len] = (uint8_t)(sw >> 8);
	rsp[len + 1] = (uint8_t)sw;
	return (int)(len + 2);
}

static int status_only(uint8_t *rsp, size_t cap, unsigned int sw)
{
	return finish(rsp, cap, NULL, 0, sw);
}

/* FCI of the PPSE: one directory entry naming the application. */
static int select_ppse(uint8_t *rsp, size_t cap)
{
	static const uint8_t prio = 0x01;
	uint8_t entry[64], dir[80], prop[96], fci[128];
	size_t n, m;

	n = tlv(entry, 0x4f, app_aid, sizeof(app_aid));
	n += tlv(entry + n, 0x50, app_label, APP_LABEL_LEN);
	n += tlv(entry + n, 0x87, &prio, 1);
	m = tlv(dir, 0x61, entry, n);
	n = tlv(prop, 0xbf0c, dir, m);
	m = tlv(fci, 0x84, ppse_name, PPSE_NAME_LEN);
	m += tlv(fci + m, 0xa5, prop, n);
	n = tlv(prop, 0x6f, fci, m);
	return finish(rsp, cap, prop, n, SW_OK);
}

/* FCI of the payment application. */
static int select_app(uint8_t *rsp, size_t cap)
{
	static const uint8_t prio = 0x01;
	uint8_t prop[64], fci[96], out[112];
	size_t n, m;

	n = tlv(prop, 0x50, app_label, APP_LABEL_LEN);
	n += tlv(prop + n, 0x87, &prio, 1);
	m = tlv(fci, 0x84, app_aid, sizeof(app_aid));
	m += tlv(fci + m, 0xa5, prop, n);
	n = tlv(out, 0x6f, fci, m);
	return finish(rsp, cap, out, n, SW_OK);
}

static int do_select(const uint8_t *apdu, size_t len, uint8_t *rsp, size_t cap)
{
	size_t lc;

	if (apdu[2] != 0x04 || (apdu[3] & ~0x0c) != 0x00)
		return status_only(rsp, cap, SW_WRONG_P1P2);
	if (len < 5)
		return status_only(rsp, cap, SW_WRONG_LENGTH);
	lc = apdu[4];
	if (lc == 0 || len < 5 + lc || len > 6 + lc)
		return status_only(rsp, cap, SW_WRONG_LENGTH);
	if (lc == PPSE_NAME_LEN && memcmp(apdu + 5, ppse_name, lc) == 0)
		return select_ppse(rsp, cap);
	if (lc == sizeof(app_aid) && memcmp(apdu + 5, app_aid, lc) == 0)
		return select_app(rsp, cap);
	return status_only(rsp, cap, SW_NOT_FOUND);
}

static int do_gpo(uint8_t *rsp, size_t cap)
{
	/* AIP: SDA + cardholder verification; AFL: SFI 1, record 1. */
	static const uint8_t aip[] = { 0x19, 0x80 };
	static const uint8_t afl[] = { 0x08, 0x01, 0x01, 0x00 };
	uint8_t body[32], out[40];
	size_t n;

	n = tlv(body, 0x82, aip, sizeof(aip));
	n += tlv(body + n, 0x94, afl, sizeof(afl));
	n = tlv(out, 0x77, body, n);
	return finish(rsp, cap, out, n, SW_OK);
}

static int do_read_record(const uint8_t *apdu, uint8_t *rsp, size_t cap)
{
	static const uint8_t currency[] = { 0x09, 0x78 }; /* EUR */
	static const uint8_t country[] = { 0x02, 0x50 };  /* FR */
	static const uint8_t auc[] = { 0xff, 0x00 };
	static const uint8_t version[] = { 0x00, 0x02 };
	uint8_t body[48], out[56];
	size_t n;

	if ((apdu[3] & 0x07) != 0x04)
		return status_only(rsp, cap, SW_WRONG_P1P2);
	if (apdu[3] >> 3 != 1 || apdu[2] != 1)
		return status_only(rsp, cap, SW_RECORD_NOT_FOUND);
	n = tlv(body, 0x9f42, currency, sizeof(currency));
	n += tlv(body + n, 0x5f28, country, sizeof(country));
	n += tlv(body + n, 0x9f07, auc, sizeof(auc));
	n += tlv(body + n, 0x9f08, version, sizeof(version));
	n = tlv(out, 0x70, body, n);
	return finish(rsp, cap, out, n, SW_OK);
}

static int do_get_data(const uint8_t *apdu, uint8_t *rsp, size_t cap)
{
	static const uint8_t atc[] = { 0x00, 0x2a };
	static const uint8_t pin_tries = 0x03;
	unsigned int tag = (unsigned int)apdu[2] << 8 | apdu[3];
	uint8_t out[8];
	size_t n;

	switch (tag) {
	case 0x9f36:
		n = tlv(out, tag, atc, sizeof(atc));
		break;
	case 0x9f17:
		n = tlv(out, tag, &pin_tries, 1);
		break;
	default:
		return status_only(rsp, cap, SW_DATA_NOT_FOUND);
	}
	return finish(rsp, cap, out, n, SW_OK);
}

int pn532_card_apdu(struct pn532_card *card, const uint8_t *apdu, size_t len,
		    uint8_t *rsp, size_t cap)
{
	uint8_t cla, ins;

	(void)card;
	if (len < 4)
		return status_only(rsp, cap, SW_WRONG_LENGTH);
	cla = apdu[0];
	ins = apdu[1];

	switch (ins) {
	case 0xa4:
		if (cla != 0x00)
			return status_only(rsp, cap, SW_CLA_UNKNOWN);
		return do_select(apdu, len, rsp, cap);
	case 0xb2:
		if (cla != 0x00)
			return status_only(rsp, cap, SW_CLA_UNKNOWN);
		return do_read_record(apdu, rsp, cap);
	case 0xa8:
		if (cla != 0x80)
			return status_only(rsp, cap, SW_CLA_UNKNOWN);
		return do_gpo(rsp, cap);
	case 0xca:
		if (cla != 0x80)
			return status_only(rsp, cap, SW_CLA_UNKNOWN);
		return do_get_data(apdu, rsp, cap);
	}
	return status_only(rsp, cap, SW_INS_UNKNOWN);
}

int pn532_card_block(struct pn532_card *card, const uint8_t *blk, size_t len,
		     uint8_t *rsp, size_t cap)
{
	uint8_t pcb, cid_flag;
	size_t hdr = 1, out;
	int n;

	if (len < 1 || card->state != PN532_CARD_ACTIVE)
		return 0;
	pcb = blk[0];
	cid_flag = pcb & 0x08;
	if (cid_flag)
		hdr++;
	if (len < hdr || cap < hdr + 2)
		return len < hdr ? 0 : -ENOSPC;

	/* Echo the CID the reader used; this card accepts any CID. */
	rsp[1] = cid_flag ? blk[1] : 0;

	if ((pcb & 0xe2) == 0x02) {
		/* I-block; NAD and chaining are not supported: stay silent. */
		if (pcb & 0x14)
			return 0;
		card->block_nr = pcb & 0x01;
		rsp[0] = 0x02 | cid_flag | card->block_nr;
		out = hdr;
		n = pn532_card_apdu(card, blk + hdr, len - hdr, rsp + out,
				    cap - out);
		if (n < 0)
			return n;
		return (int)out + n;
	}
	if ((pcb & 0xe6) == 0xa2) {
		/* R(ACK) or R(NAK): acknowledge with our block number. */
		rsp[0] = 0xa2 | cid_flag | card->block_nr;
		return (int)hdr;
	}
	if ((pcb & 0xf7) == 0xc2) {
		/* S(DESELECT): confirm and leave the protocol. */
		rsp[0] = pcb;
		card->state = PN532_CARD_HALT;
		return (int)hdr;
	}
	return 0;
}
