// SPDX-License-Identifier: GPL-2.0-or-later
/* Integrity self-tests and how their results become lock reasons. */

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <posreader/wire.h>

#include "util.h"
#include "audit.h"
#include "hex.h"
#include "keystore.h"
#include "lock.h"
#include "selftest.h"
#include "token.h"

/* Where a configuration seal lives in the state database (meta). */
#define META_CONFIG_MAC	 "config_mac"
#define META_CONFIG_PATH "config_sealed_path"

static const char *const check_names[SELFTEST_CHECK_COUNT] = {
	[SELFTEST_KEYSTORE] = "keystore",
	[SELFTEST_CONFIG] = "config",
	[SELFTEST_AUDIT] = "audit-log",
	[SELFTEST_READER_AUTH] = "reader-auth",
	[SELFTEST_FIRMWARE] = "firmware",
	[SELFTEST_TAMPER] = "tamper",
};

const char *selftest_check_name(enum selftest_check c)
{
	if ((unsigned)c >= SELFTEST_CHECK_COUNT)
		return "unknown";
	return check_names[c];
}

const char *selftest_status_name(enum selftest_status s)
{
	switch (s) {
	case SELFTEST_PASS:
		return "pass";
	case SELFTEST_FAIL:
		return "fail";
	case SELFTEST_SKIPPED:
		return "skipped";
	}
	return "fail";
}

__attribute__((format(printf, 5, 6))) static void
result(struct selftest_result *ret, enum selftest_check check,
       enum selftest_status status, const char *subject, const char *fmt, ...)
{
	va_list ap;

	memset(ret, 0, sizeof(*ret));
	ret->check = check;
	ret->status = status;
	snprintf(ret->subject, sizeof(ret->subject), "%s",
		 subject ? subject : "");
	va_start(ap, fmt);
	vsnprintf(ret->message, sizeof(ret->message), fmt, ap);
	va_end(ap);
}

int selftest_keystore(struct statedb *db, struct selftest_result *ret)
{
	struct keystore_problem p;
	int r;

	r = keystore_check(db, &p);
	if (r == 0)
		result(ret, SELFTEST_KEYSTORE, SELFTEST_PASS, NULL,
		       "every key matches its check value and the store MAC "
		       "matches");
	else if (r == -ENOKEY)
		result(ret, SELFTEST_KEYSTORE, SELFTEST_FAIL, NULL,
		       "the terminal master key is missing");
	else if (r == -EBADMSG)
		result(ret, SELFTEST_KEYSTORE, SELFTEST_FAIL, NULL, "%s",
		       p.message);
	else
		return r;
	return 0;
}

int selftest_audit(struct statedb *db, struct selftest_result *ret)
{
	int64_t bad = 0;
	int r;

	r = audit_verify(db, &bad);
	if (r == 0)
		result(ret, SELFTEST_AUDIT, SELFTEST_PASS, NULL,
		       "the audit chain is intact");
	else if (r == -EBADMSG)
		result(ret, SELFTEST_AUDIT, SELFTEST_FAIL, NULL,
		       "the audit chain is broken at entry %lld",
		       (long long)bad);
	else
		return r;
	return 0;
}

/* Read a whole small file; -ENOENT, -EFBIG or -errno. */
static int read_small_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	size_t off = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > SELFTEST_CONFIG_MAX)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = 0;
	*ret = buf;
	buf = NULL;
	*ret_len = off;
	return 0;
}

int selftest_config_read(const char *path, uint8_t **ret, size_t *ret_len)
{
	if (!path || !ret || !ret_len)
		return -EINVAL;
	return read_small_file(path, ret, ret_len);
}

/* A sidecar file holding hex (trailing newline allowed), decoded. */
static int read_hex_sidecar(const char *path, const char *suffix, uint8_t *out,
			    size_t n)
{
	_cleanup_free_ uint8_t *buf = NULL;
	char name[4096];
	size_t len;
	int r;

	if (snprintf(name, sizeof(name), "%s%s", path, suffix) >=
	    (int)sizeof(name))
		return -ENAMETOOLONG;
	r = read_small_file(name, &buf, &len);
	if (r < 0)
		return r;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = 0;
	if (strlen((char *)buf) != len)
		return -EINVAL;
	return hex_decode((const char *)buf, out, n);
}

