// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * posreader wire codec, shared by the kernel module, the daemon and the
 * simulator. No libc, no allocation: every byte read is bounds-checked
 * against the length the caller passed, never against a length field.
 *
 * Decoders validate the whole input before they write to *ret, so a
 * failed decode leaves the caller's object as it was.
 */
#include <posreader/wire.h>

#define PRW_FLAGS_ALL PRW_FLAG_EVT_LOST
#define PRW_STATE_ALL                                    \
	(PRW_STATE_ICC_PRESENT | PRW_STATE_ICC_POWERED | \
	 PRW_STATE_NFC_PRESENT | PRW_STATE_TAMPERED)
#define PRW_TAMPER_ALL                                                 \
	(PRW_TAMPER_CASE_OPEN | PRW_TAMPER_MESH | PRW_TAMPER_VOLTAGE | \
	 PRW_TAMPER_TEMPERATURE | PRW_TAMPER_FIRMWARE)

/* Fixed payload sizes. */
#define PRW_STATUS_INFO_LEN  2
#define PRW_NFC_POLL_LEN     2
#define PRW_INDICATORS_LEN   4
#define PRW_TAMPER_LEN	     2
#define PRW_DEV_ERROR_LEN    4
#define PRW_APDU_HDR_LEN     2
#define PRW_INFO_FIXED_LEN   4
#define PRW_INFO_STRINGS     4
/* Smallest max_payload a device may announce: one minimal APDU command. */
#define PRW_INFO_MIN_PAYLOAD (PRW_APDU_HDR_LEN + PRW_APDU_MIN)

/* CRC-32/ISO-HDLC, reflected polynomial 0xedb88320, four bits at a time. */
static const u32 crc32_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

u32 prw_crc32(u32 crc, const u8 *p, size_t n)
{
	size_t i;

	/*
	 * Init and xorout are both all-ones, so undoing and redoing the
	 * final xor lets callers chain calls starting from 0.
	 */
	crc = ~crc;
	for (i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0x0f];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0x0f];
	}
	return ~crc;
}

static u16 get_le16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static u32 get_le32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
	       ((u32)p[3] << 24);
}

static void put_le16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put_le32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void copy_bytes(u8 *dst, const u8 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i];
}

static void zero_bytes(u8 *dst, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = 0;
}

static bool is_printable(u8 c)
{
	return c >= 0x20 && c <= 0x7e;
}

static bool all_printable(const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_printable(p[i]))
			return false;
	return true;
}

bool prw_type_is_command(u8 type)
{
	return type >= PRW_CMD_GET_INFO && type <= PRW_CMD_LAST;
}

bool prw_type_is_response(u8 type)
{
	return (type & PRW_RSP_BIT) && prw_type_is_command(type & ~PRW_RSP_BIT);
}

bool prw_type_is_event(u8 type)
{
	return type >= PRW_EVT_FIRST && type <= PRW_EVT_LAST;
}

u8 prw_response_type(u8 cmd)
{
	if (!prw_type_is_command(cmd))
		return 0;
	return cmd | PRW_RSP_BIT;
}

static const char *const prw_error_text[PRW_E_COUNT] = {
	[PRW_OK] = "success",
	[PRW_E_SHORT] = "frame shorter than header and CRC",
	[PRW_E_MAGIC] = "bad frame magic",
	[PRW_E_TYPE] = "unknown frame type",
	[PRW_E_FLAGS] = "invalid frame flags",
	[PRW_E_RESERVED] = "reserved field not zero",
	[PRW_E_STATUS] = "invalid frame status",
	[PRW_E_LENGTH] = "payload length above maximum",
	[PRW_E_TRUNCATED] = "frame truncated",
	[PRW_E_TRAILING] = "bytes after frame CRC",
	[PRW_E_CRC] = "frame CRC mismatch",
	[PRW_E_PAYLOAD] = "malformed payload",
	[PRW_E_NOSPACE] = "output buffer too small",
	[PRW_E_INVAL] = "argument out of range",
};

const char *prw_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= PRW_E_COUNT)
		return "unknown error";
	return prw_error_text[err];
}

