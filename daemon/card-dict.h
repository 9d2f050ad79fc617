/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The a{sv} card dictionaries of CardSwiped, TagDetected and WaitForCard.
 * A swipe is reduced to its masked fields here; clear track data never
 * goes into a message.
 */
#ifndef POSREADERD_CARD_DICT_H
#define POSREADERD_CARD_DICT_H

#include <systemd/sd-bus.h>

#include <posreader/wire.h>

/* Append the masked swipe dictionary (pan, expiry, ...) to m. */
int card_dict_swipe(sd_bus_message *m, const struct prw_swipe *sw);

/* Append an NFC target dictionary (protocol, uid, atqa, sak, ats). */
int card_dict_tag(sd_bus_message *m, const struct prw_nfc_target *t);

/* Append an ICC dictionary (atr). */
int card_dict_icc(sd_bus_message *m, const struct prw_atr *atr);

#endif /* POSREADERD_CARD_DICT_H */