static int config_mac(struct statedb *db, const uint8_t *data, size_t len,
		      uint8_t ret[SELFTEST_CONFIG_MAC_LEN])
{
	uint8_t key[32];
	size_t out = 0;
	int r;

	r = keystore_derive(db, "config-mac", key);
	if (r < 0)
		return r;
	r = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, sizeof(key),
		      data, len, ret, SELFTEST_CONFIG_MAC_LEN, &out) &&
			    out == SELFTEST_CONFIG_MAC_LEN ?
		    0 :
		    -EIO;
	secure_zero(key, sizeof(key));
	return r;
}

int selftest_config_seal(struct statedb *db, const char *path,
			 const uint8_t *data, size_t len)
{
	uint8_t mac[SELFTEST_CONFIG_MAC_LEN];
	size_t plen;
	int r;

	if (!path || (!data && len))
		return -EINVAL;
	plen = strlen(path);
	if (plen == 0 || plen > SELFTEST_CONFIG_PATH_MAX)
		return -ENAMETOOLONG;
	r = config_mac(db, data ? data : (const uint8_t *)"", len, mac);
	if (r < 0)
		return r;
	r = statedb_meta_set_blob(db, META_CONFIG_MAC, mac, sizeof(mac));
	if (r == 0)
		r = statedb_meta_set_blob(db, META_CONFIG_PATH, path, plen);
	return r;
}

int selftest_config_unseal(struct statedb *db)
{
	int r;

	r = statedb_meta_delete(db, META_CONFIG_MAC);
	if (r == 0 || r == -ENOENT)
		r = statedb_meta_delete(db, META_CONFIG_PATH);
	return r == -ENOENT ? 0 : r;
}

/* The stored seal: MAC and the path it was made for. -ENOENT if none. */
static int load_seal(struct statedb *db, uint8_t mac[SELFTEST_CONFIG_MAC_LEN],
		     char path[SELFTEST_CONFIG_PATH_MAX + 1])
{
	size_t len = 0;
	int r;

	r = statedb_meta_get_blob(db, META_CONFIG_MAC, mac,
				  SELFTEST_CONFIG_MAC_LEN, &len);
	if (r < 0)
		return r;
	if (len != SELFTEST_CONFIG_MAC_LEN)
		return -EBADMSG;
	r = statedb_meta_get_blob(db, META_CONFIG_PATH, path,
				  SELFTEST_CONFIG_PATH_MAX, &len);
	if (r == -ENOENT || r == -ENOBUFS)
		return -EBADMSG;
	if (r < 0)
		return r;
	path[len] = '\0';
	return 0;
}

static int verify_config_sig(struct statedb *db, const uint8_t *data,
			     size_t len, const uint8_t *sig)
{
	uint8_t pub[TOKEN_PUBKEY_LEN];
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *key = NULL;
	size_t klen;
	int r;

	r = keystore_get(db, KEY_NAME_ACQUIRER, pub, sizeof(pub), &klen, NULL);
	if (r < 0)
		return r;
	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, klen);
	md = EVP_MD_CTX_new();
	r = -EIO;
	if (!key || !md || EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) != 1)
		goto out;
	r = EVP_DigestVerify(md, sig, TOKEN_SIG_LEN, data, len) == 1 ? 0 :
								       -EBADMSG;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return r;
}

const char *selftest_path_shown(const char *path, char *buf, size_t cap)
{
	size_t len = strlen(path), skip = 0, i;

	if (len >= cap)
		skip = len - (cap - 4);
	if (skip)
		memcpy(buf, "...", 3);
	for (i = 0; path[skip + i]; i++) {
		unsigned char ch = (unsigned char)path[skip + i];

		buf[(skip ? 3 : 0) + i] = ch < 0x20 || ch > 0x7e ? '?' : ch;
	}
	buf[(skip ? 3 : 0) + i] = '\0';
	return buf;
}

