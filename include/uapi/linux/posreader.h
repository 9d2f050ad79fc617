/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * posreader: user API of the posreader.ko card-reader driver.
 *
 * One character device per reader, /dev/posreaderN. read() returns whole
 * struct posreader_event records; ioctl() runs one device command at a time.
 *
 * Every structure uses fixed-width fields, carries user pointers as __u64,
 * has explicit reserved fields (which must be zero on input) and no hidden
 * padding, so 32-bit processes on a 64-bit kernel see the same layout.
 *
 * Error model of the command ioctls:
 *   0          the device answered PRW_ST_OK; out fields are valid
 *   -EIO       the device answered with an error; dev_status says which
 *              (POSREADER_DEV_ST_*) and is copied out
 *   -ETIMEDOUT the device did not answer within the protocol's timeout
 *   -EPROTO    the device answered with a malformed frame
 *   -ENODEV    the reader was unplugged
 *   -EBADF     command ioctl on a file not opened for writing
 *   -EINVAL    a reserved field was not zero or an argument is out of range
 *   -ENOTTY    unknown ioctl
 */
#ifndef _UAPI_LINUX_POSREADER_H
#define _UAPI_LINUX_POSREADER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Version of this API; bumped only for incompatible changes. */
#define POSREADER_API_VERSION 1

/* Sizes of fixed buffers (each a multiple of 8, NUL-terminated strings). */
#define POSREADER_STR_LEN	  40
#define POSREADER_ATR_LEN	  40
#define POSREADER_UID_LEN	  16
#define POSREADER_ATS_LEN	  32
#define POSREADER_TRACKS	  3
#define POSREADER_TRACK_LEN	  128
#define POSREADER_AUTH_LEN	  32
#define POSREADER_APDU_MAX	  1022 /* longest command APDU */
#define POSREADER_RAPDU_MAX	  1024 /* longest response APDU */
#define POSREADER_NFC_POLL_MAX_MS 5000

/* Capability bits (posreader_info.caps). */
#define POSREADER_CAP_MAGSTRIPE	 0x01
#define POSREADER_CAP_ICC	 0x02
#define POSREADER_CAP_NFC	 0x04
#define POSREADER_CAP_AUTH	 0x08
#define POSREADER_CAP_INDICATORS 0x10

/* Device status codes reported with -EIO (same values as the wire). */
#define POSREADER_DEV_ST_OK	     0
#define POSREADER_DEV_ST_UNKNOWN_CMD 1
#define POSREADER_DEV_ST_BAD_ARGS    2
#define POSREADER_DEV_ST_NO_CARD     3
#define POSREADER_DEV_ST_NOT_POWERED 4
#define POSREADER_DEV_ST_CARD_MUTE   5
#define POSREADER_DEV_ST_BUSY	     6
#define POSREADER_DEV_ST_UNSUPPORTED 7
#define POSREADER_DEV_ST_TAMPERED    8
#define POSREADER_DEV_ST_INTERNAL    9

/* Tamper cause bits (events, status, sysfs "tamper"). */
#define POSREADER_TAMPER_CASE_OPEN   0x01
#define POSREADER_TAMPER_MESH	     0x02
#define POSREADER_TAMPER_VOLTAGE     0x04
#define POSREADER_TAMPER_TEMPERATURE 0x08
#define POSREADER_TAMPER_FIRMWARE    0x10

/* POSREADER_IOC_GET_INFO: identity, cached by the driver at probe. */
struct posreader_info {
	__u32 api_version;   /* POSREADER_API_VERSION */
	__u32 proto_version; /* wire protocol version of the device */
	__u32 caps;	     /* POSREADER_CAP_* */
	__u32 max_payload;   /* device's largest frame payload */
	__u16 usb_vendor;
	__u16 usb_product;
	__u32 reserved0;
	char vendor[POSREADER_STR_LEN];
	char model[POSREADER_STR_LEN];
	char serial[POSREADER_STR_LEN];
	char firmware[POSREADER_STR_LEN];
	__u64 reserved[4];
};

/* State bits (posreader_status.state). */
#define POSREADER_STATE_ICC_PRESENT 0x01
#define POSREADER_STATE_ICC_POWERED 0x02
#define POSREADER_STATE_NFC_PRESENT 0x04
#define POSREADER_STATE_TAMPERED    0x08

