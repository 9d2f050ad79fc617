// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderctl wait-card and apdu: claim a reader and use it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"

#define APDU_MAX 1022

static int call(struct ctl *c, const char *path, const char *method,
		uint64_t timeout_usec, sd_bus_message **ret_reply,
		const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS_NAME, path,
					     CTL_READER_IFACE, method);
	if (ret >= 0 && types) {
		va_start(ap, types);
		ret = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (ret >= 0)
		ret = sd_bus_call(c->bus, m, timeout_usec, &error, ret_reply);
	if (ret < 0)
		ret = -ctl_error(method, &error, ret);
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return ret;
}

static int claim(struct ctl *c, char **ret_path)
{
	int ret;

	ret = ctl_pick_reader(c, ret_path);
	if (ret < 0)
		return ret;
	ret = call(c, *ret_path, "Claim", 0, NULL, NULL);
	if (ret < 0) {
		free(*ret_path);
		*ret_path = NULL;
	}
	return ret;
}

/* Append the --kinds list (comma-separated) as "as". */
static int append_kinds(sd_bus_message *m, const char *kinds)
{
	char *copy, *tok, *save = NULL;
	int ret;

	ret = sd_bus_message_open_container(m, 'a', "s");
	if (ret < 0 || !kinds)
		goto close;
	copy = strdup(kinds);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && ret >= 0;
	     tok = strtok_r(NULL, ",", &save))
		ret = sd_bus_message_append(m, "s", tok);
	free(copy);
close:
	if (ret < 0)
		return ret;
	return sd_bus_message_close_container(m);
}

int cmd_wait_card(struct ctl *c)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	uint32_t timeout = c->timeout_ms ? c->timeout_ms : 30000;
	const char *kind;
	char *path = NULL;
	int ret;

	ret = claim(c, &path);
	if (ret < 0)
		return -ret;
	ret = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS_NAME, path,
					     CTL_READER_IFACE, "WaitForCard");
	if (ret >= 0)
		ret = append_kinds(m, c->kinds);
	if (ret >= 0)
		ret = sd_bus_message_append(m, "u", timeout);
	if (ret >= 0)
		ret = sd_bus_call(c->bus, m, (timeout + 5000ULL) * 1000, &error,
				  &reply);
	if (ret < 0) {
		ret = ctl_error("WaitForCard", &error, ret);
		goto out;
	}
	ret = sd_bus_message_read(reply, "s", &kind);
	if (ret < 0)
		goto bad;
	if (c->json) {
		fputs("{\"kind\": ", stdout);
		json_string(stdout, kind);
		fputs(", \"card\": ", stdout);
		ret = print_card_dict(reply, true, "");
		puts("}");
	} else {
		printf("Card: %s\n", kind);
		ret = print_card_dict(reply, false, "  ");
	}
	if (ret < 0)
		goto bad;
	ret = CTL_EXIT_OK;
	goto out;
bad:
	fprintf(stderr, "posreaderctl: malformed reply: %s\n", strerror(-ret));
	ret = CTL_EXIT_FAILURE;
out:
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	free(path);
	return ret;
}

/* Parse hex digits, ignoring blanks and ':'; -EINVAL on anything else. */
static int parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *ret_len)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (*s == ' ' || *s == ':' || *s == '\t')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -E2BIG;
		buf[n++] = hi << 4 | v;
		hi = -1;
	}
	if (hi >= 0)
		return -EINVAL;
	*ret_len = n;
	return 0;
}

static const char *const channel_errors[] = {
	[1] = "not a valid command APDU",  [2] = "no card",
	[3] = "card not powered",	   [4] = "the card did not answer",
	[5] = "the reader did not answer", [6] = "reader failure",
};

static void print_exchange(bool json, const uint8_t *cmd, size_t n,
			   const uint8_t *rsp, size_t rn, bool first)
{
	if (json) {
		fputs(first ? "" : ", ", stdout);
		fputs("{\"command\": \"", stdout);
		hex_bytes(stdout, cmd, n);
		fputs("\", \"response\": \"", stdout);
		hex_bytes(stdout, rsp, rn);
		printf("\", \"sw\": \"%02x%02x\"}", rsp[rn - 2], rsp[rn - 1]);
		return;
	}
	fputs("> ", stdout);
	hex_bytes(stdout, cmd, n);
	fputs("\n< ", stdout);
	hex_bytes(stdout, rsp, rn - 2);
	printf("%s%02x%02x\n", rn > 2 ? " " : "", rsp[rn - 2], rsp[rn - 1]);
}