/* What the acquirer's signature, CONFIG.sig, says about data. */
enum sig_verdict {
	SIG_NONE,
	SIG_VALID,
	SIG_INVALID,
	SIG_MALFORMED
};

static enum sig_verdict check_sig(struct statedb *db, const char *path,
				  const uint8_t *data, size_t len)
{
	uint8_t sig[TOKEN_SIG_LEN];
	int r;

	r = read_hex_sidecar(path, ".sig", sig, sizeof(sig));
	if (r == -ENOENT)
		return SIG_NONE;
	if (r < 0)
		return SIG_MALFORMED;
	return verify_config_sig(db, data, len, sig) == 0 ? SIG_VALID :
							    SIG_INVALID;
}

/* " (and PATH.sig ...)": the signature's part of a failure message. */
static const char *sig_note(enum sig_verdict v)
{
	switch (v) {
	case SIG_INVALID:
		return "; its .sig does not verify with the acquirer's key";
	case SIG_MALFORMED:
		return "; its .sig is malformed";
	default:
		return "";
	}
}

int selftest_config(struct statedb *db, const char *path,
		    struct selftest_result *ret)
{
	_cleanup_free_ uint8_t *data = NULL;
	uint8_t mac[SELFTEST_CONFIG_MAC_LEN], want[SELFTEST_CONFIG_MAC_LEN];
	char sealed[SELFTEST_CONFIG_PATH_MAX + 1], name[128];
	enum sig_verdict sig;
	size_t len;
	int r, seal;

	if (!path) {
		result(ret, SELFTEST_CONFIG, SELFTEST_SKIPPED, NULL,
		       "no configuration file in use");
		return 0;
	}
	selftest_path_shown(path, name, sizeof(name));
	seal = load_seal(db, want, sealed);
	if (seal < 0 && seal != -ENOENT && seal != -EBADMSG)
		return seal;
	r = read_small_file(path, &data, &len);
	if (r == -ENOENT && seal == -ENOENT) {
		result(ret, SELFTEST_CONFIG, SELFTEST_SKIPPED, NULL,
		       "no configuration file at %s", name);
		return 0;
	}
	if (r == -ENOENT) {
		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "configuration %s is gone, but a configuration was "
		       "sealed",
		       name);
		return 0;
	}
	if (r < 0) {
		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "configuration %s cannot be read: %s", name,
		       strerror(-r));
		return 0;
	}

	sig = check_sig(db, path, data, len);
	if (sig == SIG_VALID) {
		result(ret, SELFTEST_CONFIG, SELFTEST_PASS, NULL,
		       "configuration %s: the acquirer's signature in its "
		       ".sig verifies",
		       name);
		return 0;
	}
	if (seal == -ENOENT) {
		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "configuration %s is not sealed: no MAC in the state "
		       "and no valid acquirer signature (.sig)%s",
		       name, sig_note(sig));
		return 0;
	}
	if (seal == -EBADMSG) {
		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "the configuration seal in the state is damaged; %s "
		       "cannot be checked%s",
		       name, sig_note(sig));
		return 0;
	}
	if (strcmp(sealed, path) != 0) {
		char other[64];

		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "configuration %s is not the file that was sealed "
		       "(%s)%s",
		       name, selftest_path_shown(sealed, other, sizeof(other)),
		       sig_note(sig));
		return 0;
	}
	r = config_mac(db, data, len, mac);
	if (r < 0) {
		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "configuration %s cannot be checked: %s", name,
		       r == -ENOKEY ? "no terminal key" : strerror(-r));
		return 0;
	}
	if (CRYPTO_memcmp(mac, want, sizeof(mac)) == 0)
		result(ret, SELFTEST_CONFIG, SELFTEST_PASS, NULL,
		       "configuration %s matches the MAC it was sealed with",
		       name);
	else
		result(ret, SELFTEST_CONFIG, SELFTEST_FAIL, NULL,
		       "configuration %s was changed after it was sealed: its "
		       "contents do not match the sealed MAC%s",
		       name, sig_note(sig));
	return 0;
}

