// SPDX-License-Identifier: GPL-2.0-or-later
/* Keys with check values and a MAC over the store. */

#include <errno.h>
#include <stdbool.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "keystore.h"

#define STORE_MAC_LEN 32

size_t keystore_type_len(enum key_type type)
{
	switch (type) {
	case KEY_AES128:
	case KEY_TDES2:
		return 16;
	case KEY_AES192:
	case KEY_TDES3:
		return 24;
	case KEY_AES256:
	case KEY_HMAC256:
	case KEY_ED25519_PUB:
		return 32;
	}
	return 0;
}

static int ecb_zero_block(const char *cipher_name, const uint8_t *key,
			  size_t block, uint8_t *ret)
{
	static const uint8_t zero[16];
	EVP_CIPHER_CTX *ctx = NULL;
	EVP_CIPHER *cipher;
	int len = 0, r = -EIO;

	cipher = EVP_CIPHER_fetch(NULL, cipher_name, NULL);
	if (!cipher)
		return -EOPNOTSUPP;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		goto out;
	if (EVP_EncryptInit_ex2(ctx, cipher, key, NULL, NULL) != 1)
		goto out;
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	if (EVP_EncryptUpdate(ctx, ret, &len, zero, (int)block) != 1 ||
	    len != (int)block)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return r;
}

static int hmac_sha256(const uint8_t *key, size_t key_len, const void *data,
		       size_t len, uint8_t *ret)
{
	size_t out = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, data,
		       len, ret, 32, &out) ||
	    out != 32)
		return -EIO;
	return 0;
}

int keystore_kcv(enum key_type type, const uint8_t *key, size_t len,
		 uint8_t ret_kcv[KEYSTORE_KCV_LEN])
{
	static const uint8_t zero[16];
	uint8_t out[32];
	int r;

	if (!key || len != keystore_type_len(type))
		return -EINVAL;
	switch (type) {
	case KEY_AES128:
		r = ecb_zero_block("AES-128-ECB", key, 16, out);
		break;
	case KEY_AES192:
		r = ecb_zero_block("AES-192-ECB", key, 16, out);
		break;
	case KEY_AES256:
		r = ecb_zero_block("AES-256-ECB", key, 16, out);
		break;
	case KEY_TDES2:
		r = ecb_zero_block("DES-EDE-ECB", key, 8, out);
		break;
	case KEY_TDES3:
		r = ecb_zero_block("DES-EDE3-ECB", key, 8, out);
		break;
	case KEY_HMAC256:
		r = hmac_sha256(key, len, zero, sizeof(zero), out);
		break;
	case KEY_ED25519_PUB:
		r = EVP_Q_digest(NULL, "SHA256", NULL, key, len, out, NULL) ?
			    0 :
			    -EIO;
		break;
	default:
		return -EINVAL;
	}
	if (r == 0)
		memcpy(ret_kcv, out, KEYSTORE_KCV_LEN);
	secure_zero(out, sizeof(out));
	return r;
}

const char *keystore_kcv_hex(const uint8_t *kcv, char *buf)
{
	snprintf(buf, 7, "%02X%02X%02X", kcv[0], kcv[1], kcv[2]);
	return buf;
}

/* Printable ASCII, spaces included: a pairing key is named after the
 * reader's serial, which the protocol lets hold spaces. */
static bool name_ok(const char *name)
{
	size_t i;

	if (!name || !*name)
		return false;
	for (i = 0; name[i]; i++)
		if (i + 1 >= KEYSTORE_NAME_MAX || name[i] < 0x20 ||
		    name[i] > 0x7e)
			return false;
	return true;
}

static int master_key(struct statedb *db, uint8_t *buf, size_t *ret_len)
{
	return keystore_get(db, KEY_NAME_MASTER, buf, KEYSTORE_KEY_MAX, ret_len,
			    NULL);
}

int keystore_derive(struct statedb *db, const char *label, uint8_t ret_key[32])
{
	uint8_t master[KEYSTORE_KEY_MAX];
	OSSL_PARAM params[5], *p = params;
	EVP_KDF_CTX *ctx = NULL;
	EVP_KDF *kdf = NULL;
	size_t len;
	int r;

	r = master_key(db, master, &len);
	if (r < 0)
		return r == -ENOENT ? -ENOKEY : r;
	r = -EIO;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		goto out;
	ctx = EVP_KDF_CTX_new(kdf);
	if (!ctx)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, master,
						 len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 (char *)"posreader-v1", 12);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 (char *)label, strlen(label));
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, ret_key, 32, params) == 1)
		r = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	secure_zero(master, sizeof(master));
	return r;
}

