/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The usb transport: the posreader wire protocol over libusb, for readers
 * the kernel module does not drive. Devices are found and followed with
 * sd-device (udev) on the event loop; libusb does no discovery of its own
 * (and so starts no thread). An interface bound to a kernel driver is
 * never touched: that reader belongs to the kernel transport.
 */
#ifndef POSREADERD_TRANSPORT_USB_H
#define POSREADERD_TRANSPORT_USB_H

struct manager;

/* Start: attach every posreader interface present, then follow hotplug. */
int usb_start(struct manager *m);

/* Stop: release every device and free the libusb context. */
void usb_stop(struct manager *m);

#endif /* POSREADERD_TRANSPORT_USB_H */
