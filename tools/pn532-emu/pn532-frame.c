// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PN532 HSU framing: parse the host's byte stream, build chip frames.
 *
 * The parser resynchronises on the start code 00 FF, so the wake-up
 * preamble (55 55 00 00 ...), postambles and line noise are skipped
 * without special cases. A frame completes at its DCS byte; the
 * postamble that follows is skipped like any other filler.
 */
#include <errno.h>
#include <string.h>

#include "pn532-frame.h"

enum {
	ST_IDLE = 0, /* waiting for 00 */
	ST_ZERO,     /* seen 00, waiting for FF */
	ST_LEN,	     /* first byte after the start code */
	ST_LCS,	     /* normal frame: LCS, or second byte of ACK/NACK/ext */
	ST_EXT_LENM,
	ST_EXT_LENL,
	ST_EXT_LCS,
	ST_DATA,
	ST_DCS,
};

static const uint8_t ack_frame[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
static const uint8_t nack_frame[] = { 0x00, 0x00, 0xff, 0xff, 0x00, 0x00 };
static const uint8_t error_frame[] = { 0x00, 0x00, 0xff, 0x01,
				       0xff, 0x7f, 0x81, 0x00 };

void pn532_parser_reset(struct pn532_parser *p)
{
	p->state = ST_IDLE;
	p->need = 0;
	p->got = 0;
	p->sum = 0;
}

bool pn532_parser_busy(const struct pn532_parser *p)
{
	return p->state >= ST_LEN;
}

static void start_data(struct pn532_parser *p, size_t len)
{
	p->need = len;
	p->got = 0;
	p->sum = 0;
	p->state = ST_DATA;
}

/* One byte through the state machine; returns a kind when a frame ends. */
static enum pn532_frame_kind step(struct pn532_parser *p, uint8_t b)
{
	size_t len;

	switch (p->state) {
	case ST_IDLE:
		if (b == 0x00)
			p->state = ST_ZERO;
		return PN532_FRAME_NONE;
	case ST_ZERO:
		if (b == 0xff)
			p->state = ST_LEN;
		else if (b != 0x00)
			p->state = ST_IDLE;
		return PN532_FRAME_NONE;
	case ST_LEN:
		p->lenbuf[0] = b;
		p->state = ST_LCS;
		return PN532_FRAME_NONE;
	case ST_LCS:
		p->lenbuf[1] = b;
		p->state = ST_IDLE;
		if (p->lenbuf[0] == 0x00 && b == 0xff)
			return PN532_FRAME_ACK;
		if (p->lenbuf[0] == 0xff && b == 0x00)
			return PN532_FRAME_NACK;
		if (p->lenbuf[0] == 0xff && b == 0xff) {
			p->state = ST_EXT_LENM;
			return PN532_FRAME_NONE;
		}
		if ((uint8_t)(p->lenbuf[0] + b) != 0 || p->lenbuf[0] == 0)
			return PN532_FRAME_BAD_LCS;
		start_data(p, p->lenbuf[0]);
		return PN532_FRAME_NONE;
	case ST_EXT_LENM:
		p->lenbuf[0] = b;
		p->state = ST_EXT_LENL;
		return PN532_FRAME_NONE;
	case ST_EXT_LENL:
		p->lenbuf[1] = b;
		p->state = ST_EXT_LCS;
		return PN532_FRAME_NONE;
	case ST_EXT_LCS:
		p->lenbuf[2] = b;
		p->state = ST_IDLE;
		if ((uint8_t)(p->lenbuf[0] + p->lenbuf[1] + b) != 0)
			return PN532_FRAME_BAD_LCS;
		len = (size_t)p->lenbuf[0] << 8 | p->lenbuf[1];
		if (len == 0 || len > PN532_MAX_LEN)
			return PN532_FRAME_BAD_LEN;
		start_data(p, len);
		return PN532_FRAME_NONE;
	case ST_DATA:
		p->data[p->got++] = b;
		p->sum += b;
		if (p->got == p->need)
			p->state = ST_DCS;
		return PN532_FRAME_NONE;
	case ST_DCS:
		p->state = ST_IDLE;
		if ((uint8_t)(p->sum + b) != 0)
			return PN532_FRAME_BAD_DCS;
		if (p->data[0] != PN532_TFI_HOST)
			return PN532_FRAME_BAD_TFI;
		return PN532_FRAME_INFO;
	}
	p->state = ST_IDLE;
	return PN532_FRAME_NONE;
}

enum pn532_frame_kind
pn532_parser_feed(struct pn532_parser *p, const uint8_t *buf, size_t n,
		  size_t *ret_used, const uint8_t **ret_data, size_t *ret_len)
{
	enum pn532_frame_kind kind = PN532_FRAME_NONE;
	size_t i;

	for (i = 0; i < n && kind == PN532_FRAME_NONE; i++)
		kind = step(p, buf[i]);

	*ret_used = i;
	if (kind == PN532_FRAME_INFO) {
		*ret_data = p->data + 1;
		*ret_len = p->got - 1;
	}
	return kind;
}

const char *pn532_frame_kind_name(enum pn532_frame_kind kind)
{
	switch (kind) {
	case PN532_FRAME_NONE:
		return "incomplete";
	case PN532_FRAME_INFO:
		return "information frame";
	case PN532_FRAME_ACK:
		return "ACK";
	case PN532_FRAME_NACK:
		return "NACK";
	case PN532_FRAME_BAD_LCS:
		return "length checksum mismatch";
	case PN532_FRAME_BAD_DCS:
		return "data checksum mismatch";
	case PN532_FRAME_BAD_TFI:
		return "frame identifier is not host-to-chip";
	case PN532_FRAME_BAD_LEN:
		return "length out of range";
	}
	return "unknown";
}

int pn532_frame_build(uint8_t *buf, size_t cap, const uint8_t *data, size_t len)
{
	size_t info = len + 1; /* TFI + data */
	size_t hdr, i;
	uint8_t dcs = 0;

	if (info > PN532_MAX_LEN)
		return -EMSGSIZE;
	hdr = info <= 0xff ? 5 : 8;
	if (cap < hdr + info + 2)
		return -ENOSPC;

	buf[0] = 0x00;
	buf[1] = 0x00;
	buf[2] = 0xff;
	if (hdr == 5) {
		buf[3] = (uint8_t)info;
		buf[4] = (uint8_t)-buf[3];
	} else {
		buf[3] = 0xff;
		buf[4] = 0xff;
		buf[5] = (uint8_t)(info >> 8);
		buf[6] = (uint8_t)info;
		buf[7] = (uint8_t) - (buf[5] + buf[6]);
	}
	buf[hdr] = PN532_TFI_CHIP;
	dcs -= PN532_TFI_CHIP;
	for (i = 0; i < len; i++) {
		buf[hdr + 1 + i] = data[i];
		dcs -= data[i];
	}
	buf[hdr + info] = dcs;
	buf[hdr + info + 1] = 0x00;
	return (int)(hdr + info + 2);
}

static int copy_fixed(uint8_t *buf, size_t cap, const uint8_t *frame,
		      size_t len)
{
	if (cap < len)
		return -ENOSPC;
	memcpy(buf, frame, len);
	return (int)len;
}

int pn532_frame_ack(uint8_t *buf, size_t cap)
{
	return copy_fixed(buf, cap, ack_frame, sizeof(ack_frame));
}

int pn532_frame_nack(uint8_t *buf, size_t cap)
{
	return copy_fixed(buf, cap, nack_frame, sizeof(nack_frame));
}

int pn532_frame_error(uint8_t *buf, size_t cap)
{
	return copy_fixed(buf, cap, error_frame, sizeof(error_frame));
}
