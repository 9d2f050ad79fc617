// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulated PN532's host protocol on the wire, byte for byte: what
 * libnfc does not exercise by itself. Wake-up, ACK then answer, NACK
 * repeats the answer, frames with bad checksums are ignored, unknown
 * commands get the error frame, extended frames both ways, registers
 * read back, an empty-field poll waits until a card is tapped and an
 * ACK from the host aborts it, and a truncated answer.
 *
 * usage: test-pn532-frames EMULATOR
 * Frames are built here independently of the emulator's own code.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "pn532-test.h"

#define REPLY_MS 1000 /* an answer must come within this */
#define QUIET_MS 300  /* "no answer" means nothing in this time */

static struct pn532_emu emu;

static const uint8_t ack[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
static const uint8_t nack[] = { 0x00, 0x00, 0xff, 0xff, 0x00, 0x00 };
static const uint8_t error_frame[] = { 0x00, 0x00, 0xff, 0x01,
				       0xff, 0x7f, 0x81, 0x00 };

/* Normal or extended information frame around tfi + data. */
static size_t frame(uint8_t *out, uint8_t tfi, const uint8_t *data, size_t len)
{
	size_t info = len + 1, n = 0, i;
	uint8_t dcs = (uint8_t)-tfi;

	out[n++] = 0x00;
	out[n++] = 0x00;
	out[n++] = 0xff;
	if (info < 256) {
		out[n++] = (uint8_t)info;
		out[n++] = (uint8_t)-info;
	} else {
		out[n++] = 0xff;
		out[n++] = 0xff;
		out[n++] = (uint8_t)(info >> 8);
		out[n++] = (uint8_t)info;
		out[n++] = (uint8_t) - (out[5] + out[6]);
	}
	out[n++] = tfi;
	for (i = 0; i < len; i++) {
		out[n++] = data[i];
		dcs -= data[i];
	}
	out[n++] = dcs;
	out[n++] = 0x00;
	return n;
}

static void send_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("write to pty");
			exit(1);
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void send_cmd(int fd, const uint8_t *cmd, size_t len)
{
	uint8_t buf[300];

	send_all(fd, buf, frame(buf, 0xd4, cmd, len));
}

/* Read up to n bytes, waiting at most ms for each; returns bytes read. */
static size_t recv_bytes(int fd, uint8_t *buf, size_t n, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n && poll(&pfd, 1, ms) > 0) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* The next bytes are exactly want (and arrive in time). */
static bool expect(int fd, const uint8_t *want, size_t len)
{
	uint8_t buf[300];

	return recv_bytes(fd, buf, len, REPLY_MS) == len &&
	       memcmp(buf, want, len) == 0;
}

static bool expect_answer(int fd, const uint8_t *rsp, size_t len)
{
	uint8_t want[300];

	return expect(fd, ack, sizeof(ack)) &&
	       expect(fd, want, frame(want, 0xd5, rsp, len));
}

static bool silent(int fd)
{
	uint8_t b;

	return recv_bytes(fd, &b, 1, QUIET_MS) == 0;
}

static bool control(const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char reply[128] = "";
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", emu.dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("control socket");
		exit(1);
	}
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		perror("control write");
		exit(1);
	}
	n = read(fd, reply, sizeof(reply) - 1);
	close(fd);
	return n > 2 && strncmp(reply, "ok", 2) == 0;
}

static int open_port(const char *path)
{
	struct termios t;
	int fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || tcgetattr(fd, &t) < 0) {
		perror(path);
		exit(1);
	}
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
	return fd;
}

