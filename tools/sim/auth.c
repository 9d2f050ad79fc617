// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hex.h"
#include "util.h"

#include "auth.h"

int sim_auth_answer(const u8 *key, size_t key_len,
		    const u8 challenge[PRW_AUTH_CHALLENGE_LEN],
		    const char *serial, u8 ret_mac[PRW_AUTH_RESPONSE_LEN])
{
	const size_t label_len = sizeof(PRW_AUTH_LABEL) - 1;
	u8 msg[sizeof(PRW_AUTH_LABEL) - 1 + PRW_AUTH_CHALLENGE_LEN +
	       PRW_STR_MAX];
	u8 mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	size_t serial_len;
	int r = 0;

	if (!key || !key_len || !challenge || !serial)
		return -EINVAL;
	serial_len = strlen(serial);
	if (serial_len > PRW_STR_MAX)
		return -EINVAL;
	memcpy(msg, PRW_AUTH_LABEL, label_len);
	memcpy(msg + label_len, challenge, PRW_AUTH_CHALLENGE_LEN);
	memcpy(msg + label_len + PRW_AUTH_CHALLENGE_LEN, serial, serial_len);
	if (!HMAC(EVP_sha256(), key, (int)key_len, msg,
		  label_len + PRW_AUTH_CHALLENGE_LEN + serial_len, mac,
		  &mac_len) ||
	    mac_len != PRW_AUTH_RESPONSE_LEN) {
		r = -EIO;
		goto out;
	}
	memcpy(ret_mac, mac, PRW_AUTH_RESPONSE_LEN);
out:
	secure_zero(mac, sizeof(mac));
	return r;
}

int sim_hex_parse(const char *hex, u8 *out, size_t cap)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > cap || hex_decode(hex, out, n / 2) < 0)
		return -EINVAL;
	return (int)(n / 2);
}
