/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Primary account numbers (ISO/IEC 7812): the Luhn check digit and the
 * forms of a PAN that may be shown (PCI DSS: at most the first six and
 * the last four digits).
 *
 * A PAN here is a NUL-terminated string of decimal digits. Functions that
 * return int give >= 0 on success or a negative errno; output parameters
 * are untouched on failure.
 */
#ifndef POSREADER_PAN_H
#define POSREADER_PAN_H

#include <stdbool.h>
#include <stddef.h>

/* PAN lengths that can be masked first 6 / last 4 (ISO/IEC 7812). */
#define PAN_MASKABLE_MIN 13
#define PAN_MASKABLE_MAX 19
#define PAN_SHOW_FIRST	 6
#define PAN_SHOW_LAST	 4
/* Buffer size that holds any masked PAN with its terminator. */
#define PAN_MASKED_SIZE	 (PAN_MASKABLE_MAX + 1)
#define PAN_LAST4_SIZE	 (PAN_SHOW_LAST + 1)

/* True if pan is 2..19 digits and its last digit is its Luhn check digit. */
bool pan_luhn_valid(const char *pan);

/* True if pan is PAN_MASKABLE_MIN..PAN_MASKABLE_MAX digits and nothing else. */
bool pan_is_maskable(const char *pan);

/*
 * Write pan with all but its first 6 and last 4 digits replaced by '*'
 * into ret (cap bytes, terminator included). Returns the masked length,
 * -EINVAL if pan is not a maskable PAN, -ENOBUFS if cap is too small.
 */
int pan_mask(const char *pan, char *ret, size_t cap);

/*
 * Write the last 4 digits of pan into ret (cap bytes, terminator
 * included). Returns 4, -EINVAL if pan is not a maskable PAN, -ENOBUFS
 * if cap is too small.
 */
int pan_last4(const char *pan, char *ret, size_t cap);

#endif /* POSREADER_PAN_H */
