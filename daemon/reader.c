// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader core: probing, the command queue with its timeouts, and the
 * device's events turned into card state, signals and answered waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card-dict.h"
#include "channel.h"
#include "claim.h"
#include "engine.h"
#include "log.h"
#include "manager.h"
#include "reader-dbus.h"
#include "reader.h"
#include "terminal.h"
#include "wait.h"

struct reader_cmd {
	struct reader_cmd *next;
	struct reader *reader;
	uint8_t type;
	uint8_t seq;
	unsigned int timeout_ms;
	reader_cmd_done_t done;
	void *userdata;
	size_t len;
	uint8_t payload[];
};

static void queue_next(struct reader *r);
static void attach_finish(struct reader *r);
static void atr_read(struct reader *r, bool announce);

bool reader_has_cap(const struct reader *r, uint8_t cap)
{
	return (r->info.caps & cap) != 0;
}

void reader_emit_changed(struct reader *r, const char *property)
{
	if (!r->published)
		return;
	sd_bus_emit_properties_changed(r->mgr->bus, r->path, PR_READER_IFACE,
				       property, NULL);
}

static void cmd_finish(struct reader *r, struct reader_cmd *cmd, int err,
		       const struct prw_frame *rsp)
{
	if (cmd->done)
		cmd->done(r, err, rsp, cmd->userdata);
	free(cmd);
}

static int cmd_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct reader *r = userdata;
	struct reader_cmd *cmd = r->inflight;

	if (!cmd)
		return 0;
	log_warning("reader %s: no answer to command 0x%02x within %u ms",
		    r->where, cmd->type, cmd->timeout_ms);
	r->inflight = NULL;
	cmd_finish(r, cmd, -ETIMEDOUT, NULL);
	queue_next(r);
	return 0;
}

/* Put cmd on the wire; negative errno if the transport refused it. */
static int cmd_send(struct reader *r, struct reader_cmd *cmd)
{
	uint8_t frame[PRW_MAX_FRAME];
	int n, ret;

	cmd->seq = r->seq++;
	n = prw_frame_encode(frame, sizeof(frame), cmd->type, cmd->seq, 0, 0,
			     cmd->len ? cmd->payload : NULL, cmd->len);
	if (n < 0)
		return -EINVAL;
	ret = r->tp->send(r->tp_priv, frame, n);
	explicit_bzero(frame, n);
	if (ret < 0)
		return ret;

	if (!r->cmd_timer) {
		ret = sd_event_add_time_relative(
			r->mgr->event, &r->cmd_timer, CLOCK_MONOTONIC,
			(uint64_t)cmd->timeout_ms * 1000, 1000, cmd_timeout, r);
		if (ret < 0)
			return ret;
	} else {
		ret = sd_event_source_set_time_relative(
			r->cmd_timer, (uint64_t)cmd->timeout_ms * 1000);
		if (ret < 0)
			return ret;
	}
	ret = sd_event_source_set_enabled(r->cmd_timer, SD_EVENT_ONESHOT);
	if (ret < 0)
		return ret;
	r->inflight = cmd;
	return 0;
}

static void queue_next(struct reader *r)
{
	struct reader_cmd *cmd;
	int ret;

	while (!r->inflight && r->queue_head && !r->dead) {
		cmd = r->queue_head;
		r->queue_head = cmd->next;
		if (!r->queue_head)
			r->queue_tail = NULL;
		cmd->next = NULL;
		r->queue_len--;
		ret = cmd_send(r, cmd);
		if (ret < 0) {
			log_warning_errno(ret, "reader %s: sending failed",
					  r->where);
			cmd_finish(r, cmd, ret, NULL);
		}
	}
}

int reader_command(struct reader *r, uint8_t type, const uint8_t *payload,
		   size_t len, unsigned int timeout_ms, reader_cmd_done_t done,
		   void *userdata, struct reader_cmd **ret_cmd)
{
	struct reader_cmd *cmd;
	int ret;

	if (r->dead)
		return -ENODEV;
	if (len > PRW_MAX_PAYLOAD)
		return -EINVAL;
	/* A client pouring in calls gets Busy, not unbounded memory. */
	if (r->queue_len >= READER_QUEUE_MAX)
		return -ENOBUFS;
	cmd = calloc(1, sizeof(*cmd) + len);
	if (!cmd)
		return -ENOMEM;
	cmd->reader = r;
	cmd->type = type;
	cmd->timeout_ms = timeout_ms;
	cmd->done = done;
	cmd->userdata = userdata;
	cmd->len = len;
	if (len)
		memcpy(cmd->payload, payload, len);

	if (!r->inflight && !r->queue_head) {
		/* Idle: send now, and report a refusal to the caller. */
		ret = cmd_send(r, cmd);
		if (ret < 0) {
			free(cmd);
			return ret;
		}
	} else {
		if (r->queue_tail)
			r->queue_tail->next = cmd;
		else
			r->queue_head = cmd;
		r->queue_tail = cmd;
		r->queue_len++;
	}
	if (ret_cmd)
		*ret_cmd = cmd;
	return 0;
}

