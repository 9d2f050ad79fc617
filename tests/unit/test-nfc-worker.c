// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The libnfc worker (daemon/nfc-worker.c) against a fake libnfc: every
 * libnfc call the worker makes is wrapped (-Wl,--wrap) and answered from
 * a fake device whose state lives in shared memory, so the test changes
 * it while the worker runs in its own process, as in the daemon. The
 * test speaks the wire protocol to the worker over its socket and checks
 * what the daemon would get: answers, NFC_PRESENT / NFC_GONE events, and
 * the worker's exit when the device fails or hangs.
 *
 * Covers what the emulated PN532 cannot show: ISO 14443-B targets, long
 * ATS, a mute card, and a device that answers every poll at once.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <nfc/nfc.h>

#include <posreader/wire.h>

#include "nfc-worker.h"

#define CONNSTRING "fake_uart:/dev/ttyFAKE0"

/* The fake device, shared with the worker process. */
struct fake {
	bool present;	    /* a target in the field */
	nfc_target target;  /* the target there */
	int poll_err;	    /* poll fails with this (0: works) */
	bool poll_instant;  /* an empty poll answers at once */
	bool poll_hangs;    /* the poll never returns */
	int apdu_err;	    /* transceive fails with this (0: works) */
	unsigned int polls; /* polls so far */
	unsigned int apdus; /* APDUs so far */
};

static struct fake *fake;
static int dummy_ctx, dummy_dev;

/* ---- The fake libnfc ---------------------------------------------------- */

void __wrap_nfc_init(nfc_context **ctx);
void __wrap_nfc_exit(nfc_context *ctx);
nfc_device *__wrap_nfc_open(nfc_context *ctx, const nfc_connstring cs);
void __wrap_nfc_close(nfc_device *dev);
int __wrap_nfc_initiator_init(nfc_device *dev);
int __wrap_nfc_device_set_property_bool(nfc_device *dev,
					const nfc_property property,
					const bool enable);
const char *__wrap_nfc_device_get_name(nfc_device *dev);
int __wrap_nfc_device_get_information_about(nfc_device *dev, char **buf);
void __wrap_nfc_free(void *p);
int __wrap_nfc_device_get_supported_modulation(
	nfc_device *dev, const nfc_mode mode,
	const nfc_modulation_type **types);
int __wrap_nfc_initiator_poll_target(nfc_device *dev,
				     const nfc_modulation *mods,
				     const size_t n_mods, const uint8_t rounds,
				     const uint8_t period, nfc_target *nt);
int __wrap_nfc_initiator_target_is_present(nfc_device *dev,
					   const nfc_target *nt);
int __wrap_nfc_initiator_transceive_bytes(nfc_device *dev, const uint8_t *tx,
					  const size_t tx_len, uint8_t *rx,
					  const size_t rx_len, int timeout);
int __wrap_nfc_initiator_deselect_target(nfc_device *dev);
int __wrap_nfc_initiator_select_passive_target(nfc_device *dev,
					       const nfc_modulation nm,
					       const uint8_t *init,
					       const size_t init_len,
					       nfc_target *nt);
const char *__wrap_nfc_strerror(const nfc_device *dev);

void __wrap_nfc_init(nfc_context **ctx)
{
	*ctx = (nfc_context *)&dummy_ctx;
}

void __wrap_nfc_exit(nfc_context *ctx)
{
}

nfc_device *__wrap_nfc_open(nfc_context *ctx, const nfc_connstring cs)
{
	return (nfc_device *)&dummy_dev;
}

void __wrap_nfc_close(nfc_device *dev)
{
}

int __wrap_nfc_initiator_init(nfc_device *dev)
{
	return 0;
}

int __wrap_nfc_device_set_property_bool(nfc_device *dev,
					const nfc_property property,
					const bool enable)
{
	return 0;
}

const char *__wrap_nfc_device_get_name(nfc_device *dev)
{
	return CONNSTRING;
}

