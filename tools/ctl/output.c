// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl output: JSON strings, hex, card dictionaries, errors. */
#include <errno.h>
#include <string.h>

#include "bus-util.h"
#include "ctl.h"

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void hex_bytes(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* Print one variant value of a card dictionary. */
static int print_value(sd_bus_message *m, bool json)
{
	const char *contents, *s;
	const void *p;
	uint32_t u;
	uint16_t q;
	uint8_t y;
	size_t n;
	char type;
	int b, ret, first = 1;

	ret = sd_bus_message_peek_type(m, &type, &contents);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_enter_container(m, 'v', contents);
	if (ret < 0)
		return ret;
	if (strcmp(contents, "s") == 0) {
		ret = sd_bus_message_read(m, "s", &s);
		if (ret >= 0 && json)
			json_string(stdout, s);
		else if (ret >= 0)
			fputs(s, stdout);
	} else if (strcmp(contents, "b") == 0) {
		ret = sd_bus_message_read(m, "b", &b);
		if (ret >= 0)
			fputs(b ? (json ? "true" : "yes") :
				  (json ? "false" : "no"),
			      stdout);
	} else if (strcmp(contents, "y") == 0) {
		ret = sd_bus_message_read(m, "y", &y);
		if (ret >= 0)
			printf("%u", y);
	} else if (strcmp(contents, "q") == 0) {
		ret = sd_bus_message_read(m, "q", &q);
		if (ret >= 0)
			printf(json ? "%u" : "0x%04x", q);
	} else if (strcmp(contents, "u") == 0) {
		ret = sd_bus_message_read(m, "u", &u);
		if (ret >= 0)
			printf("%u", u);
	} else if (strcmp(contents, "ay") == 0) {
		ret = sd_bus_message_read_array(m, 'y', &p, &n);
		if (ret >= 0) {
			if (json)
				putchar('"');
			hex_bytes(stdout, p, n);
			if (json)
				putchar('"');
		}
	} else if (strcmp(contents, "as") == 0) {
		ret = sd_bus_message_enter_container(m, 'a', "s");
		if (ret < 0)
			return ret;
		if (json)
			putchar('[');
		while ((ret = sd_bus_message_read(m, "s", &s)) > 0) {
			if (!first)
				fputs(json ? ", " : ",", stdout);
			first = 0;
			if (json)
				json_string(stdout, s);
			else
				fputs(s, stdout);
		}
		if (json)
			putchar(']');
		if (ret >= 0)
			ret = sd_bus_message_exit_container(m);
	} else {
		ret = sd_bus_message_skip(m, contents);
		fputs(json ? "null" : "?", stdout);
	}
	if (ret < 0)
		return ret;
	return sd_bus_message_exit_container(m);
}

struct card_dict_printer {
	bool json;
	bool first;
	const char *indent;
};

/* One "key: value" of a card dictionary (a bus_dict_entry_t). */
static int print_card_entry(sd_bus_message *m, const char *key, void *userdata,
			    sd_bus_error *error)
{
	struct card_dict_printer *p = userdata;
	int ret;

	if (p->json) {
		if (!p->first)
			fputs(", ", stdout);
		json_string(stdout, key);
		fputs(": ", stdout);
	} else {
		printf("%s%s: ", p->indent, key);
	}
	p->first = false;
	ret = print_value(m, p->json);
	if (ret >= 0 && !p->json)
		putchar('\n');
	return ret;
}

int print_card_dict(sd_bus_message *m, bool json, const char *indent)
{
	struct card_dict_printer p = { json, true, indent };
	int ret;

	if (json)
		putchar('{');
	ret = bus_read_dict(m, print_card_entry, &p, NULL);
	if (ret >= 0 && json)
		putchar('}');
	return ret;
}

int ctl_exit_code(const sd_bus_error *error, int ret)
{
	if (error && sd_bus_error_is_set(error)) {
		if (sd_bus_error_has_names(error,
					   "org.freedesktop.DBus.Error."
					   "ServiceUnknown",
					   "org.freedesktop.DBus.Error."
					   "NameHasNoOwner"))
			return CTL_EXIT_UNAVAILABLE;
		if (sd_bus_error_has_name(error,
					  "org.posreader1.Error.Timeout"))
			return CTL_EXIT_TIMEOUT;
		return CTL_EXIT_FAILURE;
	}
	if (ret == -ECONNREFUSED || ret == -ENOENT)
		return CTL_EXIT_UNAVAILABLE;
	return CTL_EXIT_FAILURE;
}

int ctl_error(const char *what, const sd_bus_error *error, int ret)
{
	if (error && sd_bus_error_is_set(error))
		fprintf(stderr, "posreaderctl: %s: %s (%s)\n", what,
			error->message ? error->message : "failed",
			error->name);
	else
		fprintf(stderr, "posreaderctl: %s: %s\n", what, strerror(-ret));
	return ctl_exit_code(error, ret);
}
