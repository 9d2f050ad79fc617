/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posreader-pn532-emu internals: the emulator's state and the parts of
 * the program that share it (host side, control socket, main loop).
 */
#ifndef PN532_EMU_H
#define PN532_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn532-card.h"
#include "pn532-chip.h"
#include "pn532-control.h"
#include "pn532-fault.h"
#include "pn532-frame.h"

#define EMU_MAX_CLIENTS	    4
#define EMU_CLIENT_LINE_MAX 256

/* One connection on the control socket and its partial line. */
struct emu_client {
	int fd;
	size_t len;
	char buf[EMU_CLIENT_LINE_MAX];
};

struct emu {
	int master;
	int keeper; /* our own slave descriptor */
	int inotify_fd;
	int listen_fd;
	int signal_fd;
	char slave_path[128];
	const char *control_path;
	const char *path_file;
	bool path_written; /* so cleanup removes only what we made */
	bool quiet;
	bool verbose; /* log every command, not just events */

	struct pn532_parser parser;
	struct pn532_card card;
	struct pn532_chip chip;
	struct pn532_fault fault;
	struct pn532_control control;
	uint64_t last_rx_ms;

	uint8_t last_frame[PN532_MAX_FRAME]; /* resent on NACK */
	size_t last_frame_len;

	bool pending; /* a polling command waits for a card */
	uint8_t pending_cmd[PN532_MAX_LEN];
	size_t pending_len;
	enum pn532_fault_mode pending_fault;
	uint64_t pending_deadline_ms; /* 0: none */

	struct emu_client clients[EMU_MAX_CLIENTS];
};

/* Log one line on stderr ("pn532-emu: ..."), unless quiet. */
void emu_log(const struct emu *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Milliseconds on the monotonic clock. */
uint64_t emu_now_ms(void);

/* Bytes the host wrote to the pty: parse them and answer each frame. */
void emu_host_input(struct emu *e, const uint8_t *buf, size_t n);

/* The host closed the port: forget its partial frame and waiting poll. */
void emu_host_closed(struct emu *e);

/* Re-run the waiting poll (card changed; give_up once its time is over). */
void emu_poll_retry(struct emu *e, bool give_up);

/* Listen on e->control_path; replaces a stale socket, nothing else. */
int emu_control_open(struct emu *e);

/* Take a new connection on the control socket. */
void emu_control_accept(struct emu *e);

/* Read from a control connection and run each complete line. */
void emu_control_read(struct emu *e, struct emu_client *c);

/* Close a control connection (no-op if already closed). */
void emu_control_close(struct emu_client *c);

/*
 * Send one command to the emulator listening at path and print its
 * reply; 0 on "ok", -EINVAL on "error: ...", another -errno on failure.
 */
int emu_control_send(const char *path, const char *cmd);

#endif /* PN532_EMU_H */
