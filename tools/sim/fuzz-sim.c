// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the simulator's device model, card application
 * and control language: the input is a script of operations, so host
 * frames (raw, or sealed with a valid CRC to get past the codec), control
 * lines and the passing of time interleave as they do in a real run.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "card-app.h"
#include "control.h"
#include "device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_env {
	uint64_t now;
	bool connected;
};

static int sink(void *userdata, enum sim_channel ch, const u8 *frame, size_t n)
{
	struct fuzz_env *env = userdata;

	/* Pretend the host sometimes cannot take a frame. */
	return env->connected ? 0 : -ENOTCONN;
}

static uint64_t fuzz_clock(void *userdata)
{
	return ((struct fuzz_env *)userdata)->now;
}

static bool is_connected(void *userdata)
{
	return ((struct fuzz_env *)userdata)->connected;
}

static int do_disconnect(void *userdata)
{
	struct fuzz_env *env = userdata;

	if (!env->connected)
		return -ENOTCONN;
	env->connected = false;
	return 0;
}

static void do_quit(void *userdata)
{
}

/* Take a length-prefixed chunk from the script. */
static size_t take(const uint8_t **p, size_t *left, const uint8_t **ret)
{
	size_t n;

	/* Even an empty chunk points into the input, never at NULL. */
	*ret = *p;
	if (*left < 2)
		return 0;
	n = ((size_t)(*p)[0] << 8 | (*p)[1]) % 1400;
	*p += 2;
	*left -= 2;
	if (n > *left)
		n = *left;
	*ret = *p;
	*p += n;
	*left -= n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_env env = { .now = 1, .connected = true };
	struct sim_host_ops host = { &env, is_connected, do_disconnect,
				     do_quit };
	char reply[SIM_CTL_REPLY_MAX], line[SIM_CTL_LINE_MAX + 2];
	u8 frame[PRW_MAX_FRAME + 8], rsp[PRW_RAPDU_MAX];
	struct sim_device *dev = NULL;
	struct card_app *app = NULL;
	struct sim_identity id;
	const uint8_t *chunk;
	size_t n, rlen;

	sim_identity_default(&id);
	if (sim_device_new(&id, sink, &env, &dev) < 0)
		return 0;
	sim_device_set_clock(dev, fuzz_clock, &env);
	if (card_app_new(CARD_IFACE_CONTACT, &app) < 0)
		goto out;
	while (size) {
		uint8_t op = *data++;

		size--;
		switch (op % 6) {
		case 0: /* a raw host message */
			n = take(&data, &size, &chunk);
			memcpy(frame, chunk,
			       n < sizeof(frame) ? n : sizeof(frame));
			sim_device_handle_frame(
				dev, frame,
				n < sizeof(frame) ? n : sizeof(frame));
			break;
		case 1: /* a command with a valid frame around any payload */
			n = take(&data, &size, &chunk);
			if (!n)
				break;
			if (prw_frame_encode(frame, sizeof(frame),
					     1 + chunk[0] % PRW_CMD_LAST, op, 0,
					     0, chunk + 1,
					     n - 1 > PRW_MAX_PAYLOAD ?
						     PRW_MAX_PAYLOAD :
						     n - 1) > 0)
				sim_device_handle_frame(
					dev, frame,
					PRW_MIN_FRAME +
						(n - 1 > PRW_MAX_PAYLOAD ?
							 PRW_MAX_PAYLOAD :
							 n - 1));
			break;
		case 2: /* a control line */
			n = take(&data, &size, &chunk);
			if (n > SIM_CTL_LINE_MAX + 1)
				n = SIM_CTL_LINE_MAX + 1;
			memcpy(line, chunk, n);
			line[n] = '\0';
			sim_control_exec(dev, &host, line, reply,
					 sizeof(reply));
			break;
		case 3: /* time passes */
			env.now += (uint64_t)op * 40000;
			sim_device_run_timers(dev);
			break;
		case 4: /* the host comes and goes */
			env.connected = !env.connected;
			if (!env.connected)
				sim_device_host_reset(dev);
			break;
		default: /* an APDU straight to a card */
			n = take(&data, &size, &chunk);
			card_app_process(app, chunk, n, rsp, sizeof(rsp),
					 &rlen);
			break;
		}
	}
out:
	card_app_free(app);
	sim_device_free(dev);
	return 0;
}
