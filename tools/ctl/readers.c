// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl: the readers, from the object manager, and --reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "ctl.h"

/* One Reader property of an a{sv} (a bus_dict_entry_t); m is at the value. */
static int read_prop(sd_bus_message *m, const char *name, void *userdata,
		     sd_bus_error *error)
{
	struct ctl_reader *r = userdata;
	const char *s, *contents;
	char **target = NULL;
	char type;
	int ret, b;

	if (strcmp(name, "Name") == 0)
		target = &r->name;
	else if (strcmp(name, "Serial") == 0)
		target = &r->serial;
	else if (strcmp(name, "Firmware") == 0)
		target = &r->firmware;
	else if (strcmp(name, "Transport") == 0)
		target = &r->transport;
	else if (strcmp(name, "ClaimedBy") == 0)
		target = &r->claimed_by;

	ret = sd_bus_message_peek_type(m, &type, &contents);
	if (ret < 0)
		return ret;
	if (target && strcmp(contents, "s") == 0) {
		ret = sd_bus_message_read(m, "v", "s", &s);
		if (ret < 0)
			return ret;
		free(*target);
		*target = strdup(s);
		return *target ? 0 : -ENOMEM;
	}
	if (strcmp(name, "CardPresent") == 0 && strcmp(contents, "b") == 0) {
		ret = sd_bus_message_read(m, "v", "b", &b);
		r->card_present = b;
		return ret;
	}
	if (strcmp(name, "Capabilities") == 0 && strcmp(contents, "as") == 0) {
		ret = sd_bus_message_enter_container(m, 'v', "as");
		if (ret < 0)
			return ret;
		ret = sd_bus_message_read_strv(m, &r->caps);
		if (ret < 0)
			return ret;
		return sd_bus_message_exit_container(m);
	}
	return sd_bus_message_skip(m, "v");
}

static int read_object(sd_bus_message *m, struct ctl_reader *r,
		       bool *ret_is_reader)
{
	const char *path, *iface;
	int ret;

	*ret_is_reader = false;
	ret = sd_bus_message_read(m, "o", &path);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
	if (ret < 0)
		return ret;
	while ((ret = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		ret = sd_bus_message_read(m, "s", &iface);
		if (ret < 0)
			return ret;
		if (strcmp(iface, CTL_READER_IFACE) != 0) {
			ret = sd_bus_message_skip(m, "a{sv}");
			if (ret < 0)
				return ret;
		} else {
			*ret_is_reader = true;
			r->path = strdup(path);
			if (!r->path)
				return -ENOMEM;
			ret = bus_read_dict(m, read_prop, r, NULL);
			if (ret < 0)
				return ret;
		}
		ret = sd_bus_message_exit_container(m);
		if (ret < 0)
			return ret;
	}
	if (ret < 0)
		return ret;
	return sd_bus_message_exit_container(m);
}

static void reader_clear(struct ctl_reader *r)
{
	free(r->path);
	free(r->name);
	free(r->serial);
	free(r->firmware);
	free(r->transport);
	free(r->claimed_by);
	if (r->caps)
		for (char **p = r->caps; *p; p++)
			free(*p);
	free(r->caps);
	memset(r, 0, sizeof(*r));
}

void ctl_readers_free(struct ctl_reader *readers, size_t n)
{
	for (size_t i = 0; i < n; i++)
		reader_clear(&readers[i]);
	free(readers);
}

static int by_serial(const void *a, const void *b)
{
	const struct ctl_reader *x = a, *y = b;

	return strcmp(x->serial ? x->serial : "", y->serial ? y->serial : "");
}

int ctl_readers_load(sd_bus *bus, struct ctl_reader **ret_readers,
		     size_t *ret_n)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct ctl_reader *list = NULL, *nl;
	size_t n = 0;
	bool is_reader;
	int ret;

	ret = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_ROOT_PATH,
				 "org.freedesktop.DBus.ObjectManager",
				 "GetManagedObjects", &error, &reply, "");
	if (ret < 0) {
		ret = -ctl_error("cannot list the readers", &error, ret);
		goto out;
	}
	ret = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	if (ret < 0)
		goto bad;
	while ((ret = sd_bus_message_enter_container(reply, 'e',
						     "oa{sa{sv}}")) > 0) {
		nl = realloc(list, (n + 1) * sizeof(*list));
		if (!nl) {
			ret = -ENOMEM;
			goto bad;
		}
		list = nl;
		memset(&list[n], 0, sizeof(list[n]));
		ret = read_object(reply, &list[n], &is_reader);
		if (ret < 0) {
			reader_clear(&list[n]);
			goto bad;
		}
		if (is_reader)
			n++;
		else
			reader_clear(&list[n]);
		ret = sd_bus_message_exit_container(reply);
		if (ret < 0)
			goto bad;
	}
	if (ret < 0)
		goto bad;
	qsort(list, n, sizeof(*list), by_serial);
	*ret_readers = list;
	*ret_n = n;
	ret = 0;
	goto out;
bad:
	fprintf(stderr, "posreaderctl: unexpected reply from posreaderd: %s\n",
		strerror(-ret));
	ctl_readers_free(list, n);
	ret = -CTL_EXIT_FAILURE;
out:
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return ret;
}

int ctl_pick_reader(struct ctl *c, char **ret_path)
{
	struct ctl_reader *list = NULL;
	size_t n = 0, i;
	const char *id;
	int ret;

	ret = ctl_readers_load(c->bus, &list, &n);
	if (ret < 0)
		return ret;
	if (!c->reader) {
		if (n == 0)
			fprintf(stderr, "posreaderctl: no reader is "
					"attached\n");
		else if (n > 1)
			fprintf(stderr,
				"posreaderctl: %zu readers; choose "
				"one with --reader SERIAL\n",
				n);
		if (n != 1) {
			ret = -CTL_EXIT_FAILURE;
			goto out;
		}
		i = 0;
	} else {
		for (i = 0; i < n; i++) {
			id = strrchr(list[i].path, '/') + 1;
			if ((list[i].serial &&
			     strcmp(list[i].serial, c->reader) == 0) ||
			    strcmp(list[i].path, c->reader) == 0 ||
			    strcmp(id, c->reader) == 0)
				break;
		}
		if (i == n) {
			fprintf(stderr, "posreaderctl: no reader \"%s\"\n",
				c->reader);
			ret = -CTL_EXIT_FAILURE;
			goto out;
		}
	}
	*ret_path = list[i].path;
	list[i].path = NULL;
	ret = 0;
out:
	ctl_readers_free(list, n);
	return ret;
}