int __wrap_nfc_device_get_information_about(nfc_device *dev, char **buf)
{
	*buf = strdup("fake_uart:/dev/ttyFAKE0\nchip: FAKE v9.1\n"
		      "initator mode modulations: ISO/IEC 14443A\n");
	return *buf ? 0 : NFC_ESOFT;
}

void __wrap_nfc_free(void *p)
{
	free(p);
}

int __wrap_nfc_device_get_supported_modulation(
	nfc_device *dev, const nfc_mode mode, const nfc_modulation_type **types)
{
	static const nfc_modulation_type supported[] = { NMT_ISO14443A,
							 NMT_ISO14443B, 0 };

	*types = supported;
	return 0;
}

int __wrap_nfc_initiator_poll_target(nfc_device *dev,
				     const nfc_modulation *mods,
				     const size_t n_mods, const uint8_t rounds,
				     const uint8_t period, nfc_target *nt)
{
	__atomic_add_fetch(&fake->polls, 1, __ATOMIC_SEQ_CST);
	while (fake->poll_hangs)
		pause();
	if (fake->poll_err)
		return fake->poll_err;
	if (fake->present) {
		*nt = fake->target;
		return 1;
	}
	/* A real chip waits for its polling period. */
	if (!fake->poll_instant)
		usleep(20 * 1000);
	return 0;
}

int __wrap_nfc_initiator_target_is_present(nfc_device *dev,
					   const nfc_target *nt)
{
	return fake->present ? NFC_SUCCESS : NFC_ETGRELEASED;
}

int __wrap_nfc_initiator_transceive_bytes(nfc_device *dev, const uint8_t *tx,
					  const size_t tx_len, uint8_t *rx,
					  const size_t rx_len, int timeout)
{
	__atomic_add_fetch(&fake->apdus, 1, __ATOMIC_SEQ_CST);
	if (fake->apdu_err)
		return fake->apdu_err;
	if (!fake->present)
		return NFC_ERFTRANS;
	/* Echo the INS byte, then 90 00. */
	rx[0] = tx[1];
	rx[1] = 0x90;
	rx[2] = 0x00;
	return 3;
}

int __wrap_nfc_initiator_deselect_target(nfc_device *dev)
{
	return 0;
}

int __wrap_nfc_initiator_select_passive_target(nfc_device *dev,
					       const nfc_modulation nm,
					       const uint8_t *init,
					       const size_t init_len,
					       nfc_target *nt)
{
	if (!fake->present)
		return 0;
	*nt = fake->target;
	return 1;
}

const char *__wrap_nfc_strerror(const nfc_device *dev)
{
	return "fake failure";
}

/* ---- Targets ------------------------------------------------------------ */

static void set_target_a(const uint8_t *uid, size_t uid_len, size_t ats_len)
{
	nfc_target t = { .nm = { .nmt = NMT_ISO14443A, .nbr = NBR_106 } };

	memcpy(t.nti.nai.abtUid, uid, uid_len);
	t.nti.nai.szUidLen = uid_len;
	/* As libnfc keeps it: printed order, MSB first. */
	t.nti.nai.abtAtqa[0] = 0x00;
	t.nti.nai.abtAtqa[1] = 0x44;
	t.nti.nai.btSak = 0x20;
	for (size_t i = 0; i < ats_len; i++)
		t.nti.nai.abtAts[i] = (uint8_t)(0x70 + i);
	t.nti.nai.szAtsLen = ats_len;
	fake->target = t;
}

static void set_target_b(void)
{
	nfc_target t = { .nm = { .nmt = NMT_ISO14443B, .nbr = NBR_106 } };

	memcpy(t.nti.nbi.abtPupi, "\x11\x22\x33\x44", 4);
	memcpy(t.nti.nbi.abtApplicationData, "\xa1\xa2\xa3\xa4", 4);
	memcpy(t.nti.nbi.abtProtocolInfo, "\x81\x91\xe1", 3);
	fake->target = t;
}

/* ---- Talking to the worker ----------------------------------------------- */

struct worker {
	pid_t pid;
	int fd;
	uint8_t seq;
	char last_log[256];
};