void reader_cmd_cancel(struct reader_cmd *cmd)
{
	if (cmd)
		cmd->done = NULL;
}

static void fail_commands(struct reader *r, int err)
{
	struct reader_cmd *cmd;

	if (r->cmd_timer)
		sd_event_source_set_enabled(r->cmd_timer, SD_EVENT_OFF);
	cmd = r->inflight;
	r->inflight = NULL;
	if (cmd)
		cmd_finish(r, cmd, err, NULL);
	while ((cmd = r->queue_head)) {
		r->queue_head = cmd->next;
		cmd_finish(r, cmd, err, NULL);
	}
	r->queue_tail = NULL;
	r->queue_len = 0;
}

/* ---- Card events ---------------------------------------------------- */

static int fill_swipe(sd_bus_message *m, void *data)
{
	return card_dict_swipe(m, data);
}

static int fill_icc(sd_bus_message *m, void *data)
{
	struct reader *r = data;
	struct prw_atr none = { 0 };

	return card_dict_icc(m, r->atr_valid ? &r->atr : &none);
}

static int fill_tag(sd_bus_message *m, void *data)
{
	struct reader *r = data;

	return card_dict_tag(m, &r->tag);
}

static void card_present_changed(struct reader *r, bool was)
{
	if (was != (r->icc_present || r->nfc_present))
		reader_emit_changed(r, "CardPresent");
}

/* Power-on answer of the ATR read that follows an insertion. */
static void atr_read_done(struct reader *r, int err,
			  const struct prw_frame *rsp, void *userdata)
{
	bool announce = userdata != NULL;

	if (err == 0 && rsp->status == PRW_ST_OK &&
	    prw_atr_decode(rsp->payload, rsp->len, &r->atr) == 0) {
		r->atr_valid = true;
		r->icc_powered = true;
	} else if (err != -ENODEV) {
		log_warning("reader %s: could not read the inserted card's "
			    "ATR (%s)",
			    r->where,
			    err ? strerror(-err) :
				  prw_status_name(rsp->status));
	}
	if (!r->icc_present || r->dead)
		return;
	if (announce)
		reader_dbus_emit_inserted(r);
	if (terminal_is_active(r->mgr->terminal) && !r->auth_pending)
		wait_card_arrived(r, CARD_KIND_ICC, fill_icc, r);
}

/* Read the ATR of a card in the slot; announce it as inserted if asked. */
static void atr_read(struct reader *r, bool announce)
{
	int ret;

	ret = reader_command(r, PRW_CMD_ICC_POWER_ON, NULL, 0,
			     PRW_TIMEOUT_POWER_ON_MS, atr_read_done,
			     announce ? r : NULL, NULL);
	if (ret < 0)
		log_warning_errno(ret, "reader %s: cannot read the ATR",
				  r->where);
}

static void handle_swipe(struct reader *r, const struct prw_frame *f)
{
	struct prw_swipe sw;

	if (prw_swipe_decode(f->payload, f->len, &sw) < 0) {
		log_warning("reader %s: malformed swipe event dropped",
			    r->where);
		return;
	}
	if (r->auth_pending) {
		log_notice("reader %s: swipe dropped: reader not yet "
			   "authenticated",
			   r->where);
	} else if (!terminal_is_active(r->mgr->terminal)) {
		log_notice("reader %s: swipe dropped: terminal is locked",
			   r->where);
	} else {
		reader_dbus_emit_swipe(r, &sw);
		wait_card_arrived(r, CARD_KIND_MAGSTRIPE, fill_swipe, &sw);
	}
	explicit_bzero(&sw, sizeof(sw));
}

