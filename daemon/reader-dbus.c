// SPDX-License-Identifier: GPL-2.0-or-later
/* org.posreader1.Reader: properties, methods and signals of one reader. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bus-util.h"
#include "card-dict.h"
#include "channel.h"
#include "claim.h"
#include "dbus-errors.h"
#include "log.h"
#include "manager.h"
#include "reader-dbus.h"
#include "reader.h"
#include "terminal.h"
#include "wait.h"

/* ---- Checks shared by the card methods ------------------------------ */

/* The reader has not yet answered the challenge sent when it attached. */
static int refuse_unauthenticated(struct reader *r, sd_bus_error *error)
{
	return sd_bus_error_setf(error, PR_ERR_BUSY,
				 "Reader %s is being authenticated; try again "
				 "shortly.",
				 r->info.serial);
}

/*
 * The terminal is active and the caller holds the claim. The lock comes
 * first: a lock ends every claim, so while locked the answer is Locked
 * (with the reasons), not NotClaimed.
 */
static int check_card_service(struct reader *r, sd_bus_message *m,
			      sd_bus_error *error)
{
	if (!terminal_is_active(r->mgr->terminal))
		return terminal_refuse(r->mgr->terminal, error);
	if (r->auth_pending)
		return refuse_unauthenticated(r, error);
	return claim_check(r, m, error);
}

static int need_cap(struct reader *r, uint8_t cap, const char *what,
		    sd_bus_error *error)
{
	if (reader_has_cap(r, cap))
		return 0;
	return sd_bus_error_setf(error, PR_ERR_NOT_SUPPORTED,
				 "Reader %s has no %s.", r->info.serial, what);
}

/*
 * The ICC methods: a reader without a contact slot is NotSupported before
 * anything else, then as check_card_service().
 */
static int check_icc_service(struct reader *r, sd_bus_message *m,
			     sd_bus_error *error)
{
	int ret;

	ret = need_cap(r, PRW_CAP_ICC, "contact card slot", error);
	if (ret < 0)
		return ret;
	return check_card_service(r, m, error);
}

/* "icc" or "nfc" to PRW_SLOT_*, checking the reader has that slot. */
static int parse_slot(struct reader *r, const char *slot, uint8_t *ret_slot,
		      sd_bus_error *error)
{
	int ret;

	if (strcmp(slot, "icc") == 0) {
		ret = need_cap(r, PRW_CAP_ICC, "contact card slot", error);
		*ret_slot = PRW_SLOT_ICC;
	} else if (strcmp(slot, "nfc") == 0) {
		ret = need_cap(r, PRW_CAP_NFC, "contactless interface", error);
		*ret_slot = PRW_SLOT_NFC;
	} else {
		return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
					 "Unknown slot \"%.32s\"; use \"icc\" "
					 "or \"nfc\".",
					 slot);
	}
	return ret;
}

/* ---- Replies that arrive from the device ---------------------------- */

/* Reply to call with an error for a failed command; true if it failed. */
static bool reply_failure(sd_bus_message *call, int err,
			  const struct prw_frame *rsp)
{
	_cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;

	if (err < 0)
		pr_error_from_errno(&error, err);
	else if (rsp->status != PRW_ST_OK)
		pr_error_from_status(&error, rsp->status);
	else
		return false;
	sd_bus_reply_method_error(call, &error);
	return true;
}

/* Reply to call with one byte array (ay). */
static void reply_bytes(struct reader *r, sd_bus_message *call,
			const uint8_t *data, size_t len)
{
	_cleanup_bus_message_ sd_bus_message *reply = NULL;
	int ret;

	ret = sd_bus_message_new_method_return(call, &reply);
	if (ret >= 0)
		ret = sd_bus_message_append_array(reply, 'y', data, len);
	if (ret >= 0)
		ret = sd_bus_send(NULL, reply, NULL);
	if (ret < 0)
		log_warning_errno(ret, "reader %s: cannot reply", r->where);
}

static void power_on_done(struct reader *r, int err,
			  const struct prw_frame *rsp, void *userdata)
{
	_cleanup_bus_message_ sd_bus_message *call = userdata;
	struct prw_atr atr;

	if (reply_failure(call, err, rsp))
		return;
	if (prw_atr_decode(rsp->payload, rsp->len, &atr) < 0) {
		log_warning("reader %s: malformed ATR", r->where);
		sd_bus_reply_method_errorf(call, PR_ERR_DEVICE,
					   "The reader sent a malformed ATR.");
		return;
	}
	r->atr = atr;
	r->atr_valid = true;
	r->icc_powered = true;
	reply_bytes(r, call, atr.data, atr.len);
}

