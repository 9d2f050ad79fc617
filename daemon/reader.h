/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The internal reader interface. Every transport (sim, usb, kernel, and
 * later libnfc) hands the reader core whole wire frames: it sends command
 * frames through struct reader_transport and feeds every frame it
 * receives to reader_input(). The core owns the rest: probing, the
 * command queue and its timeouts, card state, claims, channels, signals.
 */
#ifndef POSREADERD_READER_H
#define POSREADERD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <posreader/wire.h>

/* Commands a reader queues behind the one on the wire, at most. */
#define READER_QUEUE_MAX 32
/* WaitForCard calls pending on one reader, at most. */
#define READER_WAITS_MAX 16

struct manager;
struct reader;
struct reader_cmd;
struct channel;
struct card_wait;

/*
 * What a reader was last judged against: whether the terminal was
 * provisioned, its serial's pairing key (by check value), and whether
 * reader-not-genuine was in force for it. terminal.c fills and compares it.
 */
struct reader_auth_basis {
	bool provisioned;
	bool paired;
	bool not_genuine;
	uint8_t kcv[3];
};

/* What a transport provides to the reader core. */
struct reader_transport {
	/* The Transport property: "sim", "usb" or "kernel". */
	const char *name;
	/* Send one complete command frame; 0 or a negative errno. */
	int (*send)(void *priv, const uint8_t *frame, size_t len);
	/* Free the transport; called once when the reader is freed. */
	void (*destroy)(void *priv);
};

/*
 * Called once per command: err is 0 with rsp the decoded response (any
 * status), or a negative errno (-ETIMEDOUT, -ENODEV, -EPROTO, ...) with
 * rsp NULL. rsp->payload is only valid during the call.
 */
typedef void (*reader_cmd_done_t)(struct reader *r, int err,
				  const struct prw_frame *rsp, void *userdata);

struct reader {
	struct manager *mgr;
	struct reader *next; /* in the manager's list */

	const struct reader_transport *tp;
	void *tp_priv;
	char *where; /* transport address, for log lines */

	bool published;		   /* on the bus */
	bool dead;		   /* transport lost, being torn down */
	sd_event_source *free_src; /* frees a dead reader from the loop */
	char *path;		   /* /org/posreader1/reader/<id> */
	struct prw_info info;
	bool auth_pending; /* being judged (AUTH out, or a recheck due) */
	bool auth_recheck; /* judge again from the loop (terminal.c) */
	struct reader_auth_basis auth_basis; /* what it was judged against */
	bool probe_nfc;		   /* GET_STATUS on attach: a target in field */
	unsigned int probe_tamper; /* GET_STATUS on attach: tamper cause */

	/* Command queue: one command on the wire at a time. */
	struct reader_cmd *queue_head, *queue_tail;
	struct reader_cmd *inflight;
	unsigned int queue_len;
	sd_event_source *cmd_timer;
	uint8_t seq;
	unsigned long bad_frames; /* malformed frames received */

	/* Card state, as the device reported it. */
	bool icc_present;
	bool icc_powered;
	bool atr_valid;
	struct prw_atr atr;
	bool nfc_present;
	struct prw_nfc_target tag;

	/* The claim: a unique bus name, tracked while it stays on the bus. */
	char *claim_owner;
	sd_bus_track *claim_track;

	struct card_wait *waits;
	struct channel *channel;
};

/*
 * Create a reader on a connected transport and start probing it. The
 * reader goes on the bus once GET_INFO answers; a failed probe calls
 * reader_lost() by itself. On success the reader owns priv (destroy()).
 */
int reader_new(struct manager *m, const struct reader_transport *tp, void *priv,
	       const char *where, struct reader **ret_reader);

/* Hand the core one frame received from the device (any type). */
void reader_input(struct reader *r, const uint8_t *buf, size_t n);

/*
 * The transport lost the device: take the reader off the bus, fail
 * every pending request with err and free it. r is gone afterwards.
 */
void reader_lost(struct reader *r, int err);

/* Free r at once, its transport too (shutdown); NULL is fine. */
void reader_free(struct reader *r);

/*
 * Queue a command. Returns 0 and, if ret_cmd is not NULL, a handle for
 * reader_cmd_cancel(); done is then called exactly once, later. On a
 * negative errno done is never called.
 */
int reader_command(struct reader *r, uint8_t type, const uint8_t *payload,
		   size_t len, unsigned int timeout_ms, reader_cmd_done_t done,
		   void *userdata, struct reader_cmd **ret_cmd);

/* Forget a queued command's callback; the command itself still runs. */
void reader_cmd_cancel(struct reader_cmd *cmd);

/* True if the device has the capability bit (PRW_CAP_*). */
bool reader_has_cap(const struct reader *r, uint8_t cap);

/*
 * Called once per reader_authenticate(): response is the reader's
 * 32-byte answer to challenge, or NULL with err saying why there is none
 * (-ETIMEDOUT, -ENODEV, -EPROTO for a status error or a bad length).
 */
typedef void (*reader_auth_done_t)(struct reader *r, int err,
				   const uint8_t *challenge,
				   const uint8_t *response, void *userdata);

/*
 * Send AUTH with a fresh challenge from the engine through the command
 * queue. 0 and done is called later, or a negative errno (-EOPNOTSUPP:
 * the reader lacks PRW_CAP_AUTH) and done is never called.
 */
int reader_authenticate(struct reader *r, reader_auth_done_t done,
			void *userdata);

/*
 * The key r must prove may have changed (provisioning, pairing): judge it
 * again as when it attached. Card services stay refused until judged.
 */
void reader_recheck_auth(struct reader *r);

/*
 * The terminal lock state changed: on locking end waits, channel, claim
 * and show out of service on the indicators; on unlocking, clear them.
 */
void reader_lock_changed(struct reader *r, bool active);

/* Emit PropertiesChanged for one Reader property, if on the bus. */
void reader_emit_changed(struct reader *r, const char *property);

#endif /* POSREADERD_READER_H */
