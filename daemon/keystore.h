/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Terminal keys in the state database, each with its key check value
 * (KCV), and a MAC over the whole store keyed from the master key.
 */
#ifndef POSREADER_KEYSTORE_H
#define POSREADER_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "statedb.h"

#define KEYSTORE_KCV_LEN  3
#define KEYSTORE_KEY_MAX  64
#define KEYSTORE_NAME_MAX 64

#define KEY_NAME_MASTER	   "terminal-master"
#define KEY_NAME_ACQUIRER  "acquirer-public"
#define KEY_NAME_DATA	   "working-data"
#define KEY_PAIRING_PREFIX "pairing:"

/* Algorithms, which also fix the length and how the KCV is computed. */
enum key_type {
	KEY_AES128 = 1,
	KEY_AES192,
	KEY_AES256,
	KEY_TDES2,	 /* 16 bytes, two-key triple DES */
	KEY_TDES3,	 /* 24 bytes */
	KEY_HMAC256,	 /* 32-byte HMAC-SHA256 key (reader pairing) */
	KEY_ED25519_PUB, /* 32-byte raw public key */
};

/* What a key is for; tamper zeroizes the working class. */
enum key_class {
	KEY_CLASS_MASTER = 1,
	KEY_CLASS_WORKING,
	KEY_CLASS_PAIRING,
	KEY_CLASS_PUBLIC,
};

/* The first failure keystore_check() found. */
struct keystore_problem {
	char key[KEYSTORE_NAME_MAX]; /* "" when the whole store is at fault */
	char message[256];
};

/* Byte length keys of this type must have; 0 for an unknown type. */
size_t keystore_type_len(enum key_type type);

/*
 * KCV of a key: the first 3 bytes of encrypting a zero block (AES, TDES),
 * of HMAC-SHA256(key, 16 zero bytes) (HMAC), or of SHA-256(key) (public).
 */
int keystore_kcv(enum key_type type, const uint8_t *key, size_t len,
		 uint8_t ret_kcv[KEYSTORE_KCV_LEN]);

/* KCV as six upper-case hex digits in buf (at least 7 bytes). */
const char *keystore_kcv_hex(const uint8_t *kcv, char *buf);

/*
 * Store a key (inside a transaction) and re-MAC the store. With
 * expected_kcv, a key whose KCV differs is refused with -EBADMSG.
 */
int keystore_put(struct statedb *db, const char *name, enum key_type type,
		 enum key_class cls, const uint8_t *key, size_t len,
		 const uint8_t *expected_kcv);

/*
 * Fetch a key, checking its KCV: -ENOENT if absent, -EBADMSG if damaged,
 * -ENOBUFS if cap is too small. ret_type may be NULL.
 */
int keystore_get(struct statedb *db, const char *name, uint8_t *buf, size_t cap,
		 size_t *ret_len, enum key_type *ret_type);

/* The stored KCV of a key; -ENOENT if absent. */
int keystore_get_kcv(struct statedb *db, const char *name,
		     uint8_t ret_kcv[KEYSTORE_KCV_LEN]);

/* Delete a key (inside a transaction); -ENOENT if absent. */
int keystore_delete(struct statedb *db, const char *name);

/* Overwrite and delete every key of a class (inside a tx). */
int keystore_zeroize_class(struct statedb *db, enum key_class cls,
			   unsigned *ret_count);

/*
 * Check every key's KCV and the store MAC. 0 if all is well, -EBADMSG
 * (problem filled in) if not, -ENOKEY if there is no master key at all.
 */
int keystore_check(struct statedb *db, struct keystore_problem *ret_problem);

/* Derive a 32-byte key for a purpose from the master key (HKDF-SHA256). */
int keystore_derive(struct statedb *db, const char *label, uint8_t ret_key[32]);

#endif /* POSREADER_KEYSTORE_H */
