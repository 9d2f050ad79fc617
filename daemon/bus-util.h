/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * _cleanup_ shorthands for sd-bus objects; libsystemd's headers define the
 * *_unrefp functions themselves.
 */
#ifndef POSREADERD_BUS_UTIL_H
#define POSREADERD_BUS_UTIL_H

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "util.h"

#define _cleanup_bus_message_ _cleanup_(sd_bus_message_unrefp)
#define _cleanup_bus_error_   _cleanup_(sd_bus_error_free)

#endif /* POSREADERD_BUS_UTIL_H */