static void handle_event(struct reader *r, const struct prw_frame *f)
{
	bool was_present = r->icc_present || r->nfc_present;
	bool active = terminal_is_active(r->mgr->terminal) && !r->auth_pending;
	struct prw_tamper tamper;
	struct prw_dev_error deverr;

	if (f->flags & PRW_FLAG_EVT_LOST)
		log_warning("reader %s: the device lost events", r->where);

	switch (f->type) {
	case PRW_EVT_SWIPE:
		handle_swipe(r, f);
		break;
	case PRW_EVT_ICC_INSERTED:
		r->icc_present = true;
		r->icc_powered = false;
		r->atr_valid = false;
		card_present_changed(r, was_present);
		if (active)
			atr_read(r, true);
		else
			reader_dbus_emit_inserted(r);
		break;
	case PRW_EVT_ICC_REMOVED:
		r->icc_present = false;
		r->icc_powered = false;
		r->atr_valid = false;
		card_present_changed(r, was_present);
		reader_dbus_emit_plain(r, "CardRemoved");
		break;
	case PRW_EVT_NFC_PRESENT:
		if (prw_nfc_target_decode(f->payload, f->len, &r->tag) < 0) {
			log_warning("reader %s: malformed NFC event dropped",
				    r->where);
			break;
		}
		r->nfc_present = true;
		card_present_changed(r, was_present);
		if (active) {
			reader_dbus_emit_tag(r);
			wait_card_arrived(r, CARD_KIND_NFC, fill_tag, r);
		}
		break;
	case PRW_EVT_NFC_GONE:
		r->nfc_present = false;
		memset(&r->tag, 0, sizeof(r->tag));
		card_present_changed(r, was_present);
		reader_dbus_emit_plain(r, "TagLost");
		break;
	case PRW_EVT_TAMPER:
		if (prw_tamper_decode(f->payload, f->len, &tamper) < 0)
			tamper.cause = 0;
		log_warning("reader %s: TAMPER reported (cause 0x%02x)",
			    r->where, tamper.cause);
		reader_dbus_emit_plain(r, "Tamper");
		terminal_report_tamper(r->mgr->terminal, r->info.serial,
				       tamper.cause);
		break;
	case PRW_EVT_ERROR:
		if (prw_dev_error_decode(f->payload, f->len, &deverr) == 0)
			log_warning("reader %s: device error %u (detail %u)",
				    r->where, deverr.code, deverr.detail);
		else
			log_warning("reader %s: malformed error event",
				    r->where);
		break;
	default:
		break;
	}
}

void reader_input(struct reader *r, const uint8_t *buf, size_t n)
{
	struct reader_cmd *cmd = r->inflight;
	struct prw_frame f;
	int ret;

	if (r->dead)
		return;
	ret = prw_frame_decode(buf, n, &f);
	if (ret < 0) {
		/* A device spewing garbage must not flood the log: say so
		 * at the 1st, 2nd, 4th, 8th ... bad frame. */
		r->bad_frames++;
		if ((r->bad_frames & (r->bad_frames - 1)) == 0)
			log_warning("reader %s: dropped a bad frame (%s); %lu "
				    "so far",
				    r->where, prw_strerror(ret), r->bad_frames);
		return;
	}
	if (prw_type_is_event(f.type)) {
		handle_event(r, &f);
		return;
	}
	if (!prw_type_is_response(f.type)) {
		log_warning("reader %s: dropped a frame of type 0x%02x",
			    r->where, f.type);
		return;
	}
	if (!cmd || f.type != prw_response_type(cmd->type) ||
	    f.seq != cmd->seq) {
		log_debug("reader %s: dropped a stale response", r->where);
		return;
	}
	sd_event_source_set_enabled(r->cmd_timer, SD_EVENT_OFF);
	r->inflight = NULL;
	cmd_finish(r, cmd, 0, &f);
	queue_next(r);
}

/* ---- Authentication ------------------------------------------------- */

struct auth_req {
	reader_auth_done_t done;
	void *userdata;
	uint8_t challenge[PRW_AUTH_CHALLENGE_LEN];
};

