// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulated PN532: what firmware v1.6 answers to each host command.
 *
 * Syntax errors (wrong parameter count, values out of range, unknown or
 * unemulated commands) get the application-level error frame, as the
 * chip does; RF-level outcomes travel in the status byte of the answer.
 */
#include <string.h>

#include "pn532-chip.h"

/* InListPassiveTarget BrTy values. */
#define BRTY_106A  0x00
#define BRTY_JEWEL 0x04

/* SetParameters: the chip sends RATS itself after selecting a card. */
#define PARAM_AUTO_RATS 0x10

/* InAutoPoll target types a type A card can answer to. */
#define POLL_GENERIC_106A 0x00
#define POLL_MIFARE	  0x10
#define POLL_ISO14443_4A  0x20

/* One InAutoPoll period unit, in milliseconds. */
#define POLL_PERIOD_MS 150

static const struct {
	uint8_t code;
	const char *name;
} cmd_names[] = {
	{ PN532_DIAGNOSE, "Diagnose" },
	{ PN532_GET_FIRMWARE_VERSION, "GetFirmwareVersion" },
	{ PN532_GET_GENERAL_STATUS, "GetGeneralStatus" },
	{ PN532_READ_REGISTER, "ReadRegister" },
	{ PN532_WRITE_REGISTER, "WriteRegister" },
	{ PN532_SET_PARAMETERS, "SetParameters" },
	{ PN532_SAM_CONFIGURATION, "SAMConfiguration" },
	{ PN532_POWER_DOWN, "PowerDown" },
	{ PN532_RF_CONFIGURATION, "RFConfiguration" },
	{ PN532_IN_DATA_EXCHANGE, "InDataExchange" },
	{ PN532_IN_COMMUNICATE_THRU, "InCommunicateThru" },
	{ PN532_IN_DESELECT, "InDeselect" },
	{ PN532_IN_LIST_PASSIVE_TARGET, "InListPassiveTarget" },
	{ PN532_IN_RELEASE, "InRelease" },
	{ PN532_IN_SELECT, "InSelect" },
	{ PN532_IN_AUTO_POLL, "InAutoPoll" },
};

const char *pn532_cmd_name(uint8_t code)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (cmd_names[i].code == code)
			return cmd_names[i].name;
	return NULL;
}

void pn532_chip_init(struct pn532_chip *chip, struct pn532_card *card)
{
	memset(chip, 0, sizeof(*chip));
	chip->card = card;
	chip->asleep = true;
	chip->hsu_wakeup = true;
	chip->sam_mode = 0x01;
	chip->rty_passive = 0xff;
	/* The firmware leaves the CIU with CRC on in both directions. */
	chip->regs[PN532_REG_CIU_TXMODE] = 0x80;
	chip->regs[PN532_REG_CIU_RXMODE] = 0x80;
	chip->regs[PN532_REG_CIU_TXCONTROL] = 0x80;
	chip->regs[PN532_REG_CIU_MODWIDTH] = 0x26;
}

/* Tg, SENS_RES, SEL_RES, NFCID1 and (optionally) the ATS with its TL. */
static size_t target_data_a(const struct pn532_card *card, uint8_t *out,
			    bool with_ats)
{
	size_t n = 0;

	out[n++] = 0x01;
	out[n++] = card->atqa[0];
	out[n++] = card->atqa[1];
	out[n++] = card->sak;
	out[n++] = (uint8_t)card->uid_len;
	memcpy(out + n, card->uid, card->uid_len);
	n += card->uid_len;
	if (with_ats) {
		out[n++] = (uint8_t)(card->ats_len + 1);
		memcpy(out + n, card->ats, card->ats_len);
		n += card->ats_len;
	}
	return n;
}

