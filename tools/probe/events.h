/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Showing device events. A swipe is shown only through
 * card_swipe_parse(): masked PAN, expiry, service code, name and
 * per-track status, never clear track data.
 */
#ifndef POSREADER_PROBE_EVENTS_H
#define POSREADER_PROBE_EVENTS_H

#include <stdio.h>

#include <posreader/wire.h>

/* Name of an event type ("swipe", "icc-inserted", ...). */
const char *probe_event_name(u8 type);

/* Print one event frame as one line; returns 0, or -EBADMSG when its
 * payload is malformed (the line says so). */
int probe_print_event(FILE *f, const struct prw_frame *ev);

/* Print a tamper cause bit set as "case-open,mesh" or "none". */
void probe_print_tamper(FILE *f, u8 cause);

#endif /* POSREADER_PROBE_EVENTS_H */