static void auth_done(struct reader *r, int err, const struct prw_frame *rsp,
		      void *userdata)
{
	struct auth_req *a = userdata;
	const uint8_t *answer = NULL;

	if (err == 0) {
		if (rsp->status == PRW_ST_OK &&
		    rsp->len == PRW_AUTH_RESPONSE_LEN)
			answer = rsp->payload;
		else
			err = -EPROTO;
	}
	a->done(r, err, a->challenge, answer, a->userdata);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

int reader_authenticate(struct reader *r, reader_auth_done_t done,
			void *userdata)
{
	struct auth_req *a;
	int ret;

	if (!reader_has_cap(r, PRW_CAP_AUTH))
		return -EOPNOTSUPP;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->done = done;
	a->userdata = userdata;
	ret = engine_auth_challenge(a->challenge);
	if (ret >= 0)
		ret = reader_command(r, PRW_CMD_AUTH, a->challenge,
				     sizeof(a->challenge), PRW_TIMEOUT_AUTH_MS,
				     auth_done, a, NULL);
	if (ret < 0)
		free(a);
	return ret;
}

/* A published reader has been judged: serve it again. */
static void auth_resume(struct reader *r)
{
	/* A card inserted while it was being judged was not read. */
	if (r->icc_present && !r->atr_valid &&
	    terminal_is_active(r->mgr->terminal))
		atr_read(r, false);
}

/* The answer to the AUTH sent to judge the reader (attach or recheck). */
static void judge_auth_done(struct reader *r, int err, const uint8_t *challenge,
			    const uint8_t *response, void *userdata)
{
	struct terminal *t = r->mgr->terminal;

	r->auth_pending = false;
	if (err == -ENODEV || r->dead)
		return;
	if (err < 0)
		log_warning("reader %s: no valid answer to the authentication "
			    "challenge (%s)",
			    r->where, strerror(-err));
	/* What it was judged against; taken first, as the verdict's own
	 * change to the reasons is not a reason to judge it again. */
	if (r->published)
		terminal_reader_auth_basis(t, r->info.serial, &r->auth_basis);
	terminal_check_reader_auth(t, r->info.serial, challenge, response);
	if (r->dead)
		return;
	if (r->published)
		auth_resume(r);
	else
		attach_finish(r);
}

/*
 * On a provisioned terminal a reader must prove its pairing key before it
 * goes on the bus, and again whenever that key may have changed. Not
 * genuine: a paired reader that cannot answer AUTH, and an unpaired
 * reader that could. A reader without AUTH that nobody paired (a libnfc
 * reader) cannot be checked and is taken as it is. 1 if AUTH went out
 * (judge_auth_done() finishes), else 0.
 */
static int judge_auth(struct reader *r)
{
	struct terminal *t = r->mgr->terminal;
	bool can_auth = reader_has_cap(r, PRW_CAP_AUTH);
	int ret;

	ret = terminal_reader_paired(t, r->info.serial, can_auth);
	if (ret == -ENODEV || ret == -EAGAIN)
		return 0; /* no engine (already blocked), or not provisioned */
	if (ret < 0) {
		/* Fail closed: unjudged is not genuine. */
		terminal_reader_authenticated(t, r->info.serial, false,
					      "its pairing cannot be read");
		return 0;
	}
	if (ret == 0 && !can_auth) {
		log_notice("reader %s: serial %s cannot authenticate and is "
			   "not paired: not checked",
			   r->where, r->info.serial);
		return 0;
	}
	if (ret == 0) {
		log_warning("reader %s: serial %s is not paired with this "
			    "terminal",
			    r->where, r->info.serial);
		terminal_reader_authenticated(t, r->info.serial, false,
					      "the reader is not paired with "
					      "this terminal");
		return 0;
	}
	ret = reader_authenticate(r, judge_auth_done, NULL);
	if (ret >= 0) {
		r->auth_pending = true;
		return 1;
	}
	if (ret == -EOPNOTSUPP)
		terminal_reader_authenticated(t, r->info.serial, false,
					      "the reader is paired but does "
					      "not support authentication");
	else
		terminal_reader_authenticated(t, r->info.serial, false,
					      "the authentication challenge "
					      "could not be sent");
	return 0;
}

void reader_recheck_auth(struct reader *r)
{
	r->auth_recheck = false;
	if (r->dead || !r->published)
		return;
	r->auth_pending = true;
	if (judge_auth(r) == 1)
		return;
	/* Judged at once, without a challenge. */
	terminal_reader_auth_basis(r->mgr->terminal, r->info.serial,
				   &r->auth_basis);
	r->auth_pending = false;
	auth_resume(r);
}

/* ---- Indicators ----------------------------------------------------- */

static void indicators_done(struct reader *r, int err,
			    const struct prw_frame *rsp, void *userdata)
{
	if (err == -ENODEV)
		return;
	if (err < 0 || rsp->status != PRW_ST_OK)
		log_warning("reader %s: cannot show the terminal's state on "
			    "the indicators (%s)",
			    r->where,
			    err ? strerror(-err) :
				  prw_status_name(rsp->status));
}

/*
 * While the terminal is not active the daemon owns the indicators and
 * shows it out of service: red on, the others off, no buzzer. Once it is
 * active again, everything off: the idle state applications start from.
 */
static void show_service_state(struct reader *r, bool active)
{
	struct prw_indicators ind = { .leds = active ? 0 : PRW_LED_RED };
	uint8_t payload[8];
	int n, ret;

	if (!reader_has_cap(r, PRW_CAP_INDICATORS))
		return;
	n = prw_indicators_encode(payload, sizeof(payload), &ind);
	ret = n < 0 ? -EINVAL :
		      reader_command(r, PRW_CMD_SET_INDICATORS, payload,
				     (size_t)n, PRW_TIMEOUT_DEFAULT_MS,
				     indicators_done, NULL, NULL);
	if (ret < 0)
		log_warning_errno(ret,
				  "reader %s: cannot show the terminal's "
				  "state on the indicators",
				  r->where);
}

/* ---- Lifecycle ------------------------------------------------------ */

void reader_lock_changed(struct reader *r, bool active)
{
	char why[64];

	if (r->dead || !r->published)
		return;
	show_service_state(r, active);
	if (active) {
		/* A card inserted while locked was not read: read it now. */
		if (r->icc_present && !r->atr_valid && !r->auth_pending)
			atr_read(r, false);
		return;
	}
	/* Pending waits fail with Locked, channels close, the claim ends. */
	wait_fail_all(r, -EACCES);
	channel_close(r);
	snprintf(why, sizeof(why), "the terminal is %s",
		 terminal_state(r->mgr->terminal));
	claim_end(r, why);
}

/* Answer of the poll that fetches a target already in the field. */
static void tag_read_done(struct reader *r, int err,
			  const struct prw_frame *rsp, void *userdata)
{
	bool was_present = r->icc_present || r->nfc_present;

	if (err < 0 || rsp->status != PRW_ST_OK || r->dead ||
	    prw_nfc_target_decode(rsp->payload, rsp->len, &r->tag) < 0)
		return;
	r->nfc_present = true;
	card_present_changed(r, was_present);
}

/* The device says a target is in the field: ask which. */
static void tag_read(struct reader *r)
{
	struct prw_nfc_poll poll = { .timeout_ms = 100 };
	uint8_t payload[8];
	int n;

	n = prw_nfc_poll_encode(payload, sizeof(payload), &poll);
	if (n < 0 || reader_command(r, PRW_CMD_NFC_POLL, payload, n,
				    poll.timeout_ms + PRW_NFC_POLL_SLACK_MS,
				    tag_read_done, NULL, NULL) < 0)
		log_warning("reader %s: cannot read the target in the field",
			    r->where);
}

/* Go on the bus and act on what the status query found. */
static void attach_finish(struct reader *r)
{
	int ret;

	ret = manager_publish_reader(r->mgr, r);
	if (ret < 0) {
		reader_lost(r, ret);
		return;
	}
	log_info("reader %s: %s %s, serial %s, firmware %s, on %s", r->path,
		 r->info.vendor, r->info.model, r->info.serial,
		 r->info.firmware, r->where);
	/* Judged just now: later changes to its key are measured from here. */
	terminal_reader_auth_basis(r->mgr->terminal, r->info.serial,
				   &r->auth_basis);
	if (!terminal_is_active(r->mgr->terminal))
		show_service_state(r, false);
	/* Tampered while nobody listened: the same as the event. */
	if (r->probe_tamper) {
		log_warning("reader %s: reports tamper (status 0x%02x)",
			    r->where, r->probe_tamper);
		terminal_report_tamper(r->mgr->terminal, r->info.serial,
				       r->probe_tamper);
	}
	if (r->icc_present && terminal_is_active(r->mgr->terminal))
		atr_read(r, false);
	if (r->probe_nfc)
		tag_read(r);
}

static void probe_status_done(struct reader *r, int err,
			      const struct prw_frame *rsp, void *userdata)
{
	struct prw_status_info st;

	if (r->dead)
		return;
	if (err == 0 && rsp->status == PRW_ST_OK &&
	    prw_status_info_decode(rsp->payload, rsp->len, &st) == 0) {
		r->icc_present = st.state & PRW_STATE_ICC_PRESENT;
		r->icc_powered = st.state & PRW_STATE_ICC_POWERED;
		r->probe_nfc = st.state & PRW_STATE_NFC_PRESENT;
		if (st.state & PRW_STATE_TAMPERED)
			r->probe_tamper = st.tamper ? st.tamper : 0xff;
	} else {
		log_warning("reader %s: status query failed; assuming no "
			    "card",
			    r->where);
	}
	/* A paired reader goes on the bus once it answered the challenge. */
	if (judge_auth(r) == 0)
		attach_finish(r);
}

static void probe_info_done(struct reader *r, int err,
			    const struct prw_frame *rsp, void *userdata)
{
	int ret;

	if (r->dead)
		return;
	if (err < 0) {
		log_error_errno(err, "reader %s: no device information",
				r->where);
		goto fail;
	}
	if (rsp->status != PRW_ST_OK ||
	    prw_info_decode(rsp->payload, rsp->len, &r->info) < 0) {
		log_error("reader %s: bad device information (%s)", r->where,
			  prw_status_name(rsp->status));
		err = -EPROTO;
		goto fail;
	}
	if (r->info.proto_version != PRW_PROTO_VERSION) {
		log_error("reader %s: protocol version %u, expected %u",
			  r->where, r->info.proto_version, PRW_PROTO_VERSION);
		err = -EPROTONOSUPPORT;
		goto fail;
	}
	ret = sd_bus_path_encode(PR_READER_PREFIX, r->info.serial, &r->path);
	if (ret < 0) {
		err = ret;
		goto fail;
	}
	ret = reader_command(r, PRW_CMD_GET_STATUS, NULL, 0,
			     PRW_TIMEOUT_DEFAULT_MS, probe_status_done, NULL,
			     NULL);
	if (ret < 0) {
		err = ret;
		goto fail;
	}
	return;
fail:
	reader_lost(r, err);
}

int reader_new(struct manager *m, const struct reader_transport *tp, void *priv,
	       const char *where, struct reader **ret_reader)
{
	struct reader *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->mgr = m;
	r->where = strdup(where);
	if (!r->where) {
		ret = -ENOMEM;
		goto err_free;
	}
	r->seq = (uint8_t)random();
	r->tp = tp;
	r->tp_priv = priv;

	ret = reader_command(r, PRW_CMD_GET_INFO, NULL, 0,
			     PRW_TIMEOUT_DEFAULT_MS, probe_info_done, NULL,
			     NULL);
	if (ret < 0)
		goto err_where;
	manager_link_reader(m, r);
	*ret_reader = r;
	return 0;

err_where:
	free(r->where);
err_free:
	/* The caller still owns priv: do not destroy it. */
	sd_event_source_unref(r->cmd_timer);
	free(r);
	return ret;
}

void reader_free(struct reader *r)
{
	if (!r)
		return;
	manager_unlink_reader(r->mgr, r);
	fail_commands(r, -ENODEV);
	sd_event_source_disable_unref(r->cmd_timer);
	sd_event_source_disable_unref(r->free_src);
	if (r->tp && r->tp->destroy)
		r->tp->destroy(r->tp_priv);
	free(r->claim_owner);
	sd_bus_track_unref(r->claim_track);
	free(r->path);
	free(r->where);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

static int reader_free_deferred(sd_event_source *s, void *userdata)
{
	reader_free(userdata);
	return 0;
}

void reader_lost(struct reader *r, int err)
{
	int ret;

	if (r->dead)
		return;
	if (r->published)
		log_info("reader %s on %s is gone", r->path, r->where);
	/* Waiters learn the reader is gone, not that their claim ended. */
	wait_fail_all(r, -ENODEV);
	r->dead = true;
	claim_end(r, "reader gone");
	manager_unpublish_reader(r->mgr, r);
	fail_commands(r, -ENODEV);

	/* Free from the loop: the caller may be deep inside r's code. */
	ret = sd_event_add_defer(r->mgr->event, &r->free_src,
				 reader_free_deferred, r);
	if (ret >= 0)
		ret = sd_event_source_set_enabled(r->free_src,
						  SD_EVENT_ONESHOT);
	if (ret < 0)
		log_error_errno(ret, "reader %s: cannot schedule its release",
				r->where);
}
