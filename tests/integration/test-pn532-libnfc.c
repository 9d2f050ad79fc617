// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnfc API against the emulated PN532: open the pn532_uart device on
 * the emulator's pty, select the ISO 14443-A card, exchange APDUs, and
 * see the card leave the field in the middle of a session.
 *
 * This is the call pattern posreaderd's libnfc backend follows:
 * nfc_init, nfc_open(connstring), nfc_initiator_init,
 * nfc_initiator_select_passive_target, nfc_initiator_transceive_bytes,
 * nfc_initiator_deselect_target, nfc_close, nfc_exit.
 *
 * usage: test-pn532-libnfc EMULATOR
 * The emulator's card carries no PAN or track data, so printing
 * status words and lengths is safe; response bodies are never printed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nfc/nfc.h>

#include "pn532-test.h"

#define RAPDU_MAX 264

static const uint8_t uid[] = { 0x08, 0x12, 0x34, 0x56 };
static const uint8_t visa_aid[] = { 0xa0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10 };

/* Send an APDU; return the response length (or a libnfc error). */
static int apdu(nfc_device *dev, const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	return nfc_initiator_transceive_bytes(dev, cmd, len, rsp, RAPDU_MAX,
					      1000);
}

static unsigned int sw(const uint8_t *rsp, int len)
{
	if (len < 2)
		return 0;
	return (unsigned int)rsp[len - 2] << 8 | rsp[len - 1];
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle,
		     size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static void run(nfc_device *dev)
{
	static const uint8_t select_ppse[] = { 0x00, 0xa4, 0x04, 0x00, 0x0e,
					       '2',  'P',  'A',	 'Y',  '.',
					       'S',  'Y',  'S',	 '.',  'D',
					       'D',  'F',  '0',	 '1',  0x00 };
	static const uint8_t select_app[] = { 0x00, 0xa4, 0x04, 0x00, 0x07,
					      0xa0, 0x00, 0x00, 0x00, 0x03,
					      0x10, 0x10, 0x00 };
	static const uint8_t get_atc[] = { 0x80, 0xca, 0x9f, 0x36, 0x00 };
	static const uint8_t unknown_ins[] = { 0x00, 0x12, 0x00, 0x00 };
	const nfc_modulation nm = { .nmt = NMT_ISO14443A, .nbr = NBR_106 };
	uint8_t rsp[RAPDU_MAX];
	nfc_target nt;
	int r;

	r = nfc_initiator_init(dev);
	CHECK(r == 0, "nfc_initiator_init (%d)", r);

	r = nfc_initiator_select_passive_target(dev, nm, NULL, 0, &nt);
	CHECK(r == 1, "select passive ISO14443A target (%d)", r);
	if (r != 1)
		return;
	CHECK(nt.nti.nai.szUidLen == sizeof(uid) &&
		      memcmp(nt.nti.nai.abtUid, uid, sizeof(uid)) == 0,
	      "target UID is the emulated card's");
	CHECK(nt.nti.nai.abtAtqa[0] == 0x00 && nt.nti.nai.abtAtqa[1] == 0x04,
	      "ATQA 00 04");
	CHECK(nt.nti.nai.btSak == 0x20, "SAK 20 (ISO 14443-4)");
	CHECK(nt.nti.nai.szAtsLen == 4, "ATS of 4 bytes after TL");

	/* Exchange 1: PPSE, whose FCI names the payment application. */
	r = apdu(dev, select_ppse, sizeof(select_ppse), rsp);
	CHECK(r > 2 && sw(rsp, r) == 0x9000, "SELECT PPSE -> 9000 (%d bytes)",
	      r);
	CHECK(r > 2 && rsp[0] == 0x6f &&
		      contains(rsp, (size_t)r, visa_aid, sizeof(visa_aid)),
	      "PPSE FCI lists the application's AID");

	/* Exchange 2: the application itself. */
	r = apdu(dev, select_app, sizeof(select_app), rsp);
	CHECK(r > 2 && sw(rsp, r) == 0x9000, "SELECT AID -> 9000");

	/* Exchange 3: GET DATA ATC. */
	r = apdu(dev, get_atc, sizeof(get_atc), rsp);
	CHECK(r == 7 && sw(rsp, r) == 0x9000 && rsp[0] == 0x9f &&
		      rsp[1] == 0x36,
	      "GET DATA ATC -> 9F36 .. 9000");

	/* Exchange 4: an instruction the card does not know. */
	r = apdu(dev, unknown_ins, sizeof(unknown_ins), rsp);
	CHECK(r == 2 && sw(rsp, r) == 0x6d00, "unknown INS -> 6D00");

	/* Exchange 5: the card left the field after four (--remove-after). */
	r = apdu(dev, get_atc, sizeof(get_atc), rsp);
	CHECK(r == NFC_ERFTRANS,
	      "APDU after card removal fails with "
	      "NFC_ERFTRANS (%d: %s)",
	      r, nfc_strerror(dev));

	r = nfc_initiator_select_passive_target(dev, nm, NULL, 0, &nt);
	CHECK(r <= 0, "no target selectable once the card has left (%d)", r);
}

int main(int argc, char **argv)
{
	/* libnfc reads a connstring as a whole nfc_connstring array. */
	nfc_connstring conn;
	nfc_context *ctx = NULL;
	struct pn532_emu emu;
	nfc_device *dev;
	int ret;

	ret = pn532_test_begin(argc, argv);
	if (ret >= 0)
		return ret;
	if (pn532_emu_start(&emu, argv[1], "/tmp/test-pn532-XXXXXX",
			    "--remove-after=4", NULL) < 0)
		return 1;
	snprintf(conn, sizeof(conn), "pn532_uart:%s", emu.pty);

	nfc_init(&ctx);
	CHECK(ctx != NULL, "nfc_init");
	if (!ctx)
		goto out;
	dev = nfc_open(ctx, conn);
	CHECK(dev != NULL, "nfc_open(%s)", conn);
	if (dev) {
		CHECK(strstr(nfc_device_get_name(dev), "pn532_uart") != NULL,
		      "device name '%s'", nfc_device_get_name(dev));
		run(dev);
		nfc_close(dev);
	}
	nfc_exit(ctx);

out:
	/* The emulator must have survived all of it. */
	return pn532_test_end(&emu, argv[0]);
}