int selftest_auth_response(const uint8_t *key, size_t key_len,
			   const char *serial, const uint8_t *challenge,
			   uint8_t ret[SELFTEST_AUTH_RESPONSE_LEN])
{
	uint8_t msg[sizeof(PRW_AUTH_LABEL) + PRW_AUTH_CHALLENGE_LEN +
		    PRW_STR_MAX];
	size_t slen = strlen(serial), off = sizeof(PRW_AUTH_LABEL) - 1;
	size_t out = 0;

	if (slen == 0 || slen > PRW_STR_MAX)
		return -EINVAL;
	memcpy(msg, PRW_AUTH_LABEL, off);
	memcpy(msg + off, challenge, PRW_AUTH_CHALLENGE_LEN);
	off += PRW_AUTH_CHALLENGE_LEN;
	memcpy(msg + off, serial, slen);
	off += slen;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, msg,
		       off, ret, SELFTEST_AUTH_RESPONSE_LEN, &out) ||
	    out != SELFTEST_AUTH_RESPONSE_LEN)
		return -EIO;
	return 0;
}

int selftest_reader_auth(struct statedb *db, const char *serial,
			 const uint8_t *challenge, const uint8_t *response,
			 struct selftest_result *ret)
{
	uint8_t key[KEYSTORE_KEY_MAX], want[SELFTEST_AUTH_RESPONSE_LEN];
	char name[KEYSTORE_NAME_MAX];
	size_t len;
	int r;

	if (!serial || !*serial || strlen(serial) > PRW_STR_MAX)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s%s", KEY_PAIRING_PREFIX, serial);
	r = keystore_get(db, name, key, sizeof(key), &len, NULL);
	if (r == -ENOENT || r == -EBADMSG) {
		result(ret, SELFTEST_READER_AUTH, SELFTEST_FAIL, serial,
		       r == -ENOENT ? "reader %s is not paired with this "
				      "terminal" :
				      "the pairing key of reader %s is damaged",
		       serial);
		return 0;
	}
	if (r < 0)
		return r;
	if (!response) {
		result(ret, SELFTEST_READER_AUTH, SELFTEST_FAIL, serial,
		       "reader %s did not answer the authentication "
		       "challenge",
		       serial);
		goto out;
	}
	r = selftest_auth_response(key, len, serial, challenge, want);
	if (r < 0)
		goto out;
	if (CRYPTO_memcmp(want, response, sizeof(want)) == 0)
		result(ret, SELFTEST_READER_AUTH, SELFTEST_PASS, serial,
		       "reader %s proved its pairing key", serial);
	else
		result(ret, SELFTEST_READER_AUTH, SELFTEST_FAIL, serial,
		       "reader %s gave a wrong authentication response",
		       serial);
out:
	secure_zero(key, sizeof(key));
	return r;
}

int selftest_firmware(struct statedb *db, const char *serial,
		      const char *firmware, struct selftest_result *ret)
{
	char list[1024];
	char *save = NULL, *tok;
	size_t len;
	int r;

	if (!serial || !firmware)
		return -EINVAL;
	r = statedb_meta_get_blob(db, "firmware_allowlist", list,
				  sizeof(list) - 1, &len);
	if (r == -ENOENT || (r == 0 && len == 0)) {
		result(ret, SELFTEST_FIRMWARE, SELFTEST_SKIPPED, serial,
		       "no firmware allowlist is provisioned");
		return 0;
	}
	if (r < 0)
		return r;
	list[len] = '\0';
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, firmware) == 0) {
			result(ret, SELFTEST_FIRMWARE, SELFTEST_PASS, serial,
			       "reader %s runs allowed firmware %s", serial,
			       firmware);
			return 0;
		}
	}
	result(ret, SELFTEST_FIRMWARE, SELFTEST_FAIL, serial,
	       "reader %s runs firmware '%.32s', which is not on the "
	       "allowlist",
	       serial, firmware);
	return 0;
}

