/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * posreader wire protocol: frame layout, message payloads and the codec.
 *
 * This header and driver/wire.c compile unchanged into the kernel module,
 * the daemon's transports and the simulator: no libc calls, no allocation,
 * every length checked against the buffer it describes. docs/protocol.md
 * is the prose version of this file; keep the two in step.
 *
 * All multi-byte integers on the wire are little-endian.
 */
#ifndef POSREADER_WIRE_H
#define POSREADER_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
#endif

/* ---- USB identity --------------------------------------------------- */

/* pid.codes test VID/PID; a shipping reader carries its own allocation. */
#define PRW_USB_VENDOR		0x1209
#define PRW_USB_PRODUCT		0x0001
/* Vendor-specific interface: class 0xff, subclass 'P', protocol 1. */
#define PRW_USB_CLASS		0xff
#define PRW_USB_SUBCLASS	0x50
#define PRW_USB_PROTOCOL	0x01

/* ---- Frame layout --------------------------------------------------- */
/*
 *   off  size  field
 *   0    1     magic    PRW_MAGIC
 *   1    1     type     enum prw_type
 *   2    1     seq      command: chosen by host, echoed in the response;
 *                       event: the device's own event counter (mod 256)
 *   3    1     flags    PRW_FLAG_*; undefined bits must be zero
 *   4    2     len      payload length, 0..PRW_MAX_PAYLOAD
 *   6    1     status   responses: enum prw_status; otherwise zero
 *   7    1     reserved must be zero
 *   8    len   payload
 *   8+len 4    crc      CRC-32 (ISO-HDLC, as zlib) over bytes 0..8+len-1
 */
#define PRW_PROTO_VERSION	1
#define PRW_MAGIC		0x50
#define PRW_HDR_LEN		8
#define PRW_CRC_LEN		4
#define PRW_MAX_PAYLOAD		1024
#define PRW_MIN_FRAME		(PRW_HDR_LEN + PRW_CRC_LEN)
#define PRW_MAX_FRAME		(PRW_HDR_LEN + PRW_MAX_PAYLOAD + PRW_CRC_LEN)

/* Where a frame's payload starts inside a frame buffer. */
#define PRW_PAYLOAD(buf)	((buf) + PRW_HDR_LEN)

/* Commands travel on bulk OUT, responses on bulk IN, events on interrupt IN. */
enum prw_type {
	PRW_CMD_GET_INFO	= 0x01,
	PRW_CMD_GET_STATUS	= 0x02,
	PRW_CMD_ICC_POWER_ON	= 0x03,
	PRW_CMD_ICC_POWER_OFF	= 0x04,
	PRW_CMD_APDU		= 0x05,
	PRW_CMD_NFC_POLL	= 0x06,
	PRW_CMD_NFC_RELEASE	= 0x07,
	PRW_CMD_AUTH		= 0x08,
	PRW_CMD_SET_INDICATORS	= 0x09,
	PRW_CMD_LAST		= PRW_CMD_SET_INDICATORS,

	PRW_EVT_SWIPE		= 0x41,
	PRW_EVT_ICC_INSERTED	= 0x42,
	PRW_EVT_ICC_REMOVED	= 0x43,
	PRW_EVT_NFC_PRESENT	= 0x44,
	PRW_EVT_NFC_GONE	= 0x45,
	PRW_EVT_TAMPER		= 0x46,
	PRW_EVT_ERROR		= 0x47,
	PRW_EVT_FIRST		= PRW_EVT_SWIPE,
	PRW_EVT_LAST		= PRW_EVT_ERROR,
};

/* A response's type is its command's type with this bit set. */
#define PRW_RSP_BIT		0x80

/* Event flag: the device dropped one or more events before this one. */
#define PRW_FLAG_EVT_LOST	0x01

/* Response status. A response whose status is not OK has no payload. */
enum prw_status {
	PRW_ST_OK		= 0,
	PRW_ST_UNKNOWN_CMD	= 1,	/* device does not implement the type */
	PRW_ST_BAD_ARGS		= 2,	/* payload rejected by the device */
	PRW_ST_NO_CARD		= 3,	/* no card / no target in the slot */
	PRW_ST_NOT_POWERED	= 4,	/* ICC APDU before power on */
	PRW_ST_CARD_MUTE	= 5,	/* card did not answer */
	PRW_ST_BUSY		= 6,	/* device is busy with another command */
	PRW_ST_UNSUPPORTED	= 7,	/* capability absent on this device */
	PRW_ST_TAMPERED		= 8,	/* device refuses service after tamper */
	PRW_ST_INTERNAL		= 9,	/* device fault */
	PRW_ST_LAST		= PRW_ST_INTERNAL,
};

