// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every mode breaks exactly one rule of the frame format, so a host can
 * be checked for naming the right one (see docs/simulator.md).
 */
#include <errno.h>
#include <string.h>

#include "misbehave.h"

static const char *const mb_names[SIM_MB_COUNT] = {
	[SIM_MB_OFF] = "off",
	[SIM_MB_BAD_CRC] = "bad-crc",
	[SIM_MB_WRONG_SEQ] = "wrong-seq",
	[SIM_MB_WRONG_TYPE] = "wrong-type",
	[SIM_MB_UNKNOWN_TYPE] = "unknown-type",
	[SIM_MB_TRUNCATED] = "truncated",
	[SIM_MB_OVERSIZE] = "oversize",
	[SIM_MB_LYING_LENGTH] = "lying-length",
	[SIM_MB_GARBAGE] = "garbage",
	[SIM_MB_SILENCE] = "silence",
	[SIM_MB_FLOOD] = "flood",
	[SIM_MB_RESERVED_BITS] = "reserved-bits",
};

const char *sim_misbehave_name(enum sim_misbehave mode)
{
	if ((unsigned int)mode >= SIM_MB_COUNT)
		return "unknown";
	return mb_names[mode];
}

int sim_misbehave_from_name(const char *name, enum sim_misbehave *ret)
{
	unsigned int i;

	for (i = 0; i < SIM_MB_COUNT; i++) {
		if (!strcmp(name, mb_names[i])) {
			*ret = (enum sim_misbehave)i;
			return 0;
		}
	}
	return -EINVAL;
}

u8 mb_rand8(uint64_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return (u8)(*rng >> 24);
}

/* Write a fresh CRC after the covered bytes, as a sender would. */
static void reseal_crc(u8 *buf, size_t covered)
{
	u32 crc = prw_crc32(0, buf, covered);

	buf[covered] = crc & 0xff;
	buf[covered + 1] = (crc >> 8) & 0xff;
	buf[covered + 2] = (crc >> 16) & 0xff;
	buf[covered + 3] = crc >> 24;
}

static void put_len(u8 *buf, size_t len)
{
	buf[4] = len & 0xff;
	buf[5] = (len >> 8) & 0xff;
}

/* min..max random bytes that never start with the magic. */
static size_t garbage(uint64_t *rng, u8 *buf, size_t min, size_t max)
{
	size_t n = min + mb_rand8(rng) % (max - min + 1), i;

	for (i = 0; i < n; i++)
		buf[i] = mb_rand8(rng);
	if (buf[0] == PRW_MAGIC)
		buf[0] = (u8)~PRW_MAGIC;
	return n;
}

size_t mb_flood_frame(uint64_t *rng, unsigned int i, u8 event_seq, u8 *buf)
{
	if (i % 2)
		return garbage(rng, buf, PRW_MIN_FRAME, 64);
	/* Looks like an error event, fails its CRC. */
	memset(buf, 0, PRW_MIN_FRAME + 4);
	buf[0] = PRW_MAGIC;
	buf[1] = PRW_EVT_ERROR;
	buf[2] = event_seq;
	put_len(buf, 4);
	buf[PRW_HDR_LEN] = PRW_DEVERR_HARDWARE;
	reseal_crc(buf, PRW_HDR_LEN + 4);
	buf[PRW_HDR_LEN + 4] ^= 0xff;
	return PRW_MIN_FRAME + 4;
}

size_t mb_rewrite(enum sim_misbehave mode, uint64_t *rng, const u8 *frame,
		  size_t len, const u8 *other, size_t other_len, u8 *out)
{
	size_t plen = len - PRW_MIN_FRAME;

	memcpy(out, frame, len);
	switch (mode) {
	case SIM_MB_BAD_CRC:
		out[len - 1] ^= 0x5a;
		return len;
	case SIM_MB_WRONG_SEQ:
		out[2]++;
		reseal_crc(out, PRW_HDR_LEN + plen);
		return len;
	case SIM_MB_WRONG_TYPE:
		if (!other || other_len > SIM_OUT_MAX)
			return 0;
		memcpy(out, other, other_len);
		return other_len;
	case SIM_MB_UNKNOWN_TYPE:
		out[1] = 0x3f;
		reseal_crc(out, PRW_HDR_LEN + plen);
		return len;
	case SIM_MB_TRUNCATED:
		/* The length field promises more than the message holds. */
		put_len(out, plen + 16);
		return len;
	case SIM_MB_OVERSIZE:
		memset(out + len, 0xee, SIM_OUT_MAX - len);
		put_len(out, SIM_OUT_MAX - PRW_MIN_FRAME);
		reseal_crc(out, SIM_OUT_MAX - PRW_CRC_LEN);
		return SIM_OUT_MAX;
	case SIM_MB_LYING_LENGTH:
		/* Valid frame, then bytes its length field does not cover. */
		memset(out + len, 0xa5, 6);
		return len + 6;
	case SIM_MB_GARBAGE:
		return garbage(rng, out, PRW_MIN_FRAME, 64);
	case SIM_MB_RESERVED_BITS:
		out[7] = 0x5a;
		reseal_crc(out, PRW_HDR_LEN + plen);
		return len;
	case SIM_MB_SILENCE:
		return 0;
	case SIM_MB_FLOOD:
	case SIM_MB_OFF:
	case SIM_MB_COUNT:
		break;
	}
	return len;
}
