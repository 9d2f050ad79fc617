/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PN532 host-interface framing (HSU): the incremental parser for what the
 * host sends and the builders for what the chip answers. No I/O here.
 *
 *   normal:      00 00 FF LEN LCS TFI PD0..PDn DCS 00
 *   extended:    00 00 FF FF FF LENM LENL LCS TFI PD0..PDn DCS 00
 *   ACK:         00 00 FF 00 FF 00
 *   NACK:        00 00 FF FF 00 00
 *   error frame: 00 00 FF 01 FF 7F 81 00
 *
 * LEN counts TFI and the data; LEN + LCS = 0 and TFI + data + DCS = 0,
 * both modulo 256.
 */
#ifndef PN532_FRAME_H
#define PN532_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PN532_TFI_HOST 0xd4 /* host to chip */
#define PN532_TFI_CHIP 0xd5 /* chip to host */

/* Longest TFI + data the chip accepts in one extended frame. */
#define PN532_MAX_LEN	265
/* Largest frame: extended header (8) + LEN bytes + DCS + postamble. */
#define PN532_MAX_FRAME (8 + PN532_MAX_LEN + 2)

#define PN532_ACK_LEN 6

enum pn532_frame_kind {
	PN532_FRAME_NONE = 0, /* need more bytes */
	PN532_FRAME_INFO,     /* a well-formed information frame */
	PN532_FRAME_ACK,
	PN532_FRAME_NACK,
	PN532_FRAME_BAD_LCS, /* length checksum wrong: frame dropped */
	PN532_FRAME_BAD_DCS, /* data checksum wrong: frame dropped */
	PN532_FRAME_BAD_TFI, /* not a host-to-chip frame */
	PN532_FRAME_BAD_LEN, /* LEN zero or above PN532_MAX_LEN */
};

/* Incremental parser state; zero-initialise or call pn532_parser_reset(). */
struct pn532_parser {
	int state;
	size_t need; /* information bytes (TFI + data) expected */
	size_t got;
	uint8_t lenbuf[3]; /* LEN (and LENM LENL) and LCS as received */
	uint8_t sum;	   /* running TFI + data sum */
	uint8_t data[PN532_MAX_LEN]; /* TFI + data of the current frame */
};

/* Forget any partial frame and wait for the next start code. */
void pn532_parser_reset(struct pn532_parser *p);

/* True while the parser is inside a frame (past its start code). */
bool pn532_parser_busy(const struct pn532_parser *p);

/*
 * Feed bytes from the host. Consumes up to n bytes and stops after the
 * first complete or rejected frame; *ret_used says how many were eaten.
 * Returns the frame kind; for PN532_FRAME_INFO, *ret_data points at the
 * command (the bytes after TFI, inside p) and *ret_len is its length.
 */
enum pn532_frame_kind
pn532_parser_feed(struct pn532_parser *p, const uint8_t *buf, size_t n,
		  size_t *ret_used, const uint8_t **ret_data, size_t *ret_len);

/* A short English name for a frame kind, for logs. */
const char *pn532_frame_kind_name(enum pn532_frame_kind kind);

/*
 * Build a chip-to-host information frame around data (the response code
 * and its parameters, TFI excluded); extended when it does not fit a
 * normal frame. Returns the frame length or -ENOSPC / -EMSGSIZE.
 */
int pn532_frame_build(uint8_t *buf, size_t cap, const uint8_t *data,
		      size_t len);

/* Copy the ACK, NACK or error frame into buf; return its length. */
int pn532_frame_ack(uint8_t *buf, size_t cap);
int pn532_frame_nack(uint8_t *buf, size_t cap);
int pn532_frame_error(uint8_t *buf, size_t cap);

#endif /* PN532_FRAME_H */
