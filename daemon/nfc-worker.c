// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The libnfc worker process: one per NFC device. libnfc's calls block,
 * so they run here, never on the daemon's event loop. Between commands
 * the worker polls for a tag with libnfc's own bounded primitives (the
 * chip's InAutoPoll, or presence checks while a tag is in the field), so
 * an idle reader costs a few short exchanges a second and no busy loop.
 * A libnfc call that does not come back in time ends the process
 * (SIGALRM); the daemon sees the socket close and treats the reader as
 * gone.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <nfc/nfc.h>

#include <posreader/wire.h>

#include "nfc-worker.h"
#include "util.h"

/* The socket to the daemon, after the child moved it there. */
#define WORKER_FD NFC_WORKER_FD

/*
 * InAutoPoll: one round, period 1 (150 ms) per target type, so a poll
 * with nothing in the field returns after 150 ms x types (450 ms for A,
 * MIFARE and B on a PN532). Commands wait at most that long.
 */
#define POLL_ROUNDS	     1
#define POLL_PERIOD	     1
/* Polls start at most this often, whatever the device does: one that
 * answers an empty poll at once must not make the worker spin. */
#define POLL_MIN_INTERVAL_MS 200
/* While a tag is in the field, check it is still there this often. */
#define PRESENCE_INTERVAL_MS 250
/* Give up on a card that does not answer an APDU after this long. */
#define APDU_TIMEOUT_MS	     5000
/* A libnfc call still running after this many seconds means a hung
 * device: the longest legitimate one is an APDU (APDU_TIMEOUT_MS plus
 * the frames around it). */
#define WATCHDOG_POLL_S	     4
#define WATCHDOG_APDU_S	     8
/* This many device errors in a row and the device counts as gone. */
#define MAX_FAILURES	     3
/* PN53x extended frames carry 264 bytes; InDataExchange takes two. */
#define NFC_APDU_MAX	     262
#define NFC_RAPDU_MAX	     264

struct worker {
	int fd;
	const char *connstring;
	nfc_context *ctx;
	nfc_device *dev;
	nfc_modulation mods[2];
	size_t n_mods;
	struct prw_info info;
	bool present;
	nfc_target target;
	struct prw_nfc_target tag;
	uint8_t evt_seq;
	unsigned int failures;
	uint64_t last_poll_ms;
	bool odd_target_logged;
};

static const char hung_msg[] = "L3the device stopped answering: a libnfc "
			       "call did not return in time";

/* ---- Messages to the daemon ----------------------------------------- */

static void send_msg(struct worker *w, const void *buf, size_t n)
{
	/* No error handling needed: a closed socket shows up in the main
	 * loop's poll() and ends the worker there. */
	send(w->fd, buf, n, MSG_NOSIGNAL);
}

