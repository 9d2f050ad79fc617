// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl unlock-challenge and apply-token: acquirer tokens. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define TOKEN_FILE_MAX 4096

int cmd_unlock_challenge(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *id = NULL;
	const void *p;
	size_t n;
	int ret;

	ret = sd_bus_call_method(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
				 CTL_TERMINAL_IFACE, "GetUnlockChallenge",
				 &error, &reply, NULL);
	if (ret >= 0)
		ret = sd_bus_message_read_array(reply, 'y', &p, &n);
	if (ret >= 0)
		ret = sd_bus_get_property_string(
			c->bus, CTL_BUS_NAME, CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
			"TerminalId", &error, &id);
	if (ret < 0) {
		ret = ctl_error("GetUnlockChallenge", &error, ret);
		goto out;
	}
	if (c->json) {
		fputs("{\"terminal_id\": ", stdout);
		json_string(stdout, id);
		fputs(", \"challenge\": \"", stdout);
		hex_bytes(stdout, p, n);
		puts("\"}");
	} else {
		printf("terminal %s challenge ", id);
		hex_bytes(stdout, p, n);
		putchar('\n');
	}
	ret = CTL_EXIT_OK;
out:
	free(id);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

/* A token file holds the raw token or its hex (posreader-acquirer). */
static int load_token(const char *path, uint8_t *buf, size_t cap,
		      size_t *ret_len)
{
	static uint8_t raw[TOKEN_FILE_MAX + 1];
	size_t n;
	int ret;

	ret = ctl_read_file(path, raw, TOKEN_FILE_MAX, &n);
	if (ret < 0)
		return ret;
	if (n >= 4 && memcmp(raw, "PRTK", 4) == 0) {
		if (n > cap)
			return -E2BIG;
		memcpy(buf, raw, n);
		*ret_len = n;
		return 0;
	}
	raw[n] = '\0';
	return ctl_parse_hex((const char *)raw, buf, cap, ret_len);
}

int cmd_apply_token(struct ctl *c, int argc, char **argv)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	uint8_t token[TOKEN_FILE_MAX];
	size_t n;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "posreaderctl: apply-token FILE\n");
		return CTL_EXIT_USAGE;
	}
	ret = load_token(argv[1], token, sizeof(token), &n);
	if (ret < 0) {
		fprintf(stderr,
			"posreaderctl: cannot read a token from %s: %s\n",
			argv[1], strerror(-ret));
		return CTL_EXIT_USAGE;
	}
	ret = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS_NAME,
					     CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
					     "ApplyToken");
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', token, n);
	if (ret >= 0)
		ret = sd_bus_call(c->bus, m, 0, &error, &reply);
	if (ret < 0) {
		ret = ctl_error("ApplyToken", &error, ret);
	} else {
		if (c->json)
			puts("{\"applied\": true}");
		else
			puts("Token applied.");
		ret = CTL_EXIT_OK;
	}
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}