static void power_off_done(struct reader *r, int err,
			   const struct prw_frame *rsp, void *userdata)
{
	_cleanup_bus_message_ sd_bus_message *call = userdata;

	if (reply_failure(call, err, rsp))
		return;
	r->icc_powered = false;
	sd_bus_reply_method_return(call, NULL);
}

static void transmit_done(struct reader *r, int err,
			  const struct prw_frame *rsp, void *userdata)
{
	_cleanup_bus_message_ sd_bus_message *call = userdata;

	if (reply_failure(call, err, rsp))
		return;
	if (prw_rapdu_check(rsp->payload, rsp->len) < 0) {
		sd_bus_reply_method_errorf(call, PR_ERR_DEVICE,
					   "The reader sent a malformed "
					   "response APDU.");
		return;
	}
	reply_bytes(r, call, rsp->payload, rsp->len);
}

static void empty_done(struct reader *r, int err, const struct prw_frame *rsp,
		       void *userdata)
{
	_cleanup_bus_message_ sd_bus_message *call = userdata;

	if (reply_failure(call, err, rsp))
		return;
	sd_bus_reply_method_return(call, NULL);
}

/* Send a command whose answer done turns into the reply to m. */
static int start_command(struct reader *r, sd_bus_message *m, uint8_t type,
			 const uint8_t *payload, size_t len,
			 unsigned int timeout_ms, reader_cmd_done_t done,
			 sd_bus_error *error)
{
	int ret;

	ret = reader_command(r, type, payload, len, timeout_ms, done,
			     sd_bus_message_ref(m), NULL);
	if (ret < 0) {
		sd_bus_message_unref(m);
		return pr_error_from_errno(error, ret);
	}
	return 1;
}

/* ---- Methods -------------------------------------------------------- */

static int method_claim(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct reader *r = userdata;
	int ret;

	/* No claims while not active: a lock ends them all (reader.c). */
	if (!terminal_is_active(r->mgr->terminal))
		return terminal_refuse(r->mgr->terminal, error);
	if (r->auth_pending)
		return refuse_unauthenticated(r, error);
	ret = claim_take(r, m, error);
	if (ret < 0)
		return ret;
	return sd_bus_reply_method_return(m, NULL);
}

static int method_release(sd_bus_message *m, void *userdata,
			  sd_bus_error *error)
{
	int ret = claim_release(userdata, m, error);

	if (ret < 0)
		return ret;
	return sd_bus_reply_method_return(m, NULL);
}

static int method_wait_for_card(sd_bus_message *m, void *userdata,
				sd_bus_error *error)
{
	struct reader *r = userdata;
	unsigned int kinds = 0, k, caps = 0;
	const char *name;
	uint32_t timeout_ms;
	int ret;

	if (reader_has_cap(r, PRW_CAP_MAGSTRIPE))
		caps |= CARD_KIND_MAGSTRIPE;
	if (reader_has_cap(r, PRW_CAP_ICC))
		caps |= CARD_KIND_ICC;
	if (reader_has_cap(r, PRW_CAP_NFC))
		caps |= CARD_KIND_NFC;

	ret = sd_bus_message_enter_container(m, 'a', "s");
	if (ret < 0)
		return ret;
	while ((ret = sd_bus_message_read(m, "s", &name)) > 0) {
		k = card_kind_from_string(name);
		if (!k)
			return sd_bus_error_setf(
				error, PR_ERR_INVALID_ARGS,
				"Unknown card kind \"%.32s\"; use "
				"\"magstripe\", \"icc\" or \"nfc\".",
				name);
		if (!(caps & k))
			return sd_bus_error_setf(error, PR_ERR_NOT_SUPPORTED,
						 "Reader %s cannot read %s "
						 "cards.",
						 r->info.serial, name);
		kinds |= k;
	}
	if (ret < 0)
		return ret;
	ret = sd_bus_message_exit_container(m);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_read(m, "u", &timeout_ms);
	if (ret < 0)
		return ret;
	if (timeout_ms == 0 || timeout_ms > WAIT_MAX_MS)
		return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
					 "Timeout must be 1..%u ms.",
					 WAIT_MAX_MS);
	if (!kinds)
		kinds = caps;

	ret = check_card_service(r, m, error);
	if (ret < 0)
		return ret;
	return wait_start(r, m, kinds, timeout_ms, error);
}

