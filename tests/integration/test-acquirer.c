// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-acquirer against the security engine: keys it makes can be
 * provisioned, tokens it signs unlock the terminal, configuration it
 * signs passes the self-test, and it refuses bad input.
 * usage: test-acquirer PATH-TO-posreader-acquirer
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "engine.h"
#include "hex.h"
#include "sec-helpers.h"

static const char *tool;

struct fx {
	char *dir, *keyfile, *config, *tokfile;
	struct engine *e;
	uint8_t pub[TOKEN_PUBKEY_LEN];
};

/* Run the tool with a shell-free argument list; exit status, output. */
static int run(char *out, size_t cap, const char *const *args)
{
	const char *argv[16];
	int fds[2], status;
	size_t n = 0, i;
	ssize_t r;
	pid_t pid;

	argv[0] = tool;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (out && n + 1 < cap &&
	       (r = read(fds[0], out + n, cap - n - 1)) > 0)
		n += (size_t)r;
	if (out)
		out[n] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct engine_options o;
	char out[512], *p;

	if (!f)
		return -1;
	f->dir = scratch_dir();
	if (!f->dir)
		return -1;
	f->keyfile = path_in(f->dir, "acquirer.pem");
	f->config = path_in(f->dir, "posreaderd.conf");
	f->tokfile = path_in(f->dir, "token.bin");
	if (run(out, sizeof(out),
		(const char *const[]){ "keygen", f->keyfile, NULL }) != 0)
		return -1;
	p = strstr(out, "public-key ");
	if (!p || strlen(p) < 11 + 64)
		return -1;
	p[11 + 64] = '\0';
	if (hex_decode(p + 11, f->pub, sizeof(f->pub)) < 0)
		return -1;
	engine_options_default(&o);
	o.policy.kdf_iterations = 1000;
	if (engine_open(f->dir, f->config, &o, &f->e) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	engine_close(f->e);
	free(f->keyfile);
	free(f->config);
	free(f->tokfile);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static void provision(struct fx *f)
{
	static const uint8_t master[16] = { 9, 8, 7, 6, 5, 4, 3, 2,
					    1, 0, 1, 2, 3, 4, 5, 6 };
	struct engine_provisioning p = { 0 };
	uint8_t kcv[3], akcv[3];

	keystore_kcv(KEY_AES128, master, sizeof(master), kcv);
	keystore_kcv(KEY_ED25519_PUB, f->pub, sizeof(f->pub), akcv);
	p.terminal_id = "POS-42";
	p.master_type = KEY_AES128;
	p.master_key = master;
	p.master_len = sizeof(master);
	p.master_kcv = kcv;
	p.acquirer_pub = f->pub;
	p.acquirer_kcv = akcv;
	p.operator_pin = "2468";
	p.supervisor_pin = "97531";
	assert_int_equal(engine_provision(f->e, &p, "test"), 0);
}

static size_t read_token(struct fx *f, uint8_t *buf)
{
	FILE *fp = fopen(f->tokfile, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, TOKEN_MAX_LEN, fp);
	fclose(fp);
	return n;
}

static void test_keygen_file(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char out[512];

	assert_int_equal(stat(f->keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* pubkey reports the same key; keygen never overwrites. */
	assert_int_equal(
		run(out, sizeof(out),
		    (const char *const[]){ "pubkey", f->keyfile, NULL }),
		0);
	assert_non_null(strstr(out, "public-key "));
	assert_int_equal(
		run(NULL, 0,
		    (const char *const[]){ "keygen", f->keyfile, NULL }),
		1);
}

static void test_seal_then_unlock(void **state)
{
	struct fx *f = *state;
	uint8_t c[TOKEN_CHALLENGE_LEN], buf[TOKEN_MAX_LEN];
	char hex[2 * TOKEN_CHALLENGE_LEN + 1];
	enum token_error err;
	size_t len;

	provision(f);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);

	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	hex_encode(c, sizeof(c), hex);
	assert_int_equal(run(NULL, 0,
			     (const char *const[]){
				     "sign", f->keyfile, "seal", "POS-42", hex,
				     "--message", "suspicious activity",
				     "--out", f->tokfile, NULL }),
			 0);
	len = read_token(f, buf);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);

	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	hex_encode(c, sizeof(c), hex);
	assert_int_equal(
		run(NULL, 0,
		    (const char *const[]){ "sign", f->keyfile, "unlock",
					   "POS-42", hex, "--valid", "60",
					   "--out", f->tokfile, NULL }),
		0);
	len = read_token(f, buf);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err), 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	/* The same token again is a replay. */
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -EALREADY);
	assert_int_equal(err, TOKEN_E_REPLAY);

	/* Signed for another terminal, or already expired. */
	assert_int_equal(engine_unlock_challenge(f->e, "test", c), 0);
	hex_encode(c, sizeof(c), hex);
	assert_int_equal(run(NULL, 0,
			     (const char *const[]){
				     "sign", f->keyfile, "unlock", "POS-43",
				     hex, "--out", f->tokfile, NULL }),
			 0);
	len = read_token(f, buf);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -EXDEV);
	assert_int_equal(
		run(NULL, 0,
		    (const char *const[]){ "sign", f->keyfile, "unlock",
					   "POS-42", hex, "--expiry", "1000",
					   "--out", f->tokfile, NULL }),
		0);
	len = read_token(f, buf);
	assert_int_equal(engine_apply_token(f->e, buf, len, "test", &err),
			 -EKEYEXPIRED);
}

static void test_bad_arguments(void **state)
{
	struct fx *f = *state;

	assert_int_equal(
		run(NULL, 0,
		    (const char *const[]){ "sign", f->keyfile, "unlock",
					   "POS-42", "abc", NULL }),
		1);
	assert_int_equal(run(NULL, 0,
			     (const char *const[]){ "sign", f->keyfile, "open",
						    "POS-42", "00", NULL }),
			 1);
	assert_int_equal(run(NULL, 0,
			     (const char *const[]){ "sign", f->config, "unlock",
						    "POS-42", "00", NULL }),
			 1);
	assert_int_equal(
		run(NULL, 0, (const char *const[]){ "frobnicate", NULL }), 2);
}

static void test_signed_config(void **state)
{
	struct fx *f = *state;
	FILE *fp;

	provision(f);
	fp = fopen(f->config, "w");
	assert_non_null(fp);
	fputs("readers=sim\n", fp);
	fclose(fp);
	assert_int_equal(run(NULL, 0,
			     (const char *const[]){ "sign-config", f->keyfile,
						    f->config, NULL }),
			 0);
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_ACTIVE);
	fp = fopen(f->config, "a");
	assert_non_null(fp);
	fputs("debug=1\n", fp);
	fclose(fp);
	assert_int_equal(engine_run_selftest(f->e, NULL, 0, "test", NULL, NULL),
			 0);
	assert_int_equal(engine_lock_state(f->e), LOCK_STATE_BLOCKED);
}

int main(int argc, char **argv)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_keygen_file),
		T(test_seal_then_unlock),
		T(test_bad_arguments),
		T(test_signed_config),
#undef T
	};
	/* clang-format on */

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-posreader-acquirer\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
