// SPDX-License-Identifier: GPL-2.0-or-later
/* WaitForCard: pending calls, each with its own timer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "card-dict.h"
#include "dbus-errors.h"
#include "log.h"
#include "manager.h"
#include "reader.h"
#include "wait.h"

struct card_wait {
	struct card_wait *next;
	struct reader *reader;
	sd_bus_message *call;
	sd_event_source *timer;
	unsigned int kinds;
};

static const char *const kind_names[] = { "magstripe", "icc", "nfc" };

unsigned int card_kind_from_string(const char *s)
{
	for (unsigned int i = 0; i < 3; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *card_kind_to_string(unsigned int kind)
{
	for (unsigned int i = 0; i < 3; i++)
		if (kind == 1u << i)
			return kind_names[i];
	return "unknown";
}

static void wait_unlink(struct card_wait *w)
{
	struct card_wait **pp;

	for (pp = &w->reader->waits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
}

static void wait_free(struct card_wait *w)
{
	sd_event_source_disable_unref(w->timer);
	sd_bus_message_unref(w->call);
	free(w);
}

static void wait_fail(struct card_wait *w, int err)
{
	_cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;

	pr_error_from_errno(&error, err);
	sd_bus_reply_method_error(w->call, &error);
}

static int wait_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct card_wait *w = userdata;

	wait_unlink(w);
	sd_bus_reply_method_errorf(w->call, PR_ERR_TIMEOUT,
				   "No card was presented in time.");
	wait_free(w);
	return 0;
}

/* Reply to w with kind and the dictionary fill appends. */
static int wait_reply(struct card_wait *w, unsigned int kind,
		      int (*fill)(sd_bus_message *reply, void *data),
		      void *data)
{
	_cleanup_bus_message_ sd_bus_message *reply = NULL;
	int ret;

	ret = sd_bus_message_new_method_return(w->call, &reply);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append(reply, "s", card_kind_to_string(kind));
	if (ret < 0)
		return ret;
	ret = fill(reply, data);
	if (ret < 0)
		return ret;
	return sd_bus_send(NULL, reply, NULL);
}

static int fill_atr(sd_bus_message *reply, void *data)
{
	return card_dict_icc(reply, data);
}

static int fill_target(sd_bus_message *reply, void *data)
{
	return card_dict_tag(reply, data);
}

int wait_start(struct reader *r, sd_bus_message *m, unsigned int kinds,
	       uint32_t timeout_ms, sd_bus_error *error)
{
	struct card_wait *w;
	unsigned int n = 0;
	int ret;

	for (w = r->waits; w; w = w->next)
		n++;
	if (n >= READER_WAITS_MAX)
		return sd_bus_error_setf(error, PR_ERR_BUSY,
					 "Already %u calls wait on this "
					 "reader.",
					 n);
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->reader = r;
	w->kinds = kinds;
	w->call = sd_bus_message_ref(m);

	if ((kinds & CARD_KIND_ICC) && r->icc_present && r->atr_valid) {
		ret = wait_reply(w, CARD_KIND_ICC, fill_atr, &r->atr);
		goto done;
	}
	if ((kinds & CARD_KIND_NFC) && r->nfc_present) {
		ret = wait_reply(w, CARD_KIND_NFC, fill_target, &r->tag);
		goto done;
	}

	ret = sd_event_add_time_relative(
		r->mgr->event, &w->timer, CLOCK_MONOTONIC,
		(uint64_t)timeout_ms * 1000, 1000, wait_timeout, w);
	if (ret < 0)
		goto done;
	w->next = r->waits;
	r->waits = w;
	return 1;
done:
	wait_free(w);
	return ret < 0 ? ret : 1;
}

void wait_card_arrived(struct reader *r, unsigned int kind,
		       int (*fill)(sd_bus_message *reply, void *data),
		       void *data)
{
	struct card_wait **pp = &r->waits, *w;
	int ret;

	while ((w = *pp)) {
		if (!(w->kinds & kind)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		ret = wait_reply(w, kind, fill, data);
		if (ret < 0)
			log_warning_errno(ret,
					  "reader %s: cannot answer a "
					  "wait",
					  r->path);
		wait_free(w);
	}
}

void wait_fail_all(struct reader *r, int err)
{
	struct card_wait *w;

	while ((w = r->waits)) {
		r->waits = w->next;
		wait_fail(w, err);
		wait_free(w);
	}
}
