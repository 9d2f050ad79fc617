// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-vmtest: drives posreader.ko inside the test VM. The reader on
 * the other end is posreader-sim as a FunctionFS gadget on dummy_hcd; this
 * program scripts it through its control socket, plugs and unplugs it
 * through configfs, and checks what /dev/posreaderN tells a user.
 *
 * Prints one "PASS: name" or "FAIL: name: why" line per scenario and a
 * final "N passed, M failed" line. Track data and PANs are compared, never
 * printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/posreader.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util.h"

struct config {
	const char *gadget;	/* configfs gadget directory of the reader */
	const char *udc;	/* UDC it binds to */
	const char *bad_gadget; /* gadget with a wrong endpoint layout */
	const char *bad_udc;
	const char *control;  /* simulator's control socket */
	const char *module;   /* posreader.ko, for the reload scenario */
	const char *compat32; /* the 32-bit test program */
	const char *serial;   /* identity the simulator was started with */
	const char *firmware;
	const char *only;    /* run just this scenario */
	unsigned int cycles; /* plug/unplug cycles */
	unsigned long junk;  /* malformed frames for the hostile scenario */
};

static struct config cfg = {
	.udc = "dummy_udc.0",
	.bad_udc = "dummy_udc.1",
	.cycles = 200,
	.junk = 100000,
};

/* Why the running scenario failed; printed with its FAIL line. */
static char fail_why[256];

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			snprintf(fail_why, sizeof(fail_why), __VA_ARGS__); \
			return -1;                                         \
		}                                                          \
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		return -errno;
	return 0;
}

/* Read a small text file into buf without its trailing newline. */
static int read_file(const char *path, char *buf, size_t cap)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * Send one control command to the simulator; 0 when it says "ok". The
 * reply line goes to ret_reply (cap bytes) when that is not NULL.
 */
__attribute__((format(printf, 3, 4))) static int
ctl_reply(char *ret_reply, size_t cap, const char *fmt, ...)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	char line[1100];
	char reply[600];
	size_t len = 0;
	ssize_t n;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cfg.control);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		ret = -errno;
		goto out;
	}
	while (len < sizeof(reply) - 1) {
		n = recv(fd, reply + len, sizeof(reply) - 1 - len, 0);
		if (n <= 0)
			break;
		len += n;
		if (memchr(reply, '\n', len))
			break;
	}
	reply[len] = '\0';
	ret = strncmp(reply, "ok", 2) ? -EIO : 0;
	if (ret_reply)
		snprintf(ret_reply, cap, "%s", reply);
out:
	secure_zero(line, sizeof(line));
	return ret;
}

#define ctl(...) ctl_reply(NULL, 0, __VA_ARGS__)

