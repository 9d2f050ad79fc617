/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel transport: readers driven by posreader.ko, through
 * /dev/posreaderN and its UAPI (include/uapi/linux/posreader.h). Devices
 * are found and followed with sd-device (subsystem "posreader").
 */
#ifndef POSREADERD_TRANSPORT_KERNEL_H
#define POSREADERD_TRANSPORT_KERNEL_H

struct manager;

/* Attach every /dev/posreaderN present, then follow hotplug. */
int kernel_start(struct manager *m);

/* Stop following hotplug; readers are freed by the manager. */
void kernel_stop(struct manager *m);

#endif /* POSREADERD_TRANSPORT_KERNEL_H */