static void wlog(struct worker *w, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A log line for the daemon's log; never give it card data. */
static void wlog(struct worker *w, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	line[0] = NFC_MSG_LOG;
	line[1] = (char)('0' + level);
	va_start(ap, fmt);
	n = vsnprintf(line + 2, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = sizeof(line) - 3;
	send_msg(w, line, 2 + (size_t)n);
}

static void send_frame(struct worker *w, uint8_t type, uint8_t seq,
		       uint8_t status, const uint8_t *payload, size_t len)
{
	uint8_t frame[PRW_MAX_FRAME];
	int n;

	if (status != PRW_ST_OK)
		len = 0;
	n = prw_frame_encode(frame, sizeof(frame), type, seq, 0, status,
			     len ? payload : NULL, len);
	if (n < 0) {
		wlog(w, LOG_ERR, "cannot encode a frame of type 0x%02x", type);
		return;
	}
	send_msg(w, frame, n);
	secure_zero(frame, n);
}

static void send_status(struct worker *w, const struct prw_frame *cmd,
			uint8_t status)
{
	send_frame(w, prw_response_type(cmd->type), cmd->seq, status, NULL, 0);
}

static void send_event(struct worker *w, uint8_t type, const uint8_t *payload,
		       size_t len)
{
	send_frame(w, type, w->evt_seq++, PRW_ST_OK, payload, len);
}

static void send_tag_present(struct worker *w)
{
	uint8_t buf[64];
	int n;

	n = prw_nfc_target_encode(buf, sizeof(buf), &w->tag);
	if (n >= 0)
		send_event(w, PRW_EVT_NFC_PRESENT, buf, n);
}

/* ---- The device ------------------------------------------------------ */

static void on_watchdog(int sig)
{
	/* Only async-signal-safe calls here. */
	send(WORKER_FD, hung_msg, sizeof(hung_msg) - 1, MSG_NOSIGNAL);
	_exit(NFC_EXIT_HUNG);
}

/* Copy printable ASCII of s into a PRW_STR_MAX string; "-" if empty. */
static void copy_printable(char *dst, const char *s)
{
	size_t n = 0;

	for (; s && *s && n < PRW_STR_MAX; s++)
		if (*s >= 0x20 && *s <= 0x7e)
			dst[n++] = *s;
	if (!n)
		dst[n++] = '-';
	dst[n] = '\0';
}

/* The chip line of libnfc's device information ("PN532 v1.6"). */
static void read_firmware(struct worker *w)
{
	char *about = NULL, *line, *end;

	copy_printable(w->info.firmware, "unknown");
	if (nfc_device_get_information_about(w->dev, &about) < 0 || !about)
		return;
	line = strstr(about, "chip: ");
	if (line) {
		line += strlen("chip: ");
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		copy_printable(w->info.firmware, line);
	}
	nfc_free(about);
}

/*
 * Identity: the serial is derived from the connection string, so the
 * same device at the same place keeps its D-Bus object across restarts.
 */
static void build_info(struct worker *w)
{
	uint32_t crc;

	w->info.proto_version = PRW_PROTO_VERSION;
	w->info.caps = PRW_CAP_NFC;
	w->info.max_payload = 2 + NFC_APDU_MAX;
	copy_printable(w->info.vendor, "libnfc");
	/* "ACS / ACR122U PICC Interface", or "pn532_uart:/dev/ttyUSB0" of
	 * which the driver is the model and the rest is a place. */
	copy_printable(w->info.model, nfc_device_get_name(w->dev));
	w->info.model[strcspn(w->info.model, ":")] = '\0';
	if (!w->info.model[0])
		copy_printable(w->info.model, "NFC reader");
	crc = prw_crc32(0, (const uint8_t *)w->connstring,
			strlen(w->connstring));
	snprintf(w->info.serial, sizeof(w->info.serial), "NFC-%08X", crc);
	read_firmware(w);
}

/* Poll ISO 14443-A always, and B where the device supports it. */
static void choose_modulations(struct worker *w)
{
	const nfc_modulation_type *types = NULL;

	w->mods[0] = (nfc_modulation){ .nmt = NMT_ISO14443A, .nbr = NBR_106 };
	w->n_mods = 1;
	if (nfc_device_get_supported_modulation(w->dev, N_INITIATOR, &types) <
		    0 ||
	    !types)
		return;
	for (size_t i = 0; types[i]; i++) {
		if (types[i] == NMT_ISO14443B) {
			w->mods[1] = (nfc_modulation){ .nmt = NMT_ISO14443B,
						       .nbr = NBR_106 };
			w->n_mods = 2;
		}
	}
}

/* libnfc's target as the wire's NFC target; -EINVAL if it cannot be. */
static int target_to_wire(const nfc_target *nt, struct prw_nfc_target *t)
{
	const nfc_iso14443a_info *a = &nt->nti.nai;
	const nfc_iso14443b_info *b = &nt->nti.nbi;

	memset(t, 0, sizeof(*t));
	switch (nt->nm.nmt) {
	case NMT_ISO14443A:
		if (a->szUidLen != 4 && a->szUidLen != 7 && a->szUidLen != 10)
			return -EINVAL;
		t->protocol = PRW_NFC_14443A;
		t->uid_len = a->szUidLen;
		memcpy(t->uid, a->abtUid, a->szUidLen);
		/* libnfc keeps the ATQA as printed (MSB first); the wire
		 * carries it as received (LSB first). */
		t->atqa[0] = a->abtAtqa[1];
		t->atqa[1] = a->abtAtqa[0];
		t->sak = a->btSak;
		t->ats_len =
			a->szAtsLen < PRW_ATS_MAX ? a->szAtsLen : PRW_ATS_MAX;
		memcpy(t->ats, a->abtAts, t->ats_len);
		return 0;
	case NMT_ISO14443B:
		t->protocol = PRW_NFC_14443B;
		t->uid_len = 4;
		memcpy(t->uid, b->abtPupi, 4);
		/* The ATQB: 0x50, PUPI, application data, protocol info. */
		t->ats[0] = 0x50;
		memcpy(t->ats + 1, b->abtPupi, 4);
		memcpy(t->ats + 5, b->abtApplicationData, 4);
		memcpy(t->ats + 9, b->abtProtocolInfo, 3);
		t->ats_len = 12;
		return 0;
	default:
		return -EINVAL;
	}
}

/* A device-level failure; the worker ends after MAX_FAILURES in a row. */
static void device_failed(struct worker *w, const char *what)
{
	w->failures++;
	wlog(w, LOG_WARNING, "%s failed: %s (%u in a row)", what,
	     nfc_strerror(w->dev), w->failures);
	if (w->failures >= MAX_FAILURES) {
		wlog(w, LOG_ERR, "the device stopped answering; closing it");
		/* nfc_close() would talk to a device that does not answer. */
		_exit(NFC_EXIT_LOST);
	}
}

static void tag_gone(struct worker *w)
{
	if (!w->present)
		return;
	w->present = false;
	secure_zero(&w->tag, sizeof(w->tag));
	secure_zero(&w->target, sizeof(w->target));
	send_event(w, PRW_EVT_NFC_GONE, NULL, 0);
}

/* How long the main loop may sleep before the next poll or check. */
static int next_wait_ms(const struct worker *w)
{
	uint64_t now = monotonic_ms();

	if (w->present)
		return PRESENCE_INTERVAL_MS;
	if (now >= w->last_poll_ms + POLL_MIN_INTERVAL_MS)
		return 0;
	return (int)(w->last_poll_ms + POLL_MIN_INTERVAL_MS - now);
}

/* One bounded poll for a tag; true if one came. */
static bool poll_once(struct worker *w)
{
	nfc_target nt;
	int ret;

	w->last_poll_ms = monotonic_ms();
	alarm(WATCHDOG_POLL_S);
	ret = nfc_initiator_poll_target(w->dev, w->mods, w->n_mods, POLL_ROUNDS,
					POLL_PERIOD, &nt);
	alarm(0);
	if (ret < 0) {
		device_failed(w, "polling");
		return false;
	}
	w->failures = 0;
	if (ret == 0)
		return false;
	if (target_to_wire(&nt, &w->tag) < 0) {
		if (!w->odd_target_logged)
			wlog(w, LOG_NOTICE,
			     "ignoring a target of an unsupported kind");
		w->odd_target_logged = true;
		return false;
	}
	w->target = nt;
	w->present = true;
	send_tag_present(w);
	return true;
}

/* While a tag is in the field: is it still there? */
static void check_presence(struct worker *w)
{
	int ret;

	alarm(WATCHDOG_POLL_S);
	ret = nfc_initiator_target_is_present(w->dev, &w->target);
	alarm(0);
	if (ret == NFC_SUCCESS) {
		w->failures = 0;
		return;
	}
	if (ret == NFC_ETGRELEASED || ret == NFC_ERFTRANS) {
		w->failures = 0;
		tag_gone(w);
		return;
	}
	device_failed(w, "presence check");
}

/* ---- Commands ---------------------------------------------------------- */

static void do_get_info(struct worker *w, const struct prw_frame *f)
{
	uint8_t buf[PRW_MAX_PAYLOAD];
	int n;

	n = prw_info_encode(buf, sizeof(buf), &w->info);
	if (n < 0) {
		send_status(w, f, PRW_ST_INTERNAL);
		return;
	}
	send_frame(w, prw_response_type(f->type), f->seq, PRW_ST_OK, buf, n);
}

static void do_get_status(struct worker *w, const struct prw_frame *f)
{
	struct prw_status_info st = {
		.state = w->present ? PRW_STATE_NFC_PRESENT : 0,
	};
	uint8_t buf[8];
	int n;

	n = prw_status_info_encode(buf, sizeof(buf), &st);
	if (n < 0) {
		send_status(w, f, PRW_ST_INTERNAL);
		return;
	}
	send_frame(w, prw_response_type(f->type), f->seq, PRW_ST_OK, buf, n);
	/* The daemon learns the tag itself from the event, as from any
	 * device: a status answer only says one is there. */
	if (w->present)
		send_tag_present(w);
}

static void send_target(struct worker *w, const struct prw_frame *f)
{
	uint8_t buf[64];
	int n;

	n = prw_nfc_target_encode(buf, sizeof(buf), &w->tag);
	if (n < 0) {
		send_status(w, f, PRW_ST_INTERNAL);
		return;
	}
	send_frame(w, prw_response_type(f->type), f->seq, PRW_ST_OK, buf, n);
}

static void do_nfc_poll(struct worker *w, const struct prw_frame *f)
{
	struct prw_nfc_poll p;
	uint64_t end;

	if (prw_nfc_poll_decode(f->payload, f->len, &p) < 0) {
		send_status(w, f, PRW_ST_BAD_ARGS);
		return;
	}
	end = monotonic_ms() + p.timeout_ms;
	while (!w->present && monotonic_ms() < end) {
		/* Paced like the main loop: no spinning on a fast device. */
		poll(NULL, 0, next_wait_ms(w));
		poll_once(w);
	}
	if (w->present)
		send_target(w, f);
	else
		send_status(w, f, PRW_ST_NO_CARD);
}

/*
 * An APDU failed. The chip reports a card that does not answer as an RF
 * error (NFC_ERFTRANS) or a released target; anything else, a libnfc
 * timeout included, is the device itself failing.
 */
static uint8_t apdu_failure(struct worker *w, int err)
{
	int ret;

	if (err != NFC_ERFTRANS && err != NFC_ETGRELEASED) {
		device_failed(w, "an APDU exchange");
		return PRW_ST_INTERNAL;
	}
	/* Gone, or in the field but mute? */
	alarm(WATCHDOG_POLL_S);
	ret = nfc_initiator_target_is_present(w->dev, &w->target);
	alarm(0);
	if (ret == NFC_SUCCESS)
		return PRW_ST_CARD_MUTE;
	if (ret == NFC_ETGRELEASED || ret == NFC_ERFTRANS)
		return PRW_ST_NO_CARD;
	device_failed(w, "a presence check");
	return PRW_ST_INTERNAL;
}

static void do_apdu(struct worker *w, const struct prw_frame *f)
{
	uint8_t rsp[NFC_RAPDU_MAX];
	const uint8_t *apdu;
	size_t apdu_len;
	uint8_t slot, st;
	int ret;

	if (prw_apdu_decode(f->payload, f->len, &slot, &apdu, &apdu_len) < 0) {
		send_status(w, f, PRW_ST_BAD_ARGS);
		return;
	}
	if (slot != PRW_SLOT_NFC) {
		send_status(w, f, PRW_ST_UNSUPPORTED);
		return;
	}
	if (apdu_len > NFC_APDU_MAX) {
		send_status(w, f, PRW_ST_BAD_ARGS);
		return;
	}
	if (!w->present) {
		send_status(w, f, PRW_ST_NO_CARD);
		return;
	}
	alarm(WATCHDOG_APDU_S);
	ret = nfc_initiator_transceive_bytes(w->dev, apdu, apdu_len, rsp,
					     sizeof(rsp), APDU_TIMEOUT_MS);
	alarm(0);
	if (ret >= PRW_RAPDU_MIN) {
		w->failures = 0;
		send_frame(w, prw_response_type(f->type), f->seq, PRW_ST_OK,
			   rsp, ret);
		secure_zero(rsp, sizeof(rsp));
		return;
	}
	secure_zero(rsp, sizeof(rsp));
	st = ret >= 0 ? PRW_ST_CARD_MUTE : apdu_failure(w, ret);
	send_status(w, f, st);
	/* The answer first, then the news that the card has left. */
	if (st == PRW_ST_NO_CARD)
		tag_gone(w);
}

/*
 * NFC_RELEASE ends the card session: deselect, then select the same
 * card again so the next APDU starts it afresh. A card that left in
 * between is reported gone.
 */
static void do_nfc_release(struct worker *w, const struct prw_frame *f)
{
	const nfc_target *t = &w->target;
	nfc_target nt;
	int ret;

	if (!w->present) {
		send_status(w, f, PRW_ST_OK);
		return;
	}
	alarm(WATCHDOG_POLL_S);
	nfc_initiator_deselect_target(w->dev);
	if (t->nm.nmt == NMT_ISO14443A)
		ret = nfc_initiator_select_passive_target(
			w->dev, t->nm, t->nti.nai.abtUid, t->nti.nai.szUidLen,
			&nt);
	else
		ret = nfc_initiator_select_passive_target(w->dev, t->nm, NULL,
							  0, &nt);
	alarm(0);
	send_status(w, f, PRW_ST_OK);
	if (ret > 0)
		w->target = nt;
	else
		tag_gone(w);
}

static void handle_frame(struct worker *w, const uint8_t *buf, size_t n)
{
	struct prw_frame f;

	if (prw_frame_decode(buf, n, &f) < 0 || !prw_type_is_command(f.type)) {
		wlog(w, LOG_DEBUG, "dropped a malformed command frame");
		return;
	}
	switch (f.type) {
	case PRW_CMD_GET_INFO:
		do_get_info(w, &f);
		break;
	case PRW_CMD_GET_STATUS:
		do_get_status(w, &f);
		break;
	case PRW_CMD_NFC_POLL:
		do_nfc_poll(w, &f);
		break;
	case PRW_CMD_APDU:
		do_apdu(w, &f);
		break;
	case PRW_CMD_NFC_RELEASE:
		do_nfc_release(w, &f);
		break;
	case PRW_CMD_ICC_POWER_ON:
	case PRW_CMD_ICC_POWER_OFF:
	case PRW_CMD_AUTH:
	case PRW_CMD_SET_INDICATORS:
		/* No contact slot, no pairing key, no LEDs we can drive. */
		send_status(w, &f, PRW_ST_UNSUPPORTED);
		break;
	default:
		send_status(w, &f, PRW_ST_UNKNOWN_CMD);
		break;
	}
}

/* ---- Process set-up and main loop ----------------------------------- */

/* Leave the daemon's descriptors, signals and core dumps behind. */
static int setup_process(int fd, bool quiet)
{
	struct sigaction sa = { .sa_handler = on_watchdog };
	sigset_t all;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -errno;
	/* APDUs and tag data pass through here: no core file of them. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return -errno;
	if (fd != WORKER_FD) {
		if (dup2(fd, WORKER_FD) < 0)
			return -errno;
		close(fd);
	}
	if (close_range(WORKER_FD + 1, ~0U, 0) < 0)
		return -errno;
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -errno;
	/* libnfc logs every frame from level 3 on: APDUs carry card data.
	 * Level 1 is its errors only; 0 while the device is known absent. */
	setenv("LIBNFC_LOG_LEVEL", quiet ? "0" : "1", 1);
	return 0;
}

/* Say why nfc_open() failed, as far as we can tell. */
static void why_not_open(struct worker *w)
{
	const char *port = strchr(w->connstring, ':');
	char path[256];

	/* "driver:/dev/ttyUSB0[:speed]": the port is a file. */
	if (port && port[1] == '/') {
		snprintf(path, sizeof(path), "%s", port + 1);
		path[strcspn(path, ":")] = '\0';
		if (access(path, R_OK | W_OK) < 0) {
			wlog(w, LOG_WARNING, "cannot open %s: %s", path,
			     strerror(errno));
			return;
		}
	}
	wlog(w, LOG_WARNING,
	     "libnfc cannot open the device (no reader there, or it did "
	     "not answer)");
}

static int open_device(struct worker *w)
{
	nfc_connstring cs;

	/* Bounded too: opening waits for the device to answer. */
	alarm(WATCHDOG_POLL_S);
	nfc_init(&w->ctx);
	if (!w->ctx) {
		wlog(w, LOG_ERR, "libnfc cannot start (nfc_init)");
		return -ENOMEM;
	}
	snprintf(cs, sizeof(cs), "%s", w->connstring);
	alarm(WATCHDOG_POLL_S);
	w->dev = nfc_open(w->ctx, cs);
	alarm(0);
	if (!w->dev) {
		why_not_open(w);
		return -ENODEV;
	}
	alarm(WATCHDOG_POLL_S);
	if (nfc_initiator_init(w->dev) < 0 ||
	    nfc_device_set_property_bool(w->dev, NP_INFINITE_SELECT, false) <
		    0) {
		alarm(0);
		wlog(w, LOG_ERR, "cannot make the device an initiator: %s",
		     nfc_strerror(w->dev));
		return -EIO;
	}
	alarm(0);
	build_info(w);
	choose_modulations(w);
	return 0;
}

static void close_device(struct worker *w)
{
	if (w->dev) {
		/* Field off and chip asleep, as a well-behaved host leaves
		 * it; bounded like every other call. */
		alarm(WATCHDOG_POLL_S);
		nfc_close(w->dev);
		alarm(0);
	}
	if (w->ctx)
		nfc_exit(w->ctx);
}

void nfc_worker_main(int fd, const char *connstring, bool quiet)
{
	struct worker w = { .fd = WORKER_FD, .connstring = connstring };
	uint8_t buf[PRW_MAX_FRAME + 1];
	char ready[1 + PRW_STR_MAX + 1];
	struct pollfd pfd = { .fd = WORKER_FD, .events = POLLIN };
	ssize_t n;
	int ret;

	if (setup_process(fd, quiet) < 0)
		_exit(NFC_EXIT_SETUP);
	if (open_device(&w) < 0) {
		close_device(&w);
		_exit(NFC_EXIT_NO_DEVICE);
	}
	ready[0] = NFC_MSG_READY;
	n = snprintf(ready + 1, sizeof(ready) - 1, "%s %s", w.info.model,
		     w.info.firmware);
	if ((size_t)n > sizeof(ready) - 2)
		n = sizeof(ready) - 2;
	send_msg(&w, ready, 1 + (size_t)n);

	for (;;) {
		/* No tag: poll again at once (the poll itself is what
		 * waits). A tag: wake up for the next presence check. */
		ret = poll(&pfd, 1, next_wait_ms(&w));
		if (ret < 0 && errno != EINTR)
			break;
		if (ret > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			break;
		if (ret > 0 && (pfd.revents & POLLIN)) {
			n = recv(WORKER_FD, buf, sizeof(buf),
				 MSG_TRUNC | MSG_DONTWAIT);
			if (n == 0)
				break;
			if (n > 0 && (size_t)n <= PRW_MAX_FRAME)
				handle_frame(&w, buf, n);
			if (n > 0)
				secure_zero(buf, sizeof(buf));
			continue;
		}
		if (!w.present)
			poll_once(&w);
		else
			check_presence(&w);
	}
	close_device(&w);
	_exit(NFC_EXIT_CLOSED);
}

void nfc_worker_list(void)
{
	nfc_connstring found[NFC_LIST_MAX];
	nfc_context *ctx = NULL;
	sigset_t all;
	size_t n;

	_Static_assert(sizeof(nfc_connstring) == NFC_CONNSTRING_MAX,
		       "NFC_CONNSTRING_MAX must match libnfc's");
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	/* A probe that never returns ends here, by SIGALRM's default. */
	signal(SIGALRM, SIG_DFL);
	setenv("LIBNFC_LOG_LEVEL", "1", 1);
	alarm(NFC_LIST_TIMEOUT_S);
	nfc_init(&ctx);
	if (!ctx)
		_exit(NFC_EXIT_SETUP);
	n = nfc_list_devices(ctx, found, NFC_LIST_MAX);
	nfc_exit(ctx);
	for (size_t i = 0; i < n; i++)
		printf("%.*s\n", NFC_CONNSTRING_MAX - 1, found[i]);
	_exit(fflush(stdout) == 0 ? NFC_EXIT_CLOSED : NFC_EXIT_SETUP);
}