static int method_icc_power_on(sd_bus_message *m, void *userdata,
			       sd_bus_error *error)
{
	struct reader *r = userdata;
	int ret;

	ret = check_icc_service(r, m, error);
	if (ret < 0)
		return ret;
	return start_command(r, m, PRW_CMD_ICC_POWER_ON, NULL, 0,
			     PRW_TIMEOUT_POWER_ON_MS, power_on_done, error);
}

static int method_icc_power_off(sd_bus_message *m, void *userdata,
				sd_bus_error *error)
{
	struct reader *r = userdata;
	int ret;

	ret = check_icc_service(r, m, error);
	if (ret < 0)
		return ret;
	return start_command(r, m, PRW_CMD_ICC_POWER_OFF, NULL, 0,
			     PRW_TIMEOUT_DEFAULT_MS, power_off_done, error);
}

static int method_transmit(sd_bus_message *m, void *userdata,
			   sd_bus_error *error)
{
	struct reader *r = userdata;
	uint8_t payload[PRW_MAX_PAYLOAD];
	const char *slot_name;
	const void *apdu;
	size_t apdu_len;
	uint8_t slot;
	int ret, n;

	ret = sd_bus_message_read(m, "s", &slot_name);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_read_array(m, 'y', &apdu, &apdu_len);
	if (ret < 0)
		return ret;
	ret = parse_slot(r, slot_name, &slot, error);
	if (ret < 0)
		return ret;
	if (apdu_len < PRW_APDU_MIN || apdu_len > PRW_APDU_MAX)
		return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
					 "A command APDU is %u..%u bytes, "
					 "not %zu.",
					 PRW_APDU_MIN, PRW_APDU_MAX, apdu_len);
	ret = check_card_service(r, m, error);
	if (ret < 0)
		return ret;

	n = prw_apdu_encode(payload, sizeof(payload), slot, apdu, apdu_len);
	if (n < 0)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"The APDU cannot be encoded.");
	ret = start_command(r, m, PRW_CMD_APDU, payload, n, PRW_TIMEOUT_APDU_MS,
			    transmit_done, error);
	explicit_bzero(payload, n);
	return ret;
}

static int method_acquire_channel(sd_bus_message *m, void *userdata,
				  sd_bus_error *error)
{
	struct reader *r = userdata;
	const char *slot_name;
	uint8_t slot;
	int ret, fd;

	ret = sd_bus_message_read(m, "s", &slot_name);
	if (ret < 0)
		return ret;
	ret = parse_slot(r, slot_name, &slot, error);
	if (ret < 0)
		return ret;
	ret = check_card_service(r, m, error);
	if (ret < 0)
		return ret;
	ret = channel_open(r, slot, &fd);
	if (ret == -EBUSY)
		return sd_bus_error_set(error, PR_ERR_BUSY,
					"A channel is already open on this "
					"reader.");
	if (ret < 0)
		return ret;
	ret = sd_bus_reply_method_return(m, "h", fd);
	close(fd);
	return ret;
}

static int parse_leds(sd_bus_message *m, uint8_t *ret_leds, sd_bus_error *error)
{
	static const char *const names[] = { "green", "amber", "red", "blue" };
	const char *name;
	uint8_t leds = 0;
	unsigned int i;
	int ret;

	ret = sd_bus_message_enter_container(m, 'v', "as");
	if (ret < 0)
		goto bad_type;
	ret = sd_bus_message_enter_container(m, 'a', "s");
	if (ret < 0)
		return ret;
	while ((ret = sd_bus_message_read(m, "s", &name)) > 0) {
		for (i = 0; i < 4; i++)
			if (strcmp(name, names[i]) == 0)
				break;
		if (i == 4)
			return sd_bus_error_setf(
				error, PR_ERR_INVALID_ARGS,
				"Unknown LED \"%.32s\"; use green, amber, "
				"red or blue.",
				name);
		leds |= 1u << i;
	}
	if (ret < 0)
		return ret;
	ret = sd_bus_message_exit_container(m);
	if (ret < 0)
		return ret;
	*ret_leds = leds;
	return sd_bus_message_exit_container(m);
bad_type:
	return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
				"\"leds\" must be an array of strings (as).");
}