static void run(int fd)
{
	static const uint8_t wakeup[] = { 0x55, 0x55, 0x00, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t sam[] = { 0x14, 0x01 };
	static const uint8_t fw[] = { 0x02 };
	static const uint8_t fw_rsp[] = { 0x03, 0x32, 0x01, 0x06, 0x07 };
	static const uint8_t list[] = { 0x4a, 0x01, 0x00 };
	static const uint8_t list_rsp[] = { 0x4b, 0x01, 0x01, 0x00, 0x04, 0x20,
					    0x04, 0x08, 0x12, 0x34, 0x56, 0x05,
					    0x78, 0x80, 0x70, 0x02 };
	uint8_t buf[300], want[300], diag[264];
	size_t n, i;

	/* Wake-up preamble, then SAMConfiguration (normal mode). */
	send_all(fd, wakeup, sizeof(wakeup));
	send_cmd(fd, sam, sizeof(sam));
	CHECK(expect_answer(fd, (const uint8_t[]){ 0x15 }, 1),
	      "wake-up + SAMConfiguration: ACK, then D5 15");

	send_cmd(fd, fw, sizeof(fw));
	CHECK(expect_answer(fd, fw_rsp, sizeof(fw_rsp)),
	      "GetFirmwareVersion: IC 32, v1.6, support 07");

	send_all(fd, nack, sizeof(nack));
	CHECK(expect(fd, want, frame(want, 0xd5, fw_rsp, sizeof(fw_rsp))),
	      "NACK from the host: the last answer again, no ACK");

	/* Corrupted frames from the host: no ACK, no answer. */
	n = frame(buf, 0xd4, fw, sizeof(fw));
	buf[n - 2]++;
	send_all(fd, buf, n);
	CHECK(silent(fd), "bad data checksum: frame ignored");
	n = frame(buf, 0xd4, fw, sizeof(fw));
	buf[4]++;
	send_all(fd, buf, n);
	CHECK(silent(fd), "bad length checksum: frame ignored");
	send_cmd(fd, fw, sizeof(fw));
	CHECK(expect_answer(fd, fw_rsp, sizeof(fw_rsp)),
	      "next good frame is served");

	send_cmd(fd, (const uint8_t[]){ 0xfe }, 1);
	CHECK(expect(fd, ack, sizeof(ack)) &&
		      expect(fd, error_frame, sizeof(error_frame)),
	      "unknown command: ACK, then the application error frame");

	/* Diagnose line test of 262 bytes: extended frames both ways. */
	diag[0] = 0x00;
	diag[1] = 0x00;
	for (i = 2; i < sizeof(diag); i++)
		diag[i] = (uint8_t)(i * 13);
	send_cmd(fd, diag, sizeof(diag));
	diag[0] = 0x01;
	CHECK(expect_answer(fd, diag, sizeof(diag)),
	      "264-byte Diagnose echo: extended frame in and out");

	/* Registers read back what was written. */
	send_cmd(fd,
		 (const uint8_t[]){ 0x08, 0x63, 0x3d, 0x05, 0x63, 0x05, 0x40 },
		 7);
	CHECK(expect_answer(fd, (const uint8_t[]){ 0x09 }, 1),
	      "WriteRegister of two registers");
	send_cmd(fd, (const uint8_t[]){ 0x06, 0x63, 0x05, 0x63, 0x3d }, 5);
	CHECK(expect_answer(fd, (const uint8_t[]){ 0x07, 0x40, 0x05 }, 3),
	      "ReadRegister returns them, in request order");

	/* Empty field: the poll waits (no answer) until a card is tapped. */
	send_cmd(fd, (const uint8_t[]){ 0x12, 0x14 }, 2);
	CHECK(expect_answer(fd, (const uint8_t[]){ 0x13 }, 1),
	      "SetParameters: automatic RATS");
	CHECK(control("tag absent"), "control: tag absent");
	send_cmd(fd, list, sizeof(list));
	CHECK(expect(fd, ack, sizeof(ack)) && silent(fd),
	      "InListPassiveTarget on an empty field: ACK, then waiting");
	send_all(fd, ack, sizeof(ack));
	CHECK(control("tag present") && silent(fd),
	      "an ACK from the host aborted the poll");
	CHECK(control("tag absent"), "control: tag absent again");
	send_cmd(fd, list, sizeof(list));
	CHECK(expect(fd, ack, sizeof(ack)) && silent(fd), "polling again");
	CHECK(control("tag present") &&
		      expect(fd, want,
			     frame(want, 0xd5, list_rsp, sizeof(list_rsp))),
	      "the tapped card answers the waiting poll");

	/* InAutoPoll, 1 round x 150 ms x 1 type, empty field: gives up. */
	CHECK(control("tag absent"), "control: tag absent for InAutoPoll");
	send_cmd(fd, (const uint8_t[]){ 0x60, 0x01, 0x01, 0x10 }, 4);
	CHECK(expect(fd, ack, sizeof(ack)) && recv_bytes(fd, buf, 1, 50) == 0 &&
		      expect(fd, want,
			     frame(want, 0xd5, (const uint8_t[]){ 0x61, 0x00 },
				   2)),
	      "InAutoPoll on an empty field answers 0 targets after 150 ms");
	CHECK(control("tag present"), "control: tag present");

	/* A truncated answer: ACK, then part of the frame, then nothing. */
	CHECK(control("misbehave truncated 02"), "control: misbehave");
	send_cmd(fd, fw, sizeof(fw));
	n = frame(want, 0xd5, fw_rsp, sizeof(fw_rsp));
	CHECK(expect(fd, ack, sizeof(ack)) &&
		      recv_bytes(fd, buf, n, QUIET_MS) == n / 2 &&
		      memcmp(buf, want, n / 2) == 0,
	      "truncated: only the first %zu of %zu bytes", n / 2, n);
	send_all(fd, nack, sizeof(nack));
	CHECK(expect(fd, want, n), "NACK recovers the whole answer");
}

int main(int argc, char **argv)
{
	int fd, ret;

	ret = pn532_test_begin(argc, argv);
	if (ret >= 0)
		return ret;
	if (pn532_emu_start(&emu, argv[1], "/tmp/test-pn532-frames-XXXXXX",
			    NULL) < 0)
		return 1;
	fd = open_port(emu.pty);
	run(fd);
	close(fd);
	return pn532_test_end(&emu, argv[0]);
}