static const char *const prw_status_text[PRW_ST_LAST + 1] = {
	[PRW_ST_OK] = "ok",
	[PRW_ST_UNKNOWN_CMD] = "unknown-command",
	[PRW_ST_BAD_ARGS] = "bad-args",
	[PRW_ST_NO_CARD] = "no-card",
	[PRW_ST_NOT_POWERED] = "not-powered",
	[PRW_ST_CARD_MUTE] = "card-mute",
	[PRW_ST_BUSY] = "busy",
	[PRW_ST_UNSUPPORTED] = "unsupported",
	[PRW_ST_TAMPERED] = "tampered",
	[PRW_ST_INTERNAL] = "internal",
};

const char *prw_status_name(u8 status)
{
	if (status > PRW_ST_LAST)
		return "unknown";
	return prw_status_text[status];
}

static bool type_is_known(u8 type)
{
	return prw_type_is_command(type) || prw_type_is_response(type) ||
	       prw_type_is_event(type);
}

/* Frame types whose payload must be empty (given a valid status). */
static bool type_has_no_payload(u8 type, u8 status)
{
	switch (type) {
	case PRW_CMD_GET_INFO:
	case PRW_CMD_GET_STATUS:
	case PRW_CMD_ICC_POWER_ON:
	case PRW_CMD_ICC_POWER_OFF:
	case PRW_CMD_NFC_RELEASE:
	case PRW_CMD_ICC_POWER_OFF | PRW_RSP_BIT:
	case PRW_CMD_NFC_RELEASE | PRW_RSP_BIT:
	case PRW_CMD_SET_INDICATORS | PRW_RSP_BIT:
	case PRW_EVT_ICC_INSERTED:
	case PRW_EVT_ICC_REMOVED:
	case PRW_EVT_NFC_GONE:
		return true;
	default:
		break;
	}
	return prw_type_is_response(type) && status != PRW_ST_OK;
}

static bool flags_valid(u8 type, u8 flags)
{
	if (flags & ~PRW_FLAGS_ALL)
		return false;
	if ((flags & PRW_FLAG_EVT_LOST) && !prw_type_is_event(type))
		return false;
	return true;
}

static bool status_valid(u8 type, u8 status)
{
	if (prw_type_is_response(type))
		return status <= PRW_ST_LAST;
	return status == 0;
}

/* Checks shared by prw_frame_encode() and prw_frame_seal(). */
static int frame_args_check(size_t cap, u8 type, u8 flags, u8 status,
			    size_t len)
{
	if (!type_is_known(type) || !flags_valid(type, flags) ||
	    !status_valid(type, status) || len > PRW_MAX_PAYLOAD)
		return -PRW_E_INVAL;
	if (len && type_has_no_payload(type, status))
		return -PRW_E_INVAL;
	if (cap < PRW_HDR_LEN + len + PRW_CRC_LEN)
		return -PRW_E_NOSPACE;
	return 0;
}

static int frame_finish(u8 *buf, u8 type, u8 seq, u8 flags, u8 status,
			size_t len)
{
	buf[0] = PRW_MAGIC;
	buf[1] = type;
	buf[2] = seq;
	buf[3] = flags;
	put_le16(buf + 4, (u16)len);
	buf[6] = status;
	buf[7] = 0;
	put_le32(buf + PRW_HDR_LEN + len, prw_crc32(0, buf, PRW_HDR_LEN + len));
	return (int)(PRW_HDR_LEN + len + PRW_CRC_LEN);
}

int prw_frame_encode(u8 *buf, size_t cap, u8 type, u8 seq, u8 flags, u8 status,
		     const u8 *payload, size_t len)
{
	int r;

	if (!buf || (len && !payload))
		return -PRW_E_INVAL;
	r = frame_args_check(cap, type, flags, status, len);
	if (r < 0)
		return r;
	/* A payload built in place needs no copy. */
	if (len && payload != PRW_PAYLOAD(buf))
		copy_bytes(PRW_PAYLOAD(buf), payload, len);
	return frame_finish(buf, type, seq, flags, status, len);
}

int prw_frame_seal(u8 *buf, size_t cap, u8 type, u8 seq, u8 flags, u8 status,
		   size_t len)
{
	int r;

	if (!buf)
		return -PRW_E_INVAL;
	r = frame_args_check(cap, type, flags, status, len);
	if (r < 0)
		return r;
	return frame_finish(buf, type, seq, flags, status, len);
}

/*
 * Checks run in a fixed order so every fault maps to one error: size and
 * framing first (nothing else can be trusted before them), then the CRC,
 * then the header fields it covers, then the payload rule.
 */
