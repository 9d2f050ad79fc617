/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posreaderd's settings, from the command line and an optional config
 * file of "key = value" lines (docs/architecture.md lists the keys).
 */
#ifndef POSREADERD_CONFIG_H
#define POSREADERD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define CONFIG_LIST_MAX 32

struct config {
	char *path; /* the --config file, absolute; NULL if none */
	char *bus;  /* "system", "session" or an address */
	char *state_dir;
	char *test_lock_file;
	bool usb;    /* drive USB readers through libusb */
	bool kernel; /* drive /dev/posreaderN readers */
	char *sims[CONFIG_LIST_MAX];
	unsigned int n_sims;
	char *sim_dirs[CONFIG_LIST_MAX];
	unsigned int n_sim_dirs;
	char *nfcs[CONFIG_LIST_MAX]; /* libnfc connection strings */
	unsigned int n_nfcs;
	bool nfc_scan; /* also drive what nfc_list_devices() finds */
	enum log_target log_target;
	int log_level;
	char *card_group;	   /* name or gid; NULL: "posreader" */
	char *admin_group;	   /* name or gid; NULL: "posreader-admin" */
	unsigned pin_max_failures; /* 0: the engine's default */
	unsigned pin_lockout_s[3]; /* 0: the engine's default */
};

/* Set one setting by its name; -EINVAL (with a log line) if unknown. */
int config_set(struct config *c, const char *key, const char *value);

/* Read a config file; errors name the file and line. */
int config_load(struct config *c, const char *path);

/*
 * Check that text, len bytes read from the file at path, is a valid
 * config file: 0, or -EINVAL with a message naming path and the line in
 * why (cap bytes, printable ASCII), as config_load() would log it.
 */
int config_check(const char *path, const char *text, size_t len, char *why,
		 size_t cap);

/* Free everything c holds. */
void config_done(struct config *c);

#endif /* POSREADERD_CONFIG_H */
