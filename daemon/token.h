/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Acquirer tokens: seal and unlock orders signed with the acquirer's
 * Ed25519 key, bound to a terminal id, an expiry and a challenge. The
 * binary format is documented in docs/security.md ("Token format").
 */
#ifndef POSREADER_TOKEN_H
#define POSREADER_TOKEN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_MAGIC	      "PRTK"
#define TOKEN_VERSION	      1
#define TOKEN_HDR_LEN	      8
#define TOKEN_SIG_LEN	      64
#define TOKEN_MAX_LEN	      1024
#define TOKEN_CHALLENGE_LEN   32
#define TOKEN_KEY_ID_LEN      8
#define TOKEN_PUBKEY_LEN      32
#define TOKEN_TERMINAL_ID_MAX 64
#define TOKEN_MESSAGE_MAX     128

/* TLV tags in the token body. */
enum token_tag {
	TOKEN_TAG_TERMINAL = 0x01,
	TOKEN_TAG_CHALLENGE = 0x02,
	TOKEN_TAG_EXPIRY = 0x03,
	TOKEN_TAG_KEY_ID = 0x04,
	TOKEN_TAG_MESSAGE = 0x05,
};

/* What a token orders. */
enum token_type {
	TOKEN_SEAL = 1,
	TOKEN_UNLOCK = 2,
};

/* Why a token was refused (TOKEN_OK if it was not). */
enum token_error {
	TOKEN_OK = 0,
	TOKEN_E_MALFORMED, /* not a well-formed token */
	TOKEN_E_VERSION,   /* a format version this build does not know */
	TOKEN_E_NO_KEY,	   /* no acquirer key provisioned */
	TOKEN_E_WRONG_KEY, /* made for another acquirer key */
	TOKEN_E_SIGNATURE, /* signature does not verify */
	TOKEN_E_TERMINAL,  /* for another terminal */
	TOKEN_E_EXPIRED,   /* past its expiry */
	TOKEN_E_CHALLENGE, /* challenge unknown, superseded or stale */
	TOKEN_E_REPLAY,	   /* challenge already used */
	TOKEN_E_COUNT
};

/* A token's content. */
struct token {
	enum token_type type;
	char terminal_id[TOKEN_TERMINAL_ID_MAX + 1];
	uint8_t challenge[TOKEN_CHALLENGE_LEN];
	uint64_t expiry; /* seconds since the Unix epoch */
	uint8_t key_id[TOKEN_KEY_ID_LEN];
	char message[TOKEN_MESSAGE_MAX + 1]; /* optional, printable */
};

/* A sentence for a refusal. */
const char *token_error_message(enum token_error e);

/* A stable short name for a refusal ("replayed", "expired", ...). */
const char *token_error_name(enum token_error e);

/* "seal" or "unlock"; NULL for anything else. */
const char *token_type_name(enum token_type t);

/* Key id of an acquirer public key: SHA-256(key)[0..7]. */
int token_key_id(const uint8_t pub[TOKEN_PUBKEY_LEN],
		 uint8_t ret_id[TOKEN_KEY_ID_LEN]);

/* True if s is a valid terminal id: 1-64 of [A-Za-z0-9._-]. */
bool token_terminal_id_valid(const char *s);

/*
 * Encode and sign t with an Ed25519 private key (t->key_id is filled in
 * from the key). Returns 0 and the length, or negative errno.
 */
int token_sign(const struct token *t, EVP_PKEY *key, uint8_t *buf, size_t cap,
	       size_t *ret_len);

/*
 * Parse and check the shape of a token without verifying it: 0, or
 * TOKEN_E_MALFORMED / TOKEN_E_VERSION (positive).
 */
int token_parse(const uint8_t *buf, size_t len, struct token *ret);

/*
 * Parse and verify a token against the acquirer's public key: 0 and *ret
 * filled, a positive enum token_error, or negative errno.
 */
int token_verify(const uint8_t *buf, size_t len,
		 const uint8_t pub[TOKEN_PUBKEY_LEN], struct token *ret);

#endif /* POSREADER_TOKEN_H */
