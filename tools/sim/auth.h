/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device authentication as posreader/wire.h defines it:
 * HMAC-SHA256(pairing key, PRW_AUTH_LABEL || challenge || serial).
 */
#ifndef POSREADER_SIM_AUTH_H
#define POSREADER_SIM_AUTH_H

#include <stddef.h>

#include <posreader/wire.h>

/* Compute the 32-byte answer to challenge for serial into ret_mac.
 * Returns 0, -EINVAL for bad arguments, -EIO if libcrypto fails. */
int sim_auth_answer(const u8 *key, size_t key_len,
		    const u8 challenge[PRW_AUTH_CHALLENGE_LEN],
		    const char *serial, u8 ret_mac[PRW_AUTH_RESPONSE_LEN]);

/* Parse hex (even length, no separators) into out (cap bytes); returns
 * the byte count or -EINVAL. */
int sim_hex_parse(const char *hex, u8 *out, size_t cap);

#endif /* POSREADER_SIM_AUTH_H */
