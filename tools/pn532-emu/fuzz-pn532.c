// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the emulated PN532: arbitrary host bytes through
 * the frame parser into the chip (and on to the card), arbitrary control
 * lines and misbehaviour specs. The first input byte picks the target.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pn532-chip.h"
#include "pn532-control.h"
#include "pn532-fault.h"
#include "pn532-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_frames(const uint8_t *data, size_t size)
{
	static struct pn532_chip chip;
	static struct pn532_parser parser;
	uint8_t rsp[PN532_RSP_MAX], frame[PN532_MAX_FRAME];
	struct pn532_card card;
	enum pn532_frame_kind kind;
	enum pn532_result res;
	const uint8_t *cmd = NULL;
	size_t used, len = 0, rsp_len;
	int wait_ms;

	pn532_card_init(&card);
	pn532_chip_init(&chip, &card);
	pn532_parser_reset(&parser);
	while (size) {
		kind = pn532_parser_feed(&parser, data, size, &used, &cmd,
					 &len);
		data += used;
		size -= used;
		if (kind != PN532_FRAME_INFO || len == 0)
			continue;
		rsp_len = 0;
		res = pn532_chip_command(&chip, cmd, len, false, rsp, &rsp_len,
					 &wait_ms);
		if (res == PN532_WAIT) {
			/* What a tap, then the end of the poll, would do. */
			pn532_card_set_present(&card, !card.present);
			res = pn532_chip_command(&chip, cmd, len, true, rsp,
						 &rsp_len, &wait_ms);
		}
		if (res == PN532_REPLY &&
		    pn532_frame_build(frame, sizeof(frame), rsp, rsp_len) < 0)
			__builtin_trap();
	}
}

static void run_control(const uint8_t *data, size_t size)
{
	struct pn532_fault fault = { .mode = PN532_FAULT_NONE };
	struct pn532_card card;
	struct pn532_control ctl = { .card = &card, .fault = &fault };
	char line[256], reply[256];

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	pn532_card_init(&card);
	pn532_control_run(&ctl, line, reply, sizeof(reply));
	if (!memchr(reply, '\n', sizeof(reply)))
		__builtin_trap();
}

static void run_fault(const uint8_t *data, size_t size)
{
	struct pn532_fault fault;
	char spec[128];

	if (size >= sizeof(spec))
		size = sizeof(spec) - 1;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (pn532_fault_parse(spec, &fault) == 0)
		pn532_fault_take(&fault, 0x4a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		run_frames(data + 1, size - 1);
		break;
	case 1:
		run_control(data + 1, size - 1);
		break;
	default:
		run_fault(data + 1, size - 1);
		break;
	}
	return 0;
}
