// SPDX-License-Identifier: GPL-2.0-or-later
/* Key check values (public vectors), the store MAC and zeroization. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "keystore.h"
#include "statedb.h"
#include "sec-helpers.h"

static const uint8_t master[32] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76,
				    0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed,
				    0xfe, 0x0f, 0x10, 0x21, 0x32, 0x43, 0x54,
				    0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb,
				    0xdc, 0xed, 0xfe, 0x0f };

static void put(struct sec_db *f, const char *name, enum key_type type,
		enum key_class cls, const uint8_t *key, size_t len)
{
	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(keystore_put(f->db, name, type, cls, key, len, NULL),
			 0);
	assert_int_equal(statedb_commit(f->db), 0);
}

static void test_kcv_vectors(void **state)
{
	/* AES-128, zero key: E(0, 0) = 66e94bd4ef8a2c3b... (FIPS-197 era
	 * known answer); TDES 0123456789ABCDEF FEDCBA9876543210: 08D7B4. */
	static const uint8_t zero[16] = { 0 };
	static const uint8_t tdes[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
					  0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98,
					  0x76, 0x54, 0x32, 0x10 };
	uint8_t kcv[KEYSTORE_KCV_LEN];
	char hex[8];

	assert_int_equal(keystore_kcv(KEY_AES128, zero, 16, kcv), 0);
	assert_string_equal(keystore_kcv_hex(kcv, hex), "66E94B");
	assert_int_equal(keystore_kcv(KEY_TDES2, tdes, 16, kcv), 0);
	assert_string_equal(keystore_kcv_hex(kcv, hex), "08D7B4");
	assert_int_equal(keystore_kcv(KEY_AES128, zero, 15, kcv), -EINVAL);
	assert_int_equal(keystore_kcv((enum key_type)99, zero, 16, kcv),
			 -EINVAL);
}

static void test_put_get_and_wrong_kcv(void **state)
{
	struct sec_db *f = *state;
	uint8_t kcv[KEYSTORE_KCV_LEN], bad[KEYSTORE_KCV_LEN] = { 0 };
	uint8_t out[KEYSTORE_KEY_MAX];
	enum key_type type;
	size_t len;

	keystore_kcv(KEY_AES256, master, 32, kcv);
	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(keystore_put(f->db, KEY_NAME_MASTER, KEY_AES256,
				      KEY_CLASS_MASTER, master, 32, bad),
			 -EBADMSG);
	statedb_rollback(f->db);
	assert_int_equal(keystore_get(f->db, KEY_NAME_MASTER, out, sizeof(out),
				      &len, NULL),
			 -ENOENT);
	assert_int_equal(keystore_check(f->db, NULL), -ENOKEY);

	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(keystore_put(f->db, KEY_NAME_MASTER, KEY_AES256,
				      KEY_CLASS_MASTER, master, 32, kcv),
			 0);
	assert_int_equal(statedb_commit(f->db), 0);
	assert_int_equal(keystore_get(f->db, KEY_NAME_MASTER, out, sizeof(out),
				      &len, &type),
			 0);
	assert_int_equal(len, 32);
	assert_int_equal(type, KEY_AES256);
	assert_true(memcmp(out, master, 32) == 0);
	assert_int_equal(
		keystore_get(f->db, KEY_NAME_MASTER, out, 16, &len, NULL),
		-ENOBUFS);
	assert_int_equal(keystore_check(f->db, NULL), 0);
}

static void test_damage_detected(void **state)
{
	struct sec_db *f = *state;
	struct keystore_problem p;
	uint8_t out[KEYSTORE_KEY_MAX], data[16];
	size_t len;

	memset(data, 0x77, sizeof(data));
	put(f, KEY_NAME_MASTER, KEY_AES256, KEY_CLASS_MASTER, master, 32);
	put(f, KEY_NAME_DATA, KEY_AES128, KEY_CLASS_WORKING, data, 16);
	assert_int_equal(keystore_check(f->db, NULL), 0);

	/* One bit of a key flips: its KCV no longer matches. */
	assert_int_equal(statedb_exec(f->db, "UPDATE keys SET value = "
					     "zeroblob(16) WHERE name = "
					     "'working-data'"),
			 0);
	assert_int_equal(keystore_get(f->db, KEY_NAME_DATA, out, sizeof(out),
				      &len, NULL),
			 -EBADMSG);
	assert_int_equal(keystore_check(f->db, &p), -EBADMSG);
	assert_string_equal(p.key, KEY_NAME_DATA);
	assert_non_null(strstr(p.message, "check value"));

	/* A key slipped in with a right KCV but not through the store. */
	put(f, KEY_NAME_DATA, KEY_AES128, KEY_CLASS_WORKING, data, 16);
	assert_int_equal(statedb_exec(f->db,
				      "INSERT INTO keys(name, type, class, "
				      "value, kcv) SELECT 'extra', type, "
				      "class, value, kcv FROM keys WHERE "
				      "name = 'working-data'"),
			 0);
	assert_int_equal(keystore_check(f->db, &p), -EBADMSG);
	assert_string_equal(p.key, "");
	assert_non_null(strstr(p.message, "MAC"));
}

static void test_zeroize_and_derive(void **state)
{
	struct sec_db *f = *state;
	uint8_t a[32], b[32], c[32], data[16], kcv[KEYSTORE_KCV_LEN];
	unsigned n = 0;

	assert_int_equal(keystore_derive(f->db, "x", a), -ENOKEY);
	memset(data, 0x77, sizeof(data));
	put(f, KEY_NAME_MASTER, KEY_AES256, KEY_CLASS_MASTER, master, 32);
	put(f, KEY_NAME_DATA, KEY_AES128, KEY_CLASS_WORKING, data, 16);
	put(f, "pairing:R1", KEY_HMAC256, KEY_CLASS_PAIRING, master, 32);

	assert_int_equal(keystore_derive(f->db, "pin-verifier", a), 0);
	assert_int_equal(keystore_derive(f->db, "pin-verifier", b), 0);
	assert_int_equal(keystore_derive(f->db, "audit", c), 0);
	assert_true(memcmp(a, b, 32) == 0);
	assert_true(memcmp(a, c, 32) != 0);

	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(keystore_zeroize_class(f->db, KEY_CLASS_WORKING, &n),
			 0);
	assert_int_equal(statedb_commit(f->db), 0);
	assert_int_equal(n, 1);
	assert_int_equal(keystore_get_kcv(f->db, KEY_NAME_DATA, kcv), -ENOENT);
	assert_int_equal(keystore_get_kcv(f->db, "pairing:R1", kcv), 0);
	assert_int_equal(keystore_check(f->db, NULL), 0);
	assert_int_equal(statedb_begin(f->db), 0);
	assert_int_equal(keystore_delete(f->db, "nope"), -ENOENT);
	/* Names are printable ASCII: spaces yes (serials may hold them),
	 * control characters and the empty name no. */
	assert_int_equal(keystore_put(f->db, "bad\tname", KEY_AES128,
				      KEY_CLASS_WORKING, data, 16, NULL),
			 -EINVAL);
	assert_int_equal(keystore_put(f->db, "", KEY_AES128,
				      KEY_CLASS_WORKING, data, 16, NULL),
			 -EINVAL);
	assert_int_equal(keystore_put(f->db, "working key 5", KEY_AES128,
				      KEY_CLASS_WORKING, data, 16, NULL),
			 0);
	statedb_rollback(f->db);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kcv_vectors),
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, sec_db_setup, sec_db_teardown)
		T(test_put_get_and_wrong_kcv),
		T(test_damage_detected),
		T(test_zeroize_and_derive),
#undef T
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
