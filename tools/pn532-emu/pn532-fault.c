// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scripted misbehaviour of the emulated chip: spec parsing and the
 * one-shot (or counted) selection of the command it spoils.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pn532-fault.h"

static const char *const names[] = {
	[PN532_FAULT_NONE] = "off",
	[PN532_FAULT_BAD_LCS] = "bad-lcs",
	[PN532_FAULT_BAD_DCS] = "bad-dcs",
	[PN532_FAULT_TRUNCATED] = "truncated",
	[PN532_FAULT_SILENCE] = "silence",
	[PN532_FAULT_MUTE] = "mute",
	[PN532_FAULT_NACK_STORM] = "nack-storm",
	[PN532_FAULT_ERROR_FRAME] = "error-frame",
};

const char *pn532_fault_name(enum pn532_fault_mode mode)
{
	if ((size_t)mode >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[mode];
}

static int parse_number(const char *s, int base, unsigned long max,
			unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int pn532_fault_parse(const char *spec, struct pn532_fault *ret)
{
	struct pn532_fault f = { .mode = PN532_FAULT_NONE,
				 .cmd = -1,
				 .count = 1 };
	char buf[64], *field[3] = { NULL }, *p;
	unsigned long v;
	size_t i, nfields = 0;

	if (strlen(spec) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, spec);
	for (p = buf; nfields < 3; nfields++) {
		field[nfields] = p;
		p = strchr(p, ':');
		if (!p) {
			nfields++;
			break;
		}
		*p++ = '\0';
	}
	if (p)
		return -EINVAL; /* more than three fields */

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(field[0], names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return -EINVAL;
	f.mode = (enum pn532_fault_mode)i;
	if (f.mode == PN532_FAULT_NONE) {
		if (nfields > 1)
			return -EINVAL;
		*ret = f;
		return 0;
	}

	if (nfields > 1 && strcmp(field[1], "any") != 0) {
		if (parse_number(field[1], 16, 0xff, &v) < 0)
			return -EINVAL;
		f.cmd = (int)v;
	}
	if (nfields > 2) {
		if (parse_number(field[2], 10, 1000000, &v) < 0)
			return -EINVAL;
		f.count = (unsigned int)v;
	}
	*ret = f;
	return 0;
}

enum pn532_fault_mode pn532_fault_take(struct pn532_fault *f, uint8_t cmd)
{
	enum pn532_fault_mode mode = f->mode;

	if (mode == PN532_FAULT_NONE || (f->cmd >= 0 && f->cmd != cmd))
		return PN532_FAULT_NONE;
	if (f->count && --f->count == 0)
		f->mode = PN532_FAULT_NONE;
	return mode;
}