int prw_frame_decode(const u8 *buf, size_t n, struct prw_frame *ret)
{
	size_t len, want;
	u8 type, flags, status;

	if (!buf || n < PRW_MIN_FRAME)
		return -PRW_E_SHORT;
	if (buf[0] != PRW_MAGIC)
		return -PRW_E_MAGIC;
	len = get_le16(buf + 4);
	if (len > PRW_MAX_PAYLOAD)
		return -PRW_E_LENGTH;
	want = PRW_HDR_LEN + len + PRW_CRC_LEN;
	if (n < want)
		return -PRW_E_TRUNCATED;
	if (n > want)
		return -PRW_E_TRAILING;
	if (get_le32(buf + PRW_HDR_LEN + len) !=
	    prw_crc32(0, buf, PRW_HDR_LEN + len))
		return -PRW_E_CRC;
	type = buf[1];
	flags = buf[3];
	status = buf[6];
	if (!type_is_known(type))
		return -PRW_E_TYPE;
	if (!flags_valid(type, flags))
		return -PRW_E_FLAGS;
	if (!status_valid(type, status))
		return -PRW_E_STATUS;
	if (buf[7])
		return -PRW_E_RESERVED;
	if (len && type_has_no_payload(type, status))
		return -PRW_E_PAYLOAD;
	if (!ret)
		return 0;
	ret->type = type;
	ret->seq = buf[2];
	ret->flags = flags;
	ret->status = status;
	ret->len = (u16)len;
	ret->payload = PRW_PAYLOAD(buf);
	return 0;
}

/* ---- GET_INFO --------------------------------------------------------- */

/*
 * Length of a NUL-terminated struct string, or -1 if it has no terminator
 * within PRW_STR_MAX bytes or holds a non-printable byte.
 */
static int info_str_len(const char *s)
{
	int i;

	for (i = 0; i <= PRW_STR_MAX; i++) {
		if (!s[i])
			return i;
		if (!is_printable((u8)s[i]))
			return -1;
	}
	return -1;
}

/* The i-th string of GET_INFO, in wire order. */
static const char *info_str(const struct prw_info *info, int i)
{
	switch (i) {
	case 0:
		return info->vendor;
	case 1:
		return info->model;
	case 2:
		return info->serial;
	default:
		return info->firmware;
	}
}

static char *info_str_dst(struct prw_info *info, int i)
{
	switch (i) {
	case 0:
		return info->vendor;
	case 1:
		return info->model;
	case 2:
		return info->serial;
	default:
		return info->firmware;
	}
}

int prw_info_encode(u8 *buf, size_t cap, const struct prw_info *info)
{
	size_t total = PRW_INFO_FIXED_LEN;
	size_t off;
	int i, slen;

	if (!buf || !info)
		return -PRW_E_INVAL;
	if (!info->proto_version || info->max_payload < PRW_INFO_MIN_PAYLOAD ||
	    info->max_payload > PRW_MAX_PAYLOAD)
		return -PRW_E_INVAL;
	for (i = 0; i < PRW_INFO_STRINGS; i++) {
		slen = info_str_len(info_str(info, i));
		if (slen < 0 || (i == 2 && !slen))
			return -PRW_E_INVAL;
		total += 1 + slen;
	}
	if (cap < total)
		return -PRW_E_NOSPACE;

	buf[0] = info->proto_version;
	buf[1] = info->caps;
	put_le16(buf + 2, info->max_payload);
	off = PRW_INFO_FIXED_LEN;
	for (i = 0; i < PRW_INFO_STRINGS; i++) {
		slen = info_str_len(info_str(info, i));
		buf[off++] = (u8)slen;
		copy_bytes(buf + off, (const u8 *)info_str(info, i), slen);
		off += slen;
	}
	return (int)total;
}

