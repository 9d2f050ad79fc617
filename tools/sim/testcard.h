/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's test card: public test data only (the well-known Visa
 * test PAN), shared by the magnetic stripe and the card application so a
 * swipe and a chip read tell the same story.
 */
#ifndef POSREADER_SIM_TESTCARD_H
#define POSREADER_SIM_TESTCARD_H

#define TESTCARD_PAN	      "4111111111111111"
#define TESTCARD_EXPIRY	      "2912" /* YYMM */
#define TESTCARD_EXPIRY_DAY   "31"   /* last day of the month */
#define TESTCARD_SERVICE_CODE "101"
#define TESTCARD_NAME	      "TEST/CARDHOLDER"
#define TESTCARD_LABEL	      "VISA CREDIT"
#define TESTCARD_PIN	      "1234"
#define TESTCARD_PIN_TRIES    3

/* ISO/IEC 7813 tracks, sentinels included. */
#define TESTCARD_TRACK1                     \
	"%B" TESTCARD_PAN "^" TESTCARD_NAME \
	"^" TESTCARD_EXPIRY TESTCARD_SERVICE_CODE "0000000000000?"
#define TESTCARD_TRACK2 \
	";" TESTCARD_PAN "=" TESTCARD_EXPIRY TESTCARD_SERVICE_CODE "0000000000?"

/* Payment application identifier (Visa credit/debit RID + PIX). */
#define TESTCARD_AID	 "\xa0\x00\x00\x00\x03\x10\x10"
#define TESTCARD_AID_LEN 7

#endif /* POSREADER_SIM_TESTCARD_H */
