// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for posreader-probe's connection: a socketpair plays the
 * device, feeding valid, stale and invalid frames.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "conn.h"

struct fixture {
	struct probe_conn c;
	int dev;
	unsigned int events;
};

static void count_event(void *userdata, const struct prw_frame *f)
{
	((struct fixture *)userdata)->events++;
}

static int setup(void **state)
{
	static struct fixture fx;
	int sv[2];

	memset(&fx, 0, sizeof(fx));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	fx.c.fd = sv[0];
	fx.c.seq = 7;
	fx.c.on_event = count_event;
	fx.c.event_data = &fx;
	fx.dev = sv[1];
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	probe_close(&fx->c);
	if (fx->dev >= 0)
		close(fx->dev);
	return 0;
}

static void dev_send(struct fixture *fx, const u8 *b, size_t n)
{
	assert_int_equal(send(fx->dev, b, n, 0), (ssize_t)n);
}

static void dev_send_frame(struct fixture *fx, u8 type, u8 seq, u8 status)
{
	u8 b[PRW_MIN_FRAME + 2];
	struct prw_status_info st = { 0 };
	int n, plen = 0;

	if (type == (PRW_CMD_GET_STATUS | PRW_RSP_BIT) && status == 0)
		plen = prw_status_info_encode(PRW_PAYLOAD(b), 2, &st);
	n = prw_frame_seal(b, sizeof(b), type, seq, 0, status, (size_t)plen);
	assert_true(n > 0);
	dev_send(fx, b, (size_t)n);
}

static void test_matching_response(void **state)
{
	struct fixture *fx = *state;
	struct prw_frame f;
	u8 junk[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
		      0xde, 0xf0, 0x01, 0x02, 0x03, 0x04 };
	u8 cmd[PRW_MAX_FRAME];

	/* Stale answer, junk, an event, then the real answer: queued
	 * before the command goes out, as a device could have sent them. */
	dev_send_frame(fx, PRW_CMD_GET_STATUS | PRW_RSP_BIT, 7, 0);
	dev_send(fx, junk, sizeof(junk));
	dev_send_frame(fx, PRW_EVT_ICC_INSERTED, 0, 0);
	dev_send_frame(fx, PRW_CMD_GET_STATUS | PRW_RSP_BIT, 8, 0);
	assert_int_equal(
		probe_transact(&fx->c, PRW_CMD_GET_STATUS, NULL, 0, 1000, &f),
		0);
	assert_int_equal(f.seq, 8);
	assert_int_equal(f.len, 2);
	assert_int_equal(fx->c.unexpected, 1);
	assert_int_equal(fx->c.invalid, 1);
	assert_int_equal(fx->c.last_invalid, -PRW_E_MAGIC);
	assert_int_equal(fx->events, 1);
	assert_true(probe_saw_violations(&fx->c));
	/* The command the device received is a valid GET_STATUS. */
	assert_int_equal(recv(fx->dev, cmd, sizeof(cmd), 0), PRW_MIN_FRAME);
	assert_int_equal(prw_frame_decode(cmd, PRW_MIN_FRAME, &f), 0);
	assert_int_equal(f.type, PRW_CMD_GET_STATUS);
	assert_int_equal(f.seq, 8);
}

static void test_timeout_and_oversize(void **state)
{
	struct fixture *fx = *state;
	static u8 big[PRW_MAX_FRAME + 100];
	struct prw_frame f;

	memset(big, PRW_MAGIC, sizeof(big));
	dev_send(fx, big, sizeof(big));
	assert_int_equal(
		probe_transact(&fx->c, PRW_CMD_GET_INFO, NULL, 0, 100, &f),
		-ETIMEDOUT);
	assert_int_equal(fx->c.invalid, 1);
	assert_int_equal(fx->c.last_invalid, -PRW_E_LENGTH);
	assert_int_equal(fx->c.last_invalid_len, sizeof(big));
}

static void test_device_gone(void **state)
{
	struct fixture *fx = *state;
	struct prw_frame f;
	bool stop = false;

	close(fx->dev);
	fx->dev = -1;
	assert_int_equal(probe_watch(&fx->c, 1000, &stop), -ECONNRESET);
	assert_int_equal(
		probe_transact(&fx->c, PRW_CMD_GET_INFO, NULL, 0, 100, &f),
		-ECONNRESET);
}

static void test_watch_counts_events(void **state)
{
	struct fixture *fx = *state;
	bool stop = false;

	dev_send_frame(fx, PRW_EVT_NFC_GONE, 3, 0);
	dev_send_frame(fx, PRW_CMD_GET_INFO | PRW_RSP_BIT, 1, PRW_ST_BUSY);
	assert_int_equal(probe_watch(&fx->c, 100, &stop), -ETIMEDOUT);
	assert_int_equal(fx->events, 1);
	/* A response while only watching is unexpected. */
	assert_int_equal(fx->c.unexpected, 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_matching_response),
		T(test_timeout_and_oversize),
		T(test_device_gone),
		T(test_watch_counts_events),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