int prw_info_decode(const u8 *buf, size_t len, struct prw_info *ret)
{
	size_t pos = PRW_INFO_FIXED_LEN;
	u16 max_payload;
	size_t slen;
	char *dst;
	int i;

	if (!buf || len < PRW_INFO_FIXED_LEN)
		return -PRW_E_PAYLOAD;
	max_payload = get_le16(buf + 2);
	if (!buf[0] || max_payload < PRW_INFO_MIN_PAYLOAD ||
	    max_payload > PRW_MAX_PAYLOAD)
		return -PRW_E_PAYLOAD;
	for (i = 0; i < PRW_INFO_STRINGS; i++) {
		if (pos >= len)
			return -PRW_E_PAYLOAD;
		slen = buf[pos];
		if (slen > PRW_STR_MAX || slen > len - pos - 1)
			return -PRW_E_PAYLOAD;
		if (!all_printable(buf + pos + 1, slen) || (i == 2 && !slen))
			return -PRW_E_PAYLOAD;
		pos += 1 + slen;
	}
	if (pos != len)
		return -PRW_E_PAYLOAD;
	if (!ret)
		return 0;

	ret->proto_version = buf[0];
	ret->caps = buf[1];
	ret->max_payload = max_payload;
	pos = PRW_INFO_FIXED_LEN;
	for (i = 0; i < PRW_INFO_STRINGS; i++) {
		slen = buf[pos];
		dst = info_str_dst(ret, i);
		copy_bytes((u8 *)dst, buf + pos + 1, slen);
		zero_bytes((u8 *)dst + slen, PRW_STR_MAX + 1 - slen);
		pos += 1 + slen;
	}
	return 0;
}

/* ---- GET_STATUS -------------------------------------------------------- */

static bool status_info_valid(u8 state, u8 tamper)
{
	return !(state & ~PRW_STATE_ALL) && !(tamper & ~PRW_TAMPER_ALL);
}

int prw_status_info_encode(u8 *buf, size_t cap,
			   const struct prw_status_info *st)
{
	if (!buf || !st || !status_info_valid(st->state, st->tamper))
		return -PRW_E_INVAL;
	if (cap < PRW_STATUS_INFO_LEN)
		return -PRW_E_NOSPACE;
	buf[0] = st->state;
	buf[1] = st->tamper;
	return PRW_STATUS_INFO_LEN;
}

int prw_status_info_decode(const u8 *buf, size_t len,
			   struct prw_status_info *ret)
{
	if (!buf || len != PRW_STATUS_INFO_LEN ||
	    !status_info_valid(buf[0], buf[1]))
		return -PRW_E_PAYLOAD;
	if (ret) {
		ret->state = buf[0];
		ret->tamper = buf[1];
	}
	return 0;
}

/* ---- ICC_POWER_ON ------------------------------------------------------ */

int prw_atr_encode(u8 *buf, size_t cap, const struct prw_atr *atr)
{
	if (!buf || !atr || atr->len < PRW_ATR_MIN || atr->len > PRW_ATR_MAX)
		return -PRW_E_INVAL;
	if (cap < atr->len)
		return -PRW_E_NOSPACE;
	copy_bytes(buf, atr->data, atr->len);
	return atr->len;
}

int prw_atr_decode(const u8 *buf, size_t len, struct prw_atr *ret)
{
	if (!buf || len < PRW_ATR_MIN || len > PRW_ATR_MAX)
		return -PRW_E_PAYLOAD;
	if (ret) {
		ret->len = (u8)len;
		copy_bytes(ret->data, buf, len);
		zero_bytes(ret->data + len, PRW_ATR_MAX - len);
	}
	return 0;
}

/* ---- APDU -------------------------------------------------------------- */

static bool slot_valid(u8 slot)
{
	return slot == PRW_SLOT_ICC || slot == PRW_SLOT_NFC;
}

int prw_apdu_encode(u8 *buf, size_t cap, u8 slot, const u8 *apdu,
		    size_t apdu_len)
{
	if (!buf || !apdu || !slot_valid(slot) || apdu_len < PRW_APDU_MIN ||
	    apdu_len > PRW_APDU_MAX)
		return -PRW_E_INVAL;
	if (cap < PRW_APDU_HDR_LEN + apdu_len)
		return -PRW_E_NOSPACE;
	buf[0] = slot;
	buf[1] = 0;
	if (apdu != buf + PRW_APDU_HDR_LEN)
		copy_bytes(buf + PRW_APDU_HDR_LEN, apdu, apdu_len);
	return (int)(PRW_APDU_HDR_LEN + apdu_len);
}

