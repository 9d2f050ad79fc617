/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The org.posreader1.Error.* names and the mapping from device status and
 * errno values to them. docs/dbus-api.md lists when each one is returned.
 */
#ifndef POSREADERD_DBUS_ERRORS_H
#define POSREADERD_DBUS_ERRORS_H

#include <stdint.h>

#include <systemd/sd-bus.h>

#define PR_ERR_PREFIX	       "org.posreader1.Error."
#define PR_ERR_LOCKED	       PR_ERR_PREFIX "Locked"
#define PR_ERR_NOT_CLAIMED     PR_ERR_PREFIX "NotClaimed"
#define PR_ERR_ALREADY_CLAIMED PR_ERR_PREFIX "AlreadyClaimed"
#define PR_ERR_TIMEOUT	       PR_ERR_PREFIX "Timeout"
#define PR_ERR_NO_CARD	       PR_ERR_PREFIX "NoCard"
#define PR_ERR_DISCONNECTED    PR_ERR_PREFIX "Disconnected"
#define PR_ERR_INVALID_ARGS    PR_ERR_PREFIX "InvalidArgs"
#define PR_ERR_ACCESS_DENIED   PR_ERR_PREFIX "AccessDenied"
#define PR_ERR_NOT_SUPPORTED   PR_ERR_PREFIX "NotSupported"
#define PR_ERR_NOT_POWERED     PR_ERR_PREFIX "NotPowered"
#define PR_ERR_CARD_MUTE       PR_ERR_PREFIX "CardMute"
#define PR_ERR_BUSY	       PR_ERR_PREFIX "Busy"
#define PR_ERR_TAMPERED	       PR_ERR_PREFIX "Tampered"
#define PR_ERR_DEVICE	       PR_ERR_PREFIX "DeviceError"
#define PR_ERR_CANCELLED       PR_ERR_PREFIX "Cancelled"
#define PR_ERR_RATE_LIMITED    PR_ERR_PREFIX "RateLimited"
#define PR_ERR_INVALID_TOKEN   PR_ERR_PREFIX "InvalidToken"
#define PR_ERR_NOT_PROVISIONED PR_ERR_PREFIX "NotProvisioned"
#define PR_ERR_FAILED	       PR_ERR_PREFIX "Failed"

/*
 * Set *error from a non-OK device response status (enum prw_status).
 * Returns the negative errno sd-bus expects from a method handler.
 */
int pr_error_from_status(sd_bus_error *error, uint8_t status);

/*
 * Set *error from a negative errno of the reader core (-ETIMEDOUT,
 * -ENODEV, -ECANCELED, ...); returns err.
 */
int pr_error_from_errno(sd_bus_error *error, int err);

/* Map of the org.posreader1.Error.* names to errno, for clients. */
extern const sd_bus_error_map pr_error_map[];

#endif /* POSREADERD_DBUS_ERRORS_H */