/* The next message from the worker within ms; its length, 0 if none. */
static size_t next_msg(struct worker *w, uint8_t *buf, size_t cap,
		       unsigned int ms)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, ms) <= 0)
			return 0;
		n = recv(w->fd, buf, cap, 0);
		if (n <= 0)
			return 0;
		if (buf[0] != NFC_MSG_LOG)
			return n;
		snprintf(w->last_log, sizeof(w->last_log), "%.*s", (int)(n - 2),
			 (const char *)buf + 2);
	}
}

/* The next wire frame, decoded; fails the test if none comes. */
static void next_frame(struct worker *w, uint8_t *buf,
		       struct prw_frame *ret_frame)
{
	size_t n = next_msg(w, buf, PRW_MAX_FRAME, 3000);

	assert_true(n > 0);
	assert_int_equal(buf[0], PRW_MAGIC);
	assert_int_equal(prw_frame_decode(buf, n, ret_frame), 0);
}

static void start_worker(struct worker *w)
{
	uint8_t buf[64];
	int sv[2];
	size_t n;

	memset(w, 0, sizeof(*w));
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	w->pid = fork();
	assert_true(w->pid >= 0);
	if (w->pid == 0)
		nfc_worker_main(sv[1], CONNSTRING, false);
	close(sv[1]);
	w->fd = sv[0];
	n = next_msg(w, buf, sizeof(buf), 3000);
	assert_true(n > 0);
	assert_int_equal(buf[0], NFC_MSG_READY);
}

/* Close the socket; the worker's exit status. */
static int stop_worker(struct worker *w)
{
	int status = 0;

	close(w->fd);
	assert_int_equal(waitpid(w->pid, &status, 0), w->pid);
	return status;
}

static void send_cmd(struct worker *w, uint8_t type, const uint8_t *payload,
		     size_t len)
{
	uint8_t frame[PRW_MAX_FRAME];
	int n;

	w->seq++;
	n = prw_frame_encode(frame, sizeof(frame), type, w->seq, 0, 0,
			     len ? payload : NULL, len);
	assert_true(n > 0);
	assert_int_equal(send(w->fd, frame, n, 0), n);
}

/* Send a command; return its response (events before it are skipped). */
static void command(struct worker *w, uint8_t type, const uint8_t *payload,
		    size_t len, uint8_t *buf, struct prw_frame *rsp)
{
	send_cmd(w, type, payload, len);
	do {
		next_frame(w, buf, rsp);
	} while (prw_type_is_event(rsp->type));
	assert_int_equal(rsp->type, prw_response_type(type));
	assert_int_equal(rsp->seq, w->seq);
}

static uint8_t apdu_status(struct worker *w, uint8_t slot, size_t apdu_len,
			   uint8_t *buf, struct prw_frame *rsp)
{
	uint8_t apdu[PRW_APDU_MAX] = { 0x00, 0xa4, 0x04, 0x00 };
	uint8_t payload[PRW_MAX_PAYLOAD];
	int n;

	n = prw_apdu_encode(payload, sizeof(payload), slot, apdu, apdu_len);
	assert_true(n > 0);
	command(w, PRW_CMD_APDU, payload, n, buf, rsp);
	return rsp->status;
}

static void expect_event(struct worker *w, uint8_t type, uint8_t *buf,
			 struct prw_frame *f)
{
	next_frame(w, buf, f);
	assert_int_equal(f->type, type);
}

static int setup(void **state)
{
	memset(fake, 0, sizeof(*fake));
	return 0;
}

/* ---- Tests --------------------------------------------------------------- */