int prw_apdu_decode(const u8 *buf, size_t len, u8 *ret_slot,
		    const u8 **ret_apdu, size_t *ret_apdu_len)
{
	if (!buf || len < PRW_APDU_HDR_LEN + PRW_APDU_MIN ||
	    len > PRW_APDU_HDR_LEN + PRW_APDU_MAX || !slot_valid(buf[0]))
		return -PRW_E_PAYLOAD;
	if (buf[1])
		return -PRW_E_RESERVED;
	if (ret_slot)
		*ret_slot = buf[0];
	if (ret_apdu)
		*ret_apdu = buf + PRW_APDU_HDR_LEN;
	if (ret_apdu_len)
		*ret_apdu_len = len - PRW_APDU_HDR_LEN;
	return 0;
}

int prw_rapdu_check(const u8 *buf, size_t len)
{
	if (!buf || len < PRW_RAPDU_MIN || len > PRW_RAPDU_MAX)
		return -PRW_E_PAYLOAD;
	return 0;
}

/* ---- NFC_POLL ---------------------------------------------------------- */

static bool poll_timeout_valid(u16 ms)
{
	return ms >= 1 && ms <= PRW_NFC_POLL_MAX_MS;
}

int prw_nfc_poll_encode(u8 *buf, size_t cap, const struct prw_nfc_poll *p)
{
	if (!buf || !p || !poll_timeout_valid(p->timeout_ms))
		return -PRW_E_INVAL;
	if (cap < PRW_NFC_POLL_LEN)
		return -PRW_E_NOSPACE;
	put_le16(buf, p->timeout_ms);
	return PRW_NFC_POLL_LEN;
}

int prw_nfc_poll_decode(const u8 *buf, size_t len, struct prw_nfc_poll *ret)
{
	if (!buf || len != PRW_NFC_POLL_LEN ||
	    !poll_timeout_valid(get_le16(buf)))
		return -PRW_E_PAYLOAD;
	if (ret)
		ret->timeout_ms = get_le16(buf);
	return 0;
}

/* ---- NFC target -------------------------------------------------------- */

static bool nfc_target_valid(u8 protocol, u8 uid_len, const u8 *atqa, u8 sak,
			     u8 ats_len)
{
	if (ats_len > PRW_ATS_MAX)
		return false;
	switch (protocol) {
	case PRW_NFC_14443A:
		return uid_len == 4 || uid_len == 7 || uid_len == 10;
	case PRW_NFC_14443B:
		return uid_len == 4 && !atqa[0] && !atqa[1] && !sak;
	default:
		return false;
	}
}

/* protocol, uid_len, atqa[2], sak, ats_len */
#define PRW_NFC_TARGET_FIXED 6

int prw_nfc_target_encode(u8 *buf, size_t cap, const struct prw_nfc_target *t)
{
	size_t total, off;

	if (!buf || !t ||
	    !nfc_target_valid(t->protocol, t->uid_len, t->atqa, t->sak,
			      t->ats_len))
		return -PRW_E_INVAL;
	total = PRW_NFC_TARGET_FIXED + t->uid_len + t->ats_len;
	if (cap < total)
		return -PRW_E_NOSPACE;
	buf[0] = t->protocol;
	buf[1] = t->uid_len;
	copy_bytes(buf + 2, t->uid, t->uid_len);
	off = 2 + t->uid_len;
	buf[off++] = t->atqa[0];
	buf[off++] = t->atqa[1];
	buf[off++] = t->sak;
	buf[off++] = t->ats_len;
	copy_bytes(buf + off, t->ats, t->ats_len);
	return (int)total;
}

int prw_nfc_target_decode(const u8 *buf, size_t len, struct prw_nfc_target *ret)
{
	size_t uid_len, ats_len, off;

	/* Fixed part with the shortest UID, then the real UID length. */
	if (!buf || len < PRW_NFC_TARGET_FIXED + 4)
		return -PRW_E_PAYLOAD;
	uid_len = buf[1];
	if (uid_len > PRW_UID_MAX || len < PRW_NFC_TARGET_FIXED + uid_len)
		return -PRW_E_PAYLOAD;
	off = 2 + uid_len;
	ats_len = buf[off + 3];
	if (len != PRW_NFC_TARGET_FIXED + uid_len + ats_len)
		return -PRW_E_PAYLOAD;
	if (!nfc_target_valid(buf[0], (u8)uid_len, buf + off, buf[off + 2],
			      (u8)ats_len))
		return -PRW_E_PAYLOAD;
	if (!ret)
		return 0;

	ret->protocol = buf[0];
	ret->uid_len = (u8)uid_len;
	copy_bytes(ret->uid, buf + 2, uid_len);
	zero_bytes(ret->uid + uid_len, PRW_UID_MAX - uid_len);
	ret->atqa[0] = buf[off];
	ret->atqa[1] = buf[off + 1];
	ret->sak = buf[off + 2];
	ret->ats_len = (u8)ats_len;
	copy_bytes(ret->ats, buf + off + 4, ats_len);
	zero_bytes(ret->ats + ats_len, PRW_ATS_MAX - ats_len);
	return 0;
}

