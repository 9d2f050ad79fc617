/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.posreader1.Reader: the vtable and the signals. */
#ifndef POSREADERD_READER_DBUS_H
#define POSREADERD_READER_DBUS_H

#include <systemd/sd-bus.h>

#include <posreader/wire.h>

struct manager;
struct reader;

/* The Reader interface's vtable, served under PR_READER_PREFIX. */
extern const sd_bus_vtable reader_vtable[];

/* Emit CardSwiped with the masked card dictionary. */
void reader_dbus_emit_swipe(struct reader *r, const struct prw_swipe *sw);

/* Emit CardInserted with the ATR (empty if none was read). */
void reader_dbus_emit_inserted(struct reader *r);

/* Emit TagDetected with the target's dictionary. */
void reader_dbus_emit_tag(struct reader *r);

/* Emit a signal without arguments: CardRemoved, TagLost or Tamper. */
void reader_dbus_emit_plain(struct reader *r, const char *member);

#endif /* POSREADERD_READER_DBUS_H */