/* MAC over every row in name order; -ENOKEY without a master key. */
static int store_mac(struct statedb *db, uint8_t ret[STORE_MAC_LEN])
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	uint8_t mkey[32];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac = NULL;
	OSSL_PARAM params[2];
	size_t out = 0;
	int r;

	r = keystore_derive(db, "keystore-mac", mkey);
	if (r < 0)
		return r;
	r = statedb_prepare(db,
			    "SELECT name, type, class, value, kcv FROM keys "
			    "ORDER BY name",
			    &st);
	if (r < 0)
		goto out;
	r = -EIO;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (!ctx)
		goto out;
	params[0] =
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, mkey, sizeof(mkey), params) != 1)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int col;

		for (col = 0; col < 5; col++) {
			int n = sqlite3_column_bytes(st, col);
			const void *v = sqlite3_column_blob(st, col);
			uint8_t hdr[5] = { (uint8_t)col, (uint8_t)(n >> 24),
					   (uint8_t)(n >> 16),
					   (uint8_t)(n >> 8), (uint8_t)n };

			if (col == 1 || col == 2) {
				hdr[4] = (uint8_t)sqlite3_column_int(st, col);
				EVP_MAC_update(ctx, hdr, sizeof(hdr));
				continue;
			}
			EVP_MAC_update(ctx, hdr, sizeof(hdr));
			if (n > 0)
				EVP_MAC_update(ctx, v, (size_t)n);
		}
	}
	r = statedb_errno(r);
	if (r < 0)
		goto out;
	r = EVP_MAC_final(ctx, ret, &out, STORE_MAC_LEN) == 1 &&
			    out == STORE_MAC_LEN ?
		    0 :
		    -EIO;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	secure_zero(mkey, sizeof(mkey));
	return r;
}

static int update_mac(struct statedb *db)
{
	uint8_t mac[STORE_MAC_LEN];
	int r;

	r = store_mac(db, mac);
	if (r == -ENOKEY)
		return statedb_meta_delete(db, "keystore_mac");
	if (r < 0)
		return r;
	return statedb_meta_set_blob(db, "keystore_mac", mac, sizeof(mac));
}

int keystore_put(struct statedb *db, const char *name, enum key_type type,
		 enum key_class cls, const uint8_t *key, size_t len,
		 const uint8_t *expected_kcv)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	uint8_t kcv[KEYSTORE_KCV_LEN];
	int r;

	if (!name_ok(name) || cls < KEY_CLASS_MASTER || cls > KEY_CLASS_PUBLIC)
		return -EINVAL;
	r = keystore_kcv(type, key, len, kcv);
	if (r < 0)
		return r;
	if (expected_kcv && CRYPTO_memcmp(kcv, expected_kcv, sizeof(kcv)))
		return -EBADMSG;
	r = statedb_prepare(db,
			    "INSERT OR REPLACE INTO keys(name, type, class, "
			    "value, kcv) VALUES (?, ?, ?, ?, ?)",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, type);
	sqlite3_bind_int(st, 3, cls);
	sqlite3_bind_blob(st, 4, key, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, kcv, sizeof(kcv), SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r < 0)
		return r;
	return update_mac(db);
}

int keystore_get(struct statedb *db, const char *name, uint8_t *buf, size_t cap,
		 size_t *ret_len, enum key_type *ret_type)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	uint8_t kcv[KEYSTORE_KCV_LEN];
	enum key_type type;
	const void *v;
	int r, n;

	r = statedb_prepare(
		db, "SELECT type, value, kcv FROM keys WHERE name = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return -ENOENT;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	type = (enum key_type)sqlite3_column_int(st, 0);
	v = sqlite3_column_blob(st, 1);
	n = sqlite3_column_bytes(st, 1);
	if (n <= 0 || (size_t)n != keystore_type_len(type) ||
	    sqlite3_column_bytes(st, 2) != KEYSTORE_KCV_LEN)
		return -EBADMSG;
	if ((size_t)n > cap)
		return -ENOBUFS;
	r = keystore_kcv(type, v, (size_t)n, kcv);
	if (r < 0)
		return r;
	if (CRYPTO_memcmp(kcv, sqlite3_column_blob(st, 2), sizeof(kcv)))
		return -EBADMSG;
	memcpy(buf, v, (size_t)n);
	*ret_len = (size_t)n;
	if (ret_type)
		*ret_type = type;
	return 0;
}

