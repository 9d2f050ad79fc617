// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host side of the emulated PN532: bytes from the pty through the
 * frame parser, ACK/NACK handling, scripted misbehaviour, the chip's
 * answers, and polls that wait for a card.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pn532-emu.h"

/* A frame that stops arriving for this long is abandoned. */
#define FRAME_GAP_MS	  200
#define NACK_STORM_FRAMES 16

void emu_log(const struct emu *e, const char *fmt, ...)
{
	va_list ap;

	if (e && e->quiet)
		return;
	fputs("pn532-emu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t emu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *cmd_label(uint8_t code)
{
	const char *name = pn532_cmd_name(code);

	return name ? name : "unknown command";
}

/* Write all of buf to the master; the pty buffer is far larger than a frame. */
static void put(struct emu *e, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(e->master, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			emu_log(e,
				"write to pty failed: %s (%zu bytes dropped)",
				strerror(errno), len);
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void put_ack(struct emu *e)
{
	uint8_t ack[PN532_ACK_LEN];

	pn532_frame_ack(ack, sizeof(ack));
	put(e, ack, sizeof(ack));
}

/* Send an answer frame, spoiled as the fault mode says. */
static void put_answer(struct emu *e, const uint8_t *frame, size_t len,
		       enum pn532_fault_mode fault)
{
	uint8_t bad[PN532_MAX_FRAME];
	bool extended = len > 4 && frame[3] == 0xff && frame[4] == 0xff;

	memcpy(e->last_frame, frame, len);
	e->last_frame_len = len;
	memcpy(bad, frame, len);

	switch (fault) {
	case PN532_FAULT_BAD_LCS:
		bad[extended ? 7 : 4]++;
		break;
	case PN532_FAULT_BAD_DCS:
		bad[len - 2]++;
		break;
	case PN532_FAULT_TRUNCATED:
		len /= 2;
		break;
	default:
		break;
	}
	put(e, bad, len);
}

static void answer(struct emu *e, uint8_t code, enum pn532_result res,
		   const uint8_t *rsp, size_t rsp_len,
		   enum pn532_fault_mode fault)
{
	uint8_t frame[PN532_MAX_FRAME];
	int n;

	if (res == PN532_SYNTAX_ERROR) {
		emu_log(e, "%s (0x%02x): syntax error, sending error frame",
			cmd_label(code), code);
		n = pn532_frame_error(frame, sizeof(frame));
	} else {
		n = pn532_frame_build(frame, sizeof(frame), rsp, rsp_len);
	}
	if (n < 0) {
		emu_log(e, "cannot frame answer: %s", strerror(-n));
		return;
	}
	if (fault != PN532_FAULT_NONE)
		emu_log(e, "misbehaving on %s: %s", cmd_label(code),
			pn532_fault_name(fault));
	put_answer(e, frame, (size_t)n, fault);
}

/* Re-run the waiting poll command; give_up once its time is over. */
void emu_poll_retry(struct emu *e, bool give_up)
{
	uint8_t rsp[PN532_RSP_MAX];
	enum pn532_result res;
	size_t len = 0;
	int wait_ms;

	res = pn532_chip_command(&e->chip, e->pending_cmd, e->pending_len,
				 give_up, rsp, &len, &wait_ms);
	if (res == PN532_WAIT)
		return;
	e->pending = false;
	answer(e, e->pending_cmd[0], res, rsp, len, e->pending_fault);
}

static void drop_pending(struct emu *e, const char *why)
{
	if (!e->pending)
		return;
	emu_log(e, "%s abandoned: %s", cmd_label(e->pending_cmd[0]), why);
	e->pending = false;
}

static void handle_command(struct emu *e, const uint8_t *cmd, size_t len)
{
	uint8_t rsp[PN532_RSP_MAX], nack[PN532_ACK_LEN], frame[16];
	enum pn532_fault_mode fault;
	enum pn532_result res;
	size_t rsp_len = 0;
	int wait_ms, i, n;

	/* The chip takes a new command as the end of the one it was on. */
	drop_pending(e, "new command");
	if (len == 0) {
		emu_log(e, "empty information frame from host ignored");
		return;
	}
	if (e->verbose)
		emu_log(e, "host: %s (0x%02x), %zu parameter bytes",
			cmd_label(cmd[0]), cmd[0], len - 1);

	fault = pn532_fault_take(&e->fault, cmd[0]);
	switch (fault) {
	case PN532_FAULT_SILENCE:
		emu_log(e, "misbehaving on %s: silence", cmd_label(cmd[0]));
		return;
	case PN532_FAULT_NACK_STORM:
		emu_log(e, "misbehaving on %s: nack-storm", cmd_label(cmd[0]));
		pn532_frame_nack(nack, sizeof(nack));
		for (i = 0; i < NACK_STORM_FRAMES; i++)
			put(e, nack, sizeof(nack));
		return;
	default:
		break;
	}
	put_ack(e);
	if (fault == PN532_FAULT_MUTE) {
		emu_log(e, "misbehaving on %s: mute", cmd_label(cmd[0]));
		return;
	}
	if (fault == PN532_FAULT_ERROR_FRAME) {
		emu_log(e, "misbehaving on %s: error-frame", cmd_label(cmd[0]));
		n = pn532_frame_error(frame, sizeof(frame));
		put_answer(e, frame, (size_t)n, PN532_FAULT_NONE);
		return;
	}

	res = pn532_chip_command(&e->chip, cmd, len, false, rsp, &rsp_len,
				 &wait_ms);
	if (res == PN532_WAIT) {
		memcpy(e->pending_cmd, cmd, len);
		e->pending_len = len;
		e->pending_fault = fault;
		e->pending = true;
		e->pending_deadline_ms =
			wait_ms < 0 ? 0 : emu_now_ms() + (uint64_t)wait_ms;
		if (e->pending_deadline_ms == 0 && wait_ms >= 0)
			e->pending_deadline_ms = 1;
		emu_log(e, "%s: no card yet, polling", cmd_label(cmd[0]));
		return;
	}
	answer(e, cmd[0], res, rsp, rsp_len, fault);
}

static void handle_frame(struct emu *e, enum pn532_frame_kind kind,
			 const uint8_t *data, size_t len)
{
	switch (kind) {
	case PN532_FRAME_NONE:
		return;
	case PN532_FRAME_INFO:
		handle_command(e, data, len);
		return;
	case PN532_FRAME_ACK:
		/* An ACK from the host aborts the running command. */
		drop_pending(e, "host sent ACK (abort)");
		return;
	case PN532_FRAME_NACK:
		if (e->last_frame_len) {
			emu_log(e, "host sent NACK: repeating last answer");
			put(e, e->last_frame, e->last_frame_len);
		} else {
			emu_log(e, "host sent NACK with no answer to repeat");
		}
		return;
	default:
		emu_log(e, "dropped frame from host: %s",
			pn532_frame_kind_name(kind));
		return;
	}
}

void emu_host_input(struct emu *e, const uint8_t *buf, size_t n)
{
	const uint8_t *data = NULL;
	enum pn532_frame_kind kind;
	size_t used, len = 0;
	uint64_t t = emu_now_ms();

	if (e->chip.asleep && n > 0 && !e->chip.hsu_wakeup) {
		emu_log(e, "asleep without HSU wake-up: %zu bytes ignored", n);
		return;
	}
	if (e->chip.asleep && n > 0) {
		/* The byte that wakes the chip from power-down is lost. */
		e->chip.asleep = false;
		buf++;
		n--;
	}
	if (pn532_parser_busy(&e->parser) && t - e->last_rx_ms > FRAME_GAP_MS) {
		emu_log(e, "incomplete frame from host abandoned");
		pn532_parser_reset(&e->parser);
	}
	e->last_rx_ms = t;

	while (n) {
		kind = pn532_parser_feed(&e->parser, buf, n, &used, &data,
					 &len);
		buf += used;
		n -= used;
		handle_frame(e, kind, data, len);
	}
}

void emu_host_closed(struct emu *e)
{
	pn532_parser_reset(&e->parser);
	drop_pending(e, "host closed the port");
}