/* ---- Timeouts the host applies (milliseconds) ----------------------- */
#define PRW_TIMEOUT_DEFAULT_MS	1000	/* info, status, power off, release, LEDs */
#define PRW_TIMEOUT_POWER_ON_MS	3000	/* ICC activation and ATR */
#define PRW_TIMEOUT_AUTH_MS	2000	/* device authentication */
/*
 * ISO 14443-4 FWT reaches ~4.9 s and T=0 cards may stretch time with NULL
 * procedure bytes, so an APDU gets twice the longest frame waiting time.
 */
#define PRW_TIMEOUT_APDU_MS	10000
#define PRW_NFC_POLL_MAX_MS	5000	/* longest poll a host may ask for */
#define PRW_NFC_POLL_SLACK_MS	1000	/* host timeout = poll time + slack */

/* ---- Payloads -------------------------------------------------------- */

/* Capability bits (GET_INFO). Unknown bits are ignored by hosts. */
#define PRW_CAP_MAGSTRIPE	0x01
#define PRW_CAP_ICC		0x02
#define PRW_CAP_NFC		0x04
#define PRW_CAP_AUTH		0x08
#define PRW_CAP_INDICATORS	0x10

/* Printable ASCII (0x20..0x7e) strings; serial is non-empty. */
#define PRW_STR_MAX		32

/*
 * GET_INFO response:
 *   u8 proto_version, u8 caps, u16 max_payload,
 *   then vendor, model, serial, firmware, each as u8 len + len bytes.
 * proto_version is non-zero; max_payload, the largest command payload the
 * device accepts, is 6 (one minimal APDU command) .. PRW_MAX_PAYLOAD.
 */
struct prw_info {
	u8 proto_version;
	u8 caps;
	u16 max_payload;
	char vendor[PRW_STR_MAX + 1];	/* NUL-terminated after decode */
	char model[PRW_STR_MAX + 1];
	char serial[PRW_STR_MAX + 1];
	char firmware[PRW_STR_MAX + 1];
};

/* GET_STATUS response: u8 state (PRW_STATE_*), u8 tamper (PRW_TAMPER_*). */
#define PRW_STATE_ICC_PRESENT	0x01
#define PRW_STATE_ICC_POWERED	0x02
#define PRW_STATE_NFC_PRESENT	0x04
#define PRW_STATE_TAMPERED	0x08

struct prw_status_info {
	u8 state;
	u8 tamper;
};

/* ICC_POWER_ON response: the ATR, 2..33 bytes (ISO 7816-3). */
#define PRW_ATR_MIN		2
#define PRW_ATR_MAX		33

struct prw_atr {
	u8 len;
	u8 data[PRW_ATR_MAX];
};

/*
 * APDU request: u8 slot, u8 reserved (0), then the command APDU
 * (PRW_APDU_MIN..PRW_APDU_MAX bytes). Response: the response APDU,
 * PRW_RAPDU_MIN..PRW_MAX_PAYLOAD bytes (data + SW1 SW2).
 */
#define PRW_SLOT_ICC		0
#define PRW_SLOT_NFC		1
#define PRW_APDU_MIN		4
#define PRW_APDU_MAX		(PRW_MAX_PAYLOAD - 2)
#define PRW_RAPDU_MIN		2
#define PRW_RAPDU_MAX		PRW_MAX_PAYLOAD

/*
 * NFC_POLL request: u16 timeout_ms (1..PRW_NFC_POLL_MAX_MS).
 * Response: a target (below), or status NO_CARD when none came.
 */
struct prw_nfc_poll {
	u16 timeout_ms;
};

/*
 * NFC target (NFC_POLL response, NFC_PRESENT event):
 *   u8 protocol, u8 uid_len, uid[uid_len], u8 atqa[2], u8 sak,
 *   u8 ats_len, ats[ats_len].
 * ISO 14443-A: uid_len 4, 7 or 10; ats is the ATS without its length byte.
 * ISO 14443-B: uid is the 4-byte PUPI, atqa and sak are zero, ats carries
 * the ATQB.
 */
#define PRW_NFC_14443A		1
#define PRW_NFC_14443B		2
#define PRW_UID_MAX		10
#define PRW_ATS_MAX		32

struct prw_nfc_target {
	u8 protocol;
	u8 uid_len;
	u8 uid[PRW_UID_MAX];
	u8 atqa[2];
	u8 sak;
	u8 ats_len;
	u8 ats[PRW_ATS_MAX];
};