/* ---- AUTH -------------------------------------------------------------- */

int prw_auth_encode(u8 *buf, size_t cap, const u8 *challenge)
{
	if (!buf || !challenge)
		return -PRW_E_INVAL;
	if (cap < PRW_AUTH_CHALLENGE_LEN)
		return -PRW_E_NOSPACE;
	if (challenge != buf)
		copy_bytes(buf, challenge, PRW_AUTH_CHALLENGE_LEN);
	return PRW_AUTH_CHALLENGE_LEN;
}

int prw_auth_decode(const u8 *buf, size_t len, const u8 **ret_challenge)
{
	if (!buf || len != PRW_AUTH_CHALLENGE_LEN)
		return -PRW_E_PAYLOAD;
	if (ret_challenge)
		*ret_challenge = buf;
	return 0;
}

int prw_auth_rsp_check(const u8 *buf, size_t len)
{
	if (!buf || len != PRW_AUTH_RESPONSE_LEN)
		return -PRW_E_PAYLOAD;
	return 0;
}

/* ---- SET_INDICATORS ---------------------------------------------------- */

static bool indicators_valid(u8 leds, u16 buzzer_ms)
{
	return !(leds & ~PRW_LED_ALL) && buzzer_ms <= PRW_BUZZER_MAX_MS;
}

int prw_indicators_encode(u8 *buf, size_t cap, const struct prw_indicators *ind)
{
	if (!buf || !ind || !indicators_valid(ind->leds, ind->buzzer_ms))
		return -PRW_E_INVAL;
	if (cap < PRW_INDICATORS_LEN)
		return -PRW_E_NOSPACE;
	buf[0] = ind->leds;
	buf[1] = 0;
	put_le16(buf + 2, ind->buzzer_ms);
	return PRW_INDICATORS_LEN;
}

int prw_indicators_decode(const u8 *buf, size_t len, struct prw_indicators *ret)
{
	if (!buf || len != PRW_INDICATORS_LEN ||
	    !indicators_valid(buf[0], get_le16(buf + 2)))
		return -PRW_E_PAYLOAD;
	if (buf[1])
		return -PRW_E_RESERVED;
	if (ret) {
		ret->leds = buf[0];
		ret->buzzer_ms = get_le16(buf + 2);
	}
	return 0;
}

/* ---- SWIPE ------------------------------------------------------------- */

/* status, encoding, len */
#define PRW_TRACK_HDR_LEN 3

/* Raw characters carry 7 bits on track 1 and 5 bits on tracks 2 and 3. */
static bool track_data_valid(int idx, u8 encoding, const u8 *p, size_t n)
{
	u8 limit = idx == 0 ? 0x80 : 0x20;
	size_t i;

	if (encoding == PRW_TRACK_ASCII)
		return all_printable(p, n);
	for (i = 0; i < n; i++)
		if (p[i] >= limit)
			return false;
	return true;
}

static bool track_valid(int idx, u8 status, u8 encoding, size_t len,
			const u8 *data)
{
	if (status > PRW_TRACK_ERROR || encoding > PRW_TRACK_RAW ||
	    len > PRW_TRACK_MAX)
		return false;
	if (status != PRW_TRACK_OK && len)
		return false;
	return track_data_valid(idx, encoding, data, len);
}

