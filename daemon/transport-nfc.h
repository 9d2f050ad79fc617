/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nfc transport: commodity NFC readers (ACR122U, PN532 boards, ...)
 * through libnfc. Each configured device gets a worker process
 * (nfc-worker.h) that speaks the wire protocol on a socket, so the
 * reader core sees an ordinary reader with Transport "nfc". A device
 * that is absent or stops answering is tried again on a backoff timer
 * that runs only while it is absent.
 */
#ifndef POSREADERD_TRANSPORT_NFC_H
#define POSREADERD_TRANSPORT_NFC_H

struct manager;

/* Drive the libnfc device at connstring ("pn532_uart:/dev/ttyUSB0"). */
int transport_nfc_add(struct manager *m, const char *connstring);

/* Add every device nfc_list_devices() finds now; returns how many. */
int transport_nfc_scan(struct manager *m);

/* Stop every worker and forget every device (shutdown). */
void transport_nfc_stop(struct manager *m);

#endif /* POSREADERD_TRANSPORT_NFC_H */