/* The UID the host asked for: plain, or cascaded with CT (0x88) bytes. */
static bool uid_matches(const struct pn532_card *card, const uint8_t *id,
			size_t len)
{
	uint8_t plain[PN532_CARD_UID_MAX];
	size_t n = 0;

	if (len == 4) {
		memcpy(plain, id, 4);
		n = 4;
	} else if (len == 8 && id[0] == 0x88) {
		memcpy(plain, id + 1, 7);
		n = 7;
	} else if (len == 12 && id[0] == 0x88 && id[4] == 0x88) {
		memcpy(plain, id + 1, 3);
		memcpy(plain + 3, id + 5, 7);
		n = 10;
	} else {
		return false;
	}
	return n == card->uid_len && memcmp(plain, card->uid, n) == 0;
}

/* Select the card as target 1: what a successful anticollision leaves. */
static void activate(struct pn532_chip *chip)
{
	struct pn532_card *card = chip->card;

	chip->rf_on = true;
	chip->listed_tg = 1;
	card->state = PN532_CARD_ACTIVE;
	card->block_nr = 1;
	/* Type A framing at 106 kbps, as the firmware sets up for polling. */
	chip->regs[PN532_REG_CIU_TXMODE] &= 0x80;
	chip->regs[PN532_REG_CIU_RXMODE] &= 0x80;
}

static enum pn532_result in_list_passive_target(struct pn532_chip *chip,
						const uint8_t *cmd, size_t len,
						bool give_up, uint8_t *rsp,
						size_t *ret_len,
						int *ret_wait_ms)
{
	struct pn532_card *card = chip->card;
	bool with_ats;
	size_t n;

	if (len < 3 || cmd[1] < 1 || cmd[1] > 2 || cmd[2] > BRTY_JEWEL)
		return PN532_SYNTAX_ERROR;

	chip->rf_on = true;
	chip->listed_tg = 0;
	rsp[0] = PN532_IN_LIST_PASSIVE_TARGET + 1;
	if (card->present && cmd[2] == BRTY_106A &&
	    (len == 3 || uid_matches(card, cmd + 3, len - 3))) {
		activate(chip);
		with_ats = pn532_card_is_iso14443_4(card) &&
			   (chip->params & PARAM_AUTO_RATS);
		rsp[1] = 1;
		n = target_data_a(card, rsp + 2, with_ats);
		*ret_len = 2 + n;
		return PN532_REPLY;
	}
	/* MxRtyPassiveActivation 0xff: poll until a card comes. */
	if (chip->rty_passive == 0xff && !give_up) {
		*ret_wait_ms = -1;
		return PN532_WAIT;
	}
	rsp[1] = 0;
	*ret_len = 2;
	return PN532_REPLY;
}

static enum pn532_result in_auto_poll(struct pn532_chip *chip,
				      const uint8_t *cmd, size_t len,
				      bool give_up, uint8_t *rsp,
				      size_t *ret_len, int *ret_wait_ms)
{
	struct pn532_card *card = chip->card;
	size_t i, ntypes, n;
	uint8_t type;

	if (len < 4 || len > 18 || cmd[1] == 0 || cmd[2] < 1 || cmd[2] > 15)
		return PN532_SYNTAX_ERROR;
	ntypes = len - 3;
	rsp[0] = PN532_IN_AUTO_POLL + 1;

	for (i = 0; i < ntypes && card->present; i++) {
		type = cmd[3 + i];
		if (type == POLL_ISO14443_4A && !pn532_card_is_iso14443_4(card))
			continue;
		if (type != POLL_GENERIC_106A && type != POLL_MIFARE &&
		    type != POLL_ISO14443_4A)
			continue;
		activate(chip);
		rsp[1] = 1;
		rsp[2] = type;
		n = target_data_a(card, rsp + 4, type == POLL_ISO14443_4A);
		rsp[3] = (uint8_t)n;
		*ret_len = 4 + n;
		return PN532_REPLY;
	}
	if (!give_up) {
		/* PollNr 0xff: forever; else PollNr rounds of each type. */
		*ret_wait_ms = -1;
		if (cmd[1] != 0xff)
			*ret_wait_ms = (int)(cmd[1] * cmd[2] * ntypes) *
				       POLL_PERIOD_MS;
		return PN532_WAIT;
	}
	chip->listed_tg = 0;
	rsp[1] = 0;
	*ret_len = 2;
	return PN532_REPLY;
}