/*
 * AUTH request: a 32-byte host challenge. Response: 32 bytes,
 * HMAC-SHA256(pairing key, PRW_AUTH_LABEL || challenge || serial),
 * where serial is the GET_INFO serial without a terminator.
 */
#define PRW_AUTH_CHALLENGE_LEN	32
#define PRW_AUTH_RESPONSE_LEN	32
#define PRW_AUTH_LABEL		"posreader-auth-v1"

/* SET_INDICATORS request: u8 leds, u8 reserved (0), u16 buzzer_ms. */
#define PRW_LED_GREEN		0x01
#define PRW_LED_AMBER		0x02
#define PRW_LED_RED		0x04
#define PRW_LED_BLUE		0x08
#define PRW_LED_ALL		0x0f
#define PRW_BUZZER_MAX_MS	2000

struct prw_indicators {
	u8 leds;
	u16 buzzer_ms;
};

/*
 * SWIPE event: u8 track_count (always PRW_TRACKS), then per track
 *   u8 status, u8 encoding, u8 len, data[len].
 * ASCII: the characters read, start and end sentinel included, no LRC.
 * RAW: one byte per character as read from the stripe, parity bit in the
 * top data bit (track 1: 7 bits, tracks 2 and 3: 5 bits), from the start
 * sentinel to the LRC character inclusive. A track whose status is not OK
 * carries no data.
 */
#define PRW_TRACKS		3
#define PRW_TRACK_MAX		128

#define PRW_TRACK_OK		0
#define PRW_TRACK_EMPTY		1	/* nothing on this track */
#define PRW_TRACK_ERROR		2	/* the head could not read it */

#define PRW_TRACK_ASCII		0
#define PRW_TRACK_RAW		1

struct prw_track {
	u8 status;
	u8 encoding;
	u8 len;
	u8 data[PRW_TRACK_MAX];
};

struct prw_swipe {
	struct prw_track track[PRW_TRACKS];
};

/* TAMPER event: u8 cause (PRW_TAMPER_*, non-zero), u8 reserved (0). */
#define PRW_TAMPER_CASE_OPEN	0x01
#define PRW_TAMPER_MESH		0x02
#define PRW_TAMPER_VOLTAGE	0x04
#define PRW_TAMPER_TEMPERATURE	0x08
#define PRW_TAMPER_FIRMWARE	0x10

struct prw_tamper {
	u8 cause;
};

/* ERROR event: u8 code (PRW_DEVERR_*), u8 reserved (0), u16 detail. */
#define PRW_DEVERR_OVERFLOW	1	/* device's event queue overflowed */
#define PRW_DEVERR_HARDWARE	2
#define PRW_DEVERR_CARD		3
#define PRW_DEVERR_PROTOCOL	4	/* device received a malformed frame */

struct prw_dev_error {
	u8 code;
	u16 detail;
};

/* ---- Codec ----------------------------------------------------------- */

/* Codec results: functions return >= 0 on success, -PRW_E_* on failure. */
enum prw_error {
	PRW_OK = 0,
	PRW_E_SHORT,		/* fewer bytes than header + CRC */
	PRW_E_MAGIC,		/* first byte is not PRW_MAGIC */
	PRW_E_TYPE,		/* unknown frame type */
	PRW_E_FLAGS,		/* undefined flag bit, or flag not valid here */
	PRW_E_RESERVED,		/* reserved byte or field not zero */
	PRW_E_STATUS,		/* status on a non-response, or unknown status */
	PRW_E_LENGTH,		/* length field above PRW_MAX_PAYLOAD */
	PRW_E_TRUNCATED,	/* buffer shorter than the length field says */
	PRW_E_TRAILING,		/* bytes after the CRC */
	PRW_E_CRC,		/* integrity check mismatch */
	PRW_E_PAYLOAD,		/* payload malformed for its type */
	PRW_E_NOSPACE,		/* encode: output buffer too small */
	PRW_E_INVAL,		/* encode: argument out of range */
	PRW_E_COUNT
};

/* A decoded frame; payload points into the buffer that was decoded. */
struct prw_frame {
	u8 type;
	u8 seq;
	u8 flags;
	u8 status;
	u16 len;
	const u8 *payload;
};

/* Continue a CRC-32 (ISO-HDLC) over n bytes; start with crc = 0. */
u32 prw_crc32(u32 crc, const u8 *p, size_t n);

/* True for a command, response or event type this protocol defines. */
bool prw_type_is_command(u8 type);
bool prw_type_is_response(u8 type);
bool prw_type_is_event(u8 type);