/* POSREADER_IOC_GET_STATUS: asks the device, adds driver counters. */
struct posreader_status {
	__u32 state;	    /* POSREADER_STATE_* */
	__u32 tamper;	    /* POSREADER_TAMPER_* */
	__u32 dev_status;   /* POSREADER_DEV_ST_* */
	__u32 bad_frames;   /* malformed frames dropped since probe */
	__u32 stale_frames; /* well-formed frames that matched nothing */
	__u32 reserved0;
	__u64 reserved[3];
};

/* POSREADER_IOC_ICC_POWER_ON: activate the contact card, return its ATR. */
struct posreader_icc_power {
	__u32 dev_status; /* out */
	__u32 atr_len;	  /* out, 2..33 */
	__u8 atr[POSREADER_ATR_LEN];
	__u64 reserved[2];
};

/* POSREADER_IOC_ICC_POWER_OFF, _NFC_RELEASE: a command without data. */
struct posreader_simple_cmd {
	__u32 dev_status; /* out */
	__u32 reserved0;
	__u64 reserved[1];
};

/* Slots for posreader_apdu.slot. */
#define POSREADER_SLOT_ICC 0
#define POSREADER_SLOT_NFC 1

/* POSREADER_IOC_APDU: exchange one APDU with the card in a slot. */
struct posreader_apdu {
	__u32 slot;	  /* in: POSREADER_SLOT_* */
	__u32 cmd_len;	  /* in: 4..POSREADER_APDU_MAX */
	__u64 cmd_ptr;	  /* in: user pointer to the command APDU */
	__u64 rsp_ptr;	  /* in: user pointer to the response buffer */
	__u32 rsp_cap;	  /* in: its size; -ENOSPC if the answer is larger */
	__u32 rsp_len;	  /* out: response APDU length (data + SW1 SW2) */
	__u32 dev_status; /* out */
	__u32 reserved0;
	__u64 reserved[2];
};

/* NFC target protocols. */
#define POSREADER_NFC_14443A 1
#define POSREADER_NFC_14443B 2

/* An NFC target as found by a poll or reported by an event. */
struct posreader_nfc_target {
	__u32 protocol; /* POSREADER_NFC_* */
	__u32 uid_len;
	__u8 uid[POSREADER_UID_LEN];
	__u8 atqa[2];
	__u8 sak;
	__u8 ats_len;
	__u8 ats[POSREADER_ATS_LEN];
	__u32 reserved0;
};

/* POSREADER_IOC_NFC_POLL: wait up to timeout_ms for a target. */
struct posreader_nfc_poll {
	__u32 timeout_ms; /* in: 1..POSREADER_NFC_POLL_MAX_MS */
	__u32 dev_status; /* out: NO_CARD (with -EIO) if nothing came */
	struct posreader_nfc_target target; /* out */
	__u64 reserved[2];
};

/* POSREADER_IOC_AUTH: device authentication, challenge-response. */
struct posreader_auth {
	__u8 challenge[POSREADER_AUTH_LEN]; /* in */
	__u8 response[POSREADER_AUTH_LEN];  /* out */
	__u32 dev_status;		    /* out */
	__u32 reserved0;
	__u64 reserved[1];
};

/* LED bits for posreader_indicators.leds. */
#define POSREADER_LED_GREEN	0x01
#define POSREADER_LED_AMBER	0x02
#define POSREADER_LED_RED	0x04
#define POSREADER_LED_BLUE	0x08
#define POSREADER_BUZZER_MAX_MS 2000

/* POSREADER_IOC_SET_INDICATORS: LEDs on/off, sound the buzzer. */
struct posreader_indicators {
	__u32 leds;	  /* in: POSREADER_LED_* */
	__u32 buzzer_ms;  /* in: 0..POSREADER_BUZZER_MAX_MS */
	__u32 dev_status; /* out */
	__u32 reserved0;
};

#define POSREADER_IOC_MAGIC 0xe9

#define POSREADER_IOC_GET_INFO \
	_IOR(POSREADER_IOC_MAGIC, 0x01, struct posreader_info)
