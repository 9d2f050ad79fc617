/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration-test harness for posreaderd: a private dbus-daemon whose
 * policy includes the shipped dbus/org.posreader1.conf, simulators, the
 * daemon, and helpers to call methods and collect signals.
 *
 * Environment (set by meson): POSREADERD, POSREADER_SIM, POSREADER_POLICY,
 * POSREADER_DBUS_DIR. POSREADER_TEST_KEEP=1 keeps the scratch directory.
 *
 * For the VM harness, the same scenarios over the kernel or usb transport:
 * POSREADER_TEST_TRANSPORT=kernel|usb (the Transport property expected),
 * POSREADER_TEST_DAEMON_ARGS="--kernel" (added to posreaderd's arguments)
 * and POSREADER_TEST_SIM_CMD=PATH, run as "PATH SERIAL CONTROL CAPS" to
 * bring up a gadget simulator whose control socket is CONTROL, and
 * stopped with SIGTERM (tests/vm/gadget-sim.sh, run by
 * tests/vm/daemon-tests.sh). POSREADER_TEST_TIME_SCALE=N (1..20) gives
 * the harness's waits N times longer under an emulated CPU.
 */
#ifndef POSREADER_TEST_HARNESS_H
#define POSREADER_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

#define ENV_SIMS_MAX 10

struct env_sim {
	pid_t pid;
	char serial[33];
	char sock[128];
	char ctl[128];
};

struct env {
	char dir[64];
	char bus_address[256];
	char sim_dir[96];
	char lock_file[96];
	char daemon_log[96];
	pid_t dbus_pid;
	pid_t daemon_pid;
	struct env_sim sims[ENV_SIMS_MAX];
};

/* Make the scratch directory and start the private bus. */
int env_start_bus(struct env *e);

/* Start simulator slot i with serial (caps NULL: all); socket in sim_dir. */
int env_start_sim(struct env *e, unsigned int i, const char *serial,
		  const char *caps);

/* env_start_sim() with --pairing-key key_hex (NULL: the default key). */
int env_start_sim_key(struct env *e, unsigned int i, const char *serial,
		      const char *caps, const char *key_hex);

/*
 * Start simulator slot i with its socket outside the directory the daemon
 * watches: no daemon attaches it, so a client can talk to it directly.
 */
int env_start_sim_unwatched(struct env *e, unsigned int i, const char *serial);

/* Stop simulator slot i (SIGTERM, then wait). */
int env_stop_sim(struct env *e, unsigned int i);

/* Start posreaderd on the bus, watching sim_dir; waits for the name. */
int env_start_daemon(struct env *e);

/*
 * Start simulator slot 0 with serial, then posreaderd; returns the
 * reader's object path (free() it), or NULL if something failed.
 */
char *env_start_reader(struct env *e, const char *serial);

/*
 * For a cmocka group setup: env_start_bus(), then env_start_reader() with
 * its path in *ret_path; 0, or -1 if something failed.
 */
int env_group_setup_reader(struct env *e, const char *serial, char **ret_path);

/* The matching group teardown: env_stop(), free *path; returns 0. */
int env_group_teardown_reader(struct env *e, char **path);

/* Stop everything started and remove the scratch directory. */
void env_stop(struct env *e);

/* Run "posreader-sim ctl" for slot i with the NULL-ended words. */
int env_sim_ctl(struct env *e, unsigned int i, ...) __attribute__((sentinel));

/* The one-line "status" reply of simulator slot i into buf. */
int env_sim_status(struct env *e, unsigned int i, char *buf, size_t cap);

/* Set or clear the daemon's test lock (the --test-lock-file). */
int env_set_test_lock(struct env *e, bool locked);

/* True if the daemon process is still running. */
bool env_daemon_alive(struct env *e);

/* Open a new client connection to the private bus. */
int env_connect(struct env *e, sd_bus **ret_bus);

/* The transport under test: POSREADER_TEST_TRANSPORT, default "sim". */
const char *env_transport(void);

/* The object path of the reader with this serial (static buffer). */
const char *reader_path(const char *serial);

/* Read a string property of a Reader; *ret is malloc'ed. */
int reader_get_string(sd_bus *bus, const char *path, const char *prop,
		      char **ret);

/* Wait up to 5 s (scaled) until the Reader at path answers; fails the
 * test if not. */
void wait_reader_serial(sd_bus *bus, const char *path);

/* Read a boolean property of a Reader. */
int reader_get_bool(sd_bus *bus, const char *path, const char *prop, bool *ret);

/*
 * Call a Reader method (30 s timeout); returns 0 or the negative errno,
 * the error in last_error_name()/last_error_message() ("?" if the call
 * failed without a D-Bus error).
 */
int reader_call(sd_bus *bus, const char *path, const char *method,
		sd_bus_message **ret_reply, const char *types, ...);

/* Call Transmit(slot, apdu) like reader_call(). */
int reader_transmit(sd_bus *bus, const char *path, const char *slot,
		    const void *apdu, size_t len, sd_bus_message **ret_reply);

/*
 * The ids of the Terminal's LockReasons (a(sssasa{sv})), as a
 * NULL-terminated list to free with strv_free().
 */
int terminal_reason_ids(sd_bus *bus, char ***ret);

/* Free a NULL-terminated string list; NULL is fine. */
void strv_free(char **v);

/* The D-Bus error name of the last call made through the harness
 * (reader_call(), terminal_call(), ...), "" if it succeeded. */
const char *last_error_name(void);

/* The message of that error ("" after success). */
const char *last_error_message(void);

/*
 * Keep error for last_error_name()/_message() ("?" if it has no name);
 * NULL clears them.
 */
void set_last_error(const sd_bus_error *error);

/*
 * Call a Terminal method, waiting at most timeout_s seconds; returns 0 or
 * the negative errno, the error in last_error_name()/last_error_message()
 * ("?" if the call failed without a D-Bus error).
 */
int terminal_call(sd_bus *bus, unsigned int timeout_s, const char *method,
		  sd_bus_message **ret_reply, const char *types, ...);

/*
 * PairReader(serial, key, kcv); 0 or the negative errno, the error in
 * last_error_name()/last_error_message().
 */
int terminal_pair_reader(sd_bus *bus, const char *serial,
			 const uint8_t key[32], const uint8_t kcv[3]);

/*
 * Provision with the test master key (16 zero bytes, AES-128, whose KCV
 * the caller passes, right or wrong), these PINs and this acquirer public
 * key; errors as terminal_pair_reader().
 */
int terminal_provision(sd_bus *bus, const char *terminal_id,
		       const char *operator_pin, const char *supervisor_pin,
		       const uint8_t master_kcv[3],
		       const uint8_t acquirer_key[32]);

/* One entry of the Terminal's LockReasons. */
struct lock_reason {
	char subject[64], message[256];
	char ways[160]; /* the ways out, each followed by a comma */
	bool timed;	/* it has remaining_us */
	uint64_t remaining_us;
	int64_t until; /* "until", 0 if absent */
};

/*
 * Find the reason with id want in LockReasons; true and *ret (may be
 * NULL) if present. Fails the test on a malformed reply.
 */
bool find_reason(sd_bus *bus, const char *want, struct lock_reason *ret);

/* find_reason() for the reason want whose subject is subject. */
bool find_reason_of(sd_bus *bus, const char *want, const char *subject,
		    struct lock_reason *ret);

/*
 * How many of the first 1000 audit entries have this event, and this
 * caller and detail where they are not NULL (fails the test if GetAudit
 * does).
 */
unsigned int audit_count(sd_bus *bus, const char *event, const char *caller,
			 const char *detail);

/* Fail the test unless ret is an error and last_error_name() is name. */
void expect_bus_error(int ret, const char *name);

/* Copy the "ay" m is at into buf (cap bytes, asserted); its length. */
size_t read_ay(sd_bus_message *m, uint8_t *buf, size_t cap);

/* The Terminal's LockState (a static buffer); fails the test on error. */
const char *lock_state(sd_bus *bus);

/* Wait until LockState is want, pumping signals; false on timeout. */
bool wait_state(sd_bus *bus, const char *want, unsigned int ms);

/* Wait until the Reader's ClaimedBy equals owner ("" for free); the
 * timeout is scaled (scaled_ms()), as in the sig_log_wait*() below. */
int wait_claimed_by(sd_bus *bus, const char *path, const char *owner,
		    unsigned int timeout_ms);

/* Collected signals from org.posreader1. */
struct sig_log;

/* Start collecting signals (and PropertiesChanged) on bus. */
int sig_log_new(sd_bus *bus, struct sig_log **ret);

/* Stop collecting and free. */
void sig_log_free(struct sig_log *log);

/*
 * Wait for the next signal member on path (NULL: any path) not yet taken;
 * returns a new reference in *ret_msg (may be NULL), -ETIMEDOUT if none.
 */
int sig_log_wait(struct sig_log *log, const char *path, const char *member,
		 unsigned int timeout_ms, sd_bus_message **ret_msg);

/*
 * Wait for a PropertiesChanged on path that sets ClaimedBy to owner (""
 * for released); takes the PropertiesChanged signals it looks at.
 */
int sig_log_wait_claimed_by(struct sig_log *log, const char *path,
			    const char *owner, unsigned int timeout_ms);

/* Number of collected, untaken signals with this member (after draining). */
unsigned int sig_log_count(struct sig_log *log, const char *member);

/* Process bus traffic for ms milliseconds. */
void bus_pump(sd_bus *bus, unsigned int ms);

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

/* A wait of ms milliseconds, times POSREADER_TEST_TIME_SCALE. */
unsigned int scaled_ms(unsigned int ms);

/* Read a whole file (malloc'ed, NUL-terminated); NULL on error. */
char *read_file(const char *path);

#endif /* POSREADER_TEST_HARNESS_H */
