// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderd settings: "key = value" lines and command-line options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "text.h"
#include "util.h"

static int set_string(char **field, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int add_string(char **list, unsigned int *n, const char *value)
{
	if (*n >= CONFIG_LIST_MAX)
		return -E2BIG;
	list[*n] = strdup(value);
	if (!list[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int parse_bool(const char *value, bool *ret)
{
	if (strcmp(value, "yes") == 0)
		*ret = true;
	else if (strcmp(value, "no") == 0)
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

/* "N" or "N,N,N" seconds, each 1..86400: the PIN lockout ladder. */
static int parse_lockout(const char *value, unsigned ret[3])
{
	unsigned v[3] = {};
	const char *p = value;
	char *end;

	for (int i = 0; i < 3; i++) {
		unsigned long n = strtoul(p, &end, 10);

		if (end == p || n == 0 || n > 86400)
			return -EINVAL;
		v[i] = n;
		if (!*end) {
			for (int j = i + 1; j < 3; j++)
				v[j] = v[i];
			memcpy(ret, v, sizeof(v));
			return 0;
		}
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
	return -EINVAL;
}

static int parse_count(const char *value, unsigned *ret)
{
	char *end;
	unsigned long n = strtoul(value, &end, 10);

	if (*end || n == 0 || n > 20)
		return -EINVAL;
	*ret = n;
	return 0;
}

int config_set(struct config *c, const char *key, const char *value)
{
	if (!*value)
		return -EINVAL;
	if (strcmp(key, "bus") == 0)
		return set_string(&c->bus, value);
	if (strcmp(key, "state-dir") == 0)
		return set_string(&c->state_dir, value);
	if (strcmp(key, "sim") == 0)
		return add_string(c->sims, &c->n_sims, value);
	if (strcmp(key, "sim-dir") == 0)
		return add_string(c->sim_dirs, &c->n_sim_dirs, value);
	if (strcmp(key, "usb") == 0)
		return parse_bool(value, &c->usb);
	if (strcmp(key, "kernel") == 0)
		return parse_bool(value, &c->kernel);
	if (strcmp(key, "nfc") == 0)
		return add_string(c->nfcs, &c->n_nfcs, value);
	if (strcmp(key, "nfc-scan") == 0)
		return parse_bool(value, &c->nfc_scan);
	if (strcmp(key, "log") == 0)
		return log_target_from_string(value, &c->log_target);
	if (strcmp(key, "card-group") == 0)
		return set_string(&c->card_group, value);
	if (strcmp(key, "admin-group") == 0)
		return set_string(&c->admin_group, value);
	if (strcmp(key, "pin-lockout") == 0)
		return parse_lockout(value, c->pin_lockout_s);
	if (strcmp(key, "pin-max-failures") == 0)
		return parse_count(value, &c->pin_max_failures);
	return -ENOENT;
}

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/*
 * Read "key = value" lines from f into c. On a bad line, -EINVAL and a
 * message naming path and the line in why.
 */
static int parse_stream(struct config *c, FILE *f, const char *path, char *why,
			size_t cap)
{
	char line[1024], *key, *value, *eq;
	unsigned int lineno = 0;
	int ret;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(why, cap, "%s:%u: line too long", path,
				 lineno);
			return -EINVAL;
		}
		key = text_strip(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(why, cap, "%s:%u: expected \"key = value\"",
				 path, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		value = text_strip(eq + 1);
		key = text_strip(key);
		ret = config_set(c, key, value);
		if (ret == -ENOENT) {
			snprintf(why, cap, "%s:%u: unknown key \"%s\"", path,
				 lineno, key);
			return -EINVAL;
		}
		if (ret < 0) {
			snprintf(why, cap, "%s:%u: bad value for %s: %s", path,
				 lineno, key, strerror(-ret));
			return ret == -ENOMEM ? ret : -EINVAL;
		}
	}
	if (ferror(f)) {
		snprintf(why, cap, "%s: read error", path);
		return -EIO;
	}
	return 0;
}

int config_load(struct config *c, const char *path)
{
	_cleanup_(fclosep) FILE *f = NULL;
	char why[1200];
	int ret;

	f = fopen(path, "re");
	if (!f)
		return log_error_errno(-errno, "cannot open %s", path);
	ret = parse_stream(c, f, path, why, sizeof(why));
	if (ret < 0)
		log_error("%s", why);
	return ret;
}

int config_check(const char *path, const char *text, size_t len, char *why,
		 size_t cap)
{
	_cleanup_(fclosep) FILE *f = NULL;
	struct config scratch = { 0 };
	int ret;

	if (memchr(text, '\0', len)) {
		snprintf(why, cap, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	/* fmemopen() wants a size; an empty file is a valid one. */
	if (len == 0)
		return 0;
	f = fmemopen((void *)text, len, "r");
	if (!f)
		return -errno;
	ret = parse_stream(&scratch, f, path, why, cap);
	config_done(&scratch);
	/* why may quote the file: keep it printable ASCII for D-Bus. */
	for (char *p = why; ret < 0 && *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return ret;
}

void config_done(struct config *c)
{
	free(c->bus);
	free(c->state_dir);
	free(c->test_lock_file);
	free(c->card_group);
	free(c->admin_group);
	free(c->path);
	for (unsigned int i = 0; i < c->n_sims; i++)
		free(c->sims[i]);
	for (unsigned int i = 0; i < c->n_sim_dirs; i++)
		free(c->sim_dirs[i]);
	for (unsigned int i = 0; i < c->n_nfcs; i++)
		free(c->nfcs[i]);
	memset(c, 0, sizeof(*c));
}