int selftest_tamper(const char *serial, unsigned tamper,
		    struct selftest_result *ret)
{
	if (!serial)
		return -EINVAL;
	if (!tamper)
		result(ret, SELFTEST_TAMPER, SELFTEST_PASS, serial,
		       "reader %s reports no tamper", serial);
	else
		result(ret, SELFTEST_TAMPER, SELFTEST_FAIL, serial,
		       "reader %s reports tamper (cause 0x%02x)", serial,
		       tamper & 0xff);
	return 0;
}

/* The lock reason a check's failure sets, and its subject. */
static const char *reason_for(const struct selftest_result *res, char *subject,
			      size_t cap)
{
	switch (res->check) {
	case SELFTEST_KEYSTORE:
		subject[0] = '\0';
		return LOCK_R_KEYS;
	case SELFTEST_READER_AUTH:
		snprintf(subject, cap, "%s", res->subject);
		return LOCK_R_READER;
	case SELFTEST_TAMPER:
		snprintf(subject, cap, "%s", res->subject);
		return LOCK_R_TAMPER;
	case SELFTEST_FIRMWARE:
		snprintf(subject, cap, "firmware:%s", res->subject);
		return LOCK_R_INTEGRITY;
	default:
		snprintf(subject, cap, "%s", selftest_check_name(res->check));
		return LOCK_R_INTEGRITY;
	}
}

static int apply_one(struct statedb *db, const struct prclock_now *now,
		     const struct selftest_result *res, unsigned *changed)
{
	char subject[LOCK_SUBJECT_MAX], msg[LOCK_MESSAGE_MAX];
	struct lock_reason reason;
	const char *id;
	unsigned removed = 0;
	int r;

	id = reason_for(res, subject, sizeof(subject));
	if (res->status == SELFTEST_FAIL) {
		snprintf(msg, sizeof(msg), "self-test %s failed: %s",
			 selftest_check_name(res->check), res->message);
		r = lock_reason_init(&reason, id, subject, now, msg);
		if (r < 0)
			return r;
		/* A broken chain cannot be mended by re-running the test. */
		if (res->check == SELFTEST_AUDIT)
			reason.clears = LOCK_CLEARS_ACQUIRER_TOKEN;
		r = lock_reason_exists(db, id, subject);
		if (r < 0)
			return r;
		if (r == 0)
			(*changed)++;
		if (r == 0 || res->check != SELFTEST_TAMPER)
			r = lock_reason_put(db, &reason);
		return r < 0 ? r : 0;
	}

	/* A pass clears only a reason that says self-test may clear it. */
	{
		_cleanup_stmt_ sqlite3_stmt *st = NULL;

		r = statedb_prepare(db,
				    "DELETE FROM reasons WHERE id = ? AND "
				    "subject = ? AND (clears & ?) != 0",
				    &st);
		if (r < 0)
			return r;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, LOCK_CLEARS_SELFTEST);
		r = statedb_errno(sqlite3_step(st));
		if (r < 0)
			return r;
		removed = (unsigned)sqlite3_changes(statedb_sqlite(db));
	}
	*changed += removed;
	return 0;
}

int selftest_apply(struct statedb *db, const struct prclock_now *now,
		   const struct selftest_result *results, size_t n,
		   const char *caller, unsigned *ret_changed)
{
	unsigned changed = 0, failed = 0;
	char detail[AUDIT_DETAIL_MAX];
	size_t i, off;
	int r;

	for (i = 0; i < n; i++) {
		r = apply_one(db, now, &results[i], &changed);
		if (r < 0)
			return r;
		if (results[i].status == SELFTEST_FAIL)
			failed++;
	}
	off = (size_t)snprintf(detail, sizeof(detail), "%zu checks, %u failed",
			       n, failed);
	for (i = 0; i < n && off < sizeof(detail); i++)
		if (results[i].status == SELFTEST_FAIL)
			off += (size_t)snprintf(
				detail + off, sizeof(detail) - off, "; %s%s%s",
				selftest_check_name(results[i].check),
				results[i].subject[0] ? " " : "",
				results[i].subject);
	r = audit_append(db, now,
			 failed ? "selftest-failed" : "selftest-passed", caller,
			 detail);
	if (r < 0)
		return r;
	if (ret_changed)
		*ret_changed = changed;
	return 0;
}
