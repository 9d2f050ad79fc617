// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-acquirer: the acquirer's side of seal and unlock tokens.
 * Creates Ed25519 acquirer keys, signs tokens for a terminal id, a
 * challenge from GetUnlockChallenge() and an expiry, and signs
 * configuration files. docs/security.md describes the token format.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "hex.h"
#include "keystore.h"
#include "token.h"

#define DEFAULT_VALID_SECONDS 600
#define CONFIG_MAX	      (1024 * 1024)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: posreader-acquirer keygen KEYFILE\n"
		"       posreader-acquirer pubkey KEYFILE\n"
		"       posreader-acquirer sign KEYFILE seal|unlock "
		"TERMINAL-ID "
		"CHALLENGE-HEX\n"
		"                [--valid SECONDS | --expiry UNIX-SECONDS]\n"
		"                [--message TEXT] [--out FILE]\n"
		"       posreader-acquirer sign-config KEYFILE CONFIG\n"
		"\n"
		"keygen writes a new Ed25519 private key (PEM, mode 0600) and\n"
		"prints its public key and KCV. sign prints the token as hex,\n"
		"or writes it raw to --out. sign-config writes CONFIG.sig.\n");
}

static void pkey_freep(EVP_PKEY **p)
{
	EVP_PKEY_free(*p);
}

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static int load_key(const char *path, EVP_PKEY **ret)
{
	_cleanup_(fclosep) FILE *f = NULL;
	EVP_PKEY *key;

	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "posreader-acquirer: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		fprintf(stderr,
			"posreader-acquirer: %s is not an Ed25519 private "
			"key\n",
			path);
		return -EINVAL;
	}
	*ret = key;
	return 0;
}

static int print_public(EVP_PKEY *key)
{
	uint8_t pub[TOKEN_PUBKEY_LEN], kcv[KEYSTORE_KCV_LEN];
	char hex[2 * TOKEN_PUBKEY_LEN + 1], kh[8];
	size_t len = sizeof(pub);

	if (EVP_PKEY_get_raw_public_key(key, pub, &len) != 1 ||
	    len != sizeof(pub))
		return -EIO;
	if (keystore_kcv(KEY_ED25519_PUB, pub, len, kcv) < 0)
		return -EIO;
	hex_encode(pub, len, hex);
	printf("public-key %s\nkcv %s\n", hex, keystore_kcv_hex(kcv, kh));
	return 0;
}

static int cmd_keygen(const char *path)
{
	_cleanup_(pkey_freep) EVP_PKEY *key = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	int fd;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key) {
		fprintf(stderr, "posreader-acquirer: key generation failed\n");
		return -EIO;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "posreader-acquirer: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	if (PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fflush(f) != 0 || fsync(fd) < 0) {
		fprintf(stderr, "posreader-acquirer: cannot write %s\n", path);
		unlink(path);
		return -EIO;
	}
	return print_public(key);
}

static int cmd_pubkey(const char *path)
{
	_cleanup_(pkey_freep) EVP_PKEY *key = NULL;
	int r;

	r = load_key(path, &key);
	if (r < 0)
		return r;
	return print_public(key);
}

static int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int write_all(const char *path, const uint8_t *buf, size_t len)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0) {
		fprintf(stderr, "posreader-acquirer: %s: %s\n", path,
			strerror(errno));
		return -EIO;
	}
	return 0;
}

static int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "valid", required_argument, NULL, 'v' },
		{ "expiry", required_argument, NULL, 'e' },
		{ "message", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(pkey_freep) EVP_PKEY *key = NULL;
	uint64_t valid = DEFAULT_VALID_SECONDS, expiry = 0;
	uint8_t buf[TOKEN_MAX_LEN];
	char hex[2 * TOKEN_MAX_LEN + 1];
	const char *out = NULL;
	struct token t = { 0 };
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "v:e:m:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (parse_u64(optarg, &valid) < 0 || valid == 0)
				goto bad;
			break;
		case 'e':
			if (parse_u64(optarg, &expiry) < 0)
				goto bad;
			break;
		case 'm':
			if (strlen(optarg) > TOKEN_MESSAGE_MAX)
				goto bad;
			snprintf(t.message, sizeof(t.message), "%s", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			goto bad;
		}
	}
	if (argc - optind != 4)
		goto bad;
	if (strcmp(argv[optind + 1], "seal") == 0)
		t.type = TOKEN_SEAL;
	else if (strcmp(argv[optind + 1], "unlock") == 0)
		t.type = TOKEN_UNLOCK;
	else
		goto bad;
	if (!token_terminal_id_valid(argv[optind + 2])) {
		fprintf(stderr, "posreader-acquirer: invalid terminal id\n");
		return -EINVAL;
	}
	snprintf(t.terminal_id, sizeof(t.terminal_id), "%s", argv[optind + 2]);
	if (hex_decode(argv[optind + 3], t.challenge, TOKEN_CHALLENGE_LEN)) {
		fprintf(stderr,
			"posreader-acquirer: the challenge must be %d "
			"hex digits\n",
			2 * TOKEN_CHALLENGE_LEN);
		return -EINVAL;
	}
	t.expiry = expiry ? expiry : (uint64_t)time(NULL) + valid;
	r = load_key(argv[optind], &key);
	if (r < 0)
		return r;
	r = token_sign(&t, key, buf, sizeof(buf), &len);
	if (r < 0) {
		fprintf(stderr, "posreader-acquirer: cannot sign: %s\n",
			strerror(-r));
		return r;
	}
	if (out)
		return write_all(out, buf, len);
	hex_encode(buf, len, hex);
	printf("%s\n", hex);
	return 0;
bad:
	usage(stderr);
	return -EINVAL;
}

static int cmd_sign_config(const char *keyfile, const char *config)
{
	_cleanup_(pkey_freep) EVP_PKEY *key = NULL;
	_cleanup_free_ uint8_t *data = NULL;
	_cleanup_close_ int fd = -1;
	uint8_t sig[TOKEN_SIG_LEN];
	char hex[2 * TOKEN_SIG_LEN + 2], path[PATH_MAX];
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *md;
	struct stat st;
	ssize_t n;
	int r;

	r = load_key(keyfile, &key);
	if (r < 0)
		return r;
	fd = open(config, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_MAX) {
		fprintf(stderr, "posreader-acquirer: %s: cannot read\n",
			config);
		return -EINVAL;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data)
		return -ENOMEM;
	n = read(fd, data, (size_t)st.st_size);
	if (n != st.st_size)
		return -EIO;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, data, (size_t)n) != 1) {
		EVP_MD_CTX_free(md);
		return -EIO;
	}
	EVP_MD_CTX_free(md);
	hex_encode(sig, sizeof(sig), hex);
	strcat(hex, "\n");
	if (snprintf(path, sizeof(path), "%s.sig", config) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return write_all(path, (const uint8_t *)hex, strlen(hex));
}

int main(int argc, char **argv)
{
	int r;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "keygen") == 0 && argc == 3)
		r = cmd_keygen(argv[2]);
	else if (strcmp(argv[1], "pubkey") == 0 && argc == 3)
		r = cmd_pubkey(argv[2]);
	else if (strcmp(argv[1], "sign") == 0)
		r = cmd_sign(argc - 1, argv + 1);
	else if (strcmp(argv[1], "sign-config") == 0 && argc == 4)
		r = cmd_sign_config(argv[2], argv[3]);
	else {
		usage(stderr);
		return 2;
	}
	return r < 0 ? 1 : 0;
}
