// SPDX-License-Identifier: GPL-2.0-or-later
/* Acquirer token format: round trip, and every way a token can be bad. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "token.h"

struct fx {
	EVP_PKEY *key, *other;
	uint8_t pub[TOKEN_PUBKEY_LEN], other_pub[TOKEN_PUBKEY_LEN];
	struct token t;
	uint8_t buf[TOKEN_MAX_LEN];
	size_t len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t n = TOKEN_PUBKEY_LEN, m = TOKEN_PUBKEY_LEN;

	if (!f)
		return -1;
	f->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	f->other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!f->key || !f->other ||
	    EVP_PKEY_get_raw_public_key(f->key, f->pub, &n) != 1 ||
	    EVP_PKEY_get_raw_public_key(f->other, f->other_pub, &m) != 1)
		return -1;
	f->t.type = TOKEN_UNLOCK;
	strcpy(f->t.terminal_id, "T-0001");
	memset(f->t.challenge, 0x17, sizeof(f->t.challenge));
	f->t.expiry = 1750000600;
	strcpy(f->t.message, "routine unlock");
	if (token_sign(&f->t, f->key, f->buf, sizeof(f->buf), &f->len) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->other);
	free(f);
	return 0;
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct token t;
	uint8_t id[TOKEN_KEY_ID_LEN];

	assert_int_equal(token_verify(f->buf, f->len, f->pub, &t), TOKEN_OK);
	assert_int_equal(t.type, TOKEN_UNLOCK);
	assert_string_equal(t.terminal_id, "T-0001");
	assert_memory_equal(t.challenge, f->t.challenge, TOKEN_CHALLENGE_LEN);
	assert_int_equal(t.expiry, 1750000600);
	assert_string_equal(t.message, "routine unlock");
	assert_int_equal(token_key_id(f->pub, id), 0);
	assert_memory_equal(t.key_id, id, sizeof(id));
	/* Fixed layout: magic, version, type, body length. */
	assert_memory_equal(f->buf, "PRTK\x01\x02", 6);
	assert_int_equal(((size_t)f->buf[6] << 8 | f->buf[7]) + TOKEN_HDR_LEN +
				 TOKEN_SIG_LEN,
			 f->len);
}

static void test_wrong_key(void **state)
{
	struct fx *f = *state;
	struct token t;

	assert_int_equal(token_verify(f->buf, f->len, f->other_pub, &t),
			 TOKEN_E_WRONG_KEY);
	assert_int_equal(token_verify(f->buf, f->len, NULL, &t),
			 TOKEN_E_NO_KEY);
}

/* Any single flipped bit is refused, never accepted. */
static void test_every_bit_flip(void **state)
{
	struct fx *f = *state;
	uint8_t b[TOKEN_MAX_LEN];
	struct token t;
	size_t i;
	int bit, r;

	for (i = 0; i < f->len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(b, f->buf, f->len);
			b[i] ^= (uint8_t)(1u << bit);
			r = token_verify(b, f->len, f->pub, &t);
			assert_true(r == TOKEN_E_MALFORMED ||
				    r == TOKEN_E_VERSION ||
				    r == TOKEN_E_WRONG_KEY ||
				    r == TOKEN_E_SIGNATURE);
		}
}

/* Every truncation and an extra byte are malformed. */
static void test_lengths(void **state)
{
	struct fx *f = *state;
	uint8_t b[TOKEN_MAX_LEN + 2];
	struct token t;
	size_t n;

	for (n = 0; n < f->len; n++)
		assert_int_equal(token_verify(f->buf, n, f->pub, &t),
				 TOKEN_E_MALFORMED);
	memcpy(b, f->buf, f->len);
	b[f->len] = 0;
	assert_int_equal(token_verify(b, f->len + 1, f->pub, &t),
			 TOKEN_E_MALFORMED);
	assert_int_equal(token_verify(NULL, 10, f->pub, &t), TOKEN_E_MALFORMED);
	assert_int_equal(token_parse(b, TOKEN_MAX_LEN + 1, &t),
			 TOKEN_E_MALFORMED);
}