#define POSREADER_IOC_GET_STATUS \
	_IOR(POSREADER_IOC_MAGIC, 0x02, struct posreader_status)
#define POSREADER_IOC_ICC_POWER_ON \
	_IOR(POSREADER_IOC_MAGIC, 0x03, struct posreader_icc_power)
#define POSREADER_IOC_ICC_POWER_OFF \
	_IOR(POSREADER_IOC_MAGIC, 0x04, struct posreader_simple_cmd)
#define POSREADER_IOC_APDU \
	_IOWR(POSREADER_IOC_MAGIC, 0x05, struct posreader_apdu)
#define POSREADER_IOC_NFC_POLL \
	_IOWR(POSREADER_IOC_MAGIC, 0x06, struct posreader_nfc_poll)
#define POSREADER_IOC_NFC_RELEASE \
	_IOR(POSREADER_IOC_MAGIC, 0x07, struct posreader_simple_cmd)
#define POSREADER_IOC_AUTH \
	_IOWR(POSREADER_IOC_MAGIC, 0x08, struct posreader_auth)
#define POSREADER_IOC_SET_INDICATORS \
	_IOWR(POSREADER_IOC_MAGIC, 0x09, struct posreader_indicators)

/* Event types (posreader_event.type). */
#define POSREADER_EVT_SWIPE	   1
#define POSREADER_EVT_ICC_INSERTED 2
#define POSREADER_EVT_ICC_REMOVED  3
#define POSREADER_EVT_NFC_PRESENT  4
#define POSREADER_EVT_NFC_GONE	   5
#define POSREADER_EVT_TAMPER	   6
#define POSREADER_EVT_ERROR	   7
/* Made by the driver: this reader's queue was full, events were lost. */
#define POSREADER_EVT_OVERFLOW	   8

/* Event flags. */
#define POSREADER_EVF_DEVICE_LOST 0x01 /* the device itself dropped events */

/* Track status and encoding (same values as the wire). */
#define POSREADER_TRACK_OK    0
#define POSREADER_TRACK_EMPTY 1
#define POSREADER_TRACK_ERROR 2
#define POSREADER_TRACK_ASCII 0
#define POSREADER_TRACK_RAW   1

struct posreader_track {
	__u8 status;   /* POSREADER_TRACK_OK/EMPTY/ERROR */
	__u8 encoding; /* POSREADER_TRACK_ASCII/RAW */
	__u8 len;      /* 0 unless status is OK */
	__u8 reserved0;
	__u8 data[POSREADER_TRACK_LEN];
};

struct posreader_swipe {
	struct posreader_track track[POSREADER_TRACKS];
};

/* Device error codes (posreader_event.u.error.code). */
#define POSREADER_DEVERR_OVERFLOW 1
#define POSREADER_DEVERR_HARDWARE 2
#define POSREADER_DEVERR_CARD	  3
#define POSREADER_DEVERR_PROTOCOL 4

#define POSREADER_EVENT_SIZE 512

/*
 * One event as returned by read(). read() returns whole records only:
 * a buffer smaller than one record gets -EINVAL. The driver wipes a
 * record from its queue once it has been copied out.
 */
struct posreader_event {
	__u32 type;	    /* POSREADER_EVT_* */
	__u32 flags;	    /* POSREADER_EVF_* */
	__u64 timestamp_ns; /* CLOCK_MONOTONIC when the driver got it */
	__u32 seq;	    /* per-open-file record counter */
	__u32 reserved0;
	__u64 reserved1;
	union {
		struct posreader_swipe swipe;	 /* EVT_SWIPE */
		struct posreader_nfc_target nfc; /* EVT_NFC_PRESENT */
		struct {
			__u32 cause; /* POSREADER_TAMPER_* */
		} tamper;	     /* EVT_TAMPER */
		struct {
			__u32 code; /* POSREADER_DEVERR_* */
			__u32 detail;
		} error; /* EVT_ERROR */
		struct {
			__u32 lost; /* records dropped */
		} overflow;	    /* EVT_OVERFLOW */
		__u8 pad[POSREADER_EVENT_SIZE - 32];
	} u;
};

#endif /* _UAPI_LINUX_POSREADER_H */
