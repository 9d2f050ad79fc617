/* SPDX-License-Identifier: GPL-2.0-or-later */
/* posreaderctl: shared state, output helpers and the commands. */
#ifndef POSREADERCTL_CTL_H
#define POSREADERCTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <systemd/sd-bus.h>

/* Exit codes (docs/dbus-api.md repeats them). */
#define CTL_EXIT_OK	     0
#define CTL_EXIT_FAILURE     1 /* the daemon refused or failed */
#define CTL_EXIT_USAGE	     2
#define CTL_EXIT_UNAVAILABLE 3 /* no bus, or posreaderd not running */
#define CTL_EXIT_TIMEOUT     4 /* wait-card: no card in time */

#define CTL_BUS_NAME	   "org.posreader1"
#define CTL_ROOT_PATH	   "/org/posreader1"
#define CTL_READER_IFACE   "org.posreader1.Reader"
#define CTL_TERMINAL_IFACE "org.posreader1.Terminal"

struct ctl {
	sd_bus *bus;
	bool json;
	const char *reader;  /* --reader: serial, id or object path */
	const char *kinds;   /* --kinds */
	uint32_t timeout_ms; /* --timeout */
	const char *slot;    /* --slot */
	bool channel;	     /* --channel */
};

/* One reader as GetManagedObjects describes it. */
struct ctl_reader {
	char *path;
	char *name;
	char *serial;
	char *firmware;
	char *transport;
	char *claimed_by;
	char **caps;
	bool card_present;
};

#define CTL_WAYS_MAX 6

/* One entry of the Terminal's LockReasons. */
struct ctl_reason {
	char id[32];
	char subject[64];
	char message[256];
	char ways[CTL_WAYS_MAX][24];
	size_t n_ways;
	char kind[16];
	bool timed;
	uint64_t remaining_us;
	int64_t until_us;
	int64_t since_us;
};

/* The Terminal's state as posreaderctl shows it. */
struct ctl_terminal {
	char state[16];
	uint32_t retries;
	int64_t locked_until_us;
	struct ctl_reason *reasons;
	size_t n;
};

/* Read LockState, LockReasons, OperatorPinRetries and LockedUntil. */
int ctl_terminal_load(sd_bus *bus, struct ctl_terminal *t, sd_bus_error *error);

/* Free what ctl_terminal_load() allocated. */
void ctl_terminal_done(struct ctl_terminal *t);

/* Wall-clock µs as "YYYY-MM-DD HH:MM:SS UTC" in buf ("-" if 0). */
const char *ctl_wall_time(int64_t us, char *buf, size_t cap);

/* Read every reader; *ret_readers is freed with ctl_readers_free(). */
int ctl_readers_load(sd_bus *bus, struct ctl_reader **ret_readers,
		     size_t *ret_n);

/* Free what ctl_readers_load() returned. */
void ctl_readers_free(struct ctl_reader *readers, size_t n);

/* The object path of the reader --reader names (or the only one). */
int ctl_pick_reader(struct ctl *c, char **ret_path);

/* Print a D-Bus failure as "posreaderctl: what: message (name)". */
int ctl_error(const char *what, const sd_bus_error *error, int ret);

/* Map an error to an exit code. */
int ctl_exit_code(const sd_bus_error *error, int ret);

/* Write s as a JSON string literal. */
void json_string(FILE *f, const char *s);

/* Write bytes as lower-case hex (no separators). */
void hex_bytes(FILE *f, const uint8_t *p, size_t n);

/* Print an a{sv} card dictionary: readable "key: value" or JSON. */
int print_card_dict(sd_bus_message *m, bool json, const char *indent);

/* Read one line from stdin without its newline; -ENODATA at EOF. */
int ctl_read_secret_line(char *buf, size_t cap);

/* Parse hex (blanks and ':' allowed between bytes) into out. */
int ctl_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len);

/* Read a whole (small) file; -E2BIG if larger than cap. */
int ctl_read_file(const char *path, uint8_t *buf, size_t cap, size_t *ret_len);

/* The commands; each returns an exit code. */
int cmd_status(struct ctl *c);
int cmd_readers(struct ctl *c);
int cmd_monitor(struct ctl *c);
int cmd_wait_card(struct ctl *c);
int cmd_apdu(struct ctl *c, int argc, char **argv);
int cmd_pin(struct ctl *c, int argc, char **argv);
int cmd_unlock_challenge(struct ctl *c);
int cmd_apply_token(struct ctl *c, int argc, char **argv);
int cmd_selftest(struct ctl *c);
int cmd_audit(struct ctl *c, int argc, char **argv);
int cmd_provision(struct ctl *c, int argc, char **argv);
int cmd_pair(struct ctl *c, int argc, char **argv);
int cmd_seal_config(struct ctl *c);

#endif /* POSREADERCTL_CTL_H */