/* Exchange one APDU on the channel fd. */
static int channel_exchange(int fd, const uint8_t *cmd, size_t n, uint8_t *rsp,
			    size_t *ret_len)
{
	ssize_t r;

	if (send(fd, cmd, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -errno;
	r = recv(fd, rsp, 1026, 0);
	if (r < 0)
		return -errno;
	if (r == 0) {
		fprintf(stderr, "posreaderctl: the daemon closed the "
				"channel\n");
		return -EPIPE;
	}
	if (r == 1) {
		fprintf(stderr, "posreaderctl: channel: %s\n",
			rsp[0] < 7 && channel_errors[rsp[0]] ?
				channel_errors[rsp[0]] :
				"unknown error");
		return -EIO;
	}
	*ret_len = r;
	return 0;
}

int cmd_apdu(struct ctl *c, int argc, char **argv)
{
	const char *slot = c->slot ? c->slot : "icc";
	sd_bus_message *reply = NULL;
	uint8_t cmd[APDU_MAX], rsp[1026];
	const void *p;
	char *path = NULL;
	size_t n, rn;
	int ret, fd = -1;

	if (argc < 1) {
		fprintf(stderr, "posreaderctl: apdu needs at least one APDU "
				"in hex\n");
		return CTL_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		if (parse_hex(argv[i], cmd, sizeof(cmd), &n) < 0 || n < 4) {
			fprintf(stderr,
				"posreaderctl: \"%s\" is not a "
				"command APDU in hex\n",
				argv[i]);
			return CTL_EXIT_USAGE;
		}
	}
	ret = claim(c, &path);
	if (ret < 0)
		return -ret;
	if (strcmp(slot, "icc") == 0) {
		ret = call(c, path, "IccPowerOn", 0, &reply, NULL);
		if (ret < 0)
			goto fail;
		if (sd_bus_message_read_array(reply, 'y', &p, &n) >= 0 &&
		    !c->json) {
			fputs("ATR ", stdout);
			hex_bytes(stdout, p, n);
			putchar('\n');
		}
		reply = sd_bus_message_unref(reply);
	}
	if (c->channel) {
		ret = call(c, path, "AcquireChannel", 0, &reply, "s", slot);
		if (ret < 0)
			goto fail;
		ret = sd_bus_message_read(reply, "h", &fd);
		if (ret >= 0)
			fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		reply = sd_bus_message_unref(reply);
		if (ret < 0 || fd < 0) {
			ret = -CTL_EXIT_FAILURE;
			goto fail;
		}
	}
	if (c->json)
		putchar('[');
	for (int i = 0; i < argc; i++) {
		parse_hex(argv[i], cmd, sizeof(cmd), &n);
		if (fd >= 0) {
			ret = channel_exchange(fd, cmd, n, rsp, &rn);
			if (ret < 0) {
				ret = -CTL_EXIT_FAILURE;
				goto fail;
			}
		} else {
			sd_bus_message *m = NULL;
			sd_bus_error error = SD_BUS_ERROR_NULL;

			ret = sd_bus_message_new_method_call(
				c->bus, &m, CTL_BUS_NAME, path,
				CTL_READER_IFACE, "Transmit");
			if (ret >= 0)
				ret = sd_bus_message_append(m, "s", slot);
			if (ret >= 0)
				ret = sd_bus_message_append_array(m, 'y', cmd,
								  n);
			if (ret >= 0)
				ret = sd_bus_call(c->bus, m, 0, &error, &reply);
			if (ret < 0)
				ret = -ctl_error("Transmit", &error, ret);
			sd_bus_error_free(&error);
			sd_bus_message_unref(m);
			if (ret < 0)
				goto fail;
			ret = sd_bus_message_read_array(reply, 'y', &p, &rn);
			if (ret < 0 || rn < 2 || rn > sizeof(rsp)) {
				ret = -CTL_EXIT_FAILURE;
				goto fail;
			}
			memcpy(rsp, p, rn);
			reply = sd_bus_message_unref(reply);
		}
		print_exchange(c->json, cmd, n, rsp, rn, i == 0);
	}
	if (c->json)
		puts("]");
	ret = CTL_EXIT_OK;
	goto out;
fail:
	ret = -ret;
out:
	if (fd >= 0)
		close(fd);
	sd_bus_message_unref(reply);
	free(path);
	return ret;
}
