// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl selftest, audit, provision, pair and seal-config. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "ctl.h"
#include "text.h"

#define PROV_FILE_MAX 4096
#define AUDIT_PAGE    1000

int cmd_selftest(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *check, *status, *subject, *message;
	bool failed = false, first = true;
	int ret;

	ret = sd_bus_call_method(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
				 CTL_TERMINAL_IFACE, "RunSelfTest", &error,
				 &reply, NULL);
	if (ret >= 0)
		ret = sd_bus_message_enter_container(reply, 'a', "(ssss)");
	if (ret < 0) {
		ret = ctl_error("RunSelfTest", &error, ret);
		goto out;
	}
	if (c->json)
		putchar('[');
	while ((ret = sd_bus_message_read(reply, "(ssss)", &check, &status,
					  &subject, &message)) > 0) {
		failed |= strcmp(status, "fail") == 0;
		if (c->json) {
			fputs(first ? "{\"check\": " : ", {\"check\": ",
			      stdout);
			json_string(stdout, check);
			fputs(", \"status\": ", stdout);
			json_string(stdout, status);
			fputs(", \"subject\": ", stdout);
			json_string(stdout, subject);
			fputs(", \"message\": ", stdout);
			json_string(stdout, message);
			putchar('}');
		} else {
			printf("%-12s %-7s %s%s%s\n", check, status, subject,
			       subject[0] ? ": " : "", message);
		}
		first = false;
	}
	if (c->json)
		puts("]");
	ret = ret < 0 ? ctl_error("bad reply", NULL, ret) :
	      failed  ? CTL_EXIT_FAILURE :
			CTL_EXIT_OK;
out:
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

static void print_entry_json(bool first, int64_t seq, int64_t wall,
			     const char *event, const char *caller,
			     const char *detail, int ok)
{
	printf("%s{\"seq\": %lld, \"wall_us\": %lld, \"event\": ",
	       first ? "" : ", ", (long long)seq, (long long)wall);
	json_string(stdout, event);
	fputs(", \"caller\": ", stdout);
	json_string(stdout, caller);
	fputs(", \"detail\": ", stdout);
	json_string(stdout, detail);
	printf(", \"mac_ok\": %s}", ok ? "true" : "false");
}

int cmd_audit(struct ctl *c, int argc, char **argv)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL, *verify = NULL;
	const char *event, *caller, *detail;
	int64_t seq, wall, first_bad = 0;
	char when[40];
	bool first = true;
	int ok, intact = 0, ret;

	if (argc != 1) {
		fprintf(stderr, "posreaderctl: audit takes no arguments\n");
		return CTL_EXIT_USAGE;
	}
	ret = sd_bus_call_method(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
				 CTL_TERMINAL_IFACE, "VerifyAudit", &error,
				 &verify, NULL);
	if (ret >= 0)
		ret = sd_bus_message_read(verify, "bx", &intact, &first_bad);
	if (ret >= 0)
		ret = sd_bus_call_method(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
					 CTL_TERMINAL_IFACE, "GetAudit", &error,
					 &reply, "xu", (int64_t)0,
					 (uint32_t)AUDIT_PAGE);
	if (ret >= 0)
		ret = sd_bus_message_enter_container(reply, 'a', "(xxsssb)");
	if (ret < 0) {
		ret = ctl_error("reading the audit log", &error, ret);
		goto out;
	}
	if (c->json)
		printf("{\"intact\": %s, \"first_bad\": %lld, \"entries\": [",
		       intact ? "true" : "false", (long long)first_bad);
	else if (intact)
		puts("Audit chain: intact");
	else
		printf("Audit chain: BROKEN at entry %lld\n",
		       (long long)first_bad);
	while ((ret = sd_bus_message_read(reply, "(xxsssb)", &seq, &wall,
					  &event, &caller, &detail, &ok)) > 0) {
		if (c->json)
			print_entry_json(first, seq, wall, event, caller,
					 detail, ok);
		else
			printf("%6lld %s %-3s %-20s %-28s %s\n", (long long)seq,
			       ctl_wall_time(wall, when, sizeof(when)),
			       ok ? "ok" : "BAD", event, caller, detail);
		first = false;
	}
	if (c->json)
		puts("]}");
	ret = ret < 0 ? ctl_error("bad reply", NULL, ret) :
	      intact  ? CTL_EXIT_OK :
			CTL_EXIT_FAILURE;
out:
	sd_bus_message_unref(verify);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

/* Append one "key = value" line of a provisioning file to the a{sv}. */
static int prov_append(sd_bus_message *m, const char *key, const char *value)
{
	static const char *const bytes[] = { "master_key", "master_kcv",
					     "acquirer_key", "acquirer_kcv" };
	uint8_t buf[64];
	size_t n;
	int ret;

	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		if (strcmp(key, bytes[i]) != 0)
			continue;
		if (ctl_parse_hex(value, buf, sizeof(buf), &n) < 0)
			return -EINVAL;
		ret = bus_append_dict_bytes(m, key, buf, n);
		explicit_bzero(buf, sizeof(buf));
		return ret;
	}
	return sd_bus_message_append(m, "{sv}", key, "s", value);
}