int keystore_get_kcv(struct statedb *db, const char *name,
		     uint8_t ret_kcv[KEYSTORE_KCV_LEN])
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare(db, "SELECT kcv FROM keys WHERE name = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return -ENOENT;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	if (sqlite3_column_bytes(st, 0) != KEYSTORE_KCV_LEN)
		return -EBADMSG;
	memcpy(ret_kcv, sqlite3_column_blob(st, 0), KEYSTORE_KCV_LEN);
	return 0;
}

int keystore_delete(struct statedb *db, const char *name)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare(db, "DELETE FROM keys WHERE name = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r < 0)
		return r;
	if (sqlite3_changes(statedb_sqlite(db)) == 0)
		return -ENOENT;
	return update_mac(db);
}

int keystore_zeroize_class(struct statedb *db, enum key_class cls,
			   unsigned *ret_count)
{
	_cleanup_stmt_ sqlite3_stmt *wipe = NULL, *del = NULL;
	int r;

	/* Overwrite first; secure_delete then scrubs the freed pages. */
	r = statedb_prepare(db,
			    "UPDATE keys SET value = zeroblob(length(value)) "
			    "WHERE class = ?",
			    &wipe);
	if (r < 0)
		return r;
	sqlite3_bind_int(wipe, 1, cls);
	r = statedb_errno(sqlite3_step(wipe));
	if (r < 0)
		return r;
	r = statedb_prepare(db, "DELETE FROM keys WHERE class = ?", &del);
	if (r < 0)
		return r;
	sqlite3_bind_int(del, 1, cls);
	r = statedb_errno(sqlite3_step(del));
	if (r < 0)
		return r;
	if (ret_count)
		*ret_count = (unsigned)sqlite3_changes(statedb_sqlite(db));
	return update_mac(db);
}

int keystore_check(struct statedb *db, struct keystore_problem *ret_problem)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct keystore_problem p = { 0 };
	uint8_t mac[STORE_MAC_LEN], stored[STORE_MAC_LEN];
	char want[8], got[8];
	bool have_master = false;
	size_t len;
	int r;

	r = statedb_prepare(db,
			    "SELECT name, type, value, kcv FROM keys "
			    "ORDER BY name",
			    &st);
	if (r < 0)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		enum key_type type = (enum key_type)sqlite3_column_int(st, 1);
		int n = sqlite3_column_bytes(st, 2);
		uint8_t kcv[KEYSTORE_KCV_LEN] = { 0 };

		if (name && strcmp(name, KEY_NAME_MASTER) == 0)
			have_master = true;
		if (p.message[0])
			continue;
		snprintf(p.key, sizeof(p.key), "%s", name ? name : "");
		if (sqlite3_column_bytes(st, 3) != KEYSTORE_KCV_LEN || n <= 0 ||
		    (size_t)n != keystore_type_len(type) ||
		    keystore_kcv(type, sqlite3_column_blob(st, 2), (size_t)n,
				 kcv) < 0) {
			snprintf(p.message, sizeof(p.message),
				 "key '%s' is malformed", p.key);
			continue;
		}
		if (CRYPTO_memcmp(kcv, sqlite3_column_blob(st, 3),
				  sizeof(kcv))) {
			keystore_kcv_hex(sqlite3_column_blob(st, 3), want);
			keystore_kcv_hex(kcv, got);
			snprintf(p.message, sizeof(p.message),
				 "key '%s' has check value %s, expected %s",
				 p.key, got, want);
		}
	}
	r = statedb_errno(r);
	if (r < 0)
		return r;
	if (!p.message[0]) {
		p.key[0] = '\0';
		if (!have_master)
			return -ENOKEY;
		r = store_mac(db, mac);
		if (r < 0)
			return r;
		if (statedb_meta_get_blob(db, "keystore_mac", stored,
					  sizeof(stored), &len) < 0 ||
		    len != sizeof(stored) ||
		    CRYPTO_memcmp(mac, stored, sizeof(mac)))
			snprintf(p.message, sizeof(p.message),
				 "the key store MAC does not match its "
				 "contents");
	}
	if (!p.message[0])
		return 0;
	if (ret_problem)
		*ret_problem = p;
	return -EBADMSG;
}