int prw_swipe_encode(u8 *buf, size_t cap, const struct prw_swipe *sw)
{
	const struct prw_track *t;
	size_t total = 1, off;
	int i;

	if (!buf || !sw)
		return -PRW_E_INVAL;
	for (i = 0; i < PRW_TRACKS; i++) {
		t = &sw->track[i];
		if (!track_valid(i, t->status, t->encoding, t->len, t->data))
			return -PRW_E_INVAL;
		total += PRW_TRACK_HDR_LEN + t->len;
	}
	if (cap < total)
		return -PRW_E_NOSPACE;
	buf[0] = PRW_TRACKS;
	off = 1;
	for (i = 0; i < PRW_TRACKS; i++) {
		t = &sw->track[i];
		buf[off] = t->status;
		buf[off + 1] = t->encoding;
		buf[off + 2] = t->len;
		copy_bytes(buf + off + PRW_TRACK_HDR_LEN, t->data, t->len);
		off += PRW_TRACK_HDR_LEN + t->len;
	}
	return (int)total;
}

int prw_swipe_decode(const u8 *buf, size_t len, struct prw_swipe *ret)
{
	size_t pos = 1, tlen;
	struct prw_track *t;
	int i;

	if (!buf || len < 1 || buf[0] != PRW_TRACKS)
		return -PRW_E_PAYLOAD;
	for (i = 0; i < PRW_TRACKS; i++) {
		if (len - pos < PRW_TRACK_HDR_LEN)
			return -PRW_E_PAYLOAD;
		tlen = buf[pos + 2];
		if (tlen > len - pos - PRW_TRACK_HDR_LEN)
			return -PRW_E_PAYLOAD;
		if (!track_valid(i, buf[pos], buf[pos + 1], tlen,
				 buf + pos + PRW_TRACK_HDR_LEN))
			return -PRW_E_PAYLOAD;
		pos += PRW_TRACK_HDR_LEN + tlen;
	}
	if (pos != len)
		return -PRW_E_PAYLOAD;
	if (!ret)
		return 0;

	pos = 1;
	for (i = 0; i < PRW_TRACKS; i++) {
		t = &ret->track[i];
		tlen = buf[pos + 2];
		t->status = buf[pos];
		t->encoding = buf[pos + 1];
		t->len = (u8)tlen;
		copy_bytes(t->data, buf + pos + PRW_TRACK_HDR_LEN, tlen);
		zero_bytes(t->data + tlen, PRW_TRACK_MAX - tlen);
		pos += PRW_TRACK_HDR_LEN + tlen;
	}
	return 0;
}

/* ---- TAMPER ------------------------------------------------------------ */

static bool tamper_cause_valid(u8 cause)
{
	return cause && !(cause & ~PRW_TAMPER_ALL);
}

int prw_tamper_encode(u8 *buf, size_t cap, const struct prw_tamper *t)
{
	if (!buf || !t || !tamper_cause_valid(t->cause))
		return -PRW_E_INVAL;
	if (cap < PRW_TAMPER_LEN)
		return -PRW_E_NOSPACE;
	buf[0] = t->cause;
	buf[1] = 0;
	return PRW_TAMPER_LEN;
}

int prw_tamper_decode(const u8 *buf, size_t len, struct prw_tamper *ret)
{
	if (!buf || len != PRW_TAMPER_LEN || !tamper_cause_valid(buf[0]))
		return -PRW_E_PAYLOAD;
	if (buf[1])
		return -PRW_E_RESERVED;
	if (ret)
		ret->cause = buf[0];
	return 0;
}

/* ---- ERROR ------------------------------------------------------------- */

static bool dev_error_code_valid(u8 code)
{
	return code >= PRW_DEVERR_OVERFLOW && code <= PRW_DEVERR_PROTOCOL;
}

int prw_dev_error_encode(u8 *buf, size_t cap, const struct prw_dev_error *e)
{
	if (!buf || !e || !dev_error_code_valid(e->code))
		return -PRW_E_INVAL;
	if (cap < PRW_DEV_ERROR_LEN)
		return -PRW_E_NOSPACE;
	buf[0] = e->code;
	buf[1] = 0;
	put_le16(buf + 2, e->detail);
	return PRW_DEV_ERROR_LEN;
}

int prw_dev_error_decode(const u8 *buf, size_t len, struct prw_dev_error *ret)
{
	if (!buf || len != PRW_DEV_ERROR_LEN || !dev_error_code_valid(buf[0]))
		return -PRW_E_PAYLOAD;
	if (buf[1])
		return -PRW_E_RESERVED;
	if (ret) {
		ret->code = buf[0];
		ret->detail = get_le16(buf + 2);
	}
	return 0;
}
