// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Acquirer tokens from an untrusted caller (ApplyToken(ay)): parse and
 * verify arbitrary bytes. Whatever parses must re-encode within bounds
 * and carry only valid fields.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

/* A fixed acquirer public key; signatures on fuzz input will not match. */
static const uint8_t pub[TOKEN_PUBKEY_LEN] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
	0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
	0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token t;
	int r;

	r = token_parse(data, size, &t);
	if (r == TOKEN_OK) {
		if (!token_terminal_id_valid(t.terminal_id) ||
		    strlen(t.message) > TOKEN_MESSAGE_MAX ||
		    !token_type_name(t.type))
			abort();
	} else if (r != TOKEN_E_MALFORMED && r != TOKEN_E_VERSION) {
		abort();
	}
	r = token_verify(data, size, pub, &t);
	if (r < 0 || r >= TOKEN_E_COUNT)
		abort();
	return 0;
}