/* Name of the reader's class device, waiting up to timeout_ms for it. */
static int wait_reader(char *ret_name, size_t cap, unsigned int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	glob_t gl;

	for (;;) {
		if (glob("/sys/class/posreader/posreader*", 0, NULL, &gl) ==
		    0) {
			const char *base = strrchr(gl.gl_pathv[0], '/') + 1;
			char dev[64];

			snprintf(dev, sizeof(dev), "/dev/%s", base);
			if (access(dev, F_OK) == 0) {
				snprintf(ret_name, cap, "%s", base);
				globfree(&gl);
				return 0;
			}
		}
		globfree(&gl);
		if (now_s() > end)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

/* Wait until no reader is left in sysfs. */
static int wait_no_reader(unsigned int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	glob_t gl;
	int r;

	for (;;) {
		r = glob("/sys/class/posreader/posreader*", 0, NULL, &gl);
		globfree(&gl);
		if (r == GLOB_NOMATCH)
			return 0;
		if (now_s() > end)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

/* True while the gadget is bound to a UDC. */
static bool plugged(const char *gadget)
{
	char path[512], buf[64];

	snprintf(path, sizeof(path), "%s/UDC", gadget);
	return read_file(path, buf, sizeof(buf)) == 0 && buf[0];
}

static int plug(const char *gadget, const char *udc)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/UDC", gadget);
	return write_file(path, udc);
}

static int unplug(const char *gadget)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/UDC", gadget);
	return write_file(path, "\n");
}

/* Open the reader, waiting for it to (re)appear. */
static int open_reader(int flags)
{
	char name[64], path[80];

	if (wait_reader(name, sizeof(name), 10000)) {
		errno = ETIMEDOUT;
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/%s", name);
	return open(path, flags | O_CLOEXEC);
}

static int read_sysfs_attr(const char *attr, char *buf, size_t cap)
{
	char name[64], path[160];
	int r;

	r = wait_reader(name, sizeof(name), 5000);
	if (r)
		return r;
	snprintf(path, sizeof(path), "/sys/class/posreader/%s/%s", name, attr);
	return read_file(path, buf, cap);
}

/* Next event within timeout_ms; -ETIMEDOUT when none came. */
static int next_event(int fd, unsigned int timeout_ms,
		      struct posreader_event *ret)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = read(fd, ret, sizeof(*ret));
	if (n < 0)
		return -errno;
	return n == sizeof(*ret) ? 0 : -EIO;
}

static int expect_event(int fd, unsigned int type, struct posreader_event *ret)
{
	int r = next_event(fd, 5000, ret);

	CHECK(r == 0, "no event of type %u: %s", type, strerror(-r));
	CHECK(ret->type == type, "event type %u, expected %u", ret->type, type);
	return 0;
}

static int apdu(int fd, unsigned int slot, const uint8_t *cmd, size_t n,
		uint8_t *rsp, size_t cap, struct posreader_apdu *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->slot = slot;
	ret->cmd_len = n;
	ret->cmd_ptr = (uintptr_t)cmd;
	ret->rsp_ptr = (uintptr_t)rsp;
	ret->rsp_cap = cap;
	return ioctl(fd, POSREADER_IOC_APDU, ret) ? -errno : 0;
}

static int sw(const uint8_t *rsp, const struct posreader_apdu *a)
{
	if (a->rsp_len < 2)
		return -1;
	return rsp[a->rsp_len - 2] << 8 | rsp[a->rsp_len - 1];
}

/* SELECT by name for the PSE / PPSE (EMV Book 1). */
static const uint8_t select_pse[] = { 0x00, 0xa4, 0x04, 0x00, 0x0e, '1', 'P',
				      'A',  'Y',  '.',	'S',  'Y',  'S', '.',
				      'D',  'D',  'F',	'0',  '1',  0x00 };
static const uint8_t select_ppse[] = { 0x00, 0xa4, 0x04, 0x00, 0x0e, '2', 'P',
				       'A',  'Y',  '.',	 'S',  'Y',  'S', '.',
				       'D',  'D',  'F',	 '0',  '1',  0x00 };

/* ---- scenarios ------------------------------------------------------ */

static int t_enumerate(void)
{
	_cleanup_close_ int fd = open_reader(O_RDWR);
	struct posreader_event ev;
	struct posreader_info info;
	char buf[64], want[80], uevent[512];

	CHECK(fd >= 0, "open: %m");
	CHECK(ioctl(fd, POSREADER_IOC_GET_INFO, &info) == 0, "GET_INFO: %m");
	CHECK(info.api_version == POSREADER_API_VERSION, "api_version %u",
	      info.api_version);
	CHECK(info.proto_version == 1, "proto_version %u", info.proto_version);
	CHECK(info.usb_vendor == 0x1209 && info.usb_product == 0x0001,
	      "USB id %04x:%04x", info.usb_vendor, info.usb_product);
	CHECK(!strcmp(info.serial, cfg.serial), "serial '%s', sim has '%s'",
	      info.serial, cfg.serial);
	CHECK(!strcmp(info.firmware, cfg.firmware),
	      "firmware '%s', sim has '%s'", info.firmware, cfg.firmware);
	CHECK(!strcmp(info.vendor, "posreader"), "vendor '%s'", info.vendor);
	CHECK(info.caps == 0x1f, "caps 0x%x", info.caps);

	CHECK(!read_sysfs_attr("serial", buf, sizeof(buf)) &&
		      !strcmp(buf, cfg.serial),
	      "sysfs serial '%s'", buf);
	CHECK(!read_sysfs_attr("firmware_version", buf, sizeof(buf)) &&
		      !strcmp(buf, cfg.firmware),
	      "sysfs firmware_version '%s'", buf);
	CHECK(!read_sysfs_attr("capabilities", buf, sizeof(buf)) &&
		      !strcmp(buf, "0x1f"),
	      "sysfs capabilities '%s'", buf);

	CHECK(!read_sysfs_attr("uevent", uevent, sizeof(uevent)), "uevent");
	snprintf(want, sizeof(want), "POSREADER_SERIAL=%s\n", cfg.serial);
	CHECK(strstr(uevent, want) && strstr(uevent, "POSREADER_CAPS=0x1f"),
	      "uevent lacks POSREADER_SERIAL or POSREADER_CAPS");

	CHECK(ioctl(fd, _IO(POSREADER_IOC_MAGIC, 0x7f)) < 0 && errno == ENOTTY,
	      "unknown ioctl: %m, expected ENOTTY");
	CHECK(read(fd, buf, sizeof(buf)) < 0 && errno == EINVAL,
	      "short read buffer: %m, expected EINVAL");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	CHECK(read(fd, &ev, sizeof(ev)) < 0 && errno == EAGAIN,
	      "empty non-blocking read: %m, expected EAGAIN");
	return 0;
}

static int check_track(const struct posreader_track *t, const char *want)
{
	if (!want)
		return t->status == POSREADER_TRACK_EMPTY && t->len == 0;
	return t->status == POSREADER_TRACK_OK &&
	       t->encoding == POSREADER_TRACK_ASCII && t->len == strlen(want) &&
	       memcmp(t->data, want, t->len) == 0;
}

static int t_swipe(void)
{
	/* Made-up card: a Luhn-valid test PAN, never a real one. */
	static const char *const tracks[3] = {
		"%B5555555555554444^VMTEST/CARD^3012101000000000000?",
		";5555555555554444=30121010000000000?",
		NULL,
	};
	_cleanup_close_ int fd = open_reader(O_RDONLY);
	struct posreader_event ev;
	int i, r;

	CHECK(fd >= 0, "open: %m");
	r = ctl("swipe track1=%s track2=%s", tracks[0], tracks[1]);
	CHECK(r == 0, "simulator refused the swipe");
	if (expect_event(fd, POSREADER_EVT_SWIPE, &ev))
		return -1;
	for (i = 0; i < 3; i++) {
		r = check_track(&ev.u.swipe.track[i], tracks[i]);
		secure_zero(&ev, sizeof(ev) * !r);
		CHECK(r, "track %d differs from what was swiped", i + 1);
	}
	secure_zero(&ev, sizeof(ev));

	/* An unreadable track is reported as such, without data. */
	CHECK(ctl("swipe track1=%s track2=%s error=1", tracks[0], tracks[1]) ==
		      0,
	      "simulator refused the second swipe");
	if (expect_event(fd, POSREADER_EVT_SWIPE, &ev))
		return -1;
	r = ev.u.swipe.track[0].status == POSREADER_TRACK_ERROR &&
	    ev.u.swipe.track[0].len == 0 &&
	    check_track(&ev.u.swipe.track[1], tracks[1]);
	secure_zero(&ev, sizeof(ev));
	CHECK(r, "track 1 not reported unreadable, or track 2 differs");
	return 0;
}

static int t_icc(void)
{
	static const uint8_t atr[] = {
		0x3b, 0x06, 'V', 'M', 'T', 'E', 'S', 'T'
	};
	_cleanup_close_ int fd = open_reader(O_RDWR);
	struct posreader_simple_cmd sc;
	struct posreader_icc_power pw;
	struct posreader_event ev;
	struct posreader_apdu a;
	uint8_t cmd[261], rsp[300];
	double t0, dt;
	int i, r;

	CHECK(fd >= 0, "open: %m");
	CHECK(ctl("icc insert atr=3b06564d54455354") == 0, "icc insert");
	if (expect_event(fd, POSREADER_EVT_ICC_INSERTED, &ev))
		return -1;

	memset(&pw, 0, sizeof(pw));
	CHECK(ioctl(fd, POSREADER_IOC_ICC_POWER_ON, &pw) == 0, "power on: %m");
	CHECK(pw.atr_len == sizeof(atr) && !memcmp(pw.atr, atr, sizeof(atr)),
	      "ATR differs (%u bytes)", pw.atr_len);

	r = apdu(fd, POSREADER_SLOT_ICC, select_pse, sizeof(select_pse), rsp,
		 sizeof(rsp), &a);
	CHECK(r == 0, "SELECT PSE: %s", strerror(-r));
	CHECK(sw(rsp, &a) == 0x9000 && a.rsp_len > 2, "SELECT PSE: SW %04x",
	      sw(rsp, &a));

	/* Extended case 4 ECHO, 261 bytes: Lc 252 bytes, Le 259. */
	cmd[0] = 0x80;
	cmd[1] = 0xee;
	cmd[2] = 0;
	cmd[3] = 0;
	cmd[4] = 0;
	cmd[5] = 0;
	cmd[6] = 252;
	for (i = 0; i < 252; i++)
		cmd[7 + i] = i;
	cmd[259] = 259 >> 8;
	cmd[260] = 259 & 0xff;
	r = apdu(fd, POSREADER_SLOT_ICC, cmd, sizeof(cmd), rsp, sizeof(rsp),
		 &a);
	CHECK(r == 0, "extended APDU: %s", strerror(-r));
	CHECK(a.rsp_len == 261 && sw(rsp, &a) == 0x9000,
	      "extended APDU: %u bytes, SW %04x", a.rsp_len, sw(rsp, &a));
	for (i = 0; i < 259; i++)
		CHECK(rsp[i] == (i & 0xff), "extended APDU: byte %d wrong", i);

	r = apdu(fd, POSREADER_SLOT_ICC, cmd, sizeof(cmd), rsp, 100, &a);
	CHECK(r == -ENOSPC && a.rsp_len == 261,
	      "small response buffer: %s, len %u", strerror(-r), a.rsp_len);

	/* A card that takes 4 s is slow, not broken. */
	CHECK(ctl("latency-once 4000") == 0, "latency-once");
	t0 = now_s();
	r = apdu(fd, POSREADER_SLOT_ICC, select_pse, sizeof(select_pse), rsp,
		 sizeof(rsp), &a);
	dt = now_s() - t0;
	CHECK(r == 0 && sw(rsp, &a) == 0x9000, "slow APDU: %s", strerror(-r));
	CHECK(dt >= 3.9 && dt < 9.0, "slow APDU took %.1f s", dt);

	memset(&sc, 0, sizeof(sc));
	CHECK(ioctl(fd, POSREADER_IOC_ICC_POWER_OFF, &sc) == 0,
	      "power off: %m");
	r = apdu(fd, POSREADER_SLOT_ICC, select_pse, sizeof(select_pse), rsp,
		 sizeof(rsp), &a);
	CHECK(r == -EIO && a.dev_status == POSREADER_DEV_ST_NOT_POWERED,
	      "APDU unpowered: %s, status %u", strerror(-r), a.dev_status);

	CHECK(ctl("icc remove") == 0, "icc remove");
	if (expect_event(fd, POSREADER_EVT_ICC_REMOVED, &ev))
		return -1;
	r = ioctl(fd, POSREADER_IOC_ICC_POWER_ON, &pw) ? -errno : 0;
	CHECK(r == -EIO && pw.dev_status == POSREADER_DEV_ST_NO_CARD,
	      "power on without card: %s, status %u", strerror(-r),
	      pw.dev_status);

	/* Malformed requests are refused before they reach the device. */
	r = apdu(fd, 7, select_pse, sizeof(select_pse), rsp, sizeof(rsp), &a);
	CHECK(r == -EINVAL, "bad slot: %s", strerror(-r));
	r = apdu(fd, POSREADER_SLOT_ICC, select_pse, 3, rsp, sizeof(rsp), &a);
	CHECK(r == -EINVAL, "3-byte APDU: %s", strerror(-r));
	a.reserved[1] = 1;
	r = ioctl(fd, POSREADER_IOC_APDU, &a) ? -errno : 0;
	CHECK(r == -EINVAL, "reserved field set: %s", strerror(-r));
	a.reserved[1] = 0;
	a.cmd_ptr = 16;
	a.cmd_len = 5;
	r = ioctl(fd, POSREADER_IOC_APDU, &a) ? -errno : 0;
	CHECK(r == -EFAULT, "bad pointer: %s", strerror(-r));
	return 0;
}

static int t_nfc(void)
{
	static const uint8_t uid[] = {
		0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66
	};
	_cleanup_close_ int fd = open_reader(O_RDWR);
	struct posreader_simple_cmd sc;
	struct posreader_event ev;
	struct posreader_nfc_poll np;
	struct posreader_apdu a;
	uint8_t rsp[300];
	int r;

	CHECK(fd >= 0, "open: %m");
	CHECK(ctl("nfc tap uid=04112233445566") == 0, "nfc tap");
	if (expect_event(fd, POSREADER_EVT_NFC_PRESENT, &ev))
		return -1;
	CHECK(ev.u.nfc.uid_len == sizeof(uid) &&
		      !memcmp(ev.u.nfc.uid, uid, sizeof(uid)),
	      "event UID differs");

	memset(&np, 0, sizeof(np));
	np.timeout_ms = 1000;
	CHECK(ioctl(fd, POSREADER_IOC_NFC_POLL, &np) == 0, "poll: %m");
	CHECK(np.target.protocol == POSREADER_NFC_14443A &&
		      np.target.uid_len == sizeof(uid) &&
		      !memcmp(np.target.uid, uid, sizeof(uid)),
	      "polled target differs");

	r = apdu(fd, POSREADER_SLOT_NFC, select_ppse, sizeof(select_ppse), rsp,
		 sizeof(rsp), &a);
	CHECK(r == 0 && sw(rsp, &a) == 0x9000, "SELECT PPSE: %s, SW %04x",
	      strerror(-r), sw(rsp, &a));

	memset(&sc, 0, sizeof(sc));
	CHECK(ioctl(fd, POSREADER_IOC_NFC_RELEASE, &sc) == 0, "release: %m");
	CHECK(ctl("nfc remove") == 0, "nfc remove");
	if (expect_event(fd, POSREADER_EVT_NFC_GONE, &ev))
		return -1;

	memset(&np, 0, sizeof(np));
	np.timeout_ms = 300;
	r = ioctl(fd, POSREADER_IOC_NFC_POLL, &np) ? -errno : 0;
	CHECK(r == -EIO && np.dev_status == POSREADER_DEV_ST_NO_CARD,
	      "empty field poll: %s, status %u", strerror(-r), np.dev_status);
	np.timeout_ms = 0;
	r = ioctl(fd, POSREADER_IOC_NFC_POLL, &np) ? -errno : 0;
	CHECK(r == -EINVAL, "zero poll timeout: %s", strerror(-r));
	return 0;
}

static int t_tamper(void)
{
	_cleanup_close_ int fd = open_reader(O_RDWR);
	struct posreader_status st;
	struct posreader_event ev;
	char buf[32];

	CHECK(fd >= 0, "open: %m");
	CHECK(!read_sysfs_attr("tamper", buf, sizeof(buf)) &&
		      !strcmp(buf, "0x00"),
	      "sysfs tamper before: '%s'", buf);
	CHECK(ctl("tamper cause=mesh") == 0, "tamper");
	if (expect_event(fd, POSREADER_EVT_TAMPER, &ev))
		return -1;
	CHECK(ev.u.tamper.cause == POSREADER_TAMPER_MESH, "cause 0x%x",
	      ev.u.tamper.cause);
	CHECK(!read_sysfs_attr("tamper", buf, sizeof(buf)) &&
		      !strcmp(buf, "0x02"),
	      "sysfs tamper after: '%s'", buf);
	memset(&st, 0, sizeof(st));
	CHECK(ioctl(fd, POSREADER_IOC_GET_STATUS, &st) == 0, "status: %m");
	CHECK((st.state & POSREADER_STATE_TAMPERED) &&
		      st.tamper == POSREADER_TAMPER_MESH,
	      "status state 0x%x tamper 0x%x", st.state, st.tamper);

	CHECK(ctl("tamper clear") == 0, "tamper clear");
	CHECK(ioctl(fd, POSREADER_IOC_GET_STATUS, &st) == 0, "status: %m");
	CHECK(st.tamper == 0, "tamper 0x%x after clear", st.tamper);
	CHECK(!read_sysfs_attr("tamper", buf, sizeof(buf)) &&
		      !strcmp(buf, "0x00"),
	      "sysfs tamper after clear: '%s'", buf);
	return 0;
}

static int t_auth_indicators(void)
{
	static const char label[] = "posreader-auth-v1";
	_cleanup_close_ int fd = open_reader(O_RDWR);
	uint8_t key[32], msg[128], mac[32];
	struct posreader_indicators ind;
	struct posreader_auth au;
	unsigned int mac_len = 0;
	char reply[600];
	size_t n = 0;
	int i, r;

	CHECK(fd >= 0, "open: %m");
	/* The simulator's default pairing key: 00 01 .. 1f. */
	for (i = 0; i < 32; i++)
		key[i] = i;
	memset(&au, 0, sizeof(au));
	for (i = 0; i < POSREADER_AUTH_LEN; i++)
		au.challenge[i] = 0xa0 ^ (i * 7);
	CHECK(ioctl(fd, POSREADER_IOC_AUTH, &au) == 0, "auth: %m");
	memcpy(msg, label, sizeof(label) - 1);
	n = sizeof(label) - 1;
	memcpy(msg + n, au.challenge, sizeof(au.challenge));
	n += sizeof(au.challenge);
	memcpy(msg + n, cfg.serial, strlen(cfg.serial));
	n += strlen(cfg.serial);
	CHECK(HMAC(EVP_sha256(), key, sizeof(key), msg, n, mac, &mac_len),
	      "HMAC failed");
	CHECK(mac_len == sizeof(au.response) &&
		      !memcmp(mac, au.response, sizeof(mac)),
	      "the reader's answer is not HMAC(key, label|challenge|serial)");

	memset(&ind, 0, sizeof(ind));
	ind.leds = POSREADER_LED_GREEN | POSREADER_LED_BLUE;
	ind.buzzer_ms = 100;
	CHECK(ioctl(fd, POSREADER_IOC_SET_INDICATORS, &ind) == 0,
	      "indicators: %m");
	CHECK(ctl_reply(reply, sizeof(reply), "status") == 0, "status");
	CHECK(strstr(reply, "leds=0x09"), "simulator shows: %.120s", reply);
	ind.leds = 0x10;
	r = ioctl(fd, POSREADER_IOC_SET_INDICATORS, &ind) ? -errno : 0;
	CHECK(r == -EINVAL, "unknown LED bit: %s", strerror(-r));
	ind.leds = 0;
	ind.buzzer_ms = POSREADER_BUZZER_MAX_MS + 1;
	r = ioctl(fd, POSREADER_IOC_SET_INDICATORS, &ind) ? -errno : 0;
	CHECK(r == -EINVAL, "overlong buzzer: %s", strerror(-r));
	return 0;
}

/* The same ioctls from a 32-bit process (compat_ptr_ioctl). */
static int t_compat32(void)
{
	char name[64], dev[80];
	int status = -1;
	pid_t pid;

	CHECK(cfg.compat32, "no --compat32 given");
	CHECK(wait_reader(name, sizeof(name), 5000) == 0, "no reader");
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	CHECK(ctl("icc insert") == 0, "icc insert");
	pid = fork();
	if (pid == 0) {
		execl(cfg.compat32, cfg.compat32, dev, cfg.serial,
		      (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	ctl("icc remove");
	CHECK(pid > 0, "fork: %m");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "32-bit process failed (status 0x%x)", status);
	return 0;
}

/* Write text to the reader's USB device's power/<attr>. */
static int usb_power(const char *attr, const char *text)
{
	char name[64], path[256];

	if (wait_reader(name, sizeof(name), 5000))
		return -ENODEV;
	snprintf(path, sizeof(path),
		 "/sys/class/posreader/%s/device/../power/%s", name, attr);
	return write_file(path, text);
}

static int wait_runtime_status(const char *want, unsigned int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	char name[64], path[256], buf[32] = "";

	if (wait_reader(name, sizeof(name), 5000))
		return -ENODEV;
	snprintf(path, sizeof(path),
		 "/sys/class/posreader/%s/device/../power/runtime_status",
		 name);
	while (now_s() < end) {
		if (read_file(path, buf, sizeof(buf)) == 0 &&
		    !strcmp(buf, want))
			return 0;
		sleep_ms(50);
	}
	return -ETIMEDOUT;
}

/* An idle reader autosuspends; opening it resumes it, events included. */
static int t_autosuspend(void)
{
	struct posreader_event ev;
	struct posreader_info info;
	int fd, ret = -1;

	CHECK(usb_power("autosuspend_delay_ms", "0") == 0, "autosuspend delay");
	CHECK(usb_power("control", "auto") == 0, "power/control: %m");
	if (wait_runtime_status("suspended", 5000)) {
		snprintf(fail_why, sizeof(fail_why),
			 "idle reader not suspended");
		goto out;
	}
	fd = open_reader(O_RDWR);
	if (fd < 0) {
		snprintf(fail_why, sizeof(fail_why), "open: %m");
		goto out;
	}
	if (wait_runtime_status("active", 5000)) {
		snprintf(fail_why, sizeof(fail_why), "open did not resume it");
	} else if (ioctl(fd, POSREADER_IOC_GET_INFO, &info)) {
		snprintf(fail_why, sizeof(fail_why), "GET_INFO: %m");
	} else if (ctl("icc insert")) {
		snprintf(fail_why, sizeof(fail_why), "icc insert");
	} else if (next_event(fd, 5000, &ev) ||
		   ev.type != POSREADER_EVT_ICC_INSERTED) {
		snprintf(fail_why, sizeof(fail_why), "no event after resume");
	} else {
		ret = 0;
	}
	ctl("icc remove");
	close(fd);
out:
	usb_power("control", "on");
	return ret;
}

static int drain(int fd, unsigned int *normal, unsigned int *lost,
		 unsigned int *dev_lost, unsigned int timeout_ms)
{
	struct posreader_event ev;

	while (next_event(fd, timeout_ms, &ev) == 0) {
		if (ev.type == POSREADER_EVT_OVERFLOW)
			*lost += ev.u.overflow.lost;
		else
			(*normal)++;
		if (ev.flags & POSREADER_EVF_DEVICE_LOST)
			(*dev_lost)++;
	}
	return 0;
}

static int t_overflow(void)
{
	const unsigned int total = 100, queue = 64;
	_cleanup_close_ int idle = open_reader(O_RDONLY);
	_cleanup_close_ int busy = open_reader(O_RDONLY);
	unsigned int normal = 0, lost = 0, dlost = 0;
	unsigned int bnormal = 0, blost = 0, bdlost = 0;
	unsigned int i;

	CHECK(idle >= 0 && busy >= 0, "open: %m");
	for (i = 0; i < total; i++) {
		CHECK(ctl(i % 2 ? "icc remove" : "icc insert") == 0, "icc %u",
		      i);
		/* Paced, so that only the driver's queue can overflow. */
		sleep_ms(15);
		drain(busy, &bnormal, &blost, &bdlost, 0);
	}
	drain(busy, &bnormal, &blost, &bdlost, 1000);
	CHECK(bdlost == 0, "the device itself lost events");
	CHECK(bnormal == total && blost == 0,
	      "reading file got %u events, %u lost", bnormal, blost);

	drain(idle, &normal, &lost, &dlost, 500);
	CHECK(normal == queue, "idle file kept %u events, expected %u", normal,
	      queue);
	CHECK(lost == total - queue,
	      "overflow record says %u lost, expected %u", lost, total - queue);
	return 0;
}

static int t_openers(void)
{
	_cleanup_close_ int owner = open_reader(O_RDWR);
	_cleanup_close_ int reader = open_reader(O_RDONLY);
	_cleanup_close_ int again = -1;
	struct posreader_simple_cmd sc;
	struct posreader_info info;
	int fd;

	CHECK(owner >= 0 && reader >= 0, "open: %m");
	fd = open_reader(O_RDWR);
	CHECK(fd < 0 && errno == EBUSY, "second writer: %s",
	      fd < 0 ? strerror(errno) : "opened");
	fd = open_reader(O_WRONLY);
	CHECK(fd < 0 && errno == EBUSY, "write-only opener: %s",
	      fd < 0 ? strerror(errno) : "opened");
	memset(&sc, 0, sizeof(sc));
	CHECK(ioctl(reader, POSREADER_IOC_ICC_POWER_OFF, &sc) < 0 &&
		      errno == EBADF,
	      "command on read-only file: %m, expected EBADF");
	CHECK(ioctl(reader, POSREADER_IOC_GET_INFO, &info) == 0,
	      "GET_INFO on read-only file: %m");
	close(owner);
	owner = -1;
	again = open_reader(O_RDWR);
	CHECK(again >= 0, "writer after the owner closed: %m");
	return 0;
}

struct blocked {
	int fd;
	bool apdu;
	int result;
	double returned;
};

static void *blocked_thread(void *arg)
{
	struct blocked *b = arg;
	struct posreader_event ev;
	struct posreader_apdu a;
	uint8_t rsp[64];

	if (b->apdu)
		b->result = apdu(b->fd, POSREADER_SLOT_ICC, select_pse,
				 sizeof(select_pse), rsp, sizeof(rsp), &a);
	else
		b->result = read(b->fd, &ev, sizeof(ev)) < 0 ? -errno : 0;
	b->returned = now_s();
	return NULL;
}

static int t_unplug(void)
{
	_cleanup_close_ int owner = open_reader(O_RDWR);
	_cleanup_close_ int reader = open_reader(O_RDONLY);
	struct blocked rd = { .fd = reader },
		       ap = { .fd = owner, .apdu = true };
	struct posreader_icc_power pw;
	struct posreader_info info;
	struct posreader_event ev;
	struct pollfd p;
	pthread_t t1, t2;
	double t0;
	char buf[8];

	CHECK(owner >= 0 && reader >= 0, "open: %m");
	CHECK(ctl("icc insert") == 0, "icc insert");
	memset(&pw, 0, sizeof(pw));
	CHECK(ioctl(owner, POSREADER_IOC_ICC_POWER_ON, &pw) == 0,
	      "power on: %m");
	/* The reader has seen the insertion; it must block on nothing. */
	while (next_event(reader, 200, &ev) == 0)
		;
	CHECK(ctl("latency-once 8000") == 0, "latency-once");
	pthread_create(&t1, NULL, blocked_thread, &rd);
	pthread_create(&t2, NULL, blocked_thread, &ap);
	/* Let both block: the read on an empty queue, the APDU on the
	 * slow card. */
	sleep_ms(1000);
	t0 = now_s();
	CHECK(unplug(cfg.gadget) == 0, "unplug: %m");
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ctl("icc remove");

	CHECK(rd.result == -ENODEV, "blocked read: %s", strerror(-rd.result));
	CHECK(ap.result == -ENODEV, "APDU in flight: %s", strerror(-ap.result));
	CHECK(rd.returned - t0 < 2.0 && ap.returned - t0 < 2.0,
	      "waiters took %.1f / %.1f s to return", rd.returned - t0,
	      ap.returned - t0);
	CHECK(ioctl(owner, POSREADER_IOC_GET_INFO, &info) < 0 &&
		      errno == ENODEV,
	      "ioctl after unplug: %m");
	CHECK(read(reader, buf, sizeof(buf)) < 0, "read after unplug worked");
	p = (struct pollfd){ .fd = reader, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP),
	      "poll after unplug: revents 0x%x", p.revents);
	CHECK(wait_no_reader(5000) == 0, "reader still in sysfs");
	CHECK(plug(cfg.gadget, cfg.udc) == 0, "replug: %m");
	CHECK(wait_reader(buf, sizeof(buf), 10000) == 0,
	      "no reader after replug");
	return 0;
}

static int module_refcnt(void)
{
	char buf[32];

	if (read_file("/sys/module/posreader/refcnt", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

static int t_cycles(void)
{
	_cleanup_free_ int *fds = calloc(cfg.cycles, sizeof(int));
	struct posreader_event ev;
	struct posreader_info info;
	char name[64];
	unsigned int i, n = 0;
	int ret = -1;

	CHECK(fds, "out of memory");
	for (i = 0; i < cfg.cycles; i++) {
		if (!plugged(cfg.gadget) && plug(cfg.gadget, cfg.udc)) {
			snprintf(fail_why, sizeof(fail_why), "plug %u: %m", i);
			goto out;
		}
		fds[n] = open_reader(O_RDONLY);
		if (fds[n] < 0) {
			snprintf(fail_why, sizeof(fail_why),
				 "cycle %u: no reader", i);
			goto out;
		}
		n++;
		if (ioctl(fds[n - 1], POSREADER_IOC_GET_INFO, &info)) {
			snprintf(fail_why, sizeof(fail_why),
				 "cycle %u: GET_INFO: %m", i);
			goto out;
		}
		if (unplug(cfg.gadget) || wait_no_reader(5000)) {
			snprintf(fail_why, sizeof(fail_why),
				 "cycle %u: unplug did not remove the reader",
				 i);
			goto out;
		}
		if (read(fds[n - 1], &ev, sizeof(ev)) >= 0 || errno != ENODEV) {
			snprintf(fail_why, sizeof(fail_why),
				 "cycle %u: read after unplug: %m", i);
			goto out;
		}
	}
	/* Open files pin the module (through the cdev and the fops). */
	if (module_refcnt() < (int)n) {
		snprintf(fail_why, sizeof(fail_why),
			 "module refcount %d with %u files open",
			 module_refcnt(), n);
		goto out;
	}
	ret = 0;
out:
	while (n)
		close(fds[--n]);
	if (!ret && module_refcnt() != 0) {
		snprintf(fail_why, sizeof(fail_why),
			 "module refcount %d after closing all files",
			 module_refcnt());
		ret = -1;
	}
	if (!plugged(cfg.gadget))
		plug(cfg.gadget, cfg.udc);
	if (!ret && wait_reader(name, sizeof(name), 10000)) {
		snprintf(fail_why, sizeof(fail_why), "no reader after cycles");
		ret = -1;
	}
	return ret;
}

/* The bad gadget's interface (USB id 1209:0002): 1 if present, and
 * whether a driver is bound to it. */
static int bad_interface(bool *ret_bound)
{
	char path[512], buf[16];
	glob_t gl;
	size_t i;
	int found = 0;

	if (glob("/sys/bus/usb/devices/*:1.0", 0, NULL, &gl))
		return 0;
	for (i = 0; i < gl.gl_pathc && !found; i++) {
		snprintf(path, sizeof(path), "%s/../idProduct", gl.gl_pathv[i]);
		if (read_file(path, buf, sizeof(buf)) || strcmp(buf, "0002"))
			continue;
		snprintf(path, sizeof(path), "%s/../idVendor", gl.gl_pathv[i]);
		if (read_file(path, buf, sizeof(buf)) || strcmp(buf, "1209"))
			continue;
		found = 1;
		snprintf(path, sizeof(path), "%s/driver", gl.gl_pathv[i]);
		*ret_bound = access(path, F_OK) == 0;
	}
	globfree(&gl);
	return found;
}

static int t_bad_layout(void)
{
	bool bound = false;
	double end;
	int found = 0;

	CHECK(cfg.bad_gadget, "no --bad-gadget given");
	CHECK(plug(cfg.bad_gadget, cfg.bad_udc) == 0, "plug: %m");
	end = now_s() + 10;
	while (now_s() < end && !found) {
		found = bad_interface(&bound);
		sleep_ms(50);
	}
	if (found) {
		/* Give the driver ample time to (wrongly) bind. */
		sleep_ms(1000);
		found = bad_interface(&bound);
	}
	unplug(cfg.bad_gadget);
	CHECK(found, "bad gadget did not enumerate");
	CHECK(!bound, "a driver bound the device with the wrong layout");
	return 0;
}

static int status(int fd, struct posreader_status *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, POSREADER_IOC_GET_STATUS, st) ? -errno : 0;
}

static int t_hostile(void)
{
	static const char *const modes[] = {
		"bad-crc",   "wrong-seq",     "wrong-type",   "unknown-type",
		"truncated", "oversize",      "lying-length", "garbage",
		"silence",   "reserved-bits",
	};
	_cleanup_close_ int fd = open_reader(O_RDWR);
	struct posreader_icc_power pw;
	struct posreader_status st;
	struct posreader_apdu a;
	unsigned long base;
	uint8_t rsp[300];
	double end;
	size_t i;
	int r;

	CHECK(fd >= 0, "open: %m");
	for (i = 0; i < ELEMENTSOF(modes); i++) {
		CHECK(ctl("misbehave %s count=1", modes[i]) == 0,
		      "misbehave %s", modes[i]);
		r = status(fd, &st);
		CHECK(r == -ETIMEDOUT || r == -EPROTO,
		      "%s: status gave %s, expected a timeout", modes[i],
		      strerror(-r));
		/* The device answers correctly again. */
		r = status(fd, &st);
		CHECK(r == 0, "after %s: status: %s", modes[i], strerror(-r));
	}
	CHECK(st.bad_frames > 0 && st.stale_frames > 0,
	      "counters: %u bad, %u stale", st.bad_frames, st.stale_frames);

	/* Junk event frames by the thousand, then a correct answer. */
	base = st.bad_frames;
	end = now_s() + 600;
	while (st.bad_frames - base < cfg.junk) {
		CHECK(now_s() < end, "only %lu junk frames in 600 s",
		      st.bad_frames - base);
		CHECK(ctl("misbehave flood count=500") == 0, "misbehave flood");
		r = status(fd, &st);
		CHECK(r == 0, "status after a flood: %s", strerror(-r));
	}
	printf("# %lu malformed frames dropped\n", st.bad_frames - base);

	/* And it still serves a card. */
	CHECK(ctl("icc insert") == 0, "icc insert");
	memset(&pw, 0, sizeof(pw));
	r = ioctl(fd, POSREADER_IOC_ICC_POWER_ON, &pw) ? -errno : 0;
	if (!r)
		r = apdu(fd, POSREADER_SLOT_ICC, select_pse, sizeof(select_pse),
			 rsp, sizeof(rsp), &a);
	ctl("icc remove");
	CHECK(r == 0 && sw(rsp, &a) == 0x9000, "APDU after abuse: %s",
	      strerror(-r));
	return 0;
}

static int t_unload(void)
{
	_cleanup_close_ int ko = -1;
	struct posreader_info info;
	char name[64];
	int fd;

	CHECK(cfg.module, "no --module given");
	CHECK(syscall(SYS_delete_module, "posreader", O_NONBLOCK) == 0,
	      "rmmod: %m");
	CHECK(access("/sys/module/posreader", F_OK) < 0, "module still there");
	CHECK(wait_no_reader(1000) == 0, "reader left after unload");
	ko = open(cfg.module, O_RDONLY | O_CLOEXEC);
	CHECK(ko >= 0, "%s: %m", cfg.module);
	CHECK(syscall(SYS_finit_module, ko, "", 0) == 0, "insmod: %m");
	CHECK(wait_reader(name, sizeof(name), 10000) == 0,
	      "no reader after reload");
	fd = open_reader(O_RDWR);
	CHECK(fd >= 0, "open after reload: %m");
	if (ioctl(fd, POSREADER_IOC_GET_INFO, &info)) {
		close(fd);
		CHECK(0, "GET_INFO after reload: %m");
	}
	close(fd);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} scenarios[] = {
	{ "enumerate", t_enumerate },
	{ "swipe", t_swipe },
	{ "icc", t_icc },
	{ "nfc", t_nfc },
	{ "tamper", t_tamper },
	{ "auth-indicators", t_auth_indicators },
	{ "compat32", t_compat32 },
	{ "overflow", t_overflow },
	{ "openers", t_openers },
	{ "autosuspend", t_autosuspend },
	{ "unplug", t_unplug },
	{ "cycles", t_cycles },
	{ "bad-layout", t_bad_layout },
	{ "hostile", t_hostile },
	{ "unload", t_unload },
};

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gadget", required_argument, NULL, 'g' },
		{ "udc", required_argument, NULL, 'u' },
		{ "bad-gadget", required_argument, NULL, 'b' },
		{ "bad-udc", required_argument, NULL, 'U' },
		{ "control", required_argument, NULL, 'c' },
		{ "module", required_argument, NULL, 'm' },
		{ "compat32", required_argument, NULL, '3' },
		{ "serial", required_argument, NULL, 's' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "cycles", required_argument, NULL, 'n' },
		{ "junk", required_argument, NULL, 'j' },
		{ "only", required_argument, NULL, 'o' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			cfg.gadget = optarg;
			break;
		case 'u':
			cfg.udc = optarg;
			break;
		case 'b':
			cfg.bad_gadget = optarg;
			break;
		case 'U':
			cfg.bad_udc = optarg;
			break;
		case 'c':
			cfg.control = optarg;
			break;
		case 'm':
			cfg.module = optarg;
			break;
		case '3':
			cfg.compat32 = optarg;
			break;
		case 's':
			cfg.serial = optarg;
			break;
		case 'f':
			cfg.firmware = optarg;
			break;
		case 'n':
			cfg.cycles = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			cfg.junk = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			cfg.only = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	if (!cfg.gadget || !cfg.control || !cfg.serial || !cfg.firmware) {
		fprintf(stderr, "usage: posreader-vmtest --gadget DIR "
				"--control SOCK --serial S --firmware V "
				"[--bad-gadget DIR] [--module KO] "
				"[--compat32 PROGRAM] "
				"[--cycles N] [--junk N] [--only NAME]\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0;
	double t0;
	size_t i;

	if (parse_args(argc, argv))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ELEMENTSOF(scenarios); i++) {
		if (cfg.only && strcmp(cfg.only, scenarios[i].name))
			continue;
		fail_why[0] = '\0';
		/* Each scenario starts with the reader plugged in, whatever
		 * the one before left behind. */
		if (!plugged(cfg.gadget))
			plug(cfg.gadget, cfg.udc);
		t0 = now_s();
		if (scenarios[i].fn() == 0) {
			printf("PASS: %s (%.1f s)\n", scenarios[i].name,
			       now_s() - t0);
			passed++;
		} else {
			printf("FAIL: %s: %s (%.1f s)\n", scenarios[i].name,
			       fail_why, now_s() - t0);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