static int prov_fill(sd_bus_message *m, char *text)
{
	char *save = NULL, *line, *eq;
	int ret = 0;

	for (line = strtok_r(text, "\n", &save); line && ret >= 0;
	     line = strtok_r(NULL, "\n", &save)) {
		line = text_strip(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		ret = prov_append(m, text_strip(line), text_strip(eq + 1));
	}
	return ret;
}

int cmd_provision(struct ctl *c, int argc, char **argv)
{
	static uint8_t text[PROV_FILE_MAX + 1];
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	size_t n;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "posreaderctl: provision FILE\n");
		return CTL_EXIT_USAGE;
	}
	ret = ctl_read_file(argv[1], text, PROV_FILE_MAX, &n);
	if (ret < 0) {
		fprintf(stderr, "posreaderctl: cannot read %s: %s\n", argv[1],
			strerror(-ret));
		return CTL_EXIT_USAGE;
	}
	text[n] = '\0';
	ret = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS_NAME,
					     CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
					     "Provision");
	if (ret >= 0)
		ret = sd_bus_message_sensitive(m);
	if (ret >= 0)
		ret = sd_bus_message_open_container(m, 'a', "{sv}");
	if (ret >= 0 && prov_fill(m, (char *)text) < 0) {
		explicit_bzero(text, sizeof(text));
		fprintf(stderr,
			"posreaderctl: %s: expected \"key = value\" "
			"lines with hex keys\n",
			argv[1]);
		sd_bus_message_unref(m);
		return CTL_EXIT_USAGE;
	}
	explicit_bzero(text, sizeof(text));
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	if (ret >= 0)
		ret = sd_bus_call(c->bus, m, 0, &error, &reply);
	if (ret < 0) {
		ret = ctl_error("Provision", &error, ret);
	} else {
		puts(c->json ? "{\"provisioned\": true}" : "Provisioned.");
		ret = CTL_EXIT_OK;
	}
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

int cmd_pair(struct ctl *c, int argc, char **argv)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	uint8_t key[64], kcv[8];
	char line[160];
	size_t klen, kcvlen;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "posreaderctl: pair SERIAL KCV (the key in hex "
				"on stdin)\n");
		return CTL_EXIT_USAGE;
	}
	if (ctl_parse_hex(argv[2], kcv, sizeof(kcv), &kcvlen) < 0 ||
	    ctl_read_secret_line(line, sizeof(line)) < 0 ||
	    ctl_parse_hex(line, key, sizeof(key), &klen) < 0) {
		explicit_bzero(line, sizeof(line));
		fprintf(stderr, "posreaderctl: pair needs the KCV in hex and "
				"the key in hex on stdin\n");
		return CTL_EXIT_USAGE;
	}
	explicit_bzero(line, sizeof(line));
	ret = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS_NAME,
					     CTL_ROOT_PATH, CTL_TERMINAL_IFACE,
					     "PairReader");
	if (ret >= 0)
		ret = sd_bus_message_sensitive(m);
	if (ret >= 0)
		ret = sd_bus_message_append(m, "s", argv[1]);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', key, klen);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', kcv, kcvlen);
	explicit_bzero(key, sizeof(key));
	if (ret >= 0)
		ret = sd_bus_call(c->bus, m, 0, &error, &reply);
	if (ret < 0) {
		ret = ctl_error("PairReader", &error, ret);
	} else {
		puts(c->json ? "{\"paired\": true}" : "Reader paired.");
		ret = CTL_EXIT_OK;
	}
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return ret;
}

int cmd_seal_config(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *state = NULL;
	int ret;

	ret = sd_bus_call_method(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
				 CTL_TERMINAL_IFACE, "SealConfiguration",
				 &error, NULL, NULL);
	if (ret < 0) {
		ret = ctl_error("SealConfiguration", &error, ret);
		goto out;
	}
	/* Sealing re-runs the check; other reasons may still hold. */
	ret = sd_bus_get_property_string(c->bus, CTL_BUS_NAME, CTL_ROOT_PATH,
					 CTL_TERMINAL_IFACE, "LockState",
					 &error, &state);
	if (ret < 0) {
		ret = ctl_error("reading LockState", &error, ret);
		goto out;
	}
	if (c->json) {
		fputs("{\"sealed\": true, \"state\": ", stdout);
		json_string(stdout, state);
		puts("}");
	} else {
		printf("Configuration sealed. The terminal is %s.\n", state);
	}
	ret = CTL_EXIT_OK;
out:
	free(state);
	sd_bus_error_free(&error);
	return ret;
}
