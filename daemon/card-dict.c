// SPDX-License-Identifier: GPL-2.0-or-later
/* Card dictionaries (a{sv}) for signals and WaitForCard replies. */
#include <errno.h>
#include <string.h>

#include "bus-util.h"
#include "card-dict.h"
#include "card-swipe.h"
#include "util.h"

/* Why a swipe gave no card, as the "error" entry says it. */
static const char *swipe_error_name(int err)
{
	switch (err) {
	case -ENODATA:
		return "no-pan";
	case -EBADMSG:
		return "tracks-disagree";
	default:
		return "malformed";
	}
}

static int append_track_states(sd_bus_message *m,
			       const struct card_swipe_info *info)
{
	int ret;

	ret = sd_bus_message_open_container(m, 'e', "sv");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append(m, "s", "tracks");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_open_container(m, 'v', "as");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_open_container(m, 'a', "s");
	if (ret < 0)
		return ret;
	for (int i = 0; i < PRW_TRACKS; i++) {
		ret = sd_bus_message_append(
			m, "s", card_track_state_name(info->track[i].state));
		if (ret < 0)
			return ret;
	}
	ret = sd_bus_message_close_container(m);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_close_container(m);
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(m);
}

int card_dict_swipe(sd_bus_message *m, const struct prw_swipe *sw)
{
	struct card_swipe_info info;
	int ret, err;

	ret = sd_bus_message_open_container(m, 'a', "{sv}");
	if (ret < 0)
		return ret;
	err = card_swipe_parse(sw, &info);
	if (err < 0) {
		ret = sd_bus_message_append(m, "{sv}", "error", "s",
					    swipe_error_name(err));
		goto close;
	}
	ret = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}", "pan", "s",
				    info.masked_pan, "last4", "s", info.last4,
				    "expiry", "s", info.expiry.yymm,
				    "service_code", "s", info.service_code,
				    "luhn_valid", "b", (int)info.luhn_valid);
	if (ret < 0)
		goto close;
	if (info.has_name) {
		ret = sd_bus_message_append(m, "{sv}", "name", "s", info.name);
		if (ret < 0)
			goto close;
	}
	ret = sd_bus_message_append(m, "{sv}", "pan_track", "y",
				    (uint8_t)info.pan_track);
	if (ret < 0)
		goto close;
	ret = append_track_states(m, &info);
close:
	secure_zero(&info, sizeof(info));
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(m);
}

int card_dict_tag(sd_bus_message *m, const struct prw_nfc_target *t)
{
	const char *proto = t->protocol == PRW_NFC_14443A ? "iso14443a" :
			    t->protocol == PRW_NFC_14443B ? "iso14443b" :
							    "unknown";
	int ret;

	ret = sd_bus_message_open_container(m, 'a', "{sv}");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append(m, "{sv}", "protocol", "s", proto);
	if (ret < 0)
		return ret;
	ret = bus_append_dict_bytes(m, "uid", t->uid, t->uid_len);
	if (ret < 0)
		return ret;
	if (t->protocol == PRW_NFC_14443A) {
		ret = sd_bus_message_append(
			m, "{sv}{sv}", "atqa", "q",
			(uint16_t)(t->atqa[0] | t->atqa[1] << 8), "sak", "y",
			t->sak);
		if (ret < 0)
			return ret;
	}
	ret = bus_append_dict_bytes(m, "ats", t->ats, t->ats_len);
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(m);
}

int card_dict_icc(sd_bus_message *m, const struct prw_atr *atr)
{
	int ret;

	ret = sd_bus_message_open_container(m, 'a', "{sv}");
	if (ret < 0)
		return ret;
	ret = bus_append_dict_bytes(m, "atr", atr->data, atr->len);
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(m);
}
