/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posreader-sim device model: one simulated reader, independent of the
 * transport that carries its frames (Unix socket, USB FunctionFS gadget).
 *
 * The transport feeds every host frame to sim_device_handle_frame() and
 * delivers what the model emits through the output callback: responses on
 * SIM_CH_RESPONSE (bulk IN), events on SIM_CH_EVENT (interrupt IN). The
 * model never blocks and never sleeps: delayed answers (latency, NFC poll
 * waits) are kept as one pending deadline that the transport's event loop
 * honours by calling sim_device_run_timers() once
 * sim_device_next_deadline() has passed.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; output parameters are untouched on failure.
 */
#ifndef POSREADER_SIM_DEVICE_H
#define POSREADER_SIM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <posreader/wire.h>

struct sim_device;

enum sim_channel {
	SIM_CH_RESPONSE = 0,
	SIM_CH_EVENT = 1,
};

/* Largest message the model emits: misbehaving frames may exceed the
 * protocol maximum on purpose. */
#define SIM_OUT_MAX (PRW_MAX_FRAME + 256)

/*
 * Delivers one frame to the host. Returns 0 when delivered, a negative
 * errno when not (no host, host not reading); an undelivered event makes
 * the next delivered one carry PRW_FLAG_EVT_LOST.
 */
typedef int (*sim_output_fn)(void *userdata, enum sim_channel channel,
			     const u8 *frame, size_t n);

/* Monotonic clock in microseconds; replaceable for unit tests. */
typedef uint64_t (*sim_clock_fn)(void *userdata);

/* No deadline pending. */
#define SIM_NO_DEADLINE UINT64_MAX

/* The test pairing key of every simulator unless configured otherwise:
 * bytes 0x00, 0x01, ..., 0x1f. */
#define SIM_DEFAULT_KEY_LEN 32
#define SIM_KEY_MIN	    16
#define SIM_KEY_MAX	    64

/* Identity and capabilities of a reader, fixed for its lifetime. */
struct sim_identity {
	char vendor[PRW_STR_MAX + 1];
	char model[PRW_STR_MAX + 1];
	char serial[PRW_STR_MAX + 1];
	char firmware[PRW_STR_MAX + 1];
	u8 caps;	     /* PRW_CAP_* */
	u8 key[SIM_KEY_MAX]; /* pairing key for PRW_CMD_AUTH */
	size_t key_len;
};

/* Ways to break the protocol on purpose (control command "misbehave"). */
enum sim_misbehave {
	SIM_MB_OFF = 0,
	SIM_MB_BAD_CRC,	      /* response with a wrong CRC */
	SIM_MB_WRONG_SEQ,     /* valid response with another sequence number */
	SIM_MB_WRONG_TYPE,    /* valid response of another command's type */
	SIM_MB_UNKNOWN_TYPE,  /* frame of a type the protocol lacks */
	SIM_MB_TRUNCATED,     /* frame shorter than its length field */
	SIM_MB_OVERSIZE,      /* message longer than PRW_MAX_FRAME */
	SIM_MB_LYING_LENGTH,  /* length field shorter than the payload */
	SIM_MB_GARBAGE,	      /* random bytes instead of the response */
	SIM_MB_SILENCE,	      /* no response at all */
	SIM_MB_FLOOD,	      /* junk event frames before the response */
	SIM_MB_RESERVED_BITS, /* reserved header byte and flag bits set */
	SIM_MB_COUNT
};

/* Most junk frames one "flood" sends. */
#define SIM_FLOOD_MAX 500

/* A snapshot of the model's state, free of card data. */
struct sim_state {
	bool icc_present;
	bool icc_powered;
	bool nfc_present;
	u8 tamper;    /* PRW_TAMPER_* bits, 0 when armed */
	u8 leds;      /* PRW_LED_* last set by the host */
	u8 event_seq; /* sequence number of the next event */
	unsigned int events_lost;
	unsigned int latency_ms;
	unsigned int latency_once_ms;
	enum sim_misbehave misbehave;
	unsigned int misbehave_count;
	u8 misbehave_cmd;	/* only answers to this command; 0: all */
	unsigned int pin_tries; /* ICC card's PIN try counter */
	bool pending;		/* a command is waiting to be answered */
	unsigned long frames_in;
	unsigned long frames_bad; /* host frames that failed to decode */
};

/* Fill *ret with the default test identity (all capabilities). */
void sim_identity_default(struct sim_identity *ret);

