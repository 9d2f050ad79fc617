/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel transport's translation between wire frames and the UAPI of
 * posreader.ko: a command frame becomes one ioctl and its result a
 * response payload; an event record becomes an event frame. No event
 * loop and no threads here, so it is unit-tested on its own.
 */
#ifndef POSREADERD_KERNEL_XLATE_H
#define POSREADERD_KERNEL_XLATE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/posreader.h>
#include <posreader/wire.h>

/*
 * Run command frame f as an ioctl on fd, the response payload going to
 * out (PRW_MAX_PAYLOAD bytes) and its length to *ret_len. Returns the wire
 * status (>= 0), -ENODEV if the reader is gone, or another negative errno
 * when the device gave no answer (the reader core then times out).
 */
int kernel_run_command(int fd, const struct prw_frame *f, uint8_t *out,
		       size_t *ret_len);

/*
 * Build the event frame for one read() record in frame (cap >=
 * PRW_MAX_FRAME). Returns its length; 0 for a record with no frame (for
 * an overflow record *ret_lost tells how many were lost); -EBADMSG for a
 * malformed record.
 */
int kernel_event_frame(const struct posreader_event *ev, uint8_t *frame,
		       size_t cap, uint32_t *ret_lost);

#endif /* POSREADERD_KERNEL_XLATE_H */