/* Status for a command that needs the listed, selected card. */
static uint8_t target_status(struct pn532_chip *chip, uint8_t tg)
{
	if (!chip->listed_tg)
		return PN532_ST_WRONG_CONTEXT;
	if (tg != chip->listed_tg)
		return PN532_ST_INVALID_PARAM;
	if (chip->card->state == PN532_CARD_HALT)
		return PN532_ST_WRONG_CONTEXT;
	return PN532_ST_OK;
}

static enum pn532_result in_data_exchange(struct pn532_chip *chip,
					  const uint8_t *cmd, size_t len,
					  uint8_t *rsp, size_t *ret_len)
{
	struct pn532_card *card = chip->card;
	uint8_t st;
	int n;

	if (len < 2)
		return PN532_SYNTAX_ERROR;
	rsp[0] = PN532_IN_DATA_EXCHANGE + 1;
	*ret_len = 2;
	st = target_status(chip, cmd[1]);
	if (st == PN532_ST_OK &&
	    (!chip->rf_on || !pn532_card_take_exchange(card) ||
	     !pn532_card_is_iso14443_4(card) ||
	     card->state != PN532_CARD_ACTIVE))
		st = PN532_ST_TIMEOUT;
	rsp[1] = st;
	chip->last_error = st;
	if (st != PN532_ST_OK)
		return PN532_REPLY;

	n = pn532_card_apdu(card, cmd + 2, len - 2, rsp + 2, PN532_RSP_MAX - 2);
	if (n < 0)
		return PN532_SYNTAX_ERROR;
	*ret_len = 2 + (size_t)n;
	return PN532_REPLY;
}

static enum pn532_result in_communicate_thru(struct pn532_chip *chip,
					     const uint8_t *cmd, size_t len,
					     uint8_t *rsp, size_t *ret_len)
{
	struct pn532_card *card = chip->card;
	const uint8_t *regs = chip->regs;
	int n = 0;

	rsp[0] = PN532_IN_COMMUNICATE_THRU + 1;
	/*
	 * The card only hears type A frames with their CRC. An empty
	 * DataOut just listens (NFC Barcode tags talk first): nothing here.
	 */
	if (len > 1 && chip->rf_on && card->present &&
	    (regs[PN532_REG_CIU_TXMODE] & 0x83) == 0x80 &&
	    (regs[PN532_REG_CIU_RXMODE] & 0x83) == 0x80)
		n = pn532_card_block(card, cmd + 1, len - 1, rsp + 2,
				     PN532_RSP_MAX - 2);
	if (n < 0)
		return PN532_SYNTAX_ERROR;
	rsp[1] = n > 0 ? PN532_ST_OK : PN532_ST_TIMEOUT;
	chip->last_error = rsp[1];
	*ret_len = 2 + (size_t)n;
	return PN532_REPLY;
}

/* InDeselect, InRelease and InSelect share their checks. */
static enum pn532_result in_target_op(struct pn532_chip *chip,
				      const uint8_t *cmd, size_t len,
				      uint8_t *rsp, size_t *ret_len)
{
	struct pn532_card *card = chip->card;
	uint8_t tg, st = PN532_ST_OK;

	if (len != 2)
		return PN532_SYNTAX_ERROR;
	tg = cmd[1];
	rsp[0] = cmd[0] + 1;
	*ret_len = 2;

	if (cmd[0] == PN532_IN_SELECT) {
		if (!chip->listed_tg || tg != chip->listed_tg)
			st = PN532_ST_WRONG_CONTEXT;
		else if (!card->present || !chip->rf_on)
			st = PN532_ST_TIMEOUT;
		else
			card->state = PN532_CARD_ACTIVE;
	} else if (tg != 0 && tg != chip->listed_tg) {
		st = PN532_ST_WRONG_CONTEXT;
	} else {
		/* Target 0 means all of them, and none is not an error. */
		if (chip->listed_tg && card->state == PN532_CARD_ACTIVE)
			card->state = PN532_CARD_HALT;
		if (cmd[0] == PN532_IN_RELEASE)
			chip->listed_tg = 0;
	}
	rsp[1] = st;
	chip->last_error = st;
	return PN532_REPLY;
}