static void test_info_and_status(void **state)
{
	uint8_t buf[PRW_MAX_FRAME];
	struct prw_status_info st;
	struct prw_info info, again;
	struct prw_frame f;
	struct worker w;

	start_worker(&w);
	command(&w, PRW_CMD_GET_INFO, NULL, 0, buf, &f);
	assert_int_equal(f.status, PRW_ST_OK);
	assert_int_equal(prw_info_decode(f.payload, f.len, &info), 0);
	assert_int_equal(info.proto_version, PRW_PROTO_VERSION);
	assert_int_equal(info.caps, PRW_CAP_NFC);
	assert_string_equal(info.vendor, "libnfc");
	assert_string_equal(info.model, "fake_uart");
	assert_string_equal(info.firmware, "FAKE v9.1");
	assert_int_equal(strlen(info.serial), 12);
	assert_memory_equal(info.serial, "NFC-", 4);
	command(&w, PRW_CMD_GET_STATUS, NULL, 0, buf, &f);
	assert_int_equal(f.status, PRW_ST_OK);
	assert_int_equal(prw_status_info_decode(f.payload, f.len, &st), 0);
	assert_int_equal(st.state, 0);
	assert_true(WIFEXITED(stop_worker(&w)));

	/* The same device, another time: the same serial. */
	start_worker(&w);
	command(&w, PRW_CMD_GET_INFO, NULL, 0, buf, &f);
	assert_int_equal(prw_info_decode(f.payload, f.len, &again), 0);
	assert_string_equal(again.serial, info.serial);
	stop_worker(&w);
}

static void test_unsupported_and_bad(void **state)
{
	uint8_t buf[PRW_MAX_FRAME], challenge[PRW_AUTH_CHALLENGE_LEN] = { 1 };
	uint8_t payload[64], frame[PRW_MAX_FRAME];
	struct prw_indicators ind = { .leds = PRW_LED_GREEN };
	struct prw_frame f;
	struct worker w;
	int n;

	start_worker(&w);
	command(&w, PRW_CMD_ICC_POWER_ON, NULL, 0, buf, &f);
	assert_int_equal(f.status, PRW_ST_UNSUPPORTED);
	command(&w, PRW_CMD_ICC_POWER_OFF, NULL, 0, buf, &f);
	assert_int_equal(f.status, PRW_ST_UNSUPPORTED);
	n = prw_auth_encode(payload, sizeof(payload), challenge);
	command(&w, PRW_CMD_AUTH, payload, n, buf, &f);
	assert_int_equal(f.status, PRW_ST_UNSUPPORTED);
	n = prw_indicators_encode(payload, sizeof(payload), &ind);
	command(&w, PRW_CMD_SET_INDICATORS, payload, n, buf, &f);
	assert_int_equal(f.status, PRW_ST_UNSUPPORTED);
	assert_int_equal(f.len, 0);

	assert_int_equal(apdu_status(&w, PRW_SLOT_ICC, 4, buf, &f),
			 PRW_ST_UNSUPPORTED);
	assert_int_equal(apdu_status(&w, PRW_SLOT_NFC, 4, buf, &f),
			 PRW_ST_NO_CARD);
	/* Longer than a PN53x frame can carry. */
	assert_int_equal(apdu_status(&w, PRW_SLOT_NFC, 300, buf, &f),
			 PRW_ST_BAD_ARGS);
	/* A malformed APDU payload. */
	command(&w, PRW_CMD_APDU, (const uint8_t *)"\x01", 1, buf, &f);
	assert_int_equal(f.status, PRW_ST_BAD_ARGS);

	/* A frame with a bad CRC gets no answer; the worker goes on. */
	n = prw_frame_encode(frame, sizeof(frame), PRW_CMD_GET_STATUS, 77, 0, 0,
			     NULL, 0);
	frame[n - 1] ^= 0xff;
	assert_int_equal(send(w.fd, frame, n, 0), n);
	assert_int_equal(send(w.fd, "garbage", 7, 0), 7);
	command(&w, PRW_CMD_GET_STATUS, NULL, 0, buf, &f);
	assert_int_equal(f.status, PRW_ST_OK);
	assert_true(WIFEXITED(stop_worker(&w)));
}

