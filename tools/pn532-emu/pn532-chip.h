/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The emulated PN532 (firmware v1.6): command dispatch, the register
 * file, parameters, power state and the target it has listed.
 *
 * Commands arrive as the bytes after TFI (command code first); answers
 * are the bytes after TFI (response code first). Framing, ACKs and I/O
 * belong to the caller.
 */
#ifndef PN532_CHIP_H
#define PN532_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn532-card.h"

/* Command codes (UM0701-02 section 7). */
enum pn532_cmd {
	PN532_DIAGNOSE = 0x00,
	PN532_GET_FIRMWARE_VERSION = 0x02,
	PN532_GET_GENERAL_STATUS = 0x04,
	PN532_READ_REGISTER = 0x06,
	PN532_WRITE_REGISTER = 0x08,
	PN532_SET_PARAMETERS = 0x12,
	PN532_SAM_CONFIGURATION = 0x14,
	PN532_POWER_DOWN = 0x16,
	PN532_RF_CONFIGURATION = 0x32,
	PN532_IN_DATA_EXCHANGE = 0x40,
	PN532_IN_COMMUNICATE_THRU = 0x42,
	PN532_IN_DESELECT = 0x44,
	PN532_IN_LIST_PASSIVE_TARGET = 0x4a,
	PN532_IN_RELEASE = 0x52,
	PN532_IN_SELECT = 0x54,
	PN532_IN_AUTO_POLL = 0x60,
};

/* Status byte values the chip reports (UM0701-02 table 6). */
#define PN532_ST_OK	       0x00
#define PN532_ST_TIMEOUT       0x01
#define PN532_ST_INVALID_PARAM 0x10
#define PN532_ST_WRONG_CONTEXT 0x27

/* Firmware identity: PN532, v1.6, ISO 14443-A/B and ISO 18092. */
#define PN532_IC	 0x32
#define PN532_FW_VER	 0x01
#define PN532_FW_REV	 0x06
#define PN532_FW_SUPPORT 0x07

/* Register addresses this emulation gives meaning to. */
#define PN532_REG_CIU_TXMODE	0x6302
#define PN532_REG_CIU_RXMODE	0x6303
#define PN532_REG_CIU_TXCONTROL 0x6304
#define PN532_REG_CIU_MODWIDTH	0x6314

/* Longest answer (response code + data) this emulation produces. */
#define PN532_RSP_MAX 264

enum pn532_result {
	PN532_REPLY = 0,    /* send the answer in rsp */
	PN532_SYNTAX_ERROR, /* send the application-level error frame */
	PN532_WAIT,	    /* still polling: call again later */
};

struct pn532_chip {
	uint8_t regs[0x10000];
	uint8_t params; /* SetParameters flags */
	uint8_t sam_mode;
	uint8_t rty_passive; /* MxRtyPassiveActivation */
	bool rf_on;
	bool asleep;	    /* LowVbat at power-up, or after PowerDown */
	bool hsu_wakeup;    /* HSU may wake the chip from power-down */
	uint8_t listed_tg;  /* 1 when the card is the listed target, else 0 */
	uint8_t last_error; /* for GetGeneralStatus */
	struct pn532_card *card;
};

/* Power-up state: LowVbat, registers at their reset values, no target. */
void pn532_chip_init(struct pn532_chip *chip, struct pn532_card *card);

/* The command's name for logs ("InListPassiveTarget"), NULL if unknown. */
const char *pn532_cmd_name(uint8_t code);

/*
 * Run one command. On PN532_REPLY, rsp (cap >= PN532_RSP_MAX) holds
 * *ret_len bytes. PN532_WAIT means the command polls for a card that
 * is not there yet: call again when the card changes, and with give_up
 * set once *ret_wait_ms (if >= 0) has passed; < 0 means wait forever.
 */
enum pn532_result pn532_chip_command(struct pn532_chip *chip,
				     const uint8_t *cmd, size_t len,
				     bool give_up, uint8_t *rsp,
				     size_t *ret_len, int *ret_wait_ms);

#endif /* PN532_CHIP_H */
