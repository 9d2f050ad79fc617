// SPDX-License-Identifier: GPL-2.0-or-later
/* Claims tied to the caller's unique bus name through sd_bus_track. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "claim.h"
#include "dbus-errors.h"
#include "log.h"
#include "manager.h"
#include "reader.h"
#include "wait.h"

static void power_off_done(struct reader *r, int err,
			   const struct prw_frame *rsp, void *userdata)
{
	if (err == 0 && rsp->status == PRW_ST_OK)
		r->icc_powered = false;
}

void claim_end(struct reader *r, const char *why)
{
	if (!r->claim_owner)
		return;
	log_info("reader %s: claim by %s ended: %s", r->path, r->claim_owner,
		 why);
	wait_fail_all(r, -ECANCELED);
	channel_close(r);
	r->claim_track = sd_bus_track_unref(r->claim_track);
	free(r->claim_owner);
	r->claim_owner = NULL;

	/* The next client starts from an unpowered card. */
	if (r->icc_powered && !r->dead)
		reader_command(r, PRW_CMD_ICC_POWER_OFF, NULL, 0,
			       PRW_TIMEOUT_DEFAULT_MS, power_off_done, NULL,
			       NULL);
	reader_emit_changed(r, "ClaimedBy");
}

/* The claim holder left the bus. */
static int claim_track_gone(sd_bus_track *track, void *userdata)
{
	struct reader *r = userdata;

	claim_end(r, "the client left the bus");
	return 0;
}

int claim_take(struct reader *r, sd_bus_message *m, sd_bus_error *error)
{
	const char *sender = sd_bus_message_get_sender(m);
	sd_bus_track *track = NULL;
	char *owner = NULL;
	int ret;

	if (!sender)
		return sd_bus_error_set(error, PR_ERR_ACCESS_DENIED,
					"Claims need a unique bus name.");
	if (r->claim_owner) {
		if (strcmp(r->claim_owner, sender) == 0)
			return 0;
		return sd_bus_error_setf(error, PR_ERR_ALREADY_CLAIMED,
					 "Reader %s is claimed by %s.",
					 r->info.serial, r->claim_owner);
	}

	ret = sd_bus_track_new(r->mgr->bus, &track, claim_track_gone, r);
	if (ret < 0)
		return ret;
	ret = sd_bus_track_add_sender(track, m);
	if (ret < 0)
		goto err;
	owner = strdup(sender);
	if (!owner) {
		ret = -ENOMEM;
		goto err;
	}
	r->claim_track = track;
	r->claim_owner = owner;
	log_info("reader %s: claimed by %s", r->path, owner);
	reader_emit_changed(r, "ClaimedBy");
	return 0;
err:
	sd_bus_track_unref(track);
	return ret;
}

int claim_check(struct reader *r, sd_bus_message *m, sd_bus_error *error)
{
	const char *sender = sd_bus_message_get_sender(m);

	if (!r->claim_owner)
		return sd_bus_error_setf(error, PR_ERR_NOT_CLAIMED,
					 "Reader %s is not claimed; call "
					 "Claim first.",
					 r->info.serial);
	if (!sender || strcmp(sender, r->claim_owner) != 0)
		return sd_bus_error_setf(error, PR_ERR_NOT_CLAIMED,
					 "Reader %s is claimed by another "
					 "client (%s).",
					 r->info.serial, r->claim_owner);
	return 0;
}

int claim_release(struct reader *r, sd_bus_message *m, sd_bus_error *error)
{
	int ret;

	ret = claim_check(r, m, error);
	if (ret < 0)
		return ret;
	claim_end(r, "released");
	return 0;
}
