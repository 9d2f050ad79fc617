// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-compat32: the user API from a 32-bit process on the 64-bit
 * kernel (compat_ptr_ioctl), built with gcc -m32 -static by tests/vm/run.sh
 * and started by posreader-vmtest with an IC card already inserted.
 * usage: posreader-compat32 /dev/posreaderN SERIAL
 * Exit status 0 when every check passed; prints why otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/posreader.h>

#define CHECK(cond, ...)                                           \
	do {                                                       \
		if (!(cond)) {                                     \
			fprintf(stdout, "compat32: " __VA_ARGS__); \
			fputc('\n', stdout);                       \
			return 1;                                  \
		}                                                  \
	} while (0)

static const uint8_t select_pse[] = { 0x00, 0xa4, 0x04, 0x00, 0x0e, '1', 'P',
				      'A',  'Y',  '.',	'S',  'Y',  'S', '.',
				      'D',  'D',  'F',	'0',  '1',  0x00 };

int main(int argc, char **argv)
{
	struct posreader_icc_power pw;
	struct posreader_status st;
	struct posreader_info info;
	struct posreader_apdu a;
	uint8_t cmd[261], rsp[300];
	int fd, i;

	CHECK(sizeof(void *) == 4, "not a 32-bit build");
	CHECK(argc == 3, "usage: posreader-compat32 DEVICE SERIAL");
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open %s: %s", argv[1], strerror(errno));

	CHECK(ioctl(fd, POSREADER_IOC_GET_INFO, &info) == 0, "GET_INFO: %s",
	      strerror(errno));
	CHECK(!strcmp(info.serial, argv[2]) && info.usb_vendor == 0x1209,
	      "GET_INFO: serial '%s', vendor %04x", info.serial,
	      info.usb_vendor);
	memset(&st, 0, sizeof(st));
	CHECK(ioctl(fd, POSREADER_IOC_GET_STATUS, &st) == 0, "GET_STATUS: %s",
	      strerror(errno));
	CHECK(st.state & POSREADER_STATE_ICC_PRESENT, "no card: state 0x%x",
	      st.state);

	memset(&pw, 0, sizeof(pw));
	CHECK(ioctl(fd, POSREADER_IOC_ICC_POWER_ON, &pw) == 0, "power on: %s",
	      strerror(errno));
	CHECK(pw.atr_len >= 2 && pw.atr[0] == 0x3b, "ATR of %u bytes",
	      pw.atr_len);

	/* Pointers from a 32-bit address space, widened to __u64. */
	memset(&a, 0, sizeof(a));
	a.slot = POSREADER_SLOT_ICC;
	a.cmd_ptr = (uintptr_t)select_pse;
	a.cmd_len = sizeof(select_pse);
	a.rsp_ptr = (uintptr_t)rsp;
	a.rsp_cap = sizeof(rsp);
	CHECK(ioctl(fd, POSREADER_IOC_APDU, &a) == 0, "SELECT: %s",
	      strerror(errno));
	CHECK(a.rsp_len > 2 && rsp[a.rsp_len - 2] == 0x90 &&
		      rsp[a.rsp_len - 1] == 0x00,
	      "SELECT: %u bytes", a.rsp_len);

	/* Extended ECHO, as in the 64-bit test: 261 bytes each way. */
	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x80;
	cmd[1] = 0xee;
	cmd[6] = 252;
	for (i = 0; i < 252; i++)
		cmd[7 + i] = i;
	cmd[259] = 259 >> 8;
	cmd[260] = 259 & 0xff;
	a.cmd_ptr = (uintptr_t)cmd;
	a.cmd_len = sizeof(cmd);
	CHECK(ioctl(fd, POSREADER_IOC_APDU, &a) == 0, "ECHO: %s",
	      strerror(errno));
	CHECK(a.rsp_len == 261, "ECHO: %u bytes", a.rsp_len);
	for (i = 0; i < 259; i++)
		CHECK(rsp[i] == (i & 0xff), "ECHO: byte %d wrong", i);

	CHECK(ioctl(fd, _IO(POSREADER_IOC_MAGIC, 0x7e)) < 0 && errno == ENOTTY,
	      "unknown ioctl: %s", strerror(errno));
	close(fd);
	return 0;
}