/* Hand-built bodies that are well framed but not valid tokens. */
static size_t build(uint8_t *b, uint8_t version, uint8_t type,
		    const uint8_t *body, size_t body_len)
{
	memcpy(b, "PRTK", 4);
	b[4] = version;
	b[5] = type;
	b[6] = (uint8_t)(body_len >> 8);
	b[7] = (uint8_t)body_len;
	memcpy(b + 8, body, body_len);
	memset(b + 8 + body_len, 0, TOKEN_SIG_LEN);
	return 8 + body_len + TOKEN_SIG_LEN;
}

static void test_bad_bodies(void **state)
{
	static const uint8_t missing_challenge[] = {
		0x01, 0, 2,    'T', '1', 0x03, 0, 8, 0, 0, 0, 0, 0, 0,
		0,    1, 0x04, 0,   8,	 1,    2, 3, 4, 5, 6, 7, 8,
	};
	static const uint8_t unknown_tag[] = { 0x09, 0, 1, 0 };
	static const uint8_t dup_tag[] = { 0x01, 0, 1, 'T', 0x01, 0, 1, 'U' };
	static const uint8_t overlong[] = { 0x01, 0, 9, 'T' };
	static const uint8_t bad_id[] = { 0x01, 0, 3, 'T', ' ', 'x' };
	struct token t;
	uint8_t b[256];
	size_t n;

	n = build(b, 1, TOKEN_UNLOCK, missing_challenge,
		  sizeof(missing_challenge));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_MALFORMED);
	n = build(b, 1, TOKEN_UNLOCK, unknown_tag, sizeof(unknown_tag));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_MALFORMED);
	n = build(b, 1, TOKEN_UNLOCK, dup_tag, sizeof(dup_tag));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_MALFORMED);
	n = build(b, 1, TOKEN_UNLOCK, overlong, sizeof(overlong));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_MALFORMED);
	n = build(b, 1, TOKEN_UNLOCK, bad_id, sizeof(bad_id));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_MALFORMED);
	n = build(b, 2, TOKEN_UNLOCK, dup_tag, sizeof(dup_tag));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_VERSION);
	n = build(b, 1, 7, dup_tag, sizeof(dup_tag));
	assert_int_equal(token_parse(b, n, &t), TOKEN_E_MALFORMED);
}

static void test_sign_refuses_bad_input(void **state)
{
	struct fx *f = *state;
	struct token t = f->t;
	uint8_t b[TOKEN_MAX_LEN];
	size_t n;

	strcpy(t.terminal_id, "has space");
	assert_int_equal(token_sign(&t, f->key, b, sizeof(b), &n), -EINVAL);
	t = f->t;
	t.type = (enum token_type)9;
	assert_int_equal(token_sign(&t, f->key, b, sizeof(b), &n), -EINVAL);
	t = f->t;
	t.message[0] = '\n';
	assert_int_equal(token_sign(&t, f->key, b, sizeof(b), &n), -EINVAL);
	t = f->t;
	assert_int_equal(token_sign(&t, f->key, b, 20, &n), -ENOBUFS);
}

static void test_error_text(void **state)
{
	char long_id[TOKEN_TERMINAL_ID_MAX + 2];
	int e;

	for (e = 0; e < TOKEN_E_COUNT; e++) {
		assert_non_null(token_error_message((enum token_error)e));
		assert_non_null(token_error_name((enum token_error)e));
	}
	assert_string_equal(token_error_name(TOKEN_E_REPLAY), "replayed");
	assert_string_equal(token_error_name(TOKEN_E_EXPIRED), "expired");
	assert_string_equal(token_error_message((enum token_error)99),
			    "unknown token error");
	assert_true(token_terminal_id_valid("a.b_c-D9"));
	assert_false(token_terminal_id_valid(""));
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_false(token_terminal_id_valid(long_id));
	long_id[TOKEN_TERMINAL_ID_MAX] = '\0';
	assert_true(token_terminal_id_valid(long_id));
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_round_trip),
		T(test_wrong_key),
		T(test_every_bit_flip),
		T(test_lengths),
		T(test_bad_bodies),
		T(test_sign_refuses_bad_input),
		T(test_error_text),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
