// SPDX-License-Identifier: GPL-2.0-or-later
/* Acquirer token encoding, parsing and Ed25519 verification. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "token.h"

static const char *const error_names[TOKEN_E_COUNT] = {
	[TOKEN_OK] = "ok",
	[TOKEN_E_MALFORMED] = "malformed",
	[TOKEN_E_VERSION] = "unsupported-version",
	[TOKEN_E_NO_KEY] = "no-acquirer-key",
	[TOKEN_E_WRONG_KEY] = "wrong-key",
	[TOKEN_E_SIGNATURE] = "bad-signature",
	[TOKEN_E_TERMINAL] = "wrong-terminal",
	[TOKEN_E_EXPIRED] = "expired",
	[TOKEN_E_CHALLENGE] = "unknown-challenge",
	[TOKEN_E_REPLAY] = "replayed",
};

static const char *const error_messages[TOKEN_E_COUNT] = {
	[TOKEN_OK] = "the token is valid",
	[TOKEN_E_MALFORMED] = "the token is malformed",
	[TOKEN_E_VERSION] = "the token has an unsupported format version",
	[TOKEN_E_NO_KEY] = "no acquirer key is provisioned on this terminal",
	[TOKEN_E_WRONG_KEY] = "the token was made for a different acquirer "
			      "key",
	[TOKEN_E_SIGNATURE] = "the token's signature does not verify",
	[TOKEN_E_TERMINAL] = "the token is for a different terminal",
	[TOKEN_E_EXPIRED] = "the token has expired",
	[TOKEN_E_CHALLENGE] = "the token's challenge is unknown, superseded "
			      "or too old; ask for a new challenge",
	[TOKEN_E_REPLAY] = "the token was already used",
};

const char *token_error_message(enum token_error e)
{
	if ((unsigned)e >= TOKEN_E_COUNT)
		return "unknown token error";
	return error_messages[e];
}

const char *token_error_name(enum token_error e)
{
	if ((unsigned)e >= TOKEN_E_COUNT)
		return "unknown";
	return error_names[e];
}

const char *token_type_name(enum token_type t)
{
	switch (t) {
	case TOKEN_SEAL:
		return "seal";
	case TOKEN_UNLOCK:
		return "unlock";
	}
	return NULL;
}

bool token_terminal_id_valid(const char *s)
{
	size_t i;

	if (!s || !*s)
		return false;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (i >= TOKEN_TERMINAL_ID_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

static bool message_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= TOKEN_MESSAGE_MAX || s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

int token_key_id(const uint8_t pub[TOKEN_PUBKEY_LEN],
		 uint8_t ret_id[TOKEN_KEY_ID_LEN])
{
	uint8_t md[32];

	if (!EVP_Q_digest(NULL, "SHA256", NULL, pub, TOKEN_PUBKEY_LEN, md,
			  NULL))
		return -EIO;
	memcpy(ret_id, md, TOKEN_KEY_ID_LEN);
	return 0;
}

static uint8_t *put_tlv(uint8_t *p, uint8_t tag, const void *v, size_t len)
{
	*p++ = tag;
	*p++ = (uint8_t)(len >> 8);
	*p++ = (uint8_t)len;
	if (len)
		memcpy(p, v, len);
	return p + len;
}

int token_sign(const struct token *t, EVP_PKEY *key, uint8_t *buf, size_t cap,
	       size_t *ret_len)
{
	uint8_t pub[TOKEN_PUBKEY_LEN], key_id[TOKEN_KEY_ID_LEN], exp[8];
	size_t pub_len = sizeof(pub), body, sig_len = TOKEN_SIG_LEN;
	size_t tid_len, msg_len;
	EVP_MD_CTX *md = NULL;
	uint8_t *p;
	int i, r;

	if (!t || !key || !token_type_name(t->type) ||
	    !token_terminal_id_valid(t->terminal_id) ||
	    !message_valid(t->message))
		return -EINVAL;
	if (EVP_PKEY_get_raw_public_key(key, pub, &pub_len) != 1 ||
	    pub_len != sizeof(pub))
		return -EINVAL;
	r = token_key_id(pub, key_id);
	if (r < 0)
		return r;

	tid_len = strlen(t->terminal_id);
	msg_len = strlen(t->message);
	body = 3 + tid_len + 3 + TOKEN_CHALLENGE_LEN + 3 + 8 + 3 +
	       TOKEN_KEY_ID_LEN + (msg_len ? 3 + msg_len : 0);
	if (TOKEN_HDR_LEN + body + TOKEN_SIG_LEN > cap ||
	    TOKEN_HDR_LEN + body + TOKEN_SIG_LEN > TOKEN_MAX_LEN)
		return -ENOBUFS;

	memcpy(buf, TOKEN_MAGIC, 4);
	buf[4] = TOKEN_VERSION;
	buf[5] = (uint8_t)t->type;
	buf[6] = (uint8_t)(body >> 8);
	buf[7] = (uint8_t)body;
	for (i = 0; i < 8; i++)
		exp[i] = (uint8_t)(t->expiry >> (56 - 8 * i));
	p = buf + TOKEN_HDR_LEN;
	p = put_tlv(p, TOKEN_TAG_TERMINAL, t->terminal_id, tid_len);
	p = put_tlv(p, TOKEN_TAG_CHALLENGE, t->challenge, TOKEN_CHALLENGE_LEN);
	p = put_tlv(p, TOKEN_TAG_EXPIRY, exp, sizeof(exp));
	p = put_tlv(p, TOKEN_TAG_KEY_ID, key_id, sizeof(key_id));
	if (msg_len)
		p = put_tlv(p, TOKEN_TAG_MESSAGE, t->message, msg_len);

	r = -EIO;
	md = EVP_MD_CTX_new();
	if (!md)
		goto out;
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, p, &sig_len, buf, (size_t)(p - buf)) != 1 ||
	    sig_len != TOKEN_SIG_LEN)
		goto out;
	*ret_len = (size_t)(p - buf) + TOKEN_SIG_LEN;
	r = 0;
out:
	EVP_MD_CTX_free(md);
	return r;
}

int token_parse(const uint8_t *buf, size_t len, struct token *ret)
{
	struct token t = { 0 };
	unsigned seen = 0;
	size_t body, off;

	if (!buf || len < TOKEN_HDR_LEN + TOKEN_SIG_LEN || len > TOKEN_MAX_LEN)
		return TOKEN_E_MALFORMED;
	if (memcmp(buf, TOKEN_MAGIC, 4) != 0)
		return TOKEN_E_MALFORMED;
	if (buf[4] != TOKEN_VERSION)
		return TOKEN_E_VERSION;
	if (buf[5] != TOKEN_SEAL && buf[5] != TOKEN_UNLOCK)
		return TOKEN_E_MALFORMED;
	t.type = (enum token_type)buf[5];
	body = (size_t)buf[6] << 8 | buf[7];
	if (TOKEN_HDR_LEN + body + TOKEN_SIG_LEN != len)
		return TOKEN_E_MALFORMED;

	for (off = TOKEN_HDR_LEN; off < TOKEN_HDR_LEN + body;) {
		size_t vlen, i;
		const uint8_t *v;
		uint8_t tag;

		if (TOKEN_HDR_LEN + body - off < 3)
			return TOKEN_E_MALFORMED;
		tag = buf[off];
		vlen = (size_t)buf[off + 1] << 8 | buf[off + 2];
		v = buf + off + 3;
		off += 3;
		if (vlen > TOKEN_HDR_LEN + body - off)
			return TOKEN_E_MALFORMED;
		off += vlen;
		if (tag == 0 || tag > TOKEN_TAG_MESSAGE || (seen & (1u << tag)))
			return TOKEN_E_MALFORMED;
		seen |= 1u << tag;

		switch (tag) {
		case TOKEN_TAG_TERMINAL:
		case TOKEN_TAG_MESSAGE: {
			size_t max = tag == TOKEN_TAG_TERMINAL ?
					     TOKEN_TERMINAL_ID_MAX :
					     TOKEN_MESSAGE_MAX;
			char *dst = tag == TOKEN_TAG_TERMINAL ? t.terminal_id :
								t.message;

			if (vlen > max)
				return TOKEN_E_MALFORMED;
			for (i = 0; i < vlen; i++)
				if (v[i] < 0x20 || v[i] > 0x7e)
					return TOKEN_E_MALFORMED;
			memcpy(dst, v, vlen);
			dst[vlen] = '\0';
			break;
		}
		case TOKEN_TAG_CHALLENGE:
			if (vlen != TOKEN_CHALLENGE_LEN)
				return TOKEN_E_MALFORMED;
			memcpy(t.challenge, v, vlen);
			break;
		case TOKEN_TAG_EXPIRY:
			if (vlen != 8)
				return TOKEN_E_MALFORMED;
			for (i = 0; i < 8; i++)
				t.expiry = t.expiry << 8 | v[i];
			break;
		case TOKEN_TAG_KEY_ID:
			if (vlen != TOKEN_KEY_ID_LEN)
				return TOKEN_E_MALFORMED;
			memcpy(t.key_id, v, vlen);
			break;
		}
	}
	if ((seen & 0x1e) != 0x1e || !token_terminal_id_valid(t.terminal_id))
		return TOKEN_E_MALFORMED;
	*ret = t;
	return TOKEN_OK;
}

int token_verify(const uint8_t *buf, size_t len,
		 const uint8_t pub[TOKEN_PUBKEY_LEN], struct token *ret)
{
	uint8_t key_id[TOKEN_KEY_ID_LEN];
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *key = NULL;
	struct token t;
	int r, ok;

	r = token_parse(buf, len, &t);
	if (r != TOKEN_OK)
		return r;
	if (!pub)
		return TOKEN_E_NO_KEY;
	r = token_key_id(pub, key_id);
	if (r < 0)
		return r;
	if (memcmp(key_id, t.key_id, sizeof(key_id)) != 0)
		return TOKEN_E_WRONG_KEY;

	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
					  TOKEN_PUBKEY_LEN);
	if (!key)
		return -EINVAL;
	r = -EIO;
	md = EVP_MD_CTX_new();
	if (!md)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) != 1)
		goto out;
	ok = EVP_DigestVerify(md, buf + len - TOKEN_SIG_LEN, TOKEN_SIG_LEN, buf,
			      len - TOKEN_SIG_LEN);
	if (ok != 1) {
		r = TOKEN_E_SIGNATURE;
		goto out;
	}
	*ret = t;
	r = TOKEN_OK;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return r;
}