/* One SetIndicators entry: "leds" (as) or "buzzer_ms" (u). */
static int read_indicator(sd_bus_message *m, const char *key, void *userdata,
			  sd_bus_error *error)
{
	struct prw_indicators *ind = userdata;
	uint32_t buzzer;
	int ret;

	if (strcmp(key, "leds") == 0)
		return parse_leds(m, &ind->leds, error);
	if (strcmp(key, "buzzer_ms") == 0) {
		ret = sd_bus_message_read(m, "v", "u", &buzzer);
		if (ret < 0)
			return sd_bus_error_set(
				error, PR_ERR_INVALID_ARGS,
				"\"buzzer_ms\" must be a uint32 (u).");
		if (buzzer > PRW_BUZZER_MAX_MS)
			return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
						 "\"buzzer_ms\" is at most %u.",
						 PRW_BUZZER_MAX_MS);
		ind->buzzer_ms = buzzer;
		return 0;
	}
	return sd_bus_error_setf(error, PR_ERR_INVALID_ARGS,
				 "Unknown indicator \"%.32s\"; use \"leds\" or "
				 "\"buzzer_ms\".",
				 key);
}

static int method_set_indicators(sd_bus_message *m, void *userdata,
				 sd_bus_error *error)
{
	struct reader *r = userdata;
	struct prw_indicators ind = { 0 };
	uint8_t payload[8];
	int ret, n;

	ret = bus_read_dict(m, read_indicator, &ind, error);
	if (ret < 0)
		return ret;

	ret = need_cap(r, PRW_CAP_INDICATORS, "indicators", error);
	if (ret < 0)
		return ret;
	/* While not active the daemon owns the indicators (reader.c). */
	if (!terminal_is_active(r->mgr->terminal))
		return terminal_refuse(r->mgr->terminal, error);
	ret = claim_check(r, m, error);
	if (ret < 0)
		return ret;
	n = prw_indicators_encode(payload, sizeof(payload), &ind);
	if (n < 0)
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"The indicators cannot be encoded.");
	return start_command(r, m, PRW_CMD_SET_INDICATORS, payload, n,
			     PRW_TIMEOUT_DEFAULT_MS, empty_done, error);
}

/* ---- Properties ----------------------------------------------------- */

static int prop_get(sd_bus *bus, const char *path, const char *interface,
		    const char *property, sd_bus_message *reply, void *userdata,
		    sd_bus_error *error)
{
	struct reader *r = userdata;
	char name[2 * PRW_STR_MAX + 2];

	if (strcmp(property, "Name") == 0) {
		snprintf(name, sizeof(name), "%s %s", r->info.vendor,
			 r->info.model);
		return sd_bus_message_append(reply, "s", name);
	}
	if (strcmp(property, "Serial") == 0)
		return sd_bus_message_append(reply, "s", r->info.serial);
	if (strcmp(property, "Firmware") == 0)
		return sd_bus_message_append(reply, "s", r->info.firmware);
	if (strcmp(property, "Transport") == 0)
		return sd_bus_message_append(reply, "s", r->tp->name);
	if (strcmp(property, "ClaimedBy") == 0)
		return sd_bus_message_append(
			reply, "s", r->claim_owner ? r->claim_owner : "");
	if (strcmp(property, "CardPresent") == 0)
		return sd_bus_message_append(
			reply, "b", (int)(r->icc_present || r->nfc_present));
	return -ENOENT;
}

static int prop_get_caps(sd_bus *bus, const char *path, const char *interface,
			 const char *property, sd_bus_message *reply,
			 void *userdata, sd_bus_error *error)
{
	struct reader *r = userdata;
	int ret;

	ret = sd_bus_message_open_container(reply, 'a', "s");
	if (ret < 0)
		return ret;
	if (reader_has_cap(r, PRW_CAP_MAGSTRIPE)) {
		ret = sd_bus_message_append(reply, "s", "magstripe");
		if (ret < 0)
			return ret;
	}
	if (reader_has_cap(r, PRW_CAP_ICC)) {
		ret = sd_bus_message_append(reply, "s", "icc");
		if (ret < 0)
			return ret;
	}
	if (reader_has_cap(r, PRW_CAP_NFC)) {
		ret = sd_bus_message_append(reply, "s", "nfc");
		if (ret < 0)
			return ret;
	}
	if (reader_has_cap(r, PRW_CAP_INDICATORS)) {
		ret = sd_bus_message_append(reply, "s", "indicators");
		if (ret < 0)
			return ret;
	}
	return sd_bus_message_close_container(reply);
}

