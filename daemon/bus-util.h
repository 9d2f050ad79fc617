/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * _cleanup_ shorthands for sd-bus objects (libsystemd's headers define the
 * *_unrefp functions themselves), reading an a{sv} argument and writing
 * byte-array entries of one.
 */
#ifndef POSREADERD_BUS_UTIL_H
#define POSREADERD_BUS_UTIL_H

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "util.h"

#define _cleanup_bus_message_ _cleanup_(sd_bus_message_unrefp)
#define _cleanup_bus_error_   _cleanup_(sd_bus_error_free)

/*
 * Reads the value of one a{sv} entry whose key is key: m is at the
 * variant. Returns >= 0, or a negative errno (with error set or not).
 */
typedef int (*bus_dict_entry_t)(sd_bus_message *m, const char *key,
				void *userdata, sd_bus_error *error);

/*
 * Walk the a{sv} at m: call entry for each key, in order, and stop at the
 * first negative return, which is returned. 0 at the end of the dict.
 */
int bus_read_dict(sd_bus_message *m, bus_dict_entry_t entry, void *userdata,
		  sd_bus_error *error);

/* Append the entry key -> <ay: len bytes of data> to the open a{sv} at m. */
int bus_append_dict_bytes(sd_bus_message *m, const char *key, const void *data,
			  size_t len);

#endif /* POSREADERD_BUS_UTIL_H */