static enum pn532_result diagnose(struct pn532_chip *chip, const uint8_t *cmd,
				  size_t len, uint8_t *rsp, size_t *ret_len)
{
	if (len < 2)
		return PN532_SYNTAX_ERROR;
	rsp[0] = PN532_DIAGNOSE + 1;

	switch (cmd[1]) {
	case 0x00:
		/* Communication line test: echo NumTst and InParam. */
		memcpy(rsp + 1, cmd + 1, len - 1);
		*ret_len = len;
		return PN532_REPLY;
	case 0x01:
	case 0x02:
		/* ROM and RAM self tests pass. */
		rsp[1] = 0x00;
		*ret_len = 2;
		return PN532_REPLY;
	case 0x06:
		/* Attention request / ISO 14443-4 card presence. */
		rsp[1] = target_status(chip, chip->listed_tg ? 1 : 0);
		if (rsp[1] == PN532_ST_OK &&
		    (!chip->card->present || !chip->rf_on))
			rsp[1] = PN532_ST_TIMEOUT;
		*ret_len = 2;
		return PN532_REPLY;
	}
	return PN532_SYNTAX_ERROR;
}

static enum pn532_result get_general_status(struct pn532_chip *chip,
					    uint8_t *rsp, size_t *ret_len)
{
	size_t n = 0;

	rsp[n++] = PN532_GET_GENERAL_STATUS + 1;
	rsp[n++] = chip->last_error;
	rsp[n++] = chip->rf_on;
	rsp[n++] = chip->listed_tg ? 1 : 0;
	if (chip->listed_tg) {
		rsp[n++] = chip->listed_tg;
		rsp[n++] = 0x00; /* BrRx: 106 kbps */
		rsp[n++] = 0x00; /* BrTx: 106 kbps */
		rsp[n++] = 0x00; /* ISO/IEC 14443 type A */
	}
	rsp[n++] = 0x00; /* SAM status */
	*ret_len = n;
	return PN532_REPLY;
}

static enum pn532_result read_register(struct pn532_chip *chip,
				       const uint8_t *cmd, size_t len,
				       uint8_t *rsp, size_t *ret_len)
{
	size_t i, n = 1;

	if (len < 3 || (len - 1) % 2 || (len - 1) / 2 >= PN532_RSP_MAX)
		return PN532_SYNTAX_ERROR;
	rsp[0] = PN532_READ_REGISTER + 1;
	for (i = 1; i < len; i += 2)
		rsp[n++] = chip->regs[(uint16_t)(cmd[i] << 8 | cmd[i + 1])];
	*ret_len = n;
	return PN532_REPLY;
}

static enum pn532_result write_register(struct pn532_chip *chip,
					const uint8_t *cmd, size_t len,
					uint8_t *rsp, size_t *ret_len)
{
	size_t i;

	if (len < 4 || (len - 1) % 3)
		return PN532_SYNTAX_ERROR;
	for (i = 1; i < len; i += 3)
		chip->regs[(uint16_t)(cmd[i] << 8 | cmd[i + 1])] = cmd[i + 2];
	rsp[0] = PN532_WRITE_REGISTER + 1;
	*ret_len = 1;
	return PN532_REPLY;
}

static enum pn532_result rf_configuration(struct pn532_chip *chip,
					  const uint8_t *cmd, size_t len,
					  uint8_t *rsp, size_t *ret_len)
{
	/* Data length each configuration item takes. */
	static const uint8_t item_len[] = {
		[0x01] = 1,  [0x02] = 3, [0x04] = 1, [0x05] = 3,
		[0x0a] = 11, [0x0b] = 8, [0x0c] = 3, [0x0d] = 9,
	};
	uint8_t item;

	if (len < 3)
		return PN532_SYNTAX_ERROR;
	item = cmd[1];
	if (item >= sizeof(item_len) || !item_len[item] ||
	    len != 2 + (size_t)item_len[item])
		return PN532_SYNTAX_ERROR;

	if (item == 0x01) {
		chip->rf_on = cmd[2] & 0x01;
		/* Without field the card loses power and its state. */
		if (!chip->rf_on && chip->card->state != PN532_CARD_IDLE)
			chip->card->state = PN532_CARD_IDLE;
	} else if (item == 0x05) {
		chip->rty_passive = cmd[4];
	}
	rsp[0] = PN532_RF_CONFIGURATION + 1;
	*ret_len = 1;
	return PN532_REPLY;
}