/* The response type that answers a command type; 0 if not a command. */
u8 prw_response_type(u8 cmd);

/* A short English description of a -PRW_E_* code (or of PRW_OK). */
const char *prw_strerror(int err);

/* The name of a response status ("ok", "no-card", ...), "unknown" if none. */
const char *prw_status_name(u8 status);

/*
 * Build a frame in buf: header, a copy of payload (may be NULL if len is
 * 0) and CRC. Returns the frame length or -PRW_E_NOSPACE / -PRW_E_INVAL.
 */
int prw_frame_encode(u8 *buf, size_t cap, u8 type, u8 seq, u8 flags,
		     u8 status, const u8 *payload, size_t len);

/*
 * Like prw_frame_encode() for a payload already written at
 * PRW_PAYLOAD(buf): fills in the header and the CRC around it.
 */
int prw_frame_seal(u8 *buf, size_t cap, u8 type, u8 seq, u8 flags,
		   u8 status, size_t len);

/*
 * Validate and decode exactly one frame of n bytes: magic, known type,
 * flags and status valid for the type, reserved zero, length within
 * bounds and matching n, CRC, and an empty payload for types that carry
 * none. Payload contents are checked by the typed decoders below.
 * Faults are reported in a fixed order: SHORT, MAGIC, LENGTH, TRUNCATED,
 * TRAILING, CRC, TYPE, FLAGS, STATUS, RESERVED, PAYLOAD.
 * Returns 0 and fills *ret, or -PRW_E_*; *ret is untouched on failure.
 */
int prw_frame_decode(const u8 *buf, size_t n, struct prw_frame *ret);

/*
 * Typed payloads. Encoders write into buf (cap bytes) and return the
 * payload length or -PRW_E_NOSPACE / -PRW_E_INVAL. Decoders check every
 * field, return 0 and fill *ret, or return -PRW_E_PAYLOAD (or
 * -PRW_E_RESERVED for a non-zero reserved byte) leaving *ret untouched.
 */
int prw_info_encode(u8 *buf, size_t cap, const struct prw_info *info);
int prw_info_decode(const u8 *buf, size_t len, struct prw_info *ret);

int prw_status_info_encode(u8 *buf, size_t cap,
			   const struct prw_status_info *st);
int prw_status_info_decode(const u8 *buf, size_t len,
			   struct prw_status_info *ret);

int prw_atr_encode(u8 *buf, size_t cap, const struct prw_atr *atr);
int prw_atr_decode(const u8 *buf, size_t len, struct prw_atr *ret);

int prw_apdu_encode(u8 *buf, size_t cap, u8 slot, const u8 *apdu,
		    size_t apdu_len);
/* On success *ret_apdu points into buf; nothing is copied. */
int prw_apdu_decode(const u8 *buf, size_t len, u8 *ret_slot,
		    const u8 **ret_apdu, size_t *ret_apdu_len);
/* Check a response APDU payload's length bounds. */
int prw_rapdu_check(const u8 *buf, size_t len);

int prw_nfc_poll_encode(u8 *buf, size_t cap, const struct prw_nfc_poll *p);
int prw_nfc_poll_decode(const u8 *buf, size_t len, struct prw_nfc_poll *ret);

int prw_nfc_target_encode(u8 *buf, size_t cap,
			  const struct prw_nfc_target *t);
int prw_nfc_target_decode(const u8 *buf, size_t len,
			  struct prw_nfc_target *ret);

int prw_auth_encode(u8 *buf, size_t cap, const u8 *challenge);
int prw_auth_decode(const u8 *buf, size_t len, const u8 **ret_challenge);
int prw_auth_rsp_check(const u8 *buf, size_t len);

int prw_indicators_encode(u8 *buf, size_t cap,
			  const struct prw_indicators *ind);
int prw_indicators_decode(const u8 *buf, size_t len,
			  struct prw_indicators *ret);

int prw_swipe_encode(u8 *buf, size_t cap, const struct prw_swipe *sw);
int prw_swipe_decode(const u8 *buf, size_t len, struct prw_swipe *ret);

int prw_tamper_encode(u8 *buf, size_t cap, const struct prw_tamper *t);
int prw_tamper_decode(const u8 *buf, size_t len, struct prw_tamper *ret);

int prw_dev_error_encode(u8 *buf, size_t cap, const struct prw_dev_error *e);
int prw_dev_error_decode(const u8 *buf, size_t len,
			 struct prw_dev_error *ret);

#endif /* POSREADER_WIRE_H */
