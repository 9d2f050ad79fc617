/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Showing response APDU data: BER-TLV (ISO/IEC 8825-1 as EMV uses it)
 * printed as a tree, with card data masked: the PAN as first 6 / last 4,
 * track 2 equivalent data as masked PAN, expiry and service code, other
 * track and PIN data withheld entirely.
 */
#ifndef POSREADER_PROBE_TLV_H
#define POSREADER_PROBE_TLV_H

#include <stdio.h>

#include <posreader/wire.h>

/* True if data (len bytes) is a well-formed sequence of BER-TLV objects
 * that starts with a tag an EMV answer starts with. */
bool tlv_is_emv(const u8 *data, size_t len);

/* Print data for which tlv_is_emv() holds to f, one object per line,
 * indented by depth; returns -EBADMSG (printing nothing) otherwise. */
int tlv_print(FILE *f, const u8 *data, size_t len);

#endif /* POSREADER_PROBE_TLV_H */
