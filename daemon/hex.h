/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hexadecimal text for keys, KCVs, challenges and MACs. */
#ifndef POSREADER_HEX_H
#define POSREADER_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2*n lower-case hex digits and a NUL to out (2*n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decode exactly n bytes from s, which must be 2*n hex digits (either
 * case) and nothing else: 0, or -EINVAL.
 */
int hex_decode(const char *s, uint8_t *out, size_t n);

#endif /* POSREADER_HEX_H */
