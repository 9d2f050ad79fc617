// SPDX-License-Identifier: GPL-2.0-or-later
/* Device status and errno values to org.posreader1.Error.* names. */
#include <errno.h>
#include <string.h>

#include <posreader/wire.h>

#include "dbus-errors.h"

const sd_bus_error_map pr_error_map[] = {
	SD_BUS_ERROR_MAP(PR_ERR_LOCKED, EACCES),
	SD_BUS_ERROR_MAP(PR_ERR_NOT_CLAIMED, EPERM),
	SD_BUS_ERROR_MAP(PR_ERR_ALREADY_CLAIMED, EBUSY),
	SD_BUS_ERROR_MAP(PR_ERR_TIMEOUT, ETIMEDOUT),
	SD_BUS_ERROR_MAP(PR_ERR_NO_CARD, ENOMEDIUM),
	SD_BUS_ERROR_MAP(PR_ERR_DISCONNECTED, ENODEV),
	SD_BUS_ERROR_MAP(PR_ERR_INVALID_ARGS, EINVAL),
	SD_BUS_ERROR_MAP(PR_ERR_ACCESS_DENIED, EACCES),
	SD_BUS_ERROR_MAP(PR_ERR_NOT_SUPPORTED, EOPNOTSUPP),
	SD_BUS_ERROR_MAP(PR_ERR_NOT_POWERED, ENOLINK),
	SD_BUS_ERROR_MAP(PR_ERR_CARD_MUTE, EIO),
	SD_BUS_ERROR_MAP(PR_ERR_BUSY, EAGAIN),
	SD_BUS_ERROR_MAP(PR_ERR_TAMPERED, EPERM),
	SD_BUS_ERROR_MAP(PR_ERR_DEVICE, EPROTO),
	SD_BUS_ERROR_MAP(PR_ERR_CANCELLED, ECANCELED),
	SD_BUS_ERROR_MAP(PR_ERR_RATE_LIMITED, EUSERS),
	SD_BUS_ERROR_MAP(PR_ERR_INVALID_TOKEN, EBADMSG),
	SD_BUS_ERROR_MAP(PR_ERR_NOT_PROVISIONED, ENOKEY),
	SD_BUS_ERROR_MAP(PR_ERR_FAILED, EIO),
	SD_BUS_ERROR_MAP_END
};

int pr_error_from_status(sd_bus_error *error, uint8_t status)
{
	switch (status) {
	case PRW_ST_NO_CARD:
		return sd_bus_error_set(error, PR_ERR_NO_CARD,
					"No card in the slot.");
	case PRW_ST_NOT_POWERED:
		return sd_bus_error_set(error, PR_ERR_NOT_POWERED,
					"The card is not powered; call "
					"IccPowerOn first.");
	case PRW_ST_CARD_MUTE:
		return sd_bus_error_set(error, PR_ERR_CARD_MUTE,
					"The card did not answer.");
	case PRW_ST_BUSY:
		return sd_bus_error_set(error, PR_ERR_BUSY,
					"The reader is busy.");
	case PRW_ST_UNSUPPORTED:
		return sd_bus_error_set(error, PR_ERR_NOT_SUPPORTED,
					"The reader does not support this.");
	case PRW_ST_TAMPERED:
		return sd_bus_error_set(error, PR_ERR_TAMPERED,
					"The reader reports tamper and "
					"refuses service.");
	case PRW_ST_BAD_ARGS:
		return sd_bus_error_set(error, PR_ERR_INVALID_ARGS,
					"The reader rejected the request.");
	default:
		return sd_bus_error_setf(error, PR_ERR_DEVICE,
					 "The reader failed the request (%s).",
					 prw_status_name(status));
	}
}

int pr_error_from_errno(sd_bus_error *error, int err)
{
	switch (-err) {
	case ETIMEDOUT:
		sd_bus_error_set(error, PR_ERR_TIMEOUT,
				 "The reader did not answer in time.");
		break;
	case ENODEV:
		sd_bus_error_set(error, PR_ERR_DISCONNECTED,
				 "The reader was disconnected.");
		break;
	case EACCES:
		sd_bus_error_set(error, PR_ERR_LOCKED,
				 "The terminal is locked; card services are "
				 "refused.");
		break;
	case ECANCELED:
		sd_bus_error_set(error, PR_ERR_CANCELLED,
				 "The request was cancelled: the claim ended "
				 "or the terminal locked.");
		break;
	case EPROTO:
	case EBADMSG:
		sd_bus_error_set(error, PR_ERR_DEVICE,
				 "The reader sent a malformed answer.");
		break;
	case EAGAIN:
	case ENOBUFS:
		sd_bus_error_set(error, PR_ERR_BUSY,
				 "The reader is busy; try again.");
		break;
	default:
		sd_bus_error_setf(error, PR_ERR_DEVICE,
				  "Reader request failed: %s.", strerror(-err));
		break;
	}
	return err;
}
