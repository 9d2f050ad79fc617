/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integrity self-tests. Each check returns a structured result; the
 * reader checks take the reader's answers as input, so they run the same
 * whether the answers came from hardware, the simulator or a test.
 * selftest_apply() turns results into lock reasons: a failure adds its
 * reason, a pass clears only a reason that passing self-test may clear.
 */
#ifndef POSREADER_SELFTEST_H
#define POSREADER_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "statedb.h"

#define SELFTEST_AUTH_CHALLENGE_LEN 32
#define SELFTEST_AUTH_RESPONSE_LEN  32
#define SELFTEST_SUBJECT_MAX	    64
#define SELFTEST_MESSAGE_MAX	    256
#define SELFTEST_CONFIG_MAX	    (1024 * 1024) /* bytes of a config file */
#define SELFTEST_CONFIG_MAC_LEN	    32
#define SELFTEST_CONFIG_PATH_MAX    1024

/* Which check. */
enum selftest_check {
	SELFTEST_KEYSTORE,
	SELFTEST_CONFIG,
	SELFTEST_AUDIT,
	SELFTEST_READER_AUTH,
	SELFTEST_FIRMWARE,
	SELFTEST_TAMPER,
	SELFTEST_CHECK_COUNT
};

/* Outcome of a check. */
enum selftest_status {
	SELFTEST_PASS,
	SELFTEST_FAIL,
	SELFTEST_SKIPPED, /* nothing to check (no config, no allowlist) */
};

/* One check's result; subject names the reader for reader checks. */
struct selftest_result {
	enum selftest_check check;
	enum selftest_status status;
	char subject[SELFTEST_SUBJECT_MAX];
	char message[SELFTEST_MESSAGE_MAX];
};

/* "keystore", "config", "audit-log", "reader-auth", "firmware", "tamper". */
const char *selftest_check_name(enum selftest_check c);

/* "pass", "fail" or "skipped". */
const char *selftest_status_name(enum selftest_status s);

/* Key store: every key's KCV and the store MAC. */
int selftest_keystore(struct statedb *db, struct selftest_result *ret);

/* Audit log: the chain from its anchor to its head. */
int selftest_audit(struct statedb *db, struct selftest_result *ret);

/*
 * Configuration file at path: passes if "<path>.sig" holds a hex Ed25519
 * signature over it by the acquirer's key, or if the MAC sealed for path
 * (selftest_config_seal()) matches its contents. Fails, naming the file
 * and what did not match, if it is unsealed, changed, not the file that
 * was sealed, unreadable, or gone after it was sealed. NULL path, or no
 * file and no seal: skipped.
 */
int selftest_config(struct statedb *db, const char *path,
		    struct selftest_result *ret);

/*
 * Seal a configuration: store HMAC-SHA256 of data (the file's contents)
 * under the config-mac key, with path, in the state database. Inside a
 * transaction; -ENOKEY before provisioning.
 */
int selftest_config_seal(struct statedb *db, const char *path,
			 const uint8_t *data, size_t len);

/* Forget the configuration seal, if any (inside a transaction). */
int selftest_config_unseal(struct statedb *db);

/*
 * Read a configuration file (a regular file of at most
 * SELFTEST_CONFIG_MAX bytes, NUL-terminated in memory); free *ret.
 */
int selftest_config_read(const char *path, uint8_t **ret, size_t *ret_len);

/*
 * Reader authenticity: response must be HMAC-SHA256(pairing key,
 * PRW_AUTH_LABEL || challenge || serial) for the key paired to serial.
 */
int selftest_reader_auth(struct statedb *db, const char *serial,
			 const uint8_t *challenge, const uint8_t *response,
			 struct selftest_result *ret);

/* Reader firmware against the provisioned allowlist. */
int selftest_firmware(struct statedb *db, const char *serial,
		      const char *firmware, struct selftest_result *ret);

/* Reader tamper status as reported (0: none; PRW_TAMPER_* bits). */
int selftest_tamper(const char *serial, unsigned tamper,
		    struct selftest_result *ret);

/*
 * Record results as lock reasons and one audit entry (inside a
 * transaction). *ret_changed (may be NULL) counts reasons added/removed.
 */
int selftest_apply(struct statedb *db, const struct prclock_now *now,
		   const struct selftest_result *results, size_t n,
		   const char *caller, unsigned *ret_changed);

/*
 * path for messages and the audit log: printable ASCII only (others
 * become '?'), shortened from the left with "..." to fit cap (>= 8).
 * Returns buf.
 */
const char *selftest_path_shown(const char *path, char *buf, size_t cap);

/* Compute HMAC(key, PRW_AUTH_LABEL || challenge || serial): the answer a
 * genuine reader gives. For the simulator and tests. */
int selftest_auth_response(const uint8_t *key, size_t key_len,
			   const char *serial, const uint8_t *challenge,
			   uint8_t ret[SELFTEST_AUTH_RESPONSE_LEN]);

#endif /* POSREADER_SELFTEST_H */
