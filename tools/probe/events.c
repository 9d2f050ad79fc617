// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "card-swipe.h"
#include "events.h"

static const char *const event_names[] = {
	[PRW_EVT_SWIPE - PRW_EVT_FIRST] = "swipe",
	[PRW_EVT_ICC_INSERTED - PRW_EVT_FIRST] = "icc-inserted",
	[PRW_EVT_ICC_REMOVED - PRW_EVT_FIRST] = "icc-removed",
	[PRW_EVT_NFC_PRESENT - PRW_EVT_FIRST] = "nfc-present",
	[PRW_EVT_NFC_GONE - PRW_EVT_FIRST] = "nfc-gone",
	[PRW_EVT_TAMPER - PRW_EVT_FIRST] = "tamper",
	[PRW_EVT_ERROR - PRW_EVT_FIRST] = "error",
};

const char *probe_event_name(u8 type)
{
	if (type < PRW_EVT_FIRST || type > PRW_EVT_LAST)
		return "unknown";
	return event_names[type - PRW_EVT_FIRST];
}

void probe_print_tamper(FILE *f, u8 cause)
{
	static const char *const names[] = { "case-open", "mesh", "voltage",
					     "temperature", "firmware" };
	bool any = false;
	size_t i;

	for (i = 0; i < ELEMENTSOF(names); i++) {
		if (cause & (1u << i)) {
			fprintf(f, "%s%s", any ? "," : "", names[i]);
			any = true;
		}
	}
	if (cause & ~0x1f)
		fprintf(f, "%sunknown-0x%02x", any ? "," : "", cause & ~0x1f);
	else if (!any)
		fprintf(f, "none");
}

static const char *track_status_name(u8 status)
{
	switch (status) {
	case PRW_TRACK_OK:
		return "ok";
	case PRW_TRACK_EMPTY:
		return "empty";
	default:
		return "unreadable";
	}
}

static int print_swipe(FILE *f, const struct prw_frame *ev)
{
	struct prw_swipe *sw;
	struct card_swipe_info info;
	int i, r;

	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	r = prw_swipe_decode(ev->payload, ev->len, sw);
	if (r < 0) {
		fprintf(f, " malformed payload: %s", prw_strerror(r));
		r = -EBADMSG;
		goto out;
	}
	r = card_swipe_parse(sw, &info);
	if (r < 0) {
		fprintf(f, " unusable: %s",
			r == -ENODATA ? "no usable PAN on tracks 1 and 2" :
			r == -EBADMSG ? "tracks 1 and 2 disagree" :
					"malformed tracks");
		for (i = 0; i < PRW_TRACKS; i++)
			fprintf(f, " track%d=%s", i + 1,
				track_status_name(sw->track[i].status));
		r = 0;
		goto out;
	}
	fprintf(f, " pan=%s expiry=%s service-code=%s", info.masked_pan,
		info.expiry.yymm, info.service_code);
	if (info.has_name)
		fprintf(f, " name=\"%s\"", info.name);
	if (!info.luhn_valid)
		fprintf(f, " luhn=bad");
	for (i = 0; i < PRW_TRACKS; i++) {
		fprintf(f, " track%d=%s", i + 1,
			card_track_state_name(info.track[i].state));
		if (info.track[i].state == CARD_TRACK_INVALID)
			fprintf(f, "(%s)", track_strerror(info.track[i].error));
	}
	secure_zero(&info, sizeof(info));
out:
	secure_zero(sw, sizeof(*sw));
	free(sw);
	return r;
}

static int print_nfc_present(FILE *f, const struct prw_frame *ev)
{
	struct prw_nfc_target t;
	int i, r;

	r = prw_nfc_target_decode(ev->payload, ev->len, &t);
	if (r < 0) {
		fprintf(f, " malformed payload: %s", prw_strerror(r));
		return -EBADMSG;
	}
	fprintf(f, " uid=");
	for (i = 0; i < t.uid_len; i++)
		fprintf(f, "%02X", t.uid[i]);
	return 0;
}

static int print_tamper_event(FILE *f, const struct prw_frame *ev)
{
	struct prw_tamper t;
	int r;

	r = prw_tamper_decode(ev->payload, ev->len, &t);
	if (r < 0) {
		fprintf(f, " malformed payload: %s", prw_strerror(r));
		return -EBADMSG;
	}
	fprintf(f, " cause=");
	probe_print_tamper(f, t.cause);
	return 0;
}

static int print_error_event(FILE *f, const struct prw_frame *ev)
{
	struct prw_dev_error e;
	int r;

	r = prw_dev_error_decode(ev->payload, ev->len, &e);
	if (r < 0) {
		fprintf(f, " malformed payload: %s", prw_strerror(r));
		return -EBADMSG;
	}
	fprintf(f, " code=%u detail=%u", e.code, e.detail);
	if (e.code == PRW_DEVERR_PROTOCOL)
		fprintf(f, " (device got a bad frame: %s)",
			prw_strerror(-(int)e.detail));
	return 0;
}

int probe_print_event(FILE *f, const struct prw_frame *ev)
{
	int r = 0;

	fprintf(f, "event %u: %s", ev->seq, probe_event_name(ev->type));
	switch (ev->type) {
	case PRW_EVT_SWIPE:
		r = print_swipe(f, ev);
		break;
	case PRW_EVT_NFC_PRESENT:
		r = print_nfc_present(f, ev);
		break;
	case PRW_EVT_TAMPER:
		r = print_tamper_event(f, ev);
		break;
	case PRW_EVT_ERROR:
		r = print_error_event(f, ev);
		break;
	default:
		break;
	}
	if (ev->flags & PRW_FLAG_EVT_LOST)
		fprintf(f, " (events were lost before this one)");
	fprintf(f, "\n");
	return r == -EBADMSG ? r : 0;
}
