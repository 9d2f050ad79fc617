// SPDX-License-Identifier: GPL-2.0-or-later
/* Device status and errno values to org.posreader1.Error.* names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <posreader/wire.h>

#include "dbus-errors.h"

static void check_status(uint8_t status, const char *name)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	assert_true(pr_error_from_status(&e, status) < 0);
	assert_string_equal(e.name, name);
	assert_non_null(e.message);
	assert_true(strlen(e.message) > 0);
	sd_bus_error_free(&e);
}

static void check_errno(int err, const char *name)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	assert_int_equal(pr_error_from_errno(&e, err), err);
	assert_string_equal(e.name, name);
	assert_true(strlen(e.message) > 0);
	sd_bus_error_free(&e);
}

static void test_status(void **state)
{
	check_status(PRW_ST_NO_CARD, PR_ERR_NO_CARD);
	check_status(PRW_ST_NOT_POWERED, PR_ERR_NOT_POWERED);
	check_status(PRW_ST_CARD_MUTE, PR_ERR_CARD_MUTE);
	check_status(PRW_ST_BUSY, PR_ERR_BUSY);
	check_status(PRW_ST_UNSUPPORTED, PR_ERR_NOT_SUPPORTED);
	check_status(PRW_ST_TAMPERED, PR_ERR_TAMPERED);
	check_status(PRW_ST_BAD_ARGS, PR_ERR_INVALID_ARGS);
	check_status(PRW_ST_INTERNAL, PR_ERR_DEVICE);
	check_status(PRW_ST_UNKNOWN_CMD, PR_ERR_DEVICE);
	/* A status no device should send still maps to an error. */
	check_status(0xee, PR_ERR_DEVICE);
}

static void test_errno(void **state)
{
	check_errno(-ETIMEDOUT, PR_ERR_TIMEOUT);
	check_errno(-ENODEV, PR_ERR_DISCONNECTED);
	check_errno(-EACCES, PR_ERR_LOCKED);
	check_errno(-ECANCELED, PR_ERR_CANCELLED);
	check_errno(-EPROTO, PR_ERR_DEVICE);
	check_errno(-ENOBUFS, PR_ERR_BUSY);
	check_errno(-ENOMEM, PR_ERR_DEVICE);
}

static void test_map(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	/* Clients that register the map get errno values back. */
	assert_true(sd_bus_error_add_map(pr_error_map) >= 0);
	sd_bus_error_set(&e, PR_ERR_TIMEOUT, "x");
	assert_int_equal(sd_bus_error_get_errno(&e), ETIMEDOUT);
	sd_bus_error_free(&e);
	sd_bus_error_set(&e, PR_ERR_ALREADY_CLAIMED, "x");
	assert_int_equal(sd_bus_error_get_errno(&e), EBUSY);
	sd_bus_error_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