enum pn532_result pn532_chip_command(struct pn532_chip *chip,
				     const uint8_t *cmd, size_t len,
				     bool give_up, uint8_t *rsp,
				     size_t *ret_len, int *ret_wait_ms)
{
	if (len < 1)
		return PN532_SYNTAX_ERROR;
	*ret_wait_ms = -1;

	switch (cmd[0]) {
	case PN532_DIAGNOSE:
		return diagnose(chip, cmd, len, rsp, ret_len);
	case PN532_GET_FIRMWARE_VERSION:
		rsp[0] = PN532_GET_FIRMWARE_VERSION + 1;
		rsp[1] = PN532_IC;
		rsp[2] = PN532_FW_VER;
		rsp[3] = PN532_FW_REV;
		rsp[4] = PN532_FW_SUPPORT;
		*ret_len = 5;
		return PN532_REPLY;
	case PN532_GET_GENERAL_STATUS:
		return get_general_status(chip, rsp, ret_len);
	case PN532_READ_REGISTER:
		return read_register(chip, cmd, len, rsp, ret_len);
	case PN532_WRITE_REGISTER:
		return write_register(chip, cmd, len, rsp, ret_len);
	case PN532_SET_PARAMETERS:
		if (len != 2)
			return PN532_SYNTAX_ERROR;
		chip->params = cmd[1];
		rsp[0] = PN532_SET_PARAMETERS + 1;
		*ret_len = 1;
		return PN532_REPLY;
	case PN532_SAM_CONFIGURATION:
		/* Virtual and dual card modes need their timeout byte. */
		if (len < 2 || len > 4 || cmd[1] < 1 || cmd[1] > 4 ||
		    (cmd[1] >= 2 && cmd[1] <= 3 && len < 3))
			return PN532_SYNTAX_ERROR;
		chip->sam_mode = cmd[1];
		chip->asleep = false;
		rsp[0] = PN532_SAM_CONFIGURATION + 1;
		*ret_len = 1;
		return PN532_REPLY;
	case PN532_POWER_DOWN:
		if (len < 2 || len > 3)
			return PN532_SYNTAX_ERROR;
		rsp[0] = PN532_POWER_DOWN + 1;
		rsp[1] = PN532_ST_OK;
		*ret_len = 2;
		/* The answer still goes out; then the chip sleeps. */
		chip->asleep = true;
		chip->hsu_wakeup = cmd[1] & 0x10;
		chip->rf_on = false;
		chip->listed_tg = 0;
		chip->card->state = PN532_CARD_IDLE;
		return PN532_REPLY;
	case PN532_RF_CONFIGURATION:
		return rf_configuration(chip, cmd, len, rsp, ret_len);
	case PN532_IN_DATA_EXCHANGE:
		return in_data_exchange(chip, cmd, len, rsp, ret_len);
	case PN532_IN_COMMUNICATE_THRU:
		return in_communicate_thru(chip, cmd, len, rsp, ret_len);
	case PN532_IN_DESELECT:
	case PN532_IN_RELEASE:
	case PN532_IN_SELECT:
		return in_target_op(chip, cmd, len, rsp, ret_len);
	case PN532_IN_LIST_PASSIVE_TARGET:
		return in_list_passive_target(chip, cmd, len, give_up, rsp,
					      ret_len, ret_wait_ms);
	case PN532_IN_AUTO_POLL:
		return in_auto_poll(chip, cmd, len, give_up, rsp, ret_len,
				    ret_wait_ms);
	}
	return PN532_SYNTAX_ERROR;
}