static void test_tag_a(void **state)
{
	static const uint8_t uid[] = {
		0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66
	};
	uint8_t buf[PRW_MAX_FRAME];
	struct prw_nfc_target t;
	struct prw_frame f;
	struct worker w;

	/* A 40-byte ATS: the wire carries 32 of it. */
	set_target_a(uid, sizeof(uid), 40);
	start_worker(&w);
	fake->present = true;
	expect_event(&w, PRW_EVT_NFC_PRESENT, buf, &f);
	assert_int_equal(prw_nfc_target_decode(f.payload, f.len, &t), 0);
	assert_int_equal(t.protocol, PRW_NFC_14443A);
	assert_int_equal(t.uid_len, sizeof(uid));
	assert_memory_equal(t.uid, uid, sizeof(uid));
	/* As received: LSB first. */
	assert_int_equal(t.atqa[0], 0x44);
	assert_int_equal(t.atqa[1], 0x00);
	assert_int_equal(t.sak, 0x20);
	assert_int_equal(t.ats_len, PRW_ATS_MAX);
	assert_int_equal(t.ats[0], 0x70);

	assert_int_equal(apdu_status(&w, PRW_SLOT_NFC, 4, buf, &f), PRW_ST_OK);
	assert_int_equal(f.len, 3);
	assert_memory_equal(f.payload, "\xa4\x90\x00", 3);

	/* Status says a tag is there, and the event follows again. */
	command(&w, PRW_CMD_GET_STATUS, NULL, 0, buf, &f);
	assert_int_equal(f.payload[0], PRW_STATE_NFC_PRESENT);
	expect_event(&w, PRW_EVT_NFC_PRESENT, buf, &f);

	fake->present = false;
	expect_event(&w, PRW_EVT_NFC_GONE, buf, &f);
	assert_int_equal(f.len, 0);
	assert_int_equal(apdu_status(&w, PRW_SLOT_NFC, 4, buf, &f),
			 PRW_ST_NO_CARD);
	stop_worker(&w);
}

static void test_tag_b(void **state)
{
	static const uint8_t atqb[] = { 0x50, 0x11, 0x22, 0x33, 0x44, 0xa1,
					0xa2, 0xa3, 0xa4, 0x81, 0x91, 0xe1 };
	uint8_t buf[PRW_MAX_FRAME];
	struct prw_nfc_target t;
	struct prw_frame f;
	struct worker w;

	set_target_b();
	fake->present = true;
	start_worker(&w);
	expect_event(&w, PRW_EVT_NFC_PRESENT, buf, &f);
	assert_int_equal(prw_nfc_target_decode(f.payload, f.len, &t), 0);
	assert_int_equal(t.protocol, PRW_NFC_14443B);
	assert_int_equal(t.uid_len, 4);
	assert_memory_equal(t.uid, "\x11\x22\x33\x44", 4);
	assert_int_equal(t.sak, 0);
	assert_int_equal(t.ats_len, sizeof(atqb));
	assert_memory_equal(t.ats, atqb, sizeof(atqb));
	stop_worker(&w);
}