const sd_bus_vtable reader_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", prop_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Serial", "s", prop_get, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Firmware", "s", prop_get, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Capabilities", "as", prop_get_caps, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Transport", "s", prop_get, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ClaimedBy", "s", prop_get, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("CardPresent", "b", prop_get, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD("Claim", "", "", method_claim,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Release", "", "", method_release,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES(
		"WaitForCard", "asu",
		SD_BUS_PARAM(kinds) SD_BUS_PARAM(timeout_ms), "sa{sv}",
		SD_BUS_PARAM(kind) SD_BUS_PARAM(card), method_wait_for_card,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("IccPowerOn", "", "", "ay", SD_BUS_PARAM(atr),
				 method_icc_power_on,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("IccPowerOff", "", "", method_icc_power_off,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Transmit", "say",
				 SD_BUS_PARAM(slot) SD_BUS_PARAM(apdu), "ay",
				 SD_BUS_PARAM(response), method_transmit,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("AcquireChannel", "s", SD_BUS_PARAM(slot), "h",
				 SD_BUS_PARAM(fd), method_acquire_channel,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES(
		"SetIndicators", "a{sv}", SD_BUS_PARAM(indicators), "", "",
		method_set_indicators, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("CardSwiped", "a{sv}", SD_BUS_PARAM(card), 0),
	SD_BUS_SIGNAL_WITH_NAMES("CardInserted", "ay", SD_BUS_PARAM(atr), 0),
	SD_BUS_SIGNAL("CardRemoved", "", 0),
	SD_BUS_SIGNAL_WITH_NAMES("TagDetected", "a{sv}", SD_BUS_PARAM(tag), 0),
	SD_BUS_SIGNAL("TagLost", "", 0),
	SD_BUS_SIGNAL("Tamper", "", 0),
	SD_BUS_VTABLE_END
};

/* ---- Signals -------------------------------------------------------- */

static int new_signal(struct reader *r, const char *member,
		      sd_bus_message **ret_m)
{
	if (!r->published)
		return -ENODEV;
	return sd_bus_message_new_signal(r->mgr->bus, ret_m, r->path,
					 PR_READER_IFACE, member);
}

static void send_signal(struct reader *r, sd_bus_message *m, int ret)
{
	if (ret >= 0)
		ret = sd_bus_send(NULL, m, NULL);
	if (ret < 0)
		log_warning_errno(ret, "reader %s: cannot emit a signal",
				  r->path);
}

void reader_dbus_emit_swipe(struct reader *r, const struct prw_swipe *sw)
{
	_cleanup_bus_message_ sd_bus_message *m = NULL;
	int ret;

	if (new_signal(r, "CardSwiped", &m) < 0)
		return;
	ret = card_dict_swipe(m, sw);
	send_signal(r, m, ret);
}

void reader_dbus_emit_inserted(struct reader *r)
{
	_cleanup_bus_message_ sd_bus_message *m = NULL;
	int ret;

	if (new_signal(r, "CardInserted", &m) < 0)
		return;
	ret = sd_bus_message_append_array(m, 'y', r->atr.data,
					  r->atr_valid ? r->atr.len : 0);
	send_signal(r, m, ret);
}

void reader_dbus_emit_tag(struct reader *r)
{
	_cleanup_bus_message_ sd_bus_message *m = NULL;
	int ret;

	if (new_signal(r, "TagDetected", &m) < 0)
		return;
	ret = card_dict_tag(m, &r->tag);
	send_signal(r, m, ret);
}

void reader_dbus_emit_plain(struct reader *r, const char *member)
{
	_cleanup_bus_message_ sd_bus_message *m = NULL;

	if (new_signal(r, member, &m) < 0)
		return;
	send_signal(r, m, 0);
}
