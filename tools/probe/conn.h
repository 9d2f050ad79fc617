/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posreader-probe's side of the wire: a synchronous client on a
 * simulator's SOCK_SEQPACKET socket. Every frame is decoded by the shared
 * codec; invalid ones are dropped and counted, never trusted.
 */
#ifndef POSREADER_PROBE_CONN_H
#define POSREADER_PROBE_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <posreader/wire.h>

/* Called for every valid event frame that arrives. */
typedef void (*probe_event_fn)(void *userdata, const struct prw_frame *f);

struct probe_conn {
	int fd;
	u8 seq;		      /* sequence number of the last command */
	u8 last_cmd;	      /* type of the last command */
	unsigned int invalid; /* frames dropped because they failed decode */
	int last_invalid;     /* -PRW_E_* of the last one */
	size_t last_invalid_len;
	unsigned int unexpected; /* valid responses that matched nothing */
	u8 last_unexpected_type;
	u8 last_unexpected_seq;
	unsigned int events; /* valid events seen */
	probe_event_fn on_event;
	void *event_data;
	u8 rx[PRW_MAX_FRAME + 1];
};

/* Connect to the socket at path; -errno on failure. */
int probe_connect(const char *path, struct probe_conn *ret);

/* Close the connection and wipe the receive buffer. */
void probe_close(struct probe_conn *c);

/*
 * Send command type with payload (len bytes) and wait up to timeout_ms
 * for the response of the same type and sequence number. On success
 * returns 0 and fills *ret_rsp (its payload points into c->rx, valid
 * until the next call). -ETIMEDOUT when none came, -ECONNRESET when the
 * device closed the connection, other -errno for local failures.
 */
int probe_transact(struct probe_conn *c, u8 type, const u8 *payload, size_t len,
		   int timeout_ms, struct prw_frame *ret_rsp);

/*
 * Deliver events to c->on_event for up to timeout_ms (< 0: forever) or
 * until *stop becomes true. Returns 0, -ETIMEDOUT when the time ran out,
 * -ECONNRESET when the device closed the connection.
 */
int probe_watch(struct probe_conn *c, int timeout_ms, const bool *stop);

/* True if the device sent anything the protocol does not allow. */
bool probe_saw_violations(const struct probe_conn *c);

/* Print what was dropped (if anything) to stderr. */
void probe_report_violations(const struct probe_conn *c);

#endif /* POSREADER_PROBE_CONN_H */