/* Create a reader with a copy of id; frames go to out(userdata, ...). */
int sim_device_new(const struct sim_identity *id, sim_output_fn out,
		   void *userdata, struct sim_device **ret);

/* Free a reader (NULL is fine); wipes its key and card data. */
void sim_device_free(struct sim_device *dev);

/* Replace the clock (unit tests); NULL restores CLOCK_MONOTONIC. */
void sim_device_set_clock(struct sim_device *dev, sim_clock_fn clock,
			  void *userdata);

/* The reader's identity as configured. */
const struct sim_identity *sim_device_identity(const struct sim_device *dev);

/* Copy the reader's state into *ret. */
void sim_device_get_state(const struct sim_device *dev, struct sim_state *ret);

/*
 * Process one message from the host. Malformed frames are answered with a
 * PRW_EVT_ERROR (PRW_DEVERR_PROTOCOL) event, never with a crash. Returns
 * 0, or the negative -PRW_E_* codec error that made the frame invalid.
 */
int sim_device_handle_frame(struct sim_device *dev, const u8 *frame, size_t n);

/* Monotonic time (usec) of the next timer, or SIM_NO_DEADLINE. */
uint64_t sim_device_next_deadline(const struct sim_device *dev);

/* Fire what is due: delayed responses, expired NFC polls. */
void sim_device_run_timers(struct sim_device *dev);

/*
 * The host went away or the bus was reset: forget any command in flight
 * (its answer is dropped). Slot, tamper and card state are kept.
 */
void sim_device_host_reset(struct sim_device *dev);

/*
 * Swipe a card. tracks[i] is a NUL-terminated track i+1 string with or
 * without its sentinels, or NULL for an empty track; error_mask bit i
 * reports track i+1 as unreadable. raw sends PRW_TRACK_RAW encoding.
 * -EINVAL for characters a track cannot hold, -E2BIG when too long,
 * -EOPNOTSUPP without a stripe reader, -EPERM after tamper.
 */
int sim_device_swipe(struct sim_device *dev, const char *const tracks[3],
		     unsigned int error_mask, bool raw);

/* Insert an IC card answering atr (NULL: default ATR); -EBUSY if one is
 * inserted, -EINVAL for a bad ATR. */
int sim_device_icc_insert(struct sim_device *dev, const u8 *atr,
			  size_t atr_len);

/* Remove the IC card; -ENOENT when the slot is empty. */
int sim_device_icc_remove(struct sim_device *dev);

/* Bring a contactless card into the field (NULL: default UID or ATS);
 * -EBUSY if one is there, -EINVAL for bad lengths. */
int sim_device_nfc_tap(struct sim_device *dev, const u8 *uid, size_t uid_len,
		       const u8 *ats, size_t ats_len);

/* Take the contactless card away; -ENOENT when none is in the field. */
int sim_device_nfc_remove(struct sim_device *dev);

/* Raise tamper with PRW_TAMPER_* cause bits; cause 0 re-arms the reader
 * (clears tamper, as a factory service would). */
int sim_device_tamper(struct sim_device *dev, u8 cause);

/* Delay every response by ms (0: none). */
int sim_device_set_latency(struct sim_device *dev, unsigned int ms);

/* Delay only the next response by ms. */
int sim_device_set_latency_once(struct sim_device *dev, unsigned int ms);

/*
 * Misbehave on the next count responses (SIM_MB_FLOOD: send count junk
 * event frames before the next response). SIM_MB_OFF restores sanity.
 */
int sim_device_misbehave(struct sim_device *dev, enum sim_misbehave mode,
			 unsigned int count);

/*
 * sim_device_misbehave() on the answers to command cmd (PRW_CMD_*) only:
 * other answers are left alone and do not count. cmd 0: every answer.
 */
int sim_device_misbehave_on(struct sim_device *dev, enum sim_misbehave mode,
			    unsigned int count, u8 cmd);

/* Set the IC card's remaining PIN tries (0..15; 0 blocks the PIN). */
int sim_device_set_pin_tries(struct sim_device *dev, unsigned int tries);

/* Set the IC card's PIN (4..12 digits). */
int sim_device_set_pin(struct sim_device *dev, const char *digits);

/* Name of a misbehave mode as the control interface spells it. */
const char *sim_misbehave_name(enum sim_misbehave mode);

/* Parse a misbehave mode name; -EINVAL if unknown. */
int sim_misbehave_from_name(const char *name, enum sim_misbehave *ret);

#endif /* POSREADER_SIM_DEVICE_H */
