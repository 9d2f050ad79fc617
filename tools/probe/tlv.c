// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"

#include "pan.h"
#include "tlv.h"

/* Deeper nesting than EMV ever uses is treated as malformed. */
#define TLV_DEPTH_MAX 8

struct tlv {
	unsigned int tag;
	bool constructed;
	const u8 *value;
	size_t len;
	size_t total; /* tag + length + value */
};

/* Parse one object at p (n bytes left); -EBADMSG if malformed. */
static int tlv_next(const u8 *p, size_t n, struct tlv *ret)
{
	size_t pos = 1, len;

	if (!n)
		return -EBADMSG;
	ret->constructed = p[0] & 0x20;
	ret->tag = p[0];
	if ((p[0] & 0x1f) == 0x1f) {
		/* Subsequent tag bytes while bit 8 is set; at most 3 total. */
		do {
			if (pos >= n || pos >= 3)
				return -EBADMSG;
			ret->tag = ret->tag << 8 | p[pos];
		} while (p[pos++] & 0x80);
	}
	if (pos >= n)
		return -EBADMSG;
	len = p[pos++];
	if (len == 0x81) {
		if (pos >= n)
			return -EBADMSG;
		len = p[pos++];
	} else if (len == 0x82) {
		if (pos + 1 >= n)
			return -EBADMSG;
		len = (size_t)p[pos] << 8 | p[pos + 1];
		pos += 2;
	} else if (len > 0x7f) {
		return -EBADMSG;
	}
	if (len > n - pos)
		return -EBADMSG;
	ret->value = p + pos;
	ret->len = len;
	ret->total = pos + len;
	return 0;
}

static bool valid_at(const u8 *p, size_t n, int depth)
{
	struct tlv t;

	if (depth > TLV_DEPTH_MAX || !n)
		return false;
	while (n) {
		if (tlv_next(p, n, &t) < 0)
			return false;
		if (t.constructed && t.len &&
		    !valid_at(t.value, t.len, depth + 1))
			return false;
		p += t.total;
		n -= t.total;
	}
	return true;
}

static const struct {
	unsigned int tag;
	const char *name;
} tag_names[] = {
	{ 0x4f, "application identifier" },
	{ 0x50, "application label" },
	{ 0x57, "track 2 equivalent data" },
	{ 0x5a, "PAN" },
	{ 0x61, "application template" },
	{ 0x6f, "FCI template" },
	{ 0x70, "record template" },
	{ 0x84, "DF name" },
	{ 0x87, "priority indicator" },
	{ 0x88, "SFI of directory" },
	{ 0xa5, "FCI proprietary template" },
	{ 0x5f20, "cardholder name" },
	{ 0x5f24, "expiry date" },
	{ 0x5f25, "effective date" },
	{ 0x5f2d, "language preference" },
	{ 0x5f34, "PAN sequence number" },
	{ 0x9f17, "PIN try counter" },
	{ 0x9f36, "application transaction counter" },
	{ 0xbf0c, "FCI issuer discretionary data" },
};

/* Tags whose value is track or PIN data, never shown at all. */
static bool tag_withheld(unsigned int tag)
{
	return tag == 0x56 || tag == 0x99 || tag == 0x9f1f || tag == 0x9f20 ||
	       tag == 0x9f6b;
}

static const char *tag_name(unsigned int tag)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(tag_names); i++)
		if (tag_names[i].tag == tag)
			return tag_names[i].name;
	return NULL;
}

/* BCD nibbles as characters ('D' for the separator) until an F pad. */
static size_t nibbles(const u8 *v, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len * 2 && n + 1 < cap; i++) {
		u8 x = i % 2 ? v[i / 2] & 0x0f : v[i / 2] >> 4;

		if (x == 0x0f)
			break;
		out[n++] = x < 10 ? (char)('0' + x) : (char)('A' + x - 10);
	}
	out[n] = '\0';
	return n;
}

static void print_masked_pan(FILE *f, const char *pan)
{
	char masked[PAN_MASKED_SIZE];

	if (pan_mask(pan, masked, sizeof(masked)) < 0)
		fprintf(f, "(withheld)");
	else
		fprintf(f, "%s", masked);
}

static void print_track2_equivalent(FILE *f, const struct tlv *t)
{
	char digits[2 * 19 + 1];
	char *sep;

	nibbles(t->value, t->len, digits, sizeof(digits));
	sep = strchr(digits, 'D');
	if (!sep || strlen(sep) < 8) {
		fprintf(f, "(withheld, %zu bytes)", t->len);
		goto out;
	}
	*sep = '\0';
	fprintf(f, "pan=");
	print_masked_pan(f, digits);
	/* Expiry YYMM and service code follow the separator. */
	fprintf(f, " expiry=%.4s service-code=%.3s", sep + 1, sep + 5);
out:
	secure_zero(digits, sizeof(digits));
}

static void print_value(FILE *f, const struct tlv *t)
{
	char digits[2 * 10 + 1];
	bool text = t->len > 0;
	size_t i;

	if (tag_withheld(t->tag)) {
		fprintf(f, "(withheld, %zu bytes)", t->len);
		return;
	}
	if (t->tag == 0x57) {
		print_track2_equivalent(f, t);
		return;
	}
	if (t->tag == 0x5a) {
		nibbles(t->value, t->len, digits, sizeof(digits));
		print_masked_pan(f, digits);
		secure_zero(digits, sizeof(digits));
		return;
	}
	for (i = 0; i < t->len; i++) {
		fprintf(f, "%02X", t->value[i]);
		if (t->value[i] < 0x20 || t->value[i] > 0x7e)
			text = false;
	}
	if (text)
		fprintf(f, " \"%.*s\"", (int)t->len, (const char *)t->value);
}

static void print_at(FILE *f, const u8 *p, size_t n, int depth)
{
	const char *name;
	struct tlv t;

	while (n && tlv_next(p, n, &t) == 0) {
		name = tag_name(t.tag);
		fprintf(f, "%*s%X", 2 + 2 * depth, "", t.tag);
		if (name)
			fprintf(f, " (%s)", name);
		if (t.constructed) {
			fprintf(f, "\n");
			if (t.len)
				print_at(f, t.value, t.len, depth + 1);
		} else {
			fprintf(f, ": ");
			print_value(f, &t);
			fprintf(f, "\n");
		}
		p += t.total;
		n -= t.total;
	}
}

bool tlv_is_emv(const u8 *data, size_t len)
{
	struct tlv first;

	/* Arbitrary bytes may parse as TLV by chance: insist on a tag that
	 * an EMV answer starts with. */
	return data && valid_at(data, len, 0) &&
	       tlv_next(data, len, &first) == 0 && tag_name(first.tag);
}

int tlv_print(FILE *f, const u8 *data, size_t len)
{
	if (!tlv_is_emv(data, len))
		return -EBADMSG;
	print_at(f, data, len, 0);
	return 0;
}
