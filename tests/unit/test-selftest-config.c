// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration self-test on its own (daemon/selftest.c): reading the
 * file, sealing its MAC in the state database, every way the check fails
 * and how it names the file.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "keystore.h"
#include "sec-helpers.h"
#include "selftest.h"

struct fx {
	struct sec_db s;
	char *config;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || sec_db_open(&f->s) < 0)
		return -1;
	f->config = path_in(f->s.dir, "posreaderd.conf");
	*state = f;
	return f->config ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->config);
	sec_db_close(&f->s);
	free(f);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Store a master key, so that the config-mac key can be derived. */
static void add_master_key(struct fx *f)
{
	static const uint8_t key[16] = { 1, 2,	3,  4,	5,  6,	7,  8,
					 9, 10, 11, 12, 13, 14, 15, 16 };

	assert_int_equal(statedb_begin(f->s.db), 0);
	assert_int_equal(keystore_put(f->s.db, KEY_NAME_MASTER, KEY_AES128,
				      KEY_CLASS_MASTER, key, sizeof(key), NULL),
			 0);
	assert_int_equal(statedb_commit(f->s.db), 0);
}

/* Seal path with its current contents, in a transaction. */
static int seal(struct fx *f, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	assert_int_equal(selftest_config_read(path, &data, &len), 0);
	assert_int_equal(statedb_begin(f->s.db), 0);
	r = selftest_config_seal(f->s.db, path, data, len);
	if (r == 0)
		assert_int_equal(statedb_commit(f->s.db), 0);
	else
		statedb_rollback(f->s.db);
	free(data);
	return r;
}

/* Run the check; fail unless its status and message are as expected. */
static void expect_result(struct fx *f, const char *path,
			  enum selftest_status status, const char *text)
{
	struct selftest_result res;

	assert_int_equal(selftest_config(f->s.db, path, &res), 0);
	assert_int_equal(res.check, SELFTEST_CONFIG);
	if (res.status != status || !strstr(res.message, text))
		fail_msg("config check: %s (%s); expected %s with \"%s\"",
			 selftest_status_name(res.status), res.message,
			 selftest_status_name(status), text);
}

static void test_path_shown(void **state)
{
	char buf[16], longpath[64];

	assert_string_equal(
		selftest_path_shown("/etc/p.conf", buf, sizeof(buf)),
		"/etc/p.conf");
	assert_string_equal(
		selftest_path_shown("/etc/f\xc3\xa4\n", buf, sizeof(buf)),
		"/etc/f???");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	memcpy(longpath + sizeof(longpath) - 6, ".conf", 5);
	selftest_path_shown(longpath, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "...aaaaaaa.conf");
}

static void test_read(void **state)
{
	struct fx *f = *state;
	uint8_t *data = NULL;
	size_t len = 0;
	int fd;

	write_text(f->config, "usb = yes\n");
	assert_int_equal(selftest_config_read(f->config, &data, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal((char *)data, "usb = yes\n");
	free(data);
	assert_int_equal(selftest_config_read(f->s.dir, &data, &len), -EINVAL);
	fd = open(f->config, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, SELFTEST_CONFIG_MAX + 1), 0);
	close(fd);
	assert_int_equal(selftest_config_read(f->config, &data, &len), -EFBIG);
	unlink(f->config);
	assert_int_equal(selftest_config_read(f->config, &data, &len), -ENOENT);
}

static void test_no_file_or_key(void **state)
{
	struct fx *f = *state;

	expect_result(f, NULL, SELFTEST_SKIPPED, "no configuration file");
	expect_result(f, f->config, SELFTEST_SKIPPED, "no configuration file");
	/* Nothing to seal with before a master key exists. */
	write_text(f->config, "usb = yes\n");
	assert_int_equal(seal(f, f->config), -ENOKEY);
	expect_result(f, f->config, SELFTEST_FAIL, "is not sealed");
}

static void test_seal_and_change(void **state)
{
	struct fx *f = *state;
	char *other = path_in(f->s.dir, "other.conf");

	add_master_key(f);
	write_text(f->config, "usb = yes\n");
	expect_result(f, f->config, SELFTEST_FAIL, "is not sealed");
	expect_result(f, f->config, SELFTEST_FAIL, f->config);
	assert_int_equal(seal(f, f->config), 0);
	expect_result(f, f->config, SELFTEST_PASS, "matches the MAC");
	/* One byte more. */
	write_text(f->config, "usb = yes\n\n");
	expect_result(f, f->config, SELFTEST_FAIL,
		      "was changed after it was sealed");
	write_text(f->config, "usb = yes\n");
	expect_result(f, f->config, SELFTEST_PASS, "matches the MAC");
	/* The same bytes in another file are not what was sealed. */
	write_text(other, "usb = yes\n");
	expect_result(f, other, SELFTEST_FAIL,
		      "is not the file that was sealed");
	/* Gone after it was sealed, and unreadable. */
	assert_int_equal(unlink(f->config), 0);
	expect_result(f, f->config, SELFTEST_FAIL, "is gone");
	assert_int_equal(mkdir(f->config, 0700), 0);
	expect_result(f, f->config, SELFTEST_FAIL, "cannot be read");
	assert_int_equal(rmdir(f->config), 0);
	/* Unsealed, a missing file is nothing to check again. */
	assert_int_equal(statedb_begin(f->s.db), 0);
	assert_int_equal(selftest_config_unseal(f->s.db), 0);
	assert_int_equal(selftest_config_unseal(f->s.db), 0);
	assert_int_equal(statedb_commit(f->s.db), 0);
	expect_result(f, f->config, SELFTEST_SKIPPED, "no configuration file");
	free(other);
}

static void test_damaged_seal(void **state)
{
	struct fx *f = *state;

	add_master_key(f);
	write_text(f->config, "usb = yes\n");
	assert_int_equal(seal(f, f->config), 0);
	assert_int_equal(statedb_begin(f->s.db), 0);
	assert_int_equal(statedb_meta_set_blob(f->s.db, "config_mac", "x", 1),
			 0);
	assert_int_equal(statedb_commit(f->s.db), 0);
	expect_result(f, f->config, SELFTEST_FAIL,
		      "seal in the state is damaged");
}

/* A .sig that is there but wrong or not hex is named in the failure. */
static void test_bad_signature_file(void **state)
{
	struct fx *f = *state;
	char *sig = path_in(f->s.dir, "posreaderd.conf.sig");

	add_master_key(f);
	write_text(f->config, "usb = yes\n");
	write_text(sig, "zz\n");
	expect_result(f, f->config, SELFTEST_FAIL, ".sig is malformed");
	assert_int_equal(seal(f, f->config), 0);
	expect_result(f, f->config, SELFTEST_PASS, "matches the MAC");
	free(sig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_shown),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_read),
		T(test_no_file_or_key),
		T(test_seal_and_change),
		T(test_damaged_seal),
		T(test_bad_signature_file),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