static void test_nfc_poll_and_release(void **state)
{
	static const uint8_t uid[] = { 0x08, 0x01, 0x02, 0x03 };
	struct prw_nfc_poll p = { .timeout_ms = 300 };
	uint8_t buf[PRW_MAX_FRAME], payload[8];
	struct prw_nfc_target t;
	struct timespec t0, t1;
	struct prw_frame f;
	struct worker w;
	long ms;
	int n;

	start_worker(&w);
	n = prw_nfc_poll_encode(payload, sizeof(payload), &p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	command(&w, PRW_CMD_NFC_POLL, payload, n, buf, &f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_int_equal(f.status, PRW_ST_NO_CARD);
	assert_true(ms >= 250 && ms < 2000);

	set_target_a(uid, sizeof(uid), 0);
	fake->present = true;
	command(&w, PRW_CMD_NFC_POLL, payload, n, buf, &f);
	assert_int_equal(f.status, PRW_ST_OK);
	assert_int_equal(prw_nfc_target_decode(f.payload, f.len, &t), 0);
	assert_memory_equal(t.uid, uid, sizeof(uid));

	/* Release: a fresh session with the same card, still present. */
	command(&w, PRW_CMD_NFC_RELEASE, NULL, 0, buf, &f);
	assert_int_equal(f.status, PRW_ST_OK);
	assert_int_equal(apdu_status(&w, PRW_SLOT_NFC, 4, buf, &f), PRW_ST_OK);
	stop_worker(&w);
}

static void test_card_mute_then_gone(void **state)
{
	static const uint8_t uid[] = { 0x08, 0x01, 0x02, 0x03 };
	uint8_t buf[PRW_MAX_FRAME];
	struct prw_frame f;
	struct worker w;

	set_target_a(uid, sizeof(uid), 0);
	fake->present = true;
	start_worker(&w);
	expect_event(&w, PRW_EVT_NFC_PRESENT, buf, &f);

	/* An RF error with the card still there: mute, not gone. */
	fake->apdu_err = NFC_ERFTRANS;
	assert_int_equal(apdu_status(&w, PRW_SLOT_NFC, 4, buf, &f),
			 PRW_ST_CARD_MUTE);
	assert_int_equal(next_msg(&w, buf, sizeof(buf), 300), 0);

	/* The same error once the card has left: gone, said at once. */
	fake->present = false;
	send_cmd(&w, PRW_CMD_APDU, (const uint8_t *)"\x01\x00\x00\xa4\x04\x00",
		 6);
	next_frame(&w, buf, &f);
	if (f.type == PRW_EVT_NFC_GONE) {
		/* The presence check won the race; the APDU still fails. */
		next_frame(&w, buf, &f);
		assert_int_equal(f.type, prw_response_type(PRW_CMD_APDU));
		assert_int_equal(f.status, PRW_ST_NO_CARD);
	} else {
		assert_int_equal(f.type, prw_response_type(PRW_CMD_APDU));
		assert_int_equal(f.status, PRW_ST_NO_CARD);
		expect_event(&w, PRW_EVT_NFC_GONE, buf, &f);
	}
	stop_worker(&w);
}

static void test_device_errors_end_worker(void **state)
{
	uint8_t buf[PRW_MAX_FRAME];
	struct worker w;
	int status;

	start_worker(&w);
	fake->poll_err = NFC_EIO;
	/* Three failures in a row, then the worker gives up on it. */
	while (next_msg(&w, buf, sizeof(buf), 3000) > 0)
		;
	assert_non_null(strstr(w.last_log, "stopped answering"));
	status = stop_worker(&w);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), NFC_EXIT_LOST);
}

static void test_hung_device(void **state)
{
	uint8_t buf[PRW_MAX_FRAME];
	struct worker w;
	int status;

	start_worker(&w);
	fake->poll_hangs = true;
	/* The watchdog ends it, and says why. */
	while (next_msg(&w, buf, sizeof(buf), 10000) > 0)
		;
	assert_non_null(strstr(w.last_log, "did not return in time"));
	status = stop_worker(&w);
	fake->poll_hangs = false;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), NFC_EXIT_HUNG);
}

static void test_instant_polls_are_paced(void **state)
{
	struct worker w;
	unsigned int before, polls;

	fake->poll_instant = true;
	start_worker(&w);
	before = __atomic_load_n(&fake->polls, __ATOMIC_SEQ_CST);
	usleep(1000 * 1000);
	polls = __atomic_load_n(&fake->polls, __ATOMIC_SEQ_CST) - before;
	stop_worker(&w);
	/* 200 ms apart at least: about 5 in a second, not thousands. */
	assert_true(polls >= 3);
	assert_true(polls <= 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_info_and_status, setup),
		cmocka_unit_test_setup(test_unsupported_and_bad, setup),
		cmocka_unit_test_setup(test_tag_a, setup),
		cmocka_unit_test_setup(test_tag_b, setup),
		cmocka_unit_test_setup(test_nfc_poll_and_release, setup),
		cmocka_unit_test_setup(test_card_mute_then_gone, setup),
		cmocka_unit_test_setup(test_device_errors_end_worker, setup),
		cmocka_unit_test_setup(test_hung_device, setup),
		cmocka_unit_test_setup(test_instant_polls_are_paced, setup),
	};

	fake = mmap(NULL, sizeof(*fake), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fake == MAP_FAILED)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
