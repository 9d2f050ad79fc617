// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a{sv} method arguments, writing their byte entries (bus-util.h). */
#include "bus-util.h"

int bus_read_dict(sd_bus_message *m, bus_dict_entry_t entry, void *userdata,
		  sd_bus_error *error)
{
	const char *key;
	int ret;

	ret = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (ret < 0)
		return ret;
	while ((ret = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		ret = sd_bus_message_read(m, "s", &key);
		if (ret < 0)
			return ret;
		ret = entry(m, key, userdata, error);
		if (ret < 0)
			return ret;
		ret = sd_bus_message_exit_container(m);
		if (ret < 0)
			return ret;
	}
	if (ret < 0)
		return ret;
	return sd_bus_message_exit_container(m);
}

int bus_append_dict_bytes(sd_bus_message *m, const char *key, const void *data,
			  size_t len)
{
	int ret;

	ret = sd_bus_message_open_container(m, 'e', "sv");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append(m, "s", key);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_open_container(m, 'v', "ay");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append_array(m, 'y', data, len);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_close_container(m);
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(m);
}
